/*
 * control.h: the control socket server.  Runs on the main thread; commands
 * are answered from published state and never wait on a worker.
 */
#ifndef NVD_CONTROL_H
#define NVD_CONTROL_H

#include "base/buf.h"

struct daemon;

/*
 * Creates the socket (under umask 0117, then mode 0660, group nvd if that
 * group exists).  Returns the listening fd or -1.
 */
int control_listen(const char *path);
/* Accepts and serves one client on the listening fd. */
void control_serve(struct daemon *d, int lfd);
/*
 * Runs the handler of one request (argv, argc: the command words and their
 * arguments; request.h) and writes the reply into out.  Returns a
 * CTL_RESP_* code.
 */
int control_dispatch(struct daemon *d, int argc, char **argv, int json, struct buf *out);

#endif
