#!/usr/bin/env python3
"""Peers for the response tests (t_response.sh), counted on the receiving side.

  respond.py ticker-serve PORT OUT   TCP: to each client, a line every 100 ms;
                                     OUT holds "ADDR BYTES" per client address:
                                     what came from it, rewritten as it grows
  respond.py ticker-client HOST PORT OUT
                                     one connection: a line every 100 ms; OUT
                                     holds the bytes the server sent, as they
                                     grow; prints "connected" once it is
  respond.py hook-serve ADDR PORT OUT
                                     HTTP: each POST's body as one line of OUT
                                     (answered 200)
  respond.py hook-hang ADDR PORT OUT takes each connection and its request,
                                     counts it in OUT, never answers
"""
import http.server
import os
import socket
import sys
import threading
import time


def keep_sending(s, line):
    """A thread that sends line on s every 100 ms until s fails."""
    def go():
        try:
            while True:
                s.sendall(line)
                time.sleep(0.1)
        except OSError:
            pass
    threading.Thread(target=go, daemon=True).start()


def write_atomic(path, text):
    tmp = "%s.%d.tmp" % (path, threading.get_ident())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def ticker_serve(port, out):
    counts, lock = {}, threading.Lock()
    fam = socket.AF_INET6
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    ls.bind(("::", port))
    ls.listen(64)

    def dump():
        # One writer at a time: the file always holds the latest counts.
        with lock:
            write_atomic(out, "".join("%s %d\n" % kv for kv in sorted(counts.items())))

    def conn(c, addr):
        peer = addr[0][7:] if addr[0].startswith("::ffff:") else addr[0]
        with lock:
            counts.setdefault(peer, 0)
        dump()
        keep_sending(c, b"tick\n")
        try:
            while True:
                d = c.recv(4096)
                if not d:
                    break
                with lock:
                    counts[peer] += len(d)
                dump()
        except OSError:
            pass

    dump()
    while True:
        c, addr = ls.accept()
        threading.Thread(target=conn, args=(c, addr), daemon=True).start()


def ticker_client(host, port, out):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect((host, port))
    s.settimeout(None)
    got = [0]
    write_atomic(out, "0\n")
    print("connected", flush=True)
    keep_sending(s, b"tock\n")
    try:
        while True:
            d = s.recv(4096)
            if not d:
                break
            got[0] += len(d)
            write_atomic(out, "%d\n" % got[0])
    except OSError:
        pass


def hook_serve(addr, port, out):
    lock = threading.Lock()

    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(n)
            with lock, open(out, "ab") as f:
                f.write(body.replace(b"\n", b" ") + b"\n")
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    http.server.ThreadingHTTPServer((addr, port), H).serve_forever()


def hook_hang(addr, port, out):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(64)
    held, n = [], 0
    write_atomic(out, "0\n")
    while True:
        c, _ = ls.accept()
        c.recv(65536)
        held.append(c)
        n += 1
        write_atomic(out, "%d\n" % n)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "ticker-serve":
        ticker_serve(int(args[0]), args[1])
    elif cmd == "ticker-client":
        ticker_client(args[0], int(args[1]), args[2])
    elif cmd == "hook-serve":
        hook_serve(args[0], int(args[1]), args[2])
    elif cmd == "hook-hang":
        hook_hang(args[0], int(args[1]), args[2])
    else:
        sys.exit("unknown command " + cmd)
