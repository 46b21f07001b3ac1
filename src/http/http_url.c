/*
 * http_url.c: percent-decoding (RFC 3986 section 2.1) and path
 * normalisation (section 5.2.4) of a request target.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "base/bytes.h"
#include "http/http_flags.h"
#include "http/http_url.h"

/* Output into room for the target and one byte more (see the header). */
struct out {
	uint8_t *p;
	size_t len;
};

static void
put(struct out *o, uint8_t c)
{
	o->p[o->len++] = c;
}

/* Appends s (n bytes) percent-decoded; plus: '+' is a space. */
static void
decode(struct out *o, const uint8_t *s, size_t n, int plus, unsigned *flags)
{
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '+' && plus) {
			put(o, ' ');
			continue;
		}
		if (s[i] != '%') {
			put(o, s[i]);
			continue;
		}
		if (n - i < 3 || (hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0) {
			*flags |= HTTP_F_URL_BAD_ESCAPE;
			put(o, '%');
			continue;
		}
		if (hi == 0 && lo == 0)
			*flags |= HTTP_F_URL_NUL;
		put(o, (uint8_t)(hi << 4 | lo));
		i += 2;
	}
}

/*
 * Removes "." and ".." segments and empty ones from the n bytes at s, in
 * place; s is empty or begins with '/'.  Returns the new length (0 for an
 * empty path).  The output never outgrows the input read so far, so the
 * writes stay behind the reads.
 */
static size_t
normalise(uint8_t *s, size_t n, unsigned *flags)
{
	size_t r = 0, w = 0;

	while (r < n) {
		size_t seg = r + 1, end = seg;

		while (end < n && s[end] != '/')
			end++;
		if (end - seg == 2 && s[seg] == '.' && s[seg + 1] == '.') {
			if (w == 0)
				*flags |= HTTP_F_URL_ABOVE_ROOT;
			while (w > 0 && s[--w] != '/')
				;
		} else if (end - seg > 1 || (end - seg == 1 && s[seg] != '.')) {
			s[w++] = '/';
			memmove(s + w, s + seg, end - seg);
			w += end - seg;
			r = end;
			continue;
		}
		/* A dropped last segment leaves the path ending in '/'. */
		if (end == n)
			s[w++] = '/';
		r = end;
	}
	return w;
}

/* Length of "scheme://authority" at the start of t, or 0 if none. */
static size_t
absolute_prefix(const uint8_t *t, size_t n)
{
	size_t i = 0;

	if (n == 0 || !isalpha(t[0]))
		return 0;
	while (i < n && (isalnum(t[i]) || t[i] == '+' || t[i] == '-' || t[i] == '.'))
		i++;
	if (n - i < 3 || memcmp(t + i, "://", 3) != 0)
		return 0;
	for (i += 3; i < n && t[i] != '/' && t[i] != '?'; i++)
		;
	return i;
}

/* Decodes and normalises the path t (n bytes) at the end of o. */
static void
path(struct out *o, const uint8_t *t, size_t n, unsigned *flags)
{
	size_t start = o->len;

	decode(o, t, n, 0, flags);
	o->len = start + normalise(o->p + start, o->len - start, flags);
	if (o->len == start)
		put(o, '/');
}

size_t
http_url_decode(const uint8_t *t, size_t n, uint8_t *out, size_t max, unsigned *flags)
{
	struct out o = { out, 0 };
	const uint8_t *q = memchr(t, '?', n);
	size_t plen = q != NULL ? (size_t)(q - t) : n;
	size_t abs = absolute_prefix(t, plen);

	if (abs > 0) {
		for (size_t i = 0; i < abs; i++)
			put(&o, (uint8_t)tolower(t[i]));
		path(&o, t + abs, plen - abs, flags);
	} else if (plen > 0 && t[0] == '/')
		path(&o, t, plen, flags);
	else
		decode(&o, t, plen, 0, flags);
	if (q != NULL) {
		put(&o, '?');
		decode(&o, q + 1, n - plen - 1, 1, flags);
	}
	if (o.len > max) {
		*flags |= HTTP_F_URL_TRUNC;
		return max;
	}
	return o.len;
}
