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
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

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

#endif
