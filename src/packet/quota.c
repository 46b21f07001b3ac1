/*
 * quota.c: per-client counts in a linear-probing table; a client whose
 * count falls to 0 leaves it by backward-shift deletion, so no tombstone
 * ever lengthens a probe.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "packet/quota.h"

struct quota_slot {
	uint8_t addr[16];
	uint32_t n;		/* 0: free */
};

int
quota_init(struct quota *q, uint32_t max, uint32_t share)
{
	uint32_t size = 16;

	memset(q, 0, sizeof(*q));
	/* At most max clients hold a unit: at most half full. */
	while (size < 2 * max)
		size *= 2;
	if ((q->slots = calloc(size, sizeof(*q->slots))) == NULL)
		return -1;
	q->mask = size - 1;
	q->share = share;
	return 0;
}

void
quota_destroy(struct quota *q)
{
	free(q->slots);
	q->slots = NULL;
}

static uint32_t
slot_of(const struct quota *q, const uint8_t a[16])
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 0x100000001b3ull;
	return (uint32_t)(h ^ h >> 32) & q->mask;
}

/* The slot of addr, or the free slot where it would go. */
static struct quota_slot *
find(const struct quota *q, const uint8_t a[16])
{
	uint32_t i = slot_of(q, a);

	while (q->slots[i].n && memcmp(q->slots[i].addr, a, 16))
		i = (i + 1) & q->mask;
	return &q->slots[i];
}

int
quota_take(struct quota *q, const uint8_t a[16])
{
	struct quota_slot *s = find(q, a);

	if (s->n >= q->share) {
		q->refused++;
		return -1;
	}
	if (s->n == 0)
		memcpy(s->addr, a, 16);
	s->n++;
	return 0;
}

void
quota_give(struct quota *q, const uint8_t a[16])
{
	struct quota_slot *s = find(q, a);
	uint32_t i, j;

	if (s->n == 0 || --s->n > 0)
		return;
	/* Backward shift: move later entries of the run into the hole. */
	i = (uint32_t)(s - q->slots);
	for (j = (i + 1) & q->mask; q->slots[j].n; j = (j + 1) & q->mask) {
		uint32_t home = slot_of(q, q->slots[j].addr);

		/* j may move to i unless its home lies cyclically in (i, j]. */
		if (((j - home) & q->mask) >= ((j - i) & q->mask)) {
			q->slots[i] = q->slots[j];
			q->slots[j].n = 0;
			i = j;
		}
	}
}

uint32_t
quota_held(const struct quota *q, const uint8_t a[16])
{
	return find(q, a)->n;
}
