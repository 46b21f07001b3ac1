/*
 * sensor.h: DLP and WAF sensors (issue 6), the matching engine.
 *
 * A sensor (DLP or WAF) holds named rules; a rule is one or more PCRE2
 * patterns that must all match (a pattern marked negate must not), each in
 * a context: the raw stream (packet), the decoded request target (url),
 * the header block (header), the decoded body (body), as http.h cuts an
 * HTTP message into them, or the request's arguments one by one (args:
 * query and form parameters, JSON values, cookies, by name and value,
 * URL-decoded once, as http_args.h reads them).  A rule may also name a validator that must
 * confirm the text a pattern matched (the Luhn checksum of a card number,
 * the ranges of a US SSN).
 *
 * sensor_set_build() compiles every sensor once (PCRE2 with JIT, match
 * and depth limits) into an immutable set, with a literal prefilter: the
 * literals each pattern requires (sensor_prefilter.h), all scanned for at
 * once, so that a pattern whose literals are absent costs nothing.  Sets
 * are built off the packet path and swapped in like the policy (live.h);
 * any number of threads may match against one set at once, each with its
 * own struct sensor_scratch.
 *
 * Patterns are compiled without UTF (bytes; (*UTF) is refused) and
 * without DOTALL; (?i) and the other inline options work as usual.
 * Subjects may hold any bytes, NUL included.  The match limit and depth
 * limit below bound each start position's work; a subject's length
 * bounds the number of start positions, so the caller bounds subjects.
 */
#ifndef NVD_SENSOR_H
#define NVD_SENSOR_H

#include <stddef.h>
#include <stdint.h>

#define SENSOR_NAME_MAX		64	/* sensor and rule names, NUL included */
#define SENSOR_PATTERN_MAX	1024	/* a pattern's text, NUL included */
#define SENSOR_RULE_PATTERNS	8	/* patterns per rule */
#define SENSOR_EXCERPT_MAX	96	/* a masked excerpt, NUL included */
#define SENSOR_EXCERPT_TEXT	80	/* bytes of the match shown, then "..." */
#define SENSOR_MAX		64	/* sensors in a set (sensor_match's mask) */
#define SENSOR_RULES_MAX	256	/* rules in one sensor */
#define SENSOR_VALIDATE_MAX	64	/* matches tried per validated pattern and text */
#define SENSOR_MATCH_LIMIT	100000	/* pcre2_set_match_limit */
#define SENSOR_DEPTH_LIMIT	1000	/* pcre2_set_depth_limit (interpreter only) */
#define SENSOR_HEAP_LIMIT	4096	/* pcre2_set_heap_limit, KiB (interpreter only) */
#define SENSOR_OVERLAP_UNBOUNDED 256	/* sensor_set_overlap for unbounded patterns */
#define SENSOR_OVERLAP_MAX	4096	/* sensor_set_overlap's cap */

enum sensor_type {
	SENSOR_DLP = 0,
	SENSOR_WAF,
};

enum sensor_ctx {
	SCTX_PACKET = 0,	/* the raw reassembled stream */
	SCTX_URL,		/* request target, percent-decoded, normalised */
	SCTX_HEADER,		/* the header block */
	SCTX_BODY,		/* the body, de-chunked and decoded */
	SCTX_ARGS,		/* each argument's name and value (http_args.h): the
				 * text is subjects, each a 2-byte big-endian length
				 * and its bytes; a pattern matches one subject */
	SCTX_COUNT
};

enum sensor_validator {
	SVAL_NONE = 0,
	SVAL_LUHN,		/* the digits of the match pass the Luhn check */
	SVAL_SSN,		/* area not 000, 666 or 900-999; group not 00; serial not 0000 */
};

/* What sensors and rules are, as stored and as rule files say them. */
struct sensor_pattern_spec {
	char re[SENSOR_PATTERN_MAX];
	enum sensor_ctx ctx;
	int negate;
};

struct sensor_rule_spec {
	char name[SENSOR_NAME_MAX];
	struct sensor_pattern_spec pat[SENSOR_RULE_PATTERNS];
	int npat;
	enum sensor_validator validator;
};

struct sensor_spec {
	char name[SENSOR_NAME_MAX];
	enum sensor_type type;
	struct sensor_rule_spec *rules;
	int nrules;
};

const char *sensor_type_name(enum sensor_type t);
int sensor_type_parse(const char *s, enum sensor_type *t);
const char *sensor_ctx_name(enum sensor_ctx c);
int sensor_ctx_parse(const char *s, enum sensor_ctx *c);
const char *sensor_validator_name(enum sensor_validator v);
int sensor_validator_parse(const char *s, enum sensor_validator *v);

/*
 * 1 if the n bytes at p (a whole match) pass the validator.  SVAL_LUHN:
 * 13 to 19 digits, with spaces and dashes anywhere and nothing else, and
 * a valid Luhn checksum.  SVAL_SSN: ddd-dd-dddd or ddddddddd exactly,
 * area not 000, 666 or 900-999, group not 00, serial not 0000.
 * SVAL_NONE: always 1.
 */
int sensor_validate(enum sensor_validator v, const uint8_t *p, size_t n);

/*
 * Compiles one pattern as the set would, to check it: 0, or -1 with
 * PCRE2's message and the offset in err ("missing closing parenthesis at
 * offset 7").
 */
int sensor_pattern_check(const char *re, char *err, size_t errlen);

struct sensor_set;
struct sensor_scratch;

/*
 * Compiles the sensors.  Returns NULL with err on a pattern that does not
 * compile (naming sensor, rule and PCRE2's message: "sensor pii rule ssn
 * pattern 2: missing closing parenthesis at offset 7"), on a spec that is
 * not well formed (more than SENSOR_MAX sensors, an empty or unterminated
 * name, a sensor or rule name given twice in its scope, a rule of no
 * pattern, more than SENSOR_RULE_PATTERNS or only negated ones, an
 * unknown type, context or validator) or on no memory.  The spec is not
 * kept.  use_prefilter 0 builds a set without it (for tests and the
 * benchmark).  Patterns are JIT-compiled where PCRE2 can, else run by
 * its interpreter.
 */
struct sensor_set *sensor_set_build(const struct sensor_spec *s, int n, int use_prefilter,
    char *err, size_t errlen);
void sensor_set_free(struct sensor_set *set);
int sensor_set_count(const struct sensor_set *set);		/* sensors */
const char *sensor_set_name(const struct sensor_set *set, int sensor);
enum sensor_type sensor_set_type(const struct sensor_set *set, int sensor);
int sensor_set_find(const struct sensor_set *set, const char *name);	/* index or -1 */

struct sensor_set_info {
	int sensors, rules, patterns;
	int jit;		/* patterns JIT-compiled */
	int literals;		/* patterns with prefilter literals (the others always run) */
	size_t prefilter_bytes;	/* memory of the prefilter automata */
};
void sensor_set_info(const struct sensor_set *set, struct sensor_set_info *info);
/* Whether a pattern of the set is of context c. */
int sensor_set_uses(const struct sensor_set *set, enum sensor_ctx c);
/*
 * Appends a subject of SCTX_ARGS's text to buf (cap bytes, *len used):
 * 0, or -1 when it does not fit (nothing appended).  n is cut to 65535.
 */
int sensor_args_put(uint8_t *buf, size_t cap, size_t *len, const uint8_t *p, size_t n);

/*
 * Per thread: PCRE2 match data, match context with the limits, JIT stack,
 * prefilter state.  Not tied to a set: one scratch serves every set its
 * thread uses (it grows, once, to the largest set's prefilter).  NULL on
 * no memory.
 */
struct sensor_scratch *sensor_scratch_new(void);
void sensor_scratch_free(struct sensor_scratch *s);

/* What one scratch's thread did, since sensor_scratch_new. */
struct sensor_stats {
	uint64_t scans;		/* sensor_match calls */
	uint64_t runs;		/* pcre2_match calls */
	uint64_t skipped;	/* patterns the prefilter ruled out, not run */
	uint64_t limits;	/* matches stopped by the match, depth, heap or JIT stack limit */
	uint64_t errors;	/* other PCRE2 failures (no memory) */
};
void sensor_scratch_stats(const struct sensor_scratch *s, struct sensor_stats *st);

/* One rule that fired. */
struct sensor_hit {
	int sensor;			/* index in the set */
	int rule;			/* index in the sensor */
	const char *sensor_name, *rule_name;	/* valid while the set is */
	enum sensor_ctx ctx;		/* of its first positive pattern */
	size_t offset, len;		/* of that pattern's match in the text given */
	char excerpt[SENSOR_EXCERPT_MAX];	/* the match, masked for DLP */
};

/*
 * One message's contexts: text[c] and len[c] for each context present
 * (NULL/0 otherwise).  Matches every rule of the sensors whose bit is set
 * in mask (bit i: sensor i; at most 64 sensors in a set) whose patterns
 * all apply to the contexts given, calling hit() for each rule that
 * fires, at most once per rule.  A pattern of a context not given is not
 * satisfied (a negated one is).  A context is given when its text is not
 * NULL (len 0 is an empty text).  hit may be NULL.
 *
 * A rule fires when every positive pattern matches somewhere in its
 * context and no negated one does; with a validator, only if some match
 * of its first positive pattern passes it (matches are tried from the
 * start, each search resuming at the end of the last match, at most
 * SENSOR_VALIDATE_MAX of them).  The hit reports the match that fired.
 *
 * Returns the number of rules that fired, or -1 when a match hit PCRE2's
 * limits or failed (counted in the scratch's stats, never a crash).  A
 * rule whose match failed so does not fire; the other rules are still
 * matched, and hit() still called for those that fire, so that a costly
 * text cannot hide an attack elsewhere in it.
 */
int sensor_match(const struct sensor_set *set, struct sensor_scratch *s, uint64_t mask,
    const uint8_t *const text[SCTX_COUNT], const size_t len[SCTX_COUNT],
    void (*hit)(void *ctx, const struct sensor_hit *h), void *ctx);

/*
 * The longest match a stream scan must allow across two pieces: the
 * overlap the caller keeps between consecutive windows (bytes).  Each
 * pattern's bound is read from its text (the most bytes it can consume,
 * lookaheads included, plus PCRE2's MAXLOOKBEHIND); a pattern with no
 * bound (*, +, {n,}, back references) counts as SENSOR_OVERLAP_UNBOUNDED,
 * so a longer match of it across two windows may be missed.  The largest,
 * at most SENSOR_OVERLAP_MAX; 0 for a set of no pattern.
 */
size_t sensor_set_overlap(const struct sensor_set *set);

#endif
