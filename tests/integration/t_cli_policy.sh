#!/bin/bash
# nvctl's workload, group and rule commands against a running nvd without
# Docker, as data: one command per line with its exit status and a piece of
# its output (conntrack-tools' testsuite style).  Then what must survive a
# restart of nvd: groups, modes, rules, static workloads.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
set -f	# globs in criteria are data, not file names

# run_table: reads lines "EXIT ARGS... -> FRAGMENT" from stdin and runs
# nvctl ARGS (shell-quoted words); checks its exit status and that FRAGMENT,
# a fixed string, is in its standard output or error (no "->": anything).
# A command with --json must print one JSON value.  "#" lines are comments.
run_table() {
	local line want rest args frag rc
	while IFS= read -r line; do
		case $line in '' | '#'*) continue ;; esac
		want=${line%% *}
		rest=${line#* }
		frag=
		case $rest in *' -> '*) frag=${rest#* -> }; rest=${rest%% -> *} ;; esac
		eval "args=($rest)"
		nvctl "${args[@]}" > $T/out 2> $T/err
		rc=$?
		if [ "$rc" != "$want" ]; then
			fail "nvctl $rest: exit $rc, wanted $want"; cat $T/out $T/err
		elif [ -n "$frag" ] && ! grep -qF -- "$frag" $T/out $T/err; then
			fail "nvctl $rest: no '$frag' in:"; cat $T/out $T/err
		elif [ "${args[0]}" = --json ] && [ "$rc" = 0 ] &&
		    ! python3 -m json.tool < $T/out > /dev/null 2>&1; then
			fail "nvctl $rest: not JSON: $(head -c 300 $T/out)"
		else
			ok "nvctl $rest (exit $rc)"
		fi
	done
}

# sql STATEMENT: changes the database as another writer would (Docker
# discovery, learning), with nvd running.
sql() {
	python3 - "$T/nvd.db" "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10)
c.execute(sys.argv[2])
c.commit()
PY
}

# check DESC WANT EXPR ARGS...: nvctl --json ARGS | jget EXPR must print WANT.
check() {
	local desc=$1 want=$2 expr=$3 got; shift 3
	got=$(nvctl --json "$@" | jget "$expr" 2>&1)
	[ "$got" = "$want" ] && ok "$desc" || fail "$desc: got '$got', wanted '$want'"
}

# Only the host namespace, with a bridge that stays down: no traffic (not
# even IPv6 neighbour discovery), so nothing is learned behind the test's
# back and rule ids are known.
ns_add $NSH
in_h ip link set lo up
in_h ip link add br0 type bridge
write_conf
start_nvd || exit 1

run_table <<'EOF'
# --- workloads ------------------------------------------------------------
0 workload list -> id  name  image  state  root  privileged  ports  networks  addresses  groups  mode
0 --json workload list -> []
0 workload add db --ip 198.18.0.20,fd00:18::20 --label tier=db --label team=core -> workload db added
0 --json workload add cache --ip=198.18.0.21 --ip fd00:18::21 -> "id":"static:cache"
0 workload list -> static:cache  cache  -      static  -     -           -      -         198.18.0.21
0 workload list -> 198.18.0.21,fd00:18::21  nv.cache,containers  discover
0 workload list -> static:db     db     -      static
0 workload list -> 198.18.0.20,fd00:18::20  nv.db,containers     discover
0 --json workload list -> "labels":{"tier":"db","team":"core"}
1 workload add db --ip 198.18.0.22 -> nvctl: workload 'db' already exists
1 workload add bad --ip 198.18.0.300 -> nvctl: address '198.18.0.300': not an IPv4 or IPv6 address
1 workload add bad --ip 198.18.0.0/24 -> nvctl: address '198.18.0.0/24': not an IPv4 or IPv6 address
1 workload add bad --ip 198.18.0.22, -> nvctl: empty address in '198.18.0.22,'
1 workload add 'a b' --ip 198.18.0.22 -> nvctl: workload name 'a b': only letters, digits, '_', '.' and '-'
1 workload add bad --ip 198.18.0.22 --label tier -> nvctl: bad label 'tier' (expected KEY=VALUE)
1 workload add bad --ip 198.18.0.22 --iface a/b -> nvctl: interface name 'a/b': 1 to 15 characters, none of '/', ':' or blanks
1 workload add bad --ip 198.18.0.22 --iface 0123456789abcdef -> nvctl: interface name '0123456789abcdef': 1 to 15 characters, none of '/', ':' or blanks
0 --json workload add tap --ip 198.18.0.24 --iface tap24 -> "iface":"tap24"
0 workload delete tap -> workload tap deleted
2 workload add noip -> nvctl: usage: nvctl workload add NAME --ip ADDR[,ADDR] [--iface IF] [--label K=V]...
2 workload add bad --ip -> nvctl: usage: nvctl workload add
2 workload add bad --ip 198.18.0.22 --bogus 1 -> nvctl: usage: nvctl workload add
2 workload add bad --ip 198.18.0.22 --iface a --iface b -> nvctl: usage: nvctl workload add
2 workload add --ip 198.18.0.22 -> nvctl: usage: nvctl workload add
2 workload list extra -> nvctl: usage: nvctl workload list
2 workload -> nvctl: usage: nvctl workload list|add|delete ...
2 workload frobnicate -> nvctl: usage: nvctl workload list|add|delete ...

# --- groups ---------------------------------------------------------------
0 group list -> name        kind     mode      members  rules  criteria
0 group list -> containers  builtin  discover  2        0      -
0 group list -> nv.db       learned  discover  1        0      -
0 group add dbs --criteria 'name=db,label:tier=db' --mode monitor -> group dbs added
0 group add web --criteria 'name=web*' -> group web added
0 --json group add ext --criteria address=198.19.1.5/16 -> "criteria":["address=198.19.0.0/16"]
0 group add names --criteria 'address=*.Example.COM' -> group names added
0 group show names -> criteria  address=*.example.com
0 group show dbs -> mode      monitor
0 group show dbs -> members   db
0 group show web -> members   -
0 --json group show dbs -> "members":["db"]
1 group show nope -> nvctl: group 'nope' does not exist
1 group add web --criteria name=x -> nvctl: group 'web' already exists
1 group add containers --criteria name=x -> nvctl: group 'containers' is built in
1 group add nv.x --criteria name=x -> nvctl: group name 'nv.x': names starting with 'nv.' are for learned groups
1 group add 'a/b' --criteria name=x -> nvctl: group name 'a/b': only letters, digits, '_', '.' and '-'
1 group add bad --criteria color=red -> nvctl: criterion 'color=red': unknown key 'color' (expected name=, image=, label:KEY= or address=)
1 group add bad --criteria address=300.1.1.1/8 -> nvctl: criterion 'address=300.1.1.1/8': not an IP address, CIDR, FQDN or *.domain
1 group add bad --criteria 'name=x,,image=y' -> nvctl: empty criterion in 'name=x,,image=y'
1 group add bad --criteria name=x --mode strict -> nvctl: bad mode 'strict' (expected discover, monitor or protect)
2 group add bad -> nvctl: usage: nvctl group add NAME --criteria C[,C...] [--mode discover|monitor|protect]
2 group add --criteria name=x -> nvctl: usage: nvctl group add
2 group add bad --criteria name=x --criteria name=y -> nvctl: usage: nvctl group add
2 group -> nvctl: usage: nvctl group list|show|add|delete|mode ...
2 group frobnicate -> nvctl: usage: nvctl group list|show|add|delete|mode ...
2 group show -> nvctl: usage: nvctl group show NAME
# A mode applies to the running policy before nvctl returns.
0 group mode dbs protect -> group dbs is in protect mode
0 workload list -> 198.18.0.20,fd00:18::20  nv.db,containers,dbs  protect
0 --json group mode external monitor -> "mode":"monitor"
1 group mode dbs loud -> nvctl: bad mode 'loud' (expected discover, monitor or protect)
1 group mode nope protect -> nvctl: group 'nope' does not exist
2 group mode dbs -> nvctl: usage: nvctl group mode NAME discover|monitor|protect
# --json may also come last.
0 group list --json -> "name":"containers"

# --- rules ----------------------------------------------------------------
0 rule list -> id  from  to  applications  ports  action  type  hits  last_seen  updated
0 --json rule list -> []
0 rule add --from containers --to dbs --ports tcp/5432 --action allow -> 1
0 rule add --from web --to ext --app HTTP,TLS --ports tcp/443,tcp/8000-8100 --action allow -> 2
0 rule add --from web --to external --action deny --before 1 -> 3
0 --json rule add --from=dbs --to=external --action=deny -> "id":4
0 rule add --from web --to dbs --ports udp/53,icmp --action deny --before 2 -> 5
1 rule add --from web --to nope --action allow -> nvctl: group 'nope' does not exist
1 rule add --from nope --to web --action allow -> nvctl: group 'nope' does not exist
1 rule add --from web --to dbs --action allow --before 99 -> nvctl: rule 99 does not exist
1 rule add --from web --to dbs --ports tcp/99999 --action allow -> nvctl: port spec 'tcp/99999': port out of range (1-65535)
1 rule add --from web --to dbs --ports tcp/90-80 --action allow -> nvctl: port spec 'tcp/90-80': range is backwards
1 rule add --from web --to dbs --ports any,tcp/80 --action allow -> nvctl: port spec 'any' stands alone
1 rule add --from web --to dbs --ports sctp/80 --action allow -> nvctl: port spec 'sctp/80': expected tcp/PORT, udp/PORT, tcp/LO-HI, icmp, proto/N or any
1 rule add --from web --to dbs --app http,,tls --action allow -> nvctl: application list 'http,,tls': empty application
1 rule add --from web --to dbs --app any,http --action allow -> nvctl: application 'any' stands alone
1 rule add --from web --to dbs --action permit -> nvctl: bad action 'permit' (expected allow or deny)
1 rule add --from web --to dbs --action allow --before first -> nvctl: bad rule id 'first' (expected a positive number)
2 rule add --from web --to dbs -> nvctl: usage: nvctl rule add --from G --to G [--app A[,A]] [--ports P[,P]] --action allow|deny [--before ID]
2 rule add --from web --from dbs --to dbs --action allow -> nvctl: usage: nvctl rule add
2 rule add web dbs allow -> nvctl: usage: nvctl rule add
2 rule add --from web --to dbs --action -> nvctl: usage: nvctl rule add
0 rule show 2 -> applications  http,tls
0 rule show 2 -> ports         tcp/443,tcp/8000-8100
0 rule show 2 -> type          user
0 rule show 5 -> ports         udp/53,icmp
0 --json rule show 2 -> "applications":["http","tls"],"ports":["tcp/443","tcp/8000-8100"],"action":"allow","type":"user"
1 rule show 99 -> nvctl: rule 99 does not exist
1 rule show x -> nvctl: bad rule id 'x' (expected a positive number)
1 rule show 0 -> nvctl: bad rule id '0' (expected a positive number)
2 rule show -> nvctl: usage: nvctl rule show ID
2 rule show 1 2 -> nvctl: usage: nvctl rule show ID
0 rule list --group ext -> 2   web   ext  http,tls      tcp/443,tcp/8000-8100  allow   user  0     -
0 --json rule list --group=dbs -> "to":"dbs"
1 rule list --group nope -> nvctl: group 'nope' does not exist
2 rule list --group -> nvctl: usage: nvctl rule list [--group G]
0 group show ext -> rules     1
1 group delete dbs -> nvctl: group 'dbs' is used by rule 1
1 group delete containers -> nvctl: group 'containers' is built in
1 group delete nope -> nvctl: group 'nope' does not exist
0 group delete names -> group names deleted
1 group show names -> nvctl: group 'names' does not exist
1 rule promote 1 -> nvctl: rule 1 is already a user rule
1 rule promote 99 -> nvctl: rule 99 does not exist
0 rule delete 4 -> rule 4 deleted
1 rule delete 4 -> nvctl: rule 4 does not exist
0 --json rule delete 3 -> {"deleted":3}
2 rule delete -> nvctl: usage: nvctl rule delete ID
2 rule -> nvctl: usage: nvctl rule list|show|add|delete|promote ...
2 rule frobnicate -> nvctl: usage: nvctl rule list|show|add|delete|promote ...
EOF

check "rules in evaluation order" "[1, 5, 2]" '[r["id"] for r in j]' rule list
check "rule fields" "['action', 'applications', 'created', 'from', 'hits', 'id', 'last_seen', 'order', 'ports', 'to', 'type', 'updated']" \
	'sorted(j[0])' rule list
check "group fields" "['criteria', 'kind', 'members', 'mode', 'name', 'rules']" 'sorted(j[0])' group list
check "workload fields" "['addresses', 'groups', 'id', 'iface', 'image', 'labels', 'mode', 'name', 'networks', 'ports', 'privileged', 'root', 'state', 'user']" 'sorted(j[0])' workload list
check "workload mode is the strictest of its groups" "protect" \
	'[w["mode"] for w in j if w["name"] == "db"][0]' workload list
check "times are RFC 3339 UTC" "True" \
	'__import__("re").fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", j["updated"]) is not None' rule show 1
check "a rule never hit has last_seen null" "None" 'j["last_seen"]' rule show 1

# Learned rules, as the writer thread stores them, and a container row as
# Docker discovery stores one.
sql "INSERT INTO rules (from_group, to_group, ports, action, type, hits, last_seen, created, updated)
     VALUES ('nv.db', 'ext', 'tcp/443', 'allow', 'learned', 7, strftime('%s'), 1, 1)"
sql "INSERT INTO rules (from_group, to_group, ports, action, type, hits, created, updated)
     VALUES ('web', 'ext', 'tcp/8443', 'allow', 'learned', 1, 1, 1)"
sql "INSERT INTO workloads (id, name, image, first_seen, last_seen)
     VALUES ('0123456789abcdef', 'web-1', 'nginx', 1, 1)"
check "learned rules after user rules" "[1, 5, 2, 6, 7]" '[r["id"] for r in j]' rule list
check "learned rules have no order" "None" 'j["order"]' rule show 6

run_table <<'EOF'
0 rule show 6 -> type          learned
0 rule show 6 -> hits          7
0 rule promote 6 -> rule 6 promoted to a user rule
0 rule show 6 -> type          user
1 rule promote 6 -> nvctl: rule 6 is already a user rule
1 group delete ext -> nvctl: group 'ext' is used by rule 2
0 rule delete 2 -> rule 2 deleted
1 group delete ext -> nvctl: group 'ext' is used by rule 6
0 rule delete 6 -> rule 6 deleted
# Its learned rules go with it.
0 group delete ext -> group ext deleted
1 rule show 7 -> nvctl: rule 7 does not exist
1 workload delete web-1 -> nvctl: workload 'web-1' is a container; remove it with Docker
0 workload delete cache -> workload cache deleted
1 workload delete cache -> nvctl: workload 'cache' does not exist
0 --json group show containers -> "members":["db"]
2 workload delete -> nvctl: usage: nvctl workload delete NAME
EOF
id=$(nvctl rule add --from web --to dbs --ports tcp/80 --action allow --before 1)
check "rules after promote and deletes" "[$id, 1, 5]" '[r["id"] for r in j]' rule list

# --- a restart keeps groups, modes, rules and static workloads -------------
nvctl --json group list > $T/groups.before
nvctl --json rule list > $T/rules.before
stop_nvd || fail "nvd exit status $?"
start_nvd || exit 1
nvctl --json group list > $T/groups.after
nvctl --json rule list > $T/rules.after
cmp -s $T/groups.before $T/groups.after && ok "groups and modes kept across a restart" ||
	{ fail "groups changed across a restart"; diff $T/groups.before $T/groups.after; }
cmp -s $T/rules.before $T/rules.after && ok "rules and their order kept across a restart" ||
	{ fail "rules changed across a restart"; diff $T/rules.before $T/rules.after; }
run_table <<'EOF'
0 workload list -> static:db  db    -      static
0 workload list -> 198.18.0.20,fd00:18::20  nv.db,containers,dbs  protect
0 group show dbs -> mode      protect
0 group show external -> mode      monitor
0 rule show 1 -> from          containers
EOF
check "restart: static workload labels" "db" '[w["labels"]["tier"] for w in j if w["name"] == "db"][0]' workload list

stop_nvd || fail "nvd exit status $?"
finish
