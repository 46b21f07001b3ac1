/*
 * sensor_hs.c: each context's Hyperscan databases, and the tables its
 * streams use (sensor_int.h).
 *
 * Intel's Hyperscan 5.4 (Debian 12's libhyperscan-dev), the engine
 * Suricata uses, not its portable fork Vectorscan: Debian 12's Vectorscan
 * 5.4.9 loses matches on CPUs with AVX-512 ("id:[^;]*;" in 74 bytes: its
 * negated-class scan misses a vector's tail, fixed upstream only in
 * 2026) and with HS_FLAG_SINGLEMATCH, and a DLP engine that misses a
 * match is worse than none (check_sensor's test_excerpt and test_limits
 * fail with it).  The price: Hyperscan is for x86-64 (SSSE3) only.
 *
 * A pattern is taken exactly when Hyperscan supports all of it, else with
 * HS_FLAG_PREFILTER (lookarounds, back references, possessive and atomic
 * groups become broader constructs), else not at all: one that can match
 * the empty string, or that neither form compiles, runs through PCRE2
 * alone, counted in the set's info and logged once when the set is built.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "sensor/sensor_bound.h"
#include "sensor/sensor_int.h"

int
sensor_ctx_streamed(enum sensor_ctx c)
{
	return c == SCTX_PACKET || c == SCTX_BODY;
}

/*
 * How Hyperscan can take re: PHS_EXACT, PHS_PREFILTER or PHS_NONE; *eod
 * set when it can match where a stream ends (\b, $ at its end).
 */
static enum pattern_hs
hs_form(const char *re, int *eod)
{
	static const unsigned flags[2] = { 0, HS_FLAG_PREFILTER };
	static const enum pattern_hs form[2] = { PHS_EXACT, PHS_PREFILTER };

	for (int i = 0; i < 2; i++) {
		hs_expr_info_t *info = NULL;
		hs_compile_error_t *ce = NULL;
		int ok;

		if (hs_expression_info(re, flags[i], &info, &ce) != HS_SUCCESS) {
			hs_free_compile_error(ce);
			continue;
		}
		ok = info->min_width > 0;	/* else it needs HS_FLAG_ALLOWEMPTY */
		*eod |= ok && (info->matches_at_eod || info->matches_only_at_eod);
		free(info);
		if (ok)
			return form[i];
	}
	return PHS_NONE;
}

/*
 * Compiles the patterns of db that Hyperscan takes into one database of
 * mode.  A pattern that fails in the set (too large) is given up on and
 * the rest compiled again.  NULL when none is left or on an error of the
 * whole set (logged).
 */
static hs_database_t *
hs_db(struct ctx_db *db, const char *const *texts, unsigned mode, unsigned extra)
{
	const char **expr = calloc((size_t)db->npat + 1, sizeof(*expr));
	unsigned *flags = calloc((size_t)db->npat + 1, sizeof(*flags));
	unsigned *ids = calloc((size_t)db->npat + 1, sizeof(*ids));
	hs_database_t *out = NULL;

	if (expr == NULL || flags == NULL || ids == NULL)
		goto done;
	for (;;) {
		hs_compile_error_t *ce = NULL;
		unsigned n = 0;

		for (int i = 0; i < db->npat; i++) {
			const struct pattern *p = db->pat[i];

			if (p->hs == PHS_NONE)
				continue;
			expr[n] = texts[i];
			flags[n] = extra | (p->hs == PHS_PREFILTER ? HS_FLAG_PREFILTER : 0);
			ids[n++] = (unsigned)i;
		}
		if (n == 0)
			break;
		if (hs_compile_multi(expr, flags, ids, n, mode, NULL, &out, &ce) == HS_SUCCESS)
			break;
		out = NULL;
		if (ce->expression < 0 || (unsigned)ce->expression >= n) {
			log_warnx("sensor: Hyperscan: %s; the context's patterns run through PCRE2",
			    ce->message);
			hs_free_compile_error(ce);
			break;
		}
		log_warnx("sensor: Hyperscan cannot take pattern %s: %s; it runs through PCRE2",
		    texts[ids[ce->expression]], ce->message);
		db->pat[ids[ce->expression]]->hs = PHS_NONE;
		hs_free_compile_error(ce);
	}
done:
	free(expr);
	free(flags);
	free(ids);
	return out;
}

/* The validator a pattern's matches must pass: its rule's, if it is the rule's first. */
static enum sensor_validator
validator_of(const struct rule *r, const struct pattern *p)
{
	return p == &r->pat[r->first] ? r->validator : SVAL_NONE;
}

/* The rules of the set with a pattern in c, as c's streams judge them. */
static int
stream_rules(struct sensor_set *set, enum sensor_ctx c)
{
	struct ctx_db *db = &set->db[c];
	int n = 0;

	for (int si = 0; si < set->n; si++)
		n += set->sensor[si].nrules;
	if (n > 0 && (db->sr = calloc((size_t)n, sizeof(*db->sr))) == NULL)
		return -1;
	for (int si = 0; si < set->n; si++) {
		for (int ri = 0; ri < set->sensor[si].nrules; ri++) {
			struct rule *r = &set->sensor[si].rule[ri];
			struct srule *sr = &db->sr[db->nsr];
			int here = 0, positive = 0;

			for (int i = 0; i < r->npat; i++) {
				sr->others |= r->pat[i].ctx != c;
				if (r->pat[i].ctx != c)
					continue;
				r->pat[i].sr = db->nsr;
				here = 1;
				positive += !r->pat[i].negate;
				sr->at_end |= r->pat[i].negate;
			}
			if (!here) {
				sr->others = 0;
				continue;
			}
			sr->sensor = si;
			sr->rule = ri;
			if (r->pat[r->first].ctx == c && (positive > 1 || sr->at_end)) {
				sr->held = 1;
				db->nheld++;
			}
			db->nsr++;
		}
	}
	return 0;
}

/* Counts (users NULL) or lists (users[pos[id]++]) each id's rules. */
static int
users_of(const struct sensor_set *set, enum sensor_ctx c, int *count, int *users, int *pos)
{
	int n = 0;

	for (int si = 0; si < set->n; si++) {
		for (int ri = 0; ri < set->sensor[si].nrules; ri++) {
			const struct rule *r = &set->sensor[si].rule[ri];

			for (int i = 0; i < r->npat; i++) {
				if (r->pat[i].ctx != c)
					continue;
				if (users == NULL)
					count[r->pat[i].id + 1]++;
				else
					users[pos[r->pat[i].id]++] = r->pat[i].sr;
				n++;
			}
		}
	}
	return n;
}

/* Each pattern id's rules (user, users), and chain slots for validated ids. */
static int
stream_users(struct sensor_set *set, enum sensor_ctx c)
{
	struct ctx_db *db = &set->db[c];
	int *pos, n;

	if ((db->user = calloc((size_t)db->npat + 1, sizeof(*db->user))) == NULL)
		return -1;
	n = users_of(set, c, db->user, NULL, NULL);
	for (int id = 0; id < db->npat; id++)
		db->user[id + 1] += db->user[id];
	if ((db->users = calloc((size_t)n + 1, sizeof(*db->users))) == NULL ||
	    (pos = malloc(((size_t)db->npat + 1) * sizeof(*pos))) == NULL)
		return -1;
	memcpy(pos, db->user, ((size_t)db->npat + 1) * sizeof(*pos));
	users_of(set, c, NULL, db->users, pos);
	free(pos);
	for (int id = 0; id < db->npat; id++)
		db->chain[id] = db->val[id] != SVAL_NONE ? db->nchain++ : -1;
	return 0;
}

/*
 * Numbers the patterns of c: one id per text (and validator), so that
 * Hyperscan, the bits and a stream's candidates deal with each once.
 * texts: the patterns' texts in the set's order; utexts gets each id's.
 */
static int
number(struct sensor_set *set, enum sensor_ctx c, const char *const *texts, const char **utexts)
{
	struct ctx_db *db = &set->db[c];
	int n = 0, k = 0;

	for (int si = 0; si < set->n; si++)
		for (int ri = 0; ri < set->sensor[si].nrules; ri++)
			for (int i = 0; i < set->sensor[si].rule[ri].npat; i++)
				n += set->sensor[si].rule[ri].pat[i].ctx == c;
	if (n == 0)
		return 0;
	if ((db->pat = calloc((size_t)n, sizeof(*db->pat))) == NULL ||
	    (db->val = calloc((size_t)n, sizeof(*db->val))) == NULL ||
	    (db->chain = calloc((size_t)n, sizeof(*db->chain))) == NULL ||
	    (db->always = calloc((size_t)n, sizeof(*db->always))) == NULL)
		return -1;
	for (int si = 0; si < set->n; si++) {
		for (int ri = 0; ri < set->sensor[si].nrules; ri++) {
			struct rule *r = &set->sensor[si].rule[ri];

			for (int i = 0; i < r->npat; i++) {
				struct pattern *p = &r->pat[i];
				enum sensor_validator v = validator_of(r, p);
				int id = 0;

				if (p->ctx != c)
					continue;
				while (id < db->npat && (db->val[id] != v ||
				    strcmp(utexts[id], texts[k]) != 0))
					id++;
				if (id == db->npat) {
					db->pat[id] = p;
					db->val[id] = v;
					utexts[id] = texts[k];
					db->npat++;
				}
				p->id = id;
				k++;
			}
		}
	}
	return 0;
}

/*
 * What Hyperscan compiles of pattern id: a bounded pattern without its
 * word boundaries (strip's, a prefilter: PCRE2 confirms every candidate
 * within the pattern's reach anyway), else its text.
 */
static const char *
hs_text(const struct ctx_db *db, int id, const char *text, char *strip, enum pattern_hs *form,
    int *eod)
{
	const struct pattern *p = db->pat[id];

	if (p->reach == SENSOR_UNBOUNDED ||
	    sensor_strip_boundaries(text, strip, SENSOR_PATTERN_MAX) != 1) {
		*form = hs_form(text, eod);
		return text;
	}
	*form = hs_form(strip, eod);
	if (*form == PHS_EXACT)
		*form = PHS_PREFILTER;
	return strip;
}

/* Both databases of db (block; stream too for streamed contexts). */
static int
hs_compile_all(struct ctx_db *db, enum sensor_ctx c, const char *const *texts)
{
	char (*strip)[SENSOR_PATTERN_MAX] = calloc((size_t)db->npat, sizeof(*strip));
	const char **hst = calloc((size_t)db->npat, sizeof(*hst));

	if (strip == NULL || hst == NULL) {
		free(strip);
		free(hst);
		return -1;
	}
	for (int i = 0; i < db->npat; i++) {
		hst[i] = hs_text(db, i, texts[i], strip[i], &db->pat[i]->hs, &db->eod);
		if (db->pat[i]->hs == PHS_NONE)
			log_warnx("sensor: Hyperscan cannot take pattern %s: it runs through "
			    "PCRE2 alone", texts[i]);
	}
	db->block = hs_db(db, hst, HS_MODE_BLOCK, HS_FLAG_SINGLEMATCH);
	if (db->block == NULL)
		for (int i = 0; i < db->npat; i++)
			db->pat[i]->hs = PHS_NONE;
	if (db->block != NULL && sensor_ctx_streamed(c))
		db->stream = hs_db(db, hst, HS_MODE_STREAM, 0);
	if (db->stream == NULL)
		for (int i = 0; sensor_ctx_streamed(c) && i < db->npat; i++)
			db->pat[i]->hs = PHS_NONE;
	free(strip);
	free(hst);
	return 0;
}

static int
ctx_build(struct sensor_set *set, enum sensor_ctx c, const char *const *ptexts,
    const char **texts, int use_hs)
{
	struct ctx_db *db = &set->db[c];

	if (number(set, c, ptexts, texts) < 0 || (sensor_ctx_streamed(c) &&
	    (stream_rules(set, c) < 0 || stream_users(set, c) < 0)))
		return -1;
	if (use_hs && db->npat > 0 && hs_compile_all(db, c, texts) < 0)
		return -1;
	for (int i = 0; i < db->npat; i++) {
		const struct pattern *p = db->pat[i];

		if (p->hs == PHS_NONE)
			db->always[db->nalways++] = i;
		set->info.hs_exact += p->hs == PHS_EXACT;
		set->info.hs_prefilter += p->hs == PHS_PREFILTER;
		set->info.pcre_only += p->hs == PHS_NONE;
	}
	for (int k = 0; k < 2; k++) {
		size_t sz;

		if ((k ? db->stream : db->block) != NULL &&
		    hs_database_size(k ? db->stream : db->block, &sz) == HS_SUCCESS)
			set->info.hs_bytes += sz;
	}
	return 0;
}

int
sensor_hs_build(struct sensor_set *set, const struct sensor_spec *s, int use_hs)
{
	const char **texts = NULL, **utexts = NULL;
	int total = 0, rc = 0;

	for (int si = 0; si < set->n; si++)
		for (int ri = 0; ri < set->sensor[si].nrules; ri++)
			total += set->sensor[si].rule[ri].npat;
	if (total > 0 && ((texts = calloc((size_t)total, sizeof(*texts))) == NULL ||
	    (utexts = calloc((size_t)total, sizeof(*utexts))) == NULL)) {
		free(texts);
		return -1;
	}
	for (int c = 0; rc == 0 && c < SCTX_COUNT; c++) {
		int n = 0;

		for (int si = 0; si < set->n; si++)
			for (int ri = 0; ri < set->sensor[si].nrules; ri++)
				for (int i = 0; i < s[si].rules[ri].npat; i++)
					if (s[si].rules[ri].pat[i].ctx == (enum sensor_ctx)c)
						texts[n++] = s[si].rules[ri].pat[i].re;
		rc = ctx_build(set, (enum sensor_ctx)c, texts, utexts, use_hs);
	}
	free(texts);
	free(utexts);
	return rc;
}

void
sensor_hs_free(struct sensor_set *set)
{
	for (int c = 0; c < SCTX_COUNT; c++) {
		struct ctx_db *db = &set->db[c];

		hs_free_database(db->block);
		hs_free_database(db->stream);
		free(db->pat);
		free(db->val);
		free(db->chain);
		free(db->user);
		free(db->users);
		free(db->always);
		free(db->sr);
	}
}

int
sensor_scratch_fit(struct sensor_scratch *s, const struct sensor_set *set)
{
	if (s->hs_gen == set->gen)
		return 0;
	for (int c = 0; c < SCTX_COUNT; c++) {
		const struct ctx_db *db = &set->db[c];

		if (db->block != NULL && hs_alloc_scratch(db->block, &s->hs) != HS_SUCCESS)
			return -1;
		if (db->stream != NULL && hs_alloc_scratch(db->stream, &s->hs) != HS_SUCCESS)
			return -1;
	}
	s->hs_gen = set->gen;
	return 0;
}
