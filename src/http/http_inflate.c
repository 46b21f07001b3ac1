/*
 * http_inflate.c: bounded gzip and deflate decoding over zlib, which is a
 * well-kept inflate and not ours to write.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

#include "http/http_flags.h"
#include "http/http_inflate.h"

#define SLICE_MAX	(1u << 30)	/* what one inflate() call is given (a uInt) */

enum {
	INF_HOLD,	/* holding the first bytes until they are judged */
	INF_RUN,
	INF_RAW,	/* not encoded as it said: passed as is */
	INF_END,	/* a deflate stream ended */
	INF_STOP,	/* error or bound: nothing more is given */
};

struct http_inflate {
	z_stream zs;
	int zinit;		/* zs holds zlib's state */
	int gzip;
	int state;
	int ended;		/* a gzip member ended and no byte of another came */
	uint8_t pre[HTTP_INFLATE_PRE];
	size_t npre;
	uint64_t in, out;	/* bytes consumed and given */
	size_t out_max, floor;
	unsigned ratio;
};

struct http_inflate *
http_inflate_new(int gzip, size_t out_max, unsigned ratio, size_t floor)
{
	struct http_inflate *z = calloc(1, sizeof(*z));

	if (z == NULL)
		return NULL;
	z->gzip = gzip;
	z->state = INF_HOLD;
	z->out_max = out_max;
	z->ratio = ratio > 0 ? ratio : 1;
	z->floor = floor;
	return z;
}

static void
zstate_free(struct http_inflate *z)
{
	if (z->zinit)
		inflateEnd(&z->zs);
	z->zinit = 0;
}

void
http_inflate_free(struct http_inflate *z)
{
	if (z == NULL)
		return;
	zstate_free(z);
	free(z);
}

static void
stop(struct http_inflate *z)
{
	z->state = INF_STOP;
	zstate_free(z);
}

/* Gives n bytes of output, as far as out_max allows. */
static unsigned
emit(struct http_inflate *z, const uint8_t *buf, size_t n, http_out_fn out, void *arg)
{
	unsigned f = 0;

	if (n > z->out_max - z->out) {
		n = z->out_max - z->out;
		f = HTTP_F_INFLATE_LIMIT;
	}
	if (n > 0)
		out(arg, buf, n);
	z->out += n;
	return f;
}

/* After a stream's end: the next gzip member, or the end of deflate. */
static unsigned
stream_end(struct http_inflate *z)
{
	z->ended = 1;
	if (z->gzip)
		return inflateReset(&z->zs) == Z_OK ? 0 : HTTP_F_INFLATE_ERROR;
	z->state = INF_END;
	if (z->zs.avail_in > 0)
		return HTTP_F_INFLATE_ERROR;	/* bytes after the stream */
	zstate_free(z);
	return 0;
}

/* Inflates len (at most SLICE_MAX) bytes; stops on an error or a bound. */
static unsigned
run(struct http_inflate *z, const uint8_t *in, size_t len, http_out_fn out, void *arg)
{
	uint8_t buf[4096];
	unsigned f = 0;

	z->zs.next_in = in;
	z->zs.avail_in = (uInt)len;
	while (z->state == INF_RUN) {
		uInt before = z->zs.avail_in;
		int rc;

		z->zs.next_out = buf;
		z->zs.avail_out = sizeof(buf);
		rc = inflate(&z->zs, Z_NO_FLUSH);
		z->in += before - z->zs.avail_in;
		if (before != z->zs.avail_in)
			z->ended = 0;
		f |= emit(z, buf, sizeof(buf) - z->zs.avail_out, out, arg);
		if (rc == Z_STREAM_END)
			f |= stream_end(z);
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			f |= HTTP_F_INFLATE_ERROR;
		else if (z->out > z->floor && z->out / z->ratio > z->in)
			f |= HTTP_F_INFLATE_RATIO;
		if (f & (HTTP_F_INFLATE_ERROR | HTTP_F_INFLATE_LIMIT | HTTP_F_INFLATE_RATIO)) {
			stop(z);
			break;
		}
		if (rc != Z_STREAM_END && z->zs.avail_out != 0)
			break;	/* all input taken */
		if (rc == Z_STREAM_END && z->zs.avail_in == 0)
			break;
	}
	return f;
}

/* RFC 1950 section 2.2: deflate, a window of at most 32 KB, FCHECK. */
static int
zlib_header(const uint8_t *p, size_t n)
{
	return n >= 2 && (p[0] & 0x0f) == 8 && (p[0] >> 4) <= 7 && ((p[0] << 8) | p[1]) % 31 == 0;
}

static unsigned
pass_raw(struct http_inflate *z, http_out_fn out, void *arg)
{
	zstate_free(z);
	z->state = INF_RAW;
	if (z->npre > 0)
		out(arg, z->pre, z->npre);
	return HTTP_F_ENC_MISMATCH;
}

/*
 * Whether the bytes held begin a stream: inflated once into nothing, they
 * must not be in error and, when they are the whole body, must end it.
 */
static int
begins_stream(struct http_inflate *z, int final)
{
	uint8_t sink[4096];
	int rc;

	z->zs.next_in = z->pre;
	z->zs.avail_in = (uInt)z->npre;
	do {
		z->zs.next_out = sink;
		z->zs.avail_out = sizeof(sink);
		rc = inflate(&z->zs, Z_NO_FLUSH);
	} while (rc == Z_OK && z->zs.avail_out == 0);
	if (rc == Z_STREAM_END)
		return 1;
	return (rc == Z_OK || rc == Z_BUF_ERROR) && !final;
}

/* Judges the bytes held (all of the body when final) and inflates them. */
static unsigned
judge(struct http_inflate *z, http_out_fn out, void *arg, int final)
{
	int wbits;

	if (z->gzip && (z->npre < 2 || z->pre[0] != 0x1f || z->pre[1] != 0x8b))
		return pass_raw(z, out, arg);
	if (z->gzip)
		wbits = 16 + MAX_WBITS;
	else
		wbits = zlib_header(z->pre, z->npre) ? MAX_WBITS : -MAX_WBITS;
	if (inflateInit2(&z->zs, wbits) != Z_OK) {
		stop(z);
		return HTTP_F_INFLATE_ERROR;
	}
	z->zinit = 1;
	if (!begins_stream(z, final) || inflateReset(&z->zs) != Z_OK)
		return pass_raw(z, out, arg);
	z->state = INF_RUN;
	return run(z, z->pre, z->npre, out, arg);
}

unsigned
http_inflate_feed(struct http_inflate *z, const uint8_t *in, size_t len,
    http_out_fn out, void *arg)
{
	unsigned f = 0;

	if (z->state == INF_HOLD) {
		size_t n = HTTP_INFLATE_PRE - z->npre;

		if (n > len)
			n = len;
		memcpy(z->pre + z->npre, in, n);
		z->npre += n;
		in += n;
		len -= n;
		if (z->npre < HTTP_INFLATE_PRE)
			return 0;
		f = judge(z, out, arg, 0);
	}
	while (len > 0 && z->state == INF_RUN) {
		size_t n = len < SLICE_MAX ? len : SLICE_MAX;

		f |= run(z, in, n, out, arg);
		in += n;
		len -= n;
	}
	if (len > 0 && z->state == INF_RAW)
		out(arg, in, len);
	else if (len > 0 && z->state == INF_END)
		f |= HTTP_F_INFLATE_ERROR;
	return f;
}

unsigned
http_inflate_finish(struct http_inflate *z, http_out_fn out, void *arg)
{
	unsigned f = 0;

	if (z->state == INF_HOLD && z->npre > 0)
		f = judge(z, out, arg, 1);
	if (z->state == INF_RUN && !z->ended)
		f |= HTTP_F_INFLATE_ERROR;
	zstate_free(z);
	return f;
}
