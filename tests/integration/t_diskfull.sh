#!/bin/bash
# A full disk under the database (issue 15): nvd's database on a small
# tmpfs of its own mount namespace, filled up while nvd runs.  The events
# that cannot be stored are counted as dropped and the disk logged once;
# packet handling goes on (protect still refuses, the allowed port still
# passes); once there is room again the next events are stored, the log
# says so, and the database passes PRAGMA integrity_check.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
command -v sqlite3 >/dev/null || skip "needs sqlite3"
mountpoint -q / || skip "needs a mount namespace of its own (not in a chroot)"
DIR=$T/small

topo_up
write_conf "queues = 71-72"
sed -i "s|^database = .*|database = $DIR/nvd.db|" $T/nvd.conf
mkdir -p $DIR
# Not through start_nvd: nvd in a mount namespace with the tmpfs.
nsenter --net=/run/netns/$NSH unshare -m --propagation private sh -c \
	'mount -t tmpfs -o size=8m tmpfs "$1" && exec "$2" -f -c "$3"' \
	sh $DIR $NVD $T/nvd.conf >> $T/nvd.log 2>&1 &
NVD_PID=$!
up() { nvctl status >/dev/null 2>&1; }
wait_for up || { fail "nvd did not start: $(tail $T/nvd.log)"; finish; }
in_mnt() { nsenter -m -t $NVD_PID "$@"; }
db() { in_mnt sqlite3 $DIR/nvd.db "$@"; }
[ "$(in_mnt stat -f -c %T $DIR)" = tmpfs ] && ok "the database on a tmpfs of 8 MiB" ||
	fail "no tmpfs under the database"

protect_web || fail "policy set-up"
get() { web_get $1; }
denied() { db "select coalesce(sum(count), 0) from events where dst_port = 9090"; }
status() { nvctl --json status | jget "j['events']['$1']"; }
[ "$(get 9090)" = refused ] || fail "9090"
one() { [ "$(denied)" = 1 ]; }
wait_for one && ok "a violation stored" || fail "no violation stored"

# --- full -----------------------------------------------------------------------
in_mnt sh -c "dd if=/dev/zero of=$DIR/fill bs=64k >/dev/null 2>&1; true"
[ "$(in_mnt stat -f -c %a $DIR)" = 0 ] && ok "the disk is full" || fail "not full: $(in_mnt df $DIR)"
# Connections a second apart: each violation is a row of its own.
round() {
	local n=0
	for i in 1 2 3; do
		[ "$(get 9090)" = refused ] && n=$((n + 1))
		sleep 1.1
	done
	[ "$(get 8080)" = "ok 8080" ] && n=$((n + 1))
	echo $n
}
[ "$(round)" = 4 ] && ok "full: 9090 still refused, 8080 still passes" || fail "full: packet handling"
lost() { [ "$(status disk_full)" -ge 1 ]; }
wait_for lost && ok "full: $(status disk_full) records lost to it, $(status dropped) dropped" ||
	fail "full: status $(nvctl --json status | jget 'j["events"]')"
[ "$(nvctl --json status | jget 'int(j["events"]["dropped"] >= j["events"]["disk_full"])')" = 1 ] ||
	fail "dropped counts the disk's losses: $(nvctl --json status | jget 'j["events"]')"
before=$(status disk_full)
[ "$(round)" = 4 ] || fail "full: packet handling, second round"
more_lost() { [ "$(status disk_full)" -gt $before ]; }
wait_for more_lost || fail "full: second round not counted"
n=$(grep -c "events are dropped (counted) until there is room" $T/nvd.log)
[ "$n" = 1 ] && ok "full: logged once: $(grep -m1 'until there is room' $T/nvd.log)" ||
	fail "full: logged $n times"
[ "$(denied)" = 1 ] || fail "rows went in on a full disk?"

# --- room again -----------------------------------------------------------------
in_mnt rm $DIR/fill
[ "$(get 9090)" = refused ] || fail "9090 after"
stored() { [ "$(denied)" -ge 2 ]; }
wait_for stored && ok "room again: the next violation is stored" || fail "room again: nothing stored"
grep -q "the database has room again" $T/nvd.log && ok "room again: logged" ||
	fail "room again: not logged"
[ "$(db 'pragma integrity_check')" = ok ] && ok "integrity_check" || fail "integrity_check"
stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
finish
