/*
 * threat_tls.c: SSL.Heartbleed, SSL.Version.2or3, SSL.TLS1.0 and SSL.TLS1.1
 * on a TLS connection's records (scan_tls.h), both directions.
 */
#include "config.h"

#include "packet/threat_detect.h"

void
threat_tls_feed(struct threat_env *e, struct flow *f, int dir, const uint8_t *b, size_t n)
{
	struct tls_scan *s = &f->thr->u.tls;
	unsigned got = tls_scan_feed(s, dir, b, n);
	uint32_t on = f->thr_on, deny = f->thr_deny;

	if ((got & TLS_HEARTBLEED) && (on & THREAT_BIT(THREAT_HEARTBLEED))) {
		if (s->hb_payload && dir == DIR_TO_SERVER)
			threat_fire(e, f, NULL, THREAT_HEARTBLEED, deny, "a heartbeat request for "
			    "%u bytes in a record of %u", s->hb_payload, s->hb_record);
		else
			threat_fire(e, f, NULL, THREAT_HEARTBLEED, deny, "a heartbeat answer of %u "
			    "bytes to a request of %u", s->hb_record, s->hb_req);
	}
	if ((got & (TLS_SSL2 | TLS_SSL3)) && (on & THREAT_BIT(THREAT_SSL_V2V3)))
		threat_fire(e, f, NULL, THREAT_SSL_V2V3, deny, "%s %s", (got & TLS_SSL2) ? "SSL 2" :
		    "SSL 3.0", s->agreed ? "agreed" : "offered as the highest version");
	if ((got & TLS_TLS10) && (on & THREAT_BIT(THREAT_TLS10)))
		threat_fire(e, f, NULL, THREAT_TLS10, deny, "TLS 1.0 agreed (the client offered "
		    "up to %s)", tls_version_name(s->client_max));
	if ((got & TLS_TLS11) && (on & THREAT_BIT(THREAT_TLS11)))
		threat_fire(e, f, NULL, THREAT_TLS11, deny, "TLS 1.1 agreed (the client offered "
		    "up to %s)", tls_version_name(s->client_max));
}
