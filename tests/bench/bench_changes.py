#!/usr/bin/env python3
"""Issue 16's figures: per sign per hour, with one change an hour made on the server, what each
way of keeping the screen current costs -- requests, bytes received (status line, headers and
body of every answer; TLS overhead not counted) -- and how soon the change is on the screen
(median, max; clock seconds). The real `roomsign` display (headless, ROOMSIGN_VIEW_JSON) runs
against the fake Graph and against the real Radicale behind the recording proxy, at an
accelerated clock (ROOMSIGN_CLOCK_SPEED; every interval is clock seconds).

  bench_changes.py ROOMSIGN TESTS_DIR WORKDIR [--hours N] [--speed X]

Modes (config lines; everything else default):
  graph   full polling every 60 s   safety_refresh = 60, poll = 3600: calendarView every 60 s
                                    (one delta round at start, the only difference to before)
  graph   delta every 15 s          the default: calendarView/delta every 15 s, calendarView
                                    every 900 s, GET /events/{id} per changed event
  caldav  full polling every 60 s   the proxy refuses sync-collection: calendar-query every 60 s
  caldav  sync every 60 s           poll = 60, safety_refresh = 86400: what the sign did before
                                    issue 16 (sync-collection at each 60 s refresh)
  caldav  sync every 15 s           the default

The window holds 17 events (8 meetings a day for two days and a long one that is renamed each
hour at a seeded random minute). Counts start after the first read is on the screen. Asserts
only that it measured something, never a figure."""
import argparse
import faulthandler
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import release_test as rt  # noqa: E402
import signproc  # noqa: E402

T0 = rt.T0                      # 2026-12-01 10:00 UTC
MIN = 60
DAY0 = T0 - 10 * 3600


class Args:
    pass


def day_meetings():
    out = []
    for day in (0, 1):
        for i in range(8):
            # today's end before the long meeting (the screen shows it), tomorrow's in office hours
            start = DAY0 + day * 86400 + ((1 if day == 0 else 8) + i) * 3600 + 15 * MIN
            out.append(("Meeting %d.%d" % (day, i), start, start + 30 * MIN))
    return out


class Run:
    def __init__(self, a, backend, label, lines, refuse_sync=False):
        self.a, self.backend, self.label, self.lines = a, backend, label, lines
        self.work = os.path.join(a.workdir, "%s-%s" % (backend, label.replace(" ", "_")))
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        ra = Args()
        ra.tests = a.tests
        self.b = rt.BACKENDS[backend](ra, self.work)
        self.refuse_sync = refuse_sync
        self.latencies = []
        self.error = None
        self.proxy = None

    def seed(self):
        if self.backend == "graph":
            evs = [{"subject": s, "start": rt.iso(a), "end": rt.iso(b), "organizer": "Olga",
                    "organizer_address": rt.OUTSIDER} for s, a, b in day_meetings()]
            evs.append({"subject": "Review 0", "start": rt.iso(T0 - 30 * MIN), "end": rt.iso(T0 + 6 * 3600),
                        "organizer": "Olga", "organizer_address": rt.OUTSIDER})
            self.b.events = evs
            self.b.fake.setup(events=evs)
            self.long_id = [e["id"] for e in self.b.fake.calendar() if e["subject"] == "Review 0"][0]
            return self.b.source(self.work)
        for i, (s, a, b) in enumerate(day_meetings()):
            self.b.acct.put("%sday-%d.ics" % (self.b.col, i), ics("day-%d" % i, a, b, s))
        self.b.acct.put("%slong.ics" % self.b.col, ics("long", T0 - 30 * MIN, T0 + 6 * 3600, "Review 0"))
        url, self.proxy_log, self.proxy = start_proxy(self.work, self.b.acct, self.refuse_sync)
        src = [ln for ln in self.b.source(self.work) if not ln.startswith(("url", "ca_file"))]
        return src + ["url = %s%s" % (url, self.b.col), "allow_insecure_http = yes"]

    def rename(self, n):
        subject = "Review %d" % n
        if self.backend == "graph":
            self.b.fake.admin("edit", {"room": self.b.room, "id": self.long_id, "subject": subject})
        else:
            self.b.acct.put("%slong.ics" % self.b.col, ics("long", T0 - 30 * MIN, T0 + 6 * 3600, subject))
        return subject

    def counters(self):
        if self.backend == "graph":
            log = self.b.fake.admin("log")
            return len(log["requests"]), log["bytes_sent"]
        with open(self.proxy_log + ".bytes") as f:
            sizes = [int(x) for x in f.read().split()]
        return len(sizes), sum(sizes)

    def title(self):
        try:
            with open(self.view) as f:
                v = json.load(f)
            return v.get("title")
        except (OSError, ValueError):
            return None

    def run(self):
        try:
            self._run()
        except Exception as e:          # reported in the table
            self.error = repr(e)

    def _run(self):
        src = self.seed()
        state = os.path.join(self.work, "state")
        os.makedirs(state)
        conf = os.path.join(self.work, "roomsign.conf")
        with open(conf, "w") as f:
            f.write("\n".join(["[room]", "name = Fjord", "timezone = UTC", "[source]"] + src + self.lines +
                              ["[paths]", "state_dir = " + state, "cache = %s/schedule.cache" % state, ""]))
        self.view = os.path.join(self.work, "view.json")
        speed = self.a.speed
        sign = signproc.Sign(self.a.roomsign, ["--config", conf, "--now", rt.iso(T0)],
                             os.path.join(self.work, "sign.log"),
                             env={"TZ": "UTC", "ROOMSIGN_CLOCK_SPEED": str(speed)}, view_json=self.view)
        try:
            if not signproc.wait_for(lambda: self.title() == "Review 0", 30, 0.01):
                raise RuntimeError("the first read never reached the screen")
            t_start = time.monotonic()
            req0, bytes0 = self.counters()
            rnd = random.Random(16)
            for hour in range(self.a.hours):
                at = t_start + (hour * 3600 + rnd.uniform(2 * MIN, 58 * MIN)) / speed
                time.sleep(max(0.0, at - time.monotonic()))
                subject = self.rename(hour + 1)
                t_change = time.monotonic()
                if not signproc.wait_for(lambda: self.title() == subject, 200 / speed, 0.005):
                    raise RuntimeError("change %d never reached the screen" % (hour + 1))
                self.latencies.append((time.monotonic() - t_change) * speed)
            time.sleep(max(0.0, t_start + self.a.hours * 3600 / speed - time.monotonic()))
            req1, bytes1 = self.counters()
            self.requests = (req1 - req0) / self.a.hours
            self.bytes = (bytes1 - bytes0) / self.a.hours
            if not sign.alive():
                raise RuntimeError("the sign died")
        finally:
            sign.stop(10)
            if self.proxy:
                self.proxy.terminate()
            self.b.stop()


def start_proxy(work, acct, refuse_sync):
    """The recording proxy (tests/integration/caldav_proxy.py) in front of Radicale; its log's
    .bytes file counts what the sign received."""
    port_file, log, faults = (os.path.join(work, n) for n in ("proxy.port", "proxy.log", "faults.json"))
    rules = [{"method": "REPORT", "contains": "sync-collection", "action": "status", "status": 501, "body": "",
              "content_type": "text/plain"}] if refuse_sync else []
    with open(faults, "w") as f:
        json.dump(rules, f)
    open(log, "w").close()
    open(log + ".bytes", "w").close()
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "integration", "caldav_proxy.py"), acct.base,
                             acct.srv["ca"], port_file, log, faults], stdin=subprocess.DEVNULL)

    def port():
        try:
            with open(port_file) as f:
                return int(f.read())
        except (OSError, ValueError):
            return None
    p = signproc.wait_for(port, 20, 0.05)
    if not p:
        raise RuntimeError("the CalDAV proxy did not start")
    return "http://127.0.0.1:%d" % p, log, proc


def ics(uid, start, end, subject):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//another client//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20261201T080000Z\r\nDTSTART:{rt.ical_utc(start)}\r\n"
            f"DTEND:{rt.ical_utc(end)}\r\nSUMMARY:{subject}\r\nORGANIZER;CN=Olga:mailto:{rt.OUTSIDER}\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("roomsign")
    ap.add_argument("tests")
    ap.add_argument("workdir")
    ap.add_argument("--hours", type=int, default=3)
    ap.add_argument("--speed", type=float, default=60)
    a = ap.parse_args()
    a.roomsign, a.tests, a.workdir = map(os.path.abspath, (a.roomsign, a.tests, a.workdir))
    runs = [Run(a, "graph", "full polling every 60 s", ["safety_refresh = 60", "poll = 3600"]),
            Run(a, "graph", "delta every 15 s (default)", []),
            Run(a, "caldav", "full polling every 60 s", [], refuse_sync=True),
            Run(a, "caldav", "sync-collection every 60 s", ["poll = 60", "safety_refresh = 86400"]),
            Run(a, "caldav", "sync-collection every 15 s (default)", [])]
    faulthandler.dump_traceback_later(a.hours * 3600 / a.speed + 240, exit=True)   # a hang says where
    threads = [threading.Thread(target=r.run) for r in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("per sign per hour, one change an hour, %d h at clock speed %g (latency: clock s, n=%d)"
          % (a.hours, a.speed, a.hours))
    print("%-7s %-38s %9s %12s %9s %9s" % ("source", "mode", "requests", "bytes", "lat. med", "lat. max"))
    failed = False
    for r in runs:
        if r.error:
            print("%-7s %-38s FAILED: %s" % (r.backend, r.label, r.error))
            failed = True
            continue
        print("%-7s %-38s %9.0f %12.0f %9.1f %9.1f" % (r.backend, r.label, r.requests, r.bytes,
                                                       statistics.median(r.latencies), max(r.latencies)))
    for backend, base, new in (("graph", 0, 1), ("caldav", 2, 4)):
        b, n = runs[base], runs[new]
        if not (b.error or n.error) and n.requests and n.bytes:
            print("%s: default vs full polling every 60 s: %.2fx the requests, %.1fx fewer bytes"
                  % (backend, n.requests / b.requests, b.bytes / n.bytes))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
