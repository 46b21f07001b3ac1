/*
 * fuzz_packet: decode, flow table and TCP reassembly, through the same
 * worker_packet() nvd runs per packet.  The input is a sequence of packets,
 * each [family byte][length, 2 bytes big-endian][bytes], so the fuzzer can
 * build handshakes, overlaps and gaps across packets of one flow.  Small
 * limits make the bounds (depth, memcap, flow eviction) reachable.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "packet/reasm.h"
#include "packet/worker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int families[] = { 0, AF_INET, AF_INET6 };
	struct reasm_limits lim = { .depth = 4096, .memcap = 1 << 20 };
	struct worker w;
	uint64_t now = 1000;

	reasm_set_limits(&lim);
	if (worker_init(&w, 0, 0, 8, FAIL_OPEN) < 0)
		abort();
	while (size >= 3) {
		int family = families[data[0] % 3];
		/* now advances too, sometimes far enough to expire flows */
		uint64_t step = data[0] & 0xfc ? 10 : 20000;
		size_t len = (size_t)data[1] << 8 | data[2];

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		{
			/* As nfq.c: the packet in a buffer of its own the
			 * worker may cut in place (syncut.h). */
			uint8_t *copy = malloc(len ? len : 1);
			size_t cut;

			if (copy == NULL)
				abort();
			memcpy(copy, data, len);
			if (worker_syn_cut(&w, worker_packet(&w, copy, len, family, 0, 0, now), copy,
			    len, &cut) != VERDICT_DROP && cut >= len && cut != 0)
				abort();	/* a cut packet is shorter */
			free(copy);
		}
		now += step;
		worker_tick(&w, now);
		data += len;
		size -= len;
	}
	worker_destroy(&w);
	if (reasm_memuse() != 0)
		abort();	/* every kept byte was freed with its flow */
	return 0;
}
