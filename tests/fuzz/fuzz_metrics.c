/*
 * fuzz_metrics: what the metrics endpoint reads (metrics_text.h): a
 * scraper's request head, whole and at every length it may arrive in,
 * when the first byte is even; the exposition of a status JSON when it
 * is odd.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "daemon/metrics_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	char err[160];
	char *copy;

	if (size == 0)
		return 0;
	/* an exact copy, so that a read past the end is caught */
	if ((copy = malloc(size - 1 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	if (data[0] % 2 == 0) {
		enum metrics_req whole = metrics_request_parse(copy, size - 1);

		/* a head that is whole at a length is so at every later one */
		for (size_t n = 0; whole == METRICS_REQ_MORE && n < size - 1 && n < 1024; n++)
			if (metrics_request_parse(copy, n) != METRICS_REQ_MORE)
				abort();
	} else {
		buf_init(&out);
		metrics_exposition(copy, size - 1, &out, err, sizeof(err));
		buf_free(&out);
	}
	free(copy);
	return 0;
}
