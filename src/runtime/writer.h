/*
 * writer.h: the writer thread, the only writer of events, learned rules and
 * rule hit counts.  It drains the workers' event rings (event.h) and writes
 * in batches, one transaction per batch, on a database connection of its
 * own, so the packet path never waits on SQLite.
 *
 * Learning aggregates: records for the same (from, to, protocol, port, app)
 * become one learned rule whose hits grow and whose last_seen moves; when
 * one (from, to, protocol) pair has learned more than LEARN_EPHEMERAL_MAX
 * distinct server ports in the ephemeral range, they are folded into one
 * rule for the range (proto/32768-65535), and later ports in it only add
 * hits.  After a batch that created or changed learned rules, the
 * on_learned callback runs (on the writer thread) so the policy can be
 * rebuilt.
 */
#ifndef NVD_WRITER_H
#define NVD_WRITER_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "runtime/event.h"
#include "base/types.h"

#define LEARN_EPHEMERAL_LO	32768
#define LEARN_EPHEMERAL_MAX	8
#define WRITER_MAX_RINGS	(MAX_QUEUES + 4)
#define WRITER_BATCH		4096	/* records per transaction at most */

struct writer_stats {
	uint64_t events_written;
	uint64_t events_dropped;	/* refused by full rings, all rings */
	uint64_t learned;		/* learn records applied */
	uint64_t rules_created;		/* learned rules that did not exist */
	uint64_t hits;			/* hit records applied */
	uint64_t conversations;		/* conversation records applied */
	uint64_t db_errors;
};

struct writer {
	sqlite3 *db;
	struct event_ring *rings[WRITER_MAX_RINGS];
	int nrings;
	int wake_fd;			/* eventfd; the rings' producers signal it */
	void (*on_learned)(void *ctx);
	void *ctx;
	pthread_t thread;
	int started;
	int stop;
	pthread_mutex_t lock;		/* st */
	struct writer_stats st;
	/* private: drop logging */
	uint64_t dropped_logged;
	int dropping;
	struct writer_priv *priv;	/* statements, batch buffer (writer.c) */
};

/*
 * Opens its own connection to the (already migrated) database at path and
 * the eventfd.  Returns 0, or -1 with err.
 */
int writer_init(struct writer *w, const char *db_path, char *err, size_t errlen);
/*
 * Before writer_start() only.  A ring whose wake_fd is -1 is given the
 * writer's.  At most WRITER_MAX_RINGS; more are refused with a log line.
 */
void writer_add_ring(struct writer *w, struct event_ring *r);
int writer_start(struct writer *w);
/*
 * Drains every ring, writes what is left, joins the thread, closes.  Call
 * it after the producers stopped.  Safe on a writer whose init failed or
 * that was never started (it then drains on the calling thread).
 */
void writer_stop(struct writer *w);
/*
 * Drains the rings and writes now; returns when the records that were in
 * the rings when it was called are in the database.  For the writer
 * thread's own loop and for unit tests that run without the thread;
 * never while the thread runs.
 */
void writer_drain(struct writer *w);
/* Any thread. */
void writer_snapshot(struct writer *w, struct writer_stats *out);

#endif
