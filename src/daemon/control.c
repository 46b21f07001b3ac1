#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/control.h"
#include "daemon/request.h"
#include "base/control_proto.h"
#include "base/io.h"
#include "daemon/daemon.h"
#include "base/log.h"

#define CTL_GROUP	"nvd"

int
control_listen(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct group *gr;
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		log_warn("control socket");
		return -1;
	}
	/* A socket that answers belongs to a running nvd: never steal it. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
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
	if ((gr = getgrnam(CTL_GROUP)) != NULL && chown(path, 0, gr->gr_gid) < 0)
		log_warn("control socket: chown to group %s", CTL_GROUP);
	if (chmod(path, 0660) < 0 || listen(fd, 16) < 0) {
		log_warn("control socket %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* root, nvd's own user, or a member of group nvd may use the socket. */
static int
peer_allowed(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	struct group *gr;
	struct passwd *pw;
	gid_t groups[64];
	int ngroups = 64;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return 0;
	if (cr.uid == 0 || cr.uid == geteuid())
		return 1;
	if ((gr = getgrnam(CTL_GROUP)) == NULL)
		return 0;
	if (cr.gid == gr->gr_gid)
		return 1;
	if ((pw = getpwuid(cr.uid)) == NULL ||
	    getgrouplist(pw->pw_name, pw->pw_gid, groups, &ngroups) < 0)
		return 0;
	for (int i = 0; i < ngroups; i++)
		if (groups[i] == gr->gr_gid)
			return 1;
	return 0;
}

static void
reply(int fd, int type, const struct buf *body)
{
	struct ctl_hdr h = {
		.magic = CTL_MAGIC, .version = CTL_VERSION, .type = (uint16_t)type,
		.len = (uint32_t)body->len,
	};

	if (io_write_full(fd, &h, sizeof(h)) == 0 && body->len)
		io_write_full(fd, body->data, body->len);
}

static const struct handler *const tables[] = {
	status_handlers,
	policy_handlers,
	event_handlers,
	conv_handlers,
	dns_handlers,
	sensor_handlers,
};

int
control_dispatch(struct daemon *d, int argc, char **argv, int json, struct buf *out)
{
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
	for (const struct handler *c = tables[t]; c->words[0]; c++) {
		int nw = 0;

		while (nw < 3 && c->words[nw] && nw < argc && !strcmp(c->words[nw], argv[nw]))
			nw++;
		if (nw == 0 || (nw < 3 && c->words[nw]))
			continue;
		if (argc - nw < c->min_args || argc - nw > c->max_args) {
			buf_printf(out, "usage: nvctl %s", c->usage);
			return CTL_RESP_USAGE;
		}
		return c->run(d, argc - nw, argv + nw, json, out);
	}
	buf_printf(out, "unknown command '%s'", argc ? argv[0] : "");
	return CTL_RESP_USAGE;
}

void
control_serve(struct daemon *d, int lfd)
{
	struct timeval tv = { .tv_sec = 2 };
	struct ctl_hdr h;
	struct buf out;
	char *body = NULL, *argv[CTL_MAX_ARGS];
	int fd, argc = 0, rc;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		return;
	buf_init(&out);
	if (!peer_allowed(fd)) {
		buf_puts(&out, "permission denied");
		reply(fd, CTL_RESP_ERROR, &out);
		goto done;
	}
	/* A client that stalls may hold the main thread this long at most. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (io_read_full(fd, &h, sizeof(h)) < 0)
		goto done;
	if (h.magic != CTL_MAGIC || h.version != CTL_VERSION) {
		buf_printf(&out, "protocol version %u not supported (nvd speaks %u)",
		    h.version, CTL_VERSION);
		reply(fd, CTL_RESP_ERROR, &out);
		goto done;
	}
	if (h.type != CTL_REQ_COMMAND || h.len == 0 || h.len > CTL_MAX_REQUEST ||
	    (body = malloc(h.len)) == NULL || io_read_full(fd, body, h.len) < 0 ||
	    body[h.len - 1] != '\0') {
		buf_puts(&out, "malformed request");
		reply(fd, CTL_RESP_USAGE, &out);
		goto done;
	}
	for (char *p = body; p < body + h.len; p += strlen(p) + 1) {
		if (argc == CTL_MAX_ARGS) {
			buf_puts(&out, "too many arguments");
			reply(fd, CTL_RESP_USAGE, &out);
			goto done;
		}
		argv[argc++] = p;
	}
	rc = control_dispatch(d, argc, argv, h.flags & CTL_F_JSON, &out);
	if (buf_failed(&out)) {
		buf_reset(&out);
		buf_puts(&out, "out of memory");
		rc = CTL_RESP_ERROR;
	}
	reply(fd, rc, &out);
done:
	free(body);
	buf_free(&out);
	close(fd);
}
