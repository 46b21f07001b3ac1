/*
 * kdec.c: a policy snapshot compiled into the kernel's decisions
 * (kdec.h).  Workloads are put in classes by their groups; for each pair
 * of classes, the rules between them are walked in first-match order over
 * the port space of TCP and of UDP, and the ports the first matching rule
 * allows without naming an application become elements.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/kdec.h"

#define MAX_GROUPS	64	/* groups of one workload compared */
#define DNS_PORT	53

/* Threat detectors that never see a TCP or UDP packet. */
#define ICMP_ONLY	(THREAT_BIT(THREAT_ICMP_FLOOD) | THREAT_BIT(THREAT_PING_DEATH) | \
			    THREAT_BIT(THREAT_ICMP_TUNNEL))

struct span {
	uint32_t lo, hi;
};

struct kdec_build {
	const struct policy *p;
	struct kdec_table *t;
	int *rep;		/* per class: a workload of it */
	struct policy_spec *specs;
	struct span *free;	/* ports no spec took yet */
	struct span *next;	/* ... after the spec being walked */
	int nfree;
	int capelems;
};

void
policy_kdec_free(struct kdec_table *t)
{
	free(t->addrs);
	free(t->elems);
	memset(t, 0, sizeof(*t));
}

/* The addresses of workload w the kernel can check: its own (no other
 * workload's first) on a known interface that is w's, as nvd's own
 * anti-spoofing sees it (policy_spoofed(): one workload an interface). */
static int
addr_usable(const struct policy *p, int w, const struct policy_addr *a)
{
	int owner;

	return a->ifindex > 0 && policy_workload_by_addr(p, a->family, a->addr) == w &&
	    !policy_spoofed(p, a->ifindex, a->family, a->addr, &owner) && owner == w;
}

static int
wl_usable(const struct policy *p, int w)
{
	const struct policy_workload *wl = policy_workload_at(p, w);

	if (policy_workload_quarantined(p, w))
		return 0;
	for (int i = 0; i < wl->naddrs; i++)
		if (addr_usable(p, w, &wl->addrs[i]))
			return 1;
	return 0;
}

static int
same_groups(const struct policy *p, int a, int b)
{
	int ga[MAX_GROUPS], gb[MAX_GROUPS];
	int na = policy_workload_groups(p, a, ga, MAX_GROUPS);
	int nb = policy_workload_groups(p, b, gb, MAX_GROUPS);

	return na == nb && !memcmp(ga, gb, (size_t)na * sizeof(int));
}

/* Classes and the addresses of their workloads.  0, -1 (no memory), 1 (over). */
static int
make_classes(struct kdec_build *b)
{
	const struct policy *p = b->p;
	int nwl = policy_nworkloads(p), n = 0, k = 0;

	b->rep = calloc((size_t)nwl + 1, sizeof(int));
	b->t->addrs = calloc((size_t)nwl * POLICY_MAX_ADDRS + 1, sizeof(*b->t->addrs));
	if (b->rep == NULL || b->t->addrs == NULL)
		return -1;
	for (int w = 0; w < nwl; w++) {
		const struct policy_workload *wl = policy_workload_at(p, w);
		int c;

		if (!wl_usable(p, w))
			continue;
		for (c = 0; c < n && !same_groups(p, b->rep[c], w); c++)
			;
		if (c == n) {
			if (n == KDEC_MAX_CLASSES)
				return 1;
			b->rep[n++] = w;
		}
		for (int i = 0; i < wl->naddrs; i++) {
			struct kdec_addr *ka = &b->t->addrs[k];

			if (!addr_usable(p, w, &wl->addrs[i]))
				continue;
			ka->family = wl->addrs[i].family;
			memcpy(ka->addr, wl->addrs[i].addr, sizeof(ka->addr));
			ka->ifindex = wl->addrs[i].ifindex;
			ka->cls = (uint32_t)c + 1;
			k++;
		}
	}
	b->t->classes = n;
	b->t->naddrs = k;
	return 0;
}

/* An address of family fam of workload w, or NULL. */
static const uint8_t *
wl_addr(const struct policy *p, int w, int fam)
{
	const struct policy_workload *wl = policy_workload_at(p, w);

	for (int i = 0; i < wl->naddrs; i++)
		if (wl->addrs[i].family == fam && addr_usable(p, w, &wl->addrs[i]))
			return wl->addrs[i].addr;
	return NULL;
}

/*
 * Whether nvd's judgement of a connection from class a to class b needs
 * nothing but its ports: an end in protect mode, no sensor, no threat
 * detector that reads TCP or UDP.  Judged once, by a pair of addresses of
 * one family (no family in common: they cannot talk).
 */
static int
pair_port_decided(const struct kdec_build *b, int a, int c)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct policy_conn conn;
	struct policy_verdict v;

	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		const uint8_t *ca = wl_addr(b->p, b->rep[a], fams[i]);
		const uint8_t *sa = wl_addr(b->p, b->rep[c], fams[i]);

		if (ca == NULL || sa == NULL)
			continue;
		memset(&conn, 0, sizeof(conn));
		conn.family = fams[i];
		memcpy(conn.client, ca, sizeof(conn.client));
		memcpy(conn.server, sa, sizeof(conn.server));
		conn.proto = IPPROTO_TCP;
		conn.port = 1;
		policy_judge(b->p, &conn, &v);
		return (v.client.mode == MODE_PROTECT || v.server.mode == MODE_PROTECT) &&
		    v.sensors == 0 && (v.threats & ~ICMP_ONLY) == 0;
	}
	return 0;
}

/* An allowed piece of the port space, appended.  0, -1 (no memory), 1
 * (over). */
static int
emit(struct kdec_build *b, uint32_t from, uint32_t to, uint8_t proto, uint32_t lo, uint32_t hi,
    int64_t rule_id)
{
	struct kdec_table *t = b->t;
	struct kdec_elem *e;

	if (t->nelems == KDEC_MAX_ELEMS)
		return 1;
	if (t->nelems == b->capelems) {
		int cap = b->capelems ? b->capelems * 2 : 256;

		if ((e = realloc(t->elems, (size_t)cap * sizeof(*e))) == NULL)
			return -1;
		t->elems = e;
		b->capelems = cap;
	}
	e = &t->elems[t->nelems++];
	e->from = from;
	e->to = to;
	e->proto = proto;
	e->lo = (uint16_t)lo;
	e->hi = (uint16_t)hi;
	e->rule_id = rule_id;
	return 0;
}

static int
elem_lo_cmp(const void *x, const void *y)
{
	const struct kdec_elem *a = x, *b = y;

	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* Joins the adjacent elements of one rule from first on (one pair and
 * protocol): each element counts its rule's hits. */
static void
join(struct kdec_table *t, int first)
{
	int n = first;

	if (t->nelems - first < 2)
		return;
	qsort(t->elems + first, (size_t)(t->nelems - first), sizeof(*t->elems), elem_lo_cmp);
	for (int i = first; i < t->nelems; i++) {
		if (n > first && t->elems[n - 1].hi + 1u == t->elems[i].lo &&
		    t->elems[n - 1].rule_id == t->elems[i].rule_id)
			t->elems[n - 1].hi = t->elems[i].hi;
		else
			t->elems[n++] = t->elems[i];
	}
	t->nelems = n;
}

/*
 * The first-match walk of one protocol: each spec, by rank, takes the
 * ports no spec before it took; those an allow_any spec takes are
 * allowed.  Port 53 is taken first, by nobody.
 */
static int
paint(struct kdec_build *b, int n, uint32_t from, uint32_t to, uint8_t proto)
{
	int first = b->t->nelems, rc = 0;

	b->free[0] = (struct span){ 0, DNS_PORT - 1 };
	b->free[1] = (struct span){ DNS_PORT + 1, 65535 };
	b->nfree = 2;
	for (int i = 0; i < n && b->nfree > 0 && rc == 0; i++) {
		const struct policy_spec *s = &b->specs[i];
		uint32_t lo = s->spec.proto ? s->spec.lo : 0, hi = s->spec.proto ? s->spec.hi : 65535;
		int k = 0;

		if (s->spec.proto != 0 && s->spec.proto != proto)
			continue;
		for (int j = 0; j < b->nfree; j++) {
			struct span f = b->free[j];
			uint32_t plo = f.lo > lo ? f.lo : lo, phi = f.hi < hi ? f.hi : hi;

			if (plo > phi) {
				b->next[k++] = f;
				continue;
			}
			if (s->allow_any && rc == 0)
				rc = emit(b, from, to, proto, plo, phi, s->rule_id);
			/* What is left of f, below the piece and above it: only
			 * the first and the last span a spec meets leave any. */
			if (f.lo < plo)
				b->next[k++] = (struct span){ f.lo, plo - 1 };
			if (f.hi > phi)
				b->next[k++] = (struct span){ phi + 1, f.hi };
		}
		memcpy(b->free, b->next, (size_t)k * sizeof(*b->free));
		b->nfree = k;
	}
	if (rc == 0)
		join(b->t, first);
	return rc;
}

int
kdec_elem_cmp(const void *x, const void *y)
{
	const struct kdec_elem *a = x, *b = y;

	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	if (a->to != b->to)
		return a->to < b->to ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static int
build_pairs(struct kdec_build *b)
{
	int nc = b->t->classes;

	for (int a = 0; a < nc; a++)
		for (int c = 0; c < nc; c++) {
			int n = policy_pair_specs(b->p, b->rep[a], b->rep[c], b->specs,
			    KDEC_MAX_SPECS), any = 0, before = b->t->nelems, rc;

			if (n < 0)
				return 1;
			for (int i = 0; i < n && !any; i++)
				any = b->specs[i].allow_any;
			if (!any || !pair_port_decided(b, a, c))
				continue;
			if ((rc = paint(b, n, (uint32_t)a + 1, (uint32_t)c + 1, IPPROTO_TCP)) != 0 ||
			    (rc = paint(b, n, (uint32_t)a + 1, (uint32_t)c + 1, IPPROTO_UDP)) != 0)
				return rc;
			b->t->pairs += b->t->nelems > before;
		}
	return 0;
}

int
policy_kdec(const struct policy *p, struct kdec_table *t)
{
	struct kdec_build b = { .p = p, .t = t };
	int rc;

	memset(t, 0, sizeof(*t));
	b.specs = calloc(KDEC_MAX_SPECS, sizeof(*b.specs));
	/* each spec adds one span at most */
	b.free = calloc(KDEC_MAX_SPECS + 3, sizeof(*b.free));
	b.next = calloc(KDEC_MAX_SPECS + 3, sizeof(*b.next));
	rc = b.specs && b.free && b.next ? make_classes(&b) : -1;
	if (rc == 0)
		rc = build_pairs(&b);
	if (rc == 0 && t->nelems > 1)
		qsort(t->elems, (size_t)t->nelems, sizeof(*t->elems), kdec_elem_cmp);
	free(b.rep);
	free(b.specs);
	free(b.free);
	free(b.next);
	if (rc != 0) {
		policy_kdec_free(t);
		t->over = rc > 0;
	}
	return rc < 0 ? -1 : 0;
}
