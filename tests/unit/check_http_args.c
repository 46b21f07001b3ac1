/*
 * check_http_args.c: the args context's parsers (http_args.h): query and
 * form, cookies, JSON, malformed input, the bounds, and the same
 * arguments at every cut of the input; the args context matched through
 * sensor_match.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_args.h"
#include "sensor/sensor.h"

/* The arguments a parse gave, as "name=value\n" lines. */
static char got[65536];
static size_t got_len;

static void
keep(void *ctx, const uint8_t *name, size_t nlen, const uint8_t *value, size_t vlen)
{
	(void)ctx;
	if (got_len + nlen + vlen + 2 >= sizeof(got))
		return;
	memcpy(got + got_len, name, nlen);
	got_len += nlen;
	got[got_len++] = '=';
	memcpy(got + got_len, value, vlen);
	got_len += vlen;
	got[got_len++] = '\n';
	got[got_len] = '\0';
}

/* Parses text of kind in one piece; returns the flags. */
static unsigned
parse(enum http_args_kind kind, const char *text, size_t len)
{
	struct http_args *a = http_args_new(kind);
	unsigned fl;

	ck_assert_ptr_nonnull(a);
	got_len = 0;
	got[0] = '\0';
	http_args_feed(a, (const uint8_t *)text, len, keep, NULL);
	http_args_end(a, keep, NULL);
	fl = http_args_flags(a);
	http_args_free(a);
	return fl;
}

static unsigned
parse_s(enum http_args_kind kind, const char *text)
{
	return parse(kind, text, strlen(text));
}

/* The same arguments whatever the cuts: every single cut, and byte by byte. */
static void
check_cuts(enum http_args_kind kind, const char *text, const char *want)
{
	size_t len = strlen(text);

	ck_assert_str_eq((parse(kind, text, len), got), want);
	for (size_t cut = 0; cut <= len; cut++) {
		struct http_args *a = http_args_new(kind);

		got_len = 0;
		got[0] = '\0';
		http_args_feed(a, (const uint8_t *)text, cut, keep, NULL);
		http_args_feed(a, (const uint8_t *)text + cut, len - cut, keep, NULL);
		http_args_end(a, keep, NULL);
		http_args_free(a);
		ck_assert_msg(strcmp(got, want) == 0, "cut at %zu: got '%s'", cut, got);
	}
	{
		struct http_args *a = http_args_new(kind);

		got_len = 0;
		got[0] = '\0';
		for (size_t i = 0; i < len; i++)
			http_args_feed(a, (const uint8_t *)text + i, 1, keep, NULL);
		http_args_end(a, keep, NULL);
		http_args_free(a);
		ck_assert_str_eq(got, want);
	}
}

START_TEST(test_query)
{
	check_cuts(HTTP_ARGS_FORM, "id=1%27%20or%20%271%27%3D%271&q=hello+world&flag&e=&&z=%zz%4",
	    "id=1' or '1'='1\nq=hello world\nflag=\ne=\nz=%zz%4\n");
	/* Decoded once: %2527 is %27, not a quote. */
	check_cuts(HTTP_ARGS_FORM, "a=%2527&b=%u0027", "a=%27\nb=%u0027\n");
	/* The name is decoded too; '=' in a value stays. */
	check_cuts(HTTP_ARGS_FORM, "us%65r=a=b", "user=a=b\n");
	ck_assert_uint_eq(parse(HTTP_ARGS_FORM, "", 0), 0);
	ck_assert_str_eq(got, "");
}
END_TEST

START_TEST(test_cookies)
{
	check_cuts(HTTP_ARGS_COOKIE, "sid=abc; theme=dark%20mode;  x; q=a+b",
	    "sid=abc\ntheme=dark mode\nx=\nq=a+b\n");
}
END_TEST

START_TEST(test_json)
{
	check_cuts(HTTP_ARGS_JSON,
	    "{\"user\": {\"name\": \"a'b\", \"roles\": [\"admin\", 1, true, null, -2.5e3]},"
	    " \"q\": \"\\u0041\\n\\\"x\\\"\", \"empty\": {}, \"list\": [], \"nested\": [[\"in\"]]}",
	    "user.name=a'b\nuser.roles.0=admin\nuser.roles.1=1\nuser.roles.2=true\n"
	    "user.roles.3=null\nuser.roles.4=-2.5e3\nq=A\n\"x\"\nnested.0.0=in\n");
	/* A top value alone: its name is empty. */
	check_cuts(HTTP_ARGS_JSON, "\"<script>\"", "=<script>\n");
	check_cuts(HTTP_ARGS_JSON, "[1,\"a\\u00e9\"]", "0=1\n1=a\xc3\xa9\n");
	ck_assert_uint_eq(parse_s(HTTP_ARGS_JSON, " 42 "), 0);
	ck_assert_str_eq(got, "=42\n");
}
END_TEST

START_TEST(test_json_malformed)
{
	/* What came before the error stands; the rest is not read. */
	ck_assert_uint_eq(parse_s(HTTP_ARGS_JSON, "{\"a\": 1, \"b\" 2, \"c\": 3}"),
	    HTTP_ARGS_F_MALFORMED);
	ck_assert_str_eq(got, "a=1\n");
	ck_assert_uint_eq(parse_s(HTTP_ARGS_JSON, "{\"a\": \"x"), HTTP_ARGS_F_MALFORMED);
	ck_assert_str_eq(got, "");
	ck_assert_uint_eq(parse_s(HTTP_ARGS_JSON, "[1,2}"), HTTP_ARGS_F_MALFORMED);
	ck_assert_str_eq(got, "0=1\n1=2\n");
	ck_assert_uint_eq(parse_s(HTTP_ARGS_JSON, "{\"a\": \"\\q\"}"), HTTP_ARGS_F_MALFORMED);
	ck_assert_uint_eq(parse_s(HTTP_ARGS_JSON, "{\"a\": \"\\u12g4\"}"),
	    HTTP_ARGS_F_MALFORMED);
	ck_assert_uint_eq(parse_s(HTTP_ARGS_JSON, "1 2"), HTTP_ARGS_F_MALFORMED);
	ck_assert_str_eq(got, "=1\n");
	ck_assert_uint_eq(parse_s(HTTP_ARGS_JSON, "{}}"), HTTP_ARGS_F_MALFORMED);
	ck_assert_uint_eq(parse_s(HTTP_ARGS_JSON, ""), HTTP_ARGS_F_MALFORMED);
}
END_TEST

START_TEST(test_bounds)
{
	char deep[HTTP_ARG_DEPTH_MAX + 8], *big = malloc(3 * HTTP_ARG_VALUE_MAX);
	size_t n;

	memset(deep, '[', sizeof(deep));
	ck_assert_uint_eq(parse(HTTP_ARGS_JSON, deep, sizeof(deep)), HTTP_ARGS_F_DEEP);
	/* A value past its bound is cut, flagged; the next argument is whole. */
	n = (size_t)sprintf(big, "v=");
	memset(big + n, 'x', 2 * HTTP_ARG_VALUE_MAX);
	n += 2 * HTTP_ARG_VALUE_MAX;
	n += (size_t)sprintf(big + n, "&w=1");
	ck_assert_uint_eq(parse(HTTP_ARGS_FORM, big, n), HTTP_ARGS_F_CUT);
	ck_assert_uint_eq(got_len, 2 + HTTP_ARG_VALUE_MAX + 1 + 4);
	ck_assert_str_eq(got + got_len - 4, "w=1\n");
	free(big);
}
END_TEST

START_TEST(test_content_kind)
{
	ck_assert_int_eq(http_args_content_kind((const uint8_t *)"application/json", 16),
	    HTTP_ARGS_JSON);
	ck_assert_int_eq(http_args_content_kind((const uint8_t *)"application/json; charset=utf-8",
	    31), HTTP_ARGS_JSON);
	ck_assert_int_eq(http_args_content_kind((const uint8_t *)"application/vnd.api+json", 24),
	    HTTP_ARGS_JSON);
	ck_assert_int_eq(http_args_content_kind(
	    (const uint8_t *)"Application/X-WWW-Form-Urlencoded", 33), HTTP_ARGS_FORM);
	ck_assert_int_eq(http_args_content_kind((const uint8_t *)"multipart/form-data; b=x", 24),
	    -1);
	ck_assert_int_eq(http_args_content_kind((const uint8_t *)"text/plain", 10), -1);
}
END_TEST

/* The context in sensor_match: a pattern matches one argument, not two. */
START_TEST(test_args_context)
{
	static struct sensor_rule_spec rules[2];
	struct sensor_spec spec = { "web", SENSOR_WAF, rules, 2 };
	const uint8_t *text[SCTX_COUNT] = { 0 };
	size_t len[SCTX_COUNT] = { 0 };
	uint8_t buf[256];
	size_t n = 0;
	char err[256];
	struct sensor_set *set;
	struct sensor_scratch *sc = sensor_scratch_new();

	strcpy(rules[0].name, "sqli");
	strcpy(rules[0].pat[0].re, "(?i)^'\\s*or\\s");
	rules[0].pat[0].ctx = SCTX_ARGS;
	rules[0].npat = 1;
	strcpy(rules[1].name, "across");
	strcpy(rules[1].pat[0].re, "ab");
	rules[1].pat[0].ctx = SCTX_ARGS;
	rules[1].npat = 1;
	set = sensor_set_build(&spec, 1, 1, err, sizeof(err));
	ck_assert_msg(set != NULL, "%s", err);
	ck_assert(sensor_set_uses(set, SCTX_ARGS));
	ck_assert(!sensor_set_uses(set, SCTX_BODY));
	sensor_args_put(buf, sizeof(buf), &n, (const uint8_t *)"id", 2);
	sensor_args_put(buf, sizeof(buf), &n, (const uint8_t *)"' or 1=1", 8);
	sensor_args_put(buf, sizeof(buf), &n, (const uint8_t *)"xa", 2);
	sensor_args_put(buf, sizeof(buf), &n, (const uint8_t *)"b", 1);
	text[SCTX_ARGS] = buf;
	len[SCTX_ARGS] = n;
	/* sqli anchors at the start of the value; "xa" then "b" is no "ab". */
	ck_assert_int_eq(sensor_match(set, sc, 1, text, len, NULL, NULL), 1);
	n = 5;
	ck_assert_int_eq(sensor_args_put(buf, 8, &n, (const uint8_t *)"zz", 2), -1);
	ck_assert_uint_eq(n, 5);
	sensor_set_free(set);
	sensor_scratch_free(sc);
}
END_TEST

static Suite *
args_suite(void)
{
	Suite *s = suite_create("http_args");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_query);
	tcase_add_test(tc, test_cookies);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_json_malformed);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_content_kind);
	tcase_add_test(tc, test_args_context);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(args_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
