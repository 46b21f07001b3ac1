/*
 * check_store_sensor.c: sensors in the database (store_sensor.c, schema
 * 004): every function and its exact errors, cascades; the rules
 * directory loader (sensors_load_dir): built-in sensors replaced, kept,
 * removed, files skipped for their errors and conflicts with what they
 * log, user sensors untouched; and the nvctl sensor commands
 * (handle_sensor.c) through control_dispatch().
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

#include "daemon/control.h"
#include "base/control_proto.h"
#include "daemon/daemon.h"
#include "store/db.h"
#include "fixture_cli.h"
#include "fixture_db.h"
#include "runtime/live.h"
#include "policy/policy.h"
#include "sensor/rules_file.h"
#include "store/rules_load.h"
#include "sensor/crs.h"
#include "store/store.h"

static char err[512];
static sqlite3 *db;
static char rdir[128];		/* a rules_dir */

/* --- fixture ------------------------------------------------------------- */

static void
setup(void)
{
	fxdb_setup();
	err[0] = '\0';
	snprintf(rdir, sizeof(rdir), "%s/rules", fxdb_dir);
	ck_assert_int_eq(mkdir(rdir, 0700), 0);
	db = fxdb_open();
}

static void
teardown(void)
{
	fxdb_teardown(&db);
}

static void
write_file(const char *name, const char *text)
{
	char p[400];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", rdir, name);
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
}

static void
rule_make(struct sensor_rule_spec *r, const char *name, enum sensor_validator v, ...)
{
	va_list ap;
	const char *re;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->validator = v;
	va_start(ap, v);
	while ((re = va_arg(ap, const char *)) != NULL) {
		struct sensor_pattern_spec *p = &r->pat[r->npat++];

		p->ctx = (enum sensor_ctx)va_arg(ap, int);
		p->negate = re[0] == '!';
		snprintf(p->re, sizeof(p->re), "%s", re + p->negate);
	}
	va_end(ap);
}

/* --- store --------------------------------------------------------------- */

START_TEST(test_add_delete)
{
	struct store_sensor s, *list;
	int n;

	ck_assert_int_eq(store_sensor_add(db, "pii", SENSOR_DLP, err, sizeof(err)), 0);
	ck_assert_int_eq(store_sensor_add(db, "web-1", SENSOR_WAF, err, sizeof(err)), 0);
	ck_assert_int_eq(store_sensor_get(db, "pii", &s, NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(s.name, "pii");
	ck_assert_int_eq(s.type, SENSOR_DLP);
	ck_assert_int_eq(s.builtin, 0);
	ck_assert_str_eq(s.source, "");
	ck_assert_int_gt(s.created, 0);
	ck_assert_int_eq(s.updated, s.created);
	ck_assert_int_eq(s.nrules, 0);
	ck_assert_int_eq(store_sensor_list(db, &list, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(list[0].name, "pii");
	ck_assert_str_eq(list[1].name, "web-1");
	ck_assert_int_eq(list[1].type, SENSOR_WAF);
	free(list);

	ck_assert_int_eq(store_sensor_add(db, "pii", SENSOR_WAF, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "sensor 'pii' already exists");
	ck_assert_int_eq(store_sensor_add(db, "sensor.mine", SENSOR_DLP, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "sensor names starting with 'sensor.' are kept for the built-in "
	    "sensors");
	ck_assert_int_eq(store_sensor_add(db, "a b", SENSOR_DLP, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "sensor name 'a b': only letters, digits, '.', '_' and '-'");
	ck_assert_int_eq(store_sensor_get(db, "nope", &s, NULL, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "sensor 'nope' does not exist");
	ck_assert_int_eq(store_sensor_delete(db, "nope", err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "sensor 'nope' does not exist");
	ck_assert_int_eq(store_sensor_delete(db, "pii", err, sizeof(err)), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensors"), 1);
}
END_TEST

START_TEST(test_sensor_bound)
{
	char name[16];

	for (int i = 0; i < SENSOR_MAX; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		ck_assert_int_eq(store_sensor_add(db, name, SENSOR_DLP, err, sizeof(err)), 0);
	}
	ck_assert_int_eq(store_sensor_add(db, "one-more", SENSOR_DLP, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "at most 64 sensors");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensors"), SENSOR_MAX);
}
END_TEST

START_TEST(test_rules)
{
	struct sensor_rule_spec r;
	struct sensor_spec spec;
	struct store_sensor s;

	ck_assert_int_eq(store_sensor_add(db, "pii", SENSOR_DLP, err, sizeof(err)), 0);
	fxdb_exec(db, "UPDATE sensors SET updated = 1");
	rule_make(&r, "card", SVAL_LUHN, "[0-9]{16}", SCTX_BODY, "!test", SCTX_URL, NULL);
	ck_assert_int_eq(store_sensor_rule_add(db, "pii", &r, err, sizeof(err)), 0);
	ck_assert_int_gt(fxdb_int(db, "SELECT updated FROM sensors"), 1);
	rule_make(&r, "a-first", SVAL_NONE, "x", SCTX_PACKET, NULL);
	ck_assert_int_eq(store_sensor_rule_add(db, "pii", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(store_sensor_get(db, "pii", &s, &spec, err, sizeof(err)), 0);
	ck_assert_int_eq(s.nrules, 2);
	ck_assert_str_eq(spec.name, "pii");
	ck_assert_int_eq(spec.nrules, 2);
	ck_assert_str_eq(spec.rules[0].name, "card");	/* in the order added */
	ck_assert_int_eq(spec.rules[0].validator, SVAL_LUHN);
	ck_assert_int_eq(spec.rules[0].npat, 2);
	ck_assert_str_eq(spec.rules[0].pat[0].re, "[0-9]{16}");
	ck_assert_int_eq(spec.rules[0].pat[0].ctx, SCTX_BODY);
	ck_assert_int_eq(spec.rules[0].pat[0].negate, 0);
	ck_assert_str_eq(spec.rules[0].pat[1].re, "test");
	ck_assert_int_eq(spec.rules[0].pat[1].ctx, SCTX_URL);
	ck_assert_int_eq(spec.rules[0].pat[1].negate, 1);
	ck_assert_str_eq(spec.rules[1].name, "a-first");
	free(spec.rules);

	ck_assert_int_eq(store_sensor_rule_add(db, "pii", &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "rule 'a-first' already exists in sensor 'pii'");
	ck_assert_int_eq(store_sensor_rule_add(db, "none", &r, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "sensor 'none' does not exist");
	rule_make(&r, "bad", SVAL_NONE, "x", SCTX_PACKET, "a(", SCTX_URL, NULL);
	ck_assert_int_eq(store_sensor_rule_add(db, "pii", &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "rule 'bad' pattern 2: missing closing parenthesis at offset 2");
	rule_make(&r, "neg", SVAL_NONE, "!x", SCTX_PACKET, NULL);
	ck_assert_int_eq(store_sensor_rule_add(db, "pii", &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "rule 'neg' has only negated patterns");
	rule_make(&r, "empty", SVAL_NONE, NULL);
	ck_assert_int_eq(store_sensor_rule_add(db, "pii", &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "rule 'empty': 1 to 8 patterns");
	rule_make(&r, "x y", SVAL_NONE, "x", SCTX_PACKET, NULL);
	ck_assert_int_eq(store_sensor_rule_add(db, "pii", &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "rule name 'x y': only letters, digits, '.', '_' and '-'");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensor_rules"), 2);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensor_patterns"), 3);

	ck_assert_int_eq(store_sensor_rule_delete(db, "pii", "zz", err, sizeof(err)),
	    STORE_NOTFOUND);
	ck_assert_str_eq(err, "sensor 'pii' has no rule 'zz'");
	ck_assert_int_eq(store_sensor_rule_delete(db, "zz", "card", err, sizeof(err)),
	    STORE_NOTFOUND);
	ck_assert_str_eq(err, "sensor 'zz' does not exist");
	ck_assert_int_eq(store_sensor_rule_delete(db, "pii", "card", err, sizeof(err)), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensor_patterns"), 1);
	/* A new rule goes after the last, whatever was deleted. */
	rule_make(&r, "again", SVAL_NONE, "y", SCTX_PACKET, NULL);
	ck_assert_int_eq(store_sensor_rule_add(db, "pii", &r, err, sizeof(err)), 0);
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(name) FROM (SELECT name FROM "
	    "sensor_rules ORDER BY ord)"), "a-first,again");
	/* A sensor's rules go with it. */
	ck_assert_int_eq(store_sensor_delete(db, "pii", err, sizeof(err)), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensor_rules"), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensor_patterns"), 0);
}
END_TEST

START_TEST(test_rule_bound)
{
	struct sensor_rule_spec r;
	char name[16];

	ck_assert_int_eq(store_sensor_add(db, "big", SENSOR_WAF, err, sizeof(err)), 0);
	for (int i = 0; i < SENSOR_RULES_MAX; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		rule_make(&r, name, SVAL_NONE, "x", SCTX_URL, NULL);
		ck_assert_int_eq(store_sensor_rule_add(db, "big", &r, err, sizeof(err)), 0);
	}
	rule_make(&r, "last", SVAL_NONE, "x", SCTX_URL, NULL);
	ck_assert_int_eq(store_sensor_rule_add(db, "big", &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "at most 256 rules in a sensor");
}
END_TEST

START_TEST(test_assign)
{
	struct policy_assign *a;
	int n;

	ck_assert_int_eq(store_sensor_add(db, "pii", SENSOR_DLP, err, sizeof(err)), 0);
	ck_assert_int_eq(store_sensor_add(db, "waf", SENSOR_WAF, err, sizeof(err)), 0);
	ck_assert_int_eq(store_group_add(db, "web", "name=web*", MODE_PROTECT, err, sizeof(err)), 0);
	ck_assert_int_eq(store_sensor_assign(db, "web", "waf", 1, 0, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(store_sensor_assign(db, "web", "pii", 0, 0, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(store_sensor_assign(db, "containers", "pii", 1, 0, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(store_sensor_assignments(db, NULL, NULL, &a, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(a[0].group, "containers");
	ck_assert_str_eq(a[0].sensor, "pii");
	ck_assert_int_eq(a[0].deny, 1);
	ck_assert_str_eq(a[1].group, "web");
	ck_assert_str_eq(a[1].sensor, "pii");
	ck_assert_int_eq(a[1].deny, 0);
	ck_assert_str_eq(a[2].sensor, "waf");
	ck_assert_int_eq(a[2].deny, 1);
	free(a);
	/* Assigning again changes the action. */
	ck_assert_int_eq(store_sensor_assign(db, "web", "pii", 1, 0, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(store_sensor_assignments(db, "web", "pii", &a, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(a[0].deny, 1);
	free(a);
	ck_assert_int_eq(store_sensor_assignments(db, NULL, "pii", &a, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 2);
	free(a);

	ck_assert_int_eq(store_sensor_assign(db, "nogroup", "pii", 0, 0, 0, err, sizeof(err)),
	    STORE_NOTFOUND);
	ck_assert_str_eq(err, "group 'nogroup' does not exist");
	ck_assert_int_eq(store_sensor_assign(db, "web", "nosensor", 0, 0, 0, err, sizeof(err)),
	    STORE_NOTFOUND);
	ck_assert_str_eq(err, "sensor 'nosensor' does not exist");
	ck_assert_int_eq(store_sensor_delete(db, "pii", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "sensor 'pii' is assigned to group 'containers'; unassign it first");
	ck_assert_int_eq(store_sensor_unassign(db, "host", "pii", err, sizeof(err)),
	    STORE_NOTFOUND);
	ck_assert_str_eq(err, "sensor 'pii' is not assigned to group 'host'");
	ck_assert_int_eq(store_sensor_unassign(db, "nogroup", "pii", err, sizeof(err)),
	    STORE_NOTFOUND);
	ck_assert_str_eq(err, "group 'nogroup' does not exist");
	ck_assert_int_eq(store_sensor_unassign(db, "containers", "pii", err, sizeof(err)), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensor_assignments"), 2);
	/* A deleted group takes its assignments with it. */
	ck_assert_int_eq(store_group_delete(db, "web", err, sizeof(err)), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensor_assignments"), 0);
	ck_assert_int_eq(store_sensor_delete(db, "pii", err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_specs)
{
	struct sensor_rule_spec r;
	struct sensor_spec *s;
	int n;

	ck_assert_int_eq(store_sensor_specs(db, &s, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(store_sensor_add(db, "b", SENSOR_WAF, err, sizeof(err)), 0);
	ck_assert_int_eq(store_sensor_add(db, "a", SENSOR_DLP, err, sizeof(err)), 0);
	rule_make(&r, "r1", SVAL_SSN, "[0-9-]{11}", SCTX_BODY, NULL);
	ck_assert_int_eq(store_sensor_rule_add(db, "a", &r, err, sizeof(err)), 0);
	rule_make(&r, "r2", SVAL_NONE, "x", SCTX_HEADER, "!y", SCTX_URL, "z", SCTX_BODY, NULL);
	ck_assert_int_eq(store_sensor_rule_add(db, "a", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(store_sensor_specs(db, &s, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(s[0].name, "a");
	ck_assert_int_eq(s[0].type, SENSOR_DLP);
	ck_assert_int_eq(s[0].nrules, 2);
	ck_assert_int_eq(s[0].rules[0].validator, SVAL_SSN);
	ck_assert_int_eq(s[0].rules[1].npat, 3);
	ck_assert_str_eq(s[0].rules[1].pat[2].re, "z");
	ck_assert_int_eq(s[0].rules[1].pat[2].ctx, SCTX_BODY);
	ck_assert_str_eq(s[1].name, "b");
	ck_assert_int_eq(s[1].nrules, 0);
	/* What the store gives, the engine builds. */
	{
		struct sensor_set *set = sensor_set_build(s, n, 1, err, sizeof(err));

		ck_assert_msg(set != NULL, "%s", err);
		sensor_set_free(set);
	}
	store_sensor_specs_free(s, n);
}
END_TEST

/* --- loading rules_dir --------------------------------------------------- */

static char logged[8192];

/* sensors_load_dir(rdir) with what it logs (stderr) in logged[]. */
static int
load(void)
{
	char lp[300];
	int fd, saved, rc;
	ssize_t n;

	snprintf(lp, sizeof(lp), "%s/log", fxdb_dir);
	fflush(stderr);
	saved = dup(2);
	ck_assert_int_ge(fd = open(lp, O_WRONLY | O_CREAT | O_TRUNC, 0600), 0);
	dup2(fd, 2);
	close(fd);
	rc = sensors_load_dir(db, rdir, err, sizeof(err));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ck_assert_int_ge(fd = open(lp, O_RDONLY), 0);
	n = read(fd, logged, sizeof(logged) - 1);
	logged[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(lp);
	return rc;
}

#define LOGGED(s) ck_assert_msg(strstr(logged, s) != NULL, "not logged: %s\nlog:\n%s", s, logged)

START_TEST(test_load_defaults)
{
	const char *src = getenv("NVD_SRCDIR");
	struct store_sensor *s;
	struct sensor_spec *sp;
	int n;

	snprintf(rdir, sizeof(rdir), "%s/rules", src ? src : "..");
	ck_assert_msg(load() == 0, "%s\n%s", err, logged);
	ck_assert_int_eq(store_sensor_list(db, &s, &n, err, sizeof(err)), 0);
	/* The nine of rules/, and sensor.crs (no rule) with libmodsecurity. */
	ck_assert_int_eq(n, 9 + crs_available());
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(s[i].builtin, 1);
		if (strcmp(s[i].name, CRS_SENSOR) == 0) {
			ck_assert_str_eq(s[i].source, "crs_rules");
			ck_assert_int_eq(s[i].nrules, 0);
			continue;
		}
		ck_assert_int_gt(s[i].nrules, 0);
		ck_assert_str_eq(s[i].source, s[i].type == SENSOR_DLP ? "dlp.rules" : "waf.rules");
	}
	free(s);
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(name) FROM (SELECT name FROM sensors "
	    "WHERE name != 'sensor.crs' ORDER BY name)"), "sensor.aws-key,sensor.creditcard,"
	    "sensor.log4shell,"
	    "sensor.path-traversal,"
	    "sensor.private-key,sensor.shellshock,sensor.sqlinjection,sensor.ssn,sensor.xss");
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(name) FROM (SELECT name FROM "
	    "sensor_rules WHERE sensor = 'sensor.creditcard' ORDER BY ord)"),
	    "visa,mastercard,amex,discover,diners,jcb");
	LOGGED("sensors: 9 built in, threats: 27 set, from 4 rule files in ");
	ck_assert_int_eq(store_sensor_specs(db, &sp, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 9 + crs_available());
	store_sensor_specs_free(sp, n);
	/* Loading the same again changes nothing. */
	fxdb_exec(db, "UPDATE sensors SET updated = 1, created = 1");
	ck_assert_int_eq(load(), 0);
	ck_assert_int_eq(fxdb_int(db,
	    "SELECT count(*) FROM sensors WHERE updated = 1 AND created = 1"), 9 + crs_available());
}
END_TEST

START_TEST(test_load_update)
{
	struct sensor_spec spec;
	struct store_sensor s;
	char p[300];

	write_file("a.rules", "sensor s1 dlp\nrule r\npacket one\n");
	write_file("b.rules", "sensor s2 waf\nrule q\nurl two\n");
	write_file("README", "not a rule file\n");
	write_file(".hidden.rules", "garbage\n");
	ck_assert_int_eq(mkdir(strcat(strcpy(p, rdir), "/dir.rules"), 0700), 0);
	ck_assert_msg(load() == 0, "%s", err);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensors WHERE builtin = 1"),
	    2 + crs_available());
	ck_assert_int_eq(store_sensor_assign(db, "containers", "s1", 1, 0, 0, err, sizeof(err)), 0);
	fxdb_exec(db, "UPDATE sensors SET updated = 1, created = 1");

	/* s1's rules change; its assignment stays; s2 is as it was. */
	write_file("a.rules", "sensor s1 waf\nrule r\nvalidator luhn\nbody one\nrule r2\n"
	    "packet !x\npacket y\n");
	ck_assert_int_eq(load(), 0);
	ck_assert_int_eq(store_sensor_get(db, "s1", &s, &spec, err, sizeof(err)), 0);
	ck_assert_int_eq(s.type, SENSOR_WAF);
	ck_assert_int_eq(s.created, 1);
	ck_assert_int_gt(s.updated, 1);
	ck_assert_int_eq(spec.nrules, 2);
	ck_assert_int_eq(spec.rules[0].validator, SVAL_LUHN);
	ck_assert_int_eq(spec.rules[0].pat[0].ctx, SCTX_BODY);
	ck_assert_int_eq(spec.rules[1].pat[0].negate, 1);
	ck_assert_str_eq(fxdb_text(db, "SELECT updated FROM sensors WHERE name = 's2'"), "1");
	ck_assert_str_eq(fxdb_text(db, "SELECT action FROM sensor_assignments WHERE sensor = 's1'"),
	    "deny");

	/* Built-in sensors are not the user's to change. */
	ck_assert_int_eq(store_sensor_delete(db, "s2", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "sensor 's2' is built in (from b.rules)");
	ck_assert_int_eq(store_sensor_rule_delete(db, "s2", "q", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "sensor 's2' is built in; its rules come from b.rules");
	ck_assert_int_eq(store_sensor_rule_add(db, "s2", &spec.rules[0], err, sizeof(err)), -1);
	ck_assert_str_eq(err, "sensor 's2' is built in; its rules come from b.rules");
	free(spec.rules);
}
END_TEST

START_TEST(test_load_errors_skip)
{
	char want[256];

	write_file("a.rules", "sensor s1 dlp\nrule r\npacket one\n");
	write_file("b.rules", "sensor s2 waf\nrule q\nurl two\n");
	ck_assert_int_eq(load(), 0);
	fxdb_exec(db, "UPDATE sensors SET updated = 1");

	/* A file with errors is skipped whole and logged; the other is loaded. */
	write_file("a.rules", "sensor s1 dlp\nrule r\npacket changed\nrule bad\npacket (\n"
	    "bogus\nsensor s9 dlp\nrule z\npacket z\n");
	write_file("b.rules", "sensor s2 waf\nrule q\nurl changed\n");
	ck_assert_int_eq(load(), 1);
	snprintf(want, sizeof(want), "nvd: %s/a.rules:5: pattern: missing closing parenthesis at "
	    "offset 1\n", rdir);
	LOGGED(want);
	snprintf(want, sizeof(want), "nvd: %s/a.rules:6: unknown keyword 'bogus'", rdir);
	LOGGED(want);
	snprintf(want, sizeof(want), "nvd: %s/a.rules: skipped; the sensors, admission rules and "
	    "threat settings stored from it stay as they were\n", rdir);
	LOGGED(want);
	LOGGED("(1 skipped)");
	ck_assert_str_eq(fxdb_text(db, "SELECT pattern FROM sensor_patterns WHERE sensor = 's1'"),
	    "one");
	ck_assert_str_eq(fxdb_text(db, "SELECT updated FROM sensors WHERE name = 's1'"), "1");
	ck_assert_str_eq(fxdb_text(db, "SELECT pattern FROM sensor_patterns WHERE sensor = 's2'"),
	    "changed");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensors WHERE name = 's9'"), 0);

	/* A sensor an earlier file defines, or a user sensor's name: that file is skipped. */
	write_file("a.rules", "sensor s1 dlp\nrule r\npacket one\n");
	write_file("c.rules", "# c\nsensor s3 dlp\nrule r\npacket x\nsensor s1 waf\nrule r\n"
	    "url y\n");
	ck_assert_int_eq(store_sensor_add(db, "mine", SENSOR_DLP, err, sizeof(err)), 0);
	write_file("d.rules", "sensor mine waf\nrule r\nurl x\n");
	ck_assert_int_eq(load(), 2);
	snprintf(want, sizeof(want), "nvd: %s/c.rules:5: sensor 's1' is defined in a.rules "
	    "already\n", rdir);
	LOGGED(want);
	snprintf(want, sizeof(want), "nvd: %s/d.rules:1: sensor 'mine' is a user sensor (nvctl "
	    "sensor add); rename one of them\n", rdir);
	LOGGED(want);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensors WHERE name = 's3'"), 0);
	ck_assert_str_eq(fxdb_text(db, "SELECT type || builtin FROM sensors WHERE name = 'mine'"),
	    "dlp0");
	ck_assert_int_eq(fxdb_int(db,
	    "SELECT count(*) FROM sensor_rules WHERE sensor = 'mine'"), 0);
}
END_TEST

START_TEST(test_load_remove)
{
	char p[300];

	write_file("a.rules", "sensor s1 dlp\nrule r\npacket one\nsensor s4 dlp\nrule r\n"
	    "packet four\n");
	write_file("b.rules", "sensor s2 waf\nrule q\nurl two\n");
	ck_assert_int_eq(load(), 0);
	ck_assert_int_eq(store_sensor_assign(db, "containers", "s1", 0, 0, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(store_sensor_assign(db, "host", "s4", 0, 0, 0, err, sizeof(err)), 0);

	/* s1 leaves a.rules: it goes, with its assignment. */
	write_file("a.rules", "sensor s3 dlp\nrule r\npacket three\nsensor s4 dlp\nrule r\n"
	    "packet four\n");
	ck_assert_int_eq(load(), 0);
	LOGGED("nvd: sensor s1: no rule file defines it any more; removed with its 1 assignment(s)");
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(name) FROM (SELECT name FROM sensors "
	    "WHERE name != 'sensor.crs' ORDER BY name)"), "s2,s3,s4");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensor_assignments"), 1);

	/* A sensor that moves to another file keeps its assignments. */
	write_file("a.rules", "sensor s3 dlp\nrule r\npacket three\n");
	write_file("b.rules", "sensor s2 waf\nrule q\nurl two\nsensor s4 dlp\nrule r\n"
	    "packet four\n");
	ck_assert_int_eq(load(), 0);
	ck_assert_str_eq(fxdb_text(db, "SELECT source FROM sensors WHERE name = 's4'"), "b.rules");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensor_assignments"), 1);

	/* A file with errors keeps its sensors even when another file is removed. */
	write_file("a.rules", "sensor s3 dlp\nrule r\n");
	snprintf(p, sizeof(p), "%s/b.rules", rdir);
	unlink(p);
	ck_assert_int_eq(load(), 1);
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(name) FROM (SELECT name FROM sensors "
	    "WHERE name != 'sensor.crs' ORDER BY name)"), "s3");
	LOGGED("nvd: sensor s4: no rule file defines it any more; removed with its 1 assignment(s)");
	LOGGED("nvd: sensor s2: no rule file defines it any more; removed\n");
}
END_TEST

START_TEST(test_load_refused)
{
	char name[16];
	char text[4096];
	size_t n = 0;

	/* A missing directory changes nothing. */
	write_file("a.rules", "sensor s1 dlp\nrule r\npacket one\n");
	ck_assert_int_eq(load(), 0);
	strcat(rdir, "/none");
	ck_assert_int_eq(load(), -1);
	ck_assert_str_eq(err, "No such file or directory");
	rdir[strlen(rdir) - 5] = '\0';
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensors"), 1 + crs_available());

	/* More than 64 sensors in all (sensor.crs counts): nothing changes. */
	for (int i = 0; i < 60 - crs_available(); i++) {
		snprintf(name, sizeof(name), "u%d", i);
		ck_assert_int_eq(store_sensor_add(db, name, SENSOR_DLP, err, sizeof(err)), 0);
	}
	for (int i = 0; i < 4; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "sensor b%d waf\nrule r\nurl x\n",
		    i);
	write_file("b.rules", text);
	write_file("a.rules", "sensor s1 dlp\nrule r\npacket changed\n");
	ck_assert_int_eq(load(), -1);
	ck_assert_str_eq(err, "more than 64 sensors (65 with the rule files')");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM sensors"), 61);	/* with sensor.crs */
	ck_assert_str_eq(fxdb_text(db, "SELECT pattern FROM sensor_patterns WHERE sensor = 's1'"),
	    "one");
}
END_TEST

/* --- nvctl sensor -------------------------------------------------------- */

static struct fxcli cli;

static void
cli_setup(void)
{
	setup();
	fxcli_init(&cli, db);
	ck_assert_msg(live_init(&cli.d.live, db, MODE_DISCOVER, 0, err, sizeof(err)) == 0, "%s",
	    err);
}

static void
cli_teardown(void)
{
	fxcli_free(&cli);
	live_destroy(&cli.d.live);
	teardown();
}

/* Runs "sensor ARGS..." (NULL-ended); the CTL_RESP_* code, the reply in cli.out. */
static int
sensor(int json, ...)
{
	va_list ap;
	int rc;

	va_start(ap, json);
	rc = fxcli_run(&cli, json, "sensor", ap);
	va_end(ap);
	return rc;
}

static const char *
reply(void)
{
	return fxcli_reply(&cli);
}

#define REPLY(want) ck_assert_str_eq(reply(), want)

START_TEST(test_cli_manage)
{
	ck_assert_int_eq(sensor(0, "add", "pii", "--type", "dlp", NULL), CTL_RESP_OK);
	REPLY("sensor pii added\n");
	ck_assert_int_eq(sensor(1, "add", "waf1", "--type=waf", NULL), CTL_RESP_OK);
	ck_assert_int_eq(strncmp(reply(), "{\"name\":\"waf1\",\"type\":\"waf\",\"builtin\":false,"
	    "\"source\":null,\"rule_count\":0,\"created\":\"", 82), 0);
	ck_assert_int_eq(sensor(0, "add", "x", "--type", "ids", NULL), CTL_RESP_ERROR);
	REPLY("unknown sensor type 'ids' (expected dlp or waf)");
	ck_assert_int_eq(sensor(0, "add", "x", NULL), CTL_RESP_USAGE);
	REPLY("usage: nvctl sensor add NAME --type dlp|waf");
	ck_assert_int_eq(sensor(0, "add", "pii", "--type", "dlp", NULL), CTL_RESP_ERROR);
	REPLY("sensor 'pii' already exists");

	/*
	 * --context before the patterns: every pattern's without its own;
	 * after a --pattern: that pattern's.
	 */
	ck_assert_int_eq(sensor(0, "rule", "add", "pii", "card", "--context", "body", "--pattern",
	    "[0-9]{16}", "--pattern", "!test", "--context", "url", "--pattern", "x",
	    "--validator", "luhn", NULL), CTL_RESP_OK);
	REPLY("rule card added to sensor pii\n");
	ck_assert_int_eq(sensor(1, "rule", "add", "pii", "key", "--pattern", "AKIA[0-9A-Z]{16}",
	    NULL), CTL_RESP_OK);
	REPLY("{\"name\":\"key\",\"validator\":\"none\",\"patterns\":[{\"context\":\"packet\","
	    "\"negate\":false,\"pattern\":\"AKIA[0-9A-Z]{16}\"}]}\n");
	ck_assert_int_eq(sensor(0, "rule", "add", "pii", "bad", "--pattern", "a(", NULL),
	    CTL_RESP_ERROR);
	REPLY("pattern 1 'a(': missing closing parenthesis at offset 2");
	ck_assert_int_eq(sensor(0, "rule", "add", "pii", "bad", "--pattern", "a", "--context",
	    "url", "--context", "body", NULL), CTL_RESP_USAGE);
	ck_assert_int_eq(sensor(0, "rule", "add", "pii", "bad", "--pattern", "a", "--context",
	    "cookie", NULL), CTL_RESP_ERROR);
	REPLY("unknown context 'cookie' (expected packet, url, header, body or args)");
	ck_assert_int_eq(sensor(0, "rule", "add", "pii", "bad", "--context", "url", NULL),
	    CTL_RESP_USAGE);
	ck_assert_int_eq(sensor(0, "rule", "add", "pii", "bad", "--pattern", "a", "--validator",
	    "iban", NULL), CTL_RESP_ERROR);
	REPLY("unknown validator 'iban' (expected luhn, ssn or none)");
	ck_assert_int_eq(sensor(0, "rule", "add", "nope", "r", "--pattern", "a", NULL),
	    CTL_RESP_NOTFOUND);
	REPLY("sensor 'nope' does not exist");
	ck_assert_int_eq(sensor(0, "rule", "add", "pii", "r", "--pattern", "a", "--bogus", "1",
	    NULL), CTL_RESP_USAGE);

	ck_assert_int_eq(sensor(0, "show", "pii", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "name      pii\ntype      dlp\nbuiltin   no\n"));
	ck_assert_ptr_nonnull(strstr(reply(), "groups    -\n\n"
	    "rule  validator  context  pattern\n"
	    "card  luhn       body     [0-9]{16}\n"
	    "                 url      !test\n"
	    "                 body     x\n"
	    "key   -          packet   AKIA[0-9A-Z]{16}\n"));
	ck_assert_int_eq(sensor(1, "show", "pii", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "\"rule_count\":2,"));
	ck_assert_ptr_nonnull(strstr(reply(), ",\"assignments\":[],\"rules\":[{\"name\":\"card\","
	    "\"validator\":\"luhn\",\"patterns\":[{\"context\":\"body\",\"negate\":false,"
	    "\"pattern\":\"[0-9]{16}\"},{\"context\":\"url\",\"negate\":true,\"pattern\":"
	    "\"test\"},{\"context\":\"body\",\"negate\":false,\"pattern\":\"x\"}]},"));
	ck_assert_int_eq(sensor(0, "show", "nope", NULL), CTL_RESP_NOTFOUND);

	ck_assert_int_eq(sensor(0, "assign", "containers", "pii", "--action", "deny", NULL),
	    CTL_RESP_OK);
	REPLY("sensor pii assigned to group containers (deny)\n");
	ck_assert_int_eq(sensor(1, "assign", "host", "pii", "--action", "alert", NULL),
	    CTL_RESP_OK);
	REPLY("{\"group\":\"host\",\"sensor\":\"pii\",\"action\":\"alert\"}\n");
	ck_assert_int_eq(sensor(0, "assign", "host", "pii", "--action", "drop", NULL),
	    CTL_RESP_ERROR);
	REPLY("unknown action 'drop' (expected alert or deny)");
	ck_assert_int_eq(sensor(0, "assign", "host", "pii", NULL), CTL_RESP_USAGE);
	ck_assert_int_eq(sensor(0, "assign", "nogroup", "pii", "--action", "deny", NULL),
	    CTL_RESP_NOTFOUND);
	REPLY("group 'nogroup' does not exist");
	ck_assert_int_eq(sensor(0, "list", NULL), CTL_RESP_OK);
	REPLY("name  type  builtin  rules  groups\n"
	    "pii   dlp   no       2      containers:deny,host:alert\n"
	    "waf1  waf   no       0      -\n");
	ck_assert_int_eq(sensor(1, "list", NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(reply(), "\"assignments\":[{\"group\":\"containers\","
	    "\"action\":\"deny\"},{\"group\":\"host\",\"action\":\"alert\"}]}"));
	ck_assert_int_eq(sensor(0, "delete", "pii", NULL), CTL_RESP_ERROR);
	REPLY("sensor 'pii' is assigned to group 'containers'; unassign it first");
	ck_assert_int_eq(sensor(0, "unassign", "containers", "pii", NULL), CTL_RESP_OK);
	REPLY("sensor pii unassigned from group containers\n");
	ck_assert_int_eq(sensor(0, "unassign", "containers", "pii", NULL), CTL_RESP_NOTFOUND);
	REPLY("sensor 'pii' is not assigned to group 'containers'");
	ck_assert_int_eq(sensor(1, "unassign", "host", "pii", NULL), CTL_RESP_OK);
	REPLY("{\"group\":\"host\",\"unassigned\":\"pii\"}\n");

	ck_assert_int_eq(sensor(0, "rule", "delete", "pii", "card", NULL), CTL_RESP_OK);
	REPLY("rule card deleted from sensor pii\n");
	ck_assert_int_eq(sensor(0, "rule", "delete", "pii", "card", NULL), CTL_RESP_NOTFOUND);
	REPLY("sensor 'pii' has no rule 'card'");
	ck_assert_int_eq(sensor(0, "rule", NULL), CTL_RESP_USAGE);
	REPLY("usage: nvctl sensor rule add|delete ...");
	ck_assert_int_eq(sensor(0, NULL), CTL_RESP_USAGE);
	REPLY("usage: nvctl sensor list|show|add|delete|rule|assign|unassign|test ...");
	ck_assert_int_eq(sensor(1, "delete", "pii", NULL), CTL_RESP_OK);
	REPLY("{\"deleted\":\"pii\"}\n");
	ck_assert_int_eq(sensor(0, "delete", "pii", NULL), CTL_RESP_NOTFOUND);
}
END_TEST

START_TEST(test_cli_test)
{
	const char *src = getenv("NVD_SRCDIR");

	snprintf(rdir, sizeof(rdir), "%s/rules", src ? src : "..");
	ck_assert_int_eq(load(), 0);
	snprintf(rdir, sizeof(rdir), "%s/rules", fxdb_dir);

	ck_assert_int_eq(sensor(0, "test", "sensor.creditcard", "--input",
	    "pay 4111 1111 1111 1111 or 5555555555554444 now", NULL), CTL_RESP_OK);
	REPLY("rule        context  offset  length  excerpt\n"
	    "visa        packet   4       19      **** **** **** 1111\n"
	    "mastercard  packet   27      16      ************4444\n");
	ck_assert_int_eq(sensor(0, "test", "sensor.creditcard", "--input", "4111111111111112",
	    NULL), CTL_RESP_NOMATCH);
	REPLY("no rule of sensor sensor.creditcard matched\n");
	ck_assert_int_eq(sensor(1, "test", "sensor.creditcard", "--input", "4111111111111111",
	    "--rule", "visa", NULL), CTL_RESP_OK);
	REPLY("{\"sensor\":\"sensor.creditcard\",\"matched\":1,\"limits\":false,\"hits\":[{\"rule\":"
	    "\"visa\",\"context\":\"packet\",\"offset\":0,\"length\":16,\"excerpt\":"
	    "\"************1111\"}]}\n");
	ck_assert_int_eq(sensor(1, "test", "sensor.creditcard", "--input", "4111111111111111",
	    "--rule", "amex", NULL), CTL_RESP_NOMATCH);
	REPLY("{\"sensor\":\"sensor.creditcard\",\"matched\":0,\"limits\":false,\"hits\":[]}\n");
	ck_assert_int_eq(sensor(0, "test", "sensor.creditcard", "--input", "x", "--rule", "iban",
	    NULL), CTL_RESP_NOTFOUND);
	REPLY("sensor 'sensor.creditcard' has no rule 'iban'");

	/* Without --context the text is every context; with it, that one. */
	ck_assert_int_eq(sensor(0, "test", "sensor.sqlinjection", "--input",
	    "/?id=1 union select 1", NULL), CTL_RESP_OK);
	REPLY("rule               context  offset  length  excerpt\n"
	    "union-select-url   url      7       12      union select\n"
	    "union-select-body  body     7       12      union select\n");
	ck_assert_int_eq(sensor(0, "test", "sensor.sqlinjection", "--input",
	    "/?id=1 union select 1", "--context", "url", NULL), CTL_RESP_OK);
	REPLY("rule              context  offset  length  excerpt\n"
	    "union-select-url  url      7       12      union select\n");
	ck_assert_int_eq(sensor(0, "test", "sensor.sqlinjection", "--input",
	    "/?id=1 union select 1", "--context", "header", NULL), CTL_RESP_NOMATCH);
	/* --hex: any bytes, NUL included. */
	ck_assert_int_eq(sensor(0, "test", "sensor.private-key", "--hex",
	    "002d2d2d2d2d424547494e2050524956415445204b45592d2d2d2d2d00", NULL), CTL_RESP_OK);
	REPLY("rule             context  offset  length  excerpt\n"
	    "pem-private-key  packet   1       27      -----BEGIN PRIVATE KEY-----\n");
	ck_assert_int_eq(sensor(0, "test", "sensor.private-key", "--hex", "0g", NULL),
	    CTL_RESP_ERROR);
	REPLY("--hex: not hexadecimal digits");
	ck_assert_int_eq(sensor(0, "test", "sensor.private-key", "--hex", "abc", NULL),
	    CTL_RESP_ERROR);
	REPLY("--hex: an odd number of digits");
	ck_assert_int_eq(sensor(0, "test", "sensor.private-key", "--hex", "", NULL),
	    CTL_RESP_NOMATCH);
	ck_assert_int_eq(sensor(0, "test", "sensor.private-key", "--file", "/etc/passwd", NULL),
	    CTL_RESP_USAGE);
	REPLY("--file is for nvctl, which sends the file as --hex");
	ck_assert_int_eq(sensor(0, "test", "sensor.private-key", NULL), CTL_RESP_USAGE);
	ck_assert_int_eq(sensor(0, "test", "sensor.private-key", "--input", "a", "--hex", "61",
	    NULL), CTL_RESP_USAGE);
	ck_assert_int_eq(sensor(0, "test", "sensor.private-key", "--input", "a", "--context",
	    "cookie", NULL), CTL_RESP_ERROR);
	ck_assert_int_eq(sensor(0, "test", "nope", "--input", "a", NULL), CTL_RESP_NOTFOUND);
	REPLY("sensor 'nope' does not exist");
	/* A sensor of no rule matches nothing. */
	ck_assert_int_eq(sensor(0, "add", "empty", "--type", "waf", NULL), CTL_RESP_OK);
	ck_assert_int_eq(sensor(0, "test", "empty", "--input", "a", NULL), CTL_RESP_NOMATCH);
	/* Built-in sensors' rules are the files'. */
	ck_assert_int_eq(sensor(0, "rule", "add", "sensor.xss", "mine", "--pattern", "x", NULL),
	    CTL_RESP_ERROR);
	REPLY("sensor 'sensor.xss' is built in; its rules come from waf.rules");
	ck_assert_int_eq(sensor(0, "delete", "sensor.xss", NULL), CTL_RESP_ERROR);
	REPLY("sensor 'sensor.xss' is built in (from waf.rules)");
}
END_TEST

static Suite *
store_sensor_suite(void)
{
	Suite *s = suite_create("store_sensor");
	TCase *tc;

	tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_add_delete);
	tcase_add_test(tc, test_sensor_bound);
	tcase_add_test(tc, test_rules);
	tcase_add_test(tc, test_rule_bound);
	tcase_add_test(tc, test_assign);
	tcase_add_test(tc, test_specs);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_load_defaults);
	tcase_add_test(tc, test_load_update);
	tcase_add_test(tc, test_load_errors_skip);
	tcase_add_test(tc, test_load_remove);
	tcase_add_test(tc, test_load_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("nvctl");
	tcase_add_checked_fixture(tc, cli_setup, cli_teardown);
	tcase_add_test(tc, test_cli_manage);
	tcase_add_test(tc, test_cli_test);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return fxdb_main("check_store_sensor", store_sensor_suite());
}
