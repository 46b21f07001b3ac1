# lib.sh: the world an integration test builds for itself, sourced by each
# tests/integration/t_*.sh.  Everything lives in network namespaces named
# after the test's pid and is removed on exit, also when the test fails.
#
#   ns "h"  : the "Docker host": bridge br0 198.18.0.1/24 fd00:18::1/64,
#             where nvd runs and steers br0
#   ns "c1" : a "container" 198.18.0.11 fd00:18::11, veth into br0
#   ns "c2" : a "container" 198.18.0.12 fd00:18::12, veth into br0
#   more    : container_add NS N after topo_up (198.18.0.N fd00:18::N)
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
	docker_cleanup		# before the namespace's processes: containers first
	for ns in $NSC1 $NSC2 $NS_MORE $NSH; do
		for pid in $(ip netns pids $ns 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
	done
	for ns in $NSC1 $NSC2 $NS_MORE $NSH; do
		ip netns del $ns 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# container_add NS N: a "container" 198.18.0.N fd00:18::N in a new
# namespace NS, its veth (vethN) in br0 (topo_up makes c1 and c2 so;
# a test may add more after topo_up, which cleanup() removes as well).
NS_MORE=
container_add() {
	local c=$1 n=$2
	case " $NSC1 $NSC2 " in *" $c "*) ;; *) NS_MORE="$NS_MORE $c" ;; esac
	ns_add $c
	in_ns $c ip link set lo up
	ip link add veth$n netns $NSH type veth peer name eth0 netns $c
	in_h ip link set veth$n master br0 up
	in_ns $c ip addr add 198.18.0.$n/24 dev eth0
	in_ns $c ip addr add fd00:18::$n/64 dev eth0 nodad
	in_ns $c ip link set eth0 up
	in_ns $c ip route add default via 198.18.0.1
}

topo_up() {
	ns_add $NSH
	in_h ip link set lo up
	in_h ip link add br0 type bridge
	in_h ip addr add 198.18.0.1/24 dev br0
	in_h ip addr add fd00:18::1/64 dev br0 nodad
	in_h ip link set br0 up
	container_add $NSC1 11
	container_add $NSC2 12
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
		echo "authz_socket ="		# no Docker authorization plugin but t_admission's
		echo "log_level = debug"
		# Never rules_dir's default, /etc/nvd/rules: what the host has
		# installed there is no business of a test.
		case " $* " in
		*" rules_dir ="*|*" rules_dir="*) ;;
		*) mkdir -p $T/no-rules; echo "rules_dir = $T/no-rules" ;;
		esac
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

# wait_for CMD...: polls CMD for $WAIT_FOR_S s (by the clock: some CMDs
# are slow), 10 by default.
wait_for() {
	local end=$((SECONDS + ${WAIT_FOR_S:-10}))
	while :; do
		"$@" && return 0
		[ $SECONDS -lt $end ] || return 1
		sleep 0.2
	done
}

# events_where PYEXPR: how many events satisfy PYEXPR (e is one event).
events_where() {
	nvctl --json events --limit 0 | jget "sum(1 for e in j if $1)"
}

table_present() { in_h nft list table inet $ID >/dev/null 2>&1; }

finish() {
	# nvd built with --enable-sanitizers reports there (scripts/setup
	# test runs the integration tests so).
	if [ -f $T/nvd.log ] && grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" $T/nvd.log; then
		fail "nvd's sanitizers reported:"
		grep -E -A20 "ERROR: (Address|Leak)Sanitizer|runtime error:" $T/nvd.log | head -60
	fi
	if [ $FAILS -gt 0 ]; then
		log "$FAILS check(s) failed; nvd log:"
		[ -f $T/nvd.log ] && tail -40 $T/nvd.log
		exit 1
	fi
	exit 0
}

# --- Docker (TESTING.md, layer 3) -------------------------------------------
# A private dockerd in the test's host namespace (ns "h"): its own socket,
# data and exec roots, config file and pid, bridge docker0 at
# 198.19.0.1/24, and Docker's own iptables(-nft) rules, all inside ns h.
# Containers come from a busybox-static image made with "docker import".
#
#   docker_up [dockerd args...]   start it (makes ns h if the test has not)
#   busybox_image                 import $DOCKER_IMAGE (nvdbox)
#   docker_run NAME [run options...] [-- command...]
#                                 a detached container, by default a web
#                                 server: httpd -f -p 8080 -h /www
#   dk ARGS...                    the docker client on the test's engine
#   docker_ip NAME, docker_pid NAME, in_ct NAME CMD... (CMD in its netns)
#   docker_stop NAME, docker_rm NAME, dockerd_stop, dockerd_start
#
# busybox in a container crashes on host-name lookups (TESTING.md): use it
# for servers, and run clients from the host with in_ct.  cleanup() calls
# docker_cleanup: containers, dockerd, mounts and data go with the test.

DOCKER=/usr/bin/docker		# docker.io's client (another may come first in PATH)
DOCKERD=$(command -v dockerd || echo /usr/sbin/dockerd)
DOCKER_IMAGE=nvdbox
DOCKER_DIR=			# $T/docker once docker_up ran
DOCKER_SOCK=
DOCKERD_PID=
DOCKERD_ARGS=()

need_docker() {
	[ -x $DOCKERD ] && [ -x $DOCKER ] || skip "needs docker.io"
	local bb
	bb=$(command -v busybox) || skip "needs busybox-static"
	ldd "$bb" >/dev/null 2>&1 && skip "needs busybox-static, not the dynamic busybox"
	return 0
}

dk() { $DOCKER -H unix://$DOCKER_SOCK "$@"; }

# dockerd runs in a mount namespace of its own, chrooted into a recursive
# bind mount of /: its mounts (overlays, network namespaces) stay out of
# the host's table and go with it, and / is a mount point for it even in
# a chroot such as the fresh-machine check's (where dockerd's image import
# fails with "remount /, flags: 0x84000: invalid argument" otherwise).
# A holder process keeps the namespace across dockerd restarts, as a host
# keeps its mounts.
DOCKER_NS_PID=
docker_mountns() {
	local prop=private
	# In a chroot / is no mount point and cannot be made private.
	mountpoint -q / || prop=unchanged
	mkdir -p $DOCKER_DIR/root
	nsenter --net=/run/netns/$NSH unshare -m --propagation $prop sh -c \
		'mount --rbind / "$1" && mount --make-rprivate "$1" && exec chroot "$1" sleep infinity' \
		sh $DOCKER_DIR/root &
	DOCKER_NS_PID=$!
	for _ in $(seq 1 50); do
		[ "$(cat /proc/$DOCKER_NS_PID/comm 2>/dev/null)" = sleep ] && return 0
		kill -0 $DOCKER_NS_PID 2>/dev/null || break
		sleep 0.1
	done
	log "cannot make dockerd's mount namespace"
	return 1
}

# dockerd_start: (re)starts dockerd with the dirs and arguments of docker_up
# and waits until it answers.
dockerd_start() {
	# Not through in_h: $! must be dockerd itself.
	nsenter -t $DOCKER_NS_PID -m -r -w --net=/run/netns/$NSH $DOCKERD \
		--config-file $DOCKER_DIR/daemon.json \
		--data-root $DOCKER_DIR/data --exec-root $DOCKER_DIR/exec \
		--pidfile $DOCKER_DIR/dockerd.pid -H unix://$DOCKER_SOCK \
		--bip 198.19.0.1/24 "${DOCKERD_ARGS[@]}" >> $DOCKER_DIR/dockerd.log 2>&1 &
	DOCKERD_PID=$!
	for _ in $(seq 1 300); do
		dk info >/dev/null 2>&1 && return 0
		kill -0 $DOCKERD_PID 2>/dev/null || break
		sleep 0.1
	done
	log "dockerd did not start:"; tail -20 $DOCKER_DIR/dockerd.log
	return 1
}

# dockerd_stop: SIGTERM and wait (it stops its containers unless --live-restore).
dockerd_stop() {
	[ -n "$DOCKERD_PID" ] || return 0
	kill -TERM $DOCKERD_PID 2>/dev/null
	wait $DOCKERD_PID 2>/dev/null
	DOCKERD_PID=
}

docker_up() {
	need_docker
	if [ ! -e /run/netns/$NSH ]; then
		ns_add $NSH
		in_h ip link set lo up
	fi
	DOCKER_DIR=$T/docker
	DOCKER_SOCK=$DOCKER_DIR/docker.sock
	DOCKERD_ARGS=("$@")
	mkdir -p $DOCKER_DIR
	echo '{}' > $DOCKER_DIR/daemon.json	# not the host's /etc/docker/daemon.json
	docker_mountns || return 1
	dockerd_start || return 1
	# Bridged container traffic must pass the inet hooks (dockerd sets
	# these too when it manages iptables).
	in_h sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null
	in_h sysctl -qw net.bridge.bridge-nf-call-ip6tables=1 2>/dev/null
	return 0
}

# busybox_image: $DOCKER_IMAGE from the host's busybox-static, no registry.
busybox_image() {
	local dir=$DOCKER_DIR/rootfs a
	mkdir -p $dir/bin $dir/etc $dir/tmp $dir/www
	cp "$(command -v busybox)" $dir/bin/busybox
	for a in $($dir/bin/busybox --list); do
		[ -e $dir/bin/$a ] || ln -s busybox $dir/bin/$a
	done
	echo "root:x:0:0:root:/:/bin/sh" > $dir/etc/passwd
	echo "root:x:0:" > $dir/etc/group
	echo "nvd test page" > $dir/www/index.html
	tar -C $dir -c . | dk import - $DOCKER_IMAGE >/dev/null
}

# docker_run NAME [run options...] [-- command...]: --init so that a stop
# (SIGTERM) ends the server at once rather than after Docker's 10 s.
docker_run() {
	local name=$1 opts=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	[ $# -gt 0 ] || set -- httpd -f -p 8080 -h /www
	dk run -d --init --name $name "${opts[@]}" $DOCKER_IMAGE "$@" >/dev/null
}

docker_stop() { dk stop -t 2 "$@" >/dev/null; }
docker_rm() { dk rm -f "$@" >/dev/null; }
docker_id() { dk inspect -f '{{.Id}}' $1; }
docker_pid() { dk inspect -f '{{.State.Pid}}' $1; }
# The first address of the container (its first network's).
docker_ip() {
	dk inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' $1 | cut -d' ' -f1
}
# in_ct NAME CMD...: CMD from the host, in the container's network namespace.
in_ct() { local pid; pid=$(docker_pid $1) || return 1; shift; nsenter --net=/proc/$pid/ns/net "$@"; }

# Kills the processes of every container of the test's dockerd, found by
# their cgroups (cgroup v1 and v2, cgroupfs and systemd drivers), and
# removes those cgroups: for when dockerd is gone and cannot.
docker_kill_containers() {
	local c id d dirs= left pid
	for c in $DOCKER_DIR/data/containers/*/; do
		[ -d "$c" ] || continue
		id=$(basename $c)
		for d in /sys/fs/cgroup/docker/$id /sys/fs/cgroup/*/docker/$id \
		    /sys/fs/cgroup/system.slice/docker-$id.scope \
		    /sys/fs/cgroup/*/system.slice/docker-$id.scope; do
			[ -f "$d/cgroup.procs" ] || continue
			dirs="$dirs $d"
			for pid in $(cat $d/cgroup.procs); do kill -9 $pid; done
		done
	done
	for _ in $(seq 1 30); do
		left=
		for d in $dirs; do
			rmdir $d 2>/dev/null || [ ! -d $d ] || left="$left $d"
		done
		dirs=$left
		[ -n "$dirs" ] || break
		sleep 0.1
	done
}

# Called by cleanup(): removes the containers while dockerd still runs,
# stops it, kills what is left, and unmounts what it mounted under
# $DOCKER_DIR (overlays, the data root, network namespaces) so that
# rm -rf $T stays on this file system.
docker_cleanup() {
	local ids m
	[ -n "$DOCKER_DIR" ] || return 0
	if [ -n "$DOCKERD_PID" ] && kill -0 $DOCKERD_PID 2>/dev/null; then
		ids=$(timeout 20 $DOCKER -H unix://$DOCKER_SOCK ps -aq)
		[ -n "$ids" ] && timeout 30 $DOCKER -H unix://$DOCKER_SOCK rm -f $ids >/dev/null
		kill -TERM $DOCKERD_PID
		for _ in $(seq 1 100); do
			kill -0 $DOCKERD_PID 2>/dev/null || break
			sleep 0.1
		done
		kill -9 $DOCKERD_PID
	fi
	docker_kill_containers
	[ -n "$DOCKER_NS_PID" ] && kill -9 $DOCKER_NS_PID
	for m in $(findmnt -rn -o TARGET | grep "^$DOCKER_DIR/" | sort -r); do
		umount -l "$m"
	done
	DOCKER_DIR=
}

# docker_conf [key = value lines...]: write_conf's file with nvd on the
# test's dockerd: steer docker0, docker_socket its socket.
docker_conf() {
	write_conf "$@"
	sed -i -e "s|^steer = .*|steer = docker0|" \
		-e "s|^docker_socket =.*|docker_socket = $DOCKER_SOCK|" $T/nvd.conf
}

# --- Real application servers (TESTING.md: real peers) ----------------------
# Each runs in a test namespace, listens on one address only, and keeps its
# config, data, pid and logs under $T/NAME (its output in $T/NAME/log).
#
#   srv_postgres NS ADDR [OPTION...]   PostgreSQL on 5432, user postgres,
#                           trust (OPTIONs: postgres's, -c log_statement=all)
#   srv_mariadb NS ADDR [OPTION...]    MariaDB on 3306, --skip-grant-tables
#                           (OPTIONs: mariadbd's, --general-log=1)
#   srv_redis NS ADDR       Redis on 6379, no persistence
#   srv_sshd NS ADDR        OpenSSH on 22, own host key; root logs in with
#                           the key $T/sshd/client_key
#   srv_nginx NS ADDR [ADDR6]   nginx: http on 80 (also on ADDR6, an IPv6
#                           address), https on 443 (self-signed); its access
#                           log in $NGINX_ACCESS_LOG when set
#   srv_dnsmasq NS ADDR     dnsmasq on 53 (udp, tcp): db.test is ADDR
#   srv_ready NAME NS PROTO ADDR PORT   waits until it listens (30 s)
#   srv_stop_all            stops them all by pid (cleanup() kills any left)
#
# Each starter returns at once: call srv_ready before using the server.
# $T is made traversable for the servers that drop root (PostgreSQL,
# MariaDB, nginx's workers, dnsmasq).  Once one runs, the test's exit stops
# them gracefully before cleanup(): PostgreSQL killed with SIGKILL leaves
# its System V shared memory segment behind.

SRV_NAMES=
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

need_servers() {
	local c
	for c in $PG_BIN/initdb $PG_BIN/postgres psql mariadb-install-db mariadbd \
	    mariadb redis-server redis-cli /usr/sbin/sshd ssh ssh-keygen nginx \
	    openssl dnsmasq dig curl ss setpriv; do
		command -v $c >/dev/null || skip "needs $c (scripts/setup deps --test)"
	done
}

# srv_run NAME NS CMD...: CMD in NS, in $T/NAME, in the background; its pid
# (the server's own: the subshell and nsenter exec it) is $SRV_PID_NAME.
srv_run() {
	local name=$1 ns=$2
	shift 2
	(cd $T/$name && exec nsenter --net=/run/netns/$ns "$@" >> $T/$name/log 2>&1) &
	eval "SRV_PID_$name=$!"
	SRV_NAMES="$SRV_NAMES $name"
	trap 'srv_stop_all; cleanup' EXIT
}

srv_dir() {
	chmod 711 $T
	mkdir -p $T/$1
}

# srv_ready NAME NS PROTO ADDR PORT: polls until NS has a PROTO (tcp or udp)
# socket bound to ADDR:PORT; says why not (the server's log) on failure.
srv_ready() {
	local name=$1 ns=$2 proto=$3 addr=$4 port=$5 pid flag=-Hlnt
	local end=$((SECONDS + 30))
	[ $proto = udp ] && flag=-Hlnu
	eval "pid=\$SRV_PID_$name"
	while [ $SECONDS -lt $end ] && kill -0 $pid 2>/dev/null; do
		if [ -n "$(nsenter --net=/run/netns/$ns ss $flag "src $addr:$port")" ]; then
			return 0
		fi
		sleep 0.1
	done
	log "$name does not listen on $proto $addr:$port:"
	tail -20 $T/$name/log
	return 1
}

srv_stop_all() {
	local name pid pids=
	for name in $SRV_NAMES; do
		eval "pid=\$SRV_PID_$name"
		pids="$pids $pid"
		kill -TERM $pid 2>/dev/null
		# PostgreSQL's SIGTERM waits for its clients to leave; SIGINT does not.
		[ $name = postgres ] && kill -INT $pid 2>/dev/null
	done
	for pid in $pids; do
		for _ in $(seq 1 50); do
			kill -0 $pid 2>/dev/null || break
			sleep 0.1
		done
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
	done
	SRV_NAMES=
}

srv_postgres() {
	local ns=$1 addr=$2 d=$T/postgres
	shift 2
	srv_dir postgres
	chown postgres: $d
	(cd $d && setpriv --reuid=postgres --regid=postgres --init-groups \
		$PG_BIN/initdb -A trust -U postgres --no-sync -D $d/data > $d/log 2>&1) || {
		log "initdb failed:"; tail -20 $d/log; return 1
	}
	# initdb -A trust trusts local connections only (TESTING.md).
	echo "host all all 198.18.0.0/15 trust" >> $d/data/pg_hba.conf
	echo "host all all fd00::/8 trust" >> $d/data/pg_hba.conf
	srv_run postgres $ns setpriv --reuid=postgres --regid=postgres --init-groups \
		$PG_BIN/postgres -D $d/data -k $d -c listen_addresses=$addr -p 5432 \
		-c fsync=off -c shared_buffers=16MB "$@"
}

srv_mariadb() {
	local ns=$1 addr=$2 d=$T/mariadb
	shift 2
	srv_dir mariadb
	chown mysql: $d		# it makes its socket there
	# --no-defaults: none of the host's /etc/mysql configuration.
	mariadb-install-db --no-defaults --datadir=$d/data --user=mysql \
		--skip-test-db --skip-name-resolve > $d/log 2>&1 || {
		log "mariadb-install-db failed:"; tail -20 $d/log; return 1
	}
	srv_run mariadb $ns mariadbd --no-defaults --datadir=$d/data --user=mysql \
		--socket=$d/sock --pid-file=$d/pid --bind-address=$addr --port=3306 \
		--skip-grant-tables --skip-name-resolve --innodb-buffer-pool-size=16M "$@"
}

srv_redis() {
	local ns=$1 addr=$2
	srv_dir redis
	srv_run redis $ns redis-server --port 6379 --bind $addr --protected-mode no --save '' \
		--appendonly no --daemonize no --dir $T/redis
}

srv_sshd() {
	local ns=$1 addr=$2 d=$T/sshd
	srv_dir sshd
	ssh-keygen -q -t ed25519 -N '' -f $d/host_key || return 1
	ssh-keygen -q -t ed25519 -N '' -f $d/client_key || return 1
	cp $d/client_key.pub $d/authorized_keys
	cat > $d/sshd_config <<-EOC
	ListenAddress $addr:22
	HostKey $d/host_key
	PidFile $d/pid
	AuthorizedKeysFile $d/authorized_keys
	PermitRootLogin prohibit-password
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	EOC
	# sshd needs its privilege separation directory (made by its service).
	mkdir -p /run/sshd
	srv_run sshd $ns /usr/sbin/sshd -D -e -f $d/sshd_config
}

srv_nginx() {
	local ns=$1 addr=$2 d=$T/nginx listen6=
	[ -n "${3:-}" ] && listen6="listen [$3]:80;"
	srv_dir nginx
	mkdir -p $d/www
	echo "nvd test page" > $d/www/index.html
	chmod -R a+rX $d
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-days 2 -subj /CN=db.test -keyout $d/key.pem -out $d/cert.pem \
		> $d/log 2>&1 || { log "openssl failed:"; cat $d/log; return 1; }
	cat > $d/nginx.conf <<-EOC
	daemon off;
	worker_processes 1;
	pid $d/pid;
	error_log $d/error.log;
	events { worker_connections 64; }
	http {
		access_log ${NGINX_ACCESS_LOG:-off};
		client_body_temp_path $d/tmp-body;
		proxy_temp_path $d/tmp-proxy;
		fastcgi_temp_path $d/tmp-fastcgi;
		uwsgi_temp_path $d/tmp-uwsgi;
		scgi_temp_path $d/tmp-scgi;
		server { listen $addr:80; $listen6 root $d/www; }
		server {
			listen $addr:443 ssl;
			ssl_certificate $d/cert.pem;
			ssl_certificate_key $d/key.pem;
			root $d/www;
		}
	}
	EOC
	# -e: not even the compiled-in /var/log/nginx/error.log.
	srv_run nginx $ns nginx -e $d/error.log -p $d -c $d/nginx.conf
}

srv_dnsmasq() {
	local ns=$1 addr=$2 d=$T/dnsmasq
	srv_dir dnsmasq
	srv_run dnsmasq $ns dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--port=53 --listen-address=$addr --bind-interfaces \
		--no-resolv --no-hosts --host-record=db.test,$addr \
		--pid-file=$d/pid --log-facility=$d/dnsmasq.log
}

# --- DNS and egress proxy peers (t_fqdn.sh) -----------------------------------
#   srv_dnsmasq_with NS ADDR OPTION...   dnsmasq on 53 (udp, tcp) answering
#                           only what OPTIONs say (--host-record, --cname...);
#                           its name for srv_ready is dnsmasq
#   srv_squid NS ADDR DNS   squid on ADDR:3128, resolving through DNS, no
#                           cache, every request allowed, runs as proxy

srv_dnsmasq_with() {
	local ns=$1 addr=$2 d=$T/dnsmasq
	shift 2
	srv_dir dnsmasq
	srv_run dnsmasq $ns dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--port=53 --listen-address=$addr --bind-interfaces \
		--no-resolv --no-hosts "$@" \
		--pid-file=$d/pid --log-facility=$d/dnsmasq.log
}

# squid's SIGTERM waits shutdown_lifetime (30 s by default) for its
# clients; srv_stop_all waits 5 s.  visible_hostname: the test's host name
# may resolve nowhere, which squid finds fatal.
srv_squid() {
	local ns=$1 addr=$2 dns=$3 d=$T/squid
	srv_dir squid
	chown proxy: $d
	cat > $d/squid.conf <<-EOC
	http_port $addr:3128
	pid_filename $d/pid
	cache_log $d/cache.log
	access_log none
	cache deny all
	cache_mem 8 MB
	dns_nameservers $dns
	hosts_file none
	netdb_filename none
	pinger_enable off
	coredump_dir $d
	visible_hostname nvd-test-proxy
	shutdown_lifetime 0 seconds
	http_access allow all
	EOC
	srv_run squid $ns setpriv --reuid=proxy --regid=proxy --init-groups \
		squid -N -f $d/squid.conf
}

# --- a protected web workload (t_dblock, t_diskfull, t_metrics) -------------
# protect_web: peers.py serves tcp/8080 and tcp/9090 in ns c2; static
# workloads client (c1) and web (c2), client -> web tcp/8080 allowed, web
# in protect, so 9090 is refused with a violation.  web_get PORT: peers.py
# get from c1 ("ok PORT", "refused" ...).
WEB=198.18.0.12
protect_web() {
	in_c2 python3 $S/tests/integration/peers.py serve 8080 9090 &
	web_listens() { in_c2 ss -Hlnt "sport = :9090" | grep -q .; }
	wait_for web_listens || { log "peers do not listen"; return 1; }
	nvctl workload add client --ip 198.18.0.11 >/dev/null &&
	nvctl workload add web --ip $WEB >/dev/null &&
	nvctl rule add --from nv.client --to nv.web --ports tcp/8080 --action allow >/dev/null &&
	nvctl group mode nv.web protect >/dev/null
}
web_get() { in_c1 python3 $S/tests/integration/peers.py get $WEB $1; }
