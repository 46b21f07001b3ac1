/*
 * crs_pool.h: the threads that run sensor.crs (crs.h) off the packet
 * path (issue 16).
 *
 * Workers submit requests as jobs; the pool's threads evaluate them with
 * the current engine, each in its own transaction, and hand each job back
 * to the queue of the worker that submitted it (struct crs_done), waking
 * it through an eventfd.  The queue of jobs waiting for a thread is
 * bounded: a submit past it is refused at once, never waits.  Locks are
 * held only to link or unlink a job; evaluation runs with none held.
 *
 * The engine is swapped at reload (crs_pool_set_engine): jobs started
 * keep the engine they started with (its reference), later ones get the
 * new one.
 */
#ifndef NVD_CRS_POOL_H
#define NVD_CRS_POOL_H

#include <pthread.h>
#include <stdint.h>

#include "sensor/crs.h"

#define CRS_THREADS_MAX		64

struct crs_done;

/* One request to evaluate; the submitter allocates it with its bytes. */
struct crs_job {
	struct crs_job *next;
	struct crs_request rq;		/* its pointers point into the job's own bytes */
	struct crs_result res;		/* filled by the pool */
	int failed;			/* no engine, or ModSecurity failed: no verdict */
	uint64_t queued_ms;		/* monotonic, when submitted */
	uint64_t eval_us;		/* how long the evaluation took */
	struct crs_done *done;		/* where it goes back */
	void *owner;			/* the submitter's, untouched by the pool */
	uint32_t seq;			/* the submitter's */
};

/* A worker's queue of evaluated jobs. */
struct crs_done {
	pthread_mutex_t lock;
	struct crs_job *head, *tail;
	int fd;				/* eventfd written when a job comes back */
};

/* Counters, read with crs_pool_stats() from any thread. */
struct crs_pool_stats {
	uint64_t threads;
	uint64_t submitted;
	uint64_t refused;		/* the queue was full */
	uint64_t evaluated;
	uint64_t denied;		/* requests the CRS denied */
	uint64_t failed;		/* no engine or a failed transaction */
	uint64_t eval_us;		/* time spent evaluating, summed */
	uint64_t eval_us_max;
	uint64_t queued;		/* waiting for a thread now */
	uint64_t reloads;		/* engines set since start */
};

struct crs_pool;

/* Starts threads (1..CRS_THREADS_MAX) with room for queue_max waiting
 * jobs.  NULL on failure (logged). */
struct crs_pool *crs_pool_new(int threads, int queue_max);
/* Stops the threads; jobs still waiting are freed. */
void crs_pool_free(struct crs_pool *p);
/* The engine from now on (the pool takes a reference; NULL: none). */
void crs_pool_set_engine(struct crs_pool *p, struct crs_engine *e);
/* The current engine with a reference for the caller (crs_engine_unref), or NULL. */
struct crs_engine *crs_pool_engine(struct crs_pool *p);
/*
 * Queues job (job->done set) for evaluation.  0, or -1 when the queue is
 * full (counted); the job stays the caller's then.
 */
int crs_pool_submit(struct crs_pool *p, struct crs_job *job);
void crs_pool_stats(struct crs_pool *p, struct crs_pool_stats *st);

/* A worker's queue: 0 or -1 (no eventfd). */
int crs_done_init(struct crs_done *d);
/* Frees the jobs still in it. */
void crs_done_destroy(struct crs_done *d);
/* Every job that came back, oldest first (the caller frees them). */
struct crs_job *crs_done_take(struct crs_done *d);

/* A job of n extra bytes (job + 1 is where they go), zeroed; NULL if none. */
struct crs_job *crs_job_new(size_t n);
void crs_job_free(struct crs_job *j);

#endif
