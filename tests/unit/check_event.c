/*
 * check_event.c: event names, the SPSC ring (wrap, full, drops, wake-up),
 * addresses, RFC 3339 times and the --since parser.
 */
#include "config.h"

#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/event.h"

START_TEST(test_names)
{
	static const char *const types[] = { "violation", "threat", "dlp", "waf", "incident",
		"quarantine" };
	enum event_type t;

	for (int i = 0; i < 6; i++) {
		ck_assert_str_eq(event_type_name((enum event_type)i), types[i]);
		ck_assert_int_eq(event_type_parse(types[i], &t), 0);
		ck_assert_int_eq(t, i);
	}
	ck_assert_str_eq(event_type_name((enum event_type)99), "unknown");
	ck_assert_int_eq(event_type_parse("Violation", &t), -1);
	ck_assert_int_eq(event_type_parse("", &t), -1);
	ck_assert_int_eq(event_type_parse("violations", &t), -1);
	ck_assert_str_eq(event_level_name(EV_INFO), "info");
	ck_assert_str_eq(event_level_name(EV_WARNING), "warning");
	ck_assert_str_eq(event_level_name(EV_CRITICAL), "critical");
	ck_assert_str_eq(event_action_name(EV_ALLOW), "allow");
	ck_assert_str_eq(event_action_name(EV_ALERT), "alert");
	ck_assert_str_eq(event_action_name(EV_DENY), "deny");
	ck_assert_str_eq(event_action_name(EV_QUARANTINE_ACTION), "quarantine");
}
END_TEST

/* Pushes a record of type (tagged with seq in hit.count); returns 0 or
 * -1 when full. */
static int
push_type(struct event_ring *r, enum record_type type, uint64_t seq)
{
	struct record *rec = event_ring_reserve(r, type);

	if (rec == NULL)
		return -1;
	rec->type = (uint8_t)type;
	rec->u.hit.count = seq;
	event_ring_commit(r);
	return 0;
}

static int
push(struct event_ring *r, uint64_t seq)
{
	return push_type(r, REC_EVENT, seq);
}

/* Learning, hits and conversations leave room for the events: a flood of
 * new flows cannot crowd out what says what happened. */
START_TEST(test_ring_room_for_events)
{
	struct event_ring r;
	uint64_t i;

	ck_assert_int_eq(event_ring_init(&r, -1), 0);
	for (i = 0; push_type(&r, REC_CONV, i) == 0; i++)
		;
	ck_assert_uint_eq(i, EVENT_RING_SIZE - EVENT_RING_FOR_EVENTS);
	ck_assert_int_eq(push_type(&r, REC_HIT, 0), -1);
	ck_assert_int_eq(push_type(&r, REC_LEARN, 0), -1);
	for (i = 0; i < EVENT_RING_FOR_EVENTS; i++)
		ck_assert_int_eq(push(&r, i), 0);
	ck_assert_int_eq(push(&r, 0), -1);
	/* the conversation that found it full, the hit, the learning, the event */
	ck_assert_uint_eq(r.dropped, 4);
	event_ring_destroy(&r);
}
END_TEST

START_TEST(test_ring_full_and_drops)
{
	struct event_ring r;
	static struct record out[EVENT_RING_SIZE];

	ck_assert_int_eq(event_ring_init(&r, -1), 0);
	ck_assert_uint_eq(event_ring_pop(&r, out, 10), 0);
	for (uint64_t i = 0; i < EVENT_RING_SIZE; i++)
		ck_assert_int_eq(push(&r, i), 0);
	ck_assert_int_eq(push(&r, 999999), -1);
	ck_assert_int_eq(push(&r, 999999), -1);
	ck_assert_uint_eq(r.dropped, 2);
	ck_assert_uint_eq(event_ring_pop(&r, out, 3), 3);
	ck_assert_uint_eq(out[0].u.hit.count, 0);
	ck_assert_uint_eq(out[2].u.hit.count, 2);
	for (uint64_t i = 0; i < 3; i++)
		ck_assert_int_eq(push(&r, EVENT_RING_SIZE + i), 0);
	ck_assert_int_eq(push(&r, 999999), -1);
	ck_assert_uint_eq(r.dropped, 3);
	ck_assert_uint_eq(event_ring_pop(&r, out, EVENT_RING_SIZE), EVENT_RING_SIZE);
	for (uint64_t i = 0; i < EVENT_RING_SIZE; i++)
		ck_assert_uint_eq(out[i].u.hit.count, i + 3);
	ck_assert_uint_eq(event_ring_pop(&r, out, EVENT_RING_SIZE), 0);
	event_ring_destroy(&r);
}
END_TEST

/* Records come out in order across the end of the slot array, many times. */
START_TEST(test_ring_wrap)
{
	struct event_ring r;
	static struct record out[EVENT_RING_SIZE];
	uint64_t next_in = 0, next_out = 0;

	ck_assert_int_eq(event_ring_init(&r, -1), 0);
	for (int round = 0; round < 50; round++) {
		unsigned burst = 1000 + (unsigned)round * 97 % 3000, got;

		for (unsigned i = 0; i < burst; i++)
			ck_assert_int_eq(push(&r, next_in++), 0);
		got = event_ring_pop(&r, out, 777 + (unsigned)round * 13);
		for (unsigned i = 0; i < got; i++)
			ck_assert_uint_eq(out[i].u.hit.count, next_out++);
		while ((got = event_ring_pop(&r, out, EVENT_RING_SIZE)) > 0)
			for (unsigned i = 0; i < got; i++)
				ck_assert_uint_eq(out[i].u.hit.count, next_out++);
	}
	ck_assert_uint_eq(next_out, next_in);
	ck_assert_uint_gt(r.head, 3 * EVENT_RING_SIZE);
	ck_assert_uint_eq(r.dropped, 0);
	event_ring_destroy(&r);
}
END_TEST

/* The writer is woken once, when the ring reaches half full. */
START_TEST(test_ring_wake_half_full)
{
	struct event_ring r;
	int fd = eventfd(0, EFD_NONBLOCK);
	uint64_t v;
	static struct record out[EVENT_RING_SIZE];

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(event_ring_init(&r, fd), 0);
	for (int i = 0; i < EVENT_RING_SIZE / 2 - 1; i++)
		ck_assert_int_eq(push(&r, (uint64_t)i), 0);
	ck_assert_int_eq(read(fd, &v, sizeof(v)), -1);
	ck_assert_int_eq(push(&r, 0), 0);
	ck_assert_int_eq(read(fd, &v, sizeof(v)), sizeof(v));
	ck_assert_uint_eq(v, 1);
	while (push(&r, 0) == 0)
		;
	ck_assert_int_eq(read(fd, &v, sizeof(v)), -1);
	/* drained below half, it wakes again when it gets there */
	ck_assert_uint_eq(event_ring_pop(&r, out, EVENT_RING_SIZE / 2 + 1), EVENT_RING_SIZE / 2 + 1);
	ck_assert_int_eq(push(&r, 0), 0);
	ck_assert_int_eq(read(fd, &v, sizeof(v)), sizeof(v));
	event_ring_destroy(&r);
	close(fd);
}
END_TEST

START_TEST(test_set_addrs)
{
	struct event_rec ev;
	uint8_t a6[16] = { 0xfd, 0, [15] = 1 }, b6[16] = { 0xfd, 0, [15] = 2 };
	uint8_t a4[4] = { 198, 18, 0, 1 }, b4[4] = { 198, 18, 0, 2 };
	uint8_t zero[16] = { 0 };

	memset(&ev, 0xaa, sizeof(ev));
	event_set_addrs(&ev, AF_INET, a4, 40000, b4, 80, IPPROTO_TCP);
	ck_assert_int_eq(ev.family, AF_INET);
	ck_assert_mem_eq(ev.src, a4, 4);
	ck_assert_mem_eq(ev.dst, b4, 4);
	ck_assert_mem_eq(ev.src + 4, zero, 12);
	ck_assert_uint_eq(ev.src_port, 40000);
	ck_assert_uint_eq(ev.dst_port, 80);
	ck_assert_uint_eq(ev.proto, IPPROTO_TCP);
	event_set_addrs(&ev, AF_INET6, a6, 1, b6, 2, IPPROTO_UDP);
	ck_assert_int_eq(ev.family, AF_INET6);
	ck_assert_mem_eq(ev.src, a6, 16);
	ck_assert_mem_eq(ev.dst, b6, 16);
	event_set_addrs(&ev, 0, a6, 0, b6, 0, 0);
	ck_assert_int_eq(ev.family, 0);
	ck_assert_mem_eq(ev.src, zero, 16);
	ck_assert_mem_eq(ev.dst, zero, 16);
}
END_TEST

START_TEST(test_time_format)
{
	char t[EVENT_TIME_LEN];

	event_time_format(0, t, sizeof(t));
	ck_assert_str_eq(t, "1970-01-01T00:00:00.000Z");
	event_time_format(1795886404123LL, t, sizeof(t));
	ck_assert_str_eq(t, "2026-11-28T17:20:04.123Z");
	ck_assert_uint_eq(strlen(t), EVENT_TIME_LEN - 1);
	event_time_format(951782400007LL, t, sizeof(t));
	ck_assert_str_eq(t, "2000-02-29T00:00:00.007Z");
	event_time_format(-1, t, sizeof(t));
	ck_assert_str_eq(t, "1969-12-31T23:59:59.999Z");
}
END_TEST

START_TEST(test_since_ok)
{
	static const struct {
		const char *in;
		int64_t ms;
	} cases[] = {
		{ "2026-11-28T17:20:04Z", 1795886404000LL },
		{ "2026-11-28T17:20:04.123Z", 1795886404123LL },
		{ "2026-11-28t17:20:04.1234567z", 1795886404123LL },
		{ "2026-11-28 17:20:04.5Z", 1795886404500LL },
		{ "2026-11-28T18:20:04+01:00", 1795886404000LL },
		{ "2026-11-28T12:50:04.123-04:30", 1795886404123LL },
		{ "2000-02-29T00:00:00Z", 951782400000LL },
		{ "1970-01-01T00:00:00Z", 0 },
	};
	int64_t ms;
	char err[256] = "";

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(event_since_parse(cases[i].in, 0, &ms, err, sizeof(err)) == 0,
		    "%s: %s", cases[i].in, err);
		ck_assert_int_eq(ms, cases[i].ms);
	}
	ck_assert_int_eq(event_since_parse("90s", 1000000000, &ms, err, sizeof(err)), 0);
	ck_assert_int_eq(ms, 1000000000 - 90000);
	ck_assert_int_eq(event_since_parse("10m", 1000000000, &ms, err, sizeof(err)), 0);
	ck_assert_int_eq(ms, 1000000000 - 600000);
	ck_assert_int_eq(event_since_parse("2h", 1000000000, &ms, err, sizeof(err)), 0);
	ck_assert_int_eq(ms, 1000000000 - 7200000);
	ck_assert_int_eq(event_since_parse("1d", 1000000000, &ms, err, sizeof(err)), 0);
	ck_assert_int_eq(ms, 1000000000 - 86400000);
	ck_assert_int_eq(event_since_parse("0s", 5, &ms, err, sizeof(err)), 0);
	ck_assert_int_eq(ms, 5);
}
END_TEST

START_TEST(test_since_bad)
{
	static const char *const bad[] = {
		"", "yesterday", "10", "10x", "1d2h", "s", "-5m", "90 s",
		"99999999999d",
		"2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
		"2026-11-28T24:00:00Z", "2026-11-28T17:60:00Z", "2026-11-28T17:00:61Z",
		"2026-11-28T17:00:00", "2026-11-28", "2026-11-28T17:00Z",
		"2026-11-28T17:00:00.Z", "2026-11-28T17:00:00+0100", "2026-11-28T17:00:00+01:00x",
		"2026-11-28T17:00:00Zjunk", "26-11-28T17:00:00Z",
	};
	char err[256], want[256];
	int64_t ms = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(event_since_parse(bad[i], 0, &ms, err, sizeof(err)) == -1, "%s", bad[i]);
		snprintf(want, sizeof(want), "bad time '%s' (expected an RFC 3339 time such as "
		    "2026-11-28T17:00:00Z, or an age such as 90s, 10m, 2h or 1d)", bad[i]);
		ck_assert_str_eq(err, want);
	}
	ck_assert_int_eq(ms, 42);
}
END_TEST

static Suite *
event_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc;

	tc = tcase_create("names");
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_set_addrs);
	suite_add_tcase(s, tc);

	tc = tcase_create("ring");
	tcase_add_test(tc, test_ring_full_and_drops);
	tcase_add_test(tc, test_ring_room_for_events);
	tcase_add_test(tc, test_ring_wrap);
	tcase_add_test(tc, test_ring_wake_half_full);
	suite_add_tcase(s, tc);

	tc = tcase_create("time");
	tcase_add_test(tc, test_time_format);
	tcase_add_test(tc, test_since_ok);
	tcase_add_test(tc, test_since_bad);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(event_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
