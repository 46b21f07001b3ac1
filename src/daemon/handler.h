/*
 * command.h: how the control server finds the handler of an nvctl command.
 * Each commands_*.c file exports one table of commands, ended by an entry
 * whose words[0] is NULL; commands.c searches the tables in order.
 *
 * A handler runs on the main thread with the words removed from argv,
 * writes its reply (text, or one JSON value when json is set) into out and
 * returns a CTL_RESP_* code.  On an error it writes the message without the
 * "nvctl: " prefix (nvctl adds it).
 */
#ifndef NVD_COMMAND_H
#define NVD_COMMAND_H

#include "base/buf.h"

struct daemon;

struct command {
	const char *words[3];	/* leading words, NULL-padded */
	int min_args, max_args;	/* arguments after the words */
	const char *usage;
	int (*run)(struct daemon *d, int argc, char **argv, int json, struct buf *out);
};

extern const struct command status_commands[];		/* commands.c */
extern const struct command policy_commands[];		/* commands_policy.c */
extern const struct command event_commands[];		/* commands_events.c */
extern const struct command conv_commands[];		/* commands_conv.c */
extern const struct command dns_commands[];		/* commands_dns.c */
extern const struct command sensor_commands[];		/* commands_sensor.c */

#endif
