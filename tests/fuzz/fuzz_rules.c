/*
 * fuzz_rules: the sensor rule file parser (rules_file.c) on any bytes.
 * Its contract: errors are bounded and named after the file; a text with
 * errors yields nothing; a text without yields well-formed sensors that
 * the engine builds (every name checked, 1 to 8 patterns a rule with one
 * positive at least, each pattern compiled).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/rules_file.h"
#include "sensor/sensor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_rule(const struct sensor_rule_spec *r)
{
	char err[160];
	int positive = 0;

	if (rules_name_check("rule", r->name, err, sizeof(err)) < 0 || r->npat < 1 ||
	    r->npat > SENSOR_RULE_PATTERNS || (unsigned)r->validator > SVAL_SSN)
		abort();
	for (int k = 0; k < r->npat; k++) {
		if (strnlen(r->pat[k].re, SENSOR_PATTERN_MAX) == SENSOR_PATTERN_MAX ||
		    r->pat[k].re[0] == '\0' || (unsigned)r->pat[k].ctx >= SCTX_COUNT)
			abort();
		positive += !r->pat[k].negate;
	}
	if (positive == 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rules_errors errs;
	struct rules_file rf;
	struct sensor_set *set;
	char err[512];
	int nerr, nrules = 0;

	errs.count = 0;
	nerr = rules_parse("fuzz.rules", (const char *)data, size, &rf, &errs);
	if (nerr < errs.count || errs.count > RULES_MAX_ERRORS)
		abort();
	for (int i = 0; i < errs.count; i++)
		if (strncmp(errs.msg[i], "fuzz.rules:", 11) != 0)
			abort();
	if (nerr > 0) {
		if (rf.sensors != NULL || rf.nsensors != 0 || rf.line != NULL)
			abort();
		return 0;
	}
	if (rf.nsensors > SENSOR_MAX)
		abort();
	for (int i = 0; i < rf.nsensors; i++) {
		if (rules_name_check("sensor", rf.sensors[i].name, err, sizeof(err)) < 0 ||
		    rf.sensors[i].nrules > SENSOR_RULES_MAX || rf.line[i] < 1)
			abort();
		for (int k = 0; k < rf.sensors[i].nrules; k++)
			check_rule(&rf.sensors[i].rules[k]);
		nrules += rf.sensors[i].nrules;
	}
	if (nrules > RULES_FILE_RULES)
		abort();
	set = sensor_set_build(rf.sensors, rf.nsensors, 1, err, sizeof(err));
	if (set == NULL && strcmp(err, "no memory") != 0)
		abort();
	sensor_set_free(set);
	rules_free(&rf);
	return 0;
}
