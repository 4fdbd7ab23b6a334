#!/usr/bin/python3
"""Kore.ai campaign-status API simulator (HTTPS, standard library only).

Usage:
  kore_sim.py --cert FILE --key FILE --secret S --client-id ID
              [--port 0] [--bind ADDR]... [--ready-file F] [--jti-log F]
              [--sig-log F] [--claims-log F] [--request-log F] [--log F]
              [--redirect-target URL] [--max-lifetime SECONDS]

Endpoints (method POST only, body a JSON object such as {}):
  v1: /agentassist/api/v1/public/{iid}/campaign/{campaign}/status?view=status
  v2: /campaign/api/v2/public/{iid}/campaign/{campaign}/status?accountId={account}&view=status

Every request must carry the headers
  auth: <JWT>      HS256 or HS512, signed with --secret; claims appId == --client-id,
                   numeric iat and exp, exp - iat <= 3600, exp > now, a jti never seen before
  iid: <iid>       equal to the iid in the path
  accountId: <id>  for v2 equal to the accountId query parameter
  Content-Type: application/json

Answers: 404 unknown path, 405 wrong method (Allow: POST), 400 bad query, iid,
accountId or body, 413 request body over 64 KiB, 415 wrong Content-Type, 406
Accept without application/json, 401 missing or invalid JWT.  Errors use the
API's failure body {"status":"failure","errors":[{"msg":..,"code":..}]}.

Behaviour by campaign id (after all checks passed):
  cmp-active cmp-completed cmp-ready cmp-paused cmp-preparing cmp-stopped
  cmp-scheduled cmp-rescheduled   200 success body with that state
  cmp-pipe      name "Renewals | Q4\\nnext line", Active
  cmp-longname  5000-character name, Active
  cmp-escape    name containing ESC[31m ... ESC[0m and \\r, Active
  slow-<ms>     sleeps <ms> milliseconds (at most 60000), then Active
  err-failure   200 with "status":"failure" (msg "Campaign is archived", code "4001")
  err-401 err-403 err-404 err-429 err-500 err-502 err-503 err-504
                that HTTP status with a failure body (429 adds Retry-After: 30)
  err-500-html  500 with an HTML page
  bad-json bad-empty bad-html bad-nodata bad-datatype bad-statusnum
  bad-statusnull bad-statetype bad-nul bad-dupkey bad-utf8 bad-deep bad-huge
                malformed 200 answers (bad-huge: a 2 MiB body)
  redirect-301 redirect-302 redirect-307 redirect-308
                that status with Location: --redirect-target (plus the request path)
  echo-auth     200 success, Active, whose name and X-Echo response header
                repeat the received auth header and its signature part
  err-echo      401 failure body whose msg repeats the received auth header
  anything else 404 failure body "Campaign not found"

Options:
  --port N            TCP port, 0 picks a free one (default 0)
  --bind ADDR         address to listen on (default 127.0.0.1); may be repeated
                      (e.g. --bind 127.0.0.1 --bind ::1), all on the same port
  --ready-file F      written atomically with the port number once listening
  --jti-log F         every accepted jti is appended, one per line
  --sig-log F         the signature part of every JWT received (valid or not)
                      is appended, one per line
  --claims-log F      one JSON object per request with a valid JWT:
                      {"api","iid","campaign","header","payload"}
  --request-log F     one line per TCP connection and per request received
                      (for checking that nothing connected)
  --log F             access log ("-" = stdout); nothing is logged otherwise
  --redirect-target URL   Location used by the redirect-* ids
  --max-lifetime SECONDS  exit 0 on its own after this long (default 600)

The process runs until SIGTERM or SIGINT, until --max-lifetime has passed or
until its parent process is gone (checked every second), and then exits 0.
"""

import argparse
import base64
import hashlib
import hmac
import json
import math
import os
import re
import signal
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ID_RE = r"[A-Za-z0-9._~-]{1,128}"
V1_RE = re.compile(r"^/agentassist/api/v1/public/(" + ID_RE + r")/campaign/(" + ID_RE + r")/status$")
V2_RE = re.compile(r"^/campaign/api/v2/public/(" + ID_RE + r")/campaign/(" + ID_RE + r")/status$")
MAX_REQUEST_BODY = 64 * 1024
MAX_TOKEN = 8192
MAX_SLOW_MS = 60000

STATES = {
    "cmp-active": ("Outbound Renewals", "Active"),
    "cmp-completed": ("Spring Reactivation", "Completed"),
    "cmp-ready": ("Payment Reminders", "Ready"),
    "cmp-paused": ("Service Survey", "Paused"),
    "cmp-preparing": ("Welcome Calls", "Preparing"),
    "cmp-stopped": ("Outbound Renewals", "Stopped"),
    "cmp-scheduled": ("Appointment Confirmations", "Scheduled"),
    "cmp-rescheduled": ("Win-back Offers", "Rescheduled"),
    "cmp-pipe": ("Renewals | Q4\nnext line", "Active"),
    "cmp-longname": (("Long campaign name " * 300)[:5000], "Active"),
    "cmp-escape": ("\x1b[31mRed Alert\x1b[0m\rOverwritten", "Active"),
}

HTTP_ERRORS = {
    "err-401": (401, "Invalid or expired credentials", "401"),
    "err-403": (403, "Access to this campaign is forbidden", "403"),
    "err-404": (404, "Campaign not found", "404"),
    "err-429": (429, "Rate limit exceeded", "429"),
    "err-500": (500, "Internal server error", "500"),
    "err-502": (502, "Bad gateway: upstream unavailable", "502"),
    "err-503": (503, "Service temporarily unavailable", "503"),
    "err-504": (504, "Gateway timeout: upstream did not respond", "504"),
}

HTML_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Error</title></head>\n"
             b"<body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>\n")


def b64url_decode(part):
    if not re.fullmatch(r"[A-Za-z0-9_-]*", part):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def success_body(campaign, name, state, iid, account):
    return {
        "status": "success",
        "data": {
            "id": campaign,
            "status": state,
            "name": name,
            "type": "voice",
            "iid": iid,
            "accountId": account,
            "dialingMode": "preview",
            "createdOn": "2024-01-15T09:30:00.000Z",
            "modifiedOn": "2024-03-02T17:45:12.000Z",
        },
    }


def failure_body(msg, code):
    return {"status": "failure", "errors": [{"msg": msg, "code": code}]}


def bad_body(campaign, iid, account):
    """Raw (content type, bytes) for the bad-* ids, or None."""
    good = success_body(campaign, "Broken Campaign", "Active", iid, account)
    js = "application/json"
    if campaign == "bad-json":
        return js, b'{"status":"success","data":{"id":"bad-json","status":"Act'
    if campaign == "bad-empty":
        return js, b""
    if campaign == "bad-html":
        return "text/html; charset=utf-8", HTML_PAGE
    if campaign == "bad-nodata":
        return js, b'{"status":"success"}'
    if campaign == "bad-datatype":
        return js, b'{"status":"success","data":[{"id":"bad-datatype","status":"Active"}]}'
    if campaign == "bad-statusnum":
        good["status"] = 5
        return js, json.dumps(good).encode()
    if campaign == "bad-statusnull":
        good["status"] = None
        return js, json.dumps(good).encode()
    if campaign == "bad-statetype":
        good["data"]["status"] = 7
        return js, json.dumps(good).encode()
    if campaign == "bad-nul":
        good["data"]["status"] = "Active\u0000x"
        return js, json.dumps(good).encode()
    if campaign == "bad-dupkey":
        return js, (b'{"status":"success","data":{"id":"bad-dupkey","status":"Stopped",'
                    b'"name":"Duplicate Keys","type":"voice","status":"Active"}}')
    if campaign == "bad-utf8":
        return js, (b'{"status":"success","data":{"id":"bad-utf8","status":"Active",'
                    b'"name":"Bad \xff\xfe UTF-8 \xc3\x28 name \xed\xa0\x80 end","type":"voice"}}')
    if campaign == "bad-deep":
        depth = 100000
        return js, b'{"status":"success","data":' + b"[" * depth + b"]" * depth + b"}"
    if campaign == "bad-huge":
        good["data"]["padding"] = "x" * (2 * 1024 * 1024)
        return js, json.dumps(good).encode()
    return None


class JwtError(Exception):
    pass


class Sim:
    """Configuration and shared, lock-protected state."""

    def __init__(self, args):
        self.secret = args.secret.encode()
        self.client_id = args.client_id
        self.redirect_target = args.redirect_target
        self.lock = threading.Lock()
        self.jtis = set()
        self.files = {}
        for name in ("jti_log", "sig_log", "claims_log", "request_log", "log"):
            path = getattr(args, name)
            if path == "-" and name == "log":
                self.files[name] = sys.stdout
            elif path:
                self.files[name] = open(path, "a", encoding="utf-8")

    def write(self, name, line):
        f = self.files.get(name)
        if f is None:
            return
        with self.lock:
            f.write(line.rstrip("\n").replace("\n", " ") + "\n")
            f.flush()

    def verify_jwt(self, token):
        if not token:
            raise JwtError("Missing auth token")
        if len(token) > MAX_TOKEN:
            raise JwtError("Invalid token: too long")
        parts = token.split(".")
        if len(parts) == 3:
            self.write("sig_log", parts[2])
        if len(parts) != 3:
            raise JwtError("Invalid token: malformed")
        try:
            header = json.loads(b64url_decode(parts[0]))
            payload = json.loads(b64url_decode(parts[1]))
            sig = b64url_decode(parts[2])
        except (ValueError, UnicodeDecodeError):
            raise JwtError("Invalid token: malformed") from None
        if not isinstance(header, dict) or not isinstance(payload, dict):
            raise JwtError("Invalid token: malformed")
        alg = header.get("alg")
        digests = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}
        if alg not in digests:
            raise JwtError("Invalid token: unsupported algorithm")
        if "typ" in header and header["typ"] != "JWT":
            raise JwtError("Invalid token: unsupported type")
        mac = hmac.new(self.secret, (parts[0] + "." + parts[1]).encode("ascii"), digests[alg]).digest()
        if not hmac.compare_digest(mac, sig):
            raise JwtError("Invalid token: signature verification failed")
        if payload.get("appId") != self.client_id:
            raise JwtError("Invalid token: unknown appId")
        iat, exp = payload.get("iat"), payload.get("exp")
        for v in (iat, exp):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise JwtError("Invalid token: iat and exp must be numeric")
        if exp - iat > 3600:
            raise JwtError("Invalid token: lifetime exceeds 3600 seconds")
        if exp <= time.time():
            raise JwtError("Invalid token: expired")
        jti = payload.get("jti")
        if not isinstance(jti, str) or not jti:
            raise JwtError("Invalid token: jti missing")
        with self.lock:
            if jti in self.jtis:
                raise JwtError("Invalid token: jti already used")
            self.jtis.add(jti)
        self.write("jti_log", jti)
        return header, payload


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "KoreSim/1.0"
    sys_version = ""
    timeout = 30

    # Every method, known or not, goes through the same dispatcher so that
    # anything but POST on a valid path answers 405.
    def __getattr__(self, name):
        if name.startswith("do_"):
            return self.dispatch
        raise AttributeError(name)

    def log_message(self, fmt, *args):
        self.server.sim.write("log", "%s - %s" % (self.client_address[0], fmt % args))

    def send_error(self, code, message=None, explain=None):
        # Malformed requests (bad request line, oversized headers, ...) also
        # get the API's JSON failure body instead of an HTML page.
        try:
            self.send_failure(code, message or self.responses.get(code, ("Error",))[0])
        except OSError:
            self.close_connection = True

    def send_json(self, code, obj, extra=None):
        self.send_raw(code, "application/json", json.dumps(obj).encode(), extra)

    def send_failure(self, code, msg, extra=None):
        self.send_json(code, failure_body(msg, str(code)), extra)

    def send_raw(self, code, ctype, body, extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def read_body(self):
        """Return the request body, or None after an error answer was sent."""
        te = self.headers.get("Transfer-Encoding", "")
        if te.lower() == "chunked":
            data = b""
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    self.send_failure(400, "Malformed chunked body")
                    return None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                if len(data) + size > MAX_REQUEST_BODY:
                    self.send_failure(413, "Request body too large")
                    return None
                data += self.rfile.read(size)
                self.rfile.readline(1024)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            self.send_failure(400, "Invalid Content-Length")
            return None
        if n < 0:
            self.send_failure(400, "Invalid Content-Length")
            return None
        if n > MAX_REQUEST_BODY:
            self.send_failure(413, "Request body too large")
            return None
        return self.rfile.read(n)

    def dispatch(self):
        try:
            self.handle_api()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout, OSError):
            self.close_connection = True

    def handle_api(self):
        sim = self.server.sim
        sim.write("request_log", "request %s %s" % (self.command, self.path))
        # Read the body first: closing a connection with unread request data
        # makes the kernel reset it, and the client would lose the answer.
        body = self.read_body()
        if body is None:
            return
        url = urlsplit(self.path)
        m1, m2 = V1_RE.match(url.path), V2_RE.match(url.path)
        m = m1 or m2
        if not m:
            self.send_failure(404, "Resource not found")
            return
        api = "v1" if m1 else "v2"
        iid, campaign = m.group(1), m.group(2)
        if self.command != "POST":
            self.send_failure(405, "Method not allowed", {"Allow": "POST"})
            return
        query = parse_qs(url.query, keep_blank_values=True)
        if query.get("view") != ["status"]:
            self.send_failure(400, "Query parameter view=status is required")
            return
        allowed = {"view"} if api == "v1" else {"view", "accountId"}
        if set(query) - allowed:
            self.send_failure(400, "Unknown query parameter")
            return
        if api == "v2" and len(query.get("accountId", [])) != 1:
            self.send_failure(400, "Query parameter accountId is required")
            return
        try:
            header, payload = sim.verify_jwt(self.headers.get("auth", ""))
        except JwtError as e:
            self.send_failure(401, str(e))
            return
        sim.write("claims_log", json.dumps({"api": api, "iid": iid, "campaign": campaign,
                                            "header": header, "payload": payload}))
        if self.headers.get("iid") != iid:
            self.send_failure(400, "iid header missing or not matching the path")
            return
        account = self.headers.get("accountId")
        if not account or not re.fullmatch(ID_RE, account):
            self.send_failure(400, "accountId header missing or invalid")
            return
        if api == "v2" and query["accountId"][0] != account:
            self.send_failure(400, "accountId header does not match the query")
            return
        ctype = self.headers.get("Content-Type", "")
        if ctype.split(";")[0].strip().lower() != "application/json":
            self.send_failure(415, "Content-Type must be application/json")
            return
        accept = self.headers.get("Accept")
        if accept is not None and not re.search(r"application/json|\*/\*", accept):
            self.send_failure(406, "Only application/json is available")
            return
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            parsed = None
        if not isinstance(parsed, dict):
            self.send_failure(400, "Request body must be a JSON object")
            return
        self.respond(campaign, iid, account)

    def respond(self, campaign, iid, account):
        sim = self.server.sim
        if campaign in ("echo-auth", "err-echo"):
            token = self.headers.get("auth", "")
            sig = token.rsplit(".", 1)[-1]
            if campaign == "echo-auth":
                # The signature first: a status line cut to 64 characters still shows it.
                name = "sig=%s auth=%s" % (sig, token)
                self.send_json(200, success_body(campaign, name, "Active", iid, account),
                               {"X-Echo": "auth=%s sig=%s" % (token, sig)})
            else:
                self.send_failure(401, "Token %s rejected" % token)
            return
        if campaign in STATES:
            name, state = STATES[campaign]
            self.send_json(200, success_body(campaign, name, state, iid, account))
            return
        m = re.fullmatch(r"slow-([0-9]{1,6})", campaign)
        if m:
            time.sleep(min(int(m.group(1)), MAX_SLOW_MS) / 1000.0)
            self.send_json(200, success_body(campaign, "Slow Campaign", "Active", iid, account))
            return
        if campaign == "err-failure":
            self.send_json(200, failure_body("Campaign is archived", "4001"))
            return
        if campaign in HTTP_ERRORS:
            code, msg, ecode = HTTP_ERRORS[campaign]
            extra = {"Retry-After": "30"} if code == 429 else None
            self.send_json(code, failure_body(msg, ecode), extra)
            return
        if campaign == "err-500-html":
            self.send_raw(500, "text/html; charset=utf-8", HTML_PAGE)
            return
        bad = bad_body(campaign, iid, account)
        if bad is not None:
            self.send_raw(200, bad[0], bad[1])
            return
        m = re.fullmatch(r"redirect-(301|302|307|308)", campaign)
        if m:
            target = (sim.redirect_target or "https://redirect.invalid").rstrip("/") + self.path
            self.send_json(int(m.group(1)), failure_body("Moved", m.group(1)), {"Location": target})
            return
        self.send_failure(404, "Campaign not found")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, addr, family, context, sim):
        self.address_family = family
        self.context = context
        self.sim = sim
        super().__init__(addr, Handler)

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the per-connection thread, so a client that
        # stalls or fails the handshake never blocks the accept loop.
        self.sim.write("request_log", "connect %s" % (client_address[0],))
        request.settimeout(Handler.timeout)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.sim.write("log", "%s - TLS handshake failed: %s" % (client_address[0], e))
            return
        try:
            Handler(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        self.sim.write("log", "%s - error: %r" % (client_address[0], exc))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n", 2)[2])
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--client-id", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--bind", action="append")
    p.add_argument("--ready-file")
    p.add_argument("--jti-log")
    p.add_argument("--sig-log")
    p.add_argument("--claims-log")
    p.add_argument("--request-log")
    p.add_argument("--log")
    p.add_argument("--redirect-target")
    p.add_argument("--max-lifetime", type=float, default=600.0)
    args = p.parse_args(argv)

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    sim = Sim(args)

    # With --port 0 the first address picks a free port and the others must
    # get the same one; should it be taken there, start over with a new port.
    for attempt in range(20):
        servers = []
        port = args.port
        try:
            for addr in args.bind or ["127.0.0.1"]:
                family = socket.AF_INET6 if ":" in addr else socket.AF_INET
                srv = Server((addr, port), family, context, sim)
                port = srv.server_address[1]
                servers.append(srv)
            break
        except OSError:
            for srv in servers:
                srv.server_close()
            if args.port != 0 or not servers or attempt == 19:
                raise

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
               for s in servers]
    for t in threads:
        t.start()
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w", encoding="ascii") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.ready_file)
    sim.write("log", "listening on port %d" % port)

    # Never outlive the test that started it: a runner killed without its
    # cleanup leaves no server behind.
    parent = os.getppid()
    deadline = time.monotonic() + args.max_lifetime
    while not stop.wait(1.0):
        if os.getppid() != parent:
            sim.write("log", "parent process gone, exiting")
            break
        if time.monotonic() >= deadline:
            sim.write("log", "--max-lifetime reached, exiting")
            break
    for s in servers:
        s.shutdown()
        s.server_close()
    for f in sim.files.values():
        if f is not sys.stdout:
            f.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
