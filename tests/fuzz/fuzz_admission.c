/*
 * fuzz_admission: admission control on any bytes: as dockerd's AuthZReq
 * (judged by a policy that has every criterion), as the body of each call
 * that is judged (its facts, every criterion matched on them, the
 * environment against a DLP sensor), as a docker inspect document, and as
 * criteria text (parsed, formatted, parsed again to the same).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admission/adm_authz.h"
#include "base/b64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const every[] = {
	"privileged", "root,host-network", "host-pid,host-ipc,host-uts", "unconfined",
	"env-secret", "no-limits", "mount=/var/run/docker.sock", "mount=/etc/*",
	"device=/dev/*", "image=*nginx*", "registry=docker.io", "tag=latest",
	"label:zone=v*", "cap=SYS_*", "port=1-1024",
};
#define NEVERY	(sizeof(every) / sizeof(every[0]))

static struct adm_policy *policy;
static struct sensor_scratch *scratch;

static void
init(void)
{
	static struct sensor_rule_spec rule = {
		.name = "key", .npat = 1,
		.pat = { { .re = "AKIA[0-9A-Z]{16}", .ctx = SCTX_PACKET } },
	};
	static struct sensor_spec dlp = { .name = "sensor.key", .type = SENSOR_DLP,
	    .rules = &rule, .nrules = 1 };
	struct adm_rule r[NEVERY + 1];
	char err[256];

	for (size_t i = 0; i < NEVERY; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].id = (int64_t)i + 1;
		r[i].deny = 1;
		r[i].enabled = 1;
		r[i].ncrit = adm_criteria_parse(every[i], r[i].c, ADM_MAX_CRITERIA, err, sizeof(err));
		if (r[i].ncrit <= 0)
			abort();
	}
	memset(&r[NEVERY], 0, sizeof(r[NEVERY]));
	r[NEVERY].id = 99;
	r[NEVERY].enabled = 1;
	r[NEVERY].ncrit = adm_criteria_parse("image=trusted/*,label:team=infra", r[NEVERY].c,
	    ADM_MAX_CRITERIA, err, sizeof(err));
	if ((policy = adm_policy_new(ADM_PROTECT, r, NEVERY + 1, &dlp, 1, err, sizeof(err))) == NULL ||
	    (scratch = sensor_scratch_new()) == NULL)
		abort();
}

/* The text as the body of each kind: every rule tried on its facts. */
static void
bodies(const char *text, size_t len)
{
	static const enum adm_kind kinds[] = { ADM_CREATE, ADM_EXEC, ADM_START, ADM_VOLUME,
	    ADM_INSPECT };
	struct json_error jerr;
	struct json_doc *doc = json_parse(text, len, NULL, &jerr);

	if (doc == NULL)
		return;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct adm_outcome o = { .kind = kinds[k] };
		struct adm_facts f;
		char msg[320];

		adm_facts_read(&f, kinds[k], json_root(doc), "x");
		adm_outcome_judge(policy, scratch, &f, &o);
		adm_outcome_message(&o, msg, sizeof(msg));
		/* a body that was read whole is judged the same twice */
		if (!f.unreadable[0] && o.result != ADM_PASS && o.rule_id == 0)
			abort();
		adm_facts_free(&f);
	}
	json_free(doc);
}

/* The text as criteria: what parses formats to text that parses the same. */
static void
criteria(const char *text)
{
	struct adm_crit c[ADM_MAX_CRITERIA], c2[ADM_MAX_CRITERIA];
	char out[ADM_CRITERIA_TEXT * 2], out2[ADM_CRITERIA_TEXT * 2], err[512];
	int n = adm_criteria_parse(text, c, ADM_MAX_CRITERIA, err, sizeof(err));

	if (n <= 0)
		return;
	adm_criteria_format(c, n, out, sizeof(out));
	if (adm_criteria_parse(out, c2, ADM_MAX_CRITERIA, err, sizeof(err)) != n)
		abort();
	adm_criteria_format(c2, n, out2, sizeof(out2));
	if (strcmp(out, out2) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct adm_outcome o;
	char *text;

	if (policy == NULL)
		init();
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	adm_authz_judge(policy, scratch, text, size, &o);
	if (!o.allow && o.kind == ADM_OTHER)
		abort();	/* only what is judged is refused */
	bodies(text, size);
	if (size < 4096 && memchr(text, '\0', size) == NULL)
		criteria(text);
	free(text);
	return 0;
}
