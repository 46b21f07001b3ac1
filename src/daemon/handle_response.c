/*
 * handle_response.c: nvctl response and quarantine: response rules (what
 * nvd does when an event is written), a dry run of them against a stored
 * event, and the quarantined workloads.
 *
 * Rule changes go to the database (store_response.c), then to the writer
 * thread, which judges events with them from its next batch on.  A
 * release deletes the quarantine and rebuilds the policy before the reply,
 * so that the workload's traffic flows again once nvctl returns.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/control_proto.h"
#include "base/table.h"
#include "daemon/daemon.h"
#include "daemon/request.h"
#include "policy/response.h"
#include "store/store.h"
#include "store/store_response.h"

#define USAGE_LIST	"response list"
#define USAGE_SHOW	"response show ID"
#define USAGE_ADD	"response add --category C [--group G] [--criteria K=GLOB[,K=GLOB]...] " \
	"--action A[,A]"
#define USAGE_ENABLE	"response enable ID"
#define USAGE_DISABLE	"response disable ID"
#define USAGE_DEL	"response delete ID"
#define USAGE_TEST	"response test EVENT_ID"
#define USAGE_RESPONSE	"response list|show|add|enable|disable|delete|test ..."
#define USAGE_Q_LIST	"quarantine list"
#define USAGE_Q_RELEASE	"quarantine release WORKLOAD"
#define USAGE_Q		"quarantine list|release ..."

/* The one word of a request that names an id (what: "response rule",
 * "event"): *id.  CTL_RESP_OK, or an error in o. */
static int
id_word(int argc, char **argv, const char *usage, const char *what, int64_t *id,
    struct buf *o)
{
	const char *pos[1];
	char *end;

	if (req_parse(argc, argv, NULL, pos, 1, 1) < 0)
		return req_usage(o, usage);
	*id = strtoll(pos[0], &end, 10);
	if (pos[0][0] < '1' || pos[0][0] > '9' || *end != '\0' || *id <= 0 || *id == INT64_MAX)
		return req_error(o, CTL_RESP_ERROR, "bad %s id '%.64s' (expected a positive "
		    "number)", what, pos[0]);
	return CTL_RESP_OK;
}

/* The stored rules went to the writer; "saved, but ..." when they could not. */
static int
rules_apply(struct daemon *d, struct buf *o)
{
	char err[512];

	if (daemon_response_reload(d, err, sizeof(err)) < 0)
		return req_error(o, CTL_RESP_ERROR, "saved, but the response rules in use were "
		    "not reloaded: %s", err);
	return CTL_RESP_OK;
}

/* --- output -------------------------------------------------------------- */

static void
json_rule(struct buf *o, const struct response_rule *r)
{
	buf_printf(o, "{\"id\":%lld,\"category\":\"%s\",\"group\":", (long long)r->id,
	    response_category_name(r->category));
	buf_json_str(o, r->group[0] ? r->group : NULL);
	buf_puts(o, ",\"criteria\":{");
	for (int i = 0; i < r->ncrit; i++) {
		buf_printf(o, "%s\"%s\":", i ? "," : "", response_key_name(r->crit[i].key));
		buf_json_str(o, r->crit[i].glob);
	}
	buf_puts(o, "},\"actions\":[");
	if (r->actions & RESP_ACT_QUARANTINE)
		buf_puts(o, "\"quarantine\"");
	for (int i = 0; i < r->nwebhooks; i++) {
		char a[RESPONSE_URL_MAX + 8];

		snprintf(a, sizeof(a), "webhook=%s", r->webhooks[i]);
		buf_puts(o, i || (r->actions & RESP_ACT_QUARANTINE) ? "," : "");
		buf_json_str(o, a);
	}
	if (r->actions & RESP_ACT_SUPPRESS)
		buf_puts(o, r->actions & ~RESP_ACT_SUPPRESS ? ",\"suppress-log\"" : "\"suppress-log\"");
	buf_printf(o, "],\"enabled\":%s,\"fired\":%lld,\"suppressed\":%lld",
	    r->enabled ? "true" : "false", (long long)r->fired, (long long)r->suppressed);
	for (int i = 0; i < 3; i++) {
		buf_printf(o, ",\"%s\":", (const char *[]){ "last_fired", "created", "updated" }[i]);
		req_json_time(o, (int64_t[]){ r->last_fired, r->created, r->updated }[i]);
	}
	buf_puts(o, "}");
}

/* An array of the n rules of rules (pick: their indexes, or NULL: in order). */
static void
json_rules(struct buf *o, const struct response_rule *rules, const int *pick, int n)
{
	for (int k = 0; k < n; k++) {
		buf_puts(o, k ? "," : "[");
		json_rule(o, &rules[pick ? pick[k] : k]);
	}
	buf_puts(o, n ? "]" : "[]");
}

/* A rule as one line for people: "security-event, any group, name=x: quarantine". */
static void
text_rule_line(struct buf *o, const struct response_rule *r)
{
	char crit[RESPONSE_TEXT_MAX], acts[RESPONSE_TEXT_MAX];

	response_criteria_format(r, crit, sizeof(crit));
	response_actions_format(r, acts, sizeof(acts));
	buf_printf(o, "%s, %s%s, %s: %s", response_category_name(r->category),
	    r->group[0] ? "group " : "any group", r->group, crit[0] ? crit : "every event", acts);
}

static int
cmd_list(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct table t = { .ncols = 8 };
	struct response_rule *r;
	char err[512], text[RESPONSE_TEXT_MAX];
	int n;

	if (req_parse(argc, argv, NULL, NULL, 0, 0) < 0)
		return req_usage(o, USAGE_LIST);
	if (store_response_list(d->db, &r, &n, err, sizeof(err)) < 0)
		return req_error(o, CTL_RESP_ERROR, "%s", err);
	if (json) {
		json_rules(o, r, NULL, n);
		buf_puts(o, "\n");
		free(r);
		return CTL_RESP_OK;
	}
	for (int c = 0; c < 8; c++)
		table_add(&t, (const char *[]){ "id", "category", "group", "criteria", "actions",
		    "enabled", "fired", "suppressed" }[c]);
	for (int i = 0; i < n; i++) {
		table_addf(&t, "%lld", (long long)r[i].id);
		table_add(&t, response_category_name(r[i].category));
		table_add(&t, r[i].group[0] ? r[i].group : "-");
		response_criteria_format(&r[i], text, sizeof(text));
		table_add(&t, text[0] ? text : "-");
		response_actions_format(&r[i], text, sizeof(text));
		table_add(&t, text);
		table_add(&t, r[i].enabled ? "yes" : "no");
		table_addf(&t, "%lld", (long long)r[i].fired);
		table_addf(&t, "%lld", (long long)r[i].suppressed);
	}
	if (n == 0)
		buf_puts(o, "no response rules\n");
	else
		table_print(&t, o);
	table_free(&t);
	free(r);
	return CTL_RESP_OK;
}

static void
text_show(struct buf *o, const struct response_rule *r)
{
	char text[RESPONSE_TEXT_MAX], tm[32];

	buf_printf(o, "id          %lld\ncategory    %s\ngroup       %s\n", (long long)r->id,
	    response_category_name(r->category), r->group[0] ? r->group : "- (any)");
	response_criteria_format(r, text, sizeof(text));
	buf_printf(o, "criteria    %s\n", text[0] ? text : "- (every event of the category)");
	response_actions_format(r, text, sizeof(text));
	buf_printf(o, "actions     %s\nenabled     %s\n", text, r->enabled ? "yes" : "no");
	buf_printf(o, "fired       %lld (last %s)\n", (long long)r->fired,
	    req_text_time(r->last_fired, tm, sizeof(tm)));
	buf_printf(o, "suppressed  %lld\n", (long long)r->suppressed);
	buf_printf(o, "created     %s\n", req_text_time(r->created, tm, sizeof(tm)));
	buf_printf(o, "updated     %s\n", req_text_time(r->updated, tm, sizeof(tm)));
}

/* Rule id as stored, for people or as JSON. */
static int
rule_reply(struct daemon *d, int64_t id, int json, struct buf *o)
{
	struct response_rule r;
	char err[512];
	int rc = store_response_get(d->db, id, &r, err, sizeof(err));

	if (rc < 0)
		return req_store_fail(o, rc, err);
	if (!json)
		text_show(o, &r);
	else {
		json_rule(o, &r);
		buf_puts(o, "\n");
	}
	return CTL_RESP_OK;
}

static int
cmd_show(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	int64_t id;
	int rc;

	if ((rc = id_word(argc, argv, USAGE_SHOW, "response rule", &id, o)) != CTL_RESP_OK)
		return rc;
	return rule_reply(d, id, json, o);
}

/* --- add, enable, disable, delete ---------------------------------------- */

static int
cmd_add(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *category, *group, *criteria, *action;
	const struct req_opt opts[] = {
		{ .name = "category", .max = 1, .val = &category },
		{ .name = "group", .max = 1, .val = &group },
		{ .name = "criteria", .max = 1, .val = &criteria },
		{ .name = "action", .max = 1, .val = &action },
		{ .name = NULL },
	};
	struct response_rule *r;
	char err[512];
	int rc;

	if (req_parse(argc, argv, opts, NULL, 0, 0) < 0 || category == NULL || action == NULL)
		return req_usage(o, USAGE_ADD);
	if ((r = calloc(1, sizeof(*r))) == NULL)	/* 3 KiB: not on the stack */
		return req_error(o, CTL_RESP_ERROR, "out of memory");
	if (response_category_parse(category, &r->category) < 0)
		rc = req_error(o, CTL_RESP_ERROR, "unknown category '%.40s' (expected "
		    "security-event, event, cve-report, compliance or admission)", category);
	else if (group && (group[0] == '\0' || strlen(group) >= sizeof(r->group)))
		rc = req_error(o, CTL_RESP_ERROR, "bad group name '%.64s' (1-%d bytes)", group,
		    POLICY_NAME_MAX - 1);
	else if ((criteria && response_criteria_parse(criteria, r, err, sizeof(err)) < 0) ||
	    response_actions_parse(action, r, err, sizeof(err)) < 0)
		rc = req_error(o, CTL_RESP_ERROR, "%s", err);
	else {
		snprintf(r->group, sizeof(r->group), "%s", group ? group : "");
		rc = store_response_add(d->db, r, err, sizeof(err));
		if (rc < 0)
			rc = req_store_fail(o, rc, err);
		else if ((rc = rules_apply(d, o)) == CTL_RESP_OK) {
			if (json)
				rc = rule_reply(d, r->id, 1, o);
			else
				buf_printf(o, "%lld\n", (long long)r->id);
		}
	}
	free(r);
	return rc;
}

/* enable, disable and delete: change applied to the rule of the one word. */
static int
rule_change(struct daemon *d, int argc, char **argv, const char *usage, int what,
    int json, struct buf *o)
{
	static const char *const done[] = { "disabled", "enabled", "deleted" };
	char err[512];
	int64_t id;
	int rc;

	if ((rc = id_word(argc, argv, usage, "response rule", &id, o)) != CTL_RESP_OK)
		return rc;
	rc = what == 2 ? store_response_delete(d->db, id, err, sizeof(err)) :
	    store_response_enable(d->db, id, what, err, sizeof(err));
	if (rc < 0)
		return req_store_fail(o, rc, err);
	if ((rc = rules_apply(d, o)) != CTL_RESP_OK)
		return rc;
	if (json)
		buf_printf(o, "{\"%s\":%lld}\n", done[what], (long long)id);
	else
		buf_printf(o, "response rule %lld %s\n", (long long)id, done[what]);
	return CTL_RESP_OK;
}

static int
cmd_enable(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return rule_change(d, argc, argv, USAGE_ENABLE, 1, json, o);
}

static int
cmd_disable(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return rule_change(d, argc, argv, USAGE_DISABLE, 0, json, o);
}

static int
cmd_delete(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return rule_change(d, argc, argv, USAGE_DEL, 2, json, o);
}

/* --- test ---------------------------------------------------------------- */

/* A stored event, as the rules see it. */
enum { E_TYPE, E_NAME, E_LEVEL, E_ACTION, E_SENSOR, E_APP, E_SRC_WL, E_SRC_GROUP,
	E_DST_WL, E_DST_GROUP, E_SRC_IP, E_DST_IP, E_FIELDS };
struct stored_event {
	char f[E_FIELDS][POLICY_NAME_MAX];
	uint8_t src[16], dst[16];
	struct response_event ev;
};

/* Event id from the main thread's connection: 1, 0 when there is none, -1. */
static int
event_load(sqlite3 *db, int64_t id, struct stored_event *se, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc, family = 0;

	if (sqlite3_prepare_v2(db, "SELECT type, name, level, action, sensor, app, src_workload, "
	    "src_group, dst_workload, dst_group, src_ip, dst_ip FROM events WHERE id = ?", -1, &st,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "reading events: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int i = 0; i < E_FIELDS; i++) {
			const unsigned char *t = sqlite3_column_text(st, i);

			snprintf(se->f[i], sizeof(se->f[i]), "%s", t ? (const char *)t : "");
		}
	else if (rc != SQLITE_DONE)
		snprintf(err, errlen, "reading events: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : -1;
	if (inet_pton(AF_INET, se->f[E_SRC_IP], se->src) == 1 &&
	    inet_pton(AF_INET, se->f[E_DST_IP], se->dst) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, se->f[E_SRC_IP], se->src) == 1 &&
	    inet_pton(AF_INET6, se->f[E_DST_IP], se->dst) == 1)
		family = AF_INET6;
	se->ev = (struct response_event){
		.type = se->f[E_TYPE], .name = se->f[E_NAME], .level = se->f[E_LEVEL],
		.sensor = se->f[E_SENSOR], .app = se->f[E_APP], .src_workload = se->f[E_SRC_WL],
		.src_group = se->f[E_SRC_GROUP], .dst_workload = se->f[E_DST_WL],
		.dst_group = se->f[E_DST_GROUP], .family = family, .src = se->src, .dst = se->dst,
	};
	return 1;
}

/* What the rules that fired would do, for people. */
static void
test_text(struct buf *o, int64_t id, const struct stored_event *se,
    const struct response_set *s, const struct response_fire *f, const struct policy *p)
{
	const struct policy_workload *w = p ? policy_workload_at(p, f->quarantine_wl) : NULL;

	buf_printf(o, "event %lld: %s '%s' (%s, %s) %s -> %s\n", (long long)id, se->f[E_TYPE],
	    se->f[E_NAME], se->f[E_LEVEL], se->f[E_ACTION],
	    se->f[E_SRC_WL][0] ? se->f[E_SRC_WL] : se->f[E_SRC_IP][0] ? se->f[E_SRC_IP] : "-",
	    se->f[E_DST_WL][0] ? se->f[E_DST_WL] : se->f[E_DST_IP][0] ? se->f[E_DST_IP] : "-");
	if (f->nfired == 0) {
		buf_printf(o, "no response rule fires\n");
		return;
	}
	for (int k = 0; k < f->nfired && k < RESPONSE_FIRED_MAX; k++) {
		buf_printf(o, "rule %lld fires (", (long long)s->rules[f->fired[k]].id);
		text_rule_line(o, &s->rules[f->fired[k]]);
		buf_puts(o, ")\n");
	}
	if (f->actions & RESP_ACT_QUARANTINE) {
		if (w && policy_workload_quarantined(p, f->quarantine_wl))
			buf_printf(o, "quarantine: %s (%s) is quarantined already\n", w->name, w->id);
		else if (w)
			buf_printf(o, "quarantine: %s (%s), the event's source\n", w->name, w->id);
		else
			buf_puts(o, "quarantine: nothing (the event's source is no workload running "
			    "now, or not in the group of a rule that asks for it)\n");
	}
	for (int i = 0; i < f->nwebhooks; i++)
		buf_printf(o, "webhook: POST the event to %s%s\n", f->webhooks[i],
		    f->actions & RESP_ACT_SUPPRESS ? " (not sent: suppress-log)" : "");
	if (f->actions & RESP_ACT_SUPPRESS)
		buf_puts(o, "suppress-log: the event would not be written, nor sent\n");
}

static void
test_json(struct buf *o, int64_t id, const struct response_set *s,
    const struct response_fire *f, const struct policy *p)
{
	const struct policy_workload *w = p ? policy_workload_at(p, f->quarantine_wl) : NULL;

	buf_printf(o, "{\"event\":%lld,\"rules\":", (long long)id);
	json_rules(o, s->rules, f->fired, f->nfired < RESPONSE_FIRED_MAX ? f->nfired :
	    RESPONSE_FIRED_MAX);
	buf_puts(o, ",\"quarantine\":");
	if ((f->actions & RESP_ACT_QUARANTINE) && w) {
		buf_puts(o, "{\"workload\":");
		buf_json_str(o, w->name);
		buf_puts(o, ",\"id\":");
		buf_json_str(o, w->id);
		buf_printf(o, ",\"already\":%s}", policy_workload_quarantined(p, f->quarantine_wl) ?
		    "true" : "false");
	} else
		buf_puts(o, "null");
	buf_puts(o, ",\"webhooks\":[");
	for (int i = 0; i < f->nwebhooks; i++) {
		buf_puts(o, i ? "," : "");
		buf_json_str(o, f->webhooks[i]);
	}
	buf_printf(o, "],\"suppress\":%s}\n", f->actions & RESP_ACT_SUPPRESS ? "true" : "false");
}

static int
cmd_test(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const struct policy *p = d->live_up ? live_current(&d->live) : NULL;
	struct stored_event *se = NULL;
	struct response_rule *r = NULL;
	struct response_set *s = NULL;
	struct response_fire f;
	char err[512];
	int64_t id;
	int rc, n;

	if ((rc = id_word(argc, argv, USAGE_TEST, "event", &id, o)) != CTL_RESP_OK)
		return rc;
	if ((se = calloc(1, sizeof(*se))) == NULL)
		return req_error(o, CTL_RESP_ERROR, "out of memory");
	if ((rc = event_load(d->db, id, se, err, sizeof(err))) <= 0)
		rc = rc < 0 ? req_error(o, CTL_RESP_ERROR, "%s", err) :
		    req_error(o, CTL_RESP_NOTFOUND, "event %lld does not exist", (long long)id);
	else if (store_response_list(d->db, &r, &n, err, sizeof(err)) < 0)
		rc = req_error(o, CTL_RESP_ERROR, "%s", err);
	else if ((s = response_set_new(r, n)) == NULL)
		rc = req_error(o, CTL_RESP_ERROR, "out of memory");
	else {
		response_eval(s, p, &se->ev, &f);
		if (json)
			test_json(o, id, s, &f, p);
		else
			test_text(o, id, se, s, &f, p);
		rc = f.nfired ? CTL_RESP_OK : CTL_RESP_NOMATCH;
	}
	response_set_free(s);
	free(r);
	free(se);
	return rc;
}

static int
cmd_response(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return req_usage(o, USAGE_RESPONSE);
}

/* --- quarantine ---------------------------------------------------------- */

/* The workload of quarantine row q in p now (by id, else by name), or -1. */
static int
quarantined_now(const struct policy *p, const struct store_quarantine *q)
{
	int by_name = -1;

	for (int i = 0; p && i < policy_nworkloads(p); i++) {
		const struct policy_workload *w = policy_workload_at(p, i);

		if (strcmp(w->id, q->q.id) == 0)
			return i;
		if (by_name < 0 && strcmp(w->name, q->q.name) == 0)
			by_name = i;
	}
	return by_name;
}

static void
json_quarantine(struct buf *o, const struct store_quarantine *q, const struct policy *p)
{
	int wl = quarantined_now(p, q);

	buf_puts(o, "{\"workload\":");
	buf_json_str(o, q->q.name);
	buf_puts(o, ",\"id\":");
	buf_json_str(o, q->q.id);
	buf_puts(o, ",\"image\":");
	buf_json_str(o, q->image[0] ? q->image : NULL);
	buf_puts(o, ",\"since\":");
	req_json_time(o, q->since);
	buf_printf(o, ",\"rule_id\":%lld,\"event_id\":", (long long)q->rule_id);
	if (q->event_id)
		buf_printf(o, "%lld", (long long)q->event_id);
	else
		buf_puts(o, "null");
	buf_printf(o, ",\"running\":%s,\"addresses\":", wl >= 0 ? "true" : "false");
	if (wl >= 0) {
		struct buf a;

		buf_init(&a);
		store_addrs_format(policy_workload_at(p, wl)->addrs,
		    policy_workload_at(p, wl)->naddrs, &a);
		buf_append(&a, "", 1);
		buf_json_str(o, buf_failed(&a) ? "" : a.data);
		buf_free(&a);
	} else
		buf_json_str(o, q->addresses);
	buf_puts(o, ",\"reason\":");
	buf_json_str(o, q->reason);
	buf_puts(o, "}");
}

static int
cmd_q_list(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const struct policy *p = d->live_up ? live_current(&d->live) : NULL;
	struct table t = { .ncols = 6 };
	struct store_quarantine *q;
	char err[512], tm[32];
	int n;

	if (req_parse(argc, argv, NULL, NULL, 0, 0) < 0)
		return req_usage(o, USAGE_Q_LIST);
	if (store_quarantine_list(d->db, &q, &n, err, sizeof(err)) < 0)
		return req_error(o, CTL_RESP_ERROR, "%s", err);
	if (json) {
		buf_puts(o, "[");
		for (int i = 0; i < n; i++) {
			buf_puts(o, i ? "," : "");
			json_quarantine(o, &q[i], p);
		}
		buf_puts(o, "]\n");
		free(q);
		return CTL_RESP_OK;
	}
	for (int c = 0; c < 6; c++)
		table_add(&t, (const char *[]){ "workload", "id", "since", "rule", "running",
		    "reason" }[c]);
	for (int i = 0; i < n; i++) {
		table_add(&t, q[i].q.name);
		table_addf(&t, "%.*s", policy_id_shown(q[i].q.id), q[i].q.id);
		table_add(&t, req_text_time(q[i].since, tm, sizeof(tm)));
		table_addf(&t, "%lld", (long long)q[i].rule_id);
		table_add(&t, quarantined_now(p, &q[i]) >= 0 ? "yes" : "no");
		table_addf(&t, "%.80s", q[i].reason);
	}
	if (n == 0)
		buf_puts(o, "no workload is quarantined\n");
	else
		table_print(&t, o);
	table_free(&t);
	free(q);
	return CTL_RESP_OK;
}

/* The release of quarantine row q, as an event. */
static void
release_event(struct daemon *d, const struct store_quarantine *q)
{
	struct event_rec *ev = daemon_event(d, EV_QUARANTINE, EV_INFO, EV_ALLOW,
	    "quarantine release");
	char tm[32];

	if (ev == NULL)
		return;
	snprintf(ev->src_workload, sizeof(ev->src_workload), "%s", q->q.name);
	snprintf(ev->message, sizeof(ev->message), "%.64s (%.*s) released from quarantine by "
	    "nvctl; quarantined since %s by response rule %lld", q->q.name,
	    policy_id_shown(q->q.id), q->q.id,
	    req_text_time(q->since, tm, sizeof(tm)), (long long)q->rule_id);
	daemon_event_commit(d);
}

static int
cmd_q_release(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct store_quarantine *q;
	const char *pos[1];
	char err[512];
	int rc, n;

	if (req_parse(argc, argv, NULL, pos, 1, 1) < 0)
		return req_usage(o, USAGE_Q_RELEASE);
	if ((rc = store_quarantine_release(d->db, pos[0], &q, &n, err, sizeof(err))) < 0)
		return req_store_fail(o, rc, err);
	for (int i = 0; i < n; i++)
		release_event(d, &q[i]);
	if ((rc = req_apply(d, o)) == CTL_RESP_OK) {
		if (json) {
			buf_puts(o, "{\"released\":[");
			for (int i = 0; i < n; i++) {
				buf_puts(o, i ? ",{\"workload\":" : "{\"workload\":");
				buf_json_str(o, q[i].q.name);
				buf_puts(o, ",\"id\":");
				buf_json_str(o, q[i].q.id);
				buf_puts(o, "}");
			}
			buf_puts(o, "]}\n");
		} else
			for (int i = 0; i < n; i++)
				buf_printf(o, "workload %s (%.*s) released\n", q[i].q.name,
				    policy_id_shown(q[i].q.id), q[i].q.id);
	}
	free(q);
	return rc;
}

static int
cmd_quarantine(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return req_usage(o, USAGE_Q);
}

const struct handler response_handlers[] = {
	{ { "response", "list" }, 0, CTL_MAX_ARGS, USAGE_LIST, cmd_list, REQ_READS },
	{ { "response", "show" }, 0, CTL_MAX_ARGS, USAGE_SHOW, cmd_show, REQ_READS },
	{ { "response", "add" }, 0, CTL_MAX_ARGS, USAGE_ADD, cmd_add, REQ_CHANGES },
	{ { "response", "enable" }, 0, CTL_MAX_ARGS, USAGE_ENABLE, cmd_enable, REQ_CHANGES },
	{ { "response", "disable" }, 0, CTL_MAX_ARGS, USAGE_DISABLE, cmd_disable, REQ_CHANGES },
	{ { "response", "delete" }, 0, CTL_MAX_ARGS, USAGE_DEL, cmd_delete, REQ_CHANGES },
	{ { "response", "test" }, 0, CTL_MAX_ARGS, USAGE_TEST, cmd_test, REQ_READS },
	{ { "response" }, 0, CTL_MAX_ARGS, USAGE_RESPONSE, cmd_response, REQ_READS },
	{ { "quarantine", "list" }, 0, CTL_MAX_ARGS, USAGE_Q_LIST, cmd_q_list, REQ_READS },
	{ { "quarantine", "release" }, 0, CTL_MAX_ARGS, USAGE_Q_RELEASE, cmd_q_release,
	    REQ_CHANGES },
	{ { "quarantine" }, 0, CTL_MAX_ARGS, USAGE_Q, cmd_quarantine, REQ_READS },
	{ { NULL }, 0, 0, NULL, NULL, REQ_UNSAID },
};
