#!/usr/bin/env python3
"""An ICS room over HTTPS through libcurl: TLS verified against a private CA given as ca_file,
Basic auth with the password in a secret file, and every failure a sentence: untrusted
certificate, wrong password, missing calendar, a body over the cap, garbage, a refused port."""
import base64
import http.server
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
import testclock  # noqa: E402,F401  (ROOMSIGN_TEST_NOW: one pinned clock for harness, fakes, sign)

ROOMSIGN, FIXTURES, MAKE_CA = sys.argv[1], sys.argv[2], sys.argv[3]
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    failures += 0 if ok else 1


ICS = open(os.path.join(FIXTURES, "ics", "recurring.ics"), "rb").read()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        if auth != "Basic " + base64.b64encode(b"room:s3cret").decode():
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="calendar"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/room.ics":
            body = ICS
        elif self.path == "/huge.ics":
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.end_headers()
            chunk = b"X" * (1 << 20)
            try:
                for _ in range(100):              # 100 MB, streamed
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        elif self.path == "/garbage.ics":
            body = b"<html>Sign in to continue</html>"
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(certdir, cert="server"):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(certdir, f"{cert}.pem"), os.path.join(certdir, f"{cert}.key"))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def agenda(config):
    return subprocess.run([ROOMSIGN, "--config", config, "agenda", "--from", "2026-11-01", "--to", "2026-12-31"],
                          capture_output=True, text=True, timeout=120)


with tempfile.TemporaryDirectory() as tmp:
    certs = os.path.join(tmp, "ca")
    subprocess.run(["sh", MAKE_CA, certs], check=True)
    good, untrusted = serve(certs), serve(certs, "untrusted")
    secret = os.path.join(tmp, "secret")
    open(secret, "w").write("s3cret\n")
    os.chmod(secret, 0o600)
    wrong = os.path.join(tmp, "wrong")
    open(wrong, "w").write("guess\n")
    os.chmod(wrong, 0o600)

    def config(port, path="/room.ics", ca=True, password=secret, host="localhost"):
        f = os.path.join(tmp, "room.conf")
        open(f, "w").write(f"[room]\nname = Fjord\ntimezone = Europe/Copenhagen\n[source]\ntype = ics\n"
                           f"url = https://{host}:{port}{path}\nusername = room\npassword_file = {password}\n"
                           f"timeout = 20\n" + (f"ca_file = {certs}/ca.pem\n" if ca else ""))
        return f

    p = agenda(config(good.server_port))
    check(p.returncode == 0 and len(p.stdout.splitlines()) == 7,
          f"agenda over HTTPS with ca_file and Basic auth ({p.returncode}, {len(p.stdout.splitlines())} lines) {p.stderr.strip()}")
    p = agenda(config(good.server_port, ca=False))
    check(p.returncode == 1 and "TLS" in p.stderr and "ca_file" in p.stderr,
          f"a private CA without ca_file: the TLS failure says what to set ({p.stderr.strip()})")
    p = agenda(config(untrusted.server_port))
    check(p.returncode == 1 and "TLS" in p.stderr, f"an untrusted certificate is refused ({p.stderr.strip()})")
    p = agenda(config(good.server_port, password=wrong))
    check(p.returncode == 1 and "401" in p.stderr and "guess" not in p.stderr,
          f"a wrong password is named, and not printed ({p.stderr.strip()})")
    p = agenda(config(good.server_port, path="/nothing.ics"))
    check(p.returncode == 1 and "404" in p.stderr, f"a missing calendar: 404 ({p.stderr.strip()})")
    p = agenda(config(good.server_port, path="/huge.ics"))
    check(p.returncode == 1 and "larger than" in p.stderr, f"a 100 MB body is cut at the cap ({p.stderr.strip()})")
    p = agenda(config(good.server_port, path="/garbage.ics"))
    check(p.returncode == 1 and "not iCalendar" in p.stderr, f"garbage is not a calendar ({p.stderr.strip()})")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    p = agenda(config(closed))
    check(p.returncode == 1 and "Cannot connect" in p.stderr, f"a refused port ({p.stderr.strip()})")
    p = agenda(config(good.server_port, host="no-such-host.invalid"))
    check(p.returncode == 1 and "DNS" in p.stderr, f"an unknown host ({p.stderr.strip()})")
    good.shutdown()
    untrusted.shutdown()

print(f"{failures} failed" if failures else "all ICS-over-HTTPS checks passed")
sys.exit(1 if failures else 0)
