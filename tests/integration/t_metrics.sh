#!/bin/bash
# The Prometheus endpoint (issue 15): metrics_listen on TCP, then on a unix
# socket.  What it serves passes promtool check metrics; every number of
# nvctl --json status is a sample (per queue with the queue's labels); the
# counters move with real traffic and equal the status once it settles;
# other paths and methods get 404 and 405; clients past the bound get 503
# while nvctl status and the traffic go on; the unix socket is mode 0660
# and goes with nvd.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
for c in promtool curl python3; do command -v $c >/dev/null || skip "needs $c"; done

topo_up
write_conf "queues = 75-76" "metrics_listen = 127.0.0.1:9433"
start_nvd || exit 1
protect_web || fail "policy set-up"
get() { web_get $1; }

URL=http://127.0.0.1:9433/metrics
scrape() { in_h curl -sS -m 5 "$@"; }

# check_text FILE: promtool's verdict, and every status number a sample.
check_text() {
	local out
	if out=$(promtool check metrics < $1 2>&1); then
		ok "promtool check metrics: $(grep -c '^nvd_' $1) samples, no problem"
	else
		fail "promtool check metrics: $out"
	fi
	nvctl --json status > $T/status.json
	python3 - $T/status.json $1 <<'PY' && ok "every number of nvctl status is a sample" || fail "samples"
import json, re, sys
st = json.load(open(sys.argv[1]))
samples = [l for l in open(sys.argv[2]) if l.startswith("nvd_")]
def leaves(o):
    if isinstance(o, bool) or isinstance(o, (int, float)):
        return 1
    if isinstance(o, dict):
        return sum(leaves(v) for v in o.values())
    return 0
bad = []
for q in st["queues"]:
    want = leaves({k: v for k, v in q.items() if k not in ("queue", "protect_queue")})
    got = sum(1 for l in samples if 'queue="%d",protect_queue="%d"' % (q["queue"], q["protect_queue"]) in l)
    if want != got:
        bad.append("queue %d: %d numbers, %d samples" % (q["queue"], want, got))
want = leaves({k: v for k, v in st.items() if k not in ("queues", "total")})
got = sum(1 for l in samples if "queue=" not in l and not l.startswith("nvd_info"))
if want != got:
    bad.append("top: %d numbers, %d samples" % (want, got))
if bad:
    sys.exit("; ".join(bad))
PY
}
# metric FILE NAME: the sum of NAME's samples.
metric() { awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $NF } END { print s + 0 }' $1; }

scrape $URL > $T/m1 || fail "scrape: $(cat $T/m1)"
check_text $T/m1
head=$(scrape -I $URL | tr -d '\r')
echo "$head" | grep -q "^Content-Type: text/plain; version=0.0.4" && ok "HEAD: the exposition's content type" ||
	fail "HEAD: $head"

# --- counters move with traffic ------------------------------------------------
p1=$(metric $T/m1 nvd_packets_total)
e1=$(metric $T/m1 nvd_events_written_total)
for i in 1 2 3; do [ "$(get 8080)" = "ok 8080" ] || fail "8080"; done
[ "$(get 9090)" = refused ] || fail "9090"
# The workers publish their counters every 100 ms and the writer its own:
# scraped until both moved (or wait_for gives up).
moved() {
	scrape $URL > $T/m2 || return 1
	p2=$(metric $T/m2 nvd_packets_total)
	e2=$(metric $T/m2 nvd_events_written_total)
	[ "$p2" -gt "$p1" ] && [ "$e2" -gt "$e1" ]
}
wait_for moved
[ "$p2" -gt "$p1" ] && [ "$e2" -gt "$e1" ] &&
	ok "counters move: packets $p1 -> $p2, events written $e1 -> $e2" ||
	fail "counters: packets $p1 -> $p2, events $e1 -> $e2"
same() {
	scrape $URL > $T/m3
	nvctl --json status > $T/s3
	[ "$(metric $T/m3 nvd_packets_total)" = "$(jget 'j["total"]["packets"]' < $T/s3)" ] &&
	[ "$(metric $T/m3 'nvd_verdicts_total')" = "$(jget 'sum(j["total"]["verdicts"].values())' < $T/s3)" ]
}
wait_for same && ok "settled: the samples sum to the status's totals" ||
	fail "metrics $(metric $T/m3 nvd_packets_total) packets, status $(jget 'j["total"]["packets"]' < $T/s3)"

# --- what is not a scrape --------------------------------------------------------
code() { scrape -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code http://127.0.0.1:9433/)" = 404 ] && [ "$(code -X POST $URL)" = 405 ] &&
	ok "404 for another path, 405 for another method" ||
	fail "codes: $(code http://127.0.0.1:9433/) $(code -X POST $URL)"

# --- bounded, and nothing else waits on it ---------------------------------------
cat > $T/idle.py <<'PY'
import socket, sys, time
s = [socket.create_connection(("127.0.0.1", 9433)) for _ in range(int(sys.argv[1]))]
print("open", flush=True)
time.sleep(float(sys.argv[2]))
PY
in_h python3 $T/idle.py 8 30 > $T/idle.out &
IDLE=$!
wait_for grep -q open $T/idle.out || fail "idle clients"
[ "$(code $URL)" = 503 ] && ok "a ninth client is told 503" || fail "ninth client: $(code $URL)"
s=$(date +%s%N)
nvctl status >/dev/null && d=$((($(date +%s%N) - s) / 1000000)) && [ "$(get 8080)" = "ok 8080" ] &&
	ok "meanwhile status answers ($d ms) and traffic passes" ||
	fail "status or traffic held up by the metrics clients"
kill $IDLE 2>/dev/null
wait $IDLE 2>/dev/null
back() { [ "$(code $URL)" = 200 ]; }
wait_for back && ok "the slots free again" || fail "after the idle clients: $(code $URL)"

# --- a unix socket ----------------------------------------------------------------
stop_nvd || fail "stop"
write_conf "queues = 75-76" "metrics_listen = $T/metrics.sock"
start_nvd || exit 1
curl -sS -m 5 --unix-socket $T/metrics.sock http://nvd/metrics > $T/m4 || fail "unix scrape"
check_text $T/m4
[ "$(stat -c %a $T/metrics.sock)" = 660 ] && ok "the unix socket is mode 0660" ||
	fail "mode $(stat -c %a $T/metrics.sock)"
stop_nvd || fail "stop"
[ ! -e $T/metrics.sock ] && ok "nvd removes its socket at exit" || fail "socket left"
finish
