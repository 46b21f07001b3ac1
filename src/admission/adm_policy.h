/*
 * adm_policy.h: the admission policy the authorization plugin judges by:
 * the mode, the enabled rules in order and the DLP sensors that look at
 * environment variables, built off the judging thread and handed to it
 * whole.
 *
 * Threads: the main thread builds a policy and publishes it with
 * adm_live_set(); a judging thread takes a reference with adm_live_get()
 * for one request and drops it with adm_policy_put().  The lock is held
 * only to take or swap the pointer, never while judging.
 */
#ifndef NVD_ADM_POLICY_H
#define NVD_ADM_POLICY_H

#include <pthread.h>
#include <stddef.h>

#include "admission/adm_rules.h"
#include "sensor/sensor.h"

struct adm_policy {
	enum adm_mode mode;
	struct adm_rule *rules;		/* the enabled rules, in order */
	int nrules;
	struct sensor_set *dlp;		/* the DLP sensors, or NULL when there are none */
	int refs;			/* atomic */
};

/*
 * A policy of mode and the enabled ones of rules[0..n-1] (copied, their
 * mount and device globs resolved), with the DLP sensors of specs[0..ns-1]
 * (the others are left out) compiled.  NULL with err when they do not
 * compile or memory runs out.  One reference, for the caller.
 */
struct adm_policy *adm_policy_new(enum adm_mode mode, const struct adm_rule *rules, int n,
    const struct sensor_spec *specs, int ns, char *err, size_t errlen);
/* Drops a reference; the last frees the policy.  NULL is fine. */
void adm_policy_put(struct adm_policy *p);

struct adm_live {
	pthread_mutex_t lock;
	struct adm_policy *cur;		/* NULL until the first adm_live_set() */
};

void adm_live_init(struct adm_live *l);
/* Drops the current policy. */
void adm_live_destroy(struct adm_live *l);
/* Publishes p, taking the caller's reference; the old one is dropped. */
void adm_live_set(struct adm_live *l, struct adm_policy *p);
/* A reference to the current policy (NULL if none yet): adm_policy_put() it. */
struct adm_policy *adm_live_get(struct adm_live *l);

#endif
