/*
 * probe.c: the helpers the protocol probes share (probe.h): one copy of
 * what several proto_*.c files need, none of them a probe itself.
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "proto/probe.h"
#include "base/types.h"

enum app_result
probe_more(const struct app_input *in, int dir)
{
	return in->closed[dir] || in->len[dir] >= APP_PROBE_MAX ? APP_NO : APP_MAYBE;
}

enum app_result
probe_client_first(const struct app_input *in)
{
	if (in->proto == IPPROTO_UDP)
		return APP_NO;
	if (in->len[0] == 0)
		return in->len[1] > 0 ? APP_NO : APP_MAYBE;
	return APP_YES;
}

int
probe_listed(const char *const *list, size_t nlist, const uint8_t *w, size_t wl, int partial)
{
	for (size_t k = 0; k < nlist; k++)
		if ((partial ? wl <= strlen(list[k]) : wl == strlen(list[k])) &&
		    strncasecmp((const char *)w, list[k], wl) == 0)
			return 1;
	return 0;
}

void
probe_copy_upper(char *out, size_t cap, const uint8_t *s, size_t n)
{
	app_copy_text(out, cap, s, n);
	for (char *m = out; cap > 0 && *m != '\0'; m++)
		if (*m >= 'a' && *m <= 'z')
			*m = (char)(*m - 'a' + 'A');
}

size_t
probe_text_line(const uint8_t *p, size_t n, size_t max, int *bad)
{
	size_t i;

	for (i = 0; i < n && p[i] != '\n'; i++)
		if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\r') || p[i] > 0x7e ||
		    (p[i] == '\r' && i + 1 < n && p[i + 1] != '\n'))
			*bad = 1;
	if (i >= max)
		*bad = 1;
	return i;
}

/* The greeting names the protocol and not the other one. */
static int
says(const struct probe_greeted *g, const uint8_t *s, size_t glen)
{
	return memmem(s, glen, g->name, strlen(g->name)) != NULL &&
	    memmem(s, glen, g->other, strlen(g->other)) == NULL;
}

enum app_result
probe_greeted_command(const struct app_input *in, const struct probe_greeted *g,
    struct app_info *info, size_t *verb, size_t *line)
{
	const uint8_t *s = in->data[DIR_TO_CLIENT], *c = in->data[DIR_TO_SERVER], *t = s;
	size_t sn = in->len[DIR_TO_CLIENT], cn = in->len[DIR_TO_SERVER], glen = 0, tl = 0, w, l;
	enum app_result r;
	int bad = 0;

	*verb = *line = 0;
	if ((r = g->greeting(s, sn, &glen, &t, &tl)) == APP_NO)
		return APP_NO;
	if (r == APP_MAYBE)	/* the client waits for the whole greeting */
		return cn > 0 ? APP_NO : probe_more(in, DIR_TO_CLIENT);
	if (cn == 0) {
		if (!in->closed[DIR_TO_SERVER])
			return APP_MAYBE;
		if (!says(g, s, glen))
			return APP_NO;
		app_copy_text(info->server, sizeof(info->server), t, tl);
		return APP_YES;
	}
	for (w = 0; w < cn && ((c[w] | 0x20) >= 'a' && (c[w] | 0x20) <= 'z'); w++)
		;
	if (w == 0 || (w < cn && c[w] != ' ' && c[w] != '\r' && c[w] != '\n'))
		return APP_NO;
	if (!probe_listed(g->verbs, g->nverbs, c, w, w == cn) &&
	    !probe_listed(g->weak_verbs, g->nweak, c, w, w == cn))
		return APP_NO;
	if ((l = probe_text_line(c, cn, g->line_max, &bad)) == cn || bad)
		return bad ? APP_NO : probe_more(in, DIR_TO_SERVER);
	if (!probe_listed(g->verbs, g->nverbs, c, w, 0) && !says(g, s, glen))
		return APP_NO;
	app_copy_text(info->server, sizeof(info->server), t, tl);
	probe_copy_upper(info->method, sizeof(info->method), c, w);
	*verb = w;
	*line = l;
	return APP_YES;
}
