/*
 * daemon.h: the running daemon: its state and its lifecycle (daemon.c),
 * driven by nvd.c's main loop and read by the handlers of nvctl requests.
 * Owned by the main thread.
 *
 * Start-up: fill conf (daemon_load_conf), then daemon_init (database,
 * sensors, policy, writer, name cache), then daemon_start (workers on
 * their queues, nftables rules, Docker).  daemon_stop undoes whatever was
 * done, also after a failed start.
 */
#ifndef NVD_DAEMON_H
#define NVD_DAEMON_H

#include <pthread.h>
#include <sqlite3.h>
#include <time.h>

#include "base/conf.h"
#include "daemon/admission_run.h"
#include "daemon/kdec_run.h"
#include "runtime/live.h"
#include "kernel/nfq.h"
#include "kernel/nft.h"
#include "packet/worker.h"
#include "runtime/responder.h"
#include "runtime/writer.h"

struct crs_pool;
struct dockerwatch;
struct webhook;

/* How long a request, a reload or a policy rebuild waits at most for a
 * database lock another program holds (nvd(8), THE CONTROL SOCKET). */
#define DAEMON_DB_WAIT_MS	500

struct daemon {
	struct conf conf;
	char conf_path[PATH_MAX];
	int conf_given;			/* -c was used: the file must exist */
	enum nft_hook_kind hook;
	time_t started;
	sqlite3 *db;
	int nworkers;
	struct worker workers[MAX_QUEUES];
	struct nfq_queue *queues[MAX_QUEUES];
	pthread_t threads[MAX_QUEUES];
	struct worker_thread {
		struct daemon *d;
		int index;
	} targs[MAX_QUEUES];
	struct live live;		/* the running policy */
	struct writer writer;		/* events, learning, hits to SQLite */
	struct dockerwatch *dw;		/* Docker discovery, NULL if off */
	struct fqdn_cache *fqdn;	/* names of addresses, from DNS answers */
	struct crs_pool *crs;		/* sensor.crs's threads, NULL without libmodsecurity */
	int crs_files;			/* rule files of the engine in use, 0: none */
	char crs_error[320];		/* why the last load failed, or "" */
	int crs_tried;			/* its rules were loaded (or failed to) for
					 * this configuration: they are parsed at
					 * the first need (an assignment, a test),
					 * not by an nvd that never uses them */
	int stop;			/* read by workers */
	int live_up, writer_up;		/* initialised, to be destroyed */
	int rebuild_pending;		/* a policy rebuild was asked for */
	uint64_t rebuild_after;		/* clock_mono_ms(): not before (one failed) */
	int foreground;			/* nvd -f: event lines to standard error */
	/* The main thread's statements wait for a lock until then (db.h's
	 * db_wait_until): a request, a reload or a rebuild moves it to
	 * DAEMON_DB_WAIT_MS from its start. */
	uint64_t db_until;
	/* The protect queues' steering (nft.h): what the kernel was told. */
	int protect_all;		/* every packet goes to the protect queues */
	uint64_t protect_sum;		/* the protect sets' addresses, hashed */
	int protect_n;			/* ... and their count (-1: not set yet) */
	/* The quarantine sets (nft.h): what the kernel was told. */
	uint64_t quarantine_sum;
	int quarantine_n;		/* -1: not set yet */
	/* Response rules (responder.h) and their webhooks; the main thread's
	 * own events (policy changes, quarantine releases, overload), in a
	 * ring of their own for the writer. */
	struct responder resp;
	struct response_set *resp_last;	/* a copy of what resp was handed last */
	struct webhook *wh;
	struct event_ring events;
	int resp_up, events_up;
	struct {
		uint64_t total;		/* packets the queues could not take, so far */
		uint64_t since;		/* ... when the overload began */
		int64_t check_ms, grew_ms;	/* monotonic: last look, last growth */
		int on;
		/* What the last look saw (overload_more() in daemon.c). */
		uint64_t drops, queued, received, waiting;
		int counted;
	} overload;
	/* Flow bypass generations (types.h, live.h): what the kernel was told. */
	struct {
		/* Conntrack entries may carry the generation (since its last sweep). */
		uint8_t used[NVD_BYPASS_GENS];
		/* install_rules = no: sweep every bypassed flow once no worker
		 * judges with a snapshot older than this gen (0: none due). */
		uint64_t sweep_after;
	} bypass;
	struct admission_run adm;	/* admission control: policy, plugin, events */
	struct kdec_run kdec;		/* decisions in the kernel (kernel_decide) */
};

/* Reads the config d names (conf_path; defaults where it is missing and
 * not conf_given) into c.  Returns the number of errors, in errs. */
int daemon_load_conf(const struct daemon *d, struct conf *c, struct conf_errors *errs);
/* The process-wide limits and log level of c. */
void daemon_apply_limits(const struct conf *c);
/* Each returns 0, or -1 after logging why. */
int daemon_init(struct daemon *d);
int daemon_start(struct daemon *d);
void daemon_stop(struct daemon *d);
/*
 * The main thread's periodic work (at least every 100 ms): policy rebuilds
 * asked for (woken: live's wake_fd is readable), snapshots to free, bypass
 * sweeps due, DNS bindings expired.
 */
void daemon_housekeeping(struct daemon *d, int woken);
/*
 * The main thread's events: a slot of its ring to fill (type, level,
 * action, name and time set), then daemon_event_commit().  NULL when the
 * ring is full (counted) or there is none (a daemon that was not
 * started).
 */
struct event_rec *daemon_event(struct daemon *d, enum event_type type, enum event_level level,
    enum event_action action, const char *name);
void daemon_event_commit(struct daemon *d);
/* A request that changed something succeeded: a "policy change" event
 * naming it (argv: its words). */
void daemon_changed(struct daemon *d, int argc, char **argv);
/*
 * sensor.crs's rules, parsed now unless they were for this configuration
 * (daemon.crs_tried): the policy assigns it, or nvctl tests it.  Main
 * thread.  0, or -1 when they do not parse (d->crs_error says why).
 */
int daemon_crs_need(struct daemon *d);
/* The response rules as stored go to the writer.  0, or -1 with err. */
int daemon_response_reload(struct daemon *d, char *err, size_t errlen);

/*
 * Re-reads the config file and applies what can change at run time.
 * Returns 0, or -1 with the errors in out (the running config is kept).
 */
struct buf;
int daemon_reload(struct daemon *d, struct buf *out);
/* The main thread's work starts: its statements wait at most
 * DAEMON_DB_WAIT_MS for a lock from now. */
void daemon_db_deadline(struct daemon *d);

#endif
