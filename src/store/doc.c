/*
 * doc.c: the policy document read and written (doc.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/strmap.h"
#include "sensor/rules_file.h"
#include "sensor/crs.h"
#include "store/doc.h"
#include "store/store.h"

#define PATH_MAX_LEN	96	/* "$.sensors[63].rules[255].patterns[7].context" */
#define BUILTIN_SENSOR	"sensor."

/* Where a value is, for errors: "$.groups[3].mode". */
struct at {
	char s[PATH_MAX_LEN];
};

static void __attribute__((format(printf, 3, 4)))
at_set(struct at *a, const struct at *parent, const char *fmt, ...)
{
	size_t n = strlen(parent->s);
	va_list ap;

	memcpy(a->s, parent->s, n + 1);
	va_start(ap, fmt);
	vsnprintf(a->s + n, sizeof(a->s) - n, fmt, ap);
	va_end(ap);
}

/* The reading of one document: where errors go, what names it defined. */
struct rd {
	char *err;
	size_t errlen;
	struct strmap names;	/* "g NAME", "s NAME", "l FROM TO PORTS APPS", "a G S" */
};

static int __attribute__((format(printf, 3, 4)))
fail(struct rd *r, const struct at *a, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(r->err, r->errlen, "%s: ", a->s);
	if (n < r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Whether the name (kind and text) was defined before in the document:
 * 0 and now it is, or -1 with the error naming where it was first.
 */
static int
once(struct rd *r, const struct at *a, char kind, const char *name, const char *what, int where,
    const char *list)
{
	char key[2 * DOC_PORTS_MAX + 4 * POLICY_NAME_MAX];
	int prev;

	snprintf(key, sizeof(key), "%c %s", kind, name);
	if ((prev = strmap_get(&r->names, key)) >= 0)
		return fail(r, a, "%s is already at $.%s[%d]", what, list, prev);
	if (strmap_put(&r->names, key, where) < 0)
		return fail(r, a, "out of memory");
	return 0;
}

/* --- fields -------------------------------------------------------------- */

/* An object whose members are all among fields (NULL-ended), each once. */
static int
object(struct rd *r, const struct at *a, const struct json *o, const char *const *fields)
{
	if (json_type(o) != JSON_OBJECT)
		return fail(r, a, "expected an object");
	for (size_t i = 0; i < json_len(o); i++) {
		const char *key = json_key(json_index(o, i));
		int known = 0;

		for (int k = 0; key && fields[k]; k++)
			known |= !strcmp(key, fields[k]);
		if (!known) {
			char list[160] = "";

			for (int k = 0; fields[k]; k++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				    k ? ", " : "", fields[k]);
			return fail(r, a, "unknown field '%.40s' (expected %s)", key ? key : "",
			    list);
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(key, json_key(json_index(o, j))))
				return fail(r, a, "field '%s' given twice", key);
	}
	return 0;
}

/*
 * The string field key of o into out (size bytes): 1, 0 when absent
 * (an error if required), -1 on an error.
 */
static int
text(struct rd *r, const struct at *a, const struct json *o, const char *key, int required,
    char *out, size_t size)
{
	const struct json *v = json_get(o, key);
	struct at f;

	at_set(&f, a, ".%s", key);
	if (v == NULL)
		return required ? fail(r, &f, "missing") : 0;
	if (json_str(v) == NULL)
		return fail(r, &f, "expected a string");
	if (json_strlen(v) == 0)
		return fail(r, &f, "empty");
	if (json_strlen(v) >= size)
		return fail(r, &f, "longer than %zu bytes", size - 1);
	memcpy(out, json_str(v), json_strlen(v) + 1);
	return 1;
}

/* One of words (NULL-ended) as its index into *out; dflt when absent, where
 * REQUIRED makes it an error. */
#define REQUIRED	(-1)
static int
word(struct rd *r, const struct at *a, const struct json *o, const char *key,
    const char *const *words, int dflt, int *out)
{
	char w[32], list[96] = "";
	int rc = text(r, a, o, key, dflt == REQUIRED, w, sizeof(w));
	struct at f;

	if (rc < 0)
		return -1;
	*out = dflt;
	if (rc == 0)
		return 0;
	for (int i = 0; words[i]; i++) {
		if (!strcmp(w, words[i])) {
			*out = i;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
		    i == 0 ? "" : words[i + 1] ? ", " : " or ", words[i]);
	}
	at_set(&f, a, ".%s", key);
	return fail(r, &f, "bad %s '%s' (expected %s)", key, w, list);
}

/*
 * An array field of strings joined with ',' into out: "any" when absent
 * and dflt says so.  Items are non-empty and hold no ','.
 */
static int
joined(struct rd *r, const struct at *a, const struct json *o, const char *key,
    const char *dflt, char *out, size_t size)
{
	const struct json *v = json_get(o, key);
	size_t off = 0;
	struct at f;

	at_set(&f, a, ".%s", key);
	out[0] = '\0';
	if (v == NULL) {
		if (dflt == NULL)
			return fail(r, &f, "missing");
		snprintf(out, size, "%s", dflt);
		return 0;
	}
	if (json_type(v) != JSON_ARRAY || json_len(v) == 0)
		return fail(r, &f, "expected an array of strings, not empty");
	for (size_t i = 0; i < json_len(v); i++) {
		const struct json *s = json_index(v, i);
		struct at e;

		at_set(&e, &f, "[%zu]", i);
		if (json_str(s) == NULL || json_strlen(s) == 0)
			return fail(r, &e, "expected a non-empty string");
		if (strchr(json_str(s), ','))
			return fail(r, &e, "one item per string (no ',')");
		if (off + json_strlen(s) + 2 > size)
			return fail(r, &f, "longer than %zu bytes in all", size - 2);
		off += (size_t)snprintf(out + off, size - off, "%s%s", i ? "," : "", json_str(s));
	}
	return 0;
}

/* An array field (absent: none) of at most max items; *n its length. */
static int
list(struct rd *r, const struct at *a, const struct json *o, const char *key, size_t max,
    const struct json **v, size_t *n)
{
	struct at f;

	*v = json_get(o, key);
	*n = json_len(*v);
	at_set(&f, a, ".%s", key);
	if (*v != NULL && json_type(*v) != JSON_ARRAY)
		return fail(r, &f, "expected an array");
	if (*n > max)
		return fail(r, &f, "more than %zu items", max);
	return 0;
}

/* Room for n items of size bytes in *arr (zeroed); -1 for lack of memory. */
static int
items(struct rd *r, const struct at *a, void *arr, size_t n, size_t size)
{
	void **p = arr;

	if (n == 0)
		return 0;
	if ((*p = calloc(n, size)) == NULL)
		return fail(r, a, "out of memory");
	return 0;
}

/* --- groups -------------------------------------------------------------- */

static const char *const mode_words[] = { "discover", "monitor", "protect", NULL };
static const char *const kind_words[] = { "builtin", "learned", "user", NULL };

static int
builtin_name(const char *n)
{
	return !strcmp(n, GROUP_CONTAINERS) || !strcmp(n, GROUP_HOST) || !strcmp(n, GROUP_EXTERNAL);
}

/* A learned group's name as policy_learned_group() makes them. */
static int
learned_name_ok(const char *n)
{
	size_t p = strlen(GROUP_LEARNED_PREFIX);

	if (strncmp(n, GROUP_LEARNED_PREFIX, p) != 0 || n[p] == '\0')
		return 0;
	for (n += p; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		    (*n >= '0' && *n <= '9') || strchr("_.-", *n)))
			return 0;
	return 1;
}

/*
 * The criteria of group g from the text given (user groups) into
 * g->criteria, canonical.  A group of a learned DNS name (fqdn:NAME) has
 * exactly address=NAME, given or not.
 */
static int
group_criteria(struct rd *r, const struct at *a, struct doc_group *g, const char *given)
{
	struct criterion c[POLICY_MAX_CRITERIA];
	char why[256], own[POLICY_NAME_MAX + 16];
	int fqdn = !strncmp(g->name, GROUP_FQDN_PREFIX, strlen(GROUP_FQDN_PREFIX));
	struct at f;
	struct buf b;
	int n;

	at_set(&f, a, ".criteria");
	if (!fqdn && *given == '\0')
		return fail(r, &f, "missing");
	if (fqdn) {
		snprintf(own, sizeof(own), "address=%s", g->name + strlen(GROUP_FQDN_PREFIX));
		if (*given && strcmp(given, own))
			return fail(r, &f, "group '%s' has exactly [\"%s\"]", g->name, own);
		given = own;
	} else if (policy_group_name_check(g->name, why, sizeof(why)) < 0) {
		at_set(&f, a, ".name");
		return fail(r, &f, "%s", why);
	}
	if ((n = criteria_parse(given, c, POLICY_MAX_CRITERIA, why, sizeof(why))) < 0)
		return fail(r, &f, "%s", why);
	if (fqdn && (n != 1 || c[0].kind != CRIT_ADDR_FQDN || strcmp(c[0].value, own + 8)))
		return fail(r, &f, "'%s' is not a DNS name", g->name + strlen(GROUP_FQDN_PREFIX));
	buf_init(&b);
	criteria_format(c, n, &b);
	if (buf_failed(&b) || b.len >= sizeof(g->criteria)) {
		buf_free(&b);
		return fail(r, &f, "out of memory");
	}
	memcpy(g->criteria, b.data, b.len + 1);
	buf_free(&b);
	return 0;
}

static int
group_read(struct rd *r, const struct at *a, const struct json *o, void *item, int i)
{
	static const char *const fields[] = { "name", "kind", "criteria", "mode", NULL };
	struct doc_group *g = item;
	char given[DOC_CRITERIA_MAX];
	int kind, mode;
	struct at f;

	if (object(r, a, o, fields) < 0 || text(r, a, o, "name", 1, g->name, sizeof(g->name)) < 0 ||
	    word(r, a, o, "kind", kind_words, -2, &kind) < 0 ||
	    word(r, a, o, "mode", mode_words, REQUIRED, &mode) < 0)
		return -1;
	g->mode = (enum policy_mode)mode;
	g->kind = builtin_name(g->name) ? GROUP_BUILTIN :
	    !strncmp(g->name, GROUP_LEARNED_PREFIX, strlen(GROUP_LEARNED_PREFIX)) ? GROUP_LEARNED :
	    GROUP_USER;
	at_set(&f, a, ".kind");
	if (kind >= 0 && kind != (int)g->kind)
		return fail(r, &f, "group '%s' is %s group", g->name, g->kind == GROUP_BUILTIN ?
		    "a built-in" : g->kind == GROUP_LEARNED ? "a learned" : "a user");
	at_set(&f, a, ".name");
	if (g->kind == GROUP_LEARNED && !learned_name_ok(g->name))
		return fail(r, &f, "learned group name '%s': 'nv.' and letters, digits, '_', '.' "
		    "and '-'", g->name);
	if (once(r, &f, 'g', g->name, "group", i, "groups") < 0)
		return -1;
	if (json_get(o, "criteria") == NULL)
		given[0] = '\0';
	else if (joined(r, a, o, "criteria", NULL, given, sizeof(given)) < 0)
		return -1;
	if (g->kind == GROUP_USER)
		return group_criteria(r, a, g, given);
	at_set(&f, a, ".criteria");
	if (given[0])
		return fail(r, &f, "group '%s' is %s group: it has no criteria", g->name,
		    g->kind == GROUP_BUILTIN ? "a built-in" : "a learned");
	return 0;
}

/* --- rules --------------------------------------------------------------- */

static const char *const action_words[] = { "allow", "deny", NULL };
static const char *const type_words[] = { "user", "learned", NULL };

static int
rule_read(struct rd *r, const struct at *a, const struct json *o, void *item, int i)
{
	static const char *const fields[] = { "from", "to", "applications", "ports", "action",
	    "type", NULL };
	struct doc_rule *ru = item;
	struct port_range pr[POLICY_MAX_PORTS];
	char text_[DOC_PORTS_MAX], why[256], key[4 * POLICY_NAME_MAX + DOC_PORTS_MAX];
	int action, type, n;
	struct at f;

	if (object(r, a, o, fields) < 0 || text(r, a, o, "from", 1, ru->from, sizeof(ru->from)) < 0 ||
	    text(r, a, o, "to", 1, ru->to, sizeof(ru->to)) < 0 ||
	    word(r, a, o, "action", action_words, REQUIRED, &action) < 0 ||
	    word(r, a, o, "type", type_words, RULE_USER, &type) < 0 ||
	    joined(r, a, o, "applications", "any", text_, sizeof(text_)) < 0)
		return -1;
	ru->action = (enum rule_action)action;
	ru->type = (enum rule_type)type;
	at_set(&f, a, ".applications");
	if (store_apps_canon(text_, ru->apps, sizeof(ru->apps), why, sizeof(why)) < 0)
		return fail(r, &f, "%s", why);
	if (joined(r, a, o, "ports", "any", text_, sizeof(text_)) < 0)
		return -1;
	at_set(&f, a, ".ports");
	if ((n = ports_parse(text_, pr, POLICY_MAX_PORTS, why, sizeof(why))) < 0)
		return fail(r, &f, "%s", why);
	ports_format(pr, n, ru->ports, sizeof(ru->ports));
	if (ru->type == RULE_LEARNED && ru->action != RULE_ALLOW) {
		at_set(&f, a, ".action");
		return fail(r, &f, "a learned rule allows");
	}
	if (ru->type != RULE_LEARNED)
		return 0;
	snprintf(key, sizeof(key), "%s %s %s %s", ru->from, ru->to, ru->ports, ru->apps);
	return once(r, a, 'l', key, "the same learned rule", i, "rules");
}

/* --- sensors ------------------------------------------------------------- */

static const char *const type_names[] = { "dlp", "waf", NULL };
static const char *const validator_words[] = { "none", "luhn", "ssn", NULL };
static const char *const ctx_words[] = { "packet", "url", "header", "body", NULL };

static int
pattern_read(struct rd *r, const struct at *a, const struct json *o,
    struct sensor_pattern_spec *p)
{
	static const char *const fields[] = { "pattern", "context", "negate", NULL };
	const struct json *neg;
	int ctx;
	struct at f;

	if (object(r, a, o, fields) < 0 || text(r, a, o, "pattern", 1, p->re, sizeof(p->re)) < 0 ||
	    word(r, a, o, "context", ctx_words, SCTX_PACKET, &ctx) < 0)
		return -1;
	p->ctx = (enum sensor_ctx)ctx;
	at_set(&f, a, ".negate");
	if ((neg = json_get(o, "negate")) != NULL && json_bool(neg) < 0)
		return fail(r, &f, "expected true or false");
	p->negate = json_bool(neg) == 1;
	return 0;
}

static int
srule_read(struct rd *r, const struct at *a, const struct json *o, struct sensor_rule_spec *sr,
    struct strmap *names, int i)
{
	static const char *const fields[] = { "name", "validator", "patterns", NULL };
	const struct json *pats;
	char why[320];
	int validator;
	size_t n;
	struct at f;

	if (object(r, a, o, fields) < 0 || text(r, a, o, "name", 1, sr->name, sizeof(sr->name)) < 0 ||
	    word(r, a, o, "validator", validator_words, SVAL_NONE, &validator) < 0 ||
	    list(r, a, o, "patterns", SENSOR_RULE_PATTERNS, &pats, &n) < 0)
		return -1;
	sr->validator = (enum sensor_validator)validator;
	at_set(&f, a, ".name");
	if (strmap_get(names, sr->name) >= 0)
		return fail(r, &f, "rule '%s' is already at [%d]", sr->name,
		    strmap_get(names, sr->name));
	if (strmap_put(names, sr->name, i) < 0)
		return fail(r, a, "out of memory");
	for (size_t k = 0; k < n; k++) {
		at_set(&f, a, ".patterns[%zu]", k);
		if (pattern_read(r, &f, json_index(pats, k), &sr->pat[k]) < 0)
			return -1;
	}
	sr->npat = (int)n;
	if (store_sensor_rule_check(sr, why, sizeof(why)) < 0)
		return fail(r, a, "%s", why);
	return 0;
}

static int
sensor_read(struct rd *r, const struct at *a, const struct json *o, void *item, int i)
{
	static const char *const fields[] = { "name", "type", "rules", NULL };
	struct sensor_spec *s = item;
	const struct json *rules;
	struct strmap names;
	char why[256];
	int type, rc = 0;
	size_t n;
	struct at f;

	if (object(r, a, o, fields) < 0 || text(r, a, o, "name", 1, s->name, sizeof(s->name)) < 0 ||
	    word(r, a, o, "type", type_names, REQUIRED, &type) < 0 ||
	    list(r, a, o, "rules", SENSOR_RULES_MAX, &rules, &n) < 0)
		return -1;
	s->type = (enum sensor_type)type;
	at_set(&f, a, ".name");
	if (rules_name_check("sensor", s->name, why, sizeof(why)) < 0)
		return fail(r, &f, "%s", why);
	if (!strncmp(s->name, BUILTIN_SENSOR, strlen(BUILTIN_SENSOR)))
		return fail(r, &f, "sensor '%s' is built in: its rules come from rules_dir, not "
		    "from a document", s->name);
	if (once(r, &f, 's', s->name, "sensor", i, "sensors") < 0 ||
	    items(r, a, &s->rules, n, sizeof(*s->rules)) < 0)
		return -1;
	strmap_init(&names);
	for (size_t k = 0; rc == 0 && k < n; k++) {
		at_set(&f, a, ".rules[%zu]", k);
		rc = srule_read(r, &f, json_index(rules, k), &s->rules[k], &names, (int)k);
		s->nrules = (int)k + (rc == 0);
	}
	strmap_free(&names);
	return rc;
}

/* The integer field key of o, 1 to max, into *out; 0 when absent. */
static int
count(struct rd *r, const struct at *a, const struct json *o, const char *key, int64_t max,
    int *out)
{
	const struct json *v = json_get(o, key);
	int64_t n;
	struct at f;

	*out = 0;
	if (v == NULL)
		return 0;
	at_set(&f, a, ".%s", key);
	if (json_int64(v, &n) < 0 || n < 1 || n > max)
		return fail(r, &f, "expected an integer from 1 to %lld", (long long)max);
	*out = (int)n;
	return 0;
}

static int
assign_read(struct rd *r, const struct at *a, const struct json *o, void *item, int i)
{
	static const char *const fields[] = { "group", "sensor", "action", "paranoia",
	    "threshold", NULL };
	static const char *const words[] = { "alert", "deny", NULL };
	struct doc_assign *as = item;
	char key[POLICY_NAME_MAX + SENSOR_NAME_MAX + 2];
	int action;

	if (object(r, a, o, fields) < 0 ||
	    text(r, a, o, "group", 1, as->group, sizeof(as->group)) < 0 ||
	    text(r, a, o, "sensor", 1, as->sensor, sizeof(as->sensor)) < 0 ||
	    word(r, a, o, "action", words, REQUIRED, &action) < 0 ||
	    count(r, a, o, "paranoia", CRS_PARANOIA_MAX, &as->paranoia) < 0 ||
	    count(r, a, o, "threshold", CRS_THRESHOLD_MAX, &as->threshold) < 0)
		return -1;
	if ((as->paranoia || as->threshold) && strcmp(as->sensor, CRS_SENSOR) != 0)
		return fail(r, a, "paranoia and threshold are for %s only", CRS_SENSOR);
	as->deny = action == 1;
	snprintf(key, sizeof(key), "%s %s", as->group, as->sensor);
	return once(r, a, 'a', key, "the assignment of this sensor to this group", i,
	    "assignments");
}

/* --- the document ---------------------------------------------------------- */

typedef int item_read_fn(struct rd *r, const struct at *a, const struct json *o, void *item,
    int i);

/*
 * Reads the list key of root into *arr (items of size bytes) with read(),
 * counting them in *n as they come (the one at fault included, for
 * doc_free()).
 */
static int
read_list(struct rd *r, const struct at *top, const struct json *root, const char *key,
    size_t max, void *arr, int *n, size_t size, item_read_fn *read)
{
	const struct json *v;
	size_t len;
	struct at f;

	if (list(r, top, root, key, max, &v, &len) < 0 || items(r, top, arr, len, size) < 0)
		return -1;
	for (size_t k = 0; k < len; k++) {
		at_set(&f, top, ".%s[%zu]", key, k);
		*n = (int)k + 1;
		if (read(r, &f, json_index(v, k), (char *)*(void **)arr + k * size, (int)k) < 0)
			return -1;
	}
	return 0;
}

/* --- admission ------------------------------------------------------------ */

static const char *const adm_mode_words[] = { "monitor", "protect", NULL };

/* A user rule's action, criteria, comment; a built-in one's name. */
static int
adm_rule_fields(struct rd *r, const struct at *a, const struct json *o, struct doc_adm_rule *ar,
    int i)
{
	static const char *const user[] = { "action", "criteria", "comment", "enabled", NULL };
	static const char *const builtin[] = { "builtin", "enabled", NULL };
	struct adm_crit c[ADM_MAX_CRITERIA];
	char text_[ADM_CRITERIA_TEXT], why[256];
	int deny, n;
	struct at f;

	if (json_get(o, "builtin") != NULL) {
		if (object(r, a, o, builtin) < 0 ||
		    text(r, a, o, "builtin", 1, ar->builtin, sizeof(ar->builtin)) < 0)
			return -1;
		at_set(&f, a, ".builtin");
		return once(r, &f, 'b', ar->builtin, "the same built-in admission rule", i,
		    "admission.rules");
	}
	if (object(r, a, o, user) < 0 ||
	    word(r, a, o, "action", action_words, REQUIRED, &deny) < 0 ||
	    joined(r, a, o, "criteria", NULL, text_, sizeof(text_)) < 0 ||
	    text(r, a, o, "comment", 0, ar->comment, sizeof(ar->comment)) < 0)
		return -1;
	ar->deny = deny;
	at_set(&f, a, ".criteria");
	if ((n = adm_criteria_parse(text_, c, ADM_MAX_CRITERIA, why, sizeof(why))) < 0)
		return fail(r, &f, "%s", why);
	adm_criteria_format(c, n, ar->criteria, sizeof(ar->criteria));
	at_set(&f, a, ".comment");
	for (const char *p = ar->comment; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return fail(r, &f, "no control characters");
	return 0;
}

static int
adm_rule_read(struct rd *r, const struct at *a, const struct json *o, void *item, int i)
{
	struct doc_adm_rule *ar = item;
	const struct json *en;
	struct at f;

	if (json_type(o) != JSON_OBJECT)
		return fail(r, a, "expected an object");
	if (adm_rule_fields(r, a, o, ar, i) < 0)
		return -1;
	at_set(&f, a, ".enabled");
	if ((en = json_get(o, "enabled")) != NULL && json_bool(en) < 0)
		return fail(r, &f, "expected true or false");
	ar->enabled = en == NULL || json_bool(en) == 1;
	return 0;
}

/* "admission": {"mode": ..., "rules": [...]}, when the document has it. */
static int
adm_read(struct rd *r, const struct json *root, struct doc *d)
{
	static const char *const fields[] = { "mode", "rules", NULL };
	const struct json *o = json_get(root, "admission");
	const struct at a = { "$.admission" };
	int mode;

	if (o == NULL)
		return 0;
	if (object(r, &a, o, fields) < 0 ||
	    word(r, &a, o, "mode", adm_mode_words, REQUIRED, &mode) < 0)
		return -1;
	d->has_admission = 1;
	d->adm_mode = (enum adm_mode)mode;
	return read_list(r, &a, o, "rules", DOC_MAX_ADM_RULES, &d->adm, &d->nadm, sizeof(*d->adm),
	    adm_rule_read);
}

/* --- response rules --------------------------------------------------------- */

static const char *const category_words[] = { "security-event", "event", "cve-report",
    "compliance", "admission", NULL };

/*
 * "criteria" (absent: every event of the category) or "actions" of o,
 * parsed as nvctl response add parses its options.
 */
static int
resp_texts(struct rd *r, const struct at *a, const struct json *o, struct response_rule *rr)
{
	char text_[RESPONSE_TEXT_MAX], why[RESPONSE_TEXT_MAX + 128];
	struct at f;

	if (joined(r, a, o, "criteria", "", text_, sizeof(text_)) < 0)
		return -1;
	at_set(&f, a, ".criteria");
	if (response_criteria_parse(text_, rr, why, sizeof(why)) < 0)
		return fail(r, &f, "%s", why);
	if (joined(r, a, o, "actions", NULL, text_, sizeof(text_)) < 0)
		return -1;
	at_set(&f, a, ".actions");
	if (response_actions_parse(text_, rr, why, sizeof(why)) < 0)
		return fail(r, &f, "%s", why);
	if (response_rule_check(rr, why, sizeof(why)) < 0)
		return fail(r, a, "%s", why);
	return 0;
}

static int
response_read(struct rd *r, const struct at *a, const struct json *o, void *item, int i)
{
	static const char *const fields[] = { "category", "group", "criteria", "actions",
	    "enabled", NULL };
	struct response_rule *rr = item;
	char key[2 * RESPONSE_TEXT_MAX + POLICY_NAME_MAX + 32], crit[RESPONSE_TEXT_MAX];
	char acts[RESPONSE_TEXT_MAX];
	const struct json *en;
	struct at f;
	int cat, prev;

	if (object(r, a, o, fields) < 0 ||
	    word(r, a, o, "category", category_words, REQUIRED, &cat) < 0 ||
	    text(r, a, o, "group", 0, rr->group, sizeof(rr->group)) < 0)
		return -1;
	rr->category = (enum response_category)cat;
	if (resp_texts(r, a, o, rr) < 0)
		return -1;
	at_set(&f, a, ".enabled");
	if ((en = json_get(o, "enabled")) != NULL && json_bool(en) < 0)
		return fail(r, &f, "expected true or false");
	rr->enabled = en == NULL || json_bool(en) == 1;
	/* The same rule twice would fire twice. */
	response_criteria_format(rr, crit, sizeof(crit));
	response_actions_format(rr, acts, sizeof(acts));
	snprintf(key, sizeof(key), "R %d\037%s\037%s\037%s", cat, rr->group, crit, acts);
	if ((prev = strmap_get(&r->names, key)) >= 0)
		return fail(r, a, "the same response rule is already at $.responses[%d]", prev);
	if (strmap_put(&r->names, key, i) < 0)
		return fail(r, a, "out of memory");
	return 0;
}

/* --- the whole -------------------------------------------------------------- */

/* "line 3, column 7: MESSAGE" for a syntax error at byte offset off. */
static void
syntax_error(const char *text, size_t len, const struct json_error *je, char *err,
    size_t errlen)
{
	size_t line = 1, col = 1;
	const char *msg = strstr(je->msg, ": ");

	for (size_t i = 0; i < je->offset && i < len; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80)
			col++;
	}
	snprintf(err, errlen, "line %zu, column %zu: %s", line, col, msg ? msg + 2 : je->msg);
}

int
doc_parse(const char *text_, size_t len, struct doc *d, char *err, size_t errlen)
{
	static const char *const fields[] = { "nvd_policy", "groups", "rules", "sensors",
	    "assignments", "admission", "responses", NULL };
	const struct json_limits lim = { 16, DOC_MAX_NODES, DOC_MAX_SIZE };
	struct rd r = { .err = err, .errlen = errlen };
	struct at top = { "$" };
	const struct json *root;
	struct json_error je;
	struct json_doc *jd;
	int64_t version;

	memset(d, 0, sizeof(*d));
	if ((jd = json_parse(text_, len, &lim, &je)) == NULL) {
		syntax_error(text_, len, &je, err, errlen);
		return -1;
	}
	root = json_root(jd);
	if (object(&r, &top, root, fields) < 0)
		goto fail;
	if (json_get(root, "nvd_policy") == NULL) {
		fail(&r, &top, "not an nvd policy document (no \"nvd_policy\": %d)", DOC_VERSION);
		goto fail;
	}
	if (json_int64(json_get(root, "nvd_policy"), &version) < 0 || version < 1) {
		fail(&r, &top, "nvd_policy: expected %d", DOC_VERSION);
		goto fail;
	}
	if (version > DOC_VERSION) {
		fail(&r, &top, "nvd_policy %lld is newer than this nvd reads (%d)",
		    (long long)version, DOC_VERSION);
		goto fail;
	}
	if (read_list(&r, &top, root, "groups", DOC_MAX_GROUPS, &d->groups, &d->ngroups,
	    sizeof(*d->groups), group_read) < 0 ||
	    read_list(&r, &top, root, "rules", DOC_MAX_RULES, &d->rules, &d->nrules,
	    sizeof(*d->rules), rule_read) < 0 ||
	    read_list(&r, &top, root, "sensors", SENSOR_MAX, &d->sensors, &d->nsensors,
	    sizeof(*d->sensors), sensor_read) < 0 ||
	    read_list(&r, &top, root, "assignments", DOC_MAX_ASSIGNS, &d->assigns, &d->nassigns,
	    sizeof(*d->assigns), assign_read) < 0 || adm_read(&r, root, d) < 0 ||
	    read_list(&r, &top, root, "responses", DOC_MAX_RESPONSES, &d->responses,
	    &d->nresponses, sizeof(*d->responses), response_read) < 0)
		goto fail;
	d->has_responses = json_get(root, "responses") != NULL;
	strmap_free(&r.names);
	json_free(jd);
	return 0;
fail:
	strmap_free(&r.names);
	json_free(jd);
	doc_free(d);
	return -1;
}

void
doc_free(struct doc *d)
{
	for (int i = 0; i < d->nsensors; i++)
		free(d->sensors[i].rules);
	free(d->sensors);
	free(d->groups);
	free(d->rules);
	free(d->assigns);
	free(d->adm);
	free(d->responses);
	memset(d, 0, sizeof(*d));
}

int
doc_group_find(const struct doc *d, const char *name)
{
	for (int i = 0; i < d->ngroups; i++)
		if (!strcmp(d->groups[i].name, name))
			return i;
	return -1;
}

/* --- writing ------------------------------------------------------------- */

/* "key": ["a", "b"] of comma text (never empty: callers write "any"). */
static void
write_list(struct buf *o, const char *key, const char *text_)
{
	const char *p = text_;

	buf_printf(o, ", \"%s\": [", key);
	while (*p) {
		size_t n = strcspn(p, ",");
		char item[DOC_CRITERIA_MAX];

		snprintf(item, sizeof(item), "%.*s", (int)n, p);
		buf_puts(o, p == text_ ? "" : ", ");
		buf_json_str(o, item);
		p += n + (p[n] == ',');
	}
	buf_puts(o, "]");
}

static void
write_groups(const struct doc *d, struct buf *o)
{
	buf_puts(o, "  \"groups\": [");
	for (int i = 0; i < d->ngroups; i++) {
		const struct doc_group *g = &d->groups[i];

		buf_puts(o, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
		buf_json_str(o, g->name);
		buf_printf(o, ", \"kind\": \"%s\"", policy_group_kind_name(g->kind));
		if (g->kind == GROUP_USER)
			write_list(o, "criteria", g->criteria);
		buf_printf(o, ", \"mode\": \"%s\"}", policy_mode_name(g->mode));
	}
	buf_puts(o, d->ngroups ? "\n  ],\n" : "],\n");
}

static void
write_rules(const struct doc *d, struct buf *o)
{
	buf_puts(o, "  \"rules\": [");
	for (int i = 0; i < d->nrules; i++) {
		const struct doc_rule *r = &d->rules[i];

		buf_puts(o, i ? ",\n    {\"from\": " : "\n    {\"from\": ");
		buf_json_str(o, r->from);
		buf_puts(o, ", \"to\": ");
		buf_json_str(o, r->to);
		write_list(o, "applications", r->apps);
		write_list(o, "ports", r->ports);
		buf_printf(o, ", \"action\": \"%s\", \"type\": \"%s\"}",
		    policy_rule_action_name(r->action), policy_rule_type_name(r->type));
	}
	buf_puts(o, d->nrules ? "\n  ],\n" : "],\n");
}

static void
write_sensor(const struct sensor_spec *s, struct buf *o)
{
	buf_puts(o, "{\"name\": ");
	buf_json_str(o, s->name);
	buf_printf(o, ", \"type\": \"%s\", \"rules\": [", sensor_type_name(s->type));
	for (int k = 0; k < s->nrules; k++) {
		const struct sensor_rule_spec *r = &s->rules[k];

		buf_puts(o, k ? ",\n      {\"name\": " : "\n      {\"name\": ");
		buf_json_str(o, r->name);
		buf_printf(o, ", \"validator\": \"%s\", \"patterns\": [",
		    sensor_validator_name(r->validator));
		for (int p = 0; p < r->npat; p++) {
			buf_puts(o, p ? ", {\"pattern\": " : "{\"pattern\": ");
			buf_json_str(o, r->pat[p].re);
			buf_printf(o, ", \"context\": \"%s\", \"negate\": %s}",
			    sensor_ctx_name(r->pat[p].ctx), r->pat[p].negate ? "true" : "false");
		}
		buf_puts(o, "]}");
	}
	buf_puts(o, s->nrules ? "\n    ]}" : "]}");
}

static void
write_admission(const struct doc *d, struct buf *o)
{
	buf_printf(o, ",\n  \"admission\": {\"mode\": \"%s\", \"rules\": [",
	    adm_mode_name(d->adm_mode));
	for (int i = 0; i < d->nadm; i++) {
		const struct doc_adm_rule *a = &d->adm[i];

		buf_puts(o, i ? ",\n    {" : "\n    {");
		if (a->builtin[0]) {
			buf_puts(o, "\"builtin\": ");
			buf_json_str(o, a->builtin);
		} else {
			buf_printf(o, "\"action\": \"%s\"", a->deny ? "deny" : "allow");
			write_list(o, "criteria", a->criteria);
			if (a->comment[0]) {
				buf_puts(o, ", \"comment\": ");
				buf_json_str(o, a->comment);
			}
		}
		buf_printf(o, ", \"enabled\": %s}", a->enabled ? "true" : "false");
	}
	buf_puts(o, d->nadm ? "\n  ]}" : "]}");
}

static void
write_responses(const struct doc *d, struct buf *o)
{
	char text_[RESPONSE_TEXT_MAX];

	buf_puts(o, ",\n  \"responses\": [");
	for (int i = 0; i < d->nresponses; i++) {
		const struct response_rule *r = &d->responses[i];

		buf_printf(o, "%s{\"category\": \"%s\"", i ? ",\n    " : "\n    ",
		    response_category_name(r->category));
		if (r->group[0]) {
			buf_puts(o, ", \"group\": ");
			buf_json_str(o, r->group);
		}
		response_criteria_format(r, text_, sizeof(text_));
		if (text_[0])
			write_list(o, "criteria", text_);
		response_actions_format(r, text_, sizeof(text_));
		write_list(o, "actions", text_);
		buf_printf(o, ", \"enabled\": %s}", r->enabled ? "true" : "false");
	}
	buf_puts(o, d->nresponses ? "\n  ]" : "]");
}

void
doc_write(const struct doc *d, struct buf *o)
{
	buf_printf(o, "{\n  \"nvd_policy\": %d,\n", DOC_VERSION);
	write_groups(d, o);
	write_rules(d, o);
	buf_puts(o, "  \"sensors\": [");
	for (int i = 0; i < d->nsensors; i++) {
		buf_puts(o, i ? ",\n    " : "\n    ");
		write_sensor(&d->sensors[i], o);
	}
	buf_puts(o, d->nsensors ? "\n  ],\n" : "],\n");
	buf_puts(o, "  \"assignments\": [");
	for (int i = 0; i < d->nassigns; i++) {
		buf_puts(o, i ? ",\n    {\"group\": " : "\n    {\"group\": ");
		buf_json_str(o, d->assigns[i].group);
		buf_puts(o, ", \"sensor\": ");
		buf_json_str(o, d->assigns[i].sensor);
		buf_printf(o, ", \"action\": \"%s\"", d->assigns[i].deny ? "deny" : "alert");
		if (strcmp(d->assigns[i].sensor, CRS_SENSOR) == 0)
			buf_printf(o, ", \"paranoia\": %d, \"threshold\": %d",
			    d->assigns[i].paranoia ? d->assigns[i].paranoia : 1,
			    d->assigns[i].threshold ? d->assigns[i].threshold :
			    CRS_THRESHOLD_DEFAULT);
		buf_puts(o, "}");
	}
	buf_puts(o, d->nassigns ? "\n  ]" : "]");
	if (d->has_admission)
		write_admission(d, o);
	if (d->has_responses)
		write_responses(d, o);
	buf_puts(o, "\n}\n");
}
