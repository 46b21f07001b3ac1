#!/bin/bash
# Evasion below TCP (issue 12, cases 4 5 10 12), as a hostile container
# tries it: raw packets from ns c1 (and c2) with attack.py, both workloads
# in protect (evasion.sh); what arrives is counted by nft counters in the
# receiving namespace:
#  5 ICMP type 3 and ICMPv6 type 1 carrying data that quotes no
#    connection, both ways: none arrive; reason icmp_unrelated; a real
#    port unreachable answering a datagram of an allowed UDP flow does
#  4 IP protocol 253 both ways: none arrive (no rule allows proto/253), and
#    some do once a rule names it; UDP to a denied port behind 9 IPv6
#    destination-options headers: none arrive, as behind 1; behind 70
#    (past nvd's bound), to an allowed port: none; reason ext_headers
# 12 a burst of small packets, read in multi-message batches: nvd keeps
#    running, and on a --enable-sanitizers build reports nothing
# 10 one RST-only segment to an allowed port: nvd judges it once, its
#    packet counter grows by less than 100 in the next 3 s
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
. "$S/tests/integration/evasion.sh"
need_root

evasion_world 33 || { fail "setup"; finish; }
nvctl rule add --from nv.client --to nv.server --ports udp/5353 --action allow >/dev/null ||
	fail "setup: rule udp/5353"
# No rate limit on the ICMP errors the receivers send (the controls).
for ns in $NSC1 $NSC2; do
	in_ns $ns sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
done
counters_up $NSC2 \
	"icmp3:icmp type destination-unreachable" \
	"icmp6_1:icmpv6 type destination-unreachable" \
	"p253:meta l4proto 253" \
	"ext_deny:meta nfproto ipv6 udp dport 9999" \
	"ext_allow:meta nfproto ipv6 udp dport 5353" &&
counters_up $NSC1 \
	"icmp3:icmp type destination-unreachable" \
	"icmp6_1:icmpv6 type destination-unreachable" \
	"p253:meta l4proto 253" ||
	{ fail "setup: nft counters"; finish; }
evasion_controls

# --- 5: ICMP errors as a tunnel ---------------------------------------------------
need_nvd "before case 5"
atk2() { in_c2 $ATTACK "$@"; }
for x in "$NSC2 icmp3 atk $SERVER c1->c2 ICMP" "$NSC2 icmp6_1 atk $SERVER6 c1->c2 ICMPv6" \
    "$NSC1 icmp3 atk2 $CLIENT c2->c1 ICMP" "$NSC1 icmp6_1 atk2 $CLIENT6 c2->c1 ICMPv6"; do
	set -- $x
	n=$(arrivals $1 $2 $3 icmp-error $4 5)
	[ "$n" = 0 ] && ok "case 5: $5 $6 destination unreachable quoting nothing: none of 5 arrive" ||
		fail "case 5: $5 $6 destination unreachable quoting nothing: $n of 5 arrived"
done
n=$(arrivals $NSC1 icmp3 atk udp-probe $SERVER 5353)
[ "$n" -ge 1 ] && ok "case 5: control: the port unreachable of an allowed UDP flow arrives" ||
	fail "case 5: control: no port unreachable came back from the allowed udp/5353"
n=$(arrivals $NSC1 icmp6_1 atk udp-probe $SERVER6 5353)
[ "$n" -ge 1 ] && ok "case 5: control: the ICMPv6 port unreachable of an allowed UDP flow arrives" ||
	fail "case 5: control: no ICMPv6 port unreachable came back from the allowed udp/5353"

# --- 4: undecodable ----------------------------------------------------------------
need_nvd "before case 4"
for x in "$NSC2 atk $SERVER c1->c2 IPv4" "$NSC2 atk $SERVER6 c1->c2 IPv6" \
    "$NSC1 atk2 $CLIENT c2->c1 IPv4"; do
	set -- $x
	n=$(arrivals $1 p253 $2 proto $3 253 5)
	[ "$n" = 0 ] && ok "case 4: IP protocol 253 $4 over $5: none of 5 arrive" ||
		fail "case 4: IP protocol 253 $4 over $5: $n of 5 arrived"
done
n=$(arrivals $NSC2 ext_deny atk ext6 $SERVER6 9999 1 3)
[ "$n" = 0 ] && ok "case 4: UDP to a denied port behind 1 destination-options header: none arrive" ||
	fail "case 4: UDP to a denied port behind 1 destination-options header: $n of 3 arrived"
n=$(arrivals $NSC2 ext_deny atk ext6 $SERVER6 9999 9 3)
[ "$n" = 0 ] && ok "case 4: UDP to a denied port behind 9 destination-options headers: none arrive" ||
	fail "case 4: UDP to a denied port behind 9 destination-options headers: $n of 3 arrived"
n=$(arrivals $NSC2 ext_allow atk ext6 $SERVER6 5353 9 3)
[ "$n" = 3 ] && ok "case 4: control: UDP to the allowed port behind 9 headers arrives (3 of 3)" ||
	fail "case 4: control: UDP to the allowed port behind 9 headers: $n of 3 arrived"
n=$(arrivals $NSC2 ext_allow atk ext6 $SERVER6 5353 70 3)
[ "$n" = 0 ] && ok "case 4: UDP to the allowed port behind 70 destination-options headers: none arrive" ||
	fail "case 4: UDP to the allowed port behind 70 destination-options headers: $n of 3 arrived"
nvctl rule add --from nv.client --to nv.server --ports proto/253 --action allow >/dev/null 2>&1 &&
	ok "case 4: a rule can name proto/253" ||
	fail "case 4: rule add --ports proto/253: $(nvctl rule add --from nv.client --to nv.server --ports proto/253 --action allow 2>&1)"
n=$(arrivals $NSC2 p253 atk proto $SERVER 253 3)
[ "$n" -ge 1 ] && ok "case 4: control: with the rule, protocol 253 arrives ($n of 3)" ||
	fail "case 4: control: with a proto/253 rule, $n of 3 arrived"

# --- 12: batches ------------------------------------------------------------------
need_nvd "before case 12"
quiet
p=$(nvd_packets)
r=$(atk burst $SERVER 9999 3000)
sleep 1
need_nvd "case 12: after a burst of small packets"
n=$(nvd_packets)
[ $((n - p)) -ge 1 ] && ok "case 12: a burst of small packets ($r): nvd runs, saw $((n - p)) packets" ||
	fail "case 12: a burst of small packets ($r): nvd saw none"
if sanitized; then
	sanitizer_clean && ok "case 12: nvd built with sanitizers: no report in its log"
else
	log "case 12: not a --enable-sanitizers build: survival checked only"
fi

# --- nvd's own record -------------------------------------------------------------
settle
reason_seen "case 5" icmp_unrelated "e['proto'] in ('icmp', 'icmpv6', 'ipv6-icmp')"
reason_seen "case 4" ext_headers "e['dst_ip']=='$SERVER6'"

# --- 10: one packet, judged once -------------------------------------------------
need_nvd "before case 10"
# Last: on a kernel without conntrack glue, today's nvd loops on it.
quiet
p=$(nvd_packets)
r=$(atk rst $SERVER 8080)
sleep 3
n=$(($(nvd_packets) - p))
[ "$n" -lt 100 ] && ok "case 10: one RST-only segment ($r): nvd saw $n packets in 3 s" ||
	fail "case 10: one RST-only segment ($r) came back to nvd $n times in 3 s"

need_nvd "after case 10"
sanitized && sanitizer_clean && ok "nvd built with sanitizers: still no report in its log"
stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
srv_stop_all
finish
