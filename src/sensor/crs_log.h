/*
 * crs_log.h: a line of ModSecurity's text log (one rule that fired) read
 * back into its rule id, message and matched data.
 *
 * The line is ModSecurity's RuleMessage::log(): a match text, then
 * [file "F"] [line "L"] [id "I"] [rev "R"] [msg "M"] [data "D"]
 * [severity "S"] ... with nothing escaped, so the client's bytes in the
 * match text, the data and the uri may spell fields too.  The id is read
 * only where the sequence '"] [line "DIGITS"] [id "DIGITS"] [rev "' occurs
 * exactly once, which a client can prevent (the line is then ambiguous)
 * but not fake: the genuine one is always there.  The message runs to the
 * first '"] [data "' after it, the data to the first '"] [severity "'
 * after that (a client may shorten the data, which is only shown).
 * Bounded by the length given; never reads past it.
 */
#ifndef NVD_CRS_LOG_H
#define NVD_CRS_LOG_H

#include <stddef.h>

#define CRS_MSG_MAX	96	/* a rule's message, NUL included */
#define CRS_DATA_MAX	96	/* its matched data, masked, NUL included */

struct crs_hit {
	int id;				/* -1: ambiguous line */
	char msg[CRS_MSG_MAX];
	char data[CRS_DATA_MAX];	/* printable ASCII, others '?', cut with "..." */
};

/* Reads one log line of len bytes into h.  Returns 0, or -1 when the line
 * is no rule message (no id field at all). */
int crs_log_parse(const char *line, size_t len, struct crs_hit *h);

#endif
