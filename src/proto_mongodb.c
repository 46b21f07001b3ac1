/* PLACEHOLDER: the real probe replaces this file in a following commit. */
#include "config.h"

#include "app.h"

static enum app_result
mongodb_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_mongodb = {
	.id = APP_MONGODB,
	.name = "MongoDB",
	.word = "mongodb",
	.hint_ports = { 27017 },
	.probe = mongodb_probe,
};
