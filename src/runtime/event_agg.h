/*
 * event_agg.h: violations aggregated before they reach the writer, so that
 * a flood of denied connections is a few rows whose counts add up to the
 * connections, not a ring that overflows (NeuVector's and Suricata's
 * thresholding do the same).
 *
 * Within an interval (EVENT_AGG_MS), violations alike but for their source
 * port and time are one row with a count: same type, action, protocol,
 * addresses, destination port, rule, name and reason.  Past EVENT_AGG_PORTS
 * destination ports for one (source, destination, rule, reason), further
 * ports are folded into one row for the pair whose destination port is
 * NULL and whose message names the range of ports and how many.  Rows go
 * to the ring when the interval ends (event_agg_tick) or the table is
 * full.  Owned by one worker thread, like its ring.
 */
#ifndef NVD_EVENT_AGG_H
#define NVD_EVENT_AGG_H

#include <stdint.h>

#include "runtime/event.h"

#define EVENT_AGG_MS		1000	/* how long a row gathers alike events */
#define EVENT_AGG_ROWS		128	/* rows at once, per worker */
#define EVENT_AGG_PORTS		4	/* exact ports per pair before folding */

struct event_agg_row;

struct event_agg {
	struct event_agg_row *rows;	/* EVENT_AGG_ROWS */
	int16_t *exact, *pair;		/* hash indexes into rows, -1: empty */
	int nrows;
	uint64_t since;			/* monotonic ms the interval began */
	uint64_t folded;		/* events counted into a row, not rows */
};

/* Returns 0 or -1 (no memory). */
int event_agg_init(struct event_agg *a);
void event_agg_destroy(struct event_agg *a);
/* One violation (count 1) at monotonic time now; may flush to r. */
void event_agg_add(struct event_agg *a, struct event_ring *r, const struct event_rec *ev,
    uint64_t now);
/* Flushes to r when the interval is over (force: now). */
void event_agg_tick(struct event_agg *a, struct event_ring *r, uint64_t now, int force);

#endif
