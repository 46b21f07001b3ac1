/*
 * proto_http.h: the HTTP/1.x request head and status line reader that
 * proto_http.c and the h2c upgrade path of proto_http2.c share (RFC 9112
 * sections 3-5, RFC 7540 section 3.2).
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
 * The client's request head and the server's first bytes, as far as they
 * go (RFC 9112 sections 3-5): APP_NO when the client's bytes cannot be an
 * HTTP/1.x request, or its request line did not end before a close or
 * APP_PROBE_MAX; APP_MAYBE while the request line, or the rest of the
 * head, is still to come (the head is not waited for past a close, the
 * limit, or a status other than 101); else APP_YES with h filled and
 * *status the server's status code (0 while it has not come, -1 when the
 * server's bytes are no HTTP/1.x status line).
 */
enum app_result http1_exchange(const struct app_input *in, struct http1_head *h, int *status);

/* The request's method, target and Host into info, with version ("1.1"). */
void http1_head_info(const struct http1_head *h, const char *version, struct app_info *info);

#endif
