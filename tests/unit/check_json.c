/*
 * check_json.c: the JSON parser (RFC 8259), its accessors, limits and the
 * exact error messages.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

static struct json_error jerr;

static struct json_doc *
parse_n(const char *text, size_t len, const struct json_limits *lim)
{
	memset(&jerr, 0, sizeof(jerr));
	return json_parse(text, len, lim, &jerr);
}

static struct json_doc *
parse(const char *text)
{
	return parse_n(text, strlen(text), NULL);
}

#define ck_json_ok(doc, text) do {					\
	(doc) = parse(text);						\
	ck_assert_msg((doc) != NULL, "'%s': %s", (text), jerr.msg);	\
} while (0)

/* len bytes of text fail with exactly the message want. */
#define ck_json_errn(text, len, want) do {				\
	struct json_doc *d_ = parse_n((text), (len), NULL);		\
	ck_assert_msg(d_ == NULL, "'%s' parsed", (text));		\
	ck_assert_str_eq(jerr.msg, (want));				\
} while (0)
#define ck_json_err(text, want)	ck_json_errn((text), strlen(text), (want))

/* A trimmed container inspect document, as dockerd 20.10 writes it. */
static const char inspect_doc[] =
	"{\"Id\":\"6ec70da8a5b55fd745f52cc0f718f4118a45552db64b1c0a27c16df7c9e04bbb\","
	"\"State\":{\"Status\":\"running\",\"Running\":true,\"Paused\":false,\"Pid\":14657,"
	"\"ExitCode\":0,\"Error\":\"\"},\"Name\":\"/shop-web-1\",\"RestartCount\":0,"
	"\"Config\":{\"Hostname\":\"6ec70da8a5b5\",\"Env\":null,"
	"\"Cmd\":[\"/bin/httpd\",\"-f\",\"-p\",\"8080\"],\"Image\":\"nvdbox\","
	"\"Labels\":{\"com.docker.compose.project\":\"shop\","
	"\"com.docker.compose.service\":\"web\"}},"
	"\"NetworkSettings\":{\"IPAddress\":\"\",\"Networks\":{"
	"\"shop_back\":{\"IPAMConfig\":{},\"Aliases\":[\"6ec70da8a5b5\"],"
	"\"Gateway\":\"198.19.2.1\",\"IPAddress\":\"198.19.2.2\",\"IPPrefixLen\":24,"
	"\"GlobalIPv6Address\":\"fd00:19:2::2\",\"GlobalIPv6PrefixLen\":64},"
	"\"shop_front\":{\"IPAMConfig\":null,\"IPAddress\":\"198.19.1.2\","
	"\"GlobalIPv6Address\":\"\"}}}}";

/* --- values and accessors --------------------------------------------------- */

START_TEST(test_scalars)
{
	struct json_doc *d;

	ck_json_ok(d, "null");
	ck_assert_int_eq(json_type(json_root(d)), JSON_NULL);
	json_free(d);
	ck_json_ok(d, " true ");
	ck_assert_int_eq(json_type(json_root(d)), JSON_BOOL);
	ck_assert_int_eq(json_bool(json_root(d)), 1);
	json_free(d);
	ck_json_ok(d, "false");
	ck_assert_int_eq(json_bool(json_root(d)), 0);
	json_free(d);
	ck_json_ok(d, "-12.5e+3");
	ck_assert_int_eq(json_type(json_root(d)), JSON_NUMBER);
	ck_assert_str_eq(json_num_text(json_root(d)), "-12.5e+3");
	json_free(d);
	ck_json_ok(d, "\t\r\n\"text\" \n");
	ck_assert_int_eq(json_type(json_root(d)), JSON_STRING);
	ck_assert_str_eq(json_str(json_root(d)), "text");
	ck_assert_uint_eq(json_strlen(json_root(d)), 4);
	json_free(d);
	ck_json_ok(d, "\"\"");
	ck_assert_str_eq(json_str(json_root(d)), "");
	json_free(d);
}
END_TEST

START_TEST(test_inspect_document)
{
	const struct json *root, *nets, *m, *cmd;
	struct json_doc *d;
	int64_t pid;

	ck_json_ok(d, inspect_doc);
	root = json_root(d);
	ck_assert_int_eq(json_type(root), JSON_OBJECT);
	ck_assert_uint_eq(json_len(root), 6);
	ck_assert_str_eq(json_str(json_get(root, "Name")), "/shop-web-1");
	ck_assert_int_eq(json_bool(json_path(root, "State", "Running")), 1);
	ck_assert_int_eq(json_int64(json_path(root, "State", "Pid"), &pid), 0);
	ck_assert_int_eq(pid, 14657);
	ck_assert_str_eq(json_str(json_path(root, "Config", "Labels",
	    "com.docker.compose.service")), "web");
	ck_assert_int_eq(json_type(json_path(root, "Config", "Env")), JSON_NULL);
	cmd = json_path(root, "Config", "Cmd");
	ck_assert_int_eq(json_type(cmd), JSON_ARRAY);
	ck_assert_uint_eq(json_len(cmd), 4);
	ck_assert_str_eq(json_str(json_index(cmd, 0)), "/bin/httpd");
	ck_assert_str_eq(json_str(json_index(cmd, 3)), "8080");
	ck_assert_ptr_null(json_index(cmd, 4));
	ck_assert_ptr_null(json_key(json_index(cmd, 0)));

	nets = json_path(root, "NetworkSettings", "Networks");
	ck_assert_uint_eq(json_len(nets), 2);
	m = json_index(nets, 0);
	ck_assert_str_eq(json_key(m), "shop_back");
	ck_assert_str_eq(json_str(json_get(m, "GlobalIPv6Address")), "fd00:19:2::2");
	ck_assert_int_eq(json_type(json_get(m, "IPAMConfig")), JSON_OBJECT);
	ck_assert_uint_eq(json_len(json_get(m, "IPAMConfig")), 0);
	m = json_index(nets, 1);
	ck_assert_str_eq(json_key(m), "shop_front");
	ck_assert_str_eq(json_str(json_get(m, "IPAddress")), "198.19.1.2");
	ck_assert_ptr_null(json_index(nets, 2));
	json_free(d);
}
END_TEST

START_TEST(test_lookups_chain_through_null)
{
	const struct json *root;
	struct json_doc *d;
	int64_t i;
	uint64_t u;
	double x;

	ck_json_ok(d, "{\"a\":{\"b\":[1]},\"s\":\"x\"}");
	root = json_root(d);
	ck_assert_ptr_null(json_path(root, "a", "missing", "deeper"));
	ck_assert_ptr_null(json_path(root, "a", "b", "c"));	/* b is an array */
	ck_assert_ptr_null(json_path(root, "s", "x"));
	ck_assert_ptr_nonnull(json_path(root, "a", "b"));
	ck_assert_ptr_eq(json_path(root, "a"), json_get(root, "a"));
	ck_assert_int_eq(json_type(json_get(root, "nope")), JSON_ABSENT);
	ck_assert_ptr_null(json_str(json_get(root, "a")));
	ck_assert_ptr_null(json_get(json_path(root, "a", "b"), "0"));
	ck_assert_ptr_null(json_num_text(json_get(root, "s")));
	ck_assert_int_eq(json_bool(json_get(root, "s")), -1);
	ck_assert_int_eq(json_int64(json_get(root, "s"), &i), -1);
	ck_assert_int_eq(json_uint64(NULL, &u), -1);
	ck_assert_int_eq(json_double(NULL, &x), -1);
	ck_assert_uint_eq(json_len(json_get(root, "s")), 0);
	ck_assert_ptr_null(json_index(json_get(root, "s"), 0));
	ck_assert_uint_eq(json_strlen(json_get(root, "a")), 0);
	ck_assert_ptr_null(json_key(NULL));
	ck_assert_ptr_null(json_root(NULL));
	json_free(d);
	json_free(NULL);
}
END_TEST

START_TEST(test_duplicate_key_first_wins)
{
	struct json_doc *d;

	ck_json_ok(d, "{\"a\":1,\"a\":2}");
	ck_assert_str_eq(json_num_text(json_get(json_root(d), "a")), "1");
	ck_assert_uint_eq(json_len(json_root(d)), 2);
	json_free(d);
}
END_TEST

START_TEST(test_input_not_kept)
{
	struct json_doc *d;
	char *text = strdup(inspect_doc);

	ck_assert_ptr_nonnull(text);
	d = parse(text);
	ck_assert_ptr_nonnull(d);
	memset(text, 'x', strlen(text));
	free(text);
	ck_assert_str_eq(json_str(json_get(json_root(d), "Name")), "/shop-web-1");
	ck_assert_str_eq(json_num_text(json_path(json_root(d), "State", "Pid")), "14657");
	json_free(d);
}
END_TEST

/* --- strings ---------------------------------------------------------------- */

START_TEST(test_escapes)
{
	struct json_doc *d;

	ck_json_ok(d, "\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\"");
	ck_assert_str_eq(json_str(json_root(d)), "q\" b\\ s/ \b\f\n\r\t");
	json_free(d);
	ck_json_ok(d, "\"\\u0041\\u00e9\\u20AC\"");
	ck_assert_str_eq(json_str(json_root(d)), "A\xc3\xa9\xe2\x82\xac");
	json_free(d);
	/* U+1F600 as a surrogate pair, and U+10FFFF, the last code point */
	ck_json_ok(d, "\"\\ud83d\\ude00 \\uDBFF\\uDFFF\"");
	ck_assert_str_eq(json_str(json_root(d)), "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf");
	ck_assert_uint_eq(json_strlen(json_root(d)), 9);
	json_free(d);
	ck_json_ok(d, "\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"");
	ck_assert_str_eq(json_str(json_root(d)), "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf");
	json_free(d);
}
END_TEST

START_TEST(test_nul_in_string)
{
	const struct json *root;
	struct json_doc *d;

	ck_json_ok(d, "{\"name\":\"web\\u0000evil\",\"a\\u0000b\":1,\"ok\":\"x\"}");
	root = json_root(d);
	ck_assert_int_eq(json_type(json_get(root, "name")), JSON_STRING);
	ck_assert_ptr_null(json_str(json_get(root, "name")));
	ck_assert_uint_eq(json_strlen(json_get(root, "name")), 0);
	ck_assert_ptr_null(json_key(json_index(root, 1)));
	ck_assert_ptr_null(json_get(root, "a"));
	ck_assert_str_eq(json_key(json_index(root, 2)), "ok");
	json_free(d);
}
END_TEST

START_TEST(test_utf8_raw)
{
	struct json_doc *d;

	ck_json_ok(d, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"");
	ck_assert_str_eq(json_str(json_root(d)), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf");
	json_free(d);
	ck_json_err("\"ab\xc0\xaf\"", "offset 3: invalid UTF-8 in string");	/* overlong '/' */
	ck_json_err("\"\xe0\x80\xaf\"", "offset 1: invalid UTF-8 in string");	/* overlong */
	ck_json_err("\"\xed\xa0\x80\"", "offset 1: invalid UTF-8 in string");	/* U+D800 */
	ck_json_err("\"\xf4\x90\x80\x80\"", "offset 1: invalid UTF-8 in string");	/* > U+10FFFF */
	ck_json_err("\"\xf5\x80\x80\x80\"", "offset 1: invalid UTF-8 in string");
	ck_json_err("\"x\x80\"", "offset 2: invalid UTF-8 in string");	/* stray continuation */
	ck_json_err("\"\xe2\x82\"", "offset 1: invalid UTF-8 in string");	/* cut short */
	ck_json_err("\"\xe2\x82x\"", "offset 1: invalid UTF-8 in string");
	ck_json_err("\"\xff\"", "offset 1: invalid UTF-8 in string");
	ck_json_err("{\"k\xfe\":1}", "offset 3: invalid UTF-8 in string");
}
END_TEST

START_TEST(test_bad_escapes)
{
	ck_json_err("\"\\x\"", "offset 1: invalid escape in string");
	ck_json_err("\"ab\\'\"", "offset 3: invalid escape in string");
	ck_json_err("\"\\U0041\"", "offset 1: invalid escape in string");
	ck_json_errn("\"\\\0\"", 4, "offset 1: invalid escape in string");
	ck_json_err("\"\\u12G4\"", "offset 1: invalid \\u escape in string");
	ck_json_err("\"\\u12\"", "offset 1: invalid \\u escape in string");
	ck_json_err("\"\\u\"", "offset 1: invalid \\u escape in string");
	ck_json_err("\"a\\ud800\"", "offset 2: lone surrogate in \\u escape");
	ck_json_err("\"\\udc00\"", "offset 1: lone surrogate in \\u escape");
	ck_json_err("\"\\ud800\\u0041\"", "offset 1: lone surrogate in \\u escape");
	ck_json_err("\"\\ud800\\ud800\"", "offset 1: lone surrogate in \\u escape");
	ck_json_err("\"\\ud800\\n\"", "offset 1: lone surrogate in \\u escape");
	ck_json_err("\"\\ud800\\udc0\"", "offset 1: lone surrogate in \\u escape");
	ck_json_err("\"a\tb\"", "offset 2: control character in string");
	ck_json_err("\"\x01\"", "offset 1: control character in string");
	ck_json_err("\"line\nbreak\"", "offset 5: control character in string");
	ck_json_errn("\"a\0b\"", 5, "offset 2: control character in string");
}
END_TEST

START_TEST(test_unterminated_string)
{
	ck_json_err("\"abc", "offset 4: unterminated string");
	ck_json_err("\"a\\", "offset 3: unterminated string");
	ck_json_err("\"a\\\"", "offset 4: unterminated string");
	ck_json_err("{\"key", "offset 5: unterminated string");
	ck_json_err("[\"", "offset 2: unterminated string");
}
END_TEST

/* --- numbers ---------------------------------------------------------------- */

static const struct json *
num(struct json_doc **d, const char *text)
{
	*d = parse(text);
	ck_assert_msg(*d != NULL, "'%s': %s", text, jerr.msg);
	return json_root(*d);
}

START_TEST(test_int64)
{
	struct json_doc *d;
	int64_t v;

	ck_assert_int_eq(json_int64(num(&d, "9223372036854775807"), &v), 0);
	ck_assert(v == INT64_MAX);
	json_free(d);
	ck_assert_int_eq(json_int64(num(&d, "-9223372036854775808"), &v), 0);
	ck_assert(v == INT64_MIN);
	json_free(d);
	ck_assert_int_eq(json_int64(num(&d, "-0"), &v), 0);
	ck_assert(v == 0);
	json_free(d);
	ck_assert_int_eq(json_int64(num(&d, "1795878971521887501"), &v), 0);
	ck_assert(v == 1795878971521887501LL);
	json_free(d);
	v = 7;
	ck_assert_int_eq(json_int64(num(&d, "9223372036854775808"), &v), -1);
	json_free(d);
	ck_assert_int_eq(json_int64(num(&d, "-9223372036854775809"), &v), -1);
	json_free(d);
	ck_assert_int_eq(json_int64(num(&d, "1.0"), &v), -1);
	json_free(d);
	ck_assert_int_eq(json_int64(num(&d, "1e3"), &v), -1);
	json_free(d);
	ck_assert(v == 7);
}
END_TEST

START_TEST(test_uint64)
{
	struct json_doc *d;
	uint64_t v;

	ck_assert_int_eq(json_uint64(num(&d, "18446744073709551615"), &v), 0);
	ck_assert(v == UINT64_MAX);
	json_free(d);
	ck_assert_int_eq(json_uint64(num(&d, "0"), &v), 0);
	ck_assert(v == 0);
	json_free(d);
	ck_assert_int_eq(json_uint64(num(&d, "18446744073709551616"), &v), -1);
	json_free(d);
	ck_assert_int_eq(json_uint64(num(&d, "-1"), &v), -1);
	json_free(d);
	ck_assert_int_eq(json_uint64(num(&d, "2.5"), &v), -1);
	json_free(d);
}
END_TEST

START_TEST(test_double)
{
	struct json_doc *d;
	double v;

	ck_assert_int_eq(json_double(num(&d, "-12.5e+3"), &v), 0);
	ck_assert(v == -12500.0);
	json_free(d);
	ck_assert_int_eq(json_double(num(&d, "0.1"), &v), 0);
	ck_assert(v == 0.1);
	json_free(d);
	ck_assert_int_eq(json_double(num(&d, "1e-400"), &v), 0);	/* underflow is 0 */
	ck_assert(v == 0.0);
	json_free(d);
	ck_assert_int_eq(json_double(num(&d, "1e400"), &v), -1);
	json_free(d);
	ck_assert_int_eq(json_double(num(&d, "-1e400"), &v), -1);
	json_free(d);
}
END_TEST

START_TEST(test_huge_numbers)
{
	static char text[4096];
	const struct json *root;
	struct json_doc *d;
	int64_t i;
	uint64_t u;
	double x;

	/* Kept as text whatever their size; only the readers refuse them. */
	memset(text, '9', sizeof(text) - 1);
	ck_json_ok(d, text);
	root = json_root(d);
	ck_assert_uint_eq(strlen(json_num_text(root)), sizeof(text) - 1);
	ck_assert_int_eq(json_int64(root, &i), -1);
	ck_assert_int_eq(json_uint64(root, &u), -1);
	ck_assert_int_eq(json_double(root, &x), -1);
	json_free(d);

	ck_json_ok(d, "[1e999999999999,-123456789012345678901234567890.5E-3]");
	root = json_root(d);
	ck_assert_str_eq(json_num_text(json_index(root, 0)), "1e999999999999");
	ck_assert_int_eq(json_double(json_index(root, 0), &x), -1);
	ck_assert_int_eq(json_double(json_index(root, 1), &x), 0);
	ck_assert_int_eq(json_int64(json_index(root, 1), &i), -1);
	json_free(d);
}
END_TEST

START_TEST(test_bad_numbers)
{
	ck_json_err("01", "offset 1: leading zero in number");
	ck_json_err("-01", "offset 2: leading zero in number");
	ck_json_err("-", "offset 1: digit expected in number");
	ck_json_err("-a", "offset 1: digit expected in number");
	ck_json_err("1.", "offset 2: digit expected in number");
	ck_json_err("1.e5", "offset 2: digit expected in number");
	ck_json_err("1e", "offset 2: digit expected in number");
	ck_json_err("1e+", "offset 3: digit expected in number");
	ck_json_err("[1E-x]", "offset 4: digit expected in number");
	ck_json_err("+1", "offset 0: expected a value");
	ck_json_err(".5", "offset 0: expected a value");
	ck_json_err("0x10", "offset 1: trailing data after document");
	ck_json_err("NaN", "offset 0: expected a value");
	ck_json_err("-Infinity", "offset 1: digit expected in number");
}
END_TEST

/* --- structure -------------------------------------------------------------- */

START_TEST(test_syntax_errors)
{
	ck_json_err("", "offset 0: unexpected end of input");
	ck_json_err(" \n\t", "offset 3: unexpected end of input");
	ck_json_err("{", "offset 1: unexpected end of input");
	ck_json_err("{\"a\"", "offset 4: unexpected end of input");
	ck_json_err("{\"a\":", "offset 5: unexpected end of input");
	ck_json_err("{\"a\":1", "offset 6: unexpected end of input");
	ck_json_err("{\"a\":1,", "offset 7: unexpected end of input");
	ck_json_err("[", "offset 1: unexpected end of input");
	ck_json_err("[1,", "offset 3: unexpected end of input");
	ck_json_err("{\"a\" 1}", "offset 5: expected ':' after object key");
	ck_json_err("{\"Networks\"=1}", "offset 11: expected ':' after object key");
	ck_json_err("{\"a\":1,}", "offset 7: expected a string as object key");
	ck_json_err("{1:2}", "offset 1: expected a string as object key");
	ck_json_err("{'a':2}", "offset 1: expected a string as object key");
	ck_json_err("{\"a\":1 \"b\":2}", "offset 7: expected ',' or '}' in object");
	ck_json_err("{\"a\":1]", "offset 6: expected ',' or '}' in object");
	ck_json_err("[1 2]", "offset 3: expected ',' or ']' in array");
	ck_json_err("[1}", "offset 2: expected ',' or ']' in array");
	ck_json_err("[1,]", "offset 3: expected a value");
	ck_json_err("[,1]", "offset 1: expected a value");
	ck_json_err("{\"a\":}", "offset 5: expected a value");
	ck_json_err("[1] x", "offset 4: trailing data after document");
	ck_json_err("{} {}", "offset 3: trailing data after document");
	ck_json_err("tru", "offset 3: unexpected end of input");
	ck_json_err("trUe", "offset 0: invalid literal");
	ck_json_err("[nul", "offset 4: unexpected end of input");
	ck_json_err("nulll", "offset 4: trailing data after document");
	ck_json_err("falsy", "offset 0: invalid literal");
	ck_json_err("\xef\xbb\xbf{}", "offset 0: expected a value");	/* no BOM */
	ck_json_errn("[\0]", 3, "offset 1: expected a value");
	ck_json_errn("{}\0", 3, "offset 2: trailing data after document");
	ck_json_err("[1,\v2]", "offset 3: expected a value");
}
END_TEST

/* Every proper prefix of a document that ends in '}' is an error, never a crash. */
START_TEST(test_truncated_document)
{
	size_t len = strlen(inspect_doc), n;
	struct json_doc *d;

	for (n = 0; n < len; n++) {
		d = parse_n(inspect_doc, n, NULL);
		ck_assert_msg(d == NULL, "prefix of %zu bytes parsed", n);
		ck_assert(strncmp(jerr.msg, "offset ", 7) == 0);
		ck_assert_uint_le(jerr.offset, n);
	}
	d = parse_n(inspect_doc, 30, NULL);
	ck_assert_str_eq(jerr.msg, "offset 30: unterminated string");
	d = parse_n(inspect_doc, 82, NULL);
	ck_assert_str_eq(jerr.msg, "offset 82: unexpected end of input");
	d = parse_n(inspect_doc, 84, NULL);
	ck_assert_str_eq(jerr.msg, "offset 84: unterminated string");
	ck_assert_uint_eq(len, 702);
	d = parse_n(inspect_doc, len - 1, NULL);
	ck_assert_str_eq(jerr.msg, "offset 701: unexpected end of input");
}
END_TEST

/* depth times open, then mid, then depth times close. */
static char *
nested(const char *open, const char *mid, const char *close, int depth)
{
	size_t ol = strlen(open), ml = strlen(mid), cl = strlen(close);
	char *s = malloc((ol + cl) * (size_t)depth + ml + 1), *p = s;
	int i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < depth; i++, p += ol)
		memcpy(p, open, ol);
	memcpy(p, mid, ml);
	p += ml;
	for (i = 0; i < depth; i++, p += cl)
		memcpy(p, close, cl);
	*p = '\0';
	return s;
}

START_TEST(test_depth)
{
	struct json_doc *d;
	char *s;

	s = nested("[", "", "]", JSON_MAX_DEPTH);
	ck_json_ok(d, s);
	json_free(d);
	free(s);
	s = nested("{\"a\":", "1", "}", JSON_MAX_DEPTH);
	ck_json_ok(d, s);
	json_free(d);
	free(s);
	s = nested("[", "", "]", JSON_MAX_DEPTH + 1);
	ck_json_err(s, "offset 64: nesting deeper than 64");
	free(s);
	s = nested("{\"a\":", "1", "}", JSON_MAX_DEPTH + 1);
	ck_json_err(s, "offset 320: nesting deeper than 64");
	free(s);
	s = nested("[{\"k\":", "1", "}]", 40);
	ck_json_err(s, "offset 192: nesting deeper than 64");
	free(s);
}
END_TEST

/* A million '[' fail at the depth limit, without recursing further. */
START_TEST(test_depth_bomb)
{
	size_t n = 1000000;
	char *s = malloc(n);

	ck_assert_ptr_nonnull(s);
	memset(s, '[', n);
	ck_json_errn(s, n, "offset 64: nesting deeper than 64");
	memset(s, '{', n);
	ck_json_errn(s, n, "offset 1: expected a string as object key");
	free(s);
}
END_TEST

START_TEST(test_limits)
{
	struct json_limits lim = { 3, 3, 100 };
	struct json_doc *d;

	d = parse_n("[1,2]", 5, &lim);
	ck_assert_ptr_nonnull(d);
	json_free(d);
	ck_assert_ptr_null(parse_n("[1,2,3]", 7, &lim));
	ck_assert_str_eq(jerr.msg, "offset 5: more than 3 values");
	ck_assert_ptr_null(parse_n("{\"a\":{\"b\":1,\"c\":2}}", 19, &lim));
	ck_assert_str_eq(jerr.msg, "offset 16: more than 3 values");
	lim.max_nodes = 100;
	d = parse_n("[[[1]]]", 7, &lim);
	ck_assert_ptr_nonnull(d);
	json_free(d);
	ck_assert_ptr_null(parse_n("[[[[1]]]]", 9, &lim));
	ck_assert_str_eq(jerr.msg, "offset 3: nesting deeper than 3");
	lim.max_size = 4;
	ck_assert_ptr_null(parse_n("[1,2]", 5, &lim));
	ck_assert_str_eq(jerr.msg, "offset 4: document larger than 4 bytes");
	ck_assert_uint_eq(jerr.offset, 4);
}
END_TEST

START_TEST(test_default_size_limit)
{
	size_t n = JSON_MAX_SIZE + 1;
	char *s = malloc(n);
	struct json_doc *d;

	ck_assert_ptr_nonnull(s);
	memset(s, ' ', n);
	s[0] = '0';
	ck_json_errn(s, n, "offset 16777216: document larger than 16777216 bytes");
	d = parse_n(s, n - 1, NULL);
	ck_assert_ptr_nonnull(d);
	json_free(d);
	free(s);
}
END_TEST

START_TEST(test_node_limit)
{
	size_t n = 2 * (JSON_MAX_NODES + 1) + 1, i;
	char *s = malloc(n);

	ck_assert_ptr_nonnull(s);
	s[0] = '[';
	for (i = 1; i < n; i += 2) {
		s[i] = '0';
		s[i + 1] = ',';
	}
	s[n - 1] = ']';
	/* the array and JSON_MAX_NODES - 1 zeros fit, the next zero does not */
	ck_json_errn(s, n, "offset 1048575: more than 524288 values");
	free(s);
}
END_TEST

/* Many nodes and long strings: arena blocks of every size. */
START_TEST(test_big_document)
{
	size_t i, len = 0, count = 100000, slen = 3 << 20;
	char *text = malloc(count * 12 + slen + 16);
	const struct json *root;
	struct json_doc *d;
	int64_t v;

	ck_assert_ptr_nonnull(text);
	text[len++] = '[';
	for (i = 0; i < count; i++)
		len += (size_t)sprintf(text + len, "%zu,", i);
	text[len++] = '"';
	memset(text + len, 'a', slen);
	len += slen;
	text[len++] = '"';
	text[len++] = ']';
	d = parse_n(text, len, NULL);
	ck_assert_msg(d != NULL, "%s", jerr.msg);
	root = json_root(d);
	ck_assert_uint_eq(json_len(root), count + 1);
	for (i = 0; i < count; i += 9999) {
		ck_assert_int_eq(json_int64(json_index(root, i), &v), 0);
		ck_assert_int_eq(v, (int64_t)i);
	}
	ck_assert_uint_eq(json_strlen(json_index(root, count)), slen);
	json_free(d);
	free(text);
}
END_TEST

static Suite *
json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc;

	tc = tcase_create("values");
	tcase_add_test(tc, test_scalars);
	tcase_add_test(tc, test_inspect_document);
	tcase_add_test(tc, test_lookups_chain_through_null);
	tcase_add_test(tc, test_duplicate_key_first_wins);
	tcase_add_test(tc, test_input_not_kept);
	suite_add_tcase(s, tc);

	tc = tcase_create("strings");
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_nul_in_string);
	tcase_add_test(tc, test_utf8_raw);
	tcase_add_test(tc, test_bad_escapes);
	tcase_add_test(tc, test_unterminated_string);
	suite_add_tcase(s, tc);

	tc = tcase_create("numbers");
	tcase_add_test(tc, test_int64);
	tcase_add_test(tc, test_uint64);
	tcase_add_test(tc, test_double);
	tcase_add_test(tc, test_huge_numbers);
	tcase_add_test(tc, test_bad_numbers);
	suite_add_tcase(s, tc);

	tc = tcase_create("structure");
	tcase_set_timeout(tc, 30);	/* the sanitizer build is slow on the big inputs */
	tcase_add_test(tc, test_syntax_errors);
	tcase_add_test(tc, test_truncated_document);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_depth_bomb);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_default_size_limit);
	tcase_add_test(tc, test_node_limit);
	tcase_add_test(tc, test_big_document);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(json_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
