#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/clock.h"
#include "packet/judge.h"
#include "packet/tcp.h"
#include "runtime/live.h"
#include "base/log.h"
#include "packet/egress.h"
#include "packet/syncut.h"
#include "packet/worker.h"

/*
 * A flow whose bytes will not be read again (both ends closed, denied,
 * dropped by sensor.crs): its inspection and threat state go back to its
 * client's share now, not when it times out (else a client's closed or
 * denied connections would hold them, and its next ones be in doubt:
 * dropped in protect).  The rest stays until the flow leaves the table.
 */
static void
flow_streams_done(struct worker *w, struct flow *f)
{
	inspect_release(&w->insp, f);
	threat_release(&w->thr, f);
}

/* What a flow holds beyond its own memory, given back. */
static void
flow_free_state(struct worker *w, struct flow *f)
{
	appid_release(&w->appid, f);
	dnsbind_release(&w->dns, f);
	flow_streams_done(w, f);
	crs_stage_release(&w->crs, f);
	proxy_release(&w->proxy, f);
	if (f->fqdn_ref) {
		fqdn_release(w->dns.cache, f->fqdn_ref, w->now);
		f->fqdn_ref = 0;
	}
}

/* A flow leaves the table: its last word to the writer, its state back. */
static void
flow_ended(void *ctx, struct flow *f)
{
	struct worker *w = ctx;

	if (w->judge.live && (f->flags & FLOW_F_JUDGED)) {
		appid_close(&w->appid, f);
		judge_flow_end(&w->judge, live_current(w->judge.live), f);
	}
	flow_free_state(w, f);
}

/* At shutdown: the writer is gone, nothing more to tell. */
static void
flow_dropped(void *ctx, struct flow *f)
{
	flow_free_state(ctx, f);
}

int
worker_init(struct worker *w, int index, uint16_t queue, uint64_t max_flows, enum fail_mode fm)
{
	uint64_t seed;

	memset(w, 0, sizeof(*w));
	w->index = index;
	w->queue = queue;
	w->fail_mode = fm;
	w->bypass_identified = 1;
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)clock_mono_ms() * 0x9e3779b97f4a7c15ull ^ (uint64_t)index;
	if (flow_table_init(&w->ft, max_flows, seed) < 0)
		return -1;
	w->ft.on_end = flow_ended;
	w->ft.end_ctx = w;
	if (appid_init(&w->appid) < 0) {
		flow_table_destroy(&w->ft);
		return -1;
	}
	pthread_mutex_init(&w->pub_lock, NULL);
	return 0;
}

/* crs_stage.h's dropped callback: both ends were reset, no packet of
 * the flow may come to give its state back. */
static void
flow_dropped_crs(void *ctx, struct flow *f)
{
	flow_streams_done(ctx, f);
}

/*
 * appid's decided hook: a connection whose first request asks a proxy for
 * another destination is followed request by request (proxy.h).
 */
static void
app_decided(void *ctx, struct flow *f, const struct app_input *in)
{
	struct worker *w = ctx;
	struct egress_target t;

	if (f->app == APP_HTTP && w->judge.live &&
	    egress_proxy_target(&w->appid.info, &t) != 0)
		proxy_start(&w->proxy, f, in->data[DIR_TO_SERVER], in->len[DIR_TO_SERVER]);
	if (w->judge.live)
		threat_app(&w->thr, f, in);
}

int
worker_set_policy(struct worker *w, struct live *live, int wake_fd)
{
	w->insp.scratch = sensor_scratch_new();
	w->insp.window = malloc(INSPECT_WINDOW);
	if (w->insp.scratch == NULL || w->insp.window == NULL ||
	    quota_init(&w->insp.quota, INSPECT_FLOWS_MAX, INSPECT_CLIENT_SHARE) < 0 ||
	    judge_init(&w->judge, live, wake_fd, &w->appid, &w->dns, &w->insp) < 0)
		goto fail;
	if (proxy_init(&w->proxy) < 0)
		goto fail_judge;
	if (threat_init(&w->thr, &live->meters) < 0)
		goto fail_proxy;
	if (crs_stage_init(&w->crs) < 0)
		goto fail_threat;
	w->proxy.request = judge_proxy_request;
	w->proxy.doubt = judge_proxy_doubt;
	w->proxy.ctx = &w->judge;
	w->appid.decided = app_decided;
	w->appid.decided_ctx = w;
	w->judge.queue = w->queue;
	w->insp.hit = judge_sensor_hit;
	w->insp.doubt = judge_sensor_doubt;
	w->insp.ctx = &w->judge;
	w->insp.st = &w->st.inspect;
	w->insp.crs = &w->crs;
	w->crs.rst = &w->judge.rst;
	w->crs.result = judge_crs_result;
	w->crs.doubt = judge_sensor_doubt;
	w->crs.ctx = &w->judge;
	w->crs.dropped = flow_dropped_crs;
	w->crs.dropped_ctx = w;
	w->dns.forged = judge_dns_forged;
	w->dns.trusted = judge_dns_trusted;
	w->dns.untrusted = judge_dns_untrusted;
	w->dns.ctx = &w->judge;
	w->dns.message = threat_dns;
	w->dns.message_ctx = &w->thr;
	w->thr.hit = judge_threat_hit;
	w->thr.doubt = judge_sensor_doubt;
	w->thr.ctx = &w->judge;
	return 0;
fail_threat:
	threat_destroy(&w->thr);
fail_proxy:
	proxy_destroy(&w->proxy);
fail_judge:
	judge_destroy(&w->judge);
fail:
	sensor_scratch_free(w->insp.scratch);
	free(w->insp.window);
	quota_destroy(&w->insp.quota);
	w->insp.scratch = NULL;
	w->insp.window = NULL;
	return -1;
}

void
worker_destroy(struct worker *w)
{
	w->ft.on_end = flow_dropped;
	w->crs.late = NULL;	/* the queue and the writer are gone: nothing to tell */
	w->crs.doubt = NULL;
	flow_table_destroy(&w->ft);
	crs_stage_destroy(&w->crs);
	judge_destroy(&w->judge);
	dnsbind_destroy(&w->dns);
	appid_destroy(&w->appid);
	sensor_scratch_free(w->insp.scratch);
	free(w->insp.window);
	quota_destroy(&w->insp.quota);
	proxy_destroy(&w->proxy);
	threat_destroy(&w->thr);
	pthread_mutex_destroy(&w->pub_lock);
}

/*
 * Which side opened a flow whose first packet we see now.  A SYN names its
 * sender, a SYN/ACK its receiver; mid-stream we guess that the lower port
 * is the server's, as nearly always.
 */
static int
guess_client(const struct packet *p, int src_side)
{
	if (p->proto == IPPROTO_TCP && (p->tcp_flags & TCP_SYN))
		return (p->tcp_flags & TCP_ACK) ? !src_side : src_side;
	if (p->proto == IPPROTO_TCP && p->sport < p->dport)
		return !src_side;
	return src_side;
}

/*
 * A SYN (without ACK) on a known flow starts a new connection on the same
 * ports when the old one was closing, was bypassed (nvd saw none of its
 * end), or had another initial sequence number (nvd missed its end).  A
 * retransmitted SYN carries the same sequence number and is not new.
 */
static int
is_new_connection(const struct flow *f, int side, const struct packet *p)
{
	const struct reasm_dir *rd;

	if (p->proto != IPPROTO_TCP || (p->tcp_flags & (TCP_SYN | TCP_ACK)) != TCP_SYN)
		return 0;
	if (f->tcp_state >= TCPS_FIN_WAIT || (f->flags & FLOW_F_BYPASSED))
		return 1;
	rd = &f->rs[side == f->client ? DIR_TO_SERVER : DIR_TO_CLIENT];
	return rd->started && rd->base_seq != p->seq + 1;
}

static struct flow *
flow_for(struct worker *w, const struct packet *p, int *dir, uint64_t now)
{
	struct flow_key key;
	int side = flow_key_make(&key, p);
	uint32_t h = flow_hash(&w->ft, &key);
	struct flow *f = flow_lookup(&w->ft, &key, h);

	if (f && is_new_connection(f, side, p)) {
		flow_remove(&w->ft, f);
		f = NULL;
	}
	if (f == NULL) {
		f = flow_create(&w->ft, &key, h, guess_client(p, side), now);
		if (f == NULL)
			return NULL;
		if (p->proto == IPPROTO_TCP && !(p->tcp_flags & TCP_SYN))
			f->flags |= FLOW_F_MIDSTREAM;
		appid_start(&w->appid, f);
	}
	*dir = side == f->client ? DIR_TO_SERVER : DIR_TO_CLIENT;
	return f;
}

/* The stream's consumers: detection until it decides, DNS answers. */
struct stream_ctx {
	struct worker *w;
	struct flow *f;
	uint64_t now;
};

static void
stream_data(void *ctx, int dir, uint64_t offset, const uint8_t *buf, size_t len)
{
	struct stream_ctx *s = ctx;

	appid_data(&s->w->appid, s->f, dir, offset, buf, len);
	proxy_data(&s->w->proxy, s->f, dir, offset, buf, len);
	dnsbind_data(&s->w->dns, s->f, dir, offset, buf, len, s->now);
	inspect_data(&s->w->insp, s->f, dir, buf, len);
	threat_data(&s->w->thr, s->f, dir, offset, buf, len);
}

static void
stream_gap(void *ctx, int dir, uint64_t offset, size_t len)
{
	struct stream_ctx *s = ctx;

	(void)len;
	appid_gap(&s->w->appid, s->f, dir, offset);
	dnsbind_gap(&s->w->dns, s->f, dir);
	inspect_gap(&s->w->insp, s->f, dir);
	threat_gap(&s->w->thr, s->f, dir);
}

/* Out-of-order bytes that cannot be kept (reasm.h's bounds): in doubt.
 * (fail_mode says what happens while nvd is not running, not this.) */
static enum verdict
judge_ooo_limit(struct worker *w, const struct policy *pol, struct flow *f,
    const struct packet *p)
{
	enum verdict v = judge_doubt(&w->judge, pol, f, p, DOUBT_OOO_LIMIT);

	if (v == VERDICT_DROP)
		w->st.reasm_fail_drops++;
	return v;
}

/* What keeping p's bytes would meet (reasm.h); a SYN's and a RST's bytes
 * are no stream data. */
static enum reasm_result
tcp_bytes_check(const struct flow *f, int dir, const struct packet *p)
{
	if (p->tcp_flags & (TCP_SYN | TCP_RST))
		return REASM_OK;
	return reasm_check(&f->rs[dir], p->seq, p->payload, p->payload_len);
}

/* A FIN the stream reached in this packet: the state, and the sensors'
 * end of that direction. */
static void
tcp_fins(struct worker *w, struct flow *f, const uint8_t had_fin[2])
{
	for (int d = 0; d < 2; d++)
		if (f->rs[d].fin && !had_fin[d]) {
			flow_tcp_track(f, d, TCP_FIN);
			inspect_eof(&w->insp, f, d);
		}
}

/*
 * A segment that passed the checks feeds the streams: its ACK the other
 * direction's, its bytes its own (a SYN's payload is none: Linux drops it
 * without Fast Open, and the bytes sent later at its sequence are the
 * stream).  Returns REASM_LIMIT, its bytes not kept, when the memory went
 * since reasm_check().
 */
static enum reasm_result
tcp_feed(struct worker *w, struct flow *f, int dir, const struct packet *p,
    const struct reasm_sink *to)
{
	struct reasm_dir *rd = &f->rs[dir];
	int syn = !!(p->tcp_flags & TCP_SYN);

	if (syn)
		reasm_syn(rd, p->seq);
	if (p->tcp_flags & TCP_ACK)
		reasm_ack(&f->rs[!dir], !dir, p->ack, to, &w->st.reasm);
	return reasm_segment(rd, dir, p->seq + (uint32_t)syn, syn ? NULL : p->payload,
	    syn ? 0 : p->payload_len, !!(p->tcp_flags & TCP_FIN), to, &w->st.reasm);
}

/*
 * TCP: validate, track state and feed the stream.  A segment nvd cannot
 * judge (tcp.h, reasm.h) goes to judge_doubt() and changes nothing, but
 * for bytes that differ from a copy kept: outside protect mode they pass
 * and are stored as Linux stores them.  The verdict is otherwise ACCEPT.
 */
static enum verdict
tcp_packet(struct worker *w, const struct policy *pol, struct flow *f, int dir,
    const struct packet *p, uint64_t now)
{
	struct stream_ctx ctx = { w, f, now };
	struct reasm_sink sink = { stream_data, stream_gap, &ctx };
	const struct reasm_sink *to = appid_final(f) && !dnsbind_wants(f) && !f->insp &&
	    !f->proxy && !f->thr ? NULL : &sink;
	uint8_t had_fin[2] = { f->rs[0].fin, f->rs[1].fin }, flags, state;
	enum verdict v = VERDICT_ACCEPT;
	enum doubt d;

	if ((d = tcp_check(f, dir, p)) != DOUBT_NONE)
		return judge_doubt(&w->judge, pol, f, p, d);
	/* A receiver without SO_OOBINLINE (nearly every one) takes the
	 * urgent byte out of the stream its application reads, also one a
	 * later segment brings: the bytes nvd reads would not be the
	 * application's.  Never while nvd reads them. */
	if ((p->tcp_flags & TCP_URG) && to != NULL)
		return judge_doubt(&w->judge, pol, f, p, DOUBT_TCP_URG);
	switch (tcp_bytes_check(f, dir, p)) {
	case REASM_OK:
		break;
	case REASM_OVERLAP:
		if ((v = judge_doubt(&w->judge, pol, f, p, DOUBT_OVERLAP)) == VERDICT_DROP) {
			w->st.reasm.overlap_mismatch++;	/* reasm counts those it stores */
			return v;
		}
		break;
	case REASM_LIMIT:
		w->st.reasm.nomem++;
		return judge_ooo_limit(w, pol, f, p);
	}
	flags = tcp_update(f, dir, p);
	if (p->tcp_flags & TCP_RST) {
		if (!(flags & TCP_RST))
			return v;	/* a RST that resets nothing changes nothing */
	} else if (tcp_feed(w, f, dir, p, to) != REASM_OK)
		v = judge_ooo_limit(w, pol, f, p);
	state = f->tcp_state;
	flow_tcp_track(f, dir, flags);
	if (state < TCPS_ESTABLISHED && f->tcp_state == TCPS_ESTABLISHED)
		threat_established(&w->thr, f, p);
	tcp_fins(w, f, had_fin);
	/* Nothing more will come: decide with what there is. */
	if (f->tcp_state >= TCPS_CLOSING) {
		appid_close(&w->appid, f);
		flow_streams_done(w, f);
	}
	return v;
}

/*
 * Whether f's policy decision holds under the snapshot of generation gen:
 * a flow no policy judged (none loaded, or only exempt packets) always; a
 * judged one if no change that may tighten the policy came since (the
 * same bypass epoch: gen's upper half, live.h).  A flow judged before one
 * must be judged again before the kernel may take it.  The epoch, not the
 * bypass generation the kernel sees, which comes round again after
 * NVD_BYPASS_GENS changes: nvd remembers the flows the kernel carries for
 * longer than that may take.
 */
static int
decision_holds(const struct flow *f, uint64_t gen)
{
	return !(f->flags & FLOW_F_JUDGED) || f->policy_gen >> 32 == gen >> 32;
}

/*
 * A packet of a flow nvd bypassed.  In the same generation it was queued
 * before the kernel saw the mark (or conntrack forgot the flow): mark it
 * again (1).  In another, the policy may have tightened since: the flow
 * is judged again like any other (0).
 */
static int
bypass_again(struct worker *w, struct flow *f, uint64_t gen)
{
	if (decision_holds(f, gen))
		return 1;
	f->flags &= (uint8_t)~FLOW_F_BYPASSED;
	tcp_forget(f);		/* the windows moved on while the kernel had it */
	w->st.bypass_returned++;
	return 0;
}

/* ICMP errors (RFC 792, RFC 4443 section 3) report on another connection,
 * whose first bytes they quote; so does a redirect (type 5), which
 * conntrack relates to that connection as it does an error. */
static int
icmp_error(const struct packet *p)
{
	if (p->proto == IPPROTO_ICMP)
		return p->icmp_type == 3 || p->icmp_type == 4 || p->icmp_type == 5 ||
		    p->icmp_type == 11 || p->icmp_type == 12;
	return p->proto == IPPROTO_ICMPV6 && p->icmp_type >= 1 && p->icmp_type <= 4;
}

/* The flow packet p belongs to, if this worker holds it, and p's
 * direction in it (dir may be NULL); nothing is made. */
static struct flow *
flow_find(struct worker *w, const struct packet *p, int *dir)
{
	struct flow_key key;
	int side = flow_key_make(&key, p);
	struct flow *f = flow_lookup(&w->ft, &key, flow_hash(&w->ft, &key));

	if (f && dir)
		*dir = side == f->client ? DIR_TO_SERVER : DIR_TO_CLIENT;
	return f;
}

/* A packet no flow holds to the threat detectors its ends have: v, or a drop. */
static enum verdict
threat_orphan_verdict(struct worker *w, const struct policy *pol, const struct packet *p,
    enum decode_anomaly a, enum verdict v)
{
	uint32_t on, deny;

	judge_packet_threats(pol, p, &on, &deny);
	threat_orphan(&w->thr, p, a, on, deny);
	return w->thr.drop ? VERDICT_DROP : v;
}

/*
 * A packet conntrack holds no entry for (an out-of-window segment, a RST
 * for no connection): nothing of it may change state, and its verdict
 * could not be saved for a bypass.  A TCP segment of a flow nvd holds is
 * in doubt for what nvd's own checks find, else for conntrack's word.
 */
static enum verdict
noct_packet(struct worker *w, const struct policy *pol, const struct packet *p)
{
	int dir;
	struct flow *f = flow_find(w, p, &dir);
	enum doubt d = DOUBT_NONE;
	enum verdict v;

	if (f && p->proto == IPPROTO_TCP)
		d = tcp_check(f, dir, p);
	v = judge_doubt(&w->judge, pol, f, p, d != DOUBT_NONE ? d : DOUBT_CT_INVALID);
	return threat_orphan_verdict(w, pol, p, ANOM_NONE, v);
}

/*
 * An ICMP error passes only with the connection it quotes: as that flow
 * was judged when this worker holds it, else as the policy judges the
 * connection conntrack related it to; one that quotes no connection
 * (conntrack found none: NOCT) is in doubt.
 */
static enum verdict
icmp_error_packet(struct worker *w, const struct policy *pol, const struct packet *p,
    unsigned pflags)
{
	struct packet in;
	struct flow *f;

	if (decode_quoted(&in, p) < 0)
		return judge_doubt(&w->judge, pol, NULL, p, DOUBT_ICMP_UNRELATED);
	if ((f = flow_find(w, &in, NULL)) != NULL && (f->flags & FLOW_F_JUDGED))
		return f->flags & FLOW_F_DENIED ? VERDICT_DROP : VERDICT_ACCEPT;
	if (pflags & PKT_NOCT)
		return judge_doubt(&w->judge, pol, NULL, p, DOUBT_ICMP_UNRELATED);
	return judge_quoted(&w->judge, pol, &in);
}

/* A packet decode stopped at: judged by its addresses where it has them. */
static enum verdict
undecodable(struct worker *w, const struct policy *pol, const struct packet *p,
    enum decode_anomaly a)
{
	w->st.anomalies[a]++;
	w->st.undecoded++;
	if (pol == NULL)
		return VERDICT_ACCEPT;
	if (p->src == NULL)
		return VERDICT_DROP;	/* no IP header the kernel would pass either */
	return threat_orphan_verdict(w, pol, p, a, judge_doubt(&w->judge, pol, NULL, p,
	    a == ANOM_IPV6_EXT_CHAIN ? DOUBT_EXT_HEADERS : DOUBT_UNDECODABLE));
}

/*
 * A workload's identity is its interface, not the address it claims: a
 * packet that came in on a workload's port with an address that is not
 * that workload's there is in doubt before anything of it is believed.
 * Neighbor discovery and MLD are the link's own (judge_exempt()).
 */
static int
spoofed(const struct policy *pol, const struct packet *p, uint32_t port, int *wl)
{
	if (pol == NULL || port == 0 || judge_exempt(p))
		return 0;
	return policy_spoofed(pol, (int)port, p->family, p->src, wl);
}

/*
 * Whether an end of p, whose flow no policy judged yet, may be a container
 * nvd does not know yet (live.h); if so the docker thread is asked to look.
 */
static int
unidentified(struct worker *w, const struct policy *pol, const struct packet *p)
{
	if (pol == NULL || judge_exempt(p) ||
	    (!live_unidentified(w->judge.live, pol, p->family, p->src) &&
	    !live_unidentified(w->judge.live, pol, p->family, p->dst)))
		return 0;
	live_nudge(w->judge.live, w->now);
	return 1;
}

/*
 * A quarantined workload's packet (policy.h), to or from it, or sent from
 * its interface whatever the source it claims: dropped before anything of
 * it is looked at.  The kernel drops them first (nft.h); this holds when
 * it cannot (a spoofed source, the operator's own ruleset).
 */
static int
quarantined(const struct policy *pol, const struct packet *p, uint32_t port)
{
	if (pol == NULL || policy_nquarantined(pol) == 0)
		return 0;
	return policy_quarantined_port(pol, (int)port) || (p->src != NULL &&
	    (policy_quarantined(pol, p->family, p->src) ||
	    policy_quarantined(pol, p->family, p->dst)));
}

enum verdict
worker_packet(struct worker *w, const uint8_t *buf, size_t len, int family, unsigned pflags,
    uint32_t port, uint64_t now)
{
	struct packet p;
	enum decode_anomaly a;
	enum verdict v = VERDICT_ACCEPT;
	const struct policy *pol;
	unsigned bgen;
	struct flow *f = NULL;
	int dir, returned = 0, wl;

	w->now = w->judge.now = w->crs.now = now;
	w->cut_l4 = w->cut_payload = 0;
	w->judge.pkt = buf;
	w->judge.pkt_len = len;
	w->st.packets++;
	w->st.bytes += len;
	/* One load: this packet's policy and the generation its bypass
	 * mark carries (live.h). */
	pol = w->judge.live ? live_current(w->judge.live) : NULL;
	bgen = pol ? live_bypass_gen(policy_gen(pol)) : 0;
	w->insp.set = pol ? policy_sensors(pol) : NULL;
	w->thr.set = pol ? policy_threats(pol) : NULL;
	w->thr.now = now;
	w->thr.pkt = &p;
	w->thr.drop = 0;
	a = decode_packet(&p, buf, len, family);
	if (quarantined(pol, &p, port)) {
		w->st.quarantine_drops++;
		v = VERDICT_DROP;
		goto out;
	}
	if (a != ANOM_NONE) {
		v = undecodable(w, pol, &p, a);
		goto out;
	}
	if (spoofed(pol, &p, port, &wl)) {
		v = judge_spoofed(&w->judge, pol, &p, wl);
		goto out;
	}
	if (icmp_error(&p)) {
		v = icmp_error_packet(w, pol, &p, pflags);
		goto out;
	}
	if ((pflags & PKT_NOCT) && !judge_exempt(&p)) {
		v = noct_packet(w, pol, &p);
		goto out;
	}
	if ((f = flow_for(w, &p, &dir, now)) == NULL) {
		w->st.flow_fail++;
		v = judge_doubt(&w->judge, pol, NULL, &p, DOUBT_FLOW_STATE);
		goto out;
	}
	/* Its first packets wait for the container to be known: nothing of
	 * them changes the flow, which is judged at the first one after. */
	if (!(f->flags & FLOW_F_JUDGED) && unidentified(w, pol, &p)) {
		v = judge_doubt(&w->judge, pol, f, &p, DOUBT_UNIDENTIFIED);
		goto out;
	}
	/* A flow waiting for sensor.crs with no room for one more packet:
	 * this one is dropped unread (TCP sends it again). */
	if (f->crs != NULL && !crs_stage_room(&w->crs, f)) {
		v = VERDICT_DROP;
		goto out;
	}
	f->pkts[dir]++;
	f->bytes[dir] += p.len;
	if (dir == DIR_TO_CLIENT)
		f->flags |= FLOW_F_REPLIED;
	if (f->flags & FLOW_F_BYPASSED) {
		if (bypass_again(w, f, pol ? policy_gen(pol) : 0)) {
			v = VERDICT_BYPASS;
			goto out;
		}
		returned = 1;
	}

	v = judge_packet(&w->judge, pol, f, &p);
	/* Its headers and meters, even when the policy drops it (a flood is one). */
	threat_packet(&w->thr, f, dir, &p);
	if (v == VERDICT_DROP || w->thr.drop) {
		v = VERDICT_DROP;
		goto out;
	}
	if (p.proto == IPPROTO_TCP)
		v = tcp_packet(w, pol, f, dir, &p, now);
	else {
		if (p.proto == IPPROTO_UDP) {
			appid_datagram(&w->appid, f, dir, p.payload, p.payload_len);
			dnsbind_datagram(&w->dns, f, dir, p.payload, p.payload_len, now);
		}
		reasm_datagram(&f->rs[dir], p.payload_len, &w->st.reasm);
		if (w->thr.drop) {	/* a DNS message a threat detector dropped */
			v = VERDICT_DROP;
			goto out;
		}
	}
	/* This packet decided the application: judge with it, and drop
	 * the packet that showed it if the policy does not allow it. */
	if (f->flags & FLOW_F_APP_NEW) {
		enum verdict jv = judge_packet(&w->judge, pol, f, &p);

		f->flags &= (uint8_t)~FLOW_F_APP_NEW;
		if (jv == VERDICT_DROP) {
			v = jv;
			goto out;
		}
	}
	/* A sensor with action deny matched this packet's bytes, or a request
	 * in them to a proxy was refused. */
	if (f->deny_pending && !(f->flags & FLOW_F_DENIED)) {
		v = judge_deny_pending(&w->judge, f, &p);
		goto out;
	}

	/* Nothing left to inspect: the application is known (and nothing
	 * else wants the bytes) or both directions reached stream_depth.
	 * (An exempt packet of a flow judged in an older generation does not
	 * judge it again: the flow waits for its next packet.) */
	if (v == VERDICT_ACCEPT && !judge_exempt(&p) && !dnsbind_wants(f) && f->proxy == NULL &&
	    !crs_stage_busy(f) && !threat_wants(f) &&
	    ((w->bypass_identified && appid_final(f) && f->insp == NULL) ||
	    (reasm_is_done(&f->rs[0]) && reasm_is_done(&f->rs[1]))) &&
	    decision_holds(f, pol ? policy_gen(pol) : 0)) {
		if (!appid_final(f)) {
			/* The depth came first: judged for good by ports. */
			appid_stop(&w->appid, f);
			v = judge_packet(&w->judge, pol, f, &p);
			f->flags &= (uint8_t)~FLOW_F_APP_NEW;
			if (v == VERDICT_DROP)
				goto out;
		}
		f->flags |= FLOW_F_BYPASSED;
		threat_bypassed(&w->thr, f);
		if (!returned)
			w->st.bypassed_flows++;
		v = VERDICT_BYPASS;
	}
out:
	if (f)
		flow_touch(&w->ft, f, now);	/* filed by its timeout, as it is now */
	/* A request of f waits for sensor.crs: what follows waits behind it. */
	if (f != NULL && f->crs != NULL)
		v = crs_stage_packet(&w->crs, f, &p, v);
	if (f != NULL && (f->flags & FLOW_F_DENIED))
		flow_streams_done(w, f);
	if (v == VERDICT_BYPASS && (pflags & PKT_NOCT))
		v = VERDICT_ACCEPT;	/* no conntrack entry to save it in */
	/* A SYN's bytes never go on (syncut.h): Fast Open would hand them to
	 * the server before nvd judged them as a stream. */
	if (v == VERDICT_ACCEPT && a == ANOM_NONE && p.proto == IPPROTO_TCP &&
	    (p.tcp_flags & TCP_SYN) && p.payload_len > 0) {
		w->cut_l4 = (size_t)(p.l4 - buf);
		w->cut_payload = (size_t)(p.payload - buf);
	}
	if (v == VERDICT_BYPASS)
		w->bypass_mark = NVD_MARK_BYPASS | NVD_MARK_GEN(bgen);
	w->st.verdicts[v]++;
	return v;
}

void
worker_publish(struct worker *w, uint64_t now)
{
	w->st.flows = w->ft.st;
	w->st.appid = w->appid.st;
	w->st.dns = w->dns.st;
	w->st.judge = w->judge.st;
	w->st.proxy = w->proxy.st;
	w->st.crs = w->crs.st;
	w->st.threat = w->thr.st;
	if (w->judge.live)
		w->st.records_dropped = __atomic_load_n(&w->judge.ring.dropped, __ATOMIC_RELAXED);
	pthread_mutex_lock(&w->pub_lock);
	w->pub = w->st;
	pthread_mutex_unlock(&w->pub_lock);
	w->pub_ms = now;
}

enum verdict
worker_syn_cut(struct worker *w, enum verdict v, uint8_t *buf, size_t len, size_t *cut)
{
	*cut = 0;
	if (v != VERDICT_ACCEPT || w->cut_payload == 0)
		return v;
	if (w->cut_payload > SYNCUT_MAX ||
	    (*cut = syncut(buf, len, w->cut_l4, w->cut_payload)) == 0) {
		w->st.syn_data_drops++;
		w->st.verdicts[VERDICT_ACCEPT]--;
		w->st.verdicts[VERDICT_DROP]++;
		return VERDICT_DROP;
	}
	w->st.syn_data_cut++;
	return v;
}

void
worker_tick(struct worker *w, uint64_t now)
{
	w->now = now;
	flow_expire(&w->ft, now, 4096);
	crs_stage_poll(&w->crs, now);
	if (w->judge.live) {
		live_quiesce(w->judge.live, w->index);
		w->judge.pkt = NULL;	/* a timer's event has no packet */
		threat_tick(&w->thr, now);
		judge_tick(&w->judge, now);
	}
	if (now - w->pub_ms >= 100)
		worker_publish(w, now);
}

void
worker_snapshot(struct worker *w, struct worker_stats *out)
{
	pthread_mutex_lock(&w->pub_lock);
	*out = w->pub;
	pthread_mutex_unlock(&w->pub_lock);
}
