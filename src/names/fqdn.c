/*
 * fqdn.c: the IP to FQDN cache (see fqdn.h for the contract).
 *
 * Bindings are split into shards by a keyed hash of their address, so that
 * every question about one address (whatever the source) is answered under
 * one lock.  A shard holds fixed-size entries in chunks, addressed by a
 * 32-bit slot index; two hash tables of slot indices chain them, one by
 * (source, address) for the per-source questions and one by address for
 * the global view, and a doubly linked list of indices keeps them in least
 * recently used order.  A slot's generation, bumped whenever it is freed,
 * makes handles of dropped bindings stale.
 *
 * Names are interned in a refcounted table of their own, sharded by the
 * name's hash; a binding holds one reference.  A name's text, length and
 * hash never change while it is referenced, so a shard may compare a
 * binding's name under its own lock.  No call holds two locks at once:
 * names a shard lets go of are released after its lock is dropped.
 */
#include "config.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "names/fqdn.h"

#define NONE		UINT32_MAX
#define CHUNK_SHIFT	8
#define CHUNK		(1u << CHUNK_SHIFT)	/* entries per chunk */
#define BUCKETS_MIN	64			/* per table, per shard */
#define NAME_SHARDS	64
#define EVICT_WINDOW	16	/* entries looked at from the LRU end at the bound */
#define SWEEP_BATCH	256	/* slots fqdn_expire looks at per lock hold */
#define CACHE_LINE	64

struct fqdn_name {
	struct fqdn_name *next;		/* name shard chain */
	uint64_t hash;
	uint32_t refs;			/* under the name shard's lock */
	uint8_t len;
	char text[];			/* len bytes and a NUL */
};

/*
 * One binding, 80 bytes.  name NULL marks a free slot, whose sa_next links
 * the free list.
 */
struct fqdn_ent {
	struct fqdn_name *name;
	uint64_t expires_ms;
	uint32_t sa_next;		/* chain by (source, address) */
	uint32_t a_next;		/* chain by address */
	uint32_t lru_prev, lru_next;	/* toward the newest, the oldest */
	uint32_t gen;
	uint32_t refs;
	uint8_t src_family, addr_family;
	uint8_t src[16], addr[16];
};

struct shard_stats {
	uint64_t binds, refreshes, lookups, hits, uses, refs;
	uint64_t expired, evicted, evicted_in_use;
};

struct fqdn_shard {
	pthread_mutex_t mu;
	struct fqdn_ent **chunk;	/* nchunk pointers, CHUNK entries each */
	uint32_t nchunk;
	uint32_t nslots;		/* slots ever handed out: never shrinks */
	uint32_t *sa_bucket, *a_bucket;	/* mask + 1 slot indices each */
	uint32_t mask;
	uint32_t count;
	uint32_t free;			/* free list head */
	uint32_t lru_head, lru_tail;	/* newest, oldest */
	uint32_t hand;			/* fqdn_expire's next slot */
	uint64_t now_ms;		/* the latest time a caller gave */
	uint64_t mem;
	struct shard_stats st;
} __attribute__((aligned(CACHE_LINE)));

struct name_shard {
	pthread_mutex_t mu;
	struct fqdn_name **bucket;
	uint32_t mask;
	uint32_t count;
	uint64_t mem;
} __attribute__((aligned(CACHE_LINE)));

struct fqdn_cache {
	struct name_shard name[NAME_SHARDS];
	struct fqdn_shard *shard;
	uint32_t nshards;
	uint64_t seed;
	pthread_mutex_t limits_mu;	/* serialises fqdn_set_limits */
	/* Atomics. */
	uint64_t max;			/* max_bindings */
	uint64_t count;			/* bindings in all shards */
	uint32_t min_ttl;
	uint32_t expire_next;
	uint64_t rejected, nomem;
};

/* --- keys and hashes ------------------------------------------------ */

/* A copy of a with the bytes past an IPv4 address zeroed; -1 for a bad family. */
static int
addr_norm(const struct fqdn_addr *a, struct fqdn_addr *out)
{
	if (a == NULL || (a->family != AF_INET && a->family != AF_INET6))
		return -1;
	memset(out, 0, sizeof(*out));
	out->family = a->family;
	memcpy(out->addr, a->addr, a->family == AF_INET ? 4 : 16);
	return 0;
}

/* Lower case, without a final dot, into out; returns the length or -1. */
static int
name_norm(const char *name, char *out)
{
	size_t len;

	if (name == NULL)
		return -1;
	len = strnlen(name, FQDN_NAME_MAX + 2);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > FQDN_NAME_MAX)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];

		out[i] = ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
	}
	out[len] = '\0';
	return (int)len;
}

/* Keyed, so that answers cannot be chosen to fill one chain. */
static inline uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v * 0x9e3779b97f4a7c15ull;
	h = (h << 31 | h >> 33) * 0xbf58476d1ce4e5b9ull;
	return h;
}

static inline uint64_t
finish(uint64_t h)
{
	h ^= h >> 29;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 32);
}

static uint64_t
mix_addr(uint64_t h, const struct fqdn_addr *a)
{
	uint64_t w[2];

	memcpy(w, a->addr, sizeof(w));
	return mix(mix(mix(h, a->family), w[0]), w[1]);
}

static uint64_t
addr_hash(const struct fqdn_cache *c, const struct fqdn_addr *a)
{
	return finish(mix_addr(c->seed, a));
}

static uint64_t
pair_hash(const struct fqdn_cache *c, const struct fqdn_addr *src, const struct fqdn_addr *a)
{
	return finish(mix_addr(mix_addr(c->seed ^ 0x5a5a, src), a));
}

static uint64_t
name_hash(const struct fqdn_cache *c, const char *text, int len)
{
	uint64_t h = mix(c->seed, (uint64_t)len), w;
	int i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, text + i, 8);
		h = mix(h, w);
	}
	w = 0;
	memcpy(&w, text + i, (size_t)(len - i));
	return finish(mix(h, w));
}

static struct fqdn_shard *
shard_of(const struct fqdn_cache *c, uint64_t ahash)
{
	return &c->shard[(ahash >> 40) & (c->nshards - 1)];
}

static int
same_addr(uint8_t family, const uint8_t *bytes, const struct fqdn_addr *a)
{
	return family == a->family && memcmp(bytes, a->addr, 16) == 0;
}

static int
same_name(const struct fqdn_name *n, const char *text, int len, uint64_t hash)
{
	return n->hash == hash && n->len == len && memcmp(n->text, text, (size_t)len) == 0;
}

/* --- names ---------------------------------------------------------- */

static struct name_shard *
name_shard_of(struct fqdn_cache *c, uint64_t hash)
{
	return &c->name[(hash >> 48) & (NAME_SHARDS - 1)];
}

static struct fqdn_name *
name_find(struct name_shard *ns, const char *text, int len, uint64_t hash)
{
	struct fqdn_name *n;

	for (n = ns->bucket[hash & ns->mask]; n; n = n->next)
		if (same_name(n, text, len, hash))
			return n;
	return NULL;
}

/* Doubles the buckets of a name shard grown past one name per bucket. */
static void
name_shard_grow(struct name_shard *ns)
{
	struct fqdn_name **nb, **old, *n, *next;
	uint32_t want;

	pthread_mutex_lock(&ns->mu);
	want = ns->count > ns->mask + 1 ? (ns->mask + 1) * 2 : 0;
	pthread_mutex_unlock(&ns->mu);
	if (want == 0 || (nb = calloc(want, sizeof(*nb))) == NULL)
		return;
	pthread_mutex_lock(&ns->mu);
	old = nb;
	if (ns->mask + 1 < want) {
		for (uint32_t b = 0; b <= ns->mask; b++)
			for (n = ns->bucket[b]; n; n = next) {
				next = n->next;
				n->next = nb[n->hash & (want - 1)];
				nb[n->hash & (want - 1)] = n;
			}
		old = ns->bucket;
		ns->mem += (uint64_t)(want - (ns->mask + 1)) * sizeof(*nb);
		ns->bucket = nb;
		ns->mask = want - 1;
	}
	pthread_mutex_unlock(&ns->mu);
	free(old);
}

/*
 * Returns the interned name with one more reference, or NULL when out of
 * memory.  The allocation is made outside the lock and thrown away if
 * another thread interned the name meanwhile.
 */
static struct fqdn_name *
name_get(struct fqdn_cache *c, const char *text, int len, uint64_t hash)
{
	struct name_shard *ns = name_shard_of(c, hash);
	struct fqdn_name *n, *fresh;
	size_t size = sizeof(*fresh) + (size_t)len + 1;
	int grow = 0;

	pthread_mutex_lock(&ns->mu);
	if ((n = name_find(ns, text, len, hash)) != NULL)
		n->refs++;
	pthread_mutex_unlock(&ns->mu);
	if (n)
		return n;
	if ((fresh = malloc(size)) == NULL)
		return NULL;
	fresh->hash = hash;
	fresh->refs = 1;
	fresh->len = (uint8_t)len;
	memcpy(fresh->text, text, (size_t)len + 1);

	pthread_mutex_lock(&ns->mu);
	if ((n = name_find(ns, text, len, hash)) != NULL)
		n->refs++;
	else {
		n = fresh;
		n->next = ns->bucket[hash & ns->mask];
		ns->bucket[hash & ns->mask] = n;
		ns->count++;
		ns->mem += size;
		grow = ns->count > ns->mask + 1;
	}
	pthread_mutex_unlock(&ns->mu);
	if (n != fresh)
		free(fresh);
	if (grow)
		name_shard_grow(ns);
	return n;
}

static void
name_put(struct fqdn_cache *c, struct fqdn_name *n)
{
	struct name_shard *ns;
	struct fqdn_name **pp;
	int last;

	if (n == NULL)
		return;
	ns = name_shard_of(c, n->hash);
	pthread_mutex_lock(&ns->mu);
	if ((last = --n->refs == 0)) {
		for (pp = &ns->bucket[n->hash & ns->mask]; *pp != n; pp = &(*pp)->next)
			;
		*pp = n->next;
		ns->count--;
		ns->mem -= sizeof(*n) + n->len + 1;
	}
	pthread_mutex_unlock(&ns->mu);
	if (last)
		free(n);
}

static void
name_put_all(struct fqdn_cache *c, struct fqdn_name **names, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		name_put(c, names[i]);
}

/* --- a shard's entries (all under its lock) -------------------------- */

static inline struct fqdn_ent *
ent(const struct fqdn_shard *s, uint32_t i)
{
	return &s->chunk[i >> CHUNK_SHIFT][i & (CHUNK - 1)];
}

static int
alive(const struct fqdn_ent *e, uint64_t now_ms)
{
	return e->refs > 0 || e->expires_ms > now_ms;
}

static void
lru_unlink(struct fqdn_shard *s, uint32_t i)
{
	struct fqdn_ent *e = ent(s, i);

	if (e->lru_prev != NONE)
		ent(s, e->lru_prev)->lru_next = e->lru_next;
	else
		s->lru_head = e->lru_next;
	if (e->lru_next != NONE)
		ent(s, e->lru_next)->lru_prev = e->lru_prev;
	else
		s->lru_tail = e->lru_prev;
}

static void
lru_push(struct fqdn_shard *s, uint32_t i)
{
	struct fqdn_ent *e = ent(s, i);

	e->lru_prev = NONE;
	e->lru_next = s->lru_head;
	if (s->lru_head != NONE)
		ent(s, s->lru_head)->lru_prev = i;
	else
		s->lru_tail = i;
	s->lru_head = i;
}

static void
lru_touch(struct fqdn_shard *s, uint32_t i)
{
	if (s->lru_head != i) {
		lru_unlink(s, i);
		lru_push(s, i);
	}
}

static void
ent_src(const struct fqdn_ent *e, struct fqdn_addr *src)
{
	src->family = e->src_family;
	memcpy(src->addr, e->src, 16);
}

static void
ent_addr(const struct fqdn_ent *e, struct fqdn_addr *addr)
{
	addr->family = e->addr_family;
	memcpy(addr->addr, e->addr, 16);
}

/* Puts slot i, filled, on both chains. */
static void
chain_ent(struct fqdn_cache *c, struct fqdn_shard *s, uint32_t i)
{
	struct fqdn_ent *e = ent(s, i);
	struct fqdn_addr src, addr;
	uint32_t sb, ab;

	ent_src(e, &src);
	ent_addr(e, &addr);
	sb = (uint32_t)pair_hash(c, &src, &addr) & s->mask;
	ab = (uint32_t)addr_hash(c, &addr) & s->mask;
	e->sa_next = s->sa_bucket[sb];
	s->sa_bucket[sb] = i;
	e->a_next = s->a_bucket[ab];
	s->a_bucket[ab] = i;
}

static void
chain_remove(struct fqdn_shard *s, uint32_t *head, uint32_t i, int by_addr)
{
	uint32_t *pp = head;

	while (*pp != i) {
		struct fqdn_ent *p = ent(s, *pp);

		pp = by_addr ? &p->a_next : &p->sa_next;
	}
	*pp = by_addr ? ent(s, i)->a_next : ent(s, i)->sa_next;
}

/*
 * Frees slot i: off its chains and the LRU list, its generation bumped so
 * its handles go stale.  Returns its name, for the caller to put once the
 * shard's lock is dropped.
 */
static struct fqdn_name *
drop_ent(struct fqdn_cache *c, struct fqdn_shard *s, uint32_t i)
{
	struct fqdn_ent *e = ent(s, i);
	struct fqdn_name *n = e->name;
	struct fqdn_addr src, addr;

	ent_src(e, &src);
	ent_addr(e, &addr);
	chain_remove(s, &s->sa_bucket[pair_hash(c, &src, &addr) & s->mask], i, 0);
	chain_remove(s, &s->a_bucket[addr_hash(c, &addr) & s->mask], i, 1);
	lru_unlink(s, i);
	s->st.refs -= e->refs;
	s->count--;
	__atomic_fetch_sub(&c->count, 1, __ATOMIC_RELAXED);
	e->name = NULL;
	e->refs = 0;
	if (++e->gen == 0)
		e->gen = 1;
	e->sa_next = s->free;
	s->free = i;
	return n;
}

/*
 * At the bound: the first expired unreferenced entry within EVICT_WINDOW
 * of the oldest end, else the oldest unreferenced one there, else the
 * oldest.  Drops it and counts why.
 */
static struct fqdn_name *
evict_one(struct fqdn_cache *c, struct fqdn_shard *s, uint64_t now_ms)
{
	uint32_t i = s->lru_tail, unref = NONE;

	for (int k = 0; k < EVICT_WINDOW && i != NONE; k++, i = ent(s, i)->lru_prev) {
		const struct fqdn_ent *e = ent(s, i);

		if (e->refs > 0)
			continue;
		if (e->expires_ms <= now_ms) {
			s->st.expired++;
			return drop_ent(c, s, i);
		}
		if (unref == NONE)
			unref = i;
	}
	if (unref != NONE) {
		s->st.evicted++;
		return drop_ent(c, s, unref);
	}
	s->st.evicted_in_use++;
	return drop_ent(c, s, s->lru_tail);
}

/*
 * Whether a new binding in s must replace one.  The bound is global, but a
 * shard only evicts its own bindings (so at most one lock is held): one
 * that is empty may go past the bound, by one binding, until its next one.
 * Binds racing in several shards may also each pass it by one.
 */
static int
full(const struct fqdn_cache *c, const struct fqdn_shard *s)
{
	return s->count >= FQDN_SHARD_SLOTS_MAX || (s->count > 0 &&
	    __atomic_load_n(&c->count, __ATOMIC_RELAXED) >= __atomic_load_n(&c->max, __ATOMIC_RELAXED));
}

/* Whether the next new binding needs a chunk that is not there yet. */
static int
needs_chunk(const struct fqdn_cache *c, const struct fqdn_shard *s)
{
	return !full(c, s) && s->free == NONE && (s->nslots & (CHUNK - 1)) == 0;
}

static struct fqdn_ent *
chunk_new(void)
{
	return malloc(CHUNK * sizeof(struct fqdn_ent));
}

/* Doubles the chunk table of s (a few times in its life, under its lock). */
static int
chunk_table_grow(struct fqdn_shard *s)
{
	struct fqdn_ent **t = realloc(s->chunk, 2 * s->nchunk * sizeof(*t));

	if (t == NULL)
		return -1;
	memset(t + s->nchunk, 0, s->nchunk * sizeof(*t));
	s->mem += s->nchunk * sizeof(*t);
	s->chunk = t;
	s->nchunk *= 2;
	return 0;
}

/*
 * A slot for a new binding: an evicted one at the bound, else one from
 * the free list, else a new one, in the chunk *spare the caller prepared
 * (or one allocated here if another thread took the slots the caller saw
 * were left); the evicted binding's name is left in *old.  NONE when out
 * of memory.
 */
static uint32_t
slot_take(struct fqdn_cache *c, struct fqdn_shard *s, uint64_t now_ms,
    struct fqdn_ent **spare, struct fqdn_name **old)
{
	uint32_t i;

	if (full(c, s))
		*old = evict_one(c, s, now_ms);
	if (s->free == NONE) {
		if ((s->nslots & (CHUNK - 1)) == 0) {
			struct fqdn_ent *ch;

			if ((s->nslots >> CHUNK_SHIFT) == s->nchunk && chunk_table_grow(s) < 0)
				return NONE;
			if ((ch = *spare ? *spare : chunk_new()) == NULL)
				return NONE;
			*spare = NULL;
			s->chunk[s->nslots >> CHUNK_SHIFT] = ch;
			s->mem += CHUNK * sizeof(*ch);
		}
		i = s->nslots++;
		ent(s, i)->gen = 1;
		return i;
	}
	i = s->free;
	s->free = ent(s, i)->sa_next;
	return i;
}

/* The binding (src, name, addr), or NONE. */
static uint32_t
find_ent(const struct fqdn_shard *s, uint64_t sahash, const struct fqdn_addr *src,
    const struct fqdn_addr *addr, const char *text, int len, uint64_t nhash)
{
	uint32_t i;

	for (i = s->sa_bucket[sahash & s->mask]; i != NONE; i = ent(s, i)->sa_next) {
		const struct fqdn_ent *e = ent(s, i);

		if (same_addr(e->addr_family, e->addr, addr) &&
		    same_addr(e->src_family, e->src, src) && same_name(e->name, text, len, nhash))
			return i;
	}
	return NONE;
}

/* Doubles a shard's hash tables once it holds more entries than buckets. */
static void
shard_grow(struct fqdn_cache *c, struct fqdn_shard *s)
{
	uint32_t want, *sa, *a;

	pthread_mutex_lock(&s->mu);
	want = s->count > s->mask + 1 ? (s->mask + 1) * 2 : 0;
	pthread_mutex_unlock(&s->mu);
	if (want == 0 || want > FQDN_SHARD_SLOTS_MAX + 1)
		return;
	sa = malloc(want * sizeof(*sa));
	a = malloc(want * sizeof(*a));
	if (sa == NULL || a == NULL)
		goto out;
	memset(sa, 0xff, want * sizeof(*sa));
	memset(a, 0xff, want * sizeof(*a));

	pthread_mutex_lock(&s->mu);
	if (s->mask + 1 < want) {
		uint32_t *t;

		s->mem += (uint64_t)(want - (s->mask + 1)) * 2 * sizeof(*sa);
		t = s->sa_bucket, s->sa_bucket = sa, sa = t;
		t = s->a_bucket, s->a_bucket = a, a = t;
		s->mask = want - 1;
		for (uint32_t i = 0; i < s->nslots; i++)
			if (ent(s, i)->name != NULL)
				chain_ent(c, s, i);
	}
	pthread_mutex_unlock(&s->mu);
out:
	free(sa);
	free(a);
}

/* --- creation and limits ------------------------------------------- */

/* The bound lim asks for, and whether nshards can hold it. */
static uint64_t
max_of(const struct fqdn_limits *lim, uint32_t nshards, int *cut)
{
	uint64_t max = lim->max_bindings ? lim->max_bindings : FQDN_MAX_BINDINGS_DEFAULT;
	uint64_t room = (uint64_t)nshards * FQDN_SHARD_SLOTS_MAX;

	*cut = max > room;
	return *cut ? room : max;
}

/* Room in the chunk table for the shard's share of max, to start with. */
static uint32_t
chunks_for(uint64_t max, uint32_t nshards)
{
	uint64_t share = max / nshards + 1;

	if (share > FQDN_SHARD_SLOTS_MAX)
		share = FQDN_SHARD_SLOTS_MAX;
	return (uint32_t)((share + CHUNK - 1) >> CHUNK_SHIFT);
}

static int
shard_init(struct fqdn_shard *s, uint32_t nchunk)
{
	memset(s, 0, sizeof(*s));
	s->nchunk = nchunk;
	s->chunk = calloc(s->nchunk, sizeof(*s->chunk));
	s->sa_bucket = malloc(BUCKETS_MIN * sizeof(*s->sa_bucket));
	s->a_bucket = malloc(BUCKETS_MIN * sizeof(*s->a_bucket));
	if (s->chunk == NULL || s->sa_bucket == NULL || s->a_bucket == NULL) {
		free(s->chunk);
		free(s->sa_bucket);
		free(s->a_bucket);
		return -1;
	}
	memset(s->sa_bucket, 0xff, BUCKETS_MIN * sizeof(*s->sa_bucket));
	memset(s->a_bucket, 0xff, BUCKETS_MIN * sizeof(*s->a_bucket));
	s->mask = BUCKETS_MIN - 1;
	s->free = s->lru_head = s->lru_tail = NONE;
	s->mem = s->nchunk * sizeof(*s->chunk) + 2 * BUCKETS_MIN * sizeof(*s->sa_bucket);
	pthread_mutex_init(&s->mu, NULL);
	return 0;
}

static void
shard_destroy(struct fqdn_shard *s)
{
	for (uint32_t i = 0; i < s->nchunk; i++)
		free(s->chunk[i]);
	free(s->chunk);
	free(s->sa_bucket);
	free(s->a_bucket);
	pthread_mutex_destroy(&s->mu);
}

static int
name_shard_init(struct name_shard *ns)
{
	memset(ns, 0, sizeof(*ns));
	if ((ns->bucket = calloc(BUCKETS_MIN, sizeof(*ns->bucket))) == NULL)
		return -1;
	ns->mask = BUCKETS_MIN - 1;
	ns->mem = BUCKETS_MIN * sizeof(*ns->bucket);
	pthread_mutex_init(&ns->mu, NULL);
	return 0;
}

/* Frees the shard and the names still in it (the cache is going away). */
static void
name_shard_destroy(struct name_shard *ns)
{
	struct fqdn_name *n, *next;

	for (uint32_t b = 0; b <= ns->mask; b++)
		for (n = ns->bucket[b]; n; n = next) {
			next = n->next;
			free(n);
		}
	free(ns->bucket);
	pthread_mutex_destroy(&ns->mu);
}

static uint32_t
shards_for(uint32_t want)
{
	uint32_t n = 1;

	if (want == 0)
		want = FQDN_SHARDS_DEFAULT;
	while (n < want && n < FQDN_SHARDS_MAX)
		n <<= 1;
	return n;
}

struct fqdn_cache *
fqdn_cache_new(const struct fqdn_limits *lim)
{
	struct fqdn_cache *c;
	void *p;
	uint32_t i, j, nchunk;
	int cut;

	if (posix_memalign(&p, CACHE_LINE, sizeof(*c)) != 0)
		return NULL;
	c = p;
	memset(c, 0, sizeof(*c));
	if (getrandom(&c->seed, sizeof(c->seed), 0) != sizeof(c->seed))
		c->seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull ^ (uintptr_t)c;
	c->nshards = shards_for(lim->shards);
	c->min_ttl = lim->min_ttl;
	c->max = max_of(lim, c->nshards, &cut);
	nchunk = chunks_for(c->max, c->nshards);
	if (posix_memalign(&p, CACHE_LINE, c->nshards * sizeof(*c->shard)) != 0)
		goto fail;
	c->shard = p;
	for (i = 0; i < c->nshards; i++)
		if (shard_init(&c->shard[i], nchunk) < 0)
			goto fail_shards;
	for (j = 0; j < NAME_SHARDS; j++)
		if (name_shard_init(&c->name[j]) < 0)
			goto fail_names;
	pthread_mutex_init(&c->limits_mu, NULL);
	return c;

fail_names:
	while (j-- > 0)
		name_shard_destroy(&c->name[j]);
fail_shards:
	while (i-- > 0)
		shard_destroy(&c->shard[i]);
	free(c->shard);
fail:
	free(c);
	return NULL;
}

void
fqdn_cache_free(struct fqdn_cache *c)
{
	if (c == NULL)
		return;
	for (uint32_t i = 0; i < c->nshards; i++)
		shard_destroy(&c->shard[i]);
	for (uint32_t j = 0; j < NAME_SHARDS; j++)
		name_shard_destroy(&c->name[j]);
	pthread_mutex_destroy(&c->limits_mu);
	free(c->shard);
	free(c);
}

/*
 * Drops the least recently used bindings of s down to its share of a
 * lowered bound (its part of the total), a batch per lock hold.
 */
static void
shard_trim(struct fqdn_cache *c, struct fqdn_shard *s, uint64_t max, uint64_t total)
{
	struct fqdn_name *names[SWEEP_BATCH];
	uint64_t keep;
	unsigned n;

	pthread_mutex_lock(&s->mu);
	keep = s->count * max / total;
	while (s->count > keep) {
		for (n = 0; n < SWEEP_BATCH && s->count > keep; n++)
			names[n] = evict_one(c, s, s->now_ms);
		pthread_mutex_unlock(&s->mu);
		name_put_all(c, names, n);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
}

int
fqdn_set_limits(struct fqdn_cache *c, const struct fqdn_limits *lim)
{
	int cut;
	uint64_t max = max_of(lim, c->nshards, &cut), total;

	pthread_mutex_lock(&c->limits_mu);
	__atomic_store_n(&c->min_ttl, lim->min_ttl, __ATOMIC_RELAXED);
	__atomic_store_n(&c->max, max, __ATOMIC_RELAXED);
	total = __atomic_load_n(&c->count, __ATOMIC_RELAXED);
	if (total > max)
		for (uint32_t i = 0; i < c->nshards; i++)
			shard_trim(c, &c->shard[i], max, total);
	pthread_mutex_unlock(&c->limits_mu);
	return cut ? -1 : 0;
}

/* --- the packet path ------------------------------------------------ */

/* A question's keys, normalised and hashed. */
struct query {
	struct fqdn_addr src, addr;
	char name[FQDN_NAME_MAX + 1];
	int len;
	uint64_t ahash, sahash, nhash;
	struct fqdn_shard *s;
};

/* Fills q; -1 for a bad address or name.  src and name are NULL when not asked. */
static int
query_make(struct fqdn_cache *c, struct query *q, const struct fqdn_addr *src,
    const char *name, const struct fqdn_addr *addr)
{
	if (addr_norm(addr, &q->addr) < 0)
		return -1;
	q->ahash = addr_hash(c, &q->addr);
	q->s = shard_of(c, q->ahash);
	if (src) {
		if (addr_norm(src, &q->src) < 0)
			return -1;
		q->sahash = pair_hash(c, &q->src, &q->addr);
	}
	if (name) {
		if ((q->len = name_norm(name, q->name)) < 0)
			return -1;
		q->nhash = name_hash(c, q->name, q->len);
	}
	return 0;
}

static uint32_t
query_find(const struct query *q)
{
	return find_ent(q->s, q->sahash, &q->src, &q->addr, q->name, q->len, q->nhash);
}

/* Extends the binding at i to at least expires_ms. */
static void
refresh(struct fqdn_shard *s, uint32_t i, uint64_t expires_ms)
{
	struct fqdn_ent *e = ent(s, i);

	if (e->expires_ms < expires_ms)
		e->expires_ms = expires_ms;
	lru_touch(s, i);
	s->st.refreshes++;
}

/* Fills slot i with a new binding, which takes the caller's reference to n. */
static void
insert(struct fqdn_cache *c, struct fqdn_shard *s, uint32_t i, const struct query *q,
    struct fqdn_name *n, uint64_t expires_ms)
{
	struct fqdn_ent *e = ent(s, i);

	e->name = n;
	e->expires_ms = expires_ms;
	e->refs = 0;
	e->src_family = q->src.family;
	memcpy(e->src, q->src.addr, 16);
	e->addr_family = q->addr.family;
	memcpy(e->addr, q->addr.addr, 16);
	chain_ent(c, s, i);
	lru_push(s, i);
	s->count++;
	__atomic_fetch_add(&c->count, 1, __ATOMIC_RELAXED);
	s->st.binds++;
}

/*
 * A refresh takes the shard lock once.  A new binding looks first, then
 * interns the name and prepares a chunk outside the lock, and looks again
 * under it, since another thread may have bound the same meanwhile.
 */
int
fqdn_bind(struct fqdn_cache *c, const struct fqdn_addr *src, const char *name,
    const struct fqdn_addr *addr, uint32_t ttl, uint64_t now_ms)
{
	struct fqdn_ent *spare = NULL;
	struct fqdn_name *n, *old = NULL;
	struct fqdn_shard *s;
	struct query q;
	uint32_t min_ttl = __atomic_load_n(&c->min_ttl, __ATOMIC_RELAXED), i;
	uint64_t expires_ms;
	int grow;

	if (src == NULL || name == NULL || query_make(c, &q, src, name, addr) < 0) {
		__atomic_fetch_add(&c->rejected, 1, __ATOMIC_RELAXED);
		return -1;
	}
	s = q.s;
	expires_ms = now_ms + (uint64_t)(ttl > min_ttl ? ttl : min_ttl) * 1000;

	pthread_mutex_lock(&s->mu);
	s->now_ms = now_ms;
	if ((i = query_find(&q)) != NONE) {
		refresh(s, i, expires_ms);
		pthread_mutex_unlock(&s->mu);
		return 0;
	}
	grow = needs_chunk(c, s);
	pthread_mutex_unlock(&s->mu);

	if (grow)
		spare = chunk_new();
	if ((n = name_get(c, q.name, q.len, q.nhash)) == NULL)
		goto nomem;
	pthread_mutex_lock(&s->mu);
	if ((i = query_find(&q)) != NONE) {
		refresh(s, i, expires_ms);
		old = n;
	} else if ((i = slot_take(c, s, now_ms, &spare, &old)) != NONE)
		insert(c, s, i, &q, n, expires_ms);
	grow = s->count > s->mask + 1;
	pthread_mutex_unlock(&s->mu);

	free(spare);
	name_put(c, old);
	if (i == NONE) {
		name_put(c, n);
		goto nomem;
	}
	if (grow)
		shard_grow(c, s);
	return 0;

nomem:
	__atomic_fetch_add(&c->nomem, 1, __ATOMIC_RELAXED);
	return -1;
}

/*
 * Whether the binding at i is the first alive one for its name on the
 * address chain it is on, so that the global view gives each name once.
 * Quadratic in the chain, which holds the bindings of one address (and of
 * the few that share its bucket).
 */
static int
first_of_name(const struct fqdn_shard *s, uint32_t head, uint32_t i, uint64_t now_ms)
{
	const struct fqdn_ent *e = ent(s, i);

	for (uint32_t j = head; j != i; j = ent(s, j)->a_next) {
		const struct fqdn_ent *p = ent(s, j);

		if (p->name == e->name && p->addr_family == e->addr_family &&
		    memcmp(p->addr, e->addr, 16) == 0 && alive(p, now_ms))
			return 0;
	}
	return 1;
}

static void
copy_name(char (*out)[FQDN_NAME_MAX + 1], int k, int max, const struct fqdn_name *n)
{
	if (k < max)
		memcpy(out[k], n->text, (size_t)n->len + 1);
}

int
fqdn_names(struct fqdn_cache *c, const struct fqdn_addr *src, const struct fqdn_addr *addr,
    uint64_t now_ms, char (*out)[FQDN_NAME_MAX + 1], int max)
{
	struct fqdn_shard *s;
	struct query q;
	uint32_t i, head;
	int found = 0;

	if (query_make(c, &q, src, NULL, addr) < 0)
		return 0;
	s = q.s;
	pthread_mutex_lock(&s->mu);
	s->st.lookups++;
	if (src) {
		for (i = s->sa_bucket[q.sahash & s->mask]; i != NONE; i = ent(s, i)->sa_next) {
			const struct fqdn_ent *e = ent(s, i);

			if (!same_addr(e->addr_family, e->addr, &q.addr) ||
			    !same_addr(e->src_family, e->src, &q.src) || !alive(e, now_ms))
				continue;
			copy_name(out, found++, max, e->name);
			lru_touch(s, i);
		}
	} else {
		head = s->a_bucket[q.ahash & s->mask];
		for (i = head; i != NONE; i = ent(s, i)->a_next) {
			const struct fqdn_ent *e = ent(s, i);

			if (!same_addr(e->addr_family, e->addr, &q.addr) || !alive(e, now_ms))
				continue;
			lru_touch(s, i);
			if (first_of_name(s, head, i, now_ms))
				copy_name(out, found++, max, e->name);
		}
	}
	if (found)
		s->st.hits++;
	pthread_mutex_unlock(&s->mu);
	return found;
}

/* A handle: the slot's generation, the shard, the slot. */
static uint64_t
handle_make(const struct fqdn_cache *c, const struct fqdn_shard *s, uint32_t i)
{
	return (uint64_t)ent(s, i)->gen << 32 | (uint64_t)(s - c->shard) << 24 | i;
}

uint64_t
fqdn_use(struct fqdn_cache *c, const struct fqdn_addr *src, const char *name,
    const struct fqdn_addr *addr, uint64_t now_ms)
{
	struct fqdn_shard *s;
	struct query q;
	uint64_t h = 0;
	uint32_t i;

	if (src == NULL || name == NULL || query_make(c, &q, src, name, addr) < 0)
		return 0;
	s = q.s;
	pthread_mutex_lock(&s->mu);
	if ((i = query_find(&q)) != NONE && alive(ent(s, i), now_ms)) {
		ent(s, i)->refs++;
		s->st.refs++;
		s->st.uses++;
		lru_touch(s, i);
		h = handle_make(c, s, i);
	}
	pthread_mutex_unlock(&s->mu);
	return h;
}

void
fqdn_release(struct fqdn_cache *c, uint64_t handle, uint64_t now_ms)
{
	uint32_t gen = (uint32_t)(handle >> 32), si = (handle >> 24) & 0xff;
	uint32_t i = handle & FQDN_SHARD_SLOTS_MAX;
	struct fqdn_name *n = NULL;
	struct fqdn_shard *s;
	struct fqdn_ent *e;

	if (handle == 0 || si >= c->nshards)
		return;
	s = &c->shard[si];
	pthread_mutex_lock(&s->mu);
	if (i < s->nslots && (e = ent(s, i))->name != NULL && e->gen == gen && e->refs > 0) {
		e->refs--;
		s->st.refs--;
		if (e->refs == 0 && e->expires_ms <= now_ms) {
			s->st.expired++;
			n = drop_ent(c, s, i);
		}
	}
	pthread_mutex_unlock(&s->mu);
	name_put(c, n);
}

/* --- the control thread --------------------------------------------- */

void
fqdn_stats(struct fqdn_cache *c, struct fqdn_stats *out)
{
	memset(out, 0, sizeof(*out));
	/* One reading, not the shards' counts summed one after the other:
	 * bindings expired in a shard read first and bound in one read later
	 * would count twice. */
	out->bindings = __atomic_load_n(&c->count, __ATOMIC_RELAXED);
	out->memory = sizeof(*c) + c->nshards * sizeof(*c->shard);
	for (uint32_t i = 0; i < c->nshards; i++) {
		struct fqdn_shard *s = &c->shard[i];

		pthread_mutex_lock(&s->mu);
		out->refs += s->st.refs;
		out->binds += s->st.binds;
		out->refreshes += s->st.refreshes;
		out->lookups += s->st.lookups;
		out->hits += s->st.hits;
		out->uses += s->st.uses;
		out->expired += s->st.expired;
		out->evicted += s->st.evicted;
		out->evicted_in_use += s->st.evicted_in_use;
		out->memory += s->mem;
		pthread_mutex_unlock(&s->mu);
	}
	for (uint32_t j = 0; j < NAME_SHARDS; j++) {
		struct name_shard *ns = &c->name[j];

		pthread_mutex_lock(&ns->mu);
		out->names += ns->count;
		out->memory += ns->mem;
		pthread_mutex_unlock(&ns->mu);
	}
	out->rejected = __atomic_load_n(&c->rejected, __ATOMIC_RELAXED);
	out->nomem = __atomic_load_n(&c->nomem, __ATOMIC_RELAXED);
}

void
fqdn_foreach(struct fqdn_cache *c, uint64_t now_ms, fqdn_foreach_fn *fn, void *ctx)
{
	struct fqdn_addr src, addr;

	for (uint32_t si = 0; si < c->nshards; si++) {
		struct fqdn_shard *s = &c->shard[si];

		pthread_mutex_lock(&s->mu);
		for (uint32_t i = s->lru_head; i != NONE; i = ent(s, i)->lru_next) {
			const struct fqdn_ent *e = ent(s, i);

			if (!alive(e, now_ms))
				continue;
			ent_src(e, &src);
			ent_addr(e, &addr);
			fn(ctx, &src, e->name->text, &addr, e->expires_ms, e->refs);
		}
		pthread_mutex_unlock(&s->mu);
	}
}

/* Looks at up to n slots of s from its hand; returns how many it dropped. */
static unsigned
shard_sweep(struct fqdn_cache *c, struct fqdn_shard *s, uint64_t now_ms, unsigned n)
{
	struct fqdn_name *names[SWEEP_BATCH];
	unsigned dropped = 0, k, m;

	while (n > 0) {
		pthread_mutex_lock(&s->mu);
		if (n > s->nslots)
			n = s->nslots;
		m = n < SWEEP_BATCH ? n : SWEEP_BATCH;
		n -= m;
		s->now_ms = now_ms;
		for (k = 0; m > 0; m--) {
			struct fqdn_ent *e = ent(s, s->hand);

			if (e->name != NULL && !alive(e, now_ms)) {
				s->st.expired++;
				names[k++] = drop_ent(c, s, s->hand);
			}
			if (++s->hand >= s->nslots)
				s->hand = 0;
		}
		pthread_mutex_unlock(&s->mu);
		name_put_all(c, names, k);
		dropped += k;
	}
	return dropped;
}

/*
 * The budget is shared evenly among the shards, starting from a shard
 * that moves on with each call, so that small budgets reach them all.
 */
unsigned
fqdn_expire(struct fqdn_cache *c, uint64_t now_ms, unsigned budget)
{
	uint32_t first = __atomic_fetch_add(&c->expire_next, 1, __ATOMIC_RELAXED);
	unsigned quota = budget / c->nshards + 1, dropped = 0;

	for (uint32_t k = 0; k < c->nshards && budget > 0; k++) {
		unsigned n = quota < budget ? quota : budget;

		budget -= n;
		dropped += shard_sweep(c, &c->shard[(first + k) & (c->nshards - 1)], now_ms, n);
	}
	return dropped;
}
