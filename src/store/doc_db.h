/*
 * doc_db.h: the policy document (doc.h) read from the database (nvctl
 * policy export) and applied to it (nvctl policy import).
 *
 * Import is one transaction: it changes what differs and nothing else
 * (importing the same document twice changes nothing the second time),
 * and on any error rolls back whole, so that nothing stored is lost.
 * Without replace it merges: groups of the document are added or take its
 * criteria and mode, rules and assignments it lacks are added (user rules
 * after the others, in its order), user sensors are added or take its
 * rules; nothing else is touched.  With replace the policy becomes the
 * document: what it lacks is deleted (but the built-in groups and
 * sensors), the user rules are its, in its order.  Learned rules are
 * matched by what they allow, user rules by their words, so the ids of
 * the rules that stay stay (events name rules by id).
 *
 * Threads: the main thread's connection.
 */
#ifndef NVD_DOC_DB_H
#define NVD_DOC_DB_H

#include <sqlite3.h>
#include <stddef.h>

#include "store/doc.h"

/*
 * The policy into *d (doc_free() it).  groups NULL: all of it.  Else the
 * named groups (n of them), the rules from or to one of them, the groups
 * those rules name (so that the document stands alone), the assignments
 * of the named groups and the user sensors they assign.  Returns 0,
 * STORE_NOTFOUND ("group 'x' does not exist") or -1, with err.
 */
int doc_export(sqlite3 *db, const char *const *groups, int n, struct doc *d, char *err,
    size_t errlen);

/* One change import made: object "group", "rule", "sensor" or
 * "assignment"; what "added", "changed", "deleted" or "reordered"; name
 * the object's; detail what it is now, or was. */
typedef void doc_change_fn(void *ctx, const char *object, const char *what, const char *name,
    const char *detail);

#define DOC_MERGE	0
#define DOC_REPLACE	1

/*
 * Applies d (mode DOC_MERGE or DOC_REPLACE) in one transaction, telling
 * each change to change(ctx), and commits; dry_run rolls it back instead
 * (the changes are told all the same).  Returns the number of changes,
 * or -1 with err, the database as it was: "$.rules[3].from: group 'x'
 * does not exist (not in the document, not on this host)", "$.sensors[0]
 * .name: sensor 'sensor.waf' is built in here".
 */
int doc_import(sqlite3 *db, const struct doc *d, int mode, int dry_run, doc_change_fn *change,
    void *ctx, char *err, size_t errlen);

#endif
