/*
 * live.h: the running policy.  Holds the current snapshot (policy.h) that
 * workers read without locks, the set of live workloads (from Docker and
 * static ones), and rebuilds and swaps the snapshot when either changes.
 *
 * Swapping: live_rebuild() compiles a new snapshot and publishes it with one
 * atomic store; workers load the pointer for each packet (live_current())
 * and report in live_quiesce(), from their periodic tick, that they hold no
 * older pointer.  A replaced snapshot is freed once every worker has
 * reported after the swap (live_reclaim(), called by the main loop).
 *
 * Threads: live_current() and live_quiesce() are for workers (no lock).
 * Workload changes and live_request_rebuild() may come from any thread
 * (docker thread, writer thread, control); live_rebuild() and
 * live_refresh() run on the main thread only, which owns the database
 * connection they read.
 *
 * Bypass generation (nvd.h): flows the kernel bypasses are accepted only
 * while their conntrack mark has the current generation.  A rebuild that
 * may tighten the policy asks the daemon (l->tighten) to move the kernel to
 * the next generation before the new snapshot is swapped in, so that every
 * bypassed flow comes back to the queue and is judged again.  The
 * generation is carried in bits 32-39 of the snapshot's gen: a worker gets
 * the policy and the generation its bypass marks must carry from one
 * pointer load, and never marks a flow with a generation newer than the
 * policy that judged it.
 */
#ifndef NVD_LIVE_H
#define NVD_LIVE_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "base/conf.h"
#include "base/types.h"
#include "policy/policy.h"
#include "runtime/event.h"
#include "runtime/meter.h"

struct live_retired;

#define LIVE_DEPARTED	64	/* addresses workloads gave up, kept for the workers */
#define LIVE_NUDGE_MS	100	/* at most one nudge to the docker thread per this */
#define LIVE_READERS	(MAX_QUEUES + 1)	/* workers, and the writer (live_add_reader) */

/*
 * An address a workload gave up (it stopped, or left a network), written
 * by the thread that changed the workloads and read by workers without a
 * lock: tag is 0 while never used, LIVE_TAG_BUSY while being written, else
 * the workload change (wl_seq) it went with, shifted, and the family.
 */
struct live_departed {
	uint64_t tag;			/* atomic */
	uint64_t a[2];			/* atomic words: the address, network order */
};

struct live {
	struct policy *cur;		/* atomic; never NULL after live_init */
	uint64_t gen;			/* atomic; bumped at each swap */
	uint64_t seen[LIVE_READERS];	/* atomic; gen each worker last quiesced at */
	int nworkers;			/* workers, then readers (live_add_reader) */

	sqlite3 *db;			/* main thread's connection */
	enum policy_mode default_mode;
	struct policy_resolvers resolvers;	/* main thread's: for each rebuild */
	int wake_fd;			/* eventfd: a rebuild was requested */

	pthread_mutex_t lock;		/* workloads, dirty, wl_seq, nets, departures */
	struct policy_workload *wl;	/* live workloads */
	int nwl, capwl;
	int dirty;
	int seen_pending;		/* main thread: workloads not yet in the table */
	uint64_t wl_seq;		/* workload changes so far; a snapshot keeps the
					 * count it was built at (policy_workloads_seq) */
	struct policy_net *nets;	/* Docker's bridge subnets (live_nets_set) */
	int nnets;

	/*
	 * Addresses the workloads gave up since the snapshot may be a new
	 * container's already: the snapshot still names the old workload.
	 * A ring of the last LIVE_DEPARTED; departed_seq is the wl_seq of
	 * the newest, departed_lost that of the newest one the ring no
	 * longer holds (any address may then be one).  Atomic.
	 */
	struct live_departed departed[LIVE_DEPARTED];
	uint64_t ndeparted;		/* under lock: the next slot, counted */
	uint64_t departed_seq, departed_lost;

	/* Workers nudge the docker thread (live_nudge) through nudge_fd, an
	 * eventfd it polls; nudge_ms (atomic) is the last nudge's time. */
	int nudge_fd;
	uint64_t nudge_ms;

	/*
	 * Workloads that start and stop, as events of type incident
	 * ("workload start", "workload stop"), pushed with lock held by
	 * whichever thread changes the workloads: one producer at a time.
	 * The daemon hands the ring to the writer.
	 */
	struct event_ring events;
	int tighten_asked;		/* atomic: the next rebuild moves the generation */

	struct live_retired *retired;	/* main thread */
	uint64_t rebuilds;
	int64_t last_rebuild_ms;

	/*
	 * Set by the daemon (NULL: the generation never changes).  Called by
	 * a rebuild that may tighten the policy, after compiling the new
	 * snapshot and before swapping it in, with the current generation and
	 * the next one.  Returns the generation the new snapshot carries:
	 * next once the kernel accepts bypassed flows of next only; cur if
	 * that could not be done (the callback logs why); 0 when the rules
	 * are the operator's, which know no other (nvd.h).  Main thread.
	 */
	unsigned (*tighten)(void *ctx, unsigned cur, unsigned next);
	void *tighten_ctx;
	/*
	 * Set by the daemon (NULL: nothing).  Called by every rebuild with the
	 * new snapshot, before tighten and before it is swapped in: the
	 * kernel steers the traffic of its protect-mode workloads to the
	 * protect queues, and decides what it may decide by it (nft.h),
	 * before any worker judges by it.  Returns 0, or -1 when the kernel
	 * still decides by an older policy: the rebuild fails, the snapshot
	 * is not published.  Main thread.
	 */
	int (*compiled)(void *ctx, const struct policy *p);
	void *compiled_ctx;
	uint64_t tightenings;		/* rebuilds that moved to a new generation */
	/* The flood detectors' meters per destination, which every worker
	 * counts into (meter.h; packet/threat.h). */
	struct meter_table meters;
};

#define LIVE_METERS	8192	/* destinations metered at once */

/* Loads the policy from db and builds the first snapshot.  -1 with err. */
int live_init(struct live *l, sqlite3 *db, enum policy_mode default_mode, int nworkers,
    char *err, size_t errlen);
void live_destroy(struct live *l);

/*
 * Main thread: reads groups and rules from the database, creates missing
 * learned groups (in default_mode) for the live workloads, records the
 * workloads as seen, compiles and swaps.  Returns 0, or -1 with err (the
 * old snapshot stays).
 *
 * live_rebuild() is for changes made through nvctl, any of which may
 * tighten the policy (a mode, a deny rule, a deleted allow rule, a group's
 * criteria): it always moves to a new bypass generation.  live_refresh()
 * is for the main loop's rebuilds: learned rules only add allows and do not
 * move it, but a workload change does (an address that moves from one
 * container to another, or that becomes a protected workload, may be
 * allowed less than before).
 */
int live_rebuild(struct live *l, char *err, size_t errlen);
int live_refresh(struct live *l, char *err, size_t errlen);
/* Any thread: asks the main loop for a rebuild (wakes wake_fd). */
void live_request_rebuild(struct live *l);
/*
 * Any thread: the same, for a rebuild that moves every bypassed flow back
 * to the queues (a workload was quarantined: live_rebuild()'s kind).
 */
void live_request_tighten(struct live *l);
/*
 * Before the threads start: a thread other than the workers that reads
 * snapshots (live_current()) gets a slot of its own, which it quiesces
 * like a worker (live_quiesce()) whenever it holds no snapshot.  Returns
 * the slot, or -1 when there is none left.
 */
int live_add_reader(struct live *l);
/* Main loop: frees snapshots no worker can hold any more. */
void live_reclaim(struct live *l);

/* Workers. */
static inline const struct policy *
live_current(struct live *l)
{
	return __atomic_load_n(&l->cur, __ATOMIC_ACQUIRE);
}
static inline uint64_t
live_gen(struct live *l)
{
	return __atomic_load_n(&l->gen, __ATOMIC_ACQUIRE);
}
/* Worker idx holds no snapshot older than the current one. */
static inline void
live_quiesce(struct live *l, int idx)
{
	__atomic_store_n(&l->seen[idx], live_gen(l), __ATOMIC_RELEASE);
}
/* Main thread: the oldest gen a worker may still judge with; every verdict
 * judged with an older snapshot has been handed to the kernel. */
uint64_t live_oldest_seen(struct live *l);

/* The bypass generation of a snapshot gen (policy_gen()). */
static inline unsigned
live_bypass_gen(uint64_t gen)
{
	return (unsigned)(gen >> 32) % NVD_BYPASS_GENS;
}
/* The first snapshot gen after gen with bypass generation bgen.  (2^32
 * swaps in one generation would carry into it: 27 years at the main loop's
 * 5 rebuilds a second.) */
static inline uint64_t
live_gen_next(uint64_t gen, unsigned bgen)
{
	unsigned cur = live_bypass_gen(gen);

	if (bgen % NVD_BYPASS_GENS == cur)
		return gen + 1;
	return ((gen >> 32) + (bgen + NVD_BYPASS_GENS - cur) % NVD_BYPASS_GENS) << 32;
}

/*
 * Workloads (any thread).  live_workload_set() adds or replaces the workload
 * with w->id (deep copy); live_workload_remove() removes it, returning 0 or
 * -1 if there was none.  live_workloads_replace() replaces every non-static
 * workload at once (Docker's full list after a (re)connect).  Each requests a
 * rebuild, and says in an event which workloads started and stopped.
 */
int live_workload_set(struct live *l, const struct policy_workload *w);
int live_workload_remove(struct live *l, const char *id);
int live_workloads_replace(struct live *l, const struct policy_workload *w, int n);
/*
 * Docker's bridge subnets, for the next snapshot (policy_input's nets);
 * requests a rebuild when they changed.  Any thread.  Returns 0, or -1
 * for lack of memory (the old ones stay).
 */
int live_nets_set(struct live *l, const struct policy_net *nets, int n);

/*
 * Workers: whether addr may be a container snapshot p does not know: an
 * address in a container subnet that is no workload's, or that a workload
 * gave up since p was built (its new owner may be another container).
 * The subnet test first (policy_container_addr), then the departures since
 * p.  No lock.
 */
int live_unidentified(struct live *l, const struct policy *p, int family,
    const uint8_t *addr);
/*
 * Workers: asks the docker thread to look for containers it does not know
 * yet (a write to nudge_fd), at most once per LIVE_NUDGE_MS of now_ms
 * (monotonic) among all workers.
 */
void live_nudge(struct live *l, uint64_t now_ms);

#endif
