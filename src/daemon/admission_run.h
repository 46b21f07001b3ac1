/*
 * admission_run.h: admission control as the daemon runs it (nvd(8),
 * ADMISSION CONTROL): the policy built from the database and handed to
 * the authorization plugin's thread (docker/authz.h), the thread itself,
 * and the ring that carries its events to the writer.  Main thread.
 *
 * init: after the writer is made and before it starts (the ring joins
 * the writer's); start: the thread on socket (a failure is logged: the
 * rest of nvd runs on); stop: before the writer stops; free: after.
 */
#ifndef NVD_ADMISSION_RUN_H
#define NVD_ADMISSION_RUN_H

#include <sqlite3.h>
#include <stddef.h>

#include "admission/adm_policy.h"
#include "runtime/event.h"
#include "runtime/writer.h"

struct authz;

struct admission_run {
	struct adm_live live;		/* the policy the thread judges by */
	struct authz *authz;		/* the plugin's thread, or NULL */
	struct event_ring ring;		/* its events */
	int live_up, ring_up;		/* initialised, to be destroyed */
};

/* socket "": no plugin (no ring either).  0, or -1 when memory runs out. */
int admission_run_init(struct admission_run *r, sqlite3 *db, const char *socket,
    struct writer *w);
void admission_run_start(struct admission_run *r, const char *socket);
void admission_run_stop(struct admission_run *r);
void admission_run_free(struct admission_run *r);
/*
 * Builds the admission policy from db (rules, mode, DLP sensors) and
 * hands it to the thread.  0, or -1 with err (the old one stays).
 */
int admission_run_apply(struct admission_run *r, sqlite3 *db, char *err, size_t errlen);

#endif
