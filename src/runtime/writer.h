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
 *
 * A drop (the rings refused records) is an event too, written when it
 * starts and when it ends ("ring full", type incident).
 */
#ifndef NVD_WRITER_H
#define NVD_WRITER_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "base/types.h"
#include "runtime/event.h"
#include "runtime/event_log.h"
#include "runtime/retain.h"

struct responder;

#define LEARN_EPHEMERAL_LO	32768
#define LEARN_EPHEMERAL_MAX	8
#define WRITER_MAX_RINGS	(MAX_QUEUES + 4)
#define WRITER_BATCH		4096	/* records per transaction at most */
/*
 * A locked database (another program's transaction, an auditor's
 * BEGIN EXCLUSIVE) puts the batch off: it stays in memory and is tried
 * again after a backoff that doubles from WRITER_BACKOFF_MIN_MS to
 * WRITER_BACKOFF_MAX_MS, each try waiting WRITER_BUSY_MS for the lock;
 * the rings hold what comes meanwhile, and only what overflows them is
 * lost (counted).  A full disk loses the batch: counted in events_dropped
 * and disk_full, logged when it starts and when it ends.  At writer_stop()
 * the batch is tried for WRITER_STOP_MS at most.
 */
#define WRITER_BUSY_MS		50
#define WRITER_BACKOFF_MIN_MS	10
#define WRITER_BACKOFF_MAX_MS	1000
#define WRITER_STOP_MS		5000

struct writer_stats {
	uint64_t events_written;
	uint64_t events_dropped;	/* refused by full rings, all rings, and lost
					 * to a full disk (disk_full) */
	uint64_t learned;		/* learn records applied */
	uint64_t rules_created;		/* learned rules that did not exist */
	uint64_t hits;			/* hit records applied */
	uint64_t conversations;		/* conversation records applied */
	uint64_t db_errors;
	uint64_t busy;			/* batches put off: the database was locked */
	uint64_t disk_full;		/* records lost to a full disk */
	uint64_t deleted;		/* event rows retention deleted */
	uint64_t pcaps_deleted;		/* pcap files retention deleted */
	uint64_t log_lines;		/* JSON lines sent (event_log.h) */
	uint64_t log_dropped;		/* ... and lost */
};

struct writer {
	sqlite3 *db;
	struct event_ring *rings[WRITER_MAX_RINGS];
	int nrings;
	int wake_fd;			/* eventfd; the rings' producers signal it */
	void (*on_learned)(void *ctx);
	void *ctx;
	/* Response rules (responder.h), judged on every event before it is
	 * written; NULL: none.  Set before writer_start(). */
	struct responder *resp;
	pthread_t thread;
	int started;
	int stop;
	pthread_mutex_t lock;		/* st, retain, sink */
	struct writer_stats st;
	struct retain_conf retain;	/* what to keep (writer_set_audit) */
	enum event_log_sink sink;	/* where each event's JSON line goes */
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
 * the rings when it was called are in the database, or when a locked
 * database put a batch off (the next call tries it again once its
 * backoff is over).  For the writer thread's own loop and for unit tests
 * that run without the thread; never while the thread runs.
 */
void writer_drain(struct writer *w);
/* A batch is put off; writer_drain() tries it at clock_mono_ms() *at. */
int writer_waiting(struct writer *w, uint64_t *at);
/*
 * Any thread: what retention keeps and where each event's JSON line goes,
 * from the next look on (retain.h, event_log.h).  Both are off until
 * this is called.
 */
void writer_set_audit(struct writer *w, const struct retain_conf *rc,
    enum event_log_sink sink);
/*
 * The writer's own work besides batches, for its thread and for tests:
 * one step of retention, and the JSON line sink as set.  Returns 1 when
 * more retention is due at once.
 */
int writer_housekeeping(struct writer *w);
/* Any thread. */
void writer_snapshot(struct writer *w, struct writer_stats *out);

#endif
