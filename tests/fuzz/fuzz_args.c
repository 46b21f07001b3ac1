/*
 * fuzz_args: the args context's parsers (http_args.h) on any bytes: the
 * first byte picks the kind and a cut, the rest is fed in two pieces; the
 * arguments must be the same as in one piece, and within their bounds.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct sum {
	uint64_t h;
	size_t n;
};

static void
arg(void *ctx, const uint8_t *name, size_t nlen, const uint8_t *value, size_t vlen)
{
	struct sum *s = ctx;

	if (nlen > HTTP_ARG_NAME_MAX || vlen > HTTP_ARG_VALUE_MAX)
		abort();
	for (size_t i = 0; i < nlen; i++)
		s->h = (s->h ^ name[i]) * 0x100000001b3ull;
	s->h = (s->h ^ 0x100) * 0x100000001b3ull;
	for (size_t i = 0; i < vlen; i++)
		s->h = (s->h ^ value[i]) * 0x100000001b3ull;
	s->h = (s->h ^ 0x200) * 0x100000001b3ull;
	s->n++;
}

static struct sum
run(enum http_args_kind kind, const uint8_t *p, size_t n, size_t cut, unsigned *fl)
{
	struct http_args *a = http_args_new(kind);
	struct sum s = { 0xcbf29ce484222325ull, 0 };

	if (a == NULL)
		return s;
	http_args_feed(a, p, cut, arg, &s);
	http_args_feed(a, p + cut, n - cut, arg, &s);
	http_args_end(a, arg, &s);
	*fl = http_args_flags(a);
	http_args_free(a);
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum http_args_kind kind;
	struct sum one, two;
	unsigned f1, f2;
	size_t cut;

	if (size < 1)
		return 0;
	kind = (enum http_args_kind)(data[0] % 3);
	data++;
	size--;
	cut = size ? (size_t)data[-1] * 7919 % (size + 1) : 0;
	one = run(kind, data, size, size, &f1);
	two = run(kind, data, size, cut, &f2);
	if (one.h != two.h || one.n != two.n || f1 != f2)
		abort();
	return 0;
}
