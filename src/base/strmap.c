/*
 * strmap.c: strings to ints (strmap.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"

void
strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void
strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	strmap_init(m);
}

static uint64_t
hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* The slot of key, or the free slot where it would go (cap is a power of 2). */
static size_t
slot(char *const *keys, size_t cap, const char *key)
{
	size_t i = (size_t)hash(key) & (cap - 1);

	while (keys[i] != NULL && strcmp(keys[i], key) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

int
strmap_get(const struct strmap *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return -1;
	i = slot(m->keys, m->cap, key);
	return m->keys[i] ? m->vals[i] : -1;
}

static int
grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	char **keys = calloc(cap, sizeof(*keys));
	int *vals = calloc(cap, sizeof(*vals));

	if (keys == NULL || vals == NULL) {
		free(keys);
		free(vals);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		size_t k;

		if (m->keys[i] == NULL)
			continue;
		k = slot(keys, cap, m->keys[i]);
		keys[k] = m->keys[i];
		vals[k] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

int
strmap_put(struct strmap *m, const char *key, int val)
{
	size_t i;

	if (m->cap > 0 && m->keys[i = slot(m->keys, m->cap, key)] != NULL) {
		m->vals[i] = val;	/* a new value: never fails */
		return 0;
	}
	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return -1;
	i = slot(m->keys, m->cap, key);
	if (m->keys[i] == NULL) {
		if ((m->keys[i] = strdup(key)) == NULL)
			return -1;
		m->n++;
	}
	m->vals[i] = val;
	return 0;
}
