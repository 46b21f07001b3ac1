/*
 * buf.h: a growable text buffer, used to build control replies (tables and
 * JSON).  Not for the packet path.  On allocation failure the buffer is
 * marked failed and further appends are ignored; buf_failed() tells.
 */
#ifndef NVD_BUF_H
#define NVD_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	int failed;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
int buf_failed(const struct buf *b);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal with quotes; NULL becomes null. */
void buf_json_str(struct buf *b, const char *s);

#endif
