#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "packet/reasm.h"

/*
 * Out-of-order bytes [seq, seq + len), at buf + off.  orig and orig_end
 * are the segment they came from: overlaps are decided by where that
 * segment started (reasm.h).  Only a piece's head is ever cut (off grows),
 * so buf holds off + len bytes.
 */
struct reasm_seg {
	uint32_t seq;
	uint32_t len;
	uint32_t orig;
	uint32_t orig_end;
	uint32_t off;
	uint8_t *buf;
};

/* The first room in a direction's array of pieces. */
#define SEGS_FIRST	8

static struct reasm_limits limits = { .depth = 1048576, .memcap = 256u << 20 };
static uint64_t memuse;		/* atomic: bytes held by every worker */

/* Sequence arithmetic modulo 2^32 (RFC 793 section 3.3). */
static inline int32_t
seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static inline uint32_t
seg_end(const struct reasm_seg *s)
{
	return s->seq + s->len;
}

void
reasm_set_limits(const struct reasm_limits *lim)
{
	__atomic_store_n(&limits.depth, lim->depth, __ATOMIC_RELAXED);
	__atomic_store_n(&limits.memcap, lim->memcap, __ATOMIC_RELAXED);
}

uint64_t
reasm_memuse(void)
{
	return __atomic_load_n(&memuse, __ATOMIC_RELAXED);
}

static uint64_t
depth(void)
{
	return __atomic_load_n(&limits.depth, __ATOMIC_RELAXED);
}

/* Takes n bytes of stream_memcap: 0, or -1 when they are not there. */
static int
mem_take(uint64_t n)
{
	uint64_t cap = __atomic_load_n(&limits.memcap, __ATOMIC_RELAXED);

	if (__atomic_add_fetch(&memuse, n, __ATOMIC_RELAXED) > cap) {
		__atomic_fetch_sub(&memuse, n, __ATOMIC_RELAXED);
		return -1;
	}
	return 0;
}

static void
mem_give(uint64_t n)
{
	__atomic_fetch_sub(&memuse, n, __ATOMIC_RELAXED);
}

/* The depth of rd: none while it is followed. */
static uint64_t
depth_of(const struct reasm_dir *rd)
{
	return rd->follow ? UINT64_MAX : depth();
}

static void
start(struct reasm_dir *rd, uint32_t seq)
{
	rd->base_seq = seq;
	rd->next_seq = seq;
	rd->offset = 0;
	rd->started = 1;
	if (depth_of(rd) == 0)
		rd->done = 1;
}

void
reasm_syn(struct reasm_dir *rd, uint32_t isn)
{
	if (!rd->started)
		start(rd, isn + 1);
}

/* Frees pieces [a, b) and closes the hole they leave; the array itself
 * once it is empty. */
static void
seg_remove(struct reasm_dir *rd, unsigned a, unsigned b)
{
	for (unsigned i = a; i < b; i++) {
		struct reasm_seg *s = &rd->segs[i];

		rd->ooo_bytes -= s->len;
		mem_give((uint64_t)s->off + s->len);
		free(s->buf);
	}
	memmove(&rd->segs[a], &rd->segs[b], (rd->nsegs - b) * sizeof(rd->segs[0]));
	rd->nsegs = (uint16_t)(rd->nsegs - (b - a));
	if (rd->nsegs == 0) {
		mem_give((uint64_t)rd->cap * sizeof(rd->segs[0]));
		free(rd->segs);
		rd->segs = NULL;
		rd->cap = 0;
	}
}

void
reasm_free(struct reasm_dir *rd)
{
	if (rd->nsegs)
		seg_remove(rd, 0, rd->nsegs);
	memset(rd, 0, sizeof(*rd));
}

static void
mark_done(struct reasm_dir *rd, struct reasm_stats *st)
{
	rd->done = 1;
	st->depth_reached++;
	if (rd->nsegs)
		seg_remove(rd, 0, rd->nsegs);
}

/*
 * Hands len in-order bytes at next_seq to the consumer, up to the depth;
 * past it only the position moves.
 */
static void
deliver(struct reasm_dir *rd, int dir, const uint8_t *data, size_t len,
    const struct reasm_sink *sink, struct reasm_stats *st)
{
	uint64_t d = depth_of(rd);
	size_t n = len;

	/* The depth may have been lowered below the offset by a reload. */
	if (rd->done || rd->offset >= d)
		n = 0;
	else if (rd->offset + n > d)
		n = (size_t)(d - rd->offset);
	if (n && sink && sink->data)
		sink->data(sink->ctx, dir, rd->offset, data, n);
	st->delivered += n;
	rd->offset += len;
	rd->next_seq += (uint32_t)len;
	if (!rd->done && rd->offset >= d)
		mark_done(rd, st);
}

static void
deliver_gap(struct reasm_dir *rd, int dir, uint32_t len,
    const struct reasm_sink *sink, struct reasm_stats *st)
{
	uint64_t d = depth_of(rd);

	st->gaps++;
	st->gap_bytes += len;
	if (sink && sink->gap)
		sink->gap(sink->ctx, dir, rd->offset, len);
	rd->offset += len;
	rd->next_seq += len;
	if (rd->offset >= d)
		mark_done(rd, st);
}

/* Delivers the kept pieces that have become in order (their bytes before
 * next_seq lose to those delivered). */
static void
drain(struct reasm_dir *rd, int dir, const struct reasm_sink *sink, struct reasm_stats *st)
{
	unsigned k;

	for (k = 0; k < rd->nsegs && seq_diff(rd->segs[k].seq, rd->next_seq) <= 0; k++) {
		const struct reasm_seg *s = &rd->segs[k];
		uint32_t old = (uint32_t)seq_diff(rd->next_seq, s->seq);

		if (old < s->len) {
			deliver(rd, dir, s->buf + s->off + old, s->len - old, sink, st);
			if (rd->done)
				return;		/* mark_done freed every piece */
		}
	}
	if (k)
		seg_remove(rd, 0, k);
}

/* The FIN counts once the stream reaches it in order.  Bytes delivered
 * past it mean its segment was not the end (Linux drops an out-of-order
 * segment whose end the stream passed, FIN and all). */
static void
fin_reached(struct reasm_dir *rd)
{
	if (!rd->fin_seen || rd->fin)
		return;
	if (rd->next_seq == rd->fin_seq)
		rd->fin = 1;
	else if (seq_diff(rd->next_seq, rd->fin_seq) > 0)
		rd->fin_seen = 0;
}

/* A FIN at seq, in a segment that passed tcp.h's checks: the lowest one
 * waiting is the one the stream will reach first. */
static void
fin_note(struct reasm_dir *rd, uint32_t seq)
{
	if (rd->fin)
		return;
	if (!rd->fin_seen || seq_diff(seq, rd->fin_seq) < 0)
		rd->fin_seq = seq;
	rd->fin_seen = 1;
}

/* Index of the first piece that ends after seq. */
static unsigned
first_after(const struct reasm_dir *rd, uint32_t seq)
{
	unsigned lo = 0, hi = rd->nsegs;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (seq_diff(seg_end(&rd->segs[mid]), seq) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A segment's bytes as reassembly sees them: clipped to what is new, and
 * to the depth. */
struct seg_in {
	uint32_t seq;		/* its first byte not yet delivered */
	uint32_t orig;		/* where it started */
	uint32_t orig_end;	/* where it ends */
	const uint8_t *data;
	uint32_t len;		/* bytes from seq, up to the depth */
	int in_order;		/* seq is next_seq */
};

enum seg_kind { SEG_NOTHING, SEG_OLD, SEG_BEYOND, SEG_BYTES };

static enum seg_kind
seg_in(const struct reasm_dir *rd, uint32_t seq, const uint8_t *data, size_t len,
    struct seg_in *in)
{
	int32_t d = seq_diff(seq, rd->next_seq);
	uint64_t ahead, dp = depth_of(rd);

	if (len == 0)
		return SEG_NOTHING;
	/* The stream ended at its FIN: the receiver drops what follows. */
	if (rd->fin)
		return SEG_OLD;
	in->orig = seq;
	in->orig_end = seq + (uint32_t)len;
	in->in_order = d <= 0;
	if (d <= 0) {
		if ((uint64_t)-(int64_t)d >= len)
			return SEG_OLD;
		in->seq = rd->next_seq;
		in->data = data + -(int64_t)d;
		in->len = (uint32_t)(len - (size_t)-(int64_t)d);
		return SEG_BYTES;
	}
	/* Nothing past the depth is ever delivered, so nothing past it is kept. */
	ahead = (uint64_t)(uint32_t)d;
	if (rd->done || rd->offset + ahead >= dp)
		return SEG_BEYOND;
	in->seq = seq;
	in->data = data;
	in->len = (uint32_t)len;
	if (rd->offset + ahead + len > dp)
		in->len = (uint32_t)(dp - rd->offset - ahead);
	return SEG_BYTES;
}

/* What a segment does to the kept pieces. */
struct plan {
	uint32_t from;		/* the first byte it wins (end: none) */
	uint32_t end;
	unsigned lo, hi;	/* it replaces pieces [lo, hi) wholly, and the
				 * head of piece hi if that starts before end */
	unsigned met;		/* pieces it overlaps */
	unsigned mismatches;	/* ... whose bytes differ from its own */
};

/* Compares in's bytes with those of every piece they overlap. */
static void
plan_compare(const struct reasm_dir *rd, const struct seg_in *in, unsigned i, struct plan *pl)
{
	uint32_t end = in->seq + in->len;

	for (; i < rd->nsegs && seq_diff(rd->segs[i].seq, end) < 0; i++) {
		const struct reasm_seg *s = &rd->segs[i];
		uint32_t a = seq_diff(s->seq, in->seq) > 0 ? s->seq : in->seq;
		uint32_t b = seq_diff(seg_end(s), end) < 0 ? seg_end(s) : end;

		pl->met++;
		if (memcmp(in->data + (a - in->seq), s->buf + s->off + (a - s->seq), b - a))
			pl->mismatches++;
	}
}

/*
 * Linux's choice (reasm.h): in-order bytes win everything; an
 * out-of-order segment loses the bytes of pieces whose segment started
 * before it (they cover what it overlaps from its start on, without a
 * hole) and wins from there, unless a piece of a segment that started
 * where it starts covers it all.
 */
static void
plan_make(const struct reasm_dir *rd, const struct seg_in *in, struct plan *pl)
{
	unsigned i = first_after(rd, in->seq), k = i;
	uint32_t end = in->seq + in->len, w = in->seq;

	memset(pl, 0, sizeof(*pl));
	plan_compare(rd, in, i, pl);
	for (; !in->in_order && k < rd->nsegs && seq_diff(w, end) < 0; k++) {
		const struct reasm_seg *s = &rd->segs[k];

		if (seq_diff(s->seq, w) > 0)
			break;
		if (seq_diff(s->orig, in->orig) < 0) {
			if (seq_diff(seg_end(s), w) > 0)
				w = seg_end(s);
			continue;
		}
		if (s->orig == in->orig && seq_diff(in->orig_end, s->orig_end) <= 0)
			w = end;
		break;
	}
	if (seq_diff(w, end) > 0)
		w = end;
	pl->from = w;
	pl->end = end;
	pl->lo = pl->hi = k;
	while (pl->hi < rd->nsegs && seq_diff(seg_end(&rd->segs[pl->hi]), end) <= 0)
		pl->hi++;
}

/* Whether the bytes pl keeps fit the bounds now. */
static int
plan_fits(const struct reasm_dir *rd, const struct plan *pl)
{
	unsigned n = rd->nsegs - (pl->hi - pl->lo) + 1;
	uint64_t need = pl->end - pl->from;

	if (n > REASM_SEGMENTS_MAX)
		return 0;
	if (n > rd->cap)
		need += (uint64_t)(rd->cap ? rd->cap : SEGS_FIRST) * sizeof(rd->segs[0]);
	return reasm_memuse() + need <= __atomic_load_n(&limits.memcap, __ATOMIC_RELAXED);
}

enum reasm_result
reasm_check(const struct reasm_dir *rd, uint32_t seq, const uint8_t *data, size_t len)
{
	struct seg_in in;
	struct plan pl;

	/* The common case: nothing kept, in order. */
	if (!rd->started || (rd->nsegs == 0 && seq_diff(seq, rd->next_seq) <= 0))
		return REASM_OK;
	if (seg_in(rd, seq, data, len, &in) != SEG_BYTES)
		return REASM_OK;
	plan_make(rd, &in, &pl);
	if (pl.mismatches)
		return REASM_OVERLAP;
	if (!in.in_order && pl.from != pl.end && !plan_fits(rd, &pl))
		return REASM_LIMIT;
	return REASM_OK;
}

/* Room for one more piece: 0, or -1 (the bound, or no memory). */
static int
seg_room(struct reasm_dir *rd)
{
	unsigned ncap;
	struct reasm_seg *n;

	if (rd->nsegs < rd->cap)
		return 0;
	if (rd->cap >= REASM_SEGMENTS_MAX)
		return -1;
	ncap = rd->cap ? rd->cap * 2u : SEGS_FIRST;
	if (ncap > REASM_SEGMENTS_MAX)
		ncap = REASM_SEGMENTS_MAX;
	if (mem_take((uint64_t)(ncap - rd->cap) * sizeof(*n)) < 0)
		return -1;
	if ((n = realloc(rd->segs, ncap * sizeof(*n))) == NULL) {
		mem_give((uint64_t)(ncap - rd->cap) * sizeof(*n));
		return -1;
	}
	rd->segs = n;
	rd->cap = (uint16_t)ncap;
	return 0;
}

/* Keeps the bytes pl says in wins.  On failure nothing changed. */
static enum reasm_result
keep(struct reasm_dir *rd, const struct seg_in *in, const struct plan *pl)
{
	uint32_t n = pl->end - pl->from;
	struct reasm_seg *s;
	uint8_t *buf;

	if (pl->hi - pl->lo == 0 && rd->nsegs >= REASM_SEGMENTS_MAX)
		return REASM_LIMIT;
	if (mem_take(n) < 0)
		return REASM_LIMIT;
	if ((buf = malloc(n)) == NULL) {
		mem_give(n);
		return REASM_LIMIT;
	}
	if (pl->hi - pl->lo == 0 && seg_room(rd) < 0) {
		free(buf);
		mem_give(n);
		return REASM_LIMIT;
	}
	memcpy(buf, in->data + (pl->from - in->seq), n);
	/* The piece it overlaps at its end loses its head. */
	if (pl->hi < rd->nsegs && seq_diff(rd->segs[pl->hi].seq, pl->end) < 0) {
		uint32_t cut = pl->end - rd->segs[pl->hi].seq;

		s = &rd->segs[pl->hi];
		s->seq += cut;
		s->off += cut;
		s->len -= cut;
		rd->ooo_bytes -= cut;
	}
	if (pl->hi - pl->lo > 1)
		seg_remove(rd, pl->lo + 1, pl->hi);
	if (pl->hi - pl->lo >= 1) {
		s = &rd->segs[pl->lo];
		rd->ooo_bytes -= s->len;
		mem_give((uint64_t)s->off + s->len);
		free(s->buf);
	} else {
		s = &rd->segs[pl->lo];
		memmove(s + 1, s, (rd->nsegs - pl->lo) * sizeof(*s));
		rd->nsegs++;
	}
	s->seq = pl->from;
	s->len = n;
	s->orig = in->orig;
	s->orig_end = in->orig_end;
	s->off = 0;
	s->buf = buf;
	rd->ooo_bytes += n;
	return REASM_OK;
}

/* An out-of-order segment: kept, as far as it wins. */
static enum reasm_result
segment_ahead(struct reasm_dir *rd, const struct seg_in *in, struct reasm_stats *st)
{
	struct plan pl;

	plan_make(rd, in, &pl);
	if (pl.from != pl.end && keep(rd, in, &pl) != REASM_OK) {
		st->nomem++;
		return REASM_LIMIT;
	}
	st->overlap_mismatch += pl.mismatches;
	if (pl.met == 0)
		st->ooo_segments++;
	else if (pl.from == pl.end)
		st->retransmits++;	/* nothing of it is new */
	else {
		st->overlaps++;
		st->ooo_segments++;
	}
	return REASM_OK;
}

enum reasm_result
reasm_segment(struct reasm_dir *rd, int dir, uint32_t seq, const uint8_t *data,
    size_t len, int fin, const struct reasm_sink *sink, struct reasm_stats *st)
{
	struct seg_in in;
	struct plan pl;

	if (!rd->started)
		start(rd, seq);		/* picked up mid-stream: this segment starts it */
	switch (seg_in(rd, seq, data, len, &in)) {
	case SEG_NOTHING:
		break;
	case SEG_OLD:
		st->retransmits++;
		break;
	case SEG_BEYOND:
		if (!rd->done)
			st->beyond_window++;
		break;
	case SEG_BYTES:
		if (!in.in_order) {
			if (segment_ahead(rd, &in, st) != REASM_OK)
				return REASM_LIMIT;
			break;
		}
		if (in.seq != seq)
			st->overlaps++;		/* its head was delivered before */
		/* In-order bytes win over kept copies (as in the receiver);
		 * each kept piece they cover is compared. */
		if (rd->nsegs) {
			plan_make(rd, &in, &pl);
			st->overlaps += pl.met;
			st->overlap_mismatch += pl.mismatches;
		}
		deliver(rd, dir, in.data, in.len, sink, st);
		drain(rd, dir, sink, st);
		break;
	}
	if (fin)
		fin_note(rd, seq + (uint32_t)len);
	fin_reached(rd);
	return REASM_OK;
}

void
reasm_ack(struct reasm_dir *rd, int dir, uint32_t ack, const struct reasm_sink *sink,
    struct reasm_stats *st)
{
	int32_t d;

	if (!rd->started)
		return;
	/* A FIN takes one sequence number but carries no byte. */
	if (rd->fin_seen && seq_diff(ack, rd->fin_seq) > 0)
		ack = rd->fin_seq;
	d = seq_diff(ack, rd->next_seq);
	if (d <= 0)
		return;
	if (rd->done) {
		/* Nothing more is delivered; the position follows the receiver. */
		rd->offset += (uint32_t)d;
		rd->next_seq = ack;
		fin_reached(rd);
		return;
	}
	/* The receiver has bytes up to ack; those nvd holds are delivered by
	 * drain, the rest is a gap. */
	while (d > 0 && !rd->done) {
		uint32_t hole = (uint32_t)d;

		if (rd->nsegs && seq_diff(rd->segs[0].seq, rd->next_seq) < d)
			hole = (uint32_t)seq_diff(rd->segs[0].seq, rd->next_seq);
		if (hole > 0)
			deliver_gap(rd, dir, hole, sink, st);
		drain(rd, dir, sink, st);
		d = seq_diff(ack, rd->next_seq);
	}
	if (d > 0) {
		rd->offset += (uint32_t)d;
		rd->next_seq = ack;
	}
	fin_reached(rd);
}

void
reasm_datagram(struct reasm_dir *rd, size_t len, struct reasm_stats *st)
{
	uint64_t d = depth();

	rd->started = 1;
	if (rd->done)
		return;
	if (rd->offset < d)
		st->delivered += rd->offset + len > d ? d - rd->offset : len;
	rd->offset += len;
	if (rd->offset >= d)
		mark_done(rd, st);
}

int
reasm_is_done(const struct reasm_dir *rd)
{
	return rd->done || depth_of(rd) == 0;
}

void
reasm_follow(struct reasm_dir *rd, int on)
{
	rd->follow = !!on;
}
