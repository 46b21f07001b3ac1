#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/table.h"

void
table_add(struct table *t, const char *s)
{
	if (t->failed)
		return;
	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 64;
		char **c = realloc(t->cell, (size_t)cap * sizeof(*c));

		if (c == NULL) {
			t->failed = 1;
			return;
		}
		t->cell = c;
		t->cap = cap;
	}
	if ((t->cell[t->n] = strdup(s ? s : "-")) == NULL)
		t->failed = 1;
	else
		t->n++;
}

void
table_addf(struct table *t, const char *fmt, ...)
{
	char s[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	table_add(t, s);
}

void
table_print(struct table *t, struct buf *o)
{
	int w[TABLE_MAX_COLS] = { 0 };

	if (t->failed) {
		buf_puts(o, "out of memory\n");
		return;
	}
	for (int i = 0; i < t->n; i++) {
		int len = (int)strlen(t->cell[i]);

		if (len > w[i % t->ncols])
			w[i % t->ncols] = len;
	}
	for (int i = 0; i < t->n; i++) {
		int c = i % t->ncols;

		if (c == t->ncols - 1)
			buf_printf(o, "%s\n", t->cell[i]);
		else
			buf_printf(o, "%-*s  ", w[c], t->cell[i]);
	}
}

void
table_free(struct table *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->cell[i]);
	free(t->cell);
	memset(t, 0, sizeof(*t));
}
