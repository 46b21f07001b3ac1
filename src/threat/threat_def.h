/*
 * threat_def.h: the threat detectors nvd has (issue 14), as data: each
 * one's name, level, default action, whether it is on by default, which
 * end of a connection it guards, and its parameters with their bounds.
 * The detectors themselves are the packet path's (packet/threat*.c);
 * rule files (nvd.rules(5)) and `nvctl threat set` change the settings
 * kept here, and the policy snapshot carries them (policy.h).
 *
 * Levels are the events' words (info, warning, critical) in the same
 * order as runtime/event.h's enum event_level.
 */
#ifndef NVD_THREAT_DEF_H
#define NVD_THREAT_DEF_H

#include <stddef.h>
#include <stdint.h>

enum threat_id {
	THREAT_SYN_FLOOD = 0,
	THREAT_ICMP_FLOOD,
	THREAT_SESSION_LIMIT,
	THREAT_NO_CLIENT_DATA,
	THREAT_BAD_PACKET,
	THREAT_SMALL_MSS,
	THREAT_SYN_DATA,
	THREAT_SPLIT_HANDSHAKE,
	THREAT_SMALL_WINDOW,
	THREAT_TEARDROP,
	THREAT_PING_DEATH,
	THREAT_ICMP_TUNNEL,
	THREAT_DNS_LOOP,
	THREAT_DNS_ZONE_XFER,
	THREAT_DNS_NULL,
	THREAT_DNS_TUNNEL,
	THREAT_DNS_OVERFLOW,
	THREAT_HEARTBLEED,
	THREAT_SSL_V2V3,
	THREAT_TLS10,
	THREAT_TLS11,
	THREAT_SSH_V1,
	THREAT_HTTP_NEG_LEN,
	THREAT_HTTP_SMUGGLING,
	THREAT_SLOWLORIS,
	THREAT_STRUTS,
	THREAT_SQL_INJECTION,
	THREAT_COUNT
};

/* A detector's set of anything fits in 32 bits (struct flow's masks). */
_Static_assert(THREAT_COUNT <= 32, "threat masks are 32 bits");

#define THREAT_BIT(id)		(1u << (id))
#define THREAT_PARAMS_MAX	5
#define THREAT_NAME_MAX		32	/* the longest name, NUL included */

enum threat_level {
	THREAT_INFO = 0,
	THREAT_WARNING,
	THREAT_CRITICAL,
};

/* Whose groups decide a detector's setting for a connection (policy.h). */
enum threat_subject {
	THREAT_SERVER = 0,	/* the end that is attacked: the server, the destination */
	THREAT_CLIENT,		/* the end that acts: the client (tunnels) */
};

struct threat_param_def {
	const char *name;	/* as in rule files and `nvctl threat set --NAME V` */
	int64_t def, min, max;
	const char *unit;	/* for people: "SYNs", "s", "bytes" ... */
};

struct threat_def {
	const char *name;
	uint8_t level;		/* enum threat_level */
	uint8_t deny;		/* default action deny (else alert) */
	uint8_t enabled;	/* on by default */
	uint8_t subject;	/* enum threat_subject */
	int nparams;
	struct threat_param_def param[THREAT_PARAMS_MAX];
	const char *what;	/* one line for `nvctl threat show` */
};

extern const struct threat_def threat_defs[THREAT_COUNT];

/* One detector's setting, as a snapshot holds it. */
struct threat_conf {
	uint8_t enabled;
	uint8_t deny;
	uint8_t level;
	int64_t param[THREAT_PARAMS_MAX];	/* by the index in threat_defs[].param */
};

/* Every detector's. */
struct threat_set {
	struct threat_conf t[THREAT_COUNT];
};

/* The built-in settings (threat_defs[]'s defaults). */
void threat_set_default(struct threat_set *s);

/* The detector named name (exactly, case counts), or -1. */
int threat_find(const char *name);
/* The index of detector id's parameter name, or -1. */
int threat_param_find(int id, const char *name);

/*
 * A parameter's value as text: decimal digits within its bounds.  0 with
 * *v, or -1 with err ("syns: 'x' is not a number", "syns: 0 is below 1",
 * "interval: 9999 is above 3600").
 */
int threat_param_parse(int id, int k, const char *text, int64_t *v, char *err, size_t errlen);
/*
 * What must hold between a detector's parameters (a flood's release
 * below its threshold).  0, or -1 with err ("release (900) must not be
 * above syns (800)").
 */
int threat_conf_check(int id, const struct threat_conf *c, char *err, size_t errlen);

/* "info", "warning", "critical"; parse: 0, or -1 for another word. */
const char *threat_level_name(int level);
int threat_level_parse(const char *s, int *level);

#endif
