/*
 * handle_admission.c: nvctl admission commands: the admission rules, the
 * mode, the authorization plugin's counters, and judging a container's
 * description as the plugin would (nvd(8), ADMISSION CONTROL).
 *
 * Changes go to the database (store_admission.c), then
 * admission_run_apply() hands the new policy to the plugin's thread
 * before the reply; the network policy is not rebuilt.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission/adm_authz.h"
#include "base/control_proto.h"
#include "base/table.h"
#include "daemon/daemon.h"
#include "daemon/request.h"
#include "docker/authz.h"
#include "store/store.h"
#include "store/store_admission.h"

#define USAGE_ADD	"admission rule add --action allow|deny --criteria C[,C...] " \
	"[--comment TEXT]"
#define USAGE_LIST	"admission rule list"
#define USAGE_SHOW	"admission rule show ID"
#define USAGE_DEL	"admission rule delete ID"
#define USAGE_ENABLE	"admission rule enable ID"
#define USAGE_DISABLE	"admission rule disable ID"
#define USAGE_RTEST	"admission rule test ID FILE"
#define USAGE_RULE	"admission rule add|list|show|delete|enable|disable|test ..."
#define USAGE_MODE	"admission mode [monitor|protect]"
#define USAGE_TEST	"admission test FILE"
#define USAGE_STATUS	"admission status"
#define USAGE_ADMISSION	"admission rule|mode|test|status ..."

/* --- arguments and applying ------------------------------------------------ */

/* A rule id: a positive decimal number.  CTL_RESP_OK or an error in o. */
static int
id_parse(const char *s, int64_t *id, struct buf *o)
{
	char *end;
	long long v;

	if (s[0] < '1' || s[0] > '9' || (v = strtoll(s, &end, 10), *end) || v == LLONG_MAX)
		return req_error(o, CTL_RESP_ERROR, "bad admission rule id '%.64s' (expected a "
		    "positive number)", s);
	*id = v;
	return CTL_RESP_OK;
}

/* The one word ID of a request. */
static int
id_word(int argc, char **argv, const char *usage, int64_t *id, struct buf *o)
{
	const char *word[1];

	return req_parse(argc, argv, NULL, word, 1, 1) < 0 ? req_usage(o, usage) :
	    id_parse(word[0], id, o);
}

/* After a change was stored: the plugin judges by it before nvctl returns. */
static int
apply(struct daemon *d, int rc, const char *err, struct buf *o)
{
	char why[512];

	if (rc < 0)
		return req_store_fail(o, rc, err);
	if (admission_run_apply(&d->adm, d->db, why, sizeof(why)) < 0)
		return req_error(o, CTL_RESP_ERROR, "saved, but the admission policy was not "
		    "rebuilt: %s", why);
	return CTL_RESP_OK;
}

/* --- rules ------------------------------------------------------------------ */

/* A rule as a JSON object, then end ("" or "\n"). */
static void
json_rule(struct buf *o, const struct adm_rule *r, const char *end)
{
	char crit[ADM_CRITERIA_TEXT];

	adm_criteria_format(r->c, r->ncrit, crit, sizeof(crit));
	buf_printf(o, "{\"id\":%lld,\"action\":\"%s\",\"enabled\":%s,\"criteria\":",
	    (long long)r->id, r->deny ? "deny" : "allow", r->enabled ? "true" : "false");
	buf_json_str(o, crit);
	buf_puts(o, ",\"comment\":");
	buf_json_str(o, r->comment[0] ? r->comment : NULL);
	buf_printf(o, ",\"builtin\":%s,\"name\":", r->builtin ? "true" : "false");
	buf_json_str(o, r->builtin ? r->name : NULL);
	buf_puts(o, ",\"source\":");
	buf_json_str(o, r->builtin ? r->source : NULL);
	buf_puts(o, ",\"created\":");
	req_json_time(o, r->created);
	buf_puts(o, ",\"updated\":");
	req_json_time(o, r->updated);
	buf_printf(o, "}%s", end);
}

static int
cmd_rule_add(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *action, *criteria, *comment;
	const struct req_opt opts[] = {
		{ .name = "action", .max = 1, .val = &action },
		{ .name = "criteria", .max = 1, .val = &criteria },
		{ .name = "comment", .max = 1, .val = &comment },
		{ .name = NULL },
	};
	struct adm_rule r;
	char err[512];
	int64_t id;
	int rc;

	if (req_parse(argc, argv, opts, NULL, 0, 0) < 0 || action == NULL || criteria == NULL)
		return req_usage(o, USAGE_ADD);
	if (strcmp(action, "allow") != 0 && strcmp(action, "deny") != 0)
		return req_error(o, CTL_RESP_ERROR, "unknown action '%.40s' (expected allow or deny)",
		    action);
	rc = store_adm_rule_add(d->db, action[0] == 'd', criteria, comment ? comment : "", &id,
	    err, sizeof(err));
	if ((rc = apply(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	if (!json) {
		buf_printf(o, "admission rule %lld added\n", (long long)id);
		return CTL_RESP_OK;
	}
	if ((rc = store_adm_rule_get(d->db, id, &r, err, sizeof(err))) == 0)
		json_rule(o, &r, "\n");
	return rc < 0 ? req_store_fail(o, rc, err) : CTL_RESP_OK;
}

static int
cmd_rule_list(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct table t = { .ncols = 6 };
	struct adm_rule *r;
	char err[512], crit[ADM_CRITERIA_TEXT];
	int n;

	if (req_parse(argc, argv, NULL, NULL, 0, 0) < 0)
		return req_usage(o, USAGE_LIST);
	if (store_adm_rule_list(d->db, &r, &n, err, sizeof(err)) < 0)
		return req_error(o, CTL_RESP_ERROR, "%s", err);
	if (json) {
		buf_puts(o, "[");
		for (int i = 0; i < n; i++) {
			buf_puts(o, i ? "," : "");
			json_rule(o, &r[i], "");
		}
		buf_puts(o, "]\n");
		free(r);
		return CTL_RESP_OK;
	}
	table_add(&t, "id");
	table_add(&t, "action");
	table_add(&t, "enabled");
	table_add(&t, "criteria");
	table_add(&t, "builtin");
	table_add(&t, "comment");
	for (int i = 0; i < n; i++) {
		adm_criteria_format(r[i].c, r[i].ncrit, crit, sizeof(crit));
		table_addf(&t, "%lld", (long long)r[i].id);
		table_add(&t, r[i].deny ? "deny" : "allow");
		table_add(&t, r[i].enabled ? "yes" : "no");
		table_add(&t, crit);
		if (r[i].builtin)
			table_addf(&t, "%s (%s)", r[i].name, r[i].source);
		else
			table_add(&t, "-");
		table_add(&t, r[i].comment[0] ? r[i].comment : NULL);
	}
	table_print(&t, o);
	table_free(&t);
	free(r);
	return CTL_RESP_OK;
}

static void
text_rule(struct buf *o, const struct adm_rule *r)
{
	char crit[ADM_CRITERIA_TEXT], tm[2][32];

	adm_criteria_format(r->c, r->ncrit, crit, sizeof(crit));
	buf_printf(o, "id        %lld\naction    %s\nenabled   %s\ncriteria  %s\ncomment   %s\n",
	    (long long)r->id, r->deny ? "deny" : "allow", r->enabled ? "yes" : "no", crit,
	    r->comment[0] ? r->comment : "-");
	if (r->builtin)
		buf_printf(o, "builtin   yes: %s in %s\n", r->name, r->source);
	else
		buf_puts(o, "builtin   no\n");
	buf_printf(o, "created   %s\nupdated   %s\n", req_text_time(r->created, tm[0],
	    sizeof(tm[0])), req_text_time(r->updated, tm[1], sizeof(tm[1])));
}

static int
cmd_rule_show(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct adm_rule r;
	char err[512];
	int64_t id;
	int rc;

	if ((rc = id_word(argc, argv, USAGE_SHOW, &id, o)) != CTL_RESP_OK)
		return rc;
	if ((rc = store_adm_rule_get(d->db, id, &r, err, sizeof(err))) < 0)
		return req_store_fail(o, rc, err);
	if (json)
		json_rule(o, &r, "\n");
	else
		text_rule(o, &r);
	return CTL_RESP_OK;
}

static int
cmd_rule_delete(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	char err[512], ids[32];
	int64_t id;
	int rc;

	if ((rc = id_word(argc, argv, USAGE_DEL, &id, o)) != CTL_RESP_OK)
		return rc;
	rc = store_adm_rule_delete(d->db, id, err, sizeof(err));
	if ((rc = apply(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	if (json)
		req_json_strings(o, "deleted", ids, NULL);
	else
		buf_printf(o, "admission rule %s deleted\n", ids);
	return CTL_RESP_OK;
}

static int
rule_enable(struct daemon *d, int argc, char **argv, int json, struct buf *o, int on)
{
	char err[512], ids[32];
	int64_t id;
	int rc;

	if ((rc = id_word(argc, argv, on ? USAGE_ENABLE : USAGE_DISABLE, &id, o)) != CTL_RESP_OK)
		return rc;
	rc = store_adm_rule_enable(d->db, id, on, err, sizeof(err));
	if ((rc = apply(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	if (json)
		req_json_strings(o, on ? "enabled" : "disabled", ids, NULL);
	else
		buf_printf(o, "admission rule %s %s\n", ids, on ? "enabled" : "disabled");
	return CTL_RESP_OK;
}

static int
cmd_rule_enable(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return rule_enable(d, argc, argv, json, o, 1);
}

static int
cmd_rule_disable(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return rule_enable(d, argc, argv, json, o, 0);
}

/* --- judging a description ---------------------------------------------------- */

/* The facts of a parsed --input (a docker inspect document or a create body). */
static int
input_facts(const char *input, struct json_doc **doc, struct adm_facts *f, struct buf *o)
{
	struct json_error jerr;

	if (strlen(input) > CTL_MAX_ADMISSION_INPUT)
		return req_error(o, CTL_RESP_ERROR, "input longer than %d bytes",
		    CTL_MAX_ADMISSION_INPUT);
	if ((*doc = json_parse(input, strlen(input), NULL, &jerr)) == NULL)
		return req_error(o, CTL_RESP_ERROR, "not JSON: %s", jerr.msg);
	if (adm_facts_read(f, ADM_INSPECT, json_root(*doc), NULL) < 0) {
		adm_facts_free(f);
		json_free(*doc);
		return req_error(o, CTL_RESP_ERROR, "out of memory");
	}
	return CTL_RESP_OK;
}

static void
text_paths(struct buf *o, const char *label, const struct adm_paths *l, int more,
    const char *more_text)
{
	if (l->n == 0 && !more)
		return;
	buf_printf(o, "%-11s ", label);
	for (int i = 0; i < l->n; i++)
		buf_printf(o, "%s%s", i ? ", " : "", l->v[i].clean);
	buf_printf(o, "%s%s\n", more && l->n ? ", " : "", more ? more_text : "");
}

/* What nvd read of the container, the lines that apply. */
static void
text_facts(struct buf *o, const struct adm_facts *f)
{
	const char *host[4] = { "network", "pid", "ipc", "uts" };
	int hv[4] = { f->host_network, f->host_pid, f->host_ipc, f->host_uts }, nh = 0;

	buf_printf(o, "container   %s\nimage       %s", f->name[0] ? f->name : "-",
	    f->image.given[0] ? f->image.given : "-");
	if (f->image.given[0])
		buf_printf(o, " (registry %s, tag %s)", f->image.domain,
		    f->image.tag[0] ? f->image.tag : "-");
	buf_printf(o, "\nuser        %s%s\n", f->user[0] ? f->user : "(the image's)",
	    f->root ? ": root" : "");
	if (f->privileged)
		buf_puts(o, "privileged  yes\n");
	for (int i = 0; i < 4; i++)
		if (hv[i])
			buf_printf(o, "%s%s", nh++ ? ", " : "host        ", host[i]);
	if (nh)
		buf_puts(o, "\n");
	for (int i = 0; i < f->ncaps; i++)
		buf_printf(o, "%s%s%s", i ? ", " : "capadd      ", f->caps[i],
		    i + 1 == f->ncaps ? "\n" : "");
	text_paths(o, "mounts", &f->mounts, f->mount_unknown, "VolumesFrom");
	text_paths(o, "devices", &f->devices, f->device_any, "DeviceCgroupRules");
	if (f->unconfined)
		buf_printf(o, "unconfined  %s\n", f->unconfined_why);
	for (int i = 0; i < f->ports.n; i++)
		buf_printf(o, i ? ", %u" : "ports       %u", f->ports.v[i].lo);
	if (f->ports.n)
		buf_puts(o, "\n");
	buf_printf(o, "limits      memory %s, CPU %s\n", f->mem_limit ? "yes" : "no",
	    f->cpu_limit ? "yes" : "no");
}

static int
cmd_test(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *input;
	const struct req_opt opts[] = {
		{ .name = "input", .max = 1, .val = &input },
		{ .name = NULL },
	};
	struct adm_policy *p;
	struct sensor_scratch *sc;
	struct adm_outcome out = { .kind = ADM_INSPECT };
	struct json_doc *doc;
	struct adm_facts f;
	char msg[320];
	int rc;

	if (req_parse(argc, argv, opts, NULL, 0, 0) < 0 || input == NULL)
		return req_usage(o, USAGE_TEST);
	if ((rc = input_facts(input, &doc, &f, o)) != CTL_RESP_OK)
		return rc;
	if ((sc = sensor_scratch_new()) == NULL) {
		rc = req_error(o, CTL_RESP_ERROR, "out of memory");
		goto out;
	}
	p = adm_live_get(&d->adm.live);
	out.kind = f.kind;
	adm_outcome_judge(p, sc, &f, &out);
	adm_outcome_message(&out, msg, sizeof(msg));
	if (json) {
		buf_printf(o, "{\"mode\":\"%s\",\"result\":\"%s\",\"allow\":%s,\"unreadable\":%s,"
		    "\"rule_id\":", adm_mode_name(p ? p->mode : ADM_MONITOR),
		    adm_result_name(out.result), out.allow ? "true" : "false",
		    out.unreadable ? "true" : "false");
		if (out.rule_id)
			buf_printf(o, "%lld", (long long)out.rule_id);
		else
			buf_puts(o, "null");
		buf_puts(o, ",\"matched\":");
		buf_json_str(o, out.why[0] ? out.why : NULL);
		buf_puts(o, ",\"message\":");
		buf_json_str(o, out.msg[0] ? out.msg : NULL);
		buf_puts(o, ",\"event\":");
		buf_json_str(o, out.result == ADM_PASS ? NULL : msg);
		buf_puts(o, "}\n");
	} else {
		buf_printf(o, "mode        %s\nresult      %s\n", adm_mode_name(p ? p->mode :
		    ADM_MONITOR), adm_result_name(out.result));
		if (out.rule_id)
			buf_printf(o, "rule        %lld%s%s\n", (long long)out.rule_id,
			    out.rule_name[0] ? " " : "", out.rule_name);
		if (out.why[0])
			buf_printf(o, "%-11s %s\n", out.unreadable ? "unreadable" : "matched", out.why);
		if (out.msg[0])
			buf_printf(o, "docker says %s\n", out.msg);
		if (!out.unreadable)
			text_facts(o, &f);
	}
	/* like a test that fails: a deny rule decided, or nvd could not read it */
	rc = out.result == ADM_PASS || out.result == ADM_ALLOWED ? CTL_RESP_OK : CTL_RESP_NOMATCH;
	adm_policy_put(p);
	sensor_scratch_free(sc);
out:
	adm_facts_free(&f);
	json_free(doc);
	return rc;
}

/* rule test: each criterion of the rule, whether it matches. */
static int
cmd_rule_test(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *input, *pos[1];
	const struct req_opt opts[] = {
		{ .name = "input", .max = 1, .val = &input },
		{ .name = NULL },
	};
	struct adm_subject s = { 0 };
	struct adm_policy *p;
	struct json_doc *doc;
	struct adm_facts f;
	struct adm_rule r;
	char err[512];
	int64_t id;
	int rc, all = 1;

	if (req_parse(argc, argv, opts, pos, 1, 1) < 0 || input == NULL)
		return req_usage(o, USAGE_RTEST);
	if ((rc = id_parse(pos[0], &id, o)) != CTL_RESP_OK)
		return rc;
	if ((rc = store_adm_rule_get(d->db, id, &r, err, sizeof(err))) < 0)
		return req_store_fail(o, rc, err);
	adm_rule_resolve(&r);
	if ((rc = input_facts(input, &doc, &f, o)) != CTL_RESP_OK)
		return rc;
	if (f.unreadable[0]) {
		rc = req_error(o, CTL_RESP_ERROR, "nvd cannot judge it: %s", f.unreadable);
		goto out;
	}
	p = adm_live_get(&d->adm.live);
	s.f = &f;
	s.dlp = p ? p->dlp : NULL;
	s.scratch = sensor_scratch_new();
	buf_printf(o, json ? "{\"rule\":%lld,\"criteria\":[" : "rule %lld (%s)\n", (long long)id,
	    r.deny ? "deny" : "allow");
	for (int i = 0; i < r.ncrit; i++) {
		char crit[ADM_CRITERIA_TEXT], why[192];
		int m = adm_crit_match(&r.c[i], &s, why, sizeof(why));

		all &= m;
		adm_criteria_format(&r.c[i], 1, crit, sizeof(crit));
		if (json) {
			buf_printf(o, "%s{\"criterion\":", i ? "," : "");
			buf_json_str(o, crit);
			buf_printf(o, ",\"matches\":%s,\"why\":", m ? "true" : "false");
			buf_json_str(o, m && why[0] ? why : NULL);
			buf_puts(o, "}");
		} else
			buf_printf(o, "  %-40s %s%s%s\n", crit, m ? "yes" : "no", m && why[0] ? ": " : "",
			    m ? why : "");
	}
	buf_printf(o, json ? "],\"matches\":%s}\n" : "%s\n", json ? (all ? "true" : "false") :
	    all ? "the rule matches" : "the rule does not match");
	sensor_scratch_free(s.scratch);
	adm_policy_put(p);
	rc = all ? CTL_RESP_OK : CTL_RESP_NOMATCH;
out:
	adm_facts_free(&f);
	json_free(doc);
	return rc;
}

/* --- mode and status ------------------------------------------------------------ */

static int
cmd_mode(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *pos[1] = { NULL };
	enum adm_mode m;
	char err[512];
	int rc;

	if (req_parse(argc, argv, NULL, pos, 0, 1) < 0)
		return req_usage(o, USAGE_MODE);
	if (pos[0] == NULL) {
		if (store_adm_mode_get(d->db, &m, err, sizeof(err)) < 0)
			return req_error(o, CTL_RESP_ERROR, "%s", err);
	} else {
		if (adm_mode_parse(pos[0], &m) < 0)
			return req_error(o, CTL_RESP_ERROR, "unknown mode '%.40s' (expected monitor or "
			    "protect)", pos[0]);
		rc = store_adm_mode_set(d->db, m, err, sizeof(err));
		if ((rc = apply(d, rc, err, o)) != CTL_RESP_OK)
			return rc;
	}
	if (json)
		req_json_strings(o, "mode", adm_mode_name(m), NULL);
	else
		buf_printf(o, "admission mode %s\n", adm_mode_name(m));
	return CTL_RESP_OK;
}

static int
cmd_status(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct adm_policy *p;
	struct authz_status st;
	struct adm_rule *r;
	char err[512];
	int n;

	if (req_parse(argc, argv, NULL, NULL, 0, 0) < 0)
		return req_usage(o, USAGE_STATUS);
	if (store_adm_rule_list(d->db, &r, &n, err, sizeof(err)) < 0)
		return req_error(o, CTL_RESP_ERROR, "%s", err);
	free(r);
	p = adm_live_get(&d->adm.live);
	authz_status(d->adm.authz, &st);
	if (json) {
		buf_printf(o, "{\"mode\":\"%s\",\"rules\":%d,\"enabled\":%d,\"socket\":",
		    adm_mode_name(p ? p->mode : ADM_MONITOR), n, p ? p->nrules : 0);
		buf_json_str(o, d->conf.authz_socket[0] ? d->conf.authz_socket : NULL);
		buf_printf(o, ",\"serving\":%s,\"connections\":%llu,\"refused\":%llu,"
		    "\"requests\":%llu,\"judged\":%llu,\"allowed\":%llu,\"violations\":%llu,"
		    "\"denied\":%llu,\"unreadable\":%llu,\"responses\":%llu,\"bad_requests\":%llu,"
		    "\"timeouts\":%llu}\n", d->adm.authz ? "true" : "false",
		    (unsigned long long)st.connections, (unsigned long long)st.refused,
		    (unsigned long long)st.requests, (unsigned long long)st.judged,
		    (unsigned long long)st.allowed, (unsigned long long)st.violations,
		    (unsigned long long)st.denied, (unsigned long long)st.unreadable,
		    (unsigned long long)st.responses, (unsigned long long)st.bad_requests,
		    (unsigned long long)st.timeouts);
	} else {
		buf_printf(o, "admission %s mode, %d of %d rules enabled\n",
		    adm_mode_name(p ? p->mode : ADM_MONITOR), p ? p->nrules : 0, n);
		if (d->adm.authz)
			buf_printf(o, "plugin serving %s: %llu connections, %llu requests, %llu judged: "
			    "%llu allowed by a rule, %llu violations, %llu denied, %llu unreadable; "
			    "%llu responses, %llu bad requests, %llu timeouts, %llu peers refused\n",
			    d->conf.authz_socket, (unsigned long long)st.connections,
			    (unsigned long long)st.requests, (unsigned long long)st.judged,
			    (unsigned long long)st.allowed, (unsigned long long)st.violations,
			    (unsigned long long)st.denied, (unsigned long long)st.unreadable,
			    (unsigned long long)st.responses, (unsigned long long)st.bad_requests,
			    (unsigned long long)st.timeouts, (unsigned long long)st.refused);
		else if (d->conf.authz_socket[0])
			buf_printf(o, "plugin not serving %s (see the log)\n", d->conf.authz_socket);
		else
			buf_puts(o, "plugin off (authz_socket is empty)\n");
	}
	adm_policy_put(p);
	return CTL_RESP_OK;
}

static int
cmd_rule(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return req_usage(o, USAGE_RULE);
}

static int
cmd_admission(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return req_usage(o, USAGE_ADMISSION);
}

const struct handler admission_handlers[] = {
	{ { "admission", "rule", "add" }, 0, CTL_MAX_ARGS, USAGE_ADD, cmd_rule_add, REQ_CHANGES },
	{ { "admission", "rule", "list" }, 0, CTL_MAX_ARGS, USAGE_LIST, cmd_rule_list, REQ_READS },
	{ { "admission", "rule", "show" }, 0, CTL_MAX_ARGS, USAGE_SHOW, cmd_rule_show, REQ_READS },
	{ { "admission", "rule", "delete" }, 0, CTL_MAX_ARGS, USAGE_DEL, cmd_rule_delete,
	    REQ_CHANGES },
	{ { "admission", "rule", "enable" }, 0, CTL_MAX_ARGS, USAGE_ENABLE, cmd_rule_enable,
	    REQ_CHANGES },
	{ { "admission", "rule", "disable" }, 0, CTL_MAX_ARGS, USAGE_DISABLE, cmd_rule_disable,
	    REQ_CHANGES },
	{ { "admission", "rule", "test" }, 0, CTL_MAX_ARGS, USAGE_RTEST, cmd_rule_test, REQ_READS },
	{ { "admission", "rule" }, 0, CTL_MAX_ARGS, USAGE_RULE, cmd_rule, REQ_READS },
	{ { "admission", "mode" }, 0, CTL_MAX_ARGS, USAGE_MODE, cmd_mode, REQ_CHANGES },
	{ { "admission", "test" }, 0, CTL_MAX_ARGS, USAGE_TEST, cmd_test, REQ_READS },
	{ { "admission", "status" }, 0, CTL_MAX_ARGS, USAGE_STATUS, cmd_status, REQ_READS },
	{ { "admission" }, 0, CTL_MAX_ARGS, USAGE_ADMISSION, cmd_admission, REQ_READS },
	{ { NULL }, 0, 0, NULL, NULL, REQ_UNSAID },
};
