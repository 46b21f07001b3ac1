/*
 * strmap.h: a map from strings to ints (indexes into the caller's arrays),
 * for what nvctl requests gather: the nodes of the conversation graph,
 * the names a policy document defines.  Open addressing, FNV-1a, grown
 * at half full; keys are copied.  Not for the packet path.
 *
 * Threads: one map, one thread at a time.
 */
#ifndef NVD_STRMAP_H
#define NVD_STRMAP_H

#include <stddef.h>

struct strmap {
	char **keys;		/* cap of them, NULL where free */
	int *vals;
	size_t cap, n;
};

/* An empty map (a zeroed struct is one too). */
void strmap_init(struct strmap *m);
void strmap_free(struct strmap *m);
/* The value of key, or -1 when it is not in the map. */
int strmap_get(const struct strmap *m, const char *key);
/* Sets key's value (a new key, or a new value for it, which cannot fail).
 * 0, or -1 for lack of memory (the map is as it was). */
int strmap_put(struct strmap *m, const char *key, int val);

#endif
