#!/bin/bash
# Evasion over TCP (issue 12, cases 1 2 3 6 7 8 9 11), as a hostile
# container tries it: raw segments from ns c1 (attack.py) against real
# kernel TCP in ns c2, both workloads in protect (evasion.sh).  What is
# denied must never arrive, counted in the victim's log and sink:
#  1 two forged ACKs (for bytes never sent), then HTTP to the
#    postgresql-only port: no 200, never logged; reason tcp_ack
#  2 an out-of-window RST, then an SQL injection on the same connection:
#    never logged; reason tcp_rst
#  3 a SYN carrying an HTTP request, then SSH bytes to an http-only port:
#    cut as SSH, never logged; 3b an SQL injection sent in a TCP Fast Open
#    SYN to a server that takes Fast Open: never logged
# 12 an urgent byte (MSG_OOB) inside an SQL injection, which the server's
#    kernel takes out of the stream: never logged; reason tcp_urg
#  6 an SQL injection in the url behind 3 x 6 KB of headers: blocked; a
#    head over 64 KiB never reaches the server; reason http_parser
#  7 a benign copy out of order, the SQL injection over it at the same
#    sequence numbers, the hole filled: never logged; reason overlap
#  9 an h2c upgrade nobody answers, then 5.6 MB one way to the
#    postgresql-only port: the sink gets less than 1 MB; reason undecided (or
#    http_parser: the sensors on that port give up on it first)
#  8 4100 idle connections from the attacker: another client's SQL
#    injection is still blocked, its clean request answered; reason
#    inspect_state or app_state for the attacker's
# 11 40,000 one-byte out-of-order segments on one flow: nvd sees them all
#    and counts those past its per-flow bound; reason ooo_limit
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
. "$S/tests/integration/evasion.sh"
need_root

evasion_world 31 || { fail "setup"; finish; }
evasion_controls
need_nvd "after the controls"

# --- 1: forged ACKs ---------------------------------------------------------
r=$(atk forged-ack $SERVER 5432 /case1)
n=$(logged '^REQ 5432 GET /case1 ')
[ "$r" != "got 200" ] && [ "$n" = 0 ] &&
	ok "case 1: forged ACKs, then HTTP to the postgresql port: $r, never logged" ||
	fail "case 1: forged ACKs opened the postgresql port to HTTP: $r, logged $n"

# --- 2: out-of-window RST ---------------------------------------------------------
need_nvd "before case 2"
r=$(atk oow-rst $SERVER 8080 "$SQLI&case=2")
n=$(logged 'UNION.*case=2')
[ "$r" != "got 200" ] && [ "$n" = 0 ] &&
	ok "case 2: SQL injection after an out-of-window RST: $r, never logged" ||
	fail "case 2: SQL injection after an out-of-window RST reached the server: $r, logged $n"

# --- 3: data in a SYN ----------------------------------------------------------------
need_nvd "before case 3"
r=$(atk syn-data $SERVER 8081 'SSH-2.0-x\r\n')
n=$(logged '^LINE 8081 SSH-2.0')
[ "$n" = 0 ] && ok "case 3: SSH after a SYN carrying HTTP: $r, the server never read it" ||
	fail "case 3: SSH ran on the http-only port behind a SYN carrying HTTP: $r, logged $n"
settle
n=$(events_where "e['type']=='violation' and e['action']=='deny' and e['dst_port']==8081 and e['app']=='SSH'")
[ "$n" -ge 1 ] && ok "case 3: the violation names SSH on tcp/8081" ||
	fail "case 3: no deny violation naming SSH on tcp/8081: $(nvctl --json events --limit 0 | jget "[(e['action'], e['app']) for e in j if e['dst_port']==8081]")"

# --- 3b: data in a Fast Open SYN ------------------------------------------------------
# With TCP Fast Open on in both kernels (the server's takes data without a
# cookie), a SYN's bytes reach the server's application at once: an SQL
# injection there must meet the sensors as in any segment.  nvd passes a
# SYN without its bytes; the client's kernel sends them again after the
# handshake, where they are inspected.
need_nvd "before case 3b"
in_c2 sysctl -qw net.ipv4.tcp_fastopen=514 && in_c1 sysctl -qw net.ipv4.tcp_fastopen=5 ||
	fail "case 3b: Fast Open sysctls"
# SYNs with data the client's kernel sent: acknowledged or not (TcpExt).
tfo_sent() {
	in_c1 awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 }
		else print $c["TCPFastOpenActive"] + $c["TCPFastOpenActiveFail"] }' /proc/net/netstat
}
cut0=$(status_get 'j["total"]["syn_data_cut"]')
r=$(atk tfo-get $SERVER 8080 /case3b-control)
[ "$r" = "got 200" ] && [ "$(logged '^REQ 8080 GET /case3b-control ')" = 1 ] &&
	ok "case 3b: a plain request sent in a Fast Open SYN is answered 200, logged once" ||
	fail "case 3b: plain Fast Open request: $r, logged $(logged '^REQ 8080 GET /case3b-control ')"
r=$(atk tfo-get $SERVER 8080 "$SQLI&case=3b")
n=$(logged 'UNION.*case=3b')
[ "$r" != "got 200" ] && [ "$n" = 0 ] &&
	ok "case 3b: an SQL injection in a Fast Open SYN: $r, never logged" ||
	fail "case 3b: an SQL injection in a Fast Open SYN reached the server: $r, logged $n"
sent=$(tfo_sent)
cutn() { [ $(( $(status_get 'j["total"]["syn_data_cut"]') - cut0 )) -ge "$sent" ]; }
if [ "${sent:-0}" -ge 1 ]; then
	wait_for cutn && ok "case 3b: the client sent $sent SYNs with data, nvd passed each without them" ||
		fail "case 3b: the client sent $sent SYNs with data, nvd cut $(( $(status_get 'j["total"]["syn_data_cut"]') - cut0 ))"
else
	log "case 3b: the client's kernel sent no SYN data here (TcpExt Fast Open counters 0): only the requests' outcome is checked"
fi
in_c2 sysctl -qw net.ipv4.tcp_fastopen=1; in_c1 sysctl -qw net.ipv4.tcp_fastopen=1

# --- 12: an urgent byte inside the injection ----------------------------------------
# A receiver without SO_OOBINLINE (nearly all) takes a segment's urgent byte
# out of the stream its application reads: an 'X' sent with MSG_OOB inside
# SELECT makes the sensors read SELXECT while the server reads SELECT.
need_nvd "before case 12"
r=$(atk urg-get $SERVER 8080 "$SQLI&case=12" 25)
n=$(logged 'UNION.*case=12')
[ "$r" != "got 200" ] && [ "$n" = 0 ] &&
	ok "case 12: an SQL injection with an urgent byte inside: $r, never logged" ||
	fail "case 12: an urgent byte hid an SQL injection from the sensors: $r, logged $n"
r=$(atk urg-get $SERVER 8081 "/case12-plain" 3)
[ "$r" != "got 200" ] && [ "$(logged '^REQ 8081 GET /case12-plain')" = 0 ] &&
	ok "case 12: urgent data is cut in protect where nvd reads the stream ($r)" ||
	fail "case 12: urgent data passed on a stream nvd reads: $r"
reason_seen "case 12" tcp_urg

# --- 6: big request heads -----------------------------------------------------------
need_nvd "before case 6"
r=$(atk bighead $SERVER 8080 "$SQLI&case=6" 3 6000)
n=$(logged 'UNION.*case=6')
[ "$r" != "got 200" ] && [ "$n" = 0 ] &&
	ok "case 6: SQL injection in the url behind 3 x 6 KB of headers: $r, never logged" ||
	fail "case 6: SQL injection behind 3 x 6 KB of headers passed: $r, logged $n"
r=$(atk bighead $SERVER 8080 /case6-big 12 6000)
n=$(logged '^REQ 8080 GET /case6-big ')
[ "$r" != "got 200" ] && [ "$n" = 0 ] &&
	ok "case 6: a 72 KB head never reaches the server ($r)" ||
	fail "case 6: a 72 KB head reached the server: $r, logged $n"

# --- 7: overlapping segments -------------------------------------------------------
need_nvd "before case 7"
r=$(atk overlap $SERVER 8080 "$SQLI&case=7")
n=$(logged 'UNION.*case=7')
[ "$r" != "got 200" ] && [ "$n" = 0 ] &&
	ok "case 7: SQL injection over a benign out-of-order copy: $r, never logged" ||
	fail "case 7: SQL injection over a benign out-of-order copy reached the server: $r, logged $n"

# --- 9: provisional allow without end ------------------------------------------
need_nvd "before case 9"
r=$(atk h2c-sink $SERVER 5432 5600000)
sunk() { awk '$1 == 5432 { print $2 }' $SRVLOG.sink 2>/dev/null | grep . || echo 0; }
sink_still() { local a; a=$(sunk); sleep 1; [ "$(sunk)" = "$a" ]; }
wait_for sink_still
b=$(sunk)
[ "$b" -lt 1000000 ] && ok "case 9: an unanswered h2c upgrade, then $r: the sink got $b bytes" ||
	fail "case 9: an unanswered h2c upgrade let $b bytes through to the postgresql port ($r)"

# --- 8: exhausted state -----------------------------------------------------------
need_nvd "before case 8"
NSC3=$ID-c3
container_add $NSC3 13
nvctl workload add client2 --ip 198.18.0.13 >/dev/null &&
nvctl group mode nv.client2 protect >/dev/null &&
nvctl rule add --from nv.client2 --to nv.server --app http --ports tcp/8080 --action allow >/dev/null ||
	fail "case 8: workload client2"
r=$(in_ns $NSC3 $ATTACK get $SERVER 8080 "$SQLI&case=8-before")
[ "$r" != "got 200" ] && [ "$(logged 'UNION.*case=8-before')" = 0 ] &&
	ok "case 8: control: client2's SQL injection is blocked ($r)" ||
	fail "case 8: control: client2's SQL injection: $r"
touch $T/hold
nsenter --net=/run/netns/$NSC1 $ATTACK idle $SERVER 8080 4100 $T/hold > $T/idle.out 2>&1 &
IDLE=$!
held() { grep -q held $T/idle.out || ! kill -0 $IDLE 2>/dev/null; }
end=$((SECONDS + 60))
until held || [ $SECONDS -ge $end ]; do sleep 0.5; done
log "case 8: attacker: $(cat $T/idle.out)"
r=$(in_ns $NSC3 $ATTACK get $SERVER 8080 "$SQLI&case=8")
n=$(logged 'UNION.*case=8 ')
[ "$r" != "got 200" ] && [ "$n" = 0 ] &&
	ok "case 8: the attacker's 4100 idle connections tried, client2's SQL injection is blocked ($r)" ||
	fail "case 8: the attacker's 4100 idle connections tried, client2's SQL injection passed: $r, logged $n"
r=$(in_ns $NSC3 $ATTACK get $SERVER 8080 /case8-clean)
[ "$r" = "got 200" ] && ok "case 8: client2's clean request is still answered" ||
	fail "case 8: client2's clean request: $r"
rm -f $T/hold
wait $IDLE

# --- 11: out-of-order flood -------------------------------------------------------
need_nvd "before case 11"
# The queue's length (ns h's /proc/net/netfilter/nfnetlink_queue, third
# field) paces the attacker: nvd must see every segment, not keep up.
cat > $T/queued.sh <<EOF
#!/bin/sh
exec nsenter --net=/run/netns/$NSH awk '\$1 == 31 { print \$3 }' /proc/net/netfilter/nfnetlink_queue
EOF
chmod +x $T/queued.sh
quiet
p0=$(nvd_packets)
r=$(atk ooo-flood $SERVER 8080 40000 $T/queued.sh)
# Every segment reaches nvd; it may take nvd long, which is not asserted.
seen() { [ $(($(nvd_packets) - p0)) -ge 40000 ]; }
grows() {
	local a end=$((SECONDS + 120))
	while [ $SECONDS -lt $end ] && ! seen; do
		a=$(nvd_packets); sleep 2
		[ "$(nvd_packets)" = "$a" ] && return 1
	done
	seen
}
grows && ok "case 11: 40,000 one-byte out-of-order segments ($r), nvd answered them all" ||
	fail "case 11: nvd saw $(($(nvd_packets) - p0)) packets of 40,000 out-of-order segments ($r)"

# --- nvd's own record -------------------------------------------------------------
need_nvd "before the records"
settle
# What a slow path may have let through after its case was checked.
late=$(grep -E "^REQ 5432 GET /case1 |UNION.*case=[0-9]+ |^LINE 8081 SSH|^REQ 8080 GET /case6-big " $SRVLOG)
[ -z "$late" ] && ok "the victim's log holds no attack request at the end" ||
	fail "attack requests in the victim's log: $late"
reason_seen "case 1" tcp_ack "e['dst_port']==5432"
reason_seen "case 2" tcp_rst "e['dst_port']==8080"
reason_seen "case 6" http_parser "e['dst_port']==8080"
reason_seen "case 7" overlap "e['dst_port']==8080"
reason_seen "case 9" "undecided|http_parser" "e['dst_port']==5432"
reason_seen "case 8" "inspect_state|app_state" "e['src_ip']=='$CLIENT'"
n=$(events_where "e.get('reason') in ('inspect_state','app_state') and e['src_ip']!='$CLIENT'")
[ "$n" = 0 ] && ok "case 8: no other client is refused state" ||
	fail "case 8: $n state events for clients other than the attacker"
reason_seen "case 11" ooo_limit "e['dst_port']==8080"

sanitized && sanitizer_clean && ok "nvd built with sanitizers: no report in its log"
stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
srv_stop_all
finish
