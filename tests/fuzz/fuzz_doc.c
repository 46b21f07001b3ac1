/*
 * fuzz_doc: the policy document parser (store/doc.c, nvctl policy import)
 * on any bytes: it returns a document or an error, never crashes; what it
 * reads, written and read again, is the same text (doc_write() of a
 * parsed document parses back to itself).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doc d, e;
	char err[1024];
	struct buf a, b;

	if (doc_parse((const char *)data, size, &d, err, sizeof(err)) < 0) {
		if (err[0] == '\0' || d.groups || d.rules || d.sensors || d.assigns)
			abort();
		return 0;
	}
	buf_init(&a);
	buf_init(&b);
	doc_write(&d, &a);
	if (!buf_failed(&a)) {
		if (doc_parse(a.data, a.len, &e, err, sizeof(err)) < 0)
			abort();
		doc_write(&e, &b);
		if (!buf_failed(&b) && (a.len != b.len || memcmp(a.data, b.data, a.len)))
			abort();
		doc_free(&e);
	}
	buf_free(&a);
	buf_free(&b);
	doc_free(&d);
	return 0;
}
