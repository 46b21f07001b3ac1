/* PLACEHOLDER: the real probe replaces this file in a following commit. */
#include "config.h"

#include "app.h"

static enum app_result
memcached_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_memcached = {
	.id = APP_MEMCACHED,
	.name = "memcached",
	.word = "memcached",
	.hint_ports = { 11211 },
	.probe = memcached_probe,
};
