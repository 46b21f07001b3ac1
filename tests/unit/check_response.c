/*
 * check_response.c: response rules and quarantine.  Their words (criteria,
 * actions, the checks a whole rule passes, with the exact errors); which
 * rules fire for an event (globs, AND-ed criteria, categories, groups by
 * the running policy, actions done once each, never the victim
 * quarantined); the rules and quarantine in the database; the writer
 * thread judging real events with them (suppress-log, counters, a
 * quarantine with its event, workload start events); the packet path
 * dropping a quarantined workload's packets; nvctl response and
 * quarantine.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/control_proto.h"
#include "policy/policy.h"
#include "policy/response.h"
#include "runtime/live.h"
#include "runtime/responder.h"
#include "runtime/writer.h"
#include "store/store.h"
#include "store/store_response.h"
#include "fixture_cli.h"
#include "fixture_db.h"
#include "fixture_policy.h"

static char err[512];

/* A rule of category cat from criteria and actions texts, which must parse. */
static struct response_rule
rule(int64_t id, enum response_category cat, const char *group, const char *crit,
    const char *acts)
{
	struct response_rule r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.category = cat;
	r.enabled = 1;
	snprintf(r.group, sizeof(r.group), "%s", group);
	ck_assert_msg(response_criteria_parse(crit, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(response_actions_parse(acts, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(response_rule_check(&r, err, sizeof(err)) == 0, "%s", err);
	return r;
}

/* --- words --------------------------------------------------------------- */

/* A text a parser must refuse, and its error. */
struct refused {
	const char *in, *want;
};

typedef int parse_fn(const char *, struct response_rule *, char *, size_t);

static void
refuses(parse_fn *parse, const struct refused *bad, size_t n)
{
	struct response_rule r;

	for (size_t i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		ck_assert_int_eq(parse(bad[i].in, &r, err, sizeof(err)), -1);
		ck_assert_str_eq(err, bad[i].want);
	}
}

START_TEST(test_criteria)
{
	struct response_rule r;
	char text[RESPONSE_TEXT_MAX];

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(response_criteria_parse("name=no rule,level=warn*,type=violation,"
	    "sensor=sensor.*,app=HTTP", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.ncrit, 5);
	ck_assert_int_eq(r.crit[0].key, RESP_KEY_NAME);
	ck_assert_str_eq(r.crit[0].glob, "no rule");
	ck_assert_int_eq(r.crit[4].key, RESP_KEY_APP);
	response_criteria_format(&r, text, sizeof(text));
	ck_assert_str_eq(text, "name=no rule,level=warn*,type=violation,sensor=sensor.*,app=HTTP");
	ck_assert_int_eq(response_criteria_parse("", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.ncrit, 0);
	/* '=' after the first is the glob's */
	ck_assert_int_eq(response_criteria_parse("name=a=b", &r, err, sizeof(err)), 0);
	ck_assert_str_eq(r.crit[0].glob, "a=b");
}
END_TEST

START_TEST(test_criteria_errors)
{
	static const struct refused bad[] = {
		{ "color=red", "criterion 'color=red': unknown key 'color' (expected name=, "
		    "level=, type=, sensor= or app=)" },
		{ "name", "criterion 'name': expected KEY=GLOB" },
		{ "name=", "criterion 'name=': empty glob" },
		{ "name=a,name=b", "duplicate criterion key 'name' (criteria are AND-ed: one glob "
		    "per key)" },
		{ "name=a[b", "criterion 'name=a[b': bad glob ('[' without ']')" },
		{ "name=ab\\", "criterion 'name=ab\\': bad glob (it ends in '\\')" },
		{ "name=a,", "criterion '': expected KEY=GLOB" },
		{ "name=a,,app=b", "criterion '': expected KEY=GLOB" },
	};
	struct response_rule r;

	refuses(response_criteria_parse, bad, sizeof(bad) / sizeof(bad[0]));
	/* [] that closes, [!...] and []...] are globs fnmatch(3) reads as sets */
	ck_assert_int_eq(response_criteria_parse("name=[!a]x,app=[]]", &r, err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_actions)
{
	struct response_rule r;
	char text[RESPONSE_TEXT_MAX];

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(response_actions_parse("suppress-log,webhook=https://h.example/a?b=1,"
	    "quarantine,webhook=http://198.18.0.1:8080/x", &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.actions, RESP_ACT_QUARANTINE | RESP_ACT_WEBHOOK | RESP_ACT_SUPPRESS);
	ck_assert_int_eq(r.nwebhooks, 2);
	response_actions_format(&r, text, sizeof(text));
	ck_assert_str_eq(text, "quarantine,webhook=https://h.example/a?b=1,"
	    "webhook=http://198.18.0.1:8080/x,suppress-log");
}
END_TEST

START_TEST(test_actions_errors)
{
	static const struct refused bad[] = {
		{ "", "no action (expected quarantine, webhook=URL or suppress-log)" },
		{ "kill", "unknown action 'kill' (expected quarantine, webhook=URL or suppress-log)" },
		{ "quarantine,quarantine", "duplicate action 'quarantine'" },
		{ "webhook=ftp://h/x", "webhook URL 'ftp://h/x': expected http:// or https://" },
		{ "webhook=http:///x", "webhook URL 'http:///x': no host" },
		{ "webhook=http://h/a b", "webhook URL 'http://h/a b': a space or control character "
		    "(percent-encode it)" },
		{ "webhook=http://h/,webhook=http://h/", "duplicate action 'webhook=http://h/'" },
		{ "webhook=http://a/,webhook=http://b/,webhook=http://c/,webhook=http://d/,"
		    "webhook=http://e/", "at most 4 webhooks in a rule" },
	};

	refuses(response_actions_parse, bad, sizeof(bad) / sizeof(bad[0]));
}
END_TEST

START_TEST(test_rule_check)
{
	struct response_rule r;

	memset(&r, 0, sizeof(r));
	r.category = RESP_CAT_SECURITY;
	ck_assert_int_eq(response_criteria_parse("level=crit", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(response_actions_parse("suppress-log", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(response_rule_check(&r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "criterion 'level=crit' matches no level (info, warning or critical)");
	ck_assert_int_eq(response_criteria_parse("type=incident", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(response_rule_check(&r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "criterion 'type=incident' matches no event type of category "
	    "security-event (violation, threat, dlp, waf)");
	r.category = RESP_CAT_EVENT;
	ck_assert_int_eq(response_rule_check(&r, err, sizeof(err)), 0);
	ck_assert_int_eq(response_actions_parse("quarantine", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(response_rule_check(&r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "action quarantine is for categories security-event, cve-report "
	    "and compliance (category event names no attacker to quarantine)");
	/* cve-report and compliance have no event yet: any type glob is stored */
	r.category = RESP_CAT_CVE;
	ck_assert_int_eq(response_rule_check(&r, err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_categories)
{
	static const char *const words[] = { "security-event", "event", "cve-report",
		"compliance", "admission" };
	enum response_category c;

	for (int i = 0; i < RESP_CAT_COUNT; i++) {
		ck_assert_int_eq(response_category_parse(words[i], &c), 0);
		ck_assert_int_eq(c, i);
		ck_assert_str_eq(response_category_name(c), words[i]);
	}
	ck_assert_int_eq(response_category_parse("security", &c), -1);
	ck_assert_int_eq(response_type_category("violation"), RESP_CAT_SECURITY);
	ck_assert_int_eq(response_type_category("waf"), RESP_CAT_SECURITY);
	ck_assert_int_eq(response_type_category("quarantine"), RESP_CAT_EVENT);
	ck_assert_int_eq(response_type_category("admission"), RESP_CAT_ADMISSION);
	ck_assert_int_eq(response_type_category("bogus"), -1);
}
END_TEST

/* --- matching ------------------------------------------------------------ */

static struct response_event
event(const char *type, const char *name, const char *level, const char *src_wl,
    const char *dst_wl)
{
	return (struct response_event){ .type = type, .name = name, .level = level,
	    .sensor = "", .app = "", .src_workload = src_wl, .src_group = "",
	    .dst_workload = dst_wl, .dst_group = "" };
}

START_TEST(test_match_globs_and)
{
	struct response_rule rules[] = {
		rule(1, RESP_CAT_SECURITY, "", "name=Ping.*", "suppress-log"),
		rule(2, RESP_CAT_SECURITY, "", "name=*Flood,level=critical", "suppress-log"),
		rule(3, RESP_CAT_EVENT, "", "name=workload *", "suppress-log"),
	};
	struct response_set *s = response_set_new(rules, 3);
	struct response_event ev = event("threat", "Ping.Death", "critical", "", "");
	struct response_fire f;

	ck_assert_int_eq(response_eval(s, NULL, &ev, &f), 1);
	ck_assert_int_eq(f.fired[0], 0);
	ev.name = "ICMP.Flood";
	ck_assert_int_eq(response_eval(s, NULL, &ev, &f), 1);
	ck_assert_int_eq(f.fired[0], 1);
	ev.level = "warning";		/* AND: the level fails */
	ck_assert_int_eq(response_eval(s, NULL, &ev, &f), 0);
	ck_assert_uint_eq(f.actions, 0);
	/* a category takes only its types */
	ev = event("incident", "workload start", "info", "web", "");
	ck_assert_int_eq(response_eval(s, NULL, &ev, &f), 1);
	ck_assert_int_eq(f.fired[0], 2);
	ev.type = "violation";
	ck_assert_int_eq(response_eval(s, NULL, &ev, &f), 0);
	/* disabled rules never fire */
	s->rules[2].enabled = 0;
	ev.type = "incident";
	ck_assert_int_eq(response_eval(s, NULL, &ev, &f), 0);
	response_set_free(s);
}
END_TEST

/* An event recorded before a rule was added or changed is not its own,
 * even when written after: the quarantine of a workload for a violation
 * from before an operator added the rule would surprise them. */
START_TEST(test_match_in_force)
{
	struct response_rule rules[] = {
		rule(1, RESP_CAT_SECURITY, "", "name=no rule", "quarantine"),
		rule(2, RESP_CAT_SECURITY, "", "", "suppress-log"),
	};
	struct response_set *start = response_set_new(rules, 1), *s, *t;
	struct response_event ev = event("violation", "no rule", "warning", "", "");
	struct response_fire f;

	response_set_carry(start, NULL, 5000);	/* nvd starts: any time */
	ev.time_ms = 1;
	ck_assert_int_eq(response_eval(start, NULL, &ev, &f), 1);
	s = response_set_new(rules, 2);		/* rule 2 added at 9000 */
	response_set_carry(s, start, 9000);
	ck_assert_int_eq(s->rules[0].in_force_ms, 0);
	ck_assert_int_eq(s->rules[1].in_force_ms, 9000);
	ev.time_ms = 8999;
	ck_assert_int_eq(response_eval(s, NULL, &ev, &f), 1);
	ck_assert_int_eq(f.fired[0], 0);
	ev.time_ms = 9000;
	ck_assert_int_eq(response_eval(s, NULL, &ev, &f), 2);
	/* rule 1 changed (its criteria), rule 2 kept as it is */
	snprintf(rules[0].crit[0].glob, sizeof(rules[0].crit[0].glob), "no *");
	t = response_set_new(rules, 2);
	response_set_carry(t, s, 12000);
	ck_assert_int_eq(t->rules[0].in_force_ms, 12000);
	ck_assert_int_eq(t->rules[1].in_force_ms, 9000);
	ev.time_ms = 11000;
	ck_assert_int_eq(response_eval(t, NULL, &ev, &f), 1);
	ck_assert_int_eq(f.fired[0], 1);
	/* disabled and enabled again: in force from then */
	response_set_free(s);
	rules[1].enabled = 0;
	s = response_set_new(rules, 2);
	response_set_carry(s, t, 13000);
	response_set_free(t);
	rules[1].enabled = 1;
	t = response_set_new(rules, 2);
	response_set_carry(t, s, 14000);
	ck_assert_int_eq(t->rules[1].in_force_ms, 14000);
	response_set_free(start);
	response_set_free(s);
	response_set_free(t);
}
END_TEST

START_TEST(test_match_dedup)
{
	struct response_rule rules[] = {
		rule(1, RESP_CAT_SECURITY, "", "", "webhook=http://h/a,quarantine"),
		rule(2, RESP_CAT_SECURITY, "", "type=violation", "webhook=http://h/b,webhook=http://h/a"),
		rule(3, RESP_CAT_SECURITY, "", "level=warning", "quarantine,webhook=http://h/a"),
	};
	struct response_set *s = response_set_new(rules, 3);
	struct response_event ev = event("violation", "no rule", "warning", "", "");
	struct response_fire f;

	ck_assert_int_eq(response_eval(s, NULL, &ev, &f), 3);
	ck_assert_uint_eq(f.actions, RESP_ACT_WEBHOOK | RESP_ACT_QUARANTINE);
	ck_assert_int_eq(f.nwebhooks, 2);	/* each URL once */
	ck_assert_str_eq(f.webhooks[0], "http://h/a");
	ck_assert_str_eq(f.webhooks[1], "http://h/b");
	ck_assert_int_eq(f.quarantine_wl, -1);	/* no policy: nothing to quarantine */
	response_set_free(s);
}
END_TEST

/* w: a workload of one address. */
static void
workload(struct policy_workload *w, const char *id, const char *name, const char *ip)
{
	memset(w, 0, sizeof(*w));
	strcpy(w->id, id);
	strcpy(w->name, name);
	w->naddrs = 1;
	w->addrs[0].family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(w->addrs[0].family, ip, w->addrs[0].addr), 1);
}

/* client 198.18.0.11 in group attackers, web 198.18.0.12 in group webs. */
static struct policy *
two_workloads(void)
{
	struct policy_group g[2];
	struct policy_workload w[2];
	struct policy_input in;
	struct policy *p;

	memset(g, 0, sizeof(g));
	strcpy(g[0].name, "attackers");
	g[0].kind = GROUP_USER;
	g[0].ncrit = criteria_parse("name=client*", g[0].crit, POLICY_MAX_CRITERIA, err,
	    sizeof(err));
	strcpy(g[1].name, "webs");
	g[1].kind = GROUP_USER;
	g[1].ncrit = criteria_parse("name=web*", g[1].crit, POLICY_MAX_CRITERIA, err, sizeof(err));
	workload(&w[0], "c0ffee", "client", "198.18.0.11");
	workload(&w[1], "beef", "web", "198.18.0.12");
	memset(&in, 0, sizeof(in));
	in.groups = g;
	in.ngroups = 2;
	in.workloads = w;
	in.nworkloads = 2;
	ck_assert_ptr_nonnull(p = policy_compile(&in));
	return p;
}

START_TEST(test_match_groups_victim)
{
	struct response_rule rules[] = {
		rule(1, RESP_CAT_SECURITY, "webs", "", "quarantine"),
		rule(2, RESP_CAT_SECURITY, "attackers", "name=no rule", "quarantine"),
	};
	struct response_set *s = response_set_new(rules, 1);
	struct policy *p = two_workloads();
	struct response_event ev = event("violation", "no rule", "warning", "client", "web");
	uint8_t a[16] = { 0 }, b[16] = { 0 };
	struct response_fire f;

	inet_pton(AF_INET, "198.18.0.11", a);
	inet_pton(AF_INET, "198.18.0.12", b);
	ev.family = AF_INET;
	ev.src = a;
	ev.dst = b;
	/* The rule's group holds the victim only: it fires, quarantines nobody. */
	ck_assert_int_eq(response_eval(s, p, &ev, &f), 1);
	ck_assert_uint_eq(f.actions, RESP_ACT_QUARANTINE);
	ck_assert_int_eq(f.quarantine_wl, -1);
	response_set_free(s);
	/* The attacker's group: its source is quarantined. */
	s = response_set_new(rules, 2);
	ck_assert_int_eq(response_eval(s, p, &ev, &f), 2);
	ck_assert_int_ge(f.quarantine_wl, 0);
	ck_assert_str_eq(policy_workload_at(p, f.quarantine_wl)->name, "client");
	ck_assert_int_eq(f.quarantine_rule, 1);
	/* An address another workload holds now is not the event's workload. */
	ev.src = b;
	ev.dst = a;
	ck_assert_int_eq(response_eval(s, p, &ev, &f), 2);
	ck_assert_str_eq(policy_workload_at(p, f.quarantine_wl)->name, "client");
	response_set_free(s);
	/* Reversed, the attacker's group holds the destination only: nobody. */
	s = response_set_new(&rules[1], 1);
	ev = event("violation", "no rule", "warning", "web", "client");
	ev.family = AF_INET;
	ev.src = b;
	ev.dst = a;
	ck_assert_int_eq(response_eval(s, p, &ev, &f), 1);
	ck_assert_int_eq(f.quarantine_wl, -1);
	/* A group that is the event's own (external) holds it, workload or not. */
	response_set_free(s);
	rules[0] = rule(1, RESP_CAT_SECURITY, "external", "", "suppress-log");
	s = response_set_new(rules, 1);
	ev = event("violation", "no rule", "warning", "", "web");
	ev.src_group = "external";
	ck_assert_int_eq(response_eval(s, p, &ev, &f), 1);
	ev.src_group = "nv.other";
	ck_assert_int_eq(response_eval(s, p, &ev, &f), 0);
	response_set_free(s);
	policy_free(p);
}
END_TEST

/* --- the policy: quarantined workloads ------------------------------------- */

START_TEST(test_policy_quarantine)
{
	struct policy_quarantine q[2] = { { "static:gone", "gone" }, { "x", "web" } };
	struct policy_input in;
	struct policy *p = two_workloads(), *p2;

	ck_assert_int_eq(policy_nquarantined(p), 0);
	policy_free(p);
	/* By name (the container was made again: another id); a static one away. */
	memset(&in, 0, sizeof(in));
	in.quarantine = q;
	in.nquarantine = 1;
	ck_assert_ptr_nonnull(p2 = policy_compile(&in));
	ck_assert_int_eq(policy_unidentified_mode(p2), MODE_DISCOVER);
	policy_free(p2);
	in.nquarantine = 2;
	ck_assert_ptr_nonnull(p2 = policy_compile(&in));
	/* A container is quarantined: one the policy does not know may be it. */
	ck_assert_int_eq(policy_unidentified_mode(p2), MODE_PROTECT);
	policy_free(p2);
}
END_TEST

START_TEST(test_policy_quarantine_addrs)
{
	struct policy_quarantine q = { "beef", "nobody" };
	struct policy_workload w[2];
	struct policy_input in;
	struct policy_addr a[4];
	struct policy *p;
	uint8_t ip[16] = { 0 };

	workload(&w[0], "c0ffee", "client", "198.18.0.11");
	workload(&w[1], "beef", "web", "198.18.0.12");
	w[1].naddrs = 2;
	w[1].addrs[0].ifindex = 7;
	w[1].addrs[1].family = AF_INET6;
	inet_pton(AF_INET6, "fd00:18::12", w[1].addrs[1].addr);
	memset(&in, 0, sizeof(in));
	in.workloads = w;
	in.nworkloads = 2;
	in.quarantine = &q;
	in.nquarantine = 1;
	ck_assert_ptr_nonnull(p = policy_compile(&in));
	ck_assert_int_eq(policy_nquarantined(p), 1);
	inet_pton(AF_INET, "198.18.0.12", ip);
	ck_assert_int_eq(policy_quarantined(p, AF_INET, ip), 1);
	inet_pton(AF_INET6, "fd00:18::12", ip);
	ck_assert_int_eq(policy_quarantined(p, AF_INET6, ip), 1);
	memset(ip, 0, sizeof(ip));
	inet_pton(AF_INET, "198.18.0.11", ip);
	ck_assert_int_eq(policy_quarantined(p, AF_INET, ip), 0);
	ck_assert_int_eq(policy_quarantined_port(p, 7), 1);
	ck_assert_int_eq(policy_quarantined_port(p, 8), 0);
	ck_assert_int_eq(policy_quarantine_addrs(p, a, 4), 2);
	ck_assert_int_eq(a[0].family, AF_INET);
	ck_assert_int_eq(a[1].family, AF_INET6);
	ck_assert_int_eq(policy_quarantine_addrs(p, a, 1), -1);
	policy_free(p);
}
END_TEST

/* --- the packet path ----------------------------------------------------------- */

static void
pkt_setup(void)
{
	fx_begin();
	fx_net("198.18.0.0/24");
	fx_host("198.18.0.1");
	fx_workload_port("client", "198.18.0.11", 11);
	fx_workload("web", "198.18.0.12");
	fx_workload("db", "198.18.0.13");
	fx_start(1024);
}

static void
pkt_teardown(void)
{
	fx_end();
}

START_TEST(test_worker_drops_quarantined)
{
	struct fx_conn k;
	struct pkt p;

	fx_conn_open(&k, "198.18.0.11", 40000, "198.18.0.12", 80);
	ck_assert_int_ne(fx_conn_send(&k, 0, 0x18, "GET / HTTP/1.0\r\n\r\n", 18), VERDICT_DROP);
	fx_quarantine("client", "client");
	fx_publish();
	/* The open connection, both ways; a new one; and the others' traffic still flows. */
	ck_assert_int_eq(fx_conn_send(&k, 0, 0x18, "x", 1), VERDICT_DROP);
	ck_assert_int_eq(fx_conn_send(&k, 1, 0x18, "y", 1), VERDICT_DROP);
	ck_assert_int_eq(fx_tcp("198.18.0.13", 40001, "198.18.0.11", 22, 0x02, 1, 0, NULL, 0),
	    VERDICT_DROP);
	ck_assert_int_ne(fx_tcp("198.18.0.13", 40002, "198.18.0.12", 80, 0x02, 1, 0, NULL, 0),
	    VERDICT_DROP);
	ck_assert_int_eq(fx_icmp("198.18.0.12", "198.18.0.11", 8, 0, 1), VERDICT_DROP);
	/* From its interface with another workload's source: dropped all the same. */
	pkt_udp(&p, "198.18.0.13", 5000, "198.18.0.12", 53);
	ck_assert_int_eq(fx_send_meta(&p, 0, 11), VERDICT_DROP);
	ck_assert_uint_eq(fx.w.st.quarantine_drops, 5);
	/* Released: it flows again. */
	fx.nquarantine = 0;
	fx_publish();
	ck_assert_int_ne(fx_tcp("198.18.0.11", 40003, "198.18.0.12", 80, 0x02, 1, 0, NULL, 0),
	    VERDICT_DROP);
}
END_TEST

/* A quarantined container may come back with an address the policy does
 * not know yet: what such an address sends is dropped until it does. */
START_TEST(test_worker_unknown_while_quarantined)
{
	ck_assert_int_ne(fx_tcp("198.18.0.50", 40000, "198.18.0.12", 80, 0x02, 1, 0, NULL, 0),
	    VERDICT_DROP);
	fx_quarantine("0123456789abcdef", "gone");
	fx_publish();
	ck_assert_int_eq(fx_tcp("198.18.0.51", 40000, "198.18.0.12", 80, 0x02, 1, 0, NULL, 0),
	    VERDICT_DROP);
	ck_assert_int_ne(fx_tcp("198.18.0.11", 40001, "198.18.0.12", 80, 0x02, 1, 0, NULL, 0),
	    VERDICT_DROP);
}
END_TEST

/* --- the database ---------------------------------------------------------- */

static sqlite3 *db;

static void
db_setup(void)
{
	fxdb_setup();
	db = fxdb_open();
	fxdb_exec(db, "INSERT INTO groups (name, kind, mode, created, updated) VALUES "
	    "('attackers', 'user', 'discover', 0, 0)");
}

static void
db_teardown(void)
{
	fxdb_teardown(&db);
}

START_TEST(test_store_rules)
{
	struct response_rule r = rule(0, RESP_CAT_SECURITY, "attackers", "name=no rule",
	    "quarantine,webhook=http://h/x"), *all, got;
	int n;

	ck_assert_msg(store_response_add(db, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(r.id, 1);
	r = rule(0, RESP_CAT_EVENT, "", "", "suppress-log");
	ck_assert_int_eq(store_response_add(db, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.id, 2);
	ck_assert_str_eq(fxdb_text(db, "SELECT actions FROM response_rules WHERE id = 1"),
	    "quarantine,webhook=http://h/x");
	ck_assert_str_eq(fxdb_text(db, "SELECT group_name FROM response_rules WHERE id = 2"),
	    "NULL");
	ck_assert_int_eq(store_response_list(db, &all, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(all[0].group, "attackers");
	ck_assert_str_eq(all[0].crit[0].glob, "no rule");
	ck_assert_str_eq(all[0].webhooks[0], "http://h/x");
	ck_assert_int_eq(all[1].category, RESP_CAT_EVENT);
	free(all);
	ck_assert_int_eq(store_response_enable(db, 2, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(store_response_get(db, 2, &got, err, sizeof(err)), 0);
	ck_assert_int_eq(got.enabled, 0);
	ck_assert_int_eq(store_response_get(db, 9, &got, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "response rule 9 does not exist");
	ck_assert_int_eq(store_response_enable(db, 9, 1, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_int_eq(store_response_delete(db, 2, err, sizeof(err)), 0);
	ck_assert_int_eq(store_response_delete(db, 2, err, sizeof(err)), STORE_NOTFOUND);
	/* A group a rule names stays. */
	ck_assert_int_eq(store_group_delete(db, "attackers", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "group 'attackers' is used by response rule 1");
	r = rule(0, RESP_CAT_SECURITY, "nosuch", "", "suppress-log");
	ck_assert_int_eq(store_response_add(db, &r, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "group 'nosuch' does not exist");
	/* ids are never reused */
	r = rule(0, RESP_CAT_ADMISSION, "", "", "webhook=http://h/y");
	ck_assert_int_eq(store_response_add(db, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.id, 3);
}
END_TEST

START_TEST(test_store_rules_bound)
{
	struct response_rule r = rule(0, RESP_CAT_EVENT, "", "", "suppress-log");

	fxdb_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	    "WHERE i < 1024) INSERT INTO response_rules (category, actions, created, updated) "
	    "SELECT 'event', 'suppress-log', 0, 0 FROM n");
	ck_assert_int_eq(store_response_add(db, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "at most 1024 response rules");
}
END_TEST

START_TEST(test_store_quarantine)
{
	struct store_quarantine *q;
	struct policy_quarantine *pq;
	int n;

	fxdb_exec(db, "INSERT INTO quarantine (id, name, rule_id, reason, since) VALUES "
	    "('0123456789abcdef0123', 'web', 3, 'violation', 100), "
	    "('static:client', 'client', 4, 'waf', 200)");
	ck_assert_int_eq(store_quarantine_load(db, &pq, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 2);
	free(pq);
	ck_assert_int_eq(store_quarantine_release(db, "0123456789a", &q, &n, err, sizeof(err)),
	    STORE_NOTFOUND);	/* a prefix of 11: too short */
	ck_assert_str_eq(err, "workload '0123456789a' is not quarantined");
	ck_assert_int_eq(store_quarantine_release(db, "0123456789ab", &q, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(q[0].q.name, "web");
	ck_assert_int_eq(q[0].rule_id, 3);
	free(q);
	ck_assert_int_eq(store_quarantine_release(db, "client", &q, &n, err, sizeof(err)), 0);
	free(q);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM quarantine"), 0);
}
END_TEST

/* --- the writer thread ------------------------------------------------------- */

static struct live live;
static struct writer w;
static struct responder resp;
static struct event_ring ring;
static int quarantined_calls;

static void
on_quarantine(void *ctx)
{
	(*(int *)ctx)++;
}

static void
static_workload(const char *name, const char *ip)
{
	struct policy_workload wl;

	memset(&wl, 0, sizeof(wl));
	snprintf(wl.id, sizeof(wl.id), "static:%s", name);
	snprintf(wl.name, sizeof(wl.name), "%s", name);
	wl.is_static = 1;
	wl.naddrs = 1;
	wl.addrs[0].family = AF_INET;
	inet_pton(AF_INET, ip, wl.addrs[0].addr);
	ck_assert_int_eq(live_workload_set(&live, &wl), 0);
}

static void
writer_setup(void)
{
	db_setup();
	ck_assert_msg(live_init(&live, db, MODE_DISCOVER, 0, err, sizeof(err)) == 0, "%s", err);
	static_workload("client", "198.18.0.11");
	static_workload("web", "198.18.0.12");
	ck_assert_int_eq(live_rebuild(&live, err, sizeof(err)), 0);
	ck_assert_msg(writer_init(&w, fxdb_path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(responder_init(&resp, &live, NULL), 0);
	resp.on_quarantine = on_quarantine;
	resp.ctx = &quarantined_calls;
	quarantined_calls = 0;
	w.resp = &resp;
	ck_assert_int_eq(event_ring_init(&ring, -1), 0);
	writer_add_ring(&w, &ring);
	writer_add_ring(&w, &live.events);
}

static void
writer_teardown(void)
{
	writer_stop(&w);
	responder_destroy(&resp);
	event_ring_destroy(&ring);
	live_destroy(&live);
	db_teardown();
}

static void
rules_in_use(struct response_rule *r, int n)
{
	for (int i = 0; i < n; i++)
		ck_assert_msg(store_response_add(db, &r[i], err, sizeof(err)) == 0, "%s", err);
	responder_set_rules(&resp, response_set_new(r, n));
}

static void
push(enum event_type type, const char *name, const char *src, const char *src_wl,
    const char *dst, const char *dst_wl)
{
	struct record *rec = event_ring_reserve(&ring, REC_EVENT);
	uint8_t a[16] = { 0 }, b[16] = { 0 };

	ck_assert_ptr_nonnull(rec);
	memset(rec, 0, sizeof(*rec));
	rec->type = REC_EVENT;
	rec->u.ev.time_ms = 1795886404123LL;
	rec->u.ev.type = type;
	rec->u.ev.level = EV_WARNING;
	rec->u.ev.action = EV_DENY;
	inet_pton(AF_INET, src, a);
	inet_pton(AF_INET, dst, b);
	event_set_addrs(&rec->u.ev, AF_INET, a, 40000, b, 80, 6);
	snprintf(rec->u.ev.name, sizeof(rec->u.ev.name), "%s", name);
	snprintf(rec->u.ev.src_workload, sizeof(rec->u.ev.src_workload), "%s", src_wl);
	snprintf(rec->u.ev.dst_workload, sizeof(rec->u.ev.dst_workload), "%s", dst_wl);
	snprintf(rec->u.ev.message, sizeof(rec->u.ev.message), "%s from %s", name, src_wl);
	event_ring_commit(&ring);
}

START_TEST(test_writer_suppress_counts)
{
	struct response_rule r[] = {
		rule(0, RESP_CAT_SECURITY, "", "name=noisy*", "suppress-log"),
		rule(0, RESP_CAT_SECURITY, "", "type=violation", "webhook=http://h/x"),
		rule(0, RESP_CAT_EVENT, "", "name=workload start", "suppress-log"),
	};
	struct responder_stats st;

	rules_in_use(r, 2);
	for (int i = 0; i < 3; i++)
		push(EV_VIOLATION, "noisy scan", "198.18.0.11", "client", "198.18.0.12", "web");
	push(EV_VIOLATION, "no rule", "198.18.0.11", "client", "198.18.0.12", "web");
	writer_drain(&w);
	/* Suppressed: not written; counted on both rules that fired. */
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE name = 'noisy scan'"), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE name = 'no rule'"), 1);
	ck_assert_int_eq(fxdb_int(db, "SELECT fired FROM response_rules WHERE id = 1"), 3);
	ck_assert_int_eq(fxdb_int(db, "SELECT suppressed FROM response_rules WHERE id = 1"), 3);
	ck_assert_int_eq(fxdb_int(db, "SELECT fired FROM response_rules WHERE id = 2"), 4);
	ck_assert_int_eq(fxdb_int(db, "SELECT suppressed FROM response_rules WHERE id = 2"), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT last_fired FROM response_rules WHERE id = 2"),
	    1795886404);
	/* The workloads started before were written, as events of their own. */
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE type = 'incident' AND "
	    "name = 'workload start'"), 2);
	ck_assert_str_eq(fxdb_text(db, "SELECT message FROM events WHERE name = 'workload start' "
	    "AND src_workload = 'web'"), "static workload web (static:web) started: 198.18.0.12");
	responder_snapshot(&resp, &st);
	ck_assert_uint_eq(st.suppressed, 3);
	ck_assert_uint_eq(st.fired, 7);
	ck_assert_uint_eq(st.webhooks, 0);	/* no webhook thread here */
	/* New rules take effect at the next batch: the workload events go. */
	responder_set_rules(&resp, response_set_new(&r[2], 1));
	static_workload("db", "198.18.0.13");
	writer_drain(&w);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE src_workload = 'db'"), 0);
	responder_snapshot(&resp, &st);
	ck_assert_uint_eq(st.suppressed, 4);
}
END_TEST

START_TEST(test_writer_quarantine)
{
	struct response_rule r[] = {
		rule(0, RESP_CAT_SECURITY, "", "name=no rule", "quarantine"),
		rule(0, RESP_CAT_EVENT, "", "type=quarantine", "webhook=http://h/q"),
	};
	uint8_t ip[16] = { 0 };
	struct responder_stats st;

	rules_in_use(r, 2);
	push(EV_VIOLATION, "no rule", "198.18.0.11", "client", "198.18.0.12", "web");
	push(EV_VIOLATION, "no rule", "198.18.0.11", "client", "198.18.0.12", "web");
	push(EV_VIOLATION, "no rule", "203.0.113.9", "", "198.18.0.12", "web");
	writer_drain(&w);
	/* The source, once; the victim never; an external source is nobody. */
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM quarantine"), 1);
	ck_assert_str_eq(fxdb_text(db, "SELECT id || ' ' || name || ' ' || addresses || ' ' || "
	    "rule_id || ' ' || event_id FROM quarantine"),
	    "static:client client 198.18.0.11 1 1");
	ck_assert_str_eq(fxdb_text(db, "SELECT reason FROM quarantine"),
	    "violation 'no rule': no rule from client");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE type = 'quarantine'"), 1);
	ck_assert_str_eq(fxdb_text(db, "SELECT action || ' ' || level || ' ' || src_workload || "
	    "': ' || message FROM events WHERE type = 'quarantine'"), "quarantine critical client: "
	    "static workload client (static:client) quarantined by response rule 1 after event 1 "
	    "violation 'no rule': all its traffic is dropped");
	/* The quarantine's event went through the rules too. */
	ck_assert_int_eq(fxdb_int(db, "SELECT fired FROM response_rules WHERE id = 2"), 1);
	ck_assert_int_eq(quarantined_calls, 1);
	responder_snapshot(&resp, &st);
	ck_assert_uint_eq(st.quarantined, 1);
	ck_assert_uint_eq(st.no_source, 1);
	/* The rebuild that follows drops its addresses. */
	ck_assert_int_eq(live_refresh(&live, err, sizeof(err)), 0);
	inet_pton(AF_INET, "198.18.0.11", ip);
	ck_assert_int_eq(policy_quarantined(live_current(&live), AF_INET, ip), 1);
	inet_pton(AF_INET, "198.18.0.12", ip);
	ck_assert_int_eq(policy_quarantined(live_current(&live), AF_INET, ip), 0);
	/* A later event of the quarantined workload quarantines nothing more. */
	push(EV_VIOLATION, "no rule", "198.18.0.11", "client", "198.18.0.12", "web");
	writer_drain(&w);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM events WHERE type = 'quarantine'"), 1);
	ck_assert_int_eq(quarantined_calls, 1);
}
END_TEST

/* --- nvctl response and quarantine ---------------------------------------------- */

static struct fxcli cli;

static void
cli_setup(void)
{
	db_setup();
	fxcli_init(&cli, db);
	ck_assert_msg(live_init(&cli.d.live, db, MODE_DISCOVER, 0, err, sizeof(err)) == 0, "%s",
	    err);
	cli.d.live_up = 1;
}

static void
cli_teardown(void)
{
	fxcli_free(&cli);
	live_destroy(&cli.d.live);
	db_teardown();
}

static int
run(int json, const char *cmd, ...)
{
	va_list ap;
	int rc;

	va_start(ap, cmd);
	rc = fxcli_run(&cli, json, cmd, ap);
	va_end(ap);
	return rc;
}

#define REPLY(want) ck_assert_str_eq(fxcli_reply(&cli), want)

START_TEST(test_cli_rules)
{
	const char *want;

	ck_assert_int_eq(run(0, "response", "add", "--category", "security-event", "--group",
	    "attackers", "--criteria", "name=no rule,level=warning", "--action",
	    "quarantine,webhook=http://198.18.0.1:8080/hook", NULL), CTL_RESP_OK);
	REPLY("1\n");
	ck_assert_int_eq(run(1, "response", "add", "--category=event", "--criteria",
	    "name=workload *", "--action", "suppress-log", NULL), CTL_RESP_OK);
	want = "{\"id\":2,\"category\":\"event\",\"group\":null,\"criteria\":{\"name\":"
	    "\"workload *\"},\"actions\":[\"suppress-log\"],\"enabled\":true,\"fired\":0,"
	    "\"suppressed\":0,\"last_fired\":null,\"created\":\"";
	ck_assert_int_eq(strncmp(fxcli_reply(&cli), want, strlen(want)), 0);
	ck_assert_int_eq(run(0, "response", "list", NULL), CTL_RESP_OK);
	REPLY("id  category        group      criteria                    actions"
	    "                                         enabled  fired  suppressed\n"
	    "1   security-event  attackers  name=no rule,level=warning  "
	    "quarantine,webhook=http://198.18.0.1:8080/hook  yes      0      0\n"
	    "2   event           -          name=workload *             suppress-log"
	    "                                    yes      0      0\n");
	ck_assert_int_eq(run(0, "response", "disable", "2", NULL), CTL_RESP_OK);
	REPLY("response rule 2 disabled\n");
	ck_assert_int_eq(run(0, "response", "show", "2", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(fxcli_reply(&cli), "enabled     no\n"));
	ck_assert_int_eq(run(1, "response", "delete", "2", NULL), CTL_RESP_OK);
	REPLY("{\"deleted\":2}\n");
	ck_assert_int_eq(run(0, "response", "delete", "2", NULL), CTL_RESP_NOTFOUND);
	REPLY("response rule 2 does not exist");
	/* Refused with what is wrong. */
	ck_assert_int_eq(run(0, "response", "add", "--category", "events", "--action",
	    "suppress-log", NULL), CTL_RESP_ERROR);
	REPLY("unknown category 'events' (expected security-event, event, cve-report, "
	    "compliance or admission)");
	ck_assert_int_eq(run(0, "response", "add", "--category", "event", "--action",
	    "quarantine", NULL), CTL_RESP_ERROR);
	REPLY("action quarantine is for categories security-event, cve-report and compliance "
	    "(category event names no attacker to quarantine)");
	ck_assert_int_eq(run(0, "response", "add", "--category", "security-event", "--criteria",
	    "name=a,name=b", "--action", "suppress-log", NULL), CTL_RESP_ERROR);
	REPLY("duplicate criterion key 'name' (criteria are AND-ed: one glob per key)");
	ck_assert_int_eq(run(0, "response", "add", "--category", "security-event", "--action",
	    "reboot", NULL), CTL_RESP_ERROR);
	REPLY("unknown action 'reboot' (expected quarantine, webhook=URL or suppress-log)");
	ck_assert_int_eq(run(0, "response", "add", "--category", "security-event", NULL),
	    CTL_RESP_USAGE);
	REPLY("usage: nvctl response add --category C [--group G] [--criteria K=GLOB[,K=GLOB]...] "
	    "--action A[,A]");
	ck_assert_int_eq(run(0, "response", "enable", "x1", NULL), CTL_RESP_ERROR);
	REPLY("bad response rule id 'x1' (expected a positive number)");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM response_rules"), 1);
}
END_TEST

START_TEST(test_cli_test)
{
	fxdb_exec(db, "INSERT INTO events (time, type, name, level, action, src_ip, "
	    "src_workload, dst_ip, dst_workload) VALUES ('2026-01-01T00:00:00.000Z', 'violation', "
	    "'no rule', 'warning', 'deny', '198.18.0.11', 'client', '198.18.0.12', 'web')");
	ck_assert_int_eq(run(0, "response", "test", "1", NULL), CTL_RESP_NOMATCH);
	REPLY("event 1: violation 'no rule' (warning, deny) client -> web\n"
	    "no response rule fires\n");
	ck_assert_int_eq(run(0, "response", "add", "--category", "security-event", "--criteria",
	    "name=no*", "--action", "quarantine,webhook=http://h/x,suppress-log", NULL),
	    CTL_RESP_OK);
	ck_assert_int_eq(run(0, "response", "test", "1", NULL), CTL_RESP_OK);
	REPLY("event 1: violation 'no rule' (warning, deny) client -> web\n"
	    "rule 1 fires (security-event, any group, name=no*: "
	    "quarantine,webhook=http://h/x,suppress-log)\n"
	    "quarantine: nothing (the event's source is no workload running now, or not in the "
	    "group of a rule that asks for it)\n"
	    "webhook: POST the event to http://h/x (not sent: suppress-log)\n"
	    "suppress-log: the event would not be written, nor sent\n");
	ck_assert_int_eq(run(1, "response", "test", "1", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(fxcli_reply(&cli), "],\"quarantine\":null,\"webhooks\":"
	    "[\"http://h/x\"],\"suppress\":true}\n"));
	ck_assert_int_eq(run(0, "response", "test", "7", NULL), CTL_RESP_NOTFOUND);
	REPLY("event 7 does not exist");
}
END_TEST

START_TEST(test_cli_quarantine)
{
	ck_assert_int_eq(run(0, "quarantine", "list", NULL), CTL_RESP_OK);
	REPLY("no workload is quarantined\n");
	fxdb_exec(db, "INSERT INTO quarantine (id, name, addresses, rule_id, event_id, reason, "
	    "since) VALUES ('static:client', 'client', '198.18.0.11', 3, 12, 'violation ''no "
	    "rule''', 1767225600)");
	ck_assert_int_eq(run(0, "quarantine", "list", NULL), CTL_RESP_OK);
	REPLY("workload  id             since                 rule  running  reason\n"
	    "client    static:client  2026-01-01T00:00:00Z  3     no       violation 'no rule'\n");
	ck_assert_int_eq(run(1, "quarantine", "list", NULL), CTL_RESP_OK);
	REPLY("[{\"workload\":\"client\",\"id\":\"static:client\",\"image\":null,\"since\":"
	    "\"2026-01-01T00:00:00Z\",\"rule_id\":3,\"event_id\":12,\"running\":false,"
	    "\"addresses\":\"198.18.0.11\",\"reason\":\"violation 'no rule'\"}]\n");
	ck_assert_int_eq(run(0, "quarantine", "release", "web", NULL), CTL_RESP_NOTFOUND);
	REPLY("workload 'web' is not quarantined");
	ck_assert_int_eq(run(0, "quarantine", "release", "client", NULL), CTL_RESP_OK);
	REPLY("workload client (static:client) released\n");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM quarantine"), 0);
}
END_TEST

static Suite *
response_suite(void)
{
	Suite *s = suite_create("response");
	TCase *tc;

	tc = tcase_create("words");
	tcase_add_test(tc, test_criteria);
	tcase_add_test(tc, test_criteria_errors);
	tcase_add_test(tc, test_actions);
	tcase_add_test(tc, test_actions_errors);
	tcase_add_test(tc, test_rule_check);
	tcase_add_test(tc, test_categories);
	suite_add_tcase(s, tc);
	tc = tcase_create("match");
	tcase_add_test(tc, test_match_globs_and);
	tcase_add_test(tc, test_match_dedup);
	tcase_add_test(tc, test_match_in_force);
	tcase_add_test(tc, test_match_groups_victim);
	tcase_add_test(tc, test_policy_quarantine);
	tcase_add_test(tc, test_policy_quarantine_addrs);
	suite_add_tcase(s, tc);
	tc = tcase_create("packet");
	tcase_add_checked_fixture(tc, pkt_setup, pkt_teardown);
	tcase_add_test(tc, test_worker_drops_quarantined);
	tcase_add_test(tc, test_worker_unknown_while_quarantined);
	suite_add_tcase(s, tc);
	tc = tcase_create("store");
	tcase_add_checked_fixture(tc, db_setup, db_teardown);
	tcase_add_test(tc, test_store_rules);
	tcase_add_test(tc, test_store_rules_bound);
	tcase_add_test(tc, test_store_quarantine);
	suite_add_tcase(s, tc);
	tc = tcase_create("writer");
	tcase_add_checked_fixture(tc, writer_setup, writer_teardown);
	tcase_add_test(tc, test_writer_suppress_counts);
	tcase_add_test(tc, test_writer_quarantine);
	suite_add_tcase(s, tc);
	tc = tcase_create("cli");
	tcase_add_checked_fixture(tc, cli_setup, cli_teardown);
	tcase_add_test(tc, test_cli_rules);
	tcase_add_test(tc, test_cli_test);
	tcase_add_test(tc, test_cli_quarantine);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return fxdb_main("check_response", response_suite());
}
