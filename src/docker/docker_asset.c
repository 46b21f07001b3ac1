/*
 * docker_asset.c: a container's assets and the engine's version, read
 * leniently from the Engine API's documents (docker_asset.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "docker/docker_asset.h"

/* Copies the string n into dst, cut to fit; "" for anything but a string. */
static void
text_cut(char *dst, size_t size, const struct json *n)
{
	const char *s = json_str(n);

	snprintf(dst, size, "%s", s ? s : "");
}

/* "8080" into *port: 1 to 65535, digits only. */
static int
port_read(const char *s, uint16_t *port)
{
	unsigned v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (v = v * 10 + (unsigned)(*s - '0')) > 65535)
			return -1;
	}
	if (v == 0)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "80/tcp": the container's port and protocol.  0, or -1. */
static int
port_key(const char *key, uint16_t *port, char *proto, size_t protolen)
{
	const char *slash = key ? strchr(key, '/') : NULL;
	char num[8];

	if (slash == NULL || slash == key || (size_t)(slash - key) >= sizeof(num))
		return -1;
	memcpy(num, key, (size_t)(slash - key));
	num[slash - key] = '\0';
	if (port_read(num, port) < 0)
		return -1;
	if (strcmp(slash + 1, "tcp") && strcmp(slash + 1, "udp") && strcmp(slash + 1, "sctp"))
		return -1;
	snprintf(proto, protolen, "%s", slash + 1);
	return 0;
}

/* One host binding {"HostIp": "0.0.0.0", "HostPort": "8080"} of port/proto. */
static void
binding_add(struct docker_asset *a, uint16_t port, const char *proto, const struct json *b)
{
	const char *ip = json_str(json_get(b, "HostIp"));
	struct docker_published *p;
	uint8_t addr[16];

	if (a->nports == DOCKER_MAX_PUBLISHED || ip == NULL ||
	    (*ip && inet_pton(strchr(ip, ':') ? AF_INET6 : AF_INET, ip, addr) != 1)) {
		a->dropped++;
		return;
	}
	p = &a->ports[a->nports];
	if (port_read(json_str(json_get(b, "HostPort")), &p->host_port) < 0) {
		a->dropped++;
		return;
	}
	snprintf(p->host_ip, sizeof(p->host_ip), "%s", ip);
	p->port = port;
	snprintf(p->proto, sizeof(p->proto), "%s", proto);
	a->nports++;
}

/*
 * NetworkSettings.Ports: {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort":
 * "8080"}, ...], "443/tcp": null}.  A port only exposed (null, or no
 * binding) is not published.
 */
static void
ports_read(struct docker_asset *a, const struct json *ports)
{
	for (size_t i = 0; i < json_len(ports) && json_type(ports) == JSON_OBJECT; i++) {
		const struct json *m = json_index(ports, i);
		uint16_t port;
		char proto[8];

		if (json_type(m) == JSON_NULL)
			continue;
		if (port_key(json_key(m), &port, proto, sizeof(proto)) < 0 ||
		    json_type(m) != JSON_ARRAY) {
			a->dropped++;
			continue;
		}
		for (size_t k = 0; k < json_len(m); k++)
			binding_add(a, port, proto, json_index(m, k));
	}
}

static void
nets_read(struct docker_asset *a, const struct json *nets)
{
	for (size_t i = 0; i < json_len(nets) && json_type(nets) == JSON_OBJECT; i++) {
		const char *name = json_key(json_index(nets, i));

		if (name == NULL || *name == '\0' || strlen(name) >= DOCKER_NET_NAME_MAX ||
		    strchr(name, ',') || a->nnets == DOCKER_MAX_NETS) {
			a->dropped++;
			continue;
		}
		strcpy(a->nets[a->nnets++], name);
	}
}

void
docker_asset_read(struct docker_asset *a, const struct json *root)
{
	const struct json *user = json_path(root, "Config", "User");

	memset(a, 0, sizeof(*a));
	text_cut(a->state, sizeof(a->state), json_path(root, "State", "Status"));
	a->privileged = json_bool(json_path(root, "HostConfig", "Privileged")) == 1;
	text_cut(a->user, sizeof(a->user), user);
	a->user_cut = json_strlen(user) >= sizeof(a->user);
	ports_read(a, json_path(root, "NetworkSettings", "Ports"));
	nets_read(a, json_path(root, "NetworkSettings", "Networks"));
}

int
docker_asset_root(const struct docker_asset *a)
{
	size_t n = strcspn(a->user, ":");

	if (a->user_cut)
		return 0;
	if (n == 0)
		return 1;	/* unset, or ":group": the image's user, root by default */
	if (n == 4 && !strncmp(a->user, "root", 4))
		return 1;
	for (size_t i = 0; i < n; i++)
		if (a->user[i] != '0')
			return 0;
	return 1;		/* "0", "00", "0:0" */
}

/* Appends item to out (at *off) with a comma before it, if it fits whole. */
static int
item_add(char *out, size_t outlen, size_t *off, const char *item)
{
	size_t n = strlen(item) + (*off ? 1 : 0);

	if (*off + n + 1 > outlen)
		return -1;
	snprintf(out + *off, outlen - *off, "%s%s", *off ? "," : "", item);
	*off += n;
	return 0;
}

/* Ends a list that did not fit: its last items become "...". */
static void
list_cut(char *out, size_t outlen, size_t *off)
{
	while (*off > 0 && item_add(out, outlen, off, "...") < 0) {
		char *comma = strrchr(out, ',');

		*off = comma ? (size_t)(comma - out) : 0;
		out[*off] = '\0';
	}
	if (*off == 0 && outlen > 3)
		snprintf(out, outlen, "...");
}

void
docker_asset_ports_text(const struct docker_asset *a, char *out, size_t outlen)
{
	size_t off = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (int i = 0; i < a->nports; i++) {
		const struct docker_published *p = &a->ports[i];
		int v6 = strchr(p->host_ip, ':') != NULL;
		char item[96];

		snprintf(item, sizeof(item), "%s%s%s:%u->%u/%s", v6 ? "[" : "", p->host_ip,
		    v6 ? "]" : "", p->host_port, p->port, p->proto);
		if (item_add(out, outlen, &off, item) < 0) {
			list_cut(out, outlen, &off);
			return;
		}
	}
}

void
docker_asset_nets_text(const struct docker_asset *a, char *out, size_t outlen)
{
	size_t off = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (int i = 0; i < a->nnets; i++)
		if (item_add(out, outlen, &off, a->nets[i]) < 0) {
			list_cut(out, outlen, &off);
			return;
		}
}

int
docker_parse_version(const char *json, size_t len, struct docker_version *v, char *err,
    size_t errlen)
{
	struct json_error jerr;
	struct json_doc *doc;
	const struct json *root;
	int rc = 0;

	memset(v, 0, sizeof(*v));
	if ((doc = json_parse(json, len, NULL, &jerr)) == NULL) {
		snprintf(err, errlen, "version: %s", jerr.msg);
		return -1;
	}
	root = json_root(doc);
	if (json_str(json_get(root, "Version")) == NULL) {
		snprintf(err, errlen, "version: no Version");
		rc = -1;
	} else {
		text_cut(v->version, sizeof(v->version), json_get(root, "Version"));
		text_cut(v->api, sizeof(v->api), json_get(root, "ApiVersion"));
	}
	json_free(doc);
	return rc;
}
