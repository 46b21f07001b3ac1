#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

struct json {
	unsigned char type;	/* enum json_type */
	unsigned char boolean;
	unsigned char has_nul;	/* a string that holds U+0000 */
	unsigned char key_nul;	/* a member whose key holds U+0000 */
	size_t len;		/* string bytes, number text bytes, or members */
	const char *key;	/* the key of an object member, NUL-terminated */
	size_t keylen;
	union {
		const char *text;		/* string or number */
		const struct json **kids;	/* array or object */
	} u;
	struct json *next;	/* next sibling, used while the parent is parsed */
};

/* Arena blocks: allocations are never freed one by one. */
struct block {
	struct block *next;
	size_t used, cap;
	max_align_t data[];
};

#define BLOCK_MIN	4096
#define BLOCK_MAX	(1u << 20)

struct json_doc {
	struct block *blocks;
	size_t next_cap;	/* capacity of the next block, doubling */
	struct json *root;
};

struct parser {
	const unsigned char *buf;
	size_t len, pos;
	struct json_doc *doc;
	struct json_limits lim;
	size_t nodes;
	struct json_error *err;
};

static void *
arena_alloc(struct json_doc *doc, size_t size, size_t align)
{
	struct block *b = doc->blocks;
	size_t off, cap;

	if (b != NULL) {
		off = (b->used + align - 1) & ~(align - 1);
		if (off <= b->cap && size <= b->cap - off) {
			b->used = off + size;
			return (char *)b->data + off;
		}
	}
	cap = doc->next_cap;
	if (cap < BLOCK_MAX)
		doc->next_cap = cap * 2;
	if (cap < size)
		cap = size;
	b = malloc(sizeof(*b) + cap);
	if (b == NULL)
		return NULL;
	b->cap = cap;
	b->used = size;
	b->next = doc->blocks;
	doc->blocks = b;
	return b->data;
}

static void
verror(struct parser *p, size_t offset, const char *fmt, va_list ap)
{
	char why[64];

	vsnprintf(why, sizeof(why), fmt, ap);
	p->err->offset = offset;
	snprintf(p->err->msg, sizeof(p->err->msg), "offset %zu: %s", offset, why);
}

/* Records the error: -1 for the functions that return a status, */
static int __attribute__((format(printf, 3, 4)))
error_at(struct parser *p, size_t offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(p, offset, fmt, ap);
	va_end(ap);
	return -1;
}

/* and NULL for those that return a node. */
static void * __attribute__((format(printf, 3, 4)))
fail(struct parser *p, size_t offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(p, offset, fmt, ap);
	va_end(ap);
	return NULL;
}

static void
skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->buf[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		p->pos++;
	}
}

static struct json *
node_new(struct parser *p, enum json_type type)
{
	struct json *n;

	if (p->nodes >= p->lim.max_nodes)
		return fail(p, p->pos, "more than %zu values", p->lim.max_nodes);
	n = arena_alloc(p->doc, sizeof(*n), _Alignof(struct json));
	if (n == NULL)
		return fail(p, p->pos, "out of memory");
	memset(n, 0, sizeof(*n));
	n->type = (unsigned char)type;
	p->nodes++;
	return n;
}

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629, section 4),
 * or 0 if it is not one.
 */
static size_t
utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;	/* U+D800..U+DFFF are not characters */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;	/* nothing above U+10FFFF */
	} else
		return 0;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static size_t
utf8_put(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Reads "\uXXXX" at s; returns the code unit, or -1. */
static long
hex4(const unsigned char *s, size_t avail)
{
	long v = 0;
	size_t i;

	if (avail < 6 || s[0] != '\\' || s[1] != 'u')
		return -1;
	for (i = 2; i < 6; i++) {
		unsigned char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * Decodes the \u escape (or surrogate pair, RFC 8259 section 7) at
 * buf[*i] into out; advances *i and *o.  Returns 0, or -1 after error_at().
 */
static int
unescape_u(struct parser *p, size_t *i, size_t end, char *out, size_t *o, unsigned char *has_nul)
{
	long cp = hex4(p->buf + *i, end - *i), lo;

	if (cp < 0)
		return error_at(p, *i, "invalid \\u escape in string");
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return error_at(p, *i, "lone surrogate in \\u escape");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		lo = hex4(p->buf + *i + 6, end - *i - 6);
		if (lo < 0xdc00 || lo > 0xdfff)
			return error_at(p, *i, "lone surrogate in \\u escape");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		*i += 6;
	}
	if (cp == 0)
		*has_nul = 1;
	*o += utf8_put(out + *o, (unsigned long)cp);
	*i += 6;
	return 0;
}

static int
unescape(struct parser *p, size_t *i, size_t end, char *out, size_t *o, unsigned char *has_nul)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	unsigned char c = p->buf[*i + 1];	/* string_end() saw it */
	const char *e;

	if (c == 'u')
		return unescape_u(p, i, end, out, o, has_nul);
	e = c ? strchr(from, c) : NULL;
	if (e == NULL)
		return error_at(p, *i, "invalid escape in string");
	out[(*o)++] = to[e - from];
	*i += 2;
	return 0;
}

/* Offset of the closing quote of the string whose body starts at from. */
static int
string_end(struct parser *p, size_t from, size_t *end)
{
	size_t i = from;

	while (i < p->len) {
		if (p->buf[i] == '"') {
			*end = i;
			return 0;
		}
		i += p->buf[i] == '\\' ? 2 : 1;
	}
	return error_at(p, p->len, "unterminated string");
}

/*
 * Parses the string at p->pos (its opening quote) into the arena.  The
 * decoded text is never longer than the escaped one, so the body length
 * bounds the copy.
 */
static int
parse_string(struct parser *p, const char **text, size_t *len, unsigned char *has_nul)
{
	size_t i = p->pos + 1, end = 0, o = 0, n;
	char *out;

	if (string_end(p, i, &end) < 0)
		return -1;
	out = arena_alloc(p->doc, end - i + 1, 1);
	if (out == NULL)
		return error_at(p, p->pos, "out of memory");
	*has_nul = 0;
	while (i < end) {
		unsigned char c = p->buf[i];

		if (c == '\\') {
			if (unescape(p, &i, end, out, &o, has_nul) < 0)
				return -1;
		} else if (c < 0x20) {
			return error_at(p, i, "control character in string");
		} else if (c < 0x80) {
			out[o++] = (char)c;
			i++;
		} else {
			n = utf8_seq(p->buf + i, end - i);
			if (n == 0)
				return error_at(p, i, "invalid UTF-8 in string");
			memcpy(out + o, p->buf + i, n);
			o += n;
			i += n;
		}
	}
	out[o] = '\0';
	*text = out;
	*len = o;
	p->pos = end + 1;
	return 0;
}

static size_t
digits(struct parser *p)
{
	size_t start = p->pos;

	while (p->pos < p->len && p->buf[p->pos] >= '0' && p->buf[p->pos] <= '9')
		p->pos++;
	return p->pos - start;
}

static int
peek(struct parser *p, unsigned char c)
{
	return p->pos < p->len && p->buf[p->pos] == c;
}

/* RFC 8259 section 6: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)? */
static struct json *
parse_number(struct parser *p)
{
	size_t start = p->pos;
	struct json *n;
	char *text;

	if ((n = node_new(p, JSON_NUMBER)) == NULL)
		return NULL;
	if (peek(p, '-'))
		p->pos++;
	if (peek(p, '0')) {
		p->pos++;
		if (p->pos < p->len && p->buf[p->pos] >= '0' && p->buf[p->pos] <= '9')
			return fail(p, p->pos, "leading zero in number");
	} else if (digits(p) == 0)
		return fail(p, p->pos, "digit expected in number");
	if (peek(p, '.')) {
		p->pos++;
		if (digits(p) == 0)
			return fail(p, p->pos, "digit expected in number");
	}
	if (peek(p, 'e') || peek(p, 'E')) {
		p->pos++;
		if (peek(p, '+') || peek(p, '-'))
			p->pos++;
		if (digits(p) == 0)
			return fail(p, p->pos, "digit expected in number");
	}
	if ((text = arena_alloc(p->doc, p->pos - start + 1, 1)) == NULL)
		return fail(p, start, "out of memory");
	memcpy(text, p->buf + start, p->pos - start);
	text[p->pos - start] = '\0';
	n->u.text = text;
	n->len = p->pos - start;
	return n;
}

static struct json *
parse_literal(struct parser *p, const char *word, enum json_type type, int boolean)
{
	size_t wlen = strlen(word), avail = p->len - p->pos;
	struct json *n;

	if (memcmp(p->buf + p->pos, word, avail < wlen ? avail : wlen) != 0)
		return fail(p, p->pos, "invalid literal");
	if (avail < wlen)
		return fail(p, p->len, "unexpected end of input");
	if ((n = node_new(p, type)) == NULL)
		return NULL;
	n->boolean = (unsigned char)boolean;
	p->pos += wlen;
	return n;
}

/* Turns the sibling list into the kids array of n. */
static struct json *
set_kids(struct parser *p, struct json *n, struct json *first, size_t count)
{
	const struct json **kids;
	size_t i;

	n->len = count;
	if (count == 0)
		return n;
	kids = arena_alloc(p->doc, count * sizeof(*kids), _Alignof(struct json *));
	if (kids == NULL)
		return fail(p, p->pos, "out of memory");
	for (i = 0; i < count; i++, first = first->next)
		kids[i] = first;
	n->u.kids = kids;
	return n;
}

/* Skips whitespace, then consumes c; otherwise fails with msg. */
static int
expect(struct parser *p, unsigned char c, const char *msg)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return error_at(p, p->len, "unexpected end of input");
	if (p->buf[p->pos] != c)
		return error_at(p, p->pos, "%s", msg);
	p->pos++;
	return 0;
}

/*
 * After a member: 1 if close follows (consumed), 0 if a ',' did, -1 on
 * anything else.
 */
static int
next_or_close(struct parser *p, unsigned char close, const char *msg)
{
	skip_ws(p);
	if (peek(p, close)) {
		p->pos++;
		return 1;
	}
	return expect(p, ',', msg);
}

static struct json *parse_value(struct parser *p, unsigned int depth);

static struct json *
parse_array(struct parser *p, unsigned int depth)
{
	struct json *n, *kid, *first = NULL, *last = NULL;
	size_t count = 0;
	int r;

	if ((n = node_new(p, JSON_ARRAY)) == NULL)
		return NULL;
	p->pos++;
	skip_ws(p);
	if (peek(p, ']')) {
		p->pos++;
		return n;
	}
	do {
		if ((kid = parse_value(p, depth + 1)) == NULL)
			return NULL;
		if (last)
			last->next = kid;
		else
			first = kid;
		last = kid;
		count++;
	} while ((r = next_or_close(p, ']', "expected ',' or ']' in array")) == 0);
	if (r < 0)
		return NULL;
	return set_kids(p, n, first, count);
}

static struct json *
parse_member(struct parser *p, unsigned int depth)
{
	const char *key;
	size_t keylen;
	unsigned char has_nul;
	struct json *kid;

	skip_ws(p);
	if (p->pos >= p->len)
		return fail(p, p->len, "unexpected end of input");
	if (p->buf[p->pos] != '"')
		return fail(p, p->pos, "expected a string as object key");
	if (parse_string(p, &key, &keylen, &has_nul) < 0)
		return NULL;
	if (expect(p, ':', "expected ':' after object key") < 0)
		return NULL;
	if ((kid = parse_value(p, depth + 1)) == NULL)
		return NULL;
	kid->key = key;
	kid->keylen = keylen;
	kid->key_nul = has_nul;
	return kid;
}

static struct json *
parse_object(struct parser *p, unsigned int depth)
{
	struct json *n, *kid, *first = NULL, *last = NULL;
	size_t count = 0;
	int r;

	if ((n = node_new(p, JSON_OBJECT)) == NULL)
		return NULL;
	p->pos++;
	skip_ws(p);
	if (peek(p, '}')) {
		p->pos++;
		return n;
	}
	do {
		if ((kid = parse_member(p, depth)) == NULL)
			return NULL;
		if (last)
			last->next = kid;
		else
			first = kid;
		last = kid;
		count++;
	} while ((r = next_or_close(p, '}', "expected ',' or '}' in object")) == 0);
	if (r < 0)
		return NULL;
	return set_kids(p, n, first, count);
}

/* depth: nesting level of the value; the parser recurses once per level. */
static struct json *
parse_value(struct parser *p, unsigned int depth)
{
	struct json *n;
	unsigned char c;

	skip_ws(p);
	if (p->pos >= p->len)
		return fail(p, p->len, "unexpected end of input");
	c = p->buf[p->pos];
	if ((c == '[' || c == '{') && depth > p->lim.max_depth)
		return fail(p, p->pos, "nesting deeper than %u", p->lim.max_depth);
	switch (c) {
	case '[':
		return parse_array(p, depth);
	case '{':
		return parse_object(p, depth);
	case '"':
		if ((n = node_new(p, JSON_STRING)) == NULL)
			return NULL;
		if (parse_string(p, &n->u.text, &n->len, &n->has_nul) < 0)
			return NULL;
		return n;
	case 't':
		return parse_literal(p, "true", JSON_BOOL, 1);
	case 'f':
		return parse_literal(p, "false", JSON_BOOL, 0);
	case 'n':
		return parse_literal(p, "null", JSON_NULL, 0);
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_number(p);
		return fail(p, p->pos, "expected a value");
	}
}

struct json_doc *
json_parse(const char *buf, size_t len, const struct json_limits *lim, struct json_error *err)
{
	static const struct json_limits deflim = {
		JSON_MAX_DEPTH, JSON_MAX_NODES, JSON_MAX_SIZE
	};
	struct parser p;
	struct json_doc *doc;

	memset(&p, 0, sizeof(p));
	p.buf = (const unsigned char *)buf;
	p.len = len;
	p.lim = lim ? *lim : deflim;
	p.err = err;
	if (len > p.lim.max_size)
		return fail(&p, p.lim.max_size, "document larger than %zu bytes", p.lim.max_size);
	if ((doc = calloc(1, sizeof(*doc))) == NULL)
		return fail(&p, 0, "out of memory");
	doc->next_cap = BLOCK_MIN;
	p.doc = doc;
	if ((doc->root = parse_value(&p, 1)) == NULL)
		goto fail;
	skip_ws(&p);
	if (p.pos < p.len) {
		fail(&p, p.pos, "trailing data after document");
		goto fail;
	}
	return doc;
fail:
	json_free(doc);
	return NULL;
}

void
json_free(struct json_doc *doc)
{
	struct block *b, *next;

	if (doc == NULL)
		return;
	for (b = doc->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(doc);
}

const struct json *
json_root(const struct json_doc *doc)
{
	return doc ? doc->root : NULL;
}

enum json_type
json_type(const struct json *n)
{
	return n ? (enum json_type)n->type : JSON_ABSENT;
}

size_t
json_len(const struct json *n)
{
	if (n == NULL || (n->type != JSON_ARRAY && n->type != JSON_OBJECT))
		return 0;
	return n->len;
}

const struct json *
json_index(const struct json *n, size_t i)
{
	if (i >= json_len(n))
		return NULL;
	return n->u.kids[i];
}

const struct json *
json_get(const struct json *n, const char *key)
{
	size_t i, klen = strlen(key);

	if (json_type(n) != JSON_OBJECT)
		return NULL;
	for (i = 0; i < n->len; i++) {
		const struct json *k = n->u.kids[i];

		if (k->keylen == klen && memcmp(k->key, key, klen) == 0)
			return k;
	}
	return NULL;
}

const struct json *
json_pathv(const struct json *n, ...)
{
	const char *key;
	va_list ap;

	va_start(ap, n);
	while (n != NULL && (key = va_arg(ap, const char *)) != NULL)
		n = json_get(n, key);
	va_end(ap);
	return n;
}

const char *
json_key(const struct json *n)
{
	return n && !n->key_nul ? n->key : NULL;
}

const char *
json_str(const struct json *n)
{
	if (json_type(n) != JSON_STRING || n->has_nul)
		return NULL;
	return n->u.text;
}

size_t
json_strlen(const struct json *n)
{
	return json_str(n) ? n->len : 0;
}

int
json_bool(const struct json *n)
{
	if (json_type(n) != JSON_BOOL)
		return -1;
	return n->boolean;
}

const char *
json_num_text(const struct json *n)
{
	return json_type(n) == JSON_NUMBER ? n->u.text : NULL;
}

/*
 * Reads an integer's digits (the parser checked the grammar) into *mag;
 * -1 if there is a fraction or exponent or the value passes max.
 */
static int
num_magnitude(const char *s, uint64_t max, uint64_t *mag)
{
	uint64_t v = 0;

	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9)
			return -1;
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*mag = v;
	return 0;
}

int
json_int64(const struct json *n, int64_t *out)
{
	const char *s = json_num_text(n);
	uint64_t mag;

	if (s == NULL)
		return -1;
	if (*s == '-') {
		if (num_magnitude(s + 1, (uint64_t)INT64_MAX + 1, &mag) < 0)
			return -1;
		*out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
		return 0;
	}
	if (num_magnitude(s, INT64_MAX, &mag) < 0)
		return -1;
	*out = (int64_t)mag;
	return 0;
}

int
json_uint64(const struct json *n, uint64_t *out)
{
	const char *s = json_num_text(n);

	if (s == NULL || *s == '-')
		return -1;
	return num_magnitude(s, UINT64_MAX, out);
}

int
json_double(const struct json *n, double *out)
{
	const char *s = json_num_text(n);
	char *end;
	double v;

	if (s == NULL)
		return -1;
	v = strtod(s, &end);
	if (*end != '\0' || isinf(v))
		return -1;
	*out = v;
	return 0;
}
