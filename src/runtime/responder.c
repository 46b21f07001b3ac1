/*
 * responder.c: response rules at work on the writer thread (responder.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "runtime/event_log.h"
#include "runtime/live.h"
#include "runtime/responder.h"
#include "runtime/webhook.h"
#include "store/store.h"

/* A webhook of this batch, sent once it is committed. */
struct responder_post {
	const char *url;		/* in cur, which stays until the batch ends */
	char *body;			/* the event as JSON, malloc'ed */
	size_t len;
	char headers[128];
};

static const char count_sql[] = "UPDATE response_rules SET fired = fired + ?1, "
    "suppressed = suppressed + ?2, last_fired = max(coalesce(last_fired, 0), ?3) WHERE id = ?4";
static const char quarantine_sql[] = "INSERT OR IGNORE INTO quarantine (id, name, image, "
    "addresses, rule_id, event_id, reason, since) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

int
responder_init(struct responder *r, struct live *live, struct webhook *wh)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->live = live;
	r->wh = wh;
	r->reader = -1;
	if (live && (r->reader = live_add_reader(live)) < 0) {
		pthread_mutex_destroy(&r->lock);
		return -1;
	}
	return 0;
}

static void
posts_clear(struct responder *r)
{
	for (int i = 0; i < r->nposts; i++)
		free(r->posts[i].body);
	r->nposts = 0;
}

void
responder_close(struct responder *r)
{
	sqlite3_finalize(r->count_st);
	sqlite3_finalize(r->quarantine_st);
	r->count_st = r->quarantine_st = NULL;
	r->db = NULL;
}

void
responder_destroy(struct responder *r)
{
	responder_close(r);
	posts_clear(r);
	free(r->posts);
	response_set_free(r->cur);
	response_set_free(r->next);
	free(r->fired);
	free(r->suppressed);
	free(r->last_ms);
	pthread_mutex_destroy(&r->lock);
	memset(r, 0, sizeof(*r));
}

void
responder_set_rules(struct responder *r, struct response_set *s)
{
	pthread_mutex_lock(&r->lock);
	response_set_free(r->next);
	r->next = s;
	pthread_mutex_unlock(&r->lock);
}

void
responder_snapshot(struct responder *r, struct responder_stats *out)
{
	pthread_mutex_lock(&r->lock);
	*out = r->st;
	pthread_mutex_unlock(&r->lock);
}

/* --- batches ------------------------------------------------------------- */

/* The statements on db; without them rules fire but are not counted, and
 * nothing is quarantined (logged once a minute). */
static void
prepare(struct responder *r, sqlite3 *db)
{
	static struct log_limit lim;

	responder_close(r);
	r->db = db;
	if (sqlite3_prepare_v3(db, count_sql, -1, SQLITE_PREPARE_PERSISTENT, &r->count_st,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db, quarantine_sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &r->quarantine_st, NULL) != SQLITE_OK) {
		if (log_limit_ok(&lim, 60))
			log_warnx("response rules: %s", sqlite3_errmsg(db));
		responder_close(r);
		r->db = db;
	}
}

/* Takes the newest rules, with counters for them. */
static void
take_rules(struct responder *r)
{
	struct response_set *s;
	int n;

	pthread_mutex_lock(&r->lock);
	s = r->next;
	r->next = NULL;
	pthread_mutex_unlock(&r->lock);
	if (s == NULL)
		return;
	n = s->nrules + 1;
	free(r->fired);
	free(r->suppressed);
	free(r->last_ms);
	r->fired = calloc((size_t)n, sizeof(*r->fired));
	r->suppressed = calloc((size_t)n, sizeof(*r->suppressed));
	r->last_ms = calloc((size_t)n, sizeof(*r->last_ms));
	response_set_free(r->cur);
	r->cur = s;
	if (r->fired == NULL || r->suppressed == NULL || r->last_ms == NULL) {
		log_warnx("response rules: no memory; none in use");
		response_set_free(r->cur);
		r->cur = NULL;
	}
	pthread_mutex_lock(&r->lock);
	r->st.rules = r->cur ? r->cur->nrules : 0;
	r->st.enabled = 0;
	for (int i = 0; r->cur && i < r->cur->nrules; i++)
		r->st.enabled += r->cur->rules[i].enabled;
	pthread_mutex_unlock(&r->lock);
}

void
responder_begin(struct responder *r, sqlite3 *db)
{
	if (r->db != db)
		prepare(r, db);
	take_rules(r);
	if (r->cur) {
		size_t n = (size_t)r->cur->nrules;

		memset(r->fired, 0, n * sizeof(*r->fired));
		memset(r->suppressed, 0, n * sizeof(*r->suppressed));
		memset(r->last_ms, 0, n * sizeof(*r->last_ms));
	}
	memset(&r->pend, 0, sizeof(r->pend));
	r->quarantines = 0;
	posts_clear(r);
	if (r->live) {
		live_quiesce(r->live, r->reader);
		r->pol = live_current(r->live);
	}
}

void
responder_idle(struct responder *r)
{
	r->pol = NULL;
	if (r->live)
		live_quiesce(r->live, r->reader);
}

int
responder_judge(struct responder *r, const struct event_rec *ev, struct response_fire *f)
{
	struct response_event re = {
		.type = event_type_name(ev->type), .name = ev->name,
		.level = event_level_name(ev->level), .sensor = ev->sensor, .app = ev->app,
		.src_workload = ev->src_workload, .src_group = ev->src_group,
		.dst_workload = ev->dst_workload, .dst_group = ev->dst_group,
		.family = ev->family, .src = ev->src, .dst = ev->dst, .time_ms = ev->time_ms,
	};
	int suppress = 0;

	r->pend.evaluated++;
	if (response_eval(r->cur, r->pol, &re, f) == 0)
		return 0;
	r->pend.fired += (uint64_t)f->nfired;
	for (int k = 0; k < f->nfired && k < RESPONSE_FIRED_MAX; k++) {
		int i = f->fired[k];

		r->fired[i]++;
		if (ev->time_ms > r->last_ms[i])
			r->last_ms[i] = ev->time_ms;
		if (r->cur->rules[i].actions & RESP_ACT_SUPPRESS) {
			r->suppressed[i]++;
			suppress = 1;
		}
	}
	r->pend.suppressed += (uint64_t)suppress;
	return suppress;
}

/* ev as JSON to each webhook of f, once the batch is committed. */
static void
post_later(struct responder *r, const struct event_rec *ev, int64_t id,
    const struct response_fire *f)
{
	char rules[RESPONSE_FIRED_MAX * 21 + 1] = "";
	struct buf body;
	size_t n = 0;

	for (int k = 0; k < f->nfired && k < RESPONSE_FIRED_MAX && n < sizeof(rules); k++)
		n += (size_t)snprintf(rules + n, sizeof(rules) - n, "%s%lld", k ? "," : "",
		    (long long)r->cur->rules[f->fired[k]].id);
	buf_init(&body);
	event_log_json(ev, id, &body);
	for (int i = 0; i < f->nwebhooks && !buf_failed(&body); i++) {
		struct responder_post *p;

		if (r->nposts == r->capposts) {
			int cap = r->capposts ? 2 * r->capposts : 16;
			struct responder_post *more = realloc(r->posts, (size_t)cap * sizeof(*more));

			if (more == NULL)
				break;
			r->posts = more;
			r->capposts = cap;
		}
		p = &r->posts[r->nposts];
		if ((p->body = malloc(body.len)) == NULL)
			break;
		memcpy(p->body, body.data, body.len);
		p->len = body.len;
		p->url = f->webhooks[i];
		snprintf(p->headers, sizeof(p->headers), "X-Nvd-Event-Id: %lld\n"
		    "X-Nvd-Response-Rules: %.48s", (long long)id, rules);
		r->nposts++;
	}
	buf_free(&body);
}

/* Stores workload w as quarantined; 1 if it was not already, 0, or -1. */
static int
quarantine_store(struct responder *r, const struct policy_workload *w, int64_t rule_id,
    int64_t id, const struct event_rec *ev)
{
	sqlite3_stmt *st = r->quarantine_st;
	char reason[256];
	struct buf addrs;
	int rc;

	if (st == NULL)
		return -1;
	buf_init(&addrs);
	store_addrs_format(w->addrs, w->naddrs, &addrs);
	snprintf(reason, sizeof(reason), "%s '%.60s': %.180s", event_type_name(ev->type), ev->name,
	    ev->message);
	sqlite3_bind_text(st, 1, w->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, w->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, w->image, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, buf_failed(&addrs) || addrs.data == NULL ? "" : addrs.data,
	    buf_failed(&addrs) ? 0 : (int)addrs.len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, rule_id);
	if (id > 0)
		sqlite3_bind_int64(st, 6, id);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_text(st, 7, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, (int64_t)time(NULL));
	rc = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(r->db) > 0 : -1;
	if (rc < 0)
		log_warnx("quarantine of %s: %s", w->name, sqlite3_errmsg(r->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	buf_free(&addrs);
	return rc;
}

/* The quarantine's own event. */
static void
quarantine_event(const struct policy_workload *w, int64_t rule_id, int64_t id,
    const struct event_rec *ev, struct event_rec *q)
{
	char after[48] = "";

	memset(q, 0, sizeof(*q));
	q->time_ms = clock_real_ms();
	q->type = EV_QUARANTINE;
	q->level = EV_CRITICAL;
	q->action = EV_QUARANTINE_ACTION;
	snprintf(q->name, sizeof(q->name), "quarantine");
	snprintf(q->src_workload, sizeof(q->src_workload), "%s", w->name);
	policy_learned_group(w, q->src_group, sizeof(q->src_group));
	if (id > 0)
		snprintf(after, sizeof(after), " event %lld", (long long)id);
	snprintf(q->message, sizeof(q->message), "%s %.64s (%.*s) quarantined by response rule "
	    "%lld after%s %s '%.40s': all its traffic is dropped", w->is_static ?
	    "static workload" : "container", w->name, policy_id_shown(w->id), w->id,
	    (long long)rule_id, after,
	    event_type_name(ev->type), ev->name);
}

int
responder_act(struct responder *r, const struct event_rec *ev, int64_t id,
    const struct response_fire *f, struct event_rec *q)
{
	const struct policy_workload *w;
	int64_t rule_id;

	if (f->nwebhooks > 0 && r->wh && id > 0)
		post_later(r, ev, id, f);
	if (!(f->actions & RESP_ACT_QUARANTINE))
		return 0;
	if (f->quarantine_wl < 0 || (w = policy_workload_at(r->pol, f->quarantine_wl)) == NULL) {
		r->pend.no_source++;
		return 0;
	}
	if (policy_workload_quarantined(r->pol, f->quarantine_wl))
		return 0;
	rule_id = r->cur->rules[f->quarantine_rule].id;
	if (quarantine_store(r, w, rule_id, id, ev) <= 0)
		return 0;
	r->quarantines++;
	r->pend.quarantined++;
	log_warnx("quarantine: %s (%.*s) by response rule %lld", w->name,
	    policy_id_shown(w->id), w->id, (long long)rule_id);
	quarantine_event(w, rule_id, id, ev, q);
	return 1;
}

int
responder_flush(struct responder *r)
{
	sqlite3_stmt *st = r->count_st;
	int rc = 0;

	for (int i = 0; st && r->cur && i < r->cur->nrules; i++) {
		if (r->fired[i] == 0)
			continue;
		sqlite3_bind_int64(st, 1, (int64_t)r->fired[i]);
		sqlite3_bind_int64(st, 2, (int64_t)r->suppressed[i]);
		sqlite3_bind_int64(st, 3, r->last_ms[i] / 1000);
		sqlite3_bind_int64(st, 4, r->cur->rules[i].id);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = -1;
		sqlite3_reset(st);
	}
	return rc;
}

void
responder_end(struct responder *r, int committed)
{
	for (int i = 0; committed && r->wh && i < r->nposts; i++)
		if (webhook_post(r->wh, r->posts[i].url, r->posts[i].headers, r->posts[i].body,
		    r->posts[i].len) == 0)
			r->pend.webhooks++;
	posts_clear(r);
	if (!committed) {
		r->pend.quarantined = 0;
		r->quarantines = 0;
	}
	pthread_mutex_lock(&r->lock);
	r->st.evaluated += r->pend.evaluated;
	r->st.fired += r->pend.fired;
	r->st.suppressed += r->pend.suppressed;
	r->st.quarantined += r->pend.quarantined;
	r->st.no_source += r->pend.no_source;
	r->st.webhooks += r->pend.webhooks;
	pthread_mutex_unlock(&r->lock);
	memset(&r->pend, 0, sizeof(r->pend));
	if (r->quarantines && r->on_quarantine)
		r->on_quarantine(r->ctx);
	r->quarantines = 0;
}
