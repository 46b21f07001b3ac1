/*
 * link.c: the ports of another network namespace's interfaces (link.h),
 * through rtnetlink with libmnl: one socket, one request at a time.
 */
#include "config.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "kernel/link.h"

#define LINK_RECV_BUF	32768	/* a dump datagram is at most a few pages */

struct link_nl {
	struct mnl_socket *nl;
	uint32_t portid, seq;
};

/* What one RTM_NEWLINK says. */
struct link_info {
	int ifindex;
	int has_mac;
	uint8_t mac[6];
	int link;		/* IFLA_LINK, 0 if absent */
	int has_netnsid;
	int32_t netnsid;	/* IFLA_LINK_NETNSID */
};

struct dump_ctx {
	struct link_peer *out;
	int max, n;
};

static int
link_open(struct link_nl *l)
{
	struct timeval tv = { .tv_sec = 2 };

	if ((l->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL)
		return -1;
	if (mnl_socket_bind(l->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(l->nl);
		errno = e;
		return -1;
	}
	setsockopt(mnl_socket_get_fd(l->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	l->portid = mnl_socket_get_portid(l->nl);
	l->seq = 1;
	return 0;
}

static struct nlmsghdr *
link_msg(struct link_nl *l, void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++l->seq;
	return nlh;
}

/*
 * Sends nlh and hands each answer to cb until the dump is done or the
 * request acknowledged.  0, or -1 with errno (the kernel's error).
 */
static int
link_talk(struct link_nl *l, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[LINK_RECV_BUF];
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(l->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		if ((n = mnl_socket_recvfrom(l->nl, buf, sizeof(buf))) < 0)
			return -1;
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, l->portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -1 : 0;
}

static int
nsid_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NETNSA_NSID && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		*(int32_t *)data = (int32_t)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int
nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWNSID)
		mnl_attr_parse(nlh, sizeof(struct rtgenmsg), nsid_attr, data);
	return MNL_CB_OK;
}

/* RTM_GETNSID, or RTM_NEWNSID (id -1: the kernel's choice) for pid's namespace. */
static int
nsid_request(struct link_nl *l, uint16_t type, int pid, int32_t *nsid)
{
	char buf[256];
	struct nlmsghdr *nlh = link_msg(l, buf, type, NLM_F_ACK);
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_PID, (uint32_t)pid);
	if (type == RTM_NEWNSID)
		mnl_attr_put_u32(nlh, NETNSA_NSID, (uint32_t)-1);
	return link_talk(l, nlh, nsid_cb, nsid);
}

/* The id of pid's network namespace here, given one if it has none. */
static int
nsid_of(struct link_nl *l, int pid, int32_t *nsid)
{
	*nsid = NETNSA_NSID_NOT_ASSIGNED;
	if (nsid_request(l, RTM_GETNSID, pid, nsid) < 0)
		return -1;
	if (*nsid >= 0)
		return 0;
	if (nsid_request(l, RTM_NEWNSID, pid, nsid) < 0 && errno != EEXIST)
		return -1;
	if (nsid_request(l, RTM_GETNSID, pid, nsid) < 0)
		return -1;
	if (*nsid < 0) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

static int
info_attr(const struct nlattr *a, void *data)
{
	struct link_info *li = data;

	switch (mnl_attr_get_type(a)) {
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(a) == sizeof(li->mac)) {
			memcpy(li->mac, mnl_attr_get_payload(a), sizeof(li->mac));
			li->has_mac = 1;
		}
		break;
	case IFLA_LINK:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			li->link = (int)mnl_attr_get_u32(a);
		break;
	case IFLA_LINK_NETNSID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			li->netnsid = (int32_t)mnl_attr_get_u32(a);
			li->has_netnsid = 1;
		}
		break;
	}
	return MNL_CB_OK;
}

static void
info_parse(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	memset(li, 0, sizeof(*li));
	if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return;
	li->ifindex = ifi->ifi_index;
	mnl_attr_parse(nlh, sizeof(*ifi), info_attr, li);
}

/* Every interface over there with a peer in another namespace. */
static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct link_info li;

	info_parse(nlh, &li);
	if (li.ifindex <= 0 || !li.has_mac || li.link <= 0 || !li.has_netnsid || d->n == d->max)
		return MNL_CB_OK;
	memcpy(d->out[d->n].mac, li.mac, sizeof(li.mac));
	d->out[d->n].ifindex = li.ifindex;
	d->out[d->n].peer = li.link;
	d->n++;
	return MNL_CB_OK;
}

static int
one_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info li;

	info_parse(nlh, &li);
	if (li.ifindex > 0)
		*(struct link_info *)data = li;
	return MNL_CB_OK;
}

/* Whether interface peer here is paired with ifindex of namespace nsid. */
static int
peer_checks(struct link_nl *l, int peer, int ifindex, int32_t nsid)
{
	char buf[256];
	struct nlmsghdr *nlh = link_msg(l, buf, RTM_GETLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct link_info li = { 0 };

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = peer;
	if (link_talk(l, nlh, one_cb, &li) < 0)
		return 0;	/* not here (ENODEV) */
	return li.ifindex == peer && li.link == ifindex && li.has_netnsid && li.netnsid == nsid;
}

int
link_peers(int pid, struct link_peer *out, int max, char *err, size_t errlen)
{
	struct link_nl l;
	struct dump_ctx d = { out, max, 0 };
	char buf[256];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int32_t nsid;
	int n = 0;

	if (pid <= 0) {
		snprintf(err, errlen, "pid %d: no process", pid);
		return -1;
	}
	if (link_open(&l) < 0) {
		snprintf(err, errlen, "rtnetlink: %s", strerror(errno));
		return -1;
	}
	if (nsid_of(&l, pid, &nsid) < 0) {
		snprintf(err, errlen, "pid %d: %s", pid, errno == ESRCH ? "no such process" :
		    strerror(errno));
		goto fail;
	}
	nlh = link_msg(&l, buf, RTM_GETLINK, NLM_F_DUMP);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, (uint32_t)nsid);
	if (link_talk(&l, nlh, dump_cb, &d) < 0) {
		snprintf(err, errlen, "pid %d: links: %s", pid, strerror(errno));
		goto fail;
	}
	for (int i = 0; i < d.n; i++)
		if (peer_checks(&l, out[i].peer, out[i].ifindex, nsid))
			out[n++] = out[i];
	mnl_socket_close(l.nl);
	return n;
fail:
	mnl_socket_close(l.nl);
	return -1;
}
