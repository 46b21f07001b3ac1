/*
 * proto_smtp.c: SMTP by the server's greeting and the client's first
 * command (RFC 5321 4.2, 4.1.1, 4.5.3.1).
 *
 * The server speaks first: "220 domain text CRLF", or lines "220-..." then
 * a last "220 ...", each line at most 512 bytes.  FTP greets with 220 too,
 * so the client's first command decides: EHLO or HELO is SMTP; QUIT, NOOP,
 * HELP, RSET, VRFY, EXPN or MAIL only when the greeting names SMTP (upper
 * case, as in "ESMTP"; host names are lower case) and not FTP; anything
 * else is not SMTP.  A client that leaves
 * without a word leaves an SMTP server if the greeting says so, else an
 * unknown one.  server is the greeting's first line, method the command.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "proto/app.h"
#include "base/types.h"

#define LINE_MAX_SMTP	512	/* reply and command lines, CRLF included */
#define GREETING_MAX	2048

static const char *const verbs[] = { "EHLO", "HELO" };
static const char *const weak_verbs[] = { "QUIT", "NOOP", "HELP", "RSET", "VRFY", "EXPN", "MAIL" };

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
	if (i >= LINE_MAX_SMTP)
		*bad = 1;
	return i;
}

/*
 * The greeting's lines: its length with the last line's LF in *glen (0
 * while incomplete), its first line's text in *t, *tl.
 */
static enum app_result
greeting(const uint8_t *s, size_t sn, size_t *glen, const uint8_t **t, size_t *tl)
{
	size_t off = 0, l;
	int bad = 0;

	for (*glen = 0; off < sn && off < GREETING_MAX; off += l + 1) {
		l = text_line(s + off, sn - off, &bad);
		if (bad || memcmp(s + off, "220", l < 3 ? l : 3) != 0 ||
		    (l > 3 && s[off + 3] != ' ' && s[off + 3] != '-' && s[off + 3] != '\r'))
			return APP_NO;
		if (off == 0 && l > 4) {
			*t = s + 4;
			*tl = l - 4 - (s[l - 1] == '\r');
		}
		if (l == sn - off)
			return APP_MAYBE;
		if (l < 4 || s[off + 3] != '-') {
			*glen = off + l + 1;
			return APP_YES;
		}
	}
	return off < sn ? APP_NO : APP_MAYBE;
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

/* The greeting names SMTP and not FTP. */
static int
says_smtp(const uint8_t *s, size_t glen)
{
	return memmem(s, glen, "SMTP", 4) != NULL && memmem(s, glen, "FTP", 3) == NULL;
}

static enum app_result
smtp_probe(const struct app_input *in, struct app_info *info)
{
	const uint8_t *s = in->data[DIR_TO_CLIENT], *c = in->data[DIR_TO_SERVER], *t = s;
	size_t sn = in->len[DIR_TO_CLIENT], cn = in->len[DIR_TO_SERVER], glen, tl = 0, w, l;
	enum app_result r;
	int bad = 0;

	if ((r = greeting(s, sn, &glen, &t, &tl)) == APP_NO)
		return APP_NO;
	if (r == APP_MAYBE)	/* the client waits for the whole greeting */
		return cn > 0 ? APP_NO : more(in, DIR_TO_CLIENT);
	if (cn == 0) {
		if (!in->closed[DIR_TO_SERVER])
			return APP_MAYBE;
		if (!says_smtp(s, glen))
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
	if (!listed(verbs, NWORDS(verbs), c, w, 0) && !says_smtp(s, glen))
		return APP_NO;
	app_copy_text(info->server, sizeof(info->server), t, tl);
	app_copy_text(info->method, sizeof(info->method), c, w);
	for (char *m = info->method; *m != '\0'; m++)
		if (*m >= 'a' && *m <= 'z')
			*m = (char)(*m - 'a' + 'A');
	return APP_YES;
}

const struct app_ops proto_smtp = {
	.id = APP_SMTP,
	.name = "SMTP",
	.word = "smtp",
	.hint_ports = { 25, 587, 2525 },
	.probe = smtp_probe,
};
