#include "config.h"

#include <stdio.h>
#include <time.h>

#include "base/clock.h"
#include "store/db.h"

int
db_schema_version(void)
{
	return db_nmigrations ? db_migrations[db_nmigrations - 1].version : 0;
}

static int
user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* A database written by a newer nvd is refused, never changed. */
static int
check_version(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	int cur;

	if (user_version(db, &cur) < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	if (cur > db_schema_version()) {
		snprintf(err, errlen, "%s: schema version %d is newer than this nvd knows (%d)",
		    path, cur, db_schema_version());
		return -1;
	}
	return 0;
}

static int
migrate(sqlite3 *db, char *err, size_t errlen)
{
	char *msg = NULL;
	int cur;

	if (user_version(db, &cur) < 0) {
		snprintf(err, errlen, "reading schema version: %s", sqlite3_errmsg(db));
		return -1;
	}
	for (int i = 0; i < db_nmigrations; i++) {
		const struct db_migration *m = &db_migrations[i];
		char pragma[64];

		if (m->version <= cur)
			continue;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m->version);
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db, m->sql, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db, pragma, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "migration %s: %s", m->name, msg ? msg : "?");
			sqlite3_free(msg);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
}

sqlite3 *
db_open(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(db, DB_BUSY_MS);
	if (check_version(db, path, err, errlen) < 0)	/* before anything writes */
		goto fail;
	if (sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	    "PRAGMA foreign_keys = ON;", NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		goto fail;
	}
	if (migrate(db, err, errlen) < 0)
		goto fail;
	return db;
fail:
	sqlite3_close(db);
	return NULL;
}

void
db_close(sqlite3 *db)
{
	sqlite3_close(db);
}

/* SQLite's busy handler: waits in steps of 1 to 10 ms until the deadline. */
static int
busy_until(void *arg, int tries)
{
	uint64_t until = *(const uint64_t *)arg, now = clock_mono_ms();
	uint64_t step = tries < 4 ? 1 : 10;
	struct timespec ts;

	if (now >= until)
		return 0;
	if (step > until - now)
		step = until - now;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)step * 1000000;
	nanosleep(&ts, NULL);
	return 1;
}

void
db_wait_until(sqlite3 *db, const uint64_t *until)
{
	sqlite3_busy_handler(db, busy_until, (void *)until);
}
