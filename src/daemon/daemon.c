/*
 * daemon.c: the daemon's lifecycle: start-up in the order that keeps
 * traffic safe (queues bound before rules steer into them), reload, the
 * periodic work of the main thread (policy rebuilds, bypass generations),
 * and shutdown.  nvd.c's main drives it; tests link it as it is.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "daemon/daemon.h"
#include "daemon/resolvers.h"
#include "docker/dockerwatch.h"
#include "kernel/ct.h"
#include "kernel/link.h"
#include "names/fqdn.h"
#include "packet/reasm.h"
#include "packet/syncut.h"
#include "runtime/crs_pool.h"
#include "runtime/webhook.h"
#include "store/db.h"
#include "store/rules_load.h"
#include "store/store_response.h"

int
daemon_load_conf(const struct daemon *d, struct conf *c, struct conf_errors *errs)
{
	int nerr = 0;

	conf_defaults(c);
	if (d->conf_given || access(d->conf_path, F_OK) == 0)
		nerr = conf_load(c, d->conf_path, errs);
	if (nerr == 0)
		nerr = conf_check(c, d->conf_path, errs);
	return nerr;
}

/* mkdir -p of the directory part of path. */
static int
make_parent(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(tmp))
		return -1;
	strcpy(tmp, path);
	if ((p = strrchr(tmp, '/')) == NULL || p == tmp)
		return 0;
	*p = '\0';
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/*
 * The built-in sensors from rules_dir's rule files (rules_load.h): a file
 * with an error is skipped, its sensors as they were; nothing else stops.
 */
static void
load_rules(struct daemon *d)
{
	char err[512];
	int skipped = sensors_load_dir(d->db, d->conf.rules_dir, err, sizeof(err));

	if (skipped < 0)
		log_warnx("rules_dir %s: %s; sensors as stored", d->conf.rules_dir, err);
	else if (skipped > 0)
		log_warnx("rules_dir %s: %d rule file%s skipped (errors above)", d->conf.rules_dir,
		    skipped, skipped == 1 ? "" : "s");
}

void
daemon_apply_limits(const struct conf *c)
{
	struct reasm_limits lim = { .depth = c->stream_depth, .memcap = c->stream_memcap };

	reasm_set_limits(&lim);
	log_set_level((enum log_level)c->log_level);
}

/*
 * sensor.crs's rules (crs.h), parsed now, for the requests from now on;
 * -1 with err when they do not parse (the engine in use stays).
 */
static int
crs_load(struct daemon *d, const struct conf *c, char *err, size_t errlen)
{
	struct crs_engine *e;

	if (d->crs == NULL)
		return 0;
	d->crs_tried = 1;
	if (c->crs_rules[0] == '\0') {
		crs_pool_set_engine(d->crs, NULL);
		d->crs_files = 0;
		d->crs_error[0] = '\0';
		log_info("sensor.crs off (crs_rules is empty)");
		return 0;
	}
	if ((e = crs_engine_load(c->crs_setup, c->crs_rules, err, errlen)) == NULL) {
		snprintf(d->crs_error, sizeof(d->crs_error), "%s", err);
		return -1;
	}
	crs_pool_set_engine(d->crs, e);
	d->crs_files = crs_engine_files(e);
	d->crs_error[0] = '\0';
	crs_engine_unref(e);
	log_info("sensor.crs: %d rule files (%s%s%s)", d->crs_files, c->crs_setup,
	    c->crs_setup[0] ? ", " : "", c->crs_rules);
	return 0;
}

/* sensor.crs's threads, when nvd has libmodsecurity (its rules come at
 * their first need: daemon_crs_need()). */
static void
crs_start(struct daemon *d)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int threads = d->conf.crs_threads ? (int)d->conf.crs_threads : cpus > 0 ? (int)cpus : 1;

	if (!crs_available())
		return;
	if (threads > CRS_THREADS_MAX)
		threads = CRS_THREADS_MAX;
	if ((d->crs = crs_pool_new(threads, d->conf.queue_count * CRS_JOBS_MAX)) == NULL)
		log_warnx("sensor.crs: its threads could not start; the requests it inspects "
		    "are in doubt");
}

int
daemon_crs_need(struct daemon *d)
{
	char err[320];

	if (d->crs == NULL || d->crs_tried)
		return d->crs_error[0] ? -1 : 0;
	if (crs_load(d, &d->conf, err, sizeof(err)) < 0) {
		log_warnx("sensor.crs: %s; the requests it inspects are in doubt until a "
		    "reload loads its rules", err);
		return -1;
	}
	return 0;
}

/* The held packet of token gets its verdict (crs_stage.h's late callback). */
static void
worker_late(void *ctx, uint64_t token, enum verdict v)
{
	nfq_queue_late(ctx, token, v);
}

_Static_assert(SYNCUT_MAX <= NFQ_CUT_MAX, "a cut SYN must fit a verdict");

/* The queue's consumer (nfq.h): the worker of that queue. */
static enum verdict
worker_nfq_packet(void *ctx, uint8_t *buf, size_t len, int family, unsigned pflags,
    uint32_t port, uint64_t now, uint64_t token, uint32_t *bypass_mark, size_t *cut)
{
	struct worker *w = ctx;
	enum verdict v;

	w->crs.token = token;
	v = worker_packet(w, buf, len, family, pflags, port, now);
	v = worker_syn_cut(w, v, buf, len, cut);
	*bypass_mark = w->bypass_mark;
	return v;
}

static void
worker_nfq_tick(void *ctx, uint64_t now)
{
	worker_tick(ctx, now);
}

static void *
worker_main(void *arg)
{
	struct worker_thread *t = arg;
	struct daemon *d = t->d;
	struct worker *w = &d->workers[t->index];
	const struct nfq_handler h = { worker_nfq_packet, worker_nfq_tick, w,
	    w->crs.done_up ? w->crs.done.fd : -1 };

	nfq_queue_run(d->queues[t->index], &h, &d->stop);
	return NULL;
}

/*
 * One worker per queue of queues, whose socket serves the protect queue
 * of the same index too (nfq.h).
 */
static int
start_workers(struct daemon *d)
{
	const struct conf *c = &d->conf;
	uint64_t share = c->max_flows / c->queue_count;
	uint16_t pfirst, pcount;

	conf_protect_queues(c, &pfirst, &pcount);
	for (int i = 0; i < c->queue_count; i++) {
		uint16_t num = (uint16_t)(c->queue_first + i), pnum = (uint16_t)(pfirst + i);

		if (worker_init(&d->workers[i], i, num, share, c->fail_mode) < 0) {
			log_warnx("queue %u: no memory for the flow table", num);
			return -1;
		}
		d->nworkers = i + 1;
		if (worker_set_policy(&d->workers[i], &d->live, d->writer.wake_fd) < 0) {
			log_warnx("queue %u: no memory for the flow table", num);
			return -1;
		}
		d->workers[i].protect_queue = pnum;
		d->workers[i].bypass_identified = c->bypass_identified;
		d->workers[i].dns.cache = d->fqdn;
		d->workers[i].judge.pcap_dir = c->pcap_dir;
		writer_add_ring(&d->writer, &d->workers[i].judge.ring);
		if ((d->queues[i] = nfq_queue_open(num, pnum, c->queue_maxlen, c->fail_mode)) == NULL)
			return -1;
		d->workers[i].crs.pool = d->crs;
		d->workers[i].crs.body_max = c->crs_body_limit;
		d->workers[i].crs.deadline_ms = c->crs_deadline;
		d->workers[i].crs.late = worker_late;
		d->workers[i].crs.late_ctx = d->queues[i];
	}
	writer_add_ring(&d->writer, &d->live.events);
	writer_add_ring(&d->writer, &d->events);
	if (writer_start(&d->writer) < 0) {
		log_warnx("starting the writer thread");
		return -1;
	}
	for (int i = 0; i < d->nworkers; i++) {
		d->targs[i].d = d;
		d->targs[i].index = i;
		if ((errno = pthread_create(&d->threads[i], NULL, worker_main, &d->targs[i])) != 0) {
			log_warn("starting worker %d", i);
			return -1;
		}
	}
	log_info("%d worker%s on queues %u-%u (fail_mode %s) and protect queues %u-%u (a full "
	    "queue drops), flow bypass by %s", d->nworkers, d->nworkers == 1 ? "" : "s",
	    c->queue_first, c->queue_first + c->queue_count - 1, conf_fail_mode_name(c->fail_mode),
	    pfirst, pfirst + pcount - 1,
	    nfq_queue_ct_glue(d->queues[0]) ? "conntrack glue" : "packet mark (no ct glue)");
	return 0;
}

/* Stops the worker threads and closes their queues; their state (and
 * the event rings the writer reads) stays until destroy_workers(). */
static void
stop_workers(struct daemon *d)
{
	__atomic_store_n(&d->stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < d->nworkers; i++)
		if (d->threads[i])
			pthread_join(d->threads[i], NULL);
	for (int i = 0; i < d->nworkers; i++) {
		nfq_queue_close(d->queues[i]);
		d->queues[i] = NULL;
		d->threads[i] = 0;
		/* What the worker held back goes to the writer, which drains
		 * the rings once more as it stops. */
		judge_flush(&d->workers[i].judge);
	}
}

/* After writer_stop(): the writer drains the rings until it stops. */
static void
destroy_workers(struct daemon *d)
{
	for (int i = 0; i < d->nworkers; i++)
		worker_destroy(&d->workers[i]);
	d->nworkers = 0;
}

/* A sum of the ranges, to tell a changed set. */
static uint64_t
ranges_sum(const struct range_list *l)
{
	uint64_t sum = 0;

	for (int i = 0; i < l->n; i++) {
		uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)l->r[i].family;

		for (int k = 0; k < 16; k++)
			h = ((h ^ l->r[i].lo[k]) * 0x100000001b3ull ^ l->r[i].hi[k]) *
			    0x100000001b3ull;
		sum += h ^ h >> 29;
	}
	return sum;
}

/*
 * The traffic of p's protect-mode workloads (and
 * of containers not known yet that could be) is steered to the protect
 * queues (never fail-open) before p judges it.  What changed since the
 * last snapshot goes to the kernel: the sets, and the rules when every
 * packet becomes (or stops being) protect traffic.
 */
static void
protect_steer(struct daemon *d, const struct policy *p)
{
	struct range_list rl = { 0 };
	uint64_t sum;
	int all;

	if (d->hook == NFT_HOOK_NONE)
		return;
	if (policy_protected(p, &rl, &all) < 0) {
		log_warnx("policy: no memory for the protect addresses: all traffic to the "
		    "protect queues");
		all = 1;
	}
	if (all != d->protect_all) {
		unsigned g = live_bypass_gen(live_gen(&d->live));
		struct nft_rules nr = { g, g, all, d->kdec.on };

		if (nft_update(&d->conf, d->hook, &nr) == 0) {
			d->protect_all = all;
			log_info("nftables: %s", all ? "every steered packet goes to the protect "
			    "queues (external or a group of addresses is in protect mode)" :
			    "the protect queues take the protect-mode workloads' traffic");
		}
	}
	sum = ranges_sum(&rl);
	if (!rl.oom && (rl.n != d->protect_n || sum != d->protect_sum) &&
	    nft_protect_set(&d->conf, rl.r, rl.n) == 0) {
		d->protect_n = rl.n;
		d->protect_sum = sum;
		log_debug("nftables: %d protect-mode address range%s", rl.n, rl.n == 1 ? "" : "s");
	}
	ranges_free(&rl);
}

/*
 * The quarantined workloads' addresses go to the kernel's quarantine
 * sets, whose rules drop their traffic, before p is swapped in; the
 * workers drop it too once p is theirs.
 */
static void
quarantine_steer(struct daemon *d, const struct policy *p)
{
	int max = policy_nquarantined(p) * POLICY_MAX_ADDRS, n = 0;
	struct range_list rl = { 0 };
	struct policy_addr *pa;
	uint64_t sum;

	if (d->hook == NFT_HOOK_NONE)
		return;
	if ((pa = calloc((size_t)max + 1, sizeof(*pa))) != NULL &&
	    (n = policy_quarantine_addrs(p, pa, max)) >= 0)
		for (int i = 0; i < n; i++)
			ranges_add(&rl, pa[i].family, pa[i].addr, pa[i].addr);
	ranges_normalise(&rl);
	sum = ranges_sum(&rl);
	if (pa == NULL || n < 0 || rl.oom)
		log_warnx("policy: no memory for the quarantined addresses: the workers drop "
		    "their packets, the kernel does not");
	else if ((rl.n != d->quarantine_n || sum != d->quarantine_sum) &&
	    nft_quarantine_set(&d->conf, rl.r, rl.n) == 0) {
		d->quarantine_n = rl.n;
		d->quarantine_sum = sum;
		log_info("nftables: %d quarantined address%s", rl.n, rl.n == 1 ? "" : "es");
	}
	ranges_free(&rl);
	free(pa);
}

/*
 * live's compiled callback: the kernel learns what p changes, before p
 * judges; -1 when the kernel's decisions could not be brought in step
 * with p (p is not published).
 */
static int
policy_compiled(void *ctx, const struct policy *p)
{
	struct daemon *d = ctx;

	/* Its rules before the first snapshot that assigns it judges: else
	 * its requests would be in doubt while they parse. */
	if (policy_crs_assigned(p))
		daemon_crs_need(d);
	protect_steer(d, p);
	quarantine_steer(d, p);
	return kdec_run_steer(&d->kdec, &d->conf, p);
}

/* Connections the kernel decided count as their rules' hits (kdec_run.h),
 * written by the writer like the workers'. */
static void
kdec_hit(void *ctx, int64_t rule_id, uint64_t n)
{
	struct daemon *d = ctx;
	struct record *r;

	if (!d->events_up || (r = event_ring_reserve(&d->events, REC_HIT)) == NULL)
		return;		/* counted in the ring's dropped */
	r->type = REC_HIT;
	r->u.hit.rule_id = rule_id;
	r->u.hit.count = n;
	r->u.hit.time_ms = clock_real_ms();
	event_ring_commit(&d->events);
}

/*
 * Installs the rules for c at the current bypass generation: the whole
 * table at start (old NULL) or under a new name; at a reload that keeps
 * the table, its rules only, so that no queued packet is lost.
 */
static int
install_rules(struct daemon *d, const struct conf *c, const struct conf *old)
{
	unsigned g = live_bypass_gen(live_gen(&d->live));
	struct nft_rules nr = { g, g, d->protect_all, d->kdec.on };
	int k;

	if (!c->install_rules) {
		d->hook = NFT_HOOK_NONE;
		d->kdec.on = 0;
		log_info("install_rules = no: steer traffic with your own ruleset (see rules/nvd.nft)");
		return 0;
	}
	if (old && old->install_rules && d->hook != NFT_HOOK_NONE &&
	    !strcmp(old->nft_table, c->nft_table))
		return nft_update(c, d->hook, &nr);
	d->kdec.hit = kdec_hit;
	d->kdec.hit_ctx = d;
	kdec_run_install(&d->kdec, c);
	nr.kdec = d->kdec.on;
	if ((k = nft_install(c, &nr)) < 0)
		return -1;
	d->hook = (enum nft_hook_kind)k;
	d->protect_n = -1;	/* the new table's sets are empty */
	d->quarantine_n = -1;
	if (policy_compiled(d, live_current(&d->live)) < 0)
		log_warnx("kernel decisions: the sets of table %s could not be filled", c->nft_table);
	return 0;
}

/*
 * Clears nvd's bypass bits from every conntrack entry that has them: the
 * flows' next packets come to the queue to be judged again.
 */
static void
bypass_sweep_all(struct daemon *d, const char *why)
{
	long n = ct_mark_clear(NVD_MARK_BYPASS, NVD_MARK_BYPASS, NVD_MARK_BYPASS_BITS);

	if (n < 0) {
		log_warn("conntrack: handing bypassed flows back to the queues (%s)", why);
		memset(d->bypass.used, 1, sizeof(d->bypass.used));
		return;
	}
	memset(d->bypass.used, 0, sizeof(d->bypass.used));
	log_info("conntrack: %ld bypassed flow%s handed back to the queues (%s)", n,
	    n == 1 ? "" : "s", why);
}

/*
 * live's tighten callback: a policy change that may tighten the policy
 * must reach the flows the kernel bypasses.  With nvd's rules: the next
 * generation (one nftables batch; the flows of every other generation come
 * back to the queue at their next packet).  Conntrack entries of a flow
 * idle since next was last used (NVD_BYPASS_GENS changes ago) would match
 * it again, so they are cleared first.  With the operator's rules, which
 * know generation 0 only: every bypassed flow is cleared from conntrack
 * once the workers have moved on to the new snapshot (bypass_housekeeping).
 */
static unsigned
bypass_tighten(void *ctx, unsigned cur, unsigned next)
{
	struct daemon *d = ctx;
	struct nft_rules nr;
	long n;

	if (d->hook == NFT_HOOK_NONE) {
		d->bypass.sweep_after = live_gen(&d->live) + 1;
		return 0;
	}
	if (d->bypass.used[next]) {
		n = ct_mark_clear(NVD_MARK_BYPASS_BITS, NVD_MARK_BYPASS | NVD_MARK_GEN(next),
		    NVD_MARK_BYPASS_BITS);
		if (n < 0)
			log_warn("conntrack: clearing bypass generation %u before its reuse "
			    "(flows idle since its last use may pass unjudged)", next);
		else {
			d->bypass.used[next] = 0;
			log_debug("conntrack: %ld flow%s of bypass generation %u cleared", n,
			    n == 1 ? "" : "s", next);
		}
	}
	nr.gen = next;
	nr.prev = cur;
	nr.protect_all = d->protect_all;
	nr.kdec = d->kdec.on;
	if (nft_update(&d->conf, d->hook, &nr) < 0) {
		log_warnx("policy: flows the kernel bypasses keep their verdict until "
		    "the next change");
		return cur;
	}
	d->bypass.used[next] = 1;
	return next;
}

static void
bypass_housekeeping(struct daemon *d)
{
	if (d->bypass.sweep_after == 0 || live_oldest_seen(&d->live) < d->bypass.sweep_after)
		return;
	d->bypass.sweep_after = 0;
	if (d->hook == NFT_HOOK_NONE)
		bypass_sweep_all(d, "policy changed; install_rules = no");
}

/* What the writer keeps of the audit log and where event lines go. */
static void
audit_settings(struct daemon *d)
{
	const struct conf *c = &d->conf;
	struct retain_conf rc = { .days = c->event_retention_days,
	    .rows = c->event_retention_rows, .pcap_files = c->pcap_retention_files,
	    .pcap_bytes = c->pcap_retention_bytes };

	snprintf(rc.pcap_dir, sizeof(rc.pcap_dir), "%s", c->pcap_dir);
	writer_set_audit(&d->writer, &rc, c->event_log == EVENT_LOG_NONE ? EVLOG_NONE :
	    d->foreground ? EVLOG_STDERR : EVLOG_SYSLOG);
}

void
daemon_db_deadline(struct daemon *d)
{
	d->db_until = clock_mono_ms() + DAEMON_DB_WAIT_MS;
}

int
daemon_reload(struct daemon *d, struct buf *out)
{
	struct conf c;
	struct conf_errors errs = { 0 };
	const struct conf *old = &d->conf;
	char olds[256], news[256], err[320];
	int crs_failed = 0;

	daemon_db_deadline(d);
	if (daemon_load_conf(d, &c, &errs) > 0) {
		for (int i = 0; i < errs.count; i++) {
			log_warnx("reload: %s", errs.msg[i]);
			buf_printf(out, "%s%s", i ? "\n" : "", errs.msg[i]);
		}
		log_warnx("reload: configuration not changed");
		return -1;
	}
	/* What the running threads and sockets were made with stays. */
#define KEEP(field, name)						\
	if (memcmp(&c.field, &old->field, sizeof(c.field))) {		\
		log_warnx("reload: %s changes at the next restart", name);	\
		memcpy(&c.field, &old->field, sizeof(c.field));		\
	}
	KEEP(queue_first, "queues");
	KEEP(queue_count, "queues");
	KEEP(protect_first, "protect_queues");
	KEEP(protect_count, "protect_queues");
	KEEP(fail_mode, "fail_mode");
	KEEP(database, "database");
	KEEP(control_socket, "control_socket");
	KEEP(max_flows, "max_flows");
	KEEP(queue_maxlen, "queue_maxlen");
	KEEP(docker_socket, "docker_socket");
	KEEP(bypass_identified, "bypass_identified");
	KEEP(authz_socket, "authz_socket");
	KEEP(metrics_listen, "metrics_listen");
	KEEP(crs_threads, "crs_threads");
	KEEP(crs_deadline, "crs_deadline");
	KEEP(crs_body_limit, "crs_body_limit");
	KEEP(kernel_decide, "kernel_decide");
#undef KEEP
	conf_steer_str(old, olds, sizeof(olds));
	conf_steer_str(&c, news, sizeof(news));
	if (strcmp(olds, news) || strcmp(c.nft_table, old->nft_table) ||
	    c.install_rules != old->install_rules) {
		if (install_rules(d, &c, old) < 0) {
			buf_puts(out, "installing the nftables rules failed; see the log");
			return -1;
		}
		if (old->install_rules && strcmp(c.nft_table, old->nft_table))
			nft_remove(old->nft_table);
		if (!c.install_rules && old->install_rules)
			nft_remove(old->nft_table);
	}
	d->conf = c;
	daemon_apply_limits(&d->conf);
	audit_settings(d);
	load_rules(d);
	resolvers_load(c.dns_resolvers, &d->live.resolvers);	/* for answers from now on */
	/* Parsed again only where they were: else at their first need. */
	if (!d->crs_tried)
		d->crs_error[0] = '\0';
	else if (crs_load(d, &c, err, sizeof(err)) < 0) {
		log_warnx("reload: sensor.crs: %s; its rules loaded before stay", err);
		buf_printf(out, "sensor.crs: %s; its rules loaded before stay", err);
		crs_failed = 1;
	}
	if (live_rebuild(&d->live, err, sizeof(err)) < 0)
		log_warnx("reload: policy: %s", err);
	if (admission_run_apply(&d->adm, d->db, err, sizeof(err)) < 0)
		log_warnx("reload: admission: %s", err);
	if (daemon_response_reload(d, err, sizeof(err)) < 0)
		log_warnx("reload: response rules: %s", err);
	{
		struct fqdn_limits fl = { .max_bindings = c.dns_max_bindings,
		    .min_ttl = c.dns_min_ttl };

		if (fqdn_set_limits(d->fqdn, &fl) < 0)
			log_warnx("reload: dns_max_bindings is more than the cache can hold: cut to its most");
	}
	d->live.default_mode = c.default_mode;	/* for learned groups made from now on */
	/* The operator's rules know bypass generation 0 only. */
	if (d->hook == NFT_HOOK_NONE && live_bypass_gen(live_gen(&d->live)) != 0 &&
	    live_rebuild(&d->live, err, sizeof(err)) < 0)
		log_warnx("reload: policy: %s", err);
	if (crs_failed)
		return -1;
	log_info("configuration reloaded");
	return 0;
}

/* The writer learned rules: rebuild the policy (the main loop does). */
static void
learned(void *ctx)
{
	live_request_rebuild(ctx);
}

/* The writer quarantined a workload: the policy is rebuilt, and bypassed
 * flows come back to the queues (the kernel's rules drop them first). */
static void
quarantined(void *ctx)
{
	live_request_tighten(ctx);
}

int
daemon_response_reload(struct daemon *d, char *err, size_t errlen)
{
	struct response_rule *r;
	struct response_set *s, *last;
	int n;

	if (!d->resp_up)
		return 0;
	if (store_response_list(d->db, &r, &n, err, errlen) < 0)
		return -1;
	s = response_set_new(r, n);
	last = response_set_new(r, n);
	free(r);
	if (s == NULL || last == NULL) {
		response_set_free(s);
		response_set_free(last);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	response_set_carry(s, d->resp_last, clock_real_ms());
	response_set_carry(last, s, 0);
	response_set_free(d->resp_last);
	d->resp_last = last;
	responder_set_rules(&d->resp, s);
	return 0;
}

/* Response rules and their webhooks, after the writer is made. */
static int
response_init(struct daemon *d)
{
	char err[512];

	if (event_ring_init(&d->events, -1) < 0) {
		log_errx("no memory for the events ring");
		return -1;
	}
	d->events_up = 1;
	if ((d->wh = webhook_start(NULL, err, sizeof(err))) == NULL) {
		log_errx("webhooks: %s", err);
		return -1;
	}
	if (responder_init(&d->resp, &d->live, d->wh) < 0) {
		log_errx("response rules: no reader slot in the policy");
		return -1;
	}
	d->resp_up = 1;
	d->resp.on_quarantine = quarantined;
	d->resp.ctx = &d->live;
	d->writer.resp = &d->resp;
	if (daemon_response_reload(d, err, sizeof(err)) < 0) {
		log_errx("response rules: %s", err);
		return -1;
	}
	return 0;
}

struct event_rec *
daemon_event(struct daemon *d, enum event_type type, enum event_level level,
    enum event_action action, const char *name)
{
	struct record *r;

	if (!d->events_up || (r = event_ring_reserve(&d->events, REC_EVENT)) == NULL)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->type = REC_EVENT;
	r->u.ev.time_ms = clock_real_ms();
	r->u.ev.type = (uint8_t)type;
	r->u.ev.level = (uint8_t)level;
	r->u.ev.action = (uint8_t)action;
	snprintf(r->u.ev.name, sizeof(r->u.ev.name), "%s", name);
	return &r->u.ev;
}

void
daemon_event_commit(struct daemon *d)
{
	event_ring_commit(&d->events);
}

void
daemon_changed(struct daemon *d, int argc, char **argv)
{
	struct event_rec *ev = daemon_event(d, EV_INCIDENT, EV_INFO, EV_ALLOW, "policy change");
	size_t n;

	if (ev == NULL)
		return;
	n = (size_t)snprintf(ev->message, sizeof(ev->message), "nvctl");
	for (int i = 0; i < argc && n < sizeof(ev->message) - 1; i++)
		n += (size_t)snprintf(ev->message + n, sizeof(ev->message) - n, " %s", argv[i]);
	for (char *p = ev->message; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	daemon_event_commit(d);
}

/*
 * Packets the queues could not take since the last look: the kernel's
 * queue_dropped and user_dropped (full queues that drop: protect queues,
 * and the others with fail_mode closed), those nvd saw pass fail-open
 * (missed), and with fail_mode open and nvd's rules, those the steering
 * rules queued that neither reached nvd nor wait in a queue (nvctl
 * status's passed_unseen).  The rules' counters start again when the
 * rules are replaced: that look counts none of those.
 */
static uint64_t
overload_more(struct daemon *d)
{
	uint64_t drops = 0, waiting = 0, received = 0, queued[2], more;
	int counted;

	for (int i = 0; i < d->nworkers; i++) {
		struct nfq_kstats k;
		struct nfq_stats q;

		nfq_kernel_stats(d->workers[i].queue, &k);
		drops += k.queue_dropped + k.user_dropped;
		waiting += k.queue_total;
		nfq_kernel_stats(d->workers[i].protect_queue, &k);
		drops += k.queue_dropped + k.user_dropped;
		if (d->queues[i]) {
			nfq_queue_stats(d->queues[i], &q);
			drops += q.missed;
			received += q.received[0];
		}
	}
	more = drops - d->overload.drops;
	counted = d->conf.fail_mode == FAIL_OPEN && d->hook != NFT_HOOK_NONE &&
	    nft_counters(&d->conf, &queued[0], &queued[1]) == 0;
	if (counted && d->overload.counted && queued[0] >= d->overload.queued) {
		int64_t unseen = (int64_t)(queued[0] - d->overload.queued) -
		    (int64_t)(received - d->overload.received) -
		    ((int64_t)waiting - (int64_t)d->overload.waiting);

		if (unseen > 0)
			more += (uint64_t)unseen;
	}
	d->overload.drops = drops;
	d->overload.counted = counted;
	d->overload.queued = counted ? queued[0] : 0;
	d->overload.received = received;
	d->overload.waiting = waiting;
	return more;
}

#define OVERLOAD_CHECK_MS	1000
#define OVERLOAD_QUIET_MS	10000	/* no growth for this long: the overload is over */
#define OVERLOAD_MIN		8	/* packets a look must find, not ones in transit */

/* An overload of the queues is an event when it begins and when it ends. */
static void
overload_check(struct daemon *d)
{
	int64_t now = (int64_t)clock_mono_ms();
	uint64_t total, more;
	struct event_rec *ev;

	if (now - d->overload.check_ms < OVERLOAD_CHECK_MS || d->nworkers == 0)
		return;
	d->overload.check_ms = now;
	more = overload_more(d);
	if (more < OVERLOAD_MIN)
		more = 0;	/* at most packets in transit */
	total = d->overload.total + more;
	if (total > d->overload.total && !d->overload.on) {
		d->overload.on = 1;
		d->overload.since = d->overload.total;
		if ((ev = daemon_event(d, EV_INCIDENT, EV_WARNING, EV_ALERT, "queue full")) != NULL) {
			snprintf(ev->message, sizeof(ev->message), "overload: the queues are full; "
			    "packets are not judged (fail_mode %s: %s; protect-mode traffic is "
			    "dropped)", conf_fail_mode_name(d->conf.fail_mode),
			    d->conf.fail_mode == FAIL_OPEN ? "the others pass" : "dropped");
			daemon_event_commit(d);
		}
	}
	if (total > d->overload.total)
		d->overload.grew_ms = now;
	d->overload.total = total;
	if (d->overload.on && now - d->overload.grew_ms >= OVERLOAD_QUIET_MS) {
		d->overload.on = 0;
		if ((ev = daemon_event(d, EV_INCIDENT, EV_WARNING, EV_ALERT, "queue full")) != NULL) {
			snprintf(ev->message, sizeof(ev->message), "overload over: %llu packets were "
			    "not judged", (unsigned long long)(total - d->overload.since));
			daemon_event_commit(d);
		}
	}
}

int
daemon_init(struct daemon *d)
{
	char err[512];
	d->started = time(NULL);
	if (make_parent(d->conf.database, 0750) < 0)
		log_warn("creating the directory of %s", d->conf.database);
	if ((d->db = db_open(d->conf.database, err, sizeof(err))) == NULL) {
		log_errx("database: %s", err);
		return -1;
	}
	/* start-up waits as long as before for a lock; requests far less */
	d->db_until = clock_mono_ms() + DB_BUSY_MS;
	db_wait_until(d->db, &d->db_until);
	load_rules(d);
	crs_start(d);
	if (d->conf.pcap_dir[0] && mkdir(d->conf.pcap_dir, 0750) < 0 && errno != EEXIST)
		log_warn("pcap_dir %s", d->conf.pcap_dir);
	if (live_init(&d->live, d->db, d->conf.default_mode, d->conf.queue_count, err,
	    sizeof(err)) < 0) {
		log_errx("policy: %s", err);
		return -1;
	}
	d->live_up = 1;
	resolvers_load(d->conf.dns_resolvers, &d->live.resolvers);
	if (live_rebuild(&d->live, err, sizeof(err)) < 0) {
		log_errx("policy: %s", err);
		return -1;
	}
	if (policy_crs_assigned(live_current(&d->live)))
		daemon_crs_need(d);
	if (writer_init(&d->writer, d->conf.database, err, sizeof(err)) < 0) {
		log_errx("writer: %s", err);
		return -1;
	}
	audit_settings(d);
	d->writer_up = 1;
	d->writer.on_learned = learned;
	d->writer.ctx = &d->live;
	if (admission_run_init(&d->adm, d->db, d->conf.authz_socket, &d->writer) < 0)
		return -1;
	if (response_init(d) < 0)
		return -1;
	{
		struct fqdn_limits fl = { .max_bindings = d->conf.dns_max_bindings,
		    .min_ttl = d->conf.dns_min_ttl };

		if ((d->fqdn = fqdn_cache_new(&fl)) == NULL) {
			log_errx("no memory for the DNS name cache");
			return -1;
		}
	}
	if (make_parent(d->conf.control_socket, 0755) < 0)
		log_warn("creating the directory of %s", d->conf.control_socket);
	return 0;
}

/* The docker thread's ports (dockerwatch.h): from the kernel (link.h). */
static int
docker_find_ports(void *ctx, int pid, struct dockerwatch_port *out, int max, char *err,
    size_t errlen)
{
	struct link_peer lp[DOCKER_MAX_ADDRS];
	int n = link_peers(pid, lp, max < DOCKER_MAX_ADDRS ? max : DOCKER_MAX_ADDRS, err, errlen);

	(void)ctx;
	for (int i = 0; i < n; i++) {
		memcpy(out[i].mac, lp[i].mac, sizeof(out[i].mac));
		out[i].ifindex = lp[i].peer;
	}
	return n;
}

static const struct dockerwatch_ports docker_ports = { docker_find_ports, NULL };

int
daemon_start(struct daemon *d)
{
	char err[512];

	/* Queues first: once the rules steer traffic, someone is listening. */
	if (start_workers(d) < 0 || install_rules(d, &d->conf, NULL) < 0)
		return -1;
	/* Flows bypassed before this start (an earlier run, another policy
	 * meanwhile) are judged again; then policy changes reach them. */
	bypass_sweep_all(d, "start");
	d->bypass.used[live_bypass_gen(live_gen(&d->live))] = 1;
	d->live.tighten = bypass_tighten;
	d->live.tighten_ctx = d;
	d->live.compiled = policy_compiled;
	d->live.compiled_ctx = d;
	/* before the docker thread, whose requests an engine that names nvd's
	 * plugin answers only once the plugin does */
	admission_run_start(&d->adm, d->conf.authz_socket);
	if (d->conf.docker_socket[0] &&
	    (d->dw = dockerwatch_start(d->conf.docker_socket, &d->live, &docker_ports, err,
	    sizeof(err))) == NULL) {
		log_errx("docker: %s", err);
		return -1;
	}
	return 0;
}

/*
 * Rebuilds the policy when asked (Docker, learning), at most every
 * REBUILD_MIN_MS so a burst of changes costs one rebuild, and again
 * REBUILD_RETRY_MS after one failed (a database locked longer than
 * DAEMON_DB_WAIT_MS); frees snapshots
 * the workers are done with; hands bypassed flows back when due.
 */
#define REBUILD_MIN_MS	200
#define REBUILD_RETRY_MS	1000
void
daemon_housekeeping(struct daemon *d, int woken)
{
	uint64_t n;
	char err[256];

	if (woken && read(d->live.wake_fd, &n, sizeof(n)) == sizeof(n))
		d->rebuild_pending = 1;
	if (d->rebuild_pending && clock_mono_ms() >= d->rebuild_after &&
	    (int64_t)clock_mono_ms() - d->live.last_rebuild_ms >= REBUILD_MIN_MS) {
		d->rebuild_pending = 0;
		daemon_db_deadline(d);
		if (live_refresh(&d->live, err, sizeof(err)) < 0) {
			static struct log_limit lim;	/* main thread */

			/* a locked database: the old policy stays, tried again */
			if (log_limit_ok(&lim, 60))
				log_warnx("policy: %s; trying again every %d ms", err,
				    REBUILD_RETRY_MS);
			d->rebuild_pending = 1;
			d->rebuild_after = clock_mono_ms() + REBUILD_RETRY_MS;
		}
	}
	live_reclaim(&d->live);
	bypass_housekeeping(d);
	kdec_run_poll(&d->kdec, &d->conf, clock_mono_ms());
	fqdn_expire(d->fqdn, clock_mono_ms(), 65536);
	overload_check(d);
}

void
daemon_stop(struct daemon *d)
{
	admission_run_stop(&d->adm);
	if (d->dw) {
		dockerwatch_stop(d->dw);
		d->dw = NULL;
	}
	if (d->hook != NFT_HOOK_NONE && nft_remove(d->conf.nft_table) == 0)
		log_info("nftables: table inet %s removed", d->conf.nft_table);
	d->hook = NFT_HOOK_NONE;
	kdec_run_free(&d->kdec);
	stop_workers(d);
	crs_pool_free(d->crs);	/* before the workers' queues of results go */
	d->crs = NULL;
	if (d->writer_up)	/* after the workers: their last records are written */
		writer_stop(&d->writer);
	d->writer_up = 0;
	webhook_stop(d->wh);	/* after the writer: what it queued is dropped */
	d->wh = NULL;
	if (d->resp_up)
		responder_destroy(&d->resp);
	response_set_free(d->resp_last);
	d->resp_last = NULL;
	d->resp_up = 0;
	if (d->events_up)
		event_ring_destroy(&d->events);
	d->events_up = 0;
	destroy_workers(d);
	admission_run_free(&d->adm);
	fqdn_cache_free(d->fqdn);
	d->fqdn = NULL;
	if (d->live_up)
		live_destroy(&d->live);
	d->live_up = 0;
	db_close(d->db);
	d->db = NULL;
}
