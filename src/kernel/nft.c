#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include "base/log.h"
#include "kernel/nft.h"

#define NFT_PRIORITY	10

struct nft_batch {
	struct nftnl_batch *b;
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
	    NFPROTO_INET, flags | NLM_F_ACK, nb->seq++);

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
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nftnl_table_nlmsg_build_payload(batch_msg(nb, type, flags), t);
	nftnl_table_free(t);
	batch_next(nb);
}

static void
add_chain(struct nft_batch *nb, const char *table, const char *name, uint32_t hook)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (c == NULL) {
		nb->oom = 1;
		return;
	}
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, NFT_PRIORITY);
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
e_meta_load(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return push(r, e);
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
e_accept(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
	}
	return push(r, e);
}

static int
e_queue(struct nftnl_rule *r, const struct conf *c, enum nft_hook_kind kind)
{
	struct nftnl_expr *e;

	if (kind == NFT_HOOK_NATIVE) {
		e = nftnl_expr_alloc("queue");
		if (e) {
			nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, c->queue_first);
			nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, c->queue_count);
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
		info->queuenum = c->queue_first;
		info->queues_total = c->queue_count;
		info->flags = c->fail_mode == FAIL_OPEN ? NFQ_FLAG_BYPASS : 0;
		nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
		nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
		/* libnftnl takes ownership of info */
		nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info, sizeof(*info));
	}
	return push(r, e);
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

/* iifname/oifname NAME[*] queue */
static void
rule_steer(struct nft_batch *nb, const struct conf *c, const char *chain, uint32_t key,
    const struct steer_if *s, enum nft_hook_kind kind)
{
	struct nftnl_rule *r = rule_new(c->nft_table, chain);
	char name[IFNAME_LEN] = { 0 };
	int err = !r;

	memcpy(name, s->name, strnlen(s->name, sizeof(name) - 1));
	if (r)
		err = e_meta_load(r, key) ||
		    e_cmp(r, NFT_CMP_EQ, name, s->glob ? (uint32_t)strlen(name) : sizeof(name)) ||
		    e_queue(r, c, kind);
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

	nftnl_batch_iovec(b, iov, (uint32_t)n);
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
install_kind(const struct conf *c, enum nft_hook_kind kind, unsigned gen, unsigned prev,
    int replace)
{
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
	}
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		if (replace)
			add_chain(&nb, c->nft_table, chains[i].name, chains[i].hook);
		else
			flush_chain(&nb, c->nft_table, chains[i].name);
		rule_ct_bypass(&nb, c->nft_table, chains[i].name, gen);
		rule_save_bypass(&nb, c->nft_table, chains[i].name, gen);
		if (prev != gen)
			rule_save_bypass(&nb, c->nft_table, chains[i].name, prev);
		rule_own(&nb, c->nft_table, chains[i].name);
		rule_noct(&nb, c->nft_table, chains[i].name);
		for (int s = 0; s < c->nsteer; s++) {
			if (chains[i].iif)
				rule_steer(&nb, c, chains[i].name, NFT_META_IIFNAME, &c->steer[s], kind);
			if (chains[i].oif)
				rule_steer(&nb, c, chains[i].name, NFT_META_OIFNAME, &c->steer[s], kind);
		}
	}
	return batch_close_send(&nb);
}

int
nft_install_gen(const struct conf *c, unsigned gen, unsigned prev)
{
	gen %= NVD_BYPASS_GENS;
	prev %= NVD_BYPASS_GENS;
	if (install_kind(c, NFT_HOOK_NATIVE, gen, prev, 1) == 0) {
		log_info("nftables: table inet %s installed with the native queue statement",
		    c->nft_table);
		return NFT_HOOK_NATIVE;
	}
	if (errno != ENOENT && errno != EOPNOTSUPP) {
		log_warn("nftables: installing table inet %s", c->nft_table);
		return -1;
	}
	log_debug("nftables: no native queue expression (%s), trying xt NFQUEUE", strerror(errno));
	if (install_kind(c, NFT_HOOK_COMPAT, gen, prev, 1) == 0) {
		log_info("nftables: table inet %s installed with the xt NFQUEUE target "
		    "(compat; this kernel has no nft_queue)", c->nft_table);
		return NFT_HOOK_COMPAT;
	}
	log_warn("nftables: installing table inet %s (compat)", c->nft_table);
	return -1;
}

int
nft_install(const struct conf *c)
{
	return nft_install_gen(c, 0, 0);
}

int
nft_update(const struct conf *c, enum nft_hook_kind kind, unsigned gen, unsigned prev)
{
	gen %= NVD_BYPASS_GENS;
	prev %= NVD_BYPASS_GENS;
	if (install_kind(c, kind, gen, prev, 0) == 0) {
		log_debug("nftables: table inet %s at bypass generation %u", c->nft_table, gen);
		return 0;
	}
	if (errno != ENOENT) {
		log_warn("nftables: replacing the rules of table inet %s", c->nft_table);
		return -1;
	}
	/* Someone deleted the table or a chain: make it whole again. */
	log_warnx("nftables: table inet %s or one of its chains is gone; installing it again",
	    c->nft_table);
	return nft_install_gen(c, gen, prev) < 0 ? -1 : 0;
}

int
nft_remove(const char *table)
{
	struct nft_batch nb;

	if (batch_open(&nb) < 0)
		return -1;
	add_table(&nb, table, NFT_MSG_DELTABLE, 0);
	if (batch_close_send(&nb) < 0 && errno != ENOENT) {
		log_warn("nftables: removing table inet %s", table);
		return -1;
	}
	return 0;
}
