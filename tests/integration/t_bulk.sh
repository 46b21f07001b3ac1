#!/bin/bash
# A big transfer passes intact while nvd inspects it (iperf3, and a 20 MB
# echo checked byte for byte), and a flow whose stream depth is reached in
# both directions is bypassed: the kernel stops queueing it.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root
command -v iperf3 >/dev/null || skip "needs iperf3"
command -v socat >/dev/null || skip "needs socat"

topo_up
# Flows go to the kernel at the depth only (bypass_identified no: the
# unknown byte streams here would be handed over after their first bytes).
write_conf "queues = 5-6" "stream_depth = 64k" "bypass_identified = no"
start_nvd || exit 1

# iperf3: a 200 MB stream completes.  Its server stops counting when the
# client's end-of-test message arrives on the control connection, which
# can overtake the last data still in flight (a few MB of socket buffers);
# so "intact" is checked byte for byte below, and here the server must have
# counted at least 95%.
nsenter --net=/run/netns/$NSC2 iperf3 -s -1 -B 198.18.0.12 -p 5201 >/dev/null 2>&1 &
sleep 0.5
in_c1 iperf3 -c 198.18.0.12 -p 5201 -n 200M -J > $T/iperf.json 2>&1
sent=$(jget 'j["end"]["sum_sent"]["bytes"]' < $T/iperf.json 2>/dev/null)
recv=$(jget 'j["end"]["sum_received"]["bytes"]' < $T/iperf.json 2>/dev/null)
[ -n "$sent" ] && [ -n "$recv" ] && [ "$sent" -ge 209715200 ] && [ $((recv * 100 / sent)) -ge 95 ] &&
	ok "iperf3: $sent bytes sent, $recv counted by the server" || fail "iperf3: sent '$sent' received '$recv'"

# 100 MB one way, inspected all along (the return direction never reaches
# the depth, so the flow is never bypassed): every byte arrives.
head -c 100000000 /dev/urandom > $T/big
nsenter --net=/run/netns/$NSC2 socat -u TCP-LISTEN:5003,reuseaddr OPEN:$T/big.out,creat,trunc &
sleep 0.3
in_c1 socat -u -b65536 OPEN:$T/big TCP:198.18.0.12:5003
sleep 0.5
cmp -s $T/big $T/big.out && ok "100 MB one way intact" || fail "100 MB differs ($(stat -c %s $T/big.out) bytes)"
rm -f $T/big $T/big.out

# A 20 MB echo: both directions pass 64k, so the flow is bypassed.
before=$(nvctl --json status | jget 'j["total"]["bytes"]')
head -c 20000000 /dev/urandom > $T/payload
nsenter --net=/run/netns/$NSC2 socat TCP-LISTEN:5002,reuseaddr EXEC:/bin/cat &
sleep 0.3
in_c1 socat -b65536 -T10 OPEN:$T/payload\!\!OPEN:$T/echo.out,creat,trunc TCP:198.18.0.12:5002,shut-down
cmp -s $T/payload $T/echo.out && ok "20 MB echo intact" || fail "echo differs ($(stat -c %s $T/echo.out) bytes back)"
sleep 0.3
st=$(nvctl --json status)
byp=$(echo "$st" | jget 'j["total"]["bypassed_flows"]')
seen=$(( $(echo "$st" | jget 'j["total"]["bytes"]') - before ))
[ "$byp" -ge 1 ] && ok "bypassed flows: $byp" || fail "no flow bypassed"
# 40 MB crossed the bridge; nvd must have seen only the start of it.
[ "$seen" -lt 8000000 ] && ok "nvd saw $seen of 40000000 bytes" || fail "nvd saw $seen bytes: bypass did not work"
dep=$(echo "$st" | jget 'j["total"]["stream"]["depth_reached"]')
[ "$dep" -ge 2 ] && ok "stream depth reached $dep times" || fail "depth_reached $dep"

stop_nvd || fail "nvd exit status $?"
finish
