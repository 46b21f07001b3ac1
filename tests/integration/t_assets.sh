#!/bin/bash
# Assets under the test's private dockerd: nvctl workload list shows each
# container's state, image, whether it is privileged, whether it runs as
# root, the ports it publishes and its networks, as docker inspect says
# them (a container publishing a port, one running as a user, a
# privileged one); a pause and an unpause show in its state; the database
# keeps them, and a stopped container stays in workload list --all as
# exited.  nvctl host names this host's kernel and the engine's version,
# as uname and docker version say them.
#
# A privileged container is given every capability the kernel knows; a
# machine that withholds one from its root (a sandbox without
# CAP_SYS_RESOURCE) cannot start one ("unable to apply caps"): there the
# privileged container's checks are skipped, saying so, and check_docker
# reads a captured privileged inspect document instead.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
need_docker
WAIT_FOR_S=15		# containers take their time

docker_up || exit 1
busybox_image || { fail "docker import"; finish; }
docker_run web -p 18080:8080 || fail "run web"
docker_run user1000 -u 1000:1000 -- sleep 3600 || fail "run user1000"
NCT=2
if docker_run priv --privileged -- sleep 3600 2> $T/priv.err; then
	NCT=3
elif grep -q "unable to apply caps" $T/priv.err; then
	log "this machine cannot start a privileged container: $(cat $T/priv.err)"
	docker_rm priv
else
	fail "run priv: $(cat $T/priv.err)"
fi

docker_conf "queues = 87-88"
start_nvd || exit 1
known() { [ "$(nvctl --json workload list | jget 'len(j)')" = $NCT ]; }
wait_for known && ok "$NCT containers known" || fail "workloads: $(nvctl workload list)"

# field NAME EXPR: EXPR of the workload named NAME (w), from workload list --json.
field() {
	nvctl --json workload list --all | jget "[$2 for w in j if w['name'] == '$1'][0]" 2>&1
}
# is NAME DESC EXPR: EXPR of NAME's workload is true.
is() {
	local r
	r=$(field $1 "$3")
	[ "$r" = True ] && ok "$1: $2" || fail "$1: $2: $3 is $r ($(field $1 w))"
}
published=$(dk inspect -f '{{range $p, $b := .NetworkSettings.Ports}}{{range $b}}{{.HostIp}}:{{.HostPort}}->{{$p}} {{end}}{{end}}' web)
log "docker says web publishes: $published"
is web "not privileged, runs as root" 'w["privileged"] is False and w["root"] is True and w["user"] == ""'
is web "publishes 0.0.0.0:18080->8080/tcp" '"0.0.0.0:18080->8080/tcp" in w["ports"]'
is web "publishes what docker says" "len(w['ports']) == $(echo $published | wc -w)"
is web "on network bridge" 'w["networks"] == ["bridge"]'
is web "running, image nvdbox" 'w["state"] == "running" and w["image"] == "nvdbox"'
is user1000 "not privileged, runs as 1000:1000, not root" \
	'w["privileged"] is False and w["user"] == "1000:1000" and w["root"] is False'
is user1000 "publishes nothing" 'w["ports"] == []'
if [ $NCT = 3 ]; then
	is priv "privileged, runs as root" 'w["privileged"] is True and w["root"] is True'
	nvctl workload list | grep -q "^[0-9a-f]\{12\} \+priv \+nvdbox \+running \+yes \+yes " &&
		ok "text: priv's row" || fail "text: $(nvctl workload list)"
fi
nvctl workload list | grep -q "^[0-9a-f]\{12\} \+web \+nvdbox \+running \+yes \+no \+0\.0\.0\.0:18080->8080/tcp" &&
	ok "text: web's row" || fail "text: $(nvctl workload list)"

# --- state follows Docker -------------------------------------------------------
dk pause web >/dev/null || fail "pause"
paused() { [ "$(field web 'w["state"]')" = paused ]; }
wait_for paused && ok "web: paused" || fail "web after pause: $(field web w)"
dk unpause web >/dev/null || fail "unpause"
running() { [ "$(field web 'w["state"]')" = running ]; }
wait_for running && ok "web: running again" || fail "web after unpause: $(field web w)"
docker_stop user1000
stopped() { [ "$(field user1000 'w["state"]')" = exited ]; }
wait_for stopped && ok "user1000 stopped: in --all as exited" || fail "user1000: $(field user1000 w)"
[ "$(nvctl --json workload list | jget 'sum(1 for w in j if w["name"] == "user1000")')" = 0 ] &&
	ok "user1000 not in the running list" || fail "user1000 still listed"
row=$(sqlite3 $T/nvd.db "SELECT privileged, root, ports, networks FROM workloads WHERE name = 'web'")
echo "$row" | grep -q "^0|1|.*0\.0\.0\.0:18080->8080/tcp.*|bridge$" && ok "stored: $row" ||
	fail "stored: $row"
[ "$(sqlite3 $T/nvd.db "SELECT run_as || ' ' || state FROM workloads WHERE name = 'user1000'")" = "1000:1000 exited" ] &&
	ok "stored: user1000 ran as 1000:1000, exited" || fail "stored user1000"

# --- the host ---------------------------------------------------------------------
version=$(dk version -f '{{.Server.Version}}')
host_ok() {
	nvctl --json host | jget "j['docker']['version'] == '$version' and j['kernel']['release'] == '$(uname -r)' and j['docker']['connected'] is True and j['nvd']['hook'] in ('native', 'compat')" | grep -q True
}
wait_for host_ok && ok "host: kernel $(uname -r), docker $version" || fail "host: $(nvctl --json host)"
nvctl host | grep -q "^docker   $version (API [0-9.]*), connected to" && ok "host: text" ||
	fail "host text: $(nvctl host)"

stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
finish
