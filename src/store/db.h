/*
 * db.h: the SQLite database (policy, learned rules, events).
 *
 * Opened in WAL mode so nvctl readers and the writer thread do not block
 * each other.  The schema comes from the schema/ files, compiled in, applied as
 * numbered migrations; PRAGMA user_version is the schema version.
 */
#ifndef NVD_DB_H
#define NVD_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct db_migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct db_migration db_migrations[];
extern const int db_nmigrations;

/* The schema version this build writes. */
int db_schema_version(void);

/*
 * Opens (creating it and its directory's file if need be) and migrates the
 * database.  Returns NULL with a message in err (errlen bytes) on failure;
 * a database newer than this build is refused, never changed.
 */
sqlite3 *db_open(const char *path, char *err, size_t errlen);
void db_close(sqlite3 *db);

/*
 * Bounds how long statements on db wait for a lock another connection
 * holds (an external sqlite3's BEGIN EXCLUSIVE, the writer thread's
 * transaction): until the clock_mono_ms() time *until, read at each wait,
 * then they fail with SQLITE_BUSY.  The owner of db moves *until before
 * each piece of work (a request, a policy rebuild); *until must outlive
 * db.  Replaces db_open()'s busy timeout of DB_BUSY_MS.
 */
#define DB_BUSY_MS	5000
void db_wait_until(sqlite3 *db, const uint64_t *until);

#endif
