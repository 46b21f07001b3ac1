/*
 * check_db.c: opening, creating and migrating the SQLite database.
 */
#include "config.h"

#include <limits.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db.h"
#include "fixture_db.h"

static char err[512];

static void
setup(void)
{
	fxdb_setup();
	err[0] = '\0';
}

static void
teardown(void)
{
	fxdb_empty(fxdb_dir);
}

/* Reads the whole file at p into a malloc'd buffer. */
static unsigned char *
slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	unsigned char *b;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* A database as a newer nvd would leave it: its own table, a newer
 * user_version; journal_mode is that of the caller's choice. */
static void
make_newer_db(const char *journal_mode)
{
	sqlite3 *db;
	char sql[128];

	ck_assert_int_eq(sqlite3_open(fxdb_path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s", journal_mode);
	fxdb_exec(db, sql);
	fxdb_exec(db, "CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('kept');");
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", db_schema_version() + 1);
	fxdb_exec(db, sql);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

/* --- tests ------------------------------------------------------------------- */

START_TEST(test_migrations_table)
{
	ck_assert_int_ge(db_nmigrations, 1);
	ck_assert_int_eq(db_migrations[0].version, 1);
	ck_assert_str_eq(db_migrations[0].name, "001_base.sql");
	for (int i = 1; i < db_nmigrations; i++)
		ck_assert_int_gt(db_migrations[i].version, db_migrations[i - 1].version);
	ck_assert_int_eq(db_schema_version(), db_migrations[db_nmigrations - 1].version);
}
END_TEST

START_TEST(test_creates_schema)
{
	sqlite3 *db = fxdb_open();
	struct stat sb;

	ck_assert_int_eq(stat(fxdb_path, &sb), 0);
	ck_assert_int_eq(fxdb_int(db, "PRAGMA user_version"), db_schema_version());
	ck_assert_int_eq(fxdb_int(db,
	    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'events')"), 2);
	ck_assert_int_eq(fxdb_int(db,
	    "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'events_%'"), 7);
	db_close(db);
}
END_TEST

START_TEST(test_events_columns)
{
	static const char *const want[] = {
		"id", "time", "type", "name", "level", "action", "proto", "src_ip",
		"src_port", "src_workload", "src_group", "dst_ip", "dst_port",
		"dst_workload", "dst_group", "fqdn", "app", "rule_id", "sensor", "message", "reason", "count",
		"excerpt", "pcap",
	};
	sqlite3 *db = fxdb_open();
	sqlite3_stmt *st;
	size_t n = 0;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info('events') ORDER BY cid",
	    -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ck_assert_uint_lt(n, sizeof(want) / sizeof(want[0]));
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), want[n]);
		n++;
	}
	sqlite3_finalize(st);
	ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]));
	/* A minimal event: level defaults to info, id is assigned. */
	fxdb_exec(db, "INSERT INTO events (time, type, action) "
	    "VALUES ('2024-01-01T00:00:00Z', 'violation', 'deny')");
	ck_assert_str_eq(fxdb_text(db, "SELECT level FROM events"), "info");
	ck_assert_int_eq(fxdb_int(db, "SELECT id FROM events"), 1);
	db_close(db);
}
END_TEST

START_TEST(test_wal_mode)
{
	sqlite3 *db = fxdb_open();

	ck_assert_str_eq(fxdb_text(db, "PRAGMA journal_mode"), "wal");
	db_close(db);
}
END_TEST

START_TEST(test_reopen_keeps_data)
{
	sqlite3 *db = fxdb_open();

	fxdb_exec(db, "INSERT INTO meta VALUES ('test', 'value')");
	fxdb_exec(db, "INSERT INTO events (time, type, action, src_ip, src_port) "
	    "VALUES ('2024-01-01T00:00:00Z', 'threat', 'alert', '198.18.0.1', 4444)");
	db_close(db);

	db = fxdb_open();		/* migrations already applied: nothing re-run */
	ck_assert_int_eq(fxdb_int(db, "PRAGMA user_version"), db_schema_version());
	ck_assert_str_eq(fxdb_text(db, "SELECT value FROM meta WHERE key = 'test'"), "value");
	ck_assert_str_eq(fxdb_text(db, "SELECT src_ip || ':' || src_port FROM events"),
	    "198.18.0.1:4444");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events"), 1);
	db_close(db);
}
END_TEST

START_TEST(test_newer_schema_refused)
{
	char want[PATH_MAX + 128];
	sqlite3 *db;

	make_newer_db("wal");
	ck_assert_ptr_null(db_open(fxdb_path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: schema version %d is newer than this nvd knows (%d)",
	    fxdb_path, db_schema_version() + 1, db_schema_version());
	ck_assert_str_eq(err, want);

	ck_assert_int_eq(sqlite3_open(fxdb_path, &db), SQLITE_OK);
	ck_assert_int_eq(fxdb_int(db, "PRAGMA user_version"), db_schema_version() + 1);
	ck_assert_str_eq(fxdb_text(db, "SELECT x FROM future"), "kept");
	ck_assert_int_eq(fxdb_int(db,
	    "SELECT count(*) FROM sqlite_master WHERE name = 'events'"), 0);
	sqlite3_close(db);
}
END_TEST

/* db.h: "a database newer than this build is refused, never changed" -
 * not a byte of the file, whatever its journal mode. */
START_TEST(test_newer_schema_file_unchanged)
{
	unsigned char *before, *after;
	size_t nbefore, nafter;
	char wal[300];

	make_newer_db("delete");
	before = slurp(fxdb_path, &nbefore);
	ck_assert_ptr_null(db_open(fxdb_path, err, sizeof(err)));
	after = slurp(fxdb_path, &nafter);
	ck_assert_uint_eq(nafter, nbefore);
	ck_assert_msg(memcmp(before, after, nbefore) == 0,
	    "file changed (header bytes 18-19: %u %u -> %u %u)",
	    before[18], before[19], after[18], after[19]);
	snprintf(wal, sizeof(wal), "%s-wal", fxdb_path);
	ck_assert_int_ne(access(wal, F_OK), 0);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_missing_directory)
{
	char want[512], missing[160];
	struct stat sb;

	snprintf(missing, sizeof(missing), "%s/no/such/dir", fxdb_dir);
	snprintf(fxdb_path, sizeof(fxdb_path), "%s/nvd.db", missing);
	ck_assert_ptr_null(db_open(fxdb_path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: unable to open database file", fxdb_path);
	ck_assert_str_eq(err, want);
	ck_assert_int_ne(stat(missing, &sb), 0);
}
END_TEST

START_TEST(test_not_a_database)
{
	FILE *f = fopen(fxdb_path, "w");
	char want[512];

	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 100; i++)
		fputs("this is not an SQLite database\n", f);
	fclose(f);
	ck_assert_ptr_null(db_open(fxdb_path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: file is not a database", fxdb_path);
	ck_assert_str_eq(err, want);
}
END_TEST

static Suite *
db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc;

	tc = tcase_create("open");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_migrations_table);
	tcase_add_test(tc, test_creates_schema);
	tcase_add_test(tc, test_events_columns);
	tcase_add_test(tc, test_wal_mode);
	tcase_add_test(tc, test_reopen_keeps_data);
	suite_add_tcase(s, tc);

	tc = tcase_create("refuse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_newer_schema_refused);
	tcase_add_test(tc, test_newer_schema_file_unchanged);
	tcase_add_test(tc, test_missing_directory);
	tcase_add_test(tc, test_not_a_database);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return fxdb_main("check_db", db_suite());
}
