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

#include "proto/app.h"
#include "proto/probe.h"
#include "base/types.h"

#define LINE_MAX_FTP	512
#define GREETING_MAX	2048

static const char *const verbs[] = {
	"USER", "AUTH", "FEAT", "SYST", "OPTS", "HOST", "CLNT", "PBSZ", "PROT",
};
static const char *const weak_verbs[] = { "QUIT", "NOOP", "HELP", "STAT" };

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
	l = probe_text_line(s, sn, LINE_MAX_FTP, &bad);
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
		l = probe_text_line(s + off, sn - off, LINE_MAX_FTP, &bad);
		if (bad)
			return APP_NO;
	}
	return off >= GREETING_MAX ? APP_NO : APP_MAYBE;
}

static const struct probe_greeted ftp = {
	.greeting = greeting,
	.verbs = verbs,
	.nverbs = PROBE_NWORDS(verbs),
	.weak_verbs = weak_verbs,
	.nweak = PROBE_NWORDS(weak_verbs),
	.name = "FTP",
	.other = "SMTP",
	.line_max = LINE_MAX_FTP,
};

static enum app_result
ftp_probe(const struct app_input *in, struct app_info *info)
{
	const uint8_t *c = in->data[DIR_TO_SERVER];
	size_t w, l;
	enum app_result r = probe_greeted_command(in, &ftp, info, &w, &l);

	if (r != APP_YES || l == 0)
		return r;
	if (c[l - 1] == '\r')
		l--;
	if (strcmp(info->method, "USER") == 0 && l > w + 1)
		app_copy_text(info->user, sizeof(info->user), c + w + 1, l - w - 1);
	return APP_YES;
}

const struct app_ops proto_ftp = {
	.id = APP_FTP,
	.name = "FTP",
	.word = "ftp",
	.hint_ports = { 21 },
	.probe = ftp_probe,
};
