/*
 * check_policy.c: criteria and port specs, learned group names, group
 * membership, rule order and index, the mode table, and the interfaces
 * of workloads (anti-spoofing).
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/policy.h"

static char err[256];

/* --- criteria -------------------------------------------------------- */

START_TEST(test_criteria_parse)
{
	struct criterion c[POLICY_MAX_CRITERIA];
	struct buf b;

	ck_assert_int_eq(criteria_parse("name=web*,image=nginx:*,label:tier=db,address=10.1.2.3/8,"
	    "address=fd00::1,address=*.Example.com,address=198.19.0.7", c, POLICY_MAX_CRITERIA,
	    err, sizeof(err)), 7);
	ck_assert_int_eq(c[0].kind, CRIT_NAME);
	ck_assert_str_eq(c[0].value, "web*");
	ck_assert_int_eq(c[2].kind, CRIT_LABEL);
	ck_assert_str_eq(c[2].key, "tier");
	ck_assert_str_eq(c[2].value, "db");
	ck_assert_int_eq(c[3].kind, CRIT_ADDR_NET);
	ck_assert_int_eq(c[3].prefix, 8);
	ck_assert_int_eq(c[4].family, AF_INET6);
	ck_assert_int_eq(c[4].prefix, 128);
	ck_assert_int_eq(c[5].kind, CRIT_ADDR_FQDN);
	ck_assert_str_eq(c[5].value, "*.example.com");
	buf_init(&b);
	criteria_format(c, 7, &b);
	buf_append(&b, "", 1);
	ck_assert_str_eq(b.data, "name=web*,image=nginx:*,label:tier=db,address=10.0.0.0/8,"
	    "address=fd00::1,address=*.example.com,address=198.19.0.7");
	buf_free(&b);
}
END_TEST

static const struct {
	const char *text, *err;
} bad_criteria[] = {
	{ "", "no criteria" },
	{ "color=red", "criterion 'color=red': unknown key 'color' (expected name=, image=, label:KEY= or address=)" },
	{ "name", "criterion 'name': expected KEY=VALUE" },
	{ "name=", "criterion 'name=': empty value" },
	{ "name=a,,image=b", "empty criterion in 'name=a,,image=b'" },
	{ "address=10.0.0.0/33", "criterion 'address=10.0.0.0/33': not an IP address, CIDR, FQDN or *.domain" },
	{ "address=300.1.1.1", "criterion 'address=300.1.1.1': not an IP address, CIDR, FQDN or *.domain" },
	{ "address=bad_host!", "criterion 'address=bad_host!': not an IP address, CIDR, FQDN or *.domain" },
	{ "label:=x", "criterion 'label:=x': unknown key 'label:' (expected name=, image=, label:KEY= or address=)" },
};

START_TEST(test_criteria_errors)
{
	struct criterion c[POLICY_MAX_CRITERIA];

	ck_assert_int_eq(criteria_parse(bad_criteria[_i].text, c, POLICY_MAX_CRITERIA, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, bad_criteria[_i].err);
}
END_TEST

START_TEST(test_ports)
{
	struct port_range p[POLICY_MAX_PORTS];
	char out[256];

	ck_assert_int_eq(ports_parse("tcp/80,udp/53,tcp/8000-8100,icmp", p, POLICY_MAX_PORTS, err,
	    sizeof(err)), 4);
	ck_assert_int_eq(p[0].proto, IPPROTO_TCP);
	ck_assert_int_eq(p[0].lo, 80);
	ck_assert_int_eq(p[2].hi, 8100);
	ports_format(p, 4, out, sizeof(out));
	ck_assert_str_eq(out, "tcp/80,udp/53,tcp/8000-8100,icmp");
	ck_assert_int_eq(ports_parse("any", p, POLICY_MAX_PORTS, err, sizeof(err)), 1);
	ck_assert_int_eq(p[0].proto, 0);
	ports_format(p, 1, out, sizeof(out));
	ck_assert_str_eq(out, "any");
	ck_assert_int_eq(ports_parse("tcp/99999", p, POLICY_MAX_PORTS, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "port spec 'tcp/99999': port out of range (1-65535)");
	ck_assert_int_eq(ports_parse("tcp/0", p, POLICY_MAX_PORTS, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "port spec 'tcp/0': port out of range (1-65535)");
	ck_assert_int_eq(ports_parse("tcp/90-80", p, POLICY_MAX_PORTS, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "port spec 'tcp/90-80': range is backwards");
	ck_assert_int_eq(ports_parse("sctp/1", p, POLICY_MAX_PORTS, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "port spec 'sctp/1': expected tcp/PORT, udp/PORT, tcp/LO-HI, icmp, proto/N or any");
	ck_assert_int_eq(ports_parse("tcp/80,any", p, POLICY_MAX_PORTS, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "port spec 'any' stands alone");
	ck_assert_int_eq(ports_parse("tcp/80,", p, POLICY_MAX_PORTS, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "empty port spec in 'tcp/80,'");
	ck_assert_int_eq(ports_parse("tcp/8a", p, POLICY_MAX_PORTS, err, sizeof(err)), -1);
	/* Every other IP protocol by its number. */
	ck_assert_int_eq(ports_parse("proto/47,proto/253,tcp/22", p, POLICY_MAX_PORTS, err,
	    sizeof(err)), 3);
	ck_assert_int_eq(p[0].proto, 47);
	ck_assert_int_eq(p[1].proto, 253);
	ck_assert_int_eq(p[1].lo, 0);
	ports_format(p, 3, out, sizeof(out));
	ck_assert_str_eq(out, "proto/47,proto/253,tcp/22");
	ck_assert_int_eq(ports_parse("proto/256", p, POLICY_MAX_PORTS, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "port spec 'proto/256': protocol number out of range (1-255)");
	ck_assert_int_eq(ports_parse("proto/0", p, POLICY_MAX_PORTS, err, sizeof(err)), -1);
	ck_assert_int_eq(ports_parse("proto/6", p, POLICY_MAX_PORTS, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "port spec 'proto/6': write tcp/any, udp/any or icmp");
}
END_TEST

START_TEST(test_group_names)
{
	ck_assert_int_eq(policy_group_name_check("db-tier_2.x", err, sizeof(err)), 0);
	ck_assert_int_eq(policy_group_name_check("nv.web", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "group name 'nv.web': names starting with 'nv.' are for learned groups");
	ck_assert_int_eq(policy_group_name_check("external", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "group 'external' is built in");
	ck_assert_int_eq(policy_group_name_check("a b", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "group name 'a b': only letters, digits, '_', '.' and '-'");
	ck_assert_int_eq(policy_group_name_check("", err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_learned_group)
{
	struct policy_workload w;
	char g[POLICY_NAME_MAX];

	memset(&w, 0, sizeof(w));
	strcpy(w.name, "web-2");
	policy_learned_group(&w, g, sizeof(g));
	ck_assert_str_eq(g, "nv.web");
	strcpy(w.name, "proj_db_1");
	policy_learned_group(&w, g, sizeof(g));
	ck_assert_str_eq(g, "nv.proj_db");
	strcpy(w.name, "redis7");
	policy_learned_group(&w, g, sizeof(g));
	ck_assert_str_eq(g, "nv.redis7");
	strcpy(w.name, "a b/c");
	policy_learned_group(&w, g, sizeof(g));
	ck_assert_str_eq(g, "nv.a-b-c");
	strcpy(w.service, "web");
	policy_learned_group(&w, g, sizeof(g));
	ck_assert_str_eq(g, "nv.web");
	strcpy(w.project, "shop");
	policy_learned_group(&w, g, sizeof(g));
	ck_assert_str_eq(g, "nv.web.shop");
	memset(w.name, 'x', sizeof(w.name) - 1);
	w.service[0] = '\0';
	policy_learned_group(&w, g, sizeof(g));
	ck_assert_uint_eq(strlen(g), POLICY_NAME_MAX - 1);
}
END_TEST

/* --- a small world --------------------------------------------------- */

#define MAXG 64
#define MAXR 2100

static struct policy_group groups[MAXG];
static int ngroups;
static struct policy_rule *rules;
static int nrules;
static struct policy_workload wls[8];
static int nwls;
static struct policy_label web_labels[] = { { "tier", "front" } };
static struct policy_net nets[4];
static int nnets;
static enum policy_mode default_mode;

static void
add_group(const char *name, enum group_kind kind, enum policy_mode mode, const char *crit)
{
	struct policy_group *g = &groups[ngroups++];

	memset(g, 0, sizeof(*g));
	strcpy(g->name, name);
	g->kind = kind;
	g->mode = mode;
	if (crit)
		ck_assert_int_gt(g->ncrit = criteria_parse(crit, g->crit, POLICY_MAX_CRITERIA,
		    err, sizeof(err)), 0);
}

static int64_t
add_rule(const char *from, const char *to, const char *ports, enum rule_action a,
    enum rule_type t, double order)
{
	struct policy_rule *r = &rules[nrules++];

	memset(r, 0, sizeof(*r));
	r->id = nrules;
	strcpy(r->from, from);
	strcpy(r->to, to);
	strcpy(r->apps, "any");
	ck_assert_int_gt(r->nports = ports_parse(ports, r->ports, POLICY_MAX_PORTS, err, sizeof(err)), 0);
	r->action = a;
	r->type = t;
	r->order = order;
	return r->id;
}

static void
add_wl(const char *name, const char *image, const char *ip)
{
	struct policy_workload *w = &wls[nwls++];

	memset(w, 0, sizeof(*w));
	snprintf(w->id, sizeof(w->id), "%064d", nwls);
	strcpy(w->name, name);
	strcpy(w->image, image);
	w->addrs[0].family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	inet_pton(w->addrs[0].family, ip, w->addrs[0].addr);
	w->naddrs = 1;
}

static struct policy *
build(void)
{
	struct policy_addr host = { AF_INET, { 198, 19, 0, 1 }, 0 };
	struct policy_input in = {
		.groups = groups, .ngroups = ngroups, .rules = rules, .nrules = nrules,
		.workloads = wls, .nworkloads = nwls, .host_addrs = &host, .nhost_addrs = 1,
		.default_mode = default_mode, .nets = nets, .nnets = nnets,
	};
	struct policy *p = policy_compile(&in);

	ck_assert_ptr_nonnull(p);
	return p;
}

static void
world_setup(void)
{
	ngroups = nrules = nwls = nnets = 0;
	default_mode = MODE_DISCOVER;
	rules = calloc(MAXR, sizeof(*rules));
	add_group("containers", GROUP_BUILTIN, MODE_DISCOVER, NULL);
	add_group("host", GROUP_BUILTIN, MODE_DISCOVER, NULL);
	add_group("external", GROUP_BUILTIN, MODE_DISCOVER, NULL);
	add_group("nv.web", GROUP_LEARNED, MODE_DISCOVER, NULL);
	add_group("nv.client", GROUP_LEARNED, MODE_DISCOVER, NULL);
	add_wl("web-1", "nginx:1.25", "198.19.0.10");
	wls[0].labels = web_labels;
	wls[0].nlabels = 1;
	add_wl("client", "busybox", "198.19.0.20");
	add_wl("db", "postgres:16", "198.19.0.30");
}

static void
world_teardown(void)
{
	free(rules);
}

static struct policy_verdict
judge(const struct policy *p, const char *client, const char *server, uint8_t proto,
    uint16_t port)
{
	struct policy_conn c;
	struct policy_verdict v;

	memset(&c, 0, sizeof(c));
	c.family = strchr(client, ':') ? AF_INET6 : AF_INET;
	inet_pton(c.family, client, c.client);
	inet_pton(c.family, server, c.server);
	c.proto = proto;
	c.port = port;
	policy_judge(p, &c, &v);
	return v;
}

START_TEST(test_membership)
{
	struct policy *p;
	int g[16], n;
	struct policy_verdict v;

	add_group("front", GROUP_USER, MODE_DISCOVER, "label:tier=fro*");
	add_group("pg", GROUP_USER, MODE_DISCOVER, "image=postgres:*,name=db");
	add_group("nope", GROUP_USER, MODE_DISCOVER, "image=postgres:*,name=other");
	add_group("lan", GROUP_USER, MODE_DISCOVER, "address=198.18.0.0/16");
	add_group("names", GROUP_USER, MODE_DISCOVER, "address=*.example.com");
	p = build();
	ck_assert_int_eq(policy_nworkloads(p), 3);
	n = policy_workload_groups(p, 0, g, 16);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(policy_group_name_at(p, g[0]), "nv.web");
	ck_assert_str_eq(policy_group_name_at(p, g[1]), "containers");
	ck_assert_str_eq(policy_group_name_at(p, g[2]), "front");
	n = policy_workload_groups(p, 2, g, 16);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(policy_group_name_at(p, g[0]), "nv.db");	/* created */
	ck_assert_str_eq(policy_group_name_at(p, g[2]), "pg");
	/* An address of no workload: an address group, host, or external. */
	v = judge(p, "198.19.0.20", "198.18.5.5", IPPROTO_TCP, 80);
	ck_assert_str_eq(policy_group_name_at(p, v.server.group), "lan");
	ck_assert_int_eq(v.server.workload, -1);
	v = judge(p, "198.19.0.20", "8.8.8.8", IPPROTO_TCP, 80);
	ck_assert_str_eq(policy_group_name_at(p, v.server.group), "external");
	v = judge(p, "198.19.0.1", "198.19.0.10", IPPROTO_TCP, 80);
	ck_assert_str_eq(policy_group_name_at(p, v.client.group), "host");
	ck_assert_str_eq(policy_group_name_at(p, v.server.group), "nv.web");
	ck_assert_str_eq(policy_workload_at(p, v.server.workload)->name, "web-1");
	policy_free(p);
}
END_TEST

START_TEST(test_first_match)
{
	struct policy *p;
	struct policy_verdict v;
	int64_t learned, deny, allow_range;

	learned = add_rule("nv.client", "nv.web", "tcp/8080", RULE_ALLOW, RULE_LEARNED, 0);
	allow_range = add_rule("containers", "nv.web", "tcp/8000-8100", RULE_ALLOW, RULE_USER, 2);
	deny = add_rule("nv.client", "containers", "tcp/8080", RULE_DENY, RULE_USER, 1);
	groups[4].mode = MODE_PROTECT;		/* nv.client */
	p = build();
	/* The user deny (order 1) beats the user range allow (order 2) and
	 * the learned allow. */
	v = judge(p, "198.19.0.20", "198.19.0.10", IPPROTO_TCP, 8080);
	ck_assert_int_eq(v.outcome, POL_DENY);
	ck_assert_int_eq(v.rule_id, deny);
	v = judge(p, "198.19.0.20", "198.19.0.10", IPPROTO_TCP, 8081);
	ck_assert_int_eq(v.outcome, POL_ALLOW);
	ck_assert_int_eq(v.rule_id, allow_range);
	v = judge(p, "198.19.0.20", "198.19.0.10", IPPROTO_TCP, 9000);
	ck_assert_int_eq(v.outcome, POL_DENY);
	ck_assert_int_eq(v.rule_id, 0);
	v = judge(p, "198.19.0.20", "198.19.0.10", IPPROTO_UDP, 8080);
	ck_assert_int_eq(v.rule_id, 0);
	policy_free(p);
	/* Moved after the range allow, the deny no longer wins on 8081... */
	rules[2].order = 3;
	p = build();
	v = judge(p, "198.19.0.20", "198.19.0.10", IPPROTO_TCP, 8080);
	ck_assert_int_eq(v.rule_id, allow_range);
	policy_free(p);
	/* ...and without user rules the learned one does. */
	nrules = 1;
	p = build();
	v = judge(p, "198.19.0.20", "198.19.0.10", IPPROTO_TCP, 8080);
	ck_assert_int_eq(v.outcome, POL_ALLOW);
	ck_assert_int_eq(v.rule_id, learned);
	ck_assert_int_eq(v.rule_type, RULE_LEARNED);
	/* Direction matters: the server does not get the client's rule. */
	v = judge(p, "198.19.0.10", "198.19.0.20", IPPROTO_TCP, 8080);
	ck_assert_int_eq(v.rule_id, 0);
	policy_free(p);
}
END_TEST

START_TEST(test_any_and_icmp)
{
	struct policy *p;
	struct policy_verdict v;
	int64_t icmp, any;

	icmp = add_rule("nv.client", "nv.web", "icmp", RULE_ALLOW, RULE_USER, 1);
	any = add_rule("nv.client", "external", "any", RULE_ALLOW, RULE_USER, 2);
	p = build();
	v = judge(p, "198.19.0.20", "198.19.0.10", IPPROTO_ICMP, 0);
	ck_assert_int_eq(v.rule_id, icmp);
	v = judge(p, "198.19.0.20", "1.2.3.4", IPPROTO_UDP, 53);
	ck_assert_int_eq(v.rule_id, any);
	v = judge(p, "198.19.0.20", "1.2.3.4", IPPROTO_ICMP, 0);
	ck_assert_int_eq(v.rule_id, any);
	/* Another IP protocol: "any" covers it, a proto/N rule names it. */
	v = judge(p, "198.19.0.20", "1.2.3.4", 253, 0);
	ck_assert_int_eq(v.rule_id, any);
	v = judge(p, "198.19.0.20", "198.19.0.10", 253, 0);
	ck_assert_int_eq(v.rule_id, 0);
	policy_free(p);
}
END_TEST

START_TEST(test_other_protocols)
{
	struct policy *p;
	struct policy_verdict v;
	int64_t gre;

	gre = add_rule("nv.client", "nv.web", "proto/47", RULE_ALLOW, RULE_USER, 1);
	add_rule("nv.client", "nv.web", "tcp/80", RULE_ALLOW, RULE_USER, 2);
	p = build();
	v = judge(p, "198.19.0.20", "198.19.0.10", 47, 0);
	ck_assert_int_eq(v.rule_id, gre);
	v = judge(p, "198.19.0.20", "198.19.0.10", 253, 0);
	ck_assert_int_eq(v.rule_id, 0);
	v = judge(p, "198.19.0.20", "198.19.0.10", IPPROTO_TCP, 80);
	ck_assert_int_ne(v.rule_id, gre);
	policy_free(p);
}
END_TEST

START_TEST(test_rule_to_missing_group)
{
	struct policy *p;
	struct policy_verdict v;

	add_rule("gone", "nv.web", "tcp/80", RULE_ALLOW, RULE_USER, 1);
	p = build();
	v = judge(p, "198.19.0.20", "198.19.0.10", IPPROTO_TCP, 80);
	ck_assert_int_eq(v.rule_id, 0);
	ck_assert_int_eq(v.outcome, POL_LEARN);
	policy_free(p);
}
END_TEST

/* The order of 1,000 rules decides, and lookups stay exact. */
START_TEST(test_thousand_rules)
{
	struct policy *p;
	struct policy_verdict v;

	for (int i = 0; i < 1000; i++) {
		char ports[16];

		snprintf(ports, sizeof(ports), "tcp/%d", 10000 + i);
		add_rule("nv.client", "nv.web", ports, RULE_ALLOW, RULE_LEARNED, 0);
	}
	/* A user deny for one port, placed in front. */
	add_rule("nv.client", "nv.web", "tcp/10500", RULE_DENY, RULE_USER, 1);
	p = build();
	for (int i = 0; i < 1000; i++) {
		v = judge(p, "198.19.0.20", "198.19.0.10", IPPROTO_TCP, (uint16_t)(10000 + i));
		ck_assert_int_eq(v.rule_id, i == 500 ? 1001 : i + 1);
	}
	v = judge(p, "198.19.0.20", "198.19.0.10", IPPROTO_TCP, 11000);
	ck_assert_int_eq(v.rule_id, 0);
	policy_free(p);
}
END_TEST

/*
 * The mode table: each client mode x server mode x rule outcome.
 */
START_TEST(test_mode_table)
{
	static const enum policy_outcome want[3][3][3] = {
		/* rule:        allow      deny       none */
		[MODE_DISCOVER] = {
			[MODE_DISCOVER] = { POL_ALLOW, POL_ALERT, POL_LEARN },
			[MODE_MONITOR] = { POL_ALLOW, POL_ALERT, POL_ALERT },
			[MODE_PROTECT] = { POL_ALLOW, POL_DENY, POL_DENY },
		},
		[MODE_MONITOR] = {
			[MODE_DISCOVER] = { POL_ALLOW, POL_ALERT, POL_ALERT },
			[MODE_MONITOR] = { POL_ALLOW, POL_ALERT, POL_ALERT },
			[MODE_PROTECT] = { POL_ALLOW, POL_DENY, POL_DENY },
		},
		[MODE_PROTECT] = {
			[MODE_DISCOVER] = { POL_ALLOW, POL_DENY, POL_DENY },
			[MODE_MONITOR] = { POL_ALLOW, POL_DENY, POL_DENY },
			[MODE_PROTECT] = { POL_ALLOW, POL_DENY, POL_DENY },
		},
	};

	add_rule("nv.client", "nv.web", "tcp/80", RULE_ALLOW, RULE_USER, 1);
	add_rule("nv.client", "nv.web", "tcp/81", RULE_DENY, RULE_USER, 2);
	for (int cm = 0; cm < 3; cm++)
		for (int sm = 0; sm < 3; sm++) {
			struct policy *p;

			groups[4].mode = (enum policy_mode)cm;	/* nv.client */
			groups[3].mode = (enum policy_mode)sm;	/* nv.web */
			p = build();
			for (int r = 0; r < 3; r++) {
				struct policy_verdict v = judge(p, "198.19.0.20", "198.19.0.10",
				    IPPROTO_TCP, (uint16_t)(80 + r));

				ck_assert_msg(v.outcome == want[cm][sm][r],
				    "client %s server %s rule %d: got %s",
				    policy_mode_name(cm), policy_mode_name(sm), r,
				    policy_outcome_name(v.outcome));
				ck_assert_int_eq(v.client.mode, cm);
				ck_assert_int_eq(v.server.mode, sm);
			}
			policy_free(p);
		}
}
END_TEST

/* An end's mode is the strictest of its groups'. */
START_TEST(test_strictest_mode)
{
	struct policy *p;
	struct policy_verdict v;

	add_group("front", GROUP_USER, MODE_PROTECT, "name=web-*");
	p = build();
	v = judge(p, "198.19.0.20", "198.19.0.10", IPPROTO_TCP, 80);
	ck_assert_int_eq(v.server.mode, MODE_PROTECT);
	ck_assert_int_eq(v.outcome, POL_DENY);
	/* external in monitor: egress without a rule alerts */
	v = judge(p, "198.19.0.20", "9.9.9.9", IPPROTO_TCP, 443);
	ck_assert_int_eq(v.outcome, POL_LEARN);
	policy_free(p);
	groups[2].mode = MODE_MONITOR;
	p = build();
	v = judge(p, "198.19.0.20", "9.9.9.9", IPPROTO_TCP, 443);
	ck_assert_int_eq(v.outcome, POL_ALERT);
	policy_free(p);
}
END_TEST

/* Adds an address on interface ifindex to workload w. */
static void
add_addr(struct policy_workload *w, const char *ip, int ifindex)
{
	struct policy_addr *a = &w->addrs[w->naddrs++];

	a->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	inet_pton(a->family, ip, a->addr);
	a->ifindex = ifindex;
}

/* Whether policy_spoofed() says so, and which workload's port it was. */
static int
spoofed(const struct policy *p, int ifindex, const char *ip, int *wl)
{
	uint8_t a[16] = { 0 };
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	inet_pton(family, ip, a);
	return policy_spoofed(p, ifindex, family, a, wl);
}

/* A workload's interface admits its own addresses there, no other. */
START_TEST(test_spoofed)
{
	struct policy *p;
	int wl;

	/* web-1: two networks, on ports 5 and 6; client on 7; db on none. */
	wls[0].addrs[0].ifindex = 5;
	add_addr(&wls[0], "fd00:19::10", 5);
	add_addr(&wls[0], "198.19.1.10", 6);
	wls[1].addrs[0].ifindex = 7;
	add_wl("late", "busybox", "198.19.0.40");
	wls[3].addrs[0].ifindex = 7;	/* port 7 again: the first keeps it */
	p = build();
	ck_assert_int_eq(spoofed(p, 5, "198.19.0.10", &wl), 0);
	ck_assert_str_eq(policy_workload_at(p, wl)->name, "web-1");
	ck_assert_int_eq(spoofed(p, 5, "fd00:19::10", &wl), 0);
	ck_assert_int_eq(spoofed(p, 6, "198.19.1.10", &wl), 0);
	/* Its own address, from its other interface. */
	ck_assert_int_eq(spoofed(p, 5, "198.19.1.10", &wl), 1);
	ck_assert_str_eq(policy_workload_at(p, wl)->name, "web-1");
	/* Another workload's, the host's, anyone's. */
	ck_assert_int_eq(spoofed(p, 5, "198.19.0.20", &wl), 1);
	ck_assert_int_eq(spoofed(p, 7, "198.19.0.10", &wl), 1);
	ck_assert_str_eq(policy_workload_at(p, wl)->name, "client");
	ck_assert_int_eq(spoofed(p, 7, "198.19.0.1", &wl), 1);
	ck_assert_int_eq(spoofed(p, 7, "fd00:19::20", &wl), 1);
	ck_assert_int_eq(spoofed(p, 7, "198.19.0.20", &wl), 0);
	ck_assert_int_eq(spoofed(p, 7, "198.19.0.40", &wl), 1);
	/* An interface that is no workload's, or none: nothing to tell. */
	ck_assert_int_eq(spoofed(p, 9, "198.19.0.10", &wl), 0);
	ck_assert_int_eq(wl, -1);
	ck_assert_int_eq(spoofed(p, 0, "8.8.8.8", &wl), 0);
	ck_assert_int_eq(wl, -1);
	policy_free(p);
}
END_TEST

/* --- containers not known yet ----------------------------------------- */

static void
add_net(const char *addr, int prefix)
{
	struct policy_net *n = &nets[nnets++];

	memset(n, 0, sizeof(*n));
	n->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(n->family, addr, n->addr), 1);
	n->prefix = prefix;
}

static int
container_addr(const struct policy *p, const char *addr)
{
	uint8_t a[16];
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;

	ck_assert_int_eq(inet_pton(family, addr, a), 1);
	return policy_container_addr(p, family, a);
}

/* In a containers' subnet: a workload's (2), nobody's (1); else 0. */
START_TEST(test_container_addr)
{
	struct policy *p = build();

	ck_assert_int_eq(container_addr(p, "198.19.0.99"), 0);	/* no subnets known */
	policy_free(p);
	add_net("198.19.0.0", 24);
	add_net("fd00:19::", 64);
	add_net("198.19.4.0", 31);
	p = build();
	ck_assert_int_eq(container_addr(p, "198.19.0.10"), 2);
	ck_assert_int_eq(container_addr(p, "198.19.0.99"), 1);
	ck_assert_int_eq(container_addr(p, "198.19.0.1"), 0);	/* this host's (docker0) */
	ck_assert_int_eq(container_addr(p, "198.19.0.0"), 0);	/* the subnet's own */
	ck_assert_int_eq(container_addr(p, "198.19.0.255"), 0);
	ck_assert_int_eq(container_addr(p, "198.19.1.5"), 0);
	ck_assert_int_eq(container_addr(p, "8.8.8.8"), 0);
	ck_assert_int_eq(container_addr(p, "fd00:19::5"), 1);
	ck_assert_int_eq(container_addr(p, "fd00:19::"), 1);	/* IPv6 has no broadcast */
	ck_assert_int_eq(container_addr(p, "fd00:19:1::5"), 0);
	ck_assert_int_eq(container_addr(p, "198.19.4.0"), 1);	/* a /31: both are hosts */
	ck_assert_int_eq(container_addr(p, "198.19.4.1"), 1);
	ck_assert_int_eq(container_addr(p, "198.19.4.2"), 0);
	policy_free(p);
}
END_TEST

static enum policy_mode
unidentified_mode(void)
{
	struct policy *p = build();
	enum policy_mode m = policy_unidentified_mode(p);

	policy_free(p);
	return m;
}

/* A container nvd does not know could be in any group a container can
 * join by what it is, in its learned group, or in a new one. */
START_TEST(test_unidentified_mode)
{
	ck_assert_int_eq(unidentified_mode(), MODE_DISCOVER);
	add_group("lan", GROUP_USER, MODE_PROTECT, "address=198.19.0.0/16,address=*.example.com");
	add_group("none", GROUP_USER, MODE_PROTECT, NULL);
	groups[2].mode = MODE_PROTECT;		/* external */
	ck_assert_int_eq(unidentified_mode(), MODE_DISCOVER);
	add_group("web", GROUP_USER, MODE_MONITOR, "name=web-*,address=198.19.0.0/16");
	ck_assert_int_eq(unidentified_mode(), MODE_MONITOR);
	add_group("tier", GROUP_USER, MODE_PROTECT, "label:tier=db");
	ck_assert_int_eq(unidentified_mode(), MODE_PROTECT);
	groups[ngroups - 1].mode = MODE_DISCOVER;
	groups[3].mode = MODE_PROTECT;		/* nv.web: a new web-2 would join it */
	ck_assert_int_eq(unidentified_mode(), MODE_PROTECT);
	groups[3].mode = MODE_DISCOVER;
	groups[0].mode = MODE_PROTECT;		/* containers */
	ck_assert_int_eq(unidentified_mode(), MODE_PROTECT);
	groups[0].mode = MODE_DISCOVER;
	default_mode = MODE_PROTECT;		/* a new learned group starts so */
	ck_assert_int_eq(unidentified_mode(), MODE_PROTECT);
}
END_TEST

/* The protect sets' ranges of build()'s policy, as "lo-hi lo-hi ...". */
static const char *
protected(int *all)
{
	static char out[512];
	struct policy *p = build();
	struct range_list rl = { 0 };
	size_t n = 0;

	ck_assert_int_eq(policy_protected(p, &rl, all), 0);
	out[0] = '\0';
	for (int i = 0; i < rl.n; i++) {
		char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];

		inet_ntop(rl.r[i].family, rl.r[i].lo, lo, sizeof(lo));
		inet_ntop(rl.r[i].family, rl.r[i].hi, hi, sizeof(hi));
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s-%s", i ? " " : "", lo, hi);
	}
	ranges_free(&rl);
	policy_free(p);
	return out;
}

/* Protect-mode workloads' addresses; with a container not known yet that
 * could be in protect, the containers' subnets too but for the known
 * workloads that are not in protect and this host's addresses. */
START_TEST(test_protected)
{
	int all;

	ck_assert_str_eq(protected(&all), "");
	ck_assert_int_eq(all, 0);
	add_group("tier", GROUP_USER, MODE_PROTECT, "label:tier=front");
	ck_assert_str_eq(protected(&all), "198.19.0.10-198.19.0.10");	/* web-1 */
	add_net("198.19.0.0", 24);
	add_net("fd00:19::", 64);
	groups[ngroups - 1].mode = MODE_MONITOR;
	ck_assert_str_eq(protected(&all), "");	/* nobody new could be in protect */
	groups[3].mode = MODE_PROTECT;		/* nv.web: a new web-2 would join it */
	ck_assert_str_eq(protected(&all), "198.19.0.0-198.19.0.0 198.19.0.2-198.19.0.19 "
	    "198.19.0.21-198.19.0.29 198.19.0.31-198.19.0.255 "
	    "fd00:19::-fd00:19::ffff:ffff:ffff:ffff");
	ck_assert_int_eq(all, 0);
	groups[1].mode = MODE_PROTECT;		/* host */
	ck_assert_str_eq(protected(&all), "198.19.0.0-198.19.0.19 198.19.0.21-198.19.0.29 "
	    "198.19.0.31-198.19.0.255 fd00:19::-fd00:19::ffff:ffff:ffff:ffff");
	groups[2].mode = MODE_PROTECT;		/* external */
	protected(&all);
	ck_assert_int_eq(all, 1);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, test_criteria_parse);
	tcase_add_loop_test(tc, test_criteria_errors, 0, sizeof(bad_criteria) / sizeof(bad_criteria[0]));
	tcase_add_test(tc, test_ports);
	tcase_add_test(tc, test_group_names);
	tcase_add_test(tc, test_learned_group);
	suite_add_tcase(s, tc);

	tc = tcase_create("judge");
	tcase_add_checked_fixture(tc, world_setup, world_teardown);
	tcase_add_test(tc, test_membership);
	tcase_add_test(tc, test_first_match);
	tcase_add_test(tc, test_any_and_icmp);
	tcase_add_test(tc, test_other_protocols);
	tcase_add_test(tc, test_rule_to_missing_group);
	tcase_add_test(tc, test_thousand_rules);
	tcase_add_test(tc, test_mode_table);
	tcase_add_test(tc, test_strictest_mode);
	tcase_add_test(tc, test_spoofed);
	tcase_add_test(tc, test_container_addr);
	tcase_add_test(tc, test_unidentified_mode);
	tcase_add_test(tc, test_protected);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
