#!/usr/bin/env python3
"""Fault matrix (issue 9): for one source (ics, ews, graph, caldav) the real `roomsign` display,
headless, reads its calendar through tests/fakes/faultproxy.py (HTTPS) in front of that source's
test server, while the proxy injects one fault after another:

  dns (host that cannot resolve; a second sign on the same cache), refused (proxy stopped),
  tls (untrusted certificate), 401, 403, 404, 429, 500, 503, stall (30 s; [source] timeout = 5),
  truncated, huge (100 MiB body), garbage, clock +1h / -1h (the sign's clock off the server's),
  dst (the sign's clock passing Copenhagen's autumn change, 03:00 CEST → 02:00 CET)

For each network fault: no crash; the last good schedule stays on screen (view JSON: the
meeting's title) marked offline ("Offline since …"), in plain words; the null LED logs the
[led] offline rule; the log has ONE "calendar refresh failed" line however many retries the
proxy saw; and when the fault clears the sign recovers by itself within one refresh interval
(plus the request timeout when a stalled request was in flight); retries are bounded from
above too: at most max_refreshes(window) bursts of requests (one burst per refresh, at most
MAX_BURST requests) and a median gap between bursts of MEDIAN_GAP_S, i.e. real back-off.
401 (a refused password) is last: exactly one sign-in, then none for [source] auth_retry, so
the shared service account is never locked out. Prints the table.

  faults.py SOURCE --roomsign BIN --tests DIR --workdir DIR
The clock runs 10x (ROOMSIGN_CLOCK_SPEED) with refresh = 10, so one refresh interval is ~1 s."""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import signproc  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
import testclock  # noqa: E402,F401  (ROOMSIGN_TEST_NOW: one pinned clock for harness, fakes, sign)

SUBJECT = "Matrix review"
SPEED = 10
REFRESH_S = 10
TIMEOUT_S = 5
# 401 last: after it the sign rightly waits auth_retry (90 s here) before signing in again.
FAULTS = ["refused", "tls", "403", "404", "429", "500", "503", "stall", "truncated", "huge", "garbage",
          "401"]
# The back-off bounds, in real seconds at SPEED: the worker waits 2.5-5 clock s after the first
# failure, then 5-10 (capped at REFRESH_S); a request may be retried inside one refresh (EWS: up
# to 3 times, 0.2-2.4 s apart; Graph: Retry-After). Requests less than BURST_GAP_S apart are one
# burst (one refresh: CalDAV's 404 also lists the calendars). A sign without back-off sends
# ~1,270 requests in 5 s, one endless burst; with it, a burst every ~0.5-1 s.
BURST_GAP_S = 0.15
MAX_BURST = 8
MEDIAN_GAP_S = 0.3


def max_refreshes(window_s):
    return int(3 + 2.5 * window_s)


TECHNICAL = re.compile(r"curl|HTTP|SSL|TLS|errno|XML|JSON|SOAP|status \d|\b[45]\d\d\b", re.I)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def ics_utc(t):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


class Proxy:
    def __init__(self, work, tls_dir, upstream=None, static=None):
        self.work, self.tls, self.upstream, self.static = work, tls_dir, upstream, static
        self.fault_file = os.path.join(work, "fault.json")
        self.log = os.path.join(work, "proxy.log")
        open(self.log, "w").close()
        self.set(None)
        self.port = 0
        self.proc = None
        self.start()
        self.url = "https://localhost:%d" % self.port

    def start(self):
        pf = os.path.join(self.work, "proxy.port")
        if os.path.exists(pf):
            os.unlink(pf)
        cmd = [sys.executable, os.path.join(HERE, "..", "fakes", "faultproxy.py"), "--port", str(self.port),
               "--port-file", pf, "--cert", os.path.join(self.tls, "server.pem"),
               "--key", os.path.join(self.tls, "server.key"),
               "--untrusted-cert", os.path.join(self.tls, "untrusted.pem"),
               "--untrusted-key", os.path.join(self.tls, "untrusted.key"),
               "--fault-file", self.fault_file, "--log", self.log]
        cmd += ["--static", self.static] if self.static else ["--upstream", self.upstream]
        for _ in range(50):                         # the port may linger briefly after a stop
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if signproc.wait_for(lambda: os.path.exists(pf) or self.proc.poll() is not None, 10) and \
                    os.path.exists(pf):
                break
            time.sleep(0.2)
        with open(pf) as f:
            self.port = int(f.read())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def set(self, kind):
        with open(self.fault_file + ".tmp", "w") as f:
            f.write(json.dumps({"kind": kind}) if kind else "")
        os.rename(self.fault_file + ".tmp", self.fault_file)

    def requests_since(self, t):
        with open(self.log) as f:
            return [json.loads(l) for l in f if l.strip() and json.loads(l)["t"] >= t]


# ---- one test server per source -------------------------------------------------------------

def setup_ics(a, work, tls, now):
    path = os.path.join(work, "room.ics")
    with open(path, "w") as f:
        f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//faults//EN\r\nBEGIN:VEVENT\r\nUID:m1\r\n"
                f"DTSTAMP:20260101T000000Z\r\nDTSTART:{ics_utc(now - 1800)}\r\nDTEND:{ics_utc(now + 14400)}\r\n"
                f"SUMMARY:{SUBJECT}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    proxy = Proxy(work, tls, static=path)
    return proxy, ["type = ics", f"url = {proxy.url}/room.ics"], []


def setup_ews(a, work, tls, now):
    import ews_fixture
    c = ews_fixture.Context(types.SimpleNamespace(workdir=work, fake=os.path.join(a.tests, "fakes", "ews",
                                                                                     "fake_ews.py"),
                                                  ca_script=None), "ews")
    c.start_fake()
    c.add_event(subject=SUBJECT, start=now - 1800, end=now + 14400)
    proxy = Proxy(work, tls, upstream=c.base)
    secret = os.path.join(work, "secret")
    with open(secret, "w") as f:
        f.write(ews_fixture.PASSWORD + "\n")
    os.chmod(secret, 0o600)
    return proxy, ["type = ews", f"url = {proxy.url}/EWS/Exchange.asmx", f"mailbox = {ews_fixture.ROOM}",
                   "username = EXAMPLE\\svc-roomsign", f"password_file = {secret}", "auth = basic"], [c.stop]


def setup_graph(a, work, tls, now):
    import graph_harness as g
    fake = g.Fake(work, os.path.join(a.tests, "fakes"))
    fake.setup(events=[{"subject": SUBJECT, "start": iso(now - 1800), "end": iso(now + 14400)}])
    proxy = Proxy(work, tls, upstream=fake.url)
    secret = os.path.join(work, "client_secret")
    with open(secret, "w") as f:
        f.write(g.SECRET + "\n")
    os.chmod(secret, 0o600)
    return proxy, ["type = graph", f"mailbox = {g.ROOM}", f"tenant = {g.TENANT_DOMAIN}",
                   f"client_id = {g.APP_ID}", f"authority = {proxy.url}", f"graph_url = {proxy.url}/",
                   f"client_secret_file = {secret}"], [fake.stop]


def setup_caldav(a, work, tls, now):
    srv_dir = os.path.join(work, "radicale")
    server = os.path.join(HERE, "caldav_server.py")
    subprocess.run([sys.executable, server, "start", srv_dir], check=True, stdout=subprocess.DEVNULL)
    os.environ["ROOMSIGN_CALDAV_SERVER"] = srv_dir
    import caldav_common as cc
    cc.SERVER_DIR = srv_dir
    acct = cc.Account("faults")
    col = acct.mkcalendar("room", "Fjord")
    import datetime as dt
    t = dt.datetime.fromtimestamp
    acct.put(col + "m1.ics", cc.event_ics("m1", t(now - 1800, dt.timezone.utc), t(now + 14400, dt.timezone.utc),
                                          SUBJECT))
    proxy = Proxy(work, tls, upstream=acct.base)
    secret = os.path.join(work, "secret")
    with open(secret, "w") as f:
        f.write(acct.password)
    os.chmod(secret, 0o600)
    stop = lambda: subprocess.run([sys.executable, server, "stop", srv_dir], stdout=subprocess.DEVNULL)
    return proxy, ["type = caldav", f"url = {proxy.url}{col}", f"username = {acct.user}",
                   f"password_file = {secret}"], [stop]


# ---- the sign ---------------------------------------------------------------------------------

def write_config(work, name, source_lines, ca, zone="UTC", refresh=REFRESH_S):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write("\n".join(["[room]", "name = Fjord (4.12)", f"timezone = {zone}", "[source]"] + source_lines +
                          [f"ca_file = {ca}", f"refresh = {refresh}", f"timeout = {TIMEOUT_S}",
                           "[led]", "offline = blink", "[display]", "night =", "[paths]", f"state_dir = {work}",
                           f"cache = {work}/schedule.cache", ""]))
    return path


def view(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


class Run:
    def __init__(self, a, work, config, name, env=None, args=()):
        self.view_path = os.path.join(work, name + ".view.json")
        e = {"ROOMSIGN_CLOCK_SPEED": str(SPEED), "TZ": "UTC"}
        e.update(env or {})
        self.sign = signproc.Sign(a.roomsign, ["--config", config] + list(args),
                                  os.path.join(work, name + ".log"), env=e, view_json=self.view_path)

    def view(self):
        return view(self.view_path) or {}

    def wait_view(self, pred, timeout):
        return signproc.wait_for(lambda: pred(self.view()), timeout, 0.1)

    def log_lines(self):
        return self.sign.log_text().splitlines()


def good(v):
    return v.get("title") == SUBJECT and v.get("notice") == ""


def offline(v):
    return v.get("notice", "").startswith("Offline since")


def check_fault(a, proxy, run, kind):
    """Inject kind, judge the sign during it and after it clears; returns (ok, cell text, problems)."""
    problems = []
    before = len(run.log_lines())
    t0 = time.time()
    if kind == "refused":
        proxy.stop()
    proxy.set(kind)
    hold = TIMEOUT_S * 3 + 3 if kind == "stall" else 5.0
    if not run.wait_view(offline, TIMEOUT_S * (5 if kind == "stall" else 1) + 10):
        problems.append("never marked offline (notice %r)" % run.view().get("notice"))
    time.sleep(hold)                                 # several retries against the same fault
    v = run.view()
    lines = run.log_lines()[before:]
    attempts = len(proxy.requests_since(t0)) if kind != "refused" else None
    window = time.time() - t0
    bursts = []
    if attempts is not None:
        for r in proxy.requests_since(t0):       # one burst: the requests of one refresh
            if bursts and r["t"] - bursts[-1][-1]["t"] < BURST_GAP_S:
                bursts[-1].append(r)
            else:
                bursts.append([r])
    gaps = sorted(b[0]["t"] - a[-1]["t"] for a, b in zip(bursts, bursts[1:]))
    failed = [l for l in lines if "calendar refresh failed" in l]
    noise = [l for l in lines if re.search(r": (warning|error): ", l) and "calendar refresh failed" not in l]
    if not run.sign.alive():
        problems.append("the sign died (status %s)" % run.sign.proc.returncode)
    if noise:
        problems.append("%d more warning lines (one per retry?): %s" % (len(noise), noise[0]))
    if v.get("title") != SUBJECT:
        problems.append("the last good schedule is gone (title %r)" % v.get("title"))
    if not offline(v):
        problems.append("not marked offline: %r" % v.get("notice"))
    if TECHNICAL.search(v.get("notice", "")):
        problems.append("technical words on screen: %r" % v.get("notice"))
    if not any("LED offline" in l for l in lines):
        problems.append("the LED did not follow the offline rule")
    if len(failed) != 1:
        problems.append("%d log lines for one fault: %s" % (len(failed), " | ".join(failed[:3])))
    if kind == "401":
        # A refused password: one sign-in, then nothing for auth_retry (900 clock s, 90 s here),
        # so a fleet sharing the service account never locks it out.
        # Graph: the cached token's call is refused, then the one token request (the sign-in).
        sign_ins = [r for r in proxy.requests_since(t0) if a.source != "graph" or "/oauth2/" in r["path"]]
        if len(sign_ins) != 1 or attempts > (2 if a.source == "graph" else 1):
            problems.append("%d requests (%d sign-ins) reached the proxy during a 401, expected 1 sign-in"
                            % (attempts, len(sign_ins)))
    elif attempts is not None:
        if attempts < 2:
            problems.append("only %d requests reached the proxy: retries not shown" % attempts)
        limit = max_refreshes(window)
        if len(bursts) > limit or max(len(b) for b in bursts) > MAX_BURST:
            problems.append("%d requests in %d bursts (largest %d) in %.1f s; with back-off at most %d bursts "
                            "of at most %d" % (attempts, len(bursts), max(len(b) for b in bursts), window, limit,
                                               MAX_BURST))
        if gaps and gaps[len(gaps) // 2] < MEDIAN_GAP_S:
            problems.append("median gap between refreshes %.3f s, back-off needs at least %.2f s: %s"
                            % (gaps[len(gaps) // 2], MEDIAN_GAP_S, [round(g, 2) for g in gaps]))
    if kind == "401":
        proxy.set(None)
        t_clear = time.time()
        time.sleep(3.0)                              # 30 clock s: well inside auth_retry
        quiet = proxy.requests_since(t_clear)
        if quiet:
            problems.append("%d requests within 30 clock seconds of the 401 (auth_retry is 900)" % len(quiet))
        cell = "ok (1 sign-in, then none for auth_retry)" if not problems else "FAIL"
        return not problems, cell, problems
    # clear, then time the recovery
    mark = len(run.log_lines())
    if kind == "refused":
        proxy.set(None)
        proxy.start()
    proxy.set(None)
    t_clear = time.time()
    in_flight = TIMEOUT_S if kind in ("stall", "huge") else 0
    # Graph resends a GET lost on the network (a refused connection, a failed TLS handshake, a
    # cut answer) or answered 5xx inside one fetch after 1, 2, then 4 s, in real time
    # (app/calendar/graph.c, graph_call): a fault cleared during those sleeps is seen after them.
    if a.source == "graph" and kind in ("refused", "tls", "truncated", "500", "503"):
        in_flight += 4
    limit = REFRESH_S * 1.1 / SPEED + in_flight + 1.5
    ok_at = run.wait_view(good, limit + 10)
    rec = time.time() - t_clear
    if not ok_at:
        problems.append("did not recover within %.0f s of the fault clearing" % (limit + 10))
    elif rec > limit:
        problems.append("recovered after %.1f s, more than one refresh interval (%.1f s)" % (rec, limit))
    # the LED line follows the frame that wrote the view: give it a moment
    led_back = lambda: any(re.search(r"LED (green|red|amber|off)$", l) for l in run.log_lines()[mark:])
    signproc.wait_for(led_back, 3, 0.1)
    after = run.log_lines()[mark:]
    if ok_at and not any("calendar reachable again" in l for l in after):
        problems.append("no 'calendar reachable again' line")
    if ok_at and not any(re.search(r"LED (green|red|amber|off)$", l) for l in after):
        problems.append("the LED did not leave the offline rule")
    cell = "ok (%s retries, 1 line, back in %.1f s)" % (attempts if attempts is not None else "n", rec) \
        if not problems else "FAIL"
    return not problems, cell, problems


def check_dns(a, work, source_lines, ca):
    lines = [re.sub(r"https://localhost:\d+", "https://roomsign-fault.invalid", l) for l in source_lines]
    run = Run(a, work, write_config(work, "dns.conf", lines, ca), "dns")
    problems = []
    try:
        if not run.wait_view(offline, 15):
            problems.append("never marked offline (notice %r)" % run.view().get("notice"))
        time.sleep(4)
        v, lines = run.view(), run.log_lines()
        failed = [l for l in lines if "calendar refresh failed" in l]
        if not run.sign.alive():
            problems.append("the sign died")
        if v.get("title") != SUBJECT:
            problems.append("the cached schedule is not shown (title %r)" % v.get("title"))
        if TECHNICAL.search(v.get("notice", "")):
            problems.append("technical words on screen: %r" % v.get("notice"))
        if not any("LED offline" in l for l in lines):
            problems.append("the LED did not follow the offline rule")
        if len(failed) != 1:
            problems.append("%d log lines for one fault" % len(failed))
    finally:
        run.sign.stop()
    return not problems, ("ok (cache shown; recovery n/a: no resolver to fix)" if not problems else "FAIL"), problems


def check_clock(a, work, config, offset):
    run = Run(a, work, config, "clock%+d" % offset, env={"ROOMSIGN_CLOCK_OFFSET": str(offset), "ROOMSIGN_CLOCK_SPEED": "1"})
    problems = []
    try:
        v = run.wait_view(lambda v: v.get("notice") == "" and v.get("status_word"), 20)
        time.sleep(2)
        v = run.view()
        if not run.sign.alive():
            problems.append("the sign died")
        if v.get("notice"):
            problems.append("notice %r" % v.get("notice"))
        # The screen's clock is real time + offset (a minute either side: the frame may be old).
        t = time.time() + offset
        clocks = {time.strftime("%H:%M", time.gmtime(t + d)) for d in (-60, 0, 60)}
        if v.get("clock") not in clocks:
            problems.append("clock %r, expected real time %+d h (%s)" % (v.get("clock"), offset // 3600,
                                                                          "/".join(sorted(clocks))))
        # The meeting runs from 30 min before the real now: at +1 h it is on, at -1 h it starts in
        # 30 min — the status differs from a sign that ignores the offset (BUSY either way).
        want = ("BUSY",) if offset > 0 else ("FREE", "STARTING SOON")
        if v.get("status_word") not in want:
            problems.append("status %r, expected %s" % (v.get("status_word"), " or ".join(want)))
        if offset > 0 and v.get("title") != SUBJECT:
            problems.append("title %r, expected %r" % (v.get("title"), SUBJECT))
        if offset < 0 and SUBJECT not in json.dumps(v):
            problems.append("the meeting is not among the next ones")
        if any("calendar refresh failed" in l for l in run.log_lines()):
            problems.append("refresh failed: " + [l for l in run.log_lines() if "failed" in l][0])
    finally:
        run.sign.stop()
    return not problems, ("ok" if not problems else "FAIL"), problems


def check_dst(a, work, source_lines, ca):
    config = write_config(work, "dst.conf", source_lines, ca, zone="Europe/Copenhagen", refresh=60)
    run = Run(a, work, config, "dst", env={"ROOMSIGN_CLOCK_SPEED": "60"}, args=["--now", "2026-10-25T00:45Z"])  # 02:45 CEST
    problems, clocks = [], []
    try:
        end = time.time() + 35                        # 35 min of clock: 02:45 CEST → 02:20 CET
        while time.time() < end and run.sign.alive():
            c = run.view().get("clock")
            if c and (not clocks or clocks[-1] != c):
                clocks.append(c)
            time.sleep(0.2)
        if not run.sign.alive():
            problems.append("the sign died")
        back = any(b < a_ for a_, b in zip(clocks, clocks[1:]))
        if not back or not any(c.startswith("02:0") or c.startswith("02:1") for c in clocks[clocks.index(max(clocks)):]):
            problems.append("the clock did not go back an hour: %s" % " ".join(clocks))
        if run.view().get("notice"):
            problems.append("notice %r" % run.view().get("notice"))
        if any("calendar refresh failed" in l for l in run.log_lines()):
            problems.append("a refresh failed across the change")
    finally:
        run.sign.stop()
    return not problems, ("ok (%s…%s)" % (clocks[0], clocks[-1]) if not problems and clocks else "FAIL"), problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source", choices=["ics", "ews", "graph", "caldav"])
    ap.add_argument("--roomsign", required=True)
    ap.add_argument("--tests", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    work = os.path.abspath(os.path.join(a.workdir, a.source))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    tls = os.path.join(work, "tls")
    subprocess.run(["sh", os.path.join(a.tests, "fakes", "make-test-ca.sh"), tls], check=True)
    ca = os.path.join(tls, "ca.pem")
    now = int(time.time())
    proxy, source_lines, cleanups = globals()["setup_" + a.source](a, work, tls, now)
    results, failed = [], 0
    run = None
    try:
        config = write_config(work, "roomsign.conf", source_lines, ca)
        run = Run(a, work, config, "sign")
        if not run.wait_view(good, 30):
            print("the sign never showed the meeting: view %s\n%s" % (run.view(), run.sign.log_text()))
            return 1
        for kind in FAULTS:
            if a.only and kind not in a.only:
                continue
            ok, cell, problems = check_fault(a, proxy, run, kind)
            results.append((kind, cell, problems))
            failed += not ok
            print("%-10s %-8s %s %s" % (kind, a.source, cell, "; ".join(problems)), flush=True)
            if not run.sign.alive():
                break
        status = run.sign.stop()
        if status != 0:
            results.append(("exit", "FAIL", ["the sign exited %s on SIGTERM" % status]))
            failed += 1
        extra = [("dns", lambda: check_dns(a, work, source_lines, ca)),
                 ("clock+1h", lambda: check_clock(a, work, config, 3600)),
                 ("clock-1h", lambda: check_clock(a, work, config, -3600)),
                 ("dst", lambda: check_dst(a, work, source_lines, ca))]
        for kind, fn in extra:
            if a.only and kind not in a.only:
                continue
            ok, cell, problems = fn()
            results.append((kind, cell, problems))
            failed += not ok
            print("%-10s %-8s %s %s" % (kind, a.source, cell, "; ".join(problems)), flush=True)
    finally:
        if run and run.sign.alive():
            run.sign.stop()
        proxy.stop()
        for c in cleanups:
            c()
    print("\nfault matrix, source %s:" % a.source)
    print("%-10s | %s" % ("fault", a.source))
    for kind, cell, problems in results:
        print("%-10s | %s%s" % (kind, cell, ("  ← " + "; ".join(problems)) if problems else ""))
    print("%d of %d faults failed" % (failed, len(results)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
