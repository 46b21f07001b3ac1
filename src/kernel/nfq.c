#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "kernel/nfq.h"

#define NFQ_BATCH	32
#define NFQ_COPY_RANGE	0xffff
/* One message: netlink and nfqueue headers, attributes, and the packet;
 * a multiple of 8 so that every slot's nlmsghdr (and the u64 attributes
 * after it) is aligned. */
#define NFQ_SLOT	((NFQ_COPY_RANGE + 1024 + 7) & ~7)
#define NFQ_RCVBUF	(16 << 20)

struct nfq_pending {
	uint32_t id;
	uint32_t mark;		/* packet mark, or with ct_glue the conntrack mark;
				 * for BYPASS the mark the verdict sets */
	uint8_t which;		/* the packet's queue: Q_MAIN or Q_PROTECT */
	uint8_t late;		/* a held packet's (nfq_queue_late) */
	enum verdict v;
	/* ACCEPT of the packet as the handler rewrote it: its first cut
	 * bytes, in the receive slot (valid until the next receive), go
	 * back to the kernel in place of the packet.  0: as it came. */
	uint16_t cut;
	const uint8_t *data;
};

/*
 * One socket serves two queues (nfq.h): a packet's queue is the res_id of
 * its message, and a verdict goes to the queue it came from.
 */
enum { Q_MAIN = 0, Q_PROTECT = 1 };

struct nfq_queue {
	struct mnl_socket *nl;
	uint16_t num[2];		/* by Q_MAIN, Q_PROTECT */
	uint32_t portid;
	int ct_glue;			/* the kernel takes a ct mark in a verdict */
	uint32_t last_id[2];		/* packet ids are consecutive per queue */
	uint8_t *slots;			/* NFQ_BATCH * NFQ_SLOT */
	struct mmsghdr msgs[NFQ_BATCH];
	struct iovec iov[NFQ_BATCH];
	struct nfq_pending pend[NFQ_BATCH * 4];
	int npend;
	uint32_t nheld[2];		/* packets held, by queue: no batch verdict */
	struct nfq_stats st;		/* written by the queue's thread only */
};

/* A counter another thread reads (nfq_queue_stats). */
#define COUNT(q, field, n)	__atomic_fetch_add(&(q)->st.field, (n), __ATOMIC_RELAXED)

/* Binds queue num to this socket with maxlen and the flags. */
static int
nfq_send_config(struct nfq_queue *q, uint16_t num, uint32_t maxlen, int fail_open, int ct)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint32_t flags = NFQA_CFG_F_GSO | (ct ? NFQA_CFG_F_CONNTRACK : 0);
	uint32_t seq = 1;

	if (fail_open)
		flags |= NFQA_CFG_F_FAIL_OPEN;
	/* Bind, copy mode, maxlen and flags in one message, one ack. */
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, NFQ_COPY_RANGE);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	/* Wait for the ack; a packet that arrives first is accepted. */
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(q->nl, q->slots, NFQ_SLOT);
		struct nlmsghdr *h = (struct nlmsghdr *)q->slots;

		if (n < 0)
			return -1;
		for (; mnl_nlmsg_ok(h, (int)n); h = mnl_nlmsg_next(h, (int *)&n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

				if (h->nlmsg_seq != seq)
					continue;
				if (e->error) {
					errno = -e->error;
					return -1;
				}
				return 0;
			}
			if ((h->nlmsg_type & 0xff) == NFQNL_MSG_PACKET) {
				struct nlattr *attr[NFQA_MAX + 1] = { 0 };
				char vbuf[256];
				struct nlmsghdr *v;

				if (nfq_nlmsg_parse(h, attr) < 0 || !attr[NFQA_PACKET_HDR] ||
				    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nfgenmsg)))
					continue;
				v = nfq_nlmsg_put(vbuf, NFQNL_MSG_VERDICT, ntohs(((struct nfgenmsg *)
				    mnl_nlmsg_get_payload(h))->res_id));
				nfq_nlmsg_verdict_put(v, (int)ntohl(((struct nfqnl_msg_packet_hdr *)
				    mnl_attr_get_payload(attr[NFQA_PACKET_HDR]))->packet_id), NF_ACCEPT);
				mnl_socket_sendto(q->nl, v, v->nlmsg_len);
			}
		}
	}
}

/*
 * Bypass goes through conntrack glue where the kernel has it (the verdict
 * sets the ct mark itself).  Elsewhere binding with NFQA_CFG_F_CONNTRACK
 * fails with EOPNOTSUPP and nvd takes the portable path: NF_REPEAT with a
 * packet mark that the rule at the top of nvd's chain copies to the ct mark.
 */
static int
nfq_bind(struct nfq_queue *q, uint16_t num, uint32_t maxlen, int fail_open)
{
	q->ct_glue = 1;
	if (nfq_send_config(q, num, maxlen, fail_open, 1) == 0)
		return 0;
	if (errno == EAGAIN && nfq_send_config(q, num, maxlen, fail_open, 1) == 0)
		return 0;	/* the glue module was loaded by the first try */
	if (errno != EOPNOTSUPP && errno != EAGAIN)
		return -1;
	q->ct_glue = 0;
	return nfq_send_config(q, num, maxlen, fail_open, 0);
}

struct nfq_queue *
nfq_queue_open(uint16_t num, uint16_t protect_num, uint32_t maxlen, enum fail_mode fm)
{
	struct nfq_queue *q = calloc(1, sizeof(*q));
	int one = 1, rcvbuf = NFQ_RCVBUF;
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };

	if (q == NULL)
		return NULL;
	q->num[Q_MAIN] = num;
	q->num[Q_PROTECT] = protect_num;
	q->slots = aligned_alloc(8, (size_t)NFQ_BATCH * NFQ_SLOT);
	if (q->slots == NULL)
		goto fail;
	if ((q->nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL) {
		log_warn("queue %u: netlink socket", num);
		goto fail;
	}
	if (mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		log_warn("queue %u: netlink bind", num);
		goto fail;
	}
	q->portid = mnl_socket_get_portid(q->nl);
	/* A large buffer absorbs bursts; without CAP_NET_ADMIN fall back to
	 * what rmem_max allows. */
	if (setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* Overruns are counted by the kernel (user_dropped); do not turn them
	 * into recv errors. */
	setsockopt(mnl_socket_get_fd(q->nl), SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* The protect queue never fails open: a full queue drops. */
	if (nfq_bind(q, num, maxlen, fm == FAIL_OPEN) < 0 ||
	    nfq_send_config(q, protect_num, maxlen, 0, q->ct_glue) < 0) {
		if (errno == EBUSY)
			log_warnx("queue %u or %u is already bound by another program", num,
			    protect_num);
		else
			log_warn("queues %u and %u: bind", num, protect_num);
		goto fail;
	}
	for (int i = 0; i < NFQ_BATCH; i++) {
		q->iov[i].iov_base = q->slots + (size_t)i * NFQ_SLOT;
		q->iov[i].iov_len = NFQ_SLOT;
		q->msgs[i].msg_hdr.msg_iov = &q->iov[i];
		q->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return q;
fail:
	nfq_queue_close(q);
	return NULL;
}

int
nfq_queue_ct_glue(const struct nfq_queue *q)
{
	return q->ct_glue;
}

void
nfq_queue_close(struct nfq_queue *q)
{
	if (q == NULL)
		return;
	if (q->nl)
		mnl_socket_close(q->nl);
	free(q->slots);
	free(q);
}

static const int nf_verdicts[] = {
	[VERDICT_ACCEPT] = NF_ACCEPT,
	[VERDICT_DROP] = NF_DROP,
	[VERDICT_BYPASS] = NF_REPEAT,
};

/* Sends the verdicts in buf (off bytes); off is 0 after. */
static void
nfq_send(struct nfq_queue *q, const char *buf, size_t *off)
{
	if (*off && mnl_socket_sendto(q->nl, buf, *off) < 0) {
		static struct log_limit lim;

		COUNT(q, send_errors, 1);
		if (log_limit_ok(&lim, 10))
			log_warn("queue %u: sending verdicts", q->num[Q_MAIN]);
	}
	*off = 0;
}

/*
 * Sends the pending verdicts in one sendmsg (more when packets that go on
 * cut fill it).  A run of equal verdicts ends in one batch verdict (it
 * covers every id up to its own, and the ids before the run were answered
 * by the messages before it).  BYPASS carries the packet's own mark with
 * nvd's bypass bits (nvd.h), and a cut packet its bytes, so each is
 * always sent alone.
 */
static void
nfq_flush(struct nfq_queue *q)
{
	/* A verdict is at most 64 bytes, and the packet a cut one carries. */
	char buf[NFQ_BATCH * 4 * 64 + NFQ_CUT_MAX + 64];
	size_t off = 0;
	int i = 0;

	while (i < q->npend) {
		struct nfq_pending *p = &q->pend[i];
		int j = i;
		struct nlmsghdr *nlh;

		if (off + 64 + p->cut > sizeof(buf))
			nfq_send(q, buf, &off);
		if (p->v != VERDICT_BYPASS && p->cut == 0 && q->nheld[p->which] == 0)
			while (j + 1 < q->npend && q->pend[j + 1].v == p->v &&
			    q->pend[j + 1].which == p->which && q->pend[j + 1].cut == 0)
				j++;
		nlh = nfq_nlmsg_put(buf + off, j > i ? NFQNL_MSG_VERDICT_BATCH : NFQNL_MSG_VERDICT,
		    q->num[p->which]);
		if (p->cut) {
			nfq_nlmsg_verdict_put(nlh, (int)p->id, NF_ACCEPT);
			nfq_nlmsg_verdict_put_pkt(nlh, p->data, p->cut);
		} else if (p->v == VERDICT_BYPASS && q->ct_glue) {
			struct nlattr *nest;

			nfq_nlmsg_verdict_put(nlh, (int)p->id, NF_ACCEPT);
			nest = mnl_attr_nest_start(nlh, NFQA_CT);
			mnl_attr_put_u32(nlh, CTA_MARK, htonl(p->mark));
			mnl_attr_nest_end(nlh, nest);
		} else {
			nfq_nlmsg_verdict_put(nlh, (int)q->pend[j].id, nf_verdicts[p->v]);
			if (p->v == VERDICT_BYPASS)
				nfq_nlmsg_verdict_put_mark(nlh, p->mark);
		}
		off += nlh->nlmsg_len;
		i = j + 1;
	}
	/* Held packets whose verdicts are in this message are held no more:
	 * batch verdicts may cover their ids from the next message on. */
	for (i = 0; i < q->npend; i++)
		if (q->pend[i].late && q->nheld[q->pend[i].which] > 0)
			q->nheld[q->pend[i].which]--;
	q->npend = 0;
	nfq_send(q, buf, &off);
}

static int
ct_attr_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTA_MARK && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		*(uint32_t *)data = ntohl(mnl_attr_get_u32(a));
	return MNL_CB_OK;
}

/* The conntrack mark from a packet's NFQA_CT attribute, or 0. */
static uint32_t
ct_mark(const struct nlattr *ct)
{
	uint32_t mark = 0;

	if (ct)
		mnl_attr_parse_nested(ct, ct_attr_cb, &mark);
	return mark;
}

/* The interface a packet came in on: its bridge port if it crossed one. */
static uint32_t
in_port(struct nlattr **attr)
{
	if (attr[NFQA_IFINDEX_PHYSINDEV])
		return ntohl(mnl_attr_get_u32(attr[NFQA_IFINDEX_PHYSINDEV]));
	if (attr[NFQA_IFINDEX_INDEV])
		return ntohl(mnl_attr_get_u32(attr[NFQA_IFINDEX_INDEV]));
	return 0;
}

/* Parses one message from the kernel and queues its verdict. */
static void
nfq_handle(struct nfq_queue *q, const struct nfq_handler *h, const struct nlmsghdr *nlh,
    uint64_t now)
{
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	const struct nfqnl_msg_packet_hdr *ph;
	const struct nfgenmsg *g;
	struct nfq_pending *p;
	uint32_t bits = 0, pmark;
	unsigned pflags = 0;
	int family;

	if ((nlh->nlmsg_type & 0xff) != NFQNL_MSG_PACKET ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*g)) ||
	    nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL ||
	    mnl_attr_get_payload_len(attr[NFQA_PACKET_HDR]) < sizeof(*ph)) {
		COUNT(q, bad_messages, 1);
		return;
	}
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	g = mnl_nlmsg_get_payload(nlh);
	family = g->nfgen_family == NFPROTO_IPV6 ? AF_INET6 :
	    g->nfgen_family == NFPROTO_IPV4 ? AF_INET : 0;
	p = &q->pend[q->npend++];
	p->late = 0;
	p->cut = 0;
	p->id = ntohl(ph->packet_id);
	p->which = ntohs(g->res_id) == q->num[Q_PROTECT] ? Q_PROTECT : Q_MAIN;
	COUNT(q, received[p->which], 1);
	/* With fail-open the kernel accepts a packet it could not deliver
	 * (socket buffer full) after giving it an id: a gap counts it. */
	if (q->last_id[p->which] && p->id - q->last_id[p->which] > 1 &&
	    p->id - q->last_id[p->which] < 0x80000000u)
		COUNT(q, missed, p->id - q->last_id[p->which] - 1);
	q->last_id[p->which] = p->id;
	pmark = attr[NFQA_MARK] ? ntohl(mnl_attr_get_u32(attr[NFQA_MARK])) : 0;
	p->mark = q->ct_glue ? ct_mark(attr[NFQA_CT]) : pmark;
	/* No conntrack entry: the rules said so (NVD_MARK_NOCT), or with
	 * glue the kernel sent none. */
	if ((pmark & NVD_MARK_NOCT) || (q->ct_glue && attr[NFQA_CT] == NULL))
		pflags |= PKT_NOCT;
	if (attr[NFQA_PAYLOAD]) {
		size_t cut = 0;

		p->v = h->packet(h->ctx, mnl_attr_get_payload(attr[NFQA_PAYLOAD]),
		    mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]), family, pflags,
		    in_port(attr), now, (uint64_t)p->which << 32 | p->id, &bits, &cut);
		if (p->v == VERDICT_ACCEPT && cut > 0 && cut <= NFQ_CUT_MAX &&
		    cut < mnl_attr_get_payload_len(attr[NFQA_PAYLOAD])) {
			p->cut = (uint16_t)cut;
			p->data = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
		}
	} else {
		p->v = VERDICT_ACCEPT;
	}
	if (p->v == VERDICT_HOLD) {
		/* Its verdict comes with nfq_queue_late(). */
		q->nheld[p->which]++;
		COUNT(q, held, 1);
		q->npend--;
		return;
	}
	if (p->v == VERDICT_BYPASS)
		p->mark = (p->mark & ~NVD_MARK_BYPASS_BITS) | (bits & NVD_MARK_BYPASS_BITS);
	if (q->npend == (int)(sizeof(q->pend) / sizeof(q->pend[0])))
		nfq_flush(q);
}

void
nfq_queue_late(struct nfq_queue *q, uint64_t token, enum verdict v)
{
	struct nfq_pending *p = &q->pend[q->npend++];

	p->which = (uint8_t)(token >> 32) ? Q_PROTECT : Q_MAIN;
	p->id = (uint32_t)token;
	p->v = v == VERDICT_DROP ? VERDICT_DROP : VERDICT_ACCEPT;
	p->mark = 0;
	p->late = 1;
	p->cut = 0;		/* a held packet goes on as it came */
	__atomic_sub_fetch(&q->st.held, 1, __ATOMIC_RELAXED);
	COUNT(q, late, 1);
	if (q->npend == (int)(sizeof(q->pend) / sizeof(q->pend[0])))
		nfq_flush(q);
}

/*
 * While packets are held: waits for a packet or for wake_fd (their
 * verdicts are ready), at most 200 ms, and ticks when woken; returns 1
 * (the receive must not block then).  0 when nothing is held.
 */
static int
wait_held(struct nfq_queue *q, const struct nfq_handler *h)
{
	struct pollfd pfd[2] = {
		{ .fd = mnl_socket_get_fd(q->nl), .events = POLLIN },
		{ .fd = h->wake_fd, .events = POLLIN },
	};

	if (h->wake_fd < 0 || q->nheld[Q_MAIN] + q->nheld[Q_PROTECT] == 0)
		return 0;
	if (poll(pfd, 2, 200) > 0 && (pfd[1].revents & POLLIN)) {
		h->tick(h->ctx, clock_mono_ms());
		nfq_flush(q);
	}
	return 1;
}

void
nfq_queue_run(struct nfq_queue *q, const struct nfq_handler *h, const int *stop)
{
	int fd = mnl_socket_get_fd(q->nl);
	struct log_limit lim = { 0 };

	while (!__atomic_load_n(stop, __ATOMIC_RELAXED)) {
		int n, flags = MSG_WAITFORONE;
		uint64_t now;

		if (wait_held(q, h))
			flags |= MSG_DONTWAIT;
		n = recvmmsg(fd, q->msgs, NFQ_BATCH, flags, NULL);
		now = clock_mono_ms();

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
				h->tick(h->ctx, now);
				nfq_flush(q);
				continue;
			}
			if (errno == ENOBUFS)
				COUNT(q, enobufs, 1);
			else
				COUNT(q, recv_errors, 1);
			if (log_limit_ok(&lim, 10))
				log_warn("queue %u: receive", q->num[Q_MAIN]);
			continue;
		}
		COUNT(q, batches, 1);
		for (int i = 0; i < n; i++) {
			int len = (int)q->msgs[i].msg_len;
			const struct nlmsghdr *nlh = q->iov[i].iov_base;

			for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
				nfq_handle(q, h, nlh, now);
		}
		nfq_flush(q);
		h->tick(h->ctx, now);
		nfq_flush(q);	/* late verdicts the tick gave */
	}
}

void
nfq_queue_stats(const struct nfq_queue *q, struct nfq_stats *out)
{
	out->batches = __atomic_load_n(&q->st.batches, __ATOMIC_RELAXED);
	out->recv_errors = __atomic_load_n(&q->st.recv_errors, __ATOMIC_RELAXED);
	out->enobufs = __atomic_load_n(&q->st.enobufs, __ATOMIC_RELAXED);
	out->send_errors = __atomic_load_n(&q->st.send_errors, __ATOMIC_RELAXED);
	out->bad_messages = __atomic_load_n(&q->st.bad_messages, __ATOMIC_RELAXED);
	out->missed = __atomic_load_n(&q->st.missed, __ATOMIC_RELAXED);
	out->received[0] = __atomic_load_n(&q->st.received[0], __ATOMIC_RELAXED);
	out->received[1] = __atomic_load_n(&q->st.received[1], __ATOMIC_RELAXED);
	out->held = __atomic_load_n(&q->st.held, __ATOMIC_RELAXED);
	out->late = __atomic_load_n(&q->st.late, __ATOMIC_RELAXED);
}

void
nfq_kernel_stats(uint16_t num, struct nfq_kstats *ks)
{
	FILE *f = fopen("/proc/net/netfilter/nfnetlink_queue", "r");
	unsigned qn, portid, copy_mode, copy_range, one;
	unsigned long long total, qdrop, udrop, idseq;

	memset(ks, 0, sizeof(*ks));
	if (f == NULL)
		return;
	while (fscanf(f, "%u %u %llu %u %u %llu %llu %llu %u", &qn, &portid, &total, &copy_mode,
	    &copy_range, &qdrop, &udrop, &idseq, &one) == 9) {
		if (qn != num)
			continue;
		ks->found = 1;
		ks->portid = portid;
		ks->queue_total = total;
		ks->queue_dropped = qdrop;
		ks->user_dropped = udrop;
		break;
	}
	fclose(f);
}
