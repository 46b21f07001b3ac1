/*
 * check_webhook.c: the webhook thread against a real HTTP server of the
 * test's own on 127.0.0.1, counted on the server's side: requests with
 * their body and headers delivered; a receiver that fails is retried with
 * backoff, then given up and the error kept; one that recovers gets the
 * request once; one that hangs holds the thread, the queue stays bounded
 * (what does not fit is refused and counted) and a stop cuts it short;
 * a receiver that is not there; the backoff schedule.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "runtime/webhook.h"

enum srv_mode { SRV_OK, SRV_FAIL, SRV_FAIL_ONCE, SRV_HANG };

#define SRV_KEPT	16

/* The server: one thread, one connection at a time, one request each. */
static struct {
	int lfd, port;
	enum srv_mode mode;
	pthread_t thread;
	pthread_mutex_t lock;
	int requests;			/* every request read */
	char head[SRV_KEPT][1024];	/* of the first ones */
	char body[SRV_KEPT][256];
	int stop;
} srv;

static char url[64];

/* Reads one request (head and Content-Length body) from fd; -1 at its end. */
static int
read_request(int fd, char *head, size_t headlen, char *body, size_t bodylen)
{
	char buf[4096];
	size_t n = 0, want;
	char *end, *cl;
	ssize_t k;

	for (;;) {
		if (n == sizeof(buf) - 1 || (k = read(fd, buf + n, sizeof(buf) - 1 - n)) <= 0)
			return -1;
		n += (size_t)k;
		buf[n] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	*end = '\0';
	snprintf(head, headlen, "%s", buf);
	cl = strcasestr(buf, "Content-Length:");
	want = cl ? (size_t)strtoul(cl + 15, NULL, 10) : 0;
	end += 4;
	while ((size_t)(buf + n - end) < want && n < sizeof(buf) - 1) {
		if ((k = read(fd, buf + n, sizeof(buf) - 1 - n)) <= 0)
			return -1;
		n += (size_t)k;
	}
	buf[n] = '\0';
	snprintf(body, bodylen, "%.*s", (int)want, end);
	return 0;
}

static void *
serve(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&srv.stop, __ATOMIC_ACQUIRE)) {
		int fd = accept(srv.lfd, NULL, NULL);
		char head[1024], body[256];

		if (fd < 0)
			break;
		while (read_request(fd, head, sizeof(head), body, sizeof(body)) == 0) {
			const char *answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
			    "Connection: close\r\n\r\n";
			int i;

			pthread_mutex_lock(&srv.lock);
			i = srv.requests++;
			if (i < SRV_KEPT) {
				snprintf(srv.head[i], sizeof(srv.head[i]), "%s", head);
				snprintf(srv.body[i], sizeof(srv.body[i]), "%s", body);
			}
			pthread_mutex_unlock(&srv.lock);
			if (srv.mode == SRV_HANG) {
				while (!__atomic_load_n(&srv.stop, __ATOMIC_ACQUIRE))
					usleep(10000);
				break;
			}
			if (srv.mode == SRV_FAIL || (srv.mode == SRV_FAIL_ONCE && i == 0))
				answer = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
				    "Connection: close\r\n\r\n";
			if (write(fd, answer, strlen(answer)) < 0)
				break;
			break;		/* one request a connection */
		}
		close(fd);
	}
	return NULL;
}

static void
srv_start(enum srv_mode mode)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	memset(&srv, 0, sizeof(srv));
	srv.mode = mode;
	pthread_mutex_init(&srv.lock, NULL);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(srv.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
	ck_assert_int_eq(bind(srv.lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(srv.lfd, 8), 0);
	ck_assert_int_eq(getsockname(srv.lfd, (struct sockaddr *)&sa, &len), 0);
	srv.port = ntohs(sa.sin_port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", srv.port);
	ck_assert_int_eq(pthread_create(&srv.thread, NULL, serve, NULL), 0);
}

static void
srv_stop(void)
{
	__atomic_store_n(&srv.stop, 1, __ATOMIC_RELEASE);
	shutdown(srv.lfd, SHUT_RDWR);
	pthread_join(srv.thread, NULL);
	close(srv.lfd);
}

static int
requests(void)
{
	int n;

	pthread_mutex_lock(&srv.lock);
	n = srv.requests;
	pthread_mutex_unlock(&srv.lock);
	return n;
}

static struct webhook_stats
stats(struct webhook *wh)
{
	struct webhook_stats st;

	webhook_snapshot(wh, &st);
	return st;
}

/* Waits (up to 20 s, by the clock) until what the thread did adds up to n
 * requests settled: delivered or given up. */
static void
wait_settled(struct webhook *wh, uint64_t n)
{
	for (int i = 0; i < 2000; i++) {
		struct webhook_stats st = stats(wh);

		if (st.delivered + st.failed >= n && st.pending == 0)
			return;
		usleep(10000);
	}
	ck_abort_msg("the webhook thread did not settle %llu requests", (unsigned long long)n);
}

static const struct webhook_opts quick = { .queue = 8, .timeout_ms = 3000, .retries = 2,
    .backoff_ms = 20 };
static char err[256];

START_TEST(test_delivered)
{
	struct webhook *wh;
	char body[64];

	srv_start(SRV_OK);
	ck_assert_ptr_nonnull(wh = webhook_start(&quick, err, sizeof(err)));
	for (int i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "{\"id\":%d,\"type\":\"violation\"}", i + 1);
		ck_assert_int_eq(webhook_post(wh, url, "X-Nvd-Event-Id: 7\nX-Nvd-Response-Rules: 2",
		    body, strlen(body)), 0);
	}
	wait_settled(wh, 3);
	ck_assert_int_eq(requests(), 3);
	for (int i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "{\"id\":%d,\"type\":\"violation\"}", i + 1);
		ck_assert_str_eq(srv.body[i], body);
	}
	ck_assert_int_eq(strncmp(srv.head[0], "POST /hook HTTP/1.1\r\n", 21), 0);
	ck_assert_ptr_nonnull(strstr(srv.head[0], "\r\nContent-Type: application/json"));
	ck_assert_ptr_nonnull(strstr(srv.head[0], "\r\nUser-Agent: nvd/" PACKAGE_VERSION));
	ck_assert_ptr_nonnull(strstr(srv.head[0], "\r\nX-Nvd-Event-Id: 7"));
	ck_assert_ptr_nonnull(strstr(srv.head[0], "\r\nX-Nvd-Response-Rules: 2"));
	ck_assert_uint_eq(stats(wh).queued, 3);
	ck_assert_uint_eq(stats(wh).delivered, 3);
	ck_assert_uint_eq(stats(wh).failed, 0);
	ck_assert_uint_eq(stats(wh).retries, 0);
	ck_assert_str_eq(stats(wh).last_error, "");
	webhook_stop(wh);
	srv_stop();
}
END_TEST

START_TEST(test_retried_then_given_up)
{
	struct webhook *wh;
	char want[128];

	srv_start(SRV_FAIL);
	ck_assert_ptr_nonnull(wh = webhook_start(&quick, err, sizeof(err)));
	ck_assert_int_eq(webhook_post(wh, url, NULL, "{}", 2), 0);
	wait_settled(wh, 1);
	ck_assert_int_eq(requests(), 3);	/* the first and two retries */
	ck_assert_uint_eq(stats(wh).failed, 1);
	ck_assert_uint_eq(stats(wh).retries, 2);
	ck_assert_uint_eq(stats(wh).delivered, 0);
	snprintf(want, sizeof(want), "%s: HTTP status 500", url);
	ck_assert_str_eq(stats(wh).last_error, want);
	ck_assert_int_gt(stats(wh).last_error_time, 0);
	webhook_stop(wh);
	srv_stop();
}
END_TEST

START_TEST(test_retry_recovers)
{
	struct webhook *wh;

	srv_start(SRV_FAIL_ONCE);
	ck_assert_ptr_nonnull(wh = webhook_start(&quick, err, sizeof(err)));
	ck_assert_int_eq(webhook_post(wh, url, NULL, "{\"id\":1}", 8), 0);
	wait_settled(wh, 1);
	ck_assert_int_eq(requests(), 2);
	ck_assert_str_eq(srv.body[1], "{\"id\":1}");
	ck_assert_uint_eq(stats(wh).delivered, 1);
	ck_assert_uint_eq(stats(wh).retries, 1);
	ck_assert_uint_eq(stats(wh).failed, 0);
	webhook_stop(wh);
	srv_stop();
}
END_TEST

/* A receiver that takes the request and never answers. */
START_TEST(test_hang_bounded)
{
	const struct webhook_opts o = { .queue = 4, .timeout_ms = 60000, .retries = 0 };
	struct webhook *wh;
	int taken = 0, refused = 0;

	srv_start(SRV_HANG);
	ck_assert_ptr_nonnull(wh = webhook_start(&o, err, sizeof(err)));
	ck_assert_int_eq(webhook_post(wh, url, NULL, "{\"id\":0}", 8), 0);
	for (int i = 0; i < 200 && requests() == 0; i++)
		usleep(10000);
	ck_assert_int_eq(requests(), 1);	/* the thread is stuck on it */
	for (int i = 1; i < 10; i++) {
		if (webhook_post(wh, url, NULL, "{}", 2) == 0)
			taken++;
		else
			refused++;
	}
	ck_assert_int_eq(taken, 4);		/* the queue's bound */
	ck_assert_int_eq(refused, 5);
	ck_assert_uint_eq(stats(wh).dropped, 5);
	ck_assert_uint_eq(stats(wh).pending, 5);
	webhook_stop(wh);			/* cuts the hung attempt short */
	srv_stop();
}
END_TEST

START_TEST(test_nobody_there)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	struct webhook *wh;
	int fd;

	/* A port that was just free: nothing listens there. */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(sa.sin_port));
	ck_assert_ptr_nonnull(wh = webhook_start(&quick, err, sizeof(err)));
	ck_assert_int_eq(webhook_post(wh, url, NULL, "{}", 2), 0);
	wait_settled(wh, 1);
	ck_assert_uint_eq(stats(wh).failed, 1);
	ck_assert_uint_eq(stats(wh).retries, 2);
	ck_assert_int_eq(strncmp(stats(wh).last_error, url, strlen(url)), 0);
	ck_assert_ptr_nonnull(strstr(stats(wh).last_error, "onnect"));
	webhook_stop(wh);
}
END_TEST

START_TEST(test_refused_body)
{
	struct webhook *wh;
	char *big = calloc(1, WEBHOOK_BODY_MAX + 2);

	ck_assert_ptr_nonnull(big);
	memset(big, 'x', WEBHOOK_BODY_MAX + 1);
	ck_assert_ptr_nonnull(wh = webhook_start(NULL, err, sizeof(err)));
	ck_assert_int_eq(webhook_post(wh, "http://127.0.0.1:1/", NULL, big, WEBHOOK_BODY_MAX + 1),
	    -1);
	ck_assert_uint_eq(stats(wh).dropped, 1);
	ck_assert_uint_eq(stats(wh).queued, 0);
	webhook_stop(wh);
	free(big);
}
END_TEST

START_TEST(test_backoff)
{
	const struct webhook_opts o = { .backoff_ms = 1000 };

	ck_assert_int_eq(webhook_backoff_ms(&o, 1), 1000);
	ck_assert_int_eq(webhook_backoff_ms(&o, 2), 2000);
	ck_assert_int_eq(webhook_backoff_ms(&o, 3), 4000);
	ck_assert_int_eq(webhook_backoff_ms(&o, 6), 32000);
	ck_assert_int_eq(webhook_backoff_ms(&o, 7), WEBHOOK_BACKOFF_MAX_MS);
	ck_assert_int_eq(webhook_backoff_ms(&o, 100), WEBHOOK_BACKOFF_MAX_MS);
	ck_assert_int_eq(webhook_backoff_ms(NULL, 1), WEBHOOK_BACKOFF_MS);
}
END_TEST

static Suite *
webhook_suite(void)
{
	Suite *s = suite_create("webhook");
	TCase *tc = tcase_create("thread");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_delivered);
	tcase_add_test(tc, test_retried_then_given_up);
	tcase_add_test(tc, test_retry_recovers);
	tcase_add_test(tc, test_hang_bounded);
	tcase_add_test(tc, test_nobody_there);
	tcase_add_test(tc, test_refused_body);
	tcase_add_test(tc, test_backoff);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(webhook_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
