/*
 * request.h: what the daemon's handlers of nvctl requests share.  Each
 * handle_*.c file exports one table of handlers, ended by an entry whose
 * words[0] is NULL; control_dispatch() (control.h) searches the tables in
 * order.
 *
 * A handler runs on the main thread with the words removed from argv,
 * writes its reply (text, or one JSON value when json is set) into out and
 * returns a CTL_RESP_* code.  On an error it writes the message without the
 * "nvctl: " prefix (nvctl adds it).
 *
 * request.c holds what every handler does the same way: reading its
 * arguments (one options parser), saying an error, applying a change to
 * the running policy, writing times.
 */
#ifndef NVD_REQUEST_H
#define NVD_REQUEST_H

#include <stdint.h>

#include "base/buf.h"
#include "base/control_proto.h"

struct daemon;

/*
 * What a request does, and so who may send it (control_proto.h): root and
 * group nvd anything, group nvd-read only REQ_READS.  Every table entry
 * says which, the ending one REQ_UNSAID: one that does not is warned about
 * (-Wmissing-field-initializers), refused to nvd-read, and failed by
 * check_control.
 */
enum req_access {
	REQ_UNSAID,
	REQ_READS,		/* shows state and changes nothing */
	REQ_CHANGES,		/* changes policy, workloads, config or state */
};

struct handler {
	const char *words[3];	/* leading words, NULL-padded */
	int min_args, max_args;	/* arguments after the words */
	const char *usage;
	int (*run)(struct daemon *d, int argc, char **argv, int json, struct buf *out);
	enum req_access access;
};

extern const struct handler status_handlers[];		/* handle_status.c */
extern const struct handler policy_handlers[];		/* handle_policy.c */
extern const struct handler event_handlers[];		/* handle_events.c */
extern const struct handler conv_handlers[];		/* handle_conv.c */
extern const struct handler dns_handlers[];		/* handle_dns.c */
extern const struct handler sensor_handlers[];		/* handle_sensor.c */
extern const struct handler admission_handlers[];	/* handle_admission.c */
extern const struct handler graph_handlers[];		/* handle_graph.c */
extern const struct handler dash_handlers[];		/* handle_dash.c */
extern const struct handler doc_handlers[];		/* handle_doc.c */
extern const struct handler response_handlers[];	/* handle_response.c */
extern const struct handler threat_handlers[];		/* handle_threat.c */

/* --- arguments --------------------------------------------------------- */

/*
 * A request's arguments are words and options.  An option is "--name VALUE"
 * or "--name=VALUE" (the VALUE after a space is the next argument, even
 * one starting with "--"), or "--name" alone for a flag; any other
 * argument, "--" and "-x" included, is a word.
 */
#define REQ_MAX_VALUES	16	/* values one option may keep */
#define REQ_MAX_OPTS	16	/* options in one table (req_parse() refuses more) */
#define REQ_ANY		0	/* req_opt.max: any number of times */

enum req_kind {
	REQ_VALUE,		/* "--name VALUE" or "--name=VALUE" */
	REQ_FLAG,		/* "--name" alone */
};

/* One option a request accepts; a table of them ends with a NULL name. */
struct req_opt {
	const char *name;	/* without the leading "--" */
	enum req_kind kind;
	int max;		/* times it may be given, 1 to REQ_MAX_VALUES, or REQ_ANY */
	/*
	 * Where req_parse() puts the values (pointers into argv): max of
	 * them in the order given, or with REQ_ANY the last one; NULL where
	 * none was given.  NULL: kept nowhere (a flag's value is its count).
	 */
	const char **val;
	int *n;			/* where req_parse() counts them, or NULL */
};

/* A walk over the arguments, one at a time (getopt's way). */
struct req_walk {
	int argc;
	char **argv;
	const struct req_opt *opts;
	int i;			/* the next argument */
	/*
	 * After REQ_OPTION: the option and its value (NULL for a flag); after
	 * REQ_BAD_NO_VALUE or REQ_BAD_FLAG_VALUE: the option.
	 */
	const struct req_opt *opt;
	const char *val;
	/* After REQ_WORD: the word.  After a REQ_BAD_*: the argument at fault. */
	const char *arg;
	size_t namelen;		/* after an option or REQ_BAD_*: the length of "--name" */
};

enum req_step {
	REQ_END,		/* no argument left */
	REQ_WORD,
	REQ_OPTION,
	REQ_BAD_UNKNOWN,	/* "--name" that is not in the table */
	REQ_BAD_NO_VALUE,	/* an option that needs a value, as the last argument */
	REQ_BAD_FLAG_VALUE,	/* "--flag=VALUE" */
};

void req_walk_start(struct req_walk *w, int argc, char **argv, const struct req_opt *opts);
/* The next argument, or what is wrong with it. */
enum req_step req_walk_next(struct req_walk *w);

/*
 * For requests of words and options (nvctl workload add NAME --ip A ...):
 * the words go to pos (minpos to maxpos of them), the options to their
 * req_opt.val and .n (opts may be NULL: none).  Returns 0, or -1 for any
 * mistake: an unknown option, one given more than its max, one without its
 * value, a flag given one, too few or too many words.  The reply to a
 * mistake is the usage line (req_usage()).
 */
int req_parse(int argc, char **argv, const struct req_opt *opts, const char **pos, int minpos,
    int maxpos);

/* Takes the value of option o; CTL_RESP_OK, or an error code with out set. */
typedef int req_take_fn(void *ctx, const struct req_opt *o, const char *val, struct buf *out);

/*
 * For requests of options only, filters (nvctl events --type T ...): each
 * option is given to take in turn, as often as it comes (req_opt.max, .val
 * and .n are not used), so a later one overrides an earlier one and the
 * first mistake is the one said.  Returns CTL_RESP_OK, take's
 * code, or CTL_RESP_USAGE with out saying "unknown option '--x' (usage:
 * nvctl USAGE)", "unknown argument 'x' (usage: nvctl USAGE)", "option --x
 * needs a value" or "option --x takes no value".
 */
int req_options(int argc, char **argv, const struct req_opt *opts, const char *usage,
    req_take_fn *take, void *ctx, struct buf *out);

/*
 * The --limit N of a listing: decimal digits, 0 to REQ_MAX_LIMIT, where 0
 * is no limit (-1 in *limit).  Returns 0, or -1 for anything else.
 */
#define REQ_MAX_LIMIT	1000000000
int req_limit(const char *s, long long *limit);

/* --- replies ----------------------------------------------------------- */

/*
 * nvctl reads at most CTL_MAX_RESPONSE: a listing that grows past this is
 * refused (req_too_big()) rather than cut.
 */
#define REQ_REPLY_MAX	(CTL_MAX_RESPONSE / 2)

/* "usage: nvctl USAGE" in out (replacing what it held); CTL_RESP_USAGE. */
int req_usage(struct buf *out, const char *usage);
/* The message in out (replacing what it held); returns rc. */
int req_error(struct buf *out, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * A reply over REQ_REPLY_MAX refused: "more than 32 MiB of WHAT for one
 * reply; narrow it with NARROW" in out; CTL_RESP_ERROR.
 */
int req_too_big(struct buf *out, const char *what, const char *narrow);

/*
 * After a store_* call failed with rc and err: err, with CTL_RESP_NOTFOUND
 * for STORE_NOTFOUND and CTL_RESP_ERROR for the others.
 */
int req_store_fail(struct buf *out, int rc, const char *err);
/*
 * Applies the changes just stored to the running policy (live_rebuild()),
 * before the reply, so that nvctl returns once the packet path judges by
 * them.  CTL_RESP_OK, or CTL_RESP_ERROR with "saved, but ..." in out.
 */
int req_apply(struct daemon *d, struct buf *out);
/* After a store_* call that saved a change: req_store_fail(), or req_apply(). */
int req_saved(struct daemon *d, int rc, const char *err, struct buf *out);

/*
 * t, seconds since the epoch, in RFC 3339 UTC ("2026-11-28T17:00:00Z")
 * into s (32 bytes are enough); NULL if it is past gmtime_r()'s range.
 */
const char *req_utc(int64_t t, char *s, size_t size);
/* For times that may be unset (0: never): req_utc(), or "-" for people ... */
const char *req_text_time(int64_t t, char *s, size_t size);
/* ... and null in JSON. */
void req_json_time(struct buf *out, int64_t t);
/*
 * {"KEY":"VALUE",...}\n, of the NULL-ended KEY, VALUE pairs (keys written
 * as they are, values as JSON strings).
 */
void req_json_strings(struct buf *out, const char *key, ...);

/* Column i of st's row as text, "" for NULL. */
struct sqlite3_stmt;
const char *req_col(struct sqlite3_stmt *st, int i);

#endif
