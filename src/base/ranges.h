/*
 * ranges.h: sets of addresses as ranges, for the kernel's interval sets
 * (the protect sets, nft.h).
 *
 * A range is lo..hi inclusive, of one family, network byte order.  A range
 * list is built by appending ranges and single addresses to punch out of
 * them, then normalised: sorted by family and address, overlapping and
 * adjacent ranges merged, the punched addresses taken out, so the kernel
 * gets the fewest elements and never two that overlap.  O(n log n).
 */
#ifndef NVD_RANGES_H
#define NVD_RANGES_H

#include <stdint.h>

struct addr_range {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t lo[16], hi[16];	/* network order; 4 bytes used for AF_INET */
};

struct range_list {
	struct addr_range *r;
	int n, cap;
	struct addr_range *holes;	/* addresses to punch out (lo == hi) */
	int nholes, holes_cap;
	int oom;		/* an append failed: the list is incomplete */
};

/* Appends lo..hi (lo <= hi). */
void ranges_add(struct range_list *l, int family, const uint8_t *lo, const uint8_t *hi);
/* Appends the prefix addr/prefix. */
void ranges_add_prefix(struct range_list *l, int family, const uint8_t *addr, int prefix);
/* Takes addr out of the ranges appended so far, at the next
 * ranges_normalise() (a range may split in two). */
void ranges_punch(struct range_list *l, int family, const uint8_t *addr);
/* Sorts and merges overlapping and adjacent ranges, then takes the
 * punched addresses out. */
void ranges_normalise(struct range_list *l);
void ranges_free(struct range_list *l);

/* Address arithmetic on family's width: compare, +1, -1 (no wrap checks:
 * callers compare first). */
int addr_cmp(int family, const uint8_t *a, const uint8_t *b);
void addr_inc(int family, uint8_t *a);
void addr_dec(int family, uint8_t *a);
/* Whether a is the family's last address (all ones). */
int addr_is_last(int family, const uint8_t *a);

#endif
