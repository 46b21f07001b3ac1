/*
 * check_admission.c: admission control.  The facts of create, exec and
 * volume bodies as docker 20.10 and 28 (API 1.41 and 1.50) send them
 * (tests/data/admission), each criterion on them, bodies written to
 * fool a reader that is not Go's, the rules' order, environment secrets
 * by name and by the DLP sensors, host paths through symlinks, the
 * plugin protocol (routes, AuthZReq judged, unreadable bodies), the
 * server on a real socket with its events, the rules in the database
 * and rules_dir, and the nvctl admission commands.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "admission/adm_authz.h"
#include "admission/adm_facts.h"
#include "admission/adm_policy.h"
#include "admission/adm_rules.h"
#include "base/b64.h"
#include "base/control_proto.h"
#include "docker/authz.h"
#include "fixture_cli.h"
#include "fixture_db.h"
#include "sensor/rules_file.h"
#include "store/rules_load.h"
#include "store/store.h"
#include "store/store_admission.h"

/* --- helpers --------------------------------------------------------------- */

/* tests/data/admission/NAME, NUL-terminated (malloc'ed). */
static char *
data(const char *name)
{
	const char *src = getenv("NVD_SRCDIR");
	char path[512];
	FILE *f;
	char *buf = malloc(65536);
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/data/admission/%s", src ? src : "..", name);
	ck_assert_ptr_nonnull(buf);
	ck_assert_msg((f = fopen(path, "r")) != NULL, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, 65535, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* The facts of text (a body of kind k) into f; the document into *doc. */
static void
facts_text(const char *text, enum adm_kind k, const char *name, struct adm_facts *f,
    struct json_doc **doc)
{
	struct json_error jerr;

	*doc = json_parse(text, strlen(text), NULL, &jerr);
	ck_assert_msg(*doc != NULL, "%s: %s", text, jerr.msg);
	ck_assert_int_eq(adm_facts_read(f, k, json_root(*doc), name), 0);
}

static void
facts_file(const char *file, enum adm_kind k, struct adm_facts *f, struct json_doc **doc)
{
	char *text = data(file);

	facts_text(text, k, NULL, f, doc);
	free(text);
}

static void
rule_of(struct adm_rule *r, int64_t id, int deny, const char *criteria)
{
	char err[256];

	memset(r, 0, sizeof(*r));
	r->id = id;
	r->deny = deny;
	r->enabled = 1;
	r->ncrit = adm_criteria_parse(criteria, r->c, ADM_MAX_CRITERIA, err, sizeof(err));
	ck_assert_msg(r->ncrit > 0, "%s: %s", criteria, err);
	adm_rule_resolve(r);
}

/* Whether criteria (one rule) match f; what matched into why. */
static int
matches(const char *criteria, struct adm_facts *f, char *why, size_t whylen)
{
	struct adm_subject s = { .f = f };
	struct adm_rule r;

	rule_of(&r, 1, 1, criteria);
	return adm_rule_match(&r, &s, why, whylen);
}

/* base64 of n bytes at p (malloc'ed), the encoder Go's json uses. */
static char *
b64(const char *p, size_t n)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc(n / 3 * 4 + 8), *o = out;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)p[i] << 16 | (i + 1 < n ? (unsigned char)p[i + 1] << 8 : 0) |
		    (i + 2 < n ? (unsigned char)p[i + 2] : 0);

		*o++ = al[v >> 18];
		*o++ = al[v >> 12 & 63];
		*o++ = i + 1 < n ? al[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? al[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* An AuthZReq of method, uri and body (NULL: none), malloc'ed. */
static char *
authz_req(const char *method, const char *uri, const char *body, const char *headers)
{
	char *enc = body ? b64(body, strlen(body)) : NULL;
	size_t n = strlen(uri) + (enc ? strlen(enc) : 0) + 512;
	char *req = malloc(n);

	snprintf(req, n, "{\"User\":\"alice\",\"UserAuthNMethod\":\"TLS\",\"RequestMethod\":\"%s\","
	    "\"RequestUri\":\"%s\",\"RequestBody\":%s%s%s,\"RequestHeaders\":%s}", method, uri,
	    enc ? "\"" : "", enc ? enc : "null", enc ? "\"" : "",
	    headers ? headers : "{\"Content-Type\":\"application/json\"}");
	free(enc);
	return req;
}

/* A policy of mode and rules "deny:CRITERIA" / "allow:CRITERIA" (NULL-ended), ids 1, 2 ... */
static struct adm_policy *
policy_of(enum adm_mode mode, ...)
{
	struct adm_rule r[16];
	struct adm_policy *p;
	const char *s;
	char err[256];
	va_list ap;
	int n = 0;

	va_start(ap, mode);
	while ((s = va_arg(ap, const char *)) != NULL) {
		int deny = strncmp(s, "deny:", 5) == 0;

		rule_of(&r[n], n + 1, deny, s + (deny ? 5 : 6));
		n++;
	}
	va_end(ap);
	p = adm_policy_new(mode, r, n, NULL, 0, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	return p;
}

static void
judge_req(const struct adm_policy *p, const char *req, struct adm_outcome *o)
{
	adm_authz_judge(p, NULL, req, strlen(req), o);
}

/* --- base64 ----------------------------------------------------------------- */

START_TEST(test_b64)
{
	static const struct {
		const char *in, *out;
		long bad;	/* -1: decodes */
	} t[] = {
		{ "", "", -1 }, { "Zg==", "f", -1 }, { "Zm8=", "fo", -1 }, { "Zm9v", "foo", -1 },
		{ "Zm9v\r\nYmFy", "foobar", -1 }, { "e30=", "{}", -1 },
		{ "Zg=", NULL, 3 }, { "Zg", NULL, 2 }, { "Zg==Zg==", NULL, 4 }, { "Zh==", NULL, 4 },
		{ "Z===", NULL, 1 }, { "Zm9v!", NULL, 4 }, { "Zm9=", NULL, 4 }, { "=Zm9", NULL, 0 },
		{ "Zm-v", NULL, 2 },
	};
	uint8_t out[32];
	size_t n, bad;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = b64_decode(t[i].in, strlen(t[i].in), out, &n, &bad);

		if (t[i].bad < 0) {
			ck_assert_msg(rc == 0, "%s", t[i].in);
			ck_assert_int_eq(n, strlen(t[i].out));
			ck_assert_int_eq(memcmp(out, t[i].out, n), 0);
		} else {
			ck_assert_msg(rc == -1, "%s decoded", t[i].in);
			ck_assert_msg(bad == (size_t)t[i].bad, "%s: bad at %zu", t[i].in, bad);
		}
	}
}
END_TEST

/* --- what the clients send -------------------------------------------------- */

static int
has_path(const struct adm_paths *l, const char *p)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->v[i].clean, p) == 0)
			return 1;
	return 0;
}

/* The risky create of both clients: every fact there is. */
static void
check_risky(const char *file, const char *cap2)
{
	struct json_doc *doc;
	struct adm_facts f;

	facts_file(file, ADM_CREATE, &f, &doc);
	ck_assert_msg(f.unreadable[0] == '\0', "%s: %s", file, f.unreadable);
	ck_assert_str_eq(f.image.given, "registry.example.com:5000/team/app:1.2");
	ck_assert_str_eq(f.image.domain, "registry.example.com:5000");
	ck_assert_str_eq(f.image.path, "team/app");
	ck_assert_str_eq(f.image.tag, "1.2");
	ck_assert_str_eq(f.user, "0");
	ck_assert_int_eq(f.root, 1);
	ck_assert_int_eq(f.privileged, 1);
	ck_assert_int_eq(f.host_network, 1);
	ck_assert_int_eq(f.host_pid, 1);
	ck_assert_int_eq(f.host_ipc, 1);
	ck_assert_int_eq(f.host_uts, 1);
	ck_assert_int_eq(f.ncaps, 2);
	ck_assert_msg(strcmp(f.caps[0], "SYS_ADMIN") == 0 || strcmp(f.caps[1], "SYS_ADMIN") == 0,
	    "%s", file);
	ck_assert_msg(strcmp(f.caps[0], cap2) == 0 || strcmp(f.caps[1], cap2) == 0, "%s", file);
	ck_assert_int_eq(f.mounts.n, 4);
	ck_assert(has_path(&f.mounts, "/var/run/docker.sock"));
	ck_assert(has_path(&f.mounts, "/etc"));
	ck_assert(has_path(&f.mounts, "/proc"));
	ck_assert(has_path(&f.mounts, "/srv"));	/* the local volume bound to /srv */
	ck_assert_int_eq(f.mount_unknown, 0);
	ck_assert_int_eq(f.devices.n, 1);
	ck_assert_str_eq(f.devices.v[0].clean, "/dev/null");
	ck_assert_int_eq(f.device_any, 1);
	ck_assert_int_eq(f.unconfined, 1);
	ck_assert_str_eq(f.unconfined_why, "seccomp=unconfined");
	ck_assert_int_eq(f.mem_limit, 1);
	ck_assert_int_eq(f.cpu_limit, 1);
	ck_assert_int_eq(f.ports.n, 4);	/* 53 and 5353, 80 and 8080 */
	ck_assert_int_eq(json_len(f.labels), 2);
	ck_assert_int_eq(json_len(f.env), 3);
	adm_facts_free(&f);
	json_free(doc);
}

START_TEST(test_facts_risky)
{
	check_risky("create-1.41-risky.json", "NET_ADMIN");
	check_risky("create-1.50-risky.json", "NET_ADMIN");	/* sent as CAP_NET_ADMIN */
}
END_TEST

static void
check_plain(const char *file)
{
	struct json_doc *doc;
	struct adm_facts f;

	facts_file(file, ADM_CREATE, &f, &doc);
	ck_assert_msg(f.unreadable[0] == '\0', "%s: %s", file, f.unreadable);
	ck_assert_str_eq(f.image.domain, "docker.io");
	ck_assert_str_eq(f.image.path, "library/nvdbox");
	ck_assert_str_eq(f.image.tag, "latest");
	ck_assert_int_eq(f.root, 1);		/* User "": the image's, unknown */
	ck_assert_int_eq(f.privileged + f.host_network + f.host_pid + f.host_ipc + f.host_uts, 0);
	ck_assert_int_eq(f.ncaps + f.mounts.n + f.devices.n + f.ports.n, 0);
	ck_assert_int_eq(f.unconfined + f.mount_unknown + f.device_any, 0);
	ck_assert_int_eq(f.mem_limit + f.cpu_limit, 0);
	adm_facts_free(&f);
	json_free(doc);
}

START_TEST(test_facts_plain)
{
	check_plain("create-1.41-plain.json");
	check_plain("create-1.50-plain.json");
}
END_TEST

static void
check_hostroot(const char *file)
{
	struct json_doc *doc;
	struct adm_facts f;

	facts_file(file, ADM_CREATE, &f, &doc);
	ck_assert_msg(f.unreadable[0] == '\0', "%s: %s", file, f.unreadable);
	ck_assert_int_eq(f.mounts.n, 1);
	ck_assert_str_eq(f.mounts.v[0].clean, "/");
	ck_assert_int_eq(f.mount_unknown, 1);		/* --volumes-from */
	ck_assert_int_eq(f.unconfined, 1);
	ck_assert_str_eq(f.unconfined_why, "systempaths=unconfined");
	ck_assert_int_eq(f.ports.n, 1);			/* -P publishes --expose 9000 */
	ck_assert_int_eq(f.ports.v[0].lo, 9000);
	adm_facts_free(&f);
	json_free(doc);
}

START_TEST(test_facts_hostroot)
{
	check_hostroot("create-1.41-hostroot.json");
	check_hostroot("create-1.50-hostroot.json");
}
END_TEST

START_TEST(test_facts_exec_volume)
{
	static const char *const files[] = { "exec-1.41-privileged.json", "exec-1.50-privileged.json" };
	struct json_doc *doc;
	struct adm_facts f;
	char why[128];

	for (int i = 0; i < 2; i++) {
		facts_file(files[i], ADM_EXEC, &f, &doc);
		ck_assert_int_eq(f.privileged, 1);
		ck_assert_int_eq(f.root, 1);
		ck_assert(matches("privileged", &f, why, sizeof(why)));
		ck_assert(matches("root", &f, why, sizeof(why)));
		ck_assert_str_eq(why, "user 'root'");
		ck_assert(!matches("no-limits", &f, why, sizeof(why)));	/* not for an exec */
		adm_facts_free(&f);
		json_free(doc);
	}
	/* an exec without -u runs as the container's user, judged at its create */
	facts_file("exec-1.41-env.json", ADM_EXEC, &f, &doc);
	ck_assert_int_eq(f.root, 0);
	ck_assert(matches("env-secret", &f, why, sizeof(why)));
	ck_assert_str_eq(why, "TOKEN=****3456 (its name)");
	adm_facts_free(&f);
	json_free(doc);
	/* a local volume bound to / */
	facts_file("volume-1.41-bind.json", ADM_VOLUME, &f, &doc);
	ck_assert_str_eq(f.name, "rootvol");
	ck_assert_int_eq(f.mounts.n, 1);
	ck_assert_str_eq(f.mounts.v[0].clean, "/");
	ck_assert(matches("mount=/etc", &f, why, sizeof(why)));
	adm_facts_free(&f);
	json_free(doc);
}
END_TEST

/* What docker inspect prints: the container's Config, HostConfig, Name. */
START_TEST(test_facts_inspect)
{
	struct json_doc *doc;
	struct adm_facts f;
	char why[128];

	facts_file("inspect-1.41-privileged.json", ADM_INSPECT, &f, &doc);
	ck_assert_str_eq(f.unreadable, "");
	ck_assert_int_eq(f.kind, ADM_INSPECT);
	ck_assert_str_eq(f.name, "x1");
	ck_assert_str_eq(f.image.given, "nvdbox");
	ck_assert_int_eq(f.privileged, 1);
	ck_assert_int_eq(f.root, 1);
	ck_assert(matches("privileged", &f, why, sizeof(why)));
	ck_assert(matches("no-limits", &f, why, sizeof(why)));
	ck_assert(!matches("host-network", &f, why, sizeof(why)));
	ck_assert(!matches("mount=*", &f, why, sizeof(why)));
	adm_facts_free(&f);
	json_free(doc);
	/* more than one container: say which */
	facts_text("[{},{}]", ADM_INSPECT, NULL, &f, &doc);
	ck_assert_str_eq(f.unreadable, "an array of 2 containers (give one)");
	adm_facts_free(&f);
	json_free(doc);
}
END_TEST

/*
 * Each criterion on the bodies of both API versions: what matches the
 * risky create and not the plain one (and what the hostroot one adds).
 */
START_TEST(test_criteria_each)
{
	static const struct {
		const char *crit;
		int risky, plain, hostroot;
		const char *why;	/* on the risky one */
	} t[] = {
		{ "privileged", 1, 0, 0, "privileged" },
		{ "root", 1, 1, 1, "user '0'" },
		{ "host-network", 1, 0, 0, "host network" },
		{ "host-pid", 1, 0, 0, "host pid" },
		{ "host-ipc", 1, 0, 0, "host ipc" },
		{ "host-uts", 1, 0, 0, "host uts" },
		{ "unconfined", 1, 0, 1, "seccomp=unconfined" },
		{ "env-secret", 1, 0, 0, "AWS_ACCESS_KEY_ID=****MPLE (its name)" },
		{ "no-limits", 0, 1, 1, NULL },
		{ "mount=/var/run/docker.sock", 1, 0, 1, "/var/run/docker.sock (/run/docker.sock)" },
		{ "mount=/etc", 1, 0, 1, "/etc" },
		{ "mount=/etc/shadow", 1, 0, 1, "/etc" },
		{ "mount=/proc", 1, 0, 1, "/proc" },
		{ "mount=/srv/*", 1, 0, 1, "/srv" },
		{ "mount=/home", 0, 0, 1, NULL },
		{ "device=/dev/null", 1, 0, 0, "privileged: every device" },
		{ "image=registry.example.com:5000/team/app", 1, 0, 0,
		    "registry.example.com:5000/team/app:1.2" },
		{ "image=*/team/app:1.*", 1, 0, 0, "registry.example.com:5000/team/app:1.2" },
		{ "image=nvdbox", 0, 1, 1, NULL },
		{ "image=docker.io/library/nvdbox:latest", 0, 1, 1, NULL },
		{ "registry=registry.example.com:*", 1, 0, 0, "registry.example.com:5000" },
		{ "registry=docker.io", 0, 1, 1, NULL },
		{ "tag=latest", 0, 1, 1, NULL },
		{ "label:zone=vault", 1, 0, 0, "zone=vault" },
		{ "label:zone=v*", 1, 0, 0, "zone=vault" },
		{ "label:team=ops", 0, 0, 0, NULL },
		{ "cap=SYS_ADMIN", 1, 0, 0, "privileged: every capability" },
		{ "port=8080", 1, 0, 0, "8080" },
		{ "port=50-60", 1, 0, 0, "53" },
		{ "port=9000", 0, 0, 1, NULL },
		{ "port=443", 0, 0, 0, NULL },
		{ "privileged,host-pid,mount=/etc", 1, 0, 0,
		    "privileged; host pid; /etc" },
	};
	static const char *const vers[] = { "1.41", "1.50" };
	char file[64], why[256];

	for (int v = 0; v < 2; v++)
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			static const char *const kinds[] = { "risky", "plain", "hostroot" };

			for (int k = 0; k < 3; k++) {
				int want = k == 0 ? t[i].risky : k == 1 ? t[i].plain : t[i].hostroot;
				struct json_doc *doc;
				struct adm_facts f;
				int got;

				snprintf(file, sizeof(file), "create-%s-%s.json", vers[v], kinds[k]);
				facts_file(file, ADM_CREATE, &f, &doc);
				got = matches(t[i].crit, &f, why, sizeof(why));
				ck_assert_msg(got == want, "%s on %s: %d", t[i].crit, file, got);
				if (got && k == 0 && t[i].why)
					ck_assert_msg(strcmp(why, t[i].why) == 0, "%s on %s: '%s'",
					    t[i].crit, file, why);
				adm_facts_free(&f);
				json_free(doc);
			}
		}
}
END_TEST

/* cap= on an unprivileged container; device= without privileges. */
START_TEST(test_criteria_caps_devices)
{
	struct json_doc *doc;
	struct adm_facts f;
	char why[128];

	facts_text("{\"Image\":\"x\",\"HostConfig\":{\"CapAdd\":[\"cap_net_raw\"],\"Devices\":"
	    "[{\"PathOnHost\":\"/dev/sda1\",\"PathInContainer\":\"/dev/x\"}]}}", ADM_CREATE, NULL,
	    &f, &doc);
	ck_assert(matches("cap=NET_RAW", &f, why, sizeof(why)));
	ck_assert_str_eq(why, "NET_RAW");
	ck_assert(matches("cap=cap_net_*", &f, why, sizeof(why)));
	ck_assert(!matches("cap=SYS_ADMIN", &f, why, sizeof(why)));
	ck_assert(matches("device=/dev/sd*", &f, why, sizeof(why)));
	ck_assert(matches("device=/dev", &f, why, sizeof(why)));	/* lies beneath */
	ck_assert(!matches("device=/dev/null", &f, why, sizeof(why)));
	adm_facts_free(&f);
	json_free(doc);
	/* CapAdd as one string (Docker's StrSlice takes it); ALL is every one */
	facts_text("{\"Image\":\"x\",\"HostConfig\":{\"CapAdd\":\"ALL\"}}", ADM_CREATE, NULL, &f,
	    &doc);
	ck_assert_str_eq(f.unreadable, "");
	ck_assert(matches("cap=SYS_MODULE", &f, why, sizeof(why)));
	ck_assert_str_eq(why, "ALL");
	adm_facts_free(&f);
	json_free(doc);
}
END_TEST

START_TEST(test_criteria_parse)
{
	static const struct {
		const char *text, *canon, *err;
	} t[] = {
		{ "privileged", "privileged", NULL },
		{ " privileged , host-pid ", "privileged,host-pid", NULL },
		{ "cap=cap_sys_admin,port=80-90,label:a.b=c*", "cap=SYS_ADMIN,port=80-90,label:a.b=c*",
		    NULL },
		{ "mount=/var/run/docker.sock", "mount=/var/run/docker.sock", NULL },
		{ "", NULL, "no criteria" },
		{ "privileged,,root", NULL, "an empty criterion" },
		{ "Privileged", NULL, "unknown criterion 'Privileged' (expected privileged, root, "
		    "host-network, host-pid, host-ipc, host-uts, unconfined, env-secret, no-limits, "
		    "mount=GLOB, device=GLOB, image=GLOB, registry=GLOB, tag=GLOB, label:KEY=GLOB, "
		    "cap=NAME, port=N[-M])" },
		{ "mount", NULL, "mount needs a value: mount=GLOB" },
		{ "mount=", NULL, "mount needs a value" },
		{ "root=1", NULL, "root takes no value" },
		{ "port=0", NULL, "port '0': expected N or N-M, 1-65535, N at most M" },
		{ "port=90-80", NULL, "port '90-80': expected N or N-M, 1-65535, N at most M" },
		{ "port=70000", NULL, "port '70000': expected N or N-M, 1-65535, N at most M" },
		{ "label:=x", NULL, "label:KEY needs a value" },
		{ "label:k", NULL, "label needs a value: label:KEY=GLOB" },
		{ "cap=CAP_", NULL, "cap needs a value: cap=NAME" },
		{ "root,privileged,root", NULL, "criterion 'root' is given twice" },
		{ "image=a\tb", NULL, "image: a control character in the value" },
	};
	struct adm_crit c[ADM_MAX_CRITERIA];
	char err[512], out[512];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int n = adm_criteria_parse(t[i].text, c, ADM_MAX_CRITERIA, err, sizeof(err));

		if (t[i].err) {
			ck_assert_msg(n == -1, "%s parsed", t[i].text);
			ck_assert_str_eq(err, t[i].err);
			continue;
		}
		ck_assert_msg(n > 0, "%s: %s", t[i].text, err);
		adm_criteria_format(c, n, out, sizeof(out));
		ck_assert_str_eq(out, t[i].canon);
	}
	/* more than ADM_MAX_CRITERIA */
	{
		char many[1024] = "";

		for (int i = 0; i < ADM_MAX_CRITERIA + 1; i++)
			snprintf(many + strlen(many), sizeof(many) - strlen(many), "%sport=%d",
			    i ? "," : "", i + 1);
		ck_assert_int_eq(adm_criteria_parse(many, c, ADM_MAX_CRITERIA, err, sizeof(err)), -1);
		ck_assert_str_eq(err, "more than 16 criteria");
	}
}
END_TEST

/* --- a reader that is not Go's would be fooled ----------------------------- */

START_TEST(test_go_fields)
{
	static const struct {
		const char *body;
		const char *crit;	/* matches, on a readable body */
		const char *unreadable;	/* or: why it is not readable */
	} t[] = {
		/* Go matches keys to fields without regard to case ... */
		{ "{\"hostconfig\":{\"privileged\":true}}", "privileged", NULL },
		{ "{\"HOSTCONFIG\":{\"PRIVILEGED\":true}}", "privileged", NULL },
		/* ... and folds U+0130, U+0131 (i), U+017F (s), U+212A (k) */
		{ "{\"HostConfig\":{\"Pr\\u0130vileged\":true}}", "privileged", NULL },
		{ "{\"HostConfig\":{\"Pr\\u0131vileged\":true}}", "privileged", NULL },
		{ "{\"HostConfig\":{\"Bind\\u017f\":[\"/etc:/x\"]}}", "mount=/etc", NULL },
		{ "{\"HostConfig\":{\"Networ\\u212aMode\":\"host\"}}", "host-network", NULL },
		/* dockerd 20.10 reads HostConfig's fields at the top level too */
		{ "{\"Image\":\"x\",\"Privileged\":true}", "privileged", NULL },
		{ "{\"Image\":\"x\",\"HostConfig\":null,\"PidMode\":\"host\"}", "host-pid", NULL },
		{ "{\"Image\":\"x\",\"Binds\":[\"/:/h\"]}", "mount=/etc", NULL },
		/* the host network named by an endpoint */
		{ "{\"Image\":\"x\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"host\":{}}}}",
		    "host-network", NULL },
		/* two keys for one field: Go keeps the last (or merges); nvd refuses */
		{ "{\"HostConfig\":{\"Privileged\":false,\"privileged\":true}}", NULL,
		    "HostConfig.Privileged is given twice" },
		{ "{\"HostConfig\":{\"Privileged\":true},\"hostConfig\":{}}", NULL,
		    "HostConfig is given twice" },
		{ "{\"Image\":\"x\",\"Labels\":{\"zone\":\"a\",\"zone\":\"vault\"}}", NULL,
		    "Labels has key 'zone' twice" },
		/* types Go refuses, and text nvd cannot hold */
		{ "{\"HostConfig\":{\"Privileged\":\"yes\"}}", NULL,
		    "HostConfig.Privileged is not a boolean" },
		{ "{\"HostConfig\":{\"Binds\":\"/etc:/x\"}}", NULL,
		    "HostConfig.Binds is not a list of strings" },
		{ "{\"HostConfig\":{\"Memory\":1.5}}", NULL, "HostConfig.Memory is not an integer" },
		{ "{\"Image\":\"ngi\\u0000nx\"}", NULL, "Image holds U+0000" },
		{ "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"etc\"}]}}", NULL,
		    "mount 'etc' is not an absolute path of at most 4095 bytes" },
		{ "{\"HostConfig\":{\"PortBindings\":{\"http/tcp\":[]}}}", NULL,
		    "port 'http/tcp' is not a port or range" },
		{ "[1]", NULL, "the body is not a JSON object" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct json_doc *doc;
		struct adm_facts f;
		char why[128];

		facts_text(t[i].body, ADM_CREATE, NULL, &f, &doc);
		if (t[i].unreadable)
			ck_assert_msg(strcmp(f.unreadable, t[i].unreadable) == 0, "%s: '%s'",
			    t[i].body, f.unreadable);
		else {
			ck_assert_msg(f.unreadable[0] == '\0', "%s: %s", t[i].body, f.unreadable);
			ck_assert_msg(matches(t[i].crit, &f, why, sizeof(why)), "%s: %s", t[i].body,
			    t[i].crit);
		}
		adm_facts_free(&f);
		json_free(doc);
	}
}
END_TEST

/* Keys that only look like a field's name are not read as it. */
START_TEST(test_go_fields_not)
{
	static const char *const bodies[] = {
		"{\"HostConfig\":{\"Privileged \":true}}",
		"{\"HostConfig\":{\"Priv\\u0069leged_\":true}}",
		"{\"HostConfig\":{\"Privileged\":false},\"Privileged\":true}",	/* inner wins */
		"{\"HostConfig\":{\"NetworkMode\":\"HOST\"}}",	/* Docker's IsHost() is exact */
	};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct json_doc *doc;
		struct adm_facts f;

		facts_text(bodies[i], ADM_CREATE, NULL, &f, &doc);
		ck_assert_msg(f.unreadable[0] == '\0', "%s: %s", bodies[i], f.unreadable);
		ck_assert_msg(!f.privileged && !f.host_network, "%s", bodies[i]);
		adm_facts_free(&f);
		json_free(doc);
	}
}
END_TEST

START_TEST(test_image_user)
{
	static const struct {
		const char *ref, *domain, *path, *tag, *digest;
	} t[] = {
		{ "nginx", "docker.io", "library/nginx", "latest", "" },
		{ "nginx:1.25", "docker.io", "library/nginx", "1.25", "" },
		{ "team/app", "docker.io", "team/app", "latest", "" },
		{ "docker.io/nginx", "docker.io", "nginx", "latest", "" },
		{ "index.docker.io/library/nginx", "docker.io", "library/nginx", "latest", "" },
		{ "localhost/app:2", "localhost", "app", "2", "" },
		{ "reg:5000/a/b", "reg:5000", "a/b", "latest", "" },
		{ "Reg/app", "Reg", "app", "latest", "" },
		{ "nginx@sha256:abcd", "docker.io", "library/nginx", "", "sha256:abcd" },
		{ "reg.io/x:1@sha256:ef", "reg.io", "x", "1", "sha256:ef" },
	};
	static const struct {
		const char *user;
		int empty_root, root;
	} u[] = {
		{ "", 1, 1 }, { "", 0, 0 }, { "root", 1, 1 }, { "0", 1, 1 }, { "00", 1, 1 },
		{ "+0", 1, 1 }, { "-0", 1, 1 }, { "0:1000", 1, 1 }, { "root:root", 0, 1 },
		{ ":0", 0, 0 }, { "1000:0", 1, 0 }, { "rooty", 1, 0 }, { "+", 1, 0 }, { "0x0", 1, 0 },
		{ "nobody", 1, 0 }, { "10", 1, 0 },
	};
	struct adm_image im;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		adm_image_parse(t[i].ref, &im);
		ck_assert_msg(strcmp(im.domain, t[i].domain) == 0 && strcmp(im.path, t[i].path) == 0 &&
		    strcmp(im.tag, t[i].tag) == 0 && strcmp(im.digest, t[i].digest) == 0,
		    "%s: %s %s %s %s", t[i].ref, im.domain, im.path, im.tag, im.digest);
	}
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		ck_assert_msg(adm_user_is_root(u[i].user, u[i].empty_root) == u[i].root, "'%s'",
		    u[i].user);
}
END_TEST

/* --- host paths ------------------------------------------------------------- */

START_TEST(test_paths)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "/", "/" }, { "//", "/" }, { "/a//b/", "/a/b" }, { "/a/./b", "/a/b" },
		{ "/a/../b", "/b" }, { "/../..", "/" }, { "/a/b/..", "/a" }, { "/..a/b.", "/..a/b." },
	};
	char out[ADM_PATH_MAX], dir[512], link[600], why[256];
	struct json_doc *doc;
	struct adm_facts f;
	char body[2048];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(adm_path_clean(t[i].in, out, sizeof(out)), 0);
		ck_assert_str_eq(out, t[i].out);
	}
	ck_assert_int_eq(adm_path_clean("rel/x", out, sizeof(out)), -1);
	/* a symlink to / in a directory a container could write: its bind is of / */
	snprintf(dir, sizeof(dir), "%s/data", fxdb_dir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(link, sizeof(link), "%s/data/up", fxdb_dir);
	ck_assert_int_eq(symlink("/", link), 0);
	snprintf(body, sizeof(body), "{\"Image\":\"x\",\"HostConfig\":{\"Binds\":[\"%s/new/../up:/h\","
	    "\"%s/data/up/etc/missing/x:/y\"]}}", fxdb_dir, fxdb_dir);
	facts_text(body, ADM_CREATE, NULL, &f, &doc);
	ck_assert_str_eq(f.unreadable, "");
	ck_assert_int_eq(f.mounts.n, 2);
	snprintf(out, sizeof(out), "%s/up", fxdb_dir);
	ck_assert_str_eq(f.mounts.v[0].clean, out);		/* cleaned, as Docker does */
	ck_assert_str_eq(f.mounts.v[1].resolved, "/etc/missing/x");
	ck_assert(!matches("mount=/proc", &f, why, sizeof(why)));	/* fxdb_dir/up is no link */
	adm_facts_free(&f);
	json_free(doc);
	snprintf(body, sizeof(body), "{\"Image\":\"x\",\"HostConfig\":{\"Binds\":[\"%s/data/up:/h\"]}}",
	    fxdb_dir);
	facts_text(body, ADM_CREATE, NULL, &f, &doc);
	ck_assert_str_eq(f.mounts.v[0].resolved, "/");
	ck_assert(matches("mount=/proc", &f, why, sizeof(why)));
	snprintf(out, sizeof(out), "%s/data/up (/)", fxdb_dir);
	ck_assert_str_eq(why, out);
	ck_assert(matches("mount=/var/run/docker.sock", &f, why, sizeof(why)));
	adm_facts_free(&f);
	json_free(doc);
	/* a rule's glob through a symlink: data/up/etc is /etc */
	snprintf(body, sizeof(body), "mount=%s/data/up/etc/*.conf", fxdb_dir);
	{
		char bind[600];

		snprintf(bind, sizeof(bind), "{\"Image\":\"x\",\"HostConfig\":{\"Binds\":"
		    "[\"/etc/x.conf:/y\"]}}");
		facts_text(bind, ADM_CREATE, NULL, &f, &doc);
		ck_assert(matches(body, &f, why, sizeof(why)));
		adm_facts_free(&f);
		json_free(doc);
	}
}
END_TEST

/* --- judging ---------------------------------------------------------------- */

START_TEST(test_judge_order)
{
	struct adm_rule r[4];
	struct adm_verdict v;
	struct json_doc *doc;
	struct adm_facts f;
	struct adm_subject s = { .f = &f };

	facts_file("create-1.41-risky.json", ADM_CREATE, &f, &doc);
	rule_of(&r[0], 3, 1, "host-pid");
	rule_of(&r[1], 4, 1, "privileged");
	rule_of(&r[2], 5, 0, "label:team=infra");
	rule_of(&r[3], 6, 0, "image=nothing");
	/* allow rules first: the infra team's may */
	adm_judge(r, 4, ADM_PROTECT, &s, &v);
	ck_assert_int_eq(v.result, ADM_ALLOWED);
	ck_assert_int_eq(v.rule->id, 5);
	ck_assert_str_eq(v.why, "team=infra");
	/* without it, the first deny rule decides */
	r[2].enabled = 0;
	adm_judge(r, 4, ADM_PROTECT, &s, &v);
	ck_assert_int_eq(v.result, ADM_DENIED);
	ck_assert_int_eq(v.rule->id, 3);
	adm_judge(r, 4, ADM_MONITOR, &s, &v);
	ck_assert_int_eq(v.result, ADM_VIOLATION);
	r[0].enabled = r[1].enabled = 0;
	adm_judge(r, 4, ADM_PROTECT, &s, &v);
	ck_assert_int_eq(v.result, ADM_PASS);
	ck_assert_ptr_null(v.rule);
	adm_facts_free(&f);
	json_free(doc);
	/* unreadable: refused in protect whatever the rules */
	adm_facts_unreadable(&f, ADM_CREATE, "x", "why");
	adm_judge(r, 0, ADM_PROTECT, &s, &v);
	ck_assert_int_eq(v.result, ADM_DENIED);
	ck_assert_int_eq(v.unreadable, 1);
	adm_judge(r, 0, ADM_MONITOR, &s, &v);
	ck_assert_int_eq(v.result, ADM_VIOLATION);
	adm_facts_free(&f);
}
END_TEST

/* The DLP sensors of rules/dlp.rules, compiled. */
static struct sensor_set *
dlp_set(struct rules_file *rf)
{
	const char *src = getenv("NVD_SRCDIR");
	struct rules_errors errs = { 0 };
	struct sensor_set *set;
	char path[512], err[512];

	snprintf(path, sizeof(path), "%s/rules/dlp.rules", src ? src : "..");
	ck_assert_msg(rules_read(path, rf, &errs) == 0, "%s", errs.count ? errs.msg[0] : path);
	set = sensor_set_build(rf->sensors, rf->nsensors, 1, err, sizeof(err));
	ck_assert_msg(set != NULL, "%s", err);
	return set;
}

START_TEST(test_env_secret)
{
	static const struct {
		const char *env;
		const char *why;	/* NULL: no secret */
		const char *sensor;
	} t[] = {
		{ "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_ACCESS_KEY_ID=****MPLE (its name)",
		    "" },
		{ "X=AKIAIOSFODNN7EXAMPLE", "X=****MPLE (sensor.aws-key access-key-id)",
		    "sensor.aws-key" },
		{ "CARD=4111 1111 1111 1111", "CARD=****1111 (sensor.creditcard visa)",
		    "sensor.creditcard" },
		{ "GITHUB_TOKEN=ghp_x", "GITHUB_TOKEN=**** (its name)", "" },
		{ "db_password=hunter2hunter2", "db_password=****ter2 (its name)", "" },
		{ "DB_PASSWORD_FILE=/run/secrets/db", NULL, NULL },	/* names the file */
		{ "DB_PASSWORD=", NULL, NULL },
		{ "PASSWORD", NULL, NULL },
		{ "PATH=/usr/bin", NULL, NULL },
	};
	struct sensor_scratch *sc = sensor_scratch_new();
	struct rules_file rf;
	struct sensor_set *set = dlp_set(&rf);

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char body[256];
		struct json_doc *doc;
		struct adm_facts f;
		struct adm_subject s = { .f = &f, .dlp = set, .scratch = sc };
		struct adm_crit c;
		char err[128], why[160];

		snprintf(body, sizeof(body), "{\"Image\":\"x\",\"Env\":[\"A=1\",\"%s\"]}", t[i].env);
		facts_text(body, ADM_CREATE, NULL, &f, &doc);
		ck_assert_int_eq(adm_criteria_parse("env-secret", &c, 1, err, sizeof(err)), 1);
		ck_assert_msg(adm_crit_match(&c, &s, why, sizeof(why)) == (t[i].why != NULL), "%s",
		    t[i].env);
		if (t[i].why) {
			ck_assert_str_eq(why, t[i].why);
			ck_assert_str_eq(s.env_sensor, t[i].sensor);
		}
		adm_facts_free(&f);
		json_free(doc);
	}
	sensor_set_free(set);
	rules_free(&rf);
	sensor_scratch_free(sc);
}
END_TEST

/* --- the plugin protocol ---------------------------------------------------- */

START_TEST(test_route)
{
	static const struct {
		const char *method, *uri;
		enum adm_kind kind;
		const char *name, *version;
	} t[] = {
		{ "POST", "/v1.41/containers/create?name=web1", ADM_CREATE, "web1", "1.41" },
		{ "POST", "/containers/create", ADM_CREATE, "", "" },
		{ "POST", "/v1.41/containers/create?platform=x&name=a%20b+c", ADM_CREATE, "a b c",
		    "1.41" },
		/* as dockerd's router decodes the path */
		{ "POST", "/v1.41/containers/%63reate", ADM_CREATE, "", "1.41" },
		{ "POST", "/containers%2Fcreate", ADM_CREATE, "", "" },
		{ "POST", "http://docker/v1.41/containers/create", ADM_CREATE, "", "1.41" },
		{ "POST", "/v1.41/containers/web1/exec", ADM_EXEC, "web1", "1.41" },
		{ "POST", "/containers/a/b/exec", ADM_EXEC, "a/b", "" },
		{ "POST", "/v1.23/containers/web1/start", ADM_START, "web1", "1.23" },
		{ "POST", "/v1.41/volumes/create", ADM_VOLUME, "", "1.41" },
		/* what the router does not run as these */
		{ "GET", "/v1.41/containers/create", ADM_OTHER, "", "" },
		{ "post", "/v1.41/containers/create", ADM_OTHER, "", "" },
		{ "POST", "/v1.41/containers/create/", ADM_OTHER, "", "" },
		{ "POST", "/v1.41/Containers/create", ADM_OTHER, "", "" },
		{ "POST", "/v1.41/containers//exec", ADM_OTHER, "", "" },
		{ "POST", "/v1.41/containers/%zzcreate", ADM_OTHER, "", "" },
		{ "POST", "/v1.41/containers/x/kill", ADM_OTHER, "", "" },
	};
	struct adm_route rt;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		adm_route(t[i].method, t[i].uri, &rt);
		ck_assert_msg(rt.kind == t[i].kind, "%s %s: %d", t[i].method, t[i].uri, rt.kind);
		if (rt.kind != ADM_OTHER) {
			ck_assert_msg(strcmp(rt.name, t[i].name) == 0, "%s: '%s'", t[i].uri, rt.name);
			ck_assert_msg(strcmp(rt.version, t[i].version) == 0, "%s: '%s'", t[i].uri,
			    rt.version);
		}
	}
	ck_assert(adm_version_less("1.23", "1.24"));
	ck_assert(adm_version_less("1.9", "1.24"));
	ck_assert(!adm_version_less("1.24", "1.24"));
	ck_assert(!adm_version_less("1.41", "1.24"));
	ck_assert(!adm_version_less("2", "1.24"));
}
END_TEST

START_TEST(test_authz_judge)
{
	struct adm_policy *p = policy_of(ADM_PROTECT, "deny:privileged", "deny:mount=/etc",
	    "allow:image=trusted/*", NULL);
	char *plain = data("create-1.41-plain.json"), *risky = data("create-1.50-risky.json");
	struct adm_outcome o;
	char *req, msg[320];

	/* a privileged create, refused with the rule's message */
	req = authz_req("POST", "/v1.50/containers/create?name=web1", risky, NULL);
	judge_req(p, req, &o);
	ck_assert_int_eq(o.kind, ADM_CREATE);
	ck_assert_int_eq(o.allow, 0);
	ck_assert_int_eq(o.result, ADM_DENIED);
	ck_assert_int_eq(o.rule_id, 1);
	ck_assert_str_eq(o.name, "web1");
	ck_assert_str_eq(o.user, "alice");
	ck_assert_str_eq(o.image, "registry.example.com:5000/team/app:1.2");
	ck_assert_str_eq(o.msg, "nvd admission rule 1: denied [privileged]");
	adm_outcome_message(&o, msg, sizeof(msg));
	ck_assert_str_eq(msg, "denied create: privileged (rule 1); image "
	    "registry.example.com:5000/team/app:1.2; user alice");
	free(req);
	/* a plain one passes */
	req = authz_req("POST", "/v1.41/containers/create", plain, NULL);
	judge_req(p, req, &o);
	ck_assert_int_eq(o.allow, 1);
	ck_assert_int_eq(o.result, ADM_PASS);
	free(req);
	/* every other call passes untouched, body or not */
	req = authz_req("GET", "/v1.41/containers/json", NULL, NULL);
	judge_req(p, req, &o);
	ck_assert_int_eq(o.kind, ADM_OTHER);
	ck_assert_int_eq(o.allow, 1);
	free(req);
	req = authz_req("POST", "/v1.41/containers/web1/kill", "{\"x\":", NULL);
	judge_req(p, req, &o);
	ck_assert_int_eq(o.allow, 1);
	free(req);
	/* a create dockerd did not show nvd the body of (over 1 MiB, chunked) */
	req = authz_req("POST", "/v1.41/containers/create", NULL, NULL);
	judge_req(p, req, &o);
	ck_assert_int_eq(o.allow, 0);
	ck_assert_int_eq(o.unreadable, 1);
	ck_assert_str_eq(o.msg, "nvd cannot judge this request (dockerd did not show nvd its body "
	    "(one of 1 MiB or more, or not sent as application/json)); admission control is in "
	    "protect mode");
	free(req);
	/* a body that is not JSON, or not base64 */
	req = authz_req("POST", "/v1.41/containers/create", "{\"Image\":", NULL);
	judge_req(p, req, &o);
	ck_assert_int_eq(o.allow, 0);
	ck_assert_str_eq(o.why, "its body is not JSON nvd reads: offset 9: unexpected end of input");
	free(req);
	req = strdup("{\"RequestMethod\":\"POST\",\"RequestUri\":\"/containers/create\","
	    "\"RequestBody\":\"e30*\"}");
	judge_req(p, req, &o);
	ck_assert_str_eq(o.why, "its body is not base64 (offset 3)");
	ck_assert_int_eq(o.allow, 0);
	free(req);
	/* dockerd's request itself unreadable: judged as a create that is */
	judge_req(p, "{\"RequestMethod\":", &o);
	ck_assert_int_eq(o.allow, 0);
	ck_assert_str_eq(o.why, "dockerd's request is not JSON nvd reads");
	/* a start with a HostConfig (API before 1.24), shown or hidden */
	req = authz_req("POST", "/v1.23/containers/web1/start", "{\"Privileged\":true}", NULL);
	judge_req(p, req, &o);
	ck_assert_int_eq(o.kind, ADM_START);
	ck_assert_int_eq(o.allow, 0);
	ck_assert_int_eq(o.rule_id, 1);
	free(req);
	req = authz_req("POST", "/v1.23/containers/web1/start", NULL, "{}");
	judge_req(p, req, &o);
	ck_assert_int_eq(o.allow, 0);
	ck_assert_int_eq(o.unreadable, 1);
	free(req);
	req = authz_req("POST", "/v1.23/containers/web1/start", NULL, "{\"Content-Length\":\"0\"}");
	judge_req(p, req, &o);
	ck_assert_int_eq(o.allow, 1);
	ck_assert_int_eq(o.kind, ADM_OTHER);
	free(req);
	req = authz_req("POST", "/v1.41/containers/web1/start", NULL, "{}");
	judge_req(p, req, &o);
	ck_assert_int_eq(o.allow, 1);
	free(req);
	/* an exec, a volume bound to / */
	req = authz_req("POST", "/v1.41/containers/web1/exec",
	    "{\"User\":\"root\",\"Privileged\":true,\"Cmd\":[\"sh\"]}", NULL);
	judge_req(p, req, &o);
	ck_assert_int_eq(o.kind, ADM_EXEC);
	ck_assert_int_eq(o.allow, 0);
	free(req);
	{
		char *vol = data("volume-1.41-bind.json");

		req = authz_req("POST", "/v1.41/volumes/create", vol, NULL);
		judge_req(p, req, &o);
		ck_assert_int_eq(o.kind, ADM_VOLUME);
		ck_assert_int_eq(o.rule_id, 2);
		ck_assert_str_eq(o.why, "/");
		ck_assert_str_eq(o.name, "rootvol");
		free(req);
		free(vol);
	}
	adm_policy_put(p);
	/* monitor: admitted with a violation; no policy yet: allowed */
	p = policy_of(ADM_MONITOR, "deny:privileged", NULL);
	req = authz_req("POST", "/v1.50/containers/create", risky, NULL);
	judge_req(p, req, &o);
	ck_assert_int_eq(o.allow, 1);
	ck_assert_int_eq(o.result, ADM_VIOLATION);
	judge_req(NULL, req, &o);
	ck_assert_int_eq(o.allow, 1);
	ck_assert_int_eq(o.result, ADM_PASS);
	free(req);
	adm_policy_put(p);
	free(plain);
	free(risky);
}
END_TEST

/* --- the server --------------------------------------------------------------- */

static struct event_ring ring;
static struct adm_live live;
static struct authz *srv;
static char sock_path[300];

static void
srv_setup(void)
{
	char err[256];

	fxdb_setup();
	ck_assert_int_eq(event_ring_init(&ring, -1), 0);
	adm_live_init(&live);
	adm_live_set(&live, policy_of(ADM_PROTECT, "deny:privileged", NULL));
	snprintf(sock_path, sizeof(sock_path), "%s/plugins/nvdt.sock", fxdb_dir);
	srv = authz_start(sock_path, &live, &ring, err, sizeof(err));
	ck_assert_msg(srv != NULL, "%s", err);
}

static void
srv_teardown(void)
{
	authz_stop(srv);
	ck_assert_int_eq(access(sock_path, F_OK), -1);	/* the socket file went */
	adm_live_destroy(&live);
	event_ring_destroy(&ring);
	{
		sqlite3 *none = NULL;

		fxdb_teardown(&none);
	}
}

static int
srv_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%.*s", (int)sizeof(sun.sun_path) - 1,
	    sock_path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void
send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		ck_assert_int_gt(k, 0);
		p += k;
		n -= (size_t)k;
	}
}

/* One HTTP request of body to path. */
static void
send_req(int fd, const char *path, const char *body)
{
	char head[256];

	snprintf(head, sizeof(head), "POST %s HTTP/1.1\r\nHost: plugin\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\n\r\n", path, strlen(body));
	send_all(fd, head, strlen(head));
	send_all(fd, body, strlen(body));
}

/* Reads until want responses (by their Content-Length) or the close; 0 on EOF. */
static size_t
read_resp(int fd, char *out, size_t outlen, int want)
{
	size_t n = 0;
	int got = 0;

	while (n + 1 < outlen && got < want) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t k;
		const char *p;

		ck_assert_int_gt(poll(&pfd, 1, 5000), 0);
		if ((k = recv(fd, out + n, outlen - n - 1, 0)) <= 0)
			break;
		n += (size_t)k;
		out[n] = '\0';
		got = 0;
		for (p = out; (p = strstr(p, "\r\n\r\n")) != NULL; got++) {
			const char *cl = p;
			size_t len = 0;

			while (cl > out && strncmp(cl, "Content-Length: ", 16) != 0)
				cl--;
			sscanf(cl + 16, "%zu", &len);
			if ((size_t)(out + n - (p + 4)) < len)
				break;
			p += 4 + len;
		}
	}
	out[n] = '\0';
	return n;
}

START_TEST(test_server)
{
	char resp[8192], *risky = data("create-1.41-risky.json"), *req;
	struct record rec[4];
	int fd = srv_connect();
	struct authz_status st;

	/* activation, then two requests pipelined on one connection */
	send_req(fd, "/Plugin.Activate", "");
	read_resp(fd, resp, sizeof(resp), 1);
	ck_assert_msg(strstr(resp, "HTTP/1.1 200 OK\r\n") == resp, "%s", resp);
	ck_assert_msg(strstr(resp, "\r\n\r\n{\"Implements\":[\"authz\"]}\n") != NULL, "%s", resp);
	req = authz_req("POST", "/v1.41/containers/create?name=web1", risky, NULL);
	send_req(fd, "/AuthZPlugin.AuthZReq", req);
	send_req(fd, "/AuthZPlugin.AuthZRes", "{\"ResponseStatusCode\":201}");
	read_resp(fd, resp, sizeof(resp), 2);
	ck_assert_msg(strstr(resp, "{\"Allow\":false,\"Msg\":\"nvd admission rule 1: denied "
	    "[privileged]\"}\n") != NULL, "%s", resp);
	ck_assert_msg(strstr(resp, "{\"Allow\":true}\n") != NULL, "%s", resp);
	free(req);
	/* the event, in the ring the writer drains */
	ck_assert_int_eq(event_ring_pop(&ring, rec, 4), 1);
	ck_assert_int_eq(rec[0].type, REC_EVENT);
	ck_assert_int_eq(rec[0].u.ev.type, EV_ADMISSION);
	ck_assert_int_eq(rec[0].u.ev.action, EV_DENY);
	ck_assert_int_eq(rec[0].u.ev.level, EV_WARNING);
	ck_assert_int_eq(rec[0].u.ev.rule_id, 1);
	ck_assert_str_eq(rec[0].u.ev.name, "create");
	ck_assert_str_eq(rec[0].u.ev.dst_workload, "web1");
	ck_assert_str_eq(rec[0].u.ev.message, "denied create: privileged (rule 1); image "
	    "registry.example.com:5000/team/app:1.2; user alice");
	/* an AuthZRes of 8 MiB: answered, its body not kept */
	{
		size_t big = 8u << 20;
		char *body = malloc(big + 1);
		char head[200];

		memset(body, 'x', big);
		snprintf(head, sizeof(head), "POST /AuthZPlugin.AuthZRes HTTP/1.1\r\nHost: p\r\n"
		    "Content-Length: %zu\r\n\r\n", big);
		send_all(fd, head, strlen(head));
		send_all(fd, body, big);
		read_resp(fd, resp, sizeof(resp), 1);
		ck_assert_msg(strstr(resp, "{\"Allow\":true}\n") != NULL, "%s", resp);
		/* an AuthZReq that large: nvd cannot tell what it is, refused in protect */
		snprintf(head, sizeof(head), "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: p\r\n"
		    "Content-Length: %zu\r\n\r\n", big);
		send_all(fd, head, strlen(head));
		send_all(fd, body, big);
		read_resp(fd, resp, sizeof(resp), 1);
		ck_assert_msg(strstr(resp, "{\"Allow\":false,\"Msg\":\"nvd cannot judge this request "
		    "(dockerd's request is larger than 4194304 bytes); admission control is in "
		    "protect mode\"}") != NULL, "%s", resp);
		free(body);
	}
	/* another path: 404; not HTTP: 400 and closed */
	send_req(fd, "/VolumeDriver.Create", "{}");
	read_resp(fd, resp, sizeof(resp), 1);
	ck_assert_msg(strstr(resp, "HTTP/1.1 404 Not Found\r\n") == resp, "%s", resp);
	send_all(fd, "\x16\x03\x01 hello\r\n\r\n", 13);
	read_resp(fd, resp, sizeof(resp), 1);
	ck_assert_msg(strstr(resp, "HTTP/1.1 400 Bad Request\r\n") == resp, "%s", resp);
	ck_assert_int_eq(recv(fd, resp, sizeof(resp), 0), 0);
	close(fd);
	authz_status(srv, &st);
	ck_assert_int_eq(st.connections, 1);
	ck_assert_int_eq(st.requests, 2);
	ck_assert_int_eq(st.judged, 2);
	ck_assert_int_eq(st.denied, 2);
	ck_assert_int_eq(st.unreadable, 1);
	ck_assert_int_eq(st.responses, 2);
	ck_assert_int_eq(st.bad_requests, 2);
	free(risky);
}
END_TEST

/* Many connections at once, one of them stalled mid-request: the others are answered. */
START_TEST(test_server_many)
{
	int fds[AUTHZ_MAX_CLIENTS + 8], stalled = srv_connect();
	char resp[2048];
	struct authz_status st;

	{
		static const char part[] = "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nContent-Length: "
		    "100\r\n\r\n{";

		send_all(stalled, part, sizeof(part) - 1);
	}
	for (int i = 0; i < AUTHZ_MAX_CLIENTS + 8; i++)
		fds[i] = srv_connect();
	/* idle connections past the table's size make room; each is served in turn */
	for (int i = AUTHZ_MAX_CLIENTS + 7; i >= AUTHZ_MAX_CLIENTS - 8; i--) {
		send_req(fds[i], "/AuthZPlugin.AuthZRes", "{}");
		read_resp(fds[i], resp, sizeof(resp), 1);
		ck_assert_msg(strstr(resp, "{\"Allow\":true}") != NULL, "%d: %s", i, resp);
	}
	for (int i = 0; i < AUTHZ_MAX_CLIENTS + 8; i++)
		close(fds[i]);
	/* the stalled request is closed at its deadline */
	{
		struct pollfd pfd = { .fd = stalled, .events = POLLIN };

		ck_assert_int_eq(poll(&pfd, 1, AUTHZ_REQUEST_MS + 3000), 1);
		ck_assert_int_eq(recv(stalled, resp, sizeof(resp), 0), 0);
	}
	close(stalled);
	authz_status(srv, &st);
	ck_assert_int_eq(st.timeouts, 1);
}
END_TEST

/* A second server on the same path is refused; the first serves on. */
START_TEST(test_server_in_use)
{
	char err[256];
	int fd;
	char resp[512];

	ck_assert_ptr_null(authz_start(sock_path, &live, &ring, err, sizeof(err)));
	snprintf(resp, sizeof(resp), "authz_socket %s is in use: is another nvd (or plugin) "
	    "serving it?", sock_path);
	ck_assert_str_eq(err, resp);
	fd = srv_connect();
	send_req(fd, "/Plugin.Activate", "");
	read_resp(fd, resp, sizeof(resp), 1);
	ck_assert_msg(strstr(resp, "authz") != NULL, "%s", resp);
	close(fd);
}
END_TEST

/* --- the database, rules_dir and nvctl ----------------------------------------- */

static sqlite3 *db;
static struct fxcli cli;

static void
db_setup(void)
{
	fxdb_setup();
	db = fxdb_open();
	fxcli_init(&cli, db);
}

static void
db_teardown(void)
{
	fxcli_free(&cli);
	fxdb_teardown(&db);
}

static int
adm(int json, ...)
{
	va_list ap;
	int rc;

	va_start(ap, json);
	rc = fxcli_run(&cli, json, "admission", ap);
	va_end(ap);
	return rc;
}

#define REPLY(want) ck_assert_str_eq(fxcli_reply(&cli), want)
#define PREFIX(want) ck_assert_msg(strncmp(fxcli_reply(&cli), want, strlen(want)) == 0, \
	"reply: %s", fxcli_reply(&cli))

START_TEST(test_store)
{
	struct adm_rule *r, one;
	enum adm_mode m;
	char err[256];
	int64_t id;
	int n;

	ck_assert_int_eq(store_adm_mode_get(db, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(m, ADM_MONITOR);
	ck_assert_int_eq(store_adm_mode_set(db, ADM_PROTECT, err, sizeof(err)), 0);
	ck_assert_int_eq(store_adm_mode_get(db, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(m, ADM_PROTECT);
	ck_assert_int_eq(store_adm_rule_add(db, 1, " privileged , cap=sys_admin", "no", &id, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(fxdb_text(db, "SELECT criteria FROM admission_rules"),
	    "privileged,cap=SYS_ADMIN");
	ck_assert_int_eq(store_adm_rule_add(db, 1, "bogus", "", &id, err, sizeof(err)), -1);
	ck_assert_int_eq(strncmp(err, "unknown criterion 'bogus'", 25), 0);
	ck_assert_int_eq(store_adm_rule_add(db, 0, "root", "a\nb", &id, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "comment: no control characters");
	ck_assert_int_eq(store_adm_rule_add(db, 0, "image=x", "", &id, err, sizeof(err)), 0);
	ck_assert_int_eq(store_adm_rule_enable(db, id, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(store_adm_rule_get(db, id, &one, err, sizeof(err)), 0);
	ck_assert_int_eq(one.enabled, 0);
	ck_assert_int_eq(one.deny, 0);
	ck_assert_int_eq(store_adm_rule_list(db, &r, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(r[0].ncrit, 2);
	free(r);
	ck_assert_int_eq(store_adm_rule_enable(db, 99, 1, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_str_eq(err, "admission rule 99 does not exist");
	ck_assert_int_eq(store_adm_rule_delete(db, 99, err, sizeof(err)), STORE_NOTFOUND);
	ck_assert_int_eq(store_adm_rule_delete(db, id, err, sizeof(err)), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM admission_rules"), 1);
}
END_TEST

static char rdir[300];

static void
write_rules(const char *name, const char *text)
{
	char path[600];
	FILE *f;

	snprintf(rdir, sizeof(rdir), "%s/rules", fxdb_dir);
	mkdir(rdir, 0700);
	snprintf(path, sizeof(path), "%s/%s", rdir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

START_TEST(test_load)
{
	const char *src = getenv("NVD_SRCDIR");
	char err[256], want[256];
	int64_t id;

	/* the default file: every rule, disabled */
	snprintf(rdir, sizeof(rdir), "%s/rules", src ? src : "..");
	ck_assert_msg(sensors_load_dir(db, rdir, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM admission_rules WHERE builtin = 1 AND "
	    "enabled = 0 AND source = 'admission.rules'"), 13);
	ck_assert_str_eq(fxdb_text(db, "SELECT criteria || ' ' || comment FROM admission_rules "
	    "WHERE name = 'docker-socket'"), "mount=/var/run/docker.sock the Docker socket may not "
	    "be mounted into a container");
	/* loading it again changes nothing, and uses up no id */
	ck_assert_int_eq(sensors_load_dir(db, rdir, err, sizeof(err)), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT seq FROM sqlite_sequence WHERE name = "
	    "'admission_rules'"), 13);
	/* a file of one's own: enabled state and ids survive a change */
	write_rules("a.rules", "admission one deny privileged\nmessage m1\n"
	    "admission two allow image=x\n");
	ck_assert_int_eq(sensors_load_dir(db, rdir, err, sizeof(err)), 0);
	id = fxdb_int(db, "SELECT id FROM admission_rules WHERE name = 'one'");
	ck_assert_int_eq(store_adm_rule_enable(db, id, 1, err, sizeof(err)), 0);
	write_rules("a.rules", "admission one deny privileged,host-pid\nmessage m2\n");
	ck_assert_int_eq(sensors_load_dir(db, rdir, err, sizeof(err)), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT id FROM admission_rules WHERE name = 'one'"), id);
	ck_assert_str_eq(fxdb_text(db, "SELECT enabled || criteria || comment FROM admission_rules "
	    "WHERE name = 'one'"), "1privileged,host-pidm2");
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM admission_rules"), 1);	/* two went */
	/* a file with an error is skipped whole, its rules as they were */
	write_rules("a.rules", "admission one deny privileged\nadmission bad deny nonsense\n");
	ck_assert_int_eq(sensors_load_dir(db, rdir, err, sizeof(err)), 1);
	ck_assert_str_eq(fxdb_text(db, "SELECT criteria FROM admission_rules WHERE name = 'one'"),
	    "privileged,host-pid");
	/* built in: may be disabled, not deleted */
	ck_assert_int_eq(store_adm_rule_delete(db, id, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "admission rule %lld is built in (a.rules); disable it instead",
	    (long long)id);
	ck_assert_str_eq(err, want);
	/* its file gone: the rule goes */
	write_rules("a.rules", "# nothing\n");
	ck_assert_int_eq(sensors_load_dir(db, rdir, err, sizeof(err)), 0);
	ck_assert_int_eq(fxdb_int(db, "SELECT count(*) FROM admission_rules"), 0);
}
END_TEST

START_TEST(test_cli)
{
	char *risky = data("create-1.41-risky.json"), *plain = data("create-1.50-plain.json");
	struct adm_policy *p;
	char want[512];

	ck_assert_int_eq(adm(0, "rule", "add", "--action", "deny", "--criteria",
	    "privileged,host-pid", "--comment", "no escapes", NULL), CTL_RESP_OK);
	REPLY("admission rule 1 added\n");
	ck_assert_int_eq(adm(1, "rule", "add", "--action", "allow", "--criteria", "label:team=infra",
	    NULL), CTL_RESP_OK);
	PREFIX("{\"id\":2,\"action\":\"allow\",\"enabled\":true,\"criteria\":\"label:team=infra\","
	    "\"comment\":null,\"builtin\":false,\"name\":null,\"source\":null,\"created\":\"");
	ck_assert_int_eq(adm(0, "rule", "add", "--action", "maybe", "--criteria", "root", NULL),
	    CTL_RESP_ERROR);
	REPLY("unknown action 'maybe' (expected allow or deny)");
	ck_assert_int_eq(adm(0, "rule", "add", "--criteria", "root", NULL), CTL_RESP_USAGE);
	REPLY("usage: nvctl admission rule add --action allow|deny --criteria C[,C...] "
	    "[--comment TEXT]");
	/* the policy the plugin judges by follows */
	p = adm_live_get(&cli.d.adm.live);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->nrules, 2);
	ck_assert_int_eq(p->mode, ADM_MONITOR);
	adm_policy_put(p);
	ck_assert_int_eq(adm(0, "rule", "list", NULL), CTL_RESP_OK);
	REPLY("id  action  enabled  criteria             builtin  comment\n"
	    "1   deny    yes      privileged,host-pid  -        no escapes\n"
	    "2   allow   yes      label:team=infra     -        -\n");
	/* a test: the allow rule for the infra team wins */
	ck_assert_int_eq(adm(0, "test", "--input", risky, NULL), CTL_RESP_OK);
	PREFIX("mode        monitor\nresult      allowed\nrule        2\nmatched     team=infra\n"
	    "container   -\n");
	ck_assert_int_eq(adm(0, "rule", "disable", "2", NULL), CTL_RESP_OK);
	REPLY("admission rule 2 disabled\n");
	ck_assert_int_eq(adm(0, "mode", "protect", NULL), CTL_RESP_OK);
	REPLY("admission mode protect\n");
	ck_assert_int_eq(adm(1, "test", "--input", risky, NULL), CTL_RESP_NOMATCH);
	REPLY("{\"mode\":\"protect\",\"result\":\"denied\",\"allow\":false,\"unreadable\":false,"
	    "\"rule_id\":1,\"matched\":\"privileged; host pid\",\"message\":\"nvd admission rule 1: "
	    "no escapes [privileged; host pid]\",\"event\":\"denied create: privileged; host pid "
	    "(rule 1); image registry.example.com:5000/team/app:1.2\"}\n");
	ck_assert_int_eq(adm(0, "test", "--input", plain, NULL), CTL_RESP_OK);
	PREFIX("mode        protect\nresult      admitted\ncontainer   -\n"
	    "image       nvdbox (registry docker.io, tag latest)\n");
	ck_assert_int_eq(adm(0, "test", "--input", "{\"Image\":", NULL), CTL_RESP_ERROR);
	REPLY("not JSON: offset 9: unexpected end of input");
	/* one rule, criterion by criterion */
	ck_assert_int_eq(adm(0, "rule", "test", "1", "--input", plain, NULL), CTL_RESP_NOMATCH);
	snprintf(want, sizeof(want), "rule 1 (deny)\n  %-40s no\n  %-40s no\nthe rule does not "
	    "match\n", "privileged", "host-pid");
	REPLY(want);
	ck_assert_int_eq(adm(0, "rule", "test", "2", "--input", risky, NULL), CTL_RESP_OK);
	ck_assert_int_eq(adm(0, "rule", "show", "1", NULL), CTL_RESP_OK);
	PREFIX("id        1\naction    deny\nenabled   yes\ncriteria  privileged,host-pid\n"
	    "comment   no escapes\nbuiltin   no\n");
	ck_assert_int_eq(adm(0, "rule", "show", "x1", NULL), CTL_RESP_ERROR);
	REPLY("bad admission rule id 'x1' (expected a positive number)");
	ck_assert_int_eq(adm(0, "rule", "delete", "1", NULL), CTL_RESP_OK);
	ck_assert_int_eq(adm(0, "rule", "delete", "1", NULL), CTL_RESP_NOTFOUND);
	REPLY("admission rule 1 does not exist");
	ck_assert_int_eq(adm(1, "status", NULL), CTL_RESP_OK);
	REPLY("{\"mode\":\"protect\",\"rules\":1,\"enabled\":0,\"socket\":null,\"serving\":false,"
	    "\"connections\":0,\"refused\":0,\"requests\":0,\"judged\":0,\"allowed\":0,"
	    "\"violations\":0,\"denied\":0,\"unreadable\":0,\"responses\":0,\"bad_requests\":0,"
	    "\"timeouts\":0}\n");
	ck_assert_int_eq(adm(0, NULL), CTL_RESP_USAGE);
	REPLY("usage: nvctl admission rule|mode|test|status ...");
	ck_assert_int_eq(adm(0, "mode", "strict", NULL), CTL_RESP_ERROR);
	REPLY("unknown mode 'strict' (expected monitor or protect)");
	free(risky);
	free(plain);
}
END_TEST

static Suite *
admission_suite(void)
{
	Suite *s = suite_create("admission");
	TCase *tc;

	tc = tcase_create("facts");
	tcase_add_checked_fixture(tc, fxdb_setup, NULL);
	tcase_add_test(tc, test_b64);
	tcase_add_test(tc, test_facts_risky);
	tcase_add_test(tc, test_facts_plain);
	tcase_add_test(tc, test_facts_hostroot);
	tcase_add_test(tc, test_facts_exec_volume);
	tcase_add_test(tc, test_facts_inspect);
	tcase_add_test(tc, test_criteria_each);
	tcase_add_test(tc, test_criteria_caps_devices);
	tcase_add_test(tc, test_criteria_parse);
	tcase_add_test(tc, test_go_fields);
	tcase_add_test(tc, test_go_fields_not);
	tcase_add_test(tc, test_image_user);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_judge_order);
	tcase_add_test(tc, test_env_secret);
	tcase_add_test(tc, test_route);
	tcase_add_test(tc, test_authz_judge);
	suite_add_tcase(s, tc);

	tc = tcase_create("server");
	tcase_add_checked_fixture(tc, srv_setup, srv_teardown);
	tcase_set_timeout(tc, 40);
	tcase_add_test(tc, test_server);
	tcase_add_test(tc, test_server_many);
	tcase_add_test(tc, test_server_in_use);
	suite_add_tcase(s, tc);

	tc = tcase_create("store");
	tcase_add_checked_fixture(tc, db_setup, db_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_store);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_cli);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return fxdb_main("check_admission", admission_suite());
}
