/*
 * handle_doc.c: nvctl policy export and import, the policy as one JSON
 * document (store/doc.h, store/doc_db.h; nvd(8), POLICY AS CODE): the
 * network policy, sensors, and admission control.
 *
 * nvctl reads the file to import with its user's rights and sends its
 * text (--document); nvd opens no path a client names.  The file's name
 * comes along for the messages only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/control_proto.h"
#include "daemon/admission_run.h"
#include "daemon/daemon.h"
#include "daemon/request.h"
#include "store/doc.h"
#include "store/doc_db.h"
#include "store/store.h"

#define USAGE_EXPORT	"policy export [--groups G[,G...]]"
#define USAGE_IMPORT	"policy import FILE [--dry-run] [--replace]"
#define USAGE_POLICY	"policy export|import ..."
#define MAX_EXPORT_GROUPS	256

/* "a,b,c" into names (pointers into text, which is cut at the commas). */
static int
split_groups(char *text, const char **names, int max)
{
	int n = 0;

	for (char *p = text; ; p++) {
		char *comma = strchr(p, ',');

		if (*p == '\0' || *p == ',' || n == max)
			return -1;
		names[n++] = p;
		if (comma == NULL)
			return n;
		*comma = '\0';
		p = comma;
	}
}

static int
cmd_export(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *groups = NULL, *names[MAX_EXPORT_GROUPS];
	const struct req_opt opts[] = {
		{ .name = "groups", .max = 1, .val = &groups },
		{ .name = NULL },
	};
	char err[512], *list = NULL;
	struct doc doc;
	int n = 0, rc;

	if (req_parse(argc, argv, opts, NULL, 0, 0) < 0)
		return req_usage(o, USAGE_EXPORT);
	if (groups && ((list = strdup(groups)) == NULL ||
	    (n = split_groups(list, names, MAX_EXPORT_GROUPS)) < 0)) {
		free(list);
		return req_error(o, CTL_RESP_USAGE, "bad --groups '%.64s' (names separated by "
		    "',', at most %d)", groups, MAX_EXPORT_GROUPS);
	}
	rc = doc_export(d->db, groups ? names : NULL, n, &doc, err, sizeof(err));
	free(list);
	if (rc < 0)
		return req_store_fail(o, rc, err);
	doc_write(&doc, o);	/* JSON either way */
	doc_free(&doc);
	if (o->len > REQ_REPLY_MAX)
		return req_too_big(o, "policy", "--groups");
	return CTL_RESP_OK;
}

/* Where import tells its changes: text lines or JSON objects. */
struct told {
	struct buf *o;
	int json, n;
	int admission;		/* the admission policy changed */
	int responses;		/* the response rules changed */
};

static void
tell(void *ctx, const char *object, const char *what, const char *name, const char *detail)
{
	struct told *t = ctx;

	t->admission |= !strncmp(object, "admission", 9);
	t->responses |= !strncmp(object, "response", 8);
	if (!t->json) {
		buf_printf(t->o, "%s%s%s %s: %s\n", object, name[0] ? " " : "", name, what, detail);
		return;
	}
	buf_puts(t->o, t->n ? ",{\"object\":" : "{\"object\":");
	buf_json_str(t->o, object);
	buf_puts(t->o, ",\"change\":");
	buf_json_str(t->o, what);
	buf_puts(t->o, ",\"name\":");
	buf_json_str(t->o, name);
	buf_puts(t->o, ",\"detail\":");
	buf_json_str(t->o, detail);
	buf_puts(t->o, "}");
	t->n++;
}

static int
cmd_import(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	const char *pos[1], *text = NULL;
	int dry, replace, n;
	const struct req_opt opts[] = {
		{ .name = "document", .max = 1, .val = &text },
		{ .name = "dry-run", .kind = REQ_FLAG, .max = 1, .n = &dry },
		{ .name = "replace", .kind = REQ_FLAG, .max = 1, .n = &replace },
		{ .name = NULL },
	};
	struct told t = { .o = o, .json = json };
	char err[1024];
	struct doc doc;

	if (req_parse(argc, argv, opts, pos, 1, 1) < 0 || text == NULL)
		return req_usage(o, USAGE_IMPORT);
	if (doc_parse(text, strlen(text), &doc, err, sizeof(err)) < 0)
		return req_error(o, CTL_RESP_ERROR, "%.256s: %s", pos[0], err);
	if (json)
		buf_puts(o, "{\"changes\":[");
	n = doc_import(d->db, &doc, replace ? DOC_REPLACE : DOC_MERGE, dry, tell, &t, err,
	    sizeof(err));
	doc_free(&doc);
	if (n < 0)
		return req_error(o, CTL_RESP_ERROR, "%.256s: %s; nothing changed", pos[0], err);
	if (json)
		buf_printf(o, "],\"count\":%d,\"dry_run\":%s}\n", n, dry ? "true" : "false");
	else if (n == 0)
		buf_puts(o, "no changes\n");
	else
		buf_printf(o, "%d change%s%s\n", n, n == 1 ? "" : "s",
		    dry ? " (dry run: nothing saved)" : " saved");
	if (o->len > REQ_REPLY_MAX)
		return req_too_big(o, "changes", "--dry-run on a smaller document");
	if (n == 0 || dry)
		return CTL_RESP_OK;
	if (t.admission && admission_run_apply(&d->adm, d->db, err, sizeof(err)) < 0)
		return req_error(o, CTL_RESP_ERROR, "saved, but the admission policy was not "
		    "rebuilt: %s", err);
	if (t.responses && daemon_response_reload(d, err, sizeof(err)) < 0)
		return req_error(o, CTL_RESP_ERROR, "saved, but the response rules were not "
		    "reloaded: %s", err);
	return req_apply(d, o);
}

static int
cmd_policy(struct daemon *d, int argc, char **argv, int json, struct buf *o)
{
	return req_usage(o, USAGE_POLICY);
}

const struct handler doc_handlers[] = {
	{ { "policy", "export" }, 0, CTL_MAX_ARGS, USAGE_EXPORT, cmd_export, REQ_READS },
	{ { "policy", "import" }, 0, CTL_MAX_ARGS, USAGE_IMPORT, cmd_import, REQ_CHANGES },
	{ { "policy" }, 0, CTL_MAX_ARGS, USAGE_POLICY, cmd_policy, REQ_READS },
	{ { NULL }, 0, 0, NULL, NULL, REQ_UNSAID },
};
