/*
 * store_admission.h: admission rules and the admission mode in the
 * database (schema/012_admission.sql).  Conventions of store.h: 0 on
 * success, -1 with one line in err, STORE_NOTFOUND where an id is
 * missing; each change is one transaction.  Main thread's connection.
 */
#ifndef NVD_STORE_ADMISSION_H
#define NVD_STORE_ADMISSION_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "admission/adm_rules.h"
#include "sensor/rules_file.h"

/*
 * A user rule: criteria (adm_criteria_parse(), stored canonical), comment
 * ("" or up to 255 bytes of text without control characters), enabled.
 * Sets *id.  Errors: the parser's, "comment: ...".
 */
int store_adm_rule_add(sqlite3 *db, int deny, const char *criteria, const char *comment,
    int64_t *id, char *err, size_t errlen);
/* Refused for a built-in rule: "admission rule 3 is built in (admission.rules);
 * disable it instead".  STORE_NOTFOUND: "admission rule 7 does not exist". */
int store_adm_rule_delete(sqlite3 *db, int64_t id, char *err, size_t errlen);
int store_adm_rule_enable(sqlite3 *db, int64_t id, int on, char *err, size_t errlen);
int store_adm_rule_get(sqlite3 *db, int64_t id, struct adm_rule *r, char *err, size_t errlen);
/* Every rule in the order they are tried (by id; adm_judge() takes the
 * allow rules first) into *r (malloc'ed: free() it). */
int store_adm_rule_list(sqlite3 *db, struct adm_rule **r, int *n, char *err, size_t errlen);

int store_adm_mode_get(sqlite3 *db, enum adm_mode *m, char *err, size_t errlen);
int store_adm_mode_set(sqlite3 *db, enum adm_mode m, char *err, size_t errlen);

/*
 * The admission rules of rules_dir's files (rules_load.h), in one
 * transaction: each rule of a file not skipped is stored as built in, by
 * its name (disabled when new; its id and enabled kept, its action,
 * criteria, message and file replaced); a built-in rule that no file read
 * defines any more, unless its file was skipped, is deleted (logged).
 * The files' criteria were checked (adm_criteria_parse()).
 */
struct store_adm_file {
	const char *name;		/* in rules_dir, as the rules' source */
	int skipped;
	const struct rules_admission *rules;
	int n;
};
int store_adm_builtin_sync(sqlite3 *db, const struct store_adm_file *f, int n, char *err,
    size_t errlen);

#endif
