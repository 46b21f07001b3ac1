/*
 * objects.c: the words of the policy as users write them: modes, kinds,
 * criteria and port specs, parsed and formatted; group names; workloads'
 * learned groups (objects.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/objects.h"

static const char *const mode_names[] = { "discover", "monitor", "protect" };
static const char *const kind_names[] = { "builtin", "learned", "user" };

const char *
policy_mode_name(enum policy_mode m)
{
	return (unsigned)m < 3 ? mode_names[m] : "?";
}

int
policy_mode_parse(const char *s, enum policy_mode *m)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, mode_names[i])) {
			*m = (enum policy_mode)i;
			return 0;
		}
	return -1;
}

const char *
policy_group_kind_name(enum group_kind k)
{
	return (unsigned)k < 3 ? kind_names[k] : "?";
}

int
policy_group_kind_parse(const char *s, enum group_kind *k)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, kind_names[i])) {
			*k = (enum group_kind)i;
			return 0;
		}
	return -1;
}

const char *
policy_rule_action_name(enum rule_action a)
{
	return a == RULE_DENY ? "deny" : "allow";
}

const char *
policy_rule_type_name(enum rule_type t)
{
	return t == RULE_LEARNED ? "learned" : "user";
}

static int
name_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

int
policy_group_name_check(const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (n == 0 || n >= POLICY_NAME_MAX) {
		snprintf(err, errlen, "group name must be 1 to %d characters", POLICY_NAME_MAX - 1);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!name_char((unsigned char)name[i])) {
			snprintf(err, errlen, "group name '%s': only letters, digits, '_', '.' and '-'",
			    name);
			return -1;
		}
	if (!strncmp(name, GROUP_LEARNED_PREFIX, strlen(GROUP_LEARNED_PREFIX))) {
		snprintf(err, errlen, "group name '%s': names starting with 'nv.' are for learned groups",
		    name);
		return -1;
	}
	if (!strcmp(name, GROUP_CONTAINERS) || !strcmp(name, GROUP_HOST) ||
	    !strcmp(name, GROUP_EXTERNAL)) {
		snprintf(err, errlen, "group '%s' is built in", name);
		return -1;
	}
	return 0;
}

/* --- criteria -------------------------------------------------------- */

/* A DNS name or *.domain: labels of [A-Za-z0-9-_], dots between them. */
static int
fqdn_ok(const char *s)
{
	size_t label = 0;

	if (!strncmp(s, "*.", 2))
		s += 2;
	if (*s == '\0' || strlen(s) > 253)
		return 0;
	for (; *s; s++) {
		if (*s == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)*s) || *s == '-' || *s == '_') {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return label > 0;
}

/* Clears the bits past prefix. */
static void
mask_addr(uint8_t *a, int prefix, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		int bits = prefix - i * 8;

		if (bits <= 0)
			a[i] = 0;
		else if (bits < 8)
			a[i] &= (uint8_t)(0xff << (8 - bits));
	}
}

/* "IP" or "IP/PREFIX" into c; 0 or -1. */
static int
parse_net(const char *v, struct criterion *c)
{
	char ip[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	int max;

	if (n == 0 || n >= sizeof(ip))
		return -1;
	memcpy(ip, v, n);
	ip[n] = '\0';
	memset(c->addr, 0, sizeof(c->addr));
	if (inet_pton(AF_INET, ip, c->addr) == 1)
		c->family = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, ip, c->addr) == 1)
		c->family = AF_INET6, max = 128;
	else
		return -1;
	c->prefix = max;
	if (slash) {
		char *end;
		long p;

		if (!isdigit((unsigned char)slash[1]))
			return -1;
		p = strtol(slash + 1, &end, 10);
		if (*end || p < 0 || p > max)
			return -1;
		c->prefix = (int)p;
	}
	mask_addr(c->addr, c->prefix, max / 8);
	return 0;
}

static int
crit_error(char *err, size_t errlen, const char *item, const char *why)
{
	snprintf(err, errlen, "criterion '%s': %s", item, why);
	return -1;
}

/* One "key=value" item into c. */
static int
parse_criterion(const char *item, struct criterion *c, char *err, size_t errlen)
{
	const char *eq = strchr(item, '=');
	const char *v;
	size_t klen;

	memset(c, 0, sizeof(*c));
	if (eq == NULL)
		return crit_error(err, errlen, item, "expected KEY=VALUE");
	v = eq + 1;
	klen = (size_t)(eq - item);
	if (*v == '\0')
		return crit_error(err, errlen, item, "empty value");
	if (strlen(v) >= sizeof(c->value))
		return crit_error(err, errlen, item, "value too long");
	strcpy(c->value, v);
	if (klen == 4 && !strncmp(item, "name", 4))
		c->kind = CRIT_NAME;
	else if (klen == 5 && !strncmp(item, "image", 5))
		c->kind = CRIT_IMAGE;
	else if (klen > 6 && !strncmp(item, "label:", 6)) {
		if (klen - 6 >= sizeof(c->key))
			return crit_error(err, errlen, item, "label key too long");
		c->kind = CRIT_LABEL;
		memcpy(c->key, item + 6, klen - 6);
	} else if (klen == 7 && !strncmp(item, "address", 7)) {
		if (parse_net(v, c) == 0)
			c->kind = CRIT_ADDR_NET;
		else if (!strchr(v, '/') && fqdn_ok(v) && !isdigit((unsigned char)v[strlen(v) - 1])) {
			c->kind = CRIT_ADDR_FQDN;
			for (char *p = c->value; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		} else
			return crit_error(err, errlen, item,
			    "not an IP address, CIDR, FQDN or *.domain");
	} else {
		char why[POLICY_LABEL_KEY_MAX + 96];

		snprintf(why, sizeof(why), "unknown key '%.*s' (expected name=, image=, "
		    "label:KEY= or address=)", (int)(klen > 64 ? 64 : klen), item);
		return crit_error(err, errlen, item, why);
	}
	return 0;
}

int
criteria_parse(const char *text, struct criterion *c, int max, char *err, size_t errlen)
{
	char item[POLICY_LABEL_KEY_MAX + POLICY_LABEL_VALUE_MAX + 16];
	const char *p = text;
	int n = 0;

	if (*text == '\0') {
		snprintf(err, errlen, "no criteria");
		return -1;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == 0) {
			snprintf(err, errlen, "empty criterion in '%s'", text);
			return -1;
		}
		if (len >= sizeof(item)) {
			snprintf(err, errlen, "criterion '%.40s...': too long", p);
			return -1;
		}
		if (n == max) {
			snprintf(err, errlen, "more than %d criteria", max);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (parse_criterion(item, &c[n], err, errlen) < 0)
			return -1;
		n++;
		if (comma == NULL)
			return n;
		p = comma + 1;
	}
}

void
criteria_format(const struct criterion *c, int n, struct buf *out)
{
	for (int i = 0; i < n; i++) {
		if (i)
			buf_puts(out, ",");
		switch (c[i].kind) {
		case CRIT_NAME:
			buf_printf(out, "name=%s", c[i].value);
			break;
		case CRIT_IMAGE:
			buf_printf(out, "image=%s", c[i].value);
			break;
		case CRIT_LABEL:
			buf_printf(out, "label:%s=%s", c[i].key, c[i].value);
			break;
		case CRIT_ADDR_NET: {
			char a[INET6_ADDRSTRLEN];
			int max = c[i].family == AF_INET ? 32 : 128;

			inet_ntop(c[i].family, c[i].addr, a, sizeof(a));
			if (c[i].prefix == max)
				buf_printf(out, "address=%s", a);
			else
				buf_printf(out, "address=%s/%d", a, c[i].prefix);
			break;
		}
		case CRIT_ADDR_FQDN:
			buf_printf(out, "address=%s", c[i].value);
			break;
		}
	}
}

/* --- port specs ------------------------------------------------------ */

static int
port_error(char *err, size_t errlen, const char *item, const char *why)
{
	snprintf(err, errlen, "port spec '%s': %s", item, why);
	return -1;
}

/* A decimal port 1-65535 of exactly len characters. */
static int
parse_port(const char *s, size_t len, uint16_t *port)
{
	unsigned long v = 0;

	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int
parse_port_spec(const char *item, struct port_range *p, char *err, size_t errlen)
{
	const char *rest, *dash;

	memset(p, 0, sizeof(*p));
	if (!strcmp(item, "any"))
		return 0;
	if (!strcmp(item, "icmp")) {
		p->proto = IPPROTO_ICMP;
		return 0;
	}
	if (!strncmp(item, "proto/", 6)) {
		uint16_t n;

		/* parse_port wants 1-65535: the protocol numbers 1-255. */
		if (parse_port(item + 6, strlen(item + 6), &n) < 0 || n > 255)
			return port_error(err, errlen, item, "protocol number out of range (1-255)");
		if (n == IPPROTO_TCP || n == IPPROTO_UDP || n == IPPROTO_ICMP ||
		    n == IPPROTO_ICMPV6)
			return port_error(err, errlen, item, "write tcp/any, udp/any or icmp");
		p->proto = (uint8_t)n;
		return 0;
	}
	if (!strncmp(item, "tcp/", 4))
		p->proto = IPPROTO_TCP;
	else if (!strncmp(item, "udp/", 4))
		p->proto = IPPROTO_UDP;
	else
		return port_error(err, errlen, item,
		    "expected tcp/PORT, udp/PORT, tcp/LO-HI, icmp, proto/N or any");
	rest = item + 4;
	if (!strcmp(rest, "any")) {
		p->lo = 1;
		p->hi = 65535;
		return 0;
	}
	dash = strchr(rest, '-');
	if (dash == NULL) {
		if (parse_port(rest, strlen(rest), &p->lo) < 0)
			return port_error(err, errlen, item, "port out of range (1-65535)");
		p->hi = p->lo;
		return 0;
	}
	if (parse_port(rest, (size_t)(dash - rest), &p->lo) < 0 ||
	    parse_port(dash + 1, strlen(dash + 1), &p->hi) < 0)
		return port_error(err, errlen, item, "port out of range (1-65535)");
	if (p->lo > p->hi)
		return port_error(err, errlen, item, "range is backwards");
	return 0;
}

const char *
policy_proto_word(uint8_t proto, char *buf)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: return "icmp";
	default:
		snprintf(buf, 12, "proto/%u", proto);
		return buf;
	}
}

int
ports_parse(const char *text, struct port_range *p, int max, char *err, size_t errlen)
{
	char item[32];
	const char *s = text;
	int n = 0;

	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);

		if (len == 0) {
			snprintf(err, errlen, "empty port spec in '%s'", text);
			return -1;
		}
		if (len >= sizeof(item)) {
			snprintf(err, errlen, "port spec '%.*s': too long", 32, s);
			return -1;
		}
		if (n == max) {
			snprintf(err, errlen, "more than %d port specs", max);
			return -1;
		}
		memcpy(item, s, len);
		item[len] = '\0';
		if (parse_port_spec(item, &p[n], err, errlen) < 0)
			return -1;
		if (p[n].proto == 0 && (n > 0 || comma)) {
			snprintf(err, errlen, "port spec 'any' stands alone");
			return -1;
		}
		n++;
		if (comma == NULL)
			return n;
		s = comma + 1;
	}
}

void
ports_format(const struct port_range *p, int n, char *out, size_t outlen)
{
	size_t off = 0;

	out[0] = '\0';
	if (n == 0 || p[0].proto == 0) {
		snprintf(out, outlen, "any");
		return;
	}
	for (int i = 0; i < n && off < outlen; i++) {
		char word[12];
		const char *proto = policy_proto_word(p[i].proto, word);
		const char *sep = i ? "," : "";
		int w;

		if (p[i].proto != IPPROTO_TCP && p[i].proto != IPPROTO_UDP)
			w = snprintf(out + off, outlen - off, "%s%s", sep, proto);
		else if (p[i].lo == 1 && p[i].hi == 65535)
			w = snprintf(out + off, outlen - off, "%s%s/any", sep, proto);
		else if (p[i].lo == p[i].hi)
			w = snprintf(out + off, outlen - off, "%s%s/%u", sep, proto, p[i].lo);
		else
			w = snprintf(out + off, outlen - off, "%s%s/%u-%u", sep, proto, p[i].lo, p[i].hi);
		if (w < 0)
			return;
		off += (size_t)w;
	}
}

/* --- workloads ------------------------------------------------------- */

int
policy_id_shown(const char *id)
{
	return strncmp(id, "static:", 7) == 0 ? POLICY_ID_MAX : 12;
}

void
policy_workload_clear(struct policy_workload *w)
{
	free(w->labels);
	memset(w, 0, sizeof(*w));
}

int
policy_workload_copy(struct policy_workload *dst, const struct policy_workload *src)
{
	*dst = *src;
	dst->labels = NULL;
	if (src->nlabels > 0) {
		dst->labels = calloc((size_t)src->nlabels, sizeof(*dst->labels));
		if (dst->labels == NULL) {
			memset(dst, 0, sizeof(*dst));
			return -1;
		}
		memcpy(dst->labels, src->labels, (size_t)src->nlabels * sizeof(*dst->labels));
	}
	return 0;
}

/* Appends s to out[*off], turning characters not allowed in names to '-'. */
static void
append_name(char *out, size_t outlen, size_t *off, const char *s, size_t n)
{
	for (size_t i = 0; i < n && *off + 1 < outlen; i++)
		out[(*off)++] = name_char((unsigned char)s[i]) ? s[i] : '-';
	out[*off] = '\0';
}

/* Length of name without a trailing instance number ("web-2" -> 3). */
static size_t
without_instance(const char *name)
{
	size_t n = strlen(name), i = n;

	while (i > 0 && isdigit((unsigned char)name[i - 1]))
		i--;
	if (i < n && i > 1 && (name[i - 1] == '-' || name[i - 1] == '_' || name[i - 1] == '.'))
		return i - 1;
	return n;
}

void
policy_learned_group(const struct policy_workload *w, char *out, size_t outlen)
{
	size_t off = 0;

	if (outlen > POLICY_NAME_MAX)
		outlen = POLICY_NAME_MAX;
	append_name(out, outlen, &off, GROUP_LEARNED_PREFIX, strlen(GROUP_LEARNED_PREFIX));
	if (w->service[0]) {
		append_name(out, outlen, &off, w->service, strlen(w->service));
		if (w->project[0]) {
			append_name(out, outlen, &off, ".", 1);
			append_name(out, outlen, &off, w->project, strlen(w->project));
		}
	} else if (w->name[0])
		append_name(out, outlen, &off, w->name, without_instance(w->name));
	else
		append_name(out, outlen, &off, w->id, strlen(w->id) < 12 ? strlen(w->id) : 12);
}
