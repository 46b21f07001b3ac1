/*
 * probe.h: what the protocol probes share, so that each proto_*.c holds
 * only its own protocol: whether more bytes can still come, the opening
 * of a client-first TCP protocol, words from a list, and the text lines of
 * the line-based protocols (SMTP and FTP greetings and commands, Redis
 * inline commands).  Only probes include it; it knows none of them.
 */
#ifndef NVD_PROBE_H
#define NVD_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/app.h"

#define PROBE_NWORDS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Whether bytes still to come in direction dir can change the answer:
 * APP_NO once that direction closed or reached APP_PROBE_MAX (what is
 * missing never will come), else APP_MAYBE.
 */
enum app_result probe_more(const struct app_input *in, int dir);

/*
 * The opening of a TCP protocol whose client speaks first: APP_NO over
 * UDP or when the server spoke first, APP_MAYBE while nobody has spoken,
 * APP_YES when the client's bytes are there to read.
 */
enum app_result probe_client_first(const struct app_input *in);

/*
 * Whether the wl bytes at w are one of the nlist words of list (any case)
 * or, with partial, the beginning of one.
 */
int probe_listed(const char *const *list, size_t nlist, const uint8_t *w, size_t wl,
    int partial);

/* Copies the word as app_copy_text() does, its letters in upper case. */
void probe_copy_upper(char *out, size_t cap, const uint8_t *s, size_t n);

/*
 * The text line at p, n bytes so far: its length up to the LF, or n while
 * the LF has not come.  Sets *bad (never clears it) when a byte is no text
 * (printable ASCII or tab; CR only before LF) or the line reaches max.
 */
size_t probe_text_line(const uint8_t *p, size_t n, size_t max, int *bad);

/*
 * A protocol whose server greets first and whose client then sends a
 * command line (RFC 5321 SMTP, RFC 959 FTP: both greet with 220, so the
 * command decides).
 */
struct probe_greeted {
	/*
	 * Reads the server's greeting, s of sn bytes: APP_YES with its length
	 * to the last line's LF in *glen and the first line's text in *t, *tl;
	 * APP_MAYBE while incomplete; APP_NO.
	 */
	enum app_result (*greeting)(const uint8_t *s, size_t sn, size_t *glen,
	    const uint8_t **t, size_t *tl);
	const char *const *verbs;	/* first commands that say it is this protocol */
	size_t nverbs;
	const char *const *weak_verbs;	/* ones that do only if the greeting names it */
	size_t nweak;
	const char *name;		/* a greeting that names it has this ("SMTP") */
	const char *other;		/* and not this ("FTP") */
	size_t line_max;		/* a command line's bound, LF included */
};

/*
 * The greeting, then the client's first command line, whole; a client
 * that leaves without a word leaves this protocol if the greeting names
 * it.  On APP_YES server is the greeting's first line and method the
 * command in upper case, *verb the command's length and *line the length
 * of the client's line up to its LF (both 0 when the client said
 * nothing).
 */
enum app_result probe_greeted_command(const struct app_input *in,
    const struct probe_greeted *g, struct app_info *info, size_t *verb, size_t *line);

#endif
