/*
 * store_response.c: response rules and quarantined workloads in SQLite
 * (schema/014_response.sql; store_response.h).  Each change is one
 * statement or one transaction: it is stored whole or not at all.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "store/store_response.h"

static int
fail_db(sqlite3 *db, char *err, size_t errlen)
{
	snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
	return -1;
}

/*
 * sql prepared with its arguments, one per letter of types: 's' a string
 * (NULL: SQL NULL), 'i' an int64_t.  NULL with err.
 */
static sqlite3_stmt *
bound(sqlite3 *db, char *err, size_t errlen, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL), n = 0;
	va_list ap;

	va_start(ap, types);
	while (rc == SQLITE_OK && types[n]) {
		n++;
		if (types[n - 1] == 'i')
			rc = sqlite3_bind_int64(st, n, va_arg(ap, int64_t));
		else
			rc = sqlite3_bind_text(st, n, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
	}
	va_end(ap);
	if (rc == SQLITE_OK)
		return st;
	fail_db(db, err, errlen);
	sqlite3_finalize(st);
	return NULL;
}

/* Runs st to its end and finalizes it: the rows it changed, or -1 with err. */
static int
finish(sqlite3 *db, sqlite3_stmt *st, char *err, size_t errlen)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_changes(db) : fail_db(db, err, errlen);
}

/* Copies column i of st (NULL: "") into dst. */
static void
text_at(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(dst, size, "%s", t ? (const char *)t : "");
}

/*
 * Steps st (finalized here) and hands each row to row(), which copies it
 * into slot k of *arr (elements of size bytes, grown as needed); *n rows.
 */
typedef int row_fn(sqlite3_stmt *st, void *slot, char *err, size_t errlen);

static int
rows(sqlite3 *db, sqlite3_stmt *st, row_fn *row, void **arr, size_t size, int *n, char *err,
    size_t errlen)
{
	int rc = 0, cap = 0, step = SQLITE_DONE;

	*arr = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			void *more = realloc(*arr, (size_t)(cap = cap ? cap * 2 : 8) * size);

			if (more == NULL) {
				snprintf(err, errlen, "out of memory");
				rc = -1;
				break;
			}
			*arr = more;
		}
		memset((char *)*arr + (size_t)*n * size, 0, size);
		if ((rc = row(st, (char *)*arr + (size_t)*n * size, err, errlen)) == 0)
			(*n)++;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = fail_db(db, err, errlen);
	sqlite3_finalize(st);
	if (rc < 0) {
		free(*arr);
		*arr = NULL;
		*n = 0;
	}
	return rc;
}

/* --- response rules ------------------------------------------------------ */

#define RULE_COLS	"id, category, coalesce(group_name, ''), criteria, actions, enabled, " \
	"fired, suppressed, coalesce(last_fired, 0), created, updated"

static int
rule_row(sqlite3_stmt *st, void *slot, char *err, size_t errlen)
{
	struct response_rule *r = slot;
	char text[RESPONSE_TEXT_MAX], why[256];

	r->id = sqlite3_column_int64(st, 0);
	text_at(st, 1, text, sizeof(text));
	if (response_category_parse(text, &r->category) < 0) {
		snprintf(err, errlen, "response rule %lld: unknown category '%.40s'",
		    (long long)r->id, text);
		return -1;
	}
	text_at(st, 2, r->group, sizeof(r->group));
	text_at(st, 3, text, sizeof(text));
	if (response_criteria_parse(text, r, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "response rule %lld: %s", (long long)r->id, why);
		return -1;
	}
	text_at(st, 4, text, sizeof(text));
	if (response_actions_parse(text, r, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "response rule %lld: %s", (long long)r->id, why);
		return -1;
	}
	r->enabled = sqlite3_column_int(st, 5) != 0;
	r->fired = sqlite3_column_int64(st, 6);
	r->suppressed = sqlite3_column_int64(st, 7);
	r->last_fired = sqlite3_column_int64(st, 8);
	r->created = sqlite3_column_int64(st, 9);
	r->updated = sqlite3_column_int64(st, 10);
	return 0;
}

int
store_response_list(sqlite3 *db, struct response_rule **r, int *n, char *err, size_t errlen)
{
	return rows(db, bound(db, err, errlen, "SELECT " RULE_COLS " FROM response_rules "
	    "ORDER BY id", ""), rule_row, (void **)r, sizeof(**r), n, err, errlen);
}

static int
rule_missing(int64_t id, char *err, size_t errlen)
{
	snprintf(err, errlen, "response rule %lld does not exist", (long long)id);
	return STORE_NOTFOUND;
}

int
store_response_get(sqlite3 *db, int64_t id, struct response_rule *r, char *err, size_t errlen)
{
	struct response_rule *all;
	int n;

	if (rows(db, bound(db, err, errlen, "SELECT " RULE_COLS " FROM response_rules "
	    "WHERE id = ?", "i", id), rule_row, (void **)&all, sizeof(*all), &n, err, errlen) < 0)
		return -1;
	if (n == 1)
		*r = all[0];
	free(all);
	return n == 1 ? 0 : rule_missing(id, err, errlen);
}

/* One integer the query gives, or -1 with err. */
static int64_t
count_of(sqlite3 *db, sqlite3_stmt *st, char *err, size_t errlen)
{
	int64_t v = -1;

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		fail_db(db, err, errlen);
	sqlite3_finalize(st);
	return v;
}

/* Inside add's transaction. */
static int
add_tx(sqlite3 *db, struct response_rule *r, char *err, size_t errlen)
{
	char crit[RESPONSE_TEXT_MAX], acts[RESPONSE_TEXT_MAX];
	int64_t n, t = (int64_t)time(NULL);

	if (r->group[0]) {
		if ((n = count_of(db, bound(db, err, errlen, "SELECT count(*) FROM groups "
		    "WHERE name = ?", "s", r->group), err, errlen)) < 0)
			return -1;
		if (n == 0) {
			snprintf(err, errlen, "group '%s' does not exist", r->group);
			return STORE_NOTFOUND;
		}
	}
	if ((n = count_of(db, bound(db, err, errlen, "SELECT count(*) FROM response_rules", ""),
	    err, errlen)) < 0)
		return -1;
	if (n >= RESPONSE_RULES_MAX) {
		snprintf(err, errlen, "at most %d response rules", RESPONSE_RULES_MAX);
		return -1;
	}
	response_criteria_format(r, crit, sizeof(crit));
	response_actions_format(r, acts, sizeof(acts));
	if (finish(db, bound(db, err, errlen, "INSERT INTO response_rules (category, group_name, "
	    "criteria, actions, enabled, created, updated) VALUES (?, ?, ?, ?, 1, ?, ?)",
	    "ssssii", response_category_name(r->category), r->group[0] ? r->group : NULL, crit,
	    acts, t, t), err, errlen) < 0)
		return -1;
	r->id = sqlite3_last_insert_rowid(db);
	r->enabled = 1;
	r->created = r->updated = t;
	return 0;
}

int
store_response_add(sqlite3 *db, struct response_rule *r, char *err, size_t errlen)
{
	int rc;

	if (response_rule_check(r, err, errlen) < 0)
		return -1;
	/* Within a transaction of the caller's (policy import): its. */
	if (!sqlite3_get_autocommit(db))
		return add_tx(db, r, err, errlen);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail_db(db, err, errlen);
	if ((rc = add_tx(db, r, err, errlen)) == 0 &&
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = fail_db(db, err, errlen);
	if (rc < 0)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int
store_response_enable(sqlite3 *db, int64_t id, int enabled, char *err, size_t errlen)
{
	int n = finish(db, bound(db, err, errlen, "UPDATE response_rules SET enabled = ?, "
	    "updated = ? WHERE id = ?", "iii", (int64_t)(enabled != 0), (int64_t)time(NULL), id),
	    err, errlen);

	return n < 0 ? -1 : n == 0 ? rule_missing(id, err, errlen) : 0;
}

int
store_response_delete(sqlite3 *db, int64_t id, char *err, size_t errlen)
{
	int n = finish(db, bound(db, err, errlen, "DELETE FROM response_rules WHERE id = ?", "i",
	    id), err, errlen);

	return n < 0 ? -1 : n == 0 ? rule_missing(id, err, errlen) : 0;
}

/* --- quarantine ---------------------------------------------------------- */

#define QUARANTINE_COLS	"id, name, image, addresses, coalesce(rule_id, 0), " \
	"coalesce(event_id, 0), reason, since"

static int
quarantine_row(sqlite3_stmt *st, void *slot, char *err, size_t errlen)
{
	struct store_quarantine *q = slot;

	text_at(st, 0, q->q.id, sizeof(q->q.id));
	text_at(st, 1, q->q.name, sizeof(q->q.name));
	text_at(st, 2, q->image, sizeof(q->image));
	text_at(st, 3, q->addresses, sizeof(q->addresses));
	q->rule_id = sqlite3_column_int64(st, 4);
	q->event_id = sqlite3_column_int64(st, 5);
	text_at(st, 6, q->reason, sizeof(q->reason));
	q->since = sqlite3_column_int64(st, 7);
	return 0;
}

int
store_quarantine_list(sqlite3 *db, struct store_quarantine **q, int *n, char *err,
    size_t errlen)
{
	return rows(db, bound(db, err, errlen, "SELECT " QUARANTINE_COLS " FROM quarantine "
	    "ORDER BY name, id", ""), quarantine_row, (void **)q, sizeof(**q), n, err, errlen);
}

static int
policy_row(sqlite3_stmt *st, void *slot, char *err, size_t errlen)
{
	struct policy_quarantine *q = slot;

	text_at(st, 0, q->id, sizeof(q->id));
	text_at(st, 1, q->name, sizeof(q->name));
	return 0;
}

int
store_quarantine_load(sqlite3 *db, struct policy_quarantine **q, int *n, char *err,
    size_t errlen)
{
	return rows(db, bound(db, err, errlen, "SELECT id, name FROM quarantine", ""), policy_row,
	    (void **)q, sizeof(**q), n, err, errlen);
}

/* The rows release takes: by name, id, or an id prefix of 12 or more. */
#define RELEASE_WHERE	"WHERE name = ?1 OR id = ?1 OR (length(?1) >= 12 AND " \
	"substr(id, 1, length(?1)) = ?1)"

int
store_quarantine_release(sqlite3 *db, const char *workload, struct store_quarantine **q,
    int *n, char *err, size_t errlen)
{
	int rc;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail_db(db, err, errlen);
	rc = rows(db, bound(db, err, errlen, "SELECT " QUARANTINE_COLS " FROM quarantine "
	    RELEASE_WHERE " ORDER BY name, id", "s", workload), quarantine_row, (void **)q,
	    sizeof(**q), n, err, errlen);
	if (rc == 0 && *n == 0) {
		snprintf(err, errlen, "workload '%s' is not quarantined", workload);
		rc = STORE_NOTFOUND;
	}
	if (rc == 0 && finish(db, bound(db, err, errlen, "DELETE FROM quarantine " RELEASE_WHERE,
	    "s", workload), err, errlen) < 0)
		rc = -1;
	if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = fail_db(db, err, errlen);
	if (rc < 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		free(*q);
		*q = NULL;
		*n = 0;
	}
	return rc;
}
