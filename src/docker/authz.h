/*
 * authz.h: the Docker authorization plugin server (nvd(8), ADMISSION
 * CONTROL): dockerd, started with --authorization-plugin=NAME, finds
 * NAME.sock in /run/docker/plugins and asks it about every API call
 * (admission/adm_authz.h says what is judged and how).
 *
 * One thread of its own serves the socket: HTTP/1.1 requests from any
 * number of dockerd's connections at once (keep-alive and pipelined),
 * each read within AUTHZ_REQUEST_MS of its first byte and bounded in
 * size (ADM_AUTHZ_MAX_REQUEST; the answers to dockerd's AuthZRes are
 * given without keeping its body).  It judges by the policy published in
 * an adm_live and writes an event of type admission for each call judged
 * that a rule decided or that was unreadable, into a ring of its own that
 * the writer thread drains.  Nothing here touches the packet path.
 *
 * Only root (and nvd's own user) may connect: the socket is made mode
 * 0600 and each peer's uid is checked (SO_PEERCRED).
 */
#ifndef NVD_AUTHZ_H
#define NVD_AUTHZ_H

#include <stddef.h>
#include <stdint.h>

#include "admission/adm_policy.h"
#include "runtime/event.h"

#define AUTHZ_MAX_CLIENTS	128	/* connections served at once */
#define AUTHZ_REQUEST_MS	10000	/* a request, first byte to the end of its body */
#define AUTHZ_IDLE_MS		600000	/* a kept-alive connection with no request */

struct authz;

/*
 * Creates the socket at path (its directory too, mode 0700, as Docker
 * makes /run/docker/plugins) and starts the thread.  A path where a
 * server answers is refused; a stale socket file is replaced.  The thread
 * judges by pol and pushes events into ring (owned by the caller, who
 * registers it with the writer).  NULL with err on failure.
 */
struct authz *authz_start(const char *path, struct adm_live *pol, struct event_ring *ring,
    char *err, size_t errlen);
/* Stops and joins the thread, closes and removes the socket, frees a. */
void authz_stop(struct authz *a);

struct authz_status {
	char socket[108];
	uint64_t connections;		/* accepted */
	uint64_t refused;		/* peers that were not root */
	uint64_t requests;		/* AuthZReq answered */
	uint64_t judged;		/* of them, calls judged: create, exec, start, volume */
	uint64_t allowed;		/* admitted by an allow rule */
	uint64_t violations;		/* admitted although a deny rule matched (monitor) */
	uint64_t denied;		/* refused */
	uint64_t unreadable;		/* judged without a body nvd could read */
	uint64_t responses;		/* AuthZRes answered */
	uint64_t bad_requests;		/* not the plugin API, or too large */
	uint64_t timeouts;		/* connections closed at their deadline */
};

/* Any thread; a NULL a gives zeros. */
void authz_status(struct authz *a, struct authz_status *st);

#endif
