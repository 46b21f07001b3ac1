/*
 * app_table.h: every application protocol's ops in one table, indexed by
 * enum app_id, and what walks it: names, rule words and detection.  The
 * module sits above the probes (proto_*.c), which include only app.h and
 * probe.h; callers that name or detect applications include this.
 */
#ifndef NVD_APP_TABLE_H
#define NVD_APP_TABLE_H

#include "proto/app.h"

/* Every protocol, indexed by enum app_id (APP_UNKNOWN's entry has no probe). */
extern const struct app_ops *const app_table[APP_COUNT];

const char *app_name(enum app_id id);		/* "unknown" for APP_UNKNOWN */
/* By rule word, case-insensitive; APP_COUNT if none. */
enum app_id app_by_word(const char *word);

/*
 * Runs the probes (hinted ones first).  Returns the first APP_YES; else
 * APP_UNKNOWN with *done 1 when every probe said APP_NO or both directions
 * reached APP_PROBE_MAX or closed, *done 0 when some probe still says
 * APP_MAYBE.
 */
enum app_id app_detect(const struct app_input *in, struct app_info *info, int *done);

#endif
