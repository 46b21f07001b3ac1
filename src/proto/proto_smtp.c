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

#include "proto/app.h"
#include "proto/probe.h"

#define LINE_MAX_SMTP	512	/* reply and command lines, CRLF included */
#define GREETING_MAX	2048

static const char *const verbs[] = { "EHLO", "HELO" };
static const char *const weak_verbs[] = { "QUIT", "NOOP", "HELP", "RSET", "VRFY", "EXPN", "MAIL" };

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
		l = probe_text_line(s + off, sn - off, LINE_MAX_SMTP, &bad);
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

static const struct probe_greeted smtp = {
	.greeting = greeting,
	.verbs = verbs,
	.nverbs = PROBE_NWORDS(verbs),
	.weak_verbs = weak_verbs,
	.nweak = PROBE_NWORDS(weak_verbs),
	.name = "SMTP",
	.other = "FTP",
	.line_max = LINE_MAX_SMTP,
};

static enum app_result
smtp_probe(const struct app_input *in, struct app_info *info)
{
	size_t verb, line;

	return probe_greeted_command(in, &smtp, info, &verb, &line);
}

const struct app_ops proto_smtp = {
	.id = APP_SMTP,
	.name = "SMTP",
	.word = "smtp",
	.hint_ports = { 25, 587, 2525 },
	.probe = smtp_probe,
};
