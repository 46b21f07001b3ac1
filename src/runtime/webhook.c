/*
 * webhook.c: the webhook thread (webhook.h).
 *
 * libcurl, because a webhook receiver is as often HTTPS as HTTP, and
 * libcurl is the client that does both properly (certificate checks
 * against the system store, proxies from the environment, timeouts that
 * cover name lookup and connecting), is maintained by a team that
 * answers security reports, and is in every distribution.  One easy
 * handle, used by this thread only, keeps connections to a receiver open
 * between requests.
 *
 * The queue is an array in the order requests came (a retry goes back at
 * its end, due later); the thread sends the first one due.  The lock is
 * never held while a request is on the wire.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "runtime/webhook.h"

struct request {
	char *url, *headers, *body;	/* one allocation: url, then headers, then body */
	size_t len;
	int attempts;			/* made so far */
	uint64_t due_ms;		/* monotonic: not before */
};

struct webhook {
	struct webhook_opts o;
	pthread_mutex_t lock;		/* everything below */
	pthread_cond_t cond;		/* a request came, or stop */
	struct request *q;
	int n;				/* requests in q */
	int sending;			/* one is on the wire */
	int stop;
	struct webhook_stats st;
	struct log_limit giveup_log;
	pthread_t thread;
	CURL *curl;			/* the thread's */
	char errbuf[CURL_ERROR_SIZE];
};

int64_t
webhook_backoff_ms(const struct webhook_opts *o, int n)
{
	int64_t ms = o && o->backoff_ms > 0 ? o->backoff_ms : WEBHOOK_BACKOFF_MS;

	for (int i = 1; i < n && ms < WEBHOOK_BACKOFF_MAX_MS; i++)
		ms *= 2;
	return ms < WEBHOOK_BACKOFF_MAX_MS ? ms : WEBHOOK_BACKOFF_MAX_MS;
}

static void
request_free(struct request *r)
{
	free(r->url);
	memset(r, 0, sizeof(*r));
}

/* --- sending (the thread, without the lock) ------------------------------ */

/* The answer's body is not wanted: taken and forgotten. */
static size_t
discard(char *data, size_t size, size_t n, void *ctx)
{
	(void)data;
	(void)ctx;
	return size * n;
}

/* libcurl asks often during a transfer: a nonzero answer cuts it short. */
static int
progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct webhook *wh = ctx;

	(void)dt, (void)dn, (void)ut, (void)un;
	return __atomic_load_n(&wh->stop, __ATOMIC_ACQUIRE);
}

/* One attempt: 0 on a 2xx answer, else -1 with why in err. */
static int
send_one(struct webhook *wh, const struct request *r, char *err, size_t errlen)
{
	struct curl_slist *hl = NULL, *more;
	char ua[64], *line, *save = NULL, *copy = NULL;
	CURLcode rc;
	long code = 0;

	snprintf(ua, sizeof(ua), "User-Agent: nvd/%s", PACKAGE_VERSION);
	hl = curl_slist_append(hl, "Content-Type: application/json");
	hl = hl ? curl_slist_append(hl, ua) : NULL;
	hl = hl ? curl_slist_append(hl, "Expect:") : NULL;	/* no 100-continue wait */
	if (hl && r->headers && (copy = strdup(r->headers)) == NULL) {
		curl_slist_free_all(hl);
		hl = NULL;
	}
	for (line = copy ? strtok_r(copy, "\n", &save) : NULL; hl && line;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((more = curl_slist_append(hl, line)) == NULL) {
			curl_slist_free_all(hl);
			hl = NULL;
		} else
			hl = more;
	}
	free(copy);
	if (hl == NULL) {
		snprintf(err, errlen, "%.200s: out of memory", r->url);
		return -1;
	}
	wh->errbuf[0] = '\0';
	curl_easy_setopt(wh->curl, CURLOPT_URL, r->url);
	curl_easy_setopt(wh->curl, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(wh->curl, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(wh->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
	rc = curl_easy_perform(wh->curl);
	curl_easy_setopt(wh->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%.160s: %.150s", r->url,
		    wh->errbuf[0] ? wh->errbuf : curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(wh->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299) {
		snprintf(err, errlen, "%.200s: HTTP status %ld", r->url, code);
		return -1;
	}
	return 0;
}

/* The options that stay the same for every request. */
static int
curl_setup(struct webhook *wh)
{
	if ((wh->curl = curl_easy_init()) == NULL)
		return -1;
	curl_easy_setopt(wh->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(wh->curl, CURLOPT_TIMEOUT_MS, (long)wh->o.timeout_ms);
	curl_easy_setopt(wh->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)wh->o.timeout_ms);
	curl_easy_setopt(wh->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(wh->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(wh->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(wh->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(wh->curl, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(wh->curl, CURLOPT_XFERINFODATA, wh);
	curl_easy_setopt(wh->curl, CURLOPT_ERRORBUFFER, wh->errbuf);
	return 0;
}

/* --- the queue (with the lock) ------------------------------------------- */

/* The index of the first request due by now, or -1; *next_ms: the
 * earliest due time of all (UINT64_MAX: none). */
static int
first_due(const struct webhook *wh, uint64_t now, uint64_t *next_ms)
{
	*next_ms = UINT64_MAX;
	for (int i = 0; i < wh->n; i++) {
		if (wh->q[i].due_ms <= now)
			return i;
		if (wh->q[i].due_ms < *next_ms)
			*next_ms = wh->q[i].due_ms;
	}
	return -1;
}

static void
take(struct webhook *wh, int i, struct request *out)
{
	*out = wh->q[i];
	memmove(&wh->q[i], &wh->q[i + 1], (size_t)(wh->n - i - 1) * sizeof(wh->q[0]));
	wh->n--;
}

static void
wait_until(struct webhook *wh, uint64_t due_ms)
{
	struct timespec ts;
	uint64_t ms;

	if (due_ms == UINT64_MAX) {
		pthread_cond_wait(&wh->cond, &wh->lock);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	ms = due_ms > ms ? due_ms - ms : 0;
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&wh->cond, &wh->lock, &ts);
}

/* After an attempt at r: delivered, due again later, or given up. */
static void
settle(struct webhook *wh, struct request *r, int ok, const char *err)
{
	wh->sending = 0;
	if (ok || wh->stop) {
		wh->st.delivered += (uint64_t)ok;
		request_free(r);
		return;
	}
	snprintf(wh->st.last_error, sizeof(wh->st.last_error), "%s", err);
	wh->st.last_error_time = (int64_t)time(NULL);
	if (r->attempts <= wh->o.retries && wh->n < wh->o.queue) {
		r->due_ms = clock_mono_ms() + (uint64_t)webhook_backoff_ms(&wh->o, r->attempts);
		wh->q[wh->n++] = *r;
		wh->st.retries++;
		return;
	}
	wh->st.failed++;
	if (log_limit_ok(&wh->giveup_log, 60))
		log_warnx("webhook: %s; given up after %d attempt%s", err, r->attempts,
		    r->attempts == 1 ? "" : "s");
	request_free(r);
}

static void *
webhook_main(void *arg)
{
	struct webhook *wh = arg;
	struct request r;
	char err[sizeof(wh->st.last_error)];
	uint64_t next;
	int i, ok;

	pthread_mutex_lock(&wh->lock);
	while (!wh->stop) {
		if ((i = first_due(wh, clock_mono_ms(), &next)) < 0) {
			wait_until(wh, next);
			continue;
		}
		take(wh, i, &r);
		wh->sending = 1;
		pthread_mutex_unlock(&wh->lock);
		r.attempts++;
		ok = send_one(wh, &r, err, sizeof(err)) == 0;
		pthread_mutex_lock(&wh->lock);
		settle(wh, &r, ok, err);
	}
	pthread_mutex_unlock(&wh->lock);
	return NULL;
}

/* --- the interface ------------------------------------------------------- */

int
webhook_post(struct webhook *wh, const char *url, const char *headers, const char *body,
    size_t len)
{
	size_t ul = strlen(url) + 1, hl = headers ? strlen(headers) + 1 : 0;
	struct request r = { .len = len, .due_ms = 0 };
	int rc = -1;

	if (len <= WEBHOOK_BODY_MAX && (r.url = malloc(ul + hl + len + 1)) != NULL) {
		memcpy(r.url, url, ul);
		r.headers = headers ? memcpy(r.url + ul, headers, hl) : NULL;
		r.body = memcpy(r.url + ul + hl, body, len);
		r.body[len] = '\0';
	}
	pthread_mutex_lock(&wh->lock);
	if (r.url && wh->n < wh->o.queue && !wh->stop) {
		wh->q[wh->n++] = r;
		wh->st.queued++;
		pthread_cond_signal(&wh->cond);
		rc = 0;
	} else
		wh->st.dropped++;
	pthread_mutex_unlock(&wh->lock);
	if (rc < 0)
		free(r.url);
	return rc;
}

void
webhook_snapshot(struct webhook *wh, struct webhook_stats *out)
{
	pthread_mutex_lock(&wh->lock);
	*out = wh->st;
	out->pending = (uint64_t)wh->n + (uint64_t)wh->sending;
	pthread_mutex_unlock(&wh->lock);
}

static void
webhook_free(struct webhook *wh)
{
	for (int i = 0; i < wh->n; i++)
		request_free(&wh->q[i]);
	if (wh->curl)
		curl_easy_cleanup(wh->curl);
	pthread_cond_destroy(&wh->cond);
	pthread_mutex_destroy(&wh->lock);
	free(wh->q);
	free(wh);
	curl_global_cleanup();
}

struct webhook *
webhook_start(const struct webhook_opts *opts, char *err, size_t errlen)
{
	struct webhook *wh = calloc(1, sizeof(*wh));
	pthread_condattr_t ca;
	sigset_t all, old;
	int rc;

	if (wh == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (opts)
		wh->o = *opts;
	if (wh->o.queue <= 0)
		wh->o.queue = WEBHOOK_QUEUE;
	if (wh->o.timeout_ms <= 0)
		wh->o.timeout_ms = WEBHOOK_TIMEOUT_MS;
	if (opts == NULL || wh->o.retries < 0)
		wh->o.retries = WEBHOOK_RETRIES;
	if (wh->o.backoff_ms <= 0)
		wh->o.backoff_ms = WEBHOOK_BACKOFF_MS;
	pthread_mutex_init(&wh->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wh->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "libcurl could not start");
		free(wh);
		return NULL;
	}
	if ((wh->q = calloc((size_t)wh->o.queue, sizeof(*wh->q))) == NULL || curl_setup(wh) < 0) {
		snprintf(err, errlen, "out of memory");
		webhook_free(wh);
		return NULL;
	}
	/* Signals are the main thread's (signalfd); this thread takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&wh->thread, NULL, webhook_main, wh);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "thread: %s", strerror(rc));
		webhook_free(wh);
		return NULL;
	}
	return wh;
}

void
webhook_stop(struct webhook *wh)
{
	if (wh == NULL)
		return;
	pthread_mutex_lock(&wh->lock);
	__atomic_store_n(&wh->stop, 1, __ATOMIC_RELEASE);
	pthread_cond_signal(&wh->cond);
	pthread_mutex_unlock(&wh->lock);
	pthread_join(wh->thread, NULL);
	webhook_free(wh);
}
