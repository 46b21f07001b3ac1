/* PLACEHOLDER (uncommitted): the helper that owns this file replaces it. */
#include "config.h"

#include "app.h"

static enum app_result
tls_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_tls = {
	.id = APP_TLS,
	.name = "TLS",
	.word = "tls",
	.hint_ports = { 443, 8443, 993, 465 },
	.probe = tls_probe,
};
