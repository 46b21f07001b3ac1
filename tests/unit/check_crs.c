/*
 * check_crs.c: sensor.crs (issue 16).  ModSecurity's log lines read back
 * (a client's bytes cannot fake a rule id); the engine with Debian's CRS
 * (a SQL injection denied with its rule ids, a clean request passes, the
 * paranoia level and threshold of the request, a broken rule file refused
 * with its name); and through worker_packet(): the packet that completes
 * a request is held and gets its verdict when the evaluation ends, the
 * same at every segmentation of a sample (split anywhere, a head first
 * and its body later), later packets held behind it, an alert in monitor
 * mode; the args context of a native sensor in the packet path.
 *
 * The engine tests need libmodsecurity and the CRS files (Debian's
 * modsecurity-crs, which scripts/setup installs); without them they say
 * so and pass.
 */
#include "config.h"

#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture_policy.h"
#include "packet/worker.h"
#include "pkt.h"
#include "runtime/crs_pool.h"
#include "sensor/crs.h"
#include "threat/threat_def.h"

#define CLIENT	"198.19.0.20"
#define CLIENT2	"198.19.0.21"
#define WEB	"198.19.0.10"
#define SETUP	"/etc/modsecurity/crs/crs-setup.conf"
#define RULES	"/usr/share/modsecurity-crs/rules/*.conf"

/* --- log lines ------------------------------------------------------------ */

static const char line_942100[] = "[client 198.18.0.1] ModSecurity: Warning. Matched "
    "\"Operator `DetectSQLi' with parameter `' against variable `ARGS:q' (Value: `1' OR "
    "'1'='1' ) [file \"/usr/share/modsecurity-crs/rules/REQUEST-942-APPLICATION-ATTACK-SQLI."
    "conf\"] [line \"45\"] [id \"942100\"] [rev \"\"] [msg \"SQL Injection Attack Detected via "
    "libinjection\"] [data \"Matched Data: s&sos found within ARGS:q: 1' OR '1'='1\"] "
    "[severity \"2\"] [ver \"OWASP_CRS/3.3.4\"] [maturity \"0\"] [accuracy \"0\"] [tag "
    "\"attack-sqli\"] [hostname \"198.18.0.2\"] [uri \"/\"] [unique_id \"nvd1t5n01\"] [ref "
    "\"v8,10\"]";

START_TEST(test_log_line)
{
	struct crs_hit h;

	ck_assert_int_eq(crs_log_parse(line_942100, strlen(line_942100), &h), 0);
	ck_assert_int_eq(h.id, 942100);
	ck_assert_str_eq(h.msg, "SQL Injection Attack Detected via libinjection");
	ck_assert_str_eq(h.data, "Matched Data: s&sos found within ARGS:q: 1' OR '1'='1");
	/* Cut anywhere: never read past the length, never a wrong id. */
	for (size_t n = 0; n < strlen(line_942100); n++)
		if (crs_log_parse(line_942100, n, &h) == 0)
			ck_assert(h.id == 942100 || h.id == -1);
	ck_assert_int_eq(crs_log_parse("no fields at all", 16, &h), -1);
}
END_TEST

/* A client's value that spells a second id marker makes the line
 * ambiguous (id -1), whether it comes before the genuine one or after. */
START_TEST(test_log_line_forged)
{
	static const char fake[] = "\"] [line \"1\"] [id \"1\"] [rev \"";
	char line[2048];
	struct crs_hit h;

	snprintf(line, sizeof(line), "ModSecurity: Warning. Matched (Value: `%s' ) [file \"f\"] "
	    "[line \"45\"] [id \"942100\"] [rev \"\"] [msg \"m\"] [data \"d\"] [severity \"2\"]",
	    fake);
	ck_assert_int_eq(crs_log_parse(line, strlen(line), &h), 0);
	ck_assert_int_eq(h.id, -1);
	snprintf(line, sizeof(line), "ModSecurity: Warning. Matched [file \"f\"] [line \"45\"] "
	    "[id \"942100\"] [rev \"\"] [msg \"m\"] [data \"x%s\"] [severity \"2\"]", fake);
	ck_assert_int_eq(crs_log_parse(line, strlen(line), &h), 0);
	ck_assert_int_eq(h.id, -1);
	/* Bytes outside printable ASCII are masked, long data cut. */
	snprintf(line, sizeof(line), "[file \"f\"] [line \"1\"] [id \"7\"] [rev \"\"] [msg "
	    "\"a\001" "b\"] [data \"%0200d\"] [severity \"2\"]", 0);
	ck_assert_int_eq(crs_log_parse(line, strlen(line), &h), 0);
	ck_assert_int_eq(h.id, 7);
	ck_assert_str_eq(h.msg, "a?b");
	ck_assert_uint_eq(strlen(h.data), CRS_DATA_MAX - 1);
	ck_assert_str_eq(h.data + CRS_DATA_MAX - 4, "...");
}
END_TEST

/* --- the engine ----------------------------------------------------------- */

static struct crs_engine *
engine(void)
{
	char err[512];
	struct crs_engine *e;

	if (!crs_available() || access(SETUP, R_OK) != 0) {
		fprintf(stderr, "check_crs: no libmodsecurity or no CRS files: engine not tested\n");
		return NULL;
	}
	e = crs_engine_load(SETUP, RULES, err, sizeof(err));
	ck_assert_msg(e != NULL, "%s", err);
	return e;
}

static int
eval(struct crs_engine *e, const char *target, const char *body, int pl, int thr,
    struct crs_result *res)
{
	static const char hdrs[] = "Host: web\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n";
	struct crs_request rq = { .client = "198.18.0.1", .server = "198.18.0.2",
	    .client_port = 40000, .server_port = 80, .minor = 1 };

	rq.method = (const uint8_t *)(body ? "POST" : "GET");
	rq.method_len = body ? 4 : 3;
	rq.target = (const uint8_t *)target;
	rq.target_len = strlen(target);
	rq.headers = (const uint8_t *)hdrs;
	rq.headers_len = strlen(hdrs);
	rq.body = (const uint8_t *)body;
	rq.body_len = body ? strlen(body) : 0;
	rq.paranoia = pl;
	rq.threshold = thr;
	rq.nonce = 42;
	return crs_eval(e, &rq, res);
}

static int
has_rule(const struct crs_result *r, int id)
{
	for (int i = 0; i < r->nhits; i++)
		if (r->hits[i].id == id)
			return 1;
	return 0;
}

START_TEST(test_engine)
{
	struct crs_engine *e = engine();
	struct crs_result r;

	if (e == NULL)
		return;
	ck_assert_int_eq(eval(e, "/search?q=1%27%20OR%20%271%27%3D%271", NULL, 1, 5, &r), 0);
	ck_assert(r.denied);
	ck_assert_int_ge(r.score, 5);
	ck_assert(has_rule(&r, 942100));
	ck_assert_int_eq(eval(e, "/search?q=hello+world", NULL, 1, 5, &r), 0);
	ck_assert(!r.denied);
	ck_assert_int_eq(r.score, 0);
	/* The request's threshold, not crs-setup's. */
	ck_assert_int_eq(eval(e, "/search?q=1%27%20OR%20%271%27%3D%271", NULL, 1, 1000, &r), 0);
	ck_assert(!r.denied);
	ck_assert_int_gt(r.score, 0);
	/* In the body too; an XSS and a path traversal. */
	ck_assert_int_eq(eval(e, "/login", "user=admin%27%20OR%201%3D1--&pass=x", 1, 5, &r), 0);
	ck_assert(r.denied);
	ck_assert_int_eq(eval(e, "/?q=%3Cscript%3Ealert(1)%3C/script%3E", NULL, 1, 5, &r), 0);
	ck_assert(r.denied);
	ck_assert(has_rule(&r, 941100));
	ck_assert_int_eq(eval(e, "/?file=../../../../etc/passwd", NULL, 1, 5, &r), 0);
	ck_assert(r.denied);
	ck_assert(has_rule(&r, 930100) || has_rule(&r, 930110) || has_rule(&r, 930120));
	crs_engine_unref(e);
}
END_TEST

/* A higher paranoia level runs more rules: a request PL1 lets pass, PL4 scores. */
START_TEST(test_engine_paranoia)
{
	struct crs_engine *e = engine();
	struct crs_result r1, r4;
	const char *t = "/?a=%7E%7E%7E%7E%7E%60%60%60%60%60%5E%5E%5E%5E%5E%21%21%21%21";

	if (e == NULL)
		return;
	ck_assert_int_eq(eval(e, t, NULL, 1, 5, &r1), 0);
	ck_assert_int_eq(eval(e, t, NULL, 4, 5, &r4), 0);
	ck_assert_int_gt(r4.score, r1.score);
	crs_engine_unref(e);
}
END_TEST

START_TEST(test_engine_broken_file)
{
	char path[] = "/tmp/check_crs_XXXXXX.conf", err[512];
	int fd = mkstemps(path, 5);

	if (!crs_available())
		return;
	ck_assert_int_ge(fd, 0);
	ck_assert_int_gt(write(fd, "SecRule ARGS \"@rx x\" \"id:1,phase:2,nosuchaction\"\n", 50), 0);
	close(fd);
	ck_assert_ptr_null(crs_engine_load("", path, err, sizeof(err)));
	ck_assert_msg(strstr(err, path) != NULL, "%s", err);
	ck_assert_ptr_null(crs_engine_load("", "/nonexistent/*.conf", err, sizeof(err)));
	ck_assert_str_eq(err, "crs_rules '/nonexistent/*.conf': no file");
	unlink(path);
}
END_TEST

/* --- the packet path ------------------------------------------------------- */

static struct sensor_spec sensors[2];
static struct sensor_rule_spec arg_rules[1];
static struct policy_assign assigns[2];
static struct crs_pool *pool;
static struct threat_set threats;	/* as built in, as nvd runs them */
static uint64_t token;
/* Late verdicts by token. */
static enum verdict late_v[4096];
static int late_set[4096];

static void
late(void *ctx, uint64_t tok, enum verdict v)
{
	(void)ctx;
	ck_assert_uint_lt(tok, 4096);
	ck_assert(!late_set[tok]);
	late_v[tok] = v;
	late_set[tok] = 1;
}

/* threads: the pool's (0: no evaluation ever ends). */
static void
setup_pool(enum policy_mode mode, int threshold, int threads)
{
	struct crs_engine *e = engine();

	fx_begin();
	fx_group("nv.client", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_group("nv.client2", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_group("nv.web", GROUP_LEARNED, mode, NULL);
	fx_workload("client", CLIENT);
	fx_workload("client2", CLIENT2);
	fx_workload("web", WEB);
	fx_rule("nv.client", "nv.web", "any", "tcp/80", RULE_ALLOW, RULE_USER);
	fx_rule("nv.client2", "nv.web", "any", "tcp/80", RULE_ALLOW, RULE_USER);
	memset(sensors, 0, sizeof(sensors));
	strcpy(sensors[0].name, CRS_SENSOR);
	sensors[0].type = SENSOR_WAF;
	memset(assigns, 0, sizeof(assigns));
	strcpy(assigns[0].group, "nv.web");
	strcpy(assigns[0].sensor, CRS_SENSOR);
	assigns[0].deny = 1;
	assigns[0].paranoia = 1;
	assigns[0].threshold = threshold;
	fx.sensors = sensors;
	fx.nsensors = 1;
	fx.assigns = assigns;
	fx.nassigns = 1;
	threat_set_default(&threats);
	fx.threats = &threats;
	fx_start(1000);
	memset(late_set, 0, sizeof(late_set));
	token = 0;
	pool = NULL;
	if (e == NULL)
		return;
	pool = crs_pool_new(threads, 1024);
	ck_assert_ptr_nonnull(pool);
	crs_pool_set_engine(pool, e);
	crs_engine_unref(e);
	fx.w.crs.pool = pool;
	fx.w.crs.late = late;
}

static void
setup_protect(void)
{
	setup_pool(MODE_PROTECT, 5, 1);
}

static void
setup_monitor(void)
{
	setup_pool(MODE_MONITOR, 5, 1);
}

static void
setup_stuck(void)
{
	setup_pool(MODE_PROTECT, 5, 0);
}

/* The pool first: its threads hand jobs back to the worker's queue. */
static void
teardown(void)
{
	crs_pool_free(pool);
	fx_end();
}

/* Sends len bytes from the client; the final verdict (waits for a held one). */
static enum verdict
send_wait(struct fx_conn *k, const char *s, size_t len, int *held)
{
	uint64_t tok = ++token;
	enum verdict v;

	fx.w.crs.token = tok;
	v = fx_conn_send(k, 0, TCP_ACK | TCP_PSH, s, len);
	if (held)
		*held = v == VERDICT_HOLD;
	if (v != VERDICT_HOLD)
		return v;
	for (int i = 0; i < 1000 && !late_set[tok]; i++) {
		struct pollfd p = { .fd = fx.w.crs.done.fd, .events = POLLIN };

		poll(&p, 1, 10);
		crs_stage_poll(&fx.w.crs, fx.clock_ms);
	}
	ck_assert_msg(late_set[tok], "no verdict for a held packet");
	return late_v[tok];
}

static enum verdict
send_s(struct fx_conn *k, const char *s)
{
	return send_wait(k, s, strlen(s), NULL);
}

static const char sqli_get[] = "GET /search?q=1%27%20OR%20%271%27%3D%271 HTTP/1.1\r\n"
    "Host: web\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n";
static const char clean_get[] = "GET /search?q=hello+world HTTP/1.1\r\n"
    "Host: web\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n";
static const char sqli_post[] = "POST /login HTTP/1.1\r\nHost: web\r\nUser-Agent: Mozilla/5.0\r\n"
    "Accept: */*\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    "Content-Length: 35\r\n\r\nuser=admin%27%20OR%201%3D1--&pass=x";

/*
 * The sample cut in two at every byte: the first piece passes (a head
 * alone is evaluated first, held meanwhile), the piece that completes the
 * request is held and gets want; after a deny the flow is dropped.
 */
static void
every_cut(const char *sample, enum verdict want, uint16_t port0)
{
	size_t len = strlen(sample);

	if (pool == NULL)
		return;
	for (size_t cut = 1; cut < len; cut++) {
		struct fx_conn k;
		int held;

		fx_conn_open(&k, CLIENT, (uint16_t)(port0 + cut), WEB, 80);
		ck_assert_msg(send_wait(&k, sample, cut, NULL) == VERDICT_ACCEPT,
		    "cut at %zu: the first piece was not passed", cut);
		ck_assert_msg(send_wait(&k, sample + cut, len - cut, &held) == want,
		    "cut at %zu", cut);
		ck_assert_msg(held, "cut at %zu: the completing packet was not held", cut);
		if (want == VERDICT_DROP)
			ck_assert_int_eq(send_s(&k, "x"), VERDICT_DROP);
	}
}

START_TEST(test_every_cut_sqli)
{
	every_cut(sqli_get, VERDICT_DROP, 20000);
}
END_TEST

START_TEST(test_every_cut_clean)
{
	every_cut(clean_get, VERDICT_ACCEPT, 30000);
}
END_TEST

START_TEST(test_every_cut_body)
{
	every_cut(sqli_post, VERDICT_DROP, 40000);
}
END_TEST

/* A later packet of a flow whose request is being evaluated waits behind
 * it, then goes with its own verdict. */
START_TEST(test_held_in_order)
{
	struct fx_conn k;
	uint64_t t1, t2;

	if (pool == NULL)
		return;
	fx_conn_open(&k, CLIENT, 50000, WEB, 80);
	fx.w.crs.token = t1 = ++token;
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, clean_get, strlen(clean_get)),
	    VERDICT_HOLD);
	fx.w.crs.token = t2 = ++token;
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK, NULL, 0), VERDICT_HOLD);
	ck_assert_uint_eq(fx.w.crs.held, 2);
	for (int i = 0; i < 1000 && !late_set[t2]; i++) {
		struct pollfd p = { .fd = fx.w.crs.done.fd, .events = POLLIN };

		poll(&p, 1, 10);
		crs_stage_poll(&fx.w.crs, fx.clock_ms);
	}
	ck_assert(late_set[t1] && late_set[t2]);
	ck_assert_int_eq(late_v[t1], VERDICT_ACCEPT);
	ck_assert_int_eq(late_v[t2], VERDICT_ACCEPT);
	ck_assert_uint_eq(fx.w.crs.st.held, 2);
	ck_assert_uint_eq(fx.w.crs.held, 0);
}
END_TEST

/* Every request of a keep-alive connection is evaluated, those past
 * stream_depth too: padding a connection with clean requests is no way
 * around the CRS. */
START_TEST(test_past_stream_depth)
{
	struct fx_conn k;
	size_t sent = 0;
	int held;

	if (pool == NULL)
		return;
	fx_set_limits(512, 64u << 20);
	fx_conn_open(&k, CLIENT, 57000, WEB, 80);
	while (sent < 2048) {
		ck_assert_int_eq(send_wait(&k, clean_get, strlen(clean_get), &held),
		    VERDICT_ACCEPT);
		ck_assert_msg(held, "a clean request at %zu bytes was not evaluated", sent);
		ck_assert_int_eq(fx_conn_send(&k, 1, TCP_ACK | TCP_PSH, "HTTP/1.1 200 OK\r\n"
		    "Content-Length: 0\r\n\r\n", 38), VERDICT_ACCEPT);
		sent += strlen(clean_get);
	}
	ck_assert_int_eq(send_wait(&k, sqli_get, strlen(sqli_get), &held), VERDICT_DROP);
	ck_assert(held);
}
END_TEST

START_TEST(test_monitor_alerts)
{
	struct fx_conn k;
	struct record r[8];
	unsigned n;

	if (pool == NULL)
		return;
	fx_conn_open(&k, CLIENT, 51000, WEB, 80);
	ck_assert_int_eq(send_wait(&k, sqli_get, strlen(sqli_get), NULL), VERDICT_ACCEPT);
	n = fx_records_of(REC_EVENT, r, 8);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(r[0].u.ev.type, EV_WAF);
	ck_assert_int_eq(r[0].u.ev.action, EV_ALERT);
	ck_assert_str_eq(r[0].u.ev.sensor, CRS_SENSOR);
	ck_assert_msg(strstr(r[0].u.ev.name, "942100") != NULL, "%s", r[0].u.ev.name);
	ck_assert_msg(strstr(r[0].u.ev.message, "would have been denied") != NULL, "%s",
	    r[0].u.ev.message);
	ck_assert_msg(strstr(r[0].u.ev.message, "score") != NULL, "%s", r[0].u.ev.message);
}
END_TEST

START_TEST(test_protect_event)
{
	struct fx_conn k;
	struct record r[8];

	if (pool == NULL)
		return;
	fx_conn_open(&k, CLIENT, 52000, WEB, 80);
	ck_assert_int_eq(send_wait(&k, sqli_get, strlen(sqli_get), NULL), VERDICT_DROP);
	ck_assert_uint_eq(fx_records_of(REC_EVENT, r, 8), 1);
	ck_assert_int_eq(r[0].u.ev.action, EV_DENY);
	ck_assert_uint_eq(fx.w.crs.st.flows_denied, 1);
	ck_assert_uint_eq(fx.w.judge.rst.failed + fx.w.judge.rst.sent, 2);	/* both ends */
	/* No packet of it may come again to give its states back: they go now. */
	ck_assert_ptr_null(fx_flow_with_port(52000)->insp);
	ck_assert_ptr_null(fx_flow_with_port(52000)->thr);
}
END_TEST

/*
 * One client cannot take every evaluation: past its share (CRS_CLIENT_SHARE
 * requests in flight) its requests are in doubt, dropped in protect mode,
 * while another client's are still evaluated.
 */
START_TEST(test_client_share)
{
	struct fx_conn k;

	if (pool == NULL)
		return;
	for (int i = 0; i < CRS_CLIENT_SHARE; i++) {
		fx_conn_open(&k, CLIENT, (uint16_t)(54000 + i), WEB, 80);
		fx.w.crs.token = ++token;
		ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, clean_get,
		    strlen(clean_get)), VERDICT_HOLD);
	}
	fx_conn_open(&k, CLIENT, 55000, WEB, 80);
	fx.w.crs.token = ++token;
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, clean_get, strlen(clean_get)),
	    VERDICT_DROP);
	ck_assert_uint_eq(fx.w.crs.st.busy, 1);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_CRS_BUSY], 1);
	fx_conn_open(&k, CLIENT2, 55001, WEB, 80);
	fx.w.crs.token = ++token;
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, clean_get, strlen(clean_get)),
	    VERDICT_HOLD);
	ck_assert_uint_eq(fx.w.crs.jobs, CRS_CLIENT_SHARE + 1);
}
END_TEST

/* Past crs_deadline a request is in doubt: in protect its packets are
 * dropped and its connection reset. */
START_TEST(test_deadline)
{
	struct fx_conn k;
	uint64_t t, sent;

	if (pool == NULL)
		return;
	fx_conn_open(&k, CLIENT, 56000, WEB, 80);
	fx.w.crs.token = t = ++token;
	sent = fx.clock_ms;
	ck_assert_int_eq(fx_conn_send(&k, 0, TCP_ACK | TCP_PSH, clean_get, strlen(clean_get)),
	    VERDICT_HOLD);
	crs_stage_poll(&fx.w.crs, sent + fx.w.crs.deadline_ms - 1);
	ck_assert(!late_set[t]);
	crs_stage_poll(&fx.w.crs, sent + fx.w.crs.deadline_ms);
	ck_assert(late_set[t]);
	ck_assert_int_eq(late_v[t], VERDICT_DROP);
	ck_assert_uint_eq(fx.w.crs.st.late, 1);
	ck_assert_uint_eq(fx.w.judge.st.unjudged[DOUBT_CRS_LATE], 1);
	ck_assert_uint_eq(fx.w.judge.rst.failed + fx.w.judge.rst.sent, 2);
	ck_assert_int_eq(send_s(&k, "x"), VERDICT_DROP);
}
END_TEST

/* The args context of a native sensor: one argument's value, decoded once. */
static void
setup_args(void)
{
	fx_begin();
	fx_group("nv.client", GROUP_LEARNED, MODE_DISCOVER, NULL);
	fx_group("nv.web", GROUP_LEARNED, MODE_PROTECT, NULL);
	fx_workload("client", CLIENT);
	fx_workload("web", WEB);
	fx_rule("nv.client", "nv.web", "any", "tcp/80", RULE_ALLOW, RULE_USER);
	memset(arg_rules, 0, sizeof(arg_rules));
	strcpy(arg_rules[0].name, "quote-or");
	strcpy(arg_rules[0].pat[0].re, "(?i)^'\\s*or\\s");
	arg_rules[0].pat[0].ctx = SCTX_ARGS;
	arg_rules[0].npat = 1;
	memset(sensors, 0, sizeof(sensors));
	strcpy(sensors[0].name, "args");
	sensors[0].type = SENSOR_WAF;
	sensors[0].rules = arg_rules;
	sensors[0].nrules = 1;
	memset(assigns, 0, sizeof(assigns));
	strcpy(assigns[0].group, "nv.web");
	strcpy(assigns[0].sensor, "args");
	assigns[0].deny = 1;
	fx.sensors = sensors;
	fx.nsensors = 1;
	fx.assigns = assigns;
	fx.nassigns = 1;
	threat_set_default(&threats);
	fx.threats = &threats;
	fx_start(1000);
	pool = NULL;
}

START_TEST(test_args_in_packet_path)
{
	static const char json_head[] = "POST /api HTTP/1.1\r\nHost: web\r\n"
	    "Content-Type: application/json\r\nContent-Length: 24\r\n\r\n";
	struct fx_conn k;

	/* A query value, a cookie, a JSON value: each caught. */
	fx_conn_open(&k, CLIENT, 53000, WEB, 80);
	ck_assert_int_eq(send_s(&k, "GET /?a=1&q=%27%20or%201=1 HTTP/1.1\r\nHost: web\r\n\r\n"),
	    VERDICT_DROP);
	fx_conn_open(&k, CLIENT, 53001, WEB, 80);
	/* '+' is no space in a cookie */
	ck_assert_int_eq(send_s(&k, "GET / HTTP/1.1\r\nHost: web\r\nCookie: s=1; t='+or+1\r\n\r\n"),
	    VERDICT_ACCEPT);
	fx_conn_open(&k, CLIENT, 53002, WEB, 80);
	ck_assert_int_eq(send_s(&k, "GET / HTTP/1.1\r\nHost: web\r\nCookie: s=1; t='%20or 1\r\n"
	    "\r\n"), VERDICT_DROP);
	fx_conn_open(&k, CLIENT, 53003, WEB, 80);
	ck_assert_int_eq(send_wait(&k, json_head, strlen(json_head), NULL), VERDICT_ACCEPT);
	ck_assert_int_eq(send_s(&k, "{\"u\": {\"n\": \"' or 1=1\"}}"), VERDICT_DROP);
	/* Not anchored elsewhere in a value, and a name=value pair is no value. */
	fx_conn_open(&k, CLIENT, 53004, WEB, 80);
	ck_assert_int_eq(send_wait(&k, "GET /?q=x%27%20or%201 HTTP/1.1\r\nHost: web\r\n\r\n", 45,
	    NULL), VERDICT_ACCEPT);
}
END_TEST

static Suite *
crs_suite(void)
{
	Suite *s = suite_create("crs");
	TCase *tc = tcase_create("log");

	tcase_add_test(tc, test_log_line);
	tcase_add_test(tc, test_log_line_forged);
	suite_add_tcase(s, tc);

	tc = tcase_create("engine");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_engine);
	tcase_add_test(tc, test_engine_paranoia);
	tcase_add_test(tc, test_engine_broken_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("protect");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup_protect, teardown);
	tcase_add_test(tc, test_every_cut_sqli);
	tcase_add_test(tc, test_every_cut_clean);
	tcase_add_test(tc, test_every_cut_body);
	tcase_add_test(tc, test_held_in_order);
	tcase_add_test(tc, test_protect_event);
	tcase_add_test(tc, test_past_stream_depth);
	suite_add_tcase(s, tc);

	tc = tcase_create("bounds");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup_stuck, teardown);
	tcase_add_test(tc, test_client_share);
	tcase_add_test(tc, test_deadline);
	suite_add_tcase(s, tc);

	tc = tcase_create("monitor");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup_monitor, teardown);
	tcase_add_test(tc, test_monitor_alerts);
	suite_add_tcase(s, tc);

	tc = tcase_create("args");
	tcase_add_checked_fixture(tc, setup_args, teardown);
	tcase_add_test(tc, test_args_in_packet_path);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(crs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
