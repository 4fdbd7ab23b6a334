#!/usr/bin/python3
"""Black-box robustness suite for check_kore_campaign (prints TAP).

Hostile servers (all on 127.0.0.1, each bounded in time and bytes, all shut
down at the end) check that the plugin never hangs past its timeout, never
grows past 32 MiB whatever the body, never follows a redirect, never accepts
a bad TLS peer unless --insecure, names every HTTP error, keeps its status
line clean whatever the server sends, rejects every malformed command line
of tests/robust/usage.tsv with UNKNOWN, and survives 200 checks run 50 at a
time against the API simulator without reusing a JWT id.

The plugin's own timeout guard (a timer at timeout + 0.5 s, for whatever
ignores curl's deadline) is reached without root through a preloaded
getaddrinfo() that never returns in time: libcurl's threaded resolver then
keeps waiting.  The library is compiled at test time (cc); without a C
compiler those cases are skipped.  The TLS 1.0/1.1 cases run a second time
with OPENSSL_CONF naming a permissive OpenSSL configuration (MinProtocol
TLSv1, SECLEVEL 0), so that the plugin's own TLS 1.2 floor is what refuses.

Environment: PLUGIN (plugin path), top_srcdir, top_builddir, PLUGIN_WRAPPER
(prefixed to every plugin run; wall-time and memory bounds are then skipped).
"""

import concurrent.futures
import gzip
import json
import os
import re
import select
import shlex
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.environ.get("top_srcdir") or os.path.join(HERE, "..", ".."))
BUILD = os.path.abspath(os.environ.get("top_builddir") or TOP)
PLUGIN = os.environ.get("PLUGIN") or os.path.join(BUILD, "plugins", "check_kore_campaign")
WRAPPER = shlex.split(os.environ.get("PLUGIN_WRAPPER", ""))

SECRET = "robust-" + os.urandom(20).hex()
CLIENT_ID = "robust-app"
IID = "st-robust"
ACCOUNT = "acc-robust"
CAMPAIGN = "cmp-robust"
RSS_LIMIT_KB = 32 * 1024
MIB = 1024 * 1024
SERVER_BYTE_CAP = 64 * MIB + MIB      # no hostile server ever sends more
SERVER_LIFETIME = 40.0                # nor keeps a connection longer (seconds)
CODES = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}
PERF_RE = re.compile(r" \| time=(\d+\.\d{6})s;([^; |]*);([^; |]*);0;(\d+(?:\.\d+)?) "
                     r"active=([01]);;;0;1$")
REASONS = {
    "200": "OK", "301": "Moved Permanently", "302": "Found", "307": "Temporary Redirect",
    "308": "Permanent Redirect", "401": "Unauthorized", "403": "Forbidden",
    "404": "Not Found", "429": "Too Many Requests", "500": "Internal Server Error",
    "502": "Bad Gateway", "503": "Service Unavailable", "504": "Gateway Timeout",
}

TMP = tempfile.mkdtemp(prefix="kore-robust.")
CERTS = os.path.join(TMP, "certs")
OUTPUTS = []          # (stdout, stderr) of every plugin run, for the secret scan
SIGNATURES = set()    # JWT signatures the servers received
STATE_LOCK = threading.Lock()
SERVERS = []


def sanitized_build():
    """An ASan build reserves shadow memory and keeps a quarantine: RSS is no measure there."""
    try:
        with open(PLUGIN, "rb") as f:
            data = f.read()
    except OSError:
        return False
    return b"__asan_init" in data or b"libasan.so" in data


SKIP_TIMING = "under wrapper" if WRAPPER else None
# The -t of runs that are not about time: short, but roomy enough for a wrapper like valgrind.
ROOMY = 60 if WRAPPER else 5
SKIP_RSS = SKIP_TIMING or ("sanitizer build" if sanitized_build() else None)
# A preloaded library must not upset ASan's check that it comes first.
PRELOAD_ENV = {"ASAN_OPTIONS": "verify_asan_link_order=0"} if sanitized_build() else {}


# ---------------------------------------------------------------- results

class Result:
    def __init__(self, name, ok, diag=(), skip=None):
        self.name, self.ok, self.diag, self.skip = name, bool(ok), list(diag), skip


def verdict(name, run, conds):
    """One TAP result from (label, passed) pairs; diagnostics name every failed label."""
    failed = [label for label, passed in conds if not passed]
    diag = ["failed: " + label for label in failed]
    if failed and run is not None:
        diag += run.describe()
    return Result(name, not failed, diag)


def bound(name, run, passed, what, skip):
    if skip:
        return Result(name, True, skip=skip)
    return Result(name, passed, [] if passed else ["failed: " + what] + run.describe())


# ---------------------------------------------------------------- plugin runs

class Run:
    def __init__(self, argv, rc, out, err, wall, rss_kb, killed):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err
        self.wall, self.rss_kb, self.killed = wall, rss_kb, killed
        self.line = out.split(b"\n")[0].decode("utf-8", "replace")

    def describe(self):
        cmd = " ".join(shlex.quote(os.fsdecode(a)) for a in self.argv)
        return ["command: " + cmd,
                "exit: %s%s  wall: %.2fs  maxrss: %s" % (
                    self.rc, " (killed by the test)" if self.killed else "", self.wall,
                    "%d kB" % self.rss_kb if self.rss_kb >= 0 else "not measured"),
                "stdout: %r" % self.out[:700], "stderr: %r" % self.err[:700]]


# getrusage counts, in a child's peak RSS, the memory of the process it was forked from:
# a child of this (large) runner would report the runner's size.  Runs whose peak RSS is
# measured therefore go through this small launcher, which forks the plugin and reports
# its rusage; its own size (about 5 MiB) is below anything measured here.
LAUNCHER = r"""
import json, os, sys
env, report, argv = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3:]
pid = os.fork()
if pid == 0:
    try:
        os.execve(argv[0], argv, env)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as f:
    f.write("%d %d" % (status, usage.ru_maxrss))
"""


def run_plugin(args, secret=True, env_extra=None, hard_limit=None, measure_rss=False, prefix=(),
               thread_left_running=False):
    hard_limit = hard_limit or (300.0 if WRAPPER else 30.0)
    env = {"PATH": "/usr/bin:/bin"}
    if secret:
        env["KORE_CLIENT_SECRET"] = SECRET
    env.update(env_extra or {})
    wrapper = list(WRAPPER)
    if thread_left_running and wrapper and os.path.basename(wrapper[0]) == "valgrind":
        # The run ends (by design) while a resolver thread is still blocked: valgrind
        # counts that thread's stack as "possibly lost" and would change the exit code.
        wrapper += ["--errors-for-leak-kinds=definite", "--show-possibly-lost=no"]
    argv = wrapper + [PLUGIN] + list(args)
    if WRAPPER and "/" not in WRAPPER[0]:
        argv[0] = shutil.which(WRAPPER[0], path=env["PATH"]) or WRAPPER[0]
    argv = list(prefix) + argv
    shown = ["env", "-i"] + ["%s=%s" % (k, "***" if k == "KORE_CLIENT_SECRET" else v)
                             for k, v in env.items()] + argv
    report = None
    spawn, spawn_env = argv, env
    if measure_rss:
        fd, report = tempfile.mkstemp(dir=TMP, prefix="rusage.")
        os.close(fd)
        spawn = ["/usr/bin/python3", "-I", "-S", "-c", LAUNCHER, json.dumps(env), report] + \
            [os.fsdecode(a) for a in argv]
        spawn_env = {"PATH": "/usr/bin:/bin"}
    with tempfile.TemporaryFile(dir=TMP) as fo, tempfile.TemporaryFile(dir=TMP) as fe:
        start = time.monotonic()
        proc = subprocess.Popen(spawn, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe, env=spawn_env,
                                start_new_session=True)
        done = threading.Event()
        killed = []

        def guard():
            if not done.wait(hard_limit):
                killed.append(True)
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
        threading.Thread(target=guard, daemon=True).start()
        _, status, _ = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        done.set()
        proc.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    rc, rss = proc.returncode, -1
    if report is not None:
        with open(report, encoding="ascii") as f:
            fields = f.read().split()
        os.unlink(report)
        if len(fields) == 2:
            rc, rss = os.waitstatus_to_exitcode(int(fields[0])), int(fields[1])
        else:
            rc = -999  # the launcher itself failed
    with STATE_LOCK:
        OUTPUTS.append((shown, out, err))
    return Run(shown, rc, out, err, wall, rss, bool(killed))


def base_args(port, campaign=CAMPAIGN, timeout=None, extra=(), cacert=True):
    a = ["-H", "127.0.0.1", "-p", str(port), "-i", IID, "-a", ACCOUNT, "-C", campaign,
         "--client-id", CLIENT_ID]
    if cacert:
        a += ["--cacert", os.path.join(CERTS, "ca.pem")]
    if timeout is not None:
        a += ["-t", str(timeout)]
    return a + list(extra)


def line_conds(run, state, text_re=None, perf="required", timeout=None, active=None):
    """Conditions every status line must meet: exit code, one clean line, perfdata."""
    out = run.out
    line = out.split(b"\n")[0]
    try:
        s = line.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        s, utf8 = line.decode("utf-8", "replace"), False
    conds = [
        ("exit code %d (%s)" % (CODES[state], state), run.rc == CODES[state]),
        ("nothing on stderr", run.err == b""),
        ("exactly one line on stdout", out.endswith(b"\n") and out.count(b"\n") == 1),
        ("line starts with 'CAMPAIGN %s - '" % state, s.startswith("CAMPAIGN %s - " % state)),
        ("line is valid UTF-8", utf8),
        ("no control characters (C0, DEL, C1) in the line",
         not re.search(rb"[\x00-\x1f\x7f]", line) and not re.search("[\x80-\x9f]", s)),
    ]
    m = PERF_RE.search(s)
    bars = s.count("|")
    text = s[:m.start()] if m else s
    if perf == "required":
        conds.append(("exactly one '|' followed by well-formed perfdata", bars == 1 and m))
    elif perf == "optional":
        conds.append(("perfdata absent or well-formed", bars == 0 or (bars == 1 and m)))
    else:
        conds.append(("no perfdata and no '|'", bars == 0))
    if timeout is not None:
        conds.append(("perfdata max is the timeout %s" % timeout,
                      m is not None and float(m.group(4)) == float(timeout)))
    if active is not None:
        conds.append(("perfdata active=%d" % active, m is not None and m.group(5) == str(active)))
    if text_re is not None:
        conds.append(("text matches /%s/" % text_re, re.search(text_re, text) is not None))
    return conds


# ---------------------------------------------------------------- hostile servers

def tls_context(cert="server", versions=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if versions:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version, ctx.maximum_version = versions
        ctx.set_ciphers("@SECLEVEL=0:ALL")
    ctx.load_cert_chain(os.path.join(CERTS, cert + ".pem"), os.path.join(CERTS, cert + ".key"))
    return ctx


class Stop(Exception):
    pass


class Conn:
    """One accepted connection with a byte budget and a deadline."""

    def __init__(self, server, sock):
        self.server, self.sock = server, sock
        self.sent = 0
        self.deadline = time.monotonic() + SERVER_LIFETIME

    def alive(self):
        return not self.server.stopping.is_set() and time.monotonic() < self.deadline

    def sleep(self, seconds):
        if self.server.stopping.wait(seconds) or time.monotonic() >= self.deadline:
            raise Stop()

    def hold(self):
        while True:
            self.sleep(0.2)

    def send(self, data):
        if not self.alive() or self.sent + len(data) > SERVER_BYTE_CAP:
            raise Stop()
        self.sock.sendall(data)
        self.sent += len(data)

    def read_request(self):
        """Read one HTTP request (head and Content-Length body); record the JWT signature."""
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(65536)
            if not chunk or len(buf) > 256 * 1024:
                raise Stop()
            buf += chunk
        head, _, body = buf.partition(b"\r\n\r\n")
        headers = {}
        for raw in head.split(b"\r\n")[1:]:
            k, _, v = raw.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        length = int(headers.get("content-length", "0") or 0)
        while len(body) < min(length, 65536):
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            body += chunk
        token = headers.get("auth", "")
        if token.count(".") == 2:
            with STATE_LOCK:
                SIGNATURES.add(token.split(".")[2])
        with self.server.lock:
            self.server.requests.append(head.split(b"\r\n")[0].decode("latin-1"))
        return headers


class Server:
    """Loopback listener; each connection is handed to handler(conn) in its own thread."""

    def __init__(self, handler=None, tls=None, backlog=64):
        self.handler, self.tls = handler, tls
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.connections = 0
        self.requests = []
        self.socks = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(backlog)
        self.port = self.sock.getsockname()[1]
        with STATE_LOCK:
            SERVERS.append(self)
        if handler is not None:
            self.sock.settimeout(0.1)
            threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            with self.lock:
                self.connections += 1
                self.socks.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            c.settimeout(10)
            if self.tls is not None:
                c = self.tls.wrap_socket(c, server_side=True)
                with self.lock:
                    self.socks.append(c)
            self.handler(Conn(self, c))
        except (Stop, OSError, ValueError):
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass

    def close(self):
        self.stopping.set()
        with self.lock:
            socks = [self.sock] + self.socks
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass


class NoAcceptServer(Server):
    """A listener that never accept()s, its backlog filled so that a new SYN goes unanswered."""

    def __init__(self):
        super().__init__(handler=None, backlog=0)
        self.filled = False
        for _ in range(16):
            f = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            f.setblocking(False)
            self.socks.append(f)
            try:
                f.connect(("127.0.0.1", self.port))
            except BlockingIOError:
                pass
            _, writable, _ = select.select([], [f], [], 0.3)
            if not writable:
                self.filled = True
                break


def http_response(code, body, headers=(), ctype="application/json"):
    head = "HTTP/1.1 %s %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n" % (
        code, REASONS.get(str(code), "Whatever"), ctype, len(body))
    head += "".join("%s: %s\r\n" % h for h in headers)
    return head.encode("latin-1") + b"\r\n" + body


def success_body(name="Robust Campaign", state="Active", campaign=CAMPAIGN):
    return json.dumps({"status": "success", "data": {"id": campaign, "status": state, "name": name,
                                                     "type": "voice"}}).encode()


def failure_body(msg, code):
    return json.dumps({"status": "failure", "errors": [{"msg": msg, "code": code}]}).encode()


def answer(data):
    """Handler: read the request, send canned bytes, close."""
    def handler(conn):
        conn.read_request()
        conn.send(data)
    return handler


def with_servers(*servers):
    """Context helper closing servers however the case ends."""
    class Closer:
        def __enter__(self):
            return servers

        def __exit__(self, *exc):
            for s in servers:
                s.close()
    return Closer()


# ---------------------------------------------------------------- time

def h_silent_tcp(conn):
    conn.hold()


def h_handshake_stall(conn):
    conn.sock.recv(16384)                       # the ClientHello
    conn.send(b"\x16\x03\x03\x00\x7a\x02\x00")  # a ServerHello record that never completes
    conn.hold()


def h_no_headers(conn):
    conn.read_request()
    conn.hold()


def h_drip_body(conn):
    conn.read_request()
    body = success_body()
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
              % len(body))
    for b in body:
        conn.send(bytes([b]))
        conn.sleep(1.0)
    conn.hold()


def h_drip_headers(conn):
    conn.read_request()
    conn.send(b"HTTP/1.1 200 OK\r\n")
    while True:
        conn.send(b"X")
        conn.sleep(1.0)


def h_proxy_stall(conn):
    conn.read_request()             # the CONNECT request
    conn.hold()


def h_late_answer(conn):
    conn.read_request()
    conn.sleep(1.0)
    conn.send(http_response(200, success_body()))


def timeout_case(name, make_server, extra=(), state="CRITICAL", tspec="2", proxy=False):
    def case():
        srv = make_server()
        with with_servers(srv):
            if proxy:  # the target port is never reached: everything goes through the proxy
                args = base_args(9, timeout=tspec, extra=["--proxy", "http://127.0.0.1:%d" % srv.port])
            else:
                args = base_args(srv.port, timeout=tspec, extra=extra)
            run = run_plugin(args)
        res = [verdict(name + ": " + state + " timeout line with perfdata", run,
                       line_conds(run, state, r"(?i)timeout", timeout=2, active=0))]
        res.append(bound(name + ": ends within timeout + 1 s", run, run.wall <= 3.0 and not run.killed,
                         "wall time %.2fs > 3.0s" % run.wall, SKIP_TIMING))
        if isinstance(srv, NoAcceptServer) and not srv.filled:
            res[0].diag.append("note: the listen backlog could not be filled")
        return res
    return case


def dns_sink_socket():
    """A UDP socket on port 53 of some loopback address (port 53 of 127.0.0.1 may be taken,
    and a suite running at the same time may hold another): (socket, address)."""
    for _ in range(20):
        addr = "127.83.%d.%d" % (os.urandom(1)[0], 1 + os.urandom(1)[0] % 254)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind((addr, 53))
            return s, addr
        except OSError:
            s.close()
    raise OSError("no free loopback address for port 53")


def case_slow_dns():
    """Resolution that never finishes: the plugin runs in a private mount namespace whose
    /etc/resolv.conf names a loopback DNS server that reads queries and never answers."""
    name = "time: a DNS server that never answers"
    unshare = shutil.which("unshare", path="/usr/bin:/bin")
    why = None
    if os.geteuid() != 0 or unshare is None:
        why = "needs root and unshare(1) for a private /etc/resolv.conf"
    elif subprocess.run([unshare, "-m", "--", "/bin/true"], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode != 0:
        why = "no mount namespaces here"
    if why:
        return [Result(name + ": CRITICAL timeout line with perfdata", True, skip=why),
                Result(name + ": ends within timeout + 1 s", True, skip=why)]
    dns, dns_addr = dns_sink_socket()
    dns.settimeout(0.2)
    queries = []
    stop = threading.Event()

    def sink():
        while not stop.is_set():
            try:
                queries.append(dns.recvfrom(4096)[0])
            except socket.timeout:
                continue
            except OSError:
                break
    threading.Thread(target=sink, daemon=True).start()
    conf = os.path.join(TMP, "resolv.conf")
    with open(conf, "w", encoding="ascii") as f:
        f.write("nameserver %s\noptions timeout:30 attempts:1\n" % dns_addr)
    args = base_args(443, timeout=2)
    args[args.index("127.0.0.1")] = "status.kore-robust.test"
    try:
        run = run_plugin(args, prefix=[unshare, "-m", "--", "/bin/sh", "-c",
                                       'mount --bind "$0" /etc/resolv.conf && exec "$@"', conf],
                         thread_left_running=True)
    finally:
        stop.set()
        dns.close()
    conds = line_conds(run, "CRITICAL", r"(?i)timeout", timeout=2, active=0)
    conds.append(("the stalled DNS server received the query", len(queries) > 0))
    return [verdict(name + ": CRITICAL timeout line with perfdata", run, conds),
            bound(name + ": ends within timeout + 1 s", run, run.wall <= 3.0 and not run.killed,
                  "wall time %.2fs > 3.0s" % run.wall, SKIP_TIMING)]


# getaddrinfo() that sleeps far longer than any timeout here: libcurl's threaded resolver
# waits for it past curl's own deadline, so only the plugin's guard timer can end the run.
# It notes each call in $KORE_TEST_DNS_MARK, so the cases can tell it was used.
SLOW_RESOLVER_C = r"""
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <unistd.h>

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
	const char *mark = getenv("KORE_TEST_DNS_MARK");
	(void)node; (void)service; (void)hints; (void)res;
	if(mark) {
		int fd = open(mark, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if(fd >= 0) {
			(void)!write(fd, "called\n", 7);
			close(fd);
		}
	}
	sleep(60);
	return EAI_AGAIN;
}
"""
_SLOW_RESOLVER = []


def slow_resolver():
    """(path of the compiled library, None) or (None, why not)."""
    with STATE_LOCK:
        if not _SLOW_RESOLVER:
            cc = next((c for c in (os.environ.get("CC"), "cc", "gcc", "clang")
                       if c and shutil.which(c, path="/usr/bin:/bin:/usr/local/bin")), None)
            if cc is None:
                _SLOW_RESOLVER.append((None, "no C compiler to build the preloaded resolver"))
            else:
                src = os.path.join(TMP, "slow-resolver.c")
                lib = os.path.join(TMP, "slow-resolver.so")
                with open(src, "w", encoding="ascii") as f:
                    f.write(SLOW_RESOLVER_C)
                p = subprocess.run([shutil.which(cc, path="/usr/bin:/bin:/usr/local/bin"), "-shared",
                                    "-fPIC", "-o", lib, src], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin"})
                if p.returncode != 0:
                    _SLOW_RESOLVER.append((None, "compiling the preloaded resolver failed: "
                                           + p.stdout.decode(errors="replace")[-300:]))
                else:
                    _SLOW_RESOLVER.append((lib, None))
        return _SLOW_RESOLVER[0]


def guard_case(label, state, tspec="1", extra=()):
    name = "time: the guard ends a resolver stuck past curl's deadline (%s)" % label
    timeout = int(tspec.split(":")[0])

    def case():
        lib, why = slow_resolver()
        if lib is None:
            if why.startswith("no C compiler"):
                return [Result(name + ": " + state + " timeout line", True, skip=why)]
            return [Result(name + ": the preloaded resolver builds", False, [why])]
        fd, mark = tempfile.mkstemp(dir=TMP, prefix="dns-mark.")
        os.close(fd)
        env = dict(PRELOAD_ENV, LD_PRELOAD=lib, KORE_TEST_DNS_MARK=mark)
        args = base_args(443, timeout=tspec, extra=extra)
        args[args.index("127.0.0.1")] = "slow.invalid"
        run = run_plugin(args, env_extra=env, thread_left_running=True)
        with open(mark, encoding="ascii") as f:
            called = "called" in f.read()
        conds = line_conds(run, state, r"^CAMPAIGN %s - %s: timeout after %ds$" % (state, CAMPAIGN, timeout),
                           timeout=timeout, active=0)
        conds.append(("the preloaded getaddrinfo() was called", called))
        res = [verdict(name + ": " + state + " timeout line with perfdata", run, conds),
               bound(name + ": ends within timeout + 1 s", run, run.wall <= timeout + 1.0 and not run.killed,
                     "wall time %.2fs > %.1fs" % (run.wall, timeout + 1.0), SKIP_TIMING)]
        # The premise of these cases: curl does not stop the stuck resolver at its own
        # deadline, so the guard (at timeout + 0.5 s) is what ends the run.  A libcurl that
        # stops it in time makes them test nothing: that must show, not pass quietly.
        res.append(bound(name + ": curl kept waiting, the guard ended it (>= timeout + 0.3 s)", run,
                         run.wall >= timeout + 0.3,
                         "wall time %.2fs < %.1fs: curl stopped the resolver itself, the guard was "
                         "not reached" % (run.wall, timeout + 0.3), SKIP_TIMING))
        return res
    return case


def case_late_answer_within_timeout():
    limit = 30 if WRAPPER else 3  # a wrapper such as valgrind needs seconds just to start
    srv = Server(h_late_answer, tls_context())
    with with_servers(srv):
        run = run_plugin(base_args(srv.port, timeout=limit))
    return [verdict("time: an answer after 1 s within -t %d is OK (control)" % limit, run,
                    line_conds(run, "OK", r"'Robust Campaign' \(%s\) is Active" % CAMPAIGN,
                               timeout=limit, active=1))]


# ---------------------------------------------------------------- memory and size

BIG = 64 * MIB
_GZIP_BOMB = []


def big_json(total):
    """A valid Active body of exactly `total` bytes (a huge name): a plugin without a cap says OK."""
    head = b'{"status":"success","data":{"id":"%s","status":"Active","name":"' % CAMPAIGN.encode()
    tail = b'"}}'
    return head, total - len(head) - len(tail), tail


def stream_filler(conn, n, chunked=False):
    block = b"A" * 65536
    while n > 0:
        piece = block[:min(n, len(block))]
        conn.send(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        n -= len(piece)


def h_big_length(conn):
    conn.read_request()
    head, n, tail = big_json(BIG)
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
              % BIG + head)
    stream_filler(conn, n)
    conn.send(tail)


def h_big_close(conn):
    conn.read_request()
    head, n, tail = big_json(BIG)
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" + head)
    stream_filler(conn, n)
    conn.send(tail)


def h_chunked_forever(conn):
    conn.read_request()
    head, _, _ = big_json(BIG)
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
              + b"%x\r\n%s\r\n" % (len(head), head))
    stream_filler(conn, BIG - 2 * MIB, chunked=True)
    conn.hold()                     # the final 0-length chunk never comes


def h_deep_json(conn):
    conn.read_request()
    depth = 100000
    body = (b'{"status":"success","data":{"id":"%s","status":"Active","name":"Deep",'
            b'"extra":' % CAMPAIGN.encode() + b"[" * depth + b"]" * depth + b"}}")
    conn.send(http_response(200, body))


def h_deep_objects(conn):
    conn.read_request()
    depth = 100000
    body = (b'{"status":"success","data":' + b'{"a":' * depth + b'"Active"' + b"}" * depth + b"}")
    conn.send(http_response(200, body))


def h_gzip_bomb(conn):
    conn.read_request()
    with STATE_LOCK:
        if not _GZIP_BOMB:
            head, n, tail = big_json(BIG)
            _GZIP_BOMB.append(gzip.compress(head + b"A" * n + tail, 1))
    body = _GZIP_BOMB[0]
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)


def h_endless_headers(conn):
    conn.read_request()
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    line = b"X-Filler: " + b"h" * 1000 + b"\r\n"
    while True:
        conn.send(line * 64)


def h_huge_length(conn):
    conn.read_request()
    body = success_body()
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1099511627776\r\n"
              b"\r\n" + body)


def memory_case(name, handler, timeout=ROOMY, on_error_variant=True):
    def case():
        res = []
        variants = [("CRITICAL", ())]
        if on_error_variant:
            variants.append(("WARNING", ("--on-error", "WARNING")))
        for state, extra in variants:
            srv = Server(handler, tls_context())
            with with_servers(srv):
                run = run_plugin(base_args(srv.port, timeout=timeout, extra=extra), measure_rss=True)
            label = "%s%s" % (name, " --on-error WARNING" if extra else "")
            res.append(verdict(label + ": %s (the on-error result)" % state, run,
                               line_conds(run, state, r"\S", active=0)
                               + [("no timeout: the size limit ends it", "timeout" not in run.line)]))
            res.append(bound(label + ": peak RSS < 32 MiB", run, run.rss_kb < RSS_LIMIT_KB,
                             "maxrss %d kB >= %d kB" % (run.rss_kb, RSS_LIMIT_KB), SKIP_RSS))
        return res
    return case


def case_endless_headers():
    srv = Server(h_endless_headers, tls_context())
    with with_servers(srv):
        run = run_plugin(base_args(srv.port, timeout=4), measure_rss=True)
    return [verdict("size: endless response headers end CRITICAL", run,
                    line_conds(run, "CRITICAL", r"\S", active=0)),
            bound("size: endless response headers: peak RSS < 32 MiB", run, run.rss_kb < RSS_LIMIT_KB,
                  "maxrss %d kB" % run.rss_kb, SKIP_RSS),
            bound("size: endless response headers: ends within timeout + 1 s", run,
                  run.wall <= 5.0 and not run.killed, "wall %.2fs > 5.0s" % run.wall, SKIP_TIMING)]


# ---------------------------------------------------------------- HTTP

def redirect_case(code, relative=False):
    def case():
        target = Server(lambda conn: conn.read_request())
        loc = "/elsewhere" if relative else "https://127.0.0.1:%d/agentassist/elsewhere" % target.port
        srv = Server(answer(http_response(code, success_body(), [("Location", loc)])), tls_context())
        with with_servers(srv, target):
            run = run_plugin(base_args(srv.port, timeout=ROOMY))
            time.sleep(0.2)
            second, requests = target.connections, list(srv.requests)
        kind = "relative " if relative else ""
        name = "http: %d with %sLocation" % (code, kind)
        conds = line_conds(run, "CRITICAL", r"HTTP %d\b[^|]*redirect not followed" % code, active=0)
        if relative:
            conds.append(("the server saw exactly one request (got %d)" % len(requests), len(requests) == 1))
        else:
            conds.append(("the Location server saw no connection (got %d)" % second, second == 0))
        return [verdict(name + " is not followed", run, conds)]
    return case


def status_case(code, extra=(), state="CRITICAL"):
    def case():
        msg = "robust check: %s reason %d" % (REASONS[str(code)].lower(), code)
        headers = [("Retry-After", "30")] if code == 429 else []
        srv = Server(answer(http_response(code, failure_body(msg, "E%d" % code), headers)),
                     tls_context())
        with with_servers(srv):
            run = run_plugin(base_args(srv.port, timeout=ROOMY, extra=extra))
        want = r"%s: HTTP %d %s: %s" % (CAMPAIGN, code, re.escape(REASONS[str(code)]), re.escape(msg))
        if code == 429:
            want += r"[^|]*retry after 30s"
        label = "http: %d names the status and errors[].msg%s" % (code, " (" + " ".join(extra) + ")"
                                                                   if extra else "")
        return [verdict(label, run, line_conds(run, state, want, active=0))]
    return case


# ---------------------------------------------------------------- TLS

def tls_probe(versions):
    """True when the local OpenSSL really serves a handshake limited to `versions`."""
    try:
        srv = Server(lambda conn: None, tls_context(versions=versions))
    except (ssl.SSLError, ValueError):
        return False
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version, ctx.maximum_version = versions
        ctx.set_ciphers("@SECLEVEL=0:ALL")
        with socket.create_connection(("127.0.0.1", srv.port), timeout=3) as s:
            with ctx.wrap_socket(s) as t:
                return t.version() in ("TLSv1", "TLSv1.1")
    except (ssl.SSLError, OSError, ValueError):
        return False
    finally:
        srv.close()


def legacy_server_hello(version):
    """A ServerHello that only speaks `version` (0x0301 or 0x0302): what such a server answers."""
    body = struct.pack(">H", version) + os.urandom(32) + b"\x00" + b"\x00\x2f" + b"\x00"
    hs = b"\x02" + len(body).to_bytes(3, "big") + body
    return b"\x16" + struct.pack(">H", version) + struct.pack(">H", len(hs)) + hs


def h_legacy_hello(version):
    def handler(conn):
        conn.sock.recv(16384)
        conn.send(legacy_server_hello(version))
        conn.sock.recv(4096)
    return handler


def h_plain_http(conn):
    conn.sock.recv(16384)
    conn.send(http_response(200, success_body()))


TLS_NAMED = r"(?i)\bTLS\b|certificate"


def tls_case(name, make_server, insecure_ok, extra=(), state="CRITICAL", env=None, control=None):
    def case():
        res = []
        srv = make_server()
        with with_servers(srv):
            if control:
                res += control(srv)
            run = run_plugin(base_args(srv.port, timeout=ROOMY, extra=extra), env_extra=env)
            res.append(verdict("tls: %s is %s and names TLS or the certificate" % (name, state), run,
                               line_conds(run, state, TLS_NAMED, perf="optional")))
            if extra:
                return res
            run = run_plugin(base_args(srv.port, timeout=ROOMY, extra=["--insecure"]), env_extra=env)
        if insecure_ok:
            res.append(verdict("tls: %s with --insecure is OK" % name, run,
                               line_conds(run, "OK", r"'Robust Campaign' \(%s\) is Active" % CAMPAIGN,
                                          active=1)))
        else:
            res.append(verdict("tls: %s with --insecure is still CRITICAL naming TLS" % name, run,
                               line_conds(run, "CRITICAL", TLS_NAMED, perf="optional")))
        return res
    return case


LEGACY_NOTES = []

# Debian's OpenSSL refuses TLS 1.0/1.1 on its own (security level 2): a plugin without a
# TLS 1.2 floor would pass the cases above all the same.  With this configuration OpenSSL
# allows them, so the refusal must come from the plugin.
PERMISSIVE_OPENSSL_CONF = """openssl_conf = openssl_init

[openssl_init]
ssl_conf = ssl_sect

[ssl_sect]
system_default = system_default_sect

[system_default_sect]
MinProtocol = TLSv1
CipherString = DEFAULT@SECLEVEL=0
"""


def permissive_env():
    path = os.path.join(TMP, "openssl-permissive.cnf")
    with STATE_LOCK:
        if not os.path.exists(path):
            with open(path, "w", encoding="ascii") as f:
                f.write(PERMISSIVE_OPENSSL_CONF)
    return {"OPENSSL_CONF": path}


def permissive_control(label):
    """With the permissive configuration OpenSSL itself (s_client) completes the handshake."""
    def control(srv):
        name = "tls: control: with the permissive OPENSSL_CONF openssl s_client completes a %s handshake" % label
        openssl = shutil.which("openssl", path="/usr/bin:/bin")
        if openssl is None:
            return [Result(name, True, skip="no openssl command")]
        env = dict(permissive_env(), PATH="/usr/bin:/bin")
        try:
            p = subprocess.run([openssl, "s_client", "-connect", "127.0.0.1:%d" % srv.port,
                                "-CAfile", os.path.join(CERTS, "ca.pem"), "-verify_return_error"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=env, timeout=ROOMY * 2)
            out = p.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            out = "s_client timed out"
        want = "Protocol  : TLSv1" + ("" if label == "TLS 1.0" else ".1")
        ok = re.search(r"^\s*%s$" % re.escape(want), out, re.M) is not None
        return [Result(name, ok, [] if ok else ["expected '%s' in:" % want] + out.splitlines()[-15:])]
    return control


def legacy_tls_cases():
    cases = []
    for label, versions, wire in (("TLS 1.0", (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1), 0x0301),
                                  ("TLS 1.1", (ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1_1), 0x0302)):
        if tls_probe(versions):
            LEGACY_NOTES.append("%s-only server: real handshake (local OpenSSL offers it at SECLEVEL=0)"
                                % label)
            make = (lambda v: lambda: Server(answer(http_response(200, success_body())),
                                             tls_context(versions=v)))(versions)
            cases.append(tls_case("a server offering only %s" % label, make, False))
            cases.append(tls_case("a server offering only %s (OpenSSL configured to allow it)" % label,
                                  make, False, env=permissive_env(), control=permissive_control(label)))
        else:
            LEGACY_NOTES.append("%s-only server: local OpenSSL cannot offer it; the server answers the "
                                "ClientHello with a %s ServerHello instead" % (label, label))
            make = (lambda w: lambda: Server(h_legacy_hello(w)))(wire)
            cases.append(tls_case("a server answering with a %s ServerHello" % label, make, False))
            cases.append(tls_case("a server answering with a %s ServerHello (OpenSSL configured to "
                                  "allow it)" % label, make, False, env=permissive_env()))
    # The permissive configuration itself breaks nothing: a TLS 1.2+ server is still OK.
    cases.append(case_permissive_modern)
    return cases


def case_permissive_modern():
    srv = Server(answer(http_response(200, success_body())), tls_context())
    with with_servers(srv):
        run = run_plugin(base_args(srv.port, timeout=ROOMY), env_extra=permissive_env())
    return [verdict("tls: control: with the permissive OPENSSL_CONF a TLS 1.2+ server is still OK", run,
                    line_conds(run, "OK", r"'Robust Campaign' \(%s\) is Active" % CAMPAIGN, active=1))]


def case_default_trust():
    """Without --cacert the system store must not trust the test CA."""
    srv = Server(answer(http_response(200, success_body())), tls_context())
    with with_servers(srv):
        run = run_plugin(base_args(srv.port, timeout=ROOMY, cacert=False))
    return [verdict("tls: a test-CA server without --cacert is CRITICAL naming TLS or the certificate",
                    run, line_conds(run, "CRITICAL", TLS_NAMED, perf="optional"))]


# ---------------------------------------------------------------- hostile content

HOSTILE_NAME = ("Renewals | Q4\r\nCAMPAIGN OK - fake | time=0s\x1b[31m\x1b]0;title\x07\t\x7f"
                "\u009b2J\u202e\u2028" + "\U0001F600é☃" * 700)[:5000]


def content_case(name, body_bytes, state, text_re, code=200, headers=(), extra=(), name_re=None):
    def case():
        srv = Server(answer(http_response(code, body_bytes, headers)), tls_context())
        with with_servers(srv):
            run = run_plugin(base_args(srv.port, timeout=ROOMY, extra=extra))
        conds = line_conds(run, state, text_re, active=1 if state == "OK" else 0)
        if state == "OK":
            m = re.search(r"OK - '(.*)' \(%s\) is Active" % CAMPAIGN, run.line)
            conds.append(("sanitised name at most 64 characters plus '...'",
                          m is not None and len(m.group(1)) <= 67))
            if name_re:
                conds.append(("sanitised name matches /%s/" % name_re,
                              m is not None and re.search(name_re, m.group(1)) is not None))
        return [verdict("content: " + name, run, conds)]
    return case


def case_http09():
    srv = Server(answer(success_body()), tls_context())
    with with_servers(srv):
        run = run_plugin(base_args(srv.port, timeout=ROOMY))
    return [verdict("content: a reply without a status line (HTTP/0.9 style) is never OK", run,
                    line_conds(run, "CRITICAL", r"\S", perf="optional"))]


def case_verbose_hostile():
    """-vvv detail lines repeat server data: Nagios reads a '|' there as perfdata too."""
    res = []
    bodies = (("a hostile name", 200, success_body(HOSTILE_NAME), "OK"),
              ("a hostile HTTP 500 msg", 500,
               failure_body("db | down\r\n\x1b[2J" + "M" * 5000, "E|500"), "CRITICAL"))
    for label, code, body, state in bodies:
        srv = Server(answer(http_response(code, body, [("X-Hostile", "a|b\x1b[31m")])), tls_context())
        with with_servers(srv):
            run = run_plugin(base_args(srv.port, timeout=ROOMY, extra=["-vvv"]))
        lines = run.out.split(b"\n")
        first = Run(run.argv, run.rc, lines[0] + b"\n", run.err, run.wall, run.rss_kb, run.killed)
        conds = line_conds(first, state, r"\S")
        rest = b"\n".join(lines[1:])
        try:
            rest_text = rest.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            rest_text, utf8 = "", False
        conds += [("detail lines present", len(lines) > 2),
                  ("no '|' in the detail lines", b"|" not in rest),
                  ("detail lines valid UTF-8", utf8),
                  ("no control characters in the detail lines",
                   not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", rest)
                   and not re.search("[\x80-\x9f]", rest_text))]
        res.append(verdict("content: -vvv with %s keeps every line clean" % label, run, conds))
    return res


def case_verbose_secrets():
    res = []
    for code, body in ((200, success_body()), (401, failure_body("Invalid token", "401"))):
        srv = Server(answer(http_response(code, body)), tls_context())
        with with_servers(srv):
            run = run_plugin(base_args(srv.port, timeout=ROOMY, extra=["-vvv"]))
        res.append(verdict("secrets: -vvv run against a %d server exits %d with nothing on stderr"
                           % (code, 0 if code == 200 else 2), run,
                           [("exit code", run.rc == (0 if code == 200 else 2)),
                            ("nothing on stderr", run.err == b"")]))
    return res


# ---------------------------------------------------------------- usage

def unescape(field):
    """C-style escapes (\\t \\n \\r \\e \\\\ \\xNN) to bytes; '' is the empty argument."""
    if field == "''":
        return b""
    out = bytearray()
    i = 0
    raw = field.encode("utf-8")
    simple = {ord("t"): b"\t", ord("n"): b"\n", ord("r"): b"\r", ord("e"): b"\x1b", ord("\\"): b"\\"}
    while i < len(raw):
        if raw[i] == 0x5C and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt in simple:
                out += simple[nxt]
                i += 2
                continue
            if nxt == ord("x"):
                out.append(int(raw[i + 2:i + 4], 16))
                i += 4
                continue
        out.append(raw[i])
        i += 1
    return bytes(out)


def usage_fixtures():
    d = tempfile.mkdtemp(dir=TMP, prefix="usage.")
    paths = {"MISSING": os.path.join(d, "no-such-secret"), "EMPTY": os.path.join(d, "empty"),
             "DIR": os.path.join(d, "secret.d"), "WORLD": os.path.join(d, "world-readable"),
             "BLANKLINE": os.path.join(d, "blank-first-line"), "GOOD": os.path.join(d, "good")}
    contents = {"EMPTY": "", "WORLD": SECRET + "\n", "BLANKLINE": "\n" + SECRET + "\n",
                "GOOD": SECRET + "\n"}
    for key, text in contents.items():
        with open(paths[key], "w", encoding="ascii") as f:
            f.write(text)
        os.chmod(paths[key], 0o600)
    os.chmod(paths["WORLD"], 0o644)
    os.mkdir(paths["DIR"], 0o700)
    return paths


def usage_cases():
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))          # bound, never listening: connections are refused
    port = closed.getsockname()[1]
    SERVERS.append(closed)
    paths = usage_fixtures()
    base = base_args(port, cacert=False, timeout=ROOMY)
    subst = dict(paths, PORT=str(port))

    def expand(field):
        for key, value in subst.items():
            field = field.replace("{%s}" % key, value)
        return field

    cases = []
    table = os.path.join(TOP, "tests", "robust", "usage.tsv")
    with open(table, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            raw = raw.rstrip("\n")
            if not raw.strip() or raw.startswith("#"):
                continue
            cols = raw.split("\t")
            env_mode, reason, desc, argf = cols[0], cols[1], cols[2], cols[3:]
            args = []
            for a in argf:
                if a == "{BASE}":
                    args += base
                elif a == "{BASENOID}":
                    i = base.index("--client-id")
                    args += base[:i] + base[i + 2:]
                else:
                    args.append(unescape(expand(a)))
            cases.append(usage_case("usage.tsv:%d %s" % (lineno, desc), args, env_mode, reason))

    def controls():
        res = []
        run = run_plugin(base)
        res.append(verdict("usage control: the table's base command line is accepted "
                           "(connection refused -> CRITICAL, not UNKNOWN)", run,
                           line_conds(run, "CRITICAL", r"\S", perf="optional")))
        run = run_plugin(base + ["--client-secret-file", paths["GOOD"]], secret=False)
        res.append(verdict("usage control: a 0600 secret file is accepted (CRITICAL, not UNKNOWN)", run,
                           line_conds(run, "CRITICAL", r"\S", perf="optional")))
        return res
    return [controls] + cases


def usage_case(name, args, env_mode, reason):
    def case():
        run = run_plugin(args, secret=(env_mode == "secret"))
        conds = line_conds(run, "UNKNOWN", None if reason == "-" else "(?i)" + reason, perf="absent")
        conds.append(("the secret is not echoed", SECRET.encode() not in run.out + run.err))
        return [verdict(name, run, conds)]
    return case


# ---------------------------------------------------------------- load

SIM_GROUPS = []      # process groups of simulators still running


def stop_group(proc):
    """SIGTERM to the simulator's process group, SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except OSError:
            pass
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def find_sim():
    sim = os.path.join(TOP, "tests", "sim", "kore_sim.py")
    return sim if os.path.exists(sim) else None


def case_load():
    # Under a wrapper such as valgrind each run costs seconds of CPU: a smaller load, a longer timeout.
    total, parallel, limit = (200, 50, 10) if not WRAPPER else (10, 5, 120)
    sim = find_sim()
    if sim is None:
        return [Result("load: simulator tests/sim/kore_sim.py present", False, ["not found under " + TOP])]
    d = tempfile.mkdtemp(dir=TMP, prefix="load.")
    ready, jtis, sigs, log = (os.path.join(d, n) for n in ("port", "jti.log", "sig.log", "sim.err"))
    with open(log, "wb") as errf:
        proc = subprocess.Popen(["/usr/bin/python3", sim, "--cert", os.path.join(CERTS, "server.pem"),
                                 "--key", os.path.join(CERTS, "server.key"), "--secret", SECRET,
                                 "--client-id", CLIENT_ID, "--port", "0", "--bind", "127.0.0.1",
                                 "--ready-file", ready, "--jti-log", jtis, "--sig-log", sigs],
                                stdin=subprocess.DEVNULL, stdout=errf, stderr=errf, start_new_session=True)
    SIM_GROUPS.append(proc.pid)
    try:
        deadline = time.monotonic() + 15
        while not os.path.exists(ready) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if not os.path.exists(ready):
            with open(log, "rb") as f:
                return [Result("load: simulator starts", False, ["sim output: %r" % f.read()[-800:]])]
        with open(ready, encoding="ascii") as f:
            port = int(f.read().strip())
        args = base_args(port, campaign="cmp-active", timeout=limit)
        with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
            runs = list(pool.map(lambda _: run_plugin(args), range(total)))
    finally:
        stop_group(proc)
        SIM_GROUPS.remove(proc.pid)
    want = re.compile(r"^CAMPAIGN OK - 'Outbound Renewals' \(cmp-active\) is Active \| time=")
    bad = [r for r in runs if not (r.rc == 0 and r.err == b"" and want.match(r.line)
                                   and r.out.count(b"\n") == 1)]
    res = [Result("load: %d checks %d at a time are all OK (%d failed)" % (total, parallel, len(bad)),
                  not bad, (bad[0].describe() if bad else []))]
    with open(jtis, encoding="utf-8", errors="replace") as f:
        seen = [line.strip() for line in f if line.strip()]
    dups = len(seen) - len(set(seen))
    res.append(Result("load: simulator logged one jti per check (%d of %d), none repeated (%d repeats)"
                      % (len(seen), total, dups), len(seen) == total and dups == 0))
    with open(sigs, encoding="utf-8", errors="replace") as f:
        with STATE_LOCK:
            SIGNATURES.update(line.strip() for line in f if line.strip())
    return res


# ---------------------------------------------------------------- secrets scan

def case_secret_scan():
    windows = set()
    for sig in SIGNATURES:
        for i in range(max(1, len(sig) - 11)):
            windows.add(sig[i:i + 12].encode())
    secret = SECRET.encode()
    hits = []
    for shown, out, err in OUTPUTS:
        blob = out + b"\n" + err
        found = secret in blob or secret[-12:] in blob
        if not found and windows:
            found = any(blob[i:i + 12] in windows for i in range(max(0, len(blob) - 11)))
        if found:
            hits.append(" ".join(shlex.quote(os.fsdecode(a)) for a in shown))
    return [Result("secrets: none of %d runs printed the client secret or 12 characters of any of %d "
                   "JWT signatures" % (len(OUTPUTS), len(SIGNATURES)), not hits and SIGNATURES,
                   ["leaked in: " + h for h in hits[:5]] or ([] if SIGNATURES else ["no signature seen"]))]


# ---------------------------------------------------------------- driver

def phases():
    time_cases = [
        timeout_case("time: a listener that never accepts", NoAcceptServer),
        timeout_case("time: a server that accepts and never sends",
                     lambda: Server(h_silent_tcp)),
        timeout_case("time: a TLS handshake that stalls", lambda: Server(h_handshake_stall)),
        timeout_case("time: a server that never sends the headers",
                     lambda: Server(h_no_headers, tls_context())),
        timeout_case("time: headers dripped one byte a second",
                     lambda: Server(h_drip_headers, tls_context())),
        timeout_case("time: headers then the body one byte a second",
                     lambda: Server(h_drip_body, tls_context())),
        timeout_case("time: -t 2:WARNING", lambda: Server(h_drip_body, tls_context()),
                     state="WARNING", tspec="2:WARNING"),
        timeout_case("time: --timeout-result UNKNOWN", lambda: Server(h_drip_body, tls_context()),
                     state="UNKNOWN", extra=["--timeout-result", "UNKNOWN"]),
        timeout_case("time: --on-error WARNING leaves the timeout result",
                     lambda: Server(h_no_headers, tls_context()), extra=["--on-error", "WARNING"]),
        timeout_case("time: a proxy that never answers CONNECT", lambda: Server(h_proxy_stall),
                     proxy=True),
        case_slow_dns,
        case_late_answer_within_timeout,
        guard_case("-t 1", "CRITICAL"),
        guard_case("-t 1:WARNING", "WARNING", tspec="1:WARNING"),
        guard_case("-t 1 --timeout-result UNKNOWN", "UNKNOWN", extra=["--timeout-result", "UNKNOWN"]),
    ]
    memory_cases = [
        memory_case("size: a 64 MiB body with Content-Length", h_big_length),
        memory_case("size: a 64 MiB body without Content-Length (connection close)", h_big_close),
        memory_case("size: chunked encoding that never ends", h_chunked_forever),
        memory_case("size: arrays nested 100000 deep after an Active state", h_deep_json),
        memory_case("size: objects nested 100000 deep", h_deep_objects),
        memory_case("size: a gzip bomb (64 MiB in 64 KiB)", h_gzip_bomb, on_error_variant=False),
        memory_case("size: Content-Length of 1 TiB with a short body", h_huge_length,
                    on_error_variant=False),
        case_endless_headers,
    ]
    http_cases = [redirect_case(c) for c in (301, 302, 307, 308)] + [redirect_case(302, relative=True)]
    http_cases += [status_case(c) for c in (401, 403, 404, 429, 500, 502, 503, 504)]
    http_cases.append(status_case(503, extra=("--on-error", "WARNING"), state="WARNING"))
    tls_cases = [
        tls_case("a certificate for the wrong host name", lambda: Server(
            answer(http_response(200, success_body())), tls_context("wronghost")), True),
        tls_case("a certificate from an untrusted CA", lambda: Server(
            answer(http_response(200, success_body())), tls_context("untrusted")), True),
        tls_case("an expired certificate", lambda: Server(
            answer(http_response(200, success_body())), tls_context("expired")), True),
        tls_case("an expired certificate (--on-error WARNING)", lambda: Server(
            answer(http_response(200, success_body())), tls_context("expired")), True,
            extra=["--on-error", "WARNING"], state="WARNING"),
        tls_case("a plain-HTTP server on the HTTPS port", lambda: Server(h_plain_http), False),
        case_default_trust,
    ] + legacy_tls_cases()
    control = [content_case("a well-behaved server is OK (control)", success_body(), "OK",
                            r"^CAMPAIGN OK - 'Robust Campaign' \(%s\) is Active$" % CAMPAIGN)]
    content_cases = [
        content_case("a 5000-character name with |, CR/LF, escapes and emoji gives one clean line",
                     success_body(HOSTILE_NAME), "OK", r"^CAMPAIGN OK - '.*' \(%s\) is Active$" % CAMPAIGN,
                     name_re=r"^Renewals / Q4 .*\.\.\.$"),
        content_case("an HTTP 500 msg with |, newline, escapes and 5000 characters gives one clean line",
                     failure_body("db down | x=1;2;3\nSECOND LINE\x1b[2J" + "M" * 5000, "E500"),
                     "CRITICAL", r"HTTP 500", code=500),
        content_case("a 200 failure msg with | and CR/LF gives one clean line",
                     failure_body("archived | by=ops\r\nCAMPAIGN OK - fake", "4001"),
                     "CRITICAL", r"API error: archived / by=ops"),
        content_case("a 429 with a 30-digit Retry-After containing | gives one clean line",
                     failure_body("slow down", "429"), "CRITICAL", r"HTTP 429", code=429,
                     headers=[("Retry-After", "9" * 30 + "|x")]),
        content_case("an unexpected state with | and a newline gives one clean WARNING line",
                     success_body(state="Stopped | now\nOK"), "WARNING", r"expected Active"),
        case_http09,
        case_verbose_hostile,
        case_verbose_secrets,
    ]
    # At most 4 time cases at once: their 1 s margin must hold on a loaded 2-core machine.
    return [("time", time_cases, 4), ("memory and size", memory_cases, 2),
            ("http, tls, content", control + http_cases + tls_cases + content_cases, 4),
            ("usage", usage_cases(), 4), ("load", [case_load], 1)]


def main():
    # Stopped by SIGTERM (make's timeout, ^C), the runner still closes its servers and simulators.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if not (os.path.isfile(PLUGIN) and os.access(PLUGIN, os.X_OK)):
        print("Bail out! plugin not found or not executable: %s" % PLUGIN)
        return 1
    maker = os.path.join(TOP, "tests", "sim", "make-certs.sh")
    mk = subprocess.run(["/bin/bash", maker, CERTS], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if mk.returncode != 0:
        print("Bail out! %s failed: %s" % (maker, mk.stdout.decode(errors="replace")[-500:]))
        return 1
    started = time.monotonic()
    n = failed = 0

    def emit(results):
        nonlocal n, failed
        for r in results:
            n += 1
            if r.skip:
                print("ok %d - %s # SKIP %s" % (n, r.name, r.skip))
                continue
            if not r.ok:
                failed += 1
            print("%s %d - %s" % ("ok" if r.ok else "not ok", n, r.name))
            for d in r.diag:
                for line in str(d).splitlines() or [""]:
                    print("#   " + line)
        sys.stdout.flush()

    try:
        for title, cases, workers in phases():
            phase_start = time.monotonic()
            print("# %s" % title)
            if title.startswith("http"):
                for note in LEGACY_NOTES:
                    print("# " + note)
            with concurrent.futures.ThreadPoolExecutor(workers) as pool:
                futures = [pool.submit(c) for c in cases]
                for fut in futures:
                    try:
                        emit(fut.result())
                    except Exception as e:  # a broken case must show, not vanish
                        emit([Result("case raised %s: %s" % (type(e).__name__, e), False)])
            print("# %s took %.1fs" % (title, time.monotonic() - phase_start))
        emit(case_secret_scan())
    finally:
        for s in SERVERS:
            s.close()
        for pid in list(SIM_GROUPS):
            try:
                os.killpg(pid, signal.SIGTERM)
            except OSError:
                pass
        shutil.rmtree(TMP, ignore_errors=True)
    print("# %d failed, runtime %.1fs" % (failed, time.monotonic() - started))
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
