/*
 * metrics.h: the Prometheus endpoint (metrics_listen in nvd.conf(5)), off
 * by default.  A thread of its own accepts on a TCP or unix socket,
 * serves at most METRICS_MAX_CLIENTS at once (a client past them is told
 * 503 and closed), gives each METRICS_DEADLINE_MS from connecting to
 * its last byte, and answers GET /metrics with the counters of
 * `nvctl status` (metrics_text.h).
 *
 * The status is the main thread's, which owns what it reads: when a
 * scrape comes, the thread makes metrics_ask_fd() readable; the main loop
 * answers with metrics_publish(), and the thread turns the JSON into the
 * exposition.  A main loop that does not answer within METRICS_STATUS_MS
 * gets its scrapers a 503; nothing waits on a scraper.
 */
#ifndef NVD_METRICS_H
#define NVD_METRICS_H

#include <stddef.h>

#define METRICS_MAX_CLIENTS	8
#define METRICS_DEADLINE_MS	5000
#define METRICS_STATUS_MS	2000

struct metrics;

/*
 * Binds listen (conf_listen_parse(): ADDR:PORT, or a unix socket path,
 * made mode 0660, group nvd-read when it exists, a socket there
 * replaced) and starts the thread.  NULL after logging why.
 */
struct metrics *metrics_start(const char *listen);
/* Stops the thread, closes every socket, removes a unix socket's file. */
void metrics_stop(struct metrics *m);
/* Readable while a scrape waits for the status (an eventfd). */
int metrics_ask_fd(const struct metrics *m);
/* Main thread, when metrics_ask_fd() is readable: the JSON of
 * `nvctl --json status`, len bytes, copied. */
void metrics_publish(struct metrics *m, const char *json, size_t len);

#endif
