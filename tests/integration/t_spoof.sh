#!/bin/bash
# Anti-spoofing for static workloads (issue 13): each is declared with the
# interface its addresses are on (nvctl workload add --iface).  c2 sends,
# from a raw socket, UDP datagrams and TCP SYNs with c1's IPv4 and IPv6
# addresses to a server that only c1 may reach: none arrives (nft counters
# in the server's namespace), each is a violation with reason spoofed
# naming c2.  c1 itself gets through (control).  A workload declared
# without its interface is judged by its address alone, as before.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
command -v nft >/dev/null || skip "needs nftables"
NSC3=$ID-c3

topo_up
container_add $NSC3 13
write_conf "queues = 20-21"
start_nvd || exit 1
nvctl workload add client --ip 198.18.0.11,fd00:18::11 --iface veth11 >/dev/null || fail "client"
nvctl workload add attacker --ip 198.18.0.12,fd00:18::12 --iface veth12 >/dev/null || fail "attacker"
nvctl workload add server --ip 198.18.0.13,fd00:18::13 --iface veth13 >/dev/null || fail "server"
nvctl group add vault --criteria name=server --mode protect >/dev/null || fail "group vault"
nvctl group add trusted --criteria name=client --mode protect >/dev/null || fail "group trusted"
nvctl rule add --from trusted --to vault --ports udp/7000,tcp/7001 --action allow >/dev/null ||
	fail "rule"
[ "$(nvctl --json workload list | jget "[w['iface'] for w in j if w['name']=='attacker'][0]")" = veth12 ] &&
	ok "workload attacker is on veth12" || fail "attacker's iface: $(nvctl --json workload list)"

in_ns $NSC3 nft -f - <<EOF || fail "server's nft counters"
table inet spoofcount {
	counter udp4 {}
	counter tcp4 {}
	counter udp6 {}
	counter tcp6 {}
	chain input {
		type filter hook input priority 0;
		ip saddr 198.18.0.11 udp dport 7000 counter name udp4
		ip saddr 198.18.0.11 tcp dport 7001 tcp flags syn counter name tcp4
		ip6 saddr fd00:18::11 udp dport 7000 counter name udp6
		ip6 saddr fd00:18::11 tcp dport 7001 tcp flags syn counter name tcp6
	}
}
EOF
count() { in_ns $NSC3 nft list counter inet spoofcount $1 | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
spoof() { in_ns $1 python3 $S/tests/integration/attack.py spoof "${@:2}"; }

spoof $NSC2 198.18.0.11 198.18.0.13 7000 7001 4 >/dev/null
spoof $NSC2 fd00:18::11 fd00:18::13 7000 7001 4 >/dev/null
# The violations with reason spoofed (alike ones aggregated: counts add up).
denied() {
	[ "$(nvctl --json events --limit 0 | jget "sum(e.get('count') or 1 for e in j if e.get('reason')=='spoofed' and e['src_workload']=='attacker' and e['action']=='deny')")" -ge 16 ]
}
wait_for denied && ok "16 violations with reason spoofed name the attacker" ||
	fail "spoofed events: $(nvctl events --limit 20)"
for c in udp4 tcp4 udp6 tcp6; do
	n=$(count $c)
	[ "$n" = 0 ] && ok "nothing spoofed arrived ($c)" || fail "$n spoofed packets arrived ($c)"
done

# The client itself, on its own interface.
spoof $NSC1 198.18.0.11 198.18.0.13 7000 7001 2 >/dev/null
spoof $NSC1 fd00:18::11 fd00:18::13 7000 7001 2 >/dev/null
arrived() { [ "$(count udp4)" -ge 2 ] && [ "$(count udp6)" -ge 2 ] && [ "$(count tcp4)" -ge 1 ]; }
wait_for arrived && ok "the client's own datagrams and SYNs arrive" ||
	fail "the client's own: udp4 $(count udp4) udp6 $(count udp6) tcp4 $(count tcp4)"

# Declared without its interface: nothing to tell by, judged by its address.
nvctl workload delete attacker >/dev/null || fail "delete attacker"
nvctl workload add attacker --ip 198.18.0.12,fd00:18::12 >/dev/null || fail "attacker again"
before=$(count udp4)
spoof $NSC2 198.18.0.11 198.18.0.13 7000 7001 2 >/dev/null
through() { [ "$(count udp4)" -ge $((before + 2)) ]; }
wait_for through && ok "without --iface the address is all nvd knows" ||
	fail "without --iface: udp4 $(count udp4) after $before"

stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
finish
