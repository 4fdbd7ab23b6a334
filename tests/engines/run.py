#!/usr/bin/python3
"""End-to-end test of the shipped command definitions inside Icinga 2 and Nagios 4.

For each engine (Debian packages icinga2-bin/icinga2-common and nagios4-core,
installed when missing) the suite
  1. validates the shipped definitions unchanged (icinga2 daemon -C, nagios4 -v),
     and the commented example objects after removing the comment markers;
  2. starts the daemon from a temporary prefix with the built plugin and the
     API simulator (tests/sim/kore_sim.py) on loopback;
  3. forces the checks (Icinga 2 REST API reschedule-check, Nagios command file
     SCHEDULE_FORCED_SVC_CHECK);
  4. reads back state, output and performance data (Icinga 2 API
     last_check_result, Nagios status.dat);
  5. asserts them;
  6. stops the daemon and makes sure no process is left.

Environment: PLUGIN (built plugin), top_srcdir, top_builddir, PLUGIN_WRAPPER
(optional prefix for every plugin run), KORE_ENGINES_KEEP=1 keeps the temporary
directory. Arguments: optionally "icinga2" and/or "nagios4" to run only those.
Output is TAP; the plan is printed at the end.
"""

import atexit
import base64
import errno
import grp
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SUITE_BUDGET = 180.0           # seconds for the whole suite
T0 = time.monotonic()
DEADLINE = T0 + SUITE_BUDGET
CLEAN_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
PACKAGES = ["icinga2-bin", "icinga2-common", "nagios4-core", "openssl"]

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.abspath(os.environ.get("top_srcdir") or os.path.join(HERE, "..", ".."))
BUILDDIR = os.path.abspath(os.environ.get("top_builddir") or SRCDIR)
PLUGIN = os.path.abspath(os.environ.get("PLUGIN")
                         or os.path.join(BUILDDIR, "plugins", "check_kore_campaign"))
WRAPPER = os.environ.get("PLUGIN_WRAPPER", "").strip()

ICINGA_CONF = os.path.join(SRCDIR, "contrib", "icinga2", "kore-campaign.conf")
ICINGA_EXAMPLE = os.path.join(SRCDIR, "contrib", "icinga2", "kore-campaign-example.conf")
NAGIOS_CONF = os.path.join(SRCDIR, "contrib", "nagios", "kore_campaign.cfg")
SIM = os.path.join(SRCDIR, "tests", "sim", "kore_sim.py")
MAKE_CERTS = os.path.join(SRCDIR, "tests", "sim", "make-certs.sh")

IID = "st-engine-test"
ACCOUNT = "acct-engine-test"
CLIENT_ID = "cs-engine-test"
SECRET = secrets.token_hex(24)
# A wrapper such as valgrind makes every run much slower, and all checks run at once.
PLUGIN_TIMEOUT = "40" if WRAPPER else None

# The services every engine runs. "icinga" holds the per-campaign variables of
# the host's kore_campaigns dictionary, "nagios" the same options as $ARG5$,
# "argv" the options Icinga 2 must add for them.
NAME_RE = r"'[^'|\n]*'"
CASES = [
    dict(id="cmp-active", state=0, active=1,
         out=r"CAMPAIGN OK - 'Outbound Renewals' \(cmp-active\) is Active"),
    dict(id="cmp-stopped", state=1, active=0,
         out=r"CAMPAIGN WARNING - 'Outbound Renewals' \(cmp-stopped\) is Stopped, expected Active"),
    dict(id="slow-400", state=2, active=1, thresholds=("0.05", "0.1"),
         icinga={"kore_warning": "0.05", "kore_critical": "0.1"},
         nagios="-w 0.05 -c 0.1",
         argv=[("--warning", "0.05"), ("--critical", "0.1")],
         out=r"CAMPAIGN CRITICAL - " + NAME_RE + r" \(slow-400\) is Active, "
             r"response time [0-9]+\.[0-9]+s breaches critical threshold 0\.1"),
    dict(id="err-401", state=2, active=0,
         out=r"CAMPAIGN CRITICAL - err-401: HTTP 401 Unauthorized(: .+)?"),
    dict(id="err-500", state=2, active=0,
         out=r"CAMPAIGN CRITICAL - err-500: HTTP 500 Internal Server Error(: .+)?"),
    dict(id="cmp-pipe", state=0, active=1,
         out=r"CAMPAIGN OK - 'Renewals / Q4 next line' \(cmp-pipe\) is Active"),
    # repeat_key (--map twice) and a set_if flag (-4)
    dict(id="cmp-paused", state=2, active=0,
         icinga={"kore_map": ["Stopped=OK", "Paused=CRITICAL"], "kore_ipv4": True},
         nagios="--map Stopped=OK --map Paused=CRITICAL -4",
         argv=[("--map", "Stopped=OK"), ("--map", "Paused=CRITICAL"), ("-4", None)],
         out=r"CAMPAIGN CRITICAL - 'Service Survey' \(cmp-paused\) is Paused, mapped to CRITICAL"),
]
FLAGS = ("-4", "-6", "--insecure", "--verbose")
STATE_NAMES = ["OK", "WARNING", "CRITICAL", "UNKNOWN"]


# --------------------------------------------------------------------- TAP
class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, name), flush=True)
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name), flush=True)
            if diag:
                self.diag(diag)
        return bool(cond)

    def skip(self, name, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, why), flush=True)

    @staticmethod
    def diag(text):
        for line in str(text).rstrip("\n").splitlines()[-40:]:
            print("# " + line, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        self.diag("engines suite took %.1fs" % (time.monotonic() - T0))
        return 1 if self.failed else 0


tap = Tap()


# ------------------------------------------------------------- processes
CHILDREN = []          # Popen objects started in their own session
TMP = None


def remaining(cap=None):
    left = max(0.0, DEADLINE - time.monotonic())
    return left if cap is None else min(cap, left)


def wait_for(pred, limit, interval=0.2):
    """Poll pred() until it returns a true value or limit seconds pass."""
    end = time.monotonic() + remaining(limit)
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(interval)


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def spawn(argv, log, **kw):
    out = open(log, "ab")
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                         start_new_session=True, env={"PATH": CLEAN_PATH}, **kw)
    out.close()
    CHILDREN.append(p)
    return p


def stop(p, limit):
    """SIGTERM the process; True if it exited within limit seconds."""
    if p.poll() is None:
        try:
            p.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        p.wait(timeout=remaining(limit))
    except subprocess.TimeoutExpired:
        return False
    return True


def kill_group(p):
    if group_alive(p.pid):
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def leftovers(*markers):
    """Processes whose command line mentions one of markers (temporary paths)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if any(m in cmd for m in markers):
            found.append("%s %s" % (pid, cmd.strip()))
    return found


def cleanup():
    for p in CHILDREN:
        kill_group(p)
    if TMP and os.path.isdir(TMP):
        if os.environ.get("KORE_ENGINES_KEEP") == "1":
            print("# kept %s" % TMP, flush=True)
        else:
            shutil.rmtree(TMP, ignore_errors=True)


def on_signal(signum, frame):
    raise SystemExit(128 + signum)


def run(argv, limit=60, **kw):
    """Run a command with a clean environment; returns (rc, output)."""
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env={"PATH": CLEAN_PATH},
                           timeout=max(1.0, remaining(limit)), start_new_session=True, **kw)
    except subprocess.TimeoutExpired as e:
        out = e.output or b""
        return 124, out.decode("utf-8", "replace") + "\n(timed out)"
    return r.returncode, r.stdout.decode("utf-8", "replace")


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError as e:
        return "(%s)" % e


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write(path, text, mode=0o644):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)


def uncomment_example(path, begin, end, prefix, markers=True):
    """The commented example from the line matching begin to the one matching end,
    comment markers removed; markers=False leaves out those two lines."""
    out, inside = [], False
    for line in read(path).splitlines():
        first = not inside and re.match(begin, line)
        last = inside and re.match(end, line)
        if first:
            inside = True
        if inside and (markers or not (first or last)):
            out.append(line[len(prefix):] if line.startswith(prefix) else line.lstrip(" *#"))
        if last:
            break
    return "\n".join(out) + "\n" if inside else ""


# ------------------------------------------------------------- packages
def missing_packages():
    missing = []
    for pkg in PACKAGES:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        if r.returncode != 0 or not r.stdout.decode().endswith(" installed"):
            missing.append(pkg)
    return missing


def ensure_packages():
    missing = missing_packages()
    if not missing:
        return tap.ok(True, "engine packages installed (%s)" % " ".join(PACKAGES))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y",
           "--no-install-recommends"] + missing
    if os.geteuid() != 0:
        cmd = ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"] + cmd
    # Package installation is not part of the suite's time budget.
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=env)
    if r.returncode != 0:
        # A fresh machine may have no package lists yet.
        update = cmd[:cmd.index("apt-get") + 1] + ["-o", "DPkg::Lock::Timeout=600", "update"]
        subprocess.run(update, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=env)
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=env)
    global DEADLINE
    DEADLINE = time.monotonic() + SUITE_BUDGET
    still = missing_packages()
    return tap.ok(not still, "engine packages installed (%s)" % " ".join(missing),
                  r.stdout.decode("utf-8", "replace") if still else None)


# ------------------------------------------------------------- simulator
class Simulator:
    def __init__(self, root):
        self.dir = os.path.join(root, "sim")
        self.certs = os.path.join(root, "certs")
        os.makedirs(self.dir)
        self.cacert = os.path.join(self.certs, "ca.pem")
        self.proc = None
        self.port = None

    def start(self):
        rc, out = run(["/bin/bash", MAKE_CERTS, self.certs], limit=60)
        if not tap.ok(rc == 0 and os.path.isfile(self.cacert), "test certificates created", out):
            return False
        ready = os.path.join(self.dir, "port")
        self.proc = spawn(["/usr/bin/python3", SIM,
                           "--cert", os.path.join(self.certs, "server.pem"),
                           "--key", os.path.join(self.certs, "server.key"),
                           "--secret", SECRET, "--client-id", CLIENT_ID,
                           "--port", "0", "--bind", "127.0.0.1", "--ready-file", ready,
                           "--jti-log", os.path.join(self.dir, "jti.log"),
                           "--log", os.path.join(self.dir, "access.log")],
                          os.path.join(self.dir, "sim.out"))
        wait_for(lambda: os.path.isfile(ready) or self.proc.poll() is not None, 20)
        if os.path.isfile(ready):
            self.port = int(read(ready).strip())
        return tap.ok(self.port and self.proc.poll() is None, "API simulator listening",
                      read(os.path.join(self.dir, "sim.out")))

    def stop(self):
        if self.proc:
            tap.ok(stop(self.proc, 10) and self.proc.returncode == 0, "API simulator stopped",
                   read(os.path.join(self.dir, "sim.out")))


def make_plugin_dir(root):
    """Directory the engines take the plugin from; PLUGIN_WRAPPER is applied here."""
    d = os.path.join(root, "plugins")
    os.makedirs(d)
    target = os.path.join(d, "check_kore_campaign")
    if WRAPPER:
        write(target, "#!/bin/bash\nexec %s %s \"$@\"\n" % (WRAPPER, shlex.quote(PLUGIN)), 0o755)
    else:
        os.symlink(PLUGIN, target)
    return d


def split_argv(args):
    """[(option, value or None)] of a command line without the program name."""
    out, i = [], 0
    while i < len(args):
        if args[i] in FLAGS or i + 1 == len(args):
            out.append((args[i], None))
            i += 1
        else:
            out.append((args[i], args[i + 1]))
            i += 2
    return out


def check_perfdata(name, perf, case):
    """perf: list of label=value... strings as the engine parsed them."""
    thresholds, active = case.get("thresholds"), case["active"]
    warn, crit = thresholds or ("", "")
    time_re = r"time=([0-9]+\.[0-9]{6})s;%s;%s;0;[0-9.]+" % (re.escape(warn), re.escape(crit))
    t = [p for p in perf if re.fullmatch(time_re, p)]
    a = [p for p in perf if re.fullmatch(r"active=%d;;;0;1" % active, p)]
    ok = len(perf) == 2 and len(t) == 1 and len(a) == 1
    if ok and thresholds:
        ok = float(re.fullmatch(time_re, t[0]).group(1)) >= 0.4
    tap.ok(ok, "%s perfdata time and active=%d" % (name, active), "perfdata: %r" % (perf,))


# ------------------------------------------------------------- Icinga 2
class Icinga:
    NODE = "kore-engine-test"
    HOST = "kore-sim"

    def __init__(self, root, plugindir, sim):
        self.root = os.path.join(root, "icinga2")
        self.plugindir = plugindir
        self.sim = sim
        self.dirs = {k: os.path.join(self.root, v) for k, v in [
            ("ConfigDir", "etc"), ("DataDir", "data"), ("LogDir", "log"), ("CacheDir", "cache"),
            ("SpoolDir", "spool"), ("InitRunDir", "run"), ("IncludeConfDir", "include")]}
        for d in self.dirs.values():
            os.makedirs(d)
        self.user = "icinga-api"
        self.password = secrets.token_hex(16)
        self.port = None
        self.proc = None
        self.ctx = None

    def defines(self):
        d = ["-D%s=%s" % kv for kv in self.dirs.items()]
        d += ["-DRunAsUser=" + pwd.getpwuid(os.geteuid()).pw_name,
              "-DRunAsGroup=" + grp.getgrgid(os.getegid()).gr_name,
              "-DNodeName=" + self.NODE]
        return d

    def include_dir(self):
        """A copy of the ITL include directory (symlinks) with the shipped file
        installed into plugins-contrib.d, as make install does."""
        system = "/usr/share/icinga2/include"
        inc = self.dirs["IncludeConfDir"]
        for name in os.listdir(system):
            if name != "plugins-contrib.d":
                os.symlink(os.path.join(system, name), os.path.join(inc, name))
        contrib = os.path.join(inc, "plugins-contrib.d")
        os.makedirs(contrib)
        for name in os.listdir(os.path.join(system, "plugins-contrib.d")):
            os.symlink(os.path.join(system, "plugins-contrib.d", name), os.path.join(contrib, name))
        os.symlink(ICINGA_CONF, os.path.join(contrib, "kore-campaign.conf"))

    def api_certs(self):
        certs = os.path.join(self.dirs["DataDir"], "certs")
        os.makedirs(certs)
        ca, node = os.path.join(certs, "ca"), os.path.join(certs, self.NODE)
        cmds = [
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", ca + ".key", "-out", ca + ".crt", "-days", "2",
             "-subj", "/CN=kore-engine-test-ca"],
            ["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", node + ".key", "-out", node + ".csr", "-subj", "/CN=" + self.NODE],
            ["openssl", "x509", "-req", "-in", node + ".csr", "-CA", ca + ".crt", "-CAkey",
             ca + ".key", "-CAcreateserial", "-out", node + ".crt", "-days", "2"],
        ]
        for c in cmds:
            rc, out = run(c, limit=20)
            if rc != 0:
                return tap.ok(False, "icinga2: API certificates created", out)
        self.ctx = ssl.create_default_context(cafile=ca + ".crt")
        self.ctx.check_hostname = False
        return True

    def write_config(self):
        self.port = free_port()
        campaigns = []
        for case in CASES:
            body = "".join("\t\t%s = %s\n" % (k, json.dumps(v))
                           for k, v in sorted(case.get("icinga", {}).items()))
            campaigns.append("\tvars.kore_campaigns[%s] = {\n%s\t}" % (json.dumps(case["id"]),
                                                                        body))
        q = json.dumps
        conf = """/* temporary configuration of the engines test */
const PluginDir = {plugindir}
const PluginContribDir = {plugindir}
const ManubulonPluginDir = {plugindir}

include <itl>
include <plugins>
include <plugins-contrib>
include {example}

/* Only forced checks run: the test proves that they are forced. */
object IcingaApplication "app" {{
	enable_service_checks = false
	enable_host_checks = false
	enable_notifications = false
}}
object CheckerComponent "checker" {{ }}
object ApiListener "api" {{
	bind_host = "127.0.0.1"
	bind_port = {port}
}}
object ApiUser {user} {{
	password = {password}
	permissions = [ "*" ]
}}
object Endpoint {node} {{ }}
object Zone "master" {{ endpoints = [ {node} ] }}

object Host {host} {{
	check_command = "dummy"
	enable_active_checks = false
	address = "127.0.0.1"
	vars.kore_host = "127.0.0.1"
	vars.kore_port = {simport}
	vars.kore_iid = {iid}
	vars.kore_account_id = {account}
	vars.kore_client_id = {client}
	vars.kore_client_secret = {secret}
	vars.kore_cacert = {cacert}
{timeout}{campaigns}
}}
""".format(plugindir=q(self.plugindir), example=q(ICINGA_EXAMPLE), port=q(str(self.port)),
           user=q(self.user), password=q(self.password), node=q(self.NODE), host=q(self.HOST),
           simport=self.sim.port, iid=q(IID), account=q(ACCOUNT), client=q(CLIENT_ID),
           secret=q(SECRET), cacert=q(self.sim.cacert), campaigns="\n".join(campaigns),
           timeout=("\tvars.kore_timeout = %s\n" % PLUGIN_TIMEOUT) if PLUGIN_TIMEOUT else "")
        self.conf = os.path.join(self.dirs["ConfigDir"], "icinga2.conf")
        write(self.conf, conf, 0o600)

        # The example host from the example file's comment, made live.
        example = uncomment_example(ICINGA_EXAMPLE, r" \* object Host", r" \* }", " * ")
        self.example_conf = os.path.join(self.dirs["ConfigDir"], "example.conf")
        write(self.example_conf, """const PluginDir = {0}
const PluginContribDir = {0}
const ManubulonPluginDir = {0}
include <itl>
include <plugins>
include <plugins-contrib>
include {1}
{2}""".format(q(self.plugindir), q(ICINGA_EXAMPLE), example))
        return example

    def validate(self):
        rc, out = run(["icinga2", "daemon", "-C", "-c", self.conf] + self.defines(), limit=60)
        m = re.search(r"Instantiated (\d+) Services?\.", out)
        tap.ok(rc == 0 and m and int(m.group(1)) == len(CASES) and
               not re.search(r"(warning|critical)/", out),
               "icinga2: shipped CheckCommand and example apply rule validate (daemon -C)", out)
        if not self.has_example:
            tap.ok(False, "icinga2: example host found in the example file's comment")
            return rc == 0
        rc2, out2 = run(["icinga2", "daemon", "-C", "-c", self.example_conf] + self.defines(),
                        limit=60)
        m2 = re.search(r"Instantiated (\d+) Services?\.", out2)
        tap.ok(rc2 == 0 and m2 and int(m2.group(1)) == 2 and
               not re.search(r"(warning|critical)/", out2),
               "icinga2: commented example host validates and gets 2 services", out2)
        return rc == 0

    def api(self, method, path, body=None, limit=10):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request("https://127.0.0.1:%d%s" % (self.port, path), data=data,
                                     method=method)
        auth = base64.b64encode(("%s:%s" % (self.user, self.password)).encode()).decode()
        req.add_header("Authorization", "Basic " + auth)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, context=self.ctx,
                                        timeout=max(1.0, remaining(limit))) as r:
                return r.status, json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            try:
                return e.code, json.loads(e.read().decode("utf-8"))
            except ValueError:
                return e.code, None
        except (OSError, ValueError) as e:
            return None, str(e)

    def start(self):
        self.log = os.path.join(self.dirs["LogDir"], "daemon.out")
        self.proc = spawn(["icinga2", "daemon", "-c", self.conf] + self.defines(), self.log)

        def ready():
            if self.proc.poll() is not None:
                return True
            code, _ = self.api("GET", "/v1/status/ApiListener", limit=3)
            return code == 200
        wait_for(ready, 40, 0.5)
        code, _ = self.api("GET", "/v1/status/ApiListener", limit=3)
        return tap.ok(self.proc.poll() is None and code == 200,
                      "icinga2: daemon started, REST API answers", read(self.log))

    def base_argv(self, cid):
        """Options the CheckCommand passes for the test host's variables and its defaults."""
        return [("--host", "127.0.0.1"), ("--port", str(self.sim.port)), ("--api", "v1"),
                ("--iid", IID), ("--account-id", ACCOUNT), ("--campaign", cid),
                ("--client-id", CLIENT_ID), ("--expect", "Active"), ("--unexpected", "WARNING"),
                ("--on-error", "CRITICAL"), ("--timeout", PLUGIN_TIMEOUT or "10"), ("--cacert", self.sim.cacert)]

    def check(self):
        code, res = self.api("GET", "/v1/objects/services?attrs=last_check_result")
        crs = [o["attrs"].get("last_check_result") for o in res.get("results", [])] \
            if code == 200 else None
        tap.ok(crs is not None and len(crs) == len(CASES) and not any(crs),
               "icinga2: %d services, none checked before forcing" % len(CASES),
               "%s %r" % (code, res))

        code, res = self.api("GET", "/v1/objects/checkcommands/kore_campaign")
        try:
            attrs = res["results"][0]["attrs"]
            loc = attrs["source_location"]["path"]
        except (TypeError, KeyError, IndexError):
            attrs, loc = {}, ""
        tap.ok(loc.endswith("/plugins-contrib.d/kore-campaign.conf")
               and (attrs.get("env") or {}).get("KORE_CLIENT_SECRET") == "$kore_client_secret$",
               "icinga2: CheckCommand kore_campaign loaded from plugins-contrib.d",
               "%s %r" % (code, res))

        forced_at = time.time()
        code, res = self.api("POST", "/v1/actions/reschedule-check",
                             {"type": "Service", "filter": 'service.check_command == "kore_campaign"',
                              "force": True})
        got = sorted(r.get("code") for r in res.get("results", [])) if isinstance(res, dict) else []
        tap.ok(code == 200 and got == [200] * len(CASES),
               "icinga2: reschedule-check accepted for %d services" % len(CASES),
               "%s %r" % (code, res))

        results = {}

        def collect():
            code, res = self.api("GET", "/v1/objects/services?attrs=last_check_result")
            if code != 200:
                return False
            results.clear()
            for obj in res.get("results", []):
                cr = obj["attrs"].get("last_check_result")
                if cr and cr.get("schedule_start", 0) >= forced_at:
                    results[obj["name"].split("!", 1)[1]] = cr
            return len(results) == len(CASES)
        tap.ok(wait_for(collect, 60, 0.5),
               "icinga2: results of all forced checks arrived",
               "have %s\n%s" % (sorted(results), read(self.log)))

        for case in CASES:
            cid, state = case["id"], case["state"]
            cr = results.get(cid) or {}
            output = cr.get("output")
            tap.ok(cr.get("state") == state and cr.get("exit_status") == state,
                   "icinga2: %s is %s" % (cid, STATE_NAMES[state]),
                   "last_check_result: %r" % (cr,))
            # Icinga 2 keeps the blank in front of the perfdata separator.
            tap.ok(isinstance(output, str) and re.fullmatch(case["out"], output.rstrip(" ")),
                   "icinga2: %s output" % cid, "output: %r" % (output,))
            check_perfdata("icinga2: " + cid, cr.get("performance_data") or [], case)
            cmd = cr.get("command")
            want = sorted(self.base_argv(cid) + case.get("argv", []), key=str)
            got = sorted(split_argv(cmd[1:]), key=str) if isinstance(cmd, list) and cmd else None
            tap.ok(got == want and
                   cmd[0] == os.path.join(self.plugindir, "check_kore_campaign") and
                   SECRET not in json.dumps(cmd),
                   "icinga2: %s command line (no secret, CA from kore_cacert)" % cid,
                   "command: %r\nwanted options: %r" % (
                       [a for a in cmd or [] if a != SECRET], want))

    def stop(self):
        clean = stop(self.proc, 30)
        tap.ok(clean and self.proc.returncode == 0, "icinga2: daemon stopped cleanly",
               "exit %r\n%s" % (self.proc.returncode, read(self.log)))
        gone = wait_for(lambda: not group_alive(self.proc.pid) and not leftovers(self.root, self.plugindir), 10)
        tap.ok(gone, "icinga2: no process left", "\n".join(leftovers(self.root, self.plugindir)))
        kill_group(self.proc)

    def run(self):
        self.include_dir()
        if not self.api_certs():
            return
        self.has_example = bool(self.write_config())
        if not self.validate():
            return
        if not self.start():
            kill_group(self.proc)
            return
        try:
            self.check()
        finally:
            self.stop()


# ------------------------------------------------------------- Nagios 4
class Nagios:
    HOST = "kore-sim"

    def __init__(self, root, plugindir, sim):
        self.root = os.path.join(root, "nagios4")
        self.plugindir = plugindir
        self.sim = sim
        for d in ("etc", "var", "rw", "spool/checkresults", "archives"):
            os.makedirs(os.path.join(self.root, d))
        self.proc = None

    def p(self, *parts):
        return os.path.join(self.root, *parts)

    def main_cfg(self, name, cfg_files):
        lines = [
            "log_file=" + self.p("var", "nagios.log"),
            "object_cache_file=" + self.p("var", "objects.cache"),
            "precached_object_file=" + self.p("var", "objects.precache"),
            "resource_file=" + self.p("etc", "resource.cfg"),
            "status_file=" + self.p("var", "status.dat"),
            "status_update_interval=1",
            "nagios_user=root" if os.geteuid() == 0 else "",
            "nagios_group=root" if os.geteuid() == 0 else "",
            "check_external_commands=1",
            "command_file=" + self.p("rw", "nagios.cmd"),
            "query_socket=" + self.p("rw", "nagios.qh"),
            "lock_file=" + self.p("var", "nagios.lock"),
            "temp_file=" + self.p("var", "nagios.tmp"),
            "temp_path=" + self.p("var"),
            "check_result_path=" + self.p("spool", "checkresults"),
            "log_archive_path=" + self.p("archives"),
            "debug_file=" + self.p("var", "nagios.debug"),
            "state_retention_file=" + self.p("var", "retention.dat"),
            "retain_state_information=0",
            "use_syslog=0",
            "log_initial_states=1",
            "check_result_reaper_frequency=1",
            "interval_length=60",
            "service_check_timeout=60",
            "enable_notifications=0",
            "enable_flap_detection=0",
            "check_for_updates=0",
            "execute_service_checks=0",       # only forced checks run
            "execute_host_checks=0",
            "enable_environment_macros=0",
            "illegal_object_name_chars=`~!$%^&*|'\"<>?,()=",
            "illegal_macro_output_chars=`~$&|'\"<>",
        ] + ["cfg_file=" + f for f in cfg_files]
        path = self.p("etc", name)
        write(path, "\n".join(l for l in lines if l) + "\n")
        return path

    def write_config(self):
        secret_file = self.p("etc", "client-secret")
        write(secret_file, SECRET + "\n", 0o600)
        write(self.p("etc", "resource.cfg"),
              "$USER1$=%s\n$USER20$=%s\n" % (self.plugindir, secret_file), 0o600)
        common = """define timeperiod {
    timeperiod_name 24x7
    alias           always
    sunday          00:00-24:00
    monday          00:00-24:00
    tuesday         00:00-24:00
    wednesday       00:00-24:00
    thursday        00:00-24:00
    friday          00:00-24:00
    saturday        00:00-24:00
}
define command {
    command_name    notify-nobody
    command_line    /bin/true
}
define contact {
    contact_name                  nagiosadmin
    alias                         admin
    host_notifications_enabled    0
    service_notifications_enabled 0
    host_notification_period      24x7
    service_notification_period   24x7
    host_notification_options     n
    service_notification_options  n
    host_notification_commands    notify-nobody
    service_notification_commands notify-nobody
}
"""
        write(self.p("etc", "common.cfg"), common)
        objs = ["""define host {
    host_name           %s
    alias               API simulator
    address             127.0.0.1
    max_check_attempts  1
    check_period        24x7
    contacts            nagiosadmin
}
""" % self.HOST]
        for case in CASES:
            cid = case["id"]
            extra = " ".join(["-p %d --cacert %s" % (self.sim.port, self.sim.cacert)] +
                             (["-t " + PLUGIN_TIMEOUT] if PLUGIN_TIMEOUT else []) +
                             ([case["nagios"]] if "nagios" in case else []))
            objs.append("""define service {
    host_name           %s
    service_description %s
    check_command       check_kore_campaign!%s!%s!%s!%s!%s
    max_check_attempts  1
    check_interval      60
    retry_interval      60
    check_period        24x7
    notification_period 24x7
    notification_interval 0
    contacts            nagiosadmin
}
""" % (self.HOST, cid, IID, ACCOUNT, CLIENT_ID, cid, extra))
        write(self.p("etc", "services.cfg"), "\n".join(objs))
        self.cfg = self.main_cfg("nagios.cfg", [NAGIOS_CONF, self.p("etc", "common.cfg"),
                                                self.p("etc", "services.cfg")])

        example = uncomment_example(NAGIOS_CONF, r"# EXAMPLE BEGIN", r"# EXAMPLE END", "#",
                                    markers=False)
        write(self.p("etc", "example.cfg"), example)
        self.example_cfg = self.main_cfg("example-nagios.cfg", [NAGIOS_CONF,
                                                                self.p("etc", "common.cfg"),
                                                                self.p("etc", "example.cfg")])
        return "define service" in example

    def validate(self, has_example):
        rc, out = run(["nagios4", "-v", self.cfg], limit=30)
        clean = r"Total Warnings:\s+0\s+Total Errors:\s+0\s"
        ok = rc == 0 and re.search(clean, out) and \
            re.search(r"Checked %d services\." % len(CASES), out)
        tap.ok(ok, "nagios4: shipped commands validate (nagios4 -v)", out)
        rc2, out2 = run(["nagios4", "-v", self.example_cfg], limit=30)
        tap.ok(has_example and rc2 == 0 and re.search(clean, out2) and
               re.search(r"Checked 1 services\.", out2),
               "nagios4: commented example host and service validate", out2)
        return bool(ok)

    def status(self):
        """servicestatus blocks of status.dat by service description."""
        text = read(self.p("var", "status.dat"))
        out = {}
        for block in re.findall(r"^servicestatus \{\n(.*?)^\s*\}", text, re.M | re.S):
            d = {}
            for line in block.splitlines():
                k, sep, v = line.strip().partition("=")
                if sep:
                    d[k] = v
            out[d.get("service_description")] = d
        return out

    def start(self):
        self.log = self.p("var", "daemon.out")
        self.proc = spawn(["nagios4", self.cfg], self.log)
        cmdfile = self.p("rw", "nagios.cmd")

        def ready():
            return self.proc.poll() is not None or (
                os.path.exists(cmdfile) and len(self.status()) == len(CASES))
        wait_for(ready, 40, 0.3)
        return tap.ok(self.proc.poll() is None and len(self.status()) == len(CASES),
                      "nagios4: daemon started, status.dat written",
                      read(self.log) + read(self.p("var", "nagios.log")))

    def command(self, line):
        fd = None
        try:
            fd = os.open(self.p("rw", "nagios.cmd"), os.O_WRONLY | os.O_NONBLOCK)
            os.write(fd, line.encode())
            return True
        except OSError as e:
            if e.errno not in (errno.ENXIO, errno.EAGAIN, errno.ENOENT):
                raise
            return False
        finally:
            if fd is not None:
                os.close(fd)

    def check(self):
        before = self.status()
        tap.ok(len(before) == len(CASES) and
               all(d.get("has_been_checked") == "0" for d in before.values()),
               "nagios4: %d services, none checked before forcing" % len(CASES),
               "status: %r" % (before,))
        forced_at = int(time.time())
        lines = "".join("[%d] SCHEDULE_FORCED_SVC_CHECK;%s;%s;%d\n" % (forced_at, self.HOST, cid,
                                                                        forced_at)
                        for cid in (c["id"] for c in CASES))
        tap.ok(wait_for(lambda: self.command(lines), 10),
               "nagios4: SCHEDULE_FORCED_SVC_CHECK written to the command file")

        status = {}

        def collect():
            status.clear()
            for desc, d in self.status().items():
                if d.get("has_been_checked") == "1" and int(d.get("last_check", "0")) >= forced_at:
                    status[desc] = d
            return len(status) == len(CASES)
        tap.ok(wait_for(collect, 60, 0.5), "nagios4: results of all forced checks in status.dat",
               "have %s\n%s" % (sorted(status), read(self.p("var", "nagios.log"))))

        for case in CASES:
            cid, state = case["id"], case["state"]
            d = status.get(cid) or {}
            tap.ok(d.get("current_state") == str(state),
                   "nagios4: %s is %s" % (cid, STATE_NAMES[state]), "status: %r" % (d,))
            output = d.get("plugin_output")
            tap.ok(output is not None and re.fullmatch(case["out"], output.rstrip(" ")) and
                   not d.get("long_plugin_output"),
                   "nagios4: %s output" % cid, "plugin_output: %r long: %r" % (
                       output, d.get("long_plugin_output")))
            check_perfdata("nagios4: " + cid, (d.get("performance_data") or "").split(), case)

    def stop(self):
        clean = stop(self.proc, 30)
        tap.ok(clean and self.proc.returncode == 0, "nagios4: daemon stopped cleanly",
               "exit %r\n%s" % (self.proc.returncode, read(self.log)))
        gone = wait_for(lambda: not group_alive(self.proc.pid) and not leftovers(self.root, self.plugindir), 10)
        tap.ok(gone, "nagios4: no process left", "\n".join(leftovers(self.root, self.plugindir)))
        kill_group(self.proc)

    def run(self):
        has_example = self.write_config()
        if not self.validate(has_example):
            return
        if not self.start():
            kill_group(self.proc)
            return
        try:
            self.check()
        finally:
            self.stop()


# ------------------------------------------------------------- main
def main(argv):
    global TMP
    engines = argv or ["icinga2", "nagios4"]
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    atexit.register(cleanup)

    if not ensure_packages():
        return tap.done()
    if not tap.ok(os.access(PLUGIN, os.X_OK), "plugin built: %s" % PLUGIN):
        return tap.done()
    for f in (SIM, MAKE_CERTS, ICINGA_CONF, ICINGA_EXAMPLE, NAGIOS_CONF):
        if not os.path.isfile(f):
            tap.ok(False, "%s present" % os.path.relpath(f, SRCDIR))
            return tap.done()

    TMP = tempfile.mkdtemp(prefix="kore-engines.")
    os.chmod(TMP, 0o755)
    plugindir = make_plugin_dir(TMP)
    sim = Simulator(TMP)
    if sim.start():
        try:
            if "icinga2" in engines:
                Icinga(TMP, plugindir, sim).run()
            if "nagios4" in engines:
                Nagios(TMP, plugindir, sim).run()
        finally:
            sim.stop()
    if WRAPPER:
        tap.skip("suite finished within %ds" % SUITE_BUDGET, "under wrapper")
    else:
        tap.ok(remaining() > 0, "suite finished within %ds" % SUITE_BUDGET)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
