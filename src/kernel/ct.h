/*
 * ct.h: conntrack marks through ctnetlink.
 *
 * The nftables rules accept a bypassed flow by its conntrack mark (nvd.h).
 * Moving to a new bypass generation brings every bypassed flow back to the
 * queue without touching conntrack; ct_mark_clear() is for the cases a
 * generation cannot cover: a generation about to be used again (a flow
 * idle since its last use would match it), entries left by an earlier run
 * of nvd, and operators' own rules, which know generation 0 only.
 */
#ifndef NVD_CT_H
#define NVD_CT_H

#include <stdint.h>

/*
 * Clears the bits clear in the conntrack mark of every entry whose
 * mark & mask == value, in the caller's network namespace, leaving the
 * mark's other bits as they are at that moment.  The flows' next packets
 * then fail nvd's bypass rule and are queued.  Returns how many entries
 * were changed, or -1 with errno set (EPERM without CAP_NET_ADMIN;
 * EPROTONOSUPPORT or ENOENT on a kernel without ctnetlink).  Walks the
 * whole conntrack table once; for the main thread.
 */
long ct_mark_clear(uint32_t mask, uint32_t value, uint32_t clear);

#endif
