/*
 * crs_pool.c: sensor.crs's threads (crs_pool.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "runtime/crs_pool.h"

struct crs_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct crs_job *head, *tail;	/* waiting for a thread */
	int nqueued, queue_max;
	int stop;
	struct crs_engine *engine;	/* a reference, or NULL */
	int nthreads;
	pthread_t threads[CRS_THREADS_MAX];
	struct crs_pool_stats st;	/* atomics */
};

#define COUNT(p, f, n)	__atomic_add_fetch(&(p)->st.f, (n), __ATOMIC_RELAXED)

struct crs_job *
crs_job_new(size_t n)
{
	return calloc(1, sizeof(struct crs_job) + n);
}

void
crs_job_free(struct crs_job *j)
{
	free(j);
}

static void
done_push(struct crs_done *d, struct crs_job *j)
{
	uint64_t one = 1;

	j->next = NULL;
	pthread_mutex_lock(&d->lock);
	if (d->tail)
		d->tail->next = j;
	else
		d->head = j;
	d->tail = j;
	pthread_mutex_unlock(&d->lock);
	if (write(d->fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("sensor.crs: waking a worker");
}

static void
evaluate(struct crs_pool *p, struct crs_job *j, struct crs_engine *e)
{
	uint64_t t0 = clock_mono_us(), us, max;

	j->failed = e == NULL || crs_eval(e, &j->rq, &j->res) < 0;
	us = clock_mono_us() - t0;
	j->eval_us = us;
	COUNT(p, eval_us, us);
	max = __atomic_load_n(&p->st.eval_us_max, __ATOMIC_RELAXED);
	while (us > max && !__atomic_compare_exchange_n(&p->st.eval_us_max, &max, us, 0,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	if (j->failed)
		COUNT(p, failed, 1);
	else {
		COUNT(p, evaluated, 1);
		if (j->res.denied)
			COUNT(p, denied, 1);
	}
}

static void *
pool_main(void *arg)
{
	struct crs_pool *p = arg;

	for (;;) {
		struct crs_engine *e;
		struct crs_job *j;

		pthread_mutex_lock(&p->lock);
		while (p->head == NULL && !p->stop)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->stop) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		j = p->head;
		if ((p->head = j->next) == NULL)
			p->tail = NULL;
		p->nqueued--;
		__atomic_store_n(&p->st.queued, (uint64_t)p->nqueued, __ATOMIC_RELAXED);
		if ((e = p->engine) != NULL)
			crs_engine_ref(e);
		pthread_mutex_unlock(&p->lock);
		evaluate(p, j, e);
		crs_engine_unref(e);
		done_push(j->done, j);
	}
}

struct crs_pool *
crs_pool_new(int threads, int queue_max)
{
	struct crs_pool *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->queue_max = queue_max;
	for (int i = 0; i < threads && i < CRS_THREADS_MAX; i++) {
		if ((errno = pthread_create(&p->threads[i], NULL, pool_main, p)) != 0) {
			log_warn("sensor.crs: starting thread %d", i);
			crs_pool_free(p);
			return NULL;
		}
		p->nthreads = i + 1;
	}
	p->st.threads = (uint64_t)p->nthreads;
	return p;
}

void
crs_pool_free(struct crs_pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	while (p->head) {
		struct crs_job *j = p->head;

		p->head = j->next;
		crs_job_free(j);
	}
	crs_engine_unref(p->engine);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void
crs_pool_set_engine(struct crs_pool *p, struct crs_engine *e)
{
	struct crs_engine *old;

	if (e)
		crs_engine_ref(e);
	pthread_mutex_lock(&p->lock);
	old = p->engine;
	p->engine = e;
	pthread_mutex_unlock(&p->lock);
	crs_engine_unref(old);
	COUNT(p, reloads, 1);
}

struct crs_engine *
crs_pool_engine(struct crs_pool *p)
{
	struct crs_engine *e;

	pthread_mutex_lock(&p->lock);
	if ((e = p->engine) != NULL)
		crs_engine_ref(e);
	pthread_mutex_unlock(&p->lock);
	return e;
}

int
crs_pool_submit(struct crs_pool *p, struct crs_job *j)
{
	pthread_mutex_lock(&p->lock);
	if (p->nqueued >= p->queue_max) {
		pthread_mutex_unlock(&p->lock);
		COUNT(p, refused, 1);
		return -1;
	}
	j->next = NULL;
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->nqueued++;
	__atomic_store_n(&p->st.queued, (uint64_t)p->nqueued, __ATOMIC_RELAXED);
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	COUNT(p, submitted, 1);
	return 0;
}

void
crs_pool_stats(struct crs_pool *p, struct crs_pool_stats *st)
{
	uint64_t *d = (uint64_t *)st;
	const uint64_t *s = (const uint64_t *)&p->st;

	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		d[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
}

int
crs_done_init(struct crs_done *d)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
	if ((d->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		pthread_mutex_destroy(&d->lock);
		return -1;
	}
	return 0;
}

void
crs_done_destroy(struct crs_done *d)
{
	struct crs_job *j = crs_done_take(d);

	while (j) {
		struct crs_job *n = j->next;

		crs_job_free(j);
		j = n;
	}
	close(d->fd);
	d->fd = -1;
	pthread_mutex_destroy(&d->lock);
}

struct crs_job *
crs_done_take(struct crs_done *d)
{
	struct crs_job *j;
	uint64_t n;

	if (read(d->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("sensor.crs: reading the wake-up");
	pthread_mutex_lock(&d->lock);
	j = d->head;
	d->head = d->tail = NULL;
	pthread_mutex_unlock(&d->lock);
	return j;
}
