/*
 * adm_facts.h: what a Docker API request would start, as admission rules
 * judge it (nvd(8), ADMISSION CONTROL): the facts of a container create
 * body, an exec, a start that carries a HostConfig (API before 1.24), a
 * volume create, or a `docker inspect` document.
 *
 * The body is hostile input.  It is read as dockerd's Go decoder
 * (encoding/json) reads it, so that nvd judges what Docker will do:
 *
 * - a key names a field when it equals the field's name as Go folds
 *   them: ASCII letters in any case, and U+017F, U+212A, U+0130 and
 *   U+0131 for s, k and i ("privileged" and "PRIVİLEGED" are Privileged);
 * - Go would take the last of two keys that name one field, and merge two
 *   objects; nvd refuses to guess: such a body is unreadable (so is a map,
 *   Labels say, with one key twice);
 * - HostConfig's fields are read from the top level of a create (or
 *   start) body that has no HostConfig, as dockerd 20.10 does (its
 *   ContainerConfigWrapper embeds a HostConfig there); newer engines
 *   ignore them, so either way nvd judges at least what Docker does;
 * - a field of the wrong type, a string holding U+0000 or more entries
 *   than nvd keeps make the body unreadable: Docker refuses most of those
 *   itself, and nvd judges no body it has not read whole.
 *
 * An unreadable body has unreadable[] set, and nothing else in the facts
 * may be believed.  Facts point into the document they were read from
 * (env and labels): free the facts before the document.
 *
 * Threads: no state outside the caller's structs.
 */
#ifndef NVD_ADM_FACTS_H
#define NVD_ADM_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/json.h"

#define ADM_MAX_LIST		1024	/* mounts, devices, caps, ports, env entries */
#define ADM_PATH_MAX		4096	/* a host path, NUL included */
#define ADM_IMAGE_MAX		512	/* an image reference, NUL included */
#define ADM_NAME_MAX		256	/* a container name or id, NUL included */
#define ADM_USER_MAX		256

/* What the request asks for. */
enum adm_kind {
	ADM_OTHER = 0,		/* anything else: not judged */
	ADM_CREATE,		/* POST /containers/create */
	ADM_EXEC,		/* POST /containers/{id}/exec */
	ADM_START,		/* POST /containers/{id}/start with a HostConfig body */
	ADM_VOLUME,		/* POST /volumes/create */
	ADM_INSPECT,		/* a docker inspect document (nvctl admission test) */
};
const char *adm_kind_name(enum adm_kind k);

/* A host path the container would see: as given, cleaned, and with its
 * symlinks resolved on this host (adm_path_resolve). */
struct adm_path {
	char *clean;
	char *resolved;		/* may equal clean */
};

struct adm_paths {
	struct adm_path *v;
	int n, cap;
};

struct adm_ports {
	struct { uint16_t lo, hi; } *v;
	int n, cap;
};

/* An image reference as Docker normalises it. */
struct adm_image {
	char given[ADM_IMAGE_MAX];	/* as the request names it ("" if none) */
	char domain[ADM_IMAGE_MAX];	/* "docker.io", "registry:5000" */
	char path[ADM_IMAGE_MAX];	/* "library/nginx" */
	char tag[ADM_IMAGE_MAX];	/* "latest" when neither tag nor digest */
	char digest[ADM_IMAGE_MAX];	/* "sha256:..." or "" */
};

struct adm_facts {
	enum adm_kind kind;
	char unreadable[192];		/* why the body cannot be judged; "" */
	char name[ADM_NAME_MAX];	/* the container's name or id, "" if none */
	struct adm_image image;
	char user[ADM_USER_MAX];	/* Config.User, or the exec's User */
	int root;			/* runs as uid 0 (create: an empty user too) */
	int privileged;
	int host_network, host_pid, host_ipc, host_uts;
	int unconfined;			/* seccomp, AppArmor or SELinux off, or /proc unmasked */
	char unconfined_why[64];	/* the option that did it */
	char **caps;			/* CapAdd, normalised: "SYS_ADMIN", "ALL" */
	int ncaps, capcap;
	struct adm_paths mounts;	/* host paths: binds, bind mounts, local volumes' devices */
	int mount_unknown;		/* VolumesFrom: another container's mounts */
	struct adm_paths devices;	/* Devices' PathOnHost */
	int device_any;			/* DeviceCgroupRules: any device node it makes */
	struct adm_ports ports;		/* published: container and host ports */
	int mem_limit, cpu_limit;	/* a memory limit; a CPU limit (quota or cpuset) */
	const struct json *labels;	/* Config.Labels, an object (keys unique), or NULL */
	const struct json *env;		/* Config.Env or the exec's Env, strings, or NULL */
};

/*
 * Reads root, a parsed body of kind k (ADM_INSPECT: an object, or an array
 * of one), into f.  name is the container's name or id from the request
 * (NULL: none; an inspect document's Name counts).  Never fails but for
 * memory (-1, f->unreadable says so); a body that cannot be judged
 * returns 0 with f->unreadable set.  adm_facts_free() f after either.
 */
int adm_facts_read(struct adm_facts *f, enum adm_kind k, const struct json *root,
    const char *name);
/* A request without a body nvd could read: f is unreadable with why. */
void adm_facts_unreadable(struct adm_facts *f, enum adm_kind k, const char *name,
    const char *why);
void adm_facts_free(struct adm_facts *f);

/*
 * A Docker image reference into im (Docker's normalisation: a first
 * component with '.' or ':', or "localhost", or an upper-case letter is
 * the registry, else docker.io and, for one component, library/; tag
 * "latest" when it has neither tag nor digest).
 */
void adm_image_parse(const char *ref, struct adm_image *im);

/*
 * path, cleaned as Go's path.Clean does ("/a//b/../c/" is "/a/c"), into
 * out; -1 when it is not absolute or does not fit.
 */
int adm_path_clean(const char *path, char *out, size_t outlen);
/*
 * An absolute clean path with the symlinks of its longest existing prefix
 * resolved in nvd's view of the file system (realpath(3)), the rest
 * appended: what a bind of it would mount.  Unresolvable (a loop, no
 * permission): the path as it is.
 */
void adm_path_resolve(const char *clean, char *out, size_t outlen);

/*
 * Whether the user part of a Docker user spec ("root", "0", "+0", "1000:0"
 * is not) is uid 0, as Docker reads a number (Go's strconv.Atoi).  empty_is_root:
 * what "" means (the image's user: root unless nvd knows better).
 */
int adm_user_is_root(const char *user, int empty_is_root);

#endif
