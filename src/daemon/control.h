/*
 * control.h: the control socket server.  It runs on the main thread,
 * inside nvd.c's poll loop, and never blocks: each client is read and
 * answered a step at a time as its socket is ready, against a deadline
 * (CTL_REQUEST_MS to send its request, CTL_REPLY_MS to read the reply),
 * so a client that stalls holds up neither another client nor the loop's
 * housekeeping.  Commands are answered from published state and never
 * wait on a worker.
 *
 * Who may connect, and what each may ask (control_proto.h): the socket
 * file admits root, group nvd and, through an ACL entry, group nvd-read;
 * each connection's role is then taken from the credentials it connected
 * with (SO_PEERCRED, SO_PEERGROUPS), before a byte of it is read.
 */
#ifndef NVD_CONTROL_H
#define NVD_CONTROL_H

#include <poll.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "base/buf.h"
#include "base/control_proto.h"
#include "base/log.h"

struct daemon;
struct handler;

/* Clients served at once; more are refused with "nvd is busy ...".  The
 * last CTL_ADMIN_SLOTS are kept for root and group nvd, so that readers
 * that stall cannot lock them out. */
#define CTL_MAX_CLIENTS		32
#define CTL_ADMIN_SLOTS		8
/* control_pollfds() fills at most this many. */
#define CTL_POLLFDS		(1 + CTL_MAX_CLIENTS)

#define CTL_NO_GID		((gid_t)-1)

enum ctl_role {
	CTL_ROLE_NONE,		/* refused at connect */
	CTL_ROLE_READ,		/* group nvd-read: REQ_READS requests (request.h) */
	CTL_ROLE_ADMIN,		/* root, nvd's own user, group nvd: every request */
};

struct ctl_client {
	int fd;			/* -1: the slot is free */
	enum ctl_role role;
	uid_t uid;		/* for the log */
	int64_t deadline_ms;	/* clock_mono_ms() it is closed at */
	struct ctl_hdr hdr;	/* the request's, then the reply's */
	char *body;		/* the request's words, hdr.len bytes */
	size_t done;		/* bytes of the request read, then of the reply sent */
	int replying;		/* the reply is in out and being sent */
	struct buf out;		/* the reply's body */
};

struct control {
	struct daemon *d;
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];	/* removed at close */
	gid_t admin_gid, read_gid;	/* groups nvd and nvd-read, or CTL_NO_GID */
	int64_t now;		/* of the current control_step() */
	int nclients;
	struct ctl_client clients[CTL_MAX_CLIENTS];
	int polled[CTL_MAX_CLIENTS];	/* the slot of each pollfd after the first */
	uint64_t refused_busy, timed_out;
	struct log_limit busy_log, timeout_log;
};

/* The handler tables control_dispatch() searches, in order, NULL-ended. */
extern const struct handler *const control_handlers[];

/*
 * A server for d, with no socket yet.  Looks up groups nvd and nvd-read
 * (CTL_NO_GID where one does not exist): groups made later count once nvd
 * restarts.
 */
void control_init(struct control *c, struct daemon *d);
/*
 * Creates the socket at path (under umask 0117, then mode 0660, group nvd
 * when it exists, and an ACL entry giving group nvd-read the same rights;
 * on a file system without ACLs mode 0666, and the peer check alone keeps
 * others out).  Refuses a path where an nvd answers.  Returns 0 or -1.
 */
int control_open(struct control *c, const char *path);
/* Closes every client and the socket, and removes its file. */
void control_close(struct control *c);

/*
 * The pollfds the server waits on: the socket, then each client (POLLIN
 * while it sends its request, POLLOUT while it is answered).  Fills at
 * most CTL_POLLFDS of pfd; returns how many.
 */
int control_pollfds(struct control *c, struct pollfd *pfd);
/*
 * After poll(): serves the clients pfd (n of them, as control_pollfds()
 * made) says are ready, accepts new ones, and closes those whose deadline
 * passed by now_ms (clock_mono_ms()).  Never blocks; call it on every
 * turn of the loop, also when poll() timed out.
 */
void control_step(struct control *c, const struct pollfd *pfd, int n, int64_t now_ms);

/* The role of a peer with these credentials (gid and groups: its primary
 * and supplementary groups). */
enum ctl_role control_role(const struct control *c, uid_t uid, gid_t gid, const gid_t *groups,
    int ngroups);

/*
 * Runs the handler of one request (argv, argc: the command words and their
 * arguments; request.h) and writes the reply into out.  Returns a
 * CTL_RESP_* code.  control_dispatch() runs it with every right,
 * control_dispatch_as() as role, which answers CTL_RESP_DENIED to a
 * request the role may not send.
 */
int control_dispatch(struct daemon *d, int argc, char **argv, int json, struct buf *out);
int control_dispatch_as(struct daemon *d, enum ctl_role role, int argc, char **argv, int json,
    struct buf *out);

#endif
