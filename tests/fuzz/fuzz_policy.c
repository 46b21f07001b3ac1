/*
 * fuzz_policy: the policy words users type (criteria, port specs, group
 * names, modes) on any text; what parses must format to a text that parses
 * back to the same thing.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
criteria_roundtrip(const char *text)
{
	static struct criterion c[POLICY_MAX_CRITERIA], d[POLICY_MAX_CRITERIA];
	char err[256];
	struct buf a, b;
	int n, m;

	if ((n = criteria_parse(text, c, POLICY_MAX_CRITERIA, err, sizeof(err))) < 0)
		return;
	buf_init(&a);
	buf_init(&b);
	criteria_format(c, n, &a);
	buf_append(&a, "", 1);
	if (buf_failed(&a))
		goto out;
	m = criteria_parse(a.data, d, POLICY_MAX_CRITERIA, err, sizeof(err));
	if (m != n)
		abort();
	criteria_format(d, m, &b);
	buf_append(&b, "", 1);
	if (!buf_failed(&b) && strcmp(a.data, b.data))
		abort();
out:
	buf_free(&a);
	buf_free(&b);
}

static void
ports_roundtrip(const char *text)
{
	struct port_range p[POLICY_MAX_PORTS], q[POLICY_MAX_PORTS];
	char err[256], a[POLICY_MAX_PORTS * 24], b[POLICY_MAX_PORTS * 24];
	int n, m;

	if ((n = ports_parse(text, p, POLICY_MAX_PORTS, err, sizeof(err))) < 0)
		return;
	ports_format(p, n, a, sizeof(a));
	if ((m = ports_parse(a, q, POLICY_MAX_PORTS, err, sizeof(err))) != n)
		abort();
	ports_format(q, m, b, sizeof(b));
	if (strcmp(a, b))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256];
	enum policy_mode m;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	criteria_roundtrip(text);
	ports_roundtrip(text);
	policy_group_name_check(text, err, sizeof(err));
	policy_mode_parse(text, &m);
	free(text);
	return 0;
}
