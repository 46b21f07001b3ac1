/*
 * objects.h: the objects a policy is made of, as the database stores them
 * and users write them: groups and their criteria, port specs, network
 * rules, workloads; their words parsed and formatted (objects.c).
 *
 * Threads: everything here is pure.
 */
#ifndef NVD_POLICY_OBJECTS_H
#define NVD_POLICY_OBJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/conf.h"		/* enum policy_mode */
#include "base/types.h"		/* IFNAME_LEN */

#define POLICY_NAME_MAX		128	/* group and workload names, NUL included */
#define POLICY_IMAGE_MAX	256
#define POLICY_ID_MAX		72	/* container id or "static:" ... */
#define POLICY_MAX_CRITERIA	16
#define POLICY_MAX_PORTS	16
#define POLICY_MAX_ADDRS	16	/* per workload */
#define POLICY_APPS_MAX		128
#define POLICY_FQDN_MAX		253	/* a DNS name as text (dns.h, fqdn.h) */
#define POLICY_LABEL_KEY_MAX	128
#define POLICY_LABEL_VALUE_MAX	256

/* Built-in group names. */
#define GROUP_CONTAINERS	"containers"
#define GROUP_HOST		"host"
#define GROUP_EXTERNAL		"external"
#define GROUP_LEARNED_PREFIX	"nv."
/* A learned group of a DNS name: "fqdn:" and the name (criteria
 * address=NAME); no user group can have a ':' in its name. */
#define GROUP_FQDN_PREFIX	"fqdn:"

const char *policy_mode_name(enum policy_mode m);
/* Returns 0, or -1 if s is not discover, monitor or protect. */
int policy_mode_parse(const char *s, enum policy_mode *m);

enum group_kind {
	GROUP_BUILTIN = 0,
	GROUP_LEARNED,
	GROUP_USER,
};
const char *policy_group_kind_name(enum group_kind k);
int policy_group_kind_parse(const char *s, enum group_kind *k);

enum crit_kind {
	CRIT_NAME = 0,		/* name=GLOB */
	CRIT_IMAGE,		/* image=GLOB */
	CRIT_LABEL,		/* label:KEY=GLOB */
	CRIT_ADDR_NET,		/* address=IP or address=CIDR */
	CRIT_ADDR_FQDN,		/* address=FQDN or address=*.DOMAIN (matched by the DNS issue) */
};

struct criterion {
	enum crit_kind kind;
	char key[POLICY_LABEL_KEY_MAX];		/* CRIT_LABEL: the label's key */
	char value[POLICY_LABEL_VALUE_MAX];	/* glob, FQDN, or the address as written */
	int family;				/* CRIT_ADDR_NET: AF_INET or AF_INET6 */
	uint8_t addr[16];			/* network order, host bits cleared */
	int prefix;
};

/*
 * Parses "name=web*,label:tier=db,address=10.0.0.0/8" into c[0..n-1] and
 * returns n (at least 1), or -1 with one line in err, e.g.
 * "criterion 'color=red': unknown key 'color' (expected name=, image=,
 * label:KEY= or address=)".  An empty list is an error.
 */
int criteria_parse(const char *text, struct criterion *c, int max, char *err, size_t errlen);
/* The canonical text of a criteria list (parses back to the same list). */
void criteria_format(const struct criterion *c, int n, struct buf *out);

/* One port spec: proto 0 is "any" (every protocol and port). */
struct port_range {
	uint8_t proto;		/* 0, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP (also
				 * ICMPv6), or another IP protocol (proto/N) */
	uint16_t lo, hi;	/* inclusive; 0-0 for icmp and proto/N */
};

/*
 * Parses "tcp/80,udp/53,tcp/8000-8100", "icmp", "proto/47" or "any" and
 * returns the number of specs (at least 1), or -1 with err ("port spec
 * 'tcp/99999': port out of range (1-65535)").  "any" stands alone.
 */
int ports_parse(const char *text, struct port_range *p, int max, char *err, size_t errlen);
/*
 * The word of an IP protocol in rules, events and conversations: "tcp",
 * "udp", "icmp" (ICMPv6 too) or "proto/N"; buf (at least 12 bytes) holds
 * the last.
 */
const char *policy_proto_word(uint8_t proto, char *buf);
/* Canonical text: specs joined by ",", a single port as tcp/80, any as "any". */
void ports_format(const struct port_range *p, int n, char *out, size_t outlen);

struct policy_group {
	char name[POLICY_NAME_MAX];
	enum group_kind kind;
	enum policy_mode mode;
	struct criterion crit[POLICY_MAX_CRITERIA];	/* user groups */
	int ncrit;
};

/*
 * Checks a user group's name: 1-127 bytes of [A-Za-z0-9_.-], not starting
 * with "nv." and not a built-in name.  Returns 0 or -1 with err.
 */
int policy_group_name_check(const char *name, char *err, size_t errlen);

enum rule_action {
	RULE_ALLOW = 0,
	RULE_DENY,
};
enum rule_type {
	RULE_USER = 0,
	RULE_LEARNED,
};
const char *policy_rule_action_name(enum rule_action a);
const char *policy_rule_type_name(enum rule_type t);

struct policy_rule {
	int64_t id;
	char from[POLICY_NAME_MAX];
	char to[POLICY_NAME_MAX];
	char apps[POLICY_APPS_MAX];	/* "any" or "http,postgresql" */
	struct port_range ports[POLICY_MAX_PORTS];
	int nports;
	enum rule_action action;
	enum rule_type type;
	double order;			/* user rules: ascending order of evaluation */
	int64_t hits;
	int64_t last_seen;		/* unix seconds, 0: never */
	int64_t created, updated;
};

struct policy_label {
	char key[POLICY_LABEL_KEY_MAX];
	char value[POLICY_LABEL_VALUE_MAX];
};

struct policy_addr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order; 4 bytes used for AF_INET */
	int ifindex;		/* a workload's: the interface in nvd's namespace its
				 * packets from this address come in on (a container's
				 * bridge port), 0 if not known (policy_spoofed()) */
};

/* A subnet: the address with host bits cleared, and the prefix length. */
struct policy_net {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order; 4 bytes used for AF_INET */
	int prefix;
};

/*
 * What Docker says of a container besides who it is, for the assets view
 * (nvctl workload list, the dashboard): nothing here judges a connection.
 * All zero for a static workload.
 */
#define POLICY_STATE_MAX	16
#define POLICY_USER_MAX		64
#define POLICY_PUBLISHED_MAX	512
#define POLICY_NETWORKS_MAX	256
struct policy_asset {
	char state[POLICY_STATE_MAX];	/* Docker's State.Status: running, paused ...;
					 * "" for a static workload */
	int privileged;			/* HostConfig.Privileged */
	int root;			/* runs as root (Config.User unset, root or uid 0) */
	char user[POLICY_USER_MAX];	/* Config.User as given, "" unset */
	char ports[POLICY_PUBLISHED_MAX];	/* published, as docker ps writes them:
					 * "0.0.0.0:8080->80/tcp,[::]:8080->80/tcp" */
	char networks[POLICY_NETWORKS_MAX];	/* Docker networks: "bridge,front" */
};

struct policy_workload {
	char id[POLICY_ID_MAX];		/* container id, or "static:NAME" */
	char name[POLICY_NAME_MAX];
	char image[POLICY_IMAGE_MAX];
	char service[POLICY_NAME_MAX];	/* compose service, or "" */
	char project[POLICY_NAME_MAX];	/* compose project, or "" */
	struct policy_label *labels;	/* owned; free with policy_workload_clear */
	int nlabels;
	struct policy_addr addrs[POLICY_MAX_ADDRS];
	int naddrs;
	int is_static;
	char iface[IFNAME_LEN];		/* static: the interface its addresses are on
					 * (nvctl workload add --iface), or "" */
	struct policy_asset asset;	/* a container's, as Docker says */
};

/*
 * How many characters of a workload id people are shown: a container's
 * first 12 (as docker ps shows them), a static workload's whole.
 */
int policy_id_shown(const char *id);

/* Frees w's labels and zeroes it. */
void policy_workload_clear(struct policy_workload *w);
/* Deep copy; returns 0 or -1 (no memory, dst left cleared). */
int policy_workload_copy(struct policy_workload *dst, const struct policy_workload *src);

/*
 * The learned group of a workload: nv.<service>.<project> under compose,
 * nv.<service> with only a service label, else nv.<name> with a trailing
 * instance number ("-2", "_1", ".3") cut.  Characters other than
 * [A-Za-z0-9_.-] become '-'.  Always fits in POLICY_NAME_MAX.
 */
void policy_learned_group(const struct policy_workload *w, char *out, size_t outlen);

#endif
