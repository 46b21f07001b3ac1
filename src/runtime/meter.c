/*
 * meter.c: rate meters in a table of slots (meter.h).  A word is the
 * interval's number (low 20 bits), the on bit, and a and b (21 bits each).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/meter.h"

#define IVAL_BITS	20
#define IVAL_MASK	((1u << IVAL_BITS) - 1)
#define ON_BIT		(1ull << 42)

static uint64_t
pack(uint32_t ival, int on, uint32_t a, uint32_t b)
{
	return (uint64_t)(ival & IVAL_MASK) << 43 | (on ? ON_BIT : 0) | (uint64_t)a << 21 | b;
}

static uint32_t
w_ival(uint64_t w)
{
	return (uint32_t)(w >> 43) & IVAL_MASK;
}

static uint32_t
w_a(uint64_t w)
{
	return (uint32_t)(w >> 21) & METER_COUNT_MAX;
}

static uint32_t
w_b(uint64_t w)
{
	return (uint32_t)w & METER_COUNT_MAX;
}

static uint32_t
sat(uint32_t x, uint32_t d)
{
	return d > METER_COUNT_MAX - x ? METER_COUNT_MAX : x + d;
}

int
meter_table_init(struct meter_table *t, uint32_t slots)
{
	t->slot = calloc(slots, sizeof(*t->slot));
	t->mask = slots - 1;
	return t->slot ? 0 : -1;
}

void
meter_table_destroy(struct meter_table *t)
{
	free(t->slot);
	t->slot = NULL;
}

uint64_t
meter_key(uint64_t seed, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = 0xcbf29ce484222325ull ^ seed;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h | 1;
}

/* Stale: counted in neither this interval nor the one before. */
static int
stale(uint64_t w, uint32_t ival)
{
	uint32_t i = w_ival(w);

	return i != (ival & IVAL_MASK) && i != ((ival - 1) & IVAL_MASK);
}

static struct meter_slot *
slot_of(struct meter_table *t, uint64_t key, uint32_t ival)
{
	struct meter_slot *victim = NULL;
	uint64_t vkey = 0;

	for (uint32_t i = 0; i < METER_PROBE; i++) {
		struct meter_slot *s = &t->slot[(key + i) & t->mask];
		uint64_t k = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE), zero = 0;

		if (k == key)
			return s;
		if (k == 0) {
			if (__atomic_compare_exchange_n(&s->key, &zero, key, 0, __ATOMIC_ACQ_REL,
			    __ATOMIC_ACQUIRE)) {
				__atomic_store_n(&s->word, pack(ival, 0, 0, 0), __ATOMIC_RELEASE);
				return s;
			}
			if (zero == key)
				return s;
			k = zero;
		}
		if (victim == NULL && stale(__atomic_load_n(&s->word, __ATOMIC_RELAXED), ival)) {
			victim = s;
			vkey = k;
		}
	}
	if (victim && __atomic_compare_exchange_n(&victim->key, &vkey, key, 0, __ATOMIC_ACQ_REL,
	    __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&victim->word, pack(ival, 0, 0, 0), __ATOMIC_RELEASE);
		return victim;
	}
	return NULL;
}

int
meter_add(struct meter_table *t, uint64_t key, uint32_t ival, uint32_t da, uint32_t db,
    uint32_t threshold, uint32_t release, struct meter_result *r)
{
	struct meter_slot *s = slot_of(t, key, ival);
	uint64_t old, nw;

	if (s == NULL)
		return -1;
	old = __atomic_load_n(&s->word, __ATOMIC_ACQUIRE);
	do {
		uint32_t a = w_a(old), b = w_b(old);
		int on = !!(old & ON_BIT);

		memset(r, 0, sizeof(*r));
		if (w_ival(old) != (ival & IVAL_MASK)) {
			r->prev_a = a;
			r->prev_value = a > b ? a - b : 0;
			/* On through the interval that ended, and it ended high:
			 * still on; a gap of an interval or more ends it. */
			r->rolled = on;
			on = on && w_ival(old) == ((ival - 1) & IVAL_MASK) && r->prev_value >= release;
			r->still = on;
			a = b = 0;
		}
		a = sat(a, da);
		b = sat(b, db);
		r->value = a > b ? a - b : 0;
		if (!on && r->value >= threshold)
			on = r->fired = 1;
		r->a = a;
		r->b = b;
		r->on = on;
		nw = pack(ival, on, a, b);
	} while (!__atomic_compare_exchange_n(&s->word, &old, nw, 1, __ATOMIC_ACQ_REL,
	    __ATOMIC_ACQUIRE));
	return 0;
}
