/*
 * commands_policy.c: nvctl workload, group and rule commands.
 */
#include "config.h"

#include <stddef.h>

#include "command.h"

const struct command policy_commands[] = {
	{ { NULL }, 0, 0, NULL, NULL },
};
