"""Test harness for the Graph backend: starts the fake token endpoint + Graph server over HTTPS
on a free loopback port, writes a roomsign config for it, runs roomsign and graph_driver, and
reads the fake's calendar and request log back.
"""

import datetime
import json
import os
import shutil
import ssl
import subprocess
import sys
import time
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
import testclock  # noqa: E402,F401  (ROOMSIGN_TEST_NOW: one pinned clock for harness, fakes, sign)

TENANT_ID = "6f1c2a44-8d1e-4c8e-9a57-2b0f5d6e7a10"
TENANT_DOMAIN = "contoso.test"
APP_ID = "0b3e4c1d-5a6f-4e2b-8c9d-1a2b3c4d5e6f"
OTHER_APP_ID = "9d8c7b6a-1111-4222-8333-444455556666"
SECRET = "q~8Q+abc/def=ghi~JKLmno_pqr.stu"      # '+', '/', '=' and '~' must survive URL encoding
EXPIRED_SECRET = "old~secret+value/that=expired"
ROOM = "room-4-12@contoso.test"
ROOM2 = "room-4-14@contoso.test"
ROOM3 = "room-5-01@contoso.test"


class TestFailure(Exception):
    pass


def check(cond, what, *context):
    if not cond:
        raise TestFailure(what + "".join("\n--- " + str(c) for c in context))


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(s):
    return datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def make_app_certificate(directory, name="app"):
    """A self-signed certificate + RSA key, as an admin would upload to the app registration."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"roomsign {name}")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, f"{name}.pem"), os.path.join(directory, f"{name}.key")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    os.chmod(key_path, 0o600)
    return cert_path, key_path, cert.public_bytes(serialization.Encoding.PEM).decode()


class Fake:
    def __init__(self, work, fakes_dir):
        self.work, self.fakes_dir = work, fakes_dir
        self.tls = os.path.join(work, "tls")
        subprocess.run(["sh", os.path.join(fakes_dir, "make-test-ca.sh"), self.tls], check=True)
        self.ca = os.path.join(self.tls, "ca.pem")
        port_file = os.path.join(work, "graph.port")
        self.log = open(os.path.join(work, "graph_fake.log"), "w")
        self.proc = subprocess.Popen([sys.executable, os.path.join(fakes_dir, "graph", "graph_fake.py"),
                                      "--cert", os.path.join(self.tls, "server.pem"),
                                      "--key", os.path.join(self.tls, "server.key"), "--port-file", port_file],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while not os.path.exists(port_file):
            check(self.proc.poll() is None and time.time() < deadline, "the fake Graph server did not start")
            time.sleep(0.05)
        with open(port_file) as f:
            self.port = int(f.read())
        self.url = f"https://127.0.0.1:{self.port}"
        self.ctx = ssl.create_default_context(cafile=self.ca)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def admin(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + "/_admin/" + path, data=data, method="POST" if data else "GET")
        with urllib.request.urlopen(req, context=self.ctx, timeout=10) as r:
            return json.loads(r.read())

    def calendar(self, room=ROOM):
        return self.admin("calendar?room=" + room)

    def requests(self, path_part=None, method=None):
        reqs = self.admin("log")["requests"]
        return [r for r in reqs if (path_part is None or path_part in r["path"])
                and (method is None or r["method"] == method)]

    def token_log(self):
        return self.admin("log")["tokens"]

    def actions(self, kind=None):
        return [a for a in self.admin("log")["actions"] if kind is None or a["action"] == kind]

    def setup(self, events=(), scope="*", role="readwrite", certificates=(), rooms=None, settings=None,
              permissions=()):
        rooms = rooms or [{"address": ROOM, "tenant": TENANT_ID, "name": "Fjord 4.12"},
                          {"address": ROOM2, "tenant": TENANT_ID, "name": "Sund 4.14"},
                          {"address": ROOM3, "tenant": TENANT_ID, "name": "Vig 5.01"}]
        spec = {
            "tenants": [{"id": TENANT_ID, "domains": [TENANT_DOMAIN]}],
            "apps": [{"client_id": APP_ID, "tenant": TENANT_ID, "scope": scope, "role": role,
                      "permissions": list(permissions),
                      "secrets": [{"value": SECRET}, {"value": EXPIRED_SECRET, "expired": True}],
                      "certificates": list(certificates)},
                     {"client_id": OTHER_APP_ID, "tenant": TENANT_ID, "secrets": [{"value": "other"}]}],
            "rooms": rooms,
            "events": [dict(e, room=e.get("room", ROOM)) for e in events],
            "settings": settings or {},
        }
        self.admin("setup", spec)


class Env:
    """One test's working directory, fake server, config and programs."""

    def __init__(self, args, name):
        self.roomsign, self.driver = args.roomsign, args.driver
        self.work = os.path.abspath(args.work)
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        self.fake = Fake(self.work, args.fakes)
        self.name = name

    def write_config(self, auth="secret", secret=SECRET, tenant=TENANT_DOMAIN, client_id=APP_ID, mailbox=ROOM,
                     nearby=(), cert=None, timeout=5, name="roomsign.conf", extra="", authority=None):
        lines = ["[room]", "name = Fjord (4.12)", "timezone = UTC", "", "[source]", "type = graph",
                 f"mailbox = {mailbox}", f"tenant = {tenant}", f"client_id = {client_id}",
                 f"authority = {authority or self.fake.url}", f"graph_url = {self.fake.url}/",
                 f"ca_file = {self.fake.ca}",
                 f"timeout = {timeout}"]
        if auth == "secret":
            path = os.path.join(self.work, "client_secret")
            with open(path, "w") as f:
                f.write(secret + "\n")
            os.chmod(path, 0o600)
            lines.append(f"client_secret_file = {path}")
        else:
            lines += [f"certificate_file = {cert[0]}", f"private_key_file = {cert[1]}"]
        if nearby:
            lines.append("nearby_rooms = " + ", ".join(nearby))
        state = os.path.join(self.work, "state")
        os.makedirs(state, exist_ok=True)
        lines += ["", "[paths]", f"state_dir = {state}", f"cache = {state}/schedule.cache", "", extra]
        self.config = os.path.join(self.work, name)
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")
        return self.config

    def run(self, *args, program=None, timeout=90, env=None):
        cmd = [self.roomsign, "--config", self.config, *args] if program is None else [program, self.config, *args]
        e = dict(os.environ, TZ="UTC")
        e.update(env or {})
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=e)
        p.elapsed = time.time() - t0
        with open(os.path.join(self.work, "commands.log"), "a") as f:
            f.write(f"$ {' '.join(cmd)}\nexit {p.returncode} after {p.elapsed:.2f}s\n"
                    f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}\n")
        return p

    def roomsign_cmd(self, *args, **kw):
        return self.run(*args, **kw)

    def drive(self, *args, **kw):
        return self.run(*args, program=self.driver, **kw)

    def cert(self, name="app"):
        return make_app_certificate(self.work, name)

    def close(self):
        self.fake.stop()
