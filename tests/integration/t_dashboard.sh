#!/bin/bash
# nvctl dashboard on a scripted scenario with real traffic (busybox httpd
# and curl in the test's namespaces): two static workloads, front and api,
# and an address that is no workload (external).  In discover mode front
# and external fetch from api and api fetches from external; then a user
# rule names HTTP, nv.api goes to protect, and front and external are
# refused on a port nothing allows.  The dashboard's JSON holds each
# section with the counts that traffic makes: workloads, groups, rules,
# modes, the violations of the last 24 h, api exposed to external on
# tcp/8080 (ingress) and reaching it on tcp/9090 (egress) with its worst
# event, the top sources and destinations of security events, HTTP's
# sessions and that a rule protects it; its text fits 100 columns.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
command -v curl >/dev/null || skip "needs curl"
BB=$(command -v busybox) || skip "needs busybox"

topo_up
NSC3=$ID-c3
container_add $NSC3 13		# external: no workload has 198.18.0.13
write_conf "queues = 81-82"
start_nvd || exit 1

nvctl workload add front --ip 198.18.0.11 >/dev/null &&
nvctl workload add api --ip 198.18.0.12 >/dev/null && ok "static workloads front and api" ||
	fail "workload add"
mkdir -p $T/www && echo "nvd test page" > $T/www/index.html
in_c2 $BB httpd -f -p 8080 -h $T/www &
in_ns $NSC3 $BB httpd -f -p 9090 -h $T/www &
listening() { in_ns $1 ss -ltn | grep -q ":$2 "; }
wait_for listening $NSC2 8080 && wait_for listening $NSC3 9090 || fail "httpd did not start"

# fetch NS URL: 0 when the page came.
fetch() { in_ns $1 curl -s -o /dev/null -f --max-time 5 "$2"; }

# --- discover: allowed traffic, in and out --------------------------------------
for i in 1 2 3; do fetch $NSC1 http://198.18.0.12:8080/ || fail "front -> api $i"; done
for i in 1 2; do fetch $NSC3 http://198.18.0.12:8080/ || fail "external -> api $i"; done
fetch $NSC2 http://198.18.0.13:9090/ || fail "api -> external"
learned() {
	[ "$(nvctl --json rule list | jget 'sum(1 for r in j if r["type"] == "learned")')" = 3 ]
}
wait_for learned && ok "three conversations learned" || fail "learned: $(nvctl rule list)"

# --- protect: a rule names HTTP; a port nothing allows is refused ----------------
nvctl rule add --from nv.front --to nv.api --app http --ports tcp/8080 --action allow >/dev/null &&
nvctl group mode nv.api protect >/dev/null && ok "nv.api in protect, front's HTTP by a user rule" ||
	fail "rule add / group mode"
fetch $NSC1 http://198.18.0.12:8080/ && ok "protect: front -> api HTTP passes" ||
	fail "protect: front -> api"
for i in 1 2 3; do
	fetch $NSC1 http://198.18.0.12:9091/ && fail "protect: front -> api:9091 passed"
done
for i in 1 2; do
	fetch $NSC3 http://198.18.0.12:9091/ && fail "protect: external -> api:9091 passed"
done
violations() { sqlite3 $T/nvd.db "SELECT coalesce(sum(count), 0) FROM events WHERE type = 'violation'"; }
five() { [ "$(violations)" = 5 ]; }
wait_for five && ok "5 violations stored" || fail "violations: $(violations)"
http_sessions() {
	sqlite3 $T/nvd.db "SELECT coalesce(sum(sessions), 0) FROM conversations WHERE app = 'HTTP'"
}
seven() { [ "$(http_sessions)" = 7 ]; }
wait_for seven && ok "7 HTTP sessions counted" || fail "HTTP sessions: $(http_sessions)"

# --- the dashboard ------------------------------------------------------------------
nvctl --json dashboard > $T/dash.json || fail "dashboard --json"
# check DESC EXPR: EXPR of the dashboard (j) is true.
check() {
	local r
	r=$(jget "$2" < $T/dash.json 2>&1)
	[ "$r" = True ] && ok "$1" || fail "$1: $2 is $r; exposure: $(jget 'j["exposure"]' < $T/dash.json)"
}
check "workloads: 2 static" 'j["counts"]["workloads"]["static"] == 2'
check "groups: 3 built in, 2 learned" \
	'j["counts"]["groups"]["builtin"] == 3 and j["counts"]["groups"]["learned"] == 2'
check "rules: 1 user, 3 learned" \
	'j["counts"]["rules"]["user"] == 1 and j["counts"]["rules"]["learned"] == 3'
check "groups per mode: 1 protect" 'j["modes"]["groups"]["protect"] == 1'
check "workloads per mode: api protect, front discover" \
	'j["modes"]["workloads"] == {"discover": 1, "monitor": 0, "protect": 1}'
# (nvd's own incidents too: a policy change per nvctl request that made one.)
check "events of 24 h: 5 violations, warning" \
	'[(t["type"], t["warning"], t["total"]) for t in j["events"]["types"] if t["type"] != "incident"] == [("violation", 5, 5)]'
check "ingress: api reached from external on tcp/8080 by HTTP, 2 sessions" \
	'[(e["group"], e["workloads"], e["mode"], e["sources"], e["ports"], e["applications"], e["sessions"]) for e in j["exposure"]["ingress"]] == [("nv.api", ["api"], "protect", ["external"], ["tcp/8080"], ["HTTP"], 2)]'
check "ingress: api's worst event a warning violation" \
	'j["exposure"]["ingress"][0]["worst_event"]["level"] == "warning" and j["exposure"]["ingress"][0]["worst_event"]["type"] == "violation"'
# (The host itself may reach outside too: IGMP and the like, from br0.)
check "egress: api reaches external on tcp/9090 by HTTP, 1 session" \
	'[(e["group"], e["destinations"], e["ports"], e["applications"], e["sessions"]) for e in j["exposure"]["egress"] if e["group"] != "host"] == [("nv.api", ["external"], ["tcp/9090"], ["HTTP"], 1)]'
check "top sources: front 3, 198.18.0.13 2" \
	'[(p["name"], p["group"], p["events"]) for p in j["top_sources"]] == [("front", "nv.front", 3), ("198.18.0.13", "external", 2)]'
check "top destinations: api 5" \
	'[(p["name"], p["events"], p["worst_level"]) for p in j["top_destinations"]] == [("api", 5, "warning")]'
check "applications: HTTP, 7 sessions, protected by a rule" \
	'[(a["sessions"], a["protected"], a["rules"] >= 1) for a in j["applications"] if a["application"] == "HTTP"] == [(7, True, True)]'
check "host: this kernel" "j['host']['kernel']['release'] == '$(uname -r)'"

nvctl dashboard > $T/dash.txt || fail "dashboard"
cat $T/dash.txt
wide=$(awk 'length > 100' $T/dash.txt | head -3)
[ -z "$wide" ] && ok "text fits 100 columns" || fail "wider than 100 columns: $wide"
for s in "events since" "exposure, ingress" "exposure, egress" "top sources" \
    "top destinations" "applications"; do
	grep -q "^$s" $T/dash.txt || fail "text has no section '$s'"
done
grep -q "^nv.api .* external .* tcp/8080 .* HTTP .* 2 " $T/dash.txt &&
	ok "text: the ingress row" || fail "text: $(cat $T/dash.txt)"

stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
finish
