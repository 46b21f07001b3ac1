/*
 * acceptall.c: the benchmark's baseline.  An NFQUEUE listener bound exactly
 * like nvd's (src/nfq.c): whole-packet copy, NFQA_CFG_F_GSO,
 * NFQA_CFG_F_FAIL_OPEN, queue maxlen 8192, a 16 MiB receive buffer forced
 * with SO_RCVBUFFORCE, NETLINK_NO_ENOBUFS, recvmmsg batches of 32.  It
 * inspects nothing: every batch is answered with one NFQNL_MSG_VERDICT_BATCH
 * accept of its highest packet id.  What bench/run measures between this
 * and nvd is the cost of nvd's own work, not of NFQUEUE.
 *
 * usage: acceptall [-r] [-t TABLE] [-i IFNAME[*]]... QUEUE_FIRST QUEUE_COUNT
 *
 * One thread per queue.  With -r it also installs the steering table nvd
 * would install for the same queues and interfaces (nft_install() of
 * src/nft.c, so the layout is nvd's own), after the queues are bound, and
 * removes it on exit.  Runs until SIGTERM or SIGINT, then prints what each
 * queue saw on stderr.  "acceptall: ready" on stderr means packets flow.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#ifdef ACCEPTALL_LIBNVD
#include "base/conf.h"
#include "kernel/nft.h"
#endif

/* The same numbers as src/nfq.c. */
#define AA_BATCH	32
#define AA_COPY_RANGE	0xffff
#define AA_SLOT		(AA_COPY_RANGE + 1024)
#define AA_RCVBUF	(16 << 20)
#define AA_MAXLEN	8192
#define AA_MAX_QUEUES	64
#define AA_MAX_STEER	32

struct aa_queue {
	uint16_t num;
	struct mnl_socket *nl;
	pthread_t thread;
	uint8_t *slots;			/* AA_BATCH * AA_SLOT */
	struct mmsghdr msgs[AA_BATCH];
	struct iovec iov[AA_BATCH];
	/* Written by the queue's thread, read by main after the join. */
	unsigned long long packets, bytes, batches, verdict_errors, recv_errors;
};

static int stop;

static void
usage(FILE *f)
{
	fprintf(f, "usage: acceptall [-r] [-t TABLE] [-i IFNAME[*]]... QUEUE_FIRST QUEUE_COUNT\n"
	    "  binds queues QUEUE_FIRST.. (one thread each) and accepts every packet;\n"
	    "  -r installs nvd's steering table (default name \"acceptall\", interface\n"
	    "     br0) for those queues and removes it on exit\n");
}

static int
send_verdict(struct aa_queue *q, uint16_t type, uint32_t id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, type, q->num);

	nfq_nlmsg_verdict_put(nlh, (int)id, NF_ACCEPT);
	return mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

/* Packet id of one queued-packet message, or 0 when it is something else. */
static uint32_t
packet_id(const struct nlmsghdr *nlh, unsigned long long *bytes)
{
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	const struct nfqnl_msg_packet_hdr *ph;

	if ((nlh->nlmsg_type & 0xff) != NFQNL_MSG_PACKET ||
	    nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL ||
	    mnl_attr_get_payload_len(attr[NFQA_PACKET_HDR]) < sizeof(*ph))
		return 0;
	if (attr[NFQA_PAYLOAD])
		*bytes += mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	return ntohl(ph->packet_id);
}

/* Bind, copy mode, maxlen and flags in one message and one ack, as nvd. */
static int
queue_config(struct aa_queue *q)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t flags = NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN, seq = 1;
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->num);
	unsigned long long ignored = 0;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, AA_COPY_RANGE);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, AA_MAXLEN);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		int n = (int)mnl_socket_recvfrom(q->nl, q->slots, AA_SLOT);
		const struct nlmsghdr *h = (const struct nlmsghdr *)q->slots;

		if (n < 0)
			return -1;
		for (; mnl_nlmsg_ok(h, n); h = mnl_nlmsg_next(h, &n)) {
			uint32_t id;

			if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_seq == seq) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

				errno = -e->error;
				return e->error ? -1 : 0;
			}
			/* Traffic already steered here before the ack. */
			if ((id = packet_id(h, &ignored)) != 0)
				send_verdict(q, NFQNL_MSG_VERDICT, id);
		}
	}
}

static int
queue_open(struct aa_queue *q, uint16_t num)
{
	int one = 1, rcvbuf = AA_RCVBUF, fd;
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };

	q->num = num;
	if ((q->slots = malloc((size_t)AA_BATCH * AA_SLOT)) == NULL)
		return -1;
	if ((q->nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL ||
	    mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	fd = mnl_socket_get_fd(q->nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	/* Wakes the thread up to see the stop flag. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (queue_config(q) < 0)
		return -1;
	for (int i = 0; i < AA_BATCH; i++) {
		q->iov[i].iov_base = q->slots + (size_t)i * AA_SLOT;
		q->iov[i].iov_len = AA_SLOT;
		q->msgs[i].msg_hdr.msg_iov = &q->iov[i];
		q->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

static void *
queue_run(void *arg)
{
	struct aa_queue *q = arg;
	int fd = mnl_socket_get_fd(q->nl);

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		int n = recvmmsg(fd, q->msgs, AA_BATCH, MSG_WAITFORONE, NULL);
		uint32_t high = 0;
		int any = 0;

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				q->recv_errors++;
			continue;
		}
		for (int i = 0; i < n; i++) {
			int len = (int)q->msgs[i].msg_len;
			const struct nlmsghdr *nlh = q->iov[i].iov_base;

			for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
				uint32_t id = packet_id(nlh, &q->bytes);

				if (id == 0)
					continue;
				q->packets++;
				/* Ids grow by one per packet, modulo 2^32. */
				if (!any || (int32_t)(id - high) > 0)
					high = id;
				any = 1;
			}
		}
		if (!any)
			continue;
		q->batches++;
		/* One message accepts every id up to high. */
		if (send_verdict(q, NFQNL_MSG_VERDICT_BATCH, high) < 0)
			q->verdict_errors++;
	}
	return NULL;
}

/* What the kernel counted for queue num (/proc/net/netfilter/nfnetlink_queue). */
static void
kernel_drops(uint16_t num, unsigned long long *qdrop, unsigned long long *udrop)
{
	FILE *f = fopen("/proc/net/netfilter/nfnetlink_queue", "r");
	unsigned qn, portid, mode, range, one;
	unsigned long long total, qd, ud, idseq;

	*qdrop = *udrop = 0;
	if (f == NULL)
		return;
	while (fscanf(f, "%u %u %llu %u %u %llu %llu %llu %u", &qn, &portid, &total, &mode,
	    &range, &qd, &ud, &idseq, &one) == 9) {
		if (qn == num) {
			*qdrop = qd;
			*udrop = ud;
			break;
		}
	}
	fclose(f);
}

static void
report(const struct aa_queue *q)
{
	unsigned long long qdrop, udrop;

	kernel_drops(q->num, &qdrop, &udrop);
	fprintf(stderr, "acceptall: queue %u: packets %llu bytes %llu batches %llu "
	    "(%.1f per batch) verdict_errors %llu recv_errors %llu "
	    "queue_dropped %llu user_dropped %llu\n",
	    q->num, q->packets, q->bytes, q->batches,
	    q->batches ? (double)q->packets / (double)q->batches : 0.0,
	    q->verdict_errors, q->recv_errors, qdrop, udrop);
}

static int
parse_queue(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return (errno || end == s || *end || *out < min || *out > max) ? -1 : 0;
}

int
main(int argc, char **argv)
{
	static struct aa_queue queues[AA_MAX_QUEUES];
	const char *table = "acceptall", *steer[AA_MAX_STEER];
	int nsteer = 0, rules = 0, installed = 0, nq, ch, sig, rc = 1;
	long first, count;
	sigset_t mask;

	while ((ch = getopt(argc, argv, "rt:i:h")) != -1) {
		switch (ch) {
		case 'r':
			rules = 1;
			break;
		case 't':
			table = optarg;
			break;
		case 'i':
			/* An interface name has at most 15 bytes, plus '*' for a glob. */
			if (nsteer == AA_MAX_STEER || strlen(optarg) == 0 ||
			    strlen(optarg) - (optarg[strlen(optarg) - 1] == '*') > 15) {
				fprintf(stderr, "acceptall: bad or too many -i: %s\n", optarg);
				return 2;
			}
			steer[nsteer++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
#ifndef ACCEPTALL_LIBNVD
	/* Checked first: bench/run probes for it with "acceptall -r". */
	if (rules) {
		fprintf(stderr, "acceptall: -r needs a build linked with src/libnvd.a "
		    "(-DACCEPTALL_LIBNVD); see bench/README\n");
		return 2;
	}
#endif
	if (argc - optind != 2 || parse_queue(argv[optind], 0, 65535, &first) < 0 ||
	    parse_queue(argv[optind + 1], 1, AA_MAX_QUEUES, &count) < 0 || first + count > 65536) {
		usage(stderr);
		return 2;
	}
	if (nsteer == 0)
		steer[nsteer++] = "br0";

	/* Only main takes the signals; the queue threads inherit the mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);

	nq = (int)count;
	for (int i = 0; i < nq; i++) {
		if (queue_open(&queues[i], (uint16_t)(first + i)) < 0) {
			fprintf(stderr, "acceptall: queue %ld: %s%s\n", first + i, strerror(errno),
			    errno == EBUSY ? " (bound by another program)" : "");
			goto out;
		}
	}
	for (int i = 0; i < nq; i++) {
		if ((errno = pthread_create(&queues[i].thread, NULL, queue_run, &queues[i])) != 0) {
			fprintf(stderr, "acceptall: thread: %s\n", strerror(errno));
			nq = i;
			goto out_threads;
		}
	}
#ifdef ACCEPTALL_LIBNVD
	if (rules) {
		/* The queues are bound: steering into them now loses nothing. */
		struct conf c;

		conf_defaults(&c);
		c.queue_first = (uint16_t)first;
		c.queue_count = (uint16_t)count;
		c.fail_mode = FAIL_OPEN;
		snprintf(c.nft_table, sizeof(c.nft_table), "%s", table);
		c.nsteer = nsteer;
		for (int i = 0; i < nsteer; i++) {
			size_t n = strlen(steer[i]);

			c.steer[i].glob = steer[i][n - 1] == '*';
			memset(c.steer[i].name, 0, sizeof(c.steer[i].name));
			memcpy(c.steer[i].name, steer[i], n - (size_t)c.steer[i].glob);
		}
		if (nft_install(&c, NULL) < 0)
			goto out_threads;
		installed = 1;
	}
#else
	(void)table;
	(void)steer;
#endif
	fprintf(stderr, "acceptall: ready: queues %ld-%ld%s\n", first, first + count - 1,
	    rules ? ", steering installed" : "");
	if (sigwait(&mask, &sig) == 0)
		rc = 0;
out_threads:
#ifdef ACCEPTALL_LIBNVD
	if (installed)
		nft_remove(table);
#else
	(void)installed;
#endif
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nq; i++)
		pthread_join(queues[i].thread, NULL);
	for (int i = 0; i < nq; i++)
		report(&queues[i]);
out:
	for (int i = 0; i < (int)count; i++) {
		if (queues[i].nl)
			mnl_socket_close(queues[i].nl);
		free(queues[i].slots);
	}
	return rc;
}
