/*
 * sensor_int.h: what sensor.c (sets, whole texts) and sensor_stream.c
 * (streams) share inside the engine.  Not for use outside src/sensor/.
 *
 * Every pattern is compiled by PCRE2, which decides every match.  Each
 * context's patterns are also compiled by Hyperscan where it
 * can: exactly, or with HS_FLAG_PREFILTER as an approximation whose
 * matches are a superset of the pattern's (the same end offsets and
 * more); a pattern it cannot take at all runs through PCRE2 alone.  The
 * block databases (one match per pattern is enough) tell sensor_match
 * which patterns may match a text; the stream databases tell a stream
 * where a pattern may end.
 */
#ifndef NVD_SENSOR_INT_H
#define NVD_SENSOR_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <hs.h>
#include <pcre2.h>

#include "sensor/sensor.h"

enum pattern_hs {
	PHS_NONE = 0,		/* PCRE2 alone */
	PHS_EXACT,		/* Hyperscan matches it exactly */
	PHS_PREFILTER,		/* ... an approximation of it */
};

struct pattern {
	pcre2_code *re;
	enum sensor_ctx ctx;
	int negate;
	int id;			/* in its context's databases and bits; patterns of
				 * the same text (and validator) share one */
	enum pattern_hs hs;
	int sr;			/* its rule in its context's stream rules */
	/* Bytes a match reads from its start on, one more for an assertion
	 * at its end (SENSOR_UNBOUNDED: no bound), and before its start
	 * (PCRE2_INFO_MAXLOOKBEHIND, at least one for \b and ^). */
	size_t reach, behind;
	size_t ahead;		/* sensor_bound's */
};

struct rule {
	char name[SENSOR_NAME_MAX];
	struct pattern pat[SENSOR_RULE_PATTERNS];
	int npat;
	int first;		/* the first positive pattern */
	enum sensor_validator validator;
};

struct sensor {
	char name[SENSOR_NAME_MAX];
	enum sensor_type type;
	struct rule *rule;
	int nrules;
};

/* A rule with a pattern in a streamed context, as that context's streams see it. */
struct srule {
	int sensor, rule;
	int at_end;		/* judged at the stream's end (a negated pattern in it) */
	int others;		/* has patterns of other contexts */
	int held;		/* may need its first match kept until it fires */
};

struct ctx_db {
	hs_database_t *block;	/* NULL: every pattern of the context runs */
	hs_database_t *stream;	/* streamed contexts; NULL: PCRE2 alone */
	struct pattern **pat;	/* by id: the first pattern of each text */
	enum sensor_validator *val;	/* by id: the validator its matches pass */
	int *chain;		/* by id: its chain slot in a stream, or -1 */
	int *user, *users;	/* by id: its rules are sr[users[user[id] ...
				 * user[id + 1] - 1]] (streamed contexts) */
	int npat;
	int *always;		/* ids of patterns with no Hyperscan form */
	int nalways;
	struct srule *sr;	/* streamed contexts */
	int nsr, nchain, nheld;
	int eod;		/* a pattern Hyperscan may match only at a stream's end */
};

struct sensor_set {
	struct sensor *sensor;
	int n;
	uint64_t gen;		/* unique per build (sensor_stream's check) */
	struct ctx_db db[SCTX_COUNT];
	unsigned ctx_used;	/* a bit per context a pattern has */
	struct sensor_set_info info;
};

struct sensor_scratch {
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
	pcre2_match_data *md;
	hs_scratch_t *hs;
	uint64_t hs_gen;	/* the set hs was last grown for */
	uint64_t *seen[SCTX_COUNT];	/* candidate bits of this call's texts */
	size_t words[SCTX_COUNT];	/* allocated */
	uint8_t *join;		/* a stream's kept bytes and a chunk, end to end */
	hs_stream_t *spare[SCTX_COUNT];	/* for sensor_stream_pause, of the set of */
	uint64_t spare_gen[SCTX_COUNT];
	struct sensor_stats st;
};

/* Numbers each context's patterns and compiles its databases (use_hs 0: none). */
int sensor_hs_build(struct sensor_set *set, const struct sensor_spec *s, int use_hs);
void sensor_hs_free(struct sensor_set *set);
/* A context whose streams sensor_stream_new makes. */
int sensor_ctx_streamed(enum sensor_ctx c);
/* Grows s's Hyperscan scratch for set's databases: 0, or -1 on no memory. */
int sensor_scratch_fit(struct sensor_scratch *s, const struct sensor_set *set);
/*
 * One pcre2_match of p over subject [0, n) from start with options: 1 with
 * the match's offsets, 0 none, 2 partial (PCRE2_PARTIAL_HARD; *off where it
 * starts), -1 a limit or failure (counted).
 */
int sensor_pcre(struct sensor_scratch *s, const struct pattern *p, const uint8_t *subj,
    size_t n, size_t start, uint32_t options, size_t *off, size_t *len);
/*
 * Rule r's patterns of contexts other than skip against text/len (those
 * not given count as not matching): 1 when each positive one matches and
 * no negated one does (its first positive pattern, if of another context,
 * through the validator, with its match in off/len), 0 if not, -1 on a
 * limit.
 */
int sensor_rule_others(struct sensor_scratch *s, const struct rule *r, enum sensor_ctx skip,
    const uint8_t *const text[SCTX_COUNT], const size_t len[SCTX_COUNT], size_t *off,
    size_t *len_out);
/* The match as an auditor may see it (sensor_hit's excerpt). */
void sensor_excerpt(char *out, const uint8_t *m, size_t len, int mask);

#endif
