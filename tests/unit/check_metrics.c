/*
 * check_metrics.c: the metrics endpoint's request heads and exposition
 * (metrics_text.h), and the endpoint itself on a unix socket: a scrape
 * answered with the status the "main loop" publishes, the errors, a
 * main loop that does not answer, clients past the bound.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "daemon/metrics.h"
#include "daemon/metrics_text.h"

/* --- request heads ---------------------------------------------------- */

static enum metrics_req
parse(const char *s)
{
	return metrics_request_parse(s, strlen(s));
}

START_TEST(test_request)
{
	static const struct {
		const char *head;
		enum metrics_req want;
	} cases[] = {
		{ "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", METRICS_REQ_GET },
		{ "GET /metrics HTTP/1.0\n\n", METRICS_REQ_GET },
		{ "GET /metrics?name[]=up HTTP/1.1\r\n\r\n", METRICS_REQ_GET },
		{ "HEAD /metrics HTTP/1.1\r\n\r\n", METRICS_REQ_HEAD },
		{ "GET /metrics HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n", METRICS_REQ_GET },
		{ "GET / HTTP/1.1\r\n\r\n", METRICS_REQ_NOT_FOUND },
		{ "GET /metricsx HTTP/1.1\r\n\r\n", METRICS_REQ_NOT_FOUND },
		{ "GET /metric HTTP/1.1\r\n\r\n", METRICS_REQ_NOT_FOUND },
		{ "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", METRICS_REQ_METHOD },
		{ "get /metrics HTTP/1.1\r\n\r\n", METRICS_REQ_METHOD },
		{ "GET /metrics HTTP/2.0\r\n\r\n", METRICS_REQ_BAD },
		{ "GET /metrics HTTP/1.1 \r\n\r\n", METRICS_REQ_BAD },
		{ "GET  /metrics HTTP/1.1\r\n\r\n", METRICS_REQ_BAD },
		{ "GET /metrics\r\n\r\n", METRICS_REQ_BAD },
		{ "GET\r\n\r\n", METRICS_REQ_BAD },
		{ "\r\n\r\n", METRICS_REQ_BAD },
		{ "GET /met\x01rics HTTP/1.1\r\n\r\n", METRICS_REQ_BAD },
		{ "GET /metrics HTTP/1.1\r\nHost: x\r\n", METRICS_REQ_MORE },
		{ "GET /metrics HTTP/1.1\r\n\r", METRICS_REQ_MORE },
		{ "GET /metrics HTTP/1.1", METRICS_REQ_MORE },
		{ "", METRICS_REQ_MORE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(parse(cases[i].head) == cases[i].want, "case %zu: %d", i,
		    parse(cases[i].head));
}
END_TEST

START_TEST(test_request_too_big)
{
	char *big = malloc(METRICS_REQ_MAX + 1);

	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	memset(big + 26, 'a', METRICS_REQ_MAX - 26);
	ck_assert_int_eq(metrics_request_parse(big, METRICS_REQ_MAX - 1), METRICS_REQ_MORE);
	ck_assert_int_eq(metrics_request_parse(big, METRICS_REQ_MAX), METRICS_REQ_TOO_BIG);
	memset(big, 'a', METRICS_REQ_MAX);
	ck_assert_int_eq(metrics_request_parse(big, METRICS_REQ_MAX), METRICS_REQ_TOO_BIG);
	free(big);
}
END_TEST

/* --- exposition ------------------------------------------------------- */

static const char status_json[] =
    "{\"version\":\"0.1\",\"uptime\":42,\"hook\":\"native\",\"table\":\"n\\\"t\",\"steer\":[\"br0\"],"
    "\"stream_memory\":0,"
    "\"queues\":[{\"queue\":11,\"protect_queue\":13,\"packets\":7,\"flows\":2,"
    "\"verdicts\":{\"accept\":6,\"drop\":1},\"applications\":{\"HTTP\":3,\"unknown\":0},"
    "\"stream\":{\"delivered\":5}},"
    "{\"queue\":12,\"protect_queue\":14,\"packets\":1,\"flows\":0,"
    "\"verdicts\":{\"accept\":1,\"drop\":0},\"applications\":{\"HTTP\":0,\"unknown\":1},"
    "\"stream\":{\"delivered\":0}}],"
    "\"total\":{\"packets\":8},\"events\":{\"written\":4,\"dropped\":0},\"steered\":null,"
    "\"docker\":{\"socket\":\"/run/d.sock\",\"connected\":true,\"containers\":3,\"events\":9},"
    "\"threats\":{\"detectors\":{\"TCP.SYN.Flood\":{\"detected\":2,\"dropped\":1},"
    "\"Ping.Death\":{\"detected\":0,\"dropped\":0}},\"flows\":5}}";

static const char status_text[] =
    "# HELP nvd_info nvctl status: the strings at its top\n"
    "# TYPE nvd_info gauge\n"
    "nvd_info{version=\"0.1\",hook=\"native\",table=\"n\\\"t\"} 1\n"
    "# HELP nvd_applications_total nvctl status: queues[].applications\n"
    "# TYPE nvd_applications_total counter\n"
    "nvd_applications_total{queue=\"11\",protect_queue=\"13\",app=\"HTTP\"} 3\n"
    "nvd_applications_total{queue=\"11\",protect_queue=\"13\",app=\"unknown\"} 0\n"
    "nvd_applications_total{queue=\"12\",protect_queue=\"14\",app=\"HTTP\"} 0\n"
    "nvd_applications_total{queue=\"12\",protect_queue=\"14\",app=\"unknown\"} 1\n"
    "# HELP nvd_docker_connected nvctl status: docker.connected\n"
    "# TYPE nvd_docker_connected gauge\n"
    "nvd_docker_connected 1\n"
    "# HELP nvd_docker_containers nvctl status: docker.containers\n"
    "# TYPE nvd_docker_containers gauge\n"
    "nvd_docker_containers 3\n"
    "# HELP nvd_docker_events_total nvctl status: docker.events\n"
    "# TYPE nvd_docker_events_total counter\n"
    "nvd_docker_events_total 9\n"
    "# HELP nvd_events_dropped_total nvctl status: events.dropped\n"
    "# TYPE nvd_events_dropped_total counter\n"
    "nvd_events_dropped_total 0\n"
    "# HELP nvd_events_written_total nvctl status: events.written\n"
    "# TYPE nvd_events_written_total counter\n"
    "nvd_events_written_total 4\n"
    "# HELP nvd_flows nvctl status: queues[].flows\n"
    "# TYPE nvd_flows gauge\n"
    "nvd_flows{queue=\"11\",protect_queue=\"13\"} 2\n"
    "nvd_flows{queue=\"12\",protect_queue=\"14\"} 0\n"
    "# HELP nvd_packets_total nvctl status: queues[].packets\n"
    "# TYPE nvd_packets_total counter\n"
    "nvd_packets_total{queue=\"11\",protect_queue=\"13\"} 7\n"
    "nvd_packets_total{queue=\"12\",protect_queue=\"14\"} 1\n"
    "# HELP nvd_stream_delivered_total nvctl status: queues[].stream.delivered\n"
    "# TYPE nvd_stream_delivered_total counter\n"
    "nvd_stream_delivered_total{queue=\"11\",protect_queue=\"13\"} 5\n"
    "nvd_stream_delivered_total{queue=\"12\",protect_queue=\"14\"} 0\n"
    "# HELP nvd_stream_memory nvctl status: stream_memory\n"
    "# TYPE nvd_stream_memory gauge\n"
    "nvd_stream_memory 0\n"
    "# HELP nvd_threats_detected_total nvctl status: threats.detected\n"
    "# TYPE nvd_threats_detected_total counter\n"
    "nvd_threats_detected_total{detector=\"TCP.SYN.Flood\"} 2\n"
    "nvd_threats_detected_total{detector=\"Ping.Death\"} 0\n"
    "# HELP nvd_threats_dropped_total nvctl status: threats.dropped\n"
    "# TYPE nvd_threats_dropped_total counter\n"
    "nvd_threats_dropped_total{detector=\"TCP.SYN.Flood\"} 1\n"
    "nvd_threats_dropped_total{detector=\"Ping.Death\"} 0\n"
    "# HELP nvd_threats_flows_total nvctl status: threats.flows\n"
    "# TYPE nvd_threats_flows_total counter\n"
    "nvd_threats_flows_total 5\n"
    "# HELP nvd_uptime nvctl status: uptime\n"
    "# TYPE nvd_uptime gauge\n"
    "nvd_uptime 42\n"
    "# HELP nvd_verdicts_total nvctl status: queues[].verdicts\n"
    "# TYPE nvd_verdicts_total counter\n"
    "nvd_verdicts_total{queue=\"11\",protect_queue=\"13\",verdict=\"accept\"} 6\n"
    "nvd_verdicts_total{queue=\"11\",protect_queue=\"13\",verdict=\"drop\"} 1\n"
    "nvd_verdicts_total{queue=\"12\",protect_queue=\"14\",verdict=\"accept\"} 1\n"
    "nvd_verdicts_total{queue=\"12\",protect_queue=\"14\",verdict=\"drop\"} 0\n";

START_TEST(test_exposition)
{
	struct buf out;
	char err[160];

	buf_init(&out);
	ck_assert_int_eq(metrics_exposition(status_json, strlen(status_json), &out, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(out.data, status_text);
	buf_free(&out);
}
END_TEST

START_TEST(test_exposition_errors)
{
	struct buf out;
	char err[160];

	buf_init(&out);
	ck_assert_int_eq(metrics_exposition("{\"a\":", 5, &out, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "status: offset 5: unexpected end of input");
	ck_assert_int_eq(metrics_exposition("[1]", 3, &out, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "status: not an object");
	ck_assert_int_eq(out.len, 0);
	/* odd keys become names of letters, digits and '_' */
	ck_assert_int_eq(metrics_exposition("{\"a-b\":{\"c d\":1}}", 17, &out, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "\nnvd_a_b_c_d_total 1\n"));
	buf_free(&out);
}
END_TEST

/* --- the endpoint ----------------------------------------------------- */

static char sock_path[108];
static struct metrics *m;

static void
endpoint_setup(void)
{
	snprintf(sock_path, sizeof(sock_path), "/tmp/check_metrics.%d.sock", (int)getpid());
	m = metrics_start(sock_path);
	ck_assert_ptr_nonnull(m);
}

static void
endpoint_teardown(void)
{
	metrics_stop(m);
	ck_assert_int_eq(access(sock_path, F_OK), -1);
}

static int
connect_to(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sun.sun_path, sock_path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* What the server sends until it closes. */
static char *
read_all(int fd)
{
	static char text[65536];
	size_t n = 0;
	ssize_t k;

	while (n < sizeof(text) - 1 && (k = read(fd, text + n, sizeof(text) - 1 - n)) > 0)
		n += (size_t)k;
	text[n] = '\0';
	close(fd);
	return text;
}

/* The main loop's part: answers the ask with status_json. */
static void *
main_loop(void *arg)
{
	struct pollfd pfd = { .fd = metrics_ask_fd(m), .events = POLLIN };

	(void)arg;
	if (poll(&pfd, 1, 5000) == 1)
		metrics_publish(m, status_json, strlen(status_json));
	return NULL;
}

START_TEST(test_scrape)
{
	pthread_t t;
	int fd = connect_to();
	char *reply;

	ck_assert_int_eq(pthread_create(&t, NULL, main_loop, NULL), 0);
	ck_assert_int_eq(write(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 35), 35);
	reply = read_all(fd);
	pthread_join(t, NULL);
	ck_assert_ptr_nonnull(strstr(reply, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	ck_assert_str_eq(strstr(reply, "\r\n\r\n") + 4, status_text);
}
END_TEST

START_TEST(test_errors)
{
	char *reply;
	int fd;

	fd = connect_to();
	ck_assert_int_eq(write(fd, "GET / HTTP/1.1\r\n\r\n", 18), 18);
	reply = read_all(fd);
	ck_assert_str_eq(reply, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\nContent-Length: 25\r\nConnection: close\r\n\r\n"
	    "nvd serves /metrics only\n");
	fd = connect_to();
	ck_assert_int_eq(write(fd, "\x16\x03\x01\x02\x00\x01\r\n\r\n", 10), 10);
	ck_assert_ptr_nonnull(strstr(read_all(fd), "HTTP/1.1 400 Bad Request\r\n"));
	fd = connect_to();
	ck_assert_int_eq(write(fd, "DELETE /metrics HTTP/1.1\r\n\r\n", 28), 28);
	ck_assert_ptr_nonnull(strstr(read_all(fd), "HTTP/1.1 405 Method Not Allowed\r\n"));
}
END_TEST

/* Nobody publishes: the scraper is told 503 within METRICS_STATUS_MS. */
START_TEST(test_main_loop_silent)
{
	int fd = connect_to();

	ck_assert_int_eq(write(fd, "HEAD /metrics HTTP/1.1\r\n\r\n", 26), 26);
	ck_assert_str_eq(read_all(fd), "HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
	    "text/plain; charset=utf-8\r\nContent-Length: 39\r\nConnection: close\r\n\r\n");
}
END_TEST

/* METRICS_MAX_CLIENTS that send nothing hold every slot: the next is told
 * 503 at once; a slot frees at the deadline. */
START_TEST(test_bound)
{
	int fd[METRICS_MAX_CLIENTS], late;

	for (int i = 0; i < METRICS_MAX_CLIENTS; i++) {
		fd[i] = connect_to();
		ck_assert_int_eq(write(fd[i], "GET", 3), 3);
	}
	late = connect_to();
	ck_assert_ptr_nonnull(strstr(read_all(late), "HTTP/1.1 503 Service Unavailable\r\n"));
	/* the stalled ones are closed at their deadline, unanswered */
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		ck_assert_str_eq(read_all(fd[i]), "");
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc;

	tc = tcase_create("text");
	tcase_add_test(tc, test_request);
	tcase_add_test(tc, test_request_too_big);
	tcase_add_test(tc, test_exposition);
	tcase_add_test(tc, test_exposition_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("endpoint");
	tcase_add_checked_fixture(tc, endpoint_setup, endpoint_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_scrape);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_main_loop_silent);
	tcase_add_test(tc, test_bound);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(metrics_suite());
	int failed;

	log_set_level(LOG_LVL_ERROR);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
