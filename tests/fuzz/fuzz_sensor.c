/*
 * fuzz_sensor: the matching engine on any bytes, with and without
 * Hyperscan, whole and streamed; any difference aborts.
 *
 * Input: a first byte of flags, then the rest.
 *  - Flags bit 7 clear: a fixed DLP and WAF set (built once) matches the
 *    rest, cut at each 0x1e byte into the packet, url, header and body
 *    texts; flags bits 0-3 say which of them are given, bits 4-5 which
 *    sensors run (none set: both).
 *  - Flags bit 7 set: the rest up to the first newline is a pattern, the
 *    bytes after it a body.  If the pattern compiles, it is matched with
 *    and without Hyperscan; when it matches, the match must be no longer
 *    than the bound sensor_bound found.
 * The packet and body texts are also streamed (Hyperscan's streams, and
 * PCRE2's alone) in pieces the bytes choose (a cut after each byte that
 * is 0 modulo 1 + bits 0-2 of the last byte; flags bit 6: 1-byte pieces),
 * and must give what sensor_match gives on the whole text, as
 * sensor_stream_feed says (the same rules, at the same offsets).  Each
 * text lies in a buffer of its exact size, so a read past it is caught.
 * Every hit must lie inside its text, with a printable excerpt.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>

#include "sensor/sensor.h"
#include "sensor/sensor_bound.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HITS_MAX	32
#define CUTS_MAX	4096

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
static struct sensor_rule_spec fixed_rules[NFIXED];
static struct sensor_spec fixed_spec[2];

static int
fixed_rule_in(int si, int ri, enum sensor_ctx c)
{
	const struct sensor_rule_spec *r = &fixed_spec[si].rules[ri];

	for (int i = 0; i < r->npat; i++)
		if (r->pat[i].ctx == c)
			return 1;
	return 0;
}

/* Consecutive lines of one sensor and rule make one rule. */
static void
fixed_build(void)
{
	struct sensor_rule_spec *rules = fixed_rules;
	struct sensor_spec *spec = fixed_spec;
	int nspec = 0, nrules = 0;
	char err[256];

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

/* A stream's hit against the whole text's: a greedy end may be shorter. */
static int
same_streamed(const struct sensor_hit *s, const struct sensor_hit *w)
{
	return s->sensor == w->sensor && s->rule == w->rule && s->ctx == w->ctx &&
	    s->offset == w->offset && s->len <= w->len &&
	    (s->len < w->len || strcmp(s->excerpt, w->excerpt) == 0);
}

static int
hit_cmp(const void *a, const void *b)
{
	const struct sensor_hit *x = a, *y = b;

	return x->sensor != y->sensor ? x->sensor - y->sensor : x->rule - y->rule;
}

/* Whether rule ri of sensor si of set has a pattern of context c (a stream of c judges it). */
static int (*rule_in)(int si, int ri, enum sensor_ctx c);

/*
 * t[c] streamed with set in the pieces cuts says, the other contexts of a
 * body given whole; checked against whole (sensor_match's hits, of the
 * set of PCRE2 alone, over the same texts).
 */
static void
stream_check(const struct sensor_set *set, enum sensor_ctx c, uint64_t mask,
    const uint8_t *const t[SCTX_COUNT], const size_t l[SCTX_COUNT], const size_t *cuts,
    int ncuts, const struct hits *whole)
{
	struct sensor_stream *st = sensor_stream_new(set, c);
	struct hits hs = { .n = 0 }, w = { .n = 0 };
	size_t at = 0;
	int failed = 0, rc;

	if (st == NULL)
		abort();
	for (int i = 0; i < whole->n; i++)
		if (rule_in(whole->h[i].sensor, whole->h[i].rule, c))
			w.h[w.n++] = whole->h[i];
	failed |= sensor_stream_begin(st, scratch, mask, t, l, collect, &hs) < 0;
	for (int i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : l[c];

		rc = sensor_stream_feed(st, scratch, t[c] + at, to - at, collect, &hs);
		failed |= rc < 0;
		at = to;
	}
	failed |= sensor_stream_end(st, scratch, collect, &hs) < 0;
	if (sensor_stream_offset(st) != l[c])
		abort();
	sensor_stream_free(st);
	for (int i = 0; i < hs.n; i++)
		if (hs.h[i].offset > l[c] || hs.h[i].len > l[c] - hs.h[i].offset)
			abort();
	if (failed)
		return;
	qsort(hs.h, (size_t)hs.n, sizeof(hs.h[0]), hit_cmp);
	qsort(w.h, (size_t)w.n, sizeof(w.h[0]), hit_cmp);
	if (hs.n != w.n)
		abort();
	for (int i = 0; i < hs.n; i++)
		if (!same_streamed(&hs.h[i], &w.h[i]))
			abort();
}

/* Cuts of n bytes at p as the input chooses; the number of cuts. */
static int
cuts_of(uint8_t flags, const uint8_t *p, size_t n, size_t *cuts)
{
	unsigned every = n > 0 ? 1u + (p[n - 1] & 7u) : 1u;
	int nc = 0;

	for (size_t i = 1; i < n && nc < CUTS_MAX; i++)
		if ((flags & 0x40) || p[i - 1] % every == 0)
			cuts[nc++] = i;
	return nc;
}

/*
 * The packet and body texts streamed with both sets, with what inspect
 * gives each stream (a body its url and header, the raw stream nothing
 * else), against sensor_match of the same texts when it hit no limit and
 * tried every validated match.
 */
static void
streams(uint8_t flags, uint64_t mask, const uint8_t *const t[SCTX_COUNT],
    const size_t l[SCTX_COUNT])
{
	static size_t cuts[CUTS_MAX];
	static const enum sensor_ctx sc[] = { SCTX_PACKET, SCTX_BODY };

	for (size_t k = 0; k < sizeof(sc) / sizeof(sc[0]); k++) {
		const uint8_t *st[SCTX_COUNT] = { NULL };
		size_t sl[SCTX_COUNT] = { 0 };
		struct sensor_stats before, after;
		struct hits whole = { .n = 0 };
		int nc, rc;

		if (t[sc[k]] == NULL)
			continue;
		st[sc[k]] = t[sc[k]];
		sl[sc[k]] = l[sc[k]];
		if (sc[k] == SCTX_BODY)
			for (int c = SCTX_URL; c <= SCTX_HEADER; c++)
				st[c] = t[c], sl[c] = l[c];
		sensor_scratch_stats(scratch, &before);
		rc = sensor_match(without, scratch, mask, st, sl, collect, &whole);
		sensor_scratch_stats(scratch, &after);
		if (rc < 0 || after.capped != before.capped)
			continue;
		nc = cuts_of(flags, st[sc[k]], sl[sc[k]], cuts);
		stream_check(with, sc[k], mask, st, sl, cuts, nc, &whole);
		stream_check(without, sc[k], mask, st, sl, cuts, nc, &whole);
	}
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
	mask = mask ? mask : UINT64_MAX;
	both(with, without, mask, t, l, &h);
	rule_in = fixed_rule_in;
	streams(flags, mask, t, l);
out:
	for (int c = 0; c < SCTX_COUNT; c++)
		free(copy[c]);
}

static int
one_rule_in(int si, int ri, enum sensor_ctx c)
{
	return si == 0 && ri == 0 && c == SCTX_BODY;
}

/* The pattern's lookbehind, or -1 when it does not compile. */
static int
lookbehind(const char *re)
{
	pcre2_code *code;
	PCRE2_SIZE off;
	uint32_t behind = 0;
	int ec;

	if ((code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_NEVER_UTF, &ec,
	    &off, NULL)) == NULL)
		return -1;
	pcre2_pattern_info(code, PCRE2_INFO_MAXLOOKBEHIND, &behind);
	pcre2_code_free(code);
	return (int)behind;
}

static void
pattern_run(uint8_t flags, const uint8_t *data, size_t size)
{
	static struct sensor_rule_spec r;
	static size_t cuts[CUTS_MAX];
	struct sensor_stats before, after;
	size_t ahead, bound;
	int rc, nc, behind;
	const uint8_t *nl = memchr(data, '\n', size);
	const uint8_t *t[SCTX_COUNT] = { NULL };
	size_t l[SCTX_COUNT] = { 0 }, plen, blen;
	struct sensor_set *a, *b;
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
	bound = sensor_bound(r.pat[0].re, &ahead);
	sensor_scratch_stats(scratch, &before);
	rc = both(a, b, UINT64_MAX, t, l, &h);
	if (rc == 1 && bound != SENSOR_UNBOUNDED && h.h[0].len > bound)
		abort();
	/* Streams find every match that fits in the bytes they keep. */
	behind = lookbehind(r.pat[0].re);
	sensor_scratch_stats(scratch, &after);
	if (rc >= 0 && after.capped == before.capped && behind >= 0 &&
	    blen + (size_t)behind + 1 <= SENSOR_SPAN) {
		nc = cuts_of(flags, body, blen, cuts);
		rule_in = one_rule_in;
		stream_check(a, SCTX_BODY, UINT64_MAX, t, l, cuts, nc, &h);
		stream_check(b, SCTX_BODY, UINT64_MAX, t, l, cuts, nc, &h);
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
		pattern_run(data[0], data + 1, size - 1);
	else
		fixed_run(data[0], data + 1, size - 1);
	return 0;
}
