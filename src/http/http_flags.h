/*
 * http_flags.h: what the HTTP parser (http.h) and its decoders
 * (http_url.h, http_inflate.h) report of a message or a stream.
 */
#ifndef NVD_HTTP_FLAGS_H
#define NVD_HTTP_FLAGS_H

/*
 * Flags: what a message or a stream showed.  The first group are
 * anomalies of one message, given in its head (those known then) and at
 * its end (all of them).  The second group (HTTP_F_FATAL) end the stream:
 * feed() returns -1 from then on; a message under way ends with the flag.
 * The last two stop the parser without an error.  What to do with a
 * stream the parser gave up on is the caller's policy: it refuses what a
 * strict server refuses (RFC 9112), or what it cannot bound.
 */
#define HTTP_F_URL_BAD_ESCAPE	0x00000001u	/* '%' without two hex digits (kept as is) */
#define HTTP_F_URL_NUL		0x00000002u	/* %00 in the target */
#define HTTP_F_URL_ABOVE_ROOT	0x00000004u	/* ".." above the root (dropped) */
#define HTTP_F_URL_TRUNC	0x00000008u	/* decoded url cut at url_max */
#define HTTP_F_BAD_HEADER	0x00000010u	/* a line with no colon, a bad name, a control byte */
#define HTTP_F_OBS_FOLD		0x00000020u	/* a header line folded (RFC 9112 5.2) */
#define HTTP_F_AMBIGUOUS	0x00000040u	/* Transfer-Encoding with Content-Length, or in HTTP/1.0 */
#define HTTP_F_ENC_UNSUPPORTED	0x00000080u	/* coding not gzip or deflate, or several: body raw */
#define HTTP_F_ENC_MISMATCH	0x00000100u	/* said gzip/deflate, did not begin as one: body raw */
#define HTTP_F_INFLATE_ERROR	0x00000200u	/* encoded body corrupt, cut short or with bytes after it */
#define HTTP_F_INFLATE_LIMIT	0x00000400u	/* inflated past inflate_max: the rest not given */
#define HTTP_F_INFLATE_RATIO	0x00000800u	/* inflated past the ratio: the rest not given */
#define HTTP_F_PENDING_FULL	0x00001000u	/* more than HTTP_PENDING_MAX requests unanswered */
#define HTTP_F_TRUNCATED	0x00002000u	/* the stream ended (or lost bytes) inside this message */
#define HTTP_F_UPGRADED		0x00004000u	/* 101, or 2xx to CONNECT: no HTTP after this response */

#define HTTP_F_NOT_HTTP		0x00010000u	/* a start line that is not HTTP/1.x */
#define HTTP_F_HEAD_TOO_LONG	0x00020000u	/* a head over head_max */
#define HTTP_F_BAD_LENGTH	0x00040000u	/* a Content-Length invalid or in conflict */
#define HTTP_F_BAD_TE		0x00080000u	/* a request's Transfer-Encoding not ending in chunked */
#define HTTP_F_BAD_CHUNK	0x00100000u	/* a bad chunk size line, chunk end or trailer */
#define HTTP_F_NOMEM		0x00200000u
#define HTTP_F_GAP		0x00400000u	/* bytes were lost: parsing stopped */
#define HTTP_F_EOF		0x00800000u	/* the stream ended */
#define HTTP_F_FATAL		0x003f0000u

#endif
