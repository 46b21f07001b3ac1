#!/bin/bash
# A workload's identity is proven, not claimed (issue 13), on a real dockerd.
#
# Anti-spoofing: server, client and attacker are containers in protect
# groups; client may reach server on udp/7000 and tcp/7001, attacker on
# udp/7002 and tcp/7003.  The attacker sends UDP datagrams and TCP SYNs
# from a raw socket in its own network namespace with the client's
# address: none arrives (nft counters in the server's namespace), each
# is a violation with reason spoofed naming the attacker.  With its own
# address to its own ports they arrive (control), to the client's ports
# they do not (the rule it tried to borrow).  In monitor mode the spoofed
# ones pass, with alerts.
#
# Image labels: an image that labels itself zone=vault (docker import
# --change LABEL) does not put its container in group vault
# (label:zone=vault); a container run with --label zone=vault is in it.
# An image that says it is compose's service db of project shop does not
# make its container nv.db.shop; compose's own labels on the container do.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
need_docker
command -v nft >/dev/null || skip "needs nftables"
WAIT_FOR_S=15		# wait_for: containers take their time

docker_up || exit 1
busybox_image || { fail "docker import"; finish; }
# The image, labelled by itself: the same files, with LABELs.
tar -C $DOCKER_DIR/rootfs -c . | dk import --change 'LABEL zone=vault' \
	--change 'LABEL com.docker.compose.project=shop' \
	--change 'LABEL com.docker.compose.service=db' - nvdbox-vault >/dev/null ||
	fail "docker import with labels"
docker_run server --label zone=vault -- sleep 3600 || fail "run server"
docker_run client -- sleep 3600 || fail "run client"
docker_run attacker -- sleep 3600 || fail "run attacker"
dk run -d --init --name imposter nvdbox-vault sleep 3600 >/dev/null || fail "run imposter"
dk run -d --init --name composed --label com.docker.compose.project=shop \
	--label com.docker.compose.service=db --label com.docker.compose.config-hash=5b0c2e4e \
	--label com.docker.compose.container-number=1 nvdbox-vault sleep 3600 >/dev/null ||
	fail "run composed"
SERVER=$(docker_ip server)
CLIENT=$(docker_ip client)
ATTACKER=$(docker_ip attacker)

docker_conf "queues = 16-17"
start_nvd || exit 1
nvctl group add vault --criteria label:zone=vault --mode protect >/dev/null || fail "group vault"
nvctl group add trusted --criteria name=client --mode protect >/dev/null || fail "group trusted"
nvctl group add rogue --criteria name=attacker --mode protect >/dev/null || fail "group rogue"
nvctl rule add --from trusted --to vault --ports udp/7000,tcp/7001 --action allow >/dev/null ||
	fail "rule trusted -> vault"
nvctl rule add --from rogue --to vault --ports udp/7002,tcp/7003 --action allow >/dev/null ||
	fail "rule rogue -> vault"

groups_of() {
	nvctl --json workload list | jget "[w['groups'] for w in j if w['name']=='$1'][0]" 2>/dev/null
}
labels_of() {
	nvctl --json workload list | jget "sorted([w['labels'] for w in j if w['name']=='$1'][0])" 2>/dev/null
}
known() { [ "$(nvctl --json workload list | jget 'len(j)')" = 5 ]; }
wait_for known || fail "containers not discovered: $(nvctl workload list)"

# --- image labels ---------------------------------------------------------------
g=$(groups_of server)
case "$g" in *"'vault'"*) ok "run with --label zone=vault: in group vault" ;;
*) fail "server's groups: $g" ;; esac
g=$(groups_of imposter)
case "$g" in *"'vault'"*) fail "an image's own label put imposter in vault: $g" ;;
*"'nv.imposter'"*) ok "an image's own label zone=vault does not count: $g" ;;
*) fail "imposter's groups: $g" ;; esac
[ "$(labels_of imposter)" = "[]" ] && ok "imposter has no label of its own" ||
	fail "imposter's labels: $(labels_of imposter)"
g=$(groups_of composed)
case "$g" in *"'nv.db.shop'"*) ok "compose's labels on the container count: $g" ;;
*) fail "composed's groups: $g" ;; esac
case "$g" in *"'vault'"*) fail "composed in vault by its image: $g" ;; esac

# --- anti-spoofing ----------------------------------------------------------------
# Counters where the packets arrive: the server's own namespace.
in_ct server nft -f - <<EOF || fail "server's nft counters"
table inet spoofcount {
	counter as_client_udp {}
	counter as_client_tcp {}
	counter own_udp {}
	counter own_tcp {}
	counter borrowed {}
	chain input {
		type filter hook input priority 0;
		ip saddr $CLIENT udp dport 7000 counter name as_client_udp
		ip saddr $CLIENT tcp dport 7001 tcp flags syn counter name as_client_tcp
		ip saddr $ATTACKER udp dport 7002 counter name own_udp
		ip saddr $ATTACKER tcp dport 7003 tcp flags syn counter name own_tcp
		ip saddr $ATTACKER udp dport 7000 counter name borrowed
		ip saddr $ATTACKER tcp dport 7001 counter name borrowed
	}
}
EOF
count() {
	in_ct server nft list counter inet spoofcount $1 | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
attack() { in_ct attacker python3 $S/tests/integration/attack.py spoof "$@"; }
# spoofed_events ACTION: the violations with reason spoofed (rows of
# alike ones are aggregated: their counts add up).
spoofed_events() {
	nvctl --json events --limit 0 | jget "sum(e.get('count') or 1 for e in j if e.get('reason')=='spoofed' and e['src_workload']=='attacker' and e['src_ip']=='$CLIENT' and e['dst_ip']=='$SERVER' and e['action']=='$1')"
}

r=$(attack $CLIENT $SERVER 7000 7001 5)
[ "$r" = "sent 10" ] || fail "attack: $r"
r=$(attack $ATTACKER $SERVER 7002 7003 5)		# control: its own address, its own ports
attack $ATTACKER $SERVER 7000 7001 5 >/dev/null	# its own address, the client's ports
own() { [ "$(count own_udp)" -ge 5 ] && [ "$(count own_tcp)" -ge 1 ]; }
wait_for own && ok "control: the attacker's own datagrams and SYNs arrive" ||
	fail "control: own_udp $(count own_udp), own_tcp $(count own_tcp)"
sleep 1
n=$(count as_client_udp); m=$(count as_client_tcp)
[ "$n" = 0 ] && [ "$m" = 0 ] && ok "protect: nothing sent with the client's address arrived" ||
	fail "protect: $n spoofed datagrams and $m spoofed SYNs arrived"
n=$(count borrowed)
[ "$n" = 0 ] && ok "protect: the attacker as itself may not use the client's ports" ||
	fail "protect: $n of the attacker's own packets to the client's ports arrived"
denied() { [ "$(spoofed_events deny)" -ge 10 ]; }
wait_for denied && ok "10 violations with reason spoofed name the attacker, denied" ||
	fail "spoofed events: $(spoofed_events deny); $(nvctl events --limit 20)"
n=$(nvctl --json status | jget 'j["total"]["unjudged"]["spoofed"]' 2>/dev/null)
[ "${n:-0}" -ge 10 ] && ok "status: unjudged spoofed $n" ||
	fail "status: unjudged spoofed ${n:-none}"

# A real client is itself, as before: its address from its own port.
in_ct client python3 $S/tests/integration/attack.py spoof $CLIENT $SERVER 7000 7001 3 >/dev/null
mine() { [ "$(count as_client_udp)" -ge 3 ]; }
wait_for mine && ok "the client's own datagrams arrive" ||
	fail "the client's own: $(count as_client_udp)"

# --- monitor: passed, with the event --------------------------------------------------
for g in vault trusted rogue; do nvctl group mode $g monitor >/dev/null || fail "mode $g"; done
before=$(count as_client_tcp)
attack $CLIENT $SERVER 7000 7001 3 >/dev/null
passed() { [ "$(count as_client_tcp)" -ge $((before + 3)) ]; }
wait_for passed && ok "monitor: the spoofed SYNs pass" ||
	fail "monitor: $(count as_client_tcp) after $before"
alerted() { [ "$(spoofed_events alert)" -ge 6 ]; }
wait_for alerted && ok "monitor: alerts with reason spoofed" ||
	fail "monitor: $(spoofed_events alert) alerts"

stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
finish
