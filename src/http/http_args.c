/*
 * http_args.c: a request's arguments, streaming (http_args.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/bytes.h"
#include "http/http_args.h"

enum json_state {
	J_VALUE,		/* a value is expected */
	J_VALUE_OR_END,		/* ... or ']' (an array just opened) */
	J_KEY,			/* a key is expected */
	J_KEY_OR_END,		/* ... or '}' (an object just opened) */
	J_COLON,
	J_AFTER,		/* ',' or the container's end */
	J_STRING,
	J_ESC,
	J_UNICODE,
	J_LITERAL,
	J_DONE,			/* the top value ended: white space only */
	J_STOP,			/* malformed or too deep */
};

struct level {
	uint8_t array;
	uint32_t index;
	size_t base;		/* the path's length at the container */
};

struct http_args {
	enum http_args_kind kind;
	unsigned flags;
	uint8_t name[HTTP_ARG_NAME_MAX];
	size_t nlen;
	uint8_t value[HTTP_ARG_VALUE_MAX];
	size_t vlen;
	/* form and cookie */
	int in_value, any;	/* after '='; something of the pair was seen */
	int pct;		/* hex digits of a %XX read so far (1, 2), or 0 */
	uint8_t hex[2];
	/* JSON */
	enum json_state js;
	int key;		/* the string being read is a key */
	unsigned ucode;
	int udigits;
	int depth;
	struct level lv[HTTP_ARG_DEPTH_MAX];
};

struct http_args *
http_args_new(enum http_args_kind kind)
{
	struct http_args *a = calloc(1, sizeof(*a));

	if (a != NULL)
		a->kind = kind;
	return a;
}

void
http_args_free(struct http_args *a)
{
	free(a);
}

unsigned
http_args_flags(const struct http_args *a)
{
	return a->flags;
}

static void
put(struct http_args *a, uint8_t *buf, size_t *len, size_t cap, uint8_t c)
{
	if (*len < cap)
		buf[(*len)++] = c;
	else
		a->flags |= HTTP_ARGS_F_CUT;
}

/* --- form and cookie --------------------------------------------------------- */

/* A decoded byte of the name or the value. */
static void
pair_byte(struct http_args *a, uint8_t c)
{
	a->any = 1;
	if (a->in_value)
		put(a, a->value, &a->vlen, sizeof(a->value), c);
	else
		put(a, a->name, &a->nlen, sizeof(a->name), c);
}

/* A '%' and the digits after it that made no escape, as they were. */
static void
pct_flush(struct http_args *a)
{
	if (a->pct == 0)
		return;
	pair_byte(a, '%');
	for (int i = 1; i < a->pct; i++)
		pair_byte(a, a->hex[i - 1]);
	a->pct = 0;
}

static void
pair_end(struct http_args *a, http_arg_fn fn, void *ctx)
{
	pct_flush(a);
	if (a->any || a->in_value)
		fn(ctx, a->name, a->nlen, a->value, a->vlen);
	a->nlen = a->vlen = 0;
	a->in_value = a->any = 0;
}

static void
pair_feed(struct http_args *a, uint8_t c, http_arg_fn fn, void *ctx)
{
	int cookie = a->kind == HTTP_ARGS_COOKIE;

	if (a->pct > 0) {
		if (hexval(c) >= 0) {
			a->hex[a->pct - 1] = c;
			if (++a->pct == 3) {
				a->pct = 0;
				pair_byte(a, (uint8_t)(hexval(a->hex[0]) << 4 | hexval(a->hex[1])));
			}
			return;
		}
		pct_flush(a);
	}
	if (c == (cookie ? ';' : '&')) {
		pair_end(a, fn, ctx);
		return;
	}
	if (c == '=' && !a->in_value) {
		pct_flush(a);
		a->in_value = 1;
		return;
	}
	if (c == '%') {
		a->pct = 1;
		return;
	}
	/* A cookie's name starts after the spaces that follow ';'. */
	if (cookie && c == ' ' && !a->in_value && a->nlen == 0)
		return;
	pair_byte(a, c == '+' && !cookie ? ' ' : c);
}

/* --- JSON -------------------------------------------------------------------- */

/* The path of the value about to start in an array: its base and index. */
static void
path_index(struct http_args *a)
{
	struct level *l = &a->lv[a->depth - 1];
	char num[12];
	int n = 0;
	uint32_t i = l->index;

	a->nlen = l->base;
	if (a->nlen > 0)
		put(a, a->name, &a->nlen, sizeof(a->name), '.');
	do
		num[n++] = (char)('0' + i % 10);
	while ((i /= 10) != 0 && n < 11);
	while (n > 0)
		put(a, a->name, &a->nlen, sizeof(a->name), (uint8_t)num[--n]);
}

/* The key just read (in value) names the next value: base.key. */
static void
path_key(struct http_args *a)
{
	a->nlen = a->lv[a->depth - 1].base;
	if (a->nlen > 0)
		put(a, a->name, &a->nlen, sizeof(a->name), '.');
	for (size_t i = 0; i < a->vlen; i++)
		put(a, a->name, &a->nlen, sizeof(a->name), a->value[i]);
	a->vlen = 0;
}

static void
json_stop(struct http_args *a, unsigned why)
{
	a->flags |= why;
	a->js = J_STOP;
}

/* A scalar ended: the argument, then what follows it. */
static void
json_scalar(struct http_args *a, http_arg_fn fn, void *ctx)
{
	fn(ctx, a->name, a->nlen, a->value, a->vlen);
	a->vlen = 0;
	a->js = a->depth > 0 ? J_AFTER : J_DONE;
}

static void
utf8(struct http_args *a, unsigned cp)
{
	if (cp < 0x80)
		put(a, a->value, &a->vlen, sizeof(a->value), (uint8_t)cp);
	else if (cp < 0x800) {
		put(a, a->value, &a->vlen, sizeof(a->value), (uint8_t)(0xc0 | cp >> 6));
		put(a, a->value, &a->vlen, sizeof(a->value), (uint8_t)(0x80 | (cp & 0x3f)));
	} else {
		put(a, a->value, &a->vlen, sizeof(a->value), (uint8_t)(0xe0 | cp >> 12));
		put(a, a->value, &a->vlen, sizeof(a->value), (uint8_t)(0x80 | (cp >> 6 & 0x3f)));
		put(a, a->value, &a->vlen, sizeof(a->value), (uint8_t)(0x80 | (cp & 0x3f)));
	}
}

static int
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_literal(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    c == '-' || c == '+' || c == '.';
}

/* A value starts with c. */
static void
json_value(struct http_args *a, uint8_t c)
{
	if (a->depth > 0 && a->lv[a->depth - 1].array)
		path_index(a);
	if (c == '{' || c == '[') {
		if (a->depth == HTTP_ARG_DEPTH_MAX) {
			json_stop(a, HTTP_ARGS_F_DEEP);
			return;
		}
		a->lv[a->depth].array = c == '[';
		a->lv[a->depth].index = 0;
		a->lv[a->depth].base = a->nlen;
		a->depth++;
		a->js = c == '[' ? J_VALUE_OR_END : J_KEY_OR_END;
	} else if (c == '"') {
		a->key = 0;
		a->vlen = 0;
		a->js = J_STRING;
	} else if (is_literal(c)) {
		a->vlen = 0;
		put(a, a->value, &a->vlen, sizeof(a->value), c);
		a->js = J_LITERAL;
	} else
		json_stop(a, HTTP_ARGS_F_MALFORMED);
}

/* The container at the top ends with c ('}' or ']'). */
static void
json_close(struct http_args *a, uint8_t c)
{
	if (a->depth == 0 || a->lv[a->depth - 1].array != (c == ']')) {
		json_stop(a, HTTP_ARGS_F_MALFORMED);
		return;
	}
	a->depth--;
	a->js = a->depth > 0 ? J_AFTER : J_DONE;
}

static void
json_string_byte(struct http_args *a, uint8_t c, http_arg_fn fn, void *ctx)
{
	if (c == '\\') {
		a->js = J_ESC;
		return;
	}
	if (c != '"') {
		put(a, a->value, &a->vlen, sizeof(a->value), c);
		return;
	}
	if (a->key) {
		path_key(a);
		a->js = J_COLON;
	} else
		json_scalar(a, fn, ctx);
}

static void
json_escape(struct http_args *a, uint8_t c)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p = c ? strchr(from, c) : NULL;

	a->js = J_STRING;
	if (c == 'u') {
		a->ucode = 0;
		a->udigits = 0;
		a->js = J_UNICODE;
	} else if (p != NULL)
		put(a, a->value, &a->vlen, sizeof(a->value), (uint8_t)to[p - from]);
	else
		json_stop(a, HTTP_ARGS_F_MALFORMED);
}

static void
json_feed(struct http_args *a, uint8_t c, http_arg_fn fn, void *ctx)
{
	switch (a->js) {
	case J_STOP:
		return;
	case J_STRING:
		json_string_byte(a, c, fn, ctx);
		return;
	case J_ESC:
		json_escape(a, c);
		return;
	case J_UNICODE:
		if (hexval(c) < 0) {
			json_stop(a, HTTP_ARGS_F_MALFORMED);
			return;
		}
		a->ucode = a->ucode << 4 | (unsigned)hexval(c);
		if (++a->udigits == 4) {
			utf8(a, a->ucode);
			a->js = J_STRING;
		}
		return;
	case J_LITERAL:
		if (is_literal(c)) {
			put(a, a->value, &a->vlen, sizeof(a->value), c);
			return;
		}
		json_scalar(a, fn, ctx);
		break;	/* c is what follows the literal */
	default:
		break;
	}
	if (is_space(c))
		return;
	switch (a->js) {
	case J_VALUE_OR_END:
		if (c == ']') {
			json_close(a, c);
			return;
		}
		/* FALLTHROUGH */
	case J_VALUE:
		json_value(a, c);
		return;
	case J_KEY_OR_END:
		if (c == '}') {
			json_close(a, c);
			return;
		}
		/* FALLTHROUGH */
	case J_KEY:
		if (c != '"') {
			json_stop(a, HTTP_ARGS_F_MALFORMED);
			return;
		}
		a->key = 1;
		a->vlen = 0;
		a->js = J_STRING;
		return;
	case J_COLON:
		if (c != ':')
			json_stop(a, HTTP_ARGS_F_MALFORMED);
		else
			a->js = J_VALUE;
		return;
	case J_AFTER:
		if (c == '}' || c == ']')
			json_close(a, c);
		else if (c != ',')
			json_stop(a, HTTP_ARGS_F_MALFORMED);
		else if (a->lv[a->depth - 1].array) {
			a->lv[a->depth - 1].index++;
			a->js = J_VALUE;
		} else
			a->js = J_KEY;
		return;
	default:
		json_stop(a, HTTP_ARGS_F_MALFORMED);	/* J_DONE: more than one value */
		return;
	}
}

/* --- both -------------------------------------------------------------------- */

void
http_args_feed(struct http_args *a, const uint8_t *buf, size_t len, http_arg_fn fn, void *ctx)
{
	for (size_t i = 0; i < len; i++)
		if (a->kind == HTTP_ARGS_JSON)
			json_feed(a, buf[i], fn, ctx);
		else
			pair_feed(a, buf[i], fn, ctx);
}

void
http_args_end(struct http_args *a, http_arg_fn fn, void *ctx)
{
	if (a->kind != HTTP_ARGS_JSON) {
		pair_end(a, fn, ctx);
		return;
	}
	if (a->js == J_LITERAL)
		json_scalar(a, fn, ctx);
	if (a->js != J_DONE && a->js != J_STOP)
		a->flags |= HTTP_ARGS_F_MALFORMED;
	a->js = J_STOP;
}

int
http_args_content_kind(const uint8_t *v, size_t len)
{
	size_t n = 0;

	while (n < len && v[n] != ';' && v[n] != ' ' && v[n] != '\t')
		n++;
	if (n == 33 && strncasecmp((const char *)v, "application/x-www-form-urlencoded", n) == 0)
		return HTTP_ARGS_FORM;
	if ((n == 16 && strncasecmp((const char *)v, "application/json", n) == 0) ||
	    (n > 5 && strncasecmp((const char *)v + n - 5, "+json", 5) == 0))
		return HTTP_ARGS_JSON;
	return -1;
}
