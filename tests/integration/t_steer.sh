#!/bin/bash
# TCP, UDP and ICMP between two containers on a bridge (and container to
# host, and IPv6) pass through nvd; nvctl status counts them; SIGTERM
# removes nvd's table.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
command -v socat >/dev/null || skip "needs socat"

topo_up
# Every flow stays in userspace (no bypass once identified): the counters
# below count whole transfers.
write_conf "queues = 3-4" "bypass_identified = no"
start_nvd || exit 1

st=$(nvctl --json status)
hook=$(echo "$st" | jget 'j["hook"]')
[ "$hook" = native ] || [ "$hook" = compat ] && ok "hook kind $hook" || fail "hook kind '$hook'"
byk=$(echo "$st" | jget 'j["bypass"]')
[ "$byk" = mark ] || [ "$byk" = ct-glue ] && ok "bypass kind $byk" || fail "bypass kind '$byk'"
grep -q "flow bypass by" $T/nvd.log && ok "log names the bypass kind" || fail "no bypass kind in the log"
grep -q "installed with" $T/nvd.log && ok "log names the hook kind" || fail "no hook kind in the log"
table_present && ok "table inet $ID installed" || fail "table inet $ID missing"

# TCP container to container: bytes arrive intact.
head -c 300000 /dev/urandom > $T/payload
in_c2 socat -u TCP-LISTEN:5001,reuseaddr OPEN:$T/tcp.out,creat,trunc &
sleep 0.3
in_c1 socat -u OPEN:$T/payload TCP:198.18.0.12:5001
sleep 0.3
cmp -s $T/payload $T/tcp.out && ok "tcp c1->c2 300 kB intact" || fail "tcp payload differs"

# UDP container to container, with a reply.
in_c2 socat UDP-RECVFROM:5002,reuseaddr EXEC:'/bin/cat' &
sleep 0.3
reply=$(echo hello-udp | in_c1 socat -T2 - UDP:198.18.0.12:5002)
[ "$reply" = hello-udp ] && ok "udp echo c1->c2" || fail "udp echo got '$reply'"

# ICMP and IPv6.
in_c1 ping -c2 -W2 -q 198.18.0.12 >/dev/null && ok "ping c1->c2" || fail "ping"
in_c2 socat -u TCP6-LISTEN:5003,reuseaddr OPEN:$T/tcp6.out,creat,trunc &
sleep 0.3
in_c1 socat -u OPEN:$T/payload TCP6:[fd00:18::12]:5003
sleep 0.3
cmp -s $T/payload $T/tcp6.out && ok "tcp over ipv6 intact" || fail "ipv6 payload differs"

# Container to host (input hook).
in_h socat -u TCP-LISTEN:5004,reuseaddr OPEN:$T/host.out,creat,trunc &
sleep 0.3
in_c1 socat -u OPEN:$T/payload TCP:198.18.0.1:5004
sleep 0.3
cmp -s $T/payload $T/host.out && ok "tcp c1->host intact" || fail "host payload differs"

sleep 0.3	# workers publish counters every 100 ms
st=$(nvctl --json status)
pk=$(echo "$st" | jget 'j["total"]["packets"]')
fl=$(echo "$st" | jget 'j["total"]["flows_created"]')
by=$(echo "$st" | jget 'j["total"]["bytes"]')
nq=$(echo "$st" | jget 'len(j["queues"])')
[ "$nq" = 2 ] && ok "two queues reported" || fail "queues: $nq"
[ "$pk" -gt 100 ] && ok "packets counted: $pk" || fail "packets counted: $pk"
[ "$by" -gt 900000 ] && ok "bytes counted: $by" || fail "bytes counted: $by"
[ "$fl" -ge 5 ] && ok "flows created: $fl" || fail "flows created: $fl"
nvctl status | grep -q '^total' && ok "text status has a total row" || fail "text status"

stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM: exit status $?"
table_present && fail "table still present after SIGTERM" || ok "table removed at SIGTERM"
[ -e $T/nvd.sock ] && fail "socket left behind" || ok "socket removed"
finish
