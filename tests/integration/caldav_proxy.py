#!/usr/bin/env python3
"""A recording, fault-injecting HTTP forwarder between roomsign and the real Radicale.

    caldav_proxy.py UPSTREAM_URL CA_FILE PORT_FILE LOG_FILE FAULTS_FILE

Listens on a free loopback port (written to PORT_FILE), forwards every request unchanged to
UPSTREAM_URL (https, verified with CA_FILE) and appends one line per request to LOG_FILE:
    METHOD PATH KIND [HREF ...]
where KIND is the root element of an XML body (propfind, calendar-query, sync-collection,
calendar-multiget, …) or "-", and the HREFs are those a calendar-multiget asks for. LOG_FILE.bytes
gets one line per forwarded answer: its size in bytes (status line, headers and body). Tests read
the log to prove which requests were made (e.g. that a refresh used sync-collection and fetched
only the changed resources).

FAULTS_FILE (JSON list, re-read on every request) injects failures the real server cannot be
made to produce on demand:
    {"method": "REPORT", "contains": "calendar-multiget", "action": "drop", "times": 1}
actions: drop (close the connection without an answer), status (answer "status" with "body"
and "content_type"), delay ("seconds", then forward), barrier (hold each matching request until
"parties" of them have arrived, then forward them all: two signs' requests meet the server
together, a race made certain). "times" counts down; absent = forever.
"""
import fcntl
import http.client
import http.server
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse

UPSTREAM, CA, PORT_FILE, LOG, FAULTS = sys.argv[1:6]
up = urllib.parse.urlsplit(UPSTREAM)
CTX = ssl.create_default_context(cafile=CA)
BARRIER = threading.Condition()
arrived = 0


def barrier(parties):
    global arrived
    with BARRIER:
        arrived += 1
        BARRIER.notify_all()
        BARRIER.wait_for(lambda: arrived >= parties, timeout=15)


def take_fault(method, body):
    try:
        with open(FAULTS, "r+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            rules = json.load(f)
            for rule in rules:
                if rule.get("method", method) != method:
                    continue
                if rule.get("contains") and rule["contains"].encode() not in body:
                    continue
                if rule.get("times", 1) <= 0:
                    continue
                if "times" in rule:
                    rule["times"] -= 1
                    f.seek(0)
                    f.truncate()
                    json.dump(rules, f)
                return rule
    except (OSError, ValueError):
        pass
    return None


def describe(method, path, body):
    kind = "-"
    m = re.search(rb"<(?:[A-Za-z0-9_]+:)?([A-Za-z-]+)[\s>/]", re.sub(rb"<\?xml[^>]*\?>", b"", body))
    if body.lstrip().startswith(b"<") and m:
        kind = m.group(1).decode()
    hrefs = []
    if kind == "calendar-multiget":
        hrefs = [h.decode() for h in re.findall(rb"<(?:[A-Za-z0-9_]+:)?href>([^<]*)<", body)]
    return " ".join([method, path, kind] + hrefs)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with open(LOG, "a") as f:
            f.write(describe(self.command, self.path, body) + "\n")
        fault = take_fault(self.command, body)
        if fault and fault["action"] == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault and fault["action"] == "status":
            data = fault.get("body", "").encode()
            self.send_response(fault["status"])
            self.send_header("Content-Type", fault.get("content_type", "text/plain"))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if fault and fault["action"] == "delay":
            time.sleep(fault.get("seconds", 5))
        if fault and fault["action"] == "barrier":
            barrier(fault.get("parties", 2))
        conn = http.client.HTTPSConnection(up.hostname, up.port, context=CTX, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        sent = len(data) + sum(len(h) for h in getattr(self, "_headers_buffer", [])) + 2
        self.end_headers()
        self.wfile.write(data)
        conn.close()
        with open(LOG + ".bytes", "a") as f:     # response bytes, headers and body (benchmarks)
            f.write("%d\n" % sent)

    do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = do_HEAD = forward
    do_MKCALENDAR = do_PROPPATCH = do_POST = do_MOVE = forward


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
