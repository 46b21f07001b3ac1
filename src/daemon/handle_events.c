/*
 * handle_events.c: nvctl events, the audit log, read from the main
 * thread's database connection (WAL: the writer thread is not blocked).
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "daemon/request.h"
#include "base/control_proto.h"
#include "daemon/daemon.h"
#include "runtime/event.h"
#include "policy/policy.h"

#define EVENTS_USAGE		"events [--type T] [--group G] [--since TIME] [--limit N]"
#define EVENTS_DEFAULT_LIMIT	100

/* The INTERFACE.md fields, in order; the column index is the field's. */
static const char *const fields[] = {
	"id", "time", "type", "name", "level", "action", "proto",
	"src_ip", "src_port", "src_workload", "src_group",
	"dst_ip", "dst_port", "dst_workload", "dst_group",
	"fqdn", "app", "rule_id", "sensor", "message", "reason", "count",
};
enum {
	F_ID, F_TIME, F_TYPE, F_NAME, F_LEVEL, F_ACTION, F_PROTO,
	F_SRC_IP, F_SRC_PORT, F_SRC_WORKLOAD, F_SRC_GROUP,
	F_DST_IP, F_DST_PORT, F_DST_WORKLOAD, F_DST_GROUP,
	F_FQDN, F_APP, F_RULE_ID, F_SENSOR, F_MESSAGE, F_REASON, F_NCOUNT, F_COUNT
};
_Static_assert(sizeof(fields) / sizeof(fields[0]) == F_COUNT, "one name per field");

/* Bound parameters only: a NULL filter matches every row. */
static const char query_sql[] =
    "SELECT id, time, type, name, level, action, proto, src_ip, src_port, "
    "src_workload, src_group, dst_ip, dst_port, dst_workload, dst_group, fqdn, app, "
    "rule_id, sensor, message, reason, count FROM events "
    "WHERE (?1 IS NULL OR type = ?1) "
    "AND (?2 IS NULL OR src_group = ?2 OR dst_group = ?2) "
    "AND (?3 IS NULL OR time >= ?3) "
    "ORDER BY id DESC LIMIT ?4";

struct events_query {
	const char *type;		/* NULL: any */
	const char *group;
	char since[EVENT_TIME_LEN];	/* "": any */
	long long limit;		/* -1: no limit */
};

/* The options of events, taken by set_option(). */
static const struct req_opt options[] = {
	{ .name = "type" },
	{ .name = "group" },
	{ .name = "since" },
	{ .name = "limit" },
	{ .name = NULL },
};

/* Fills the events_query ctx from one option; a later one overrides an earlier one. */
static int
set_option(void *ctx, const struct req_opt *o, const char *val, struct buf *out)
{
	struct events_query *q = ctx;
	char err[256];
	enum event_type t;
	int64_t ms;

	if (strcmp(o->name, "type") == 0) {
		if (event_type_parse(val, &t) < 0)
			return req_error(out, CTL_RESP_USAGE, "unknown event type '%.64s' (expected "
			    "violation, threat, dlp, waf, incident, quarantine or admission)", val);
		q->type = event_type_name(t);
	} else if (strcmp(o->name, "group") == 0) {
		if (*val == '\0' || strlen(val) >= POLICY_NAME_MAX)
			return req_error(out, CTL_RESP_USAGE, "bad group name '%.64s' (1-%d bytes)", val,
			    POLICY_NAME_MAX - 1);
		q->group = val;
	} else if (strcmp(o->name, "since") == 0) {
		if (event_since_parse(val, clock_real_ms(), &ms, err, sizeof(err)) < 0)
			return req_error(out, CTL_RESP_USAGE, "--since: %s", err);
		event_time_format(ms, q->since, sizeof(q->since));
	} else if (req_limit(val, &q->limit) < 0)
		return req_error(out, CTL_RESP_USAGE, "bad --limit '%.64s' (expected 0 to %d; 0 means "
		    "no limit)", val, REQ_MAX_LIMIT);
	return CTL_RESP_OK;
}

static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void
json_row(sqlite3_stmt *st, struct buf *o)
{
	buf_puts(o, "{");
	for (int i = 0; i < F_COUNT; i++) {
		buf_printf(o, "%s\"%s\":", i ? "," : "", fields[i]);
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_NULL:
			buf_puts(o, "null");
			break;
		case SQLITE_INTEGER:
			buf_printf(o, "%lld", (long long)sqlite3_column_int64(st, i));
			break;
		default:
			buf_json_str(o, col(st, i));
			break;
		}
	}
	buf_puts(o, "}");
}

/* One end for people: workload name, else address; with ":port". */
static void
end_text(sqlite3_stmt *st, int wl, int ip, int port, char *out, size_t outlen)
{
	const char *name = col(st, wl) ? col(st, wl) : col(st, ip);

	if (name == NULL)
		name = "-";
	if (sqlite3_column_type(st, port) == SQLITE_NULL)
		snprintf(out, outlen, "%s", name);
	else if (strchr(name, ':'))	/* an IPv6 address */
		snprintf(out, outlen, "[%s]:%lld", name, (long long)sqlite3_column_int64(st, port));
	else
		snprintf(out, outlen, "%s:%lld", name, (long long)sqlite3_column_int64(st, port));
}

/* The columns of the table but the last (the message). */
enum { C_TIME, C_TYPE, C_LEVEL, C_ACTION, C_PROTO, C_SRC, C_DST, C_GROUPS, C_RULE, C_COUNT };
static const char *const headers[C_COUNT] = {
	"time", "type", "level", "action", "proto", "source", "destination", "groups", "rule",
};

struct text_cells {
	const char *c[C_COUNT];
	char src[POLICY_NAME_MAX + 16];
	char dst[POLICY_NAME_MAX + 16];
	char groups[2 * POLICY_NAME_MAX + 4];
	char rule[24];
};

static const char *
or_dash(const char *s)
{
	return s ? s : "-";
}

static void
text_cells(sqlite3_stmt *st, struct text_cells *t)
{
	end_text(st, F_SRC_WORKLOAD, F_SRC_IP, F_SRC_PORT, t->src, sizeof(t->src));
	end_text(st, F_DST_WORKLOAD, F_DST_IP, F_DST_PORT, t->dst, sizeof(t->dst));
	snprintf(t->groups, sizeof(t->groups), "%s->%s", or_dash(col(st, F_SRC_GROUP)),
	    or_dash(col(st, F_DST_GROUP)));
	if (sqlite3_column_type(st, F_RULE_ID) == SQLITE_NULL)
		snprintf(t->rule, sizeof(t->rule), "-");
	else
		snprintf(t->rule, sizeof(t->rule), "%lld",
		    (long long)sqlite3_column_int64(st, F_RULE_ID));
	t->c[C_TIME] = or_dash(col(st, F_TIME));
	t->c[C_TYPE] = or_dash(col(st, F_TYPE));
	t->c[C_LEVEL] = or_dash(col(st, F_LEVEL));
	t->c[C_ACTION] = or_dash(col(st, F_ACTION));
	t->c[C_PROTO] = or_dash(col(st, F_PROTO));
	t->c[C_SRC] = t->src;
	t->c[C_DST] = t->dst;
	t->c[C_GROUPS] = t->groups;
	t->c[C_RULE] = t->rule;
}

/* One line, without the padding after its last word. */
static void
text_line(const char *const *c, const char *message, const int *wd, struct buf *o)
{
	for (int i = 0; i < C_COUNT; i++)
		buf_printf(o, "%-*s  ", wd[i], c[i]);
	buf_puts(o, message);
	while (!buf_failed(o) && o->len > 0 && o->data[o->len - 1] == ' ')
		o->len--;
	buf_puts(o, "\n");
}

static int
bind_query(sqlite3_stmt *st, const struct events_query *q)
{
	if ((q->type && sqlite3_bind_text(st, 1, q->type, -1, SQLITE_STATIC) != SQLITE_OK) ||
	    (q->group && sqlite3_bind_text(st, 2, q->group, -1, SQLITE_STATIC) != SQLITE_OK) ||
	    (q->since[0] && sqlite3_bind_text(st, 3, q->since, -1, SQLITE_STATIC) != SQLITE_OK) ||
	    sqlite3_bind_int64(st, 4, q->limit) != SQLITE_OK)
		return -1;
	return 0;
}

static int
too_big(struct buf *o)
{
	return req_too_big(o, "events", "--limit, --since, --type or --group");
}

static int
write_json(sqlite3_stmt *st, struct buf *o)
{
	int rc, n = 0;

	buf_puts(o, "[");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++)
			buf_puts(o, ",");
		json_row(st, o);
		if (o->len > REQ_REPLY_MAX)
			return too_big(o);
	}
	if (rc != SQLITE_DONE)
		return -1;
	buf_puts(o, "]\n");
	return CTL_RESP_OK;
}

/* Two passes over the same read transaction: widths, then rows. */
static int
write_text(sqlite3_stmt *st, struct buf *o)
{
	int wd[C_COUNT], rc;
	struct text_cells t;

	for (int i = 0; i < C_COUNT; i++)
		wd[i] = (int)strlen(headers[i]);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		text_cells(st, &t);
		for (int i = 0; i < C_COUNT; i++)
			if ((int)strlen(t.c[i]) > wd[i])
				wd[i] = (int)strlen(t.c[i]);
	}
	if (rc != SQLITE_DONE || sqlite3_reset(st) != SQLITE_OK)
		return -1;
	text_line(headers, "message", wd, o);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long n = sqlite3_column_int64(st, F_NCOUNT);
		char msg[320];

		text_cells(st, &t);
		/* An aggregated row says how many events it stands for. */
		snprintf(msg, sizeof(msg), n > 1 ? "%s (%lld times)" : "%s",
		    col(st, F_MESSAGE) ? col(st, F_MESSAGE) : "", n);
		text_line(t.c, msg, wd, o);
		if (o->len > REQ_REPLY_MAX)
			return too_big(o);
	}
	return rc == SQLITE_DONE ? CTL_RESP_OK : -1;
}

static int
cmd_events(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct events_query q;
	sqlite3_stmt *st = NULL;
	int rc, in_tx = 0;

	memset(&q, 0, sizeof(q));
	q.limit = EVENTS_DEFAULT_LIMIT;
	if ((rc = req_options(argc, argv, options, EVENTS_USAGE, set_option, &q, o)) != CTL_RESP_OK)
		return rc;
	/* one snapshot for both passes of the table */
	if (sqlite3_get_autocommit(d->db) &&
	    sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
		in_tx = 1;
	if (sqlite3_prepare_v2(d->db, query_sql, -1, &st, NULL) != SQLITE_OK ||
	    bind_query(st, &q) < 0)
		rc = -1;
	else
		rc = json ? write_json(st, o) : write_text(st, o);
	if (rc < 0) {
		buf_reset(o);
		buf_printf(o, "reading events: %s", sqlite3_errmsg(d->db));
		rc = CTL_RESP_ERROR;
	}
	sqlite3_finalize(st);
	if (in_tx)
		sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

const struct handler event_handlers[] = {
	{ { "events" }, 0, 8, EVENTS_USAGE, cmd_events, REQ_READS },
	{ { NULL }, 0, 0, NULL, NULL, REQ_UNSAID },
};
