#!/bin/bash
# The headline policy scenarios with real containers on a real dockerd:
# nvd discovers web and client with their learned groups; discover learns
# client -> web tcp/8080 from real HTTP; protect keeps the learned traffic
# and refuses an unlearned port with a violation event naming both
# containers; monitor passes it with an alert; a user deny beats the
# learned allow; modes, rules and groups survive a restart of nvd.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
need_docker
command -v curl >/dev/null || skip "needs curl"
WAIT_FOR_S=15		# wait_for: containers take their time

docker_up || exit 1
busybox_image || { fail "docker import"; finish; }
docker_run web -- sh -c 'httpd -p 9090 -h /www && exec httpd -f -p 8080 -h /www' || fail "run web"
docker_run client -- sleep 3600 || fail "run client"
WEB=$(docker_ip web)
docker_conf "queues = 14-15"
start_nvd || exit 1

# http PORT: curl from the client container; prints the HTTP code, or
# "refused" (reset: curl exit 7) or "timeout".
http() {
	local code rc
	code=$(in_ct client curl -s -o /dev/null -w '%{http_code}' -m 3 http://$WEB:$1/)
	rc=$?
	case $rc in
	0) echo $code ;;
	7) echo refused ;;
	28) echo timeout ;;
	*) echo "curl-$rc" ;;
	esac
}
groups_of() {
	nvctl --json workload list | jget "[w['groups'] for w in j if w['name']=='$1'][0]" 2>/dev/null
}
discovered() { groups_of web | grep -q "nv.web" && groups_of client | grep -q "nv.client"; }
wait_for discovered && ok "containers discovered in nv.web and nv.client" ||
	fail "discovery: $(nvctl workload list)"
st=$(nvctl --json status)
[ "$(echo "$st" | jget 'j["docker"]["connected"] and j["policy"]["workloads"]')" = 2 ] &&
	ok "status: docker connected, 2 workloads in the policy" || fail "status: $(echo "$st" | jget 'j["docker"], j["policy"]')"
nvctl status | grep -q "^docker connected to $DOCKER_SOCK, 2 containers" && ok "status text names the docker socket" ||
	fail "status text: $(nvctl status | grep docker)"
events_where() {
	nvctl --json events --limit 1000 | jget "sum(1 for e in j if $1)"
}

# --- discover: real HTTP is learned ---------------------------------------
for i in 1 2; do
	r=$(http 8080)
	[ "$r" = 200 ] || fail "discover: GET :8080 #$i: $r"
done
learned() {
	[ "$(nvctl --json rule list | jget 'sum(1 for r in j if r["from"]=="nv.client" and r["to"]=="nv.web" and r["ports"]==["tcp/8080"] and r["type"]=="learned")')" = 1 ]
}
wait_for learned && ok "discover learned nv.client -> nv.web tcp/8080" || fail "not learned: $(nvctl rule list)"

# --- protect ----------------------------------------------------------------
nvctl group mode nv.web protect >/dev/null || fail "group mode"
r=$(http 8080)
[ "$r" = 200 ] && ok "protect: learned GET :8080 passes" || fail "protect: 8080: $r"
r=$(http 9090)
[ "$r" = refused ] && ok "protect: unlearned :9090 refused (reset)" || fail "protect: 9090: $r"
deny() {
	[ "$(events_where "e['type']=='violation' and e['action']=='deny' and e['dst_port']==9090 and e['src_workload']=='client' and e['dst_workload']=='web' and e['dst_group']=='nv.web' and e['dst_ip']=='$WEB'")" -ge 1 ]
}
wait_for deny && ok "violation event: deny client -> web tcp/9090" || fail "no deny event: $(nvctl events)"

# --- monitor ----------------------------------------------------------------
nvctl group mode nv.web monitor >/dev/null
r=$(http 9090)
[ "$r" = 200 ] && ok "monitor: :9090 passes" || fail "monitor: 9090: $r"
alert() { [ "$(events_where "e['action']=='alert' and e['dst_port']==9090")" -ge 1 ]; }
wait_for alert && ok "monitor: alert event" || fail "no alert event"

# --- user deny beats learned allow -------------------------------------------
nvctl group mode nv.web protect >/dev/null
UR=$(nvctl rule add --from nv.client --to nv.web --ports tcp/8080 --action deny)
r=$(http 8080)
[ "$r" = refused ] && ok "user deny rule $UR beats the learned allow" || fail "user deny: $r"
nvctl rule delete $UR >/dev/null

# --- restart -------------------------------------------------------------------
stop_nvd || fail "stop"
start_nvd || exit 1
wait_for discovered || fail "restart: containers not rediscovered"
m=$(nvctl --json group show nv.web | jget 'j["mode"]')
[ "$m" = protect ] && ok "restart: nv.web still in protect" || fail "restart: mode $m"
wait_for learned && ok "restart: learned rule kept" || fail "restart: learned rule gone"
r=$(http 8080)
[ "$r" = 200 ] && ok "restart: learned traffic passes" || fail "restart: 8080: $r"
r=$(http 9090)
[ "$r" = refused ] && ok "restart: unlearned port refused" || fail "restart: 9090: $r"

stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
finish
