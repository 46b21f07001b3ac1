/*
 * proto_http.h: the HTTP/1.x message head reader that proto_http.c and
 * the h2c upgrade path of proto_http2.c share (RFC 9112 sections 3-5,
 * RFC 7540 section 3.2).
 */
#ifndef NVD_PROTO_HTTP_H
#define NVD_PROTO_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "proto/app.h"

/* A request head as far as the bytes go; pointers point into those bytes. */
struct http1_head {
	const uint8_t *method, *target, *host;
	size_t method_len, target_len, host_len;
	char minor;		/* '0' or '1': HTTP/1.minor */
	int line_done;		/* the request line is complete and valid */
	int head_done;		/* the empty line that ends the header block came */
	int h2c;		/* Upgrade: h2c with HTTP2-Settings (an h2c upgrade) */
};

/*
 * Reads a client's first bytes as an HTTP/1.x request head.  Returns
 * APP_NO when they cannot be one, APP_YES when the head is complete,
 * APP_MAYBE while they are a valid beginning; h is filled as far as read.
 */
enum app_result http1_request(const uint8_t *p, size_t len, struct http1_head *h);

/*
 * Reads a server's first bytes as "HTTP/1.x NNN".  Returns the status
 * code, 0 while the bytes are a valid beginning, -1 when they are not one.
 */
int http1_status(const uint8_t *p, size_t len);

#endif
