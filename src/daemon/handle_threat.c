/*
 * handle_threat.c: nvctl threat commands: the threat detectors, their
 * settings and thresholds (nvd.rules(5) sets their defaults), and their
 * settings per group.
 *
 * `threat set` stores nvctl's values over the rule files' (store_threat.c,
 * one transaction), then live_rebuild() puts them in the running
 * snapshot before the reply: the next packet is judged with them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/control_proto.h"
#include "base/table.h"
#include "daemon/daemon.h"
#include "daemon/request.h"
#include "store/store.h"
#include "threat/threat_def.h"

#define USAGE_LIST	"threat list"
#define USAGE_SHOW	"threat show NAME"
#define USAGE_SET	"threat set NAME [--action alert|deny] [--enable|--disable] " \
	"[--PARAM VALUE]... [--group GROUP] [--reset]"
#define USAGE_THREAT	"threat list|show|set ..."

/* --- output -------------------------------------------------------------- */

static const char *
action_word(int deny)
{
	return deny ? "deny" : "alert";
}

/* "syns=800 interval=5 release=600", or "-". */
static void
text_params(struct buf *o, const struct store_threat *t)
{
	const struct threat_def *d = &threat_defs[t->id];

	for (int k = 0; k < d->nparams; k++)
		buf_printf(o, "%s%s=%lld", k ? " " : "", d->param[k].name,
		    (long long)t->conf.param[k]);
	if (d->nparams == 0)
		buf_puts(o, "-");
}

/* "web:off,db:deny" of detector id's group settings, or "-". */
static void
text_groups(struct buf *o, const struct policy_threat_group *g, int n, int id)
{
	size_t start = o->len;

	for (int i = 0; i < n; i++) {
		if (g[i].threat != id)
			continue;
		buf_printf(o, "%s%s:", o->len > start ? "," : "", g[i].group);
		if (g[i].enabled >= 0)
			buf_puts(o, g[i].enabled ? "on" : "off");
		if (g[i].deny >= 0)
			buf_printf(o, "%s%s", g[i].enabled >= 0 ? "/" : "", action_word(g[i].deny));
	}
	if (o->len == start)
		buf_puts(o, "-");
}

static void
json_threat(struct buf *o, const struct store_threat *t, const struct policy_threat_group *g,
    int n)
{
	const struct threat_def *d = &threat_defs[t->id];
	int first = 1;

	buf_puts(o, "{\"name\":");
	buf_json_str(o, d->name);
	buf_printf(o, ",\"level\":\"%s\",\"action\":\"%s\",\"enabled\":%s,\"guards\":\"%s\","
	    "\"description\":", threat_level_name(t->conf.level), action_word(t->conf.deny),
	    t->conf.enabled ? "true" : "false", d->subject == THREAT_CLIENT ? "client" : "server");
	buf_json_str(o, d->what);
	buf_puts(o, ",\"parameters\":{");
	for (int k = 0; k < d->nparams; k++)
		buf_printf(o, "%s\"%s\":%lld", k ? "," : "", d->param[k].name,
		    (long long)t->conf.param[k]);
	buf_puts(o, "},\"source\":");
	buf_json_str(o, t->source[0] ? t->source : NULL);
	buf_puts(o, ",\"file\":{\"action\":");
	buf_printf(o, "\"%s\",\"enabled\":%s,\"parameters\":{", action_word(t->file.deny),
	    t->file.enabled ? "true" : "false");
	for (int k = 0; k < d->nparams; k++)
		buf_printf(o, "%s\"%s\":%lld", k ? "," : "", d->param[k].name,
		    (long long)t->file.param[k]);
	buf_puts(o, "}},\"groups\":[");
	for (int i = 0; i < n; i++) {
		if (g[i].threat != t->id)
			continue;
		buf_puts(o, first ? "{\"group\":" : ",{\"group\":");
		buf_json_str(o, g[i].group);
		buf_printf(o, ",\"enabled\":%s,\"action\":%s}", g[i].enabled < 0 ? "null" :
		    g[i].enabled ? "true" : "false", g[i].deny < 0 ? "null" :
		    g[i].deny ? "\"deny\"" : "\"alert\"");
		first = 0;
	}
	buf_puts(o, "],\"updated\":");
	req_json_time(o, t->updated);
	buf_puts(o, "}");
}

/* Every detector's row and the group settings; -1 with the reply made. */
static int
load(struct daemon *d, struct store_threat **t, struct policy_threat_group **g, int *n,
    struct buf *o)
{
	char err[512];

	*g = NULL;
	if ((*t = calloc(THREAT_COUNT, sizeof(**t))) == NULL) {
		req_error(o, CTL_RESP_ERROR, "out of memory");
		return -1;
	}
	if (store_threat_list(d->db, *t, err, sizeof(err)) < 0 ||
	    store_threat_groups(d->db, g, n, err, sizeof(err)) < 0) {
		free(*t);
		req_error(o, CTL_RESP_ERROR, "%s", err);
		return -1;
	}
	return 0;
}

/* The detector named name, or -1 with the reply made. */
static int
find(const char *name, struct buf *o)
{
	int id = threat_find(name);

	if (id < 0)
		req_error(o, CTL_RESP_NOTFOUND, "threat '%.64s' does not exist (nvctl threat list)",
		    name);
	return id;
}

/* --- list, show ----------------------------------------------------------- */

static int
cmd_list(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct table tb = { .ncols = 6 };
	struct policy_threat_group *g;
	struct store_threat *t;
	struct buf cell;
	int n;

	if (req_parse(argc, argv, NULL, NULL, 0, 0) < 0)
		return req_usage(o, USAGE_LIST);
	if (load(d, &t, &g, &n, o) < 0)
		return CTL_RESP_ERROR;
	if (json) {
		buf_puts(o, "[");
		for (int i = 0; i < THREAT_COUNT; i++) {
			buf_puts(o, i ? "," : "");
			json_threat(o, &t[i], g, n);
		}
		buf_puts(o, "]\n");
	} else {
		buf_init(&cell);
		table_add(&tb, "name");
		table_add(&tb, "level");
		table_add(&tb, "action");
		table_add(&tb, "state");
		table_add(&tb, "parameters");
		table_add(&tb, "groups");
		for (int i = 0; i < THREAT_COUNT; i++) {
			table_add(&tb, threat_defs[i].name);
			table_add(&tb, threat_level_name(t[i].conf.level));
			table_add(&tb, action_word(t[i].conf.deny));
			table_add(&tb, t[i].conf.enabled ? "on" : "off");
			buf_reset(&cell);
			text_params(&cell, &t[i]);
			table_add(&tb, cell.data);
			buf_reset(&cell);
			text_groups(&cell, g, n, i);
			table_add(&tb, cell.data);
		}
		table_print(&tb, o);
		table_free(&tb);
		buf_free(&cell);
	}
	free(t);
	free(g);
	return CTL_RESP_OK;
}

/* "deny (nvctl; the file says alert)": a value and where it comes from. */
static const char *
origin(int user_set, const char *file_value, char *s, size_t n)
{
	if (user_set)
		snprintf(s, n, " (nvctl; %s)", file_value);
	else
		s[0] = '\0';
	return s;
}

static void
text_show(struct buf *o, const struct store_threat *t, const struct policy_threat_group *g,
    int n)
{
	const struct threat_def *d = &threat_defs[t->id];
	char tm[32], why[80], fv[48];

	buf_printf(o, "name        %s\nlevel       %s\n", d->name, threat_level_name(t->conf.level));
	snprintf(fv, sizeof(fv), "the file says %s", action_word(t->file.deny));
	buf_printf(o, "action      %s%s\n", action_word(t->conf.deny),
	    origin(t->user_deny >= 0, fv, why, sizeof(why)));
	snprintf(fv, sizeof(fv), "the file says %s", t->file.enabled ? "on" : "off");
	buf_printf(o, "state       %s%s\n", t->conf.enabled ? "on" : "off",
	    origin(t->user_enabled >= 0, fv, why, sizeof(why)));
	buf_printf(o, "guards      the %s\n", d->subject == THREAT_CLIENT ? "client" : "server");
	buf_printf(o, "looks for   %s\n", d->what);
	buf_printf(o, "source      %s\n", t->source[0] ? t->source : "built in");
	buf_printf(o, "updated     %s\n", req_text_time(t->updated, tm, sizeof(tm)));
	buf_puts(o, "groups      ");
	text_groups(o, g, n, t->id);
	buf_puts(o, "\n");
	for (int k = 0; k < d->nparams; k++) {
		snprintf(fv, sizeof(fv), "the file says %lld", (long long)t->file.param[k]);
		buf_printf(o, "%s%-10s  %lld %s%s\n", k ? "" : "\n", d->param[k].name,
		    (long long)t->conf.param[k], d->param[k].unit,
		    origin(t->user_param[k] >= 0, fv, why, sizeof(why)));
	}
}

/* What is in effect after the change, for people. */
static void
text_set(struct buf *o, const struct store_threat *t, const char *group,
    const struct policy_threat_group *g, int n)
{
	buf_printf(o, "threat %s", threat_defs[t->id].name);
	if (group) {
		buf_printf(o, " in group %s: ", group);
		for (int i = 0; i < n; i++)
			if (g[i].threat == t->id && strcmp(g[i].group, group) == 0) {
				buf_printf(o, "%s, %s\n", g[i].enabled < 0 ? "state as the detector's" :
				    g[i].enabled ? "on" : "off", g[i].deny < 0 ?
				    "action as the detector's" : action_word(g[i].deny));
				return;
			}
		buf_puts(o, "as the detector's\n");
		return;
	}
	buf_printf(o, ": %s, action %s, ", t->conf.enabled ? "on" : "off",
	    action_word(t->conf.deny));
	text_params(o, t);
	buf_puts(o, "\n");
}

/*
 * The reply about detector id as stored now: its object with json, else
 * what show prints, or after a set what is in effect (for group, when the
 * change was a group's).
 */
static int
reply(struct daemon *d, int id, int json, int set, const char *group, struct buf *o)
{
	struct policy_threat_group *g;
	struct store_threat *t;
	int n;

	if (load(d, &t, &g, &n, o) < 0)
		return CTL_RESP_ERROR;
	if (json) {
		json_threat(o, &t[id], g, n);
		buf_puts(o, "\n");
	} else if (set)
		text_set(o, &t[id], group, g, n);
	else
		text_show(o, &t[id], g, n);
	free(t);
	free(g);
	return CTL_RESP_OK;
}

static int
cmd_show(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *pos[1];
	int id;

	if (req_parse(argc, argv, NULL, pos, 1, 1) < 0)
		return req_usage(o, USAGE_SHOW);
	if ((id = find(pos[0], o)) < 0)
		return CTL_RESP_NOTFOUND;
	return reply(d, id, json, 0, NULL, o);
}

/* --- set ------------------------------------------------------------------- */

/* What a set request said, read from its options. */
struct set_args {
	const char *action, *group;
	int enable, disable, reset;
	const char *param[THREAT_PARAMS_MAX];
};

/*
 * The options of `threat set NAME`: the fixed ones and the detector's
 * parameters.  0, or a CTL_RESP_* with the reply made.
 */
static int
set_parse(int id, int argc, char **argv, struct set_args *a, struct buf *o)
{
	const struct threat_def *d = &threat_defs[id];
	struct req_opt opts[6 + THREAT_PARAMS_MAX];
	const char *pos[1];
	int k = 0;

	memset(a, 0, sizeof(*a));
	memset(opts, 0, sizeof(opts));
	opts[k++] = (struct req_opt){ .name = "action", .max = 1, .val = &a->action };
	opts[k++] = (struct req_opt){ .name = "group", .max = 1, .val = &a->group };
	opts[k++] = (struct req_opt){ .name = "enable", .kind = REQ_FLAG, .max = 1, .n = &a->enable };
	opts[k++] = (struct req_opt){ .name = "disable", .kind = REQ_FLAG, .max = 1,
	    .n = &a->disable };
	opts[k++] = (struct req_opt){ .name = "reset", .kind = REQ_FLAG, .max = 1, .n = &a->reset };
	for (int i = 0; i < d->nparams; i++)
		opts[k++] = (struct req_opt){ .name = d->param[i].name, .max = 1,
		    .val = &a->param[i] };
	if (req_parse(argc, argv, opts, pos, 1, 1) < 0 || (a->enable && a->disable))
		return req_usage(o, USAGE_SET);
	if (a->action && strcmp(a->action, "alert") != 0 && strcmp(a->action, "deny") != 0)
		return req_error(o, CTL_RESP_ERROR, "unknown action '%.40s' (expected alert or deny)",
		    a->action);
	for (int i = 0; a->group && i < d->nparams; i++)
		if (a->param[i])
			return req_error(o, CTL_RESP_ERROR, "--%s: parameters are the detector's, "
			    "not a group's", d->param[i].name);
	return 0;
}

static int
cmd_set(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct store_threat_change c;
	struct set_args a;
	char err[512];
	int id, rc;

	if (argc < 1 || strncmp(argv[0], "--", 2) == 0)
		return req_usage(o, USAGE_SET);
	if ((id = find(argv[0], o)) < 0)
		return CTL_RESP_NOTFOUND;
	if ((rc = set_parse(id, argc, argv, &a, o)) != 0)
		return rc;
	if (!a.action && !a.enable && !a.disable && !a.reset) {
		int any = 0;

		for (int k = 0; k < THREAT_PARAMS_MAX; k++)
			any |= a.param[k] != NULL;
		if (!any)
			return req_error(o, CTL_RESP_USAGE, "nothing to set (usage: nvctl %s)",
			    USAGE_SET);
	}
	if (a.group) {
		if (a.reset && (a.action || a.enable || a.disable))
			return req_usage(o, USAGE_SET);
		rc = store_threat_group_set(d->db, a.group, id, a.reset ? -1 : a.enable ? 1 :
		    a.disable ? 0 : -1, a.reset || !a.action ? -1 : a.action[0] == 'd',
		    err, sizeof(err));
	} else {
		memset(&c, 0, sizeof(c));
		c.reset = a.reset;
		c.enabled = a.enable ? 1 : a.disable ? 0 : -1;
		c.deny = a.action ? a.action[0] == 'd' : -1;
		for (int k = 0; k < THREAT_PARAMS_MAX; k++)
			c.param[k] = -1;
		for (int k = 0; k < threat_defs[id].nparams; k++)
			if (a.param[k] && threat_param_parse(id, k, a.param[k], &c.param[k], err,
			    sizeof(err)) < 0)
				return req_error(o, CTL_RESP_ERROR, "%s: %s", threat_defs[id].name,
				    err);
		rc = store_threat_set(d->db, id, &c, err, sizeof(err));
	}
	if ((rc = req_saved(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	return reply(d, id, json, 1, a.group, o);
}

static int
cmd_threat(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return req_usage(o, USAGE_THREAT);
}

const struct handler threat_handlers[] = {
	{ { "threat", "list" }, 0, CTL_MAX_ARGS, USAGE_LIST, cmd_list, REQ_READS },
	{ { "threat", "show" }, 0, CTL_MAX_ARGS, USAGE_SHOW, cmd_show, REQ_READS },
	{ { "threat", "set" }, 0, CTL_MAX_ARGS, USAGE_SET, cmd_set, REQ_CHANGES },
	{ { "threat" }, 0, CTL_MAX_ARGS, USAGE_THREAT, cmd_threat, REQ_READS },
	{ { NULL }, 0, 0, NULL, NULL, REQ_UNSAID },
};
