/*
 * policy.h: groups, network rules and workloads, and the immutable policy
 * snapshot the packet path judges connections with.
 *
 * The words are DESIGN.md's.  A workload belongs to its learned group
 * (nv.<service>[.<project>]), to `containers`, and to every user group
 * whose criteria (AND-ed) it meets.  An address that is no workload is
 * `host` (one of this host's addresses), in every address group whose
 * criteria it meets, or else `external`.
 *
 * Modes: an end's mode is the strictest mode of the groups it is in.
 * A connection is judged by the first rule that matches it (user rules by
 * their order, then learned rules):
 *
 *   rule       either end protect   else either end monitor   else (discover)
 *   allow      ALLOW                ALLOW                     ALLOW
 *   deny       DENY                 ALERT                     ALERT
 *   none       DENY                 ALERT                     LEARN
 *
 * DENY drops with a violation event, ALERT passes with one, LEARN passes
 * and learns a rule from the client's group to the server's.
 *
 * Threads: a struct policy is
 * built by policy_compile() on any thread, never changed afterwards, and
 * read by any number of threads at once (see live.h for how it is swapped).
 */
#ifndef NVD_POLICY_H
#define NVD_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "policy/objects.h"
#include "base/ranges.h"
#include "sensor/sensor.h"
#include "threat/threat_def.h"

/* What policy_compile() builds from.  Nothing in it is kept. */
/* A sensor assigned to a group (nvctl sensor assign). */
struct policy_assign {
	char group[POLICY_NAME_MAX];
	char sensor[SENSOR_NAME_MAX];
	int deny;		/* action deny (effective in protect mode), else alert */
	int paranoia;		/* sensor.crs: paranoia level 1-4 (0: 1) */
	int threshold;		/* sensor.crs: inbound anomaly threshold (0: 5) */
};

/*
 * A quarantined workload (nvctl(8), QUARANTINE): the workload whose id
 * is id, or any workload named name.
 */
struct policy_quarantine {
	char id[POLICY_ID_MAX];
	char name[POLICY_NAME_MAX];
};

/* A threat detector's setting for one group (nvctl threat set NAME --group G). */
struct policy_threat_group {
	char group[POLICY_NAME_MAX];
	int threat;		/* enum threat_id */
	int enabled;		/* 1, 0, or -1: as the detector is */
	int deny;		/* 1 deny, 0 alert, or -1: as the detector is */
};

/*
 * The DNS servers whose answers bind names (nvd.conf dns_resolvers): any,
 * or these addresses.  Else a container could ask a server it runs for
 * www.example.com and be told the address of its choice, which a rule
 * for *.example.com would then let it reach.
 */
#define POLICY_RESOLVERS_MAX	16
struct policy_resolvers {
	int any;
	int n;
	struct policy_addr a[POLICY_RESOLVERS_MAX];
};

struct policy_input {
	const struct policy_group *groups;
	int ngroups;
	const struct policy_rule *rules;
	int nrules;
	const struct policy_workload *workloads;
	int nworkloads;
	const struct policy_addr *host_addrs;	/* this host's own addresses */
	int nhost_addrs;
	/* The subnets containers take their addresses from (Docker's bridge
	 * networks): an address in one that is no workload and not this
	 * host's is a container the snapshot does not know
	 * (policy_container_addr). */
	const struct policy_net *nets;
	int nnets;
	uint64_t workloads_seq;	/* the count of workload changes the input was
				 * taken at (live.h), kept with the snapshot */
	enum policy_mode default_mode;	/* for a learned group the input lacks */
	/* DLP and WAF sensors (sensor.h), compiled into the snapshot, and
	 * their assignments; an assignment naming a sensor or group the
	 * input lacks is ignored. */
	const struct sensor_spec *sensors;
	int nsensors;
	const struct policy_assign *assigns;
	int nassigns;
	/* The running policy's sensors (policy_sensors()), or NULL: kept if
	 * sensors are what they were built from (sensor_set_ref()). */
	const struct sensor_set *sensors_prev;
	/* Quarantined workloads: all their traffic is dropped. */
	const struct policy_quarantine *quarantine;
	int nquarantine;
	/* The threat detectors' settings (NULL: the built-in ones) and
	 * their settings per group; one naming a group the input lacks is
	 * ignored. */
	const struct threat_set *threats;
	const struct policy_threat_group *threat_groups;
	int nthreat_groups;
	struct policy_resolvers resolvers;
};

struct policy;

/*
 * Builds a snapshot.  A rule naming a group the input lacks never matches;
 * a workload's learned group missing from the input gets default_mode.
 * Returns NULL only for lack of memory.
 */
struct policy *policy_compile(const struct policy_input *in);
void policy_free(struct policy *p);
/* The generation live.c stamps on a snapshot before publishing it; a flow
 * judged with another generation is judged again. */
uint64_t policy_gen(const struct policy *p);
void policy_set_gen(struct policy *p, uint64_t gen);

/* One connection as the packet path sees it at its first packet. */
struct policy_conn {
	int family;
	uint8_t client[16], server[16];
	uint8_t proto;		/* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP(V6) */
	uint16_t port;		/* the server's port; 0 for ICMP */
	const char *app;	/* detected application's rule word, or NULL (unknown:
				 * matches only "any" rules) */
	int app_waived;		/* application not known (yet, or ever): allow rules
				 * match whatever applications they name, deny rules
				 * only with "any" */
	/* The DNS names the client resolved for the server's address
	 * (fqdn.h), for groups with address=FQDN criteria: an address the
	 * client never resolved is in none of them. */
	const char (*names)[POLICY_FQDN_MAX + 1];
	int nnames;
	const char *via;	/* judged for the destination a proxy was asked for:
				 * it as asked ("host", "10.0.0.1"), for events; not
				 * judged by itself */
	int by_name;		/* the server is known by its names only (a proxied
				 * destination): server is not looked at */
};

enum policy_outcome {
	POL_ALLOW = 0,		/* a rule allows it */
	POL_LEARN,		/* no rule, both ends discover: allow and learn */
	POL_ALERT,		/* violation, passed */
	POL_DENY,		/* violation, dropped */
};
const char *policy_outcome_name(enum policy_outcome o);

/* One end of a judged connection. */
struct policy_end {
	int workload;		/* index for policy_workload_at(), or -1 */
	int group;		/* its group for events and learning (learned group,
				 * host, an address group, or external) */
	enum policy_mode mode;	/* strictest mode of its groups */
};

struct policy_verdict {
	uint64_t sensors;	/* sensors that inspect the connection (bit: index in
				 * policy_sensors()): WAF assigned to the server's
				 * groups, DLP to either end's across the group's edge */
	uint64_t sensors_deny;	/* of them, those assigned with deny to a group in
				 * protect mode: a match drops the connection */
	uint64_t sensors_deny_set;	/* ... assigned with deny, whatever the mode */
	/* sensor.crs, when in sensors: the highest paranoia level and the
	 * lowest threshold of its assignments that apply (0 otherwise). */
	int crs_paranoia, crs_threshold;
	/*
	 * Threat detectors (bit THREAT_BIT(id)) that run on the connection:
	 * each as its guarded end's groups set it (threat_def.h's subject;
	 * the strictest of their settings, enabled over disabled and deny
	 * over alert), else as the detector is.  threats_deny: those whose
	 * detection drops it (action deny, an end in protect mode);
	 * threats_deny_set: action deny, whatever the mode.
	 */
	uint32_t threats, threats_deny, threats_deny_set;
	enum policy_outcome outcome;
	int name;		/* the index in c->names of the name that put the
				 * server in an FQDN group, or -1 */
	int64_t rule_id;	/* the rule that matched, 0 for none */
	enum rule_type rule_type;
	int app_assumed;	/* c->app_waived decided it: an allow rule that names
				 * applications matched, or one that names them and
				 * denies was passed over; what the application is
				 * would have to be known */
	struct policy_end client, server;
};

/*
 * Judges c.  Cost does not grow with the number of rules: rules are
 * indexed by (from group, to group, protocol, port), see policy.c.
 */
void policy_judge(const struct policy *p, const struct policy_conn *c, struct policy_verdict *v);

/*
 * The addresses whose traffic involves protect mode, appended to out and
 * normalised: the workloads in a protect-mode group, this host's if the
 * group host is, and, when a container not known yet could be in protect
 * (policy_unidentified_mode), the containers' subnets but for the known
 * workloads that are not in protect and this host's addresses.  *all:
 * every address is involved (external, or a group of addresses or names,
 * is in protect mode).  Returns 0, or -1 when out ran out of memory.
 */
int policy_protected(const struct policy *p, struct range_list *out, int *all);
/*
 * Whether addr may be a container this snapshot does not know: 0 when it is
 * in none of the input's nets, or is this host's, or a subnet's own
 * (IPv4 network and broadcast) address; 1 when it is in one and no
 * workload's; 2 when it is in one and a workload's (which may have gone
 * since the snapshot was taken: live.h).  Cost: a handful of prefixes,
 * then a hash lookup.
 */
int policy_container_addr(const struct policy *p, int family, const uint8_t *addr);
/*
 * The strictest mode a container the snapshot does not know could have:
 * protect when a group it could join by name, image or label is in
 * protect, or `containers` is, or a learned group is, or default_mode is
 * (its learned group, when new, starts in it), or a container is
 * quarantined (it may be the one, back with a new address).  Address
 * groups are not counted: the address alone places it in those
 * (policy_judge).
 */
enum policy_mode policy_unidentified_mode(const struct policy *p);
uint64_t policy_workloads_seq(const struct policy *p);
/* Read-only views of a snapshot, valid while the snapshot is. */
const struct sensor_set *policy_sensors(const struct policy *p);	/* or NULL */
/* The threat detectors' settings (their state and action are those of a
 * connection with no group setting). */
const struct threat_set *policy_threats(const struct policy *p);
/* Why the snapshot has no sensors though its input had some, or NULL. */
const char *policy_sensor_error(const struct policy *p);
/* Whether a group has sensor.crs assigned. */
int policy_crs_assigned(const struct policy *p);
/* Whether answers from the DNS server at addr (family's) may bind names. */
int policy_dns_trusted(const struct policy *p, int family, const uint8_t *addr);
const char *policy_group_name_at(const struct policy *p, int group);
const struct policy_workload *policy_workload_at(const struct policy *p, int workload);
int policy_nworkloads(const struct policy *p);
int policy_ngroups(const struct policy *p);
int policy_nrules(const struct policy *p);
/* Whether the address is a workload's. */
int policy_is_workload(const struct policy *p, int family, const uint8_t *addr);
/*
 * Whether a packet from address addr that came in on interface ifindex
 * (nvd's namespace) claims an address that is not its own: *wl is the
 * workload whose interface that is (an address of it has that ifindex),
 * and the packet is spoofed (1) unless addr is one of that workload's
 * addresses on ifindex.  0 with *wl -1 when the interface is no
 * workload's (ifindex 0: not known): nothing to tell.
 */
int policy_spoofed(const struct policy *p, int ifindex, int family, const uint8_t *addr, int *wl);
/*
 * Quarantine (nvctl(8), QUARANTINE).  A quarantined workload is one the
 * input's quarantine names by id or name.  policy_nquarantined(): how
 * many of the snapshot's workloads are (0: the packet path skips the
 * rest); policy_quarantined(): whether addr is a quarantined workload's;
 * policy_quarantined_port(): whether the interface ifindex is;
 * policy_quarantine_addrs(): their addresses into out (at most max; the
 * count, or -1 when there are more).  While a quarantined container is
 * not in the snapshot (or may come back with a new address before the
 * snapshot knows it), a container the snapshot does not know is in
 * protect mode (policy_unidentified_mode()).
 */
int policy_nquarantined(const struct policy *p);
int policy_quarantined(const struct policy *p, int family, const uint8_t *addr);
int policy_quarantined_port(const struct policy *p, int ifindex);
int policy_workload_quarantined(const struct policy *p, int wl);
int policy_quarantine_addrs(const struct policy *p, struct policy_addr *out, int max);
/* The workload with address addr, or -1. */
int policy_workload_by_addr(const struct policy *p, int family, const uint8_t *addr);
/*
 * One port spec of a rule that may judge a connection between two
 * workloads (policy_pair_specs()): rank is the rule's place in the
 * first-match order (lower is tried first); allow_any: the rule allows
 * and names no application.
 */
struct policy_spec {
	struct port_range spec;
	uint32_t rank;
	int allow_any;
	int64_t rule_id;
};
/*
 * The specs of the rules from a group of workload cw to a group of
 * workload sw, by rank: what policy_judge() tries for a connection
 * between them, whatever its port.  Returns the count, or -1 when there
 * are more than max.
 */
int policy_pair_specs(const struct policy *p, int cw, int sw, struct policy_spec *out, int max);
/* Index of the group named name, or -1. */
int policy_group_find(const struct policy *p, const char *name);
enum policy_mode policy_group_mode_at(const struct policy *p, int group);
/* Groups workload wl is in (learned group first), up to max; returns count. */
int policy_workload_groups(const struct policy *p, int wl, int *groups, int max);

#endif
