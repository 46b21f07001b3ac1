/*
 * proto_mongodb.c: MongoDB by the client's first message (MongoDB wire
 * protocol, and BSON 1.1 for the documents).
 *
 * A message starts with a 16-byte little-endian header: messageLength,
 * requestID, responseTo (0 in a request), opCode.  Clients speak first,
 * with OP_MSG (flag bits, then sections; the body, kind 0, first as every
 * driver sends it), legacy OP_QUERY (flags, "db.collection", skip, return,
 * the query) or OP_COMPRESSED.  The body document's first key is the
 * command (method); OP_MSG names the database in "$db", OP_QUERY in the
 * collection name.  A server reply must answer the request's id.
 */
#include "config.h"

#include <string.h>

#include "proto/app.h"
#include "proto/probe.h"
#include "base/types.h"

#define MSG_MAX		48000000	/* maxMessageSizeBytes */
#define OP_QUERY	2004
#define OP_COMPRESSED	2012
#define OP_MSG		2013

enum walk { WALK_OK, WALK_BAD, WALK_SHORT };

/* A BSON document being walked: bytes up to avail are there, doc ends at end. */
struct doc {
	const uint8_t *p;
	size_t avail, end;
	const uint8_t *first, *db;	/* the first key; the $db string */
	size_t first_len, db_len;
};

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Whether the n bytes at off are there: else bad past the end, short before. */
static enum walk
need(const struct doc *d, size_t off, size_t n)
{
	if (off > d->end || n > d->end - off)
		return WALK_BAD;
	return off + n <= d->avail ? WALK_OK : WALK_SHORT;
}

/* The end of the NUL-terminated string at *off. */
static enum walk
cstring(const struct doc *d, size_t *off)
{
	const uint8_t *nul;
	size_t lim = (d->avail < d->end ? d->avail : d->end);

	if (*off >= lim || (nul = memchr(d->p + *off, 0, lim - *off)) == NULL)
		return d->avail < d->end ? WALK_SHORT : WALK_BAD;
	*off = (size_t)(nul - d->p) + 1;
	return WALK_OK;
}

/* The size of an element's value of that type at off (BSON 1.1 types). */
static enum walk
value_size(const struct doc *d, uint8_t type, size_t off, size_t *size)
{
	static const uint8_t fixed[0x14] = {
		[0x01] = 8, [0x07] = 12, [0x08] = 1, [0x09] = 8, [0x10] = 4,
		[0x11] = 8, [0x12] = 8, [0x13] = 16,
	};
	size_t o = off;
	enum walk w;

	switch (type) {
	case 0x02: case 0x0c: case 0x0d: case 0x0e:	/* int32 length, string, NUL */
	case 0x03: case 0x04: case 0x0f:		/* int32 size, all included */
	case 0x05:					/* int32 length, subtype, data */
		if ((w = need(d, off, 4)) != WALK_OK)
			return w;
		if ((*size = le32(d->p + off)) > MSG_MAX)
			return WALK_BAD;
		if (type == 0x03 || type == 0x04 || type == 0x0f)
			return *size < 5 ? WALK_BAD : WALK_OK;
		if (type != 0x05 && *size < 1)
			return WALK_BAD;
		*size += type == 0x05 ? 5 : type == 0x0c ? 4 + 12 : 4;
		return WALK_OK;
	case 0x06: case 0x0a: case 0x7f: case 0xff:	/* no value */
		*size = 0;
		return WALK_OK;
	case 0x0b:					/* regex: two cstrings */
		if ((w = cstring(d, &o)) != WALK_OK || (w = cstring(d, &o)) != WALK_OK)
			return w;
		*size = o - off;
		return WALK_OK;
	default:
		if (type >= sizeof(fixed) || fixed[type] == 0)
			return WALK_BAD;
		*size = fixed[type];
		return WALK_OK;
	}
}

/* The elements of the document at d->p[start], for its first key and $db. */
static enum walk
walk(struct doc *d, size_t start)
{
	size_t off = start + 4, name, size;
	enum walk w;

	for (;;) {
		if ((w = need(d, off, 1)) != WALK_OK)
			return w;
		if (d->p[off] == 0)
			return off + 1 == d->end ? WALK_OK : WALK_BAD;
		name = off + 1;
		off = name;
		if ((w = cstring(d, &off)) != WALK_OK)
			return w;
		for (size_t i = name; i < off - 1; i++)
			if (d->p[i] < 0x20)
				return WALK_BAD;
		if (d->first == NULL)
			d->first = d->p + name, d->first_len = off - 1 - name;
		if ((w = value_size(d, d->p[name - 1], off, &size)) != WALK_OK ||
		    (w = need(d, off, size)) == WALK_BAD)
			return w;
		if (w == WALK_OK && off - 1 - name == 3 && memcmp(d->p + name, "$db", 3) == 0 &&
		    d->p[name - 1] == 0x02)
			d->db = d->p + off + 4, d->db_len = size - 5;
		off += size;
	}
}

/* The opcode's fields before the body document: its offset in *start. */
static enum walk
fields(struct doc *m, uint32_t op, size_t *start)
{
	const uint8_t *dot;
	size_t off = 20;
	enum walk w;

	if (op == OP_COMPRESSED) {
		/* originalOpcode, uncompressedSize, compressorId (noop..zstd). */
		if ((w = need(m, 16, 9)) != WALK_OK)
			return w;
		op = le32(m->p + 16);
		return (op == OP_MSG || op == OP_QUERY) && le32(m->p + 20) <= MSG_MAX &&
		    m->p[24] <= 3 ? WALK_OK : WALK_BAD;
	}
	if ((w = need(m, 16, 4)) != WALK_OK)
		return w;
	if (op == OP_MSG) {
		/* Only checksumPresent, moreToCome and exhaustAllowed exist. */
		if (le32(m->p + 16) & ~0x10003u)
			return WALK_BAD;
		if (le32(m->p + 16) & 1)
			m->end -= 4;
		*start = 21;
		if ((w = need(m, 20, 1)) != WALK_OK)
			return w;
		return m->p[20] == 0 ? WALK_OK : WALK_BAD;
	}
	/* OP_QUERY: flags (bit 0 reserved), "db.collection", skip, return. */
	if (le32(m->p + 16) & ~0xfeu)
		return WALK_BAD;
	if ((w = cstring(m, &off)) != WALK_OK)
		return w;
	dot = memchr(m->p + 20, '.', off - 21);
	if (dot == NULL || dot == m->p + 20)
		return WALK_BAD;
	m->db = m->p + 20;
	m->db_len = (size_t)(dot - m->p) - 20;
	*start = off + 8;
	return WALK_OK;
}

/* The header's bytes so far fit a request: length, responseTo 0, opcode. */
static int
header_ok(const uint8_t *p, size_t n)
{
	static const uint8_t ops[] = { OP_QUERY & 0xff, OP_COMPRESSED & 0xff, OP_MSG & 0xff };

	if ((n > 3 && p[3] > MSG_MAX >> 24) || (n > 12 && memchr(ops, p[12], 3) == NULL) ||
	    (n > 13 && p[13] != OP_MSG >> 8))
		return 0;
	for (size_t i = 8; i < 16 && i < n; i++)
		if (i != 12 && i != 13 && p[i] != 0)
			return 0;
	return 1;
}

static enum app_result
mongodb_probe(const struct app_input *in, struct app_info *info)
{
	const uint8_t *p = in->data[DIR_TO_SERVER], *s = in->data[DIR_TO_CLIENT];
	size_t n = in->len[DIR_TO_SERVER], start = 0;
	struct doc m = { 0 }, d = { 0 };
	uint32_t mlen, op;
	enum walk w;

	if (n == 0)
		return in->len[DIR_TO_CLIENT] > 0 ? APP_NO : probe_more(in, DIR_TO_SERVER);
	if (!header_ok(p, n))
		return APP_NO;
	if (n < 16)
		return probe_more(in, DIR_TO_SERVER);
	mlen = le32(p);
	op = le32(p + 12);
	if (mlen < 16 + 9 || mlen > MSG_MAX)
		return APP_NO;
	/*
	 * A reply answers this request, once whole; a client that closes has
	 * sent it whole (unless past the probe's view).
	 */
	if ((in->len[DIR_TO_CLIENT] > 0 || in->closed[DIR_TO_SERVER]) && n < mlen &&
	    n < APP_PROBE_MAX)
		return APP_NO;
	if (in->len[DIR_TO_CLIENT] >= 12 && le32(s + 8) != le32(p + 4))
		return APP_NO;
	m.p = d.p = p;
	m.avail = d.avail = n < mlen ? n : mlen;
	m.end = mlen;
	if ((w = fields(&m, op, &start)) == WALK_OK && op != OP_COMPRESSED &&
	    (w = need(&m, start, 4)) == WALK_OK) {
		if (le32(p + start) < 5 || le32(p + start) > m.end - start)
			return APP_NO;
		d.end = start + le32(p + start);
		w = walk(&d, start);
	}
	if (w == WALK_BAD)
		return APP_NO;
	/* A document past the probe's limit: the first key is enough. */
	if (w == WALK_SHORT && (n < APP_PROBE_MAX || d.first == NULL))
		return probe_more(in, DIR_TO_SERVER);
	app_copy_text(info->method, sizeof(info->method), d.first, d.first_len);
	if (m.db != NULL)
		app_copy_text(info->database, sizeof(info->database), m.db, m.db_len);
	else
		app_copy_text(info->database, sizeof(info->database), d.db, d.db_len);
	return APP_YES;
}

const struct app_ops proto_mongodb = {
	.id = APP_MONGODB,
	.name = "MongoDB",
	.word = "mongodb",
	.hint_ports = { 27017 },
	.probe = mongodb_probe,
};
