/*
 * rules_file.c: the sensor rule file parser (rules_file.h, nvd.rules(5)).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sensor/rules_file.h"

#define BLANKS	" \t\r"

/* Lines after a bad sensor or rule line belong to nothing; skip them quietly. */
enum skip {
	SKIP_NONE = 0,
	SKIP_RULE,		/* up to the next rule or sensor */
	SKIP_SENSOR,		/* up to the next sensor */
};

struct parser {
	const char *name;
	int line;
	struct rules_errors *errs;
	int nerr;
	struct rules_file *rf;
	int cap;		/* of rf->sensors and rf->line */
	struct sensor_spec *sn;	/* the sensor being read, or NULL */
	int rcap;		/* of sn->rules */
	int nrules;		/* in the file */
	struct sensor_rule_spec *rule;	/* the rule being read, or NULL */
	int rule_line;
	int validator_line;	/* of the rule's validator, 0 if none yet */
	int bad_pattern;	/* the rule had one: say nothing of it having none */
	enum skip skip;
	int acap;		/* of rf->adm */
	struct rules_admission *adm;	/* the admission rule being read, or NULL */
	int message_line;	/* of its message, 0 if none yet */
	int tcap;		/* of rf->threats */
	struct rules_threat *thr;	/* the threat block being read, or NULL */
	/* Where the block set its level, action, state and each parameter. */
	int thr_line[3 + THREAT_PARAMS_MAX];
};

static void __attribute__((format(printf, 3, 4)))
perr(struct parser *p, int line, const char *fmt, ...)
{
	char msg[288];
	va_list ap;

	p->nerr++;
	if (p->errs == NULL || p->errs->count >= RULES_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Line 0: the file as a whole. */
	if (line > 0)
		snprintf(p->errs->msg[p->errs->count++], sizeof(p->errs->msg[0]), "%s:%d: %s",
		    p->name, line, msg);
	else
		snprintf(p->errs->msg[p->errs->count++], sizeof(p->errs->msg[0]), "%s: %s",
		    p->name, msg);
}

int
rules_name_check(const char *what, const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name);

	if (len == 0 || len >= SENSOR_NAME_MAX) {
		snprintf(err, errlen, "%s name '%.*s%s': 1 to %d characters", what, 40, name,
		    len > 40 ? "..." : "", SENSOR_NAME_MAX - 1);
		return -1;
	}
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != len) {
		snprintf(err, errlen, "%s name '%s': only letters, digits, '.', '_' and '-'", what,
		    name);
		return -1;
	}
	if (strchr("._-", name[0]) != NULL) {
		snprintf(err, errlen, "%s name '%s' must start with a letter or a digit", what, name);
		return -1;
	}
	return 0;
}

/* The next blank-separated word of *s (NUL-terminating it), or NULL. */
static char *
word(char **s)
{
	char *w = *s + strspn(*s, BLANKS);
	size_t n;

	if (*w == '\0')
		return NULL;
	n = strcspn(w, BLANKS);
	*s = w + n;
	if (**s != '\0')
		*(*s)++ = '\0';
	return w;
}

/* Checks the rule just finished; it stays in its sensor either way. */
static void
rule_end(struct parser *p)
{
	struct sensor_rule_spec *r = p->rule;
	int positive = 0;

	if (r == NULL)
		return;
	for (int i = 0; i < r->npat; i++)
		positive += !r->pat[i].negate;
	if (r->npat == 0 && !p->bad_pattern)
		perr(p, p->rule_line, "rule '%s' has no pattern", r->name);
	else if (r->npat > 0 && positive == 0)
		perr(p, p->rule_line, "rule '%s' has only negated patterns", r->name);
	p->rule = NULL;
}

static int
threat_end(struct parser *p)
{
	char err[160];
	struct rules_threat *t = p->thr;

	p->thr = NULL;
	if (t != NULL && threat_conf_check(t->id, &t->conf, err, sizeof(err)) < 0)
		perr(p, t->line, "threat '%s': %s", threat_defs[t->id].name, err);
	return 0;
}

static void
sensor_end(struct parser *p)
{
	rule_end(p);
	p->sn = NULL;
	p->adm = NULL;
	threat_end(p);
}

static void *
grow(void *arr, int *cap, int n, size_t size)
{
	void *a;
	int ncap;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 4;
	if ((a = realloc(arr, (size_t)ncap * size)) == NULL)
		return NULL;
	*cap = ncap;
	return a;
}

static int
sensor_line(struct parser *p, char *rest)
{
	struct rules_file *rf = p->rf;
	char *name = word(&rest), *type = word(&rest), err[160];
	struct sensor_spec *s;
	enum sensor_type t;
	void *a;

	sensor_end(p);
	p->skip = SKIP_SENSOR;
	if (name == NULL || type == NULL || word(&rest) != NULL) {
		perr(p, p->line, "expected 'sensor NAME dlp|waf'");
		return 0;
	}
	if (rules_name_check("sensor", name, err, sizeof(err)) < 0) {
		perr(p, p->line, "%s", err);
		return 0;
	}
	if (sensor_type_parse(type, &t) < 0) {
		perr(p, p->line, "sensor '%s': unknown type '%.40s' (expected dlp or waf)", name, type);
		return 0;
	}
	for (int i = 0; i < rf->nsensors; i++)
		if (strcmp(rf->sensors[i].name, name) == 0) {
			perr(p, p->line, "sensor '%s' already defined at line %d", name, rf->line[i]);
			return 0;
		}
	if (rf->nsensors == SENSOR_MAX) {
		perr(p, p->line, "more than %d sensors", SENSOR_MAX);
		return 0;
	}
	if ((a = grow(rf->sensors, &p->cap, rf->nsensors, sizeof(*rf->sensors))) == NULL)
		return -1;
	rf->sensors = a;
	if ((a = realloc(rf->line, (size_t)p->cap * sizeof(*rf->line))) == NULL)
		return -1;
	rf->line = a;
	s = &rf->sensors[rf->nsensors];
	memset(s, 0, sizeof(*s));
	strcpy(s->name, name);
	s->type = t;
	rf->line[rf->nsensors++] = p->line;
	p->sn = s;
	p->rcap = 0;
	p->skip = SKIP_NONE;
	return 0;
}

static int
rule_line(struct parser *p, char *rest)
{
	struct sensor_spec *s = p->sn;
	char *name = word(&rest), err[160];
	struct sensor_rule_spec *r;
	void *a;

	rule_end(p);
	if (p->skip == SKIP_SENSOR)
		return 0;
	p->skip = SKIP_RULE;
	if (s == NULL) {
		perr(p, p->line, "rule outside a sensor (a 'sensor NAME TYPE' line must come first)");
		return 0;
	}
	if (name == NULL || word(&rest) != NULL) {
		perr(p, p->line, "expected 'rule NAME'");
		return 0;
	}
	if (rules_name_check("rule", name, err, sizeof(err)) < 0) {
		perr(p, p->line, "%s", err);
		return 0;
	}
	for (int i = 0; i < s->nrules; i++)
		if (strcmp(s->rules[i].name, name) == 0) {
			perr(p, p->line, "rule '%s' defined twice in sensor '%s'", name, s->name);
			return 0;
		}
	if (s->nrules == SENSOR_RULES_MAX) {
		perr(p, p->line, "more than %d rules in sensor '%s'", SENSOR_RULES_MAX, s->name);
		return 0;
	}
	if (p->nrules == RULES_FILE_RULES) {
		perr(p, p->line, "more than %d rules in the file", RULES_FILE_RULES);
		return 0;
	}
	if ((a = grow(s->rules, &p->rcap, s->nrules, sizeof(*s->rules))) == NULL)
		return -1;
	s->rules = a;
	r = &s->rules[s->nrules++];
	p->nrules++;
	memset(r, 0, sizeof(*r));
	strcpy(r->name, name);
	p->rule = r;
	p->rule_line = p->line;
	p->validator_line = 0;
	p->bad_pattern = 0;
	p->skip = SKIP_NONE;
	return 0;
}

static void
validator_line(struct parser *p, char *rest)
{
	char *v = word(&rest);
	enum sensor_validator val;

	if (p->skip != SKIP_NONE)
		return;
	if (p->rule == NULL) {
		perr(p, p->line, "validator outside a rule");
		return;
	}
	if (v == NULL || word(&rest) != NULL) {
		perr(p, p->line, "expected 'validator luhn|ssn|none'");
		return;
	}
	if (sensor_validator_parse(v, &val) < 0) {
		perr(p, p->line, "unknown validator '%.40s' (expected luhn, ssn or none)", v);
		return;
	}
	if (p->validator_line) {
		perr(p, p->line, "rule '%s' has a validator already (line %d)", p->rule->name,
		    p->validator_line);
		return;
	}
	p->rule->validator = val;
	p->validator_line = p->line;
}

int
rules_pattern(struct sensor_pattern_spec *ps, const char *text, enum sensor_ctx ctx, char *err,
    size_t errlen)
{
	char why[200];

	ps->negate = text[0] == '!';
	text += ps->negate;
	if (*text == '\0') {
		snprintf(err, errlen, "empty pattern");
		return -1;
	}
	if (strlen(text) >= sizeof(ps->re)) {
		snprintf(err, errlen, "longer than %d bytes", SENSOR_PATTERN_MAX - 1);
		return -1;
	}
	if (sensor_pattern_check(text, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	strcpy(ps->re, text);
	ps->ctx = ctx;
	return 0;
}

/* The rest of a line, blanks cut at both ends. */
static char *
rest_of(char *rest)
{
	size_t n;

	rest += strspn(rest, BLANKS);
	for (n = strlen(rest); n > 0 && strchr(BLANKS, rest[n - 1]) != NULL; n--)
		rest[n - 1] = '\0';
	return rest;
}

static void
pattern_line(struct parser *p, enum sensor_ctx ctx, char *rest)
{
	struct sensor_rule_spec *r = p->rule;
	char err[240];

	if (p->skip != SKIP_NONE)
		return;
	if (r == NULL) {
		perr(p, p->line, "pattern outside a rule (a 'rule NAME' line must come first)");
		return;
	}
	rest = rest_of(rest);
	if (r->npat == SENSOR_RULE_PATTERNS) {
		perr(p, p->line, "more than %d patterns in rule '%s'", SENSOR_RULE_PATTERNS, r->name);
		return;
	}
	if (rules_pattern(&r->pat[r->npat], rest, ctx, err, sizeof(err)) < 0) {
		perr(p, p->line, "pattern: %s", err);
		p->bad_pattern = 1;
		return;
	}
	r->npat++;
}

static int
admission_line(struct parser *p, char *rest)
{
	struct rules_file *rf = p->rf;
	char *name = word(&rest), *action = word(&rest), *crit, err[160];
	struct rules_admission *a;
	void *v;

	sensor_end(p);
	p->skip = SKIP_SENSOR;
	crit = rest_of(rest);
	if (name == NULL || action == NULL || *crit == '\0') {
		perr(p, p->line, "expected 'admission NAME allow|deny CRITERIA'");
		return 0;
	}
	if (rules_name_check("admission rule", name, err, sizeof(err)) < 0) {
		perr(p, p->line, "%s", err);
		return 0;
	}
	if (strcmp(action, "allow") != 0 && strcmp(action, "deny") != 0) {
		perr(p, p->line, "admission rule '%s': unknown action '%.40s' (expected allow or "
		    "deny)", name, action);
		return 0;
	}
	for (int i = 0; i < rf->nadm; i++)
		if (strcmp(rf->adm[i].name, name) == 0) {
			perr(p, p->line, "admission rule '%s' already defined at line %d", name,
			    rf->adm[i].line);
			return 0;
		}
	if (rf->nadm == RULES_FILE_ADMISSION) {
		perr(p, p->line, "more than %d admission rules in the file", RULES_FILE_ADMISSION);
		return 0;
	}
	if ((v = grow(rf->adm, &p->acap, rf->nadm, sizeof(*rf->adm))) == NULL)
		return -1;
	rf->adm = v;
	a = &rf->adm[rf->nadm++];
	memset(a, 0, sizeof(*a));
	strcpy(a->name, name);
	a->deny = action[0] == 'd';
	strcpy(a->criteria, crit);
	a->line = p->line;
	p->adm = a;
	p->message_line = 0;
	p->skip = SKIP_NONE;
	return 0;
}

/* --- threat blocks ------------------------------------------------------ */

static int
threat_line(struct parser *p, char *rest)
{
	struct rules_file *rf = p->rf;
	char *name = word(&rest);
	struct rules_threat *t;
	struct threat_set def;
	void *a;
	int id;

	sensor_end(p);
	p->skip = SKIP_SENSOR;
	if (name == NULL || word(&rest) != NULL) {
		perr(p, p->line, "expected 'threat NAME'");
		return 0;
	}
	if ((id = threat_find(name)) < 0) {
		perr(p, p->line, "unknown threat '%.64s' (nvd.rules(5) lists them)", name);
		return 0;
	}
	for (int i = 0; i < rf->nthreats; i++)
		if (rf->threats[i].id == id) {
			perr(p, p->line, "threat '%s' already set at line %d", name,
			    rf->threats[i].line);
			return 0;
		}
	if ((a = grow(rf->threats, &p->tcap, rf->nthreats, sizeof(*rf->threats))) == NULL)
		return -1;
	rf->threats = a;
	t = &rf->threats[rf->nthreats++];
	threat_set_default(&def);
	t->id = id;
	t->line = p->line;
	t->conf = def.t[id];
	p->thr = t;
	memset(p->thr_line, 0, sizeof(p->thr_line));
	p->skip = SKIP_NONE;
	return 0;
}

static void
message_line(struct parser *p, char *rest)
{
	char *text = rest_of(rest);

	if (p->adm == NULL) {
		if (p->skip == SKIP_NONE)
			perr(p, p->line, "message outside an admission rule (an 'admission NAME "
			    "allow|deny CRITERIA' line must come first)");
		return;
	}
	if (p->message_line) {
		perr(p, p->line, "admission rule '%s' has a message already (line %d)", p->adm->name,
		    p->message_line);
		return;
	}
	if (*text == '\0' || strlen(text) >= sizeof(p->adm->message)) {
		perr(p, p->line, "message: 1 to %d bytes", RULES_MESSAGE_MAX - 1);
		return;
	}
	strcpy(p->adm->message, text);
	p->message_line = p->line;
}

static int
threat_keyword(const char *kw)
{
	return !strcmp(kw, "level") || !strcmp(kw, "action") || !strcmp(kw, "enable") ||
	    !strcmp(kw, "disable") || !strcmp(kw, "param");
}

/* Notes that the block sets what slot i is; 0, or -1 when it did already. */
static int
threat_once(struct parser *p, int i, const char *what)
{
	if (p->thr_line[i]) {
		perr(p, p->line, "threat '%s': %s already set at line %d",
		    threat_defs[p->thr->id].name, what, p->thr_line[i]);
		return -1;
	}
	p->thr_line[i] = p->line;
	return 0;
}

static void
threat_param(struct parser *p, char *rest)
{
	struct rules_threat *t = p->thr;
	char *name = word(&rest), *val = word(&rest), err[160];
	int k;

	if (name == NULL || val == NULL || word(&rest) != NULL) {
		perr(p, p->line, "expected 'param NAME VALUE'");
		return;
	}
	if ((k = threat_param_find(t->id, name)) < 0) {
		perr(p, p->line, "threat '%s' has no parameter '%.40s'%s",
		    threat_defs[t->id].name, name, threat_defs[t->id].nparams ? "" : " (none)");
		return;
	}
	if (threat_param_parse(t->id, k, val, &t->conf.param[k], err, sizeof(err)) < 0)
		perr(p, p->line, "threat '%s': %s", threat_defs[t->id].name, err);
	else
		threat_once(p, 3 + k, name);
}

/* A level, action, enable, disable or param line of the block above it. */
static void
threat_setting(struct parser *p, const char *kw, char *rest)
{
	struct rules_threat *t = p->thr;
	char *v;
	int level;

	if (p->skip != SKIP_NONE)
		return;
	if (t == NULL) {
		perr(p, p->line, "'%s' outside a threat (a 'threat NAME' line must come first)",
		    kw);
		return;
	}
	if (!strcmp(kw, "param")) {
		threat_param(p, rest);
		return;
	}
	v = word(&rest);
	if (!strcmp(kw, "enable") || !strcmp(kw, "disable")) {
		if (v != NULL)
			perr(p, p->line, "expected '%s' alone", kw);
		else if (threat_once(p, 2, "enable or disable") == 0)
			t->conf.enabled = kw[0] == 'e';
	} else if (v == NULL || word(&rest) != NULL)
		perr(p, p->line, "expected '%s %s'", kw, kw[0] == 'l' ? "info|warning|critical" :
		    "alert|deny");
	else if (kw[0] == 'l') {
		if (threat_level_parse(v, &level) < 0)
			perr(p, p->line, "unknown level '%.40s' (expected info, warning or "
			    "critical)", v);
		else if (threat_once(p, 0, "level") == 0)
			t->conf.level = (uint8_t)level;
	} else if (strcmp(v, "alert") && strcmp(v, "deny"))
		perr(p, p->line, "unknown action '%.40s' (expected alert or deny)", v);
	else if (threat_once(p, 1, "action") == 0)
		t->conf.deny = v[0] == 'd';
}

/* One line, NUL-terminated, newline cut.  -1 on no memory. */
static int
parse_line(struct parser *p, char *s)
{
	char *kw;
	enum sensor_ctx ctx;

	s += strspn(s, BLANKS);
	if (*s == '\0' || *s == '#')
		return 0;
	kw = word(&s);
	if (strcmp(kw, "sensor") == 0)
		return sensor_line(p, s);
	if (strcmp(kw, "rule") == 0)
		return rule_line(p, s);
	if (strcmp(kw, "admission") == 0)
		return admission_line(p, s);
	if (strcmp(kw, "threat") == 0)
		return threat_line(p, s);
	if (strcmp(kw, "message") == 0)
		message_line(p, s);
	else if (threat_keyword(kw))
		threat_setting(p, kw, s);
	else if (strcmp(kw, "validator") == 0)
		validator_line(p, s);
	else if (sensor_ctx_parse(kw, &ctx) == 0)
		pattern_line(p, ctx, s);
	else if (p->skip == SKIP_NONE)
		perr(p, p->line, "unknown keyword '%.40s' (expected sensor, rule, validator, "
		    "a context: packet, url, header, body, args, or admission, message, threat, "
		    "level, action, enable, disable, param)", kw);
	return 0;
}

void
rules_free(struct rules_file *rf)
{
	for (int i = 0; rf->sensors != NULL && i < rf->nsensors; i++)
		free(rf->sensors[i].rules);
	free(rf->sensors);
	free(rf->line);
	free(rf->adm);
	free(rf->threats);
	memset(rf, 0, sizeof(*rf));
}

int
rules_parse(const char *name, const char *text, size_t len, struct rules_file *rf,
    struct rules_errors *errs)
{
	struct parser p = { .name = name, .errs = errs, .rf = rf };
	char line[RULES_LINE_MAX + 1];
	size_t off = 0;

	memset(rf, 0, sizeof(*rf));
	if (len > RULES_FILE_MAX) {
		perr(&p, 0, "larger than %d bytes", RULES_FILE_MAX);
		return p.nerr;
	}
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;

		p.line++;
		if (memchr(text + off, '\0', n) != NULL)
			perr(&p, p.line, "NUL byte in line");
		else if (n > RULES_LINE_MAX)
			perr(&p, p.line, "line longer than %d bytes", RULES_LINE_MAX);
		else {
			memcpy(line, text + off, n);
			line[n] = '\0';
			if (parse_line(&p, line) < 0) {
				perr(&p, p.line, "out of memory");
				break;
			}
		}
		off += n + 1;
	}
	sensor_end(&p);
	if (p.nerr)
		rules_free(rf);
	return p.nerr;
}

int
rules_read(const char *path, struct rules_file *rf, struct rules_errors *errs)
{
	struct parser p = { .name = path, .errs = errs };
	FILE *f;
	char *text;
	size_t n;
	int nerr;

	memset(rf, 0, sizeof(*rf));
	if ((f = fopen(path, "r")) == NULL) {
		perr(&p, 0, "cannot open: %s", strerror(errno));
		return p.nerr;
	}
	if ((text = malloc(RULES_FILE_MAX + 1)) == NULL) {
		fclose(f);
		perr(&p, 0, "out of memory");
		return p.nerr;
	}
	n = fread(text, 1, RULES_FILE_MAX + 1, f);
	if (ferror(f))
		perr(&p, 0, "read error");
	fclose(f);
	nerr = p.nerr ? p.nerr : rules_parse(path, text, n, rf, errs);
	free(text);
	return nerr;
}
