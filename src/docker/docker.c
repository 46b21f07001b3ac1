#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/bytes.h"
#include "docker/docker.h"
#include "base/io.h"

/* Where a response is: lines first, then the body in one of three framings. */
enum {
	ST_STATUS = 0,
	ST_HEADER,
	ST_BODY,	/* Content-Length bytes */
	ST_BODY_EOF,	/* until the peer closes */
	ST_CHUNK_SIZE,
	ST_CHUNK_DATA,
	ST_CHUNK_END,	/* the CRLF after a chunk's data */
	ST_TRAILER,
	ST_DONE,
	ST_ERROR,
};

static int __attribute__((format(printf, 3, 4)))
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int __attribute__((format(printf, 2, 3)))
resp_fail(struct docker_resp *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	r->state = ST_ERROR;
	return -1;
}

void
docker_resp_init(struct docker_resp *r, int events)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
	r->events = events;
	r->state = ST_STATUS;
}

void
docker_resp_free(struct docker_resp *r)
{
	buf_free(&r->body);
}

int
docker_resp_done(const struct docker_resp *r)
{
	return r->state == ST_DONE;
}

static int
in_header(const struct docker_resp *r)
{
	return r->state == ST_STATUS || r->state == ST_HEADER || r->state == ST_TRAILER;
}

/* RFC 9110 section 5.6.2: token characters. */
static int
tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 9112 section 4: HTTP-version SP 3DIGIT SP [reason-phrase]. */
static int
parse_status(struct docker_resp *r, const char *s, size_t n)
{
	int i, status = 0;

	if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') ||
	    s[8] != ' ' || (n > 12 && s[12] != ' '))
		return resp_fail(r, "malformed status line");
	for (i = 9; i < 12; i++) {
		if (s[i] < '0' || s[i] > '9')
			return resp_fail(r, "malformed status line");
		status = status * 10 + (s[i] - '0');
	}
	if (status < 100)
		return resp_fail(r, "malformed status line");
	if (status < 200)
		return resp_fail(r, "unexpected status %d", status);
	r->status = status;
	r->state = ST_HEADER;
	return 0;
}

static int
set_length(struct docker_resp *r, const char *v)
{
	uint64_t len = 0;
	const char *p;

	for (p = v; *p >= '0' && *p <= '9'; p++) {
		if (len > (UINT64_MAX - 9) / 10)
			return resp_fail(r, "invalid Content-Length");
		len = len * 10 + (uint64_t)(*p - '0');
	}
	if (p == v || *p != '\0')
		return resp_fail(r, "invalid Content-Length");
	if (r->has_length && r->length != len)
		return resp_fail(r, "conflicting Content-Length");
	r->has_length = 1;
	r->length = len;
	return 0;
}

/* The blank line after the headers: choose the body framing (RFC 9112 6.3). */
static int
headers_end(struct docker_resp *r)
{
	if (r->events && r->status != 200)
		return resp_fail(r, "HTTP status %d", r->status);
	if (r->status == 204 || r->status == 304)
		r->state = ST_DONE;
	else if (r->chunked)
		r->state = ST_CHUNK_SIZE;
	else if (r->has_length) {
		if (!r->events && r->length > DOCKER_MAX_BODY)
			return resp_fail(r, "body larger than %u bytes", DOCKER_MAX_BODY);
		r->left = r->length;
		r->state = r->left ? ST_BODY : ST_DONE;
	} else
		r->state = ST_BODY_EOF;
	return 0;
}

static int
name_is(const char *name, size_t nlen, const char *want)
{
	return nlen == strlen(want) && strncasecmp(name, want, nlen) == 0;
}

static int
parse_header(struct docker_resp *r, char *s, size_t n)
{
	char *colon, *v, *end = s + n;
	size_t nlen;

	if (n == 0)
		return headers_end(r);
	if (*s == ' ' || *s == '\t')
		return resp_fail(r, "obsolete line folding in header");
	colon = memchr(s, ':', n);
	if (colon == NULL || colon == s)
		return resp_fail(r, "malformed header line");
	nlen = (size_t)(colon - s);
	for (v = s; v < colon; v++)
		if (!tchar((unsigned char)*v))
			return resp_fail(r, "malformed header line");
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	if (name_is(s, nlen, "Content-Length"))
		return set_length(r, v);
	if (name_is(s, nlen, "Transfer-Encoding")) {
		if (strcasecmp(v, "chunked") != 0)
			return resp_fail(r, "unsupported Transfer-Encoding '%.32s'", v);
		r->chunked = 1;
	}
	return 0;
}

/* RFC 9112 section 7.1: chunk-size [ chunk-ext ] CRLF; extensions ignored. */
static int
parse_chunk_size(struct docker_resp *r, const char *s, size_t n)
{
	uint64_t size = 0;
	size_t i;
	int d;

	for (i = 0; i < n && (d = hexval((unsigned char)s[i])) >= 0; i++) {
		size = size * 16 + (uint64_t)d;
		if (size > DOCKER_MAX_BODY)
			return resp_fail(r, "chunk size too large");
	}
	if (i == 0)
		return resp_fail(r, "malformed chunk size");
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] != ';')
		return resp_fail(r, "malformed chunk size");
	r->left = size;
	r->state = size ? ST_CHUNK_DATA : ST_TRAILER;
	return 0;
}

static int
line_done(struct docker_resp *r)
{
	size_t n = r->line_len, i;

	r->line_len = 0;
	if (n > 0 && r->line[n - 1] == '\r')
		n--;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)r->line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return resp_fail(r, "control character in %s line",
			    in_header(r) ? "header" : "chunk");
	}
	r->line[n] = '\0';
	switch (r->state) {
	case ST_STATUS:
		return parse_status(r, r->line, n);
	case ST_HEADER:
		return parse_header(r, r->line, n);
	case ST_CHUNK_SIZE:
		return parse_chunk_size(r, r->line, n);
	case ST_CHUNK_END:
		if (n != 0)
			return resp_fail(r, "expected CRLF after chunk data");
		r->state = ST_CHUNK_SIZE;
		return 0;
	default:	/* ST_TRAILER: trailer fields are not used */
		if (n == 0)
			r->state = ST_DONE;
		return 0;
	}
}

/*
 * Collects one line; returns the bytes consumed or -1.  Of the two limits,
 * the one the earlier byte crosses is reported, so the error does not
 * depend on how the bytes were cut into pieces.
 */
static ssize_t
line_step(struct docker_resp *r, const char *data, size_t len)
{
	const char *nl = memchr(data, '\n', len);
	size_t n = nl ? (size_t)(nl - data) : len, used = n + (nl != NULL);
	size_t line_room = DOCKER_MAX_LINE - r->line_len;
	size_t head_room = in_header(r) ? DOCKER_MAX_HEADER - r->header_len : SIZE_MAX;

	if (n > line_room && line_room <= head_room)
		return resp_fail(r, "%s line longer than %d bytes",
		    in_header(r) ? "header" : "chunk", DOCKER_MAX_LINE);
	if (used > head_room)
		return resp_fail(r, "headers longer than %d bytes", DOCKER_MAX_HEADER);
	if (in_header(r))
		r->header_len += used;
	memcpy(r->line + r->line_len, data, n);
	r->line_len += n;
	if (nl != NULL && line_done(r) < 0)
		return -1;
	return (ssize_t)used;
}

static int
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/*
 * Takes body bytes.  In event mode it stops after a newline, and *got says
 * whether that ended a (non-blank) event.  Returns bytes consumed or -1.
 */
static ssize_t
body_take(struct docker_resp *r, const char *data, size_t n, int *got)
{
	const char *nl = NULL;

	if (!r->events) {
		if (n > DOCKER_MAX_BODY - r->body.len)
			return resp_fail(r, "body larger than %u bytes", DOCKER_MAX_BODY);
	} else {
		if ((nl = memchr(data, '\n', n)) != NULL)
			n = (size_t)(nl - data) + 1;
		if (n > DOCKER_MAX_EVENT - r->body.len)
			return resp_fail(r, "event longer than %d bytes", DOCKER_MAX_EVENT);
	}
	buf_append(&r->body, data, n);
	if (buf_failed(&r->body))
		return resp_fail(r, "out of memory");
	if (nl != NULL) {
		if (blank(r->body.data, r->body.len))
			buf_reset(&r->body);
		else
			*got = 1;
	}
	return (ssize_t)n;
}

static ssize_t
body_step(struct docker_resp *r, const char *data, size_t len, int *got)
{
	ssize_t n;

	if (r->state != ST_BODY_EOF && len > r->left)
		len = (size_t)r->left;
	if ((n = body_take(r, data, len, got)) < 0)
		return -1;
	if (r->state != ST_BODY_EOF) {
		r->left -= (uint64_t)n;
		if (r->left == 0)
			r->state = r->state == ST_BODY ? ST_DONE : ST_CHUNK_END;
	}
	return n;
}

/* Consumes bytes until they run out or an event is complete. */
static ssize_t
resp_step(struct docker_resp *r, const char *data, size_t len, int *got)
{
	size_t off = 0;
	ssize_t n;

	*got = 0;
	if (r->state == ST_ERROR)
		return -1;
	while (off < len && !*got) {
		switch (r->state) {
		case ST_DONE:
			return resp_fail(r, "data after the end of the response");
		case ST_BODY:
		case ST_BODY_EOF:
		case ST_CHUNK_DATA:
			n = body_step(r, data + off, len - off, got);
			break;
		default:
			n = line_step(r, data + off, len - off);
		}
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	return (ssize_t)off;
}

int
docker_resp_feed(struct docker_resp *r, const char *data, size_t len)
{
	int got;

	return resp_step(r, data, len, &got) < 0 ? -1 : 0;
}

int
docker_resp_eof(struct docker_resp *r)
{
	if (r->state == ST_ERROR)
		return -1;
	if (r->state == ST_BODY_EOF)
		r->state = ST_DONE;
	if (r->state != ST_DONE)
		return resp_fail(r, "connection closed before the end of the response");
	return 0;
}

ssize_t
docker_events_feed(struct docker_resp *r, const char *data, size_t len,
    const char **event, size_t *event_len)
{
	ssize_t n;
	size_t elen;
	int got;

	*event = NULL;
	*event_len = 0;
	if (r->event_ready) {
		buf_reset(&r->body);
		r->event_ready = 0;
	}
	if ((n = resp_step(r, data, len, &got)) < 0)
		return -1;
	if (got) {
		elen = r->body.len;
		while (elen > 0 && blank(r->body.data + elen - 1, 1))
			elen--;
		r->body.data[elen] = '\0';
		r->event_ready = 1;
		*event = r->body.data;
		*event_len = elen;
	}
	return n;
}

/* --- requests ------------------------------------------------------------ */

static int __attribute__((format(printf, 3, 4)))
req_format(char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, outlen, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

int
docker_req_list(char *out, size_t outlen)
{
	return req_format(out, outlen, "GET " DOCKER_API "/containers/json HTTP/1.1\r\n"
	    "Host: docker\r\nConnection: close\r\n\r\n");
}

static int
alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Docker's own rule for names, also met by ids; keeps the path plain. */
static int
valid_ref(const char *s)
{
	size_t i;

	if (!alnum((unsigned char)s[0]))
		return 0;
	for (i = 1; s[i]; i++)
		if (i >= 128 || !(alnum((unsigned char)s[i]) || strchr("_.-", s[i])))
			return 0;
	return 1;
}

int
docker_req_inspect(char *out, size_t outlen, const char *id)
{
	if (!valid_ref(id))
		return -1;
	return req_format(out, outlen, "GET " DOCKER_API "/containers/%s/json HTTP/1.1\r\n"
	    "Host: docker\r\nConnection: close\r\n\r\n", id);
}

/* An image id as inspect gives it: "sha256:" and 64 lowercase hex digits. */
static int
valid_image_id(const char *s)
{
	size_t i;

	if (strncmp(s, "sha256:", 7) != 0)
		return 0;
	for (i = 7; s[i]; i++)
		if (i >= 7 + DOCKER_ID_LEN || !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 7 + DOCKER_ID_LEN;
}

int
docker_req_image(char *out, size_t outlen, const char *id)
{
	if (!valid_image_id(id))
		return -1;
	return req_format(out, outlen, "GET " DOCKER_API "/images/%s/json HTTP/1.1\r\n"
	    "Host: docker\r\nConnection: close\r\n\r\n", id);
}

int
docker_req_networks(char *out, size_t outlen)
{
	return req_format(out, outlen, "GET " DOCKER_API "/networks HTTP/1.1\r\n"
	    "Host: docker\r\nConnection: close\r\n\r\n");
}

int
docker_req_version(char *out, size_t outlen)
{
	return req_format(out, outlen, "GET " DOCKER_API "/version HTTP/1.1\r\n"
	    "Host: docker\r\nConnection: close\r\n\r\n");
}

/* RFC 3986 section 2: everything but unreserved characters as %XX. */
static void
url_encode(char *out, size_t outlen, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s && o + 4 <= outlen; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c)) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

int
docker_req_events(char *out, size_t outlen)
{
	char filters[128];

	url_encode(filters, sizeof(filters), "{\"type\":[\"container\",\"network\"]}");
	return req_format(out, outlen, "GET " DOCKER_API "/events?filters=%s HTTP/1.1\r\n"
	    "Host: docker\r\n\r\n", filters);
}

/* --- socket I/O ------------------------------------------------------------ */

static int
sys_err(char *err, size_t errlen, const char *what)
{
	char ebuf[128];

	return errf(err, errlen, "%s: %s", what, strerror_r(errno, ebuf, sizeof(ebuf)));
}

/*
 * A unix connect waits while the listener's backlog is full; SO_SNDTIMEO
 * bounds that wait and every write after it.
 */
static int
unix_connect(const char *path, char *err, size_t errlen)
{
	struct timeval tv = { DOCKER_TIMEOUT_MS / 1000, (DOCKER_TIMEOUT_MS % 1000) * 1000 };
	struct sockaddr_un sun;
	char what[160];
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return errf(err, errlen, "socket path too long: %s", path);
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return sys_err(err, errlen, "socket");
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		sys_err(err, errlen, "setsockopt");
		goto fail;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		snprintf(what, sizeof(what), "connect to %s", path);
		sys_err(err, errlen, what);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* Reads until r is done, the peer closes, or the deadline passes. */
static int
read_response(int fd, struct docker_resp *r, long long deadline, char *err, size_t errlen)
{
	char chunk[16384];
	struct pollfd pfd;
	long long left;
	ssize_t n;
	int pr;

	while (!docker_resp_done(r)) {
		if ((left = deadline - clock_mono_ms()) <= 0)
			return errf(err, errlen, "no complete response within %d ms", DOCKER_TIMEOUT_MS);
		pfd.fd = fd;
		pfd.events = POLLIN;
		if ((pr = poll(&pfd, 1, (int)left)) < 0 && errno != EINTR)
			return sys_err(err, errlen, "poll");
		if (pr <= 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return sys_err(err, errlen, "read");
		if (n == 0)
			return docker_resp_eof(r) < 0 ? errf(err, errlen, "%s", r->err) : 0;
		if (docker_resp_feed(r, chunk, (size_t)n) < 0)
			return errf(err, errlen, "%s", r->err);
	}
	return 0;
}

/* "HTTP 404: <Docker's message>" for a response that is not a 200. */
static int
status_err(const struct docker_resp *r, char *err, size_t errlen)
{
	struct json_error jerr;
	struct json_doc *doc;
	const char *msg;

	doc = json_parse(r->body.data, r->body.len, NULL, &jerr);
	msg = json_str(json_get(json_root(doc), "message"));
	if (msg != NULL)
		errf(err, errlen, "HTTP %d: %s", r->status, msg);
	else
		errf(err, errlen, "HTTP %d", r->status);
	json_free(doc);
	return -1;
}

int
docker_request(const char *socket_path, const char *request,
    struct buf *body, char *err, size_t errlen)
{
	long long deadline = clock_mono_ms() + DOCKER_TIMEOUT_MS;
	struct docker_resp r;
	int fd, rc = -1;

	if ((fd = unix_connect(socket_path, err, errlen)) < 0)
		return -1;
	docker_resp_init(&r, 0);
	if (io_write_full(fd, request, strlen(request)) < 0) {
		sys_err(err, errlen, "write");
		goto out;
	}
	if (read_response(fd, &r, deadline, err, errlen) < 0)
		goto out;
	if (r.status != 200) {
		status_err(&r, err, errlen);
		goto out;
	}
	buf_free(body);
	*body = r.body;
	buf_init(&r.body);
	rc = 0;
out:
	docker_resp_free(&r);
	close(fd);
	return rc;
}

int
docker_events_open(const char *socket_path, char *err, size_t errlen)
{
	char req[DOCKER_REQ_MAX];
	int fd;

	if (docker_req_events(req, sizeof(req)) < 0)
		return errf(err, errlen, "events request does not fit");
	if ((fd = unix_connect(socket_path, err, errlen)) < 0)
		return -1;
	if (io_write_full(fd, req, strlen(req)) < 0) {
		sys_err(err, errlen, "write");
		close(fd);
		return -1;
	}
	return fd;
}

/* --- documents ------------------------------------------------------------- */

/* Copies a 64-hex-digit id; -1 if n is anything else. */
static int
id_copy(char *dst, const struct json *n)
{
	const char *s = json_str(n);
	size_t i;

	if (s == NULL || json_strlen(n) != DOCKER_ID_LEN)
		return -1;
	for (i = 0; i < DOCKER_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return -1;
	memcpy(dst, s, DOCKER_ID_LEN + 1);
	return 0;
}

/* Copies an optional string (absent or null gives ""). */
static int
str_copy(char *dst, size_t dstlen, const struct json *n, const char *what,
    char *err, size_t errlen)
{
	dst[0] = '\0';
	if (json_type(n) == JSON_ABSENT || json_type(n) == JSON_NULL)
		return 0;
	if (json_str(n) == NULL)
		return errf(err, errlen, "%s is not a string", what);
	if (json_strlen(n) >= dstlen)
		return errf(err, errlen, "%s longer than %zu bytes", what, dstlen - 1);
	memcpy(dst, json_str(n), json_strlen(n) + 1);
	return 0;
}

/* A container name without Docker's leading '/'. */
static int
name_copy(char *dst, const struct json *n, const char *what, char *err, size_t errlen)
{
	const char *s = json_str(n);

	if (s == NULL)
		return errf(err, errlen, "%s is not a string", what);
	if (*s == '/')
		s++;
	if (*s == '\0')
		return errf(err, errlen, "%s is empty", what);
	if (strlen(s) >= DOCKER_NAME_MAX)
		return errf(err, errlen, "%s longer than %d bytes", what, DOCKER_NAME_MAX - 1);
	strcpy(dst, s);
	return 0;
}

int
docker_parse_list(const char *json, size_t len, char (*ids)[DOCKER_ID_LEN + 1],
    size_t max, size_t *count, char *err, size_t errlen)
{
	struct json_error jerr;
	struct json_doc *doc;
	const struct json *root;
	size_t i, n;
	int rc = -1;

	*count = 0;
	if ((doc = json_parse(json, len, NULL, &jerr)) == NULL)
		return errf(err, errlen, "list: %s", jerr.msg);
	root = json_root(doc);
	n = json_len(root);
	if (json_type(root) != JSON_ARRAY)
		errf(err, errlen, "list: not a JSON array");
	else if (n > max)
		errf(err, errlen, "list: more than %zu containers", max);
	else {
		for (i = 0; i < n; i++)
			if (id_copy(ids[i], json_get(json_index(root, i), "Id")) < 0)
				break;
		if (i < n)
			errf(err, errlen, "list: container %zu: Id is not 64 hex digits", i);
		else {
			*count = n;
			rc = 0;
		}
	}
	json_free(doc);
	return rc;
}

/* Where labels_parse() puts a container's or an image's labels. */
struct label_set {
	struct docker_label *labels;	/* DOCKER_MAX_LABELS of them */
	int *nlabels, *dropped;
	char *project, *service;	/* DOCKER_LABEL_VALUE_MAX bytes each */
};

static void
label_add(const struct label_set *ls, const struct json *m)
{
	const char *key = json_key(m), *value = json_str(m);
	struct docker_label *l;

	if (key == NULL || value == NULL || *ls->nlabels == DOCKER_MAX_LABELS ||
	    strlen(key) >= DOCKER_LABEL_KEY_MAX || json_strlen(m) >= DOCKER_LABEL_VALUE_MAX) {
		(*ls->dropped)++;
		return;
	}
	l = &ls->labels[(*ls->nlabels)++];
	strcpy(l->key, key);
	strcpy(l->value, value);
}

/* Config.Labels of a container ("inspect") or an image ("image"). */
static int
labels_parse(const struct label_set *ls, const struct json *labels, const char *doc,
    char *err, size_t errlen)
{
	char what[64];
	size_t i;

	if (json_type(labels) != JSON_ABSENT && json_type(labels) != JSON_NULL &&
	    json_type(labels) != JSON_OBJECT)
		return errf(err, errlen, "%s: Config.Labels is not an object", doc);
	for (i = 0; i < json_len(labels); i++)
		label_add(ls, json_index(labels, i));
	snprintf(what, sizeof(what), "%s: label com.docker.compose.project", doc);
	if (str_copy(ls->project, DOCKER_LABEL_VALUE_MAX, json_get(labels,
	    "com.docker.compose.project"), what, err, errlen) < 0)
		return -1;
	snprintf(what, sizeof(what), "%s: label com.docker.compose.service", doc);
	return str_copy(ls->service, DOCKER_LABEL_VALUE_MAX, json_get(labels,
	    "com.docker.compose.service"), what, err, errlen);
}

/* "02:42:c6:13:00:02" into mac; -1 if it is anything else. */
static int
mac_parse(const char *s, uint8_t *mac)
{
	for (int i = 0; i < 6; i++) {
		int hi = hexval((unsigned char)s[0]), lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);

		if (lo < 0 || s[2] != (i < 5 ? ':' : '\0'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 3;
	}
	return 0;
}

/* Adds the address text in n (absent, null or "" adds nothing) of
 * network net, whose interface has mac (NULL: not known). */
static int
addr_add(struct docker_container *c, int family, const char *net, const uint8_t *mac,
    const struct json *n, const char *field, char *err, size_t errlen)
{
	const char *s = json_str(n);
	uint8_t addr[16];
	struct docker_addr *a;

	if (json_type(n) == JSON_ABSENT || json_type(n) == JSON_NULL || (s && *s == '\0'))
		return 0;
	if (s == NULL || inet_pton(family, s, addr) != 1)
		return errf(err, errlen, "inspect: network %s: bad %s", net, field);
	if (c->naddrs == DOCKER_MAX_ADDRS) {
		c->addrs_dropped++;
		return 0;
	}
	a = &c->addrs[c->naddrs++];
	a->family = family;
	memcpy(a->addr, addr, sizeof(addr));
	strcpy(a->network, net);
	if (mac) {
		a->has_mac = 1;
		memcpy(a->mac, mac, sizeof(a->mac));
	}
	return 0;
}

/* The network's MacAddress into mac: 1, or 0 when it has none. */
static int
net_mac(const char *net, const struct json *n, uint8_t *mac, char *err, size_t errlen)
{
	const char *s = json_str(n);

	if (json_type(n) == JSON_ABSENT || json_type(n) == JSON_NULL || (s && *s == '\0'))
		return 0;
	if (s == NULL || mac_parse(s, mac) < 0)
		return errf(err, errlen, "inspect: network %s: bad MacAddress", net);
	return 1;
}

static int
networks_parse(struct docker_container *c, const struct json *nets, char *err, size_t errlen)
{
	const struct json *m;
	const char *net;
	uint8_t mac[6];
	size_t i;
	int has_mac;

	if (json_type(nets) != JSON_ABSENT && json_type(nets) != JSON_NULL &&
	    json_type(nets) != JSON_OBJECT)
		return errf(err, errlen, "inspect: NetworkSettings.Networks is not an object");
	for (i = 0; i < json_len(nets); i++) {
		m = json_index(nets, i);
		if ((net = json_key(m)) == NULL || *net == '\0' || strlen(net) >= DOCKER_NET_NAME_MAX)
			return errf(err, errlen, "inspect: bad network name");
		if (json_type(m) != JSON_OBJECT)
			return errf(err, errlen, "inspect: network %s is not an object", net);
		if ((has_mac = net_mac(net, json_get(m, "MacAddress"), mac, err, errlen)) < 0)
			return -1;
		if (addr_add(c, AF_INET, net, has_mac ? mac : NULL, json_get(m, "IPAddress"),
		    "IPAddress", err, errlen) < 0 ||
		    addr_add(c, AF_INET6, net, has_mac ? mac : NULL, json_get(m, "GlobalIPv6Address"),
		    "GlobalIPv6Address", err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int
state_parse(struct docker_container *c, const struct json *state, char *err, size_t errlen)
{
	const struct json *pid = json_get(state, "Pid");
	int64_t v = 0;

	c->running = json_bool(json_get(state, "Running")) == 1;
	if (pid != NULL && (json_int64(pid, &v) < 0 || v < 0 || v > INT_MAX))
		return errf(err, errlen, "inspect: State.Pid is not a process id");
	c->pid = (int)v;
	return 0;
}

/* An image id ("sha256:..."); absent or null gives "". */
static int
image_id_copy(char *dst, const struct json *n, const char *what, char *err, size_t errlen)
{
	if (str_copy(dst, DOCKER_IMAGE_ID_MAX, n, what, err, errlen) < 0)
		return -1;
	if (*dst && !valid_image_id(dst))
		return errf(err, errlen, "%s is not an image id", what);
	return 0;
}

static int
container_fill(struct docker_container *c, const struct json *root, char *err, size_t errlen)
{
	const struct label_set ls = { c->labels, &c->nlabels, &c->labels_dropped, c->project,
	    c->service };

	if (json_type(root) != JSON_OBJECT)
		return errf(err, errlen, "inspect: not a JSON object");
	if (id_copy(c->id, json_get(root, "Id")) < 0)
		return errf(err, errlen, "inspect: Id is not 64 hex digits");
	if (name_copy(c->name, json_get(root, "Name"), "inspect: Name", err, errlen) < 0)
		return -1;
	if (str_copy(c->image, sizeof(c->image), json_path(root, "Config", "Image"),
	    "inspect: Config.Image", err, errlen) < 0)
		return -1;
	if (image_id_copy(c->image_id, json_get(root, "Image"), "inspect: Image", err, errlen) < 0)
		return -1;
	if (state_parse(c, json_get(root, "State"), err, errlen) < 0)
		return -1;
	if (labels_parse(&ls, json_path(root, "Config", "Labels"), "inspect", err, errlen) < 0)
		return -1;
	docker_asset_read(&c->asset, root);
	return networks_parse(c, json_path(root, "NetworkSettings", "Networks"), err, errlen);
}

int
docker_parse_container(const char *json, size_t len, struct docker_container *c,
    char *err, size_t errlen)
{
	struct json_error jerr;
	struct json_doc *doc;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((doc = json_parse(json, len, NULL, &jerr)) == NULL)
		return errf(err, errlen, "inspect: %s", jerr.msg);
	rc = container_fill(c, json_root(doc), err, errlen);
	json_free(doc);
	return rc;
}

static int
image_fill(struct docker_image *img, const struct json *root, char *err, size_t errlen)
{
	const struct label_set ls = { img->labels, &img->nlabels, &img->labels_dropped,
	    img->project, img->service };

	if (json_type(root) != JSON_OBJECT)
		return errf(err, errlen, "image: not a JSON object");
	if (image_id_copy(img->id, json_get(root, "Id"), "image: Id", err, errlen) < 0)
		return -1;
	if (img->id[0] == '\0')
		return errf(err, errlen, "image: Id is not an image id");
	return labels_parse(&ls, json_path(root, "Config", "Labels"), "image", err, errlen);
}

int
docker_parse_image(const char *json, size_t len, struct docker_image *img, char *err,
    size_t errlen)
{
	struct json_error jerr;
	struct json_doc *doc;
	int rc;

	memset(img, 0, sizeof(*img));
	if ((doc = json_parse(json, len, NULL, &jerr)) == NULL)
		return errf(err, errlen, "image: %s", jerr.msg);
	rc = image_fill(img, json_root(doc), err, errlen);
	json_free(doc);
	return rc;
}

#define COMPOSE_PREFIX	"com.docker.compose."

static int
image_has(const struct docker_image *img, const struct docker_label *l)
{
	for (int i = 0; i < img->nlabels; i++)
		if (!strcmp(img->labels[i].key, l->key) && !strcmp(img->labels[i].value, l->value))
			return 1;
	return 0;
}

/* The labels that name a compose container's project and service. */
static int
compose_identity(const char *key)
{
	return !strcmp(key, COMPOSE_PREFIX "project") || !strcmp(key, COMPOSE_PREFIX "service");
}

void
docker_labels_own(struct docker_container *c, const struct docker_image *img)
{
	int compose = 0, n = 0;

	if (img == NULL || img->labels_dropped) {
		c->nlabels = 0;
		c->project[0] = c->service[0] = '\0';
		return;
	}
	for (int i = 0; i < c->nlabels; i++)
		if (!strncmp(c->labels[i].key, COMPOSE_PREFIX, strlen(COMPOSE_PREFIX)) &&
		    !image_has(img, &c->labels[i]))
			compose = 1;
	for (int i = 0; i < c->nlabels; i++)
		if (!image_has(img, &c->labels[i]) || (compose && compose_identity(c->labels[i].key)))
			c->labels[n++] = c->labels[i];
	c->nlabels = n;
	if (!compose && !strcmp(c->project, img->project))
		c->project[0] = '\0';
	if (!compose && !strcmp(c->service, img->service))
		c->service[0] = '\0';
}

/* "198.19.0.0/24" or "fd00:19::/64": the address with host bits cleared. */
static int
subnet_read(struct docker_subnet *sn, const char *s)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/'), *p;
	int prefix = 0, max, i;

	if (slash == NULL || slash == s || (size_t)(slash - s) >= sizeof(addr))
		return -1;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	sn->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	max = sn->family == AF_INET ? 32 : 128;
	memset(sn->addr, 0, sizeof(sn->addr));
	if (inet_pton(sn->family, addr, sn->addr) != 1)
		return -1;
	for (p = slash + 1; *p >= '0' && *p <= '9' && prefix <= max; p++)
		prefix = prefix * 10 + (*p - '0');
	if (p == slash + 1 || *p != '\0' || p - slash > 4 || prefix > max)
		return -1;
	sn->prefix = prefix;
	for (i = 0; i < 16; i++) {
		int bits = prefix - i * 8;

		if (bits <= 0)
			sn->addr[i] = 0;
		else if (bits < 8)
			sn->addr[i] &= (uint8_t)(0xff << (8 - bits));
	}
	return 0;
}

/* Adds the subnets of bridge network net (its IPAM.Config entries). */
static int
network_subnets(const struct json *net, struct docker_subnet *subnets, size_t max,
    size_t *n, char *err, size_t errlen)
{
	const struct json *config = json_path(net, "IPAM", "Config"), *sub;
	const char *name = json_str(json_get(net, "Name"));
	size_t i;

	if (name == NULL || *name == '\0' || strlen(name) >= DOCKER_NET_NAME_MAX)
		return errf(err, errlen, "networks: bad network name");
	if (json_type(config) != JSON_ABSENT && json_type(config) != JSON_NULL &&
	    json_type(config) != JSON_ARRAY)
		return errf(err, errlen, "networks: network %s: IPAM.Config is not an array", name);
	for (i = 0; i < json_len(config); i++) {
		sub = json_get(json_index(config, i), "Subnet");
		if (json_type(sub) == JSON_ABSENT || json_type(sub) == JSON_NULL)
			continue;	/* a config entry of another kind */
		if (*n == max)
			return errf(err, errlen, "networks: more than %zu subnets", max);
		if (json_str(sub) == NULL || subnet_read(&subnets[*n], json_str(sub)) < 0)
			return errf(err, errlen, "networks: network %s: bad subnet", name);
		strcpy(subnets[(*n)++].network, name);
	}
	return 0;
}

int
docker_parse_networks(const char *json, size_t len, struct docker_subnet *subnets,
    size_t max, size_t *count, char *err, size_t errlen)
{
	struct json_error jerr;
	struct json_doc *doc;
	const struct json *root, *net;
	const char *driver;
	size_t i, n = 0;
	int rc = 0;

	*count = 0;
	if ((doc = json_parse(json, len, NULL, &jerr)) == NULL)
		return errf(err, errlen, "networks: %s", jerr.msg);
	root = json_root(doc);
	if (json_type(root) != JSON_ARRAY)
		rc = errf(err, errlen, "networks: not a JSON array");
	for (i = 0; rc == 0 && i < json_len(root); i++) {
		net = json_index(root, i);
		if (json_type(net) != JSON_OBJECT) {
			rc = errf(err, errlen, "networks: network %zu is not an object", i);
			break;
		}
		driver = json_str(json_get(net, "Driver"));
		if (driver != NULL && strcmp(driver, "bridge") == 0)
			rc = network_subnets(net, subnets, max, &n, err, errlen);
	}
	json_free(doc);
	if (rc == 0)
		*count = n;
	return rc;
}

static const struct {
	const char *name;
	enum docker_action action;
} container_actions[] = {
	{ "create", DOCKER_ACT_CREATE },
	{ "start", DOCKER_ACT_START },
	{ "restart", DOCKER_ACT_RESTART },
	{ "pause", DOCKER_ACT_PAUSE },
	{ "unpause", DOCKER_ACT_UNPAUSE },
	{ "stop", DOCKER_ACT_STOP },
	{ "die", DOCKER_ACT_DIE },
	{ "destroy", DOCKER_ACT_DESTROY },
	{ "rename", DOCKER_ACT_RENAME },
};

static int
container_event(struct docker_event *ev, const struct json *root, const char *action,
    char *err, size_t errlen)
{
	const struct json *name = json_path(root, "Actor", "Attributes", "name");
	size_t i;

	for (i = 0; i < sizeof(container_actions) / sizeof(container_actions[0]); i++)
		if (strcmp(action, container_actions[i].name) == 0)
			ev->action = container_actions[i].action;
	if (id_copy(ev->id, json_path(root, "Actor", "ID")) < 0)
		return errf(err, errlen, "event: Actor.ID is not 64 hex digits");
	if (name == NULL && ev->action == DOCKER_ACT_RENAME)
		return errf(err, errlen, "event: rename without Actor.Attributes.name");
	if (name != NULL)
		return name_copy(ev->name, name, "event: Actor.Attributes.name", err, errlen);
	return 0;
}

/*
 * A network connect or disconnect names the container in its attributes;
 * any other network event (create, destroy, ...) may change the subnets.
 */
static int
network_event(struct docker_event *ev, const struct json *root, const char *action,
    char *err, size_t errlen)
{
	if (strcmp(action, "connect") == 0)
		ev->action = DOCKER_ACT_CONNECT;
	else if (strcmp(action, "disconnect") == 0)
		ev->action = DOCKER_ACT_DISCONNECT;
	else {
		ev->action = DOCKER_ACT_NETWORK;
		return 0;
	}
	if (id_copy(ev->id, json_path(root, "Actor", "Attributes", "container")) < 0)
		return errf(err, errlen, "event: Actor.Attributes.container is not 64 hex digits");
	return 0;
}

static int
event_fill(struct docker_event *ev, const struct json *root, char *err, size_t errlen)
{
	const struct json *tn = json_get(root, "timeNano");
	const char *type, *action;

	if (json_type(root) != JSON_OBJECT)
		return errf(err, errlen, "event: not a JSON object");
	if ((action = json_str(json_get(root, "Action"))) == NULL)
		return errf(err, errlen, "event: Action is not a string");
	snprintf(ev->action_name, sizeof(ev->action_name), "%s", action);
	if (tn != NULL && json_int64(tn, &ev->time_nano) < 0)
		return errf(err, errlen, "event: timeNano is not an integer");
	type = json_str(json_get(root, "Type"));
	if (type != NULL && strcmp(type, "container") == 0)
		return container_event(ev, root, action, err, errlen);
	if (type != NULL && strcmp(type, "network") == 0)
		return network_event(ev, root, action, err, errlen);
	return 0;
}

int
docker_parse_event(const char *json, size_t len, struct docker_event *ev,
    char *err, size_t errlen)
{
	struct json_error jerr;
	struct json_doc *doc;
	int rc;

	memset(ev, 0, sizeof(*ev));
	if ((doc = json_parse(json, len, NULL, &jerr)) == NULL)
		return errf(err, errlen, "event: %s", jerr.msg);
	rc = event_fill(ev, json_root(doc), err, errlen);
	json_free(doc);
	return rc;
}
