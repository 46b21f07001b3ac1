#!/bin/bash
# Threat detectors on floods and packets (issue 14): c1 (workload
# "attacker") floods the server c2 ("server") with SYNs from hping3 and
# with echo requests, and sends a ping of death (40000 bytes of data, in
# fragments the host's conntrack reassembles); c3 ("client") makes
# ordinary connections to the server meanwhile.  Every connection the
# policy allows: the detectors decide.  In protect mode the flooder's SYNs
# and echoes past the threshold and the ping of death do not arrive
# (counted by nftables in the server's own namespace), the client's
# connections all succeed, and the events say deny with the counts; in
# monitor mode everything arrives and the events say alert.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
command -v nft >/dev/null || skip "needs nftables"
command -v hping3 >/dev/null || skip "needs hping3 (scripts/setup deps --test)"
command -v ping >/dev/null || skip "needs ping"

SRV=198.18.0.12
NSC3=$ID-c3
topo_up
container_add $NSC3 13
write_conf "queues = 35-36"
start_nvd || exit 1

# The server: a listener on 80 that answers and closes, and counters of
# what reaches its input from the attacker.
cat > $T/srv.py <<'PY'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 80)); s.listen(4096)
while True:
    c, _ = s.accept()
    try:
        c.sendall(b"hello\n")
    except OSError:
        pass
    c.close()
PY
in_ns $NSC2 python3 $T/srv.py $SRV > $T/srv.log 2>&1 &
SRV_PID=$!
in_ns $NSC2 nft -f - <<EOF || fail "server's nft counters"
table inet cnt {
	counter syn {}
	counter echo {}
	counter big {}
	chain in {
		type filter hook input priority 0;
		ip saddr 198.18.0.11 tcp dport 80 tcp flags & (syn | ack) == syn counter name syn
		ip saddr 198.18.0.11 icmp type echo-request ip length < 1000 counter name echo
		ip saddr 198.18.0.11 icmp type echo-request ip length >= 1000 counter name big
	}
}
EOF
count() { in_ns $NSC2 nft list counter inet cnt $1 | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
reset_counts() { in_ns $NSC2 nft reset counters table inet cnt >/dev/null; }
for _ in $(seq 1 50); do in_ns $NSC2 ss -Hlnt "src $SRV:80" | grep -q . && break; sleep 0.1; done

nvctl workload add attacker --ip 198.18.0.11 >/dev/null &&
nvctl workload add server --ip $SRV >/dev/null &&
nvctl workload add client --ip 198.18.0.13 >/dev/null || fail "workloads"
nvctl rule add --from nv.attacker --to nv.server --action allow >/dev/null &&
nvctl rule add --from nv.client --to nv.server --action allow >/dev/null || fail "rules"
# Thresholds a test machine reaches in a second or two.
r=$(nvctl threat set TCP.SYN.Flood --syns 200 --release 150)
[ "$r" = "threat TCP.SYN.Flood: on, action deny, syns=200 interval=5 release=150" ] &&
	ok "TCP.SYN.Flood: $r" || fail "threat set: $r"
nvctl threat set ICMP.Flood --packets 50 --release 40 >/dev/null || fail "threat set ICMP.Flood"

# client_conns N: N connections from c3, each reading the server's line;
# prints how many got it.
client_conns() {
	in_ns $NSC3 python3 - $SRV $1 <<'PY'
import socket, sys, time
ok = 0
for i in range(int(sys.argv[2])):
    try:
        s = socket.create_connection((sys.argv[1], 80), timeout=5)
        ok += s.recv(16) == b"hello\n"
        s.close()
    except OSError:
        pass
    time.sleep(0.05)
print(ok)
PY
}

# round MODE: the floods and the ping of death against the server in MODE.
round() {
	nvctl group mode nv.server $1 >/dev/null || fail "mode $1"
	reset_counts
	client_conns 40 > $T/client.$1 &
	local cpid=$!
	# 1500 SYNs at 1000 a second, from random source ports.
	in_ns $NSC1 hping3 -q -S -p 80 -i u1000 -c 1500 $SRV > $T/hping.$1 2>&1
	in_ns $NSC1 ping -q -c 200 -i 0.005 -s 56 $SRV > /dev/null 2>&1
	in_ns $NSC1 ping -q -c 1 -W 2 -s 40000 $SRV > /dev/null 2>&1
	wait $cpid
	SYN=$(count syn) ECHO=$(count echo) BIG=$(count big) CLIENT=$(cat $T/client.$1)
	log "$1: $SYN of 1500 SYNs, $ECHO of 200 echoes, $BIG of 1 ping of death arrived;" \
	    "client $CLIENT of 40"
}

round protect
[ "$SYN" -lt 500 ] && ok "protect: the SYN flood is cut ($SYN of 1500 arrived)" ||
	fail "protect: $SYN of 1500 SYNs arrived"
[ "$ECHO" -lt 120 ] && ok "protect: the echo flood is cut ($ECHO of 200 arrived)" ||
	fail "protect: $ECHO of 200 echoes arrived"
[ "$BIG" = 0 ] && ok "protect: the ping of death did not arrive" || fail "protect: ping of death arrived"
[ "$CLIENT" = 40 ] && ok "protect: the client's 40 connections all got through during the flood" ||
	fail "protect: the client got $CLIENT of 40"
flood_event() {
	[ "$(events_where "e['type']=='threat' and e['name']=='$1' and e['action']=='$2' and e['src_workload']=='attacker' and (e['count'] or 1) >= $3")" -ge 1 ]
}
wait_for flood_event TCP.SYN.Flood deny 200 && ok "a TCP.SYN.Flood event (deny) with its count" ||
	fail "syn flood event: $(nvctl events --type threat)"
wait_for flood_event ICMP.Flood deny 50 && ok "an ICMP.Flood event (deny)" ||
	fail "icmp flood event: $(nvctl events --type threat)"
wait_for flood_event Ping.Death deny 1 && ok "a Ping.Death event (deny)" ||
	fail "ping death event: $(nvctl events --type threat)"
n=$(events_where "e['type']=='threat' and e['name']=='TCP.SYN.Flood'")
[ "$n" -le 6 ] && ok "the flood is a few events ($n), not one per SYN" || fail "$n flood events"
n=$(events_where "e['type']=='threat' and e['src_workload']=='client'")
[ "$n" = 0 ] && ok "nothing reported of the client" || fail "$n events of the client"
st=$(nvctl --json status)
d=$(echo "$st" | jget 'j["total"]["threats"]["detectors"]["TCP.SYN.Flood"]["dropped"]')
[ "$d" -ge 1000 ] && ok "status counts the SYNs dropped ($d)" || fail "status: $d dropped"
nvctl status | grep -q "^threats .*TCP.SYN.Flood" && ok "nvctl status names the detectors" ||
	fail "status text: $(nvctl status | grep threats)"

# The meters forget the flood once it stopped (an interval below release).
sleep 11
round monitor
[ "$SYN" -ge 1450 ] && ok "monitor: the SYNs arrive ($SYN of 1500)" || fail "monitor: $SYN of 1500"
[ "$ECHO" -ge 195 ] && ok "monitor: the echoes arrive ($ECHO)" || fail "monitor: $ECHO of 200"
[ "$BIG" = 1 ] && ok "monitor: the ping of death arrives" || fail "monitor: $BIG pings of death"
wait_for flood_event TCP.SYN.Flood alert 200 && ok "monitor: TCP.SYN.Flood alert" ||
	fail "monitor syn flood event: $(nvctl events --type threat)"
wait_for flood_event Ping.Death alert 1 && ok "monitor: Ping.Death alert" ||
	fail "monitor ping death event"
m=$(nvctl --json events --type threat --limit 0 | jget '[e["message"] for e in j if e["name"]=="Ping.Death" and e["action"]=="alert"][0]')
case $m in *"would have been denied"*) ok "the alert says it would have been denied: $m" ;;
	*) fail "ping death message: $m" ;; esac
kill $SRV_PID 2>/dev/null
stop_nvd || fail "nvd exit status"
finish
