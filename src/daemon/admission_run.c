/*
 * admission_run.c: admission control in the daemon's lifecycle
 * (admission_run.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"
#include "daemon/admission_run.h"
#include "docker/authz.h"
#include "store/store.h"
#include "store/store_admission.h"

int
admission_run_apply(struct admission_run *r, sqlite3 *db, char *err, size_t errlen)
{
	struct adm_rule *rules = NULL;
	struct sensor_spec *specs = NULL;
	struct adm_policy *p = NULL;
	enum adm_mode mode;
	int n = 0, ns = 0;

	if (store_adm_mode_get(db, &mode, err, errlen) == 0 &&
	    store_adm_rule_list(db, &rules, &n, err, errlen) == 0 &&
	    store_sensor_specs(db, &specs, &ns, err, errlen) == 0)
		p = adm_policy_new(mode, rules, n, specs, ns, err, errlen);
	free(rules);
	store_sensor_specs_free(specs, ns);
	if (p == NULL)
		return -1;
	log_debug("admission: %s mode, %d rule%s enabled", adm_mode_name(p->mode), p->nrules,
	    p->nrules == 1 ? "" : "s");
	adm_live_set(&r->live, p);
	return 0;
}

int
admission_run_init(struct admission_run *r, sqlite3 *db, const char *socket, struct writer *w)
{
	char err[512];

	adm_live_init(&r->live);
	r->live_up = 1;
	if (admission_run_apply(r, db, err, sizeof(err)) < 0)
		log_warnx("admission: %s; every call is allowed until the rules load", err);
	if (socket[0] == '\0')
		return 0;
	if (event_ring_init(&r->ring, -1) < 0) {
		log_errx("admission: no memory for its event ring");
		return -1;
	}
	r->ring_up = 1;
	writer_add_ring(w, &r->ring);
	return 0;
}

void
admission_run_start(struct admission_run *r, const char *socket)
{
	struct adm_policy *p;
	char err[512];

	if (!r->ring_up)
		return;
	if ((r->authz = authz_start(socket, &r->live, &r->ring, err, sizeof(err))) == NULL) {
		log_errx("admission: %s; dockerd refuses what needs its authorization plugin "
		    "until nvd serves it", err);
		return;
	}
	p = adm_live_get(&r->live);
	log_info("admission: authorization plugin on %s, %s mode, %d rule%s enabled", socket,
	    p ? adm_mode_name(p->mode) : "monitor", p ? p->nrules : 0,
	    p && p->nrules == 1 ? "" : "s");
	adm_policy_put(p);
}

void
admission_run_stop(struct admission_run *r)
{
	authz_stop(r->authz);
	r->authz = NULL;
}

void
admission_run_free(struct admission_run *r)
{
	if (r->ring_up)
		event_ring_destroy(&r->ring);
	r->ring_up = 0;
	if (r->live_up)
		adm_live_destroy(&r->live);
	r->live_up = 0;
}
