/*
 * docker.h: the Docker Engine API client: HTTP/1.1 responses read from the
 * engine's unix socket (RFC 9112: Content-Length, chunked, or until close),
 * the request texts nvd sends, and parsers for the container list, one
 * container's inspect document and the events stream.
 *
 * Threads: everything here keeps its state in the caller's structs, so any
 * thread may call the parsers.  docker_request() and docker_events_open()
 * block on the socket (each step bounded by DOCKER_TIMEOUT_MS) and belong
 * to the docker thread only, never to the packet path.
 *
 * Errors: functions that can fail return -1 and write one line into the
 * caller's err (errlen bytes, always NUL-terminated); nothing is logged.
 */
#ifndef NVD_DOCKER_H
#define NVD_DOCKER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/json.h"
#include "docker/docker_asset.h"

#define DOCKER_API		"/v1.41"
#define DOCKER_TIMEOUT_MS	5000
#define DOCKER_MAX_LINE		8192	/* status, header or chunk line, CR included */
#define DOCKER_MAX_HEADER	32768	/* status line, headers and trailers together */
#define DOCKER_MAX_BODY		JSON_MAX_SIZE	/* a list or inspect body */
#define DOCKER_MAX_EVENT	(256 * 1024)	/* one event of the stream */
#define DOCKER_REQ_MAX		512	/* enough for every docker_req_* text */

/*
 * One HTTP response being read.  Feed it the bytes as they arrive, in any
 * pieces; the result does not depend on where the pieces are cut.
 * Fields the caller may read: status (once the status line is in, 0
 * before), body after a whole response is done, err after a -1.
 */
struct docker_resp {
	int status;
	struct buf body;	/* the body; in event mode, the event being read */
	/* private */
	int state;
	int events;		/* event mode: the body is a stream of events */
	int chunked;
	int has_length;
	uint64_t length;	/* Content-Length */
	uint64_t left;		/* bytes left of the body or of the chunk */
	size_t header_len;	/* status line, headers and trailers so far */
	int event_ready;	/* body holds an event handed out last call */
	size_t line_len;
	char line[DOCKER_MAX_LINE + 1];
	char err[128];		/* why the response failed */
};

/*
 * events 0: a whole response of at most DOCKER_MAX_BODY body bytes (list,
 * inspect).  events 1: the endless /events body, newline-separated JSON
 * objects of at most DOCKER_MAX_EVENT bytes, handed out one by one.
 * docker_resp_free() frees the body; the struct may then be inited again.
 */
void docker_resp_init(struct docker_resp *r, int events);
void docker_resp_free(struct docker_resp *r);

/*
 * Whole-response mode: consumes all len bytes and returns 0, or returns -1
 * with r->err set (and keeps returning it).  Bytes after the end of the
 * response are an error.  Any status is read whole; the caller judges it.
 */
int docker_resp_feed(struct docker_resp *r, const char *data, size_t len);
/* 1 once the whole response (or the end of the event stream) was read. */
int docker_resp_done(const struct docker_resp *r);
/*
 * The peer closed the connection.  Returns 0 if the response is complete
 * (a body without Content-Length or chunking ends here), -1 with r->err
 * if it was cut short.
 */
int docker_resp_eof(struct docker_resp *r);

/*
 * Event mode: consumes bytes until one event is complete and returns the
 * number consumed (0..len), or -1 with r->err on error.  When an event is
 * complete, *event points to its JSON text (*event_len bytes, NUL after
 * them) until the next call, which discards it; otherwise *event is NULL.
 * Call again with the rest of the bytes until all are consumed.  A status
 * other than 200 is an error as soon as the headers are in.
 */
ssize_t docker_events_feed(struct docker_resp *r, const char *data, size_t len,
    const char **event, size_t *event_len);

/*
 * Request texts (HTTP/1.1, "Host: docker").  Each returns the length written
 * to out (NUL-terminated), or -1 if outlen is too small or, for inspect, id
 * is not a container id or name ([A-Za-z0-9][A-Za-z0-9_.-]*, at most 128).
 * The list covers running containers.  The event filter asks for container
 * and network events: a network connect or disconnect changes a running
 * container's addresses, a network made or removed the subnets containers
 * take their addresses from (docker_req_networks lists them).
 */
int docker_req_list(char *out, size_t outlen);
int docker_req_inspect(char *out, size_t outlen, const char *id);
int docker_req_events(char *out, size_t outlen);
/* GET /images/{id}/json; id is an image id as inspect gives it
 * ("sha256:" and 64 hex digits). */
int docker_req_image(char *out, size_t outlen, const char *id);
int docker_req_networks(char *out, size_t outlen);
/* GET /version: the engine's version (docker_parse_version). */
int docker_req_version(char *out, size_t outlen);

/*
 * Sends request on a new connection to socket_path and reads the whole
 * response.  Connecting, sending and reading the response are each
 * bounded by DOCKER_TIMEOUT_MS.  On status 200 returns 0 and
 * moves the body into *body (its old data is freed; the caller frees it
 * with buf_free).  Returns -1 with err for a connect, I/O or protocol
 * failure, a timeout, or another status ("HTTP 404: No such container: x",
 * Docker's message when the body carries one).
 */
int docker_request(const char *socket_path, const char *request,
    struct buf *body, char *err, size_t errlen);
/*
 * Connects to socket_path and sends the events request.  Returns the
 * connected socket (blocking, close-on-exec), or -1 with err.  The caller
 * reads it (poll for the timing), feeds a docker_resp in event mode, and
 * closes it.  End of file, or docker_resp_done() after the last chunk,
 * means the engine went away.
 */
int docker_events_open(const char *socket_path, char *err, size_t errlen);

#define DOCKER_ID_LEN		64
#define DOCKER_NAME_MAX		256	/* bytes, NUL included */
#define DOCKER_IMAGE_MAX	512
#define DOCKER_MAX_LABELS	64
#define DOCKER_LABEL_KEY_MAX	128
#define DOCKER_LABEL_VALUE_MAX	256
#define DOCKER_MAX_ADDRS	32
#define DOCKER_IMAGE_ID_MAX	80	/* "sha256:" and 64 hex digits, NUL included */

/*
 * Reads the Id of each container in a GET /containers/json body into
 * ids[0..*count-1].  -1 with *count 0 if there are more than max, or one
 * Id is not 64 lowercase hex digits.
 */
int docker_parse_list(const char *json, size_t len, char (*ids)[DOCKER_ID_LEN + 1],
    size_t max, size_t *count, char *err, size_t errlen);

struct docker_label {
	char key[DOCKER_LABEL_KEY_MAX];
	char value[DOCKER_LABEL_VALUE_MAX];
};

struct docker_addr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order; 4 bytes for AF_INET */
	char network[DOCKER_NET_NAME_MAX];	/* the Docker network's name */
	int has_mac;
	uint8_t mac[6];		/* the network's MacAddress: the container's
				 * interface on it */
	int ifindex;		/* that interface's port in nvd's namespace, found by
				 * the docker thread (dockerwatch.h); 0: not known */
};

/*
 * What nvd knows of a container (about 30 KB: keep it off small stacks).
 * Labels that do not fit (too many, key or value too long) are left out
 * and counted; so are addresses past DOCKER_MAX_ADDRS.  The compose fields
 * are read from their labels whether or not those fit.
 */
struct docker_container {
	char id[DOCKER_ID_LEN + 1];
	char name[DOCKER_NAME_MAX];	/* without Docker's leading '/' */
	char image[DOCKER_IMAGE_MAX];	/* Config.Image: as the user named it */
	char image_id[DOCKER_IMAGE_ID_MAX];	/* Image: the image's id, "" if absent */
	char project[DOCKER_LABEL_VALUE_MAX];	/* com.docker.compose.project or "" */
	char service[DOCKER_LABEL_VALUE_MAX];	/* com.docker.compose.service or "" */
	int running;
	int pid;			/* State.Pid, 0 when not running */
	struct docker_label labels[DOCKER_MAX_LABELS];
	int nlabels;
	int labels_dropped;
	struct docker_addr addrs[DOCKER_MAX_ADDRS];	/* NetworkSettings.Networks.* */
	int naddrs;
	int addrs_dropped;
	struct docker_asset asset;	/* state, privileged, user, ports, networks */
};

/*
 * Parses a GET /containers/{id}/json body into *c (all of it overwritten;
 * nothing in it is usable after -1).
 */
int docker_parse_container(const char *json, size_t len, struct docker_container *c,
    char *err, size_t errlen);

/* What nvd reads of an image: the labels it gives its containers (about
 * 25 KB), bounded as a container's are. */
struct docker_image {
	char id[DOCKER_IMAGE_ID_MAX];
	char project[DOCKER_LABEL_VALUE_MAX];	/* com.docker.compose.project or "" */
	char service[DOCKER_LABEL_VALUE_MAX];	/* com.docker.compose.service or "" */
	struct docker_label labels[DOCKER_MAX_LABELS];	/* Config.Labels */
	int nlabels;
	int labels_dropped;
};

/* Parses a GET /images/{id}/json body into *img. */
int docker_parse_image(const char *json, size_t len, struct docker_image *img,
    char *err, size_t errlen);

/*
 * Keeps in c only the labels the container sets itself, those group
 * criteria may read (nvd(8), WORKLOADS AND POLICY).  A label whose key
 * and value equal one of its image img's is the image's and goes (also
 * when the container was given the same label again: nothing tells the
 * two apart), except com.docker.compose.project and
 * com.docker.compose.service when Docker Compose made the container:
 * another com.docker.compose.* label of c is not img's (compose puts
 * config-hash, container-number and others on every container it makes,
 * and its own project and service over whatever an image says; an image
 * it built carries only project, service and version).  c->project and
 * c->service follow.  img NULL (the image could not be read), or an image
 * with more labels than it holds: no label counts.
 */
void docker_labels_own(struct docker_container *c, const struct docker_image *img);
#define DOCKER_MAX_SUBNETS	1024	/* of all networks, in one list */

/* A subnet of a Docker network (IPAM.Config[].Subnet). */
struct docker_subnet {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order, host bits cleared */
	int prefix;
	char network[DOCKER_NET_NAME_MAX];	/* the network's name */
};

/*
 * Reads the subnets of the bridge networks in a GET /networks body into
 * subnets[0..*count-1], IPv4 and IPv6 alike.  Only a bridge network's
 * subnets hold nothing but this host's containers: the null and host
 * networks have none, and those of other drivers (macvlan, ipvlan,
 * overlay) are shared with other hosts on the link, so they are left out.
 * -1 with *count 0 if there are more than max, or a bridge network's name
 * or subnet is malformed.
 */
int docker_parse_networks(const char *json, size_t len, struct docker_subnet *subnets,
    size_t max, size_t *count, char *err, size_t errlen);

enum docker_action {
	DOCKER_ACT_OTHER = 0,	/* anything nvd does not act on */
	DOCKER_ACT_CREATE,
	DOCKER_ACT_START,
	DOCKER_ACT_RESTART,
	DOCKER_ACT_PAUSE,
	DOCKER_ACT_UNPAUSE,
	DOCKER_ACT_STOP,
	DOCKER_ACT_DIE,
	DOCKER_ACT_DESTROY,
	DOCKER_ACT_RENAME,
	DOCKER_ACT_CONNECT,	/* a network event: the container joined one */
	DOCKER_ACT_DISCONNECT,
	DOCKER_ACT_NETWORK,	/* a network was made, removed or changed (id "") */
};

struct docker_event {
	enum docker_action action;
	char action_name[32];	/* Docker's Action, cut to fit ("exec_start: sh -c ...") */
	char id[DOCKER_ID_LEN + 1];	/* the container; "" for OTHER without one */
	char name[DOCKER_NAME_MAX];	/* container events: its name (the new one for rename) */
	int64_t time_nano;	/* timeNano, 0 if absent */
};

/* Parses one event as docker_events_feed() hands it out. */
int docker_parse_event(const char *json, size_t len, struct docker_event *ev,
    char *err, size_t errlen);

#endif
