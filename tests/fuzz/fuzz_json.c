/*
 * fuzz_json: the JSON parser on any bytes, with the default limits and with
 * tight ones, then every accessor over the whole tree.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads every node the way a caller would; checks what the API promises. */
static void
walk(const struct json *n)
{
	size_t i, len = json_len(n);
	const char *s;
	int64_t i64;
	uint64_t u64;
	double d;

	switch (json_type(n)) {
	case JSON_STRING:
		if ((s = json_str(n)) != NULL && strlen(s) != json_strlen(n))
			abort();
		break;
	case JSON_NUMBER:
		if (json_num_text(n) == NULL)
			abort();
		json_int64(n, &i64);
		json_uint64(n, &u64);
		json_double(n, &d);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		for (i = 0; i < len; i++) {
			const struct json *k = json_index(n, i);

			if (k == NULL)
				abort();
			if (json_type(n) == JSON_OBJECT && json_key(k) != NULL &&
			    json_get(n, json_key(k)) == NULL)
				abort();
			walk(k);
		}
		if (json_index(n, len) != NULL)
			abort();
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct json_limits tight = { 4, 64, 4096 };
	struct json_error err;
	struct json_doc *doc;

	doc = json_parse((const char *)data, size, NULL, &err);
	if (doc == NULL && err.offset > size)
		abort();
	walk(json_root(doc));
	json_free(doc);
	doc = json_parse((const char *)data, size, &tight, &err);
	walk(json_root(doc));
	json_free(doc);
	return 0;
}
