/*
 * adm_authz.c: judging dockerd's authorization requests (adm_authz.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission/adm_authz.h"
#include "base/b64.h"
#include "base/bytes.h"

enum adm_call
adm_authz_call(const char *path, size_t len)
{
	static const struct {
		const char *path;
		enum adm_call call;
	} calls[] = {
		{ "/Plugin.Activate", ADM_CALL_ACTIVATE },
		{ "/AuthZPlugin.AuthZReq", ADM_CALL_REQ },
		{ "/AuthZPlugin.AuthZRes", ADM_CALL_RES },
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strlen(calls[i].path) == len && memcmp(calls[i].path, path, len) == 0)
			return calls[i].call;
	return ADM_CALL_UNKNOWN;
}

/* --- routing ------------------------------------------------------------- */

/*
 * %XX-decodes n bytes of s into out (outlen bytes at least n + 1), '+'
 * as a space when plus.  -1 on a bad escape or a NUL (Go refuses the
 * first, dockerd's router matches no path with the second).
 */
static int
unescape(const char *s, size_t n, char *out, size_t outlen, int plus)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		if (c == 0 || o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* The first value of key in a query string, decoded, into out. */
static void
query_get(const char *q, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);

	out[0] = '\0';
	while (q && *q) {
		size_t n = strcspn(q, "&");

		if (n > klen && strncmp(q, key, klen) == 0 && q[klen] == '=') {
			if (unescape(q + klen + 1, n - klen - 1, out, outlen, 1) < 0)
				out[0] = '\0';
			return;
		}
		q += n + (q[n] == '&');
	}
}

/* The part of path between prefix and suffix, if path is prefix X suffix with X not empty. */
static const char *
between(const char *path, const char *prefix, const char *suffix, size_t *n)
{
	size_t pl = strlen(prefix), sl = strlen(suffix), len = strlen(path);

	if (len <= pl + sl || strncmp(path, prefix, pl) != 0 ||
	    strcmp(path + len - sl, suffix) != 0)
		return NULL;
	*n = len - pl - sl;
	return path + pl;
}

void
adm_route(const char *method, const char *uri, struct adm_route *rt)
{
	char path[8192];
	const char *p = uri, *q, *id = NULL;
	size_t n;

	memset(rt, 0, sizeof(*rt));
	if (strcmp(method, "POST") != 0)
		return;
	if (*p != '/') {	/* absolute-form: scheme://authority/path */
		const char *s = strstr(p, "://");

		if (s == NULL || (p = strchr(s + 3, '/')) == NULL)
			return;
	}
	q = strchr(p, '?');
	n = q ? (size_t)(q - p) : strlen(p);
	if (unescape(p, n, path, sizeof(path), 0) < 0)
		return;
	p = path;
	/* the router's /v{version:[0-9.]+} prefix */
	if (p[0] == '/' && p[1] == 'v' && (isdigit((unsigned char)p[2]) || p[2] == '.')) {
		size_t v = strspn(p + 2, "0123456789.");

		if (p[2 + v] == '/') {
			snprintf(rt->version, sizeof(rt->version), "%.*s", (int)v, p + 2);
			p += 2 + v;
		}
	}
	if (strcmp(p, "/containers/create") == 0) {
		rt->kind = ADM_CREATE;
		query_get(q ? q + 1 : NULL, "name", rt->name, sizeof(rt->name));
	} else if (strcmp(p, "/volumes/create") == 0)
		rt->kind = ADM_VOLUME;
	else if ((id = between(p, "/containers/", "/exec", &n)) != NULL)
		rt->kind = ADM_EXEC;
	else if ((id = between(p, "/containers/", "/start", &n)) != NULL)
		rt->kind = ADM_START;
	if (rt->kind == ADM_EXEC || rt->kind == ADM_START)
		snprintf(rt->name, sizeof(rt->name), "%.*s", (int)n, id);
}

int
adm_version_less(const char *a, const char *b)
{
	/* Docker's versions.compare: dotted parts as numbers, missing ones 0 */
	while (*a || *b) {
		long x = strtol(a, NULL, 10), y = strtol(b, NULL, 10);

		if (x != y)
			return x < y;
		a += strcspn(a, ".");
		b += strcspn(b, ".");
		a += *a == '.';
		b += *b == '.';
	}
	return 0;
}

/* --- judging ------------------------------------------------------------- */

static const struct json_limits body_limits = {
	.max_depth = JSON_MAX_DEPTH,
	.max_nodes = ADM_AUTHZ_MAX_NODES,
	.max_size = ADM_AUTHZ_MAX_BODY,
};

static const struct json_limits req_limits = {
	.max_depth = 8,
	.max_nodes = ADM_AUTHZ_MAX_NODES,
	.max_size = ADM_AUTHZ_MAX_REQUEST,
};

/* A string member of the request, "" when absent or not a string. */
static const char *
req_str(const struct json *req, const char *key)
{
	const char *s = json_str(json_get(req, key));

	return s ? s : "";
}

/* Whether dockerd could have withheld a start's body: API before 1.24
 * and a Content-Length that is absent (chunked) or over 7. */
static int
start_body_hidden(const struct json *req, const struct adm_route *rt)
{
	const char *cl = json_str(json_get(json_get(req, "RequestHeaders"), "Content-Length"));

	if (rt->version[0] == '\0' || !adm_version_less(rt->version, "1.24"))
		return 0;
	return cl == NULL || strtoull(cl, NULL, 10) > 7;
}

void
adm_outcome_judge(const struct adm_policy *p, struct sensor_scratch *sc, struct adm_facts *f,
    struct adm_outcome *o)
{
	struct adm_subject s = { .f = f, .dlp = p ? p->dlp : NULL, .scratch = sc };
	struct adm_verdict v;

	snprintf(o->image, sizeof(o->image), "%s", f->image.given);
	if (o->name[0] == '\0')
		snprintf(o->name, sizeof(o->name), "%s", f->name);
	if (p == NULL) {
		o->allow = 1;
		o->result = ADM_PASS;
		return;
	}
	adm_judge(p->rules, p->nrules, p->mode, &s, &v);
	o->result = v.result;
	o->allow = v.result != ADM_DENIED;
	o->unreadable = v.unreadable;
	snprintf(o->why, sizeof(o->why), "%s", v.why);
	if (s.env_secret)
		snprintf(o->sensor, sizeof(o->sensor), "%s", s.env_sensor);
	if (v.rule) {
		o->rule_id = v.rule->id;
		snprintf(o->rule_name, sizeof(o->rule_name), "%s", v.rule->name);
	}
	if (o->allow)
		return;
	if (v.unreadable)
		snprintf(o->msg, sizeof(o->msg), "nvd cannot judge this request (%s); admission "
		    "control is in protect mode", v.why);
	else
		snprintf(o->msg, sizeof(o->msg), "nvd admission rule %lld%s%s%s: %s [%s]",
		    (long long)v.rule->id, v.rule->name[0] ? " (" : "", v.rule->name,
		    v.rule->name[0] ? ")" : "", v.rule->comment[0] ? v.rule->comment : "denied",
		    v.why);
}

/* The body of the API call (RequestBody, base64) parsed into *doc; -1 with why. */
static int
body_parse(const struct json *req, struct json_doc **doc, char *why, size_t whylen)
{
	const struct json *b = json_get(req, "RequestBody");
	const char *text = json_str(b);
	size_t len = json_strlen(b), n, at;
	struct json_error jerr;
	uint8_t *raw;

	*doc = NULL;
	if (text == NULL || len == 0) {
		snprintf(why, whylen, "dockerd did not show nvd its body (one of 1 MiB or more, or "
		    "not sent as application/json)");
		return -1;
	}
	if ((raw = malloc(B64_DECODED_MAX(len))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (b64_decode(text, len, raw, &n, &at) < 0)
		snprintf(why, whylen, "its body is not base64 (offset %zu)", at);
	else if ((*doc = json_parse((const char *)raw, n, &body_limits, &jerr)) == NULL)
		snprintf(why, whylen, "its body is not JSON nvd reads: %s", jerr.msg);
	free(raw);
	return *doc ? 0 : -1;
}

void
adm_authz_judge(const struct adm_policy *p, struct sensor_scratch *sc, const char *req,
    size_t len, struct adm_outcome *o)
{
	struct json_doc *rd, *bd = NULL;
	const struct json *r;
	struct json_error jerr;
	struct adm_route rt;
	struct adm_facts f;
	char why[192];

	memset(o, 0, sizeof(*o));
	o->allow = 1;
	if ((rd = json_parse(req, len, &req_limits, &jerr)) == NULL ||
	    json_type(r = json_root(rd)) != JSON_OBJECT) {
		/* not knowing the call, nvd judges it as one that starts something */
		o->kind = ADM_CREATE;
		adm_facts_unreadable(&f, ADM_CREATE, NULL, rd ? "dockerd's request is not an "
		    "object" : "dockerd's request is not JSON nvd reads");
		adm_outcome_judge(p, sc, &f, o);
		json_free(rd);
		return;
	}
	adm_route(req_str(r, "RequestMethod"), req_str(r, "RequestUri"), &rt);
	o->kind = rt.kind;
	snprintf(o->user, sizeof(o->user), "%s", req_str(r, "User"));
	snprintf(o->name, sizeof(o->name), "%s", rt.name);
	if (rt.kind == ADM_OTHER || (rt.kind == ADM_START && json_strlen(json_get(r,
	    "RequestBody")) == 0 && !start_body_hidden(r, &rt))) {
		o->kind = ADM_OTHER;	/* a start without a body is just a start */
		json_free(rd);
		return;
	}
	if (body_parse(r, &bd, why, sizeof(why)) < 0)
		adm_facts_unreadable(&f, rt.kind, rt.name, why);
	else if (adm_facts_read(&f, rt.kind, json_root(bd), rt.name) < 0)
		adm_facts_unreadable(&f, rt.kind, rt.name, "out of memory");
	adm_outcome_judge(p, sc, &f, o);
	adm_facts_free(&f);
	json_free(bd);
	json_free(rd);
}

void
adm_authz_reply(struct buf *out, int allow, const char *msg)
{
	buf_printf(out, "{\"Allow\":%s", allow ? "true" : "false");
	if (msg && *msg) {
		buf_puts(out, ",\"Msg\":");
		buf_json_str(out, msg);
	}
	buf_puts(out, "}\n");
}

void
adm_authz_activate_reply(struct buf *out)
{
	buf_puts(out, "{\"Implements\":[\"authz\"]}\n");
}

void
adm_outcome_message(const struct adm_outcome *o, char *out, size_t outlen)
{
	char rule[96] = "";

	if (o->rule_id)
		snprintf(rule, sizeof(rule), " (rule %lld%s%s)", (long long)o->rule_id,
		    o->rule_name[0] ? " " : "", o->rule_name);
	snprintf(out, outlen, "%s %s: %s%s%s; image %s%s%s", adm_result_name(o->result),
	    adm_kind_name(o->kind), o->unreadable ? "unreadable: " : "",
	    o->why[0] ? o->why : "-", rule, o->image[0] ? o->image : "-",
	    o->user[0] ? "; user " : "", o->user);
}
