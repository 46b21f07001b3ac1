/* PLACEHOLDER: the real probe replaces this file in a following commit. */
#include "config.h"

#include "app.h"

static enum app_result
redis_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_redis = {
	.id = APP_REDIS,
	.name = "Redis",
	.word = "redis",
	.hint_ports = { 6379 },
	.probe = redis_probe,
};
