/*
 * proto_redis.c: Redis by the client's first command (RESP, "Redis
 * serialization protocol specification").
 *
 * Clients speak first.  Libraries and redis-cli send an array of bulk
 * strings, "*N\r\n$len\r\nCMD\r\n...", whose first string is the command
 * word.  People and health checks send inline commands, "PING\r\n": only
 * a short list of real command words is taken, never a line with an HTTP
 * version, and the words memcached shares ("get", "set", ...) only with
 * Redis's number of arguments and once the server has answered in RESP.
 * A server reply that is not RESP rules Redis out, and so does one that
 * comes before the command is whole.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "proto/app.h"
#include "proto/probe.h"
#include "base/types.h"

#define WORD_MAX	32
#define INLINE_MAX	1024

static const char *const inline_words[] = {
	"PING", "AUTH", "HELLO", "INFO", "SELECT", "ECHO", "KEYS", "DEL", "EXISTS",
	"EXPIRE", "TTL", "TYPE", "SCAN", "MGET", "MSET", "SETEX", "SETNX", "HGET",
	"HSET", "HGETALL", "LPUSH", "RPUSH", "LRANGE", "LLEN", "SADD", "SMEMBERS",
	"ZADD", "ZRANGE", "PUBLISH", "SUBSCRIBE", "PSUBSCRIBE", "MONITOR", "CLIENT",
	"CONFIG", "COMMAND", "CLUSTER", "DBSIZE", "FLUSHDB", "FLUSHALL", "MULTI",
	"ROLE", "REPLCONF", "PSYNC",
};
/*
 * Also memcached commands: Redis only with Redis's number of arguments
 * (max -1: any), and then only with a RESP answer.
 */
static const struct {
	const char *word;
	int min, max;
} shared[] = {
	{ "GET", 1, 1 }, { "SET", 2, -1 }, { "APPEND", 2, 2 }, { "INCR", 1, 1 },
	{ "DECR", 1, 1 }, { "TOUCH", 1, -1 }, { "QUIT", 0, 0 },
};

/* The server's first byte, if any, is a RESP2 or RESP3 type. */
static enum app_result
reply(const struct app_input *in)
{
	static const char types[] = "+-:$*_#,(!=%~>|";

	if (in->len[DIR_TO_CLIENT] == 0)
		return probe_more(in, DIR_TO_CLIENT);
	return memchr(types, in->data[DIR_TO_CLIENT][0], sizeof(types) - 1) != NULL ?
	    APP_YES : APP_NO;
}

/* "<c><digits>\r\n" at p[*i], from min up to max; the number in *v. */
static enum app_result
header(const uint8_t *p, size_t n, size_t *i, char c, unsigned long min, unsigned long max,
    unsigned long *v)
{
	size_t start = *i + 1;

	if (*i >= n)
		return APP_MAYBE;
	if (p[(*i)++] != c)
		return APP_NO;
	for (*v = 0; *i < n && p[*i] >= '0' && p[*i] <= '9'; (*i)++)
		if ((*v = *v * 10 + (unsigned long)(p[*i] - '0')) > max)
			return APP_NO;
	if (*i < n && (*i == start || *v < min || p[*i] != '\r'))
		return APP_NO;
	if (*i + 1 < n && p[*i + 1] != '\n')
		return APP_NO;
	if (*i + 1 >= n)
		return APP_MAYBE;
	*i += 2;
	return APP_YES;
}

/* "*N\r\n$len\r\nWORD\r\n": the command word in *w, *wl. */
static enum app_result
array(const uint8_t *p, size_t n, const uint8_t **w, size_t *wl, unsigned long *count)
{
	size_t i = 0;
	unsigned long v;
	enum app_result r;

	if ((r = header(p, n, &i, '*', 1, 1024 * 1024, count)) != APP_YES ||
	    (r = header(p, n, &i, '$', 1, WORD_MAX, &v)) != APP_YES)
		return r;
	for (size_t k = 0; k < v + 2 && i + k < n; k++) {
		uint8_t b = p[i + k];

		if (k == v ? b != '\r' : k == v + 1 ? b != '\n' :
		    !((b | 0x20) >= 'a' && (b | 0x20) <= 'z') && !(k > 0 && (b == '.' || b == '_')))
			return APP_NO;
	}
	if (i + v + 2 > n)
		return APP_MAYBE;
	*w = p + i;
	*wl = v;
	return APP_YES;
}

/*
 * Whether all count bulk strings of the array are there (1), cut short
 * (0), or malformed (-1); the bytes seen bound the walk.
 */
static int
whole(const uint8_t *p, size_t n, unsigned long count)
{
	size_t i = 0;
	unsigned long v, k;

	if (header(p, n, &i, '*', 1, 1024 * 1024, &v) != APP_YES)
		return -1;
	for (k = 0; k < count; k++) {
		enum app_result r = header(p, n, &i, '$', 0, 512ul << 20, &v);

		if (r != APP_YES)
			return r == APP_NO ? -1 : 0;
		if (v + 2 > n - i)
			return 0;
		if (p[i + v] != '\r' || p[i + v + 1] != '\n')
			return -1;
		i += v + 2;
	}
	return 1;
}

/* The shared word's index, -1 if none; partial: could grow into one. */
static int
shared_word(const uint8_t *w, size_t wl, int partial)
{
	for (size_t k = 0; k < PROBE_NWORDS(shared); k++)
		if ((partial ? wl <= strlen(shared[k].word) : wl == strlen(shared[k].word)) &&
		    strncasecmp((const char *)w, shared[k].word, wl) == 0)
			return (int)k;
	return -1;
}

/* The arguments of line[0..len) fit Redis's shared command k. */
static int
arity(int k, const uint8_t *line, size_t len)
{
	int argc = 0;
	const uint8_t *third = NULL;

	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && (i == 0 || line[i - 1] == ' ') && ++argc == 3)
			third = line + i;
	if (argc < shared[k].min || (shared[k].max >= 0 && argc > shared[k].max))
		return 0;
	/* SET's options are words; memcached's set has numbers there. */
	return third == NULL || ((*third | 0x20) >= 'a' && (*third | 0x20) <= 'z');
}

/* An inline command line; shared words need the server's answer. */
static enum app_result
inline_cmd(const struct app_input *in, const uint8_t *p, size_t n, size_t *wl)
{
	size_t i, eol;
	int k, done;

	for (i = 0; i < n && ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z'); i++)
		;
	*wl = i;
	done = i < n;		/* the word has ended */
	if (i == 0 || (done && p[i] != ' ' && p[i] != '\r' && p[i] != '\n'))
		return APP_NO;
	k = shared_word(p, i, !done);
	if (k < 0 && !probe_listed(inline_words, PROBE_NWORDS(inline_words), p, i, !done))
		return APP_NO;
	for (eol = i; eol < n && p[eol] != '\n'; eol++)
		if ((p[eol] < 0x20 && p[eol] != '\r') || p[eol] > 0x7e ||
		    (p[eol] == '\r' && eol + 1 < n && p[eol + 1] != '\n'))
			return APP_NO;
	if (eol >= INLINE_MAX || memmem(p + i, eol - i, " HTTP/", 6) != NULL)
		return APP_NO;
	if (eol == n)	/* the server answers whole lines */
		return in->len[DIR_TO_CLIENT] > 0 ? APP_NO : probe_more(in, DIR_TO_SERVER);
	if (!done || (k = shared_word(p, i, 0)) < 0)
		return APP_YES;
	if (!arity(k, p + i, eol - i - (p[eol - 1] == '\r')))
		return APP_NO;
	return reply(in);
}

static enum app_result
redis_probe(const struct app_input *in, struct app_info *info)
{
	const uint8_t *p = in->data[DIR_TO_SERVER], *w = p;
	size_t n = in->len[DIR_TO_SERVER], wl = 0;
	unsigned long count;
	enum app_result r;

	if (n == 0)
		return in->len[DIR_TO_CLIENT] > 0 ? APP_NO : probe_more(in, DIR_TO_SERVER);
	if (in->len[DIR_TO_CLIENT] > 0 && reply(in) == APP_NO)
		return APP_NO;
	if (p[0] == '*') {
		if ((r = array(p, n, &w, &wl, &count)) == APP_MAYBE)
			return in->len[DIR_TO_CLIENT] > 0 ? APP_NO : probe_more(in, DIR_TO_SERVER);
		/*
		 * The server answers whole commands; a client that closes has
		 * sent them whole (unless past the probe's view).
		 */
		if (r == APP_YES && n < APP_PROBE_MAX &&
		    (in->len[DIR_TO_CLIENT] > 0 || in->closed[DIR_TO_SERVER]) &&
		    whole(p, n, count) != 1)
			return APP_NO;
	} else
		r = inline_cmd(in, p, n, &wl);
	if (r != APP_YES)
		return r;
	probe_copy_upper(info->method, sizeof(info->method), w, wl);
	return APP_YES;
}

const struct app_ops proto_redis = {
	.id = APP_REDIS,
	.name = "Redis",
	.word = "redis",
	.hint_ports = { 6379 },
	.probe = redis_probe,
};
