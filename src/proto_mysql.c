/* PLACEHOLDER: the real probe replaces this file in a following commit. */
#include "config.h"

#include "app.h"

static enum app_result
mysql_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_mysql = {
	.id = APP_MYSQL,
	.name = "MySQL",
	.word = "mysql",
	.hint_ports = { 3306 },
	.probe = mysql_probe,
};
