# evasion.sh: the world of the evasion tests (issue 12), sourced by
# t_evasion_*.sh after lib.sh.  A hostile container against a protected
# one, both in protect mode:
#
#   ns c1 198.18.0.11 fd00:18::11  workload "client" (nv.client): the
#          attacker, raw sockets from attack.py.  Its own kernel's RSTs
#          for the raw client's ports (20000-29999) are dropped by
#          "table inet atk" in c1 (only there); its kernel sockets use
#          ports 50000-60999.
#   ns c2 198.18.0.12 fd00:18::12  workload "server" (nv.server): the
#          victim, attack.py serve, HTTP on
#            tcp/5432  rule: --app postgresql (so HTTP must not pass)
#            tcp/8080  rule: --app http, sensor.sqlinjection deny
#            tcp/8081  rule: --app http
#          logging each request it reads in $SRVLOG.
#
# What arrived is counted where it arrives: the victim's log, its sink
# counts, or nft counters in the receiving namespace (counters_up).  nvd's
# own record is checked by reason_seen: a violation event with the reason
# and total.unjudged.<reason> in nvctl --json status (contract of issue 12).

ATTACK="python3 $S/tests/integration/attack.py"
CLIENT=198.18.0.11
SERVER=198.18.0.12
CLIENT6=fd00:18::11
SERVER6=fd00:18::12
SRVLOG=$T/victim/requests.log
SQLI="/items?id=1%20UNION%20SELECT%20password%20FROM%20users"

atk() { in_c1 $ATTACK "$@"; }

# status_get PYEXPR: PYEXPR of nvctl --json status (j).
status_get() { nvctl --json status | jget "$1"; }
nvd_packets() { status_get 'j["total"]["packets"]'; }

# quiet: waits (at most 15 s) until nvd's packet count stays the same for
# a second: what earlier cases sent is over.
quiet() {
	local a b end=$((SECONDS + 15))
	a=$(nvd_packets)
	while [ $SECONDS -lt $end ]; do
		sleep 1
		b=$(nvd_packets)
		[ "$a" = "$b" ] && return 0
		a=$b
	done
}

# settle: waits (at most 10 s) until nvd has written every event it had
# to write: the count of written events stays the same for half a second.
settle() {
	local a b end=$((SECONDS + 10))
	sleep 1.2	# violations are aggregated over a second before they are written
	a=$(status_get 'j["events"]["written"]')
	while [ $SECONDS -lt $end ]; do
		sleep 0.5
		b=$(status_get 'j["events"]["written"]')
		[ "$a" = "$b" ] && return 0
		a=$b
	done
}

# logged PATTERN: how many lines of the victim's log match PATTERN (grep -E).
logged() { grep -cE -- "$1" $SRVLOG; }

# reason_seen WHAT REASONS [PYCOND]: nvd's own record of a case it could
# not judge: a violation event, action deny, whose reason is one of
# REASONS (words separated by "|") and that satisfies PYCOND; and the
# counter total.unjudged.<reason> (also per queue) in nvctl status.
# Call settle first.
reason_seen() {
	local what=$1 reasons=$2 cond=${3:-True} n st t q list
	list=$(echo "$reasons" | sed "s/[^|]*/'&'/g; s/|/, /g")
	n=$(events_where "e['type']=='violation' and e['action']=='deny' and e.get('reason') in ($list,) and ($cond)")
	[ "$n" -ge 1 ] && ok "$what: a deny violation with reason $reasons" ||
		fail "$what: no deny violation with reason $reasons ($(events_where "e.get('reason') is not None") events have a reason)"
	st=$(nvctl --json status)
	t=$(echo "$st" | jget "sum(j['total'].get('unjudged', {}).get(r, 0) for r in ($list,))")
	q=$(echo "$st" | jget "sum(x.get('unjudged', {}).get(r, 0) for x in j['queues'] for r in ($list,))")
	[ "$t" -ge 1 ] && [ "$q" = "$t" ] &&
		ok "$what: status counts it: total.unjudged.{$reasons} $t, queues $q" ||
		fail "$what: status total.unjudged.{$reasons} '$t', per queue '$q'"
}

# counters_up NS NAME:MATCH...: a table "cnt" in NS that counts, first in
# prerouting, the packets that arrive and match MATCH in counter NAME.
counters_up() {
	local ns=$1 c
	shift
	{
		echo "table inet cnt {"
		for c in "$@"; do echo "	counter ${c%%:*} { }"; done
		echo "	chain pre {"
		echo "		type filter hook prerouting priority -300; policy accept;"
		for c in "$@"; do echo "		${c#*:} counter name ${c%%:*}"; done
		echo "	}"
		echo "}"
	} > $T/cnt-$ns.nft
	in_ns $ns nft -f $T/cnt-$ns.nft
}

# counted NS NAME: the packets counter NAME of NS counted.
counted() {
	in_ns $1 nft list counter inet cnt $2 | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# sanitized: true if nvd was built with --enable-sanitizers.
sanitized() { grep -q fsanitize $B/config.log 2>/dev/null; }

# sanitizer_clean: true if nvd's log has no report of a sanitizer; a
# report is a failure, counted once (issue 12, case 12: nvd runs under
# ASan/UBSan).
SAN_REPORTED=
sanitizer_clean() {
	local rep
	rep=$(grep -m3 -E "ERROR: [A-Za-z]*Sanitizer|runtime error:" $T/nvd.log)
	[ -z "$rep" ] && return 0
	[ -n "$SAN_REPORTED" ] || fail "case 12: the sanitizers report: $rep"
	SAN_REPORTED=1
	return 1
}

# need_nvd WHAT: ends the test if nvd is gone (with what its log says).
need_nvd() {
	kill -0 $NVD_PID 2>/dev/null && return 0
	fail "nvd is gone ($1)"
	sanitizer_clean
	finish
}

# arrivals NS NAME CMD...: runs CMD (its output dropped), then prints how
# many packets counter NAME of NS counted meanwhile, once the count has
# stayed the same for a second (at most 5 s).
arrivals() {
	local ns=$1 c=$2 a b n end=$((SECONDS + 5))
	shift 2
	a=$(counted $ns $c)
	"$@" >/dev/null
	n=$(counted $ns $c)
	while [ $SECONDS -lt $end ]; do
		sleep 1
		b=$(counted $ns $c)
		[ "$b" = "$n" ] && break
		n=$b
	done
	echo $((n - a))
}

# evasion_world QUEUES [CONF LINES...]: the namespaces, nvd, the workloads,
# rules and modes, the victim and the attacker's RST filter.
evasion_world() {
	local q=$1
	shift
	topo_up
	in_c1 sysctl -qw net.ipv4.ip_local_port_range="50000 60999"
	in_c1 nft -f - <<-EOF || return 1
	table inet atk {
		chain out {
			type filter hook output priority 0; policy accept;
			tcp sport 20000-29999 tcp flags & rst == rst meta mark != 0x4154 drop
		}
	}
	EOF
	srv_dir victim
	srv_run victim $NSC2 $ATTACK serve $SERVER $SRVLOG 5432 8080 8081
	write_conf "queues = $q" "rules_dir = $S/rules" "$@"
	start_nvd || return 1
	nvctl workload add client --ip $CLIENT,$CLIENT6 >/dev/null &&
	nvctl workload add server --ip $SERVER,$SERVER6 >/dev/null &&
	nvctl group mode nv.client protect >/dev/null &&
	nvctl group mode nv.server protect >/dev/null &&
	nvctl rule add --from nv.client --to nv.server --app postgresql --ports tcp/5432 \
		--action allow >/dev/null &&
	nvctl rule add --from nv.client --to nv.server --app http --ports tcp/8080,tcp/8081 \
		--action allow >/dev/null &&
	nvctl sensor assign nv.server sensor.sqlinjection --action deny >/dev/null &&
	# Thousands of connections from the attacker (case 8) are a SYN flood
	# to TCP.SYN.Flood, which would stop it before the cases after: not
	# what these tests are about (t_threat_net.sh is).
	nvctl threat set TCP.SYN.Flood --disable >/dev/null || {
		fail "setup: workloads, modes, rules, sensor or threat"
		return 1
	}
	srv_ready victim $NSC2 tcp $SERVER 5432 && srv_ready victim $NSC2 tcp $SERVER 8080 &&
		srv_ready victim $NSC2 tcp $SERVER 8081 || return 1
	ok "setup: client and server in protect, postgresql on 5432, http on 8080 (sqlinjection deny) and 8081"
}

# evasion_controls: what the world does without an attack: a plain
# request passes, a plain SQL injection and HTTP to the postgresql port
# do not.
evasion_controls() {
	local r
	r=$(atk get $SERVER 8080 /control)
	[ "$r" = "got 200" ] && [ "$(logged '^REQ 8080 GET /control ')" = 1 ] &&
		ok "control: a plain request to 8080 is answered 200 and logged" ||
		fail "control: plain request: $r, log: $(cat $SRVLOG)"
	r=$(atk get $SERVER 8080 "$SQLI&case=control")
	[ "$r" != "got 200" ] && [ "$(logged 'UNION.*case=control')" = 0 ] &&
		ok "control: a plain SQL injection is blocked ($r), never logged" ||
		fail "control: plain SQL injection: $r, logged $(logged 'UNION.*case=control')"
	r=$(atk get $SERVER 5432 /control-pg)
	[ "$r" != "got 200" ] && [ "$(logged '^REQ 5432 GET /control-pg')" = 0 ] &&
		ok "control: HTTP to the postgresql-only port is cut ($r), never logged" ||
		fail "control: HTTP to 5432: $r, logged $(logged '^REQ 5432 GET /control-pg')"
}
