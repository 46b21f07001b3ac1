/*
 * nft.h: the nftables ruleset that steers traffic into NFQUEUE.
 *
 * nvd owns one inet table (nft_table) and changes nothing outside it.  The
 * table is made for bypass generation G (nvd.h), and verdicts of the
 * previous generation P are still saved:
 *
 *   chain forward/input/output (filter hooks, priority 10, after Docker's)
 *     ip[6] saddr|daddr @quarantine4|6 counter drop      quarantined workloads
 *     ct mark & (BYPASS|GEN) == BYPASS|G accept          flows nvd let go in G
 *     meta mark & (BYPASS|GEN) == BYPASS|G                a verdict asked for bypass
 *         ct mark set ct mark & ~(BYPASS|GEN) | BYPASS|G,
 *         meta mark set meta mark & ~(BYPASS|GEN), accept
 *     meta mark & (BYPASS|GEN) == BYPASS|P ...            the same for P (if P != G)
 *     meta mark & OWN != 0 accept                         nvd's own resets
 *     ct state invalid,untracked meta mark |= NOCT        no conntrack entry
 *     (forward, kernel_decide: two rules, nft.c's rules_kdec)
 *     ct state new, SRCOK|DSTOK, saddr/daddr classes . proto . dport @kdec
 *         counter name kdec, ct mark set BYPASS|G, accept
 *     iifname/oifname STEER ip[6] saddr|daddr @protect4|6 counter
 *         queue num PQ-PR [bypass]                        protect-mode traffic
 *     iifname/oifname STEER counter queue num Q-R [bypass]
 *
 * The protect queues (protect_queues) are bound without fail-open, so
 * the traffic of a protect-mode workload is dropped, never passed, when
 * its queue is full; the interval sets protect4 and protect6 hold the addresses
 * (ranges) whose traffic goes there (nft_protect_set), or every packet does
 * (protect_all).  The bypass flag (fail_mode open) applies to both: it
 * says what happens while no nvd is bound.  The sets quarantine4 and
 * quarantine6 hold the quarantined workloads' addresses
 * (nft_quarantine_set): their packets are dropped before anything else,
 * those of bypassed (established) flows too.
 *
 * Kernel decisions (kernel_decide, nvd(8) KERNEL DECISIONS): new
 * connections between workloads that the policy allows by ports alone
 * (policy/kdec.h) are accepted by the kernel and bypassed like a flow nvd
 * let go.  The inet table maps addresses to classes (kdec_class4|6) and
 * holds the class pairs' protocols and ports (kdec, a concatenation with
 * port intervals); a table bridge of the same name marks the packets that
 * came in on the bridge port of the workload whose address they carry
 * (SRCOK) and leave on their destination's (DSTOK), from the set of
 * ports and addresses kdec_port4|6: a spoofed source, or an address a
 * new container took, is never decided in the kernel.
 *
 * A flow whose ct mark has another generation fails the first rule and is
 * queued again.  The queue statement is the native nft_queue expression
 * where the kernel has it, else the xtables NFQUEUE target through
 * nft_compat.  Every change is one atomic batch.
 */
#ifndef NVD_NFT_H
#define NVD_NFT_H

#include <stdint.h>

#include "base/conf.h"
#include "base/kdec.h"
#include "base/ranges.h"

enum nft_hook_kind {
	NFT_HOOK_NONE = 0,	/* rules not installed (install_rules = no) */
	NFT_HOOK_NATIVE,
	NFT_HOOK_COMPAT,
};

const char *nft_hook_kind_name(enum nft_hook_kind k);

/* What the rules are made for, besides the config. */
struct nft_rules {
	unsigned gen, prev;	/* bypass generation, and the one before it */
	int protect_all;	/* every steered packet to the protect queues */
	int kdec;		/* the kernel decision rules (nft_kdec_install() done) */
};

/*
 * Installs or replaces nvd's whole table for c (nr NULL: generation 0,
 * nothing protected), with empty protect sets.  Returns the kind of queue
 * statement installed, or -1 with errno set and a log line.  Replacing the
 * table unregisters its hooks, which drops every packet waiting in any
 * queue of the network namespace: at start and when the table's name
 * changes only.
 */
int nft_install(const struct conf *c, const struct nft_rules *nr);
/*
 * Replaces the rules of the installed table's chains in one batch (for a
 * new bypass generation, new steer interfaces, protect_all): the chains,
 * their hooks and the sets stay, so queued packets, queue bindings and
 * conntrack entries are untouched.  Installs the whole table again if it
 * is gone.  0, or -1 with errno set and a log line.
 */
int nft_update(const struct conf *c, enum nft_hook_kind kind, const struct nft_rules *nr);
/* The protect sets become the n ranges of a (sorted, apart: ranges.h), in
 * one batch.  0 or -1. */
int nft_protect_set(const struct conf *c, const struct addr_range *a, int n);
/* The quarantine sets become the n ranges of a (sorted, apart), in one
 * batch.  0 or -1. */
int nft_quarantine_set(const struct conf *c, const struct addr_range *a, int n);
/*
 * Kernel decisions.  nft_kdec_install() makes (or makes anew) the bridge
 * table; the inet table has the sets when c->kernel_decide was on at
 * nft_install().  nft_kdec_set() makes the sets of both tables t's, in one
 * batch: the kernel decides by t or, when it fails, as before.  old: what
 * they hold now (only the difference is sent), or NULL (not known: they
 * are flushed and filled).  nft_kdec_flows(): the connections the kernel decided
 * since the table was installed.  Each returns 0, or -1 with errno (and a
 * log line but for nft_kdec_flows).
 */
int nft_kdec_install(const struct conf *c);
int nft_kdec_set(const struct conf *c, const struct kdec_table *old,
    const struct kdec_table *t);
int nft_kdec_flows(const struct conf *c, uint64_t *flows);
/* Each element of the class pairs' set, with the packets it matched (one
 * a connection: later packets are bypassed), to fn.  0, or -1. */
int nft_kdec_counts(const struct conf *c,
    void (*fn)(void *ctx, const struct kdec_elem *e, uint64_t packets), void *ctx);
/* Packets the steering rules queued: to queues, to the protect queues.
 * 0, or -1 (the table is not there). */
int nft_counters(const struct conf *c, uint64_t *queued, uint64_t *queued_protect);
/* Packets the quarantine rules dropped.  0, or -1 (the table is not there). */
int nft_quarantine_dropped(const struct conf *c, uint64_t *dropped);
/* Removes the table (and the bridge table of that name); 0 also when it
 * was not there. */
int nft_remove(const char *table);

#endif
