/*
 * handle_dash.c: nvctl host and nvctl dashboard.
 *
 * host: this host, its kernel and Docker engine, and how nvd hooks in.
 * dashboard: one page of what an operator looks at first, from the
 * running policy and the database: counts of workloads, groups and rules;
 * groups and workloads per mode; the security events of the last 24
 * hours by type and level; exposure, the workloads reached from outside
 * (ingress) and those reaching outside (egress, by DNS name where known),
 * each with its mode, ports, applications and worst event; the top five
 * sources and destinations of security events; the applications seen,
 * with their sessions and whether a rule that names them protects them.
 * Text fits 100 columns (long lists are cut, "..."); --json has it all.
 *
 * The reads are bounded in time (dbread.h) and use the tables' indexes:
 * events by time (events_time), conversations by their key, whose first
 * column is the client's group.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/control_proto.h"
#include "base/strmap.h"
#include "base/table.h"
#include "daemon/daemon.h"
#include "daemon/dbread.h"
#include "daemon/request.h"
#include "docker/dockerwatch.h"
#include "proto/app_table.h"
#include "runtime/event.h"
#include "runtime/live.h"
#include "store/store.h"

#define DASH_USAGE	"dashboard [--since TIME]"
#define DASH_WINDOW_S	86400	/* events counted without --since: the last 24 hours */
#define DASH_TOP	5	/* sources and destinations of security events */
#define DASH_LIST	16	/* items kept in one list (ports, applications ...) */
#define DASH_TYPES	16	/* event types counted */
#define DASH_MAX_GROUPS	64	/* of one workload */

/* --- host -------------------------------------------------------------------- */

struct host_info {
	char name[256];
	struct utsname u;
	char os[128];			/* /etc/os-release's PRETTY_NAME, or "" */
	int docker;			/* discovery is on: ds is set */
	struct dockerwatch_status ds;
};

/* PRETTY_NAME="Debian GNU/Linux 12 (bookworm)" of os-release(5). */
static void
os_name(char *out, size_t size)
{
	char line[256];
	FILE *f = fopen("/etc/os-release", "re");

	out[0] = '\0';
	if (f == NULL && (f = fopen("/usr/lib/os-release", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = line + strlen("PRETTY_NAME=");

		if (strncmp(line, "PRETTY_NAME=", strlen("PRETTY_NAME=")) != 0)
			continue;
		v[strcspn(v, "\n")] = '\0';
		if (*v == '"' && v[1] && v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = '\0';
			v++;
		}
		memcpy(out, v, strnlen(v, size - 1));
		out[strnlen(v, size - 1)] = '\0';
		break;
	}
	fclose(f);
}

static void
host_get(struct daemon *d, struct host_info *h)
{
	memset(h, 0, sizeof(*h));
	if (gethostname(h->name, sizeof(h->name) - 1) < 0)
		h->name[0] = '\0';
	if (uname(&h->u) < 0)
		memset(&h->u, 0, sizeof(h->u));
	os_name(h->os, sizeof(h->os));
	if ((h->docker = d->dw != NULL))
		dockerwatch_status(d->dw, &h->ds);
}

static void
host_json(struct buf *o, struct daemon *d, const struct host_info *h)
{
	buf_puts(o, "{\"hostname\":");
	buf_json_str(o, h->name);
	buf_puts(o, ",\"os\":");
	buf_json_str(o, h->os[0] ? h->os : NULL);
	buf_puts(o, ",\"kernel\":{\"name\":");
	buf_json_str(o, h->u.sysname);
	buf_puts(o, ",\"release\":");
	buf_json_str(o, h->u.release);
	buf_puts(o, ",\"version\":");
	buf_json_str(o, h->u.version);
	buf_puts(o, ",\"machine\":");
	buf_json_str(o, h->u.machine);
	buf_puts(o, "},\"docker\":");
	if (!h->docker)
		buf_puts(o, "null");
	else {
		buf_puts(o, "{\"socket\":");
		buf_json_str(o, h->ds.socket);
		buf_printf(o, ",\"connected\":%s,\"version\":", h->ds.connected ? "true" : "false");
		buf_json_str(o, h->ds.version[0] ? h->ds.version : NULL);
		buf_puts(o, ",\"api_version\":");
		buf_json_str(o, h->ds.api_version[0] ? h->ds.api_version : NULL);
		buf_printf(o, ",\"containers\":%d}", h->ds.containers);
	}
	buf_printf(o, ",\"nvd\":{\"version\":\"%s\",\"uptime\":%lld,\"hook\":\"%s\","
	    "\"fail_mode\":\"%s\",\"queues\":%d}}", PACKAGE_VERSION,
	    (long long)(time(NULL) - d->started), nft_hook_kind_name(d->hook),
	    conf_fail_mode_name(d->conf.fail_mode), d->nworkers);
}

/* "20.10.24+dfsg1 (API 1.41), connected to /run/docker.sock, 5 containers" */
static void
docker_text(struct buf *o, const struct host_info *h)
{
	if (!h->docker) {
		buf_puts(o, "discovery off (docker_socket is empty)");
		return;
	}
	buf_printf(o, "%s", h->ds.version[0] ? h->ds.version : "version unknown");
	if (h->ds.api_version[0])
		buf_printf(o, " (API %s)", h->ds.api_version);
	if (h->ds.connected)
		buf_printf(o, ", connected to %s, %d containers", h->ds.socket, h->ds.containers);
	else
		buf_printf(o, ", not connected to %s", h->ds.socket);
}

static int
cmd_host(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct host_info h;

	if (req_parse(argc, argv, NULL, NULL, 0, 0) < 0)
		return req_usage(o, "host");
	host_get(d, &h);
	if (json) {
		host_json(o, d, &h);
		buf_puts(o, "\n");
		return CTL_RESP_OK;
	}
	buf_printf(o, "host     %s\nos       %s\nkernel   %s %s %s\n         %s\ndocker   ",
	    h.name, h.os[0] ? h.os : "-", h.u.sysname, h.u.release, h.u.machine, h.u.version);
	docker_text(o, &h);
	buf_printf(o, "\nnvd      %s, hook %s, fail_mode %s, %d queue%s\n", PACKAGE_VERSION,
	    nft_hook_kind_name(d->hook), conf_fail_mode_name(d->conf.fail_mode), d->nworkers,
	    d->nworkers == 1 ? "" : "s");
	return CTL_RESP_OK;
}

/* --- what the dashboard gathers ------------------------------------------------ */

/* Up to DASH_LIST distinct texts, and how many more there were. */
struct list {
	char item[DASH_LIST][POLICY_FQDN_MAX + 1];
	int n, more;
};

static void
list_add(struct list *l, const char *s)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->item[i], s))
			return;
	if (l->n == DASH_LIST) {
		l->more++;
		return;
	}
	snprintf(l->item[l->n++], sizeof(l->item[0]), "%s", s);
}

/* The worst security event at a group, in the window. */
struct worst {
	int level;			/* -1: none */
	int64_t id;
	char type[16], name[64];
};

/* A group reached from outside, or reaching outside. */
struct expo {
	char group[POLICY_NAME_MAX];
	struct list peers;		/* egress: the destinations */
	struct list ports, apps;
	uint64_t sessions, bytes;
};

/* A source or destination of security events. */
struct party {
	char name[POLICY_NAME_MAX];	/* its workload, else its address */
	char group[POLICY_NAME_MAX];
	uint64_t events;
	int level;
};

struct app_row {
	char name[32];
	uint64_t sessions, bytes, conversations;
	int rules, protected;
};

struct dash {
	const struct policy *p;
	struct store_group *groups;
	int ngroups;
	struct strmap group_at;		/* name: index in groups */
	int wl_state[4];		/* running, paused, static, other */
	int64_t wl_stopped;
	int kinds[3], modes[3], wl_modes[3];
	int64_t rules[2];		/* enum rule_type */
	char since[EVENT_TIME_LEN];
	struct {
		char type[16];
		uint64_t n[3], rows;
	} ev[DASH_TYPES];
	int ntypes;
	struct expo *in, *out;
	int nin, nout, capin, capout;
	struct strmap in_at, out_at;
	struct party *src, *dst;
	int nsrc, ndst, capsrc, capdst;
	struct strmap src_at, dst_at;
	struct worst *worst;		/* per group, as groups */
	struct app_row *apps;
	int napps;
	int nomem;
};

static void
dash_free(struct dash *h)
{
	free(h->groups);
	free(h->in);
	free(h->out);
	free(h->src);
	free(h->dst);
	free(h->worst);
	free(h->apps);
	strmap_free(&h->group_at);
	strmap_free(&h->in_at);
	strmap_free(&h->out_at);
	strmap_free(&h->src_at);
	strmap_free(&h->dst_at);
}

/* Index of the item of key in *arr (made, zeroed, if new): -1 no memory. */
static int
slot(struct strmap *at, void *arr, int *n, int *cap, size_t size, const char *key)
{
	void **a = arr, *p;
	int i = strmap_get(at, key);

	if (i >= 0)
		return i;
	if (*n == *cap) {
		int ncap = *cap ? *cap * 2 : 32;

		if ((p = realloc(*a, (size_t)ncap * size)) == NULL)
			return -1;
		*a = p;
		*cap = ncap;
	}
	if (strmap_put(at, key, *n) < 0)
		return -1;
	memset((char *)*a + (size_t)*n * size, 0, size);
	return (*n)++;
}



/* The mode of group name (-1 when it has none here). */
static int
group_mode(const struct dash *h, const char *name)
{
	int i = strmap_get(&h->group_at, name);

	return i < 0 ? -1 : (int)h->groups[i].g.mode;
}

/* Whether a group stands for what is outside: external, or a group of
 * addresses or names only. */
static int
outside(const struct dash *h, const char *name)
{
	int i = strmap_get(&h->group_at, name);
	const struct policy_group *g;

	if (!strcmp(name, GROUP_EXTERNAL))
		return 1;
	if (i < 0 || (g = &h->groups[i].g)->kind != GROUP_USER || g->ncrit == 0)
		return 0;
	for (int k = 0; k < g->ncrit; k++)
		if (g->crit[k].kind != CRIT_ADDR_NET && g->crit[k].kind != CRIT_ADDR_FQDN)
			return 0;
	return 1;
}

/* --- counts ---------------------------------------------------------------------- */

static enum policy_mode
wl_mode(const struct policy *p, int wl)
{
	int g[DASH_MAX_GROUPS], ng = policy_workload_groups(p, wl, g, DASH_MAX_GROUPS);
	enum policy_mode m = MODE_DISCOVER;

	for (int i = 0; i < ng; i++)
		if (policy_group_mode_at(p, g[i]) > m)
			m = policy_group_mode_at(p, g[i]);
	return m;
}

static int
int_query(sqlite3 *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
load_counts(struct dash *h, sqlite3 *db, char *err, size_t errlen)
{
	if (store_group_list(db, &h->groups, &h->ngroups, err, errlen) < 0)
		return -1;
	if ((h->worst = calloc((size_t)h->ngroups + 1, sizeof(*h->worst))) == NULL)
		h->nomem = 1;
	for (int i = 0; i < h->ngroups && !h->nomem; i++) {
		h->kinds[h->groups[i].g.kind]++;
		h->modes[h->groups[i].g.mode]++;
		h->worst[i].level = -1;
		h->nomem = strmap_put(&h->group_at, h->groups[i].g.name, i) < 0;
	}
	for (int i = 0; i < policy_nworkloads(h->p); i++) {
		const struct policy_workload *w = policy_workload_at(h->p, i);

		h->wl_state[w->is_static ? 2 : !strcmp(w->asset.state, "running") ? 0 :
		    !strcmp(w->asset.state, "paused") ? 1 : 3]++;
		h->wl_modes[wl_mode(h->p, i)]++;
	}
	if (int_query(db, "SELECT count(*) FROM workloads WHERE static = 0 AND running = 0",
	    &h->wl_stopped) < 0 ||
	    int_query(db, "SELECT count(*) FROM rules WHERE type = 'user'", &h->rules[0]) < 0 ||
	    int_query(db, "SELECT count(*) FROM rules WHERE type = 'learned'", &h->rules[1]) < 0)
		return -1;
	return 0;
}

/* --- events ---------------------------------------------------------------------- */

/* An event of the window, counted by its type and level (the first
 * DASH_TYPES types). */
static void
type_add(struct dash *h, const char *type, int level, uint64_t n)
{
	int t;

	for (t = 0; t < h->ntypes && strcmp(h->ev[t].type, type); t++)
		;
	if (t == h->ntypes) {
		if (t == DASH_TYPES)
			return;
		snprintf(h->ev[h->ntypes++].type, sizeof(h->ev[0].type), "%s", type);
	}
	h->ev[t].n[level] += n;
	h->ev[t].rows++;
}

/* One end of a security event (row st): counted for its party, its
 * group's worst. */
static void
party_add(struct dash *h, int dst, const char *who, const char *group, uint64_t n, int level,
    sqlite3_stmt *st)
{
	struct party **arr = dst ? &h->dst : &h->src, *p;
	int *np = dst ? &h->ndst : &h->nsrc, *cap = dst ? &h->capdst : &h->capsrc;
	int i, g = strmap_get(&h->group_at, group);
	char key[2 * POLICY_NAME_MAX + 2];

	if (g >= 0 && (level > h->worst[g].level || (level == h->worst[g].level &&
	    sqlite3_column_int64(st, 0) > h->worst[g].id))) {
		h->worst[g].level = level;
		h->worst[g].id = sqlite3_column_int64(st, 0);
		snprintf(h->worst[g].type, sizeof(h->worst[g].type), "%s", req_col(st, 1));
		snprintf(h->worst[g].name, sizeof(h->worst[g].name), "%s", req_col(st, 2));
	}
	if (*who == '\0')
		return;
	snprintf(key, sizeof(key), "%s\037%s", who, group);
	if ((i = slot(dst ? &h->dst_at : &h->src_at, arr, np, cap, sizeof(**arr), key)) < 0) {
		h->nomem = 1;
		return;
	}
	p = &(*arr)[i];
	if (p->events == 0) {	/* new */
		snprintf(p->name, sizeof(p->name), "%s", who);
		snprintf(p->group, sizeof(p->group), "%s", group);
		p->level = level;
	}
	p->events += n;
	if (level > p->level)
		p->level = level;
}

/* Events with a network source and destination. */
static int
security(const char *type)
{
	return !strcmp(type, "violation") || !strcmp(type, "threat") || !strcmp(type, "dlp") ||
	    !strcmp(type, "waf");
}

/*
 * The events of the window, in one pass: counted by type and level; the
 * security events by source and destination, and each group's worst.
 * By events_time: the planner would rather walk events_type whole, in the
 * order it groups by, than the day's range of times.
 */
static int
load_window(struct dash *h, sqlite3 *db)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, type, name, level, coalesce(src_workload, src_ip, ''), "
	    "coalesce(src_group, ''), coalesce(dst_workload, dst_ip, ''), coalesce(dst_group, ''), "
	    "count FROM events INDEXED BY events_time WHERE time >= ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, h->since, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !h->nomem) {
		int level = (int)event_level_of(req_col(st, 3));
		uint64_t n = (uint64_t)sqlite3_column_int64(st, 8);

		type_add(h, req_col(st, 1), level, n);
		if (!security(req_col(st, 1)))
			continue;
		party_add(h, 0, req_col(st, 4), req_col(st, 5), n, level, st);
		party_add(h, 1, req_col(st, 6), req_col(st, 7), n, level, st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || h->nomem ? 0 : -1;
}

/* --- exposure and applications ----------------------------------------------------- */

static void
port_word(sqlite3_stmt *st, int proto, int port, char *out, size_t size)
{
	if (sqlite3_column_int(st, port))
		snprintf(out, size, "%s/%d", req_col(st, proto), sqlite3_column_int(st, port));
	else
		snprintf(out, size, "%s", req_col(st, proto));
}

/* One conversation row (from, to, fqdn, app, proto, port, sessions, bytes)
 * that crosses the edge of what is inside. */
static void
expo_row(struct dash *h, sqlite3_stmt *st)
{
	const char *from = req_col(st, 0), *to = req_col(st, 1), *fqdn = req_col(st, 2);
	int ingress = outside(h, from), i;
	struct expo **arr = ingress ? &h->in : &h->out, *e;
	char port[32];

	if (ingress == outside(h, to))
		return;		/* inside to inside, or outside to outside */
	i = slot(ingress ? &h->in_at : &h->out_at, arr, ingress ? &h->nin : &h->nout,
	    ingress ? &h->capin : &h->capout, sizeof(**arr), ingress ? to : from);
	if (i < 0) {
		h->nomem = 1;
		return;
	}
	e = &(*arr)[i];
	snprintf(e->group, sizeof(e->group), "%s", ingress ? to : from);
	list_add(&e->peers, ingress ? from : fqdn[0] ? fqdn : to);
	port_word(st, 4, 5, port, sizeof(port));
	list_add(&e->ports, port);
	list_add(&e->apps, req_col(st, 3));
	e->sessions += (uint64_t)sqlite3_column_int64(st, 6);
	e->bytes += (uint64_t)sqlite3_column_int64(st, 7);
}

static int
load_exposure(struct dash *h, sqlite3 *db)
{
	sqlite3_stmt *st;
	int rc;

	/* What passed: a denied connection reached nothing. */
	if (sqlite3_prepare_v2(db, "SELECT from_group, to_group, fqdn, app, proto, port, "
	    "sessions, bytes FROM conversations WHERE verdict != 'deny' ORDER BY from_group, "
	    "to_group", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !h->nomem)
		expo_row(h, st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || h->nomem ? 0 : -1;
}

static enum app_id
app_by_name(const char *name)
{
	for (int i = 1; i < APP_COUNT; i++)
		if (!strcmp(app_table[i]->name, name))
			return (enum app_id)i;
	return APP_UNKNOWN;
}

/* Which applications rules name, and which of them a rule protects: an
 * allow rule that names it, with an end in protect mode. */
static int
load_app_rules(struct dash *h, sqlite3 *db, int *rules, int *protect, char *err, size_t errlen)
{
	struct policy_rule *r;
	int n;

	if (store_rule_list(db, NULL, &r, &n, err, errlen) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		int prot = r[i].action == RULE_ALLOW && (group_mode(h, r[i].from) == MODE_PROTECT ||
		    group_mode(h, r[i].to) == MODE_PROTECT);

		for (const char *p = r[i].apps; *p; ) {
			char word[POLICY_APPS_MAX];
			size_t len = strcspn(p, ",");
			enum app_id a;

			snprintf(word, sizeof(word), "%.*s", (int)len, p);
			p += len + (p[len] == ',');
			if ((a = app_by_word(word)) == APP_COUNT)
				continue;	/* "any" */
			rules[a]++;
			protect[a] |= prot;
		}
	}
	free(r);
	return 0;
}

static int
load_apps(struct dash *h, sqlite3 *db, char *err, size_t errlen)
{
	int rules[APP_COUNT] = { 0 }, protect[APP_COUNT] = { 0 }, rc;
	sqlite3_stmt *st;

	if (load_app_rules(h, db, rules, protect, err, errlen) < 0)
		return -1;
	if ((h->apps = calloc(APP_COUNT + 1, sizeof(*h->apps))) == NULL) {
		h->nomem = 1;
		return 0;
	}
	if (sqlite3_prepare_v2(db, "SELECT app, sum(sessions), sum(bytes), count(*) FROM "
	    "conversations GROUP BY app ORDER BY 2 DESC, app", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && h->napps <= APP_COUNT) {
		struct app_row *a = &h->apps[h->napps++];
		enum app_id id = app_by_name(req_col(st, 0));

		snprintf(a->name, sizeof(a->name), "%s", req_col(st, 0));
		a->sessions = (uint64_t)sqlite3_column_int64(st, 1);
		a->bytes = (uint64_t)sqlite3_column_int64(st, 2);
		a->conversations = (uint64_t)sqlite3_column_int64(st, 3);
		a->rules = id == APP_UNKNOWN ? 0 : rules[id];
		a->protected = id == APP_UNKNOWN ? 0 : protect[id];
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* --- the top parties ------------------------------------------------------------------ */

static int
party_cmp(const void *a, const void *b)
{
	const struct party *x = a, *y = b;

	if (x->events != y->events)
		return x->events < y->events ? 1 : -1;
	if (x->level != y->level)
		return y->level - x->level;
	return strcmp(x->name, y->name);
}

static int
expo_cmp(const void *a, const void *b)
{
	const struct expo *x = a, *y = b;

	if (x->sessions != y->sessions)
		return x->sessions < y->sessions ? 1 : -1;
	return strcmp(x->group, y->group);
}

/* --- writing: JSON ----------------------------------------------------------------------- */

static void
json_list(struct buf *o, const struct list *l)
{
	buf_puts(o, "[");
	for (int i = 0; i < l->n; i++) {
		buf_puts(o, i ? "," : "");
		buf_json_str(o, l->item[i]);
	}
	buf_printf(o, "]");
}

static void
json_worst(struct buf *o, const struct worst *w)
{
	if (w == NULL || w->level < 0) {
		buf_puts(o, "null");
		return;
	}
	buf_printf(o, "{\"id\":%lld,\"level\":\"%s\",\"type\":", (long long)w->id,
	    event_level_name((enum event_level)w->level));
	buf_json_str(o, w->type);
	buf_puts(o, ",\"name\":");
	buf_json_str(o, w->name);
	buf_puts(o, "}");
}

/* The running workloads of group name, their names as a list, and their
 * strictest mode (-1: none runs). */
static int
members(const struct dash *h, const char *name, struct list *l)
{
	int gi = policy_group_find(h->p, name), mode = -1;

	memset(l, 0, sizeof(*l));
	for (int i = 0; gi >= 0 && i < policy_nworkloads(h->p); i++) {
		int g[DASH_MAX_GROUPS], ng = policy_workload_groups(h->p, i, g, DASH_MAX_GROUPS);

		for (int k = 0; k < ng; k++)
			if (g[k] == gi) {
				list_add(l, policy_workload_at(h->p, i)->name);
				if ((int)wl_mode(h->p, i) > mode)
					mode = (int)wl_mode(h->p, i);
				break;
			}
	}
	return mode >= 0 ? mode : group_mode(h, name);
}

static void
json_expo(struct buf *o, const struct dash *h, const struct expo *e, int egress)
{
	int gi = strmap_get(&h->group_at, e->group), mode;
	struct list wl;

	mode = members(h, e->group, &wl);
	buf_puts(o, "{\"group\":");
	buf_json_str(o, e->group);
	buf_puts(o, ",\"workloads\":");
	json_list(o, &wl);
	buf_puts(o, ",\"mode\":");
	buf_json_str(o, mode >= 0 ? policy_mode_name((enum policy_mode)mode) : NULL);
	buf_printf(o, ",\"%s\":", egress ? "destinations" : "sources");
	json_list(o, &e->peers);
	buf_puts(o, ",\"ports\":");
	json_list(o, &e->ports);
	buf_puts(o, ",\"applications\":");
	json_list(o, &e->apps);
	buf_printf(o, ",\"sessions\":%llu,\"bytes\":%llu,\"worst_event\":",
	    (unsigned long long)e->sessions, (unsigned long long)e->bytes);
	json_worst(o, gi >= 0 ? &h->worst[gi] : NULL);
	buf_puts(o, "}");
}

static void
json_parties(struct buf *o, const struct party *p, int n)
{
	buf_puts(o, "[");
	for (int i = 0; i < n && i < DASH_TOP; i++) {
		buf_puts(o, i ? ",{\"name\":" : "{\"name\":");
		buf_json_str(o, p[i].name);
		buf_puts(o, ",\"group\":");
		buf_json_str(o, p[i].group[0] ? p[i].group : NULL);
		buf_printf(o, ",\"events\":%llu,\"worst_level\":\"%s\"}",
		    (unsigned long long)p[i].events, event_level_name((enum event_level)p[i].level));
	}
	buf_puts(o, "]");
}

static void
json_counts(struct buf *o, const struct dash *h)
{
	buf_printf(o, ",\"counts\":{\"workloads\":{\"running\":%d,\"paused\":%d,\"static\":%d,"
	    "\"other\":%d,\"stopped\":%lld},\"groups\":{\"total\":%d,\"builtin\":%d,"
	    "\"learned\":%d,\"user\":%d},\"rules\":{\"total\":%lld,\"user\":%lld,"
	    "\"learned\":%lld}}", h->wl_state[0], h->wl_state[1], h->wl_state[2], h->wl_state[3],
	    (long long)h->wl_stopped, h->ngroups, h->kinds[GROUP_BUILTIN], h->kinds[GROUP_LEARNED],
	    h->kinds[GROUP_USER], (long long)(h->rules[0] + h->rules[1]), (long long)h->rules[0],
	    (long long)h->rules[1]);
	buf_printf(o, ",\"modes\":{\"groups\":{\"discover\":%d,\"monitor\":%d,\"protect\":%d},"
	    "\"workloads\":{\"discover\":%d,\"monitor\":%d,\"protect\":%d}}", h->modes[0],
	    h->modes[1], h->modes[2], h->wl_modes[0], h->wl_modes[1], h->wl_modes[2]);
}

static void
dash_json(struct buf *o, struct daemon *d, const struct dash *h, const struct host_info *hi)
{
	uint64_t total = 0;

	buf_puts(o, "{\"host\":");
	host_json(o, d, hi);
	json_counts(o, h);
	buf_printf(o, ",\"events\":{\"since\":\"%s\",\"types\":[", h->since);
	for (int t = 0; t < h->ntypes; t++) {
		uint64_t n = h->ev[t].n[0] + h->ev[t].n[1] + h->ev[t].n[2];

		total += n;
		buf_puts(o, t ? ",{\"type\":" : "{\"type\":");
		buf_json_str(o, h->ev[t].type);
		buf_printf(o, ",\"info\":%llu,\"warning\":%llu,\"critical\":%llu,\"total\":%llu,"
		    "\"rows\":%llu}", (unsigned long long)h->ev[t].n[0],
		    (unsigned long long)h->ev[t].n[1], (unsigned long long)h->ev[t].n[2],
		    (unsigned long long)n, (unsigned long long)h->ev[t].rows);
	}
	buf_printf(o, "],\"total\":%llu},\"exposure\":{\"ingress\":[", (unsigned long long)total);
	for (int i = 0; i < h->nin; i++) {
		buf_puts(o, i ? "," : "");
		json_expo(o, h, &h->in[i], 0);
	}
	buf_puts(o, "],\"egress\":[");
	for (int i = 0; i < h->nout; i++) {
		buf_puts(o, i ? "," : "");
		json_expo(o, h, &h->out[i], 1);
	}
	buf_puts(o, "]},\"top_sources\":");
	json_parties(o, h->src, h->nsrc);
	buf_puts(o, ",\"top_destinations\":");
	json_parties(o, h->dst, h->ndst);
	buf_puts(o, ",\"applications\":[");
	for (int i = 0; i < h->napps; i++) {
		buf_puts(o, i ? ",{\"application\":" : "{\"application\":");
		buf_json_str(o, h->apps[i].name);
		buf_printf(o, ",\"sessions\":%llu,\"bytes\":%llu,\"conversations\":%llu,\"rules\":%d,"
		    "\"protected\":%s}", (unsigned long long)h->apps[i].sessions,
		    (unsigned long long)h->apps[i].bytes,
		    (unsigned long long)h->apps[i].conversations, h->apps[i].rules,
		    h->apps[i].protected ? "true" : "false");
	}
	buf_puts(o, "]}\n");
}

/* --- writing: text, in 100 columns --------------------------------------------------------- */

/* s cut to width characters, "..." ending what was cut. */
static void
cut_add(struct table *t, const char *s, size_t width)
{
	if (strlen(s) <= width)
		table_add(t, s[0] ? s : "-");
	else
		table_addf(t, "%.*s...", (int)width - 3, s);
}

/* The items joined by ",", "+N" for the ones left out, cut to width. */
static void
list_cell(struct table *t, const struct list *l, size_t width)
{
	char s[512] = "";
	size_t off = 0;

	for (int i = 0; i < l->n && off < sizeof(s); i++)
		off += (size_t)snprintf(s + off, sizeof(s) - off, "%s%s", i ? "," : "", l->item[i]);
	if (l->more && off < sizeof(s))
		snprintf(s + off, sizeof(s) - off, ",+%d", l->more);
	cut_add(t, s, width);
}

/* "crit #1234": the worst event's level and id. */
static void
worst_cell(struct table *t, const struct dash *h, const char *group, size_t width)
{
	int gi = strmap_get(&h->group_at, group);
	char s[48];

	if (gi < 0 || h->worst[gi].level < 0) {
		table_add(t, "-");
		return;
	}
	snprintf(s, sizeof(s), "%.4s #%lld", event_level_name((enum event_level)h->worst[gi].level),
	    (long long)h->worst[gi].id);
	cut_add(t, s, width);
}

static void
text_expo(struct buf *o, const struct dash *h, const struct expo *e, int n, int egress)
{
	static const char *const in_head[] = { "group", "workloads", "mode", "sources", "ports",
	    "apps", "sessions", "worst event" };
	static const char *const out_head[] = { "group", "workloads", "mode", "destinations",
	    "ports", "apps", "sessions", "worst event" };
	/* 8 columns at most this wide, and 14 blanks between them: 100 in all. */
	static const size_t width[] = { 12, 11, 8, 14, 9, 9, 8, 15 };
	struct table t = { .ncols = 8 };

	buf_printf(o, "\n%s\n", egress ? "exposure, egress: reaching outside (by DNS name where "
	    "known)" : "exposure, ingress: reached from outside");
	if (n == 0) {
		buf_puts(o, "  none\n");
		return;
	}
	for (int i = 0; i < 8; i++)
		table_add(&t, egress ? out_head[i] : in_head[i]);
	for (int i = 0; i < n; i++) {
		struct list wl;
		int mode = members(h, e[i].group, &wl);

		cut_add(&t, e[i].group, width[0]);
		list_cell(&t, &wl, width[1]);
		table_add(&t, mode >= 0 ? policy_mode_name((enum policy_mode)mode) : "-");
		list_cell(&t, &e[i].peers, width[3]);
		list_cell(&t, &e[i].ports, width[4]);
		list_cell(&t, &e[i].apps, width[5]);
		table_addf(&t, "%llu", (unsigned long long)e[i].sessions);
		worst_cell(&t, h, e[i].group, width[7]);
	}
	table_print(&t, o);
	table_free(&t);
}

static void
text_parties(struct buf *o, const char *title, const struct party *p, int n)
{
	struct table t = { .ncols = 4 };

	buf_printf(o, "\ntop %s of security events\n", title);
	if (n == 0) {
		buf_puts(o, "  none\n");
		return;
	}
	table_add(&t, title[0] == 's' ? "source" : "destination");
	table_add(&t, "group");
	table_add(&t, "events");
	table_add(&t, "worst");
	for (int i = 0; i < n && i < DASH_TOP; i++) {
		cut_add(&t, p[i].name, 36);
		cut_add(&t, p[i].group, 32);
		table_addf(&t, "%llu", (unsigned long long)p[i].events);
		table_add(&t, event_level_name((enum event_level)p[i].level));
	}
	table_print(&t, o);
	table_free(&t);
}

static void
text_events(struct buf *o, const struct dash *h)
{
	struct table t = { .ncols = 5 };

	buf_printf(o, "\nevents since %s\n", h->since);
	if (h->ntypes == 0) {
		buf_puts(o, "  none\n");
		return;
	}
	table_add(&t, "type");
	table_add(&t, "info");
	table_add(&t, "warning");
	table_add(&t, "critical");
	table_add(&t, "total");
	for (int i = 0; i < h->ntypes; i++) {
		table_add(&t, h->ev[i].type);
		for (int l = 0; l < 3; l++)
			table_addf(&t, "%llu", (unsigned long long)h->ev[i].n[l]);
		table_addf(&t, "%llu", (unsigned long long)(h->ev[i].n[0] + h->ev[i].n[1] +
		    h->ev[i].n[2]));
	}
	table_print(&t, o);
	table_free(&t);
}

static void
text_apps(struct buf *o, const struct dash *h)
{
	struct table t = { .ncols = 5 };

	buf_puts(o, "\napplications\n");
	if (h->napps == 0) {
		buf_puts(o, "  none yet\n");
		return;
	}
	table_add(&t, "application");
	table_add(&t, "sessions");
	table_add(&t, "bytes");
	table_add(&t, "rules");
	table_add(&t, "protected");
	for (int i = 0; i < h->napps; i++) {
		table_add(&t, h->apps[i].name);
		table_addf(&t, "%llu", (unsigned long long)h->apps[i].sessions);
		table_addf(&t, "%llu", (unsigned long long)h->apps[i].bytes);
		table_addf(&t, "%d", h->apps[i].rules);
		table_add(&t, h->apps[i].protected ? "yes" : "no");
	}
	table_print(&t, o);
	table_free(&t);
}

static void
dash_text(struct buf *o, struct daemon *d, const struct dash *h, const struct host_info *hi)
{
	char line[512];

	snprintf(line, sizeof(line), "%s: %s, kernel %s", hi->name, hi->os[0] ? hi->os : "-",
	    hi->u.release);
	buf_printf(o, "host        %.88s\n", line);
	buf_puts(o, "docker      ");
	{
		struct buf db;

		buf_init(&db);
		docker_text(&db, hi);
		buf_printf(o, "%.88s\n", db.data ? db.data : "");
		buf_free(&db);
	}
	buf_printf(o, "nvd         %s, hook %s, fail_mode %s\n", PACKAGE_VERSION,
	    nft_hook_kind_name(d->hook), conf_fail_mode_name(d->conf.fail_mode));
	buf_printf(o, "workloads   %d running, %d paused, %d static, %lld stopped; %d discover, "
	    "%d monitor, %d protect\n", h->wl_state[0] + h->wl_state[3], h->wl_state[1],
	    h->wl_state[2], (long long)h->wl_stopped, h->wl_modes[0], h->wl_modes[1],
	    h->wl_modes[2]);
	buf_printf(o, "groups      %d: %d built in, %d learned, %d user; %d discover, %d monitor, "
	    "%d protect\n", h->ngroups, h->kinds[GROUP_BUILTIN], h->kinds[GROUP_LEARNED],
	    h->kinds[GROUP_USER], h->modes[0], h->modes[1], h->modes[2]);
	buf_printf(o, "rules       %lld: %lld user, %lld learned\n",
	    (long long)(h->rules[0] + h->rules[1]), (long long)h->rules[0], (long long)h->rules[1]);
	text_events(o, h);
	text_expo(o, h, h->in, h->nin, 0);
	text_expo(o, h, h->out, h->nout, 1);
	text_parties(o, "sources", h->src, h->nsrc);
	text_parties(o, "destinations", h->dst, h->ndst);
	text_apps(o, h);
}

/* --- the request ------------------------------------------------------------------------- */

/* Reads what the dashboard shows, the events since since_ms. */
static int
dash_load(struct daemon *d, struct dash *h, int64_t since_ms, struct buf *o)
{
	struct dbread rd;
	char err[512] = "";
	int rc;

	event_time_format(since_ms, h->since, sizeof(h->since));
	dbread_start(d->db, &rd, DBREAD_MS);
	rc = load_counts(h, d->db, err, sizeof(err));
	if (rc == 0 && !h->nomem)
		rc = load_window(h, d->db);
	if (rc == 0 && !h->nomem)
		rc = load_exposure(h, d->db);
	if (rc == 0 && !h->nomem)
		rc = load_apps(h, d->db, err, sizeof(err));
	dbread_stop(d->db);
	if (rd.expired)
		return req_error(o, CTL_RESP_ERROR, "the database took longer than %d ms to read "
		    "for the dashboard; narrow it with --since", DBREAD_MS);
	if (h->nomem)
		return req_error(o, CTL_RESP_ERROR, "out of memory");
	if (rc < 0)
		return req_error(o, CTL_RESP_ERROR, "%s", err[0] ? err : sqlite3_errmsg(d->db));
	if (h->nsrc)
		qsort(h->src, (size_t)h->nsrc, sizeof(*h->src), party_cmp);
	if (h->ndst)
		qsort(h->dst, (size_t)h->ndst, sizeof(*h->dst), party_cmp);
	if (h->nin)
		qsort(h->in, (size_t)h->nin, sizeof(*h->in), expo_cmp);
	if (h->nout)
		qsort(h->out, (size_t)h->nout, sizeof(*h->out), expo_cmp);
	return CTL_RESP_OK;
}

static int
cmd_dashboard(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	int64_t since_ms = clock_real_ms() - DASH_WINDOW_S * 1000LL;
	const char *since = NULL;
	const struct req_opt opts[] = {
		{ .name = "since", .max = 1, .val = &since },
		{ .name = NULL },
	};
	struct host_info hi;
	struct dash h;
	char err[256];
	int rc;

	if (req_parse(argc, argv, opts, NULL, 0, 0) < 0)
		return req_usage(o, DASH_USAGE);
	if (since && event_since_parse(since, clock_real_ms(), &since_ms, err, sizeof(err)) < 0)
		return req_error(o, CTL_RESP_USAGE, "--since: %s", err);
	memset(&h, 0, sizeof(h));
	h.p = live_current(&d->live);
	host_get(d, &hi);
	if ((rc = dash_load(d, &h, since_ms, o)) == CTL_RESP_OK) {
		if (json)
			dash_json(o, d, &h, &hi);
		else
			dash_text(o, d, &h, &hi);
	}
	dash_free(&h);
	return rc;
}

const struct handler dash_handlers[] = {
	{ { "dashboard" }, 0, CTL_MAX_ARGS, DASH_USAGE, cmd_dashboard, REQ_READS },
	{ { "host" }, 0, CTL_MAX_ARGS, "host", cmd_host, REQ_READS },
	{ { NULL }, 0, 0, NULL, NULL, REQ_UNSAID },
};
