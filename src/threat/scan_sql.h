/*
 * scan_sql.h: SQL injection in the statements a PostgreSQL or MySQL client
 * sends (SQL.Injection, threat_def.h).  The scanner reads a statement's
 * text as it streams, byte by byte, with no buffer: a lexer (strings with
 * their escapes, dollar quotes, quoted identifiers, comments, numbers,
 * words, operators) whose state survives any cut, and the last few
 * tokens, on which the rules below are decided as each token ends.  The
 * same bytes cut anyhow give the same findings.
 *
 * Injected SQL, not SQL: the rules look for what an application builds by
 * pasting input into a statement, and what it never writes itself:
 *
 * - SQL_TAUTOLOGY: OR followed by a comparison of two literals that is true
 *   ("OR 1=1", "OR 'a'='a'", "OR 2>1"), or by a non-zero number or TRUE
 *   that ends the condition ("' OR 1 --");
 * - SQL_COMMENT: a comment that holds a quote (it cut the rest of the
 *   statement off: "name = '' OR 1=1 --'"), or a block comment left open;
 * - SQL_STACKED: in a statement that began with SELECT, a literal, ';' and
 *   a statement that changes things (DROP, DELETE, INSERT, UPDATE, ...);
 * - SQL_UNION: UNION [ALL|DISTINCT] SELECT right after a literal compared
 *   to something, whose select list starts with NULL or a number, or that
 *   reads a catalog (information_schema, pg_catalog, mysql.user ...) or
 *   ends in a comment;
 * - SQL_DELAY: SLEEP(, PG_SLEEP(, PG_SLEEP_FOR(, BENCHMARK( after OR, AND,
 *   a comparison or an operator (not a statement that is only
 *   "SELECT pg_sleep(1)"), and WAITFOR DELAY.
 *
 * The state is a plain struct (no allocation); any thread may scan with
 * its own.  Fuzzed (tests/fuzz/fuzz_scan.c).
 */
#ifndef NVD_SCAN_SQL_H
#define NVD_SCAN_SQL_H

#include <stddef.h>
#include <stdint.h>

enum sql_dialect {
	SQL_POSTGRESQL = 0,	/* '' in strings, E'\'', $tag$...$tag$, "ident", nested comments */
	SQL_MYSQL,		/* \ in strings, "strings", `ident`, # comments */
};

#define SQL_TAUTOLOGY	0x01u
#define SQL_COMMENT	0x02u
#define SQL_STACKED	0x04u
#define SQL_UNION	0x08u
#define SQL_DELAY	0x10u

#define SQL_TOK_TEXT	24	/* bytes of a token kept (longer ones are cut) */
#define SQL_HIST	8	/* tokens kept */
#define SQL_RECENT	64	/* raw bytes kept for the evidence */

struct sql_tok {
	uint8_t kind;
	uint8_t len;
	uint8_t cut;			/* longer than SQL_TOK_TEXT */
	char text[SQL_TOK_TEXT];	/* words upper case; strings' contents */
};

struct sql_scan {
	uint8_t dialect;
	uint8_t mode;			/* lexer state */
	uint8_t pend;			/* a character that may start a two-character token */
	uint8_t depth;			/* nested block comments (PostgreSQL) */
	uint8_t esc;			/* a backslash escape in a string */
	uint8_t quote_seen;		/* the comment being read holds a quote */
	uint8_t dtag_len, dmatch;	/* dollar quote tag, and how much of it matched */
	char dtag[16];
	struct sql_tok cur;		/* the token being read */
	struct sql_tok hist[SQL_HIST];	/* the last tokens, [0] the latest */
	int nhist;
	uint8_t first_kw;		/* the statement's first word: 1 SELECT, 2 other */
	uint8_t after_select;		/* the statement before the last ';' began with SELECT */
	uint8_t union_open;		/* UNION SELECT after a compared literal: its list next */
	uint8_t union_cmp;		/* ... seen: a catalog or a comment confirms it */
	unsigned found;			/* SQL_* found so far */
	unsigned first;			/* the first found */
	uint8_t recent[SQL_RECENT];	/* the last bytes read, a ring */
	uint64_t nbytes;
	char evidence[SQL_RECENT + 1];	/* the bytes read up to the first finding */
};

/* A new statement (a message's text) in dialect. */
void sql_scan_start(struct sql_scan *s, enum sql_dialect dialect);
/* More of its text.  Returns the SQL_* found in these bytes that were not before. */
unsigned sql_scan_feed(struct sql_scan *s, const uint8_t *buf, size_t len);
/* The text ended; returns what its end confirms (as sql_scan_feed()). */
unsigned sql_scan_end(struct sql_scan *s);
/* "tautology", "comment", "stacked statement", "union select", "time delay". */
const char *sql_finding_name(unsigned bit);

#endif
