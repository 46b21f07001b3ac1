#!/bin/bash
# The audit log (issue 15): violations of several groups, workloads and
# levels (client -> web in protect, other -> client in monitor) and a DLP
# match on real traffic; the rows sqlite3 counts are the
# rows nvctl events lists; every filter (--type --level --group --workload
# --since --until --limit) gives exactly the rows the same SQL gives,
# newest first; events show prints the DLP match whole with its masked
# excerpt and its pcap file; each event is one JSON line on nvd -f's
# standard error with the fields nvctl --json events has, and in syslog
# with the tag nvd-event when nvd runs without -f; retention by rows, by
# age and of pcap files trims while nvd runs, and the database passes
# PRAGMA integrity_check.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
for c in sqlite3 socat python3; do command -v $c >/dev/null || skip "needs $c"; done
PEERS="python3 $S/tests/integration/peers.py"
A=198.18.0.12
B=198.18.0.11
C=198.18.0.13
NSC3=$ID-c3
CARD="4111 1111 1111 1111"

topo_up
container_add $NSC3 13
CONF=("queues = 61-62" "rules_dir = $S/rules" "pcap_dir = $T/pcap")
write_conf "${CONF[@]}"
start_nvd || exit 1
in_c2 $PEERS serve 8080 9090 &
in_c1 $PEERS serve 5555 &
listening() { in_ns $1 ss -Hlnt "sport = :$2" | grep -q .; }
wait_for listening $NSC2 9090 && wait_for listening $NSC1 5555 || fail "peers do not listen"

nvctl workload add client --ip $B >/dev/null &&
nvctl workload add web --ip $A >/dev/null &&
nvctl workload add other --ip $C >/dev/null &&
nvctl rule add --from nv.client --to nv.web --ports tcp/8080 --action allow >/dev/null &&
nvctl group mode nv.web protect >/dev/null &&
nvctl group mode nv.client monitor >/dev/null &&
nvctl group mode nv.other monitor >/dev/null &&
nvctl sensor assign nv.web sensor.creditcard --action alert >/dev/null &&
ok "client, web and other; web in protect, the others in monitor, a card sensor on web" ||
	fail "policy set-up"

get() { in_ns $1 $PEERS get $2 $3; }
# Warnings of both directions and a critical DLP alert, a second apart so
# that they are rows of their own.
for i in 1 2 3; do
	r=$(get $NSC1 $A 9090)
	[ "$r" = refused ] || fail "client -> web 9090: $r"
done
sleep 1.1
r=$(get $NSC3 $B 5555)
[ "$r" = "ok 5555" ] || fail "other -> client 5555 (monitor: passes): $r"
sleep 1.1
echo "pay with $CARD" | in_c1 socat -t 2 - TCP:$A:8080 >/dev/null 2>&1
dlp_seen() { [ "$(events_where 'e["type"]=="dlp"')" -ge 1 ]; }
wait_for dlp_seen && ok "violations and a DLP alert recorded" ||
	fail "no DLP event: $(nvctl events --limit 0)"
settled() {
	local a b
	a=$(sqlite3 $T/nvd.db "select count(*) from events")
	sleep 1.5
	b=$(sqlite3 $T/nvd.db "select count(*) from events")
	[ "$a" = "$b" ]
}
wait_for settled

# --- sqlite3 and nvctl events agree -------------------------------------------
db() { sqlite3 $T/nvd.db "$@"; }
n_db=$(db "select count(*) from events")
n_cli=$(nvctl --json events --limit 0 | jget 'len(j)')
s_db=$(db "select sum(count) from events")
s_cli=$(nvctl --json events --limit 0 | jget 'sum(e["count"] for e in j)')
[ "$n_db" = "$n_cli" ] && [ "$s_db" = "$s_cli" ] && [ "$n_db" -ge 3 ] &&
	ok "sqlite3 counts $n_db rows ($s_db events), nvctl events lists as many" ||
	fail "sqlite3 $n_db rows ($s_db events), nvctl $n_cli ($s_cli)"

# --- every filter -------------------------------------------------------------
# same_ids 'NVCTL ARGS' 'SQL WHERE': the ids nvctl lists are those the SQL
# selects, in its order; the filter keeps some rows and leaves out others.
same_ids() {
	local got want
	got=$(nvctl --json events $1 | jget '",".join(str(e["id"]) for e in j)')
	want=$(db "select group_concat(id) from (select id from events where $2 order by time desc, id desc ${3:-})")
	if [ -n "$want" ] && [ "$got" = "$want" ] && [ "$(echo "$want" | tr , '\n' | wc -l)" -lt "$n_db" ]; then
		ok "events $1: $got"
	else
		fail "events $1: nvctl '$got', sqlite3 '$want' (of $n_db rows)"
	fi
}
same_ids "--limit 0 --type dlp" "type = 'dlp'"
same_ids "--limit 0 --type violation" "type = 'violation'"
same_ids "--limit 0 --level critical" "level = 'critical'"
same_ids "--limit 0 --level warning" "level = 'warning'"
same_ids "--limit 0 --group nv.other" "src_group = 'nv.other' or dst_group = 'nv.other'"
same_ids "--limit 0 --workload web --type violation" \
	"(src_workload = 'web' or dst_workload = 'web') and type = 'violation'"
mid=$(db "select time from events order by time, id limit 1 offset 1")
same_ids "--limit 0 --since $mid" "time >= '$mid'"
same_ids "--limit 0 --until $mid" "time < '$mid'"
same_ids "--limit 2" "1" "limit 2"
all=$(nvctl --json events --limit 0 | jget '",".join(str(e["id"]) for e in j)')
want=$(db "select group_concat(id) from (select id from events order by time desc, id desc)")
[ "$all" = "$want" ] && ok "newest first: $all" || fail "order: nvctl $all, sqlite3 $want"
r=$(nvctl events --level fatal 2>&1); rc=$?
[ $rc = 2 ] && [ "$r" = "nvctl: unknown event level 'fatal' (expected info, warning or critical)" ] &&
	ok "a bad level: exit 2, '$r'" || fail "bad level: exit $rc: $r"

# --- events show: the DLP match whole -----------------------------------------
DLP=$(nvctl --json events --type dlp --limit 1 | jget 'j[0]["id"]')
show=$(nvctl events show $DLP)
echo "$show" | grep -q "^excerpt       \*\*\*\* \*\*\*\* \*\*\*\* 1111$" && ! echo "$show" | grep -q "$CARD" &&
	ok "events show $DLP: the excerpt, masked" || fail "events show $DLP: $show"
pcap=$(nvctl --json events show $DLP | jget 'j["pcap_path"]')
[ "$(nvctl --json events show $DLP | jget 'j["pcap_exists"]')" = True ] &&
	[ "$(od -An -tx1 -N4 "$pcap" | tr -d ' ')" = d4c3b2a1 ] &&
	echo "$show" | grep -q "^pcap          nvd-.*\.pcap ($pcap)$" &&
	ok "events show $DLP: its packet in $pcap" || fail "pcap of $DLP: '$pcap': $show"
echo "$show" | grep -q "^sensor        sensor.creditcard$" && echo "$show" | grep -q "^level         critical$" &&
	ok "events show $DLP: sensor and level" || fail "events show: $show"
r=$(nvctl events show 999999 2>&1); rc=$?
[ $rc = 1 ] && [ "$r" = "nvctl: no event 999999" ] && ok "events show of no event: exit 1" ||
	fail "events show 999999: exit $rc: $r"

# --- one JSON line per event on standard error --------------------------------
lines_match() {
	nvctl --json events --limit 0 > $T/events.json
	python3 - $T/events.json $T/nvd.log <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
lines = {}
for l in open(sys.argv[2], errors="replace"):
    if l.startswith('{"id":'):
        o = json.loads(l)
        lines[o["id"]] = o
bad = [r["id"] for r in rows if lines.get(r["id"]) != r]
print("%d rows, %d lines, %d differ %s" % (len(rows), len(lines), len(bad), bad[:5]))
sys.exit(1 if bad or len(lines) != len(rows) else 0)
PY
}
r=$(lines_match) && ok "a JSON line per event with its fields: $r" || fail "JSON lines: $r"

# --- retention ----------------------------------------------------------------
integrity() { [ "$(db 'pragma integrity_check')" = ok ]; }
reload_with() { write_conf "${CONF[@]}" "$@"; nvctl reload >/dev/null; }
# The reload writes an event of its own (policy change), newer than these.
newest=$(db "select min(id) from (select id from events order by id desc limit 2)")
reload_with "event_retention_rows = 2" || fail "reload"
two_left() { [ "$(db 'select count(*) from events')" = 2 ]; }
wait_for two_left && [ "$(db "select count(*) from events where id < $newest")" = 0 ] &&
	integrity && ok "event_retention_rows = 2: the newest two rows ($(db 'select group_concat(id) from events')) kept, integrity ok" ||
	fail "rows retention: $(db 'select id from events')"

reload_with "event_retention_rows = 0" "event_retention_days = 1" || fail "reload"
db "insert into events (time, type, action) values ('2020-01-01T00:00:00.000Z', 'waf', 'deny'),
	(strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-2 days'), 'waf', 'deny'),
	(strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-23 hours'), 'waf', 'alert')"
old_gone() { [ "$(db "select count(*) from events where type = 'waf'")" = 1 ]; }
wait_for old_gone && [ "$(db "select action from events where type = 'waf'")" = alert ] &&
	[ "$(db "select count(*) from events where time < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 days')")" = 0 ] &&
	[ "$(db 'select count(*) from events')" -ge 3 ] && integrity &&
	ok "event_retention_days = 1: the rows older than a day deleted, integrity ok" ||
	fail "age retention: $(db 'select id, time, type from events')"
deleted=$(nvctl --json status | jget 'j["events"]["deleted"]')
[ "$deleted" -ge 3 ] && ok "status counts $deleted rows deleted" || fail "events.deleted $deleted"

reload_with "pcap_retention_files = 1" || fail "reload"
for i in 1 2; do
	echo "pay with $CARD" | in_c1 socat -t 2 - TCP:$A:8080 >/dev/null 2>&1
done
pcaps() { ls $T/pcap | grep -c '^nvd-.*\.pcap$'; }
newest_pcap=
one_pcap() {
	newest_pcap=$(db "select pcap from events where pcap is not null order by id desc limit 1")
	[ "$(pcaps)" = 1 ] && [ -f "$T/pcap/$newest_pcap" ]
}
WAIT_FOR_S=20 wait_for one_pcap && ok "pcap_retention_files = 1: only the newest pcap ($newest_pcap) kept" ||
	fail "pcap retention: $(ls $T/pcap), newest $newest_pcap"

# --- syslog -------------------------------------------------------------------
# Without -f nvd logs to syslog: here a /dev/log of the test's own, in a
# mount namespace of nvd's own (a tmpfs on /dev holding the devices nvd
# opens), read by a receiver in ns h.  Not in a chroot, where / cannot be
# made private.
if mountpoint -q /; then
	stop_nvd || fail "stop"
	cat > $T/syslogd.py <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(65536).decode(errors="replace") + "\n")
        f.flush()
PY
	in_h python3 $T/syslogd.py $T/log.sock $T/syslog.txt &
	wait_for test -S $T/log.sock || fail "syslog receiver"
	write_conf "${CONF[@]}"
	nsenter --net=/run/netns/$NSH unshare -m --propagation private sh -c '
		mount -t tmpfs -o mode=755 tmpfs /dev &&
		mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 &&
		mknod -m 666 /dev/urandom c 1 9 && mknod -m 666 /dev/random c 1 8 &&
		touch /dev/log && mount --bind "$1/log.sock" /dev/log &&
		NOTIFY_SOCKET="$1/notify.sock" exec "$2" -c "$1/nvd.conf"' sh $T $NVD >> $T/nvd.log 2>&1 &
	NVD_PID=$!
	up() { $NVCTL -s $T/nvd.sock status >/dev/null 2>&1; }
	wait_for up || fail "nvd without -f did not start: $(tail $T/nvd.log)"
	before=$(db "select coalesce(max(id), 0) from events")
	r=$(get $NSC1 $A 9090)
	[ "$r" = refused ] || fail "client -> web 9090 after restart: $r"
	new_row() { [ "$(db "select count(*) from events where id > $before")" -ge 1 ]; }
	wait_for new_row || fail "no event after the restart"
	id=$(db "select min(id) from events where id > $before")
	in_syslog() { grep -q "^<28>.* nvd-event\[$NVD_PID\]: {\"id\":$id," $T/syslog.txt; }
	wait_for in_syslog && ok "syslog: event $id as a JSON line, tag nvd-event, daemon.warning" ||
		fail "syslog: $(tail -5 $T/syslog.txt)"
	line=$(grep " nvd-event\[$NVD_PID\]: {\"id\":$id," $T/syslog.txt | sed 's/^[^{]*//')
	[ "$(echo "$line" | jget 'j["type"]+" "+j["dst_group"]+" "+str(j["dst_port"])+" "+j["action"]')" = \
		"violation nv.web 9090 deny" ] && ok "syslog: the line is the event's JSON" ||
		fail "syslog line: $line"
	grep -q " nvd\[$NVD_PID\]: nvd .* ready" $T/syslog.txt && ok "nvd's own log has its own tag" ||
		fail "nvd's log: $(head -3 $T/syslog.txt)"
	stop_nvd || fail "stop"
else
	log "syslog part skipped: / is no mount point (a chroot)"
	stop_nvd || fail "stop"
fi
integrity && ok "integrity_check after stop" || fail "integrity_check"
finish
