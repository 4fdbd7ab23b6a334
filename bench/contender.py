#!/usr/bin/python3
"""The campaign-status check written with the Python standard library only.

A benchmark contender: it does what check_kore_campaign does (mint an HS256
JWT, POST to the v1 status endpoint over verified HTTPS, read data.status)
the way an operator would script it.  The client secret comes from the
environment variable KORE_CLIENT_SECRET.

  contender.py -H HOST -p PORT -i IID -a ACCOUNT -C CAMPAIGN --client-id ID
               [--cafile FILE | --capath DIR]
  contender.py --print-token --client-id ID     (prints a fresh token and exits)
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import ssl
import sys
import time

STATES = ("OK", "WARNING", "CRITICAL", "UNKNOWN")


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def mint(client_id, secret, ttl=300):
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {"appId": client_id, "sub": "check_kore_campaign", "iat": now,
              "exp": now + ttl, "jti": os.urandom(16).hex()}
    signing = b".".join(b64url(json.dumps(part, separators=(",", ":")).encode())
                        for part in (header, claims))
    signature = hmac.new(secret.encode(), signing, hashlib.sha256).digest()
    return (signing + b"." + b64url(signature)).decode()


def finish(state, text, elapsed=None):
    line = "CAMPAIGN %s - %s" % (STATES[state], text.replace("|", "/"))
    if elapsed is not None:
        line += " | time=%.6fs;;;0;10" % elapsed
    print(line)
    sys.exit(state)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-H", "--host", default="platform.kore.ai")
    ap.add_argument("-p", "--port", type=int, default=443)
    ap.add_argument("-i", "--iid")
    ap.add_argument("-a", "--account-id")
    ap.add_argument("-C", "--campaign")
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--cafile")
    ap.add_argument("--capath")
    ap.add_argument("--print-token", action="store_true")
    args = ap.parse_args()

    secret = os.environ.get("KORE_CLIENT_SECRET")
    if not secret:
        finish(3, "KORE_CLIENT_SECRET is not set")
    token = mint(args.client_id, secret)
    if args.print_token:
        print(token)
        return
    if not (args.iid and args.account_id and args.campaign):
        finish(3, "--iid, --account-id and --campaign are required")

    context = ssl.create_default_context(cafile=args.cafile, capath=args.capath)
    path = "/agentassist/api/v1/public/%s/campaign/%s/status?view=status" % (
        args.iid, args.campaign)
    headers = {"auth": token, "iid": args.iid, "accountId": args.account_id,
               "Content-Type": "application/json", "Accept": "application/json"}
    start = time.monotonic()
    try:
        conn = http.client.HTTPSConnection(args.host, args.port, context=context, timeout=60)
        conn.request("POST", path, body=b"{}", headers=headers)
        resp = conn.getresponse()
        body = resp.read(1024 * 1024 + 1)
        conn.close()
    except (OSError, http.client.HTTPException) as exc:
        finish(2, "%s: connection failed: %s" % (args.campaign, exc))
    elapsed = time.monotonic() - start
    if resp.status != 200:
        finish(2, "%s: HTTP %d %s" % (args.campaign, resp.status, resp.reason), elapsed)
    if len(body) > 1024 * 1024:
        finish(2, "%s: invalid response: body larger than 1 MiB" % args.campaign, elapsed)
    try:
        doc = json.loads(body)
        data = doc["data"]
        state, name = data["status"], data.get("name", "")
    except (ValueError, KeyError, TypeError) as exc:
        finish(2, "%s: invalid response: %s" % (args.campaign, exc), elapsed)
    if doc.get("status") != "success" or not isinstance(state, str):
        finish(2, "%s: invalid response" % args.campaign, elapsed)
    text = "'%s' (%s) is %s" % (name[:64], args.campaign, state)
    if state.lower() == "active":
        finish(0, text, elapsed)
    finish(1, text + ", expected Active", elapsed)


if __name__ == "__main__":
    main()
