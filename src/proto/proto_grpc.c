/*
 * proto_grpc.c: gRPC, that is HTTP/2 whose first request carries
 * content-type application/grpc (gRPC's PROTOCOL-HTTP2.md).  Only prior
 * knowledge is looked at: gRPC does not use the h2c upgrade, and over TLS
 * it is TLS.  APP_MAYBE until the first request's header block is decoded
 * (proto_h2.c), then APP_YES with the path "/package.Service/Method", the
 * :authority and the method, or APP_NO.
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>

#include "proto/app.h"
#include "proto/proto_h2.h"

static enum app_result
grpc_probe(const struct app_input *in, struct app_info *info)
{
	struct h2_request req;
	enum app_result r;

	if (in->proto == IPPROTO_UDP)
		return APP_NO;
	if (in->len[0] == 0)
		return in->len[1] > 0 ? APP_NO : APP_MAYBE;	/* client speaks first */
	if ((r = h2_first_request(in, &req)) != APP_YES)
		return r;
	if (!h2_is_grpc(&req))
		return APP_NO;
	app_copy_text(info->method, sizeof(info->method),
	    (const uint8_t *)req.method, strlen(req.method));
	app_copy_text(info->path, sizeof(info->path),
	    (const uint8_t *)req.path, strlen(req.path));
	app_copy_text(info->host, sizeof(info->host),
	    (const uint8_t *)req.authority, strlen(req.authority));
	app_copy_text(info->version, sizeof(info->version), (const uint8_t *)"2", 1);
	return APP_YES;
}

const struct app_ops proto_grpc = {
	.id = APP_GRPC,
	.name = "gRPC",
	.word = "grpc",
	.hint_ports = { 50051 },
	.probe = grpc_probe,
};
