/*
 * nft.h: the nftables ruleset that steers traffic into NFQUEUE.
 *
 * nvd owns one inet table (nft_table) and changes nothing outside it.  The
 * table is made for bypass generation G (nvd.h), and verdicts of the
 * previous generation P are still saved:
 *
 *   chain forward/input/output (filter hooks, priority 10, after Docker's)
 *     ct mark & (BYPASS|GEN) == BYPASS|G accept          flows nvd let go in G
 *     meta mark & (BYPASS|GEN) == BYPASS|G                a verdict asked for bypass
 *         ct mark set ct mark & ~(BYPASS|GEN) | BYPASS|G,
 *         meta mark set meta mark & ~(BYPASS|GEN), accept
 *     meta mark & (BYPASS|GEN) == BYPASS|P ...            the same for P (if P != G)
 *     meta mark & OWN != 0 accept                         nvd's own resets
 *     iifname/oifname STEER queue num Q-R [bypass]
 *
 * A flow whose ct mark has another generation fails the first rule and is
 * queued again.  The queue statement is the native nft_queue expression
 * where the kernel has it, else the xtables NFQUEUE target through
 * nft_compat.  Every change is one atomic batch.
 */
#ifndef NVD_NFT_H
#define NVD_NFT_H

#include "base/conf.h"

enum nft_hook_kind {
	NFT_HOOK_NONE = 0,	/* rules not installed (install_rules = no) */
	NFT_HOOK_NATIVE,
	NFT_HOOK_COMPAT,
};

const char *nft_hook_kind_name(enum nft_hook_kind k);

/*
 * Installs or replaces nvd's whole table for c, at bypass generation gen
 * (prev: the generation before it).  Returns the kind of queue statement
 * installed, or -1 with errno set and a log line.  Replacing the table
 * unregisters its hooks, which drops every packet waiting in any queue of
 * the network namespace: at start and when the table's name changes only.
 * nft_install() is nft_install_gen(c, 0, 0).
 */
int nft_install_gen(const struct conf *c, unsigned gen, unsigned prev);
int nft_install(const struct conf *c);
/*
 * Replaces the rules of the installed table's chains in one batch (for a
 * new bypass generation or new steer interfaces): the chains and their
 * hooks stay, so queued packets, queue bindings and conntrack entries are
 * untouched.  Installs the whole table again if it is gone.  0, or -1 with
 * errno set and a log line.
 */
int nft_update(const struct conf *c, enum nft_hook_kind kind, unsigned gen, unsigned prev);
/* Removes the table; 0 also when it was not there. */
int nft_remove(const char *table);

#endif
