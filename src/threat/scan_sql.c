/*
 * scan_sql.c: the SQL injection scanner (scan_sql.h): a streaming lexer,
 * and rules decided on its last tokens as each one ends.  Comments are no
 * tokens (an attacker puts an empty block comment where a blank would
 * be); a line comment or an open block comment also ends a condition.
 */
#include "config.h"

#include <string.h>

#include "threat/scan_sql.h"

enum mode {
	M_NORMAL = 0,
	M_WORD,
	M_NUM,
	M_SQUOTE,		/* in '...' */
	M_SQUOTE_END,		/* a quote in '...': the end, or '' */
	M_DQUOTE,
	M_DQUOTE_END,
	M_BQUOTE,		/* `identifier` (MySQL) */
	M_LINE,			/* -- or # comment */
	M_BLOCK,		/* block comment */
	M_DTAG,			/* $tag$ opening a dollar quote (PostgreSQL) */
	M_DOLLAR,		/* in a dollar quote */
};

enum kind {
	T_NONE = 0,
	T_WORD,
	T_NUM,
	T_STR,
	T_OP,			/* = <> != < > <= >= || + - * / % and the like */
	T_LP,
	T_RP,
	T_SEMI,
	T_COMMA,
	T_OTHER,
};

/* A string being read allows backslash escapes (MySQL, E'' in PostgreSQL). */
#define ESC_ON		1
#define ESC_PENDING	2

static int
is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static int
word_is(const struct sql_tok *t, const char *w)
{
	return t->kind == T_WORD && !t->cut && t->len == strlen(w) && !memcmp(t->text, w, t->len);
}

static int
word_in(const struct sql_tok *t, const char *const *list)
{
	for (; *list; list++)
		if (word_is(t, *list))
			return 1;
	return 0;
}

static int
is_lit(const struct sql_tok *t)
{
	return t->kind == T_NUM || t->kind == T_STR;
}

static int
is_cmp(const struct sql_tok *t)
{
	static const char *const ops[] = { "=", "==", "<>", "!=", "<", ">", "<=", ">=", NULL };

	if (word_is(t, "LIKE"))
		return 1;
	if (t->kind != T_OP)
		return 0;
	for (int i = 0; ops[i]; i++)
		if (t->len == strlen(ops[i]) && !memcmp(t->text, ops[i], t->len))
			return 1;
	return 0;
}

/* hist[i], or an empty token past what is kept. */
static const struct sql_tok *
h(const struct sql_scan *s, int i)
{
	static const struct sql_tok none;

	return i < s->nhist ? &s->hist[i] : &none;
}

static void
found(struct sql_scan *s, unsigned bit, unsigned *out)
{
	if (s->found == 0) {
		size_t n = s->nbytes < SQL_RECENT ? (size_t)s->nbytes : SQL_RECENT;
		size_t start = (size_t)((s->nbytes - n) % SQL_RECENT);

		for (size_t i = 0; i < n; i++)
			s->evidence[i] = (char)s->recent[(start + i) % SQL_RECENT];
		s->evidence[n] = '\0';
		s->first = bit;
	}
	if (!(s->found & bit))
		*out |= bit;
	s->found |= bit;
}

/* A plain integer literal of at most 18 digits: 1 and *v. */
static int
int_value(const struct sql_tok *t, int64_t *v)
{
	int64_t x = 0;

	if (t->kind != T_NUM || t->cut || t->len == 0 || t->len > 18)
		return 0;
	for (int i = 0; i < t->len; i++) {
		if (!is_digit((uint8_t)t->text[i]))
			return 0;
		x = x * 10 + (t->text[i] - '0');
	}
	*v = x;
	return 1;
}

/* Whether "a op b" of two literals is true; 0 when it cannot be told. */
static int
always_true(const struct sql_tok *a, const struct sql_tok *op, const struct sql_tok *b)
{
	int64_t x, y;
	int c;

	if (a->cut || b->cut)
		return 0;
	if (int_value(a, &x) && int_value(b, &y))
		c = x < y ? -1 : x > y;
	else {
		int n = a->len < b->len ? a->len : b->len;

		c = memcmp(a->text, b->text, (size_t)n);
		if (c == 0)
			c = a->len < b->len ? -1 : a->len > b->len;
		c = c < 0 ? -1 : c > 0;
	}
	if (op->kind == T_WORD)		/* LIKE */
		return c == 0;
	switch (op->text[0]) {
	case '=':
		return c == 0;
	case '!':
		return c != 0;
	case '<':
		return op->len == 1 ? c < 0 : op->text[1] == '>' ? c != 0 : c <= 0;
	case '>':
		return op->len == 1 ? c > 0 : c >= 0;
	}
	return 0;
}

/* "OR" and then, past opening parentheses, hist[i]: 1 when so. */
static int
or_before(const struct sql_scan *s, int i)
{
	while (h(s, i)->kind == T_LP)
		i++;
	return word_is(h(s, i), "OR");
}

/* A condition ends (a comment, ';', ')' or the end): "OR 1" or "OR TRUE" before it. */
static void
condition_end(struct sql_scan *s, unsigned *out)
{
	int64_t v;

	if (((int_value(h(s, 0), &v) && v != 0) || word_is(h(s, 0), "TRUE")) && or_before(s, 1))
		found(s, SQL_TAUTOLOGY, out);
}

static const char *const dangerous[] = { "DROP", "DELETE", "INSERT", "UPDATE", "CREATE", "ALTER",
	"TRUNCATE", "SHUTDOWN", "EXEC", "EXECUTE", "GRANT", "REVOKE", "COPY", "DECLARE", "CALL",
	"LOAD", "RENAME", "REPLACE", NULL };
static const char *const catalogs[] = { "INFORMATION_SCHEMA", "PG_CATALOG", "PG_SHADOW",
	"PG_USER", "PG_AUTHID", "PG_ROLES", "PG_TABLES", "PG_DATABASE", "MYSQL", "SQLITE_MASTER",
	"VERSION", "@@VERSION", "CURRENT_USER", "SESSION_USER", "USER", "DATABASE", "SCHEMA_NAME",
	"TABLE_NAME", "COLUMN_NAME", "PASSWORD", "PASSWD", NULL };
static const char *const sleeps[] = { "SLEEP", "PG_SLEEP", "PG_SLEEP_FOR", "PG_SLEEP_UNTIL",
	"BENCHMARK", NULL };
static const char *const joins[] = { "OR", "AND", "XOR", "NOT", "||", NULL };

/* The rules, as token t ends (before it joins the history). */
static void
rules(struct sql_scan *s, const struct sql_tok *t, unsigned *out)
{
	int i;

	/* OR [(...] LIT CMP LIT, true. */
	if ((is_lit(t) || word_is(t, "TRUE")) && is_cmp(h(s, 0)) && is_lit(h(s, 1)) &&
	    or_before(s, 2) && always_true(h(s, 1), h(s, 0), t))
		found(s, SQL_TAUTOLOGY, out);
	if (t->kind == T_SEMI || t->kind == T_RP)
		condition_end(s, out);
	/* SELECT ... LIT; DROP ... */
	if (word_in(t, dangerous) && h(s, 0)->kind == T_SEMI && is_lit(h(s, 1)) && s->after_select)
		found(s, SQL_STACKED, out);
	/* LIT [)...] UNION [ALL|DISTINCT] SELECT, the literal compared. */
	if (s->union_open) {
		s->union_open = 0;
		if (t->kind == T_NUM || t->kind == T_STR || word_is(t, "NULL"))
			found(s, SQL_UNION, out);
	}
	if (s->union_cmp && word_in(t, catalogs))
		found(s, SQL_UNION, out);
	if (word_is(t, "SELECT")) {
		i = word_is(h(s, 0), "ALL") || word_is(h(s, 0), "DISTINCT");
		if (word_is(h(s, i), "UNION")) {
			for (i++; h(s, i)->kind == T_RP; i++)
				;
			if (is_lit(h(s, i)) && is_cmp(h(s, i + 1)))
				s->union_open = s->union_cmp = 1;
		}
	}
	/* [OR|AND|op] [(] [SELECT] SLEEP( */
	if (t->kind == T_LP && word_in(h(s, 0), sleeps)) {
		for (i = 1; h(s, i)->kind == T_LP || word_is(h(s, i), "SELECT"); i++)
			;
		if (word_in(h(s, i), joins) || h(s, i)->kind == T_OP)
			found(s, SQL_DELAY, out);
	}
	if (word_is(t, "DELAY") && word_is(h(s, 0), "WAITFOR"))
		found(s, SQL_DELAY, out);
}

/* Token t ended: the rules, then the statement's state and the history. */
static void
push(struct sql_scan *s, const struct sql_tok *t, unsigned *out)
{
	rules(s, t, out);
	if (t->kind == T_SEMI) {
		s->after_select = s->first_kw == 1;
		s->first_kw = 0;
		s->union_cmp = 0;
	} else if (s->first_kw == 0 && t->kind == T_WORD)
		s->first_kw = word_is(t, "SELECT") || word_is(t, "WITH") ? 1 : 2;
	memmove(&s->hist[1], &s->hist[0], (SQL_HIST - 1) * sizeof(s->hist[0]));
	s->hist[0] = *t;
	if (s->nhist < SQL_HIST)
		s->nhist++;
}

static void
tok_start(struct sql_scan *s, enum kind k)
{
	memset(&s->cur, 0, sizeof(s->cur));
	s->cur.kind = (uint8_t)k;
}

static void
tok_add(struct sql_scan *s, uint8_t c)
{
	if (s->cur.len < SQL_TOK_TEXT)
		s->cur.text[s->cur.len++] = (char)c;
	else
		s->cur.cut = 1;
}

static void
tok_end(struct sql_scan *s, unsigned *out)
{
	push(s, &s->cur, out);
	s->mode = M_NORMAL;
}

static void
single(struct sql_scan *s, enum kind k, uint8_t c, unsigned *out)
{
	tok_start(s, k);
	tok_add(s, c);
	tok_end(s, out);
}

/* A comment ended (or the text ended inside one). */
static void
comment_end(struct sql_scan *s, int line, unsigned *out)
{
	if (s->quote_seen)
		found(s, SQL_COMMENT, out);
	if (line) {
		condition_end(s, out);
		if (s->union_cmp)
			found(s, SQL_UNION, out);
	}
	s->quote_seen = 0;
	s->mode = M_NORMAL;
}

static void normal(struct sql_scan *s, uint8_t c, unsigned *out);

/* The character held in pend and c after it, in M_NORMAL. */
static void
pending(struct sql_scan *s, uint8_t c, unsigned *out)
{
	uint8_t p = s->pend;

	s->pend = 0;
	if (p == '-' && c == '-') {
		s->mode = M_LINE;
		return;
	}
	if (p == '/' && c == '*') {
		s->mode = M_BLOCK;
		s->depth = 1;
		return;
	}
	if ((p == '<' && (c == '>' || c == '=')) || (p == '>' && c == '=') ||
	    (p == '!' && c == '=') || (p == '|' && c == '|') || (p == '=' && c == '=')) {
		tok_start(s, T_OP);
		tok_add(s, p);
		tok_add(s, c);
		tok_end(s, out);
		return;
	}
	single(s, T_OP, p, out);
	normal(s, c, out);
}

static void
normal(struct sql_scan *s, uint8_t c, unsigned *out)
{
	if (s->pend) {
		pending(s, c, out);
		return;
	}
	if (is_alpha(c) || c == '@' || (c == '$' && s->dialect == SQL_MYSQL)) {
		tok_start(s, T_WORD);
		tok_add(s, c >= 'a' && c <= 'z' ? (uint8_t)(c - 32) : c);
		s->mode = M_WORD;
	} else if (is_digit(c)) {
		tok_start(s, T_NUM);
		tok_add(s, c);
		s->mode = M_NUM;
	} else if (c == '\'') {
		tok_start(s, T_STR);
		s->esc = s->dialect == SQL_MYSQL ? ESC_ON : 0;
		s->mode = M_SQUOTE;
	} else if (c == '"') {
		tok_start(s, s->dialect == SQL_MYSQL ? T_STR : T_WORD);
		s->esc = s->dialect == SQL_MYSQL ? ESC_ON : 0;
		s->mode = M_DQUOTE;
	} else if (c == '`') {
		tok_start(s, T_WORD);
		s->mode = M_BQUOTE;
	} else if (c == '#' && s->dialect == SQL_MYSQL)
		s->mode = M_LINE;
	else if (c == '$') {
		s->dtag_len = 0;
		s->mode = M_DTAG;
	} else if (strchr("-/<>!|=", c) && c != '\0')
		s->pend = c;
	else if (c == '(')
		single(s, T_LP, c, out);
	else if (c == ')')
		single(s, T_RP, c, out);
	else if (c == ';')
		single(s, T_SEMI, c, out);
	else if (c == ',')
		single(s, T_COMMA, c, out);
	else if (strchr("+*%^&~", c) && c != '\0')
		single(s, T_OP, c, out);
	else if (c > ' ')
		single(s, T_OTHER, c, out);
}

/* A quote inside a string: it ends it unless doubled. */
static void
quoted(struct sql_scan *s, uint8_t c, uint8_t q, enum mode in, unsigned *out)
{
	if (c == q) {			/* doubled: one quote in the string */
		tok_add(s, c);
		s->mode = in;
		return;
	}
	tok_end(s, out);
	normal(s, c, out);
}

/* A character of a string or quoted identifier closed by q. */
static void
in_quote(struct sql_scan *s, uint8_t c, uint8_t q, enum mode end)
{
	if (s->esc & ESC_PENDING) {
		s->esc &= (uint8_t)~ESC_PENDING;
		tok_add(s, c);
	} else if ((s->esc & ESC_ON) && c == '\\')
		s->esc |= ESC_PENDING;
	else if (c == q)
		s->mode = end;
	else
		tok_add(s, c);
}

/* A character of a dollar quote's opening tag: $tag$ or $$; $1 is a parameter. */
static void
dollar_tag(struct sql_scan *s, uint8_t c, unsigned *out)
{
	if (c == '$') {
		s->mode = M_DOLLAR;
		s->dmatch = 0;
		tok_start(s, T_STR);
	} else if (s->dtag_len == 0 && is_digit(c)) {
		tok_start(s, T_WORD);	/* a parameter */
		tok_add(s, '$');
		tok_add(s, c);
		s->mode = M_WORD;
	} else if ((is_alpha(c) || (s->dtag_len > 0 && is_digit(c))) &&
	    s->dtag_len < sizeof(s->dtag))
		s->dtag[s->dtag_len++] = (char)c;
	else {
		single(s, T_OTHER, '$', out);
		normal(s, c, out);
	}
}

/* A character inside a dollar quote: the tag again ends it. */
static void
in_dollar(struct sql_scan *s, uint8_t c, unsigned *out)
{
	if (s->dmatch == 0 && c == '$')
		s->dmatch = 1;
	else if (s->dmatch > 0 && s->dmatch <= s->dtag_len && c == (uint8_t)s->dtag[s->dmatch - 1])
		s->dmatch++;
	else if (s->dmatch == s->dtag_len + 1 && c == '$') {
		tok_end(s, out);
		return;
	} else {
		for (int i = 0; i < s->dmatch; i++)
			tok_add(s, i == 0 ? '$' : (uint8_t)s->dtag[i - 1]);
		s->dmatch = c == '$';
		if (c != '$')
			tok_add(s, c);
	}
}

static void
in_block(struct sql_scan *s, uint8_t c, unsigned *out)
{
	if (c == '\'' || c == '"')
		s->quote_seen = 1;
	if (s->pend == '*' && c == '/') {
		s->pend = 0;
		if (--s->depth == 0)
			comment_end(s, 0, out);
		return;
	}
	if (s->pend == '/' && c == '*' && s->dialect == SQL_POSTGRESQL) {
		s->pend = 0;
		if (s->depth < 255)
			s->depth++;
		return;
	}
	s->pend = c == '*' || c == '/' ? c : 0;
}

static void
step(struct sql_scan *s, uint8_t c, unsigned *out)
{
	switch (s->mode) {
	case M_NORMAL:
		normal(s, c, out);
		break;
	case M_WORD:
		if (c == '\'' && s->cur.len == 1 && !s->cur.cut && strchr("EBXN", s->cur.text[0])) {
			/* E'...', B'...', X'...', N'...': a string, E with escapes. */
			s->esc = s->cur.text[0] == 'E' || s->dialect == SQL_MYSQL ? ESC_ON : 0;
			tok_start(s, T_STR);
			s->mode = M_SQUOTE;
		} else if (is_alpha(c) || is_digit(c) || c == '$' ||
		    (c == '@' && s->cur.len == 1 && s->cur.text[0] == '@'))
			tok_add(s, c >= 'a' && c <= 'z' ? (uint8_t)(c - 32) : c);
		else {
			tok_end(s, out);
			normal(s, c, out);
		}
		break;
	case M_NUM:
		if (is_alpha(c) || is_digit(c) || c == '.')
			tok_add(s, c);
		else {
			tok_end(s, out);
			normal(s, c, out);
		}
		break;
	case M_SQUOTE:
		in_quote(s, c, '\'', M_SQUOTE_END);
		break;
	case M_SQUOTE_END:
		quoted(s, c, '\'', M_SQUOTE, out);
		break;
	case M_DQUOTE:
		in_quote(s, c, '"', M_DQUOTE_END);
		break;
	case M_DQUOTE_END:
		quoted(s, c, '"', M_DQUOTE, out);
		break;
	case M_BQUOTE:
		if (c == '`')
			tok_end(s, out);
		else
			tok_add(s, c >= 'a' && c <= 'z' ? (uint8_t)(c - 32) : c);
		break;
	case M_LINE:
		if (c == '\n' || c == '\r')
			comment_end(s, 1, out);
		else if (c == '\'' || c == '"')
			s->quote_seen = 1;
		break;
	case M_BLOCK:
		in_block(s, c, out);
		break;
	case M_DTAG:
		dollar_tag(s, c, out);
		break;
	case M_DOLLAR:
		in_dollar(s, c, out);
		break;
	}
}

void
sql_scan_start(struct sql_scan *s, enum sql_dialect dialect)
{
	memset(s, 0, sizeof(*s));
	s->dialect = (uint8_t)dialect;
}

unsigned
sql_scan_feed(struct sql_scan *s, const uint8_t *buf, size_t len)
{
	unsigned out = 0;

	for (size_t i = 0; i < len; i++) {
		s->recent[s->nbytes++ % SQL_RECENT] = buf[i];
		step(s, buf[i], &out);
	}
	return out;
}

unsigned
sql_scan_end(struct sql_scan *s)
{
	unsigned out = 0;

	if (s->pend && s->mode == M_NORMAL) {
		uint8_t p = s->pend;

		s->pend = 0;
		single(s, T_OP, p, &out);
	}
	switch (s->mode) {
	case M_WORD:
	case M_NUM:
	case M_SQUOTE_END:
	case M_DQUOTE_END:
		tok_end(s, &out);
		break;
	case M_LINE:
		comment_end(s, 1, &out);
		break;
	case M_BLOCK:
		/* Left open: it cut off whatever followed. */
		s->quote_seen = 1;
		comment_end(s, 1, &out);
		break;
	default:
		break;
	}
	condition_end(s, &out);
	s->mode = M_NORMAL;
	return out;
}

const char *
sql_finding_name(unsigned bit)
{
	switch (bit) {
	case SQL_TAUTOLOGY:
		return "tautology";
	case SQL_COMMENT:
		return "comment";
	case SQL_STACKED:
		return "stacked statement";
	case SQL_UNION:
		return "union select";
	case SQL_DELAY:
		return "time delay";
	}
	return "?";
}
