#!/bin/bash
# nvd discovers Docker's containers through the Engine API of a real
# dockerd (docker.io) in the test's namespace: a container started before
# nvd and one started after it, with their names, images, addresses and
# learned groups (nv.<name>, nv.<service>.<project> under compose); a
# stopped container goes; after dockerd restarts nvd reconnects, drops a
# container that died meanwhile and follows new events.  Traffic between
# containers on docker0 passes nvd's queue alongside Docker's own rules.
# Timing is not asserted: every wait polls with a generous limit.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
need_docker

# wait_for DESC CMD...: polls CMD (up to 15 s); ok or fail with DESC.
wait_for() {
	local desc=$1 i
	shift
	for i in $(seq 1 150); do
		if "$@"; then
			ok "$desc"
			return 0
		fi
		sleep 0.1
	done
	fail "$desc"
	return 1
}

# wl_json: nvctl --json workload list into $T/wl.json.
wl_json() { nvctl --json workload list > $T/wl.json 2> $T/wl.err; }

# wl_field NAME EXPR: EXPR of the workload named NAME (w), "absent" if none.
wl_field() {
	python3 - "$1" "$2" $T/wl.json <<'PY'
import json, sys
name, expr, path = sys.argv[1], sys.argv[2], sys.argv[3]
try:
	ws = json.load(open(path))
except Exception:
	print("unreadable"); sys.exit(0)
if isinstance(ws, dict):
	ws = ws.get("workloads", [])
for w in ws:
	if w.get("name") == name:
		print(eval(expr)); break
else:
	print("absent")
PY
}

# listed NAME: NAME is in nvctl's workload list now.
listed() { wl_json && [ "$(wl_field $1 'w["name"]')" = "$1" ]; }
unlisted() { wl_json && [ "$(wl_field $1 'w["name"]')" = absent ]; }

# check_workload NAME GROUP: its image, first address, and learned group as Docker says.
check_workload() {
	local name=$1 group=$2 ip id
	ip=$(docker_ip $name)
	id=$(docker_id $name)
	wl_json
	[ "$(wl_field $name 'w["image"]')" = "$DOCKER_IMAGE" ] && ok "$name: image $DOCKER_IMAGE" ||
		fail "$name: image $(wl_field $name 'w.get("image")')"
	[ "$(wl_field $name 'w["id"].startswith("'${id:0:12}'")')" = True ] && ok "$name: id ${id:0:12}" ||
		fail "$name: id $(wl_field $name 'w.get("id")'), Docker says $id"
	[ "$(wl_field $name '"'$ip'" in w["addresses"]')" = True ] && ok "$name: address $ip" ||
		fail "$name: addresses $(wl_field $name 'w.get("addresses")'), Docker says $ip"
	[ "$(wl_field $name '"'$group'" in w["groups"]')" = True ] && ok "$name: group $group" ||
		fail "$name: groups $(wl_field $name 'w.get("groups")'), wanted $group"
}

docker_up --live-restore || exit 1
busybox_image || { fail "docker import of the busybox image"; finish; }
docker_run web1 || fail "docker run web1"
docker_run shop-web-1 --label com.docker.compose.project=shop \
	--label com.docker.compose.service=web || fail "docker run shop-web-1"
[ "$(docker_ip web1)" != "" ] && ok "web1 has address $(docker_ip web1)" || fail "web1 has no address"

docker_conf "queues = 5"
start_nvd || exit 1

# --- containers that ran before nvd ---
wait_for "web1 (started before nvd) is listed" listed web1
check_workload web1 nv.web1
wait_for "shop-web-1 (compose) is listed" listed shop-web-1
check_workload shop-web-1 nv.web.shop
grep -q "docker: connected to $DOCKER_SOCK" $T/nvd.log && ok "nvd logged its connection" ||
	fail "no 'docker: connected to $DOCKER_SOCK' in the log"

# --- a container started after nvd ---
t0=$(date +%s%N)
docker_run web2 || fail "docker run web2"
wait_for "web2 (started after nvd) appears" listed web2
log "web2 listed $((($(date +%s%N) - t0) / 1000000)) ms after docker run returned (not asserted)"
check_workload web2 nv.web2

# --- traffic between containers on docker0 passes nvd ---
before=$(nvctl --json status | jget 'j["total"]["packets"]')
page=$(in_ct shop-web-1 curl -s -m 5 http://$(docker_ip web1):8080/)
[ "$page" = "nvd test page" ] && ok "shop-web-1 reaches web1 over docker0" || fail "curl shop-web-1 -> web1: '$page'"
# Workers publish their counters on their tick: poll.
packets_above() { [ "$(nvctl --json status | jget 'j["total"]["packets"]')" -gt "$1" ]; }
wait_for "nvd counted the packets (more than $before)" packets_above $before

# --- a stopped container goes ---
docker_stop web2 || fail "docker stop web2"
wait_for "web2 (stopped) disappears" unlisted web2

# --- dockerd restarts (live restore); web1 dies while it is down ---
web1_pid=$(docker_pid web1)
dockerd_stop
wait_for "nvd notices that dockerd is gone" grep -q "docker: .*: reconnecting" $T/nvd.log
kill -9 $web1_pid	# the container's init: the container ends with it
listed shop-web-1 && ok "workloads are kept while dockerd is away" || fail "shop-web-1 went while dockerd was away"
dockerd_start || { fail "dockerd restart"; finish; }
wait_for "nvd connects again" eval '[ $(grep -c "docker: connected to $DOCKER_SOCK" $T/nvd.log) -ge 2 ]'
wait_for "web1 (died while dockerd was down) is gone after the reconnect" unlisted web1
listed shop-web-1 && ok "shop-web-1 (kept running) is still listed" || fail "shop-web-1 is missing after the reconnect"
check_workload shop-web-1 nv.web.shop
docker_run web3 || fail "docker run web3"
wait_for "web3 (started after the reconnect) appears" listed web3
check_workload web3 nv.web3
docker_stop shop-web-1
wait_for "shop-web-1 (stopped after the reconnect) disappears" unlisted shop-web-1

stop_nvd || fail "nvd exit status"
finish
