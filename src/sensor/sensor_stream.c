/*
 * sensor_stream.c: matching a stream piece by piece (sensor.h,
 * sensor_stream_feed).
 *
 * Hyperscan's stream database carries each pattern's match state across
 * pieces and reports where a match of it may end (exactly, or as a
 * prefilter that reports a superset of the ends).  A report at end e of a
 * pattern that reads at most R bytes from its start (sensor_bound.h) is a
 * candidate: a match may start in [e - R, e].  Candidates wait, one entry
 * per pattern (struct pend: the earliest start, the latest end), until
 * the piece's end, then PCRE2 decides each on the stream's bytes around
 * it: those kept from before the piece (the ring, as many bytes as the
 * context's patterns read, lookbehinds included) and the piece itself.
 *
 * PCRE2 runs with PCRE2_PARTIAL_HARD: a match that would need bytes not
 * yet fed (a lookahead, \b or $ at the piece's end, a repeat that may go
 * on) is a partial match, and its candidate waits for the next piece from
 * where it starts.  A complete match found so read only bytes it would
 * read in the whole stream, so it is the match PCRE2 finds there; at the
 * stream's end PCRE2 runs without it, as on a whole text.  So a rule fires
 * exactly when sensor_match on the whole stream would, as soon as the bytes
 * that decide it are in, however the stream was cut.
 *
 * A validated pattern keeps where its next search starts (chain): as
 * sensor_match, each search resumes at the end of the last match that
 * failed the validator.  A pattern Hyperscan cannot take is a candidate
 * everywhere: PCRE2 searches each piece from where the last left off.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sensor/sensor_bound.h"
#include "sensor/sensor_int.h"

/* A pattern's candidates: a match may start in [from, hi]. */
struct pend {
	uint64_t from, hi;
	int id;
	int report;		/* Hyperscan reported it (else PCRE2 alone) */
	int clamped;		/* a match of it may have started before the kept bytes */
};

/* A first match kept for a rule that fires later. */
struct held {
	int sr;
	size_t off, len;
	char excerpt[SENSOR_EXCERPT_MAX];
};

/* A match found: the bytes, and where they are in the stream. */
struct found {
	const uint8_t *m;
	uint64_t off;
	size_t len;
};

typedef void (*hit_fn)(void *ctx, const struct sensor_hit *h);

/* How settle decides candidates. */
enum settle_mode {
	SETTLE_FEED,		/* more bytes may come: a match that needs them waits */
	SETTLE_END,		/* the stream ended */
	SETTLE_PAUSE,		/* as if it ended here, changing nothing but what fires */
};

struct sensor_stream {
	const struct sensor_set *set;	/* valid while the caller's set has gen */
	uint64_t gen;
	enum sensor_ctx ctx;
	hs_stream_t *hs;		/* NULL: every pattern through PCRE2 alone */
	uint64_t mask;
	uint64_t off;			/* bytes fed since begin */
	int ndone;			/* stream rules done */
	int scanning;			/* Hyperscan still has rules to look for */
	const uint8_t *text[SCTX_COUNT];	/* the message's other contexts */
	size_t len[SCTX_COUNT];
	uint64_t *matched;		/* a bit per pattern id: matched (and validated) */
	uint64_t *done;			/* a bit per stream rule: fired, or cannot */
	uint64_t *chain;		/* per chain slot: where its next search starts */
	struct held *held;
	int nheld, held_cap;
	struct pend pend[SENSOR_STREAM_PENDING];
	int npend;
	uint8_t *ring;			/* the ring_len bytes before off */
	size_t ring_len, ring_cap;

	/* The call under way. */
	struct sensor_scratch *s;
	hit_fn hit;
	void *hctx;
	const uint8_t *chunk;		/* stream bytes [cbase, cbase + clen) */
	uint64_t cbase;
	size_t clen;
	int joined;			/* s->join holds the ring and the chunk */
	int fired, failed;
};

static const uint8_t empty[1];

static int
bit(const uint64_t *b, int i)
{
	return b[i >> 6] >> (i & 63) & 1;
}

static void
bit_set(uint64_t *b, int i)
{
	b[i >> 6] |= 1ull << (i & 63);
}

static size_t
words(int n)
{
	return ((size_t)n + 63) / 64;
}

static const struct ctx_db *
db_of(const struct sensor_stream *st)
{
	return &st->set->db[st->ctx];
}

static const struct rule *
rule_of(const struct sensor_stream *st, int sr)
{
	const struct srule *r = &db_of(st)->sr[sr];

	return &st->set->sensor[r->sensor].rule[r->rule];
}

/* Bytes a stream keeps for a pattern: what a match reads around its start. */
static size_t
keep_for(const struct pattern *p)
{
	size_t k;

	k = p->reach == SENSOR_UNBOUNDED ? SENSOR_SPAN : p->reach;
	k += p->behind;
	return k < SENSOR_SPAN ? k : SENSOR_SPAN;
}

static size_t
ring_size(const struct sensor_set *set, enum sensor_ctx c)
{
	const struct ctx_db *db = &set->db[c];
	size_t k = 0;

	for (int i = 0; i < db->npat; i++)
		if (keep_for(db->pat[i]) > k)
			k = keep_for(db->pat[i]);
	return k;
}

static size_t
layout(const struct sensor_set *set, enum sensor_ctx c, size_t *ring)
{
	const struct ctx_db *db = &set->db[c];
	int held = db->nheld < SENSOR_STREAM_HELD ? db->nheld : SENSOR_STREAM_HELD;

	*ring = ring_size(set, c);
	return sizeof(struct sensor_stream) + (words(db->npat) + words(db->nsr)) * 8 +
	    (size_t)db->nchain * 8 + (size_t)held * sizeof(struct held) + *ring;
}

size_t
sensor_stream_size(const struct sensor_set *set, enum sensor_ctx c)
{
	size_t ring, hs = 0;

	if (!sensor_ctx_streamed(c) || set->db[c].npat == 0)
		return 0;
	if (set->db[c].stream != NULL && hs_stream_size(set->db[c].stream, &hs) != HS_SUCCESS)
		hs = 0;
	return layout(set, c, &ring) + hs;
}

int
sensor_set_streams(const struct sensor_set *set, enum sensor_ctx c, uint64_t mask)
{
	const struct ctx_db *db = &set->db[c];

	for (int i = 0; sensor_ctx_streamed(c) && i < db->nsr; i++)
		if (mask >> db->sr[i].sensor & 1)
			return 1;
	return 0;
}

uint64_t
sensor_set_gen(const struct sensor_set *set)
{
	return set->gen;
}

uint64_t
sensor_stream_gen(const struct sensor_stream *st)
{
	return st->gen;
}

uint64_t
sensor_stream_offset(const struct sensor_stream *st)
{
	return st->off;
}

struct sensor_stream *
sensor_stream_new(const struct sensor_set *set, enum sensor_ctx c)
{
	const struct ctx_db *db;
	struct sensor_stream *st;
	size_t ring, size;
	uint8_t *p;

	if (!sensor_ctx_streamed(c))
		return NULL;
	db = &set->db[c];
	size = layout(set, c, &ring);
	if ((st = calloc(1, size)) == NULL)
		return NULL;
	st->set = set;
	st->gen = set->gen;
	st->ctx = c;
	p = (uint8_t *)(st + 1);
	st->matched = (uint64_t *)p;
	p += words(db->npat) * 8;
	st->done = (uint64_t *)p;
	p += words(db->nsr) * 8;
	st->chain = (uint64_t *)p;
	p += (size_t)db->nchain * 8;
	st->held = (struct held *)p;
	st->held_cap = db->nheld < SENSOR_STREAM_HELD ? db->nheld : SENSOR_STREAM_HELD;
	p += (size_t)st->held_cap * sizeof(struct held);
	st->ring = p;
	st->ring_cap = ring;
	if (db->stream != NULL && hs_open_stream(db->stream, 0, &st->hs) != HS_SUCCESS) {
		free(st);
		return NULL;
	}
	return st;
}

void
sensor_stream_free(struct sensor_stream *st)
{
	if (st == NULL)
		return;
	/* Without a callback the database is not read: the set may be gone. */
	if (st->hs != NULL)
		hs_close_stream(st->hs, NULL, NULL, NULL);
	free(st);
}

/* --- one call ------------------------------------------------------------ */

static void
call_start(struct sensor_stream *st, struct sensor_scratch *s, hit_fn hit, void *ctx)
{
	st->s = s;
	st->hit = hit;
	st->hctx = ctx;
	st->fired = st->failed = 0;
	if (sensor_scratch_fit(s, st->set) < 0) {
		s->st.errors++;
		st->failed = 1;
	}
}

static int
call_end(struct sensor_stream *st)
{
	st->chunk = NULL;
	st->clen = 0;
	return st->failed ? -1 : st->fired;
}

static void
chunk_set(struct sensor_stream *st, const uint8_t *buf, size_t n)
{
	st->chunk = buf;
	st->cbase = st->off;
	st->clen = n;
	st->joined = 0;
}

/* The stream's bytes from ws (not before what is kept) to the chunk's end. */
static const uint8_t *
view(struct sensor_stream *st, uint64_t ws)
{
	uint64_t base = st->cbase - st->ring_len;

	if (ws >= st->cbase)
		return st->clen > 0 ? st->chunk + (ws - st->cbase) : empty;
	if (!st->joined) {
		memcpy(st->s->join, st->ring, st->ring_len);
		if (st->clen > 0)
			memcpy(st->s->join + st->ring_len, st->chunk, st->clen);
		st->joined = 1;
	}
	return st->s->join + (ws - base);
}

static void
ring_push(struct sensor_stream *st, const uint8_t *buf, size_t n)
{
	size_t cap = st->ring_cap, keep;

	if (n >= cap) {
		memcpy(st->ring, buf + n - cap, cap);
		st->ring_len = cap;
		return;
	}
	keep = st->ring_len < cap - n ? st->ring_len : cap - n;
	memmove(st->ring, st->ring + st->ring_len - keep, keep);
	memcpy(st->ring + keep, buf, n);
	st->ring_len = keep + n;
}

/* --- rules --------------------------------------------------------------- */

static void
rule_done(struct sensor_stream *st, int sr)
{
	if (bit(st->done, sr))
		return;
	bit_set(st->done, sr);
	if (++st->ndone == db_of(st)->nsr)
		st->scanning = 0;
}

static const struct held *
held_find(const struct sensor_stream *st, int sr)
{
	for (int i = 0; i < st->nheld; i++)
		if (st->held[i].sr == sr)
			return &st->held[i];
	return NULL;
}

/* Keeps a rule's first match while its other patterns are awaited. */
static void
hold(struct sensor_stream *st, int sr, const struct found *fm, int mask)
{
	struct held *h;

	if (held_find(st, sr) != NULL || st->nheld == st->held_cap)
		return;		/* the hit then shows the stream's start, no excerpt */
	h = &st->held[st->nheld++];
	h->sr = sr;
	h->off = (size_t)fm->off;
	h->len = fm->len;
	sensor_excerpt(h->excerpt, fm->m, fm->len, mask);
}

static void
fire(struct sensor_stream *st, int sr, const struct found *fm)
{
	const struct srule *r = &db_of(st)->sr[sr];
	const struct sensor *sn = &st->set->sensor[r->sensor];
	const struct rule *ru = &sn->rule[r->rule];
	const struct pattern *first = &ru->pat[ru->first];
	int mask = sn->type == SENSOR_DLP;
	const struct held *h;
	struct sensor_hit hit;
	size_t off = 0, len = 0;

	rule_done(st, sr);
	st->fired++;
	if (st->hit == NULL)
		return;
	memset(&hit, 0, sizeof(hit));
	hit.sensor = r->sensor;
	hit.rule = r->rule;
	hit.sensor_name = sn->name;
	hit.rule_name = ru->name;
	hit.ctx = first->ctx;
	if (first->ctx != st->ctx) {
		/* Its first pattern is in a whole text: found there again. */
		if (sensor_rule_others(st->s, ru, st->ctx, st->text, st->len, &off, &len) > 0) {
			hit.offset = off;
			hit.len = len;
			sensor_excerpt(hit.excerpt, st->text[first->ctx] + off, len, mask);
		}
	} else if (fm != NULL) {
		hit.offset = (size_t)fm->off;
		hit.len = fm->len;
		sensor_excerpt(hit.excerpt, fm->m, fm->len, mask);
	} else if ((h = held_find(st, sr)) != NULL) {
		hit.offset = h->off;
		hit.len = h->len;
		memcpy(hit.excerpt, h->excerpt, sizeof(hit.excerpt));
	}
	st->hit(st->hctx, &hit);
}

/*
 * Whether rule sr fires now; fm is its first pattern's match when that
 * was just found.  final: the stream ended, negated patterns are decided.
 */
static void
rule_check(struct sensor_stream *st, int sr, const struct found *fm, int final)
{
	const struct ctx_db *db = db_of(st);
	const struct rule *r = rule_of(st, sr);
	int waiting = 0;

	if (bit(st->done, sr))
		return;
	for (int i = 0; i < r->npat; i++) {
		const struct pattern *p = &r->pat[i];

		if (p->ctx != st->ctx)
			continue;
		if (p->negate && final && bit(st->matched, p->id)) {
			rule_done(st, sr);
			return;
		}
		if (!p->negate && !bit(st->matched, p->id))
			waiting = 1;
	}
	if (waiting || (db->sr[sr].at_end && !final)) {
		if (fm != NULL)
			hold(st, sr, fm, st->set->sensor[db->sr[sr].sensor].type == SENSOR_DLP);
		return;
	}
	fire(st, sr, fm);
}

/* Pattern id matched (and passed its validator) at fm: its rules may fire. */
static void
matched(struct sensor_stream *st, int id, const struct found *fm)
{
	const struct ctx_db *db = db_of(st);

	bit_set(st->matched, id);
	for (int k = db->user[id]; k < db->user[id + 1]; k++) {
		const struct rule *r = rule_of(st, db->users[k]);
		const struct pattern *first = &r->pat[r->first];

		rule_check(st, db->users[k], first->ctx == st->ctx && first->id == id ? fm : NULL,
		    0);
	}
}

/* Whether a rule has pattern id negated. */
static int
id_negated(const struct sensor_stream *st, int id)
{
	const struct ctx_db *db = db_of(st);

	for (int k = db->user[id]; k < db->user[id + 1]; k++) {
		const struct rule *r = rule_of(st, db->users[k]);

		for (int i = 0; i < r->npat; i++)
			if (r->pat[i].ctx == st->ctx && r->pat[i].id == id && r->pat[i].negate)
				return 1;
	}
	return 0;
}

/* Whether every rule of pattern id is done: nothing to look for. */
static int
id_dead(const struct sensor_stream *st, int id)
{
	const struct ctx_db *db = db_of(st);

	for (int k = db->user[id]; k < db->user[id + 1]; k++)
		if (!bit(st->done, db->users[k]))
			return 0;
	return 1;
}

/*
 * A candidate whose bytes are no longer all kept and that PCRE2 did not
 * find in those that are: Hyperscan's exact report proves a match of a
 * pattern that needs no validator (its last bytes are shown); for any
 * other, a match longer than the kept bytes cannot be told from none, and
 * the stream is in doubt (padding must not hide an attack).
 */
static void
too_long(struct sensor_stream *st, const struct pattern *p, const struct pend *pe,
    uint64_t ws)
{
	struct found fm;

	if (!pe->report || p->hs != PHS_EXACT || db_of(st)->chain[pe->id] >= 0) {
		st->s->st.too_long++;
		st->failed = 1;
		return;
	}
	fm.off = pe->hi - ws > SENSOR_EXCERPT_TEXT ? pe->hi - SENSOR_EXCERPT_TEXT : ws;
	fm.len = (size_t)(pe->hi - fm.off);
	fm.m = view(st, fm.off);
	matched(st, pe->id, &fm);
}

/* Candidates with no match: one that may have started before the kept bytes is too long. */
static int
gone(struct sensor_stream *st, const struct pattern *p, const struct pend *pe, uint64_t ws)
{
	if (pe->clamped)
		too_long(st, p, pe, ws);
	return 1;
}

/*
 * A match that needs no byte past the chunk's end, from start on (where
 * PCRE2_PARTIAL_HARD found a partial match): 1 with it, 2 if none, -1 on
 * a limit.  A greedy repeat at its end might take more of the stream
 * ("select .*from" takes the last "from" of its line), but the pattern
 * matches: its rule need not wait for the rest.  PCRE2_PARTIAL_SOFT takes
 * an assertion at the end for satisfied ("(?!x)" when no byte follows), so
 * its match counts only when it ends farther from the end than the
 * pattern's assertions read.
 */
static int
soft(struct sensor_stream *st, const struct pattern *p, const uint8_t *subj, uint64_t n,
    size_t start, size_t *off, size_t *len)
{
	size_t o, l;
	int rc = sensor_pcre(st->s, p, subj, (size_t)n, start, PCRE2_PARTIAL_SOFT, &o, &l);

	if (rc != 1)
		return rc == 0 ? 2 : rc;
	if (p->ahead == SENSOR_UNBOUNDED || o + l + p->ahead >= n)
		return 2;
	*off = o;
	*len = l;
	return 1;
}

/*
 * Decides what it can of a pattern's candidates, on the bytes up to the
 * chunk's end.  1 when they are all decided, 0 when one waits for more
 * bytes (pe->from moved to where it starts).
 */
static int
settle(struct sensor_stream *st, struct pend *pe, enum settle_mode mode)
{
	const struct ctx_db *db = db_of(st);
	const struct pattern *p = db->pat[pe->id];
	uint64_t end = st->cbase + st->clen, avail = st->cbase - st->ring_len;
	uint64_t start = pe->from, ws;
	int chain = db->chain[pe->id], pause = mode == SETTLE_PAUSE;
	const uint8_t *subj;

	if (bit(st->matched, pe->id) || id_dead(st, pe->id))
		return 1;
	if (pause && id_negated(st, pe->id))
		return 0;	/* a negated pattern's match is the stream's end's to decide */
	if (chain >= 0 && st->chain[chain] > start)
		start = st->chain[chain];
	ws = start > p->behind ? start - p->behind : 0;
	if (ws < avail) {
		pe->clamped |= !pause;
		ws = avail;
		if (start < avail + p->behind)
			start = avail + p->behind;
	}
	if (start > pe->hi || start > end)
		return pause ? 0 : gone(st, p, pe, ws);
	subj = view(st, ws);
	for (;;) {
		struct found fm;
		size_t o, l;
		int rc;

		st->s->st.candidates++;
		rc = sensor_pcre(st->s, p, subj, (size_t)(end - ws), (size_t)(start - ws),
		    mode == SETTLE_FEED ? PCRE2_PARTIAL_HARD : 0, &o, &l);
		if (rc < 0) {
			st->failed = 1;
			return 1;
		}
		if (rc == 0 || ws + o > pe->hi)	/* none, or another candidate's */
			return pause ? 0 : gone(st, p, pe, ws);
		if (rc == 2 && chain < 0) {
			size_t so, sl;
			int sr = soft(st, p, subj, end - ws, o, &so, &sl);

			if (sr < 0) {
				st->failed = 1;
				return 1;
			}
			if (sr == 1 && ws + so <= pe->hi) {
				rc = 1;
				o = so;
				l = sl;
			}
		}
		if (rc == 2) {
			pe->from = ws + o;
			return 0;
		}
		fm.m = subj + o;
		fm.off = ws + o;
		fm.len = l;
		if (chain < 0 || sensor_validate(db->val[pe->id], fm.m, l)) {
			matched(st, pe->id, &fm);
			return 1;
		}
		start = l > 0 ? fm.off + l : fm.off + 1;
		if (!pause)
			st->chain[chain] = start;
		if (start > pe->hi || start > end)
			return pause ? 0 : gone(st, p, pe, ws);
	}
}

static void
flush(struct sensor_stream *st, enum settle_mode mode)
{
	for (int i = 0; i < st->npend;) {
		if (settle(st, &st->pend[i], mode) && mode != SETTLE_PAUSE)
			st->pend[i] = st->pend[--st->npend];
		else
			i++;
	}
}

static void
pend_add(struct sensor_stream *st, int id, uint64_t from, uint64_t hi, int report)
{
	struct pend *pe;

	for (int i = 0; i < st->npend; i++) {
		pe = &st->pend[i];
		if (pe->id != id)
			continue;
		if (from < pe->from)
			pe->from = from;
		if (hi > pe->hi)
			pe->hi = hi;
		pe->report |= report;
		return;
	}
	if (st->npend == SENSOR_STREAM_PENDING)
		flush(st, SETTLE_FEED);
	if (st->npend == SENSOR_STREAM_PENDING) {
		st->s->st.overflows++;
		st->failed = 1;
		return;
	}
	pe = &st->pend[st->npend++];
	pe->id = id;
	pe->from = from;
	pe->hi = hi;
	pe->report = report;
	pe->clamped = 0;
}

static int
on_report(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
    void *ctx)
{
	struct sensor_stream *st = ctx;
	const struct pattern *p = db_of(st)->pat[id];

	(void)from, (void)flags;
	if (bit(st->matched, (int)id) || id_dead(st, (int)id))
		return !st->scanning;
	pend_add(st, (int)id, p->reach < to ? to - p->reach : 0, to, 1);
	return !st->scanning;
}

/* Patterns of PCRE2 alone: a candidate anywhere in the chunk. */
static void
pend_always(struct sensor_stream *st)
{
	const struct ctx_db *db = db_of(st);

	for (int i = 0; i < db->nalways; i++) {
		int id = db->always[i];

		if (!bit(st->matched, id) && !id_dead(st, id))
			pend_add(st, id, st->cbase, st->cbase + st->clen, 0);
	}
}

/* --- the stream ---------------------------------------------------------- */

int
sensor_stream_begin(struct sensor_stream *st, struct sensor_scratch *s, uint64_t mask,
    const uint8_t *const text[SCTX_COUNT], const size_t len[SCTX_COUNT], hit_fn hit,
    void *ctx)
{
	const struct ctx_db *db = db_of(st);

	call_start(st, s, hit, ctx);
	st->mask = mask;
	for (int c = 0; c < SCTX_COUNT; c++) {
		st->text[c] = c == (int)st->ctx ? NULL : text[c];
		st->len[c] = c == (int)st->ctx ? 0 : len[c];
	}
	memset(st->matched, 0, words(db->npat) * 8);
	memset(st->done, 0, words(db->nsr) * 8);
	memset(st->chain, 0, (size_t)db->nchain * 8);
	st->nheld = st->npend = st->ndone = 0;
	st->off = 0;
	st->ring_len = 0;
	st->scanning = 1;
	if (st->hs != NULL && hs_reset_stream(st->hs, 0, NULL, NULL, NULL) != HS_SUCCESS) {
		s->st.errors++;
		st->failed = 1;
	}
	/* The rules' patterns in the whole texts, once. */
	for (int i = 0; i < db->nsr; i++) {
		const struct srule *sr = &db->sr[i];
		size_t o, l;
		int rc = 0;

		if (mask >> sr->sensor & 1)
			rc = !sr->others ? 1 :
			    sensor_rule_others(s, rule_of(st, i), st->ctx, st->text, st->len, &o, &l);
		if (rc < 0)
			st->failed = 1;
		if (rc <= 0)
			rule_done(st, i);
	}
	if (db->nsr == 0)
		st->scanning = 0;
	return call_end(st);
}

int
sensor_stream_feed(struct sensor_stream *st, struct sensor_scratch *s, const uint8_t *buf,
    size_t len, hit_fn hit, void *ctx)
{
	call_start(st, s, hit, ctx);
	while (len > 0 && st->scanning) {
		size_t n = len < SENSOR_CHUNK ? len : SENSOR_CHUNK;
		hs_error_t rc;

		chunk_set(st, buf, n);
		if (st->hs != NULL) {
			rc = hs_scan_stream(st->hs, (const char *)buf, (unsigned)n, 0, s->hs, on_report,
			    st);
			if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) {
				s->st.errors++;
				st->failed = 1;
			}
		}
		pend_always(st);
		flush(st, SETTLE_FEED);
		ring_push(st, buf, n);
		st->off += n;
		buf += n;
		len -= n;
	}
	st->off += len;		/* every rule decided: nothing to look for */
	return call_end(st);
}

/* The thread's spare stream of st's database, for a look at st's end. */
static hs_stream_t *
spare(struct sensor_stream *st, struct sensor_scratch *s)
{
	hs_stream_t **sp = &s->spare[st->ctx];

	if (*sp != NULL && s->spare_gen[st->ctx] == st->gen)
		return *sp;
	if (*sp != NULL)
		hs_close_stream(*sp, NULL, NULL, NULL);
	*sp = NULL;
	if (hs_open_stream(db_of(st)->stream, 0, sp) != HS_SUCCESS) {
		*sp = NULL;
		return NULL;
	}
	s->spare_gen[st->ctx] = st->gen;
	return *sp;
}

int
sensor_stream_pause(struct sensor_stream *st, struct sensor_scratch *s, hit_fn hit, void *ctx)
{
	hs_stream_t *copy;

	call_start(st, s, hit, ctx);
	if (!st->scanning)
		return call_end(st);
	chunk_set(st, NULL, 0);
	/* Matches that would end with the stream here: a copy of its state ends. */
	if (st->hs != NULL && db_of(st)->eod) {
		if ((copy = spare(st, s)) == NULL ||
		    hs_reset_and_copy_stream(copy, st->hs, NULL, NULL, NULL) != HS_SUCCESS ||
		    hs_reset_stream(copy, 0, s->hs, on_report, st) != HS_SUCCESS) {
			s->st.errors++;
			st->failed = 1;
		}
	}
	flush(st, SETTLE_PAUSE);
	return call_end(st);
}

int
sensor_stream_end(struct sensor_stream *st, struct sensor_scratch *s, hit_fn hit, void *ctx)
{
	const struct ctx_db *db = db_of(st);

	call_start(st, s, hit, ctx);
	if (!st->scanning)
		return call_end(st);
	chunk_set(st, NULL, 0);
	/* Matches that end with the stream ($, \b, a lookahead at its end). */
	if (st->hs != NULL && hs_reset_stream(st->hs, 0, s->hs, on_report, st) != HS_SUCCESS) {
		s->st.errors++;
		st->failed = 1;
	}
	pend_always(st);
	flush(st, SETTLE_END);
	for (int i = 0; i < db->nsr; i++)
		if (db->sr[i].at_end)	/* the others fired as they completed */
			rule_check(st, i, NULL, 1);
	st->scanning = 0;
	return call_end(st);
}
