/*
 * fixture_policy.c: the packet path with a policy (fixture_policy.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "packet/reasm.h"
#include "packet/rst.h"
#include "fixture_policy.h"

struct fx fx;

void
fx_set_limits(uint64_t depth, uint64_t memcap)
{
	struct reasm_limits lim = { .depth = depth, .memcap = memcap };

	reasm_set_limits(&lim);
}

void
fx_begin(void)
{
	fx_set_limits(1048576, 64u << 20);
	memset(&fx, 0, sizeof(fx));
	fx.clock_ms = 1000000;
	fx.default_mode = MODE_DISCOVER;
	fx.resolvers.any = 1;
	fx.live.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	fx.live.nudge_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ck_assert_int_ge(fx.live.wake_fd, 0);
	ck_assert_int_ge(fx.live.nudge_fd, 0);
	ck_assert_int_eq(meter_table_init(&fx.live.meters, LIVE_METERS), 0);
	fx_group("containers", GROUP_BUILTIN, MODE_DISCOVER, NULL);
	fx_group("host", GROUP_BUILTIN, MODE_DISCOVER, NULL);
	fx_group("external", GROUP_BUILTIN, MODE_DISCOVER, NULL);
}

void
fx_group(const char *name, enum group_kind kind, enum policy_mode mode, const char *crit)
{
	struct policy_group *g;
	char err[128];

	ck_assert_int_lt(fx.ngroups, FX_MAX_GROUPS);
	g = &fx.groups[fx.ngroups++];
	memset(g, 0, sizeof(*g));
	strcpy(g->name, name);
	g->kind = kind;
	g->mode = mode;
	if (crit)
		g->ncrit = criteria_parse(crit, g->crit, POLICY_MAX_CRITERIA, err, sizeof(err));
	ck_assert_int_ge(g->ncrit, 0);
}

void
fx_rule(const char *from, const char *to, const char *apps, const char *ports,
    enum rule_action action, enum rule_type type)
{
	struct policy_rule *r;
	char err[128];

	ck_assert_int_lt(fx.nrules, FX_MAX_RULES);
	r = &fx.rules[fx.nrules++];
	memset(r, 0, sizeof(*r));
	r->id = 100 + fx.nrules;
	strcpy(r->from, from);
	strcpy(r->to, to);
	strcpy(r->apps, apps);
	r->nports = ports_parse(ports, r->ports, POLICY_MAX_PORTS, err, sizeof(err));
	r->action = action;
	r->type = type;
	r->order = fx.nrules;
}

void
fx_workload(const char *name, const char *ip)
{
	fx_workload_port(name, ip, 0);
}

void
fx_workload_port(const char *name, const char *ip, int ifindex)
{
	struct policy_workload *x;

	ck_assert_int_lt(fx.nwls, FX_MAX_WORKLOADS);
	x = &fx.wls[fx.nwls++];
	memset(x, 0, sizeof(*x));
	strcpy(x->id, name);
	strcpy(x->name, name);
	x->addrs[0].family = AF_INET;
	inet_pton(AF_INET, ip, x->addrs[0].addr);
	x->addrs[0].ifindex = ifindex;
	x->naddrs = 1;
}

void
fx_workload_del(const char *name)
{
	for (int i = 0; i < fx.nwls; i++)
		if (!strcmp(fx.wls[i].name, name)) {
			fx.wls[i] = fx.wls[--fx.nwls];
			return;
		}
	ck_abort_msg("no workload %s", name);
}

void
fx_net(const char *cidr)
{
	struct criterion c;
	char text[64], err[128];

	ck_assert_int_lt(fx.nnets, FX_MAX_NETS);
	snprintf(text, sizeof(text), "address=%s", cidr);
	ck_assert_int_eq(criteria_parse(text, &c, 1, err, sizeof(err)), 1);
	fx.nets[fx.nnets].family = c.family;
	memcpy(fx.nets[fx.nnets].addr, c.addr, sizeof(c.addr));
	fx.nets[fx.nnets++].prefix = c.prefix;
}

void
fx_host(const char *ip)
{
	ck_assert_int_lt(fx.nhost, FX_MAX_NETS);
	fx.host[fx.nhost].family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(fx.host[fx.nhost].family, ip, fx.host[fx.nhost].addr), 1);
	fx.nhost++;
}

void
fx_quarantine(const char *id, const char *name)
{
	ck_assert_int_lt(fx.nquarantine, FX_MAX_QUARANTINE);
	snprintf(fx.quarantine[fx.nquarantine].id, sizeof(fx.quarantine[0].id), "%s", id);
	snprintf(fx.quarantine[fx.nquarantine].name, sizeof(fx.quarantine[0].name), "%s", name);
	fx.nquarantine++;
}

void
fx_group_mode(const char *group, enum policy_mode mode)
{
	for (int i = 0; i < fx.ngroups; i++)
		if (!strcmp(fx.groups[i].name, group))
			fx.groups[i].mode = mode;
}

void
fx_set_mode(const char *group, enum policy_mode mode)
{
	fx_group_mode(group, mode);
	fx_publish();
}

/* Every detector off: the default for the tests of the other stages. */
static const struct threat_set no_threats;

void
fx_publish_gen(unsigned bgen)
{
	struct policy_input in = {
		.groups = fx.groups, .ngroups = fx.ngroups, .rules = fx.rules,
		.nrules = fx.nrules, .workloads = fx.wls, .nworkloads = fx.nwls,
		.default_mode = fx.default_mode, .sensors = fx.sensors, .nsensors = fx.nsensors,
		.assigns = fx.assigns, .nassigns = fx.nassigns, .nets = fx.nets,
		.nnets = fx.nnets, .host_addrs = fx.host, .nhost_addrs = fx.nhost,
		.workloads_seq = fx.live.wl_seq, .quarantine = fx.quarantine,
		.nquarantine = fx.nquarantine, .threats = fx.threats ? fx.threats : &no_threats,
		.threat_groups = fx.threat_groups, .nthreat_groups = fx.nthreat_groups,
		.sensors_prev = fx.live.cur ? policy_sensors(fx.live.cur) : NULL,	/* as live.c */
		.resolvers = fx.resolvers,
	};
	struct policy *p = policy_compile(&in);

	ck_assert_ptr_nonnull(p);
	if (fx.nsensors > 0)
		ck_assert_ptr_nonnull(policy_sensors(p));
	fx.live.gen = live_gen_next(fx.live.gen, bgen);
	policy_set_gen(p, fx.live.gen);
	policy_free(fx.live.cur);	/* no other thread here */
	fx.live.cur = p;
}

void
fx_publish(void)
{
	fx_publish_gen(live_bypass_gen(fx.live.gen));
}

void
fx_publish_tightened(void)
{
	fx_publish_gen(live_bypass_gen(fx.live.gen) + 1);
}

void
fx_start(uint64_t max_flows)
{
	fx_publish();
	ck_assert_int_eq(worker_init(&fx.w, 0, 0, max_flows, FAIL_OPEN), 0);
	ck_assert_int_eq(worker_set_policy(&fx.w, &fx.live, -1), 0);
	rst_close(&fx.w.judge.rst);	/* build resets, send none from a unit test */
}

void
fx_end(void)
{
	worker_destroy(&fx.w);
	policy_free(fx.live.cur);
	fx.live.cur = NULL;
	for (int i = 0; i < fx.live.nwl; i++)
		policy_workload_clear(&fx.live.wl[i]);
	free(fx.live.wl);
	close(fx.live.wake_fd);
	close(fx.live.nudge_fd);
	meter_table_destroy(&fx.live.meters);
}

struct flow *
fx_only_flow(void)
{
	struct flow *f = flow_oldest(&fx.w.ft);

	ck_assert_uint_eq(fx.w.ft.st.active, 1);
	ck_assert_ptr_nonnull(f);
	return f;
}

struct flow *
fx_flow_with_port(uint16_t port)
{
	for (int i = 0; i < FLOW_TIMEOUTS; i++) {
		struct flow *head = &fx.w.ft.lru[i];

		for (struct flow *f = head->lru_next; f != head; f = f->lru_next)
			if (f->key.port[0] == port || f->key.port[1] == port)
				return f;
	}
	ck_abort_msg("no flow with port %u", port);
	return NULL;
}

enum verdict
fx_send(struct pkt *p)
{
	return fx_send_flags(p, 0);
}

enum verdict
fx_send_flags(struct pkt *p, unsigned pflags)
{
	return fx_send_meta(p, pflags, 0);
}

enum verdict
fx_send_meta(struct pkt *p, unsigned pflags, uint32_t port)
{
	uint8_t buf[2048];
	size_t n = pkt_build(p, buf, sizeof(buf));

	ck_assert_uint_gt(n, 0);
	return worker_packet(&fx.w, buf, n, p->family, pflags, port, fx.clock_ms++);
}

enum verdict
fx_tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint8_t flags,
    uint32_t seq, uint32_t ack, const void *data, size_t len)
{
	struct pkt p;

	pkt_tcp(&p, src, sport, dst, dport, flags, seq, ack);
	if (len)
		pkt_data(&p, data, len);
	return fx_send(&p);
}

enum verdict
fx_udp(const char *src, uint16_t sport, const char *dst, uint16_t dport, const void *data,
    size_t len)
{
	struct pkt p;

	pkt_udp(&p, src, sport, dst, dport);
	if (len)
		pkt_data(&p, data, len);
	return fx_send(&p);
}

enum verdict
fx_icmp(const char *src, const char *dst, uint8_t type, uint8_t code, uint16_t id)
{
	struct pkt p;

	pkt_icmp(&p, src, dst, type, code, id);
	return fx_send(&p);
}

void
fx_conn_open(struct fx_conn *k, const char *client, uint16_t cport, const char *server,
    uint16_t sport)
{
	k->client = client;
	k->server = server;
	k->cport = cport;
	k->sport = sport;
	k->seq[0] = 1000;
	k->seq[1] = 50000;
	ck_assert_int_eq(fx_conn_send(k, 0, TCP_SYN, NULL, 0), VERDICT_ACCEPT);
	ck_assert_int_eq(fx_conn_send(k, 1, TCP_SYN | TCP_ACK, NULL, 0), VERDICT_ACCEPT);
	ck_assert_int_eq(fx_conn_send(k, 0, TCP_ACK, NULL, 0), VERDICT_ACCEPT);
}

enum verdict
fx_conn_send(struct fx_conn *k, int from_server, uint8_t flags, const void *data, size_t len)
{
	enum verdict v;

	if (from_server)
		v = fx_tcp(k->server, k->sport, k->client, k->cport, flags, k->seq[1], k->seq[0],
		    data, len);
	else
		v = fx_tcp(k->client, k->cport, k->server, k->sport, flags, k->seq[0], k->seq[1],
		    data, len);
	k->seq[from_server != 0] += (uint32_t)len + ((flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
	return v;
}

unsigned
fx_records(struct record *out, unsigned max)
{
	/* The violations gathered so far (event_agg.h), as the interval's end
	 * would hand them over. */
	event_agg_tick(&fx.w.judge.agg, &fx.w.judge.ring, fx.clock_ms, 1);
	return event_ring_pop(&fx.w.judge.ring, out, max);
}

unsigned
fx_records_of(int type, struct record *out, unsigned max)
{
	struct record all[32];
	unsigned n = fx_records(all, 32), k = 0;

	for (unsigned i = 0; i < n; i++)
		if (all[i].type == type && k < max)
			out[k++] = all[i];
	return k;
}
