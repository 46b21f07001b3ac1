/*
 * writer.c: the writer thread.  Drains the workers' rings into one batch
 * of up to WRITER_BATCH records and writes it in one transaction on its own
 * connection, with statements prepared once: events are inserted, learn
 * records are aggregated per batch and upserted as learned rules, hit
 * records add to their rule's counter, conversation records to their
 * conversation's sessions and bytes.
 *
 * A statement that fails (a learned rule whose group was deleted meanwhile
 * violates its foreign key) costs that record only, counted in db_errors;
 * the rest of the batch is committed.  A locked database or a full disk
 * is the whole batch's fate (writer.h): it is rolled back, and tried
 * again later or counted as lost.  Once a batch's fate is known, each of
 * its events goes out as a JSON line (event_log.h), with its id when it
 * was stored.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "store/db.h"
#include "base/log.h"
#include "policy/policy.h"
#include "runtime/responder.h"
#include "runtime/writer.h"

#define WRITER_TICK_MS		100
#define DROP_QUIET_MS		1000	/* no drop for this long: the drop ended */
#define LEARN_SLOTS		(2 * WRITER_BATCH)	/* power of two */

/* The learn records of one batch with the same (from, to, proto, port, app). */
struct learn_key {
	const struct learn_rec *rec;	/* the first one, in the batch buffer */
	uint64_t n;
	int64_t last_ms;
};

enum stmt {
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_SAVEPOINT, S_RELEASE, S_ROLLBACK_TO,
	S_EVENT, S_HIT, S_LEARN_SCAN, S_LEARN_UPSERT, S_LEARN_ADD, S_RULE_DELETE, S_CONV, S_GROUP_FQDN,
	S_WCONV,
	S_COUNT
};

/* Where the name starts in "fqdn:NAME" (SQL's substr counts from 1). */
#define FQDN_PREFIX_LEN1	"6"
_Static_assert(sizeof(GROUP_FQDN_PREFIX) == 6, "FQDN_PREFIX_LEN1 is strlen + 1");

static const char *const stmt_sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SAVEPOINT] = "SAVEPOINT learn",
	[S_RELEASE] = "RELEASE learn",
	[S_ROLLBACK_TO] = "ROLLBACK TO learn",
	[S_EVENT] = "INSERT INTO events (time, type, name, level, action, proto, "
	    "src_ip, src_port, src_workload, src_group, dst_ip, dst_port, dst_workload, "
	    "dst_group, fqdn, app, rule_id, sensor, message, reason, count, excerpt, pcap) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
	    "?20, ?21, ?22, ?23)",
	[S_HIT] = "UPDATE rules SET hits = hits + ?1, "
	    "last_seen = max(coalesce(last_seen, 0), ?2) WHERE id = ?3",
	[S_LEARN_SCAN] = "SELECT id, ports, hits, coalesce(last_seen, 0) FROM rules "
	    "WHERE type = 'learned' AND from_group = ?1 AND to_group = ?2 AND apps = ?3",
	[S_LEARN_UPSERT] = "INSERT INTO rules (from_group, to_group, apps, ports, action, type, "
	    "hits, last_seen, created, updated) VALUES (?1, ?2, ?3, ?4, 'allow', 'learned', "
	    "?5, ?6, ?7, ?7) ON CONFLICT (from_group, to_group, ports, apps) "
	    "WHERE type = 'learned' DO UPDATE SET hits = hits + excluded.hits, "
	    "last_seen = max(coalesce(last_seen, 0), excluded.last_seen), "
	    "updated = excluded.updated",
	[S_LEARN_ADD] = "UPDATE rules SET hits = hits + ?1, "
	    "last_seen = max(coalesce(last_seen, 0), ?2), updated = ?3 WHERE id = ?4",
	[S_RULE_DELETE] = "DELETE FROM rules WHERE id = ?1",
	/* An external name learned as a destination: an address group of
	 * its own, named after it (policy.h address=FQDN criteria). */
	[S_GROUP_FQDN] = "INSERT INTO groups (name, kind, criteria, mode, created, updated) "
	    "VALUES (?1, 'user', 'address=' || substr(?1, " FQDN_PREFIX_LEN1 "), 'discover', "
	    "?2, ?2) ON CONFLICT (name) DO NOTHING",
	[S_CONV] = "INSERT INTO conversations (from_group, to_group, fqdn, app, proto, port, "
	    "verdict, sessions, bytes, first_seen, last_seen) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) "
	    "ON CONFLICT (from_group, to_group, fqdn, app, proto, port, verdict) DO UPDATE SET "
	    "sessions = sessions + excluded.sessions, bytes = bytes + excluded.bytes, "
	    "last_seen = max(last_seen, excluded.last_seen)",
	/* The same, told apart by the workloads at its ends (schema 10). */
	[S_WCONV] = "INSERT INTO workload_conversations (from_workload, to_workload, from_group, "
	    "to_group, fqdn, app, proto, port, verdict, sessions, bytes, first_seen, last_seen) "
	    "VALUES (?11, ?12, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) "
	    "ON CONFLICT (from_workload, to_workload, from_group, to_group, fqdn, app, proto, port, "
	    "verdict) DO UPDATE SET sessions = sessions + excluded.sessions, "
	    "bytes = bytes + excluded.bytes, last_seen = max(last_seen, excluded.last_seen)",
};

struct writer_priv {
	sqlite3_stmt *st[S_COUNT];
	struct record *batch;		/* WRITER_BATCH */
	int slots[LEARN_SLOTS];		/* index into keys, or -1 */
	struct learn_key keys[WRITER_BATCH];
	int nkeys;
	int64_t *fold_ids;		/* learned single-port ephemeral rules */
	size_t nfold, capfold;
	/* this batch, added to st once committed */
	struct writer_stats pend;
	int learned_changed;
	/* drop logging */
	uint64_t drop_start;		/* total dropped when the drop began */
	int64_t drop_last_ms;		/* when the total last grew */
	struct log_limit errlim;
	int64_t time_sec;		/* of time_text */
	char time_text[EVENT_TIME_LEN];
	int last_err;			/* of the last failed step() */
	char last_msg[160];
	int abort;			/* the batch's fate: SQLITE_BUSY or SQLITE_FULL */
	int64_t ids[WRITER_BATCH];	/* of the batch's events, 0: not stored,
					 * -1: suppressed (response rules) */
	/* Events the response rules made in this batch (quarantines), with
	 * their ids, for the JSON lines. */
	struct extra_event {
		struct event_rec ev;
		int64_t id;
	} *extra;
	int nextra, capextra;
	/* The events of a drop (check_drops), until they are written. */
	struct record drops[2];
	unsigned ndrops;
	/* a batch a locked database put off: the first held records of batch */
	unsigned held;
	uint64_t retry_at;		/* clock_mono_ms() of its next try */
	unsigned backoff_ms;
	/* a full disk */
	int full;			/* the last batch was lost to it */
	uint64_t full_lost;		/* records lost since it began */
	uint64_t lost;			/* records the database lost, all told (w->lock) */
	struct retain ret;
	struct retain_conf rconf;	/* a copy of w->retain */
	struct event_log elog;
};

/* What became of a batch. */
enum batch_fate {
	BATCH_DONE,			/* committed (records that failed alone counted) */
	BATCH_BUSY,			/* rolled back: the database is locked; try again */
	BATCH_LOST,			/* rolled back: a full disk, or another error */
};

static int
is_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

/*
 * Steps st to its end and resets it.  Returns 0, or -1 with the error kept
 * in last_err and last_msg (later statements, such as a rollback, would
 * overwrite the connection's).
 */
static int
step(struct writer *w, sqlite3_stmt *st)
{
	struct writer_priv *p = w->priv;
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE) {
		p->last_err = sqlite3_extended_errcode(w->db);
		snprintf(p->last_msg, sizeof(p->last_msg), "%s", sqlite3_errmsg(w->db));
		if (is_busy(p->last_err) || (p->last_err & 0xff) == SQLITE_FULL)
			p->abort = p->last_err & 0xff;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A record could not be written: counted, logged at most once a minute. */
static void
db_error(struct writer *w, const char *what)
{
	if (w->priv->abort)	/* the batch's fate, not the record's */
		return;
	w->priv->pend.db_errors++;
	if (log_limit_ok(&w->priv->errlim, 60))
		log_warnx("writer: %s: %s", what, w->priv->last_msg);
}

/* Runs a statement without parameters or rows; 0 or -1. */
static int
run(struct writer *w, enum stmt s)
{
	return step(w, w->priv->st[s]);
}

/* A fixed-size text field, NULL when empty.  The batch buffer outlives
 * the statement's step, hence SQLITE_STATIC. */
static void
bind_field(sqlite3_stmt *st, int i, const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, (int)n, SQLITE_STATIC);
}

#define BIND_FIELD(st, i, f)	bind_field(st, i, f, sizeof(f))

static void
bind_int_or_null(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}


/* --- events ---------------------------------------------------------- */

static void
bind_addr(sqlite3_stmt *st, int i, int family, const uint8_t *a)
{
	char text[INET6_ADDRSTRLEN];

	if (!event_addr_known(family, a) || inet_ntop(family, a, text, sizeof(text)) == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
}

/* event_time_format() with the date and second formatted once per second:
 * a burst's events share them. */
static void
event_time(struct writer_priv *p, int64_t ms, char *out)
{
	int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int frac = (int)(ms - sec * 1000);

	if (sec != p->time_sec || p->time_text[0] == '\0') {
		event_time_format(ms, p->time_text, sizeof(p->time_text));
		p->time_sec = sec;
	}
	memcpy(out, p->time_text, EVENT_TIME_LEN);
	out[20] = (char)('0' + frac / 100);
	out[21] = (char)('0' + frac / 10 % 10);
	out[22] = (char)('0' + frac % 10);
}

static void
write_event(struct writer *w, const struct event_rec *ev, int64_t *id)
{
	sqlite3_stmt *st = w->priv->st[S_EVENT];
	char when[EVENT_TIME_LEN], word[12];
	const char *proto = ev->proto ? policy_proto_word(ev->proto, word) : NULL;

	event_time(w->priv, ev->time_ms, when);
	sqlite3_bind_text(st, 1, when, EVENT_TIME_LEN - 1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, event_type_name(ev->type), -1, SQLITE_STATIC);
	BIND_FIELD(st, 3, ev->name);
	sqlite3_bind_text(st, 4, event_level_name(ev->level), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, event_action_name(ev->action), -1, SQLITE_STATIC);
	if (proto)
		sqlite3_bind_text(st, 6, proto, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	bind_addr(st, 7, ev->family, ev->src);
	bind_int_or_null(st, 8, ev->src_port);
	BIND_FIELD(st, 9, ev->src_workload);
	BIND_FIELD(st, 10, ev->src_group);
	bind_addr(st, 11, ev->family, ev->dst);
	bind_int_or_null(st, 12, ev->dst_port);
	BIND_FIELD(st, 13, ev->dst_workload);
	BIND_FIELD(st, 14, ev->dst_group);
	BIND_FIELD(st, 15, ev->fqdn);
	BIND_FIELD(st, 16, ev->app);
	bind_int_or_null(st, 17, ev->rule_id);
	BIND_FIELD(st, 18, ev->sensor);
	BIND_FIELD(st, 19, ev->message);
	BIND_FIELD(st, 20, ev->reason);
	sqlite3_bind_int64(st, 21, ev->count ? ev->count : 1);
	BIND_FIELD(st, 22, ev->excerpt);
	BIND_FIELD(st, 23, ev->pcap);
	if (step(w, st) == 0) {
		w->priv->pend.events_written++;
		*id = sqlite3_last_insert_rowid(w->db);
		if (ev->pcap[0])	/* pcap_dir is looked at soon */
			retain_pcap_written(&w->priv->ret, clock_mono_ms());
	} else
		db_error(w, "insert event");
}

/* Keeps an event the response rules made, for its JSON line. */
static void
extra_add(struct writer *w, const struct event_rec *ev, int64_t id)
{
	struct writer_priv *p = w->priv;

	if (p->nextra == p->capextra) {
		int cap = p->capextra ? 2 * p->capextra : 8;
		struct extra_event *more = realloc(p->extra, (size_t)cap * sizeof(*more));

		if (more == NULL)
			return;		/* its line only is lost */
		p->extra = more;
		p->capextra = cap;
	}
	p->extra[p->nextra].ev = *ev;
	p->extra[p->nextra++].id = id;
}

/*
 * An event through the response rules (*id as write_event() sets it, -1
 * when suppressed: not written); a quarantine it causes writes its own
 * event, which goes through them in turn (no rule of that category
 * quarantines: response.h).
 */
static void
write_responded(struct writer *w, const struct event_rec *ev, int64_t *id)
{
	struct response_fire f;
	struct event_rec q;
	int64_t qid = 0;

	*id = 0;
	if (w->resp == NULL) {
		write_event(w, ev, id);
		return;
	}
	if (responder_judge(w->resp, ev, &f))
		*id = -1;
	else
		write_event(w, ev, id);
	if (f.actions && responder_act(w->resp, ev, *id > 0 ? *id : 0, &f, &q)) {
		write_responded(w, &q, &qid);
		extra_add(w, &q, qid);
	}
}

static void
write_hit(struct writer *w, const struct hit_rec *h)
{
	sqlite3_stmt *st = w->priv->st[S_HIT];

	sqlite3_bind_int64(st, 1, (sqlite3_int64)h->count);
	sqlite3_bind_int64(st, 2, h->time_ms / 1000);
	sqlite3_bind_int64(st, 3, h->rule_id);
	if (step(w, st) == 0)
		w->priv->pend.hits++;
	else
		db_error(w, "rule hits");
}

/* Binds the conversation's ?1 to ?10 (S_CONV's, and S_WCONV's but for its
 * workloads) and steps st; 0 or -1. */
static int
conv_step(struct writer *w, sqlite3_stmt *st, const struct conv_rec *c)
{
	char word[12];

	sqlite3_bind_text(st, 1, c->from, (int)strnlen(c->from, sizeof(c->from)), SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->to, (int)strnlen(c->to, sizeof(c->to)), SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->fqdn, (int)strnlen(c->fqdn, sizeof(c->fqdn)), SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->app, (int)strnlen(c->app, sizeof(c->app)), SQLITE_STATIC);
	sqlite3_bind_text(st, 5, policy_proto_word(c->proto, word), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 6, c->port);
	sqlite3_bind_text(st, 7, conv_verdict_name(c->verdict), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, c->sessions);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)c->bytes);
	sqlite3_bind_int64(st, 10, c->time_ms / 1000);
	return step(w, st);
}

static void
write_conv(struct writer *w, const struct conv_rec *c)
{
	sqlite3_stmt *st = w->priv->st[S_WCONV];

	if (conv_step(w, w->priv->st[S_CONV], c) == 0)
		w->priv->pend.conversations++;
	else
		db_error(w, "conversation");
	if (c->from_workload[0] == '\0' && c->to_workload[0] == '\0')
		return;
	sqlite3_bind_text(st, 11, c->from_workload, (int)strnlen(c->from_workload,
	    sizeof(c->from_workload)), SQLITE_STATIC);
	sqlite3_bind_text(st, 12, c->to_workload, (int)strnlen(c->to_workload,
	    sizeof(c->to_workload)), SQLITE_STATIC);
	if (conv_step(w, st, c) < 0)
		db_error(w, "workload conversation");
}

/* --- learning -------------------------------------------------------- */

static uint32_t
fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static int
same_key(const struct learn_rec *a, const struct learn_rec *b)
{
	return a->proto == b->proto && a->port == b->port &&
	    strncmp(a->from, b->from, sizeof(a->from)) == 0 &&
	    strncmp(a->to, b->to, sizeof(a->to)) == 0 &&
	    strncmp(a->app, b->app, sizeof(a->app)) == 0;
}

/* Adds l to the batch's aggregate; a batch has WRITER_BATCH keys at most. */
static void
learn_add(struct writer_priv *p, const struct learn_rec *l)
{
	uint32_t h = 2166136261u;
	struct learn_key *k;

	h = fnv(h, l->from, strnlen(l->from, sizeof(l->from)));
	h = fnv(h, "", 1);
	h = fnv(h, l->to, strnlen(l->to, sizeof(l->to)));
	h = fnv(h, "", 1);
	h = fnv(h, l->app, strnlen(l->app, sizeof(l->app)));
	h = fnv(h, &l->proto, sizeof(l->proto));
	h = fnv(h, &l->port, sizeof(l->port));
	for (uint32_t i = h & (LEARN_SLOTS - 1);; i = (i + 1) & (LEARN_SLOTS - 1)) {
		if (p->slots[i] < 0) {
			p->slots[i] = p->nkeys;
			k = &p->keys[p->nkeys++];
			k->rec = l;
			k->n = 0;
			k->last_ms = l->time_ms;
			break;
		}
		k = &p->keys[p->slots[i]];
		if (same_key(k->rec, l))
			break;
	}
	k->n++;
	if (l->time_ms > k->last_ms)
		k->last_ms = l->time_ms;
}

/* What the learned rules of one (from, to, apps) say about a port. */
struct learn_scan {
	int64_t covering_id;		/* a learned range rule covers the port */
	int exists;			/* the single-port rule exists */
	uint64_t fold_hits;		/* of the ephemeral single-port rules */
	int64_t fold_last;
};

static int
learn_scan(struct writer *w, const struct learn_rec *l, const char *apps, struct learn_scan *sc)
{
	struct writer_priv *p = w->priv;
	sqlite3_stmt *st = p->st[S_LEARN_SCAN];
	int rc;

	memset(sc, 0, sizeof(*sc));
	p->nfold = 0;
	sqlite3_bind_text(st, 1, l->from, (int)strnlen(l->from, sizeof(l->from)), SQLITE_STATIC);
	sqlite3_bind_text(st, 2, l->to, (int)strnlen(l->to, sizeof(l->to)), SQLITE_STATIC);
	sqlite3_bind_text(st, 3, apps, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 1);
		struct port_range pr[POLICY_MAX_PORTS];
		char err[128];

		/* learned rules hold one spec; anything else is left alone */
		if (text == NULL || ports_parse(text, pr, POLICY_MAX_PORTS, err, sizeof(err)) != 1 ||
		    pr[0].proto != l->proto)
			continue;
		if ((l->proto != IPPROTO_TCP && l->proto != IPPROTO_UDP) ||
		    (pr[0].lo == l->port && pr[0].hi == l->port)) {
			sc->exists = 1;
		} else if (pr[0].lo < pr[0].hi) {
			if (pr[0].lo <= l->port && l->port <= pr[0].hi)
				sc->covering_id = sqlite3_column_int64(st, 0);
		} else if (pr[0].lo >= LEARN_EPHEMERAL_LO) {
			if (p->nfold == p->capfold) {
				size_t cap = p->capfold ? 2 * p->capfold : 16;
				int64_t *ids = realloc(p->fold_ids, cap * sizeof(*ids));

				if (ids == NULL) {
					rc = SQLITE_NOMEM;
					break;
				}
				p->fold_ids = ids;
				p->capfold = cap;
			}
			p->fold_ids[p->nfold++] = sqlite3_column_int64(st, 0);
			sc->fold_hits += (uint64_t)sqlite3_column_int64(st, 2);
			if (sqlite3_column_int64(st, 3) > sc->fold_last)
				sc->fold_last = sqlite3_column_int64(st, 3);
		}
	}
	if (rc != SQLITE_DONE) {
		p->last_err = rc == SQLITE_NOMEM ? rc : sqlite3_extended_errcode(w->db);
		snprintf(p->last_msg, sizeof(p->last_msg), "%s",
		    rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(w->db));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
learn_upsert(struct writer *w, const struct learn_rec *l, const char *apps, const char *ports,
    uint64_t hits, int64_t last, int64_t now)
{
	sqlite3_stmt *st = w->priv->st[S_LEARN_UPSERT];

	sqlite3_bind_text(st, 1, l->from, (int)strnlen(l->from, sizeof(l->from)), SQLITE_STATIC);
	sqlite3_bind_text(st, 2, l->to, (int)strnlen(l->to, sizeof(l->to)), SQLITE_STATIC);
	sqlite3_bind_text(st, 3, apps, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ports, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)hits);
	sqlite3_bind_int64(st, 6, last);
	sqlite3_bind_int64(st, 7, now);
	return step(w, st);
}

static int
learn_add_hits(struct writer *w, int64_t id, uint64_t hits, int64_t last, int64_t now)
{
	sqlite3_stmt *st = w->priv->st[S_LEARN_ADD];

	sqlite3_bind_int64(st, 1, (sqlite3_int64)hits);
	sqlite3_bind_int64(st, 2, last);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, id);
	return step(w, st);
}

/*
 * Replaces the ephemeral single-port rules found by learn_scan() (and the
 * port of l) with one rule for the range, hits summed, inside a savepoint
 * so a failure leaves them as they were.
 */
static int
learn_fold(struct writer *w, const struct learn_rec *l, const char *apps,
    const struct learn_scan *sc, uint64_t n, int64_t last, int64_t now)
{
	struct writer_priv *p = w->priv;
	struct port_range range = { l->proto, LEARN_EPHEMERAL_LO, 65535 };
	char ports[32];

	ports_format(&range, 1, ports, sizeof(ports));
	if (run(w, S_SAVEPOINT) < 0)
		return -1;
	for (size_t i = 0; i < p->nfold; i++) {
		sqlite3_stmt *st = p->st[S_RULE_DELETE];

		sqlite3_bind_int64(st, 1, p->fold_ids[i]);
		if (step(w, st) < 0)
			goto fail;
	}
	if (learn_upsert(w, l, apps, ports, sc->fold_hits + n,
	    sc->fold_last > last ? sc->fold_last : last, now) < 0)
		goto fail;
	if (run(w, S_RELEASE) < 0)
		goto fail;
	log_info("learned %.*s -> %.*s %s (%zu ports folded)", POLICY_NAME_MAX, l->from,
	    POLICY_NAME_MAX, l->to, ports, p->nfold + 1);
	return 0;
fail:
	sqlite3_step(p->st[S_ROLLBACK_TO]);	/* keeps last_err */
	sqlite3_reset(p->st[S_ROLLBACK_TO]);
	sqlite3_step(p->st[S_RELEASE]);
	sqlite3_reset(p->st[S_RELEASE]);
	return -1;
}

static int
is_ephemeral(const struct learn_rec *l)
{
	return (l->proto == IPPROTO_TCP || l->proto == IPPROTO_UDP) &&
	    l->port >= LEARN_EPHEMERAL_LO;
}

static void
learn_apply(struct writer *w, const struct learn_key *k, int64_t now)
{
	struct writer_priv *p = w->priv;
	const struct learn_rec *l = k->rec;
	char apps[sizeof(l->app)];
	char ports[32];
	struct port_range pr = { l->proto, l->port, l->port };
	struct learn_scan sc;
	int64_t last = k->last_ms / 1000;
	int rc;

	snprintf(apps, sizeof(apps), "%.*s", (int)sizeof(l->app) - 1, l->app[0] ? l->app : "any");
	if (l->proto != IPPROTO_TCP && l->proto != IPPROTO_UDP)
		pr.lo = pr.hi = 0;	/* icmp, proto/N */
	else if (l->port == 0)
		return;		/* nothing a rule could say */
	if (l->to_fqdn) {
		sqlite3_stmt *st = p->st[S_GROUP_FQDN];

		sqlite3_bind_text(st, 1, l->to, (int)strnlen(l->to, sizeof(l->to)), SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		if (step(w, st) < 0) {
			db_error(w, "learned name group");
			return;
		}
		p->learned_changed |= sqlite3_changes(w->db) > 0;
	}
	if (learn_scan(w, l, apps, &sc) < 0) {
		db_error(w, "learned rules");
		return;
	}
	if (sc.covering_id) {
		rc = learn_add_hits(w, sc.covering_id, k->n, last, now);
	} else if (is_ephemeral(l) && !sc.exists && p->nfold + 1 > LEARN_EPHEMERAL_MAX) {
		if ((rc = learn_fold(w, l, apps, &sc, k->n, last, now)) == 0) {
			p->pend.rules_created++;
			p->learned_changed = 1;
		}
	} else {
		ports_format(&pr, 1, ports, sizeof(ports));
		if ((rc = learn_upsert(w, l, apps, ports, k->n, last, now)) == 0 && !sc.exists) {
			p->pend.rules_created++;
			p->learned_changed = 1;
			log_info("learned %.*s -> %.*s %s", POLICY_NAME_MAX, l->from,
			    POLICY_NAME_MAX, l->to, ports);
		}
	}
	if (rc == 0)
		p->pend.learned += k->n;
	else if (p->last_err == SQLITE_CONSTRAINT_FOREIGNKEY)
		p->pend.db_errors++;	/* its group was deleted: nothing to learn */
	else
		db_error(w, "learn rule");
}

/* --- batches --------------------------------------------------------- */

/* Each event of the batch as a JSON line, with its id if it was stored. */
static void
log_lines(struct writer *w, const struct record *recs, unsigned n)
{
	struct writer_priv *p = w->priv;

	if (p->elog.sink == EVLOG_NONE)
		return;
	for (unsigned i = 0; i < n; i++)
		if (recs[i].type == REC_EVENT && p->ids[i] >= 0)
			event_log_write(&p->elog, &recs[i].u.ev, p->ids[i]);
	for (int i = 0; i < p->nextra; i++)
		event_log_write(&p->elog, &p->extra[i].ev, p->extra[i].id);
}

/* The batch went in. */
static void
batch_done(struct writer *w, const struct record *recs, unsigned n)
{
	struct writer_priv *p = w->priv;

	if (p->full) {
		log_info("writer: the database has room again (%llu records were dropped while "
		    "the disk was full)", (unsigned long long)p->full_lost);
		p->full = 0;
		p->full_lost = 0;
	}
	pthread_mutex_lock(&w->lock);
	w->st.events_written += p->pend.events_written;
	w->st.learned += p->pend.learned;
	w->st.rules_created += p->pend.rules_created;
	w->st.hits += p->pend.hits;
	w->st.conversations += p->pend.conversations;
	w->st.db_errors += p->pend.db_errors;
	pthread_mutex_unlock(&w->lock);
	log_lines(w, recs, n);
	if (p->learned_changed && w->on_learned)
		w->on_learned(w->ctx);
}

/*
 * The batch could not go in and was rolled back (what: the step that
 * failed): BATCH_BUSY for a locked database, else its records are lost
 * and counted, a full disk logged when it begins.
 */
static enum batch_fate
batch_failed(struct writer *w, const struct record *recs, unsigned n, const char *what)
{
	struct writer_priv *p = w->priv;
	int full = (p->last_err & 0xff) == SQLITE_FULL;

	if (!sqlite3_get_autocommit(w->db)) {
		sqlite3_step(p->st[S_ROLLBACK]);	/* keeps last_err */
		sqlite3_reset(p->st[S_ROLLBACK]);
	}
	if (is_busy(p->last_err))
		return BATCH_BUSY;
	if (full && !p->full)
		log_warnx("writer: %s; events are dropped (counted) until there is room",
		    p->last_msg);
	else if (!full)
		log_warnx("writer: %s: %s; %u records lost", what, p->last_msg, n);
	p->full = full;
	if (full)
		p->full_lost += n;
	pthread_mutex_lock(&w->lock);
	p->lost += n;
	if (full)
		w->st.disk_full += n;
	else
		w->st.db_errors++;
	pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < n; i++)
		if (p->ids[i] > 0)
			p->ids[i] = 0;		/* not stored; the suppressed stay out */
	for (int i = 0; i < p->nextra; i++)
		p->extra[i].id = 0;
	log_lines(w, recs, n);
	return BATCH_LOST;
}

/* The batch's fate once it is known: the response rules' side of it too. */
static enum batch_fate
batch_end(struct writer *w, const struct record *recs, unsigned n)
{
	struct writer_priv *p = w->priv;
	enum batch_fate fate;

	if (w->resp && !p->abort && responder_flush(w->resp) < 0)
		db_error(w, "response rule counts");
	if (p->abort)
		fate = batch_failed(w, recs, n, "write");
	else if (run(w, S_COMMIT) < 0)
		fate = batch_failed(w, recs, n, "commit");
	else {
		batch_done(w, recs, n);
		fate = BATCH_DONE;
	}
	if (w->resp)
		responder_end(w->resp, fate == BATCH_DONE);
	return fate;
}

static enum batch_fate
write_batch(struct writer *w, const struct record *recs, unsigned n)
{
	struct writer_priv *p = w->priv;
	int64_t now = (int64_t)time(NULL);

	memset(&p->pend, 0, sizeof(p->pend));
	p->learned_changed = 0;
	p->nkeys = 0;
	p->abort = 0;
	p->nextra = 0;
	memset(p->slots, 0xff, sizeof(p->slots));
	memset(p->ids, 0, n * sizeof(p->ids[0]));
	if (run(w, S_BEGIN) < 0)
		return batch_failed(w, recs, n, "begin");
	if (w->resp)
		responder_begin(w->resp, w->db);
	for (unsigned i = 0; i < n && !p->abort; i++) {
		switch (recs[i].type) {
		case REC_EVENT:
			write_responded(w, &recs[i].u.ev, &p->ids[i]);
			break;
		case REC_LEARN:
			learn_add(p, &recs[i].u.learn);
			break;
		case REC_HIT:
			write_hit(w, &recs[i].u.hit);
			break;
		case REC_CONV:
			write_conv(w, &recs[i].u.conv);
			break;
		default:
			break;
		}
	}
	for (int i = 0; i < p->nkeys && !p->abort; i++)
		learn_apply(w, &p->keys[i], now);
	return batch_end(w, recs, n);
}

/* A locked database put the batch's n records off: tried again later. */
static void
batch_hold(struct writer *w, unsigned n)
{
	struct writer_priv *p = w->priv;

	if (p->held == 0) {
		p->backoff_ms = WRITER_BACKOFF_MIN_MS;
		if (log_limit_ok(&p->errlim, 60))
			log_warnx("writer: %s: %u records wait in memory until it is free",
			    p->last_msg, n);
	} else if ((p->backoff_ms *= 2) > WRITER_BACKOFF_MAX_MS)
		p->backoff_ms = WRITER_BACKOFF_MAX_MS;
	p->held = n;
	p->retry_at = clock_mono_ms() + p->backoff_ms;
	pthread_mutex_lock(&w->lock);
	w->st.busy++;
	pthread_mutex_unlock(&w->lock);
}

/* Tries the batch put off, when its time has come.  1 once it is done
 * with (written or lost), 0 while it waits. */
static int
retry_held(struct writer *w)
{
	struct writer_priv *p = w->priv;

	if (clock_mono_ms() < p->retry_at)
		return 0;
	if (write_batch(w, p->batch, p->held) == BATCH_BUSY) {
		batch_hold(w, p->held);
		return 0;
	}
	p->held = 0;
	return 1;
}

/* The event of a drop that starts (n 0) or ends (n records dropped). */
static void
drop_event(struct writer *w, uint64_t n)
{
	struct record rec;
	struct event_rec *ev = &rec.u.ev;

	memset(&rec, 0, sizeof(rec));
	rec.type = REC_EVENT;
	ev->time_ms = clock_real_ms();
	ev->type = EV_INCIDENT;
	ev->level = EV_WARNING;
	ev->action = EV_ALERT;
	snprintf(ev->name, sizeof(ev->name), "ring full");
	if (n == 0)
		snprintf(ev->message, sizeof(ev->message), "overload: the event rings are full; "
		    "events, learned connections and rule hits are being dropped");
	else
		snprintf(ev->message, sizeof(ev->message), "overload over: %llu records were "
		    "dropped (events, learned connections, rule hits)", (unsigned long long)n);
	/* Kept until written (a locked database keeps them waiting); of a
	 * drop that began again before, the newest two. */
	if (w->priv->ndrops == 2) {
		w->priv->drops[0] = w->priv->drops[1];
		w->priv->ndrops = 1;
	}
	w->priv->drops[w->priv->ndrops++] = rec;
}

/* Writes the events of drops, unless the database is locked. */
static void
drops_write(struct writer *w)
{
	struct writer_priv *p = w->priv;

	if (p->ndrops > 0 && write_batch(w, p->drops, p->ndrops) != BATCH_BUSY)
		p->ndrops = 0;
}

/* Logs a drop once when it starts and once, with its count, when the
 * rings have refused nothing for DROP_QUIET_MS; each an event too. */
static void
check_drops(struct writer *w, int final)
{
	struct writer_priv *p = w->priv;
	uint64_t total = 0;
	int64_t now = clock_mono_ms();

	for (int i = 0; i < w->nrings; i++)
		total += __atomic_load_n(&w->rings[i]->dropped, __ATOMIC_RELAXED);
	if (total != w->dropped_logged) {
		if (!w->dropping) {
			log_warnx("events: ring full, dropping records");
			w->dropping = 1;
			p->drop_start = w->dropped_logged;
			drop_event(w, 0);
		}
		p->drop_last_ms = now;
		w->dropped_logged = total;
	}
	if (w->dropping && (final || now - p->drop_last_ms >= DROP_QUIET_MS)) {
		log_warnx("events: %llu records dropped", (unsigned long long)(total - p->drop_start));
		w->dropping = 0;
		drop_event(w, total - p->drop_start);
	}
	pthread_mutex_lock(&w->lock);
	w->st.events_dropped = total + p->lost;
	pthread_mutex_unlock(&w->lock);
}

/* The settings writer_set_audit() gave, for the writer's own use. */
static void
settings(struct writer *w)
{
	struct writer_priv *p = w->priv;
	enum event_log_sink sink;

	pthread_mutex_lock(&w->lock);
	p->rconf = w->retain;
	sink = w->sink;
	pthread_mutex_unlock(&w->lock);
	event_log_set(&p->elog, sink);
}

void
writer_drain(struct writer *w)
{
	struct writer_priv *p = w->priv;
	uint64_t until[WRITER_MAX_RINGS];
	int first = 0;

	if (p == NULL)
		return;
	settings(w);
	if (p->held && !retry_held(w)) {
		check_drops(w, 0);
		if (w->resp)
			responder_idle(w->resp);
		return;
	}
	for (int i = 0; i < w->nrings; i++)
		until[i] = __atomic_load_n(&w->rings[i]->head, __ATOMIC_ACQUIRE);
	for (;;) {
		unsigned n = 0;
		int behind = 0;

		/* each pass starts at the next ring, so none starves the others */
		for (int k = 0; k < w->nrings && n < WRITER_BATCH; k++) {
			struct event_ring *r = w->rings[(first + k) % w->nrings];

			n += event_ring_pop(r, p->batch + n, WRITER_BATCH - n);
		}
		first = w->nrings ? (first + 1) % w->nrings : 0;
		if (n == 0)
			break;
		if (write_batch(w, p->batch, n) == BATCH_BUSY) {
			batch_hold(w, n);
			break;
		}
		for (int i = 0; i < w->nrings; i++)
			if ((int64_t)(until[i] - w->rings[i]->tail) > 0)
				behind = 1;
		if (!behind)
			break;
	}
	check_drops(w, 0);
	drops_write(w);
	if (w->resp)
		responder_idle(w->resp);
}

int
writer_waiting(struct writer *w, uint64_t *at)
{
	if (w->priv == NULL || w->priv->held == 0)
		return 0;
	*at = w->priv->retry_at;
	return 1;
}

void
writer_set_audit(struct writer *w, const struct retain_conf *rc, enum event_log_sink sink)
{
	pthread_mutex_lock(&w->lock);
	w->retain = *rc;
	w->sink = sink;
	pthread_mutex_unlock(&w->lock);
}

int
writer_housekeeping(struct writer *w)
{
	struct writer_priv *p = w->priv;
	int more = 0;

	if (p == NULL)
		return 0;
	if (p->held == 0)
		more = retain_step(&p->ret, w->db, &p->rconf, clock_mono_ms(), clock_real_ms());
	pthread_mutex_lock(&w->lock);
	w->st.deleted = p->ret.deleted;
	w->st.pcaps_deleted = p->ret.pcaps_deleted;
	w->st.log_lines = p->elog.lines;
	w->st.log_dropped = p->elog.dropped;
	pthread_mutex_unlock(&w->lock);
	return more;
}

/* --- thread and set-up ----------------------------------------------- */

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct pollfd pfd = { .fd = w->wake_fd, .events = POLLIN };
	int more = 0;

	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		uint64_t v, at, now = clock_mono_ms();
		int timeout = more ? 0 : WRITER_TICK_MS;

		if (writer_waiting(w, &at))
			timeout = at <= now ? 0 : at - now < WRITER_TICK_MS ? (int)(at - now) :
			    WRITER_TICK_MS;
		if (poll(&pfd, 1, timeout) > 0 && read(w->wake_fd, &v, sizeof(v)) < 0 &&
		    errno != EAGAIN)
			log_warn("writer: eventfd");
		writer_drain(w);
		more = writer_housekeeping(w);
	}
	return NULL;
}

static void
priv_free(struct writer *w)
{
	struct writer_priv *p = w->priv;

	if (p == NULL)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(p->st[i]);
	retain_free(&p->ret);
	event_log_close(&p->elog);
	free(p->extra);
	free(p->batch);
	free(p->fold_ids);
	free(p);
	w->priv = NULL;
}

/* Frees what writer_init() made. */
static void
release(struct writer *w)
{
	if (w->resp)
		responder_close(w->resp);	/* its statements, before the connection */
	priv_free(w);
	if (w->db)
		db_close(w->db);
	w->db = NULL;
	if (w->wake_fd >= 0)
		close(w->wake_fd);
	w->wake_fd = -1;
}

int
writer_init(struct writer *w, const char *db_path, char *err, size_t errlen)
{
	struct writer_priv *p;

	memset(w, 0, sizeof(*w));
	w->wake_fd = -1;
	pthread_mutex_init(&w->lock, NULL);
	if ((p = w->priv = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	event_log_init(&p->elog);
	if ((p->batch = calloc(WRITER_BATCH, sizeof(*p->batch))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if ((w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	/* db_open() sets WAL, synchronous NORMAL and foreign keys; a lock is
	 * waited for briefly, then the batch is put off (writer.h) */
	if ((w->db = db_open(db_path, err, errlen)) == NULL)
		goto fail;
	sqlite3_busy_timeout(w->db, WRITER_BUSY_MS);
	for (int i = 0; i < S_COUNT; i++)
		if (sqlite3_prepare_v3(w->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &p->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(w->db));
			goto fail;
		}
	if (retain_init(&p->ret, w->db, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	release(w);
	return -1;
}

void
writer_add_ring(struct writer *w, struct event_ring *r)
{
	if (w->nrings == WRITER_MAX_RINGS) {
		log_warnx("writer: more than %d event rings, ring ignored", WRITER_MAX_RINGS);
		return;
	}
	if (r->wake_fd < 0)
		r->wake_fd = w->wake_fd;
	w->rings[w->nrings++] = r;
}

int
writer_start(struct writer *w)
{
	int rc;

	if (w->priv == NULL)
		return -1;
	if ((rc = pthread_create(&w->thread, NULL, writer_main, w)) != 0) {
		errno = rc;
		return -1;
	}
	w->started = 1;
	return 0;
}

/*
 * What is left in the rings, written once the producers stopped; a
 * locked database is waited for until WRITER_STOP_MS, then what could not
 * be written is lost (logged, counted).
 */
static void
drain_last(struct writer *w)
{
	struct writer_priv *p = w->priv;
	uint64_t end = clock_mono_ms() + WRITER_STOP_MS, at, now, left;

	writer_drain(w);
	while (writer_waiting(w, &at) && (now = clock_mono_ms()) < end) {
		uint64_t wake = at < end ? at : end, ms = wake > now ? wake - now : 0;
		struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

		nanosleep(&ts, NULL);
		writer_drain(w);
	}
	if (p->held == 0)
		return;
	left = p->held;
	for (int i = 0; i < w->nrings; i++)
		left += __atomic_load_n(&w->rings[i]->head, __ATOMIC_ACQUIRE) - w->rings[i]->tail;
	log_warnx("writer: the database stayed locked: %llu records lost",
	    (unsigned long long)left);
	pthread_mutex_lock(&w->lock);
	p->lost += left;
	w->st.db_errors++;
	pthread_mutex_unlock(&w->lock);
	p->held = 0;
}

void
writer_stop(struct writer *w)
{
	uint64_t one = 1;

	if (w->started) {
		__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
		if (write(w->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			log_warn("writer: eventfd");
		pthread_join(w->thread, NULL);
		w->started = 0;
	}
	if (w->priv) {
		drain_last(w);		/* what the producers left, before they stopped */
		check_drops(w, 1);
		drops_write(w);
	}
	release(w);
}

void
writer_snapshot(struct writer *w, struct writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->st;
	pthread_mutex_unlock(&w->lock);
}
