/*
 * dbread.h: a deadline for the main thread's long reads of the database
 * (the dashboard, the conversation graph).  They run on the main loop,
 * which also serves the other clients of the control socket and rebuilds
 * the policy: a statement still running when the deadline passes is
 * interrupted (SQLITE_INTERRUPT), and the request fails with a message
 * saying how to narrow it, rather than holding everything up.
 *
 * Threads: the main thread, on its own connection.
 */
#ifndef NVD_DBREAD_H
#define NVD_DBREAD_H

#include <sqlite3.h>
#include <stdint.h>

#define DBREAD_MS	3000	/* a request's reads, all together */

struct dbread {
	uint64_t end_ms;	/* clock_mono_ms() */
	int expired;
};

/* From now on, statements on db stop once ms have passed. */
void dbread_start(sqlite3 *db, struct dbread *r, int ms);
/* The deadline off again. */
void dbread_stop(sqlite3 *db);

#endif
