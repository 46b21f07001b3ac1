/*
 * request.c: what the handlers of nvctl requests do the same way: one
 * options parser, the replies to mistakes and failures, applying a stored
 * change, times and small JSON objects.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon/request.h"
#include "base/control_proto.h"
#include "daemon/daemon.h"
#include "runtime/live.h"
#include "store/store.h"

/* --- arguments --------------------------------------------------------- */

void
req_walk_start(struct req_walk *w, int argc, char **argv, const struct req_opt *opts)
{
	memset(w, 0, sizeof(*w));
	w->argc = argc;
	w->argv = argv;
	w->opts = opts;
}

/* The option of opts named by the len bytes at name, or NULL. */
static const struct req_opt *
opt_find(const struct req_opt *opts, const char *name, size_t len)
{
	for (const struct req_opt *o = opts; o && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

enum req_step
req_walk_next(struct req_walk *w)
{
	const char *a, *eq;

	w->opt = NULL;
	w->val = NULL;
	if (w->i == w->argc)
		return REQ_END;
	a = w->arg = w->argv[w->i++];
	if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
		return REQ_WORD;
	eq = strchr(a, '=');
	w->namelen = eq ? (size_t)(eq - a) : strlen(a);
	if ((w->opt = opt_find(w->opts, a + 2, w->namelen - 2)) == NULL)
		return REQ_BAD_UNKNOWN;
	if (w->opt->kind == REQ_FLAG)
		return eq ? REQ_BAD_FLAG_VALUE : REQ_OPTION;
	if (eq)
		w->val = eq + 1;
	else if (w->i < w->argc)
		w->val = w->argv[w->i++];
	else
		return REQ_BAD_NO_VALUE;
	return REQ_OPTION;
}

/* Where req_parse() keeps the value of an option given n times before. */
static void
opt_keep(const struct req_opt *o, int n, const char *val)
{
	if (o->val)
		o->val[o->max == REQ_ANY ? 0 : n] = val;
	if (o->n)
		*o->n = n + 1;
}

int
req_parse(int argc, char **argv, const struct req_opt *opts, const char **pos, int minpos,
    int maxpos)
{
	int seen[REQ_MAX_OPTS] = { 0 }, npos = 0, k;
	struct req_walk w;
	enum req_step step;

	for (k = 0; opts && opts[k].name; k++) {
		if (k == REQ_MAX_OPTS)
			return -1;
		for (int v = 0; opts[k].val && v < (opts[k].max == REQ_ANY ? 1 : opts[k].max); v++)
			opts[k].val[v] = NULL;
		if (opts[k].n)
			*opts[k].n = 0;
	}
	req_walk_start(&w, argc, argv, opts);
	while ((step = req_walk_next(&w)) == REQ_WORD || step == REQ_OPTION) {
		if (step == REQ_WORD) {
			if (npos == maxpos)
				return -1;
			pos[npos++] = w.arg;
			continue;
		}
		k = (int)(w.opt - opts);
		if (w.opt->max != REQ_ANY && seen[k] == w.opt->max)
			return -1;
		opt_keep(w.opt, seen[k]++, w.val);
	}
	return step != REQ_END || npos < minpos ? -1 : 0;
}

int
req_options(int argc, char **argv, const struct req_opt *opts, const char *usage,
    req_take_fn *take, void *ctx, struct buf *out)
{
	struct req_walk w;
	int rc;

	req_walk_start(&w, argc, argv, opts);
	for (;;) {
		switch (req_walk_next(&w)) {
		case REQ_END:
			return CTL_RESP_OK;
		case REQ_OPTION:
			if ((rc = take(ctx, w.opt, w.val, out)) != CTL_RESP_OK)
				return rc;
			break;
		case REQ_WORD:
			return req_error(out, CTL_RESP_USAGE, "unknown %s '%.64s' (usage: nvctl %s)",
			    w.arg[0] == '-' ? "option" : "argument", w.arg, usage);
		case REQ_BAD_UNKNOWN:
			return req_error(out, CTL_RESP_USAGE, "unknown option '%.*s' (usage: nvctl %s)",
			    (int)(w.namelen < 64 ? w.namelen : 64), w.arg, usage);
		case REQ_BAD_NO_VALUE:
			return req_error(out, CTL_RESP_USAGE, "option --%s needs a value", w.opt->name);
		case REQ_BAD_FLAG_VALUE:
			return req_error(out, CTL_RESP_USAGE, "option --%s takes no value", w.opt->name);
		}
	}
}

int
req_limit(const char *s, long long *limit)
{
	long long v = 0;

	if (*s == '\0')
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if ((v = v * 10 + (*p - '0')) > REQ_MAX_LIMIT)
			return -1;
	}
	*limit = v == 0 ? -1 : v;
	return 0;
}

/* --- replies ----------------------------------------------------------- */

int
req_usage(struct buf *out, const char *usage)
{
	return req_error(out, CTL_RESP_USAGE, "usage: nvctl %s", usage);
}

int
req_error(struct buf *out, int rc, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	buf_reset(out);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_puts(out, msg);
	return rc;
}

int
req_too_big(struct buf *out, const char *what, const char *narrow)
{
	return req_error(out, CTL_RESP_ERROR, "more than %d MiB of %s for one reply; narrow it "
	    "with %s", REQ_REPLY_MAX >> 20, what, narrow);
}

int
req_store_fail(struct buf *out, int rc, const char *err)
{
	return req_error(out, rc == STORE_NOTFOUND ? CTL_RESP_NOTFOUND : CTL_RESP_ERROR, "%s", err);
}

int
req_apply(struct daemon *d, struct buf *out)
{
	char err[512];

	if (live_rebuild(&d->live, err, sizeof(err)) < 0)
		return req_error(out, CTL_RESP_ERROR, "saved, but the running policy was not "
		    "rebuilt: %s", err);
	/* the DLP sensors judge containers' environments too */
	if (admission_run_apply(&d->adm, d->db, err, sizeof(err)) < 0)
		return req_error(out, CTL_RESP_ERROR, "saved, but the admission policy was not "
		    "rebuilt: %s", err);
	return CTL_RESP_OK;
}

int
req_saved(struct daemon *d, int rc, const char *err, struct buf *out)
{
	return rc < 0 ? req_store_fail(out, rc, err) : req_apply(d, out);
}

const char *
req_utc(int64_t t, char *s, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		return NULL;
	strftime(s, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return s;
}

/* req_utc(), or NULL for 0: never. */
static const char *
req_time(int64_t t, char *s, size_t size)
{
	return t <= 0 ? NULL : req_utc(t, s, size);
}

const char *
req_text_time(int64_t t, char *s, size_t size)
{
	const char *f = req_time(t, s, size);

	return f ? f : "-";
}

void
req_json_time(struct buf *out, int64_t t)
{
	char s[32];

	buf_json_str(out, req_time(t, s, sizeof(s)));
}

void
req_json_strings(struct buf *out, const char *key, ...)
{
	va_list ap;

	buf_puts(out, "{");
	va_start(ap, key);
	for (const char *k = key; k; k = va_arg(ap, const char *)) {
		buf_printf(out, "%s\"%s\":", k == key ? "" : ",", k);
		buf_json_str(out, va_arg(ap, const char *));
	}
	va_end(ap);
	buf_puts(out, "}\n");
}

const char *
req_col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}
