/*
 * check_control.c: the control socket (daemon/control.h) through its real
 * code: who may connect and what each role may ask (the handler tables'
 * access marks, the socket file's ACL, the peer's credentials as it
 * connected), and clients served a step at a time: one that stalls, sends
 * half a request or reads its reply slowly holds up no other and is
 * closed at its deadline; more than CTL_MAX_CLIENTS are refused, readers
 * leave room for root.  Time is the test's (control_step's now_ms).
 *
 * The tests that connect as another user (a child process that drops to
 * uid 65534 with chosen groups, connects and hands the socket back) need
 * root; as anyone else they return at once.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/control_proto.h"
#include "base/io.h"
#include "base/log.h"
#include "daemon/control.h"
#include "daemon/request.h"
#include "fixture_cli.h"
#include "fixture_db.h"

/* Groups of the test's own, by number: no group file entry is needed. */
#define ADMIN_GID	4241
#define READ_GID	4242
#define NOBODY		65534

static sqlite3 *db;
static struct fxcli cli;
static struct control ctl;
static char sock[128];
static int64_t now;

static void
setup(void)
{
	fxdb_setup();
	ck_assert_int_eq(chmod(fxdb_dir, 0711), 0);	/* uid 65534 reaches the socket */
	db = fxdb_open();
	fxcli_init(&cli, db);
	control_init(&ctl, &cli.d);
	ctl.admin_gid = ADMIN_GID;
	ctl.read_gid = READ_GID;
	snprintf(sock, sizeof(sock), "%s/ctl.sock", fxdb_dir);
	ck_assert_int_eq(control_open(&ctl, sock), 0);
	now = 1000000;
}

static void
teardown(void)
{
	control_close(&ctl);
	fxcli_free(&cli);
	fxdb_teardown(&db);
}

/* One turn of the main loop: poll without waiting, then control_step(). */
static void
step(void)
{
	struct pollfd pfd[CTL_POLLFDS];
	int n = control_pollfds(&ctl, pfd);

	ck_assert_int_ge(poll(pfd, (nfds_t)n, 0), 0);
	control_step(&ctl, pfd, n, now);
}

/* A connection as the test's own user (root), not yet accepted. */
static int
dial(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 2 };	/* a missing reply fails, not hangs */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sun.sun_path, sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return -e;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/*
 * A connection made by a child as uid 65534 with primary group gid and
 * the n groups (credentials are the connecting process's), handed back
 * over a socket pair.  The fd, or -errno of the child's connect().
 */
static int
dial_as(gid_t gid, const gid_t *groups, int n)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	int sp[2], err = 0, fd = -1;
	struct iovec iov = { &err, sizeof(err) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	pid_t pid;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		close(sp[0]);
		if (setgroups((size_t)n, groups) < 0 || setgid(gid) < 0 || setuid(NOBODY) < 0)
			err = errno;
		else if ((fd = dial()) < 0)
			err = -fd;
		if (fd >= 0) {
			m.msg_control = cbuf;
			m.msg_controllen = sizeof(cbuf);
			cm = CMSG_FIRSTHDR(&m);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		}
		_exit(sendmsg(sp[1], &m, 0) < 0);
	}
	close(sp[1]);
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	ck_assert_int_eq(recvmsg(sp[0], &m, 0), sizeof(err));
	if ((cm = CMSG_FIRSTHDR(&m)) != NULL && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	close(sp[0]);
	return err ? -err : fd;
}

/* Sends the request of the NULL-ended words. */
static void
ask(int fd, const char *word, ...)
{
	struct ctl_hdr h = { .magic = CTL_MAGIC, .version = CTL_VERSION, .type = CTL_REQ_COMMAND };
	char body[4096];
	size_t len = 0;
	va_list ap;

	va_start(ap, word);
	for (const char *w = word; w != NULL; w = va_arg(ap, const char *)) {
		ck_assert_uint_lt(len + strlen(w) + 1, sizeof(body));
		memcpy(body + len, w, strlen(w) + 1);
		len += strlen(w) + 1;
	}
	va_end(ap);
	h.len = (uint32_t)len;
	ck_assert_int_eq(io_write_full(fd, &h, sizeof(h)), 0);
	ck_assert_int_eq(io_write_full(fd, body, len), 0);
}

/* The reply on fd: its type, its body in msg; -1 if the connection ends
 * (or nothing comes in 2 s) first. */
static int
answer(int fd, char *msg, size_t size)
{
	struct ctl_hdr h;

	if (io_read_full(fd, &h, sizeof(h)) < 0)
		return -1;
	ck_assert_uint_eq(h.magic, CTL_MAGIC);
	ck_assert_uint_lt(h.len, size);
	if (io_read_full(fd, msg, h.len) < 0)
		return -1;
	msg[h.len] = '\0';
	return h.type;
}

/* The server closed fd (after what it said; ECONNRESET: it closed with
 * the request unread). */
static int
ended(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, 0);

	return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* fd is open and nothing has come on it. */
static int
quiet(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK) < 0 && errno == EAGAIN;
}

/* --- roles ----------------------------------------------------------- */

START_TEST(test_role)
{
	static const struct {
		uid_t uid;
		gid_t gid;
		gid_t groups[3];
		int n;
		enum ctl_role want;
	} t[] = {
		{ 0, 0, { 0 }, 0, CTL_ROLE_ADMIN },
		{ 1000, 1000, { 0 }, 0, CTL_ROLE_NONE },
		{ 1000, 1000, { 27, 100 }, 2, CTL_ROLE_NONE },
		{ 1000, READ_GID, { 0 }, 0, CTL_ROLE_READ },
		{ 1000, 1000, { 27, READ_GID }, 2, CTL_ROLE_READ },
		{ 1000, ADMIN_GID, { 0 }, 0, CTL_ROLE_ADMIN },
		{ 1000, 1000, { READ_GID, ADMIN_GID }, 2, CTL_ROLE_ADMIN },
		{ 1000, 1000, { ADMIN_GID, READ_GID }, 2, CTL_ROLE_ADMIN },
		{ 1000, (gid_t)-1, { (gid_t)-1 }, 1, CTL_ROLE_NONE },
	};
	struct control c;

	control_init(&c, NULL);
	c.admin_gid = ADMIN_GID;
	c.read_gid = READ_GID;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(control_role(&c, t[i].uid, t[i].gid, t[i].groups, t[i].n) ==
		    t[i].want, "case %zu", i);
	/* Groups that do not exist match nobody, not gid (gid_t)-1. */
	c.admin_gid = c.read_gid = CTL_NO_GID;
	ck_assert_int_eq(control_role(&c, 1000, (gid_t)-1, t[8].groups, 1), CTL_ROLE_NONE);
	ck_assert_int_eq(control_role(&c, 1000, READ_GID, NULL, 0), CTL_ROLE_NONE);
	control_close(&c);
}
END_TEST

/* Every handler says whether it reads or changes, and these are the ones
 * that read (a change here is a decision about nvd-read). */
START_TEST(test_tables_say)
{
	char reads[1024] = "";

	for (int t = 0; control_handlers[t]; t++)
	for (const struct handler *h = control_handlers[t]; h->words[0]; h++) {
		ck_assert_msg(h->access == REQ_READS || h->access == REQ_CHANGES,
		    "'%s %s' does not say whether it reads or changes", h->words[0],
		    h->words[1] ? h->words[1] : "");
		if (h->access != REQ_READS)
			continue;
		for (int w = 0; w < 3 && h->words[w]; w++)
			snprintf(reads + strlen(reads), sizeof(reads) - strlen(reads), "%s%s",
			    w ? " " : "", h->words[w]);
		snprintf(reads + strlen(reads), sizeof(reads) - strlen(reads), ", ");
	}
	ck_assert_str_eq(reads, "status, workload list, group list, group show, rule list, "
	    "rule show, workload, group, rule, events show, events, conversations, dns list, "
	    "sensor list, sensor show, sensor rule, sensor test, sensor, admission rule list, "
	    "admission rule show, admission rule test, admission rule, admission test, "
	    "admission status, admission, graph, dashboard, host, policy export, policy, "
	    "response list, response show, response test, response, quarantine list, "
	    "quarantine, threat list, threat show, threat, ");
}
END_TEST

#define DENIED_MSG "permission denied: group nvd-read may only read (status, list, show, " \
	"events, conversations, dns list, sensor test, response test)"

static int
run_as(enum ctl_role role, const char *cmd, ...)
{
	char *argv[8] = { (char *)cmd };
	int argc = 1;
	va_list ap;

	va_start(ap, cmd);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	buf_reset(&cli.out);
	return control_dispatch_as(&cli.d, role, argc, argv, 0, &cli.out);
}

START_TEST(test_dispatch_roles)
{
	ck_assert_int_eq(run_as(CTL_ROLE_READ, "group", "mode", "web", "protect", NULL),
	    CTL_RESP_DENIED);
	ck_assert_str_eq(fxcli_reply(&cli), DENIED_MSG);
	/* Refused before its arguments are looked at. */
	ck_assert_int_eq(run_as(CTL_ROLE_READ, "group", "mode", NULL), CTL_RESP_DENIED);
	ck_assert_int_eq(run_as(CTL_ROLE_READ, "reload", NULL), CTL_RESP_DENIED);
	ck_assert_int_eq(run_as(CTL_ROLE_READ, "sensor", "rule", "add", "s", "r", NULL),
	    CTL_RESP_DENIED);
	ck_assert_int_eq(run_as(CTL_ROLE_READ, "events", "--limit", "1", NULL), CTL_RESP_OK);
	ck_assert_int_eq(run_as(CTL_ROLE_READ, "status", "extra", NULL), CTL_RESP_USAGE);
	ck_assert_str_eq(fxcli_reply(&cli), "usage: nvctl status");
	ck_assert_int_eq(run_as(CTL_ROLE_READ, "frobnicate", NULL), CTL_RESP_USAGE);
	ck_assert_str_eq(fxcli_reply(&cli), "unknown command 'frobnicate'");
	ck_assert_int_eq(run_as(CTL_ROLE_NONE, "events", NULL), CTL_RESP_DENIED);
	/* Root and group nvd: the usage, not a refusal. */
	ck_assert_int_eq(run_as(CTL_ROLE_ADMIN, "group", "mode", NULL), CTL_RESP_USAGE);
}
END_TEST

/* The socket file: mode 0660, group nvd, and the ACL lets group nvd-read
 * in; the peer's credentials decide its role. */
START_TEST(test_socket_roles)
{
	static const gid_t reader[] = { 27, READ_GID }, admin[] = { ADMIN_GID };
	struct stat st;
	char msg[512];
	int fd;

	if (geteuid() != 0)
		return;
	ck_assert_int_eq(stat(sock, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0660);
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(st.st_gid, ADMIN_GID);

	ck_assert_int_ge(fd = dial_as(NOBODY, reader, 2), 0);
	ask(fd, "group", "mode", "web", "protect", NULL);
	step();
	ck_assert_int_eq(answer(fd, msg, sizeof(msg)), CTL_RESP_DENIED);
	ck_assert_str_eq(msg, DENIED_MSG);
	ck_assert(ended(fd));
	close(fd);

	ck_assert_int_ge(fd = dial_as(READ_GID, NULL, 0), 0);
	ask(fd, "events", NULL);
	step();
	ck_assert_int_eq(answer(fd, msg, sizeof(msg)), CTL_RESP_OK);
	close(fd);

	ck_assert_int_ge(fd = dial_as(NOBODY, admin, 1), 0);
	ask(fd, "group", "mode", NULL);
	step();
	ck_assert_int_eq(answer(fd, msg, sizeof(msg)), CTL_RESP_USAGE);
	close(fd);

	/* Anyone else: the kernel refuses the connect ... */
	ck_assert_int_eq(dial_as(NOBODY, NULL, 0), -EACCES);
	/* ... and where the file lets them in (mode 0666, no ACLs), nvd does. */
	ck_assert_int_eq(chmod(sock, 0666), 0);
	ck_assert_int_ge(fd = dial_as(NOBODY, NULL, 0), 0);
	step();
	ck_assert_int_eq(answer(fd, msg, sizeof(msg)), CTL_RESP_DENIED);
	ck_assert_str_eq(msg, "permission denied: only root and groups nvd and nvd-read may "
	    "use nvd's control socket");
	ck_assert(ended(fd));
	ck_assert_int_eq(ctl.nclients, 0);
	close(fd);
}
END_TEST

/* --- clients served a step at a time --------------------------------- */

START_TEST(test_stalled_client)
{
	char msg[4096];
	int a, b, c;
	struct ctl_hdr h = { .magic = CTL_MAGIC };

	/* a connects and sends nothing, c half a header: b is answered. */
	ck_assert_int_ge(a = dial(), 0);
	ck_assert_int_ge(c = dial(), 0);
	ck_assert_int_eq(io_write_full(c, &h, 3), 0);
	step();
	ck_assert_int_eq(ctl.nclients, 2);
	ck_assert_int_ge(b = dial(), 0);
	ask(b, "events", NULL);
	step();
	ck_assert_int_eq(answer(b, msg, sizeof(msg)), CTL_RESP_OK);
	ck_assert(ended(b));
	ck_assert(quiet(a));
	ck_assert(quiet(c));
	ck_assert_int_eq(ctl.nclients, 2);

	/* Until their deadline, and no longer. */
	now += CTL_REQUEST_MS - 1;
	step();
	ck_assert(quiet(a));
	ck_assert_int_eq(ctl.nclients, 2);
	now += 1;
	step();
	ck_assert_int_eq(ctl.nclients, 0);
	ck_assert_uint_eq(ctl.timed_out, 2);
	ck_assert_int_eq(answer(a, msg, sizeof(msg)), CTL_RESP_ERROR);
	ck_assert_str_eq(msg, "no whole request within 2000 ms");
	ck_assert(ended(a));
	ck_assert_int_eq(answer(c, msg, sizeof(msg)), CTL_RESP_ERROR);
	ck_assert(ended(c));
	close(a);
	close(b);
	close(c);
}
END_TEST

/*
 * A reply bigger than the socket takes at once ("unknown command 'xxx...'"
 * echoes a 60 KB word) is sent as the client reads it; one that stops
 * reading is closed at CTL_REPLY_MS, and others are served meanwhile.
 */
static int
slow_reader(int *slot, size_t *len)
{
	struct ctl_hdr h = { .magic = CTL_MAGIC, .version = CTL_VERSION, .type = CTL_REQ_COMMAND };
	static char body[60000];
	int fd, small = 4096;

	memset(body, 'x', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	h.len = sizeof(body);
	ck_assert_int_ge(fd = dial(), 0);
	ck_assert_int_eq(io_write_full(fd, &h, sizeof(h)), 0);
	ck_assert_int_eq(io_write_full(fd, body, 100), 0);
	step();
	ck_assert_int_eq(ctl.nclients, 1);
	for (*slot = 0; ctl.clients[*slot].fd < 0; (*slot)++)
		;
	/* The server's end takes only a few KB at a time. */
	ck_assert_int_eq(setsockopt(ctl.clients[*slot].fd, SOL_SOCKET, SO_SNDBUF, &small,
	    sizeof(small)), 0);
	ck_assert_int_eq(io_write_full(fd, body + 100, sizeof(body) - 100), 0);
	step();
	ck_assert_int_ge(ctl.clients[*slot].fd, 0);
	ck_assert(ctl.clients[*slot].replying);
	*len = sizeof(struct ctl_hdr) + strlen("unknown command ''") + sizeof(body) - 1;
	return fd;
}

START_TEST(test_slow_reader)
{
	static char got[70000];
	char msg[512];
	size_t len, n = 0;
	ssize_t r;
	int fd, other, slot;

	/* Read in time, a bit at a time: all of it comes. */
	fd = slow_reader(&slot, &len);
	while (n < len) {
		ck_assert_int_gt(r = recv(fd, got + n, sizeof(got) - n, 0), 0);
		n += (size_t)r;
		now += 10;
		step();
	}
	ck_assert_uint_eq(n, len);
	ck_assert(ended(fd));
	ck_assert_int_eq(ctl.nclients, 0);
	ck_assert_int_eq(memcmp(got + sizeof(struct ctl_hdr), "unknown command 'xxx", 20), 0);
	close(fd);

	/* Not read: others are served, then it is closed. */
	fd = slow_reader(&slot, &len);
	ck_assert_int_ge(other = dial(), 0);
	ask(other, "events", NULL);
	step();
	ck_assert_int_eq(answer(other, msg, sizeof(msg)), CTL_RESP_OK);
	close(other);
	now += CTL_REPLY_MS - 1;
	step();
	ck_assert_int_eq(ctl.nclients, 1);
	now += 1;
	step();
	ck_assert_int_eq(ctl.nclients, 0);
	for (n = 0; (r = recv(fd, got, sizeof(got), 0)) > 0; )
		n += (size_t)r;
	ck_assert_int_eq(r, 0);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_lt(n, len);
	close(fd);
}
END_TEST

/* CTL_MAX_CLIENTS at once; the next is told why and closed. */
START_TEST(test_client_limit)
{
	int fd[CTL_MAX_CLIENTS], late;
	char msg[512];

	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		ck_assert_int_ge(fd[i] = dial(), 0);
		step();
	}
	ck_assert_int_eq(ctl.nclients, CTL_MAX_CLIENTS);
	ck_assert_int_ge(late = dial(), 0);
	ask(late, "status", NULL);
	step();
	ck_assert_int_eq(answer(late, msg, sizeof(msg)), CTL_RESP_ERROR);
	ck_assert_str_eq(msg, "nvd is busy serving 32 clients; try again");
	ck_assert(ended(late));
	ck_assert_uint_eq(ctl.refused_busy, 1);
	close(late);
	/* Once they are gone, requests are answered again. */
	now += CTL_REQUEST_MS;
	step();
	ck_assert_int_eq(ctl.nclients, 0);
	ck_assert_int_ge(late = dial(), 0);
	ask(late, "events", NULL);
	step();
	ck_assert_int_eq(answer(late, msg, sizeof(msg)), CTL_RESP_OK);
	close(late);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		close(fd[i]);
}
END_TEST

/* Readers that stall fill no more than CTL_MAX_CLIENTS - CTL_ADMIN_SLOTS. */
START_TEST(test_admin_slots)
{
	static const gid_t reader[] = { READ_GID };
	int fd[CTL_MAX_CLIENTS], late, n = CTL_MAX_CLIENTS - CTL_ADMIN_SLOTS;
	char msg[512];

	if (geteuid() != 0)
		return;
	for (int i = 0; i < n; i++) {
		ck_assert_int_ge(fd[i] = dial_as(NOBODY, reader, 1), 0);
		step();
	}
	ck_assert_int_eq(ctl.nclients, n);
	ck_assert_int_ge(late = dial_as(NOBODY, reader, 1), 0);
	step();
	ck_assert_int_eq(answer(late, msg, sizeof(msg)), CTL_RESP_ERROR);
	ck_assert_str_eq(msg, "nvd is busy serving 24 clients; try again");
	close(late);
	ck_assert_int_ge(late = dial(), 0);
	ask(late, "events", NULL);
	step();
	ck_assert_int_eq(answer(late, msg, sizeof(msg)), CTL_RESP_OK);
	close(late);
	for (int i = 0; i < n; i++)
		close(fd[i]);
}
END_TEST

/* What nvd says to requests it cannot read, as before. */
START_TEST(test_malformed)
{
	struct ctl_hdr h = { .magic = CTL_MAGIC, .version = 2, .type = CTL_REQ_COMMAND, .len = 4 };
	char msg[512], many[2 * (CTL_MAX_ARGS + 1)];
	int fd;

	ck_assert_int_ge(fd = dial(), 0);
	ck_assert_int_eq(io_write_full(fd, &h, sizeof(h)), 0);
	step();
	ck_assert_int_eq(answer(fd, msg, sizeof(msg)), CTL_RESP_ERROR);
	ck_assert_str_eq(msg, "protocol version 2 not supported (nvd speaks 1)");
	close(fd);

	h.version = CTL_VERSION;
	h.len = CTL_MAX_DOCUMENT + 1;	/* root may send a document, no more */
	ck_assert_int_ge(fd = dial(), 0);
	ck_assert_int_eq(io_write_full(fd, &h, sizeof(h)), 0);
	step();
	ck_assert_int_eq(answer(fd, msg, sizeof(msg)), CTL_RESP_USAGE);
	ck_assert_str_eq(msg, "malformed request");
	close(fd);

	h.len = 4;
	ck_assert_int_ge(fd = dial(), 0);
	ck_assert_int_eq(io_write_full(fd, &h, sizeof(h)), 0);
	ck_assert_int_eq(io_write_full(fd, "abcd", 4), 0);	/* not NUL-ended */
	step();
	ck_assert_int_eq(answer(fd, msg, sizeof(msg)), CTL_RESP_USAGE);
	ck_assert_str_eq(msg, "malformed request");
	close(fd);

	for (int i = 0; i <= CTL_MAX_ARGS; i++)
		memcpy(many + 2 * i, "a", 2);
	h.len = sizeof(many);
	ck_assert_int_ge(fd = dial(), 0);
	ck_assert_int_eq(io_write_full(fd, &h, sizeof(h)), 0);
	ck_assert_int_eq(io_write_full(fd, many, sizeof(many)), 0);
	step();
	ck_assert_int_eq(answer(fd, msg, sizeof(msg)), CTL_RESP_USAGE);
	ck_assert_str_eq(msg, "too many arguments");
	close(fd);

	/* One that leaves half way frees its slot. */
	ck_assert_int_ge(fd = dial(), 0);
	ck_assert_int_eq(io_write_full(fd, &h, 4), 0);
	step();
	ck_assert_int_eq(ctl.nclients, 1);
	close(fd);
	step();
	ck_assert_int_eq(ctl.nclients, 0);
}
END_TEST

/* A second server on the same path stops there; the first goes on. */
START_TEST(test_in_use)
{
	struct control second;
	char msg[512];
	int fd;

	control_init(&second, &cli.d);
	ck_assert_int_eq(control_open(&second, sock), -1);
	control_close(&second);
	ck_assert_int_ge(fd = dial(), 0);
	ask(fd, "events", NULL);
	step();
	ck_assert_int_eq(answer(fd, msg, sizeof(msg)), CTL_RESP_OK);
	close(fd);
}
END_TEST

static Suite *
control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("roles");

	tcase_add_test(tc, test_role);
	tcase_add_test(tc, test_tables_say);
	suite_add_tcase(s, tc);

	tc = tcase_create("socket");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dispatch_roles);
	tcase_add_test(tc, test_socket_roles);
	tcase_add_test(tc, test_stalled_client);
	tcase_add_test(tc, test_slow_reader);
	tcase_add_test(tc, test_client_limit);
	tcase_add_test(tc, test_admin_slots);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_in_use);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_set_level(LOG_LVL_ERROR);
	return fxdb_main("check_control", control_suite());
}
