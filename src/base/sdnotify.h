/*
 * sdnotify.h: systemd's readiness protocol, without libsystemd: one
 * datagram to $NOTIFY_SOCKET.  Does nothing when the variable is unset.
 */
#ifndef NVD_SDNOTIFY_H
#define NVD_SDNOTIFY_H

int sd_notify_send(const char *state);

#endif
