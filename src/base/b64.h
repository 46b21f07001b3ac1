/*
 * b64.h: base64 decoding (RFC 4648, section 4: the standard alphabet,
 * with padding), as Go's encoding/json gives a []byte: dockerd sends the
 * request bodies it shows an authorization plugin so.
 */
#ifndef NVD_B64_H
#define NVD_B64_H

#include <stddef.h>
#include <stdint.h>

/* The most bytes n characters of base64 decode to. */
#define B64_DECODED_MAX(n)	((n) / 4 * 3 + 3)

/*
 * Decodes the len characters at in into out (B64_DECODED_MAX(len) bytes
 * at least) and sets *outlen.  Carriage returns and newlines are skipped,
 * as Go's decoder skips them; anything else outside the alphabet, a
 * missing or misplaced '=', or bits left over in the last quantum is an
 * error.  Returns 0, or -1 with the offset of the fault in *bad.
 */
int b64_decode(const char *in, size_t len, uint8_t *out, size_t *outlen, size_t *bad);

#endif
