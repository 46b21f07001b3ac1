/*
 * store_admission.c: admission rules and mode in SQLite
 * (schema/012_admission.sql; store_admission.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "store/store.h"
#include "store/store_admission.h"

#define RULE_COLS "id, action, criteria, comment, enabled, builtin, name, source, created, updated"

/*
 * One statement with its arguments bound: 'i' an int64_t, 's' a string.
 * Returns it, or NULL with "database: ..." in err.
 */
static sqlite3_stmt *
sql_bind(sqlite3 *db, const char *sql, char *err, size_t errlen, const char *args, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int ok;

	ok = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK;
	va_start(ap, args);
	for (int i = 0; ok && args[i]; i++)
		ok = (args[i] == 'i' ? sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t)) :
		    sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1,
		    SQLITE_TRANSIENT)) == SQLITE_OK;
	va_end(ap);
	if (!ok) {
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* Runs st (no rows wanted) and finalizes it: the rows changed, or -1. */
static int
sql_run(sqlite3 *db, sqlite3_stmt *st, char *err, size_t errlen)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
		return -1;
	}
	return sqlite3_changes(db);
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

/* A row of RULE_COLS into r; -1 with err when its criteria do not parse. */
static int
rule_row(sqlite3_stmt *st, struct adm_rule *r, char *err, size_t errlen)
{
	char why[256];

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->deny = strcmp(col(st, 1), "deny") == 0;
	snprintf(r->comment, sizeof(r->comment), "%s", col(st, 3));
	r->enabled = sqlite3_column_int(st, 4) != 0;
	r->builtin = sqlite3_column_int(st, 5) != 0;
	snprintf(r->name, sizeof(r->name), "%s", col(st, 6));
	snprintf(r->source, sizeof(r->source), "%s", col(st, 7));
	r->created = sqlite3_column_int64(st, 8);
	r->updated = sqlite3_column_int64(st, 9);
	if ((r->ncrit = adm_criteria_parse(col(st, 2), r->c, ADM_MAX_CRITERIA, why,
	    sizeof(why))) < 0) {
		snprintf(err, errlen, "admission rule %lld: criteria '%.80s': %s", (long long)r->id,
		    col(st, 2), why);
		return -1;
	}
	return 0;
}

/* Rows of a query of RULE_COLS into *out (malloc'ed), *n of them. */
static int
rules_query(sqlite3 *db, sqlite3_stmt *st, struct adm_rule **out, int *n, char *err,
    size_t errlen)
{
	struct adm_rule *v = NULL;
	int cap = 0, rc = 0;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	while (rc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = 0;
		if (*n == cap) {
			struct adm_rule *a = realloc(v, (size_t)(cap ? cap * 2 : 16) * sizeof(*v));

			if (a == NULL) {
				snprintf(err, errlen, "out of memory");
				rc = -1;
				break;
			}
			v = a;
			cap = cap ? cap * 2 : 16;
		}
		rc = rule_row(st, &v[*n], err, errlen);
		*n += rc == 0;
	}
	if (rc != SQLITE_DONE && rc != -1) {
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
		rc = -1;
	}
	sqlite3_finalize(st);
	if (rc == -1) {
		free(v);
		*n = 0;
		return -1;
	}
	*out = v;
	return 0;
}

static int
missing(char *err, size_t errlen, int64_t id)
{
	snprintf(err, errlen, "admission rule %lld does not exist", (long long)id);
	return STORE_NOTFOUND;
}

int
store_adm_rule_add(sqlite3 *db, int deny, const char *criteria, const char *comment,
    int64_t *id, char *err, size_t errlen)
{
	struct adm_crit c[ADM_MAX_CRITERIA];
	char canon[ADM_CRITERIA_TEXT];
	int64_t t = (int64_t)time(NULL);
	int n;

	if ((n = adm_criteria_parse(criteria, c, ADM_MAX_CRITERIA, err, errlen)) < 0)
		return -1;
	if (strlen(comment) >= ADM_COMMENT_MAX) {
		snprintf(err, errlen, "comment: at most %d bytes", ADM_COMMENT_MAX - 1);
		return -1;
	}
	for (const char *p = comment; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "comment: no control characters");
			return -1;
		}
	adm_criteria_format(c, n, canon, sizeof(canon));
	if (sql_run(db, sql_bind(db, "INSERT INTO admission_rules (action, criteria, comment, "
	    "enabled, builtin, created, updated) VALUES (?1, ?2, ?3, 1, 0, ?4, ?4)", err, errlen,
	    "sssi", deny ? "deny" : "allow", canon, comment, t), err, errlen) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(db);
	return 0;
}

int
store_adm_rule_get(sqlite3 *db, int64_t id, struct adm_rule *r, char *err, size_t errlen)
{
	struct adm_rule *v;
	int n;

	if (rules_query(db, sql_bind(db, "SELECT " RULE_COLS " FROM admission_rules WHERE id = ?1",
	    err, errlen, "i", id), &v, &n, err, errlen) < 0)
		return -1;
	if (n == 0)
		return missing(err, errlen, id);
	*r = v[0];
	free(v);
	return 0;
}

int
store_adm_rule_list(sqlite3 *db, struct adm_rule **r, int *n, char *err, size_t errlen)
{
	return rules_query(db, sql_bind(db, "SELECT " RULE_COLS " FROM admission_rules ORDER BY id",
	    err, errlen, ""), r, n, err, errlen);
}

int
store_adm_rule_delete(sqlite3 *db, int64_t id, char *err, size_t errlen)
{
	sqlite3_stmt *st = sql_bind(db, "SELECT builtin, source FROM admission_rules WHERE id = ?1",
	    err, errlen, "i", id);
	int rc, builtin = 0;

	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && (builtin = sqlite3_column_int(st, 0)) != 0)
		snprintf(err, errlen, "admission rule %lld is built in (%s); disable it instead",
		    (long long)id, col(st, 1));
	else if (rc == SQLITE_DONE)
		missing(err, errlen, id);
	else if (rc != SQLITE_ROW)
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	if (rc != SQLITE_ROW || builtin)
		return -1;
	return sql_run(db, sql_bind(db, "DELETE FROM admission_rules WHERE id = ?1", err, errlen,
	    "i", id), err, errlen) < 0 ? -1 : 0;
}

int
store_adm_rule_enable(sqlite3 *db, int64_t id, int on, char *err, size_t errlen)
{
	int rc = sql_run(db, sql_bind(db, "UPDATE admission_rules SET enabled = ?1, updated = ?2 "
	    "WHERE id = ?3", err, errlen, "iii", (int64_t)(on != 0), (int64_t)time(NULL), id),
	    err, errlen);

	if (rc == 0)
		return missing(err, errlen, id);
	return rc < 0 ? -1 : 0;
}

int
store_adm_mode_get(sqlite3 *db, enum adm_mode *m, char *err, size_t errlen)
{
	sqlite3_stmt *st = sql_bind(db, "SELECT value FROM meta WHERE key = 'admission_mode'", err,
	    errlen, "");
	int rc;

	if (st == NULL)
		return -1;
	*m = ADM_MONITOR;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		adm_mode_parse(col(st, 0), m);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

int
store_adm_mode_set(sqlite3 *db, enum adm_mode m, char *err, size_t errlen)
{
	return sql_run(db, sql_bind(db, "INSERT INTO meta (key, value) VALUES ('admission_mode', ?1) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", err, errlen, "s",
	    adm_mode_name(m)), err, errlen) < 0 ? -1 : 0;
}

/* --- built-in rules ------------------------------------------------------- */

static int
builtin_put(sqlite3 *db, const char *source, const struct rules_admission *a, int64_t t,
    char *err, size_t errlen)
{
	struct adm_crit c[ADM_MAX_CRITERIA];
	char canon[ADM_CRITERIA_TEXT];
	int n = adm_criteria_parse(a->criteria, c, ADM_MAX_CRITERIA, err, errlen);
	int rc;

	if (n < 0)
		return -1;
	adm_criteria_format(c, n, canon, sizeof(canon));
	/* by its name, changed only where the file changed it; new: disabled
	 * (an INSERT that turned into an UPDATE would still use up an id) */
	rc = sql_run(db, sql_bind(db, "UPDATE admission_rules SET action = ?1, criteria = ?2, "
	    "comment = ?3, source = ?4, updated = ?5 WHERE builtin = 1 AND name = ?6 AND "
	    "(action IS NOT ?1 OR criteria IS NOT ?2 OR comment IS NOT ?3 OR source IS NOT ?4)",
	    err, errlen, "ssssis", a->deny ? "deny" : "allow", canon, a->message, source, t,
	    a->name), err, errlen);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	return sql_run(db, sql_bind(db, "INSERT INTO admission_rules (action, criteria, comment, "
	    "enabled, builtin, name, source, created, updated) SELECT ?1, ?2, ?3, 0, 1, ?4, ?5, "
	    "?6, ?6 WHERE NOT EXISTS (SELECT 1 FROM admission_rules WHERE builtin = 1 AND "
	    "name = ?4)", err, errlen, "sssssi", a->deny ? "deny" : "allow", canon, a->message,
	    a->name, source, t), err, errlen) < 0 ? -1 : 0;
}

/* Whether a built-in rule (name, from source) stays: its file was
 * skipped, or a file read defines it. */
static int
builtin_kept(const struct store_adm_file *f, int n, const char *name, const char *source)
{
	for (int i = 0; i < n; i++) {
		if (f[i].skipped) {
			if (strcmp(f[i].name, source) == 0)
				return 1;
			continue;
		}
		for (int k = 0; k < f[i].n; k++)
			if (strcmp(f[i].rules[k].name, name) == 0)
				return 1;
	}
	return 0;
}

static int
builtin_prune(sqlite3 *db, const struct store_adm_file *f, int n, char *err, size_t errlen)
{
	struct adm_rule *r;
	int nr, rc = 0;

	if (rules_query(db, sql_bind(db, "SELECT " RULE_COLS " FROM admission_rules WHERE "
	    "builtin = 1", err, errlen, ""), &r, &nr, err, errlen) < 0)
		return -1;
	for (int i = 0; rc == 0 && i < nr; i++) {
		if (builtin_kept(f, n, r[i].name, r[i].source))
			continue;
		if (sql_run(db, sql_bind(db, "DELETE FROM admission_rules WHERE id = ?1", err,
		    errlen, "i", r[i].id), err, errlen) < 0)
			rc = -1;
		else
			log_info("admission rule %lld (%s, from %s) deleted: no rule file defines it "
			    "any more", (long long)r[i].id, r[i].name, r[i].source);
	}
	free(r);
	return rc;
}

int
store_adm_builtin_sync(sqlite3 *db, const struct store_adm_file *f, int n, char *err,
    size_t errlen)
{
	int64_t t = (int64_t)time(NULL);
	int rc = 0;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
		return -1;
	}
	for (int i = 0; rc == 0 && i < n; i++)
		for (int k = 0; rc == 0 && !f[i].skipped && k < f[i].n; k++)
			rc = builtin_put(db, f[i].name, &f[i].rules[k], t, err, errlen);
	if (rc == 0)
		rc = builtin_prune(db, f, n, err, errlen);
	if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	if (rc == 0)
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
