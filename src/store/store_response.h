/*
 * store_response.h: response rules and quarantined workloads in SQLite
 * (schema/014_response.sql).  As in store.h: 0 on success, -1 with one
 * line in err, or STORE_NOTFOUND; a failed call changes nothing.
 *
 * Threads: the main thread's connection.  The writer thread counts rule
 * firings and quarantines workloads on its own (runtime/responder.c).
 */
#ifndef NVD_STORE_RESPONSE_H
#define NVD_STORE_RESPONSE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"
#include "policy/response.h"

/*
 * Adds rule r (checked whole: response_rule_check()) enabled, and sets
 * r->id; in a transaction of its own, or in the caller's if one is open.  Refused: "group 'x' does not exist" (STORE_NOTFOUND), "at most
 * 1024 response rules".
 */
int store_response_add(sqlite3 *db, struct response_rule *r, char *err, size_t errlen);
/* Every rule by id into *r (malloc'ed, free() it), *n of them. */
int store_response_list(sqlite3 *db, struct response_rule **r, int *n, char *err,
    size_t errlen);
/* STORE_NOTFOUND: "response rule 7 does not exist". */
int store_response_get(sqlite3 *db, int64_t id, struct response_rule *r, char *err,
    size_t errlen);
int store_response_enable(sqlite3 *db, int64_t id, int enabled, char *err, size_t errlen);
int store_response_delete(sqlite3 *db, int64_t id, char *err, size_t errlen);

/* A quarantined workload's row. */
struct store_quarantine {
	struct policy_quarantine q;	/* id and name */
	char image[POLICY_IMAGE_MAX];
	char addresses[POLICY_MAX_ADDRS * 48];
	int64_t rule_id, event_id;	/* 0: none */
	char reason[256];
	int64_t since;
};

/* Every row by name into *q (malloc'ed), *n of them. */
int store_quarantine_list(sqlite3 *db, struct store_quarantine **q, int *n, char *err,
    size_t errlen);
/* The same, as the policy takes them (policy_input's quarantine). */
int store_quarantine_load(sqlite3 *db, struct policy_quarantine **q, int *n, char *err,
    size_t errlen);
/*
 * Releases the workload named workload, or whose id is workload or starts
 * with it (12 characters at least): its rows are deleted and returned in
 * *q (malloc'ed), *n of them.  STORE_NOTFOUND: "workload 'x' is not
 * quarantined".
 */
int store_quarantine_release(sqlite3 *db, const char *workload, struct store_quarantine **q,
    int *n, char *err, size_t errlen);

#endif
