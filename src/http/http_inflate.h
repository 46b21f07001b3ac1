/*
 * http_inflate.h: gzip and deflate bodies (RFC 9110 section 8.4.1)
 * inflated with zlib, bounded in output and in ratio.
 *
 * Deflate is the zlib format by the RFC, but some servers send raw
 * deflate: the first two bytes tell which.  The first HTTP_INFLATE_PRE
 * bytes of a body are held until they are judged, so that a body that
 * only claims a coding (plain text labelled gzip, an evasion) is given
 * raw with HTTP_F_ENC_MISMATCH: one that does not begin with gzip's magic,
 * whose first bytes do not inflate without error, or which is no longer
 * than that and does not end its stream.
 */
#ifndef NVD_HTTP_INFLATE_H
#define NVD_HTTP_INFLATE_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_INFLATE_PRE	32

struct http_inflate;

typedef void (*http_out_fn)(void *arg, const uint8_t *data, size_t n);

/*
 * gzip: 1 for gzip, 0 for deflate.  Output stops past out_max bytes
 * (HTTP_F_INFLATE_LIMIT) or once more than floor bytes came out at more
 * than ratio bytes per byte in (HTTP_F_INFLATE_RATIO).  NULL when out of
 * memory.  zlib's own state is allocated when the first bytes are judged
 * and freed as soon as output stops, or by http_inflate_free().
 */
struct http_inflate *http_inflate_new(int gzip, size_t out_max, unsigned ratio, size_t floor);
void http_inflate_free(struct http_inflate *z);

/* Inflates the next len bytes to out(arg, ...); returns HTTP_F_* flags. */
unsigned http_inflate_feed(struct http_inflate *z, const uint8_t *in, size_t len,
    http_out_fn out, void *arg);

/* The body ended: judges a body shorter than HTTP_INFLATE_PRE, and flags
 * a stream that did not end (HTTP_F_INFLATE_ERROR). */
unsigned http_inflate_finish(struct http_inflate *z, http_out_fn out, void *arg);

#endif
