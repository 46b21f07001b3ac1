#!/bin/bash
# sensor.crs (issue 16): the OWASP CRS through libmodsecurity on a real
# nginx in ns c2 (workload "web"), curl from ns c1 (workload "client").  In
# protect, with sensor.crs assigned with deny: an SQL injection, an XSS and
# a path traversal are cut and never reach nginx (its access log), a clean
# request passes, the waf events name the CRS rule ids and the score; in
# monitor they pass with alerts that say they would have been denied;
# nvctl sensor test sensor.crs reads a raw request from a file; status
# counts requests and held packets; a reload with a broken rule file is
# refused with ModSecurity's message and the running rules stay.  Then a
# slow evaluation (a form body near crs_body_limit) does not delay another
# flow on the same queue: its messages reach the receiver while the big
# request is held (measured on the receiving side).
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
command -v nginx >/dev/null && command -v curl >/dev/null || skip "needs nginx and curl"
[ -r /etc/modsecurity/crs/crs-setup.conf ] && pkg-config --exists modsecurity ||
	skip "needs the CRS and libmodsecurity (modsecurity-crs, libmodsecurity-dev)"

A=198.18.0.12

topo_up
# nginx with an access log: what reaches it.
srv_dir nginx
mkdir -p $T/nginx/www
echo "nvd test page" > $T/nginx/www/index.html
chmod -R a+rX $T/nginx
cat > $T/nginx/nginx.conf <<EOC
daemon off;
worker_processes 1;
pid $T/nginx/pid;
error_log $T/nginx/error.log;
events { worker_connections 64; }
http {
	access_log $T/nginx/access.log;
	client_body_temp_path $T/nginx/tmp-body;
	proxy_temp_path $T/nginx/tmp-proxy;
	fastcgi_temp_path $T/nginx/tmp-fastcgi;
	uwsgi_temp_path $T/nginx/tmp-uwsgi;
	scgi_temp_path $T/nginx/tmp-scgi;
	server { listen $A:80; root $T/nginx/www; }
}
EOC
srv_run nginx $NSC2 nginx -e $T/nginx/error.log -p $T/nginx -c $T/nginx/nginx.conf
write_conf "queues = 25-25" "rules_dir = $S/rules" "crs_deadline = 30000" "crs_body_limit = 1m"
start_nvd || exit 1
srv_ready nginx $NSC2 tcp $A 80 || { fail "nginx does not listen"; finish; }
# The CRS is parsed at its first assignment, not by an nvd that never uses it.
[ "$(nvctl --json status | jget '(j["crs"]["loaded"], j["crs"]["rule_files"])')" = "(False, 0)" ] &&
	nvctl status | grep -q "^sensor.crs not loaded (assigned to no group" &&
	ok "sensor.crs not loaded while no group has it" ||
	fail "crs before its assignment: $(nvctl --json status | jget 'j["crs"]')"

nvctl workload add client --ip 198.18.0.11 >/dev/null &&
nvctl workload add web --ip $A >/dev/null || fail "workload add"
nvctl rule add --from nv.client --to nv.web --ports tcp/80,tcp/8081,tcp/8082 \
	--action allow >/dev/null || fail "rule add"
r=$(nvctl sensor assign nv.web sensor.crs --action deny --paranoia 1 --threshold 5)
[ $? = 0 ] && ok "$r" || fail "assign sensor.crs: $r"
crs_files() { nvctl --json status | jget 'j["crs"]["rule_files"]' 2>/dev/null; }
loaded() { [ "$(crs_files)" -gt 20 ] 2>/dev/null; }
wait_for loaded && ok "assigned: sensor.crs loaded $(crs_files) rule files" ||
	fail "crs rule files: $(nvctl --json status | jget 'j["crs"]')"
r=$(nvctl sensor assign nv.web sensor.sqlinjection --action deny --paranoia 2 2>&1)
[ $? != 0 ] && echo "$r" | grep -q "for sensor.crs only" &&
	ok "--paranoia is refused for another sensor: $r" || fail "paranoia on sqlinjection: $r"
nvctl sensor list | grep -q "nv.web:deny/pl1/t5" && ok "sensor list shows pl1/t5" ||
	fail "sensor list: $(nvctl sensor list)"
nvctl group mode nv.web protect >/dev/null || fail "protect"

# get ARGS...: curl from c1; prints "HTTPCODE" or "x<curl exit>".
get() {
	local out rc
	out=$(in_c1 curl -s -m 10 --path-as-is -o /dev/null -w '%{http_code}' "$@" 2>/dev/null); rc=$?
	[ $rc = 0 ] && echo "$out" || echo "x$rc"
}
cut_off() { case $1 in x52|x56|x7|x35|x18|x28) return 0 ;; esac; return 1; }
reached() { grep -q -- "$1" $T/nginx/access.log 2>/dev/null; }

SQLI="/items?id=1%27%20OR%20%271%27%3D%271&m=crs-sqli"
XSS="/search?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E&m=crs-xss"
LFI="/static/../../../../etc/passwd?m=crs-lfi"

# --- protect ------------------------------------------------------------------
r=$(get "http://$A/?m=crs-clean")
[ "$r" = 200 ] && ok "a clean request passes (200)" || fail "clean request: $r"
wait_for reached crs-clean && ok "nginx logged the clean request" || fail "clean not in access log"
for t in SQLI XSS LFI; do
	r=$(get "http://$A${!t}")
	cut_off $r && ok "$t cut ($r)" || fail "$t: $r"
done
for m in crs-sqli crs-xss crs-lfi; do
	reached $m && fail "$m reached nginx: $(grep -- $m $T/nginx/access.log)" ||
		ok "$m never reached nginx (access log)"
done
ids() {
	nvctl --json events --type waf --limit 0 | jget '",".join(e["name"] for e in j if e["sensor"]=="sensor.crs" and e["action"]=="'$1'")'
}
crs_denied() {
	local s; s=$(ids deny)
	echo "$s" | grep -q 942 && echo "$s" | grep -q 941 && echo "$s" | grep -q 930
}
wait_for crs_denied && ok "waf deny events with CRS rule ids: $(ids deny)" ||
	fail "crs events: $(nvctl events --type waf)"
n=$(events_where 'e["sensor"]=="sensor.crs" and "score" in e["message"] and "(denied)" in e["message"]')
[ "$n" -ge 3 ] && ok "the events give the anomaly score" || fail "no score: $(nvctl events --type waf)"
r=$(get "http://$A/?m=crs-clean2")
[ "$r" = 200 ] && ok "clean requests still pass" || fail "clean after: $r"

# --- nvctl sensor test sensor.crs -------------------------------------------------
printf 'GET %s HTTP/1.1\r\nHost: web\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n' \
	"$SQLI" > $T/sqli.req
printf 'GET /?q=hello HTTP/1.1\r\nHost: web\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n' \
	> $T/clean.req
r=$(nvctl sensor test sensor.crs --file $T/sqli.req); rc=$?
[ $rc = 0 ] && echo "$r" | grep -q "^942100" && echo "$r" | grep -q "denied" &&
	ok "sensor test sensor.crs: the injection is denied (exit 0), 942100 listed" ||
	fail "sensor test sqli: exit $rc: $r"
nvctl sensor test sensor.crs --file $T/clean.req >/dev/null; rc=$?
[ $rc = 1 ] && ok "sensor test sensor.crs: a clean request passes (exit 1)" ||
	fail "sensor test clean: exit $rc"
nvctl sensor test sensor.crs --file $T/sqli.req --threshold 1000 >/dev/null; rc=$?
[ $rc = 1 ] && ok "sensor test: --threshold 1000 lets it pass" || fail "threshold: exit $rc"

# --- status ---------------------------------------------------------------------
# (Workers publish their counters every 100 ms.)
counted() {
	st=$(nvctl --json status)
	n=$(echo "$st" | jget 'j["crs"]["requests"]')
	d=$(echo "$st" | jget 'j["crs"]["flows_denied"]')
	h=$(echo "$st" | jget 'j["crs"]["held"]')
	[ "$n" -ge 5 ] && [ "$d" -ge 3 ] && [ "$h" -ge 5 ]
}
wait_for counted && ok "status: $n requests, $d flows dropped, $h packets held" ||
	fail "status crs: $(echo "$st" | jget 'j["crs"]')"
nvctl status | grep -q "^sensor.crs .* rule files" && ok "status text has a sensor.crs line" ||
	fail "status text: $(nvctl status)"

# --- reload with a broken rule file: refused, the running rules stay ----------------
mkdir -p $T/crs
cp /usr/share/modsecurity-crs/rules/*.conf /usr/share/modsecurity-crs/rules/*.data $T/crs/
echo 'SecRule ARGS "@rx x" "id:1,phase:2,nosuchaction"' > $T/crs/REQUEST-999-BROKEN.conf
write_conf "queues = 25-25" "rules_dir = $S/rules" "crs_deadline = 30000" \
	"crs_body_limit = 1m" "crs_rules = $T/crs/*.conf"
r=$(nvctl reload 2>&1); rc=$?
[ $rc != 0 ] && echo "$r" | grep -q "REQUEST-999-BROKEN.conf" &&
	ok "reload refused: $(echo "$r" | head -c 160)" || fail "reload with a broken file: $rc: $r"
r=$(get "http://$A$SQLI-2")
cut_off $r && ! reached crs-sqli-2 && ok "the running rules still cut the injection ($r)" ||
	fail "after the broken reload: $r"

# --- monitor: passes, with alerts ---------------------------------------------------
nvctl group mode nv.web monitor >/dev/null
for t in SQLI XSS LFI; do
	r=$(get "http://$A${!t}-mon")
	cut_off $r && fail "monitor cut $t: $r" || ok "monitor: $t passes ($r)"
done
wait_for reached crs-sqli-mon && reached crs-xss-mon && reached crs-lfi-mon &&
	ok "monitor: nginx got all three" || fail "monitor: $(cat $T/nginx/access.log)"
would() {
	[ "$(events_where 'e["sensor"]=="sensor.crs" and e["action"]=="alert" and "would have been denied" in e["message"]')" -ge 3 ]
}
wait_for would && ok "monitor: alerts that say they would have been denied" ||
	fail "monitor events: $(nvctl events --type waf)"

# --- a slow evaluation does not hold another flow back --------------------------------
nvctl group mode nv.web protect >/dev/null
cat > $T/recv.py <<'PY'
# A receiver in c2: 8081 takes one POST and says when its body was whole;
# 8082 takes lines "seq t_sent" and notes when each arrived.  Times are
# CLOCK_MONOTONIC, which the namespaces share.
import socket, sys, threading, time
addr, out = sys.argv[1], open(sys.argv[2], "w")
def post():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 8081)); s.listen(4)
    c, _ = s.accept(); buf = b""
    while b"\r\n\r\n" not in buf:
        buf += c.recv(65536)
    head, body = buf.split(b"\r\n\r\n", 1)
    n = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(body) < n:
        d = c.recv(65536)
        if not d: break
        body += d
    print("post %.6f %d" % (time.monotonic(), len(body)), file=out, flush=True)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); c.close()
def lines():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 8082)); s.listen(4)
    c, _ = s.accept(); f = c.makefile("rb")
    for l in f:
        seq, sent = l.split()
        print("line %s %s %.6f" % (seq.decode(), sent.decode(), time.monotonic()), file=out, flush=True)
t = threading.Thread(target=post)
t.start()
lines()
t.join()	# the big request may come after the other flow ended
PY
cat > $T/send.py <<'PY'
# In c1: the big POST's last bytes, then a line every 10 ms for 3 s on
# another connection.
import socket, sys, threading, time
addr = sys.argv[1]
body = b"&".join(b"a%d=%s" % (i, b"x" * 400) for i in range(2500))[:1000000]
head = b"POST /upload HTTP/1.1\r\nHost: web\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n" % len(body)
a = socket.create_connection((addr, 8081), timeout=60)
b = socket.create_connection((addr, 8082), timeout=60)
b.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
a.sendall(head + body)
print("sent %.6f" % time.monotonic(), flush=True)
for i in range(300):
    b.sendall(b"%d %.6f\n" % (i, time.monotonic()))
    time.sleep(0.01)
b.close()
try:
    print("answer %s" % a.recv(64).split(b"\r\n")[0].decode(), flush=True)
except OSError as e:
    print("answer error %s" % e, flush=True)
PY
mkdir -p $T/recv
srv_run recv $NSC2 python3 $T/recv.py $A $T/recv/times
srv_ready recv $NSC2 tcp $A 8082 || fail "receiver does not listen"
in_c1 python3 $T/send.py $A > $T/send.out 2>&1
python3 - $T/send.out $T/recv/times <<'PY' > $T/slow.out
import sys
sent = [float(l.split()[1]) for l in open(sys.argv[1]) if l.startswith("sent")][0]
post, lines = None, []
for l in open(sys.argv[2]):
    w = l.split()
    if w[0] == "post": post = float(w[1])
    if w[0] == "line": lines.append((float(w[2]), float(w[3])))
held = [arr - snd for snd, arr in lines if snd >= sent and (post is None or arr < post)]
print(len(held), "%.1f" % ((post - sent) * 1000 if post else -1),
      "%.1f" % (max(held) * 1000 if held else -1), "%.1f" % (sorted(held)[len(held) // 2] * 1000 if held else -1))
PY
read nheld hold_ms bmax_ms bmed_ms < $T/slow.out
log "slow evaluation: the big request reached its server ${hold_ms} ms after it was sent;" \
	"meanwhile $nheld lines of the other flow arrived, one-way delay median ${bmed_ms} ms, max ${bmax_ms} ms"
grep -q "answer HTTP/1.1 200" $T/send.out && ok "the big request passed (200)" ||
	fail "big request: $(tail -1 $T/send.out); receiver: $(cat $T/recv/log); crs: $(nvctl --json status | jget 'j["crs"]'); unjudged: $(nvctl --json status | jget 'j["total"]["unjudged"]'); $(nvctl events --limit 3)"
[ "$nheld" -ge 3 ] && ok "another flow on the same queue went on while the big request was held ($nheld lines arrived first)" ||
	fail "the other flow waited: $(cat $T/slow.out) $(cat $T/recv/times | head -3)"

stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
srv_stop_all
finish
