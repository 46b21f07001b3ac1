#!/bin/bash
# Response rules (issue 14): in ns c1 an attacker workload, in c2 a web
# workload in protect mode, in c3 another workload; all flows are bypassed
# to the kernel at their first packet (stream_depth = 0).  A rule
# quarantines the source of a "no rule" violation and posts it to a
# webhook receiver (python in ns h); another whose group holds only the
# victim quarantines nobody.  The attacker's probe of tcp/22 quarantines
# it: its open connections stop both ways (counted by the receiving
# programs), new ones fail over IPv4 and IPv6, the other workload's
# traffic goes on; the receiver gets both events as JSON, with the ids
# nvctl events shows; the quarantine survives an nvd restart; a release
# restores the traffic.  suppress-log silences "workload start" (not
# written, counted).  A webhook receiver that hangs and one that is down
# hold up no packet: connections keep working, status shows the
# webhooks stuck, failing and the last error.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
command -v python3 >/dev/null || skip "needs python3"
R="python3 $S/tests/integration/respond.py"
PEERS="python3 $S/tests/integration/peers.py"
NSC3=$ID-c3
HOOK=http://198.18.0.1:9000/hook

topo_up
container_add $NSC3 13
write_conf "queues = 41-42" "stream_depth = 0"
start_nvd || exit 1

nvctl workload add attacker --ip 198.18.0.11,fd00:18::11 >/dev/null &&
nvctl workload add web --ip 198.18.0.12,fd00:18::12 >/dev/null &&
nvctl workload add other --ip 198.18.0.13,fd00:18::13 >/dev/null &&
ok "static workloads attacker, web, other" || fail "workload add"
nvctl rule add --from nv.attacker --to nv.web --ports tcp/7000-7002 --action allow >/dev/null &&
nvctl rule add --from nv.other --to nv.web --ports tcp/7000-7002 --action allow >/dev/null &&
nvctl rule add --from nv.web --to nv.attacker --ports tcp/7001 --action allow >/dev/null &&
nvctl group mode nv.web protect >/dev/null && ok "nv.web in protect, tcp/7000-7002 allowed" ||
	fail "policy"

in_c2 $R ticker-serve 7000 $T/web.counts > /dev/null 2>&1 &
in_c1 $R ticker-serve 7001 $T/att.counts > /dev/null 2>&1 &
in_c2 $PEERS serve 7002 &
in_h $R hook-serve 198.18.0.1 9000 $T/hooks > $T/hooks.log 2>&1 &
listening() { [ -n "$(in_ns $1 ss -Hlnt "sport = :$2")" ]; }
wait_for listening $NSC2 7000 && wait_for listening $NSC1 7001 && wait_for listening $NSC2 7002 &&
	wait_for listening $NSH 9000 || { fail "servers do not listen"; finish; }

# count FILE [ADDR]: bytes a receiver counted (from ADDR), 0 before any.
count() {
	local n
	if [ $# = 2 ]; then n=$(awk -v a=$2 '$1 == a { print $2 }' $1 2>/dev/null)
	else n=$(cat $1 2>/dev/null); fi
	echo ${n:-0}
}
grows() { [ "$(count "$@")" -gt 0 ]; }
grown_by() { local f=$1 base=$2 by=$3; shift 3; [ "$(count $f "$@")" -ge $((base + by)) ]; }
get() { in_ns $1 $PEERS get $2 $3; }

# --- open connections, bypassed -------------------------------------------------
in_c1 $R ticker-client 198.18.0.12 7000 $T/a.recv > $T/a.log 2>&1 &
in_c2 $R ticker-client 198.18.0.11 7001 $T/w.recv > $T/w.log 2>&1 &
in_ns $NSC3 $R ticker-client 198.18.0.12 7000 $T/o.recv > $T/o.log 2>&1 &
wait_for grows $T/web.counts 198.18.0.11 && wait_for grows $T/att.counts 198.18.0.12 &&
	wait_for grows $T/a.recv && wait_for grows $T/w.recv && wait_for grows $T/o.recv &&
	ok "three open connections carry data both ways" ||
	fail "connections: $(cat $T/*.log)"
bypassed() { [ "$(nvctl --json status | jget "j['total']['bypassed_flows']")" -ge 3 ]; }
wait_for bypassed && ok "they are bypassed to the kernel" ||
	fail "bypassed: $(nvctl --json status | jget "j['total']['bypassed_flows']")"

# --- the rules ------------------------------------------------------------------------
r1=$(nvctl response add --category security-event --criteria 'name=no rule' \
	--action "quarantine,webhook=$HOOK")
r2=$(nvctl response add --category security-event --group nv.web --criteria 'name=no rule' \
	--action quarantine)
r3=$(nvctl response add --category event --criteria type=quarantine --action "webhook=$HOOK")
[ "$r1" = 1 ] && [ "$r2" = 2 ] && [ "$r3" = 3 ] && ok "response rules 1-3 added" ||
	fail "response add: '$r1' '$r2' '$r3'"
r=$(nvctl response add --category security-event --criteria name=x,name=y --action quarantine 2>&1)
[ $? = 1 ] && [ "$r" = "nvctl: duplicate criterion key 'name' (criteria are AND-ed: one glob per key)" ] &&
	ok "a duplicate criterion key is refused" || fail "duplicate key: $r"

# --- the attack ------------------------------------------------------------------------
r=$(get $NSC1 198.18.0.12 22)
[ "$r" != "ok 22" ] && ok "the attacker's probe of tcp/22 is refused ($r)" || fail "probe: $r"
quarantined() { nvctl --json quarantine list | jget "[q['workload'] for q in j]" | grep -q "$1"; }
wait_for quarantined attacker && ok "the attacker is quarantined" ||
	fail "not quarantined: $(nvctl quarantine list; tail -5 $T/nvd.log)"
n=$(nvctl --json quarantine list | jget "len(j)")
[ "$n" = 1 ] && ok "the victim, in rule 2's group, is not" ||
	fail "quarantined: $(nvctl quarantine list)"
in_set() { in_h nft list set inet $ID $1 2>/dev/null | grep -q "$2"; }
wait_for in_set quarantine4 198.18.0.11 && in_set quarantine6 fd00:18::11 &&
	ok "its addresses are in the kernel's quarantine sets" ||
	fail "sets: $(in_h nft list set inet $ID quarantine4)"

# Nothing of the open connections arrives any more, either way; the other's does.
snap() { echo "$(count $T/web.counts 198.18.0.11) $(count $T/att.counts 198.18.0.12) $(count $T/a.recv) $(count $T/w.recv)"; }
o=$(count $T/web.counts 198.18.0.13)
wait_for grown_by $T/web.counts $o 50 198.18.0.13
before=$(snap)
o=$(count $T/web.counts 198.18.0.13)
wait_for grown_by $T/web.counts $o 100 198.18.0.13 && ok "the other workload's connection goes on" ||
	fail "other's connection stopped"
after=$(snap)
[ "$before" = "$after" ] &&
	ok "the attacker's open connections stopped both ways (received: $after)" ||
	fail "the attacker's connections went on: $before -> $after"
r=$(get $NSC1 198.18.0.12 7002)
[ "$r" = timeout ] && ok "a new connection from it fails ($r)" || fail "new from attacker: $r"
r=$(get $NSC1 fd00:18::12 7002)
[ "$r" = timeout ] && ok "... over IPv6 too ($r)" || fail "new v6 from attacker: $r"
r=$(in_c2 timeout 5 python3 -c "import socket; socket.create_connection(('198.18.0.11', 7001), 3); print('ok')" 2>&1 | tail -1)
[ "$r" != ok ] && ok "a new connection to it fails" || fail "new to attacker: $r"
r=$(get $NSC3 198.18.0.12 7002)
[ "$r" = "ok 7002" ] && ok "the other workload connects ($r)" || fail "other: $r"
st=$(nvctl --json status)
[ "$(echo "$st" | jget "j['response']['quarantined']")" = 1 ] &&
[ "$(echo "$st" | jget "j['response']['quarantine_kernel_dropped'] > 0")" = True ] &&
	ok "status: 1 quarantined, $(echo "$st" | jget "j['response']['quarantine_kernel_dropped']") packets dropped by the kernel" ||
	fail "status: $(echo "$st" | jget "j['response']")"

# --- the webhook ----------------------------------------------------------------------
hooks_have() { [ -f $T/hooks ] && grep -q "\"type\":\"$1\"" $T/hooks; }
wait_for hooks_have violation && wait_for hooks_have quarantine &&
	ok "the receiver got the violation and the quarantine" ||
	fail "hooks: $(cat $T/hooks 2>/dev/null)"
nvctl --json events --limit 0 > $T/events.json
r=$(python3 - $T/hooks $T/events.json <<'PY'
import json, sys
hooks = [json.loads(l) for l in open(sys.argv[1])]
events = {e["id"]: e for e in json.load(open(sys.argv[2]))}
v = [h for h in hooks if h["type"] == "violation"]
q = [h for h in hooks if h["type"] == "quarantine"]
bad = []
for h in v + q:
    if events.get(h["id"]) != h:
        bad.append("hook %s differs from event %s" % (h, events.get(h["id"])))
if not v or v[0]["name"] != "no rule" or v[0]["src_workload"] != "attacker" or v[0]["dst_port"] != 22:
    bad.append("violation: %s" % v)
if len(q) != 1 or q[0]["src_workload"] != "attacker" or q[0]["action"] != "quarantine":
    bad.append("quarantine: %s" % q)
print("; ".join(bad) if bad else "ok %d" % v[0]["id"])
PY
)
case $r in
ok*) ok "the posts are the events as nvctl --json events has them"; vid=${r#ok } ;;
*) fail "hooks: $r" ;;
esac
r=$(nvctl response test $vid)
echo "$r" | grep -q "^rule 1 fires" && echo "$r" | grep -q "^rule 2 fires" &&
echo "$r" | grep -q "^quarantine: attacker (static:attacker) is quarantined already" &&
	ok "response test $vid: rules 1 and 2 fire, the attacker is quarantined already" ||
	fail "response test: $r"
n=$(nvctl --json response list | jget "[r['fired'] for r in j]")
[ "$(nvctl --json response list | jget "j[0]['fired'] >= 1 and j[1]['fired'] == j[0]['fired'] and j[2]['fired'] == 1")" = True ] &&
	ok "rules 1 and 2 fired alike, rule 3 once, on the quarantine ($n)" || fail "fired: $n"

# --- an nvd restart -------------------------------------------------------------------
stop_nvd
table_present && fail "the table stayed after SIGTERM"
start_nvd || finish
wait_for in_set quarantine4 198.18.0.11 && ok "after a restart the quarantine holds in the kernel" ||
	fail "restart: $(in_h nft list set inet $ID quarantine4)"
r=$(get $NSC1 198.18.0.12 7002)
[ "$r" = timeout ] && ok "... and the attacker still cannot connect ($r)" || fail "after restart: $r"
r=$(get $NSC3 198.18.0.12 7002)
[ "$r" = "ok 7002" ] && ok "... the other workload can" || fail "other after restart: $r"

# --- release ---------------------------------------------------------------------------
r=$(nvctl quarantine release attacker)
[ "$r" = "workload attacker (static:attacker) released" ] && ok "$r" || fail "release: $r"
in_set quarantine4 198.18.0.11 && fail "still in the set after the release"
r=$(get $NSC1 198.18.0.12 7002)
[ "$r" = "ok 7002" ] && ok "the attacker connects again ($r)" || fail "after release: $r"
a=$(count $T/web.counts 198.18.0.11)
in_c1 $R ticker-client 198.18.0.12 7000 $T/a2.recv > $T/a2.log 2>&1 &
wait_for grown_by $T/web.counts $a 20 198.18.0.11 && wait_for grows $T/a2.recv &&
	ok "its traffic arrives again both ways" || fail "after release: $(cat $T/a2.log)"
[ "$(events_where 'e["type"]=="quarantine" and e["name"]=="quarantine release" and e["src_workload"]=="attacker"')" = 1 ] &&
	ok "the release is an event" || fail "release event: $(nvctl events --type quarantine)"
[ "$(events_where 'e["name"]=="policy change" and e["message"]=="nvctl group mode nv.web protect"')" = 1 ] &&
	ok "policy changes through nvctl are events" || fail "policy change events"

# --- suppress-log ----------------------------------------------------------------------
r4=$(nvctl response add --category event --criteria 'name=workload start' --action suppress-log)
nvctl workload add extra --ip 198.18.0.14 >/dev/null
added() { [ "$(events_where 'e["message"]=="nvctl workload add extra --ip 198.18.0.14"')" = 1 ]; }
suppressed() { [ "$(nvctl --json response show $r4 | jget "j['suppressed']")" = 1 ]; }
wait_for added && wait_for suppressed && ok "suppress-log counted a 'workload start'" ||
	fail "suppressed: $(nvctl response show $r4)"
[ "$(events_where 'e["name"]=="workload start" and e["src_workload"]=="extra"')" = 0 ] &&
[ "$(events_where 'e["name"]=="workload start" and e["src_workload"]=="web"')" = 1 ] &&
	ok "... which is not written (web's, before the rule, is)" ||
	fail "workload start events: $(nvctl events --type incident)"

# --- webhooks that hang or are down -----------------------------------------------------
nvctl response delete 1 >/dev/null && nvctl response delete 2 >/dev/null &&
nvctl response delete 3 >/dev/null || fail "response delete"
in_h $R hook-hang 198.18.0.1 9001 $T/hang > /dev/null 2>&1 &
wait_for listening $NSH 9001 || fail "hook-hang"
nvctl response add --category security-event --criteria 'name=no rule' \
	--action webhook=http://198.18.0.1:9001/h,webhook=http://198.18.0.1:9002/down >/dev/null ||
	fail "webhook rule"
# Violations of other workloads, in a burst and for seconds on end.
in_ns $NSC3 python3 - <<'PY' &
import socket, time
end = time.time() + 6
while time.time() < end:
    for port in range(20, 30):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(("198.18.0.12", port))
        except BlockingIOError:
            pass
        s.close()
    time.sleep(0.05)
PY
BURST=$!
hung() { [ "$(count $T/hang)" -ge 1 ]; }
wait_for hung && ok "the hanging receiver took a request" || fail "hang: $(nvctl status | grep webhooks)"
good=0
for i in $(seq 1 20); do
	[ "$(get $NSC3 198.18.0.12 7002)" = "ok 7002" ] && good=$((good + 1))
done
[ $good = 20 ] && ok "meanwhile 20 of 20 new connections were judged and passed" ||
	fail "connections while the webhook hangs: $good of 20"
wait $BURST
st=$(nvctl --json status)
[ "$(echo "$st" | jget "j['webhooks']['pending'] > 0")" = True ] &&
	ok "status: webhooks pending behind the hung one ($(echo "$st" | jget "j['webhooks']['pending']"))" ||
	fail "webhooks: $(echo "$st" | jget "j['webhooks']")"
failing() { nvctl --json status | jget "j['webhooks']['last_error'] or ''" | grep -q "9001\|9002"; }
WAIT_FOR_S=60 wait_for failing && ok "status names the last error: $(nvctl --json status | jget "j['webhooks']['last_error']")" ||
	fail "last error: $(nvctl status | grep webhooks)"
r=$(nvctl status | grep '^webhooks ')
[ -n "$r" ] && ok "status: $r" || fail "no webhooks line in status"

stop_nvd || fail "nvd exit status"
finish
