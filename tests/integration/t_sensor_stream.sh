#!/bin/bash
# Whole-stream sensors (issue 17): sensor.creditcard (deny) on workload
# "web" in protect, with the default stream_depth (1 MiB).  A clean 41 MB
# HTTP upload from ns c1 passes whole, and the sensors' byte counter grows
# by at least what was sent (every byte inspected, the flow never handed to
# the kernel); a card number 40 MB into an upload is caught and the flow
# reset, and nothing past the card reaches the server (its reader counts
# what arrived); the same card split across two TCP segments 40 MB into an
# upload is caught as well, and so is one whose halves come either side
# of a policy rebuild that a second container's start causes; each has
# its event.
. "${NVD_SRCDIR:-.}/tests/integration/lib.sh"
need_root

A=198.18.0.12
K=40000000		# where the card starts
CARD="4111 1111 1111 1111"

topo_up
write_conf "queues = 25-26" "rules_dir = $S/rules"
start_nvd || exit 1

# A reader that counts the body bytes it got on its connection N, in
# count.N after each read, and makes done.N when the connection is over.
cat > $T/countsrv.py <<'PY'
import os, socket, sys
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[1], 8081)); ls.listen(8)
n = 0
while True:
    c, _ = ls.accept()
    head, got = b"", 0
    name = os.path.join(sys.argv[2], "count.%d" % n); n += 1
    try:
        while b"\r\n\r\n" not in head:
            d = c.recv(65536)
            if not d: break
            head += d
        got = len(head.split(b"\r\n\r\n", 1)[1]) if b"\r\n\r\n" in head else 0
        want = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0])
        while got < want:
            d = c.recv(1 << 20)
            if not d: break
            got += len(d)
            with open(name + ".tmp", "w") as f: f.write(str(got))
            os.rename(name + ".tmp", name)
        if got == want: c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    except (ConnectionResetError, IndexError, ValueError):
        pass
    with open(name + ".tmp", "w") as f: f.write(str(got))
    os.rename(name + ".tmp", name)
    open(os.path.join(sys.argv[2], "done.%d" % (n - 1)), "w").close()
    c.close()
PY
mkdir -p $T/count
in_c2 python3 $T/countsrv.py $A $T/count > $T/count/log 2>&1 &
SRV_PID_count=$!
srv_ready count $NSC2 tcp $A 8081 || { fail "the counting server does not listen"; finish; }

nvctl workload add client --ip 198.18.0.11 >/dev/null &&
nvctl workload add web --ip $A >/dev/null &&
nvctl rule add --from nv.client --to nv.web --ports tcp/8081 --action allow >/dev/null &&
nvctl sensor assign nv.web sensor.creditcard --action deny >/dev/null &&
nvctl group mode nv.web protect >/dev/null && ok "web in protect with sensor.creditcard (deny)" ||
	fail "setup"

# upload N TOTAL [split|wait=FILE]: POSTs TOTAL bytes of text with the
# card at N (no card when N is -1); split: the card's first 9 bytes end a
# segment (the rest waits until they are acknowledged); wait=FILE: then
# says "half" and waits for FILE before the rest.  Prints "answered",
# "reset", "closed" or "timeout".
upload() {
	in_c1 python3 - $A "$@" <<'PY'
import fcntl, os, socket, struct, sys, termios, time
at, total = int(sys.argv[2]), int(sys.argv[3])
split = sys.argv[4] if len(sys.argv) > 4 else None
card = b" 4111 1111 1111 1111 "
filler = b"lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 1130
s = socket.create_connection((sys.argv[1], 8081), timeout=20)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
def send_filler(n):
    while n > 0:
        k = min(n, len(filler)); s.sendall(filler[:k]); n -= k
def drained():
    while struct.unpack("i", fcntl.ioctl(s, termios.TIOCOUTQ, b"\0" * 4))[0] > 0:
        time.sleep(0.01)
try:
    s.sendall(b"POST /up HTTP/1.1\r\nHost: web\r\nContent-Type: application/octet-stream\r\n"
              b"Content-Length: %d\r\n\r\n" % total)
    if at < 0:
        send_filler(total)
    else:
        send_filler(at - 1)
        if split:
            s.sendall(card[:10]); drained(); time.sleep(0.2)
            if split.startswith("wait="):
                print("half", flush=True)
                for _ in range(600):
                    if os.path.exists(split[5:]): break
                    time.sleep(0.05)
            s.sendall(card[10:])
        else:
            s.sendall(card)
        send_filler(total - at - len(card) + 1)
    print("answered" if s.recv(64) else "closed")
except (ConnectionResetError, BrokenPipeError):
    print("reset")
except socket.timeout:
    print("timeout")
PY
}
# count I: the bytes the reader got on its connection I.
count() { cat $T/count/count.$1 2>/dev/null; }
counted() { [ -f $T/count/done.$1 ]; }
sensor_bytes() { nvctl --json status | jget 'j["total"]["sensors"]["bytes"]'; }

# --- a clean upload passes whole, every byte inspected --------------------------
b0=$(sensor_bytes)
r=$(upload -1 41000000)
wait_for counted 0
[ "$r" = answered ] && [ "$(count 0)" = 41000000 ] &&
	ok "a clean 41 MB upload passes whole ($(count 0) bytes read)" ||
	fail "clean upload: $r, $(count 0) bytes read"
inspected() { [ $(( $(sensor_bytes) - b0 )) -ge 41000000 ]; }
wait_for inspected && ok "the sensors inspected it all: $(( $(sensor_bytes) - b0 )) bytes (stream_depth 1 MiB)" ||
	fail "sensor bytes: $(( $(sensor_bytes) - b0 ))"

# --- a card 40 MB in --------------------------------------------------------------
r=$(upload $K 41000000)
[ "$r" = reset ] && ok "a card 40 MB into an upload resets it" || fail "card at 40 MB: $r"
WAIT_FOR_S=20 wait_for counted 1
n=$(count 1)
[ -n "$n" ] && [ "$n" -le $((K + ${#CARD})) ] && [ "$n" -ge $((K - 8000000)) ] &&
	ok "nothing past the card reached the server ($n bytes of $((K + ${#CARD})) read)" ||
	fail "the server read $n bytes, the card ends at $((K + ${#CARD}))"

# --- the card split across two segments 40 MB in ---------------------------------
r=$(upload $K 41000000 split)
[ "$r" = reset ] && ok "a card split across two segments 40 MB in resets the upload" ||
	fail "split card at 40 MB: $r"
WAIT_FOR_S=20 wait_for counted 2
n=$(count 2)
[ -n "$n" ] && [ "$n" -le $((K + ${#CARD})) ] && [ "$n" -ge $((K - 8000000)) ] &&
	ok "nothing past the split card reached the server ($n bytes read)" ||
	fail "split: the server read $n bytes, the card ends at $((K + ${#CARD}))"

# --- the card's halves either side of a policy rebuild ---------------------------
# A second container of the attacker's starts between the halves: the
# policy is rebuilt (a workload joins) but its sensors are not (their set
# is kept), so the stream under way goes on with what it had seen.
upload $K 41000000 wait=$T/go > $T/up3.out &
UP=$!
half() { grep -q half $T/up3.out; }
WAIT_FOR_S=60 wait_for half || fail "the upload did not reach the card"
container_add $ID-c3 13 && nvctl workload add attacker2 --ip 198.18.0.13 >/dev/null ||
	fail "the second container"
rebuilt() { grep -q "policy: .* 3 workloads" $T/nvd.log; }
wait_for rebuilt && ok "between the halves the policy was rebuilt (3 workloads)" ||
	fail "no rebuild: $(tail -3 $T/nvd.log)"
touch $T/go
wait $UP
r=$(tail -1 $T/up3.out)
[ "$r" = reset ] && ok "the card across the rebuild resets the upload" || fail "across the rebuild: $r"
WAIT_FOR_S=20 wait_for counted 3
n=$(count 3)
[ -n "$n" ] && [ "$n" -le $((K + ${#CARD})) ] &&
	ok "nothing past the card reached the server ($n bytes read)" ||
	fail "rebuild: the server read $n bytes, the card ends at $((K + ${#CARD}))"
three() {
	[ "$(events_where 'e["type"]=="dlp" and e["sensor"]=="sensor.creditcard" and e["action"]=="deny" and "1111" in e["message"]')" -ge 3 ]
}
wait_for three && ok "a deny event for each card" || fail "events: $(nvctl events --type dlp)"

stop_nvd && ok "SIGTERM: exit 0" || fail "SIGTERM"
srv_stop_all
finish
