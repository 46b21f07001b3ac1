#!/bin/bash
# Admission control (issue 18): nvd as the authorization plugin of a real
# dockerd (docker.io 20.10), started with --authorization-plugin naming
# this test's own plugin (/run/docker/plugins/nvdtPID.sock, removed at
# the end).  In protect mode `docker run --privileged` fails with nvd's
# message and an event, a plain container runs, the Docker socket mounted
# (or a directory above it, or a symlink to /) is refused by a mount
# rule, --network host by its rule; requests written by hand to fool a
# reader that is not Go's (folded keys, HostConfig's fields at the top
# level, a key twice, a body dockerd does not show its plugins: over
# 1 MiB or chunked; an exec, a start with a HostConfig on API 1.23) are
# refused; an allow rule exempts one image; malformed requests sent to the
# plugin socket by hand are refused without harm; nvd restarted, the rules
# hold; in monitor mode all of them run and events record what would have
# been denied, and dockerd 20.10 does make privileged the containers whose
# request nvd refused in protect.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
need_docker
command -v curl >/dev/null || skip "needs curl"
command -v socat >/dev/null || skip "needs socat"

PLUGIN=$ID
AUTHZ=/run/docker/plugins/$PLUGIN.sock
# The containers go while nvd still answers for dockerd (the API needs
# the plugin), then the rest, then the plugin's socket if nvd left it.
adm_cleanup() {
	docker_cleanup 2>/dev/null
	cleanup
	rm -f "$AUTHZ"
}
trap adm_cleanup EXIT

# want_fail DESC PATTERN CMD...: CMD fails and its stderr has PATTERN.
want_fail() {
	local desc=$1 pat=$2
	shift 2
	if "$@" > $T/out 2> $T/err; then
		fail "$desc: it ran"
	elif grep -qF -- "$pat" $T/err; then
		ok "$desc"
	else
		fail "$desc: stderr '$(head -c 400 $T/err)'"
	fi
}

# created NAME: the engine has a container of that name.
created() { dk ps -a --format '{{.Names}}' | grep -qx "$1"; }

# api PATH BODY [curl args...]: a raw Engine API POST (BODY, or @FILE);
# prints the status code, the answer in $T/api.out.
api() {
	local path=$1 body=$2
	shift 2
	curl -s -o $T/api.out -w '%{http_code}' --unix-socket $DOCKER_SOCK \
		-H 'Content-Type: application/json' "$@" --data-binary "$body" "http://docker$path"
}

# violation NAME WHAT RULE: a violation event for container NAME, by
# rule RULE, whose message names WHAT.
violation() {
	wait_for events_at_least "e['action'] == 'alert' and e['dst_workload'] == '$1' and e['rule_id'] == $3 and e['message'].startswith('violation create: ') and '$2' in e['message']" 1 &&
		ok "monitor: a violation event records $1 ($2, rule $3)" ||
		fail "monitor: no violation event for $1: $(nvctl events --type admission --limit 5)"
}

# rule_id NAME: the id of the built-in admission rule NAME.
rule_id() { nvctl --json admission rule list | jget "[r['id'] for r in j if r['name'] == '$1'][0]"; }

# adm_events PYEXPR: how many admission events satisfy PYEXPR (e).
adm_events() { nvctl --json events --type admission --limit 0 | jget "sum(1 for e in j if $1)"; }
events_at_least() { [ "$(adm_events "$1")" -ge "$2" ]; }

serving() { nvctl --json admission status | jget 'j["serving"]' | grep -qx True; }

# --- nvd first: dockerd asks its plugin from its first API call on ---
ns_add $NSH
in_h ip link set lo up
DOCKER_SOCK_WILL=$T/docker/docker.sock
write_conf "rules_dir = $S/rules"
sed -i -e "s|^steer = .*|steer = docker0|" -e "s|^authz_socket =.*|authz_socket = $AUTHZ|" \
	-e "s|^docker_socket =.*|docker_socket = $DOCKER_SOCK_WILL|" $T/nvd.conf
start_nvd || exit 1
wait_for serving && ok "nvd serves the plugin on $AUTHZ" || fail "the plugin is not served"
[ "$(stat -c %a $AUTHZ)" = 600 ] && ok "the plugin socket is mode 0600" ||
	fail "the plugin socket is mode $(stat -c %a $AUTHZ)"
docker_up --authorization-plugin=$PLUGIN || { fail "dockerd with --authorization-plugin"; finish; }
busybox_image || { fail "docker import of the busybox image"; finish; }

# --- protect: the default rules that matter here, enabled ---
for r in privileged host-pid docker-socket host-network; do
	nvctl admission rule enable "$(rule_id $r)" >/dev/null || fail "enable rule $r"
done
nvctl admission mode protect >/dev/null || fail "admission mode protect"
PRIV=$(rule_id privileged)

# (this machine runs no privileged container: creating one is what is judged)
want_fail "protect: docker run --privileged is refused with nvd's message" \
	"authorization denied by plugin $PLUGIN: nvd admission rule $PRIV (privileged): privileged containers get every capability and device of the host [privileged]" \
	dk run -d --name priv --privileged $DOCKER_IMAGE httpd -f -p 8080
created priv && fail "the refused container exists" || ok "no container priv was made"
wait_for events_at_least "e['action'] == 'deny' and e['rule_id'] == $PRIV and e['dst_workload'] == 'priv' and e['name'] == 'create' and 'image $DOCKER_IMAGE' in e['message']" 1 &&
	ok "an admission event says priv was denied by rule $PRIV" ||
	fail "no deny event for priv: $(nvctl events --type admission)"

docker_run web1 && ok "protect: a plain docker run succeeds" || fail "docker run web1"
[ "$(dk inspect -f '{{.State.Running}}' web1 2>/dev/null)" = true ] && ok "web1 runs" ||
	fail "web1 is not running"

want_fail "the Docker socket mounted is refused by the mount rule" \
	"(docker-socket): the Docker socket may not be mounted into a container [/var/run/docker.sock" \
	dk run -d --name sock -v /var/run/docker.sock:/var/run/docker.sock $DOCKER_IMAGE true
want_fail "a directory above the socket (/run) is refused too" "(docker-socket)" \
	dk run -d --name sock2 -v /run:/hostrun $DOCKER_IMAGE true
mkdir -p $T/share && ln -s / $T/share/up
want_fail "a symlink to / is judged as / (the socket's rule)" "(docker-socket)" \
	dk run -d --name sock3 -v $T/share/up:/h $DOCKER_IMAGE true
want_fail "--network host is refused by its rule" "(host-network)" \
	dk run -d --name hostnet --network host $DOCKER_IMAGE true
want_fail "--pid host is refused by its rule" "(host-pid)" \
	dk run -d --name hostpid --pid host $DOCKER_IMAGE true
for c in sock sock2 sock3 hostnet hostpid; do
	created $c && fail "refused container $c exists"
done

# --- requests written to fool a reader that is not Go's ---
code=$(api /v1.41/containers/create?name=fold1 '{"Image":"nvdbox","Cmd":["true"],"hostconfig":{"PRIVİLEGED":true}}')
[ "$code" = 403 ] && grep -q "nvd admission rule $PRIV" $T/api.out &&
	ok "keys in any case (and İ) are HostConfig.Privileged, as Go folds them: 403" ||
	fail "folded keys: HTTP $code $(cat $T/api.out)"
code=$(api /v1.41/containers/create?name=top1 '{"Image":"nvdbox","Cmd":["true"],"Privileged":true}')
[ "$code" = 403 ] && ok "HostConfig's fields at the top level (dockerd 20.10 reads them): 403" ||
	fail "top-level Privileged: HTTP $code $(cat $T/api.out)"
code=$(api /v1.41/containers/create?name=dup1 '{"Image":"nvdbox","Cmd":["true"],"HostConfig":{"Privileged":false,"privileged":true}}')
[ "$code" = 403 ] && grep -q "is given twice" $T/api.out &&
	ok "a field given twice is unreadable, refused: 403" ||
	fail "duplicate key: HTTP $code $(cat $T/api.out)"
# dockerd shows its plugins no body of 1 MiB or more
{ printf '{"Image":"nvdbox","Cmd":["true"],"HostConfig":{"Privileged":true}}'; head -c 1100000 /dev/zero | tr '\0' ' '; } > $T/big.json
code=$(api /v1.41/containers/create?name=big1 @$T/big.json)
[ "$code" = 403 ] && grep -q "did not show nvd its body" $T/api.out &&
	ok "a body over 1 MiB, which nvd is not shown, is refused: 403" ||
	fail "large body: HTTP $code $(head -c 300 $T/api.out)"
code=$(api /v1.41/containers/create?name=chunk1 '{"Image":"nvdbox","Cmd":["true"],"HostConfig":{"Privileged":true}}' -H 'Transfer-Encoding: chunked')
[ "$code" = 403 ] && ok "a chunked body, which nvd is not shown, is refused: 403" ||
	fail "chunked body: HTTP $code $(cat $T/api.out)"
for c in fold1 top1 dup1 big1 chunk1; do
	created $c && fail "refused container $c exists"
done
want_fail "docker exec --privileged is refused" "nvd admission rule $PRIV" \
	dk exec --privileged web1 true
dk create --name old1 $DOCKER_IMAGE sleep 600 >/dev/null || fail "docker create old1"
code=$(api /v1.23/containers/old1/start '{"Privileged":true}')
[ "$code" = 403 ] && ok "a start with a HostConfig (API 1.23) is judged: 403" ||
	fail "old start: HTTP $code $(cat $T/api.out)"
[ "$(dk inspect -f '{{.State.Running}}' old1)" = false ] && ok "old1 did not start" ||
	fail "old1 started"

# --- the plugin socket, by hand ---
resp=$(curl -s --unix-socket $AUTHZ -X POST --data-binary \
	'{"RequestMethod":"POST","RequestUri":"/v1.41/containers/create","RequestBody":"!!!"}' \
	http://plugin/AuthZPlugin.AuthZReq)
case $resp in
*'"Allow":false'*"not base64"*) ok "a request whose body is not base64 is refused: $resp" ;;
*) fail "bad base64 by hand: '$resp'" ;;
esac
resp=$(curl -s --unix-socket $AUTHZ -X POST --data-binary '{"RequestMethod":[' \
	http://plugin/AuthZPlugin.AuthZReq)
case $resp in
*'"Allow":false'*) ok "a request that is not JSON is refused" ;;
*) fail "bad JSON by hand: '$resp'" ;;
esac
resp=$(printf '\026\003\001\002\000garbage\r\n\r\n' | socat -t 5 - UNIX-CONNECT:$AUTHZ)
case $resp in
"HTTP/1.1 400 Bad Request"*) ok "bytes that are not HTTP: 400, closed" ;;
*) fail "garbage by hand: '$resp'" ;;
esac
kill -0 $NVD_PID && ok "nvd runs on" || fail "nvd died"
docker_run web2 && ok "docker still runs plain containers" || fail "docker run web2 after the garbage"

# --- an allow rule for one image exempts it ---
dk tag $DOCKER_IMAGE nvdbox-trusted || fail "docker tag"
ALLOW=$(nvctl admission rule add --action allow --criteria image=nvdbox-trusted | awk '{print $3}')
dk create --name trusted1 --privileged nvdbox-trusted sleep 600 >/dev/null &&
	[ "$(dk inspect -f '{{.HostConfig.Privileged}}' trusted1)" = true ] &&
	ok "the image the allow rule names is made privileged" || fail "allow rule: trusted1 not made"
want_fail "other images are still refused" "nvd admission rule $PRIV" \
	dk run -d --name priv2 --privileged $DOCKER_IMAGE true
wait_for events_at_least "e['action'] == 'allow' and e['rule_id'] == $ALLOW and e['dst_workload'] == 'trusted1'" 1 &&
	ok "an event says allow rule $ALLOW admitted trusted1" || fail "no allow event for trusted1"

# --- nvd restarted: the rules hold ---
stop_nvd || fail "nvd exit status"
[ -e $AUTHZ ] && fail "nvd left its plugin socket" || ok "nvd removed its plugin socket"
start_nvd || exit 1
wait_for serving || fail "the plugin is not served after the restart"
nvctl admission status | grep -q "^admission protect mode" && ok "still in protect mode" ||
	fail "mode after the restart: $(nvctl admission status)"
want_fail "after the restart docker run --privileged is refused" "nvd admission rule $PRIV" \
	dk run -d --name priv3 --privileged $DOCKER_IMAGE true
docker_run web3 && ok "after the restart a plain docker run succeeds" || fail "docker run web3"

# --- monitor: all run; events record what would have been denied ---
SOCKRULE=$(nvctl admission rule add --action deny --criteria "mount=$DOCKER_SOCK" | awk '{print $3}')
nvctl admission mode monitor >/dev/null || fail "admission mode monitor"
dk create --name mpriv --privileged $DOCKER_IMAGE sleep 600 >/dev/null &&
	[ "$(dk inspect -f '{{.HostConfig.Privileged}}' mpriv)" = true ] &&
	ok "monitor: a privileged container is made" || fail "monitor: --privileged refused"
dk run -d --name msock -v $DOCKER_SOCK:/var/run/docker.sock $DOCKER_IMAGE httpd -f -p 8080 >/dev/null &&
	ok "monitor: the Docker socket mounted runs" || fail "monitor: socket mount refused"
dk run -d --name mhost --network host $DOCKER_IMAGE sleep 600 >/dev/null &&
	ok "monitor: --network host runs" || fail "monitor: --network host refused"
code=$(api /v1.41/containers/create?name=mtop '{"Image":"nvdbox","Cmd":["true"],"Privileged":true}')
[ "$code" = 201 ] && [ "$(dk inspect -f '{{.HostConfig.Privileged}}' mtop)" = true ] &&
	ok "dockerd 20.10 makes a container privileged from HostConfig's fields at the top level" ||
	fail "top-level Privileged in monitor: HTTP $code, privileged $(dk inspect -f '{{.HostConfig.Privileged}}' mtop 2>&1)"
violation mpriv privileged $PRIV
violation msock $DOCKER_SOCK $SOCKRULE
violation mhost "host network" "$(rule_id host-network)"
violation mtop privileged $PRIV
[ "$(dk inspect -f '{{.State.Running}}' msock)" = true ] && ok "msock runs" || fail "msock is not running"

# nvctl admission test on what docker inspect prints (a file, and standard input)
dk inspect msock > $T/msock.json
nvctl admission test $T/msock.json > $T/test.out
rc=$?
[ $rc = 1 ] && grep -q "^result      violation" $T/test.out && grep -q "^rule        $SOCKRULE" $T/test.out &&
	grep -q "^container   msock" $T/test.out && ok "admission test: msock's description, violation of rule $SOCKRULE (exit 1)" ||
	fail "admission test msock: exit $rc, $(cat $T/test.out)"
dk inspect web1 | nvctl admission test - > $T/test.out &&
	grep -q "^result      admitted" $T/test.out && ok "admission test -: web1 would be admitted (exit 0)" ||
	fail "admission test web1: $(cat $T/test.out)"

# the plugin's counters add up
nvctl --json admission status > $T/st.json
python3 - $T/st.json <<'PY' && ok "admission status: $(cat $T/st.json)" || fail "admission status: $(cat $T/st.json)"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["serving"] and j["mode"] == "monitor", j
assert j["violations"] >= 4 and j["allowed"] == 0, j	# counted since the restart
PY

finish
