#!/bin/bash
# Forged DNS answers bind no name (issue 13): DNS answers bound only with
# evidence.  dnsmasq in ns c2 (workload "dns", 198.18.0.12) knows
# innocent.test and real.example.com; web servers on addresses of c2 that
# are no workload (198.18.0.33 real.example.com's, 198.18.0.34 the one the
# forger names) log every request.  The client (workload "client" in ns
# c1, protect mode) may reach *.example.com on tcp/80 and nothing else
# but its resolver.
# It resolves innocent.test really, then, from a raw socket in its own
# namespace, forges answers from the resolver's address and port 53 to
# the port its query came from: www.example.com is 198.18.0.34, and
# innocent.test is a CNAME of www.example.com (a second answer to its
# query).  The frames go to the bridge's MAC, so ns h routes them back to
# the client through the forward hook: nvd sees them as answers on the
# client's DNS flow.  Then: nvctl dns list has no www.example.com, curl to
# 198.18.0.34 as www.example.com is refused and its server sees no
# request, one event "dns forged answer" (reason dns_unsolicited) for the
# flow, status counts both answers.  A real lookup of real.example.com
# still binds and its connection works.
# A resolver the client runs or chose (a second dnsmasq, 198.18.0.35,
# workload "rogue", which the client may ask) says www.example.com is
# 198.18.0.34: with dns_resolvers naming only the real one, its answer
# binds nothing (event "dns untrusted resolver", reason dns_untrusted) and
# the connection is refused; with dns_resolvers = any it would bind.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
for c in dnsmasq dig curl ss python3; do
	command -v $c >/dev/null || skip "needs $c (scripts/setup deps --test)"
done

C=198.18.0.11			# client
P=198.18.0.12			# dnsmasq
NET=198.18.0
REAL=$NET.33			# real.example.com
EVIL=$NET.34			# what the forger says www.example.com is
ROGUE=$NET.35			# a resolver the client chose
QPORT=45353			# the client's query port
ATTACK=$S/tests/integration/attack.py

topo_up
for a in $REAL $EVIL $ROGUE; do
	in_c2 ip addr add $a/32 dev eth0
done

srv_dnsmasq_with $NSC2 $P \
	--host-record=innocent.test,$NET.31,300 \
	--host-record=real.example.com,$REAL,300 || { fail "dnsmasq"; finish; }
# attack.py's victim: "REQ 80 GET / HTTP/1.1 ..." for every request.
srv_dir rogue
srv_run rogue $NSC2 dnsmasq --keep-in-foreground --conf-file=/dev/null --port=53 \
	--listen-address=$ROGUE --bind-interfaces --no-resolv --no-hosts \
	--host-record=www.example.com,$EVIL,300 --pid-file=$T/rogue/pid \
	--log-facility=$T/rogue/dnsmasq.log
srv_dir web
srv_dir evil
srv_run web $NSC2 python3 $ATTACK serve $REAL $T/web/log 80
srv_run evil $NSC2 python3 $ATTACK serve $EVIL $T/evil/log 80

write_conf "queues = 27-28" "dns_resolvers = $P"
start_nvd || exit 1
nvctl workload add client --ip $C >/dev/null &&
nvctl workload add dns --ip $P >/dev/null &&
nvctl workload add rogue --ip $ROGUE >/dev/null &&
nvctl rule add --from nv.client --to nv.rogue --ports udp/53 --action allow >/dev/null &&
nvctl group add example --criteria 'address=*.example.com' >/dev/null &&
R1=$(nvctl rule add --from nv.client --to example --ports tcp/80 --action allow) &&
R2=$(nvctl rule add --from nv.client --to nv.dns --ports udp/53,tcp/53 --action allow) &&
nvctl group mode nv.client protect >/dev/null &&
ok "client in protect: rules $R1 (*.example.com tcp/80), $R2 (its resolver)" ||
	fail "policy"

srv_ready dnsmasq $NSC2 udp $P 53 && srv_ready rogue $NSC2 udp $ROGUE 53 &&
	srv_ready web $NSC2 tcp $REAL 80 &&
	srv_ready evil $NSC2 tcp $EVIL 80 &&
	ok "dnsmasq and the web servers listen" || { fail "servers"; finish; }

OUT=
# c1_curl NAME ADDR: curl http://NAME/ from c1 at ADDR; its output in $OUT.
c1_curl() { OUT=$(in_c1 curl -sS -m 5 --noproxy '*' --resolve $1:80:$2 http://$1/ 2>&1); }
# Refused by nvd: a reset or refusal, not a timeout (28) and not the page.
cut() { case $1 in 7|52|56) return 0 ;; esac; return 1; }
# bindings NAME: how many bindings nvctl dns list has for NAME.
bindings() { nvctl --json dns list --name $1 | jget "sum(1 for b in j if b['name']=='$1')"; }
unsolicited() { nvctl --json status | jget "j['total']['dns'].get('unsolicited', 0)"; }
# evil_refused: www.example.com at $EVIL is refused, and its server saw nothing.
evil_refused() {
	local rc
	c1_curl www.example.com $EVIL
	rc=$?
	cut $rc && ok "protect: www.example.com at $EVIL refused (curl $rc)" ||
		fail "protect: www.example.com at $EVIL: curl $rc: $OUT"
	sleep 0.5
	[ ! -s $T/evil/log ] && ok "$EVIL's server saw no request" ||
		fail "$EVIL's server saw: $(cat $T/evil/log)"
}

# --- the client asks for innocent.test, really ---------------------------------
a=$(in_c1 dig +short +time=2 +tries=1 -b $C#$QPORT @$P innocent.test 2>&1)
[ "$a" = $NET.31 ] && ok "dig innocent.test from port $QPORT: $a" ||
	fail "dig innocent.test: $a"
[ "$(bindings innocent.test)" = 1 ] && ok "dns list: innocent.test bound (its real answer)" ||
	fail "innocent.test not bound: $(nvctl dns list 2>&1)"

# --- then forges answers to itself ---------------------------------------------
# forge QPORT: from a raw socket in c1, to the bridge's MAC: two answers
# from $P:53 to $C:QPORT.  Prints "sent 2".
cat > $T/forge.py <<'EOF'
import random, socket, struct, sys
sys.path.insert(0, sys.argv[1])
import attack

bridge_mac, resolver, client, qport, evil = sys.argv[2:7]


def name(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"


def answer(qname, records):
    h = struct.pack("!HHHHHH", random.randrange(65536), 0x8180, 1, len(records), 0, 0)
    return h + name(qname) + struct.pack("!HH", 1, 1) + b"".join(records)


def rr(owner, rtype, rdata):
    return name(owner) + struct.pack("!HHIH", rtype, 1, 3600, len(rdata)) + rdata


forged = [
    # A name nobody asked for.
    answer("www.example.com", [rr("www.example.com", 1, socket.inet_aton(evil))]),
    # The question asked, answered already: a CNAME to www.example.com.
    answer("innocent.test", [rr("innocent.test", 5, name("www.example.com")),
                             rr("www.example.com", 1, socket.inet_aton(evil))]),
]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
own_mac = s.getsockname()[4]
eth = bytes.fromhex(bridge_mac.replace(":", "")) + own_mac + b"\x08\x00"
for msg in forged:
    pkt = attack.ipv4(resolver, client, 17, attack.udp(resolver, client, 53, int(qport), msg))
    s.send(eth + pkt)
print("sent", len(forged))
EOF
BR_MAC=$(in_h ip -o link show br0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
out=$(in_c1 python3 $T/forge.py $S/tests/integration $BR_MAC $P $C $QPORT $EVIL 2>&1)
[ "$out" = "sent 2" ] && ok "forged 2 answers from $P:53 to $C:$QPORT via the bridge's MAC $BR_MAC" ||
	fail "forge: $out"

two_unsolicited() { [ "$(unsolicited)" -ge 2 ]; }
wait_for two_unsolicited && ok "status: total.dns.unsolicited $(unsolicited)" ||
	fail "status: $(nvctl --json status | jget "j['total']['dns']" 2>&1)"
nvctl status | grep -q "answers [0-9]* ([0-9]* to no query, [0-9]* from servers not trusted: nothing bound)" &&
	ok "nvctl status says how many answers answered no query" ||
	fail "nvctl status: $(nvctl status 2>&1 | grep dns)"

[ "$(bindings www.example.com)" = 0 ] && ok "dns list: no binding for www.example.com" ||
	fail "www.example.com bound: $(nvctl dns list --name www.example.com 2>&1)"
n=$(nvctl --json dns list --address $EVIL | jget "len(j)")
[ "$n" = 0 ] && ok "dns list: no name for $EVIL" ||
	fail "$EVIL named: $(nvctl dns list --address $EVIL 2>&1)"

evil_refused

forged_event() {
	[ "$(events_where "e['type']=='violation' and e['name']=='dns forged answer' and e['reason']=='dns_unsolicited' and e['src_ip']=='$C' and e['src_port']==$QPORT and e['dst_ip']=='$P' and e['dst_port']==53")" = 1 ]
}
wait_for forged_event && ok "one event 'dns forged answer', reason dns_unsolicited, for the flow" ||
	fail "events: $(nvctl --json events --limit 0 | jget "[e for e in j if e['reason']]" 2>&1)"

# --- control: a real lookup still binds, its connection works ------------------
a=$(in_c1 dig +short +time=2 +tries=1 @$P real.example.com 2>&1)
[ "$a" = $REAL ] && ok "dig real.example.com: $a" || fail "dig real.example.com: $a"
[ "$(bindings real.example.com)" = 1 ] && ok "dns list: real.example.com bound" ||
	fail "real.example.com not bound: $(nvctl dns list 2>&1)"
c1_curl real.example.com $REAL
rc=$?
[ $rc = 0 ] && [ "$OUT" = ok ] && ok "protect: real.example.com reachable" ||
	fail "protect: real.example.com: curl $rc: $OUT"
grep -q "REQ 80 GET / HTTP/1.1" $T/web/log && ok "$REAL's server saw the request" ||
	fail "$REAL's server log: $(cat $T/web/log)"

# --- a resolver the client chose -----------------------------------------------
a=$(in_c1 dig +short +time=2 +tries=1 @$ROGUE www.example.com 2>&1)
[ "$a" = $EVIL ] && ok "dig @$ROGUE www.example.com: $a (the client's own resolver)" ||
	fail "dig @$ROGUE: $a"
[ "$(bindings www.example.com)" = 0 ] && ok "dns list: its answer bound nothing" ||
	fail "www.example.com bound from $ROGUE: $(nvctl dns list --name www.example.com 2>&1)"
evil_refused
untrusted_event() {
	[ "$(events_where "e['type']=='violation' and e['name']=='dns untrusted resolver' and e['reason']=='dns_untrusted' and e['dst_ip']=='$ROGUE'")" -ge 1 ]
}
wait_for untrusted_event && ok "an event 'dns untrusted resolver', reason dns_untrusted" ||
	fail "events: $(nvctl --json events --limit 0 | jget "[e for e in j if e['reason']]" 2>&1)"
n=$(nvctl --json status | jget "j['total']['dns'].get('untrusted', 0)")
[ "${n:-0}" -ge 1 ] && ok "status: total.dns.untrusted $n" || fail "status: untrusted '$n'"
# With any server trusted, the same answer binds (what the setting prevents).
write_conf "queues = 27-28" "dns_resolvers = any"
nvctl reload >/dev/null || fail "reload"
a=$(in_c1 dig +short +time=2 +tries=1 @$ROGUE www.example.com 2>&1)
[ "$(bindings www.example.com)" -ge 1 ] && ok "dns_resolvers = any: $ROGUE's answer binds" ||
	fail "dns_resolvers = any: not bound ($a)"

# --- the end ------------------------------------------------------------------
stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
srv_stop_all
finish
