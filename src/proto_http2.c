/* PLACEHOLDER (uncommitted): the helper that owns this file replaces it. */
#include "config.h"

#include "app.h"

static enum app_result
http2_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_http2 = {
	.id = APP_HTTP2,
	.name = "HTTP/2",
	.word = "http2",
	.hint_ports = { 80, 8080 },
	.probe = http2_probe,
};
