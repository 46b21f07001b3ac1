#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include "base/log.h"
#include "kernel/nft.h"

#define NFT_PRIORITY	10
#define NFT_SET_CHUNK	64	/* set elements per message */

struct nft_batch {
	struct nftnl_batch *b;
	uint16_t family;	/* of the messages added: NFPROTO_INET, but for the
				 * bridge table of kernel decisions */
	uint32_t seq;
	int nmsgs;		/* messages that will be acked */
	int oom;
};

const char *
nft_hook_kind_name(enum nft_hook_kind k)
{
	switch (k) {
	case NFT_HOOK_NATIVE: return "native";
	case NFT_HOOK_COMPAT: return "compat";
	default: return "none";
	}
}

static struct nlmsghdr *
batch_msg(struct nft_batch *nb, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(nb->b), type,
	    nb->family, flags | NLM_F_ACK, nb->seq++);

	nb->nmsgs++;
	return nlh;
}

static void
batch_next(struct nft_batch *nb)
{
	if (nftnl_batch_update(nb->b) < 0)
		nb->oom = 1;
}

static void
add_table(struct nft_batch *nb, const char *name, uint16_t type, uint16_t flags)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (t == NULL) {
		nb->oom = 1;
		return;
	}
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, nb->family);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nftnl_table_nlmsg_build_payload(batch_msg(nb, type, flags), t);
	nftnl_table_free(t);
	batch_next(nb);
}

static void
add_chain(struct nft_batch *nb, const char *table, const char *name, uint32_t hook,
    int32_t prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (c == NULL) {
		nb->oom = 1;
		return;
	}
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, nb->family);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nftnl_chain_nlmsg_build_payload(batch_msg(nb, NFT_MSG_NEWCHAIN, NLM_F_CREATE), c);
	nftnl_chain_free(c);
	batch_next(nb);
}

/* Expression builders; each returns 0 or -1 (no memory). */
static int
push(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (e == NULL)
		return -1;
	nftnl_rule_add_expr(r, e);
	return 0;
}

static int
e_meta_load_to(struct nftnl_rule *r, uint32_t key, uint32_t reg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, reg);
	}
	return push(r, e);
}

static int
e_meta_load(struct nftnl_rule *r, uint32_t key)
{
	return e_meta_load_to(r, key, NFT_REG_1);
}

static int
e_meta_set(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
	}
	return push(r, e);
}

static int
e_ct_load(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	return push(r, e);
}

static int
e_ct_set(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_SREG, NFT_REG_1);
	}
	return push(r, e);
}

/* reg1 = (reg1 & mask) ^ xor, 32 bits. */
static int
e_bitwise(struct nftnl_rule *r, uint32_t mask, uint32_t xor)
{
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sizeof(uint32_t));
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, sizeof(mask));
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &xor, sizeof(xor));
	}
	return push(r, e);
}

static int
e_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return push(r, e);
}

static int
e_verdict(struct nftnl_rule *r, uint32_t verdict)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, verdict);
	}
	return push(r, e);
}

static int
e_accept(struct nftnl_rule *r)
{
	return e_verdict(r, NF_ACCEPT);
}

/* queue num first-(first+count-1), with the bypass flag when fail_mode is
 * open (packets pass while no nvd is bound). */
static int
e_queue(struct nftnl_rule *r, const struct conf *c, uint16_t first, uint16_t count,
    enum nft_hook_kind kind)
{
	struct nftnl_expr *e;

	if (kind == NFT_HOOK_NATIVE) {
		e = nftnl_expr_alloc("queue");
		if (e) {
			nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, first);
			nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, count);
			nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS,
			    c->fail_mode == FAIL_OPEN ? NFT_QUEUE_FLAG_BYPASS : 0);
		}
	} else {
		/* The xtables target, for kernels without nft_queue. */
		struct xt_NFQ_info_v3 *info = calloc(1, sizeof(*info));

		e = nftnl_expr_alloc("target");
		if (e == NULL || info == NULL) {
			free(info);
			nftnl_expr_free(e);
			return -1;
		}
		info->queuenum = first;
		info->queues_total = count;
		info->flags = c->fail_mode == FAIL_OPEN ? NFQ_FLAG_BYPASS : 0;
		nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
		nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
		/* libnftnl takes ownership of info */
		nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info, sizeof(*info));
	}
	return push(r, e);
}

static int
e_counter(struct nftnl_rule *r)
{
	return push(r, nftnl_expr_alloc("counter"));
}

/* Loads len bytes at off of the header base into register reg. */
static int
e_payload_to(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len, uint32_t reg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, reg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	return push(r, e);
}

/* Loads len bytes of the network header at off into register 1. */
static int
e_payload(struct nftnl_rule *r, uint32_t off, uint32_t len)
{
	return e_payload_to(r, NFT_PAYLOAD_NETWORK_HEADER, off, len, NFT_REG_1);
}

/*
 * Register sreg (and those after it, for a longer key) is in set name
 * (id: its id when made in the same batch); a map's value goes to dreg
 * (0: a set, no value).
 */
static int
e_lookup_reg(struct nftnl_rule *r, uint32_t sreg, const char *set, uint32_t id, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
		if (dreg)
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, dreg);
	}
	return push(r, e);
}

static int
e_lookup(struct nftnl_rule *r, const char *set, uint32_t id)
{
	return e_lookup_reg(r, NFT_REG_1, set, id, 0);
}

static struct nftnl_rule *
rule_new(const char *table, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (r) {
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	}
	return r;
}

static void
rule_add(struct nft_batch *nb, struct nftnl_rule *r, int err)
{
	if (r == NULL || err) {
		nb->oom = 1;
	} else {
		nftnl_rule_nlmsg_build_payload(batch_msg(nb, NFT_MSG_NEWRULE,
		    NLM_F_CREATE | NLM_F_APPEND), r);
		batch_next(nb);
	}
	nftnl_rule_free(r);
}

/* ct mark & (BYPASS|GEN) == BYPASS|gen accept: flows bypassed in this
 * generation; one bypassed in another comes back to the queue. */
static void
rule_ct_bypass(struct nft_batch *nb, const char *table, const char *chain, unsigned gen)
{
	struct nftnl_rule *r = rule_new(table, chain);
	uint32_t want = NVD_MARK_BYPASS | NVD_MARK_GEN(gen);
	int err = !r;

	if (r)
		err = e_ct_load(r, NFT_CT_MARK) || e_bitwise(r, NVD_MARK_BYPASS_BITS, 0) ||
		    e_cmp(r, NFT_CMP_EQ, &want, sizeof(want)) || e_accept(r);
	rule_add(nb, r, err);
}

/*
 * meta mark & (BYPASS|GEN) == BYPASS|gen: a verdict asked for bypass in
 * generation gen.  ct mark = (ct mark & ~(BYPASS|GEN)) | BYPASS|gen, the
 * bits cleared from the packet mark, accept.  The generation is a constant
 * of the rule (nftables cannot copy between registers on every kernel), so
 * there is one such rule per generation a verdict may carry.
 */
static void
rule_save_bypass(struct nft_batch *nb, const char *table, const char *chain, unsigned gen)
{
	struct nftnl_rule *r = rule_new(table, chain);
	uint32_t want = NVD_MARK_BYPASS | NVD_MARK_GEN(gen);
	int err = !r;

	if (r)
		err = e_meta_load(r, NFT_META_MARK) || e_bitwise(r, NVD_MARK_BYPASS_BITS, 0) ||
		    e_cmp(r, NFT_CMP_EQ, &want, sizeof(want)) ||
		    e_ct_load(r, NFT_CT_MARK) || e_bitwise(r, ~NVD_MARK_BYPASS_BITS, want) ||
		    e_ct_set(r, NFT_CT_MARK) ||
		    e_meta_load(r, NFT_META_MARK) || e_bitwise(r, ~NVD_MARK_BYPASS_BITS, 0) ||
		    e_meta_set(r, NFT_META_MARK) || e_accept(r);
	rule_add(nb, r, err);
}

/* Deletes every rule of the chain (a DELRULE without a handle). */
static void
flush_chain(struct nft_batch *nb, const char *table, const char *chain)
{
	struct nftnl_rule *r = rule_new(table, chain);

	if (r == NULL) {
		nb->oom = 1;
		return;
	}
	nftnl_rule_nlmsg_build_payload(batch_msg(nb, NFT_MSG_DELRULE, 0), r);
	nftnl_rule_free(r);
	batch_next(nb);
}

/* meta mark & OWN != 0 accept: resets nvd sends itself are not queued */
static void
rule_own(struct nft_batch *nb, const char *table, const char *chain)
{
	struct nftnl_rule *r = rule_new(table, chain);
	uint32_t zero = 0;
	int err = !r;

	if (r)
		err = e_meta_load(r, NFT_META_MARK) || e_bitwise(r, NVD_MARK_OWN, 0) ||
		    e_cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero)) || e_accept(r);
	rule_add(nb, r, err);
}

/*
 * ct state & (invalid|untracked) != 0 meta mark set meta mark | NOCT: a
 * packet conntrack holds no entry for (an out-of-window segment, an ICMP
 * error about no connection) goes to the queue marked so, since its
 * verdict cannot be saved in a conntrack mark: nvd never bypasses it.
 */
static void
rule_noct(struct nft_batch *nb, const char *table, const char *chain)
{
	struct nftnl_rule *r = rule_new(table, chain);
	uint32_t zero = 0;
	int err = !r;

	if (r)
		err = e_ct_load(r, NFT_CT_STATE) ||
		    e_bitwise(r, NF_CT_STATE_INVALID_BIT | NF_CT_STATE_UNTRACKED_BIT, 0) ||
		    e_cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero)) ||
		    e_meta_load(r, NFT_META_MARK) || e_bitwise(r, ~NVD_MARK_NOCT, NVD_MARK_NOCT) ||
		    e_meta_set(r, NFT_META_MARK);
	rule_add(nb, r, err);
}

/*
 * The sets of the addresses whose traffic goes to the protect queues
 * (nft_protect_set): PROTECT4 of type ipv4_addr, PROTECT6 of ipv6_addr,
 * interval sets (a subnet is one element pair, not 65,536 elements); and
 * of the quarantined workloads' (nft_quarantine_set), whose traffic is
 * dropped.
 */
#define PROTECT4	"protect4"
#define PROTECT6	"protect6"
#define PROTECT4_ID	1
#define PROTECT6_ID	2
#define QUARANTINE4	"quarantine4"
#define QUARANTINE6	"quarantine6"
#define QUARANTINE4_ID	3
#define QUARANTINE6_ID	4

/* A pair of sets, one per family. */
struct addr_sets {
	const char *name[2];		/* IPv4, IPv6 */
	uint32_t id[2];
};
static const struct addr_sets protect_sets = { { PROTECT4, PROTECT6 },
    { PROTECT4_ID, PROTECT6_ID } };
static const struct addr_sets quarantine_sets = { { QUARANTINE4, QUARANTINE6 },
    { QUARANTINE4_ID, QUARANTINE6_ID } };

/* The four matches of a pair of sets: ip saddr, ip daddr, ip6 saddr, ip6 daddr. */
#define ADDR_MATCHES	4

/* nfproto F <saddr|daddr> @set: match k (0-3) of the pair of sets s. */
static int
e_addr_in(struct nftnl_rule *r, int k, const struct addr_sets *s)
{
	static const struct {
		uint8_t nfproto;
		uint32_t off, len;
	} sel[ADDR_MATCHES] = {
		{ NFPROTO_IPV4, 12, 4 },	/* ip saddr */
		{ NFPROTO_IPV4, 16, 4 },	/* ip daddr */
		{ NFPROTO_IPV6, 8, 16 },	/* ip6 saddr */
		{ NFPROTO_IPV6, 24, 16 },	/* ip6 daddr */
	};
	int v6 = k >= 2;

	return e_meta_load(r, NFT_META_NFPROTO) || e_cmp(r, NFT_CMP_EQ, &sel[k].nfproto, 1) ||
	    e_payload(r, sel[k].off, sel[k].len) || e_lookup(r, s->name[v6], s->id[v6]);
}

/*
 * ip[6] saddr|daddr @quarantine4|6 counter drop: the quarantined
 * workloads' traffic, first in every chain, before any accept (a bypassed
 * flow, nvd's own resets), so that nothing of it passes.
 */
static void
rules_quarantine(struct nft_batch *nb, const char *table, const char *chain)
{
	for (int k = 0; k < ADDR_MATCHES; k++) {
		struct nftnl_rule *r = rule_new(table, chain);
		int err = !r;

		if (r)
			err = e_addr_in(r, k, &quarantine_sets) || e_counter(r) ||
			    e_verdict(r, NF_DROP);
		rule_add(nb, r, err);
	}
}

/* A set or map nvd makes (types as nft(8) numbers them, for its listings). */
struct set_def {
	const char *name;
	uint32_t id;
	uint32_t flags;		/* NFT_SET_* */
	uint32_t type, len;	/* its key */
	uint32_t dtype, dlen;	/* a map's values (NFT_SET_MAP) */
	uint8_t fields[4];	/* the lengths of a concatenation's fields */
	int nfields;		/* (with NFT_SET_INTERVAL), or 0 */
	int counters;		/* each element counts the packets it matched */
};

static void
add_set_def(struct nft_batch *nb, const char *table, const struct set_def *d)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (s == NULL) {
		nb->oom = 1;
		return;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, d->name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, nb->family);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, d->type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, d->len);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, d->flags);
	nftnl_set_set_u32(s, NFTNL_SET_ID, d->id);
	if (d->flags & NFT_SET_MAP) {
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, d->dtype);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, d->dlen);
	}
	if (d->nfields)
		nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, d->fields,
		    (uint32_t)d->nfields);
	if (d->counters) {
		struct nftnl_expr *e = nftnl_expr_alloc("counter");

		if (e == NULL)
			nb->oom = 1;
		else
			nftnl_set_add_expr(s, e);	/* the set owns it */
	}
	nftnl_set_nlmsg_build_payload(batch_msg(nb, NFT_MSG_NEWSET, NLM_F_CREATE), s);
	nftnl_set_free(s);
	batch_next(nb);
}

/* An interval set of addresses. */
static void
add_set(struct nft_batch *nb, const char *table, const char *name, uint32_t id,
    uint32_t type, uint32_t len)
{
	const struct set_def d = { name, id, NFT_SET_INTERVAL, type, len, 0, 0, { 0 }, 0, 0 };

	add_set_def(nb, table, &d);
}

/* The rule's interface match: iifname/oifname NAME[*]. */
static int
e_ifname(struct nftnl_rule *r, uint32_t key, const struct steer_if *s)
{
	char name[IFNAME_LEN] = { 0 };

	memcpy(name, s->name, strnlen(s->name, sizeof(name) - 1));
	return e_meta_load(r, key) ||
	    e_cmp(r, NFT_CMP_EQ, name, s->glob ? (uint32_t)strlen(name) : sizeof(name));
}

/*
 * iifname/oifname NAME[*] [nfproto F  saddr|daddr @set] counter queue: the
 * steering rules of one interface and direction.  The traffic of
 * protect-mode workloads (either address in the sets, or all of it) goes to
 * the protect queues, the rest to queues; each rule counts what it
 * queued (nft_counters).
 */
static void
rules_steer(struct nft_batch *nb, const struct conf *c, const struct nft_rules *nr,
    const char *chain, uint32_t key, const struct steer_if *s, enum nft_hook_kind kind)
{
	uint16_t pfirst, pcount;
	struct nftnl_rule *r;
	int err;

	conf_protect_queues(c, &pfirst, &pcount);
	for (int k = 0; k < ADDR_MATCHES && !nr->protect_all; k++) {
		r = rule_new(c->nft_table, chain);
		err = !r;
		if (r)
			err = e_ifname(r, key, s) || e_addr_in(r, k, &protect_sets) ||
			    e_counter(r) || e_queue(r, c, pfirst, pcount, kind);
		rule_add(nb, r, err);
	}
	r = rule_new(c->nft_table, chain);
	err = !r;
	if (r)
		err = e_ifname(r, key, s) || e_counter(r) ||
		    (nr->protect_all ? e_queue(r, c, pfirst, pcount, kind) :
		    e_queue(r, c, c->queue_first, c->queue_count, kind));
	rule_add(nb, r, err);
}

/* --- kernel decisions (nft.h) ------------------------------------------- */

#define KDEC_CLASS4	"kdec_class4"
#define KDEC_CLASS6	"kdec_class6"
#define KDEC_SET	"kdec"
#define KDEC_COUNTER	"kdec"
#define KDEC_PORT4	"kdec_port4"
#define KDEC_PORT6	"kdec_port6"
#define KDEC_CLASS4_ID	5
#define KDEC_CLASS6_ID	6
#define KDEC_SET_ID	7
#define KDEC_PORT4_ID	8
#define KDEC_PORT6_ID	9
/* The bridge table's chains run before br_netfilter hands the packets to
 * the inet hooks (its priority is 0). */
#define KDEC_PRIORITY	(-300)

/* nft(8)'s numbers of the key types, for its listings; a concatenation's
 * is its fields' with 6 bits each. */
#define T_IPV4		7
#define T_IPV6		8
#define T_PROTO		12
#define T_SERVICE	13
#define T_MARK		19
#define T_IFINDEX	20
#define T_CAT(a, b)	((uint32_t)(a) << 6 | (uint32_t)(b))

/* The inet table's: addresses to classes, and the class pairs' ports. */
static const struct set_def kdec_sets[] = {
	{ KDEC_CLASS4, KDEC_CLASS4_ID, NFT_SET_MAP, T_IPV4, 4, T_MARK, 4, { 0 }, 0, 0 },
	{ KDEC_CLASS6, KDEC_CLASS6_ID, NFT_SET_MAP, T_IPV6, 16, T_MARK, 4, { 0 }, 0, 0 },
	{ KDEC_SET, KDEC_SET_ID, NFT_SET_INTERVAL | NFT_SET_CONCAT,
	    T_CAT(T_CAT(T_CAT(T_MARK, T_MARK), T_PROTO), T_SERVICE), 16, 0, 0, { 4, 4, 1, 2 }, 4,
	    1 },
};
/* The bridge table's: the workloads' ports and addresses. */
static const struct set_def port_sets[] = {
	{ KDEC_PORT4, KDEC_PORT4_ID, 0, T_CAT(T_IFINDEX, T_IPV4), 8, 0, 0, { 0 }, 0, 0 },
	{ KDEC_PORT6, KDEC_PORT6_ID, 0, T_CAT(T_IFINDEX, T_IPV6), 20, 0, 0, { 0 }, 0, 0 },
};

/* Where a family's addresses are, and its sets. */
static const struct kdec_family {
	uint8_t nfproto;
	uint16_t ethertype;
	uint32_t saddr, daddr, len;
	const char *cls, *port;
	uint32_t cls_id, port_id;
} kfam[2] = {
	{ NFPROTO_IPV4, 0x0800, 12, 16, 4, KDEC_CLASS4, KDEC_PORT4, KDEC_CLASS4_ID, KDEC_PORT4_ID },
	{ NFPROTO_IPV6, 0x86dd, 8, 24, 16, KDEC_CLASS6, KDEC_PORT6, KDEC_CLASS6_ID, KDEC_PORT6_ID },
};

static void
add_counter(struct nft_batch *nb, const char *table, const char *name)
{
	struct nftnl_obj *o = nftnl_obj_alloc();

	if (o == NULL) {
		nb->oom = 1;
		return;
	}
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, table);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
	nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, nb->family);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nftnl_obj_nlmsg_build_payload(batch_msg(nb, NFT_MSG_NEWOBJ, NLM_F_CREATE), o);
	nftnl_obj_free(o);
	batch_next(nb);
}

/* counter name NAME */
static int
e_objref(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc("objref");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
		nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, name);
	}
	return push(r, e);
}

/* meta mark set meta mark & ~clear | set */
static int
e_mark_set(struct nftnl_rule *r, uint32_t clear, uint32_t set)
{
	return e_meta_load(r, NFT_META_MARK) || e_bitwise(r, ~clear, set) ||
	    e_meta_set(r, NFT_META_MARK);
}

/*
 * The forward chain's kernel decisions, one rule per family:
 *
 *   ct state new  meta mark & (SRCOK|DSTOK) == SRCOK|DSTOK  meta nfproto F
 *   th sport != 53
 *   ip[6] saddr map @kdec_classF . ip[6] daddr map @kdec_classF .
 *       meta l4proto . th dport @kdec
 *   counter name kdec  ct mark set ct mark & ~(BYPASS|GEN) | BYPASS|gen  accept
 *
 * A new connection between two workloads' ports, in classes whose pair
 * the policy allows on that port, is accepted and bypassed like a flow
 * nvd let go in generation gen: a policy change that may tighten the
 * policy brings it back to the queues.
 */
static void
rules_kdec(struct nft_batch *nb, const char *table, const char *chain, unsigned gen)
{
	uint32_t zero = 0, ok = NVD_MARK_SRCOK | NVD_MARK_DSTOK;
	uint32_t want = NVD_MARK_BYPASS | NVD_MARK_GEN(gen);
	uint16_t dns = htons(53);

	for (int f = 0; f < 2; f++) {
		const struct kdec_family *k = &kfam[f];
		struct nftnl_rule *r = rule_new(table, chain);
		int err = !r;

		if (r)
			err = e_ct_load(r, NFT_CT_STATE) ||
			    e_bitwise(r, NF_CT_STATE_BIT(IP_CT_NEW), 0) ||
			    e_cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero)) ||
			    e_meta_load(r, NFT_META_MARK) || e_bitwise(r, ok, 0) ||
			    e_cmp(r, NFT_CMP_EQ, &ok, sizeof(ok)) ||
			    e_meta_load(r, NFT_META_NFPROTO) || e_cmp(r, NFT_CMP_EQ, &k->nfproto, 1) ||
			    e_payload_to(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG_1) ||
			    e_cmp(r, NFT_CMP_NEQ, &dns, sizeof(dns)) ||
			    e_payload_to(r, NFT_PAYLOAD_NETWORK_HEADER, k->saddr, k->len, NFT_REG32_00) ||
			    e_lookup_reg(r, NFT_REG32_00, k->cls, k->cls_id, NFT_REG32_00) ||
			    e_payload_to(r, NFT_PAYLOAD_NETWORK_HEADER, k->daddr, k->len, NFT_REG32_01) ||
			    e_lookup_reg(r, NFT_REG32_01, k->cls, k->cls_id, NFT_REG32_01) ||
			    e_meta_load_to(r, NFT_META_L4PROTO, NFT_REG32_02) ||
			    e_payload_to(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_03) ||
			    e_lookup_reg(r, NFT_REG32_00, KDEC_SET, KDEC_SET_ID, 0) ||
			    e_objref(r, KDEC_COUNTER) ||
			    e_ct_load(r, NFT_CT_MARK) || e_bitwise(r, ~NVD_MARK_BYPASS_BITS, want) ||
			    e_ct_set(r, NFT_CT_MARK) || e_accept(r);
		rule_add(nb, r, err);
	}
}

/*
 * The bridge table's anti-spoofing, one rule per family and end:
 *   meta protocol F  meta iif|oif . ip[6] saddr|daddr @kdec_portF
 *       meta mark set meta mark | bit
 */
static void
rule_port(struct nft_batch *nb, const char *table, const char *chain, int f, int dst,
    uint32_t bit)
{
	const struct kdec_family *k = &kfam[f];
	struct nftnl_rule *r = rule_new(table, chain);
	uint16_t et = htons(k->ethertype);
	int err = !r;

	if (r)
		err = e_meta_load(r, NFT_META_PROTOCOL) || e_cmp(r, NFT_CMP_EQ, &et, sizeof(et)) ||
		    e_meta_load_to(r, dst ? NFT_META_OIF : NFT_META_IIF, NFT_REG32_00) ||
		    e_payload_to(r, NFT_PAYLOAD_NETWORK_HEADER, dst ? k->daddr : k->saddr, k->len,
		    NFT_REG32_01) ||
		    e_lookup_reg(r, NFT_REG32_00, k->port, k->port_id, 0) || e_mark_set(r, bit, bit);
	rule_add(nb, r, err);
}

/* The batch may span pages: send them in one sendmsg so it stays one batch. */
static int
batch_sendmsg(struct mnl_socket *nl, struct nftnl_batch *b)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	int n = nftnl_batch_iovec_len(b);
	struct iovec iov[n];
	struct msghdr msg = {
		.msg_name = &snl, .msg_namelen = sizeof(snl),
		.msg_iov = iov, .msg_iovlen = (size_t)n,
	};

	int len = 0;

	nftnl_batch_iovec(b, iov, (uint32_t)n);
	/* A batch of many set elements is larger than the socket's default
	 * buffer: netlink takes one message whole or not at all. */
	for (int i = 0; i < n; i++)
		len += (int)iov[i].iov_len;
	if (len > MNL_SOCKET_BUFFER_SIZE * 8) {
		len += MNL_SOCKET_BUFFER_SIZE;
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &len, sizeof(len));
	}
	return sendmsg(mnl_socket_get_fd(nl), &msg, 0) < 0 ? -1 : 0;
}

static int
batch_send(struct nft_batch *nb)
{
	struct mnl_socket *nl;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct timeval tv = { .tv_sec = 5 };
	int err = 0, acks = 0;

	if ((nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL)
		return -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (batch_sendmsg(nl, nb->b) < 0)
		goto fail;
	/* One reply per message: an ack, or the error that aborted the batch. */
	while (acks < nb->nmsgs && err == 0) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		int len = (int)n;

		if (n < 0)
			goto fail;
		for (; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			acks++;
			err = ((const struct nlmsgerr *)mnl_nlmsg_get_payload(h))->error;
			if (err)
				break;
		}
	}
	mnl_socket_close(nl);
	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
fail:
	err = errno;
	mnl_socket_close(nl);
	errno = err;
	return -1;
}

static int
batch_open(struct nft_batch *nb)
{
	memset(nb, 0, sizeof(*nb));
	nb->family = NFPROTO_INET;
	nb->seq = 1;
	nb->b = nftnl_batch_alloc(MNL_SOCKET_BUFFER_SIZE * 4, MNL_SOCKET_BUFFER_SIZE);
	if (nb->b == NULL)
		return -1;
	nftnl_batch_begin(nftnl_batch_buffer(nb->b), nb->seq++);
	batch_next(nb);
	return 0;
}

static int
batch_close_send(struct nft_batch *nb)
{
	int ret;

	nftnl_batch_end(nftnl_batch_buffer(nb->b), nb->seq++);
	batch_next(nb);
	if (nb->oom) {
		nftnl_batch_free(nb->b);
		errno = ENOMEM;
		return -1;
	}
	ret = batch_send(nb);
	nftnl_batch_free(nb->b);
	return ret;
}

/*
 * One batch: the table anew (replace) or the rules of its chains anew
 * (!replace), for bypass generation gen; verdicts of generation prev are
 * still saved, so that packets judged just before a change are not queued
 * again and again.
 */
static int
install_kind(const struct conf *c, enum nft_hook_kind kind, const struct nft_rules *nr,
    int replace)
{
	unsigned gen = nr->gen % NVD_BYPASS_GENS, prev = nr->prev % NVD_BYPASS_GENS;
	static const struct {
		const char *name;
		uint32_t hook;
		int iif, oif;
	} chains[] = {
		{ "forward", NF_INET_FORWARD, 1, 1 },	/* bridged and routed */
		{ "input", NF_INET_LOCAL_IN, 1, 0 },	/* container to host */
		{ "output", NF_INET_LOCAL_OUT, 0, 1 },	/* host to container */
	};
	struct nft_batch nb;

	if (batch_open(&nb) < 0)
		return -1;
	/* add + delete + add: replaces a table left by an earlier run, and
	 * works on kernels without NFT_MSG_DESTROYTABLE. */
	if (replace) {
		add_table(&nb, c->nft_table, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		add_table(&nb, c->nft_table, NFT_MSG_DELTABLE, 0);
		add_table(&nb, c->nft_table, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL);
		add_set(&nb, c->nft_table, PROTECT4, PROTECT4_ID, 7 /* ipv4_addr */, 4);
		add_set(&nb, c->nft_table, PROTECT6, PROTECT6_ID, 8 /* ipv6_addr */, 16);
		add_set(&nb, c->nft_table, QUARANTINE4, QUARANTINE4_ID, 7, 4);
		add_set(&nb, c->nft_table, QUARANTINE6, QUARANTINE6_ID, 8, 16);
		for (size_t i = 0; c->kernel_decide && i < sizeof(kdec_sets) / sizeof(kdec_sets[0]);
		    i++)
			add_set_def(&nb, c->nft_table, &kdec_sets[i]);
		if (c->kernel_decide)
			add_counter(&nb, c->nft_table, KDEC_COUNTER);
	}
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		if (replace)
			add_chain(&nb, c->nft_table, chains[i].name, chains[i].hook,
			    NFT_PRIORITY);
		else
			flush_chain(&nb, c->nft_table, chains[i].name);
		rules_quarantine(&nb, c->nft_table, chains[i].name);
		rule_ct_bypass(&nb, c->nft_table, chains[i].name, gen);
		rule_save_bypass(&nb, c->nft_table, chains[i].name, gen);
		if (prev != gen)
			rule_save_bypass(&nb, c->nft_table, chains[i].name, prev);
		rule_own(&nb, c->nft_table, chains[i].name);
		rule_noct(&nb, c->nft_table, chains[i].name);
		if (nr->kdec && chains[i].hook == NF_INET_FORWARD)
			rules_kdec(&nb, c->nft_table, chains[i].name, gen);
		for (int s = 0; s < c->nsteer; s++) {
			if (chains[i].iif)
				rules_steer(&nb, c, nr, chains[i].name, NFT_META_IIFNAME,
				    &c->steer[s], kind);
			if (chains[i].oif)
				rules_steer(&nb, c, nr, chains[i].name, NFT_META_OIFNAME,
				    &c->steer[s], kind);
		}
	}
	return batch_close_send(&nb);
}

int
nft_install(const struct conf *c, const struct nft_rules *nr)
{
	static const struct nft_rules first;

	if (nr == NULL)
		nr = &first;
	if (install_kind(c, NFT_HOOK_NATIVE, nr, 1) == 0) {
		log_info("nftables: table inet %s installed with the native queue statement",
		    c->nft_table);
		return NFT_HOOK_NATIVE;
	}
	if (errno != ENOENT && errno != EOPNOTSUPP) {
		log_warn("nftables: installing table inet %s", c->nft_table);
		return -1;
	}
	log_debug("nftables: no native queue expression (%s), trying xt NFQUEUE", strerror(errno));
	if (install_kind(c, NFT_HOOK_COMPAT, nr, 1) == 0) {
		log_info("nftables: table inet %s installed with the xt NFQUEUE target "
		    "(compat; this kernel has no nft_queue)", c->nft_table);
		return NFT_HOOK_COMPAT;
	}
	log_warn("nftables: installing table inet %s (compat)", c->nft_table);
	return -1;
}

int
nft_update(const struct conf *c, enum nft_hook_kind kind, const struct nft_rules *nr)
{
	if (install_kind(c, kind, nr, 0) == 0) {
		log_debug("nftables: table inet %s at bypass generation %u%s", c->nft_table,
		    nr->gen % NVD_BYPASS_GENS, nr->protect_all ? ", all to the protect queues" : "");
		return 0;
	}
	if (errno != ENOENT) {
		log_warn("nftables: replacing the rules of table inet %s", c->nft_table);
		return -1;
	}
	/* Someone deleted the table or a chain: make it whole again. */
	log_warnx("nftables: table inet %s or one of its chains is gone; installing it again",
	    c->nft_table);
	return nft_install(c, nr) < 0 ? -1 : 0;
}

/* An element of a set or map: its key, and an interval's end, as a
 * concatenation's (key_end) or as the address after a range
 * (NFT_SET_ELEM_INTERVAL_END in flags); a map's value. */
struct kelem {
	uint8_t key[20];
	uint8_t end[16];	/* a concatenation's interval: its last key */
	uint8_t val[4];		/* a map's value */
	int has_end, has_val;
	uint32_t flags;		/* 0 or NFT_SET_ELEM_INTERVAL_END */
};
#define KELEM_CMP_LEN	40	/* key, end, val: what tells two elements */

static int
kelem_cmp(const void *a, const void *b)
{
	return memcmp(a, b, KELEM_CMP_LEN);
}

/* Set set of table, to carry elements (the batch's family); NULL, the
 * batch marked, without memory. */
static struct nftnl_set *
set_named(struct nft_batch *nb, const char *table, const char *set)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (s == NULL) {
		nb->oom = 1;
		return NULL;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, set);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, nb->family);
	return s;
}

/* Messages of type (NEWSETELEM or DELSETELEM) with the n elements of k,
 * NFT_SET_CHUNK a message. */
static void
kelems_msgs(struct nft_batch *nb, const char *table, const char *set, uint16_t type,
    const struct kelem *k, int n, uint32_t klen)
{
	for (int i = 0; i < n; i += NFT_SET_CHUNK) {
		struct nftnl_set *s = set_named(nb, table, set);

		if (s == NULL)
			return;
		for (int j = i; j < n && j < i + NFT_SET_CHUNK; j++) {
			struct nftnl_set_elem *e = nftnl_set_elem_alloc();

			if (e == NULL) {
				nb->oom = 1;
				break;
			}
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, k[j].key, klen);
			if (k[j].flags)
				nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, k[j].flags);
			if (k[j].has_end)
				nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, k[j].end, klen);
			if (k[j].has_val && type == NFT_MSG_NEWSETELEM)
				nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, k[j].val, sizeof(k[j].val));
			nftnl_set_elem_add(s, e);
		}
		nftnl_set_elems_nlmsg_build_payload(batch_msg(nb, type,
		    type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0), s);
		nftnl_set_free(s);
		batch_next(nb);
	}
}

/* DELSETELEM without elements: flushes set. */
static void
set_flush(struct nft_batch *nb, const char *table, const char *set)
{
	struct nftnl_set *s = set_named(nb, table, set);

	if (s == NULL)
		return;
	nftnl_set_elems_nlmsg_build_payload(batch_msg(nb, NFT_MSG_DELSETELEM, 0), s);
	nftnl_set_free(s);
	batch_next(nb);
}

/* Flushes set and adds the ranges of a of family (sorted, apart: ranges.h)
 * as interval elements, in messages of NFT_SET_CHUNK elements (each must
 * fit a page of the batch). */
static int
set_fill(struct nft_batch *nb, const char *table, const char *set, int family,
    const struct addr_range *a, int n)
{
	struct kelem *keys = calloc((size_t)(2 * n + 1), sizeof(*keys));
	uint32_t klen = family == AF_INET ? 4 : 16;
	int k = 0;

	if (keys == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		if (a[i].family != family)
			continue;
		memcpy(keys[k++].key, a[i].lo, klen);
		if (!addr_is_last(family, a[i].hi)) {
			memcpy(keys[k].key, a[i].hi, klen);
			addr_inc(family, keys[k].key);
			keys[k++].flags = NFT_SET_ELEM_INTERVAL_END;
		}
	}
	set_flush(nb, table, set);
	kelems_msgs(nb, table, set, NFT_MSG_NEWSETELEM, keys, k, klen);
	free(keys);
	return 0;
}

/* The pair of sets s become the n ranges of a, in one batch. */
static int
sets_fill(const struct conf *c, const struct addr_sets *s, const struct addr_range *a, int n,
    const char *what)
{
	struct nft_batch nb;

	if (batch_open(&nb) < 0)
		return -1;
	if (set_fill(&nb, c->nft_table, s->name[0], AF_INET, a, n) < 0 ||
	    set_fill(&nb, c->nft_table, s->name[1], AF_INET6, a, n) < 0)
		nb.oom = 1;
	if (batch_close_send(&nb) < 0) {
		log_warn("nftables: the %s sets of table inet %s", what, c->nft_table);
		return -1;
	}
	return 0;
}

int
nft_protect_set(const struct conf *c, const struct addr_range *a, int n)
{
	return sets_fill(c, &protect_sets, a, n, "protect");
}

int
nft_quarantine_set(const struct conf *c, const struct addr_range *a, int n)
{
	return sets_fill(c, &quarantine_sets, a, n, "quarantine");
}

/*
 * Sends request nlh (sequence number seq) and hands each message of the
 * answer to cb until it says MNL_CB_STOP or the dump is done.  0, or -1
 * (an error, errno set).
 */
static int
nl_request(const struct nlmsghdr *nlh, uint32_t seq, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	uint32_t portid;
	ssize_t n;
	int ret = -1, rc = MNL_CB_OK;

	if ((nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL)
		return -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	portid = mnl_socket_get_portid(nl);
	while (rc > MNL_CB_STOP && (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
		if ((rc = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data)) < 0)
			goto out;
	ret = rc <= MNL_CB_STOP ? 0 : -1;
out:
	mnl_socket_close(nl);
	return ret;
}

/* --- kernel decisions: the bridge table, the sets, the counters --------- */

int
nft_kdec_install(const struct conf *c)
{
	struct nft_batch nb;
	const char *t = c->nft_table;
	struct nftnl_rule *r;

	if (batch_open(&nb) < 0)
		return -1;
	nb.family = NFPROTO_BRIDGE;
	add_table(&nb, t, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	add_table(&nb, t, NFT_MSG_DELTABLE, 0);
	add_table(&nb, t, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL);
	for (size_t i = 0; i < sizeof(port_sets) / sizeof(port_sets[0]); i++)
		add_set_def(&nb, t, &port_sets[i]);
	add_chain(&nb, t, "prerouting", NF_BR_PRE_ROUTING, KDEC_PRIORITY);
	add_chain(&nb, t, "forward", NF_BR_FORWARD, KDEC_PRIORITY);
	/* No packet comes with the bits but from these rules. */
	r = rule_new(t, "prerouting");
	rule_add(&nb, r, r == NULL || e_mark_set(r, NVD_MARK_SRCOK | NVD_MARK_DSTOK, 0));
	for (int f = 0; f < 2; f++) {
		rule_port(&nb, t, "prerouting", f, 0, NVD_MARK_SRCOK);
		rule_port(&nb, t, "forward", f, 1, NVD_MARK_DSTOK);
	}
	if (batch_close_send(&nb) < 0) {
		log_warn("nftables: installing table bridge %s (kernel decisions)", t);
		return -1;
	}
	log_info("nftables: table bridge %s installed (kernel decisions: the workloads' ports)", t);
	return 0;
}

/* The elements of one set, sorted. */
struct kset {
	struct kelem *e;
	int n;
};

/*
 * One set from what old says it holds to what k says: what old has and k
 * lacks is deleted, what k has and old lacks added (a map's element whose
 * value changed is both); old NULL: flushed, then all of k added.  A flush
 * and a refill of an interval set of concatenations costs the kernel far
 * more than the difference (pipapo).
 */
static void
kset_update(struct nft_batch *nb, const char *table, const char *set, const struct kset *old,
    const struct kset *k, uint32_t klen)
{
	struct kelem *del, *add;
	int nd = 0, na = 0, i = 0, j = 0;

	if (old == NULL) {
		set_flush(nb, table, set);
		kelems_msgs(nb, table, set, NFT_MSG_NEWSETELEM, k->e, k->n, klen);
		return;
	}
	del = calloc((size_t)old->n + 1, sizeof(*del));
	add = calloc((size_t)k->n + 1, sizeof(*add));
	if (del == NULL || add == NULL) {
		nb->oom = 1;
		goto out;
	}
	while (i < old->n || j < k->n) {
		int c = i == old->n ? 1 : j == k->n ? -1 : kelem_cmp(&old->e[i], &k->e[j]);

		if (c < 0)
			del[nd++] = old->e[i++];
		else if (c > 0)
			add[na++] = k->e[j++];
		else
			i++, j++;
	}
	kelems_msgs(nb, table, set, NFT_MSG_DELSETELEM, del, nd, klen);
	kelems_msgs(nb, table, set, NFT_MSG_NEWSETELEM, add, na, klen);
out:
	free(del);
	free(add);
}

/* A class pair's key: from . to . proto . port, each field in 4 bytes. */
static void
kdec_key(uint8_t *key, const struct kdec_elem *e, uint16_t port)
{
	uint32_t from = htonl(e->from), to = htonl(e->to);
	uint16_t p = htons(port);

	memset(key, 0, 16);
	memcpy(key, &from, 4);
	memcpy(key + 4, &to, 4);
	key[8] = e->proto;
	memcpy(key + 12, &p, 2);
}

/* The sets of kernel decisions, as kset_update() takes them. */
enum { KS_PAIRS, KS_CLASS4, KS_CLASS6, KS_PORT4, KS_PORT6, KS_COUNT };

static void
ksets_free(struct kset *ks)
{
	for (int i = 0; i < KS_COUNT; i++)
		free(ks[i].e);
}

/* t's elements into the five sets, each sorted.  0 or -1 (no memory). */
static int
ksets_make(const struct kdec_table *t, struct kset *ks)
{
	memset(ks, 0, KS_COUNT * sizeof(*ks));
	ks[KS_PAIRS].e = calloc((size_t)t->nelems + 1, sizeof(struct kelem));
	for (int i = KS_CLASS4; i < KS_COUNT; i++)
		ks[i].e = calloc((size_t)t->naddrs + 1, sizeof(struct kelem));
	for (int i = 0; i < KS_COUNT; i++)
		if (ks[i].e == NULL) {
			ksets_free(ks);
			return -1;
		}
	for (int i = 0; i < t->nelems; i++) {
		struct kelem *k = &ks[KS_PAIRS].e[ks[KS_PAIRS].n++];

		kdec_key(k->key, &t->elems[i], t->elems[i].lo);
		kdec_key(k->end, &t->elems[i], t->elems[i].hi);
		k->has_end = 1;
	}
	for (int i = 0; i < t->naddrs; i++) {
		const struct kdec_addr *a = &t->addrs[i];
		int f = a->family == AF_INET6;
		struct kelem *c = &ks[KS_CLASS4 + f].e[ks[KS_CLASS4 + f].n++];
		struct kelem *p = &ks[KS_PORT4 + f].e[ks[KS_PORT4 + f].n++];
		uint32_t cls = htonl(a->cls), ifindex = (uint32_t)a->ifindex;

		memcpy(c->key, a->addr, kfam[f].len);
		memcpy(c->val, &cls, 4);
		c->has_val = 1;
		memcpy(p->key, &ifindex, 4);	/* meta iif/oif: host order */
		memcpy(p->key + 4, a->addr, kfam[f].len);
	}
	for (int i = 0; i < KS_COUNT; i++)
		qsort(ks[i].e, (size_t)ks[i].n, sizeof(struct kelem), kelem_cmp);
	return 0;
}

int
nft_kdec_set(const struct conf *c, const struct kdec_table *old, const struct kdec_table *t)
{
	static const struct {
		const char *name;
		uint16_t family;
		uint32_t klen;
	} sets[KS_COUNT] = {
		[KS_PAIRS] = { KDEC_SET, NFPROTO_INET, 16 },
		[KS_CLASS4] = { KDEC_CLASS4, NFPROTO_INET, 4 },
		[KS_CLASS6] = { KDEC_CLASS6, NFPROTO_INET, 16 },
		[KS_PORT4] = { KDEC_PORT4, NFPROTO_BRIDGE, 8 },
		[KS_PORT6] = { KDEC_PORT6, NFPROTO_BRIDGE, 20 },
	};
	struct kset ko[KS_COUNT], kn[KS_COUNT];
	struct nft_batch nb;
	int ret = -1;

	if (ksets_make(t, kn) < 0)
		return -1;
	if (old && ksets_make(old, ko) < 0) {
		ksets_free(kn);
		return -1;
	}
	if (batch_open(&nb) == 0) {
		for (int i = 0; i < KS_COUNT; i++) {
			nb.family = sets[i].family;
			kset_update(&nb, c->nft_table, sets[i].name, old ? &ko[i] : NULL, &kn[i],
			    sets[i].klen);
		}
		if ((ret = batch_close_send(&nb)) < 0)
			log_warn("nftables: the sets of kernel decisions of tables inet and bridge "
			    "%s", c->nft_table);
	}
	ksets_free(kn);
	if (old)
		ksets_free(ko);
	return ret;
}

static int
obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_obj *o = nftnl_obj_alloc();

	if (o == NULL)
		return MNL_CB_ERROR;
	if (nftnl_obj_nlmsg_parse(nlh, o) == 0)
		*(uint64_t *)data = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS);
	nftnl_obj_free(o);
	return MNL_CB_STOP;
}

int
nft_kdec_flows(const struct conf *c, uint64_t *flows)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct nlmsghdr *nlh;

	if (o == NULL)
		return -1;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETOBJ, NFPROTO_INET, 0, 1);
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, c->nft_table);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, KDEC_COUNTER);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nftnl_obj_nlmsg_build_payload(nlh, o);
	nftnl_obj_free(o);
	*flows = 0;
	return nl_request(nlh, 1, obj_cb, flows);
}

struct count_cb {
	void (*fn)(void *ctx, const struct kdec_elem *e, uint64_t packets);
	void *ctx;
	uint64_t packets;	/* of the element being read */
};

static int
elem_expr_count(struct nftnl_expr *x, void *data)
{
	struct count_cb *cc = data;

	if (!strcmp(nftnl_expr_get_str(x, NFTNL_EXPR_NAME), "counter"))
		cc->packets = nftnl_expr_get_u64(x, NFTNL_EXPR_CTR_PACKETS);
	return 0;
}

/* An element of set kdec: its class pair, protocol, ports and packets. */
static int
elem_count(struct nftnl_set_elem *e, void *data)
{
	struct count_cb *cc = data;
	const uint8_t *key, *end;
	uint32_t klen = 0, elen = 0, from, to;
	uint16_t lo, hi;
	struct kdec_elem ke;

	key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &klen);
	end = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &elen);
	if (key == NULL || klen != 16)
		return 0;
	if (end == NULL || elen != 16)
		end = key;
	memcpy(&from, key, 4);
	memcpy(&to, key + 4, 4);
	memcpy(&lo, key + 12, 2);
	memcpy(&hi, end + 12, 2);
	memset(&ke, 0, sizeof(ke));
	ke.from = ntohl(from);
	ke.to = ntohl(to);
	ke.proto = key[8];
	ke.lo = ntohs(lo);
	ke.hi = ntohs(hi);
	cc->packets = 0;
	nftnl_set_elem_expr_foreach(e, elem_expr_count, cc);
	cc->fn(cc->ctx, &ke, cc->packets);
	return 0;
}

static int
setelem_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (s == NULL)
		return MNL_CB_ERROR;
	if (nftnl_set_elems_nlmsg_parse(nlh, s) == 0)
		nftnl_set_elem_foreach(s, elem_count, data);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

int
nft_kdec_counts(const struct conf *c,
    void (*fn)(void *ctx, const struct kdec_elem *e, uint64_t packets), void *ctx)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_set *s = nftnl_set_alloc();
	struct count_cb cc = { fn, ctx, 0 };
	struct nlmsghdr *nlh;

	if (s == NULL)
		return -1;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP, 1);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, c->nft_table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, KDEC_SET);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	return nl_request(nlh, 1, setelem_cb, &cc);
}

/* --- counters ------------------------------------------------------------ */

struct count_ctx {
	uint16_t pfirst, pcount;
	uint64_t queued[2];		/* [0] queues, [1] protect queues */
	uint64_t quarantined;		/* packets the quarantine rules dropped */
};

struct rule_scan {
	uint64_t packets;
	int has_counter;
	int queue;			/* the first queue of its queue statement, or -1 */
	int quarantine;			/* it looks up a quarantine set */
};

static int
expr_scan(struct nftnl_expr *e, void *data)
{
	struct rule_scan *rs = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	uint32_t len;

	if (!strcmp(name, "counter")) {
		rs->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
		rs->has_counter = 1;
	} else if (!strcmp(name, "lookup")) {
		const char *set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);

		rs->quarantine |= set && (!strcmp(set, QUARANTINE4) || !strcmp(set, QUARANTINE6));
	} else if (!strcmp(name, "queue")) {
		rs->queue = nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_NUM);
	} else if (!strcmp(name, "target")) {
		const struct xt_NFQ_info_v3 *info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);

		if (info && len >= sizeof(*info))
			rs->queue = info->queuenum;
	}
	return 0;
}

static int
rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct count_ctx *cc = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_scan rs = { .queue = -1 };

	if (r == NULL)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) == 0) {
		nftnl_expr_foreach(r, expr_scan, &rs);
		if (rs.has_counter && rs.queue >= 0)
			cc->queued[rs.queue >= cc->pfirst && rs.queue < cc->pfirst + cc->pcount] +=
			    rs.packets;
		if (rs.has_counter && rs.quarantine)
			cc->quarantined += rs.packets;
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

/* The counters of every rule of the table into cc.  0, or -1. */
static int
rules_count(const struct conf *c, struct count_ctx *cc)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	conf_protect_queues(c, &cc->pfirst, &cc->pcount);
	if (r == NULL)
		return -1;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, c->nft_table);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	return nl_request(nlh, 1, rule_cb, cc);
}

int
nft_counters(const struct conf *c, uint64_t *queued, uint64_t *queued_protect)
{
	struct count_ctx cc = { 0 };

	if (rules_count(c, &cc) < 0)
		return -1;
	*queued = cc.queued[0];
	*queued_protect = cc.queued[1];
	return 0;
}

int
nft_quarantine_dropped(const struct conf *c, uint64_t *dropped)
{
	struct count_ctx cc = { 0 };

	if (rules_count(c, &cc) < 0)
		return -1;
	*dropped = cc.quarantined;
	return 0;
}

static int
table_remove(const char *table, uint16_t family)
{
	struct nft_batch nb;

	if (batch_open(&nb) < 0)
		return -1;
	nb.family = family;
	add_table(&nb, table, NFT_MSG_DELTABLE, 0);
	return batch_close_send(&nb);
}

int
nft_remove(const char *table)
{
	if (table_remove(table, NFPROTO_INET) < 0 && errno != ENOENT) {
		log_warn("nftables: removing table inet %s", table);
		return -1;
	}
	/* kernel decisions' (a kernel without the bridge family has none) */
	if (table_remove(table, NFPROTO_BRIDGE) < 0 && errno != ENOENT &&
	    errno != EAFNOSUPPORT && errno != EOPNOTSUPP) {
		log_warn("nftables: removing table bridge %s", table);
		return -1;
	}
	return 0;
}
