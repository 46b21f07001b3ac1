/*
 * io.h: whole reads and writes on a socket, shared by nvd's control server
 * and nvctl.  Both return 0 once len bytes moved, -1 on error, end of
 * file or timeout (errno tells).  Writes never raise SIGPIPE.
 */
#ifndef NVD_IO_H
#define NVD_IO_H

#include <stddef.h>

int io_read_full(int fd, void *buf, size_t len);
int io_write_full(int fd, const void *buf, size_t len);

#endif
