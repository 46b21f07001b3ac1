/*
 * table.h: the text tables of nvctl replies: cells added row by row,
 * printed with each column as wide as its widest cell, two spaces apart,
 * no trailing blanks.  A cell of NULL prints as "-".
 */
#ifndef NVD_TABLE_H
#define NVD_TABLE_H

#include "base/buf.h"

#define TABLE_MAX_COLS	16

struct table {
	int ncols;		/* set before the first cell, at most TABLE_MAX_COLS */
	char **cell;
	int n, cap;
	int failed;		/* out of memory: table_print says so */
};

void table_add(struct table *t, const char *s);
void table_addf(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void table_print(struct table *t, struct buf *o);
void table_free(struct table *t);

#endif
