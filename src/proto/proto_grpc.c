/*
 * proto_grpc.c: gRPC, that is HTTP/2 whose first request carries
 * content-type application/grpc (gRPC's PROTOCOL-HTTP2.md).  Only prior
 * knowledge is looked at: gRPC does not use the h2c upgrade, and over TLS
 * it is TLS.  APP_MAYBE until the first request's header block is decoded
 * (proto_h2.c), then APP_YES with the path "/package.Service/Method", the
 * :authority and the method, or APP_NO.
 */
#include "config.h"

#include "proto/app.h"
#include "proto/probe.h"
#include "proto/proto_h2.h"

static enum app_result
grpc_probe(const struct app_input *in, struct app_info *info)
{
	enum app_result r;

	if ((r = probe_client_first(in)) != APP_YES)
		return r;
	return h2_prior_knowledge(in, 1, info);
}

const struct app_ops proto_grpc = {
	.id = APP_GRPC,
	.name = "gRPC",
	.word = "grpc",
	.hint_ports = { 50051 },
	.probe = grpc_probe,
};
