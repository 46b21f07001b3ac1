/*
 * handle_policy.c: nvctl workload, group and rule commands.
 *
 * Changes go to the database first (store.c, one transaction each), then
 * live_rebuild() applies them to the running policy before the reply, so
 * when nvctl returns the packet path already judges by them.  Workloads
 * and group members are read from the running snapshot: what nvd enforces
 * right now.
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/request.h"
#include "base/control_proto.h"
#include "daemon/daemon.h"
#include "runtime/live.h"
#include "policy/policy.h"
#include "store/store.h"
#include "base/table.h"

#define USAGE_WL_LIST	"workload list [--all]"
#define USAGE_WL_ADD	"workload add NAME --ip ADDR[,ADDR] [--iface IF] [--label K=V]..."
#define USAGE_WL_DEL	"workload delete NAME"
#define USAGE_WL	"workload list|add|delete ..."
#define USAGE_G_LIST	"group list"
#define USAGE_G_SHOW	"group show NAME"
#define USAGE_G_ADD	"group add NAME --criteria C[,C...] [--mode discover|monitor|protect]"
#define USAGE_G_DEL	"group delete NAME"
#define USAGE_G_MODE	"group mode NAME discover|monitor|protect"
#define USAGE_G		"group list|show|add|delete|mode ..."
#define USAGE_R_LIST	"rule list [--group G]"
#define USAGE_R_SHOW	"rule show ID"
#define USAGE_R_ADD	"rule add --from G --to G [--app A[,A]] [--ports P[,P]] " \
	"--action allow|deny [--before ID]"
#define USAGE_R_DEL	"rule delete ID"
#define USAGE_R_PROMOTE	"rule promote ID"
#define USAGE_R		"rule list|show|add|delete|promote ..."

#define MAX_WL_GROUPS	64	/* groups shown per workload */

/* A rule id: a positive decimal number. */
static int
parse_id(const char *s, int64_t *id, struct buf *out)
{
	char *end;
	long long v;

	if (*s < '1' || *s > '9' || (v = strtoll(s, &end, 10), *end) || v <= 0 ||
	    v == LLONG_MAX) {
		req_error(out, CTL_RESP_ERROR, "bad rule id '%.64s' (expected a positive number)", s);
		return -1;
	}
	*id = v;
	return 0;
}

/* --- output helpers -------------------------------------------------- */

/* Appends the items of comma text as a JSON array of strings. */
static void
json_list(struct buf *o, const char *text)
{
	const char *p = text;

	buf_puts(o, "[");
	while (*p) {
		size_t len = strcspn(p, ",");
		char item[256];

		snprintf(item, sizeof(item), "%.*s", (int)(len < sizeof(item) ? len : sizeof(item) - 1),
		    p);
		buf_puts(o, p == text ? "" : ",");
		buf_json_str(o, item);
		p += len + (p[len] == ',');
	}
	buf_puts(o, "]");
}

/* --- workloads ------------------------------------------------------- */

/* A workload's mode: the strictest of its groups'. */
static enum policy_mode
workload_mode(const struct policy *p, const int *g, int ng)
{
	enum policy_mode m = MODE_DISCOVER;

	for (int i = 0; i < ng; i++)
		if (policy_group_mode_at(p, g[i]) > m)
			m = policy_group_mode_at(p, g[i]);
	return m;
}

/*
 * The interface a workload's packets come in on: a static one's as given,
 * a container's port (of its first address that has one), or "".
 */
static const char *
wl_iface(const struct policy_workload *w, char *name)
{
	if (w->iface[0])
		return w->iface;
	for (int i = 0; i < w->naddrs; i++)
		if (w->addrs[i].ifindex > 0 && if_indextoname((unsigned)w->addrs[i].ifindex, name))
			return name;
	return "";
}

/* A workload's assets as JSON members (null where a static one has none). */
static void
json_asset(struct buf *o, const struct policy_workload *w)
{
	const struct policy_asset *a = &w->asset;

	buf_puts(o, ",\"state\":");
	buf_json_str(o, w->is_static ? "static" : a->state);
	if (w->is_static) {
		buf_puts(o, ",\"privileged\":null,\"root\":null,\"user\":null,\"ports\":[],"
		    "\"networks\":[]");
		return;
	}
	buf_printf(o, ",\"privileged\":%s,\"root\":%s,\"user\":", a->privileged ? "true" :
	    "false", a->root ? "true" : "false");
	buf_json_str(o, a->user);
	buf_puts(o, ",\"ports\":");
	json_list(o, a->ports);
	buf_puts(o, ",\"networks\":");
	json_list(o, a->networks);
}

/*
 * A workload as JSON: one of the running policy (p and its index wl,
 * with its groups and mode), or a stopped container as stored (p NULL;
 * its learned group alone, no mode).
 */
static void
json_workload_as(struct buf *o, const struct policy_workload *w, const struct policy *p, int wl,
    const char *learned)
{
	char ifname[IF_NAMESIZE];
	int g[MAX_WL_GROUPS], ng = p ? policy_workload_groups(p, wl, g, MAX_WL_GROUPS) : 0;
	struct buf addrs;

	buf_init(&addrs);
	store_addrs_format(w->addrs, w->naddrs, &addrs);
	buf_puts(o, "{\"id\":");
	buf_json_str(o, w->id);
	buf_puts(o, ",\"name\":");
	buf_json_str(o, w->name);
	buf_puts(o, ",\"image\":");
	buf_json_str(o, w->image);
	buf_puts(o, ",\"addresses\":");
	json_list(o, addrs.data ? addrs.data : "");
	buf_puts(o, ",\"iface\":");
	buf_json_str(o, p ? wl_iface(w, ifname) : "");
	buf_puts(o, ",\"groups\":[");
	for (int i = 0; i < ng; i++) {
		buf_puts(o, i ? "," : "");
		buf_json_str(o, policy_group_name_at(p, g[i]));
	}
	if (p == NULL && learned[0])
		buf_json_str(o, learned);
	buf_puts(o, "],\"mode\":");
	buf_json_str(o, p ? policy_mode_name(workload_mode(p, g, ng)) : NULL);
	buf_puts(o, ",\"labels\":{");
	for (int i = 0; i < w->nlabels; i++) {
		buf_puts(o, i ? "," : "");
		buf_json_str(o, w->labels[i].key);
		buf_puts(o, ":");
		buf_json_str(o, w->labels[i].value);
	}
	buf_puts(o, "}");
	json_asset(o, w);
	buf_puts(o, "}");
	buf_free(&addrs);
}

static void
json_workload(struct buf *o, const struct policy *p, int wl)
{
	json_workload_as(o, policy_workload_at(p, wl), p, wl, "");
}

static const char *
yes_no(int is_static, int v)
{
	return is_static ? "-" : v ? "yes" : "no";
}

/* A workload's row (p, wl, learned: as json_workload_as()). */
static void
row_workload_as(struct table *t, const struct policy_workload *w, const struct policy *p, int wl,
    const char *learned)
{
	int g[MAX_WL_GROUPS], ng = p ? policy_workload_groups(p, wl, g, MAX_WL_GROUPS) : 0;
	const struct policy_asset *a = &w->asset;
	struct buf s;

	/* Container ids as docker ps shows them; static ones whole. */
	if (w->is_static)
		table_add(t, w->id);
	else
		table_addf(t, "%.12s", w->id);
	table_add(t, w->name);
	table_add(t, w->image[0] ? w->image : "-");
	table_add(t, w->is_static ? "static" : a->state[0] ? a->state : "-");
	table_add(t, yes_no(w->is_static, a->root));
	table_add(t, yes_no(w->is_static, a->privileged));
	table_add(t, a->ports[0] ? a->ports : "-");
	table_add(t, a->networks[0] ? a->networks : "-");
	buf_init(&s);
	store_addrs_format(w->addrs, w->naddrs, &s);
	table_add(t, s.len ? s.data : "-");
	buf_reset(&s);
	for (int i = 0; i < ng; i++)
		buf_printf(&s, "%s%s", i ? "," : "", policy_group_name_at(p, g[i]));
	if (p == NULL)
		buf_puts(&s, learned);
	table_add(t, s.len ? s.data : "-");
	table_add(t, p ? policy_mode_name(workload_mode(p, g, ng)) : "-");
	buf_free(&s);
}

/* Live workloads in name order (indexes into the snapshot). */
static int
wl_cmp(const void *a, const void *b, void *p)
{
	const struct policy_workload *x = policy_workload_at(p, *(const int *)a);
	const struct policy_workload *y = policy_workload_at(p, *(const int *)b);
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->id, y->id);
}

static int *
wl_sorted(const struct policy *p, int *n)
{
	int *idx;

	*n = policy_nworkloads(p);
	if ((idx = calloc((size_t)*n + 1, sizeof(*idx))) == NULL)
		return NULL;
	for (int i = 0; i < *n; i++)
		idx[i] = i;
	qsort_r(idx, (size_t)*n, sizeof(*idx), wl_cmp, (void *)p);
	return idx;
}

/*
 * With --all, the containers that stopped (or went) after nvd saw them,
 * as stored, after the running ones; *n counts the rows.  0, or -1 with
 * the reply set.
 */
static int
workloads_stopped(struct daemon *d, int json, int *n, struct table *t, struct buf *o)
{
	struct store_workload *w;
	char err[512];
	int nw;

	if (store_workload_list(d->db, 0, &w, &nw, err, sizeof(err)) < 0) {
		req_error(o, CTL_RESP_ERROR, "%s", err);
		return -1;
	}
	for (int i = 0; i < nw; i++) {
		if (w[i].running || w[i].w.is_static)
			continue;
		if (json) {
			buf_puts(o, (*n)++ ? "," : "");
			json_workload_as(o, &w[i].w, NULL, -1, w[i].learned_group);
		} else {
			row_workload_as(t, &w[i].w, NULL, -1, w[i].learned_group);
			(*n)++;
		}
		if (o->len > REQ_REPLY_MAX || (size_t)t->n * 32 > REQ_REPLY_MAX) {
			store_workloads_free(w, nw);
			req_too_big(o, "workloads", "no --all");
			return -1;
		}
	}
	store_workloads_free(w, nw);
	return 0;
}

static int
cmd_workload_list(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	static const char *const head[] = { "id", "name", "image", "state", "root", "privileged",
	    "ports", "networks", "addresses", "groups", "mode" };
	const struct policy *p = live_current(&d->live);
	struct table t = { .ncols = 11 };
	int *idx, n, all, rc = CTL_RESP_OK;
	const struct req_opt opts[] = {
		{ .name = "all", .kind = REQ_FLAG, .max = 1, .n = &all },
		{ .name = NULL },
	};

	if (req_parse(argc, argv, opts, NULL, 0, 0) < 0)
		return req_usage(o, USAGE_WL_LIST);
	if ((idx = wl_sorted(p, &n)) == NULL)
		return req_error(o, CTL_RESP_ERROR, "out of memory");
	if (json)
		buf_puts(o, "[");
	for (size_t i = 0; !json && i < sizeof(head) / sizeof(head[0]); i++)
		table_add(&t, head[i]);
	for (int i = 0; i < n; i++) {
		const struct policy_workload *w = policy_workload_at(p, idx[i]);

		if (json) {
			buf_puts(o, i ? "," : "");
			json_workload_as(o, w, p, idx[i], "");
		} else
			row_workload_as(&t, w, p, idx[i], "");
	}
	if (all && workloads_stopped(d, json, &n, &t, o) < 0)
		rc = CTL_RESP_ERROR;
	else if (json)
		buf_puts(o, "]\n");
	else
		table_print(&t, o);
	table_free(&t);
	free(idx);
	return rc;
}

/* The live workload with that id, or -1. */
static int
wl_find_id(const struct policy *p, const char *id)
{
	for (int i = 0; i < policy_nworkloads(p); i++)
		if (!strcmp(policy_workload_at(p, i)->id, id))
			return i;
	return -1;
}

/* Labels from n --label K=V options into w (w->labels malloc'ed). */
static int
parse_labels(const char *const *lab, int n, struct policy_workload *w, struct buf *o)
{
	if (n == 0)
		return 0;
	if ((w->labels = calloc((size_t)n, sizeof(*w->labels))) == NULL) {
		req_error(o, CTL_RESP_ERROR, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *kv = lab[i], *eq = strchr(kv, '=');
		size_t klen = eq ? (size_t)(eq - kv) : 0;

		if (klen == 0) {
			req_error(o, CTL_RESP_ERROR, "bad label '%.200s' (expected KEY=VALUE)", kv);
			return -1;
		}
		if (klen >= POLICY_LABEL_KEY_MAX || strlen(eq + 1) >= POLICY_LABEL_VALUE_MAX) {
			req_error(o, CTL_RESP_ERROR, "label '%.40s...': key or value too long "
			    "(at most %d and %d characters)", kv, POLICY_LABEL_KEY_MAX - 1,
			    POLICY_LABEL_VALUE_MAX - 1);
			return -1;
		}
		memcpy(w->labels[i].key, kv, klen);
		strcpy(w->labels[i].value, eq + 1);
		w->nlabels++;
	}
	return 0;
}

/* Addresses from n --ip options (each ADDR[,ADDR]) into w. */
static int
parse_ips(const char *const *ip, int nip, struct policy_workload *w, struct buf *o)
{
	char err[256];

	for (int i = 0; i < nip; i++) {
		int n = store_addrs_parse(ip[i], w->addrs + w->naddrs,
		    POLICY_MAX_ADDRS - w->naddrs, err, sizeof(err));

		if (n < 0) {
			req_error(o, CTL_RESP_ERROR, "%s", err);
			return -1;
		}
		w->naddrs += n;
	}
	return 0;
}

static int
cmd_workload_add(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *ip[REQ_MAX_VALUES], *label[REQ_MAX_VALUES], *pos[1], *iface = NULL;
	int nip, nlabel, rc, wl;
	const struct req_opt opts[] = {
		{ .name = "ip", .max = REQ_MAX_VALUES, .val = ip, .n = &nip },
		{ .name = "iface", .max = 1, .val = &iface },
		{ .name = "label", .max = REQ_MAX_VALUES, .val = label, .n = &nlabel },
		{ .name = NULL },
	};
	struct policy_workload w;
	char err[512];

	if (req_parse(argc, argv, opts, pos, 1, 1) < 0 || nip == 0)
		return req_usage(o, USAGE_WL_ADD);
	memset(&w, 0, sizeof(w));
	if (strlen(pos[0]) >= sizeof(w.name))
		return req_error(o, CTL_RESP_ERROR, "workload name must be 1 to 64 characters");
	strcpy(w.name, pos[0]);
	if (iface && snprintf(w.iface, sizeof(w.iface), "%s", iface) >= (int)sizeof(w.iface))
		return req_error(o, CTL_RESP_ERROR, "interface name '%.40s': 1 to %d characters, "
		    "none of '/', ':' or blanks", iface, (int)sizeof(w.iface) - 1);
	if (parse_ips(ip, nip, &w, o) < 0 || parse_labels(label, nlabel, &w, o) < 0) {
		policy_workload_clear(&w);
		return CTL_RESP_ERROR;
	}
	if ((rc = store_workload_add(d->db, &w, err, sizeof(err))) < 0) {
		policy_workload_clear(&w);
		return req_store_fail(o, rc, err);
	}
	rc = live_workload_set(&d->live, &w);
	policy_workload_clear(&w);
	if (rc < 0)
		return req_error(o, CTL_RESP_ERROR, "saved, but out of memory for the running policy");
	if ((rc = req_apply(d, o)) != CTL_RESP_OK)
		return rc;
	if (json) {
		const struct policy *p = live_current(&d->live);
		char id[POLICY_ID_MAX];

		snprintf(id, sizeof(id), "%s%s", STORE_STATIC_PREFIX, pos[0]);
		if ((wl = wl_find_id(p, id)) < 0)
			return req_error(o, CTL_RESP_ERROR, "workload '%s' is not in the running policy",
			    pos[0]);
		json_workload(o, p, wl);
		buf_puts(o, "\n");
	} else
		buf_printf(o, "workload %s added\n", pos[0]);
	return CTL_RESP_OK;
}

static int
cmd_workload_delete(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const struct policy *p = live_current(&d->live);
	const char *pos[1];
	char err[512], id[POLICY_ID_MAX + POLICY_NAME_MAX];
	int rc;

	if (req_parse(argc, argv, NULL, pos, 1, 1) < 0)
		return req_usage(o, USAGE_WL_DEL);
	if ((rc = store_workload_delete(d->db, pos[0], err, sizeof(err))) < 0) {
		/* The table may not know a container Docker just started. */
		for (int i = 0; rc == STORE_NOTFOUND && i < policy_nworkloads(p); i++)
			if (!policy_workload_at(p, i)->is_static &&
			    !strcmp(policy_workload_at(p, i)->name, pos[0]))
				return req_error(o, CTL_RESP_ERROR, "workload '%s' is a container; "
				    "remove it with Docker", pos[0]);
		return req_store_fail(o, rc, err);
	}
	snprintf(id, sizeof(id), "%s%s", STORE_STATIC_PREFIX, pos[0]);
	live_workload_remove(&d->live, id);
	if ((rc = req_apply(d, o)) != CTL_RESP_OK)
		return rc;
	if (json)
		req_json_strings(o, "deleted", id, NULL);
	else
		buf_printf(o, "workload %s deleted\n", pos[0]);
	return CTL_RESP_OK;
}

static int
cmd_workload(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return req_usage(o, USAGE_WL);
}

/* --- groups ---------------------------------------------------------- */

static void rules_table(struct buf *o, const struct policy_rule *r, int n);

/* The live workloads in name order, to list the members of groups. */
struct roster {
	const struct policy *p;
	int *idx, nwl;		/* wl_sorted() */
	int *m;			/* the members of one group (roster_members()) */
};

/* 0, or -1 out of memory. */
static int
roster_init(struct roster *r, const struct policy *p)
{
	r->p = p;
	r->idx = wl_sorted(p, &r->nwl);
	r->m = calloc((size_t)r->nwl + 1, sizeof(*r->m));
	if (r->idx == NULL || r->m == NULL) {
		free(r->idx);
		free(r->m);
		return -1;
	}
	return 0;
}

static void
roster_free(struct roster *r)
{
	free(r->idx);
	free(r->m);
}

/* The workloads of group name into r->m (none if the policy lacks it); their count. */
static int
roster_members(struct roster *r, const char *name)
{
	int gi = policy_group_find(r->p, name), n = 0;

	if (gi < 0)
		return 0;
	for (int i = 0; i < r->nwl; i++) {
		int g[MAX_WL_GROUPS], ng = policy_workload_groups(r->p, r->idx[i], g, MAX_WL_GROUPS);

		for (int k = 0; k < ng; k++)
			if (g[k] == gi) {
				r->m[n++] = r->idx[i];
				break;
			}
	}
	return n;
}

static void
json_group(struct buf *o, const struct store_group *sg, const struct policy *p, const int *m,
    int nm)
{
	const struct policy_group *g = &sg->g;

	buf_puts(o, "{\"name\":");
	buf_json_str(o, g->name);
	buf_printf(o, ",\"kind\":\"%s\",\"criteria\":[", policy_group_kind_name(g->kind));
	for (int i = 0; i < g->ncrit; i++) {
		struct buf c;

		buf_init(&c);
		criteria_format(&g->crit[i], 1, &c);
		buf_puts(o, i ? "," : "");
		buf_json_str(o, c.data ? c.data : "");
		buf_free(&c);
	}
	buf_printf(o, "],\"mode\":\"%s\",\"members\":[", policy_mode_name(g->mode));
	for (int i = 0; i < nm; i++) {
		buf_puts(o, i ? "," : "");
		buf_json_str(o, policy_workload_at(p, m[i])->name);
	}
	buf_printf(o, "],\"rules\":%d}", sg->nrules);
}

static void
crit_text(const struct policy_group *g, struct buf *c)
{
	criteria_format(g->crit, g->ncrit, c);
	if (c->len == 0)
		buf_puts(c, "-");
}

static int
cmd_group_list(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const struct policy *p = live_current(&d->live);
	struct table t = { .ncols = 6 };
	struct store_group *g;
	struct roster ro;
	char err[512];
	int ng, rc;

	if (req_parse(argc, argv, NULL, NULL, 0, 0) < 0)
		return req_usage(o, USAGE_G_LIST);
	if ((rc = store_group_list(d->db, &g, &ng, err, sizeof(err))) < 0)
		return req_store_fail(o, rc, err);
	if (roster_init(&ro, p) < 0) {
		free(g);
		return req_error(o, CTL_RESP_ERROR, "out of memory");
	}
	if (json)
		buf_puts(o, "[");
	else {
		table_add(&t, "name");
		table_add(&t, "kind");
		table_add(&t, "mode");
		table_add(&t, "members");
		table_add(&t, "rules");
		table_add(&t, "criteria");
	}
	for (int i = 0; i < ng; i++) {
		int nm = roster_members(&ro, g[i].g.name);

		if (json) {
			buf_puts(o, i ? "," : "");
			json_group(o, &g[i], p, ro.m, nm);
		} else {
			struct buf c;

			buf_init(&c);
			crit_text(&g[i].g, &c);
			table_add(&t, g[i].g.name);
			table_add(&t, policy_group_kind_name(g[i].g.kind));
			table_add(&t, policy_mode_name(g[i].g.mode));
			table_addf(&t, "%d", nm);
			table_addf(&t, "%d", g[i].nrules);
			table_add(&t, c.data);
			buf_free(&c);
		}
	}
	if (json)
		buf_puts(o, "]\n");
	else {
		table_print(&t, o);
		table_free(&t);
	}
	roster_free(&ro);
	free(g);
	return CTL_RESP_OK;
}

/* One group as a JSON object, or as "key  value" lines. */
static int
show_group(struct daemon *d, const char *name, int json, struct buf *o)
{
	const struct policy *p = live_current(&d->live);
	struct store_group g;
	struct roster ro;
	char err[512];
	int nm, rc;
	struct buf c;

	if ((rc = store_group_get(d->db, name, &g, err, sizeof(err))) < 0)
		return req_store_fail(o, rc, err);
	if (roster_init(&ro, p) < 0)
		return req_error(o, CTL_RESP_ERROR, "out of memory");
	nm = roster_members(&ro, name);
	if (json) {
		json_group(o, &g, p, ro.m, nm);
		buf_puts(o, "\n");
	} else {
		buf_init(&c);
		crit_text(&g.g, &c);
		buf_printf(o, "name      %s\nkind      %s\nmode      %s\ncriteria  %s\nrules     %d\n"
		    "members   ", g.g.name, policy_group_kind_name(g.g.kind),
		    policy_mode_name(g.g.mode), c.data, g.nrules);
		for (int i = 0; i < nm; i++)
			buf_printf(o, "%s%s", i ? " " : "", policy_workload_at(p, ro.m[i])->name);
		buf_puts(o, nm ? "\n" : "-\n");
		buf_free(&c);
		if (g.nrules > 0) {
			struct policy_rule *r;
			int nr;

			if (store_rule_list(d->db, name, &r, &nr, err, sizeof(err)) < 0)
				buf_printf(o, "\nrules: %s\n", err);
			else {
				buf_puts(o, "\n");
				rules_table(o, r, nr);
				free(r);
			}
		}
	}
	roster_free(&ro);
	return CTL_RESP_OK;
}

static int
cmd_group_show(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *pos[1];

	if (req_parse(argc, argv, NULL, pos, 1, 1) < 0)
		return req_usage(o, USAGE_G_SHOW);
	return show_group(d, pos[0], json, o);
}

static int
parse_mode(const char *s, enum policy_mode *m, struct buf *o)
{
	if (policy_mode_parse(s, m) < 0) {
		req_error(o, CTL_RESP_ERROR, "bad mode '%.64s' (expected discover, monitor or protect)",
		    s);
		return -1;
	}
	return 0;
}

static int
cmd_group_add(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	enum policy_mode mode = d->conf.default_mode;
	const char *criteria, *mname, *pos[1];
	const struct req_opt opts[] = {
		{ .name = "criteria", .max = 1, .val = &criteria },
		{ .name = "mode", .max = 1, .val = &mname },
		{ .name = NULL },
	};
	char err[512];
	int rc;

	if (req_parse(argc, argv, opts, pos, 1, 1) < 0 || criteria == NULL)
		return req_usage(o, USAGE_G_ADD);
	if (mname && parse_mode(mname, &mode, o) < 0)
		return CTL_RESP_ERROR;
	rc = store_group_add(d->db, pos[0], criteria, mode, err, sizeof(err));
	if ((rc = req_saved(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	if (json)
		return show_group(d, pos[0], 1, o);
	buf_printf(o, "group %s added\n", pos[0]);
	return CTL_RESP_OK;
}

static int
cmd_group_delete(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *pos[1];
	char err[512];
	int rc;

	if (req_parse(argc, argv, NULL, pos, 1, 1) < 0)
		return req_usage(o, USAGE_G_DEL);
	rc = store_group_delete(d->db, pos[0], err, sizeof(err));
	if ((rc = req_saved(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	if (json)
		req_json_strings(o, "deleted", pos[0], NULL);
	else
		buf_printf(o, "group %s deleted\n", pos[0]);
	return CTL_RESP_OK;
}

static int
cmd_group_mode(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	enum policy_mode mode;
	const char *pos[2];
	char err[512];
	int rc;

	if (req_parse(argc, argv, NULL, pos, 2, 2) < 0)
		return req_usage(o, USAGE_G_MODE);
	if (parse_mode(pos[1], &mode, o) < 0)
		return CTL_RESP_ERROR;
	rc = store_group_mode(d->db, pos[0], mode, err, sizeof(err));
	if ((rc = req_saved(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	if (json)
		return show_group(d, pos[0], 1, o);
	buf_printf(o, "group %s is in %s mode\n", pos[0], policy_mode_name(mode));
	return CTL_RESP_OK;
}

static int
cmd_group(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return req_usage(o, USAGE_G);
}

/* --- rules ----------------------------------------------------------- */

static void
json_rule(struct buf *o, const struct policy_rule *r)
{
	char ports[POLICY_MAX_PORTS * 24];

	ports_format(r->ports, r->nports, ports, sizeof(ports));
	buf_printf(o, "{\"id\":%" PRId64 ",\"from\":", r->id);
	buf_json_str(o, r->from);
	buf_puts(o, ",\"to\":");
	buf_json_str(o, r->to);
	buf_puts(o, ",\"applications\":");
	json_list(o, r->apps);
	buf_puts(o, ",\"ports\":");
	json_list(o, ports);
	buf_printf(o, ",\"action\":\"%s\",\"type\":\"%s\",\"order\":",
	    policy_rule_action_name(r->action), policy_rule_type_name(r->type));
	if (r->type == RULE_USER)
		buf_printf(o, "%.17g", r->order);
	else
		buf_puts(o, "null");
	buf_printf(o, ",\"hits\":%" PRId64 ",\"last_seen\":", r->hits);
	req_json_time(o, r->last_seen);
	buf_puts(o, ",\"created\":");
	req_json_time(o, r->created);
	buf_puts(o, ",\"updated\":");
	req_json_time(o, r->updated);
	buf_puts(o, "}");
}

static void
rules_table(struct buf *o, const struct policy_rule *r, int n)
{
	static const char *const head[] = { "id", "from", "to", "applications", "ports", "action",
	    "type", "hits", "last_seen", "updated" };
	struct table t = { .ncols = 10 };

	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		table_add(&t, head[i]);
	for (int i = 0; i < n; i++) {
		char ports[POLICY_MAX_PORTS * 24], s[32];

		ports_format(r[i].ports, r[i].nports, ports, sizeof(ports));
		table_addf(&t, "%" PRId64, r[i].id);
		table_add(&t, r[i].from);
		table_add(&t, r[i].to);
		table_add(&t, r[i].apps);
		table_add(&t, ports);
		table_add(&t, policy_rule_action_name(r[i].action));
		table_add(&t, policy_rule_type_name(r[i].type));
		table_addf(&t, "%" PRId64, r[i].hits);
		table_add(&t, req_text_time(r[i].last_seen, s, sizeof(s)));
		table_add(&t, req_text_time(r[i].updated, s, sizeof(s)));
	}
	table_print(&t, o);
	table_free(&t);
}

static int
cmd_rule_list(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *group;
	const struct req_opt opts[] = {
		{ .name = "group", .max = 1, .val = &group },
		{ .name = NULL },
	};
	struct policy_rule *r;
	char err[512];
	int n, rc;

	if (req_parse(argc, argv, opts, NULL, 0, 0) < 0)
		return req_usage(o, USAGE_R_LIST);
	if ((rc = store_rule_list(d->db, group, &r, &n, err, sizeof(err))) < 0)
		return req_store_fail(o, rc, err);
	if (json) {
		buf_puts(o, "[");
		for (int i = 0; i < n; i++) {
			buf_puts(o, i ? "," : "");
			json_rule(o, &r[i]);
		}
		buf_puts(o, "]\n");
	} else
		rules_table(o, r, n);
	free(r);
	return CTL_RESP_OK;
}

static int
show_rule(struct daemon *d, int64_t id, int json, struct buf *o)
{
	struct policy_rule r;
	char err[512], ports[POLICY_MAX_PORTS * 24], s[3][32];
	int rc;

	if ((rc = store_rule_get(d->db, id, &r, err, sizeof(err))) < 0)
		return req_store_fail(o, rc, err);
	if (json) {
		json_rule(o, &r);
		buf_puts(o, "\n");
		return CTL_RESP_OK;
	}
	ports_format(r.ports, r.nports, ports, sizeof(ports));
	buf_printf(o, "id            %" PRId64 "\nfrom          %s\nto            %s\n"
	    "applications  %s\nports         %s\naction        %s\ntype          %s\n",
	    r.id, r.from, r.to, r.apps, ports, policy_rule_action_name(r.action),
	    policy_rule_type_name(r.type));
	if (r.type == RULE_USER)
		buf_printf(o, "order         %.17g\n", r.order);
	buf_printf(o, "hits          %" PRId64 "\nlast_seen     %s\ncreated       %s\n"
	    "updated       %s\n", r.hits, req_text_time(r.last_seen, s[0], sizeof(s[0])),
	    req_text_time(r.created, s[1], sizeof(s[1])),
	    req_text_time(r.updated, s[2], sizeof(s[2])));
	return CTL_RESP_OK;
}

/* The one word of rule show, delete and promote: a rule id.  CTL_RESP_OK or an error. */
static int
rule_id_arg(int argc, char **argv, const char *usage, int64_t *id, struct buf *o)
{
	const char *pos[1];

	if (req_parse(argc, argv, NULL, pos, 1, 1) < 0)
		return req_usage(o, usage);
	return parse_id(pos[0], id, o) < 0 ? CTL_RESP_ERROR : CTL_RESP_OK;
}

static int
cmd_rule_show(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	int64_t id;
	int rc;

	if ((rc = rule_id_arg(argc, argv, USAGE_R_SHOW, &id, o)) != CTL_RESP_OK)
		return rc;
	return show_rule(d, id, json, o);
}

/* rule add's options; NULL where not given. */
struct rule_opts {
	const char *from, *to, *app, *ports, *action, *before;
};

/* struct policy_rule from rule add's options; CTL_RESP_OK or an error. */
static int
rule_from_opts(const struct rule_opts *ro, struct policy_rule *r, int64_t *before,
    struct buf *o)
{
	char err[256];

	memset(r, 0, sizeof(*r));
	*before = 0;
	if (strlen(ro->from) >= sizeof(r->from))
		return req_error(o, CTL_RESP_NOTFOUND, "group '%.64s...' does not exist", ro->from);
	if (strlen(ro->to) >= sizeof(r->to))
		return req_error(o, CTL_RESP_NOTFOUND, "group '%.64s...' does not exist", ro->to);
	strcpy(r->from, ro->from);
	strcpy(r->to, ro->to);
	if (store_apps_canon(ro->app ? ro->app : "any", r->apps, sizeof(r->apps), err,
	    sizeof(err)) < 0)
		return req_error(o, CTL_RESP_ERROR, "%s", err);
	r->nports = ports_parse(ro->ports ? ro->ports : "any", r->ports, POLICY_MAX_PORTS, err,
	    sizeof(err));
	if (r->nports < 0)
		return req_error(o, CTL_RESP_ERROR, "%s", err);
	if (!strcmp(ro->action, "allow"))
		r->action = RULE_ALLOW;
	else if (!strcmp(ro->action, "deny"))
		r->action = RULE_DENY;
	else
		return req_error(o, CTL_RESP_ERROR, "bad action '%.64s' (expected allow or deny)",
		    ro->action);
	r->type = RULE_USER;
	if (ro->before && parse_id(ro->before, before, o) < 0)
		return CTL_RESP_ERROR;
	return CTL_RESP_OK;
}

static int
cmd_rule_add(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct rule_opts ro;
	const struct req_opt opts[] = {
		{ .name = "from", .max = 1, .val = &ro.from },
		{ .name = "to", .max = 1, .val = &ro.to },
		{ .name = "app", .max = 1, .val = &ro.app },
		{ .name = "ports", .max = 1, .val = &ro.ports },
		{ .name = "action", .max = 1, .val = &ro.action },
		{ .name = "before", .max = 1, .val = &ro.before },
		{ .name = NULL },
	};
	struct policy_rule r;
	int64_t before, id;
	char err[512];
	int rc;

	if (req_parse(argc, argv, opts, NULL, 0, 0) < 0 || !ro.from || !ro.to || !ro.action)
		return req_usage(o, USAGE_R_ADD);
	if ((rc = rule_from_opts(&ro, &r, &before, o)) != CTL_RESP_OK)
		return rc;
	rc = store_rule_add(d->db, &r, before, &id, err, sizeof(err));
	if ((rc = req_saved(d, rc, err, o)) != CTL_RESP_OK)
		return rc;
	if (json)
		return show_rule(d, id, 1, o);
	buf_printf(o, "%" PRId64 "\n", id);
	return CTL_RESP_OK;
}

/* Rule delete and promote: change applied to the rule of the one word, *id. */
static int
rule_change(struct daemon *d, int argc, char **argv, const char *usage,
    int (*change)(sqlite3 *, int64_t, char *, size_t), int64_t *id, struct buf *o)
{
	char err[512];
	int rc;

	if ((rc = rule_id_arg(argc, argv, usage, id, o)) != CTL_RESP_OK)
		return rc;
	rc = change(d->db, *id, err, sizeof(err));
	return req_saved(d, rc, err, o);
}

static int
cmd_rule_delete(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	int64_t id;
	int rc;

	rc = rule_change(d, argc, argv, USAGE_R_DEL, store_rule_delete, &id, o);
	if (rc != CTL_RESP_OK)
		return rc;
	if (json)
		buf_printf(o, "{\"deleted\":%" PRId64 "}\n", id);
	else
		buf_printf(o, "rule %" PRId64 " deleted\n", id);
	return CTL_RESP_OK;
}

static int
cmd_rule_promote(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	int64_t id;
	int rc;

	rc = rule_change(d, argc, argv, USAGE_R_PROMOTE, store_rule_promote, &id, o);
	if (rc != CTL_RESP_OK)
		return rc;
	if (json)
		return show_rule(d, id, 1, o);
	buf_printf(o, "rule %" PRId64 " promoted to a user rule\n", id);
	return CTL_RESP_OK;
}

static int
cmd_rule(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return req_usage(o, USAGE_R);
}

/*
 * Argument counts are checked by the handlers (options come in any
 * order), so the table lets any number through.  The one-word entries
 * come last: they catch a missing or unknown subcommand.
 */
const struct handler policy_handlers[] = {
	{ { "workload", "list" }, 0, CTL_MAX_ARGS, USAGE_WL_LIST, cmd_workload_list, REQ_READS },
	{ { "workload", "add" }, 0, CTL_MAX_ARGS, USAGE_WL_ADD, cmd_workload_add, REQ_CHANGES },
	{ { "workload", "delete" }, 0, CTL_MAX_ARGS, USAGE_WL_DEL, cmd_workload_delete, REQ_CHANGES },
	{ { "group", "list" }, 0, CTL_MAX_ARGS, USAGE_G_LIST, cmd_group_list, REQ_READS },
	{ { "group", "show" }, 0, CTL_MAX_ARGS, USAGE_G_SHOW, cmd_group_show, REQ_READS },
	{ { "group", "add" }, 0, CTL_MAX_ARGS, USAGE_G_ADD, cmd_group_add, REQ_CHANGES },
	{ { "group", "delete" }, 0, CTL_MAX_ARGS, USAGE_G_DEL, cmd_group_delete, REQ_CHANGES },
	{ { "group", "mode" }, 0, CTL_MAX_ARGS, USAGE_G_MODE, cmd_group_mode, REQ_CHANGES },
	{ { "rule", "list" }, 0, CTL_MAX_ARGS, USAGE_R_LIST, cmd_rule_list, REQ_READS },
	{ { "rule", "show" }, 0, CTL_MAX_ARGS, USAGE_R_SHOW, cmd_rule_show, REQ_READS },
	{ { "rule", "add" }, 0, CTL_MAX_ARGS, USAGE_R_ADD, cmd_rule_add, REQ_CHANGES },
	{ { "rule", "delete" }, 0, CTL_MAX_ARGS, USAGE_R_DEL, cmd_rule_delete, REQ_CHANGES },
	{ { "rule", "promote" }, 0, CTL_MAX_ARGS, USAGE_R_PROMOTE, cmd_rule_promote, REQ_CHANGES },
	{ { "workload" }, 0, CTL_MAX_ARGS, USAGE_WL, cmd_workload, REQ_READS },
	{ { "group" }, 0, CTL_MAX_ARGS, USAGE_G, cmd_group, REQ_READS },
	{ { "rule" }, 0, CTL_MAX_ARGS, USAGE_R, cmd_rule, REQ_READS },
	{ { NULL }, 0, 0, NULL, NULL, REQ_UNSAID },
};
