#!/bin/bash
# nvd and nvctl as a user meets them: options, --check-config messages,
# exit codes, the control socket's permissions and robustness, reload.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root

expect() {	# expect DESC WANT_RC CMD...: runs CMD, checks its exit status
	local desc=$1 want=$2; shift 2
	"$@" > $T/out 2> $T/err
	local rc=$?
	[ $rc = $want ] && ok "$desc (exit $rc)" || { fail "$desc: exit $rc, wanted $want"; cat $T/out $T/err; }
}

# --- nvd options and --check-config ---
expect "nvd --version" 0 $NVD --version
grep -q "^nvd [0-9]" $T/out || fail "version output: $(cat $T/out)"
expect "nvd with an unknown option" 2 $NVD --bogus
expect "nvd with a stray argument" 2 $NVD stray
printf 'queues = 0-3\nsteer = docker0 veth*\nstream_depth = 512k\n' > $T/good.conf
expect "--check-config on a good file" 0 $NVD --check-config -c $T/good.conf
[ -s $T/out ] || [ -s $T/err ] && fail "--check-config printed on success" || ok "--check-config is quiet on success"
printf '# comment\nqueues = 3-1\nfail_mode = maybe\n\nbogus = 1\nsteer = ve*th\nmax_flows = 0\n' > $T/bad.conf
expect "--check-config on a bad file" 1 $NVD --check-config -c $T/bad.conf
cat > $T/want <<W
$T/bad.conf:2: bad value for queues: '3-1' (the range must go upward)
$T/bad.conf:3: bad value for fail_mode: 'maybe' (expected open or closed)
$T/bad.conf:5: unknown key 'bogus'
$T/bad.conf:6: bad interface in steer: 've*th' ('*' only at the end of a name)
$T/bad.conf:7: bad value for max_flows: '0' (expected 1-100000000)
W
diff $T/want $T/err > $T/diff && ok "one FILE:LINE: message per error" || { fail "messages differ:"; cat $T/diff; }
expect "--check-config on a missing file" 1 $NVD --check-config -c $T/none.conf
grep -q "^$T/none.conf: cannot open: No such file or directory" $T/err && ok "missing file named" ||
	fail "missing file message: $(cat $T/err)"

# --- nvctl without a daemon ---
expect "nvctl with no command" 2 $NVCTL
expect "nvctl with an unknown option" 2 $NVCTL --bogus status
expect "nvctl with no nvd listening" 1 $NVCTL -s $T/nothing.sock status
grep -q "^nvctl: cannot reach nvd at $T/nothing.sock" $T/err && ok "unreachable socket named" ||
	fail "unreachable message: $(cat $T/err)"

# --- with a daemon ---
topo_up
write_conf "queues = 9"
start_nvd || exit 1
[ "$(stat -c %a $T/nvd.sock)" = 660 ] && ok "socket mode 0660" || fail "socket mode $(stat -c %a $T/nvd.sock)"
expect "nvctl status" 0 nvctl status
grep -q "^nvd .* up " $T/out && ok "status names version and uptime" || fail "status: $(head -2 $T/out)"
expect "nvctl --json status" 0 nvctl --json status
jget 'j["queues"][0]["queue"]' < $T/out | grep -qx 9 && ok "json status is JSON with queue 9" || fail "json status"
NVCTL_SOCKET=$T/nvd.sock expect "NVCTL_SOCKET is used" 0 $NVCTL status
expect "nvctl unknown command" 2 nvctl frobnicate
grep -qx "nvctl: unknown command 'frobnicate'" $T/err && ok "unknown command named" || fail "$(cat $T/err)"
expect "nvctl status with an extra argument" 2 nvctl status extra
grep -qx "nvctl: usage: nvctl status" $T/err && ok "usage shown" || fail "$(cat $T/err)"

# Unprivileged users are refused by the socket's mode.
if command -v setpriv >/dev/null; then
	expect "nvctl as nobody" 1 setpriv --reuid=65534 --regid=65534 --clear-groups $NVCTL -s $T/nvd.sock status
fi

# Hostile clients do not hurt the daemon.
printf 'garbage that is not a request' | socat -t1 - UNIX-CONNECT:$T/nvd.sock >/dev/null 2>&1
head -c 100000 /dev/urandom | socat -t1 - UNIX-CONNECT:$T/nvd.sock >/dev/null 2>&1
(python3 - $T/nvd.sock <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(struct.pack("=HHHHI", 0x4e56, 1, 1, 0, 0xffffffff))	# absurd length
print(s.recv(100)); s.close()
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(struct.pack("=HHHHI", 0x4e56, 1, 1, 0, 4) + b"abcd")	# not NUL-ended
print(s.recv(100)); s.close()
PY
) >/dev/null 2>&1
expect "status after hostile clients" 0 nvctl status

# A second nvd on the same socket refuses to start and leaves the first alone.
expect "second nvd on the same socket" 1 nsenter --net=/run/netns/$NSH $NVD -f -c $T/nvd.conf
grep -q "in use" $T/err && ok "second nvd says the socket is in use" || fail "$(cat $T/err)"
expect "first nvd still answers" 0 nvctl status

# Reload: a broken file is refused and the running config kept.
cp $T/nvd.conf $T/nvd.conf.good
echo "steer = eth0 ~bad/" >> $T/nvd.conf
expect "reload with a broken config" 1 nvctl reload
grep -q "^nvctl: $T/nvd.conf:[0-9]*: " $T/err && ok "reload error has FILE:LINE" || fail "$(cat $T/err)"
in_h nft list table inet $ID 2>/dev/null | grep -q '"br0"' && ok "rules unchanged after a failed reload" || fail "rules changed"
# A good one is applied: steer a new interface.
sed 's/^steer = br0$/steer = br0 veth*/' $T/nvd.conf.good > $T/nvd.conf
expect "reload with a new steer list" 0 nvctl reload
in_h nft list table inet $ID 2>/dev/null | grep -q '"veth\*"' && ok "reload installed the veth* rules" ||
	fail "veth* not in the table: $(in_h nft list table inet $ID 2>&1 | head -30)"
# SIGHUP does the same.
cp $T/nvd.conf.good $T/nvd.conf
kill -HUP $NVD_PID; sleep 0.5
in_h nft list table inet $ID 2>/dev/null | grep -q '"veth\*"' && fail "SIGHUP did not reload" || ok "SIGHUP reloaded"
expect "status after reloads" 0 nvctl status

stop_nvd || fail "nvd exit status $?"
finish
