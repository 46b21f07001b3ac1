#!/bin/bash
# Decisions in the kernel with real containers on a real dockerd
# (kernel_decide = yes): nvd finds each container's bridge port on docker0
# itself, the kernel allows client -> web tcp/8080 (a protect-mode port
# rule) without a queue, counted in status and in the rule's hits; a port
# no rule opens is still nvd's, refused with a violation; the rule
# deleted, the next fetch is refused at once.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
need_docker
command -v curl >/dev/null || skip "needs curl"
WAIT_FOR_S=15		# containers take their time

docker_up || exit 1
busybox_image || { fail "docker import"; finish; }
docker_run web || fail "run web"	# httpd on 8080
docker_run client -- sleep 3600 || fail "run client"
WEB=$(docker_ip web)
docker_conf "queues = 26-27" "kernel_decide = yes"
start_nvd || exit 1

# fetch PORT: the HTTP code of a GET from client, then curl's exit status
# when it failed ("000 7": refused, "000 28": no answer).
fetch() { in_ct client curl -s -o /dev/null -w '%{http_code}' -m 3 http://$WEB:$1/ || echo " $?"; }
status() { nvctl --json status | jget "j['kernel_decisions']$1"; }
discovered() { [ "$(nvctl --json workload list | jget 'len(j)')" = 2 ]; }
wait_for discovered && ok "containers discovered" || fail "discovery: $(nvctl workload list)"
for t in $(nvctl --json threat list | jget "' '.join(t['name'] for t in j if t['enabled'])"); do
	case $t in ICMP.*|Ping.*) ;; *) nvctl threat set $t --disable >/dev/null || fail "threat $t" ;; esac
done
nvctl group mode nv.web protect >/dev/null || fail "group mode"
RID=$(nvctl rule add --from nv.client --to nv.web --ports tcp/8080 --action allow)
[ -n "$RID" ] || fail "rule add"
# The containers' ports, found by nvd, are in the kernel's sets.
decided() { [ "$(status "['addresses']")" -ge 2 ] && [ "$(status "['elements']")" -ge 1 ]; }
wait_for decided && ok "kernel decisions: $(status "['addresses']") addresses, $(status "['elements']") elements" ||
	fail "kernel decisions: $(nvctl --json status | jget "j['kernel_decisions']")"

k0=$(status "['flows']")
for i in 1 2 3; do
	r=$(fetch 8080)
	[ "$r" = 200 ] || fail "GET :8080 #$i: $r"
done
[ "$(status "['flows']")" = $((k0 + 3)) ] && ok "3 fetches of :8080 decided in the kernel" ||
	fail "kernel decided $k0 -> $(status "['flows']")"
hits() { [ "$(nvctl --json rule list | jget "[r['hits'] for r in j if r['id']==$RID][0]")" -ge 3 ]; }
wait_for hits && ok "rule $RID counts them as hits" || fail "hits: $(nvctl rule list)"

r=$(fetch 9090)
[ "$r" = "000 7" ] && ok ":9090 refused by nvd (reset)" || fail "9090: $r"
deny() {
	[ "$(nvctl --json events --limit 100 | jget "sum(1 for e in j if e['type']=='violation' and e['dst_port']==9090 and e['src_workload']=='client')")" -ge 1 ]
}
wait_for deny && ok "violation event client -> web tcp/9090" || fail "no deny event"

nvctl rule delete $RID >/dev/null || fail "rule delete"
r=$(fetch 8080)
[ "$r" != 200 ] && ok "right after the rule's delete, :8080 is refused ($r)" ||
	fail ":8080 still allowed after its rule was deleted"
[ "$(status "['flows']")" = $((k0 + 3)) ] && ok "... and not decided in the kernel" ||
	fail "kernel decided it: $(status "['flows']")"
finish
