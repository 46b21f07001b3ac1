/*
 * check_kdec.c: the compiler of kernel decisions (policy/kdec.h): classes
 * of workloads, first-match port intervals, what keeps a pair in nvd
 * (mode, applications, sensors, threat detectors, quarantine, unknown
 * ports, DNS), the bounds; and, on generated policies, that every port an
 * element covers is one policy_judge() allows whatever the application,
 * and (with no rule naming an application) that every such port of a
 * protect-mode pair is covered.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/kdec.h"

#define MAX_W	8
#define MAX_G	12
#define MAX_R	64

static struct policy_group groups[MAX_G];
static struct policy_rule rules[MAX_R];
static struct policy_workload wls[MAX_W];
static struct policy_quarantine quar[2];
static struct threat_set threats;	/* zero: every detector off */
static struct policy_threat_group tgroups[2];
static int ngroups, nrules, nwls, nquar, ntgroups, default_threats;
static struct policy *pol;
static struct kdec_table kt;
static char err[256];

static void
reset(void)
{
	memset(groups, 0, sizeof(groups));
	memset(rules, 0, sizeof(rules));
	memset(wls, 0, sizeof(wls));
	memset(&threats, 0, sizeof(threats));
	ngroups = nrules = nwls = nquar = ntgroups = default_threats = 0;
}

static void
group(const char *name, enum group_kind kind, enum policy_mode mode, const char *crit)
{
	struct policy_group *g = &groups[ngroups++];

	snprintf(g->name, sizeof(g->name), "%s", name);
	g->kind = kind;
	g->mode = mode;
	if (crit)
		ck_assert_int_gt(g->ncrit = criteria_parse(crit, g->crit, POLICY_MAX_CRITERIA, err,
		    sizeof(err)), 0);
}

static void
rule(const char *from, const char *to, const char *apps, const char *ports,
    enum rule_action action)
{
	struct policy_rule *r = &rules[nrules];

	r->id = 100 + nrules;
	r->order = nrules++;
	snprintf(r->from, sizeof(r->from), "%s", from);
	snprintf(r->to, sizeof(r->to), "%s", to);
	snprintf(r->apps, sizeof(r->apps), "%s", apps ? apps : "any");
	ck_assert_int_gt(r->nports = ports_parse(ports, r->ports, POLICY_MAX_PORTS, err,
	    sizeof(err)), 0);
	if (r->nports == 1 && r->ports[0].proto == 0)
		r->nports = 0;
	r->action = action;
	r->type = RULE_USER;
}

/* Workload name, learned group nv.NAME, 198.18.0.N and fd00:18::N on
 * interface ifindex (0: not known). */
static void
workload(const char *name, int n, int ifindex)
{
	struct policy_workload *w = &wls[nwls++];
	char a[64];

	snprintf(w->id, sizeof(w->id), "%s", name);
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->addrs[0].family = AF_INET;
	snprintf(a, sizeof(a), "198.18.0.%d", n);
	inet_pton(AF_INET, a, w->addrs[0].addr);
	w->addrs[0].ifindex = ifindex;
	w->addrs[1].family = AF_INET6;
	snprintf(a, sizeof(a), "fd00:18::%d", n);
	inet_pton(AF_INET6, a, w->addrs[1].addr);
	w->addrs[1].ifindex = ifindex;
	w->naddrs = 2;
	w->is_static = 1;
}

static void
compile(void)
{
	struct policy_input in;

	memset(&in, 0, sizeof(in));
	in.groups = groups;
	in.ngroups = ngroups;
	in.rules = rules;
	in.nrules = nrules;
	in.workloads = wls;
	in.nworkloads = nwls;
	in.default_mode = MODE_DISCOVER;
	in.quarantine = quar;
	in.nquarantine = nquar;
	in.threats = default_threats ? NULL : &threats;
	in.threat_groups = tgroups;
	in.nthreat_groups = ntgroups;
	policy_free(pol);
	policy_kdec_free(&kt);
	ck_assert_ptr_nonnull(pol = policy_compile(&in));
	ck_assert_int_eq(policy_kdec(pol, &kt), 0);
}

static void
teardown(void)
{
	policy_free(pol);
	pol = NULL;
	policy_kdec_free(&kt);
}

/* The class of workload name's IPv4 address in kt, or 0. */
static uint32_t
cls(const char *name)
{
	for (int w = 0; w < nwls; w++)
		if (!strcmp(wls[w].name, name))
			for (int i = 0; i < kt.naddrs; i++)
				if (kt.addrs[i].family == AF_INET &&
				    !memcmp(kt.addrs[i].addr, wls[w].addrs[0].addr, 4))
					return kt.addrs[i].cls;
	return 0;
}

/* The elements from a to b of proto, as "lo-hi lo-hi ...". */
static const char *
elems(const char *a, const char *b, uint8_t proto)
{
	static char out[512];
	uint32_t ca = cls(a), cb = cls(b);
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; i < kt.nelems && n < sizeof(out) - 16; i++)
		if (kt.elems[i].from == ca && kt.elems[i].to == cb && kt.elems[i].proto == proto)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%u-%u", n ? " " : "",
			    kt.elems[i].lo, kt.elems[i].hi);
	return out;
}

/* Two workloads a and b in protect, their learned groups. */
static void
two(enum policy_mode ma, enum policy_mode mb)
{
	reset();
	group("nv.a", GROUP_LEARNED, ma, NULL);
	group("nv.b", GROUP_LEARNED, mb, NULL);
	workload("a", 11, 5);
	workload("b", 12, 6);
}

START_TEST(test_single_port)
{
	two(MODE_PROTECT, MODE_PROTECT);
	rule("nv.a", "nv.b", NULL, "tcp/80", RULE_ALLOW);
	compile();
	ck_assert_int_eq(kt.classes, 2);
	ck_assert_int_eq(kt.naddrs, 4);
	ck_assert_int_eq(kt.pairs, 1);
	ck_assert_int_eq(kt.over, 0);
	ck_assert_uint_ne(cls("a"), cls("b"));
	ck_assert_str_eq(elems("a", "b", IPPROTO_TCP), "80-80");
	ck_assert_str_eq(elems("a", "b", IPPROTO_UDP), "");
	ck_assert_str_eq(elems("b", "a", IPPROTO_TCP), "");
	for (int i = 0; i < kt.naddrs; i++)
		ck_assert_int_eq(kt.addrs[i].ifindex, kt.addrs[i].cls == cls("a") ? 5 : 6);
}
END_TEST

/* Each spec takes, by rank, the ports no spec before it took. */
START_TEST(test_first_match)
{
	two(MODE_PROTECT, MODE_PROTECT);
	rule("nv.a", "nv.b", NULL, "tcp/85", RULE_DENY);
	rule("nv.a", "nv.b", NULL, "tcp/80-90,udp/5000-5010", RULE_ALLOW);
	rule("nv.a", "nv.b", NULL, "tcp/86", RULE_DENY);	/* after: allowed */
	rule("nv.a", "nv.b", NULL, "tcp/91", RULE_ALLOW);	/* not joined: its own hits */
	rule("nv.a", "nv.b", NULL, "udp/5005", RULE_DENY);
	rule("nv.a", "nv.b", NULL, "tcp/92-95,tcp/96", RULE_ALLOW);	/* one rule: joined */
	compile();
	ck_assert_str_eq(elems("a", "b", IPPROTO_TCP), "80-84 86-90 91-91 92-96");
	ck_assert_str_eq(elems("a", "b", IPPROTO_UDP), "5000-5010");
	for (int i = 0; i < kt.nelems; i++)
		ck_assert_int_eq(kt.elems[i].rule_id, kt.elems[i].lo == 91 ? 103 :
		    kt.elems[i].lo == 92 ? 105 : 101);
}
END_TEST

/* An "any" rule covers TCP and UDP but port 53, after what came first. */
START_TEST(test_any)
{
	two(MODE_PROTECT, MODE_DISCOVER);
	rule("nv.a", "nv.b", NULL, "tcp/22", RULE_DENY);
	rule("nv.a", "nv.b", NULL, "udp/1-100", RULE_DENY);
	rule("nv.a", "nv.b", NULL, "any", RULE_ALLOW);
	compile();
	ck_assert_str_eq(elems("a", "b", IPPROTO_TCP), "0-21 23-52 54-65535");
	ck_assert_str_eq(elems("a", "b", IPPROTO_UDP), "0-0 101-65535");
}
END_TEST

/* A rule naming an application is decided by nvd, and so is what it
 * passes over: a deny naming one before an allow takes its ports. */
START_TEST(test_apps)
{
	two(MODE_PROTECT, MODE_PROTECT);
	rule("nv.a", "nv.b", "http", "tcp/80", RULE_ALLOW);
	rule("nv.a", "nv.b", "ssh", "tcp/8000-8010", RULE_DENY);
	rule("nv.a", "nv.b", NULL, "tcp/8000-8020", RULE_ALLOW);
	compile();
	ck_assert_str_eq(elems("a", "b", IPPROTO_TCP), "8011-8020");
}
END_TEST

/* Discover learns and monitor alerts: only a pair with an end in protect. */
START_TEST(test_modes)
{
	two(MODE_DISCOVER, MODE_MONITOR);
	rule("nv.a", "nv.b", NULL, "tcp/80", RULE_ALLOW);
	compile();
	ck_assert_int_eq(kt.nelems, 0);
	ck_assert_int_eq(kt.classes, 2);
	two(MODE_MONITOR, MODE_PROTECT);
	rule("nv.a", "nv.b", NULL, "tcp/80", RULE_ALLOW);
	compile();
	ck_assert_str_eq(elems("a", "b", IPPROTO_TCP), "80-80");
}
END_TEST

/* Threat detectors that read TCP or UDP keep a pair in nvd; ICMP's do not. */
START_TEST(test_threats)
{
	two(MODE_PROTECT, MODE_PROTECT);
	rule("nv.a", "nv.b", NULL, "tcp/80", RULE_ALLOW);
	rule("nv.b", "nv.a", NULL, "tcp/80", RULE_ALLOW);
	default_threats = 1;		/* the built-in settings: many on */
	compile();
	ck_assert_int_eq(kt.nelems, 0);
	default_threats = 0;
	threats.t[THREAT_ICMP_FLOOD].enabled = 1;
	threats.t[THREAT_PING_DEATH].enabled = 1;
	compile();
	ck_assert_int_eq(kt.nelems, 2);
	/* SYN flood on for nv.b (the server's end it guards): a -> b only. */
	snprintf(tgroups[0].group, sizeof(tgroups[0].group), "nv.b");
	tgroups[0].threat = THREAT_SYN_FLOOD;
	tgroups[0].enabled = 1;
	tgroups[0].deny = -1;
	ntgroups = 1;
	compile();
	ck_assert_str_eq(elems("a", "b", IPPROTO_TCP), "");
	ck_assert_str_eq(elems("b", "a", IPPROTO_TCP), "80-80");
}
END_TEST

/* No known interface, quarantined, another's interface: no class (the
 * kernel cannot check where its packets come from; quarantine drops
 * first). */
START_TEST(test_unusable)
{
	two(MODE_PROTECT, MODE_PROTECT);
	workload("c", 13, 0);
	workload("d", 14, 8);
	group("nv.c", GROUP_LEARNED, MODE_PROTECT, NULL);
	group("nv.d", GROUP_LEARNED, MODE_PROTECT, NULL);
	rule("containers", "containers", NULL, "tcp/80", RULE_ALLOW);
	snprintf(quar[0].id, sizeof(quar[0].id), "d");
	nquar = 1;
	compile();
	ck_assert_int_eq(kt.classes, 2);
	ck_assert_uint_eq(cls("c"), 0);
	ck_assert_uint_eq(cls("d"), 0);
	ck_assert_str_eq(elems("a", "b", IPPROTO_TCP), "80-80");
	ck_assert_int_eq(kt.nelems, 4);		/* a-b, b-a, a-a, b-b */
	nquar = 0;
	/* A second workload on a's interface: nvd takes its packets for
	 * spoofed ones (the interface is a's), so the kernel does not know it. */
	workload("e", 15, 5);
	group("nv.e", GROUP_LEARNED, MODE_PROTECT, NULL);
	compile();
	ck_assert_uint_ne(cls("a"), 0);
	ck_assert_uint_eq(cls("e"), 0);
	ck_assert_uint_ne(cls("d"), 0);	/* released */
	ck_assert_int_eq(kt.naddrs, 6);		/* a, b, d */
}
END_TEST

/* Workloads whose groups are the same are one class. */
START_TEST(test_classes)
{
	reset();
	group("web", GROUP_USER, MODE_PROTECT, "name=web*");
	group("nv.web", GROUP_LEARNED, MODE_PROTECT, NULL);
	group("nv.db", GROUP_LEARNED, MODE_PROTECT, NULL);
	workload("web-1", 11, 5);
	workload("web-2", 12, 6);
	workload("db", 13, 7);
	rule("web", "nv.db", NULL, "tcp/5432", RULE_ALLOW);
	compile();
	ck_assert_int_eq(kt.classes, 2);
	ck_assert_uint_eq(cls("web-1"), cls("web-2"));
	ck_assert_str_eq(elems("web-1", "db", IPPROTO_TCP), "5432-5432");
	ck_assert_int_eq(kt.nelems, 1);
}
END_TEST

/* Many elements, each its own; past KDEC_MAX_ELEMS (300 classes allowed
 * to each other: 90,000 pairs), nothing, and over. */
START_TEST(test_bound)
{
	two(MODE_PROTECT, MODE_PROTECT);
	/* each rule: 16 single ports two apart, the rules' ports interleaved */
	for (int r = 0; r < MAX_R; r++) {
		struct policy_rule *x = &rules[nrules];

		rule("nv.a", "nv.b", NULL, "tcp/1", RULE_ALLOW);
		for (int i = 0; i < POLICY_MAX_PORTS; i++) {
			x->ports[i].proto = i % 2 ? IPPROTO_UDP : IPPROTO_TCP;
			x->ports[i].lo = x->ports[i].hi = (uint16_t)(1000 + 2 * (r * 16 + i));
		}
		x->nports = POLICY_MAX_PORTS;
	}
	compile();
	ck_assert_int_eq(kt.nelems, MAX_R * POLICY_MAX_PORTS);
	ck_assert_int_eq(kt.over, 0);
	/* 300 classes, all allowed to each other on one port: 90,000 pairs */
	reset();
	group("all", GROUP_USER, MODE_PROTECT, "name=w*");
	rule("containers", "containers", NULL, "tcp/80", RULE_ALLOW);
	{
		struct policy_input in;
		struct policy_workload *many = calloc(300, sizeof(*many));

		for (int i = 0; i < 300; i++) {
			snprintf(many[i].id, sizeof(many[i].id), "w%d", i);
			snprintf(many[i].name, sizeof(many[i].name), "w%d", i);
			many[i].addrs[0].family = AF_INET;
			many[i].addrs[0].addr[0] = 10;
			many[i].addrs[0].addr[2] = (uint8_t)(i >> 8);
			many[i].addrs[0].addr[3] = (uint8_t)i;
			many[i].addrs[0].ifindex = 100 + i;
			many[i].naddrs = 1;
		}
		memset(&in, 0, sizeof(in));
		in.groups = groups;
		in.ngroups = ngroups;
		in.rules = rules;
		in.nrules = nrules;
		in.workloads = many;
		in.nworkloads = 300;
		in.default_mode = MODE_PROTECT;
		in.threats = &threats;
		policy_free(pol);
		policy_kdec_free(&kt);
		ck_assert_ptr_nonnull(pol = policy_compile(&in));
		ck_assert_int_eq(policy_kdec(pol, &kt), 0);
		for (int i = 0; i < 300; i++)
			policy_workload_clear(&many[i]);
		free(many);
	}
	ck_assert_int_eq(kt.over, 1);
	ck_assert_int_eq(kt.nelems, 0);
	ck_assert_int_eq(kt.naddrs, 0);
}
END_TEST

/* --- generated policies ---------------------------------------------- */

static uint32_t rnd_state;

static uint32_t
rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static void
random_policy(int with_apps)
{
	static const char *const gs[] = { "nv.w0", "nv.w1", "nv.w2", "nv.w3", "nv.w4",
	    "front", "odd", "containers" };
	static const char *const apps[] = { "http", "ssh,redis" };
	static const enum policy_mode modes[] = { MODE_DISCOVER, MODE_MONITOR, MODE_PROTECT,
	    MODE_PROTECT };

	reset();
	for (int i = 0; i < 5; i++) {
		char n[16];

		snprintf(n, sizeof(n), "w%d", i);
		workload(n, 11 + i, i == 4 && rnd(2) ? 0 : 5 + i);
		group(gs[i], GROUP_LEARNED, modes[rnd(4)], NULL);
	}
	group("front", GROUP_USER, modes[rnd(4)], "name=w[01]");
	group("odd", GROUP_USER, modes[rnd(4)], "name=w[13]");
	group("containers", GROUP_BUILTIN, modes[rnd(4)], NULL);
	for (int r = 0, n = 1 + (int)rnd(30); r < n; r++) {
		char ports[64];
		int k = (int)rnd(10), lo = 1 + (int)rnd(200);

		if (k == 0)
			snprintf(ports, sizeof(ports), "any");
		else if (k < 4)
			snprintf(ports, sizeof(ports), "tcp/%d-%d", lo, lo + (int)rnd(60));
		else if (k < 6)
			snprintf(ports, sizeof(ports), "udp/%d-%d,tcp/%d", lo, lo + (int)rnd(30), lo);
		else if (k < 7)
			snprintf(ports, sizeof(ports), "tcp/53,udp/40-60");
		else
			snprintf(ports, sizeof(ports), "tcp/%d", lo);
		rule(gs[rnd(8)], gs[rnd(8)], with_apps && rnd(4) == 0 ? apps[rnd(2)] : NULL, ports,
		    rnd(3) ? RULE_ALLOW : RULE_DENY);
	}
	compile();
}

static int
covered(uint32_t a, uint32_t b, uint8_t proto, uint16_t port)
{
	for (int i = 0; i < kt.nelems; i++)
		if (kt.elems[i].from == a && kt.elems[i].to == b && kt.elems[i].proto == proto &&
		    kt.elems[i].lo <= port && port <= kt.elems[i].hi)
			return 1;
	return 0;
}

/* nvd's verdict for w[c] -> w[s] on proto/port with application app. */
static void
judge(int c, int s, uint8_t proto, uint16_t port, const char *app, struct policy_verdict *v)
{
	struct policy_conn conn;

	memset(&conn, 0, sizeof(conn));
	conn.family = AF_INET;
	memcpy(conn.client, wls[c].addrs[0].addr, 4);
	memcpy(conn.server, wls[s].addrs[0].addr, 4);
	conn.proto = proto;
	conn.port = port;
	conn.app = app;
	policy_judge(pol, &conn, v);
}

static void
check_pairs(int seed, int with_apps)
{
	static const char *const apps[] = { NULL, "http", "ssh", "redis", "postgresql" };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };

	for (int c = 0; c < nwls; c++)
		for (int s = 0; s < nwls; s++)
			for (int pi = 0; pi < 2; pi++)
				for (uint32_t port = 0; port < 300; port++) {
					uint32_t cc = cls(wls[c].name), sc = cls(wls[s].name);
					int cov = cc && sc && covered(cc, sc, protos[pi],
					    (uint16_t)port), all = 1;
					struct policy_verdict v;

					for (size_t a = 0; a < sizeof(apps) / sizeof(apps[0]); a++) {
						judge(c, s, protos[pi], (uint16_t)port, apps[a], &v);
						all &= v.outcome == POL_ALLOW;
					}
					all &= (v.client.mode == MODE_PROTECT ||
					    v.server.mode == MODE_PROTECT) && port != 53 &&
					    cc && sc;
					if (cov && !all)
						ck_abort_msg("seed %d: w%d -> w%d %u/%u covered, not "
						    "allowed", seed, c, s, protos[pi], port);
					if (!with_apps && all && !cov)
						ck_abort_msg("seed %d: w%d -> w%d %u/%u allowed by "
						    "ports, not covered", seed, c, s, protos[pi], port);
				}
}

START_TEST(test_generated)
{
	rnd_state = (uint32_t)_i * 2654435761u + 1;
	random_policy(0);
	check_pairs(_i, 0);
	rnd_state = (uint32_t)_i * 2654435761u + 7;
	random_policy(1);
	check_pairs(_i, 1);
}
END_TEST

static Suite *
kdec_suite(void)
{
	Suite *s = suite_create("kdec");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_single_port);
	tcase_add_test(tc, test_first_match);
	tcase_add_test(tc, test_any);
	tcase_add_test(tc, test_apps);
	tcase_add_test(tc, test_modes);
	tcase_add_test(tc, test_threats);
	tcase_add_test(tc, test_unusable);
	tcase_add_test(tc, test_classes);
	tcase_add_test(tc, test_bound);
	tcase_add_loop_test(tc, test_generated, 0, 200);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(kdec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
