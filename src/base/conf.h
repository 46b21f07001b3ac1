/*
 * conf.h: nvd.conf, one plain struct.  The parser only assigns values it
 * could parse; conf_check() does the cross-field validation and is what
 * `nvd --check-config` runs too.
 */
#ifndef NVD_CONF_H
#define NVD_CONF_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "base/types.h"

enum fail_mode {
	FAIL_OPEN = 0,
	FAIL_CLOSED,
};

enum policy_mode {
	MODE_DISCOVER = 0,
	MODE_MONITOR,
	MODE_PROTECT,
};

/* Where each event's JSON line goes (event_log). */
enum conf_event_log {
	EVENT_LOG_NONE = 0,
	EVENT_LOG_SYSLOG,		/* syslog; standard error with nvd -f */
};

struct steer_if {
	char name[IFNAME_LEN];	/* without the trailing '*' of a glob */
	int glob;		/* 1: matches every interface starting with name */
};

#define CONF_RESOLVERS_MAX	16

struct conf {
	char database[PATH_MAX];
	char control_socket[108];	/* sizeof(sun_path) */
	uint16_t queue_first;
	uint16_t queue_count;
	/* The queues of the traffic of protect-mode workloads, bound without
	 * fail-open: a full queue drops, never passes.  As many as queues,
	 * each served by the worker of the queue of the same index;
	 * protect_count 0: the range right after queues (conf_protect_queues). */
	uint16_t protect_first;
	uint16_t protect_count;
	enum fail_mode fail_mode;
	struct steer_if steer[MAX_STEER];
	int nsteer;
	char nft_table[64];
	int install_rules;
	char docker_socket[108];
	enum policy_mode default_mode;
	uint32_t dns_min_ttl;
	/* The DNS servers whose answers bind names: "auto" (the host's
	 * resolv.conf nameservers), "any", or addresses (checked; at most
	 * CONF_RESOLVERS_MAX) separated by ',' or blanks. */
	char dns_resolvers[CONF_RESOLVERS_MAX * 48];
	uint64_t dns_max_bindings;	/* IP to FQDN cache bound */
	uint64_t stream_depth;
	uint64_t stream_memcap;
	int bypass_identified;	/* bypass a flow once its application is known */
	int kernel_decide;	/* the kernel allows what ports alone decide (nvd.8,
				 * KERNEL DECISIONS) */
	uint64_t max_flows;
	uint32_t queue_maxlen;
	char rules_dir[PATH_MAX];
	char pcap_dir[PATH_MAX];
	int log_level;
	char authz_socket[108];		/* Docker authorization plugin; "": off */
	/* The audit log and its readers (nvd.conf(5), AUDIT LOG). */
	enum conf_event_log event_log;
	uint32_t event_retention_days;	/* 0: events are kept whatever their age */
	uint64_t event_retention_rows;	/* 0: whatever their number */
	uint64_t pcap_retention_files;	/* 0: pcap files whatever their number */
	uint64_t pcap_retention_bytes;	/* 0: whatever their size */
	char metrics_listen[108];	/* "" (off), a unix socket path, ADDR:PORT */
	/* sensor.crs (nvd.conf(5)): the OWASP CRS's setup file and rule
	 * files (a glob; empty: sensor.crs off), its threads, the deadline
	 * of one request (ms) and the request body bytes it reads. */
	char crs_setup[PATH_MAX];
	char crs_rules[PATH_MAX];
	uint32_t crs_threads;		/* 0: one per CPU */
	uint32_t crs_deadline;
	uint64_t crs_body_limit;

	/* Where keys were set, for cross-field messages (0: default). */
	struct {
		int queues, protect_queues, max_flows, stream_depth, stream_memcap;
	} line;
};

/* A list of "FILE:LINE: message" lines. */
#define CONF_MAX_ERRORS 64
struct conf_errors {
	int count;
	char msg[CONF_MAX_ERRORS][320];
};

void conf_defaults(struct conf *c);
/*
 * Reads path into c (on top of what c already holds).  Returns the number
 * of errors added to errs; a file that cannot be opened is one error.
 */
int conf_load(struct conf *c, const char *path, struct conf_errors *errs);
/* Parses a whole config text; name is used in messages. */
int conf_parse(struct conf *c, const char *name, const char *text, struct conf_errors *errs);
/* Cross-field checks; returns the number of errors added. */
int conf_check(const struct conf *c, const char *name, struct conf_errors *errs);

/* The protect queues c names or implies: *first, *count. */
void conf_protect_queues(const struct conf *c, uint16_t *first, uint16_t *count);

const char *conf_fail_mode_name(enum fail_mode m);
const char *conf_mode_name(enum policy_mode m);
int conf_mode_parse(const char *s);
/*
 * The address metrics_listen names: a unix socket path (absolute), or
 * IPV4:PORT or [IPV6]:PORT, literal addresses.  Fills *ss and *len and
 * returns 0, or -1 with what is wrong in err.
 */
struct sockaddr_storage;
int conf_listen_parse(const char *s, struct sockaddr_storage *ss, unsigned *len, char *err,
    size_t errlen);

/* "steer" as the user would write it: "docker0 veth*". */
void conf_steer_str(const struct conf *c, char *out, size_t outlen);

#endif
