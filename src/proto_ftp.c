/* PLACEHOLDER: the real probe replaces this file in a following commit. */
#include "config.h"

#include "app.h"

static enum app_result
ftp_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_ftp = {
	.id = APP_FTP,
	.name = "FTP",
	.word = "ftp",
	.hint_ports = { 21 },
	.probe = ftp_probe,
};
