/*
 * fixture_sensor.h: what check_sensor, tests/fuzz/fuzz_sensor and
 * bench/sensor_bench share: a xorshift generator, an ASCII case-folded
 * search, and the generated rules of eight shapes.  Inline functions in a
 * header: the fuzz target and the benchmark are each built from one
 * source file.
 */
#ifndef NVD_TEST_FIXTURE_SENSOR_H
#define NVD_TEST_FIXTURE_SENSOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sensor/sensor.h"

/* A number below n from the xorshift64 generator whose state (not 0) is
 * *rng. */
static inline uint32_t
fxsensor_rnd(uint64_t *rng, uint32_t n)
{
	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	return (uint32_t)(*rng >> 11) % n;
}

static inline uint8_t
fxsensor_fold(uint8_t b)
{
	return b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b;
}

/* Whether the m bytes of lit, in lower case, are in the n bytes of hay,
 * ASCII case folded. */
static inline int
fxsensor_contains_folded(const uint8_t *hay, size_t n, const uint8_t *lit, size_t m)
{
	for (size_t i = 0; i + m <= n; i++) {
		size_t j = 0;

		while (j < m && fxsensor_fold(hay[i + j]) == lit[j])
			j++;
		if (j == m)
			return 1;
	}
	return 0;
}

/*
 * Generated rule i, of eight shapes by i % 8, each naming its number:
 * literals of various lengths, top-level alternation (no literal), a
 * second pattern in the header (shape 5) or negated (shape 6), the SSN
 * validator (shape 7).  Where the patterns go is the caller's.
 */
struct fxsensor_gen {
	char name[32];
	char re[128];			/* the pattern */
	enum sensor_validator validator;
	const char *second;		/* a second pattern, or NULL */
	enum sensor_ctx second_ctx;
	int second_negate;
};

static inline void
fxsensor_gen(struct fxsensor_gen *g, int i)
{
	snprintf(g->name, sizeof(g->name), "gen-%04d", i);
	g->validator = i % 8 == 7 ? SVAL_SSN : SVAL_NONE;
	g->second = NULL;
	g->second_ctx = SCTX_BODY;
	g->second_negate = 0;
	switch (i % 8) {
	case 0:
		snprintf(g->re, sizeof(g->re), "(?i)\\bkey_%04d\\s*[:=]\\s*[a-z0-9]{8,}", i % 100);
		break;
	case 1:
		snprintf(g->re, sizeof(g->re), "tok-%d-[0-9a-f]{6}", i % 50);
		break;
	case 2:
		snprintf(g->re, sizeof(g->re), "(?i)select\\s+\\w+\\s+from\\s+tbl%d\\b", i % 40);
		break;
	case 3:
		snprintf(g->re, sizeof(g->re), "\\bid=%d(?:&|$)", i % 60);
		break;
	case 4:
		snprintf(g->re, sizeof(g->re), "alpha%d|beta%d", i % 10, i % 7);
		break;
	case 5:
		snprintf(g->re, sizeof(g->re), "user%d@", i % 30);
		g->second = "(?i)x-tenant: \\d";
		g->second_ctx = SCTX_HEADER;
		break;
	case 6:
		snprintf(g->re, sizeof(g->re), "order-%d", i % 9);
		g->second = "-void\\b";
		g->second_negate = 1;
		break;
	default:
		snprintf(g->re, sizeof(g->re), "\\d{3}-\\d{2}-\\d{4}(?= ref%d)", i % 10);
		break;
	}
}

#endif
