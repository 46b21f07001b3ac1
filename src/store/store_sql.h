/*
 * store_sql.h: the small SQLite steps the store_*.c files share: a
 * statement prepared with its arguments bound, stepped, a transaction.
 * Errors are "database: MESSAGE" in err, and -1.
 */
#ifndef NVD_STORE_SQL_H
#define NVD_STORE_SQL_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline int
dberr(sqlite3 *db, char *err, size_t errlen)
{
	snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
	return -1;
}

/* Prepares sql with text ('s') and integer ('i', int64_t) arguments; NULL with err. */
static inline sqlite3_stmt *
prep(sqlite3 *db, char *err, size_t errlen, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc = SQLITE_OK;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		dberr(db, err, errlen);
		return NULL;
	}
	va_start(ap, types);
	for (int i = 0; types[i] && rc == SQLITE_OK; i++)
		if (types[i] == 's')
			rc = sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1,
			    SQLITE_TRANSIENT);
		else
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
	va_end(ap);
	if (rc != SQLITE_OK) {
		dberr(db, err, errlen);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* Steps a statement that returns no rows and finalizes it; 0 or -1. */
static inline int
done(sqlite3 *db, sqlite3_stmt *st, char *err, size_t errlen)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : dberr(db, err, errlen);
}

/* The first column of the first row of st (finalized): 1 and *v, 0 without a row, -1. */
static inline int
first_int(sqlite3 *db, sqlite3_stmt *st, int64_t *v, char *err, size_t errlen)
{
	int rc, found = 0;

	*v = 0;
	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		found = 1;
	} else if (rc != SQLITE_DONE)
		found = dberr(db, err, errlen);
	sqlite3_finalize(st);
	return found;
}

static inline int
tx(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : dberr(db, err, errlen);
}

/* Commits if rc >= 0, else rolls back; rc, or -1 if the commit failed. */
static inline int
tx_end(sqlite3 *db, int rc, char *err, size_t errlen)
{
	if (rc >= 0 && tx(db, "COMMIT", err, errlen) == 0)
		return rc;
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc >= 0 ? -1 : rc;
}

static inline const char *
text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

static inline int64_t
now(void)
{
	return (int64_t)time(NULL);
}

#endif
