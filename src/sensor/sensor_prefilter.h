/*
 * sensor_prefilter.h: the sensors' literal prefilter (sensor.h).
 *
 * prefilter_analyse() reads a PCRE2 pattern's text, as sensor.c compiles
 * it (no UTF, no extended mode unless the pattern asks), and finds the
 * literals a subject must contain for the pattern to match, and a bound
 * on a match's length.  The literals come as clauses that must all hold,
 * each a set of literals of which one at least must occur: a sequence
 * requires each run of literal bytes it must match (and the clauses of
 * its groups and positive lookarounds that must match), an alternation
 * requires one of the strongest clauses of its branches.  Only the
 * strongest PREFILTER_CLAUSES clauses are kept, a literal is at most
 * PREFILTER_LIT_MAX bytes (a prefix of the run) and at least
 * PREFILTER_LIT_MIN.  It is conservative: whatever it is unsure of
 * (verbs, callouts, recursion, extended mode, an unusual quantifier)
 * gives no clause, so that the pattern always runs, and no bound.
 *
 * A struct prefilter holds many literals, compiled into one Aho-Corasick
 * automaton over bytes with ASCII case folded: prefilter_scan() reads a
 * text once and sets the bit of each literal that occurs in it.  Folding
 * case only adds candidates (PCRE2 then decides), and is exact for (?i),
 * which without UTF or UCP folds ASCII letters only.
 *
 * A compiled prefilter is immutable: any number of threads may scan with
 * it at once, each into its own bits.
 */
#ifndef NVD_SENSOR_PREFILTER_H
#define NVD_SENSOR_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

#define PREFILTER_LIT_MAX	16		/* bytes of a literal kept */
#define PREFILTER_LIT_MIN	2		/* shorter ones rule out too little */
#define PREFILTER_CLAUSES	4		/* clauses kept per pattern */
#define PREFILTER_ALTS		8		/* literals per clause */
#define PREFILTER_UNBOUNDED	SIZE_MAX

struct prefilter_lit {
	uint8_t b[PREFILTER_LIT_MAX];	/* ASCII letters in lower case */
	uint8_t len;
};

/* Holds when one of its literals occurs. */
struct prefilter_clause {
	struct prefilter_lit alt[PREFILTER_ALTS];
	int nalt;
};

struct prefilter_facts {
	struct prefilter_clause clause[PREFILTER_CLAUSES];	/* all must hold */
	int nclause;			/* 0: the pattern always runs */
	/*
	 * The most bytes a match can consume, lookaheads counted as if they
	 * did, lookbehinds not (PCRE2_INFO_MAXLOOKBEHIND tells those), or
	 * PREFILTER_UNBOUNDED.
	 */
	size_t bound;
};

void prefilter_analyse(const char *re, struct prefilter_facts *f);

struct prefilter;

struct prefilter *prefilter_new(void);
/*
 * Adds a literal (case folded); the same literal twice gets the same id.
 * Returns its id (0, 1, ... in order of first addition) or -1 on no
 * memory.  Only before prefilter_compile.
 */
int prefilter_add(struct prefilter *pf, const uint8_t *lit, size_t len);
/* 0, or -1 on no memory or when the automaton would pass max_bytes. */
int prefilter_compile(struct prefilter *pf, size_t max_bytes);
int prefilter_count(const struct prefilter *pf);	/* literals */
size_t prefilter_states(const struct prefilter *pf);
size_t prefilter_bytes(const struct prefilter *pf);	/* memory of the automaton */
/*
 * Sets bit id of seen (an array of (count + 63) / 64 words, which the
 * caller clears) for each literal found in buf.  Returns the number of
 * distinct literals found; it stops reading once all were.
 */
int prefilter_scan(const struct prefilter *pf, const uint8_t *buf, size_t len, uint64_t *seen);
void prefilter_free(struct prefilter *pf);

#endif
