/*
 * adm_policy.c: the admission policy and its hand-over (adm_policy.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission/adm_policy.h"

/* The DLP sensors of specs[0..n-1], compiled, or NULL (none, or err set). */
static struct sensor_set *
dlp_build(const struct sensor_spec *specs, int n, char *err, size_t errlen)
{
	struct sensor_spec *dlp;
	struct sensor_set *set = NULL;
	int k = 0;

	err[0] = '\0';
	if ((dlp = calloc((size_t)n + 1, sizeof(*dlp))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (int i = 0; i < n; i++)
		if (specs[i].type == SENSOR_DLP)
			dlp[k++] = specs[i];	/* shallow: the set copies what it keeps */
	if (k > 0)
		set = sensor_set_build(dlp, k, 1, err, errlen);
	free(dlp);
	return set;
}

struct adm_policy *
adm_policy_new(enum adm_mode mode, const struct adm_rule *rules, int n,
    const struct sensor_spec *specs, int ns, char *err, size_t errlen)
{
	struct adm_policy *p = calloc(1, sizeof(*p));

	if (p == NULL || (p->rules = calloc((size_t)n + 1, sizeof(*p->rules))) == NULL) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->mode = mode;
	p->refs = 1;
	for (int i = 0; i < n; i++) {
		if (!rules[i].enabled)
			continue;
		p->rules[p->nrules] = rules[i];
		adm_rule_resolve(&p->rules[p->nrules++]);
	}
	p->dlp = dlp_build(specs, ns, err, errlen);
	if (p->dlp == NULL && err[0]) {
		free(p->rules);
		free(p);
		return NULL;
	}
	return p;
}

void
adm_policy_put(struct adm_policy *p)
{
	if (p == NULL || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	sensor_set_free(p->dlp);
	free(p->rules);
	free(p);
}

void
adm_live_init(struct adm_live *l)
{
	pthread_mutex_init(&l->lock, NULL);
	l->cur = NULL;
}

void
adm_live_destroy(struct adm_live *l)
{
	adm_policy_put(l->cur);
	l->cur = NULL;
	pthread_mutex_destroy(&l->lock);
}

void
adm_live_set(struct adm_live *l, struct adm_policy *p)
{
	struct adm_policy *old;

	pthread_mutex_lock(&l->lock);
	old = l->cur;
	l->cur = p;
	pthread_mutex_unlock(&l->lock);
	adm_policy_put(old);
}

struct adm_policy *
adm_live_get(struct adm_live *l)
{
	struct adm_policy *p;

	pthread_mutex_lock(&l->lock);
	if ((p = l->cur) != NULL)
		__atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&l->lock);
	return p;
}
