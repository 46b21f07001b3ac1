#!/usr/bin/env python3
"""bench/crs_tool.py: the requests of bench/run's sensor.crs figures.

  crs_tool.py corpus DIR OUT
      the detection corpus: each payload of the attack lists in DIR (one
      per line, kind-NAME.txt; see DIR/SOURCES) as a request, and the clean
      requests of the mix below, one JSON object a line
  crs_tool.py replay ADDR PORT CORPUS MODE
      sends each request on a connection of its own; MODE nvd: blocked when
      the connection is reset or closed without an answer (nvd drops and
      resets), apache: blocked on 403; prints per kind: sent blocked
  crs_tool.py load ADDR PORT SECONDS CONNS
      keep-alive load: CONNS connections, each sending the clean mix in
      turn, one request at a time; prints requests/s (answers counted) and
      the answers that were not 2xx-4xx

The clean mix is what a web application's users send: page views with
search queries in several languages, form posts (logins, comments with
apostrophes and ampersands), JSON API calls, browser headers and cookies.
It is generated from fixed seeds: the same every run.
"""
import json
import os
import random
import socket
import sys
import threading
import time
import urllib.parse

UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0 Safari/537.36")
# The load's words; the detection corpus's clean requests add words a
# web application sees too and that some CRS rules take for attacks.
WORDS = ("shoes red blue running winter jacket coffee maker cheap flights berlin "
         "paris pizza near me how to cook rice best laptop 2024 garden chair "
         "kaffee tasse schuhe grün été café crème brûlée über straße 東京 旅行 "
         "tutorial kernel price list annual report rock & roll 50% off").split()
TRICKY = ("python linux node.js c++ c# o'brien the who's who q&a 1+1=2 "
          "select a size drop-down menu <b>bold</b> ../docs").split()
NAMES = ["alice", "bob", "carol", "d'angelo", "o'neil", "zoë", "jean-luc", "maría"]


def clean_requests(n, seed=7, tricky=False):
    r = random.Random(seed)
    words = WORDS + TRICKY if tricky else WORDS
    out = []
    for i in range(n):
        k = i % 10
        if k < 5:
            q = " ".join(r.choice(words) for _ in range(r.randint(1, 4)))
            t = "/search?" + urllib.parse.urlencode({"q": q, "page": r.randint(1, 9),
                                                     "sort": r.choice(["price", "new"])})
            out.append({"kind": "clean", "attack": False, "method": "GET", "target": t})
        elif k < 7:
            t = r.choice(["/", "/index.html", "/products/%d" % r.randint(1, 999),
                          "/blog/2024/%02d/%s" % (r.randint(1, 12), r.choice(words)),
                          "/static/app.js?v=%d" % r.randint(1, 99)])
            out.append({"kind": "clean", "attack": False, "method": "GET",
                        "target": urllib.parse.quote(t, safe="/?=&")})
        elif k < 9:
            body = urllib.parse.urlencode({
                "name": r.choice(NAMES), "email": "%s@example.org" % r.choice(NAMES),
                "comment": " ".join(r.choice(words) for _ in range(r.randint(3, 12))),
                "rating": r.randint(1, 5)})
            out.append({"kind": "clean", "attack": False, "method": "POST",
                        "target": "/comments", "ctype": "application/x-www-form-urlencoded",
                        "body": body})
        else:
            body = json.dumps({"user": r.choice(NAMES), "cart": [
                {"sku": "SKU-%05d" % r.randint(1, 99999), "qty": r.randint(1, 3)}
                for _ in range(r.randint(1, 3))], "note": r.choice(words)})
            out.append({"kind": "clean", "attack": False, "method": "POST",
                        "target": "/api/cart", "ctype": "application/json", "body": body})
    return out


def corpus(d, out):
    reqs = []
    for name in sorted(os.listdir(d)):
        if name in ("SOURCES",) or name.startswith("LICENSE"):
            continue
        kind = name.split("-", 1)[0]
        with open(os.path.join(d, name), "rb") as f:
            lines = [l.rstrip(b"\r\n") for l in f]
        for i, p in enumerate(lines):
            if not p.strip():
                continue
            v = p.decode("latin-1")
            # Two of three in the query, one in a form body.
            if i % 3 == 2:
                reqs.append({"kind": kind, "attack": True, "method": "POST",
                             "target": "/comments",
                             "ctype": "application/x-www-form-urlencoded",
                             "body": urllib.parse.urlencode({"name": "alice", "comment": v},
                                                            encoding="latin-1")})
            else:
                reqs.append({"kind": kind, "attack": True, "method": "GET",
                             "target": "/search?" + urllib.parse.urlencode(
                                 {"q": v}, encoding="latin-1")})
    reqs += clean_requests(1000, tricky=True)
    with open(out, "w") as f:
        for q in reqs:
            f.write(json.dumps(q) + "\n")


def raw(q, host="web", cookie=True):
    body = q.get("body", "").encode("latin-1") if q.get("body") else b""
    h = ["%s %s HTTP/1.1" % (q["method"], q["target"]), "Host: %s" % host,
         "User-Agent: " + UA, "Accept: text/html,application/xhtml+xml,*/*;q=0.8",
         "Accept-Language: en-US,en;q=0.9", "Accept-Encoding: gzip, deflate"]
    if cookie:
        h.append("Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark")
    if body:
        h.append("Content-Type: " + q["ctype"])
        h.append("Content-Length: %d" % len(body))
    return ("\r\n".join(h) + "\r\n\r\n").encode("latin-1") + body


def read_response(s, buf=b""):
    """Reads one response; returns (status, rest) or (None, b"") when cut."""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            return None, b""
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    n = 0
    for l in lines[1:]:
        if l.lower().startswith(b"content-length:"):
            n = int(l.split(b":")[1])
    while len(rest) < n:
        d = s.recv(65536)
        if not d:
            return None, b""
        rest += d
    return status, rest[n:]


def replay(addr, port, path, mode):
    stats = {}
    with open(path) as f:
        reqs = [json.loads(l) for l in f]
    for q in reqs:
        k = q["kind"]
        st = stats.setdefault(k, [0, 0])
        st[0] += 1
        try:
            s = socket.create_connection((addr, port), timeout=10)
        except OSError as e:
            print("replay: %s: cannot connect: %s" % (k, e), file=sys.stderr)
            st[0] -= 1
            continue
        try:
            s.sendall(raw(q))
            status, _ = read_response(s)
            blocked = status is None if mode == "nvd" else status == 403
        except (ConnectionResetError, BrokenPipeError):
            blocked = True
        except socket.timeout:
            blocked = mode == "nvd"
        s.close()
        st[1] += blocked
    for k in sorted(stats):
        print(k, stats[k][0], stats[k][1])


def load(addr, port, seconds, conns):
    mix = [raw(q) for q in clean_requests(500, seed=11)]
    done = [0] * conns
    bad = [0] * conns
    stop = time.monotonic() + seconds

    def worker(i):
        s = socket.create_connection((addr, port), timeout=10)
        rest, j = b"", i * 37
        while time.monotonic() < stop:
            try:
                s.sendall(mix[j % len(mix)])
                status, rest = read_response(s, rest)
            except OSError:
                status = None
            j += 1
            if status is None:
                bad[i] += 1
                s.close()
                s = socket.create_connection((addr, port), timeout=10)
                rest = b""
                continue
            done[i] += 1
            if status >= 500:
                bad[i] += 1
        s.close()

    t0 = time.monotonic()
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("%.0f %d" % (sum(done) / (time.monotonic() - t0), sum(bad)))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["corpus"] and len(a) == 3:
        corpus(a[1], a[2])
    elif a[:1] == ["replay"] and len(a) == 5:
        replay(a[1], int(a[2]), a[3], a[4])
    elif a[:1] == ["load"] and len(a) == 5:
        load(a[1], int(a[2]), float(a[3]), int(a[4]))
    else:
        sys.exit(__doc__)
