/*
 * pcap.h: the packets of a security event, saved in pcap_dir (nvd.conf(5))
 * as a classic pcap file (LINKTYPE_RAW: each record an IP packet as
 * NFQUEUE gave it), one file per event, for the auditor's Wireshark.
 */
#ifndef NVD_PCAP_H
#define NVD_PCAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes one packet into dir/name (created 0600, never overwritten: the
 * payload may be the very secret a DLP sensor caught, for root alone).
 * Returns 0, or -1 with errno (the caller counts it; a full disk must not
 * stop the packet path).
 */
int pcap_save(const char *dir, const char *name, const uint8_t *pkt, size_t len,
    int64_t time_ms);

#endif
