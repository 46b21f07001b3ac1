/*
 * control.c: the control socket server (control.h): the socket and who
 * may use it, the clients served from the main loop's poll, and the
 * dispatch of a request to its handler (request.h).
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <grp.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "daemon/control.h"
#include "daemon/daemon.h"
#include "daemon/request.h"
#include "base/log.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS	59	/* Linux 4.13 */
#endif

/* Connections waiting to be accepted; accept_all() takes at most
 * ACCEPT_BATCH a turn, so a flood of them leaves the loop time to turn. */
#define BACKLOG		64
#define ACCEPT_BATCH	64

const struct handler *const control_handlers[] = {
	status_handlers,
	policy_handlers,
	event_handlers,
	conv_handlers,
	dns_handlers,
	sensor_handlers,
	admission_handlers,
	graph_handlers,
	dash_handlers,
	doc_handlers,
	response_handlers,
	threat_handlers,
	NULL,
};

/* --- the socket and its users ---------------------------------------- */

static gid_t
group_gid(const char *name)
{
	struct group *gr = getgrnam(name);

	return gr != NULL ? gr->gr_gid : CTL_NO_GID;
}

void
control_init(struct control *c, struct daemon *d)
{
	memset(c, 0, sizeof(*c));
	c->d = d;
	c->lfd = -1;
	c->admin_gid = group_gid(CTL_GROUP);
	c->read_gid = group_gid(CTL_GROUP_READ);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		c->clients[i].fd = -1;
		buf_init(&c->clients[i].out);
	}
}

/*
 * The socket's mode 0660 as an access ACL with one more entry: group gid
 * may read and write too (POSIX.1e draft, in the kernel's own format,
 * linux/posix_acl_xattr.h).  The file's group bits become the ACL's mask,
 * so it still shows mode 0660.  Returns 0, or -1 with errno (EOPNOTSUPP:
 * the file system keeps no ACLs).
 */
static int
acl_add_group(const char *path, gid_t gid)
{
	static const uint16_t tags[] = {	/* the order the kernel wants */
		ACL_USER_OBJ, ACL_GROUP_OBJ, ACL_GROUP, ACL_MASK, ACL_OTHER,
	};
	struct {
		struct posix_acl_xattr_header h;
		struct posix_acl_xattr_entry e[5];
	} acl = { .h.a_version = htole32(POSIX_ACL_XATTR_VERSION) };

	for (int i = 0; i < 5; i++) {
		acl.e[i].e_tag = htole16(tags[i]);
		acl.e[i].e_perm = htole16(tags[i] == ACL_OTHER ? 0 : ACL_READ | ACL_WRITE);
		acl.e[i].e_id = htole32(tags[i] == ACL_GROUP ? (uint32_t)gid :
		    (uint32_t)ACL_UNDEFINED_ID);
	}
	return setxattr(path, "system.posix_acl_access", &acl, sizeof(acl), 0);
}

/* Owner root, group nvd, mode 0660, and group nvd-read let in (control.h). */
static int
socket_perms(const struct control *c, const char *path)
{
	if (c->admin_gid != CTL_NO_GID && chown(path, 0, c->admin_gid) < 0)
		log_warn("control socket: chown to group %s", CTL_GROUP);
	if (chmod(path, 0660) < 0) {
		log_warn("control socket %s", path);
		return -1;
	}
	if (c->read_gid == CTL_NO_GID || acl_add_group(path, c->read_gid) == 0)
		return 0;
	if (errno != EOPNOTSUPP) {
		log_warn("control socket %s: ACL for group %s", path, CTL_GROUP_READ);
		return -1;
	}
	log_info("control socket %s: no ACLs on its file system, so mode 0666: "
	    "the peer check alone admits root and groups %s and %s", path, CTL_GROUP,
	    CTL_GROUP_READ);
	if (chmod(path, 0666) < 0) {
		log_warn("control socket %s", path);
		return -1;
	}
	return 0;
}

int
control_open(struct control *c, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
		log_warn("control socket");
		return -1;
	}
	/* A socket that answers (or whose queue is full) belongs to a running
	 * nvd: never steal it. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 || errno == EAGAIN) {
		log_warnx("control socket %s is in use: is another nvd running?", path);
		close(fd);
		return -1;
	}
	unlink(path);
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		umask(old);
		log_warn("control socket %s", path);
		close(fd);
		return -1;
	}
	umask(old);
	if (socket_perms(c, path) < 0)
		goto fail;
	if (listen(fd, BACKLOG) < 0) {
		log_warn("control socket %s", path);
		goto fail;
	}
	strcpy(c->path, path);
	c->lfd = fd;
	return 0;
fail:
	close(fd);
	unlink(path);
	return -1;
}

/* --- roles ----------------------------------------------------------- */

enum ctl_role
control_role(const struct control *c, uid_t uid, gid_t gid, const gid_t *groups, int ngroups)
{
	enum ctl_role role = CTL_ROLE_NONE;

	if (uid == 0 || uid == geteuid())
		return CTL_ROLE_ADMIN;
	for (int i = -1; i < ngroups; i++) {
		gid_t g = i < 0 ? gid : groups[i];

		if (g == CTL_NO_GID)
			continue;
		if (g == c->admin_gid)
			return CTL_ROLE_ADMIN;
		if (g == c->read_gid)
			role = CTL_ROLE_READ;
	}
	return role;
}

/*
 * The role of the peer on fd, from the credentials it connected with: its
 * uid and gid (SO_PEERCRED) and its supplementary groups (SO_PEERGROUPS),
 * those of the process as the kernel checked them at connect().  Not
 * /proc/PID/status (the process may be gone, its pid reused, and
 * ProtectProc= hides it) nor getgrouplist() (the group file's view, not
 * the process's).  On kernels before 4.13 only the primary group counts.
 */
static enum ctl_role
peer_role(const struct control *c, int fd, uid_t *uid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	gid_t some[64], *groups = some;
	socklen_t glen = sizeof(some);
	enum ctl_role role;

	*uid = (uid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return CTL_ROLE_NONE;
	*uid = cr.uid;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) < 0) {
		/* ERANGE: glen says how much room it needs. */
		if (errno != ERANGE || (groups = malloc(glen)) == NULL ||
		    getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) < 0)
			glen = 0;
	}
	role = control_role(c, cr.uid, cr.gid, groups, (int)(glen / sizeof(gid_t)));
	if (groups != some)
		free(groups);
	return role;
}

/* --- dispatch -------------------------------------------------------- */

/* The handler of the request, or NULL; *nw: how many words it took. */
static const struct handler *
find_handler(int argc, char **argv, int *nw)
{
	for (int t = 0; control_handlers[t]; t++)
	for (const struct handler *h = control_handlers[t]; h->words[0]; h++) {
		int n = 0;

		while (n < 3 && h->words[n] && n < argc && !strcmp(h->words[n], argv[n]))
			n++;
		if (n == 0 || (n < 3 && h->words[n]))
			continue;
		*nw = n;
		return h;
	}
	return NULL;
}

int
control_dispatch_as(struct daemon *d, enum ctl_role role, int argc, char **argv, int json,
    struct buf *out)
{
	const struct handler *h;
	int nw, rc;

	if ((h = find_handler(argc, argv, &nw)) == NULL) {
		buf_printf(out, "unknown command '%s'", argc ? argv[0] : "");
		return CTL_RESP_USAGE;
	}
	if (role != CTL_ROLE_ADMIN && !(role == CTL_ROLE_READ && h->access == REQ_READS)) {
		buf_printf(out, "permission denied: group %s may only read (status, list, show, "
		    "events, conversations, dns list, sensor test, response test)", CTL_GROUP_READ);
		return CTL_RESP_DENIED;
	}
	if (argc - nw < h->min_args || argc - nw > h->max_args) {
		buf_printf(out, "usage: nvctl %s", h->usage);
		return CTL_RESP_USAGE;
	}
	daemon_db_deadline(d);
	rc = h->run(d, argc - nw, argv + nw, json, out);
	if (rc == CTL_RESP_OK && h->access == REQ_CHANGES)
		daemon_changed(d, argc, argv);
	return rc;
}

int
control_dispatch(struct daemon *d, int argc, char **argv, int json, struct buf *out)
{
	return control_dispatch_as(d, CTL_ROLE_ADMIN, argc, argv, json, out);
}

/* --- clients --------------------------------------------------------- */

static void
client_close(struct control *c, struct ctl_client *cl)
{
	close(cl->fd);
	cl->fd = -1;
	free(cl->body);
	cl->body = NULL;
	buf_free(&cl->out);	/* a listing's reply may be 32 MiB: not kept */
	c->nclients--;
}

/*
 * Sends what the socket takes of the reply.  Returns 1 once all of it
 * went, 0 when the rest must wait for POLLOUT, -1 on an error.
 */
static int
client_send(struct ctl_client *cl)
{
	size_t hl = sizeof(cl->hdr), total = hl + cl->out.len;

	while (cl->done < total) {
		struct iovec iov[2];
		struct msghdr m = { .msg_iov = iov };
		ssize_t n;

		if (cl->done < hl) {
			iov[m.msg_iovlen++] = (struct iovec){ (char *)&cl->hdr + cl->done,
			    hl - cl->done };
			iov[m.msg_iovlen++] = (struct iovec){ cl->out.data, cl->out.len };
		} else {
			iov[m.msg_iovlen++] = (struct iovec){ cl->out.data + (cl->done - hl),
			    total - cl->done };
		}
		n = sendmsg(cl->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		cl->done += (size_t)n;
	}
	return 1;
}

/* Answers cl with type and what cl->out holds; closes it once sent. */
static void
client_reply(struct control *c, struct ctl_client *cl, int type)
{
	if (buf_failed(&cl->out)) {
		buf_reset(&cl->out);
		buf_puts(&cl->out, "out of memory");
		type = CTL_RESP_ERROR;
	}
	cl->hdr = (struct ctl_hdr){ .magic = CTL_MAGIC, .version = CTL_VERSION,
	    .type = (uint16_t)type, .len = (uint32_t)cl->out.len };
	cl->done = 0;
	cl->replying = 1;
	cl->deadline_ms = c->now + CTL_REPLY_MS;
	if (client_send(cl) != 0)
		client_close(c, cl);
}

/* Once the header is in: whether it is one nvd reads on.  Answers it if not. */
static int
client_header(struct control *c, struct ctl_client *cl)
{
	if (cl->hdr.magic != CTL_MAGIC || cl->hdr.version != CTL_VERSION) {
		buf_printf(&cl->out, "protocol version %u not supported (nvd speaks %u)",
		    cl->hdr.version, CTL_VERSION);
		client_reply(c, cl, CTL_RESP_ERROR);
		return -1;
	}
	if (cl->hdr.type != CTL_REQ_COMMAND || cl->hdr.len == 0 ||
	    cl->hdr.len > (cl->role == CTL_ROLE_ADMIN ? CTL_MAX_DOCUMENT : CTL_MAX_REQUEST) ||
	    (cl->body = malloc(cl->hdr.len)) == NULL) {
		buf_puts(&cl->out, "malformed request");
		client_reply(c, cl, CTL_RESP_USAGE);
		return -1;
	}
	return 0;
}

/* The whole request is in: runs it and answers. */
static void
client_run(struct control *c, struct ctl_client *cl)
{
	char *argv[CTL_MAX_ARGS], *end = cl->body + cl->hdr.len;
	int argc = 0;

	if (end[-1] != '\0') {
		buf_puts(&cl->out, "malformed request");
		client_reply(c, cl, CTL_RESP_USAGE);
		return;
	}
	for (char *p = cl->body; p < end; p += strlen(p) + 1) {
		if (argc == CTL_MAX_ARGS) {
			buf_puts(&cl->out, "too many arguments");
			client_reply(c, cl, CTL_RESP_USAGE);
			return;
		}
		argv[argc++] = p;
	}
	client_reply(c, cl, control_dispatch_as(c->d, cl->role, argc, argv,
	    cl->hdr.flags & CTL_F_JSON, &cl->out));
}

/* Reads what has come of the request, and runs it once it is whole. */
static void
client_read(struct control *c, struct ctl_client *cl)
{
	size_t hl = sizeof(cl->hdr);

	for (;;) {
		size_t want = cl->done < hl ? hl - cl->done : hl + cl->hdr.len - cl->done;
		char *to = cl->done < hl ? (char *)&cl->hdr + cl->done : cl->body + (cl->done - hl);
		ssize_t n = recv(cl->fd, to, want, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {		/* gone before it asked */
			client_close(c, cl);
			return;
		}
		cl->done += (size_t)n;
		if (cl->done == hl && client_header(c, cl) < 0)
			return;
		if (cl->done > hl && cl->done == hl + cl->hdr.len) {
			client_run(c, cl);
			return;
		}
	}
}

static void
client_ready(struct control *c, struct ctl_client *cl)
{
	if (!cl->replying)
		client_read(c, cl);
	else if (client_send(cl) != 0)
		client_close(c, cl);
}

/* A short reply (which a socket's buffer takes at once) sent if it can be
 * without waiting; the caller closes the connection next. */
static void
say(int fd, int type, const char *msg)
{
	struct ctl_hdr h = { .magic = CTL_MAGIC, .version = CTL_VERSION, .type = (uint16_t)type,
	    .len = (uint32_t)strlen(msg) };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (char *)msg, h.len } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

	(void)sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void
accept_one(struct control *c, int fd)
{
	struct ctl_client *cl = NULL;
	enum ctl_role role;
	char msg[96];
	uid_t uid;
	int room;

	if ((role = peer_role(c, fd, &uid)) == CTL_ROLE_NONE) {
		log_debug("control: uid %d refused", (int)uid);
		say(fd, CTL_RESP_DENIED, "permission denied: only root and groups "
		    CTL_GROUP " and " CTL_GROUP_READ " may use nvd's control socket");
		close(fd);
		return;
	}
	room = role == CTL_ROLE_ADMIN ? CTL_MAX_CLIENTS : CTL_MAX_CLIENTS - CTL_ADMIN_SLOTS;
	if (c->nclients >= room) {
		c->refused_busy++;
		if (log_limit_ok(&c->busy_log, 10))
			log_warnx("control: %d clients connected, refusing more (%llu refused)",
			    c->nclients, (unsigned long long)c->refused_busy);
		snprintf(msg, sizeof(msg), "nvd is busy serving %d clients; try again",
		    c->nclients);
		say(fd, CTL_RESP_ERROR, msg);
		close(fd);
		return;
	}
	for (int i = 0; cl == NULL; i++)
		if (c->clients[i].fd < 0)
			cl = &c->clients[i];
	cl->fd = fd;
	cl->role = role;
	cl->uid = uid;
	cl->done = 0;
	cl->replying = 0;
	cl->deadline_ms = c->now + CTL_REQUEST_MS;
	c->nclients++;
	client_read(c, cl);	/* nvctl sends its request as it connects */
}

static void
accept_all(struct control *c)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("control socket: accept");
			return;
		}
		accept_one(c, fd);
	}
}

/* Closes the clients whose deadline passed; one still to send its request
 * is told why first. */
static void
expire(struct control *c)
{
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *cl = &c->clients[i];

		if (cl->fd < 0 || c->now < cl->deadline_ms)
			continue;
		c->timed_out++;
		if (log_limit_ok(&c->timeout_log, 10))
			log_info("control: closed a client of uid %d that %s (%llu so far)",
			    (int)cl->uid, cl->replying ? "did not read its reply in time" :
			    "sent no whole request in time", (unsigned long long)c->timed_out);
		if (!cl->replying) {
			char msg[64];

			snprintf(msg, sizeof(msg), "no whole request within %d ms",
			    CTL_REQUEST_MS);
			say(cl->fd, CTL_RESP_ERROR, msg);
		}
		client_close(c, cl);
	}
}

int
control_pollfds(struct control *c, struct pollfd *pfd)
{
	int n = 0;

	if (c->lfd < 0)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = c->lfd, .events = POLLIN };
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *cl = &c->clients[i];

		if (cl->fd < 0)
			continue;
		c->polled[n - 1] = i;
		pfd[n++] = (struct pollfd){ .fd = cl->fd,
		    .events = cl->replying ? POLLOUT : POLLIN };
	}
	return n;
}

void
control_step(struct control *c, const struct pollfd *pfd, int n, int64_t now_ms)
{
	c->now = now_ms;
	for (int i = 1; i < n; i++) {
		struct ctl_client *cl = &c->clients[c->polled[i - 1]];

		if (pfd[i].revents && cl->fd == pfd[i].fd)
			client_ready(c, cl);
	}
	expire(c);
	if (n > 0 && (pfd[0].revents & POLLIN))
		accept_all(c);
}

void
control_close(struct control *c)
{
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (c->clients[i].fd >= 0)
			client_close(c, &c->clients[i]);
		buf_free(&c->clients[i].out);
	}
	if (c->lfd >= 0)
		close(c->lfd);
	c->lfd = -1;
	if (c->path[0])
		unlink(c->path);
	c->path[0] = '\0';
}
