/*
 * metrics_text.h: what the metrics endpoint (metrics.h) reads and
 * writes: the request head of a scraper, and the counters of
 * `nvctl --json status` in the Prometheus text exposition format 0.0.4.
 *
 * Every number of the status becomes a sample named nvd_ and its path
 * with '_' between the keys (events.written: nvd_events_written_total);
 * the members of each element of "queues" carry the labels queue and
 * protect_queue; the members of the maps in METRICS_LABEL_MAPS become one
 * metric with a label (applications: nvd_applications_total{app="HTTP"}).
 * The paths in METRICS_GAUGES are gauges, every other number a counter
 * (its name ends in _total); true and false are 1 and 0; the strings at
 * the top (version, hook ...) are the labels of nvd_info, whose value is
 * 1.  "total", the sum of the queues, is left out: sum() the queues.
 */
#ifndef NVD_METRICS_TEXT_H
#define NVD_METRICS_TEXT_H

#include <stddef.h>

#include "base/buf.h"

#define METRICS_REQ_MAX		8192	/* bytes of a request head */

enum metrics_req {
	METRICS_REQ_MORE,	/* no whole head yet */
	METRICS_REQ_GET,	/* GET /metrics */
	METRICS_REQ_HEAD,	/* HEAD /metrics */
	METRICS_REQ_NOT_FOUND,	/* 404: another path */
	METRICS_REQ_METHOD,	/* 405: another method */
	METRICS_REQ_BAD,	/* 400: not an HTTP/1.x request head */
	METRICS_REQ_TOO_BIG,	/* 431: no end within METRICS_REQ_MAX bytes */
};

/*
 * Reads the request head in buf (len bytes received so far): its request
 * line (METHOD SP TARGET SP HTTP/1.x, RFC 9112 3) up to the empty line
 * that ends the head; header fields are skipped, a body is not read.
 */
enum metrics_req metrics_request_parse(const char *buf, size_t len);

/*
 * The exposition of the status JSON (len bytes) appended to out.
 * Returns 0, or -1 with err when the JSON does not parse or is not an
 * object.
 */
int metrics_exposition(const char *json, size_t len, struct buf *out, char *err,
    size_t errlen);

#endif
