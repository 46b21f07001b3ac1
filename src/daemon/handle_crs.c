/*
 * handle_crs.c: what nvctl asks of sensor.crs: `sensor test sensor.crs`
 * (a raw HTTP request through the running CRS rules) and its part of
 * `status`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/control_proto.h"
#include "base/table.h"
#include "daemon/handle_crs.h"
#include "daemon/request.h"
#include "http/http.h"
#include "runtime/crs_pool.h"

/* The request a test reads: head and body as the packet path hands them. */
struct test_req {
	uint8_t *buf;			/* method, target, headers, body */
	size_t len, cap, method_len, target_len, headers_len, body_max;
	int minor, heads, ended, nomem;
};

static int
grow(struct test_req *r, size_t n)
{
	uint8_t *p;

	if (r->len + n <= r->cap)
		return 0;
	if ((p = realloc(r->buf, r->len + n + 4096)) == NULL) {
		r->nomem = 1;
		return -1;
	}
	r->buf = p;
	r->cap = r->len + n + 4096;
	return 0;
}

static void
t_head(void *ctx, const struct http_head *h)
{
	struct test_req *r = ctx;

	if (r->heads++ > 0 || grow(r, h->method_len + h->target_len + h->headers_len) < 0)
		return;
	memcpy(r->buf, h->method, h->method_len);
	memcpy(r->buf + h->method_len, h->target, h->target_len);
	memcpy(r->buf + h->method_len + h->target_len, h->headers, h->headers_len);
	r->method_len = h->method_len;
	r->target_len = h->target_len;
	r->headers_len = h->headers_len;
	r->len = h->method_len + h->target_len + h->headers_len;
	r->minor = h->minor;
}

static void
t_body(void *ctx, const uint8_t *p, size_t n)
{
	struct test_req *r = ctx;
	size_t body = r->len - r->method_len - r->target_len - r->headers_len;

	if (r->heads != 1 || r->ended)
		return;
	if (body + n > r->body_max)
		n = r->body_max - body;
	if (n > 0 && grow(r, n) == 0) {
		memcpy(r->buf + r->len, p, n);
		r->len += n;
	}
}

static void
t_end(void *ctx, unsigned flags)
{
	struct test_req *r = ctx;

	(void)flags;
	r->ended = 1;
}

static void
print_result(struct buf *o, const struct crs_result *res, int paranoia, int threshold, int json)
{
	struct table t = { .ncols = 3 };

	if (json) {
		buf_printf(o, "{\"sensor\":\"%s\",\"denied\":%s,\"score\":%d,\"paranoia\":%d,"
		    "\"threshold\":%d,\"rules\":[", CRS_SENSOR, res->denied ? "true" : "false",
		    res->score, paranoia, threshold);
		for (int i = 0; i < res->nhits; i++) {
			buf_printf(o, "%s{\"id\":%d,\"message\":", i ? "," : "", res->hits[i].id);
			buf_json_str(o, res->hits[i].msg);
			buf_puts(o, ",\"data\":");
			buf_json_str(o, res->hits[i].data[0] ? res->hits[i].data : NULL);
			buf_puts(o, "}");
		}
		buf_puts(o, "]}\n");
		return;
	}
	if (res->nhits > 0) {
		table_add(&t, "rule");
		table_add(&t, "message");
		table_add(&t, "data");
		for (int i = 0; i < res->nhits; i++) {
			table_addf(&t, "%d", res->hits[i].id);
			table_add(&t, res->hits[i].msg);
			table_add(&t, res->hits[i].data[0] ? res->hits[i].data : "-");
		}
		table_print(&t, o);
		table_free(&t);
	}
	buf_printf(o, "anomaly score %d (threshold %d, paranoia %d): %s\n", res->score, threshold,
	    paranoia, res->denied ? "denied" : "passed");
	if (res->more)
		buf_printf(o, "note: %d more rules fired\n", res->more);
}

int
crs_test(struct daemon *d, const uint8_t *text, size_t len, int paranoia, int threshold,
    int json, struct buf *o)
{
	static const struct http_callbacks cb = { t_head, t_body, t_end };
	struct test_req r = { .body_max = d->conf.crs_body_limit };
	struct crs_request rq = { .client = "198.18.0.1", .server = "198.18.0.2",
	    .client_port = 40000, .server_port = 80 };
	struct crs_engine *e;
	struct http_parser *hp;
	struct crs_result res;
	int rc;

	daemon_crs_need(d);
	if ((e = d->crs ? crs_pool_engine(d->crs) : NULL) == NULL)
		return req_error(o, CTL_RESP_ERROR, "%s: %s", CRS_SENSOR, !crs_available() ?
		    CRS_UNAVAILABLE : d->crs_error[0] ? d->crs_error : "no rules loaded");
	if ((hp = http_parser_new(0, NULL)) == NULL) {
		crs_engine_unref(e);
		return req_error(o, CTL_RESP_ERROR, "out of memory");
	}
	http_parser_feed(hp, text, len, &cb, &r);
	http_parser_eof(hp, &cb, &r);
	http_parser_free(hp);
	if (r.heads == 0 || r.nomem) {
		crs_engine_unref(e);
		free(r.buf);
		return req_error(o, CTL_RESP_ERROR, r.nomem ? "out of memory" :
		    "the input is not an HTTP/1.x request");
	}
	rq.method = r.buf;
	rq.method_len = r.method_len;
	rq.target = r.buf + r.method_len;
	rq.target_len = r.target_len;
	rq.headers = rq.target + r.target_len;
	rq.headers_len = r.headers_len;
	rq.body = rq.headers + r.headers_len;
	rq.body_len = r.len - r.method_len - r.target_len - r.headers_len;
	rq.minor = r.minor;
	rq.paranoia = paranoia;
	rq.threshold = threshold;
	rq.nonce = (uint64_t)(uintptr_t)&r ^ (uint64_t)len;
	rc = crs_eval(e, &rq, &res);
	crs_engine_unref(e);
	free(r.buf);
	if (rc < 0)
		return req_error(o, CTL_RESP_ERROR, "%s: the evaluation failed", CRS_SENSOR);
	print_result(o, &res, paranoia, threshold, json);
	return res.denied ? CTL_RESP_OK : CTL_RESP_NOMATCH;
}

/* --- status -------------------------------------------------------------- */

void
crs_status_json(struct buf *o, struct daemon *d, const struct worker_stats *t)
{
	struct crs_pool_stats ps = { 0 };
	const struct crs_stage_stats *s = &t->crs;

	if (d->crs)
		crs_pool_stats(d->crs, &ps);
	buf_printf(o, ",\"crs\":{\"available\":%s,\"loaded\":%s,\"rule_files\":%d,\"error\":",
	    crs_available() ? "true" : "false", d->crs_tried && d->crs_files ? "true" : "false",
	    d->crs_files);
	buf_json_str(o, d->crs_error[0] ? d->crs_error : NULL);
	buf_printf(o, ",\"threads\":%llu,\"requests\":%llu,\"head_only\":%llu,\"evaluated\":%llu,"
	    "\"denied\":%llu,\"flows_denied\":%llu,\"busy\":%llu,\"queue_full\":%llu,"
	    "\"late\":%llu,\"body_over\":%llu,\"held\":%llu,\"held_now\":%llu,"
	    "\"held_dropped\":%llu,\"held_full\":%llu,\"in_flight\":%llu,\"eval_seconds\":%.6f,"
	    "\"eval_seconds_max\":%.6f,\"wait_seconds_max\":%.3f}",
	    (unsigned long long)ps.threads, (unsigned long long)s->requests,
	    (unsigned long long)s->head_only, (unsigned long long)ps.evaluated,
	    (unsigned long long)s->denied, (unsigned long long)s->flows_denied,
	    (unsigned long long)s->busy, (unsigned long long)ps.refused,
	    (unsigned long long)s->late, (unsigned long long)s->body_over,
	    (unsigned long long)s->held, (unsigned long long)s->held_now,
	    (unsigned long long)s->held_dropped, (unsigned long long)s->held_full,
	    (unsigned long long)s->jobs_now, (double)ps.eval_us / 1e6,
	    (double)ps.eval_us_max / 1e6, (double)s->wait_ms_max / 1e3);
}

void
crs_status_text(struct buf *o, struct daemon *d, const struct worker_stats *t)
{
	struct crs_pool_stats ps = { 0 };
	const struct crs_stage_stats *s = &t->crs;

	if (d->crs == NULL) {
		buf_printf(o, "sensor.crs off (%s)\n", crs_available() ? "its threads did not start" :
		    "built without libmodsecurity");
		return;
	}
	crs_pool_stats(d->crs, &ps);
	if (!d->crs_tried) {
		buf_printf(o, "sensor.crs not loaded (assigned to no group: its rules are parsed "
		    "at the first assignment)\n");
		return;
	}
	if (d->crs_files == 0) {
		buf_printf(o, "sensor.crs no rules loaded%s%s\n", d->crs_error[0] ? ": " : "",
		    d->crs_error);
		return;
	}
	buf_printf(o, "sensor.crs %d rule files, %llu threads; %llu requests (%llu heads first), "
	    "%llu denied, %llu flows dropped; %llu packets held (%llu now, %llu dropped); "
	    "not evaluated: %llu busy, %llu late, %llu bodies past the limit; evaluation "
	    "%llu us mean, %llu us max\n", d->crs_files, (unsigned long long)ps.threads,
	    (unsigned long long)s->requests, (unsigned long long)s->head_only,
	    (unsigned long long)s->denied, (unsigned long long)s->flows_denied,
	    (unsigned long long)s->held, (unsigned long long)s->held_now,
	    (unsigned long long)s->held_dropped, (unsigned long long)s->busy,
	    (unsigned long long)s->late, (unsigned long long)s->body_over,
	    (unsigned long long)(ps.evaluated ? ps.eval_us / ps.evaluated : 0),
	    (unsigned long long)ps.eval_us_max);
}
