/*
 * http_chunked.h: the chunked transfer coding (RFC 9112 section 7.1),
 * decoded as it streams: chunk sizes with their extensions, chunk data,
 * the last chunk and the trailer section.  Extensions and trailer fields
 * are read and bounded but not given out.  A bare LF is taken for CRLF,
 * as RFC 9112 section 2.2 allows.
 */
#ifndef NVD_HTTP_CHUNKED_H
#define NVD_HTTP_CHUNKED_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HTTP_CHUNK_LINE_MAX	4096	/* a chunk size line with its extensions */

struct http_chunked {
	int state;
	uint64_t remain;	/* data bytes left in this chunk */
	size_t line;		/* bytes of the size line so far */
	size_t trailer;		/* bytes of the trailer section so far */
	size_t trailer_max;
};

void http_chunked_init(struct http_chunked *c, size_t trailer_max);

/*
 * Reads up to len bytes, giving chunk data to out(arg, ...) as it comes.
 * Returns the bytes consumed: all of them, or fewer when the body ended
 * (the rest belongs to the next message); -1 on a malformed body.
 */
ssize_t http_chunked_feed(struct http_chunked *c, const uint8_t *buf, size_t len,
    void (*out)(void *arg, const uint8_t *data, size_t n), void *arg);

/* The last chunk and the trailer section came: the body is complete. */
int http_chunked_done(const struct http_chunked *c);

#endif
