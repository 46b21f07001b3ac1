/*
 * fixture_db.c: a database file for each test (fixture_db.h).
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db.h"
#include "fixture_db.h"

char fxdb_dir[64];
char fxdb_path[256];

int
fxdb_main(const char *name, Suite *s)
{
	SRunner *sr;
	int failed;

	snprintf(fxdb_dir, sizeof(fxdb_dir), "/tmp/%s.XXXXXX", name);
	if (mkdtemp(fxdb_dir) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	fxdb_empty(fxdb_dir);
	rmdir(fxdb_dir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void
fxdb_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char f[400];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(f, sizeof(f), "%s/%s", dir, e->d_name);
		if (unlink(f) < 0) {
			fxdb_empty(f);
			rmdir(f);
		}
	}
	closedir(d);
}

void
fxdb_setup(void)
{
	ck_assert_int_eq(access(fxdb_dir, W_OK), 0);
	fxdb_empty(fxdb_dir);
	snprintf(fxdb_path, sizeof(fxdb_path), "%s/nvd.db", fxdb_dir);
}

sqlite3 *
fxdb_open(void)
{
	char err[512];
	sqlite3 *db = db_open(fxdb_path, err, sizeof(err));

	ck_assert_msg(db != NULL, "db_open: %s", err);
	return db;
}

void
fxdb_teardown(sqlite3 **db)
{
	if (*db != NULL)
		db_close(*db);
	*db = NULL;
	fxdb_empty(fxdb_dir);
}

const char *
fxdb_text(sqlite3 *db, const char *sql)
{
	static char out[1024];
	sqlite3_stmt *st;

	out[0] = '\0';
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
	    sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, sizeof(out), "%s", sqlite3_column_type(st, 0) == SQLITE_NULL ?
		    "NULL" : (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

long long
fxdb_int(sqlite3 *db, const char *sql)
{
	return atoll(fxdb_text(db, sql));
}

void
fxdb_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql, msg);
}

const char *
fxdb_rules_dir(void)
{
	static char dir[128];

	snprintf(dir, sizeof(dir), "%s/rules", fxdb_dir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	return dir;
}

void
fxdb_write(const char *dir, const char *name, const char *text)
{
	char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}
