/*
 * handle_sensor.c: nvctl sensor commands: DLP and WAF sensors, their
 * rules, their assignments to groups, and matching a text against one.
 *
 * Changes go to the database (store_sensor.c, one transaction each), then
 * live_rebuild() applies them to the running policy before the reply.
 * `sensor test` compiles the sensor as stored, on its own, so a sensor
 * can be tried before it is assigned to any group.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "daemon/request.h"
#include "base/control_proto.h"
#include "daemon/daemon.h"
#include "daemon/handle_crs.h"
#include "http/http_args.h"
#include "policy/policy.h"
#include "sensor/crs.h"
#include "sensor/rules_file.h"
#include "sensor/sensor.h"
#include "store/store.h"
#include "base/table.h"

#define USAGE_LIST	"sensor list"
#define USAGE_SHOW	"sensor show NAME"
#define USAGE_ADD	"sensor add NAME --type dlp|waf"
#define USAGE_DEL	"sensor delete NAME"
#define USAGE_RULE_ADD	"sensor rule add SENSOR NAME --pattern [!]REGEX " \
	"[--context packet|url|header|body|args] [--pattern ...]... [--validator luhn|ssn]"
#define USAGE_RULE_DEL	"sensor rule delete SENSOR NAME"
#define USAGE_RULE	"sensor rule add|delete ..."
#define USAGE_ASSIGN	"sensor assign GROUP SENSOR --action alert|deny " \
	"[--paranoia 1-4] [--threshold N]"
#define USAGE_UNASSIGN	"sensor unassign GROUP SENSOR"
#define USAGE_TEST	"sensor test SENSOR (--input TEXT | --file PATH | --hex HEX) " \
	"[--context C] [--rule NAME] [--paranoia 1-4] [--threshold N]"
#define USAGE_SENSOR	"sensor list|show|add|delete|rule|assign|unassign|test ..."

/* --- output -------------------------------------------------------------- */

/* "web:deny,db:alert" of the assignments of sensor, or "-"; sensor.crs's
 * with their paranoia level and threshold ("web:deny/pl2/t5"). */
static void
text_assigned(struct buf *o, const struct policy_assign *a, int n, const char *sensor)
{
	size_t start = o->len;

	for (int i = 0; i < n; i++) {
		if (strcmp(a[i].sensor, sensor) != 0)
			continue;
		buf_printf(o, "%s%s:%s", o->len > start ? "," : "", a[i].group,
		    a[i].deny ? "deny" : "alert");
		if (strcmp(sensor, CRS_SENSOR) == 0)
			buf_printf(o, "/pl%d/t%d", a[i].paranoia, a[i].threshold);
	}
	if (o->len == start)
		buf_puts(o, "-");
}

/* A sensor's fields, the object left open for more. */
static void
json_sensor_open(struct buf *o, const struct store_sensor *s, const struct policy_assign *a,
    int n)
{
	int first = 1;

	buf_puts(o, "{\"name\":");
	buf_json_str(o, s->name);
	buf_printf(o, ",\"type\":\"%s\",\"builtin\":%s,\"source\":", sensor_type_name(s->type),
	    s->builtin ? "true" : "false");
	buf_json_str(o, s->builtin ? s->source : NULL);
	buf_printf(o, ",\"rule_count\":%d,\"created\":", s->nrules);
	req_json_time(o, s->created);
	buf_puts(o, ",\"updated\":");
	req_json_time(o, s->updated);
	buf_puts(o, ",\"assignments\":[");
	for (int i = 0; i < n; i++) {
		if (strcmp(a[i].sensor, s->name) != 0)
			continue;
		buf_puts(o, first ? "{\"group\":" : ",{\"group\":");
		buf_json_str(o, a[i].group);
		buf_printf(o, ",\"action\":\"%s\"", a[i].deny ? "deny" : "alert");
		if (strcmp(s->name, CRS_SENSOR) == 0)
			buf_printf(o, ",\"paranoia\":%d,\"threshold\":%d", a[i].paranoia,
			    a[i].threshold);
		buf_puts(o, "}");
		first = 0;
	}
	buf_puts(o, "]");
}

static void
json_rule(struct buf *o, const struct sensor_rule_spec *r)
{
	buf_puts(o, "{\"name\":");
	buf_json_str(o, r->name);
	buf_printf(o, ",\"validator\":\"%s\",\"patterns\":[", sensor_validator_name(r->validator));
	for (int k = 0; k < r->npat; k++) {
		buf_printf(o, "%s{\"context\":\"%s\",\"negate\":%s,\"pattern\":", k ? "," : "",
		    sensor_ctx_name(r->pat[k].ctx), r->pat[k].negate ? "true" : "false");
		buf_json_str(o, r->pat[k].re);
		buf_puts(o, "}");
	}
	buf_puts(o, "]}");
}

/* A rule's rows: its name and validator on the first pattern's only. */
static void
rule_rows(struct table *t, const struct sensor_rule_spec *r)
{
	for (int k = 0; k < r->npat; k++) {
		char pat[SENSOR_PATTERN_MAX + 1];

		table_add(t, k ? "" : r->name);
		table_add(t, k ? "" : r->validator == SVAL_NONE ? "-" :
		    sensor_validator_name(r->validator));
		table_add(t, sensor_ctx_name(r->pat[k].ctx));
		snprintf(pat, sizeof(pat), "%s%s", r->pat[k].negate ? "!" : "", r->pat[k].re);
		table_add(t, pat);
	}
}

/* --- list, show, add, delete --------------------------------------------- */

static int
cmd_list(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct table t = { .ncols = 5 };
	struct store_sensor *s;
	struct policy_assign *a;
	char err[512];
	int n, na;

	if (req_parse(argc, argv, NULL, NULL, 0, 0) < 0)
		return req_usage(o, USAGE_LIST);
	if (store_sensor_list(d->db, &s, &n, err, sizeof(err)) < 0)
		return req_error(o, CTL_RESP_ERROR, "%s", err);
	if (store_sensor_assignments(d->db, NULL, NULL, &a, &na, err, sizeof(err)) < 0) {
		free(s);
		return req_error(o, CTL_RESP_ERROR, "%s", err);
	}
	if (json) {
		buf_puts(o, "[");
		for (int i = 0; i < n; i++) {
			buf_puts(o, i ? "," : "");
			json_sensor_open(o, &s[i], a, na);
			buf_puts(o, "}");
		}
		buf_puts(o, "]\n");
	} else {
		struct buf g;

		buf_init(&g);
		table_add(&t, "name");
		table_add(&t, "type");
		table_add(&t, "builtin");
		table_add(&t, "rules");
		table_add(&t, "groups");
		for (int i = 0; i < n; i++) {
			table_add(&t, s[i].name);
			table_add(&t, sensor_type_name(s[i].type));
			table_add(&t, s[i].builtin ? "yes" : "no");
			table_addf(&t, "%d", s[i].nrules);
			buf_reset(&g);
			text_assigned(&g, a, na, s[i].name);
			table_add(&t, g.data);
		}
		table_print(&t, o);
		table_free(&t);
		buf_free(&g);
	}
	free(s);
	free(a);
	return CTL_RESP_OK;
}

static void
text_show(struct buf *o, const struct store_sensor *s, const struct sensor_spec *spec,
    const struct policy_assign *a, int na)
{
	struct table t = { .ncols = 4 };
	char tm[32];

	buf_printf(o, "name      %s\ntype      %s\n", s->name, sensor_type_name(s->type));
	if (s->builtin)
		buf_printf(o, "builtin   yes (%s)\n", s->source);
	else
		buf_puts(o, "builtin   no\n");
	buf_printf(o, "created   %s\n", req_text_time(s->created, tm, sizeof(tm)));
	buf_printf(o, "updated   %s\n", req_text_time(s->updated, tm, sizeof(tm)));
	buf_puts(o, "groups    ");
	text_assigned(o, a, na, s->name);
	buf_puts(o, "\n\n");
	if (spec->nrules == 0) {
		buf_puts(o, "no rules\n");
		return;
	}
	table_add(&t, "rule");
	table_add(&t, "validator");
	table_add(&t, "context");
	table_add(&t, "pattern");
	for (int i = 0; i < spec->nrules; i++)
		rule_rows(&t, &spec->rules[i]);
	table_print(&t, o);
	table_free(&t);
}

static int
cmd_show(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct sensor_spec spec;
	struct store_sensor s;
	struct policy_assign *a;
	const char *pos[1];
	char err[512];
	int rc, na;

	if (req_parse(argc, argv, NULL, pos, 1, 1) < 0)
		return req_usage(o, USAGE_SHOW);
	if ((rc = store_sensor_get(d->db, pos[0], &s, &spec, err, sizeof(err))) < 0)
		return req_store_fail(o, rc, err);
	if (store_sensor_assignments(d->db, NULL, s.name, &a, &na, err, sizeof(err)) < 0) {
		free(spec.rules);
		return req_error(o, CTL_RESP_ERROR, "%s", err);
	}
	if (json) {
		json_sensor_open(o, &s, a, na);
		buf_puts(o, ",\"rules\":[");
		for (int i = 0; i < spec.nrules; i++) {
			buf_puts(o, i ? "," : "");
			json_rule(o, &spec.rules[i]);
		}
		buf_puts(o, "]}\n");
	} else
		text_show(o, &s, &spec, a, na);
	free(spec.rules);
	free(a);
	return CTL_RESP_OK;
}

static int
cmd_add(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *type, *pos[1];
	const struct req_opt opts[] = {
		{ .name = "type", .max = 1, .val = &type },
		{ .name = NULL },
	};
	enum sensor_type t;
	char err[512];
	int rc;

	if (req_parse(argc, argv, opts, pos, 1, 1) < 0 || type == NULL)
		return req_usage(o, USAGE_ADD);
	if (sensor_type_parse(type, &t) < 0)
		return req_error(o, CTL_RESP_ERROR,
		    "unknown sensor type '%.40s' (expected dlp or waf)", type);
	rc = store_sensor_add(d->db, pos[0], t, err, sizeof(err));
	if ((rc = req_saved(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	if (json) {
		struct store_sensor s;

		if ((rc = store_sensor_get(d->db, pos[0], &s, NULL, err, sizeof(err))) < 0)
			return req_store_fail(o, rc, err);
		json_sensor_open(o, &s, NULL, 0);
		buf_puts(o, "}\n");
	} else
		buf_printf(o, "sensor %s added\n", pos[0]);
	return CTL_RESP_OK;
}

static int
cmd_delete(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *pos[1];
	char err[512];
	int rc;

	if (req_parse(argc, argv, NULL, pos, 1, 1) < 0)
		return req_usage(o, USAGE_DEL);
	rc = store_sensor_delete(d->db, pos[0], err, sizeof(err));
	if ((rc = req_saved(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	if (json)
		req_json_strings(o, "deleted", pos[0], NULL);
	else
		buf_printf(o, "sensor %s deleted\n", pos[0]);
	return CTL_RESP_OK;
}

/* --- rules --------------------------------------------------------------- */

/* rule add's options, read in the order given by rule_from_args(). */
static const struct req_opt rule_opts[] = {
	{ .name = "pattern", .max = REQ_ANY },
	{ .name = "context", .max = REQ_ANY },
	{ .name = "validator", .max = REQ_ANY },
	{ .name = NULL },
};

/*
 * The rule of the --pattern, --context and --validator options, in order:
 * a --context sets the context of the --pattern right before it, or, before
 * the first --pattern, of every pattern that has none of its own
 * (otherwise packet).  argv has passed req_parse() with rule_opts.
 * CTL_RESP_OK, or an error code with the message in o.
 */
static int
rule_from_args(int argc, char **argv, struct sensor_rule_spec *r, struct buf *o)
{
	enum sensor_ctx def = SCTX_PACKET, c;
	int own[SENSOR_RULE_PATTERNS] = { 0 }, defset = 0, valset = 0;
	enum req_step step;
	struct req_walk w;
	char err[256];

	req_walk_start(&w, argc, argv, rule_opts);
	while ((step = req_walk_next(&w)) == REQ_WORD || step == REQ_OPTION) {
		if (step == REQ_WORD)
			continue;
		if (strcmp(w.opt->name, "pattern") == 0) {
			if (r->npat == SENSOR_RULE_PATTERNS)
				return req_error(o, CTL_RESP_ERROR, "at most %d patterns in a rule",
				    SENSOR_RULE_PATTERNS);
			if (rules_pattern(&r->pat[r->npat], w.val, SCTX_PACKET, err,
			    sizeof(err)) < 0)
				return req_error(o, CTL_RESP_ERROR, "pattern %d '%.80s': %s",
				    r->npat + 1, w.val, err);
			r->npat++;
		} else if (strcmp(w.opt->name, "context") == 0) {
			if (sensor_ctx_parse(w.val, &c) < 0)
				return req_error(o, CTL_RESP_ERROR, "unknown context '%.40s' (expected "
				    "packet, url, header, body or args)", w.val);
			if (r->npat == 0 ? defset++ : own[r->npat - 1]++)
				return req_usage(o, USAGE_RULE_ADD);
			if (r->npat == 0)
				def = c;
			else
				r->pat[r->npat - 1].ctx = c;
		} else {
			if (valset++)
				return req_usage(o, USAGE_RULE_ADD);
			if (sensor_validator_parse(w.val, &r->validator) < 0)
				return req_error(o, CTL_RESP_ERROR, "unknown validator '%.40s' (expected "
				    "luhn, ssn or none)", w.val);
		}
	}
	if (r->npat == 0)
		return req_usage(o, USAGE_RULE_ADD);
	for (int k = 0; k < r->npat; k++)
		if (!own[k])
			r->pat[k].ctx = def;
	return CTL_RESP_OK;
}

/* Stores rule r of sensor, applies it and says so. */
static int
rule_store(struct daemon *d, const char *sensor, const struct sensor_rule_spec *r, int json,
    struct buf *o)
{
	char err[512];
	int rc;

	rc = store_sensor_rule_add(d->db, sensor, r, err, sizeof(err));
	if ((rc = req_saved(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	if (json) {
		json_rule(o, r);
		buf_puts(o, "\n");
	} else
		buf_printf(o, "rule %s added to sensor %s\n", r->name, sensor);
	return CTL_RESP_OK;
}

static int
cmd_rule_add(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct sensor_rule_spec *r;
	const char *pos[2];
	int rc;

	if (req_parse(argc, argv, rule_opts, pos, 2, 2) < 0)
		return req_usage(o, USAGE_RULE_ADD);
	if (strlen(pos[1]) >= sizeof(r->name))
		return req_error(o, CTL_RESP_ERROR, "rule name '%.40s...': 1 to %d characters",
		    pos[1], SENSOR_NAME_MAX - 1);
	if ((r = calloc(1, sizeof(*r))) == NULL)	/* 8 KiB: not on the stack */
		return req_error(o, CTL_RESP_ERROR, "out of memory");
	strcpy(r->name, pos[1]);
	if ((rc = rule_from_args(argc, argv, r, o)) == CTL_RESP_OK)
		rc = rule_store(d, pos[0], r, json, o);
	free(r);
	return rc;
}

static int
cmd_rule_delete(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *pos[2];
	char err[512];
	int rc;

	if (req_parse(argc, argv, NULL, pos, 2, 2) < 0)
		return req_usage(o, USAGE_RULE_DEL);
	rc = store_sensor_rule_delete(d->db, pos[0], pos[1], err, sizeof(err));
	if ((rc = req_saved(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	if (json)
		req_json_strings(o, "sensor", pos[0], "deleted", pos[1], NULL);
	else
		buf_printf(o, "rule %s deleted from sensor %s\n", pos[1], pos[0]);
	return CTL_RESP_OK;
}

/* --- assignments --------------------------------------------------------- */

/* --paranoia or --threshold's number into *v (NULL: 0); -1 if it is none. */
static int
crs_number(const char *s, int max, int *v)
{
	char *end;
	long n;

	*v = 0;
	if (s == NULL)
		return 0;
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n < 1 || n > max)
		return -1;
	*v = (int)n;
	return 0;
}

/* The options --paranoia and --threshold, checked: CTL_RESP_OK or an error. */
static int
crs_options(const char *pl, const char *thr, int *paranoia, int *threshold, struct buf *o)
{
	if (crs_number(pl, CRS_PARANOIA_MAX, paranoia) < 0)
		return req_error(o, CTL_RESP_ERROR, "--paranoia '%.20s': expected 1 to %d", pl,
		    CRS_PARANOIA_MAX);
	if (crs_number(thr, CRS_THRESHOLD_MAX, threshold) < 0)
		return req_error(o, CTL_RESP_ERROR, "--threshold '%.20s': expected 1 to %d", thr,
		    CRS_THRESHOLD_MAX);
	return CTL_RESP_OK;
}

static int
cmd_assign(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *action, *pl, *thr, *pos[2];
	const struct req_opt opts[] = {
		{ .name = "action", .max = 1, .val = &action },
		{ .name = "paranoia", .max = 1, .val = &pl },
		{ .name = "threshold", .max = 1, .val = &thr },
		{ .name = NULL },
	};
	char err[512];
	int rc, paranoia, threshold;

	if (req_parse(argc, argv, opts, pos, 2, 2) < 0 || action == NULL)
		return req_usage(o, USAGE_ASSIGN);
	if (strcmp(action, "alert") != 0 && strcmp(action, "deny") != 0)
		return req_error(o, CTL_RESP_ERROR, "unknown action '%.40s' (expected alert or deny)",
		    action);
	if ((rc = crs_options(pl, thr, &paranoia, &threshold, o)) != CTL_RESP_OK)
		return rc;
	rc = store_sensor_assign(d->db, pos[0], pos[1], action[0] == 'd', paranoia, threshold,
	    err, sizeof(err));
	if ((rc = req_saved(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	if (json)
		req_json_strings(o, "group", pos[0], "sensor", pos[1], "action", action, NULL);
	else if (strcmp(pos[1], CRS_SENSOR) == 0)
		buf_printf(o, "sensor %s assigned to group %s (%s, paranoia %d, threshold %d)\n",
		    pos[1], pos[0], action, paranoia ? paranoia : 1,
		    threshold ? threshold : CRS_THRESHOLD_DEFAULT);
	else
		buf_printf(o, "sensor %s assigned to group %s (%s)\n", pos[1], pos[0], action);
	return CTL_RESP_OK;
}

static int
cmd_unassign(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *pos[2];
	char err[512];
	int rc;

	if (req_parse(argc, argv, NULL, pos, 2, 2) < 0)
		return req_usage(o, USAGE_UNASSIGN);
	rc = store_sensor_unassign(d->db, pos[0], pos[1], err, sizeof(err));
	if ((rc = req_saved(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	if (json)
		req_json_strings(o, "group", pos[0], "unassigned", pos[1], NULL);
	else
		buf_printf(o, "sensor %s unassigned from group %s\n", pos[1], pos[0]);
	return CTL_RESP_OK;
}

/* --- test ---------------------------------------------------------------- */

/* The hits of a test; rule names copied, since the set goes first. */
struct hits {
	struct sensor_hit h[SENSOR_RULES_MAX];
	char rule[SENSOR_RULES_MAX][SENSOR_NAME_MAX];
	int n;
};

static void
hit_keep(void *ctx, const struct sensor_hit *h)
{
	struct hits *hs = ctx;

	if (hs->n == SENSOR_RULES_MAX)
		return;
	hs->h[hs->n] = *h;
	snprintf(hs->rule[hs->n], sizeof(hs->rule[0]), "%s", h->rule_name);
	hs->h[hs->n].rule_name = hs->rule[hs->n];
	hs->h[hs->n++].sensor_name = NULL;
}

/*
 * sensor test's options, NULL where not given.  --input, --file and --hex
 * may come any number of times: test_input() says what is wrong then.
 */
struct test_opts {
	const char *input, *file, *hex, *context, *rule, *paranoia, *threshold;
	int ninput, nfile, nhex;
};

/* The test input of --input or --hex into *buf (malloc'ed), *len bytes. */
static int
test_input(const struct test_opts *to, uint8_t **buf, size_t *len, struct buf *o)
{
	const char *in = to->input, *hex = to->hex;

	if (to->nfile != 0)
		return req_error(o, CTL_RESP_USAGE,
		    "--file is for nvctl, which sends the file as --hex");
	if (to->ninput + to->nhex != 1)
		return req_usage(o, USAGE_TEST);
	*len = in ? strlen(in) : strlen(hex) / 2;
	if (hex && strlen(hex) % 2)
		return req_error(o, CTL_RESP_ERROR, "--hex: an odd number of digits");
	if (*len > CTL_MAX_TEST_INPUT)
		return req_error(o, CTL_RESP_ERROR, "input longer than %d bytes", CTL_MAX_TEST_INPUT);
	if ((*buf = malloc(*len + 1)) == NULL)
		return req_error(o, CTL_RESP_ERROR, "out of memory");
	if (in)
		memcpy(*buf, in, *len);
	for (size_t i = 0; hex && i < *len; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(*buf);
			*buf = NULL;
			return req_error(o, CTL_RESP_ERROR, "--hex: not hexadecimal digits");
		}
		(*buf)[i] = (uint8_t)(hi << 4 | lo);
	}
	return CTL_RESP_OK;
}

/* Keeps only rule name of spec; STORE_NOTFOUND if it has none. */
static int
test_only_rule(struct sensor_spec *spec, const char *name, struct buf *o)
{
	for (int i = 0; i < spec->nrules; i++)
		if (strcmp(spec->rules[i].name, name) == 0) {
			memmove(&spec->rules[0], &spec->rules[i], sizeof(spec->rules[0]));
			spec->nrules = 1;
			return CTL_RESP_OK;
		}
	return req_error(o, CTL_RESP_NOTFOUND, "sensor '%s' has no rule '%s'", spec->name, name);
}

static void
test_print(struct buf *o, const char *sensor, const struct hits *hs, int limits, int json)
{
	struct table t = { .ncols = 5 };

	if (json) {
		buf_puts(o, "{\"sensor\":");
		buf_json_str(o, sensor);
		buf_printf(o, ",\"matched\":%d,\"limits\":%s,\"hits\":[", hs->n,
		    limits ? "true" : "false");
		for (int i = 0; i < hs->n; i++) {
			buf_puts(o, i ? ",{\"rule\":" : "{\"rule\":");
			buf_json_str(o, hs->h[i].rule_name);
			buf_printf(o, ",\"context\":\"%s\",\"offset\":%zu,\"length\":%zu,"
			    "\"excerpt\":", sensor_ctx_name(hs->h[i].ctx), hs->h[i].offset,
			    hs->h[i].len);
			buf_json_str(o, hs->h[i].excerpt);
			buf_puts(o, "}");
		}
		buf_puts(o, "]}\n");
		return;
	}
	if (hs->n == 0)
		buf_printf(o, "no rule of sensor %s matched\n", sensor);
	else {
		table_add(&t, "rule");
		table_add(&t, "context");
		table_add(&t, "offset");
		table_add(&t, "length");
		table_add(&t, "excerpt");
		for (int i = 0; i < hs->n; i++) {
			table_add(&t, hs->h[i].rule_name);
			table_add(&t, sensor_ctx_name(hs->h[i].ctx));
			table_addf(&t, "%zu", hs->h[i].offset);
			table_addf(&t, "%zu", hs->h[i].len);
			table_add(&t, hs->h[i].excerpt);
		}
		table_print(&t, o);
		table_free(&t);
	}
	if (limits)
		buf_puts(o, "note: a match hit PCRE2's limits; the rules it stopped did not fire\n");
}

/* The args context's text of a test: the input read as a query or form. */
struct test_args {
	uint8_t *buf;
	size_t len, cap;
};

static void
test_arg(void *ctx, const uint8_t *name, size_t nlen, const uint8_t *value, size_t vlen)
{
	struct test_args *t = ctx;

	if (t->buf != NULL) {
		sensor_args_put(t->buf, t->cap, &t->len, name, nlen);
		sensor_args_put(t->buf, t->cap, &t->len, value, vlen);
	}
}

static int
test_args(const uint8_t *text, size_t len, uint8_t **out, size_t *outlen)
{
	struct test_args t = { .cap = 5 * len + 64 };	/* 4 bytes of lengths per argument */
	struct http_args *a = http_args_new(HTTP_ARGS_FORM);

	*out = NULL;
	if (a == NULL || (t.buf = malloc(t.cap)) == NULL) {
		http_args_free(a);
		return -1;
	}
	http_args_feed(a, text, len, test_arg, &t);
	http_args_end(a, test_arg, &t);
	http_args_free(a);
	*out = t.buf;
	*outlen = t.len;
	return 0;
}

/* Matches text against the sensor of spec; hits into hs.  -1 on an error (o). */
static int
test_run(const struct sensor_spec *spec, const uint8_t *text, size_t len, int ctx,
    struct hits *hs, int *limits, struct buf *o)
{
	const uint8_t *texts[SCTX_COUNT] = { NULL };
	size_t lens[SCTX_COUNT] = { 0 };
	struct sensor_scratch *sc;
	struct sensor_set *set;
	uint8_t *args = NULL;
	size_t args_len = 0;
	char err[512];
	int rc;

	if ((set = sensor_set_build(spec, 1, 1, err, sizeof(err))) == NULL) {
		req_error(o, CTL_RESP_ERROR, "%s", err);
		return -1;
	}
	if ((sc = sensor_scratch_new()) == NULL) {
		sensor_set_free(set);
		req_error(o, CTL_RESP_ERROR, "out of memory");
		return -1;
	}
	for (int c = 0; c < SCTX_ARGS; c++)
		if (ctx < 0 || ctx == c) {
			texts[c] = text;
			lens[c] = len;
		}
	if ((ctx < 0 || ctx == SCTX_ARGS) && test_args(text, len, &args, &args_len) == 0) {
		texts[SCTX_ARGS] = args;
		lens[SCTX_ARGS] = args_len;
	}
	rc = sensor_match(set, sc, 1, texts, lens, hit_keep, hs);
	free(args);
	*limits = rc < 0;
	sensor_scratch_free(sc);
	sensor_set_free(set);
	return 0;
}

static int
cmd_test(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct test_opts to;
	const struct req_opt opts[] = {
		{ .name = "input", .max = REQ_ANY, .val = &to.input, .n = &to.ninput },
		{ .name = "file", .max = REQ_ANY, .val = &to.file, .n = &to.nfile },
		{ .name = "hex", .max = REQ_ANY, .val = &to.hex, .n = &to.nhex },
		{ .name = "context", .max = 1, .val = &to.context },
		{ .name = "rule", .max = 1, .val = &to.rule },
		{ .name = "paranoia", .max = 1, .val = &to.paranoia },
		{ .name = "threshold", .max = 1, .val = &to.threshold },
		{ .name = NULL },
	};
	struct sensor_spec spec = { .rules = NULL };
	struct store_sensor s;
	struct hits *hs = NULL;
	enum sensor_ctx c;
	const char *pos[1];
	uint8_t *text = NULL;
	size_t len = 0;
	char err[512];
	int rc, ctx = -1, limits = 0;

	if (req_parse(argc, argv, opts, pos, 1, 1) < 0)
		return req_usage(o, USAGE_TEST);
	if (to.context != NULL && sensor_ctx_parse(to.context, &c) < 0)
		return req_error(o, CTL_RESP_ERROR, "unknown context '%.40s' (expected packet, url, "
		    "header, body or args)", to.context);
	ctx = to.context != NULL ? (int)c : -1;
	if ((rc = test_input(&to, &text, &len, o)) != CTL_RESP_OK)
		return rc;
	if (strcmp(pos[0], CRS_SENSOR) == 0) {
		int paranoia, threshold;

		if ((rc = crs_options(to.paranoia, to.threshold, &paranoia, &threshold, o)) ==
		    CTL_RESP_OK)
			rc = crs_test(d, text, len, paranoia ? paranoia : 1,
			    threshold ? threshold : CRS_THRESHOLD_DEFAULT, json, o);
		free(text);
		return rc;
	}
	if (to.paranoia || to.threshold) {
		free(text);
		return req_error(o, CTL_RESP_USAGE, "--paranoia and --threshold are for %s only",
		    CRS_SENSOR);
	}
	if ((rc = store_sensor_get(d->db, pos[0], &s, &spec, err, sizeof(err))) < 0)
		rc = req_store_fail(o, rc, err);
	else if ((rc = to.rule ? test_only_rule(&spec, to.rule, o) : CTL_RESP_OK) == CTL_RESP_OK) {
		if ((hs = calloc(1, sizeof(*hs))) == NULL)
			rc = req_error(o, CTL_RESP_ERROR, "out of memory");
		else if (test_run(&spec, text, len, ctx, hs, &limits, o) < 0)
			rc = CTL_RESP_ERROR;
		else {
			test_print(o, s.name, hs, limits, json);
			rc = hs->n ? CTL_RESP_OK : CTL_RESP_NOMATCH;
		}
	}
	free(hs);
	free(spec.rules);
	free(text);
	return rc;
}

static int
cmd_rule(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return req_usage(o, USAGE_RULE);
}

static int
cmd_sensor(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return req_usage(o, USAGE_SENSOR);
}

const struct handler sensor_handlers[] = {
	{ { "sensor", "list" }, 0, CTL_MAX_ARGS, USAGE_LIST, cmd_list, REQ_READS },
	{ { "sensor", "show" }, 0, CTL_MAX_ARGS, USAGE_SHOW, cmd_show, REQ_READS },
	{ { "sensor", "add" }, 0, CTL_MAX_ARGS, USAGE_ADD, cmd_add, REQ_CHANGES },
	{ { "sensor", "delete" }, 0, CTL_MAX_ARGS, USAGE_DEL, cmd_delete, REQ_CHANGES },
	{ { "sensor", "rule", "add" }, 0, CTL_MAX_ARGS, USAGE_RULE_ADD, cmd_rule_add, REQ_CHANGES },
	{ { "sensor", "rule", "delete" }, 0, CTL_MAX_ARGS, USAGE_RULE_DEL, cmd_rule_delete, REQ_CHANGES },
	{ { "sensor", "rule" }, 0, CTL_MAX_ARGS, USAGE_RULE, cmd_rule, REQ_READS },
	{ { "sensor", "assign" }, 0, CTL_MAX_ARGS, USAGE_ASSIGN, cmd_assign, REQ_CHANGES },
	{ { "sensor", "unassign" }, 0, CTL_MAX_ARGS, USAGE_UNASSIGN, cmd_unassign, REQ_CHANGES },
	{ { "sensor", "test" }, 0, CTL_MAX_ARGS, USAGE_TEST, cmd_test, REQ_READS },
	{ { "sensor" }, 0, CTL_MAX_ARGS, USAGE_SENSOR, cmd_sensor, REQ_READS },
	{ { NULL }, 0, 0, NULL, NULL, REQ_UNSAID },
};
