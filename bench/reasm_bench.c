/*
 * reasm_bench.c: worker CPU for out-of-order TCP segments on one flow.
 *
 * usage: reasm_bench [SEGMENTS...]
 *
 * For each count (25000, 50000 and 100000 by default), a fresh worker
 * (no policy, nvd's default stream_depth and stream_memcap) sees one
 * connection's handshake, then that many one-byte segments of the client
 * at stream offsets 1 to N, the byte at offset 0 missing: in order (each
 * one after those kept: what a lost segment leaves), in reverse order and
 * in a random order (the same every run); last the byte that fills the
 * hole.
 * Every packet goes through worker_packet() as nvd's queue hands it over.
 * Prints the CPU time of each run and per segment: the work must grow
 * linearly with the count (a segment costs a binary search and bounded
 * work, reasm.h), not with its square.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "packet/reasm.h"
#include "packet/worker.h"

#define ISN_C	0x10000000u
#define ISN_S	0x20000000u
#define HDR	(20 + 24)	/* IPv4, TCP with a window scale option */

static void
wr16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void
wr32(uint8_t *b, uint32_t v)
{
	wr16(b, v >> 16);
	wr16(b + 2, v & 0xffff);
}

/* One IPv4 TCP packet between 198.18.0.1:40000 (the client) and
 * 198.18.0.2:80, with window scale 7 in its options; returns its length. */
static size_t
packet(uint8_t *b, int from_server, uint8_t flags, uint32_t seq, uint32_t ack, char byte)
{
	static const uint8_t ip_c[4] = { 198, 18, 0, 1 }, ip_s[4] = { 198, 18, 0, 2 };
	static const uint8_t opts[4] = { 1, 3, 3, 7 };		/* NOP, window scale 7 */
	size_t len = HDR + (byte != 0);

	memset(b, 0, HDR);
	b[0] = 0x45;
	wr16(b + 2, (uint32_t)len);
	b[8] = 64;
	b[9] = IPPROTO_TCP;
	memcpy(b + 12, from_server ? ip_s : ip_c, 4);
	memcpy(b + 16, from_server ? ip_c : ip_s, 4);
	wr16(b + 20, from_server ? 80 : 40000);
	wr16(b + 22, from_server ? 40000 : 80);
	wr32(b + 24, seq);
	wr32(b + 28, ack);
	b[32] = (HDR - 20) / 4 << 4;
	b[33] = flags;
	wr16(b + 34, 65535);
	memcpy(b + 40, opts, sizeof(opts));
	if (byte)
		b[HDR] = (uint8_t)byte;
	return len;
}

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum order { FORWARD, REVERSE, RANDOM };
static const char *const order_names[] = { "forward", "reverse", "random" };

/* Offsets 1..n in order o (random: xorshift, a fixed seed). */
static void
order(uint32_t *off, uint32_t n, enum order o)
{
	uint64_t x = 88172645463325252ull;

	for (uint32_t i = 0; i < n; i++)
		off[i] = o == FORWARD ? i + 1 : n - i;
	for (uint32_t i = n - 1; o == RANDOM && i > 0; i--) {
		uint32_t j, t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (uint32_t)(x % (i + 1));
		t = off[i];
		off[i] = off[j];
		off[j] = t;
	}
}

/* One run: CPU seconds for the n segments and the byte that fills the
 * hole, or -1 when the worker could not be had. */
static double
run(uint32_t n, enum order o, uint64_t *delivered, uint64_t *kept)
{
	static struct worker w;
	uint8_t buf[128];
	uint32_t *off = malloc(n * sizeof(*off));
	uint64_t now = 1000;
	double t0, t1;
	size_t len;

	if (off == NULL || worker_init(&w, 0, 0, 1000, FAIL_OPEN) < 0) {
		free(off);
		return -1;
	}
	w.bypass_identified = 0;	/* keep the flow in userspace */
	order(off, n, o);
	len = packet(buf, 0, TCP_SYN, ISN_C, 0, 0);
	worker_packet(&w, buf, len, AF_INET, 0, 0, now++);
	len = packet(buf, 1, TCP_SYN | TCP_ACK, ISN_S, ISN_C + 1, 0);
	worker_packet(&w, buf, len, AF_INET, 0, 0, now++);
	len = packet(buf, 0, TCP_ACK, ISN_C + 1, ISN_S + 1, 0);
	worker_packet(&w, buf, len, AF_INET, 0, 0, now++);
	t0 = cpu_s();
	for (uint32_t i = 0; i < n; i++) {
		len = packet(buf, 0, TCP_ACK, ISN_C + 1 + off[i], ISN_S + 1, 'x');
		worker_packet(&w, buf, len, AF_INET, 0, 0, now++);
	}
	len = packet(buf, 0, TCP_ACK, ISN_C + 1, ISN_S + 1, 'x');
	worker_packet(&w, buf, len, AF_INET, 0, 0, now++);
	t1 = cpu_s();
	*delivered = w.st.reasm.delivered;
	*kept = w.st.reasm.ooo_segments;
	worker_destroy(&w);
	free(off);
	return t1 - t0;
}

int
main(int argc, char **argv)
{
	static const uint32_t dflt[] = { 25000, 50000, 100000 };
	struct reasm_limits lim = { .depth = 1048576, .memcap = 256u << 20 };
	int n = argc > 1 ? argc - 1 : 3;

	reasm_set_limits(&lim);
	printf("%-8s %9s %9s %11s %9s %9s\n", "order", "segments", "cpu_ms", "ns/segment",
	    "kept", "delivered");
	for (enum order o = FORWARD; o <= RANDOM; o++)
		for (int i = 0; i < n; i++) {
			uint32_t segs = argc > 1 ? (uint32_t)strtoul(argv[i + 1], NULL, 10) : dflt[i];
			uint64_t delivered, kept;
			double s;

			if (segs == 0 || (s = run(segs, o, &delivered, &kept)) < 0) {
				fprintf(stderr, "reasm_bench: no worker for %u segments\n", segs);
				return 1;
			}
			printf("%-8s %9u %9.1f %11.0f %9llu %9llu\n", order_names[o],
			    segs, s * 1e3, s * 1e9 / (segs + 1), (unsigned long long)kept,
			    (unsigned long long)delivered);
		}
	return reasm_memuse() == 0 ? 0 : 1;
}
