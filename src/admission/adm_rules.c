/*
 * adm_rules.c: admission criteria, rules and the judgement (adm_rules.h).
 */
#include "config.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admission/adm_rules.h"

static const struct {
	const char *word;
	enum adm_crit_kind kind;
	int valued;
} words[] = {
	{ "privileged", AC_PRIVILEGED, 0 },
	{ "root", AC_ROOT, 0 },
	{ "host-network", AC_HOST_NETWORK, 0 },
	{ "host-pid", AC_HOST_PID, 0 },
	{ "host-ipc", AC_HOST_IPC, 0 },
	{ "host-uts", AC_HOST_UTS, 0 },
	{ "unconfined", AC_UNCONFINED, 0 },
	{ "env-secret", AC_ENV_SECRET, 0 },
	{ "no-limits", AC_NO_LIMITS, 0 },
	{ "mount", AC_MOUNT, 1 },
	{ "device", AC_DEVICE, 1 },
	{ "image", AC_IMAGE, 1 },
	{ "registry", AC_REGISTRY, 1 },
	{ "tag", AC_TAG, 1 },
	{ "label", AC_LABEL, 1 },
	{ "cap", AC_CAP, 1 },
	{ "port", AC_PORT, 1 },
};
#define NWORDS	(sizeof(words) / sizeof(words[0]))

#define WORDS_TEXT "privileged, root, host-network, host-pid, host-ipc, host-uts, " \
	"unconfined, env-secret, no-limits, mount=GLOB, device=GLOB, image=GLOB, " \
	"registry=GLOB, tag=GLOB, label:KEY=GLOB, cap=NAME, port=N[-M]"

static const char *
word_of(enum adm_crit_kind k)
{
	for (size_t i = 0; i < NWORDS; i++)
		if (words[i].kind == k)
			return words[i].word;
	return "?";
}

const char *
adm_mode_name(enum adm_mode m)
{
	return m == ADM_PROTECT ? "protect" : "monitor";
}

int
adm_mode_parse(const char *s, enum adm_mode *m)
{
	if (strcmp(s, "monitor") == 0)
		*m = ADM_MONITOR;
	else if (strcmp(s, "protect") == 0)
		*m = ADM_PROTECT;
	else
		return -1;
	return 0;
}

const char *
adm_result_name(enum adm_result r)
{
	static const char *const names[] = { "admitted", "allowed", "violation", "denied" };

	return (unsigned)r < 4 ? names[r] : "?";
}

/* --- parsing ------------------------------------------------------------- */

/* A value: 1 to ADM_VALUE_MAX - 1 printable bytes. */
static int
value_check(const char *what, const char *v, size_t n, char *err, size_t errlen)
{
	if (n == 0) {
		snprintf(err, errlen, "%s needs a value", what);
		return -1;
	}
	if (n >= ADM_VALUE_MAX) {
		snprintf(err, errlen, "%s: value longer than %d bytes", what, ADM_VALUE_MAX - 1);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
			snprintf(err, errlen, "%s: a control character in the value", what);
			return -1;
		}
	return 0;
}

static int
port_parse(const char *v, struct adm_crit *c, char *err, size_t errlen)
{
	unsigned long a = 0, b;
	char *end;

	if (isdigit((unsigned char)v[0]))
		a = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || a < 1 || a > 65535)
		goto bad;
	b = a;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			goto bad;
		b = strtoul(end + 1, &end, 10);
		if (b < a || b > 65535)
			goto bad;
	}
	if (*end != '\0')
		goto bad;
	c->lo = (uint16_t)a;
	c->hi = (uint16_t)b;
	return 0;
bad:
	snprintf(err, errlen, "port '%.40s': expected N or N-M, 1-65535, N at most M", v);
	return -1;
}

/* One criterion of n bytes at s (blanks trimmed) into c. */
static int
crit_parse(const char *s, size_t n, struct adm_crit *c, char *err, size_t errlen)
{
	const char *eq = memchr(s, '=', n);
	size_t wlen = eq ? (size_t)(eq - s) : n, vlen = eq ? n - wlen - 1 : 0;
	size_t i;

	memset(c, 0, sizeof(*c));
	if (wlen >= 6 && strncmp(s, "label:", 6) == 0) {
		if (eq == NULL || value_check("label:KEY", s + 6, wlen - 6, err, errlen) < 0 ||
		    value_check("label", eq + 1, vlen, err, errlen) < 0) {
			if (eq == NULL)
				snprintf(err, errlen, "label needs a value: label:KEY=GLOB");
			return -1;
		}
		c->kind = AC_LABEL;
		memcpy(c->key, s + 6, wlen - 6);
		memcpy(c->value, eq + 1, vlen);
		return 0;
	}
	for (i = 0; i < NWORDS; i++)
		if (strlen(words[i].word) == wlen && strncmp(words[i].word, s, wlen) == 0 &&
		    words[i].kind != AC_LABEL)
			break;
	if (i == NWORDS) {
		snprintf(err, errlen, "unknown criterion '%.*s' (expected %s)", (int)(n < 40 ? n : 40),
		    s, WORDS_TEXT);
		return -1;
	}
	c->kind = words[i].kind;
	if (!words[i].valued) {
		if (eq) {
			snprintf(err, errlen, "%s takes no value", words[i].word);
			return -1;
		}
		return 0;
	}
	if (eq == NULL) {
		snprintf(err, errlen, "%s needs a value: %s=%s", words[i].word, words[i].word,
		    c->kind == AC_PORT ? "N[-M]" : c->kind == AC_CAP ? "NAME" : "GLOB");
		return -1;
	}
	if (value_check(words[i].word, eq + 1, vlen, err, errlen) < 0)
		return -1;
	memcpy(c->value, eq + 1, vlen);
	if (c->kind == AC_PORT)
		return port_parse(c->value, c, err, errlen);
	if (c->kind == AC_CAP) {
		char *v = c->value;

		while (strncasecmp(v, "CAP_", 4) == 0)	/* one canonical text */
			memmove(v, v + 4, strlen(v + 4) + 1);
		if (*v == '\0') {
			snprintf(err, errlen, "cap needs a value: cap=NAME");
			return -1;
		}
		for (; *v; v++)
			*v = (char)toupper((unsigned char)*v);
	}
	return 0;
}

static int
crit_same(const struct adm_crit *a, const struct adm_crit *b)
{
	return a->kind == b->kind && strcmp(a->key, b->key) == 0 &&
	    strcmp(a->value, b->value) == 0;
}

int
adm_criteria_parse(const char *text, struct adm_crit *c, int max, char *err, size_t errlen)
{
	const char *p = text;
	int n = 0;

	if (strlen(text) >= ADM_CRITERIA_TEXT) {
		snprintf(err, errlen, "criteria longer than %d bytes", ADM_CRITERIA_TEXT - 1);
		return -1;
	}
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			snprintf(err, errlen, n == 0 && end == NULL ? "no criteria" : "an empty criterion");
			return -1;
		}
		if (n == max) {
			snprintf(err, errlen, "more than %d criteria", max);
			return -1;
		}
		if (crit_parse(p, len, &c[n], err, errlen) < 0)
			return -1;
		for (int i = 0; i < n; i++)
			if (crit_same(&c[i], &c[n])) {
				snprintf(err, errlen, "criterion '%.*s' is given twice",
				    (int)(len < 60 ? len : 60), p);
				return -1;
			}
		n++;
		if (end == NULL)
			return n;
		p = end + 1;
	}
}

void
adm_criteria_format(const struct adm_crit *c, int n, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = '\0';
	for (int i = 0; i < n && o < outlen; i++) {
		const char *sep = i ? "," : "";
		int k;

		if (c[i].kind == AC_LABEL)
			k = snprintf(out + o, outlen - o, "%slabel:%s=%s", sep, c[i].key, c[i].value);
		else if (c[i].kind == AC_PORT && c[i].lo != c[i].hi)
			k = snprintf(out + o, outlen - o, "%sport=%u-%u", sep, c[i].lo, c[i].hi);
		else if (c[i].kind == AC_PORT)
			k = snprintf(out + o, outlen - o, "%sport=%u", sep, c[i].lo);
		else if (c[i].value[0])
			k = snprintf(out + o, outlen - o, "%s%s=%s", sep, word_of(c[i].kind), c[i].value);
		else
			k = snprintf(out + o, outlen - o, "%s%s", sep, word_of(c[i].kind));
		if (k < 0)
			break;
		o += (size_t)k;
	}
}

/*
 * A path glob with the symlinks of its literal directory resolved: the
 * whole of a glob without metacharacters, else what comes before the last
 * '/' ahead of the first one.  "" when that changes nothing.
 */
static void
glob_resolve(const char *glob, char *out, size_t outlen)
{
	char dir[ADM_PATH_MAX], clean[ADM_PATH_MAX], res[ADM_PATH_MAX];
	size_t lit = strcspn(glob, "*?[\\"), cut = lit;
	const char *rest = "";

	out[0] = '\0';
	if (glob[0] != '/')
		return;
	if (glob[lit] != '\0') {
		while (cut > 0 && glob[cut] != '/')
			cut--;
		rest = glob + cut;	/* from the '/' before the first metacharacter */
	}
	if (cut == 0)
		return;		/* the root is itself */
	snprintf(dir, sizeof(dir), "%.*s", (int)cut, glob);
	if (adm_path_clean(dir, clean, sizeof(clean)) < 0)
		return;
	adm_path_resolve(clean, res, sizeof(res));
	if (strcmp(res, dir) == 0)
		return;
	/* a resolved glob too long to keep is no glob: only the one given is tried */
	if ((size_t)snprintf(out, outlen, "%s%s", *rest && strcmp(res, "/") == 0 ? "" : res,
	    rest) >= outlen)
		out[0] = '\0';
}

void
adm_rule_resolve(struct adm_rule *r)
{
	for (int i = 0; i < r->ncrit; i++)
		if (r->c[i].kind == AC_MOUNT || r->c[i].kind == AC_DEVICE)
			glob_resolve(r->c[i].value, r->c[i].resolved, sizeof(r->c[i].resolved));
}

/* --- matching ------------------------------------------------------------ */

/*
 * A host path the container would see, against a path glob: path or a
 * directory above it matches (it lies beneath what the glob names), or
 * path is a directory above what the glob names (mounting / shows /etc).
 */
static int
path_glob(const char *pat, const char *path)
{
	char tmp[ADM_PATH_MAX];
	size_t lit = strcspn(pat, "*?[\\"), n = strlen(path);

	if (n >= sizeof(tmp))
		return 0;
	memcpy(tmp, path, n + 1);
	for (;;) {
		char *slash;

		if (fnmatch(pat, tmp, 0) == 0)
			return 1;
		if (strcmp(tmp, "/") == 0)
			break;
		slash = strrchr(tmp, '/');
		slash[slash == tmp] = '\0';
	}
	if (pat[0] == '/' && strcmp(path, "/") == 0)
		return 1;
	return lit > n && strncmp(pat, path, n) == 0 && pat[n] == '/';
}

static int
paths_match(const struct adm_crit *c, const struct adm_paths *l, char *why, size_t whylen)
{
	for (int i = 0; i < l->n; i++) {
		const char *pats[2] = { c->value, c->resolved[0] ? c->resolved : NULL };
		const char *paths[2] = { l->v[i].clean, l->v[i].resolved };

		for (int a = 0; a < 2; a++)
			for (int b = 0; b < 2; b++)
				if (pats[a] && path_glob(pats[a], paths[b])) {
					snprintf(why, whylen, "%s%s%s%s", l->v[i].clean,
					    strcmp(paths[0], paths[1]) ? " (" : "",
					    strcmp(paths[0], paths[1]) ? paths[1] : "",
					    strcmp(paths[0], paths[1]) ? ")" : "");
					return 1;
				}
	}
	return 0;
}

/* The names an image goes by: as given, and familiar and full, each
 * bare and with its tag and digest. */
static int
image_match(const char *glob, const struct adm_image *im, char *why, size_t whylen)
{
	char fam[2 * ADM_IMAGE_MAX], full[2 * ADM_IMAGE_MAX], form[5 * ADM_IMAGE_MAX];
	const char *bases[2] = { fam, full };

	if (im->given[0] == '\0')
		return 0;
	snprintf(full, sizeof(full), "%s/%s", im->domain, im->path);
	if (strcmp(im->domain, "docker.io") == 0)
		snprintf(fam, sizeof(fam), "%s", strncmp(im->path, "library/", 8) == 0 ?
		    im->path + 8 : im->path);
	else
		snprintf(fam, sizeof(fam), "%s", full);
	if (fnmatch(glob, im->given, 0) == 0)
		goto yes;
	for (int b = 0; b < 2; b++)
		for (int k = 0; k < 4; k++) {
			if ((k & 1 && im->tag[0] == '\0') || (k & 2 && im->digest[0] == '\0'))
				continue;
			snprintf(form, sizeof(form), "%s%s%s%s%s", bases[b], k & 1 ? ":" : "",
			    k & 1 ? im->tag : "", k & 2 ? "@" : "", k & 2 ? im->digest : "");
			if (fnmatch(glob, form, 0) == 0)
				goto yes;
		}
	return 0;
yes:
	snprintf(why, whylen, "%s", im->given);
	return 1;
}

static int
label_match(const struct adm_crit *c, const struct json *labels, char *why, size_t whylen)
{
	for (size_t i = 0; i < json_len(labels); i++) {
		const struct json *v = json_index(labels, i);
		const char *val = json_str(v) ? json_str(v) : "";

		if (strcmp(json_key(v), c->key) == 0 && fnmatch(c->value, val, 0) == 0) {
			snprintf(why, whylen, "%s=%s", c->key, val);
			return 1;
		}
	}
	return 0;
}

/* Names that say a variable holds a secret; one that ends in _FILE names
 * the file holding it instead (Docker secrets' convention). */
static int
secret_name(const char *name, size_t n)
{
	static const char *const words_in[] = {
		"PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "ACCESS_KEY",
		"PRIVATE_KEY", "CREDENTIAL",
	};
	char up[ADM_VALUE_MAX];

	if (n >= sizeof(up) || (n > 5 && strncasecmp(name + n - 5, "_FILE", 5) == 0))
		return 0;
	for (size_t i = 0; i < n; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[n] = '\0';
	for (size_t i = 0; i < sizeof(words_in) / sizeof(words_in[0]); i++)
		if (strstr(up, words_in[i]))
			return 1;
	return 0;
}

struct dlp_hit {
	int hit;
	char sensor[SENSOR_NAME_MAX];
	char rule[SENSOR_NAME_MAX];
};

static void
dlp_keep(void *ctx, const struct sensor_hit *h)
{
	struct dlp_hit *d = ctx;

	if (d->hit++)
		return;
	snprintf(d->sensor, sizeof(d->sensor), "%s", h->sensor_name);
	snprintf(d->rule, sizeof(d->rule), "%s", h->rule_name);
}

/* "NAME=****wxyz": the last 4 characters of a value of 12 or more, else none. */
static void
env_masked(const char *entry, size_t nlen, char *out, size_t outlen)
{
	const char *val = entry + nlen + 1;
	size_t vlen = strlen(val);

	snprintf(out, outlen, "%.*s=****%s", (int)(nlen < 64 ? nlen : 64), entry,
	    vlen >= 12 ? val + vlen - 4 : "");
}

/* The environment check, done once per request (adm_subject). */
static int
env_check(struct adm_subject *s)
{
	const struct json *env = s->f->env;
	int count = s->dlp ? sensor_set_count(s->dlp) : 0;
	uint64_t mask = count >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << count) - 1;

	if (s->env_checked)
		return s->env_secret;
	s->env_checked = 1;
	for (size_t i = 0; i < json_len(env); i++) {
		const char *e = json_str(json_index(env, i)), *eq = strchr(e, '=');
		const uint8_t *texts[SCTX_COUNT] = { NULL };
		size_t lens[SCTX_COUNT] = { 0 };
		struct dlp_hit h = { 0 };
		char masked[96];
		int rc = 0;

		if (eq == NULL || eq[1] == '\0')
			continue;
		env_masked(e, (size_t)(eq - e), masked, sizeof(masked));
		if (secret_name(e, (size_t)(eq - e))) {
			snprintf(s->env_why, sizeof(s->env_why), "%s (its name)", masked);
			return s->env_secret = 1;
		}
		if (count == 0 || s->scratch == NULL)
			continue;
		texts[SCTX_PACKET] = (const uint8_t *)e;
		lens[SCTX_PACKET] = strlen(e);
		rc = sensor_match(s->dlp, s->scratch, mask, texts, lens, dlp_keep, &h);
		if (h.hit) {
			snprintf(s->env_why, sizeof(s->env_why), "%s (%s %s)", masked, h.sensor, h.rule);
			snprintf(s->env_sensor, sizeof(s->env_sensor), "%s", h.sensor);
			return s->env_secret = 1;
		}
		if (rc < 0) {	/* a pattern gave up: what it would have found counts */
			snprintf(s->env_why, sizeof(s->env_why), "%s (a DLP pattern hit its limits)",
			    masked);
			return s->env_secret = 1;
		}
	}
	return 0;
}

/* Where no_limits and root apply: what starts a container. */
static int
makes_container(const struct adm_facts *f)
{
	return f->kind == ADM_CREATE || f->kind == ADM_INSPECT;
}

static int
flag(int on, const char *text, char *why, size_t whylen)
{
	if (on)
		snprintf(why, whylen, "%s", text);
	return on;
}

int
adm_crit_match(const struct adm_crit *c, struct adm_subject *s, char *why, size_t whylen)
{
	const struct adm_facts *f = s->f;
	char dummy[8];

	if (why == NULL) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	why[0] = '\0';
	switch (c->kind) {
	case AC_PRIVILEGED:
		return flag(f->privileged, "privileged", why, whylen);
	case AC_ROOT:
		if (f->root)
			snprintf(why, whylen, "user '%s'", f->user);
		return f->root && (makes_container(f) || f->kind == ADM_EXEC);
	case AC_HOST_NETWORK:
		return flag(f->host_network, "host network", why, whylen);
	case AC_HOST_PID:
		return flag(f->host_pid, "host pid", why, whylen);
	case AC_HOST_IPC:
		return flag(f->host_ipc, "host ipc", why, whylen);
	case AC_HOST_UTS:
		return flag(f->host_uts, "host uts", why, whylen);
	case AC_UNCONFINED:
		return flag(f->unconfined, f->unconfined_why, why, whylen);
	case AC_ENV_SECRET:
		return flag(env_check(s), s->env_why, why, whylen);
	case AC_NO_LIMITS:
		if (!makes_container(f) || (f->mem_limit && f->cpu_limit))
			return 0;
		snprintf(why, whylen, "no %s limit", !f->mem_limit ? "memory" : "CPU");
		return 1;
	case AC_MOUNT:
		if (f->mount_unknown)
			return flag(1, "VolumesFrom: another container's mounts", why, whylen);
		return paths_match(c, &f->mounts, why, whylen);
	case AC_DEVICE:
		if (f->privileged)
			return flag(1, "privileged: every device", why, whylen);
		if (f->device_any)
			return flag(1, "DeviceCgroupRules: any device", why, whylen);
		return paths_match(c, &f->devices, why, whylen);
	case AC_IMAGE:
		return image_match(c->value, &f->image, why, whylen);
	case AC_REGISTRY:
		return f->image.given[0] && fnmatch(c->value, f->image.domain, 0) == 0 &&
		    flag(1, f->image.domain, why, whylen);
	case AC_TAG:
		return f->image.given[0] && fnmatch(c->value, f->image.tag, 0) == 0 &&
		    flag(1, f->image.tag, why, whylen);
	case AC_LABEL:
		return label_match(c, f->labels, why, whylen);
	case AC_CAP:
		if (f->privileged)
			return flag(1, "privileged: every capability", why, whylen);
		for (int i = 0; i < f->ncaps; i++)
			if (strcmp(f->caps[i], "ALL") == 0 || fnmatch(c->value, f->caps[i], 0) == 0)
				return flag(1, f->caps[i], why, whylen);
		return 0;
	case AC_PORT:
		for (int i = 0; i < f->ports.n; i++)
			if (f->ports.v[i].lo <= c->hi && c->lo <= f->ports.v[i].hi) {
				if (f->ports.v[i].lo == f->ports.v[i].hi)
					snprintf(why, whylen, "%u", f->ports.v[i].lo);
				else
					snprintf(why, whylen, "%u-%u", f->ports.v[i].lo, f->ports.v[i].hi);
				return 1;
			}
		return 0;
	case AC_COUNT:
		break;
	}
	return 0;
}

int
adm_rule_match(const struct adm_rule *r, struct adm_subject *s, char *why, size_t whylen)
{
	size_t o = 0;

	if (why && whylen)
		why[0] = '\0';
	for (int i = 0; i < r->ncrit; i++) {
		char one[192];

		if (!adm_crit_match(&r->c[i], s, one, sizeof(one)))
			return 0;
		if (why && o < whylen) {
			int k = snprintf(why + o, whylen - o, "%s%s", o ? "; " : "", one);

			o += k > 0 ? (size_t)k : 0;
		}
	}
	return r->ncrit > 0;
}

void
adm_judge(const struct adm_rule *r, int n, enum adm_mode mode, struct adm_subject *s,
    struct adm_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (s->f->unreadable[0]) {
		v->unreadable = 1;
		v->result = mode == ADM_PROTECT ? ADM_DENIED : ADM_VIOLATION;
		snprintf(v->why, sizeof(v->why), "%s", s->f->unreadable);
		return;
	}
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			if (!r[i].enabled || r[i].deny != pass ||
			    !adm_rule_match(&r[i], s, v->why, sizeof(v->why)))
				continue;
			v->rule = &r[i];
			v->result = !r[i].deny ? ADM_ALLOWED : mode == ADM_PROTECT ? ADM_DENIED :
			    ADM_VIOLATION;
			return;
		}
	v->why[0] = '\0';
	v->result = ADM_PASS;
}
