/*
 * metrics.c: the metrics endpoint's thread (metrics.h): a poll loop over
 * the listener, its clients, and the eventfds it shares with the main
 * thread.  Every socket is non-blocking; a client is read, made to wait
 * for the status, and answered a step at a time, against its deadline.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
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

#include "base/buf.h"
#include "base/clock.h"
#include "base/conf.h"
#include "base/control_proto.h"
#include "base/log.h"
#include "daemon/metrics.h"
#include "daemon/metrics_text.h"

enum client_state {
	C_FREE,
	C_READ,			/* reading the request head */
	C_WAIT,			/* waiting for the status */
	C_SEND,			/* sending the answer, then closed */
};

struct client {
	enum client_state state;
	int fd;
	int head;		/* HEAD: the answer has no body */
	uint64_t deadline;	/* clock_mono_ms() it is closed at */
	size_t got, sent;
	char req[METRICS_REQ_MAX];
	struct buf out;
};

struct metrics {
	int lfd, ask_fd, done_fd, stop_fd;
	char path[108];		/* a unix socket's file, or "" */
	pthread_t thread;
	int started;
	pthread_mutex_t lock;	/* json */
	struct buf json;	/* the last status published */
	/* the thread's */
	int asking;		/* ask_fd written, no answer yet */
	uint64_t asked_at;
	struct client c[METRICS_MAX_CLIENTS];
	struct log_limit lim;
};

/* --- answers --------------------------------------------------------- */

static void
client_close(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	c->state = C_FREE;
	buf_free(&c->out);
}

/* Sends what the socket takes; closes the client once all went or it failed. */
static void
client_send(struct client *c)
{
	while (c->sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->sent, c->out.len - c->sent,
		    MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			break;
		c->sent += (size_t)n;
	}
	client_close(c);
}

/* The whole answer: status line, headers, body (none for HEAD). */
static void
client_answer(struct client *c, const char *status, const char *type, const char *body,
    size_t len)
{
	buf_reset(&c->out);
	buf_printf(&c->out, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", status, type, len);
	if (!c->head)
		buf_append(&c->out, body, len);
	if (buf_failed(&c->out)) {
		client_close(c);
		return;
	}
	c->state = C_SEND;
	c->sent = 0;
	client_send(c);
}

static void
client_error(struct client *c, const char *status, const char *text)
{
	client_answer(c, status, "text/plain; charset=utf-8", text, strlen(text));
}

/* The exposition of the status just published, to every client waiting. */
static void
answer_waiting(struct metrics *m)
{
	struct buf text;
	char err[160];
	int rc;

	buf_init(&text);
	pthread_mutex_lock(&m->lock);
	rc = metrics_exposition(m->json.data ? m->json.data : "", m->json.len, &text, err,
	    sizeof(err));
	pthread_mutex_unlock(&m->lock);
	if (rc == 0 && buf_failed(&text)) {
		rc = -1;
		snprintf(err, sizeof(err), "out of memory");
	}
	if (rc < 0 && log_limit_ok(&m->lim, 60))
		log_warnx("metrics: %s", err);
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++) {
		struct client *c = &m->c[i];

		if (c->state != C_WAIT)
			continue;
		if (rc < 0)
			client_error(c, "500 Internal Server Error", "nvd could not read its status\n");
		else
			client_answer(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8",
			    text.data, text.len);
	}
	buf_free(&text);
}

/* --- requests -------------------------------------------------------- */

/* A client asks for the metrics: the main thread is asked for the status. */
static void
client_wait(struct metrics *m, struct client *c, uint64_t now)
{
	uint64_t one = 1;

	c->state = C_WAIT;
	if (m->asking)
		return;
	if (write(m->ask_fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
		client_error(c, "500 Internal Server Error", "nvd could not ask for its status\n");
		return;
	}
	m->asking = 1;
	m->asked_at = now;
}

static void
client_read(struct metrics *m, struct client *c, uint64_t now)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->req + c->got, sizeof(c->req) - c->got, MSG_DONTWAIT);
		enum metrics_req r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {		/* gone before it asked */
			client_close(c);
			return;
		}
		c->got += (size_t)n;
		switch ((r = metrics_request_parse(c->req, c->got))) {
		case METRICS_REQ_MORE:
			continue;
		case METRICS_REQ_GET:
		case METRICS_REQ_HEAD:
			c->head = r == METRICS_REQ_HEAD;
			client_wait(m, c, now);
			return;
		case METRICS_REQ_NOT_FOUND:
			client_error(c, "404 Not Found", "nvd serves /metrics only\n");
			return;
		case METRICS_REQ_METHOD:
			client_error(c, "405 Method Not Allowed", "GET or HEAD /metrics\n");
			return;
		case METRICS_REQ_TOO_BIG:
			client_error(c, "431 Request Header Fields Too Large",
			    "request head larger than 8192 bytes\n");
			return;
		case METRICS_REQ_BAD:
			client_error(c, "400 Bad Request", "not an HTTP/1.x request\n");
			return;
		}
	}
}

/* New connections: a free slot each, or a 503 and closed. */
static void
accept_clients(struct metrics *m, uint64_t now)
{
	for (;;) {
		int fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c = NULL, busy = { .fd = fd };

		if (fd < 0)
			return;
		for (int i = 0; i < METRICS_MAX_CLIENTS && c == NULL; i++)
			if (m->c[i].state == C_FREE)
				c = &m->c[i];
		if (c == NULL) {
			if (log_limit_ok(&m->lim, 10))
				log_warnx("metrics: more than %d clients at once; refused",
				    METRICS_MAX_CLIENTS);
			buf_init(&busy.out);
			client_error(&busy, "503 Service Unavailable", "too many clients\n");
			if (busy.fd >= 0)	/* what the socket did not take is not waited for */
				client_close(&busy);
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->state = C_READ;
		c->deadline = now + METRICS_DEADLINE_MS;
		buf_init(&c->out);
	}
}

/* Clients past their deadline are closed; scrapers the main loop did not
 * answer in time are told so. */
static void
expire(struct metrics *m, uint64_t now)
{
	if (m->asking && now >= m->asked_at + METRICS_STATUS_MS) {
		m->asking = 0;
		for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
			if (m->c[i].state == C_WAIT)
				client_error(&m->c[i], "503 Service Unavailable",
				    "nvd's main loop did not answer in time\n");
	}
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (m->c[i].state != C_FREE && now >= m->c[i].deadline)
			client_close(&m->c[i]);
}

/* --- the thread ------------------------------------------------------ */

static int
poll_timeout(const struct metrics *m, uint64_t now)
{
	uint64_t next = now + 1000;

	if (m->asking && m->asked_at + METRICS_STATUS_MS < next)
		next = m->asked_at + METRICS_STATUS_MS;
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (m->c[i].state != C_FREE && m->c[i].deadline < next)
			next = m->c[i].deadline;
	return next > now ? (int)(next - now) : 0;
}

static void *
metrics_main(void *arg)
{
	struct metrics *m = arg;

	for (;;) {
		struct pollfd pfd[3 + METRICS_MAX_CLIENTS];
		int slot[METRICS_MAX_CLIENTS], n = 3;
		uint64_t now = clock_mono_ms(), v;

		pfd[0] = (struct pollfd){ .fd = m->stop_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = m->done_fd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = m->lfd, .events = POLLIN };
		for (int i = 0; i < METRICS_MAX_CLIENTS; i++) {
			if (m->c[i].state != C_READ && m->c[i].state != C_SEND)
				continue;
			pfd[n] = (struct pollfd){ .fd = m->c[i].fd,
			    .events = m->c[i].state == C_READ ? POLLIN : POLLOUT };
			slot[n++ - 3] = i;
		}
		if (poll(pfd, (nfds_t)n, poll_timeout(m, now)) < 0 && errno != EINTR) {
			log_warn("metrics: poll");
			break;
		}
		if (pfd[0].revents & POLLIN)
			break;
		now = clock_mono_ms();
		for (int k = 3; k < n; k++) {
			struct client *c = &m->c[slot[k - 3]];

			if (!pfd[k].revents)
				continue;
			if (c->state == C_READ)
				client_read(m, c, now);
			else if (c->state == C_SEND)
				client_send(c);
		}
		if ((pfd[1].revents & POLLIN) && read(m->done_fd, &v, sizeof(v)) == sizeof(v)) {
			m->asking = 0;
			answer_waiting(m);
		}
		if (pfd[2].revents & POLLIN)
			accept_clients(m, now);
		expire(m, now);
	}
	return NULL;
}

/* --- set-up ---------------------------------------------------------- */

/* A unix socket: mode 0660, group nvd-read when it exists (metrics.h). */
static int
unix_perms(const char *path)
{
	struct group *g = getgrnam(CTL_GROUP_READ);

	if (g != NULL && chown(path, 0, g->gr_gid) < 0)
		log_warn("metrics socket %s: chown to group %s", path, CTL_GROUP_READ);
	if (chmod(path, 0660) < 0) {
		log_warn("metrics socket %s", path);
		return -1;
	}
	return 0;
}

static int
listen_on(struct metrics *m, const char *listen_at)
{
	struct sockaddr_storage ss;
	unsigned len;
	char err[160];
	mode_t old;
	int one = 1, rc;
	struct stat st;

	if (conf_listen_parse(listen_at, &ss, &len, err, sizeof(err)) < 0) {
		log_warnx("metrics_listen %s: %s", listen_at, err);
		return -1;
	}
	if ((m->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		log_warn("metrics: socket");
		return -1;
	}
	if (ss.ss_family == AF_UNIX) {
		snprintf(m->path, sizeof(m->path), "%s", listen_at);
		/* a socket left by an nvd that died is replaced; any other file is not */
		if (lstat(m->path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(m->path);
	} else
		setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	old = umask(0117);
	rc = bind(m->lfd, (struct sockaddr *)&ss, (socklen_t)len);
	umask(old);
	if (rc < 0) {
		log_warn("metrics: cannot listen on %s", listen_at);
		m->path[0] = '\0';
		return -1;
	}
	if ((m->path[0] && unix_perms(m->path) < 0) || listen(m->lfd, 64) < 0) {
		log_warn("metrics: %s", listen_at);
		return -1;
	}
	return 0;
}

struct metrics *
metrics_start(const char *listen_at)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		log_warnx("metrics: out of memory");
		return NULL;
	}
	m->lfd = m->ask_fd = m->done_fd = m->stop_fd = -1;
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		m->c[i].fd = -1;
	pthread_mutex_init(&m->lock, NULL);
	buf_init(&m->json);
	if ((m->ask_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0 ||
	    (m->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0 ||
	    (m->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		log_warn("metrics: eventfd");
		goto fail;
	}
	if (listen_on(m, listen_at) < 0)
		goto fail;
	if ((errno = pthread_create(&m->thread, NULL, metrics_main, m)) != 0) {
		log_warn("metrics: thread");
		goto fail;
	}
	m->started = 1;
	log_info("metrics on %s", listen_at);
	return m;
fail:
	metrics_stop(m);
	return NULL;
}

void
metrics_stop(struct metrics *m)
{
	uint64_t one = 1;

	if (m == NULL)
		return;
	if (m->started) {
		if (write(m->stop_fd, &one, sizeof(one)) < 0)
			log_warn("metrics: eventfd");
		pthread_join(m->thread, NULL);
	}
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (m->c[i].state != C_FREE)
			client_close(&m->c[i]);
	if (m->lfd >= 0)
		close(m->lfd);
	if (m->path[0])
		unlink(m->path);
	if (m->ask_fd >= 0)
		close(m->ask_fd);
	if (m->done_fd >= 0)
		close(m->done_fd);
	if (m->stop_fd >= 0)
		close(m->stop_fd);
	buf_free(&m->json);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int
metrics_ask_fd(const struct metrics *m)
{
	return m ? m->ask_fd : -1;
}

void
metrics_publish(struct metrics *m, const char *json, size_t len)
{
	uint64_t v = 1;

	if (read(m->ask_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("metrics: eventfd");
	pthread_mutex_lock(&m->lock);
	buf_reset(&m->json);
	buf_append(&m->json, json, len);
	pthread_mutex_unlock(&m->lock);
	v = 1;
	if (write(m->done_fd, &v, sizeof(v)) < 0)
		log_warn("metrics: eventfd");
}
