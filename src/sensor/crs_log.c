/*
 * crs_log.c: ModSecurity's log lines read back (crs_log.h).
 */
#include "config.h"

#include <string.h>

#include "sensor/crs_log.h"

/* The first occurrence of the n bytes of s in [p, end), or NULL. */
static const char *
find(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	for (; (size_t)(end - p) >= n; p++)
		if (*p == *s && memcmp(p, s, n) == 0)
			return p;
	return NULL;
}

/* Digits at p (at most 9) up to end: their value and *after, or -1. */
static int
digits(const char *p, const char *end, const char **after)
{
	int v = 0, n = 0;

	while (p < end && *p >= '0' && *p <= '9' && n < 9) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	*after = p;
	return n > 0 ? v : -1;
}

/*
 * Whether a genuine id marker starts at p: '"] [line "DIGITS"] [id
 * "DIGITS"] [rev "'.  Sets *id and *after (past the marker).
 */
static int
marker(const char *p, const char *end, int *id, const char **after)
{
	static const char a[] = "\"] [line \"", b[] = "\"] [id \"", c[] = "\"] [rev \"";
	const char *q;

	if ((size_t)(end - p) < sizeof(a) - 1 || memcmp(p, a, sizeof(a) - 1) != 0)
		return 0;
	if (digits(p + sizeof(a) - 1, end, &q) < 0 || (size_t)(end - q) < sizeof(b) - 1 ||
	    memcmp(q, b, sizeof(b) - 1) != 0)
		return 0;
	if ((*id = digits(q + sizeof(b) - 1, end, &q)) < 0 ||
	    (size_t)(end - q) < sizeof(c) - 1 || memcmp(q, c, sizeof(c) - 1) != 0)
		return 0;
	*after = q + sizeof(c) - 1;
	return 1;
}

/* Copies [p, e) into out (cap bytes) as crs_log.h says: masked, cut. */
static void
copy_masked(char *out, size_t cap, const char *p, const char *e)
{
	size_t n = (size_t)(e - p), keep = n < cap - 1 ? n : cap - 4;

	for (size_t i = 0; i < keep; i++)
		out[i] = p[i] >= 0x20 && p[i] <= 0x7e ? p[i] : '?';
	if (keep < n) {
		memcpy(out + keep, "...", 3);
		keep += 3;
	}
	out[keep] = '\0';
}

int
crs_log_parse(const char *line, size_t len, struct crs_hit *h)
{
	const char *end = line + len, *after = NULL, *p, *m, *d;
	int n = 0, id = -1, any = 0;

	memset(h, 0, sizeof(*h));
	h->id = -1;
	for (p = line; (p = find(p, end, "\"] [line \"")) != NULL; p++) {
		const char *a;
		int v;

		if (!marker(p, end, &v, &a))
			continue;
		any = 1;
		if (n++ == 0) {
			id = v;
			after = a;
		}
	}
	if (!any)
		return -1;
	if (n != 1)
		return 0;
	h->id = id;
	if ((m = find(after, end, "\"] [msg \"")) == NULL)
		return 0;
	m += 9;
	if ((d = find(m, end, "\"] [data \"")) == NULL) {
		copy_masked(h->msg, sizeof(h->msg), m, m);
		return 0;
	}
	copy_masked(h->msg, sizeof(h->msg), m, d);
	d += 10;
	if ((p = find(d, end, "\"] [severity \"")) != NULL)
		copy_masked(h->data, sizeof(h->data), d, p);
	return 0;
}
