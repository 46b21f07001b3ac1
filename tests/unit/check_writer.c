/*
 * check_writer.c: the writer thread and what it writes: event rows,
 * learned rules (aggregation, ephemeral folding, a deleted group), rule
 * hits, drop counting and logging, and bursts with the thread running;
 * and nvctl events reading what it wrote.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/buf.h"
#include "daemon/control.h"
#include "base/control_proto.h"
#include "daemon/daemon.h"
#include "store/db.h"
#include "runtime/event.h"
#include "fixture_cli.h"
#include "fixture_db.h"
#include "base/log.h"
#include "runtime/writer.h"
#include "store/store_admission.h"

static char err[512];
static sqlite3 *db;		/* the test's own connection, as the main thread's */
static struct writer w;
static struct event_ring ring;
static int learned_calls;

static void
on_learned(void *ctx)
{
	(*(int *)ctx)++;
}

static void
add_group(const char *name)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO groups (name, kind, mode, created, updated) "
	    "VALUES ('%s', 'learned', 'discover', 0, 0)", name);
	fxdb_exec(db, sql);
}

static void
setup(void)
{
	fxdb_setup();
	db = fxdb_open();
	add_group("nv.client");
	add_group("nv.web");
	add_group("nv.db");
	ck_assert_msg(writer_init(&w, fxdb_path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(event_ring_init(&ring, -1), 0);
	writer_add_ring(&w, &ring);
	ck_assert_int_eq(ring.wake_fd, w.wake_fd);
	learned_calls = 0;
	w.on_learned = on_learned;
	w.ctx = &learned_calls;
}

static void
teardown(void)
{
	writer_stop(&w);
	event_ring_destroy(&ring);
	fxdb_teardown(&db);
}

/* Event seq at ms (push_event: 2026-11-28T17:20:04.123Z). */
static void
push_event_at(struct event_ring *r, uint64_t seq, int64_t ms)
{
	struct record *rec = event_ring_reserve(r, REC_EVENT);

	ck_assert_ptr_nonnull(rec);
	memset(rec, 0, sizeof(*rec));
	rec->type = REC_EVENT;
	rec->u.ev.time_ms = ms;
	rec->u.ev.type = EV_VIOLATION;
	rec->u.ev.level = EV_WARNING;
	rec->u.ev.action = EV_DENY;
	rec->u.ev.rule_id = (int64_t)seq + 1;
	snprintf(rec->u.ev.src_group, sizeof(rec->u.ev.src_group), "nv.client");
	event_ring_commit(r);
}

static void
push_event(struct event_ring *r, uint64_t seq)
{
	push_event_at(r, seq, 1795886404123LL);
}

static int
push_learn(struct event_ring *r, const char *from, const char *to, uint8_t proto,
    uint16_t port, int64_t ms)
{
	struct record *rec = event_ring_reserve(r, REC_LEARN);

	if (rec == NULL)
		return -1;
	memset(rec, 0, sizeof(*rec));
	rec->type = REC_LEARN;
	rec->u.learn.time_ms = ms;
	snprintf(rec->u.learn.from, sizeof(rec->u.learn.from), "%s", from);
	snprintf(rec->u.learn.to, sizeof(rec->u.learn.to), "%s", to);
	rec->u.learn.proto = proto;
	rec->u.learn.port = port;
	event_ring_commit(r);
	return 0;
}

static void
push_hit(struct event_ring *r, int64_t rule_id, uint64_t count, int64_t ms)
{
	struct record *rec = event_ring_reserve(r, REC_HIT);

	ck_assert_ptr_nonnull(rec);
	rec->type = REC_HIT;
	rec->u.hit.rule_id = rule_id;
	rec->u.hit.count = count;
	rec->u.hit.time_ms = ms;
	event_ring_commit(r);
}

static struct writer_stats
stats(void)
{
	struct writer_stats s;

	writer_snapshot(&w, &s);
	return s;
}

/* --- standard error, captured ----------------------------------------- */

static int saved_stderr = -1;
static char stderr_path[300];

static void
capture_start(void)
{
	int fd;

	snprintf(stderr_path, sizeof(stderr_path), "%s/stderr", fxdb_dir);
	fd = open(stderr_path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

/* What was written to standard error since capture_start(). */
static const char *
capture_end(void)
{
	static char text[1 << 18];
	FILE *f;
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	f = fopen(stderr_path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* --- events ---------------------------------------------------------- */

/* A DLP alert with its evidence; count: the alike events it stands for. */
static void
push_dlp(uint32_t count)
{
	struct record *rec = event_ring_reserve(&ring, REC_EVENT);
	struct event_rec *ev = &rec->u.ev;
	uint8_t a[4] = { 198, 18, 0, 1 }, b[4] = { 198, 18, 0, 2 };

	memset(rec, 0, sizeof(*rec));
	rec->type = REC_EVENT;
	ev->time_ms = 1795886404123LL;
	ev->type = EV_DLP;
	ev->level = EV_CRITICAL;
	ev->action = EV_ALERT;
	event_set_addrs(ev, AF_INET, a, 40000, b, 8080, IPPROTO_TCP);
	ev->rule_id = 7;
	strcpy(ev->name, "card numbers");
	strcpy(ev->src_workload, "client-1");
	strcpy(ev->src_group, "nv.client");
	strcpy(ev->dst_workload, "web-1");
	strcpy(ev->dst_group, "nv.web");
	strcpy(ev->fqdn, "web.example");
	strcpy(ev->app, "http");
	strcpy(ev->sensor, "dlp1");
	strcpy(ev->message, "it's a \"message\"");
	strcpy(ev->excerpt, "****-****-****-1234");
	strcpy(ev->pcap, "nvd-1795886404123-q0-1.pcap");
	ev->count = count;
	event_ring_commit(&ring);
}

START_TEST(test_event_row)
{
	const char *sql = "SELECT time || '|' || type || '|' || name || '|' || level || '|' || "
	    "action || '|' || proto || '|' || src_ip || '|' || src_port || '|' || src_workload || '|' || "
	    "src_group || '|' || dst_ip || '|' || dst_port || '|' || dst_workload || '|' || "
	    "dst_group || '|' || fqdn || '|' || app || '|' || rule_id || '|' || sensor || '|' || "
	    "message || '|' || count || '|' || excerpt || '|' || pcap FROM events";

	push_dlp(0);
	writer_drain(&w);
	ck_assert_str_eq(fxdb_text(db, sql), "2026-11-28T17:20:04.123Z|dlp|card numbers|critical|"
	    "alert|tcp|198.18.0.1|40000|client-1|nv.client|198.18.0.2|8080|web-1|nv.web|"
	    "web.example|http|7|dlp1|it's a \"message\"|1|****-****-****-1234|"
	    "nvd-1795886404123-q0-1.pcap");
	ck_assert_uint_eq(stats().events_written, 1);
	ck_assert_uint_eq(stats().db_errors, 0);
}
END_TEST

/* Empty strings, zero ports and rule id are NULL; ICMPv6 is "icmp". */
START_TEST(test_event_nulls)
{
	struct record *rec = event_ring_reserve(&ring, REC_EVENT);
	uint8_t a[16] = { 0xfd, [15] = 1 }, b[16] = { 0xfd, [15] = 2 };

	memset(rec, 0, sizeof(*rec));
	rec->type = REC_EVENT;
	rec->u.ev.time_ms = 1000;
	rec->u.ev.action = EV_DENY;
	event_set_addrs(&rec->u.ev, AF_INET6, a, 0, b, 0, IPPROTO_ICMPV6);
	event_ring_commit(&ring);
	rec = event_ring_reserve(&ring, REC_EVENT);
	memset(rec, 0, sizeof(*rec));
	rec->type = REC_EVENT;
	rec->u.ev.proto = 47;		/* proto/47 */
	event_ring_commit(&ring);
	writer_drain(&w);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events"), 2);
	ck_assert_str_eq(fxdb_text(db, "SELECT time FROM events WHERE id = 1"),
	    "1970-01-01T00:00:01.000Z");
	ck_assert_str_eq(fxdb_text(db, "SELECT proto FROM events WHERE id = 1"), "icmp");
	ck_assert_str_eq(fxdb_text(db, "SELECT src_ip FROM events WHERE id = 1"), "fd00::1");
	ck_assert_str_eq(fxdb_text(db, "SELECT dst_ip FROM events WHERE id = 1"), "fd00::2");
	ck_assert_str_eq(fxdb_text(db, "SELECT type || level || action FROM events WHERE id = 1"),
	    "violationinfodeny");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE id = 1 AND "
	    "src_port IS NULL AND dst_port IS NULL AND rule_id IS NULL AND name IS NULL AND "
	    "src_workload IS NULL AND src_group IS NULL AND dst_workload IS NULL AND "
	    "dst_group IS NULL AND fqdn IS NULL AND app IS NULL AND sensor IS NULL AND "
	    "message IS NULL"), 1);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE id = 2 AND "
	    "proto = 'proto/47' AND src_ip IS NULL AND dst_ip IS NULL"), 1);
}
END_TEST

/* A record's text fields need no NUL: the field's size bounds them. */
START_TEST(test_event_unterminated)
{
	struct record *rec = event_ring_reserve(&ring, REC_EVENT);

	memset(rec, 0, sizeof(*rec));
	rec->type = REC_EVENT;
	memset(rec->u.ev.message, 'x', sizeof(rec->u.ev.message));
	memset(rec->u.ev.sensor, 'y', sizeof(rec->u.ev.sensor));
	event_ring_commit(&ring);
	writer_drain(&w);
	ck_assert_int_eq(fxdb_int(db, "SELECT length(message) FROM events"),
	    (int)sizeof(rec->u.ev.message));
	ck_assert_int_eq(fxdb_int(db, "SELECT length(sensor) FROM events"),
	    (int)sizeof(rec->u.ev.sensor));
}
END_TEST

/* --- bursts with the thread ------------------------------------------ */

struct producer {
	struct event_ring *ring;
	uint64_t n;
	int paced;		/* wait for room rather than drop */
	uint64_t pushed;	/* accepted by the ring */
};

static void *
produce(void *arg)
{
	struct producer *p = arg;

	for (uint64_t i = 0; i < p->n; i++) {
		struct record *rec;

		/* paced: a producer no faster than SQLite waits for room */
		while (p->paced && __atomic_load_n(&p->ring->head, __ATOMIC_RELAXED) -
		    __atomic_load_n(&p->ring->tail, __ATOMIC_ACQUIRE) >= EVENT_RING_SIZE)
			sched_yield();
		if ((rec = event_ring_reserve(p->ring, REC_EVENT)) == NULL)
			continue;
		memset(&rec->u.ev, 0, sizeof(rec->u.ev));
		rec->type = REC_EVENT;
		rec->u.ev.time_ms = (int64_t)i;
		rec->u.ev.action = EV_DENY;
		rec->u.ev.proto = IPPROTO_TCP;
		rec->u.ev.dst_port = (uint16_t)(i % 65535 + 1);
		snprintf(rec->u.ev.message, sizeof(rec->u.ev.message), "event %llu",
		    (unsigned long long)i);
		event_ring_commit(p->ring);
		p->pushed++;
	}
	return NULL;
}

START_TEST(test_burst_100k_none_lost)
{
	struct producer p = { &ring, 100000, 1, 0 };
	pthread_t t;

	ck_assert_int_eq(writer_start(&w), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, produce, &p), 0);
	pthread_join(t, NULL);
	writer_stop(&w);
	ck_assert_uint_eq(p.pushed, 100000);
	ck_assert_uint_eq(ring.dropped, 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events"), 100000);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(DISTINCT message) FROM events"), 100000);
	ck_assert_uint_eq(stats().events_written, 100000);
	ck_assert_uint_eq(stats().events_dropped, 0);
	ck_assert_uint_eq(stats().db_errors, 0);
}
END_TEST

/* Two workers' rings into one writer. */
START_TEST(test_burst_two_rings)
{
	struct event_ring ring2;
	struct producer p1 = { &ring, 50000, 1, 0 }, p2 = { &ring2, 50000, 1, 0 };
	pthread_t t1, t2;

	ck_assert_int_eq(event_ring_init(&ring2, -1), 0);
	writer_add_ring(&w, &ring2);
	ck_assert_int_eq(writer_start(&w), 0);
	ck_assert_int_eq(pthread_create(&t1, NULL, produce, &p1), 0);
	ck_assert_int_eq(pthread_create(&t2, NULL, produce, &p2), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	writer_stop(&w);
	event_ring_destroy(&ring2);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events"), 100000);
	ck_assert_uint_eq(stats().events_written, 100000);
}
END_TEST

/* Faster than the writer: what is refused is counted, nothing else lost. */
START_TEST(test_flood_drops_counted)
{
	struct producer p = { &ring, 200000, 0, 0 };
	pthread_t t;
	long long rows;

	log_set_level(LOG_LVL_ERROR);	/* the drop's two log lines: test_drop_logged */
	ck_assert_int_eq(writer_start(&w), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, produce, &p), 0);
	pthread_join(t, NULL);
	writer_stop(&w);
	log_set_level(LOG_LVL_WARNING);
	rows = fxdb_int(db, "SELECT count(*) FROM events WHERE type = 'violation'");
	ck_assert_uint_eq(p.pushed + ring.dropped, 200000);
	ck_assert_int_eq(rows, (long long)p.pushed);
	ck_assert_uint_eq(stats().events_dropped, ring.dropped);
	/* Each drop is an event when it starts and when it ends. */
	rows = fxdb_int(db, "SELECT count(*) FROM events WHERE name = 'ring full'");
	ck_assert_int_eq(rows % 2, 0);
	ck_assert_int_eq(rows == 0, ring.dropped == 0);
	ck_assert_uint_eq(stats().events_written, p.pushed + (uint64_t)rows);
}
END_TEST

/* writer_stop() writes what the producer left in the ring. */
START_TEST(test_stop_drains)
{
	ck_assert_int_eq(writer_start(&w), 0);
	for (uint64_t i = 0; i < 3000; i++)
		push_event(&ring, i);
	writer_stop(&w);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events"), 3000);
}
END_TEST

/* A drop is logged when it starts and, with its count, when it ends. */
START_TEST(test_drop_logged)
{
	capture_start();
	for (int i = 0; i < EVENT_RING_SIZE; i++)
		push_event(&ring, (uint64_t)i);
	for (int i = 0; i < 5; i++)
		ck_assert_ptr_null(event_ring_reserve(&ring, REC_EVENT));
	writer_drain(&w);
	ck_assert_uint_eq(stats().events_dropped, 5);
	writer_drain(&w);		/* no new drop, but not quiet for long yet */
	writer_stop(&w);		/* the end of the drop, whatever its length */
	ck_assert_str_eq(capture_end(), "nvd: events: ring full, dropping records\n"
	    "nvd: events: 5 records dropped\n");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE type = 'violation'"),
	    EVENT_RING_SIZE);
	/* ... and written as events, an incident when it starts and when it ends. */
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE type = 'incident' AND "
	    "name = 'ring full' AND level = 'warning'"), 2);
	ck_assert_str_eq(fxdb_text(db, "SELECT message FROM events WHERE name = 'ring full' "
	    "ORDER BY id DESC LIMIT 1"), "overload over: 5 records were dropped (events, learned "
	    "connections, rule hits)");
}
END_TEST

/* --- a locked database, a full disk ------------------------------------ */

/* Drains until no batch waits any more, for 5 s at most. */
static void
drain_until_done(void)
{
	uint64_t at, end = clock_mono_ms() + 5000;

	writer_drain(&w);
	while (writer_waiting(&w, &at) && clock_mono_ms() < end) {
		usleep(5000);
		writer_drain(&w);
	}
}

static long long
rows(void)
{
	return fxdb_int(db, "SELECT count(*) FROM events");
}

/* An auditor's BEGIN EXCLUSIVE: the batch waits in memory, later records
 * in the ring, and all of them go in once it ends. */
START_TEST(test_locked_kept)
{
	uint64_t at;

	fxdb_exec(db, "BEGIN EXCLUSIVE");
	for (int i = 0; i < 40; i++)
		push_event(&ring, (uint64_t)i);
	writer_drain(&w);
	ck_assert(writer_waiting(&w, &at));
	ck_assert_uint_eq(stats().busy, 1);
	for (int i = 40; i < 50; i++)
		push_event(&ring, (uint64_t)i);
	usleep(WRITER_BACKOFF_MIN_MS * 1000);
	writer_drain(&w);		/* tried again: still locked, a longer wait */
	ck_assert_uint_eq(stats().busy, 2);
	fxdb_exec(db, "COMMIT");
	drain_until_done();
	ck_assert(!writer_waiting(&w, &at));
	ck_assert_int_eq(rows(), 50);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(DISTINCT rule_id) FROM events"), 50);
	ck_assert_uint_eq(stats().events_written, 50);
	ck_assert_uint_eq(stats().events_dropped, 0);
	ck_assert_uint_eq(stats().db_errors, 0);
}
END_TEST

/* What the rings cannot hold while the database is locked is counted,
 * and everything they held is written. */
START_TEST(test_locked_bound)
{
	uint64_t pushed = 0, refused = 0;

	fxdb_exec(db, "BEGIN IMMEDIATE");
	for (int i = 0; i < EVENT_RING_SIZE; i++)
		push_event(&ring, pushed++);
	writer_drain(&w);		/* a batch of WRITER_BATCH put off */
	for (;;) {
		struct record *rec = event_ring_reserve(&ring, REC_EVENT);

		if (rec == NULL && ++refused == 7)
			break;
		if (rec == NULL)
			continue;
		memset(rec, 0, sizeof(*rec));
		rec->type = REC_EVENT;
		rec->u.ev.rule_id = (int64_t)++pushed;
		event_ring_commit(&ring);
	}
	ck_assert_uint_eq(pushed, EVENT_RING_SIZE + WRITER_BATCH);
	fxdb_exec(db, "COMMIT");
	drain_until_done();
	writer_stop(&w);		/* the end of the drop */
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE type = 'violation'"),
	    (long long)pushed);
	ck_assert_uint_eq(stats().events_dropped, 7);
	/* The drop's two events waited for the lock too. */
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE name = 'ring full'"), 2);
	ck_assert_uint_eq(stats().events_written, pushed + 2);
}
END_TEST

static void *
unlock_later(void *arg)
{
	usleep(300000);
	fxdb_exec(arg, "COMMIT");
	return NULL;
}

/* writer_stop() waits for a lock that ends within WRITER_STOP_MS. */
START_TEST(test_stop_waits_for_lock)
{
	pthread_t t;

	fxdb_exec(db, "BEGIN IMMEDIATE");
	for (int i = 0; i < 100; i++)
		push_event(&ring, (uint64_t)i);
	ck_assert_int_eq(pthread_create(&t, NULL, unlock_later, db), 0);
	writer_stop(&w);
	pthread_join(t, NULL);
	ck_assert_int_eq(rows(), 100);
}
END_TEST

/* A full disk: the batch is lost and counted, logged when it begins and
 * when there is room again; the rest goes on. */
START_TEST(test_disk_full)
{
	push_event(&ring, 0);
	writer_drain(&w);
	ck_assert_int_eq(sqlite3_exec(w.db, "PRAGMA max_page_count = 1", NULL, NULL, NULL),
	    SQLITE_OK);
	log_set_level(LOG_LVL_INFO);	/* "room again" is news, not a warning */
	capture_start();
	for (int i = 1; i <= 2000; i++)
		push_event(&ring, (uint64_t)i);
	writer_drain(&w);
	for (int i = 1; i <= 2000; i++)
		push_event(&ring, (uint64_t)i);
	writer_drain(&w);
	ck_assert_uint_eq(stats().disk_full, 4000);
	ck_assert_uint_eq(stats().events_dropped, 4000);
	ck_assert_uint_eq(stats().db_errors, 0);
	ck_assert_int_eq(rows(), 1);
	ck_assert_int_eq(sqlite3_exec(w.db, "PRAGMA max_page_count = 1000000", NULL, NULL, NULL),
	    SQLITE_OK);
	push_event(&ring, 4001);
	writer_drain(&w);
	ck_assert_str_eq(capture_end(), "nvd: writer: database or disk is full; events are "
	    "dropped (counted) until there is room\n"
	    "nvd: writer: the database has room again (4000 records were dropped while the disk "
	    "was full)\n");
	ck_assert_int_eq(rows(), 2);
	ck_assert_str_eq(fxdb_text(db, "PRAGMA integrity_check"), "ok");
}
END_TEST

/* --- evidence and JSON lines ------------------------------------------ */

#define DLP_LINE(id, count)	"{\"id\":" id ",\"time\":\"2026-11-28T17:20:04.123Z\"," \
	"\"type\":\"dlp\",\"name\":\"card numbers\",\"level\":\"critical\"," \
	"\"action\":\"alert\",\"proto\":\"tcp\",\"src_ip\":\"198.18.0.1\",\"src_port\":40000," \
	"\"src_workload\":\"client-1\",\"src_group\":\"nv.client\",\"dst_ip\":\"198.18.0.2\"," \
	"\"dst_port\":8080,\"dst_workload\":\"web-1\",\"dst_group\":\"nv.web\"," \
	"\"fqdn\":\"web.example\",\"app\":\"http\",\"rule_id\":7,\"sensor\":\"dlp1\"," \
	"\"message\":\"it's a \\\"message\\\"\",\"reason\":null,\"count\":" count "," \
	"\"excerpt\":\"****-****-****-1234\",\"pcap\":\"nvd-1795886404123-q0-1.pcap\"}\n"

/* Each event one JSON line once its batch's fate is known: with its id
 * when stored, null when a full disk lost it. */
START_TEST(test_event_lines)
{
	struct retain_conf none = { 0 };

	writer_set_audit(&w, &none, EVLOG_STDERR);
	capture_start();
	push_dlp(0);
	push_dlp(7);
	writer_drain(&w);
	ck_assert_int_eq(sqlite3_exec(w.db, "PRAGMA max_page_count = 1", NULL, NULL, NULL),
	    SQLITE_OK);
	for (int i = 0; i < 300; i++)
		push_dlp(1);
	writer_drain(&w);
	writer_housekeeping(&w);
	{
		const char *text = capture_end();
		char *want = malloc(400 * 1000);

		strcpy(want, DLP_LINE("1", "1") DLP_LINE("2", "7"));
		strcat(want, "nvd: writer: database or disk is full; events are dropped (counted) "
		    "until there is room\n");
		for (int i = 0; i < 300; i++)
			strcat(want, DLP_LINE("null", "1"));
		ck_assert_str_eq(text, want);
		free(want);
	}
	ck_assert_uint_eq(stats().log_lines, 302);
	ck_assert_uint_eq(stats().log_dropped, 0);
	/* none: no line */
	writer_set_audit(&w, &none, EVLOG_NONE);
	capture_start();
	push_dlp(0);
	writer_drain(&w);
	ck_assert_str_eq(capture_end(), "");
}
END_TEST

/* --- learning -------------------------------------------------------- */

START_TEST(test_learn_aggregates)
{
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(push_learn(&ring, "nv.client", "nv.web", IPPROTO_TCP, 8080,
		    1795886404000LL + i * 1000), 0);
	writer_drain(&w);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM rules"), 1);
	ck_assert_str_eq(fxdb_text(db, "SELECT from_group || ' ' || to_group || ' ' || "
	    "ports || ' ' || apps || ' ' || action || ' ' || type || ' ' || hits || ' ' || "
	    "last_seen FROM rules"),
	    "nv.client nv.web tcp/8080 any allow learned 1000 1795887403");
	ck_assert_int_eq(fxdb_int(db, "SELECT created = updated AND created > 0 FROM rules"), 1);
	ck_assert_int_eq(learned_calls, 1);
	ck_assert_uint_eq(stats().learned, 1000);
	ck_assert_uint_eq(stats().rules_created, 1);

	/* again, older: hits grow, last_seen stays, no rebuild for hits alone */
	for (int i = 0; i < 500; i++)
		ck_assert_int_eq(push_learn(&ring, "nv.client", "nv.web", IPPROTO_TCP, 8080,
		    1000), 0);
	writer_drain(&w);
	ck_assert_str_eq(fxdb_text(db, "SELECT hits || ' ' || last_seen FROM rules"),
	    "1500 1795887403");
	ck_assert_int_eq(learned_calls, 1);
	ck_assert_uint_eq(stats().rules_created, 1);
}
END_TEST

/* More records than one batch holds: still one rule, one rebuild. */
START_TEST(test_learn_across_batches)
{
	for (int i = 0; i < WRITER_BATCH + 1000; i++)
		ck_assert_int_eq(push_learn(&ring, "nv.client", "nv.web", IPPROTO_UDP, 53,
		    1795886404000LL), 0);
	writer_drain(&w);
	ck_assert_str_eq(fxdb_text(db, "SELECT ports || ' ' || hits FROM rules"),
	    "udp/53 " "5096");
	ck_assert_int_eq(learned_calls, 1);
}
END_TEST

/* Different protocols, ports, pairs and ICMP are rules of their own. */
START_TEST(test_learn_distinct)
{
	push_learn(&ring, "nv.client", "nv.web", IPPROTO_TCP, 80, 1000);
	push_learn(&ring, "nv.client", "nv.web", IPPROTO_UDP, 80, 1000);
	push_learn(&ring, "nv.client", "nv.web", IPPROTO_TCP, 443, 1000);
	push_learn(&ring, "nv.web", "nv.db", IPPROTO_TCP, 5432, 1000);
	push_learn(&ring, "nv.client", "nv.web", IPPROTO_ICMP, 0, 1000);
	push_learn(&ring, "nv.client", "nv.web", IPPROTO_ICMP, 0, 2000);
	push_learn(&ring, "nv.client", "nv.web", IPPROTO_TCP, 0, 1000);	/* nothing to say */
	writer_drain(&w);
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(from_group || '>' || to_group || "
	    "' ' || ports || ' ' || hits, ';') FROM (SELECT * FROM rules ORDER BY id)"),
	    "nv.client>nv.web tcp/80 1;nv.client>nv.web udp/80 1;nv.client>nv.web tcp/443 1;"
	    "nv.web>nv.db tcp/5432 1;nv.client>nv.web icmp 2");
	ck_assert_uint_eq(stats().rules_created, 5);
	ck_assert_int_eq(learned_calls, 1);
}
END_TEST

/* Up to LEARN_EPHEMERAL_MAX high ports stay single rules. */
START_TEST(test_ephemeral_under_max)
{
	for (int i = 0; i < LEARN_EPHEMERAL_MAX; i++)
		push_learn(&ring, "nv.client", "nv.web", IPPROTO_TCP, (uint16_t)(40000 + i), 1000);
	writer_drain(&w);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM rules WHERE ports LIKE 'tcp/4%'"),
	    LEARN_EPHEMERAL_MAX);
}
END_TEST

START_TEST(test_ephemeral_fold)
{
	uint16_t ports[20];

	srandom(3);
	for (int i = 0; i < 20; i++) {
		int dup;

		do {	/* 20 distinct random ports in 32768-65535 */
			ports[i] = (uint16_t)(LEARN_EPHEMERAL_LO + random() % 32768);
			dup = 0;
			for (int j = 0; j < i; j++)
				dup |= ports[j] == ports[i];
		} while (dup);
		push_learn(&ring, "nv.client", "nv.web", IPPROTO_TCP, ports[i],
		    1795886404000LL + i * 1000);
	}
	push_learn(&ring, "nv.client", "nv.web", IPPROTO_TCP, 8080, 1000);	/* stays */
	push_learn(&ring, "nv.client", "nv.web", IPPROTO_UDP, 40000, 1000);	/* other proto */
	writer_drain(&w);
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(ports || ' ' || hits, ';') FROM "
	    "(SELECT * FROM rules ORDER BY ports)"),
	    "tcp/32768-65535 20;tcp/8080 1;udp/40000 1");
	ck_assert_int_eq(fxdb_int(db,
	    "SELECT last_seen FROM rules WHERE ports = 'tcp/32768-65535'"), 1795886423);
	ck_assert_int_eq(learned_calls, 1);

	/* a later port in the range, new or old, only adds hits */
	push_learn(&ring, "nv.client", "nv.web", IPPROTO_TCP, 65535, 1795886500000LL);
	push_learn(&ring, "nv.client", "nv.web", IPPROTO_TCP, ports[0], 1000);
	writer_drain(&w);
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(ports || ' ' || hits || ' ' || "
	    "last_seen, ';') FROM (SELECT * FROM rules WHERE ports LIKE 'tcp/3%')"),
	    "tcp/32768-65535 22 1795886500");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM rules"), 3);
	ck_assert_int_eq(learned_calls, 1);
}
END_TEST

/* Ports learned in earlier batches are folded with their hits. */
START_TEST(test_ephemeral_fold_across_batches)
{
	for (int b = 0; b < 3; b++) {
		for (int i = 0; i < 4; i++)
			for (int k = 0; k <= i; k++)	/* port i learned i + 1 times */
				push_learn(&ring, "nv.web", "nv.db", IPPROTO_UDP,
				    (uint16_t)(50000 + b * 4 + i), 1000);
		writer_drain(&w);
	}
	/* 12 ports, each batch 1 + 2 + 3 + 4 hits */
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(ports || ' ' || hits, ';') FROM rules"),
	    "udp/32768-65535 30");
	ck_assert_int_eq(learned_calls, 3);
	ck_assert_uint_eq(stats().learned, 30);
}
END_TEST

/* A range rule a user promoted is no learned rule: learning starts over. */
START_TEST(test_ephemeral_promoted_range)
{
	fxdb_exec(db, "INSERT INTO rules (from_group, to_group, ports, action, type, created, "
	    "updated) VALUES ('nv.client', 'nv.web', 'tcp/32768-65535', 'allow', 'user', 0, 0)");
	push_learn(&ring, "nv.client", "nv.web", IPPROTO_TCP, 40000, 1000);
	writer_drain(&w);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM rules WHERE ports = 'tcp/40000' "
	    "AND type = 'learned'"), 1);
}
END_TEST

/* A group deleted since the packet was judged: that record is skipped. */
START_TEST(test_learn_missing_group)
{
	push_event(&ring, 0);
	push_learn(&ring, "nv.gone", "nv.web", IPPROTO_TCP, 80, 1000);
	push_learn(&ring, "nv.client", "nv.gone", IPPROTO_TCP, 80, 1000);
	push_learn(&ring, "nv.client", "nv.web", IPPROTO_TCP, 80, 1000);
	writer_drain(&w);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events"), 1);
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(from_group || '>' || to_group || "
	    "' ' || hits, ';') FROM rules"), "nv.client>nv.web 1");
	ck_assert_uint_eq(stats().db_errors, 2);
	ck_assert_uint_eq(stats().learned, 1);
	ck_assert_uint_eq(stats().events_written, 1);
	ck_assert_int_eq(learned_calls, 1);
}
END_TEST

/* --- hits ------------------------------------------------------------ */

START_TEST(test_hits)
{
	fxdb_exec(db, "INSERT INTO rules (id, from_group, to_group, ports, action, type, created, "
	    "updated) VALUES (7, 'nv.client', 'nv.web', 'tcp/80', 'allow', 'user', 0, 0)");
	push_hit(&ring, 7, 5, 1795886404999LL);
	push_hit(&ring, 7, 3, 1000);		/* older: last_seen stays */
	push_hit(&ring, 99, 4, 1000);		/* deleted rule: nothing */
	writer_drain(&w);
	ck_assert_str_eq(fxdb_text(db,
	    "SELECT hits || ' ' || last_seen || ' ' || updated FROM rules"), "8 1795886404 0");
	ck_assert_uint_eq(stats().hits, 3);
	ck_assert_uint_eq(stats().db_errors, 0);
	ck_assert_int_eq(learned_calls, 0);
}
END_TEST

/* Writes while the main connection reads (WAL): neither fails. */
START_TEST(test_reader_does_not_block)
{
	sqlite3_stmt *st;

	push_event(&ring, 0);
	writer_drain(&w);
	fxdb_exec(db, "BEGIN");
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM events", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
	push_event(&ring, 1);
	writer_drain(&w);
	sqlite3_finalize(st);
	fxdb_exec(db, "COMMIT");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events"), 2);
	ck_assert_uint_eq(stats().db_errors, 0);
}
END_TEST

START_TEST(test_init_error)
{
	struct writer w2;
	char want[600];

	snprintf(fxdb_path, sizeof(fxdb_path), "%s/no/such/nvd.db", fxdb_dir);
	ck_assert_int_eq(writer_init(&w2, fxdb_path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: unable to open database file", fxdb_path);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(w2.wake_fd, -1);
	writer_stop(&w2);	/* harmless after a failed init */
}
END_TEST

/* --- nvctl events ---------------------------------------------------- */

static struct fxcli cli;

/* Three events through the writer: 1 and 2 in 2020, 3 ten seconds ago. */
static void
cli_setup(void)
{
	uint8_t a4[4] = { 198, 18, 0, 1 }, b4[4] = { 198, 18, 0, 2 };
	uint8_t a6[16] = { 0xfd, [15] = 1 }, b6[16] = { 0xfd, [15] = 2 };
	struct record *rec;
	struct event_rec *ev;

	setup();
	rec = event_ring_reserve(&ring, REC_EVENT);
	memset(rec, 0, sizeof(*rec));
	rec->type = REC_EVENT;
	ev = &rec->u.ev;
	ev->time_ms = 1606584004123LL;		/* 2020-11-28T17:20:04.123Z */
	ev->level = EV_WARNING;
	ev->action = EV_DENY;
	event_set_addrs(ev, AF_INET, a4, 40000, b4, 8080, IPPROTO_TCP);
	strcpy(ev->name, "no rule");
	strcpy(ev->src_workload, "client-1");
	strcpy(ev->src_group, "nv.client");
	strcpy(ev->dst_workload, "web-1");
	strcpy(ev->dst_group, "nv.web");
	strcpy(ev->message, "nv.client -> nv.web tcp/8080: no rule allows it (protect)");
	event_ring_commit(&ring);

	rec = event_ring_reserve(&ring, REC_EVENT);
	memset(rec, 0, sizeof(*rec));
	rec->type = REC_EVENT;
	ev = &rec->u.ev;
	ev->time_ms = 1606584600000LL;		/* 2020-11-28T17:30:00.000Z */
	ev->type = EV_DLP;
	ev->level = EV_CRITICAL;
	ev->action = EV_ALERT;
	event_set_addrs(ev, AF_INET6, a6, 50000, b6, 443, IPPROTO_TCP);
	ev->rule_id = 7;
	strcpy(ev->name, "card \"numbers\"");
	strcpy(ev->src_group, "nv.web");
	strcpy(ev->dst_group, "external");
	strcpy(ev->fqdn, "pay.example");
	strcpy(ev->sensor, "dlp1");
	event_ring_commit(&ring);

	rec = event_ring_reserve(&ring, REC_EVENT);
	memset(rec, 0, sizeof(*rec));
	rec->type = REC_EVENT;
	ev = &rec->u.ev;
	ev->time_ms = clock_real_ms() - 10000;
	ev->level = EV_WARNING;
	ev->action = EV_ALERT;
	event_set_addrs(ev, AF_INET, a4, 5353, b4, 53, IPPROTO_UDP);
	strcpy(ev->src_group, "nv.client");
	strcpy(ev->dst_group, "nv.db");
	event_ring_commit(&ring);
	writer_drain(&w);

	fxcli_init(&cli, db);
}

static void
cli_teardown(void)
{
	fxcli_free(&cli);
	teardown();
}

/* Runs "events ARGS..." (NULL-ended); returns the CTL_RESP_* code. */
static int
events(int json, ...)
{
	va_list ap;
	int rc;

	va_start(ap, json);
	rc = fxcli_run(&cli, json, "events", ap);
	va_end(ap);
	return rc;
}

/* The reply as a string. */
static const char *
reply(void)
{
	return fxcli_reply(&cli);
}

/* The ids of a JSON reply in order: "3,2,1". */
static const char *
ids(void)
{
	static char list[256];
	const char *p = reply();
	size_t n = 0;

	list[0] = '\0';
	while ((p = strstr(p, "{\"id\":")) != NULL) {
		p += 6;
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%ld", n ? "," : "",
		    strtol(p, NULL, 10));
	}
	return list;
}

START_TEST(test_cli_json)
{
	ck_assert_int_eq(events(1, NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "3,2,1");
	ck_assert_int_eq(events(1, "--type", "dlp", NULL), CTL_RESP_OK);
	ck_assert_str_eq(reply(), "[{\"id\":2,\"time\":\"2020-11-28T17:30:00.000Z\","
	    "\"type\":\"dlp\",\"name\":\"card \\\"numbers\\\"\",\"level\":\"critical\","
	    "\"action\":\"alert\",\"proto\":\"tcp\",\"src_ip\":\"fd00::1\",\"src_port\":50000,"
	    "\"src_workload\":null,\"src_group\":\"nv.web\",\"dst_ip\":\"fd00::2\","
	    "\"dst_port\":443,\"dst_workload\":null,\"dst_group\":\"external\","
	    "\"fqdn\":\"pay.example\",\"app\":null,\"rule_id\":7,\"sensor\":\"dlp1\","
	    "\"message\":null,\"reason\":null,\"count\":1,\"excerpt\":null,\"pcap\":null}]\n");
	ck_assert_int_eq(events(1, "--type", "waf", NULL), CTL_RESP_OK);
	ck_assert_str_eq(reply(), "[]\n");
}
END_TEST

START_TEST(test_cli_filters)
{
	ck_assert_int_eq(events(1, "--type", "violation", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "3,1");
	ck_assert_int_eq(events(1, "--group", "nv.web", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "2,1");
	ck_assert_int_eq(events(1, "--group=nv.db", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "3");
	ck_assert_int_eq(events(1, "--group", "nv.client", "--type", "violation", NULL),
	    CTL_RESP_OK);
	ck_assert_str_eq(ids(), "3,1");
	ck_assert_int_eq(events(1, "--since", "2020-11-28T17:25:00Z", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "3,2");
	ck_assert_int_eq(events(1, "--since", "2020-11-28T18:20:04.123+01:00", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "3,2,1");
	ck_assert_int_eq(events(1, "--since", "1h", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "3");
	ck_assert_int_eq(events(1, "--since", "1s", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "");
	ck_assert_int_eq(events(1, "--limit", "2", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "3,2");
	ck_assert_int_eq(events(1, "--limit", "0", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "3,2,1");
	ck_assert_int_eq(events(1, "--limit", "1", "--limit", "2", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "3,2");
}
END_TEST

/* The default limit is 100, newest first (the same time: by id). */
START_TEST(test_cli_default_limit)
{
	int64_t now = clock_real_ms();

	for (uint64_t i = 0; i < 150; i++)
		push_event_at(&ring, i, now);
	writer_drain(&w);
	ck_assert_int_eq(events(1, NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "[{\"id\":153,"));
	ck_assert_ptr_nonnull(strstr(reply(), "{\"id\":54,"));
	ck_assert_ptr_null(strstr(reply(), "{\"id\":53,"));
	ck_assert_int_eq(events(1, "--limit", "0", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "{\"id\":1,"));
}
END_TEST

START_TEST(test_cli_text)
{
	ck_assert_int_eq(events(0, "--group", "nv.web", NULL), CTL_RESP_OK);
	ck_assert_str_eq(reply(),
	    "time                      type       level     action  proto  source           "
	    "destination    groups             rule  message\n"
	    "2020-11-28T17:30:00.000Z  dlp        critical  alert   tcp    [fd00::1]:50000  "
	    "[fd00::2]:443  nv.web->external   7\n"
	    "2020-11-28T17:20:04.123Z  violation  warning   deny    tcp    client-1:40000   "
	    "web-1:8080     nv.client->nv.web  -     "
	    "nv.client -> nv.web tcp/8080: no rule allows it (protect)\n");
	ck_assert_int_eq(events(0, "--type", "waf", NULL), CTL_RESP_OK);
	ck_assert_str_eq(reply(), "time  type  level  action  proto  source  destination  groups  "
	    "rule  message\n");
}
END_TEST

#define USAGE	"events [--type T] [--level L] [--group G] [--workload W] [--since TIME] " \
		"[--until TIME] [--limit N]"

START_TEST(test_cli_errors)
{
	static const struct {
		const char *a, *b;
		const char *want;
	} cases[] = {
		{ "--bogus", "x", "unknown option '--bogus' (usage: nvctl " USAGE ")" },
		{ "violation", NULL, "unknown argument 'violation' (usage: nvctl " USAGE ")" },
		{ "--type", NULL, "option --type needs a value" },
		{ "--type", "worm", "unknown event type 'worm' (expected violation, threat, dlp, "
		    "waf, incident, quarantine or admission)" },
		{ "--type", "", "unknown event type '' (expected violation, threat, dlp, "
		    "waf, incident, quarantine or admission)" },
		{ "--group", "", "bad group name '' (1-127 bytes)" },
		{ "--limit", "-1", "bad --limit '-1' (expected 0 to 1000000000; 0 means no limit)" },
		{ "--limit", "1000000001", "bad --limit '1000000001' (expected 0 to 1000000000; "
		    "0 means no limit)" },
		{ "--limit", "ten", "bad --limit 'ten' (expected 0 to 1000000000; 0 means no limit)" },
		{ "--limit=", NULL, "bad --limit '' (expected 0 to 1000000000; 0 means no limit)" },
		{ "--since", "soon", "--since: bad time 'soon' (expected an RFC 3339 time such as "
		    "2026-11-28T17:00:00Z, or an age such as 90s, 10m, 2h or 1d)" },
		{ "--until", "later", "--until: bad time 'later' (expected an RFC 3339 time such as "
		    "2026-11-28T17:00:00Z, or an age such as 90s, 10m, 2h or 1d)" },
		{ "--level", "error", "unknown event level 'error' (expected info, warning or "
		    "critical)" },
		{ "--workload", "", "bad workload name '' (1-127 bytes)" },
	};
	char big[200];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(events(1, cases[i].a, cases[i].b, NULL), CTL_RESP_USAGE);
		ck_assert_str_eq(reply(), cases[i].want);
	}
	memset(big, 'g', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(events(0, "--group", big, NULL), CTL_RESP_USAGE);
	ck_assert_str_eq(reply(), "bad group name 'gggggggggggggggggggggggggggggggggggggggggggggggggg"
	    "gggggggggggggg' (1-127 bytes)");
	ck_assert_int_eq(events(0, "--type", "dlp", "--group", "g", "--since", "1d", "--limit", "1",
	    "--level", "info", "--workload", "w", "--until", "1s", "--limit", NULL), CTL_RESP_USAGE);
	ck_assert_str_eq(reply(), "usage: nvctl " USAGE);
}
END_TEST

START_TEST(test_cli_filters_more)
{
	ck_assert_int_eq(events(1, "--level", "critical", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "2");
	ck_assert_int_eq(events(1, "--level", "warning", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "3,1");
	ck_assert_int_eq(events(1, "--level", "info", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "");
	ck_assert_int_eq(events(1, "--workload", "web-1", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "1");
	ck_assert_int_eq(events(1, "--workload", "client-1", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "1");
	ck_assert_int_eq(events(1, "--workload", "nv.client", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "");
	/* --until is before the time it names */
	ck_assert_int_eq(events(1, "--until", "2020-11-28T17:30:00Z", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "1");
	ck_assert_int_eq(events(1, "--until", "1m", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "2,1");
	ck_assert_int_eq(events(1, "--since", "2020-11-28T17:25:00Z", "--until", "1m", NULL),
	    CTL_RESP_OK);
	ck_assert_str_eq(ids(), "2");
	ck_assert_int_eq(events(1, "--type", "violation", "--level", "warning", "--group",
	    "nv.client", "--workload", "client-1", "--since", "2020-01-01T00:00:00Z", "--until",
	    "10s", "--limit", "5", NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "1");
}
END_TEST

/* Newest first is by time, not by the order rows were written. */
START_TEST(test_cli_newest_by_time)
{
	struct record *rec = event_ring_reserve(&ring, REC_EVENT);

	memset(rec, 0, sizeof(*rec));
	rec->type = REC_EVENT;
	rec->u.ev.time_ms = 1606584300000LL;	/* 2020-11-28T17:25:00.000Z */
	event_ring_commit(&ring);
	writer_drain(&w);
	ck_assert_int_eq(events(1, NULL), CTL_RESP_OK);
	ck_assert_str_eq(ids(), "3,2,4,1");
}
END_TEST

/* Runs "events show ARGS..." (NULL-ended). */
static int
show(int json, ...)
{
	char *argv[8] = { "events", "show" };
	va_list ap;
	int argc = 2;

	va_start(ap, json);
	while (argc < 7 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	buf_reset(&cli.out);
	return control_dispatch(&cli.d, argc, argv, json, &cli.out);
}

START_TEST(test_cli_show)
{
	ck_assert_int_eq(show(0, "1", NULL), CTL_RESP_OK);
	ck_assert_str_eq(reply(),
	    "id            1\n"
	    "time          2020-11-28T17:20:04.123Z\n"
	    "type          violation\n"
	    "name          no rule\n"
	    "level         warning\n"
	    "action        deny\n"
	    "proto         tcp\n"
	    "src_ip        198.18.0.1\n"
	    "src_port      40000\n"
	    "src_workload  client-1\n"
	    "src_group     nv.client\n"
	    "dst_ip        198.18.0.2\n"
	    "dst_port      8080\n"
	    "dst_workload  web-1\n"
	    "dst_group     nv.web\n"
	    "fqdn          -\n"
	    "app           -\n"
	    "rule_id       -\n"
	    "sensor        -\n"
	    "message       nv.client -> nv.web tcp/8080: no rule allows it (protect)\n"
	    "reason        -\n"
	    "count         1\n"
	    "excerpt       -\n"
	    "pcap          -\n");
	/* the rule that decided, while it exists */
	fxdb_exec(db, "INSERT INTO rules (id, from_group, to_group, apps, ports, action, type, "
	    "created, updated) VALUES (7, 'nv.web', 'external', 'any', 'tcp/443', 'deny', 'user', "
	    "0, 0)");
	ck_assert_int_eq(show(1, "2", NULL), CTL_RESP_OK);
	ck_assert_str_eq(reply(), "{\"id\":2,\"time\":\"2020-11-28T17:30:00.000Z\","
	    "\"type\":\"dlp\",\"name\":\"card \\\"numbers\\\"\",\"level\":\"critical\","
	    "\"action\":\"alert\",\"proto\":\"tcp\",\"src_ip\":\"fd00::1\",\"src_port\":50000,"
	    "\"src_workload\":null,\"src_group\":\"nv.web\",\"dst_ip\":\"fd00::2\","
	    "\"dst_port\":443,\"dst_workload\":null,\"dst_group\":\"external\","
	    "\"fqdn\":\"pay.example\",\"app\":null,\"rule_id\":7,\"sensor\":\"dlp1\","
	    "\"message\":null,\"reason\":null,\"count\":1,\"excerpt\":null,\"pcap\":null,"
	    "\"rule\":\"nv.web -> external tcp/443 any deny (user)\",\"pcap_path\":null,"
	    "\"pcap_exists\":null}\n");
	ck_assert_int_eq(show(0, "2", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "\nrule_id       7 (nv.web -> external tcp/443 any "
	    "deny (user))\n"));
	fxdb_exec(db, "DELETE FROM rules WHERE id = 7");
	ck_assert_int_eq(show(0, "2", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "\nrule_id       7 (deleted since)\n"));
	ck_assert_int_eq(show(1, "2", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "\"rule_id\":7,"));
	ck_assert_ptr_nonnull(strstr(reply(), "\"rule\":null,"));
}
END_TEST

/* The pcap file of a DLP match, and what an aggregated event stands for. */
START_TEST(test_cli_show_evidence)
{
	char path[400];
	int fd;

	push_dlp(5);
	writer_drain(&w);
	snprintf(cli.d.conf.pcap_dir, sizeof(cli.d.conf.pcap_dir), "%s", fxdb_dir);
	snprintf(path, sizeof(path), "%s/nvd-1795886404123-q0-1.pcap", fxdb_dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(show(0, "4", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "\ncount         5 alike events, aggregated\n"
	    "excerpt       ****-****-****-1234\n"));
	snprintf(path, sizeof(path), "\npcap          nvd-1795886404123-q0-1.pcap (%s/"
	    "nvd-1795886404123-q0-1.pcap)\n", fxdb_dir);
	ck_assert_ptr_nonnull(strstr(reply(), path));
	ck_assert_int_eq(show(1, "4", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "\"pcap_exists\":true}"));
	snprintf(path, sizeof(path), "%s/nvd-1795886404123-q0-1.pcap", fxdb_dir);
	unlink(path);
	ck_assert_int_eq(show(0, "4", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "-q0-1.pcap, deleted since)\n"));
	ck_assert_int_eq(show(1, "4", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "\"pcap_exists\":false}"));
}
END_TEST

/* An admission event names an admission rule, not the network rule of
 * the same id. */
START_TEST(test_cli_show_admission)
{
	struct record *rec = event_ring_reserve(&ring, REC_EVENT);
	int64_t id;

	ck_assert_int_eq(store_adm_rule_add(db, 1, "privileged", "", &id, err, sizeof(err)), 0);
	fxdb_exec(db, "INSERT INTO rules (id, from_group, to_group, apps, ports, action, type, "
	    "created, updated) VALUES (1, 'nv.web', 'external', 'any', 'tcp/443', 'deny', 'user', "
	    "0, 0)");
	memset(rec, 0, sizeof(*rec));
	rec->type = REC_EVENT;
	rec->u.ev.type = EV_ADMISSION;
	rec->u.ev.action = EV_DENY;
	rec->u.ev.rule_id = id;
	event_ring_commit(&ring);
	writer_drain(&w);
	ck_assert_int_eq(id, 1);
	ck_assert_int_eq(show(1, "4", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "\"rule\":\"admission deny privileged (user)\","));
	ck_assert_int_eq(store_adm_rule_enable(db, id, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(show(0, "4", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "\nrule_id       1 (admission deny privileged (user, "
	    "disabled))\n"));
	ck_assert_int_eq(store_adm_rule_delete(db, id, err, sizeof(err)), 0);
	ck_assert_int_eq(show(0, "4", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "\nrule_id       1 (deleted since)\n"));
}
END_TEST

START_TEST(test_cli_show_errors)
{
	ck_assert_int_eq(show(0, "99", NULL), CTL_RESP_NOTFOUND);
	ck_assert_str_eq(reply(), "no event 99");
	ck_assert_int_eq(show(0, "x", NULL), CTL_RESP_USAGE);
	ck_assert_str_eq(reply(), "bad event id 'x' (expected a positive number)");
	ck_assert_int_eq(show(0, "0", NULL), CTL_RESP_USAGE);
	ck_assert_int_eq(show(0, "-1", NULL), CTL_RESP_USAGE);
	ck_assert_int_eq(show(0, "1x", NULL), CTL_RESP_USAGE);
	ck_assert_int_eq(show(0, "99999999999999999999", NULL), CTL_RESP_USAGE);
	ck_assert_int_eq(show(0, NULL), CTL_RESP_USAGE);
	ck_assert_str_eq(reply(), "usage: nvctl events show ID");
	ck_assert_int_eq(show(0, "1", "2", NULL), CTL_RESP_USAGE);
	ck_assert_str_eq(reply(), "usage: nvctl events show ID");
}
END_TEST

static Suite *
writer_suite(void)
{
	Suite *s = suite_create("writer");
	TCase *tc;

	tc = tcase_create("events");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);	/* a ring of events, on a busy machine */
	tcase_add_test(tc, test_event_row);
	tcase_add_test(tc, test_event_nulls);
	tcase_add_test(tc, test_event_unterminated);
	tcase_add_test(tc, test_stop_drains);
	tcase_add_test(tc, test_drop_logged);
	tcase_add_test(tc, test_reader_does_not_block);
	tcase_add_test(tc, test_init_error);
	tcase_add_test(tc, test_event_lines);
	suite_add_tcase(s, tc);

	tc = tcase_create("locked");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_locked_kept);
	tcase_add_test(tc, test_locked_bound);
	tcase_add_test(tc, test_stop_waits_for_lock);
	tcase_add_test(tc, test_disk_full);
	suite_add_tcase(s, tc);

	tc = tcase_create("burst");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_burst_100k_none_lost);
	tcase_add_test(tc, test_burst_two_rings);
	tcase_add_test(tc, test_flood_drops_counted);
	suite_add_tcase(s, tc);

	tc = tcase_create("learn");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_learn_aggregates);
	tcase_add_test(tc, test_learn_across_batches);
	tcase_add_test(tc, test_learn_distinct);
	tcase_add_test(tc, test_ephemeral_under_max);
	tcase_add_test(tc, test_ephemeral_fold);
	tcase_add_test(tc, test_ephemeral_fold_across_batches);
	tcase_add_test(tc, test_ephemeral_promoted_range);
	tcase_add_test(tc, test_learn_missing_group);
	tcase_add_test(tc, test_hits);
	suite_add_tcase(s, tc);

	tc = tcase_create("cli");
	tcase_add_checked_fixture(tc, cli_setup, cli_teardown);
	tcase_add_test(tc, test_cli_json);
	tcase_add_test(tc, test_cli_filters);
	tcase_add_test(tc, test_cli_default_limit);
	tcase_add_test(tc, test_cli_text);
	tcase_add_test(tc, test_cli_errors);
	tcase_add_test(tc, test_cli_filters_more);
	tcase_add_test(tc, test_cli_newest_by_time);
	tcase_add_test(tc, test_cli_show);
	tcase_add_test(tc, test_cli_show_evidence);
	tcase_add_test(tc, test_cli_show_admission);
	tcase_add_test(tc, test_cli_show_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_set_level(LOG_LVL_WARNING);
	return fxdb_main("check_writer", writer_suite());
}
