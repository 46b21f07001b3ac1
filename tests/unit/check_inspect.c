/*
 * check_inspect.c: DLP and WAF sensors in the packet path, through
 * worker_packet(): a card number in a request body split across two TCP
 * segments is caught (deny in protect: dropped, both ends reset; an alert
 * that says it would have been denied in monitor), a SQL injection in a
 * percent-encoded url, a clean request passes, the masked excerpt, and a
 * flow with sensors is not bypassed once identified; the whole stream: a
 * card split across two segments 2 MiB into a body (stream_depth 1 MiB)
 * is caught with every packet before it queued, and a card that ends a
 * request is caught in the packet that carries it.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_policy.h"
#include "packet/judge.h"
#include "pkt.h"
#include "policy/policy.h"
#include "sensor/sensor.h"
#include "packet/worker.h"

#define CLIENT	"198.19.0.20"
#define WEB	"198.19.0.10"

static struct sensor_rule_spec dlp_rules[1], waf_rules[1];
static struct sensor_spec sensors[2];
static struct policy_assign assigns[2];

static void
setup_mode(enum policy_mode web_mode)
{
	fx_begin();
	fx_group("nv.client", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_group("nv.web", GROUP_LEARNED, web_mode, NULL);
	fx_workload("client", CLIENT);
	fx_workload("web", WEB);
	fx_rule("nv.client", "nv.web", "any", "tcp/80", RULE_ALLOW, RULE_USER);

	memset(dlp_rules, 0, sizeof(dlp_rules));
	strcpy(dlp_rules[0].name, "visa");
	strcpy(dlp_rules[0].pat[0].re, "\\b4[0-9]{3}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}\\b");
	dlp_rules[0].pat[0].ctx = SCTX_BODY;
	dlp_rules[0].npat = 1;
	dlp_rules[0].validator = SVAL_LUHN;
	memset(waf_rules, 0, sizeof(waf_rules));
	strcpy(waf_rules[0].name, "union-select");
	strcpy(waf_rules[0].pat[0].re, "(?i)union\\s+(?:all\\s+)?select");
	waf_rules[0].pat[0].ctx = SCTX_URL;
	waf_rules[0].npat = 1;
	memset(sensors, 0, sizeof(sensors));
	strcpy(sensors[0].name, "sensor.creditcard");
	sensors[0].type = SENSOR_DLP;
	sensors[0].rules = dlp_rules;
	sensors[0].nrules = 1;
	strcpy(sensors[1].name, "sensor.sqlinjection");
	sensors[1].type = SENSOR_WAF;
	sensors[1].rules = waf_rules;
	sensors[1].nrules = 1;
	memset(assigns, 0, sizeof(assigns));
	strcpy(assigns[0].group, "nv.web");
	strcpy(assigns[0].sensor, "sensor.creditcard");
	assigns[0].deny = 1;
	strcpy(assigns[1].group, "nv.web");
	strcpy(assigns[1].sensor, "sensor.sqlinjection");
	assigns[1].deny = 1;
	fx.sensors = sensors;
	fx.nsensors = 2;
	fx.assigns = assigns;
	fx.nassigns = 2;
	fx_start(1000);
}

static void
setup(void)
{
	setup_mode(MODE_PROTECT);
}

static void
setup_monitor(void)
{
	setup_mode(MODE_MONITOR);
}

static void
teardown(void)
{
	fx_end();
}

static void
open_conn(struct fx_conn *k, uint16_t cport)
{
	fx_conn_open(k, CLIENT, cport, WEB, 80);
}

static enum verdict
send_str(struct fx_conn *k, int from_server, const char *s)
{
	return fx_conn_send(k, from_server, TCP_ACK | TCP_PSH, s, strlen(s));
}

static const char post_head[] = "POST /pay HTTP/1.1\r\nHost: web\r\n"
    "Content-Type: text/plain\r\nContent-Length: 40\r\n\r\n";

/* 4111 1111 1111 1111 passes Luhn; split after "4111 11". */
START_TEST(test_card_split_across_segments_denied)
{
	struct fx_conn k;
	struct record r[4];

	open_conn(&k, 42000);
	ck_assert_int_eq(send_str(&k, 0, post_head), VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(&k, 0, "card=4111 11"), VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(&k, 0, "11 1111 1111&name=alice&x=12345"), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.judge.rst.failed + fx.w.judge.rst.sent, 2);	/* both ends */
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_int_eq(r[0].u.ev.type, EV_DLP);
	ck_assert_int_eq(r[0].u.ev.action, EV_DENY);
	ck_assert_str_eq(r[0].u.ev.sensor, "sensor.creditcard");
	ck_assert_str_eq(r[0].u.ev.name, "visa");
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "1111"));
	ck_assert_ptr_null(strstr(r[0].u.ev.message, "4111"));	/* masked */
	ck_assert_uint_eq(fx.w.judge.st.sensor_denied, 1);
	/* The rest of it is dropped. */
	ck_assert_int_eq(send_str(&k, 0, "more"), VERDICT_DROP);
}
END_TEST

/* Digits that fail the Luhn check are no card. */
START_TEST(test_luhn_invalid_passes)
{
	struct fx_conn k;
	struct record r[4];

	open_conn(&k, 42001);
	ck_assert_int_eq(send_str(&k, 0, post_head), VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(&k, 0, "card=4111 1111 1111 1112&name=alice&x=12345"),
	    VERDICT_ACCEPT);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 0);
}
END_TEST

START_TEST(test_sqli_in_encoded_url)
{
	struct fx_conn k;
	struct record r[4];

	open_conn(&k, 42002);
	ck_assert_int_eq(send_str(&k, 0, "GET /items?id=1%20UNION%20SELECT%20password HTTP/1.1\r\n"
	    "Host: web\r\n\r\n"), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_int_eq(r[0].u.ev.type, EV_WAF);
	ck_assert_str_eq(r[0].u.ev.name, "union-select");
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "url"));
}
END_TEST

/* A clean request passes and stays queued (sensors want its bytes). */
START_TEST(test_clean_request_not_bypassed)
{
	struct fx_conn k;
	struct record r[4];

	open_conn(&k, 42003);
	ck_assert_int_eq(send_str(&k, 0, "GET /items?id=7 HTTP/1.1\r\nHost: web\r\n\r\n"),
	    VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(&k, 1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
	    VERDICT_ACCEPT);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 0);
	ck_assert_uint_eq(fx.w.st.inspect.messages, 2);
}
END_TEST

/* A card in a response body (DLP looks both ways). */
START_TEST(test_card_in_response)
{
	struct fx_conn k;
	struct record r[4];

	open_conn(&k, 42004);
	ck_assert_int_eq(send_str(&k, 0, "GET /me HTTP/1.1\r\nHost: web\r\n\r\n"), VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(&k, 1, "HTTP/1.1 200 OK\r\nContent-Length: 25\r\n\r\n"
	    "card: 4012-8888-8888-1881"), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "response"));
}
END_TEST

/*
 * Past stream_depth (1 MiB here): the flow stays queued, every byte is
 * matched, and a card split across two segments 2 MiB in is caught.
 */
START_TEST(test_card_past_depth)
{
	static char seg[1400];
	struct fx_conn k;
	struct record r[4];
	char head[160];
	size_t sent = 0, total = ((2u << 20) + sizeof(seg) - 1) / sizeof(seg) * sizeof(seg) +
	    2 * sizeof(seg);

	memset(seg, 'x', sizeof(seg));
	open_conn(&k, 42006);
	snprintf(head, sizeof(head), "POST /up HTTP/1.1\r\nHost: web\r\nContent-Length: %zu\r\n\r\n",
	    total);
	ck_assert_int_eq(send_str(&k, 0, head), VERDICT_ACCEPT);
	for (int i = 0; sent < 2u << 20; sent += sizeof(seg), i++) {
		ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, seg, sizeof(seg)),
		    VERDICT_ACCEPT);
		if (i % 16 == 15)	/* the server acknowledges: the window moves */
			ck_assert_int_eq(fx_conn_send(&k, 1, TCP_ACK, NULL, 0), VERDICT_ACCEPT);
	}
	ck_assert_int_eq(fx_conn_send(&k, 1, TCP_ACK, NULL, 0), VERDICT_ACCEPT);
	memcpy(seg + sizeof(seg) - 8, " 4111 11", 8);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, seg, sizeof(seg)), VERDICT_ACCEPT);
	memset(seg, 'x', sizeof(seg));
	memcpy(seg, "11 1111 1111 ", 13);
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, seg, sizeof(seg)), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_str_eq(r[0].u.ev.name, "visa");
	ck_assert_uint_ge(fx.w.st.inspect.bytes, 2u << 20);
	ck_assert_uint_eq(fx.w.st.bypassed_flows, 0);
}
END_TEST

/* A card that ends a request: caught in its packet, not when more bytes come. */
START_TEST(test_card_ends_request)
{
	struct fx_conn k;
	struct record r[4];

	open_conn(&k, 42007);
	ck_assert_int_eq(send_str(&k, 0, "POST /pay HTTP/1.1\r\nHost: web\r\n"
	    "Content-Length: 24\r\n\r\n"), VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(&k, 0, "card=4111 1111 1111 1111"), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
}
END_TEST

/* Monitor: never blocks; the alert says it would have been denied. */
START_TEST(test_monitor_alerts)
{
	struct fx_conn k;
	struct record r[4];

	open_conn(&k, 42005);
	ck_assert_int_eq(send_str(&k, 0, post_head), VERDICT_ACCEPT);
	ck_assert_int_eq(send_str(&k, 0, "card=4111 1111 1111 1111&name=alice&x=12345"),
	    VERDICT_ACCEPT);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 4), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
	ck_assert_ptr_nonnull(strstr(r[0].u.ev.message, "would have been denied"));
}
END_TEST

static Suite *
inspect_suite(void)
{
	Suite *s = suite_create("inspect");
	TCase *tc = tcase_create("protect");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_card_split_across_segments_denied);
	tcase_add_test(tc, test_luhn_invalid_passes);
	tcase_add_test(tc, test_sqli_in_encoded_url);
	tcase_add_test(tc, test_clean_request_not_bypassed);
	tcase_add_test(tc, test_card_in_response);
	tcase_add_test(tc, test_card_past_depth);
	tcase_add_test(tc, test_card_ends_request);
	suite_add_tcase(s, tc);
	tc = tcase_create("monitor");
	tcase_add_checked_fixture(tc, setup_monitor, teardown);
	tcase_add_test(tc, test_monitor_alerts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(inspect_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
