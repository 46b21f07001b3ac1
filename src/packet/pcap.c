#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "packet/pcap.h"

#define LINKTYPE_RAW	101
#define SNAPLEN		65535

static void
put32(uint8_t *b, uint32_t v)	/* host order, as pcap's magic says */
{
	memcpy(b, &v, 4);
}

static void
put16(uint8_t *b, uint16_t v)
{
	memcpy(b, &v, 2);
}

int
pcap_save(const char *dir, const char *name, const uint8_t *pkt, size_t len, int64_t time_ms)
{
	char path[PATH_MAX];
	uint8_t hdr[24 + 16];
	size_t cap = len < SNAPLEN ? len : SNAPLEN;
	int fd, saved, n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return -1;
	put32(hdr, 0xa1b2c3d4);		/* microsecond timestamps */
	put16(hdr + 4, 2);
	put16(hdr + 6, 4);
	put32(hdr + 8, 0);
	put32(hdr + 12, 0);
	put32(hdr + 16, SNAPLEN);
	put32(hdr + 20, LINKTYPE_RAW);
	put32(hdr + 24, (uint32_t)(time_ms / 1000));
	put32(hdr + 28, (uint32_t)(time_ms % 1000 * 1000));
	put32(hdr + 32, (uint32_t)cap);
	put32(hdr + 36, (uint32_t)len);
	errno = EIO;		/* for a short write */
	n = write(fd, hdr, sizeof(hdr)) == (ssize_t)sizeof(hdr) &&
	    write(fd, pkt, cap) == (ssize_t)cap;
	saved = errno;
	close(fd);
	if (!n) {
		unlink(path);
		errno = saved;
		return -1;
	}
	return 0;
}
