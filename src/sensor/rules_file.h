/*
 * rules_file.h: sensor rule files (nvd.rules(5)), the default DLP and WAF
 * sensors as data.  Line by line:
 *
 *	# comment
 *	sensor NAME dlp|waf
 *	rule NAME
 *	validator luhn|ssn|none
 *	packet|url|header|body|args [!]PATTERN
 *	admission NAME allow|deny CRITERIA
 *	message TEXT
 *
 * A rule belongs to the sensor above it, a validator and patterns to the
 * rule above them; a pattern is the rest of its line (trailing blanks
 * cut), a leading '!' negates it.  Every pattern is compiled as the
 * engine would (sensor_pattern_check()), so a file that parses also
 * builds.  An admission rule (nvd(8), ADMISSION CONTROL) stands on its
 * own, its message below it; its criteria are the rest of its line, which
 * the loader checks (rules_load.h): this parser does not know them.
 *
 * The same files set the threat detectors (threat_def.h):
 *
 *	threat NAME
 *	level info|warning|critical
 *	action alert|deny
 *	enable | disable
 *	param NAME VALUE
 *
 * each line after a "threat" line setting that detector; what a block
 * does not say keeps the built-in setting.
 *
 * Errors are "FILE:LINE: message" (or "FILE: message" for the file as a
 * whole), at most RULES_MAX_ERRORS of them; parsing goes on after an error
 * to report the next ones, but a file with any error yields nothing.
 */
#ifndef NVD_RULES_FILE_H
#define NVD_RULES_FILE_H

#include <stddef.h>

#include "sensor/sensor.h"
#include "threat/threat_def.h"

#define RULES_FILE_MAX		(1024 * 1024)	/* bytes in a rule file */
#define RULES_LINE_MAX		2048		/* bytes in a line, newline excluded */
#define RULES_FILE_RULES	1024		/* rules in one file */
#define RULES_MAX_ERRORS	32
#define RULES_FILE_ADMISSION	256		/* admission rules in one file */
#define RULES_MESSAGE_MAX	256		/* an admission rule's message, NUL included */

struct rules_errors {
	int count;
	char msg[RULES_MAX_ERRORS][320];
};

/* An admission rule of a file, as written. */
struct rules_admission {
	char name[SENSOR_NAME_MAX];
	int deny;			/* else allow */
	char criteria[RULES_LINE_MAX + 1];
	char message[RULES_MESSAGE_MAX];	/* "" without a message line */
	int line;			/* of its "admission" */
};

/* A threat block: the built-in setting with the block's lines applied. */
struct rules_threat {
	int id;				/* enum threat_id */
	int line;			/* of its "threat" line */
	struct threat_conf conf;
};

/*
 * What one file defines.  sensors[i].rules, line, adm and threats are
 * malloc'ed; rules_free() frees them.  line[i] is the line of sensor i's
 * "sensor".
 */
struct rules_file {
	struct sensor_spec *sensors;
	int nsensors;
	int *line;
	struct rules_admission *adm;
	int nadm;
	struct rules_threat *threats;
	int nthreats;
};

/*
 * Parses len bytes of text (any bytes; need not be NUL-terminated), name
 * being the file's name in messages.  Returns the number of errors added
 * to errs: 0 with *rf filled, else with *rf empty.
 */
int rules_parse(const char *name, const char *text, size_t len, struct rules_file *rf,
    struct rules_errors *errs);
/* Reads and parses path (at most RULES_FILE_MAX bytes); as rules_parse(). */
int rules_read(const char *path, struct rules_file *rf, struct rules_errors *errs);
void rules_free(struct rules_file *rf);

/*
 * A sensor or rule name: 1 to SENSOR_NAME_MAX - 1 of [A-Za-z0-9._-],
 * starting with a letter or digit.  0, or -1 with err ("sensor name 'a b':
 * only letters, digits, '.', '_' and '-'"); what is "sensor" or "rule".
 */
int rules_name_check(const char *what, const char *name, char *err, size_t errlen);

/*
 * A pattern as rule files and nvctl give it, into *ps: a leading '!'
 * negates, the rest is compiled to check it.  0, or -1 with err ("empty
 * pattern", "longer than 1023 bytes", "missing closing parenthesis at
 * offset 7").
 */
int rules_pattern(struct sensor_pattern_spec *ps, const char *text, enum sensor_ctx ctx,
    char *err, size_t errlen);

#endif
