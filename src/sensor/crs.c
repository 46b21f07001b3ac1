/*
 * crs.c: sensor.crs's engine, libmodsecurity3 with the OWASP CRS (crs.h).
 */
#include "config.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/crs.h"

#ifdef HAVE_MODSECURITY

#include <modsecurity/intervention.h>
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>

/*
 * Before crs_setup: the engine blocks (the verdict is ModSecurity's
 * intervention), request bodies are read (nvd bounds them before), nothing
 * is written to disk, and bodies are parsed by their type as
 * modsecurity.conf-recommended does (rules 200000 and 200001 there).
 */
static const char prelude[] =
    "SecRuleEngine On\n"
    "SecRequestBodyAccess On\n"
    "SecResponseBodyAccess Off\n"
    "SecRequestBodyLimitAction ProcessPartial\n"
    "SecAuditEngine Off\n"
    "SecArgumentSeparator &\n"
    "SecCookieFormat 0\n"
    "SecRule REQUEST_HEADERS:Content-Type \"@rx (?:application(?:/soap\\+|/)|text/)xml\" "
    "\"id:99001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML\"\n"
    "SecRule REQUEST_HEADERS:Content-Type \"@rx application/json\" "
    "\"id:99002,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON\"\n";

/* After crs_setup: the request's paranoia level and threshold (crs.h). */
static const char per_request[] =
    "SecRule UNIQUE_ID \"@rx ^nvd([1-4])t([0-9]{1,5})n\" "
    "\"id:99010,phase:1,pass,nolog,t:none,capture,"
    "setvar:tx.paranoia_level=%{TX.1},setvar:tx.executing_paranoia_level=%{TX.1},"
    "setvar:tx.inbound_anomaly_score_threshold=%{TX.2}\"\n";

/* After the CRS: the score of a request it did not deny, when not 0. */
#define SCORE_RULE	99020
static const char postlude[] =
    "SecRule TX:ANOMALY_SCORE \"@gt 0\" "
    "\"id:99020,phase:2,pass,log,t:none,msg:'Anomaly score %{TX.ANOMALY_SCORE}'\"\n";

#define DENY_RULE	949110	/* the CRS's inbound anomaly verdict */

struct crs_engine {
	ModSecurity *ms;
	RulesSet *rules;
	int refs;
	int files, nrules;
};

int
crs_available(void)
{
	return 1;
}

/* The score in "... Score: 10)" or "Anomaly score 10", or -1. */
static int
score_of(const char *msg)
{
	const char *p = strrchr(msg, ':');
	int v = 0, n = 0;

	if (p == NULL && (p = strrchr(msg, ' ')) == NULL)
		return -1;
	for (p++; *p == ' '; p++)
		;
	while (*p >= '0' && *p <= '9' && n < 6) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	return n ? v : -1;
}

/* ModSecurity's log callback: one rule fired in the request of data. */
static void
log_line(void *data, const void *text)
{
	struct crs_result *res = data;
	struct crs_hit h;

	if (res == NULL || text == NULL || crs_log_parse(text, strlen(text), &h) < 0)
		return;
	if (h.id < 0) {
		res->ambiguous++;
		return;
	}
	if (h.id == SCORE_RULE || h.id == DENY_RULE) {
		int s = score_of(h.msg);

		if (s >= 0)
			res->score = s;
		if (h.id == SCORE_RULE)
			return;
	}
	if (res->nhits == CRS_HITS_MAX) {
		res->more++;
		return;
	}
	res->hits[res->nhits++] = h;
}

static int
add_text(struct crs_engine *e, const char *what, const char *rules, char *err, size_t errlen)
{
	const char *merr = NULL;

	if (msc_rules_add(e->rules, rules, &merr) < 0) {
		snprintf(err, errlen, "%s: %s", what, merr ? merr : "does not parse");
		free((void *)merr);	/* libmodsecurity's strdup */
		return -1;
	}
	return 0;
}

static int
add_file(struct crs_engine *e, const char *path, char *err, size_t errlen)
{
	const char *merr = NULL;

	if (msc_rules_add_file(e->rules, path, &merr) < 0) {
		snprintf(err, errlen, "%s: %s", path, merr ? merr : "does not parse");
		free((void *)merr);
		return -1;
	}
	e->files++;
	return 0;
}

/* Every file of the glob rules, in name order. */
static int
add_glob(struct crs_engine *e, const char *rules, char *err, size_t errlen)
{
	glob_t g;
	int rc;

	if ((rc = glob(rules, 0, NULL, &g)) != 0) {
		snprintf(err, errlen, "crs_rules '%s': %s", rules,
		    rc == GLOB_NOMATCH ? "no file" : rc == GLOB_NOSPACE ? "no memory" :
		    "cannot be read");
		if (rc != GLOB_NOMATCH)
			globfree(&g);
		return -1;
	}
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (add_file(e, g.gl_pathv[i], err, errlen) < 0) {
			globfree(&g);
			return -1;
		}
	globfree(&g);
	return 0;
}

struct crs_engine *
crs_engine_load(const char *setup, const char *rules, char *err, size_t errlen)
{
	struct crs_engine *e = calloc(1, sizeof(*e));

	if (e == NULL || (e->ms = msc_init()) == NULL ||
	    (e->rules = msc_create_rules_set()) == NULL) {
		snprintf(err, errlen, "no memory");
		goto fail;
	}
	e->refs = 1;
	msc_set_connector_info(e->ms, "nvd " PACKAGE_VERSION);
	msc_set_log_cb(e->ms, log_line);
	if (add_text(e, "nvd's settings", prelude, err, errlen) < 0 ||
	    (setup[0] && add_file(e, setup, err, errlen) < 0) ||
	    add_text(e, "nvd's per-request rule", per_request, err, errlen) < 0 ||
	    add_glob(e, rules, err, errlen) < 0 ||
	    add_text(e, "nvd's score rule", postlude, err, errlen) < 0)
		goto fail;
	return e;
fail:
	if (e != NULL) {
		e->refs = 1;
		crs_engine_unref(e);
	}
	return NULL;
}

void
crs_engine_ref(struct crs_engine *e)
{
	__atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
}

void
crs_engine_unref(struct crs_engine *e)
{
	if (e == NULL || __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	if (e->rules)
		msc_rules_cleanup(e->rules);
	if (e->ms)
		msc_cleanup(e->ms);
	free(e);
}

int
crs_engine_files(const struct crs_engine *e)
{
	return e->files;
}

/* NUL-terminated copy of n bytes into out (cap), cut if need be. */
static const char *
cstr(char *out, size_t cap, const uint8_t *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* The header lines of rq, each "Name: value" with its line end, to t. */
static void
add_headers(Transaction *t, const struct crs_request *rq)
{
	const uint8_t *p = rq->headers, *end = p + rq->headers_len, *name = NULL;
	size_t name_len = 0;
	int n = 0;

	while (p < end && n < CRS_HEADERS_MAX) {
		const uint8_t *eol = memchr(p, '\n', (size_t)(end - p)), *line_end, *colon, *v;

		line_end = eol ? eol : end;
		if (line_end > p && line_end[-1] == '\r')
			line_end--;
		if ((*p == ' ' || *p == '\t') && name != NULL) {
			/* obs-fold: more of the previous field's value */
			v = p;
			while (v < line_end && (*v == ' ' || *v == '\t'))
				v++;
			msc_add_n_request_header(t, name, name_len, v, (size_t)(line_end - v));
		} else if ((colon = memchr(p, ':', (size_t)(line_end - p))) != NULL) {
			name = p;
			name_len = (size_t)(colon - p);
			for (v = colon + 1; v < line_end && (*v == ' ' || *v == '\t'); v++)
				;
			msc_add_n_request_header(t, name, name_len, v, (size_t)(line_end - v));
			n++;
		}
		p = eol ? eol + 1 : end;
	}
}

/*
 * Whether t's rules so far denied the request; the log line of the rule
 * that did (949110, the score) goes to res as the others did.
 */
static int
intervened(Transaction *t, struct crs_result *res)
{
	ModSecurityIntervention it;
	int denied;

	memset(&it, 0, sizeof(it));
	it.status = 200;
	denied = msc_intervention(t, &it) && it.disruptive;
	if (denied && it.log != NULL)
		log_line(res, it.log);
	free(it.url);
	free(it.log);
	return denied;
}

int
crs_eval(struct crs_engine *e, const struct crs_request *rq, struct crs_result *res)
{
	char id[64], method[40], version[8], target[8192];
	Transaction *t;

	memset(res, 0, sizeof(*res));
	res->score = -1;
	snprintf(id, sizeof(id), "nvd%dt%dn%016llx", rq->paranoia, rq->threshold,
	    (unsigned long long)rq->nonce);
	if ((t = msc_new_transaction_with_id(e->ms, e->rules, id, res)) == NULL)
		return -1;
	msc_process_connection(t, rq->client, rq->client_port, rq->server, rq->server_port);
	snprintf(version, sizeof(version), "1.%d", rq->minor);
	msc_process_uri(t, cstr(target, sizeof(target), rq->target, rq->target_len),
	    cstr(method, sizeof(method), rq->method, rq->method_len), version);
	add_headers(t, rq);
	msc_process_request_headers(t);
	if (!(res->denied = intervened(t, res))) {
		if (rq->body != NULL && rq->body_len > 0)
			msc_append_request_body(t, rq->body, rq->body_len);
		msc_process_request_body(t);
		res->denied = intervened(t, res);
	}
	msc_transaction_cleanup(t);
	if (res->score < 0 && !res->denied && res->nhits == 0)
		res->score = 0;
	return 0;
}

#else	/* !HAVE_MODSECURITY */

struct crs_engine {
	int refs;
};

int
crs_available(void)
{
	return 0;
}

struct crs_engine *
crs_engine_load(const char *setup, const char *rules, char *err, size_t errlen)
{
	(void)setup;
	(void)rules;
	snprintf(err, errlen, "%s", CRS_UNAVAILABLE);
	return NULL;
}

void
crs_engine_ref(struct crs_engine *e)
{
	(void)e;
}

void
crs_engine_unref(struct crs_engine *e)
{
	(void)e;
}

int
crs_engine_files(const struct crs_engine *e)
{
	(void)e;
	return 0;
}

int
crs_eval(struct crs_engine *e, const struct crs_request *rq, struct crs_result *res)
{
	(void)e;
	(void)rq;
	memset(res, 0, sizeof(*res));
	return -1;
}

#endif
