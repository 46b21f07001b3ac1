/*
 * response.h: response rules, their words, and which of them fire for an
 * event (nvctl(8), RESPONSE RULES).
 *
 * A rule has a category, an optional group, criteria and actions.  It
 * fires for an event when it is enabled, its category takes the event's
 * type (response_type_category()), every criterion's glob (fnmatch(3))
 * matches the event's field of that key, and, with a group, the event's
 * source or destination is a member of it.  Every rule that fires acts;
 * the actions are done once each however many rules ask for them
 * (response_eval()).
 *
 * Quarantine is never the victim's: it takes the event's source (the
 * client of the connection) only, and only when a rule that asks for it
 * has the source as a member of its group (or has no group).
 *
 * Threads: everything here is pure; a response_set is immutable once
 * made and may be read by any number of threads.
 */
#ifndef NVD_POLICY_RESPONSE_H
#define NVD_POLICY_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#include "policy/objects.h"

struct policy;

#define RESPONSE_GLOB_MAX	128	/* a criterion's glob, NUL included */
#define RESPONSE_URL_MAX	512	/* a webhook's URL, NUL included */
#define RESPONSE_WEBHOOKS_MAX	4	/* webhook= actions of one rule */
#define RESPONSE_RULES_MAX	1024	/* rules stored */
#define RESPONSE_FIRED_MAX	64	/* rules of one event that response_eval() names */
#define RESPONSE_TEXT_MAX	2560	/* criteria or actions as text, NUL included */

enum response_category {
	RESP_CAT_SECURITY = 0,		/* security-event: violation, threat, dlp, waf */
	RESP_CAT_EVENT,			/* event: nvd's own (incident, quarantine) */
	RESP_CAT_CVE,			/* cve-report */
	RESP_CAT_COMPLIANCE,		/* compliance */
	RESP_CAT_ADMISSION,		/* admission */
	RESP_CAT_COUNT
};
const char *response_category_name(enum response_category c);
/* 0, or -1 when s is none of the names. */
int response_category_parse(const char *s, enum response_category *c);
/* The category of events of type (event.h's names), or -1 for none. */
int response_type_category(const char *type);

enum response_key {
	RESP_KEY_NAME = 0,
	RESP_KEY_LEVEL,
	RESP_KEY_TYPE,
	RESP_KEY_SENSOR,
	RESP_KEY_APP,
	RESP_KEY_COUNT
};

struct response_criterion {
	enum response_key key;
	char glob[RESPONSE_GLOB_MAX];
};

#define RESP_ACT_QUARANTINE	0x1u
#define RESP_ACT_WEBHOOK	0x2u
#define RESP_ACT_SUPPRESS	0x4u

struct response_rule {
	int64_t id;
	enum response_category category;
	char group[POLICY_NAME_MAX];		/* "" : any */
	struct response_criterion crit[RESP_KEY_COUNT];
	int ncrit;
	unsigned actions;			/* RESP_ACT_* */
	char webhooks[RESPONSE_WEBHOOKS_MAX][RESPONSE_URL_MAX];
	int nwebhooks;
	int enabled;
	/* As stored, for listings. */
	int64_t fired, suppressed, last_fired, created, updated;
	/* Events before this time (unix ms) are not the rule's: a rule acts
	 * from the moment it is in force as it is (response_set_carry()). */
	int64_t in_force_ms;
};

/*
 * Parses "name=Ping.*,level=critical" into r->crit (r->ncrit), or "" into
 * none.  Returns 0, or -1 with err: "criterion 'color=red': unknown key
 * 'color' (expected name=, level=, type=, sensor= or app=)", "criterion
 * 'name': expected KEY=GLOB", "criterion 'name=': empty glob", "duplicate
 * criterion key 'name' (criteria are AND-ed: one glob per key)",
 * "criterion 'name=a[b': bad glob ('[' without ']')".
 */
int response_criteria_parse(const char *text, struct response_rule *r, char *err,
    size_t errlen);
/*
 * Parses "quarantine,webhook=https://h/p,suppress-log" into r->actions
 * and r->webhooks.  Returns 0, or -1 with err: "unknown action 'x'
 * (expected quarantine, webhook=URL or suppress-log)", "duplicate action
 * 'quarantine'", "webhook URL 'ftp://x': expected http:// or https://",
 * "no action ...".
 */
int response_actions_parse(const char *text, struct response_rule *r, char *err,
    size_t errlen);
/*
 * What the parts of a whole rule must agree on: level= and type= globs
 * that match no level, or no type of the rule's category; quarantine in
 * category event or admission.  0, or -1 with err.
 */
int response_rule_check(const struct response_rule *r, char *err, size_t errlen);
/* The canonical texts (they parse back to the same rule). */
void response_criteria_format(const struct response_rule *r, char *out, size_t outlen);
void response_actions_format(const struct response_rule *r, char *out, size_t outlen);
const char *response_key_name(enum response_key k);

/* An event as the rules see it: each string "" when it has none. */
struct response_event {
	const char *type, *name, *level, *sensor, *app;
	const char *src_workload, *src_group, *dst_workload, *dst_group;
	int family;			/* of src and dst, 0: no addresses */
	const uint8_t *src, *dst;
	int64_t time_ms;		/* when it happened (unix ms) */
};

/* The rules that fired for one event and what they ask for, once each. */
struct response_fire {
	int nfired;			/* rules that fired (all of them) */
	int fired[RESPONSE_FIRED_MAX];	/* the first ones, indexes in the set */
	unsigned actions;		/* RESP_ACT_* of every rule that fired */
	/* Quarantine: the source's workload in the policy (-1: none, or no
	 * rule that asks has it as a member), and the first such rule. */
	int quarantine_wl;
	int quarantine_rule;		/* index in the set, or -1 */
	const char *webhooks[RESPONSE_FIRED_MAX];	/* distinct URLs, in the set */
	int nwebhooks;
};

/* An immutable copy of rules (in the order given). */
struct response_set {
	struct response_rule *rules;
	int nrules;
};

/* Copies the n rules (in force from any time); NULL for lack of memory. */
struct response_set *response_set_new(const struct response_rule *rules, int n);
/*
 * s replaces prev at now_ms: a rule of s that prev has as it is (same id,
 * enabled, same criteria, group and actions) stays in force from when it
 * was; any other rule is in force from now_ms, so that an event recorded
 * before an operator added or changed a rule, and written after, does
 * not fire it.  prev NULL: nvd starts, every rule in force from any time.
 */
void response_set_carry(struct response_set *s, const struct response_set *prev,
    int64_t now_ms);
void response_set_free(struct response_set *s);

/*
 * The rules of s that fire for ev, judged with policy p (NULL: group
 * members are only the event's own groups, and nothing is quarantined).
 * Disabled rules never fire.  Returns f->nfired.
 */
int response_eval(const struct response_set *s, const struct policy *p,
    const struct response_event *ev, struct response_fire *f);

#endif
