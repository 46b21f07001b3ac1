/*
 * adm_authz.h: Docker's authorization plugin protocol, the judging half
 * (the socket is served by docker/authz.c).
 *
 * dockerd activates a plugin with POST /Plugin.Activate (nvd answers
 * {"Implements":["authz"]}), then, for every API call, asks
 * POST /AuthZPlugin.AuthZReq before it runs the call and
 * POST /AuthZPlugin.AuthZRes before it answers it; each is answered
 * {"Allow":BOOL,"Msg":TEXT}.  The request is a JSON object:
 * {"User", "UserAuthNMethod", "RequestMethod", "RequestUri",
 * "RequestBody" (base64), "RequestHeaders" (an object), ...}, members
 * left out when empty.  dockerd shows the body only when it is JSON and
 * under 1 MiB.
 *
 * What is judged (adm_route()): POST /containers/create, POST
 * /containers/{id}/exec, POST /containers/{id}/start with a body (a
 * HostConfig, which dockerd takes before API 1.24), POST /volumes/create.
 * The path is read as dockerd's router reads it: an optional /vN.N
 * prefix, %XX decoded (%2F too), an absolute-form target's path.  Every
 * other call is allowed without more ado; so is every AuthZRes.
 *
 * A call that is judged but whose body nvd was not shown, or cannot read,
 * is unreadable: refused in protect mode (adm_rules.h).
 */
#ifndef NVD_ADM_AUTHZ_H
#define NVD_ADM_AUTHZ_H

#include <stddef.h>
#include <stdint.h>

#include "admission/adm_facts.h"
#include "admission/adm_policy.h"
#include "admission/adm_rules.h"
#include "base/buf.h"
#include "sensor/sensor.h"

#define ADM_AUTHZ_MAX_REQUEST	(4u << 20)	/* an AuthZReq's JSON, bytes */
#define ADM_AUTHZ_MAX_BODY	(2u << 20)	/* the API call's body, decoded */
#define ADM_AUTHZ_MAX_NODES	(1u << 18)	/* JSON values in either */

/* The plugin API's calls, by the path of dockerd's request. */
enum adm_call {
	ADM_CALL_UNKNOWN = 0,
	ADM_CALL_ACTIVATE,	/* /Plugin.Activate */
	ADM_CALL_REQ,		/* /AuthZPlugin.AuthZReq */
	ADM_CALL_RES,		/* /AuthZPlugin.AuthZRes */
};
enum adm_call adm_authz_call(const char *path, size_t len);

/* An API call as dockerd's router sees it. */
struct adm_route {
	enum adm_kind kind;		/* ADM_OTHER: not judged */
	char name[ADM_NAME_MAX];	/* ?name= of a create, the {id} of exec and start */
	char version[16];		/* the /vN.N prefix, "" without one */
};
/* Routes method and uri (RequestUri, as the client sent it) into rt. */
void adm_route(const char *method, const char *uri, struct adm_route *rt);
/* Whether version a ("1.23") is older than b, as Docker compares them. */
int adm_version_less(const char *a, const char *b);

/* What one AuthZReq came to. */
struct adm_outcome {
	enum adm_kind kind;		/* ADM_OTHER: not judged, allowed */
	int allow;			/* the answer */
	enum adm_result result;
	int unreadable;
	int64_t rule_id;		/* the rule that decided, or 0 */
	char rule_name[ADM_RULE_NAME_MAX];
	char name[ADM_NAME_MAX];	/* the container's name or id, or "" */
	char image[ADM_IMAGE_MAX];
	char user[ADM_USER_MAX];	/* the user dockerd authenticated, or "" */
	char why[256];			/* what matched, or why the body is unreadable */
	char sensor[SENSOR_NAME_MAX];	/* env-secret: the DLP sensor that matched */
	char msg[704];			/* the answer's Msg, when refused */
};

/*
 * Judges one AuthZReq (len bytes of JSON at req) by p (NULL: no policy
 * yet, every call allowed) with the caller's scratch into o.
 */
void adm_authz_judge(const struct adm_policy *p, struct sensor_scratch *sc, const char *req,
    size_t len, struct adm_outcome *o);
/*
 * Judges facts f by p into o (what adm_authz_judge does once it has
 * them; nvctl admission test uses it too).  o->kind, name and user are
 * the caller's.
 */
void adm_outcome_judge(const struct adm_policy *p, struct sensor_scratch *sc,
    struct adm_facts *f, struct adm_outcome *o);

/* The answers, JSON text appended to out. */
void adm_authz_reply(struct buf *out, int allow, const char *msg);
void adm_authz_activate_reply(struct buf *out);

/* The event's message for o: "denied: privileged (rule 3 privileged); image x; user u". */
void adm_outcome_message(const struct adm_outcome *o, char *out, size_t outlen);

#endif
