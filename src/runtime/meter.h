/*
 * meter.h: rate meters for the flood detectors (threat_def.h), in a
 * fixed table of slots that any number of threads count into at once
 * without a lock: the per-destination meters of every worker share one
 * (live.h), each worker's per-source meters are its own.
 *
 * A meter counts, within fixed intervals (the interval's number is the
 * caller's: time / interval), two numbers: a (SYNs, echo requests) and b
 * (handshakes completed), and its value is a - b.  It turns on when the
 * value reaches the threshold, and stays on while each interval that ends
 * had a value of release at least.  Counts stop at METER_COUNT_MAX.
 *
 * A slot is one 64-bit word changed by compare-and-swap, so a meter's
 * counts and state move together; two threads that claim a slot for two
 * keys at once may mix a few counts, which meters tolerate.  A key whose
 * probe finds no free slot takes a stale one (counted in no interval
 * since the last but one); when none is, it is not counted (-1).
 */
#ifndef NVD_METER_H
#define NVD_METER_H

#include <stddef.h>
#include <stdint.h>

#define METER_COUNT_MAX	((1u << 21) - 1)
#define METER_PROBE	8	/* slots looked at for a key */

struct meter_slot {
	uint64_t key;		/* atomic; 0: free */
	uint64_t word;		/* atomic: interval, on, a, b */
};

struct meter_table {
	struct meter_slot *slot;
	uint32_t mask;
};

/* What meter_add() saw. */
struct meter_result {
	uint32_t a, b;		/* this interval's counts, with the addition */
	uint32_t value;		/* a - b, or 0 */
	int on;
	int fired;		/* it turned on with this addition */
	int rolled;		/* an interval ended since the last addition, the meter on: */
	uint32_t prev_a;	/* ... that interval's a, */
	uint32_t prev_value;	/* ... its value; */
	int still;		/* ... and it stays on (the value was at least release) */
};

/* slots: a power of two.  0, or -1 with no memory. */
int meter_table_init(struct meter_table *t, uint32_t slots);
void meter_table_destroy(struct meter_table *t);

/* A key for meter_add() from bytes (never 0). */
uint64_t meter_key(uint64_t seed, const void *data, size_t len);
/*
 * Adds da to a and db to b of key's meter in interval number ival (any
 * 32-bit count of intervals), checking threshold and release.  Returns 0
 * with *r, or -1 when the key has no slot.
 */
int meter_add(struct meter_table *t, uint64_t key, uint32_t ival, uint32_t da, uint32_t db,
    uint32_t threshold, uint32_t release, struct meter_result *r);

#endif
