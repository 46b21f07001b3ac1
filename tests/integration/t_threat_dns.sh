#!/bin/bash
# DNS threat detectors (issue 14) against a real dnsmasq in ns c2
# (workload "dns"), authoritative for example.test and open to zone
# transfers from c1: "dig AXFR" from c1 ("client") is cut in protect mode
# (dnsmasq never logs the query) and gets the zone in monitor mode, with
# a DNS.Zone.Transfer event each time; long random labels under one zone
# from c1 are DNS.Tunneling (alert, then with action deny their queries
# stop reaching dnsmasq), while c3 ("other") looking up real-looking names
# over and over, short ones and a load balancer's and VPC endpoint's long
# ones, is not.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
need_servers

DNS=198.18.0.12
NSC3=$ID-c3
topo_up
container_add $NSC3 13
srv_dir dnsmasq
srv_run dnsmasq $NSC2 dnsmasq --keep-in-foreground --conf-file=/dev/null --port=53 \
	--listen-address=$DNS --bind-interfaces --no-resolv --no-hosts \
	--auth-server=ns1.example.test,$DNS --auth-zone=example.test --auth-peer=198.18.0.11 \
	--host-record=ns1.example.test,$DNS --host-record=www.example.test,198.18.0.80 \
	--host-record=db.example.test,198.18.0.81 --log-queries \
	--pid-file=$T/dnsmasq/pid --log-facility=$T/dnsmasq/dnsmasq.log
srv_ready dnsmasq $NSC2 tcp $DNS 53 && srv_ready dnsmasq $NSC2 udp $DNS 53 ||
	{ fail "dnsmasq does not listen"; finish; }
write_conf "queues = 37-38" "dns_resolvers = $DNS"
start_nvd || exit 1
nvctl workload add client --ip 198.18.0.11 >/dev/null &&
nvctl workload add dns --ip $DNS >/dev/null &&
nvctl workload add other --ip 198.18.0.13 >/dev/null || fail "workloads"
nvctl rule add --from nv.client --to nv.dns --ports udp/53,tcp/53 --action allow >/dev/null &&
nvctl rule add --from nv.other --to nv.dns --ports udp/53,tcp/53 --action allow >/dev/null ||
	fail "rules"
# A shorter interval than the minute it counts in by default, for the test's time.
nvctl threat set DNS.Tunneling --interval 10 >/dev/null || fail "threat set --interval"

axfr_logged() { grep -c "\[AXFR\] example.test" $T/dnsmasq/dnsmasq.log; }
zone_event() {
	[ "$(events_where "e['type']=='threat' and e['name']=='DNS.Zone.Transfer' and e['action']=='$1' and e['src_workload']=='client' and e['dst_port']==53")" -ge 1 ]
}

# --- zone transfer --------------------------------------------------------------
nvctl group mode nv.dns protect >/dev/null
before=$(axfr_logged)
out=$(in_c1 dig +tries=1 +time=3 @$DNS example.test AXFR 2>&1)
echo "$out" | grep -q "www.example.test" && fail "protect: the zone came: $out" ||
	ok "protect: dig AXFR gets no zone ($(echo "$out" | grep -m1 ';;' ))"
[ "$(axfr_logged)" = "$before" ] && ok "protect: dnsmasq never saw the AXFR query" ||
	fail "protect: dnsmasq logged the AXFR query"
wait_for zone_event deny && ok "protect: a DNS.Zone.Transfer event (deny)" ||
	fail "zone transfer event: $(nvctl events --type threat)"
out=$(in_c1 dig +short @$DNS www.example.test A 2>&1)
[ "$out" = 198.18.0.80 ] && ok "protect: an ordinary query is answered" || fail "protect lookup: $out"

nvctl group mode nv.dns monitor >/dev/null
out=$(in_c1 dig +tries=1 +time=3 @$DNS example.test AXFR 2>&1)
echo "$out" | grep -q "www.example.test" && ok "monitor: dig AXFR gets the zone" ||
	fail "monitor: no zone: $out"
[ "$(axfr_logged)" -gt "$before" ] && ok "monitor: dnsmasq answered the AXFR query" ||
	fail "monitor: dnsmasq did not log it"
wait_for zone_event alert && ok "monitor: a DNS.Zone.Transfer event (alert)" ||
	fail "monitor zone transfer event: $(nvctl events --type threat)"

# --- tunnelling -------------------------------------------------------------------
# queries NS CLIENTNAME MODE N: N UDP queries from NS, each from a port of
# its own (as a stub resolver asks): MODE tunnel, long random base32
# labels under t.tunnel.example.test; MODE real, names of everyday
# services, each asked again and again.
cat > $T/queries.py <<'PY'
import random, socket, struct, sys
dns, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
real = ["www.example.test", "db.example.test", "api.github.com", "registry-1.docker.io",
        "deb.debian.org", "s3.us-west-2.amazonaws.com",
        "my-loadbalancer-1234567890.us-west-2.elb.amazonaws.com",
        "vpce-0a1b2c3d4e5f67890-abcdefgh.s3.us-east-1.vpce.amazonaws.com",
        "kubernetes.default.svc.cluster.local", "o123456.ingest.sentry.io",
        "elasticsearch-master-headless.logging.svc.cluster.local"]
b32 = "abcdefghijklmnopqrstuvwxyz234567"
rnd = random.Random(7)
def query(name, qid):
    m = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        m += bytes([len(label)]) + label.encode()
    return m + b"\0" + struct.pack(">HH", 16, 1)
for i in range(n):
    if mode == "tunnel":
        name = "%s.%s.t.tunnel.example.test" % (
            "".join(rnd.choice(b32) for _ in range(52)), "".join(rnd.choice(b32) for _ in range(40)))
    else:
        name = real[i % len(real)]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.1)
    s.sendto(query(name, i & 0xffff), (dns, 53))
    try:
        s.recv(2048)
    except OSError:
        pass
    s.close()
PY
tunnel_logged() { grep -c "tunnel.example.test from 198.18.0.11" $T/dnsmasq/dnsmasq.log; }
tunnel_event() {
	[ "$(events_where "e['type']=='threat' and e['name']=='DNS.Tunneling' and e['action']=='$1' and e['src_workload']=='client'")" -ge 1 ]
}
in_ns $NSC3 python3 $T/queries.py $DNS real 220
in_c1 python3 $T/queries.py $DNS tunnel 40
wait_for tunnel_event alert && ok "monitor: DNS.Tunneling from the client (alert)" ||
	fail "tunnel event: $(nvctl events --type threat)"
m=$(nvctl --json events --type threat --limit 0 | jget '[e["message"] for e in j if e["name"]=="DNS.Tunneling"][0]')
case $m in *"under t.tunnel.example.test"*) ok "the event names the zone: $m" ;;
	*) fail "tunnel message: $m" ;; esac
n=$(events_where "e['type']=='threat' and e['src_workload']=='other'")
[ "$n" = 0 ] && ok "220 lookups of real names (long ones too) are no tunnel" ||
	fail "$n events of the real names: $(nvctl events --type threat)"

# With action deny in protect mode the tunnel's queries stop reaching dnsmasq.
nvctl threat set DNS.Tunneling --action deny >/dev/null || fail "threat set"
nvctl group mode nv.dns protect >/dev/null
sleep 11	# a new interval: the detector counts again from zero
before=$(tunnel_logged)
in_c1 python3 $T/queries.py $DNS tunnel 60
got=$(( $(tunnel_logged) - before ))
# 19 pass before the detector fires in an interval; the 60 take under an
# interval, so they may straddle one boundary at most.
[ "$got" -le 40 ] && ok "protect: $got of 60 tunnel queries reached dnsmasq" ||
	fail "protect: $got of 60 tunnel queries reached dnsmasq"
wait_for tunnel_event deny && ok "protect: DNS.Tunneling (deny)" || fail "tunnel deny event"
in_ns $NSC3 python3 $T/queries.py $DNS real 44
n=$(events_where "e['type']=='threat' and e['src_workload']=='other'")
[ "$n" = 0 ] && ok "protect: the real names still pass" || fail "$n events of real names"
srv_stop_all
stop_nvd || fail "nvd exit status"
finish
