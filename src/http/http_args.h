/*
 * http_args.h: a request's arguments (issue 16, the sensors' args
 * context): each query and form parameter, JSON value and cookie, by name
 * and value, URL-decoded once, so that rules can be written as the CRS
 * writes them, on what the application reads rather than on its encoded
 * forms.
 *
 * - query and form (application/x-www-form-urlencoded): "a=1&b=2"; '+'
 *   is a space, %XX a byte (a '%' not followed by two hex digits stays);
 *   a pair with no '=' is a name with an empty value; empty pairs are
 *   skipped.
 * - cookies (a Cookie header's value): "a=1; b=2", %XX decoded, '+' kept.
 * - JSON (application/json, or a type ending in +json): each scalar value (string with its
 *   escapes resolved, \uXXXX as UTF-8; number, true, false, null as
 *   written) by its path: keys joined with '.', array items by their index
 *   ("user.roles.0").  An object key is also an argument's name.
 *
 * Parsers are streaming: fed in pieces of any size, they give the same
 * arguments whatever the cuts.  Bounds: a name keeps HTTP_ARG_NAME_MAX
 * bytes, a value HTTP_ARG_VALUE_MAX (the rest is dropped, and flagged);
 * JSON nests HTTP_ARG_DEPTH_MAX deep at most.  Malformed JSON stops the
 * parser (HTTP_ARGS_F_MALFORMED); what came before stands.
 */
#ifndef NVD_HTTP_ARGS_H
#define NVD_HTTP_ARGS_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_ARG_NAME_MAX	256
#define HTTP_ARG_VALUE_MAX	4096
#define HTTP_ARG_DEPTH_MAX	32

#define HTTP_ARGS_F_CUT		0x1	/* a name or value past its bound was cut */
#define HTTP_ARGS_F_MALFORMED	0x2	/* JSON that does not parse: stopped */
#define HTTP_ARGS_F_DEEP	0x4	/* JSON nested past the bound: stopped */

enum http_args_kind {
	HTTP_ARGS_FORM = 0,	/* query string or form body */
	HTTP_ARGS_COOKIE,
	HTTP_ARGS_JSON,
};

/* One argument; name and value are valid during the call only. */
typedef void (*http_arg_fn)(void *ctx, const uint8_t *name, size_t nlen,
    const uint8_t *value, size_t vlen);

struct http_args;

/* NULL when out of memory. */
struct http_args *http_args_new(enum http_args_kind kind);
void http_args_free(struct http_args *a);
/* The next bytes; fn gets each argument as soon as it is whole. */
void http_args_feed(struct http_args *a, const uint8_t *buf, size_t len, http_arg_fn fn,
    void *ctx);
/* The end of the input: the argument under way, if any. */
void http_args_end(struct http_args *a, http_arg_fn fn, void *ctx);
unsigned http_args_flags(const struct http_args *a);

/*
 * The body kind of a Content-Type header value: FORM, JSON, or -1 for
 * any other (multipart, XML, text).
 */
int http_args_content_kind(const uint8_t *v, size_t len);

#endif
