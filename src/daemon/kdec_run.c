#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "daemon/kdec_run.h"
#include "kernel/nft.h"
#include "policy/kdec.h"

void
kdec_run_install(struct kdec_run *k, const struct conf *c)
{
	k->on = c->kernel_decide && c->install_rules && nft_kdec_install(c) == 0;
	kdec_run_free(k);	/* the new table's sets are empty */
	if (c->kernel_decide && !k->on)
		log_warnx("kernel decisions off: nvd judges every connection");
}

static uint64_t
mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x100000001b3ull;
	return h ^ h >> 29;
}

static uint64_t
table_sum(const struct kdec_table *t)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (int i = 0; i < t->naddrs; i++) {
		const struct kdec_addr *a = &t->addrs[i];
		uint64_t x, y;

		memcpy(&x, a->addr, 8);
		memcpy(&y, a->addr + 8, 8);
		h = mix(mix(mix(h, x), y), (uint64_t)a->family << 48 ^ (uint64_t)a->ifindex << 16 ^
		    a->cls);
	}
	for (int i = 0; i < t->nelems; i++) {
		const struct kdec_elem *e = &t->elems[i];

		/* the rule too: its hits are counted by what cur says */
		h = mix(mix(mix(h, (uint64_t)e->from << 32 | e->to),
		    (uint64_t)e->proto << 32 | (uint64_t)e->lo << 16 | e->hi), (uint64_t)e->rule_id);
	}
	return mix(h, (uint64_t)t->naddrs << 32 | (uint32_t)t->nelems);
}

/* What kdec_run_poll() reads: the elements and their counts. */
struct poll_ctx {
	struct kdec_count *c;
	int n, cap, oom;
};

static void
count_one(void *ctx, const struct kdec_elem *e, uint64_t packets)
{
	struct poll_ctx *pc = ctx;

	if (pc->n == pc->cap) {
		int cap = pc->cap ? pc->cap * 2 : 256;
		struct kdec_count *c = realloc(pc->c, (size_t)cap * sizeof(*c));

		if (c == NULL) {
			pc->oom = 1;
			return;
		}
		pc->c = c;
		pc->cap = cap;
	}
	pc->c[pc->n].e = *e;
	pc->c[pc->n++].packets = packets;
}

void
kdec_run_poll(struct kdec_run *k, const struct conf *c, uint64_t now)
{
	struct poll_ctx pc = { NULL, 0, 0, 0 };

	if (!k->on || !k->known || (now && now - k->poll_ms < KDEC_POLL_MS))
		return;
	k->poll_ms = now ? now : clock_mono_ms();
	if (nft_kdec_counts(c, count_one, &pc) < 0 || pc.oom) {
		free(pc.c);
		return;		/* counted at the next look */
	}
	if (pc.n > 1)
		qsort(pc.c, (size_t)pc.n, sizeof(*pc.c), kdec_elem_cmp);
	for (int i = 0; i < pc.n; i++) {
		const struct kdec_count *was = k->nseen ? bsearch(&pc.c[i], k->seen,
		    (size_t)k->nseen, sizeof(*k->seen), kdec_elem_cmp) : NULL;
		const struct kdec_elem *e = k->cur.nelems ? bsearch(&pc.c[i].e, k->cur.elems,
		    (size_t)k->cur.nelems, sizeof(*k->cur.elems), kdec_elem_cmp) : NULL;
		uint64_t n = pc.c[i].packets;

		/* an element made anew counts from 0 */
		if (was && was->packets <= n)
			n -= was->packets;
		if (n && e && e->rule_id && k->hit) {
			k->hit(k->hit_ctx, e->rule_id, n);
			k->hits += n;
		}
	}
	free(k->seen);
	k->seen = pc.c;
	k->nseen = pc.n;
}

/* The sets hold t now (its arrays are k's from here on). */
static void
told(struct kdec_run *k, struct kdec_table *t, uint64_t sum)
{
	policy_kdec_free(&k->cur);
	k->cur = *t;
	memset(t, 0, sizeof(*t));
	k->known = 1;
	k->sum = sum;
	k->classes = k->cur.classes;
	k->pairs = k->cur.pairs;
	k->elems = k->cur.nelems;
	k->addrs = k->cur.naddrs;
}

int
kdec_run_steer(struct kdec_run *k, const struct conf *c, const struct policy *p)
{
	struct kdec_table t, none;
	uint64_t sum, t0;
	int rc = 0, full = 0;

	if (!k->on)
		return 0;
	if (policy_kdec(p, &t) < 0)
		log_warnx("kernel decisions: no memory to compile the policy: nvd judges every "
		    "connection");
	if (t.over && !k->over)
		log_warnx("kernel decisions: more than %d classes of workloads, %d elements or %d "
		    "rules between two workloads: nvd judges every connection", KDEC_MAX_CLASSES,
		    KDEC_MAX_ELEMS, KDEC_MAX_SPECS);
	k->over = t.over;
	sum = table_sum(&t);
	if (k->known && sum == k->sum)
		goto out;
	kdec_run_poll(k, c, 0);	/* what the elements that go counted */
	t0 = clock_mono_ms();
	/* What changed; else (the sets are not what nvd told them) all of it. */
	if ((k->known && nft_kdec_set(c, &k->cur, &t) == 0) ||
	    (full = 1, nft_kdec_set(c, NULL, &t) == 0)) {
		k->batch_ms = clock_mono_ms() - t0;
		if (full)
			k->fill_ms = k->batch_ms;
		k->updates++;
		log_debug("kernel decisions: %d classes, %d class pairs, %d elements, %d addresses "
		    "(%llu ms)", t.classes, t.pairs, t.nelems, t.naddrs,
		    (unsigned long long)k->batch_ms);
		told(k, &t, sum);
		goto out;
	}
	/* The sets are as they were, for an older snapshot: emptied, the
	 * kernel decides nothing and nvd judges by p. */
	k->failures++;
	memset(&none, 0, sizeof(none));
	if (nft_kdec_set(c, NULL, &none) == 0) {
		told(k, &none, table_sum(&none));
		log_warnx("kernel decisions: the sets could not take the policy; emptied: nvd "
		    "judges every connection until the next change");
	} else {
		k->known = 0;
		rc = -1;
	}
out:
	policy_kdec_free(&t);
	return rc;
}

void
kdec_run_free(struct kdec_run *k)
{
	policy_kdec_free(&k->cur);
	k->known = 0;
	free(k->seen);
	k->seen = NULL;
	k->nseen = 0;
}

void
kdec_run_json(struct buf *o, const struct kdec_run *k, const struct conf *c,
    uint64_t nvd_judged)
{
	uint64_t flows = 0;
	int known = k->on && nft_kdec_flows(c, &flows) == 0;

	buf_printf(o, ",\"kernel_decisions\":{\"enabled\":%s,\"flows\":", k->on ? "true" : "false");
	if (known)
		buf_printf(o, "%llu", (unsigned long long)flows);
	else
		buf_puts(o, "null");
	buf_printf(o, ",\"nvd_flows\":%llu,\"classes\":%d,\"pairs\":%d,\"elements\":%d,"
	    "\"addresses\":%d,\"over_bound\":%s,\"updates\":%llu,\"failures\":%llu,"
	    "\"batch_seconds\":%.3f,\"fill_seconds\":%.3f,\"rule_hits\":%llu}",
	    (unsigned long long)nvd_judged, k->classes, k->pairs, k->elems, k->addrs,
	    k->over ? "true" : "false", (unsigned long long)k->updates,
	    (unsigned long long)k->failures, (double)k->batch_ms / 1e3,
	    (double)k->fill_ms / 1e3, (unsigned long long)k->hits);
}

void
kdec_run_text(struct buf *o, const struct kdec_run *k, const struct conf *c,
    uint64_t nvd_judged)
{
	uint64_t flows = 0;

	if (!k->on) {
		buf_printf(o, "connections judged by nvd %llu; kernel decisions off\n",
		    (unsigned long long)nvd_judged);
		return;
	}
	if (nft_kdec_flows(c, &flows) < 0)
		flows = 0;
	buf_printf(o, "connections decided in the kernel %llu, judged by nvd %llu; kernel "
	    "decisions: %d classes, %d class pairs, %d elements%s (last batch %llu ms, %llu "
	    "failed)\n", (unsigned long long)flows, (unsigned long long)nvd_judged, k->classes,
	    k->pairs, k->elems, k->over ? ", over a bound: off" : "",
	    (unsigned long long)k->batch_ms, (unsigned long long)k->failures);
}
