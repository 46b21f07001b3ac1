/*
 * proto_memcached.c: memcached by the client's first command (memcached
 * protocol.txt, and the binary protocol's request header).
 *
 * Clients speak first.  Text commands are lower case, the arguments in
 * fixed shapes: "set <key> <flags> <exptime> <bytes> [noreply]", "get
 * <key>*", ...; keys at most 250 printable bytes.  A line with an HTTP
 * version is not memcached.  Binary requests start with a 24-byte header:
 * magic 0x80, opcode, key length, extras length, data type 0, vbucket,
 * total body length (extras + key + value), opaque, cas.  Server replies
 * start with an upper-case word or a number (text), or magic 0x81.
 */
#include "config.h"

#include <string.h>

#include "base/bytes.h"
#include "proto/app.h"
#include "proto/probe.h"
#include "base/types.h"

#define KEY_MAX		250
#define LINE_MAX_MC	2048
#define BODY_MAX	(1 << 20)	/* the default item size limit */

/*
 * Argument shapes, one letter each: k key, K one or more keys, n number,
 * s signed number, b the data block's size, o optional number, r optional
 * "noreply", a anything (stats arguments, meta flags).
 */
static const struct {
	const char *cmd, *args;
} cmds[] = {
	{ "get", "K" }, { "gets", "K" }, { "gat", "sK" }, { "gats", "sK" },
	{ "set", "knsbr" }, { "add", "knsbr" }, { "replace", "knsbr" },
	{ "append", "knsbr" }, { "prepend", "knsbr" }, { "cas", "knsbnr" },
	{ "delete", "kr" }, { "incr", "knr" }, { "decr", "knr" }, { "touch", "ksr" },
	{ "stats", "a" }, { "version", "" }, { "verbosity", "nr" },
	{ "flush_all", "or" }, { "quit", "" },
	{ "mg", "ka" }, { "ms", "kba" }, { "md", "ka" }, { "ma", "ka" }, { "mn", "" },
};

/*
 * Binary request opcodes: the extras length (0xff: 0 or 4), whether a key
 * is required (1), forbidden (0) or optional (2), whether a value may
 * follow.
 */
static const struct {
	const char *name;
	uint8_t ext, key, value;
} ops[] = {
	[0x00] = { "get", 0, 1, 0 }, [0x01] = { "set", 8, 1, 1 },
	[0x02] = { "add", 8, 1, 1 }, [0x03] = { "replace", 8, 1, 1 },
	[0x04] = { "delete", 0, 1, 0 }, [0x05] = { "incr", 20, 1, 0 },
	[0x06] = { "decr", 20, 1, 0 }, [0x07] = { "quit", 0, 0, 0 },
	[0x08] = { "flush", 0xff, 0, 0 }, [0x09] = { "getq", 0, 1, 0 },
	[0x0a] = { "noop", 0, 0, 0 }, [0x0b] = { "version", 0, 0, 0 },
	[0x0c] = { "getk", 0, 1, 0 }, [0x0d] = { "getkq", 0, 1, 0 },
	[0x0e] = { "append", 0, 1, 1 }, [0x0f] = { "prepend", 0, 1, 1 },
	[0x10] = { "stat", 0, 2, 0 }, [0x11] = { "setq", 8, 1, 1 },
	[0x12] = { "addq", 8, 1, 1 }, [0x13] = { "replaceq", 8, 1, 1 },
	[0x14] = { "deleteq", 0, 1, 0 }, [0x15] = { "incrq", 20, 1, 0 },
	[0x16] = { "decrq", 20, 1, 0 }, [0x17] = { "quitq", 0, 0, 0 },
	[0x18] = { "flushq", 0xff, 0, 0 }, [0x19] = { "appendq", 0, 1, 1 },
	[0x1a] = { "prependq", 0, 1, 1 }, [0x1b] = { "verbosity", 4, 0, 0 },
	[0x1c] = { "touch", 4, 1, 0 }, [0x1d] = { "gat", 4, 1, 0 },
	[0x1e] = { "gatq", 4, 1, 0 },
	[0x20] = { "sasl_list_mechs", 0, 0, 0 }, [0x21] = { "sasl_auth", 0, 1, 1 },
	[0x22] = { "sasl_step", 0, 1, 1 },
};

/* A 24-byte request header, as far as it has come. */
static enum app_result
binary(const uint8_t *p, size_t n, const char **name, size_t *need)
{
	size_t keylen, extlen, body;

	if ((n > 1 && (p[1] >= sizeof(ops) / sizeof(ops[0]) || ops[p[1]].name == NULL)) ||
	    (n > 5 && p[5] != 0))
		return APP_NO;	/* unknown opcode, or a data type but raw bytes */
	if (n < 24)
		return APP_MAYBE;
	keylen = be16(p + 2);
	extlen = p[4];
	body = be32(p + 8);
	if (ops[p[1]].ext == 0xff ? extlen != 0 && extlen != 4 : extlen != ops[p[1]].ext)
		return APP_NO;
	if (keylen > KEY_MAX || (ops[p[1]].key == 1 && keylen == 0) ||
	    (ops[p[1]].key == 0 && keylen != 0))
		return APP_NO;
	if (body > BODY_MAX || body < extlen + keylen ||
	    (!ops[p[1]].value && body != extlen + keylen))
		return APP_NO;
	*name = ops[p[1]].name;
	*need = 24 + body;
	return APP_YES;
}

/* A number (sign: may start with '-'), at most 20 digits. */
static int
number(const uint8_t *t, size_t tl, int sign, unsigned long *v)
{
	size_t i = sign && tl > 0 && t[0] == '-';

	if (tl == i || tl - i > 20)
		return 0;
	for (*v = 0; i < tl; i++) {
		if (t[i] < '0' || t[i] > '9')
			return 0;
		*v = *v * 10 + (unsigned long)(t[i] - '0');
	}
	return 1;
}

/* The next space-separated token of line[*off..len) in *t, *tl. */
static int
token(const uint8_t *line, size_t len, size_t *off, const uint8_t **t, size_t *tl)
{
	while (*off < len && line[*off] == ' ')
		(*off)++;
	if (*off >= len)
		return 0;
	*t = line + *off;
	while (*off < len && line[*off] != ' ')
		(*off)++;
	*tl = (size_t)(line + *off - *t);
	return 1;
}

/* The arguments after the command fit its shape; *data the data block's size. */
static int
shape(const char *sh, const uint8_t *line, size_t len, size_t off, long *data)
{
	const uint8_t *t = NULL;
	size_t tl = 0;
	unsigned long v;
	int have = token(line, len, &off, &t, &tl);

	for (; *sh != '\0'; sh++) {
		switch (*sh) {
		case 'k':
		case 'K':
			if (!have || tl > KEY_MAX)
				return 0;
			do {
				for (size_t i = 0; i < tl; i++)
					if (t[i] <= 0x20 || t[i] >= 0x7f)
						return 0;
			} while ((have = token(line, len, &off, &t, &tl)) && *sh == 'K' && tl <= KEY_MAX);
			continue;
		case 'o':
		case 'r':
			if (have && (*sh == 'o' ? number(t, tl, 0, &v) :
			    tl == 7 && memcmp(t, "noreply", 7) == 0))
				break;
			continue;
		case 'a':
			while (have)
				have = token(line, len, &off, &t, &tl);
			continue;
		default:	/* 'n', 's', 'b' */
			if (!have || !number(t, tl, *sh == 's', &v) || (*sh == 'b' && v > BODY_MAX))
				return 0;
			if (*sh == 'b')
				*data = (long)v;
		}
		have = token(line, len, &off, &t, &tl);
	}
	return !have;
}

/* The command of w bytes at p; partial: could grow into one. */
static int
command(const uint8_t *p, size_t w, int partial)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if ((partial ? w <= strlen(cmds[i].cmd) : w == strlen(cmds[i].cmd)) &&
		    memcmp(p, cmds[i].cmd, w) == 0)
			return (int)i;
	return -1;
}

/*
 * A text command line: YES once it is whole and its arguments fit; then
 * *cmd is its index in cmds, *end where the data block starts and *data
 * its size (-1: none).
 */
static enum app_result
text(const uint8_t *p, size_t n, int *cmd, size_t *end, long *data)
{
	size_t w, len;

	for (w = 0; w < n && ((p[w] >= 'a' && p[w] <= 'z') || p[w] == '_'); w++)
		;
	if (w == 0 || (w < n && p[w] != ' ' && p[w] != '\r' && p[w] != '\n'))
		return APP_NO;
	if ((*cmd = command(p, w, w == n)) < 0)
		return APP_NO;
	for (len = w; len < n && p[len] != '\n'; len++)
		if ((p[len] < 0x20 && !(p[len] == '\r' && (len + 1 == n || p[len + 1] == '\n'))) ||
		    p[len] > 0x7e || len >= LINE_MAX_MC)
			return APP_NO;
	if (memmem(p, len, " HTTP/", 6) != NULL)
		return APP_NO;
	if (len == n)
		return APP_MAYBE;
	*end = len + 1;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	*data = -1;
	return shape(cmds[*cmd].args, p, len, w, data) ? APP_YES : APP_NO;
}

/* The server's first byte, if any: a text reply word or number, or 0x81. */
static int
reply_ok(const struct app_input *in)
{
	uint8_t b = in->len[DIR_TO_CLIENT] > 0 ? in->data[DIR_TO_CLIENT][0] : 'E';

	return (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == 0x81;
}

static enum app_result
memcached_probe(const struct app_input *in, struct app_info *info)
{
	const uint8_t *p = in->data[DIR_TO_SERVER];
	size_t n = in->len[DIR_TO_SERVER], need = 0;
	const char *name = NULL;
	long data = -1;
	int cmd, answered = in->len[DIR_TO_CLIENT] > 0;
	enum app_result r;

	if (n == 0)
		return answered ? APP_NO : probe_more(in, DIR_TO_SERVER);
	if (!reply_ok(in))
		return APP_NO;
	if (p[0] == 0x80)
		r = binary(p, n, &name, &need);
	else if ((r = text(p, n, &cmd, &need, &data)) == APP_YES) {
		name = cmds[cmd].cmd;
		if (data >= 0)
			need += (size_t)data + 2;
	}
	if (r == APP_MAYBE)
		return answered ? APP_NO : probe_more(in, DIR_TO_SERVER);
	if (r == APP_NO)
		return APP_NO;
	/* A text data block ends with CR LF. */
	if (data >= 0 && n >= need && memcmp(p + need - 2, "\r\n", 2) != 0)
		return APP_NO;
	/* The server answers whole requests; a client that closes sent them whole. */
	if (n < need && n < APP_PROBE_MAX && (answered || in->closed[DIR_TO_SERVER]))
		return APP_NO;
	app_copy_text(info->method, sizeof(info->method), (const uint8_t *)name, strlen(name));
	return APP_YES;
}

const struct app_ops proto_memcached = {
	.id = APP_MEMCACHED,
	.name = "memcached",
	.word = "memcached",
	.hint_ports = { 11211 },
	.probe = memcached_probe,
};
