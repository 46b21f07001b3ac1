/*
 * kdec.h: which new connections the kernel may allow by itself (nvd(8),
 * KERNEL DECISIONS), compiled from a policy snapshot into classes of
 * workloads and elements (base/kdec.h) for nvd's nftables sets.
 *
 * The kernel only ever allows: what no element covers goes to nvd's
 * queues as before, where nvd judges it, records its violation or
 * learns it.  An element covers a connection between two workloads only
 * when nvd's own judgement of it cannot depend on anything but its
 * addresses, protocol and server port:
 *
 *   - either end is in protect mode (discover learns, monitor alerts);
 *   - the first rule policy_judge() would match, whatever the
 *     application, is an allow rule that names no application;
 *   - no sensor inspects it and no threat detector but the ICMP ones
 *     runs on it (their verdicts need its bytes);
 *   - neither end is quarantined, and both have a known interface (the
 *     kernel checks that packets come from and go to it: anti-spoofing);
 *   - it is TCP or UDP, and its server port is not 53 (DNS answers bind
 *     names: dnsbind.h).
 *
 * Threads: pure; the main thread compiles each snapshot before it is
 * published.
 */
#ifndef NVD_POLICY_KDEC_H
#define NVD_POLICY_KDEC_H

#include "base/kdec.h"
#include "policy/policy.h"

#define KDEC_MAX_CLASSES	1024	/* classes of workloads compiled at most */
#define KDEC_MAX_ELEMS		16384	/* set elements at most */
#define KDEC_MAX_SPECS		4096	/* rule specs between two workloads at most */

/*
 * Fills t for snapshot p, its elements in kdec_elem_cmp()'s order.  Past
 * a bound (too many classes, elements, or rules between two workloads)
 * t->over is set and t holds no element: the kernel then decides
 * nothing.  Returns 0, or -1 for lack of memory
 * (t empty).
 */
int policy_kdec(const struct policy *p, struct kdec_table *t);
void policy_kdec_free(struct kdec_table *t);
/* The order of t->elems: by from, to, proto and lo (elements of one pair
 * and protocol are apart, so this tells any two). */
int kdec_elem_cmp(const void *a, const void *b);

#endif
