#!/usr/bin/python3
"""The fakes' opt-in throttling throttles the way the documented policies say (issue 15).

  fake_throttle_test.py {ews|graph|ews_off} --fakes DIR --workdir DIR

ews:     fake_ews.py --throttle exchange. EWSMaxConcurrency 27: 30 requests at once impersonating
         ONE room -> 27 answered, 3 get HTTP 500 ErrorServerBusy with BackOffMilliseconds in
         MessageXml; 30 at once impersonating 30 rooms -> all answered (each room's budget is its
         own copy); 30 at once without impersonation -> the service account's own 27. Outage and
         max_inflight -> 503.
ews_off: the same fake without --throttle keeps its old per-account rule (other tests rely on it).
graph:   graph_fake.py --throttle. 4 concurrent requests per app per mailbox: 5 at once on one
         mailbox -> one 429 ApplicationThrottled with Retry-After; 5 on 5 mailboxes -> none; the
         per-10-minute request budget (10,000 by default; lowered to 20 here to stay cheap) ->
         429 with a Retry-After that says when the window frees up.
"""
import argparse
import base64
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
import testclock  # noqa: E402,F401
sys.path.insert(0, HERE)
import signproc  # noqa: E402

PASSWORD = "Thr0ttle-pass"
TNS = "http://schemas.microsoft.com/exchange/services/2006/types"
ENS = "http://schemas.microsoft.com/exchange/services/2006/errors"


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def start(cmd, work, scheme):
    port_file = os.path.join(work, "port")
    log = open(os.path.join(work, "fake.log"), "w")
    proc = subprocess.Popen(cmd + ["--port-file", port_file], stdout=log, stderr=subprocess.STDOUT)
    expect(signproc.wait_file(port_file, 20, 0.05), "the fake did not start")
    with open(port_file) as f:
        return proc, "%s://127.0.0.1:%s" % (scheme, f.read().strip())


def call(url, data=None, headers=None, method=None, ctx=None):
    """(status, headers, body) of one request."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30, context=ctx) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def at_once(n, fn):
    """Runs fn(i) for i < n in n threads that start together; returns the results in order."""
    out, gate = [None] * n, threading.Barrier(n)

    def run(i):
        gate.wait()
        out[i] = fn(i)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


# --- EWS -------------------------------------------------------------------------------------------

def ews_get_folder(base, mailbox):
    imp = ("<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>%s</t:PrimarySmtpAddress>"
           "</t:ConnectingSID></t:ExchangeImpersonation>" % mailbox) if mailbox else ""
    body = ('<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:t="%s" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><s:Header>'
            '<t:RequestServerVersion Version="Exchange2013_SP1"/>%s</s:Header><s:Body><m:GetFolder><m:FolderShape>'
            '<t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="calendar"/>'
            '</m:FolderIds></m:GetFolder></s:Body></s:Envelope>' % (TNS, imp)).encode()
    headers = {"Content-Type": "text/xml; charset=utf-8",
               "Authorization": "Basic " + base64.b64encode(("EXAMPLE\\svc-roomsign:" + PASSWORD).encode()).decode()}
    if mailbox:
        headers["X-AnchorMailbox"] = mailbox
    return call(base + "/EWS/Exchange.asmx", body, headers)


def busy_backoff(status, body):
    """BackOffMilliseconds of an ErrorServerBusy fault, or None when the answer is not one."""
    if status != 500:
        return None
    root = ET.fromstring(body)
    code = root.find(".//{%s}ResponseCode" % ENS)
    value = root.find(".//{%s}MessageXml/{%s}Value[@Name='BackOffMilliseconds']" % (TNS, TNS))
    if code is None or code.text != "ErrorServerBusy" or value is None:
        return None
    return int(value.text)


def ews_case(args, work, throttle):
    cmd = [sys.executable, os.path.join(args.fakes, "ews", "fake_ews.py")] + (["--throttle", "exchange"] if throttle
                                                                             else [])
    proc, base = start(cmd, work, "http")
    try:
        rooms = ["room-%02d@example.test" % i for i in range(30)]
        seed = {"accounts": {"EXAMPLE\\svc-roomsign": {"password": PASSWORD, "impersonation": True}},
                "rooms": [{"primary": r} for r in rooms],
                "settings": {"auth": ["Basic"], "delay_ms": 4000, "backoff_ms": 750}}
        call(base + "/_admin/seed", json.dumps(seed).encode())
        policy = json.loads(call(base + "/_admin/throttle")[2])
        one_room = at_once(30, lambda i: ews_get_folder(base, rooms[0]))
        many_rooms = at_once(30, lambda i: ews_get_folder(base, rooms[i]))
        if not throttle:
            busy = sum(busy_backoff(s, b) is not None for s, _, b in many_rooms)
            expect(busy == 3, "without --throttle the old per-account rule holds: 3 of 30 busy, not %d" % busy)
            print("ok ews_off: 30 rooms at once, 3 busy (per-account rule unchanged)")
            return
        expect(policy["policy"] == "exchange" and policy["max_concurrency"] == 27,
               "the documented default: EWSMaxConcurrency 27 (%r)" % policy)
        backoffs = [busy_backoff(s, b) for s, _, b in one_room]
        ok = sum(s == 200 for s, _, _ in one_room)
        expect(ok == 27 and backoffs.count(750) == 3,
               "one room, 30 at once: want 27 answered and 3 ErrorServerBusy with BackOffMilliseconds 750, got "
               "%d answered, back-offs %r" % (ok, [b for b in backoffs if b is not None]))
        expect(all(s == 200 for s, _, _ in many_rooms),
               "30 rooms at once: each impersonated room has its own budget, but got %r"
               % sorted({s for s, _, _ in many_rooms}))
        own = at_once(30, lambda i: ews_get_folder(base, None))
        busy = sum(busy_backoff(s, b) is not None for s, _, b in own)
        expect(busy == 3, "without impersonation the service account's own budget: 3 of 30 busy, not %d" % busy)
        call(base + "/_admin/settings", json.dumps({"outage": True}).encode())
        s, _, _ = ews_get_folder(base, rooms[0])
        expect(s == 503, "an outage answers 503, not %d" % s)
        call(base + "/_admin/settings", json.dumps({"outage": False, "max_inflight": 5}).encode())
        over = at_once(8, lambda i: ews_get_folder(base, rooms[i]))
        expect(sorted(s for s, _, _ in over) == [200] * 5 + [503] * 3,
               "max_inflight 5, 8 at once: want 5 answered and 3 HTTP 503, got %r" % sorted(s for s, _, _ in over))
        print("ok ews: one room 27 + 3 ErrorServerBusy (BackOffMilliseconds), 30 rooms all answered, "
              "own budget 27 + 3, outage 503, overload 503")
    finally:
        proc.terminate()
        proc.wait(10)


# --- Graph -----------------------------------------------------------------------------------------

def graph_case(args, work):
    tls = os.path.join(work, "tls")
    subprocess.run(["sh", os.path.join(args.fakes, "make-test-ca.sh"), tls], check=True, capture_output=True)
    cmd = [sys.executable, os.path.join(args.fakes, "graph", "graph_fake.py"), "--throttle",
           "--cert", os.path.join(tls, "server.pem"), "--key", os.path.join(tls, "server.key")]
    proc, base = start(cmd, work, "https")
    ctx = ssl._create_unverified_context()
    try:
        tenant, app, secret = "6f1c2a44-8d1e-4c8e-9a57-2b0f5d6e7a10", "0b3e4c1d-5a6f-4e2b-8c9d-1a2b3c4d5e6f", "s3cret"
        rooms = ["room-%d@example.test" % i for i in range(5)]
        setup = {"tenants": [{"id": tenant, "domains": ["example.test"]}],
                 "apps": [{"client_id": app, "tenant": tenant, "secrets": [{"value": secret}]}],
                 "rooms": [{"address": r, "tenant": tenant} for r in rooms], "settings": {"delay_ms": 3000}}
        call(base + "/_admin/setup", json.dumps(setup).encode(), ctx=ctx)
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": app, "client_secret": secret,
                                       "scope": "https://graph.microsoft.com/.default"}).encode()
        s, _, b = call(base + "/%s/oauth2/v2.0/token" % tenant, form, ctx=ctx)
        expect(s == 200, "token: %d %r" % (s, b))
        auth = {"Authorization": "Bearer " + json.loads(b)["access_token"]}
        policy = json.loads(call(base + "/_admin/throttle", ctx=ctx)[2])
        expect(policy["mailbox_concurrency"] == 4 and policy["mailbox_requests"] == 10000
               and policy["window_s"] == 600, "the documented limits: 4 at once, 10,000 per 10 minutes (%r)" % policy)

        def view(room):
            q = "startDateTime=2026-12-01T00:00:00Z&endDateTime=2026-12-02T00:00:00Z"
            return call(base + "/v1.0/users/%s/calendarView?%s" % (room, q), headers=auth, ctx=ctx)
        one = at_once(5, lambda i: view(rooms[0]))
        statuses = sorted(s for s, _, _ in one)
        throttled = [(h, json.loads(b)) for s, h, b in one if s == 429]
        expect(statuses == [200] * 4 + [429], "one mailbox, 5 at once: want 4 answered and one 429, got %r" % statuses)
        h, body = throttled[0]
        expect(body["error"]["code"] == "ApplicationThrottled" and "MailboxConcurrency" in body["error"]["message"]
               and int(h.get("Retry-After", "0")) >= 1, "the 429 names the limit and says Retry-After: %r %r" % (h, body))
        many = at_once(5, lambda i: view(rooms[i]))
        expect(all(s == 200 for s, _, _ in many), "5 mailboxes at once: each its own budget, got %r"
               % sorted(s for s, _, _ in many))
        call(base + "/_admin/settings", json.dumps({"delay_ms": 0, "mailbox_requests": 20}).encode(), ctx=ctx)
        seen = [view(rooms[1])[0] for _ in range(25)]
        # rooms[1] has spent 1 request above; 19 more fit the window, the rest are refused.
        expect(seen.count(200) == 19 and seen[19:] == [429] * 6, "20 per window: got %r" % seen)
        s, h, b = view(rooms[1])
        expect(s == 429 and 1 <= int(h["Retry-After"]) <= 600 and "MailboxRequests" in json.loads(b)["error"]["message"],
               "over the window: 429 with a Retry-After up to 10 minutes (%d %r)" % (s, h))
        expect(view(rooms[2])[0] == 200, "another mailbox is not affected by rooms[1]'s window")
        call(base + "/_admin/settings", json.dumps({"outage": True}).encode(), ctx=ctx)
        expect(view(rooms[3])[0] == 503, "an outage answers 503")
        print("ok graph: 4 at once per mailbox + 429 Retry-After, mailboxes independent, request window, outage")
    finally:
        proc.terminate()
        proc.wait(10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["ews", "ews_off", "graph"])
    ap.add_argument("--fakes", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    work = os.path.join(os.path.abspath(args.workdir), args.case)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    if args.case == "graph":
        graph_case(args, work)
    else:
        ews_case(args, work, args.case == "ews")
    return 0


if __name__ == "__main__":
    sys.exit(main())
