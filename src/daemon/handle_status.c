/*
 * commands.c: the nvctl commands nvd answers, one handler each, found in
 * one table by their leading words.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/app_table.h"
#include "daemon/request.h"
#include "base/control_proto.h"
#include "daemon/daemon.h"
#include "packet/decode.h"
#include "docker/dockerwatch.h"
#include "names/fqdn.h"
#include "packet/reasm.h"
#include "daemon/handle_crs.h"
#include "runtime/webhook.h"
#include "store/store_response.h"


/* Adds the counters of a (n bytes, all uint64_t) into sum. */
static void
stats_add(void *sum, const void *a, size_t n)
{
	uint64_t *s = sum;
	const uint64_t *x = a;

	for (size_t i = 0; i < n / sizeof(uint64_t); i++)
		s[i] += x[i];
}
_Static_assert(sizeof(struct worker_stats) % sizeof(uint64_t) == 0, "only uint64_t");
_Static_assert(sizeof(struct nfq_stats) % sizeof(uint64_t) == 0, "only uint64_t");

static void json_threats(struct buf *o, const struct threat_stats *t);

static void
json_stats(struct buf *o, const struct worker_stats *s, const struct nfq_stats *q,
    const struct nfq_kstats *k)
{
	const struct reasm_stats *r = &s->reasm;

	buf_printf(o, "\"packets\":%llu,\"bytes\":%llu,"
	    "\"verdicts\":{\"accept\":%llu,\"drop\":%llu,\"bypass\":%llu},"
	    "\"bypassed_flows\":%llu,\"flows\":%llu,\"flows_created\":%llu,"
	    "\"flows_evicted\":%llu,\"flows_timed_out\":%llu,\"flow_failures\":%llu,"
	    "\"undecoded\":%llu,\"queue_dropped\":%llu,\"user_dropped\":%llu,"
	    "\"missed\":%llu,\"enobufs\":%llu,\"recv_errors\":%llu,\"send_errors\":%llu,\"bad_messages\":%llu,"
	    "\"batches\":%llu,",
	    (unsigned long long)s->packets, (unsigned long long)s->bytes,
	    (unsigned long long)s->verdicts[VERDICT_ACCEPT],
	    (unsigned long long)s->verdicts[VERDICT_DROP],
	    (unsigned long long)s->verdicts[VERDICT_BYPASS],
	    (unsigned long long)s->bypassed_flows, (unsigned long long)s->flows.active,
	    (unsigned long long)s->flows.created, (unsigned long long)s->flows.evicted,
	    (unsigned long long)s->flows.timed_out,
	    (unsigned long long)(s->flow_fail + s->flows.pool_exhausted),
	    (unsigned long long)s->undecoded,
	    (unsigned long long)k->queue_dropped, (unsigned long long)k->user_dropped,
	    (unsigned long long)q->missed, (unsigned long long)q->enobufs,
	    (unsigned long long)q->recv_errors, (unsigned long long)q->send_errors,
	    (unsigned long long)q->bad_messages, (unsigned long long)q->batches);
	buf_printf(o, "\"judged\":{\"allow\":%llu,\"learn\":%llu,\"alert\":%llu,\"deny\":%llu},"
	    "\"rejudged\":%llu,\"denied_packets\":%llu,\"resets_sent\":%llu,\"records_dropped\":%llu,"
	    "\"syn_data_cut\":%llu,\"syn_data_drops\":%llu,",
	    (unsigned long long)s->judge.judged[0], (unsigned long long)s->judge.judged[1],
	    (unsigned long long)s->judge.judged[2], (unsigned long long)s->judge.judged[3],
	    (unsigned long long)s->judge.rejudged, (unsigned long long)s->judge.denied_packets,
	    (unsigned long long)s->judge.resets_sent, (unsigned long long)s->records_dropped,
	    (unsigned long long)s->syn_data_cut, (unsigned long long)s->syn_data_drops);
	buf_puts(o, "\"anomalies\":{");
	for (int a = 1; a < ANOM_COUNT; a++)
		buf_printf(o, "%s\"%s\":%llu", a > 1 ? "," : "", decode_anomaly_name(a),
		    (unsigned long long)s->anomalies[a]);
	buf_printf(o, "},\"stream\":{\"delivered\":%llu,\"out_of_order\":%llu,"
	    "\"retransmits\":%llu,\"overlaps\":%llu,\"overlap_mismatch\":%llu,\"gaps\":%llu,"
	    "\"gap_bytes\":%llu,\"nomem\":%llu,\"beyond_window\":%llu,\"depth_reached\":%llu,"
	    "\"fail_drops\":%llu}",
	    (unsigned long long)r->delivered, (unsigned long long)r->ooo_segments,
	    (unsigned long long)r->retransmits, (unsigned long long)r->overlaps,
	    (unsigned long long)r->overlap_mismatch, (unsigned long long)r->gaps,
	    (unsigned long long)r->gap_bytes, (unsigned long long)r->nomem,
	    (unsigned long long)r->beyond_window, (unsigned long long)r->depth_reached,
	    (unsigned long long)s->reasm_fail_drops);
	buf_printf(o, ",\"bypass_returned\":%llu,\"applications\":{",
	    (unsigned long long)s->bypass_returned);
	for (int a = 0; a < APP_COUNT; a++)
		buf_printf(o, "%s\"%s\":%llu", a ? "," : "", app_name(a),
		    (unsigned long long)s->appid.detected[a]);
	{
		uint64_t errs = 0;

		for (int i = 0; i < DNS_STATUS_COUNT; i++)
			errs += s->dns.errors[i];
		buf_printf(o, "},\"dns\":{\"answers\":%llu,\"bindings\":%llu,\"errors\":%llu,"
		    "\"cut\":%llu,\"too_big\":%llu,\"no_stream\":%llu,\"bind_failed\":%llu,"
		    "\"queries\":%llu,\"unsolicited\":%llu,\"untrusted\":%llu,"
		    "\"queries_over_share\":%llu,\"queries_evicted\":%llu",
		    (unsigned long long)s->dns.answers, (unsigned long long)s->dns.bindings,
		    (unsigned long long)errs, (unsigned long long)s->dns.cut,
		    (unsigned long long)s->dns.too_big, (unsigned long long)s->dns.no_stream,
		    (unsigned long long)s->dns.bind_failed, (unsigned long long)s->dns.queries,
		    (unsigned long long)s->dns.unsolicited, (unsigned long long)s->dns.untrusted,
		    (unsigned long long)s->dns.queries_over_share,
		    (unsigned long long)s->dns.queries_evicted);
	}
	buf_printf(o, "},\"proxied\":%llu", (unsigned long long)s->judge.proxied);
	buf_printf(o, ",\"sensors\":{\"flows\":%llu,\"no_state\":%llu,\"messages\":%llu,"
	    "\"bytes\":%llu,\"matches\":%llu,\"limits\":%llu,\"not_http\":%llu,\"events\":%llu,"
	    "\"denied\":%llu}", (unsigned long long)s->inspect.flows,
	    (unsigned long long)s->inspect.no_state, (unsigned long long)s->inspect.messages,
	    (unsigned long long)s->inspect.bytes, (unsigned long long)s->inspect.hits,
	    (unsigned long long)s->inspect.limits, (unsigned long long)s->inspect.not_http,
	    (unsigned long long)s->judge.sensor_events, (unsigned long long)s->judge.sensor_denied);
	buf_printf(o, ",\"detection\":{\"by_ports\":%llu,\"no_buffer\":%llu,\"gaps\":%llu,"
	    "\"buffered\":%llu}", (unsigned long long)s->appid.waived,
	    (unsigned long long)s->appid.nobuf, (unsigned long long)s->appid.gaps,
	    (unsigned long long)s->appid.buffered);
	buf_puts(o, ",\"unjudged\":{");
	for (int d = 1; d < DOUBT_COUNT; d++)
		buf_printf(o, "%s\"%s\":%llu", d > 1 ? "," : "", doubt_name(d),
		    (unsigned long long)s->judge.unjudged[d]);
	buf_puts(o, "}");
	json_threats(o, &s->threat);
}

/* Each detector's detections and drops, and the bounds the stage met. */
static void
json_threats(struct buf *o, const struct threat_stats *t)
{
	buf_puts(o, ",\"threats\":{\"detectors\":{");
	for (int i = 0; i < THREAT_COUNT; i++)
		buf_printf(o, "%s\"%s\":{\"detected\":%llu,\"dropped\":%llu}", i ? "," : "",
		    threat_defs[i].name, (unsigned long long)t->detected[i],
		    (unsigned long long)t->dropped[i]);
	buf_printf(o, "},\"flows\":%llu,\"no_state\":%llu,\"meters_full\":%llu,"
	    "\"sessions_full\":%llu,\"watch_full\":%llu,\"frags_full\":%llu,"
	    "\"domains_full\":%llu}", (unsigned long long)t->flows,
	    (unsigned long long)t->no_state, (unsigned long long)t->meters_full,
	    (unsigned long long)t->sessions_full, (unsigned long long)t->watch_full,
	    (unsigned long long)t->frags_full, (unsigned long long)t->domains_full);
}

/* "threats SQL.Injection 2 (1 dropped), ...": what the detectors found; "none". */
static void
text_threats(struct buf *o, const struct threat_stats *t)
{
	int n = 0;

	buf_puts(o, "threats ");
	for (int i = 0; i < THREAT_COUNT; i++)
		if (t->detected[i] || t->dropped[i])
			buf_printf(o, "%s%s %llu (%llu dropped)", n++ ? ", " : "", threat_defs[i].name,
			    (unsigned long long)t->detected[i], (unsigned long long)t->dropped[i]);
	buf_printf(o, "%s; streams followed %llu, %llu without state\n", n ? "" : "none",
	    (unsigned long long)t->flows, (unsigned long long)t->no_state);
}

/* "gap 3, tcp_ack 1": what could not be judged, by reason; "none". */
static void
text_unjudged(struct buf *o, const struct worker_stats *t)
{
	int n = 0;

	buf_puts(o, "cannot judge (dropped in protect) ");
	for (int d = 1; d < DOUBT_COUNT; d++)
		if (t->judge.unjudged[d])
			buf_printf(o, "%s%s %llu", n++ ? ", " : "", doubt_name(d),
			    (unsigned long long)t->judge.unjudged[d]);
	buf_puts(o, n ? "\n" : "none\n");
}

/* "HTTP 12, TLS 3, unknown 5": the applications detected, most first. */
static void
text_apps(struct buf *o, const struct worker_stats *t)
{
	int done[APP_COUNT] = { 0 }, n = 0;

	buf_puts(o, "applications ");
	for (;;) {
		int best = -1;

		for (int a = 0; a < APP_COUNT; a++)
			if (!done[a] && t->appid.detected[a] &&
			    (best < 0 || t->appid.detected[a] > t->appid.detected[best]))
				best = a;
		if (best < 0)
			break;
		done[best] = 1;
		buf_printf(o, "%s%s %llu", n++ ? ", " : "", app_name(best),
		    (unsigned long long)t->appid.detected[best]);
	}
	buf_printf(o, "%s; judged by ports alone %llu (%llu without a buffer, %llu after a gap)\n",
	    n ? "" : "none yet", (unsigned long long)t->appid.waived,
	    (unsigned long long)t->appid.nobuf, (unsigned long long)t->appid.gaps);
}

static uint64_t
anomalies_total(const struct worker_stats *s)
{
	uint64_t n = 0;

	for (int a = 1; a < ANOM_COUNT; a++)
		n += s->anomalies[a];
	return n;
}

static void
text_row(struct buf *o, const char *name, const struct worker_stats *s,
    const struct nfq_stats *q, const struct nfq_kstats *k)
{
	buf_printf(o, "%-6s %12llu %14llu %12llu %8llu %9llu %8llu %9llu %8llu\n", name,
	    (unsigned long long)s->packets, (unsigned long long)s->bytes,
	    (unsigned long long)s->verdicts[VERDICT_ACCEPT] + s->verdicts[VERDICT_BYPASS],
	    (unsigned long long)s->verdicts[VERDICT_DROP],
	    (unsigned long long)s->bypassed_flows, (unsigned long long)s->flows.active,
	    (unsigned long long)anomalies_total(s),
	    (unsigned long long)(k->queue_dropped + k->user_dropped + q->missed));
}

/*
 * What the steering rules queued and what nvd received, for the queues
 * (fail-open as fail_mode says: the difference passed unjudged) and the
 * protect queues (never fail-open: the difference was dropped).
 */
struct unseen {
	int known;			/* the rules' counters could be read */
	uint64_t queued[2], received[2];
};

static void
unseen_get(struct daemon *d, const struct nfq_stats *qs, struct unseen *u)
{
	memset(u, 0, sizeof(*u));
	for (int i = 0; i < d->nworkers; i++) {
		u->received[0] += qs[i].received[0];
		u->received[1] += qs[i].received[1];
	}
	u->known = d->hook != NFT_HOOK_NONE &&
	    nft_counters(&d->conf, &u->queued[0], &u->queued[1]) == 0;
}

static uint64_t
missing(const struct unseen *u, int protect)
{
	return u->queued[protect] > u->received[protect] ?
	    u->queued[protect] - u->received[protect] : 0;
}

static void
json_unseen(struct buf *o, const struct unseen *u)
{
	if (!u->known) {
		buf_puts(o, ",\"steered\":null");
		return;
	}
	buf_printf(o, ",\"steered\":{\"queued\":%llu,\"received\":%llu,\"passed_unseen\":%llu,"
	    "\"protect_queued\":%llu,\"protect_received\":%llu,\"protect_dropped_unseen\":%llu}",
	    (unsigned long long)u->queued[0], (unsigned long long)u->received[0],
	    (unsigned long long)missing(u, 0), (unsigned long long)u->queued[1],
	    (unsigned long long)u->received[1], (unsigned long long)missing(u, 1));
}

static void
text_unseen(struct buf *o, const struct unseen *u, enum fail_mode fm)
{
	if (!u->known)
		return;
	buf_printf(o, "steered %llu packets, %llu of them protect-mode traffic; unseen by nvd: "
	    "%llu %s (full queues, fail_mode %s), %llu protect-mode dropped\n",
	    (unsigned long long)(u->queued[0] + u->queued[1]), (unsigned long long)u->queued[1],
	    (unsigned long long)missing(u, 0), fm == FAIL_OPEN ? "passed" : "dropped",
	    conf_fail_mode_name(fm), (unsigned long long)missing(u, 1));
}

/* How flows are handed back to the kernel: "ct-glue" or "mark". */
static const char *
bypass_kind(const struct daemon *d)
{
	return d->nworkers && nfq_queue_ct_glue(d->queues[0]) ? "ct-glue" : "mark";
}

/* The running policy's size and the Docker watcher, JSON members. */
static void
json_policy_docker(struct buf *o, struct daemon *d)
{
	const struct policy *p = live_current(&d->live);
	struct dockerwatch_status ds;

	if (d->fqdn) {
		struct fqdn_stats fs;

		fqdn_stats(d->fqdn, &fs);
		buf_printf(o, ",\"dns_cache\":{\"bindings\":%llu,\"names\":%llu,\"connections\":%llu,"
		    "\"binds\":%llu,\"refreshes\":%llu,\"lookups\":%llu,\"hits\":%llu,"
		    "\"expired\":%llu,\"evicted\":%llu,\"evicted_in_use\":%llu,\"memory\":%llu}",
		    (unsigned long long)fs.bindings, (unsigned long long)fs.names,
		    (unsigned long long)fs.refs, (unsigned long long)fs.binds,
		    (unsigned long long)fs.refreshes, (unsigned long long)fs.lookups,
		    (unsigned long long)fs.hits, (unsigned long long)fs.expired,
		    (unsigned long long)fs.evicted, (unsigned long long)fs.evicted_in_use,
		    (unsigned long long)fs.memory);
	}
	buf_printf(o, ",\"policy\":{\"workloads\":%d,\"groups\":%d,\"rules\":%d,"
	    "\"rebuilds\":%llu,\"tightenings\":%llu},\"docker\":", p ? policy_nworkloads(p) : 0,
	    p ? policy_ngroups(p) : 0, p ? policy_nrules(p) : 0,
	    (unsigned long long)d->live.rebuilds, (unsigned long long)d->live.tightenings);
	if (d->dw == NULL) {
		buf_puts(o, "null");
		return;
	}
	dockerwatch_status(d->dw, &ds);
	buf_puts(o, "{\"socket\":");
	buf_json_str(o, ds.socket);
	buf_printf(o, ",\"connected\":%s,\"since\":%lld,\"containers\":%d,\"events\":%llu,"
	    "\"reconnects\":%llu,\"errors\":%llu,\"subnets\":%d,\"nudges\":%llu,"
	    "\"nudge_found\":%llu,\"last_error\":", ds.connected ? "true" : "false",
	    (long long)ds.since, ds.containers, (unsigned long long)ds.events,
	    (unsigned long long)ds.reconnects, (unsigned long long)ds.errors, ds.subnets,
	    (unsigned long long)ds.nudges, (unsigned long long)ds.nudge_found);
	buf_json_str(o, ds.last_error[0] ? ds.last_error : NULL);
	buf_puts(o, "}");
}

static void
text_policy_docker(struct buf *o, struct daemon *d, const struct worker_stats *t)
{
	const struct policy *p = live_current(&d->live);
	struct dockerwatch_status ds;

	buf_printf(o, "policy %d workloads, %d groups, %d rules; connections allowed %llu, "
	    "learned %llu, alerted %llu, denied %llu\n", p ? policy_nworkloads(p) : 0,
	    p ? policy_ngroups(p) : 0, p ? policy_nrules(p) : 0,
	    (unsigned long long)t->judge.judged[POL_ALLOW],
	    (unsigned long long)t->judge.judged[POL_LEARN], (unsigned long long)t->judge.judged[POL_ALERT],
	    (unsigned long long)t->judge.judged[POL_DENY]);
	buf_printf(o, "policy changes %llu, %llu of them tightening; bypassed flows judged again %llu\n",
	    (unsigned long long)d->live.rebuilds, (unsigned long long)d->live.tightenings,
	    (unsigned long long)t->bypass_returned);
	text_apps(o, t);
	text_unjudged(o, t);
	buf_printf(o, "sensors inspected %llu flows, %llu HTTP messages, %llu bytes; %llu matches, "
	    "%llu flows denied, %llu over PCRE2's limits\n", (unsigned long long)t->inspect.flows,
	    (unsigned long long)t->inspect.messages, (unsigned long long)t->inspect.bytes,
	    (unsigned long long)t->inspect.hits, (unsigned long long)t->judge.sensor_denied,
	    (unsigned long long)t->inspect.limits);
	text_threats(o, &t->threat);
	if (d->fqdn) {
		struct fqdn_stats fs;

		fqdn_stats(d->fqdn, &fs);
		buf_printf(o, "dns queries %llu, answers %llu (%llu to no query, %llu from servers "
		    "not trusted: nothing bound), names bound %llu; cache %llu bindings of %llu names "
		    "(%llu KiB), %llu held by connections, %llu evicted\n",
		    (unsigned long long)t->dns.queries, (unsigned long long)t->dns.answers,
		    (unsigned long long)t->dns.unsolicited, (unsigned long long)t->dns.untrusted,
		    (unsigned long long)t->dns.bindings,
		    (unsigned long long)fs.bindings, (unsigned long long)fs.names,
		    (unsigned long long)fs.memory >> 10, (unsigned long long)fs.refs,
		    (unsigned long long)(fs.evicted + fs.evicted_in_use));
	}
	if (d->dw == NULL) {
		buf_puts(o, "docker discovery off (docker_socket is empty)\n");
		return;
	}
	dockerwatch_status(d->dw, &ds);
	if (ds.connected)
		buf_printf(o, "docker connected to %s, %d containers, %llu events, %llu reconnects, "
		    "%d subnets, %llu nudges (%llu found)\n", ds.socket, ds.containers,
		    (unsigned long long)ds.events, (unsigned long long)ds.reconnects, ds.subnets,
		    (unsigned long long)ds.nudges, (unsigned long long)ds.nudge_found);
	else
		buf_printf(o, "docker not connected to %s%s%s\n", ds.socket,
		    ds.last_error[0] ? ": " : "", ds.last_error);
}

/* Response rules, quarantine and webhooks, as status shows them. */
struct response_status {
	struct responder_stats rs;
	struct webhook_stats ws;
	int quarantined;		/* rows of the quarantine table, -1: not read */
	int running;			/* ... of them in the running policy */
	int kernel_known;
	uint64_t kernel_dropped;	/* by the quarantine rules */
	uint64_t dropped;		/* by the workers */
};

static void
response_status_get(struct daemon *d, const struct worker_stats *t, struct response_status *r)
{
	struct store_quarantine *q;
	char err[256];

	memset(r, 0, sizeof(*r));
	if (d->resp_up)
		responder_snapshot(&d->resp, &r->rs);
	if (d->wh)
		webhook_snapshot(d->wh, &r->ws);
	r->quarantined = -1;
	if (d->db && store_quarantine_list(d->db, &q, &r->quarantined, err, sizeof(err)) == 0)
		free(q);
	r->running = d->live_up ? policy_nquarantined(live_current(&d->live)) : 0;
	r->kernel_known = d->hook != NFT_HOOK_NONE &&
	    nft_quarantine_dropped(&d->conf, &r->kernel_dropped) == 0;
	r->dropped = t->quarantine_drops;
}

static void
json_response(struct buf *o, const struct response_status *r)
{
	buf_printf(o, ",\"response\":{\"rules\":%d,\"enabled\":%d,\"evaluated\":%llu,"
	    "\"fired\":%llu,\"suppressed\":%llu,\"quarantines\":%llu,\"no_source\":%llu,"
	    "\"quarantined\":%d,\"quarantined_running\":%d,\"quarantine_dropped\":%llu,"
	    "\"quarantine_kernel_dropped\":", r->rs.rules, r->rs.enabled,
	    (unsigned long long)r->rs.evaluated, (unsigned long long)r->rs.fired,
	    (unsigned long long)r->rs.suppressed, (unsigned long long)r->rs.quarantined,
	    (unsigned long long)r->rs.no_source, r->quarantined, r->running,
	    (unsigned long long)r->dropped);
	if (r->kernel_known)
		buf_printf(o, "%llu}", (unsigned long long)r->kernel_dropped);
	else
		buf_puts(o, "null}");
	buf_printf(o, ",\"webhooks\":{\"queued\":%llu,\"delivered\":%llu,\"failed\":%llu,"
	    "\"retries\":%llu,\"dropped\":%llu,\"pending\":%llu,\"last_error\":",
	    (unsigned long long)r->ws.queued, (unsigned long long)r->ws.delivered,
	    (unsigned long long)r->ws.failed, (unsigned long long)r->ws.retries,
	    (unsigned long long)r->ws.dropped, (unsigned long long)r->ws.pending);
	buf_json_str(o, r->ws.last_error[0] ? r->ws.last_error : NULL);
	buf_puts(o, ",\"last_error_time\":");
	req_json_time(o, r->ws.last_error_time);
	buf_puts(o, "}");
}

static void
text_response(struct buf *o, const struct response_status *r)
{
	char tm[32];

	buf_printf(o, "response rules %d (%d enabled): fired %llu times, %llu events suppressed; "
	    "%llu workloads quarantined, %d now (%d running), packets dropped %llu by nvd",
	    r->rs.rules, r->rs.enabled, (unsigned long long)r->rs.fired,
	    (unsigned long long)r->rs.suppressed, (unsigned long long)r->rs.quarantined,
	    r->quarantined, r->running, (unsigned long long)r->dropped);
	if (r->kernel_known)
		buf_printf(o, ", %llu by the kernel", (unsigned long long)r->kernel_dropped);
	buf_printf(o, "\nwebhooks delivered %llu, failed %llu, retries %llu, dropped %llu "
	    "(queue full), pending %llu", (unsigned long long)r->ws.delivered,
	    (unsigned long long)r->ws.failed, (unsigned long long)r->ws.retries,
	    (unsigned long long)r->ws.dropped, (unsigned long long)r->ws.pending);
	if (r->ws.last_error[0])
		buf_printf(o, "; last error %s: %s", req_text_time(r->ws.last_error_time, tm,
		    sizeof(tm)), r->ws.last_error);
	buf_puts(o, "\n");
}

/* Connections the workers judged, whatever the outcome. */
static uint64_t
judged(const struct worker_stats *t)
{
	return t->judge.judged[POL_ALLOW] + t->judge.judged[POL_LEARN] +
	    t->judge.judged[POL_ALERT] + t->judge.judged[POL_DENY];
}

static int
cmd_status(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct worker_stats st[MAX_QUEUES], total;
	struct nfq_stats qs[MAX_QUEUES], qtotal;
	struct nfq_kstats ks[MAX_QUEUES], ktotal, pk;
	struct writer_stats ws;
	struct response_status rs;
	struct unseen u;
	long up = (long)(time(NULL) - d->started);
	char steer[MAX_STEER * (IFNAME_LEN + 2)];

	(void)argc;
	(void)argv;
	memset(&total, 0, sizeof(total));
	memset(&qtotal, 0, sizeof(qtotal));
	memset(&ktotal, 0, sizeof(ktotal));
	memset(qs, 0, sizeof(qs));
	for (int i = 0; i < d->nworkers; i++) {
		worker_snapshot(&d->workers[i], &st[i]);
		if (d->queues[i])
			nfq_queue_stats(d->queues[i], &qs[i]);
		nfq_kernel_stats(d->workers[i].queue, &ks[i]);
		nfq_kernel_stats(d->workers[i].protect_queue, &pk);
		ks[i].queue_dropped += pk.queue_dropped;	/* both queues of the worker */
		ks[i].user_dropped += pk.user_dropped;
		stats_add(&total, &st[i], sizeof(total));
		stats_add(&qtotal, &qs[i], sizeof(qtotal));
		ktotal.queue_dropped += ks[i].queue_dropped;
		ktotal.user_dropped += ks[i].user_dropped;
	}
	conf_steer_str(&d->conf, steer, sizeof(steer));
	writer_snapshot(&d->writer, &ws);
	unseen_get(d, qs, &u);
	response_status_get(d, &total, &rs);
	if (json) {
		buf_printf(o, "{\"version\":\"%s\",\"uptime\":%ld,\"hook\":\"%s\",\"bypass\":\"%s\","
		    "\"fail_mode\":\"%s\",\"table\":", PACKAGE_VERSION, up, nft_hook_kind_name(d->hook),
		    bypass_kind(d), conf_fail_mode_name(d->conf.fail_mode));
		buf_json_str(o, d->conf.nft_table);
		buf_puts(o, ",\"steer\":[");
		for (int i = 0; i < d->conf.nsteer; i++) {
			char n[IFNAME_LEN + 1];

			snprintf(n, sizeof(n), "%s%s", d->conf.steer[i].name,
			    d->conf.steer[i].glob ? "*" : "");
			if (i)
				buf_puts(o, ",");
			buf_json_str(o, n);
		}
		buf_printf(o, "],\"stream_depth\":%llu,\"stream_memory\":%llu,\"queues\":[",
		    (unsigned long long)d->conf.stream_depth, (unsigned long long)reasm_memuse());
		for (int i = 0; i < d->nworkers; i++) {
			buf_printf(o, "%s{\"queue\":%u,\"protect_queue\":%u,", i ? "," : "",
			    d->workers[i].queue, d->workers[i].protect_queue);
			json_stats(o, &st[i], &qs[i], &ks[i]);
			buf_puts(o, "}");
		}
		buf_puts(o, "],\"total\":{");
		json_stats(o, &total, &qtotal, &ktotal);
		buf_printf(o, "},\"events\":{\"written\":%llu,\"dropped\":%llu,\"db_errors\":%llu,"
		    "\"busy\":%llu,\"disk_full\":%llu,\"deleted\":%llu,\"pcaps_deleted\":%llu,"
		    "\"log_lines\":%llu,\"log_dropped\":%llu}",
		    (unsigned long long)ws.events_written, (unsigned long long)ws.events_dropped,
		    (unsigned long long)ws.db_errors, (unsigned long long)ws.busy,
		    (unsigned long long)ws.disk_full, (unsigned long long)ws.deleted,
		    (unsigned long long)ws.pcaps_deleted, (unsigned long long)ws.log_lines,
		    (unsigned long long)ws.log_dropped);
		json_response(o, &rs);
		json_unseen(o, &u);
		json_policy_docker(o, d);
		crs_status_json(o, d, &total);
		kdec_run_json(o, &d->kdec, &d->conf, judged(&total));
		buf_puts(o, "}\n");
		return CTL_RESP_OK;
	}
	buf_printf(o, "nvd %s, up %ldd %02ld:%02ld:%02ld\n", PACKAGE_VERSION, up / 86400,
	    up / 3600 % 24, up / 60 % 60, up % 60);
	buf_printf(o, "hook %s, bypass %s, fail_mode %s, table inet %s, steer %s\n",
	    nft_hook_kind_name(d->hook), bypass_kind(d), conf_fail_mode_name(d->conf.fail_mode),
	    d->conf.nft_table, steer);
	buf_printf(o, "stream_depth %llu, stream memory %llu bytes\n",
	    (unsigned long long)d->conf.stream_depth, (unsigned long long)reasm_memuse());
	buf_printf(o, "events %llu written, %llu dropped, %llu database errors\n",
	    (unsigned long long)ws.events_written, (unsigned long long)ws.events_dropped,
	    (unsigned long long)ws.db_errors);
	buf_printf(o, "audit log: %llu batches put off (database locked), %llu records lost to a "
	    "full disk; retention deleted %llu events, %llu pcap files; JSON lines %llu sent, "
	    "%llu dropped\n", (unsigned long long)ws.busy, (unsigned long long)ws.disk_full,
	    (unsigned long long)ws.deleted, (unsigned long long)ws.pcaps_deleted,
	    (unsigned long long)ws.log_lines, (unsigned long long)ws.log_dropped);
	text_response(o, &rs);
	text_unseen(o, &u, d->conf.fail_mode);
	text_policy_docker(o, d, &total);
	crs_status_text(o, d, &total);
	kdec_run_text(o, &d->kdec, &d->conf, judged(&total));
	buf_puts(o, "\n");
	buf_printf(o, "%-6s %12s %14s %12s %8s %9s %8s %9s %8s\n", "queue", "packets", "bytes",
	    "accepted", "dropped", "bypassed", "flows", "anomalies", "unseen");
	for (int i = 0; i < d->nworkers; i++) {
		char name[8];

		snprintf(name, sizeof(name), "%u", d->workers[i].queue);
		text_row(o, name, &st[i], &qs[i], &ks[i]);
	}
	if (d->nworkers > 1)
		text_row(o, "total", &total, &qtotal, &ktotal);
	return CTL_RESP_OK;
}

static int
cmd_reload(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	(void)argc;
	(void)argv;
	if (daemon_reload(d, o) < 0)
		return CTL_RESP_ERROR;
	buf_puts(o, json ? "{\"reloaded\":true}\n" : "reloaded\n");
	return CTL_RESP_OK;
}

const struct handler status_handlers[] = {
	{ { "status" }, 0, 0, "status", cmd_status, REQ_READS },
	{ { "reload" }, 0, 0, "reload", cmd_reload, REQ_CHANGES },
	{ { NULL }, 0, 0, NULL, NULL, REQ_UNSAID },
};
