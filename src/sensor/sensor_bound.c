/*
 * sensor_bound.c: the reach of a PCRE2 pattern's match (sensor_bound.h).
 *
 * A recursive descent over the pattern's text that knows PCRE2's syntax
 * well enough to find where each item ends and how many bytes it reads,
 * and gives up on the rest.  A sequence adds its items' reach times
 * their largest repeat count, an alternation takes its longest branch, a
 * lookahead counts what it reads, anchors and lookbehinds count nothing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sensor/sensor_bound.h"

#define DEPTH_MAX	32		/* group nesting the analysis follows */
#define QUANT_MAX	65535		/* PCRE2's largest repeat count */

/* --- analysis ---------------------------------------------------------- */

struct cursor {
	const char *p;
	int quote;		/* inside \Q...\E */
	int depth;
	int unsure;		/* give up: no bound */
	size_t ahead;		/* the most bytes an assertion reads from where it is */
};

/* What a sequence, an alternation or a group gives. */
struct piece {
	size_t bound;
};

enum atom_kind {
	ATOM_PIECE,		/* a byte, class, escape or group: in says what it reads */
	ATOM_ZERO,		/* anchor, option setting, lookaround: not repeatable */
};

struct atom {
	enum atom_kind kind;
	struct piece in;
};


static void alternation(struct cursor *c, struct piece *out);

static size_t
bound_add(size_t a, size_t b)
{
	if (a == SENSOR_UNBOUNDED || b == SENSOR_UNBOUNDED || a > SIZE_MAX / 2 - b)
		return SENSOR_UNBOUNDED;
	return a + b;
}

static size_t
bound_mul(size_t a, size_t times)
{
	if (a == 0 || times == 0)
		return 0;
	if (a == SENSOR_UNBOUNDED || times == SENSOR_UNBOUNDED || a > SIZE_MAX / 2 / times)
		return SENSOR_UNBOUNDED;
	return a * times;
}

static int
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int
is_word(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int
hex_value(char ch)
{
	if (is_digit(ch))
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* {n}, {n,} or {n,m}, exactly; anything else near a brace is unsure. */
static int
braces(const char **pp, size_t *min, size_t *max)
{
	const char *p = *pp + 1;
	size_t lo = 0, hi;
	int digits = 0;

	for (; is_digit(*p) && digits < 6; p++, digits++)
		lo = lo * 10 + (size_t)(*p - '0');
	if (digits == 0 || lo > QUANT_MAX)
		return 0;
	hi = lo;
	if (*p == ',') {
		p++;
		hi = SENSOR_UNBOUNDED;
		if (is_digit(*p)) {
			for (hi = 0, digits = 0; is_digit(*p) && digits < 6; p++, digits++)
				hi = hi * 10 + (size_t)(*p - '0');
			if (hi > QUANT_MAX || hi < lo)
				return 0;
		}
	}
	if (*p != '}')
		return 0;
	*pp = p + 1;
	*min = lo;
	*max = hi;
	return 1;
}

/* Reads a quantifier if one follows: 1 if so, with its counts. */
static int
quantifier(struct cursor *c, size_t *min, size_t *max)
{
	const char *p = c->p;

	switch (*p) {
	case '?':
		*min = 0, *max = 1, p++;
		break;
	case '*':
		*min = 0, *max = SENSOR_UNBOUNDED, p++;
		break;
	case '+':
		*min = 1, *max = SENSOR_UNBOUNDED, p++;
		break;
	case '{':
		if (!braces(&p, min, max)) {
			/* A literal brace in one PCRE2 version, a quantifier in another. */
			c->unsure = 1;
			return 0;
		}
		break;
	default:
		return 0;
	}
	if (*p == '+' || *p == '?')	/* possessive, lazy */
		p++;
	if (*p == '?' || *p == '*' || *p == '+' || *p == '{') {
		c->unsure = 1;
		return 0;
	}
	c->p = p;
	return 1;
}

/* Skips to the delimiter close, over word characters only. */
static const char *
skip_name(const char *p, char close)
{
	while (is_word(*p))
		p++;
	return *p == close ? p + 1 : NULL;
}

/* \g and \k references and calls: p past the letter; NULL if malformed. */
static const char *
skip_reference(const char *p)
{
	switch (*p) {
	case '{':
		if (p[1] == '+' || p[1] == '-')
			p++;
		return skip_name(p + 1, '}');
	case '<':
		return skip_name(p + 1, '>');
	case '\'':
		return skip_name(p + 1, '\'');
	case '+':
	case '-':
		p++;
		break;
	}
	if (!is_digit(*p))
		return NULL;
	while (is_digit(*p))
		p++;
	return p;
}

/* \x and \o: a byte value from p (past the letter), or -1. */
static int
escape_number(const char **pp, int base)
{
	const char *p = *pp;
	int v = 0, d, n = 0;

	if (*p == '{') {
		for (p++; (d = hex_value(*p)) >= 0 && d < base; p++, n++)
			if ((v = v * base + d) > 0xff)
				return -1;
		if (n == 0 || *p != '}')
			return -1;
		*pp = p + 1;
		return v;
	}
	if (base != 16)
		return -1;
	for (; n < 2 && (d = hex_value(*p)) >= 0; p++, n++)
		v = v * 16 + d;
	if (n == 0)
		return -1;
	*pp = p;
	return v;
}

/* One byte: the piece's default (bound 1); v only says it was well formed. */
static void
atom_byte(struct atom *a, int v)
{
	(void)v;
	a->kind = ATOM_PIECE;
	a->in.bound = 1;
}

static void
atom_zero(struct atom *a)
{
	a->kind = ATOM_ZERO;
	a->in.bound = 0;
}

static void
escape(struct cursor *c, struct atom *a)
{
	const char *p = c->p + 1;
	char e = *p++;
	int v;

	switch (e) {
	case 'a': atom_byte(a, 7); break;
	case 'e': atom_byte(a, 27); break;
	case 'f': atom_byte(a, 12); break;
	case 'n': atom_byte(a, 10); break;
	case 'r': atom_byte(a, 13); break;
	case 't': atom_byte(a, 9); break;
	case 'x':
	case 'o':
		if ((v = escape_number(&p, e == 'x' ? 16 : 8)) < 0)
			c->unsure = 1;
		atom_byte(a, v);
		break;
	case '0':
		for (v = 0; *p >= '0' && *p <= '7' && p < c->p + 4; p++)
			v = v * 8 + (*p - '0');
		atom_byte(a, v);
		break;
	case 'c':
		if (*p < 0x20 || *p > 0x7e) {
			c->unsure = 1;
			break;
		}
		atom_byte(a, (*p >= 'a' && *p <= 'z' ? *p - 32 : *p) ^ 0x40);
		p++;
		break;
	case '1': case '2': case '3': case '4': case '5':
	case '6': case '7': case '8': case '9':
		/* A back reference, or octal: either way no literal. */
		while (is_digit(*p))
			p++;
		a->in.bound = SENSOR_UNBOUNDED;
		break;
	case 'g':
	case 'k':
		if ((p = skip_reference(p)) == NULL)
			c->unsure = 1;
		a->in.bound = SENSOR_UNBOUNDED;
		break;
	case 'p':
	case 'P':
		if (*p == '{' ? (p = strchr(p, '}')) == NULL : *p == '\0')
			c->unsure = 1;
		else
			p++;
		break;
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
	case 'h': case 'H': case 'v': case 'V': case 'C':
		break;
	case 'N':
		if (*p == '{')
			c->unsure = 1;
		break;
	case 'R':
		a->in.bound = 2;	/* CR LF */
		break;
	case 'X':
		a->in.bound = SENSOR_UNBOUNDED;
		break;
	case 'b': case 'B': case 'Z': case 'z':
		if (c->ahead < 1)
			c->ahead = 1;	/* whether a byte follows, and which */
		atom_zero(a);
		break;
	case 'A': case 'G': case 'K':
		atom_zero(a);
		break;
	default:
		/* \E outside \Q, unknown letters, a final backslash. */
		if (e == '\0' || is_word(e))
			c->unsure = 1;
		else
			atom_byte(a, (uint8_t)e);
		break;
	}
	c->p = p;
}

/*
 * At "[:", "[." or "[=" inside a class: a POSIX class if its terminator
 * comes before any ']', as PCRE2 decides it.  Moves *pp past it.
 */
static int
posix_class(const char **pp)
{
	char term = (*pp)[1];

	for (const char *p = *pp + 2; *p != '\0'; p++) {
		if (*p == '\\' && (p[1] == ']' || p[1] == '\\'))
			p++;
		else if ((*p == '[' && p[1] == term) || *p == ']')
			return 0;
		else if (*p == term && p[1] == ']') {
			*pp = p + 2;
			return 1;
		}
	}
	return 0;
}

/* A character class: one byte.  Only finds its end. */
static void
class(struct cursor *c)
{
	const char *p = c->p + 1;

	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (;;) {
		switch (*p) {
		case '\0':
			c->unsure = 1;
			return;
		case ']':
			c->p = p + 1;
			return;
		case '\\':
			if (p[1] == 'Q' || p[1] == '\0') {
				c->unsure = 1;
				return;
			}
			p += 2;
			break;
		case '[':
			if ((p[1] != ':' && p[1] != '.' && p[1] != '=') || !posix_class(&p))
				p++;
			break;
		default:
			p++;
			break;
		}
	}
}

enum group_kind {
	GROUP_PLAIN,		/* capturing, non-capturing, atomic, named, branch reset */
	GROUP_AHEAD,		/* (?= */
	GROUP_BEHIND,		/* (?<= */
	GROUP_NOT_AHEAD,	/* (?! */
	GROUP_NOT_BEHIND,	/* (?<! */
};

/*
 * After "(?": the kind of group, with p past its opening; an option
 * setting such as (?i) becomes a zero atom.  0, or -1 when unsure.
 */
static int
group_open(struct cursor *c, struct atom *a, const char **pp, enum group_kind *kind)
{
	const char *p = *pp;

	*kind = GROUP_PLAIN;
	switch (*p) {
	case ':':
	case '>':
	case '|':
		p++;
		break;
	case '=':
	case '!':
		*kind = *p == '=' ? GROUP_AHEAD : GROUP_NOT_AHEAD;
		p++;
		break;
	case '<':
		if (p[1] == '=' || p[1] == '!') {
			*kind = p[1] == '=' ? GROUP_BEHIND : GROUP_NOT_BEHIND;
			p += 2;
		} else
			p = skip_name(p + 1, '>');
		break;
	case 'P':
		p = p[1] == '<' ? skip_name(p + 2, '>') : NULL;
		break;
	case '\'':
		p = skip_name(p + 1, '\'');
		break;
	default:
		/* Options; extended mode (x) changes what every byte means. */
		while (*p != '\0' && strchr("imnsJU^-", *p) != NULL)
			p++;
		if (*p == ')') {
			atom_zero(a);
			c->p = p + 1;
			return 1;
		}
		p = *p == ':' ? p + 1 : NULL;
		break;
	}
	if (p == NULL)
		return -1;
	*pp = p;
	return 0;
}

static void
group(struct cursor *c, struct atom *a)
{
	const char *p = c->p + 1;
	enum group_kind kind = GROUP_PLAIN;
	int r;

	if (*p == '*') {	/* verbs, (*UCP), (*ACCEPT): give up */
		c->unsure = 1;
		return;
	}
	if (*p == '?') {
		p++;
		if ((r = group_open(c, a, &p, &kind)) != 0) {
			c->unsure = r < 0;
			return;
		}
	}
	if (++c->depth > DEPTH_MAX) {
		c->unsure = 1;
		return;
	}
	c->p = p;
	alternation(c, &a->in);
	c->depth--;
	if (c->unsure || *c->p != ')') {
		c->unsure = 1;
		return;
	}
	c->p++;
	if (kind == GROUP_PLAIN)
		return;
	/* Lookarounds: the bytes a lookahead reads count toward the bound. */
	a->kind = ATOM_ZERO;
	if (kind == GROUP_BEHIND || kind == GROUP_NOT_BEHIND)
		a->in.bound = 0;	/* PCRE2_INFO_MAXLOOKBEHIND counts these */
	else if (bound_add(a->in.bound, 1) > c->ahead)
		c->ahead = bound_add(a->in.bound, 1);	/* an assertion at its end too */
}

static void
atom(struct cursor *c, struct atom *a)
{
	const char *p = c->p;

	a->kind = ATOM_PIECE;
	a->in.bound = 1;
	if (c->quote) {
		atom_byte(a, (uint8_t)*p);
		c->p++;
		return;
	}
	switch (*p) {
	case '\\':
		escape(c, a);
		break;
	case '[':
		class(c);
		break;
	case '(':
		group(c, a);
		break;
	case '.':
		c->p++;
		break;
	case '$':
		if (c->ahead < 1)
			c->ahead = 1;
		/* FALLTHROUGH */
	case '^':
		atom_zero(a);
		c->p++;
		break;
	case '*':
	case '+':
	case '?':
	case '{':
		c->unsure = 1;
		break;
	default:
		atom_byte(a, (uint8_t)*p);
		c->p++;
		break;
	}
}

/* The quantifier after an atom, or {1}; -1 when unsure. */
static int
atom_repeat(struct cursor *c, size_t *min, size_t *max)
{
	if (c->quote) {
		if (c->p[0] != '\\' || c->p[1] != 'E') {
			*min = *max = 1;
			return 0;
		}
		c->quote = 0;	/* a quantifier after \E repeats the last quoted byte */
		c->p += 2;
	}
	if (!quantifier(c, min, max)) {
		*min = *max = 1;
		return c->unsure ? -1 : 0;
	}
	return 1;
}

/* One branch: up to '|', ')' or the end. */
static void
sequence(struct cursor *c, struct piece *out)
{
	struct atom a;
	size_t min, max;
	int q;

	out->bound = 0;
	while (!c->unsure && *c->p != '\0') {
		if (!c->quote && (*c->p == '|' || *c->p == ')'))
			break;
		if (c->p[0] == '\\' && c->p[1] == (c->quote ? 'E' : 'Q')) {
			c->quote = !c->quote;
			c->p += 2;
			continue;
		}
		atom(c, &a);
		if (c->unsure || (q = atom_repeat(c, &min, &max)) < 0)
			break;
		if (q && a.kind == ATOM_ZERO) {
			c->unsure = 1;
			break;
		}
		out->bound = bound_add(out->bound, bound_mul(a.in.bound, max));
	}
}

static void
alternation(struct cursor *c, struct piece *out)
{
	struct piece branch;

	sequence(c, out);
	while (!c->unsure && !c->quote && *c->p == '|') {
		c->p++;
		sequence(c, &branch);
		if (branch.bound > out->bound)
			out->bound = branch.bound;
	}
}

size_t
sensor_bound(const char *re, size_t *ahead)
{
	struct cursor c = { .p = re };
	struct piece pc;

	alternation(&c, &pc);
	if (c.unsure || *c.p != '\0') {	/* a stray ')' */
		*ahead = SENSOR_UNBOUNDED;
		return SENSOR_UNBOUNDED;
	}
	*ahead = c.ahead;
	return pc.bound;
}

int
sensor_strip_boundaries(const char *re, char *out, size_t cap)
{
	struct cursor c = { .p = re };
	size_t n = 0;
	int took = 0;

	while (*c.p != '\0') {
		const char *from = c.p;

		if (c.quote) {
			if (c.p[0] == '\\' && c.p[1] == 'E')
				c.quote = 0, c.p++;
			c.p++;
		} else if (c.p[0] == '\\') {
			if (c.p[1] == '\0')
				return -1;
			if (c.p[1] == 'b' || c.p[1] == 'B') {
				c.p += 2;
				took = 1;
				continue;
			}
			c.quote = c.p[1] == 'Q';
			c.p += 2;
		} else if (c.p[0] == '[') {
			class(&c);
			if (c.unsure)
				return -1;
		} else
			c.p++;
		if ((size_t)(c.p - from) >= cap - n)
			return -1;
		memcpy(out + n, from, (size_t)(c.p - from));
		n += (size_t)(c.p - from);
	}
	out[n] = '\0';
	return took;
}
