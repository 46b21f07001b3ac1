#!/bin/bash
# nvctl graph on real traffic and at scale.  Front and an address that is
# no workload (external) fetch from api over HTTP: the graph has the edges
# nv.front -> nv.api and external -> nv.api labelled HTTP tcp/8080; its DOT
# is accepted by Graphviz's dot, and --format svg (nvctl running dot)
# renders an SVG document that parses as XML; without dot on PATH nvctl
# says what to install.  Then 500 workloads in 50 learned groups with
# 1600 conversations among them and with 20 DNS names, written into the
# database as the writer would: the graph has every workload, clustered
# by group, and its edges cut to --max-edges with the count of the rest.
# The times nvctl and dot take at 500 nodes are measured and logged, not
# asserted (this machine is shared): nvctl is expected well under a
# second and dot within a minute.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
command -v curl >/dev/null || skip "needs curl"
command -v dot >/dev/null || skip "needs graphviz (dot)"
BB=$(command -v busybox) || skip "needs busybox"

topo_up
NSC3=$ID-c3
container_add $NSC3 13
write_conf "queues = 83-84"
start_nvd || exit 1
nvctl workload add front --ip 198.18.0.11 >/dev/null &&
nvctl workload add api --ip 198.18.0.12 >/dev/null || fail "workload add"
mkdir -p $T/www && echo "nvd test page" > $T/www/index.html
in_c2 $BB httpd -f -p 8080 -h $T/www &
listening() { in_ns $1 ss -ltn | grep -q ":$2 "; }
wait_for listening $NSC2 8080 || fail "httpd did not start"
in_c1 curl -s -o /dev/null -f --max-time 5 http://198.18.0.12:8080/ || fail "front -> api"
in_ns $NSC3 curl -s -o /dev/null -f --max-time 5 http://198.18.0.12:8080/ || fail "external -> api"

# edge FROM TO: the JSON graph has the edge, with HTTP tcp/8080.
edge() {
	nvctl --json graph | jget "[c['application'] + ' ' + c['proto'] + '/' + str(c['port']) for e in j['edges'] if e['from'] == '$1' and e['to'] == '$2' for c in e['conversations']] == ['HTTP tcp/8080']" 2>/dev/null | grep -q True
}
wait_for edge g:nv.front g:nv.api && ok "edge nv.front -> nv.api: HTTP tcp/8080" ||
	fail "no edge nv.front -> nv.api: $(nvctl --json graph)"
wait_for edge g:external g:nv.api && ok "edge external -> nv.api: HTTP tcp/8080" ||
	fail "no edge external -> nv.api"
nvctl --json graph --workloads | jget "any(e['from'] == 'w:front' and e['to'] == 'w:api' for e in j['edges'])" |
	grep -q True && ok "by workload: front -> api" || fail "by workload: $(nvctl --json graph --workloads)"

# is_svg FILE: an SVG document that parses as XML, naming node.
is_svg() {
	python3 - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
assert sys.argv[2] in texts, texts
PY
}
nvctl graph --format dot > $T/g.dot || fail "graph --format dot"
dot -Tsvg $T/g.dot > $T/g1.svg 2> $T/dot.err && ok "dot accepts the graph" ||
	fail "dot: $(cat $T/dot.err)"
nvctl graph --format svg > $T/g2.svg && is_svg $T/g2.svg nv.api &&
	ok "--format svg renders an SVG document naming nv.api" || fail "svg: $(head -c 300 $T/g2.svg)"
out=$(PATH=/nonexistent $NVCTL -s $T/nvd.sock graph --format svg 2>&1)
rc=$?
[ $rc = 1 ] && [ "$out" = "nvctl: graph --format svg needs Graphviz's dot, which is not installed (Debian: apt-get install graphviz); --format dot prints the graph for it" ] &&
	ok "no dot: a clear message, exit 1" || fail "no dot: exit $rc: $out"

# --- 500 workloads ------------------------------------------------------------------
# Workload wG-K is the K-th of group nv.gG; each talks to three of the next
# group's, and two of each group's to a DNS name: 1500 + 100 conversations.
python3 - > $T/big.sql <<'PY'
print("BEGIN;")
for g in range(50):
    for k in range(10):
        n = (g + 1) % 50
        for d in range(3):
            print("INSERT INTO workload_conversations VALUES ('w%d-%d', 'w%d-%d', 'nv.g%d', "
                  "'nv.g%d', '', 'HTTP', 'tcp', 8080, 'allow', %d, %d, 1, strftime('%%s'));"
                  % (g, k, n, (k + d) % 10, g, n, 1 + k * d, 1000 * (k + 1)))
        if k % 5 == 0:
            print("INSERT INTO workload_conversations VALUES ('w%d-%d', '', 'nv.g%d', "
                  "'external', 'site%d.example.com', 'TLS', 'tcp', 443, 'allow', 1, 100, 1, "
                  "strftime('%%s'));" % (g, k, g, (g * 10 + k) % 20))
print("COMMIT;")
PY
sqlite3 $T/nvd.db < $T/big.sql || fail "filling the database"
t0=$(date +%s%N)
nvctl --json graph --workloads > $T/big.json || fail "graph --workloads --json"
t1=$(date +%s%N)
nvctl graph --workloads > $T/big.dot || fail "graph --workloads"
t2=$(date +%s%N)
dot -Tsvg $T/big.dot > $T/big.svg 2> $T/dot.err || fail "dot at 500 nodes: $(cat $T/dot.err)"
t3=$(date +%s%N)
nodes=$(jget 'sum(1 for n in j["nodes"] if n["kind"] == "workload" and n["id"].startswith("w:w"))' < $T/big.json)
[ "$nodes" = 500 ] && ok "500 workloads, each a node" || fail "$nodes workload nodes"
jget 'len(j["edges"]) == 300 and j["edges_left_out"] == 1600 + 2 - 300' < $T/big.json | grep -q True &&
	ok "edges cut to 300, the other $((1602 - 300)) counted" ||
	fail "edges: $(jget '(len(j["edges"]), j["edges_left_out"])' < $T/big.json)"
jget 'sum(1 for n in j["nodes"] if n["cluster"] == "nv.g7")' < $T/big.json | grep -qx 10 &&
	ok "clustered by learned group (nv.g7: 10)" || fail "clusters"
grep -q "1302 more left out" $T/big.dot && ok "the DOT label counts what was left out" ||
	fail "DOT label: $(grep -m1 'label=' $T/big.dot)"
python3 -c "import xml.etree.ElementTree as E; E.parse('$T/big.svg')" &&
	ok "the SVG of 500 nodes parses" || fail "big SVG does not parse"
log "500 nodes: nvctl graph --json $(( (t1 - t0) / 1000000 )) ms, DOT $(( (t2 - t1) / 1000000 )) ms, dot -Tsvg $(( (t3 - t2) / 1000000 )) ms ($(wc -c < $T/big.svg) bytes of SVG)"

stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
finish
