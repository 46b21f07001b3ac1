/*
 * proto_h2.c: the first request of a prior-knowledge HTTP/2 connection.
 *
 * Frames (RFC 9113 sections 3.4, 4.1, 6) are walked from the connection
 * preface to the first HEADERS frame and its CONTINUATIONs; the header
 * block is decoded with HPACK (RFC 7541): static and dynamic table, size
 * updates, Huffman strings.  Everything is bounded by the APP_PROBE_MAX
 * client bytes a probe sees: the block is copied out of its frames into a
 * buffer of that size, and Huffman output, at most 8/5 of its input, into
 * an arena sized from it.  The dynamic table is held to the initial
 * SETTINGS_HEADER_TABLE_SIZE, 4096: a client's first block has no reason
 * to raise it, and a size update above it is taken as malformed.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "base/bytes.h"
#include "proto/app.h"
#include "proto/proto_h2.h"

#define H2_PREFACE	"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACE_LEN	24
#define H2_FRAME_HDR	9
#define H2_FRAME_MAX	16384	/* SETTINGS_MAX_FRAME_SIZE until the server raises it */

enum {
	F_DATA, F_HEADERS, F_PRIORITY, F_RST_STREAM, F_SETTINGS, F_PUSH_PROMISE,
	F_PING, F_GOAWAY, F_WINDOW_UPDATE, F_CONTINUATION,
};
#define FL_ACK		0x01
#define FL_END_HEADERS	0x04
#define FL_PADDED	0x08
#define FL_PRIORITY	0x20

#define HPACK_TABLE_MAX	4096	/* bytes, as RFC 7541 section 4.1 counts them */
#define HPACK_OVERHEAD	32	/* added to each entry's size */
#define HPACK_ENTRIES	(HPACK_TABLE_MAX / HPACK_OVERHEAD)
#define HUFF_OUT_MAX	(APP_PROBE_MAX * 8 / 5 + 1)	/* shortest code: 5 bits */

/* Decoding a representation: done, out of bytes, or malformed. */
enum hd { HD_OK, HD_SHORT, HD_BAD };

struct hfield {
	const uint8_t *name, *value;
	size_t nlen, vlen;
};

/* The dynamic table, a ring of entries oldest first, and the Huffman arena. */
struct hpack {
	struct hfield dyn[HPACK_ENTRIES];
	size_t base, count, size, max;
	size_t fields;			/* header fields decoded so far */
	size_t used;
	uint8_t arena[HUFF_OUT_MAX];
};

/* RFC 7541 Appendix A. */
static const struct {
	const char *name, *value;
} static_table[] = {
	{ ":authority", "" }, { ":method", "GET" }, { ":method", "POST" },
	{ ":path", "/" }, { ":path", "/index.html" }, { ":scheme", "http" },
	{ ":scheme", "https" }, { ":status", "200" }, { ":status", "204" },
	{ ":status", "206" }, { ":status", "304" }, { ":status", "400" },
	{ ":status", "404" }, { ":status", "500" }, { "accept-charset", "" },
	{ "accept-encoding", "gzip, deflate" }, { "accept-language", "" },
	{ "accept-ranges", "" }, { "accept", "" },
	{ "access-control-allow-origin", "" }, { "age", "" }, { "allow", "" },
	{ "authorization", "" }, { "cache-control", "" },
	{ "content-disposition", "" }, { "content-encoding", "" },
	{ "content-language", "" }, { "content-length", "" },
	{ "content-location", "" }, { "content-range", "" },
	{ "content-type", "" }, { "cookie", "" }, { "date", "" }, { "etag", "" },
	{ "expect", "" }, { "expires", "" }, { "from", "" }, { "host", "" },
	{ "if-match", "" }, { "if-modified-since", "" }, { "if-none-match", "" },
	{ "if-range", "" }, { "if-unmodified-since", "" },
	{ "last-modified", "" }, { "link", "" }, { "location", "" },
	{ "max-forwards", "" }, { "proxy-authenticate", "" },
	{ "proxy-authorization", "" }, { "range", "" }, { "referer", "" },
	{ "refresh", "" }, { "retry-after", "" }, { "server", "" },
	{ "set-cookie", "" }, { "strict-transport-security", "" },
	{ "transfer-encoding", "" }, { "user-agent", "" }, { "vary", "" },
	{ "via", "" }, { "www-authenticate", "" },
};
#define STATIC_COUNT	(sizeof(static_table) / sizeof(static_table[0]))

/*
 * RFC 7541 Appendix B is a canonical Huffman code: codes of one length are
 * consecutive, in symbol order, and each length's first code follows the
 * previous length's last.  So the code lengths' counts and the symbols in
 * that order are the whole table.  EOS (256) is the last 30-bit code.
 */
static const uint8_t huff_count[31] = {
	0, 0, 0, 0, 0, 10, 26, 32, 6, 0, 5, 3, 2, 6, 2, 3, 0, 0, 0, 3, 8, 13,
	26, 29, 12, 4, 15, 19, 29, 0, 4,
};
static const uint8_t huff_sym[256] = {
	/*  5 */ '0', '1', '2', 'a', 'c', 'e', 'i', 'o', 's', 't',
	/*  6 */ ' ', '%', '-', '.', '/', '3', '4', '5', '6', '7', '8', '9',
		  '=', 'A', '_', 'b', 'd', 'f', 'g', 'h', 'l', 'm', 'n', 'p',
		  'r', 'u',
	/*  7 */ ':', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L',
		  'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'Y',
		  'j', 'k', 'q', 'v', 'w', 'x', 'y', 'z',
	/*  8 */ '&', '*', ',', ';', 'X', 'Z',
	/* 10 */ '!', '"', '(', ')', '?',
	/* 11 */ '\'', '+', '|',
	/* 12 */ '#', '>',
	/* 13 */ 0, '$', '@', '[', ']', '~',
	/* 14 */ '^', '}',
	/* 15 */ '<', '`', '{',
	/* 19 */ '\\', 195, 208,
	/* 20 */ 128, 130, 131, 162, 184, 194, 224, 226,
	/* 21 */ 153, 161, 167, 172, 176, 177, 179, 209, 216, 217, 227, 229,
		  230,
	/* 22 */ 129, 132, 133, 134, 136, 146, 154, 156, 160, 163, 164, 169,
		  170, 173, 178, 181, 185, 186, 187, 189, 190, 196, 198, 228,
		  232, 233,
	/* 23 */ 1, 135, 137, 138, 139, 140, 141, 143, 147, 149, 150, 151,
		  152, 155, 157, 158, 165, 166, 168, 174, 175, 180, 182, 183,
		  188, 191, 197, 231, 239,
	/* 24 */ 9, 142, 144, 145, 148, 159, 171, 206, 215, 225, 236, 237,
	/* 25 */ 199, 207, 234, 235,
	/* 26 */ 192, 193, 200, 201, 202, 205, 210, 213, 218, 219, 238, 240,
		  242, 243, 255,
	/* 27 */ 203, 204, 211, 212, 214, 221, 222, 223, 241, 244, 245, 246,
		  247, 248, 250, 251, 252, 253, 254,
	/* 28 */ 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21,
		  23, 24, 25, 26, 27, 28, 29, 30, 31, 127, 220, 249,
	/* 30 */ 10, 13, 22,
};

/*
 * Decodes n Huffman-coded bytes (RFC 7541 section 5.2) into out, bit by
 * bit: a code of length len is complete when it falls among that length's
 * codes.  EOS, padding longer than 7 bits or not all ones are errors.
 */
static int
huff_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
	uint32_t code = 0, first = 0;
	size_t idx = 0, o = 0;
	int len = 0;

	for (size_t i = 0; i < n * 8; i++) {
		code = code << 1 | ((in[i / 8] >> (7 - i % 8)) & 1);
		if (++len > 30)
			return -1;	/* cannot happen: the code is complete */
		if (code - first < huff_count[len]) {
			idx += code - first;
			if (idx >= sizeof(huff_sym) || o == cap)
				return -1;	/* EOS */
			out[o++] = huff_sym[idx];
			code = first = 0;
			idx = 0;
			len = 0;
		} else {
			idx += huff_count[len];
			first = (first + huff_count[len]) << 1;
		}
	}
	if (len > 7 || code != (1u << len) - 1)
		return -1;
	*outlen = o;
	return 0;
}

/* An integer with a bits-bit prefix (RFC 7541 section 5.1), below 2^29. */
static enum hd
hpack_int(const uint8_t *b, size_t len, size_t *off, int bits, uint32_t *v)
{
	uint32_t mask = (1u << bits) - 1;

	if (*off >= len)
		return HD_SHORT;
	*v = b[(*off)++] & mask;
	if (*v < mask)
		return HD_OK;
	for (int shift = 0;; shift += 7) {
		uint8_t c;

		if (*off >= len)
			return HD_SHORT;
		if (shift > 21)
			return HD_BAD;	/* no index or length here comes near */
		c = b[(*off)++];
		*v += (uint32_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return HD_OK;
	}
}

/* A string literal (RFC 7541 section 5.2); Huffman output goes to the arena. */
static enum hd
hpack_string(struct hpack *hp, const uint8_t *b, size_t len, size_t *off,
    const uint8_t **s, size_t *slen)
{
	uint32_t n;
	int huff;
	enum hd r;

	if (*off >= len)
		return HD_SHORT;
	huff = b[*off] & 0x80;
	if ((r = hpack_int(b, len, off, 7, &n)) != HD_OK)
		return r;
	if (n > len - *off)
		return HD_SHORT;
	if (!huff) {
		*s = b + *off;
		*slen = n;
	} else {
		if (huff_decode(b + *off, n, hp->arena + hp->used,
		    sizeof(hp->arena) - hp->used, slen) == -1)
			return HD_BAD;
		*s = hp->arena + hp->used;
		hp->used += *slen;
	}
	*off += n;
	return HD_OK;
}

static enum hd
hpack_lookup(const struct hpack *hp, uint32_t idx, struct hfield *f)
{
	if (idx == 0)
		return HD_BAD;
	if (idx <= STATIC_COUNT) {
		f->name = (const uint8_t *)static_table[idx - 1].name;
		f->nlen = strlen(static_table[idx - 1].name);
		f->value = (const uint8_t *)static_table[idx - 1].value;
		f->vlen = strlen(static_table[idx - 1].value);
		return HD_OK;
	}
	idx -= STATIC_COUNT + 1;	/* 0: the newest entry */
	if (idx >= hp->count)
		return HD_BAD;
	*f = hp->dyn[(hp->base + hp->count - 1 - idx) % HPACK_ENTRIES];
	return HD_OK;
}

/* Evicts oldest entries until room bytes more fit (RFC 7541 section 4.4). */
static void
hpack_evict(struct hpack *hp, size_t room)
{
	while (hp->count > 0 && hp->size + room > hp->max) {
		const struct hfield *old = &hp->dyn[hp->base];

		hp->size -= old->nlen + old->vlen + HPACK_OVERHEAD;
		hp->base = (hp->base + 1) % HPACK_ENTRIES;
		hp->count--;
	}
}

static void
hpack_insert(struct hpack *hp, const struct hfield *f)
{
	size_t esize = f->nlen + f->vlen + HPACK_OVERHEAD;

	hpack_evict(hp, esize);
	if (esize > hp->max)
		return;		/* larger than the table: it is left empty */
	hp->dyn[(hp->base + hp->count) % HPACK_ENTRIES] = *f;
	hp->count++;
	hp->size += esize;
}

/*
 * One representation (RFC 7541 section 6): *is_field is 0 for a dynamic
 * table size update, which only the start of a block may carry (4.2).
 */
static enum hd
hpack_one(struct hpack *hp, const uint8_t *b, size_t len, size_t *off,
    struct hfield *f, int *is_field)
{
	uint8_t c = b[*off];
	uint32_t v;
	enum hd r;

	*is_field = 1;
	if (c & 0x80) {
		if ((r = hpack_int(b, len, off, 7, &v)) != HD_OK)
			return r;
		return hpack_lookup(hp, v, f);
	}
	if ((c & 0xe0) == 0x20) {
		*is_field = 0;
		if (hp->fields > 0)
			return HD_BAD;
		if ((r = hpack_int(b, len, off, 5, &v)) != HD_OK)
			return r;
		if (v > HPACK_TABLE_MAX)
			return HD_BAD;
		hp->max = v;
		hpack_evict(hp, 0);
		return HD_OK;
	}
	/* Literal with incremental indexing (6 bits), without or never (4). */
	if ((r = hpack_int(b, len, off, (c & 0x40) ? 6 : 4, &v)) != HD_OK)
		return r;
	if (v != 0)
		r = hpack_lookup(hp, v, f);
	else
		r = hpack_string(hp, b, len, off, &f->name, &f->nlen);
	if (r != HD_OK)
		return r;
	if ((r = hpack_string(hp, b, len, off, &f->value, &f->vlen)) != HD_OK)
		return r;
	if (c & 0x40)
		hpack_insert(hp, f);
	return HD_OK;
}

static int
name_is(const struct hfield *f, const char *name)
{
	return f->nlen == strlen(name) && !memcmp(f->name, name, f->nlen);
}

static void
take(struct h2_request *req, const struct hfield *f)
{
	if (name_is(f, ":method"))
		app_copy_text(req->method, sizeof(req->method), f->value, f->vlen);
	else if (name_is(f, ":path"))
		app_copy_text(req->path, sizeof(req->path), f->value, f->vlen);
	else if (name_is(f, ":authority") || (name_is(f, "host") && !req->authority[0]))
		app_copy_text(req->authority, sizeof(req->authority), f->value, f->vlen);
	else if (name_is(f, "content-type"))
		app_copy_text(req->content_type, sizeof(req->content_type),
		    f->value, f->vlen);
}

/*
 * Decodes a header block into req.  A block cut at the probe limit
 * (complete 0) may end inside a representation; a complete one may not.
 */
static enum app_result
hpack_block(const uint8_t *b, size_t len, int complete, struct h2_request *req)
{
	struct hpack hp;
	size_t off = 0;

	hp.base = hp.count = hp.size = hp.fields = hp.used = 0;
	hp.max = HPACK_TABLE_MAX;
	while (off < len) {
		struct hfield f;
		int is_field;
		enum hd r = hpack_one(&hp, b, len, &off, &f, &is_field);

		if (r == HD_BAD || (r == HD_SHORT && complete))
			return APP_NO;
		if (r == HD_SHORT)
			break;
		if (is_field) {
			hp.fields++;
			take(req, &f);
		}
	}
	return APP_YES;
}

static uint32_t
be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* The values RFC 9113 section 6.5.2 bounds, in a complete SETTINGS frame. */
static int
settings_ok(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 6 <= len; i += 6) {
		uint16_t id = be16(p + i);
		uint32_t v = be32(p + i + 2);

		if ((id == 2 && v > 1) || (id == 4 && v > 0x7fffffff) ||
		    (id == 5 && (v < 16384 || v > 0xffffff)))
			return 0;
	}
	return 1;
}

/* The header block the frames have carried so far. */
struct h2_block {
	uint8_t buf[APP_PROBE_MAX];
	size_t len;
	uint32_t stream;	/* its stream; 0 before the HEADERS frame */
	int complete;		/* END_HEADERS came */
};

/*
 * Adds the fragment of a HEADERS or CONTINUATION frame of flen bytes, of
 * which avail are here, to the block (RFC 9113 sections 6.2, 6.10).
 * Returns -1 when the padding does not fit the frame.
 */
static int
fragment(struct h2_block *blk, const uint8_t *pl, size_t flen, size_t avail,
    uint8_t type, uint8_t flags)
{
	size_t s = 0, pad = 0, e;

	if (type == F_HEADERS && (flags & FL_PADDED)) {
		if (flen == 0)
			return -1;
		if (avail == 0)
			return 0;	/* the pad length is still to come */
		pad = pl[0];
		s = 1;
	}
	if (type == F_HEADERS && (flags & FL_PRIORITY))
		s += 5;
	if (s + pad > flen)
		return -1;
	e = flen - pad < avail ? flen - pad : avail;
	if (e > s) {
		memcpy(blk->buf + blk->len, pl + s, e - s);
		blk->len += e - s;
	}
	if (avail == flen && (flags & FL_END_HEADERS))
		blk->complete = 1;
	return 0;
}

/* Whether one frame, other than the block's, may come before the block ends. */
static int
frame_ok(uint8_t type, uint8_t flags, uint32_t sid, const uint8_t *pl, size_t flen,
    size_t avail)
{
	switch (type) {
	case F_SETTINGS:
		if (flags & FL_ACK)
			return sid == 0 && flen == 0;
		return sid == 0 && flen % 6 == 0 && (avail < flen || settings_ok(pl, flen));
	case F_WINDOW_UPDATE:
		return flen == 4;
	case F_PRIORITY:
		return sid != 0 && flen == 5;
	case F_PING:
		return sid == 0 && flen == 8;
	case F_GOAWAY:
		return sid == 0 && flen >= 8;
	case F_DATA:		/* no stream is open yet */
	case F_RST_STREAM:
	case F_PUSH_PROMISE:	/* servers only */
		return 0;
	default:
		return 1;	/* extension frames are ignored (section 5.5) */
	}
}

/* Walks the client's frames after the preface up to the end of the first block. */
static enum app_result
frames(const uint8_t *p, size_t len, struct h2_block *blk)
{
	size_t off = H2_PREFACE_LEN;

	while (len - off >= H2_FRAME_HDR && !blk->complete) {
		uint32_t flen = be24(p + off), sid = be32(p + off + 5) & 0x7fffffff;
		uint8_t type = p[off + 3], flags = p[off + 4];
		const uint8_t *pl = p + off + H2_FRAME_HDR;
		size_t avail = len - off - H2_FRAME_HDR;

		if (avail > flen)
			avail = flen;
		if (flen > H2_FRAME_MAX)
			return APP_NO;
		if (off == H2_PREFACE_LEN && (type != F_SETTINGS || (flags & FL_ACK)))
			return APP_NO;	/* the preface ends with SETTINGS (3.4) */
		if (blk->stream != 0 && (type != F_CONTINUATION || sid != blk->stream))
			return APP_NO;
		if (type == F_HEADERS || type == F_CONTINUATION) {
			if (type == F_CONTINUATION ? blk->stream == 0 : sid % 2 == 0)
				return APP_NO;
			blk->stream = sid;
			if (fragment(blk, pl, flen, avail, type, flags) == -1)
				return APP_NO;
		} else if (!frame_ok(type, flags, sid, pl, flen, avail))
			return APP_NO;
		if (avail < flen)
			break;
		off += H2_FRAME_HDR + flen;
	}
	return APP_MAYBE;
}

enum app_result
h2_first_request(const struct app_input *in, struct h2_request *req)
{
	struct h2_block blk;
	const uint8_t *p = in->data[0];
	size_t len = in->len[0];
	int ended = in->closed[0] || len >= APP_PROBE_MAX;

	memset(req, 0, sizeof(*req));
	if (len > APP_PROBE_MAX)
		len = APP_PROBE_MAX;	/* the block buffer's size */
	if (len == 0)
		return ended ? APP_NO : APP_MAYBE;
	if (memcmp(p, H2_PREFACE, len < H2_PREFACE_LEN ? len : H2_PREFACE_LEN))
		return APP_NO;
	if (len < H2_PREFACE_LEN)
		return ended ? APP_NO : APP_MAYBE;
	blk.len = 0;
	blk.stream = 0;
	blk.complete = 0;
	if (frames(p, len, &blk) == APP_NO)
		return APP_NO;
	if (!blk.complete && !ended)
		return APP_MAYBE;
	if (blk.stream == 0)
		return APP_YES;		/* no request before the limit */
	return hpack_block(blk.buf, blk.len, blk.complete, req);
}

int
h2_is_grpc(const struct h2_request *req)
{
	const char *ct = req->content_type;
	size_t n = strlen("application/grpc");

	return !strncasecmp(ct, "application/grpc", n) &&
	    (ct[n] == '\0' || ct[n] == '+' || ct[n] == ';');
}

enum app_result
h2_prior_knowledge(const struct app_input *in, int grpc, struct app_info *info)
{
	struct h2_request req;
	enum app_result r;

	if ((r = h2_first_request(in, &req)) != APP_YES)
		return r;
	if (h2_is_grpc(&req) != grpc)
		return APP_NO;
	app_copy_text(info->method, sizeof(info->method),
	    (const uint8_t *)req.method, strlen(req.method));
	app_copy_text(info->path, sizeof(info->path),
	    (const uint8_t *)req.path, strlen(req.path));
	app_copy_text(info->host, sizeof(info->host),
	    (const uint8_t *)req.authority, strlen(req.authority));
	app_copy_text(info->version, sizeof(info->version), (const uint8_t *)"2", 1);
	return APP_YES;
}
