/*
 * sensor.c: the DLP and WAF matching engine over whole texts (see sensor.h
 * for the contract; sensor_stream.c matches streams).
 *
 * A set is an array of sensors, each an array of rules, each up to
 * SENSOR_RULE_PATTERNS compiled patterns.  With Hyperscan (sensor_int.h),
 * sensor_match scans each text given once with its context's block
 * database, and a pattern Hyperscan did not report is known not to match
 * without running it.  A positive pattern so ruled out drops its rule
 * before any pattern of the rule runs; a negated one is satisfied.
 *
 * With or without Hyperscan, a rule's patterns run in the same order
 * (positives in order, its first positive through the validator, then
 * negated ones), and Hyperscan only spares runs whose answer would have
 * been "no match" (its matches are a superset of PCRE2's).  So whenever
 * the set of PCRE2 alone hits no limit, both sets give the same hits; the
 * tests and fuzz_sensor check that.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "sensor/sensor_bound.h"
#include "sensor/sensor_int.h"

#define JIT_STACK_START		(32u << 10)
#define JIT_STACK_MAX		(1u << 20)

/* One sensor_match call. */
struct call {
	const struct sensor_set *set;
	struct sensor_scratch *s;
	const uint8_t *const *text;
	const size_t *len;
	int scanned[SCTX_COUNT];	/* seen[c] tells which patterns may match */
};

/* --- names --------------------------------------------------------------- */

static const char *const type_names[] = { "dlp", "waf" };
static const char *const ctx_names[SCTX_COUNT] = { "packet", "url", "header", "body", "args" };
static const char *const validator_names[] = { "none", "luhn", "ssn" };

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *
name_of(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "?";
}

static int
parse_name(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
sensor_type_name(enum sensor_type t)
{
	return name_of(type_names, NELEM(type_names), (int)t);
}

int
sensor_type_parse(const char *s, enum sensor_type *t)
{
	int v = parse_name(type_names, NELEM(type_names), s);

	if (v < 0)
		return -1;
	*t = (enum sensor_type)v;
	return 0;
}

const char *
sensor_ctx_name(enum sensor_ctx c)
{
	return name_of(ctx_names, NELEM(ctx_names), (int)c);
}

int
sensor_ctx_parse(const char *s, enum sensor_ctx *c)
{
	int v = parse_name(ctx_names, NELEM(ctx_names), s);

	if (v < 0)
		return -1;
	*c = (enum sensor_ctx)v;
	return 0;
}

const char *
sensor_validator_name(enum sensor_validator v)
{
	return name_of(validator_names, NELEM(validator_names), (int)v);
}

int
sensor_validator_parse(const char *s, enum sensor_validator *v)
{
	int i = parse_name(validator_names, NELEM(validator_names), s);

	if (i < 0)
		return -1;
	*v = (enum sensor_validator)i;
	return 0;
}

/* --- validators ---------------------------------------------------------- */

static int
is_digit(uint8_t b)
{
	return b >= '0' && b <= '9';
}

static int
luhn_ok(const uint8_t *p, size_t n)
{
	int digits = 0, sum = 0;

	for (size_t i = n; i-- > 0;) {
		int d;

		if (p[i] == ' ' || p[i] == '-')
			continue;
		if (!is_digit(p[i]) || ++digits > 19)
			return 0;
		d = p[i] - '0';
		if (digits % 2 == 0 && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
	return digits >= 13 && sum % 10 == 0;
}

static int
ssn_ok(const uint8_t *p, size_t n)
{
	uint8_t d[9];
	int area, group, serial, k = 0;

	if (n != 9 && (n != 11 || p[3] != '-' || p[6] != '-'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (n == 11 && (i == 3 || i == 6))
			continue;
		if (!is_digit(p[i]))
			return 0;
		d[k++] = p[i] - '0';
	}
	area = d[0] * 100 + d[1] * 10 + d[2];
	group = d[3] * 10 + d[4];
	serial = d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8];
	return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

int
sensor_validate(enum sensor_validator v, const uint8_t *p, size_t n)
{
	switch (v) {
	case SVAL_NONE:
		return 1;
	case SVAL_LUHN:
		return luhn_ok(p, n);
	case SVAL_SSN:
		return ssn_ok(p, n);
	}
	return 0;
}

/* --- compiling ----------------------------------------------------------- */

static pcre2_code *
compile(const char *re, char *err, size_t errlen)
{
	PCRE2_UCHAR msg[128];
	PCRE2_SIZE off;
	pcre2_code *code;
	size_t len = strnlen(re, SENSOR_PATTERN_MAX);
	int ec;

	if (len == SENSOR_PATTERN_MAX) {
		snprintf(err, errlen, "pattern longer than %d bytes", SENSOR_PATTERN_MAX - 1);
		return NULL;
	}
	code = pcre2_compile((PCRE2_SPTR)re, len, PCRE2_NEVER_UTF, &ec, &off, NULL);
	if (code == NULL) {
		if (pcre2_get_error_message(ec, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "PCRE2 error %d", ec);
		snprintf(err, errlen, "%s at offset %zu", (char *)msg, (size_t)off);
	}
	return code;
}

int
sensor_pattern_check(const char *re, char *err, size_t errlen)
{
	pcre2_code *code = compile(re, err, errlen);

	if (code == NULL)
		return -1;
	pcre2_code_free(code);
	return 0;
}

static int
name_ok(const char *name)
{
	size_t len = strnlen(name, SENSOR_NAME_MAX);

	return len > 0 && len < SENSOR_NAME_MAX;
}

/* Shape of a rule spec; NULL or what is wrong with it. */
static const char *
rule_spec_problem(const struct sensor_rule_spec *r)
{
	int positive = 0;

	if (!name_ok(r->name))
		return "rule name empty or too long";
	if (r->npat < 1 || r->npat > SENSOR_RULE_PATTERNS)
		return "rule pattern count out of range";
	for (int i = 0; i < r->npat; i++) {
		if ((unsigned)r->pat[i].ctx >= SCTX_COUNT)
			return "unknown context";
		positive += !r->pat[i].negate;
	}
	if (positive == 0)
		return "no positive pattern";
	if ((unsigned)r->validator > SVAL_SSN)
		return "unknown validator";
	return NULL;
}

static int
pattern_load(struct sensor_set *set, struct pattern *p, const struct sensor_pattern_spec *ps,
    char *err, size_t errlen)
{
	uint32_t behind = 0;

	if ((p->re = compile(ps->re, err, errlen)) == NULL)
		return -1;
	p->ctx = ps->ctx;
	p->negate = ps->negate != 0;
	set->info.patterns++;
	/* Streams confirm candidates with partial matching at a piece's end. */
	if (pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD |
	    PCRE2_JIT_PARTIAL_SOFT) == 0)
		set->info.jit++;
	pcre2_pattern_info(p->re, PCRE2_INFO_MAXLOOKBEHIND, &behind);
	p->behind = behind > 0 ? behind : 1;
	p->reach = sensor_bound(ps->re, &p->ahead);
	if (p->reach != SENSOR_UNBOUNDED)
		p->reach++;
	return 0;
}

static int
rule_load(struct sensor_set *set, struct rule *r, const struct sensor_rule_spec *rs,
    char *err, size_t errlen)
{
	char why[160];

	memcpy(r->name, rs->name, strlen(rs->name) + 1);
	r->validator = rs->validator;
	r->first = -1;
	for (int i = 0; i < rs->npat; i++) {
		if (pattern_load(set, &r->pat[i], &rs->pat[i], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "rule %s pattern %d: %s", rs->name, i + 1, why);
			return -1;
		}
		r->npat++;
		set->ctx_used |= 1u << rs->pat[i].ctx;
		if (r->first < 0 && !r->pat[i].negate)
			r->first = i;
	}
	return 0;
}

static const char *
sensor_spec_problem(const struct sensor_spec *ss, const struct sensor_spec *all, int i)
{
	if (!name_ok(ss->name))
		return "sensor name empty or too long";
	if ((unsigned)ss->type > SENSOR_WAF)
		return "unknown sensor type";
	if (ss->nrules < 0 || (ss->nrules > 0 && ss->rules == NULL))
		return "rule count out of range";
	for (int j = 0; j < i; j++)
		if (strcmp(all[j].name, ss->name) == 0)
			return "sensor given twice";
	return NULL;
}

static int
sensor_load(struct sensor_set *set, struct sensor *sn, const struct sensor_spec *all, int i,
    char *err, size_t errlen)
{
	const struct sensor_spec *ss = &all[i];
	const char *why;
	char rerr[320];

	if ((why = sensor_spec_problem(ss, all, i)) != NULL) {
		snprintf(err, errlen, "sensor %d: %s", i + 1, why);
		return -1;
	}
	memcpy(sn->name, ss->name, strlen(ss->name) + 1);
	sn->type = ss->type;
	if (ss->nrules > 0 && (sn->rule = calloc((size_t)ss->nrules, sizeof(*sn->rule))) == NULL) {
		snprintf(err, errlen, "no memory");
		return -1;
	}
	sn->nrules = ss->nrules;	/* rules not loaded hold no pattern */
	for (int r = 0; r < ss->nrules; r++) {
		const struct sensor_rule_spec *rs = &ss->rules[r];

		why = rule_spec_problem(rs);
		for (int j = 0; why == NULL && j < r; j++)
			if (strcmp(ss->rules[j].name, rs->name) == 0)
				why = "rule given twice";
		if (why != NULL) {
			snprintf(err, errlen, "sensor %s rule %d: %s", ss->name, r + 1, why);
			return -1;
		}
		if (rule_load(set, &sn->rule[r], rs, rerr, sizeof(rerr)) < 0) {
			snprintf(err, errlen, "sensor %s %s", ss->name, rerr);
			return -1;
		}
		set->info.rules++;
	}
	return 0;
}

struct sensor_set *
sensor_set_build(const struct sensor_spec *s, int n, int use_hs, char *err, size_t errlen)
{
	static uint64_t gens;
	struct sensor_set *set;

	if (n < 0 || n > SENSOR_MAX || (n > 0 && s == NULL)) {
		snprintf(err, errlen, "sensor count %d out of range (at most %d)", n, SENSOR_MAX);
		return NULL;
	}
	if ((set = calloc(1, sizeof(*set))) == NULL ||
	    (n > 0 && (set->sensor = calloc((size_t)n, sizeof(*set->sensor))) == NULL))
		goto nomem;
	set->n = n;	/* sensors not loaded hold no rule */
	set->gen = __atomic_add_fetch(&gens, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < n; i++) {
		if (sensor_load(set, &set->sensor[i], s, i, err, errlen) < 0)
			goto fail;
		set->info.sensors++;
	}
	if (sensor_hs_build(set, s, use_hs) < 0)
		goto nomem;
	return set;
nomem:
	snprintf(err, errlen, "no memory");
fail:
	sensor_set_free(set);
	return NULL;
}

void
sensor_set_free(struct sensor_set *set)
{
	if (set == NULL)
		return;
	for (int i = 0; i < set->n; i++) {
		struct sensor *sn = &set->sensor[i];

		for (int r = 0; sn->rule != NULL && r < sn->nrules; r++)
			for (int p = 0; p < sn->rule[r].npat; p++)
				pcre2_code_free(sn->rule[r].pat[p].re);
		free(sn->rule);
	}
	sensor_hs_free(set);
	free(set->sensor);
	free(set);
}

int
sensor_set_count(const struct sensor_set *set)
{
	return set->n;
}

const char *
sensor_set_name(const struct sensor_set *set, int sensor)
{
	return sensor >= 0 && sensor < set->n ? set->sensor[sensor].name : NULL;
}

enum sensor_type
sensor_set_type(const struct sensor_set *set, int sensor)
{
	return sensor >= 0 && sensor < set->n ? set->sensor[sensor].type : SENSOR_DLP;
}

int
sensor_set_find(const struct sensor_set *set, const char *name)
{
	for (int i = 0; name != NULL && i < set->n; i++)
		if (strcmp(set->sensor[i].name, name) == 0)
			return i;
	return -1;
}

void
sensor_set_info(const struct sensor_set *set, struct sensor_set_info *info)
{
	*info = set->info;
}

int
sensor_set_uses(const struct sensor_set *set, enum sensor_ctx c)
{
	return (unsigned)c < SCTX_COUNT && (set->ctx_used >> c & 1);
}

int
sensor_args_put(uint8_t *buf, size_t cap, size_t *len, const uint8_t *p, size_t n)
{
	if (n > 65535)
		n = 65535;
	if (cap - *len < n + 2)
		return -1;
	buf[*len] = (uint8_t)(n >> 8);
	buf[*len + 1] = (uint8_t)n;
	memcpy(buf + *len + 2, p, n);
	*len += n + 2;
	return 0;
}

/* --- scratch ------------------------------------------------------------- */

struct sensor_scratch *
sensor_scratch_new(void)
{
	struct sensor_scratch *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if ((s->mctx = pcre2_match_context_create(NULL)) == NULL ||
	    (s->md = pcre2_match_data_create(1, NULL)) == NULL)
		goto fail;
	pcre2_set_match_limit(s->mctx, SENSOR_MATCH_LIMIT);
	pcre2_set_depth_limit(s->mctx, SENSOR_DEPTH_LIMIT);
	pcre2_set_heap_limit(s->mctx, SENSOR_HEAP_LIMIT);
	if ((s->join = malloc(SENSOR_SPAN + SENSOR_CHUNK)) == NULL)
		goto fail;
	/* NULL when PCRE2 has no JIT: the interpreter needs none. */
	s->jit = pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX, NULL);
	if (s->jit != NULL)
		pcre2_jit_stack_assign(s->mctx, NULL, s->jit);
	return s;
fail:
	sensor_scratch_free(s);
	return NULL;
}

void
sensor_scratch_free(struct sensor_scratch *s)
{
	if (s == NULL)
		return;
	for (int c = 0; c < SCTX_COUNT; c++)
		free(s->seen[c]);
	for (int c = 0; c < SCTX_COUNT; c++)
		if (s->spare[c] != NULL)
			hs_close_stream(s->spare[c], NULL, NULL, NULL);
	hs_free_scratch(s->hs);
	free(s->join);
	pcre2_jit_stack_free(s->jit);
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mctx);
	free(s);
}

void
sensor_scratch_stats(const struct sensor_scratch *s, struct sensor_stats *st)
{
	*st = s->st;
}

/* --- matching ------------------------------------------------------------ */

static int
on_block(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
    void *ctx)
{
	uint64_t *bits = ctx;

	(void)from, (void)to, (void)flags;
	bits[id >> 6] |= 1ull << (id & 63);
	return 0;
}

/* One text, or each subject of an args text (a pattern matches one subject). */
static int
hs_text(const hs_database_t *db, struct sensor_scratch *s, enum sensor_ctx c, const uint8_t *t,
    size_t n)
{
	size_t at = 0;

	if (c != SCTX_ARGS)
		return hs_scan(db, (const char *)t, (unsigned)n, 0, s->hs, on_block,
		    s->seen[c]) == HS_SUCCESS ? 0 : -1;
	while (at + 2 <= n) {
		size_t sl = (size_t)t[at] << 8 | t[at + 1], b = at + 2;

		if (sl > n - b)
			sl = n - b;
		if (hs_scan(db, (const char *)t + b, (unsigned)sl, 0, s->hs, on_block,
		    s->seen[c]) != HS_SUCCESS)
			return -1;
		at = b + sl;
	}
	return 0;
}

/*
 * Scans each text given with its context's block database.  Where the
 * bits cannot be had (no memory, a scan error), scanned stays 0 and every
 * pattern of the context runs.
 */
static void
hs_run(struct call *k)
{
	struct sensor_scratch *s = k->s;

	if (sensor_scratch_fit(s, k->set) < 0)
		return;
	for (int c = 0; c < SCTX_COUNT; c++) {
		const struct ctx_db *db = &k->set->db[c];
		size_t words = ((size_t)db->npat + 63) / 64;

		if (db->block == NULL || k->text[c] == NULL || k->len[c] > UINT32_MAX)
			continue;
		if (words > s->words[c]) {
			uint64_t *w = realloc(s->seen[c], words * sizeof(uint64_t));

			if (w == NULL)
				continue;
			s->seen[c] = w;
			s->words[c] = words;
		}
		memset(s->seen[c], 0, words * sizeof(uint64_t));
		if (hs_text(db->block, s, (enum sensor_ctx)c, k->text[c], k->len[c]) == 0)
			k->scanned[c] = 1;
	}
}

static int
seen(const uint64_t *bits, int id)
{
	return bits[id >> 6] >> (id & 63) & 1;
}

/* 0 when Hyperscan proves the pattern cannot match its text. */
static int
may_match(struct call *k, const struct pattern *p)
{
	if (!k->scanned[p->ctx] || k->set->db[p->ctx].pat[p->id]->hs == PHS_NONE ||
	    seen(k->s->seen[p->ctx], p->id))
		return 1;
	k->s->st.skipped++;
	return 0;
}

int
sensor_pcre(struct sensor_scratch *s, const struct pattern *p, const uint8_t *subj, size_t n,
    size_t start, uint32_t options, size_t *off, size_t *len)
{
	PCRE2_SIZE *ov;
	int rc;

	s->st.runs++;
	rc = pcre2_match(p->re, subj, n, start, options, s->md, s->mctx);
	if (rc >= 0 || rc == PCRE2_ERROR_PARTIAL) {
		ov = pcre2_get_ovector_pointer(s->md);
		*off = ov[0];
		*len = ov[1] > ov[0] ? ov[1] - ov[0] : 0;
		return rc >= 0 ? 1 : 2;
	}
	switch (rc) {
	case PCRE2_ERROR_NOMATCH:
		return 0;
	case PCRE2_ERROR_MATCHLIMIT:
	case PCRE2_ERROR_DEPTHLIMIT:
	case PCRE2_ERROR_HEAPLIMIT:
	case PCRE2_ERROR_JIT_STACKLIMIT:
		s->st.limits++;
		return -1;
	default:
		s->st.errors++;
		return -1;
	}
}

/* One pcre2_match of subject [0, n) from start, offsets into it. */
static int
run_one(struct call *k, const struct pattern *p, const uint8_t *subj, size_t n, size_t start,
    size_t *off, size_t *len)
{
	return sensor_pcre(k->s, p, subj, n, start, 0, off, len);
}

/*
 * One search from start: 1 with the match, 0 none, -1 limit or failure.
 * For args, each subject from the one that holds start on; offsets are
 * into the whole text.
 */
static int
run(struct call *k, const struct pattern *p, size_t start, size_t *off, size_t *len)
{
	const uint8_t *t = k->text[p->ctx];
	size_t n = k->len[p->ctx], at = 0;
	int rc;

	if (p->ctx != SCTX_ARGS)
		return run_one(k, p, t, n, start, off, len);
	while (at + 2 <= n) {
		size_t sl = (size_t)t[at] << 8 | t[at + 1], b = at + 2;

		if (sl > n - b)
			sl = n - b;
		at = b + sl;
		if (at < start || (at == start && start > b))
			continue;
		rc = run_one(k, p, t + b, sl, start > b ? start - b : 0, off, len);
		if (rc != 0) {
			*off += b;
			return rc;
		}
	}
	return 0;
}

/* The first positive pattern: its first match that passes the validator. */
static int
run_validated(struct call *k, const struct rule *r, size_t *off, size_t *len)
{
	const struct pattern *p = &r->pat[r->first];
	const uint8_t *text = k->text[p->ctx];
	size_t start = 0, n = k->len[p->ctx];
	int rc;

	for (int tries = 0; tries < SENSOR_VALIDATE_MAX && start <= n; tries++) {
		if ((rc = run(k, p, start, off, len)) <= 0)
			return rc;
		if (sensor_validate(r->validator, text + *off, *len))
			return 1;
		start = *len > 0 ? *off + *len : *off + 1;
	}
	if (start <= n)
		k->s->st.capped++;
	return 0;
}

/*
 * 1 if the rule fires (with its match), 0 if not, -1 on a limit; its
 * patterns of context skip are left out (SCTX_COUNT: none).
 */
static int
rule_eval(struct call *k, const struct rule *r, enum sensor_ctx skip, size_t *off, size_t *len)
{
	size_t o, l;
	int rc;

	for (int i = 0; i < r->npat; i++) {
		const struct pattern *p = &r->pat[i];

		if (p->ctx != skip && !p->negate && (k->text[p->ctx] == NULL || !may_match(k, p)))
			return 0;
	}
	for (int i = 0; i < r->npat; i++) {
		const struct pattern *p = &r->pat[i];

		if (p->negate || p->ctx == skip)
			continue;
		rc = i == r->first ? run_validated(k, r, off, len) : run(k, p, 0, &o, &l);
		if (rc <= 0)
			return rc;
	}
	for (int i = 0; i < r->npat; i++) {
		const struct pattern *p = &r->pat[i];

		if (!p->negate || p->ctx == skip || k->text[p->ctx] == NULL || !may_match(k, p))
			continue;
		if ((rc = run(k, p, 0, &o, &l)) != 0)
			return rc > 0 ? 0 : -1;
	}
	return 1;
}

int
sensor_rule_others(struct sensor_scratch *s, const struct rule *r, enum sensor_ctx skip,
    const uint8_t *const text[SCTX_COUNT], const size_t len[SCTX_COUNT], size_t *off,
    size_t *len_out)
{
	struct call k = { .s = s, .text = text, .len = len };

	return rule_eval(&k, r, skip, off, len_out);
}

/*
 * The match as an auditor may see it: at most SENSOR_EXCERPT_TEXT bytes,
 * bytes outside printable ASCII as '?', and for DLP every digit but the
 * match's last four as '*'.
 */
void
sensor_excerpt(char *out, const uint8_t *m, size_t len, int mask)
{
	size_t n = len < SENSOR_EXCERPT_TEXT ? len : SENSOR_EXCERPT_TEXT;
	size_t digits = 0, seen = 0;

	for (size_t i = 0; mask && i < len; i++)
		digits += is_digit(m[i]);
	for (size_t i = 0; i < n; i++) {
		uint8_t b = m[i];

		if (is_digit(b) && mask && seen++ + 4 < digits)
			b = '*';
		else if (b < 0x20 || b > 0x7e)
			b = '?';
		out[i] = (char)b;
	}
	if (n < len) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

static void
hit_fill(struct sensor_hit *h, const struct call *k, int si, int ri, size_t off, size_t len)
{
	const struct sensor *sn = &k->set->sensor[si];
	const struct rule *r = &sn->rule[ri];

	h->sensor = si;
	h->rule = ri;
	h->sensor_name = sn->name;
	h->rule_name = r->name;
	h->ctx = r->pat[r->first].ctx;
	h->offset = off;
	h->len = len;
	sensor_excerpt(h->excerpt, k->text[h->ctx] + off, len, sn->type == SENSOR_DLP);
}

int
sensor_match(const struct sensor_set *set, struct sensor_scratch *s, uint64_t mask,
    const uint8_t *const text[SCTX_COUNT], const size_t len[SCTX_COUNT],
    void (*hit)(void *ctx, const struct sensor_hit *h), void *ctx)
{
	struct call k = { .set = set, .s = s, .text = text, .len = len };
	struct sensor_hit h;
	int fired = 0, failed = 0;

	s->st.scans++;
	hs_run(&k);
	for (int si = 0; si < set->n; si++) {
		const struct sensor *sn = &set->sensor[si];

		if (!(mask >> si & 1))
			continue;
		for (int ri = 0; ri < sn->nrules; ri++) {
			size_t off = 0, mlen = 0;
			int rc = rule_eval(&k, &sn->rule[ri], SCTX_COUNT, &off, &mlen);

			if (rc < 0)
				failed = 1;
			if (rc <= 0)
				continue;
			fired++;
			if (hit != NULL) {
				hit_fill(&h, &k, si, ri, off, mlen);
				hit(ctx, &h);
			}
		}
	}
	return failed ? -1 : fired;
}
