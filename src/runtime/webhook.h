/*
 * webhook.h: HTTP POSTs of events to the URLs of response rules
 * (webhook=URL), from a thread of their own.
 *
 * webhook_post() never blocks on the network: it copies the request into
 * a bounded queue (opts.queue) and returns; a full queue refuses it,
 * counted in dropped.  The thread sends one request at a time, in order,
 * through libcurl (HTTP and HTTPS, certificates verified against the
 * system's CA store; no redirects followed), each attempt bounded by
 * opts.timeout_ms.  An answer other than 2xx, or none, is retried
 * opts.retries times, waiting opts.backoff_ms, then twice as long each
 * time (webhook_backoff_ms()); meanwhile the requests behind it go on.
 * After the last retry the request is given up, counted in failed, and
 * its error kept as last_error.
 *
 * Threads: webhook_start() and webhook_stop() belong to one thread (the
 * main thread); webhook_post() and webhook_snapshot() may be called from
 * any thread.
 */
#ifndef NVD_WEBHOOK_H
#define NVD_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_QUEUE		256	/* requests waiting, at most */
#define WEBHOOK_TIMEOUT_MS	5000	/* per attempt, connecting included */
#define WEBHOOK_RETRIES		3	/* attempts after the first */
#define WEBHOOK_BACKOFF_MS	1000	/* before the first retry; doubles */
#define WEBHOOK_BACKOFF_MAX_MS	60000
#define WEBHOOK_BODY_MAX	65536	/* bytes of one request's body */

struct webhook_opts {
	int queue;		/* 0: WEBHOOK_QUEUE */
	int timeout_ms;		/* 0: WEBHOOK_TIMEOUT_MS */
	int retries;		/* -1: WEBHOOK_RETRIES */
	int backoff_ms;		/* 0: WEBHOOK_BACKOFF_MS */
};

struct webhook_stats {
	uint64_t queued;	/* requests taken */
	uint64_t delivered;	/* answered 2xx */
	uint64_t failed;	/* given up after their last retry */
	uint64_t retries;	/* attempts after a first that failed */
	uint64_t dropped;	/* refused: the queue was full */
	uint64_t pending;	/* in the queue now, or being sent */
	int64_t last_error_time;	/* unix seconds; 0: none */
	char last_error[320];	/* "URL: what went wrong" */
};

struct webhook;

/* opts NULL: the defaults.  NULL with err if the thread or libcurl cannot start. */
struct webhook *webhook_start(const struct webhook_opts *opts, char *err, size_t errlen);
/*
 * Queues a POST of body (len bytes, Content-Type application/json) to url
 * with the extra header lines headers ("Name: value" lines joined by
 * '\n', or NULL).  Returns 0, or -1 when refused (queue full, no memory,
 * a body over WEBHOOK_BODY_MAX): counted in dropped.
 */
int webhook_post(struct webhook *wh, const char *url, const char *headers, const char *body,
    size_t len);
/*
 * Stops the thread (an attempt under way is cut short) and frees wh with
 * what it still held (NULL is fine).
 */
void webhook_stop(struct webhook *wh);
void webhook_snapshot(struct webhook *wh, struct webhook_stats *out);
/* How long to wait before retry n (1, 2, ...): backoff_ms * 2^(n-1), at
 * most WEBHOOK_BACKOFF_MAX_MS. */
int64_t webhook_backoff_ms(const struct webhook_opts *opts, int n);

#endif
