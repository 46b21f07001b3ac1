/*
 * adm_facts.c: reading what a Docker API request would start (adm_facts.h).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission/adm_facts.h"

static const char *const kind_names[] = {
	[ADM_OTHER] = "other",
	[ADM_CREATE] = "create",
	[ADM_EXEC] = "exec",
	[ADM_START] = "start",
	[ADM_VOLUME] = "volume",
	[ADM_INSPECT] = "inspect",
};

const char *
adm_kind_name(enum adm_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "other";
}

/* --- reading fields as Go does ------------------------------------------ */

/* Says why the body is unreadable: the first reason only. */
static void __attribute__((format(printf, 2, 3)))
bad(struct adm_facts *f, const char *fmt, ...)
{
	va_list ap;

	if (f->unreadable[0])
		return;
	va_start(ap, fmt);
	vsnprintf(f->unreadable, sizeof(f->unreadable), fmt, ap);
	va_end(ap);
}

/*
 * The next character of a key as Go's encoding/json folds keys to compare
 * them with field names (foldName: upper(lower(r))): ASCII upper-cased,
 * U+0130 and U+0131 to 'I', U+017F to 'S', U+212A to 'K'; 0 for anything
 * that can match no ASCII field name.  Advances *p.
 */
static int
go_fold(const unsigned char **p)
{
	const unsigned char *s = *p;

	if (s[0] < 0x80) {
		*p += 1;
		return toupper(s[0]);
	}
	if (s[0] == 0xc4 && (s[1] == 0xb0 || s[1] == 0xb1)) {
		*p += 2;
		return 'I';
	}
	if (s[0] == 0xc5 && s[1] == 0xbf) {
		*p += 2;
		return 'S';
	}
	if (s[0] == 0xe2 && s[1] == 0x84 && s[2] == 0xaa) {
		*p += 3;
		return 'K';
	}
	return 0;
}

/* Key would decode into the field called name (ASCII). */
static int
go_key_is(const char *key, const char *name)
{
	const unsigned char *k = (const unsigned char *)key;

	for (const char *n = name; *n; n++) {
		if (*k == '\0' || go_fold(&k) != toupper((unsigned char)*n))
			return 0;
	}
	return *k == '\0';
}

/*
 * The member of object o that Go decodes into field name, or NULL.  Two of
 * them make the body unreadable (where: the object's place in the body).
 */
static const struct json *
field(struct adm_facts *f, const struct json *o, const char *where, const char *name)
{
	const struct json *found = NULL;

	for (size_t i = 0; i < json_len(o); i++) {
		const struct json *m = json_index(o, i);
		const char *k = json_key(m);

		if (k == NULL || !go_key_is(k, name))
			continue;
		if (found) {
			bad(f, "%s%s%s is given twice", where, *where ? "." : "", name);
			return NULL;
		}
		found = m;
	}
	return found;
}

/* The object at o.name: NULL when absent or null; not an object: unreadable. */
static const struct json *
get_obj(struct adm_facts *f, const struct json *o, const char *where, const char *name)
{
	const struct json *v = field(f, o, where, name);

	if (json_type(v) == JSON_OBJECT)
		return v;
	if (v && json_type(v) != JSON_NULL)
		bad(f, "%s%s%s is not an object", where, *where ? "." : "", name);
	return NULL;
}

/* A string node's text; a string with U+0000 or another type: unreadable. */
static const char *
str_of(struct adm_facts *f, const struct json *v, const char *what)
{
	if (json_type(v) == JSON_STRING && json_str(v) != NULL)
		return json_str(v);
	bad(f, json_type(v) == JSON_STRING ? "%s holds U+0000" : "%s is not a string", what);
	return NULL;
}

/* The string at o.name: NULL when absent or null. */
static const char *
get_str(struct adm_facts *f, const struct json *o, const char *where, const char *name)
{
	const struct json *v = field(f, o, where, name);
	char what[96];

	if (v == NULL || json_type(v) == JSON_NULL)
		return NULL;
	snprintf(what, sizeof(what), "%s%s%s", where, *where ? "." : "", name);
	return str_of(f, v, what);
}

/* The boolean at o.name: absent or null is false (Go leaves it so). */
static int
get_bool(struct adm_facts *f, const struct json *o, const char *where, const char *name)
{
	const struct json *v = field(f, o, where, name);

	if (v == NULL || json_type(v) == JSON_NULL)
		return 0;
	if (json_type(v) != JSON_BOOL)
		bad(f, "%s%s%s is not a boolean", where, *where ? "." : "", name);
	return json_bool(v) == 1;
}

/* The integer at o.name: absent or null is 0. */
static int64_t
get_int(struct adm_facts *f, const struct json *o, const char *where, const char *name)
{
	const struct json *v = field(f, o, where, name);
	int64_t n = 0;

	if (v == NULL || json_type(v) == JSON_NULL)
		return 0;
	if (json_int64(v, &n) < 0)
		bad(f, "%s%s%s is not an integer", where, *where ? "." : "", name);
	return n;
}

/*
 * The array of strings at o.name, or NULL (absent or null).  strslice:
 * Docker's StrSlice, which also takes one string (CapAdd): then that
 * string node itself.  Elements are checked here.
 */
static const struct json *
get_strings(struct adm_facts *f, const struct json *o, const char *where, const char *name,
    int strslice)
{
	const struct json *v = field(f, o, where, name);
	char what[96];

	snprintf(what, sizeof(what), "%s%s%s", where, *where ? "." : "", name);
	if (v == NULL || json_type(v) == JSON_NULL)
		return NULL;
	if (strslice && json_type(v) == JSON_STRING)
		return str_of(f, v, what) ? v : NULL;
	if (json_type(v) != JSON_ARRAY) {
		bad(f, "%s is not a list of strings", what);
		return NULL;
	}
	if (json_len(v) > ADM_MAX_LIST) {
		bad(f, "%s has more than %d entries", what, ADM_MAX_LIST);
		return NULL;
	}
	for (size_t i = 0; i < json_len(v); i++)
		if (str_of(f, json_index(v, i), what) == NULL)
			return NULL;
	return v;
}

/* Element i of what get_strings() returned (a string node is one element). */
static const char *
strings_at(const struct json *v, size_t i)
{
	return json_type(v) == JSON_STRING ? json_str(v) : json_str(json_index(v, i));
}

static size_t
strings_len(const struct json *v)
{
	return json_type(v) == JSON_STRING ? 1 : json_len(v);
}

/*
 * A map (Labels, DriverOpts, PortBindings ...) at o.name, or NULL.  Go
 * keeps the last of two equal keys; nvd refuses to guess.
 */
static const struct json *
get_map(struct adm_facts *f, const struct json *o, const char *where, const char *name)
{
	const struct json *m = get_obj(f, o, where, name);

	if (json_len(m) > ADM_MAX_LIST) {
		bad(f, "%s%s%s has more than %d entries", where, *where ? "." : "", name,
		    ADM_MAX_LIST);
		return NULL;
	}
	for (size_t i = 0; m && i < json_len(m); i++) {
		const char *k = json_key(json_index(m, i));

		if (k == NULL) {
			bad(f, "a key of %s%s%s holds U+0000", where, *where ? "." : "", name);
			return NULL;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(k, json_key(json_index(m, j))) == 0) {
				bad(f, "%s%s%s has key '%.40s' twice", where, *where ? "." : "", name, k);
				return NULL;
			}
	}
	return m;
}

/* The value of map m's key (exact), a string or NULL. */
static const char *
map_str(struct adm_facts *f, const struct json *m, const char *what, const char *key)
{
	for (size_t i = 0; i < json_len(m); i++) {
		const struct json *v = json_index(m, i);

		if (strcmp(json_key(v), key) == 0)
			return json_type(v) == JSON_NULL ? NULL : str_of(f, v, what);
	}
	return NULL;
}

/* --- lists of facts ------------------------------------------------------- */

static int
grow(void **v, int *cap, int n, size_t size)
{
	void *a;

	if (n < *cap)
		return 0;
	if ((a = realloc(*v, (size_t)(*cap ? *cap * 2 : 8) * size)) == NULL)
		return -1;
	*v = a;
	*cap = *cap ? *cap * 2 : 8;
	return 0;
}

int
adm_path_clean(const char *path, char *out, size_t outlen)
{
	size_t o = 0;
	const char *p = path;

	if (path[0] != '/' || outlen < 2)
		return -1;
	out[o++] = '/';
	while (*p) {
		const char *seg;
		size_t n;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			/* back to the previous '/', never above the root */
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
			continue;
		}
		if (o + (o > 1) + n + 1 > outlen)
			return -1;
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, seg, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

void
adm_path_resolve(const char *clean, char *out, size_t outlen)
{
	char prefix[PATH_MAX], real[PATH_MAX], joined[2 * PATH_MAX];
	size_t cut = strlen(clean);

	snprintf(out, outlen, "%s", clean);
	if (cut >= sizeof(prefix))
		return;
	memcpy(prefix, clean, cut + 1);
	for (;;) {
		if (realpath(prefix, real) != NULL)
			break;
		if (errno != ENOENT && errno != ENOTDIR)
			return;
		/* the parent: what exists of the path */
		while (cut > 0 && clean[--cut] != '/')
			continue;
		if (cut == 0) {
			strcpy(real, "/");
			break;
		}
		prefix[cut] = '\0';
	}
	snprintf(joined, sizeof(joined), "%s%s", real, clean + strlen(prefix));
	if (adm_path_clean(joined, prefix, sizeof(prefix)) == 0)
		snprintf(out, outlen, "%s", prefix);
}

/* Adds host path p to l; not an absolute path that fits: unreadable. */
static int
path_add(struct adm_facts *f, struct adm_paths *l, const char *p, const char *what)
{
	char clean[ADM_PATH_MAX], res[ADM_PATH_MAX];
	struct adm_path *e;

	if (l->n == ADM_MAX_LIST) {
		bad(f, "more than %d host paths (%ss)", ADM_MAX_LIST, what);
		return 0;
	}
	if (adm_path_clean(p, clean, sizeof(clean)) < 0) {
		bad(f, "%s '%.60s' is not an absolute path of at most %d bytes", what, p,
		    ADM_PATH_MAX - 1);
		return 0;
	}
	adm_path_resolve(clean, res, sizeof(res));
	if (grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)) < 0)
		return -1;
	e = &l->v[l->n];
	if ((e->clean = strdup(clean)) == NULL)
		return -1;
	if ((e->resolved = strdup(res)) == NULL) {
		free(e->clean);
		return -1;
	}
	l->n++;
	return 0;
}

static void
paths_free(struct adm_paths *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->v[i].clean);
		free(l->v[i].resolved);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* "N" or "N-M" of decimal digits, 0-65535, as Docker's nat package reads ports. */
static int
port_range(const char *s, size_t n, uint16_t *lo, uint16_t *hi)
{
	unsigned long v[2] = { 0, 0 };
	int k = 0;
	size_t digits = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-' && k == 0 && digits) {
			k = 1;
			digits = 0;
			continue;
		}
		if (!isdigit((unsigned char)s[i]) || (v[k] = v[k] * 10 + (unsigned)(s[i] - '0')) > 65535)
			return -1;
		digits++;
	}
	if (digits == 0)
		return -1;
	*lo = (uint16_t)v[0];
	*hi = (uint16_t)(k ? v[1] : v[0]);
	return *lo <= *hi ? 0 : -1;
}

static int
port_add(struct adm_facts *f, uint16_t lo, uint16_t hi)
{
	struct adm_ports *l = &f->ports;

	if (l->n == ADM_MAX_LIST) {
		bad(f, "more than %d published ports", ADM_MAX_LIST);
		return 0;
	}
	if (grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)) < 0)
		return -1;
	l->v[l->n].lo = lo;
	l->v[l->n].hi = hi;
	l->n++;
	return 0;
}

/* A nat.Port key ("80/tcp", "8000-8010/udp", "80") as a published port. */
static int
port_key_add(struct adm_facts *f, const char *key)
{
	const char *slash = strchr(key, '/');
	uint16_t lo, hi;

	if (port_range(key, slash ? (size_t)(slash - key) : strlen(key), &lo, &hi) < 0) {
		bad(f, "port '%.40s' is not a port or range", key);
		return 0;
	}
	return port_add(f, lo, hi);
}

/* --- the parts of a body --------------------------------------------------- */

/* "cap_sys_admin" as Docker normalises it, without CAP_: "SYS_ADMIN". */
static int
cap_add(struct adm_facts *f, const char *cap)
{
	char *c;

	if (strncasecmp(cap, "CAP_", 4) == 0)
		cap += 4;
	if (f->ncaps == ADM_MAX_LIST) {
		bad(f, "more than %d capabilities", ADM_MAX_LIST);
		return 0;
	}
	if (grow((void **)&f->caps, &f->capcap, f->ncaps, sizeof(*f->caps)) < 0 ||
	    (c = strdup(cap)) == NULL)
		return -1;
	for (char *p = c; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	f->caps[f->ncaps++] = c;
	return 0;
}

/* A Binds entry "SRC:DST[:MODE]": SRC is a host path when absolute, else a volume's name. */
static int
bind_add(struct adm_facts *f, const char *b)
{
	const char *colon = strchr(b, ':');
	char src[ADM_PATH_MAX];

	if (colon == NULL || b[0] != '/')
		return 0;	/* an anonymous or named volume */
	if ((size_t)(colon - b) >= sizeof(src)) {
		bad(f, "a bind's source is longer than %d bytes", ADM_PATH_MAX - 1);
		return 0;
	}
	memcpy(src, b, (size_t)(colon - b));
	src[colon - b] = '\0';
	return path_add(f, &f->mounts, src, "mount");
}

/*
 * A local volume's options (a Mounts entry's DriverConfig.Options, or a
 * volume create's DriverOpts): "device" is what it mounts, a host path
 * when absolute (type=none,o=bind binds it; a block device is mounted).
 */
static int
volume_opts(struct adm_facts *f, const char *driver, const struct json *opts, const char *what)
{
	const char *dev;

	if (driver != NULL && *driver != '\0' && strcmp(driver, "local") != 0)
		return 0;
	dev = map_str(f, opts, what, "device");
	if (dev == NULL || dev[0] != '/')
		return 0;
	return path_add(f, &f->mounts, dev, "mount");
}

static int
mounts_read(struct adm_facts *f, const struct json *hc, const char *where)
{
	const struct json *ms = field(f, hc, where, "Mounts");

	if (ms == NULL || json_type(ms) == JSON_NULL)
		return 0;
	if (json_type(ms) != JSON_ARRAY || json_len(ms) > ADM_MAX_LIST) {
		bad(f, "%s.Mounts is not a list of at most %d mounts", where, ADM_MAX_LIST);
		return 0;
	}
	for (size_t i = 0; i < json_len(ms) && !f->unreadable[0]; i++) {
		const struct json *m = json_index(ms, i), *vo, *dc, *opts;
		const char *type, *src;

		if (json_type(m) != JSON_OBJECT) {
			bad(f, "%s.Mounts[%zu] is not an object", where, i);
			return 0;
		}
		type = get_str(f, m, "Mounts[]", "Type");
		src = get_str(f, m, "Mounts[]", "Source");
		if (type && strcmp(type, "bind") == 0 && src) {
			if (path_add(f, &f->mounts, src, "mount") < 0)
				return -1;
			continue;
		}
		if (type == NULL || strcmp(type, "volume") != 0)
			continue;
		vo = get_obj(f, m, "Mounts[]", "VolumeOptions");
		dc = get_obj(f, vo, "VolumeOptions", "DriverConfig");
		opts = get_map(f, dc, "DriverConfig", "Options");
		if (volume_opts(f, get_str(f, dc, "DriverConfig", "Name"), opts,
		    "DriverConfig.Options") < 0)
			return -1;
	}
	return 0;
}

static int
devices_read(struct adm_facts *f, const struct json *hc, const char *where)
{
	const struct json *ds = field(f, hc, where, "Devices");

	if (strings_len(get_strings(f, hc, where, "DeviceCgroupRules", 0)) > 0)
		f->device_any = 1;
	if (ds == NULL || json_type(ds) == JSON_NULL)
		return 0;
	if (json_type(ds) != JSON_ARRAY || json_len(ds) > ADM_MAX_LIST) {
		bad(f, "%s.Devices is not a list of at most %d devices", where, ADM_MAX_LIST);
		return 0;
	}
	for (size_t i = 0; i < json_len(ds) && !f->unreadable[0]; i++) {
		const struct json *d = json_index(ds, i);
		const char *p;

		if (json_type(d) != JSON_OBJECT) {
			bad(f, "%s.Devices[%zu] is not an object", where, i);
			return 0;
		}
		if ((p = get_str(f, d, "Devices[]", "PathOnHost")) != NULL &&
		    path_add(f, &f->devices, p, "device") < 0)
			return -1;
	}
	return 0;
}

/* Docker's --security-opt values that switch a confinement off. */
static void
security_read(struct adm_facts *f, const struct json *hc, const char *where)
{
	static const char *const off[] = {
		"seccomp=unconfined", "seccomp:unconfined", "apparmor=unconfined",
		"apparmor:unconfined", "label=disable", "label:disable",
	};
	const struct json *so = get_strings(f, hc, where, "SecurityOpt", 0);
	const struct json *masked = field(f, hc, where, "MaskedPaths");
	const struct json *ro = field(f, hc, where, "ReadonlyPaths");

	for (size_t i = 0; i < strings_len(so) && !f->unconfined; i++)
		for (size_t k = 0; k < sizeof(off) / sizeof(off[0]); k++)
			if (strcmp(strings_at(so, i), off[k]) == 0) {
				f->unconfined = 1;
				snprintf(f->unconfined_why, sizeof(f->unconfined_why), "%s", off[k]);
				break;
			}
	/* systempaths=unconfined: the client sends both lists empty (not null) */
	if (!f->unconfined && ((json_type(masked) == JSON_ARRAY && json_len(masked) == 0) ||
	    (json_type(ro) == JSON_ARRAY && json_len(ro) == 0))) {
		f->unconfined = 1;
		snprintf(f->unconfined_why, sizeof(f->unconfined_why), "systempaths=unconfined");
	}
}

static int
ports_read(struct adm_facts *f, const struct json *hc, const struct json *cfg,
    const char *where)
{
	const struct json *pb = get_map(f, hc, where, "PortBindings");

	for (size_t i = 0; i < json_len(pb) && !f->unreadable[0]; i++) {
		const struct json *e = json_index(pb, i);

		if (port_key_add(f, json_key(e)) < 0)
			return -1;
		if (json_type(e) == JSON_NULL)
			continue;
		if (json_type(e) != JSON_ARRAY || json_len(e) > ADM_MAX_LIST) {
			bad(f, "PortBindings '%.40s' is not a list of bindings", json_key(e));
			return 0;
		}
		for (size_t k = 0; k < json_len(e) && !f->unreadable[0]; k++) {
			const struct json *b = json_index(e, k);
			const char *hp;
			uint16_t lo, hi;

			if (json_type(b) != JSON_OBJECT) {
				bad(f, "a binding of PortBindings '%.40s' is not an object", json_key(e));
				return 0;
			}
			hp = get_str(f, b, "PortBindings[]", "HostPort");
			if (hp == NULL || *hp == '\0')
				continue;
			if (port_range(hp, strlen(hp), &lo, &hi) < 0) {
				bad(f, "HostPort '%.40s' is not a port or range", hp);
				return 0;
			}
			if (port_add(f, lo, hi) < 0)
				return -1;
		}
	}
	if (get_bool(f, hc, where, "PublishAllPorts")) {
		const struct json *ep = get_map(f, cfg, "", "ExposedPorts");

		for (size_t i = 0; i < json_len(ep) && !f->unreadable[0]; i++)
			if (port_key_add(f, json_key(json_index(ep, i))) < 0)
				return -1;
	}
	return 0;
}

/* NetworkMode and the others, compared as Docker's IsHost() does: exactly "host". */
static int
is_host(struct adm_facts *f, const struct json *hc, const char *where, const char *name)
{
	const char *m = get_str(f, hc, where, name);

	return m != NULL && strcmp(m, "host") == 0;
}

/* The facts of a HostConfig (hc) and of the Config its container has (cfg). */
static int
host_config_read(struct adm_facts *f, const struct json *hc, const struct json *cfg,
    const char *where)
{
	const struct json *caps, *binds;
	const char *cpuset;

	f->privileged = get_bool(f, hc, where, "Privileged");
	caps = get_strings(f, hc, where, "CapAdd", 1);
	for (size_t i = 0; i < strings_len(caps) && !f->unreadable[0]; i++)
		if (cap_add(f, strings_at(caps, i)) < 0)
			return -1;
	f->host_network = is_host(f, hc, where, "NetworkMode");
	f->host_pid = is_host(f, hc, where, "PidMode");
	f->host_ipc = is_host(f, hc, where, "IpcMode");
	f->host_uts = is_host(f, hc, where, "UTSMode");
	binds = get_strings(f, hc, where, "Binds", 0);
	for (size_t i = 0; i < strings_len(binds) && !f->unreadable[0]; i++)
		if (bind_add(f, strings_at(binds, i)) < 0)
			return -1;
	if (mounts_read(f, hc, where) < 0 || devices_read(f, hc, where) < 0)
		return -1;
	if (strings_len(get_strings(f, hc, where, "VolumesFrom", 0)) > 0)
		f->mount_unknown = 1;
	security_read(f, hc, where);
	f->mem_limit = get_int(f, hc, where, "Memory") != 0;
	cpuset = get_str(f, hc, where, "CpusetCpus");
	f->cpu_limit = get_int(f, hc, where, "NanoCpus") != 0 ||
	    get_int(f, hc, where, "CpuQuota") > 0 || (cpuset != NULL && *cpuset != '\0');
	return ports_read(f, hc, cfg, where);
}

/* A container's Config (create: the body's top level). */
static void
config_read(struct adm_facts *f, const struct json *cfg, const char *where)
{
	const char *img = get_str(f, cfg, where, "Image");
	const char *user = get_str(f, cfg, where, "User");

	adm_image_parse(img ? img : "", &f->image);
	if (img && strlen(img) >= sizeof(f->image.given))
		bad(f, "image name longer than %d bytes", ADM_IMAGE_MAX - 1);
	snprintf(f->user, sizeof(f->user), "%s", user ? user : "");
	f->root = adm_user_is_root(f->user, 1);
	f->env = get_strings(f, cfg, where, "Env", 0);
	f->labels = get_map(f, cfg, where, "Labels");
	for (size_t i = 0; i < json_len(f->labels) && !f->unreadable[0]; i++) {
		const struct json *v = json_index(f->labels, i);

		if (json_type(v) != JSON_NULL)
			str_of(f, v, "a label's value");
	}
}

/* NetworkingConfig.EndpointsConfig naming the host network. */
static void
endpoints_read(struct adm_facts *f, const struct json *root)
{
	const struct json *nc = get_obj(f, root, "", "NetworkingConfig");
	const struct json *ep = get_map(f, nc, "NetworkingConfig", "EndpointsConfig");

	for (size_t i = 0; i < json_len(ep); i++)
		if (strcmp(json_key(json_index(ep, i)), "host") == 0)
			f->host_network = 1;
}

/*
 * A create or start body: the Config at its top level, the HostConfig
 * under "HostConfig", or, when that is absent or null, at the top level
 * too (dockerd 20.10's deprecated embedding).
 */
static int
create_read(struct adm_facts *f, const struct json *root)
{
	const struct json *hc = get_obj(f, root, "", "HostConfig");
	int rc;

	if (f->kind == ADM_CREATE)
		config_read(f, root, "");
	rc = host_config_read(f, hc ? hc : root, root, hc ? "HostConfig" : "");
	endpoints_read(f, root);
	return rc;
}

static int
exec_read(struct adm_facts *f, const struct json *root)
{
	const char *user = get_str(f, root, "", "User");

	snprintf(f->user, sizeof(f->user), "%s", user ? user : "");
	/* "": the container's own user, judged when it was made */
	f->root = adm_user_is_root(f->user, 0);
	f->privileged = get_bool(f, root, "", "Privileged");
	f->env = get_strings(f, root, "", "Env", 0);
	return 0;
}

static int
volume_read(struct adm_facts *f, const struct json *root)
{
	const char *name = get_str(f, root, "", "Name");
	const struct json *opts = get_map(f, root, "", "DriverOpts");

	if (f->name[0] == '\0' && name)
		snprintf(f->name, sizeof(f->name), "%s", name);
	return volume_opts(f, get_str(f, root, "", "Driver"), opts, "DriverOpts");
}

/* docker inspect's document: one container's object, or an array of one. */
static int
inspect_read(struct adm_facts *f, const struct json *root)
{
	const struct json *cfg, *hc, *ms;
	const char *name;

	if (json_type(root) == JSON_ARRAY) {
		if (json_len(root) != 1) {
			bad(f, "an array of %zu containers (give one)", json_len(root));
			return 0;
		}
		root = json_index(root, 0);
	}
	if (json_type(root) != JSON_OBJECT) {
		bad(f, "not a container's object");
		return 0;
	}
	cfg = get_obj(f, root, "", "Config");
	if (cfg == NULL) {	/* a create body, as sent to the API */
		f->kind = ADM_CREATE;
		return create_read(f, root);
	}
	name = get_str(f, root, "", "Name");
	if (f->name[0] == '\0' && name)
		snprintf(f->name, sizeof(f->name), "%s", name + (name[0] == '/'));
	config_read(f, cfg, "Config");
	hc = get_obj(f, root, "", "HostConfig");
	if (host_config_read(f, hc, cfg, "HostConfig") < 0)
		return -1;
	endpoints_read(f, root);
	/* what Docker resolved: the binds again, and bind mounts made otherwise */
	ms = field(f, root, "", "Mounts");
	for (size_t i = 0; json_type(ms) == JSON_ARRAY && i < json_len(ms); i++) {
		const struct json *m = json_index(ms, i);
		const char *type = get_str(f, m, "Mounts[]", "Type");
		const char *src = get_str(f, m, "Mounts[]", "Source");

		if (type && strcmp(type, "bind") == 0 && src &&
		    path_add(f, &f->mounts, src, "mount") < 0)
			return -1;
	}
	return 0;
}

int
adm_facts_read(struct adm_facts *f, enum adm_kind k, const struct json *root, const char *name)
{
	int rc = 0;

	memset(f, 0, sizeof(*f));
	f->kind = k;
	if (name)
		snprintf(f->name, sizeof(f->name), "%s", name);
	if (k != ADM_INSPECT && json_type(root) != JSON_OBJECT)
		bad(f, "the body is not a JSON object");
	else if (k == ADM_CREATE || k == ADM_START)
		rc = create_read(f, root);
	else if (k == ADM_EXEC)
		rc = exec_read(f, root);
	else if (k == ADM_VOLUME)
		rc = volume_read(f, root);
	else if (k == ADM_INSPECT)
		rc = inspect_read(f, root);
	if (rc < 0)
		snprintf(f->unreadable, sizeof(f->unreadable), "out of memory");
	return rc;
}

void
adm_facts_unreadable(struct adm_facts *f, enum adm_kind k, const char *name, const char *why)
{
	memset(f, 0, sizeof(*f));
	f->kind = k;
	if (name)
		snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->unreadable, sizeof(f->unreadable), "%s", why);
}

void
adm_facts_free(struct adm_facts *f)
{
	for (int i = 0; i < f->ncaps; i++)
		free(f->caps[i]);
	free(f->caps);
	paths_free(&f->mounts);
	paths_free(&f->devices);
	free(f->ports.v);
	f->caps = NULL;
	f->ncaps = f->capcap = 0;
	f->ports.v = NULL;
	f->ports.n = f->ports.cap = 0;
}

/* --- image references and users ------------------------------------------ */

void
adm_image_parse(const char *ref, struct adm_image *im)
{
	char name[ADM_IMAGE_MAX];
	const char *at, *slash, *colon, *first;
	size_t n;

	memset(im, 0, sizeof(*im));
	snprintf(im->given, sizeof(im->given), "%s", ref);
	if (*ref == '\0')
		return;
	snprintf(name, sizeof(name), "%s", ref);
	if ((at = strchr(name, '@')) != NULL) {
		snprintf(im->digest, sizeof(im->digest), "%s", at + 1);
		name[at - name] = '\0';
	}
	slash = strrchr(name, '/');
	colon = strrchr(name, ':');
	if (colon && (slash == NULL || colon > slash)) {
		snprintf(im->tag, sizeof(im->tag), "%s", colon + 1);
		name[colon - name] = '\0';
	}
	if (im->tag[0] == '\0' && im->digest[0] == '\0')
		strcpy(im->tag, "latest");
	first = strchr(name, '/');
	n = first ? (size_t)(first - name) : 0;
	if (first && (memchr(name, '.', n) || memchr(name, ':', n) ||
	    (n == 9 && strncmp(name, "localhost", 9) == 0) || strcspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") < n)) {
		snprintf(im->domain, sizeof(im->domain), "%.*s", (int)n, name);
		snprintf(im->path, sizeof(im->path), "%s", first + 1);
	} else {
		strcpy(im->domain, "docker.io");
		snprintf(im->path, sizeof(im->path), "%s%.*s", first ? "" : "library/",
		    (int)sizeof(im->path) - 9, name);
	}
	if (strcmp(im->domain, "index.docker.io") == 0)
		strcpy(im->domain, "docker.io");
}

int
adm_user_is_root(const char *user, int empty_is_root)
{
	size_t n = strcspn(user, ":");
	size_t i = 0, digits = 0;

	if (n == 0)
		return empty_is_root;
	if (n == 4 && strncmp(user, "root", 4) == 0)
		return 1;
	/* Go's strconv.Atoi: a sign, then decimal digits */
	if (user[0] == '+' || user[0] == '-')
		i = 1;
	for (; i < n; i++, digits++)
		if (user[i] != '0')
			return 0;
	return digits > 0;
}
