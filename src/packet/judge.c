#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "proto/app_table.h"
#include "packet/appid.h"
#include "names/dns.h"
#include "packet/egress.h"
#include "names/fqdn.h"
#include "packet/crs_stage.h"
#include "packet/inspect.h"
#include "http/http.h"
#include "packet/judge.h"
#include "runtime/live.h"
#include "packet/pcap.h"
#include "policy/policy.h"
#include "packet/dnsbind.h"
#include "packet/doubt.h"
#include "sensor/sensor.h"
#include "packet/threat.h"

static void
copy_name(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* The connection of flow f, client to server. */
static void
flow_conn(const struct flow *f, struct policy_conn *c)
{
	int cl = f->client, sv = !f->client;

	memset(c, 0, sizeof(*c));
	c->family = f->key.family;
	memcpy(c->client, f->key.addr[cl], 16);
	memcpy(c->server, f->key.addr[sv], 16);
	c->proto = f->key.proto;
	c->port = (c->proto == IPPROTO_TCP || c->proto == IPPROTO_UDP) ? f->key.port[sv] : 0;
	if (f->app_state == APPS_DONE)
		c->app = f->app != APP_UNKNOWN ? app_table[f->app]->word : NULL;
	else
		c->app_waived = 1;	/* provisional until detection decides */
}

/* The flow's application as events and conversations name it, "" while
 * it is not known. */
static const char *
flow_app_name(const struct flow *f)
{
	return f->app_state == APPS_DONE ? app_name(f->app) : "";
}

static void
end_names(const struct policy *pol, const struct policy_end *e, char *wl, char *grp)
{
	const struct policy_workload *w = policy_workload_at(pol, e->workload);

	copy_name(wl, POLICY_NAME_MAX, w ? w->name : NULL);
	copy_name(grp, POLICY_NAME_MAX, policy_group_name_at(pol, e->group));
}

/*
 * The name the server is known by for events and conversations: the one
 * that put it in an FQDN group, else one the client resolved for it.
 */
static const char *
verdict_fqdn(const struct policy_conn *c, const struct policy_verdict *v)
{
	if (v->name >= 0 && v->name < c->nnames)
		return c->names[v->name];
	return c->nnames > 0 ? c->names[0] : "";
}

/* The port of an event's destination: c's, or the one the connection
 * really went to when c is a proxied destination. */
static uint16_t
event_dport(const struct flow *f, const struct policy_conn *c)
{
	return c->by_name && f ? f->key.port[!f->client] : c->port;
}

/*
 * A new event about connection c judged v (f: its flow, or NULL for a
 * packet that has none; sport its client's port): addresses, ends, name
 * of the server.  A violation or a threat is built in j->scratch, to be
 * aggregated (event_agg.h); any other event in a slot of the ring: NULL
 * when the ring is full (counted in its dropped).  The caller fills the rest and
 * hands it over with event_end().
 */
static struct event_rec *
event_begin(struct judge *j, const struct policy *pol, const struct flow *f,
    const struct policy_conn *c, uint16_t sport, const struct policy_verdict *v,
    enum event_type type, enum event_level level, enum event_action action)
{
	struct event_rec *ev = &j->scratch;

	if (type != EV_VIOLATION && type != EV_THREAT) {
		struct record *r = event_ring_reserve(&j->ring, REC_EVENT);

		if (r == NULL)
			return NULL;
		r->type = REC_EVENT;
		ev = &r->u.ev;
	}
	memset(ev, 0, sizeof(*ev));
	ev->time_ms = clock_real_ms();
	ev->type = type;
	ev->level = level;
	ev->action = action;
	event_set_addrs(ev, c->family, c->client, sport, c->server, event_dport(f, c), c->proto);
	if (c->proto != IPPROTO_TCP && c->proto != IPPROTO_UDP)
		ev->src_port = 0;
	end_names(pol, &v->client, ev->src_workload, ev->src_group);
	end_names(pol, &v->server, ev->dst_workload, ev->dst_group);
	snprintf(ev->fqdn, sizeof(ev->fqdn), "%s", verdict_fqdn(c, v));
	return ev;
}

static void
event_end(struct judge *j, struct event_rec *ev)
{
	if (ev == &j->scratch)
		event_agg_add(&j->agg, &j->ring, ev, j->now);
	else
		event_ring_commit(&j->ring);
}

/* "tcp/80", "icmp", "proto/47": c's protocol and port for messages. */
static void
port_text(const struct policy_conn *c, char *out, size_t n)
{
	char word[12];
	const char *proto = policy_proto_word(c->proto, word);

	if (c->proto == IPPROTO_TCP || c->proto == IPPROTO_UDP)
		snprintf(out, n, "%s/%u", proto, c->port);
	else
		snprintf(out, n, "%s", proto);
}

static const char *
strictest_mode(const struct policy_verdict *v)
{
	return policy_mode_name(v->client.mode > v->server.mode ? v->client.mode : v->server.mode);
}

/*
 * A violation of flow f: no rule allows it, a rule denies it, or (d) it
 * cannot be judged with full knowledge.
 */
static void
violation(struct judge *j, const struct policy *pol, const struct flow *f,
    const struct policy_conn *c, const struct policy_verdict *v, enum doubt d)
{
	struct event_rec *ev;
	char port[16], app[200] = "", via[POLICY_FQDN_MAX + 40] = "", why[96];

	ev = event_begin(j, pol, f, c, f->key.port[f->client], v, EV_VIOLATION, EV_WARNING,
	    v->outcome == POL_DENY ? EV_DENY : EV_ALERT);
	if (ev == NULL)
		return;
	ev->rule_id = d ? 0 : v->rule_id;
	if (d) {
		snprintf(ev->name, sizeof(ev->name), "cannot judge");
		snprintf(ev->reason, sizeof(ev->reason), "%s", doubt_name(d));
		snprintf(why, sizeof(why), "cannot be judged: %s", doubt_text(d));
	} else if (v->rule_id) {
		snprintf(ev->name, sizeof(ev->name), "rule %lld", (long long)v->rule_id);
		snprintf(why, sizeof(why), "denied by rule");
	} else {
		snprintf(ev->name, sizeof(ev->name), "no rule");
		snprintf(why, sizeof(why), "no rule allows it");
	}
	port_text(c, port, sizeof(port));
	snprintf(ev->app, sizeof(ev->app), "%s", flow_app_name(f));
	if (ev->app[0]) {
		char details[160];

		/* What the probe found, only at the packet that decided it. */
		details[0] = '\0';
		if (j->appid->info_flow == f)
			app_describe(f->app, &j->appid->info, details, sizeof(details));
		snprintf(app, sizeof(app), " app: %s%s%s%s", ev->app, details[0] ? " (" : "",
		    details, details[0] ? ")" : "");
	}
	if (c->via)		/* judged for the destination a proxy was asked for */
		snprintf(via, sizeof(via), " via proxy to %s:%u", c->via, c->port);
	snprintf(ev->message, sizeof(ev->message), "%.50s -> %.50s %s%s%s: %s (%s)",
	    ev->src_group, ev->dst_group, port, via, app, why, strictest_mode(v));
	event_end(j, ev);
}

/* The connection counted in its conversation: one session with bytes so
 * far (sessions 1), or the bytes since (sessions 0). */
static void
conversation(struct judge *j, const struct policy *pol, struct flow *f,
    const struct policy_conn *c, const struct policy_verdict *v, int session)
{
	uint64_t total = f->bytes[0] + f->bytes[1];
	struct record *r;
	struct conv_rec *cv;

	if (!session && total <= f->conv_bytes)
		return;
	if ((r = event_ring_reserve(&j->ring, REC_CONV)) == NULL)
		return;		/* counted in the ring's dropped */
	r->type = REC_CONV;
	cv = &r->u.conv;
	memset(cv, 0, sizeof(*cv));
	cv->time_ms = clock_real_ms();
	copy_name(cv->from, sizeof(cv->from), policy_group_name_at(pol, v->client.group));
	copy_name(cv->to, sizeof(cv->to), policy_group_name_at(pol, v->server.group));
	if (v->client.workload >= 0)
		copy_name(cv->from_workload, sizeof(cv->from_workload),
		    policy_workload_at(pol, v->client.workload)->name);
	if (v->server.workload >= 0)
		copy_name(cv->to_workload, sizeof(cv->to_workload),
		    policy_workload_at(pol, v->server.workload)->name);
	snprintf(cv->fqdn, sizeof(cv->fqdn), "%s", verdict_fqdn(c, v));
	snprintf(cv->app, sizeof(cv->app), "%s", f->app_state == APPS_DONE ?
	    app_name(f->app) : app_name(APP_UNKNOWN));
	cv->proto = c->proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : c->proto;
	cv->port = c->port;
	cv->verdict = v->outcome == POL_DENY ? CONV_DENY : v->outcome == POL_ALERT ?
	    CONV_ALERT : CONV_ALLOW;
	cv->sessions = session ? 1 : 0;
	cv->bytes = total - f->conv_bytes;
	f->conv_bytes = total;
	event_ring_commit(&j->ring);
}

static void
learn(struct judge *j, const struct policy *pol, const struct policy_conn *c,
    const struct policy_verdict *v)
{
	struct record *r = event_ring_reserve(&j->ring, REC_LEARN);
	struct learn_rec *l;

	if (r == NULL)
		return;		/* counted in the ring's dropped */
	r->type = REC_LEARN;
	l = &r->u.learn;
	memset(l, 0, sizeof(*l));
	l->time_ms = clock_real_ms();
	copy_name(l->from, sizeof(l->from), policy_group_name_at(pol, v->client.group));
	copy_name(l->to, sizeof(l->to), policy_group_name_at(pol, v->server.group));
	/* An external destination known by a name is learned by the name, in
	 * a group of its own whose name no other group can have (':' is in no
	 * other group's name): a name like "host" must not become the group
	 * host.  What is not a DNS name is not learned by name. */
	if (v->server.workload < 0 && !strcmp(l->to, "external") && c->nnames > 0 &&
	    dns_name_ok(verdict_fqdn(c, v)) &&
	    strlen(GROUP_FQDN_PREFIX) + strlen(verdict_fqdn(c, v)) < sizeof(l->to)) {
		snprintf(l->to, sizeof(l->to), "%s%s", GROUP_FQDN_PREFIX, verdict_fqdn(c, v));
		l->to_fqdn = 1;
	}
	l->proto = c->proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : c->proto;
	l->port = c->port;
	if (c->app)
		snprintf(l->app, sizeof(l->app), "%s", c->app);
	event_ring_commit(&j->ring);
}

static void
flush_hits(struct judge *j, int64_t now_real)
{
	for (int i = 0; i < JUDGE_HITS && j->nhits > 0; i++) {
		struct judge_hit *h = &j->hits[i];
		struct record *r;

		if (h->rule_id == 0)
			continue;
		if ((r = event_ring_reserve(&j->ring, REC_HIT)) != NULL) {
			r->type = REC_HIT;
			r->u.hit.rule_id = h->rule_id;
			r->u.hit.count = h->count;
			r->u.hit.time_ms = h->last_ms ? h->last_ms : now_real;
			event_ring_commit(&j->ring);
		}	/* else lost, counted in the ring's dropped */
		memset(h, 0, sizeof(*h));
		j->nhits--;
	}
}

static void
hit(struct judge *j, int64_t rule_id)
{
	uint32_t i = (uint32_t)((uint64_t)rule_id * 0x9e3779b97f4a7c15ull >> 56) % JUDGE_HITS;

	if (j->nhits >= JUDGE_HITS * 3 / 4)
		flush_hits(j, clock_real_ms());
	for (;; i = (i + 1) % JUDGE_HITS) {
		struct judge_hit *h = &j->hits[i];

		if (h->rule_id == rule_id || h->rule_id == 0) {
			if (h->rule_id == 0) {
				h->rule_id = rule_id;
				j->nhits++;
			}
			h->count++;
			h->last_ms = clock_real_ms();
			return;
		}
	}
}

/*
 * ICMPv6 that is no connection of its own and that the network cannot
 * work without: neighbor discovery and MLD (RFC 4861, RFC 3810), which
 * stay on the link.  They pass unjudged and are never learned.
 */
int
judge_exempt(const struct packet *p)
{
	return p->proto == IPPROTO_ICMPV6 &&
	    ((p->icmp_type >= 130 && p->icmp_type <= 137) || p->icmp_type == 143);
}

#define JUDGE_NAMES	8	/* names of one server address looked at */

struct judge_names {
	char n[JUDGE_NAMES][POLICY_FQDN_MAX + 1];
	int count;
	int resolved;		/* n came from the cache */
};

static void
fqdn_addrs(const struct policy_conn *c, struct fqdn_addr *src, struct fqdn_addr *dst)
{
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	src->family = dst->family = (uint8_t)c->family;
	memcpy(src->addr, c->client, 16);
	memcpy(dst->addr, c->server, 16);
}

/* The SNI of the TLS hello that decided f, lower case, or "". */
static void
flow_sni(const struct judge *j, const struct flow *f, char sni[POLICY_FQDN_MAX + 1])
{
	size_t i;

	sni[0] = '\0';
	if (f->app != APP_TLS || j->appid->info_flow != f)
		return;
	for (i = 0; j->appid->info.host[i] && i < POLICY_FQDN_MAX; i++)
		sni[i] = (char)tolower((unsigned char)j->appid->info.host[i]);
	sni[i] = '\0';
	if (!dns_name_ok(sni))
		sni[0] = '\0';
}

/*
 * The names of the server end (fqdn.h): those the client resolved for the
 * server's address.  A TLS hello's SNI never names an address: anyone can
 * write any name there; it only confirms the names resolved (sni_check).
 */
static void
server_names(struct judge *j, const struct policy *pol, const struct flow *f,
    struct policy_conn *c, struct judge_names *nm)
{
	nm->count = nm->resolved = 0;
	if (j->dns->cache && !policy_is_workload(pol, c->family, c->server)) {
		struct fqdn_addr src, dst;

		fqdn_addrs(c, &src, &dst);
		nm->count = fqdn_names(j->dns->cache, &src, &dst, j->now, nm->n, JUDGE_NAMES);
		if (nm->count > JUDGE_NAMES)
			nm->count = JUDGE_NAMES;
		nm->resolved = nm->count > 0;
	}
	c->names = (const char (*)[POLICY_FQDN_MAX + 1])nm->n;
	c->nnames = nm->count;
}

/* A TLS client that asks for another name than the one it resolved the
 * address for: recorded (a domain-fronting or a misdirected request). */
static void
sni_check(struct judge *j, const struct policy *pol, const struct flow *f,
    const struct policy_conn *c, const struct policy_verdict *v, const struct judge_names *nm)
{
	char sni[POLICY_FQDN_MAX + 1];
	struct event_rec *ev;

	flow_sni(j, f, sni);
	if (!nm->resolved || sni[0] == '\0')
		return;
	for (int i = 0; i < nm->count; i++)
		if (!strcmp(nm->n[i], sni))
			return;
	ev = event_begin(j, pol, f, c, f->key.port[f->client], v, EV_VIOLATION, EV_WARNING,
	    v->outcome == POL_DENY ? EV_DENY : EV_ALERT);
	if (ev == NULL)
		return;
	snprintf(ev->name, sizeof(ev->name), "sni mismatch");
	snprintf(ev->app, sizeof(ev->app), "%s", app_name(APP_TLS));
	snprintf(ev->fqdn, sizeof(ev->fqdn), "%s", sni);
	snprintf(ev->message, sizeof(ev->message), "%.30s -> %.30s tcp/%u app: TLS: SNI %.50s "
	    "is not the name resolved for the address (%.50s)", ev->src_group, ev->dst_group,
	    c->port, sni, nm->n[0]);
	event_end(j, ev);
}

/*
 * A request to an HTTP proxy (CONNECT, or an absolute-form target) is
 * judged for the destination it asks for too, by name: the stricter
 * verdict stands.  pc and pv get the proxied judgement when it is
 * stricter; returns whether it is.
 */
/*
 * Connection c as the destination t a proxy was asked for (r: what
 * egress_proxy_target() said, 1 or -1), into pc, and its verdict pv.
 * Returns r.
 */
static int
proxy_judge(struct judge *j, const struct policy *pol, const struct policy_conn *c, int r,
    const struct egress_target *t, struct policy_conn *pc, struct policy_verdict *pv)
{
	*pc = *c;
	pc->via = t->host;
	pc->port = t->port;
	pc->app = NULL;
	pc->app_waived = 1;	/* what runs inside the tunnel is not known */
	j->st.proxied++;
	if (r < 0)
		return -1;	/* an authority nvd cannot read: in doubt */
	if (t->family == c->family) {
		/* An address literal is judged as that address. */
		memset(pc->server, 0, sizeof(pc->server));
		memcpy(pc->server, t->addr, t->family == AF_INET ? 4 : 16);
		pc->names = NULL;
		pc->nnames = 0;
	} else {
		/* A name, or an address of the other family: by what was asked
		 * (no group of names holds an address literal: external). */
		pc->by_name = 1;
		pc->names = (const char (*)[POLICY_FQDN_MAX + 1])t->host;
		pc->nnames = 1;
	}
	policy_judge(pol, pc, pv);
	if (pv->outcome == POL_LEARN && (pv->client.workload >= 0))
		learn(j, pol, pc, pv);
	else if (pv->outcome == POL_ALLOW && pv->rule_id)
		hit(j, pv->rule_id);
	return 1;
}

/*
 * A request to an HTTP proxy (CONNECT, or an absolute-form target) is
 * judged for the destination it asks for too: the stricter verdict
 * stands.  pc and pv get the proxied judgement when it is stricter;
 * returns whether it is, or -1 when the destination cannot be read.
 */
static int
proxied(struct judge *j, const struct policy *pol, const struct flow *f,
    const struct policy_conn *c, const struct policy_verdict *v, struct policy_conn *pc,
    struct policy_verdict *pv, struct egress_target *t)
{
	int r;

	if (f->app != APP_HTTP || j->appid->info_flow != f ||
	    (r = egress_proxy_target(&j->appid->info, t)) == 0)
		return 0;
	if (proxy_judge(j, pol, c, r, t, pc, pv) < 0)
		return -1;
	return pv->outcome > v->outcome;
}

void
judge_proxy_request(void *ctx, struct flow *f, const struct http_head *h)
{
	struct judge *j = ctx;
	const struct policy *pol = j->live ? live_current(j->live) : NULL;
	struct policy_conn c, pc;
	struct policy_verdict v, pv;
	struct judge_names nm;
	struct egress_target t;
	struct app_info info;
	int r;

	if (pol == NULL || (f->flags & FLOW_F_DENIED))
		return;
	memset(&info, 0, sizeof(info));
	app_copy_text(info.method, sizeof(info.method), h->method, h->method_len);
	app_copy_text(info.path, sizeof(info.path), h->target, h->target_len);
	if ((r = egress_proxy_target(&info, &t)) == 0)
		return;		/* for the proxy itself */
	flow_conn(f, &c);
	server_names(j, pol, f, &c, &nm);
	policy_judge(pol, &c, &v);
	if (proxy_judge(j, pol, &c, r, &t, &pc, &pv) < 0) {
		pc.via = info.path;
		judge_proxy_doubt(j, f, DOUBT_HTTP_PARSER);
		return;
	}
	if (pv.outcome == POL_DENY) {
		f->deny_pending = 1;
		violation(j, pol, f, &pc, &pv, DOUBT_NONE);
	} else if (pv.outcome == POL_ALERT)
		violation(j, pol, f, &pc, &pv, DOUBT_NONE);
}

void
judge_proxy_doubt(void *ctx, struct flow *f, enum doubt d)
{
	struct judge *j = ctx;
	const struct policy *pol = j->live ? live_current(j->live) : NULL;
	struct policy_conn c;
	struct policy_verdict v;
	struct judge_names nm;

	if (f->doubt == DOUBT_NONE)
		f->doubt = (uint8_t)d;
	if (f->protect)
		f->deny_pending = 1;
	if (f->doubts_told & 1u << d)
		return;
	f->doubts_told |= 1u << d;
	j->st.unjudged[d]++;
	if (pol == NULL)
		return;
	flow_conn(f, &c);
	server_names(j, pol, f, &c, &nm);
	policy_judge(pol, &c, &v);
	v.outcome = f->protect ? POL_DENY : POL_ALERT;
	violation(j, pol, f, &c, &v, d);
}

/*
 * Why f's verdict v cannot be trusted, or DOUBT_NONE: its application
 * could not be told (f->doubt) and v depends on what it is.
 */
static enum doubt
flow_doubt(const struct flow *f, const struct policy_verdict *v)
{
	if (f->doubt == DOUBT_NONE || f->app_state != APPS_WAIVED || !v->app_assumed)
		return DOUBT_NONE;
	return (enum doubt)f->doubt;
}

static int
any_protect(const struct policy_verdict *v)
{
	return v->client.mode == MODE_PROTECT || v->server.mode == MODE_PROTECT;
}

/*
 * Judges f with pol.  The first judgement with its application decided is
 * the final one (FLOW_F_CONV): it is counted, learned, reported and
 * counted in its conversation; judgements before it are provisional
 * (appid.h), after it only a policy change judges f again.  A deny is
 * final at once and reported at once; an alert is reported once the
 * application is known.
 */
static void
judge_flow(struct judge *j, const struct policy *pol, struct flow *f,
    struct policy_verdict *v)
{
	struct policy_conn c, pc;
	struct policy_verdict pv;
	struct judge_names nm;
	struct egress_target t;
	int final = appid_final(f) && !(f->flags & FLOW_F_CONV);
	int was_denied = !!(f->flags & FLOW_F_DENIED), judged = !!(f->flags & FLOW_F_JUDGED);
	int px = 0;
	enum doubt d;

	flow_conn(f, &c);
	server_names(j, pol, f, &c, &nm);
	policy_judge(pol, &c, v);
	if (final && (px = proxied(j, pol, f, &c, v, &pc, &pv, &t)) > 0) {
		c = pc;
		*v = pv;
	}
	d = px < 0 ? DOUBT_HTTP_PARSER : flow_doubt(f, v);
	if (px < 0)
		c.via = j->appid->info.path;	/* as asked */
	/* What cannot be judged with full knowledge is denied in protect. */
	if (d != DOUBT_NONE) {
		if (any_protect(v))
			v->outcome = POL_DENY;
		if (!(f->doubts_told & 1u << d))
			j->st.unjudged[d]++;
	}
	f->protect = (uint8_t)any_protect(v);
	if (judged && f->policy_gen != policy_gen(pol))
		j->st.rejudged++;
	f->flags |= FLOW_F_JUDGED;
	f->flags &= (uint8_t)~FLOW_F_APP_NEW;
	f->policy_gen = policy_gen(pol);
	f->rule_id = v->rule_id;
	f->thr_on = v->threats;
	f->thr_deny = v->threats_deny;
	if (v->outcome == POL_DENY) {
		if (!was_denied)
			violation(j, pol, f, &c, v, d);
		f->flags |= FLOW_F_DENIED | FLOW_F_REPORTED;
		final = !(f->flags & FLOW_F_CONV);
	} else if (!f->deny_pending)
		f->flags &= (uint8_t)~FLOW_F_DENIED;
	if (d != DOUBT_NONE && !(f->doubts_told & 1u << d)) {
		f->doubts_told |= 1u << d;
		if (v->outcome != POL_DENY)
			violation(j, pol, f, &c, v, d);		/* passed: said why */
	}
	/* The sensors that inspect it, from its first packet on. */
	if ((v->sensors || f->insp) && v->outcome != POL_DENY && f->key.proto == IPPROTO_TCP &&
	    f->tcp_state < TCPS_CLOSING &&
	    inspect_update(j->insp, f, v) < 0)
		judge_sensor_doubt(j, f, DOUBT_INSPECT_STATE, v->sensors_deny != 0);
	if (v->outcome == POL_ALERT && appid_final(f) && !(f->flags & FLOW_F_REPORTED)) {
		violation(j, pol, f, &c, v, DOUBT_NONE);
		f->flags |= FLOW_F_REPORTED;
	}
	if (!final)
		return;
	sni_check(j, pol, f, &c, v, &nm);
	/* The binding it was judged with lives while it is open. */
	if (nm.resolved && f->fqdn_ref == 0 && !c.by_name) {
		struct fqdn_addr src, dst;

		fqdn_addrs(&c, &src, &dst);
		f->fqdn_ref = fqdn_use(j->dns->cache, &src, verdict_fqdn(&c, v), &dst, j->now);
	}
	switch (v->outcome) {
	case POL_ALLOW:
		if (v->rule_id)
			hit(j, v->rule_id);
		break;
	case POL_LEARN:
		/* Only what a workload does is learned: traffic between two
		 * addresses that are no workload (the bridge's own chatter,
		 * routed traffic) says nothing about a container. */
		if (v->client.workload >= 0 || v->server.workload >= 0)
			learn(j, pol, &c, v);
		break;
	case POL_ALERT:
	case POL_DENY:
		break;
	}
	j->st.judged[v->outcome]++;
	conversation(j, pol, f, &c, v, 1);
	f->flags |= FLOW_F_CONV;
}

enum verdict
judge_packet(struct judge *j, const struct policy *pol, struct flow *f, const struct packet *p)
{
	struct policy_verdict v;
	int first = !(f->flags & FLOW_F_JUDGED), was_denied = !!(f->flags & FLOW_F_DENIED);

	if (pol == NULL || judge_exempt(p))
		return VERDICT_ACCEPT;
	if (!first && f->policy_gen == policy_gen(pol) && !(f->flags & FLOW_F_APP_NEW))
		goto out;
	judge_flow(j, pol, f, &v);
	if (v.outcome == POL_DENY) {
		if (!was_denied && p->proto == IPPROTO_TCP) {
			/* Cut mid-stream (re-judged, judged by its
			 * application, or a connection open before nvd saw
			 * it): both ends must learn it now. */
			uint64_t before = j->rst.sent;

			rst_send(&j->rst, p, !first || (f->flags & FLOW_F_MIDSTREAM));
			j->st.resets_sent += j->rst.sent - before;
		}
		j->st.denied_packets++;
		return VERDICT_DROP;
	}
out:
	if (f->flags & FLOW_F_DENIED) {
		uint64_t before = j->rst.sent;

		j->st.denied_packets++;
		rst_send(&j->rst, p, 0);	/* a retransmit: the reset was lost */
		j->st.resets_sent += j->rst.sent - before;
		return VERDICT_DROP;
	}
	return VERDICT_ACCEPT;
}

_Static_assert(EVENT_EXCERPT_MAX == SENSOR_EXCERPT_MAX, "an event holds a whole excerpt");

/* The packet that carried the match, in pcap_dir; its file named in the
 * event (ev->pcap, and its message: "... pcap NAME"). */
static void
save_pcap(struct judge *j, struct event_rec *ev)
{
	char name[EVENT_PCAP_MAX];

	if (j->pcap_dir == NULL || j->pcap_dir[0] == '\0' || j->pkt == NULL)
		return;
	snprintf(name, sizeof(name), "nvd-%lld-q%u-%llu.pcap", (long long)ev->time_ms,
	    j->queue, (unsigned long long)(j->st.pcaps + j->st.pcap_errors));
	if (pcap_save(j->pcap_dir, name, j->pkt, j->pkt_len, ev->time_ms) < 0) {
		j->st.pcap_errors++;
		return;
	}
	j->st.pcaps++;
	memcpy(ev->pcap, name, sizeof(name));
}

/*
 * A DLP or WAF rule fired on f's bytes (inspect.h): an event, and with
 * action deny in protect mode the flow is dropped once the bytes are
 * processed (judge_deny_pending; f must not be freed from here).
 */
void
judge_sensor_hit(void *ctx, struct flow *f, const struct inspect_hit *ih)
{
	struct judge *j = ctx;
	const struct policy *pol = j->live ? live_current(j->live) : NULL;
	struct policy_conn c;
	struct policy_verdict v;
	struct judge_names nm;
	struct event_rec *ev;
	char port[16];

	j->st.sensor_events++;
	if (ih->deny && !f->deny_pending) {
		f->deny_pending = 1;
		j->st.sensor_denied++;
	}
	if (pol == NULL)
		return;
	flow_conn(f, &c);
	server_names(j, pol, f, &c, &nm);
	policy_judge(pol, &c, &v);
	ev = event_begin(j, pol, f, &c, f->key.port[f->client], &v,
	    ih->type == SENSOR_DLP ? EV_DLP : EV_WAF, EV_CRITICAL, ih->deny ? EV_DENY : EV_ALERT);
	if (ev == NULL)
		return;
	snprintf(ev->name, sizeof(ev->name), "%s", ih->h->rule_name);
	snprintf(ev->sensor, sizeof(ev->sensor), "%s", ih->h->sensor_name);
	snprintf(ev->app, sizeof(ev->app), "%s", flow_app_name(f));
	port_text(&c, port, sizeof(port));
	save_pcap(j, ev);
	/* A deny outside protect mode is only reported: say what it would do. */
	snprintf(ev->message, sizeof(ev->message), "%.24s -> %.24s %s: %.32s %.32s in the %s %s: %.40s%s",
	    ev->src_group, ev->dst_group, port, ev->sensor, ev->name,
	    ih->dir == DIR_TO_SERVER ? "request" : "response", sensor_ctx_name(ih->h->ctx),
	    ih->h->excerpt, ih->deny ? " (denied)" :
	    ih->h->sensor < 64 && (v.sensors_deny_set >> ih->h->sensor & 1) ?
	    " (would have been denied: not in protect mode)" : "");
	snprintf(ev->excerpt, sizeof(ev->excerpt), "%s", ih->h->excerpt);
	if (ev->pcap[0]) {
		size_t l = strlen(ev->message);

		snprintf(ev->message + l, sizeof(ev->message) - l, "; pcap %s", ev->pcap);
	}
	event_end(j, ev);
}

/* "942100 SQL Injection ... [data]; 941100 ..." of cv's rules, into out. */
static void
crs_rules_text(const struct crs_verdict *cv, char *out, size_t cap)
{
	const struct crs_result *r = cv->res;
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < r->nhits && len + 1 < cap; i++) {
		const struct crs_hit *h = &r->hits[i];
		int n;

		if (h->id == 949110)
			continue;	/* the verdict itself, said by the score */
		n = snprintf(out + len, cap - len, "%s%d %s%s%s%s", len ? "; " : "", h->id, h->msg,
		    h->data[0] ? " [" : "", h->data, h->data[0] ? "]" : "");
		if (n < 0)
			break;
		len += (size_t)n < cap - len ? (size_t)n : cap - len - 1;
	}
}

void
judge_crs_result(void *ctx, struct flow *f, const struct crs_verdict *cv)
{
	struct judge *j = ctx;
	const struct policy *pol = j->live ? live_current(j->live) : NULL;
	const struct crs_result *r = cv->res;
	char port[16], rules[256], ids[64];
	struct policy_conn c;
	struct policy_verdict v;
	struct judge_names nm;
	struct event_rec *ev;
	size_t il = 0;

	j->st.sensor_events++;
	if (cv->deny)
		j->st.sensor_denied++;
	if (pol == NULL)
		return;
	flow_conn(f, &c);
	server_names(j, pol, f, &c, &nm);
	policy_judge(pol, &c, &v);
	ev = event_begin(j, pol, f, &c, f->key.port[f->client], &v, EV_WAF, EV_CRITICAL,
	    cv->deny ? EV_DENY : EV_ALERT);
	if (ev == NULL)
		return;
	ids[0] = '\0';
	for (int i = 0; i < r->nhits && il + 8 < sizeof(ids); i++)
		if (r->hits[i].id != 949110)
			il += (size_t)snprintf(ids + il, sizeof(ids) - il, "%s%d", il ? "," : "",
			    r->hits[i].id);
	snprintf(ev->name, sizeof(ev->name), "%s", ids[0] ? ids : "949110");
	snprintf(ev->sensor, sizeof(ev->sensor), "%s", CRS_SENSOR);
	snprintf(ev->app, sizeof(ev->app), "%s", flow_app_name(f));
	port_text(&c, port, sizeof(port));
	crs_rules_text(cv, rules, sizeof(rules));
	snprintf(ev->message, sizeof(ev->message), "%.24s -> %.24s %s: sensor.crs score %d "
	    "(threshold %d, paranoia %d)%s: %s", ev->src_group, ev->dst_group, port, r->score,
	    cv->threshold, cv->paranoia, cv->deny ? " (denied)" : cv->deny_set ?
	    " (would have been denied: not in protect mode)" : "", rules);
	event_end(j, ev);
}

/*
 * The sensors cannot see all of f's bytes (inspect.h's doubt callback):
 * with a sensor that would deny it, f is dropped like a match would; else
 * the doubt is reported.
 */
void
judge_sensor_doubt(void *ctx, struct flow *f, enum doubt d, int deny)
{
	struct judge *j = ctx;
	const struct policy *pol = j->live ? live_current(j->live) : NULL;
	struct policy_conn c;
	struct policy_verdict v;
	struct judge_names nm;

	if (f->doubt == DOUBT_NONE)
		f->doubt = (uint8_t)d;
	if (deny)
		f->deny_pending = 1;
	if (f->doubts_told & 1u << d)
		return;
	f->doubts_told |= 1u << d;
	j->st.unjudged[d]++;
	if (pol == NULL)
		return;
	flow_conn(f, &c);
	server_names(j, pol, f, &c, &nm);
	policy_judge(pol, &c, &v);
	v.outcome = deny ? POL_DENY : POL_ALERT;
	violation(j, pol, f, &c, &v, d);
}

/* The bits of f->doubts_told, past the doubts', that say a forged DNS
 * answer, and one from a server not trusted, on f was reported. */
#define TOLD_DNS_FORGED		(1u << 31)
#define TOLD_DNS_UNTRUSTED	(1u << 30)
_Static_assert(DOUBT_COUNT < 30, "doubts_told has bits for DNS answers");

/* A DNS answer on f that bound nothing, reported once per flow (told). */
static void
dns_unbound(struct judge *j, struct flow *f, const struct dns_answer *a, uint32_t told,
    const char *name, const char *reason, const char *why)
{
	const struct policy *pol = j->live ? live_current(j->live) : NULL;
	char port[16], addr[INET6_ADDRSTRLEN] = "no address";
	struct policy_conn c;
	struct policy_verdict v;
	struct judge_names nm;
	struct event_rec *ev;

	if (pol == NULL || (f->doubts_told & told))
		return;
	f->doubts_told |= told;
	flow_conn(f, &c);
	server_names(j, pol, f, &c, &nm);
	policy_judge(pol, &c, &v);
	ev = event_begin(j, pol, f, &c, f->key.port[f->client], &v, EV_VIOLATION, EV_WARNING,
	    EV_ALERT);
	if (ev == NULL)
		return;
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	snprintf(ev->reason, sizeof(ev->reason), "%s", reason);
	snprintf(ev->app, sizeof(ev->app), "%s", app_name(APP_DNS));
	snprintf(ev->fqdn, sizeof(ev->fqdn), "%s", a->names[0]);	/* the name it claims */
	if (a->naddrs > 0)
		inet_ntop(a->addrs[0].family, a->addrs[0].addr, addr, sizeof(addr));
	port_text(&c, port, sizeof(port));
	snprintf(ev->message, sizeof(ev->message), "%.40s -> %.40s %s: %s (id %u): %.80s %s; "
	    "nothing bound", ev->src_group, ev->dst_group, port, why, a->id, a->names[0], addr);
	event_end(j, ev);
}

void
judge_dns_forged(void *ctx, struct flow *f, const struct dns_answer *a)
{
	dns_unbound(ctx, f, a, TOLD_DNS_FORGED, "dns forged answer", "dns_unsolicited",
	    "a DNS answer to no query the client sent");
}

int
judge_dns_trusted(void *ctx, const struct flow *f)
{
	struct judge *j = ctx;
	const struct policy *pol = j->live ? live_current(j->live) : NULL;

	return pol == NULL || policy_dns_trusted(pol, f->key.family, f->key.addr[!f->client]);
}

void
judge_dns_untrusted(void *ctx, struct flow *f, const struct dns_answer *a)
{
	dns_unbound(ctx, f, a, TOLD_DNS_UNTRUSTED, "dns untrusted resolver", "dns_untrusted",
	    "an answer from a DNS server not in dns_resolvers");
}

/* The ends of packet p, which has no flow judged, as a connection. */
static void
packet_conn(const struct packet *p, struct policy_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->family = p->family;
	memcpy(c->client, p->src, p->addr_len);
	memcpy(c->server, p->dst, p->addr_len);
	c->proto = p->proto;
	c->port = (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) ? p->dport : 0;
}

void
judge_packet_threats(const struct policy *pol, const struct packet *p, uint32_t *on,
    uint32_t *deny)
{
	struct policy_conn c;
	struct policy_verdict v;

	*on = *deny = 0;
	if (pol == NULL || p->src == NULL)
		return;
	packet_conn(p, &c);
	policy_judge(pol, &c, &v);
	*on = v.threats;
	*deny = v.threats_deny;
}

/*
 * A threat detector fired (threat.h's hit callback): the event, of f's
 * connection when it was judged, else of packet p's ends.  A flood's goes
 * to the ring with its count; the others are aggregated like violations.
 */
void
judge_threat_hit(void *ctx, struct flow *f, const struct packet *p, const struct threat_hit *h)
{
	struct judge *j = ctx;
	const struct policy *pol = j->live ? live_current(j->live) : NULL;
	const struct threat_conf *tc;
	struct policy_conn c;
	struct policy_verdict v;
	struct judge_names nm;
	struct event_rec *ev;
	struct record *r;
	char port[16];
	uint16_t sport;
	size_t l;

	if (pol == NULL)
		return;
	if (f && (f->flags & FLOW_F_JUDGED) && (p == NULL || !h->flood)) {
		flow_conn(f, &c);
		server_names(j, pol, f, &c, &nm);
		sport = f->key.port[f->client];
	} else if (p) {
		packet_conn(p, &c);
		sport = p->sport;
	} else
		return;
	policy_judge(pol, &c, &v);
	tc = &policy_threats(pol)->t[h->id];
	ev = event_begin(j, pol, f, &c, sport, &v, EV_THREAT, (enum event_level)tc->level,
	    h->deny ? EV_DENY : EV_ALERT);
	snprintf(ev->name, sizeof(ev->name), "%s", threat_defs[h->id].name);
	if (f)
		snprintf(ev->app, sizeof(ev->app), "%s", flow_app_name(f));
	port_text(&c, port, sizeof(port));
	if (h->any_source) {
		/* The destination's meter, of every source: the packet that
		 * crossed its threshold may be a client's, which the event must
		 * not name (a response rule would quarantine it). */
		memset(ev->src, 0, sizeof(ev->src));
		ev->src_port = 0;
		ev->src_workload[0] = ev->src_group[0] = '\0';
	} else
		save_pcap(j, ev);
	snprintf(ev->message, sizeof(ev->message), "%.24s -> %.24s %.15s: %.130s%s",
	    h->any_source ? "any source" : ev->src_group,
	    ev->dst_group, port, h->evidence, h->deny ? " (denied)" :
	    tc->deny ? " (would have been denied: not in protect mode)" : "");
	if (ev->pcap[0] && (l = strlen(ev->message)) < sizeof(ev->message))
		snprintf(ev->message + l, sizeof(ev->message) - l, "; pcap %s", ev->pcap);
	if (!h->flood) {
		event_end(j, ev);
		return;
	}
	if ((r = event_ring_reserve(&j->ring, REC_EVENT)) == NULL)
		return;		/* counted in the ring's dropped */
	r->type = REC_EVENT;
	r->u.ev = *ev;
	r->u.ev.count = h->count;
	event_ring_commit(&j->ring);
}

enum verdict
judge_quoted(struct judge *j, const struct policy *pol, const struct packet *in)
{
	struct policy_conn c;
	struct policy_verdict v;

	if (pol == NULL)
		return VERDICT_ACCEPT;
	packet_conn(in, &c);
	policy_judge(pol, &c, &v);
	if (v.outcome != POL_DENY)
		return VERDICT_ACCEPT;
	j->st.denied_packets++;
	return VERDICT_DROP;
}

/*
 * An end of c that pol names as a workload whose address it gave up since
 * (live_unidentified) is not that workload: for the event it is external.
 * The end nvd cannot identify could be in whichever mode
 * policy_unidentified_mode() says: returns the strictest mode of c's ends so.
 */
static enum policy_mode
unidentified(struct judge *j, const struct policy *pol, const struct policy_conn *c,
    struct policy_verdict *v, enum policy_mode mode)
{
	if (v->client.workload >= 0 && live_unidentified(j->live, pol, c->family, c->client)) {
		v->client.workload = -1;
		v->client.group = policy_group_find(pol, GROUP_EXTERNAL);
	}
	if (v->server.workload >= 0 && live_unidentified(j->live, pol, c->family, c->server)) {
		v->server.workload = -1;
		v->server.group = policy_group_find(pol, GROUP_EXTERNAL);
	}
	return policy_unidentified_mode(pol) > mode ? policy_unidentified_mode(pol) : mode;
}

/*
 * Workload wl as the client end of v (its learned group, the strictest
 * mode of its groups and of the end it replaces): who really sent a
 * packet that claims another source.
 */
#define SENDER_GROUPS	64	/* groups of the sender looked at */

static void
sender_end(const struct policy *pol, int wl, struct policy_end *e)
{
	int g[SENDER_GROUPS], ng = policy_workload_groups(pol, wl, g, SENDER_GROUPS);

	e->workload = wl;
	if (ng > 0)
		e->group = g[0];
	for (int i = 0; i < ng; i++)
		if (policy_group_mode_at(pol, g[i]) > e->mode)
			e->mode = policy_group_mode_at(pol, g[i]);
}

/* judge_doubt(), and judge_spoofed() with sender the workload that sent p. */
static enum verdict
doubt_verdict(struct judge *j, const struct policy *pol, struct flow *f, const struct packet *p,
    enum doubt d, int sender)
{
	struct policy_conn c;
	struct policy_verdict v;
	struct judge_names nm;
	struct event_rec *ev;
	enum policy_mode mode;
	char port[16];
	int protect;

	j->st.unjudged[d]++;
	if (pol == NULL)
		return VERDICT_ACCEPT;
	if (f && (f->flags & FLOW_F_JUDGED) && f->policy_gen == policy_gen(pol)) {
		flow_conn(f, &c);
		server_names(j, pol, f, &c, &nm);
	} else
		packet_conn(p, &c);
	policy_judge(pol, &c, &v);
	if (sender >= 0)
		sender_end(pol, sender, &v.client);
	mode = v.client.mode > v.server.mode ? v.client.mode : v.server.mode;
	if (d == DOUBT_UNIDENTIFIED)
		mode = unidentified(j, pol, &c, &v, mode);
	protect = mode == MODE_PROTECT;
	if (f == NULL || !(f->doubts_told & 1u << d)) {
		if (f)
			f->doubts_told |= 1u << d;
		ev = event_begin(j, pol, f, &c, f ? f->key.port[f->client] : p->sport, &v,
		    EV_VIOLATION, EV_WARNING, protect ? EV_DENY : EV_ALERT);
		if (ev) {
			snprintf(ev->name, sizeof(ev->name), "cannot judge");
			snprintf(ev->reason, sizeof(ev->reason), "%s", doubt_name(d));
			port_text(&c, port, sizeof(port));
			snprintf(ev->message, sizeof(ev->message), "%.50s -> %.50s %s: cannot be "
			    "judged: %s (%s)", ev->src_group, ev->dst_group, port, doubt_text(d),
			    policy_mode_name(mode));
			event_end(j, ev);
		}
	}
	if (!protect)
		return VERDICT_ACCEPT;
	j->st.denied_packets++;
	return VERDICT_DROP;
}

enum verdict
judge_doubt(struct judge *j, const struct policy *pol, struct flow *f, const struct packet *p,
    enum doubt d)
{
	return doubt_verdict(j, pol, f, p, d, -1);
}

enum verdict
judge_spoofed(struct judge *j, const struct policy *pol, const struct packet *p, int wl)
{
	return doubt_verdict(j, pol, NULL, p, DOUBT_SPOOFED, wl);
}

enum verdict
judge_deny_pending(struct judge *j, struct flow *f, const struct packet *p)
{
	uint64_t before = j->rst.sent;

	f->flags |= FLOW_F_DENIED | FLOW_F_REPORTED;
	j->st.denied_packets++;
	if (p->proto == IPPROTO_TCP) {
		rst_send(&j->rst, p, 1);	/* open: both ends */
		j->st.resets_sent += j->rst.sent - before;
	}
	return VERDICT_DROP;
}

void
judge_flow_end(struct judge *j, const struct policy *pol, struct flow *f)
{
	struct policy_verdict v;

	if (pol == NULL || !(f->flags & FLOW_F_JUDGED))
		return;
	if (!(f->flags & FLOW_F_CONV)) {
		judge_flow(j, pol, f, &v);
	} else if (f->bytes[0] + f->bytes[1] > f->conv_bytes) {
		struct policy_conn c;
		struct judge_names nm;

		flow_conn(f, &c);
		server_names(j, pol, f, &c, &nm);
		policy_judge(pol, &c, &v);
		if (f->flags & FLOW_F_DENIED)
			v.outcome = POL_DENY;
		conversation(j, pol, f, &c, &v, 0);
	}
}

void
judge_tick(struct judge *j, uint64_t now)
{
	if (j->live)
		event_agg_tick(&j->agg, &j->ring, now, 0);
	if (now - j->hits_ms < 1000)
		return;
	flush_hits(j, clock_real_ms());
	j->hits_ms = now;
}

void
judge_flush(struct judge *j)
{
	if (j->live == NULL)
		return;
	event_agg_tick(&j->agg, &j->ring, j->now, 1);
	flush_hits(j, clock_real_ms());
}

int
judge_init(struct judge *j, struct live *live, int wake_fd, const struct appid *appid,
    const struct dnsbind *dns, struct inspect_env *insp)
{
	if (event_ring_init(&j->ring, wake_fd) < 0)
		return -1;
	if (event_agg_init(&j->agg) < 0) {
		event_ring_destroy(&j->ring);
		return -1;
	}
	rst_open(&j->rst);
	j->live = live;
	j->appid = appid;
	j->dns = dns;
	j->insp = insp;
	return 0;
}

void
judge_destroy(struct judge *j)
{
	if (j->live == NULL)
		return;
	event_agg_destroy(&j->agg);
	event_ring_destroy(&j->ring);
	rst_close(&j->rst);
	j->live = NULL;
}
