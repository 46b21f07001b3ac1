/*
 * handle_conv.c: nvctl conversations, who talks to whom by application,
 * read from the conversations table (schema/003_conversations.sql) on the
 * main thread's connection.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/app_table.h"
#include "daemon/request.h"
#include "base/control_proto.h"
#include "daemon/daemon.h"
#include "policy/policy.h"
#include "base/table.h"

#define CONV_USAGE	"conversations [--group G] [--app A] [--verdict V] [--limit N]"
#define CONV_DEFAULT_LIMIT	1000

/* Bound parameters only: a NULL filter matches every row. */
static const char query_sql[] =
    "SELECT from_group, to_group, fqdn, app, proto, port, sessions, bytes, first_seen, "
    "last_seen, verdict FROM conversations "
    "WHERE (?1 IS NULL OR from_group = ?1 OR to_group = ?1) "
    "AND (?2 IS NULL OR app = ?2 COLLATE NOCASE) "
    "AND (?3 IS NULL OR verdict = ?3) "
    "ORDER BY last_seen DESC, from_group, to_group, app, port LIMIT ?4";

enum { Q_FROM, Q_TO, Q_FQDN, Q_APP, Q_PROTO, Q_PORT, Q_SESSIONS, Q_BYTES, Q_FIRST, Q_LAST,
	Q_VERDICT };

struct conv_query {
	const char *group, *app, *verdict;
	long long limit;		/* -1: all */
};

/* A bad value: the message, then the usage line. */
static int
bad(struct buf *o, const char *fmt, const char *arg)
{
	buf_printf(o, fmt, arg);
	buf_printf(o, " (usage: nvctl %s)", CONV_USAGE);
	return CTL_RESP_USAGE;
}

/* The options of conversations, taken by set_option(). */
static const struct req_opt options[] = {
	{ .name = "group" },
	{ .name = "app" },
	{ .name = "verdict" },
	{ .name = "limit" },
	{ .name = NULL },
};

/* Fills the conv_query ctx from one option; a later one overrides an earlier one. */
static int
set_option(void *ctx, const struct req_opt *opt, const char *val, struct buf *o)
{
	struct conv_query *q = ctx;
	enum app_id id;

	if (!strcmp(opt->name, "group")) {
		if (*val == '\0' || strlen(val) >= POLICY_NAME_MAX)
			return bad(o, "bad group name '%.64s'", val);
		q->group = val;
	} else if (!strcmp(opt->name, "app")) {
		/* By rule word or by name: "postgresql", "PostgreSQL", "unknown". */
		if (strcasecmp(val, "unknown") == 0)
			q->app = app_name(APP_UNKNOWN);
		else if ((id = app_by_word(val)) == APP_COUNT)
			return bad(o, "unknown application '%.64s'", val);
		else
			q->app = app_name(id);
	} else if (!strcmp(opt->name, "verdict")) {
		if (strcmp(val, "allow") && strcmp(val, "alert") && strcmp(val, "deny"))
			return bad(o, "bad verdict '%.64s' (expected allow, alert or deny)", val);
		q->verdict = val;
	} else if (req_limit(val, &q->limit) < 0)
		return bad(o, "bad --limit '%.64s' (0 means no limit)", val);
	return CTL_RESP_OK;
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

/* RFC 3339 UTC, as the other commands print times; a conversation has them all. */
static const char *
fmt_time(int64_t t, char *s, size_t size)
{
	const char *f = req_utc(t, s, size);

	return f ? f : "-";
}

static void
json_row(sqlite3_stmt *st, struct buf *o)
{
	char t[32];

	buf_puts(o, "{\"from\":");
	buf_json_str(o, col(st, Q_FROM));
	buf_puts(o, ",\"to\":");
	buf_json_str(o, col(st, Q_TO));
	buf_puts(o, ",\"fqdn\":");
	buf_json_str(o, col(st, Q_FQDN)[0] ? col(st, Q_FQDN) : NULL);
	buf_puts(o, ",\"application\":");
	buf_json_str(o, col(st, Q_APP));
	buf_puts(o, ",\"proto\":");
	buf_json_str(o, col(st, Q_PROTO));
	buf_printf(o, ",\"port\":%lld,\"sessions\":%lld,\"bytes\":%lld,\"first_seen\":",
	    (long long)sqlite3_column_int64(st, Q_PORT),
	    (long long)sqlite3_column_int64(st, Q_SESSIONS),
	    (long long)sqlite3_column_int64(st, Q_BYTES));
	buf_json_str(o, fmt_time(sqlite3_column_int64(st, Q_FIRST), t, sizeof(t)));
	buf_puts(o, ",\"last_seen\":");
	buf_json_str(o, fmt_time(sqlite3_column_int64(st, Q_LAST), t, sizeof(t)));
	buf_puts(o, ",\"verdict\":");
	buf_json_str(o, col(st, Q_VERDICT));
	buf_puts(o, "}");
}

static void
text_row(sqlite3_stmt *st, struct table *t)
{
	char s[32];
	const char *proto = col(st, Q_PROTO);

	table_add(t, col(st, Q_FROM));
	table_add(t, col(st, Q_FQDN)[0] ? col(st, Q_FQDN) : col(st, Q_TO));
	table_add(t, col(st, Q_APP));
	if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
		table_add(t, proto);	/* icmp, proto/N */
	else
		table_addf(t, "%s/%lld", proto, (long long)sqlite3_column_int64(st, Q_PORT));
	table_addf(t, "%lld", (long long)sqlite3_column_int64(st, Q_SESSIONS));
	table_addf(t, "%lld", (long long)sqlite3_column_int64(st, Q_BYTES));
	table_add(t, fmt_time(sqlite3_column_int64(st, Q_LAST), s, sizeof(s)));
	table_add(t, col(st, Q_VERDICT));
}

static int
write_rows(sqlite3_stmt *st, int json, struct buf *o)
{
	static const char *const head[] = { "from", "to", "application", "port", "sessions",
		"bytes", "last_seen", "verdict" };
	struct table t = { .ncols = 8 };
	int rc, n = 0;

	if (json)
		buf_puts(o, "[");
	else
		for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
			table_add(&t, head[i]);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (json) {
			buf_puts(o, n ? "," : "");
			json_row(st, o);
		} else
			text_row(st, &t);
		n++;
		if (o->len > REQ_REPLY_MAX || (size_t)t.n * 32 > REQ_REPLY_MAX) {
			table_free(&t);
			return req_too_big(o, "conversations", "--limit, --group, --app or --verdict");
		}
	}
	if (json)
		buf_puts(o, "]\n");
	else
		table_print(&t, o);
	table_free(&t);
	return rc == SQLITE_DONE ? CTL_RESP_OK : -1;
}

static int
cmd_conversations(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct conv_query q;
	sqlite3_stmt *st = NULL;
	int rc;

	memset(&q, 0, sizeof(q));
	q.limit = CONV_DEFAULT_LIMIT;
	if ((rc = req_options(argc, argv, options, CONV_USAGE, set_option, &q, o)) != CTL_RESP_OK)
		return rc;
	if (sqlite3_prepare_v2(d->db, query_sql, -1, &st, NULL) != SQLITE_OK ||
	    (q.group && sqlite3_bind_text(st, 1, q.group, -1, SQLITE_STATIC) != SQLITE_OK) ||
	    (q.app && sqlite3_bind_text(st, 2, q.app, -1, SQLITE_STATIC) != SQLITE_OK) ||
	    (q.verdict && sqlite3_bind_text(st, 3, q.verdict, -1, SQLITE_STATIC) != SQLITE_OK) ||
	    sqlite3_bind_int64(st, 4, q.limit) != SQLITE_OK)
		rc = -1;
	else
		rc = write_rows(st, json, o);
	if (rc < 0) {
		buf_reset(o);
		buf_printf(o, "reading conversations: %s", sqlite3_errmsg(d->db));
		rc = CTL_RESP_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

const struct handler conv_handlers[] = {
	{ { "conversations" }, 0, 8, CONV_USAGE, cmd_conversations, REQ_READS },
	{ { NULL }, 0, 0, NULL, NULL, REQ_UNSAID },
};
