/*
 * commands_events.c: nvctl events.
 */
#include "config.h"

#include <stddef.h>

#include "command.h"

const struct command event_commands[] = {
	{ { NULL }, 0, 0, NULL, NULL },
};
