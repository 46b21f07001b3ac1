/*
 * fixture_cli.c: nvctl requests through control_dispatch() (fixture_cli.h).
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "base/control_proto.h"
#include "daemon/control.h"
#include "fixture_cli.h"
#include "runtime/live.h"

void
fxcli_init(struct fxcli *c, sqlite3 *db)
{
	memset(&c->d, 0, sizeof(c->d));
	c->d.db = db;
	adm_live_init(&c->d.adm.live);	/* what admission requests hand their policy to */
	buf_init(&c->out);
}

void
fxcli_free(struct fxcli *c)
{
	buf_free(&c->out);
	adm_live_destroy(&c->d.adm.live);
}

void
fxcli_init_live(struct fxcli *c, sqlite3 *db)
{
	char err[512];

	fxcli_init(c, db);
	ck_assert_msg(live_init(&c->d.live, db, MODE_DISCOVER, 0, err, sizeof(err)) == 0, "%s",
	    err);
}

void
fxcli_free_live(struct fxcli *c)
{
	fxcli_free(c);
	live_destroy(&c->d.live);
}

int
fxcli_cmd(struct fxcli *c, int json, const char *cmd, ...)
{
	va_list ap;
	int rc;

	va_start(ap, cmd);
	rc = fxcli_run(c, json, cmd, ap);
	va_end(ap);
	return rc;
}

int
fxcli_run(struct fxcli *c, int json, const char *cmd, va_list ap)
{
	char *argv[CTL_MAX_ARGS] = { (char *)cmd };
	int argc = 1;

	while ((argv[argc] = va_arg(ap, char *)) != NULL) {
		argc++;
		ck_assert_int_lt(argc, CTL_MAX_ARGS);
	}
	buf_reset(&c->out);
	return control_dispatch(&c->d, argc, argv, json, &c->out);
}

const char *
fxcli_reply(struct fxcli *c)
{
	buf_append(&c->out, "", 1);
	c->out.len--;
	return c->out.data;
}

int
fxcli_call(struct fxcli *c, int json, const char *cmd, ...)
{
	va_list ap;
	int rc;

	va_start(ap, cmd);
	rc = fxcli_run(c, json, cmd, ap);
	va_end(ap);
	return rc;
}

void
fxcli_start(struct fxcli *c, sqlite3 *db)
{
	char err[512];

	fxcli_init(c, db);
	ck_assert_msg(live_init(&c->d.live, db, MODE_DISCOVER, 0, err, sizeof(err)) == 0, "%s",
	    err);
}

void
fxcli_stop(struct fxcli *c)
{
	fxcli_free(c);
	live_destroy(&c->d.live);
}
