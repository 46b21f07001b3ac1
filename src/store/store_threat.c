/*
 * store_threat.c: the threat detectors' settings in SQLite
 * (schema/015_threats.sql; store.h): the rule files' (or built-in) values,
 * nvctl's on top of them, and the settings per group.  Each function that
 * changes something is one transaction.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "sensor/rules_file.h"
#include "store/store.h"
#include "store/store_sql.h"

static const char *
action_word(int deny)
{
	return deny ? "deny" : "alert";
}

/*
 * Makes detector id's row and its parameters' with set (the file's or
 * built-in setting) from source, or updates them when they differ; the
 * user_ columns are kept.
 */
static int
threat_put(sqlite3 *db, int id, const struct threat_conf *set, const char *source, int64_t t,
    char *err, size_t errlen)
{
	const struct threat_def *d = &threat_defs[id];
	sqlite3_stmt *st;

	st = prep(db, err, errlen, "INSERT INTO threats (name, level, action, enabled, source, "
	    "updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(name) DO UPDATE SET "
	    "level = ?2, action = ?3, enabled = ?4, source = ?5, updated = ?6 WHERE "
	    "level IS NOT ?2 OR action IS NOT ?3 OR enabled IS NOT ?4 OR source IS NOT ?5",
	    "sssisi", d->name, threat_level_name(set->level), action_word(set->deny),
	    (int64_t)set->enabled, source, t);
	if (done(db, st, err, errlen) < 0)
		return -1;
	for (int k = 0; k < d->nparams; k++) {
		st = prep(db, err, errlen, "INSERT INTO threat_params (threat, name, value) "
		    "VALUES (?1, ?2, ?3) ON CONFLICT(threat, name) DO UPDATE SET value = ?3",
		    "ssi", d->name, d->param[k].name, set->param[k]);
		if (done(db, st, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* Every detector's row exists (with the built-in setting where none did). */
static int
threats_ensure(sqlite3 *db, char *err, size_t errlen)
{
	struct threat_set def;
	sqlite3_stmt *st;
	int64_t n;

	st = prep(db, err, errlen, "SELECT count(*) FROM threats", "");
	if (first_int(db, st, &n, err, errlen) < 0)
		return -1;
	if (n == THREAT_COUNT)
		return 0;
	threat_set_default(&def);
	for (int i = 0; i < THREAT_COUNT; i++) {
		st = prep(db, err, errlen, "SELECT count(*) FROM threats WHERE name = ?1", "s",
		    threat_defs[i].name);
		if (first_int(db, st, &n, err, errlen) < 0)
			return -1;
		if (n == 0 && threat_put(db, i, &def.t[i], "", now(), err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* The rows into out[] (indexed by id), with what is in effect. */
static int
threats_read(sqlite3 *db, struct store_threat out[THREAT_COUNT], char *err, size_t errlen)
{
	struct threat_set def;
	sqlite3_stmt *st;
	int rc;

	threat_set_default(&def);
	for (int i = 0; i < THREAT_COUNT; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].id = i;
		out[i].file = def.t[i];
		out[i].user_enabled = out[i].user_deny = -1;
		for (int k = 0; k < THREAT_PARAMS_MAX; k++)
			out[i].user_param[k] = -1;
	}
	st = prep(db, err, errlen, "SELECT name, level, action, enabled, source, user_action, "
	    "user_enabled, updated FROM threats", "");
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int id = threat_find(text(st, 0)), level;
		struct store_threat *t;

		if (id < 0)
			continue;	/* a detector this build does not have */
		t = &out[id];
		if (threat_level_parse(text(st, 1), &level) == 0)
			t->file.level = (uint8_t)level;
		t->file.deny = strcmp(text(st, 2), "deny") == 0;
		t->file.enabled = sqlite3_column_int(st, 3) != 0;
		snprintf(t->source, sizeof(t->source), "%s", text(st, 4));
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			t->user_deny = strcmp(text(st, 5), "deny") == 0;
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			t->user_enabled = sqlite3_column_int(st, 6) != 0;
		t->updated = sqlite3_column_int64(st, 7);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return dberr(db, err, errlen);
	st = prep(db, err, errlen, "SELECT threat, name, value, user_value FROM threat_params", "");
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int id = threat_find(text(st, 0)), k;

		if (id < 0 || (k = threat_param_find(id, text(st, 1))) < 0)
			continue;
		out[id].file.param[k] = sqlite3_column_int64(st, 2);
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			out[id].user_param[k] = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return dberr(db, err, errlen);
	for (int i = 0; i < THREAT_COUNT; i++) {
		struct store_threat *t = &out[i];

		t->conf = t->file;
		if (t->user_enabled >= 0)
			t->conf.enabled = (uint8_t)t->user_enabled;
		if (t->user_deny >= 0)
			t->conf.deny = (uint8_t)t->user_deny;
		for (int k = 0; k < threat_defs[i].nparams; k++)
			if (t->user_param[k] >= 0)
				t->conf.param[k] = t->user_param[k];
	}
	return 0;
}

int
store_threat_list(sqlite3 *db, struct store_threat out[THREAT_COUNT], char *err, size_t errlen)
{
	return threats_read(db, out, err, errlen);
}

int
store_threat_load(sqlite3 *db, struct threat_set *s, char *err, size_t errlen)
{
	struct store_threat *t = calloc(THREAT_COUNT, sizeof(*t));
	int rc;

	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((rc = threats_read(db, t, err, errlen)) == 0)
		for (int i = 0; i < THREAT_COUNT; i++)
			s->t[i] = t[i].conf;
	free(t);
	return rc;
}

/* nvctl's values of detector id: the user_ columns as c says. */
static int
user_put(sqlite3 *db, int id, const struct store_threat_change *c, char *err, size_t errlen)
{
	const struct threat_def *d = &threat_defs[id];
	sqlite3_stmt *st;

	if (c->reset) {
		st = prep(db, err, errlen, "UPDATE threats SET user_action = NULL, "
		    "user_enabled = NULL, updated = ?2 WHERE name = ?1", "si", d->name, now());
		if (done(db, st, err, errlen) < 0)
			return -1;
		st = prep(db, err, errlen, "UPDATE threat_params SET user_value = NULL WHERE "
		    "threat = ?1", "s", d->name);
		if (done(db, st, err, errlen) < 0)
			return -1;
	}
	if (c->deny >= 0) {
		st = prep(db, err, errlen, "UPDATE threats SET user_action = ?2, updated = ?3 "
		    "WHERE name = ?1", "ssi", d->name, action_word(c->deny), now());
		if (done(db, st, err, errlen) < 0)
			return -1;
	}
	if (c->enabled >= 0) {
		st = prep(db, err, errlen, "UPDATE threats SET user_enabled = ?2, updated = ?3 "
		    "WHERE name = ?1", "sii", d->name, (int64_t)c->enabled, now());
		if (done(db, st, err, errlen) < 0)
			return -1;
	}
	for (int k = 0; k < d->nparams; k++) {
		if (c->param[k] < 0)
			continue;
		st = prep(db, err, errlen, "UPDATE threat_params SET user_value = ?3 WHERE "
		    "threat = ?1 AND name = ?2", "ssi", d->name, d->param[k].name, c->param[k]);
		if (done(db, st, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int
store_threat_set(sqlite3 *db, int id, const struct store_threat_change *c, char *err,
    size_t errlen)
{
	struct store_threat *t;
	int rc;

	if (tx(db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	rc = threats_ensure(db, err, errlen);
	if (rc == 0)
		rc = user_put(db, id, c, err, errlen);
	/* The parameters must still agree with each other. */
	if (rc == 0 && (t = calloc(THREAT_COUNT, sizeof(*t))) != NULL) {
		if ((rc = threats_read(db, t, err, errlen)) == 0)
			rc = threat_conf_check(id, &t[id].conf, err, errlen);
		free(t);
	} else if (rc == 0) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	return tx_end(db, rc, err, errlen);
}

int
store_threat_group_set(sqlite3 *db, const char *group, int id, int enabled, int deny,
    char *err, size_t errlen)
{
	const char *name = threat_defs[id].name;
	sqlite3_stmt *st;
	int64_t n;
	int rc;

	if (tx(db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	st = prep(db, err, errlen, "SELECT count(*) FROM groups WHERE name = ?1", "s", group);
	if ((rc = first_int(db, st, &n, err, errlen)) < 0)
		;
	else if (n == 0) {
		snprintf(err, errlen, "group '%s' does not exist", group);
		rc = STORE_NOTFOUND;
	} else
		rc = 0;
	if (rc >= 0)
		rc = threats_ensure(db, err, errlen);
	if (rc >= 0 && enabled < 0 && deny < 0) {
		st = prep(db, err, errlen, "DELETE FROM threat_groups WHERE group_name = ?1 AND "
		    "threat = ?2", "ss", group, name);
		rc = done(db, st, err, errlen);
	} else if (rc >= 0) {
		/* What is not said keeps what the group had. */
		st = prep(db, err, errlen, "INSERT INTO threat_groups (group_name, threat, "
		    "enabled, action, created) VALUES (?1, ?2, CASE WHEN ?3 < 0 THEN NULL ELSE ?3 "
		    "END, CASE ?4 WHEN 1 THEN 'deny' WHEN 0 THEN 'alert' END, ?5) "
		    "ON CONFLICT(group_name, threat) DO UPDATE SET "
		    "enabled = CASE WHEN ?3 < 0 THEN enabled ELSE ?3 END, "
		    "action = CASE ?4 WHEN 1 THEN 'deny' WHEN 0 THEN 'alert' ELSE action END",
		    "ssiii", group, name, (int64_t)enabled, (int64_t)deny, now());
		rc = done(db, st, err, errlen);
	}
	return tx_end(db, rc, err, errlen);
}

int
store_threat_groups(sqlite3 *db, struct policy_threat_group **out, int *nout, char *err,
    size_t errlen)
{
	struct policy_threat_group *a = NULL;
	sqlite3_stmt *st;
	int n = 0, cap = 0, rc;

	*out = NULL;
	*nout = 0;
	st = prep(db, err, errlen, "SELECT group_name, threat, enabled, action FROM "
	    "threat_groups ORDER BY group_name, threat", "");
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int id = threat_find(text(st, 1));
		struct policy_threat_group *g;

		if (id < 0)
			continue;
		if (n == cap) {
			void *p = realloc(a, (size_t)(cap = cap ? cap * 2 : 16) * sizeof(*a));

			if (p == NULL) {
				sqlite3_finalize(st);
				free(a);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			a = p;
		}
		g = &a[n++];
		snprintf(g->group, sizeof(g->group), "%s", text(st, 0));
		g->threat = id;
		g->enabled = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(st, 2) != 0;
		g->deny = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 :
		    strcmp(text(st, 3), "deny") == 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(a);
		return dberr(db, err, errlen);
	}
	*out = a;
	*nout = n;
	return 0;
}

/* The file among f[0..n-1] not skipped that sets detector id, or NULL. */
static const struct rules_threat *
file_threat(const struct store_threat_file *f, int n, int id, const char **source)
{
	for (int i = 0; i < n; i++)
		for (int k = 0; !f[i].skipped && k < f[i].nthreats; k++)
			if (f[i].threats[k].id == id) {
				*source = f[i].name;
				return &f[i].threats[k];
			}
	return NULL;
}

/* Whether a skipped file (of those read) set detector id when it was stored. */
static int
from_skipped(sqlite3 *db, const struct store_threat_file *f, int n, int id, char *err,
    size_t errlen)
{
	for (int i = 0; i < n; i++) {
		sqlite3_stmt *st;
		int64_t c;
		int rc;

		if (!f[i].skipped)
			continue;
		st = prep(db, err, errlen, "SELECT count(*) FROM threats WHERE name = ?1 AND "
		    "source = ?2", "ss", threat_defs[id].name, f[i].name);
		if ((rc = first_int(db, st, &c, err, errlen)) < 0)
			return -1;
		if (c > 0)
			return 1;
	}
	return 0;
}

int
store_threat_sync(sqlite3 *db, const struct store_threat_file *f, int n, char *err,
    size_t errlen)
{
	struct threat_set def;
	int64_t t = now();
	int rc;

	threat_set_default(&def);
	if (tx(db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	rc = threats_ensure(db, err, errlen);
	for (int id = 0; rc == 0 && id < THREAT_COUNT; id++) {
		const char *source = "";
		const struct rules_threat *rt = file_threat(f, n, id, &source);
		int skipped;

		if (rt != NULL)
			rc = threat_put(db, id, &rt->conf, source, t, err, errlen);
		else if ((skipped = from_skipped(db, f, n, id, err, errlen)) < 0)
			rc = -1;
		else if (!skipped)
			rc = threat_put(db, id, &def.t[id], "", t, err, errlen);
	}
	return tx_end(db, rc, err, errlen);
}
