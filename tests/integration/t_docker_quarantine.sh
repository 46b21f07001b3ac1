#!/bin/bash
# Quarantine under a real dockerd (issue 14): containers bad and good each
# run a prober that fetches http://srv:8080/NAME-PHASE every second from
# the moment they start (busybox nc to srv's address; PHASE is read from a
# file the test writes), counted in srv's request log (httpd -vv).  A
# response rule quarantines the source of a "no rule" violation; bad
# probes tcp/22 and is quarantined: no fetch of bad arrives any more while
# good's do.  Then bad is stopped, another container takes an address, and
# bad starts again with a new address: not one of its fetches arrives,
# the first included (nvd cannot know the new address before its first
# packet: what it cannot tell drops while a container is quarantined).
# bad made anew under its name (a new id) is still quarantined.  A release
# lets its fetches through again.  The docker thread's "workload start"
# and "workload stop" are events.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
need_docker
WAIT_FOR_S=60
PEERS="python3 $S/tests/integration/peers.py"

docker_up || exit 1
busybox_image || { fail "docker import"; finish; }
docker_run srv -- httpd -f -vv -p 8080 -h /www || fail "run srv"
SRV=$(docker_ip srv)
mkdir -p $T/res
chmod 777 $T/res
echo 1 > $T/res/phase
prober() {	# prober NAME: the container's command, from its first moment on
	echo "while :; do printf 'GET /$1-%s HTTP/1.0\\r\\n\\r\\n' \$(cat /res/phase) |" \
		"nc -w 2 $SRV 8080 > /dev/null 2>&1; sleep 1; done"
}
run_prober() { dk run -d --name $1 -v $T/res:/res $DOCKER_IMAGE sh -c "$(prober $1)" >/dev/null; }
run_prober bad && run_prober good || fail "run probers"
docker_conf "queues = 43-44"
start_nvd || exit 1

known() { nvctl --json workload list | jget "[w['name'] for w in j]" | grep -q "'$1'"; }
wait_for known srv && wait_for known bad && wait_for known good &&
	ok "srv, bad and good discovered" || fail "discovery: $(nvctl workload list)"
# Monitor: nothing is dropped for the policy's sake, a violation is only
# recorded; what stops bad is its quarantine alone.
nvctl group mode nv.srv monitor >/dev/null &&
nvctl rule add --from containers --to nv.srv --ports tcp/8080 --action allow >/dev/null &&
	ok "nv.srv in monitor, tcp/8080 allowed" || fail "policy"
r=$(nvctl response add --category security-event --criteria 'name=no rule' --action quarantine)
[ "$r" = 1 ] && ok "response rule 1: quarantine the source of 'no rule'" || fail "response add: $r"

arrived() {	# arrived PATH: fetches of PATH in srv's log
	dk logs srv 2>&1 | grep -c "url:/$1"
}
reached() { [ "$(arrived $1)" -ge ${2:-1} ]; }
wait_for reached bad-1 && wait_for reached good-1 && ok "both probers reach srv" ||
	fail "probers: $(dk logs srv 2>&1 | tail -5)"

# --- quarantine ---------------------------------------------------------------------
r=$(in_ct bad $PEERS get $SRV 22)
[ "$r" = refused ] && ok "bad probes tcp/22, which passes (monitor) and is refused by srv" ||
	fail "probe: $r"
in_set() { in_h nft list set inet $ID quarantine4 2>/dev/null | grep -q "$1"; }
BAD1=$(docker_ip bad)
wait_for in_set "$BAD1" && ok "bad ($BAD1) is quarantined in the kernel" ||
	fail "not quarantined: $(nvctl quarantine list)"
echo 2 > $T/res/phase
g=$(arrived good-2)
wait_for reached good-2 $((g + 3)) && [ "$(arrived bad-2)" = 0 ] &&
	ok "good's fetches arrive, none of bad's" || fail "phase 2: bad-2 $(arrived bad-2), good-2 $(arrived good-2)"

# --- a restart with a new address ---------------------------------------------------
docker_stop bad || fail "stop bad"
stopped() { [ "$(events_where 'e["name"]=="workload stop" and e["src_workload"]=="bad"')" -ge 1 ]; }
wait_for stopped && ok "bad's stop is an event" || fail "no workload stop event"
docker_run filler -- sleep 1000 || fail "run filler"
echo 3 > $T/res/phase
dk start bad >/dev/null || fail "start bad"
BAD2=$(docker_ip bad)
[ "$BAD2" != "$BAD1" ] && ok "bad is back with a new address ($BAD2)" ||
	fail "bad kept its address $BAD1"
running() { nvctl --json quarantine list | jget "[q['running'] for q in j if q['workload']=='bad']" | grep -q True; }
wait_for running && wait_for in_set "$BAD2" && ok "its new address is quarantined" ||
	fail "restart: $(nvctl quarantine list; in_h nft list set inet $ID quarantine4)"
g=$(arrived good-3)
wait_for reached good-3 $((g + 3)) && [ "$(arrived bad-3)" = 0 ] &&
	ok "not one fetch of bad arrived since it started again, its first included" ||
	fail "phase 3: bad-3 $(arrived bad-3)"
log "packets of containers not known yet: $(nvctl --json status | jget "j['total']['unjudged']['unidentified']")"

# --- made anew under its name --------------------------------------------------------
docker_rm bad || fail "rm bad"
echo 4 > $T/res/phase
run_prober bad || fail "run bad again"
g=$(arrived good-4)
wait_for reached good-4 $((g + 3)) && [ "$(arrived bad-4)" = 0 ] &&
	ok "bad made anew (a new id) is still quarantined by its name" ||
	fail "phase 4: bad-4 $(arrived bad-4)"

# --- release ---------------------------------------------------------------------------
r=$(nvctl quarantine release bad)
echo "$r" | grep -q "^workload bad (" && ok "$r" || fail "release: $r"
echo 5 > $T/res/phase
wait_for reached bad-5 && ok "bad's fetches arrive again" || fail "after release: bad-5 $(arrived bad-5)"
[ "$(events_where 'e["name"]=="workload start" and e["src_workload"]=="bad"')" -ge 3 ] &&
	ok "bad's starts are events" || fail "workload start events: $(nvctl events --type incident)"

stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
finish
