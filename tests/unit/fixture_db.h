/*
 * fixture_db.h: a database file for each test (check_db, check_store,
 * check_store_sensor, check_writer): a directory of the run's own, made
 * and removed by fxdb_main() and emptied before and after each test; the
 * database's path in it; opening it; single values read back with SQL.
 */
#ifndef NVD_TEST_FIXTURE_DB_H
#define NVD_TEST_FIXTURE_DB_H

#include <check.h>
#include <sqlite3.h>

extern char fxdb_dir[64];	/* the run's directory */
extern char fxdb_path[256];	/* fxdb_dir/nvd.db */

/*
 * Makes the directory /tmp/NAME.XXXXXX, runs the suite in it, then
 * removes it.  Returns the exit status: EXIT_SUCCESS when every test
 * passed.
 */
int fxdb_main(const char *name, Suite *s);
/* Removes what dir holds, directories too.  No ck_assert: fxdb_main()
 * calls it outside any test. */
void fxdb_empty(const char *dir);

/* A test's start: the directory writable and empty (a failed test skips
 * its teardown), fxdb_path set. */
void fxdb_setup(void);
/* db_open(fxdb_path), which must succeed. */
sqlite3 *fxdb_open(void);
/* Closes *db if open and sets it NULL; empties the directory. */
void fxdb_teardown(sqlite3 **db);

/* The first column of the first row of sql, as text: "" when there is no
 * row, "NULL" for NULL.  The string lives until the next call. */
const char *fxdb_text(sqlite3 *db, const char *sql);
long long fxdb_int(sqlite3 *db, const char *sql);
/* Runs sql, which must succeed. */
void fxdb_exec(sqlite3 *db, const char *sql);
/* A rules_dir made in the run's directory (fxdb_dir/rules), empty; its
 * path lives until the next call. */
const char *fxdb_rules_dir(void);
/* Writes text to the file dir/name, which must work. */
void fxdb_write(const char *dir, const char *name, const char *text);

#endif
