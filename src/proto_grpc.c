/* PLACEHOLDER (uncommitted): the helper that owns this file replaces it. */
#include "config.h"

#include "app.h"

static enum app_result
grpc_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_grpc = {
	.id = APP_GRPC,
	.name = "gRPC",
	.word = "grpc",
	.hint_ports = { 50051 },
	.probe = grpc_probe,
};
