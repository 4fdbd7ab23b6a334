#!/usr/bin/python3
"""Data-driven integration suite for check_kore_campaign (prints TAP).

The cases live in cases.tsv next to this script (found through $top_srcdir when
set).  The runner makes a throwaway PKI with tests/sim/make-certs.sh, starts
the API simulator tests/sim/kore_sim.py (plus instances with the wrong-host,
expired and untrusted certificates and a redirect target that must never be
contacted), runs every case against the plugin and checks:

  * the exit code and the full first line of stdout (regular expression),
  * the output shape: exactly one line unless the case expects more, valid
    UTF-8, no control characters, at most one '|', nothing on stderr,
  * secret hygiene: no 12 characters in a row of either client secret or of
    any JWT signature the simulators saw (or of any token the runner minted),
    and nothing that looks like a JWT, appears in stdout/stderr,
  * per-case extras from the options column (JWT claims, run time, number of
    requests, no redirect followed, detail lines, proxy use).
After the cases it checks that -h lists every long option with its default.

Environment: PLUGIN (plugin path), top_srcdir, top_builddir, PLUGIN_WRAPPER
(command prefix such as valgrind; timing checks are then skipped),
KEEP_TMP=1 keeps the temporary directory, JOBS sets the number of parallel runs,
ONLY=REGEX runs only the cases whose name matches.

cases.tsv: one case per line, fields separated by TABs, '#' starts a comment:
  name  arguments  exit-code  first-line-regex  [options]
Arguments are split like a shell would (shlex) after ${placeholder} expansion.
Unless the options say otherwise the runner adds
  -H 127.0.0.1 -p PORT --cacert CA -i IID -a ACCOUNT --client-id ID
and KORE_CLIENT_SECRET to the environment.  Options (space separated):
  no=host,tls,ids,clientid,envsecret   leave out those automatic parts
  raw                 leave out all automatic parts
  server=NAME         main (default), wronghost, expired, untrusted, v4only
                      (127.0.0.1 only), v6only (::1 only; needs option v6 too);
                      ${port} is the port of that server
  secret=wrong        KORE_CLIENT_SECRET is a wrong secret
  token=KIND          kind of token for ${token_file} / env=KORE_JWT: good,
                      hs512, expired, wrongsecret, longlife, nojti
  env=KORE_JWT        pass a freshly minted token in KORE_JWT
  setenv=N=V[;N=V]    add these variables to the plugin's environment
                      (${placeholders} expanded, e.g. https_proxy=...)
  ini=TEMPLATE        write the ini file TEMPLATE of INI_TEMPLATES (mode 0600,
                      values of this case filled in) and name it ${ini}; it
                      carries the iid, so req= and claims= work without ids
  inimode=OCTAL       mode of that file instead of 0600
  proxy               start a CONNECT proxy on loopback for this case
                      (${proxy_port}); it must have seen exactly one
                      CONNECT 127.0.0.1:<port of the server>
  verbose=N[:CODE]    detail lines of -v/-vv/-vvv (N = 1, 2, 3) for an answer
                      with HTTP status CODE (default 200)
  has=REGEX           some detail line (after the first) matches REGEX
  lines=many          more than one stdout line expected (first is checked)
  lines=any           one or more lines
  maxtime=SECONDS     wall-clock bound of the run (skipped under a wrapper)
  claims=k:v;k:v      JWT the simulator accepted: alg, sub, ttl, api
  req=N               number of requests the main simulator got for this case
  redirect            the redirect target must not have been contacted
  v6                  needs IPv6 loopback (skipped otherwise)
  timing              the whole case depends on timing: skipped under a wrapper
Regex macros: ${T} perf time value, ${P1} / ${P0} default perfdata with
active=1 / active=0, ${NAME64} the first 64 characters of the cmp-longname name,
${ini} the path of the case's ini file.
"""

import base64
import concurrent.futures
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import select
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("top_srcdir") or os.path.dirname(os.path.dirname(HERE))
BUILDDIR = os.environ.get("top_builddir") or SRCDIR
PLUGIN = os.environ.get("PLUGIN") or os.path.join(BUILDDIR, "plugins", "check_kore_campaign")
WRAPPER = shlex.split(os.environ.get("PLUGIN_WRAPPER", ""))
PYTHON = "/usr/bin/python3"
SIM = os.path.join(SRCDIR, "tests", "sim", "kore_sim.py")
MAKE_CERTS = os.path.join(SRCDIR, "tests", "sim", "make-certs.sh")
CASES = os.path.join(SRCDIR, "tests", "integration", "cases.tsv")
if not os.path.exists(CASES):
    CASES = os.path.join(HERE, "cases.tsv")

SECRET = "ks-" + secrets.token_hex(20)
WRONG_SECRET = "wrong-" + secrets.token_hex(20)
CLIENT_ID = "cs-" + secrets.token_hex(6)
ACCOUNT = "acct-7f3a"
RUN_LIMIT = 300 if WRAPPER else 30

T_RE = r"[0-9]+\.[0-9]{6}"
MACROS = {
    "T": T_RE,
    "P1": r" \| time=" + T_RE + r"s;;;0;10 active=1;;;0;1",
    "P0": r" \| time=" + T_RE + r"s;;;0;10 active=0;;;0;1",
    "NAME64": re.escape(("Long campaign name " * 300)[:64]),
}


# --------------------------------------------------------------------------- TAP
class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None, skip=None):
        self.n += 1
        if skip:
            print("ok %d - %s # SKIP %s" % (self.n, name, skip))
            return True
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, name))
        if not cond:
            self.failed += 1
            for line in (diag or "").splitlines():
                print("#   " + line)
        sys.stdout.flush()
        return cond

    def diag(self, text):
        for line in text.splitlines():
            print("# " + line)

    def done(self):
        print("1..%d" % self.n)
        return 0 if self.failed == 0 else 1


# --------------------------------------------------------------------------- JWT
def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint(kind="good"):
    now = int(time.time())
    alg = "HS512" if kind == "hs512" else "HS256"
    secret = WRONG_SECRET if kind == "wrongsecret" else SECRET
    claims = {"appId": CLIENT_ID, "sub": "integration-suite", "iat": now, "exp": now + 300,
              "jti": str(uuid.uuid4())}
    if kind == "expired":
        claims["iat"], claims["exp"] = now - 900, now - 600
    elif kind == "longlife":
        claims["exp"] = now + 7200
    elif kind == "nojti":
        del claims["jti"]
    elif kind not in ("good", "hs512", "wrongsecret"):
        raise ValueError("unknown token kind %r" % kind)
    head = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    digest = hashlib.sha512 if alg == "HS512" else hashlib.sha256
    sig = b64url(hmac.new(secret.encode(), (head + "." + body).encode(), digest).digest())
    return head + "." + body + "." + sig


# --------------------------------------------------------------------------- simulators
def ipv6_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SimProcess:
    def __init__(self, name, tmp, certs, cert, binds, redirect_target=None):
        self.name = name
        base = os.path.join(tmp, "sim-" + name)
        self.ready = base + ".port"
        self.files = {k: base + "." + k for k in ("jti", "sig", "claims", "requests", "log", "err")}
        cmd = [PYTHON, SIM, "--cert", os.path.join(certs, cert + ".pem"),
               "--key", os.path.join(certs, cert + ".key"), "--secret", SECRET,
               "--client-id", CLIENT_ID, "--port", "0", "--ready-file", self.ready,
               "--jti-log", self.files["jti"], "--sig-log", self.files["sig"],
               "--claims-log", self.files["claims"], "--request-log", self.files["requests"],
               "--log", self.files["log"]]
        for b in binds:
            cmd += ["--bind", b]
        if redirect_target:
            cmd += ["--redirect-target", redirect_target]
        self.err = open(self.files["err"], "wb")
        # Its own process group, so that stop() can end it with anything it started.
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.err, stderr=self.err,
                                     start_new_session=True)
        self.port = None

    def wait_ready(self, limit=15.0):
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if os.path.exists(self.ready):
                with open(self.ready, encoding="ascii") as f:
                    text = f.read().strip()
                if text.isdigit():
                    self.port = int(text)
                    return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.02)
        return False

    def read(self, key):
        try:
            with open(self.files[key], encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def stop(self):
        """SIGTERM; returns the exit code (None if it had to be killed)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except OSError:
                pass
            try:
                rc = self.proc.wait(5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                self.proc.wait()
                rc = None
        else:
            rc = self.proc.returncode
        if not self.err.closed:
            self.err.close()
        return rc


# --------------------------------------------------------------------------- cases
class Case:
    def __init__(self, lineno, fields):
        self.lineno = lineno
        self.name = fields[0]
        self.args = fields[1]
        self.exits = [int(x) for x in fields[2].split("|")]
        self.regex = fields[3]
        self.opts = {}
        for item in shlex.split(fields[4]) if len(fields) > 4 else []:
            k, _, v = item.partition("=")
            self.opts[k] = v
        self.result = None


def bail(message):
    print("Bail out! " + message)
    sys.exit(1)


OPTIONS = {"no", "raw", "server", "secret", "token", "env", "lines", "maxtime", "claims", "req",
           "redirect", "v6", "timing", "setenv", "ini", "inimode", "proxy", "verbose", "has"}
ARG_PLACEHOLDERS = {"ca", "untrusted_ca", "capath", "port", "closed_port", "client_id", "account",
                    "iid", "id128", "id129", "missing", "token_file", "secret_file",
                    "group_secret_file", "world_secret_file", "wrong_secret_file", "ini", "proxy_port"}
# Expanded per case at check time (not in MACROS: they are not known in advance).
CASE_MACROS = {"ini"}

# Ini files for --extra-opts.  ${secret} is only ever written to a file, never
# put on a command line.  Line numbers matter to the cases that expect FILE:LINE.
INI_BODY = """host = 127.0.0.1
port = ${port}
iid = ${iid}
account-id = ${account}
client-id = ${client_id}
client-secret = ${secret}
cacert = ${ca}
"""
INI_TEMPLATES = {
    # everything a check needs, the campaign included
    "full": "[check_kore_campaign]\n" + INI_BODY + "campaign = cmp-active\nexpect = Active\n",
    # a stopped campaign that the file says must be Active
    "stopped": "[check_kore_campaign]\n" + INI_BODY + "campaign = cmp-stopped\nexpect = Active\n",
    # the default section and a named one that differ in the campaign
    "sections": ("# comment line\n[check_kore_campaign]\n" + INI_BODY + "campaign = cmp-stopped\n\n"
                 "[probe]\n" + INI_BODY + "campaign = cmp-active\n"),
    # line 9: a key the plugin does not know
    "unknownkey": "[check_kore_campaign]\n" + INI_BODY + "colour = blue\ncampaign = cmp-active\n",
    # line 9: neither 'key = value' nor a section nor a comment
    "malformed": "[check_kore_campaign]\n" + INI_BODY + "this line has no equals sign\n"
                 "campaign = cmp-active\n",
    # no [check_kore_campaign] section at all
    "nosection": "[other_plugin]\n" + INI_BODY + "campaign = cmp-active\n",
}


def validate(case):
    """A typo in the data file must stop the suite, not silently weaken a case."""
    unknown = set(case.opts) - OPTIONS
    if unknown:
        return "unknown option(s) %s" % ", ".join(sorted(unknown))
    for name in re.findall(r"\$\{([A-Za-z0-9_]+)\}", case.args):
        if name not in ARG_PLACEHOLDERS:
            return "unknown placeholder ${%s} in the arguments" % name
    for name in re.findall(r"\$\{([A-Za-z0-9_]+)\}", case.regex):
        if name not in MACROS and name not in CASE_MACROS:
            return "unknown macro ${%s} in the regex" % name
    checks = {"no": r"((host|tls|ids|clientid|envsecret)(,|$))+", "raw": "", "v6": "", "redirect": "", "timing": "",
              "server": "main|wronghost|expired|untrusted|v4only|v6only", "secret": "wrong",
              "token": "good|hs512|expired|wrongsecret|longlife|nojti", "env": "KORE_JWT",
              "lines": "many|any", "maxtime": r"[0-9]+(\.[0-9]+)?", "req": "[0-9]+",
              "claims": r"(alg|sub|ttl|api):[^;]+(;(alg|sub|ttl|api):[^;]+)*",
              "setenv": r"[A-Za-z_][A-Za-z0-9_]*=[^;]*(;[A-Za-z_][A-Za-z0-9_]*=[^;]*)*",
              "ini": "|".join(INI_TEMPLATES), "inimode": "0[0-7]{3}", "proxy": "",
              "verbose": r"[123](:[1-5][0-9][0-9])?", "has": r".+"}
    for k, v in case.opts.items():
        if not re.fullmatch(checks[k], v):
            return "bad value for option %s: %r" % (k, v)
    if case.opts.get("server") == "v6only" and "v6" not in case.opts:
        return "server=v6only needs the option v6"
    if ("${ini}" in case.args or "inimode" in case.opts) and "ini" not in case.opts:
        return "${ini} or inimode without ini=TEMPLATE"
    if "${proxy_port}" in case.args + case.opts.get("setenv", "") and "proxy" not in case.opts:
        return "${proxy_port} without the option proxy"
    for name in re.findall(r"\$\{([A-Za-z0-9_]+)\}", case.opts.get("setenv", "")):
        if name not in ARG_PLACEHOLDERS:
            return "unknown placeholder ${%s} in setenv" % name
    try:
        re.compile(expand(case.regex, dict(MACROS, ini="x"), case.name))
        re.compile(case.opts.get("has", ""))
    except re.error as e:
        return "bad regex: %s" % e
    return None


def load_cases(path):
    cases, names = [], set()
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) < 4 or len(fields) > 5:
                bail("%s:%d: expected 4 or 5 TAB-separated fields" % (path, lineno))
            case = Case(lineno, fields)
            problem = validate(case)
            if problem:
                bail("%s:%d: %s" % (path, lineno, problem))
            if case.name in names:
                bail("%s:%d: duplicate case name %s" % (path, lineno, case.name))
            names.add(case.name)
            cases.append(case)
    return cases


def expand(text, values, what):
    def sub(m):
        if m.group(1) not in values:
            raise KeyError("unknown placeholder ${%s} in %s" % (m.group(1), what))
        return values[m.group(1)]
    return re.sub(r"\$\{([A-Za-z0-9_]+)\}", sub, text)


class ConnectProxy:
    """A small HTTP CONNECT proxy on 127.0.0.1 that records the request lines it gets.

    Tunnels only to loopback addresses; every connection is bounded in time
    (TUNNEL_LIFETIME) and bytes (TUNNEL_BYTES), and close() ends them all."""

    TUNNEL_LIFETIME = 30.0
    TUNNEL_BYTES = 4 * 1024 * 1024

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.lines = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.accept_loop, daemon=True)]
        self.threads[0].start()

    def accept_loop(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            t = threading.Thread(target=self.serve, args=(conn,), daemon=True)
            with self.lock:
                self.threads.append(t)
            t.start()

    def serve(self, conn):
        deadline = time.monotonic() + self.TUNNEL_LIFETIME
        upstream = None
        try:
            conn.settimeout(5)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk or len(head) > 65536:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            with self.lock:
                self.lines.append(line)
            m = re.fullmatch(r"CONNECT (127\.0\.0\.1|localhost|\[::1\]):([0-9]{1,5}) HTTP/1\.[01]", line)
            if not m:
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            host = "::1" if m.group(1) == "[::1]" else "127.0.0.1"
            try:
                upstream = socket.create_connection((host, int(m.group(2))), timeout=5)
            except OSError:
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            rest = head.split(b"\r\n\r\n", 1)[1]
            if rest:
                upstream.sendall(rest)
            moved = len(rest)
            pair = {conn: upstream, upstream: conn}
            while not self.stopping.is_set() and time.monotonic() < deadline and moved < self.TUNNEL_BYTES:
                ready, _, _ = select.select(list(pair), [], [], 0.2)
                for r in ready:
                    data = r.recv(65536)
                    if not data:
                        return
                    pair[r].sendall(data)
                    moved += len(data)
        except OSError:
            return
        finally:
            for c in (conn, upstream):
                if c is not None:
                    c.close()

    def seen(self):
        with self.lock:
            return list(self.lines)

    def close(self):
        self.stopping.set()
        self.sock.close()
        with self.lock:
            threads = list(self.threads)
        for t in threads:
            t.join(2)


class Runner:
    def __init__(self, tmp, certs, sims, v6):
        self.tmp = tmp
        self.certs = certs
        self.sims = sims
        self.v6 = v6
        self.minted = []
        self.closed = closed_port()
        self.files = {}
        for name, content, mode in (("secret_file", SECRET, 0o600),
                                    ("group_secret_file", SECRET, 0o640),
                                    ("world_secret_file", SECRET, 0o644),
                                    ("wrong_secret_file", WRONG_SECRET, 0o600)):
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="ascii") as f:
                f.write(content + "\n")
            os.chmod(path, mode)
            self.files[name] = path

    def values(self, case, index):
        server = self.sims.get(case.opts.get("server", "main"))
        v = {
            "ca": os.path.join(self.certs, "ca.pem"),
            "untrusted_ca": os.path.join(self.certs, "untrusted-ca.pem"),
            "capath": os.path.join(self.certs, "capath"),
            "port": str(server.port if server else 0),
            "closed_port": str(self.closed),
            "client_id": CLIENT_ID,
            "account": ACCOUNT,
            "iid": "iid-%03d" % index,
            "id128": "c" * 128,
            "id129": "c" * 129,
            "missing": os.path.join(self.tmp, "does-not-exist"),
        }
        v.update(self.files)
        return v

    def write_ini(self, case, index, values):
        path = os.path.join(self.tmp, "extra-%03d.ini" % index)
        text = expand(INI_TEMPLATES[case.opts["ini"]], dict(values, secret=SECRET), case.name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(text)
        os.chmod(path, int(case.opts.get("inimode", "0600"), 8))
        return path

    def run(self, case, index):
        opts = case.opts
        if "v6" in opts and not self.v6:
            return {"skip": "no IPv6 loopback"}
        if "timing" in opts and WRAPPER:
            return {"skip": "timing-sensitive case under wrapper"}
        values = self.values(case, index)
        kind = opts.get("token", "good")
        token = None
        if "${token_file}" in case.args or opts.get("env") == "KORE_JWT":
            token = mint(kind)
            self.minted.append(token)
            path = os.path.join(self.tmp, "token-%03d" % index)
            with open(path, "w", encoding="ascii") as f:
                f.write(token + "\n")
            os.chmod(path, 0o600)
            values["token_file"] = path
        if "ini" in opts:
            values["ini"] = self.write_ini(case, index, values)
        proxy = ConnectProxy() if "proxy" in opts else None
        if proxy:
            values["proxy_port"] = str(proxy.port)
        try:
            args = shlex.split(expand(case.args, values, case.name))
            skip_parts = set(filter(None, opts.get("no", "").split(",")))
            if "raw" in opts:
                skip_parts = {"host", "tls", "ids", "clientid", "envsecret"}
            server = self.sims[opts.get("server", "main")]
            auto = []
            if "host" not in skip_parts:
                auto += ["-H", "127.0.0.1", "-p", str(server.port)]
            if "tls" not in skip_parts:
                auto += ["--cacert", values["ca"]]
            if "ids" not in skip_parts:
                auto += ["-i", values["iid"], "-a", ACCOUNT]
            if "clientid" not in skip_parts:
                auto += ["--client-id", CLIENT_ID]
            env = ["PATH=/usr/bin:/bin"]
            if "envsecret" not in skip_parts:
                env.append("KORE_CLIENT_SECRET=" + (WRONG_SECRET if opts.get("secret") == "wrong" else SECRET))
            if opts.get("env") == "KORE_JWT":
                env.append("KORE_JWT=" + token)
            if "setenv" in opts:
                env += expand(opts["setenv"], values, case.name).split(";")
            cmd = ["/usr/bin/env", "-i"] + env + WRAPPER + [PLUGIN] + auto + args
            wall = time.time()
            start = time.monotonic()
            try:
                p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=RUN_LIMIT)
                rc, out, err = p.returncode, p.stdout, p.stderr
            except subprocess.TimeoutExpired as e:
                rc, out, err = None, e.stdout or b"", e.stderr or b""
            elapsed = time.monotonic() - start
        finally:
            if proxy:
                proxy.close()
        known_iid = "ids" not in skip_parts or "ini" in opts
        return {"cmd": cmd, "rc": rc, "out": out, "err": err, "elapsed": elapsed,
                "wall": (wall, wall + elapsed),
                "iid": values["iid"] if known_iid else None,
                "ini": values.get("ini"),
                "port": server.port,
                "proxy_lines": proxy.seen() if proxy else None,
                "redirect_log": self.sims["redirect"].read("requests")}


JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]{6,}")
REQUEST_LINE = (r"request: POST https://127\.0\.0\.1:{port}/agentassist/api/v1/public/{iid}/campaign/"
                r"[A-Za-z0-9._~-]+/status\?view=status -> HTTP {code}, [0-9]+ bytes in [0-9]+\.[0-9]+s")
TIMINGS_LINE = (r"timings: dns [0-9.]+s, connect [0-9.]+s, tls [0-9.]+s, first byte [0-9.]+s, "
                r"total [0-9.]+s")


def verbose_problems(lines, level, code, res):
    """What is wrong with the detail lines (after the status line) of -v, -vv or -vvv."""
    problems = []
    if lines and lines[-1] == "":
        lines = lines[:-1]
    want = REQUEST_LINE.format(port=res["port"], iid=re.escape(res["iid"] or "[^/]+"), code=code)
    if not lines or not re.fullmatch(want, lines[0]):
        problems.append("line 2 is not /%s/" % want)
    timings = [ln for ln in lines if ln.startswith("timings:")]
    if level >= 2:
        if len(lines) < 2 or not re.fullmatch(TIMINGS_LINE, lines[1]):
            problems.append("line 3 is not /%s/" % TIMINGS_LINE)
    elif timings:
        problems.append("a timings line below -vv")
    wire = [ln for ln in lines if ln.startswith(("> ", "< ", "body: "))]
    if level >= 3:
        if "> auth: [redacted]" not in lines:
            problems.append("no line '> auth: [redacted]'")
        if not any(re.match(r"< HTTP/1\.1 %s\b" % code, ln) for ln in lines):
            problems.append("no line '< HTTP/1.1 %s'" % code)
        if not any(ln.startswith("body: ") and len(ln) > 6 for ln in lines):
            problems.append("no 'body: ' line")
        if any(ln.startswith("> auth:") and ln != "> auth: [redacted]" for ln in lines):
            problems.append("an auth line that is not redacted")
    elif wire:
        problems.append("headers or body below -vvv: %r" % wire[:2])
    if level == 1 and len(lines) != 1:
        problems.append("-v gives %d detail lines, expected 1" % len(lines))
    return problems


def windows(text, size=12):
    return [text[i:i + size] for i in range(max(0, len(text) - size + 1))]


def has_control(text):
    return any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in text)


def redact(text):
    """Keep the test's own secrets out of its diagnostics as well."""
    text = text.replace(SECRET, "[secret]").replace(WRONG_SECRET, "[wrong-secret]")
    return re.sub(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", "[jwt]", text)


def show(data):
    return redact(repr(data[:2000]))


def check_case(tap, case, res, runner, hygiene):
    name = "%s (line %d)" % (case.name, case.lineno)
    if "skip" in res:
        tap.ok(True, name, skip=res["skip"])
        return
    out_b, err_b = res["out"], res["err"]
    out = out_b.decode("utf-8", errors="replace")
    err = err_b.decode("utf-8", errors="replace")
    first = out.split("\n", 1)[0]
    diag = "command: %s\nexit: %s\nstdout: %s\nstderr: %s" % (
        redact(" ".join(shlex.quote(a) for a in res["cmd"][3:])), res["rc"], show(out), show(err))

    tap.ok(res["rc"] in case.exits, "%s: exit code %s" % (name, "|".join(map(str, case.exits))), diag)
    macros = dict(MACROS)
    if res.get("ini"):
        macros["ini"] = re.escape(res["ini"])
    regex = expand(case.regex, macros, case.name)
    tap.ok(re.fullmatch(regex, first) is not None, "%s: status line" % name,
           diag + "\nexpected: " + regex)

    problems = []
    if err_b:
        problems.append("stderr is not empty")
    try:
        out_b.decode("utf-8")
    except UnicodeDecodeError:
        problems.append("stdout is not valid UTF-8")
    if not out.endswith("\n"):
        problems.append("stdout does not end with a newline")
    lines = out.count("\n")
    if case.opts.get("lines") == "many":
        if lines < 2:
            problems.append("expected more than one line, got %d" % lines)
    elif case.opts.get("lines") == "any":
        if lines < 1 or not first:
            problems.append("expected a status line")
    elif lines != 1 or out.strip("\n") != out.rstrip("\n") or not first:
        problems.append("expected exactly one line, got %d" % lines)
    if has_control(out):
        problems.append("control characters in stdout")
    if first.count("|") > 1:
        problems.append("more than one '|' in the status line")
    tap.ok(not problems, "%s: output shape" % name, diag + "\n" + "; ".join(problems))

    leaked = sorted(set(windows(out + "\n" + err)) & set(hygiene))
    kinds = sorted(set(hygiene[w] for w in leaked))
    if JWT_RE.search(out + err):
        kinds.append("something that looks like a JWT")
    tap.ok(not kinds, "%s: no 12 characters of a secret or JWT signature, no JWT in the output" % name,
           "leaked: %s\n%s" % (", ".join(kinds), diag))

    if "verbose" in case.opts:
        level, _, code = case.opts["verbose"].partition(":")
        problems = verbose_problems(out.split("\n")[1:], int(level), code or "200", res)
        tap.ok(not problems, "%s: detail lines of verbosity %s" % (name, level),
               "; ".join(problems) + "\n" + diag)

    if "has" in case.opts:
        rest = "\n".join(out.split("\n")[1:])
        tap.ok(re.search(case.opts["has"], rest, re.M) is not None,
               "%s: a detail line matches /%s/" % (name, case.opts["has"]), diag)

    if "proxy" in case.opts:
        want = "CONNECT 127.0.0.1:%d HTTP/1.1" % res["port"]
        tap.ok(res["proxy_lines"] == [want], "%s: the proxy saw exactly %r" % (name, want),
               "proxy saw: %r\n%s" % (res["proxy_lines"], diag))

    if "maxtime" in case.opts:
        limit = float(case.opts["maxtime"])
        tap.ok(res["elapsed"] <= limit, "%s: finished within %ss (took %.2fs)" % (name, limit, res["elapsed"]),
               diag, skip="under wrapper" if WRAPPER else None)

    if "req" in case.opts and res["iid"]:
        n = sum(1 for line in runner.sims["main"].read("requests").splitlines()
                if line.startswith("request ") and "/public/%s/" % res["iid"] in line)
        tap.ok(n == int(case.opts["req"]), "%s: simulator got %s request(s)" % (name, case.opts["req"]),
               "got %d\n%s" % (n, diag))

    if "claims" in case.opts and res["iid"]:
        entries = []
        for line in runner.sims["main"].read("claims").splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if obj.get("iid") == res["iid"]:
                entries.append(obj)
        problems = []
        if len(entries) != 1:
            problems.append("expected one accepted JWT, got %d" % len(entries))
        else:
            e = entries[0]
            payload = e["payload"]
            for item in case.opts["claims"].split(";"):
                k, _, v = item.partition(":")
                if k == "alg":
                    got = e["header"].get("alg")
                elif k == "api":
                    got = e["api"]
                elif k == "ttl":
                    got = str(payload.get("exp", 0) - payload.get("iat", 0))
                else:
                    got = payload.get(k)
                if str(got) != v:
                    problems.append("%s: expected %r, got %r" % (k, v, got))
            iat = payload.get("iat", 0)
            if not res["wall"][0] - 5 <= iat <= res["wall"][1] + 5:
                problems.append("iat %s is not the time of the run" % iat)
            if payload.get("appId") != CLIENT_ID:
                problems.append("appId is not the client id")
        tap.ok(not problems, "%s: JWT claims %s" % (name, case.opts["claims"]),
               "; ".join(problems) + "\n" + json.dumps(entries))

    if "redirect" in case.opts:
        tap.ok(res["redirect_log"] == "", "%s: redirect target not contacted" % name,
               res["redirect_log"])


# --------------------------------------------------------------------------- simulator self-checks
def sim_request(port, ca, path, method="POST", headers=None, body=b"{}"):
    ctx = ssl.create_default_context(cafile=ca)
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    try:
        conn.request(method, path, body=body if method == "POST" else None, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        return r.status, parsed, r
    finally:
        conn.close()


def sim_selfcheck(tap, sim, ca):
    v1 = "/agentassist/api/v1/public/i-self/campaign/%s/status?view=status"
    v2 = "/campaign/api/v2/public/i-self/campaign/%s/status?accountId=%s&view=status"

    def hdr(token=None, **extra):
        h = {"auth": token if token is not None else mint(), "iid": "i-self", "accountId": ACCOUNT,
             "Content-Type": "application/json", "Accept": "application/json"}
        h.update(extra)
        return {k: v for k, v in h.items() if v is not None}

    def failure(parsed):
        return (isinstance(parsed, dict) and parsed.get("status") == "failure"
                and isinstance(parsed.get("errors"), list) and "msg" in parsed["errors"][0])

    checks = []
    st, js, _ = sim_request(sim.port, ca, v1 % "cmp-active", headers=hdr())
    checks.append(("valid v1 request -> 200 success", st == 200 and js["status"] == "success"
                   and js["data"]["status"] == "Active" and js["data"]["id"] == "cmp-active"))
    st, js, _ = sim_request(sim.port, ca, v2 % ("cmp-stopped", ACCOUNT), headers=hdr(mint("hs512")))
    checks.append(("valid v2 HS512 request -> Stopped", st == 200 and js["data"]["status"] == "Stopped"))
    tok = mint()
    sim_request(sim.port, ca, v1 % "cmp-active", headers=hdr(tok))
    st, js, _ = sim_request(sim.port, ca, v1 % "cmp-active", headers=hdr(tok))
    checks.append(("replayed jti -> 401", st == 401 and failure(js)))
    st, js, _ = sim_request(sim.port, ca, v1 % "cmp-active", headers=hdr(auth=None, token=""))
    checks.append(("missing auth -> 401", st == 401 and failure(js)))
    for kind in ("expired", "wrongsecret", "longlife", "nojti"):
        st, js, _ = sim_request(sim.port, ca, v1 % "cmp-active", headers=hdr(mint(kind)))
        checks.append(("%s token -> 401" % kind, st == 401 and failure(js)))
    st, js, _ = sim_request(sim.port, ca, v1 % "cmp-active", method="GET", headers=hdr())
    checks.append(("GET -> 405", st == 405 and failure(js)))
    st, js, _ = sim_request(sim.port, ca, "/agentassist/api/v1/other", headers=hdr())
    checks.append(("unknown path -> 404", st == 404 and failure(js)))
    st, js, _ = sim_request(sim.port, ca, v1 % "cmp-active", headers=hdr(iid="other"))
    checks.append(("iid header mismatch -> 400", st == 400 and failure(js)))
    st, js, _ = sim_request(sim.port, ca, v2 % ("cmp-active", "other"), headers=hdr())
    checks.append(("v2 accountId mismatch -> 400", st == 400 and failure(js)))
    st, js, _ = sim_request(sim.port, ca, "/agentassist/api/v1/public/i-self/campaign/cmp-active/status",
                            headers=hdr())
    checks.append(("missing view=status -> 400", st == 400 and failure(js)))
    st, js, r = sim_request(sim.port, ca, v1 % "err-429", headers=hdr())
    checks.append(("err-429 -> 429 with Retry-After", st == 429 and r.getheader("Retry-After") == "30"))
    st, js, _ = sim_request(sim.port, ca, v1 % "cmp-nosuch", headers=hdr())
    checks.append(("unknown cmp-* -> 404 failure body", st == 404 and failure(js)))
    for label, ok in checks:
        tap.ok(ok, "simulator: " + label)


# --------------------------------------------------------------------------- --help
HELP_DEFAULTS = {"host": "platform.kore.ai", "port": "443", "api": "v1", "jwt-sub": "check_kore_campaign",
                 "jwt-ttl": "300", "jwt-alg": "HS256", "expect": "Active", "unexpected": "WARNING",
                 "on-error": "CRITICAL", "timeout": "10", "timeout-result": "CRITICAL",
                 "capath": "/etc/ssl/certs"}
LONG_OPTIONS = ["help", "version", "verbose", "extra-opts", "host", "port", "api", "iid", "account-id",
                "campaign", "client-id", "client-secret-file", "token-file", "jwt-sub", "jwt-ttl",
                "jwt-alg", "expect", "map", "unexpected", "on-error", "warning", "critical", "timeout",
                "timeout-result", "cacert", "capath", "insecure", "ipv4", "ipv6", "proxy"]


def help_checks(tap):
    """-h: an entry per long option, and the default where the option has one."""
    p = subprocess.run(["/usr/bin/env", "-i", "PATH=/usr/bin:/bin"] + WRAPPER + [PLUGIN, "-h"],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=RUN_LIMIT)
    text = p.stdout.decode("utf-8", errors="replace")
    tap.ok(p.returncode == 3 and p.stderr == b"", "-h exits 3 with nothing on stderr",
           "exit %s, stderr %r" % (p.returncode, p.stderr[:500]))
    entries = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"\s+(?:-[A-Za-z0-9], )?--([a-z0-9-]+)", line)
        if m:
            current = m.group(1)
            entries[current] = line
        elif current and line.startswith("  "):
            entries[current] += " " + line.strip()
        else:
            current = None
    for opt in LONG_OPTIONS:
        entry = entries.get(opt)
        if opt in HELP_DEFAULTS:
            want = r"\(default: %s[,)]" % re.escape(HELP_DEFAULTS[opt])
            tap.ok(entry is not None and re.search(want, entry) is not None,
                   "-h lists --%s with its default %s" % (opt, HELP_DEFAULTS[opt]),
                   "entry: %r" % entry)
        else:
            tap.ok(entry is not None, "-h lists --%s" % opt, "options found: %s" % ", ".join(entries))


# --------------------------------------------------------------------------- main
def reserve(family, port):
    """Hold the port on the other address family (bound, never listening), so that a
    connection there is refused rather than reaching something else."""
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", port))
    except OSError:
        s.close()
        return None
    return s


def main():
    # A runner stopped by SIGTERM (make's timeout, ^C in a terminal) still stops its simulators.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    tap = Tap()
    if not os.access(PLUGIN, os.X_OK):
        print("Bail out! plugin not found or not executable: %s" % PLUGIN)
        return 1
    cases = load_cases(CASES)
    if os.environ.get("ONLY"):
        cases = [c for c in cases if re.search(os.environ["ONLY"], c.name)]
    tmp = tempfile.mkdtemp(prefix="kore-it.")
    sims = {}
    try:
        certs = os.path.join(tmp, "certs")
        subprocess.run(["/bin/bash", MAKE_CERTS, certs], check=True, stdout=subprocess.DEVNULL)
        v6 = ipv6_available()
        sims["redirect"] = SimProcess("redirect", tmp, certs, "server", ["127.0.0.1"])
        if not sims["redirect"].wait_ready():
            print("Bail out! redirect target did not start: " + sims["redirect"].read("err"))
            return 1
        target = "https://127.0.0.1:%d" % sims["redirect"].port
        sims["main"] = SimProcess("main", tmp, certs, "server",
                                  ["127.0.0.1"] + (["::1"] if v6 else []), target)
        for name in ("wronghost", "expired", "untrusted"):
            sims[name] = SimProcess(name, tmp, certs, name, ["127.0.0.1"])
        # One address family each, for -4/-6 with -H localhost.
        sims["v4only"] = SimProcess("v4only", tmp, certs, "server", ["127.0.0.1"])
        if v6:
            sims["v6only"] = SimProcess("v6only", tmp, certs, "server", ["::1"])
        else:
            tap.diag("::1 cannot be bound here: the IPv6 cases are skipped")
        for name, sim in sims.items():
            if not sim.wait_ready():
                print("Bail out! simulator %s did not start: %s" % (name, sim.read("err")))
                return 1

        held = [reserve(socket.AF_INET6, sims["v4only"].port) if v6 else None]
        if v6:
            held.append(reserve(socket.AF_INET, sims["v6only"].port))
        families = set()
        try:
            families = {a[0] for a in socket.getaddrinfo("localhost", 443, 0, socket.SOCK_STREAM)}
        except OSError:
            pass
        tap.diag("localhost resolves to %s through the system resolver (libcurl 7.78 and later "
                 "resolves it to 127.0.0.1 and ::1 itself)"
                 % (", ".join(sorted(f.name for f in families)) or "nothing"))

        try:
            sim_selfcheck(tap, sims["main"], os.path.join(certs, "ca.pem"))
        except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError) as e:
            tap.ok(False, "simulator: self-check", "exception: %r" % (e,))

        runner = Runner(tmp, certs, sims, v6)
        jobs = int(os.environ.get("JOBS", "2" if WRAPPER else "4"))
        # Slow cases first so that they overlap with the quick ones.
        order = sorted(range(len(cases)), key=lambda i: 0 if ("slow-" in cases[i].args) else 1)
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {i: pool.submit(runner.run, cases[i], i) for i in order}
            for i, f in futures.items():
                cases[i].result = f.result()

        # Every 12-character window of each secret and JWT signature: a partial
        # leak (a cut-off line, a partial redaction) is still a leak.
        sigs = set()
        for sim in sims.values():
            sigs.update(line.strip() for line in sim.read("sig").splitlines() if len(line.strip()) >= 12)
        sigs.update(t.rsplit(".", 1)[1] for t in runner.minted)
        hygiene = {}
        for sig in sigs:
            hygiene.update((w, "JWT signature") for w in windows(sig))
        hygiene.update((w, "client secret") for w in windows(SECRET))
        hygiene.update((w, "wrong secret") for w in windows(WRONG_SECRET))
        tap.diag("%d cases, 12-character windows of %d distinct JWT signatures checked for leaks"
                 % (len(cases), len(sigs)))
        for case in cases:
            check_case(tap, case, case.result, runner, hygiene)

        tap.ok(sims["redirect"].read("requests") == "", "redirect target was never contacted",
               sims["redirect"].read("requests"))
        help_checks(tap)
        for h in held:
            if h is not None:
                h.close()
    finally:
        for name, sim in sims.items():
            rc = sim.stop()
            errtext = sim.read("err")
            tap.ok(rc == 0 and errtext == "", "simulator %s stopped cleanly on SIGTERM" % name,
                   "exit %s, stderr: %s" % (rc, errtext[:2000]))
        if os.environ.get("KEEP_TMP"):
            tap.diag("temporary files kept in " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
