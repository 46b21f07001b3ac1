/*
 * ranges.c: sets of addresses as ranges (ranges.h).
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "base/ranges.h"

static size_t
width(int family)
{
	return family == AF_INET ? 4 : 16;
}

int
addr_cmp(int family, const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, width(family));
}

void
addr_inc(int family, uint8_t *a)
{
	for (size_t i = width(family); i-- > 0;)
		if (++a[i] != 0)
			return;
}

void
addr_dec(int family, uint8_t *a)
{
	for (size_t i = width(family); i-- > 0;)
		if (a[i]-- != 0)
			return;
}

int
addr_is_last(int family, const uint8_t *a)
{
	for (size_t i = 0; i < width(family); i++)
		if (a[i] != 0xff)
			return 0;
	return 1;
}

/* Room for one more in *a (of *n, *cap), or NULL (l->oom set). */
static struct addr_range *
grow(struct range_list *l, struct addr_range **a, int *n, int *cap)
{
	if (*n == *cap) {
		int c = *cap ? *cap * 2 : 16;
		struct addr_range *na = realloc(*a, (size_t)c * sizeof(*na));

		if (na == NULL) {
			l->oom = 1;
			return NULL;
		}
		*a = na;
		*cap = c;
	}
	return &(*a)[(*n)++];
}

static void
set(struct addr_range *r, int family, const uint8_t *lo, const uint8_t *hi)
{
	memset(r, 0, sizeof(*r));
	r->family = family;
	memcpy(r->lo, lo, width(family));
	memcpy(r->hi, hi, width(family));
}

void
ranges_add(struct range_list *l, int family, const uint8_t *lo, const uint8_t *hi)
{
	struct addr_range *r = grow(l, &l->r, &l->n, &l->cap);

	if (r)
		set(r, family, lo, hi);
}

void
ranges_add_prefix(struct range_list *l, int family, const uint8_t *addr, int prefix)
{
	uint8_t lo[16] = { 0 }, hi[16] = { 0 };
	int bits = (int)width(family) * 8;

	if (prefix < 0)
		prefix = 0;
	if (prefix > bits)
		prefix = bits;
	for (int b = 0; b < bits; b++) {
		uint8_t m = (uint8_t)(0x80 >> (b % 8));

		if (b < prefix) {
			lo[b / 8] |= addr[b / 8] & m;
			hi[b / 8] |= addr[b / 8] & m;
		} else
			hi[b / 8] |= m;
	}
	ranges_add(l, family, lo, hi);
}

void
ranges_punch(struct range_list *l, int family, const uint8_t *addr)
{
	struct addr_range *r = grow(l, &l->holes, &l->nholes, &l->holes_cap);

	if (r)
		set(r, family, addr, addr);
}

static int
by_start(const void *a, const void *b)
{
	const struct addr_range *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return addr_cmp(x->family, x->lo, y->lo);
}

/* Sorts and merges l's ranges. */
static void
merge(struct range_list *l)
{
	int k = 0;

	qsort(l->r, (size_t)l->n, sizeof(*l->r), by_start);
	for (int i = 1; i < l->n; i++) {
		struct addr_range *last = &l->r[k], *r = &l->r[i];
		uint8_t next[16];

		/* Merged when it starts at or before the address after last. */
		memcpy(next, last->hi, 16);
		if (r->family == last->family && (addr_is_last(r->family, last->hi) ||
		    (addr_inc(r->family, next), addr_cmp(r->family, r->lo, next) <= 0))) {
			if (addr_cmp(r->family, r->hi, last->hi) > 0)
				memcpy(last->hi, r->hi, 16);
			continue;
		}
		l->r[++k] = *r;
	}
	l->n = k + 1;
}

/* Takes the holes (sorted) out of the merged ranges in one sweep. */
static void
punch_holes(struct range_list *l)
{
	struct addr_range *in = l->r;
	int n = l->n, h = 0;

	l->r = NULL;
	l->n = l->cap = 0;
	qsort(l->holes, (size_t)l->nholes, sizeof(*l->holes), by_start);
	for (int i = 0; i < n; i++) {
		struct addr_range cur = in[i];
		int f = cur.family, open = 1;

		/* Holes before this range are in no range (ranges are apart). */
		while (h < l->nholes && by_start(&l->holes[h], &cur) < 0)
			h++;
		for (; open && h < l->nholes && l->holes[h].family == f &&
		    addr_cmp(f, l->holes[h].lo, cur.hi) <= 0; h++) {
			uint8_t below[16], above[16];

			memcpy(below, l->holes[h].lo, 16);
			memcpy(above, l->holes[h].lo, 16);
			if (addr_cmp(f, below, cur.lo) > 0) {
				addr_dec(f, below);
				ranges_add(l, f, cur.lo, below);
			}
			if (addr_cmp(f, above, cur.hi) < 0) {
				addr_inc(f, above);
				memcpy(cur.lo, above, 16);
			} else
				open = 0;	/* the hole was its last address */
		}
		if (open)
			ranges_add(l, f, cur.lo, cur.hi);
	}
	free(in);
	l->nholes = 0;
}

void
ranges_normalise(struct range_list *l)
{
	if (l->n == 0) {
		l->nholes = 0;
		return;
	}
	merge(l);
	if (l->nholes)
		punch_holes(l);
}

void
ranges_free(struct range_list *l)
{
	free(l->r);
	free(l->holes);
	memset(l, 0, sizeof(*l));
}
