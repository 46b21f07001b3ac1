#!/bin/bash
# No start-up gap (issue 13): a container's first packet is judged as that
# container.  A group starters (name=starter*) is in protect before any
# such container exists, with no rule to the server; 20 containers are
# started in a loop, each fetching http://<server>/<its name> as its first
# act (busybox nc to a numeric address: busybox's wget crashes in a
# container, as its name lookups do) and writing what it got and its exit
# code where the test reads them.  None may reach the server:
# its request log (httpd -vv logs each request's path) holds none of
# theirs.  A control container outside the group (other1, group others in
# protect with an allow rule to the server) reaches it, at its first try
# or its first retransmit (its first SYN may be dropped while nvd cannot
# tell whose it is).  Timing is not asserted.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
need_docker
WAIT_FOR_S=60
N=20

docker_up || exit 1
busybox_image || { fail "docker import"; finish; }
docker_run srv -- httpd -f -vv -p 8080 -h /www || fail "run srv"
SRV=$(docker_ip srv)
docker_conf "queues = 12-13"
start_nvd || exit 1

srv_known() { nvctl --json group show nv.srv >/dev/null 2>&1; }
wait_for srv_known && ok "srv discovered in nv.srv" || fail "srv not discovered: $(nvctl workload list)"
nvctl group add starters --criteria 'name=starter*' >/dev/null || fail "group add starters"
nvctl group mode starters protect >/dev/null || fail "starters protect"
nvctl group add others --criteria 'name=other*' >/dev/null || fail "group add others"
nvctl group mode others protect >/dev/null || fail "others protect"
nvctl rule add --from others --to nv.srv --ports tcp/8080 --action allow >/dev/null || fail "rule others -> nv.srv"

# Under overload too: a container not known yet could be in protect, so
# the bridge's addresses but srv's (known, discover) and the gateway's go
# to the protect queues, which never fail open.  docker0's subnet is the
# one srv's address is in; Docker's default is a /16.
GW=$(in_h ip -4 -o addr show docker0 | awk '{ print $4 }')
protect_ranges() { in_h nft list set inet $ID protect4 | tr -d '\n\t ' | sed -e 's/.*elements={//' -e 's/}.*//'; }
net_steered() {
	python3 - "$SRV" "$GW" "$(protect_ranges)" <<'PY'
import ipaddress, sys
srv, gw, text = ipaddress.ip_address(sys.argv[1]), ipaddress.ip_interface(sys.argv[2]), sys.argv[3]
def covered(a):
    for part in filter(None, text.split(',')):
        lo, _, hi = part.partition('-')
        if '/' in lo:
            if a in ipaddress.ip_network(lo, strict=False): return True
        elif ipaddress.ip_address(lo) <= a <= ipaddress.ip_address(hi or lo): return True
    return False
net = gw.network
unknown = [srv + 1, srv + 50, net.broadcast_address - 1]
sys.exit(0 if all(covered(a) for a in unknown) and not covered(srv) and not covered(gw.ip) else 1)
PY
}
wait_for net_steered && ok "the bridge's unknown addresses go to the protect queues ($(protect_ranges))" ||
	fail "protect4 lacks the bridge's unknown addresses, or holds srv's or the gateway's: $(protect_ranges) (srv $SRV, gw $GW)"

# The containers write their result into $T/res, mounted at /res.
mkdir -p $T/res
chmod 777 $T/res
fetch() {	# fetch NAME TIMEOUT: the container's first act
	echo "printf 'GET /$1 HTTP/1.0\\r\\n\\r\\n' | nc -w $2 $SRV 8080 > /res/$1.out 2>&1;" \
		"echo \$? > /res/$1.rc"
}
for i in $(seq 1 $N); do
	dk run -d --name starter$i -v $T/res:/res $DOCKER_IMAGE sh -c "$(fetch starter$i 10)" \
		>/dev/null || fail "run starter$i"
done
dk run -d --name other1 -v $T/res:/res $DOCKER_IMAGE sh -c "$(fetch other1 20)" >/dev/null ||
	fail "run other1"

all_done() { [ "$(ls $T/res/*.rc 2>/dev/null | wc -l)" -ge $((N + 1)) ]; }
wait_for all_done || fail "only $(ls $T/res/*.rc 2>/dev/null | wc -l) of $((N + 1)) fetches ended"

dk logs srv > $T/srv.log 2>&1
reached=$(grep -c 'url:/starter' $T/srv.log)
[ "$reached" = 0 ] && ok "none of $N starters reached the server" ||
	fail "$reached of $N starters reached the server: $(grep 'url:/starter' $T/srv.log | tr '\n' ' ')"
passed=0
for i in $(seq 1 $N); do
	[ "$(cat $T/res/starter$i.rc 2>/dev/null)" = 0 ] && passed=$((passed + 1))
done
[ $passed = 0 ] && ok "every starter's fetch failed" ||
	fail "$passed starters' fetches succeeded: $(grep -l HTTP $T/res/starter*.out | tr '\n' ' ')"
grep -q 'url:/other1' $T/srv.log && ok "other1 (allowed) reached the server" ||
	fail "other1 did not reach the server: $(cat $T/srv.log)"
grep -q '^HTTP/1.1 404' $T/res/other1.out && ok "other1 got the server's answer" ||
	fail "other1's fetch: exit $(cat $T/res/other1.rc 2>/dev/null): $(cat $T/res/other1.out)"

# What nvd says: each starter denied as itself, by its name, not as external.
denied() {
	[ "$(events_where "e['type']=='violation' and e['action']=='deny' and e['dst_port']==8080 and (e.get('src_workload') or '').startswith('starter')")" -ge 1 ]
}
wait_for denied && ok "starters denied as themselves" || fail "no deny event: $(nvctl events)"
learned_ext=$(nvctl --json rule list | jget 'sum(1 for r in j if r["from"]=="external" and r["to"]=="nv.srv")')
[ "$learned_ext" = 0 ] && ok "nothing learned as external -> nv.srv" ||
	fail "learned external -> nv.srv: $(nvctl rule list)"
st=$(nvctl --json status)
u=$(echo "$st" | jget 'j["total"]["unjudged"]["unidentified"]' 2>/dev/null)
nudges=$(echo "$st" | jget 'j["docker"]["nudges"]' 2>/dev/null)
[ -n "$u" ] && [ -n "$nudges" ] && ok "status: $u unidentified packets, $nudges nudges to the docker thread" ||
	fail "status lacks the counters: $(echo "$st" | jget 'j["total"]["unjudged"], j["docker"]')"
nvctl status | grep -q "^docker connected to $DOCKER_SOCK, .*nudges" && ok "status text counts nudges" ||
	fail "status text: $(nvctl status | grep docker)"

stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
finish
