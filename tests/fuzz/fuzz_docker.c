/*
 * fuzz_docker: the HTTP response reader on any bytes, fed whole and in
 * pieces (both must agree), as a whole response and as an event stream,
 * then the inspect (with the assets), image, list, networks, version and
 * event parsers on what it hands out and on the raw bytes, and the labels
 * of a container its image's leave.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docker/docker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct docker_container ct;
static struct docker_image img;
static struct docker_subnet subnets[16];
static struct docker_version ver;

static void
parse_all(const char *text, size_t len)
{
	char ids[8][DOCKER_ID_LEN + 1], err[256];
	struct docker_event ev;
	size_t n;
	int c;

	c = docker_parse_container(text, len, &ct, err, sizeof(err));
	if (c == 0) {
		char t[512];

		/* The assets as the policy keeps them: cut to fit, always ended. */
		docker_asset_ports_text(&ct.asset, t, sizeof(t));
		if (strlen(t) >= sizeof(t))
			abort();
		docker_asset_nets_text(&ct.asset, t, 40);
		if (strlen(t) >= 40)
			abort();
		docker_asset_root(&ct.asset);
	}
	docker_parse_version(text, len, &ver, err, sizeof(err));
	docker_parse_event(text, len, &ev, err, sizeof(err));
	docker_parse_list(text, len, ids, 8, &n, err, sizeof(err));
	/* The document as an image, and as the image of itself. */
	if (docker_parse_image(text, len, &img, err, sizeof(err)) == 0 && c == 0)
		docker_labels_own(&ct, &img);
	docker_parse_networks(text, len, subnets, 16, &n, err, sizeof(err));
}

/* A whole response in pieces of step bytes (0: at once); the body into *out. */
static int
whole(const char *data, size_t size, size_t step, struct buf *out)
{
	struct docker_resp r;
	size_t off, n;
	int rc = 0;

	docker_resp_init(&r, 0);
	for (off = 0; off < size && rc == 0; off += n) {
		n = step && step < size - off ? step : size - off;
		rc = docker_resp_feed(&r, data + off, n);
	}
	if (rc == 0)
		rc = docker_resp_eof(&r);
	if (rc == 0 && r.body.len > 0)
		buf_append(out, r.body.data, r.body.len);
	buf_puts(out, rc == 0 ? "\nok\n" : r.err);
	docker_resp_free(&r);
	return rc;
}

/* The event stream in pieces of step bytes; the events, then the error, into *out. */
static void
stream(const char *data, size_t size, size_t step, struct buf *out, int parse)
{
	struct docker_resp r;
	const char *ev;
	size_t off = 0, left, evlen;
	ssize_t used;

	docker_resp_init(&r, 1);
	while (off < size) {
		left = step && step < size - off ? step : size - off;
		while (left > 0) {
			used = docker_events_feed(&r, data + off, left, &ev, &evlen);
			if (used < 0 || (size_t)used > left)
				goto out;
			if (ev == NULL && (size_t)used != left)
				abort();
			off += (size_t)used;
			left -= (size_t)used;
			if (ev == NULL)
				continue;
			if (strlen(ev) > evlen)
				abort();
			buf_append(out, ev, evlen);
			buf_append(out, "\n", 1);
			if (parse)
				parse_all(ev, evlen);
		}
	}
out:
	buf_puts(out, r.err);
	docker_resp_free(&r);
}

static void
same(struct buf *a, struct buf *b)
{
	if (a->len != b->len || memcmp(a->data, b->data, a->len) != 0)
		abort();
	buf_reset(a);
	buf_reset(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	size_t step = size % 13 + 1;
	struct buf a, b;

	buf_init(&a);
	buf_init(&b);
	if (whole(text, size, 0, &a) == 0)
		parse_all(a.data, a.len - 4);
	whole(text, size, step, &b);
	same(&a, &b);
	stream(text, size, 0, &a, 1);
	stream(text, size, step, &b, 0);
	same(&a, &b);
	parse_all(text, size);
	buf_free(&a);
	buf_free(&b);
	return 0;
}
