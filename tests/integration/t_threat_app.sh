#!/bin/bash
# Threat detectors in application streams (issue 14), real servers in ns
# c2 (workload "srv"), attacks from c1 ("client"): a heartbleed-style
# record (a TLS heartbeat claiming 16384 bytes in a record of 20) to a
# recorder of what TLS clients send; a request smuggling Content-Length
# with Transfer-Encoding to nginx; psql and mariadb sending
# "' OR 1=1 --" in a statement to PostgreSQL and MariaDB.  In protect mode
# none arrives (the recorder's bytes, nginx's access log, the servers'
# statement logs), clean requests and queries do, and deny events name
# each; in monitor mode each arrives, with an alert that says it would
# have been denied.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
need_servers

SRV=198.18.0.12
topo_up

# nginx with an access log.
NGINX_ACCESS_LOG=$T/nginx/access.log
srv_nginx $NSC2 $SRV
# A recorder of what TLS clients send: each connection's bytes as hex, one line.
mkdir -p $T/rec
cat > $T/rec.py <<'PY'
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 4433)); s.listen(16)
def serve(c):
    data = b""
    c.settimeout(3)
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            data += b
    except OSError:
        pass
    with open(sys.argv[2], "a") as f:
        f.write(data.hex() + "\n")
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
srv_run rec $NSC2 python3 $T/rec.py $SRV $T/rec/bytes
srv_postgres $NSC2 $SRV -c log_statement=all
srv_mariadb $NSC2 $SRV --general-log=1 --general-log-file=$T/mariadb/general.log
srv_ready nginx $NSC2 tcp $SRV 80 && srv_ready rec $NSC2 tcp $SRV 4433 &&
	srv_ready postgres $NSC2 tcp $SRV 5432 && srv_ready mariadb $NSC2 tcp $SRV 3306 ||
	{ fail "servers do not listen"; finish; }

write_conf "queues = 39-40" "pcap_dir = $T/pcap"
start_nvd || exit 1
nvctl workload add client --ip 198.18.0.11 >/dev/null &&
nvctl workload add srv --ip $SRV >/dev/null || fail "workloads"
nvctl rule add --from nv.client --to nv.srv --action allow >/dev/null || fail "rule"

# The attacks; each prints what the client saw.
cat > $T/attack.py <<'PY'
import socket, struct, sys
srv, what, tag = sys.argv[1], sys.argv[2], sys.argv[3]
def hello():
    body = b"\x03\x02" + b"\x07" * 32 + b"\x00" + b"\x00\x02\x00\x2f" + b"\x01\x00"
    ext = b"\x00\x0f\x00\x01\x01"			# heartbeat, peer allowed to send
    body += struct.pack(">H", len(ext)) + ext
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs
def talk(port, data):
    s = socket.create_connection((srv, port), timeout=5)
    try:
        s.sendall(data)
        got = s.recv(4096)
        return "answered" if got else "closed"
    except (ConnectionResetError, BrokenPipeError):
        return "reset"
    except socket.timeout:
        return "no answer"
    finally:
        s.close()
if what == "heartbleed":
    # A heartbeat request for 16384 bytes of payload in a record of 20.
    hb = b"\x18\x03\x02\x00\x14\x01\x40\x00" + tag.encode()[:1] + b"P" * 16
    print(talk(4433, hello() + hb))
elif what == "sentinel":
    s = socket.create_connection((srv, 4433), timeout=5)
    s.sendall(b"sentinel-" + tag.encode())
    s.close()
elif what == "smuggle":
    print(talk(80, b"POST /smuggle-%s HTTP/1.1\r\nHost: web\r\nContent-Length: 6\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nX" % tag.encode()))
PY
attack() { in_c1 python3 $T/attack.py $SRV "$@" 2>&1; }
threat_event() {
	[ "$(events_where "e['type']=='threat' and e['name']=='$1' and e['action']=='$2' and e['src_workload']=='client'")" -ge 1 ]
}
psql_q() { in_c1 env PGSSLMODE=disable PGCONNECT_TIMEOUT=5 psql -h $SRV -U postgres -d postgres -Atc "$1" 2>&1; }
mysql_q() { in_c1 mariadb -h $SRV -u root --skip-ssl --connect-timeout=5 -N -e "$1" 2>&1; }
PG_INJ="SELECT datname FROM pg_database WHERE datname = '' OR 1=1 --'"
MY_INJ="SELECT user FROM mysql.user WHERE user = '' OR 1=1 -- "

for mode in protect monitor; do
	nvctl group mode nv.srv $mode >/dev/null || fail "mode $mode"
	act=deny; [ $mode = monitor ] && act=alert

	# TLS: the heartbeat record (18 03 02 00 14) reaches the recorder or not.
	# A clean connection after it, once recorded, says the recorder is done
	# with what came before.
	r=$(attack heartbleed $mode)
	attack sentinel $mode >/dev/null
	sentinel=$(printf "sentinel-$mode" | od -An -tx1 | tr -d ' \n')
	wait_for grep -q "$sentinel" $T/rec/bytes || fail "$mode: the recorder got no sentinel"
	n=$(grep -c "18030200140140" $T/rec/bytes)
	if [ $mode = protect ]; then
		[ "$n" = 0 ] && ok "protect: the heartbleed record did not arrive ($r)" ||
			fail "protect: the heartbleed record arrived"
	else
		[ "$n" -ge 1 ] && ok "monitor: the heartbleed record arrived" ||
			fail "monitor: it did not: $r"
	fi
	wait_for threat_event SSL.Heartbleed $act && ok "$mode: SSL.Heartbleed ($act)" ||
		fail "$mode: heartbleed event: $(nvctl events --type threat)"

	# HTTP: the smuggling request reaches nginx (its access log) or not.
	r=$(attack smuggle $mode)
	sleep 0.5
	n=$(grep -c "/smuggle-$mode" $NGINX_ACCESS_LOG)
	if [ $mode = protect ]; then
		[ "$n" = 0 ] && ok "protect: the smuggling request did not reach nginx ($r)" ||
			fail "protect: nginx logged it"
		c=$(in_c1 curl -s -m 5 -o /dev/null -w '%{http_code}' http://$SRV/)
		[ "$c" = 200 ] && ok "protect: a clean request passes" || fail "protect: clean request $c"
	else
		wait_for grep -q "/smuggle-$mode" $NGINX_ACCESS_LOG &&
			ok "monitor: nginx got the smuggling request" || fail "monitor: not logged ($r)"
	fi
	wait_for threat_event HTTP.Request.Smuggling $act &&
		ok "$mode: HTTP.Request.Smuggling ($act)" || fail "$mode: smuggling event"

	# SQL: the statement reaches the server's log or not.
	r=$(psql_q "$PG_INJ")
	n=$(grep -c "OR 1=1" $T/postgres/log)
	ro=$(psql_q "SELECT 'clean-$mode'")
	if [ $mode = protect ]; then
		[ "$n" = 0 ] && ok "protect: PostgreSQL never saw the injection ($(echo $r | head -c 60))" ||
			fail "protect: PostgreSQL logged it"
		[ "$ro" = clean-$mode ] && ok "protect: a clean query is answered" ||
			fail "protect: clean query: $ro"
	else
		[ "$n" -ge 1 ] && echo "$r" | grep -q postgres &&
			ok "monitor: PostgreSQL ran the injection" || fail "monitor: psql: $r"
	fi
	r=$(mysql_q "$MY_INJ")
	n=$(grep -c "OR 1=1" $T/mariadb/general.log)
	ro=$(mysql_q "SELECT 'clean-$mode'")
	if [ $mode = protect ]; then
		[ "$n" = 0 ] && ok "protect: MariaDB never saw the injection ($(echo $r | head -c 60))" ||
			fail "protect: MariaDB logged it"
		[ "$ro" = clean-$mode ] && ok "protect: a clean MariaDB query is answered" ||
			fail "protect: clean MariaDB query: $ro"
	else
		[ "$n" -ge 1 ] && ok "monitor: MariaDB ran the injection" || fail "monitor: mariadb: $r"
	fi
	sql_event() {
		[ "$(events_where "e['type']=='threat' and e['name']=='SQL.Injection' and e['action']=='$act' and e['app']=='$1'")" -ge 1 ]
	}
	wait_for sql_event PostgreSQL && ok "$mode: SQL.Injection in PostgreSQL ($act)" ||
		fail "$mode: pg event: $(nvctl events --type threat)"
	wait_for sql_event MySQL && ok "$mode: SQL.Injection in MySQL ($act)" ||
		fail "$mode: mysql event: $(nvctl events --type threat)"
done
m=$(nvctl --json events --type threat --limit 0 | jget '[e["message"] for e in j if e["name"]=="SQL.Injection" and e["action"]=="alert"][0]')
case $m in *"tautology in a"*"would have been denied"*) ok "the alert's evidence: $m" ;;
	*) fail "sql alert message: $m" ;; esac
p=$(nvctl --json events --type threat --limit 0 | jget '[e["message"] for e in j if e["name"]=="SSL.Heartbleed" and e["action"]=="deny"][0]')
case $p in *"pcap nvd-"*) [ -f $T/pcap/${p##*pcap } ] && ok "the heartbleed packet is in pcap_dir" ||
	fail "no pcap file ${p##*pcap }" ;;
	*) fail "no pcap in: $p" ;; esac
srv_stop_all
stop_nvd || fail "nvd exit status"
finish
