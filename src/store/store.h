/*
 * store.h: policy in the database (schema/002_policy.sql): groups, network
 * rules, workloads.  Prepared statements with bound parameters only.
 *
 * Errors: functions return 0 on success and -1 with one line in err for
 * people ("group 'x' does not exist"), or STORE_NOTFOUND where a name or id
 * is missing, so the control server can answer NOTFOUND.  A failed call
 * changes nothing (each is one transaction).
 *
 * Threads: a connection belongs to one thread at a time (the main thread's
 * for these; the writer thread has its own for events and learning).
 */
#ifndef NVD_STORE_H
#define NVD_STORE_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "policy/policy.h"

#define STORE_NOTFOUND	(-2)

/*
 * Everything policy_compile() needs from the database.  Arrays are
 * malloc'ed; store_policy_free() frees them.
 */
struct store_policy {
	struct policy_group *groups;
	int ngroups;
	struct policy_rule *rules;	/* user rules by order, then learned by id */
	int nrules;
	struct policy_workload *statics;	/* static workloads */
	int nstatics;
};
int store_load(sqlite3 *db, struct store_policy *sp, char *err, size_t errlen);
void store_policy_free(struct store_policy *sp);

/* Creates the learned group name in mode unless it exists (kept as is). */
int store_group_ensure_learned(sqlite3 *db, const char *name, enum policy_mode mode,
    char *err, size_t errlen);
/* Records live workloads as seen now (running = 1), and every other
 * non-static workload as not running. */
int store_workloads_seen(sqlite3 *db, const struct policy_workload *w, int n,
    char *err, size_t errlen);

/*
 * Prepares sql and binds the arguments of ap in order by types: 's' text
 * (NULL binds NULL), 'i' int64_t, 'd' double.  NULL with err ("database:
 * ...") on failure.  For the other store files too.
 */
sqlite3_stmt *store_vsql(sqlite3 *db, char *err, size_t errlen, const char *sql,
    const char *types, va_list ap);

/* --- groups --------------------------------------------------------- */

/* A group as stored, with what `nvctl group list` shows besides members. */
struct store_group {
	struct policy_group g;
	int64_t created, updated;
	int nrules;			/* rules with it as from or to */
};

/*
 * Adds user group name with criteria (criteria_parse() syntax, stored as
 * criteria_format() text).  Errors: policy_group_name_check()'s, the
 * parser's, "group 'x' already exists".
 */
int store_group_add(sqlite3 *db, const char *name, const char *criteria,
    enum policy_mode mode, char *err, size_t errlen);
/*
 * Deletes a learned or user group and its learned rules.  Refused:
 * "group 'containers' is built in", "group 'x' is used by rule 12" (the
 * lowest id of the user rules naming it); STORE_NOTFOUND: "group 'x' does
 * not exist".
 */
int store_group_delete(sqlite3 *db, const char *name, char *err, size_t errlen);
/* Sets the mode of any group; STORE_NOTFOUND if there is none. */
int store_group_mode(sqlite3 *db, const char *name, enum policy_mode mode,
    char *err, size_t errlen);
/* One group; STORE_NOTFOUND: "group 'x' does not exist". */
int store_group_get(sqlite3 *db, const char *name, struct store_group *g,
    char *err, size_t errlen);
/* Every group by name into *g (malloc'ed, free() it), *n of them. */
int store_group_list(sqlite3 *db, struct store_group **g, int *n, char *err, size_t errlen);

/* --- rules ---------------------------------------------------------- */

/*
 * Canonical applications text: "any", or names of [a-z0-9_.+-] joined by
 * "," (lowercased).  Returns 0 or -1 with err ("application list 'a,,b':
 * empty application", "application 'h t': only letters, digits, '_',
 * '.', '+' and '-'", "application 'any' stands alone").
 */
int store_apps_canon(const char *text, char *out, size_t outlen, char *err, size_t errlen);

/*
 * Adds a user rule from r's from, to, apps (canonicalised here), ports and
 * action, and sets *id.  before 0 appends it after every user rule; else it
 * goes right before rule before (a user rule, or a learned one: then
 * after every user rule, since learned rules come last anyway), renumbering
 * the user rules 1..n when the gap left is too small.  STORE_NOTFOUND:
 * "group 'x' does not exist", "rule 7 does not exist".
 */
int store_rule_add(sqlite3 *db, const struct policy_rule *r, int64_t before, int64_t *id,
    char *err, size_t errlen);
/* STORE_NOTFOUND: "rule 7 does not exist". */
int store_rule_delete(sqlite3 *db, int64_t id, char *err, size_t errlen);
/*
 * Turns learned rule id into a user rule evaluated after every other user
 * rule; it keeps its id.  Refused: "rule 5 is already a user rule".
 */
int store_rule_promote(sqlite3 *db, int64_t id, char *err, size_t errlen);
int store_rule_get(sqlite3 *db, int64_t id, struct policy_rule *r, char *err, size_t errlen);
/*
 * Rules in evaluation order (user rules by order, then learned by id), all
 * of them or those with group as from or to (STORE_NOTFOUND if the group
 * does not exist).  *r is malloc'ed (free() it; NULL when *n is 0).
 */
int store_rule_list(sqlite3 *db, const char *group, struct policy_rule **r, int *n,
    char *err, size_t errlen);

/* --- workloads ------------------------------------------------------ */

#define STORE_STATIC_PREFIX	"static:"

/*
 * Addresses as stored and as `--ip` takes them: "198.19.0.2,fd00::2".
 * store_addrs_parse() returns the count (at least 1) or -1 with err
 * ("address '10.0.0.300': not an IPv4 or IPv6 address").
 */
int store_addrs_parse(const char *text, struct policy_addr *a, int max, char *err, size_t errlen);
void store_addrs_format(const struct policy_addr *a, int n, struct buf *out);

/* A workload's row. */
struct store_workload {
	struct policy_workload w;	/* labels owned: store_workloads_free() */
	char learned_group[POLICY_NAME_MAX];
	int running;
	int64_t first_seen, last_seen;
};

/*
 * Adds static workload w->name (1-64 characters of [A-Za-z0-9_.-]) with
 * w's addresses, labels and interface (w->iface, "" for none: a name the
 * kernel would take), and sets w->id to "static:NAME" and w->is_static.
 * Refused: "workload 'x' already exists" (a static one, or a running
 * container of that name).
 */
int store_workload_add(sqlite3 *db, struct policy_workload *w, char *err, size_t errlen);
/*
 * Deletes static workload name.  Refused: "workload 'web' is a container;
 * remove it with Docker" (a running container has that name);
 * STORE_NOTFOUND: "workload 'x' does not exist".
 */
int store_workload_delete(sqlite3 *db, const char *name, char *err, size_t errlen);
/* Rows of the workloads table (static ones only if statics_only), by name. */
int store_workload_list(sqlite3 *db, int statics_only, struct store_workload **w, int *n,
    char *err, size_t errlen);
void store_workloads_free(struct store_workload *w, int n);

/* --- sensors (schema/004_sensors.sql; store_sensor.c) ----------------- */

#include "sensor/sensor.h"

struct policy_assign;

/* A sensor's row, with what `nvctl sensor list` shows. */
struct store_sensor {
	char name[SENSOR_NAME_MAX];
	enum sensor_type type;
	int builtin;
	char source[256];		/* built in: its rule file's name */
	int64_t created, updated;
	int nrules, nassigned;
};

/*
 * User sensors.  add: rules_name_check()'s errors, "sensor names starting
 * with 'sensor.' are kept for the built-in sensors", "sensor 'x' already
 * exists", "at most 64 sensors".  delete: "sensor 'x' is built in (from
 * waf.rules)", "sensor 'x' is assigned to group 'web'; unassign it
 * first"; STORE_NOTFOUND: "sensor 'x' does not exist".
 */
int store_sensor_add(sqlite3 *db, const char *name, enum sensor_type type, char *err,
    size_t errlen);
int store_sensor_delete(sqlite3 *db, const char *name, char *err, size_t errlen);
/* Every sensor by name into *s (malloc'ed, free() it; NULL when *n is 0). */
int store_sensor_list(sqlite3 *db, struct store_sensor **s, int *n, char *err, size_t errlen);
/*
 * One sensor; with spec not NULL also its rules in order (spec->rules
 * malloc'ed: free() it).  STORE_NOTFOUND.
 */
int store_sensor_get(sqlite3 *db, const char *name, struct store_sensor *s,
    struct sensor_spec *spec, char *err, size_t errlen);
/*
 * Rules of a user sensor.  add checks r whole (name, 1 to 8 patterns, one
 * positive at least, each compiled) and appends it: "sensor 'x' is built
 * in; its rules come from waf.rules", "rule 'r' already exists in sensor
 * 'x'", "at most 256 rules in a sensor"; STORE_NOTFOUND for the sensor,
 * or (delete) "sensor 'x' has no rule 'r'".
 */
int store_sensor_rule_add(sqlite3 *db, const char *sensor, const struct sensor_rule_spec *r,
    char *err, size_t errlen);
int store_sensor_rule_delete(sqlite3 *db, const char *sensor, const char *rule, char *err,
    size_t errlen);
/*
 * What store_sensor_rule_add() checks of r: its name, 1 to 8 patterns,
 * one positive at least, each compiled; 0, or -1 with err ("rule 'r'
 * pattern 2: missing closing parenthesis at offset 7").
 */
int store_sensor_rule_check(const struct sensor_rule_spec *r, char *err, size_t errlen);
/*
 * Stores rule r of sensor at position ord (created t), inside the
 * caller's transaction, unchecked (store_sensor_rule_check()).
 */
int store_sensor_rule_insert(sqlite3 *db, const char *sensor, const struct sensor_rule_spec *r,
    int64_t ord, int64_t t, char *err, size_t errlen);
/* Whether two sensors have the same type and the same rules, in order. */
int store_sensor_rules_equal(const struct sensor_spec *a, const struct sensor_spec *b);
/*
 * Assigns sensor to group (any kind) with action deny or alert, and for
 * sensor.crs a paranoia level (1-4) and an anomaly threshold (1-10000),
 * 0 for the defaults (1 and 5), replacing an assignment there already;
 * unassign removes it.  Refused: "--paranoia and --threshold are for
 * sensor.crs only", "paranoia level 5: expected 1 to 4", "threshold
 * 0: ...".  STORE_NOTFOUND: "group 'g' does not exist", "sensor 'x' does
 * not exist", "sensor 'x' is not assigned to group 'g'".
 */
int store_sensor_assign(sqlite3 *db, const char *group, const char *sensor, int deny,
    int paranoia, int threshold, char *err, size_t errlen);
int store_sensor_unassign(sqlite3 *db, const char *group, const char *sensor, char *err,
    size_t errlen);
/* Assignments by group, then sensor; group or sensor NULL: any.  *a malloc'ed. */
int store_sensor_assignments(sqlite3 *db, const char *group, const char *sensor,
    struct policy_assign **a, int *n, char *err, size_t errlen);
/* Every sensor with its rules, by name (policy_input's sensors). */
int store_sensor_specs(sqlite3 *db, struct sensor_spec **s, int *n, char *err, size_t errlen);
/* Frees the rules of s[0..n-1] and s. */
void store_sensor_specs_free(struct sensor_spec *s, int n);

/*
 * sensors_load_dir()'s step (rules_file.h): every rule file of rules_dir,
 * each with its sensors, or skipped: then the sensors stored from it stay
 * as they are.  One transaction: the sensors of the files not skipped are
 * stored as built in (rules replaced where they changed); the built-in
 * sensors of those files, or of files not in the list, that none of them
 * defines any more are deleted with their assignments (logged).  Refused:
 * "sensor 'x' is a user sensor", "more than 64 sensors (70 with the rule
 * files')".
 */
struct store_sensor_file {
	const char *name;		/* in rules_dir, as the sensors' source */
	int skipped;
	const struct sensor_spec *sensors;
	int nsensors;
};
int store_sensor_builtin_sync(sqlite3 *db, const struct store_sensor_file *f, int n,
    char *err, size_t errlen);

/* --- threat detectors (schema/015_threats.sql; store_threat.c) --------- */

#include "threat/threat_def.h"

/* A detector's row: what is in effect, and where it comes from. */
struct store_threat {
	int id;				/* enum threat_id */
	struct threat_conf conf;	/* in effect: file's, then nvctl's over it */
	struct threat_conf file;	/* the rule file's, or built in */
	char source[256];		/* that rule file's name, "" for built in */
	int user_enabled, user_deny;	/* nvctl's, or -1 */
	int64_t user_param[THREAT_PARAMS_MAX];	/* nvctl's, or -1 */
	int64_t updated;
};

/* Every detector, by id, into out (those without a row yet as built in). */
int store_threat_list(sqlite3 *db, struct store_threat out[THREAT_COUNT], char *err,
    size_t errlen);
/* What is in effect, for policy_input's threats. */
int store_threat_load(sqlite3 *db, struct threat_set *s, char *err, size_t errlen);

/* What `nvctl threat set NAME` changes: -1 where it says nothing. */
struct store_threat_change {
	int reset;			/* drop nvctl's values first (back to the file's) */
	int enabled;			/* 1 or 0 */
	int deny;			/* 1 deny, 0 alert */
	int64_t param[THREAT_PARAMS_MAX];
};
/*
 * Stores nvctl's values of detector id (parameters checked against their
 * bounds by the caller).  Refused: threat_conf_check()'s errors ("release
 * (900) must not be above syns (800)").
 */
int store_threat_set(sqlite3 *db, int id, const struct store_threat_change *c, char *err,
    size_t errlen);
/*
 * Detector id's state (enabled 1 or 0) and action (deny 1 or 0) for group,
 * -1 keeping what the group had; both -1 removes the group's setting.
 * STORE_NOTFOUND: "group 'g' does not exist".
 */
int store_threat_group_set(sqlite3 *db, const char *group, int id, int enabled, int deny,
    char *err, size_t errlen);
/* Every group setting, by group then detector (*a malloc'ed). */
int store_threat_groups(sqlite3 *db, struct policy_threat_group **a, int *n, char *err,
    size_t errlen);

/*
 * The rule files' threat blocks (rules_file.h), as sensors_load_dir()
 * read them: a detector a file not skipped sets gets that file's setting
 * (source: the file); one a skipped file set stays as stored; every other
 * gets the built-in setting.  nvctl's values are kept.  One transaction.
 */
struct rules_threat;
struct store_threat_file {
	const char *name;		/* in rules_dir */
	int skipped;
	const struct rules_threat *threats;
	int nthreats;
};
int store_threat_sync(sqlite3 *db, const struct store_threat_file *f, int n, char *err,
    size_t errlen);

#endif
