/*
 * authz.c: the authorization plugin server (authz.h): the socket, its
 * clients served from one poll loop, the plugin API's answers, and the
 * events of what was judged.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "admission/adm_authz.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "docker/authz.h"
#include "http/http.h"

#define AUTHZ_BACKLOG	128
#define READ_CHUNK	65536

struct client {
	int fd;				/* -1: the slot is free */
	struct http_parser *hp;
	int64_t deadline;		/* of the request under way, or of idleness */
	uint64_t used;			/* when it last did something (authz.seq) */
	int in_request;			/* bytes of a request came since the last answer */
	enum adm_call call;		/* of the request being read */
	int too_big;			/* its body passed ADM_AUTHZ_MAX_REQUEST */
	struct buf body;		/* an AuthZReq's body */
	struct buf out;			/* answers not sent yet */
	size_t sent;
	int closing;			/* close once out is sent */
};

struct authz {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int lfd, stopfd;
	pthread_t thread;
	int started;
	struct adm_live *pol;
	struct event_ring *ring;
	struct sensor_scratch *scratch;
	int64_t now;
	uint64_t seq;			/* counts accepts and answers: the clients' used */
	struct client cl[AUTHZ_MAX_CLIENTS];
	pthread_mutex_t lock;		/* st */
	struct authz_status st;
	struct log_limit errlim;
};

#define COUNT(a, field)	do {						\
	pthread_mutex_lock(&(a)->lock);					\
	(a)->st.field++;						\
	pthread_mutex_unlock(&(a)->lock);				\
} while (0)

/* --- answers ------------------------------------------------------------- */

static void
respond(struct client *c, int status, const struct buf *body)
{
	buf_printf(&c->out, "HTTP/1.1 %d %s\r\nContent-Type: application/vnd.docker.plugins.v1.2+json"
	    "\r\nContent-Length: %zu\r\n\r\n", status, status == 200 ? "OK" : status == 404 ?
	    "Not Found" : "Bad Request", body->len);
	buf_append(&c->out, body->data, body->len);
}

static void
respond_err(struct client *c, int status, const char *msg)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "{\"Err\":");
	buf_json_str(&b, msg);
	buf_puts(&b, "}\n");
	respond(c, status, &b);
	buf_free(&b);
}

/* The event of a judged call that a rule decided, or that was unreadable. */
static void
event_push(struct authz *a, const struct adm_outcome *o)
{
	struct record *r;
	struct event_rec *ev;

	if (o->result == ADM_PASS || (r = event_ring_reserve(a->ring, REC_EVENT)) == NULL)
		return;		/* nothing to say, or counted in the ring's dropped */
	r->type = REC_EVENT;
	ev = &r->u.ev;
	memset(ev, 0, sizeof(*ev));
	ev->time_ms = clock_real_ms();
	ev->type = EV_ADMISSION;
	ev->level = o->result == ADM_ALLOWED ? EV_INFO : EV_WARNING;
	ev->action = o->result == ADM_ALLOWED ? EV_ALLOW : o->result == ADM_VIOLATION ?
	    EV_ALERT : EV_DENY;
	ev->rule_id = o->rule_id;
	snprintf(ev->name, sizeof(ev->name), "%s", adm_kind_name(o->kind));
	snprintf(ev->dst_workload, sizeof(ev->dst_workload), "%.*s",
	    (int)sizeof(ev->dst_workload) - 1, o->name);
	snprintf(ev->sensor, sizeof(ev->sensor), "%s", o->sensor);
	snprintf(ev->reason, sizeof(ev->reason), "%s", o->unreadable ? "unreadable" : "");
	adm_outcome_message(o, ev->message, sizeof(ev->message));
	event_ring_commit(a->ring);
}

static void
count_outcome(struct authz *a, const struct adm_outcome *o)
{
	pthread_mutex_lock(&a->lock);
	a->st.requests++;
	if (o->kind != ADM_OTHER) {
		a->st.judged++;
		a->st.allowed += o->result == ADM_ALLOWED;
		a->st.violations += o->result == ADM_VIOLATION;
		a->st.denied += o->result == ADM_DENIED;
		a->st.unreadable += o->unreadable;
	}
	pthread_mutex_unlock(&a->lock);
}

/* Judges the AuthZReq the client sent and answers it. */
static void
answer_req(struct authz *a, struct client *c)
{
	struct adm_policy *p = adm_live_get(a->pol);
	struct adm_outcome o;
	struct buf b;

	if (c->too_big) {
		/* nvd cannot tell what dockerd asked: judged as unreadable */
		struct adm_facts f;
		char why[96];

		memset(&o, 0, sizeof(o));
		o.kind = ADM_CREATE;
		snprintf(why, sizeof(why), "dockerd's request is larger than %u bytes",
		    ADM_AUTHZ_MAX_REQUEST);
		adm_facts_unreadable(&f, ADM_CREATE, NULL, why);
		adm_outcome_judge(p, a->scratch, &f, &o);
		adm_facts_free(&f);
	} else
		adm_authz_judge(p, a->scratch, c->body.data ? c->body.data : "", c->body.len, &o);
	if (o.kind != ADM_OTHER)
		log_debug("admission: %s %s: %s%s%s", adm_kind_name(o.kind), o.name[0] ? o.name : "-",
		    adm_result_name(o.result), o.why[0] ? ": " : "", o.why);
	count_outcome(a, &o);
	event_push(a, &o);
	adm_policy_put(p);
	buf_init(&b);
	adm_authz_reply(&b, o.allow, o.allow ? NULL : o.msg);
	respond(c, 200, &b);
	buf_free(&b);
}

/* --- the HTTP side ------------------------------------------------------- */

struct feed_ctx {
	struct authz *a;
	struct client *c;
};

static void
on_head(void *ctx, const struct http_head *h)
{
	struct client *c = ((struct feed_ctx *)ctx)->c;
	const uint8_t *q = memchr(h->target, '?', h->target_len);

	c->call = adm_authz_call((const char *)h->target,
	    q ? (size_t)(q - h->target) : h->target_len);
	c->too_big = 0;
	buf_reset(&c->body);
}

static void
on_body(void *ctx, const uint8_t *data, size_t len)
{
	struct client *c = ((struct feed_ctx *)ctx)->c;

	if (c->call != ADM_CALL_REQ || c->too_big)
		return;		/* an AuthZRes: answered without its body */
	if (c->body.len + len > ADM_AUTHZ_MAX_REQUEST) {
		c->too_big = 1;
		buf_free(&c->body);
		return;
	}
	buf_append(&c->body, data, len);
}

static void
on_end(void *ctx, unsigned flags)
{
	struct feed_ctx *f = ctx;
	struct authz *a = f->a;
	struct client *c = f->c;
	struct buf b;

	c->in_request = 0;
	c->deadline = a->now + AUTHZ_IDLE_MS;
	c->used = ++a->seq;
	if (flags & HTTP_F_TRUNCATED) {
		c->closing = 1;
		return;
	}
	buf_init(&b);
	switch (c->call) {
	case ADM_CALL_ACTIVATE:
		adm_authz_activate_reply(&b);
		respond(c, 200, &b);
		break;
	case ADM_CALL_REQ:
		if (buf_failed(&c->body))
			c->too_big = 1;
		answer_req(a, c);
		break;
	case ADM_CALL_RES:
		COUNT(a, responses);
		adm_authz_reply(&b, 1, NULL);
		respond(c, 200, &b);
		break;
	case ADM_CALL_UNKNOWN:
		COUNT(a, bad_requests);
		respond_err(c, 404, "nvd serves the authz plugin API only");
		break;
	}
	buf_free(&b);
	buf_reset(&c->body);
	if (c->body.cap > READ_CHUNK)
		buf_free(&c->body);	/* a large request's memory goes back */
}

static const struct http_callbacks callbacks = { on_head, on_body, on_end };

/* --- clients ------------------------------------------------------------- */

static void
client_close(struct client *c)
{
	if (c->fd < 0)
		return;
	close(c->fd);
	http_parser_free(c->hp);
	buf_free(&c->body);
	buf_free(&c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Sends what it can of c's answers; -1 when the connection is done for. */
static int
client_flush(struct client *c)
{
	while (c->sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->sent, c->out.len - c->sent,
		    MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->sent += (size_t)n;
	}
	buf_reset(&c->out);
	c->sent = 0;
	return c->closing ? -1 : 0;
}

static void
client_read(struct authz *a, struct client *c)
{
	struct feed_ctx f = { a, c };
	char chunk[READ_CHUNK];
	ssize_t n = recv(c->fd, chunk, sizeof(chunk), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		http_parser_eof(c->hp, &callbacks, &f);
		client_close(c);
		return;
	}
	if (!c->in_request) {
		c->in_request = 1;
		c->deadline = a->now + AUTHZ_REQUEST_MS;
	}
	if (http_parser_feed(c->hp, (const uint8_t *)chunk, (size_t)n, &callbacks, &f) < 0) {
		COUNT(a, bad_requests);
		respond_err(c, 400, "not an HTTP/1.1 request nvd reads");
		c->closing = 1;
	}
	if (buf_failed(&c->out) || client_flush(c) < 0)
		client_close(c);
	else if (c->out.len)	/* a peer that does not read its answer */
		c->deadline = a->now + AUTHZ_REQUEST_MS;
}

/* A free slot, making one from the least recently used idle connection if need be. */
static struct client *
slot_get(struct authz *a)
{
	struct client *idle = NULL;

	for (int i = 0; i < AUTHZ_MAX_CLIENTS; i++) {
		struct client *c = &a->cl[i];

		if (c->fd < 0)
			return c;
		if (!c->in_request && c->out.len == 0 && (idle == NULL || c->used < idle->used))
			idle = c;
	}
	if (idle)
		client_close(idle);
	return idle;
}

static void
accept_one(struct authz *a)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct client *c;
	int fd = accept4(a->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		COUNT(a, refused);
		close(fd);
		return;
	}
	if ((c = slot_get(a)) == NULL || (c->hp = http_parser_new(0, NULL)) == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->deadline = a->now + AUTHZ_IDLE_MS;
	c->used = ++a->seq;
	buf_init(&c->body);
	buf_init(&c->out);
	COUNT(a, connections);
}

static void *
authz_main(void *arg)
{
	struct authz *a = arg;
	struct pollfd pfd[2 + AUTHZ_MAX_CLIENTS];
	int slot[AUTHZ_MAX_CLIENTS];

	for (;;) {
		int n = 0, busy = 0;

		pfd[n++] = (struct pollfd){ .fd = a->stopfd, .events = POLLIN };
		for (int i = 0; i < AUTHZ_MAX_CLIENTS; i++) {
			struct client *c = &a->cl[i];

			if (c->fd < 0)
				continue;
			busy += c->in_request || c->out.len;
			slot[n - 1] = i;
			pfd[n++] = (struct pollfd){ .fd = c->fd,
			    .events = c->out.len ? POLLOUT : POLLIN };
		}
		/* a table full of connections under way: the backlog waits */
		if (busy < AUTHZ_MAX_CLIENTS)
			pfd[n++] = (struct pollfd){ .fd = a->lfd, .events = POLLIN };
		if (poll(pfd, (nfds_t)n, 1000) < 0 && errno != EINTR) {
			log_warn("admission: poll");
			break;
		}
		a->now = (int64_t)clock_mono_ms();
		if (pfd[0].revents)
			break;
		for (int k = 1; k < n; k++) {
			struct client *c;

			if (pfd[k].fd == a->lfd) {
				if (pfd[k].revents & POLLIN)
					accept_one(a);
				continue;
			}
			c = &a->cl[slot[k - 1]];
			if (c->fd != pfd[k].fd || pfd[k].revents == 0)
				continue;
			if (pfd[k].revents & POLLOUT) {
				if (client_flush(c) < 0)
					client_close(c);
			} else
				client_read(a, c);
		}
		for (int i = 0; i < AUTHZ_MAX_CLIENTS; i++)
			if (a->cl[i].fd >= 0 && a->now >= a->cl[i].deadline) {
				if (a->cl[i].in_request || a->cl[i].out.len)
					COUNT(a, timeouts);
				client_close(&a->cl[i]);
			}
	}
	return NULL;
}

/* --- the socket ---------------------------------------------------------- */

/* mkdir of path's directory, mode 0700, if it is missing (its parents must exist). */
static void
make_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		log_warn("admission: creating %s", dir);
}

static int
listen_on(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "authz_socket %s: path too long", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	make_dir(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		goto fail;
	/* a socket that answers belongs to a running server: never steal it */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 || errno == EAGAIN) {
		snprintf(err, errlen, "authz_socket %s is in use: is another nvd (or plugin) "
		    "serving it?", path);
		close(fd);
		return -1;
	}
	unlink(path);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		umask(old);
		goto fail;
	}
	umask(old);
	if (listen(fd, AUTHZ_BACKLOG) < 0) {
		unlink(path);
		goto fail;
	}
	return fd;
fail:
	snprintf(err, errlen, "authz_socket %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

struct authz *
authz_start(const char *path, struct adm_live *pol, struct event_ring *ring, char *err,
    size_t errlen)
{
	struct authz *a = calloc(1, sizeof(*a));
	int rc;

	if (a == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->lfd = a->stopfd = -1;
	for (int i = 0; i < AUTHZ_MAX_CLIENTS; i++)
		a->cl[i].fd = -1;
	pthread_mutex_init(&a->lock, NULL);
	snprintf(a->path, sizeof(a->path), "%s", path);
	snprintf(a->st.socket, sizeof(a->st.socket), "%s", path);
	a->pol = pol;
	a->ring = ring;
	if ((a->scratch = sensor_scratch_new()) == NULL ||
	    (a->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if ((a->lfd = listen_on(path, err, errlen)) < 0)
		goto fail;
	a->now = (int64_t)clock_mono_ms();
	if ((rc = pthread_create(&a->thread, NULL, authz_main, a)) != 0) {
		snprintf(err, errlen, "starting the admission thread: %s", strerror(rc));
		goto fail;
	}
	a->started = 1;
	return a;
fail:
	authz_stop(a);
	return NULL;
}

void
authz_stop(struct authz *a)
{
	uint64_t one = 1;

	if (a == NULL)
		return;
	if (a->started) {
		if (write(a->stopfd, &one, sizeof(one)) < 0)
			log_warn("admission: stopping its thread");
		pthread_join(a->thread, NULL);
	}
	for (int i = 0; i < AUTHZ_MAX_CLIENTS; i++)
		client_close(&a->cl[i]);
	if (a->lfd >= 0) {
		close(a->lfd);
		unlink(a->path);
	}
	if (a->stopfd >= 0)
		close(a->stopfd);
	sensor_scratch_free(a->scratch);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

void
authz_status(struct authz *a, struct authz_status *st)
{
	memset(st, 0, sizeof(*st));
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	*st = a->st;
	pthread_mutex_unlock(&a->lock);
}
