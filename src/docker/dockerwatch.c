/*
 * dockerwatch.c: the docker thread (see dockerwatch.h for what it keeps
 * and when it reconnects).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "docker/docker.h"
#include "docker/dockerwatch.h"
#include "runtime/live.h"
#include "base/log.h"
#include "policy/policy.h"

struct dockerwatch {
	char path[108];
	struct live *live;
	struct dockerwatch_ports ports;	/* find NULL: none */
	int wake_fd;			/* eventfd: stop */
	int stop;			/* atomic */
	pthread_t thread;

	pthread_mutex_t lock;		/* st */
	struct dockerwatch_status st;

	/* The docker thread's own. */
	int was_connected;		/* ever, for reconnects */
	int backoff;			/* ms before the next try */
	int down_logged;		/* this outage was logged */
	char (*ids)[DOCKER_ID_LEN + 1];	/* the Docker workloads set now */
	int nids, capids;
	struct docker_container ct;	/* ~30 KB: kept off the stack */
	struct docker_image *images[DOCKERWATCH_IMAGES];	/* read before, owned */
	int next_image;			/* the slot the next one takes */
	char chunk[16384];
	char err[256];
};

static int __attribute__((format(printf, 2, 3)))
dw_fail(struct dockerwatch *dw, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dw->err, sizeof(dw->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int
stopping(struct dockerwatch *dw)
{
	return __atomic_load_n(&dw->stop, __ATOMIC_ACQUIRE);
}

/* --- conversion ------------------------------------------------------------ */

/* Copies src, cut to fit dst. */
static void
copy_cut(char *dst, size_t dstlen, const char *src)
{
	size_t n = strnlen(src, dstlen - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The assets of c as the policy keeps them (running: the state when
 * Docker gave none). */
static void
asset_of(const struct docker_container *c, struct policy_asset *a)
{
	copy_cut(a->state, sizeof(a->state), c->asset.state[0] ? c->asset.state :
	    c->running ? "running" : "exited");
	a->privileged = c->asset.privileged;
	a->root = docker_asset_root(&c->asset);
	copy_cut(a->user, sizeof(a->user), c->asset.user);
	docker_asset_ports_text(&c->asset, a->ports, sizeof(a->ports));
	docker_asset_nets_text(&c->asset, a->networks, sizeof(a->networks));
}

int
dockerwatch_workload(const struct docker_container *c, struct policy_workload *w)
{
	int i;

	_Static_assert(sizeof(w->id) >= sizeof(c->id), "a container id fits a workload id");
	memset(w, 0, sizeof(*w));
	memcpy(w->id, c->id, sizeof(c->id));
	copy_cut(w->name, sizeof(w->name), c->name);
	copy_cut(w->image, sizeof(w->image), c->image);
	copy_cut(w->service, sizeof(w->service), c->service);
	copy_cut(w->project, sizeof(w->project), c->project);
	if (c->nlabels > 0) {
		if ((w->labels = calloc((size_t)c->nlabels, sizeof(*w->labels))) == NULL)
			return -1;
		for (i = 0; i < c->nlabels; i++) {
			copy_cut(w->labels[i].key, sizeof(w->labels[i].key), c->labels[i].key);
			copy_cut(w->labels[i].value, sizeof(w->labels[i].value), c->labels[i].value);
		}
		w->nlabels = c->nlabels;
	}
	for (i = 0; i < c->naddrs && w->naddrs < POLICY_MAX_ADDRS; i++) {
		w->addrs[w->naddrs].family = c->addrs[i].family;
		memcpy(w->addrs[w->naddrs].addr, c->addrs[i].addr, sizeof(w->addrs[0].addr));
		w->addrs[w->naddrs].ifindex = c->addrs[i].ifindex;
		w->naddrs++;
	}
	asset_of(c, &w->asset);
	return 0;
}

/* --- status ---------------------------------------------------------------- */

void
dockerwatch_status(struct dockerwatch *dw, struct dockerwatch_status *st)
{
	pthread_mutex_lock(&dw->lock);
	*st = dw->st;
	pthread_mutex_unlock(&dw->lock);
}

static void
st_error(struct dockerwatch *dw)
{
	pthread_mutex_lock(&dw->lock);
	dw->st.errors++;
	snprintf(dw->st.last_error, sizeof(dw->st.last_error), "%s", dw->err);
	pthread_mutex_unlock(&dw->lock);
}

static void
st_connected(struct dockerwatch *dw, int connected)
{
	pthread_mutex_lock(&dw->lock);
	if (dw->st.connected != connected)
		dw->st.since = (int64_t)time(NULL);
	dw->st.connected = connected;
	if (connected) {
		dw->st.connects++;
		if (dw->was_connected)
			dw->st.reconnects++;
	}
	pthread_mutex_unlock(&dw->lock);
}

/* --- the set of Docker workloads -------------------------------------------- */

static int
ids_find(const struct dockerwatch *dw, const char *id)
{
	for (int i = 0; i < dw->nids; i++)
		if (strcmp(dw->ids[i], id) == 0)
			return i;
	return -1;
}

/* Remembers id; -1 for lack of memory. */
static int
ids_add(struct dockerwatch *dw, const char *id)
{
	char (*n)[DOCKER_ID_LEN + 1];
	int cap;

	if (ids_find(dw, id) >= 0)
		return 0;
	if (dw->nids == dw->capids) {
		cap = dw->capids ? dw->capids * 2 : 64;
		if ((n = realloc(dw->ids, (size_t)cap * sizeof(*n))) == NULL)
			return -1;
		dw->ids = n;
		dw->capids = cap;
	}
	copy_cut(dw->ids[dw->nids++], sizeof(dw->ids[0]), id);
	return 0;
}

static void
ids_del(struct dockerwatch *dw, const char *id)
{
	int i = ids_find(dw, id);

	if (i >= 0)
		memcpy(dw->ids[i], dw->ids[--dw->nids], sizeof(dw->ids[0]));
}

static void
st_containers(struct dockerwatch *dw)
{
	pthread_mutex_lock(&dw->lock);
	dw->st.containers = dw->nids;
	pthread_mutex_unlock(&dw->lock);
}

static void
workload_remove(struct dockerwatch *dw, const char *id)
{
	live_workload_remove(dw->live, id);
	ids_del(dw, id);
	st_containers(dw);
}

/* --- requests --------------------------------------------------------------- */

/* The image with id, read before, or NULL. */
static const struct docker_image *
image_cached(const struct dockerwatch *dw, const char *id)
{
	for (int i = 0; i < DOCKERWATCH_IMAGES; i++)
		if (dw->images[i] && !strcmp(dw->images[i]->id, id))
			return dw->images[i];
	return NULL;
}

/*
 * The image of dw->ct, from the cache or the engine, into *img.  Returns 0
 * (*img NULL when the container names no image or the engine has none by
 * its id), or -1 with dw->err.
 */
static int
image_of(struct dockerwatch *dw, const struct docker_image **img)
{
	const char *id = dw->ct.image_id;
	char req[DOCKER_REQ_MAX], err[200];
	struct docker_image *m;
	struct buf body;
	int rc = -1;

	*img = NULL;
	if (*id == '\0' || (*img = image_cached(dw, id)) != NULL)
		return 0;
	if (docker_req_image(req, sizeof(req), id) < 0)
		return dw_fail(dw, "image: bad image id '%.80s'", id);
	if ((m = malloc(sizeof(*m))) == NULL)
		return dw_fail(dw, "no memory for image %.19s", id);
	buf_init(&body);
	if (docker_request(dw->path, req, &body, err, sizeof(err)) < 0) {
		if (strncmp(err, "HTTP 404", 8) == 0)
			rc = 0;
		else
			dw_fail(dw, "image %.19s: %s", id, err);
	} else if (docker_parse_image(body.data, body.len, m, err, sizeof(err)) < 0)
		dw_fail(dw, "image %.19s: %s", id, err);
	else if (strcmp(m->id, id) != 0)
		dw_fail(dw, "image %.19s: the engine answered for %.19s", id, m->id);
	else {
		free(dw->images[dw->next_image]);
		dw->images[dw->next_image] = m;
		dw->next_image = (dw->next_image + 1) % DOCKERWATCH_IMAGES;
		*img = m;
		m = NULL;
		rc = 0;
	}
	free(m);
	buf_free(&body);
	return rc;
}

/*
 * Each address of dw->ct gets the port of its network's interface: the
 * one with the network's MacAddress.  Ports that cannot be found are not
 * known (0): the container's packets are judged by their addresses only.
 */
static void
ports_of(struct dockerwatch *dw)
{
	struct dockerwatch_port p[DOCKER_MAX_ADDRS];
	struct docker_container *c = &dw->ct;
	char err[200];
	int n;

	if (dw->ports.find == NULL || c->pid <= 0 || c->naddrs == 0)
		return;
	if ((n = dw->ports.find(dw->ports.ctx, c->pid, p, DOCKER_MAX_ADDRS, err,
	    sizeof(err))) < 0) {
		log_debug("docker: container %s (%.12s): no ports: %s", c->name, c->id, err);
		return;
	}
	for (int a = 0; a < c->naddrs; a++)
		for (int i = 0; i < n && c->addrs[a].has_mac; i++)
			if (!memcmp(p[i].mac, c->addrs[a].mac, sizeof(p[i].mac)))
				c->addrs[a].ifindex = p[i].ifindex;
}

/*
 * Inspects id into dw->ct, with the labels it sets itself and its ports.
 * Returns 1 if it is running, 0 if it is not or no longer exists, -1 with
 * dw->err on failure.
 */
static int
inspect(struct dockerwatch *dw, const char *id)
{
	const struct docker_image *img;
	char req[DOCKER_REQ_MAX], err[200];
	struct buf body;
	int rc = -1;

	buf_init(&body);
	if (docker_req_inspect(req, sizeof(req), id) < 0)
		return dw_fail(dw, "inspect: bad container id '%.64s'", id);
	if (docker_request(dw->path, req, &body, err, sizeof(err)) < 0) {
		if (strncmp(err, "HTTP 404", 8) == 0)
			rc = 0;
		else
			dw_fail(dw, "inspect %.12s: %s", id, err);
	} else if (docker_parse_container(body.data, body.len, &dw->ct, err, sizeof(err)) < 0)
		dw_fail(dw, "container %.12s: %s", id, err);
	else if (!dw->ct.running)
		rc = 0;
	else if (image_of(dw, &img) == 0) {
		docker_labels_own(&dw->ct, img);
		ports_of(dw);
		rc = 1;
	}
	buf_free(&body);
	return rc;
}

/* Sets or removes the workload of container id as Docker has it now. */
static int
refresh(struct dockerwatch *dw, const char *id)
{
	struct policy_workload w;
	int rc;

	if ((rc = inspect(dw, id)) < 0)
		return -1;
	if (rc == 0) {
		workload_remove(dw, id);
		return 0;
	}
	if (dockerwatch_workload(&dw->ct, &w) < 0 || ids_add(dw, w.id) < 0 ||
	    live_workload_set(dw->live, &w) < 0) {
		policy_workload_clear(&w);
		return dw_fail(dw, "no memory for container %.12s", id);
	}
	log_debug("docker: container %s (%.12s) running", w.name, w.id);
	policy_workload_clear(&w);
	st_containers(dw);
	return 0;
}

static void
workloads_free(struct policy_workload *w, int n)
{
	for (int i = 0; i < n; i++)
		policy_workload_clear(&w[i]);
	free(w);
}

/* Inspects the containers ids[0..n-1] into w[*nw..]; -1 with dw->err. */
static int
inspect_all(struct dockerwatch *dw, char (*ids)[DOCKER_ID_LEN + 1], size_t n,
    struct policy_workload *w, int *nw)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (stopping(dw))
			return dw_fail(dw, "stopping");
		if ((rc = inspect(dw, ids[i])) < 0)
			return -1;
		if (rc == 0)
			continue;
		if (dockerwatch_workload(&dw->ct, &w[*nw]) < 0)
			return dw_fail(dw, "no memory for container %.12s", ids[i]);
		(*nw)++;
	}
	return 0;
}

/*
 * The ids of the running containers into *ids (the caller frees it) and
 * their count into *n.  -1 with dw->err.
 */
static int
list_ids(struct dockerwatch *dw, char (**ids)[DOCKER_ID_LEN + 1], size_t *n)
{
	char req[DOCKER_REQ_MAX], err[200];
	struct buf body;
	int rc = -1;

	*ids = NULL;
	*n = 0;
	buf_init(&body);
	if (docker_req_list(req, sizeof(req)) < 0)
		dw_fail(dw, "list request does not fit");
	else if (docker_request(dw->path, req, &body, err, sizeof(err)) < 0)
		dw_fail(dw, "list: %s", err);
	else if ((*ids = calloc(DOCKERWATCH_MAX_CONTAINERS, sizeof(**ids))) == NULL)
		dw_fail(dw, "no memory for the container list");
	else if (docker_parse_list(body.data, body.len, *ids, DOCKERWATCH_MAX_CONTAINERS, n,
	    err, sizeof(err)) < 0)
		dw_fail(dw, "%s", err);
	else
		rc = 0;
	buf_free(&body);
	return rc;
}

/*
 * Lists and inspects every running container and replaces the Docker
 * workloads with them.  Returns the count, or -1 with dw->err.
 */
static int
sync_all(struct dockerwatch *dw)
{
	char (*ids)[DOCKER_ID_LEN + 1] = NULL;
	struct policy_workload *w = NULL;
	size_t n = 0;
	int nw = 0, rc = -1;

	if (list_ids(dw, &ids, &n) < 0)
		goto out;
	if (n > 0 && (w = calloc(n, sizeof(*w))) == NULL) {
		dw_fail(dw, "no memory for the container list");
		goto out;
	}
	if (inspect_all(dw, ids, n, w, &nw) < 0)
		goto out;
	dw->nids = 0;
	for (int i = 0; i < nw; i++)
		if (ids_add(dw, w[i].id) < 0) {
			dw_fail(dw, "no memory for the container list");
			goto out;
		}
	if (live_workloads_replace(dw->live, w, nw) < 0) {
		dw_fail(dw, "no memory for the workloads");
		goto out;
	}
	st_containers(dw);
	rc = nw;
out:
	workloads_free(w, nw);
	free(ids);
	return rc;
}

/* --- networks and nudges ---------------------------------------------------- */

static void
st_subnets(struct dockerwatch *dw, int n)
{
	pthread_mutex_lock(&dw->lock);
	dw->st.subnets = n;
	pthread_mutex_unlock(&dw->lock);
}

/* The subnets of sn[0..n-1] for the policy, handed to live. */
static int
nets_publish(struct dockerwatch *dw, const struct docker_subnet *sn, size_t n)
{
	struct policy_net *nets = calloc(n + 1, sizeof(*nets));
	int rc;

	if (nets == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		nets[i].family = sn[i].family;
		memcpy(nets[i].addr, sn[i].addr, sizeof(nets[i].addr));
		nets[i].prefix = sn[i].prefix;
	}
	rc = live_nets_set(dw->live, nets, (int)n);
	free(nets);
	return rc;
}

/*
 * Lists the networks and hands their bridge subnets to live.  -1 with
 * dw->err: Docker could not be asked, or answered what cannot be read.
 */
static int
sync_networks(struct dockerwatch *dw)
{
	char req[DOCKER_REQ_MAX], err[200];
	struct docker_subnet *sn = NULL;
	struct buf body;
	size_t n = 0;
	int rc = -1;

	buf_init(&body);
	if (docker_req_networks(req, sizeof(req)) < 0)
		dw_fail(dw, "networks request does not fit");
	else if (docker_request(dw->path, req, &body, err, sizeof(err)) < 0)
		dw_fail(dw, "networks: %s", err);
	else if ((sn = calloc(DOCKER_MAX_SUBNETS, sizeof(*sn))) == NULL)
		dw_fail(dw, "no memory for the networks");
	else if (docker_parse_networks(body.data, body.len, sn, DOCKER_MAX_SUBNETS, &n,
	    err, sizeof(err)) < 0)
		dw_fail(dw, "%s", err);
	else if (nets_publish(dw, sn, n) < 0)
		dw_fail(dw, "no memory for the networks");
	else {
		log_debug("docker: %zu bridge subnet%s", n, n == 1 ? "" : "s");
		st_subnets(dw, (int)n);
		rc = 0;
	}
	free(sn);
	buf_free(&body);
	return rc;
}

/* Whether a worker nudged since the last call (reads the eventfd). */
static int
nudged(struct dockerwatch *dw)
{
	uint64_t n;

	return read(dw->live->nudge_fd, &n, sizeof(n)) == sizeof(n);
}

/*
 * A worker met an address it cannot identify: the running containers not
 * known yet are inspected and set now, ahead of their events.  -1 with
 * dw->err.
 */
static int
look(struct dockerwatch *dw)
{
	char (*ids)[DOCKER_ID_LEN + 1];
	size_t n;
	int found = 0, rc = 0;

	if (list_ids(dw, &ids, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (ids_find(dw, ids[i]) >= 0)
			continue;
		if ((rc = refresh(dw, ids[i])) == 0 && ids_find(dw, ids[i]) >= 0)
			found++;
	}
	free(ids);
	pthread_mutex_lock(&dw->lock);
	dw->st.nudges++;
	dw->st.nudge_found += (uint64_t)found;
	pthread_mutex_unlock(&dw->lock);
	if (found)
		log_debug("docker: nudged: %d container%s found before %s events", found,
		    found == 1 ? "" : "s", found == 1 ? "its" : "their");
	return rc;
}

/*
 * The engine's version, for nvctl host: asked at each connection (an
 * upgraded engine comes back as a new one).  One it does not tell is no
 * failure: the version stays unknown ("").
 */
static void
sync_version(struct dockerwatch *dw)
{
	char req[DOCKER_REQ_MAX], err[200] = "request does not fit";
	struct docker_version v;
	struct buf body;

	memset(&v, 0, sizeof(v));
	buf_init(&body);
	if (docker_req_version(req, sizeof(req)) < 0 ||
	    docker_request(dw->path, req, &body, err, sizeof(err)) < 0 ||
	    docker_parse_version(body.data, body.len, &v, err, sizeof(err)) < 0)
		log_debug("docker: no version: %s", err);
	buf_free(&body);
	pthread_mutex_lock(&dw->lock);
	snprintf(dw->st.version, sizeof(dw->st.version), "%s", v.version);
	snprintf(dw->st.api_version, sizeof(dw->st.api_version), "%s", v.api);
	pthread_mutex_unlock(&dw->lock);
}

/* --- the events stream ------------------------------------------------------ */

/*
 * Acts on one event.  A bad event is counted and skipped; -1 (with
 * dw->err) only when the engine could not be asked, which means a new
 * connection and list.
 */
static int
on_event(struct dockerwatch *dw, const char *text, size_t len)
{
	struct docker_event ev;
	char err[200];

	pthread_mutex_lock(&dw->lock);
	dw->st.events++;
	pthread_mutex_unlock(&dw->lock);
	if (docker_parse_event(text, len, &ev, err, sizeof(err)) < 0) {
		dw_fail(dw, "%s", err);
		log_debug("docker: %s", dw->err);
		st_error(dw);
		return 0;
	}
	switch (ev.action) {
	case DOCKER_ACT_START:
	case DOCKER_ACT_RESTART:
	case DOCKER_ACT_PAUSE:		/* its state, for the assets; it keeps its addresses */
	case DOCKER_ACT_UNPAUSE:
	case DOCKER_ACT_RENAME:
	case DOCKER_ACT_CONNECT:
	case DOCKER_ACT_DISCONNECT:
		log_debug("docker: %s %.12s", ev.action_name, ev.id);
		return refresh(dw, ev.id);
	case DOCKER_ACT_STOP:
	case DOCKER_ACT_DIE:
	case DOCKER_ACT_DESTROY:
		log_debug("docker: %s %.12s", ev.action_name, ev.id);
		workload_remove(dw, ev.id);
		return 0;
	case DOCKER_ACT_NETWORK:
		log_debug("docker: network %s", ev.action_name);
		return sync_networks(dw);
	default:	/* create, others */
		return 0;
	}
}

/* Feeds n stream bytes and acts on each event in them; -1 with dw->err. */
static int
on_bytes(struct dockerwatch *dw, struct docker_resp *r, const char *data, size_t n)
{
	const char *ev;
	size_t off = 0, evlen;
	ssize_t k;

	while (off < n) {
		if ((k = docker_events_feed(r, data + off, n - off, &ev, &evlen)) < 0)
			return dw_fail(dw, "events: %s", r->err);
		off += (size_t)k;
		if (ev != NULL && on_event(dw, ev, evlen) < 0)
			return -1;
		if (ev != NULL && nudged(dw) && look(dw) < 0)
			return -1;
	}
	return 0;
}

static void
on_connected(struct dockerwatch *dw, int count)
{
	st_connected(dw, 1);
	dw->was_connected = 1;
	dw->down_logged = 0;
	dw->backoff = DOCKERWATCH_BACKOFF_MIN_MS;
	log_info("docker: connected to %s, %d running container%s", dw->path, count,
	    count == 1 ? "" : "s");
}

enum { WAIT_STOP = -1, WAIT_TIMEOUT, WAIT_READY, WAIT_ERROR, WAIT_NUDGE };

/*
 * Waits for fd (-1: none) to be readable or hung up, timeout_ms (-1:
 * forever), or the stop; with fd, a worker's nudge too (WAIT_NUDGE, read).
 */
static int
wait_fd(struct dockerwatch *dw, int fd, int timeout_ms)
{
	struct pollfd pfd[3] = { { .fd = dw->wake_fd, .events = POLLIN }, { .fd = fd, .events = POLLIN },
	    { .fd = dw->live->nudge_fd, .events = POLLIN } };
	int n;

	do {
		if (stopping(dw))
			return WAIT_STOP;
		n = poll(pfd, fd < 0 ? 1 : dw->live->nudge_fd < 0 ? 2 : 3, timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (stopping(dw) || (pfd[0].revents & POLLIN))
		return WAIT_STOP;
	if (n < 0) {
		dw_fail(dw, "poll: %s", strerror(errno));
		return WAIT_ERROR;
	}
	if (fd >= 0 && (pfd[2].revents & POLLIN) && nudged(dw))
		return WAIT_NUDGE;
	return n > 0 ? WAIT_READY : WAIT_TIMEOUT;
}

/*
 * One connection: the stream, the list once the engine answered, then
 * events until the stream ends.  Returns 0 when stopped, -1 with dw->err
 * when the connection failed or ended.
 */
static int
watch(struct dockerwatch *dw, int fd, struct docker_resp *r)
{
	long long deadline = clock_mono_ms() + DOCKER_TIMEOUT_MS;
	int synced = 0, count, w;
	ssize_t n;

	for (;;) {
		if (!synced && deadline - clock_mono_ms() <= 0)
			return dw_fail(dw, "events: no answer within %d ms", DOCKER_TIMEOUT_MS);
		w = wait_fd(dw, fd, synced ? -1 : (int)(deadline - clock_mono_ms()));
		if (w == WAIT_STOP)
			return 0;
		if (w == WAIT_ERROR)
			return -1;
		if (w == WAIT_NUDGE && synced && look(dw) < 0)
			return -1;
		if (w == WAIT_TIMEOUT || w == WAIT_NUDGE)
			continue;
		if ((n = read(fd, dw->chunk, sizeof(dw->chunk))) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return dw_fail(dw, "events: read: %s", strerror(errno));
		}
		if (n == 0)
			return dw_fail(dw, "%s closed the events stream", dw->path);
		if (on_bytes(dw, r, dw->chunk, (size_t)n) < 0)
			return -1;
		if (docker_resp_done(r))
			return dw_fail(dw, "%s ended the events stream", dw->path);
		if (!synced && r->status != 0) {
			/* The stream is subscribed: what changes from now on is an event. */
			if (r->status != 200)
				return dw_fail(dw, "events: HTTP status %d", r->status);
			if (sync_networks(dw) < 0 || (count = sync_all(dw)) < 0)
				return stopping(dw) ? 0 : -1;
			sync_version(dw);
			synced = 1;
			on_connected(dw, count);
		}
	}
}

/* A connection ended or failed: says so once per outage. */
static void
on_down(struct dockerwatch *dw)
{
	st_error(dw);
	st_connected(dw, 0);
	if (!dw->down_logged)
		log_warnx("docker: %s: reconnecting", dw->err);
	else
		log_debug("docker: %s: reconnecting", dw->err);
	dw->down_logged = 1;
}

static void *
dockerwatch_main(void *arg)
{
	struct dockerwatch *dw = arg;
	struct docker_resp *r;
	int fd, rc;
	char err[200];

	if ((r = malloc(sizeof(*r))) == NULL) {
		log_warnx("docker: no memory; Docker discovery is off");
		return NULL;
	}
	while (!stopping(dw)) {
		if ((fd = docker_events_open(dw->path, err, sizeof(err))) < 0) {
			dw_fail(dw, "%s", err);
			rc = -1;
		} else {
			docker_resp_init(r, 1);
			rc = watch(dw, fd, r);
			docker_resp_free(r);
			close(fd);
		}
		if (rc == 0 || stopping(dw))
			break;
		on_down(dw);
		if (wait_fd(dw, -1, dw->backoff) == WAIT_STOP)
			break;
		dw->backoff *= 2;
		if (dw->backoff > DOCKERWATCH_BACKOFF_MAX_MS)
			dw->backoff = DOCKERWATCH_BACKOFF_MAX_MS;
	}
	free(r);
	return NULL;
}

/* --- start and stop --------------------------------------------------------- */

struct dockerwatch *
dockerwatch_start(const char *socket_path, struct live *l, const struct dockerwatch_ports *ports,
    char *err, size_t errlen)
{
	struct dockerwatch *dw;
	sigset_t all, old;

	if (strlen(socket_path) >= sizeof(dw->path)) {
		snprintf(err, errlen, "socket path too long: %s", socket_path);
		return NULL;
	}
	if ((dw = calloc(1, sizeof(*dw))) == NULL) {
		snprintf(err, errlen, "no memory");
		return NULL;
	}
	strcpy(dw->path, socket_path);
	strcpy(dw->st.socket, socket_path);
	dw->live = l;
	if (ports)
		dw->ports = *ports;
	dw->backoff = DOCKERWATCH_BACKOFF_MIN_MS;
	pthread_mutex_init(&dw->lock, NULL);
	if ((dw->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	/* Signals are the main thread's (signalfd); this thread takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	errno = pthread_create(&dw->thread, NULL, dockerwatch_main, dw);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (errno != 0) {
		snprintf(err, errlen, "thread: %s", strerror(errno));
		close(dw->wake_fd);
		goto fail;
	}
	return dw;
fail:
	pthread_mutex_destroy(&dw->lock);
	free(dw);
	return NULL;
}

void
dockerwatch_stop(struct dockerwatch *dw)
{
	uint64_t one = 1;

	if (dw == NULL)
		return;
	__atomic_store_n(&dw->stop, 1, __ATOMIC_RELEASE);
	if (write(dw->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("docker: waking the docker thread");
	pthread_join(dw->thread, NULL);
	close(dw->wake_fd);
	pthread_mutex_destroy(&dw->lock);
	for (int i = 0; i < DOCKERWATCH_IMAGES; i++)
		free(dw->images[i]);
	free(dw->ids);
	free(dw);
}
