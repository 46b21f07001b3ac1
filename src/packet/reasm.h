/*
 * reasm.h: TCP stream reassembly, one struct reasm_dir per direction.
 *
 * In-order bytes are handed to the consumer straight from the packet (no
 * copy); only out-of-order bytes are copied and kept, in a sorted array of
 * pieces that do not overlap, found by binary search: at most
 * REASM_SEGMENTS_MAX pieces per direction, no byte past stream_depth, and
 * stream_memcap bytes for all workers together.
 *
 * Overlaps are resolved as the receiving Linux kernel resolves them
 * (tcp_data_queue_ofo, tcp_ofo_queue): bytes already delivered in order
 * win; of two out-of-order copies of a byte, the one whose segment starts
 * earlier wins, and a segment that starts where a kept one started and
 * covers it replaces it (one it does not cover is dropped).  Linux also
 * merges a segment into the one it continues; where that would decide
 * differently the bytes differ, which reasm_check() reports.  Bytes
 * already delivered are not kept, so a retransmission is not compared
 * with them.
 *
 * The consumer sees each direction as one byte stream through a struct
 * reasm_sink: data(offset, bytes) calls in order, and gap(offset, len) where
 * bytes passed that nvd never saw (a hole the receiver acknowledged).
 * Delivery stops at stream_depth; then the direction is "done", and only
 * the in-order position (next_seq) moves on, for the RST check (tcp.h).
 * A direction a consumer must follow to its end (the requests to a proxy:
 * one past the depth would pass unjudged) has no depth while it is
 * followed.
 *
 * A struct reasm_dir belongs to the worker that owns its flow.
 */
#ifndef NVD_REASM_H
#define NVD_REASM_H

#include <stddef.h>
#include <stdint.h>

/* Out-of-order pieces kept per direction at most. */
#define REASM_SEGMENTS_MAX	1024

struct reasm_seg;

struct reasm_sink {
	void (*data)(void *ctx, int dir, uint64_t offset, const uint8_t *buf, size_t len);
	void (*gap)(void *ctx, int dir, uint64_t offset, size_t len);
	void *ctx;
};

struct reasm_stats {
	uint64_t delivered;		/* bytes handed to the consumer */
	uint64_t ooo_segments;		/* segments kept for later */
	uint64_t retransmits;		/* segments wholly seen before */
	uint64_t overlaps;		/* segments partly seen before */
	uint64_t overlap_mismatch;	/* ... whose bytes differed */
	uint64_t gaps;
	uint64_t gap_bytes;
	uint64_t nomem;			/* segments not kept: a bound was hit */
	uint64_t beyond_window;		/* segments too far ahead to keep */
	uint64_t depth_reached;		/* directions that reached stream_depth */
};

struct reasm_dir {
	uint32_t base_seq;	/* sequence number of stream offset 0 */
	uint32_t next_seq;	/* next in-order byte expected */
	uint64_t offset;	/* stream offset of next_seq */
	uint32_t ooo_bytes;	/* bytes held in the out-of-order pieces */
	uint32_t fin_seq;	/* sequence number a FIN took */
	uint8_t started : 1;	/* base_seq is known */
	uint8_t done : 1;	/* depth reached: nothing more is delivered */
	uint8_t fin : 1;	/* the stream reached its FIN in order */
	uint8_t fin_seen : 1;	/* a FIN at fin_seq waits for the stream to reach it */
	uint8_t follow : 1;	/* a consumer needs every byte: no depth (reasm_follow) */
	uint16_t nsegs;		/* pieces in segs */
	uint16_t cap;		/* room in segs */
	struct reasm_seg *segs;	/* out-of-order pieces, sorted, not overlapping */
};

/* Limits shared by every direction; set once at start and on reload. */
struct reasm_limits {
	uint64_t depth;		/* stream_depth */
	uint64_t memcap;	/* stream_memcap, all workers together */
};

enum reasm_result {
	REASM_OK = 0,
	REASM_OVERLAP,		/* bytes that differ from those kept at their sequence */
	REASM_LIMIT,		/* out-of-order bytes past REASM_SEGMENTS_MAX or stream_memcap */
};

void reasm_set_limits(const struct reasm_limits *lim);
/* Bytes of out-of-order data held by all workers now. */
uint64_t reasm_memuse(void);

/* A SYN (or SYN/ACK) with sequence number isn.  Its payload is no stream
 * data: stream offset 0 is isn + 1. */
void reasm_syn(struct reasm_dir *rd, uint32_t isn);

/*
 * What reasm_segment() would make of this segment, changing nothing:
 * REASM_OVERLAP when some of its bytes differ from those kept at the same
 * sequence numbers, else REASM_LIMIT when it would have to be kept and
 * cannot be, else REASM_OK.  Costs a binary search and a look at the
 * pieces it overlaps.
 */
enum reasm_result reasm_check(const struct reasm_dir *rd, uint32_t seq,
    const uint8_t *data, size_t len);

/*
 * One segment of this direction (fin: it carries a FIN after its bytes).
 * Returns REASM_LIMIT, having changed nothing, when its bytes had to be
 * kept and could not be (the memory of all workers may have filled since
 * reasm_check()); otherwise REASM_OK, a mismatch counted and stored as
 * Linux would store it.
 */
enum reasm_result reasm_segment(struct reasm_dir *rd, int dir, uint32_t seq,
    const uint8_t *data, size_t len, int fin, const struct reasm_sink *sink,
    struct reasm_stats *st);

/*
 * The other direction acknowledged ack (validated by tcp.h: no later than
 * what this direction sent): bytes before it reached the receiver.
 * Whatever of them nvd never saw is delivered as a gap; once the
 * direction is done, only next_seq moves.
 */
void reasm_ack(struct reasm_dir *rd, int dir, uint32_t ack,
    const struct reasm_sink *sink, struct reasm_stats *st);

/*
 * A datagram (UDP, ICMP) of len payload bytes in this direction: counted
 * against stream_depth like stream bytes, so a flow whose datagrams have
 * been inspected up to the depth is done too.
 */
void reasm_datagram(struct reasm_dir *rd, size_t len, struct reasm_stats *st);

/* Nothing more of this direction will be inspected. */
int reasm_is_done(const struct reasm_dir *rd);
/* Delivers every byte of rd, past stream_depth too, while on (a direction
 * already done stays done). */
void reasm_follow(struct reasm_dir *rd, int on);

/* Frees what the direction holds; it is then as new. */
void reasm_free(struct reasm_dir *rd);

#endif
