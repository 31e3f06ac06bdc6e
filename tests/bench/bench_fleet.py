#!/usr/bin/python3
"""200 signs, one service account, one Exchange (issue 15): the fleet benchmark.

  bench_fleet.py {ews|graph} --roomsign BIN --fakes DIR --workdir DIR [--signs 200] [--speed 30]

Starts N real `roomsign` display processes, headless (SDL's dummy video driver), each showing its
own room, all signing in with ONE service account (EWS: ApplicationImpersonation; Graph: one app
registration) against ONE fake server that enforces the documented default throttling policy
(tests/fakes/ews --throttle exchange; tests/fakes/graph --throttle). Every clock runs `speed`
times faster (ROOMSIGN_CLOCK_SPEED for the signs, clock_speed for the fake's 10-minute window),
so a simulated hour takes 3600/speed seconds. In the middle of the hour the server is down for 5
minutes (every request answered 503, as IIS does with the application pool stopped), and while it
is down every room's calendar gets a new meeting: a sign is fresh again when its screen
(ROOMSIGN_VIEW_JSON) shows that meeting with no offline notice.

Why whole processes and not the source thread alone: what a sign costs the server is its
requests, and those come from the same worker, back-off and HTTP code either way; but the
memory and CPU the issue asks for are the whole sign's, and 200 headless signs fit this machine
(measured: the figures below). The refresh interval is the default, 60 s.

The sign's retries inside one request (EWS: up to 3, 0.2-2.4 s apart; Graph: Retry-After up to
30 s) sleep on the real clock, so in simulated time they last `speed` times longer: during the
outage the fake sees fewer of them than a real server would, and a sign caught in one when the
server returns comes back later. Likewise the fake (one Python process) answers far slower than
Exchange, so every request lasts `speed` times longer in simulated time.

Prints the figures; asserts only that it measured them (every sign alive, every room fetched
before and after the outage, every screen fresh again) -- never a time. Times are simulated
seconds (wall seconds x speed): under load the signs and the fake share 2 cores, so a request's
own duration is stretched `speed` times in simulated time; concurrency figures are an upper
bound for that reason.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
import testclock  # noqa: E402,F401  (ROOMSIGN_TEST_NOW pins the date: one clock for all)
import signproc  # noqa: E402

PASSWORD = "Fleet-Pa55word"
TENANT_ID = "6f1c2a44-8d1e-4c8e-9a57-2b0f5d6e7a10"
APP_ID = "0b3e4c1d-5a6f-4e2b-8c9d-1a2b3c4d5e6f"
SECRET = "fleet~secret+value/x="
REFRESH_S = 60
HOUR_S = 3600
OUTAGE_AT_S, OUTAGE_S = 27.5 * 60, 5 * 60


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def room(i):
    return "room-%03d@example.test" % i


class Server:
    """The fake: started with its throttling policy on, over HTTPS with the test CA."""

    def __init__(self, kind, fakes, work):
        self.kind = kind
        tls = os.path.join(work, "tls")
        subprocess.run(["sh", os.path.join(fakes, "make-test-ca.sh"), tls], check=True, capture_output=True)
        self.ca = os.path.join(tls, "ca.pem")
        port_file = os.path.join(work, "port")
        cert = ["--cert", os.path.join(tls, "server.pem"), "--key", os.path.join(tls, "server.key")]
        # Plain HTTP for both: a TLS handshake per request (the sign opens a connection per
        # request) would make the Python fake, not the fleet, the bottleneck on 2 cores.
        if kind == "ews":
            cmd = [sys.executable, os.path.join(fakes, "ews", "fake_ews.py"), "--throttle", "exchange"]
        else:
            cmd = [sys.executable, os.path.join(fakes, "graph", "graph_fake.py"), "--throttle", "--plain-http"]
        cert = []
        self.log = open(os.path.join(work, "fake.log"), "w")
        self.proc = subprocess.Popen(cmd + cert + ["--port-file", port_file], stdout=self.log, stderr=subprocess.STDOUT)
        if not signproc.wait_file(port_file, 20, 0.05):
            raise RuntimeError("the fake %s server did not start" % kind)
        with open(port_file) as f:
            self.port = int(f.read())
        self.scheme = "http"
        self.url = "%s://localhost:%d" % (self.scheme, self.port)
        self.ctx = None

    def admin(self, path, data=None):
        body = json.dumps(data).encode() if data is not None else None
        req = urllib.request.Request("%s://127.0.0.1:%d/_admin/%s" % (self.scheme, self.port, path), data=body,
                                     method="POST" if body is not None else "GET")
        with urllib.request.urlopen(req, timeout=120, context=self.ctx) as r:
            return json.loads(r.read())

    def seed(self, n, speed):
        if self.kind == "ews":
            self.admin("seed", {"accounts": {"EXAMPLE\\svc-roomsign": {"password": PASSWORD, "impersonation": True}},
                                "rooms": [{"primary": room(i), "name": "Room %03d" % i} for i in range(n)],
                                "events": [], "settings": {"auth": ["Basic", "NTLM"]}})
        else:
            self.admin("setup", {"tenants": [{"id": TENANT_ID, "domains": ["example.test"]}],
                                 "apps": [{"client_id": APP_ID, "tenant": TENANT_ID, "secrets": [{"value": SECRET}]}],
                                 "rooms": [{"address": room(i), "tenant": TENANT_ID, "name": "Room %03d" % i}
                                           for i in range(n)],
                                 "settings": {"clock_speed": speed}})

    def add_meetings(self, n, subject, start, end):
        """Books every room at once (one admin call: it must not wait behind the fleet)."""
        if self.kind == "ews":
            self.admin("events", [{"room": room(i), "subject": subject % i, "start": iso(start), "end": iso(end)}
                                  for i in range(n)])
        else:
            self.admin("events", [{"room": room(i), "events": [{"subject": subject % i, "start": iso(start),
                                                                 "end": iso(end)}]} for i in range(n)])

    def outage(self, on):
        self.admin("settings", {"outage": on})

    def requests(self):
        """[(t, mailbox, kind)] kind: ok | throttled | overload | outage | error."""
        out = []
        if self.kind == "ews":
            for e in self.admin("log"):
                if e.get("throttled") == "outage":
                    kind = "outage"
                elif e.get("throttled") == "overload":
                    kind = "overload"
                elif e.get("code") == "ErrorServerBusy":
                    kind = "throttled"
                else:
                    kind = "ok" if e.get("status") == 200 and e.get("code") == "NoError" else "error"
                out.append((e["t"], (e.get("impersonated") or "").lower(), kind, e.get("op")))
        else:
            for e in self.admin("log")["requests"]:
                parts = e["path"].split("/")
                mailbox = parts[3].lower() if len(parts) > 3 and parts[1] == "v1.0" else ""
                kind = ("outage" if e.get("throttled") == "outage" else "throttled" if e.get("status") == 429
                        else "ok" if 200 <= e.get("status", 0) < 300 else "error")
                out.append((e["t"], mailbox, kind, "token" if e.get("token") else e["method"]))
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def write_config(server, work, i):
    d = os.path.join(work, "sign%03d" % i)
    os.makedirs(os.path.join(d, "state"), exist_ok=True)
    secret = os.path.join(d, "secret")
    with open(secret, "w") as f:
        f.write((PASSWORD if server.kind == "ews" else SECRET) + "\n")
    os.chmod(secret, 0o600)
    lines = ["[room]", "name = Room %03d" % i, "timezone = UTC", "", "[source]", "type = " + server.kind,
             "mailbox = " + room(i), "ca_file = " + server.ca, "refresh = %d" % REFRESH_S]
    if server.kind == "ews":
        # Polling, as a fleet on one service account mostly is: Exchange allows 3 streaming
        # connections per account by default, so all but 3 signs would fall back to it anyway.
        lines += ["url = %s/EWS/Exchange.asmx" % server.url, "username = EXAMPLE\\svc-roomsign",
                  "password_file = " + secret, "auth = basic", "allow_insecure_http = yes", "streaming = no"]
    else:
        lines += ["tenant = example.test", "client_id = " + APP_ID, "client_secret_file = " + secret,
                  "authority = " + server.url, "graph_url = %s/" % server.url, "allow_insecure_http = yes",
                  # the full-read load this benchmark is about (delta polls: bench.changes)
                  "poll = %d" % REFRESH_S]
    lines += ["", "[display]", "night =", "", "[paths]", "state_dir = " + os.path.join(d, "state"), ""]
    path = os.path.join(d, "roomsign.conf")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return d, path


def view(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def fleet_stats(signs):
    tot = {"pss_kb": 0, "rss_kb": 0, "private_kb": 0, "cpu_s": 0.0, "threads": 0}
    for s in signs:
        try:
            st = s.stats()
        except OSError:
            continue
        for k in tot:
            tot[k] += st[k]
    return tot


def per_minute(reqs, t0, speed, minutes):
    counts = [0] * minutes
    for t, _, _, _ in reqs:
        m = int((t - t0) * speed // 60)
        if 0 <= m < minutes:
            counts[m] += 1
    return counts


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))] if v else float("nan")


def run(kind, args):
    work = os.path.join(os.path.abspath(args.workdir), kind)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    speed, n = args.speed, args.signs
    server = Server(kind, args.fakes, work)
    signs = []
    try:
        server.seed(n, speed)
        now = time.time()
        env = {"ROOMSIGN_CLOCK_SPEED": str(speed), "TZ": "UTC"}
        views = []
        t_start = time.monotonic()
        for i in range(n):
            d, config = write_config(server, work, i)
            views.append(os.path.join(d, "view.json"))
            signs.append(signproc.Sign(args.roomsign, ["--config", config], os.path.join(d, "sign.log"),
                                       env=env, view_json=views[-1]))
        # The hour starts when every screen shows its room read once (no "updating" notice).
        def all_read():
            return all(view(v).get("kind") == "home" and view(v).get("notice") == "" for v in views)
        if not signproc.wait_for(all_read, 600, 0.5):
            raise AssertionError("not every sign read its calendar within 600 s of starting")
        startup_wall = time.monotonic() - t_start
        t0 = time.time()
        cpu0 = fleet_stats(signs)["cpu_s"]
        samples = []
        outage_on, outage_off = t0 + OUTAGE_AT_S / speed, t0 + (OUTAGE_AT_S + OUTAGE_S) / speed
        t_end = t0 + HOUR_S / speed
        fresh_at = {}
        subject = "Fleet check %s"
        state = "before"
        while time.time() < t_end or (state == "after" and len(fresh_at) < n and time.time() < t_end + 600 / speed):
            t = time.time()
            if state == "before" and t >= outage_on:
                server.outage(True)
                server.add_meetings(n, subject, now - 3600, now + 12 * 3600)   # booked while it is down
                state = "down"
            elif state == "down" and t >= outage_off:
                server.outage(False)
                outage_off = time.time()
                state = "after"
            elif state == "after":
                for i in range(n):
                    if i not in fresh_at:
                        v = view(views[i])
                        if v.get("title") == subject % i and v.get("notice") == "":
                            fresh_at[i] = (time.time() - outage_off) * speed
            if not samples or t - samples[-1][0] > 10:
                samples.append((t, fleet_stats(signs)))
            time.sleep(0.2 if state == "after" else 0.5)
        wall = time.time() - t0
        cpu1 = fleet_stats(signs)["cpu_s"]
        alive = sum(s.alive() for s in signs)
        reqs = server.requests()
        throttle = server.admin("throttle")
    finally:
        for s in signs:
            if s.alive():
                s.proc.terminate()
        for s in signs:
            s.stop(20)
        server.stop()
    return report(kind, n, speed, t0, outage_on, outage_off, reqs, throttle, fresh_at, samples, cpu1 - cpu0, wall,
                  alive, startup_wall)


def report(kind, n, speed, t0, outage_on, outage_off, reqs, throttle, fresh_at, samples, cpu_s, wall, alive,
           startup_wall):
    hour = [r for r in reqs if 0 <= (r[0] - t0) * speed < HOUR_S]
    pm = per_minute(hour, t0, speed, 60)
    outage_min = int((outage_on - t0) * speed // 60)
    after = [r for r in reqs if 0 <= (r[0] - outage_off) * speed < 60]
    first_ok = {}
    for t, m, k, _ in sorted(reqs):
        if k == "ok" and m and t >= outage_off and m not in first_ok:
            first_ok[m] = (t - outage_off) * speed
    rec = sorted(first_ok.values())
    per10 = [0] * 12
    for v in rec:
        if v < 120:
            per10[int(v // 10)] += 1
    kinds = {}
    for r in hour:
        kinds[r[2]] = kinds.get(r[2], 0) + 1
    pss = max(s["pss_kb"] for _, s in samples) / 1024.0
    rss = max(s["rss_kb"] for _, s in samples) / 1024.0
    print("fleet.%s: %d signs (real roomsign processes, headless), one service account, refresh %d s, clock x%g"
          % (kind, n, REFRESH_S, speed))
    print("  start-up: %.1f s wall until every sign had read its room once" % startup_wall)
    print("  requests at the server, per simulated minute: mean %.1f, peak %d (minute %d), outside the outage "
          "mean %.1f" % (sum(pm) / 60.0, max(pm), pm.index(max(pm)),
                         sum(c for i, c in enumerate(pm) if not outage_min <= i < outage_min + 5) / 55.0))
    print("  per minute: %s" % " ".join(str(c) for c in pm))
    print("  answers in the hour: %s" % ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
    print("  throttled answers: %d (%s) ; peak concurrency per budget %d, peak in the server %s"
          % (kinds.get("throttled", 0) + kinds.get("overload", 0),
             "ErrorServerBusy / 503 overload" if kind == "ews" else "429 ApplicationThrottled",
             max(throttle["peak"].values() or [0]), throttle.get("peak_inflight", "-")))
    print("  outage: 5 simulated minutes, %d requests answered 503 meanwhile (%.1f per minute)"
          % (kinds.get("outage", 0), kinds.get("outage", 0) / 5.0))
    print("  first minute after the outage: %d requests (normal minute: %.1f)" % (len(after), sum(pm[:outage_min])
                                                                                   / max(1, outage_min)))
    print("  recovery (first successful read of each room after the outage, simulated s): first %.0f, median "
          "%.0f, 90%% %.0f, last %.0f; spread %.0f s = %.2f refresh intervals"
          % (rec[0], pct(rec, 50), pct(rec, 90), rec[-1], rec[-1] - rec[0], (rec[-1] - rec[0]) / REFRESH_S)
          if rec else "  recovery: no room was read after the outage")
    print("  recovered rooms per 10 s after the outage: %s" % " ".join(str(c) for c in per10))
    fresh = sorted(fresh_at.values())
    print("  every screen fresh again (new meeting shown, no offline notice): %s after the outage; median %.0f s"
          % ("%.0f s" % fresh[-1] if len(fresh) == n else "NOT ALL (%d of %d)" % (len(fresh), n), pct(fresh, 50)))
    print("  fleet memory: PSS %.0f MiB in all (%.2f MiB a sign), RSS %.0f MiB summed" % (pss, pss / n, rss))
    print("  fleet CPU: %.1f s over %.0f s wall = %.2f cores at x%g; %.2f CPU-s per sign per simulated hour"
          % (cpu_s, wall, cpu_s / wall, speed, cpu_s / n * (HOUR_S / (wall * speed))))
    problems = []
    if alive != n:
        problems.append("%d of %d signs died" % (n - alive, n))
    if len(first_ok) < n:
        problems.append("only %d of %d rooms were read after the outage" % (len(first_ok), n))
    if len(fresh) < n:
        problems.append("only %d of %d screens showed the fresh schedule" % (len(fresh), n))
    if not any(k == "outage" for _, _, k, _ in reqs):
        problems.append("the server saw no request during the outage")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["ews", "graph"])
    ap.add_argument("--roomsign", required=True)
    ap.add_argument("--fakes", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--signs", type=int, default=200)
    ap.add_argument("--speed", type=float, default=20)
    args = ap.parse_args()
    problems = run(args.kind, args)
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
