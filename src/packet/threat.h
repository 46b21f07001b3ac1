/*
 * threat.h: the threat detectors' stage of the packet path (issue 14).
 * threat_def.h lists the detectors, nvd.rules(5) says what each looks
 * for; policy_judge() says which run on a connection and which of them
 * drop it (its guarded end's groups, protect mode), and the judge keeps
 * that in the flow (thr_on, thr_deny).
 *
 * Where each looks:
 * - headers of every packet nvd sees (threat_tcp.c, threat_ip.c): TCP
 *   flags and options, SYN data and MSS, a split handshake, the client's
 *   window; ICMP sizes and echo data; fragments; bad lengths (packets
 *   decode gave up on, threat_orphan());
 * - meters (threat_flood.c): SYNs without a handshake and echo requests,
 *   per destination (shared by the workers, live.h's meters) and per
 *   source and destination (this worker's: both directions of a
 *   connection, and all connections between two addresses, reach one
 *   worker); concurrent sessions per source and destination;
 * - DNS messages, both transports (threat_dns.c, through dnsbind's
 *   message hook);
 * - the streams of TLS, HTTP, SSH, PostgreSQL and MySQL connections
 *   (threat_tls.c, threat_http.c, threat_sql.c) from their first byte,
 *   once appid decided the application (the bytes it saw are handed
 *   over): a flow in this state is not bypassed while it lasts, up to
 *   stream_depth like the sensors', so that no request, statement or
 *   record goes unseen; a TLS connection only through its handshake
 *   when the server does not speak heartbeats.
 *
 * State is bounded: the stream state of THREAT_FLOWS_MAX flows per
 * worker, THREAT_CLIENT_SHARE of them per client (quota.h); a flow that
 * cannot have it is in doubt (DOUBT_INSPECT_STATE) for the detectors that
 * would drop it; meters, session counts, fragments, DNS domains and the
 * connections watched for client data in fixed tables that count what
 * they could not hold.  Nothing is allocated per packet.
 *
 * A detection becomes an event (the hit callback: the judge's) at most
 * once per flow and detector; floods one per meter and interval, with the
 * count.  With the detector's action deny and an end in protect mode it
 * drops: the packet (e->drop), or the connection once its bytes are
 * processed (f->deny_pending, reset both ways), never resetting a flood's
 * sources (which may be forged).
 *
 * Owned by one worker thread, like its flows; dst is shared (meter.h).
 */
#ifndef NVD_THREAT_H
#define NVD_THREAT_H

#include <stddef.h>
#include <stdint.h>

#include "packet/threat_detect.h"
#include "packet/threat_env.h"

/* shared: the per-destination meters (live.h).  0, or -1 (no memory). */
int threat_init(struct threat_env *e, struct meter_table *shared);
void threat_destroy(struct threat_env *e);

/*
 * Packet p (direction dir) of flow f, judged: its headers, its meters, its
 * session.  Sets e->drop when a detector drops it.
 */
void threat_packet(struct threat_env *e, struct flow *f, int dir, const struct packet *p);
/* Its handshake completed with p, the client's ACK (the SYN meters, the
 * watch for client data). */
void threat_established(struct threat_env *e, struct flow *f, const struct packet *p);
/*
 * A packet no flow holds: one decode stopped at (a), or that conntrack
 * found invalid (a is ANOM_NONE).  on, deny: policy_judge()'s threats for
 * its ends.  Sets e->drop as threat_packet().
 */
void threat_orphan(struct threat_env *e, const struct packet *p, enum decode_anomaly a,
    uint32_t on, uint32_t deny);

/* appid decided f (its decided hook): the stream state its detectors need. */
void threat_app(struct threat_env *e, struct flow *f, const struct app_input *in);
/* Stream bytes of f at offset in direction dir, or a gap (reasm.h's sink). */
void threat_data(struct threat_env *e, struct flow *f, int dir, uint64_t offset,
    const uint8_t *buf, size_t len);
void threat_gap(struct threat_env *e, struct flow *f, int dir);

/* Whether f must stay queued for its detectors. */
int threat_wants(const struct flow *f);
/* f leaves nvd's sight: handed to the kernel (bypassed), or the table. */
void threat_bypassed(struct threat_env *e, struct flow *f);
void threat_release(struct threat_env *e, struct flow *f);
/* Periodic: connections that sent nothing. */
void threat_tick(struct threat_env *e, uint64_t now_ms);

#endif
