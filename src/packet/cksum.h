/*
 * cksum.h: the Internet checksum (RFC 1071) of the headers nvd writes:
 * its resets (rst.c) and the SYNs it passes without their bytes
 * (syncut.c).
 */
#ifndef NVD_CKSUM_H
#define NVD_CKSUM_H

#include <stddef.h>
#include <stdint.h>

/* s plus n bytes of b as 16-bit big-endian words (an odd last byte padded). */
static inline uint32_t
cksum_add(uint32_t s, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

/* The checksum of a sum: folded to 16 bits, complemented. */
static inline uint16_t
cksum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static inline void
cksum_put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

#endif
