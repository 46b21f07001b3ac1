/*
 * dockerwatch.h: the docker thread.  Keeps the live workloads (live.h)
 * equal to the running containers of one Docker engine, through the
 * Engine API client in docker.h.
 *
 * How: it opens the events stream first, then lists and inspects every
 * running container (and its image, for the labels it sets: the last
 * DOCKERWATCH_IMAGES images read are kept, an image id's labels never
 * change) and replaces the Docker workloads with them
 * (live_workloads_replace), so no event between the list and the stream
 * is lost; then for each event it inspects the container again (start,
 * restart, unpause, rename, network connect and disconnect) and sets or
 * removes its workload, or removes it at once (die, stop, destroy).  A
 * paused container keeps its workload (it keeps its addresses): it is
 * inspected again for its state, as at unpause.  The engine's version is
 * asked at each connection (dockerwatch_status).  It lists
 * the networks too, at that sync and at each other network event, and
 * hands their bridge subnets to live (live_nets_set): an address there
 * that no workload has is a container nvd does not know yet.  When a
 * worker meets one it nudges this thread (live_nudge), which lists the
 * running containers and inspects those it does not know, ahead of their
 * events; the nudge is read between events too.  When the
 * stream ends or fails (dockerd restarts), or a request fails, it
 * reconnects after 100 ms, doubling to 2 s, and lists again; containers
 * gone meanwhile go with that list.  While the engine is away the
 * workloads last seen are kept.
 *
 * Threads: dockerwatch_start() and dockerwatch_stop() belong to the main
 * thread; dockerwatch_status() may be called from any thread.
 * Logs: "docker: connected to PATH ..." (info) and "docker: WHY:
 * reconnecting" (warning) once per change of state.
 */
#ifndef NVD_DOCKERWATCH_H
#define NVD_DOCKERWATCH_H

#include <stddef.h>
#include <stdint.h>

#include "docker/docker.h"
#include "runtime/live.h"
#include "policy/policy.h"

#define DOCKERWATCH_BACKOFF_MIN_MS	100
#define DOCKERWATCH_BACKOFF_MAX_MS	2000
#define DOCKERWATCH_MAX_CONTAINERS	16384	/* in one list; more is an error */

#define DOCKERWATCH_IMAGES		32	/* images whose labels are kept */

struct dockerwatch;

/* One interface of a container, by its hardware address, and its port. */
struct dockerwatch_port {
	uint8_t mac[6];
	int ifindex;		/* its veth peer's index in nvd's namespace */
};

/*
 * Where containers' interfaces meet nvd's namespace, for anti-spoofing
 * (the daemon asks the kernel: link.h).  find() gives up to max ports of
 * the container whose process is pid, returning their count, or -1 with
 * err.  Called on the docker thread.
 */
struct dockerwatch_ports {
	int (*find)(void *ctx, int pid, struct dockerwatch_port *out, int max,
	    char *err, size_t errlen);
	void *ctx;
};

/*
 * Starts the thread watching the engine at socket_path; it updates l until
 * dockerwatch_stop().  ports (copied; NULL: none) finds each container's
 * bridge ports, which its workload's addresses carry (policy_addr's
 * ifindex); a container whose ports cannot be found has none.  An engine
 * that cannot be reached is no failure: the thread keeps trying.  Returns
 * NULL with err only if the thread or its memory could not be made.
 */
struct dockerwatch *dockerwatch_start(const char *socket_path, struct live *l,
    const struct dockerwatch_ports *ports, char *err, size_t errlen);

/*
 * Stops and joins the thread and frees dw (NULL is fine).  Prompt, except
 * that a request already sent to a hung engine may take up to
 * DOCKER_TIMEOUT_MS.  The live workloads are left as they are.
 */
void dockerwatch_stop(struct dockerwatch *dw);

struct dockerwatch_status {
	char socket[108];
	int connected;		/* the stream is open and the list was read */
	int64_t since;		/* unix seconds of the last change of connected; 0: never */
	int containers;		/* Docker workloads set now (list plus events) */
	uint64_t events;	/* events read from the stream */
	uint64_t connects;	/* successful connections (stream and list) */
	uint64_t reconnects;	/* connections made again after a lost one */
	uint64_t errors;	/* failed connects, requests, streams and events */
	int subnets;		/* bridge subnets handed to live */
	uint64_t nudges;	/* looks for unknown containers a worker asked for */
	uint64_t nudge_found;	/* containers those looks found before their events */
	char last_error[256];	/* "" if there was none */
	char version[DOCKER_VERSION_MAX];	/* the engine's (GET /version), "" unknown */
	char api_version[16];
};

/* A copy of dw's counters, taken under its lock. */
void dockerwatch_status(struct dockerwatch *dw, struct dockerwatch_status *st);

/*
 * The workload of container c: id, name, image, compose service and
 * project, labels and addresses with their ports (beyond POLICY_MAX_ADDRS
 * left out; a name, image, service or project longer than the policy's
 * fields is cut), and its assets (policy_asset).  The docker thread keeps only the labels the container
 * sets itself (docker_labels_own()) before.
 * Returns 0, or -1 for lack of memory (w left cleared).  The caller frees
 * w with policy_workload_clear().
 */
int dockerwatch_workload(const struct docker_container *c, struct policy_workload *w);

#endif
