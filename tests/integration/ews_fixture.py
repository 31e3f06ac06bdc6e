"""Shared plumbing for the EWS integration tests: a fake Exchange per test on a free loopback
port, a generated roomsign config, and runners for `roomsign` and the test driver."""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
import testclock  # noqa: E402,F401  (ROOMSIGN_TEST_NOW: one pinned clock for harness, fakes, sign)

PASSWORD = "Pw-7f3c9e1-S3cret"          # distinctive, so a leak into any output is caught
TOKEN = "eyJ0eXAiOiJKV1QiLCJ-test-token-5b1d"
ROOM = "room-4-12@example.com"
ALIAS = "fjord@example.com"
OTHER_ROOM = "room-2-01@example.com"
ANNEX = "room-3-07@example.com"


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def minute(t=None):
    t = time.time() if t is None else t
    return int(t) - int(t) % 60


def default_seed():
    return {
        "accounts": {
            "EXAMPLE\\svc-roomsign": {"password": PASSWORD, "impersonation": True, "token": TOKEN},
            "EXAMPLE\\svc-scoped": {"password": PASSWORD, "impersonation": {"scope_filter": "Fjord*"}},
            "EXAMPLE\\svc-norole": {"password": PASSWORD, "impersonation": False},
        },
        "rooms": [
            {"primary": ROOM, "name": "Fjord (4.12)", "aliases": [ALIAS]},
            {"primary": OTHER_ROOM, "name": "Harbour (2.01)"},
            {"primary": ANNEX, "name": "Fjord Annex (3.07)"},
        ],
        "events": [],
    }


class Context:
    def __init__(self, args, name):
        self.args = args
        self.dir = os.path.join(args.workdir, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(os.path.join(self.dir, "state"))
        self.fakes = []
        self.outputs = []

    # --- fake server ---------------------------------------------------------------------------
    def start_fake(self, seed=None, tls=None):
        """tls: None (plain HTTP), "trusted" (cert from the test CA) or "untrusted"."""
        n = len(self.fakes)
        port_file = os.path.join(self.dir, "port%d" % n)
        seed_file = os.path.join(self.dir, "seed%d.json" % n)
        with open(seed_file, "w", encoding="utf-8") as f:
            json.dump(seed if seed is not None else default_seed(), f)
        cmd = [sys.executable, self.args.fake, "--port-file", port_file, "--seed", seed_file]
        scheme = "http"
        if tls:
            ca_dir = os.path.join(self.dir, "ca")   # per case: cases may run in parallel
            subprocess.run(["sh", self.args.ca_script, ca_dir], check=True)
            cert = "server" if tls == "trusted" else "untrusted"
            cmd += ["--cert", os.path.join(ca_dir, cert + ".pem"), "--key", os.path.join(ca_dir, cert + ".key")]
            self.ca_file = os.path.join(ca_dir, "ca.pem")
            scheme = "https"
        log = open(os.path.join(self.dir, "fake%d.log" % n), "w", encoding="utf-8")
        proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        self.fakes.append(proc)
        for _ in range(100):
            if os.path.exists(port_file):
                break
            if proc.poll() is not None:
                raise RuntimeError("fake EWS server exited; see " + log.name)
            time.sleep(0.05)
        with open(port_file, encoding="utf-8") as f:
            self.port = int(f.read())
        self.base = "http://127.0.0.1:%d" % self.port
        host = "localhost" if tls else "127.0.0.1"
        self.url = "%s://%s:%d/EWS/Exchange.asmx" % (scheme, host, self.port)
        self.tls = tls
        return self

    def admin(self, path, data=None):
        url = "http://127.0.0.1:%d/_admin/%s" % (self.port, path)
        if self.tls:
            raise RuntimeError("admin over TLS: use admin_tls")
        body = json.dumps(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def admin_any(self, path, data=None):
        """Admin call that works over HTTPS too (test CA, no verification needed for control)."""
        import ssl
        scheme = "https" if self.tls else "http"
        url = "%s://127.0.0.1:%d/_admin/%s" % (scheme, self.port, path)
        body = json.dumps(data).encode() if data is not None else None
        ctx = ssl._create_unverified_context() if self.tls else None
        req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
        with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
            return json.loads(r.read())

    def calendar(self, room=ROOM):
        return self.admin_any("calendar?room=" + room)

    def log(self):
        return self.admin_any("log")

    def sent(self):
        return self.admin_any("sent")

    def add_event(self, **kw):
        kw.setdefault("room", ROOM)
        for k in ("start", "end"):
            if isinstance(kw.get(k), (int, float)):
                kw[k] = iso(kw[k])
        return self.admin_any("event", kw)

    # --- roomsign ------------------------------------------------------------------------------
    def config(self, name="roomsign.conf", url=None, mailbox=ROOM, username="EXAMPLE\\svc-roomsign",
               password=PASSWORD, auth="ntlm", ca_file=None, timeout=5, extra=""):
        secret = os.path.join(self.dir, name + ".secret")
        with open(secret, "w", encoding="utf-8") as f:
            f.write(password + "\n")
        os.chmod(secret, 0o600)
        lines = ["[room]", "name = Fjord (4.12)", "timezone = UTC", "", "[source]", "type = ews",
                 "url = %s" % (url or self.url), "mailbox = %s" % mailbox, "username = %s" % username,
                 "password_file = %s" % secret, "auth = %s" % auth, "timeout = %d" % timeout]
        if ca_file:
            lines.append("ca_file = %s" % ca_file)
        if (url or self.url).startswith("http://"):
            lines.append("allow_insecure_http = yes")  # the fake speaks plain HTTP; the sign refuses it otherwise
        lines += [extra, "", "[paths]", "state_dir = %s" % os.path.join(self.dir, "state"), ""]
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        self.config_path = path
        return path

    def _run(self, cmd, timeout=60):
        env = dict(os.environ, TZ="UTC")
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        p.elapsed = time.time() - t0
        self.outputs.append((cmd, p.stdout, p.stderr))
        assert PASSWORD not in p.stdout + p.stderr, "the password leaked into the output of %s" % cmd
        assert TOKEN not in p.stdout + p.stderr, "the token leaked into the output of %s" % cmd
        return p

    def sign_cmd(self, *args, config=None):
        return [self.args.roomsign, "--config", config or self.config_path] + list(args)

    def sign(self, *args, config=None, timeout=60):
        return self._run(self.sign_cmd(*args, config=config), timeout)

    def driver(self, *args, config=None, timeout=60):
        return self._run([self.args.driver, config or self.config_path] + list(args), timeout)

    def stop(self):
        for p in self.fakes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()

    def dump(self):
        for cmd, out, err in self.outputs:
            print("$ " + " ".join(cmd))
            if out:
                print(out.rstrip())
            if err:
                print("[stderr] " + err.rstrip())


def expect(cond, what, proc=None):
    if not cond:
        detail = ""
        if proc is not None:
            detail = "\n  exit %s\n  stdout: %s\n  stderr: %s" % (proc.returncode, proc.stdout, proc.stderr)
        raise AssertionError(what + detail)


def ops(entries, name=None):
    return [e for e in entries if name is None or e.get("op") == name]


def run_cases(cases, default_workdir, setup=None, on_failure=None, teardown=None):
    """The command line of an EWS test script: CASE (or "list") and the paths it needs. Runs
    one case in a fresh Context; on failure dumps the fake's log (and calls on_failure)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(cases) + ["list"])
    ap.add_argument("--roomsign")
    ap.add_argument("--driver")
    ap.add_argument("--fake")
    ap.add_argument("--ca-script")
    ap.add_argument("--workdir", default=default_workdir)
    args = ap.parse_args()
    if args.case == "list":
        print(";".join(sorted(cases)))
        return 0
    c = Context(args, args.case)
    if setup:
        setup(c)
    try:
        cases[args.case](c)
    except Exception:
        c.dump()
        if on_failure:
            on_failure(c)
        raise
    finally:
        c.stop()
        if teardown:
            teardown(c)
    print("ok", args.case)
    return 0


# --- the display, for what only the running sign does (its refresh timer, back-off) ---------

def display(c, name, speed=1, config=None):
    """The real display, headless, on c's config; its clock runs `speed` times (ROOMSIGN_CLOCK_SPEED)."""
    import signproc
    return signproc.Sign(c.args.roomsign, ["--config", config or c.config_path], os.path.join(c.dir, name + ".log"),
                         env={"ROOMSIGN_CLOCK_SPEED": str(speed), "TZ": "UTC"})


def refused_sign_ins_in_an_hour(c, name, speed=200):
    """Runs the display for a simulated hour (and a little) with credentials the server refuses;
    returns the times of the refused sign-ins the server counted in the first hour after the
    first, and all of them. Active Directory locks the shared account after 5-10 in 30 minutes."""
    sign = display(c, name, speed)
    try:
        first = None
        end = time.time() + 20
        while time.time() < end and not first:
            failures = c.admin_any("auth_failures")
            first = failures[0]["t"] if failures else None
            time.sleep(0.05)
        expect(first, "the server saw a refused sign-in")
        time.sleep(max(0.0, first + 3600.0 / speed + 1.0 - time.time()))
        expect(sign.alive(), "the sign keeps running")
    finally:
        sign.stop()
    failures = [f["t"] for f in c.admin_any("auth_failures")]
    return [t for t in failures if t < first + 3600.0 / speed], failures
