/*
 * event_agg.c: rows of alike violations (event_agg.h), in a small table
 * with two open-addressing indexes: by the whole key, and by the key
 * without the destination port (the pair), whose first row counts the
 * pair's exact rows and points at its folded row.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/objects.h"
#include "runtime/event_agg.h"

#define INDEX_SLOTS	(EVENT_AGG_ROWS * 4)	/* a power of two */

struct event_agg_row {
	struct event_rec ev;
	uint32_t count;
	int fold;			/* a folded row: ports lo-hi, nports of them */
	uint16_t lo, hi;
	uint32_t nports;
	/* On a pair's first row: its exact rows, and its folded row or -1. */
	int nexact;
	int fold_row;
};

int
event_agg_init(struct event_agg *a)
{
	memset(a, 0, sizeof(*a));
	a->rows = calloc(EVENT_AGG_ROWS, sizeof(*a->rows));
	a->exact = malloc(INDEX_SLOTS * sizeof(*a->exact));
	a->pair = malloc(INDEX_SLOTS * sizeof(*a->pair));
	if (a->rows == NULL || a->exact == NULL || a->pair == NULL) {
		event_agg_destroy(a);
		return -1;
	}
	memset(a->exact, 0xff, INDEX_SLOTS * sizeof(*a->exact));
	memset(a->pair, 0xff, INDEX_SLOTS * sizeof(*a->pair));
	return 0;
}

void
event_agg_destroy(struct event_agg *a)
{
	free(a->rows);
	free(a->exact);
	free(a->pair);
	memset(a, 0, sizeof(*a));
}

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* The pair's key: everything alike events share but the destination port. */
static uint64_t
pair_hash(const struct event_rec *e)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv(h, &e->type, 1);
	h = fnv(h, &e->action, 1);
	h = fnv(h, &e->proto, 1);
	h = fnv(h, &e->family, sizeof(e->family));
	h = fnv(h, e->src, sizeof(e->src));
	h = fnv(h, e->dst, sizeof(e->dst));
	h = fnv(h, &e->rule_id, sizeof(e->rule_id));
	h = fnv(h, e->name, strnlen(e->name, sizeof(e->name)));
	return fnv(h, e->reason, strnlen(e->reason, sizeof(e->reason)));
}

static int
same_pair(const struct event_rec *a, const struct event_rec *b)
{
	return a->type == b->type && a->action == b->action && a->proto == b->proto &&
	    a->family == b->family && !memcmp(a->src, b->src, sizeof(a->src)) &&
	    !memcmp(a->dst, b->dst, sizeof(a->dst)) && a->rule_id == b->rule_id &&
	    !strncmp(a->name, b->name, sizeof(a->name)) &&
	    !strncmp(a->reason, b->reason, sizeof(a->reason));
}

/* The slot of the row like e in index ix (pair: by its pair), or the free
 * slot where it would go. */
static int
probe(const struct event_agg *a, const int16_t *ix, const struct event_rec *e, int pair)
{
	uint64_t h = pair_hash(e);
	uint32_t i;

	if (!pair)
		h = fnv(h, &e->dst_port, sizeof(e->dst_port));
	for (i = (uint32_t)(h ^ h >> 32) & (INDEX_SLOTS - 1); ix[i] >= 0;
	    i = (i + 1) & (INDEX_SLOTS - 1)) {
		const struct event_agg_row *r = &a->rows[ix[i]];

		if (same_pair(&r->ev, e) && (pair || (!r->fold && r->ev.dst_port == e->dst_port)))
			break;
	}
	return (int)i;
}

/* A folded row's message: its ports instead of the first one's. */
static void
fold_message(struct event_agg_row *r, struct event_rec *out)
{
	const char *tail = strstr(r->ev.message, ": ");
	char word[12];

	snprintf(out->message, sizeof(out->message), "%.50s -> %.50s %s/%u-%u (%u ports)%s",
	    r->ev.src_group, r->ev.dst_group, policy_proto_word(r->ev.proto, word), r->lo, r->hi,
	    r->nports, tail ? tail : "");
	out->dst_port = 0;
}

static void
flush(struct event_agg *a, struct event_ring *ring, uint64_t now)
{
	for (int i = 0; i < a->nrows; i++) {
		struct event_agg_row *r = &a->rows[i];
		struct record *rec = event_ring_reserve(ring, REC_EVENT);

		if (rec == NULL)
			continue;	/* counted in the ring's dropped */
		rec->type = REC_EVENT;
		rec->u.ev = r->ev;
		rec->u.ev.count = r->count;
		if (r->fold)
			fold_message(r, &rec->u.ev);
		event_ring_commit(ring);
	}
	a->nrows = 0;
	memset(a->exact, 0xff, INDEX_SLOTS * sizeof(*a->exact));
	memset(a->pair, 0xff, INDEX_SLOTS * sizeof(*a->pair));
	a->since = now;
}

/* A new row for ev (the table has room). */
static struct event_agg_row *
row_new(struct event_agg *a, const struct event_rec *ev)
{
	struct event_agg_row *r = &a->rows[a->nrows++];

	memset(r, 0, sizeof(*r));
	r->ev = *ev;
	r->count = 1;
	r->fold_row = -1;
	return r;
}

void
event_agg_add(struct event_agg *a, struct event_ring *ring, const struct event_rec *ev,
    uint64_t now)
{
	int xs, ps, head;
	struct event_agg_row *h, *r;

	if (a->nrows && now - a->since >= EVENT_AGG_MS)
		flush(a, ring, now);
	if (a->nrows == 0)
		a->since = now;
	xs = probe(a, a->exact, ev, 0);
	if (a->exact[xs] >= 0) {
		a->rows[a->exact[xs]].count++;
		a->folded++;
		return;
	}
	ps = probe(a, a->pair, ev, 1);
	head = a->pair[ps];
	if (head >= 0 && a->rows[head].nexact >= EVENT_AGG_PORTS) {
		h = &a->rows[head];
		if (h->fold_row >= 0) {
			r = &a->rows[h->fold_row];
			r->count++;
			r->nports++;
			r->lo = ev->dst_port < r->lo ? ev->dst_port : r->lo;
			r->hi = ev->dst_port > r->hi ? ev->dst_port : r->hi;
			a->folded++;
			return;
		}
		if (a->nrows < EVENT_AGG_ROWS) {
			r = row_new(a, ev);
			r->fold = 1;
			r->lo = r->hi = ev->dst_port;
			r->nports = 1;
			h->fold_row = (int)(r - a->rows);
			return;
		}
	}
	if (a->nrows == EVENT_AGG_ROWS) {
		flush(a, ring, now);
		a->since = now;
		event_agg_add(a, ring, ev, now);
		return;
	}
	r = row_new(a, ev);
	a->exact[xs] = (int16_t)(r - a->rows);
	if (head < 0) {
		a->pair[ps] = (int16_t)(r - a->rows);
		r->nexact = 1;
	} else
		a->rows[head].nexact++;
}

void
event_agg_tick(struct event_agg *a, struct event_ring *r, uint64_t now, int force)
{
	if (a->nrows && (force || now - a->since >= EVENT_AGG_MS))
		flush(a, r, now);
}
