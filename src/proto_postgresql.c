/* PLACEHOLDER: the real probe replaces this file in a following commit. */
#include "config.h"

#include "app.h"

static enum app_result
postgresql_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_postgresql = {
	.id = APP_POSTGRESQL,
	.name = "PostgreSQL",
	.word = "postgresql",
	.hint_ports = { 5432 },
	.probe = postgresql_probe,
};
