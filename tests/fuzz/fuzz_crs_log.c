/*
 * fuzz_crs_log: ModSecurity log lines read back (crs_log.h) from any
 * bytes: never past the length given, fields NUL-terminated within their
 * bounds and printable.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/crs_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_field(const char *f, size_t cap)
{
	size_t n = strnlen(f, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if (f[i] < 0x20 || f[i] > 0x7e)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct crs_hit h;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);	/* exactly size bytes: ASan sees any read past */
	if (crs_log_parse(copy, size, &h) == 0) {
		check_field(h.msg, sizeof(h.msg));
		check_field(h.data, sizeof(h.data));
		if (h.id < -1)
			abort();
	}
	free(copy);
	return 0;
}
