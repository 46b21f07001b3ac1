/*
 * live.c: the running policy: live workloads, rebuilding the snapshot from
 * the database, swapping it, and freeing old snapshots once no worker can
 * hold them.
 */
#include "config.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/clock.h"
#include "runtime/live.h"
#include "base/log.h"
#include "store/store.h"
#include "store/store_response.h"

#define HOST_ADDRS_MAX	256

struct live_retired {
	struct policy *p;
	uint64_t gen;		/* freed once every worker has seen this gen */
	struct live_retired *next;
};

/* This host's own addresses (the `host` group), up to max. */
static int
host_addrs(struct policy_addr *out, int max)
{
	struct ifaddrs *ifa, *i;
	int n = 0;

	if (getifaddrs(&ifa) < 0)
		return 0;
	for (i = ifa; i && n < max; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			out[n].family = AF_INET;
			memset(out[n].addr, 0, 16);
			memcpy(out[n++].addr, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			out[n].family = AF_INET6;
			memcpy(out[n++].addr, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, 16);
		}
	}
	freeifaddrs(ifa);
	return n;
}

static int
wl_find(const struct live *l, const char *id)
{
	for (int i = 0; i < l->nwl; i++)
		if (!strcmp(l->wl[i].id, id))
			return i;
	return -1;
}

/* With l->lock held. */
static int
wl_set_locked(struct live *l, const struct policy_workload *w)
{
	struct policy_workload copy;
	int i = wl_find(l, w->id);

	if (policy_workload_copy(&copy, w) < 0)
		return -1;
	if (i >= 0) {
		policy_workload_clear(&l->wl[i]);
		l->wl[i] = copy;
		return 0;
	}
	if (l->nwl == l->capwl) {
		int cap = l->capwl ? l->capwl * 2 : 64;
		struct policy_workload *n = realloc(l->wl, (size_t)cap * sizeof(*n));

		if (n == NULL) {
			policy_workload_clear(&copy);
			return -1;
		}
		l->wl = n;
		l->capwl = cap;
	}
	l->wl[l->nwl++] = copy;
	return 0;
}

static void
wl_remove_locked(struct live *l, int i)
{
	policy_workload_clear(&l->wl[i]);
	l->wl[i] = l->wl[--l->nwl];
}

/* --- workload events (live.h) ------------------------------------------- */

/* With l->lock held: workload w started (or, start 0, stopped). */
static void
wl_event_locked(struct live *l, const struct policy_workload *w, int start)
{
	struct record *r;
	struct event_rec *ev;
	const char *kind = w->is_static ? "static workload" : "container";
	struct buf addrs;

	if (l->events.slots == NULL || (r = event_ring_reserve(&l->events, REC_EVENT)) == NULL)
		return;		/* no ring (tests), or full: counted in its dropped */
	r->type = REC_EVENT;
	ev = &r->u.ev;
	memset(ev, 0, sizeof(*ev));
	ev->time_ms = clock_real_ms();
	ev->type = EV_INCIDENT;
	ev->level = EV_INFO;
	ev->action = EV_ALLOW;
	snprintf(ev->name, sizeof(ev->name), "workload %s", start ? "start" : "stop");
	snprintf(ev->src_workload, sizeof(ev->src_workload), "%s", w->name);
	policy_learned_group(w, ev->src_group, sizeof(ev->src_group));
	buf_init(&addrs);
	store_addrs_format(w->addrs, w->naddrs, &addrs);
	if (buf_failed(&addrs))
		addrs.len = 0;
	snprintf(ev->message, sizeof(ev->message), "%s %.64s (%.*s%s%.64s) %s%s%.*s", kind,
	    w->name, policy_id_shown(w->id), w->id, w->image[0] ? ", image " : "", w->image,
	    start ? "started" : "stopped", addrs.len ? ": " : "",
	    (int)(addrs.len < 96 ? addrs.len : 96), addrs.len ? addrs.data : "");
	buf_free(&addrs);
	event_ring_commit(&l->events);
}

static int
id_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct policy_workload *const *)a)->id,
	    (*(const struct policy_workload *const *)b)->id);
}

/* The n workloads of w by id, as pointers (NULL: no memory). */
static const struct policy_workload **
by_id(const struct policy_workload *w, int n, int skip_static)
{
	const struct policy_workload **v = calloc((size_t)n + 1, sizeof(*v));
	int k = 0;

	for (int i = 0; v && i < n; i++)
		if (!skip_static || !w[i].is_static)
			v[k++] = &w[i];
	if (v)
		qsort(v, (size_t)k, sizeof(*v), id_cmp);
	if (v)
		v[k] = NULL;
	return v;
}

/* With l->lock held: the events of the Docker workloads going from the
 * live ones to the n of w (live_workloads_replace()). */
static void
wl_replace_events_locked(struct live *l, const struct policy_workload *w, int n)
{
	const struct policy_workload **a = by_id(l->wl, l->nwl, 1), **b = by_id(w, n, 0);
	int i = 0, j = 0, c;

	while (a && b && (a[i] || b[j])) {
		c = !a[i] ? 1 : !b[j] ? -1 : strcmp(a[i]->id, b[j]->id);
		if (c < 0)
			wl_event_locked(l, a[i++], 0);
		else if (c > 0)
			wl_event_locked(l, b[j++], 1);
		else
			i++, j++;
	}
	free(a);
	free(b);
}

/* --- departed addresses (live.h) ----------------------------------------- */

#define LIVE_TAG_BUSY	2u

/* With l->lock held: address a was given up at workload change l->wl_seq. */
static void
departed_add_locked(struct live *l, const struct policy_addr *a)
{
	struct live_departed *d = &l->departed[l->ndeparted++ % LIVE_DEPARTED];
	uint64_t old = __atomic_load_n(&d->tag, __ATOMIC_RELAXED) >> 2, w[2] = { 0, 0 };

	if (old > __atomic_load_n(&l->departed_lost, __ATOMIC_RELAXED))
		__atomic_store_n(&l->departed_lost, old, __ATOMIC_RELEASE);
	memcpy(w, a->addr, a->family == AF_INET ? 4 : 16);
	/* A seqlock of one writer: readers that see BUSY, or two tags, retry
	 * by doubting the address. */
	__atomic_store_n(&d->tag, LIVE_TAG_BUSY, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&d->a[0], w[0], __ATOMIC_RELAXED);
	__atomic_store_n(&d->a[1], w[1], __ATOMIC_RELAXED);
	__atomic_store_n(&d->tag, l->wl_seq << 2 | (a->family == AF_INET6), __ATOMIC_RELEASE);
	__atomic_store_n(&l->departed_seq, l->wl_seq, __ATOMIC_RELEASE);
}

static int
has_addr(const struct policy_workload *w, const struct policy_addr *a)
{
	for (int i = 0; w && i < w->naddrs; i++)
		if (w->addrs[i].family == a->family &&
		    !memcmp(w->addrs[i].addr, a->addr, a->family == AF_INET ? 4 : 16))
			return 1;
	return 0;
}

/* With l->lock held: a workload change; what old had and now (NULL: none)
 * lacks departs with it. */
static void
wl_changed_locked(struct live *l, const struct policy_workload *old,
    const struct policy_workload *now)
{
	l->wl_seq++;
	for (int i = 0; old && i < old->naddrs; i++)
		if (!has_addr(now, &old->addrs[i]))
			departed_add_locked(l, &old->addrs[i]);
}

/* Whether addr departed since snapshot p (1 also when that cannot be told). */
static int
departed(struct live *l, const struct policy *p, int family, const uint8_t *addr)
{
	uint64_t snap = policy_workloads_seq(p), w[2] = { 0, 0 }, t1, t2, a0, a1;

	if (__atomic_load_n(&l->departed_seq, __ATOMIC_ACQUIRE) <= snap)
		return 0;
	if (__atomic_load_n(&l->departed_lost, __ATOMIC_ACQUIRE) > snap)
		return 1;
	memcpy(w, addr, family == AF_INET ? 4 : 16);
	for (int i = 0; i < LIVE_DEPARTED; i++) {
		struct live_departed *d = &l->departed[i];

		t1 = __atomic_load_n(&d->tag, __ATOMIC_ACQUIRE);
		a0 = __atomic_load_n(&d->a[0], __ATOMIC_RELAXED);
		a1 = __atomic_load_n(&d->a[1], __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		t2 = __atomic_load_n(&d->tag, __ATOMIC_RELAXED);
		if (t1 != t2 || (t1 & LIVE_TAG_BUSY))
			return 1;	/* being written now */
		if (t1 >> 2 > snap && (int)(t1 & 1) == (family == AF_INET6) &&
		    a0 == w[0] && a1 == w[1])
			return 1;
	}
	return 0;
}

int
live_unidentified(struct live *l, const struct policy *p, int family, const uint8_t *addr)
{
	switch (policy_container_addr(p, family, addr)) {
	case 1:
		return 1;
	case 2:
		return departed(l, p, family, addr);
	default:
		return 0;
	}
}

void
live_nudge(struct live *l, uint64_t now_ms)
{
	uint64_t last = __atomic_load_n(&l->nudge_ms, __ATOMIC_RELAXED), one = 1;

	/* Workers' clocks differ by a little: within the interval either way. */
	if (l->nudge_fd < 0 ||
	    (last != 0 && now_ms < last + LIVE_NUDGE_MS && last < now_ms + LIVE_NUDGE_MS))
		return;
	if (!__atomic_compare_exchange_n(&l->nudge_ms, &last, now_ms, 0, __ATOMIC_RELAXED,
	    __ATOMIC_RELAXED))
		return;		/* another worker nudged just now */
	if (write(l->nudge_fd, &one, sizeof(one)) < 0)
		return;		/* EAGAIN: the docker thread has plenty to read */
}

int
live_nets_set(struct live *l, const struct policy_net *nets, int n)
{
	struct policy_net *copy = NULL;
	int same;

	pthread_mutex_lock(&l->lock);
	same = n == l->nnets && (n == 0 || !memcmp(nets, l->nets, (size_t)n * sizeof(*nets)));
	pthread_mutex_unlock(&l->lock);
	if (same)
		return 0;
	if (n > 0 && (copy = malloc((size_t)n * sizeof(*copy))) == NULL)
		return -1;
	if (n > 0)
		memcpy(copy, nets, (size_t)n * sizeof(*copy));
	pthread_mutex_lock(&l->lock);
	free(l->nets);
	l->nets = copy;
	l->nnets = n;
	pthread_mutex_unlock(&l->lock);
	live_request_rebuild(l);
	return 0;
}

/* A copy of the subnets (NULL and 0 when there are none or no memory). */
static struct policy_net *
nets_copy(struct live *l, int *n)
{
	struct policy_net *c = NULL;

	pthread_mutex_lock(&l->lock);
	*n = 0;
	if (l->nnets > 0 && (c = malloc((size_t)l->nnets * sizeof(*c))) != NULL) {
		memcpy(c, l->nets, (size_t)l->nnets * sizeof(*c));
		*n = l->nnets;
	}
	pthread_mutex_unlock(&l->lock);
	return c;
}

void
live_request_rebuild(struct live *l)
{
	uint64_t one = 1;

	if (write(l->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("live: waking the main loop");
}

void
live_request_tighten(struct live *l)
{
	__atomic_store_n(&l->tighten_asked, 1, __ATOMIC_RELEASE);
	live_request_rebuild(l);
}

int
live_add_reader(struct live *l)
{
	if (l->nworkers >= LIVE_READERS)
		return -1;
	return l->nworkers++;
}

int
live_workload_set(struct live *l, const struct policy_workload *w)
{
	int rc, i;

	pthread_mutex_lock(&l->lock);
	i = wl_find(l, w->id);
	wl_changed_locked(l, i >= 0 ? &l->wl[i] : NULL, w);
	if (i < 0)
		wl_event_locked(l, w, 1);
	rc = wl_set_locked(l, w);
	l->dirty = 1;
	pthread_mutex_unlock(&l->lock);
	live_request_rebuild(l);
	return rc;
}

int
live_workload_remove(struct live *l, const char *id)
{
	int i;

	pthread_mutex_lock(&l->lock);
	if ((i = wl_find(l, id)) >= 0) {
		wl_changed_locked(l, &l->wl[i], NULL);
		wl_event_locked(l, &l->wl[i], 0);
		wl_remove_locked(l, i);
		l->dirty = 1;
	}
	pthread_mutex_unlock(&l->lock);
	if (i >= 0)
		live_request_rebuild(l);
	return i >= 0 ? 0 : -1;
}

int
live_workloads_replace(struct live *l, const struct policy_workload *w, int n)
{
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	l->wl_seq++;
	wl_replace_events_locked(l, w, n);
	for (int i = l->nwl - 1; i >= 0; i--)
		if (!l->wl[i].is_static) {
			/* Which addresses moved is not worth working out for a
			 * whole list: any may have, until the next snapshot. */
			__atomic_store_n(&l->departed_lost, l->wl_seq, __ATOMIC_RELEASE);
			__atomic_store_n(&l->departed_seq, l->wl_seq, __ATOMIC_RELEASE);
			wl_remove_locked(l, i);
		}
	for (int i = 0; i < n && rc == 0; i++)
		rc = wl_set_locked(l, &w[i]);
	l->dirty = 1;
	pthread_mutex_unlock(&l->lock);
	live_request_rebuild(l);
	return rc;
}

/* A deep copy of the live workloads, whether they changed, and the count
 * of changes it was taken at. */
static struct policy_workload *
wl_copy(struct live *l, int *n, int *changed, uint64_t *seq)
{
	struct policy_workload *c;

	pthread_mutex_lock(&l->lock);
	*n = l->nwl;
	*changed = l->dirty;
	*seq = l->wl_seq;
	c = calloc((size_t)l->nwl + 1, sizeof(*c));
	for (int i = 0; c && i < l->nwl; i++)
		if (policy_workload_copy(&c[i], &l->wl[i]) < 0) {
			for (int j = 0; j < i; j++)
				policy_workload_clear(&c[j]);
			free(c);
			c = NULL;
		}
	if (c)
		l->dirty = 0;
	pthread_mutex_unlock(&l->lock);
	return c;
}

/* Swaps p in, with bypass generation bgen. */
static void
swap_in(struct live *l, struct policy *p, unsigned bgen)
{
	struct policy *old;
	uint64_t gen = live_gen_next(__atomic_load_n(&l->gen, __ATOMIC_ACQUIRE), bgen);
	struct live_retired *r;

	/* Only this thread swaps: stamp, publish, then count the swap. */
	policy_set_gen(p, gen);
	old = __atomic_exchange_n(&l->cur, p, __ATOMIC_ACQ_REL);
	__atomic_store_n(&l->gen, gen, __ATOMIC_RELEASE);

	if (old == NULL)
		return;
	if ((r = malloc(sizeof(*r))) == NULL) {
		log_warnx("live: no memory to retire a snapshot; keeping it");
		return;
	}
	r->p = old;
	r->gen = gen;
	r->next = l->retired;
	l->retired = r;
}

/*
 * Asks the daemon to move the kernel to the next bypass generation, and
 * returns the generation the new snapshot carries.  Before the swap: until
 * then workers mark bypasses with the current generation, which the new
 * rules still save (nft.h), and such a flow comes back at its next packet.
 */
static unsigned
tighten(struct live *l)
{
	unsigned cur = live_bypass_gen(__atomic_load_n(&l->gen, __ATOMIC_ACQUIRE));
	unsigned g;

	if (l->tighten == NULL)
		return cur;
	g = l->tighten(l->tighten_ctx, cur, (cur + 1) % NVD_BYPASS_GENS) % NVD_BYPASS_GENS;
	if (g != cur)
		l->tightenings++;
	return g;
}

/*
 * The addresses of static workloads that name their interface are on it
 * (policy_spoofed()), if it exists now; a rebuild after it comes or goes
 * finds it anew.
 */
static void
static_ports(struct policy_workload *wl, int n)
{
	for (int i = 0; i < n; i++) {
		int ifindex = wl[i].iface[0] ? (int)if_nametoindex(wl[i].iface) : 0;

		for (int a = 0; wl[i].is_static && a < wl[i].naddrs; a++)
			wl[i].addrs[a].ifindex = ifindex;
	}
}

static int
rebuild(struct live *l, int may_tighten, char *err, size_t errlen)
{
	struct store_policy sp = { 0 };
	struct sensor_spec *sensors = NULL;
	struct policy_assign *assigns = NULL;
	struct policy_threat_group *tgroups = NULL;
	struct threat_set threats;
	int nsensors = 0, nassigns = 0, ntgroups = 0;
	struct policy_addr host[HOST_ADDRS_MAX];
	struct policy_input in;
	struct policy_workload *wl;
	struct policy_net *nets;
	struct policy_quarantine *quar = NULL;
	struct policy *p;
	int nwl, nnets, nquar = 0, changed, rc = -1;
	int asked = __atomic_exchange_n(&l->tighten_asked, 0, __ATOMIC_ACQ_REL);
	uint64_t seq;

	if ((wl = wl_copy(l, &nwl, &changed, &seq)) == NULL) {
		snprintf(err, errlen, "no memory for the workloads");
		return -1;
	}
	static_ports(wl, nwl);
	nets = nets_copy(l, &nnets);
	for (int i = 0; i < nwl; i++) {
		char g[POLICY_NAME_MAX];

		policy_learned_group(&wl[i], g, sizeof(g));
		if (store_group_ensure_learned(l->db, g, l->default_mode, err, errlen) < 0)
			goto out;
	}
	/* The workloads table is the audit's: a locked database does not hold
	 * up the policy, the rows are written at a later rebuild. */
	if ((changed || l->seen_pending) &&
	    (l->seen_pending = store_workloads_seen(l->db, wl, nwl, err, errlen) < 0))
		log_warnx("workloads: %s; written at the next policy change", err);
	if (store_load(l->db, &sp, err, errlen) < 0 ||
	    store_sensor_specs(l->db, &sensors, &nsensors, err, errlen) < 0 ||
	    store_sensor_assignments(l->db, NULL, NULL, &assigns, &nassigns, err, errlen) < 0 ||
	    store_quarantine_load(l->db, &quar, &nquar, err, errlen) < 0 ||
	    store_threat_load(l->db, &threats, err, errlen) < 0 ||
	    store_threat_groups(l->db, &tgroups, &ntgroups, err, errlen) < 0)
		goto out;
	memset(&in, 0, sizeof(in));
	in.groups = sp.groups;
	in.ngroups = sp.ngroups;
	in.rules = sp.rules;
	in.nrules = sp.nrules;
	in.workloads = wl;
	in.nworkloads = nwl;
	in.host_addrs = host;
	in.nhost_addrs = host_addrs(host, HOST_ADDRS_MAX);
	in.default_mode = l->default_mode;
	in.resolvers = l->resolvers;
	in.nets = nets;
	in.nnets = nnets;
	in.workloads_seq = seq;
	in.sensors = sensors;
	in.nsensors = nsensors;
	in.assigns = assigns;
	in.nassigns = nassigns;
	in.sensors_prev = l->cur ? policy_sensors(l->cur) : NULL;
	in.quarantine = quar;
	in.nquarantine = nquar;
	in.threats = &threats;
	in.threat_groups = tgroups;
	in.nthreat_groups = ntgroups;
	if ((p = policy_compile(&in)) == NULL) {
		snprintf(err, errlen, "no memory for the policy");
		goto out;
	}
	if (policy_sensor_error(p))
		log_warnx("sensors: %s; running without sensors", policy_sensor_error(p));
	if (l->compiled && l->compiled(l->compiled_ctx, p) < 0) {
		policy_free(p);
		snprintf(err, errlen, "the kernel's decisions could not be brought in step with "
		    "the policy (nftables)");
		goto out;
	}
	swap_in(l, p, may_tighten || changed || asked ? tighten(l) :
	    live_bypass_gen(__atomic_load_n(&l->gen, __ATOMIC_ACQUIRE)));
	l->rebuilds++;
	l->last_rebuild_ms = (int64_t)clock_mono_ms();
	log_debug("policy: %d groups, %d rules, %d workloads", sp.ngroups, sp.nrules, nwl);
	rc = 0;
out:
	if (rc < 0 && changed) {
		pthread_mutex_lock(&l->lock);
		l->dirty = 1;
		pthread_mutex_unlock(&l->lock);
	}
	if (rc < 0 && asked)
		__atomic_store_n(&l->tighten_asked, 1, __ATOMIC_RELEASE);
	free(quar);
	store_policy_free(&sp);
	store_sensor_specs_free(sensors, nsensors);
	free(assigns);
	free(tgroups);
	for (int i = 0; i < nwl; i++)
		policy_workload_clear(&wl[i]);
	free(wl);
	free(nets);
	return rc;
}

int
live_rebuild(struct live *l, char *err, size_t errlen)
{
	return rebuild(l, 1, err, errlen);
}

int
live_refresh(struct live *l, char *err, size_t errlen)
{
	return rebuild(l, 0, err, errlen);
}

uint64_t
live_oldest_seen(struct live *l)
{
	uint64_t min = UINT64_MAX;

	for (int i = 0; i < l->nworkers; i++) {
		uint64_t s = __atomic_load_n(&l->seen[i], __ATOMIC_ACQUIRE);

		if (s < min)
			min = s;
	}
	return min;
}

void
live_reclaim(struct live *l)
{
	struct live_retired **rp = &l->retired;
	uint64_t min = live_oldest_seen(l);

	while (*rp) {
		struct live_retired *r = *rp;

		if (r->gen <= min) {
			*rp = r->next;
			policy_free(r->p);
			free(r);
		} else
			rp = &r->next;
	}
}

int
live_init(struct live *l, sqlite3 *db, enum policy_mode default_mode, int nworkers,
    char *err, size_t errlen)
{
	struct store_policy sp = { 0 };

	memset(l, 0, sizeof(*l));
	l->db = db;
	l->default_mode = default_mode;
	l->nworkers = nworkers;
	pthread_mutex_init(&l->lock, NULL);
	l->nudge_fd = -1;
	if (event_ring_init(&l->events, -1) < 0) {
		snprintf(err, errlen, "no memory for the workload events");
		return -1;
	}
	if (meter_table_init(&l->meters, LIVE_METERS) < 0) {
		snprintf(err, errlen, "no memory for the meters");
		event_ring_destroy(&l->events);
		return -1;
	}
	if ((l->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0 ||
	    (l->nudge_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		if (l->wake_fd >= 0)
			close(l->wake_fd);
		event_ring_destroy(&l->events);
		meter_table_destroy(&l->meters);
		return -1;
	}
	if (store_load(db, &sp, err, errlen) < 0)
		goto fail;
	for (int i = 0; i < sp.nstatics; i++)
		if (wl_set_locked(l, &sp.statics[i]) < 0) {
			snprintf(err, errlen, "no memory for the workloads");
			goto fail;
		}
	store_policy_free(&sp);
	l->dirty = 0;	/* the statics were read from the table, not seen anew */
	if (live_rebuild(l, err, errlen) < 0)
		goto fail_nosp;
	return 0;
fail:
	store_policy_free(&sp);
fail_nosp:
	live_destroy(l);
	return -1;
}

void
live_destroy(struct live *l)
{
	while (l->retired) {
		struct live_retired *r = l->retired;

		l->retired = r->next;
		policy_free(r->p);
		free(r);
	}
	policy_free(l->cur);
	l->cur = NULL;
	for (int i = 0; i < l->nwl; i++)
		policy_workload_clear(&l->wl[i]);
	free(l->wl);
	l->wl = NULL;
	l->nwl = l->capwl = 0;
	free(l->nets);
	l->nets = NULL;
	l->nnets = 0;
	if (l->wake_fd >= 0)
		close(l->wake_fd);
	l->wake_fd = -1;
	if (l->nudge_fd >= 0)
		close(l->nudge_fd);
	l->nudge_fd = -1;
	event_ring_destroy(&l->events);
	meter_table_destroy(&l->meters);
	pthread_mutex_destroy(&l->lock);
}
