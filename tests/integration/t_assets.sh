#!/bin/bash
# Assets under the test's private dockerd: nvctl workload list shows each
# container's state, image, whether it is privileged, whether it runs as
# root, the ports it publishes and its networks, as docker inspect says
# them (a privileged container publishing a port, a container running as
# a user, a plain one); a pause and an unpause show in its state; the
# database keeps them, and a stopped container stays in workload list
# --all as exited.  nvctl host names this host's kernel and the engine's
# version, as uname and docker version say them.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
need_docker
WAIT_FOR_S=15		# containers take their time

docker_up || exit 1
busybox_image || { fail "docker import"; finish; }
docker_run priv --privileged -p 18080:8080 || fail "run priv"
docker_run user1000 -u 1000:1000 -- sleep 3600 || fail "run user1000"
docker_run plain -- sleep 3600 || fail "run plain"

docker_conf "queues = 87-88"
start_nvd || exit 1
known() { [ "$(nvctl --json workload list | jget 'len(j)')" = 3 ]; }
wait_for known && ok "three containers known" || fail "workloads: $(nvctl workload list)"

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
published=$(dk inspect -f '{{range $p, $b := .NetworkSettings.Ports}}{{range $b}}{{.HostIp}}:{{.HostPort}}->{{$p}} {{end}}{{end}}' priv)
log "docker says priv publishes: $published"
is priv "privileged" 'w["privileged"] is True'
is priv "runs as root" 'w["root"] is True and w["user"] == ""'
is priv "publishes 0.0.0.0:18080->8080/tcp" '"0.0.0.0:18080->8080/tcp" in w["ports"]'
is priv "publishes what docker says" "len(w['ports']) == $(echo $published | wc -w)"
is priv "on network bridge" 'w["networks"] == ["bridge"]'
is priv "running, image nvdbox" 'w["state"] == "running" and w["image"] == "nvdbox"'
is user1000 "not privileged, runs as 1000:1000, not root" \
	'w["privileged"] is False and w["user"] == "1000:1000" and w["root"] is False'
is user1000 "publishes nothing" 'w["ports"] == []'
is plain "not privileged, runs as root" 'w["privileged"] is False and w["root"] is True'
nvctl workload list | grep -q "^[0-9a-f]\{12\} \+priv \+nvdbox \+running \+yes \+yes \+.*0\.0\.0\.0:18080->8080/tcp" &&
	ok "text: priv's row" || fail "text: $(nvctl workload list)"

# --- state follows Docker -------------------------------------------------------
dk pause plain >/dev/null || fail "pause"
paused() { [ "$(field plain 'w["state"]')" = paused ]; }
wait_for paused && ok "plain: paused" || fail "plain after pause: $(field plain w)"
dk unpause plain >/dev/null || fail "unpause"
running() { [ "$(field plain 'w["state"]')" = running ]; }
wait_for running && ok "plain: running again" || fail "plain after unpause: $(field plain w)"
docker_stop user1000
stopped() { [ "$(field user1000 'w["state"]')" = exited ]; }
wait_for stopped && ok "user1000 stopped: in --all as exited" || fail "user1000: $(field user1000 w)"
[ "$(nvctl --json workload list | jget 'sum(1 for w in j if w["name"] == "user1000")')" = 0 ] &&
	ok "user1000 not in the running list" || fail "user1000 still listed"
row=$(sqlite3 $T/nvd.db "SELECT privileged, root, ports, networks FROM workloads WHERE name = 'priv'")
echo "$row" | grep -q "^1|1|.*0\.0\.0\.0:18080->8080/tcp.*|bridge$" && ok "stored: $row" ||
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
