/*
 * fqdn.h: the IP to FQDN cache (issue 4).
 *
 * nvd sees the DNS answers its containers get.  Each answer binds its
 * names to its addresses for the container that asked (the source); when
 * that container later connects to an address, the policy asks which names
 * that source resolved for it, to match rules such as *.example.com.
 *
 * A binding is (source, name, address).  It lives for max(TTL, min_ttl)
 * seconds from its last bind, and longer while a connection holds it
 * (fqdn_use/fqdn_release).  The cache is bounded by max_bindings: a new
 * binding at the bound replaces, in its own shard, an expired one near the
 * least recently used end, else the least recently used one, even if a
 * connection holds it (counted apart: its handle becomes stale).  So the
 * order is least recently used per shard; with many bindings per shard
 * that is close to the whole cache's.  Bindings are touched when bound,
 * found by fqdn_names or used.
 *
 * Threading: every function may be called from any thread, concurrently,
 * except fqdn_cache_new and fqdn_cache_free.  The bindings are split into
 * shards by address, each under its own mutex, and names are interned in a
 * table split the same way by name; a call takes one shard lock at a time
 * (fqdn_bind of a new binding takes up to three, one after the other), for
 * a short walk of one hash chain, and never two at once.  Memory is
 * allocated outside the locks except, rarely, a shard's table of chunks
 * as it doubles, or a chunk of entries when two threads race for the last
 * free slot.
 *
 * Memory: entries are fixed-size (80 bytes), in chunks of a shard's pool
 * that is never shrunk; hash buckets grow with the entries; a name is
 * stored once however many bindings share it.  About 90 bytes per binding
 * with its share of the names (bench/fqdn_mem).  The bound may be passed
 * by a few bindings while several threads bind at once.
 *
 * Addresses: family AF_INET or AF_INET6, an IPv4 address in the first 4
 * bytes of addr (the rest is ignored).  Names are compared without regard
 * to ASCII case and a final dot; they are returned in lower case.
 */
#ifndef NVD_FQDN_H
#define NVD_FQDN_H

#include <stdint.h>

#define FQDN_NAME_MAX			253	/* text length, without a final dot */
#define FQDN_MAX_BINDINGS_DEFAULT	1000000
#define FQDN_SHARDS_DEFAULT		64
#define FQDN_SHARDS_MAX			256
#define FQDN_SHARD_SLOTS_MAX		((1u << 24) - 1)	/* handles hold 24 bits */

struct fqdn_cache;

struct fqdn_limits {
	uint64_t max_bindings;	/* 0: FQDN_MAX_BINDINGS_DEFAULT */
	uint32_t min_ttl;	/* seconds; a shorter TTL counts as this */
	/*
	 * Lock shards, rounded up to a power of two, at most FQDN_SHARDS_MAX;
	 * 0: FQDN_SHARDS_DEFAULT.  Read by fqdn_cache_new only.  One shard
	 * makes the eviction order exactly least recently used (tests).  A
	 * shard holds at most FQDN_SHARD_SLOTS_MAX bindings.
	 */
	uint32_t shards;
};

struct fqdn_addr {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
};

struct fqdn_stats {
	uint64_t bindings;	/* held now, including expired ones not yet dropped */
	uint64_t names;		/* distinct names held now */
	uint64_t refs;		/* references held now by connections */
	uint64_t binds;		/* new bindings */
	uint64_t refreshes;	/* binds of a (source, name, address) already held */
	uint64_t lookups;	/* fqdn_names calls */
	uint64_t hits;		/* fqdn_names calls that found a name */
	uint64_t uses;		/* handles given by fqdn_use */
	uint64_t expired;	/* dropped after their time, by fqdn_expire or at the bound */
	uint64_t evicted;	/* dropped alive at the bound, unreferenced */
	uint64_t evicted_in_use;	/* dropped at the bound while referenced */
	uint64_t rejected;	/* binds refused: bad name or address */
	uint64_t nomem;		/* binds lost for want of memory */
	uint64_t memory;	/* bytes held: entries, hash buckets, names */
};

/*
 * Returns NULL when memory for the shards could not be had.  Entries are
 * allocated as bindings arrive.  The hash seed is random.  A max_bindings
 * beyond what the shards can hold is cut to it (fqdn_set_limits says so).
 */
struct fqdn_cache *fqdn_cache_new(const struct fqdn_limits *lim);
/* Frees everything; outstanding handles must not be released afterwards. */
void fqdn_cache_free(struct fqdn_cache *c);
/*
 * New max_bindings and min_ttl (a reload; shards stays).  A lower bound
 * drops the least recently used bindings of each shard at once, down to
 * its part of the new bound; min_ttl applies to later binds.  Returns 0,
 * or -1 when max_bindings is more than the shards can hold (shards times
 * FQDN_SHARD_SLOTS_MAX), which is then the bound.
 */
int fqdn_set_limits(struct fqdn_cache *c, const struct fqdn_limits *lim);

/*
 * Binds name to addr for source src, until now_ms + max(ttl, min_ttl)
 * seconds, or refreshes that binding (its expiry becomes the later of the
 * two).  Returns 0, or -1 for a bad name (empty, or longer than
 * FQDN_NAME_MAX) or address family (counted in rejected) or no memory
 * (nomem).
 */
int fqdn_bind(struct fqdn_cache *c, const struct fqdn_addr *src, const char *name,
    const struct fqdn_addr *addr, uint32_t ttl, uint64_t now_ms);

/*
 * The names src resolved for addr that are alive (not expired, or held by
 * a connection); with src NULL, those of any source, each name once.
 * Copies up to max of them into out (NUL-terminated, lower case; out may
 * be NULL when max is 0) and returns how many there are, which may exceed
 * max.  Order: unspecified.
 */
int fqdn_names(struct fqdn_cache *c, const struct fqdn_addr *src, const struct fqdn_addr *addr,
    uint64_t now_ms, char (*out)[FQDN_NAME_MAX + 1], int max);

/*
 * A connection from src to addr was judged with the binding of name: it
 * stays alive until the handle is released.  Returns the handle, or 0 when
 * there is no such live binding.  Each handle must be released once.
 */
uint64_t fqdn_use(struct fqdn_cache *c, const struct fqdn_addr *src, const char *name,
    const struct fqdn_addr *addr, uint64_t now_ms);
/*
 * Ends a use.  The binding then expires at its own time: the last release
 * after that time drops it.  A handle of 0, or of a binding evicted since,
 * does nothing.
 */
void fqdn_release(struct fqdn_cache *c, uint64_t handle, uint64_t now_ms);

/* Counters summed over the shards (each read under its lock). */
void fqdn_stats(struct fqdn_cache *c, struct fqdn_stats *out);

/*
 * Calls fn for each alive binding, shard by shard, under that shard's
 * lock: fn must be quick and must not call into the cache.  The pointers
 * passed are valid during the call only.  expires_ms may have passed when
 * refs is not 0.
 */
typedef void fqdn_foreach_fn(void *ctx, const struct fqdn_addr *src, const char *name,
    const struct fqdn_addr *addr, uint64_t expires_ms, uint32_t refs);
void fqdn_foreach(struct fqdn_cache *c, uint64_t now_ms, fqdn_foreach_fn *fn, void *ctx);

/*
 * Looks at up to budget entries, resuming where the last call stopped so
 * that repeated calls sweep the whole cache, and drops those expired and
 * unreferenced.  Returns how many it dropped.  Meant for a timer (one
 * thread at a time is enough, but any may call).
 */
unsigned fqdn_expire(struct fqdn_cache *c, uint64_t now_ms, unsigned budget);

#endif
