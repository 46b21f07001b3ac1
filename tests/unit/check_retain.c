/*
 * check_retain.c: the audit log's retention (retain.h) on a real
 * database and pcap directory: rows by number and by age, a chunk at a
 * time, a locked database, the pcap files by number, bytes and age, and
 * files that are not nvd's left alone.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "runtime/retain.h"
#include "store/db.h"
#include "fixture_db.h"

#define NOW_REAL	1795886404123LL		/* 2026-11-28T17:20:04.123Z */
#define DAY		86400000LL

static sqlite3 *db;
static struct retain r;
static uint64_t now;		/* the test's monotonic clock */

static void
setup(void)
{
	char err[256];

	fxdb_setup();
	db = fxdb_open();
	ck_assert_msg(retain_init(&r, db, err, sizeof(err)) == 0, "%s", err);
	now = 1000000;
}

static void
teardown(void)
{
	retain_free(&r);
	fxdb_teardown(&db);
}

/* n events 1..n, event i at i seconds after 2026-11-28T00:00:00Z. */
static void
add_events(int n)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
	    "FROM n WHERE i < %d) INSERT INTO events (time, type, action) "
	    "SELECT strftime('%%Y-%%m-%%dT%%H:%%M:%%S.000Z', '2026-11-28', '+' || i || ' seconds'), "
	    "'violation', 'deny' FROM n", n);
	fxdb_exec(db, sql);
}

/* Steps retention until it says nothing more is due now; the steps taken. */
static int
run_until_done(const struct retain_conf *c)
{
	int steps = 1;

	while (retain_step(&r, db, c, now, NOW_REAL))
		steps++;
	now += RETAIN_EVERY_MS;
	return steps;
}

static long long
count(void)
{
	return fxdb_int(db, "SELECT count(*) FROM events");
}

START_TEST(test_rows)
{
	struct retain_conf c = { .rows = 100 };

	add_events(5000);
	/* one chunk per step: 4900 rows take three */
	ck_assert_int_eq(retain_step(&r, db, &c, now, NOW_REAL), 1);
	ck_assert_int_eq(count(), 5000 - RETAIN_CHUNK);
	ck_assert_int_eq(run_until_done(&c), 2);
	ck_assert_int_eq(count(), 100);
	ck_assert_int_eq(fxdb_int(db, "SELECT min(id) FROM events"), 4901);
	ck_assert_int_eq(fxdb_int(db, "SELECT max(id) FROM events"), 5000);
	ck_assert_uint_eq(r.deleted, 4900);
	ck_assert_str_eq(fxdb_text(db, "PRAGMA integrity_check"), "ok");
	/* what comes later is trimmed again, at the next look */
	add_events(10);
	ck_assert_int_eq(retain_step(&r, db, &c, now - 1, NOW_REAL), 0);
	ck_assert_int_eq(count(), 110);
	run_until_done(&c);
	ck_assert_int_eq(count(), 100);
	ck_assert_int_eq(fxdb_int(db, "SELECT min(id) FROM events"), 4911);
}
END_TEST

START_TEST(test_age)
{
	struct retain_conf c = { .days = 1 };

	add_events(10);		/* 2026-11-28T00:00:01Z .. 00:00:10Z */
	fxdb_exec(db, "INSERT INTO events (time, type, action) VALUES "
	    "('2026-11-27T17:20:04.122Z', 'dlp', 'alert'), "	/* a day and a ms old */
	    "('2026-11-27T17:20:04.123Z', 'dlp', 'alert'), "	/* a day old exactly */
	    "('2020-01-01T00:00:00Z', 'waf', 'deny')");		/* an auditor's row */
	run_until_done(&c);
	ck_assert_int_eq(count(), 11);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE type = 'dlp'"), 1);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE type = 'waf'"), 0);
	ck_assert_str_eq(fxdb_text(db, "PRAGMA integrity_check"), "ok");
}
END_TEST

/* Age first, then rows: both bounds hold at the end. */
START_TEST(test_age_and_rows)
{
	struct retain_conf c = { .days = 1, .rows = 3 };

	fxdb_exec(db, "INSERT INTO events (time, type, action) VALUES "
	    "('2020-01-01T00:00:00.000Z', 'waf', 'deny')");
	add_events(5);
	run_until_done(&c);
	ck_assert_int_eq(count(), 3);
	ck_assert_int_eq(fxdb_int(db, "SELECT min(id) FROM events"), 4);
}
END_TEST

START_TEST(test_off)
{
	struct retain_conf c = { 0 };

	add_events(50);
	fxdb_exec(db, "INSERT INTO events (time, type, action) VALUES "
	    "('1999-01-01T00:00:00.000Z', 'waf', 'deny')");
	run_until_done(&c);
	ck_assert_int_eq(count(), 51);
	ck_assert_uint_eq(r.deleted, 0);
}
END_TEST

/* A step waits for its time; a locked database puts the work off. */
START_TEST(test_locked)
{
	struct retain_conf c = { .rows = 10 };
	sqlite3 *other = fxdb_open();

	add_events(20);
	sqlite3_busy_timeout(db, 10);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(retain_step(&r, db, &c, now, NOW_REAL), 0);
	ck_assert_int_eq(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(count(), 20);
	/* not before its next look */
	ck_assert_int_eq(retain_step(&r, db, &c, now + RETAIN_EVERY_MS - 1, NOW_REAL), 0);
	ck_assert_int_eq(count(), 20);
	ck_assert_int_eq(retain_step(&r, db, &c, now + RETAIN_EVERY_MS, NOW_REAL), 0);
	ck_assert_int_eq(count(), 10);
	sqlite3_close(other);
}
END_TEST

/* --- pcap files ------------------------------------------------------- */

static char pdir[300];

static void
pcap_file(const char *name, size_t size)
{
	char path[400], *data = calloc(1, size + 1);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pdir, name);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, size), (ssize_t)size);
	close(fd);
	free(data);
}

static int
exists(const char *name)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", pdir, name);
	return access(path, F_OK) == 0;
}

/* Five of nvd's files, oldest first (the second and third in the same
 * millisecond), and three that are not nvd's. */
static void
pcap_setup(void)
{
	char path[400];

	setup();
	snprintf(pdir, sizeof(pdir), "%s/pcap", fxdb_dir);
	ck_assert_int_eq(mkdir(pdir, 0750), 0);
	pcap_file("nvd-1795800000000-q0-1.pcap", 100);
	pcap_file("nvd-1795886400000-q1-2.pcap", 100);
	pcap_file("nvd-1795886400000-q1-10.pcap", 100);
	pcap_file("nvd-1795886403000-q0-3.pcap", 100);
	pcap_file("nvd-1795886404000-q0-4.pcap", 100);
	pcap_file("capture.pcap", 100);
	pcap_file("nvd-1-q0-01.pcap", 100);	/* not a name nvd gives */
	snprintf(path, sizeof(path), "%s/nvd-2-q0-5.pcap", pdir);
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
}

static void
others_kept(void)
{
	ck_assert(exists("capture.pcap"));
	ck_assert(exists("nvd-1-q0-01.pcap"));
	ck_assert_int_eq(access("/etc/passwd", F_OK), 0);
}

START_TEST(test_pcap_files)
{
	struct retain_conf c = { .pcap_files = 2 };

	snprintf(c.pcap_dir, sizeof(c.pcap_dir), "%s", pdir);
	retain_step(&r, db, &c, now, NOW_REAL);
	ck_assert(!exists("nvd-1795800000000-q0-1.pcap"));
	ck_assert(!exists("nvd-1795886400000-q1-2.pcap"));
	ck_assert(!exists("nvd-1795886400000-q1-10.pcap"));
	ck_assert(exists("nvd-1795886403000-q0-3.pcap"));
	ck_assert(exists("nvd-1795886404000-q0-4.pcap"));
	ck_assert_uint_eq(r.pcaps_deleted, 3);
	others_kept();
}
END_TEST

START_TEST(test_pcap_bytes)
{
	struct retain_conf c = { .pcap_bytes = 250 };

	snprintf(c.pcap_dir, sizeof(c.pcap_dir), "%s", pdir);
	retain_step(&r, db, &c, now, NOW_REAL);
	ck_assert_uint_eq(r.pcaps_deleted, 3);
	ck_assert(exists("nvd-1795886403000-q0-3.pcap"));
	ck_assert(exists("nvd-1795886404000-q0-4.pcap"));
	others_kept();
}
END_TEST

START_TEST(test_pcap_age)
{
	struct retain_conf c = { .days = 1 };

	snprintf(c.pcap_dir, sizeof(c.pcap_dir), "%s", pdir);
	retain_step(&r, db, &c, now, NOW_REAL);
	ck_assert(!exists("nvd-1795800000000-q0-1.pcap"));	/* a day and more */
	ck_assert_uint_eq(r.pcaps_deleted, 1);
	others_kept();
}
END_TEST

/* The directory is scanned at most every RETAIN_PCAP_EVERY_MS, sooner
 * after nvd wrote a file. */
START_TEST(test_pcap_when)
{
	struct retain_conf c = { .pcap_files = 4 };

	snprintf(c.pcap_dir, sizeof(c.pcap_dir), "%s", pdir);
	retain_step(&r, db, &c, now, NOW_REAL);
	ck_assert_uint_eq(r.pcaps_deleted, 1);
	pcap_file("nvd-1795886405000-q0-6.pcap", 100);
	retain_step(&r, db, &c, now + RETAIN_PCAP_SOON_MS, NOW_REAL);
	ck_assert_uint_eq(r.pcaps_deleted, 1);
	retain_pcap_written(&r, now + 10);
	retain_step(&r, db, &c, now + 10 + RETAIN_PCAP_SOON_MS - 1, NOW_REAL);
	ck_assert_uint_eq(r.pcaps_deleted, 1);
	retain_step(&r, db, &c, now + 10 + RETAIN_PCAP_SOON_MS, NOW_REAL);
	ck_assert_uint_eq(r.pcaps_deleted, 2);
	ck_assert(!exists("nvd-1795886400000-q1-2.pcap"));
	ck_assert(exists("nvd-1795886400000-q1-10.pcap"));
}
END_TEST

static Suite *
retain_suite(void)
{
	Suite *s = suite_create("retain");
	TCase *tc;

	tc = tcase_create("events");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rows);
	tcase_add_test(tc, test_age);
	tcase_add_test(tc, test_age_and_rows);
	tcase_add_test(tc, test_off);
	tcase_add_test(tc, test_locked);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcaps");
	tcase_add_checked_fixture(tc, pcap_setup, teardown);
	tcase_add_test(tc, test_pcap_files);
	tcase_add_test(tc, test_pcap_bytes);
	tcase_add_test(tc, test_pcap_age);
	tcase_add_test(tc, test_pcap_when);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_set_level(LOG_LVL_ERROR);
	return fxdb_main("check_retain", retain_suite());
}
