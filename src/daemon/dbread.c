/*
 * dbread.c: the main thread's long reads, bounded in time (dbread.h).
 */
#include "config.h"

#include <stddef.h>

#include "base/clock.h"
#include "daemon/dbread.h"

/* SQLite's progress handler: non-zero interrupts the statement. */
static int
past(void *arg)
{
	struct dbread *r = arg;

	if (clock_mono_ms() >= r->end_ms)
		r->expired = 1;
	return r->expired;
}

void
dbread_start(sqlite3 *db, struct dbread *r, int ms)
{
	r->end_ms = clock_mono_ms() + (uint64_t)ms;
	r->expired = 0;
	/* Every 1000 virtual machine steps: well under a millisecond. */
	sqlite3_progress_handler(db, 1000, past, r);
}

void
dbread_stop(sqlite3 *db)
{
	sqlite3_progress_handler(db, 0, NULL, NULL);
}
