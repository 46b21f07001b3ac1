/*
 * proto_ftp.c: FTP by the server's greeting and the client's first
 * command (RFC 959 4.2, 5.3; RFC 2228 AUTH, RFC 2389 FEAT and OPTS).
 *
 * The server speaks first: "220 text CRLF", or "220-text" then any lines
 * up to one that starts "220 ".  SMTP greets with 220 too, so the client's
 * first command decides: USER, AUTH, FEAT, SYST, OPTS, HOST, CLNT, PBSZ or
 * PROT is FTP; QUIT, NOOP, HELP or STAT only when the greeting names FTP
 * (upper case, as in "vsFTPd"; host names are lower case) and not SMTP;
 * anything else is not FTP.  A client that leaves without a word leaves an
 * FTP server if the greeting says so.  server is the greeting's first
 * line, method the command, user the argument of a first USER.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "proto/app.h"
#include "base/types.h"

#define LINE_MAX_FTP	512
#define GREETING_MAX	2048

static const char *const verbs[] = {
	"USER", "AUTH", "FEAT", "SYST", "OPTS", "HOST", "CLNT", "PBSZ", "PROT",
};
static const char *const weak_verbs[] = { "QUIT", "NOOP", "HELP", "STAT" };

#define NWORDS(a)	(sizeof(a) / sizeof((a)[0]))

/* No more bytes will come in that direction: what is missing never will. */
static enum app_result
more(const struct app_input *in, int dir)
{
	return in->closed[dir] || in->len[dir] >= APP_PROBE_MAX ? APP_NO : APP_MAYBE;
}

/* The line at p (n bytes so far) is text: its length to the LF, or n. */
static size_t
text_line(const uint8_t *p, size_t n, int *bad)
{
	size_t i;

	for (i = 0; i < n && p[i] != '\n'; i++)
		if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\r') || p[i] > 0x7e ||
		    (p[i] == '\r' && i + 1 < n && p[i + 1] != '\n'))
			*bad = 1;
	if (i >= LINE_MAX_FTP)
		*bad = 1;
	return i;
}

/*
 * The greeting: its length with the last line's LF in *glen (0 while
 * incomplete), its first line's text in *t, *tl.
 */
static enum app_result
greeting(const uint8_t *s, size_t sn, size_t *glen, const uint8_t **t, size_t *tl)
{
	size_t off = 0, l;
	int bad = 0;

	if (sn == 0)
		return APP_MAYBE;
	l = text_line(s, sn, &bad);
	if (bad || memcmp(s, "220", l < 3 ? l : 3) != 0 ||
	    (l > 3 && s[3] != ' ' && s[3] != '-' && s[3] != '\r'))
		return APP_NO;
	if (l > 4) {
		*t = s + 4;
		*tl = l - 4 - (s[l - 1] == '\r');
	}
	/* A multi-line greeting ends at a line starting "220 ". */
	while (l < sn - off && off < GREETING_MAX) {
		if (off > 0 ? l >= 4 && memcmp(s + off, "220 ", 4) == 0 : l < 4 || s[3] != '-') {
			*glen = off + l + 1;
			return APP_YES;
		}
		off += l + 1;
		l = text_line(s + off, sn - off, &bad);
		if (bad)
			return APP_NO;
	}
	return off >= GREETING_MAX ? APP_NO : APP_MAYBE;
}

/* Whether the word is, or (partial) could grow into, one in list. */
static int
listed(const char *const *list, size_t nlist, const uint8_t *w, size_t wl, int partial)
{
	for (size_t k = 0; k < nlist; k++)
		if ((partial ? wl <= strlen(list[k]) : wl == strlen(list[k])) &&
		    strncasecmp((const char *)w, list[k], wl) == 0)
			return 1;
	return 0;
}

/* The greeting names FTP and not SMTP. */
static int
says_ftp(const uint8_t *s, size_t glen)
{
	return memmem(s, glen, "FTP", 3) != NULL && memmem(s, glen, "SMTP", 4) == NULL;
}

/* The first client line, complete (l bytes to its LF), verb of w bytes. */
static void
fill(struct app_info *info, const uint8_t *c, size_t w, size_t l)
{
	app_copy_text(info->method, sizeof(info->method), c, w);
	for (char *m = info->method; *m != '\0'; m++)
		if (*m >= 'a' && *m <= 'z')
			*m = (char)(*m - 'a' + 'A');
	if (l > 0 && c[l - 1] == '\r')
		l--;
	if (strcmp(info->method, "USER") == 0 && l > w + 1)
		app_copy_text(info->user, sizeof(info->user), c + w + 1, l - w - 1);
}

static enum app_result
ftp_probe(const struct app_input *in, struct app_info *info)
{
	const uint8_t *s = in->data[DIR_TO_CLIENT], *c = in->data[DIR_TO_SERVER], *t = s;
	size_t sn = in->len[DIR_TO_CLIENT], cn = in->len[DIR_TO_SERVER], glen = 0, tl = 0, w, l;
	enum app_result r;
	int bad = 0;

	if ((r = greeting(s, sn, &glen, &t, &tl)) == APP_NO)
		return APP_NO;
	if (r == APP_MAYBE)	/* the client waits for the whole greeting */
		return cn > 0 ? APP_NO : more(in, DIR_TO_CLIENT);
	if (cn == 0) {
		if (!in->closed[DIR_TO_SERVER])
			return APP_MAYBE;
		if (!says_ftp(s, glen))
			return APP_NO;
		app_copy_text(info->server, sizeof(info->server), t, tl);
		return APP_YES;
	}
	for (w = 0; w < cn && ((c[w] | 0x20) >= 'a' && (c[w] | 0x20) <= 'z'); w++)
		;
	if (w == 0 || (w < cn && c[w] != ' ' && c[w] != '\r' && c[w] != '\n'))
		return APP_NO;
	if (!listed(verbs, NWORDS(verbs), c, w, w == cn) &&
	    !listed(weak_verbs, NWORDS(weak_verbs), c, w, w == cn))
		return APP_NO;
	if ((l = text_line(c, cn, &bad)) == cn || bad)
		return bad ? APP_NO : more(in, DIR_TO_SERVER);
	if (!listed(verbs, NWORDS(verbs), c, w, 0) && !says_ftp(s, glen))
		return APP_NO;
	app_copy_text(info->server, sizeof(info->server), t, tl);
	fill(info, c, w, l);
	return APP_YES;
}

const struct app_ops proto_ftp = {
	.id = APP_FTP,
	.name = "FTP",
	.word = "ftp",
	.hint_ports = { 21 },
	.probe = ftp_probe,
};
