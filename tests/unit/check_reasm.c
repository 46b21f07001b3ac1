/*
 * check_reasm.c: TCP stream reassembly through a recording reasm_sink.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_policy.h"
#include "packet/reasm.h"

#define ISN		1000u
#define STREAM_MAX	4096

static const struct reasm_limits default_limits = { .depth = 1048576, .memcap = 256u << 20 };

/* What the consumer saw of each direction. */
struct rec {
	uint8_t bytes[2][STREAM_MAX];
	uint64_t end[2];		/* stream offset after the last call */
	unsigned data_calls[2];
	unsigned order_errors;		/* a call not at the expected offset */
	unsigned overflow;		/* a call past STREAM_MAX */
	unsigned ngaps;
	struct {
		int dir;
		uint64_t offset;
		size_t len;
	} gaps[16];
};

static struct rec rec;
static struct reasm_dir rd[2];
static struct reasm_stats st;

static void
rec_data(void *ctx, int dir, uint64_t offset, const uint8_t *buf, size_t len)
{
	struct rec *r = ctx;

	r->data_calls[dir]++;
	if (offset != r->end[dir])
		r->order_errors++;
	if (len > STREAM_MAX || offset > STREAM_MAX - len) {
		r->overflow++;
		return;
	}
	memcpy(r->bytes[dir] + offset, buf, len);
	r->end[dir] = offset + len;
}

static void
rec_gap(void *ctx, int dir, uint64_t offset, size_t len)
{
	struct rec *r = ctx;

	if (offset != r->end[dir])
		r->order_errors++;
	if (r->ngaps < sizeof(r->gaps) / sizeof(r->gaps[0])) {
		r->gaps[r->ngaps].dir = dir;
		r->gaps[r->ngaps].offset = offset;
		r->gaps[r->ngaps].len = len;
	}
	r->ngaps++;
	if (len <= STREAM_MAX && offset <= STREAM_MAX - len)
		memset(r->bytes[dir] + offset, '?', len);
	r->end[dir] = offset + len;
}

static const struct reasm_sink sink = { rec_data, rec_gap, &rec };

static void
setup(void)
{
	memset(&rec, 0, sizeof(rec));
	memset(rd, 0, sizeof(rd));
	memset(&st, 0, sizeof(st));
	reasm_set_limits(&default_limits);
}

static void
teardown(void)
{
	reasm_free(&rd[0]);
	reasm_free(&rd[1]);
	reasm_set_limits(&default_limits);
	ck_assert_uint_eq(reasm_memuse(), 0);
}

/* Segment of direction 0 at stream offset off (the SYN took ISN). */
static enum reasm_result
at(uint32_t off, const char *s)
{
	return reasm_segment(&rd[0], 0, ISN + 1 + off, (const uint8_t *)s, strlen(s), 0,
	    &sink, &st);
}

/* The receiver of direction 0 acknowledged everything before offset off. */
static void
ack(uint32_t off)
{
	reasm_ack(&rd[0], 0, ISN + 1 + off, &sink, &st);
}

static void
assert_stream(int dir, const char *want)
{
	size_t n = strlen(want);

	ck_assert_uint_eq(rec.order_errors, 0);
	ck_assert_uint_eq(rec.overflow, 0);
	ck_assert_uint_eq(rec.end[dir], n);
	ck_assert_mem_eq(rec.bytes[dir], want, n);
}

/* --- ordering --------------------------------------------------------- */

START_TEST(test_in_order)
{
	reasm_syn(&rd[0], ISN);
	ck_assert_int_eq(at(0, "hello "), REASM_OK);
	ck_assert_int_eq(at(6, "world"), REASM_OK);
	assert_stream(0, "hello world");
	ck_assert_uint_eq(rec.data_calls[0], 2);
	ck_assert_uint_eq(st.delivered, 11);
	ck_assert_uint_eq(st.ooo_segments, 0);
	ck_assert_uint_eq(rd[0].offset, 11);
	ck_assert_uint_eq(rd[0].next_seq, ISN + 12);
	ck_assert_uint_eq(rd[0].base_seq, ISN + 1);
}
END_TEST

START_TEST(test_out_of_order_reversed)
{
	reasm_syn(&rd[0], ISN);
	ck_assert_int_eq(at(6, "ccc"), REASM_OK);
	ck_assert_int_eq(at(3, "bbb"), REASM_OK);
	ck_assert_uint_eq(rec.data_calls[0], 0);
	ck_assert_uint_eq(st.ooo_segments, 2);
	ck_assert_uint_eq(rd[0].ooo_bytes, 6);
	ck_assert_uint_gt(reasm_memuse(), 0);
	ck_assert_int_eq(at(0, "aaa"), REASM_OK);
	assert_stream(0, "aaabbbccc");
	ck_assert_uint_eq(rec.data_calls[0], 3);
	ck_assert_uint_eq(st.delivered, 9);
	ck_assert_uint_eq(rd[0].ooo_bytes, 0);
	ck_assert_uint_eq(rd[0].nsegs, 0);
	ck_assert_uint_eq(reasm_memuse(), 0);
}
END_TEST

START_TEST(test_stream_starts_after_isn)
{
	reasm_syn(&rd[0], ISN);
	at(0, "early");		/* offset 0 is ISN + 1 */
	assert_stream(0, "early");
}
END_TEST

START_TEST(test_midstream_start)
{
	/* No SYN seen: the first segment starts the stream. */
	reasm_segment(&rd[0], 0, 777777, (const uint8_t *)"mid", 3, 0, &sink, &st);
	reasm_segment(&rd[0], 0, 777780, (const uint8_t *)"dle", 3, 0, &sink, &st);
	assert_stream(0, "middle");
	ck_assert_uint_eq(rd[0].base_seq, 777777);
}
END_TEST

START_TEST(test_directions_independent)
{
	reasm_syn(&rd[0], ISN);
	reasm_syn(&rd[1], 5000);
	at(0, "request");
	reasm_segment(&rd[1], 1, 5001, (const uint8_t *)"response", 8, 0, &sink, &st);
	assert_stream(0, "request");
	assert_stream(1, "response");
	ck_assert_uint_eq(st.delivered, 15);
}
END_TEST

START_TEST(test_empty_segment_and_syn_again)
{
	reasm_syn(&rd[0], ISN);
	ck_assert_int_eq(at(0, ""), REASM_OK);
	reasm_syn(&rd[0], ISN + 500);	/* a second SYN does not move the stream */
	at(0, "abc");
	assert_stream(0, "abc");
	ck_assert_uint_eq(rec.data_calls[0], 1);
}
END_TEST

/* --- retransmissions and overlaps ------------------------------------ */

START_TEST(test_retransmission)
{
	reasm_syn(&rd[0], ISN);
	at(0, "abc");
	at(0, "abc");
	at(1, "bc");
	at(3, "def");
	at(0, "abcdef");
	assert_stream(0, "abcdef");
	ck_assert_uint_eq(st.retransmits, 3);
	ck_assert_uint_eq(st.delivered, 6);
	ck_assert_uint_eq(rec.data_calls[0], 2);
	ck_assert_uint_eq(st.overlaps, 0);
}
END_TEST

START_TEST(test_overlap_partly_delivered)
{
	reasm_syn(&rd[0], ISN);
	at(0, "abcdef");
	at(3, "defghi");	/* half old, half new */
	assert_stream(0, "abcdefghi");
	ck_assert_uint_eq(st.overlaps, 1);
	ck_assert_uint_eq(st.retransmits, 0);
	ck_assert_uint_eq(st.delivered, 9);
}
END_TEST

START_TEST(test_overlapping_out_of_order)
{
	reasm_syn(&rd[0], ISN);
	at(10, "KLMNO");		/* 10-15 */
	at(12, "MNOPQR");		/* 12-18, overlaps with the same bytes */
	ck_assert_uint_eq(st.overlaps, 1);
	ck_assert_uint_eq(st.overlap_mismatch, 0);
	ck_assert_uint_eq(rd[0].ooo_bytes, 8);
	at(0, "ABCDEFGHIJ");
	assert_stream(0, "ABCDEFGHIJKLMNOPQR");
	ck_assert_uint_eq(st.delivered, 18);
	ck_assert_uint_eq(st.overlap_mismatch, 0);
}
END_TEST

START_TEST(test_out_of_order_spanning_kept)
{
	reasm_syn(&rd[0], ISN);
	at(5, "fgh");			/* 5-8 */
	at(2, "cdefghijkl");		/* 2-12: kept around 5-8 */
	ck_assert_uint_eq(rd[0].ooo_bytes, 10);
	ck_assert_uint_eq(st.overlaps, 1);
	ck_assert_uint_eq(st.overlap_mismatch, 0);
	at(0, "ab");
	assert_stream(0, "abcdefghijkl");
	ck_assert_uint_eq(reasm_memuse(), 0);
}
END_TEST

START_TEST(test_overlap_mismatch_keeps_first)
{
	reasm_syn(&rd[0], ISN);
	at(10, "AAAAA");		/* 10-15, seen first */
	at(12, "BBBBBB");		/* 12-18: 12-15 differ */
	ck_assert_uint_eq(st.overlaps, 1);
	ck_assert_uint_eq(st.overlap_mismatch, 1);
	at(0, "0123456789");
	assert_stream(0, "0123456789AAAAABBB");
	ck_assert_uint_eq(st.overlap_mismatch, 1);
}
END_TEST

/* As in Linux: a segment that starts before a kept one wins its overlap. */
START_TEST(test_overlap_mismatch_before_kept)
{
	reasm_syn(&rd[0], ISN);
	at(10, "AAAAA");		/* 10-15 */
	at(6, "BBBBBBB");		/* 6-13: 10-13 differ */
	ck_assert_uint_eq(st.overlap_mismatch, 1);
	at(0, "012345");
	assert_stream(0, "012345BBBBBBBAA");
}
END_TEST

/* An in-order segment that covers what is kept is compared with all of it. */
START_TEST(test_overlap_mismatch_every_kept_segment)
{
	reasm_syn(&rd[0], ISN);
	at(10, "AAAAA");		/* 10-15 */
	at(20, "CCCCC");		/* 20-25 */
	at(0, "xxxxxxxxxxxxxxxxxxxxxxxxx");	/* 0-25, differs from both */
	ck_assert_uint_eq(st.delivered, 25);
	ck_assert_uint_eq(st.overlap_mismatch, 2);
	ck_assert_uint_eq(st.overlaps, 2);
}
END_TEST

START_TEST(test_out_of_order_retransmission)
{
	reasm_syn(&rd[0], ISN);
	at(5, "fgh");
	at(5, "fgh");		/* the same segment again, before the hole fills */
	ck_assert_uint_eq(rd[0].ooo_bytes, 3);
	ck_assert_uint_eq(st.overlap_mismatch, 0);
	at(0, "abcde");
	assert_stream(0, "abcdefgh");
	ck_assert_uint_eq(rec.data_calls[0], 2);
	ck_assert_uint_eq(st.delivered, 8);
	/* Wholly seen before: a retransmission, not a partial overlap. */
	ck_assert_uint_eq(st.retransmits, 1);
	ck_assert_uint_eq(st.overlaps, 0);
}
END_TEST

/*
 * Linux's choice among out-of-order copies (tcp_data_queue_ofo): the copy
 * whose segment starts earlier wins; one that starts where a kept one
 * started and covers it replaces it, one it does not cover is dropped.
 */
START_TEST(test_overlap_same_start_covering_replaces)
{
	reasm_syn(&rd[0], ISN);
	at(10, "AAAAA");
	at(10, "BBBBBBBB");
	ck_assert_uint_eq(st.overlap_mismatch, 1);
	ck_assert_uint_eq(rd[0].nsegs, 1);
	ck_assert_uint_eq(rd[0].ooo_bytes, 8);
	at(0, "0123456789");
	assert_stream(0, "0123456789BBBBBBBB");
}
END_TEST

START_TEST(test_overlap_same_start_shorter_dropped)
{
	reasm_syn(&rd[0], ISN);
	at(10, "AAAAAAAA");
	at(10, "BBB");
	at(12, "CCC");		/* wholly inside a kept one */
	ck_assert_uint_eq(st.retransmits, 2);
	ck_assert_uint_eq(st.overlap_mismatch, 2);
	ck_assert_uint_eq(rd[0].ooo_bytes, 8);
	at(0, "0123456789");
	assert_stream(0, "0123456789AAAAAAAA");
}
END_TEST

/* A = 10-20, then B = 5-15 (wins 10-15), then C = 12-30 (loses to both
 * where they are, wins 20-30); then D = 10-25, A's start, covering A: it
 * replaces A (15-20) and C's part up to 25, and still loses 10-15 to B. */
START_TEST(test_overlap_chain)
{
	reasm_syn(&rd[0], ISN);
	at(10, "AAAAAAAAAA");
	at(5, "BBBBBBBBBB");
	at(12, "CCCCCCCCCCCCCCCCCC");
	ck_assert_uint_eq(rd[0].ooo_bytes, 25);
	at(10, "DDDDDDDDDDDDDDD");
	ck_assert_uint_eq(rd[0].ooo_bytes, 25);
	at(0, "01234");
	assert_stream(0, "01234BBBBBBBBBBDDDDDDDDDDCCCCC");
	ck_assert_uint_eq(reasm_memuse(), 0);
}
END_TEST

/* Bytes delivered in order always win; nvd no longer holds them to compare. */
START_TEST(test_overlap_delivered_win)
{
	reasm_syn(&rd[0], ISN);
	at(0, "abc");
	at(0, "xyz");
	at(1, "XYZW");
	assert_stream(0, "abcZW");
	ck_assert_uint_eq(st.retransmits, 1);
	ck_assert_uint_eq(st.overlaps, 1);
}
END_TEST

/* reasm_check() says what storing would do, and changes nothing. */
START_TEST(test_check_changes_nothing)
{
	uint64_t mem;

	reasm_syn(&rd[0], ISN);
	at(10, "AAAAA");
	mem = reasm_memuse();
	ck_assert_int_eq(reasm_check(&rd[0], ISN + 11, (const uint8_t *)"AAAAA", 5), REASM_OK);
	ck_assert_int_eq(reasm_check(&rd[0], ISN + 13, (const uint8_t *)"AAAX", 4), REASM_OK);
	ck_assert_int_eq(reasm_check(&rd[0], ISN + 13, (const uint8_t *)"AXX", 3), REASM_OVERLAP);
	ck_assert_int_eq(reasm_check(&rd[0], ISN + 1, (const uint8_t *)"0123456789B", 11),
	    REASM_OVERLAP);
	ck_assert_int_eq(reasm_check(&rd[0], ISN + 1, (const uint8_t *)"0123456789A", 11),
	    REASM_OK);
	ck_assert_int_eq(reasm_check(&rd[0], ISN + 1, (const uint8_t *)"01", 2), REASM_OK);
	ck_assert_uint_eq(reasm_memuse(), mem);
	ck_assert_uint_eq(rd[0].nsegs, 1);
	ck_assert_uint_eq(rec.data_calls[0], 0);
	ck_assert_uint_eq(st.overlaps + st.overlap_mismatch + st.retransmits, 0);
}
END_TEST

/* REASM_SEGMENTS_MAX pieces at most; one that replaces pieces still fits. */
START_TEST(test_segments_bound)
{
	static char all[REASM_SEGMENTS_MAX * 2 + 2];
	uint64_t mem;

	memset(all, 'x', sizeof(all) - 1);
	reasm_syn(&rd[0], ISN);
	for (uint32_t i = REASM_SEGMENTS_MAX; i >= 1; i--)
		ck_assert_int_eq(at(2 * i, "x"), REASM_OK);
	ck_assert_uint_eq(rd[0].nsegs, REASM_SEGMENTS_MAX);
	mem = reasm_memuse();
	ck_assert_int_eq(reasm_check(&rd[0], ISN + 3, (const uint8_t *)"x", 1), REASM_OK);
	ck_assert_int_eq(reasm_check(&rd[0], ISN + 4, (const uint8_t *)"x", 1), REASM_LIMIT);
	ck_assert_int_eq(at(3, "x"), REASM_LIMIT);
	ck_assert_uint_eq(st.nomem, 1);
	ck_assert_uint_eq(reasm_memuse(), mem);
	ck_assert_uint_eq(rd[0].nsegs, REASM_SEGMENTS_MAX);
	/* 2-5 covers the pieces at 2 and 4: one in place of two. */
	ck_assert_int_eq(at(1, "xxxx"), REASM_OK);
	ck_assert_uint_eq(rd[0].nsegs, REASM_SEGMENTS_MAX - 1);
	all[2 * REASM_SEGMENTS_MAX + 1] = '\0';
	ck_assert_int_eq(at(0, all), REASM_OK);
	ck_assert_uint_eq(rd[0].nsegs, 0);
	ck_assert_uint_eq(st.delivered, 2 * REASM_SEGMENTS_MAX + 1);
	ck_assert_uint_eq(rec.order_errors, 0);
}
END_TEST

/*
 * Linux's rule byte by byte, against reasm: a kept byte is held by the
 * segment it came from (where that started and ended); an out-of-order
 * segment takes a byte that nobody holds, or whose holder started after
 * it, or started where it starts and ends before it; in-order bytes take
 * everything; what is held at the in-order position is delivered.
 */
#define MODEL_MAX	160

struct model {
	char stream[MODEL_MAX + 64];
	unsigned next;
	struct {
		int held;
		unsigned orig, orig_end;
		char c;
	} b[MODEL_MAX + 64];
};

/* Returns whether seg's bytes differ from those held where it lands. */
static int
model_segment(struct model *m, unsigned s, const char *data, unsigned len)
{
	unsigned e = s + len;
	int differ = 0;

	for (unsigned i = s > m->next ? s : m->next; i < e; i++) {
		if (m->b[i].held && m->b[i].c != data[i - s])
			differ = 1;
		if (s <= m->next || !m->b[i].held || m->b[i].orig > s ||
		    (m->b[i].orig == s && e > m->b[i].orig_end)) {
			m->b[i].held = 1;
			m->b[i].orig = s <= m->next ? 0 : s;
			m->b[i].orig_end = e;
			m->b[i].c = data[i - s];
		}
	}
	while (m->b[m->next].held) {
		m->stream[m->next] = m->b[m->next].c;
		m->next++;
	}
	return differ;
}

START_TEST(test_overlaps_against_model)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (int trial = 0; trial < 3000; trial++) {
		static struct model m;
		char data[32];

		memset(&m, 0, sizeof(m));
		reasm_free(&rd[0]);
		memset(&rec, 0, sizeof(rec));
		reasm_syn(&rd[0], ISN);
		for (int n = 0; n < 24; n++) {
			unsigned off, len;
			int differ;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			off = (unsigned)(x % 120);
			len = 1 + (unsigned)(x >> 8) % 30;
			for (unsigned i = 0; i < len; i++)
				data[i] = "ab"[(x >> (16 + (i + off) % 32)) & (n % 3 ? 0 : 1)];
			data[len] = '\0';
			differ = model_segment(&m, off, data, len);
			ck_assert_int_eq(reasm_check(&rd[0], ISN + 1 + off, (const uint8_t *)data, len),
			    differ ? REASM_OVERLAP : REASM_OK);
			ck_assert_int_eq(at(off, data), REASM_OK);
			ck_assert_uint_eq(rd[0].offset, m.next);
		}
		ck_assert_uint_eq(rec.order_errors, 0);
		ck_assert_mem_eq(rec.bytes[0], m.stream, m.next);
		/* What is kept comes out as the model holds it. */
		memset(data, 'z', 30);
		data[30] = '\0';
		while (m.next < MODEL_MAX) {
			model_segment(&m, m.next, data, 30);
			ck_assert_int_eq(at((uint32_t)rd[0].offset, data), REASM_OK);
			ck_assert_uint_eq(rd[0].offset, m.next);
		}
		ck_assert_uint_eq(rec.end[0], m.next);
		ck_assert_mem_eq(rec.bytes[0], m.stream, MODEL_MAX);
		ck_assert_uint_eq(rd[0].nsegs, 0);
	}
}
END_TEST

/* --- gaps --------------------------------------------------------------- */

START_TEST(test_gap_on_ack)
{
	reasm_syn(&rd[0], ISN);
	at(0, "abc");
	at(6, "ghij");		/* 3-6 never seen */
	ack(5);			/* not yet past the hole's end */
	ck_assert_uint_eq(rec.ngaps, 1);
	ck_assert_uint_eq(rec.gaps[0].offset, 3);
	ck_assert_uint_eq(rec.gaps[0].len, 2);
	ack(10);
	ck_assert_uint_eq(rec.ngaps, 2);
	ck_assert_uint_eq(rec.gaps[1].offset, 5);
	ck_assert_uint_eq(rec.gaps[1].len, 1);
	at(10, "klm");
	assert_stream(0, "abc???ghijklm");
	ck_assert_uint_eq(st.gaps, 2);
	ck_assert_uint_eq(st.gap_bytes, 3);
	ck_assert_uint_eq(st.delivered, 10);
}
END_TEST

START_TEST(test_gap_then_kept_then_gap)
{
	reasm_syn(&rd[0], ISN);
	at(4, "EF");		/* 4-6 kept; 0-4 and 6-10 missing */
	ack(10);
	ck_assert_uint_eq(rec.ngaps, 2);
	ck_assert_uint_eq(rec.gaps[0].offset, 0);
	ck_assert_uint_eq(rec.gaps[0].len, 4);
	ck_assert_uint_eq(rec.gaps[1].offset, 6);
	ck_assert_uint_eq(rec.gaps[1].len, 4);
	at(10, "K");
	assert_stream(0, "????EF????K");
	ck_assert_uint_eq(reasm_memuse(), 0);
}
END_TEST

START_TEST(test_ack_without_gap)
{
	reasm_syn(&rd[0], ISN);
	at(0, "abc");
	ack(0);
	ack(3);
	reasm_ack(&rd[0], 0, ISN - 100, &sink, &st);	/* old ack */
	ck_assert_uint_eq(rec.ngaps, 0);
	ck_assert_uint_eq(st.gaps, 0);
	/* Before the stream started, an ack means nothing. */
	reasm_ack(&rd[1], 1, 123456, &sink, &st);
	ck_assert_uint_eq(rec.ngaps, 0);
}
END_TEST

START_TEST(test_ack_of_fin_is_no_gap)
{
	reasm_syn(&rd[0], ISN);
	ck_assert_int_eq(reasm_segment(&rd[0], 0, ISN + 1, (const uint8_t *)"bye", 3, 1,
	    &sink, &st), REASM_OK);
	ck_assert_uint_eq(rd[0].fin, 1);
	ck_assert_uint_eq(rd[0].fin_seq, ISN + 4);
	ack(4);			/* the FIN's own sequence number */
	ck_assert_uint_eq(rec.ngaps, 0);
	assert_stream(0, "bye");
}
END_TEST

START_TEST(test_ack_of_unseen_bytes_before_fin)
{
	reasm_syn(&rd[0], ISN);
	at(0, "ab");
	/* FIN after bytes 2-5, which nvd missed. */
	reasm_segment(&rd[0], 0, ISN + 1 + 5, (const uint8_t *)"", 0, 1, &sink, &st);
	ack(6);
	ck_assert_uint_eq(rec.ngaps, 1);
	ck_assert_uint_eq(rec.gaps[0].offset, 2);
	ck_assert_uint_eq(rec.gaps[0].len, 3);
}
END_TEST

/* A FIN counts once the stream reaches it in order; the stream going past
 * it means its segment was not the end. */
START_TEST(test_fin_waits_for_the_stream)
{
	reasm_syn(&rd[0], ISN);
	reasm_segment(&rd[0], 0, ISN + 1 + 3, (const uint8_t *)"def", 3, 1, &sink, &st);
	ck_assert_uint_eq(rd[0].fin, 0);
	ck_assert_uint_eq(rd[0].fin_seen, 1);
	ck_assert_uint_eq(rd[0].fin_seq, ISN + 7);
	at(0, "abc");
	ck_assert_uint_eq(rd[0].fin, 1);
	assert_stream(0, "abcdef");
	at(6, "after");		/* the receiver drops what follows its FIN */
	assert_stream(0, "abcdef");

	reasm_syn(&rd[1], 5000);
	reasm_segment(&rd[1], 1, 5001 + 2, (const uint8_t *)"", 0, 1, &sink, &st);
	reasm_segment(&rd[1], 1, 5001, (const uint8_t *)"0123", 4, 0, &sink, &st);
	ck_assert_uint_eq(rd[1].fin, 0);
	ck_assert_uint_eq(rd[1].fin_seen, 0);
}
END_TEST

/* Past stream_depth nothing is delivered or kept, but next_seq follows the
 * stream and the receiver's acks (the RST check needs it). */
START_TEST(test_next_seq_after_depth)
{
	fx_set_limits(4, 256u << 20);
	reasm_syn(&rd[0], ISN);
	at(0, "abcdef");
	ck_assert_uint_eq(rd[0].done, 1);
	at(6, "gh");
	ck_assert_uint_eq(rd[0].next_seq, ISN + 9);
	at(20, "far");
	ck_assert_uint_eq(rd[0].nsegs, 0);
	ack(25);
	ck_assert_uint_eq(rd[0].next_seq, ISN + 26);
	ck_assert_uint_eq(rec.ngaps, 0);
	ck_assert_uint_eq(st.delivered, 4);
	ck_assert_uint_eq(st.depth_reached, 1);
}
END_TEST

/* --- limits ------------------------------------------------------------- */

START_TEST(test_depth_cap)
{
	static char chunk[61];

	fx_set_limits(100, 256u << 20);
	memset(chunk, 'd', 60);
	reasm_syn(&rd[0], ISN);
	at(0, chunk);
	ck_assert_uint_eq(rd[0].done, 0);
	ck_assert_int_eq(reasm_is_done(&rd[0]), 0);
	at(60, chunk);
	ck_assert_uint_eq(st.delivered, 100);
	ck_assert_uint_eq(rec.end[0], 100);
	ck_assert_uint_eq(rec.data_calls[0], 2);
	ck_assert_uint_eq(rd[0].done, 1);
	ck_assert_int_eq(reasm_is_done(&rd[0]), 1);
	ck_assert_uint_eq(st.depth_reached, 1);
	/* Later data is ignored. */
	at(120, chunk);
	ack(500);
	ck_assert_uint_eq(st.delivered, 100);
	ck_assert_uint_eq(rec.data_calls[0], 2);
	ck_assert_uint_eq(rec.ngaps, 0);
	ck_assert_uint_eq(st.depth_reached, 1);
	ck_assert_uint_eq(rec.order_errors + rec.overflow, 0);
}
END_TEST

/* A followed direction has no depth; once no longer followed, the depth
 * holds again at its next bytes. */
START_TEST(test_depth_followed)
{
	static char chunk[61];

	fx_set_limits(100, 256u << 20);
	memset(chunk, 'd', 60);
	reasm_syn(&rd[0], ISN);
	reasm_follow(&rd[0], 1);
	at(0, chunk);
	at(60, chunk);
	at(120, chunk);
	ck_assert_uint_eq(rec.end[0], 180);
	ck_assert_int_eq(reasm_is_done(&rd[0]), 0);
	reasm_follow(&rd[0], 0);
	at(180, chunk);
	ck_assert_uint_eq(rec.end[0], 180);
	ck_assert_int_eq(reasm_is_done(&rd[0]), 1);
	ck_assert_uint_eq(st.depth_reached, 1);
	ck_assert_uint_eq(rec.order_errors + rec.overflow, 0);
}
END_TEST

START_TEST(test_depth_exact)
{
	static char chunk[101];

	fx_set_limits(100, 256u << 20);
	memset(chunk, 'd', 100);
	reasm_syn(&rd[0], ISN);
	at(0, chunk);
	ck_assert_uint_eq(st.delivered, 100);
	ck_assert_uint_eq(rd[0].done, 1);
	ck_assert_uint_eq(st.depth_reached, 1);
}
END_TEST

START_TEST(test_out_of_order_beyond_depth_not_kept)
{
	fx_set_limits(100, 256u << 20);
	reasm_syn(&rd[0], ISN);
	at(0, "abc");
	ck_assert_int_eq(at(150, "far"), REASM_OK);
	ck_assert_int_eq(at(100, "edge"), REASM_OK);
	ck_assert_uint_eq(st.beyond_window, 2);
	ck_assert_uint_eq(rd[0].nsegs, 0);
	ck_assert_uint_eq(rd[0].ooo_bytes, 0);
	ck_assert_uint_eq(reasm_memuse(), 0);
	/* Straddling the depth: only the part before it is kept. */
	ck_assert_int_eq(at(95, "0123456789"), REASM_OK);
	ck_assert_uint_eq(rd[0].ooo_bytes, 5);
}
END_TEST

START_TEST(test_depth_frees_kept_segments)
{
	static char chunk[101];

	fx_set_limits(50, 256u << 20);
	memset(chunk, 'x', 100);
	reasm_syn(&rd[0], ISN);
	at(30, "kept");
	ck_assert_uint_gt(reasm_memuse(), 0);
	at(0, chunk);		/* reaches the depth before the kept bytes */
	ck_assert_uint_eq(rd[0].done, 1);
	ck_assert_uint_eq(rd[0].nsegs, 0);
	ck_assert_uint_eq(rd[0].ooo_bytes, 0);
	ck_assert_uint_eq(reasm_memuse(), 0);
	ck_assert_uint_eq(st.delivered, 50);
}
END_TEST

START_TEST(test_depth_zero)
{
	fx_set_limits(0, 256u << 20);
	reasm_syn(&rd[0], ISN);
	ck_assert_uint_eq(rd[0].done, 1);
	ck_assert_int_eq(reasm_is_done(&rd[0]), 1);
	ck_assert_int_eq(reasm_is_done(&rd[1]), 1);	/* not even started */
	at(0, "abc");
	ck_assert_uint_eq(st.delivered, 0);
	ck_assert_uint_eq(rec.data_calls[0], 0);
}
END_TEST

/* stream_depth lowered on reload below what a stream already passed. */
START_TEST(test_depth_lowered_below_offset)
{
	static char chunk[51];

	memset(chunk, 'a', 50);
	reasm_syn(&rd[0], ISN);
	at(0, chunk);
	ck_assert_uint_eq(st.delivered, 50);
	fx_set_limits(20, 256u << 20);
	at(50, "0123456789");
	ck_assert_uint_eq(rec.overflow, 0);
	ck_assert_uint_eq(rec.data_calls[0], 1);
	ck_assert_uint_eq(st.delivered, 50);
	ck_assert_int_eq(reasm_is_done(&rd[0]), 1);
}
END_TEST

START_TEST(test_memcap)
{
	static char big[1001];

	memset(big, 'm', 1000);
	fx_set_limits(1048576, 1024);	/* a first array of pieces and "small" fit */
	reasm_syn(&rd[0], ISN);
	ck_assert_int_eq(at(10, "small"), REASM_OK);
	ck_assert_uint_gt(reasm_memuse(), 5);
	ck_assert_int_eq(reasm_check(&rd[0], ISN + 101, (const uint8_t *)big, 1000), REASM_LIMIT);
	ck_assert_uint_eq(st.nomem, 0);
	ck_assert_int_eq(at(100, big), REASM_LIMIT);
	ck_assert_uint_eq(st.nomem, 1);
	ck_assert_uint_eq(st.ooo_segments, 1);
	ck_assert_uint_eq(rd[0].ooo_bytes, 5);
	/* In-order bytes need no memory. */
	ck_assert_int_eq(at(0, "0123456789"), REASM_OK);
	assert_stream(0, "0123456789small");
	ck_assert_uint_eq(reasm_memuse(), 0);
}
END_TEST

START_TEST(test_memcap_nothing_fits)
{
	fx_set_limits(1048576, 1);
	reasm_syn(&rd[0], ISN);
	ck_assert_int_eq(at(10, "x"), REASM_LIMIT);
	ck_assert_uint_eq(st.nomem, 1);
	ck_assert_uint_eq(reasm_memuse(), 0);
	ck_assert_uint_eq(rd[0].nsegs, 0);
}
END_TEST

START_TEST(test_memuse_back_to_zero_after_free)
{
	reasm_syn(&rd[0], ISN);
	reasm_syn(&rd[1], 9000);
	at(10, "one");
	at(20, "two");
	reasm_segment(&rd[1], 1, 9011, (const uint8_t *)"three", 5, 0, &sink, &st);
	ck_assert_uint_gt(reasm_memuse(), 0);
	reasm_free(&rd[0]);
	ck_assert_uint_gt(reasm_memuse(), 0);
	reasm_free(&rd[1]);
	ck_assert_uint_eq(reasm_memuse(), 0);
	/* A freed direction is as new. */
	ck_assert_uint_eq(rd[0].started, 0);
	ck_assert_uint_eq(rd[0].offset, 0);
	reasm_syn(&rd[0], 42);
	reasm_segment(&rd[0], 0, 43, (const uint8_t *)"new", 3, 0, &sink, &st);
	assert_stream(0, "new");
	ck_assert_uint_eq(rd[0].offset, 3);
}
END_TEST

/* --- sequence wrap-around ------------------------------------------------- */

START_TEST(test_wraparound_in_order)
{
	const uint32_t isn = 0xfffffff0u;

	reasm_syn(&rd[0], isn);
	reasm_segment(&rd[0], 0, isn + 1, (const uint8_t *)"0123456789", 10, 0, &sink, &st);
	reasm_segment(&rd[0], 0, isn + 11, (const uint8_t *)"abcdefghij", 10, 0, &sink, &st);
	ck_assert_uint_eq(rd[0].next_seq, 5);
	reasm_segment(&rd[0], 0, 5, (const uint8_t *)"XYZ", 3, 0, &sink, &st);
	assert_stream(0, "0123456789abcdefghijXYZ");
	ck_assert_uint_eq(rd[0].offset, 23);
}
END_TEST

START_TEST(test_wraparound_out_of_order_and_gap)
{
	const uint32_t isn = 0xfffffff8u;

	reasm_syn(&rd[0], isn);		/* offset 0 at 0xfffffff9 */
	reasm_segment(&rd[0], 0, 0x00000005, (const uint8_t *)"late", 4, 0, &sink, &st);
	reasm_segment(&rd[0], 0, 0xfffffffd, (const uint8_t *)"mid", 3, 0, &sink, &st);
	ck_assert_uint_eq(st.ooo_segments, 2);
	reasm_segment(&rd[0], 0, 0xfffffff9, (const uint8_t *)"ab", 2, 0, &sink, &st);
	/* 0xfffffffb-0xfffffffd and 0x00000000-0x00000005 missing. */
	reasm_ack(&rd[0], 0, 0x00000009, &sink, &st);
	assert_stream(0, "ab??mid?????late");
	ck_assert_uint_eq(st.gaps, 2);
	ck_assert_uint_eq(rec.gaps[0].offset, 2);
	ck_assert_uint_eq(rec.gaps[0].len, 2);
	ck_assert_uint_eq(rec.gaps[1].offset, 7);
	ck_assert_uint_eq(rec.gaps[1].len, 5);
	/* A retransmission from before the wrap is recognised as old. */
	reasm_segment(&rd[0], 0, 0xfffffff9, (const uint8_t *)"ab", 2, 0, &sink, &st);
	ck_assert_uint_eq(st.retransmits, 1);
}
END_TEST

/* --- datagrams ----------------------------------------------------------- */

START_TEST(test_datagram_counts_to_depth)
{
	fx_set_limits(100, 256u << 20);
	reasm_datagram(&rd[0], 60, &st);
	ck_assert_uint_eq(rd[0].started, 1);
	ck_assert_uint_eq(st.delivered, 60);
	ck_assert_int_eq(reasm_is_done(&rd[0]), 0);
	reasm_datagram(&rd[0], 60, &st);
	ck_assert_uint_eq(st.delivered, 100);
	ck_assert_int_eq(reasm_is_done(&rd[0]), 1);
	ck_assert_uint_eq(st.depth_reached, 1);
	reasm_datagram(&rd[0], 60, &st);
	ck_assert_uint_eq(st.delivered, 100);
	ck_assert_uint_eq(st.depth_reached, 1);
}
END_TEST

START_TEST(test_datagram_depth_lowered_below_offset)
{
	reasm_datagram(&rd[0], 50, &st);
	fx_set_limits(20, 256u << 20);
	reasm_datagram(&rd[0], 10, &st);
	ck_assert_uint_eq(st.delivered, 50);
	ck_assert_int_eq(reasm_is_done(&rd[0]), 1);
}
END_TEST

static Suite *
reasm_suite(void)
{
	Suite *s = suite_create("reasm");
	TCase *tc;

	tc = tcase_create("order");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_in_order);
	tcase_add_test(tc, test_out_of_order_reversed);
	tcase_add_test(tc, test_stream_starts_after_isn);
	tcase_add_test(tc, test_midstream_start);
	tcase_add_test(tc, test_directions_independent);
	tcase_add_test(tc, test_empty_segment_and_syn_again);
	suite_add_tcase(s, tc);

	tc = tcase_create("overlap");
	tcase_set_timeout(tc, 60);	/* the model runs long under the sanitizers on a busy machine */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_retransmission);
	tcase_add_test(tc, test_overlap_partly_delivered);
	tcase_add_test(tc, test_overlapping_out_of_order);
	tcase_add_test(tc, test_out_of_order_spanning_kept);
	tcase_add_test(tc, test_overlap_mismatch_keeps_first);
	tcase_add_test(tc, test_overlap_mismatch_before_kept);
	tcase_add_test(tc, test_overlap_mismatch_every_kept_segment);
	tcase_add_test(tc, test_out_of_order_retransmission);
	tcase_add_test(tc, test_overlap_same_start_covering_replaces);
	tcase_add_test(tc, test_overlap_same_start_shorter_dropped);
	tcase_add_test(tc, test_overlap_chain);
	tcase_add_test(tc, test_overlap_delivered_win);
	tcase_add_test(tc, test_check_changes_nothing);
	tcase_add_test(tc, test_segments_bound);
	tcase_add_test(tc, test_overlaps_against_model);
	suite_add_tcase(s, tc);

	tc = tcase_create("gaps");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_gap_on_ack);
	tcase_add_test(tc, test_gap_then_kept_then_gap);
	tcase_add_test(tc, test_ack_without_gap);
	tcase_add_test(tc, test_ack_of_fin_is_no_gap);
	tcase_add_test(tc, test_ack_of_unseen_bytes_before_fin);
	tcase_add_test(tc, test_fin_waits_for_the_stream);
	tcase_add_test(tc, test_next_seq_after_depth);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_depth_cap);
	tcase_add_test(tc, test_depth_exact);
	tcase_add_test(tc, test_depth_followed);
	tcase_add_test(tc, test_out_of_order_beyond_depth_not_kept);
	tcase_add_test(tc, test_depth_frees_kept_segments);
	tcase_add_test(tc, test_depth_zero);
	tcase_add_test(tc, test_depth_lowered_below_offset);
	tcase_add_test(tc, test_memcap);
	tcase_add_test(tc, test_memcap_nothing_fits);
	tcase_add_test(tc, test_memuse_back_to_zero_after_free);
	suite_add_tcase(s, tc);

	tc = tcase_create("wrap");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_wraparound_in_order);
	tcase_add_test(tc, test_wraparound_out_of_order_and_gap);
	suite_add_tcase(s, tc);

	tc = tcase_create("datagram");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_datagram_counts_to_depth);
	tcase_add_test(tc, test_datagram_depth_lowered_below_offset);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(reasm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
