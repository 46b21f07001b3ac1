# lib.sh: the world an integration test builds for itself, sourced by each
# tests/integration/t_*.sh.  Everything lives in network namespaces named
# after the test's pid and is removed on exit, also when the test fails.
#
#   ns "h"  : the "Docker host": bridge br0 198.18.0.1/24 fd00:18::1/64,
#             where nvd runs and steers br0
#   ns "c1" : a "container" 198.18.0.11 fd00:18::11, veth into br0
#   ns "c2" : a "container" 198.18.0.12 fd00:18::12, veth into br0
#
# Only addresses from 198.18.0.0/15 and fd00::/8 are used (TESTING.md).
#
# Namespaces are made with unshare and entered with nsenter, not with
# "ip netns add/exec": those remount / and /sys, which fails in a chroot
# (the fresh-machine check runs the suite in one).

set -u
B=${NVD_BUILDDIR:?run through make check}
S=${NVD_SRCDIR:?run through make check}
NVD=$B/src/nvd
NVCTL=$B/src/nvctl
ID=nvdt$$
NSH=$ID-h
NSC1=$ID-c1
NSC2=$ID-c2
T=$(mktemp -d /tmp/$ID.XXXX)
NVD_PID=
FAILS=0

log() { printf '%s: %s\n' "${0##*/}" "$*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { log "ok: $*"; }
skip() { log "SKIP: $*"; exit 77; }

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	command -v ip >/dev/null || skip "needs iproute2"
	command -v nsenter >/dev/null || skip "needs util-linux"
	ns_add $ID-probe 2>/dev/null || skip "cannot make network namespaces"
	ip netns del $ID-probe
}

# ns_add NAME: a network namespace kept at /run/netns/NAME.
ns_add() {
	mkdir -p /run/netns
	touch /run/netns/$1
	unshare --net=/run/netns/$1 true || { rm -f /run/netns/$1; return 1; }
}

# in_ns NAME CMD...: runs CMD in the namespace.  Started with & from the
# test itself (not through a shell function), $! is CMD's own pid.
in_ns() { local ns=$1; shift; nsenter --net=/run/netns/$ns "$@"; }
in_h() { in_ns $NSH "$@"; }
in_c1() { in_ns $NSC1 "$@"; }
in_c2() { in_ns $NSC2 "$@"; }

# Stops every process in the test's namespaces, then removes them.
cleanup() {
	local ns pid
	exec 2>/dev/null	# no "Killed" job notices for the servers stopped here
	if [ -n "$NVD_PID" ] && kill -0 "$NVD_PID" 2>/dev/null; then
		kill -9 "$NVD_PID" 2>/dev/null
	fi
	for ns in $NSC1 $NSC2 $NSH; do
		for pid in $(ip netns pids $ns 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
	done
	for ns in $NSC1 $NSC2 $NSH; do
		ip netns del $ns 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

topo_up() {
	local c n
	ns_add $NSH
	in_h ip link set lo up
	in_h ip link add br0 type bridge
	in_h ip addr add 198.18.0.1/24 dev br0
	in_h ip addr add fd00:18::1/64 dev br0 nodad
	in_h ip link set br0 up
	n=11
	for c in $NSC1 $NSC2; do
		ns_add $c
		in_ns $c ip link set lo up
		ip link add veth$n netns $NSH type veth peer name eth0 netns $c
		in_h ip link set veth$n master br0 up
		in_ns $c ip addr add 198.18.0.$n/24 dev eth0
		in_ns $c ip addr add fd00:18::$n/64 dev eth0 nodad
		in_ns $c ip link set eth0 up
		in_ns $c ip route add default via 198.18.0.1
		n=$((n + 1))
	done
	# Bridged traffic must pass the inet hooks (br_netfilter).
	in_h sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null
	in_h sysctl -qw net.bridge.bridge-nf-call-ip6tables=1 2>/dev/null
	in_h sysctl -qw net.ipv4.ip_forward=1
}

# write_conf [key = value lines...]: the test's nvd.conf in $T/nvd.conf.
write_conf() {
	{
		echo "database = $T/nvd.db"
		echo "control_socket = $T/nvd.sock"
		echo "nft_table = $ID"
		echo "steer = br0"
		echo "docker_socket ="
		echo "log_level = debug"
		for l in "$@"; do echo "$l"; done
	} > $T/nvd.conf
}

# start_nvd: runs nvd in ns h and waits until it answers on its socket.
start_nvd() {
	# Not through in_h: $! must be nvd itself, not a subshell.
	nsenter --net=/run/netns/$NSH $NVD -f -c $T/nvd.conf >> $T/nvd.log 2>&1 &
	NVD_PID=$!
	for _ in $(seq 1 100); do
		if $NVCTL -s $T/nvd.sock status >/dev/null 2>&1; then
			return 0
		fi
		kill -0 $NVD_PID 2>/dev/null || break
		sleep 0.1
	done
	log "nvd did not start:"; cat $T/nvd.log
	return 1
}

stop_nvd() {
	[ -n "$NVD_PID" ] || return 0
	kill -TERM $NVD_PID 2>/dev/null
	wait $NVD_PID
	local rc=$?
	NVD_PID=
	return $rc
}

nvctl() { $NVCTL -s $T/nvd.sock "$@"; }

# jget EXPR: reads nvctl --json status from stdin, prints a Python expression of it (j).
jget() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

table_present() { in_h nft list table inet $ID >/dev/null 2>&1; }

finish() {
	if [ $FAILS -gt 0 ]; then
		log "$FAILS check(s) failed; nvd log:"
		[ -f $T/nvd.log ] && tail -40 $T/nvd.log
		exit 1
	fi
	exit 0
}
