#!/bin/bash
# What a dead nvd leaves behind: with fail_mode open traffic still passes
# (queue bypass flag), with closed it is dropped; a new nvd replaces the
# table an earlier one left and traffic flows again.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
command -v socat >/dev/null || skip "needs socat"

topo_up
nsenter --net=/run/netns/$NSC2 socat TCP-LISTEN:5001,reuseaddr,fork EXEC:'/bin/echo pong' &
# A UDP echo without socat's fork+exec, which races on its reply pipe.
nsenter --net=/run/netns/$NSC2 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5002))
while True:
	d, a = s.recvfrom(2048)
	s.sendto(b"pong\n", a)' &
sleep 0.3

tcp_ok() { [ "$(in_c1 socat -T2 - TCP:198.18.0.12:5001,connect-timeout=2 </dev/null 2>/dev/null)" = pong ]; }
# Up to 3 tries: a lost datagram is not a verdict (and "blocked" must
# then fail all three).
udp_ok() {
	for _ in 1 2 3; do
		[ "$(echo ping | in_c1 socat -T1 - UDP:198.18.0.12:5002 2>/dev/null)" = pong ] && return 0
	done
	return 1
}

tcp_ok && ok "tcp passes without nvd" || fail "tcp does not pass even without nvd"

# --- fail_mode open ---
write_conf "queues = 7-8" "fail_mode = open"
start_nvd || exit 1
tcp_ok && ok "open: tcp passes with nvd" || fail "open: tcp with nvd"
kill -9 $NVD_PID; wait $NVD_PID 2>/dev/null; NVD_PID=
table_present && ok "open: kill -9 leaves the table" || fail "open: table gone after kill -9"
tcp_ok && ok "open: tcp passes with nvd dead" || fail "open: tcp blocked with nvd dead"
udp_ok && ok "open: udp passes with nvd dead" || fail "open: udp blocked with nvd dead"

# --- fail_mode closed, replacing the table the dead nvd left ---
write_conf "queues = 7-8" "fail_mode = closed"
start_nvd || exit 1
tcp_ok && ok "closed: tcp passes with nvd" || fail "closed: tcp with nvd"
kill -9 $NVD_PID; wait $NVD_PID 2>/dev/null; NVD_PID=
tcp_ok && fail "closed: tcp passes with nvd dead" || ok "closed: tcp blocked with nvd dead"
udp_ok && fail "closed: udp passes with nvd dead" || ok "closed: udp blocked with nvd dead"
in_c1 ping -c1 -W1 -q 198.18.0.12 >/dev/null 2>&1 && fail "closed: ping passes with nvd dead" ||
	ok "closed: ping blocked with nvd dead"

# A new nvd takes over and traffic flows again; SIGTERM then lets it pass.
start_nvd || exit 1
tcp_ok && ok "restart: tcp passes again" || fail "restart: tcp still blocked"
stop_nvd || fail "nvd exit status $?"
table_present && fail "table present after SIGTERM" || ok "table removed"
tcp_ok && ok "tcp passes after nvd stopped cleanly" || fail "tcp blocked after clean stop"
finish
