#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "base/conf.h"
#include "base/log.h"

#define CONF_MAX_LINE	4096
#define CONF_MAX_SIZE	(1 << 20)

struct conf_ctx {
	struct conf *c;
	const char *name;
	int line;
	struct conf_errors *errs;
	int nerr;
};

static void __attribute__((format(printf, 2, 3)))
conf_err(struct conf_ctx *x, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	x->nerr++;
	if (x->errs == NULL || x->errs->count >= CONF_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Line 0: the file as a whole (cannot open it, a default clashes). */
	if (x->line > 0)
		snprintf(x->errs->msg[x->errs->count++], sizeof(x->errs->msg[0]),
		    "%s:%d: %s", x->name, x->line, msg);
	else
		snprintf(x->errs->msg[x->errs->count++], sizeof(x->errs->msg[0]),
		    "%s: %s", x->name, msg);
}

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->database, "/var/lib/nvd/nvd.db");
	strcpy(c->control_socket, "/run/nvd/nvd.sock");
	c->queue_first = 0;
	c->queue_count = 2;
	c->fail_mode = FAIL_OPEN;
	strcpy(c->steer[0].name, "docker0");
	c->nsteer = 1;
	strcpy(c->nft_table, "nvd");
	c->install_rules = 1;
	strcpy(c->docker_socket, "/var/run/docker.sock");
	c->default_mode = MODE_DISCOVER;
	c->dns_min_ttl = 60;
	strcpy(c->dns_resolvers, "auto");
	c->dns_max_bindings = 1000000;
	c->stream_depth = 1048576;
	c->bypass_identified = 1;
	c->stream_memcap = 256ull << 20;
	c->max_flows = 1000000;
	c->queue_maxlen = 8192;
	strcpy(c->rules_dir, "/etc/nvd/rules");
	c->pcap_dir[0] = '\0';
	c->log_level = LOG_LVL_INFO;
	strcpy(c->authz_socket, "/run/docker/plugins/nvd.sock");
	c->event_log = EVENT_LOG_SYSLOG;
	c->event_retention_days = 30;
	c->event_retention_rows = 1000000;
	c->pcap_retention_files = 10000;
	c->pcap_retention_bytes = 1ull << 30;
	strcpy(c->crs_setup, "/etc/modsecurity/crs/crs-setup.conf");
	strcpy(c->crs_rules, "/usr/share/modsecurity-crs/rules/*.conf");
	c->crs_threads = 0;
	c->crs_deadline = 500;
	c->crs_body_limit = 131072;
}

const char *
conf_fail_mode_name(enum fail_mode m)
{
	return m == FAIL_CLOSED ? "closed" : "open";
}

static const char *const mode_names[] = { "discover", "monitor", "protect" };

const char *
conf_mode_name(enum policy_mode m)
{
	return (unsigned)m < 3 ? mode_names[m] : "?";
}

int
conf_mode_parse(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, mode_names[i]) == 0)
			return i;
	return -1;
}

void
conf_steer_str(const struct conf *c, char *out, size_t outlen)
{
	size_t off = 0;

	out[0] = '\0';
	for (int i = 0; i < c->nsteer && off < outlen; i++) {
		int n = snprintf(out + off, outlen - off, "%s%s%s", i ? " " : "",
		    c->steer[i].name, c->steer[i].glob ? "*" : "");
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* Unsigned decimal with no sign, no junk; 0 on success. */
static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A byte count with an optional k, m or g suffix (powers of 1024). */
static int
parse_size(const char *s, uint64_t *out)
{
	char num[32];
	size_t n = strlen(s);
	unsigned shift = 0;
	uint64_t v;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	switch (tolower((unsigned char)num[n - 1])) {
	case 'k': shift = 10; break;
	case 'm': shift = 20; break;
	case 'g': shift = 30; break;
	}
	if (shift)
		num[n - 1] = '\0';
	if (parse_u64(num, UINT64_MAX >> 30, &v) < 0)
		return -1;
	*out = v << shift;
	return 0;
}

static int
parse_bool(const char *s, int *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1"))
		*out = 1;
	else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

/* dns_resolvers: "auto", "any", or addresses separated by ',' or blanks. */
static void
dns_resolvers_set(struct conf_ctx *x, struct conf *c, const char *v)
{
	char buf[sizeof(c->dns_resolvers)], *save = NULL;
	uint8_t a[16];
	int n = 0;

	if (!strcmp(v, "auto") || !strcmp(v, "any")) {
		snprintf(c->dns_resolvers, sizeof(c->dns_resolvers), "%s", v);
		return;
	}
	if (strlen(v) >= sizeof(buf)) {
		conf_err(x, "dns_resolvers: too long (at most %d addresses)", CONF_RESOLVERS_MAX);
		return;
	}
	strcpy(buf, v);
	for (char *t = strtok_r(buf, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		if (inet_pton(AF_INET, t, a) != 1 && inet_pton(AF_INET6, t, a) != 1) {
			conf_err(x, "bad address in dns_resolvers: '%s' (expected auto, any or "
			    "IPv4 and IPv6 addresses)", t);
			return;
		}
		if (++n > CONF_RESOLVERS_MAX) {
			conf_err(x, "dns_resolvers: more than %d addresses", CONF_RESOLVERS_MAX);
			return;
		}
	}
	if (n == 0) {
		conf_err(x, "dns_resolvers: empty (expected auto, any or addresses)");
		return;
	}
	snprintf(c->dns_resolvers, sizeof(c->dns_resolvers), "%s", v);
}

static int
set_path(struct conf_ctx *x, const char *key, char *dst, size_t dstlen,
    const char *v, int may_be_empty)
{
	if (*v == '\0' && may_be_empty) {
		dst[0] = '\0';
		return 0;
	}
	if (*v != '/') {
		conf_err(x, "%s must be an absolute path, not '%s'", key, v);
		return -1;
	}
	if (strlen(v) >= dstlen) {
		conf_err(x, "%s is too long (at most %zu characters)", key, dstlen - 1);
		return -1;
	}
	strcpy(dst, v);
	return 0;
}

/* "N" or "N-M" into *first and *count, for key. */
static int
set_queues(struct conf_ctx *x, const char *key, const char *v, uint16_t *first,
    uint16_t *count)
{
	uint64_t a, b;
	char tmp[32];
	char *dash;

	if (strlen(v) >= sizeof(tmp))
		goto bad;
	strcpy(tmp, v);
	dash = strchr(tmp, '-');
	if (dash)
		*dash++ = '\0';
	if (parse_u64(tmp, 65535, &a) < 0)
		goto bad;
	b = a;
	if (dash && parse_u64(dash, 65535, &b) < 0)
		goto bad;
	if (b < a) {
		conf_err(x, "bad value for %s: '%s' (the range must go upward)", key, v);
		return -1;
	}
	if (b - a + 1 > MAX_QUEUES) {
		conf_err(x, "bad value for %s: '%s' (at most %d queues)", key, v, MAX_QUEUES);
		return -1;
	}
	*first = (uint16_t)a;
	*count = (uint16_t)(b - a + 1);
	return 0;
bad:
	conf_err(x, "bad value for %s: '%s' (expected N or N-M, numbers 0-65535)", key, v);
	return -1;
}

void
conf_protect_queues(const struct conf *c, uint16_t *first, uint16_t *count)
{
	if (c->protect_count) {
		*first = c->protect_first;
		*count = c->protect_count;
	} else {
		*first = (uint16_t)(c->queue_first + c->queue_count);
		*count = c->queue_count;
	}
}

static int
set_steer(struct conf_ctx *x, const char *v)
{
	struct conf *c = x->c;
	struct steer_if list[MAX_STEER];
	char tmp[CONF_MAX_LINE];
	char *tok, *save = NULL;
	int n = 0;

	strcpy(tmp, v);
	for (tok = strtok_r(tmp, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		size_t len = strlen(tok);
		char *star = strchr(tok, '*');
		int glob = 0;

		if (star) {
			if (star != tok + len - 1 || len == 1) {
				conf_err(x, "bad interface in steer: '%s' ('*' only at the end of a name)", tok);
				return -1;
			}
			*star = '\0';
			len--;
			glob = 1;
		}
		if (len >= IFNAME_LEN) {
			conf_err(x, "bad interface in steer: '%s' (at most %d characters)", tok, IFNAME_LEN - 1);
			return -1;
		}
		for (const char *p = tok; *p; p++)
			if (!isgraph((unsigned char)*p) || *p == '/') {
				conf_err(x, "bad interface in steer: '%s'", tok);
				return -1;
			}
		if (n == MAX_STEER) {
			conf_err(x, "too many interfaces in steer (at most %d)", MAX_STEER);
			return -1;
		}
		strcpy(list[n].name, tok);
		list[n].glob = glob;
		n++;
	}
	if (n == 0) {
		conf_err(x, "steer needs at least one interface");
		return -1;
	}
	memcpy(c->steer, list, sizeof(list[0]) * (size_t)n);
	c->nsteer = n;
	return 0;
}

static int
set_table(struct conf_ctx *x, const char *v)
{
	size_t len = strlen(v);

	if (len == 0 || len >= sizeof(x->c->nft_table))
		goto bad;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			goto bad;
	if (!isalpha((unsigned char)v[0]))
		goto bad;
	strcpy(x->c->nft_table, v);
	return 0;
bad:
	conf_err(x, "bad value for nft_table: '%s' (a letter, then letters, digits, '_' or '-'; at most %zu)",
	    v, sizeof(x->c->nft_table) - 1);
	return -1;
}

int
conf_listen_parse(const char *s, struct sockaddr_storage *ss, unsigned *len, char *err,
    size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	uint64_t port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (*s == '/') {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;

		if (strlen(s) >= sizeof(sun->sun_path)) {
			snprintf(err, errlen, "socket path too long (at most %zu characters)",
			    sizeof(sun->sun_path) - 1);
			return -1;
		}
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, s);
		*len = (unsigned)sizeof(*sun);
		return 0;
	}
	if (colon == NULL || parse_u64(colon + 1, 65535, &port) < 0 || port == 0 ||
	    (hl = (size_t)(colon - s)) == 0 || hl >= sizeof(host))
		goto bad;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (host[0] == '[' && host[hl - 1] == ']') {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
			goto bad;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = (unsigned)sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			goto bad;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = (unsigned)sizeof(*sin);
	}
	return 0;
bad:
	snprintf(err, errlen, "expected ADDRESS:PORT (127.0.0.1:9433, [::1]:9433) or the "
	    "absolute path of a unix socket");
	return -1;
}

/* The keys of the audit log and its readers; 0 for another key. */
static int
conf_set_audit(struct conf_ctx *x, const char *key, const char *v)
{
	struct conf *c = x->c;
	struct sockaddr_storage ss;
	char err[128];
	unsigned len;
	uint64_t n;

	if (!strcmp(key, "event_log")) {
		if (!strcmp(v, "syslog"))
			c->event_log = EVENT_LOG_SYSLOG;
		else if (!strcmp(v, "none"))
			c->event_log = EVENT_LOG_NONE;
		else
			conf_err(x, "bad value for event_log: '%s' (expected syslog or none)", v);
	} else if (!strcmp(key, "event_retention_days")) {
		if (parse_u64(v, 36500, &n) < 0)
			conf_err(x, "bad value for event_retention_days: '%s' (expected days, 0-36500; "
			    "0 keeps events whatever their age)", v);
		else
			c->event_retention_days = (uint32_t)n;
	} else if (!strcmp(key, "event_retention_rows")) {
		if (parse_u64(v, 1000000000, &n) < 0)
			conf_err(x, "bad value for event_retention_rows: '%s' (expected 0-1000000000; "
			    "0 keeps every row)", v);
		else
			c->event_retention_rows = n;
	} else if (!strcmp(key, "pcap_retention_files")) {
		if (parse_u64(v, 1000000, &n) < 0)
			conf_err(x, "bad value for pcap_retention_files: '%s' (expected 0-1000000; "
			    "0 keeps every file)", v);
		else
			c->pcap_retention_files = n;
	} else if (!strcmp(key, "pcap_retention_bytes")) {
		if (parse_size(v, &n) < 0)
			conf_err(x, "bad value for pcap_retention_bytes: '%s' (expected bytes with an "
			    "optional k, m or g suffix; 0 keeps every file)", v);
		else
			c->pcap_retention_bytes = n;
	} else if (!strcmp(key, "metrics_listen")) {
		if (*v && conf_listen_parse(v, &ss, &len, err, sizeof(err)) < 0)
			conf_err(x, "bad value for metrics_listen: '%s' (%s)", v, err);
		else
			snprintf(c->metrics_listen, sizeof(c->metrics_listen), "%s", v);
	} else
		return 0;
	return 1;
}

static void
conf_set(struct conf_ctx *x, const char *key, const char *v)
{
	struct conf *c = x->c;
	uint64_t n;
	int i;

	if (!strcmp(key, "queues"))
		c->line.queues = x->line;
	else if (!strcmp(key, "protect_queues"))
		c->line.protect_queues = x->line;
	else if (!strcmp(key, "max_flows"))
		c->line.max_flows = x->line;
	else if (!strcmp(key, "stream_depth"))
		c->line.stream_depth = x->line;
	else if (!strcmp(key, "stream_memcap"))
		c->line.stream_memcap = x->line;

	if (!strcmp(key, "database"))
		set_path(x, key, c->database, sizeof(c->database), v, 0);
	else if (!strcmp(key, "control_socket"))
		set_path(x, key, c->control_socket, sizeof(c->control_socket), v, 0);
	else if (!strcmp(key, "queues"))
		set_queues(x, key, v, &c->queue_first, &c->queue_count);
	else if (!strcmp(key, "protect_queues"))
		set_queues(x, key, v, &c->protect_first, &c->protect_count);
	else if (!strcmp(key, "fail_mode")) {
		if (!strcmp(v, "open"))
			c->fail_mode = FAIL_OPEN;
		else if (!strcmp(v, "closed"))
			c->fail_mode = FAIL_CLOSED;
		else
			conf_err(x, "bad value for fail_mode: '%s' (expected open or closed)", v);
	} else if (!strcmp(key, "steer"))
		set_steer(x, v);
	else if (!strcmp(key, "nft_table"))
		set_table(x, v);
	else if (!strcmp(key, "install_rules")) {
		if (parse_bool(v, &i) < 0)
			conf_err(x, "bad value for install_rules: '%s' (expected yes or no)", v);
		else
			c->install_rules = i;
	} else if (!strcmp(key, "bypass_identified")) {
		if (parse_bool(v, &i) < 0)
			conf_err(x, "bad value for bypass_identified: '%s' (expected yes or no)", v);
		else
			c->bypass_identified = i;
	} else if (!strcmp(key, "kernel_decide")) {
		if (parse_bool(v, &i) < 0)
			conf_err(x, "bad value for kernel_decide: '%s' (expected yes or no)", v);
		else
			c->kernel_decide = i;
	} else if (!strcmp(key, "docker_socket"))
		set_path(x, key, c->docker_socket, sizeof(c->docker_socket), v, 1);
	else if (!strcmp(key, "default_mode")) {
		if ((i = conf_mode_parse(v)) < 0)
			conf_err(x, "bad value for default_mode: '%s' (expected discover, monitor or protect)", v);
		else
			c->default_mode = (enum policy_mode)i;
	} else if (!strcmp(key, "dns_min_ttl")) {
		if (parse_u64(v, 604800, &n) < 0)
			conf_err(x, "bad value for dns_min_ttl: '%s' (expected seconds, 0-604800)", v);
		else
			c->dns_min_ttl = (uint32_t)n;
	} else if (!strcmp(key, "dns_resolvers")) {
		dns_resolvers_set(x, c, v);
	} else if (!strcmp(key, "dns_max_bindings")) {
		if (parse_u64(v, 100000000, &n) < 0 || n < 1000)
			conf_err(x, "bad value for dns_max_bindings: '%s' (expected 1000-100000000)", v);
		else
			c->dns_max_bindings = n;
	} else if (!strcmp(key, "stream_depth")) {
		if (parse_size(v, &n) < 0 || n > (1ull << 30))
			conf_err(x, "bad value for stream_depth: '%s' (expected bytes, at most 1g; k, m, g suffixes)", v);
		else
			c->stream_depth = n;
	} else if (!strcmp(key, "stream_memcap")) {
		if (parse_size(v, &n) < 0 || n < (1u << 20))
			conf_err(x, "bad value for stream_memcap: '%s' (expected bytes, at least 1m; k, m, g suffixes)", v);
		else
			c->stream_memcap = n;
	} else if (!strcmp(key, "max_flows")) {
		if (parse_u64(v, 100000000, &n) < 0 || n == 0)
			conf_err(x, "bad value for max_flows: '%s' (expected 1-100000000)", v);
		else
			c->max_flows = n;
	} else if (!strcmp(key, "queue_maxlen")) {
		if (parse_u64(v, 1048576, &n) < 0 || n == 0)
			conf_err(x, "bad value for queue_maxlen: '%s' (expected 1-1048576)", v);
		else
			c->queue_maxlen = (uint32_t)n;
	} else if (!strcmp(key, "rules_dir"))
		set_path(x, key, c->rules_dir, sizeof(c->rules_dir), v, 0);
	else if (!strcmp(key, "pcap_dir"))
		set_path(x, key, c->pcap_dir, sizeof(c->pcap_dir), v, 1);
	else if (!strcmp(key, "crs_setup"))
		set_path(x, key, c->crs_setup, sizeof(c->crs_setup), v, 1);
	else if (!strcmp(key, "crs_rules"))
		set_path(x, key, c->crs_rules, sizeof(c->crs_rules), v, 1);
	else if (!strcmp(key, "crs_threads")) {
		if (parse_u64(v, 64, &n) < 0)
			conf_err(x, "bad value for crs_threads: '%s' (expected 0-64; 0: one per CPU)", v);
		else
			c->crs_threads = (uint32_t)n;
	} else if (!strcmp(key, "crs_deadline")) {
		if (parse_u64(v, 60000, &n) < 0 || n < 10)
			conf_err(x, "bad value for crs_deadline: '%s' (expected milliseconds, 10-60000)", v);
		else
			c->crs_deadline = (uint32_t)n;
	} else if (!strcmp(key, "crs_body_limit")) {
		if (parse_size(v, &n) < 0 || n > (4u << 20))
			conf_err(x, "bad value for crs_body_limit: '%s' (expected bytes, at most 4m; k, m suffixes)", v);
		else
			c->crs_body_limit = n;
	}
	else if (!strcmp(key, "log_level")) {
		if ((i = log_level_parse(v)) < 0)
			conf_err(x, "bad value for log_level: '%s' (expected error, warning, info or debug)", v);
		else
			c->log_level = i;
	} else if (!strcmp(key, "authz_socket"))
		set_path(x, key, c->authz_socket, sizeof(c->authz_socket), v, 1);
	else if (!conf_set_audit(x, key, v))
		conf_err(x, "unknown key '%s'", key);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Cuts a comment: '#' at the start or after white space. */
static void
cut_comment(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '#' && (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
}

static int
conf_line(struct conf_ctx *x, char *line, char seen[][32], int *nseen)
{
	char *eq, *key, *val;

	cut_comment(line);
	line = trim(line);
	if (*line == '\0')
		return 0;
	eq = strchr(line, '=');
	if (eq == NULL) {
		conf_err(x, "expected 'key = value', got '%.40s'", line);
		return -1;
	}
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	if (*key == '\0') {
		conf_err(x, "missing key before '='");
		return -1;
	}
	if (strlen(key) >= 32) {
		conf_err(x, "unknown key '%.40s'", key);
		return -1;
	}
	for (int i = 0; i < *nseen; i++)
		if (!strcmp(seen[i], key)) {
			conf_err(x, "'%s' is set twice", key);
			return -1;
		}
	if (*nseen < 64)
		strcpy(seen[(*nseen)++], key);
	conf_set(x, key, val);
	return 0;
}

int
conf_parse(struct conf *c, const char *name, const char *text, struct conf_errors *errs)
{
	struct conf_ctx x = { .c = c, .name = name, .errs = errs };
	char line[CONF_MAX_LINE + 1];
	char seen[64][32];
	int nseen = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		x.line++;
		if (len > CONF_MAX_LINE)
			conf_err(&x, "line too long (at most %d characters)", CONF_MAX_LINE);
		else if (memchr(p, '\0', len) == NULL) {
			memcpy(line, p, len);
			line[len] = '\0';
			conf_line(&x, line, seen, &nseen);
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	return x.nerr;
}

int
conf_load(struct conf *c, const char *path, struct conf_errors *errs)
{
	struct conf_ctx x = { .c = c, .name = path, .errs = errs };
	FILE *f;
	char *text;
	size_t n;
	int nerr;

	if ((f = fopen(path, "r")) == NULL) {
		conf_err(&x, "cannot open: %s", strerror(errno));
		return 1;
	}
	text = malloc(CONF_MAX_SIZE + 1);
	if (text == NULL) {
		fclose(f);
		conf_err(&x, "out of memory");
		return 1;
	}
	n = fread(text, 1, CONF_MAX_SIZE + 1, f);
	if (ferror(f) || n > CONF_MAX_SIZE) {
		conf_err(&x, ferror(f) ? "read error" : "file larger than 1 MiB");
		free(text);
		fclose(f);
		return 1;
	}
	fclose(f);
	if (memchr(text, '\0', n)) {
		conf_err(&x, "not a text file (NUL byte)");
		free(text);
		return 1;
	}
	text[n] = '\0';
	nerr = conf_parse(c, path, text, errs);
	free(text);
	return nerr;
}

static int
later(int a, int b)
{
	return a > b ? a : b;
}

/* Each message names the line of the later of the keys involved. */
int
conf_check(const struct conf *c, const char *name, struct conf_errors *errs)
{
	struct conf_ctx x = { .c = (struct conf *)c, .name = name, .errs = errs };

	/* As conf_protect_queues(), but without wrapping past 65535. */
	unsigned pf = c->protect_count ? c->protect_first :
	    (unsigned)c->queue_first + c->queue_count;
	unsigned pc = c->protect_count ? c->protect_count : c->queue_count;

	if (c->max_flows < c->queue_count) {
		x.line = later(c->line.max_flows, c->line.queues);
		conf_err(&x, "max_flows (%llu) is less than the number of queues (%u)",
		    (unsigned long long)c->max_flows, c->queue_count);
	}
	if (c->protect_count && pc != c->queue_count) {
		x.line = later(c->line.queues, c->line.protect_queues);
		conf_err(&x, "protect_queues (%u) must be as many as queues (%u)", pc,
		    c->queue_count);
	} else if (pf + pc - 1 > 65535) {
		x.line = later(c->line.queues, c->line.protect_queues);
		conf_err(&x, "protect_queues would end past queue 65535: set protect_queues");
	} else if (pf < c->queue_first + c->queue_count && c->queue_first < pf + pc) {
		x.line = later(c->line.queues, c->line.protect_queues);
		conf_err(&x, "protect_queues (%u-%u) overlap queues (%u-%u)", pf, pf + pc - 1,
		    c->queue_first, c->queue_first + c->queue_count - 1);
	}
	if (c->stream_depth > c->stream_memcap) {
		x.line = later(c->line.stream_depth, c->line.stream_memcap);
		conf_err(&x, "stream_depth (%llu) is larger than stream_memcap (%llu)",
		    (unsigned long long)c->stream_depth, (unsigned long long)c->stream_memcap);
	}
	return x.nerr;
}
