/*
 * sensor_bound.h: how far a PCRE2 pattern's match reaches (sensor.h).
 *
 * sensor_bound() reads a pattern's text, as sensor.c compiles it (no UTF,
 * no extended mode unless the pattern asks), and gives the most bytes a
 * match can read from its start on: the bytes it consumes, and those its
 * lookaheads read as if they consumed them (lookbehinds are not counted:
 * PCRE2_INFO_MAXLOOKBEHIND tells those).  In *ahead, the most bytes one
 * assertion reads from where it is (a lookahead's, one more for an
 * assertion at its end; 1 for \b, \B, $, \Z, \z; 0 for none): a match
 * that ends that far before the end of the bytes at hand read none past
 * them.  A stream matcher keeps that
 * many bytes to confirm a candidate match across two pieces of a stream.
 * It is conservative: a pattern with no bound (*, +, {n,}, back
 * references, \X) or with anything the reader is unsure of (verbs,
 * callouts, recursion, extended mode, an unusual quantifier) gives
 * SENSOR_UNBOUNDED.
 */
#ifndef NVD_SENSOR_BOUND_H
#define NVD_SENSOR_BOUND_H

#include <stddef.h>
#include <stdint.h>

#define SENSOR_UNBOUNDED	SIZE_MAX

size_t sensor_bound(const char *re, size_t *ahead);

/*
 * Copies re to out (cap bytes) without its \b and \B (those outside
 * classes and \Q...\E): a pattern whose matches include re's, which
 * Hyperscan matches much faster (a word boundary costs it a state per
 * position).  1 when one was taken out, 0 when re has none, -1 when re
 * is not well formed or does not fit.
 */
int sensor_strip_boundaries(const char *re, char *out, size_t cap);

#endif
