/*
 * check_doc.c: policy as code (store/doc.c, store/doc_db.c,
 * daemon/handle_doc.c): the document read back field by field with the
 * exact error and where it is; written and read back to the same text;
 * exported, imported into another database and exported again to the
 * same text; import merging and replacing, twice changing nothing, a dry
 * run changing nothing, a bad document changing nothing; the user rules'
 * order and ids kept; response rules; nvctl policy export and import.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/control_proto.h"
#include "daemon/daemon.h"
#include "fixture_cli.h"
#include "fixture_db.h"
#include "runtime/live.h"
#include "store/db.h"
#include "store/doc.h"
#include "store/doc_db.h"
#include "store/store.h"

static char err[1024];
static sqlite3 *db;

/* Each test on an empty database of its own. */
static void
db_setup(void)
{
	err[0] = '\0';
	fxdb_setup();
	db = fxdb_open();
}

static void
db_teardown(void)
{
	fxdb_teardown(&db);
}

/* A whole document, with every kind of thing in it (not canonical). */
static const char full[] =
    "{\"nvd_policy\": 1,\n"
    " \"groups\": [\n"
    "  {\"name\": \"external\", \"kind\": \"builtin\", \"mode\": \"monitor\"},\n"
    "  {\"name\": \"web\", \"criteria\": [\"name=web*\", \"address=10.1.2.3/8\"],"
    " \"mode\": \"protect\"},\n"
    "  {\"name\": \"db\", \"kind\": \"user\", \"criteria\": [\"label:tier=db\"],"
    " \"mode\": \"discover\"},\n"
    "  {\"name\": \"nv.api\", \"mode\": \"monitor\"},\n"
    "  {\"name\": \"fqdn:example.com\", \"mode\": \"discover\"}],\n"
    " \"rules\": [\n"
    "  {\"from\": \"web\", \"to\": \"db\", \"applications\": [\"PostgreSQL\"],"
    " \"ports\": [\"tcp/5432\"], \"action\": \"allow\"},\n"
    "  {\"from\": \"web\", \"to\": \"external\", \"action\": \"deny\", \"type\": \"user\"},\n"
    "  {\"from\": \"nv.api\", \"to\": \"fqdn:example.com\", \"applications\": [\"tls\"],"
    " \"ports\": [\"tcp/443\"], \"action\": \"allow\", \"type\": \"learned\"}],\n"
    " \"sensors\": [{\"name\": \"pii\", \"type\": \"dlp\", \"rules\": [\n"
    "  {\"name\": \"card\", \"validator\": \"luhn\", \"patterns\": [{\"pattern\": "
    "\"[0-9]{16}\"}, {\"pattern\": \"test\", \"context\": \"body\", \"negate\": true}]}]}],\n"
    " \"assignments\": [{\"group\": \"web\", \"sensor\": \"pii\", \"action\": \"deny\"}]}\n";

/* What doc_write() makes of it. */
static const char full_written[] =
    "{\n"
    "  \"nvd_policy\": 1,\n"
    "  \"groups\": [\n"
    "    {\"name\": \"external\", \"kind\": \"builtin\", \"mode\": \"monitor\"},\n"
    "    {\"name\": \"web\", \"kind\": \"user\", \"criteria\": [\"name=web*\", "
    "\"address=10.0.0.0/8\"], \"mode\": \"protect\"},\n"
    "    {\"name\": \"db\", \"kind\": \"user\", \"criteria\": [\"label:tier=db\"], "
    "\"mode\": \"discover\"},\n"
    "    {\"name\": \"nv.api\", \"kind\": \"learned\", \"mode\": \"monitor\"},\n"
    "    {\"name\": \"fqdn:example.com\", \"kind\": \"user\", \"criteria\": "
    "[\"address=example.com\"], \"mode\": \"discover\"}\n"
    "  ],\n"
    "  \"rules\": [\n"
    "    {\"from\": \"web\", \"to\": \"db\", \"applications\": [\"postgresql\"], \"ports\": "
    "[\"tcp/5432\"], \"action\": \"allow\", \"type\": \"user\"},\n"
    "    {\"from\": \"web\", \"to\": \"external\", \"applications\": [\"any\"], \"ports\": "
    "[\"any\"], \"action\": \"deny\", \"type\": \"user\"},\n"
    "    {\"from\": \"nv.api\", \"to\": \"fqdn:example.com\", \"applications\": [\"tls\"], "
    "\"ports\": [\"tcp/443\"], \"action\": \"allow\", \"type\": \"learned\"}\n"
    "  ],\n"
    "  \"sensors\": [\n"
    "    {\"name\": \"pii\", \"type\": \"dlp\", \"rules\": [\n"
    "      {\"name\": \"card\", \"validator\": \"luhn\", \"patterns\": [{\"pattern\": "
    "\"[0-9]{16}\", \"context\": \"packet\", \"negate\": false}, {\"pattern\": \"test\", "
    "\"context\": \"body\", \"negate\": true}]}\n"
    "    ]}\n"
    "  ],\n"
    "  \"assignments\": [\n"
    "    {\"group\": \"web\", \"sensor\": \"pii\", \"action\": \"deny\"}\n"
    "  ]\n"
    "}\n";

static const char *
written(const struct doc *d)
{
	static struct buf b;

	buf_free(&b);
	buf_init(&b);
	doc_write(d, &b);
	buf_append(&b, "", 1);
	ck_assert(!buf_failed(&b));
	return b.data;
}

START_TEST(test_parse_full)
{
	struct doc d, e;
	char *once;

	ck_assert_msg(doc_parse(full, strlen(full), &d, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(d.ngroups, 5);
	ck_assert_int_eq(d.groups[0].kind, GROUP_BUILTIN);
	ck_assert_int_eq(d.groups[3].kind, GROUP_LEARNED);
	ck_assert_int_eq(d.groups[4].kind, GROUP_USER);
	ck_assert_str_eq(d.groups[4].criteria, "address=example.com");
	ck_assert_int_eq(d.nrules, 3);
	ck_assert_str_eq(d.rules[0].apps, "postgresql");
	ck_assert_str_eq(d.rules[1].ports, "any");
	ck_assert_int_eq(d.rules[2].type, RULE_LEARNED);
	ck_assert_int_eq(d.nsensors, 1);
	ck_assert_int_eq(d.sensors[0].rules[0].npat, 2);
	ck_assert_int_eq(d.sensors[0].rules[0].pat[1].ctx, SCTX_BODY);
	ck_assert_int_eq(d.sensors[0].rules[0].pat[1].negate, 1);
	ck_assert_int_eq(d.nassigns, 1);
	ck_assert_int_eq(d.assigns[0].deny, 1);
	once = strdup(written(&d));
	ck_assert_str_eq(once, full_written);
	/* What is written reads back to the same text. */
	ck_assert_msg(doc_parse(once, strlen(once), &e, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(written(&e), once);
	free(once);
	doc_free(&d);
	doc_free(&e);
}
END_TEST

/* A document with one thing wrong: the error, and nothing kept. */
static void
bad(const char *text, const char *want)
{
	struct doc d;

	memset(&d, 0xa5, sizeof(d));
	ck_assert_msg(doc_parse(text, strlen(text), &d, err, sizeof(err)) == -1, "parsed: %s",
	    text);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(d.groups);
	ck_assert_int_eq(d.nrules, 0);
}

#define DOC(x) "{\"nvd_policy\": 1, " x "}"
#define G(x) DOC("\"groups\": [" x "]")
#define R(x) DOC("\"rules\": [" x "]")
#define S(x) DOC("\"sensors\": [" x "]")
#define A(x) DOC("\"assignments\": [" x "]")
#define ADM(x) DOC("\"admission\": {" x "}")

START_TEST(test_parse_errors)
{
	bad("{\"nvd_policy\": 1,\n \"groups\": [\n  {\"name\" \"web\"}]}",
	    "line 3, column 11: expected ':' after object key");
	bad("[]", "$: expected an object");
	bad("{}", "$: not an nvd policy document (no \"nvd_policy\": 1)");
	bad("{\"nvd_policy\": 2}", "$: nvd_policy 2 is newer than this nvd reads (1)");
	bad("{\"nvd_policy\": \"1\"}", "$: nvd_policy: expected 1");
	bad(DOC("\"group\": []"), "$: unknown field 'group' (expected nvd_policy, groups, rules, "
	    "sensors, assignments, admission, responses)");
	bad(DOC("\"groups\": {}"), "$.groups: expected an array");
	bad(G("[]"), "$.groups[0]: expected an object");
	bad(G("{\"name\": \"web\", \"criteria\": [\"name=web\"], \"mode\": \"protected\"}"),
	    "$.groups[0].mode: bad mode 'protected' (expected discover, monitor or protect)");
	bad(G("{\"name\": \"web\", \"mode\": \"protect\"}"), "$.groups[0].criteria: missing");
	bad(G("{\"name\": \"web\", \"criteria\": [], \"mode\": \"protect\"}"),
	    "$.groups[0].criteria: expected an array of strings, not empty");
	bad(G("{\"name\": \"web\", \"criteria\": [\"color=red\"], \"mode\": \"protect\"}"),
	    "$.groups[0].criteria: criterion 'color=red': unknown key 'color' (expected name=, "
	    "image=, label:KEY= or address=)");
	bad(G("{\"name\": \"web\", \"criteria\": [\"name=a,b\"], \"mode\": \"protect\"}"),
	    "$.groups[0].criteria[0]: one item per string (no ',')");
	bad(G("{\"name\": \"web\", \"criteria\": [1], \"mode\": \"protect\"}"),
	    "$.groups[0].criteria[0]: expected a non-empty string");
	bad(G("{\"name\": \"a b\", \"criteria\": [\"name=x\"], \"mode\": \"protect\"}"),
	    "$.groups[0].name: group name 'a b': only letters, digits, '_', '.' and '-'");
	bad(G("{\"name\": \"\", \"mode\": \"protect\"}"), "$.groups[0].name: empty");
	bad(G("{\"name\": \"nv.web\", \"kind\": \"user\", \"mode\": \"discover\"}"),
	    "$.groups[0].kind: group 'nv.web' is a learned group");
	bad(G("{\"name\": \"nv.\", \"mode\": \"discover\"}"),
	    "$.groups[0].name: learned group name 'nv.': 'nv.' and letters, digits, '_', '.' and "
	    "'-'");
	bad(G("{\"name\": \"host\", \"criteria\": [\"name=x\"], \"mode\": \"discover\"}"),
	    "$.groups[0].criteria: group 'host' is a built-in group: it has no criteria");
	bad(G("{\"name\": \"host\", \"mode\": \"discover\", \"colour\": 1}"),
	    "$.groups[0]: unknown field 'colour' (expected name, kind, criteria, mode)");
	bad(G("{\"name\": \"host\", \"mode\": \"discover\", \"mode\": \"protect\"}"),
	    "$.groups[0]: field 'mode' given twice");
	bad(G("{\"name\": \"db\", \"criteria\": [\"name=db\"], \"mode\": \"discover\"},"
	    "{\"name\": \"db\", \"criteria\": [\"name=x\"], \"mode\": \"protect\"}"),
	    "$.groups[1].name: group is already at $.groups[0]");
	bad(G("{\"name\": \"fqdn:example.com\", \"criteria\": [\"address=other.com\"], "
	    "\"mode\": \"discover\"}"), "$.groups[0].criteria: group 'fqdn:example.com' has "
	    "exactly [\"address=example.com\"]");
	bad(R("{\"from\": \"a\", \"to\": \"b\"}"), "$.rules[0].action: missing");
	bad(R("{\"from\": \"a\", \"to\": \"b\", \"action\": \"permit\"}"),
	    "$.rules[0].action: bad action 'permit' (expected allow or deny)");
	bad(R("{\"from\": \"a\", \"to\": \"b\", \"action\": \"allow\", \"ports\": [\"tcp/99999\"]}"),
	    "$.rules[0].ports: port spec 'tcp/99999': port out of range (1-65535)");
	bad(R("{\"from\": \"a\", \"to\": \"b\", \"action\": \"allow\", \"applications\": "
	    "[\"any\", \"http\"]}"), "$.rules[0].applications: application 'any' stands alone");
	bad(R("{\"from\": \"a\", \"to\": \"b\", \"action\": \"deny\", \"type\": \"learned\"}"),
	    "$.rules[0].action: a learned rule allows");
	bad(R("{\"from\": \"a\", \"to\": \"b\", \"action\": \"allow\", \"type\": \"learned\"},"
	    "{\"from\": \"a\", \"to\": \"b\", \"action\": \"allow\", \"type\": \"learned\", "
	    "\"ports\": [\"any\"]}"), "$.rules[1]: the same learned rule is already at $.rules[0]");
	bad(S("{\"name\": \"sensor.waf\", \"type\": \"waf\"}"), "$.sensors[0].name: sensor "
	    "'sensor.waf' is built in: its rules come from rules_dir, not from a document");
	bad(S("{\"name\": \"s\", \"type\": \"ids\"}"),
	    "$.sensors[0].type: bad type 'ids' (expected dlp or waf)");
	bad(S("{\"name\": \"s\", \"type\": \"dlp\", \"rules\": [{\"name\": \"r\", \"patterns\": "
	    "[{\"pattern\": \"a(\"}]}]}"), "$.sensors[0].rules[0]: rule 'r' pattern 1: missing "
	    "closing parenthesis at offset 2");
	bad(S("{\"name\": \"s\", \"type\": \"dlp\", \"rules\": [{\"name\": \"r\", \"patterns\": "
	    "[{\"pattern\": \"a\", \"negate\": 1}]}]}"),
	    "$.sensors[0].rules[0].patterns[0].negate: expected true or false");
	bad(S("{\"name\": \"s\", \"type\": \"dlp\", \"rules\": [{\"name\": \"r\", \"patterns\": "
	    "[{\"pattern\": \"a\", \"negate\": true}]}]}"),
	    "$.sensors[0].rules[0]: rule 'r' has only negated patterns");
	bad(S("{\"name\": \"s\", \"type\": \"dlp\", \"rules\": [{\"name\": \"r\", \"patterns\": "
	    "[{\"pattern\": \"a\"}]}, {\"name\": \"r\", \"patterns\": [{\"pattern\": \"b\"}]}]}"),
	    "$.sensors[0].rules[1].name: rule 'r' is already at [0]");
	bad(A("{\"group\": \"g\", \"sensor\": \"s\", \"action\": \"block\"}"),
	    "$.assignments[0].action: bad action 'block' (expected alert or deny)");
	bad(A("{\"group\": \"g\", \"sensor\": \"s\", \"action\": \"deny\"},"
	    "{\"group\": \"g\", \"sensor\": \"s\", \"action\": \"alert\"}"), "$.assignments[1]: the "
	    "assignment of this sensor to this group is already at $.assignments[0]");
	bad(A("{\"group\": \"g\", \"sensor\": \"s\", \"action\": \"deny\", \"paranoia\": 2}"),
	    "$.assignments[0]: paranoia and threshold are for sensor.crs only");
	bad(A("{\"group\": \"g\", \"sensor\": \"sensor.crs\", \"action\": \"deny\", "
	    "\"paranoia\": 5}"), "$.assignments[0].paranoia: expected an integer from 1 to 4");
	bad(A("{\"group\": \"g\", \"sensor\": \"sensor.crs\", \"action\": \"deny\", "
	    "\"threshold\": \"5\"}"),
	    "$.assignments[0].threshold: expected an integer from 1 to 10000");
	bad(ADM("\"mode\": \"strict\""),
	    "$.admission.mode: bad mode 'strict' (expected monitor or protect)");
	bad(ADM("\"rules\": []"), "$.admission.mode: missing");
	bad(ADM("\"mode\": \"protect\", \"rules\": [{\"action\": \"deny\", \"criteria\": "
	    "[\"priviledged\"]}]"), "$.admission.rules[0].criteria: unknown criterion "
	    "'priviledged' (expected privileged, root, host-network, host-pid, host-ipc, host-uts, "
	    "unconfined, env-secret, no-limits, mount=GLOB, device=GLOB, image=GLOB, "
	    "registry=GLOB, tag=GLOB, label:KEY=GLOB, cap=NAME, port=N[-M])");
	bad(ADM("\"mode\": \"protect\", \"rules\": [{\"action\": \"deny\", \"criteria\": "
	    "[\"root\"], \"comment\": \"a\\tb\"}]"),
	    "$.admission.rules[0].comment: no control characters");
	bad(ADM("\"mode\": \"protect\", \"rules\": [{\"builtin\": \"a\", \"action\": "
	    "\"deny\"}]"), "$.admission.rules[0]: unknown field 'action' (expected builtin, "
	    "enabled)");
	bad(ADM("\"mode\": \"protect\", \"rules\": [{\"builtin\": \"a\"}, {\"builtin\": "
	    "\"a\", \"enabled\": false}]"), "$.admission.rules[1].builtin: the same built-in "
	    "admission rule is already at $.admission.rules[0]");
	bad(ADM("\"mode\": \"protect\", \"rules\": [{\"action\": \"allow\", \"criteria\": "
	    "[\"image=x\"], \"enabled\": \"yes\"}]"),
	    "$.admission.rules[0].enabled: expected true or false");
}
END_TEST

/* Lists past their bounds are refused before their items are read. */
START_TEST(test_parse_bounds)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, S(""));
	b.len -= 2;	/* "]}" */
	for (int i = 0; i <= SENSOR_MAX; i++)
		buf_printf(&b, "%s{\"name\": \"s%d\", \"type\": \"dlp\"}", i ? "," : "", i);
	buf_puts(&b, "]}");
	bad(b.data, "$.sensors: more than 64 items");
	buf_free(&b);
}
END_TEST

/* --- import and export -------------------------------------------------------- */

static struct buf changes;

static void
collect(void *ctx, const char *object, const char *what, const char *name, const char *detail)
{
	(void)ctx;
	buf_printf(&changes, "%s %s %s: %s\n", object, name, what, detail);
}

/* Imports text; the changes (or -1), their lines in changes. */
static int
import(const char *text, int mode, int dry)
{
	struct doc d;
	int n;

	buf_reset(&changes);
	ck_assert_msg(doc_parse(text, strlen(text), &d, err, sizeof(err)) == 0, "%s", err);
	n = doc_import(db, &d, mode, dry, collect, NULL, err, sizeof(err));
	doc_free(&d);
	buf_append(&changes, "", 1);
	changes.len--;
	return n;
}

/* The database's policy as exported; it lives until the next call. */
static const char *
exported(sqlite3 *from)
{
	static char *s;
	struct doc d;

	free(s);
	ck_assert_msg(doc_export(from, NULL, 0, &d, err, sizeof(err)) == 0, "%s", err);
	s = strdup(written(&d));
	doc_free(&d);
	return s;
}

START_TEST(test_import_merge)
{
	char *before;
	int64_t id;
	struct policy_rule r;

	/* Here already: a user group the document changes, a rule it lacks. */
	ck_assert_int_eq(store_group_add(db, "web", "name=old*", MODE_DISCOVER, err, sizeof(err)), 0);
	memset(&r, 0, sizeof(r));
	strcpy(r.from, "web");
	strcpy(r.to, "host");
	strcpy(r.apps, "any");
	r.nports = ports_parse("tcp/22", r.ports, POLICY_MAX_PORTS, err, sizeof(err));
	ck_assert_int_eq(store_rule_add(db, &r, 0, &id, err, sizeof(err)), 0);
	ck_assert_int_eq(import(full, DOC_MERGE, 0), 11);
	ck_assert_str_eq(changes.data,
	    "group external changed: mode discover -> monitor\n"
	    "group web changed: criteria name=old* -> name=web*,address=10.0.0.0/8\n"
	    "group web changed: mode discover -> protect\n"
	    "group db added: user, discover, criteria label:tier=db\n"
	    "group nv.api added: learned, monitor\n"
	    "group fqdn:example.com added: user, discover, criteria address=example.com\n"
	    "rule 2 added: web -> db postgresql tcp/5432 allow (user)\n"
	    "rule 3 added: web -> external any any deny (user)\n"
	    "rule 4 added: nv.api -> fqdn:example.com tls tcp/443 allow (learned)\n"
	    "sensor pii added: dlp, 1 rules\n"
	    "assignment pii on web added: deny\n");
	/* Merging keeps what the document lacks: rule 1, first. */
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM rules"), 4);
	ck_assert_int_eq(fxdb_int(db, "SELECT id FROM rules WHERE type = 'user' ORDER BY ord "
	    "LIMIT 1"), 1);
	/* The same document again changes nothing. */
	before = strdup(exported(db));
	ck_assert_int_eq(import(full, DOC_MERGE, 0), 0);
	ck_assert_str_eq(changes.data, "");
	ck_assert_str_eq(exported(db), before);
	free(before);
}
END_TEST

/* sensor.crs's paranoia level and threshold go out and come back. */
START_TEST(test_import_crs)
{
	static const char doc[] = DOC("\"groups\": [{\"name\": \"web\", \"kind\": \"user\", "
	    "\"criteria\": [\"name=web*\"], \"mode\": \"protect\"}], \"assignments\": [{\"group\": "
	    "\"web\", \"sensor\": \"sensor.crs\", \"action\": \"deny\", \"paranoia\": 3, "
	    "\"threshold\": 8}]");

	fxdb_exec(db, "INSERT INTO sensors (name, type, builtin, source, created, updated) "
	    "VALUES ('sensor.crs', 'waf', 1, 'crs_rules', 1, 1)");
	ck_assert_int_eq(import(doc, DOC_MERGE, 0), 2);
	ck_assert_int_eq(fxdb_int(db, "SELECT paranoia * 100 + threshold FROM sensor_assignments "
	    "WHERE sensor = 'sensor.crs'"), 308);
	ck_assert_msg(strstr(exported(db), "\"sensor\": \"sensor.crs\", \"action\": \"deny\", "
	    "\"paranoia\": 3, \"threshold\": 8}") != NULL, "%s", exported(db));
	/* The same again changes nothing; another threshold changes it. */
	ck_assert_int_eq(import(doc, DOC_MERGE, 0), 0);
	fxdb_exec(db, "UPDATE sensor_assignments SET threshold = 5");
	ck_assert_int_eq(import(doc, DOC_MERGE, 0), 1);
	ck_assert_str_eq(changes.data, "assignment sensor.crs on web changed: paranoia 3 -> 3, "
	    "threshold 5 -> 8\n");
}
END_TEST

START_TEST(test_import_replace)
{
	char *before, *swapped, *a, *b;
	int64_t learned;

	ck_assert_int_eq(import(full, DOC_MERGE, 0), 10);
	learned = fxdb_int(db, "SELECT id FROM rules WHERE type = 'learned'");
	/* Here but not in the document: a group, its rule, a sensor. */
	fxdb_exec(db, "INSERT INTO groups VALUES ('extra', 'user', 'name=x', 'protect', 0, 0)");
	fxdb_exec(db, "INSERT INTO rules (from_group, to_group, action, type, ord, created, "
	    "updated) VALUES ('extra', 'web', 'allow', 'user', 0.5, 0, 0)");
	fxdb_exec(db, "INSERT INTO sensors VALUES ('old', 'waf', 0, '', 0, 0)");
	ck_assert_int_eq(import(full, DOC_REPLACE, 0), 3);
	ck_assert_str_eq(changes.data,
	    "rule 4 deleted: extra -> web any any allow (user)\n"
	    "sensor old deleted: waf, 0 rules\n"
	    "group extra deleted: user, protect\n");
	/* The learned rule kept its id. */
	ck_assert_int_eq(fxdb_int(db, "SELECT id FROM rules WHERE type = 'learned'"), learned);
	before = strdup(exported(db));
	ck_assert_int_eq(import(full, DOC_REPLACE, 0), 0);
	ck_assert_str_eq(exported(db), before);

	/* The user rules swapped in the document: the same rules, its order. */
	swapped = strdup(full);
	a = strstr(swapped, "  {\"from\": \"web\", \"to\": \"db\"");
	b = strstr(swapped, "  {\"from\": \"web\", \"to\": \"external\"");
	{
		char first[256], second[256];

		snprintf(first, sizeof(first), "%.*s", (int)(b - a), a);
		snprintf(second, sizeof(second), "%.*s", (int)(strchr(b, '\n') + 1 - b), b);
		first[strlen(first) - 2] = '\0';	/* ",\n" */
		second[strlen(second) - 2] = '\0';
		snprintf(a, strlen(full) + 1 - (size_t)(a - swapped), "%s,\n%s,\n%s", second, first,
		    strstr(full, "  {\"from\": \"nv.api\""));
	}
	ck_assert_int_eq(import(swapped, DOC_MERGE, 0), 0);
	ck_assert_int_eq(import(swapped, DOC_REPLACE, 0), 1);
	ck_assert_str_eq(changes.data, "rule  reordered: 2 user rules, as in the document\n");
	ck_assert_str_eq(fxdb_text(db, "SELECT group_concat(id) FROM (SELECT id FROM rules "
	    "WHERE type = 'user' ORDER BY ord)"), "2,1");
	ck_assert_int_eq(import(swapped, DOC_REPLACE, 0), 0);
	free(swapped);
	free(before);
}
END_TEST

/* A dry run tells the changes and keeps none; a bad document keeps none. */
START_TEST(test_import_nothing_kept)
{
	static const char missing[] = R("{\"from\": \"web\", \"to\": \"nowhere\", "
	    "\"action\": \"allow\"}");
	static const char no_sensor[] = DOC("\"groups\": [{\"name\": \"g\", \"criteria\": "
	    "[\"name=g\"], \"mode\": \"protect\"}], \"assignments\": [{\"group\": \"g\", "
	    "\"sensor\": \"none\", \"action\": \"deny\"}]");
	char *before;

	ck_assert_int_eq(import(full, DOC_MERGE, 0), 10);
	fxdb_exec(db, "UPDATE groups SET mode = 'discover' WHERE name = 'web'");
	before = strdup(exported(db));
	ck_assert_int_eq(import(full, DOC_MERGE, 1), 1);
	ck_assert_str_eq(changes.data, "group web changed: mode discover -> protect\n");
	ck_assert_str_eq(exported(db), before);

	ck_assert_int_eq(import(missing, DOC_MERGE, 0), -1);
	ck_assert_str_eq(err, "$.rules[0].to: group 'nowhere' does not exist (not in the document, "
	    "not on this host)");
	ck_assert_int_eq(import(missing, DOC_REPLACE, 0), -1);
	ck_assert_str_eq(err, "$.rules[0].from: group 'web' is not in the document, and --replace "
	    "deletes it");
	ck_assert_int_eq(import(no_sensor, DOC_MERGE, 0), -1);
	ck_assert_str_eq(err, "$.assignments[0].sensor: sensor 'none' does not exist (not in the "
	    "document, not on this host)");
	ck_assert_str_eq(exported(db), before);
	free(before);
}
END_TEST

/* Exported here, imported into an empty database, exported there: the same. */
START_TEST(test_export_import_elsewhere)
{
	char path[300], *here, *there;
	sqlite3 *other;

	ck_assert_int_eq(import(full, DOC_MERGE, 0), 10);
	here = strdup(exported(db));
	snprintf(path, sizeof(path), "%s/other.db", fxdb_dir);
	ck_assert_ptr_nonnull(other = db_open(path, err, sizeof(err)));
	{
		struct doc d;

		ck_assert_int_eq(doc_parse(here, strlen(here), &d, err, sizeof(err)), 0);
		ck_assert_int_eq(doc_import(other, &d, DOC_REPLACE, 0, collect, NULL, err,
		    sizeof(err)), 10);
		doc_free(&d);
	}
	there = strdup(exported(other));
	ck_assert_str_eq(there, here);
	db_close(other);
	free(here);
	free(there);
}
END_TEST

START_TEST(test_export_groups)
{
	static const char *const one[] = { "db" }, *const none[] = { "nope" };
	struct doc d;

	ck_assert_int_eq(import(full, DOC_MERGE, 0), 10);
	/* db, the rule naming it, the group at its other end (web), and no
	 * assignment of db's. */
	ck_assert_int_eq(doc_export(db, one, 1, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.ngroups, 2);
	ck_assert_str_eq(d.groups[0].name, "db");
	ck_assert_str_eq(d.groups[1].name, "web");
	ck_assert_int_eq(d.nrules, 1);
	ck_assert_int_eq(d.nsensors, 0);
	ck_assert_int_eq(d.nassigns, 0);
	doc_free(&d);
	ck_assert_int_eq(doc_export(db, none, 1, &d, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "group 'nope' does not exist");
}
END_TEST

/* Admission control: the mode, user rules whole, built-in ones by name. */
START_TEST(test_import_admission)
{
	static const char adm[] = ADM("\"mode\": \"protect\", \"rules\": ["
	    "{\"action\": \"deny\", \"criteria\": [\"mount=/var/run/docker.sock\", \"privileged\"], "
	    "\"comment\": \"no\"}, {\"action\": \"allow\", \"criteria\": [\"image=trusted/*\"], "
	    "\"enabled\": false}, {\"builtin\": \"priv\"}]");
	static const char none[] = ADM("\"mode\": \"monitor\", \"rules\": [{\"builtin\": \"nope\"}]");
	char *before;

	fxdb_exec(db, "INSERT INTO admission_rules (action, criteria, enabled, builtin, name, "
	    "source, created, updated) VALUES ('deny', 'privileged', 0, 1, 'priv', "
	    "'admission.rules', 0, 0)");
	fxdb_exec(db, "INSERT INTO admission_rules (action, criteria, created, updated) VALUES "
	    "('deny', 'root', 0, 0)");
	ck_assert_int_eq(import(adm, DOC_MERGE, 0), 4);
	ck_assert_str_eq(changes.data,
	    "admission mode changed: monitor -> protect\n"
	    "admission rule 3 added: deny mount=/var/run/docker.sock,privileged (no)\n"
	    "admission rule 4 added: allow image=trusted/*, disabled\n"
	    "admission rule 1 changed: priv: enabled\n");
	ck_assert_int_eq(import(adm, DOC_MERGE, 0), 0);
	/* What the document lacks goes with --replace (the built-in rule stays). */
	ck_assert_int_eq(import(adm, DOC_REPLACE, 0), 1);
	ck_assert_str_eq(changes.data, "admission rule 2 deleted: deny root\n");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM admission_rules"), 3);
	/* Exported as it was given, and read back the same. */
	before = strdup(exported(db));
	ck_assert_ptr_nonnull(strstr(before, ",\n  \"admission\": {\"mode\": \"protect\", \"rules\": "
	    "[\n    {\"builtin\": \"priv\", \"enabled\": true},\n    {\"action\": \"deny\", "
	    "\"criteria\": [\"mount=/var/run/docker.sock\", \"privileged\"], \"comment\": \"no\", "
	    "\"enabled\": true},\n    {\"action\": \"allow\", \"criteria\": [\"image=trusted/*\"], "
	    "\"enabled\": false}\n  ]},\n  \"responses\": []\n}\n"));
	ck_assert_int_eq(import(before, DOC_REPLACE, 0), 0);
	ck_assert_int_eq(import(none, DOC_MERGE, 0), -1);
	ck_assert_str_eq(err, "$.admission.rules[0].builtin: admission rule 'nope' is not built in "
	    "here (rules_dir)");
	ck_assert_str_eq(exported(db), before);
	free(before);
}
END_TEST

#define RESP(x) DOC("\"responses\": [" x "]")

/* Response rules: read as nvctl response add reads its options, matched
 * by what they are (their ids here are this host's), exported as given. */
START_TEST(test_import_responses)
{
	static const char doc[] = DOC("\"groups\": [{\"name\": \"web\", \"criteria\": "
	    "[\"name=web*\"], \"mode\": \"protect\"}], \"responses\": ["
	    "{\"category\": \"security-event\", \"group\": \"web\", \"criteria\": "
	    "[\"name=no rule\"], \"actions\": [\"quarantine\"]}, "
	    "{\"category\": \"event\", \"actions\": [\"webhook=https://siem.example/hook\", "
	    "\"suppress-log\"], \"enabled\": false}]");
	static const char off[] = RESP("{\"category\": \"security-event\", \"group\": \"web\", "
	    "\"criteria\": [\"name=no rule\"], \"actions\": [\"quarantine\"], "
	    "\"enabled\": false}");
	char *before;

	fxdb_exec(db, "INSERT INTO response_rules (category, criteria, actions, created, updated) "
	    "VALUES ('security-event', 'level=critical', 'suppress-log', 0, 0)");
	ck_assert_int_eq(import(doc, DOC_MERGE, 0), 3);
	ck_assert_str_eq(changes.data,
	    "group web added: user, protect, criteria name=web*\n"
	    "response rule 2 added: security-event of group web: name=no rule -> quarantine\n"
	    "response rule 3 added: event: every event -> webhook=https://siem.example/hook,"
	    "suppress-log, disabled\n");
	ck_assert_int_eq(import(doc, DOC_MERGE, 0), 0);
	ck_assert_int_eq(import(off, DOC_MERGE, 0), 1);
	ck_assert_str_eq(changes.data, "response rule 2 changed: security-event of group web: "
	    "name=no rule -> quarantine: disabled\n");
	/* --replace: what the document lacks goes. */
	ck_assert_int_eq(import(doc, DOC_REPLACE, 1), 2);
	ck_assert_str_eq(changes.data,
	    "response rule 2 changed: security-event of group web: name=no rule -> quarantine: "
	    "enabled\n"
	    "response rule 1 deleted: security-event: level=critical -> suppress-log\n");
	ck_assert_int_eq(import(doc, DOC_REPLACE, 0), 2);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM response_rules"), 2);
	before = strdup(exported(db));
	ck_assert_ptr_nonnull(strstr(before, ",\n  \"responses\": [\n"
	    "    {\"category\": \"security-event\", \"group\": \"web\", \"criteria\": "
	    "[\"name=no rule\"], \"actions\": [\"quarantine\"], \"enabled\": true},\n"
	    "    {\"category\": \"event\", \"actions\": [\"webhook=https://siem.example/hook\", "
	    "\"suppress-log\"], \"enabled\": false}\n  ]\n}\n"));
	ck_assert_int_eq(import(before, DOC_REPLACE, 0), 0);
	/* A group neither in the document nor here; nothing changed. */
	ck_assert_int_eq(import(RESP("{\"category\": \"security-event\", \"group\": \"db\", "
	    "\"actions\": [\"quarantine\"]}"), DOC_MERGE, 0), -1);
	ck_assert_str_eq(err, "$.responses[0].group: group 'db' does not exist (not in the "
	    "document, not on this host)");
	ck_assert_str_eq(exported(db), before);
	free(before);
}
END_TEST

START_TEST(test_parse_responses)
{
	bad(RESP("{\"category\": \"security\", \"actions\": [\"quarantine\"]}"),
	    "$.responses[0].category: bad category 'security' (expected security-event, event, "
	    "cve-report, compliance or admission)");
	bad(RESP("{\"category\": \"event\"}"), "$.responses[0].actions: missing");
	bad(RESP("{\"category\": \"event\", \"criteria\": [\"color=red\"], "
	    "\"actions\": [\"suppress-log\"]}"),
	    "$.responses[0].criteria: criterion 'color=red': unknown key 'color' (expected name=, "
	    "level=, type=, sensor= or app=)");
	bad(RESP("{\"category\": \"event\", \"actions\": [\"webhook=ftp://x\"]}"),
	    "$.responses[0].actions: webhook URL 'ftp://x': expected http:// or https://");
	bad(RESP("{\"category\": \"event\", \"actions\": [\"quarantine\"]}"),
	    "$.responses[0]: action quarantine is for categories security-event, cve-report and "
	    "compliance (category event names no attacker to quarantine)");
	bad(RESP("{\"category\": \"event\", \"actions\": [\"suppress-log\"]}, "
	    "{\"category\": \"event\", \"actions\": [\"suppress-log\"], \"enabled\": false}"),
	    "$.responses[1]: the same response rule is already at $.responses[0]");
	bad(RESP("{\"category\": \"event\", \"actions\": [\"suppress-log\"], \"id\": 3}"),
	    "$.responses[0]: unknown field 'id' (expected category, group, criteria, actions, "
	    "enabled)");
}
END_TEST

/* --- nvctl policy ---------------------------------------------------------------- */

static struct fxcli cli;

static void
cli_setup(void)
{
	db_setup();
	fxcli_init_live(&cli, db);
}

static void
cli_teardown(void)
{
	fxcli_free_live(&cli);
	db_teardown();
}

#define pol(json, ...) fxcli_cmd(&cli, json, "policy", __VA_ARGS__)

START_TEST(test_cli)
{
	char *doc;

	ck_assert_int_eq(pol(0, "import", "p.json", "--document", full, "--dry-run", NULL),
	    CTL_RESP_OK);
	ck_assert_int_eq(strncmp(fxcli_reply(&cli), "group external changed: mode discover -> "
	    "monitor\n", 49), 0);
	ck_assert_ptr_nonnull(strstr(fxcli_reply(&cli), "\n10 changes (dry run: nothing saved)\n"));
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM rules"), 0);
	ck_assert_int_eq(pol(1, "import", "p.json", "--document", full, NULL), CTL_RESP_OK);
	ck_assert_ptr_nonnull(strstr(fxcli_reply(&cli), "],\"count\":10,\"dry_run\":false}\n"));
	/* The running policy has it. */
	ck_assert_int_ge(policy_group_find(live_current(&cli.d.live), "db"), 0);
	ck_assert_int_eq(pol(0, "import", "p.json", "--document", full, NULL), CTL_RESP_OK);
	ck_assert_str_eq(fxcli_reply(&cli), "no changes\n");
	ck_assert_int_eq(pol(0, "export", NULL), CTL_RESP_OK);
	doc = strdup(fxcli_reply(&cli));
	ck_assert_int_eq(pol(0, "import", "p.json", "--document", doc, "--replace", NULL),
	    CTL_RESP_OK);
	ck_assert_str_eq(fxcli_reply(&cli), "no changes\n");
	free(doc);
	ck_assert_int_eq(pol(0, "export", "--groups", "db,nope", NULL), CTL_RESP_NOTFOUND);
	ck_assert_str_eq(fxcli_reply(&cli), "group 'nope' does not exist");
	ck_assert_int_eq(pol(0, "export", "--groups", "db,,web", NULL), CTL_RESP_USAGE);
	ck_assert_int_eq(pol(0, "import", "p.json", "--document", G("{}"), NULL),
	    CTL_RESP_ERROR);
	ck_assert_str_eq(fxcli_reply(&cli), "p.json: $.groups[0].name: missing");
	ck_assert_int_eq(pol(0, "import", "p.json", NULL), CTL_RESP_USAGE);
	ck_assert_str_eq(fxcli_reply(&cli), "usage: nvctl policy import FILE [--dry-run] "
	    "[--replace]");
	ck_assert_int_eq(pol(0, (char *)NULL), CTL_RESP_USAGE);
	ck_assert_str_eq(fxcli_reply(&cli), "usage: nvctl policy export|import ...");
}
END_TEST

static Suite *
doc_suite(void)
{
	Suite *s = suite_create("doc");
	TCase *tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, db_setup, db_teardown);
	tcase_add_test(tc, test_parse_full);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_parse_bounds);
	tcase_add_test(tc, test_parse_responses);
	suite_add_tcase(s, tc);

	tc = tcase_create("database");
	tcase_add_checked_fixture(tc, db_setup, db_teardown);
	tcase_add_test(tc, test_import_merge);
	tcase_add_test(tc, test_import_replace);
	tcase_add_test(tc, test_import_crs);
	tcase_add_test(tc, test_import_nothing_kept);
	tcase_add_test(tc, test_export_import_elsewhere);
	tcase_add_test(tc, test_export_groups);
	tcase_add_test(tc, test_import_admission);
	tcase_add_test(tc, test_import_responses);
	suite_add_tcase(s, tc);

	tc = tcase_create("nvctl");
	tcase_add_checked_fixture(tc, cli_setup, cli_teardown);
	tcase_add_test(tc, test_cli);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	buf_init(&changes);
	return fxdb_main("check_doc", doc_suite());
}
