/*
 * handle_crs.h: sensor.crs's part of nvctl's sensor test and status.
 */
#ifndef NVD_HANDLE_CRS_H
#define NVD_HANDLE_CRS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "daemon/daemon.h"

/*
 * `sensor test sensor.crs`: the raw HTTP request text (len bytes) through
 * the running CRS rules with paranoia and threshold; prints the rules that
 * fired and the score.  CTL_RESP_OK when the score reaches the threshold,
 * CTL_RESP_NOMATCH when not, an error when the rules are not loaded or the
 * text is no request.
 */
int crs_test(struct daemon *d, const uint8_t *text, size_t len, int paranoia, int threshold,
    int json, struct buf *o);
/* status's "crs" object (after a field) and its text line. */
void crs_status_json(struct buf *o, struct daemon *d, const struct worker_stats *t);
void crs_status_text(struct buf *o, struct daemon *d, const struct worker_stats *t);

#endif
