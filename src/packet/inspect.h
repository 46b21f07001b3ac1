/*
 * inspect.h: the sensor stage of the packet path.  A flow that DLP or WAF
 * sensors inspect (policy_judge() says which) gets a struct inspect: each
 * direction's reassembled stream is cut into HTTP messages (http.h) whose
 * url, header and body contexts, and the raw stream itself (packet), are
 * matched against the sensors (sensor.h).
 *
 * Matching is on the stream, not per packet, so a pattern split across
 * TCP segments matches: bodies and the raw stream go through sensor
 * streams (sensor_stream_feed), which match every byte of them, however
 * long, with state of a bounded size per flow (sensor_stream_size per
 * stream of a direction) and no bytes kept but the few their
 * patterns read back.  The directions a sensor inspects have no
 * stream_depth (reasm_follow), so such a flow is never bypassed while a
 * sensor is assigned.  A message's url and header (cut to
 * INSPECT_URL_KEEP and INSPECT_HEADER_KEEP) are kept while its body is
 * matched, for rules that need both.  A rule fires once per message (the
 * raw stream's: once per flow).
 *
 * WAF sensors look at what enters the server (requests), DLP sensors at
 * both directions.  sensor.crs has no pattern: the requests of a flow it
 * inspects go whole to the CRS stage (crs_stage.h).  Owned by one worker
 * thread, like its flows.
 */
#ifndef NVD_INSPECT_H
#define NVD_INSPECT_H

#include <stddef.h>
#include <stdint.h>

#include "packet/crs_stage.h"
#include "packet/doubt.h"
#include "packet/flow.h"
#include "packet/quota.h"
#include "policy/policy.h"
#include "sensor/sensor.h"

#define INSPECT_FLOWS_MAX	4096	/* flows inspected at once, per worker */
#define INSPECT_CLIENT_SHARE	(INSPECT_FLOWS_MAX / 8)	/* ... of them from one client */
#define INSPECT_URL_KEEP	2048
#define INSPECT_HEADER_KEEP	4096
#define INSPECT_WINDOW		65536	/* arguments matched at once at most */
#define INSPECT_HEAD_MEM	(32u << 20)	/* HTTP heads being read, per worker */

struct inspect_stats {
	uint64_t flows;			/* flows inspected */
	uint64_t no_state;		/* not inspected: the client's share in use */
	uint64_t messages;		/* HTTP messages matched */
	uint64_t bytes;			/* stream bytes inspected, each once */
	uint64_t hits;			/* rules that fired */
	uint64_t limits;		/* matches that hit PCRE2's limits */
	uint64_t not_http;		/* directions matched as raw stream only */
};

/* What a rule that fired gives the worker. */
struct inspect_hit {
	const struct sensor_hit *h;
	enum sensor_type type;
	int deny;			/* the assignment says deny, in protect mode */
	int dir;			/* enum flow_dir of the bytes */
};

struct inspect_env {
	const struct sensor_set *set;	/* the snapshot's */
	struct sensor_scratch *scratch;	/* the worker's */
	uint8_t *window;		/* the worker's, INSPECT_WINDOW bytes */
	void (*hit)(void *ctx, struct flow *f, const struct inspect_hit *ih);
	/* The sensors cannot see all of f's bytes (a gap, a message the HTTP
	 * parser gave up on, a match past the engine's limits); deny: one of
	 * them would drop f on a match. */
	void (*doubt)(void *ctx, struct flow *f, enum doubt d, int deny);
	void *ctx;
	struct inspect_stats *st;
	uint32_t nflows;		/* states held */
	struct quota quota;		/* ... by each client (quota_init by the owner) */
	uint64_t head_mem;		/* bytes of the HTTP parsers' head buffers */
	struct crs_stage *crs;		/* sensor.crs's stage, or NULL */
	const struct sensor_set *crs_set;	/* the set crs_sensor was found in */
	int crs_sensor;			/* sensor.crs's index in it, or -1 */
};

/*
 * Starts inspecting f with the sensors of v (policy.h: sensors, those of
 * them whose match drops it, sensor.crs's paranoia level and threshold).
 * Returns 0, or -1 when no state could be had (counted).
 */
int inspect_start(struct inspect_env *e, struct flow *f, const struct policy_verdict *v);
/* The policy changed: the sensors that now apply (none: stop inspecting).
 * Returns -1 when f should be inspected but no state could be had. */
int inspect_update(struct inspect_env *e, struct flow *f, const struct policy_verdict *v);

/* In-order stream bytes of f in direction dir, a gap, the end of one. */
void inspect_data(struct inspect_env *e, struct flow *f, int dir, const uint8_t *buf,
    size_t len);
void inspect_gap(struct inspect_env *e, struct flow *f, int dir);
void inspect_eof(struct inspect_env *e, struct flow *f, int dir);

/* Frees f's state (flow end). */
void inspect_release(struct inspect_env *e, struct flow *f);

#endif
