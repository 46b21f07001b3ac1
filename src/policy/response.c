/*
 * response.c: response rules' words, and the rules that fire for an
 * event (response.h).
 */
#include "config.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/policy.h"
#include "policy/response.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const category_names[RESP_CAT_COUNT] = {
	[RESP_CAT_SECURITY] = "security-event",
	[RESP_CAT_EVENT] = "event",
	[RESP_CAT_CVE] = "cve-report",
	[RESP_CAT_COMPLIANCE] = "compliance",
	[RESP_CAT_ADMISSION] = "admission",
};

/* The event types (event.h's names) each category takes. */
static const char *const category_types[RESP_CAT_COUNT][5] = {
	[RESP_CAT_SECURITY] = { "violation", "threat", "dlp", "waf", NULL },
	[RESP_CAT_EVENT] = { "incident", "quarantine", NULL },
	[RESP_CAT_CVE] = { NULL },
	[RESP_CAT_COMPLIANCE] = { NULL },
	[RESP_CAT_ADMISSION] = { "admission", NULL },
};

static const char *const key_names[RESP_KEY_COUNT] = {
	[RESP_KEY_NAME] = "name",
	[RESP_KEY_LEVEL] = "level",
	[RESP_KEY_TYPE] = "type",
	[RESP_KEY_SENSOR] = "sensor",
	[RESP_KEY_APP] = "app",
};

static const char *const levels[] = { "info", "warning", "critical" };

const char *
response_category_name(enum response_category c)
{
	return (unsigned)c < RESP_CAT_COUNT ? category_names[c] : "unknown";
}

int
response_category_parse(const char *s, enum response_category *c)
{
	for (int i = 0; i < RESP_CAT_COUNT; i++)
		if (strcmp(s, category_names[i]) == 0) {
			*c = (enum response_category)i;
			return 0;
		}
	return -1;
}

int
response_type_category(const char *type)
{
	for (int c = 0; c < RESP_CAT_COUNT; c++)
		for (int i = 0; category_types[c][i]; i++)
			if (strcmp(type, category_types[c][i]) == 0)
				return c;
	return -1;
}

const char *
response_key_name(enum response_key k)
{
	return (unsigned)k < RESP_KEY_COUNT ? key_names[k] : "unknown";
}

/* --- parsing ------------------------------------------------------------- */

/*
 * The next item of a ","-separated list at *p (NULL: none left), into
 * item, cut at itemlen - 1 (*len is its whole length, for the caller to
 * refuse); *p moves past it and its comma.  An empty list has no item;
 * "a,,b" and "a," have an empty one.
 */
static int
next_item(const char **p, char *item, size_t itemlen, size_t *len)
{
	const char *s = *p, *e;

	if (s == NULL)
		return 0;
	e = strchr(s, ',');
	*len = e ? (size_t)(e - s) : strlen(s);
	snprintf(item, itemlen, "%.*s", (int)(*len < itemlen ? *len : itemlen - 1), s);
	*p = e ? e + 1 : NULL;
	return 1;
}

/* fnmatch(3) takes any text; what it cannot mean as written is refused. */
static const char *
glob_fault(const char *g)
{
	for (const char *p = g; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "a control character";
		if (*p == '\\' && *++p == '\0')
			return "it ends in '\\'";
		if (*p == '[') {
			const char *q = p + 1;

			if (*q == '!' || *q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']')
				q++;
			if (*q == '\0')
				return "'[' without ']'";
			p = q;
		}
	}
	return NULL;
}

int
response_criteria_parse(const char *text, struct response_rule *r, char *err, size_t errlen)
{
	char item[RESPONSE_GLOB_MAX + 32];
	const char *p = *text ? text : NULL, *fault;
	size_t len;

	r->ncrit = 0;
	while (next_item(&p, item, sizeof(item), &len)) {
		char *eq = strchr(item, '=');
		int k;

		if (len >= sizeof(item)) {
			snprintf(err, errlen, "criterion '%.40s...': longer than %d bytes", item,
			    (int)sizeof(item) - 1);
			return -1;
		}
		if (eq == NULL) {
			snprintf(err, errlen, "criterion '%s': expected KEY=GLOB", item);
			return -1;
		}
		*eq = '\0';
		for (k = 0; k < RESP_KEY_COUNT && strcmp(item, key_names[k]); k++)
			;
		if (k == RESP_KEY_COUNT) {
			snprintf(err, errlen, "criterion '%s=%s': unknown key '%s' (expected name=, "
			    "level=, type=, sensor= or app=)", item, eq + 1, item);
			return -1;
		}
		for (int i = 0; i < r->ncrit; i++)
			if (r->crit[i].key == (enum response_key)k) {
				snprintf(err, errlen, "duplicate criterion key '%s' (criteria are "
				    "AND-ed: one glob per key)", item);
				return -1;
			}
		if (eq[1] == '\0') {
			snprintf(err, errlen, "criterion '%s=': empty glob", item);
			return -1;
		}
		if (strlen(eq + 1) >= RESPONSE_GLOB_MAX) {
			snprintf(err, errlen, "criterion '%s=%.40s...': a glob is at most %d bytes",
			    item, eq + 1, RESPONSE_GLOB_MAX - 1);
			return -1;
		}
		if ((fault = glob_fault(eq + 1)) != NULL) {
			snprintf(err, errlen, "criterion '%s=%s': bad glob (%s)", item, eq + 1, fault);
			return -1;
		}
		r->crit[r->ncrit].key = (enum response_key)k;
		strcpy(r->crit[r->ncrit++].glob, eq + 1);
	}
	return 0;
}

/* What is wrong with a webhook's URL, or NULL. */
static const char *
url_fault(const char *u)
{
	const char *host;

	if (strncasecmp(u, "http://", 7) == 0)
		host = u + 7;
	else if (strncasecmp(u, "https://", 8) == 0)
		host = u + 8;
	else
		return "expected http:// or https://";
	if (*host == '\0' || *host == '/' || *host == ':' || *host == '?' || *host == '#')
		return "no host";
	for (const char *p = u; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return "a space or control character (percent-encode it)";
	return NULL;
}

static const char ACTIONS_EXPECTED[] = "expected quarantine, webhook=URL or suppress-log";

static int
webhook_add(struct response_rule *r, const char *url, char *err, size_t errlen)
{
	const char *fault = url_fault(url);

	if (fault) {
		snprintf(err, errlen, "webhook URL '%.80s': %s", url, fault);
		return -1;
	}
	for (int i = 0; i < r->nwebhooks; i++)
		if (strcmp(r->webhooks[i], url) == 0) {
			snprintf(err, errlen, "duplicate action 'webhook=%.80s'", url);
			return -1;
		}
	if (r->nwebhooks == RESPONSE_WEBHOOKS_MAX) {
		snprintf(err, errlen, "at most %d webhooks in a rule", RESPONSE_WEBHOOKS_MAX);
		return -1;
	}
	strcpy(r->webhooks[r->nwebhooks++], url);
	r->actions |= RESP_ACT_WEBHOOK;
	return 0;
}

int
response_actions_parse(const char *text, struct response_rule *r, char *err, size_t errlen)
{
	char item[RESPONSE_URL_MAX + 16];
	const char *p = *text ? text : NULL;
	unsigned bit;
	size_t len;

	r->actions = 0;
	r->nwebhooks = 0;
	while (next_item(&p, item, sizeof(item), &len)) {
		if (strncmp(item, "webhook=", 8) == 0) {
			if (len >= RESPONSE_URL_MAX + 8) {
				snprintf(err, errlen, "webhook URL '%.40s...': longer than %d bytes",
				    item + 8, RESPONSE_URL_MAX - 1);
				return -1;
			}
			if (webhook_add(r, item + 8, err, errlen) < 0)
				return -1;
			continue;
		}
		if (strcmp(item, "quarantine") == 0)
			bit = RESP_ACT_QUARANTINE;
		else if (strcmp(item, "suppress-log") == 0)
			bit = RESP_ACT_SUPPRESS;
		else {
			snprintf(err, errlen, "unknown action '%.80s' (%s)", item, ACTIONS_EXPECTED);
			return -1;
		}
		if (r->actions & bit) {
			snprintf(err, errlen, "duplicate action '%s'", item);
			return -1;
		}
		r->actions |= bit;
	}
	if (r->actions == 0) {
		snprintf(err, errlen, "no action (%s)", ACTIONS_EXPECTED);
		return -1;
	}
	return 0;
}

/* Whether glob matches one of the words. */
static int
glob_any(const char *glob, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n && words[i]; i++)
		if (fnmatch(glob, words[i], 0) == 0)
			return 1;
	return 0;
}

int
response_rule_check(const struct response_rule *r, char *err, size_t errlen)
{
	const char *const *types = category_types[r->category];

	for (int i = 0; i < r->ncrit; i++) {
		const struct response_criterion *c = &r->crit[i];

		if (c->key == RESP_KEY_LEVEL && !glob_any(c->glob, levels, NELEM(levels))) {
			snprintf(err, errlen, "criterion 'level=%s' matches no level (info, warning "
			    "or critical)", c->glob);
			return -1;
		}
		if (c->key == RESP_KEY_TYPE && types[0] && !glob_any(c->glob, types, 5)) {
			char words[64] = "";

			for (int t = 0; types[t]; t++)
				snprintf(words + strlen(words), sizeof(words) - strlen(words), "%s%s",
				    t ? ", " : "", types[t]);
			snprintf(err, errlen, "criterion 'type=%s' matches no event type of category "
			    "%s (%s)", c->glob, response_category_name(r->category), words);
			return -1;
		}
	}
	if ((r->actions & RESP_ACT_QUARANTINE) &&
	    (r->category == RESP_CAT_EVENT || r->category == RESP_CAT_ADMISSION)) {
		snprintf(err, errlen, "action quarantine is for categories security-event, "
		    "cve-report and compliance (category %s names no attacker to quarantine)",
		    response_category_name(r->category));
		return -1;
	}
	return 0;
}

void
response_criteria_format(const struct response_rule *r, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; i < r->ncrit && n < outlen; i++)
		n += (size_t)snprintf(out + n, outlen - n, "%s%s=%s", i ? "," : "",
		    key_names[r->crit[i].key], r->crit[i].glob);
}

void
response_actions_format(const struct response_rule *r, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	if (r->actions & RESP_ACT_QUARANTINE)
		n += (size_t)snprintf(out + n, outlen - n, "quarantine");
	for (int i = 0; i < r->nwebhooks && n < outlen; i++)
		n += (size_t)snprintf(out + n, outlen - n, "%swebhook=%s", n ? "," : "",
		    r->webhooks[i]);
	if ((r->actions & RESP_ACT_SUPPRESS) && n < outlen)
		snprintf(out + n, outlen - n, "%ssuppress-log", n ? "," : "");
}

/* --- sets and matching --------------------------------------------------- */

struct response_set *
response_set_new(const struct response_rule *rules, int n)
{
	struct response_set *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->rules = calloc((size_t)n + 1, sizeof(*rules))) == NULL) {
		free(s);
		return NULL;
	}
	if (n > 0)
		memcpy(s->rules, rules, (size_t)n * sizeof(*rules));
	for (int i = 0; i < n; i++)
		s->rules[i].in_force_ms = 0;
	s->nrules = n;
	return s;
}

/* The same rule as far as which events it fires on and what it does. */
static int
same_rule(const struct response_rule *a, const struct response_rule *b)
{
	if (a->id != b->id || a->enabled != b->enabled || a->category != b->category ||
	    strcmp(a->group, b->group) || a->ncrit != b->ncrit || a->actions != b->actions ||
	    a->nwebhooks != b->nwebhooks)
		return 0;
	for (int i = 0; i < a->ncrit; i++)
		if (a->crit[i].key != b->crit[i].key || strcmp(a->crit[i].glob, b->crit[i].glob))
			return 0;
	for (int i = 0; i < a->nwebhooks; i++)
		if (strcmp(a->webhooks[i], b->webhooks[i]))
			return 0;
	return 1;
}

void
response_set_carry(struct response_set *s, const struct response_set *prev, int64_t now_ms)
{
	for (int i = 0; i < s->nrules; i++) {
		struct response_rule *r = &s->rules[i];

		r->in_force_ms = prev ? now_ms : 0;
		for (int k = 0; prev && k < prev->nrules; k++)
			if (same_rule(r, &prev->rules[k])) {
				r->in_force_ms = prev->rules[k].in_force_ms;
				break;
			}
	}
}

void
response_set_free(struct response_set *s)
{
	if (s == NULL)
		return;
	free(s->rules);
	free(s);
}

static const char *
event_field(const struct response_event *ev, enum response_key k)
{
	const char *v = NULL;

	switch (k) {
	case RESP_KEY_NAME: v = ev->name; break;
	case RESP_KEY_LEVEL: v = ev->level; break;
	case RESP_KEY_TYPE: v = ev->type; break;
	case RESP_KEY_SENSOR: v = ev->sensor; break;
	case RESP_KEY_APP: v = ev->app; break;
	case RESP_KEY_COUNT: break;
	}
	return v ? v : "";
}

/*
 * The workload of one end of the event in p: the workload at its address
 * if that is the one the event names, else the one of that name; -1 when
 * the end is no workload p knows.
 */
static int
end_workload(const struct policy *p, const char *name, int family, const uint8_t *addr)
{
	int wl;

	if (p == NULL || name == NULL || name[0] == '\0')
		return -1;
	if (family && (wl = policy_workload_by_addr(p, family, addr)) >= 0 &&
	    strcmp(policy_workload_at(p, wl)->name, name) == 0)
		return wl;
	for (wl = 0; wl < policy_nworkloads(p); wl++)
		if (strcmp(policy_workload_at(p, wl)->name, name) == 0)
			return wl;
	return -1;
}

#define MEMBER_GROUPS	64	/* groups of a workload looked at */

/* Whether an end (its group for events, its workload in p or -1) is in group. */
static int
end_member(const struct policy *p, const char *group, const char *end_group, int wl)
{
	int g[MEMBER_GROUPS], n, want;

	if (group[0] == '\0' || (end_group && strcmp(end_group, group) == 0))
		return 1;
	if (p == NULL || wl < 0 || (want = policy_group_find(p, group)) < 0)
		return 0;
	n = policy_workload_groups(p, wl, g, MEMBER_GROUPS);
	for (int i = 0; i < n; i++)
		if (g[i] == want)
			return 1;
	return 0;
}

static int
criteria_match(const struct response_rule *r, const struct response_event *ev)
{
	for (int i = 0; i < r->ncrit; i++)
		if (fnmatch(r->crit[i].glob, event_field(ev, r->crit[i].key), 0) != 0)
			return 0;
	return 1;
}

/* Adds rule r's webhooks to f's, each URL once. */
static void
add_webhooks(struct response_fire *f, const struct response_rule *r)
{
	for (int i = 0; i < r->nwebhooks; i++) {
		int k;

		for (k = 0; k < f->nwebhooks && strcmp(f->webhooks[k], r->webhooks[i]); k++)
			;
		if (k == f->nwebhooks && k < RESPONSE_FIRED_MAX)
			f->webhooks[f->nwebhooks++] = r->webhooks[i];
	}
}

int
response_eval(const struct response_set *s, const struct policy *p,
    const struct response_event *ev, struct response_fire *f)
{
	int cat = response_type_category(event_field(ev, RESP_KEY_TYPE)), src, dst;

	memset(f, 0, sizeof(*f));
	f->quarantine_wl = -1;
	f->quarantine_rule = -1;
	if (s == NULL || s->nrules == 0 || cat < 0)
		return 0;
	src = end_workload(p, ev->src_workload, ev->family, ev->src);
	dst = end_workload(p, ev->dst_workload, ev->family, ev->dst);
	for (int i = 0; i < s->nrules; i++) {
		const struct response_rule *r = &s->rules[i];
		int src_in;

		if (!r->enabled || ev->time_ms < r->in_force_ms || (int)r->category != cat ||
		    !criteria_match(r, ev))
			continue;
		src_in = end_member(p, r->group, ev->src_group, src);
		if (!src_in && !end_member(p, r->group, ev->dst_group, dst))
			continue;
		if (f->nfired < RESPONSE_FIRED_MAX)
			f->fired[f->nfired] = i;
		f->nfired++;
		f->actions |= r->actions;
		add_webhooks(f, r);
		/* The source only, and only as a member: never the victim. */
		if ((r->actions & RESP_ACT_QUARANTINE) && src_in && src >= 0 &&
		    f->quarantine_rule < 0) {
			f->quarantine_wl = src;
			f->quarantine_rule = i;
		}
	}
	return f->nfired;
}
