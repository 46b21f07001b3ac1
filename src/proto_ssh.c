/* PLACEHOLDER: the real probe replaces this file in a following commit. */
#include "config.h"

#include "app.h"

static enum app_result
ssh_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_ssh = {
	.id = APP_SSH,
	.name = "SSH",
	.word = "ssh",
	.hint_ports = { 22, 2222 },
	.probe = ssh_probe,
};
