/*
 * crs_stage.c: sensor.crs in the packet path (crs_stage.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/clock.h"
#include "http/http.h"
#include "packet/crs_stage.h"
#include "packet/rst.h"

/* A held packet: its queue token, the verdict it goes with, and what a
 * reset needs of it. */
struct held {
	struct held *next;
	uint64_t token;
	uint64_t since;			/* ms */
	uint32_t wait;			/* goes once every job up to this one is done */
	uint8_t v;			/* enum verdict at its release */
	uint8_t family, addr_len, flags;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t seq, ack, plen;
};

/* f->crs: the request being read, the jobs in flight, the packets held. */
struct crs_flow {
	struct flow *f;			/* NULL once the flow left the table */
	struct crs_flow *bnext, *bprev;	/* in s->busy while jobs or packets wait */
	int on_busy;
	uint8_t client[16];		/* its client, for the quota */
	char caddr[48], saddr[48];
	uint16_t cport, sport;
	/* The request being read: method, target, header lines, then body. */
	uint8_t *req;
	size_t req_len, req_cap;
	uint32_t mem_units;		/* of s->mem_quota, for req_cap */
	size_t method_len, target_len, headers_len;
	int minor;
	int have_head, head_sent, body_over;
	int paranoia, threshold, deny, deny_set;
	/* Jobs: seq 1.. in submission order; done_upto and after it one bit
	 * each for those done out of order. */
	uint32_t next_seq, done_upto, inflight;
	uint32_t donebits;
	uint64_t sent_ms[CRS_FLOW_JOBS];
	uint8_t jdeny[CRS_FLOW_JOBS];	/* the job's assignment denies in protect */
	struct held *hq, *hq_tail;
	int nheld;
	int denied;
};

/* The free held entries, CRS_HELD_MAX of them, from one array. */
struct held_pool {
	struct held *free;
	struct held items[CRS_HELD_MAX];
};

static struct held_pool *
held_pool(struct crs_stage *s)
{
	return s->hp;
}

int
crs_stage_init(struct crs_stage *s)
{
	struct held_pool *hp;

	memset(s, 0, sizeof(*s));
	s->body_max = CRS_BODY_DEFAULT;
	s->deadline_ms = CRS_DEADLINE_DEFAULT;
	if (getrandom(&s->nonce, sizeof(s->nonce), 0) != sizeof(s->nonce))
		s->nonce = clock_mono_us() * 0x9e3779b97f4a7c15ull;
	if ((hp = calloc(1, sizeof(*hp))) == NULL)
		return -1;
	for (int i = CRS_HELD_MAX - 1; i >= 0; i--) {
		hp->items[i].next = hp->free;
		hp->free = &hp->items[i];
	}
	if (quota_init(&s->quota, CRS_JOBS_MAX, CRS_CLIENT_SHARE) < 0 ||
	    quota_init(&s->mem_quota, CRS_MEM_MAX / CRS_MEM_UNIT,
	    CRS_MEM_MAX / CRS_MEM_UNIT / 8) < 0 ||
	    quota_init(&s->held_quota, CRS_HELD_MAX, CRS_HELD_MAX / 8) < 0 ||
	    crs_done_init(&s->done) < 0) {
		quota_destroy(&s->quota);
		quota_destroy(&s->mem_quota);
		quota_destroy(&s->held_quota);
		free(hp);
		return -1;
	}
	s->hp = hp;
	s->done_up = 1;
	return 0;
}

/* --- the request being read ------------------------------------------------ */

static struct crs_flow *
flow_state(struct crs_stage *s, struct flow *f)
{
	struct crs_flow *cf = f->crs;

	if (cf != NULL)
		return cf;
	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		return NULL;
	cf->f = f;
	memcpy(cf->client, f->key.addr[f->client], 16);
	inet_ntop(f->key.family, f->key.addr[f->client], cf->caddr, sizeof(cf->caddr));
	inet_ntop(f->key.family, f->key.addr[!f->client], cf->saddr, sizeof(cf->saddr));
	cf->cport = f->key.port[f->client];
	cf->sport = f->key.port[!f->client];
	f->crs = cf;
	(void)s;
	return cf;
}

static void
req_free(struct crs_stage *s, struct crs_flow *cf)
{
	for (; cf->mem_units > 0; cf->mem_units--)
		quota_give(&s->mem_quota, cf->client);
	s->mem -= cf->req_cap;
	free(cf->req);
	cf->req = NULL;
	cf->req_len = cf->req_cap = 0;
	cf->have_head = cf->head_sent = cf->body_over = 0;
}

/* The client's units for cap bytes; -1 (none taken) past its share. */
static int
mem_take(struct crs_stage *s, struct crs_flow *cf, size_t cap)
{
	uint32_t need = (uint32_t)((cap + CRS_MEM_UNIT - 1) / CRS_MEM_UNIT), had = cf->mem_units;

	while (cf->mem_units < need)
		if (quota_take(&s->mem_quota, cf->client) < 0) {
			for (; cf->mem_units > had; cf->mem_units--)
				quota_give(&s->mem_quota, cf->client);
			return -1;
		} else
			cf->mem_units++;
	return 0;
}

/* Room for n more request bytes; -1 past the worker's memory bound or the
 * client's share of it. */
static int
req_room(struct crs_stage *s, struct crs_flow *cf, size_t n)
{
	size_t cap = cf->req_cap ? cf->req_cap : 1024;
	uint8_t *p;

	if (cf->req_len + n <= cf->req_cap)
		return 0;
	while (cap < cf->req_len + n)
		cap *= 2;
	if (s->mem - cf->req_cap + cap > CRS_MEM_MAX || mem_take(s, cf, cap) < 0)
		return -1;
	if ((p = realloc(cf->req, cap)) == NULL)
		return -1;	/* the units stay with req_cap's until req_free */
	s->mem += cap - cf->req_cap;
	cf->req = p;
	cf->req_cap = cap;
	return 0;
}

static void
doubt(struct crs_stage *s, struct crs_flow *cf, enum doubt d, int deny)
{
	if (cf->f && s->doubt)
		s->doubt(s->ctx, cf->f, d, deny);
}

void
crs_stage_head(struct crs_stage *s, struct flow *f, const struct http_head *h,
    int paranoia, int threshold, int deny, int deny_set)
{
	struct crs_flow *cf;

	if (s->pool == NULL || h->response)
		return;
	if ((cf = flow_state(s, f)) == NULL) {
		s->st.busy++;
		if (s->doubt)
			s->doubt(s->ctx, f, DOUBT_CRS_BUSY, deny);
		return;
	}
	req_free(s, cf);
	cf->paranoia = paranoia;
	cf->threshold = threshold;
	cf->deny = deny;
	cf->deny_set = deny_set;
	if (req_room(s, cf, h->method_len + h->target_len + h->headers_len) < 0) {
		s->st.busy++;
		doubt(s, cf, DOUBT_CRS_BUSY, deny);
		return;
	}
	memcpy(cf->req, h->method, h->method_len);
	memcpy(cf->req + h->method_len, h->target, h->target_len);
	memcpy(cf->req + h->method_len + h->target_len, h->headers, h->headers_len);
	cf->method_len = h->method_len;
	cf->target_len = h->target_len;
	cf->headers_len = h->headers_len;
	cf->req_len = h->method_len + h->target_len + h->headers_len;
	cf->minor = h->minor;
	cf->have_head = 1;
}

void
crs_stage_body(struct crs_stage *s, struct flow *f, const uint8_t *p, size_t n)
{
	struct crs_flow *cf = f->crs;
	size_t body, take;

	if (cf == NULL || !cf->have_head || n == 0)
		return;
	body = cf->req_len - cf->method_len - cf->target_len - cf->headers_len;
	take = body + n > s->body_max ? s->body_max - body : n;
	if (take < n && !cf->body_over) {
		cf->body_over = 1;
		s->st.body_over++;
		doubt(s, cf, DOUBT_CRS_BODY, cf->deny);
	}
	if (take == 0)
		return;
	if (req_room(s, cf, take) < 0) {
		if (!cf->body_over) {
			cf->body_over = 1;
			s->st.busy++;
			doubt(s, cf, DOUBT_CRS_BUSY, cf->deny);
		}
		return;
	}
	memcpy(cf->req + cf->req_len, p, take);
	cf->req_len += take;
}

/* --- jobs -------------------------------------------------------------------- */

static void
busy_add(struct crs_stage *s, struct crs_flow *cf)
{
	if (cf->on_busy)
		return;
	cf->on_busy = 1;
	cf->bprev = NULL;
	cf->bnext = s->busy;
	if (s->busy)
		s->busy->bprev = cf;
	s->busy = cf;
}

static void
busy_del(struct crs_stage *s, struct crs_flow *cf)
{
	if (!cf->on_busy)
		return;
	if (cf->bprev)
		cf->bprev->bnext = cf->bnext;
	else
		s->busy = cf->bnext;
	if (cf->bnext)
		cf->bnext->bprev = cf->bprev;
	cf->on_busy = 0;
}

/* The request read so far as a job (body: with its body). */
static void
submit(struct crs_stage *s, struct crs_flow *cf, int with_body)
{
	size_t n = with_body ? cf->req_len : cf->method_len + cf->target_len + cf->headers_len;
	size_t body = cf->req_len - cf->method_len - cf->target_len - cf->headers_len;
	struct crs_job *j;
	uint8_t *b;

	if (cf->inflight >= CRS_FLOW_JOBS || s->jobs >= CRS_JOBS_MAX ||
	    quota_take(&s->quota, cf->client) < 0) {
		s->st.busy++;
		doubt(s, cf, DOUBT_CRS_BUSY, cf->deny);
		return;
	}
	if ((j = crs_job_new(n)) == NULL) {
		quota_give(&s->quota, cf->client);
		s->st.busy++;
		doubt(s, cf, DOUBT_CRS_BUSY, cf->deny);
		return;
	}
	b = (uint8_t *)(j + 1);
	memcpy(b, cf->req, n);
	snprintf(j->rq.client, sizeof(j->rq.client), "%s", cf->caddr);
	snprintf(j->rq.server, sizeof(j->rq.server), "%s", cf->saddr);
	j->rq.client_port = cf->cport;
	j->rq.server_port = cf->sport;
	j->rq.method = b;
	j->rq.method_len = cf->method_len;
	j->rq.target = b + cf->method_len;
	j->rq.target_len = cf->target_len;
	j->rq.headers = b + cf->method_len + cf->target_len;
	j->rq.headers_len = cf->headers_len;
	j->rq.body = with_body && body ? b + n - body : NULL;
	j->rq.body_len = with_body ? body : 0;
	j->rq.minor = cf->minor;
	j->rq.paranoia = cf->paranoia;
	j->rq.threshold = cf->threshold;
	j->rq.nonce = s->nonce = s->nonce * 6364136223846793005ull + 1442695040888963407ull;
	j->queued_ms = s->now;
	j->done = &s->done;
	j->owner = cf;
	j->seq = cf->next_seq + 1;
	if (crs_pool_submit(s->pool, j) < 0) {
		crs_job_free(j);
		quota_give(&s->quota, cf->client);
		s->st.busy++;
		doubt(s, cf, DOUBT_CRS_BUSY, cf->deny);
		return;
	}
	cf->next_seq++;
	cf->sent_ms[cf->next_seq % CRS_FLOW_JOBS] = s->now;
	cf->jdeny[cf->next_seq % CRS_FLOW_JOBS] = (uint8_t)cf->deny;
	cf->inflight++;
	s->jobs++;
	busy_add(s, cf);
	if (with_body)
		s->st.requests++;
	else
		s->st.head_only++;
}

void
crs_stage_end(struct crs_stage *s, struct flow *f)
{
	struct crs_flow *cf = f->crs;

	if (cf == NULL || !cf->have_head)
		return;
	submit(s, cf, 1);
	req_free(s, cf);
}

void
crs_stage_feed_end(struct crs_stage *s, struct flow *f)
{
	struct crs_flow *cf = f->crs;

	if (cf == NULL || !cf->have_head || cf->head_sent)
		return;
	cf->head_sent = 1;
	submit(s, cf, 0);
}

/* --- held packets ------------------------------------------------------------ */

int
crs_stage_busy(const struct flow *f)
{
	return f->crs != NULL && (f->crs->inflight > 0 || f->crs->nheld > 0);
}

int
crs_stage_room(struct crs_stage *s, const struct flow *f)
{
	if (!crs_stage_busy(f) ||
	    (f->crs->nheld < CRS_FLOW_HELD && s->held < CRS_HELD_MAX &&
	    quota_held(&s->held_quota, f->crs->client) < CRS_HELD_MAX / 8))
		return 1;
	s->st.held_full++;
	return 0;
}

enum verdict
crs_stage_packet(struct crs_stage *s, struct flow *f, const struct packet *p, enum verdict v)
{
	struct crs_flow *cf = f->crs;
	struct held *h;

	if (v == VERDICT_DROP || !crs_stage_busy(f))
		return v;
	if (cf->nheld >= CRS_FLOW_HELD || s->token == 0 || (h = held_pool(s)->free) == NULL ||
	    quota_take(&s->held_quota, cf->client) < 0) {
		s->st.busy++;
		doubt(s, cf, DOUBT_CRS_BUSY, cf->deny);
		return cf->deny ? VERDICT_DROP : v == VERDICT_BYPASS ? VERDICT_ACCEPT : v;
	}
	held_pool(s)->free = h->next;
	h->next = NULL;
	h->token = s->token;
	h->since = s->now;
	h->wait = cf->next_seq;
	h->v = (uint8_t)(v == VERDICT_BYPASS ? VERDICT_ACCEPT : v);
	h->family = p->family;
	h->addr_len = p->addr_len;
	memcpy(h->src, p->src, p->addr_len);
	memcpy(h->dst, p->dst, p->addr_len);
	h->sport = p->sport;
	h->dport = p->dport;
	h->flags = p->tcp_flags;
	h->seq = p->seq;
	h->ack = p->ack;
	h->plen = (uint32_t)p->payload_len;
	if (cf->hq_tail)
		cf->hq_tail->next = h;
	else
		cf->hq = h;
	cf->hq_tail = h;
	cf->nheld++;
	s->held++;
	s->st.held++;
	busy_add(s, cf);
	return VERDICT_HOLD;
}

/* The first held packet of cf gets verdict v; returns how long it waited. */
static uint64_t
give(struct crs_stage *s, struct crs_flow *cf, enum verdict v)
{
	struct held *h = cf->hq;
	uint64_t waited = s->now - h->since;

	if ((cf->hq = h->next) == NULL)
		cf->hq_tail = NULL;
	cf->nheld--;
	s->held--;
	quota_give(&s->held_quota, cf->client);
	if (v == VERDICT_DROP)
		s->st.held_dropped++;
	if (s->late)
		s->late(s->late_ctx, h->token, v);
	h->next = held_pool(s)->free;
	held_pool(s)->free = h;
	return waited;
}

/* Releases the held packets whose jobs are all done, in order. */
static void
release(struct crs_stage *s, struct crs_flow *cf)
{
	while (cf->hq && cf->hq->wait <= cf->done_upto)
		give(s, cf, (enum verdict)cf->hq->v);
}

/* Resets both ends as of the first held packet, and drops every one. */
static void
deny_flow(struct crs_stage *s, struct crs_flow *cf)
{
	struct held *h = cf->hq;

	if (cf->f) {
		cf->f->flags |= FLOW_F_DENIED | FLOW_F_REPORTED;
		cf->f->deny_pending = 1;
	}
	if (!cf->denied)
		s->st.flows_denied++;
	cf->denied = 1;
	if (h && s->rst) {
		struct packet p;

		memset(&p, 0, sizeof(p));
		p.family = h->family;
		p.proto = IPPROTO_TCP;
		p.addr_len = h->addr_len;
		p.src = h->src;
		p.dst = h->dst;
		p.sport = h->sport;
		p.dport = h->dport;
		p.tcp_flags = h->flags;
		p.seq = h->seq;
		p.ack = h->ack;
		p.payload_len = h->plen;
		rst_send(s->rst, &p, 1);
	}
	while (cf->hq)
		give(s, cf, VERDICT_DROP);
	if (cf->f && s->dropped)
		s->dropped(s->dropped_ctx, cf->f);
}

/* Job seq of cf is done (result or not). */
static void
mark_done(struct crs_flow *cf, uint32_t seq)
{
	if (seq <= cf->done_upto || seq - cf->done_upto > 32)
		return;
	cf->donebits |= 1u << (seq - cf->done_upto - 1);
	while (cf->donebits & 1) {
		cf->donebits >>= 1;
		cf->done_upto++;
	}
}

static int
is_done(const struct crs_flow *cf, uint32_t seq)
{
	return seq <= cf->done_upto || (seq - cf->done_upto <= 32 &&
	    (cf->donebits >> (seq - cf->done_upto - 1) & 1));
}

static void
flow_free(struct crs_stage *s, struct crs_flow *cf)
{
	busy_del(s, cf);
	req_free(s, cf);
	free(cf);
}

/* cf has nothing in flight and nothing held: off the busy list (and
 * freed when its flow is gone). */
static void
settle(struct crs_stage *s, struct crs_flow *cf)
{
	if (cf->inflight > 0 || cf->nheld > 0)
		return;
	if (cf->f == NULL)
		flow_free(s, cf);
	else
		busy_del(s, cf);
}

static void
result(struct crs_stage *s, struct crs_job *j)
{
	struct crs_flow *cf = j->owner;
	int deny = cf->jdeny[j->seq % CRS_FLOW_JOBS];
	struct crs_verdict cv;

	cf->inflight--;
	s->jobs--;
	quota_give(&s->quota, cf->client);
	if (cf->f == NULL || is_done(cf, j->seq)) {
		settle(s, cf);	/* gone, or past its deadline already */
		return;
	}
	mark_done(cf, j->seq);
	if (j->failed) {
		s->st.busy++;
		doubt(s, cf, DOUBT_CRS_BUSY, deny);
		if (deny)
			deny_flow(s, cf);
	} else {
		s->st.results++;
		cv.res = &j->res;
		cv.paranoia = j->rq.paranoia;
		cv.threshold = j->rq.threshold;
		cv.deny = deny && j->res.denied;
		cv.deny_set = cf->deny_set;
		cv.wait_ms = s->now - j->queued_ms;
		if (cv.wait_ms > s->st.wait_ms_max)
			s->st.wait_ms_max = cv.wait_ms;
		s->st.wait_ms += cv.wait_ms;
		if (j->res.denied) {
			s->st.denied++;
			if (s->result)
				s->result(s->ctx, cf->f, &cv);
		}
		if (cv.deny)
			deny_flow(s, cf);
	}
	if (!cf->denied)
		release(s, cf);
	else
		while (cf->hq)
			give(s, cf, VERDICT_DROP);
	settle(s, cf);
}

/* Jobs of cf past the deadline: in doubt. */
static void
expire(struct crs_stage *s, struct crs_flow *cf)
{
	int deny = 0, any = 0;

	for (uint32_t seq = cf->done_upto + 1; seq <= cf->next_seq; seq++) {
		if (is_done(cf, seq) || s->now - cf->sent_ms[seq % CRS_FLOW_JOBS] < s->deadline_ms)
			continue;
		mark_done(cf, seq);
		deny |= cf->jdeny[seq % CRS_FLOW_JOBS];
		any = 1;
		s->st.late++;
	}
	if (!any)
		return;
	doubt(s, cf, DOUBT_CRS_LATE, deny);
	if (deny)
		deny_flow(s, cf);
	else if (!cf->denied)
		release(s, cf);
}

void
crs_stage_poll(struct crs_stage *s, uint64_t now)
{
	struct crs_job *j, *next;
	struct crs_flow *cf, *cn;

	s->now = now;
	if (s->jobs == 0 && s->busy == NULL)
		return;
	for (j = crs_done_take(&s->done); j != NULL; j = next) {
		next = j->next;
		result(s, j);
		crs_job_free(j);
	}
	for (cf = s->busy; cf != NULL; cf = cn) {
		cn = cf->bnext;
		if (cf->f == NULL)
			continue;
		expire(s, cf);
		settle(s, cf);
	}
	s->st.held_now = s->held;
	s->st.jobs_now = s->jobs;
}

void
crs_stage_release(struct crs_stage *s, struct flow *f)
{
	struct crs_flow *cf = f->crs;

	if (cf == NULL)
		return;
	if (cf->nheld > 0) {
		int deny = 0;

		for (uint32_t seq = cf->done_upto + 1; seq <= cf->next_seq; seq++)
			deny |= cf->jdeny[seq % CRS_FLOW_JOBS];
		doubt(s, cf, DOUBT_CRS_BUSY, deny);
		while (cf->hq)
			give(s, cf, deny ? VERDICT_DROP : (enum verdict)cf->hq->v);
	}
	cf->f = NULL;
	f->crs = NULL;
	req_free(s, cf);
	settle(s, cf);
}

void
crs_stage_destroy(struct crs_stage *s)
{
	struct crs_flow *cf, *cn;

	if (!s->done_up)
		return;
	for (cf = s->busy; cf != NULL; cf = cn) {
		cn = cf->bnext;
		if (cf->f == NULL)
			flow_free(s, cf);
	}
	crs_done_destroy(&s->done);
	quota_destroy(&s->quota);
	quota_destroy(&s->mem_quota);
	quota_destroy(&s->held_quota);
	free(s->hp);
	s->hp = NULL;
	s->done_up = 0;
}
