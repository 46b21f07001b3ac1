/*
 * check_store.c: groups, rules and workloads in the database (store.c):
 * every function, its exact errors, rule order with --before and
 * renumbering, promotion, and that a failed call leaves nothing behind.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "store/db.h"
#include "fixture_db.h"
#include "store/store.h"

static char err[512];
static sqlite3 *db;

static void
setup(void)
{
	fxdb_setup();
	err[0] = '\0';
	db = fxdb_open();
}

static void
teardown(void)
{
	fxdb_teardown(&db);
}

static void
group_add(const char *name, const char *crit)
{
	ck_assert_msg(store_group_add(db, name, crit, MODE_DISCOVER, err, sizeof(err)) == 0,
	    "group add %s: %s", name, err);
}

/* A learned rule as the writer thread stores one; returns its id. */
static int64_t
learned(const char *from, const char *to, const char *ports)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "INSERT INTO rules (from_group, to_group, ports, action, type, "
	    "hits, created, updated) VALUES ('%s', '%s', '%s', 'allow', 'learned', 3, 1, 1)",
	    from, to, ports);
	fxdb_exec(db, sql);
	return sqlite3_last_insert_rowid(db);
}

/* Adds a user rule from -> to tcp/port, before rule before (0: at the end). */
static int64_t
rule_add(const char *from, const char *to, int port, int64_t before)
{
	struct policy_rule r;
	int64_t id = -1;
	char ports[32];

	memset(&r, 0, sizeof(r));
	snprintf(r.from, sizeof(r.from), "%s", from);
	snprintf(r.to, sizeof(r.to), "%s", to);
	snprintf(ports, sizeof(ports), "tcp/%d", port);
	ck_assert_int_eq(ports_parse(ports, r.ports, POLICY_MAX_PORTS, err, sizeof(err)), 1);
	r.nports = 1;
	r.action = RULE_ALLOW;
	ck_assert_msg(store_rule_add(db, &r, before, &id, err, sizeof(err)) == 0, "rule add: %s", err);
	return id;
}

/* The ids of store_rule_list(group) joined by spaces. */
static const char *
rule_ids(const char *group)
{
	static char out[1024];
	struct policy_rule *r;
	size_t off = 0;
	int n;

	ck_assert_int_eq(store_rule_list(db, group, &r, &n, err, sizeof(err)), 0);
	out[0] = '\0';
	for (int i = 0; i < n && off < sizeof(out); i++)
		off += (size_t)snprintf(out + off, sizeof(out) - off, "%s%lld", i ? " " : "",
		    (long long)r[i].id);
	free(r);
	return out;
}

/* --- groups ---------------------------------------------------------- */

START_TEST(test_group_add)
{
	struct store_group g;
	struct buf b;

	ck_assert_int_eq(store_group_add(db, "web", "name=web*,address=10.1.2.3/8,"
	    "address=WWW.Example.COM", MODE_MONITOR, err, sizeof(err)), 0);
	ck_assert_str_eq(fxdb_text(db, "SELECT criteria FROM groups WHERE name = 'web'"),
	    "name=web*,address=10.0.0.0/8,address=www.example.com");
	ck_assert_str_eq(fxdb_text(db, "SELECT kind || ' ' || mode FROM groups WHERE name = 'web'"),
	    "user monitor");
	ck_assert_int_eq(store_group_get(db, "web", &g, err, sizeof(err)), 0);
	ck_assert_str_eq(g.g.name, "web");
	ck_assert_int_eq(g.g.kind, GROUP_USER);
	ck_assert_int_eq(g.g.mode, MODE_MONITOR);
	ck_assert_int_eq(g.g.ncrit, 3);
	ck_assert_int_eq(g.nrules, 0);
	ck_assert_int_gt(g.created, 0);
	buf_init(&b);
	criteria_format(g.g.crit, g.g.ncrit, &b);
	ck_assert_str_eq(b.data, "name=web*,address=10.0.0.0/8,address=www.example.com");
	buf_free(&b);
}
END_TEST

START_TEST(test_group_add_errors)
{
	static const struct {
		const char *name, *crit, *err;
	} bad[] = {
		{ "containers", "name=x", "group 'containers' is built in" },
		{ "nv.web", "name=x", "group name 'nv.web': names starting with 'nv.' are for learned groups" },
		{ "a b", "name=x", "group name 'a b': only letters, digits, '_', '.' and '-'" },
		{ "web", "color=red", "criterion 'color=red': unknown key 'color' (expected name=, "
		    "image=, label:KEY= or address=)" },
		{ "web", "", "no criteria" },
		{ "db", "name=x", "group 'db' already exists" },
	};

	group_add("db", "image=postgres*");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_int_eq(store_group_add(db, bad[i].name, bad[i].crit, MODE_DISCOVER, err,
		    sizeof(err)), -1);
		ck_assert_str_eq(err, bad[i].err);
	}
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM groups"), 4);
	ck_assert_str_eq(fxdb_text(db, "SELECT criteria FROM groups WHERE name = 'db'"),
	    "image=postgres*");
}
END_TEST

START_TEST(test_group_list)
{
	struct store_group *g, one;
	int n;

	group_add("web", "name=web*");
	group_add("db", "name=db*");
	rule_add("web", "db", 5432, 0);
	learned("web", "external", "tcp/443");
	ck_assert_int_eq(store_group_list(db, &g, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(g[0].g.name, "containers");
	ck_assert_int_eq(g[0].g.kind, GROUP_BUILTIN);
	ck_assert_str_eq(g[1].g.name, "db");
	ck_assert_int_eq(g[1].nrules, 1);
	ck_assert_str_eq(g[2].g.name, "external");
	ck_assert_int_eq(g[2].nrules, 1);
	ck_assert_str_eq(g[3].g.name, "host");
	ck_assert_str_eq(g[4].g.name, "web");
	ck_assert_int_eq(g[4].nrules, 2);
	free(g);
	ck_assert_int_eq(store_group_get(db, "nope", &one, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "group 'nope' does not exist");
}
END_TEST

START_TEST(test_group_delete)
{
	int64_t r1, r2;

	group_add("web", "name=web*");
	group_add("db", "name=db*");
	learned("web", "db", "tcp/5432");
	learned("db", "external", "tcp/443");
	learned("web", "external", "tcp/80");
	r2 = rule_add("db", "host", 22, 0);
	r1 = rule_add("host", "db", 22, r2);
	ck_assert_int_gt(r1, r2);

	/* Refused: the user rules naming it, lowest id first; nothing changes. */
	ck_assert_int_eq(store_group_delete(db, "db", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "group 'db' is used by rule 4");
	ck_assert_int_eq(store_rule_delete(db, r2, err, sizeof(err)), 0);
	ck_assert_int_eq(store_group_delete(db, "db", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "group 'db' is used by rule 5");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM rules"), 4);
	ck_assert_int_eq(store_rule_delete(db, r1, err, sizeof(err)), 0);

	/* Its learned rules go with it, others stay. */
	ck_assert_int_eq(store_group_delete(db, "db", err, sizeof(err)), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM groups WHERE name = 'db'"), 0);
	ck_assert_str_eq(rule_ids(NULL), "3");

	ck_assert_int_eq(store_group_delete(db, "db", err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "group 'db' does not exist");
	ck_assert_int_eq(store_group_delete(db, "containers", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "group 'containers' is built in");
	ck_assert_int_eq(store_group_delete(db, "external", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "group 'external' is built in");

	/* A learned group can be deleted too. */
	ck_assert_int_eq(store_group_ensure_learned(db, "nv.api", MODE_DISCOVER, err, sizeof(err)), 0);
	learned("nv.api", "web", "tcp/80");
	ck_assert_int_eq(store_group_delete(db, "nv.api", err, sizeof(err)), 0);
	ck_assert_str_eq(rule_ids(NULL), "3");
}
END_TEST

START_TEST(test_group_mode)
{
	group_add("web", "name=web*");
	ck_assert_int_eq(store_group_mode(db, "web", MODE_PROTECT, err, sizeof(err)), 0);
	ck_assert_str_eq(fxdb_text(db, "SELECT mode FROM groups WHERE name = 'web'"), "protect");
	ck_assert_int_eq(store_group_mode(db, "external", MODE_MONITOR, err, sizeof(err)), 0);
	ck_assert_str_eq(fxdb_text(db, "SELECT mode FROM groups WHERE name = 'external'"),
	    "monitor");
	ck_assert_int_eq(store_group_mode(db, "nope", MODE_PROTECT, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "group 'nope' does not exist");
}
END_TEST

START_TEST(test_group_ensure_learned)
{
	ck_assert_int_eq(store_group_ensure_learned(db, "nv.web", MODE_MONITOR, err, sizeof(err)), 0);
	ck_assert_str_eq(fxdb_text(db,
	    "SELECT kind || ' ' || mode FROM groups WHERE name = 'nv.web'"), "learned monitor");
	ck_assert_int_eq(store_group_mode(db, "nv.web", MODE_PROTECT, err, sizeof(err)), 0);
	/* Kept as is. */
	ck_assert_int_eq(store_group_ensure_learned(db, "nv.web", MODE_DISCOVER, err, sizeof(err)), 0);
	ck_assert_str_eq(fxdb_text(db, "SELECT mode FROM groups WHERE name = 'nv.web'"),
	    "protect");
}
END_TEST

/* --- rules ----------------------------------------------------------- */

START_TEST(test_rule_add)
{
	struct policy_rule r, got;
	int64_t id;

	group_add("web", "name=web*");
	memset(&r, 0, sizeof(r));
	strcpy(r.from, "web");
	strcpy(r.to, "external");
	strcpy(r.apps, "HTTP,TLS");
	r.nports = ports_parse("tcp/443,udp/53,tcp/8000-8100", r.ports, POLICY_MAX_PORTS, err,
	    sizeof(err));
	r.action = RULE_DENY;
	ck_assert_int_eq(store_rule_add(db, &r, 0, &id, err, sizeof(err)), 0);
	ck_assert_int_eq(id, 1);
	ck_assert_str_eq(fxdb_text(db, "SELECT apps || ' ' || ports || ' ' || action || ' ' || "
	    "type || ' ' || ord FROM rules"),
	    "http,tls tcp/443,udp/53,tcp/8000-8100 deny user 1.0");
	ck_assert_int_eq(store_rule_get(db, id, &got, err, sizeof(err)), 0);
	ck_assert_int_eq(got.id, 1);
	ck_assert_str_eq(got.from, "web");
	ck_assert_str_eq(got.to, "external");
	ck_assert_str_eq(got.apps, "http,tls");
	ck_assert_int_eq(got.nports, 3);
	ck_assert_int_eq(got.ports[2].lo, 8000);
	ck_assert_int_eq(got.ports[2].hi, 8100);
	ck_assert_int_eq(got.action, RULE_DENY);
	ck_assert_int_eq(got.type, RULE_USER);
	ck_assert_int_eq(got.hits, 0);
	ck_assert_int_eq(got.last_seen, 0);
	ck_assert_int_gt(got.created, 0);

	/* No apps and no ports mean any. */
	memset(&r, 0, sizeof(r));
	strcpy(r.from, "containers");
	strcpy(r.to, "web");
	ck_assert_int_eq(store_rule_add(db, &r, 0, &id, err, sizeof(err)), 0);
	ck_assert_int_eq(id, 2);
	ck_assert_str_eq(fxdb_text(db, "SELECT apps || ' ' || ports || ' ' || action || ' ' || ord "
	    "FROM rules WHERE id = 2"), "any any allow 2.0");
}
END_TEST

START_TEST(test_rule_add_errors)
{
	struct policy_rule r;
	int64_t id = 0;

	group_add("web", "name=web*");
	rule_add("web", "host", 22, 0);
	memset(&r, 0, sizeof(r));
	strcpy(r.from, "nope");
	strcpy(r.to, "web");
	ck_assert_int_eq(store_rule_add(db, &r, 0, &id, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "group 'nope' does not exist");
	strcpy(r.from, "web");
	strcpy(r.to, "gone");
	ck_assert_int_eq(store_rule_add(db, &r, 0, &id, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "group 'gone' does not exist");
	strcpy(r.to, "web");
	ck_assert_int_eq(store_rule_add(db, &r, 7, &id, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "rule 7 does not exist");
	strcpy(r.apps, "http,,tls");
	ck_assert_int_eq(store_rule_add(db, &r, 0, &id, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "application list 'http,,tls': empty application");
	ck_assert_int_eq(id, 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM rules"), 1);
}
END_TEST

START_TEST(test_apps_canon)
{
	static const struct {
		const char *in, *out;
	} good[] = {
		{ "any", "any" }, { "ANY", "any" }, { "HTTP", "http" },
		{ "PostgreSQL,http2,grpc", "postgresql,http2,grpc" },
	};
	static const struct {
		const char *in, *err;
	} bad[] = {
		{ "", "application list '': empty application" },
		{ "http,", "application list 'http,': empty application" },
		{ ",http", "application list ',http': empty application" },
		{ "h t", "application 'h t': only letters, digits, '_', '.', '+' and '-'" },
		{ "http,any", "application 'any' stands alone" },
		{ "any,http", "application 'any' stands alone" },
		{ "http,postgres", "unknown application 'postgres' (known: http, http2, grpc, tls, "
		    "dns, ssh, postgresql, mysql, redis, mongodb, kafka, smtp, ftp, memcached, "
		    "or any)" },
	};
	char out[POLICY_APPS_MAX], big[POLICY_APPS_MAX + 8];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_int_eq(store_apps_canon(good[i].in, out, sizeof(out), err, sizeof(err)), 0);
		ck_assert_str_eq(out, good[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(store_apps_canon(bad[i].in, out, sizeof(out), err, sizeof(err)), -1);
		ck_assert_str_eq(err, bad[i].err);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(store_apps_canon(big, out, sizeof(out), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "application list too long (at most 127 characters)");
}
END_TEST

START_TEST(test_rule_before)
{
	int64_t a, b, c, d, l;

	group_add("web", "name=web*");
	a = rule_add("web", "host", 1, 0);
	b = rule_add("web", "host", 2, 0);
	l = learned("web", "external", "tcp/443");
	c = rule_add("web", "host", 3, b);		/* between a and b */
	ck_assert_str_eq(fxdb_text(db, "SELECT ord FROM rules WHERE id = 4"), "1.5");
	d = rule_add("web", "host", 4, a);		/* first */
	ck_assert_str_eq(fxdb_text(db, "SELECT ord FROM rules WHERE id = 5"), "0.0");
	ck_assert_int_eq(a, 1);
	ck_assert_int_eq(b, 2);
	ck_assert_int_eq(l, 3);
	ck_assert_int_eq(c, 4);
	ck_assert_int_eq(d, 5);
	ck_assert_str_eq(rule_ids(NULL), "5 1 4 2 3");
	/* Before a learned rule: after every user rule. */
	ck_assert_int_eq(rule_add("web", "host", 5, l), 6);
	ck_assert_str_eq(fxdb_text(db, "SELECT ord FROM rules WHERE id = 6"), "3.0");
	ck_assert_str_eq(rule_ids(NULL), "5 1 4 2 6 3");
	/* Appending goes above the largest order. */
	ck_assert_int_eq(rule_add("web", "host", 7, 0), 7);
	ck_assert_str_eq(fxdb_text(db, "SELECT ord FROM rules WHERE id = 7"), "4.0");
}
END_TEST

START_TEST(test_rule_before_renumbers)
{
	char want[512], sql[128];
	int64_t a, b, x[24];
	size_t off;

	group_add("web", "name=web*");
	a = rule_add("web", "host", 1, 0);
	b = rule_add("web", "host", 2, 0);
	/* Each new rule goes right before b: the gap halves each time. */
	for (int i = 0; i < 20; i++)
		x[i] = rule_add("web", "host", 100 + i, b);
	ck_assert_str_eq(fxdb_text(db, "SELECT ord FROM rules WHERE id = 2"), "2.0");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(DISTINCT ord) FROM rules"), 22);
	/* The 21st finds a gap of 2^-20 < 1e-6: renumbered 1..22 first. */
	x[20] = rule_add("web", "host", 120, b);
	ck_assert_str_eq(fxdb_text(db, "SELECT ord FROM rules WHERE id = 2"), "22.0");
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(ord, ' ') FROM (SELECT ord FROM rules "
	    "WHERE id != 23 ORDER BY ord)"),
	    "1.0 2.0 3.0 4.0 5.0 6.0 7.0 8.0 9.0 10.0 11.0 12.0 13.0 14.0 15.0 16.0 17.0 "
	    "18.0 19.0 20.0 21.0 22.0");
	ck_assert_str_eq(fxdb_text(db, "SELECT ord FROM rules WHERE id = 23"), "21.5");
	for (int i = 21; i < 24; i++)
		x[i] = rule_add("web", "host", 100 + i, x[0]);
	off = (size_t)snprintf(want, sizeof(want), "%lld", (long long)a);
	for (int i = 21; i < 24; i++)
		off += (size_t)snprintf(want + off, sizeof(want) - off, " %lld", (long long)x[i]);
	for (int i = 0; i < 21; i++)
		off += (size_t)snprintf(want + off, sizeof(want) - off, " %lld", (long long)x[i]);
	snprintf(want + off, sizeof(want) - off, " %lld", (long long)b);
	ck_assert_str_eq(rule_ids(NULL), want);
	/* Orders stay distinct. */
	snprintf(sql, sizeof(sql), "SELECT count(DISTINCT ord) = count(*) FROM rules");
	ck_assert_int_eq(fxdb_int(db, sql), 1);
}
END_TEST

START_TEST(test_rule_before_tie)
{
	group_add("web", "name=web*");
	rule_add("web", "host", 1, 0);
	rule_add("web", "host", 2, 0);
	rule_add("web", "host", 3, 0);
	/* Hand-edited orders that tie: renumbered by (ord, id), then placed. */
	fxdb_exec(db, "UPDATE rules SET ord = 5 WHERE id IN (2, 3)");
	ck_assert_int_eq(rule_add("web", "host", 4, 3), 4);
	ck_assert_str_eq(rule_ids(NULL), "1 2 4 3");
	ck_assert_str_eq(fxdb_text(db,
	    "SELECT group_concat(ord, ' ') FROM (SELECT ord FROM rules ORDER BY ord)"),
	    "1.0 2.0 2.5 3.0");
}
END_TEST

START_TEST(test_rule_promote)
{
	struct policy_rule r;
	int64_t u, l;

	group_add("web", "name=web*");
	l = learned("web", "external", "tcp/443");
	u = rule_add("web", "host", 22, 0);
	rule_add("web", "host", 23, u);
	ck_assert_str_eq(rule_ids(NULL), "3 2 1");
	fxdb_exec(db, "UPDATE rules SET updated = 1");
	ck_assert_int_eq(store_rule_promote(db, l, err, sizeof(err)), 0);
	ck_assert_str_eq(rule_ids(NULL), "3 2 1");
	ck_assert_int_eq(store_rule_get(db, l, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.type, RULE_USER);
	ck_assert_int_eq(r.hits, 3);
	ck_assert_int_gt(r.updated, 1);
	ck_assert_str_eq(fxdb_text(db, "SELECT ord FROM rules WHERE id = 1"), "2.0");
	ck_assert_int_eq(store_rule_promote(db, l, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "rule 1 is already a user rule");
	ck_assert_int_eq(store_rule_promote(db, 42, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "rule 42 does not exist");
	/* A learned rule added later comes after it. */
	learned("web", "external", "tcp/80");
	ck_assert_str_eq(rule_ids(NULL), "3 2 1 4");
}
END_TEST

START_TEST(test_rule_delete_get_list)
{
	struct policy_rule r;
	int64_t a;

	group_add("web", "name=web*");
	group_add("db", "name=db*");
	learned("web", "db", "tcp/5432");
	a = rule_add("web", "host", 22, 0);
	rule_add("db", "external", 443, 0);
	ck_assert_str_eq(rule_ids(NULL), "2 3 1");
	ck_assert_str_eq(rule_ids("web"), "2 1");
	ck_assert_str_eq(rule_ids("db"), "3 1");
	ck_assert_str_eq(rule_ids("host"), "2");
	ck_assert_str_eq(rule_ids("containers"), "");
	{
		struct policy_rule *list = (void *)1;
		int n = 9;

		ck_assert_int_eq(store_rule_list(db, "nope", &list, &n, err, sizeof(err)),
		    STORE_NOTFOUND);
		ck_assert_str_eq(err, "group 'nope' does not exist");
		ck_assert_ptr_null(list);
		ck_assert_int_eq(n, 0);
	}
	ck_assert_int_eq(store_rule_delete(db, a, err, sizeof(err)), 0);
	ck_assert_int_eq(store_rule_delete(db, a, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "rule 2 does not exist");
	ck_assert_int_eq(store_rule_get(db, a, &r, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "rule 2 does not exist");
	ck_assert_int_eq(store_rule_get(db, 0, &r, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "rule 0 does not exist");
	ck_assert_str_eq(rule_ids(NULL), "3 1");
}
END_TEST

/* --- workloads ------------------------------------------------------- */

static void
wl_init(struct policy_workload *w, const char *name, const char *addrs)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->naddrs = store_addrs_parse(addrs, w->addrs, POLICY_MAX_ADDRS, err, sizeof(err));
	ck_assert_int_gt(w->naddrs, 0);
}

START_TEST(test_addrs)
{
	static const struct {
		const char *in, *err;
	} bad[] = {
		{ "", "empty address in ''" },
		{ "198.19.0.2,", "empty address in '198.19.0.2,'" },
		{ "198.19.0.300", "address '198.19.0.300': not an IPv4 or IPv6 address" },
		{ "198.19.0.0/24", "address '198.19.0.0/24': not an IPv4 or IPv6 address" },
		{ "198.19.0.1,198.19.0.2,198.19.0.3", "more than 2 addresses" },
	};
	struct policy_addr a[2];
	struct buf b;

	ck_assert_int_eq(store_addrs_parse("198.19.0.2,FD00:0::2", a, 2, err, sizeof(err)), 2);
	ck_assert_int_eq(a[0].family, AF_INET);
	ck_assert_int_eq(a[1].family, AF_INET6);
	buf_init(&b);
	store_addrs_format(a, 2, &b);
	ck_assert_str_eq(b.data, "198.19.0.2,fd00::2");
	buf_free(&b);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(store_addrs_parse(bad[i].in, a, 2, err, sizeof(err)), -1);
		ck_assert_str_eq(err, bad[i].err);
	}
}
END_TEST

START_TEST(test_workload_static)
{
	struct policy_workload w;
	struct policy_label lab[2] = { { "tier", "db" }, { "quote\"d", "x" } };
	struct store_workload *list;
	struct store_policy sp;
	int n;

	wl_init(&w, "pg", "198.19.0.20,fd00::20");
	w.labels = lab;
	w.nlabels = 2;
	ck_assert_int_eq(store_workload_add(db, &w, err, sizeof(err)), 0);
	ck_assert_str_eq(w.id, "static:pg");
	ck_assert_int_eq(w.is_static, 1);
	ck_assert_str_eq(fxdb_text(db, "SELECT addresses || ' ' || labels || ' ' || "
	    "learned_group || ' ' || static || running FROM workloads"),
	    "198.19.0.20,fd00::20 {\"tier\":\"db\",\"quote\\\"d\":\"x\"} nv.pg 11");
	ck_assert_int_eq(store_workload_add(db, &w, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "workload 'pg' already exists");

	ck_assert_int_eq(store_workload_list(db, 0, &list, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(list[0].w.id, "static:pg");
	ck_assert_str_eq(list[0].w.name, "pg");
	ck_assert_int_eq(list[0].w.naddrs, 2);
	ck_assert_int_eq(list[0].w.nlabels, 2);
	ck_assert_str_eq(list[0].w.labels[1].key, "quote\"d");
	ck_assert_str_eq(list[0].learned_group, "nv.pg");
	ck_assert_int_eq(list[0].running, 1);
	store_workloads_free(list, n);

	ck_assert_int_eq(store_load(db, &sp, err, sizeof(err)), 0);
	ck_assert_int_eq(sp.nstatics, 1);
	ck_assert_str_eq(sp.statics[0].id, "static:pg");
	ck_assert_int_eq(sp.statics[0].is_static, 1);
	ck_assert_int_eq(sp.statics[0].naddrs, 2);
	ck_assert_str_eq(sp.statics[0].labels[0].value, "db");
	store_policy_free(&sp);

	ck_assert_int_eq(store_workload_delete(db, "pg", err, sizeof(err)), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM workloads"), 0);
	ck_assert_int_eq(store_workload_delete(db, "pg", err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "workload 'pg' does not exist");
}
END_TEST

/* A static workload's interface (schema 6): kept, read back, checked. */
START_TEST(test_workload_iface)
{
	static const char *const bad[] = { "a/b", "eth0:1", "a b", ".", ".." };
	struct policy_workload w;
	struct store_policy sp;
	char want[128];

	wl_init(&w, "plain", "198.19.0.21");
	ck_assert_int_eq(store_workload_add(db, &w, err, sizeof(err)), 0);
	wl_init(&w, "ported", "198.19.0.22,fd00::22");
	strcpy(w.iface, "veth-0123456789");
	ck_assert_int_eq(store_workload_add(db, &w, err, sizeof(err)), 0);
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(name || '=' || iface, ' ') "
	    "FROM (SELECT name, iface FROM workloads ORDER BY name)"), "plain= ported=veth-0123456789");
	ck_assert_int_eq(store_load(db, &sp, err, sizeof(err)), 0);
	ck_assert_int_eq(sp.nstatics, 2);
	ck_assert_str_eq(sp.statics[0].iface, "");
	ck_assert_str_eq(sp.statics[1].iface, "veth-0123456789");
	store_policy_free(&sp);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wl_init(&w, "bad", "198.19.0.23");
		snprintf(w.iface, sizeof(w.iface), "%s", bad[i]);
		ck_assert_int_eq(store_workload_add(db, &w, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "interface name '%s': 1 to 15 characters, none of "
		    "'/', ':' or blanks", bad[i]);
		ck_assert_str_eq(err, want);
	}
}
END_TEST

START_TEST(test_workload_static_errors)
{
	struct policy_workload w;

	wl_init(&w, "a b", "198.19.0.2");
	ck_assert_int_eq(store_workload_add(db, &w, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "workload name 'a b': only letters, digits, '_', '.' and '-'");
	memset(w.name, 'x', 65);
	w.name[65] = '\0';
	ck_assert_int_eq(store_workload_add(db, &w, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "workload name must be 1 to 64 characters");
	w.name[64] = '\0';
	ck_assert_int_eq(store_workload_add(db, &w, err, sizeof(err)), 0);
	strcpy(w.name, "none");
	w.naddrs = 0;
	ck_assert_int_eq(store_workload_add(db, &w, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "workload 'none' needs an address");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM workloads"), 1);
}
END_TEST

START_TEST(test_workloads_seen)
{
	struct policy_workload d[2], s;
	struct store_workload *list;
	int n;

	memset(d, 0, sizeof(d));
	strcpy(d[0].id, "c0ffee");
	strcpy(d[0].name, "web-1");
	strcpy(d[0].image, "nginx");
	strcpy(d[0].service, "web");
	strcpy(d[0].project, "shop");
	strcpy(d[1].id, "beef");
	strcpy(d[1].name, "db");
	wl_init(&s, "pg", "198.19.0.20");
	ck_assert_int_eq(store_workload_add(db, &s, err, sizeof(err)), 0);

	ck_assert_int_eq(store_workloads_seen(db, d, 2, err, sizeof(err)), 0);
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(id || ':' || running || ':' || "
	    "learned_group, ' ') FROM (SELECT * FROM workloads ORDER BY id)"),
	    "beef:1:nv.db c0ffee:1:nv.web.shop static:pg:1:nv.pg");
	/* A container named like a static workload cannot be added... */
	wl_init(&s, "web-1", "198.19.0.21");
	ck_assert_int_eq(store_workload_add(db, &s, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "workload 'web-1' already exists");
	/* ...nor deleted. */
	ck_assert_int_eq(store_workload_delete(db, "web-1", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "workload 'web-1' is a container; remove it with Docker");

	/* web-1 stopped: kept with running = 0; statics stay running. */
	fxdb_exec(db, "UPDATE workloads SET last_seen = 1");
	ck_assert_int_eq(store_workloads_seen(db, &d[1], 1, err, sizeof(err)), 0);
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(id || ':' || running, ' ') "
	    "FROM (SELECT * FROM workloads ORDER BY id)"), "beef:1 c0ffee:0 static:pg:1");
	ck_assert_int_gt(fxdb_int(db, "SELECT last_seen FROM workloads WHERE id = 'beef'"), 1);
	ck_assert_int_eq(fxdb_int(db, "SELECT last_seen FROM workloads WHERE id = 'c0ffee'"), 1);
	ck_assert_int_eq(store_workload_delete(db, "web-1", err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "workload 'web-1' does not exist");

	ck_assert_int_eq(store_workload_list(db, 1, &list, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 1);
	store_workloads_free(list, n);
	ck_assert_int_eq(store_workload_list(db, 0, &list, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(list[0].w.name, "db");
	ck_assert_str_eq(list[2].w.name, "web-1");
	ck_assert_str_eq(list[2].w.image, "nginx");
	ck_assert_int_eq(list[2].running, 0);
	store_workloads_free(list, n);
}
END_TEST

/* --- the whole policy, and failures ---------------------------------- */

START_TEST(test_load)
{
	struct store_policy sp;

	group_add("web", "name=web*,label:tier=front");
	store_group_mode(db, "web", MODE_PROTECT, err, sizeof(err));
	learned("web", "external", "tcp/443");
	rule_add("web", "host", 22, 0);
	rule_add("web", "host", 23, 2);
	ck_assert_int_eq(store_load(db, &sp, err, sizeof(err)), 0);
	ck_assert_int_eq(sp.ngroups, 4);
	ck_assert_str_eq(sp.groups[3].name, "web");
	ck_assert_int_eq(sp.groups[3].mode, MODE_PROTECT);
	ck_assert_int_eq(sp.groups[3].ncrit, 2);
	ck_assert_int_eq(sp.groups[3].crit[1].kind, CRIT_LABEL);
	ck_assert_str_eq(sp.groups[3].crit[1].key, "tier");
	ck_assert_int_eq(sp.nrules, 3);
	ck_assert_int_eq(sp.rules[0].id, 3);
	ck_assert_int_eq(sp.rules[1].id, 2);
	ck_assert_int_eq(sp.rules[2].id, 1);
	ck_assert_int_eq(sp.rules[2].type, RULE_LEARNED);
	ck_assert_int_eq(sp.rules[2].ports[0].lo, 443);
	ck_assert_int_eq(sp.nstatics, 0);
	store_policy_free(&sp);
	ck_assert_int_eq(sp.ngroups, 0);

	/* A hand-broken row is named. */
	fxdb_exec(db, "UPDATE rules SET ports = 'tcp/0' WHERE id = 1");
	ck_assert_int_eq(store_load(db, &sp, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "database: rule 1: port spec 'tcp/0': port out of range (1-65535)");
	ck_assert_ptr_null(sp.rules);
	fxdb_exec(db, "UPDATE groups SET criteria = 'color=red' WHERE name = 'web'");
	ck_assert_int_eq(store_load(db, &sp, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "database: group 'web': criterion 'color=red': unknown key 'color' "
	    "(expected name=, image=, label:KEY= or address=)");
}
END_TEST

/* A failing statement inside a change rolls all of it back. */
START_TEST(test_rollback)
{
	struct policy_workload d[2];
	int64_t b;

	group_add("web", "name=web*");
	group_add("db", "name=db*");
	learned("web", "db", "tcp/5432");
	rule_add("web", "host", 1, 0);
	b = rule_add("web", "host", 2, 0);
	for (int i = 0; i < 20; i++)
		rule_add("web", "host", 100 + i, b);
	/* The next --before b renumbers, then its insert fails. */
	fxdb_exec(db, "CREATE TEMP TRIGGER no_insert BEFORE INSERT ON main.rules "
	    "BEGIN SELECT RAISE(ABORT, 'no insert'); END");
	{
		struct policy_rule r;
		int64_t id = 0;

		memset(&r, 0, sizeof(r));
		strcpy(r.from, "web");
		strcpy(r.to, "db");
		ck_assert_int_eq(store_rule_add(db, &r, b, &id, err, sizeof(err)), -1);
		ck_assert_str_eq(err, "database: no insert");
		ck_assert_int_eq(id, 0);
	}
	ck_assert_str_eq(fxdb_text(db, "SELECT ord FROM rules WHERE id = 3"), "2.0");
	ck_assert_int_eq(fxdb_int(db,
	    "SELECT count(*) FROM rules WHERE ord != CAST(ord AS INTEGER)"), 20);
	fxdb_exec(db, "DROP TRIGGER no_insert");

	/* Group delete: the learned rules come back when the group stays. */
	fxdb_exec(db, "CREATE TEMP TRIGGER no_delete BEFORE DELETE ON main.groups "
	    "BEGIN SELECT RAISE(ABORT, 'no delete'); END");
	ck_assert_int_eq(store_group_delete(db, "db", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "database: no delete");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM rules WHERE to_group = 'db'"), 1);
	fxdb_exec(db, "DROP TRIGGER no_delete");

	/* Workloads seen: the running flags stay as they were. */
	memset(d, 0, sizeof(d));
	strcpy(d[0].id, "aaa");
	strcpy(d[0].name, "a");
	strcpy(d[1].id, "bbb");
	strcpy(d[1].name, "b");
	ck_assert_int_eq(store_workloads_seen(db, d, 1, err, sizeof(err)), 0);
	fxdb_exec(db, "CREATE TEMP TRIGGER no_b BEFORE INSERT ON main.workloads "
	    "WHEN new.id = 'bbb' BEGIN SELECT RAISE(ABORT, 'no b'); END");
	ck_assert_int_eq(store_workloads_seen(db, &d[1], 1, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "database: no b");
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(id || ':' || running) FROM workloads"),
	    "aaa:1");

	/* The connection is usable afterwards: no transaction left open. */
	ck_assert_int_eq(sqlite3_get_autocommit(db), 1);
	group_add("api", "name=api*");
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc;

	tc = tcase_create("groups");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_group_add);
	tcase_add_test(tc, test_group_add_errors);
	tcase_add_test(tc, test_group_list);
	tcase_add_test(tc, test_group_delete);
	tcase_add_test(tc, test_group_mode);
	tcase_add_test(tc, test_group_ensure_learned);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rule_add);
	tcase_add_test(tc, test_rule_add_errors);
	tcase_add_test(tc, test_apps_canon);
	tcase_add_test(tc, test_rule_before);
	tcase_add_test(tc, test_rule_before_renumbers);
	tcase_add_test(tc, test_rule_before_tie);
	tcase_add_test(tc, test_rule_promote);
	tcase_add_test(tc, test_rule_delete_get_list);
	suite_add_tcase(s, tc);

	tc = tcase_create("workloads");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_addrs);
	tcase_add_test(tc, test_workload_static);
	tcase_add_test(tc, test_workload_static_errors);
	tcase_add_test(tc, test_workload_iface);
	tcase_add_test(tc, test_workloads_seen);
	suite_add_tcase(s, tc);

	tc = tcase_create("policy");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_rollback);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return fxdb_main("check_store", store_suite());
}
