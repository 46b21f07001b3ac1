/*
 * store.c: groups, network rules and workloads in SQLite
 * (schema/002_policy.sql).  Each function that changes something is one
 * transaction: it either commits whole or rolls back and leaves the
 * database as it was.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "proto/app_table.h"
#include "base/json.h"
#include "store/store.h"

/*
 * Inserting before a rule takes the midpoint of its order and its
 * predecessor's; below this gap the user rules are renumbered 1..n first,
 * long before doubles run out of precision.
 */
#define ORD_MIN_GAP	1e-6

/* --- SQL helpers ----------------------------------------------------- */

static int
db_error(sqlite3 *db, char *err, size_t errlen)
{
	snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
	return -1;
}

sqlite3_stmt *
store_vsql(sqlite3 *db, char *err, size_t errlen, const char *sql, const char *types, va_list ap)
{
	sqlite3_stmt *st;
	int rc = SQLITE_OK;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(db, err, errlen);
		return NULL;
	}
	for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
		switch (types[i]) {
		case 's':
			rc = sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
			break;
		case 'i':
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		case 'd':
			rc = sqlite3_bind_double(st, i + 1, va_arg(ap, double));
			break;
		}
	}
	if (rc != SQLITE_OK) {
		db_error(db, err, errlen);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

static sqlite3_stmt *
stmt(sqlite3 *db, char *err, size_t errlen, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, types);
	st = store_vsql(db, err, errlen, sql, types, ap);
	va_end(ap);
	return st;
}

/* Runs a statement that returns no rows; the rows it changed, or -1. */
static int
run(sqlite3 *db, char *err, size_t errlen, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, types);
	st = store_vsql(db, err, errlen, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, errlen);
	return sqlite3_changes(db);
}

/*
 * The first column of the first row as an integer: 1 and *out set, 0 if
 * there is no row or the value is NULL, -1 on an error.
 */
static int
query_int(sqlite3 *db, int64_t *out, char *err, size_t errlen, const char *sql,
    const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc, found = 0;

	va_start(ap, types);
	st = store_vsql(db, err, errlen, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*out = sqlite3_column_int64(st, 0);
		found = 1;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		found = db_error(db, err, errlen);
	sqlite3_finalize(st);
	return found;
}

static int
exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(db, err, errlen);
	return 0;
}

/* BEGIN IMMEDIATE: take the write lock now, so no later step is refused. */
static int
tx_begin(sqlite3 *db, char *err, size_t errlen)
{
	return exec(db, "BEGIN IMMEDIATE", err, errlen);
}

/* Commits if rc is 0 or more, else rolls back; returns rc (or -1). */
static int
tx_end(sqlite3 *db, int rc, char *err, size_t errlen)
{
	if (rc >= 0) {
		if (exec(db, "COMMIT", err, errlen) == 0)
			return rc;
		rc = -1;
	}
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

static void
col_copy(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	snprintf(dst, size, "%s", col_text(st, i));
}

/* Makes room for one more element of size bytes in *arr. */
static int
grow(void *arr, int *cap, int n, size_t size, char *err, size_t errlen)
{
	void **a = arr;
	void *p;
	int ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if ((p = realloc(*a, (size_t)ncap * size)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*a = p;
	*cap = ncap;
	return 0;
}

static int64_t
now(void)
{
	return (int64_t)time(NULL);
}

/* 1 and *kind if the group exists, 0 if not, -1 on an error. */
static int
group_kind(sqlite3 *db, const char *name, enum group_kind *kind, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	if ((st = stmt(db, err, errlen, "SELECT kind FROM groups WHERE name = ?", "s", name)) == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		enum group_kind k = GROUP_USER;

		policy_group_kind_parse(col_text(st, 0), &k);
		if (kind)
			*kind = k;
		found = 1;
	} else if (rc != SQLITE_DONE)
		found = db_error(db, err, errlen);
	sqlite3_finalize(st);
	return found;
}

static int
group_missing(char *err, size_t errlen, const char *name)
{
	snprintf(err, errlen, "group '%s' does not exist", name);
	return STORE_NOTFOUND;
}

static int
rule_missing(char *err, size_t errlen, int64_t id)
{
	snprintf(err, errlen, "rule %lld does not exist", (long long)id);
	return STORE_NOTFOUND;
}

/* --- groups ---------------------------------------------------------- */

/* The rules naming a group, counted by the indexes on each end (schema 10):
 * an OR of the two would read every rule for every group. */
#define GROUP_COLS "name, kind, criteria, mode, created, updated, " \
	"(SELECT count(*) FROM rules r WHERE r.from_group = g.name) + " \
	"(SELECT count(*) FROM rules r WHERE r.to_group = g.name AND r.from_group != g.name)"

/* A row of GROUP_COLS into sg; -1 with err if its criteria do not parse. */
static int
group_row(sqlite3_stmt *st, struct store_group *sg, char *err, size_t errlen)
{
	struct policy_group *g = &sg->g;
	const char *crit = col_text(st, 2);

	memset(sg, 0, sizeof(*sg));
	col_copy(st, 0, g->name, sizeof(g->name));
	g->kind = GROUP_USER;
	policy_group_kind_parse(col_text(st, 1), &g->kind);
	g->mode = MODE_DISCOVER;
	policy_mode_parse(col_text(st, 3), &g->mode);
	if (g->kind == GROUP_USER && *crit) {
		char why[256];

		g->ncrit = criteria_parse(crit, g->crit, POLICY_MAX_CRITERIA, why, sizeof(why));
		if (g->ncrit < 0) {
			snprintf(err, errlen, "database: group '%s': %s", g->name, why);
			return -1;
		}
	}
	sg->created = sqlite3_column_int64(st, 4);
	sg->updated = sqlite3_column_int64(st, 5);
	sg->nrules = sqlite3_column_int(st, 6);
	return 0;
}

static int
groups_query(sqlite3 *db, const char *name, struct store_group **out, int *nout,
    char *err, size_t errlen)
{
	struct store_group *g = NULL;
	sqlite3_stmt *st;
	int n = 0, cap = 0, rc;

	*out = NULL;
	*nout = 0;
	st = stmt(db, err, errlen, "SELECT " GROUP_COLS " FROM groups g "
	    "WHERE ?1 IS NULL OR name = ?1 ORDER BY name", "s", name);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (grow(&g, &cap, n, sizeof(*g), err, errlen) < 0 ||
		    group_row(st, &g[n], err, errlen) < 0)
			goto fail;
		n++;
	}
	if (rc != SQLITE_DONE) {
		db_error(db, err, errlen);
		goto fail;
	}
	sqlite3_finalize(st);
	*out = g;
	*nout = n;
	return 0;
fail:
	sqlite3_finalize(st);
	free(g);
	return -1;
}

int
store_group_list(sqlite3 *db, struct store_group **g, int *n, char *err, size_t errlen)
{
	return groups_query(db, NULL, g, n, err, errlen);
}

int
store_group_get(sqlite3 *db, const char *name, struct store_group *g, char *err, size_t errlen)
{
	struct store_group *found;
	int n;

	if (groups_query(db, name, &found, &n, err, errlen) < 0)
		return -1;
	if (n == 0)
		return group_missing(err, errlen, name);
	*g = found[0];
	free(found);
	return 0;
}

int
store_group_add(sqlite3 *db, const char *name, const char *criteria, enum policy_mode mode,
    char *err, size_t errlen)
{
	struct criterion c[POLICY_MAX_CRITERIA];
	struct buf text;
	int64_t t = now();
	int n, rc;

	if (policy_group_name_check(name, err, errlen) < 0)
		return -1;
	if ((n = criteria_parse(criteria, c, POLICY_MAX_CRITERIA, err, errlen)) < 0)
		return -1;
	buf_init(&text);
	criteria_format(c, n, &text);
	if (buf_failed(&text)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (tx_begin(db, err, errlen) < 0) {
		buf_free(&text);
		return -1;
	}
	rc = group_kind(db, name, NULL, err, errlen);
	if (rc > 0) {
		snprintf(err, errlen, "group '%s' already exists", name);
		rc = -1;
	} else if (rc == 0)
		rc = run(db, err, errlen, "INSERT INTO groups (name, kind, criteria, mode, created, "
		    "updated) VALUES (?, 'user', ?, ?, ?, ?)", "sssii", name, text.data,
		    policy_mode_name(mode), t, t);
	buf_free(&text);
	return tx_end(db, rc < 0 ? rc : 0, err, errlen);
}

static int
group_delete_tx(sqlite3 *db, const char *name, char *err, size_t errlen)
{
	enum group_kind kind;
	int64_t id;
	int rc;

	if ((rc = group_kind(db, name, &kind, err, errlen)) <= 0)
		return rc < 0 ? -1 : group_missing(err, errlen, name);
	if (kind == GROUP_BUILTIN) {
		snprintf(err, errlen, "group '%s' is built in", name);
		return -1;
	}
	rc = query_int(db, &id, err, errlen, "SELECT min(id) FROM rules WHERE type = 'user' "
	    "AND (from_group = ?1 OR to_group = ?1)", "s", name);
	if (rc != 0) {
		if (rc > 0)
			snprintf(err, errlen, "group '%s' is used by rule %lld", name, (long long)id);
		return -1;
	}
	rc = query_int(db, &id, err, errlen, "SELECT min(id) FROM response_rules "
	    "WHERE group_name = ?1", "s", name);
	if (rc != 0) {
		if (rc > 0)
			snprintf(err, errlen, "group '%s' is used by response rule %lld", name,
			    (long long)id);
		return -1;
	}
	if (run(db, err, errlen, "DELETE FROM rules WHERE type = 'learned' "
	    "AND (from_group = ?1 OR to_group = ?1)", "s", name) < 0 ||
	    run(db, err, errlen, "DELETE FROM groups WHERE name = ?", "s", name) < 0)
		return -1;
	return 0;
}

int
store_group_delete(sqlite3 *db, const char *name, char *err, size_t errlen)
{
	if (tx_begin(db, err, errlen) < 0)
		return -1;
	return tx_end(db, group_delete_tx(db, name, err, errlen), err, errlen);
}

int
store_group_mode(sqlite3 *db, const char *name, enum policy_mode mode, char *err, size_t errlen)
{
	int n = run(db, err, errlen, "UPDATE groups SET mode = ?, updated = ? WHERE name = ?",
	    "sis", policy_mode_name(mode), now(), name);

	if (n < 0)
		return -1;
	return n == 0 ? group_missing(err, errlen, name) : 0;
}

int
store_group_ensure_learned(sqlite3 *db, const char *name, enum policy_mode mode,
    char *err, size_t errlen)
{
	int64_t t = now(), one;
	int rc;

	/* read first: a rebuild that creates nothing takes no write lock */
	if ((rc = query_int(db, &one, err, errlen, "SELECT 1 FROM groups WHERE name = ?", "s",
	    name)) != 0)
		return rc < 0 ? -1 : 0;
	if (run(db, err, errlen, "INSERT OR IGNORE INTO groups (name, kind, criteria, mode, "
	    "created, updated) VALUES (?, 'learned', '', ?, ?, ?)", "ssii", name,
	    policy_mode_name(mode), t, t) < 0)
		return -1;
	return 0;
}

/* --- rules ----------------------------------------------------------- */

static int
app_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '+' || c == '-';
}

/* Whether the n-byte word names a protocol nvd detects (app.h). */
static int
known_app(const char *word, size_t n, char *err, size_t errlen)
{
	char w[POLICY_APPS_MAX], known[256] = "";
	size_t off = 0;

	snprintf(w, sizeof(w), "%.*s", (int)n, word);
	if (app_by_word(w) != APP_COUNT)
		return 1;
	for (int i = 1; i < APP_COUNT && off < sizeof(known); i++)
		off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s", i > 1 ? ", " : "",
		    app_table[i]->word);
	snprintf(err, errlen, "unknown application '%s' (known: %s, or any)", w, known);
	return 0;
}

int
store_apps_canon(const char *text, char *out, size_t outlen, char *err, size_t errlen)
{
	const char *p = text;
	size_t off = 0;

	if (strlen(text) >= outlen || strlen(text) >= POLICY_APPS_MAX) {
		snprintf(err, errlen, "application list too long (at most %d characters)",
		    POLICY_APPS_MAX - 1);
		return -1;
	}
	for (;;) {
		size_t len = strcspn(p, ",");

		if (len == 0) {
			snprintf(err, errlen, "application list '%s': empty application", text);
			return -1;
		}
		for (size_t i = 0; i < len; i++) {
			if (!app_char((unsigned char)p[i])) {
				snprintf(err, errlen, "application '%.*s': only letters, digits, "
				    "'_', '.', '+' and '-'", (int)len, p);
				return -1;
			}
			out[off + i] = (char)tolower((unsigned char)p[i]);
		}
		if (len == 3 && !strncmp(out + off, "any", 3)) {
			if (off > 0 || p[len] == ',') {
				snprintf(err, errlen, "application 'any' stands alone");
				return -1;
			}
		} else if (!known_app(out + off, len, err, errlen))
			return -1;
		off += len;
		if (p[len] == '\0')
			break;
		out[off++] = ',';
		p += len + 1;
	}
	out[off] = '\0';
	return 0;
}

#define RULE_COLS "id, from_group, to_group, apps, ports, action, type, ord, hits, " \
	"last_seen, created, updated"

static int
rule_row(sqlite3_stmt *st, struct policy_rule *r, char *err, size_t errlen)
{
	char why[256];

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	col_copy(st, 1, r->from, sizeof(r->from));
	col_copy(st, 2, r->to, sizeof(r->to));
	col_copy(st, 3, r->apps, sizeof(r->apps));
	r->nports = ports_parse(col_text(st, 4), r->ports, POLICY_MAX_PORTS, why, sizeof(why));
	if (r->nports < 0) {
		snprintf(err, errlen, "database: rule %lld: %s", (long long)r->id, why);
		return -1;
	}
	r->action = strcmp(col_text(st, 5), "deny") ? RULE_ALLOW : RULE_DENY;
	r->type = strcmp(col_text(st, 6), "learned") ? RULE_USER : RULE_LEARNED;
	r->order = sqlite3_column_double(st, 7);
	r->hits = sqlite3_column_int64(st, 8);
	r->last_seen = sqlite3_column_int64(st, 9);
	r->created = sqlite3_column_int64(st, 10);
	r->updated = sqlite3_column_int64(st, 11);
	return 0;
}

/* Rules matching "?1 IS NULL OR id = ?1" and group, in evaluation order. */
static int
rules_query(sqlite3 *db, const char *group, int64_t id, struct policy_rule **out, int *nout,
    char *err, size_t errlen)
{
	struct policy_rule *r = NULL;
	sqlite3_stmt *st;
	int n = 0, cap = 0, rc;

	*out = NULL;
	*nout = 0;
	st = stmt(db, err, errlen, "SELECT " RULE_COLS " FROM rules "
	    "WHERE (?1 = 0 OR id = ?1) AND (?2 IS NULL OR from_group = ?2 OR to_group = ?2) "
	    "ORDER BY type = 'learned', CASE WHEN type = 'user' THEN ord END, id",
	    "is", id, group);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (grow(&r, &cap, n, sizeof(*r), err, errlen) < 0 ||
		    rule_row(st, &r[n], err, errlen) < 0)
			goto fail;
		n++;
	}
	if (rc != SQLITE_DONE) {
		db_error(db, err, errlen);
		goto fail;
	}
	sqlite3_finalize(st);
	*out = r;
	*nout = n;
	return 0;
fail:
	sqlite3_finalize(st);
	free(r);
	return -1;
}

int
store_rule_list(sqlite3 *db, const char *group, struct policy_rule **r, int *n,
    char *err, size_t errlen)
{
	int rc;

	*r = NULL;
	*n = 0;
	if (group && (rc = group_kind(db, group, NULL, err, errlen)) <= 0)
		return rc < 0 ? -1 : group_missing(err, errlen, group);
	return rules_query(db, group, 0, r, n, err, errlen);
}

int
store_rule_get(sqlite3 *db, int64_t id, struct policy_rule *r, char *err, size_t errlen)
{
	struct policy_rule *found;
	int n;

	if (id <= 0)
		return rule_missing(err, errlen, id);
	if (rules_query(db, NULL, id, &found, &n, err, errlen) < 0)
		return -1;
	if (n == 0)
		return rule_missing(err, errlen, id);
	*r = found[0];
	free(found);
	return 0;
}

/* The order after every user rule: the next integer above the largest. */
static int
ord_last(sqlite3 *db, double *ord, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	st = stmt(db, err, errlen, "SELECT max(ord) FROM rules WHERE type = 'user'", "");
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*ord = sqlite3_column_type(st, 0) == SQLITE_NULL ? 1 :
		    (double)(int64_t)sqlite3_column_double(st, 0) + 1;	/* above it */
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_error(db, err, errlen);
}

/* Gives the user rules orders 1..n in their present order. */
static int
ord_renumber(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int64_t *ids = NULL;
	int n = 0, cap = 0, rc;

	st = stmt(db, err, errlen, "SELECT id FROM rules WHERE type = 'user' ORDER BY ord, id", "");
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (grow(&ids, &cap, n, sizeof(*ids), err, errlen) < 0)
			break;
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		if (rc != SQLITE_ROW)
			db_error(db, err, errlen);
		free(ids);
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (run(db, err, errlen, "UPDATE rules SET ord = ? WHERE id = ?", "di",
		    (double)(i + 1), ids[i]) < 0) {
			free(ids);
			return -1;
		}
	free(ids);
	return 0;
}

/*
 * The midpoint between user rule t (order tord) and the user rule before
 * it; 0 when there is no room (another rule shares tord, or the gap is
 * below ORD_MIN_GAP), 1 with *ord set, -1 on an error.
 */
static int
ord_between(sqlite3 *db, int64_t t, double tord, double *ord, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc, fit = 1;

	st = stmt(db, err, errlen, "SELECT max(ord), sum(ord = ?1 AND id != ?2) FROM rules "
	    "WHERE type = 'user' AND ord <= ?1 AND id != ?2", "di", tord, t);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_error(db, err, errlen);
	}
	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		*ord = tord - 1;	/* t is first */
	else if (sqlite3_column_int(st, 1) > 0 ||
	    tord - sqlite3_column_double(st, 0) < ORD_MIN_GAP)
		fit = 0;
	else
		*ord = sqlite3_column_double(st, 0) + (tord - sqlite3_column_double(st, 0)) / 2;
	sqlite3_finalize(st);
	return fit;
}

/* The order for a new rule placed right before rule before. */
static int
ord_before(sqlite3 *db, int64_t before, double *ord, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc, user;
	double tord;

	st = stmt(db, err, errlen, "SELECT type = 'user', ord FROM rules WHERE id = ?", "i", before);
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	user = sqlite3_column_int(st, 0);
	tord = sqlite3_column_double(st, 1);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return rule_missing(err, errlen, before);
	if (rc != SQLITE_ROW)
		return db_error(db, err, errlen);
	if (!user)
		return ord_last(db, ord, err, errlen);
	if ((rc = ord_between(db, before, tord, ord, err, errlen)) != 0)
		return rc < 0 ? -1 : 0;
	if (ord_renumber(db, err, errlen) < 0)
		return -1;
	st = stmt(db, err, errlen, "SELECT ord FROM rules WHERE id = ?", "i", before);
	if (st == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_error(db, err, errlen);
	}
	tord = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	if ((rc = ord_between(db, before, tord, ord, err, errlen)) <= 0) {
		if (rc == 0)
			snprintf(err, errlen, "no room before rule %lld", (long long)before);
		return -1;
	}
	return 0;
}

static int
rule_add_tx(sqlite3 *db, const struct policy_rule *r, const char *apps, const char *ports,
    int64_t before, int64_t *id, char *err, size_t errlen)
{
	const char *g[2] = { r->from, r->to };
	int64_t t = now();
	double ord;
	int rc;

	for (int i = 0; i < 2; i++)
		if ((rc = group_kind(db, g[i], NULL, err, errlen)) <= 0)
			return rc < 0 ? -1 : group_missing(err, errlen, g[i]);
	rc = before ? ord_before(db, before, &ord, err, errlen) : ord_last(db, &ord, err, errlen);
	if (rc < 0)
		return rc;
	if (run(db, err, errlen, "INSERT INTO rules (from_group, to_group, apps, ports, action, "
	    "type, ord, hits, created, updated) VALUES (?, ?, ?, ?, ?, 'user', ?, 0, ?, ?)",
	    "sssssdii", r->from, r->to, apps, ports, policy_rule_action_name(r->action), ord,
	    t, t) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(db);
	return 0;
}

int
store_rule_add(sqlite3 *db, const struct policy_rule *r, int64_t before, int64_t *id,
    char *err, size_t errlen)
{
	char apps[POLICY_APPS_MAX];
	char ports[POLICY_MAX_PORTS * 24];

	if (store_apps_canon(r->apps[0] ? r->apps : "any", apps, sizeof(apps), err, errlen) < 0)
		return -1;
	ports_format(r->ports, r->nports, ports, sizeof(ports));
	if (tx_begin(db, err, errlen) < 0)
		return -1;
	return tx_end(db, rule_add_tx(db, r, apps, ports, before, id, err, errlen), err, errlen);
}

int
store_rule_delete(sqlite3 *db, int64_t id, char *err, size_t errlen)
{
	int n = run(db, err, errlen, "DELETE FROM rules WHERE id = ?", "i", id);

	if (n < 0)
		return -1;
	return n == 0 ? rule_missing(err, errlen, id) : 0;
}

static int
rule_promote_tx(sqlite3 *db, int64_t id, char *err, size_t errlen)
{
	int64_t learned;
	double ord;
	int rc;

	rc = query_int(db, &learned, err, errlen, "SELECT type = 'learned' FROM rules WHERE id = ?",
	    "i", id);
	if (rc <= 0)
		return rc < 0 ? -1 : rule_missing(err, errlen, id);
	if (!learned) {
		snprintf(err, errlen, "rule %lld is already a user rule", (long long)id);
		return -1;
	}
	if (ord_last(db, &ord, err, errlen) < 0 ||
	    run(db, err, errlen, "UPDATE rules SET type = 'user', ord = ?, updated = ? WHERE id = ?",
	    "dii", ord, now(), id) < 0)
		return -1;
	return 0;
}

int
store_rule_promote(sqlite3 *db, int64_t id, char *err, size_t errlen)
{
	if (tx_begin(db, err, errlen) < 0)
		return -1;
	return tx_end(db, rule_promote_tx(db, id, err, errlen), err, errlen);
}

/* --- workloads ------------------------------------------------------- */

int
store_addrs_parse(const char *text, struct policy_addr *a, int max, char *err, size_t errlen)
{
	const char *p = text;
	int n = 0;

	for (;;) {
		char ip[INET6_ADDRSTRLEN + 1];
		size_t len = strcspn(p, ",");

		if (len == 0) {
			snprintf(err, errlen, "empty address in '%s'", text);
			return -1;
		}
		if (n == max) {
			snprintf(err, errlen, "more than %d addresses", max);
			return -1;
		}
		memset(&a[n], 0, sizeof(a[n]));
		snprintf(ip, sizeof(ip), "%.*s", (int)(len < sizeof(ip) ? len : sizeof(ip) - 1), p);
		if (len < sizeof(ip) && inet_pton(AF_INET, ip, a[n].addr) == 1)
			a[n].family = AF_INET;
		else if (len < sizeof(ip) && inet_pton(AF_INET6, ip, a[n].addr) == 1)
			a[n].family = AF_INET6;
		else {
			snprintf(err, errlen, "address '%.*s': not an IPv4 or IPv6 address",
			    (int)(len > 64 ? 64 : len), p);
			return -1;
		}
		n++;
		if (p[len] == '\0')
			return n;
		p += len + 1;
	}
}

void
store_addrs_format(const struct policy_addr *a, int n, struct buf *out)
{
	for (int i = 0; i < n; i++) {
		char s[INET6_ADDRSTRLEN];

		if (inet_ntop(a[i].family, a[i].addr, s, sizeof(s)) == NULL)
			continue;
		buf_printf(out, "%s%s", i ? "," : "", s);
	}
}

static void
labels_json(const struct policy_workload *w, struct buf *out)
{
	buf_puts(out, "{");
	for (int i = 0; i < w->nlabels; i++) {
		if (i)
			buf_puts(out, ",");
		buf_json_str(out, w->labels[i].key);
		buf_puts(out, ":");
		buf_json_str(out, w->labels[i].value);
	}
	buf_puts(out, "}");
}

/* w's labels from the JSON object text (non-string members are skipped). */
static int
labels_parse(struct policy_workload *w, const char *text, char *err, size_t errlen)
{
	struct json_error jerr;
	struct json_doc *doc = json_parse(text, strlen(text), NULL, &jerr);
	const struct json *root = json_root(doc);
	size_t n = json_len(root);

	if (doc == NULL || json_type(root) != JSON_OBJECT) {
		snprintf(err, errlen, "database: workload '%s': labels: %s", w->name,
		    doc ? "not a JSON object" : jerr.msg);
		json_free(doc);
		return -1;
	}
	if (n > 0 && (w->labels = calloc(n, sizeof(*w->labels))) == NULL) {
		json_free(doc);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct json *m = json_index(root, i);

		if (json_key(m) == NULL || json_str(m) == NULL)
			continue;
		snprintf(w->labels[w->nlabels].key, POLICY_LABEL_KEY_MAX, "%s", json_key(m));
		snprintf(w->labels[w->nlabels].value, POLICY_LABEL_VALUE_MAX, "%s", json_str(m));
		w->nlabels++;
	}
	json_free(doc);
	return 0;
}

#define WORKLOAD_COLS "id, name, image, labels, addresses, service, project, " \
	"learned_group, static, running, first_seen, last_seen, iface, state, privileged, " \
	"root, run_as, ports, networks"

static int
workload_row(sqlite3_stmt *st, struct store_workload *sw, char *err, size_t errlen)
{
	struct policy_workload *w = &sw->w;
	const char *addrs = col_text(st, 4);

	memset(sw, 0, sizeof(*sw));
	col_copy(st, 0, w->id, sizeof(w->id));
	col_copy(st, 1, w->name, sizeof(w->name));
	col_copy(st, 2, w->image, sizeof(w->image));
	col_copy(st, 5, w->service, sizeof(w->service));
	col_copy(st, 6, w->project, sizeof(w->project));
	col_copy(st, 7, sw->learned_group, sizeof(sw->learned_group));
	w->is_static = sqlite3_column_int(st, 8);
	sw->running = sqlite3_column_int(st, 9);
	sw->first_seen = sqlite3_column_int64(st, 10);
	sw->last_seen = sqlite3_column_int64(st, 11);
	col_copy(st, 12, w->iface, sizeof(w->iface));
	col_copy(st, 13, w->asset.state, sizeof(w->asset.state));
	w->asset.privileged = sqlite3_column_int(st, 14) != 0;
	w->asset.root = sqlite3_column_int(st, 15) != 0;
	col_copy(st, 16, w->asset.user, sizeof(w->asset.user));
	col_copy(st, 17, w->asset.ports, sizeof(w->asset.ports));
	col_copy(st, 18, w->asset.networks, sizeof(w->asset.networks));
	if (*addrs) {
		char why[128];

		w->naddrs = store_addrs_parse(addrs, w->addrs, POLICY_MAX_ADDRS, why, sizeof(why));
		if (w->naddrs < 0) {
			w->naddrs = 0;
			snprintf(err, errlen, "database: workload '%s': %s", w->name, why);
			return -1;
		}
	}
	return labels_parse(w, col_text(st, 3), err, errlen);
}

void
store_workloads_free(struct store_workload *w, int n)
{
	for (int i = 0; i < n; i++)
		policy_workload_clear(&w[i].w);
	free(w);
}

int
store_workload_list(sqlite3 *db, int statics_only, struct store_workload **out, int *nout,
    char *err, size_t errlen)
{
	struct store_workload *w = NULL;
	sqlite3_stmt *st;
	int n = 0, cap = 0, rc;

	*out = NULL;
	*nout = 0;
	st = stmt(db, err, errlen, "SELECT " WORKLOAD_COLS " FROM workloads "
	    "WHERE ?1 = 0 OR static = 1 ORDER BY name, id", "i", (int64_t)statics_only);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (grow(&w, &cap, n, sizeof(*w), err, errlen) < 0)
			goto fail;
		if (workload_row(st, &w[n], err, errlen) < 0) {
			policy_workload_clear(&w[n].w);
			goto fail;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		db_error(db, err, errlen);
		goto fail;
	}
	sqlite3_finalize(st);
	*out = w;
	*nout = n;
	return 0;
fail:
	sqlite3_finalize(st);
	store_workloads_free(w, n);
	return -1;
}

/* Inserts w, or updates the row with its id, as running and seen now. */
static int
workload_upsert(sqlite3 *db, const struct policy_workload *w, int64_t t, char *err, size_t errlen)
{
	char group[POLICY_NAME_MAX];
	struct buf labels, addrs;
	int rc = -1;

	buf_init(&labels);
	buf_init(&addrs);
	labels_json(w, &labels);
	buf_puts(&addrs, "");	/* data is "" even with no address */
	store_addrs_format(w->addrs, w->naddrs, &addrs);
	policy_learned_group(w, group, sizeof(group));
	if (buf_failed(&labels) || buf_failed(&addrs))
		snprintf(err, errlen, "out of memory");
	else if (run(db, err, errlen, "INSERT INTO workloads (" WORKLOAD_COLS ") "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT (id) DO UPDATE SET "
	    "name = excluded.name, image = excluded.image, labels = excluded.labels, "
	    "addresses = excluded.addresses, service = excluded.service, "
	    "project = excluded.project, learned_group = excluded.learned_group, "
	    "running = 1, last_seen = excluded.last_seen, iface = excluded.iface, "
	    "state = excluded.state, privileged = excluded.privileged, root = excluded.root, "
	    "run_as = excluded.run_as, ports = excluded.ports, networks = excluded.networks",
	    "ssssssssiiissiisss", w->id, w->name, w->image, labels.data, addrs.data, w->service,
	    w->project, group, (int64_t)(w->is_static != 0), t, t, w->iface, w->asset.state,
	    (int64_t)(w->asset.privileged != 0), (int64_t)(w->asset.root != 0), w->asset.user,
	    w->asset.ports, w->asset.networks) >= 0)
		rc = 0;
	buf_free(&labels);
	buf_free(&addrs);
	return rc;
}

static int
workloads_seen_tx(sqlite3 *db, const struct policy_workload *w, int n, char *err, size_t errlen)
{
	int64_t t = now();

	if (run(db, err, errlen, "UPDATE workloads SET running = 0, state = 'exited' "
	    "WHERE static = 0 AND running = 1", "") < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (workload_upsert(db, &w[i], t, err, errlen) < 0)
			return -1;
	return 0;
}

int
store_workloads_seen(sqlite3 *db, const struct policy_workload *w, int n,
    char *err, size_t errlen)
{
	if (tx_begin(db, err, errlen) < 0)
		return -1;
	return tx_end(db, workloads_seen_tx(db, w, n, err, errlen), err, errlen);
}

#define STATIC_NAME_MAX	(POLICY_ID_MAX - (int)sizeof(STORE_STATIC_PREFIX))

static int
workload_name_check(const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (n == 0 || n > STATIC_NAME_MAX) {
		snprintf(err, errlen, "workload name must be 1 to %d characters", STATIC_NAME_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i])) {
			snprintf(err, errlen, "workload name '%s': only letters, digits, '_', '.' "
			    "and '-'", name);
			return -1;
		}
	return 0;
}

static int
workload_add_tx(sqlite3 *db, struct policy_workload *w, char *err, size_t errlen)
{
	int64_t one;
	int rc;

	rc = query_int(db, &one, err, errlen, "SELECT 1 FROM workloads WHERE id = ? "
	    "OR (static = 0 AND running = 1 AND name = ?)", "ss", w->id, w->name);
	if (rc != 0) {
		if (rc > 0)
			snprintf(err, errlen, "workload '%s' already exists", w->name);
		return -1;
	}
	return workload_upsert(db, w, now(), err, errlen);
}

/* The kernel's rule for interface names (dev_valid_name()). */
static int
iface_check(const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (n == 0)
		return 0;	/* none */
	if (n >= IFNAME_LEN || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strpbrk(name, "/: \t\n\v\f\r") != NULL) {
		snprintf(err, errlen, "interface name '%.40s': 1 to %d characters, none of '/', ':' "
		    "or blanks", name, IFNAME_LEN - 1);
		return -1;
	}
	return 0;
}

int
store_workload_add(sqlite3 *db, struct policy_workload *w, char *err, size_t errlen)
{
	if (workload_name_check(w->name, err, errlen) < 0 || iface_check(w->iface, err, errlen) < 0)
		return -1;
	if (w->naddrs < 1) {
		snprintf(err, errlen, "workload '%s' needs an address", w->name);
		return -1;
	}
	snprintf(w->id, sizeof(w->id), "%s%.*s", STORE_STATIC_PREFIX, STATIC_NAME_MAX, w->name);
	w->is_static = 1;
	if (tx_begin(db, err, errlen) < 0)
		return -1;
	return tx_end(db, workload_add_tx(db, w, err, errlen), err, errlen);
}

static int
workload_delete_tx(sqlite3 *db, const char *name, char *err, size_t errlen)
{
	char id[POLICY_ID_MAX + POLICY_NAME_MAX];
	int64_t one;
	int rc;

	snprintf(id, sizeof(id), "%s%s", STORE_STATIC_PREFIX, name);
	if ((rc = run(db, err, errlen, "DELETE FROM workloads WHERE id = ? AND static = 1",
	    "s", id)) != 0)
		return rc < 0 ? -1 : 0;
	rc = query_int(db, &one, err, errlen, "SELECT 1 FROM workloads "
	    "WHERE static = 0 AND running = 1 AND name = ?", "s", name);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		snprintf(err, errlen, "workload '%s' is a container; remove it with Docker", name);
		return -1;
	}
	snprintf(err, errlen, "workload '%s' does not exist", name);
	return STORE_NOTFOUND;
}

int
store_workload_delete(sqlite3 *db, const char *name, char *err, size_t errlen)
{
	if (tx_begin(db, err, errlen) < 0)
		return -1;
	return tx_end(db, workload_delete_tx(db, name, err, errlen), err, errlen);
}

/* --- the whole policy ------------------------------------------------ */

static int
load_tx(sqlite3 *db, struct store_policy *sp, char *err, size_t errlen)
{
	struct store_group *g;
	struct store_workload *w;
	int n;

	if (groups_query(db, NULL, &g, &n, err, errlen) < 0)
		return -1;
	if (n > 0 && (sp->groups = calloc((size_t)n, sizeof(*sp->groups))) == NULL) {
		free(g);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++)
		sp->groups[i] = g[i].g;
	sp->ngroups = n;
	free(g);
	if (rules_query(db, NULL, 0, &sp->rules, &sp->nrules, err, errlen) < 0 ||
	    store_workload_list(db, 1, &w, &n, err, errlen) < 0)
		return -1;
	if (n > 0 && (sp->statics = calloc((size_t)n, sizeof(*sp->statics))) == NULL) {
		store_workloads_free(w, n);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++)
		sp->statics[i] = w[i].w;	/* labels move over */
	sp->nstatics = n;
	free(w);
	return 0;
}

int
store_load(sqlite3 *db, struct store_policy *sp, char *err, size_t errlen)
{
	int rc;

	memset(sp, 0, sizeof(*sp));
	/* One read transaction: groups and rules from the same moment. */
	if (exec(db, "BEGIN", err, errlen) < 0)
		return -1;
	rc = load_tx(db, sp, err, errlen);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc < 0)
		store_policy_free(sp);
	return rc;
}

void
store_policy_free(struct store_policy *sp)
{
	free(sp->groups);
	free(sp->rules);
	for (int i = 0; i < sp->nstatics; i++)
		policy_workload_clear(&sp->statics[i]);
	free(sp->statics);
	memset(sp, 0, sizeof(*sp));
}
