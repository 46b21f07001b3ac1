/*
 * request.h: what the daemon's handlers of nvctl requests share.  Each
 * handle_*.c file exports one table of handlers, ended by an entry whose
 * words[0] is NULL; control_dispatch() (control.h) searches the tables in
 * order.
 *
 * A handler runs on the main thread with the words removed from argv,
 * writes its reply (text, or one JSON value when json is set) into out and
 * returns a CTL_RESP_* code.  On an error it writes the message without the
 * "nvctl: " prefix (nvctl adds it).
 */
#ifndef NVD_REQUEST_H
#define NVD_REQUEST_H

#include "base/buf.h"

struct daemon;

struct handler {
	const char *words[3];	/* leading words, NULL-padded */
	int min_args, max_args;	/* arguments after the words */
	const char *usage;
	int (*run)(struct daemon *d, int argc, char **argv, int json, struct buf *out);
};

extern const struct handler status_handlers[];		/* handle_status.c */
extern const struct handler policy_handlers[];		/* handle_policy.c */
extern const struct handler event_handlers[];		/* handle_events.c */
extern const struct handler conv_handlers[];		/* handle_conv.c */
extern const struct handler dns_handlers[];		/* handle_dns.c */
extern const struct handler sensor_handlers[];		/* handle_sensor.c */

#endif
