/*
 * check_threat_store.c: the threat detectors' settings in the database
 * (store_threat.c, schema 007): built in, from rule files (sensors_load_dir:
 * a file's blocks, a file skipped for its errors or a conflict, a file
 * gone), nvctl's values over them and --reset, settings per group, and
 * what the snapshot gets; the nvctl threat commands (handle_threat.c)
 * through control_dispatch(), with their exact errors.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/control_proto.h"
#include "base/log.h"
#include "fixture_cli.h"
#include "fixture_db.h"
#include "policy/policy.h"
#include "runtime/live.h"
#include "store/rules_load.h"
#include "store/store.h"

static char err[512];
static sqlite3 *db;
static const char *rdir;	/* rules_dir */
static struct store_threat t[THREAT_COUNT];

static void
teardown(void)
{
	fxdb_teardown(&db);
}

static void
setup(void)
{
	fxdb_setup();
	err[0] = '\0';
	rdir = fxdb_rules_dir();
	db = fxdb_open();
}

static void
remove_file(const char *name)
{
	char p[400];

	snprintf(p, sizeof(p), "%s/%s", rdir, name);
	ck_assert_int_eq(unlink(p), 0);
}

/* sensors_load_dir(rdir); what it would log of skipped files is not. */
static int
load(void)
{
	log_set_level(LOG_LVL_ERROR);
	return sensors_load_dir(db, rdir, err, sizeof(err));
}

static void
list(void)
{
	ck_assert_msg(store_threat_list(db, t, err, sizeof(err)) == 0, "%s", err);
}

static struct store_threat_change
change(void)
{
	struct store_threat_change c = { .reset = 0, .enabled = -1, .deny = -1 };

	for (int k = 0; k < THREAT_PARAMS_MAX; k++)
		c.param[k] = -1;
	return c;
}

START_TEST(test_builtin)
{
	struct threat_set s, def;

	list();
	threat_set_default(&def);
	for (int i = 0; i < THREAT_COUNT; i++) {
		ck_assert_str_eq(t[i].source, "");
		ck_assert_int_eq(t[i].user_deny, -1);
		ck_assert_int_eq(t[i].conf.enabled, def.t[i].enabled);
		ck_assert_int_eq(t[i].conf.deny, def.t[i].deny);
	}
	ck_assert_int_eq(t[THREAT_SYN_FLOOD].conf.param[0], 800);
	ck_assert_int_eq(store_threat_load(db, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.t[THREAT_PING_DEATH].param[0], 32000);
	ck_assert_int_eq(s.t[THREAT_SESSION_LIMIT].enabled, 0);
}
END_TEST

START_TEST(test_set_reset)
{
	struct store_threat_change c = change();

	c.deny = 0;
	c.param[0] = 1000;
	ck_assert_int_eq(store_threat_set(db, THREAT_SYN_FLOOD, &c, err, sizeof(err)), 0);
	c = change();
	c.enabled = 1;
	ck_assert_int_eq(store_threat_set(db, THREAT_SESSION_LIMIT, &c, err, sizeof(err)), 0);
	list();
	ck_assert_int_eq(t[THREAT_SYN_FLOOD].conf.deny, 0);
	ck_assert_int_eq(t[THREAT_SYN_FLOOD].conf.param[0], 1000);
	ck_assert_int_eq(t[THREAT_SYN_FLOOD].file.param[0], 800);
	ck_assert_int_eq(t[THREAT_SYN_FLOOD].user_param[0], 1000);
	ck_assert_int_eq(t[THREAT_SYN_FLOOD].user_param[1], -1);
	ck_assert_int_eq(t[THREAT_SESSION_LIMIT].conf.enabled, 1);
	/* release above the threshold: refused, nothing changed */
	c = change();
	c.param[2] = 5000;
	ck_assert_int_eq(store_threat_set(db, THREAT_SYN_FLOOD, &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "release (5000) must not be above syns (1000)");
	list();
	ck_assert_int_eq(t[THREAT_SYN_FLOOD].conf.param[2], 600);
	/* --reset: back to the file's (here built in) */
	c = change();
	c.reset = 1;
	ck_assert_int_eq(store_threat_set(db, THREAT_SYN_FLOOD, &c, err, sizeof(err)), 0);
	list();
	ck_assert_int_eq(t[THREAT_SYN_FLOOD].conf.deny, 1);
	ck_assert_int_eq(t[THREAT_SYN_FLOOD].conf.param[0], 800);
	ck_assert_int_eq(t[THREAT_SYN_FLOOD].user_param[0], -1);
	ck_assert_int_eq(t[THREAT_SESSION_LIMIT].conf.enabled, 1);	/* another's kept */
}
END_TEST

START_TEST(test_groups)
{
	struct policy_threat_group *g;
	int n;

	ck_assert_int_eq(store_threat_group_set(db, "nogroup", THREAT_SQL_INJECTION, 0, -1, err,
	    sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "group 'nogroup' does not exist");
	ck_assert_int_eq(store_threat_group_set(db, "containers", THREAT_SQL_INJECTION, 0, -1,
	    err, sizeof(err)), 0);
	/* A later action keeps the state said before. */
	ck_assert_int_eq(store_threat_group_set(db, "containers", THREAT_SQL_INJECTION, -1, 0,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(store_threat_group_set(db, "host", THREAT_PING_DEATH, 1, 1, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_threat_groups(db, &g, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(g[0].group, "containers");
	ck_assert_int_eq(g[0].threat, THREAT_SQL_INJECTION);
	ck_assert_int_eq(g[0].enabled, 0);
	ck_assert_int_eq(g[0].deny, 0);
	ck_assert_str_eq(g[1].group, "host");
	free(g);
	/* Both -1: the group's setting goes. */
	ck_assert_int_eq(store_threat_group_set(db, "host", THREAT_PING_DEATH, -1, -1, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM threat_groups"), 1);
	/* A group deleted takes its settings along. */
	fxdb_exec(db, "INSERT INTO groups VALUES ('g1', 'user', '', 'discover', 0, 0)");
	ck_assert_int_eq(store_threat_group_set(db, "g1", THREAT_PING_DEATH, 0, -1, err,
	    sizeof(err)), 0);
	fxdb_exec(db, "DELETE FROM groups WHERE name = 'g1'");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM threat_groups"), 1);
}
END_TEST

START_TEST(test_load)
{
	struct store_threat_change c = change();

	fxdb_write(rdir, "a.rules", "threat Ping.Death\naction alert\nparam size 40000\n");
	ck_assert_int_eq(load(), 0);
	list();
	ck_assert_str_eq(t[THREAT_PING_DEATH].source, "a.rules");
	ck_assert_int_eq(t[THREAT_PING_DEATH].conf.deny, 0);
	ck_assert_int_eq(t[THREAT_PING_DEATH].conf.param[0], 40000);
	ck_assert_str_eq(t[THREAT_SYN_FLOOD].source, "");
	/* nvctl's value wins over the file's, and stays across a reload. */
	c.param[0] = 50000;
	ck_assert_int_eq(store_threat_set(db, THREAT_PING_DEATH, &c, err, sizeof(err)), 0);
	fxdb_write(rdir, "a.rules", "threat Ping.Death\naction deny\nparam size 45000\n");
	ck_assert_int_eq(load(), 0);
	list();
	ck_assert_int_eq(t[THREAT_PING_DEATH].conf.param[0], 50000);
	ck_assert_int_eq(t[THREAT_PING_DEATH].file.param[0], 45000);
	ck_assert_int_eq(t[THREAT_PING_DEATH].conf.deny, 1);
	/* A file with an error is skipped: what it set stays. */
	fxdb_write(rdir, "a.rules", "threat Ping.Death\nparam size many\n");
	ck_assert_int_eq(load(), 1);
	list();
	ck_assert_int_eq(t[THREAT_PING_DEATH].file.param[0], 45000);
	ck_assert_str_eq(t[THREAT_PING_DEATH].source, "a.rules");
	/* A second file setting the same detector is skipped. */
	fxdb_write(rdir, "a.rules", "threat Ping.Death\nparam size 41000\n");
	fxdb_write(rdir, "b.rules", "threat Ping.Death\nparam size 42000\n");
	ck_assert_int_eq(load(), 1);
	list();
	ck_assert_int_eq(t[THREAT_PING_DEATH].file.param[0], 41000);
	/* The file gone: built in again. */
	remove_file("a.rules");
	remove_file("b.rules");
	ck_assert_int_eq(load(), 0);
	list();
	ck_assert_str_eq(t[THREAT_PING_DEATH].source, "");
	ck_assert_int_eq(t[THREAT_PING_DEATH].file.param[0], 32000);
}
END_TEST

/* --- nvctl threat -------------------------------------------------------- */

static struct fxcli cli;

static void
cli_setup(void)
{
	setup();
	fxcli_start(&cli, db);
}

static void
cli_teardown(void)
{
	fxcli_stop(&cli);
	teardown();
}

/* nvctl threat ARGS...: the CTL_RESP_* code, the reply in cli.out. */
#define THREAT(json, ...) fxcli_call(&cli, json, "threat", __VA_ARGS__, (char *)NULL)

#define REPLY(want) ck_assert_str_eq(fxcli_reply(&cli), want)
#define HAS(want) ck_assert_msg(strstr(fxcli_reply(&cli), want) != NULL, "no '%s' in:\n%s", \
	want, fxcli_reply(&cli))

START_TEST(test_cli)
{
	const struct threat_set *s;

	ck_assert_int_eq(THREAT(0, "list"), CTL_RESP_OK);
	HAS("name                          level     action  state  parameters");
	HAS("\nTCP.SYN.Flood                 critical  deny    on     syns=800 interval=5 "
	    "release=600 ");
	HAS("\nSQL.Injection                 critical  deny    on     - ");
	ck_assert_int_eq(THREAT(0, "set", "TCP.SYN.Flood", "--syns", "2000", "--release", "1500",
	    "--action", "alert"), CTL_RESP_OK);
	REPLY("threat TCP.SYN.Flood: on, action alert, syns=2000 interval=5 release=1500\n");
	/* In the running snapshot at once. */
	s = policy_threats(live_current(&cli.d.live));
	ck_assert_int_eq(s->t[THREAT_SYN_FLOOD].param[0], 2000);
	ck_assert_int_eq(s->t[THREAT_SYN_FLOOD].deny, 0);
	ck_assert_int_eq(THREAT(0, "show", "TCP.SYN.Flood"), CTL_RESP_OK);
	HAS("action      alert (nvctl; the file says deny)\n");
	HAS("syns        2000 SYNs without a handshake (nvctl; the file says 800)\n");
	HAS("interval    5 s\n");
	ck_assert_int_eq(THREAT(1, "show", "TCP.SYN.Flood"), CTL_RESP_OK);
	HAS("{\"name\":\"TCP.SYN.Flood\",\"level\":\"critical\",\"action\":\"alert\","
	    "\"enabled\":true,\"guards\":\"server\",");
	HAS("\"parameters\":{\"syns\":2000,\"interval\":5,\"release\":1500},\"source\":null,"
	    "\"file\":{\"action\":\"deny\",\"enabled\":true,\"parameters\":{\"syns\":800,");
	ck_assert_int_eq(THREAT(0, "set", "TCP.SYN.Flood", "--reset"), CTL_RESP_OK);
	REPLY("threat TCP.SYN.Flood: on, action deny, syns=800 interval=5 release=600\n");

	ck_assert_int_eq(THREAT(0, "set", "SQL.Injection", "--group", "containers", "--disable"),
	    CTL_RESP_OK);
	REPLY("threat SQL.Injection in group containers: off, action as the detector's\n");
	ck_assert_int_eq(THREAT(0, "list"), CTL_RESP_OK);
	HAS("  containers:off\n");
	ck_assert_int_eq(THREAT(0, "set", "SQL.Injection", "--group", "containers", "--reset"),
	    CTL_RESP_OK);
	REPLY("threat SQL.Injection in group containers: as the detector's\n");

	/* Errors. */
	ck_assert_int_eq(THREAT(0, "set", "Nope", "--enable"), CTL_RESP_NOTFOUND);
	REPLY("threat 'Nope' does not exist (nvctl threat list)");
	ck_assert_int_eq(THREAT(0, "show", "Nope"), CTL_RESP_NOTFOUND);
	ck_assert_int_eq(THREAT(0, "set", "Ping.Death", "--size", "x"), CTL_RESP_ERROR);
	REPLY("Ping.Death: size: 'x' is not a number");
	ck_assert_int_eq(THREAT(0, "set", "Ping.Death", "--syns", "5"), CTL_RESP_USAGE);
	ck_assert_int_eq(THREAT(0, "set", "Ping.Death", "--enable", "--disable"),
	    CTL_RESP_USAGE);
	ck_assert_int_eq(THREAT(0, "set", "Ping.Death"), CTL_RESP_USAGE);
	REPLY("nothing to set (usage: nvctl threat set NAME [--action alert|deny] "
	    "[--enable|--disable] [--PARAM VALUE]... [--group GROUP] [--reset])");
	ck_assert_int_eq(THREAT(0, "set", "Ping.Death", "--action", "drop"), CTL_RESP_ERROR);
	REPLY("unknown action 'drop' (expected alert or deny)");
	ck_assert_int_eq(THREAT(0, "set", "Ping.Death", "--group", "containers", "--size", "9"),
	    CTL_RESP_ERROR);
	REPLY("--size: parameters are the detector's, not a group's");
	ck_assert_int_eq(THREAT(0, "set", "Ping.Death", "--group", "nogroup", "--enable"),
	    CTL_RESP_NOTFOUND);
	REPLY("group 'nogroup' does not exist");
	ck_assert_int_eq(THREAT(0, "set", "TCP.SYN.Flood", "--release", "900"),
	    CTL_RESP_ERROR);
	REPLY("release (900) must not be above syns (800)");
	ck_assert_int_eq(fxcli_call(&cli, 0, "threat", (char *)NULL), CTL_RESP_USAGE);
	REPLY("usage: nvctl threat list|show|set ...");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("threat_store");
	TCase *tc = tcase_create("store"), *cl = tcase_create("cli");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_builtin);
	tcase_add_test(tc, test_set_reset);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_load);
	tcase_add_checked_fixture(cl, cli_setup, cli_teardown);
	tcase_add_test(cl, test_cli);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, cl);	/* nvctl threat */
	return s;
}

int
main(void)
{
	return fxdb_main("check_threat_store", suite());
}
