/*
 * fuzz_scan: the threat detectors' scanners on any bytes (FUZZ_SCAN picks
 * one): scan_sql.h's statements (the first byte chooses the dialect and
 * where the text is cut in two: the findings must be those of the text
 * whole), scan_tls.h's records (the first byte chooses the direction; cut
 * into pieces or whole, the findings must be the same), scan_dns.h's messages (each in a buffer of
 * its exact size; what it reports must lie inside the message).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "threat/scan_dns.h"
#include "threat/scan_sql.h"
#include "threat/scan_tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SQL 1
#define TLS 2
#define DNS 3

#if FUZZ_SCAN == SQL
static void
sql(const uint8_t *d, size_t n)
{
	struct sql_scan a, b;
	unsigned fa, fb;
	size_t cut;

	if (n < 1)
		return;
	cut = n > 1 ? d[0] % n : 0;
	sql_scan_start(&a, d[0] & 1 ? SQL_MYSQL : SQL_POSTGRESQL);
	sql_scan_start(&b, d[0] & 1 ? SQL_MYSQL : SQL_POSTGRESQL);
	d++;
	n--;
	if (cut > n)
		cut = n;
	fa = sql_scan_feed(&a, d, n);
	fa |= sql_scan_end(&a);
	fb = sql_scan_feed(&b, d, cut);
	fb |= sql_scan_feed(&b, d + cut, n - cut);
	fb |= sql_scan_end(&b);
	if (fa != fb || fa != a.found || (fa && !(fa & a.first)) ||
	    memchr(a.evidence, '\0', sizeof(a.evidence)) == NULL)
		abort();
	for (unsigned bit = 1; bit <= SQL_DELAY; bit <<= 1)
		if ((fa & bit) && sql_finding_name(bit)[0] == '?')
			abort();
}

#elif FUZZ_SCAN == TLS
/*
 * One direction's bytes (the first byte's low bit says which), cut into
 * pieces of 1 to 16 bytes by the bytes themselves, or whole.
 */
static unsigned
tls(const uint8_t *d, size_t n, int whole)
{
	struct tls_scan *s = calloc(1, sizeof(*s));
	unsigned f = 0;
	int di;

	if (s == NULL)
		abort();
	tls_scan_init(s);
	if (n < 1)
		goto out;
	di = d[0] & 1;
	d++;
	n--;
	if (whole)
		f = tls_scan_feed(s, di, d, n);
	for (size_t off = 0; !whole && off < n;) {
		size_t piece = 1 + (d[off] & 15);

		if (piece > n - off)
			piece = n - off;
		f |= tls_scan_feed(s, di, d + off, piece);
		off += piece;
	}
	(void)tls_scan_done(s);
	if (f != s->found || tls_version_name(s->agreed) == NULL)
		abort();
out:
	free(s);
	return f;
}

#else
static void
dns(const uint8_t *d, size_t n)
{
	uint8_t *m = malloc(n ? n : 1);
	struct dns_scan s;
	struct dns_name_shape sh;

	if (m == NULL)
		return;
	memcpy(m, d, n);
	if (dns_scan(m, n, &s) < 0) {
		if (n >= 12 || !s.bad)
			abort();
		free(m);
		return;
	}
	if (s.end > n || (!s.bad && !s.cut && s.end + s.tail != n) || s.qname_len > 255 ||
	    (s.loop && s.loop_at >= n))
		abort();
	dns_name_shape(s.qname, s.qname_len, 20, &sh);
	if (s.qname_len && (sh.zone < s.qname || sh.zone + sh.zone_len > s.qname + s.qname_len ||
	    sh.sub_len > s.qname_len || sh.longest > 63 || sh.entropy > 600))
		abort();
	free(m);
}

#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#if FUZZ_SCAN == SQL
	sql(data, size);
#elif FUZZ_SCAN == TLS
	if (tls(data, size, 0) != tls(data, size, 1))
		abort();
#else
	dns(data, size);
#endif
	return 0;
}
