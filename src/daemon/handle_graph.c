/*
 * handle_graph.c: nvctl graph, the conversation graph.  Nodes are groups,
 * or with --workloads the workloads (clustered by their learned group);
 * external ends are named by their DNS name where nvd knows it.  Edges
 * are the conversations between two nodes (schema/003, and 010 for
 * workloads), labelled with their applications and ports, sessions and
 * bytes, and coloured by the worst security event between the two ends
 * (violations, threats, DLP and WAF hits) or their verdict.
 *
 * At hundreds of nodes a graph stays readable only when it shows what
 * matters: the edges with events first, then those with the most
 * sessions, up to --max-edges, the rest counted in the graph's label.
 * The text is Graphviz's DOT (nvctl pipes it to dot(1) for --format svg)
 * or JSON.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/control_proto.h"
#include "base/strmap.h"
#include "daemon/daemon.h"
#include "daemon/dbread.h"
#include "daemon/request.h"
#include "runtime/event.h"
#include "runtime/live.h"
#include "store/store.h"

#define GRAPH_USAGE	"graph [--format dot|svg|json] [--workloads] [--group G] [--since TIME] " \
	"[--max-edges N]"
#define GRAPH_MAX_EDGES		300	/* --max-edges by default */
#define GRAPH_MAX_ROWS		200000	/* conversation rows read at most */
#define GRAPH_LABEL_ITEMS	3	/* conversations an edge's label names */
#define GRAPH_EVENTS_S		86400	/* events coloured without --since: the last day */
#define KEY_MAX			(POLICY_FQDN_MAX + 8)

enum node_kind { NODE_WORKLOAD, NODE_GROUP, NODE_NAME, NODE_HOST, NODE_EXTERNAL };
static const char *const kind_names[] = { "workload", "group", "name", "host", "external" };

struct gnode {
	char key[KEY_MAX];		/* "w:NAME", "g:NAME" or "d:NAME" (a DNS name): its id */
	enum node_kind kind;
	char cluster[POLICY_NAME_MAX];	/* "" when in none */
	int mode;			/* enum policy_mode, -1 unknown */
	int level;			/* worst event at it, -1 none */
	int shown;
};

/* One conversation row: an application on a port, with its verdict. */
struct gitem {
	int edge;
	char app[32];
	char proto[12];
	int port;
	int verdict;			/* enum conv_verdict */
	uint64_t sessions, bytes;
};

struct gedge {
	int from, to;
	uint64_t sessions, bytes, events;
	int verdict;			/* the worst of its items' */
	int level;			/* the worst event between its ends, -1 none */
	int first, nitems;		/* its items, once sorted */
};

struct graph {
	int workloads;			/* nodes are workloads */
	const struct policy *p;
	struct gnode *node;
	int nnodes, capnodes;
	struct gedge *edge;
	int nedges, capedges;
	struct gitem *item;
	int nitems, capitems;
	struct strmap nodes, edges;
	struct strmap modes;		/* group name: its mode, from the database */
	struct strmap only;		/* --group: the node keys in it (n == 0: all) */
	uint64_t rows_left;		/* conversation rows past GRAPH_MAX_ROWS */
	int nomem;
};

/* --- building -------------------------------------------------------------- */

static int
grow(void *arr, int *cap, int n, size_t size)
{
	void **a = arr, *p;
	int ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	if ((p = realloc(*a, (size_t)ncap * size)) == NULL)
		return -1;
	*a = p;
	*cap = ncap;
	return 0;
}

/* The node of key (made if new), or -1 for lack of memory. */
static int
node_get(struct graph *g, const char *key, enum node_kind kind, const char *cluster)
{
	int i = strmap_get(&g->nodes, key);
	struct gnode *n;

	if (i >= 0)
		return i;
	if (grow(&g->node, &g->capnodes, g->nnodes, sizeof(*g->node)) < 0 ||
	    strmap_put(&g->nodes, key, g->nnodes) < 0) {
		g->nomem = 1;
		return -1;
	}
	n = &g->node[g->nnodes];
	memset(n, 0, sizeof(*n));
	snprintf(n->key, sizeof(n->key), "%s", key);
	n->kind = kind;
	snprintf(n->cluster, sizeof(n->cluster), "%s", cluster);
	n->mode = key[0] == 'g' ? strmap_get(&g->modes, key + 2) : -1;
	n->level = -1;
	return g->nnodes++;
}

/*
 * The node of one end: its workload (with --workloads), its DNS name
 * (external, or a group of a learned name), or its group.  NULL or ""
 * for what is not known.
 */
static int
end_node(struct graph *g, const char *workload, const char *group, const char *fqdn)
{
	char key[KEY_MAX];

	if (g->workloads && workload && *workload) {
		snprintf(key, sizeof(key), "w:%s", workload);
		return node_get(g, key, NODE_WORKLOAD, group ? group : "");
	}
	if (group && !strncmp(group, GROUP_FQDN_PREFIX, strlen(GROUP_FQDN_PREFIX)))
		fqdn = group + strlen(GROUP_FQDN_PREFIX);
	else if (group == NULL || strcmp(group, GROUP_EXTERNAL))
		fqdn = NULL;
	if (fqdn && *fqdn) {
		snprintf(key, sizeof(key), "d:%s", fqdn);
		return node_get(g, key, NODE_NAME, GROUP_EXTERNAL);
	}
	if (group == NULL || *group == '\0')
		return -1;
	snprintf(key, sizeof(key), "g:%s", group);
	if (!strcmp(group, GROUP_EXTERNAL))
		return node_get(g, key, NODE_EXTERNAL, GROUP_EXTERNAL);
	return node_get(g, key, !strcmp(group, GROUP_HOST) ? NODE_HOST : NODE_GROUP, "");
}

static int
edge_get(struct graph *g, int from, int to)
{
	char key[32];
	int i;

	snprintf(key, sizeof(key), "%d>%d", from, to);
	if ((i = strmap_get(&g->edges, key)) >= 0)
		return i;
	if (grow(&g->edge, &g->capedges, g->nedges, sizeof(*g->edge)) < 0 ||
	    strmap_put(&g->edges, key, g->nedges) < 0) {
		g->nomem = 1;
		return -1;
	}
	g->edge[g->nedges] = (struct gedge){ .from = from, .to = to, .level = -1 };
	return g->nedges++;
}


static int
verdict_rank(const char *v)
{
	return !strcmp(v, "deny") ? CONV_DENY : !strcmp(v, "alert") ? CONV_ALERT : CONV_ALLOW;
}


/* One conversation row (columns: ends' workloads, groups, fqdn, app,
 * proto, port, verdict, sessions, bytes). */
static void
conv_row(struct graph *g, sqlite3_stmt *st)
{
	int from = end_node(g, req_col(st, 0), req_col(st, 2), NULL);
	int to = end_node(g, req_col(st, 1), req_col(st, 3), req_col(st, 4));
	int e = from < 0 || to < 0 ? -1 : edge_get(g, from, to);
	struct gitem *it;

	if (e < 0 || grow(&g->item, &g->capitems, g->nitems, sizeof(*g->item)) < 0) {
		g->nomem |= e >= 0;
		return;
	}
	it = &g->item[g->nitems++];
	it->edge = e;
	snprintf(it->app, sizeof(it->app), "%s", req_col(st, 5));
	snprintf(it->proto, sizeof(it->proto), "%s", req_col(st, 6));
	it->port = sqlite3_column_int(st, 7);
	it->verdict = verdict_rank(req_col(st, 8));
	it->sessions = (uint64_t)sqlite3_column_int64(st, 9);
	it->bytes = (uint64_t)sqlite3_column_int64(st, 10);
	g->edge[e].sessions += it->sessions;
	g->edge[e].bytes += it->bytes;
	if (it->verdict > g->edge[e].verdict)
		g->edge[e].verdict = it->verdict;
}

/*
 * The conversations, [0] of groups (no workload columns: '' stands in for
 * them) and [1] of workloads; [.][1] since a time, by the last_seen
 * index; [.][0] all, in the table's order (a walk of the index would read
 * the table in random order, ten times slower).
 */
#define CONV_COLS "from_group, to_group, fqdn, app, proto, port, verdict, sessions, bytes"
static const char *const conv_sql[2][2] = {
	{ "SELECT '', '', " CONV_COLS " FROM conversations WHERE +last_seen >= ?1",
	  "SELECT '', '', " CONV_COLS " FROM conversations WHERE last_seen >= ?1" },
	{ "SELECT from_workload, to_workload, " CONV_COLS " FROM workload_conversations "
	  "WHERE +last_seen >= ?1",
	  "SELECT from_workload, to_workload, " CONV_COLS " FROM workload_conversations "
	  "WHERE last_seen >= ?1" },
};

static int
load_convs(struct graph *g, sqlite3 *db, int64_t since_s)
{
	sqlite3_stmt *st;
	uint64_t n = 0;
	int rc;

	if (sqlite3_prepare_v2(db, conv_sql[g->workloads][since_s > 0], -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, since_s);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !g->nomem)
		if (n++ < GRAPH_MAX_ROWS)
			conv_row(g, st);
	g->rows_left = n > GRAPH_MAX_ROWS ? n - GRAPH_MAX_ROWS : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/*
 * The security events of the window, each added up on its edge here:
 * twice as fast as SQLite's GROUP BY, which sorts them first (measured on
 * 230000 events of a day).  No workload without --workloads.
 */
static const char events_sql[] =
    "SELECT CASE WHEN ?2 THEN src_workload END, CASE WHEN ?2 THEN dst_workload END, "
    "src_group, dst_group, fqdn, level, count FROM events INDEXED BY events_time "
    "WHERE time >= ?1 AND type IN ('violation', 'threat', 'dlp', 'waf')";

static void
event_row(struct graph *g, sqlite3_stmt *st)
{
	const char *sg = (const char *)sqlite3_column_text(st, 2);
	const char *dg = (const char *)sqlite3_column_text(st, 3);
	int level = (int)event_level_of(req_col(st, 5)), e;
	int from = sg ? end_node(g, req_col(st, 0), sg, NULL) : -1;
	int to = dg ? end_node(g, req_col(st, 1), dg, req_col(st, 4)) : -1;

	if (from >= 0 && g->node[from].level < level)
		g->node[from].level = level;
	if (to >= 0 && g->node[to].level < level)
		g->node[to].level = level;
	if (from < 0 || to < 0 || (e = edge_get(g, from, to)) < 0)
		return;
	if (g->edge[e].level < level)
		g->edge[e].level = level;
	g->edge[e].events += (uint64_t)sqlite3_column_int64(st, 6);
}

static int
load_events(struct graph *g, sqlite3 *db, int64_t since_ms)
{
	char since[EVENT_TIME_LEN];
	sqlite3_stmt *st;
	int rc;

	event_time_format(since_ms, since, sizeof(since));
	if (sqlite3_prepare_v2(db, events_sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, since, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, g->workloads);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !g->nomem)
		event_row(g, st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* The groups' modes (group nodes are coloured by them). */
static int
load_modes(struct graph *g, sqlite3 *db, char *err, size_t errlen)
{
	struct store_group *sg;
	int n;

	if (store_group_list(db, &sg, &n, err, errlen) < 0)
		return -1;
	for (int i = 0; i < n && !g->nomem; i++)
		g->nomem = strmap_put(&g->modes, sg[i].g.name, (int)sg[i].g.mode) < 0;
	free(sg);
	return 0;
}

/*
 * The running workloads: nodes even without a conversation, and what the
 * conversations' nodes are (a workload's mode; the compose project a
 * learned group is of).  With --group, the nodes in it into g->only.
 */
static void
live_nodes(struct graph *g, const char *only)
{
	int gi = only ? policy_group_find(g->p, only) : -1;
	char key[KEY_MAX], learned[POLICY_NAME_MAX];

	if (only)
		snprintf(key, sizeof(key), "g:%s", only);
	if (only && strmap_put(&g->only, key, 1) < 0)
		g->nomem = 1;
	for (int i = 0; i < policy_nworkloads(g->p) && !g->nomem; i++) {
		const struct policy_workload *w = policy_workload_at(g->p, i);
		int grp[64], ng = policy_workload_groups(g->p, i, grp, 64), in = gi < 0, n;
		enum policy_mode m = MODE_DISCOVER;

		for (int k = 0; k < ng; k++) {
			in |= grp[k] == gi;
			if (policy_group_mode_at(g->p, grp[k]) > m)
				m = policy_group_mode_at(g->p, grp[k]);
		}
		if (only && !in)
			continue;
		policy_learned_group(w, learned, sizeof(learned));
		n = end_node(g, w->name, learned, NULL);
		if (n < 0)
			continue;
		if (g->node[n].kind == NODE_WORKLOAD)
			g->node[n].mode = (int)m;
		else if (w->project[0])
			snprintf(g->node[n].cluster, sizeof(g->node[n].cluster), "%s", w->project);
		if (only && strmap_put(&g->only, g->node[n].key, 1) < 0)
			g->nomem = 1;
	}
}

/* --- choosing what is shown ------------------------------------------------ */

/* Events first, by their worst level, then verdicts, sessions, bytes. */
static int
edge_cmp(const void *a, const void *b, void *ctx)
{
	const struct graph *g = ctx;
	const struct gedge *x = &g->edge[*(const int *)a], *y = &g->edge[*(const int *)b];
	int c;

	if (x->level != y->level)
		return y->level - x->level;
	if (x->verdict != y->verdict)
		return y->verdict - x->verdict;
	if (x->sessions != y->sessions)
		return x->sessions < y->sessions ? 1 : -1;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if ((c = strcmp(g->node[x->from].key, g->node[y->from].key)))
		return c;
	return strcmp(g->node[x->to].key, g->node[y->to].key);
}

/* An edge's items together, most sessions first. */
static int
item_cmp(const void *a, const void *b)
{
	const struct gitem *x = a, *y = b;

	if (x->edge != y->edge)
		return x->edge - y->edge;
	if (x->sessions != y->sessions)
		return x->sessions < y->sessions ? 1 : -1;
	if (x->port != y->port)
		return x->port - y->port;
	return strcmp(x->app, y->app);
}

/* Nodes by cluster, then name. */
static int
node_cmp(const void *a, const void *b, void *ctx)
{
	const struct graph *g = ctx;
	const struct gnode *x = &g->node[*(const int *)a], *y = &g->node[*(const int *)b];
	int c = strcmp(x->cluster, y->cluster);

	return c ? c : strcmp(x->key, y->key);
}

static int
in_only(const struct graph *g, int node)
{
	return g->only.n == 0 || strmap_get(&g->only, g->node[node].key) >= 0;
}

/*
 * The edges shown, in order, into *shown (*n of them, at most max), and
 * the nodes shown marked; returns how many edges were left out.
 */
static int
choose(struct graph *g, int max, int **shown, int *n)
{
	int *order = calloc((size_t)g->nedges + 1, sizeof(*order)), m = 0;

	*shown = order;
	*n = 0;
	if (order == NULL)
		return -1;
	for (int i = 0; i < g->nedges; i++)
		if (in_only(g, g->edge[i].from) || in_only(g, g->edge[i].to))
			order[m++] = i;
	qsort_r(order, (size_t)m, sizeof(*order), edge_cmp, g);
	if (g->nitems)
		qsort(g->item, (size_t)g->nitems, sizeof(*g->item), item_cmp);
	for (int i = g->nitems - 1; i >= 0; i--) {
		g->edge[g->item[i].edge].first = i;
		g->edge[g->item[i].edge].nitems++;
	}
	*n = max > 0 && m > max ? max : m;
	for (int i = 0; i < *n; i++)
		g->node[g->edge[order[i]].from].shown = g->node[g->edge[order[i]].to].shown = 1;
	for (int i = 0; i < g->nnodes; i++)
		g->node[i].shown |= g->only.n ? strmap_get(&g->only, g->node[i].key) >= 0 :
		    g->node[i].kind == NODE_WORKLOAD || g->node[i].kind == NODE_GROUP;
	return m - *n;
}

/* --- writing ---------------------------------------------------------------- */

/* "3.4 MB" */
static void
human_bytes(uint64_t b, char *out, size_t size)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)b;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(out, size, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

/* s as a DOT string: quoted, '"' and '\' escaped, newlines as \n. */
static void
dot_str(struct buf *o, const char *s)
{
	buf_puts(o, "\"");
	for (; *s; s++) {
		if (*s == '\n')
			buf_puts(o, "\\n");
		else if (*s == '"' || *s == '\\')
			buf_printf(o, "\\%c", *s);
		else if ((unsigned char)*s >= 0x20)
			buf_append(o, s, 1);
	}
	buf_puts(o, "\"");
}

static const char *const level_colors[] = { "#bcbd22", "#ff7f0e", "#d62728" };
static const char *const mode_fills[] = { "white", "#fdf2c4", "#c6dbef" };

static void
dot_node(struct buf *o, const struct gnode *n, int id)
{
	buf_printf(o, "  n%d [label=", id);
	dot_str(o, n->key + 2);
	if (n->kind == NODE_NAME || n->kind == NODE_EXTERNAL || n->kind == NODE_HOST)
		buf_printf(o, ", shape=%s, fillcolor=\"#eeeeee\"", n->kind == NODE_HOST ?
		    "house" : "ellipse");
	else
		buf_printf(o, ", fillcolor=\"%s\"", n->mode >= 0 ? mode_fills[n->mode] : "white");
	if (n->level >= 0)
		buf_printf(o, ", color=\"%s\", penwidth=2", level_colors[n->level]);
	buf_puts(o, "];\n");
}

/* "HTTP tcp/80: 12 sessions, 3.4 MB", one line per item, GRAPH_LABEL_ITEMS at most. */
static void
edge_label(const struct graph *g, const struct gedge *e, struct buf *l)
{
	char bytes[32];

	for (int i = 0; i < e->nitems && i < GRAPH_LABEL_ITEMS; i++) {
		const struct gitem *it = &g->item[e->first + i];

		human_bytes(it->bytes, bytes, sizeof(bytes));
		buf_printf(l, "%s%s %s", i ? "\n" : "", it->app, it->proto);
		if (it->port)
			buf_printf(l, "/%d", it->port);
		buf_printf(l, ": %llu, %s%s", (unsigned long long)it->sessions, bytes,
		    it->verdict == CONV_DENY ? ", denied" : it->verdict == CONV_ALERT ?
		    ", alerted" : "");
	}
	if (e->nitems > GRAPH_LABEL_ITEMS)
		buf_printf(l, "\n+%d more", e->nitems - GRAPH_LABEL_ITEMS);
	if (e->events)
		buf_printf(l, "%s%llu %s event%s", l->len ? "\n" : "",
		    (unsigned long long)e->events, event_level_name(e->level), e->events == 1 ?
		    "" : "s");
}

static void
dot_edge(struct buf *o, const struct graph *g, const struct gedge *e, const int *ids)
{
	const char *color = e->level >= 0 ? level_colors[e->level] :
	    e->verdict == CONV_DENY ? level_colors[EV_CRITICAL] :
	    e->verdict == CONV_ALERT ? level_colors[EV_WARNING] : "gray40";
	int width = 1;
	struct buf l;

	for (uint64_t s = e->sessions; s >= 10 && width < 4; s /= 100)
		width++;
	buf_init(&l);
	edge_label(g, e, &l);
	buf_printf(o, "  n%d -> n%d [label=", ids[e->from], ids[e->to]);
	dot_str(o, l.data ? l.data : "");
	buf_printf(o, ", color=\"%s\", penwidth=%d%s];\n", color, width,
	    e->level < 0 && e->verdict != CONV_ALLOW ? ", style=dashed" : "");
	buf_free(&l);
}

static void
write_dot(struct buf *o, const struct graph *g, const int *order, int n, int left)
{
	int *nodes = calloc((size_t)g->nnodes + 1, sizeof(*nodes));
	int *ids = calloc((size_t)g->nnodes + 1, sizeof(*ids)), nn = 0, c = 0;
	const char *cluster = "";

	if (nodes == NULL || ids == NULL) {
		free(nodes);
		free(ids);
		o->failed = 1;	/* the control server answers "out of memory" */
		return;
	}
	for (int i = 0; i < g->nnodes; i++)
		if (g->node[i].shown)
			nodes[nn++] = i;
	qsort_r(nodes, (size_t)nn, sizeof(*nodes), node_cmp, (void *)g);
	buf_printf(o, "digraph nvd {\n  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, "
	    "labelloc=t, newrank=true, ranksep=1.0, nodesep=0.15, label=\"nvd conversations: "
	    "%d nodes, %d edges", nn, n);
	if (left)
		buf_printf(o, " (%d more left out, fewest sessions)", left);
	if (g->rows_left)
		buf_printf(o, " (%llu conversations past the first %d read left out)",
		    (unsigned long long)g->rows_left, GRAPH_MAX_ROWS);
	buf_puts(o, "\\nedges: red critical, orange warning, olive info events; dashed: denied "
	    "or alerted; nodes: blue protect, yellow monitor, white discover\"];\n"
	    "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n"
	    "  edge [fontname=\"Helvetica\", fontsize=8, arrowsize=0.6];\n");
	for (int i = 0; i < nn; i++) {
		const struct gnode *nd = &g->node[nodes[i]];

		if (strcmp(nd->cluster, cluster)) {
			buf_puts(o, cluster[0] ? "  }\n" : "");
			cluster = nd->cluster;
			if (cluster[0]) {
				buf_printf(o, "  subgraph cluster_%d {\n  label=", c++);
				dot_str(o, cluster);
				buf_puts(o, "; style=\"rounded\"; color=\"gray60\";\n");
			}
		}
		ids[nodes[i]] = i;
		dot_node(o, nd, i);
	}
	buf_puts(o, cluster[0] ? "  }\n" : "");
	for (int i = 0; i < n; i++)
		dot_edge(o, g, &g->edge[order[i]], ids);
	buf_puts(o, "}\n");
	free(nodes);
	free(ids);
}

static void
json_node(struct buf *o, const struct gnode *n)
{
	buf_puts(o, "{\"id\":");
	buf_json_str(o, n->key);
	buf_printf(o, ",\"kind\":\"%s\",\"name\":", kind_names[n->kind]);
	buf_json_str(o, n->key + 2);
	buf_puts(o, ",\"cluster\":");
	buf_json_str(o, n->cluster[0] ? n->cluster : NULL);
	buf_puts(o, ",\"mode\":");
	buf_json_str(o, n->mode >= 0 ? policy_mode_name((enum policy_mode)n->mode) : NULL);
	buf_puts(o, ",\"level\":");
	buf_json_str(o, n->level >= 0 ? event_level_name((enum event_level)n->level) : NULL);
	buf_puts(o, "}");
}

static void
json_edge(struct buf *o, const struct graph *g, const struct gedge *e)
{
	const struct gnode *f = &g->node[e->from], *t = &g->node[e->to];

	buf_puts(o, "{\"from\":");
	buf_json_str(o, f->key);
	buf_puts(o, ",\"to\":");
	buf_json_str(o, t->key);
	buf_printf(o, ",\"sessions\":%llu,\"bytes\":%llu,\"verdict\":\"%s\",\"events\":%llu,"
	    "\"level\":", (unsigned long long)e->sessions, (unsigned long long)e->bytes,
	    conv_verdict_name((enum conv_verdict)e->verdict), (unsigned long long)e->events);
	buf_json_str(o, e->level >= 0 ? event_level_name((enum event_level)e->level) : NULL);
	buf_puts(o, ",\"conversations\":[");
	for (int i = 0; i < e->nitems; i++) {
		const struct gitem *it = &g->item[e->first + i];

		buf_puts(o, i ? ",{\"application\":" : "{\"application\":");
		buf_json_str(o, it->app);
		buf_puts(o, ",\"proto\":");
		buf_json_str(o, it->proto);
		buf_printf(o, ",\"port\":%d,\"sessions\":%llu,\"bytes\":%llu,\"verdict\":\"%s\"}",
		    it->port, (unsigned long long)it->sessions, (unsigned long long)it->bytes,
		    conv_verdict_name((enum conv_verdict)it->verdict));
	}
	buf_puts(o, "]}");
}

static void
write_json(struct buf *o, const struct graph *g, const int *order, int n, int left)
{
	int k = 0;

	buf_printf(o, "{\"nodes_are\":\"%s\",\"nodes\":[", g->workloads ? "workloads" : "groups");
	for (int i = 0; i < g->nnodes; i++) {
		if (!g->node[i].shown)
			continue;
		buf_puts(o, k++ ? "," : "");
		json_node(o, &g->node[i]);
	}
	buf_puts(o, "],\"edges\":[");
	for (int i = 0; i < n; i++) {
		buf_puts(o, i ? "," : "");
		json_edge(o, g, &g->edge[order[i]]);
	}
	buf_printf(o, "],\"edges_left_out\":%d,\"conversations_left_out\":%llu}\n", left,
	    (unsigned long long)g->rows_left);
}

/* --- the request ------------------------------------------------------------ */

struct graph_opts {
	const char *format, *group, *since, *max;
	int workloads;
};

static void
graph_free(struct graph *g)
{
	free(g->node);
	free(g->edge);
	free(g->item);
	strmap_free(&g->nodes);
	strmap_free(&g->edges);
	strmap_free(&g->modes);
	strmap_free(&g->only);
}

/* Reads what the graph shows; CTL_RESP_OK or an error in o. */
static int
graph_load(struct daemon *d, struct graph *g, const struct graph_opts *go, int64_t since_ms,
    struct buf *o)
{
	struct dbread rd;
	char err[512];
	int rc;

	dbread_start(d->db, &rd, DBREAD_MS);
	if (load_modes(g, d->db, err, sizeof(err)) < 0) {
		dbread_stop(d->db);
		return req_error(o, CTL_RESP_ERROR, "%s", err);
	}
	live_nodes(g, go->group);
	rc = load_convs(g, d->db, go->since ? since_ms / 1000 : 0);
	if (rc == 0)
		rc = load_events(g, d->db, go->since ? since_ms :
		    clock_real_ms() - GRAPH_EVENTS_S * 1000LL);
	dbread_stop(d->db);
	if (rd.expired)
		return req_error(o, CTL_RESP_ERROR, "the database took longer than %d ms to read; "
		    "narrow the graph with --since", DBREAD_MS);
	if (rc < 0)
		return req_error(o, CTL_RESP_ERROR, "reading conversations: %s",
		    sqlite3_errmsg(d->db));
	return g->nomem ? req_error(o, CTL_RESP_ERROR, "out of memory") : CTL_RESP_OK;
}

static int
graph_opts_check(struct daemon *d, const struct graph_opts *go, int64_t *since_ms,
    long long *max, struct buf *o)
{
	char err[256];

	if (go->format && strcmp(go->format, "dot") && strcmp(go->format, "json")) {
		if (!strcmp(go->format, "svg"))
			return req_error(o, CTL_RESP_USAGE, "--format svg is drawn by nvctl with "
			    "Graphviz's dot; ask nvd for --format dot");
		return req_error(o, CTL_RESP_USAGE, "bad --format '%.32s' (expected dot, svg or "
		    "json)", go->format);
	}
	if (go->since && event_since_parse(go->since, clock_real_ms(), since_ms, err,
	    sizeof(err)) < 0)
		return req_error(o, CTL_RESP_USAGE, "--since: %s", err);
	*max = GRAPH_MAX_EDGES;
	if (go->max && req_limit(go->max, max) < 0)
		return req_error(o, CTL_RESP_USAGE, "bad --max-edges '%.32s' (0 means no limit)",
		    go->max);
	if (go->group && policy_group_find(live_current(&d->live), go->group) < 0)
		return req_error(o, CTL_RESP_NOTFOUND, "group '%.128s' does not exist", go->group);
	return CTL_RESP_OK;
}

static int
cmd_graph(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	struct graph_opts go;
	const struct req_opt opts[] = {
		{ .name = "format", .max = 1, .val = &go.format },
		{ .name = "workloads", .kind = REQ_FLAG, .max = 1, .n = &go.workloads },
		{ .name = "group", .max = 1, .val = &go.group },
		{ .name = "since", .max = 1, .val = &go.since },
		{ .name = "max-edges", .max = 1, .val = &go.max },
		{ .name = NULL },
	};
	struct graph g;
	int64_t since_ms = 0;
	long long max;
	int *order, n, left, rc;

	memset(&go, 0, sizeof(go));
	if (req_parse(argc, argv, opts, NULL, 0, 0) < 0)
		return req_usage(o, GRAPH_USAGE);
	if ((rc = graph_opts_check(d, &go, &since_ms, &max, o)) != CTL_RESP_OK)
		return rc;
	memset(&g, 0, sizeof(g));
	g.workloads = go.workloads;
	g.p = live_current(&d->live);
	if ((rc = graph_load(d, &g, &go, since_ms, o)) == CTL_RESP_OK) {
		if ((left = choose(&g, max < 0 ? 0 : (int)max, &order, &n)) < 0)
			rc = req_error(o, CTL_RESP_ERROR, "out of memory");
		else if (json || (go.format && !strcmp(go.format, "json")))
			write_json(o, &g, order, n, left);
		else
			write_dot(o, &g, order, n, left);
		free(order);
	}
	graph_free(&g);
	if (rc == CTL_RESP_OK && o->len > REQ_REPLY_MAX)
		return req_too_big(o, "graph", "--max-edges, --group or --since");
	return rc;
}

const struct handler graph_handlers[] = {
	{ { "graph" }, 0, CTL_MAX_ARGS, GRAPH_USAGE, cmd_graph, REQ_READS },
	{ { NULL }, 0, 0, NULL, NULL, REQ_UNSAID },
};
