/*
 * ct.c: clearing conntrack mark bits with ctnetlink (libmnl): one dump of
 * the entries whose mark matches, filtered by the kernel, and for each an
 * update that names the entry by its original tuple (and zone) and clears
 * the bits with CTA_MARK_MASK, so that bits others set meanwhile stay.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "kernel/ct.h"

#define CT_RECV_BUF	65536	/* a dump message is at most a few pages */
#define CT_SEND_BUF	32768	/* updates sent at once */
#define CT_UPDATE_MAX	512	/* one update: headers, tuple, zone, mark */
#define CT_ACK_BUF	8192	/* one ack or error per datagram */
#define CT_UP_RCVBUF	(1 << 20)	/* the acks of CT_SEND_BUF of updates */

struct ct_sweep {
	uint32_t mask, value, clear;
	struct mnl_socket *up;		/* updates, apart from the dump */
	uint8_t *sbuf, *rbuf, *abuf;	/* updates, dump, acks */
	size_t off;
	unsigned pending;		/* updates sent whose ack is due */
	uint32_t seq;
	long changed;
	int err;			/* first error other than ENOENT */
};

static struct mnl_socket *
ct_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct timeval tv = { .tv_sec = 5 };
	int e;

	if (nl == NULL)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		e = errno;
		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return nl;
}

static struct nlmsghdr *
ct_msg(void *buf, uint8_t type, uint16_t flags, uint32_t seq, uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = 0;
	return nlh;
}

/* Sends the queued updates and reads one ack (or error) for each. */
static int
ct_flush(struct ct_sweep *s)
{
	if (s->off == 0)
		return 0;
	if (mnl_socket_sendto(s->up, s->sbuf, s->off) < 0)
		return -1;
	s->off = 0;
	while (s->pending > 0) {
		ssize_t n = mnl_socket_recvfrom(s->up, s->abuf, CT_ACK_BUF);
		const struct nlmsghdr *h = (const struct nlmsghdr *)s->abuf;
		int len = (int)n;

		if (n < 0)
			return -1;
		for (; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
			int e;

			if (h->nlmsg_type != NLMSG_ERROR || s->pending == 0)
				continue;
			s->pending--;
			e = -((const struct nlmsgerr *)mnl_nlmsg_get_payload(h))->error;
			if (e == 0)
				s->changed++;
			else if (e != ENOENT && s->err == 0)	/* ENOENT: gone meanwhile */
				s->err = e;
		}
	}
	return 0;
}

static int
attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, CTA_MAX) > 0)
		tb[type] = a;
	return MNL_CB_OK;
}

/* One entry of the dump: queue its update if its mark matches. */
static int
entry_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ct_sweep *s = data;
	const struct nlattr *tb[CTA_MAX + 1] = { 0 };
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	struct nlmsghdr *u;
	uint32_t mark;

	if (mnl_attr_parse(nlh, sizeof(*g), attr_cb, tb) < 0 || tb[CTA_TUPLE_ORIG] == NULL ||
	    tb[CTA_MARK] == NULL || mnl_attr_validate(tb[CTA_MARK], MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	mark = ntohl(mnl_attr_get_u32(tb[CTA_MARK]));
	/* The kernel filtered already; an old one may not have. */
	if ((mark & s->mask) != s->value)
		return MNL_CB_OK;
	if (mnl_attr_get_payload_len(tb[CTA_TUPLE_ORIG]) > CT_UPDATE_MAX - 128)
		return MNL_CB_OK;
	if (s->off + CT_UPDATE_MAX > CT_SEND_BUF && ct_flush(s) < 0)
		return MNL_CB_ERROR;
	u = ct_msg(s->sbuf + s->off, IPCTNL_MSG_CT_NEW, NLM_F_ACK, ++s->seq, g->nfgen_family);
	mnl_attr_put(u, CTA_TUPLE_ORIG | NLA_F_NESTED, mnl_attr_get_payload_len(tb[CTA_TUPLE_ORIG]),
	    mnl_attr_get_payload(tb[CTA_TUPLE_ORIG]));
	if (tb[CTA_ZONE] && mnl_attr_validate(tb[CTA_ZONE], MNL_TYPE_U16) == 0)
		mnl_attr_put_u16(u, CTA_ZONE, mnl_attr_get_u16(tb[CTA_ZONE]));
	/* new mark = (mark & ~CTA_MARK_MASK) ^ CTA_MARK */
	mnl_attr_put_u32(u, CTA_MARK, 0);
	mnl_attr_put_u32(u, CTA_MARK_MASK, htonl(s->clear));
	s->off += u->nlmsg_len;
	s->pending++;
	return MNL_CB_OK;
}

static int
ct_dump(struct ct_sweep *s, struct mnl_socket *nl)
{
	uint32_t seq = 1, portid = mnl_socket_get_portid(nl);
	struct nlmsghdr *nlh = ct_msg(s->rbuf, IPCTNL_MSG_CT_GET, NLM_F_DUMP, seq, AF_UNSPEC);
	int rc;

	mnl_attr_put_u32(nlh, CTA_MARK, htonl(s->value));
	mnl_attr_put_u32(nlh, CTA_MARK_MASK, htonl(s->mask));
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		ssize_t n = mnl_socket_recvfrom(nl, s->rbuf, CT_RECV_BUF);

		if (n < 0)
			return -1;
		rc = mnl_cb_run(s->rbuf, (size_t)n, seq, portid, entry_cb, s);
	} while (rc > MNL_CB_STOP);
	return rc < 0 ? -1 : 0;
}

long
ct_mark_clear(uint32_t mask, uint32_t value, uint32_t clear)
{
	struct ct_sweep s = { .mask = mask, .value = value, .clear = clear };
	struct mnl_socket *nl = NULL;
	long rc = -1;
	int e = 0, one = 1, rcvbuf = CT_UP_RCVBUF;

	if ((s.sbuf = malloc(CT_SEND_BUF)) == NULL || (s.rbuf = malloc(CT_RECV_BUF)) == NULL ||
	    (s.abuf = malloc(CT_ACK_BUF)) == NULL)
		goto out;
	if ((nl = ct_open()) == NULL || (s.up = ct_open()) == NULL)
		goto out;
	/* Room for every ack of a full send buffer; errors without a copy
	 * of the request. */
	if (setsockopt(mnl_socket_get_fd(s.up), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) < 0)
		setsockopt(mnl_socket_get_fd(s.up), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(mnl_socket_get_fd(s.up), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (ct_dump(&s, nl) < 0 || ct_flush(&s) < 0)
		goto out;
	if (s.err) {
		errno = s.err;
		goto out;
	}
	rc = s.changed;
out:
	e = errno;
	if (nl)
		mnl_socket_close(nl);
	if (s.up)
		mnl_socket_close(s.up);
	free(s.sbuf);
	free(s.rbuf);
	free(s.abuf);
	errno = e;
	return rc;
}
