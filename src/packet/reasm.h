/*
 * reasm.h: TCP stream reassembly, one struct reasm_dir per direction.
 *
 * In-order bytes are handed to the consumer straight from the packet (no
 * copy); only out-of-order bytes are copied and kept, bounded per direction
 * (by stream_depth) and in total (stream_memcap, shared by all workers).
 * Among out-of-order copies the one seen first is kept; in-order bytes win
 * over kept copies (as in the Linux receiver).  Either way a copy whose
 * bytes differ is counted as an overlap mismatch, a sign of evasion.
 *
 * The consumer sees each direction as one byte stream through a struct
 * reasm_sink: data(offset, bytes) calls in order, and gap(offset, len) where
 * bytes passed that nvd never saw (a hole the receiver acknowledged).
 * Delivery stops at stream_depth; then the direction is "done".
 *
 * A struct reasm_dir belongs to the worker that owns its flow.
 */
#ifndef NVD_REASM_H
#define NVD_REASM_H

#include <stddef.h>
#include <stdint.h>

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
	uint32_t ooo_bytes;	/* bytes held in the out-of-order list */
	uint32_t fin_seq;	/* sequence number the FIN took */
	uint8_t started;	/* base_seq is known */
	uint8_t done;		/* depth reached: nothing more is delivered */
	uint8_t fin;		/* FIN seen */
	struct reasm_seg *ooo;	/* out-of-order segments, sorted, not overlapping */
};

/* Limits shared by every direction; set once at start and on reload. */
struct reasm_limits {
	uint64_t depth;		/* stream_depth */
	uint64_t memcap;	/* stream_memcap, all workers together */
};

enum reasm_result {
	REASM_OK = 0,
	REASM_NOMEM,		/* out-of-order bytes not kept: a bound was hit */
};

void reasm_set_limits(const struct reasm_limits *lim);
/* Bytes of out-of-order data held by all workers now. */
uint64_t reasm_memuse(void);

/* A SYN (or SYN/ACK) with sequence number isn. */
void reasm_syn(struct reasm_dir *rd, uint32_t isn);

/*
 * One segment of this direction.  Returns REASM_NOMEM when out-of-order
 * bytes could not be kept; the caller decides by fail_mode whether the
 * packet passes (the bytes become a gap) or is dropped (the sender will
 * send them again).
 */
enum reasm_result reasm_segment(struct reasm_dir *rd, int dir, uint32_t seq,
    const uint8_t *data, size_t len, int fin, const struct reasm_sink *sink,
    struct reasm_stats *st);

/*
 * The other direction acknowledged ack: bytes before it reached the
 * receiver.  Whatever of them nvd never saw is delivered as a gap.
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

/* Frees what the direction holds; it is then as new. */
void reasm_free(struct reasm_dir *rd);

#endif
