/*
 * app.h: application protocol detection (issue 5): the types probes and
 * their callers share, and small helpers.
 *
 * Each protocol is one file src/proto/proto_<name>.c exporting one const
 * struct app_ops; app_table.c lists them all in one table and runs them
 * (app_table.h).  A probe is a pure function of the first bytes of both
 * directions of a TCP stream (or of the first datagrams of a UDP flow), as
 * reassembled so far: the caller calls it again, with the longer prefixes,
 * each time more bytes arrive, so a result can never depend on how the
 * bytes were cut into segments.
 *
 * Probes must be bounded and never read past len; they are fuzzed.  They
 * look only at the first APP_PROBE_MAX bytes of each direction.
 */
#ifndef NVD_APP_H
#define NVD_APP_H

#include <stddef.h>
#include <stdint.h>

#define APP_PROBE_MAX	4096	/* bytes per direction a probe may see */

enum app_id {
	APP_UNKNOWN = 0,	/* nothing matched within APP_PROBE_MAX bytes */
	APP_HTTP,		/* HTTP/1.0 and 1.1 */
	APP_HTTP2,		/* prior knowledge preface, or h2c upgrade */
	APP_GRPC,		/* HTTP/2 with content-type application/grpc */
	APP_TLS,
	APP_DNS,
	APP_SSH,
	APP_POSTGRESQL,
	APP_MYSQL,
	APP_REDIS,
	APP_MONGODB,
	APP_KAFKA,
	APP_SMTP,
	APP_FTP,
	APP_MEMCACHED,
	APP_COUNT
};

enum app_result {
	APP_NO = 0,		/* these bytes are not this protocol */
	APP_MAYBE,		/* could be: more bytes are needed to tell */
	APP_YES,		/* it is; info is filled in */
};

/*
 * What helps an auditor, filled by the probe that said APP_YES.  Strings
 * are NUL-terminated, cut to fit, with bytes outside printable ASCII
 * replaced by '?'.  Fields a protocol does not have stay empty.
 */
struct app_info {
	char method[16];	/* HTTP request method, Redis/memcached/SMTP/FTP command */
	char host[256];		/* HTTP Host header (h2: :authority), TLS SNI */
	char path[256];		/* HTTP request target (h2: :path); gRPC service/method */
	char user[64];		/* PostgreSQL, MySQL, FTP user */
	char database[64];	/* PostgreSQL database, MySQL schema, MongoDB db */
	char version[64];	/* TLS "1.2"/"1.3", HTTP "1.1", server version strings */
	char alpn[64];		/* TLS ALPN protocols offered, comma-separated */
	char client[128];	/* SSH client banner software, MySQL client */
	char server[128];	/* SSH server banner, MySQL/SMTP/FTP server greeting */
};

/* The bytes seen so far, per direction (enum flow_dir in nvd.h). */
struct app_input {
	const uint8_t *data[2];
	size_t len[2];		/* at most APP_PROBE_MAX each */
	int closed[2];		/* that direction ended (FIN): no more bytes will come */
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t server_port;	/* a hint only */
};

struct app_ops {
	enum app_id id;
	const char *name;	/* as users see it: "HTTP", "TLS", "PostgreSQL" ... */
	const char *word;	/* as rules name it, lower case: "http", "postgresql" */
	uint16_t hint_ports[4];	/* probed first when the server port is one of these */
	enum app_result (*probe)(const struct app_input *in, struct app_info *info);
};

/*
 * The non-empty fields of info as "method GET, host example.com, path /"
 * (TLS names host "sni"), cut to fit outlen.
 */
void app_describe(enum app_id id, const struct app_info *info, char *out, size_t outlen);

/* Bounded helpers for probes. */
/* Copies n bytes into out (cap bytes), '?' for bytes not printable ASCII. */
void app_copy_text(char *out, size_t cap, const uint8_t *s, size_t n);

#endif
