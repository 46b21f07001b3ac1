/*
 * fuzz_threat: the threat detectors in the packet path, through
 * worker_packet() with a policy that runs every one of them with action
 * deny in protect mode, their thresholds low enough to reach: packets as
 * fuzz_packet takes them ([family][length, 2 bytes][bytes]), so the fuzzer
 * can build handshakes and streams (HTTP requests, SQL messages, TLS
 * records, DNS over TCP), floods, fragments and echoes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "names/fqdn.h"
#include "packet/reasm.h"
#include "packet/rst.h"
#include "packet/worker.h"
#include "policy/policy.h"
#include "runtime/live.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct live live;
static struct fqdn_cache *cache;

/* Every group in protect mode, every detector on with action deny. */
static void
start(void)
{
	static struct policy_group g[3];
	static const char *const names[3] = { GROUP_CONTAINERS, GROUP_HOST, GROUP_EXTERNAL };
	struct fqdn_limits fl = { .max_bindings = 1000, .min_ttl = 60 };
	struct threat_set ts;
	struct policy_input in;

	for (int i = 0; i < 3; i++) {
		strcpy(g[i].name, names[i]);
		g[i].kind = GROUP_BUILTIN;
		g[i].mode = MODE_PROTECT;
	}
	threat_set_default(&ts);
	for (int i = 0; i < THREAT_COUNT; i++) {
		ts.t[i].enabled = 1;
		ts.t[i].deny = 1;
	}
	ts.t[THREAT_SYN_FLOOD].param[0] = ts.t[THREAT_SYN_FLOOD].param[2] = 4;
	ts.t[THREAT_ICMP_FLOOD].param[0] = ts.t[THREAT_ICMP_FLOOD].param[2] = 4;
	ts.t[THREAT_SESSION_LIMIT].param[0] = 3;
	ts.t[THREAT_DNS_TUNNEL].param[2] = 2;
	ts.t[THREAT_DNS_TUNNEL].param[3] = 0;
	memset(&in, 0, sizeof(in));
	in.groups = g;
	in.ngroups = 3;
	in.threats = &ts;
	live.cur = policy_compile(&in);
	if (live.cur == NULL || meter_table_init(&live.meters, 1024) < 0 ||
	    (cache = fqdn_cache_new(&fl)) == NULL)
		abort();
	live.wake_fd = live.nudge_fd = -1;
}

/* The next packet of the input: [family][length, 2 bytes][bytes]. */
static int
next_packet(const uint8_t **data, size_t *size, const uint8_t **pkt, size_t *len, int *family,
    uint64_t *step)
{
	static const int families[] = { 0, AF_INET, AF_INET6 };
	const uint8_t *d = *data;

	if (*size < 3)
		return 0;
	*family = families[d[0] % 3];
	*step = d[0] & 0xfc ? 10 : 20000;	/* sometimes far enough to expire flows */
	*len = (size_t)d[1] << 8 | d[2];
	if (*len > *size - 3)
		*len = *size - 3;
	*pkt = d + 3;
	*data = d + 3 + *len;
	*size -= 3 + *len;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reasm_limits lim = { .depth = 4096, .memcap = 1 << 20 };
	static struct worker w;
	const uint8_t *pkt;
	uint64_t now = 1000, step;
	struct record r[64];
	size_t len;
	int family;

	if (live.cur == NULL)
		start();
	reasm_set_limits(&lim);
	if (worker_init(&w, 0, 0, 64, FAIL_OPEN) < 0 || worker_set_policy(&w, &live, -1) < 0)
		abort();
	rst_close(&w.judge.rst);	/* build resets, send none */
	w.dns.cache = cache;
	while (next_packet(&data, &size, &pkt, &len, &family, &step)) {
		worker_packet(&w, pkt, len, family, 0, 0, now);
		now += step;
		worker_tick(&w, now);
		judge_flush(&w.judge);
		while (event_ring_pop(&w.judge.ring, r, 64) > 0)
			;
	}
	worker_destroy(&w);
	if (reasm_memuse() != 0)
		abort();
	return 0;
}
