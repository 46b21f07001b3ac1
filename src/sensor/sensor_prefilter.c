/*
 * sensor_prefilter.c: required literals of PCRE2 patterns, and an
 * Aho-Corasick automaton that looks for many of them at once (see
 * sensor_prefilter.h).
 *
 * The analysis is a recursive descent over the pattern's text that knows
 * PCRE2's syntax well enough to find where each item ends and whether it
 * is a literal byte, and gives up on the rest.  A sequence keeps runs of
 * literal bytes that must appear one after the other; a quantifier that
 * allows zero drops its item and ends the run, one that allows more than
 * one ends the run after it; groups, classes and escapes end runs.  A
 * group required at least once, and a positive lookaround (what it looks
 * at is in the subject too), pass on their clauses.  An alternation's
 * clause takes from each branch its strongest one: whichever branch
 * matches, one of those literals is there.
 *
 * The automaton is a full transition table over byte classes (the bytes
 * the literals use, case folded, and one class for all others), so a scan
 * costs one table load per byte.  Each entry holds the row offset of its
 * target, with the top bit set when the target ends a literal, directly
 * or through its failure links.  A scan walks the two halves of the text
 * at once, so that the two chains of dependent loads overlap in the CPU.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sensor/sensor_prefilter.h"

#define DEPTH_MAX	32		/* group nesting the analysis follows */
#define QUANT_MAX	65535		/* PCRE2's largest repeat count */
#define OUT		0x80000000u	/* entry: the target reports a literal */

/* --- analysis ---------------------------------------------------------- */

struct cursor {
	const char *p;
	int quote;		/* inside \Q...\E */
	int depth;
	int unsure;		/* give up: no literal, no bound */
};

/* What a sequence, an alternation or a group gives. */
struct piece {
	struct prefilter_clause clause[PREFILTER_CLAUSES];
	int nclause;
	size_t bound;
};

enum atom_kind {
	ATOM_BYTE,		/* one literal byte */
	ATOM_PIECE,		/* a class, escape or group: in says what it gives */
	ATOM_ZERO,		/* anchor, option setting, lookaround: not repeatable */
};

struct atom {
	enum atom_kind kind;
	uint8_t byte;
	struct piece in;
};

struct run {
	uint8_t b[PREFILTER_LIT_MAX];
	size_t n;
};

static void alternation(struct cursor *c, struct piece *out);

static uint8_t
fold(uint8_t b)
{
	return b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b;
}

static size_t
bound_add(size_t a, size_t b)
{
	if (a == PREFILTER_UNBOUNDED || b == PREFILTER_UNBOUNDED || a > SIZE_MAX / 2 - b)
		return PREFILTER_UNBOUNDED;
	return a + b;
}

static size_t
bound_mul(size_t a, size_t times)
{
	if (a == 0 || times == 0)
		return 0;
	if (a == PREFILTER_UNBOUNDED || times == PREFILTER_UNBOUNDED || a > SIZE_MAX / 2 / times)
		return PREFILTER_UNBOUNDED;
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

/* Longer literals first, then fewer of them. */
static int
clause_score(const struct prefilter_clause *cl)
{
	int min = PREFILTER_LIT_MAX;

	for (int i = 0; i < cl->nalt; i++)
		if (cl->alt[i].len < min)
			min = cl->alt[i].len;
	return min * (PREFILTER_ALTS + 1) - cl->nalt;
}

static int
lit_in(const struct prefilter_lit *l, const struct prefilter_clause *cl)
{
	for (int i = 0; i < cl->nalt; i++)
		if (cl->alt[i].len == l->len && memcmp(cl->alt[i].b, l->b, l->len) == 0)
			return 1;
	return 0;
}

static int
clause_same(const struct prefilter_clause *a, const struct prefilter_clause *b)
{
	if (a->nalt != b->nalt)
		return 0;
	for (int i = 0; i < a->nalt; i++)
		if (!lit_in(&a->alt[i], b))
			return 0;
	return 1;
}

/* Adds a clause pc requires, keeping the strongest PREFILTER_CLAUSES. */
static void
require(struct piece *pc, const struct prefilter_clause *cl)
{
	int weakest = 0;

	for (int i = 0; i < pc->nclause; i++)
		if (clause_same(&pc->clause[i], cl))
			return;
	if (pc->nclause < PREFILTER_CLAUSES) {
		pc->clause[pc->nclause++] = *cl;
		return;
	}
	for (int i = 1; i < pc->nclause; i++)
		if (clause_score(&pc->clause[i]) < clause_score(&pc->clause[weakest]))
			weakest = i;
	if (clause_score(cl) > clause_score(&pc->clause[weakest]))
		pc->clause[weakest] = *cl;
}

static void
require_all(struct piece *pc, const struct piece *from)
{
	for (int i = 0; i < from->nclause; i++)
		require(pc, &from->clause[i]);
}

static void
run_end(struct run *r, struct piece *out)
{
	struct prefilter_clause cl = { .nalt = 1 };

	if (r->n >= PREFILTER_LIT_MIN) {
		memcpy(cl.alt[0].b, r->b, r->n);
		cl.alt[0].len = (uint8_t)r->n;
		require(out, &cl);
	}
	r->n = 0;
}

/* Past the first PREFILTER_LIT_MAX bytes a run only repeats its prefix's worth. */
static void
run_push(struct run *r, uint8_t b)
{
	if (r->n < PREFILTER_LIT_MAX)
		r->b[r->n++] = b;
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
		hi = PREFILTER_UNBOUNDED;
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
		*min = 0, *max = PREFILTER_UNBOUNDED, p++;
		break;
	case '+':
		*min = 1, *max = PREFILTER_UNBOUNDED, p++;
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

static void
atom_byte(struct atom *a, int b)
{
	a->kind = ATOM_BYTE;
	a->byte = (uint8_t)b;
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
		a->in.bound = PREFILTER_UNBOUNDED;
		break;
	case 'g':
	case 'k':
		if ((p = skip_reference(p)) == NULL)
			c->unsure = 1;
		a->in.bound = PREFILTER_UNBOUNDED;
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
		a->in.bound = PREFILTER_UNBOUNDED;
		break;
	case 'b': case 'B': case 'A': case 'Z': case 'z': case 'G': case 'K':
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

/* A character class: one byte, never a literal.  Only finds its end. */
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
	if (kind == GROUP_NOT_AHEAD || kind == GROUP_NOT_BEHIND)
		a->in.nclause = 0;
	if (kind == GROUP_BEHIND || kind == GROUP_NOT_BEHIND)
		a->in.bound = 0;	/* PCRE2_INFO_MAXLOOKBEHIND counts these */
}

static void
atom(struct cursor *c, struct atom *a)
{
	const char *p = c->p;

	a->kind = ATOM_PIECE;
	a->in.nclause = 0;
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
	case '^':
	case '$':
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
	struct run r = { .n = 0 };
	struct atom a;
	size_t min, max;
	int q;

	out->nclause = 0;
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
		if (a.kind == ATOM_BYTE && min >= 1) {
			run_push(&r, fold(a.byte));
			if (max > 1)
				run_end(&r, out);
			continue;
		}
		run_end(&r, out);
		if (min >= 1)
			require_all(out, &a.in);
	}
	run_end(&r, out);
}

/* Adds the literals of a branch's strongest clause to any; 0 if it has none or they do not fit. */
static int
branch_join(struct prefilter_clause *any, const struct piece *branch)
{
	const struct prefilter_clause *best = NULL;

	for (int i = 0; i < branch->nclause; i++)
		if (best == NULL || clause_score(&branch->clause[i]) > clause_score(best))
			best = &branch->clause[i];
	if (best == NULL)
		return 0;
	for (int i = 0; i < best->nalt; i++) {
		if (lit_in(&best->alt[i], any))
			continue;
		if (any->nalt == PREFILTER_ALTS)
			return 0;
		any->alt[any->nalt++] = best->alt[i];
	}
	return 1;
}

static void
alternation(struct cursor *c, struct piece *out)
{
	struct prefilter_clause any = { .nalt = 0 };
	struct piece branch;
	int ok;

	sequence(c, out);
	if (c->unsure || c->quote || *c->p != '|')
		return;
	ok = branch_join(&any, out);
	while (!c->unsure && !c->quote && *c->p == '|') {
		c->p++;
		sequence(c, &branch);
		ok = ok && branch_join(&any, &branch);
		if (branch.bound > out->bound)
			out->bound = branch.bound;
	}
	out->nclause = 0;
	if (ok)
		require(out, &any);
}

void
prefilter_analyse(const char *re, struct prefilter_facts *f)
{
	struct cursor c = { .p = re };
	struct piece pc;

	memset(f, 0, sizeof(*f));
	f->bound = PREFILTER_UNBOUNDED;
	alternation(&c, &pc);
	if (c.unsure || *c.p != '\0')	/* a stray ')' */
		return;
	memcpy(f->clause, pc.clause, (size_t)pc.nclause * sizeof(pc.clause[0]));
	f->nclause = pc.nclause;
	f->bound = pc.bound;
}

/* --- automaton --------------------------------------------------------- */

struct prefilter {
	/* Literals as added, case folded, and a hash of them for prefilter_add. */
	uint8_t (*lit)[PREFILTER_LIT_MAX];
	uint8_t *litlen;
	int n, cap;
	int *hash;			/* literal ids, -1 empty; hmask + 1 slots */
	uint32_t hmask;

	/* Compiled. */
	uint8_t cls[256];		/* byte to class */
	uint32_t nclass;
	uint32_t *delta;		/* nstates rows of nclass entries */
	int32_t *out;			/* per state: the literal ending there, or -1 */
	int32_t *dict;			/* per state: the next reporter on its failure chain */
	size_t nstates;
};

static uint32_t
lit_hash(const uint8_t *lit, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ lit[i]) * 16777619u;
	return h;
}

struct prefilter *
prefilter_new(void)
{
	struct prefilter *pf = calloc(1, sizeof(*pf));

	if (pf == NULL)
		return NULL;
	pf->hmask = 63;
	if ((pf->hash = malloc((pf->hmask + 1) * sizeof(int))) == NULL) {
		free(pf);
		return NULL;
	}
	memset(pf->hash, 0xff, (pf->hmask + 1) * sizeof(int));
	return pf;
}

static uint32_t
hash_slot(const struct prefilter *pf, const uint8_t *lit, size_t len)
{
	uint32_t i = lit_hash(lit, len) & pf->hmask;
	int id;

	while ((id = pf->hash[i]) >= 0 &&
	    (pf->litlen[id] != len || memcmp(pf->lit[id], lit, len) != 0))
		i = (i + 1) & pf->hmask;
	return i;
}

static int
hash_grow(struct prefilter *pf)
{
	uint32_t mask = pf->hmask * 2 + 1;
	int *h = malloc((mask + 1) * sizeof(int));

	if (h == NULL)
		return -1;
	memset(h, 0xff, (mask + 1) * sizeof(int));
	free(pf->hash);
	pf->hash = h;
	pf->hmask = mask;
	for (int id = 0; id < pf->n; id++)
		h[hash_slot(pf, pf->lit[id], pf->litlen[id])] = id;
	return 0;
}

static int
lits_grow(struct prefilter *pf)
{
	int cap = pf->cap ? pf->cap * 2 : 64;
	void *lit = realloc(pf->lit, (size_t)cap * sizeof(*pf->lit));

	if (lit == NULL)
		return -1;
	pf->lit = lit;
	if ((lit = realloc(pf->litlen, (size_t)cap)) == NULL)
		return -1;
	pf->litlen = lit;
	pf->cap = cap;
	return 0;
}

int
prefilter_add(struct prefilter *pf, const uint8_t *lit, size_t len)
{
	uint8_t folded[PREFILTER_LIT_MAX];
	uint32_t slot;

	if (len == 0 || len > PREFILTER_LIT_MAX || pf->delta != NULL)
		return -1;
	for (size_t i = 0; i < len; i++)
		folded[i] = fold(lit[i]);
	slot = hash_slot(pf, folded, len);
	if (pf->hash[slot] >= 0)
		return pf->hash[slot];
	if ((pf->n == pf->cap && lits_grow(pf) < 0) ||
	    ((uint32_t)pf->n + 1 > (pf->hmask + 1) / 2 && hash_grow(pf) < 0))
		return -1;
	memcpy(pf->lit[pf->n], folded, len);
	pf->litlen[pf->n] = (uint8_t)len;
	pf->hash[hash_slot(pf, folded, len)] = pf->n;
	return pf->n++;
}

/* Classes: one per byte the literals use (upper case joins lower), 0 for the rest. */
static void
classes(struct prefilter *pf)
{
	uint8_t used[256] = { 0 };

	for (int id = 0; id < pf->n; id++)
		for (int i = 0; i < pf->litlen[id]; i++)
			used[pf->lit[id][i]] = 1;
	pf->nclass = 1;
	for (int b = 0; b < 256; b++)
		if (used[b])
			pf->cls[b] = (uint8_t)pf->nclass++;
	for (int b = 'A'; b <= 'Z'; b++)
		pf->cls[b] = pf->cls[b - 'A' + 'a'];
}

/* The trie of the literals, in delta by state index; returns the states used. */
static size_t
trie(struct prefilter *pf)
{
	size_t next = 1;

	for (int id = 0; id < pf->n; id++) {
		uint32_t s = 0;

		for (int i = 0; i < pf->litlen[id]; i++) {
			uint32_t *e = &pf->delta[(size_t)s * pf->nclass + pf->cls[pf->lit[id][i]]];

			if (*e == 0)
				*e = (uint32_t)next++;
			s = *e;
		}
		pf->out[s] = id;
	}
	return next;
}

/*
 * Breadth first, fills each state's missing transitions with those of its
 * failure state, and links it to the nearest reporting state on its
 * failure chain.  A row is complete before any deeper state reads it.
 */
static void
links(struct prefilter *pf, uint32_t *fail, uint32_t *queue)
{
	size_t head = 0, tail = 0;
	uint32_t nc = pf->nclass;

	for (uint32_t c = 0; c < nc; c++)
		if (pf->delta[c] != 0)
			queue[tail++] = pf->delta[c];	/* fail 0, dict -1 already */
	while (head < tail) {
		uint32_t s = queue[head++];

		for (uint32_t c = 0; c < nc; c++) {
			uint32_t *e = &pf->delta[(size_t)s * nc + c];
			uint32_t f = pf->delta[(size_t)fail[s] * nc + c];

			if (*e == 0) {
				*e = f;
				continue;
			}
			fail[*e] = f;
			pf->dict[*e] = pf->out[f] >= 0 ? (int32_t)f : pf->dict[f];
			queue[tail++] = *e;
		}
	}
}

/* Entries become row offsets, flagged when their target reports. */
static void
offsets(struct prefilter *pf)
{
	size_t cells = pf->nstates * pf->nclass;

	for (size_t i = 0; i < cells; i++) {
		uint32_t t = pf->delta[i];

		pf->delta[i] = t * pf->nclass | (pf->out[t] >= 0 || pf->dict[t] >= 0 ? OUT : 0);
	}
}

int
prefilter_compile(struct prefilter *pf, size_t max_bytes)
{
	size_t states = 1, cells;
	uint32_t *fail = NULL, *queue = NULL;

	if (pf->delta != NULL)
		return -1;
	classes(pf);
	for (int id = 0; id < pf->n; id++)
		states += pf->litlen[id];
	cells = states * pf->nclass;
	if (cells >= OUT / 2 || cells > max_bytes / sizeof(uint32_t))
		return -1;
	pf->delta = calloc(cells, sizeof(uint32_t));
	pf->out = malloc(states * sizeof(int32_t));
	pf->dict = malloc(states * sizeof(int32_t));
	fail = calloc(states, sizeof(uint32_t));
	queue = malloc(states * sizeof(uint32_t));
	if (pf->delta == NULL || pf->out == NULL || pf->dict == NULL || fail == NULL ||
	    queue == NULL)
		goto fail;
	memset(pf->out, 0xff, states * sizeof(int32_t));
	memset(pf->dict, 0xff, states * sizeof(int32_t));
	pf->nstates = trie(pf);
	links(pf, fail, queue);
	offsets(pf);
	free(fail);
	free(queue);
	return 0;
fail:
	free(queue);
	free(fail);
	free(pf->dict);
	free(pf->out);
	free(pf->delta);
	pf->delta = NULL;
	pf->out = pf->dict = NULL;
	return -1;
}

int
prefilter_count(const struct prefilter *pf)
{
	return pf->n;
}

size_t
prefilter_states(const struct prefilter *pf)
{
	return pf->nstates;
}

size_t
prefilter_bytes(const struct prefilter *pf)
{
	if (pf->delta == NULL)
		return 0;
	return pf->nstates * (pf->nclass * sizeof(uint32_t) + 2 * sizeof(int32_t));
}

/* Marks the literals state s reports; returns how many were new. */
static int
report(const struct prefilter *pf, int32_t s, uint64_t *seen)
{
	int fresh = 0;

	if (pf->out[s] < 0)
		s = pf->dict[s];
	for (; s >= 0; s = pf->dict[s]) {
		uint32_t id = (uint32_t)pf->out[s];
		uint64_t bit = 1ull << (id & 63);

		if (!(seen[id >> 6] & bit)) {
			seen[id >> 6] |= bit;
			fresh++;
		}
	}
	return fresh;
}

/* One byte along one chain; 1 once every literal has been found. */
static inline int
step(const struct prefilter *pf, uint32_t *st, uint8_t b, uint64_t *seen, int *found)
{
	uint32_t e = pf->delta[*st + pf->cls[b]];

	*st = e & ~OUT;
	if (!(e & OUT))
		return 0;
	*found += report(pf, (int32_t)(*st / pf->nclass), seen);
	return *found == pf->n;
}

static int
walk(const struct prefilter *pf, uint32_t *st, const uint8_t *p, size_t n, uint64_t *seen,
    int *found)
{
	for (size_t i = 0; i < n; i++)
		if (step(pf, st, p[i], seen, found))
			return 1;
	return 0;
}

/*
 * The first chain runs on PREFILTER_LIT_MAX - 1 bytes into the second
 * half, for literals that cross the middle; the second starts fresh there
 * and finds those that start there or after.
 */
int
prefilter_scan(const struct prefilter *pf, const uint8_t *buf, size_t len, uint64_t *seen)
{
	size_t half = len / 2, cross = len - half;
	uint32_t a = 0, b = 0;
	int found = 0;

	if (pf->delta == NULL || pf->n == 0)
		return 0;
	for (size_t i = 0; i < half; i++)
		if (step(pf, &a, buf[i], seen, &found) || step(pf, &b, buf[half + i], seen, &found))
			return found;
	if (cross > PREFILTER_LIT_MAX - 1)
		cross = PREFILTER_LIT_MAX - 1;
	if (!walk(pf, &b, buf + 2 * half, len - 2 * half, seen, &found))
		walk(pf, &a, buf + half, cross, seen, &found);
	return found;
}

void
prefilter_free(struct prefilter *pf)
{
	if (pf == NULL)
		return;
	free(pf->delta);
	free(pf->out);
	free(pf->dict);
	free(pf->hash);
	free(pf->litlen);
	free(pf->lit);
	free(pf);
}
