/*
 * http_chunked.c: chunked transfer decoding, one byte of framing at a time
 * and chunk data in runs.
 */
#include "config.h"

#include "base/bytes.h"
#include "http/http_chunked.h"

enum {
	CH_SIZE0,	/* the first hex digit of a size */
	CH_SIZE,	/* more digits, or what ends them */
	CH_BWS,		/* blanks after the size: ';' or the line end next */
	CH_EXT,		/* ';' seen: extensions up to the line end */
	CH_SIZE_LF,	/* CR seen on the size line */
	CH_DATA,
	CH_DATA_END,	/* CRLF after the data */
	CH_DATA_LF,
	CH_TRAILER,	/* the start of a trailer line, or the final CRLF */
	CH_TRAILER_LINE,
	CH_LAST_LF,	/* CR of the final empty line seen */
	CH_DONE,
	CH_ERROR,
};

void
http_chunked_init(struct http_chunked *c, size_t trailer_max)
{
	c->state = CH_SIZE0;
	c->remain = 0;
	c->line = 0;
	c->trailer = 0;
	c->trailer_max = trailer_max;
}

int
http_chunked_done(const struct http_chunked *c)
{
	return c->state == CH_DONE;
}

/* The size line ended. */
static int
size_done(struct http_chunked *c)
{
	c->line = 0;
	return c->remain == 0 ? CH_TRAILER : CH_DATA;
}

/* One byte of a size line. */
static int
size_byte(struct http_chunked *c, uint8_t b)
{
	int v = hexval(b);

	if (++c->line > HTTP_CHUNK_LINE_MAX)
		return CH_ERROR;
	switch (c->state) {
	case CH_SIZE0:
	case CH_SIZE:
		if (v >= 0) {
			if (c->remain > UINT64_MAX >> 4)
				return CH_ERROR;
			c->remain = c->remain << 4 | (uint64_t)v;
			return CH_SIZE;
		}
		if (c->state == CH_SIZE0)
			return CH_ERROR;
		/* FALLTHROUGH */
	case CH_BWS:
		if (b == ' ' || b == '\t')
			return CH_BWS;
		if (b == ';')
			return CH_EXT;
		/* FALLTHROUGH */
	case CH_EXT:
		if (b == '\r')
			return CH_SIZE_LF;
		if (b == '\n')
			return size_done(c);
		if (c->state != CH_EXT || (b < 0x20 && b != '\t') || b == 0x7f)
			return CH_ERROR;
		return CH_EXT;
	default:	/* CH_SIZE_LF */
		return b == '\n' ? size_done(c) : CH_ERROR;
	}
}

/* One byte of the trailer section. */
static int
trailer_byte(struct http_chunked *c, uint8_t b)
{
	if (++c->trailer > c->trailer_max)
		return CH_ERROR;
	switch (c->state) {
	case CH_TRAILER:
		if (b == '\r')
			return CH_LAST_LF;
		return b == '\n' ? CH_DONE : CH_TRAILER_LINE;
	case CH_TRAILER_LINE:
		return b == '\n' ? CH_TRAILER : CH_TRAILER_LINE;
	default:	/* CH_LAST_LF */
		return b == '\n' ? CH_DONE : CH_ERROR;
	}
}

/* One byte of framing. */
static int
step(struct http_chunked *c, uint8_t b)
{
	switch (c->state) {
	case CH_SIZE0:
	case CH_SIZE:
	case CH_BWS:
	case CH_EXT:
	case CH_SIZE_LF:
		return size_byte(c, b);
	case CH_DATA_END:
		if (b == '\r')
			return CH_DATA_LF;
		/* FALLTHROUGH */
	case CH_DATA_LF:
		return b == '\n' ? CH_SIZE0 : CH_ERROR;
	default:
		return trailer_byte(c, b);
	}
}

ssize_t
http_chunked_feed(struct http_chunked *c, const uint8_t *buf, size_t len,
    void (*out)(void *arg, const uint8_t *data, size_t n), void *arg)
{
	size_t i = 0;

	while (i < len && c->state != CH_DONE) {
		if (c->state == CH_ERROR)
			return -1;
		if (c->state == CH_DATA) {
			size_t n = len - i;

			if (n > c->remain)
				n = (size_t)c->remain;
			out(arg, buf + i, n);
			i += n;
			c->remain -= n;
			if (c->remain == 0)
				c->state = CH_DATA_END;
			continue;
		}
		c->state = step(c, buf[i++]);
	}
	return c->state == CH_ERROR ? -1 : (ssize_t)i;
}
