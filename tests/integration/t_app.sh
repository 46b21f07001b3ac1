#!/bin/bash
# Application protocol detection and L7 rules (issue 5) on real servers:
# PostgreSQL, MariaDB, Redis, OpenSSH, nginx (http and https) and dnsmasq
# (udp and tcp) in ns c2 (workload "db"), each driven by its own client from
# ns c1 (workload "client").  Discover learns one rule per port that names
# the application; conversations sums the sessions and bytes of each; in
# protect, an L7 rule lets psql through and HTTP sent to PostgreSQL's port
# is reset, with a violation naming HTTP; an unknown application word is
# refused; a flow that sent nothing has no application.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
need_servers

A=198.18.0.12
A6=fd00:18::12
RUNS=2		# runs of each client in discover mode

topo_up
srv_postgres $NSC2 $A && srv_mariadb $NSC2 $A && srv_redis $NSC2 $A &&
	srv_sshd $NSC2 $A && srv_nginx $NSC2 $A $A6 && srv_dnsmasq $NSC2 $A ||
	{ fail "servers"; finish; }
write_conf "queues = 21-22" "dns_resolvers = $A"
start_nvd || exit 1

nvctl workload add client --ip 198.18.0.11,fd00:18::11 >/dev/null &&
nvctl workload add db --ip $A,fd00:18::12 >/dev/null &&
ok "static workloads client and db added" || fail "workload add"

srv_ready postgres $NSC2 tcp $A 5432 && srv_ready mariadb $NSC2 tcp $A 3306 &&
	srv_ready redis $NSC2 tcp $A 6379 && srv_ready sshd $NSC2 tcp $A 22 &&
	srv_ready nginx $NSC2 tcp $A 80 && srv_ready nginx $NSC2 tcp [$A6] 80 &&
	srv_ready nginx $NSC2 tcp $A 443 &&
	srv_ready dnsmasq $NSC2 udp $A 53 && srv_ready dnsmasq $NSC2 tcp $A 53 &&
	ok "servers listen on $A" || { fail "servers"; finish; }


# client APP: runs APP's own client once from c1 against db; true if it got
# the server's answer.  What it printed is left in $OUT.
OUT=
client() {
	local want
	case $1 in
	postgresql)
		want=1
		OUT=$(PGCONNECT_TIMEOUT=5 in_c1 timeout 10 psql -h $A -p 5432 \
			-U postgres -d postgres -XAtqc 'select 1' 2>&1) ;;
	mysql)
		want=1
		OUT=$(in_c1 timeout 10 mariadb --no-defaults --connect-timeout=5 \
			-h $A -P 3306 -u root -NBe 'select 1' 2>&1) ;;
	redis)
		want=PONG
		OUT=$(in_c1 timeout 10 redis-cli -h $A -p 6379 ping 2>&1) ;;
	ssh)
		want=ok
		OUT=$(in_c1 timeout 10 ssh -F /dev/null -o BatchMode=yes \
			-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
			-o ConnectTimeout=5 -o LogLevel=ERROR -i $T/sshd/client_key \
			root@$A echo ok 2>&1) ;;
	http)
		want="nvd test page"
		OUT=$(in_c1 curl -sS -m 5 --noproxy '*' http://$A/ 2>&1) ;;
	http6)
		want="nvd test page"
		OUT=$(in_c1 curl -sS -m 5 --noproxy '*' -g "http://[$A6]/" 2>&1) ;;
	tls)
		want="nvd test page"
		OUT=$(in_c1 curl -sSk -m 5 --noproxy '*' https://$A/ 2>&1) ;;
	dns)
		want=$A
		OUT=$(in_c1 dig +short +time=2 +tries=1 @$A db.test 2>&1) ;;
	dns-tcp)
		want=$A
		OUT=$(in_c1 dig +short +tcp +time=2 +tries=1 @$A db.test 2>&1) ;;
	esac
	[ "$OUT" = "$want" ]
}

# Each client, its rule word, port, and the application's display name.
# HTTP over IPv6 goes to the same rule and conversation row as over IPv4.
CLIENTS="postgresql:postgresql:tcp/5432:PostgreSQL mysql:mysql:tcp/3306:MySQL
	redis:redis:tcp/6379:Redis ssh:ssh:tcp/22:SSH http:http:tcp/80:HTTP
	http6:http:tcp/80:HTTP tls:tls:tcp/443:TLS dns:dns:udp/53:DNS
	dns-tcp:dns:tcp/53:DNS"

# --- discover: every client works through nvd ---------------------------------
for c in $CLIENTS; do
	c=${c%%:*}
	n=0
	for _ in $(seq 1 $RUNS); do
		client $c && n=$((n + 1)) || fail "discover: $c client: $OUT"
	done
	[ $n = $RUNS ] && ok "discover: $c client answered $RUNS times through nvd"
done

# --- discover: learned rules name the application -----------------------------
# Each expected rule or row as WORD:PORT:NAME (rule word, proto/port, display
# name), from $CLIENTS.
ALL=$(for c in $CLIENTS; do echo ${c#*:}; done)
EXPECT=$(echo "$ALL" | awk '!seen[$0]++')
# missing_learned: the WORD:PORT:NAME of $EXPECT with no learned rule
# nv.client -> nv.db for exactly that port and application.
missing_learned() {
	nvctl --json rule list | python3 -c '
import json, sys
j = json.load(sys.stdin)
for e in sys.argv[1:]:
    word, port, _ = e.split(":")
    if not any(r["type"] == "learned" and r["from"] == "nv.client" and r["to"] == "nv.db"
            and r["ports"] == [port] and r["applications"] == [word] for r in j):
        print(e)' $EXPECT
}
no_missing() { M=$($1) && [ -z "$M" ]; }
wait_for no_missing missing_learned
for e in $EXPECT; do
	IFS=: read -r word port _ <<< "$e"
	case " $(echo $M) " in
	*" $e "*) fail "no learned rule nv.client -> nv.db $port [\"$word\"]" ;;
	*) ok "learned nv.client -> nv.db $port [\"$word\"]" ;;
	esac
done
[ -z "$M" ] || log "rules: $(nvctl rule list)"

# --- conversations ------------------------------------------------------------
# missing_conv: the WORD:PORT:NAME of $EXPECT without exactly one allow row
# nv.client -> nv.db of application NAME on PORT counting every run of its
# clients ($RUNS sessions each at least) and some bytes.
missing_conv() {
	nvctl --json conversations | python3 -c '
import json, sys
j = json.load(sys.stdin)
runs = int(sys.argv[1])
for e in dict.fromkeys(sys.argv[2:]):
    _, port, name = e.split(":")
    runs_e = runs * sys.argv[2:].count(e)
    proto, num = port.split("/")
    rows = [c for c in j if c["from"] == "nv.client" and c["to"] == "nv.db"
            and c["application"] == name and c["proto"] == proto
            and c["port"] == int(num) and c["verdict"] == "allow"]
    if len(rows) != 1 or rows[0]["sessions"] < runs_e or rows[0]["bytes"] <= 0 \
            or "fqdn" not in rows[0] or "last_seen" not in rows[0]:
        print(e)' $RUNS $ALL
}
wait_for no_missing missing_conv
for e in $EXPECT; do
	IFS=: read -r _ port name <<< "$e"
	case " $(echo $M) " in
	*" $e "*) fail "no conversation nv.client -> nv.db $name $port with every session and bytes" ;;
	*) ok "conversation nv.client -> nv.db $name $port: every session, bytes > 0" ;;
	esac
done
[ -z "$M" ] || log "conversations: $(nvctl conversations 2>&1)"
dups=$(nvctl --json conversations | jget "len(j) - len({(c['from'], c['to'], c['application'], c['proto'], c['port'], c['verdict']) for c in j})")
[ "$dups" = 0 ] && ok "conversations: one row per (from, to, application, proto, port, verdict)" ||
	fail "conversations: rows not unique ($dups): $(nvctl conversations 2>&1)"
head=$(nvctl conversations 2>&1 | head -1)
echo "$head" | grep -qiw from && echo "$head" | grep -qiw application &&
	echo "$head" | grep -qiw sessions && echo "$head" | grep -qiw bytes &&
	ok "nvctl conversations: a table with a header line" ||
	fail "nvctl conversations: header '$head'"

# --- protect with an L7 rule --------------------------------------------------
# Only the user's rule speaks for tcp/5432: the learned ones go.
for id in $(nvctl --json rule list | jget "' '.join(str(r['id']) for r in j if r['type']=='learned' and r['to']=='nv.db' and 'tcp/5432' in r['ports'])"); do
	nvctl rule delete $id >/dev/null || fail "rule delete $id"
done
LR=$(nvctl rule add --from nv.client --to nv.db --app postgresql --ports tcp/5432 --action allow)
[ -n "$LR" ] && ok "rule $LR: nv.client -> nv.db postgresql tcp/5432 allow" ||
	fail "rule add --app postgresql"
nvctl group mode nv.db protect >/dev/null && ok "nv.db to protect" || fail "group mode"
client postgresql && ok "protect: psql passes the postgresql rule" ||
	fail "protect: psql: $OUT"
client redis && ok "protect: redis-cli passes its learned rule" ||
	fail "protect: redis-cli: $OUT"

# HTTP to PostgreSQL's port: the application is not postgresql.  Without
# nvd PostgreSQL would close the connection itself (curl 52): the event
# says that nvd reset it.
in_c1 curl -s -m 5 --noproxy '*' http://$A:5432/ > $T/curl.out 2>&1
rc=$?
case $rc in
56|52|7) ok "protect: HTTP to tcp/5432 cut (curl $rc), no timeout" ;;
*) fail "protect: HTTP to tcp/5432: curl $rc $(cat $T/curl.out)" ;;
esac
http_denied() {
	[ "$(events_where "e['type']=='violation' and e['action']=='deny' and e['dst_port']==5432 and e['app']=='HTTP' and e['rule_id'] in (None, ${LR:-0}) and 'app: HTTP' in (e['message'] or '')")" -ge 1 ]
}
wait_for http_denied && ok "violation event: deny HTTP to tcp/5432, 'app: HTTP'" ||
	fail "no HTTP deny event: $(nvctl --json events --limit 0 | jget "[e for e in j if e['dst_port']==5432]")"
if grep -q "invalid length of startup packet" $T/postgres/log; then
	log "note: PostgreSQL received the HTTP request"
fi
client postgresql && ok "protect: psql still passes after the HTTP deny" ||
	fail "protect: psql after the deny: $OUT"
deny_counted() {
	[ "$(nvctl --json conversations | jget "sum(1 for c in j if c['from']=='nv.client' and c['to']=='nv.db' and c['application']=='HTTP' and c['proto']=='tcp' and c['port']==5432 and c['verdict']=='deny')")" = 1 ]
}
wait_for deny_counted && ok "conversations: a deny row for HTTP to tcp/5432" ||
	fail "no deny conversation for HTTP to tcp/5432: $(nvctl conversations 2>&1)"

# --- a flow that sent nothing has no application ------------------------------
# A connect and close to a port with a rule naming an application (tcp/80,
# learned http) and to one without any (tcp/9999, refused at the SYN).
for p in 80 9999; do
	in_c1 timeout 5 bash -c "exec 3<>/dev/tcp/$A/$p; exec 3>&-" 2>/dev/null
done
empty_denied() { [ "$(events_where "e['dst_port']==9999 and e['action']=='deny'")" -ge 1 ]; }
wait_for empty_denied || fail "no deny event for tcp/9999"
n=$(events_where "e['dst_port'] in (80, 9999) and e['app'] not in (None, '')")
[ "$n" = 0 ] && ok "flows that sent nothing: no event names an application" ||
	fail "events with an application for empty flows: $(nvctl --json events --limit 0 | jget "[e for e in j if e['dst_port'] in (80, 9999)]")"

# --- an unknown application word ----------------------------------------------
n0=$(nvctl --json rule list | jget 'len(j)')
out=$(nvctl rule add --from nv.client --to nv.db --app postgres --action allow 2>&1)
rc=$?
n1=$(nvctl --json rule list | jget 'len(j)')
[ $rc != 0 ] && echo "$out" | grep -qw postgres && echo "$out" | grep -qi unknown &&
	[ "$n0" = "$n1" ] && ok "--app postgres refused: $out" ||
	fail "--app postgres: exit $rc, '$out', rules $n0 -> $n1"

# --- the end ------------------------------------------------------------------
stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
srv_stop_all
[ -z "$(ip netns pids $NSC2)" ] && ok "servers stopped" ||
	fail "left in c2: $(ip netns pids $NSC2 | xargs ps -o pid=,args= -p)"
finish
