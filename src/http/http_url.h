/*
 * http_url.h: the url context of a request (sensor.h): its target
 * percent-decoded and normalised, so that a rule matches what the server
 * will resolve, however the client spelt it.
 */
#ifndef NVD_HTTP_URL_H
#define NVD_HTTP_URL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the request target t (n bytes) into out, which must have room
 * for n + 1 bytes, and returns the length of the url: at most max, the
 * rest cut (HTTP_F_URL_TRUNC), so that a cut url is a prefix of the whole
 * one.  No NUL is written.  ORs HTTP_F_URL_* into *flags.
 *
 * - The target is cut at its first '?' into path and query before
 *   anything is decoded, so an encoded "%3F" never starts a query.
 * - %XX is decoded once (so "%252e" gives "%2e"); a '%' without two hex
 *   digits is kept as is (HTTP_F_URL_BAD_ESCAPE).  In the query only,
 *   '+' is a space.
 * - The decoded path of an origin-form target ("/...") is normalised as
 *   RFC 3986 section 5.2.4 says, with "//" collapsed to "/": decoding comes
 *   first, so "%2e%2e" is a ".." segment and "%2f" separates segments.
 *   ".." above the root is dropped (HTTP_F_URL_ABOVE_ROOT).
 * - An absolute-form target ("http://Host/p") keeps its scheme and
 *   authority, in lower case, and has its path normalised the same way
 *   (an empty path is "/").
 * - Other forms ("*", CONNECT's host:port) are only percent-decoded.
 */
size_t http_url_decode(const uint8_t *t, size_t n, uint8_t *out, size_t max, unsigned *flags);

#endif
