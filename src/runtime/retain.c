/*
 * retain.c: the audit log's retention (retain.h): event rows by age and
 * by number, pcap files by number, bytes and age.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/event.h"
#include "runtime/retain.h"

#define DAY_MS		86400000LL

static const char *const stmt_sql[RS_COUNT] = {
	/* oldest first by the time index, a chunk at a time */
	[RS_AGE] = ("DELETE FROM events WHERE id IN "
	    "(SELECT id FROM events WHERE time < ?1 ORDER BY time LIMIT ?2)"),
	[RS_RANGE] = "SELECT min(id), max(id) FROM events",
	[RS_ROWS] = "DELETE FROM events WHERE id <= ?1",
};

int
retain_init(struct retain *r, sqlite3 *db, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < RS_COUNT; i++)
		if (sqlite3_prepare_v3(db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &r->st[i],
		    NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(db));
			retain_free(r);
			return -1;
		}
	return 0;
}

void
retain_free(struct retain *r)
{
	for (int i = 0; i < RS_COUNT; i++) {
		sqlite3_finalize(r->st[i]);
		r->st[i] = NULL;
	}
}

void
retain_pcap_written(struct retain *r, uint64_t now)
{
	if (r->pcap_next_ms > now + RETAIN_PCAP_SOON_MS)
		r->pcap_next_ms = now + RETAIN_PCAP_SOON_MS;
}

/* A failed statement: logged at most once a minute, but for a locked
 * database, which only puts the work off. */
static int
failed(struct retain *r, sqlite3 *db, sqlite3_stmt *st, int rc)
{
	sqlite3_reset(st);
	if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED &&
	    log_limit_ok(&r->lim, 60))
		log_warnx("retention: %s", sqlite3_errmsg(db));
	return -1;
}

/* Runs a DELETE; the rows it deleted, or -1. */
static int
delete_rows(struct retain *r, sqlite3 *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		return failed(r, db, st, rc);
	sqlite3_reset(st);
	r->deleted += (uint64_t)sqlite3_changes(db);
	return sqlite3_changes(db);
}

/* Events older than days: one chunk.  Rows deleted, or -1. */
static int
by_age(struct retain *r, sqlite3 *db, uint32_t days, int64_t real)
{
	sqlite3_stmt *st = r->st[RS_AGE];
	char cut[EVENT_TIME_LEN];

	event_time_format(real - (int64_t)days * DAY_MS, cut, sizeof(cut));
	sqlite3_bind_text(st, 1, cut, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, RETAIN_CHUNK);
	return delete_rows(r, db, st);
}

/* All but the newest rows (by id): one chunk.  *more: another is due. */
static int
by_rows(struct retain *r, sqlite3 *db, uint64_t rows, int *more)
{
	sqlite3_stmt *st = r->st[RS_RANGE];
	int64_t lo, hi, cut, upto;
	int rc = sqlite3_step(st), empty;

	if (rc != SQLITE_ROW)
		return failed(r, db, st, rc);
	lo = sqlite3_column_int64(st, 0);
	hi = sqlite3_column_int64(st, 1);
	empty = sqlite3_column_type(st, 0) == SQLITE_NULL;
	sqlite3_reset(st);
	if (empty || (uint64_t)(hi - lo) < rows)
		return 0;
	cut = hi - (int64_t)rows;
	upto = cut - lo >= RETAIN_CHUNK ? lo + RETAIN_CHUNK - 1 : cut;
	st = r->st[RS_ROWS];
	sqlite3_bind_int64(st, 1, upto);
	if ((rc = delete_rows(r, db, st)) >= 0)
		*more = upto < cut;
	return rc;
}

/* --- pcap files ------------------------------------------------------ */

struct pcap_file {
	int64_t ms;
	uint64_t n;
	uint32_t queue;
	uint64_t size;
};

/* The fields of a name nvd gives a pcap file (judge.c), exactly. */
static int
pcap_name_parse(const char *name, struct pcap_file *f)
{
	char again[EVENT_PCAP_MAX];
	long long ms;
	unsigned q;
	unsigned long long n;
	int end = -1;

	if (sscanf(name, "nvd-%lld-q%u-%llu.pcap%n", &ms, &q, &n, &end) != 3 ||
	    end < 0 || name[end] != '\0')
		return -1;
	snprintf(again, sizeof(again), "nvd-%lld-q%u-%llu.pcap", ms, q, n);
	if (strcmp(again, name) != 0)
		return -1;
	f->ms = ms;
	f->queue = q;
	f->n = n;
	return 0;
}

static int
pcap_older(const void *a, const void *b)
{
	const struct pcap_file *x = a, *y = b;

	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	if (x->queue != y->queue)
		return x->queue < y->queue ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

/* nvd's pcap files in dir (fd), at most RETAIN_PCAP_MAX; NULL with *n 0
 * when there are none or no memory. */
static struct pcap_file *
pcap_list(int fd, size_t *n, uint64_t *bytes)
{
	struct pcap_file *files = NULL, f;
	size_t cap = 0;
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int dfd = dup(fd);

	*n = 0;
	*bytes = 0;
	if (dfd < 0)
		return NULL;
	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return NULL;
	}
	while ((de = readdir(dir)) != NULL && *n < RETAIN_PCAP_MAX) {
		if (pcap_name_parse(de->d_name, &f) < 0 ||
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (*n == cap) {
			size_t c = cap ? 2 * cap : 256;
			struct pcap_file *more = realloc(files, c * sizeof(*files));

			if (more == NULL)
				break;
			files = more;
			cap = c;
		}
		f.size = (uint64_t)st.st_size;
		files[(*n)++] = f;
		*bytes += f.size;
	}
	closedir(dir);
	return files;
}

static void
pcap_scan(struct retain *r, const struct retain_conf *c, int64_t real)
{
	int64_t cut = c->days ? real - (int64_t)c->days * DAY_MS : INT64_MIN;
	uint64_t bytes;
	size_t n, i;
	struct pcap_file *files;
	int fd;

	if ((fd = open(c->pcap_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	files = pcap_list(fd, &n, &bytes);
	if (n > 1)
		qsort(files, n, sizeof(*files), pcap_older);
	for (i = 0; i < n; i++) {
		char name[EVENT_PCAP_MAX];

		if (files[i].ms >= cut && (!c->pcap_files || n - i <= c->pcap_files) &&
		    (!c->pcap_bytes || bytes <= c->pcap_bytes))
			break;
		snprintf(name, sizeof(name), "nvd-%lld-q%u-%llu.pcap", (long long)files[i].ms,
		    files[i].queue, (unsigned long long)files[i].n);
		if (unlinkat(fd, name, 0) < 0 && errno != ENOENT) {
			if (log_limit_ok(&r->lim, 60))
				log_warn("retention: %s/%s", c->pcap_dir, name);
			break;
		}
		r->pcaps_deleted++;
		bytes -= files[i].size;
	}
	free(files);
	close(fd);
}

int
retain_step(struct retain *r, sqlite3 *db, const struct retain_conf *c, uint64_t now,
    int64_t real)
{
	int more = 0, n = 0;

	if (c->pcap_dir[0] && now >= r->pcap_next_ms) {
		r->pcap_next_ms = now + RETAIN_PCAP_EVERY_MS;
		pcap_scan(r, c, real);
	}
	if (now < r->next_ms)
		return 0;
	if (c->days) {
		n = by_age(r, db, c->days, real);
		more = n == RETAIN_CHUNK;
	}
	if (n >= 0 && !more && c->rows)
		by_rows(r, db, c->rows, &more);
	r->next_ms = more ? now : now + RETAIN_EVERY_MS;
	return more;
}
