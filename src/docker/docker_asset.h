/*
 * docker_asset.h: what the Docker Engine API says of a container besides
 * who it is, for the assets view (nvctl workload list, nvctl host): its
 * state, whether it is privileged, the user it runs as, the ports it
 * publishes and the networks it is on; and the engine's version.
 *
 * None of it decides a verdict, so a field Docker gives in a form nvd does
 * not expect is left out (and counted), never a reason to refuse the
 * container: a container whose identity was read is never lost over its
 * assets.  Every text is bounded and cut to fit.
 *
 * Threads: pure; any thread may call.
 */
#ifndef NVD_DOCKER_ASSET_H
#define NVD_DOCKER_ASSET_H

#include <stddef.h>
#include <stdint.h>

#include "base/json.h"

#define DOCKER_STATE_MAX	16	/* State.Status, NUL included */
#define DOCKER_USER_MAX		64	/* Config.User */
#define DOCKER_MAX_PUBLISHED	32	/* host bindings of NetworkSettings.Ports */
#define DOCKER_MAX_NETS		16	/* names of NetworkSettings.Networks */
#define DOCKER_NET_NAME_MAX	128
#define DOCKER_VERSION_MAX	64

/* A port a container publishes on the host: host_ip:host_port->port/proto. */
struct docker_published {
	char host_ip[46];	/* INET6_ADDRSTRLEN; "" when Docker gives none */
	uint16_t host_port;
	uint16_t port;		/* the container's */
	char proto[8];		/* tcp, udp or sctp */
};

struct docker_asset {
	char state[DOCKER_STATE_MAX];	/* running, paused, restarting ...; "" unknown */
	int privileged;			/* HostConfig.Privileged */
	char user[DOCKER_USER_MAX];	/* Config.User as given; "" unset (root) */
	int user_cut;			/* Config.User was longer: root is not told by it */
	struct docker_published ports[DOCKER_MAX_PUBLISHED];
	int nports;
	char nets[DOCKER_MAX_NETS][DOCKER_NET_NAME_MAX];
	int nnets;
	int dropped;			/* ports and networks left out: too many, or not
					 * in a form nvd reads */
};

/* Reads the assets of a GET /containers/{id}/json document's root into *a
 * (all of it overwritten). */
void docker_asset_read(struct docker_asset *a, const struct json *root);

/*
 * Whether the container runs as root by its configuration (Config.User,
 * as `docker inspect` shows it and the CIS Docker Benchmark checks it):
 * unset, "root" or uid 0, with or without a group.  A user name that only
 * the image's /etc/passwd maps to uid 0 is not told.
 */
int docker_asset_root(const struct docker_asset *a);

/*
 * The published ports as `docker ps` writes them, comma-separated:
 * "0.0.0.0:8080->80/tcp,[::]:8080->80/tcp"; the networks as
 * "bridge,front".  Items that do not fit whole in outlen are left out,
 * the last item then being "...".
 */
void docker_asset_ports_text(const struct docker_asset *a, char *out, size_t outlen);
void docker_asset_nets_text(const struct docker_asset *a, char *out, size_t outlen);

/* The engine, from GET /version. */
struct docker_version {
	char version[DOCKER_VERSION_MAX];	/* "20.10.24+dfsg1" */
	char api[16];				/* "1.41" */
};

/*
 * Parses a GET /version body.  Returns 0, or -1 with err when it is no
 * JSON object or Version is missing; a field too long is cut.
 */
int docker_parse_version(const char *json, size_t len, struct docker_version *v,
    char *err, size_t errlen);

#endif
