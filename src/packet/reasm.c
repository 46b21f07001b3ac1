#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "packet/reasm.h"

struct reasm_seg {
	struct reasm_seg *next;
	uint32_t seq;
	uint32_t len;
	uint8_t data[];
};

static struct reasm_limits limits = { .depth = 1048576, .memcap = 256u << 20 };
static uint64_t memuse;		/* atomic: bytes held by every worker */

/* Sequence arithmetic modulo 2^32 (RFC 793 section 3.3). */
static inline int32_t
seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
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

void
reasm_syn(struct reasm_dir *rd, uint32_t isn)
{
	if (rd->started)
		return;
	rd->base_seq = isn + 1;
	rd->next_seq = isn + 1;
	rd->offset = 0;
	rd->started = 1;
	if (depth() == 0)
		rd->done = 1;
}

static void
seg_free(struct reasm_dir *rd, struct reasm_seg *s)
{
	rd->ooo_bytes -= s->len;
	__atomic_fetch_sub(&memuse, sizeof(*s) + s->len, __ATOMIC_RELAXED);
	free(s);
}

void
reasm_free(struct reasm_dir *rd)
{
	struct reasm_seg *s, *n;

	for (s = rd->ooo; s; s = n) {
		n = s->next;
		seg_free(rd, s);
	}
	memset(rd, 0, sizeof(*rd));
}

static void
mark_done(struct reasm_dir *rd, struct reasm_stats *st)
{
	struct reasm_seg *s, *n;

	rd->done = 1;
	st->depth_reached++;
	for (s = rd->ooo; s; s = n) {
		n = s->next;
		seg_free(rd, s);
	}
	rd->ooo = NULL;
}

/* Hands len in-order bytes at next_seq to the consumer, up to the depth. */
static void
deliver(struct reasm_dir *rd, int dir, const uint8_t *data, size_t len,
    const struct reasm_sink *sink, struct reasm_stats *st)
{
	uint64_t d = depth();
	size_t n = len;

	/* The depth may have been lowered below the offset by a reload. */
	if (rd->offset >= d)
		n = 0;
	else if (rd->offset + n > d)
		n = (size_t)(d - rd->offset);
	if (n && sink && sink->data)
		sink->data(sink->ctx, dir, rd->offset, data, n);
	st->delivered += n;
	rd->offset += len;
	rd->next_seq += (uint32_t)len;
	if (rd->offset >= d)
		mark_done(rd, st);
}

static void
deliver_gap(struct reasm_dir *rd, int dir, uint32_t len,
    const struct reasm_sink *sink, struct reasm_stats *st)
{
	uint64_t d = depth();

	st->gaps++;
	st->gap_bytes += len;
	if (sink && sink->gap)
		sink->gap(sink->ctx, dir, rd->offset, len);
	rd->offset += len;
	rd->next_seq += len;
	if (rd->offset >= d)
		mark_done(rd, st);
}

/* Delivers kept segments that have become in order. */
static void
drain(struct reasm_dir *rd, int dir, const struct reasm_sink *sink, struct reasm_stats *st)
{
	struct reasm_seg *s;

	while (!rd->done && (s = rd->ooo) != NULL) {
		int32_t d = seq_diff(s->seq, rd->next_seq);

		if (d > 0)
			break;
		rd->ooo = s->next;
		if ((uint32_t)-d < s->len)
			deliver(rd, dir, s->data + -d, s->len - (uint32_t)-d, sink, st);
		seg_free(rd, s);	/* unlinked above, so mark_done left it */
	}
}

/* Counts a mismatch when bytes seen again differ from what is kept. */
static void
check_overlap(const struct reasm_seg *s, uint32_t seq, const uint8_t *data, size_t len,
    struct reasm_stats *st)
{
	int32_t a = seq_diff(s->seq, seq) > 0 ? seq_diff(s->seq, seq) : 0;
	int32_t end_new = (int32_t)len;
	int32_t end_old = seq_diff(s->seq + s->len, seq);
	int32_t b = end_new < end_old ? end_new : end_old;

	if (b <= a)
		return;
	st->overlaps++;
	if (memcmp(data + a, s->data + seq_diff(seq + (uint32_t)a, s->seq), (size_t)(b - a)))
		st->overlap_mismatch++;
}

static enum reasm_result
keep(struct reasm_dir *rd, uint32_t seq, const uint8_t *data, size_t len,
    struct reasm_stats *st)
{
	struct reasm_seg **pp, *s;
	uint64_t d = depth();
	uint64_t ahead = (uint64_t)(uint32_t)seq_diff(seq, rd->next_seq);

	/* Nothing past the depth is ever delivered, so nothing past it is kept. */
	if (rd->offset + ahead >= d) {
		st->beyond_window++;
		return REASM_OK;
	}
	if (rd->offset + ahead + len > d)
		len = (size_t)(d - rd->offset - ahead);

	/* Walk the sorted list; cut the new segment around what is kept. */
	for (pp = &rd->ooo; len > 0; pp = &(*pp)->next) {
		s = *pp;
		if (s == NULL || seq_diff(seq + (uint32_t)len, s->seq) <= 0) {
			/* The new piece fits wholly before s (or at the end). */
			uint32_t piece = (uint32_t)len;
			struct reasm_seg *n;
			uint64_t cap = __atomic_load_n(&limits.memcap, __ATOMIC_RELAXED);

			if (rd->ooo_bytes + piece > d) {
				st->nomem++;
				return REASM_NOMEM;
			}
			if (__atomic_add_fetch(&memuse, sizeof(*n) + piece, __ATOMIC_RELAXED) > cap ||
			    (n = malloc(sizeof(*n) + piece)) == NULL) {
				__atomic_fetch_sub(&memuse, sizeof(*n) + piece, __ATOMIC_RELAXED);
				st->nomem++;
				return REASM_NOMEM;
			}
			n->seq = seq;
			n->len = piece;
			memcpy(n->data, data, piece);
			n->next = s;
			*pp = n;
			rd->ooo_bytes += piece;
			st->ooo_segments++;
			return REASM_OK;
		}
		if (seq_diff(seq, s->seq + s->len) >= 0)
			continue;	/* wholly after s */
		if (seq_diff(seq, s->seq) >= 0 && seq_diff(seq + (uint32_t)len, s->seq + s->len) <= 0) {
			/* Wholly kept already: a retransmission of s. */
			st->retransmits++;
			if (memcmp(data, s->data + seq_diff(seq, s->seq), len))
				st->overlap_mismatch++;
			return REASM_OK;
		}
		check_overlap(s, seq, data, len, st);
		if (seq_diff(seq, s->seq) < 0) {
			/* A piece before s: keep it, then go on with what follows s. */
			uint32_t head = (uint32_t)seq_diff(s->seq, seq);
			enum reasm_result r = keep(rd, seq, data, head, st);

			if (r != REASM_OK)
				return r;
			/* keep() inserted before s; s moved one link on. */
			while (*pp != s)
				pp = &(*pp)->next;
		}
		/* Skip what s already covers. */
		{
			int32_t past = seq_diff(s->seq + s->len, seq);

			if ((size_t)past >= len)
				return REASM_OK;
			seq += (uint32_t)past;
			data += past;
			len -= (size_t)past;
		}
	}
	return REASM_OK;
}

enum reasm_result
reasm_segment(struct reasm_dir *rd, int dir, uint32_t seq, const uint8_t *data,
    size_t len, int fin, const struct reasm_sink *sink, struct reasm_stats *st)
{
	int32_t d;

	if (!rd->started) {
		/* Picked up mid-stream: this segment starts the stream. */
		rd->base_seq = rd->next_seq = seq;
		rd->started = 1;
		if (depth() == 0)
			rd->done = 1;
	}
	if (fin) {
		rd->fin = 1;
		rd->fin_seq = seq + (uint32_t)len;
	}
	if (rd->done || len == 0)
		return REASM_OK;
	d = seq_diff(seq, rd->next_seq);
	if (d < 0) {
		if ((size_t)-(int64_t)d >= len) {
			st->retransmits++;
			return REASM_OK;
		}
		/* Head already delivered; we no longer hold it to compare. */
		st->overlaps++;
		data += -d;
		len -= (size_t)-d;
		seq = rd->next_seq;
		d = 0;
	}
	if (d > 0)
		return keep(rd, seq, data, len, st);
	/* In-order bytes win over kept copies (as in the receiver); count
	 * every kept segment they cover. */
	for (struct reasm_seg *s = rd->ooo; s && seq_diff(s->seq, seq + (uint32_t)len) < 0; s = s->next)
		check_overlap(s, seq, data, len, st);
	deliver(rd, dir, data, len, sink, st);
	drain(rd, dir, sink, st);
	return REASM_OK;
}

void
reasm_ack(struct reasm_dir *rd, int dir, uint32_t ack, const struct reasm_sink *sink,
    struct reasm_stats *st)
{
	int32_t d;

	if (!rd->started || rd->done)
		return;
	/* A FIN takes one sequence number but carries no byte. */
	if (rd->fin && seq_diff(ack, rd->fin_seq) > 0)
		ack = rd->fin_seq;
	d = seq_diff(ack, rd->next_seq);
	if (d <= 0)
		return;
	/* The receiver has bytes up to ack; those nvd holds are delivered by
	 * drain, the rest is a gap. */
	while (d > 0 && !rd->done) {
		uint32_t hole = (uint32_t)d;

		if (rd->ooo && seq_diff(rd->ooo->seq, rd->next_seq) < d)
			hole = (uint32_t)seq_diff(rd->ooo->seq, rd->next_seq);
		if (hole > 0)
			deliver_gap(rd, dir, hole, sink, st);
		drain(rd, dir, sink, st);
		d = seq_diff(ack, rd->next_seq);
	}
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
	return rd->done || depth() == 0;
}
