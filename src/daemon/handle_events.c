/*
 * handle_events.c: nvctl events and events show, the audit log, read from
 * the main thread's database connection (WAL: the writer thread is not
 * blocked, and a lock another program holds is waited for no longer than
 * the request's deadline, daemon.h).
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "daemon/request.h"
#include "base/control_proto.h"
#include "daemon/daemon.h"
#include "runtime/event.h"
#include "policy/policy.h"
#include "store/store.h"
#include "store/store_admission.h"

#define EVENTS_USAGE		"events [--type T] [--level L] [--group G] [--workload W] " \
				"[--since TIME] [--until TIME] [--limit N]"
#define SHOW_USAGE		"events show ID"
#define EVENTS_DEFAULT_LIMIT	100

/* The INTERFACE.md fields, in order; the column index is the field's. */
static const char *const fields[] = {
	"id", "time", "type", "name", "level", "action", "proto",
	"src_ip", "src_port", "src_workload", "src_group",
	"dst_ip", "dst_port", "dst_workload", "dst_group",
	"fqdn", "app", "rule_id", "sensor", "message", "reason", "count", "excerpt", "pcap",
};
enum {
	F_ID, F_TIME, F_TYPE, F_NAME, F_LEVEL, F_ACTION, F_PROTO,
	F_SRC_IP, F_SRC_PORT, F_SRC_WORKLOAD, F_SRC_GROUP,
	F_DST_IP, F_DST_PORT, F_DST_WORKLOAD, F_DST_GROUP,
	F_FQDN, F_APP, F_RULE_ID, F_SENSOR, F_MESSAGE, F_REASON, F_NCOUNT, F_EXCERPT, F_PCAP,
	F_COUNT
};
_Static_assert(sizeof(fields) / sizeof(fields[0]) == F_COUNT, "one name per field");

#define SELECT_SQL	"SELECT id, time, type, name, level, action, proto, src_ip, src_port, " \
	"src_workload, src_group, dst_ip, dst_port, dst_workload, dst_group, fqdn, app, " \
	"rule_id, sensor, message, reason, count, excerpt, pcap FROM events"

/*
 * The filters, each a fixed piece of SQL with its bound parameter: the
 * query has the pieces of the filters given, so that SQLite can use the
 * index of each (schema/009_audit.sql).  Newest first: by time, then id.
 */
enum { Q_TYPE, Q_LEVEL, Q_GROUP, Q_WORKLOAD, Q_SINCE, Q_UNTIL, Q_COUNT };
static const char *const filter_sql[Q_COUNT] = {
	[Q_TYPE] = "type = ?1",
	[Q_LEVEL] = "level = ?2",
	[Q_GROUP] = "(src_group = ?3 OR dst_group = ?3)",
	[Q_WORKLOAD] = "(src_workload = ?4 OR dst_workload = ?4)",
	[Q_SINCE] = "time >= ?5",
	[Q_UNTIL] = "time < ?6",
};
#define ORDER_SQL	" ORDER BY time DESC, id DESC LIMIT ?7"

struct events_query {
	const char *val[Q_COUNT];	/* NULL: any */
	char since[EVENT_TIME_LEN];
	char until[EVENT_TIME_LEN];
	long long limit;		/* -1: no limit */
};

/* The options of events, taken by set_option(). */
static const struct req_opt options[] = {
	{ .name = "type" },
	{ .name = "level" },
	{ .name = "group" },
	{ .name = "workload" },
	{ .name = "since" },
	{ .name = "until" },
	{ .name = "limit" },
	{ .name = NULL },
};

/* --since and --until: a time, or an age before now. */
static int
set_time(const char *opt, const char *val, char *out, struct buf *o)
{
	char err[256];
	int64_t ms;

	if (event_since_parse(val, clock_real_ms(), &ms, err, sizeof(err)) < 0)
		return req_error(o, CTL_RESP_USAGE, "--%s: %s", opt, err);
	event_time_format(ms, out, EVENT_TIME_LEN);
	return CTL_RESP_OK;
}

/* A group or workload name. */
static int
set_name(const char *what, const char *val, const char **out, struct buf *o)
{
	if (*val == '\0' || strlen(val) >= POLICY_NAME_MAX)
		return req_error(o, CTL_RESP_USAGE, "bad %s name '%.64s' (1-%d bytes)", what, val,
		    POLICY_NAME_MAX - 1);
	*out = val;
	return CTL_RESP_OK;
}

/* Fills the events_query ctx from one option; a later one overrides an earlier one. */
static int
set_option(void *ctx, const struct req_opt *o, const char *val, struct buf *out)
{
	struct events_query *q = ctx;
	enum event_type t;
	enum event_level l;

	if (strcmp(o->name, "type") == 0) {
		if (event_type_parse(val, &t) < 0)
			return req_error(out, CTL_RESP_USAGE, "unknown event type '%.64s' (expected "
			    "violation, threat, dlp, waf, incident, quarantine or admission)", val);
		q->val[Q_TYPE] = event_type_name(t);
	} else if (strcmp(o->name, "level") == 0) {
		if (event_level_parse(val, &l) < 0)
			return req_error(out, CTL_RESP_USAGE, "unknown event level '%.64s' (expected "
			    "info, warning or critical)", val);
		q->val[Q_LEVEL] = event_level_name(l);
	} else if (strcmp(o->name, "group") == 0) {
		return set_name("group", val, &q->val[Q_GROUP], out);
	} else if (strcmp(o->name, "workload") == 0) {
		return set_name("workload", val, &q->val[Q_WORKLOAD], out);
	} else if (strcmp(o->name, "since") == 0) {
		q->val[Q_SINCE] = q->since;
		return set_time("since", val, q->since, out);
	} else if (strcmp(o->name, "until") == 0) {
		q->val[Q_UNTIL] = q->until;
		return set_time("until", val, q->until, out);
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

/* The row's fields as JSON members, without the braces. */
static void
json_fields(sqlite3_stmt *st, struct buf *o)
{
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

/* The query of q: its filters' pieces, their values bound. */
static sqlite3_stmt *
prepare_query(sqlite3 *db, const struct events_query *q)
{
	sqlite3_stmt *st = NULL;
	struct buf sql;
	int n = 0;

	buf_init(&sql);
	buf_puts(&sql, SELECT_SQL);
	for (int i = 0; i < Q_COUNT; i++)
		if (q->val[i]) {
			buf_puts(&sql, n++ ? " AND " : " WHERE ");
			buf_puts(&sql, filter_sql[i]);
		}
	buf_puts(&sql, ORDER_SQL);
	if (buf_failed(&sql) || sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	for (int i = 0; i < Q_COUNT; i++)
		if (q->val[i] && sqlite3_bind_text(st, i + 1, q->val[i], -1, SQLITE_STATIC) !=
		    SQLITE_OK)
			goto fail;
	if (sqlite3_bind_int64(st, Q_COUNT + 1, q->limit) != SQLITE_OK)
		goto fail;
	buf_free(&sql);
	return st;
fail:
	sqlite3_finalize(st);
	buf_free(&sql);
	return NULL;
}

static int
too_big(struct buf *o)
{
	return req_too_big(o, "events", "--limit, --since, --until, --type, --level, --group or "
	    "--workload");
}

static int
write_json(sqlite3_stmt *st, struct buf *o)
{
	int rc, n = 0;

	buf_puts(o, "[");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_puts(o, n++ ? ",{" : "{");
		json_fields(st, o);
		buf_puts(o, "}");
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
	if ((st = prepare_query(d->db, &q)) == NULL)
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

/* --- events show ------------------------------------------------------ */

/* The evidence events show adds to the row. */
struct evidence {
	int has_rule;			/* rule_id is set ... */
	char rule[1024];		/* ... and names this rule as it is now, or "" */
	char pcap[PATH_MAX];		/* pcap_dir/file, or "" */
	int pcap_exists;
};

/* "nv.client -> nv.web tcp/8080 postgresql allow (user)" */
static int
network_rule(sqlite3 *db, int64_t id, char *out, size_t outlen)
{
	struct policy_rule r;
	char ports[POLICY_MAX_PORTS * 24], err[256];

	if (store_rule_get(db, id, &r, err, sizeof(err)) < 0)
		return -1;
	ports_format(r.ports, r.nports, ports, sizeof(ports));
	snprintf(out, outlen, "%s -> %s %s %s %s (%s)", r.from, r.to, ports, r.apps,
	    policy_rule_action_name(r.action), policy_rule_type_name(r.type));
	return 0;
}

/* An admission event's rule_id is an admission rule's:
 * "admission deny privileged (built in: privileged)" */
static int
admission_rule(sqlite3 *db, int64_t id, char *out, size_t outlen)
{
	struct adm_rule r;
	char crit[512], err[256];

	if (store_adm_rule_get(db, id, &r, err, sizeof(err)) < 0)
		return -1;
	adm_criteria_format(r.c, r.ncrit, crit, sizeof(crit));
	snprintf(out, outlen, "admission %s %s (%s%s%s)", r.deny ? "deny" : "allow", crit,
	    r.builtin ? "built in: " : "user", r.builtin ? r.name : "",
	    r.enabled ? "" : ", disabled");
	return 0;
}

static void
evidence_get(struct daemon *d, sqlite3_stmt *st, struct evidence *e)
{
	int64_t id = sqlite3_column_int64(st, F_RULE_ID);
	const char *type = col(st, F_TYPE);
	int rc;

	memset(e, 0, sizeof(*e));
	if (sqlite3_column_type(st, F_RULE_ID) != SQLITE_NULL) {
		e->has_rule = 1;
		if (type && strcmp(type, event_type_name(EV_ADMISSION)) == 0)
			rc = admission_rule(d->db, id, e->rule, sizeof(e->rule));
		else
			rc = network_rule(d->db, id, e->rule, sizeof(e->rule));
		if (rc < 0)
			e->rule[0] = '\0';
	}
	/* a name as nvd gives them: a row written by hand names no other file */
	if (col(st, F_PCAP) && d->conf.pcap_dir[0] && !strchr(col(st, F_PCAP), '/') &&
	    strncmp(col(st, F_PCAP), "nvd-", 4) == 0 &&
	    snprintf(e->pcap, sizeof(e->pcap), "%s/%s", d->conf.pcap_dir, col(st, F_PCAP)) <
	    (int)sizeof(e->pcap))
		e->pcap_exists = access(e->pcap, F_OK) == 0;
	else
		e->pcap[0] = '\0';
}

static void
show_json(sqlite3_stmt *st, const struct evidence *e, struct buf *o)
{
	buf_puts(o, "{");
	json_fields(st, o);
	buf_puts(o, ",\"rule\":");
	buf_json_str(o, e->rule[0] ? e->rule : NULL);
	buf_puts(o, ",\"pcap_path\":");
	buf_json_str(o, e->pcap[0] ? e->pcap : NULL);
	buf_printf(o, ",\"pcap_exists\":%s}\n", !e->pcap[0] ? "null" :
	    e->pcap_exists ? "true" : "false");
}

static void
show_text(sqlite3_stmt *st, const struct evidence *e, struct buf *o)
{
	for (int i = 0; i < F_COUNT; i++) {
		const char *v = col(st, i) ? col(st, i) : "-";

		buf_printf(o, "%-13s %s", fields[i], v);
		if (i == F_RULE_ID && e->has_rule)
			buf_printf(o, " (%s)", e->rule[0] ? e->rule : "deleted since");
		else if (i == F_NCOUNT && sqlite3_column_int64(st, i) > 1)
			buf_puts(o, " alike events, aggregated");
		else if (i == F_PCAP && e->pcap[0])
			buf_printf(o, " (%s%s)", e->pcap, e->pcap_exists ? "" :
			    ", deleted since");
		buf_puts(o, "\n");
	}
}

static int
cmd_events_show(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct evidence e;
	sqlite3_stmt *st = NULL;
	char *end;
	long long id;
	int rc;

	if (argv[0][0] < '1' || argv[0][0] > '9' ||
	    (id = strtoll(argv[0], &end, 10), *end != '\0') || id == LLONG_MAX)
		return req_error(o, CTL_RESP_USAGE, "bad event id '%.64s' (expected a positive "
		    "number)", argv[0]);
	if (sqlite3_prepare_v2(d->db, SELECT_SQL " WHERE id = ?1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, id) != SQLITE_OK)
		rc = SQLITE_ERROR;
	else
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		evidence_get(d, st, &e);
		if (json)
			show_json(st, &e, o);
		else
			show_text(st, &e, o);
		rc = CTL_RESP_OK;
	} else if (rc == SQLITE_DONE)
		rc = req_error(o, CTL_RESP_NOTFOUND, "no event %lld", id);
	else
		rc = req_error(o, CTL_RESP_ERROR, "reading events: %s", sqlite3_errmsg(d->db));
	sqlite3_finalize(st);
	return rc;
}

const struct handler event_handlers[] = {
	{ { "events", "show" }, 1, 1, SHOW_USAGE, cmd_events_show, REQ_READS },
	{ { "events" }, 0, 14, EVENTS_USAGE, cmd_events, REQ_READS },
	{ { NULL }, 0, 0, NULL, NULL, REQ_UNSAID },
};
