/*
 * doc.h: policy as code.  The policy as one JSON document (nvctl policy
 * export), and such a document read back and checked field by field
 * before anything is stored (nvctl policy import; nvd(8), POLICY AS CODE):
 *
 *	{"nvd_policy": 1,
 *	 "groups": [{"name": "web", "kind": "user", "criteria": ["name=web*"],
 *		     "mode": "protect"}, ...],
 *	 "rules": [{"from": "web", "to": "nv.db", "applications": ["postgresql"],
 *		    "ports": ["tcp/5432"], "action": "allow", "type": "user"}, ...],
 *	 "sensors": [{"name": "pii", "type": "dlp", "rules": [{"name": "card",
 *		      "validator": "luhn", "patterns": [{"pattern": "...",
 *		      "context": "packet", "negate": false}]}]}, ...],
 *	 "assignments": [{"group": "web", "sensor": "pii", "action": "deny"}],
 *	 "admission": {"mode": "protect", "rules": [{"action": "deny",
 *		       "criteria": ["privileged"], "comment": "...", "enabled": true},
 *		      {"builtin": "docker-socket", "enabled": true}]},
 *	 "responses": [{"category": "security-event", "group": "web",
 *		        "criteria": ["name=no rule"], "actions": ["quarantine"],
 *		        "enabled": true}, ...]}
 *
 * Every word is the one nvctl takes, stored in the form nvd stores it, so
 * that a document exported, imported and exported again is the same text.
 * Nothing that differs between hosts is in it: no ids, times or counts.
 * User rules are in their order of evaluation.  Sensors are the user
 * sensors with their rules; the built-in ones (from rules_dir) are named
 * by the assignments only, the built-in admission rules by their names.
 * A document without "admission" leaves admission control as it is, one
 * without "responses" the response rules (a rule without "group" takes
 * events of any group, one without "criteria" every event of its
 * category).
 *
 * The document is hostile input: its size, depth and node count are
 * bounded (json.h), so are its lists; unknown fields are refused (a typo
 * must not be ignored silently).  Errors are one line: "line 3, column 7:
 * expected ':' after object key" for the syntax, or the JSON path of the
 * value at fault and why: "$.groups[1].mode: bad mode 'protected'
 * (expected discover, monitor or protect)".
 *
 * Threads: pure but for the PCRE2 check of patterns; any thread.
 */
#ifndef NVD_DOC_H
#define NVD_DOC_H

#include <stddef.h>

#include "admission/adm_rules.h"
#include "base/buf.h"
#include "policy/policy.h"
#include "policy/response.h"
#include "sensor/sensor.h"

#define DOC_VERSION		1
#define DOC_MAX_SIZE		(16u << 20)	/* bytes of a document */
#define DOC_MAX_NODES		(1u << 20)	/* JSON values in it */
#define DOC_MAX_GROUPS		65536
#define DOC_MAX_RULES		131072
#define DOC_MAX_ASSIGNS		65536
#define DOC_MAX_ADM_RULES	4096
#define DOC_MAX_RESPONSES	RESPONSE_RULES_MAX
#define DOC_CRITERIA_MAX	(POLICY_MAX_CRITERIA * (POLICY_LABEL_KEY_MAX + \
				    POLICY_LABEL_VALUE_MAX + 16))
#define DOC_PORTS_MAX		(POLICY_MAX_PORTS * 24)

struct doc_group {
	char name[POLICY_NAME_MAX];
	enum group_kind kind;	/* told by the name: built in, nv.*, or user */
	enum policy_mode mode;
	char criteria[DOC_CRITERIA_MAX];	/* criteria_format()'s text; "" but for
						 * user groups */
};

struct doc_rule {
	char from[POLICY_NAME_MAX];
	char to[POLICY_NAME_MAX];
	char apps[POLICY_APPS_MAX];	/* store_apps_canon()'s text */
	char ports[DOC_PORTS_MAX];	/* ports_format()'s text */
	enum rule_action action;
	enum rule_type type;
};

struct doc_assign {
	char group[POLICY_NAME_MAX];
	char sensor[SENSOR_NAME_MAX];
	int deny;
	int paranoia, threshold;	/* sensor.crs's (0: the defaults, 1 and 5) */
};

/* An admission rule: a built-in one by its name (only whether it is
 * enabled is the document's), or a user rule whole. */
struct doc_adm_rule {
	char builtin[ADM_RULE_NAME_MAX];	/* "" for a user rule */
	int deny;
	char criteria[ADM_CRITERIA_TEXT];	/* adm_criteria_format()'s text */
	char comment[ADM_COMMENT_MAX];
	int enabled;
};

/* A document; every array malloc'ed (doc_free()).  Items are in the order
 * of the document, so item i of a list is at $.LIST[i]. */
struct doc {
	struct doc_group *groups;
	int ngroups;
	struct doc_rule *rules;
	int nrules;
	struct sensor_spec *sensors;	/* user sensors; rules malloc'ed */
	int nsensors;
	struct doc_assign *assigns;
	int nassigns;
	int has_admission;		/* the document says the admission policy */
	enum adm_mode adm_mode;
	struct doc_adm_rule *adm;	/* in the order they are tried */
	int nadm;
	int has_responses;		/* the document says the response rules */
	struct response_rule *responses;	/* checked whole; no ids, counts, times */
	int nresponses;
};

/*
 * Reads len bytes of text into *d (emptied first).  Checks each field as
 * nvctl's commands would (names, criteria, applications, ports, patterns)
 * and the document as a whole (a group or sensor named twice, a learned
 * rule given twice, more than the bounds above), but not what the
 * database holds: import does that.  Returns 0, or -1 with *d empty and
 * the message in err.
 */
int doc_parse(const char *text, size_t len, struct doc *d, char *err, size_t errlen);
/* The document as JSON text, one item a line, ending with a newline. */
void doc_write(const struct doc *d, struct buf *out);
void doc_free(struct doc *d);

/* The index of the group named name in d, or -1. */
int doc_group_find(const struct doc *d, const char *name);

#endif
