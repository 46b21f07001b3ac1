/*
 * store_sensor.c: DLP and WAF sensors, their rules and their assignments
 * to groups in SQLite (schema/004_sensors.sql; store.h).  Like store.c,
 * each function that changes something is one transaction, and a failed
 * call leaves the database as it was.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "policy/policy.h"
#include "sensor/crs.h"
#include "sensor/rules_file.h"
#include "store/store.h"
#include "store/store_sql.h"

#define BUILTIN_PREFIX	"sensor."

/* --- rows ---------------------------------------------------------------- */

#define SENSOR_COLS "name, type, builtin, source, created, updated, " \
	"(SELECT count(*) FROM sensor_rules r WHERE r.sensor = s.name), " \
	"(SELECT count(*) FROM sensor_assignments a WHERE a.sensor = s.name)"

static void
sensor_row(sqlite3_stmt *st, struct store_sensor *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", text(st, 0));
	s->type = SENSOR_DLP;
	sensor_type_parse(text(st, 1), &s->type);
	s->builtin = sqlite3_column_int(st, 2) != 0;
	snprintf(s->source, sizeof(s->source), "%s", text(st, 3));
	s->created = sqlite3_column_int64(st, 4);
	s->updated = sqlite3_column_int64(st, 5);
	s->nrules = sqlite3_column_int(st, 6);
	s->nassigned = sqlite3_column_int(st, 7);
}

/* 1 and *s if sensor name exists, 0 if not, -1 on an error. */
static int
sensor_find(sqlite3 *db, const char *name, struct store_sensor *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	st = prep(db, err, errlen, "SELECT " SENSOR_COLS " FROM sensors s WHERE name = ?", "s",
	    name);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sensor_row(st, s);
		found = 1;
	} else if (rc != SQLITE_DONE)
		found = dberr(db, err, errlen);
	sqlite3_finalize(st);
	return found;
}

static int
sensor_missing(char *err, size_t errlen, const char *name)
{
	snprintf(err, errlen, "sensor '%s' does not exist", name);
	return STORE_NOTFOUND;
}

/*
 * The sensor must exist and be a user sensor: 0, else an error code, the
 * message saying why a built-in one cannot be deleted or (rules) edited.
 */
static int
user_sensor(sqlite3 *db, const char *name, int rules, char *err, size_t errlen)
{
	struct store_sensor s;
	int found = sensor_find(db, name, &s, err, errlen);

	if (found <= 0)
		return found < 0 ? -1 : sensor_missing(err, errlen, name);
	if (!s.builtin)
		return 0;
	if (rules)
		snprintf(err, errlen, "sensor '%s' is built in; its rules come from %s", name,
		    s.source);
	else
		snprintf(err, errlen, "sensor '%s' is built in (from %s)", name, s.source);
	return -1;
}

static int
sensors_count(sqlite3 *db, int64_t *n, char *err, size_t errlen)
{
	return first_int(db, prep(db, err, errlen, "SELECT count(*) FROM sensors", ""), n, err,
	    errlen) < 0 ? -1 : 0;
}

/* Appends the rules of sensor name, in order, to spec. */
static int
rules_load(sqlite3 *db, const char *name, struct sensor_spec *spec, char *err, size_t errlen)
{
	struct sensor_rule_spec *r = NULL;
	sqlite3_stmt *st;
	int rc, cap = 0;

	spec->rules = NULL;
	spec->nrules = 0;
	st = prep(db, err, errlen, "SELECT r.name, r.validator, p.context, p.negate, p.pattern "
	    "FROM sensor_rules r JOIN sensor_patterns p ON p.sensor = r.sensor AND p.rule = r.name "
	    "WHERE r.sensor = ? ORDER BY r.ord, p.ord", "s", name);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sensor_pattern_spec *p;

		if (r == NULL || strcmp(r->name, text(st, 0)) != 0) {
			if (spec->nrules == cap) {
				void *a = realloc(spec->rules, (size_t)(cap = cap ? cap * 2 : 8) *
				    sizeof(*spec->rules));

				if (a == NULL)
					goto nomem;
				spec->rules = a;
			}
			r = &spec->rules[spec->nrules++];
			memset(r, 0, sizeof(*r));
			snprintf(r->name, sizeof(r->name), "%s", text(st, 0));
			sensor_validator_parse(text(st, 1), &r->validator);
		}
		if (r->npat == SENSOR_RULE_PATTERNS)
			continue;	/* the store never writes more */
		p = &r->pat[r->npat++];
		sensor_ctx_parse(text(st, 2), &p->ctx);
		p->negate = sqlite3_column_int(st, 3) != 0;
		snprintf(p->re, sizeof(p->re), "%s", text(st, 4));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	dberr(db, err, errlen);
	goto fail;
nomem:
	sqlite3_finalize(st);
	snprintf(err, errlen, "out of memory");
fail:
	free(spec->rules);
	spec->rules = NULL;
	spec->nrules = 0;
	return -1;
}

int
store_sensor_rule_insert(sqlite3 *db, const char *sensor, const struct sensor_rule_spec *r,
    int64_t ord, int64_t t, char *err, size_t errlen)
{
	if (done(db, prep(db, err, errlen, "INSERT INTO sensor_rules (sensor, name, validator, "
	    "ord, created) VALUES (?, ?, ?, ?, ?)", "sssii", sensor, r->name,
	    sensor_validator_name(r->validator), ord, t), err, errlen) < 0)
		return -1;
	for (int i = 0; i < r->npat; i++)
		if (done(db, prep(db, err, errlen, "INSERT INTO sensor_patterns (sensor, rule, ord, "
		    "context, negate, pattern) VALUES (?, ?, ?, ?, ?, ?)", "ssisis", sensor, r->name,
		    (int64_t)i, sensor_ctx_name(r->pat[i].ctx), (int64_t)(r->pat[i].negate != 0),
		    r->pat[i].re), err, errlen) < 0)
			return -1;
	return 0;
}

int
store_sensor_rule_check(const struct sensor_rule_spec *r, char *err, size_t errlen)
{
	char why[240];
	int positive = 0;

	if (rules_name_check("rule", r->name, err, errlen) < 0)
		return -1;
	if (r->npat < 1 || r->npat > SENSOR_RULE_PATTERNS) {
		snprintf(err, errlen, "rule '%s': 1 to %d patterns", r->name, SENSOR_RULE_PATTERNS);
		return -1;
	}
	if ((unsigned)r->validator > SVAL_SSN) {
		snprintf(err, errlen, "rule '%s': unknown validator", r->name);
		return -1;
	}
	for (int i = 0; i < r->npat; i++) {
		const struct sensor_pattern_spec *p = &r->pat[i];

		if ((unsigned)p->ctx >= SCTX_COUNT) {
			snprintf(err, errlen, "rule '%s' pattern %d: unknown context", r->name, i + 1);
			return -1;
		}
		if (sensor_pattern_check(p->re, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "rule '%s' pattern %d: %s", r->name, i + 1, why);
			return -1;
		}
		positive += !p->negate;
	}
	if (positive == 0) {
		snprintf(err, errlen, "rule '%s' has only negated patterns", r->name);
		return -1;
	}
	return 0;
}

/* --- user sensors -------------------------------------------------------- */

int
store_sensor_add(sqlite3 *db, const char *name, enum sensor_type type, char *err,
    size_t errlen)
{
	struct store_sensor s;
	int64_t n, t = now();
	int rc;

	if (rules_name_check("sensor", name, err, errlen) < 0)
		return -1;
	if (strncmp(name, BUILTIN_PREFIX, strlen(BUILTIN_PREFIX)) == 0) {
		snprintf(err, errlen, "sensor names starting with '%s' are kept for the built-in "
		    "sensors", BUILTIN_PREFIX);
		return -1;
	}
	if ((unsigned)type > SENSOR_WAF) {
		snprintf(err, errlen, "unknown sensor type");
		return -1;
	}
	if (tx(db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	if ((rc = sensor_find(db, name, &s, err, errlen)) > 0) {
		snprintf(err, errlen, "sensor '%s' already exists", name);
		rc = -1;
	} else if (rc == 0 && (rc = sensors_count(db, &n, err, errlen)) == 0 && n >= SENSOR_MAX) {
		snprintf(err, errlen, "at most %d sensors", SENSOR_MAX);
		rc = -1;
	}
	if (rc == 0)
		rc = done(db, prep(db, err, errlen, "INSERT INTO sensors (name, type, builtin, "
		    "created, updated) VALUES (?, ?, 0, ?, ?)", "ssii", name, sensor_type_name(type),
		    t, t), err, errlen);
	return tx_end(db, rc, err, errlen);
}

int
store_sensor_delete(sqlite3 *db, const char *name, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (tx(db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	if ((rc = user_sensor(db, name, 0, err, errlen)) == 0) {
		st = prep(db, err, errlen, "SELECT group_name FROM sensor_assignments "
		    "WHERE sensor = ? ORDER BY group_name LIMIT 1", "s", name);
		if (st == NULL)
			rc = -1;
		else if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			snprintf(err, errlen, "sensor '%s' is assigned to group '%s'; unassign it "
			    "first", name, text(st, 0));
			rc = -1;
		} else
			rc = rc == SQLITE_DONE ? 0 : dberr(db, err, errlen);
		sqlite3_finalize(st);
	}
	if (rc == 0)
		rc = done(db, prep(db, err, errlen, "DELETE FROM sensors WHERE name = ?", "s", name),
		    err, errlen);
	return tx_end(db, rc, err, errlen);
}

int
store_sensor_list(sqlite3 *db, struct store_sensor **out, int *nout, char *err, size_t errlen)
{
	struct store_sensor *s = NULL;
	sqlite3_stmt *st;
	int rc, n = 0, cap = 0;

	*out = NULL;
	*nout = 0;
	if ((st = prep(db, err, errlen, "SELECT " SENSOR_COLS " FROM sensors s ORDER BY name",
	    "")) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			void *a = realloc(s, (size_t)(cap = cap ? cap * 2 : 16) * sizeof(*s));

			if (a == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			s = a;
		}
		sensor_row(st, &s[n++]);
	}
	if (rc != SQLITE_DONE) {
		dberr(db, err, errlen);
		goto fail;
	}
	sqlite3_finalize(st);
	*out = s;
	*nout = n;
	return 0;
fail:
	sqlite3_finalize(st);
	free(s);
	return -1;
}

int
store_sensor_get(sqlite3 *db, const char *name, struct store_sensor *s,
    struct sensor_spec *spec, char *err, size_t errlen)
{
	int found = sensor_find(db, name, s, err, errlen);

	if (found <= 0)
		return found < 0 ? -1 : sensor_missing(err, errlen, name);
	if (spec == NULL)
		return 0;
	memset(spec, 0, sizeof(*spec));
	memcpy(spec->name, s->name, sizeof(spec->name));
	spec->type = s->type;
	return rules_load(db, name, spec, err, errlen);
}

/* --- rules --------------------------------------------------------------- */

int
store_sensor_rule_add(sqlite3 *db, const char *sensor, const struct sensor_rule_spec *r,
    char *err, size_t errlen)
{
	int64_t n = 0, ord = 0, t = now();
	int rc;

	if (store_sensor_rule_check(r, err, errlen) < 0)
		return -1;
	if (tx(db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	if ((rc = user_sensor(db, sensor, 1, err, errlen)) == 0 &&
	    (first_int(db, prep(db, err, errlen, "SELECT count(*) FROM sensor_rules WHERE "
	    "sensor = ?", "s", sensor), &n, err, errlen) < 0 ||
	    first_int(db, prep(db, err, errlen, "SELECT coalesce(max(ord), 0) + 1 FROM "
	    "sensor_rules WHERE sensor = ?", "s", sensor), &ord, err, errlen) < 0))
		rc = -1;
	if (rc == 0 && n >= SENSOR_RULES_MAX) {
		snprintf(err, errlen, "at most %d rules in a sensor", SENSOR_RULES_MAX);
		rc = -1;
	}
	if (rc == 0 && (rc = first_int(db, prep(db, err, errlen, "SELECT 1 FROM sensor_rules "
	    "WHERE sensor = ? AND name = ?", "ss", sensor, r->name), &n, err, errlen)) > 0) {
		snprintf(err, errlen, "rule '%s' already exists in sensor '%s'", r->name, sensor);
		rc = -1;
	}
	if (rc == 0)
		rc = store_sensor_rule_insert(db, sensor, r, ord, t, err, errlen);
	if (rc == 0)
		rc = done(db, prep(db, err, errlen, "UPDATE sensors SET updated = ? WHERE name = ?",
		    "is", t, sensor), err, errlen);
	return tx_end(db, rc, err, errlen);
}

int
store_sensor_rule_delete(sqlite3 *db, const char *sensor, const char *rule, char *err,
    size_t errlen)
{
	int rc;

	if (tx(db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	if ((rc = user_sensor(db, sensor, 1, err, errlen)) == 0 &&
	    (rc = done(db, prep(db, err, errlen, "DELETE FROM sensor_rules WHERE sensor = ? AND "
	    "name = ?", "ss", sensor, rule), err, errlen)) == 0 && sqlite3_changes(db) == 0) {
		snprintf(err, errlen, "sensor '%s' has no rule '%s'", sensor, rule);
		rc = STORE_NOTFOUND;
	}
	if (rc == 0)
		rc = done(db, prep(db, err, errlen, "UPDATE sensors SET updated = ? WHERE name = ?",
		    "is", now(), sensor), err, errlen);
	return tx_end(db, rc, err, errlen);
}

/* --- assignments --------------------------------------------------------- */

/* 0 if group and sensor exist, else STORE_NOTFOUND or -1 with err. */
static int
both_exist(sqlite3 *db, const char *group, const char *sensor, char *err, size_t errlen)
{
	struct store_sensor s;
	int64_t one;
	int rc;

	rc = first_int(db, prep(db, err, errlen, "SELECT 1 FROM groups WHERE name = ?", "s", group),
	    &one, err, errlen);
	if (rc == 0) {
		snprintf(err, errlen, "group '%s' does not exist", group);
		return STORE_NOTFOUND;
	}
	if (rc < 0 || (rc = sensor_find(db, sensor, &s, err, errlen)) < 0)
		return -1;
	return rc ? 0 : sensor_missing(err, errlen, sensor);
}

int
store_sensor_assign(sqlite3 *db, const char *group, const char *sensor, int deny,
    int paranoia, int threshold, char *err, size_t errlen)
{
	int rc, crs = strcmp(sensor, CRS_SENSOR) == 0;

	if (!crs && (paranoia || threshold)) {
		snprintf(err, errlen, "--paranoia and --threshold are for %s only", CRS_SENSOR);
		return -1;
	}
	if (paranoia < 0 || paranoia > CRS_PARANOIA_MAX) {
		snprintf(err, errlen, "paranoia level %d: expected 1 to %d", paranoia,
		    CRS_PARANOIA_MAX);
		return -1;
	}
	if (threshold < 0 || threshold > CRS_THRESHOLD_MAX) {
		snprintf(err, errlen, "threshold %d: expected 1 to %d", threshold,
		    CRS_THRESHOLD_MAX);
		return -1;
	}
	if (tx(db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	if ((rc = both_exist(db, group, sensor, err, errlen)) == 0)
		rc = done(db, prep(db, err, errlen, "INSERT INTO sensor_assignments (group_name, "
		    "sensor, action, created, paranoia, threshold) VALUES (?, ?, ?, ?, ?, ?) "
		    "ON CONFLICT (group_name, sensor) DO UPDATE SET action = excluded.action, "
		    "paranoia = excluded.paranoia, threshold = excluded.threshold", "sssiii", group,
		    sensor, deny ? "deny" : "alert", now(), (int64_t)(paranoia ? paranoia : 1),
		    (int64_t)(threshold ? threshold : CRS_THRESHOLD_DEFAULT)), err, errlen);
	return tx_end(db, rc, err, errlen);
}

int
store_sensor_unassign(sqlite3 *db, const char *group, const char *sensor, char *err,
    size_t errlen)
{
	int rc;

	if (tx(db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	if ((rc = both_exist(db, group, sensor, err, errlen)) == 0 &&
	    (rc = done(db, prep(db, err, errlen, "DELETE FROM sensor_assignments WHERE "
	    "group_name = ? AND sensor = ?", "ss", group, sensor), err, errlen)) == 0 &&
	    sqlite3_changes(db) == 0) {
		snprintf(err, errlen, "sensor '%s' is not assigned to group '%s'", sensor, group);
		rc = STORE_NOTFOUND;
	}
	return tx_end(db, rc, err, errlen);
}

int
store_sensor_assignments(sqlite3 *db, const char *group, const char *sensor,
    struct policy_assign **out, int *nout, char *err, size_t errlen)
{
	struct policy_assign *a = NULL;
	sqlite3_stmt *st;
	int rc, n = 0, cap = 0;

	*out = NULL;
	*nout = 0;
	st = prep(db, err, errlen, "SELECT group_name, sensor, action, paranoia, threshold "
	    "FROM sensor_assignments "
	    "WHERE (?1 IS NULL OR group_name = ?1) AND (?2 IS NULL OR sensor = ?2) "
	    "ORDER BY group_name, sensor", "ss", group, sensor);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			void *p = realloc(a, (size_t)(cap = cap ? cap * 2 : 16) * sizeof(*a));

			if (p == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			a = p;
		}
		memset(&a[n], 0, sizeof(a[n]));
		snprintf(a[n].group, sizeof(a[n].group), "%s", text(st, 0));
		snprintf(a[n].sensor, sizeof(a[n].sensor), "%s", text(st, 1));
		a[n].paranoia = sqlite3_column_int(st, 3);
		a[n].threshold = sqlite3_column_int(st, 4);
		a[n++].deny = strcmp(text(st, 2), "deny") == 0;
	}
	if (rc != SQLITE_DONE) {
		dberr(db, err, errlen);
		goto fail;
	}
	sqlite3_finalize(st);
	*out = a;
	*nout = n;
	return 0;
fail:
	sqlite3_finalize(st);
	free(a);
	return -1;
}

/* --- every sensor -------------------------------------------------------- */

void
store_sensor_specs_free(struct sensor_spec *s, int n)
{
	for (int i = 0; s != NULL && i < n; i++)
		free(s[i].rules);
	free(s);
}

int
store_sensor_specs(sqlite3 *db, struct sensor_spec **out, int *nout, char *err, size_t errlen)
{
	struct store_sensor *row;
	struct sensor_spec *s;
	int n;

	*out = NULL;
	*nout = 0;
	if (store_sensor_list(db, &row, &n, err, errlen) < 0)
		return -1;
	if (n == 0)
		return 0;
	if ((s = calloc((size_t)n, sizeof(*s))) == NULL) {
		free(row);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		memcpy(s[i].name, row[i].name, sizeof(s[i].name));
		s[i].type = row[i].type;
		if (rules_load(db, row[i].name, &s[i], err, errlen) < 0) {
			store_sensor_specs_free(s, n);
			free(row);
			return -1;
		}
	}
	free(row);
	*out = s;
	*nout = n;
	return 0;
}

/* --- built-in sensors ---------------------------------------------------- */

int
store_sensor_rules_equal(const struct sensor_spec *a, const struct sensor_spec *b)
{
	if (a->type != b->type || a->nrules != b->nrules)
		return 0;
	for (int i = 0; i < a->nrules; i++) {
		const struct sensor_rule_spec *x = &a->rules[i], *y = &b->rules[i];

		if (strcmp(x->name, y->name) != 0 || x->validator != y->validator ||
		    x->npat != y->npat)
			return 0;
		for (int k = 0; k < x->npat; k++)
			if (x->pat[k].ctx != y->pat[k].ctx || !x->pat[k].negate != !y->pat[k].negate ||
			    strcmp(x->pat[k].re, y->pat[k].re) != 0)
				return 0;
	}
	return 1;
}

/* Stores one sensor of file source as built in. */
static int
builtin_put(sqlite3 *db, const char *source, const struct sensor_spec *sp, int64_t t,
    char *err, size_t errlen)
{
	struct sensor_spec old;
	struct store_sensor s;
	int found, same;

	if ((found = sensor_find(db, sp->name, &s, err, errlen)) < 0)
		return -1;
	if (found && !s.builtin) {
		snprintf(err, errlen, "sensor '%s' is a user sensor", sp->name);
		return -1;
	}
	if (!found) {
		if (done(db, prep(db, err, errlen, "INSERT INTO sensors (name, type, builtin, source, "
		    "created, updated) VALUES (?, ?, 1, ?, ?, ?)", "sssii", sp->name,
		    sensor_type_name(sp->type), source, t, t), err, errlen) < 0)
			return -1;
		same = 0;
	} else {
		old.type = s.type;
		if (rules_load(db, sp->name, &old, err, errlen) < 0)
			return -1;
		same = store_sensor_rules_equal(&old, sp);
		free(old.rules);
		if (done(db, prep(db, err, errlen, "UPDATE sensors SET type = ?, source = ?, "
		    "updated = CASE WHEN ? THEN updated ELSE ? END WHERE name = ?", "ssiis",
		    sensor_type_name(sp->type), source, (int64_t)same, t, sp->name), err, errlen) < 0)
			return -1;
		if (!same && done(db, prep(db, err, errlen, "DELETE FROM sensor_rules WHERE "
		    "sensor = ?", "s", sp->name), err, errlen) < 0)
			return -1;
	}
	for (int i = 0; !same && i < sp->nrules; i++)
		if (store_sensor_rule_insert(db, sp->name, &sp->rules[i], i + 1, t, err,
		    errlen) < 0)
			return -1;
	return 0;
}

/* 1 if a file loaded (not skipped) defines sensor name. */
static int
file_has_sensor(const struct store_sensor_file *f, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		for (int k = 0; !f[i].skipped && k < f[i].nsensors; k++)
			if (strcmp(f[i].sensors[k].name, name) == 0)
				return 1;
	return 0;
}

/* The file of that name in f, or NULL. */
static const struct store_sensor_file *
file_find(const struct store_sensor_file *f, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

/* Deletes the built-in sensors no file defines any more, but those of skipped files. */
static int
builtin_prune(sqlite3 *db, const struct store_sensor_file *f, int n, char *err, size_t errlen)
{
	struct store_sensor *s;
	int ns, rc = 0;

	if (store_sensor_list(db, &s, &ns, err, errlen) < 0)
		return -1;
	for (int i = 0; rc == 0 && i < ns; i++) {
		const struct store_sensor_file *src = file_find(f, n, s[i].source);

		if (!s[i].builtin || file_has_sensor(f, n, s[i].name) ||
		    (src != NULL && src->skipped))
			continue;
		rc = done(db, prep(db, err, errlen, "DELETE FROM sensors WHERE name = ?", "s",
		    s[i].name), err, errlen);
		if (rc == 0 && s[i].nassigned)
			log_info("sensor %s: no rule file defines it any more; removed with its %d "
			    "assignment(s)", s[i].name, s[i].nassigned);
		else if (rc == 0)
			log_info("sensor %s: no rule file defines it any more; removed", s[i].name);
	}
	free(s);
	return rc;
}

int
store_sensor_builtin_sync(sqlite3 *db, const struct store_sensor_file *f, int n, char *err,
    size_t errlen)
{
	int64_t count, t = now();
	int rc = 0;

	if (tx(db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	for (int i = 0; rc == 0 && i < n; i++)
		for (int k = 0; rc == 0 && !f[i].skipped && k < f[i].nsensors; k++)
			rc = builtin_put(db, f[i].name, &f[i].sensors[k], t, err, errlen);
	if (rc == 0)
		rc = builtin_prune(db, f, n, err, errlen);
	if (rc == 0 && (rc = sensors_count(db, &count, err, errlen)) == 0 && count > SENSOR_MAX) {
		snprintf(err, errlen, "more than %d sensors (%lld with the rule files')", SENSOR_MAX,
		    (long long)count);
		rc = -1;
	}
	return tx_end(db, rc, err, errlen);
}
