/*
 * threat_def.c: the detectors' table (threat_def.h).  Why a default differs
 * from NeuVector's dp (dpi_log.c, dpi_meter.c), where it does, is in
 * nvd.rules(5), THREAT DETECTORS.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "threat/threat_def.h"

#define BIG	100000000	/* a count no setting needs more than */

#define P(n, d, lo, hi, u)	{ n, d, lo, hi, u }

const struct threat_def threat_defs[THREAT_COUNT] = {
	[THREAT_SYN_FLOOD] = { "TCP.SYN.Flood", THREAT_CRITICAL, 1, 1, THREAT_SERVER, 3,
	    { P("syns", 800, 1, BIG, "SYNs without a handshake"),
	      P("interval", 5, 1, 3600, "s"),
	      P("release", 600, 0, BIG, "SYNs without a handshake") },
	    "SYNs that complete no handshake, to one destination and from one source" },
	[THREAT_ICMP_FLOOD] = { "ICMP.Flood", THREAT_CRITICAL, 1, 1, THREAT_SERVER, 3,
	    { P("packets", 100, 1, BIG, "echo requests"),
	      P("interval", 1, 1, 3600, "s"),
	      P("release", 75, 0, BIG, "echo requests") },
	    "ICMP echo requests to one destination" },
	[THREAT_SESSION_LIMIT] = { "Source.IP.Session.Limit", THREAT_CRITICAL, 1, 0, THREAT_SERVER,
	    1, { P("sessions", 2000, 1, BIG, "sessions") },
	    "concurrent sessions from one source to one destination" },
	[THREAT_NO_CLIENT_DATA] = { "TCP.No.Client.Data", THREAT_WARNING, 1, 0, THREAT_SERVER, 1,
	    { P("timeout", 30, 1, 3600, "s") },
	    "a connection whose client sends no byte after the handshake" },
	[THREAT_BAD_PACKET] = { "Invalid.Packet.Format", THREAT_WARNING, 1, 1, THREAT_SERVER, 0,
	    { { 0 } }, "bad IP or TCP lengths, TCP flag combinations, malformed TCP options" },
	[THREAT_SMALL_MSS] = { "TCP.SACK.DDoS.With.Small.MSS", THREAT_CRITICAL, 1, 1,
	    THREAT_SERVER, 1, { P("mss", 256, 1, 65535, "bytes") },
	    "a SYN whose MSS option is below mss (CVE-2019-11477's SACK panic)" },
	[THREAT_SYN_DATA] = { "TCP.SYN.With.Data", THREAT_WARNING, 1, 0, THREAT_SERVER, 0,
	    { { 0 } }, "a SYN that carries data" },
	[THREAT_SPLIT_HANDSHAKE] = { "TCP.Split.Handshake", THREAT_WARNING, 0, 1, THREAT_CLIENT,
	    0, { { 0 } }, "a server that answers a SYN with a SYN of its own" },
	[THREAT_SMALL_WINDOW] = { "TCP.Small.Window", THREAT_CRITICAL, 1, 0, THREAT_SERVER, 2,
	    { P("window", 16, 1, 65535, "bytes"), P("duration", 8, 1, 3600, "s") },
	    "a client that holds its receive window near zero early in a connection" },
	[THREAT_TEARDROP] = { "IP.Fragment.Teardrop", THREAT_CRITICAL, 1, 1, THREAT_SERVER, 0,
	    { { 0 } }, "IP fragments that overlap" },
	[THREAT_PING_DEATH] = { "Ping.Death", THREAT_CRITICAL, 1, 1, THREAT_SERVER, 1,
	    { P("size", 32000, 1, 65535, "bytes") }, "an ICMP echo request larger than size" },
	[THREAT_ICMP_TUNNEL] = { "ICMP.Tunneling", THREAT_CRITICAL, 0, 1, THREAT_CLIENT, 1,
	    { P("replies", 3, 1, 1000, "echo replies") },
	    "echo replies whose data differs from their requests', several in a row" },
	[THREAT_DNS_LOOP] = { "DNS.Loop.Pointer", THREAT_CRITICAL, 1, 1, THREAT_SERVER, 0,
	    { { 0 } }, "a DNS message whose name compression points in a loop" },
	[THREAT_DNS_ZONE_XFER] = { "DNS.Zone.Transfer", THREAT_CRITICAL, 1, 1, THREAT_SERVER, 0,
	    { { 0 } }, "a DNS query for a zone transfer (AXFR, IXFR)" },
	[THREAT_DNS_NULL] = { "DNS.Type.Null", THREAT_WARNING, 0, 0, THREAT_CLIENT, 0,
	    { { 0 } }, "a DNS query of type NULL, a tunnel's favourite" },
	[THREAT_DNS_TUNNEL] = { "DNS.Tunneling", THREAT_CRITICAL, 0, 1, THREAT_CLIENT, 5,
	    { P("label", 20, 8, 63, "bytes"),
	      P("entropy", 300, 100, 600, "hundredths of a bit per byte"),
	      P("queries", 20, 1, BIG, "distinct names"),
	      P("bytes", 800, 0, BIG, "bytes of names"),
	      P("interval", 60, 1, 3600, "s") },
	    "a client that sends many distinct long encoded-looking names under one zone" },
	[THREAT_DNS_OVERFLOW] = { "DNS.Stack.Overflow", THREAT_CRITICAL, 1, 1, THREAT_CLIENT, 0,
	    { { 0 } }, "a DNS answer larger than the client asked for, or with bytes past "
	    "its records (CVE-2015-7547)" },
	[THREAT_HEARTBLEED] = { "SSL.Heartbleed", THREAT_CRITICAL, 1, 1, THREAT_SERVER, 0,
	    { { 0 } }, "a TLS heartbeat longer than its record (CVE-2014-0160)" },
	[THREAT_SSL_V2V3] = { "SSL.Version.2or3", THREAT_WARNING, 1, 1, THREAT_SERVER, 0,
	    { { 0 } }, "SSL 2 or SSL 3 offered or agreed" },
	[THREAT_TLS10] = { "SSL.TLS1.0", THREAT_INFO, 0, 0, THREAT_SERVER, 0, { { 0 } },
	    "TLS 1.0 agreed" },
	[THREAT_TLS11] = { "SSL.TLS1.1", THREAT_INFO, 0, 0, THREAT_SERVER, 0, { { 0 } },
	    "TLS 1.1 agreed" },
	[THREAT_SSH_V1] = { "SSH.Version.1", THREAT_INFO, 0, 1, THREAT_SERVER, 0, { { 0 } },
	    "an SSH end that speaks protocol 1 only" },
	[THREAT_HTTP_NEG_LEN] = { "HTTP.Negative.Body.Length", THREAT_CRITICAL, 1, 1,
	    THREAT_SERVER, 0, { { 0 } }, "an HTTP request with a negative Content-Length" },
	[THREAT_HTTP_SMUGGLING] = { "HTTP.Request.Smuggling", THREAT_CRITICAL, 1, 1,
	    THREAT_SERVER, 0, { { 0 } }, "an HTTP request whose framing servers may read "
	    "differently (two lengths, length with chunked, folded or bare-LF headers)" },
	[THREAT_SLOWLORIS] = { "HTTP.Request.Slowloris", THREAT_CRITICAL, 1, 0, THREAT_SERVER, 1,
	    { P("timeout", 3, 1, 3600, "s") }, "an HTTP request head still incomplete "
	    "timeout seconds after it began" },
	[THREAT_STRUTS] = { "Apache.Struts.RCE", THREAT_CRITICAL, 1, 1, THREAT_SERVER, 0,
	    { { 0 } }, "OGNL in an HTTP header or a ProcessBuilder in an XML body "
	    "(CVE-2017-5638, CVE-2017-9805)" },
	[THREAT_SQL_INJECTION] = { "SQL.Injection", THREAT_CRITICAL, 1, 1, THREAT_SERVER, 0,
	    { { 0 } }, "a PostgreSQL or MySQL statement with a tautology, a stacked statement, "
	    "UNION SELECT, a time delay or a comment that cuts it short" },
};

void
threat_set_default(struct threat_set *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < THREAT_COUNT; i++) {
		const struct threat_def *d = &threat_defs[i];

		s->t[i].enabled = d->enabled;
		s->t[i].deny = d->deny;
		s->t[i].level = d->level;
		for (int k = 0; k < d->nparams; k++)
			s->t[i].param[k] = d->param[k].def;
	}
}

int
threat_find(const char *name)
{
	for (int i = 0; i < THREAT_COUNT; i++)
		if (strcmp(threat_defs[i].name, name) == 0)
			return i;
	return -1;
}

int
threat_param_find(int id, const char *name)
{
	const struct threat_def *d = &threat_defs[id];

	for (int k = 0; k < d->nparams; k++)
		if (strcmp(d->param[k].name, name) == 0)
			return k;
	return -1;
}

int
threat_param_parse(int id, int k, const char *text, int64_t *v, char *err, size_t errlen)
{
	const struct threat_param_def *pd = &threat_defs[id].param[k];
	size_t n = strlen(text);
	int64_t x = 0;

	if (n == 0 || n > 12 || strspn(text, "0123456789") != n) {
		snprintf(err, errlen, "%s: '%.20s%s' is not a number", pd->name, text,
		    n > 20 ? "..." : "");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		x = x * 10 + (text[i] - '0');
	if (x < pd->min) {
		snprintf(err, errlen, "%s: %lld is below %lld", pd->name, (long long)x,
		    (long long)pd->min);
		return -1;
	}
	if (x > pd->max) {
		snprintf(err, errlen, "%s: %lld is above %lld", pd->name, (long long)x,
		    (long long)pd->max);
		return -1;
	}
	*v = x;
	return 0;
}

int
threat_conf_check(int id, const struct threat_conf *c, char *err, size_t errlen)
{
	/* A flood's release (param 2) is at most its threshold (param 0). */
	if ((id == THREAT_SYN_FLOOD || id == THREAT_ICMP_FLOOD) && c->param[2] > c->param[0]) {
		snprintf(err, errlen, "%s (%lld) must not be above %s (%lld)",
		    threat_defs[id].param[2].name, (long long)c->param[2],
		    threat_defs[id].param[0].name, (long long)c->param[0]);
		return -1;
	}
	return 0;
}

const char *
threat_level_name(int level)
{
	static const char *const n[] = { "info", "warning", "critical" };

	return level >= 0 && level <= THREAT_CRITICAL ? n[level] : "?";
}

int
threat_level_parse(const char *s, int *level)
{
	for (int l = 0; l <= THREAT_CRITICAL; l++)
		if (strcmp(s, threat_level_name(l)) == 0) {
			*level = l;
			return 0;
		}
	return -1;
}
