#!/usr/bin/env python3
"""A fault-injecting HTTPS reverse proxy for roomsign's fault-matrix test (stdlib only).

  faultproxy.py --port N|0 --port-file F --cert C --key K --untrusted-cert C2 --untrusted-key K2
                --fault-file J --log L (--upstream URL | --static FILE)

Listens on 127.0.0.1 with TLS and forwards every request to the upstream (http or https; the
upstream's certificate is not checked: it is a test server) or answers with the static file.
Before each connection and request it reads the fault file (JSON {"kind": K} or empty):
  tls        the handshake presents the untrusted certificate
  401 403 404 429 500 503   that status (429/503 with Retry-After: 1; 401 with a Basic challenge)
  stall      waits 30 s, then closes without an answer
  truncated  the upstream's answer with its full Content-Length but half the body, then closes
  huge       200 with a 100 MiB body (streamed), beyond roomsign's 16 MiB cap
  garbage    200 with 4 KiB of random bytes
"Connection refused" is the test stopping this process and starting it again on the same port.
Each request appends one JSON line to the log: {"t", "method", "path", "fault"}."""
import argparse
import http.client
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testclock  # noqa: E402,F401  (ROOMSIGN_TEST_NOW: the harness's pinned clock, for the log's "t")

ARGS = None
LOG_LOCK = threading.Lock()
HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te", "trailer"}


def current_fault():
    try:
        with open(ARGS.fault_file) as f:
            text = f.read().strip()
        return json.loads(text).get("kind") if text else None
    except (OSError, ValueError):
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, fault):
        with LOG_LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps({"t": time.time(), "method": self.command, "path": self.path,
                                "fault": fault}) + "\n")

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def upstream(self, body):
        if ARGS.static:
            with open(ARGS.static, "rb") as f:
                return 200, [("Content-Type", "text/calendar; charset=utf-8")], f.read()
        u = urlsplit(ARGS.upstream)
        if u.scheme == "https":
            conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=60,
                                               context=ssl._create_unverified_context())
        else:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP and k.lower() != "host"}
        # The client's Host is kept: links a server builds from it (Graph's nextLink and
        # deltaLink) point back through the proxy, as they would on the real service.
        headers["Host"] = self.headers.get("Host", u.netloc)
        conn.request(self.command, self.path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        out = [(k, v) for k, v in r.getheaders() if k.lower() not in HOP and k.lower() != "content-length"]
        conn.close()
        return r.status, out, data

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        fault = current_fault()
        self.record(fault)
        if fault in ("401", "403", "404", "429", "500", "503"):
            headers = [("Content-Type", "text/html")]
            if fault == "401":
                headers.append(("WWW-Authenticate", 'Basic realm="fault"'))
            if fault in ("429", "503"):
                headers.append(("Retry-After", "1"))
            return self.reply(int(fault), b"<html><body>injected fault</body></html>", headers)
        if fault == "stall":
            time.sleep(30)
            self.close_connection = True
            return None
        if fault == "garbage":
            return self.reply(200, os.urandom(4096), [("Content-Type", "application/octet-stream")])
        if fault == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(100 << 20))
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"X" * 65536
            try:
                for _ in range((100 << 20) // len(chunk)):
                    self.wfile.write(chunk)
            except OSError:
                pass                        # the client hung up at its cap, as it should
            self.close_connection = True
            return None
        status, headers, data = self.upstream(body)
        if fault == "truncated":
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return None
        return self.reply(status, data, headers)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_REPORT = do_PROPFIND = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def get_request(self):
        sock, addr = self.socket.accept()
        fault = current_fault()
        ctx = self.untrusted if fault == "tls" else self.trusted
        if fault == "tls":                          # no request will follow: log the attempt
            with LOG_LOCK, open(ARGS.log, "a") as f:
                f.write(json.dumps({"t": time.time(), "method": "TLS", "path": "", "fault": fault}) + "\n")
        sock.settimeout(60)
        try:
            return ctx.wrap_socket(sock, server_side=True), addr
        except (ssl.SSLError, OSError):
            sock.close()
            raise OSError("TLS handshake failed")       # the server loop ignores it


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--untrusted-cert", required=True)
    ap.add_argument("--untrusted-key", required=True)
    ap.add_argument("--fault-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--upstream")
    ap.add_argument("--static")
    ARGS = ap.parse_args()
    srv = Server(("127.0.0.1", ARGS.port), Handler)
    srv.trusted = tls_context(ARGS.cert, ARGS.key)
    srv.untrusted = tls_context(ARGS.untrusted_cert, ARGS.untrusted_key)
    srv.handle_error = lambda request, address: None
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
