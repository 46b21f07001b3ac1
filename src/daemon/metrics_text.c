/*
 * metrics_text.c: the metrics endpoint's request head and exposition
 * (metrics_text.h).  Both read outside input: the request from any
 * client of the listener, the JSON from nvd itself; both are bounded and
 * fuzzed (tests/fuzz/fuzz_metrics.c).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "daemon/metrics_text.h"

/* --- the request ------------------------------------------------------ */

/* RFC 9110 5.6.2 */
static int
tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The request line, without its line end (RFC 9112 3). */
static enum metrics_req
request_line(const char *s, size_t n)
{
	size_t m = 0, t, v;
	const char *target;
	size_t tlen;

	while (m < n && tchar((unsigned char)s[m]))
		m++;
	if (m == 0 || m == n || s[m] != ' ')
		return METRICS_REQ_BAD;
	target = s + m + 1;
	for (t = m + 1; t < n && s[t] > ' ' && s[t] < 0x7f; t++)
		;
	tlen = (size_t)(s + t - target);
	if (tlen == 0 || t == n || s[t] != ' ')
		return METRICS_REQ_BAD;
	v = t + 1;
	if (n - v != 8 || memcmp(s + v, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)s[v + 7]))
		return METRICS_REQ_BAD;
	if (!((m == 3 && memcmp(s, "GET", 3) == 0) || (m == 4 && memcmp(s, "HEAD", 4) == 0)))
		return METRICS_REQ_METHOD;
	if (tlen < 8 || memcmp(target, "/metrics", 8) != 0 || (tlen > 8 && target[8] != '?'))
		return METRICS_REQ_NOT_FOUND;
	return m == 3 ? METRICS_REQ_GET : METRICS_REQ_HEAD;
}

enum metrics_req
metrics_request_parse(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	size_t pos, rl;

	if (nl == NULL)
		return len >= METRICS_REQ_MAX ? METRICS_REQ_TOO_BIG : METRICS_REQ_MORE;
	/* the head ends at the first empty line after the request line */
	for (pos = (size_t)(nl - buf) + 1;;) {
		const char *end = memchr(buf + pos, '\n', len - pos);
		size_t l;

		if (end == NULL)
			return len >= METRICS_REQ_MAX ? METRICS_REQ_TOO_BIG : METRICS_REQ_MORE;
		l = (size_t)(end - (buf + pos));
		if (l == 0 || (l == 1 && buf[pos] == '\r'))
			break;
		pos += l + 1;
	}
	rl = (size_t)(nl - buf);
	if (rl > 0 && buf[rl - 1] == '\r')
		rl--;
	return request_line(buf, rl);
}

/* --- the exposition --------------------------------------------------- */

#define NAME_MAX_LEN	128
#define LABELS_MAX_LEN	512

/* Objects whose members are one metric, told apart by a label. */
static const struct {
	const char *path;
	const char *label;
} label_maps[] = {
	{ "verdicts", "verdict" },
	{ "judged", "verdict" },
	{ "anomalies", "anomaly" },
	{ "applications", "app" },
	{ "unjudged", "reason" },
	{ "detectors", "detector" },	/* threats: an object of numbers per detector */
};

/* What is a number of now, not a count since start. */
static const char *const gauges[] = {
	"uptime", "stream_depth", "stream_memory", "flows",
	"dns_cache_bindings", "dns_cache_names", "dns_cache_connections", "dns_cache_memory",
	"policy_workloads", "policy_groups", "policy_rules",
	"docker_connected", "docker_since", "docker_containers", "docker_subnets",
	"crs_available", "crs_rule_files", "crs_threads", "crs_held_now", "crs_in_flight",
	"crs_eval_seconds_max", "crs_wait_seconds_max",
	"response_rules", "response_enabled", "response_quarantined",
	"response_quarantined_running", "webhooks_pending",
	"kernel_decisions_enabled", "kernel_decisions_classes", "kernel_decisions_pairs",
	"kernel_decisions_elements", "kernel_decisions_addresses",
	"kernel_decisions_over_bound", "kernel_decisions_batch_seconds",
	"kernel_decisions_fill_seconds",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct sample {
	char path[NAME_MAX_LEN];	/* "events_written" */
	char help[NAME_MAX_LEN];	/* "events.written" */
	char labels[LABELS_MAX_LEN];	/* "queue=\"0\",app=\"HTTP\"" */
	char value[32];
	size_t seq;			/* the order it came in */
};

struct samples {
	struct sample *s;
	size_t n, cap;
	int failed;
};

static struct sample *
sample_add(struct samples *ss)
{
	if (ss->n == ss->cap) {
		size_t cap = ss->cap ? 2 * ss->cap : 256;
		struct sample *more = realloc(ss->s, cap * sizeof(*more));

		if (more == NULL) {
			ss->failed = 1;
			return NULL;
		}
		ss->s = more;
		ss->cap = cap;
	}
	memset(&ss->s[ss->n], 0, sizeof(ss->s[0]));
	ss->s[ss->n].seq = ss->n;
	return &ss->s[ss->n++];
}

/* Appends to a fixed-size text; a text that does not fit is cut. */
static void
cat(char *dst, size_t size, const char *a, const char *b, const char *c)
{
	size_t n = strlen(dst);

	if (n < size)
		snprintf(dst + n, size - n, "%s%s%s", a, b, c);
}

/* A key as a name part: letters, digits and '_' (the rest as '_'). */
static void
cat_name(char *dst, size_t size, const char *key)
{
	size_t n = strlen(dst);

	for (; *key && n + 1 < size; key++)
		dst[n++] = isalnum((unsigned char)*key) ? *key : '_';
	dst[n] = '\0';
}

/* name="value" with the value escaped (exposition format: \\ \" \n). */
static void
cat_label(char *dst, size_t size, const char *name, const char *value)
{
	size_t n = strlen(dst);

	if (n + 1 >= size)
		return;
	snprintf(dst + n, size - n, "%s%s=\"", n ? "," : "", name);
	n = strlen(dst);
	for (; value && *value && n + 3 < size; value++) {
		if (*value == '\\' || *value == '"' || *value == '\n') {
			dst[n++] = '\\';
			dst[n++] = *value == '\n' ? 'n' : *value;
		} else
			dst[n++] = *value;
	}
	if (n + 1 < size)
		dst[n++] = '"';
	dst[n] = '\0';
}

struct walk {
	struct samples *ss;
	char path[NAME_MAX_LEN];	/* of the object being walked, '_'-ended or "" */
	char help[NAME_MAX_LEN];	/* ... its keys with '.' */
	char labels[LABELS_MAX_LEN];
};

static void
number(struct walk *w, const char *key, const char *extra_label, const char *label_value,
    const char *value)
{
	struct sample *s = sample_add(w->ss);

	if (s == NULL)
		return;
	snprintf(s->path, sizeof(s->path), "%s", w->path);
	cat_name(s->path, sizeof(s->path), key);
	snprintf(s->help, sizeof(s->help), "%s", w->help);
	cat_name(s->help, sizeof(s->help), key);
	snprintf(s->labels, sizeof(s->labels), "%s", w->labels);
	if (extra_label)
		cat_label(s->labels, sizeof(s->labels), extra_label, label_value);
	snprintf(s->value, sizeof(s->value), "%s", value);
}

/* A JSON number or boolean as a sample value; NULL for anything else. */
static const char *
value_of(const struct json *v)
{
	switch (json_type(v)) {
	case JSON_NUMBER:
		return strlen(json_num_text(v)) < 32 ? json_num_text(v) : NULL;
	case JSON_BOOL:
		return json_bool(v) ? "1" : "0";
	default:
		return NULL;
	}
}

static const char *
map_label(const char *key)
{
	for (size_t i = 0; i < NELEM(label_maps); i++)
		if (strcmp(key, label_maps[i].path) == 0)
			return label_maps[i].label;
	return NULL;
}

static void walk_object(struct walk *w, const struct json *o, int depth);

/* An element of "queues": its queue numbers are its labels. */
static void
walk_queue(struct walk *w, const struct json *q, int depth)
{
	struct walk inner = *w;
	const char *keys[] = { "queue", "protect_queue" };

	for (size_t i = 0; i < NELEM(keys); i++)
		cat_label(inner.labels, sizeof(inner.labels), keys[i],
		    value_of(json_get(q, keys[i])) ? value_of(json_get(q, keys[i])) : "");
	walk_object(&inner, q, depth + 1);
}

static void
walk_member(struct walk *w, const char *key, const struct json *v, int depth)
{
	const char *label = map_label(key);
	struct walk inner;

	if (value_of(v)) {
		number(w, key, NULL, NULL, value_of(v));
	} else if (json_type(v) == JSON_OBJECT && label) {
		for (size_t i = 0; i < json_len(v); i++) {
			const struct json *m = json_index(v, i);

			if (json_key(m) == NULL)
				continue;
			if (value_of(m)) {
				number(w, key, label, json_key(m), value_of(m));
			} else if (json_type(m) == JSON_OBJECT) {
				inner = *w;
				cat_label(inner.labels, sizeof(inner.labels), label, json_key(m));
				walk_object(&inner, m, depth + 1);
			}
		}
	} else if (json_type(v) == JSON_OBJECT) {
		inner = *w;
		cat_name(inner.path, sizeof(inner.path), key);
		cat(inner.path, sizeof(inner.path), "_", "", "");
		cat_name(inner.help, sizeof(inner.help), key);
		cat(inner.help, sizeof(inner.help), ".", "", "");
		walk_object(&inner, v, depth + 1);
	} else if (json_type(v) == JSON_ARRAY && depth == 0 && strcmp(key, "queues") == 0) {
		inner = *w;
		cat(inner.help, sizeof(inner.help), "queues[].", "", "");
		for (size_t i = 0; i < json_len(v); i++)
			if (json_type(json_index(v, i)) == JSON_OBJECT)
				walk_queue(&inner, json_index(v, i), depth);
	}
}

static void
walk_object(struct walk *w, const struct json *o, int depth)
{
	for (size_t i = 0; i < json_len(o); i++) {
		const struct json *m = json_index(o, i);
		const char *key = json_key(m);

		if (key == NULL || (depth == 0 && strcmp(key, "total") == 0))
			continue;
		/* a queue's numbers are its labels, not samples */
		if (w->labels[0] && (strcmp(key, "queue") == 0 || strcmp(key, "protect_queue") == 0))
			continue;
		walk_member(w, key, m, depth);
	}
}

static int
is_gauge(const char *path)
{
	for (size_t i = 0; i < NELEM(gauges); i++)
		if (strcmp(path, gauges[i]) == 0)
			return 1;
	return 0;
}

/* nvd_info{version="...",hook="...",...} 1, of the strings at the top. */
static void
info(const struct json *root, struct buf *out)
{
	char labels[LABELS_MAX_LEN] = "";

	for (size_t i = 0; i < json_len(root); i++) {
		const struct json *m = json_index(root, i);
		char name[NAME_MAX_LEN] = "";

		if (json_str(m) == NULL || json_key(m) == NULL)
			continue;
		cat_name(name, sizeof(name), json_key(m));
		cat_label(labels, sizeof(labels), name, json_str(m));
	}
	buf_printf(out, "# HELP nvd_info nvctl status: the strings at its top\n"
	    "# TYPE nvd_info gauge\nnvd_info{%s} 1\n", labels);
}

/* By name, then in the order they came. */
static int
by_name(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Each metric once, by name: its HELP and TYPE, then its samples. */
static void
families(struct samples *ss, struct buf *out)
{
	if (ss->n > 1)
		qsort(ss->s, ss->n, sizeof(ss->s[0]), by_name);
	for (size_t i = 0; i < ss->n; i++) {
		const struct sample *f = &ss->s[i];
		int gauge = is_gauge(f->path);
		const char *suffix = gauge ? "" : "_total";

		if (i == 0 || strcmp(ss->s[i - 1].path, f->path) != 0)
			buf_printf(out, "# HELP nvd_%s%s nvctl status: %s\n# TYPE nvd_%s%s %s\n",
			    f->path, suffix, f->help, f->path, suffix, gauge ? "gauge" : "counter");
		buf_printf(out, "nvd_%s%s%s%s%s %s\n", f->path, suffix, f->labels[0] ? "{" : "",
		    f->labels, f->labels[0] ? "}" : "", f->value);
	}
}

int
metrics_exposition(const char *json, size_t len, struct buf *out, char *err, size_t errlen)
{
	struct json_error jerr;
	struct json_doc *doc = json_parse(json, len, NULL, &jerr);
	struct samples ss = { 0 };
	struct walk w;

	if (doc == NULL) {
		snprintf(err, errlen, "status: %s", jerr.msg);
		return -1;
	}
	if (json_type(json_root(doc)) != JSON_OBJECT) {
		snprintf(err, errlen, "status: not an object");
		json_free(doc);
		return -1;
	}
	memset(&w, 0, sizeof(w));
	w.ss = &ss;
	walk_object(&w, json_root(doc), 0);
	if (ss.failed) {
		snprintf(err, errlen, "out of memory");
	} else {
		info(json_root(doc), out);
		families(&ss, out);
	}
	free(ss.s);
	json_free(doc);
	return ss.failed ? -1 : 0;
}
