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

#include "proto/app.h"
#include "proto/probe.h"
#include "proto/proto_h2.h"
#include "proto/proto_http.h"

/* The h2c upgrade, decided as proto_http.c decides it, the other way round. */
static enum app_result
upgrade(const struct app_input *in, struct app_info *info)
{
	struct http1_head h;
	enum app_result r;
	int status;

	if ((r = http1_exchange(in, &h, &status)) != APP_YES)
		return r;
	if (!h.h2c || (status != 101 && (status != 0 || in->closed[1])))
		return APP_NO;
	if (status == 0)
		return APP_MAYBE;	/* the server has not answered yet */
	http1_head_info(&h, "2", info);
	return APP_YES;
}

static enum app_result
http2_probe(const struct app_input *in, struct app_info *info)
{
	enum app_result r;

	if ((r = probe_client_first(in)) != APP_YES)
		return r;
	/* No method begins with "PRI": one of the two says no. */
	if ((r = upgrade(in, info)) != APP_NO)
		return r;
	return h2_prior_knowledge(in, 0, info);
}

const struct app_ops proto_http2 = {
	.id = APP_HTTP2,
	.name = "HTTP/2",
	.word = "http2",
	.hint_ports = { 80, 8080 },
	.probe = http2_probe,
};
