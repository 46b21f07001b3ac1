/*
 * daemon.h: the running daemon's state, shared by nvd.c (start-up, signals,
 * reload) and control.c (commands).  Owned by the main thread.
 */
#ifndef NVD_DAEMON_H
#define NVD_DAEMON_H

#include <pthread.h>
#include <sqlite3.h>
#include <time.h>

#include "base/conf.h"
#include "runtime/live.h"
#include "kernel/nfq.h"
#include "kernel/nft.h"
#include "packet/worker.h"
#include "runtime/writer.h"

struct dockerwatch;

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
	int stop;			/* read by workers */
	int reload_requested;
};

/*
 * Re-reads the config file and applies what can change at run time.
 * Returns 0, or -1 with the errors in out (the running config is kept).
 */
struct buf;
int daemon_reload(struct daemon *d, struct buf *out);

#endif
