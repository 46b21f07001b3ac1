/*
 * check_proto_db.c: the database and service protocol probes (SSH,
 * PostgreSQL, MySQL, Redis, MongoDB, Kafka, SMTP, FTP, memcached) through
 * app_detect(), the whole table: each sample as its clients and servers
 * send it, step by step and cut at every byte; the information found;
 * each probe against the others' samples, web traffic, random bytes and
 * truncated or malformed messages.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/app_table.h"
#include "base/types.h"

/* The probes of this suite. */
static const enum app_id mine[] = {
	APP_SSH, APP_POSTGRESQL, APP_MYSQL, APP_REDIS, APP_MONGODB, APP_KAFKA,
	APP_SMTP, APP_FTP, APP_MEMCACHED,
};
#define NMINE	(sizeof(mine) / sizeof(mine[0]))

/* --- building messages ------------------------------------------------------ */

struct buf {
	uint8_t b[1024];
	size_t n;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > sizeof(b->b))
		abort();	/* a sample outgrew its buffer */
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void
put8(struct buf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;

	put(b, &c, 1);
}

static void
put_le(struct buf *b, uint64_t v, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		put8(b, (unsigned)(v >> (8 * i)) & 0xff);
}

static void
put_be(struct buf *b, uint64_t v, size_t bytes)
{
	while (bytes-- > 0)
		put8(b, (unsigned)(v >> (8 * bytes)) & 0xff);
}

static void
put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* With its NUL. */
static void
put_z(struct buf *b, const char *s)
{
	put(b, s, strlen(s) + 1);
}

static void
set_le(struct buf *b, size_t off, uint64_t v, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		b->b[off + i] = (uint8_t)(v >> (8 * i));
}

static void
set_be(struct buf *b, size_t off, uint64_t v, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		b->b[off + i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

/* --- samples ---------------------------------------------------------------- */

/* One message of a conversation, in the order it goes on the wire. */
struct step {
	int dir;
	struct buf m;
};

struct sample {
	const char *name;
	enum app_id id;
	struct step steps[4];
	size_t nsteps;
	int client_closes;	/* the client's direction ends after the steps */
	struct app_info want;
};

#define SAMPLES_MAX	64
static struct sample samples[SAMPLES_MAX];
static size_t nsamples;

static struct sample *
sample(const char *name, enum app_id id)
{
	struct sample *s;

	if (nsamples >= SAMPLES_MAX)
		abort();
	s = &samples[nsamples++];
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->id = id;
	return s;
}

static struct buf *
step(struct sample *s, int dir)
{
	if (s->nsteps >= 4)
		abort();
	s->steps[s->nsteps].dir = dir;
	return &s->steps[s->nsteps++].m;
}

static void
text_step(struct sample *s, int dir, const char *text)
{
	put_str(step(s, dir), text);
}

#define C	DIR_TO_SERVER
#define S	DIR_TO_CLIENT

/* Bytes given in hex, as captured. */
static void
hex_step(struct sample *s, int dir, const char *hex)
{
	struct buf *b = step(s, dir);
	unsigned v;

	for (; hex[0] != '\0' && hex[1] != '\0'; hex += 2) {
		if (sscanf(hex, "%2x", &v) != 1)
			abort();
		put8(b, v);
	}
}

/*
 * The samples that are built rather than written out: each builder adds
 * its steps after the row's written ones (see rows[] below).
 */

/* A PostgreSQL StartupMessage, protocol 3.0, of key/value pairs. */
static void
pg_startup(struct buf *b, const char *const *kv)
{
	size_t start = b->n;

	put_be(b, 0, 4);
	put_be(b, 196608, 4);
	for (; *kv != NULL; kv++)
		put_z(b, *kv);
	put8(b, 0);
	set_be(b, start, b->n - start, 4);
}

static void
pg_auth_sasl(struct buf *b)
{
	put8(b, 'R');
	put_be(b, 23, 4);
	put_be(b, 10, 4);
	put_z(b, "SCRAM-SHA-256");
	put8(b, 0);
}

static void
build_psql(struct sample *s)
{
	static const char *const psql[] = {
		"user", "app", "database", "shop", "application_name", "psql",
		"client_encoding", "UTF8", NULL,
	};

	pg_startup(step(s, C), psql);
	pg_auth_sasl(step(s, S));
}

static void
build_pgjdbc(struct sample *s)
{
	static const char *const jdbc[] = {
		"user", "report", "database", "sales", "client_encoding", "UTF8",
		"DateStyle", "ISO", "TimeZone", "UTC", "extra_float_digits", "2", NULL,
	};

	pg_startup(step(s, C), jdbc);
	pg_auth_sasl(step(s, S));
}

/* A MySQL packet's header, its length set by my_end(). */
static size_t
my_begin(struct buf *b, unsigned seq)
{
	size_t start = b->n;

	put_le(b, 0, 3);
	put8(b, seq);
	return start;
}

static void
my_end(struct buf *b, size_t start)
{
	set_le(b, start, b->n - start - 4, 3);
}

static void
lenenc_str(struct buf *b, const char *s)
{
	put8(b, (unsigned)strlen(s));
	put_str(b, s);
}

#define CLIENT_CONNECT_WITH_DB	0x00000008u
#define CLIENT_PROTOCOL_41	0x00000200u
#define CLIENT_SSL		0x00000800u
#define CLIENT_BASE_CAPS	(0x00000001u | 0x00000004u | 0x00000080u | 0x00000200u | \
				 0x00000400u | 0x00002000u | 0x00008000u | 0x00010000u | \
				 0x00020000u | 0x00040000u | 0x00080000u | 0x00100000u | \
				 0x00200000u | 0x00800000u | 0x01000000u)

static void
my_greeting(struct buf *b, const char *version, unsigned caps_low, unsigned caps_high,
    const char *plugin)
{
	size_t p = my_begin(b, 0);

	put8(b, 10);
	put_z(b, version);
	put_le(b, 11, 4);			/* thread id */
	put_str(b, "\x1d\x52\x6b\x3e\x0f\x4c\x5a\x21");
	put8(b, 0);
	put_le(b, caps_low, 2);
	put8(b, 0xff);
	put_le(b, 0x0002, 2);
	put_le(b, caps_high, 2);
	put8(b, 21);
	put(b, "\0\0\0\0\0\0\0\0\0\0", 10);
	put_z(b, "\x3a\x13\x49\x1a\x6d\x58\x7f\x33\x55\x1f\x64\x25");
	put_z(b, plugin);
	my_end(b, p);
}

/* A Handshake Response 41 with a lenenc auth response and attributes. */
static void
my_response(struct buf *b, uint32_t caps, const char *user, size_t authlen, const char *db,
    const char *plugin, const char *const *attrs)
{
	size_t p = my_begin(b, 1), a;

	put_le(b, caps, 4);
	put_le(b, 16777216, 4);
	put8(b, 0xff);
	for (int i = 0; i < 23; i++)
		put8(b, 0);
	put_z(b, user);
	put8(b, (unsigned)authlen);
	for (size_t i = 0; i < authlen; i++)
		put8(b, 0x80 + (unsigned)i);
	if (db != NULL)
		put_z(b, db);
	put_z(b, plugin);
	put8(b, 0);
	a = b->n;
	for (; *attrs != NULL; attrs++)
		lenenc_str(b, *attrs);
	b->b[a - 1] = (uint8_t)(b->n - a);
	my_end(b, p);
}

#define MYSQL_REFUSED	"Host '172.17.0.1' is not allowed to connect to this MySQL server"

static void
build_mysql(struct sample *s)
{
	static const char *const libmysql[] = {
		"_pid", "22345", "_platform", "x86_64", "_os", "Linux", "_client_name",
		"libmysql", "os_user", "alice", "_client_version", "8.0.35", "program_name",
		"mysql", NULL,
	};

	my_greeting(step(s, S), "8.0.35", 0xffff, 0xdfff, "caching_sha2_password");
	my_response(step(s, C), CLIENT_BASE_CAPS | CLIENT_CONNECT_WITH_DB, "app", 32, "shop",
	    "caching_sha2_password", libmysql);
}

static void
build_mariadb(struct sample *s)
{
	static const char *const libmariadb[] = {
		"_client_name", "libmariadb", "_client_version", "3.3.8", "_server_host",
		"db", "_os", "Linux", "_pid", "4242", "_platform", "x86_64", "program_name",
		"mariadb", NULL,
	};

	my_greeting(step(s, S), "5.5.5-10.11.6-MariaDB-0+deb12u1", 0xf7fe, 0x81ff,
	    "mysql_native_password");
	my_response(step(s, C), CLIENT_BASE_CAPS, "root", 20, NULL, "mysql_native_password",
	    libmariadb);
}

static void
build_mysql_tls(struct sample *s)
{
	struct buf *b;
	size_t p;

	my_greeting(step(s, S), "8.0.35", 0xffff, 0xdfff, "caching_sha2_password");
	b = step(s, C);
	p = my_begin(b, 1);
	put_le(b, CLIENT_BASE_CAPS | CLIENT_SSL, 4);
	put_le(b, 16777216, 4);
	put8(b, 0xff);
	for (int i = 0; i < 23; i++)
		put8(b, 0);
	my_end(b, p);
}

static void
build_mysql_refused(struct sample *s)
{
	struct buf *b = step(s, S);
	size_t p = my_begin(b, 0);

	put8(b, 0xff);
	put_le(b, 1130, 2);
	put_str(b, MYSQL_REFUSED);
	my_end(b, p);
}

/* --- BSON, for the MongoDB samples --- */

static void
bson_key(struct buf *b, unsigned type, const char *key)
{
	put8(b, type);
	put_z(b, key);
}

static size_t
bson_begin(struct buf *b)
{
	size_t start = b->n;

	put_le(b, 0, 4);
	return start;
}

static void
bson_end(struct buf *b, size_t start)
{
	put8(b, 0);
	set_le(b, start, b->n - start, 4);
}

static void
bson_str(struct buf *b, const char *key, const char *v)
{
	bson_key(b, 0x02, key);
	put_le(b, strlen(v) + 1, 4);
	put_z(b, v);
}

static void
bson_i32(struct buf *b, const char *key, int32_t v)
{
	bson_key(b, 0x10, key);
	put_le(b, (uint32_t)v, 4);
}

static void
bson_bool(struct buf *b, const char *key, int v)
{
	bson_key(b, 0x08, key);
	put8(b, v != 0);
}

/* The client metadata mongosh's driver sends in its handshake. */
static void
bson_client(struct buf *b)
{
	size_t c, d;

	bson_key(b, 0x03, "client");
	c = bson_begin(b);
	bson_key(b, 0x03, "application");
	d = bson_begin(b);
	bson_str(b, "name", "mongosh 2.1.1");
	bson_end(b, d);
	bson_key(b, 0x03, "driver");
	d = bson_begin(b);
	bson_str(b, "name", "nodejs|mongosh");
	bson_str(b, "version", "6.3.0|2.1.1");
	bson_end(b, d);
	bson_str(b, "platform", "Node.js v20.11.0, LE");
	bson_key(b, 0x03, "os");
	d = bson_begin(b);
	bson_str(b, "name", "linux");
	bson_str(b, "architecture", "x64");
	bson_str(b, "version", "6.1.0-17-amd64");
	bson_str(b, "type", "Linux");
	bson_end(b, d);
	bson_end(b, c);
	bson_key(b, 0x04, "compression");
	d = bson_begin(b);
	bson_str(b, "0", "none");
	bson_end(b, d);
}

static size_t
mongo_header(struct buf *b, uint32_t request_id, uint32_t response_to, uint32_t op)
{
	size_t start = b->n;

	put_le(b, 0, 4);
	put_le(b, request_id, 4);
	put_le(b, response_to, 4);
	put_le(b, op, 4);
	return start;
}

static void
mongo_end(struct buf *b, size_t start)
{
	set_le(b, start, b->n - start, 4);
}

static void
build_mongo_ismaster(struct sample *s)
{
	struct buf *b = step(s, C);
	size_t m = mongo_header(b, 1, 0, 2004), d;

	put_le(b, 0, 4);
	put_z(b, "admin.$cmd");
	put_le(b, 0, 4);
	put_le(b, 0xffffffff, 4);
	d = bson_begin(b);
	bson_i32(b, "isMaster", 1);
	bson_bool(b, "helloOk", 1);
	bson_client(b);
	bson_end(b, d);
	mongo_end(b, m);
	b = step(s, S);
	m = mongo_header(b, 7, 1, 1);
	put_le(b, 8, 4);
	mongo_end(b, m);
}

static void
build_mongo_hello(struct sample *s)
{
	struct buf *b = step(s, C);
	size_t m = mongo_header(b, 3, 0, 2013), d;

	put_le(b, 0, 4);
	put8(b, 0);
	d = bson_begin(b);
	bson_i32(b, "hello", 1);
	bson_bool(b, "loadBalanced", 1);
	bson_client(b);
	bson_str(b, "$db", "admin");
	bson_end(b, d);
	mongo_end(b, m);
}

static void
build_mongo_find(struct sample *s)
{
	struct buf *b = step(s, C);
	size_t m = mongo_header(b, 12, 0, 2013), d, l;

	put_le(b, 1, 4);
	put8(b, 0);
	d = bson_begin(b);
	bson_str(b, "find", "orders");
	bson_key(b, 0x03, "filter");
	l = bson_begin(b);
	bson_str(b, "status", "open");
	bson_end(b, l);
	bson_key(b, 0x03, "lsid");
	l = bson_begin(b);
	bson_key(b, 0x05, "id");
	put_le(b, 16, 4);
	put8(b, 4);
	put(b, "\x9e\x2a\x51\x0c\x33\x41\x4b\x8f\xa1\x07\x6d\x2b\x1c\x55\x90\x12", 16);
	bson_end(b, l);
	bson_key(b, 0x12, "maxTimeMS");
	put_le(b, 5000, 8);
	bson_str(b, "$db", "shop");
	bson_end(b, d);
	put_le(b, 0x1234abcd, 4);		/* CRC-32C, not checked */
	mongo_end(b, m);
}

/* A Kafka request header (v1, or v2 with an empty tag buffer). */
static size_t
kafka_header(struct buf *b, unsigned key, unsigned version, uint32_t corr, const char *client,
    int tags)
{
	size_t start = b->n;

	put_be(b, 0, 4);
	put_be(b, key, 2);
	put_be(b, version, 2);
	put_be(b, corr, 4);
	put_be(b, strlen(client), 2);
	put_str(b, client);
	if (tags)
		put8(b, 0);
	return start;
}

static void
kafka_end(struct buf *b, size_t start)
{
	set_be(b, start, b->n - start - 4, 4);
}

static void
build_kafka_apiversions(struct sample *s)
{
	struct buf *b = step(s, C);
	size_t m = kafka_header(b, 18, 3, 1, "adminclient-1", 1);

	put8(b, 18);
	put_str(b, "apache-kafka-java");
	put8(b, 6);
	put_str(b, "3.6.1");
	put8(b, 0);
	kafka_end(b, m);
	b = step(s, S);
	put_be(b, 0x1a0, 4);
	put_be(b, 1, 4);
	put_be(b, 0, 2);
}

static void
build_kafka_metadata(struct sample *s)
{
	struct buf *b = step(s, C);
	size_t m = kafka_header(b, 3, 12, 2, "rdkafka", 1);

	put(b, "\x01\x01\x00\x00", 4);
	kafka_end(b, m);
}

static void
build_kafka_sasl(struct sample *s)
{
	struct buf *b = step(s, C);
	size_t m = kafka_header(b, 17, 1, 0, "producer-1", 0);

	put_be(b, 5, 2);
	put_str(b, "PLAIN");
	kafka_end(b, m);
}

/* --- the samples, one row each ---------------------------------------------- */

/* PostgreSQL's requests before a StartupMessage, and a ClientHello's start. */
#define PG_SSL		"0000000804d2162f"
#define PG_GSSENC	"0000000804d21630"
#define PG_CANCEL	"0000001004d2162e00001f905a117e03"
#define TLS_HELLO	"160301012c010001280303"

/*
 * A sample: its written steps (text, or hex as captured) up to the first
 * without bytes, then those build adds; the application and what it
 * should find.
 */
struct row {
	const char *name;
	enum app_id id;
	int hex;
	struct {
		int dir;
		const char *m;
	} steps[4];
	void (*build)(struct sample *s);
	int client_closes;
	struct app_info want;
};

static const struct row rows[] = {
	/* SSH */
	{ "OpenSSH 9.2 server, OpenSSH 9.6 client", APP_SSH,
	    .steps = { { S, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n" },
	    { C, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n" } },
	    .want = { .server = "OpenSSH_9.2p1 Debian-2+deb12u3",
	    .client = "OpenSSH_9.6p1 Ubuntu-3ubuntu13" } },
	{ "client first, then dropbear", APP_SSH,
	    .steps = { { C, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n" },
	    { S, "SSH-2.0-dropbear_2022.83\r\n" } },
	    .want = { .client = "OpenSSH_9.2p1 Debian-2+deb12u3", .server = "dropbear_2022.83" } },
	{ "server lines before its banner, SSH-1.99", APP_SSH,
	    .steps = { { S, "Authorized users only.\r\nSSH-1.99-Cisco-1.25\r\n" },
	    { C, "SSH-2.0-PuTTY_Release_0.80\r\n" } },
	    .want = { .server = "Cisco-1.25", .client = "PuTTY_Release_0.80" } },

	/* PostgreSQL */
	{ "psql 15 StartupMessage, sslmode=disable", APP_POSTGRESQL, .build = build_psql,
	    .want = { .method = "StartupMessage", .user = "app", .database = "shop",
	    .version = "3.0" } },
	{ "pgjdbc StartupMessage", APP_POSTGRESQL, .build = build_pgjdbc,
	    .want = { .method = "StartupMessage", .user = "report", .database = "sales",
	    .version = "3.0" } },
	{ "SSLRequest accepted, TLS follows", APP_POSTGRESQL, .hex = 1,
	    .steps = { { C, PG_SSL }, { S, "53" }, { C, TLS_HELLO } },
	    .want.method = "SSLRequest" },
	{ "SSLRequest refused, StartupMessage in the clear", APP_POSTGRESQL, .hex = 1,
	    .steps = { { C, PG_SSL }, { S, "4e" } }, .build = build_psql,
	    .want = { .method = "StartupMessage", .user = "app", .database = "shop",
	    .version = "3.0" } },
	{ "GSSENCRequest refused, then SSLRequest", APP_POSTGRESQL, .hex = 1,
	    .steps = { { C, PG_GSSENC }, { S, "4e" }, { C, PG_SSL }, { S, "53" } },
	    .want.method = "SSLRequest" },
	{ "SSLRequest refused, sslmode=require leaves", APP_POSTGRESQL, .hex = 1,
	    .steps = { { C, PG_SSL }, { S, "4e" } }, .client_closes = 1,
	    .want.method = "SSLRequest" },
	{ "CancelRequest", APP_POSTGRESQL, .hex = 1, .steps = { { C, PG_CANCEL } },
	    .want.method = "CancelRequest" },

	/* MySQL */
	{ "MySQL 8.0 and the mysql client", APP_MYSQL, .build = build_mysql,
	    .want = { .server = "8.0.35", .user = "app", .database = "shop",
	    .client = "libmysql 8.0.35" } },
	{ "MariaDB 10.11 and the mariadb client", APP_MYSQL, .build = build_mariadb,
	    .want = { .server = "10.11.6-MariaDB-0+deb12u1", .user = "root",
	    .client = "libmariadb 3.3.8" } },
	{ "MySQL 8.0, the client asks for TLS", APP_MYSQL, .build = build_mysql_tls,
	    .want = { .server = "8.0.35", .method = "SSLRequest" } },
	{ "MySQL refuses the host", APP_MYSQL, .build = build_mysql_refused,
	    .want.server = MYSQL_REFUSED },

	/* Redis */
	{ "redis-cli PING", APP_REDIS,
	    .steps = { { C, "*1\r\n$4\r\nPING\r\n" }, { S, "+PONG\r\n" } },
	    .want.method = "PING" },
	{ "redis-cli SET", APP_REDIS,
	    .steps = { { C, "*3\r\n$3\r\nSET\r\n$3\r\nfoo\r\n$3\r\nbar\r\n" }, { S, "+OK\r\n" } },
	    .want.method = "SET" },
	{ "redis-cli SET of an empty string", APP_REDIS,
	    .steps = { { C, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n" }, { S, "+OK\r\n" } },
	    .want.method = "SET" },
	{ "redis-py HELLO 3 with AUTH", APP_REDIS,
	    .steps = { { C, "*5\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n"
	    "$6\r\nsecret\r\n" }, { S, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n" } },
	    .want.method = "HELLO" },
	{ "AUTH refused", APP_REDIS,
	    .steps = { { C, "*2\r\n$4\r\nauth\r\n$5\r\nwrong\r\n" },
	    { S, "-WRONGPASS invalid username-password pair or user is disabled.\r\n" } },
	    .want.method = "AUTH" },
	{ "inline PING (health check)", APP_REDIS,
	    .steps = { { C, "PING\r\n" }, { S, "+PONG\r\n" } }, .want.method = "PING" },
	{ "inline get, answered in RESP", APP_REDIS,
	    .steps = { { C, "get foo\r\n" }, { S, "$3\r\nbar\r\n" } }, .want.method = "GET" },
	{ "RediSearch FT.SEARCH", APP_REDIS,
	    .steps = { { C, "*3\r\n$9\r\nFT.SEARCH\r\n$3\r\nidx\r\n$5\r\nhello\r\n" } },
	    .want.method = "FT.SEARCH" },

	/* MongoDB */
	{ "mongosh handshake, legacy OP_QUERY isMaster", APP_MONGODB,
	    .build = build_mongo_ismaster, .want = { .method = "isMaster", .database = "admin" } },
	{ "hello in OP_MSG (load balanced)", APP_MONGODB, .build = build_mongo_hello,
	    .want = { .method = "hello", .database = "admin" } },
	{ "find with a session and a checksum", APP_MONGODB, .build = build_mongo_find,
	    .want = { .method = "find", .database = "shop" } },

	/* Kafka */
	{ "Java client ApiVersions v3", APP_KAFKA, .build = build_kafka_apiversions,
	    .want = { .method = "ApiVersions", .client = "adminclient-1" } },
	{ "librdkafka Metadata v12", APP_KAFKA, .build = build_kafka_metadata,
	    .want = { .method = "Metadata", .client = "rdkafka" } },
	{ "SaslHandshake v1", APP_KAFKA, .build = build_kafka_sasl,
	    .want = { .method = "SaslHandshake", .client = "producer-1" } },

	/* SMTP */
	{ "Postfix, EHLO", APP_SMTP,
	    .steps = { { S, "220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n" },
	    { C, "EHLO client.example.org\r\n" },
	    { S, "250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
	    "250-STARTTLS\r\n250 8BITMIME\r\n" } },
	    .want = { .server = "mail.example.com ESMTP Postfix (Debian/GNU)",
	    .method = "EHLO" } },
	{ "Exim, two greeting lines, helo", APP_SMTP,
	    .steps = { { S, "220-mx.example.net ESMTP Exim 4.96 Mon, 06 May 2024 10:00:00 +0000\r\n"
	    "220 We do not authorize the use of this system to transport unsolicited mail\r\n" },
	    { C, "helo relay.example.org\r\n" } },
	    .want = { .server = "mx.example.net ESMTP Exim 4.96 Mon, 06 May 2024 10:00:00 +0000",
	    .method = "HELO" } },
	{ "a greeting naming ESMTP, a client that quits", APP_SMTP,
	    .steps = { { S, "220 smtp.example.com ESMTP ready\r\n" }, { C, "QUIT\r\n" } },
	    .want = { .server = "smtp.example.com ESMTP ready", .method = "QUIT" } },
	{ "a port scanner reads the greeting and leaves", APP_SMTP,
	    .steps = { { S, "220 mail.example.com ESMTP Postfix\r\n" } }, .client_closes = 1,
	    .want.server = "mail.example.com ESMTP Postfix" },

	/* FTP */
	{ "vsftpd, USER", APP_FTP,
	    .steps = { { S, "220 (vsFTPd 3.0.3)\r\n" }, { C, "USER anonymous\r\n" },
	    { S, "331 Please specify the password.\r\n" } },
	    .want = { .server = "(vsFTPd 3.0.3)", .method = "USER", .user = "anonymous" } },
	{ "ProFTPD, AUTH TLS", APP_FTP,
	    .steps = { { S, "220 ProFTPD Server (Debian) [::ffff:172.17.0.2]\r\n" },
	    { C, "AUTH TLS\r\n" } },
	    .want = { .server = "ProFTPD Server (Debian) [::ffff:172.17.0.2]", .method = "AUTH" } },
	{ "Pure-FTPd, three greeting lines, FEAT", APP_FTP,
	    .steps = { { S, "220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n"
	    "220-You are user number 1 of 50 allowed.\r\n"
	    "220-Local time is now 10:00. Server port: 21.\r\n"
	    "220 You will be disconnected after 15 minutes of inactivity.\r\n" },
	    { C, "FEAT\r\n" } },
	    .want = { .server = "--------- Welcome to Pure-FTPd [privsep] [TLS] ----------",
	    .method = "FEAT" } },
	{ "RFC 959 continuation lines, OPTS", APP_FTP,
	    .steps = { { S, "220-Microsoft FTP Service\r\n  Unauthorized access prohibited.\r\n"
	    "220 Ready.\r\n" }, { C, "OPTS UTF8 ON\r\n" } },
	    .want = { .server = "Microsoft FTP Service", .method = "OPTS" } },

	/* memcached */
	{ "set with its data block", APP_MEMCACHED,
	    .steps = { { C, "set session:42 0 3600 5\r\nhello\r\n" }, { S, "STORED\r\n" } },
	    .want.method = "set" },
	{ "get of two keys", APP_MEMCACHED,
	    .steps = { { C, "get foo bar\r\n" }, { S, "VALUE foo 0 3\r\nabc\r\nEND\r\n" } },
	    .want.method = "get" },
	{ "get that memcached answers (not Redis)", APP_MEMCACHED,
	    .steps = { { C, "get foo\r\n" }, { S, "END\r\n" } }, .want.method = "get" },
	{ "version", APP_MEMCACHED,
	    .steps = { { C, "version\r\n" }, { S, "VERSION 1.6.21\r\n" } },
	    .want.method = "version" },
	{ "incr noreply", APP_MEMCACHED, .steps = { { C, "incr hits 1 noreply\r\n" } },
	    .want.method = "incr" },
	{ "meta get", APP_MEMCACHED,
	    .steps = { { C, "mg user:7 v t\r\n" }, { S, "VA 2 t-1\r\nok\r\n" } },
	    .want.method = "mg" },
	{ "binary get", APP_MEMCACHED, .hex = 1,
	    .steps = { { C, "800000030000000000000003deadbeef0000000000000000666f6f" },
	    { S, "810000000000000100000009deadbeef00000000000000004e6f7420666f756e64" } },
	    .want.method = "get" },
	{ "binary SASL list mechanisms", APP_MEMCACHED, .hex = 1,
	    .steps = { { C, "802000000000000000000000000000000000000000000000" } },
	    .want.method = "sasl_list_mechs" },

	/*
	 * Conversations captured between real clients and servers (Debian 12:
	 * MariaDB 10.11.19 and its mariadb client, PostgreSQL 15 and psql 15.18,
	 * OpenSSH 9.2p1), the server's answers cut short.
	 */
	{ "captured: mariadb client and MariaDB 10.11", APP_MYSQL, .hex = 1,
	    .steps = { { S, "640000000a352e352e352d31302e31312e31392d4d6172696144422d302b64656231"
	    "3275310003000000513b755e5570553900fef7080200ff81150000000000001d0000005c"
	    "452424252b4b7735433064006d7973716c5f6e61746976655f70617373776f726400" },
	    { C, "c10000018ca2bf000000100021000000000000000000000000000000000000001d00"
	    "000061707000006d7973716c006d7973716c5f6e61746976655f70617373776f726400"
	    "7f035f6f73054c696e75780c5f636c69656e745f6e616d650a6c69626d617269616462"
	    "045f7069640531343932350f5f636c69656e745f76657273696f6e06332e332e323009"
	    "5f706c6174666f726d067838365f36340c70726f6772616d5f6e616d65056d7973716c"
	    "0c5f7365727665725f686f7374093132372e302e302e31" },
	    { S, "110000020000000240000000080106056d7973716c" } },
	    .want = { .server = "10.11.19-MariaDB-0+deb12u1", .user = "app", .database = "mysql",
	    .client = "libmariadb 3.3.20" } },
	{ "captured: psql 15, sslmode=prefer, a server without TLS", APP_POSTGRESQL, .hex = 1,
	    .steps = { { C, "0000000804d2162f" }, { S, "4e" },
	    { C, "0000003f000300007573657200706f73746772657300646174616261736500706f73"
	    "7467726573006170706c69636174696f6e5f6e616d65007073716c0000" },
	    { S, "520000000800000000530000001a6170706c69636174696f6e5f6e616d6500707371"
	    "6c00" } },
	    .want = { .method = "StartupMessage", .user = "postgres", .database = "postgres",
	    .version = "3.0" } },
	{ "captured: OpenSSH 9.2p1 both ways", APP_SSH, .hex = 1,
	    .steps = { { C, "5353482d322e302d4f70656e5353485f392e3270312044656269616e2d322b646562"
	    "31327531300d0a" },
	    { S, "5353482d322e302d4f70656e5353485f392e3270312044656269616e2d322b646562"
	    "31327531300d0a" } },
	    .want = { .client = "OpenSSH_9.2p1 Debian-2+deb12u10",
	    .server = "OpenSSH_9.2p1 Debian-2+deb12u10" } },
};

static void
build_samples(void)
{
	nsamples = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct sample *s = sample(r->name, r->id);

		for (size_t k = 0; k < 4 && r->steps[k].m != NULL; k++)
			(r->hex ? hex_step : text_step)(s, r->steps[k].dir, r->steps[k].m);
		if (r->build != NULL)
			r->build(s);
		s->client_closes = r->client_closes;
		s->want = r->want;
	}
}

/* --- feeding the probes ----------------------------------------------------- */

struct feed {
	uint8_t bytes[2][APP_PROBE_MAX];
	struct app_input in;
};

static struct feed fd;

/* The sample up to byte k of step upto (all of it: k = SIZE_MAX). */
static const struct app_input *
feed(const struct sample *s, size_t upto, size_t k, uint16_t port)
{
	memset(&fd.in, 0, sizeof(fd.in));
	for (size_t i = 0; i <= upto && i < s->nsteps; i++) {
		const struct step *st = &s->steps[i];
		size_t n = i == upto && k < st->m.n ? k : st->m.n;
		size_t *len = &fd.in.len[st->dir];

		ck_assert_uint_le(*len + n, APP_PROBE_MAX);
		memcpy(fd.bytes[st->dir] + *len, st->m.b, n);
		*len += n;
	}
	fd.in.data[0] = fd.bytes[0];
	fd.in.data[1] = fd.bytes[1];
	fd.in.proto = 6;
	fd.in.server_port = port;
	return &fd.in;
}

static const struct app_input *
feed_all(const struct sample *s, uint16_t port)
{
	const struct app_input *in = feed(s, s->nsteps, 0, port);

	fd.in.closed[DIR_TO_SERVER] = s->client_closes;
	return in;
}

static enum app_id
detect(const struct app_input *in, struct app_info *info, int *done)
{
	memset(info, 0, sizeof(*info));
	return app_detect(in, info, done);
}

static enum app_result
probe(enum app_id id, const struct app_input *in)
{
	struct app_info info;

	memset(&info, 0, sizeof(info));
	return app_table[id]->probe(in, &info);
}

#define ck_field(s, got, want, f)					\
	ck_assert_msg(strcmp((got)->f, (want)->f) == 0, "%s: " #f " '%s', want '%s'", \
	    (s)->name, (got)->f, (want)->f)

static void
ck_info(const struct sample *s, const struct app_info *got)
{
	ck_field(s, got, &s->want, method);
	ck_field(s, got, &s->want, host);
	ck_field(s, got, &s->want, path);
	ck_field(s, got, &s->want, user);
	ck_field(s, got, &s->want, database);
	ck_field(s, got, &s->want, version);
	ck_field(s, got, &s->want, alpn);
	ck_field(s, got, &s->want, client);
	ck_field(s, got, &s->want, server);
}

/* --- each sample ------------------------------------------------------------ */

/* The whole conversation: the right application and what it found. */
START_TEST(test_sample_detected)
{
	const struct sample *s = &samples[_i];
	uint16_t ports[2] = { 0, app_table[s->id]->hint_ports[0] };
	struct app_info info;
	int done;

	for (size_t p = 0; p < 2; p++) {
		enum app_id got = detect(feed_all(s, ports[p]), &info, &done);

		ck_assert_msg(got == s->id && done, "%s (port %u): %s, done %d", s->name,
		    ports[p], app_name(got), done);
		ck_info(s, &info);
	}
}
END_TEST

/*
 * Cut after every byte, in wire order: never another application, never
 * a final unknown; once decided, it stays decided.
 */
START_TEST(test_sample_every_cut)
{
	const struct sample *s = &samples[_i];
	uint16_t ports[2] = { 0, app_table[s->id]->hint_ports[0] };
	struct app_info info;
	int done;

	for (size_t p = 0; p < 2; p++) {
		int decided = 0;

		for (size_t i = 0; i < s->nsteps; i++)
			for (size_t k = 0; k <= s->steps[i].m.n; k++) {
				enum app_id got = detect(feed(s, i, k, ports[p]), &info, &done);

				ck_assert_msg(got == s->id || (got == APP_UNKNOWN && !done),
				    "%s: step %zu byte %zu (port %u): %s, done %d", s->name, i, k,
				    ports[p], app_name(got), done);
				ck_assert_msg(!decided || got == s->id, "%s: step %zu byte %zu: undecided again",
				    s->name, i, k);
				decided = got == s->id;
			}
		ck_assert_msg(decided || s->client_closes, "%s: not decided", s->name);
	}
}
END_TEST

/* The other probes of this suite say no to the whole sample. */
START_TEST(test_sample_others_say_no)
{
	const struct sample *s = &samples[_i];

	for (size_t j = 0; j < NMINE; j++) {
		enum app_result r;

		if (mine[j] == s->id)
			continue;
		r = probe(mine[j], feed_all(s, 0));
		ck_assert_msg(r == APP_NO, "%s: %s says %d", s->name, app_name(mine[j]), r);
	}
}
END_TEST

/* The first message cut short, then its direction closed: no probe claims it. */
START_TEST(test_sample_truncated)
{
	const struct sample *s = &samples[_i];
	int dir = s->steps[0].dir;

	for (size_t k = 1; k < s->steps[0].m.n; k++) {
		const struct app_input *in = feed(s, 0, k, 0);

		fd.in.closed[dir] = 1;
		for (size_t j = 0; j < NMINE; j++) {
			enum app_result r = probe(mine[j], in);

			ck_assert_msg(r == APP_NO, "%s: %zu bytes, closed: %s says %d", s->name, k,
			    app_name(mine[j]), r);
		}
	}
}
END_TEST

/* --- other traffic ---------------------------------------------------------- */

static void
ck_all_no(const char *what, const void *c, size_t cn, const void *sv, size_t sn, int closed)
{
	struct app_input in;

	memset(&in, 0, sizeof(in));
	in.data[0] = c;
	in.len[0] = cn;
	in.data[1] = sv;
	in.len[1] = sn;
	in.closed[0] = in.closed[1] = closed;
	in.proto = 6;
	for (size_t j = 0; j < NMINE; j++) {
		enum app_result r = probe(mine[j], &in);

		ck_assert_msg(r == APP_NO, "%s: %s says %d", what, app_name(mine[j]), r);
	}
}

#define ck_text_no(what, c, s)	ck_all_no((what), (c), strlen(c), (s), strlen(s), 0)

static const char http_get[] = "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
    "User-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";

/* Every cut of an HTTP request: none of these probes ever says yes. */
START_TEST(test_http_never_claimed)
{
	static const char *const reqs[] = {
		http_get,
		"POST /api/v1/orders HTTP/1.1\r\nHost: api\r\nContent-Length: 2\r\n\r\n{}",
		"DELETE /items/3 HTTP/1.1\r\nHost: api\r\n\r\n",
		"get /index.html HTTP/1.0\r\n\r\n",
		"SET / HTTP/1.1\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		struct app_input in;

		memset(&in, 0, sizeof(in));
		in.data[0] = (const uint8_t *)reqs[i];
		in.data[1] = (const uint8_t *)"";
		for (size_t k = 0; k <= strlen(reqs[i]); k++) {
			in.len[0] = k;
			for (size_t j = 0; j < NMINE; j++)
				ck_assert_msg(probe(mine[j], &in) != APP_YES, "'%.*s': %s says yes",
				    (int)k, reqs[i], app_name(mine[j]));
		}
		ck_text_no(reqs[i], reqs[i], "");
		ck_text_no(reqs[i], reqs[i], "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	}
	/* HTTP/0.9: a Redis and memcached word, but the answer is HTML. */
	ck_text_no("HTTP/0.9", "GET /\r\n", "<html><body>hello</body></html>\n");
}
END_TEST

START_TEST(test_tls_not_claimed)
{
	static const uint8_t client_hello[] = {
		0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x8a, 0x1f,
		0x4e, 0x90, 0x22, 0x5b, 0xc3, 0x07, 0x61, 0xd0, 0x3e, 0x2f, 0x11, 0x9a, 0x48,
		0x6c, 0x05, 0x77, 0xe1, 0x3b, 0x20, 0x5d, 0x88, 0x14, 0x0a, 0xb6, 0x29, 0x73,
		0x41, 0xef, 0x02, 0x20, 0x13, 0x01, 0x13, 0x02,
	};
	static const uint8_t server_hello[] = { 0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76 };

	/* Never yes; no once the first 16 bytes are in. */
	for (size_t k = 1; k <= sizeof(client_hello); k++)
		for (size_t j = 0; j < NMINE; j++) {
			struct app_input in;
			enum app_result r;

			memset(&in, 0, sizeof(in));
			in.data[0] = client_hello;
			in.len[0] = k;
			in.data[1] = server_hello;
			r = probe(mine[j], &in);
			ck_assert_msg(r == APP_NO || (k < 16 && r == APP_MAYBE), "%zu bytes: %s says %d",
			    k, app_name(mine[j]), r);
		}
	ck_all_no("TLS both ways", client_hello, sizeof(client_hello), server_hello,
	    sizeof(server_hello), 0);
}
END_TEST

/* DNS over TCP (RFC 7766): its length and id are no Kafka size. */
START_TEST(test_dns_tcp_not_claimed)
{
	/* example.com A, recursion desired; and without it, no EDNS (dig +norec +noedns). */
	static const uint8_t rd[] = {
		0x00, 0x28, 0x1f, 0x3a, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00, 0x00, 0x01, 0x00,
		0x01, 0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t norec[] = {
		0x00, 0x1d, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00, 0x00, 0x01, 0x00,
		0x01,
	};

	ck_all_no("DNS query", rd, sizeof(rd), NULL, 0, 0);
	ck_all_no("DNS query, no recursion, no EDNS", norec, sizeof(norec), NULL, 0, 0);
}
END_TEST

/* Random bytes: never yes, and no for all once a few dozen bytes are in. */
START_TEST(test_random_bytes)
{
	static uint8_t c[APP_PROBE_MAX], s[APP_PROBE_MAX];
	uint32_t x = 0x9e3779b9u;
	struct app_info info;
	int done;

	for (int round = 0; round < 400; round++) {
		struct app_input in;
		size_t cn, sn;

		for (size_t i = 0; i < sizeof(c); i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			c[i] = (uint8_t)x;
			s[i] = (uint8_t)(x >> 8);
		}
		cn = 64 + x % 600;
		sn = round % 2 ? 0 : 1 + (x >> 12) % 200;
		memset(&in, 0, sizeof(in));
		in.data[0] = c;
		in.len[0] = round % 3 ? cn : APP_PROBE_MAX;
		in.data[1] = s;
		in.len[1] = sn;
		in.closed[0] = round % 5 == 0;
		for (size_t j = 0; j < NMINE; j++)
			ck_assert_msg(probe(mine[j], &in) == APP_NO, "round %d: %s", round,
			    app_name(mine[j]));
		ck_assert_int_eq(detect(&in, &info, &done), APP_UNKNOWN);
	}
}
END_TEST

START_TEST(test_empty)
{
	struct app_input in;
	struct app_info info;
	int done;

	memset(&in, 0, sizeof(in));	/* no bytes: no buffers either */
	for (size_t j = 0; j < NMINE; j++)
		ck_assert_int_eq(probe(mine[j], &in), APP_MAYBE);
	ck_assert_int_eq(detect(&in, &info, &done), APP_UNKNOWN);
	ck_assert_int_eq(done, 0);
	in.closed[0] = in.closed[1] = 1;
	for (size_t j = 0; j < NMINE; j++)
		ck_assert_int_eq(probe(mine[j], &in), APP_NO);
	ck_assert_int_eq(detect(&in, &info, &done), APP_UNKNOWN);
	ck_assert_int_eq(done, 1);
}
END_TEST

/* --- malformed messages, protocol by protocol ------------------------------- */

/* closed: 1 the client's direction has ended, 2 the server's, 3 both. */
static void
ck_one(enum app_id id, const char *what, const void *c, size_t cn, const void *sv, size_t sn,
    int closed, enum app_result want)
{
	struct app_input in;
	enum app_result r;

	memset(&in, 0, sizeof(in));
	in.data[0] = c;
	in.len[0] = cn;
	in.data[1] = sv;
	in.len[1] = sn;
	in.closed[DIR_TO_SERVER] = (closed & 1) != 0;
	in.closed[DIR_TO_CLIENT] = (closed & 2) != 0;
	in.proto = 6;
	r = probe(id, &in);
	ck_assert_msg(r == want, "%s: %s says %d, want %d", app_name(id), what, r, want);
}

#define ck_no(id, c, s)		ck_one((id), #c, (c), sizeof(c) - 1, (s), sizeof(s) - 1, 0, APP_NO)
#define ck_closed_no(id, c)	ck_one((id), #c, (c), sizeof(c) - 1, "", 0, 1, APP_NO)
#define ck_maybe(id, c, s)	ck_one((id), #c, (c), sizeof(c) - 1, (s), sizeof(s) - 1, 0, APP_MAYBE)

START_TEST(test_ssh_malformed)
{
	char longline[300];

	ck_no(APP_SSH, "SSH-1.5-OpenSSH_3.0\r\n", "");
	ck_no(APP_SSH, "SSH-2.0-\r\n", "");
	ck_no(APP_SSH, "SSH-2.0- spaces\r\n", "");
	ck_no(APP_SSH, "SSH-2.0-a\0b\r\n", "");
	ck_no(APP_SSH, "SSH-2.0-a\rb\r\n", "");
	ck_no(APP_SSH, "hello\r\nSSH-2.0-OpenSSH_9.2\r\n", "");	/* only servers say more */
	ck_no(APP_SSH, "", "220 mail ESMTP\r\n\x01\x02");
	ck_no(APP_SSH, "SSH-2.0-OpenSSH_9.2\r\n", "SSH-2.0-x\0\r\n");
	ck_maybe(APP_SSH, "", "Welcome\r\nSSH-2.0-Open");
	memset(longline, 'a', sizeof(longline));
	memcpy(longline, "SSH-2.0-", 8);
	ck_one(APP_SSH, "a 300-byte banner", longline, sizeof(longline), "", 0, 0, APP_NO);
	ck_one(APP_SSH, "a 250-byte banner line so far", longline, 250, "", 0, 0, APP_MAYBE);
	ck_closed_no(APP_SSH, "SSH-2.0-OpenSSH_9.2");
}
END_TEST

START_TEST(test_postgresql_malformed)
{
	ck_no(APP_POSTGRESQL, "\0\0\0\x08\x04\xd2\x16\x2f", "X");	/* SSL answered X */
	ck_no(APP_POSTGRESQL, "\0\0\0\x09\x04\xd2\x16\x2f\0", "");	/* SSLRequest of 9 */
	ck_no(APP_POSTGRESQL, "\0\0\0\x10\x04\xd2\x16\x2f", "");
	ck_no(APP_POSTGRESQL, "\x7f\xff\xff\xff\0\x03\0\0", "");	/* 2 GB */
	ck_no(APP_POSTGRESQL, "\0\0\x30\0\0\x03\0\0", "");		/* over 10000 */
	ck_no(APP_POSTGRESQL, "\0\0\0\x0d\0\x02\0\0user\0", "");	/* protocol 2 */
	/* The length ends before the final NUL, or after it. */
	ck_no(APP_POSTGRESQL, "\0\0\0\x10\0\x03\0\0user\0ab\0", "");
	ck_no(APP_POSTGRESQL, "\0\0\0\x14\0\x03\0\0user\0ab\0\0\0\0", "");
	ck_no(APP_POSTGRESQL, "\0\0\0\x12\0\x03\0\0us\ter\0a\0\0", "");	/* key with a tab */
	ck_closed_no(APP_POSTGRESQL, "\0\0\0\x40\0\x03\0\0user\0ab\0\0");	/* past the end */
	ck_no(APP_POSTGRESQL, "\0\0\0\x12\0\x03\0\0user\0ab\0\0", "S");	/* odd answer */
	ck_no(APP_POSTGRESQL, "", "R");				/* the server first */
	/* Data after the SSLRequest before the server's answer. */
	ck_no(APP_POSTGRESQL, "\0\0\0\x08\x04\xd2\x16\x2f\x16\x03", "");
	ck_maybe(APP_POSTGRESQL, "\0\0\0\x08\x04\xd2\x16\x2f", "");
	ck_maybe(APP_POSTGRESQL, "\0\0\0\x12\0\x03\0\0user\0", "");
}
END_TEST

START_TEST(test_mysql_malformed)
{
	struct buf b = { .n = 0 };

	my_greeting(&b, "8.0.35", 0xffff, 0xdfff, "caching_sha2_password");
	ck_one(APP_MYSQL, "greeting", "", 0, b.b, b.n, 0, APP_MAYBE);
	ck_one(APP_MYSQL, "client first", "\x05\0\0\0\x03", 5, b.b, 0, 0, APP_NO);
	ck_one(APP_MYSQL, "client before the greeting is whole", "\x05", 1, b.b, 20, 0, APP_NO);
	ck_one(APP_MYSQL, "client packet sequence 0", "\x01\0\0\0\x01", 5, b.b, b.n, 0, APP_NO);
	b.b[4] = 9;						/* protocol 9 */
	ck_one(APP_MYSQL, "protocol 9", "", 0, b.b, b.n, 0, APP_NO);
	b.b[4] = 10;
	b.b[3] = 1;						/* sequence 1 */
	ck_one(APP_MYSQL, "sequence 1", "", 0, b.b, b.n, 0, APP_NO);
	b.b[3] = 0;
	b.b[0] = 0xff, b.b[1] = 0xff, b.b[2] = 0xff;
	ck_one(APP_MYSQL, "16 MB greeting", "", 0, b.b, b.n, 0, APP_NO);
	b.b[0] = 20, b.b[1] = 0, b.b[2] = 0;		/* ends inside the version's fields */
	ck_one(APP_MYSQL, "short greeting", "", 0, b.b, b.n, 0, APP_NO);
	b.b[0] = 0x4a;
	b.b[5] = 0x01;						/* a control byte in the version */
	ck_one(APP_MYSQL, "binary version", "", 0, b.b, b.n, 0, APP_NO);
	ck_no(APP_MYSQL, "", "\x05\0\0\0\xff\x10\x00" "ab");		/* error code 16 */
	ck_no(APP_MYSQL, "", "\x05\0\0\0\xff\x6a\x04\x01\x02");	/* binary message */
	ck_no(APP_MYSQL, "", "220 ");
}
END_TEST

START_TEST(test_redis_malformed)
{
	ck_no(APP_REDIS, "*0\r\n", "");
	ck_no(APP_REDIS, "*1\r\n$0\r\n\r\n", "");
	ck_no(APP_REDIS, "*1\r\n$40\r\n", "");				/* word too long */
	ck_no(APP_REDIS, "*1\r\n$4\r\nPI\r\n\r\n", "");		/* short word */
	ck_no(APP_REDIS, "*1\r\n$4\r\nP1NG\r\n", "");
	ck_no(APP_REDIS, "*1\n$4\nPING\n", "");
	ck_no(APP_REDIS, "*x\r\n", "");
	ck_no(APP_REDIS, "*99999999\r\n", "");
	ck_no(APP_REDIS, "PINGX\r\n", "");
	ck_no(APP_REDIS, "FOO bar\r\n", "");
	ck_no(APP_REDIS, "PING\0\r\n", "");
	ck_no(APP_REDIS, "get foo\r\n", "END\r\n");			/* memcached's answer */
	ck_maybe(APP_REDIS, "quit\r\n", "");
	ck_one(APP_REDIS, "quit, server closes", "quit\r\n", 6, "", 0, 2, APP_NO);
	ck_no(APP_REDIS, "*1\r\n$4\r\nPING\r\n", "HTTP/1.1 400 Bad Request\r\n");
	ck_no(APP_REDIS, "", "+OK\r\n");				/* the server first */
	ck_no(APP_REDIS, "*2\r\n$3\r\nGET\r\n$3\r\nfo", "$-1\r\n");	/* answered too early */
	ck_closed_no(APP_REDIS, "*2\r\n$3\r\nGET\r\n$3\r\nfo");
	ck_closed_no(APP_REDIS, "*2\r\n$3\r\nGET\r\n$300\r\nfoo\r\n");
	ck_maybe(APP_REDIS, "get foo\r\n", "");
	ck_maybe(APP_REDIS, "*1\r\n$4\r\nPI", "");
}
END_TEST

START_TEST(test_mongodb_malformed)
{
	const struct sample *s = NULL;
	struct buf b;

	for (size_t i = 0; i < nsamples; i++)
		if (s == NULL && samples[i].id == APP_MONGODB && samples[i].steps[0].m.b[12] == 0xdd)
			s = &samples[i];	/* hello in OP_MSG */
	ck_assert_ptr_nonnull(s);
	b = s->steps[0].m;
	ck_one(APP_MONGODB, "hello", b.b, b.n, "", 0, 0, APP_YES);
	set_le(&b, 0, 12, 4);
	ck_one(APP_MONGODB, "length 12", b.b, b.n, "", 0, 0, APP_NO);
	set_le(&b, 0, 60000000, 4);
	ck_one(APP_MONGODB, "length 60 MB", b.b, b.n, "", 0, 0, APP_NO);
	set_le(&b, 0, b.n + 100, 4);
	ck_one(APP_MONGODB, "length past the end, closed", b.b, b.n, "", 0, 1, APP_NO);
	b = s->steps[0].m;
	set_le(&b, 8, 5, 4);
	ck_one(APP_MONGODB, "responseTo 5", b.b, b.n, "", 0, 0, APP_NO);
	b = s->steps[0].m;
	set_le(&b, 12, 2001, 4);
	ck_one(APP_MONGODB, "OP_UPDATE", b.b, b.n, "", 0, 0, APP_NO);
	b = s->steps[0].m;
	set_le(&b, 16, 4, 4);
	ck_one(APP_MONGODB, "an unknown flag", b.b, b.n, "", 0, 0, APP_NO);
	b = s->steps[0].m;
	b.b[20] = 1;
	ck_one(APP_MONGODB, "a document sequence first", b.b, b.n, "", 0, 0, APP_NO);
	b = s->steps[0].m;
	set_le(&b, 21, b.n, 4);
	ck_one(APP_MONGODB, "a document past the message", b.b, b.n, "", 0, 0, APP_NO);
	b = s->steps[0].m;
	b.b[25] = 0x42;
	ck_one(APP_MONGODB, "an unknown BSON type", b.b, b.n, "", 0, 0, APP_NO);
	b = s->steps[0].m;
	b.b[b.n - 1] = 1;
	ck_one(APP_MONGODB, "no document terminator", b.b, b.n, "", 0, 0, APP_NO);
	b = s->steps[0].m;
	ck_one(APP_MONGODB, "a reply to another request", b.b, b.n,
	    "\x30\0\0\0\x09\0\0\0\x63\0\0\0\xdd\x07\0\0", 16, 0, APP_NO);
	ck_one(APP_MONGODB, "the server first", "", 0, b.b, b.n, 0, APP_NO);
}
END_TEST

START_TEST(test_kafka_malformed)
{
	/* ApiVersions v0, client_id "x": 11 bytes after the size. */
	ck_one(APP_KAFKA, "ApiVersions v0", "\0\0\0\x0b\0\x12\0\0\0\0\0\x01\0\x01x", 15, "", 0, 0,
	    APP_YES);
	ck_no(APP_KAFKA, "\0\0\0\x05\0\x12\0\0\0\0\0\x01\0\x01x", "");	/* size 5 */
	ck_no(APP_KAFKA, "\x10\0\0\x0b\0\x12\0\0\0\0\0\x01\0\x01x", "");	/* 256 MB */
	ck_no(APP_KAFKA, "\0\0\0\x0b\0\xc8\0\0\0\0\0\x01\0\x01x", "");	/* api key 200 */
	ck_no(APP_KAFKA, "\0\0\0\x0b\x01\x12\0\0\0\0\0\x01\0\x01x", "");
	ck_no(APP_KAFKA, "\0\0\0\x0b\0\x12\0\x63\0\0\0\x01\0\x01x", "");	/* version 99 */
	ck_no(APP_KAFKA, "\0\0\0\x0b\0\x12\0\0\x80\0\0\x01\0\x01x", "");	/* negative id */
	ck_no(APP_KAFKA, "\0\0\0\x0b\0\x12\0\0\0\0\0\x01\0\x09xxxxxxxxx", "");	/* id past size */
	ck_no(APP_KAFKA, "\0\0\0\x0b\0\x12\0\0\0\0\0\x01\0\x01\x01", "");	/* binary id */
	ck_closed_no(APP_KAFKA, "\0\0\0\x20\0\x12\0\0\0\0\0\x01\0\x01x");	/* past the end */
	ck_no(APP_KAFKA, "\0\0\0\x0b\0\x12\0\0\0\0\0\x01\0\x01x", "\0\0\0\x08\0\0\0\x02");
	ck_no(APP_KAFKA, "\0\0\0\x0b\0\x12\0\0\0\0\0\x01", "\0\0\0\x08\0\0\0\x01");
	ck_no(APP_KAFKA, "", "\0\0\0\x08\0\0\0\x01");
	ck_maybe(APP_KAFKA, "\0\0\0\x0b\0\x12\0\0\0\0\0\x01\0\x01", "");
}
END_TEST

START_TEST(test_smtp_ftp_malformed)
{
	static const char postfix[] = "220 mail.example.com ESMTP Postfix\r\n";
	static const char vsftpd[] = "220 (vsFTPd 3.0.3)\r\n";
	static const char bare[] = "220 host.example.com\r\n";

	ck_no(APP_SMTP, "EHLO me\r\n", "");				/* the client first */
	ck_no(APP_FTP, "USER me\r\n", "");
	ck_no(APP_SMTP, "EHLO me\r\n", "220-mail.example.com ESMTP\r\n");	/* too early */
	ck_no(APP_SMTP, "", "554 5.7.1 No SMTP service here\r\n");
	ck_no(APP_FTP, "", "421 Too many connections\r\n");
	ck_no(APP_SMTP, "", "220 mail\0\r\n");
	ck_no(APP_SMTP, "USER me\r\n", postfix);			/* an FTP command */
	ck_no(APP_FTP, "EHLO me\r\n", vsftpd);				/* an SMTP command */
	ck_no(APP_SMTP, "GET / HTTP/1.1\r\n", postfix);
	ck_no(APP_FTP, "GET / HTTP/1.1\r\n", vsftpd);
	ck_no(APP_SMTP, "EHLOX\r\n", postfix);
	/* QUIT decides by the greeting; nothing to go by is unknown. */
	ck_no(APP_SMTP, "QUIT\r\n", vsftpd);
	ck_no(APP_FTP, "QUIT\r\n", postfix);
	ck_no(APP_SMTP, "QUIT\r\n", bare);
	ck_no(APP_FTP, "QUIT\r\n", bare);
	ck_one(APP_FTP, "ftp quit", "QUIT\r\n", 6, vsftpd, sizeof(vsftpd) - 1, 0, APP_YES);
	/* Only a greeting: both wait; a client leaving decides by the greeting. */
	ck_maybe(APP_SMTP, "", bare);
	ck_maybe(APP_FTP, "", bare);
	ck_one(APP_SMTP, "bare, closed", "", 0, bare, sizeof(bare) - 1, 1, APP_NO);
	ck_one(APP_FTP, "bare, closed", "", 0, bare, sizeof(bare) - 1, 1, APP_NO);
	ck_one(APP_FTP, "vsftpd, closed", "", 0, vsftpd, sizeof(vsftpd) - 1, 1, APP_YES);
	ck_one(APP_SMTP, "vsftpd, closed", "", 0, vsftpd, sizeof(vsftpd) - 1, 1, APP_NO);
	ck_one(APP_SMTP, "EHLO cut, closed", "EHLO m", 6, postfix, sizeof(postfix) - 1, 1, APP_NO);
	ck_maybe(APP_SMTP, "EHLO m", postfix);
	ck_maybe(APP_FTP, "US", vsftpd);
	ck_no(APP_FTP, "UX", vsftpd);
}
END_TEST

START_TEST(test_memcached_malformed)
{
	static const char set_line[] = "set foo 0 0 3\r\n";

	ck_no(APP_MEMCACHED, "GET foo\r\n", "");
	ck_no(APP_MEMCACHED, "get\r\n", "");				/* no key */
	ck_no(APP_MEMCACHED, "get / HTTP/1.1\r\n", "");
	ck_no(APP_MEMCACHED, "set foo bar 0 3\r\nabc\r\n", "");	/* flags not a number */
	ck_no(APP_MEMCACHED, "set foo 0 0\r\n", "");			/* no size */
	ck_no(APP_MEMCACHED, "set foo 0 0 3 noreply extra\r\n", "");
	ck_no(APP_MEMCACHED, "set foo 0 0 3\r\nabcd\r\n", "");	/* block too long */
	ck_closed_no(APP_MEMCACHED, "set foo 0 0 3\r\nab");		/* cut short */
	ck_no(APP_MEMCACHED, "set foo 0 0 3\r\nab", "STORED\r\n");	/* answered too early */
	ck_no(APP_MEMCACHED, "version\r\n", "+PONG\r\n");		/* Redis answers */
	ck_no(APP_MEMCACHED, "incr hits\r\n", "");
	ck_no(APP_MEMCACHED, "stats\x01\r\n", "");
	ck_no(APP_MEMCACHED, "", "VERSION 1.6\r\n");			/* the server first */
	ck_one(APP_MEMCACHED, "set line", set_line, sizeof(set_line) - 1, "", 0, 0, APP_YES);
	/* Binary: key length past the body, extras of get, unknown opcode. */
	ck_no(APP_MEMCACHED, "\x80\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x03"
	    "\0\0\0\0\0\0\0\0\0\0\0\0foo", "");
	ck_no(APP_MEMCACHED, "\x80\x00\x00\x03\x08\x00\x00\x00\x00\x00\x00\x0b"
	    "\0\0\0\0\0\0\0\0\0\0\0\0", "");
	ck_no(APP_MEMCACHED, "\x80\x7e", "");
	ck_no(APP_MEMCACHED, "\x80\x0a\x00\x00\x00\x01", "");		/* a data type */
	ck_closed_no(APP_MEMCACHED, "\x80\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x03"
	    "\0\0\0\0\0\0\0\0\0\0\0\0fo");
}
END_TEST

static Suite *
proto_db_suite(void)
{
	Suite *s = suite_create("proto_db");
	TCase *tc;

	tc = tcase_create("samples");
	tcase_set_timeout(tc, 60);	/* every cut of every sample, slow under sanitizers */
	tcase_add_loop_test(tc, test_sample_detected, 0, (int)nsamples);
	tcase_add_loop_test(tc, test_sample_every_cut, 0, (int)nsamples);
	tcase_add_loop_test(tc, test_sample_others_say_no, 0, (int)nsamples);
	tcase_add_loop_test(tc, test_sample_truncated, 0, (int)nsamples);
	suite_add_tcase(s, tc);

	tc = tcase_create("other traffic");
	tcase_add_test(tc, test_http_never_claimed);
	tcase_add_test(tc, test_tls_not_claimed);
	tcase_add_test(tc, test_dns_tcp_not_claimed);
	tcase_add_test(tc, test_random_bytes);
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_test(tc, test_ssh_malformed);
	tcase_add_test(tc, test_postgresql_malformed);
	tcase_add_test(tc, test_mysql_malformed);
	tcase_add_test(tc, test_redis_malformed);
	tcase_add_test(tc, test_mongodb_malformed);
	tcase_add_test(tc, test_kafka_malformed);
	tcase_add_test(tc, test_smtp_ftp_malformed);
	tcase_add_test(tc, test_memcached_malformed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	build_samples();
	sr = srunner_create(proto_db_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
