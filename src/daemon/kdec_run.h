/*
 * kdec_run.h: decisions in the kernel (nvd(8), KERNEL DECISIONS) as the
 * daemon runs them: the bridge table made at start, each snapshot's
 * decisions (policy/kdec.h) given to the kernel before the snapshot is
 * published, and what nvctl status says of them.  Main thread.
 */
#ifndef NVD_KDEC_RUN_H
#define NVD_KDEC_RUN_H

#include <stdint.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/kdec.h"
#include "policy/policy.h"

struct kdec_run {
	int on;			/* the bridge table and the rules are in */
	int known;		/* the sets hold cur */
	struct kdec_table cur;
	uint64_t sum;		/* cur, hashed */
	int classes, pairs, elems, addrs;
	int over;		/* the last snapshot passed a bound (policy/kdec.h) */
	uint64_t updates;	/* batches that changed the sets */
	uint64_t failures;	/* ... that failed (the sets were emptied) */
	uint64_t batch_ms;	/* the last batch's time */
	uint64_t fill_ms;	/* ... of the last that filled the sets whole */
	/*
	 * Rule hits: each element counts the connections it allowed (its
	 * first packets); what it counted since the last look goes to hit()
	 * as its rule's hits.  seen: the counts of that look, by
	 * kdec_elem_cmp().  Set hit before the first kdec_run_steer().
	 */
	void (*hit)(void *ctx, int64_t rule_id, uint64_t n);
	void *hit_ctx;
	struct kdec_count {
		struct kdec_elem e;
		uint64_t packets;
	} *seen;
	int nseen;
	uint64_t poll_ms;	/* clock_mono_ms() of the last look */
	uint64_t hits;		/* hits handed to hit() */
};

#define KDEC_POLL_MS	2000	/* the rules' hit counts are this late at most */

/* c->kernel_decide: makes the bridge table (nft.h); k->on says whether
 * the kernel decides from now on.  At start, and when the table is made
 * anew. */
void kdec_run_install(struct kdec_run *k, const struct conf *c);
/*
 * The kernel decides by p from now on: what changed in its sets since the
 * last call goes to it in one batch (all of them, when that fails).  When
 * that fails too, they are emptied (the kernel then decides nothing).  Returns 0, or -1 when neither could be done:
 * the kernel still decides by an older snapshot, and p must not be
 * published.
 */
int kdec_run_steer(struct kdec_run *k, const struct conf *c, const struct policy *p);
/* Frees what k keeps of the sets (at stop). */
void kdec_run_free(struct kdec_run *k);
/* The elements' counts into rule hits, when KDEC_POLL_MS passed since the
 * last look (now: clock_mono_ms()), or now when now is 0. */
void kdec_run_poll(struct kdec_run *k, const struct conf *c, uint64_t now);
/*
 * Status: the "kernel_decisions" member (a comma before it) or its text
 * line; nvd_judged: the connections the workers judged.
 */
void kdec_run_json(struct buf *o, const struct kdec_run *k, const struct conf *c,
    uint64_t nvd_judged);
void kdec_run_text(struct buf *o, const struct kdec_run *k, const struct conf *c,
    uint64_t nvd_judged);

#endif
