#!/bin/bash
# An auditor's sqlite3 holds BEGIN EXCLUSIVE on nvd's database for 8 s
# (issue 15) while 40 connections to a protect-mode workload are denied:
# each is refused at once, nvctl status answers within a second all
# along, nvctl events answers from what was committed, a request that
# would write fails after a short wait instead of holding the control
# socket, an allowed connection passes; once the lock ends all 40
# violations are in the database (the writer kept them in memory and
# tried again), none dropped.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
command -v sqlite3 >/dev/null || skip "needs sqlite3"

topo_up
write_conf "queues = 65-66"
start_nvd || exit 1
protect_web && ok "web in protect, client -> web tcp/8080 allowed" || fail "policy set-up"

get() { web_get $1; }
denied() { sqlite3 $T/nvd.db "select coalesce(sum(count), 0) from events where dst_port = 9090"; }
r=$(get 9090)
[ "$r" = refused ] || fail "9090 before the lock: $r"
one() { [ "$(denied)" = 1 ]; }
wait_for one || fail "the first violation is not in the database"

# --- the lock -----------------------------------------------------------------
mkfifo $T/lock.in
sqlite3 $T/nvd.db < $T/lock.in > $T/lock.out 2>&1 &
LOCKER=$!
exec 7> $T/lock.in
echo "BEGIN EXCLUSIVE;" >&7
# another writer is refused at once (the sqlite3 shell waits for no lock)
locked() { ! sqlite3 $T/nvd.db "begin immediate; rollback;" 2>/dev/null; }
wait_for locked || { fail "sqlite3 did not lock: $(cat $T/lock.out)"; exec 7>&-; finish; }
t0=$(date +%s%N)
ms() { echo $((($(date +%s%N) - $1) / 1000000)); }

refused=0
for i in $(seq 1 40); do
	[ "$(get 9090)" = refused ] && refused=$((refused + 1))
done
[ $refused = 40 ] && ok "locked: 40 connections to tcp/9090 refused at once" ||
	fail "locked: $refused of 40 refused"
[ "$(get 8080)" = "ok 8080" ] && ok "locked: the allowed tcp/8080 passes" || fail "locked: 8080"
slowest=0
for i in 1 2 3 4 5; do
	s=$(date +%s%N)
	nvctl status >/dev/null || fail "status during the lock"
	d=$(ms $s)
	[ $d -gt $slowest ] && slowest=$d
	sleep 0.2
done
[ $slowest -lt 1000 ] && ok "locked: nvctl status answers within a second (slowest $slowest ms)" ||
	fail "locked: nvctl status took $slowest ms"
n=$(nvctl --json events --limit 0 | jget 'sum(e["count"] for e in j if e["dst_port"] == 9090)')
[ "$n" = 1 ] && ok "locked: nvctl events answers with what was committed" ||
	fail "locked: events: $n"
s=$(date +%s%N)
r=$(nvctl group add locked-out --criteria name=x 2>&1); rc=$?
d=$(ms $s)
[ $rc = 1 ] && [ $d -lt 2000 ] && echo "$r" | grep -q "locked" &&
	ok "locked: a request that writes fails in $d ms: $r" ||
	fail "locked: group add: exit $rc in $d ms: $r"
[ "$(denied)" = 1 ] || fail "rows went in during the lock?"
left=$((8000 - $(ms $t0)))
[ $left -gt 0 ] && sleep $((left / 1000)).$(printf '%03d' $((left % 1000)))
echo "COMMIT;" >&7
exec 7>&-
wait $LOCKER

# --- after it -----------------------------------------------------------------
all_in() { [ "$(denied)" = 41 ]; }
wait_for all_in && ok "after the lock: every one of the 40 violations is in the database" ||
	fail "after the lock: $(( $(denied) - 1 )) of 40 violations stored"
st=$(nvctl --json status)
[ "$(echo "$st" | jget 'j["events"]["dropped"]')" = 0 ] &&
	[ "$(echo "$st" | jget 'j["events"]["busy"]')" -ge 1 ] &&
	ok "status: nothing dropped, $(echo "$st" | jget 'j["events"]["busy"]') batches put off" ||
	fail "status events: $(echo "$st" | jget 'j["events"]')"
grep -q "records lost" $T/nvd.log && fail "the log says records were lost: $(grep 'records lost' $T/nvd.log)"
nvctl group add locked-out --criteria name=x >/dev/null && ok "unlocked: the same request succeeds" ||
	fail "unlocked: group add"
[ "$(sqlite3 $T/nvd.db 'pragma integrity_check')" = ok ] && ok "integrity_check" || fail "integrity"
stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
finish
