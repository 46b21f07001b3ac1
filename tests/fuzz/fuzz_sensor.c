/*
 * fuzz_sensor: the matching engine on any bytes, with and without the
 * prefilter; any difference aborts.
 *
 * Input: a first byte of flags, then the rest.
 *  - Flags bit 7 clear: a fixed DLP and WAF set (built once) matches the
 *    rest, cut at each 0x1e byte into the packet, url, header and body
 *    texts; flags bits 0-3 say which of them are given, bits 4-5 which
 *    sensors run (none set: both).
 *  - Flags bit 7 set: the rest up to the first newline is a pattern, the
 *    bytes after it a body.  If the pattern compiles, it is matched with
 *    and without the prefilter; when it matches, the body must hold each
 *    clause prefilter_analyse found (one of its literals, ASCII case
 *    folded), and the match be no longer than the bound it found.
 * Each text lies in a buffer of its exact size, so a read past it is
 * caught.  Every hit must lie inside its text, with a printable excerpt.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/sensor.h"
#include "sensor/sensor_prefilter.h"
#include "../unit/fixture_sensor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HITS_MAX	32

struct hits {
	struct sensor_hit h[HITS_MAX];
	int n;
};

static const struct {
	const char *sensor, *rule;
	enum sensor_ctx ctx;
	int negate;
	enum sensor_validator v;
	const char *re;
} fixed[] = {
	{ "pii", "credit-card", SCTX_BODY, 0, SVAL_LUHN, "\\b\\d(?:[ -]?\\d){12,18}\\b" },
	{ "pii", "us-ssn", SCTX_BODY, 0, SVAL_SSN, "\\b\\d{3}-\\d{2}-\\d{4}\\b" },
	{ "pii", "aws-key", SCTX_BODY, 0, SVAL_NONE, "\\bAKIA[0-9A-Z]{16}\\b" },
	{ "pii", "private-key", SCTX_BODY, 0, SVAL_NONE,
	    "-----BEGIN (?:RSA |EC |OPENSSH )?PRIVATE KEY-----" },
	{ "pii", "password", SCTX_BODY, 0, SVAL_NONE, "(?i)\"password\"\\s*:\\s*\"[^\"]{4,}\"" },
	{ "pii", "password", SCTX_BODY, 1, SVAL_NONE, "\"password\"\\s*:\\s*\"\\$2[aby]\\$" },
	{ "pii", "card-in-url", SCTX_URL, 0, SVAL_LUHN, "\\b\\d{13,19}\\b" },
	{ "web", "sqli-union", SCTX_URL, 0, SVAL_NONE,
	    "(?i)\\bunion\\b[\\s/*+]+(?:all[\\s/*+]+)?select\\b" },
	{ "web", "sqli-tautology", SCTX_URL, 0, SVAL_NONE,
	    "(?i)(?:'|%27)\\s*or\\s+['\"]?\\d+['\"]?\\s*=\\s*['\"]?\\d" },
	{ "web", "xss", SCTX_BODY, 0, SVAL_NONE, "(?i)<script[\\s>/]" },
	{ "web", "xss-handler", SCTX_BODY, 0, SVAL_NONE, "(?i)\\bon(?:error|load)\\s*=" },
	{ "web", "log4shell", SCTX_PACKET, 0, SVAL_NONE,
	    "(?i)\\$\\{(?:jndi|\\$\\{lower:j\\}ndi):" },
	{ "web", "shellshock", SCTX_HEADER, 0, SVAL_NONE, "\\(\\)\\s*\\{\\s*:?;?\\s*\\};" },
	{ "web", "traversal", SCTX_URL, 0, SVAL_NONE, "(?:\\.\\.[/\\\\]){2,}" },
	{ "web", "admin-debug", SCTX_URL, 0, SVAL_NONE, "^/admin\\b" },
	{ "web", "admin-debug", SCTX_HEADER, 0, SVAL_NONE, "(?im)^x-debug:\\s*(?:1|true)\\b" },
	{ "web", "not-health", SCTX_PACKET, 0, SVAL_NONE, "(?i)get " },
	{ "web", "not-health", SCTX_URL, 1, SVAL_NONE, "/healthz?\\b" },
};

#define NFIXED	(sizeof(fixed) / sizeof(fixed[0]))

static struct sensor_set *with, *without;
static struct sensor_scratch *scratch;

/* Consecutive lines of one sensor and rule make one rule. */
static void
fixed_build(void)
{
	static struct sensor_rule_spec rules[NFIXED];
	struct sensor_spec spec[2];
	int nspec = 0, nrules = 0;
	char err[256];

	memset(spec, 0, sizeof(spec));
	for (size_t i = 0; i < NFIXED; i++) {
		struct sensor_rule_spec *r = nrules > 0 ? &rules[nrules - 1] : NULL;

		if (nspec == 0 || strcmp(spec[nspec - 1].name, fixed[i].sensor) != 0) {
			snprintf(spec[nspec].name, SENSOR_NAME_MAX, "%s", fixed[i].sensor);
			spec[nspec].type = nspec == 0 ? SENSOR_DLP : SENSOR_WAF;
			spec[nspec].rules = &rules[nrules];
			nspec++;
		}
		if (r == NULL || spec[nspec - 1].nrules == 0 ||
		    strcmp(r->name, fixed[i].rule) != 0) {
			r = &rules[nrules++];
			snprintf(r->name, SENSOR_NAME_MAX, "%s", fixed[i].rule);
			r->validator = fixed[i].v;
			spec[nspec - 1].nrules++;
		}
		snprintf(r->pat[r->npat].re, SENSOR_PATTERN_MAX, "%s", fixed[i].re);
		r->pat[r->npat].ctx = fixed[i].ctx;
		r->pat[r->npat++].negate = fixed[i].negate;
	}
	with = sensor_set_build(spec, nspec, 1, err, sizeof(err));
	without = sensor_set_build(spec, nspec, 0, err, sizeof(err));
	scratch = sensor_scratch_new();
	if (with == NULL || without == NULL || scratch == NULL)
		abort();
}

static void
collect(void *ctx, const struct sensor_hit *h)
{
	struct hits *hs = ctx;

	if (hs->n == HITS_MAX)
		abort();
	hs->h[hs->n++] = *h;
}

static void
hit_check(const struct sensor_hit *h, const size_t len[SCTX_COUNT])
{
	size_t n = strnlen(h->excerpt, SENSOR_EXCERPT_MAX);

	if ((unsigned)h->ctx >= SCTX_COUNT || h->offset > len[h->ctx] ||
	    h->len > len[h->ctx] - h->offset || n >= SENSOR_EXCERPT_MAX)
		abort();
	for (size_t i = 0; i < n; i++)
		if (h->excerpt[i] < 0x20 || h->excerpt[i] > 0x7e)
			abort();
}

static int
same_hit(const struct sensor_hit *a, const struct sensor_hit *b)
{
	return a->sensor == b->sensor && a->rule == b->rule && a->ctx == b->ctx &&
	    a->offset == b->offset && a->len == b->len && strcmp(a->excerpt, b->excerpt) == 0;
}

/*
 * Matches with both sets; wherever the set without the prefilter hit no
 * limit, both must agree.  Returns that set's result; its hits in hb.
 */
static int
both(const struct sensor_set *a, const struct sensor_set *b, uint64_t mask,
    const uint8_t *const t[SCTX_COUNT], const size_t l[SCTX_COUNT], struct hits *hb)
{
	struct hits ha = { .n = 0 };
	int ra, rb;

	hb->n = 0;
	ra = sensor_match(a, scratch, mask, t, l, collect, &ha);
	rb = sensor_match(b, scratch, mask, t, l, collect, hb);
	for (int i = 0; i < ha.n; i++)
		hit_check(&ha.h[i], l);
	for (int i = 0; i < hb->n; i++)
		hit_check(&hb->h[i], l);
	if (rb < 0)
		return rb;
	if (ra != rb || ha.n != hb->n)
		abort();
	for (int i = 0; i < ha.n; i++)
		if (!same_hit(&ha.h[i], &hb->h[i]))
			abort();
	return rb;
}

static void
fixed_run(uint8_t flags, const uint8_t *data, size_t size)
{
	const uint8_t *t[SCTX_COUNT] = { NULL };
	size_t l[SCTX_COUNT] = { 0 };
	uint8_t *copy[SCTX_COUNT] = { NULL };
	uint64_t mask = (flags >> 4) & 3;
	struct hits h;

	for (int c = 0; c < SCTX_COUNT; c++) {
		const uint8_t *end = memchr(data, 0x1e, size);
		size_t n = end != NULL ? (size_t)(end - data) : size;

		if ((copy[c] = malloc(n ? n : 1)) == NULL)
			goto out;
		memcpy(copy[c], data, n);
		if (flags >> c & 1) {
			t[c] = copy[c];
			l[c] = n;
		}
		data += end != NULL ? n + 1 : n;
		size -= end != NULL ? n + 1 : n;
	}
	both(with, without, mask ? mask : UINT64_MAX, t, l, &h);
out:
	for (int c = 0; c < SCTX_COUNT; c++)
		free(copy[c]);
}

static void
pattern_run(const uint8_t *data, size_t size)
{
	static struct sensor_rule_spec r;
	const uint8_t *nl = memchr(data, '\n', size);
	const uint8_t *t[SCTX_COUNT] = { NULL };
	size_t l[SCTX_COUNT] = { 0 }, plen, blen;
	struct sensor_set *a, *b;
	struct prefilter_facts f;
	struct sensor_spec s;
	struct hits h;
	uint8_t *body;
	char err[256];

	if (nl == NULL || (plen = (size_t)(nl - data)) >= 256 || memchr(data, 0, plen) != NULL)
		return;
	memset(&r, 0, sizeof(r));
	memcpy(r.pat[0].re, data, plen);
	r.pat[0].ctx = SCTX_BODY;
	r.npat = 1;
	strcpy(r.name, "fuzz");
	memset(&s, 0, sizeof(s));
	strcpy(s.name, "fuzz");
	s.type = SENSOR_WAF;
	s.rules = &r;
	s.nrules = 1;
	if ((a = sensor_set_build(&s, 1, 1, err, sizeof(err))) == NULL)
		return;
	if ((b = sensor_set_build(&s, 1, 0, err, sizeof(err))) == NULL)
		abort();
	blen = size - plen - 1;
	if ((body = malloc(blen ? blen : 1)) == NULL)
		goto out;
	memcpy(body, nl + 1, blen);
	t[SCTX_BODY] = body;
	l[SCTX_BODY] = blen;
	prefilter_analyse(r.pat[0].re, &f);
	if (both(a, b, UINT64_MAX, t, l, &h) == 1) {
		for (int c = 0; c < f.nclause; c++) {
			int k = 0;

			while (k < f.clause[c].nalt && !fxsensor_contains_folded(body, blen,
			    f.clause[c].alt[k].b, f.clause[c].alt[k].len))
				k++;
			if (k == f.clause[c].nalt)
				abort();
		}
		if (f.bound != PREFILTER_UNBOUNDED && h.h[0].len > f.bound)
			abort();
	}
	free(body);
out:
	sensor_set_free(a);
	sensor_set_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (with == NULL)
		fixed_build();
	if (size == 0)
		return 0;
	if (data[0] & 0x80)
		pattern_run(data + 1, size - 1);
	else
		fixed_run(data[0], data + 1, size - 1);
	return 0;
}
