/*
 * crs.h: sensor.crs, the OWASP Core Rule Set run by libmodsecurity3
 * (issue 16).
 *
 * crs_engine_load() parses the rule files once (nvd's own settings, then
 * crs_setup, then nvd's per-request settings, then every file crs_rules
 * names, a glob, in name order), off the packet path; crs_eval() runs one
 * HTTP request through phases 1 and 2 (connection, request line, headers,
 * body) and says which rules fired and the anomaly score.  Any number of
 * threads may evaluate with one engine at once, each request in its own
 * transaction; the engine is freed once nobody uses it (crs_engine_ref /
 * crs_engine_unref).
 *
 * Paranoia level and anomaly threshold are per request: the transaction's
 * id carries them (UNIQUE_ID, which a client cannot set) and a rule of
 * nvd's, loaded right after crs_setup, sets tx.paranoia_level,
 * tx.executing_paranoia_level and tx.inbound_anomaly_score_threshold from
 * it; the CRS's defaults (REQUEST-901) then leave them.  The verdict is
 * ModSecurity's own (the CRS's 949110 denies at the threshold); rule ids,
 * messages and matched data come from its log lines (crs_log.h).
 *
 * Built without libmodsecurity (configure --without-modsecurity),
 * crs_engine_load() fails with CRS_UNAVAILABLE and nothing else runs.
 */
#ifndef NVD_CRS_H
#define NVD_CRS_H

#include <stddef.h>
#include <stdint.h>

#include "sensor/crs_log.h"

#define CRS_SENSOR		"sensor.crs"	/* its name among the sensors */
#define CRS_HITS_MAX		16	/* rules reported per request */
#define CRS_PARANOIA_MAX	4
#define CRS_THRESHOLD_DEFAULT	5	/* the CRS's inbound default */
#define CRS_THRESHOLD_MAX	10000
#define CRS_HEADERS_MAX		128	/* header lines handed to ModSecurity */
#define CRS_UNAVAILABLE		"nvd was built without libmodsecurity (configure --with-modsecurity)"

struct crs_engine;

/* Whether this nvd was built with libmodsecurity. */
int crs_available(void);

/*
 * Parses the rules.  Returns NULL with err: ModSecurity's message for a
 * file that does not parse ("/etc/modsecurity/crs/x.conf: Rules error.
 * File: ... Line: 3. Column: 10. Expecting an action, got: ..."), "crs_rules
 * '/x/...': no file", CRS_UNAVAILABLE, or "no memory".  The caller owns
 * one reference.
 */
struct crs_engine *crs_engine_load(const char *setup, const char *rules, char *err,
    size_t errlen);
void crs_engine_ref(struct crs_engine *e);
void crs_engine_unref(struct crs_engine *e);
/* Rule files read (crs_setup and crs_rules'). */
int crs_engine_files(const struct crs_engine *e);

/* One request as nvd's HTTP parser (http.h) read it. */
struct crs_request {
	char client[48], server[48];	/* addresses as text */
	uint16_t client_port, server_port;
	const uint8_t *method;
	size_t method_len;
	const uint8_t *target;		/* as sent */
	size_t target_len;
	int minor;			/* HTTP/1.minor */
	const uint8_t *headers;		/* the raw header lines */
	size_t headers_len;
	const uint8_t *body;		/* de-chunked, decoded; NULL: none (yet) */
	size_t body_len;
	int paranoia;			/* 1..4 */
	int threshold;			/* inbound anomaly score that denies */
	uint64_t nonce;			/* unguessable, per request */
};

struct crs_result {
	int denied;			/* the score reached the threshold */
	int score;			/* the inbound anomaly score, -1 if not told */
	int nhits;
	struct crs_hit hits[CRS_HITS_MAX];	/* in the order they fired */
	int more;			/* rules fired past CRS_HITS_MAX */
	int ambiguous;			/* log lines whose rule id could not be told */
};

/*
 * Evaluates rq with e.  Returns 0 with res, or -1 (ModSecurity could not
 * start the transaction: no memory).  Thread-safe.
 */
int crs_eval(struct crs_engine *e, const struct crs_request *rq, struct crs_result *res);

#endif
