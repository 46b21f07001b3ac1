/*
 * check_sensor.c: the DLP and WAF matching engine: names, compile errors
 * with PCRE2's message and offset, malformed specs, the Luhn and SSN
 * validators (card numbers of each network, SSN exclusions) and their
 * bounded search, rules over several contexts, negation, the sensor
 * mask, PCRE2's limits, masked excerpts, binary subjects, match bounds,
 * Hyperscan's equivalence: the same hits with and without it on crafted
 * and random texts, for a default-like set and for 10, 100 and 1000
 * generated rules; and streams: each sample streamed in every cut, in
 * 1-byte pieces and at random gives the hits of sensor_match on the whole
 * text, a card far into a stream and one split across two segments far
 * in, a flood of candidates, unbounded patterns, a pattern of PCRE2 alone,
 * too many patterns in doubt at once.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <check.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor/sensor.h"
#include "sensor/sensor_bound.h"
#include "fixture_sensor.h"

#define ALL	UINT64_MAX

/* --- helpers ------------------------------------------------------------- */

static void
rule_init(struct sensor_rule_spec *r, const char *name, enum sensor_validator v)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->validator = v;
}

static void
rule_pat(struct sensor_rule_spec *r, enum sensor_ctx ctx, int negate, const char *re)
{
	struct sensor_pattern_spec *p = &r->pat[r->npat++];

	snprintf(p->re, sizeof(p->re), "%s", re);
	p->ctx = ctx;
	p->negate = negate;
}

static void
sensor_init(struct sensor_spec *s, const char *name, enum sensor_type t,
    struct sensor_rule_spec *rules, int n)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->type = t;
	s->rules = rules;
	s->nrules = n;
}

static struct sensor_set *
build(const struct sensor_spec *s, int n, int prefilter)
{
	char err[256] = "";
	struct sensor_set *set = sensor_set_build(s, n, prefilter, err, sizeof(err));

	ck_assert_msg(set != NULL, "build: %s", err);
	return set;
}

/* A one-sensor, one-rule set of one body pattern. */
static struct sensor_set *
build_one(enum sensor_type t, enum sensor_validator v, const char *re)
{
	static struct sensor_rule_spec r;
	struct sensor_spec s;

	rule_init(&r, "r", v);
	rule_pat(&r, SCTX_BODY, 0, re);
	sensor_init(&s, "s", t, &r, 1);
	return build(&s, 1, 1);
}

struct hits {
	struct sensor_hit *h;
	int n, cap;
};

static void
collect(void *ctx, const struct sensor_hit *h)
{
	struct hits *hs = ctx;

	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? hs->cap * 2 : 16;
		hs->h = realloc(hs->h, (size_t)hs->cap * sizeof(*hs->h));
		ck_assert_ptr_nonnull(hs->h);
	}
	hs->h[hs->n++] = *h;
}

static void
hits_clear(struct hits *hs)
{
	hs->n = 0;
}

/* Matches text (NUL-terminated) as the body; hits in hs. */
static int
match_body(const struct sensor_set *set, struct sensor_scratch *s, const char *text,
    struct hits *hs)
{
	const uint8_t *t[SCTX_COUNT] = { NULL };
	size_t l[SCTX_COUNT] = { 0 };

	t[SCTX_BODY] = (const uint8_t *)text;
	l[SCTX_BODY] = strlen(text);
	hits_clear(hs);
	return sensor_match(set, s, ALL, t, l, collect, hs);
}

static struct sensor_scratch *scr;
static struct hits hs;

static void
setup(void)
{
	scr = sensor_scratch_new();
	ck_assert_ptr_nonnull(scr);
	memset(&hs, 0, sizeof(hs));
}

static void
teardown(void)
{
	sensor_scratch_free(scr);
	free(hs.h);
}

/* 1 if the one-rule set fires on text as the body. */
static int
fires(const struct sensor_set *set, const char *text)
{
	int rc = match_body(set, scr, text, &hs);

	ck_assert_int_ge(rc, 0);
	ck_assert_int_eq(rc, hs.n);
	return rc;
}

/* --- names and errors ---------------------------------------------------- */

START_TEST(test_names)
{
	enum sensor_type t;
	enum sensor_ctx c;
	enum sensor_validator v;

	ck_assert_str_eq(sensor_type_name(SENSOR_DLP), "dlp");
	ck_assert_str_eq(sensor_type_name(SENSOR_WAF), "waf");
	ck_assert_str_eq(sensor_type_name((enum sensor_type)7), "?");
	ck_assert_int_eq(sensor_type_parse("waf", &t), 0);
	ck_assert_int_eq(t, SENSOR_WAF);
	ck_assert_int_eq(sensor_type_parse("ids", &t), -1);
	for (c = 0; c < SCTX_COUNT; c++) {
		enum sensor_ctx back;

		ck_assert_int_eq(sensor_ctx_parse(sensor_ctx_name(c), &back), 0);
		ck_assert_int_eq(back, c);
	}
	ck_assert_str_eq(sensor_ctx_name(SCTX_URL), "url");
	ck_assert_int_eq(sensor_ctx_parse("cookie", &c), -1);
	ck_assert_int_eq(sensor_ctx_parse(NULL, &c), -1);
	ck_assert_int_eq(sensor_validator_parse("luhn", &v), 0);
	ck_assert_int_eq(v, SVAL_LUHN);
	ck_assert_int_eq(sensor_validator_parse("ssn", &v), 0);
	ck_assert_int_eq(v, SVAL_SSN);
	ck_assert_str_eq(sensor_validator_name(SVAL_NONE), "none");
	ck_assert_int_eq(sensor_validator_parse("iban", &v), -1);
}
END_TEST

START_TEST(test_pattern_check)
{
	char err[128];

	ck_assert_int_eq(sensor_pattern_check("(?i)union\\s+select", err, sizeof(err)), 0);
	ck_assert_int_eq(sensor_pattern_check("abc(", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "missing closing parenthesis at offset 4");
	ck_assert_int_eq(sensor_pattern_check("a{2,1}", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "numbers out of order in {} quantifier at offset 5");
	ck_assert_int_eq(sensor_pattern_check("[abc", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "missing terminating ] for character class at offset 4");
	ck_assert_int_eq(sensor_pattern_check("(*UTF)x", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "using UTF is disabled by the application at offset 6");
}
END_TEST

START_TEST(test_build_errors)
{
	struct sensor_rule_spec r[3];
	struct sensor_spec s[SENSOR_MAX + 1];
	char err[256];

	rule_init(&r[0], "ok", SVAL_NONE);
	rule_pat(&r[0], SCTX_BODY, 0, "abc");
	rule_init(&r[1], "bad", SVAL_NONE);
	rule_pat(&r[1], SCTX_URL, 0, "x");
	rule_pat(&r[1], SCTX_BODY, 0, "abc(");
	sensor_init(&s[0], "pii", SENSOR_DLP, r, 2);
	ck_assert_ptr_null(sensor_set_build(s, 1, 1, err, sizeof(err)));
	ck_assert_str_eq(err,
	    "sensor pii rule bad pattern 2: missing closing parenthesis at offset 4");

	/* Only negated patterns. */
	rule_init(&r[1], "neg", SVAL_NONE);
	rule_pat(&r[1], SCTX_BODY, 1, "x");
	ck_assert_ptr_null(sensor_set_build(s, 1, 1, err, sizeof(err)));
	ck_assert_str_eq(err, "sensor pii rule 2: no positive pattern");

	rule_init(&r[1], "none", SVAL_NONE);
	ck_assert_ptr_null(sensor_set_build(s, 1, 0, err, sizeof(err)));
	ck_assert_str_eq(err, "sensor pii rule 2: rule pattern count out of range");

	rule_init(&r[1], "ok", SVAL_NONE);
	rule_pat(&r[1], SCTX_BODY, 0, "y");
	ck_assert_ptr_null(sensor_set_build(s, 1, 1, err, sizeof(err)));
	ck_assert_str_eq(err, "sensor pii rule 2: rule given twice");

	rule_init(&r[1], "ctx", SVAL_NONE);
	rule_pat(&r[1], (enum sensor_ctx)SCTX_COUNT, 0, "y");
	ck_assert_ptr_null(sensor_set_build(s, 1, 1, err, sizeof(err)));
	ck_assert_str_eq(err, "sensor pii rule 2: unknown context");

	rule_init(&r[1], "val", (enum sensor_validator)9);
	rule_pat(&r[1], SCTX_BODY, 0, "y");
	ck_assert_ptr_null(sensor_set_build(s, 1, 1, err, sizeof(err)));
	ck_assert_str_eq(err, "sensor pii rule 2: unknown validator");

	rule_init(&r[1], "", SVAL_NONE);
	rule_pat(&r[1], SCTX_BODY, 0, "y");
	ck_assert_ptr_null(sensor_set_build(s, 1, 1, err, sizeof(err)));
	ck_assert_str_eq(err, "sensor pii rule 2: rule name empty or too long");

	sensor_init(&s[0], "pii", SENSOR_DLP, r, 1);
	sensor_init(&s[1], "pii", SENSOR_WAF, r, 1);
	ck_assert_ptr_null(sensor_set_build(s, 2, 1, err, sizeof(err)));
	ck_assert_str_eq(err, "sensor 2: sensor given twice");

	for (int i = 0; i <= SENSOR_MAX; i++) {
		char name[16];

		snprintf(name, sizeof(name), "s%d", i);
		sensor_init(&s[i], name, SENSOR_WAF, r, 1);
	}
	ck_assert_ptr_null(sensor_set_build(s, SENSOR_MAX + 1, 1, err, sizeof(err)));
	ck_assert_str_eq(err, "sensor count 65 out of range (at most 64)");
	sensor_set_free(build(s, SENSOR_MAX, 1));

	/* An empty set matches nothing. */
	struct sensor_set *set = build(NULL, 0, 1);

	ck_assert_int_eq(sensor_set_count(set), 0);
	ck_assert_int_eq(fires(set, "anything"), 0);
	sensor_set_free(set);
}
END_TEST

START_TEST(test_set_lookup)
{
	struct sensor_rule_spec r[2];
	struct sensor_spec s[2];
	struct sensor_set_info info;
	struct sensor_set *set;

	rule_init(&r[0], "a", SVAL_NONE);
	rule_pat(&r[0], SCTX_BODY, 0, "alpha");
	rule_pat(&r[0], SCTX_URL, 1, "beta|gamma");
	rule_pat(&r[0], SCTX_URL, 0, "^/");
	rule_init(&r[1], "b", SVAL_NONE);
	rule_pat(&r[1], SCTX_HEADER, 0, "delta");
	sensor_init(&s[0], "pii", SENSOR_DLP, &r[0], 1);
	sensor_init(&s[1], "web", SENSOR_WAF, &r[1], 1);
	set = build(s, 2, 1);
	ck_assert_int_eq(sensor_set_count(set), 2);
	ck_assert_str_eq(sensor_set_name(set, 1), "web");
	ck_assert_ptr_null(sensor_set_name(set, 2));
	ck_assert_int_eq(sensor_set_type(set, 0), SENSOR_DLP);
	ck_assert_int_eq(sensor_set_type(set, 1), SENSOR_WAF);
	ck_assert_int_eq(sensor_set_find(set, "web"), 1);
	ck_assert_int_eq(sensor_set_find(set, "nope"), -1);
	sensor_set_info(set, &info);
	ck_assert_int_eq(info.sensors, 2);
	ck_assert_int_eq(info.rules, 2);
	ck_assert_int_eq(info.patterns, 4);
	ck_assert_int_eq(info.hs_exact + info.hs_prefilter, 4);
	ck_assert_int_eq(info.pcre_only, 0);
	ck_assert_uint_gt(info.hs_bytes, 0);
	{
		uint32_t jit = 0;

		if (pcre2_config(PCRE2_CONFIG_JIT, &jit) >= 0 && jit)
			ck_assert_int_eq(info.jit, 4);
	}
	sensor_set_free(set);
}
END_TEST

/* --- validators ---------------------------------------------------------- */

static int
valid(enum sensor_validator v, const char *s)
{
	return sensor_validate(v, (const uint8_t *)s, strlen(s));
}

/* Published test numbers of each network. */
static const char *const cards[] = {
	"4111111111111111", "4012888888881881", "4222222222222",	/* Visa, 13 digits */
	"5555555555554444", "5105105105105100", "2223003122003222",	/* Mastercard */
	"378282246310005", "371449635398431", "378734493671000",	/* Amex */
	"6011111111111117", "6011000990139424",				/* Discover */
	"30569309025904", "38520000023237",				/* Diners */
	"3530111333300000", "3566002020360505",				/* JCB */
	"4111 1111 1111 1111", "4111-1111-1111-1111", "3782 822463 10005",
	"6011 0009 9013 9424",
};

START_TEST(test_luhn)
{
	for (size_t i = 0; i < sizeof(cards) / sizeof(cards[0]); i++) {
		char bad[32];
		size_t n = strlen(cards[i]);

		ck_assert_msg(valid(SVAL_LUHN, cards[i]), "%s", cards[i]);
		/* One digit off breaks the checksum. */
		snprintf(bad, sizeof(bad), "%s", cards[i]);
		bad[n - 1] = bad[n - 1] == '9' ? '0' : bad[n - 1] + 1;
		ck_assert_msg(!valid(SVAL_LUHN, bad), "%s", bad);
	}
	ck_assert(!valid(SVAL_LUHN, "4111111111111112"));
	ck_assert(!valid(SVAL_LUHN, "411111111111"));		/* 12 digits */
	ck_assert(!valid(SVAL_LUHN, "41111111111111111115"));	/* 20 digits */
	ck_assert(valid(SVAL_LUHN, "4111111111111111110"));	/* 19, valid */
	ck_assert(!valid(SVAL_LUHN, "4111.1111.1111.1111"));
	ck_assert(!valid(SVAL_LUHN, "4111x111111111111"));
	ck_assert(!valid(SVAL_LUHN, ""));
	ck_assert(valid(SVAL_NONE, "anything"));
}
END_TEST

START_TEST(test_ssn)
{
	ck_assert(valid(SVAL_SSN, "123-45-6789"));
	ck_assert(valid(SVAL_SSN, "123456789"));
	ck_assert(valid(SVAL_SSN, "899-99-9999"));
	ck_assert(valid(SVAL_SSN, "001-01-0001"));
	ck_assert(!valid(SVAL_SSN, "000-12-3456"));
	ck_assert(!valid(SVAL_SSN, "666-12-3456"));
	ck_assert(!valid(SVAL_SSN, "900-12-3456"));
	ck_assert(!valid(SVAL_SSN, "999-12-3456"));
	ck_assert(!valid(SVAL_SSN, "123-00-4567"));
	ck_assert(!valid(SVAL_SSN, "123-45-0000"));
	ck_assert(!valid(SVAL_SSN, "000123456"));
	ck_assert(!valid(SVAL_SSN, "123450000"));
	ck_assert(!valid(SVAL_SSN, "12345678"));
	ck_assert(!valid(SVAL_SSN, "1234567890"));
	ck_assert(!valid(SVAL_SSN, "123-456789"));
	ck_assert(!valid(SVAL_SSN, "123 45 6789"));
	ck_assert(!valid(SVAL_SSN, "12a-45-6789"));
}
END_TEST

#define CARD_RE	"\\b\\d(?:[ -]?\\d){12,18}\\b"

START_TEST(test_validator_in_rule)
{
	struct sensor_set *set = build_one(SENSOR_DLP, SVAL_LUHN, CARD_RE);

	ck_assert_int_eq(fires(set, "card 4111 1111 1111 1111 exp 12/29"), 1);
	ck_assert_str_eq(hs.h[0].excerpt, "**** **** **** 1111");
	ck_assert_int_eq(hs.h[0].offset, 5);
	ck_assert_int_eq(hs.h[0].len, 19);
	ck_assert_int_eq(fires(set, "order 4111 1111 1111 1112"), 0);
	ck_assert_int_eq(fires(set, "phone 1234567890123"), 0);
	/* The first candidate fails, a later one passes: the hit is the later one. */
	ck_assert_int_eq(fires(set, "ref 1234567890123 card 5555-5555-5555-4444."), 1);
	ck_assert_str_eq(hs.h[0].excerpt, "****-****-****-4444");
	ck_assert_int_eq(hs.h[0].offset, 23);
	sensor_set_free(set);

	set = build_one(SENSOR_DLP, SVAL_SSN, "\\b\\d{3}-\\d{2}-\\d{4}\\b");
	ck_assert_int_eq(fires(set, "ssn: 000-12-3456, 666-12-3456, 123-45-6789"), 1);
	ck_assert_str_eq(hs.h[0].excerpt, "***-**-6789");
	ck_assert_int_eq(fires(set, "ssn: 000-12-3456, 900-12-3456, 123-00-4567"), 0);
	sensor_set_free(set);
}
END_TEST

START_TEST(test_validator_bound)
{
	struct sensor_set *set = build_one(SENSOR_DLP, SVAL_LUHN, CARD_RE);
	char text[4096] = "";

	/* SENSOR_VALIDATE_MAX - 1 failing candidates, then a good card: found. */
	for (int i = 0; i < SENSOR_VALIDATE_MAX - 1; i++)
		strcat(text, "4111111111111112; ");
	strcat(text, "4111111111111111");
	ck_assert_int_eq(fires(set, text), 1);
	/* One more failing candidate puts the card past the bound. */
	memmove(text + 18, text, strlen(text) + 1);
	memcpy(text, "4111111111111112; ", 18);
	ck_assert_int_eq(fires(set, text), 0);
	sensor_set_free(set);
}
END_TEST

/* --- rule semantics ------------------------------------------------------ */

static int
match3(const struct sensor_set *set, uint64_t mask, const char *url, const char *header,
    const char *body)
{
	const uint8_t *t[SCTX_COUNT] = { NULL };
	size_t l[SCTX_COUNT] = { 0 };

	t[SCTX_URL] = (const uint8_t *)url;
	t[SCTX_HEADER] = (const uint8_t *)header;
	t[SCTX_BODY] = (const uint8_t *)body;
	for (int c = 0; c < SCTX_COUNT; c++)
		l[c] = t[c] != NULL ? strlen((const char *)t[c]) : 0;
	hits_clear(&hs);
	return sensor_match(set, scr, mask, t, l, collect, &hs);
}

START_TEST(test_and_contexts)
{
	struct sensor_rule_spec r;
	struct sensor_spec s;
	struct sensor_set *set;

	rule_init(&r, "debug-admin", SVAL_NONE);
	rule_pat(&r, SCTX_URL, 0, "^/admin\\b");
	rule_pat(&r, SCTX_HEADER, 0, "(?im)^x-debug:\\s*1");
	rule_pat(&r, SCTX_BODY, 0, "action=");
	sensor_init(&s, "web", SENSOR_WAF, &r, 1);
	for (int pf = 0; pf < 2; pf++) {
		set = build(&s, 1, pf);
		ck_assert_int_eq(match3(set, ALL, "/admin/users", "Host: a\r\nX-Debug: 1\r\n",
		    "action=drop"), 1);
		ck_assert_int_eq(hs.h[0].ctx, SCTX_URL);
		ck_assert_int_eq(hs.h[0].offset, 0);
		ck_assert_int_eq(hs.h[0].len, 6);
		ck_assert_str_eq(hs.h[0].excerpt, "/admin");
		ck_assert_str_eq(hs.h[0].sensor_name, "web");
		ck_assert_str_eq(hs.h[0].rule_name, "debug-admin");
		ck_assert_int_eq(match3(set, ALL, "/admin/users", "Host: a\r\n", "action=drop"), 0);
		ck_assert_int_eq(match3(set, ALL, "/public", "X-Debug: 1\r\n", "action=drop"), 0);
		ck_assert_int_eq(match3(set, ALL, "/admin", "X-Debug: 1\r\n", "act=drop"), 0);
		/* A context not given does not satisfy its pattern. */
		ck_assert_int_eq(match3(set, ALL, "/admin", "X-Debug: 1\r\n", NULL), 0);
		ck_assert_int_eq(match3(set, ALL, NULL, "X-Debug: 1\r\n", "action="), 0);
		/* A pattern looks only at its own context. */
		ck_assert_int_eq(match3(set, ALL, "/admin action=", "X-Debug: 1\r\n", "/admin"), 0);
		sensor_set_free(set);
	}
}
END_TEST

START_TEST(test_negation)
{
	struct sensor_rule_spec r;
	struct sensor_spec s;
	struct sensor_set *set;

	rule_init(&r, "cleartext-password", SVAL_NONE);
	rule_pat(&r, SCTX_BODY, 0, "(?i)\"password\"\\s*:\\s*\"[^\"]{4,}\"");
	rule_pat(&r, SCTX_BODY, 1, "\"password\"\\s*:\\s*\"\\$2[aby]\\$");
	rule_pat(&r, SCTX_URL, 1, "^/login/hashed");
	sensor_init(&s, "pii", SENSOR_DLP, &r, 1);
	for (int pf = 0; pf < 2; pf++) {
		set = build(&s, 1, pf);
		ck_assert_int_eq(match3(set, ALL, "/login", NULL,
		    "{\"Password\": \"hunter22\"}"), 1);
		ck_assert_str_eq(hs.h[0].excerpt, "\"Password\": \"hunter22\"");
		ck_assert_int_eq(match3(set, ALL, "/login", NULL,
		    "{\"password\": \"$2b$12$abcdefghijk\"}"), 0);
		ck_assert_int_eq(match3(set, ALL, "/login/hashed", NULL,
		    "{\"password\": \"hunter22\"}"), 0);
		/* Negated patterns of contexts not given are satisfied. */
		ck_assert_int_eq(match3(set, ALL, NULL, NULL, "{\"password\": \"hunter22\"}"), 1);
		ck_assert_int_eq(match3(set, ALL, NULL, NULL, "{\"password\": \"hi\"}"), 0);
		sensor_set_free(set);
	}
}
END_TEST

START_TEST(test_mask)
{
	struct sensor_rule_spec r[3];
	struct sensor_spec s[3];
	struct sensor_set *set;

	rule_init(&r[0], "a", SVAL_NONE);
	rule_pat(&r[0], SCTX_BODY, 0, "needle");
	rule_init(&r[1], "b", SVAL_NONE);
	rule_pat(&r[1], SCTX_BODY, 0, "(?i)NEEDLE");
	rule_init(&r[2], "c", SVAL_NONE);
	rule_pat(&r[2], SCTX_BODY, 0, "hay");
	sensor_init(&s[0], "s0", SENSOR_DLP, &r[0], 1);
	sensor_init(&s[1], "s1", SENSOR_WAF, &r[1], 2);
	sensor_init(&s[2], "s2", SENSOR_WAF, &r[0], 1);
	set = build(s, 3, 1);
	ck_assert_int_eq(match3(set, ALL, NULL, NULL, "hay needle"), 4);
	ck_assert_int_eq(match3(set, 1, NULL, NULL, "hay needle"), 1);
	ck_assert_int_eq(hs.h[0].sensor, 0);
	ck_assert_int_eq(match3(set, 2, NULL, NULL, "hay needle"), 2);
	ck_assert_int_eq(hs.h[0].sensor, 1);
	ck_assert_int_eq(hs.h[0].rule, 0);
	ck_assert_int_eq(hs.h[1].rule, 1);
	ck_assert_str_eq(hs.h[1].rule_name, "c");
	ck_assert_int_eq(match3(set, 4, NULL, NULL, "hay needle"), 1);
	ck_assert_str_eq(hs.h[0].sensor_name, "s2");
	ck_assert_int_eq(match3(set, 0, NULL, NULL, "hay needle"), 0);
	ck_assert_int_eq(match3(set, ALL, NULL, NULL, "hay NEEDLE"), 2);
	/* Without a callback, still counted. */
	{
		const uint8_t *t[SCTX_COUNT] = { NULL };
		size_t l[SCTX_COUNT] = { 0 };

		t[SCTX_BODY] = (const uint8_t *)"needle";
		l[SCTX_BODY] = 6;
		ck_assert_int_eq(sensor_match(set, scr, ALL, t, l, NULL, NULL), 3);
	}
	sensor_set_free(set);
}
END_TEST

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_limits)
{
	struct sensor_rule_spec r[3];
	struct sensor_spec s;
	struct sensor_stats st;
	struct sensor_set *set;
	char text[20000];
	double t0;

	rule_init(&r[0], "redos", SVAL_NONE);
	rule_pat(&r[0], SCTX_BODY, 0, "(a+)+$");
	rule_init(&r[1], "plain", SVAL_NONE);
	rule_pat(&r[1], SCTX_BODY, 0, "aaab");
	rule_init(&r[2], "redos-negated", SVAL_NONE);
	rule_pat(&r[2], SCTX_BODY, 0, "b");
	rule_pat(&r[2], SCTX_BODY, 1, "(?:a|aa)+$");
	sensor_init(&s, "waf", SENSOR_WAF, r, 3);
	for (int pf = 0; pf < 2; pf++) {
		set = build(&s, 1, pf);
		memset(text, 'a', sizeof(text) - 2);
		text[sizeof(text) - 2] = 'b';
		text[sizeof(text) - 1] = '\0';
		t0 = now();
		if (pf) {
			/* Hyperscan knows neither "$" pattern matches: PCRE2
			 * never runs them. */
			ck_assert_int_eq(match_body(set, scr, text, &hs), 2);
			ck_assert_str_eq(hs.h[1].rule_name, "redos-negated");
		} else
			ck_assert_int_eq(match_body(set, scr, text, &hs), -1);
		ck_assert_msg(now() - t0 < 2.0, "took %.2f s", now() - t0);
		/* The other rule still fired and was reported. */
		ck_assert_int_eq(hs.n, 1 + pf);
		ck_assert_str_eq(hs.h[0].rule_name, "plain");
		/* A short text does not reach the limits. */
		ck_assert_int_eq(match_body(set, scr, "aaaa", &hs), 1);
		ck_assert_str_eq(hs.h[0].rule_name, "redos");
		sensor_set_free(set);
	}
	sensor_scratch_stats(scr, &st);
	ck_assert_uint_ge(st.limits, 2);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_uint_eq(st.scans, 4);
}
END_TEST

/* Deep backtracking: the JIT stack limit (or the interpreter's depth limit). */
START_TEST(test_limits_deep)
{
	struct sensor_set *set = build_one(SENSOR_WAF, SVAL_NONE, "^(?:(a)|b)*c");
	char text[30000];

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	/* Either a limit or no match; never a crash. */
	ck_assert_int_le(match_body(set, scr, text, &hs), 0);
	sensor_set_free(set);
}
END_TEST

/* --- excerpts ------------------------------------------------------------ */

START_TEST(test_excerpt)
{
	struct sensor_set *set = build_one(SENSOR_DLP, SVAL_NONE, "id:[^;]*;");
	char text[256];

	ck_assert_int_eq(fires(set, "x id:AB12-34\x01\xff""5678; y"), 1);
	ck_assert_str_eq(hs.h[0].excerpt, "id:AB**-**??5678;");
	ck_assert_int_eq(fires(set, "id:123;"), 1);
	ck_assert_str_eq(hs.h[0].excerpt, "id:123;");	/* fewer than 5 digits: none masked */
	ck_assert_int_eq(fires(set, "id:12345;"), 1);
	ck_assert_str_eq(hs.h[0].excerpt, "id:*2345;");
	snprintf(text, sizeof(text), "id:%0120d;", 7);
	ck_assert_int_eq(fires(set, text), 1);
	ck_assert_int_eq(hs.h[0].len, 124);
	ck_assert_int_eq(strlen(hs.h[0].excerpt), SENSOR_EXCERPT_TEXT + 3);
	ck_assert_str_eq(hs.h[0].excerpt + SENSOR_EXCERPT_TEXT, "...");
	/* The last four digits of the match are past the excerpt: all shown are masked. */
	ck_assert_ptr_null(strpbrk(hs.h[0].excerpt, "0123456789"));
	sensor_set_free(set);

	set = build_one(SENSOR_WAF, SVAL_NONE, "id:[^;]*;");
	ck_assert_int_eq(fires(set, "x id:AB12-34\x01\xff""5678; y"), 1);
	ck_assert_str_eq(hs.h[0].excerpt, "id:AB12-34??5678;");
	sensor_set_free(set);
}
END_TEST

START_TEST(test_binary)
{
	static const uint8_t body[] = "\0\0\x80PK\0AKIAABCDEFGHIJKLMNOP\0\xff";
	const uint8_t *t[SCTX_COUNT] = { NULL };
	size_t l[SCTX_COUNT] = { 0 };
	struct sensor_set *set = build_one(SENSOR_DLP, SVAL_NONE, "AKIA[0-9A-Z]{16}");

	t[SCTX_BODY] = body;
	l[SCTX_BODY] = sizeof(body) - 1;
	ck_assert_int_eq(sensor_match(set, scr, ALL, t, l, collect, &hs), 1);
	ck_assert_int_eq(hs.h[0].offset, 6);
	ck_assert_str_eq(hs.h[0].excerpt, "AKIAABCDEFGHIJKLMNOP");
	/* An empty text is given, and matches nothing here. */
	l[SCTX_BODY] = 0;
	hits_clear(&hs);
	ck_assert_int_eq(sensor_match(set, scr, ALL, t, l, collect, &hs), 0);
	sensor_set_free(set);

	/* The empty pattern matches an empty text that is given, not one that is not. */
	set = build_one(SENSOR_WAF, SVAL_NONE, "");
	l[SCTX_BODY] = 0;
	ck_assert_int_eq(sensor_match(set, scr, ALL, t, l, NULL, NULL), 1);
	t[SCTX_BODY] = NULL;
	ck_assert_int_eq(sensor_match(set, scr, ALL, t, l, NULL, NULL), 0);
	sensor_set_free(set);

	/* Without DOTALL, '.' does not cross a newline; (?s) makes it. */
	set = build_one(SENSOR_WAF, SVAL_NONE, "a.b");
	ck_assert_int_eq(fires(set, "a\nb"), 0);
	ck_assert_int_eq(fires(set, "a\xe9" "b"), 1);
	sensor_set_free(set);
	set = build_one(SENSOR_WAF, SVAL_NONE, "(?s)a.b");
	ck_assert_int_eq(fires(set, "a\nb"), 1);
	sensor_set_free(set);
}
END_TEST

/* --- match bounds -------------------------------------------------------- */

#define UNB	SENSOR_UNBOUNDED

/* The most bytes a match reads from its start (sensor_bound.h). */
static const struct {
	const char *re;
	size_t bound;
} bound_cases[] = {
	{ "abc", 3 },
	{ "(?i)AbC", 3 },
	{ "ab?c", 3 },
	{ "abc*def", UNB },
	{ "abc+def", UNB },
	{ "ab{2}cd", 5 },
	{ "a{0}bc", 2 },
	{ "foo|bar", 3 },
	{ "foo|b", 3 },
	{ "(?:foo|bar)|bazz", 4 },
	{ "(?:foo|bar)bazz", 7 },
	{ "(?:abc|abc)d", 4 },
	{ "a1|a2|a3|a4|a5|a6|a7|a8", 2 },
	{ "a1|a2|a3|a4|a5|a6|a7|a8|a9", 2 },
	{ "xyzzy(?:ab|cd)(?:ef|gh)(?:ij|kl)(?:mn|op)", 13 },
	{ "(?:mn|op)(?:ab|cd)(?:ef|gh)(?:ij|kl)xyzzy", 13 },
	{ "x(?:hello)?y", 7 },
	{ "(hello)+ world", UNB },
	{ "(?:hello){2} x", 12 },
	{ "(?:hello)* x", UNB },
	{ "\\$\\{jndi:", 7 },
	{ "\\x41\\x{42}C\\101", UNB },
	{ "\\0101", 2 },
	{ "\\cAb", 2 },
	{ "\\t<\\n\\r", 4 },
	{ "[abc]def", 4 },
	{ "[]abc]xyz", 4 },
	{ "[^]a]xyz", 4 },
	{ "[[:alpha:]]+foo", UNB },
	{ "[a[:digit:]b]+foo", UNB },
	{ "[\\]\\\\]zz", 3 },
	{ "\\Qa.b*c\\E", 5 },
	{ "\\Qab\\E+cd", UNB },
	{ "\\Qab\\E?cd", 4 },
	{ "\\Qa|b)c", 5 },
	{ "a(?=bcd)e", 5 },
	{ "(?<=abc)de", 2 },
	{ "(?<!abc)de", 2 },
	{ "(?!abc)de", 5 },
	{ "(?=.*secret)(?=.*token)", UNB },
	{ "\\d{3}-\\d{2}-\\d{4}", 11 },
	{ "AKIA[0-9A-Z]{16}", 20 },
	{ "(?i)\\bunion\\s+select\\b", UNB },
	{ "(?i)select\\s+\\w+\\s+from\\s+tbl2\\b", UNB },
	{ "(a)\\1xyz", UNB },
	{ "(?<n>ab)\\k<n>cde", UNB },
	{ "ab\\g{-1}cde", UNB },
	{ "abcdefghijklmnopqrstuvwxyz", 26 },
	{ "ab(?i)cd", 4 },
	{ "(?i:foo)bar", 6 },
	{ "(?i-s:foo)barr", 7 },
	{ "foo(?:bar|baz)", 6 },
	{ "(?|a|b)cc", 3 },
	{ "(?>abc)d", 4 },
	{ "(?P<x>abc)d", 4 },
	{ "(?'x'abc)d", 4 },
	{ "^abc$", 3 },
	{ "a++b", UNB },
	{ "a{2,}+bc", UNB },
	{ "ab{1,3}?c", 5 },
	{ "a.b", 3 },
	{ "\\w+@\\w+\\.com", UNB },
	{ "\\p{L}\\pNab", 4 },
	{ "\\Rab", 4 },
	{ "\\Xab", UNB },
	{ "\\babc\\Bd", 4 },
	{ "ab\\Kcd", 4 },
	{ "a\\.b\\ c", 5 },
	{ "}]ab", 4 },
	{ "(?:(?:(?:deep)))", 4 },
	{ "", 0 },
	/* Unsure: no bound. */
	{ "(?x)abc", UNB },
	{ "(?x: a b )cde", UNB },
	{ "(*UCP)abc", UNB },
	{ "(*ACCEPT)abc", UNB },
	{ "ab{,3}c", UNB },
	{ "ab{x}", UNB },
	{ "ab{1, 3}", UNB },
	{ "{abc}", UNB },
	{ "(?#comment)abc", UNB },
	{ "(?C1)abc", UNB },
	{ "(?(1)a|b)abc", UNB },
	{ "(a)(?1)abc", UNB },
	{ "(a)(?R)?abc", UNB },
	{ "abc\\Edef", UNB },
	{ "ab\\x", UNB },
	{ "ab\\N{U+41}", UNB },
	{ "[\\Q]\\E]abc", UNB },
	{ "ab\\Q\\E+c", UNB },
	{ "(?=ab)+cd", UNB },
	{ "^*abc", UNB },
	{ "a)bc", UNB },
	{ "(abc", UNB },
	{ "ab**", UNB },
	{ "ab\\", UNB },
	{ "\\yab", UNB },
};

START_TEST(test_bound)
{
	for (size_t i = 0; i < sizeof(bound_cases) / sizeof(bound_cases[0]); i++) {
		size_t ahead, b = sensor_bound(bound_cases[i].re, &ahead);

		ck_assert_msg(b == bound_cases[i].bound, "%s: bound %zu, want %zu",
		    bound_cases[i].re, b, bound_cases[i].bound);
	}
}
END_TEST

/* What one assertion reads ahead, and word boundaries taken out for Hyperscan. */
START_TEST(test_ahead_strip)
{
	static const struct { const char *re; size_t ahead; } ah[] = {
		{ "abc", 0 }, { "ab\\b", 1 }, { "a$", 1 }, { "a+", 0 }, { "a(?=bcd)", 4 },
		{ "a(?!x\\d)", 3 }, { "(?<=ab)c", 0 }, { "x\\z", 1 }, { "(?=.*x)", UNB },
	};
	static const struct { const char *re, *out; int rc; } st[] = {
		{ "\\bab\\b", "ab", 1 }, { "[\\b]x", "", 0 }, { "a\\\\b", "", 0 },
		{ "\\Q\\b\\E", "", 0 }, { "a[[:alpha:]\\b]\\B", "a[[:alpha:]\\b]", 1 },
		{ "ab\\", "", -1 }, { "[ab", "", -1 },
	};
	char out[SENSOR_PATTERN_MAX];

	for (size_t i = 0; i < sizeof(ah) / sizeof(ah[0]); i++) {
		size_t ahead;

		sensor_bound(ah[i].re, &ahead);
		ck_assert_msg(ahead == ah[i].ahead, "%s: ahead %zu, want %zu", ah[i].re, ahead,
		    ah[i].ahead);
	}
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		int rc = sensor_strip_boundaries(st[i].re, out, sizeof(out));

		ck_assert_msg(rc == st[i].rc, "%s: %d, want %d", st[i].re, rc, st[i].rc);
		if (rc == 1)
			ck_assert_str_eq(out, st[i].out);
	}
	ck_assert_int_eq(sensor_strip_boundaries("\\bab", out, 2), -1);	/* "ab" and its NUL: 3 */
}
END_TEST

/* Soundness: whenever PCRE2 matches, the match is within the bound. */
START_TEST(test_bound_sound)
{
	static const char *const subjects[] = {
		"abc", "ABC", "ac", "abcdef", "abccccdef", "ab", "bar", "foo", "bazz", "xy",
		"xhelloy", " x", "hellohello x", "${jndi:", "${JNDI:", "ABCA", "\x08" "1",
		"\x01" "b", "\t<\n\r", "adef", "]xyz", "bxyz", "q1foo", "]\\zz", "a.b*c",
		"abbbcd", "acd", "a|b)c", "abcde", "xde", "123-45-6789", "akiaABCDEFGHIJKLMNOP",
		"UNION  SELECT", "aaxyz", "ababcde", "abcdefghijklmnopqrstuvwxyz", "abCD",
		"FOObar", "foobaz", "acc", "abcd", "aab", "aaabc", "abbbc", "a-b", "x@y.com",
		"Z9ab", "\r\nab", "eab", "a.b c", "}]ab", "deep", "", "a5", "a9", "foo bazz",
		"xyzzycdghklop", "opcdghklxyzzy", "token secret", "select x from tbl2",
		"Select  Y FROM TBL2;",
	};
	int matched = 0;

	for (size_t i = 0; i < sizeof(bound_cases) / sizeof(bound_cases[0]); i++) {
		char err[128];
		struct sensor_set *set;

		if (sensor_pattern_check(bound_cases[i].re, err, sizeof(err)) < 0)
			continue;
		set = build_one(SENSOR_WAF, SVAL_NONE, bound_cases[i].re);
		for (size_t j = 0; j < sizeof(subjects) / sizeof(subjects[0]); j++) {
			if (fires(set, subjects[j]) == 0)
				continue;
			matched++;
			ck_assert_msg(bound_cases[i].bound == UNB || hs.h[0].len <= bound_cases[i].bound,
			    "%s: match of %zu bytes, bound %zu", bound_cases[i].re, hs.h[0].len,
			    bound_cases[i].bound);
		}
		sensor_set_free(set);
	}
	ck_assert_int_gt(matched, 50);
}
END_TEST

/* --- Hyperscan against PCRE2 alone ---------------------------------------- */

/* A default-like set: DLP and WAF rules as a deployment would have them. */
static struct sensor_rule_spec dlp_rules[6], waf_rules[10];
static struct sensor_spec default_spec[2];

static void
default_set_spec(void)
{
	struct sensor_rule_spec *r = dlp_rules;

	rule_init(r, "credit-card", SVAL_LUHN);
	rule_pat(r++, SCTX_BODY, 0, CARD_RE);
	rule_init(r, "us-ssn", SVAL_SSN);
	rule_pat(r++, SCTX_BODY, 0, "\\b\\d{3}-\\d{2}-\\d{4}\\b");
	rule_init(r, "aws-access-key", SVAL_NONE);
	rule_pat(r++, SCTX_BODY, 0, "\\bAKIA[0-9A-Z]{16}\\b");
	rule_init(r, "private-key", SVAL_NONE);
	rule_pat(r++, SCTX_BODY, 0, "-----BEGIN (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-----");
	rule_init(r, "cleartext-password", SVAL_NONE);
	rule_pat(r, SCTX_BODY, 0, "(?i)\"password\"\\s*:\\s*\"[^\"]{4,}\"");
	rule_pat(r++, SCTX_BODY, 1, "\"password\"\\s*:\\s*\"\\$2[aby]\\$");
	rule_init(r, "card-in-url", SVAL_LUHN);
	rule_pat(r++, SCTX_URL, 0, "\\b\\d{13,19}\\b");

	r = waf_rules;
	rule_init(r, "sqli-union", SVAL_NONE);
	rule_pat(r++, SCTX_URL, 0, "(?i)\\bunion\\b[\\s/*+]+(?:all[\\s/*+]+)?select\\b");
	rule_init(r, "sqli-tautology", SVAL_NONE);
	rule_pat(r++, SCTX_URL, 0, "(?i)(?:'|%27)\\s*or\\s+['\"]?\\d+['\"]?\\s*=\\s*['\"]?\\d");
	rule_init(r, "sqli-body", SVAL_NONE);
	rule_pat(r++, SCTX_BODY, 0,
	    "(?i)\\b(?:union\\s+select|select\\s+\\*\\s+from|drop\\s+table)\\b");
	rule_init(r, "xss-script", SVAL_NONE);
	rule_pat(r++, SCTX_BODY, 0, "(?i)<script[\\s>/]");
	rule_init(r, "xss-handler", SVAL_NONE);
	rule_pat(r++, SCTX_BODY, 0, "(?i)\\bon(?:error|load|mouseover)\\s*=");
	rule_init(r, "log4shell", SVAL_NONE);
	rule_pat(r++, SCTX_PACKET, 0, "(?i)\\$\\{(?:jndi|\\$\\{lower:j\\}ndi):");
	rule_init(r, "shellshock", SVAL_NONE);
	rule_pat(r++, SCTX_HEADER, 0, "\\(\\)\\s*\\{\\s*:?;?\\s*\\};");
	rule_init(r, "path-traversal", SVAL_NONE);
	rule_pat(r++, SCTX_URL, 0, "(?:\\.\\.[/\\\\]){2,}");
	rule_init(r, "admin-debug", SVAL_NONE);
	rule_pat(r, SCTX_URL, 0, "^/admin\\b");
	rule_pat(r++, SCTX_HEADER, 0, "(?im)^x-debug:\\s*(?:1|true)\\b");
	rule_init(r, "traversal-encoded", SVAL_NONE);
	rule_pat(r++, SCTX_URL, 0, "(?i)%2e%2e(?:%2f|%5c)");

	sensor_init(&default_spec[0], "pii", SENSOR_DLP, dlp_rules, 6);
	sensor_init(&default_spec[1], "web", SENSOR_WAF, waf_rules, 10);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	return fxsensor_rnd(&rng, n);
}

/* Texts: fragments that match, nearly match or only share a literal. */
static const char *const fragments[] = {
	"4111 1111 1111 1111", "4111111111111112", "5555-5555-5555-4444", "378282246310005",
	"123-45-6789", "666-12-3456", "AKIAABCDEFGHIJKLMNOP", "AKIAabc", "akia",
	"-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN PUBLIC KEY-----",
	"{\"password\": \"hunter22\"}", "\"password\":\"$2b$10$xyz\"", "password",
	"' or 1=1", "%27 OR '1'='1", "union select", "UNION/**/ALL/**/SELECT", "union",
	"select * from users", "drop table", "<script>", "<SCRIPT src=x>", "<scriptx",
	"onerror=", "onload =", "${jndi:ldap://x}", "${${lower:j}ndi:", "${JnDi:", "${",
	"() { :; };", "() {", "../../", "..\\..\\", "../", "%2e%2e%2f", "%2E%2E%5C",
	"/admin", "/admin/x", "X-Debug: 1", "x-debug: true", "x-debug", "\r\n", "\n",
	"key_0000 = abcdef123456", "KEY_0008:zz99zz99zz", "tok-1-abc123", "tok-9-ffffff",
	"select name from tbl2", "id=3&", "alpha4", "beta3", "user5@", "X-Tenant: 12",
	"order-6", "order-6-void",
	"234-56-7890 ref7", "ref", "4222222222222", "6011000990139424", "\0", "\xff\xfe",
	"lorem ipsum dolor sit amet", " ", "=", "{\"id\": 42, \"name\": \"x\"}",
};

static size_t
text_make(char *out, size_t cap)
{
	size_t n = 0;
	int parts = (int)rnd(12);

	for (int i = 0; i < parts; i++) {
		const char *f = fragments[rnd(sizeof(fragments) / sizeof(fragments[0]))];
		size_t fl = f[0] == '\0' ? 1 : strlen(f);

		if (n + fl + 8 >= cap)
			break;
		memcpy(out + n, f, fl);
		for (size_t j = 0; j < fl; j++)
			if (rnd(16) == 0)
				out[n + j] ^= 0x20;	/* flip case, or break a byte */
		n += fl;
		switch (rnd(4)) {
		case 0:
			out[n++] = ' ';
			break;
		case 1:
			for (int k = (int)rnd(6); k > 0; k--)
				out[n++] = (char)rnd(256);
			break;
		case 2:
			out[n++] = (char)('0' + rnd(10));
			break;
		}
	}
	return n;
}

struct sample {
	uint8_t buf[SCTX_COUNT][600];
	size_t len[SCTX_COUNT];
	int given[SCTX_COUNT];
};

static void
sample_make(struct sample *s)
{
	for (int c = 0; c < SCTX_COUNT; c++) {
		s->given[c] = rnd(5) != 0;
		s->len[c] = text_make((char *)s->buf[c], sizeof(s->buf[c]));
	}
}

static int
sample_match(const struct sensor_set *set, struct sensor_scratch *s, const struct sample *sm,
    struct hits *out)
{
	const uint8_t *t[SCTX_COUNT];
	size_t l[SCTX_COUNT];

	for (int c = 0; c < SCTX_COUNT; c++) {
		t[c] = sm->given[c] ? sm->buf[c] : NULL;
		l[c] = sm->len[c];
	}
	hits_clear(out);
	return sensor_match(set, s, ALL, t, l, collect, out);
}

static void
hits_same(const struct hits *a, const struct hits *b, int sample)
{
	ck_assert_msg(a->n == b->n, "sample %d: %d hits with Hyperscan, %d without",
	    sample, a->n, b->n);
	for (int i = 0; i < a->n; i++) {
		const struct sensor_hit *x = &a->h[i], *y = &b->h[i];

		ck_assert_msg(x->sensor == y->sensor && x->rule == y->rule && x->ctx == y->ctx &&
		    x->offset == y->offset && x->len == y->len &&
		    strcmp(x->excerpt, y->excerpt) == 0 && strcmp(x->rule_name, y->rule_name) == 0,
		    "sample %d hit %d: %s/%s at %zu vs %s/%s at %zu", sample, i,
		    x->sensor_name, x->rule_name, x->offset, y->sensor_name, y->rule_name,
		    y->offset);
	}
}

/*
 * Matches every sample with both sets and checks they agree wherever the
 * set of PCRE2 alone hit no limit.  Returns the hits seen.
 */
static int
equivalence(const struct sensor_set *with, const struct sensor_set *without,
    const struct sample *samples, int n)
{
	struct hits a = { 0 }, b = { 0 };
	struct sensor_stats st;
	int total = 0;

	for (int i = 0; i < n; i++) {
		int rw = sample_match(with, scr, &samples[i], &a);
		int rwo = sample_match(without, scr, &samples[i], &b);

		if (rwo < 0)
			continue;
		ck_assert_int_eq(rw, rwo);
		hits_same(&a, &b, i);
		total += a.n;
	}
	sensor_scratch_stats(scr, &st);
	ck_assert_uint_gt(st.skipped, 0);
	free(a.h);
	free(b.h);
	return total;
}

#define SAMPLES	400

static struct sample *
samples_make(int n)
{
	struct sample *s = malloc((size_t)n * sizeof(*s));

	ck_assert_ptr_nonnull(s);
	for (int i = 0; i < n; i++)
		sample_make(&s[i]);
	return s;
}

/* Crafted samples: each fragment alone in each context. */
static int
crafted(struct sample *s, int max)
{
	int n = 0;

	for (size_t f = 0; f < sizeof(fragments) / sizeof(fragments[0]) && n < max; f++) {
		memset(&s[n], 0, sizeof(s[n]));
		for (int c = 0; c < SCTX_COUNT; c++) {
			s[n].given[c] = 1;
			s[n].len[c] = fragments[f][0] == '\0' ? 1 : strlen(fragments[f]);
			memcpy(s[n].buf[c], fragments[f], s[n].len[c]);
		}
		n++;
	}
	return n;
}

START_TEST(test_equiv_default)
{
	struct sensor_set *with, *without;
	struct sample *s = samples_make(SAMPLES);
	int total;

	crafted(s, 100);
	default_set_spec();
	with = build(default_spec, 2, 1);
	without = build(default_spec, 2, 0);
	total = equivalence(with, without, s, SAMPLES);
	ck_assert_int_gt(total, SAMPLES / 2);
	sensor_set_free(with);
	sensor_set_free(without);
	free(s);
}
END_TEST

/* Generated rules of eight shapes (fixture_sensor.h), in two contexts. */
static void
generated_rule(struct sensor_rule_spec *r, int i)
{
	struct fxsensor_gen g;

	fxsensor_gen(&g, i);
	rule_init(r, g.name, g.validator);
	if (g.second != NULL)
		rule_pat(r, g.second_ctx, g.second_negate, g.second);
	rule_pat(r, (i % 3) == 0 ? SCTX_URL : SCTX_BODY, 0, g.re);
}

static const int generated_sizes[] = { 10, 100, 1000 };

START_TEST(test_equiv_generated)
{
	int nrules = generated_sizes[_i];
	struct sensor_rule_spec *r = calloc((size_t)nrules, sizeof(*r));
	struct sensor_set *with, *without;
	struct sensor_spec s;
	struct sensor_set_info info;
	struct sample *sm = samples_make(SAMPLES);
	int total;

	crafted(sm, 100);
	ck_assert_ptr_nonnull(r);
	for (int i = 0; i < nrules; i++)
		generated_rule(&r[i], i);
	sensor_init(&s, "gen", SENSOR_WAF, r, nrules);
	with = build(&s, 1, 1);
	without = build(&s, 1, 0);
	sensor_set_info(with, &info);
	ck_assert_int_eq(info.rules, nrules);
	ck_assert_int_eq(info.pcre_only, 0);
	total = equivalence(with, without, sm, SAMPLES);
	ck_assert_int_gt(total, 0);
	sensor_set_free(with);
	sensor_set_free(without);
	free(sm);
	free(r);
}
END_TEST

/* --- streams against whole texts ----------------------------------------- */

/* Whether rule ri of sensor si in spec has a pattern of context c. */
static int
rule_in(const struct sensor_spec *spec, int si, int ri, enum sensor_ctx c)
{
	const struct sensor_rule_spec *r = &spec[si].rules[ri];

	for (int i = 0; i < r->npat; i++)
		if (r->pat[i].ctx == c)
			return 1;
	return 0;
}

static int
hit_cmp(const void *a, const void *b)
{
	const struct sensor_hit *x = a, *y = b;

	if (x->sensor != y->sensor)
		return x->sensor - y->sensor;
	return x->rule - y->rule;
}

/*
 * text[c] fed to a stream of c in the pieces cuts says (ncuts cut
 * offsets, ascending), the other contexts given whole; the hits in out.
 */
static int
stream_run(const struct sensor_set *set, enum sensor_ctx c, const uint8_t *const text[SCTX_COUNT],
    const size_t len[SCTX_COUNT], const size_t *cuts, int ncuts, struct hits *out)
{
	struct sensor_stream *st = sensor_stream_new(set, c);
	size_t at = 0;
	int fired = 0, rc, failed = 0;

	ck_assert_ptr_nonnull(st);
	hits_clear(out);
	rc = sensor_stream_begin(st, scr, ALL, text, len, collect, out);
	failed |= rc < 0;
	fired += rc > 0 ? rc : 0;
	for (int i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len[c];

		rc = sensor_stream_feed(st, scr, text[c] + at, to - at, collect, out);
		failed |= rc < 0;
		fired += rc > 0 ? rc : 0;
		at = to;
	}
	rc = sensor_stream_end(st, scr, collect, out);
	failed |= rc < 0;
	fired += rc > 0 ? rc : 0;
	ck_assert_uint_eq(sensor_stream_offset(st), len[c]);
	sensor_stream_free(st);
	if (!failed)
		ck_assert_int_eq(fired, out->n);
	return failed ? -1 : fired;
}

/* The hits of the whole text of the rules a stream of c judges; -1 to skip. */
static int
whole_run(const struct sensor_set *plain, const struct sensor_spec *spec, enum sensor_ctx c,
    const uint8_t *const text[SCTX_COUNT], const size_t len[SCTX_COUNT], struct hits *out)
{
	struct sensor_stats before, after;
	int rc, n = 0;

	sensor_scratch_stats(scr, &before);
	hits_clear(out);
	rc = sensor_match(plain, scr, ALL, text, len, collect, out);
	sensor_scratch_stats(scr, &after);
	/* A limit, or more validated matches than sensor_match tries: the
	 * stream has no such bound. */
	if (rc < 0 || after.capped != before.capped)
		return -1;
	for (int i = 0; i < out->n; i++)
		if (rule_in(spec, out->h[i].sensor, out->h[i].rule, c))
			out->h[n++] = out->h[i];
	out->n = n;
	return n;
}

static void
hits_equal(struct hits *stream, struct hits *whole, const char *what, size_t cut)
{
	if (stream->n > 1)
		qsort(stream->h, (size_t)stream->n, sizeof(stream->h[0]), hit_cmp);
	if (whole->n > 1)
		qsort(whole->h, (size_t)whole->n, sizeof(whole->h[0]), hit_cmp);
	ck_assert_msg(stream->n == whole->n, "%s (cut %zu): %d hits streamed, %d whole", what, cut,
	    stream->n, whole->n);
	for (int i = 0; i < stream->n; i++) {
		const struct sensor_hit *x = &stream->h[i], *y = &whole->h[i];

		/* A match a stream decides before its end may be shorter: a
		 * greedy repeat at its end had no more bytes yet. */
		ck_assert_msg(x->sensor == y->sensor && x->rule == y->rule && x->ctx == y->ctx &&
		    x->offset == y->offset && x->len <= y->len &&
		    (x->len < y->len || strcmp(x->excerpt, y->excerpt) == 0),
		    "%s (cut %zu) hit %d: %s at %zu+%zu '%s' streamed, %s at %zu+%zu '%s' whole",
		    what, cut, i, x->rule_name, x->offset, x->len, x->excerpt, y->rule_name,
		    y->offset, y->len, y->excerpt);
	}
}

/*
 * Each sample's text of context c as a stream of set, cut in every place
 * (one cut), in 1-byte pieces and at random, against sensor_match of the
 * whole text with plain (PCRE2 alone).  every: cut everywhere (else three
 * random cuttings).  Returns the hits seen.
 */
static int
stream_equivalence(const struct sensor_set *set, const struct sensor_set *plain,
    const struct sensor_spec *spec, enum sensor_ctx c, const struct sample *samples, int n,
    int every)
{
	struct hits a = { 0 }, b = { 0 };
	size_t *cuts = malloc(sizeof(samples[0].buf[0]) * sizeof(size_t));
	int total = 0;

	ck_assert_ptr_nonnull(cuts);
	for (int i = 0; i < n; i++) {
		const struct sample *sm = &samples[i];
		const uint8_t *t[SCTX_COUNT] = { NULL };
		size_t l[SCTX_COUNT] = { 0 }, len = sm->len[c];
		char what[64];

		t[c] = sm->buf[c];
		l[c] = len;
		if (c == SCTX_BODY) {	/* as inspect gives a body stream */
			for (int k = SCTX_URL; k <= SCTX_HEADER; k++) {
				t[k] = sm->given[k] ? sm->buf[k] : NULL;
				l[k] = sm->len[k];
			}
		}
		if (whole_run(plain, spec, c, t, l, &b) < 0)
			continue;
		snprintf(what, sizeof(what), "%s sample %d", sensor_ctx_name(c), i);
		total += b.n;
		ck_assert_int_eq(stream_run(set, c, t, l, NULL, 0, &a), b.n);
		hits_equal(&a, &b, what, 0);
		for (size_t k = 1; k < len; k++)
			cuts[k - 1] = k;
		ck_assert_int_eq(stream_run(set, c, t, l, cuts, len > 0 ? (int)len - 1 : 0, &a), b.n);
		hits_equal(&a, &b, what, 1);
		for (size_t k = 1; every && k < len; k++) {
			ck_assert_int_eq(stream_run(set, c, t, l, &k, 1, &a), b.n);
			hits_equal(&a, &b, what, k);
		}
		for (int r = 0; !every && r < 3 && len > 1; r++) {
			int nc = 0;

			for (size_t k = 1 + rnd(8); k < len; k += 1 + rnd(40))
				cuts[nc++] = k;
			ck_assert_int_eq(stream_run(set, c, t, l, cuts, nc, &a), b.n);
			hits_equal(&a, &b, what, cuts[0]);
		}
	}
	free(cuts);
	free(a.h);
	free(b.h);
	return total;
}

START_TEST(test_stream_default)
{
	struct sensor_set *with, *without;
	struct sample *s = samples_make(SAMPLES);
	int total = 0;

	crafted(s, 100);
	default_set_spec();
	with = build(default_spec, 2, 1);
	without = build(default_spec, 2, 0);
	for (int c = 0; c < SCTX_COUNT; c++) {
		if (c != SCTX_PACKET && c != SCTX_BODY)
			continue;
		/* Hyperscan's streams, and PCRE2's alone (every pattern a
		 * candidate everywhere). */
		total += stream_equivalence(with, without, default_spec, (enum sensor_ctx)c, s,
		    SAMPLES, 1);
		total += stream_equivalence(without, without, default_spec, (enum sensor_ctx)c, s,
		    SAMPLES / 4, 1);
	}
	ck_assert_int_gt(total, SAMPLES / 4);
	sensor_set_free(with);
	sensor_set_free(without);
	free(s);
}
END_TEST

START_TEST(test_stream_generated)
{
	int nrules = generated_sizes[_i];
	struct sensor_rule_spec *r = calloc((size_t)nrules, sizeof(*r));
	struct sensor_set *with, *without;
	struct sensor_spec s;
	struct sample *sm = samples_make(SAMPLES);
	int total = 0;

	crafted(sm, 100);
	ck_assert_ptr_nonnull(r);
	for (int i = 0; i < nrules; i++)
		generated_rule(&r[i], i);
	sensor_init(&s, "gen", SENSOR_WAF, r, nrules);
	with = build(&s, 1, 1);
	without = build(&s, 1, 0);
	total += stream_equivalence(with, without, &s, SCTX_BODY, sm,
	    nrules < 1000 ? SAMPLES : SAMPLES / 4, nrules < 1000);
	ck_assert_int_gt(total, 0);
	sensor_set_free(with);
	sensor_set_free(without);
	free(sm);
	free(r);
}
END_TEST

/* --- streams: far into them, floods, unbounded patterns ------------------ */

/* A stream of the one-rule set fed buf in segments of seg bytes; hits in hs. */
static int
stream_segments(const struct sensor_set *set, enum sensor_ctx c, const uint8_t *buf, size_t n,
    size_t seg)
{
	const uint8_t *t[SCTX_COUNT] = { NULL };
	size_t l[SCTX_COUNT] = { 0 }, *cuts = malloc((n / seg + 1) * sizeof(size_t));
	int nc = 0, rc;

	ck_assert_ptr_nonnull(cuts);
	t[c] = buf;
	l[c] = n;
	for (size_t k = seg; k < n; k += seg)
		cuts[nc++] = k;
	rc = stream_run(set, c, t, l, cuts, nc, &hs);
	free(cuts);
	return rc;
}

/* Fills n bytes with copies of s. */
static void
fill(uint8_t *buf, size_t n, const char *s)
{
	size_t sl = strlen(s);

	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)s[i % sl];
}

/*
 * A card after 4 MB of numbers that fail the Luhn check, and one split
 * across two segments 2.9 MB in: each found once, at its offset in the
 * stream, with work bounded by the stream's length.
 */
START_TEST(test_stream_far)
{
	const size_t n = 20u * 200000;	/* whole copies of the 20 bytes */
	const char *card = "4111 1111 1111 1111";
	uint8_t *buf = malloc(n + 64);
	struct sensor_set *set = build_one(SENSOR_DLP, SVAL_LUHN, CARD_RE);
	struct sensor_stats st;
	size_t at;

	ck_assert_ptr_nonnull(buf);
	fill(buf, n, "4111 1111 1111 1112 ");
	memcpy(buf + n, card, strlen(card));
	ck_assert_int_eq(stream_segments(set, SCTX_BODY, buf, n + strlen(card), 1448), 1);
	ck_assert_uint_eq(hs.h[0].offset, n);
	ck_assert_str_eq(hs.h[0].excerpt, "**** **** **** 1111");
	sensor_scratch_stats(scr, &st);
	ck_assert_uint_le(st.runs, n / 8);	/* about one per candidate number */
	/* sensor_match gives up after SENSOR_VALIDATE_MAX numbers. */
	buf[n + strlen(card)] = '\0';
	ck_assert_int_eq(fires(set, (const char *)buf), 0);

	/* Split across two segments far in: "4111 1111 | 1111 1111". */
	fill(buf, n, "lorem ipsum ");
	at = 1448 * 2000 - 9;	/* "4111 1111" | " 1111 1111" */
	memcpy(buf + at, card, strlen(card));
	buf[at - 1] = buf[at + strlen(card)] = ' ';
	ck_assert_int_eq(stream_segments(set, SCTX_PACKET, buf, n, 1448), 0);	/* a body rule */
	ck_assert_int_eq(stream_segments(set, SCTX_BODY, buf, n, 1448), 1);
	ck_assert_uint_eq(hs.h[0].offset, at);
	ck_assert_str_eq(hs.h[0].excerpt, "**** **** **** 1111");
	sensor_set_free(set);
	free(buf);
}
END_TEST

/*
 * Unbounded patterns: a match that fits in SENSOR_SPAN bytes is found
 * whatever the cuts; a longer one when Hyperscan matches the pattern
 * exactly (here "select.*from"); a lookbehind makes the second a prefilter
 * one, whose long match puts the stream in doubt, counted.
 */
START_TEST(test_stream_unbounded)
{
	const size_t n = 3 * SENSOR_SPAN;
	uint8_t *buf = malloc(n);
	struct sensor_set *exact = build_one(SENSOR_WAF, SVAL_NONE, "select .*from");
	struct sensor_set *pre = build_one(SENSOR_WAF, SVAL_NONE, "(?<!x)select .*from");
	struct sensor_set_info info;
	struct sensor_stats st;
	size_t seg[] = { 1, 7, 1448, 65536 };

	ck_assert_ptr_nonnull(buf);
	sensor_set_info(exact, &info);
	ck_assert_int_eq(info.hs_exact, 1);
	sensor_set_info(pre, &info);
	ck_assert_int_eq(info.hs_prefilter, 1);
	fill(buf, n, "-");
	memcpy(buf + 100, "select ", 7);
	memcpy(buf + 100 + SENSOR_SPAN / 2, "from", 4);
	for (size_t i = 0; i < sizeof(seg) / sizeof(seg[0]); i++) {
		ck_assert_int_eq(stream_segments(exact, SCTX_BODY, buf, n, seg[i]), 1);
		ck_assert_uint_eq(hs.h[0].offset, 100);
		ck_assert_uint_eq(hs.h[0].len, SENSOR_SPAN / 2 + 4);
		ck_assert_int_eq(stream_segments(pre, SCTX_BODY, buf, n, seg[i]), 1);
		ck_assert_uint_eq(hs.h[0].offset, 100);
	}
	/* "from" past the span: the exact pattern's report is the proof. */
	memset(buf + 100 + SENSOR_SPAN / 2, '-', 4);
	memcpy(buf + 100 + 2 * SENSOR_SPAN, "from", 4);
	for (size_t i = 0; i < sizeof(seg) / sizeof(seg[0]); i++) {
		ck_assert_int_eq(stream_segments(exact, SCTX_BODY, buf, n, seg[i]), 1);
		ck_assert_uint_eq(hs.h[0].offset + hs.h[0].len, 104 + 2 * SENSOR_SPAN);
		/* Found when one piece holds it all (the last size), else in doubt. */
		ck_assert_int_eq(stream_segments(pre, SCTX_BODY, buf, n, seg[i]), seg[i] > n ? 1 : -1);
	}
	sensor_scratch_stats(scr, &st);
	ck_assert_uint_gt(st.too_long, 0);
	sensor_set_free(exact);
	sensor_set_free(pre);
	free(buf);
}
END_TEST

/* A pattern Hyperscan cannot take (\K) matches through PCRE2 alone. */
START_TEST(test_stream_pcre_only)
{
	struct sensor_set *set = build_one(SENSOR_DLP, SVAL_NONE, "key=\\K[0-9a-f]{8}\\b");
	struct sensor_set_info info;
	const char *text = "xx key=zz key=0123abcd; key=1";
	size_t len = strlen(text);

	sensor_set_info(set, &info);
	ck_assert_int_eq(info.pcre_only, 1);
	ck_assert_int_eq(info.hs_exact + info.hs_prefilter, 0);
	ck_assert_int_eq(fires(set, text), 1);
	ck_assert_uint_eq(hs.h[0].offset, 14);
	for (size_t seg = 1; seg <= len; seg++) {
		ck_assert_int_eq(stream_segments(set, SCTX_BODY, (const uint8_t *)text, len, seg), 1);
		ck_assert_uint_eq(hs.h[0].offset, 14);
		ck_assert_str_eq(hs.h[0].excerpt, "0123abcd");	/* four digits: none masked */
	}
	sensor_set_free(set);
}
END_TEST

/*
 * More than SENSOR_STREAM_PENDING patterns waiting for the next piece at
 * once: the stream says it is in doubt (-1), counted.
 */
START_TEST(test_stream_pending)
{
	struct sensor_rule_spec r[SENSOR_STREAM_PENDING + 8];
	struct sensor_spec s;
	struct sensor_set *set;
	struct sensor_stats st;
	const char *text = "q123zzzz";
	int n = SENSOR_STREAM_PENDING + 8;

	/* Each candidate ends the first piece, its lookahead past it. */
	for (int i = 0; i < n; i++) {
		char re[32];

		snprintf(re, sizeof(re), "q[0-9]{3}(?!x%d)", i);
		rule_init(&r[i], "r", SVAL_NONE);
		snprintf(r[i].name, sizeof(r[i].name), "r%d", i);
		rule_pat(&r[i], SCTX_BODY, 0, re);
	}
	sensor_init(&s, "many", SENSOR_WAF, r, n);
	set = build(&s, 1, 1);
	ck_assert_int_eq(stream_segments(set, SCTX_BODY, (const uint8_t *)text, strlen(text), 4),
	    -1);
	sensor_scratch_stats(scr, &st);
	ck_assert_uint_gt(st.overflows, 0);
	sensor_set_free(set);
}
END_TEST

/*
 * A pause: a match the bytes so far end fires before the next bytes come
 * (a card, an SSN, and an unbounded pattern whose \b Hyperscan decides at
 * the stream's end, through a copy of its state), once; a number that
 * goes on does not fire later.
 */
START_TEST(test_stream_pause)
{
	struct sensor_set *card = build_one(SENSOR_DLP, SVAL_LUHN, CARD_RE);
	struct sensor_set *ssn = build_one(SENSOR_DLP, SVAL_SSN, "\\b\\d{3}-\\d{2}-\\d{4}\\b");
	struct sensor_set *sql = build_one(SENSOR_WAF, SVAL_NONE, "(?i)union\\s+select\\b");
	const uint8_t *t[SCTX_COUNT] = { NULL };
	size_t l[SCTX_COUNT] = { 0 };
	struct sensor_stream *st;
	const char *a = "card=4111 1111 1111 1111";

	ck_assert_int_eq(sensor_set_streams(card, SCTX_PACKET, ALL), 0);	/* a body pattern */
	ck_assert_int_eq(sensor_set_streams(card, SCTX_BODY, ALL), 1);
	ck_assert_int_eq(sensor_set_streams(card, SCTX_BODY, 0), 0);
	ck_assert_ptr_null(sensor_stream_new(card, SCTX_URL));
	st = sensor_stream_new(card, SCTX_BODY);
	hits_clear(&hs);
	ck_assert_int_eq(sensor_stream_begin(st, scr, ALL, t, l, collect, &hs), 0);
	ck_assert_int_eq(sensor_stream_feed(st, scr, (const uint8_t *)a, strlen(a), collect, &hs), 0);
	ck_assert_int_eq(sensor_stream_pause(st, scr, collect, &hs), 1);
	ck_assert_uint_eq(hs.h[0].offset, 5);
	ck_assert_int_eq(sensor_stream_feed(st, scr, (const uint8_t *)"2 x", 3, collect, &hs), 0);
	ck_assert_int_eq(sensor_stream_end(st, scr, collect, &hs), 0);
	ck_assert_int_eq(hs.n, 1);
	/* Without the pause, the longer number does not match at all. */
	hits_clear(&hs);
	sensor_stream_begin(st, scr, ALL, t, l, collect, &hs);
	sensor_stream_feed(st, scr, (const uint8_t *)a, strlen(a), collect, &hs);
	sensor_stream_feed(st, scr, (const uint8_t *)"2 x", 3, collect, &hs);
	ck_assert_int_eq(sensor_stream_end(st, scr, collect, &hs), 0);
	ck_assert_int_eq(hs.n, 0);
	sensor_stream_free(st);

	st = sensor_stream_new(ssn, SCTX_BODY);
	hits_clear(&hs);
	sensor_stream_begin(st, scr, ALL, t, l, collect, &hs);
	ck_assert_int_eq(sensor_stream_feed(st, scr, (const uint8_t *)"ssn 123-45-6789", 15, collect,
	    &hs), 0);
	ck_assert_int_eq(sensor_stream_pause(st, scr, collect, &hs), 1);
	ck_assert_str_eq(hs.h[0].excerpt, "***-**-6789");
	sensor_stream_free(st);

	st = sensor_stream_new(sql, SCTX_BODY);
	for (int pause = 0; pause < 2; pause++) {
		hits_clear(&hs);
		sensor_stream_begin(st, scr, ALL, t, l, collect, &hs);
		sensor_stream_feed(st, scr, (const uint8_t *)"q=1 union select", 16, collect, &hs);
		ck_assert_int_eq(hs.n, 0);
		ck_assert_int_eq(pause ? sensor_stream_pause(st, scr, collect, &hs) : 0, pause);
		sensor_stream_feed(st, scr, (const uint8_t *)"ed", 2, collect, &hs);
		sensor_stream_end(st, scr, collect, &hs);
		ck_assert_int_eq(hs.n, pause);	/* "selected": no match but at the pause */
	}
	sensor_stream_free(st);
	sensor_set_free(card);
	sensor_set_free(ssn);
	sensor_set_free(sql);
}
END_TEST

/* --- threads ------------------------------------------------------------- */

struct worker {
	pthread_t t;
	const struct sensor_set *set;
	const struct sample *s;
	int n;
	int total;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct sensor_scratch *s = sensor_scratch_new();
	struct hits h = { 0 };

	for (int rep = 0; rep < 5; rep++)
		for (int i = 0; i < w->n; i++)
			if (sample_match(w->set, s, &w->s[i], &h) > 0)
				w->total += h.n;
	free(h.h);
	sensor_scratch_free(s);
	return NULL;
}

START_TEST(test_threads)
{
	struct sample *s = samples_make(SAMPLES);
	struct worker w[4];
	struct sensor_set *set;
	int one;

	default_set_spec();
	set = build(default_spec, 2, 1);
	memset(w, 0, sizeof(w));
	w[0].set = set, w[0].s = s, w[0].n = SAMPLES;
	worker_run(&w[0]);
	one = w[0].total;
	ck_assert_int_gt(one, 0);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .set = set, .s = s, .n = SAMPLES };
		ck_assert_int_eq(pthread_create(&w[i].t, NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(w[i].t, NULL);
		ck_assert_int_eq(w[i].total, one);
	}
	sensor_set_free(set);
	free(s);
}
END_TEST

static Suite *
sensor_suite(void)
{
	Suite *s = suite_create("sensor");
	TCase *tc;

	tc = tcase_create("build");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_pattern_check);
	tcase_add_test(tc, test_build_errors);
	tcase_add_test(tc, test_set_lookup);
	suite_add_tcase(s, tc);

	tc = tcase_create("validators");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_luhn);
	tcase_add_test(tc, test_ssn);
	tcase_add_test(tc, test_validator_in_rule);
	tcase_add_test(tc, test_validator_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_and_contexts);
	tcase_add_test(tc, test_negation);
	tcase_add_test(tc, test_mask);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_limits_deep);
	tcase_add_test(tc, test_excerpt);
	tcase_add_test(tc, test_binary);
	suite_add_tcase(s, tc);

	tc = tcase_create("hyperscan");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_bound);
	tcase_add_test(tc, test_bound_sound);
	tcase_add_test(tc, test_ahead_strip);
	tcase_add_test(tc, test_equiv_default);
	tcase_add_loop_test(tc, test_equiv_generated, 0,
	    (int)(sizeof(generated_sizes) / sizeof(generated_sizes[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("streams");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_stream_default);
	tcase_add_loop_test(tc, test_stream_generated, 0,
	    (int)(sizeof(generated_sizes) / sizeof(generated_sizes[0])));
	tcase_add_test(tc, test_stream_far);
	tcase_add_test(tc, test_stream_unbounded);
	tcase_add_test(tc, test_stream_pcre_only);
	tcase_add_test(tc, test_stream_pending);
	tcase_add_test(tc, test_stream_pause);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sensor_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
