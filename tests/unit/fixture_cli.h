/*
 * fixture_cli.h: nvctl requests run through control_dispatch() as the
 * control socket hands them over, on a daemon the test sets up
 * (check_store_sensor, check_writer).
 */
#ifndef NVD_TEST_FIXTURE_CLI_H
#define NVD_TEST_FIXTURE_CLI_H

#include <sqlite3.h>
#include <stdarg.h>

#include "base/buf.h"
#include "daemon/daemon.h"

struct fxcli {
	struct daemon d;
	struct buf out;		/* the last reply */
};

/* A daemon of nothing but the database db, and an empty reply. */
void fxcli_init(struct fxcli *c, sqlite3 *db);
void fxcli_free(struct fxcli *c);
/* The same with a running policy (live_init(), discover mode), for the
 * requests that read or change it; fxcli_free_live() ends both. */
void fxcli_init_live(struct fxcli *c, sqlite3 *db);
void fxcli_free_live(struct fxcli *c);
/* fxcli_run() of the arguments after cmd, NULL-ended. */
int fxcli_cmd(struct fxcli *c, int json, const char *cmd, ...);
/* Runs "nvctl CMD ARGS..." (ap: the arguments, char *, NULL-ended).
 * Returns the CTL_RESP_* code; the reply is in c->out. */
int fxcli_run(struct fxcli *c, int json, const char *cmd, va_list ap);
/* The last reply as a string; it lives until the next request. */
const char *fxcli_reply(struct fxcli *c);
/* fxcli_run() with the arguments as the call's own, NULL-ended. */
int fxcli_call(struct fxcli *c, int json, const char *cmd, ...);
/* fxcli_init() and a running policy from db (live_init(), which must
 * succeed), for the commands that apply changes; and their end. */
void fxcli_start(struct fxcli *c, sqlite3 *db);
void fxcli_stop(struct fxcli *c);

#endif
