#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "judge.h"
#include "policy.h"
#include "worker.h"

static int64_t
real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
}

static const char *
proto_word(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "icmp";
}

static void
end_names(const struct policy *pol, const struct policy_end *e, char *wl, char *grp)
{
	const struct policy_workload *w = policy_workload_at(pol, e->workload);

	copy_name(wl, POLICY_NAME_MAX, w ? w->name : NULL);
	copy_name(grp, POLICY_NAME_MAX, policy_group_name_at(pol, e->group));
}

static void
violation(struct worker *w, const struct policy *pol, const struct flow *f,
    const struct policy_conn *c, const struct policy_verdict *v)
{
	struct record *r = event_ring_reserve(&w->ring);
	struct event_rec *ev;
	char port[16];

	if (r == NULL)
		return;		/* counted in the ring's dropped */
	r->type = REC_EVENT;
	ev = &r->u.ev;
	memset(ev, 0, sizeof(*ev));
	ev->time_ms = real_ms();
	ev->type = EV_VIOLATION;
	ev->level = EV_WARNING;
	ev->action = v->outcome == POL_DENY ? EV_DENY : EV_ALERT;
	event_set_addrs(ev, c->family, c->client, f->key.port[f->client], c->server, c->port,
	    c->proto);
	if (c->proto != IPPROTO_TCP && c->proto != IPPROTO_UDP)
		ev->src_port = 0;
	end_names(pol, &v->client, ev->src_workload, ev->src_group);
	end_names(pol, &v->server, ev->dst_workload, ev->dst_group);
	ev->rule_id = v->rule_id;
	if (v->rule_id)
		snprintf(ev->name, sizeof(ev->name), "rule %lld", (long long)v->rule_id);
	else
		snprintf(ev->name, sizeof(ev->name), "no rule");
	if (c->proto == IPPROTO_TCP || c->proto == IPPROTO_UDP)
		snprintf(port, sizeof(port), "%s/%u", proto_word(c->proto), c->port);
	else
		snprintf(port, sizeof(port), "%s", proto_word(c->proto));
	snprintf(ev->message, sizeof(ev->message), "%.50s -> %.50s %s: %s (%s)",
	    ev->src_group, ev->dst_group, port,
	    v->rule_id ? "denied by rule" : "no rule allows it",
	    policy_mode_name(v->client.mode > v->server.mode ? v->client.mode : v->server.mode));
	event_ring_commit(&w->ring);
}

static void
learn(struct worker *w, const struct policy *pol, const struct policy_conn *c,
    const struct policy_verdict *v)
{
	struct record *r = event_ring_reserve(&w->ring);
	struct learn_rec *l;

	if (r == NULL)
		return;		/* counted in the ring's dropped */
	r->type = REC_LEARN;
	l = &r->u.learn;
	memset(l, 0, sizeof(*l));
	l->time_ms = real_ms();
	copy_name(l->from, sizeof(l->from), policy_group_name_at(pol, v->client.group));
	copy_name(l->to, sizeof(l->to), policy_group_name_at(pol, v->server.group));
	l->proto = c->proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : c->proto;
	l->port = c->port;
	event_ring_commit(&w->ring);
}

void
judge_flush_hits(struct worker *w, int64_t now_real)
{
	for (int i = 0; i < WORKER_HITS && w->nhits > 0; i++) {
		struct worker_hit *h = &w->hits[i];
		struct record *r;

		if (h->rule_id == 0)
			continue;
		if ((r = event_ring_reserve(&w->ring)) != NULL) {
			r->type = REC_HIT;
			r->u.hit.rule_id = h->rule_id;
			r->u.hit.count = h->count;
			r->u.hit.time_ms = h->last_ms ? h->last_ms : now_real;
			event_ring_commit(&w->ring);
		}	/* else lost, counted in the ring's dropped */
		memset(h, 0, sizeof(*h));
		w->nhits--;
	}
}

static void
hit(struct worker *w, int64_t rule_id)
{
	uint32_t i = (uint32_t)((uint64_t)rule_id * 0x9e3779b97f4a7c15ull >> 56) % WORKER_HITS;

	if (w->nhits >= WORKER_HITS * 3 / 4)
		judge_flush_hits(w, real_ms());
	for (;; i = (i + 1) % WORKER_HITS) {
		struct worker_hit *h = &w->hits[i];

		if (h->rule_id == rule_id || h->rule_id == 0) {
			if (h->rule_id == 0) {
				h->rule_id = rule_id;
				w->nhits++;
			}
			h->count++;
			h->last_ms = real_ms();
			return;
		}
	}
}

/*
 * ICMP that is no connection of its own and that the network cannot work
 * without: IPv6 neighbor discovery and MLD, and errors about other
 * connections (unreachable, too big, time exceeded, parameter problem,
 * which conntrack relates to the connection they report on).  They pass
 * unjudged and are never learned.
 */
static int
exempt(const struct packet *p)
{
	if (p->proto == IPPROTO_ICMPV6)
		return p->icmp_type < 128 || (p->icmp_type >= 130 && p->icmp_type <= 137) ||
		    p->icmp_type == 143;
	if (p->proto == IPPROTO_ICMP)
		return p->icmp_type == 3 || p->icmp_type == 4 || p->icmp_type == 11 ||
		    p->icmp_type == 12;
	return 0;
}

enum verdict
judge_packet(struct worker *w, const struct policy *pol, struct flow *f, const struct packet *p,
    uint64_t now)
{
	struct policy_conn c;
	struct policy_verdict v;
	int first, was_denied = !!(f->flags & FLOW_F_DENIED);

	(void)now;
	if (pol == NULL || exempt(p))
		return VERDICT_ACCEPT;
	if ((f->flags & FLOW_F_JUDGED) && f->policy_gen == policy_gen(pol))
		goto out;
	first = !(f->flags & FLOW_F_JUDGED);
	flow_conn(f, &c);
	policy_judge(pol, &c, &v);
	f->flags |= FLOW_F_JUDGED;
	f->policy_gen = policy_gen(pol);
	f->rule_id = v.rule_id;
	if (first)
		w->st.judged[v.outcome]++;
	else
		w->st.rejudged++;
	switch (v.outcome) {
	case POL_ALLOW:
		f->flags &= (uint8_t)~FLOW_F_DENIED;
		if (first && v.rule_id)
			hit(w, v.rule_id);
		break;
	case POL_LEARN:
		f->flags &= (uint8_t)~FLOW_F_DENIED;
		/* Only what a workload does is learned: traffic between two
		 * addresses that are no workload (the bridge's own chatter,
		 * routed traffic) says nothing about a container. */
		if (first && (v.client.workload >= 0 || v.server.workload >= 0))
			learn(w, pol, &c, &v);
		break;
	case POL_ALERT:
		f->flags &= (uint8_t)~FLOW_F_DENIED;
		if (!(f->flags & FLOW_F_REPORTED))
			violation(w, pol, f, &c, &v);
		f->flags |= FLOW_F_REPORTED;
		break;
	case POL_DENY:
		if (!was_denied)
			violation(w, pol, f, &c, &v);
		f->flags |= FLOW_F_DENIED | FLOW_F_REPORTED;
		if (!was_denied && p->proto == IPPROTO_TCP) {
			/* Cut mid-stream (re-judged, or a connection open
			 * before nvd saw it): both ends must learn it now. */
			uint64_t before = w->rst.sent;

			rst_send(&w->rst, p, !first || (f->flags & FLOW_F_MIDSTREAM));
			w->st.resets_sent += w->rst.sent - before;
		}
		w->st.denied_packets++;
		return VERDICT_DROP;
	}
out:
	if (f->flags & FLOW_F_DENIED) {
		uint64_t before = w->rst.sent;

		w->st.denied_packets++;
		rst_send(&w->rst, p, 0);	/* a retransmit: the reset was lost */
		w->st.resets_sent += w->rst.sent - before;
		return VERDICT_DROP;
	}
	return VERDICT_ACCEPT;
}
