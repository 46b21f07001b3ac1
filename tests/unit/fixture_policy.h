/*
 * fixture_policy.h: the packet path with a policy, for the unit tests that
 * replay packets through worker_packet() (check_judge, check_appid,
 * check_egress, check_inspect).  Groups, rules, workloads and sensors are
 * compiled and published into fx.live as live.c does; fx.w judges by them;
 * packets built with pkt.c go through it; what it handed to the writer is
 * read back from its ring.
 *
 * One fixture per test process (Check forks each test): a setup calls
 * fx_begin(), adds its groups, rules and workloads, then fx_start(); its
 * teardown calls fx_end().
 */
#ifndef NVD_TEST_FIXTURE_POLICY_H
#define NVD_TEST_FIXTURE_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "packet/worker.h"
#include "policy/policy.h"
#include "runtime/event.h"
#include "runtime/live.h"
#include "pkt.h"

#define FX_MAX_GROUPS		16
#define FX_MAX_RULES		8
#define FX_MAX_WORKLOADS	4
#define FX_MAX_NETS		4
#define FX_MAX_QUARANTINE	4

struct fx {
	struct worker w;
	struct live live;
	uint64_t clock_ms;		/* the time of the next packet; +1 ms each */
	struct policy_group groups[FX_MAX_GROUPS];
	int ngroups;
	struct policy_rule rules[FX_MAX_RULES];
	int nrules;
	struct policy_workload wls[FX_MAX_WORKLOADS];
	int nwls;
	/* Containers' subnets and this host's addresses (policy_input), the
	 * mode of a learned group the input lacks. */
	struct policy_net nets[FX_MAX_NETS];
	int nnets;
	struct policy_addr host[FX_MAX_NETS];
	int nhost;
	enum policy_mode default_mode;
	struct policy_resolvers resolvers;	/* any, unless a test says */
	/* Sensors and their assignments: the test's own arrays, set before
	 * fx_start(); a policy with sensors must compile them. */
	const struct sensor_spec *sensors;
	int nsensors;
	const struct policy_assign *assigns;
	int nassigns;
	/* Quarantined workloads (fx_quarantine()). */
	struct policy_quarantine quarantine[FX_MAX_QUARANTINE];
	int nquarantine;
	/* Threat detectors' settings and per group; threats NULL: every
	 * detector off, so that the tests of the other stages see none of
	 * their doing (check_threat sets its own). */
	const struct threat_set *threats;
	const struct policy_threat_group *threat_groups;
	int nthreat_groups;
};

extern struct fx fx;

/* Stream reassembly's limits, for the whole process (reasm_set_limits()). */
void fx_set_limits(uint64_t depth, uint64_t memcap);

/*
 * Starts over: limits of 1 MiB stream_depth and 64 MiB stream_memcap, no
 * policy, the clock at 1000000, and the built-in groups containers, host
 * and external in discover mode, as is default_mode; fx.live's wake_fd
 * and nudge_fd are eventfds the test may read, its meters made.
 */
void fx_begin(void);
/* A containers' subnet ("198.19.0.0/16"); an address of this host. */
void fx_net(const char *cidr);
void fx_host(const char *ip);
/* Removes the workload named name (fx_workload()). */
void fx_workload_del(const char *name);
/* A group; crit is criteria_parse()'s text, or NULL for none. */
void fx_group(const char *name, enum group_kind kind, enum policy_mode mode,
    const char *crit);
/* Rule 100 + n, the n-th added, evaluated in that order. */
void fx_rule(const char *from, const char *to, const char *apps, const char *ports,
    enum rule_action action, enum rule_type type);
/* A workload of one IPv4 address; its id is its name. */
void fx_workload(const char *name, const char *ip);
/* ... whose address is on interface ifindex (its bridge port). */
void fx_workload_port(const char *name, const char *ip, int ifindex);
/* Quarantines the workload of id (any workload named name), from the next
 * publish on. */
void fx_quarantine(const char *id, const char *name);
/* Sets a group's mode; fx_set_mode() also publishes the policy. */
void fx_group_mode(const char *group, enum policy_mode mode);
void fx_set_mode(const char *group, enum policy_mode mode);

/* Compiles the current groups, rules, workloads and sensors and swaps
 * them in with bypass generation bgen, as live.c does. */
void fx_publish_gen(unsigned bgen);
/* A rebuild that keeps the bypass generation (learning). */
void fx_publish(void);
/* A rebuild that may tighten: the next bypass generation. */
void fx_publish_tightened(void);

/* Publishes, then starts fx.w on fx.live (fail open, max_flows flows);
 * it builds resets but sends none. */
void fx_start(uint64_t max_flows);
/* Destroys fx.w and frees the published policy. */
void fx_end(void);

/* The one flow in the worker's table (asserts there is exactly one). */
struct flow *fx_only_flow(void);
/* The flow with an end at port (asserts there is one). */
struct flow *fx_flow_with_port(uint16_t port);
/* Builds p and hands it to fx.w as NFQUEUE would, at fx.clock_ms. */
enum verdict fx_send(struct pkt *p);
/* ... with PKT_* flags (types.h), as the queue reports them. */
enum verdict fx_send_flags(struct pkt *p, unsigned pflags);
/* ... and the interface it came in on (port, nfq.h). */
enum verdict fx_send_meta(struct pkt *p, unsigned pflags, uint32_t port);
enum verdict fx_tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport,
    uint8_t flags, uint32_t seq, uint32_t ack, const void *data, size_t len);
enum verdict fx_udp(const char *src, uint16_t sport, const char *dst, uint16_t dport,
    const void *data, size_t len);
enum verdict fx_icmp(const char *src, const char *dst, uint8_t type, uint8_t code,
    uint16_t id);

/* One TCP connection as both ends see it. */
struct fx_conn {
	const char *client, *server;
	uint16_t cport, sport;
	uint32_t seq[2];	/* next sequence number of the client [0], the server [1] */
};

/* The three-way handshake (ISNs 1000 and 50000), each packet accepted. */
void fx_conn_open(struct fx_conn *k, const char *client, uint16_t cport, const char *server,
    uint16_t sport);
/* A segment from the client (from_server 0) or the server, acknowledging
 * what the other side sent; the sender's sequence number moves on. */
enum verdict fx_conn_send(struct fx_conn *k, int from_server, uint8_t flags, const void *data,
    size_t len);

/* Pops at most max records of what fx.w handed to the writer. */
unsigned fx_records(struct record *out, unsigned max);
/* Pops them all; keeps (and counts) only those of one type. */
unsigned fx_records_of(int type, struct record *out, unsigned max);

#endif
