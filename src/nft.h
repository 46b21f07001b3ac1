/*
 * nft.h: the nftables ruleset that steers traffic into NFQUEUE.
 *
 * nvd owns one inet table (nft_table) and changes nothing outside it.  The
 * table is replaced whole in one atomic batch:
 *
 *   chain forward/input/output (filter hooks, priority 10, after Docker's)
 *     ct mark & BYPASS == BYPASS accept            flows nvd let go
 *     meta mark & BYPASS == BYPASS                 a verdict asked for bypass
 *         ct mark set ct mark | BYPASS, meta mark set meta mark & ~BYPASS, accept
 *     iifname/oifname STEER queue num Q-R [bypass]
 *
 * The queue statement is the native nft_queue expression where the kernel
 * has it, else the xtables NFQUEUE target through nft_compat.
 */
#ifndef NVD_NFT_H
#define NVD_NFT_H

#include "conf.h"

enum nft_hook_kind {
	NFT_HOOK_NONE = 0,	/* rules not installed (install_rules = no) */
	NFT_HOOK_NATIVE,
	NFT_HOOK_COMPAT,
};

const char *nft_hook_kind_name(enum nft_hook_kind k);

/*
 * Installs or replaces nvd's table for c.  Returns the kind of queue
 * statement installed, or -1 with errno set and a log line.
 */
int nft_install(const struct conf *c);
/* Removes the table; 0 also when it was not there. */
int nft_remove(const char *table);

#endif
