/*
 * threat_sql.c: SQL.Injection on what a PostgreSQL or MySQL client sends
 * (threat.h): its messages framed as they stream, the statements of those
 * that carry one handed to the scanner (scan_sql.h) byte by byte, with no
 * buffer, so a statement of any length is read whole.
 *
 * PostgreSQL (protocol 3.0, its documentation's "Message Formats"): a
 * startup message (length, code; an SSLRequest or GSSENCRequest is
 * followed by another, or by TLS, which ends the reading), then typed
 * messages: Query ('Q') is a statement, Parse ('P') a name then one; the
 * others are skipped by their length.
 *
 * MySQL (client/server protocol): packets of a 3-byte length and a
 * sequence number; the client's first is its handshake response (SSL or
 * compression asked: nothing more can be read); then a packet of sequence
 * 0 is a command, COM_QUERY (3) and COM_STMT_PREPARE (22) carry a
 * statement, which packets of 2^24 - 1 bytes continue.
 */
#include "config.h"

#include <string.h>

#include "packet/threat_detect.h"

#define PG_SSL		80877103
#define PG_GSSENC	80877104
#define PG_CANCEL	80877102
#define PG_V3		3	/* the major version in a StartupMessage's code */
#define MY_CLIENT_SSL		0x00000800u
#define MY_CLIENT_COMPRESS	0x00000020u
#define MY_QUERY	3
#define MY_PREPARE	22
#define MY_MAX_PACKET	0xffffffu

/* Where in a message the bytes are. */
enum part {
	PART_SKIP = 0,
	PART_NAME,		/* Parse: the statement's name, up to its NUL */
	PART_TEXT,		/* a statement (PostgreSQL: up to its NUL) */
	PART_HANDSHAKE,		/* MySQL: the handshake response's capabilities */
};

static uint32_t
rd32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Findings of the statement so far, to the detector. */
static void
findings(struct threat_env *e, struct flow *f, unsigned got)
{
	struct sql_scan *s = &f->thr->u.sql.scan;
	char ex[80];

	if (got == 0)
		return;
	threat_excerpt(ex, sizeof(ex), (const uint8_t *)s->evidence, strlen(s->evidence));
	threat_fire(e, f, NULL, THREAT_SQL_INJECTION, f->thr_deny, "%s in a %s statement: %s",
	    sql_finding_name(s->first), f->app == APP_MYSQL ? "MySQL" : "PostgreSQL", ex);
}

static void
text_start(struct threat_sql *q, int mysql)
{
	sql_scan_start(&q->scan, mysql ? SQL_MYSQL : SQL_POSTGRESQL);
	q->part = PART_TEXT;
}

/* PostgreSQL: a whole header (8 bytes of a startup message, else 5). */
static void
pg_header(struct threat_sql *q)
{
	uint32_t len;

	q->part = PART_SKIP;
	if (!q->started) {
		uint32_t code = rd32be(q->hdr + 4);

		len = rd32be(q->hdr);
		if (len < 8 || (code >> 16 != PG_V3 && code != PG_SSL && code != PG_GSSENC &&
		    code != PG_CANCEL)) {
			q->stopped = 1;
			return;
		}
		q->started = code >> 16 == PG_V3;
		q->left = len - 8;
		return;
	}
	q->type = q->hdr[0];
	if ((len = rd32be(q->hdr + 1)) < 4) {
		q->stopped = 1;
		return;
	}
	q->left = len - 4;
	if (q->type == 'Q')
		text_start(q, 0);
	else if (q->type == 'P')
		q->part = PART_NAME;
}

/* MySQL: a whole packet header. */
static void
my_header(struct threat_sql *q)
{
	uint32_t len = q->hdr[0] | (uint32_t)q->hdr[1] << 8 | (uint32_t)q->hdr[2] << 16;
	int cont = q->part == PART_TEXT && q->type == 1;	/* a statement goes on */

	q->left = len;
	q->type = len == MY_MAX_PACKET;
	if (!q->started)
		q->part = PART_HANDSHAKE;
	else if (cont)
		q->part = PART_TEXT;
	else
		q->part = q->hdr[3] == 0 ? PART_NAME : PART_SKIP;	/* NAME: the command byte */
}

/* n body bytes of a message (PostgreSQL) or packet (MySQL). */
static void
body(struct threat_env *e, struct flow *f, const uint8_t *b, size_t n, int mysql)
{
	struct threat_sql *q = &f->thr->u.sql;
	const uint8_t *nul;

	if (n == 0)
		return;
	switch (q->part) {
	case PART_HANDSHAKE:
		/* Capabilities: the first 4 bytes, little endian. */
		if (q->left + n >= 4 && n > 0) {
			uint32_t caps = 0;

			for (size_t i = 0; i < n && i < 4; i++)
				caps |= (uint32_t)b[i] << (8 * i);
			if (caps & (MY_CLIENT_SSL | MY_CLIENT_COMPRESS))
				q->stopped = 1;
		}
		q->part = PART_SKIP;
		break;
	case PART_NAME:
		if (mysql) {
			if (b[0] == MY_QUERY || b[0] == MY_PREPARE) {
				text_start(q, 1);
				body(e, f, b + 1, n - 1, mysql);
			} else
				q->part = PART_SKIP;
			break;
		}
		if ((nul = memchr(b, 0, n)) != NULL) {
			text_start(q, 0);
			body(e, f, nul + 1, n - (size_t)(nul + 1 - b), mysql);
		}
		break;
	case PART_TEXT:
		if (!mysql && (nul = memchr(b, 0, n)) != NULL) {
			findings(e, f, sql_scan_feed(&q->scan, b, (size_t)(nul - b)));
			if (f->thr)
				findings(e, f, sql_scan_end(&q->scan));
			q->part = PART_SKIP;
		} else
			findings(e, f, sql_scan_feed(&q->scan, b, n));
		break;
	default:
		break;
	}
}

void
threat_sql_feed(struct threat_env *e, struct flow *f, int dir, const uint8_t *b, size_t n)
{
	int mysql = f->thr->app == APP_MYSQL;

	if (dir != DIR_TO_SERVER)
		return;
	while (n > 0 && f->thr && !f->thr->u.sql.stopped) {
		struct threat_sql *q = &f->thr->u.sql;
		size_t need, take;

		if (q->hlen == 0)
			q->hneed = mysql ? 4 : q->started ? 5 : 8;
		need = q->hneed;
		if (q->hlen < need) {
			/* PostgreSQL: TLS after an SSLRequest, not a startup message. */
			if (!mysql && !q->started && q->hlen == 0 && b[0] == 0x16) {
				q->stopped = 1;
				break;
			}
			take = need - q->hlen < n ? need - q->hlen : n;
			memcpy(q->hdr + q->hlen, b, take);
			q->hlen = (uint8_t)(q->hlen + take);
			if (q->hlen == need && mysql)
				my_header(q);
			else if (q->hlen == need)
				pg_header(q);
		} else {
			take = q->left < n ? q->left : n;
			body(e, f, b, take, mysql);
			q = f->thr ? &f->thr->u.sql : NULL;
			if (q)
				q->left -= (uint32_t)take;
		}
		b += take;
		n -= take;
		if (q && q->hlen == need && q->left == 0) {
			/* The message ended: a MySQL statement unless a packet continues it. */
			if (q->part == PART_TEXT && (!mysql || !q->type))
				findings(e, f, sql_scan_end(&q->scan));
			if (f->thr) {
				f->thr->u.sql.hlen = 0;
				if (mysql && !f->thr->u.sql.started)
					f->thr->u.sql.started = 1;
				if (!(mysql && f->thr->u.sql.type && f->thr->u.sql.part == PART_TEXT))
					f->thr->u.sql.part = PART_SKIP;
			}
		}
	}
}
