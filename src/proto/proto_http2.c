/*
 * proto_http2.c: HTTP/2 over cleartext TCP (RFC 9113), opened with prior
 * knowledge (section 3.3) or by an HTTP/1.1 upgrade to h2c (RFC 7540
 * section 3.2).  Over TLS it is TLS, with h2 in the ALPN.
 *
 * Prior knowledge: APP_MAYBE until the first request's header block is
 * decoded, then APP_YES with :method, :path and :authority; but APP_NO
 * when that request is a gRPC call, so that proto_grpc.c has it whichever
 * of the two runs first (a hinted port can put HTTP/2 first).
 * Upgrade: APP_YES when the server answers 101 to a request head carrying
 * Upgrade: h2c and HTTP2-Settings, with that request's method, target and
 * Host; APP_NO when it answers anything else (proto_http.c then says yes).
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>

#include "proto/app.h"
#include "proto/proto_h2.h"
#include "proto/proto_http.h"

static void
fill(struct app_info *info, const uint8_t *method, size_t mlen, const uint8_t *path,
    size_t plen, const uint8_t *host, size_t hlen)
{
	app_copy_text(info->method, sizeof(info->method), method, mlen);
	app_copy_text(info->path, sizeof(info->path), path, plen);
	app_copy_text(info->host, sizeof(info->host), host, hlen);
	app_copy_text(info->version, sizeof(info->version), (const uint8_t *)"2", 1);
}

/* The h2c upgrade, decided as proto_http.c decides it, the other way round. */
static enum app_result
upgrade(const struct app_input *in, struct app_info *info)
{
	struct http1_head h;
	enum app_result r = http1_request(in->data[0], in->len[0], &h);
	int status, ended = in->closed[0] || in->len[0] >= APP_PROBE_MAX;

	if (r == APP_NO || (!h.line_done && ended))
		return APP_NO;
	if (!h.line_done)
		return APP_MAYBE;
	status = http1_status(in->data[1], in->len[1]);
	if (!h.head_done && !ended && !(status > 0 && status != 101))
		return APP_MAYBE;
	if (!h.h2c || (status != 101 && (status != 0 || in->closed[1])))
		return APP_NO;
	if (status == 0)
		return APP_MAYBE;	/* the server has not answered yet */
	fill(info, h.method, h.method_len, h.target, h.target_len, h.host, h.host_len);
	return APP_YES;
}

static enum app_result
http2_probe(const struct app_input *in, struct app_info *info)
{
	struct h2_request req;
	enum app_result r;

	if (in->proto == IPPROTO_UDP)
		return APP_NO;
	if (in->len[0] == 0)
		return in->len[1] > 0 ? APP_NO : APP_MAYBE;	/* client speaks first */
	/* No method begins with "PRI": one of the two says no. */
	if ((r = upgrade(in, info)) != APP_NO)
		return r;
	if ((r = h2_first_request(in, &req)) != APP_YES)
		return r;
	if (h2_is_grpc(&req))
		return APP_NO;
	fill(info, (const uint8_t *)req.method, strlen(req.method),
	    (const uint8_t *)req.path, strlen(req.path),
	    (const uint8_t *)req.authority, strlen(req.authority));
	return APP_YES;
}

const struct app_ops proto_http2 = {
	.id = APP_HTTP2,
	.name = "HTTP/2",
	.word = "http2",
	.hint_ports = { 80, 8080 },
	.probe = http2_probe,
};
