/*
 * doc_db.c: the policy document from and to the database (doc_db.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/strmap.h"
#include "sensor/crs.h"
#include "store/doc_db.h"
#include "store/store.h"
#include "store/store_admission.h"
#include "store/store_response.h"

/* --- export -------------------------------------------------------------- */

static int
nomem(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -1;
}

static void
group_to_doc(const struct store_group *sg, struct doc_group *g)
{
	struct buf c;

	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", sg->g.name);
	g->kind = sg->g.kind;
	g->mode = sg->g.mode;
	buf_init(&c);
	criteria_format(sg->g.crit, sg->g.ncrit, &c);
	snprintf(g->criteria, sizeof(g->criteria), "%s", c.data ? c.data : "");
	buf_free(&c);
}

static void
rule_to_doc(const struct policy_rule *r, struct doc_rule *dr)
{
	memset(dr, 0, sizeof(*dr));
	snprintf(dr->from, sizeof(dr->from), "%s", r->from);
	snprintf(dr->to, sizeof(dr->to), "%s", r->to);
	snprintf(dr->apps, sizeof(dr->apps), "%s", r->apps);
	ports_format(r->ports, r->nports, dr->ports, sizeof(dr->ports));
	dr->action = r->action;
	dr->type = r->type;
}

/* Learned rules by what they allow, so that hosts that learned the same
 * export the same text whatever their ids. */
static int
learned_cmp(const void *a, const void *b)
{
	const struct doc_rule *x = a, *y = b;
	int c;

	if ((c = strcmp(x->from, y->from)) || (c = strcmp(x->to, y->to)) ||
	    (c = strcmp(x->apps, y->apps)))
		return c;
	return strcmp(x->ports, y->ports);
}

/* The rules (those naming a group of named, when it is set) into d; the
 * groups they name into want. */
static int
export_rules(sqlite3 *db, const struct strmap *named, struct strmap *want, struct doc *d,
    char *err, size_t errlen)
{
	struct policy_rule *r;
	int n, first_learned;

	if (store_rule_list(db, NULL, &r, &n, err, errlen) < 0)
		return -1;
	if (n > 0 && (d->rules = calloc((size_t)n, sizeof(*d->rules))) == NULL) {
		free(r);
		return nomem(err, errlen);
	}
	for (int i = 0; i < n; i++) {
		if (named && strmap_get(named, r[i].from) < 0 && strmap_get(named, r[i].to) < 0)
			continue;
		if (strmap_put(want, r[i].from, 1) < 0 || strmap_put(want, r[i].to, 1) < 0) {
			free(r);
			return nomem(err, errlen);
		}
		rule_to_doc(&r[i], &d->rules[d->nrules++]);
	}
	free(r);
	for (first_learned = 0; first_learned < d->nrules; first_learned++)
		if (d->rules[first_learned].type == RULE_LEARNED)
			break;
	if (first_learned < d->nrules)
		qsort(d->rules + first_learned, (size_t)(d->nrules - first_learned),
		    sizeof(*d->rules), learned_cmp);
	return 0;
}

static int
export_groups(sqlite3 *db, const char *const *names, int nnames, struct strmap *named,
    struct strmap *want, struct doc *d, char *err, size_t errlen)
{
	struct store_group *g;
	struct strmap have;
	int n, rc = 0;

	if (store_group_list(db, &g, &n, err, errlen) < 0)
		return -1;
	strmap_init(&have);
	for (int i = 0; i < n; i++)
		if (strmap_put(&have, g[i].g.name, i) < 0)
			rc = nomem(err, errlen);
	for (int i = 0; rc == 0 && i < nnames; i++)
		if (strmap_get(&have, names[i]) < 0) {
			snprintf(err, errlen, "group '%s' does not exist", names[i]);
			rc = STORE_NOTFOUND;
		} else if (strmap_put(named, names[i], 1) < 0)
			rc = nomem(err, errlen);
	if (rc == 0)
		rc = export_rules(db, names ? named : NULL, want, d, err, errlen);
	if (rc == 0 && n > 0 && (d->groups = calloc((size_t)n, sizeof(*d->groups))) == NULL)
		rc = nomem(err, errlen);
	for (int i = 0; rc == 0 && i < n; i++)
		if (names == NULL || strmap_get(named, g[i].g.name) >= 0 ||
		    strmap_get(want, g[i].g.name) >= 0)
			group_to_doc(&g[i], &d->groups[d->ngroups++]);
	strmap_free(&have);
	free(g);
	return rc;
}

/* The assignments (of the named groups, when names are given) and the user
 * sensors they assign (all of them when not). */
static int
export_sensors(sqlite3 *db, const struct strmap *named, struct doc *d, char *err,
    size_t errlen)
{
	struct store_sensor *s = NULL, one;
	struct policy_assign *a;
	struct strmap used;
	int n, na, rc = 0;

	if (store_sensor_assignments(db, NULL, NULL, &a, &na, err, errlen) < 0)
		return -1;
	strmap_init(&used);
	if (na > 0 && (d->assigns = calloc((size_t)na, sizeof(*d->assigns))) == NULL)
		rc = nomem(err, errlen);
	for (int i = 0; rc == 0 && i < na; i++) {
		struct doc_assign *da = &d->assigns[d->nassigns];

		if (named && strmap_get(named, a[i].group) < 0)
			continue;
		snprintf(da->group, sizeof(da->group), "%s", a[i].group);
		snprintf(da->sensor, sizeof(da->sensor), "%s", a[i].sensor);
		da->deny = a[i].deny;
		da->paranoia = a[i].paranoia;
		da->threshold = a[i].threshold;
		d->nassigns++;
		if (strmap_put(&used, a[i].sensor, 1) < 0)
			rc = nomem(err, errlen);
	}
	free(a);
	if (rc == 0 && (rc = store_sensor_list(db, &s, &n, err, errlen)) == 0 && n > 0 &&
	    (d->sensors = calloc((size_t)n, sizeof(*d->sensors))) == NULL)
		rc = nomem(err, errlen);
	for (int i = 0; rc == 0 && i < n; i++) {
		if (s[i].builtin || (named && strmap_get(&used, s[i].name) < 0))
			continue;
		rc = store_sensor_get(db, s[i].name, &one, &d->sensors[d->nsensors], err, errlen);
		d->nsensors += rc == 0;
	}
	strmap_free(&used);
	free(s);
	return rc;
}

/* The admission mode and rules (in the order they are tried). */
static int
export_admission(sqlite3 *db, struct doc *d, char *err, size_t errlen)
{
	struct adm_rule *r;
	int n;

	if (store_adm_mode_get(db, &d->adm_mode, err, errlen) < 0 ||
	    store_adm_rule_list(db, &r, &n, err, errlen) < 0)
		return -1;
	d->has_admission = 1;
	if (n > 0 && (d->adm = calloc((size_t)n, sizeof(*d->adm))) == NULL) {
		free(r);
		return nomem(err, errlen);
	}
	for (int i = 0; i < n; i++) {
		struct doc_adm_rule *a = &d->adm[d->nadm++];

		a->enabled = r[i].enabled;
		if (r[i].builtin) {
			snprintf(a->builtin, sizeof(a->builtin), "%s", r[i].name);
			continue;
		}
		a->deny = r[i].deny;
		adm_criteria_format(r[i].c, r[i].ncrit, a->criteria, sizeof(a->criteria));
		snprintf(a->comment, sizeof(a->comment), "%s", r[i].comment);
	}
	free(r);
	return 0;
}

/* The response rules (by id); with named, those of the named groups. */
static int
export_responses(sqlite3 *db, const struct strmap *named, struct doc *d, char *err,
    size_t errlen)
{
	struct response_rule *r;
	int n;

	if (store_response_list(db, &r, &n, err, errlen) < 0)
		return -1;
	d->has_responses = 1;
	if (n > 0 && (d->responses = calloc((size_t)n, sizeof(*d->responses))) == NULL) {
		free(r);
		return nomem(err, errlen);
	}
	for (int i = 0; i < n; i++) {
		struct response_rule *dr;

		if (named && (!r[i].group[0] || strmap_get(named, r[i].group) < 0))
			continue;
		dr = &d->responses[d->nresponses++];
		*dr = r[i];
		/* what differs between hosts is not the document's */
		dr->id = dr->fired = dr->suppressed = dr->last_fired = 0;
		dr->created = dr->updated = dr->in_force_ms = 0;
	}
	free(r);
	return 0;
}

int
doc_export(sqlite3 *db, const char *const *groups, int n, struct doc *d, char *err,
    size_t errlen)
{
	struct strmap named, want;
	int rc;

	memset(d, 0, sizeof(*d));
	strmap_init(&named);
	strmap_init(&want);
	/* One read transaction: every table as of one moment. */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
		return -1;
	}
	rc = export_groups(db, groups, groups ? n : 0, &named, &want, d, err, errlen);
	if (rc == 0)
		rc = export_sensors(db, groups ? &named : NULL, d, err, errlen);
	if (rc == 0 && groups == NULL)
		rc = export_admission(db, d, err, errlen);
	if (rc == 0)
		rc = export_responses(db, groups ? &named : NULL, d, err, errlen);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	strmap_free(&named);
	strmap_free(&want);
	if (rc < 0)
		doc_free(d);
	return rc;
}

/* --- import: the parts every step uses ------------------------------------- */

struct imp {
	sqlite3 *db;
	const struct doc *d;
	int replace;
	doc_change_fn *change;
	void *ctx;
	char *err;
	size_t errlen;
	int64_t now;
	int changes;
	struct store_group *groups;	/* the groups as they were */
	int ngroups;
	struct strmap had;		/* their names, to their index */
	struct strmap doc_groups;	/* the document's group names, to their index */
	struct strmap doc_sensors;
	sqlite3_stmt *rule_insert;	/* prepared at the first rule added */
};

static int __attribute__((format(printf, 2, 3)))
fail(struct imp *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* sql prepared, with no arguments; NULL with x->err. */
static sqlite3_stmt *
prepared(struct imp *x, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(x->db, sql, -1, &st, NULL) != SQLITE_OK)
		fail(x, "database: %s", sqlite3_errmsg(x->db));
	return st;
}

/* Runs sql, which returns no rows; the rows it changed, or -1 with x->err. */
static int
exec_sql(struct imp *x, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, types);
	st = store_vsql(x->db, x->err, x->errlen, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(x->db) :
	    fail(x, "database: %s", sqlite3_errmsg(x->db));
	sqlite3_finalize(st);
	return rc;
}

static void __attribute__((format(printf, 5, 6)))
told(struct imp *x, const char *object, const char *what, const char *name, const char *fmt,
    ...)
{
	char detail[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	x->changes++;
	x->change(x->ctx, object, what, name, detail);
}

/* Whether group name is there once the document is in: in it, or here
 * already and kept (built in, or merging). */
static int
group_known(struct imp *x, const char *name)
{
	int i = strmap_get(&x->had, name);

	if (strmap_get(&x->doc_groups, name) >= 0)
		return 1;
	return i >= 0 && (!x->replace || x->groups[i].g.kind == GROUP_BUILTIN);
}

static int
group_unknown(struct imp *x, const char *path, const char *name)
{
	if (strmap_get(&x->had, name) >= 0)
		return fail(x, "%s: group '%s' is not in the document, and --replace deletes it",
		    path, name);
	return fail(x, "%s: group '%s' does not exist (not in the document, not on this host)",
	    path, name);
}

/* --- groups -------------------------------------------------------------- */

static int
group_apply(struct imp *x, const struct doc_group *g)
{
	int i = strmap_get(&x->had, g->name);
	struct doc_group old;

	if (i < 0) {
		if (exec_sql(x, "INSERT INTO groups (name, kind, criteria, mode, created, updated) "
		    "VALUES (?, ?, ?, ?, ?, ?)", "ssssii", g->name, policy_group_kind_name(g->kind),
		    g->criteria, policy_mode_name(g->mode), x->now, x->now) < 0)
			return -1;
		told(x, "group", "added", g->name, "%s, %s%s%s", policy_group_kind_name(g->kind),
		    policy_mode_name(g->mode), g->criteria[0] ? ", criteria " : "", g->criteria);
		return 0;
	}
	group_to_doc(&x->groups[i], &old);
	if (strcmp(old.criteria, g->criteria)) {
		if (exec_sql(x, "UPDATE groups SET criteria = ?, updated = ? WHERE name = ?", "sis",
		    g->criteria, x->now, g->name) < 0)
			return -1;
		told(x, "group", "changed", g->name, "criteria %s -> %s", old.criteria, g->criteria);
	}
	if (old.mode != g->mode) {
		if (exec_sql(x, "UPDATE groups SET mode = ?, updated = ? WHERE name = ?", "sis",
		    policy_mode_name(g->mode), x->now, g->name) < 0)
			return -1;
		told(x, "group", "changed", g->name, "mode %s -> %s", policy_mode_name(old.mode),
		    policy_mode_name(g->mode));
	}
	return 0;
}

/* With replace, after the rules and assignments: the groups it lacks. */
static int
groups_prune(struct imp *x)
{
	for (int i = 0; i < x->ngroups; i++) {
		const struct policy_group *g = &x->groups[i].g;

		if (g->kind == GROUP_BUILTIN || strmap_get(&x->doc_groups, g->name) >= 0)
			continue;
		if (exec_sql(x, "DELETE FROM groups WHERE name = ?", "s", g->name) < 0)
			return -1;
		told(x, "group", "deleted", g->name, "%s, %s", policy_group_kind_name(g->kind),
		    policy_mode_name(g->mode));
	}
	return 0;
}

/* --- rules --------------------------------------------------------------- */

/* What a rule is, for the changes told: "web -> nv.db postgresql tcp/5432
 * allow (user)". */
static void
rule_text(const struct doc_rule *r, char *out, size_t size)
{
	snprintf(out, size, "%s -> %s %s %s %s (%s)", r->from, r->to, r->apps, r->ports,
	    policy_rule_action_name(r->action), policy_rule_type_name(r->type));
}

/* The key rules are matched by: a user rule by its words, a learned one by
 * what it allows (its action is always allow). */
static void
rule_key(const struct doc_rule *r, char *out, size_t size)
{
	snprintf(out, size, "%c\037%s\037%s\037%s\037%s\037%s", r->type == RULE_USER ? 'u' : 'l',
	    r->from, r->to, r->apps, r->ports, policy_rule_action_name(r->action));
}

/* The rules as they were, matched against the document's. */
struct have_rules {
	struct doc_rule *r;
	int64_t *id;
	double *ord;
	int *next;		/* the next rule of the same key, or -1 */
	int *kept;
	int n;
	struct strmap first;	/* key: the first rule of it not matched yet */
	double max_ord;
};

static void
have_free(struct have_rules *h)
{
	free(h->r);
	free(h->id);
	free(h->ord);
	free(h->next);
	free(h->kept);
	strmap_free(&h->first);
}

static int
have_load(struct imp *x, struct have_rules *h)
{
	char key[4 * POLICY_NAME_MAX + DOC_PORTS_MAX];
	struct policy_rule *r;
	int n;

	memset(h, 0, sizeof(*h));
	if (store_rule_list(x->db, NULL, &r, &n, x->err, x->errlen) < 0)
		return -1;
	h->r = calloc((size_t)n + 1, sizeof(*h->r));
	h->id = calloc((size_t)n + 1, sizeof(*h->id));
	h->ord = calloc((size_t)n + 1, sizeof(*h->ord));
	h->next = calloc((size_t)n + 1, sizeof(*h->next));
	h->kept = calloc((size_t)n + 1, sizeof(*h->kept));
	if (!h->r || !h->id || !h->ord || !h->next || !h->kept) {
		free(r);
		return fail(x, "out of memory");
	}
	h->n = n;
	/* Backwards, so that each key's chain runs in evaluation order. */
	for (int i = n - 1; i >= 0; i--) {
		rule_to_doc(&r[i], &h->r[i]);
		h->id[i] = r[i].id;
		h->ord[i] = r[i].order;
		rule_key(&h->r[i], key, sizeof(key));
		h->next[i] = strmap_get(&h->first, key);
		if (strmap_put(&h->first, key, i) < 0) {
			free(r);
			return fail(x, "out of memory");
		}
		if (r[i].type == RULE_USER && r[i].order > h->max_ord)
			h->max_ord = r[i].order;
	}
	free(r);
	return 0;
}

/* The rule here that rule r of the document is (marked kept), or -1. */
static int
have_match(struct have_rules *h, const struct doc_rule *r)
{
	char key[4 * POLICY_NAME_MAX + DOC_PORTS_MAX];
	int i;

	rule_key(r, key, sizeof(key));
	if ((i = strmap_get(&h->first, key)) < 0)
		return -1;
	h->kept[i] = 1;
	strmap_put(&h->first, key, h->next[i]);	/* a key it has: cannot fail */
	return i;
}

/* Adds rule r (one statement for them all: a document may have 100000). */
static int
rule_add(struct imp *x, const struct doc_rule *r, double ord, int64_t *id)
{
	const char *const text[] = { r->from, r->to, r->apps, r->ports,
	    policy_rule_action_name(r->action), policy_rule_type_name(r->type) };
	char what[1024], name[32];
	sqlite3_stmt *st = x->rule_insert;
	int rc;

	if (st == NULL && sqlite3_prepare_v2(x->db, "INSERT INTO rules (from_group, to_group, "
	    "apps, ports, action, type, ord, hits, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, "
	    "0, ?8, ?8)", -1, &x->rule_insert, NULL) != SQLITE_OK)
		return fail(x, "database: %s", sqlite3_errmsg(x->db));
	st = x->rule_insert;
	for (int i = 0; i < 6; i++)
		sqlite3_bind_text(st, i + 1, text[i], -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 7, r->type == RULE_USER ? ord : 0.0);
	sqlite3_bind_int64(st, 8, x->now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(x, "database: %s", sqlite3_errmsg(x->db));
	*id = sqlite3_last_insert_rowid(x->db);
	rule_text(r, what, sizeof(what));
	snprintf(name, sizeof(name), "%lld", (long long)*id);
	told(x, "rule", "added", name, "%s", what);
	return 0;
}

/*
 * With replace, the user rules in the document's order: renumbered 1..n
 * when the orders they have do not already follow it.
 */
static int
rules_order(struct imp *x, const int64_t *ids, const double *ords, int n)
{
	int sorted = 1;

	for (int i = 1; i < n; i++)
		sorted &= ords[i - 1] < ords[i];
	if (sorted)
		return 0;
	for (int i = 0; i < n; i++)
		if (exec_sql(x, "UPDATE rules SET ord = ?, updated = ? WHERE id = ?", "dii",
		    (double)(i + 1), x->now, ids[i]) < 0)
			return -1;
	told(x, "rule", "reordered", "", "%d user rules, as in the document", n);
	return 0;
}

static int
rules_check(struct imp *x)
{
	for (int i = 0; i < x->d->nrules; i++) {
		const struct doc_rule *r = &x->d->rules[i];
		char path[64];

		snprintf(path, sizeof(path), "$.rules[%d].from", i);
		if (!group_known(x, r->from))
			return group_unknown(x, path, r->from);
		snprintf(path, sizeof(path), "$.rules[%d].to", i);
		if (!group_known(x, r->to))
			return group_unknown(x, path, r->to);
	}
	return 0;
}

/* The document's rules; with replace, then deletes those it lacks and puts the user
 * rules in its order. */
static int
rules_apply(struct imp *x, struct have_rules *h)
{
	int64_t *ids = calloc((size_t)x->d->nrules + 1, sizeof(*ids));
	double *ords = calloc((size_t)x->d->nrules + 1, sizeof(*ords));
	double next = h->max_ord;
	int nuser = 0, rc = 0, k;

	if (ids == NULL || ords == NULL)
		rc = fail(x, "out of memory");
	for (int i = 0; rc == 0 && i < x->d->nrules; i++) {
		const struct doc_rule *r = &x->d->rules[i];

		if ((k = have_match(h, r)) >= 0) {
			ids[nuser] = h->id[k];
			ords[nuser] = h->ord[k];
		} else if ((rc = rule_add(x, r, ords[nuser] = ++next, &ids[nuser])) < 0)
			break;
		nuser += r->type == RULE_USER;
	}
	for (int i = 0; rc == 0 && x->replace && i < h->n; i++) {
		char what[1024], name[32];

		if (h->kept[i])
			continue;
		if (exec_sql(x, "DELETE FROM rules WHERE id = ?", "i", h->id[i]) < 0) {
			rc = -1;
			break;
		}
		rule_text(&h->r[i], what, sizeof(what));
		snprintf(name, sizeof(name), "%lld", (long long)h->id[i]);
		told(x, "rule", "deleted", name, "%s", what);
	}
	if (rc == 0 && x->replace)
		rc = rules_order(x, ids, ords, nuser);
	free(ids);
	free(ords);
	return rc < 0 ? -1 : 0;
}

/* --- sensors and assignments ----------------------------------------------- */

static int
sensor_rules_put(struct imp *x, const struct sensor_spec *s)
{
	if (exec_sql(x, "DELETE FROM sensor_rules WHERE sensor = ?", "s", s->name) < 0)
		return -1;
	for (int i = 0; i < s->nrules; i++)
		if (store_sensor_rule_insert(x->db, s->name, &s->rules[i], i + 1, x->now, x->err,
		    x->errlen) < 0)
			return -1;
	return 0;
}

static int
sensor_apply(struct imp *x, const struct store_sensor *had, int nhad, int i)
{
	const struct sensor_spec *s = &x->d->sensors[i];
	struct sensor_spec old;
	struct store_sensor row;
	int k, same;

	for (k = 0; k < nhad && strcmp(had[k].name, s->name); k++)
		;
	if (k == nhad) {
		if (exec_sql(x, "INSERT INTO sensors (name, type, builtin, created, updated) "
		    "VALUES (?, ?, 0, ?, ?)", "ssii", s->name, sensor_type_name(s->type), x->now,
		    x->now) < 0 || sensor_rules_put(x, s) < 0)
			return -1;
		told(x, "sensor", "added", s->name, "%s, %d rules", sensor_type_name(s->type),
		    s->nrules);
		return 0;
	}
	if (had[k].builtin)
		return fail(x, "$.sensors[%d].name: sensor '%s' is built in here (from %s)", i,
		    s->name, had[k].source);
	if (store_sensor_get(x->db, s->name, &row, &old, x->err, x->errlen) < 0)
		return -1;
	same = store_sensor_rules_equal(&old, s);
	free(old.rules);
	if (same)
		return 0;
	if (exec_sql(x, "UPDATE sensors SET type = ?, updated = ? WHERE name = ?", "sis",
	    sensor_type_name(s->type), x->now, s->name) < 0 || sensor_rules_put(x, s) < 0)
		return -1;
	told(x, "sensor", "changed", s->name, "%s, %d rules (was %s, %d rules)",
	    sensor_type_name(s->type), s->nrules, sensor_type_name(row.type), row.nrules);
	return 0;
}

/* Whether sensor name is there once the document is in. */
static int
sensor_known(struct imp *x, const struct store_sensor *had, int nhad, const char *name)
{
	if (strmap_get(&x->doc_sensors, name) >= 0)
		return 1;
	for (int k = 0; k < nhad; k++)
		if (!strcmp(had[k].name, name))
			return !x->replace || had[k].builtin;
	return 0;
}

/* "sensor on group": an assignment's key and name. */
static void
assign_key(const char *sensor, const char *group, char *out, size_t size)
{
	snprintf(out, size, "%s on %s", sensor, group);
}

/* Assignment i of the document, against had (by key in had_at). */
static int
assign_apply(struct imp *x, const struct policy_assign *had, const struct strmap *had_at, int i)
{
	const struct doc_assign *a = &x->d->assigns[i];
	const char *act = a->deny ? "deny" : "alert";
	char name[POLICY_NAME_MAX + SENSOR_NAME_MAX + 8];
	int64_t pl = a->paranoia ? a->paranoia : 1;
	int64_t thr = a->threshold ? a->threshold : CRS_THRESHOLD_DEFAULT;
	int k;

	assign_key(a->sensor, a->group, name, sizeof(name));
	k = strmap_get(had_at, name);
	if (k >= 0 && !had[k].deny == !a->deny && had[k].paranoia == pl &&
	    had[k].threshold == thr)
		return 0;
	if (exec_sql(x, "INSERT INTO sensor_assignments (group_name, sensor, action, created, "
	    "paranoia, threshold) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (group_name, sensor) "
	    "DO UPDATE SET action = excluded.action, paranoia = excluded.paranoia, "
	    "threshold = excluded.threshold", "sssiii", a->group, a->sensor, act, x->now, pl,
	    thr) < 0)
		return -1;
	if (k >= 0 && !had[k].deny == !a->deny)
		told(x, "assignment", "changed", name, "paranoia %d -> %lld, threshold %d -> %lld",
		    had[k].paranoia, (long long)pl, had[k].threshold, (long long)thr);
	else if (k >= 0)
		told(x, "assignment", "changed", name, "action %s -> %s", had[k].deny ? "deny" :
		    "alert", act);
	else
		told(x, "assignment", "added", name, "%s", act);
	return 0;
}

/* Every group and sensor the document's assignments name is there. */
static int
assigns_check(struct imp *x, const struct store_sensor *s, int ns)
{
	for (int i = 0; i < x->d->nassigns; i++) {
		const struct doc_assign *a = &x->d->assigns[i];
		char path[64];

		snprintf(path, sizeof(path), "$.assignments[%d].group", i);
		if (!group_known(x, a->group))
			return group_unknown(x, path, a->group);
		if (!sensor_known(x, s, ns, a->sensor))
			return fail(x, "$.assignments[%d].sensor: sensor '%s' does not exist (not in "
			    "the document%s)", i, a->sensor, x->replace ? ", not built in" :
			    ", not on this host");
	}
	return 0;
}

/* The document's assignments; with replace, those it lacks go. */
static int
assigns_apply(struct imp *x, const struct store_sensor *s, int ns)
{
	char key[POLICY_NAME_MAX + SENSOR_NAME_MAX + 8];
	struct strmap had_at, doc_at;
	struct policy_assign *had;
	int nhad, rc = 0;

	if (assigns_check(x, s, ns) < 0 ||
	    store_sensor_assignments(x->db, NULL, NULL, &had, &nhad, x->err, x->errlen) < 0)
		return -1;
	strmap_init(&had_at);
	strmap_init(&doc_at);
	for (int k = 0; rc == 0 && k < nhad; k++) {
		assign_key(had[k].sensor, had[k].group, key, sizeof(key));
		rc = strmap_put(&had_at, key, k) < 0 ? fail(x, "out of memory") : 0;
	}
	for (int i = 0; rc == 0 && i < x->d->nassigns; i++) {
		assign_key(x->d->assigns[i].sensor, x->d->assigns[i].group, key, sizeof(key));
		if (strmap_put(&doc_at, key, i) < 0)
			rc = fail(x, "out of memory");
		else
			rc = assign_apply(x, had, &had_at, i);
	}
	for (int k = 0; rc == 0 && x->replace && k < nhad; k++) {
		assign_key(had[k].sensor, had[k].group, key, sizeof(key));
		if (strmap_get(&doc_at, key) >= 0)
			continue;
		if (exec_sql(x, "DELETE FROM sensor_assignments WHERE group_name = ? AND "
		    "sensor = ?", "ss", had[k].group, had[k].sensor) < 0)
			rc = -1;
		else
			told(x, "assignment", "deleted", key, "%s", had[k].deny ? "deny" : "alert");
	}
	strmap_free(&had_at);
	strmap_free(&doc_at);
	free(had);
	return rc < 0 ? -1 : 0;
}

static int
sensors_apply(struct imp *x)
{
	struct store_sensor *s;
	sqlite3_stmt *st;
	int64_t count = 0;
	int n, rc = 0;

	if (store_sensor_list(x->db, &s, &n, x->err, x->errlen) < 0)
		return -1;
	for (int i = 0; rc == 0 && i < x->d->nsensors; i++)
		rc = sensor_apply(x, s, n, i);
	if (rc == 0)
		rc = assigns_apply(x, s, n);
	for (int k = 0; rc == 0 && x->replace && k < n; k++) {
		if (s[k].builtin || strmap_get(&x->doc_sensors, s[k].name) >= 0)
			continue;
		if (exec_sql(x, "DELETE FROM sensors WHERE name = ?", "s", s[k].name) < 0)
			rc = -1;
		else
			told(x, "sensor", "deleted", s[k].name, "%s, %d rules",
			    sensor_type_name(s[k].type), s[k].nrules);
	}
	free(s);
	if (rc < 0 || (st = prepared(x, "SELECT count(*) FROM sensors")) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		count = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (count > SENSOR_MAX)
		return fail(x, "$.sensors: more than %d sensors with those here (%lld)", SENSOR_MAX,
		    (long long)count);
	return 0;
}

/* --- admission ------------------------------------------------------------ */

/* "deny privileged,mount=/var/run/docker.sock (no socket)" */
static void
adm_text(const struct doc_adm_rule *a, char *out, size_t size)
{
	snprintf(out, size, "%s %s%s%s%s", a->deny ? "deny" : "allow", a->criteria,
	    a->comment[0] ? " (" : "", a->comment, a->comment[0] ? ")" : "");
}

/* A rule here as the document says rules: its key, and it. */
static void
adm_key(const struct doc_adm_rule *a, char *key, size_t size)
{
	if (a->builtin[0])
		snprintf(key, size, "b\037%s", a->builtin);
	else
		snprintf(key, size, "u\037%d\037%s\037%s", a->deny, a->criteria, a->comment);
}

/* Rule k here (id) enabled as the document's a says. */
static int
adm_enable(struct imp *x, const struct adm_rule *had, const struct doc_adm_rule *a)
{
	char name[32], what[ADM_CRITERIA_TEXT + ADM_COMMENT_MAX + 16];

	if (!had->enabled == !a->enabled)
		return 0;
	if (store_adm_rule_enable(x->db, had->id, a->enabled, x->err, x->errlen) < 0)
		return -1;
	snprintf(name, sizeof(name), "%lld", (long long)had->id);
	if (a->builtin[0])
		snprintf(what, sizeof(what), "%s", a->builtin);
	else
		adm_text(a, what, sizeof(what));
	told(x, "admission rule", "changed", name, "%s: %s", what, a->enabled ? "enabled" :
	    "disabled");
	return 0;
}

/* Rule i of the document: matched with one here (in kept), or added. */
static int
adm_rule_apply(struct imp *x, const struct adm_rule *had, struct strmap *first, const int *next,
    int *kept, int i)
{
	const struct doc_adm_rule *a = &x->d->adm[i];
	char key[ADM_CRITERIA_TEXT + ADM_COMMENT_MAX + 16], name[32];
	int64_t id;
	int k;

	adm_key(a, key, sizeof(key));
	if ((k = strmap_get(first, key)) >= 0) {
		kept[k] = 1;
		strmap_put(first, key, next[k]);	/* a key it has: cannot fail */
		return adm_enable(x, &had[k], a);
	}
	if (a->builtin[0])
		return fail(x, "$.admission.rules[%d].builtin: admission rule '%s' is not built "
		    "in here (rules_dir)", i, a->builtin);
	if (store_adm_rule_add(x->db, a->deny, a->criteria, a->comment, &id, x->err,
	    x->errlen) < 0 || (!a->enabled && store_adm_rule_enable(x->db, id, 0, x->err,
	    x->errlen) < 0))
		return -1;
	adm_text(a, key, sizeof(key));
	snprintf(name, sizeof(name), "%lld", (long long)id);
	told(x, "admission rule", "added", name, "%s%s", key, a->enabled ? "" : ", disabled");
	return 0;
}

/* The rules here by key, each key's chain in the order they are tried. */
static int
adm_index(struct imp *x, const struct adm_rule *had, int n, struct strmap *first, int *next)
{
	char key[ADM_CRITERIA_TEXT + ADM_COMMENT_MAX + 16];
	struct doc_adm_rule a;

	for (int k = n - 1; k >= 0; k--) {
		memset(&a, 0, sizeof(a));
		if (had[k].builtin)
			snprintf(a.builtin, sizeof(a.builtin), "%s", had[k].name);
		a.deny = had[k].deny;
		adm_criteria_format(had[k].c, had[k].ncrit, a.criteria, sizeof(a.criteria));
		snprintf(a.comment, sizeof(a.comment), "%s", had[k].comment);
		adm_key(&a, key, sizeof(key));
		next[k] = strmap_get(first, key);
		if (strmap_put(first, key, k) < 0)
			return fail(x, "out of memory");
	}
	return 0;
}

/* The document's admission mode and rules, when it has them; with
 * replace, the user rules it lacks go. */
static int
admission_apply(struct imp *x)
{
	struct adm_rule *had = NULL;
	struct strmap first;
	enum adm_mode mode;
	int *next = NULL, *kept = NULL, n = 0, rc = 0;

	if (!x->d->has_admission)
		return 0;
	if (store_adm_mode_get(x->db, &mode, x->err, x->errlen) < 0 ||
	    (mode != x->d->adm_mode && store_adm_mode_set(x->db, x->d->adm_mode, x->err,
	    x->errlen) < 0) || store_adm_rule_list(x->db, &had, &n, x->err, x->errlen) < 0)
		return -1;
	if (mode != x->d->adm_mode)
		told(x, "admission", "changed", "mode", "%s -> %s", adm_mode_name(mode),
		    adm_mode_name(x->d->adm_mode));
	strmap_init(&first);
	if ((next = calloc((size_t)n + 1, sizeof(*next))) == NULL ||
	    (kept = calloc((size_t)n + 1, sizeof(*kept))) == NULL)
		rc = fail(x, "out of memory");
	if (rc == 0)
		rc = adm_index(x, had, n, &first, next);
	for (int i = 0; rc == 0 && i < x->d->nadm; i++)
		rc = adm_rule_apply(x, had, &first, next, kept, i);
	for (int k = 0; rc == 0 && x->replace && k < n; k++) {
		char what[ADM_CRITERIA_TEXT + ADM_COMMENT_MAX + 16], name[32];
		struct doc_adm_rule a = { .deny = had[k].deny };

		if (kept[k] || had[k].builtin)
			continue;
		if (store_adm_rule_delete(x->db, had[k].id, x->err, x->errlen) < 0) {
			rc = -1;
			break;
		}
		adm_criteria_format(had[k].c, had[k].ncrit, a.criteria, sizeof(a.criteria));
		snprintf(a.comment, sizeof(a.comment), "%s", had[k].comment);
		adm_text(&a, what, sizeof(what));
		snprintf(name, sizeof(name), "%lld", (long long)had[k].id);
		told(x, "admission rule", "deleted", name, "%s", what);
	}
	strmap_free(&first);
	free(next);
	free(kept);
	free(had);
	return rc;
}

/* --- response rules --------------------------------------------------------- */

/* "security-event of group web: name=no rule -> quarantine" */
static void
resp_text(const struct response_rule *r, char *out, size_t size)
{
	char crit[RESPONSE_TEXT_MAX], acts[RESPONSE_TEXT_MAX];

	response_criteria_format(r, crit, sizeof(crit));
	response_actions_format(r, acts, sizeof(acts));
	snprintf(out, size, "%s%s%s: %s -> %s", response_category_name(r->category),
	    r->group[0] ? " of group " : "", r->group, crit[0] ? crit : "every event", acts);
}

/* What a rule is, enabled or not: the same key here and in the document. */
static void
resp_key(const struct response_rule *r, char *key, size_t size)
{
	char crit[RESPONSE_TEXT_MAX], acts[RESPONSE_TEXT_MAX];

	response_criteria_format(r, crit, sizeof(crit));
	response_actions_format(r, acts, sizeof(acts));
	snprintf(key, size, "%d\037%s\037%s\037%s", (int)r->category, r->group, crit, acts);
}

/* Rule i of the document: one here that is it (kept, its enabled set as
 * the document says), or added. */
static int
resp_apply(struct imp *x, const struct response_rule *had, int n, int *kept, int i)
{
	struct response_rule r = x->d->responses[i];
	char key[2 * RESPONSE_TEXT_MAX + POLICY_NAME_MAX + 32];
	char hkey[sizeof(key)], what[sizeof(key)], name[32], path[48];

	resp_key(&r, key, sizeof(key));
	for (int k = 0; k < n; k++) {
		if (kept[k])
			continue;
		resp_key(&had[k], hkey, sizeof(hkey));
		if (strcmp(key, hkey))
			continue;
		kept[k] = 1;
		if (!had[k].enabled == !r.enabled)
			return 0;
		if (store_response_enable(x->db, had[k].id, r.enabled, x->err, x->errlen) < 0)
			return -1;
		resp_text(&r, what, sizeof(what));
		snprintf(name, sizeof(name), "%lld", (long long)had[k].id);
		told(x, "response rule", "changed", name, "%s: %s", what, r.enabled ? "enabled" :
		    "disabled");
		return 0;
	}
	snprintf(path, sizeof(path), "$.responses[%d].group", i);
	if (r.group[0] && !group_known(x, r.group))
		return group_unknown(x, path, r.group);
	if (store_response_add(x->db, &r, x->err, x->errlen) < 0 ||
	    (!x->d->responses[i].enabled && store_response_enable(x->db, r.id, 0, x->err,
	    x->errlen) < 0))
		return -1;
	resp_text(&r, what, sizeof(what));
	snprintf(name, sizeof(name), "%lld", (long long)r.id);
	told(x, "response rule", "added", name, "%s%s", what, x->d->responses[i].enabled ? "" :
	    ", disabled");
	return 0;
}

/* The document's response rules, when it has them; with replace, the
 * rules it lacks go. */
static int
responses_apply(struct imp *x)
{
	struct response_rule *had = NULL;
	char what[2 * RESPONSE_TEXT_MAX + POLICY_NAME_MAX + 32], name[32];
	int *kept = NULL, n = 0, rc = 0;

	if (!x->d->has_responses)
		return 0;
	if (store_response_list(x->db, &had, &n, x->err, x->errlen) < 0)
		return -1;
	if ((kept = calloc((size_t)n + 1, sizeof(*kept))) == NULL)
		rc = fail(x, "out of memory");
	for (int i = 0; rc == 0 && i < x->d->nresponses; i++)
		rc = resp_apply(x, had, n, kept, i);
	for (int k = 0; rc == 0 && x->replace && k < n; k++) {
		if (kept[k])
			continue;
		if (store_response_delete(x->db, had[k].id, x->err, x->errlen) < 0) {
			rc = -1;
			break;
		}
		resp_text(&had[k], what, sizeof(what));
		snprintf(name, sizeof(name), "%lld", (long long)had[k].id);
		told(x, "response rule", "deleted", name, "%s", what);
	}
	free(kept);
	free(had);
	return rc;
}

/* --- import -------------------------------------------------------------- */

static int
names_load(struct imp *x)
{
	if (store_group_list(x->db, &x->groups, &x->ngroups, x->err, x->errlen) < 0)
		return -1;
	for (int i = 0; i < x->ngroups; i++)
		if (strmap_put(&x->had, x->groups[i].g.name, i) < 0)
			return fail(x, "out of memory");
	for (int i = 0; i < x->d->ngroups; i++)
		if (strmap_put(&x->doc_groups, x->d->groups[i].name, i) < 0)
			return fail(x, "out of memory");
	for (int i = 0; i < x->d->nsensors; i++)
		if (strmap_put(&x->doc_sensors, x->d->sensors[i].name, i) < 0)
			return fail(x, "out of memory");
	return 0;
}

/* Groups first (the rules and assignments name them), the ones to go last. */
static int
import_tx(struct imp *x)
{
	struct have_rules h;
	int rc;

	if (names_load(x) < 0 || rules_check(x) < 0)
		return -1;
	for (int i = 0; i < x->d->ngroups; i++)
		if (group_apply(x, &x->d->groups[i]) < 0)
			return -1;
	if (have_load(x, &h) < 0) {
		have_free(&h);
		return -1;
	}
	rc = rules_apply(x, &h);
	have_free(&h);
	if (rc < 0 || sensors_apply(x) < 0 || admission_apply(x) < 0 || responses_apply(x) < 0)
		return -1;
	return x->replace ? groups_prune(x) : 0;
}

int
doc_import(sqlite3 *db, const struct doc *d, int mode, int dry_run, doc_change_fn *change,
    void *ctx, char *err, size_t errlen)
{
	struct imp x = { .db = db, .d = d, .replace = mode == DOC_REPLACE, .change = change,
	    .ctx = ctx, .err = err, .errlen = errlen, .now = (int64_t)time(NULL) };
	int rc;

	strmap_init(&x.had);
	strmap_init(&x.doc_groups);
	strmap_init(&x.doc_sensors);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail(&x, "database: %s", sqlite3_errmsg(db));
	rc = import_tx(&x);
	if (rc == 0 && !dry_run && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = fail(&x, "database: %s", sqlite3_errmsg(db));
	if (rc < 0 || dry_run)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(x.rule_insert);
	strmap_free(&x.had);
	strmap_free(&x.doc_groups);
	strmap_free(&x.doc_sensors);
	free(x.groups);
	return rc < 0 ? -1 : x.changes;
}
