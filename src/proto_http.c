/* PLACEHOLDER (uncommitted): the helper that owns this file replaces it. */
#include "config.h"

#include "app.h"

static enum app_result
http_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_http = {
	.id = APP_HTTP,
	.name = "HTTP",
	.word = "http",
	.hint_ports = { 80, 8080, 8000 },
	.probe = http_probe,
};
