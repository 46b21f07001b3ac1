#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "packet/flow.h"
#include "base/types.h"

#define FLOW_CHUNK	4096
#define BYPASSED_TCP_S	1800	/* a TCP connection the kernel carries, kept */
#define BYPASSED_S	120	/* ... any other flow */
#define MAX_BUCKETS	(1u << 22)

struct flow_chunk {
	struct flow_chunk *next;
	struct flow flows[FLOW_CHUNK];
};

int
flow_table_init(struct flow_table *ft, uint64_t max, uint64_t seed)
{
	uint32_t n = 1024;

	memset(ft, 0, sizeof(*ft));
	while (n < max && n < MAX_BUCKETS)
		n <<= 1;
	ft->buckets = calloc(n, sizeof(*ft->buckets));
	if (ft->buckets == NULL)
		return -1;
	ft->mask = n - 1;
	ft->seed = seed;
	ft->max = max;
	for (int i = 0; i < FLOW_TIMEOUTS; i++)
		ft->lru[i].lru_next = ft->lru[i].lru_prev = &ft->lru[i];
	return 0;
}

void
flow_table_destroy(struct flow_table *ft)
{
	struct flow_chunk *c, *n;
	struct flow *f;

	for (int i = 0; i < FLOW_TIMEOUTS; i++)
		for (f = ft->lru[i].lru_next; f && f != &ft->lru[i]; f = f->lru_next) {
			if (ft->on_end)
				ft->on_end(ft->end_ctx, f);
			reasm_free(&f->rs[0]);
			reasm_free(&f->rs[1]);
		}
	for (c = ft->chunks; c; c = n) {
		n = c->next;
		free(c);
	}
	free(ft->buckets);
	memset(ft, 0, sizeof(*ft));
}

static int
side_cmp(const struct packet *p)
{
	int c = memcmp(p->src, p->dst, p->addr_len);

	if (c == 0)
		c = (p->sport > p->dport) - (p->sport < p->dport);
	return c;
}

int
flow_key_make(struct flow_key *key, const struct packet *p)
{
	int src = side_cmp(p) <= 0 ? 0 : 1;

	memset(key, 0, sizeof(*key));
	memcpy(key->addr[src], p->src, p->addr_len);
	memcpy(key->addr[!src], p->dst, p->addr_len);
	key->port[src] = p->sport;
	key->port[!src] = p->dport;
	key->proto = p->proto;
	key->family = p->family;
	return src;
}

/* A keyed 64-bit mix over the key's words: cheap, and the random seed keeps
 * a sender from choosing tuples that all land in one bucket. */
static inline uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v * 0x9e3779b97f4a7c15ull;
	h = (h << 31 | h >> 33) * 0xbf58476d1ce4e5b9ull;
	return h;
}

uint32_t
flow_hash(const struct flow_table *ft, const struct flow_key *key)
{
	uint64_t w[sizeof(*key) / 8];
	uint64_t h = ft->seed;

	memcpy(w, key, sizeof(w));
	for (size_t i = 0; i < sizeof(w) / 8; i++)
		h = mix(h, w[i]);
	h ^= h >> 29;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 32;
	return (uint32_t)h;
}

struct flow *
flow_lookup(struct flow_table *ft, const struct flow_key *key, uint32_t hash)
{
	struct flow *f;

	for (f = ft->buckets[hash & ft->mask]; f; f = f->hnext)
		if (f->hash == hash && memcmp(&f->key, key, sizeof(*key)) == 0)
			return f;
	return NULL;
}

static void
lru_unlink(struct flow *f)
{
	f->lru_prev->lru_next = f->lru_next;
	f->lru_next->lru_prev = f->lru_prev;
}

static void
lru_push(struct flow *head, struct flow *f)
{
	f->lru_next = head->lru_next;
	f->lru_prev = head;
	head->lru_next->lru_prev = f;
	head->lru_next = f;
}

/* Each list's timeout, shortest first (flow_timeout_ms() gives these). */
static const uint64_t timeout_ms[FLOW_TIMEOUTS] = {
	10000, 30000, 60000, 120000, BYPASSED_TCP_S * 1000, 3600000
};

/* The list of the shortest timeout not below f's. */
static int
timeout_list(const struct flow *f)
{
	uint64_t t = flow_timeout_ms(f);
	int i = 0;

	while (i < FLOW_TIMEOUTS - 1 && timeout_ms[i] < t)
		i++;
	return i;
}

void
flow_touch(struct flow_table *ft, struct flow *f, uint64_t now_ms)
{
	struct flow *head = &ft->lru[timeout_list(f)];

	f->last_ms = now_ms;
	if (head->lru_next != f) {
		lru_unlink(f);
		lru_push(head, f);
	}
}

struct flow *
flow_oldest(struct flow_table *ft)
{
	struct flow *oldest = NULL;

	for (int i = 0; i < FLOW_TIMEOUTS; i++) {
		struct flow *f = ft->lru[i].lru_prev;

		if (f != &ft->lru[i] && (oldest == NULL || f->last_ms < oldest->last_ms))
			oldest = f;
	}
	return oldest;
}

void
flow_remove(struct flow_table *ft, struct flow *f)
{
	struct flow **pp = &ft->buckets[f->hash & ft->mask];

	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	lru_unlink(f);
	if (ft->on_end)
		ft->on_end(ft->end_ctx, f);
	reasm_free(&f->rs[0]);
	reasm_free(&f->rs[1]);
	f->hnext = ft->free_list;
	ft->free_list = f;
	ft->st.active--;
}

static struct flow *
pool_get(struct flow_table *ft)
{
	struct flow *f = ft->free_list;

	if (f) {
		ft->free_list = f->hnext;
		return f;
	}
	if (ft->allocated < ft->max) {
		struct flow_chunk *c = malloc(sizeof(*c));
		uint64_t n = ft->max - ft->allocated;

		if (c == NULL)
			return NULL;
		if (n > FLOW_CHUNK)
			n = FLOW_CHUNK;
		c->next = ft->chunks;
		ft->chunks = c;
		ft->allocated += n;
		for (uint64_t i = n; i-- > 1;) {
			c->flows[i].hnext = ft->free_list;
			ft->free_list = &c->flows[i];
		}
		return &c->flows[0];
	}
	return NULL;
}

struct flow *
flow_create(struct flow_table *ft, const struct flow_key *key, uint32_t hash, int client,
    uint64_t now_ms)
{
	struct flow *f;

	if (ft->st.active >= ft->max && ft->st.active > 0) {
		flow_remove(ft, flow_oldest(ft));
		ft->st.evicted++;
	}
	if ((f = pool_get(ft)) == NULL) {
		ft->st.pool_exhausted++;
		return NULL;
	}
	memset(f, 0, sizeof(*f));
	f->key = *key;
	f->hash = hash;
	f->client = (uint8_t)client;
	f->first_ms = f->last_ms = now_ms;
	f->hnext = ft->buckets[hash & ft->mask];
	ft->buckets[hash & ft->mask] = f;
	lru_push(&ft->lru[timeout_list(f)], f);
	ft->st.active++;
	ft->st.created++;
	return f;
}

/* Timeouts in seconds, close to conntrack's for the short states. */
uint64_t
flow_timeout_ms(const struct flow *f)
{
	uint64_t s;

	/*
	 * The kernel has the flow now and nvd sees none of its packets, nor
	 * its end.  Keep it a while all the same: one that comes back after
	 * a policy change (live.h) is judged again with its application; one
	 * forgotten comes back as joined mid-stream, which cannot be judged
	 * where its rule needs the application (doubt.h).  The flow table's
	 * bound (max_flows, least recently seen first) caps what this holds.
	 */
	if ((f->flags & FLOW_F_BYPASSED) && f->tcp_state < TCPS_FIN_WAIT)
		return (f->key.proto == IPPROTO_TCP ? BYPASSED_TCP_S : BYPASSED_S) * 1000;
	switch (f->key.proto) {
	case IPPROTO_TCP:
		switch (f->tcp_state) {
		case TCPS_ESTABLISHED: s = 3600; break;
		case TCPS_FIN_WAIT: s = 120; break;
		case TCPS_CLOSING: case TCPS_CLOSED: s = 10; break;
		default: s = 60; break;
		}
		break;
	case IPPROTO_UDP:
		s = (f->flags & FLOW_F_REPLIED) ? 120 : 30;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		s = 30;
		break;
	default:
		s = 60;
	}
	return s * 1000;
}

unsigned
flow_expire(struct flow_table *ft, uint64_t now_ms, unsigned budget)
{
	unsigned n = 0;

	for (int i = 0; i < FLOW_TIMEOUTS; i++) {
		struct flow *head = &ft->lru[i], *f;

		/* Oldest first; a flow filed here times out by timeout_ms[i] at
		 * the latest, so the first one not expired ends the list's walk. */
		while ((f = head->lru_prev) != head && n < budget &&
		    f->last_ms + flow_timeout_ms(f) <= now_ms) {
			flow_remove(ft, f);
			ft->st.timed_out++;
			n++;
		}
	}
	return n;
}

void
flow_tcp_track(struct flow *f, int dir, uint8_t flags)
{
	if (flags & TCP_RST) {
		f->tcp_state = TCPS_CLOSED;
		return;
	}
	switch (f->tcp_state) {
	case TCPS_NONE:
		if ((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
			f->tcp_state = TCPS_SYN_SENT;
		else
			f->tcp_state = TCPS_ESTABLISHED;	/* mid-stream */
		break;
	case TCPS_SYN_SENT:
		if (dir == DIR_TO_CLIENT && (flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
			f->tcp_state = TCPS_SYN_RECV;
		break;
	case TCPS_SYN_RECV:
		if (dir == DIR_TO_SERVER && (flags & TCP_ACK) && !(flags & TCP_SYN))
			f->tcp_state = TCPS_ESTABLISHED;
		break;
	case TCPS_ESTABLISHED:
		break;
	case TCPS_FIN_WAIT:
	case TCPS_CLOSING:
	case TCPS_CLOSED:
		break;
	}
	if (flags & TCP_FIN) {
		if (f->tcp_state == TCPS_FIN_WAIT && f->rs[!dir].fin)
			f->tcp_state = TCPS_CLOSING;
		else if (f->tcp_state < TCPS_FIN_WAIT)
			f->tcp_state = TCPS_FIN_WAIT;
	}
}

static const char *const tcp_state_names[] = {
	"none", "syn_sent", "syn_recv", "established", "fin_wait", "closing", "closed",
};

const char *
flow_tcp_state_name(int s)
{
	return (unsigned)s < sizeof(tcp_state_names) / sizeof(tcp_state_names[0]) ?
	    tcp_state_names[s] : "?";
}
