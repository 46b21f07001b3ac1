/*
 * b64.c: strict base64 decoding (b64.h).
 */
#include "config.h"

#include "base/b64.h"

/* The value of a base64 digit, or -1. */
static int
digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
b64_decode(const char *in, size_t len, uint8_t *out, size_t *outlen, size_t *bad)
{
	uint32_t acc = 0;
	size_t n = 0, o = 0, pad = 0, i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		int v;

		if (c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			/* at most two, only in the last quantum's last places */
			if (n < 2 || ++pad > 2 || n + pad > 4)
				goto fail;
			continue;
		}
		if (pad || (v = digit(c)) < 0)
			goto fail;
		acc = acc << 6 | (uint32_t)v;
		if (++n == 4) {
			out[o++] = (uint8_t)(acc >> 16);
			out[o++] = (uint8_t)(acc >> 8);
			out[o++] = (uint8_t)acc;
			acc = 0;
			n = 0;
		}
	}
	/* a partial quantum must be padded to four, its spare bits zero */
	if (n != 0 && n + pad != 4)
		goto fail;
	if (n == 0 && pad != 0)
		goto fail;
	if (n == 2) {
		if (acc & 0xf)
			goto fail;
		out[o++] = (uint8_t)(acc >> 4);
	} else if (n == 3) {
		if (acc & 0x3)
			goto fail;
		out[o++] = (uint8_t)(acc >> 10);
		out[o++] = (uint8_t)(acc >> 2);
	}
	*outlen = o;
	return 0;
fail:
	*bad = i;
	return -1;
}
