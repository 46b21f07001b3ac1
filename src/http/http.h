/*
 * http.h: a streaming HTTP/1.x message parser (RFC 9112) that cuts each
 * direction of a TCP stream into the contexts the sensors match
 * (sensor.h): the decoded request target (url), the header block
 * (header) and the decoded body (body).
 *
 * One parser per direction.  Bytes are fed in stream order, cut anyhow:
 * the callbacks are the same whatever the cuts (but for where a body is
 * split between body calls, and for where the inflate ratio bound stops a
 * body: it compares what went in and came out at each call).  A
 * message gives head(), then body() any number of times, then end();
 * pipelined and keep-alive messages each get their own.
 *
 * The response parser frames a body by the request it answers (no body
 * for HEAD; a 2xx to CONNECT leaves HTTP): the caller passes each request
 * method to it with http_parser_expect(), from the request parser's
 * head callback, in order.  Without that it takes every request for a GET.
 * A response flagged HTTP_F_UPGRADED (101, or 2xx to CONNECT) ends HTTP on
 * the connection: the response parser ignores what follows, and the
 * caller stops feeding the request parser, which would refuse the
 * tunnelled bytes.
 *
 * Every head() is followed by one end(), unless the parser is freed first.
 *
 * Memory is bounded per parser: the head is buffered up to head_max (a
 * request's with room for its url: twice that at most; the buffer is
 * given back when a head was large), bodies are streamed and
 * never buffered, and the inflate state (zlib's, about 40 KB) exists only
 * while a gzip or deflate body is being read.
 *
 * Not thread-safe: a parser belongs to the worker that owns its flow.
 */
#ifndef NVD_HTTP_H
#define NVD_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "http/http_flags.h"

/* Defaults of struct http_limits (a field left 0 takes its default). */
#define HTTP_HEAD_MAX		65536	/* start line, header block, empty lines */
#define HTTP_URL_MAX		8192	/* the decoded url, NUL not counted */
#define HTTP_INFLATE_MAX	(1u << 20)	/* inflated bytes per message */
#define HTTP_INFLATE_RATIO	100	/* inflated bytes per encoded byte ... */
#define HTTP_INFLATE_FLOOR	65536	/* ... once more than this came out */
#define HTTP_PENDING_MAX	32	/* requests awaiting their response */

struct http_limits {
	size_t head_max;
	size_t url_max;
	size_t inflate_max;
	unsigned inflate_ratio;
	/* Optional: the bytes of head buffers held by every parser that
	 * shares *mem (one thread's), at most mem_max; a head that would
	 * need more ends the stream with HTTP_F_NOMEM. */
	uint64_t *mem;
	uint64_t mem_max;
};

/* The body's coding, Content-Encoding and Transfer-Encoding together. */
enum http_coding {
	HTTP_CODING_IDENTITY = 0,
	HTTP_CODING_GZIP,	/* gzip, x-gzip */
	HTTP_CODING_DEFLATE,	/* zlib format, or raw deflate as some servers send */
	HTTP_CODING_OTHER,	/* anything else, or more than one coding: body raw */
};

/*
 * A message head.  Pointers point into the parser's buffer and are valid
 * only during the head callback.  Text is given as bytes and a length;
 * url is NUL-terminated too (but may hold a NUL from %00).
 */
struct http_head {
	int response;			/* 0 request, 1 response */
	int minor;			/* HTTP/1.minor */
	/* request */
	const uint8_t *method;		/* a token, at most 32 bytes */
	size_t method_len;
	const uint8_t *target;		/* as sent */
	size_t target_len;
	const uint8_t *url;		/* http_url_decode() of the target */
	size_t url_len;
	/* response */
	int status;			/* 100..999 */
	/* both */
	const uint8_t *headers;		/* the header lines, raw, with their line ends */
	size_t headers_len;		/* 0: no header */
	unsigned nheaders;		/* field lines (a folded one counts once) */
	int64_t content_length;		/* -1: none */
	int chunked;			/* Transfer-Encoding ends in chunked */
	enum http_coding coding;
	int has_body;			/* body() may follow */
	unsigned flags;			/* HTTP_F_* known at the head */
};

/* Any of them may be NULL.  A callback must not feed the same parser. */
struct http_callbacks {
	void (*head)(void *ctx, const struct http_head *h);
	/* Decoded body bytes, in order, in pieces of any size. */
	void (*body)(void *ctx, const uint8_t *data, size_t len);
	/* The message is complete (or cut short: HTTP_F_TRUNCATED). */
	void (*end)(void *ctx, unsigned flags);
};

struct http_parser;

/* lim NULL: the defaults.  Returns NULL when out of memory. */
struct http_parser *http_parser_new(int response_side, const struct http_limits *lim);
void http_parser_free(struct http_parser *p);

/*
 * Feeds the next len bytes of the stream.  Returns 0, or -1 once the
 * stream is not (or no longer) HTTP/1.x as this parser can follow it
 * (http_parser_flags() says why): from then on it returns -1 and ignores
 * its input.  After a gap, the end of the stream or an upgrade it returns
 * 0 and ignores its input.
 */
int http_parser_feed(struct http_parser *p, const uint8_t *buf, size_t len,
    const struct http_callbacks *cb, void *ctx);

/*
 * The stream ended (FIN).  A body read until the close ends here; a
 * message that had its head but not its end ends with HTTP_F_TRUNCATED.
 */
void http_parser_eof(struct http_parser *p, const struct http_callbacks *cb, void *ctx);

/* Bytes were lost: the parser stops (a message under way ends with
 * HTTP_F_TRUNCATED). */
void http_parser_gap(struct http_parser *p, const struct http_callbacks *cb, void *ctx);

/*
 * On the response parser: the next request on the connection has this
 * method.  Call it from the request parser's head callback.
 */
void http_parser_expect(struct http_parser *resp, const uint8_t *method, size_t len);

/* Every HTTP_F_* flag the stream showed so far. */
unsigned http_parser_flags(const struct http_parser *p);
/* Messages whose head was given. */
uint64_t http_parser_messages(const struct http_parser *p);
/* Whether the bytes of a head that is not whole yet are held (a message
 * began and its head did not end). */
int http_parser_head_pending(const struct http_parser *p);
/* Whether a message ended and no byte of the next one came yet. */
int http_parser_between(const struct http_parser *p);

#endif
