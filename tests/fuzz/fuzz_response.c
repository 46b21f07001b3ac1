/*
 * fuzz_response: the response rule parser (response.c) on any bytes:
 * criteria, actions and a category, as nvctl response add takes them.
 * Its contract: an error is one bounded line; a rule it takes formats to
 * a text that parses back to the same rule, and judges any event without
 * a crash.
 *
 * Input: CRITERIA '\n' ACTIONS '\n' CATEGORY-BYTE [EVENT FIELDS, '\n'-separated].
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next '\n'-ended field of the input, copied NUL-ended into out. */
static const uint8_t *
field(const uint8_t *p, const uint8_t *end, char *out, size_t outlen)
{
	size_t n = 0;

	while (p < end && *p != '\n') {
		if (n + 1 < outlen)
			out[n++] = (char)*p;
		p++;
	}
	out[n] = '\0';
	return p < end ? p + 1 : p;
}

static void
same_rule(const struct response_rule *a, const struct response_rule *b)
{
	if (a->ncrit != b->ncrit || a->actions != b->actions || a->nwebhooks != b->nwebhooks)
		abort();
	for (int i = 0; i < a->ncrit; i++)
		if (a->crit[i].key != b->crit[i].key || strcmp(a->crit[i].glob, b->crit[i].glob))
			abort();
	for (int i = 0; i < a->nwebhooks; i++)
		if (strcmp(a->webhooks[i], b->webhooks[i]))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct response_rule r, back;
	static char crit[4096], acts[4096], text[RESPONSE_TEXT_MAX], ev[5][128];
	const uint8_t *p = data, *end = data + size;
	struct response_event e;
	struct response_fire f;
	struct response_set *s;
	char err[512];

	memset(&r, 0, sizeof(r));
	memset(&back, 0, sizeof(back));
	p = field(p, end, crit, sizeof(crit));
	p = field(p, end, acts, sizeof(acts));
	r.category = p < end ? (enum response_category)(*p++ % RESP_CAT_COUNT) : RESP_CAT_SECURITY;
	for (int i = 0; i < 5; i++)
		p = field(p, end, ev[i], sizeof(ev[i]));
	err[0] = '\0';
	if (response_criteria_parse(crit, &r, err, sizeof(err)) < 0 ||
	    response_actions_parse(acts, &r, err, sizeof(err)) < 0 ||
	    response_rule_check(&r, err, sizeof(err)) < 0) {
		if (err[0] == '\0' || strlen(err) >= sizeof(err) - 1 || strchr(err, '\n'))
			abort();
		return 0;
	}
	response_criteria_format(&r, text, sizeof(text));
	back.category = r.category;
	if (response_criteria_parse(text, &back, err, sizeof(err)) < 0)
		abort();
	response_actions_format(&r, text, sizeof(text));
	if (response_actions_parse(text, &back, err, sizeof(err)) < 0)
		abort();
	same_rule(&r, &back);
	r.enabled = 1;
	if ((s = response_set_new(&r, 1)) == NULL)
		return 0;
	memset(&e, 0, sizeof(e));
	e.type = ev[0];
	e.name = ev[1];
	e.level = ev[2];
	e.sensor = ev[3];
	e.app = ev[4];
	e.src_group = e.dst_group = e.src_workload = e.dst_workload = "";
	if (response_eval(s, NULL, &e, &f) > 1 || f.quarantine_wl != -1 || f.nwebhooks > r.nwebhooks)
		abort();
	response_set_free(s);
	return 0;
}
