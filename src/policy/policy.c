/*
 * policy.c: compiling groups, rules and workloads into a snapshot, and
 * judging a connection against it.
 *
 * Index: every rule gets a rank (user rules by their order, then learned
 * rules by id; lower wins).  A rule's port specs become entries keyed by
 * (from group, to group, protocol, port) for single ports and ICMP, and
 * (from group, to group, PROTO_RANGE) for ranges and "any".  Entries are
 * sorted by key and rank, and one open-addressing hash maps a key to its
 * run.  Judging a connection looks up, for each pair of the client's and
 * the server's groups, the exact key and the range key, and keeps the
 * lowest-ranked rule that matches; the cost depends on how many groups an
 * end is in, not on the number of rules.
 */
#include "config.h"

#include <fnmatch.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "names/dns.h"
#include "policy/policy.h"
#include "sensor/crs.h"

#define PROTO_RANGE	255	/* key of a (from, to) pair's range entries */
#define MAX_END_GROUPS	64	/* groups one end can be in, judged */

struct rule_entry {
	int from, to;
	uint8_t proto;
	uint16_t port;
	uint32_t rank;
	int rule;			/* index in p->rules */
	struct port_range spec;		/* range entries: what the entry covers */
};

struct rule_slot {			/* hash slot: a run of entries with one key */
	int from, to;
	uint8_t proto;
	uint16_t port;
	uint32_t start, count;		/* count 0: empty slot */
};

struct addr_slot {
	int family;
	uint8_t addr[16];
	int workload;			/* -1: empty */
};

struct port_slot {
	int ifindex;
	int workload;			/* -1: empty */
};

struct policy {
	uint64_t gen;
	struct policy_group *groups;
	int ngroups;
	int g_containers, g_host, g_external;
	uint32_t *group_slots;		/* name hash -> group index + 1 */
	uint32_t group_mask;

	struct policy_workload *wl;
	int nwl;
	int *wl_groups;			/* flat lists, learned group first */
	int *wl_groups_off;		/* nwl + 1 offsets */
	struct addr_slot *addr_slots;
	uint32_t addr_mask;
	struct port_slot *port_slots;	/* a workload's interfaces (policy_spoofed()) */
	uint32_t port_mask;
	uint8_t *wl_quarantined;	/* per workload: 1 if quarantined */
	int nquarantined;
	int quarantine_containers;	/* the input quarantines a container */

	int *addr_groups;		/* groups that can hold a non-workload address */
	int naddr_groups;
	struct policy_addr *host;
	int nhost;
	struct policy_net *nets;	/* containers' subnets (policy_container_addr) */
	int nnets;
	enum policy_mode unidentified_mode;
	uint64_t workloads_seq;
	struct policy_resolvers resolvers;

	struct sensor_set *sensors;	/* owned; NULL when none */
	uint64_t *g_sensors;		/* per group: sensors assigned (bits) */
	uint64_t *g_deny;		/* per group: ... of them with action deny */
	char sensor_err[256];		/* why sensors is NULL, if it is */
	uint64_t waf_mask;		/* the sensors of type WAF */
	uint64_t crs_bit;		/* sensor.crs's, 0 if none */
	uint8_t *g_crs_pl;		/* per group: its sensor.crs assignment's */
	uint16_t *g_crs_thr;

	struct threat_set threats;
	/* Per group, threat detectors (bits) it turns on, off, to deny, to
	 * alert; and those whose guarded end is the client. */
	uint32_t *g_thr_on, *g_thr_off, *g_thr_deny, *g_thr_alert;
	uint32_t thr_client;
	uint32_t thr_on, thr_deny;	/* detectors on, and with action deny, by default */

	struct policy_rule *rules;
	int nrules;
	struct rule_entry *entries;
	uint32_t nentries;
	struct rule_slot *slots;
	uint32_t slot_mask;
};

static uint64_t
mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return mix(h);
}

static uint32_t
pow2_above(uint64_t n)
{
	uint32_t c = 16;

	while (c < n * 2)
		c <<= 1;
	return c;
}

/* --- groups ---------------------------------------------------------- */

int
policy_group_find(const struct policy *p, const char *name)
{
	for (uint32_t i = (uint32_t)str_hash(name) & p->group_mask;; i = (i + 1) & p->group_mask) {
		uint32_t v = p->group_slots[i];

		if (v == 0)
			return -1;
		if (!strcmp(p->groups[v - 1].name, name))
			return (int)v - 1;
	}
}

/* Adds a group (copied) unless one has its name; returns its index or -1. */
static int
group_add(struct policy *p, const struct policy_group *g, int cap)
{
	int i = policy_group_find(p, g->name);
	uint32_t s;

	if (i >= 0)
		return i;
	if (p->ngroups == cap)
		return -1;
	p->groups[p->ngroups] = *g;
	for (s = (uint32_t)str_hash(g->name) & p->group_mask; p->group_slots[s];
	    s = (s + 1) & p->group_mask)
		;
	p->group_slots[s] = (uint32_t)++p->ngroups;
	return p->ngroups - 1;
}

static int
builtin_add(struct policy *p, const char *name, enum policy_mode mode, int cap)
{
	struct policy_group g;

	memset(&g, 0, sizeof(g));
	strcpy(g.name, name);
	g.kind = GROUP_BUILTIN;
	g.mode = mode;
	return group_add(p, &g, cap);
}

/* Address a is in the subnet net/prefix (net's host bits cleared). */
static int
prefix_has(int nfamily, const uint8_t *net, int prefix, int family, const uint8_t *a)
{
	int full = prefix / 8, rest = prefix % 8;

	if (nfamily != family)
		return 0;
	if (memcmp(net, a, (size_t)full))
		return 0;
	return rest == 0 || ((a[full] & (uint8_t)(0xff << (8 - rest))) == net[full]);
}

static int
addr_in(const struct criterion *c, int family, const uint8_t *a)
{
	return prefix_has(c->family, c->addr, c->prefix, family, a);
}

static int
label_match(const struct policy_workload *w, const struct criterion *c)
{
	for (int i = 0; i < w->nlabels; i++)
		if (!strcmp(w->labels[i].key, c->key) && fnmatch(c->value, w->labels[i].value, 0) == 0)
			return 1;
	return 0;
}

static int
workload_addr_in(const struct policy_workload *w, const struct criterion *c)
{
	for (int i = 0; i < w->naddrs; i++)
		if (addr_in(c, w->addrs[i].family, w->addrs[i].addr))
			return 1;
	return 0;
}

/* Every criterion of a user group holds for workload w. */
static int
group_has_workload(const struct policy_group *g, const struct policy_workload *w)
{
	if (g->kind != GROUP_USER || g->ncrit == 0)
		return 0;
	for (int i = 0; i < g->ncrit; i++) {
		const struct criterion *c = &g->crit[i];
		int ok = 0;

		switch (c->kind) {
		case CRIT_NAME:
			ok = fnmatch(c->value, w->name, 0) == 0;
			break;
		case CRIT_IMAGE:
			ok = fnmatch(c->value, w->image, 0) == 0;
			break;
		case CRIT_LABEL:
			ok = label_match(w, c);
			break;
		case CRIT_ADDR_NET:
			ok = workload_addr_in(w, c);
			break;
		case CRIT_ADDR_FQDN:	/* names are bound by the DNS stage */
			ok = 0;
			break;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

/* A user group made of address criteria only can hold plain addresses. */
static int
is_address_group(const struct policy_group *g)
{
	if (g->kind != GROUP_USER || g->ncrit == 0)
		return 0;
	for (int i = 0; i < g->ncrit; i++)
		if (g->crit[i].kind != CRIT_ADDR_NET && g->crit[i].kind != CRIT_ADDR_FQDN)
			return 0;
	return 1;
}

/*
 * Every criterion of address group g holds for address a, known by names
 * (c->names): an address criterion by the address, an FQDN one by a name.
 * Sets *name to the index of the name that matched, if one did.
 */
static int
group_has_addr(const struct policy_group *g, int family, const uint8_t *a,
    const struct policy_conn *c, int *name)
{
	for (int i = 0; i < g->ncrit; i++) {
		const struct criterion *cr = &g->crit[i];
		int j = 0;

		if (cr->kind == CRIT_ADDR_NET) {
			if ((c && c->by_name) || !addr_in(cr, family, a))
				return 0;
			continue;
		}
		for (j = 0; c && j < c->nnames; j++)
			if (dns_name_match(cr->value, c->names[j]))
				break;
		if (c == NULL || j == c->nnames)
			return 0;
		*name = j;
	}
	return 1;
}

/* --- workloads ------------------------------------------------------- */

static uint32_t
addr_hash(int family, const uint8_t *a)
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	return (uint32_t)mix(x ^ mix(y ^ (uint64_t)family));
}

static void
addr_insert(struct policy *p, int family, const uint8_t *addr, int wl)
{
	uint8_t a[16] = { 0 };

	memcpy(a, addr, family == AF_INET ? 4 : 16);
	for (uint32_t i = addr_hash(family, a) & p->addr_mask;; i = (i + 1) & p->addr_mask) {
		struct addr_slot *s = &p->addr_slots[i];

		if (s->workload >= 0 && s->family == family && !memcmp(s->addr, a, 16))
			return;		/* two workloads, one address: the first keeps it */
		if (s->workload < 0) {
			s->family = family;
			memcpy(s->addr, a, 16);
			s->workload = wl;
			return;
		}
	}
}

static int
addr_lookup(const struct policy *p, int family, const uint8_t *addr)
{
	uint8_t a[16] = { 0 };

	memcpy(a, addr, family == AF_INET ? 4 : 16);
	for (uint32_t i = addr_hash(family, a) & p->addr_mask;; i = (i + 1) & p->addr_mask) {
		const struct addr_slot *s = &p->addr_slots[i];

		if (s->workload < 0)
			return -1;
		if (s->family == family && !memcmp(s->addr, a, 16))
			return s->workload;
	}
}

static void
port_insert(struct policy *p, int ifindex, int wl)
{
	for (uint32_t i = (uint32_t)mix((uint64_t)(uint32_t)ifindex) & p->port_mask;;
	    i = (i + 1) & p->port_mask) {
		struct port_slot *s = &p->port_slots[i];

		if (s->workload >= 0 && s->ifindex == ifindex)
			return;		/* two workloads, one interface: the first keeps it */
		if (s->workload < 0) {
			s->ifindex = ifindex;
			s->workload = wl;
			return;
		}
	}
}

static int
port_lookup(const struct policy *p, int ifindex)
{
	for (uint32_t i = (uint32_t)mix((uint64_t)(uint32_t)ifindex) & p->port_mask;;
	    i = (i + 1) & p->port_mask) {
		const struct port_slot *s = &p->port_slots[i];

		if (s->workload < 0)
			return -1;
		if (s->ifindex == ifindex)
			return s->workload;
	}
}

/* Room for n more memberships in p->wl_groups. */
static int
wl_groups_reserve(struct policy *p, int *cap, int total, int n)
{
	int *g;

	if (total + n <= *cap)
		return 0;
	*cap = (total + n) * 2;
	if ((g = realloc(p->wl_groups, (size_t)*cap * sizeof(int))) == NULL)
		return -1;
	p->wl_groups = g;
	return 0;
}

static int
compile_workloads(struct policy *p, const struct policy_input *in, int gcap)
{
	int total = 0, cap = 1;

	p->wl = calloc((size_t)in->nworkloads + 1, sizeof(*p->wl));
	p->wl_groups_off = calloc((size_t)in->nworkloads + 1, sizeof(int));
	p->wl_groups = malloc(sizeof(int));
	p->addr_mask = pow2_above((uint64_t)in->nworkloads * POLICY_MAX_ADDRS / 4 + 8) - 1;
	p->addr_slots = malloc(((size_t)p->addr_mask + 1) * sizeof(*p->addr_slots));
	p->port_mask = p->addr_mask;
	p->port_slots = malloc(((size_t)p->port_mask + 1) * sizeof(*p->port_slots));
	if (!p->wl || !p->wl_groups_off || !p->wl_groups || !p->addr_slots || !p->port_slots)
		return -1;
	for (uint32_t i = 0; i <= p->addr_mask; i++)
		p->addr_slots[i].workload = -1;
	for (uint32_t i = 0; i <= p->port_mask; i++)
		p->port_slots[i].workload = -1;
	for (int w = 0; w < in->nworkloads; w++) {
		const struct policy_workload *src = &in->workloads[w];
		struct policy_group lg;
		int ngroups_before = p->ngroups, lgi;

		if (policy_workload_copy(&p->wl[w], src) < 0)
			return -1;
		p->nwl = w + 1;
		memset(&lg, 0, sizeof(lg));
		policy_learned_group(src, lg.name, sizeof(lg.name));
		lg.kind = GROUP_LEARNED;
		lg.mode = in->default_mode;
		if ((lgi = group_add(p, &lg, gcap)) < 0)
			return -1;
		if (wl_groups_reserve(p, &cap, total, ngroups_before + 2) < 0)
			return -1;
		p->wl_groups_off[w] = total;
		p->wl_groups[total++] = lgi;
		p->wl_groups[total++] = p->g_containers;
		for (int g = 0; g < ngroups_before; g++)
			if (group_has_workload(&p->groups[g], src))
				p->wl_groups[total++] = g;
		for (int a = 0; a < src->naddrs; a++) {
			addr_insert(p, src->addrs[a].family, src->addrs[a].addr, w);
			if (src->addrs[a].ifindex > 0)
				port_insert(p, src->addrs[a].ifindex, w);
		}
	}
	p->wl_groups_off[p->nwl] = total;
	return 0;
}

/* Flags the workloads the input quarantines, by id or name. */
static int
compile_quarantine(struct policy *p, const struct policy_input *in)
{
	if ((p->wl_quarantined = calloc((size_t)p->nwl + 1, 1)) == NULL)
		return -1;
	for (int q = 0; q < in->nquarantine; q++) {
		const struct policy_quarantine *pq = &in->quarantine[q];

		if (strncmp(pq->id, "static:", 7) != 0)
			p->quarantine_containers = 1;
		for (int w = 0; w < p->nwl; w++)
			if (!p->wl_quarantined[w] && (!strcmp(p->wl[w].id, pq->id) ||
			    !strcmp(p->wl[w].name, pq->name))) {
				p->wl_quarantined[w] = 1;
				p->nquarantined++;
			}
	}
	return 0;
}

/* --- rules ----------------------------------------------------------- */

static int
entry_cmp(const void *a, const void *b)
{
	const struct rule_entry *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static uint32_t
key_hash(int from, int to, uint8_t proto, uint16_t port)
{
	return (uint32_t)mix(((uint64_t)(uint32_t)from << 32 | (uint32_t)to) ^
	    mix((uint64_t)proto << 16 | port));
}

/* User rules by order (stable by id), then learned rules by id. */
static int
rank_cmp(const void *a, const void *b)
{
	const struct policy_rule *x = a, *y = b;

	if (x->type != y->type)
		return x->type == RULE_USER ? -1 : 1;
	if (x->type == RULE_USER && x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
compile_rules(struct policy *p, const struct policy_input *in)
{
	uint32_t n = 0;

	p->rules = calloc((size_t)in->nrules + 1, sizeof(*p->rules));
	p->entries = calloc((size_t)in->nrules * POLICY_MAX_PORTS + 1, sizeof(*p->entries));
	if (!p->rules || !p->entries)
		return -1;
	if (in->nrules)
		memcpy(p->rules, in->rules, (size_t)in->nrules * sizeof(*p->rules));
	p->nrules = in->nrules;
	qsort(p->rules, (size_t)p->nrules, sizeof(*p->rules), rank_cmp);
	for (int r = 0; r < p->nrules; r++) {
		const struct policy_rule *rule = &p->rules[r];
		int from = policy_group_find(p, rule->from), to = policy_group_find(p, rule->to);
		int nports = rule->nports ? rule->nports : 1;
		struct port_range any = { 0, 0, 0 };

		if (from < 0 || to < 0)
			continue;	/* names a group that is gone: never matches */
		for (int i = 0; i < nports && i < POLICY_MAX_PORTS; i++) {
			const struct port_range *s = rule->nports ? &rule->ports[i] : &any;
			struct rule_entry *e = &p->entries[n++];

			e->from = from;
			e->to = to;
			e->rank = (uint32_t)r;
			e->rule = r;
			e->spec = *s;
			if (s->proto == IPPROTO_ICMP || (s->proto && s->lo == s->hi)) {
				e->proto = s->proto;
				e->port = s->proto == IPPROTO_ICMP ? 0 : s->lo;
			} else
				e->proto = PROTO_RANGE;
		}
	}
	p->nentries = n;
	qsort(p->entries, n, sizeof(*p->entries), entry_cmp);
	p->slot_mask = pow2_above(n + 1) - 1;
	p->slots = calloc((size_t)p->slot_mask + 1, sizeof(*p->slots));
	if (!p->slots)
		return -1;
	for (uint32_t i = 0; i < n;) {
		const struct rule_entry *e = &p->entries[i];
		uint32_t j = i + 1, s;

		while (j < n && p->entries[j].from == e->from && p->entries[j].to == e->to &&
		    p->entries[j].proto == e->proto && p->entries[j].port == e->port)
			j++;
		for (s = key_hash(e->from, e->to, e->proto, e->port) & p->slot_mask;
		    p->slots[s].count; s = (s + 1) & p->slot_mask)
			;
		p->slots[s] = (struct rule_slot){ e->from, e->to, e->proto, e->port, i, j - i };
		i = j;
	}
	return 0;
}

static const struct rule_slot *
slot_find(const struct policy *p, int from, int to, uint8_t proto, uint16_t port)
{
	for (uint32_t s = key_hash(from, to, proto, port) & p->slot_mask;; s = (s + 1) & p->slot_mask) {
		const struct rule_slot *r = &p->slots[s];

		if (r->count == 0)
			return NULL;
		if (r->from == from && r->to == to && r->proto == proto && r->port == port)
			return r;
	}
}

static int names_apps(const struct policy_rule *r);

/* The first entry with key (from, to) or after it (entries are sorted). */
static uint32_t
entries_from(const struct policy *p, int from, int to)
{
	uint32_t lo = 0, hi = p->nentries;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct rule_entry *e = &p->entries[mid];

		if (e->from < from || (e->from == from && e->to < to))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
spec_rank_cmp(const void *a, const void *b)
{
	const struct policy_spec *x = a, *y = b;

	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

int
policy_pair_specs(const struct policy *p, int cw, int sw, struct policy_spec *out, int max)
{
	int n = 0;

	if (cw < 0 || cw >= p->nwl || sw < 0 || sw >= p->nwl)
		return 0;
	for (int i = p->wl_groups_off[cw]; i < p->wl_groups_off[cw + 1]; i++)
		for (int j = p->wl_groups_off[sw]; j < p->wl_groups_off[sw + 1]; j++) {
			int from = p->wl_groups[i], to = p->wl_groups[j];

			for (uint32_t k = entries_from(p, from, to); k < p->nentries &&
			    p->entries[k].from == from && p->entries[k].to == to; k++) {
				const struct rule_entry *e = &p->entries[k];
				const struct policy_rule *r = &p->rules[e->rule];

				if (n == max)
					return -1;
				out[n].spec = e->spec;
				out[n].rank = e->rank;
				out[n].allow_any = r->action == RULE_ALLOW && !names_apps(r);
				out[n++].rule_id = r->id;
			}
		}
	qsort(out, (size_t)n, sizeof(*out), spec_rank_cmp);
	return n;
}

/* --- compile --------------------------------------------------------- */

/*
 * The sensors and, per group, which inspect its members' traffic.  A set
 * that does not build (a stored pattern that no longer compiles: rules are
 * checked when added) leaves the policy without sensors, with the reason
 * in sensor_err.
 */
static int
compile_sensors(struct policy *p, const struct policy_input *in)
{
	if (in->nsensors == 0)
		return 0;
	if (in->sensors_prev != NULL && sensor_set_spec_hash(in->sensors_prev) ==
	    sensor_specs_hash(in->sensors, in->nsensors, 1))
		p->sensors = sensor_set_ref(in->sensors_prev);
	else
		p->sensors = sensor_set_build(in->sensors, in->nsensors, 1, p->sensor_err,
		    sizeof(p->sensor_err));
	p->g_sensors = calloc((size_t)p->ngroups + 1, sizeof(*p->g_sensors));
	p->g_deny = calloc((size_t)p->ngroups + 1, sizeof(*p->g_deny));
	p->g_crs_pl = calloc((size_t)p->ngroups + 1, sizeof(*p->g_crs_pl));
	p->g_crs_thr = calloc((size_t)p->ngroups + 1, sizeof(*p->g_crs_thr));
	if (p->g_sensors == NULL || p->g_deny == NULL || p->g_crs_pl == NULL ||
	    p->g_crs_thr == NULL)
		return -1;
	for (int i = 0; p->sensors && i < in->nassigns; i++) {
		int g = policy_group_find(p, in->assigns[i].group);
		int sn = sensor_set_find(p->sensors, in->assigns[i].sensor);

		if (g < 0 || sn < 0 || sn >= 64)
			continue;
		p->g_sensors[g] |= 1ull << sn;
		if (in->assigns[i].deny)
			p->g_deny[g] |= 1ull << sn;
		if (strcmp(in->assigns[i].sensor, CRS_SENSOR) == 0) {
			int pl = in->assigns[i].paranoia, thr = in->assigns[i].threshold;

			p->crs_bit = 1ull << sn;
			p->g_crs_pl[g] = (uint8_t)(pl >= 1 && pl <= CRS_PARANOIA_MAX ? pl : 1);
			p->g_crs_thr[g] = (uint16_t)(thr >= 1 && thr <= CRS_THRESHOLD_MAX ? thr :
			    CRS_THRESHOLD_DEFAULT);
		}
	}
	for (int i = 0; p->sensors && i < sensor_set_count(p->sensors) && i < 64; i++)
		if (sensor_set_type(p->sensors, i) == SENSOR_WAF)
			p->waf_mask |= 1ull << i;
	return 0;
}

const struct sensor_set *
policy_sensors(const struct policy *p)
{
	return p->sensors;
}

const char *
policy_sensor_error(const struct policy *p)
{
	return p->sensor_err[0] ? p->sensor_err : NULL;
}

int
policy_crs_assigned(const struct policy *p)
{
	return p->crs_bit != 0;
}

int
policy_dns_trusted(const struct policy *p, int family, const uint8_t *addr)
{
	const struct policy_resolvers *r = &p->resolvers;

	if (r->any)
		return 1;
	for (int i = 0; i < r->n; i++)
		if (r->a[i].family == family &&
		    !memcmp(r->a[i].addr, addr, family == AF_INET ? 4 : 16))
			return 1;
	return 0;
}

/* --- threat detectors ------------------------------------------------- */

/* The detectors' settings, and per group what its settings turn on, off,
 * to deny and to alert. */
static int
compile_threats(struct policy *p, const struct policy_input *in)
{
	size_t n = (size_t)p->ngroups + 1;

	if (in->threats)
		p->threats = *in->threats;
	else
		threat_set_default(&p->threats);
	p->g_thr_on = calloc(n, sizeof(uint32_t));
	p->g_thr_off = calloc(n, sizeof(uint32_t));
	p->g_thr_deny = calloc(n, sizeof(uint32_t));
	p->g_thr_alert = calloc(n, sizeof(uint32_t));
	if (!p->g_thr_on || !p->g_thr_off || !p->g_thr_deny || !p->g_thr_alert)
		return -1;
	for (int i = 0; i < THREAT_COUNT; i++) {
		p->thr_client |= threat_defs[i].subject == THREAT_CLIENT ? THREAT_BIT(i) : 0;
		p->thr_on |= p->threats.t[i].enabled ? THREAT_BIT(i) : 0;
		p->thr_deny |= p->threats.t[i].deny ? THREAT_BIT(i) : 0;
	}
	for (int i = 0; i < in->nthreat_groups; i++) {
		const struct policy_threat_group *tg = &in->threat_groups[i];
		int g = policy_group_find(p, tg->group);
		uint32_t bit;

		if (g < 0 || tg->threat < 0 || tg->threat >= THREAT_COUNT)
			continue;
		bit = THREAT_BIT(tg->threat);
		if (tg->enabled >= 0)
			*(tg->enabled ? &p->g_thr_on[g] : &p->g_thr_off[g]) |= bit;
		if (tg->deny >= 0)
			*(tg->deny ? &p->g_thr_deny[g] : &p->g_thr_alert[g]) |= bit;
	}
	return 0;
}

const struct threat_set *
policy_threats(const struct policy *p)
{
	return &p->threats;
}

/* --- containers not known yet --------------------------------------- */

static int
compile_nets(struct policy *p, const struct policy_input *in)
{
	p->nets = calloc((size_t)in->nnets + 1, sizeof(*p->nets));
	if (p->nets == NULL)
		return -1;
	if (in->nnets)
		memcpy(p->nets, in->nets, (size_t)in->nnets * sizeof(*p->nets));
	p->nnets = in->nnets;
	p->workloads_seq = in->workloads_seq;
	p->resolvers = in->resolvers;
	return 0;
}

/* Groups a container could be in by what it is, not by its address. */
static enum policy_mode
unidentified_mode(const struct policy *p, enum policy_mode default_mode)
{
	enum policy_mode m = default_mode;

	for (int i = 0; i < p->ngroups; i++) {
		const struct policy_group *g = &p->groups[i];

		if ((i == p->g_containers || g->kind == GROUP_LEARNED ||
		    (g->kind == GROUP_USER && g->ncrit > 0 && !is_address_group(g))) && g->mode > m)
			m = g->mode;
	}
	return m;
}

/* An IPv4 subnet's network or broadcast address: no container's. */
static int
net_own_addr(const struct policy_net *n, const uint8_t *a)
{
	uint32_t x, mask;

	if (n->family != AF_INET || n->prefix > 30)
		return 0;
	x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	mask = ~0u >> n->prefix;
	return (x & mask) == 0 || (x & mask) == mask;
}

static int is_host(const struct policy *p, int family, const uint8_t *a);

int
policy_container_addr(const struct policy *p, int family, const uint8_t *addr)
{
	int i;

	for (i = 0; i < p->nnets; i++)
		if (prefix_has(p->nets[i].family, p->nets[i].addr, p->nets[i].prefix, family, addr))
			break;
	if (i == p->nnets || net_own_addr(&p->nets[i], addr) || is_host(p, family, addr))
		return 0;
	return addr_lookup(p, family, addr) >= 0 ? 2 : 1;
}

enum policy_mode
policy_unidentified_mode(const struct policy *p)
{
	return p->unidentified_mode;
}

uint64_t
policy_workloads_seq(const struct policy *p)
{
	return p->workloads_seq;
}

struct policy *
policy_compile(const struct policy_input *in)
{
	struct policy *p = calloc(1, sizeof(*p));
	int gcap = in->ngroups + in->nworkloads + 3;

	if (p == NULL)
		return NULL;
	p->groups = calloc((size_t)gcap, sizeof(*p->groups));
	p->group_mask = pow2_above((uint64_t)gcap) - 1;
	p->group_slots = calloc((size_t)p->group_mask + 1, sizeof(*p->group_slots));
	p->addr_groups = calloc((size_t)in->ngroups + 1, sizeof(int));
	p->host = calloc((size_t)in->nhost_addrs + 1, sizeof(*p->host));
	if (!p->groups || !p->group_slots || !p->addr_groups || !p->host)
		goto fail;
	for (int i = 0; i < in->ngroups; i++)
		if (group_add(p, &in->groups[i], gcap) < 0)
			goto fail;
	/* Built-ins exist even if the input lacks them. */
	p->g_containers = builtin_add(p, GROUP_CONTAINERS, MODE_DISCOVER, gcap);
	p->g_host = builtin_add(p, GROUP_HOST, MODE_DISCOVER, gcap);
	p->g_external = builtin_add(p, GROUP_EXTERNAL, MODE_DISCOVER, gcap);
	for (int i = 0; i < p->ngroups; i++)
		if (is_address_group(&p->groups[i]))
			p->addr_groups[p->naddr_groups++] = i;
	if (in->nhost_addrs)
		memcpy(p->host, in->host_addrs, (size_t)in->nhost_addrs * sizeof(*p->host));
	p->nhost = in->nhost_addrs;
	if (compile_workloads(p, in, gcap) < 0 || compile_rules(p, in) < 0 ||
	    compile_sensors(p, in) < 0 || compile_nets(p, in) < 0 ||
	    compile_quarantine(p, in) < 0 ||
	    compile_threats(p, in) < 0)
		goto fail;
	p->unidentified_mode = p->quarantine_containers ? MODE_PROTECT :
	    unidentified_mode(p, in->default_mode);
	return p;
fail:
	policy_free(p);
	return NULL;
}

void
policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->nwl; i++)
		policy_workload_clear(&p->wl[i]);
	free(p->wl);
	free(p->wl_groups);
	free(p->wl_groups_off);
	free(p->addr_slots);
	free(p->port_slots);
	free(p->wl_quarantined);
	free(p->groups);
	free(p->group_slots);
	free(p->addr_groups);
	free(p->host);
	free(p->nets);
	sensor_set_free(p->sensors);
	free(p->g_sensors);
	free(p->g_crs_pl);
	free(p->g_crs_thr);
	free(p->g_deny);
	free(p->g_thr_on);
	free(p->g_thr_off);
	free(p->g_thr_deny);
	free(p->g_thr_alert);
	free(p->rules);
	free(p->entries);
	free(p->slots);
	free(p);
}

int
policy_is_workload(const struct policy *p, int family, const uint8_t *addr)
{
	return addr_lookup(p, family, addr) >= 0;
}

int
policy_workload_by_addr(const struct policy *p, int family, const uint8_t *addr)
{
	return addr_lookup(p, family, addr);
}

/* --- quarantine ------------------------------------------------------ */

int
policy_nquarantined(const struct policy *p)
{
	return p->nquarantined;
}

int
policy_workload_quarantined(const struct policy *p, int wl)
{
	return wl >= 0 && wl < p->nwl && p->wl_quarantined[wl];
}

int
policy_quarantined(const struct policy *p, int family, const uint8_t *addr)
{
	return p->nquarantined && policy_workload_quarantined(p, addr_lookup(p, family, addr));
}

int
policy_quarantined_port(const struct policy *p, int ifindex)
{
	return p->nquarantined && ifindex > 0 &&
	    policy_workload_quarantined(p, port_lookup(p, ifindex));
}

int
policy_quarantine_addrs(const struct policy *p, struct policy_addr *out, int max)
{
	int n = 0;

	for (int w = 0; p->nquarantined && w < p->nwl; w++)
		for (int a = 0; p->wl_quarantined[w] && a < p->wl[w].naddrs; a++) {
			if (n == max)
				return -1;
			out[n++] = p->wl[w].addrs[a];
		}
	return n;
}

int
policy_spoofed(const struct policy *p, int ifindex, int family, const uint8_t *addr, int *wl)
{
	const struct policy_workload *w;

	*wl = ifindex > 0 ? port_lookup(p, ifindex) : -1;
	if (*wl < 0)
		return 0;
	w = &p->wl[*wl];
	for (int i = 0; i < w->naddrs; i++)
		if (w->addrs[i].ifindex == ifindex && w->addrs[i].family == family &&
		    !memcmp(w->addrs[i].addr, addr, family == AF_INET ? 4 : 16))
			return 0;
	return 1;
}

/* --- judge ----------------------------------------------------------- */

struct end_groups {
	int g[MAX_END_GROUPS];
	int n;
};

static int
is_host(const struct policy *p, int family, const uint8_t *a)
{
	for (int i = 0; i < p->nhost; i++)
		if (p->host[i].family == family &&
		    !memcmp(p->host[i].addr, a, family == AF_INET ? 4 : 16))
			return 1;
	return 0;
}

/* Which groups the address is in, its group for events, and its mode. */
/* c: the names of the address (the server end), or NULL (the client's). */
static void
resolve_end(const struct policy *p, int family, const uint8_t *a, const struct policy_conn *c,
    struct policy_end *e, struct end_groups *eg, int *name)
{
	int wl = c && c->by_name ? -1 : addr_lookup(p, family, a);

	eg->n = 0;
	e->workload = wl;
	if (wl >= 0) {
		for (int i = p->wl_groups_off[wl]; i < p->wl_groups_off[wl + 1] && eg->n < MAX_END_GROUPS; i++)
			eg->g[eg->n++] = p->wl_groups[i];
		e->group = eg->g[0];
	} else {
		if (!(c && c->by_name) && is_host(p, family, a))
			eg->g[eg->n++] = p->g_host;
		for (int i = 0; i < p->naddr_groups && eg->n < MAX_END_GROUPS; i++)
			if (group_has_addr(&p->groups[p->addr_groups[i]], family, a, c, name))
				eg->g[eg->n++] = p->addr_groups[i];
		/* In no group: external. */
		if (eg->n == 0)
			eg->g[eg->n++] = p->g_external;
		e->group = eg->g[0];
	}
	e->mode = MODE_DISCOVER;
	for (int i = 0; i < eg->n; i++)
		if (p->groups[eg->g[i]].mode > e->mode)
			e->mode = p->groups[eg->g[i]].mode;
}

static int
apps_match(const struct policy_rule *r, const struct policy_conn *c)
{
	const char *apps = r->apps, *app = c->app, *s;
	size_t n;

	if (apps[0] == '\0' || !strcmp(apps, "any"))
		return 1;
	if (c->app_waived)
		return r->action == RULE_ALLOW;
	if (app == NULL)
		return 0;
	n = strlen(app);
	for (s = apps; *s;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);

		if (len == n && !strncasecmp(s, app, n))
			return 1;
		if (!comma)
			break;
		s = comma + 1;
	}
	return 0;
}

static int
spec_covers(const struct port_range *s, uint8_t proto, uint16_t port)
{
	if (s->proto == 0)
		return 1;
	if (s->proto != proto)
		return 0;
	return proto == IPPROTO_ICMP || (port >= s->lo && port <= s->hi);
}

static int
names_apps(const struct policy_rule *r)
{
	return r->apps[0] != '\0' && strcmp(r->apps, "any") != 0;
}

/*
 * Lowest rank in the run at slot s that matches c, or best.  *passed gets
 * the lowest rank of a deny rule that names applications, passed over
 * because c's application is waived.
 */
static uint32_t
best_in(const struct policy *p, const struct rule_slot *s, const struct policy_conn *c,
    uint8_t proto, uint32_t best, uint32_t *passed)
{
	if (s == NULL)
		return best;
	for (uint32_t i = s->start; i < s->start + s->count; i++) {
		const struct rule_entry *e = &p->entries[i];
		const struct policy_rule *r = &p->rules[e->rule];

		if (e->rank >= best)
			break;		/* the run is sorted by rank */
		if (!spec_covers(&e->spec, proto, c->port))
			continue;
		if (apps_match(r, c))
			return e->rank;
		if (c->app_waived && names_apps(r) && e->rank < *passed)
			*passed = e->rank;
	}
	return best;
}

static int
has_group(const struct end_groups *eg, int g)
{
	for (int i = 0; i < eg->n; i++)
		if (eg->g[i] == g)
			return 1;
	return 0;
}

/* Adds the sensors group g's assignments give, of kinds in mask. */
static void
add_sensors(const struct policy *p, int g, uint64_t mask, struct policy_verdict *v)
{
	uint64_t m = p->g_sensors[g] & mask;

	v->sensors |= m;
	v->sensors_deny_set |= p->g_deny[g] & m;
	if (m & p->crs_bit) {
		if (p->g_crs_pl[g] > v->crs_paranoia)
			v->crs_paranoia = p->g_crs_pl[g];
		if (v->crs_threshold == 0 || p->g_crs_thr[g] < v->crs_threshold)
			v->crs_threshold = p->g_crs_thr[g];
	}
	if (p->groups[g].mode == MODE_PROTECT)
		v->sensors_deny |= p->g_deny[g] & m;
}

/*
 * WAF sensors guard what enters a group's members; DLP sensors what
 * crosses a group's edge either way (not traffic between two members).
 */
static void
judge_sensors(const struct policy *p, const struct end_groups *cg,
    const struct end_groups *sg, struct policy_verdict *v)
{
	if (p->sensors == NULL)
		return;
	for (int j = 0; j < sg->n; j++) {
		add_sensors(p, sg->g[j], p->waf_mask, v);
		if (!has_group(cg, sg->g[j]))
			add_sensors(p, sg->g[j], ~p->waf_mask, v);
	}
	for (int i = 0; i < cg->n; i++)
		if (!has_group(sg, cg->g[i]))
			add_sensors(p, cg->g[i], ~p->waf_mask, v);
}

/*
 * The detectors that run on a connection, each by its guarded end's
 * groups (cg: the client's, sg: the server's): what they set, the
 * strictest winning, or the detector's own setting where none does.
 */
static void
judge_threats(const struct policy *p, const struct end_groups *cg,
    const struct end_groups *sg, int any_protect, struct policy_verdict *v)
{
	uint32_t on[2] = { 0, 0 }, off[2] = { 0, 0 }, dn[2] = { 0, 0 }, al[2] = { 0, 0 };
	uint32_t g_on = p->thr_on, g_deny = p->thr_deny, set_on, set_deny, client = p->thr_client;
	const struct end_groups *eg[2] = { sg, cg };

	for (int e = 0; e < 2; e++)
		for (int i = 0; i < eg[e]->n; i++) {
			int g = eg[e]->g[i];

			on[e] |= p->g_thr_on[g];
			off[e] |= p->g_thr_off[g];
			dn[e] |= p->g_thr_deny[g];
			al[e] |= p->g_thr_alert[g];
		}
	/* Each detector by its subject's end: [0] server, [1] client. */
	set_on = (on[0] | (~(on[0] | off[0]) & g_on)) & ~client;
	set_on |= (on[1] | (~(on[1] | off[1]) & g_on)) & client;
	set_deny = (dn[0] | (~(dn[0] | al[0]) & g_deny)) & ~client;
	set_deny |= (dn[1] | (~(dn[1] | al[1]) & g_deny)) & client;
	v->threats = set_on;
	v->threats_deny_set = set_on & set_deny;
	v->threats_deny = any_protect ? v->threats_deny_set : 0;
}

const char *
policy_outcome_name(enum policy_outcome o)
{
	static const char *const n[] = { "allow", "learn", "alert", "deny" };

	return (unsigned)o < 4 ? n[o] : "?";
}

void
policy_judge(const struct policy *p, const struct policy_conn *c, struct policy_verdict *v)
{
	struct end_groups cg, sg;
	uint8_t proto = c->proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : c->proto;
	uint16_t port = proto == IPPROTO_ICMP ? 0 : c->port;
	uint32_t best = UINT32_MAX, passed = UINT32_MAX;
	int any_protect, any_monitor;

	memset(v, 0, sizeof(*v));
	v->name = -1;
	resolve_end(p, c->family, c->client, NULL, &v->client, &cg, &v->name);
	v->name = -1;	/* a name only for the server end */
	resolve_end(p, c->family, c->server, c, &v->server, &sg, &v->name);
	judge_sensors(p, &cg, &sg, v);
	for (int i = 0; i < cg.n; i++)
		for (int j = 0; j < sg.n; j++) {
			best = best_in(p, slot_find(p, cg.g[i], sg.g[j], proto, port), c, proto,
			    best, &passed);
			best = best_in(p, slot_find(p, cg.g[i], sg.g[j], PROTO_RANGE, 0), c, proto,
			    best, &passed);
		}
	any_protect = v->client.mode == MODE_PROTECT || v->server.mode == MODE_PROTECT;
	any_monitor = v->client.mode == MODE_MONITOR || v->server.mode == MODE_MONITOR;
	judge_threats(p, &cg, &sg, any_protect, v);
	if (best != UINT32_MAX) {
		const struct policy_rule *r = &p->rules[best];

		v->rule_id = r->id;
		v->rule_type = r->type;
		v->app_assumed = c->app_waived && (names_apps(r) || passed < best);
		if (r->action == RULE_ALLOW)
			v->outcome = POL_ALLOW;
		else
			v->outcome = any_protect ? POL_DENY : POL_ALERT;
		return;
	}
	v->app_assumed = passed != UINT32_MAX;
	if (any_protect)
		v->outcome = POL_DENY;
	else if (any_monitor)
		v->outcome = POL_ALERT;
	else
		v->outcome = POL_LEARN;
}

/* --- views ----------------------------------------------------------- */

/* Whether workload w is in a protect-mode group. */
static int
wl_protect(const struct policy *p, int w)
{
	for (int i = p->wl_groups_off[w]; i < p->wl_groups_off[w + 1]; i++)
		if (p->groups[p->wl_groups[i]].mode == MODE_PROTECT)
			return 1;
	return 0;
}

int
policy_protected(const struct policy *p, struct range_list *out, int *all)
{
	int host = p->groups[p->g_host].mode == MODE_PROTECT;

	*all = p->groups[p->g_external].mode == MODE_PROTECT;
	for (int i = 0; i < p->naddr_groups; i++)
		if (p->groups[p->addr_groups[i]].mode == MODE_PROTECT)
			*all = 1;
	/* A container not known yet could be in protect: every address of
	 * the containers' subnets but the known ones that are not, and the
	 * host's (policy_container_addr). */
	if (p->unidentified_mode == MODE_PROTECT) {
		for (int i = 0; i < p->nnets; i++)
			ranges_add_prefix(out, p->nets[i].family, p->nets[i].addr, p->nets[i].prefix);
		for (int w = 0; w < p->nwl; w++)
			for (int a = 0; !wl_protect(p, w) && a < p->wl[w].naddrs; a++)
				ranges_punch(out, p->wl[w].addrs[a].family, p->wl[w].addrs[a].addr);
		for (int h = 0; !host && h < p->nhost; h++)
			ranges_punch(out, p->host[h].family, p->host[h].addr);
		ranges_normalise(out);	/* the holes, before what is added next */
	}
	for (int w = 0; w < p->nwl; w++)
		for (int a = 0; wl_protect(p, w) && a < p->wl[w].naddrs; a++)
			ranges_add(out, p->wl[w].addrs[a].family, p->wl[w].addrs[a].addr,
			    p->wl[w].addrs[a].addr);
	for (int h = 0; host && h < p->nhost; h++)
		ranges_add(out, p->host[h].family, p->host[h].addr, p->host[h].addr);
	ranges_normalise(out);
	return out->oom ? -1 : 0;
}

uint64_t
policy_gen(const struct policy *p)
{
	return p->gen;
}

void
policy_set_gen(struct policy *p, uint64_t gen)
{
	p->gen = gen;
}

const char *
policy_group_name_at(const struct policy *p, int group)
{
	return group >= 0 && group < p->ngroups ? p->groups[group].name : NULL;
}

enum policy_mode
policy_group_mode_at(const struct policy *p, int group)
{
	return group >= 0 && group < p->ngroups ? p->groups[group].mode : MODE_DISCOVER;
}

const struct policy_workload *
policy_workload_at(const struct policy *p, int wl)
{
	return wl >= 0 && wl < p->nwl ? &p->wl[wl] : NULL;
}

int
policy_nworkloads(const struct policy *p)
{
	return p->nwl;
}

int
policy_ngroups(const struct policy *p)
{
	return p->ngroups;
}

int
policy_nrules(const struct policy *p)
{
	return p->nrules;
}

int
policy_workload_groups(const struct policy *p, int wl, int *groups, int max)
{
	int n = 0;

	if (wl < 0 || wl >= p->nwl)
		return 0;
	for (int i = p->wl_groups_off[wl]; i < p->wl_groups_off[wl + 1] && n < max; i++)
		groups[n++] = p->wl_groups[i];
	return n;
}
