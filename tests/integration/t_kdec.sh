#!/bin/bash
# Decisions in the kernel (issue 17, kernel_decide): a 1,000-rule
# protect-mode policy of port rules between three static workloads (their
# bridge ports known).  A scripted set of connections gets the same
# allow/deny from the kernel's decisions as from nvd's own judgement (the
# same database, nvd restarted with kernel_decide = no), and as the
# policy says; what is denied never reaches the server (an nft counter in
# its namespace); status counts the kernel's decisions growing, the rules
# count them as hits, and a connection a rule naming an application
# allows still goes to nvd.  A
# rule deleted: the next connection to its port is refused at once, also
# while a connection the kernel let through before is open.  A SYN with
# front's address sent from back's port is not let through by the kernel,
# nor anything of a quarantined workload.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
command -v nft >/dev/null || skip "needs nftables"
PEERS="python3 $S/tests/integration/peers.py"
NSC3=$ID-c3
SRV=198.18.0.13
SRV6=fd00:18::13

topo_up
container_add $NSC3 13
conf() { write_conf "queues = 22-23" "$@"; }
conf "kernel_decide = yes"
start_nvd || exit 1
nvctl workload add front --ip 198.18.0.11,fd00:18::11 --iface veth11 >/dev/null || fail "front"
nvctl workload add back --ip 198.18.0.12,fd00:18::12 --iface veth12 >/dev/null || fail "back"
nvctl workload add srv --ip $SRV,$SRV6 --iface veth13 >/dev/null || fail "srv"
# The threat detectors that read TCP and UDP keep every connection in nvd.
for t in $(nvctl --json threat list | jget "' '.join(t['name'] for t in j if t['enabled'])"); do
	case $t in ICMP.*|Ping.*) ;; *) nvctl threat set $t --disable >/dev/null || fail "threat $t" ;; esac
done

# The policy: front -> srv allows tcp ports 10001-10995 but each tenth
# (denied by a rule before), and 9000-9099 as a range; a deny rule for
# 9050 comes after the range (so 9050 is allowed); back -> srv allows
# 10005 only and 8080 for application http (nvd decides that one);
# everything else is denied (protect).  1,000 rules in all.
python3 - "$T/policy.json" <<'EOF'
import json, sys
rules = []
def rule(f, t, ports, action, apps=None):
    r = {"from": f, "to": t, "ports": ports, "action": action, "type": "user"}
    if apps:
        r["applications"] = apps
    rules.append(r)
for p in range(10000, 11000, 10):
    rule("nv.front", "nv.srv", ["tcp/%d" % p], "deny")
rule("nv.front", "nv.srv", ["tcp/9000-9099"], "allow")
rule("nv.front", "nv.srv", ["tcp/9050"], "deny")
rule("nv.back", "nv.srv", ["tcp/10005"], "allow")
rule("nv.back", "nv.srv", ["tcp/8080"], "allow", ["http"])
for p in range(10000, 11000):
    if p % 10 and len(rules) < 1000:
        rule("nv.front", "nv.srv", ["tcp/%d" % p], "allow")
assert len(rules) == 1000, len(rules)
groups = [{"name": g, "kind": "learned", "mode": "protect"} for g in ("nv.front", "nv.back", "nv.srv")]
json.dump({"nvd_policy": 1, "groups": groups, "rules": rules}, open(sys.argv[1], "w"))
EOF
nvctl policy import $T/policy.json >/dev/null || fail "policy import: $(nvctl policy import $T/policy.json 2>&1 | tail -3)"
[ "$(nvctl --json rule list | jget 'len(j)')" = 1000 ] && ok "1000 rules imported" ||
	fail "rules: $(nvctl --json rule list | jget 'len(j)')"

# The script: client, address, port, what the policy says.
cat > $T/script <<EOF
front $SRV 10001 allow
front $SRV 10002 allow
front $SRV 10010 deny
front $SRV 10099 allow
front $SRV 10500 deny
front $SRV 10995 allow
front $SRV 10997 deny
front $SRV 9000 allow
front $SRV 9050 allow
front $SRV 9099 allow
front $SRV 9100 deny
front $SRV 8080 deny
front $SRV6 10001 allow
front $SRV6 10010 deny
back $SRV 10005 allow
back $SRV 10001 deny
back $SRV 9000 deny
back $SRV6 10005 allow
back $SRV 8080 allow
EOF
PORTS=$(awk '{print $3}' $T/script | sort -u | tr '\n' ' ')
in_ns $NSC3 $PEERS serve $PORTS 10003 &
# What is denied never arrives: SYNs to the server from a client that
# may not open them, counted in the server's namespace.
in_ns $NSC3 nft -f - <<EOF || fail "server's nft counters"
table inet kdeccount {
	counter denied {}
	counter spoofed {}
	counter deleted {}
	chain input {
		type filter hook input priority 0;
		tcp flags & (syn | ack) == syn ip saddr 198.18.0.11 tcp dport { 10010, 10500, 10997, 9100, 8080 } counter name denied
		tcp flags & (syn | ack) == syn ip6 saddr fd00:18::11 tcp dport 10010 counter name denied
		tcp flags & (syn | ack) == syn ip saddr 198.18.0.12 tcp dport { 10001, 9000 } counter name denied
		tcp flags & (syn | ack) == syn ip saddr 198.18.0.11 tcp dport 10003 counter name deleted
		tcp flags & (syn | ack) == syn tcp sport 32000-32100 counter name spoofed
	}
}
EOF
count() { in_ns $NSC3 nft list counter inet kdeccount $1 | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
wait_for in_ns $NSC3 sh -c "ss -ltn | grep -q ':10005 '" || fail "server did not start"

ns_of() { case $1 in front) echo $NSC1 ;; back) echo $NSC2 ;; esac; }
# run NAME: each connection of the script, "client addr port allow|deny" in $T/NAME.
run() {
	: > $T/$1
	while read -r c a p _; do
		r=$(in_ns $(ns_of $c) $PEERS get $a $p)
		case $r in "ok $p") v=allow ;; *) v=deny ;; esac
		echo "$c $a $p $v" >> $T/$1
	done < $T/script
}
status() { nvctl --json status | jget "j['kernel_decisions']$1"; }

[ "$(status "['enabled']")" = True ] && ok "kernel decisions on" ||
	fail "kernel decisions: $(nvctl --json status | jget "j.get('kernel_decisions')")"
k0=$(status "['flows']")
n0=$(status "['nvd_flows']")
run kernel
awk '{print $1, $2, $3, $4}' $T/script | diff - $T/kernel >/dev/null &&
	ok "the kernel's decisions are the policy's ($(wc -l < $T/script) connections)" ||
	fail "kernel decisions differ from the policy: $(awk '{print $1, $2, $3, $4}' $T/script | diff - $T/kernel)"
# The 10 connections the ports alone allow (front's 8, back's 10005 twice)
# were the kernel's; the 8 denied ones and back -> srv 8080 (a rule
# naming an application) nvd's.
kernel_grew() { [ "$(status "['flows']")" -ge $((k0 + 10)) ]; }
nvd_grew() { [ "$(status "['nvd_flows']")" -ge $((n0 + 9)) ]; }
wait_for kernel_grew && [ "$(status "['flows']")" = $((k0 + 10)) ] &&
	ok "10 connections decided in the kernel" || fail "kernel decided $k0 -> $(status "['flows']")"
wait_for nvd_grew && ok "$(($(status "['nvd_flows']") - n0)) connections judged by nvd" ||
	fail "nvd judged $n0 -> $(status "['nvd_flows']")"
nvctl status | grep -q "^connections decided in the kernel $((k0 + 10)), judged by nvd" &&
	ok "status says so: $(nvctl status | grep '^connections decided')" ||
	fail "status: $(nvctl status | grep -i 'kernel')"
[ "$(count denied)" = 0 ] && ok "no denied SYN reached the server" ||
	fail "$(count denied) denied SYNs reached the server"
# The kernel's decisions count as hits of the rules that allowed them: the
# rule of tcp/10001 allowed two (IPv4 and IPv6), the range 9000-9099 three.
rule_hits() { nvctl --json rule list | jget "sum(r['hits'] for r in j if r['ports']==['$1'])"; }
hits_counted() { [ "$(rule_hits tcp/10001)" = 2 ] && [ "$(rule_hits tcp/9000-9099)" = 3 ]; }
wait_for hits_counted && ok "rule hits: tcp/10001 2, tcp/9000-9099 3" ||
	fail "rule hits: tcp/10001 $(rule_hits tcp/10001), tcp/9000-9099 $(rule_hits tcp/9000-9099)"

# Spoofing: back sends SYNs with front's address to a port front may open.
in_ns $NSC2 python3 $S/tests/integration/attack.py spoof 198.18.0.11 $SRV 7000 10001 4 >/dev/null
in_ns $NSC2 python3 $S/tests/integration/attack.py spoof fd00:18::11 $SRV6 7000 10001 4 >/dev/null
spoofed_seen() {
	[ "$(nvctl --json events --limit 0 | jget "sum(e.get('count') or 1 for e in j if e.get('reason')=='spoofed' and e['src_workload']=='back')")" -ge 8 ]
}
wait_for spoofed_seen && ok "spoofed SYNs went to nvd (violations name back)" ||
	fail "spoofed events: $(nvctl events --limit 5)"
[ "$(count spoofed)" = 0 ] && ok "no spoofed SYN reached the server" ||
	fail "$(count spoofed) spoofed SYNs reached the server"

# A rule deleted: the next connection is refused at once, the open one
# the kernel let through is cut at its next packet.
RID=$(nvctl --json rule list | jget "[r['id'] for r in j if r['ports']==['tcp/10003'] and r['action']=='allow'][0]")
r=$(in_c1 $PEERS get $SRV 10003)
[ "$r" = "ok 10003" ] && ok "front -> srv 10003 allowed" || fail "10003 before: $r"
in_c1 $PEERS hold $SRV 10003 6 > $T/hold.out &
wait_for grep -q "first ok" $T/hold.out || fail "hold: $(cat $T/hold.out)"
d0=$(count deleted)
nvctl rule delete $RID >/dev/null || fail "rule delete $RID"
r=$(in_c1 $PEERS get $SRV 10003)
[ "$r" != "ok 10003" ] && ok "right after the delete, front -> srv 10003: $r" ||
	fail "10003 still allowed after its rule was deleted"
[ "$(count deleted)" = "$d0" ] && ok "its SYN did not reach the server" ||
	fail "$(($(count deleted) - d0)) SYNs to 10003 reached the server after the delete"
for _ in $(seq 1 150); do [ -n "$(sed -n 2p $T/hold.out)" ] && break; sleep 0.1; done
[ "$(sed -n 2p $T/hold.out)" != alive ] && ok "the open connection is cut: $(sed -n 2p $T/hold.out)" ||
	fail "the open connection to 10003 lived on"

# Quarantine holds for what the kernel decides: back probes a port no rule
# opens, a response rule quarantines it, and its allowed port is closed.
RR=$(nvctl response add --category security-event --criteria 'name=no rule' --action quarantine)
[ -n "$RR" ] || fail "response add"
k2=$(status "['flows']")
r=$(in_c2 $PEERS get $SRV 9000)
# In effect once the policy that flags it is in the kernel (its quarantine
# set, and the kernel decisions compiled with it).
quarantined() { in_h nft list set inet $ID quarantine4 2>/dev/null | grep -q 198.18.0.12; }
wait_for quarantined && ok "back quarantined after its probe ($r)" ||
	fail "not quarantined: $(nvctl quarantine list)"
r=$(in_c2 $PEERS get $SRV 10005)
[ "$r" != "ok 10005" ] && ok "quarantined back -> srv 10005: $r" ||
	fail "quarantined back still reaches 10005"
[ "$(status "['flows']")" = "$k2" ] && ok "... not decided in the kernel" ||
	fail "kernel decided $k2 -> $(status "['flows']")"
# (front's connection cut above may have had it quarantined too)
nvctl response delete $RR >/dev/null || fail "response delete"
for w in $(nvctl --json quarantine list | jget "' '.join(q['workload'] for q in j)"); do
	nvctl quarantine release $w >/dev/null || fail "release $w"
done
released() {
	[ "$(in_c2 $PEERS get $SRV 10005)" = "ok 10005" ] &&
	    [ "$(in_c1 $PEERS get $SRV 10001)" = "ok 10001" ]
}
wait_for released && ok "released, back and front connect again" || fail "after release"

# nvd's own judgement, from the same database.
stop_nvd || fail "nvd exit"
conf "kernel_decide = no"
start_nvd || exit 1
[ "$(status "['enabled']")" = False ] && ok "kernel decisions off" || fail "still on"
wait_for sh -c "[ \"\$($NVCTL -s $T/nvd.sock --json workload list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')\" = 3 ]" ||
	fail "workloads after restart"
run nvd
diff $T/kernel $T/nvd >/dev/null && ok "nvd's own judgement is the kernel's" ||
	fail "kernel and nvd differ: $(diff $T/kernel $T/nvd)"
[ "$(count denied)" = 0 ] && ok "no denied SYN reached the server" ||
	fail "$(count denied) denied SYNs reached the server"
finish
