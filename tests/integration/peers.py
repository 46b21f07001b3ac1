#!/usr/bin/env python3
"""Small TCP/UDP peers for the policy tests (no fork per connection).

  peers.py serve PORT...          TCP: greet "hello PORT", then echo lines
  peers.py get HOST PORT          connect, read the greeting, print
                                  "ok PORT" / "refused" / "reset" / "timeout"
  peers.py hold HOST PORT SECS [GO]  connect, exchange a line, wait SECS (or
                                  until file GO exists, at most SECS), exchange
                                  another: prints "first ok" then "alive",
                                  "reset" or "timeout"
  peers.py udpflood HOST N        N datagrams, each from a new 5-tuple
"""
import os
import selectors
import socket
import sys
import time


def serve(ports):
    sel = selectors.DefaultSelector()
    for p in ports:
        for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((addr, p))
            s.listen(128)
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, ("listen", p))
    while True:
        for key, _ in sel.select():
            kind, p = key.data
            if kind == "listen":
                try:
                    c, _ = key.fileobj.accept()
                except OSError:
                    continue
                c.setblocking(False)
                try:
                    c.send(b"hello %d\n" % p)
                except OSError:
                    c.close()
                    continue
                sel.register(c, selectors.EVENT_READ, ("conn", p))
            else:
                try:
                    d = key.fileobj.recv(4096)
                except OSError:
                    d = b""
                if d:
                    try:
                        key.fileobj.send(d)
                    except OSError:
                        d = b""
                if not d:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()


def connect(host, port, timeout):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def outcome(fn):
    try:
        return fn()
    except ConnectionRefusedError:
        return "refused"
    except ConnectionResetError:
        return "reset"
    except (socket.timeout, TimeoutError):
        return "timeout"
    except BrokenPipeError:
        return "reset"


def get(host, port):
    def go():
        s = connect(host, port, 3)
        line = s.recv(100).decode().strip()
        s.close()
        return "ok %s" % line.split()[-1] if line.startswith("hello") else "bad %r" % line
    print(outcome(go), flush=True)


def hold(host, port, secs, go=None):
    s = None

    def first():
        nonlocal s
        s = connect(host, port, 3)
        s.recv(100)
        s.send(b"one\n")
        return "first ok" if s.recv(100) == b"one\n" else "first bad"
    r = outcome(first)
    print(r, flush=True)
    if r != "first ok":
        return
    end = time.monotonic() + secs
    while time.monotonic() < end and not (go and os.path.exists(go)):
        time.sleep(min(0.1, max(0, end - time.monotonic())))

    def second():
        s.send(b"two\n")
        d = s.recv(100)
        return "alive" if d == b"two\n" else "reset" if d == b"" else "bad"
    print(outcome(second), flush=True)


def udpflood(host, n):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Four sockets (source ports) and a port each time round: up to
    # 222,140 datagrams, each a new 5-tuple.
    socks = [socket.socket(fam, socket.SOCK_DGRAM) for _ in range(4)]
    sent = 0
    for i in range(n):
        port = 10000 + i // 4
        try:
            socks[i % 4].sendto(b"x", (host, port))
            sent += 1
        except OSError:
            time.sleep(0.001)
    print(sent, flush=True)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "serve":
        serve([int(p) for p in sys.argv[2:]])
    elif cmd == "get":
        get(sys.argv[2], int(sys.argv[3]))
    elif cmd == "hold":
        hold(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]),
             sys.argv[5] if len(sys.argv) > 5 else None)
    elif cmd == "udpflood":
        udpflood(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("usage: peers.py serve|get|hold|udpflood ...")
