#!/bin/bash
# DNS-aware egress (issue 4) on real peers: dnsmasq and squid in ns c2
# (workload "proxy", 198.18.0.12), web servers on addresses of c2 that are
# no workload (the "internet", 198.18.0.21-29), clients (curl, dig) in ns c1
# (workload "client").  curl resolves through c1's own /etc/resolv.conf
# (a mount namespace) naming dnsmasq, so every answer passes nvd.
# Discover learns an external destination by its name (a group named after
# it); protect allows the names of a wildcard group at any depth (not its
# apex), refuses a name's group without a rule, refuses an address the
# client never resolved, honours TTL 0 answers, CNAME chains and DNS over
# TCP, judges requests to squid (GET and CONNECT) by the name they ask for,
# never names a pinned TLS address by its SNI (issue 13: anyone can write
# any SNI); events, conversations, nvctl dns list and status show the
# names.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
for c in dnsmasq squid dig curl nginx openssl ss setpriv python3; do
	command -v $c >/dev/null || skip "needs $c (scripts/setup deps --test)"
done

C=198.18.0.11			# client
P=198.18.0.12			# proxy: squid on 3128, dnsmasq on 53
NET=198.18.0			# the external servers: $NET.21-29
WEB="21 22 23 24 25 26 28 29"	# python web servers on port 80
TLS=$NET.27			# nginx: http 80, https 443

topo_up
for n in $WEB 27; do
	in_c2 ip addr add $NET.$n/32 dev eth0
done

# Each name with its TTL; alias.elsewhere.test is a CNAME whose target's
# address the client resolves only through it.
srv_dnsmasq_with $NSC2 $P \
	--host-record=www.allowed.test,$NET.21,300 \
	--host-record=api.v1.allowed.test,$NET.22,300 \
	--host-record=blocked.test,$NET.23,300 \
	--host-record=other.test,$NET.24,300 \
	--host-record=ttl0.allowed.test,$NET.25,0 \
	--host-record=via.allowed.test,$NET.26,300 \
	--cname=alias.elsewhere.test,via.allowed.test,300 \
	--host-record=tls.allowed.test,$TLS,300 \
	--host-record=tcp.allowed.test,$NET.28,300 \
	--host-record=allowed.test,$NET.29,300 &&
srv_squid $NSC2 $P $P && srv_nginx $NSC2 $TLS || { fail "servers"; finish; }

# The web servers answer "page HOST at ADDR" (HOST from the request's Host
# header) and log "GET HOST PATH" to $T/web/log.
srv_dir web
cat > $T/web/web.py <<'EOF'
import http.server
import socketserver
import sys
import threading

class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        body = ("page %s at %s\n" % (host, self.server.server_address[0])).encode()
        print("GET", host, self.path, flush=True)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass

# Not http.server.HTTPServer: it looks its address up in DNS.
class S(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

servers = [S((a, 80), H) for a in sys.argv[1:]]
for s in servers[1:]:
    threading.Thread(target=s.serve_forever, daemon=True).start()
servers[0].serve_forever()
EOF
addrs=()
for n in $WEB; do addrs+=("$NET.$n"); done
srv_run web $NSC2 python3 $T/web/web.py "${addrs[@]}"

write_conf "queues = 25-26" "dns_resolvers = $P"
start_nvd || exit 1
nvctl workload add client --ip $C >/dev/null &&
nvctl workload add proxy --ip $P >/dev/null &&
ok "static workloads client and proxy added" || fail "workload add"

srv_ready dnsmasq $NSC2 udp $P 53 && srv_ready dnsmasq $NSC2 tcp $P 53 &&
	srv_ready squid $NSC2 tcp $P 3128 && srv_ready nginx $NSC2 tcp $TLS 443 &&
	srv_ready web $NSC2 tcp $NET.28 80 &&
	ok "dnsmasq, squid, nginx and the web servers listen" || { fail "servers"; finish; }

events_show() { nvctl --json events --limit 0 | jget "[e for e in j if $1]"; }

# c1's resolver asks dnsmasq: /etc/resolv.conf bound over in a mount
# namespace of the client's own.  Where / is no mount point (a chroot, such
# as the fresh-machine check's) a mount namespace cannot be made private
# and the bind would reach the host's: there dig resolves and curl gets the
# answer with --resolve.  Both ways the answer passes nvd.
printf 'nameserver %s\noptions timeout:2 attempts:1\n' $P > $T/resolv.conf
OWN_RESOLV=1
mountpoint -q / || OWN_RESOLV=
c1_resolving() {
	in_c1 unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
		$T/resolv.conf "$@"
}

# get NAME [curl options...]: curl http://NAME/ from c1, NAME resolved
# through nvd; its output in $OUT, its exit status returned.
OUT=
get() {
	local name=$1 a
	shift
	if [ -n "$OWN_RESOLV" ]; then
		OUT=$(c1_resolving curl -sS -m 5 --noproxy '*' "$@" http://$name/ 2>&1)
	else
		a=$(in_c1 dig +short +time=2 +tries=1 @$P $name | tail -1)
		OUT=$(in_c1 curl -sS -m 5 --noproxy '*' --resolve $name:80:$a "$@" \
			http://$name/ 2>&1)
	fi
}
# c1_curl [curl options...] URL: curl from c1, no proxy, resolving
# nothing (URLs with an address, or --resolve); as get.
c1_curl() { OUT=$(in_c1 curl -sS -m 5 --noproxy '*' "$@" 2>&1); }
# proxied [curl options...] URL: curl from c1 through squid, which
# resolves the URL's name; as get.
X=http://$P:3128
proxied() { OUT=$(in_c1 curl -sS -m 5 -x $X "$@" 2>&1); }

# Reachable: the page of NAME at ADDR (get's or c1_curl's status and $OUT).
served() { [ $1 = 0 ] && [ "$OUT" = "page $2 at $3" ]; }
# Refused by nvd: a reset or refusal (curl 7, 52, 56; 35 in a TLS
# handshake), not a timeout (28) and not the page.
cut() { case $1 in 7|35|52|56) return 0 ;; esac; return 1; }

# --- discover: an external destination learned by its name --------------------
get other.test
rc=$?
served $rc other.test $NET.24 && ok "discover: other.test resolved and fetched through nvd" ||
	fail "discover: other.test: curl $rc: $OUT"
learned_by_name() {
	[ "$(nvctl --json rule list | jget "sum(1 for r in j if r['type']=='learned' and r['from']=='nv.client' and r['to']=='fqdn:other.test' and r['ports']==['tcp/80'])")" = 1 ]
}
wait_for learned_by_name && ok "learned nv.client -> \"fqdn:other.test\" [\"tcp/80\"]" ||
	fail "no learned rule to fqdn:other.test: $(nvctl rule list 2>&1)"
g=$(nvctl --json group show fqdn:other.test 2>&1)
echo "$g" | jget "'address=other.test' in j['criteria']" | grep -qx True &&
	ok "group \"fqdn:other.test\" made with criteria address=other.test" ||
	fail "group fqdn:other.test: $g; groups: $(nvctl group list 2>&1)"
# bound NAME ADDR: c1 has NAME bound to ADDR.
bound() {
	[ "$(nvctl --json dns list --name $1 | jget "sum(1 for b in j if b['name']=='$1' and b['address']=='$2' and b['source']=='$C')")" = 1 ]
}
bound other.test $NET.24 && ok "dns list: other.test -> $NET.24 for $C" ||
	fail "dns list --name other.test: $(nvctl dns list 2>&1)"
head=$(nvctl dns list 2>&1 | head -1)
miss=
for w in name address source expires connections; do
	echo "$head" | grep -qiw $w || miss="$miss $w"
done
[ -z "$miss" ] && ok "nvctl dns list: a table with a header line" ||
	fail "nvctl dns list: header '$head' without$miss"
n=$(nvctl --json dns list --address $NET.24 | jget "len(j)")
m=$(nvctl --json dns list --address $NET.24 | jget "sum(1 for b in j if b['address']=='$NET.24')")
[ "$n" -ge 1 ] && [ "$n" = "$m" ] && ok "dns list --address $NET.24: only its bindings ($n)" ||
	fail "dns list --address: $(nvctl --json dns list --address $NET.24 2>&1)"

# --- protect: names in groups -------------------------------------------------
nvctl group add allowed --criteria 'address=*.allowed.test' >/dev/null &&
nvctl group add blocked --criteria address=blocked.test >/dev/null &&
ok "groups allowed (*.allowed.test) and blocked (blocked.test)" || fail "group add"
R1=$(nvctl rule add --from nv.client --to allowed --ports tcp/80,tcp/443 --action allow) &&
R2=$(nvctl rule add --from nv.client --to nv.proxy --ports udp/53,tcp/53,tcp/3128 \
	--action allow) && ok "rules $R1 (to allowed) and $R2 (to nv.proxy)" || fail "rule add"
nvctl group mode nv.client protect >/dev/null && ok "nv.client to protect" || fail "group mode"

get www.allowed.test
rc=$?
served $rc www.allowed.test $NET.21 && ok "protect: www.allowed.test reachable" ||
	fail "protect: www.allowed.test: curl $rc: $OUT"
get api.v1.allowed.test
rc=$?
served $rc api.v1.allowed.test $NET.22 &&
	ok "protect: api.v1.allowed.test reachable (*.allowed.test at depth 2)" ||
	fail "protect: api.v1.allowed.test: curl $rc: $OUT"
get other.test
rc=$?
served $rc other.test $NET.24 && ok "protect: other.test reachable by its learned rule" ||
	fail "protect: other.test: curl $rc: $OUT"

get allowed.test
rc=$?
cut $rc && ok "protect: allowed.test (the apex, not in *.allowed.test) refused (curl $rc)" ||
	fail "protect: allowed.test: curl $rc: $OUT"
apex_event() {
	[ "$(events_where "e['action']=='deny' and e['fqdn']=='allowed.test' and e['dst_ip']=='$NET.29' and e['dst_group']!='allowed'")" -ge 1 ]
}
wait_for apex_event && ok "violation event: deny to allowed.test, not in group allowed" ||
	fail "no deny event for allowed.test: $(events_show "e['dst_ip']=='$NET.29'")"

get blocked.test
rc=$?
cut $rc && ok "protect: blocked.test refused at once (curl $rc)" ||
	fail "protect: blocked.test: curl $rc: $OUT"
blocked_event() {
	[ "$(events_where "e['type']=='violation' and e['action']=='deny' and e['fqdn']=='blocked.test' and e['dst_group']=='blocked' and e['dst_ip']=='$NET.23' and e['src_group']=='nv.client'")" -ge 1 ]
}
wait_for blocked_event && ok "violation event: deny to blocked.test, dst_group blocked" ||
	fail "no deny event for blocked.test: $(events_show "e['dst_ip']=='$NET.23'")"

# An address the client never resolved is no name's: external.
c1_curl http://$NET.25/
rc=$?
cut $rc && ok "protect: $NET.25 never resolved: refused (curl $rc)" ||
	fail "protect: $NET.25 before resolving: curl $rc: $OUT"
unresolved_event() {
	[ "$(events_where "e['action']=='deny' and e['dst_ip']=='$NET.25' and not e['fqdn'] and e['dst_group'] not in ('allowed', 'blocked')")" -ge 1 ]
}
wait_for unresolved_event && ok "violation event: deny to $NET.25 without a name" ||
	fail "no deny event for $NET.25: $(events_show "e['dst_ip']=='$NET.25'")"
grep -q "GET $NET.25 " $T/web/log && fail "the request to $NET.25 reached its server" ||
	ok "the request to $NET.25 never reached its server"

# TTL 0: usable for the connection that follows (bound dns_min_ttl, 60 s).
get ttl0.allowed.test
rc=$?
served $rc ttl0.allowed.test $NET.25 && ok "protect: ttl0.allowed.test (TTL 0) reachable once resolved" ||
	fail "protect: ttl0.allowed.test: curl $rc: $OUT"
left=$(nvctl --json dns list --name ttl0.allowed.test | python3 -c '
import datetime, json, sys
j = json.load(sys.stdin)
now = datetime.datetime.now(datetime.timezone.utc)
print(min([int((datetime.datetime.strptime(b["expires"], "%Y-%m-%dT%H:%M:%SZ")
    .replace(tzinfo=datetime.timezone.utc) - now).total_seconds()) for b in j] or [-1]))')
[ "$left" -gt 30 ] && ok "dns list: the TTL 0 binding lasts dns_min_ttl (${left}s left)" ||
	fail "ttl0 binding: ${left}s left: $(nvctl dns list --name ttl0.allowed.test 2>&1)"

# A CNAME chain: alias.elsewhere.test -> via.allowed.test -> .26.
get alias.elsewhere.test
rc=$?
served $rc alias.elsewhere.test $NET.26 &&
	ok "protect: alias.elsewhere.test reachable (CNAME to via.allowed.test)" ||
	fail "protect: alias.elsewhere.test: curl $rc: $OUT"
bound alias.elsewhere.test $NET.26 && bound via.allowed.test $NET.26 &&
	ok "dns list: both names of the chain bound to $NET.26" ||
	fail "CNAME bindings: $(nvctl dns list --address $NET.26 2>&1)"

# DNS over TCP.
a=$(in_c1 dig +tcp +short +time=2 +tries=1 @$P tcp.allowed.test 2>&1)
[ "$a" = $NET.28 ] && ok "dig +tcp through nvd: tcp.allowed.test $a" ||
	fail "dig +tcp tcp.allowed.test: $a"
c1_curl --resolve tcp.allowed.test:80:$NET.28 http://tcp.allowed.test/
rc=$?
served $rc tcp.allowed.test $NET.28 && ok "protect: tcp.allowed.test reachable (answer over TCP)" ||
	fail "protect: tcp.allowed.test: curl $rc: $OUT; $(nvctl dns list --address $NET.28 2>&1)"

# --- protect: requests to the proxy, judged by the name they ask for ----------
proxied http://www.allowed.test/
rc=$?
served $rc www.allowed.test $NET.21 && ok "proxy: GET http://www.allowed.test/ through squid" ||
	fail "proxy: GET www.allowed.test: curl $rc: $OUT"
proxied http://blocked.test/
rc=$?
case $rc in
52|56) ok "proxy: GET http://blocked.test/ reset (curl $rc)" ;;
*) fail "proxy: GET blocked.test: curl $rc: $OUT" ;;
esac
proxy_event() {
	[ "$(events_where "e['action']=='deny' and e['fqdn']=='blocked.test' and e['dst_ip']=='$P' and 'via proxy' in (e['message'] or '')")" -ge 1 ]
}
wait_for proxy_event && ok "violation event: blocked.test 'via proxy'" ||
	fail "no proxy deny event: $(events_show "e['fqdn']=='blocked.test'")"
proxied -p http://www.allowed.test/
rc=$?
served $rc www.allowed.test $NET.21 && ok "proxy: CONNECT www.allowed.test:80 through squid" ||
	fail "proxy: CONNECT www.allowed.test: curl $rc: $OUT"
n0=$(events_where "'via proxy to blocked.test:80' in (e['message'] or '')")
proxied -p http://blocked.test/
rc=$?
cut $rc && ok "proxy: CONNECT blocked.test:80 refused (curl $rc)" ||
	fail "proxy: CONNECT blocked.test: curl $rc: $OUT"
connect_event() {
	[ "$(events_where "e['action']=='deny' and e['fqdn']=='blocked.test' and 'via proxy to blocked.test:80' in (e['message'] or '')")" -gt "$n0" ]
}
wait_for connect_event && ok "violation event: CONNECT 'via proxy to blocked.test:80'" ||
	fail "no event for the CONNECT: $(events_show "'via proxy' in (e['message'] or '')")"
grep -q "GET blocked.test" $T/web/log && fail "blocked.test's server got a request: $(cat $T/web/log)" ||
	ok "no request reached blocked.test's server"

# --- protect: the SNI never names a pinned TLS address -----------------------
# The client never resolved $TLS: it is external whatever name its hello
# asks for, so an allow rule for *.allowed.test does not admit it.
c1_curl -k --resolve www.allowed.test:443:$TLS https://www.allowed.test/
rc=$?
cut $rc && ok "TLS: SNI www.allowed.test to unresolved $TLS refused (curl $rc)" ||
	fail "TLS: SNI www.allowed.test to unresolved $TLS: curl $rc: $OUT"
sni_event() {
	[ "$(events_where "e['action']=='deny' and e['dst_ip']=='$TLS' and e['dst_group']=='external'")" -ge 1 ]
}
wait_for sni_event && ok "violation event: $TLS is external, whatever its SNI" ||
	fail "no deny event for $TLS: $(events_show "e['dst_ip']=='$TLS'")"
# Resolved as tls.allowed.test, asked for as other.test: allowed by the
# resolved name, the mismatch recorded.
a=$(in_c1 dig +short +time=2 +tries=1 @$P tls.allowed.test 2>&1)
[ "$a" = $TLS ] || fail "dig tls.allowed.test: $a"
c1_curl -k --resolve other.test:443:$TLS https://other.test/
rc=$?
[ $rc = 0 ] && ok "TLS: resolved tls.allowed.test, SNI other.test: allowed by the resolved name" ||
	fail "TLS: SNI other.test to tls.allowed.test's address: curl $rc: $OUT"
mismatch_event() {
	[ "$(events_where "e['name']=='sni mismatch' and e['fqdn']=='other.test' and e['dst_ip']=='$TLS'")" -ge 1 ]
}
wait_for mismatch_event && ok "event: sni mismatch other.test" ||
	fail "no sni mismatch event: $(events_show "e['dst_ip']=='$TLS'")"

# --- conversations and status -------------------------------------------------
conv_named() {
	[ "$(nvctl --json conversations | jget "sum(1 for c in j if c['from']=='nv.client' and c['to']=='allowed' and c['fqdn']=='www.allowed.test' and c['verdict']=='allow' and c['port']==80)")" -ge 1 ]
}
wait_for conv_named && ok "conversations: nv.client -> allowed www.allowed.test tcp/80 allow" ||
	fail "no conversation with fqdn www.allowed.test: $(nvctl conversations 2>&1)"
conv_denied() {
	[ "$(nvctl --json conversations | jget "sum(1 for c in j if c['from']=='nv.client' and c['fqdn']=='blocked.test' and c['verdict']=='deny')")" -ge 1 ]
}
wait_for conv_denied && ok "conversations: a deny row for blocked.test" ||
	fail "no deny conversation for blocked.test: $(nvctl conversations 2>&1)"
# The table shows the name in place of the group.
nvctl conversations 2>&1 | grep -qw www.allowed.test &&
	ok "nvctl conversations: a row to www.allowed.test" ||
	fail "nvctl conversations: no row to www.allowed.test: $(nvctl conversations 2>&1)"

st=$(nvctl --json status)
echo "$st" | jget "j['total']['dns']['answers'] > 0 and j['total']['dns']['bindings'] > 0 and j['total']['dns']['errors'] == 0 and j['total']['proxied'] >= 4 and j['dns_cache']['bindings'] > 0 and j['dns_cache']['names'] > 0" | grep -qx True &&
	ok "status: dns $(echo "$st" | jget "j['total']['dns']"), proxied $(echo "$st" | jget "j['total']['proxied']")" ||
	fail "status: total $(echo "$st" | jget "j['total']" 2>&1), dns_cache $(echo "$st" | jget "j.get('dns_cache')" 2>&1)"

# --- the end ------------------------------------------------------------------
stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
srv_stop_all
[ -z "$(ip netns pids $NSC2)" ] && ok "servers stopped" ||
	fail "left in c2: $(ip netns pids $NSC2 | xargs ps -o pid=,args= -p)"
finish
