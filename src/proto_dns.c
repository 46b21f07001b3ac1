/* PLACEHOLDER (uncommitted): the helper that owns this file replaces it. */
#include "config.h"

#include "app.h"

static enum app_result
dns_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_dns = {
	.id = APP_DNS,
	.name = "DNS",
	.word = "dns",
	.hint_ports = { 53, 5353 },
	.probe = dns_probe,
};
