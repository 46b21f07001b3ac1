/*
 * judge.h: the policy stage of the packet path.  A flow is judged at its
 * first packet, and again at its next packet after each policy change, so
 * a tightened policy reaches flows already open.  The outcome (policy.h)
 * becomes the flow's verdict and, once per flow, a violation event, a
 * learned connection or a rule hit for the writer.
 */
#ifndef NVD_JUDGE_H
#define NVD_JUDGE_H

#include <stdint.h>

#include "packet/decode.h"
#include "packet/flow.h"
#include "base/types.h"

struct worker;

struct policy;

/*
 * ACCEPT or DROP for packet p of flow f under snapshot pol (the one the
 * worker loaded for this packet; NULL: no policy, accept); sends resets
 * for dropped TCP, to both ends when the connection was open before nvd
 * judged it (a re-judged or a mid-stream flow).  Judges f again when pol
 * is not the snapshot f was judged with (f->policy_gen).
 */
enum verdict judge_packet(struct worker *w, const struct policy *pol, struct flow *f,
    const struct packet *p, uint64_t now_ms);
/*
 * ICMP that is no connection of its own: neighbor discovery, MLD, and
 * errors about other connections.  Passed unjudged, never bypassed (the
 * mark would land on the connection an error is related to).
 */
int judge_exempt(const struct packet *p);
/*
 * Flow f leaves the table: a flow judged only provisionally gets its final
 * judgement (appid_close() first), one already counted adds the bytes it
 * carried since to its conversation.
 */
void judge_flow_end(struct worker *w, const struct policy *pol, struct flow *f);
/* inspect.h's hit callback (ctx: the worker), and the drop that follows a
 * hit of a sensor with action deny. */
struct inspect_hit;
void judge_sensor_hit(void *ctx, struct flow *f, const struct inspect_hit *ih);
enum verdict judge_sensor_deny(struct worker *w, struct flow *f, const struct packet *p);
/* Hands the rule hits counted so far to the writer. */
void judge_flush_hits(struct worker *w, int64_t now_real_ms);

#endif
