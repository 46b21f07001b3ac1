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
 * and depth limits) into an immutable set, and each context's patterns
 * into Hyperscan databases (exactly, or as a prefilter that
 * may match more), so that one pass over a text or a stream tells which
 * patterns may match and where, and PCRE2 runs only there.  Sets are
 * built off the packet path and swapped in like the policy (live.h); any
 * number of threads may match against one set at once, each with its own
 * struct sensor_scratch.
 *
 * Whole texts (url, header, args, and any context in tests) go to
 * sensor_match; the raw stream (packet) and bodies go to a struct
 * sensor_stream, piece by piece, with the same results whatever the
 * pieces (see sensor_stream_feed).
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
#define SENSOR_SPAN		1024	/* bytes a stream keeps at most (sensor_stream_feed) */
#define SENSOR_CHUNK		16384	/* bytes of a piece scanned before its candidates are confirmed */
#define SENSOR_STREAM_PENDING	16	/* patterns a stream has candidates of at once */
#define SENSOR_STREAM_HELD	4	/* first matches a stream keeps for rules not yet complete */

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
 * kept.  use_hs 0 builds a set of PCRE2 alone, the plain engine that the
 * tests and the benchmark compare with.  Patterns are JIT-compiled where
 * PCRE2 can, else run by its interpreter.  A pattern Hyperscan cannot
 * compile in either form is matched by PCRE2 alone (counted in
 * sensor_set_info, logged).
 */
struct sensor_set *sensor_set_build(const struct sensor_spec *s, int n, int use_hs,
    char *err, size_t errlen);
void sensor_set_free(struct sensor_set *set);
int sensor_set_count(const struct sensor_set *set);		/* sensors */
const char *sensor_set_name(const struct sensor_set *set, int sensor);
enum sensor_type sensor_set_type(const struct sensor_set *set, int sensor);
int sensor_set_find(const struct sensor_set *set, const char *name);	/* index or -1 */

struct sensor_set_info {
	int sensors, rules, patterns;
	int jit;		/* patterns JIT-compiled */
	/* Distinct patterns (a text given in several rules counts once): */
	int hs_exact;		/* ... Hyperscan matches exactly */
	int hs_prefilter;	/* ... approximately (PCRE2 confirms) */
	int pcre_only;		/* ... Hyperscan cannot take: PCRE2 alone, always run */
	size_t hs_bytes;	/* memory of the Hyperscan databases */
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
 * Hyperscan scratch.  Not tied to a set: one scratch serves every set its
 * thread uses (it grows, once per set, to the largest set's needs).  NULL
 * on no memory.
 */
struct sensor_scratch *sensor_scratch_new(void);
void sensor_scratch_free(struct sensor_scratch *s);

/* What one scratch's thread did, since sensor_scratch_new. */
struct sensor_stats {
	uint64_t scans;		/* sensor_match calls */
	uint64_t runs;		/* pcre2_match calls */
	uint64_t skipped;	/* patterns Hyperscan ruled out, not run */
	uint64_t limits;	/* matches stopped by the match, depth, heap or JIT stack limit */
	uint64_t errors;	/* other PCRE2 or Hyperscan failures (no memory) */
	uint64_t capped;	/* whole texts whose validated matches passed SENSOR_VALIDATE_MAX */
	uint64_t candidates;	/* stream candidates PCRE2 looked at */
	uint64_t overflows;	/* stream candidates given up: SENSOR_STREAM_PENDING at once */
	uint64_t too_long;	/* stream candidates whose bytes left SENSOR_SPAN, unconfirmed */
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
 * A stream: the raw bytes of one direction of a flow (SCTX_PACKET), or one
 * HTTP message's body (SCTX_BODY), matched piece by piece with state of a
 * bounded size whatever its length (sensor_stream_size): its
 * Hyperscan stream state, the last bytes of the stream (at most
 * SENSOR_SPAN: as many as its context's longest pattern reads, its
 * lookbehind included), and a few bits per pattern and rule.
 *
 * A stream is of the set it was made for; sensor_stream_gen tells a
 * caller holding streams across a set swap that it must make new ones.
 * NULL for another context, or on no memory.
 */
struct sensor_stream;

struct sensor_stream *sensor_stream_new(const struct sensor_set *set, enum sensor_ctx c);
void sensor_stream_free(struct sensor_stream *st);	/* the set may be gone */
uint64_t sensor_set_gen(const struct sensor_set *set);
uint64_t sensor_stream_gen(const struct sensor_stream *st);
/* The memory one stream of c takes, its Hyperscan state included. */
size_t sensor_stream_size(const struct sensor_set *set, enum sensor_ctx c);

/*
 * Starts the stream (again) at offset 0 for the sensors of mask; text and
 * len are the other contexts of the same message, as sensor_match takes
 * them (a body's url and header), and must stay valid until
 * sensor_stream_end or the next begin.  The rules of the stream's context
 * see those texts whole and the stream piece by piece.  Returns the rules
 * that fired (a rule of no pattern in the stream's context never does), or
 * -1 as sensor_match.
 */
int sensor_stream_begin(struct sensor_stream *st, struct sensor_scratch *s, uint64_t mask,
    const uint8_t *const text[SCTX_COUNT], const size_t len[SCTX_COUNT],
    void (*hit)(void *ctx, const struct sensor_hit *h), void *ctx);
/*
 * The next len bytes of the stream.  A rule fires as soon as the bytes
 * that decide it have been fed, and once per stream: with the same result
 * as sensor_match on the whole stream, however it was cut into pieces,
 * for each pattern that reads at most SENSOR_SPAN bytes (its lookbehind
 * included).  A match of a longer or unbounded pattern is found when what
 * it reads fits in SENSOR_SPAN bytes; a longer one is still found when
 * Hyperscan matches the pattern exactly and it needs no validator (its
 * excerpt is then its last bytes), else the stream is in doubt (-1,
 * counted in too_long: padding must not hide an attack).  Rules
 * with a negated pattern in the stream's context are judged at
 * sensor_stream_end, as sensor_match would judge the whole stream.  A
 * validated pattern has every match of the stream tried (no
 * SENSOR_VALIDATE_MAX: each try consumes the stream).  Hits' offsets are
 * from the stream's start; a match whose greedy repeat at its end might
 * still take more bytes ("select .*from" before the line ends) is reported
 * once it is certain, with the bytes it has then (its len may be shorter
 * than sensor_match's).
 *
 * A rule with several patterns in the stream's context shows the match of
 * its first one if it was kept (SENSOR_STREAM_HELD rules at once), else
 * no excerpt.
 *
 * Returns the rules that fired, or -1 when a candidate could not be
 * decided (a PCRE2 limit or failure, more than SENSOR_STREAM_PENDING
 * patterns in doubt at once, a match longer than SENSOR_SPAN as above):
 * the caller is in doubt, as for sensor_match's -1.
 */
int sensor_stream_feed(struct sensor_stream *st, struct sensor_scratch *s, const uint8_t *buf,
    size_t len, void (*hit)(void *ctx, const struct sensor_hit *h), void *ctx);
/*
 * The bytes fed so far are all the receiver has for now (the end of a
 * packet): a match they end, that the stream's next bytes might still
 * undo (a card number's last digit, before the byte that shows no digit
 * follows), fires now, as sensor_match would fire on the stream so far.
 * The stream goes on as if nothing happened, but for the rules that
 * fired.  So with pauses a rule may fire where the whole stream would not
 * (the number turns out longer): never later than the bytes that make the
 * match reach the receiver.  Negated patterns wait for the stream's end.
 */
int sensor_stream_pause(struct sensor_stream *st, struct sensor_scratch *s,
    void (*hit)(void *ctx, const struct sensor_hit *h), void *ctx);
/* The stream ended: its last candidates and rules are decided. */
int sensor_stream_end(struct sensor_stream *st, struct sensor_scratch *s,
    void (*hit)(void *ctx, const struct sensor_hit *h), void *ctx);
/* Whether a stream of c has rules of the sensors in mask to look for. */
int sensor_set_streams(const struct sensor_set *set, enum sensor_ctx c, uint64_t mask);
/* Bytes fed since begin. */
uint64_t sensor_stream_offset(const struct sensor_stream *st);

#endif
