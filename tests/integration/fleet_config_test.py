#!/usr/bin/env python3
"""Configuration from one place (issue 15): the real `roomsign` display (headless, SDL's dummy
driver) fetches [fleet] config_url from an HTTPS server on loopback through libcurl, and what it
fetched shows on its screen (the view JSON the display writes after every frame).

Shown here: {hostname}, {mac} and {serial} expand (the server answers only the expanded path);
the fetched room and source take effect without a reboot (same pid, new screen); If-None-Match
gets 304 and nothing restarts; a broken configuration is refused and the last good one stays on
screen and on disk; an offline start shows the cached copy; http:// is refused without
[fleet] allow_insecure_http and fetched with it; a server that asks for a client certificate
gets the sign's [fleet] client_certificate, and a sign without one is kept out."""
import hashlib
import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
sys.path.insert(0, HERE)
import testclock  # noqa: E402,F401  (ROOMSIGN_TEST_NOW: one pinned clock for harness, fakes, sign)
from signproc import Sign  # noqa: E402

ROOMSIGN, MAKE_CA = sys.argv[1], sys.argv[2]
NOW = "2026-12-01T10:15Z"
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    failures += 0 if ok else 1


class Config:
    """What the server hands out: one body at one path, with a strong ETag."""

    def __init__(self):
        self.path, self.body = "/", b""
        self.lock = threading.Lock()
        self.log = []  # (path, If-None-Match, status, client certificate CN)

    def etag(self):
        return '"%s"' % hashlib.sha256(self.body).hexdigest()[:16]

    def set(self, path, body):
        with self.lock:
            self.path, self.body = path, body.encode()

    def requests(self):
        with self.lock:
            return list(self.log)


def handler_for(cfg):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            peer = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
            cn = dict(x[0] for x in peer["subject"]).get("commonName") if peer else None
            inm = self.headers.get("If-None-Match")
            with cfg.lock:
                path, body, etag = cfg.path, cfg.body, cfg.etag()
            status = 404 if self.path != path else 304 if inm == etag else 200
            with cfg.lock:
                cfg.log.append((self.path, inm, status, cn))
            self.send_response(status)
            if status != 404:
                self.send_header("ETag", etag)
            if status == 200:
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_header("Content-Length", "0")
                self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


def serve(cfg, certs=None, client_ca=None):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for(cfg))
    if certs:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(certs, "server.pem"), os.path.join(certs, "server.key"))
        if client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(client_ca)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def wait_for(pred, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(0.2)
    return pred()


def view(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


ROOM_A = """[room]
name = Fjord (4.12)
timezone = Europe/Copenhagen
[source]
type = demo
[display]
night =
"""

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//roomsign tests//EN
BEGIN:VEVENT
UID:fleet-review@roomsign.test
DTSTAMP:20261101T000000Z
DTSTART:20261201T100000Z
DTEND:20261201T110000Z
SUMMARY:Fleet review
END:VEVENT
END:VCALENDAR
"""


def room_b(ics):
    return f"""[room]
name = Skagen (2.01)
timezone = Europe/Copenhagen
[source]
type = ics
url = {ics}
[display]
night =
"""


# Not a configuration the parser takes: an EWS source without its server, a [fleet] section.
BROKEN = """[room]
name = Broken room
[source]
type = ews
[fleet]
config_refresh = 10
"""


with tempfile.TemporaryDirectory() as tmp:
    certs = os.path.join(tmp, "ca")
    subprocess.run(["sh", MAKE_CA, certs], check=True)
    # The sign's own client certificate, from the same test CA (mutual TLS case).
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=sign-fjord",
                    "-keyout", f"{tmp}/client.key", "-out", f"{tmp}/client.csr"], check=True, capture_output=True)
    with open(f"{tmp}/client.ext", "w") as f:
        f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
    subprocess.run(["openssl", "x509", "-req", "-in", f"{tmp}/client.csr", "-CA", f"{certs}/ca.pem",
                    "-CAkey", f"{certs}/ca.key", "-CAcreateserial", "-days", "2", "-extfile", f"{tmp}/client.ext",
                    "-out", f"{tmp}/client.pem"], check=True, capture_output=True)
    os.chmod(f"{tmp}/client.key", 0o600)
    ics = os.path.join(tmp, "skagen.ics")
    with open(ics, "w") as f:
        f.write(ICS)

    # The device's identity, from files the test controls (a Pi's paths are the defaults).
    net = os.path.join(tmp, "net")
    for name, mac, physical in (("docker0", "02:42:ac:11:00:01", False), ("eth0", "b8:27:eb:12:34:56", True),
                                ("wlan0", "b8:27:eb:ab:cd:ef", True)):
        os.makedirs(os.path.join(net, name))
        if physical:
            os.makedirs(os.path.join(net, name, "device"))
        with open(os.path.join(net, name, "address"), "w") as f:
            f.write(mac + "\n")
    with open(os.path.join(tmp, "cpuinfo"), "w") as f:
        f.write("processor\t: 0\nHardware\t: BCM2835\nRevision\t: c03111\nSerial\t\t: 10000000c0ffee42\n")
    host = socket.gethostname()
    expanded = f"/signs/{host}/b8:27:eb:12:34:56/10000000c0ffee42.conf"
    ids_env = {"ROOMSIGN_NET_DIR": net, "ROOMSIGN_SERIAL_FILE": os.path.join(tmp, "no-device-tree"),
               "ROOMSIGN_CPUINFO": os.path.join(tmp, "cpuinfo"), "TZ": "UTC",
               "ROOMSIGN_CLOCK_SPEED": "5"}  # config_refresh = 10 s is fetched every 2 s

    def local(name, url, extra=""):
        path = os.path.join(tmp, name + ".conf")
        with open(path, "w") as f:
            f.write("[room]\nname = Local fallback\n[fleet]\n"
                    f"config_url = {url}\nca_file = {certs}/ca.pem\nconfig_refresh = 10\n{extra}")
        return path

    def start(name, conf, state):
        return Sign(ROOMSIGN, ["--config", conf, "--now", NOW], os.path.join(tmp, name + ".log"),
                    env=dict(ids_env, ROOMSIGN_STATE_DIR=state), view_json=os.path.join(tmp, name + ".json"))

    # --- HTTPS: expansion, apply without reboot, 304, broken refused, offline start ---
    cfg = Config()
    cfg.set(expanded, ROOM_A)
    server = serve(cfg, certs)
    port = server.server_port
    state = os.path.join(tmp, "state")
    conf = local("main", f"https://localhost:{port}/signs/{{hostname}}/{{mac}}/{{serial}}.conf")
    sign = start("main", conf, state)
    vj = os.path.join(tmp, "main.json")
    v = wait_for(lambda: view(vj).get("room") == "Fjord (4.12)" and view(vj))
    check(bool(v), f"the fetched room shows on the screen ({view(vj).get('room')!r})")
    reqs = cfg.requests()
    check(bool(reqs) and reqs[0][0] == expanded and reqs[0][2] == 200,
          f"{{hostname}}/{{mac}}/{{serial}} expanded to {expanded} ({reqs[:1]})")
    cached = os.path.join(state, "fleet.conf")
    check(os.path.exists(cached) and open(cached).read() == ROOM_A, "the last good copy is kept in the state directory")

    etag = cfg.etag()
    n = len(cfg.requests())
    ok = wait_for(lambda: [r for r in cfg.requests()[n:] if r[1] == etag and r[2] == 304][1:], timeout=20)
    check(bool(ok), f"refreshes send If-None-Match: {etag} and get 304 ({cfg.requests()[n:n + 3]})")
    check(sign.alive() and "stopping for a new configuration" not in sign.log_text()
          and view(vj).get("room") == "Fjord (4.12)", "a 304 keeps the configuration: no restart, same screen")

    pid = sign.pid
    cfg.set(expanded, room_b(ics))
    v = wait_for(lambda: view(vj).get("room") == "Skagen (2.01)" and view(vj).get("title") == "Fleet review"
                 and view(vj), timeout=30)
    check(bool(v), f"a changed configuration takes effect without a reboot: new room and source on the screen "
                   f"({view(vj).get('room')!r}, {view(vj).get('title')!r})")
    check(sign.alive() and sign.pid == pid and "stopping for a new configuration" in sign.log_text(),
          "applied by restarting in place: the same process (pid) runs on")

    cfg.set(expanded, BROKEN)
    n = len(cfg.requests())
    wait_for(lambda: [r for r in cfg.requests()[n:] if r[2] == 200][1:], timeout=20)
    log = sign.log_text()
    check("refused the configuration" in log and "[source] url: missing" in log and "[fleet] is taken" in log,
          "a broken configuration is refused, and the log says why, naming the keys")
    check(sign.alive() and view(vj).get("room") == "Skagen (2.01)" and open(cached).read() == room_b(ics),
          f"the last good configuration stays on the screen and on disk ({view(vj).get('room')!r})")
    sign.stop()
    server.shutdown()
    server.server_close()

    offline = start("offline", conf, state)
    vo = os.path.join(tmp, "offline.json")
    v = wait_for(lambda: view(vo).get("room") == "Skagen (2.01)" and view(vo), timeout=20)
    check(bool(v) and offline.alive(), f"offline, the sign starts on the cached copy ({view(vo).get('room')!r})")
    time.sleep(3)  # a fetch or two fail meanwhile
    check(view(vo).get("room") == "Skagen (2.01)" and "cannot fetch the configuration" in offline.log_text(),
          "failed fetches keep the cached configuration")
    offline.stop()

    # --- plain http:// needs allow_insecure_http ---
    plain_cfg = Config()
    plain_cfg.set("/room.conf", ROOM_A)
    plain = serve(plain_cfg)
    url = f"http://127.0.0.1:{plain.server_port}/room.conf"
    refused = start("plain", local("plain", url), os.path.join(tmp, "state-plain"))
    vp = os.path.join(tmp, "plain.json")
    v = wait_for(lambda: view(vp).get("kind") == "setup" and view(vp), timeout=20)
    time.sleep(1)
    check(bool(v) and "allow_insecure_http" in (v.get("text") or "") and not plain_cfg.requests(),
          f"http:// without allow_insecure_http: refused on the screen, nothing fetched ({(v or {}).get('text')!r})")
    refused.stop()
    allowed = start("plain2", local("plain2", url, "allow_insecure_http = yes\n"), os.path.join(tmp, "state-plain2"))
    vp2 = os.path.join(tmp, "plain2.json")
    v = wait_for(lambda: view(vp2).get("room") == "Fjord (4.12)" and view(vp2), timeout=20)
    check(bool(v), f"http:// with [fleet] allow_insecure_http = yes is fetched ({view(vp2).get('room')!r})")
    allowed.stop()
    plain.shutdown()

    # --- mutual TLS ---
    mtls_cfg = Config()
    mtls_cfg.set("/room.conf", ROOM_A)
    mtls = serve(mtls_cfg, certs, client_ca=f"{certs}/ca.pem")
    url = f"https://localhost:{mtls.server_port}/room.conf"
    without = start("nocert", local("nocert", url), os.path.join(tmp, "state-nocert"))
    vn = os.path.join(tmp, "nocert.json")
    v = wait_for(lambda: view(vn).get("kind") == "setup" and view(vn), timeout=30)
    check(bool(v) and "Waiting for the configuration" in (v.get("text") or "") and not mtls_cfg.requests(),
          f"without a client certificate the server keeps the sign out ({(v or {}).get('text')!r})")
    without.stop()
    cert = start("cert", local("cert", url, f"client_certificate = {tmp}/client.pem\nclient_key = {tmp}/client.key\n"),
                 os.path.join(tmp, "state-cert"))
    vc = os.path.join(tmp, "cert.json")
    v = wait_for(lambda: view(vc).get("room") == "Fjord (4.12)" and view(vc), timeout=30)
    reqs = mtls_cfg.requests()
    check(bool(v) and reqs and reqs[0][3] == "sign-fjord",
          f"with [fleet] client_certificate the sign proves itself and gets its configuration ({reqs[:1]})")
    cert.stop()
    mtls.shutdown()
    if failures:
        for name in ("main", "offline", "plain", "nocert", "cert"):
            p = os.path.join(tmp, name + ".log")
            if os.path.exists(p):
                print(f"--- {name}.log (tail)\n" + "".join(open(p, errors="replace").readlines()[-25:]))

print(f"{failures} failed" if failures else "all fleet configuration checks passed")
sys.exit(1 if failures else 0)
