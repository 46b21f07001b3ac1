/*
 * retain.h: how long the audit log keeps what it holds (nvd.conf(5),
 * AUDIT LOG), enforced by the writer thread between its batches.
 *
 * Events older than event_retention_days and all but the newest
 * event_retention_rows (by id) are deleted oldest first, at most
 * RETAIN_CHUNK rows per statement, so that a large trim never holds the
 * database for long and the next batch of events goes in between.  The
 * pcap files nvd wrote in pcap_dir (nvd-TIME-qQUEUE-N.pcap; other files
 * are left alone) are deleted oldest first while there are more than
 * pcap_retention_files, or more than pcap_retention_bytes of them, or
 * they are older than event_retention_days.  0 turns a bound off.
 */
#ifndef NVD_RETAIN_H
#define NVD_RETAIN_H

#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>

#include "base/log.h"

#define RETAIN_CHUNK		2000	/* rows one statement deletes at most */
#define RETAIN_EVERY_MS		1000	/* between looks at the events table */
#define RETAIN_PCAP_EVERY_MS	60000	/* between scans of pcap_dir ... */
#define RETAIN_PCAP_SOON_MS	1000	/* ... or this after a new pcap file */
#define RETAIN_PCAP_MAX		1000000	/* files one scan considers */

struct retain_conf {
	uint32_t days;
	uint64_t rows;
	uint64_t pcap_files, pcap_bytes;
	char pcap_dir[PATH_MAX];	/* "": no pcap files */
};

enum retain_stmt { RS_AGE, RS_RANGE, RS_ROWS, RS_COUNT };

struct retain {
	sqlite3_stmt *st[RS_COUNT];
	uint64_t next_ms;		/* clock_mono_ms() of the next look at events */
	uint64_t pcap_next_ms;		/* ... and of the next scan of pcap_dir */
	uint64_t deleted;		/* event rows deleted */
	uint64_t pcaps_deleted;		/* pcap files deleted */
	struct log_limit lim;
};

/* Prepares the statements on db (the writer's connection).  0, or -1 with err. */
int retain_init(struct retain *r, sqlite3 *db, char *err, size_t errlen);
void retain_free(struct retain *r);
/* A pcap file was written at now (monotonic ms): pcap_dir is scanned soon. */
void retain_pcap_written(struct retain *r, uint64_t now);
/*
 * Deletes what c says is due: one chunk of event rows at most, and the
 * pcap files when a scan is due.  now: clock_mono_ms(); real:
 * clock_real_ms().  Returns 1 when more rows are due at once (call again
 * after the next batch), 0 otherwise.  A locked database puts the work
 * off to the next look.
 */
int retain_step(struct retain *r, sqlite3 *db, const struct retain_conf *c, uint64_t now,
    int64_t real);

#endif
