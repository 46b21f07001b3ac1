/*
 * adm_rules.h: admission rules and their criteria (nvd(8), ADMISSION
 * CONTROL), and the judgement of a request's facts (adm_facts.h).
 *
 * A rule allows or denies; its criteria are AND-ed.  The enabled allow
 * rules are tried first, in order: one that matches admits the request,
 * whatever the deny rules say (an exception).  Then the deny rules, in
 * order: the first that matches decides; in monitor mode the request is
 * admitted with a violation, in protect mode refused with the rule's
 * message.  A body nvd could not read is refused in protect mode, admitted
 * with a violation in monitor mode.  Nothing matches: admitted.
 *
 * Criteria, comma-separated (blanks around them are ignored):
 *
 *	privileged root host-network host-pid host-ipc host-uts
 *	unconfined env-secret no-limits
 *	mount=GLOB device=GLOB image=GLOB registry=GLOB tag=GLOB
 *	label:KEY=GLOB cap=NAME port=N[-M]
 *
 * GLOB is fnmatch(3)'s without flags ('*' also matches '/').  Their exact
 * meaning is in nvd(8); adm_crit_match() is its one implementation.
 *
 * Threads: a rule set is read-only once built; any number of threads may
 * judge with it, each with its own sensor scratch.
 */
#ifndef NVD_ADM_RULES_H
#define NVD_ADM_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "admission/adm_facts.h"
#include "sensor/sensor.h"

#define ADM_MAX_CRITERIA	16	/* in one rule */
#define ADM_VALUE_MAX		256	/* a criterion's value, NUL included */
#define ADM_CRITERIA_TEXT	2048	/* a rule's criteria as text, NUL included */
#define ADM_COMMENT_MAX		256	/* a rule's message, NUL included */
#define ADM_RULE_NAME_MAX	64	/* a built-in rule's name, NUL included */

enum adm_crit_kind {
	AC_PRIVILEGED,
	AC_ROOT,
	AC_HOST_NETWORK,
	AC_HOST_PID,
	AC_HOST_IPC,
	AC_HOST_UTS,
	AC_UNCONFINED,
	AC_ENV_SECRET,
	AC_NO_LIMITS,
	AC_MOUNT,
	AC_DEVICE,
	AC_IMAGE,
	AC_REGISTRY,
	AC_TAG,
	AC_LABEL,
	AC_CAP,
	AC_PORT,
	AC_COUNT
};

struct adm_crit {
	enum adm_crit_kind kind;
	char key[ADM_VALUE_MAX];	/* label:KEY */
	char value[ADM_VALUE_MAX];	/* the GLOB or NAME as given (cap: upper case) */
	/* mount=, device=: GLOB with the symlinks of its literal directory
	 * resolved on this host (adm_crit_resolve), or "" when the same */
	char resolved[ADM_VALUE_MAX];
	uint16_t lo, hi;		/* port= */
};

enum adm_mode {
	ADM_MONITOR = 0,
	ADM_PROTECT,
};
const char *adm_mode_name(enum adm_mode m);
int adm_mode_parse(const char *s, enum adm_mode *m);

struct adm_rule {
	int64_t id;
	int deny;			/* else allow */
	int enabled;
	int builtin;			/* from a rule file (nvd.rules(5)) */
	char name[ADM_RULE_NAME_MAX];	/* built in: its name in the file; else "" */
	char source[256];		/* built in: its file's name */
	char comment[ADM_COMMENT_MAX];	/* the message a refusal gives */
	struct adm_crit c[ADM_MAX_CRITERIA];
	int ncrit;
	int64_t created, updated;
};

/*
 * Parses criteria text into c (at most max), returning how many, or -1
 * with err ("unknown criterion 'x' (expected ...)", "mount needs a value:
 * mount=GLOB", "port '0': expected N or N-M, 1-65535", "criterion
 * 'privileged' is given twice", "no criteria").
 */
int adm_criteria_parse(const char *text, struct adm_crit *c, int max, char *err, size_t errlen);
/* The canonical text of c[0..n-1]: "privileged,mount=/var/run/docker.sock". */
void adm_criteria_format(const struct adm_crit *c, int n, char *out, size_t outlen);
/* Fills the resolved globs of the rule's mount= and device= criteria. */
void adm_rule_resolve(struct adm_rule *r);

/*
 * A request being judged: its facts and what the environment check found
 * (done once, the first time a rule asks).  dlp: the DLP sensors to match
 * environment variables with, or NULL; scratch: the calling thread's.
 */
struct adm_subject {
	struct adm_facts *f;
	const struct sensor_set *dlp;
	struct sensor_scratch *scratch;
	int env_checked;
	int env_secret;
	char env_why[256];		/* "API_TOKEN=****wxyz (its name)", masked */
	char env_sensor[SENSOR_NAME_MAX];	/* the DLP sensor that matched, or "" */
};

/*
 * Whether criterion c matches s; when it does and why is not NULL, what
 * matched ("/run/docker.sock", "SYS_ADMIN", "8080") goes there.
 */
int adm_crit_match(const struct adm_crit *c, struct adm_subject *s, char *why, size_t whylen);
/* Whether every criterion of r matches; what matched goes to why ("; "-separated). */
int adm_rule_match(const struct adm_rule *r, struct adm_subject *s, char *why, size_t whylen);

enum adm_result {
	ADM_PASS = 0,		/* no rule matched: admitted */
	ADM_ALLOWED,		/* an allow rule matched: admitted */
	ADM_VIOLATION,		/* a deny rule matched (or unreadable) in monitor mode: admitted */
	ADM_DENIED,		/* ... in protect mode: refused */
};
const char *adm_result_name(enum adm_result r);

struct adm_verdict {
	enum adm_result result;
	const struct adm_rule *rule;	/* the rule that decided, or NULL */
	int unreadable;			/* decided by s->f->unreadable */
	char why[256];			/* what matched */
};

/* Judges s by the enabled rules r[0..n-1] in mode. */
void adm_judge(const struct adm_rule *r, int n, enum adm_mode mode, struct adm_subject *s,
    struct adm_verdict *v);

#endif
