/*
 * responder.h: response rules at work (nvd(8), RESPONSE).  The writer
 * thread hands the responder every event before it writes it: the rules
 * that fire (response.h) are counted; suppress-log keeps the event out of
 * the table and out of every webhook; webhooks get the event as JSON once
 * it is committed; quarantine stores the event's source workload as
 * quarantined, writes an event of type quarantine, and asks for a policy
 * rebuild, which drops the workload's traffic in the kernel and in the
 * workers (policy.h, nft.h).
 *
 * The rules are a response_set the main thread hands over whenever they
 * change (responder_set_rules()); the writer takes the newest at the
 * start of each batch.  Group membership and the workload to quarantine
 * are judged with the running policy snapshot, which the writer holds
 * through a reader slot of live (live_add_reader()).
 *
 * Threads: responder_init(), responder_destroy() on the main thread before
 * and after the writer runs; responder_set_rules() and
 * responder_snapshot() from any thread; the rest on the writer thread.
 */
#ifndef NVD_RESPONDER_H
#define NVD_RESPONDER_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "policy/response.h"
#include "runtime/event.h"

struct live;
struct webhook;
struct responder_post;

struct responder_stats {
	uint64_t evaluated;		/* events the rules looked at */
	uint64_t fired;			/* rules that fired, summed over events */
	uint64_t suppressed;		/* events not written (suppress-log) */
	uint64_t quarantined;		/* workloads quarantined */
	uint64_t no_source;		/* quarantine asked for an event whose source is
					 * no workload (or not a member): nothing done */
	uint64_t webhooks;		/* posts handed to the webhook thread */
	int rules, enabled;		/* in the set in use */
};

struct responder {
	struct live *live;		/* NULL: no snapshot (group members are the
					 * events' own groups; nothing is quarantined) */
	int reader;			/* live's reader slot */
	struct webhook *wh;		/* NULL: webhooks are not sent */
	/* Called on the writer thread after a batch that quarantined a
	 * workload was committed (NULL: nothing). */
	void (*on_quarantine)(void *ctx);
	void *ctx;

	pthread_mutex_t lock;		/* next, st */
	struct response_set *next;	/* handed over, not taken yet */
	struct responder_stats st;

	/* The writer thread's. */
	struct response_set *cur;
	const struct policy *pol;	/* the snapshot of this batch, or NULL */
	sqlite3 *db;
	sqlite3_stmt *count_st, *quarantine_st;
	uint64_t *fired, *suppressed;	/* this batch, per rule of cur */
	int64_t *last_ms;
	struct responder_post *posts;	/* webhooks of this batch */
	int nposts, capposts;
	int quarantines;		/* committed with this batch */
	struct responder_stats pend;
};

/* Returns 0, or -1 (no reader slot left in live). */
int responder_init(struct responder *r, struct live *live, struct webhook *wh);
void responder_destroy(struct responder *r);
/* Any thread: s (owned by the responder from now) replaces the rules. */
void responder_set_rules(struct responder *r, struct response_set *s);
void responder_snapshot(struct responder *r, struct responder_stats *out);

/* --- the writer thread --------------------------------------------------- */

/* A batch starts on connection db: the newest rules and snapshot. */
void responder_begin(struct responder *r, sqlite3 *db);
/*
 * The rules that fire for ev, into f.  Returns 1 when ev is suppressed:
 * it must not be written.
 */
int responder_judge(struct responder *r, const struct event_rec *ev, struct response_fire *f);
/*
 * ev was written as row id (0: it could not be): its webhooks are
 * prepared and, if asked, its source quarantined.  Returns 1 with the
 * quarantine's own event in *q, to be written (and judged) in turn.
 */
int responder_act(struct responder *r, const struct event_rec *ev, int64_t id,
    const struct response_fire *f, struct event_rec *q);
/* Before the batch's commit: the rules' counters.  0, or -1 with the
 * database's error (the batch stands, the counts are lost). */
int responder_flush(struct responder *r);
/* After it: the webhooks go (committed) or are forgotten. */
void responder_end(struct responder *r, int committed);
/* The writer holds no snapshot (between batches). */
void responder_idle(struct responder *r);
/* The writer closes db: the statements go first. */
void responder_close(struct responder *r);

#endif
