/*
 * check_dash.c: what nvctl shows of the host and its traffic, through
 * control_dispatch() on a database the test fills: workload list with
 * the assets Docker gave (and --all with the stopped ones), host, the
 * dashboard's every section with its counts, and the conversation graph
 * (DOT and JSON; by group and by workload; --group, --since, edges cut to
 * --max-edges with the count of what was left out; names escaped).
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "base/control_proto.h"
#include "base/json.h"
#include "daemon/daemon.h"
#include "fixture_cli.h"
#include "fixture_db.h"
#include "runtime/live.h"
#include "store/store.h"

static char err[512];
static sqlite3 *db;
static struct fxcli cli;

/* A container as the Docker thread gives it. */
static void
container(const char *name, const char *ip, int privileged, const char *user, const char *ports)
{
	struct policy_workload w;

	memset(&w, 0, sizeof(w));
	snprintf(w.id, sizeof(w.id), "%064d", (int)strlen(name) * 1000 + name[0]);
	snprintf(w.name, sizeof(w.name), "%s", name);
	strcpy(w.image, "nvdbox");
	ck_assert_int_eq(store_addrs_parse(ip, w.addrs, POLICY_MAX_ADDRS, err, sizeof(err)), 1);
	w.naddrs = 1;
	strcpy(w.asset.state, "running");
	w.asset.privileged = privileged;
	snprintf(w.asset.user, sizeof(w.asset.user), "%s", user);
	w.asset.root = user[0] == '\0';
	snprintf(w.asset.ports, sizeof(w.asset.ports), "%s", ports);
	strcpy(w.asset.networks, "bridge");
	ck_assert_int_eq(live_workload_set(&cli.d.live, &w), 0);
}

/* The world: web-1 (published, privileged, root) and db-1 (user 999) in
 * their learned groups, web's in protect; a static workload; traffic in,
 * between them and out; events in the last day and one older. */
static void
setup(void)
{
	struct policy_workload s;
	struct policy_rule r;
	int64_t id;

	fxdb_setup();
	db = fxdb_open();
	fxcli_init_live(&cli, db);
	container("web-1", "198.19.0.2", 1, "", "0.0.0.0:8080->80/tcp,[::]:8080->80/tcp");
	container("db-1", "198.19.0.3", 0, "999", "");
	memset(&s, 0, sizeof(s));
	strcpy(s.name, "cache");
	s.naddrs = store_addrs_parse("198.18.0.9", s.addrs, POLICY_MAX_ADDRS, err, sizeof(err));
	ck_assert_int_eq(store_workload_add(db, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(live_workload_set(&cli.d.live, &s), 0);
	ck_assert_msg(live_rebuild(&cli.d.live, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(store_group_mode(db, "nv.web", MODE_PROTECT, err, sizeof(err)), 0);
	memset(&r, 0, sizeof(r));
	strcpy(r.from, "nv.web");
	strcpy(r.to, "nv.db");
	strcpy(r.apps, "postgresql");
	r.nports = ports_parse("tcp/5432", r.ports, POLICY_MAX_PORTS, err, sizeof(err));
	ck_assert_int_eq(store_rule_add(db, &r, 0, &id, err, sizeof(err)), 0);
	ck_assert_msg(live_rebuild(&cli.d.live, err, sizeof(err)) == 0, "%s", err);
	fxdb_exec(db, "INSERT INTO conversations VALUES "
	    "('external', 'nv.web', '', 'HTTP', 'tcp', 80, 'allow', 10, 1000, 1, strftime('%s')),"
	    "('external', 'nv.web', '', 'SSH', 'tcp', 22, 'deny', 4, 400, 1, strftime('%s')),"
	    "('nv.web', 'nv.db', '', 'PostgreSQL', 'tcp', 5432, 'allow', 5, 500, 1, strftime('%s')),"
	    "('nv.web', 'external', 'example.com', 'TLS', 'tcp', 443, 'allow', 3, 300, 1, 100),"
	    "('nv.db', 'external', '', 'unknown', 'tcp', 25, 'deny', 2, 200, 1, strftime('%s'))");
	fxdb_exec(db, "INSERT INTO workload_conversations VALUES "
	    "('', 'web-1', 'external', 'nv.web', '', 'HTTP', 'tcp', 80, 'allow', 10, 1000, 1, "
	    "strftime('%s')),"
	    "('web-1', 'db-1', 'nv.web', 'nv.db', '', 'PostgreSQL', 'tcp', 5432, 'allow', 5, 500, 1, "
	    "strftime('%s')),"
	    "('web-1', '', 'nv.web', 'external', 'example.com', 'TLS', 'tcp', 443, 'allow', 3, 300, 1, "
	    "100)");
	fxdb_exec(db, "INSERT INTO events (time, type, name, level, action, proto, src_ip, "
	    "src_group, dst_ip, dst_workload, dst_group, count) VALUES "
	    "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour'), 'violation', 'no rule', 'warning', "
	    "'deny', 'tcp', '203.0.113.9', 'external', '198.19.0.2', 'web-1', 'nv.web', 3),"
	    "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-2 days'), 'violation', 'no rule', 'warning', "
	    "'deny', 'tcp', '203.0.113.7', 'external', '198.19.0.2', 'web-1', 'nv.web', 50)");
	fxdb_exec(db, "INSERT INTO events (time, type, name, level, action, src_workload, "
	    "src_group, dst_workload, dst_group) VALUES "
	    "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-10 minutes'), 'threat', 'sql.injection', "
	    "'critical', 'deny', 'web-1', 'nv.web', 'db-1', 'nv.db'),"
	    "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-5 minutes'), 'incident', 'workload.start', "
	    "'info', 'allow', NULL, NULL, NULL, NULL)");
	/* A container that ran once and stopped. */
	fxdb_exec(db, "INSERT INTO workloads (id, name, image, addresses, learned_group, static, "
	    "running, first_seen, last_seen, state, root, ports, networks) VALUES ('old1', 'old-1', "
	    "'nvdbox', '198.19.0.9', 'nv.old', 0, 0, 1, 2, 'exited', 1, '', 'bridge')");
}

static void
teardown(void)
{
	fxcli_free_live(&cli);
	fxdb_teardown(&db);
}

#define run(json, ...) fxcli_cmd(&cli, json, __VA_ARGS__)

static const char *
reply(void)
{
	return fxcli_reply(&cli);
}

/* The reply as JSON; valid until the next call. */
static const struct json *
reply_json(void)
{
	static struct json_doc *doc;
	struct json_error je;

	json_free(doc);
	doc = json_parse(cli.out.data, cli.out.len, NULL, &je);
	ck_assert_msg(doc != NULL, "%s in %s", je.msg, reply());
	return json_root(doc);
}

static int64_t
num(const struct json *n)
{
	int64_t v = -1;

	ck_assert_msg(json_int64(n, &v) == 0, "not a number");
	return v;
}

/* --- workloads and host -------------------------------------------------------- */

START_TEST(test_workload_assets)
{
	const struct json *j, *w;

	ck_assert_int_eq(run(0, "workload", "list", NULL), CTL_RESP_OK);
	ck_assert_str_eq(reply(),
	    "id            name   image   state    root  privileged  ports                       "
	    "            networks  addresses   groups               mode\n"
	    "static:cache  cache  -       static   -     -           -                           "
	    "            -         198.18.0.9  nv.cache,containers  discover\n"
	    "000000000000  db-1   nvdbox  running  no    no          -                           "
	    "            bridge    198.19.0.3  nv.db,containers     discover\n"
	    "000000000000  web-1  nvdbox  running  yes   yes         0.0.0.0:8080->80/tcp,[::]:80"
	    "80->80/tcp  bridge    198.19.0.2  nv.web,containers    protect\n");
	ck_assert_int_eq(run(1, "workload", "list", NULL), CTL_RESP_OK);
	j = reply_json();
	ck_assert_int_eq(json_len(j), 3);
	w = json_index(j, 2);
	ck_assert_str_eq(json_str(json_get(w, "name")), "web-1");
	ck_assert_str_eq(json_str(json_get(w, "state")), "running");
	ck_assert_int_eq(json_bool(json_get(w, "privileged")), 1);
	ck_assert_int_eq(json_bool(json_get(w, "root")), 1);
	ck_assert_str_eq(json_str(json_get(w, "user")), "");
	ck_assert_int_eq(json_len(json_get(w, "ports")), 2);
	ck_assert_str_eq(json_str(json_index(json_get(w, "ports"), 1)), "[::]:8080->80/tcp");
	ck_assert_str_eq(json_str(json_index(json_get(w, "networks"), 0)), "bridge");
	w = json_index(j, 1);
	ck_assert_str_eq(json_str(json_get(w, "user")), "999");
	ck_assert_int_eq(json_bool(json_get(w, "root")), 0);
	w = json_index(j, 0);
	ck_assert_str_eq(json_str(json_get(w, "state")), "static");
	ck_assert_int_eq(json_type(json_get(w, "privileged")), JSON_NULL);
	/* The stored ones too: the one that stopped. */
	ck_assert_int_eq(run(1, "workload", "list", "--all", NULL), CTL_RESP_OK);
	j = reply_json();
	ck_assert_int_eq(json_len(j), 4);
	w = json_index(j, 3);
	ck_assert_str_eq(json_str(json_get(w, "name")), "old-1");
	ck_assert_str_eq(json_str(json_get(w, "state")), "exited");
	ck_assert_str_eq(json_str(json_index(json_get(w, "groups"), 0)), "nv.old");
	ck_assert_int_eq(json_type(json_get(w, "mode")), JSON_NULL);
	ck_assert_int_eq(run(0, "workload", "list", "--all", "x", NULL), CTL_RESP_USAGE);
	ck_assert_str_eq(reply(), "usage: nvctl workload list [--all]");
	/* What the database keeps of them. */
	ck_assert_str_eq(fxdb_text(db, "SELECT state || ' ' || privileged || root || ' ' || ports "
	    "|| ' ' || networks FROM workloads WHERE name = 'web-1'"),
	    "running 11 0.0.0.0:8080->80/tcp,[::]:8080->80/tcp bridge");
	ck_assert_str_eq(fxdb_text(db, "SELECT run_as || ' ' || root FROM workloads "
	    "WHERE name = 'db-1'"), "999 0");
}
END_TEST

START_TEST(test_host)
{
	const struct json *j;
	struct utsname u;

	ck_assert_int_eq(uname(&u), 0);
	ck_assert_int_eq(run(1, "host", NULL), CTL_RESP_OK);
	j = reply_json();
	ck_assert_str_eq(json_str(json_path(j, "kernel", "release")), u.release);
	ck_assert_str_eq(json_str(json_path(j, "kernel", "machine")), u.machine);
	ck_assert_int_eq(json_type(json_get(j, "docker")), JSON_NULL);
	ck_assert_str_eq(json_str(json_path(j, "nvd", "hook")), "none");
	ck_assert_str_eq(json_str(json_path(j, "nvd", "version")), PACKAGE_VERSION);
	ck_assert_int_eq(run(0, "host", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "\ndocker   discovery off (docker_socket is empty)\n"));
	ck_assert_int_eq(run(0, "host", "x", NULL), CTL_RESP_USAGE);
}
END_TEST

/* --- dashboard ----------------------------------------------------------------- */

/* The member named key whose field is value, of the array a; NULL if none. */
static const struct json *
find(const struct json *a, const char *key, const char *value)
{
	for (size_t i = 0; i < json_len(a); i++)
		if (json_str(json_get(json_index(a, i), key)) &&
		    !strcmp(json_str(json_get(json_index(a, i), key)), value))
			return json_index(a, i);
	return NULL;
}

START_TEST(test_dashboard_json)
{
	const struct json *j, *e, *x;

	ck_assert_int_eq(run(1, "dashboard", NULL), CTL_RESP_OK);
	j = reply_json();
	ck_assert_int_eq(num(json_path(j, "counts", "workloads", "running")), 2);
	ck_assert_int_eq(num(json_path(j, "counts", "workloads", "static")), 1);
	ck_assert_int_eq(num(json_path(j, "counts", "workloads", "stopped")), 1);
	ck_assert_int_eq(num(json_path(j, "counts", "groups", "builtin")), 3);
	ck_assert_int_eq(num(json_path(j, "counts", "groups", "learned")), 3);
	ck_assert_int_eq(num(json_path(j, "counts", "rules", "user")), 1);
	ck_assert_int_eq(num(json_path(j, "modes", "groups", "protect")), 1);
	ck_assert_int_eq(num(json_path(j, "modes", "workloads", "protect")), 1);
	ck_assert_int_eq(num(json_path(j, "modes", "workloads", "discover")), 2);
	/* The last day's events, aggregated ones by their count. */
	e = json_path(j, "events", "types");
	ck_assert_int_eq(json_len(e), 3);
	ck_assert_int_eq(num(json_get(find(e, "type", "violation"), "warning")), 3);
	ck_assert_int_eq(num(json_get(find(e, "type", "violation"), "rows")), 1);
	ck_assert_int_eq(num(json_get(find(e, "type", "threat"), "critical")), 1);
	ck_assert_int_eq(num(json_get(find(e, "type", "incident"), "info")), 1);
	ck_assert_int_eq(num(json_path(j, "events", "total")), 5);
	/* --since: the older violation is in, the events of the last 10
	 * minutes' out. */
	ck_assert_int_eq(run(1, "dashboard", "--since", "3d", NULL), CTL_RESP_OK);
	ck_assert_int_eq(num(json_path(reply_json(), "events", "total")), 55);
	ck_assert_int_eq(run(1, "dashboard", "--since", "7m", NULL), CTL_RESP_OK);
	ck_assert_int_eq(num(json_path(reply_json(), "events", "total")), 1);
	ck_assert_int_eq(run(0, "dashboard", "--since", "soon", NULL), CTL_RESP_USAGE);
	ck_assert_int_eq(run(0, "dashboard", "x", NULL), CTL_RESP_USAGE);
	ck_assert_str_eq(reply(), "usage: nvctl dashboard [--since TIME]");
	ck_assert_int_eq(run(1, "dashboard", NULL), CTL_RESP_OK);
	j = reply_json();
	/* Reached from outside: web (HTTP passed; SSH denied reached nothing). */
	x = json_path(j, "exposure", "ingress");
	ck_assert_int_eq(json_len(x), 1);
	x = json_index(x, 0);
	ck_assert_str_eq(json_str(json_get(x, "group")), "nv.web");
	ck_assert_str_eq(json_str(json_index(json_get(x, "workloads"), 0)), "web-1");
	ck_assert_str_eq(json_str(json_get(x, "mode")), "protect");
	ck_assert_int_eq(json_len(json_get(x, "ports")), 1);
	ck_assert_str_eq(json_str(json_index(json_get(x, "ports"), 0)), "tcp/80");
	ck_assert_str_eq(json_str(json_index(json_get(x, "applications"), 0)), "HTTP");
	ck_assert_int_eq(num(json_get(x, "sessions")), 10);
	ck_assert_str_eq(json_str(json_path(x, "worst_event", "level")), "critical");
	ck_assert_str_eq(json_str(json_path(x, "worst_event", "type")), "threat");
	/* Reaching outside: web to example.com; db's was denied. */
	x = json_path(j, "exposure", "egress");
	ck_assert_int_eq(json_len(x), 1);
	x = json_index(x, 0);
	ck_assert_str_eq(json_str(json_get(x, "group")), "nv.web");
	ck_assert_str_eq(json_str(json_index(json_get(x, "destinations"), 0)), "example.com");
	ck_assert_str_eq(json_str(json_index(json_get(x, "ports"), 0)), "tcp/443");
	/* Top sources and destinations of the last day's security events. */
	x = json_get(j, "top_sources");
	ck_assert_int_eq(json_len(x), 2);
	ck_assert_str_eq(json_str(json_get(json_index(x, 0), "name")), "203.0.113.9");
	ck_assert_int_eq(num(json_get(json_index(x, 0), "events")), 3);
	ck_assert_str_eq(json_str(json_get(json_index(x, 1), "name")), "web-1");
	ck_assert_str_eq(json_str(json_get(json_index(x, 1), "worst_level")), "critical");
	x = json_get(j, "top_destinations");
	ck_assert_str_eq(json_str(json_get(json_index(x, 0), "name")), "web-1");
	ck_assert_str_eq(json_str(json_get(json_index(x, 0), "group")), "nv.web");
	/* Applications: PostgreSQL is protected by rule 1 (an end in protect). */
	x = json_get(j, "applications");
	ck_assert_int_eq(json_len(x), 5);
	ck_assert_str_eq(json_str(json_get(json_index(x, 0), "application")), "HTTP");
	ck_assert_int_eq(json_bool(json_get(find(x, "application", "PostgreSQL"), "protected")), 1);
	ck_assert_int_eq(num(json_get(find(x, "application", "PostgreSQL"), "rules")), 1);
	ck_assert_int_eq(json_bool(json_get(find(x, "application", "HTTP"), "protected")), 0);
}
END_TEST

/* Text for people: every section, no line past 100 columns. */
START_TEST(test_dashboard_text)
{
	const char *t, *p;

	ck_assert_int_eq(run(0, "dashboard", NULL), CTL_RESP_OK);
	t = reply();
	for (p = t; *p; p += strcspn(p, "\n") + 1)
		ck_assert_msg(strcspn(p, "\n") <= 100, "too wide: %.*s", (int)strcspn(p, "\n"), p);
	ck_assert_ptr_nonnull(strstr(t, "\nworkloads   2 running, 0 paused, 1 static, 1 stopped; "
	    "2 discover, 0 monitor, 1 protect\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nrules       1: 1 user, 0 learned\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nviolation  0     3        0         3\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nexposure, ingress: reached from outside\n"
	    "group   workloads  mode     sources   ports   apps  sessions  worst event\n"
	    "nv.web  web-1      protect  external  tcp/80  HTTP  10        crit #3\n"));
	ck_assert_ptr_nonnull(strstr(t, "\ntop sources of security events\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nPostgreSQL   5         500    1      yes\n"));
}
END_TEST

/* --- graph ------------------------------------------------------------------- */

START_TEST(test_graph_groups)
{
	const struct json *j, *e;
	const char *t;

	ck_assert_int_eq(run(1, "graph", NULL), CTL_RESP_OK);
	j = reply_json();
	ck_assert_str_eq(json_str(json_get(j, "nodes_are")), "groups");
	/* nv.web, nv.db, nv.cache, external, example.com */
	ck_assert_int_eq(json_len(json_get(j, "nodes")), 5);
	ck_assert_int_eq(json_len(json_get(j, "edges")), 4);
	/* The edge with the critical threat first. */
	e = json_index(json_get(j, "edges"), 0);
	ck_assert_str_eq(json_str(json_get(e, "from")), "g:nv.web");
	ck_assert_str_eq(json_str(json_get(e, "to")), "g:nv.db");
	ck_assert_str_eq(json_str(json_get(e, "level")), "critical");
	ck_assert_int_eq(num(json_get(e, "sessions")), 5);
	e = find(json_get(j, "edges"), "to", "d:example.com");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_str(json_get(json_index(json_get(e, "conversations"), 0),
	    "application")), "TLS");
	/* external to nv.web: HTTP and the denied SSH, warning events. */
	e = find(json_get(j, "edges"), "from", "g:external");
	ck_assert_int_eq(json_len(json_get(e, "conversations")), 2);
	ck_assert_str_eq(json_str(json_get(e, "verdict")), "deny");
	ck_assert_int_eq(num(json_get(e, "events")), 3);

	ck_assert_int_eq(run(0, "graph", "--format", "dot", NULL), CTL_RESP_OK);
	t = reply();
	ck_assert_int_eq(strncmp(t, "digraph nvd {\n", 14), 0);
	ck_assert_ptr_nonnull(strstr(t, "label=\"nvd conversations: 5 nodes, 4 edges\\nedges:"));
	ck_assert_ptr_nonnull(strstr(t, "[label=\"nv.web\", fillcolor=\"#c6dbef\", "
	    "color=\"#d62728\", penwidth=2];"));
	ck_assert_ptr_nonnull(strstr(t, "  subgraph cluster_0 {\n  label=\"external\"; "
	    "style=\"rounded\"; color=\"gray60\";\n  n3 [label=\"example.com\", shape=ellipse, "
	    "fillcolor=\"#eeeeee\"];\n  n4 [label=\"external\", shape=ellipse"));
	ck_assert_ptr_nonnull(strstr(t, "[label=\"example.com\", shape=ellipse"));
	ck_assert_ptr_nonnull(strstr(t, "[label=\"PostgreSQL tcp/5432: 5, 500 B\\n1 critical event\", "
	    "color=\"#d62728\", penwidth=1];"));
	ck_assert_int_eq(t[strlen(t) - 2], '}');

	/* Cut to one edge: the rest counted. */
	ck_assert_int_eq(run(1, "graph", "--max-edges", "1", NULL), CTL_RESP_OK);
	j = reply_json();
	ck_assert_int_eq(json_len(json_get(j, "edges")), 1);
	ck_assert_int_eq(num(json_get(j, "edges_left_out")), 3);
	ck_assert_int_eq(run(0, "graph", "--max-edges", "1", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "1 edges (3 more left out, fewest sessions)"));
	/* Since an hour ago: the TLS conversation (last seen in 1970) goes. */
	ck_assert_int_eq(run(1, "graph", "--since", "1h", NULL), CTL_RESP_OK);
	ck_assert_ptr_null(find(json_get(reply_json(), "edges"), "to", "d:example.com"));
	/* Around nv.db only. */
	ck_assert_int_eq(run(1, "graph", "--group", "nv.db", NULL), CTL_RESP_OK);
	j = reply_json();
	ck_assert_int_eq(json_len(json_get(j, "edges")), 2);
	ck_assert_int_eq(run(0, "graph", "--group", "nope", NULL), CTL_RESP_NOTFOUND);
	ck_assert_str_eq(reply(), "group 'nope' does not exist");
	ck_assert_int_eq(run(0, "graph", "--format", "png", NULL), CTL_RESP_USAGE);
	ck_assert_str_eq(reply(), "bad --format 'png' (expected dot, svg or json)");
	ck_assert_int_eq(run(0, "graph", "--since", "yesterday", NULL), CTL_RESP_USAGE);
}
END_TEST

START_TEST(test_graph_workloads)
{
	const struct json *j, *n;
	const char *t;

	ck_assert_int_eq(run(1, "graph", "--workloads", NULL), CTL_RESP_OK);
	j = reply_json();
	ck_assert_str_eq(json_str(json_get(j, "nodes_are")), "workloads");
	n = find(json_get(j, "nodes"), "id", "w:web-1");
	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(json_str(json_get(n, "cluster")), "nv.web");
	ck_assert_str_eq(json_str(json_get(n, "mode")), "protect");
	ck_assert_str_eq(json_str(json_get(n, "level")), "critical");
	/* The static workload has no conversation but is there. */
	ck_assert_ptr_nonnull(find(json_get(j, "nodes"), "id", "w:cache"));
	ck_assert_ptr_nonnull(find(json_get(j, "edges"), "to", "w:db-1"));
	ck_assert_int_eq(run(0, "graph", "--workloads", NULL), CTL_RESP_OK);
	t = reply();
	ck_assert_ptr_nonnull(strstr(t, "  subgraph cluster_"));
	ck_assert_ptr_nonnull(strstr(t, "  label=\"nv.web\"; style=\"rounded\"; color=\"gray60\";\n"));
}
END_TEST

/* Whatever the database holds, the DOT text stays one quoted string. */
START_TEST(test_graph_escapes)
{
	fxdb_exec(db, "INSERT INTO conversations VALUES ('nv.web', 'nv.db', '', "
	    "'a\"b\\c' || char(10) || 'd', 'tcp', 1, 'allow', 1, 1, 1, 1)");
	ck_assert_int_eq(run(0, "graph", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "a\\\"b\\\\c\\nd tcp/1: 1, 1 B"));
}
END_TEST

static Suite *
dash_suite(void)
{
	Suite *s = suite_create("dash");
	TCase *tc = tcase_create("dash");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_workload_assets);
	tcase_add_test(tc, test_host);
	tcase_add_test(tc, test_dashboard_json);
	tcase_add_test(tc, test_dashboard_text);
	tcase_add_test(tc, test_graph_groups);
	tcase_add_test(tc, test_graph_workloads);
	tcase_add_test(tc, test_graph_escapes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return fxdb_main("check_dash", dash_suite());
}
