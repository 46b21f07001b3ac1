/*
 * scan_dns.c: a DNS message read whole for its threats (scan_dns.h).
 */
#include "config.h"

#include <string.h>

#include "threat/scan_dns.h"

#define HEADER		12
#define TYPE_NS		2
#define TYPE_CNAME	5
#define TYPE_SOA	6
#define TYPE_PTR	12
#define TYPE_MX		15
#define TYPE_SRV	33
#define TYPE_DNAME	39
#define TYPE_OPT	41

enum { NAME_OK = 0, NAME_BAD = -1, NAME_LOOP = -2 };

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * The name at off: *next is the offset after it where it lies.  Each
 * pointer must point before the start of the labels it ends (so every
 * jump goes back and the walk ends); one that does not is a loop
 * pointer.  With wire, the name's labels are copied there (255 bytes).
 */
static int
name_read(const uint8_t *m, size_t len, size_t off, size_t *next, uint8_t *wire, size_t *wlen,
    struct dns_scan *out)
{
	size_t pos = off, start = off, total = 0;
	int jumps = 0, jumped = 0;

	for (;;) {
		uint8_t c;

		if (pos >= len)
			return NAME_BAD;
		c = m[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= len)
				return NAME_BAD;
			target = (size_t)(c & 0x3f) << 8 | m[pos + 1];
			if (!jumped)
				*next = pos + 2;
			if (target >= start) {
				out->loop = 1;
				out->loop_at = pos;
				return NAME_LOOP;
			}
			if (++jumps > DNS_SCAN_JUMPS)
				return NAME_BAD;
			pos = start = target;
			jumped = 1;
			continue;
		}
		if (c & 0xc0)
			return NAME_BAD;	/* label types 0x40 and 0x80 */
		if (c == 0) {
			if (!jumped)
				*next = pos + 1;
			if (wire && total < 255)
				wire[total] = 0;
			if (wlen)
				*wlen = total + 1;
			return NAME_OK;
		}
		if ((size_t)c + 1 > len - pos || total + c + 2 > 255)
			return NAME_BAD;
		if (wire)
			memcpy(wire + total, m + pos, (size_t)c + 1);
		total += (size_t)c + 1;
		pos += (size_t)c + 1;
	}
}

/* The names in a record's rdata (rd bytes at rdata). */
static int
rdata_names(const uint8_t *m, size_t len, uint16_t type, size_t rdata, size_t rd,
    struct dns_scan *out)
{
	size_t at, next, end = rdata + rd;
	int n = 1, rc;

	switch (type) {
	case TYPE_NS:
	case TYPE_CNAME:
	case TYPE_PTR:
	case TYPE_DNAME:
		at = rdata;
		break;
	case TYPE_SOA:
		at = rdata;
		n = 2;
		break;
	case TYPE_MX:
		at = rdata + 2;
		break;
	case TYPE_SRV:
		at = rdata + 6;
		break;
	default:
		return NAME_OK;
	}
	while (n-- > 0) {
		if (at >= end)
			return NAME_BAD;
		/* Compression may point anywhere before, but the name starts in the rdata. */
		if ((rc = name_read(m, end, at, &next, NULL, NULL, out)) != NAME_OK)
			return rc;
		at = next;
	}
	return NAME_OK;
}

/* The records after the questions; out->end moves past each whole one. */
static void
records(const uint8_t *m, size_t len, size_t off, unsigned count, struct dns_scan *out)
{
	for (unsigned i = 0; i < count; i++) {
		size_t next;
		uint16_t type, rd;

		if (name_read(m, len, off, &next, NULL, NULL, out) != NAME_OK) {
			out->bad = 1;
			return;
		}
		if (len - next < 10) {
			out->cut = 1;
			return;
		}
		type = rd16(m + next);
		rd = rd16(m + next + 8);
		if (rd > len - next - 10) {
			out->cut = 1;
			return;
		}
		if (type == TYPE_OPT)
			out->edns = rd16(m + next + 2);
		if (rdata_names(m, len, type, next + 10, rd, out) != NAME_OK) {
			out->bad = 1;
			return;
		}
		off = out->end = next + 10 + rd;
	}
	out->tail = len - out->end;
}

int
dns_scan(const uint8_t *m, size_t len, struct dns_scan *out)
{
	size_t off = HEADER;

	memset(out, 0, sizeof(*out));
	if (len < HEADER) {
		out->bad = 1;
		return -1;
	}
	out->id = rd16(m);
	out->answer = m[2] >> 7;
	out->qdcount = rd16(m + 4);
	out->ancount = rd16(m + 6);
	out->nscount = rd16(m + 8);
	out->arcount = rd16(m + 10);
	out->end = HEADER;
	for (unsigned i = 0; i < out->qdcount; i++) {
		size_t next;
		int rc = name_read(m, len, off, &next, i == 0 ? out->qname : NULL,
		    i == 0 ? &out->qname_len : NULL, out);

		if (rc != NAME_OK) {
			out->bad = 1;
			out->qname_len = 0;
			return 0;
		}
		if (len - next < 4) {
			out->cut = 1;
			return 0;
		}
		if (i == 0)
			out->qtype = rd16(m + next);
		off = out->end = next + 4;
	}
	records(m, len, off, (unsigned)out->ancount + out->nscount + out->arcount, out);
	return 0;
}

/* log2(k) x 10000 for k = 0..64 (0 for 0). */
static const uint16_t log2_10k[65] = {
	0, 0, 10000, 15850, 20000, 23219, 25850, 28074,
	30000, 31699, 33219, 34594, 35850, 37004, 38074, 39069,
	40000, 40875, 41699, 42479, 43219, 43923, 44594, 45236,
	45850, 46439, 47004, 47549, 48074, 48580, 49069, 49542,
	50000, 50444, 50875, 51293, 51699, 52095, 52479, 52854,
	53219, 53576, 53923, 54263, 54594, 54919, 55236, 55546,
	55850, 56147, 56439, 56724, 57004, 57279, 57549, 57814,
	58074, 58329, 58580, 58826, 59069, 59307, 59542, 59773,
	60000,
};

/* Shannon entropy of n (1..63) bytes, bits x 100 per byte: log2 n - (sum c log2 c) / n. */
static unsigned
entropy(const uint8_t *b, size_t n)
{
	uint8_t count[256] = { 0 };
	uint64_t sum = 0;

	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		count[b[i]]++;
	for (int c = 0; c < 256; c++)
		sum += (uint64_t)count[c] * log2_10k[count[c]];
	return (unsigned)((log2_10k[n] - sum / n) / 100);
}

void
dns_name_shape(const uint8_t *w, size_t len, size_t min_label, struct dns_name_shape *out)
{
	size_t at[128], n = 0, dom, zone;

	memset(out, 0, sizeof(*out));
	for (size_t off = 0; off < len && w[off] != 0 && n < 128; off += (size_t)w[off] + 1) {
		if (w[off] > len - off - 1)
			break;
		at[n++] = off;
	}
	out->zone = w;		/* the root: the zone is the whole name */
	out->zone_len = len;
	if (n == 0)
		return;
	/* example.com; example.co.uk */
	dom = n >= 3 && w[at[n - 1]] == 2 && w[at[n - 2]] <= 3 ? n - 3 : n >= 2 ? n - 2 : 0;
	zone = dom;
	for (size_t i = 0; i < dom; i++) {
		size_t l = w[at[i]];

		if (l > out->longest)
			out->longest = l;
		if (l >= min_label) {
			unsigned e = entropy(w + at[i] + 1, l);

			if (e > out->entropy)
				out->entropy = e;
			zone = i + 1;
		}
	}
	out->zone = w + at[zone];
	out->zone_len = len - at[zone];
	out->sub_len = at[zone];
}
