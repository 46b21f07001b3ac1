#!/bin/bash
# The control socket as operators and other local users meet it (issue 13):
# a member of group nvd-read may run the requests that read and is refused
# the others with a message and exit 1; a user in neither group is refused
# at connect; a client that connects and sends nothing does not delay
# another request (answered while the staller is still connected, then the
# staller is closed); 40 stalled clients leave a 41st request refused
# cleanly or answered, never hung, and stalled readers leave root room.
#
# The reader is a throwaway user made here, and group nvd-read too when the
# host has none; both are removed at exit.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
for c in useradd userdel groupadd groupdel setpriv socat timeout; do
	command -v $c >/dev/null || skip "needs $c"
done

READ_GROUP=nvd-read		# CTL_GROUP_READ
RUSER=nvdt$$r
MADE_GROUP=
MADE_USER=
users_cleanup() {
	[ -n "$MADE_USER" ] && userdel $RUSER 2>/dev/null
	[ -n "$MADE_GROUP" ] && groupdel $READ_GROUP 2>/dev/null
	MADE_USER= MADE_GROUP=
}
trap 'users_cleanup; cleanup' EXIT

if ! getent group $READ_GROUP >/dev/null; then
	groupadd --system $READ_GROUP || { fail "groupadd $READ_GROUP"; finish; }
	MADE_GROUP=1
fi
useradd --system -M -N -g nogroup -G $READ_GROUP -s /usr/sbin/nologin $RUSER ||
	{ fail "useradd $RUSER"; finish; }
MADE_USER=1

expect() {	# expect DESC WANT_RC CMD...: runs CMD, checks its exit status
	local desc=$1 want=$2; shift 2
	"$@" > $T/out 2> $T/err
	local rc=$?
	[ $rc = $want ] && ok "$desc (exit $rc)" || { fail "$desc: exit $rc, wanted $want"; cat $T/out $T/err; }
}
as_reader() { setpriv --reuid=$RUSER --regid=nogroup --init-groups "$@"; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

topo_up
write_conf "queues = 31"
start_nvd || exit 1
chmod 711 $T		# others reach the socket; the socket's own rights decide

# --- the socket file -----------------------------------------------------------
[ "$(stat -c %a $T/nvd.sock)" = 660 ] && ok "socket mode 0660" || fail "socket mode $(stat -c %a $T/nvd.sock)"
want_group=root
getent group nvd >/dev/null && want_group=nvd
[ "$(stat -c %G $T/nvd.sock)" = $want_group ] && ok "socket group $want_group" ||
	fail "socket group $(stat -c %G $T/nvd.sock)"
python3 - $T/nvd.sock $(getent group $READ_GROUP | cut -d: -f3) <<'PY' &&
import os, struct, sys
x = os.getxattr(sys.argv[1], "system.posix_acl_access")
entries = [struct.unpack("<HHI", x[i:i + 8]) for i in range(4, len(x), 8)]
assert (8, 6, int(sys.argv[2])) in entries, entries	# ACL_GROUP, rw, nvd-read
PY
	ok "an ACL entry gives group $READ_GROUP rw" || fail "no ACL entry for $READ_GROUP"

# --- the reader ----------------------------------------------------------------
expect "nvd-read: nvctl status" 0 as_reader $NVCTL -s $T/nvd.sock status
grep -q "^nvd .* up " $T/out && ok "the reader sees the status" || fail "status: $(head -2 $T/out)"
expect "nvd-read: nvctl rule list" 0 as_reader $NVCTL -s $T/nvd.sock rule list
expect "nvd-read: nvctl --json events" 0 as_reader $NVCTL -s $T/nvd.sock --json events
expect "nvd-read: nvctl group show containers" 0 as_reader $NVCTL -s $T/nvd.sock group show containers
DENIED="nvctl: permission denied: group nvd-read may only read (status, list, show, events, conversations, dns list, sensor test, response test)"
expect "nvd-read: nvctl group mode is refused" 1 as_reader $NVCTL -s $T/nvd.sock group mode containers protect
[ "$(cat $T/err)" = "$DENIED" ] && ok "the refusal says why" || fail "refusal: $(cat $T/err)"
[ ! -s $T/out ] && ok "nothing on stdout" || fail "stdout: $(cat $T/out)"
nvctl --json group show containers | jget 'j["mode"]' | grep -qx discover &&
	ok "the mode is unchanged" || fail "mode changed: $(nvctl group show containers | head -3)"
expect "nvd-read: nvctl group add is refused" 1 as_reader $NVCTL -s $T/nvd.sock group add rogue --criteria name=x
expect "the refused group was not made" 1 nvctl group show rogue
expect "nvd-read: nvctl reload is refused" 1 as_reader $NVCTL -s $T/nvd.sock reload
[ "$(cat $T/err)" = "$DENIED" ] && ok "reload refused with the message" || fail "reload: $(cat $T/err)"
expect "root: nvctl group mode" 0 nvctl group mode containers monitor

# --- anyone else ---------------------------------------------------------------
expect "nobody: nvctl status" 1 as_nobody $NVCTL -s $T/nvd.sock status
[ "$(cat $T/err)" = "nvctl: cannot reach nvd at $T/nvd.sock: Permission denied (root and groups nvd and nvd-read may use it)" ] &&
	ok "nobody is refused at connect" || fail "nobody: $(cat $T/err)"

# --- a client that stalls ------------------------------------------------------
# It connects and sends nothing; while it is connected, nvctl status is
# answered; then nvd closes it, telling it why.  The order is what is
# measured: after nvctl returned, the staller's socket is still open.
python3 - $T/nvd.sock $NVCTL > $T/stall 2>&1 <<'PY'
import socket, subprocess, sys
path, nvctl = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.connect(path)
r = subprocess.run([nvctl, "-s", path, "status"], capture_output=True, timeout=30)
s.setblocking(False)
try:
    state = "closed" if s.recv(1, socket.MSG_PEEK) == b"" else "answered"
except BlockingIOError:
    state = "open"
s.settimeout(10)
reply = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    reply += d
print(r.returncode, state, reply[12:].decode(errors="replace"))
PY
read -r st_rc st_state st_msg < $T/stall
[ "$st_rc" = 0 ] && ok "nvctl status answered beside a staller" || fail "status beside a staller: $(cat $T/stall)"
[ "$st_state" = open ] && ok "answered while the staller was still connected" ||
	fail "the staller was $st_state before nvctl status was answered"
[ "$st_msg" = "no whole request within 2000 ms" ] && ok "the staller was closed and told why" ||
	fail "staller: $(cat $T/stall)"

# --- 40 stalled clients --------------------------------------------------------
# stallers N RUNNER...: N clients that send nothing; their pids in $STALLERS,
# what each got in $T/st.I.
stallers() {
	local n=$1 i
	shift
	STALLERS=
	for i in $(seq 1 $n); do
		"$@" timeout 15 socat -u UNIX-CONNECT:$T/nvd.sock STDOUT > $T/st.$i 2>&1 &
		STALLERS="$STALLERS $!"
	done
}
busy_count() { grep -la "nvd is busy" $T/st.* 2>/dev/null | wc -l; }
busy_at_least() { [ "$(busy_count)" -ge $1 ]; }
stallers_gone() {
	local p
	for p in $STALLERS; do kill -0 $p 2>/dev/null && return 1; done
	return 0
}

# As root: 32 are served, 8 told nvd is busy; the 41st is refused or answered.
rm -f $T/st.*
stallers 40
WAIT_FOR_S=5 wait_for busy_at_least 8 || log "only $(busy_count) stallers were told nvd is busy"
timeout 10 $NVCTL -s $T/nvd.sock status > $T/out 2> $T/err
rc=$?
if [ $rc = 0 ]; then
	ok "a 41st request beside 40 stallers was answered"
elif [ $rc = 1 ] && grep -qx "nvctl: nvd is busy serving 32 clients; try again" $T/err; then
	ok "a 41st request beside 40 stallers was refused cleanly: $(cat $T/err)"
else
	fail "a 41st request beside 40 stallers: exit $rc: $(cat $T/err)"
fi
[ "$(busy_count)" = 8 ] && ok "8 stallers told nvd is busy" || fail "$(busy_count) stallers told nvd is busy"
WAIT_FOR_S=10 wait_for stallers_gone && ok "nvd closed the 40 stallers" || fail "stallers still connected"
[ "$(grep -la "no whole request within 2000 ms" $T/st.* | wc -l)" = 32 ] &&
	ok "32 stallers were told they sent no request" || fail "$(grep -la "no whole request" $T/st.* | wc -l) of 32 told"
expect "nvctl status after the stallers" 0 nvctl status

# As the reader: they hold 24 slots at most, and root is answered.
rm -f $T/st.*
stallers 40 setpriv --reuid=$RUSER --regid=nogroup --init-groups
WAIT_FOR_S=5 wait_for busy_at_least 16 || log "only $(busy_count) reader stallers were told nvd is busy"
expect "root beside 40 stalled readers" 0 timeout 10 $NVCTL -s $T/nvd.sock status
[ "$(busy_count)" = 16 ] && ok "16 stalled readers told nvd is busy" || fail "$(busy_count) readers told nvd is busy"
WAIT_FOR_S=10 wait_for stallers_gone || fail "reader stallers still connected"
grep -q "control: .* clients connected, refusing more" $T/nvd.log && ok "the refusals are logged" ||
	fail "no log of the refusals"
kill -0 $NVD_PID 2>/dev/null && ok "nvd still runs" || fail "nvd died"
stop_nvd && ok "nvd stops cleanly" || fail "nvd exit status"
finish
