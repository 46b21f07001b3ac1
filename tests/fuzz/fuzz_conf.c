/*
 * fuzz_conf: the nvd.conf parser and its cross-field checks, on any text.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf c;
	static struct conf_errors errs;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	conf_defaults(&c);
	errs.count = 0;
	if (conf_parse(&c, "fuzz.conf", text, &errs) == 0)
		conf_check(&c, "fuzz.conf", &errs);
	free(text);
	return 0;
}
