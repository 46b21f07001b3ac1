/* PLACEHOLDER: the real probe replaces this file in a following commit. */
#include "config.h"

#include "app.h"

static enum app_result
smtp_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_smtp = {
	.id = APP_SMTP,
	.name = "SMTP",
	.word = "smtp",
	.hint_ports = { 25, 587, 2525 },
	.probe = smtp_probe,
};
