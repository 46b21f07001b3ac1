#!/bin/bash
# Policy as code: nvctl policy export (groups, rules, a sensor and its
# assignment, an admission rule and mode, response rules), then everything
# deleted, then
# nvctl policy import of the export gives the same export, and the
# imported policy is enforced on real traffic (protect refuses what no
# rule allows, the user rule lets HTTP through); importing it again
# changes nothing; --dry-run tells what would change and changes nothing;
# a bad document (a bad mode, a syntax error, a sensor that does not
# exist) is refused saying where, and changes nothing; --replace deletes
# what the document lacks.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
command -v curl >/dev/null || skip "needs curl"
BB=$(command -v busybox) || skip "needs busybox"

topo_up
write_conf "queues = 85-86"
start_nvd || exit 1
nvctl workload add front --ip 198.18.0.11 >/dev/null &&
nvctl workload add api --ip 198.18.0.12 --label tier=api >/dev/null || fail "workload add"
mkdir -p $T/www && echo "nvd test page" > $T/www/index.html
in_c2 $BB httpd -f -p 8080 -h $T/www &
listening() { in_c2 ss -ltn | grep -q ":$1 "; }
wait_for listening 8080 || fail "httpd did not start"
fetch() { in_c1 curl -s -o /dev/null -f --max-time 5 "http://198.18.0.12:$1/"; }

# --- a policy: learned, user groups and rules, a sensor and its assignment ----
fetch 8080 || fail "discover: front -> api"
learned() { [ "$(nvctl --json rule list | jget 'sum(1 for r in j if r["type"] == "learned")')" = 1 ]; }
wait_for learned || fail "nothing learned"
nvctl group add apis --criteria label:tier=api --mode protect >/dev/null &&
nvctl rule add --from nv.front --to apis --app http --ports tcp/8080 --action allow >/dev/null &&
nvctl rule add --from nv.front --to external --action deny >/dev/null &&
nvctl sensor add pii --type dlp >/dev/null &&
nvctl sensor rule add pii card --pattern '[0-9]{16}' --validator luhn >/dev/null &&
nvctl sensor assign apis pii --action deny >/dev/null &&
nvctl group mode nv.api protect >/dev/null &&
nvctl admission rule add --action deny --criteria privileged,mount=/var/run/docker.sock \
	--comment "no privileged container with the Docker socket" >/dev/null &&
nvctl admission mode protect >/dev/null &&
nvctl response add --category security-event --group apis --criteria 'name=no rule' \
	--action quarantine >/dev/null &&
nvctl response add --category event --action suppress-log >/dev/null &&
nvctl response disable 2 >/dev/null && ok "a policy made with nvctl" || fail "policy setup"

nvctl policy export > $T/p1.json && ok "exported" || fail "export"
jget 'sorted(j)' < $T/p1.json | grep -qx "\['admission', 'assignments', 'groups', 'nvd_policy', 'responses', 'rules', 'sensors'\]" &&
	ok "one JSON document" || fail "export: $(head -c 300 $T/p1.json)"

# --- everything deleted --------------------------------------------------------------
nvctl sensor unassign apis pii >/dev/null && nvctl sensor delete pii >/dev/null || fail "sensor delete"
nvctl response delete 1 >/dev/null && nvctl response delete 2 >/dev/null || fail "response delete"
for id in $(nvctl --json rule list | jget '" ".join(str(r["id"]) for r in j)'); do
	nvctl rule delete $id >/dev/null || fail "rule delete $id"
done
nvctl group delete apis >/dev/null && nvctl group mode nv.api discover >/dev/null || fail "group delete"
for id in $(nvctl --json admission rule list | jget '" ".join(str(r["id"]) for r in j if not r["builtin"])'); do
	nvctl admission rule delete $id >/dev/null || fail "admission rule delete $id"
done
nvctl admission mode monitor >/dev/null || fail "admission mode"
nvctl policy export > $T/p2.json
cmp -s $T/p1.json $T/p2.json && fail "nothing was deleted"
[ "$(jget 'len(j["rules"]) + len(j["sensors"]) + len(j["assignments"]) + len(j["responses"]) + len([r for r in j["admission"]["rules"] if "builtin" not in r])' < $T/p2.json)" = 0 ] &&
	ok "no rule, sensor, assignment, response or admission rule left" || fail "left: $(cat $T/p2.json)"

# --- a dry run changes nothing ----------------------------------------------------------
out=$(nvctl policy import $T/p1.json --dry-run) && echo "$out" | tail -1 |
	grep -qx "[0-9]* changes (dry run: nothing saved)" && ok "dry run: $(echo "$out" | tail -1)" ||
	fail "dry run: $out"
echo "$out" | grep -qx "group apis added: user, protect, criteria label:tier=api" ||
	fail "dry run does not tell the group: $out"
nvctl policy export > $T/p2b.json
cmp -s $T/p2.json $T/p2b.json && ok "dry run: nothing changed" || fail "dry run changed the policy"

# --- import gives the same export, enforced --------------------------------------------
nvctl policy import $T/p1.json > $T/import.out && ok "imported: $(tail -1 $T/import.out)" ||
	fail "import: $(cat $T/import.out)"
nvctl policy export > $T/p3.json
cmp -s $T/p1.json $T/p3.json && ok "export -> delete everything -> import gives the same export" ||
	fail "exports differ: $(diff $T/p1.json $T/p3.json)"
[ "$(nvctl policy import $T/p1.json)" = "no changes" ] && ok "imported again: no changes" ||
	fail "second import changed something"
resp_in_force() { [ "$(nvctl --json status | jget '(j["response"]["rules"], j["response"]["enabled"])')" = "(2, 1)" ]; }
wait_for resp_in_force && ok "the response rules are in force: 2, 1 enabled" ||
	fail "response rules after import: $(nvctl --json status | jget 'j["response"]')"
nvctl --json admission status | jget 'j["mode"]' | grep -qx protect &&
	ok "admission: in protect again" || fail "admission status: $(nvctl --json admission status)"
fetch 8080 && ok "enforced: the user rule lets front's HTTP through" || fail "HTTP refused"
fetch 9091 && fail "enforced: api:9091 passed" || ok "enforced: protect refuses api:9091"
denied() { [ "$(events_where 'e["action"] == "deny" and e["dst_port"] == 9091')" -ge 1 ]; }
wait_for denied && ok "the refusal is a deny event" || fail "no deny event"

# --- bad documents change nothing and say where ------------------------------------------
python3 - $T/p1.json > $T/bad.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
i = [g["name"] for g in d["groups"]].index("nv.api")
d["groups"][i]["mode"] = "protected"
d["groups"].append({"name": "new", "criteria": ["name=new"], "mode": "protect"})
json.dump(d, sys.stdout, indent=1)
PY
i=$(python3 -c "import json; print([g['name'] for g in json.load(open('$T/p1.json'))['groups']].index('nv.api'))")
out=$(nvctl policy import $T/bad.json 2>&1)
rc=$?
[ $rc = 1 ] && [ "$out" = "nvctl: $T/bad.json: \$.groups[$i].mode: bad mode 'protected' (expected discover, monitor or protect)" ] &&
	ok "bad mode refused: $out" || fail "bad mode: exit $rc: $out"
printf '{"nvd_policy": 1,\n  "groups": [\n    {"name" "web"}]}\n' > $T/syntax.json
out=$(nvctl policy import $T/syntax.json 2>&1)
[ "$out" = "nvctl: $T/syntax.json: line 3, column 13: expected ':' after object key" ] &&
	ok "syntax error refused: $out" || fail "syntax error: $out"
jget 'json.dumps(dict(j, assignments=j["assignments"] + [{"group": "apis", "sensor": "nope", "action": "alert"}]))' < $T/p1.json > $T/nosensor.json
out=$(nvctl policy import $T/nosensor.json 2>&1)
echo "$out" | grep -q "sensor 'nope' does not exist (not in the document, not on this host); nothing changed$" &&
	ok "unknown sensor refused" || fail "unknown sensor: $out"
nvctl policy export > $T/p4.json
cmp -s $T/p1.json $T/p4.json && ok "bad documents changed nothing" || fail "changed: $(diff $T/p1.json $T/p4.json)"
out=$($NVCTL -s $T/nvd.sock policy import $T/missing.json 2>&1)
[ "$out" = "nvctl: $T/missing.json: No such file or directory" ] && ok "missing file: $out" ||
	fail "missing file: $out"

# --- a document past the 64 KiB of an ordinary request ----------------------------------
python3 - $T/p1.json > $T/big.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["rules"] += [{"from": "nv.front", "to": "external", "ports": ["udp/%d" % p],
    "action": "allow", "type": "learned"} for p in range(1, 3001)]
json.dump(d, sys.stdout, indent=1)
PY
out=$(nvctl policy import $T/big.json 2>&1) && [ "$(echo "$out" | tail -1)" = "3000 changes saved" ] &&
	ok "a document of $(wc -c < $T/big.json) bytes: 3000 rules added" || fail "big document: $(echo "$out" | tail -3)"
head -c $((16 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' > $T/huge.json
out=$(nvctl policy import $T/huge.json 2>&1)
[ "$out" = "nvctl: $T/huge.json: larger than 16 MiB" ] && ok "past 16 MiB: refused by nvctl" ||
	fail "huge document: $out"

# --- --replace: what the document lacks goes -------------------------------------------
nvctl group add extra --criteria name=extra >/dev/null || fail "group add extra"
nvctl policy import $T/p1.json | grep -q "^group extra" && fail "merge deleted extra"
nvctl policy import $T/p1.json --replace > $T/replace.out
grep -qx "group extra deleted: user, discover" $T/replace.out && ok "--replace deleted group extra" ||
	fail "--replace: $(cat $T/replace.out)"
[ "$(grep -c "^rule [0-9]* deleted: nv.front -> external any udp/" $T/replace.out)" = 3000 ] &&
	ok "--replace deleted the 3000 rules the document lacks" || fail "--replace: $(tail -3 $T/replace.out)"
nvctl policy export > $T/p5.json
cmp -s $T/p1.json $T/p5.json && ok "--replace: the policy is the document" || fail "after --replace: $(diff $T/p1.json $T/p5.json)"

stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
finish
