#!/usr/bin/env python3
"""Changes made on the server reach the sign's screen within seconds (issue 16): the real
`roomsign` display (headless; its screen read from ROOMSIGN_VIEW_JSON, the texts it draws)
against the fake Graph (calendarView/delta) and the real Radicale (sync-collection), with the
DEFAULT [source] timing (poll 15 s, safety_refresh 900 s, refresh 60 s) and the clock pinned
(--now, TZ=UTC) and run at ROOMSIGN_CLOCK_SPEED (intervals are clock seconds, so bounds below
are clock seconds too).

  changes_test.py BACKEND CASE --roomsign BIN --tests DIR --workdir DIR
  changes_test.py list        (prints BACKEND.CASE lines)

Cases:
  changes_reach_the_screen   a meeting edited, deleted and created "from Outlook" (by the test,
                             never by the sign) is on the screen within 20 s each. With today's
                             60 s full refresh alone the three bounds cannot all hold (one of
                             the three lands at least 20 s before the next refresh).
  expired_token_reads_all    (graph) every delta token forgotten: the next poll gets 410, a new
                             round starts, the change is on the screen within 20 s and right,
                             and a deletion after it too. (CalDAV's refused token:
                             integration.caldav tests of sync-collection.)
  changes_after_midnight     the window moves on at midnight: a meeting at 00:00 is on the screen
                             within 20 s of midnight, a change to it after midnight within 20 s
                             (Graph: a new delta round over the new day).
  no_sync_polls_in_full      a server without the cheap path (Graph answering 400 on delta;
                             a CalDAV server refusing sync-collection): the sign reads the whole
                             window every `refresh` (60 s), not every 15 s, and changes still come.
"""
import argparse
import json
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import release_test as rt  # noqa: E402  (the backends: fake Graph, Radicale)
import signproc  # noqa: E402

T0 = rt.T0
MIN = 60
SPEED = 2          # the sign's clock runs twice as fast: 20 clock s are 10 s of waiting
BOUND_S = 20       # issue 16: Graph and CalDAV changes on the screen within 20 s


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


class World:
    def __init__(self, a, backend, name):
        self.a = a
        self.name = backend
        self.work = os.path.join(os.path.abspath(a.workdir), backend + "." + name)
        import shutil
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        self.b = rt.BACKENDS[backend](a, self.work)
        self.sign = None
        self.extra = []

    def start(self, source_lines=None, speed=SPEED, booking=(), now=T0):
        state = os.path.join(self.work, "state")
        os.makedirs(state, exist_ok=True)
        # Default timing: no refresh, poll or safety_refresh lines.
        lines = ["[room]", "name = Fjord (4.12)", "timezone = UTC", "[source]"] + \
            (source_lines or self.b.source(self.work)) + ["timeout = 10", "[booking]"] + list(booking) + \
            ["[paths]", "state_dir = %s" % state,
                                                          "cache = %s/schedule.cache" % state, ""]
        conf = os.path.join(self.work, "roomsign.conf")
        with open(conf, "w") as f:
            f.write("\n".join(lines))
        self.view = os.path.join(self.work, "view.json")
        self.hits = os.path.join(self.work, "hits.json")
        self.sign = signproc.Sign(self.a.roomsign, ["--config", conf, "--now", rt.iso(now)],
                                  os.path.join(self.work, "sign.log"), env={"TZ": "UTC",
                                                                            "ROOMSIGN_CLOCK_SPEED": str(speed)},
                                  view_json=self.view, hit_areas=self.hits)
        self.speed = speed

    def screen(self):
        try:
            with open(self.view) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def title(self):
        v = self.screen()
        return v.get("title") if v and not v.get("notice") else None

    def wait_title(self, want, what, clock_s):
        """Waits until the screen's title is `want` (None: no meeting); returns the clock
        seconds it took. Fails after clock_s clock seconds."""
        def shown():
            v = self.screen()
            return bool(v) and not v.get("notice") and (v.get("title") or None) == want
        t0 = time.monotonic()
        ok = signproc.wait_for(shown, clock_s / self.speed, 0.05)
        took = (time.monotonic() - t0) * self.speed
        check(ok, "%s: not on the screen within %d s of the sign's clock (screen: %s)" %
              (what, clock_s, self.screen()))
        print("%s: on the screen after %.1f s (clock)" % (what, took))
        return took

    def buttons(self):
        try:
            with open(self.hits) as f:
                return [h["id"] for h in json.load(f)]
        except (OSError, ValueError):
            return []

    def close(self):
        if self.sign:
            self.sign.stop(10)
        for p in self.extra:
            p.terminate()
        self.b.stop()


# ---- server-side edits "from Outlook", per backend ---------------------------------------------

def graph_ids(w):
    return [e["id"] for e in w.b.fake.calendar()]


def server_edit(w, subject, start=T0 - 30 * MIN, end=T0 + 60 * MIN):
    """Renames the first meeting (CalDAV writes it whole: start and end are its times)."""
    if w.name == "graph":
        w.b.fake.admin("edit", {"room": w.b.room, "id": graph_ids(w)[0], "subject": subject})
    else:
        href, uid, extra = w.b.items[0]
        w.b.acct.put(href, ics(uid, start, end, subject, extra))


def server_delete(w):
    if w.name == "graph":
        w.b.fake.admin("remove", {"room": w.b.room, "id": graph_ids(w)[0]})
    else:
        href = w.b.items.pop(0)[0]
        w.b.acct.delete(href)


def server_create(w, subject, start, end):
    if w.name == "graph":
        w.b.fake.admin("events", {"room": w.b.room, "events": [{"subject": subject, "start": rt.iso(start),
                                                                "end": rt.iso(end), "organizer": "Olga",
                                                                "organizer_address": rt.OUTSIDER}]})
    else:
        href = "%snew-%d.ics" % (w.b.col, len(w.b.items) + 100)
        uid = "outlook-%d" % (len(w.b.items) + 100)
        extra = "ORGANIZER;CN=Olga:mailto:%s\r\n" % rt.OUTSIDER
        w.b.items.append((href, uid, extra))
        w.b.acct.put(href, ics(uid, start, end, subject, extra))


def server_check_in_and_hide(w, step):
    """Another sign's check-in (step 0) and the organizer marking the meeting private (step 1),
    each written on the server."""
    if w.name == "graph":
        change = {"ext": {CHECKED_IN_ID: "1"}} if step == 0 else {"sensitivity": "private"}
        w.b.fake.admin("edit", dict(change, room=w.b.room, id=graph_ids(w)[0]))
    else:
        href, uid, extra = w.b.items[0]
        extra += "X-ROOMSIGN-CHECKED-IN:1\r\n" if step == 0 else "CLASS:PRIVATE\r\n"
        w.b.items[0] = (href, uid, extra)
        w.b.acct.put(href, ics(uid, T0, T0 + 60 * MIN, rt.SUBJECT, extra))


CHECKED_IN_ID = "String {00020329-0000-0000-C000-000000000046} Name RoomsignCheckedIn"


def ics(uid, start, end, subject, extra):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//another client//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20261201T080000Z\r\nDTSTART:{rt.ical_utc(start)}\r\n"
            f"DTEND:{rt.ical_utc(end)}\r\nSUMMARY:{subject}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n")


def seeded(w):
    w.b.others_meeting(T0 - 30 * MIN, T0 + 60 * MIN)
    w.start()
    w.wait_title(rt.SUBJECT, "the first read", 60)
    if w.name == "graph":   # the first poll starts the delta round, then reads the window once more
        full = lambda: [r for r in w.b.fake.requests("/calendarView", "GET") if not r["path"].endswith("/delta")]
        check(signproc.wait_for(lambda: len(full()) >= 2, 20 / w.speed, 0.05), "the first poll's delta round")


CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


@case
def changes_reach_the_screen(w):
    seeded(w)
    server_edit(w, "Budget talk")
    w.wait_title("Budget talk", "a meeting renamed on the server", BOUND_S)
    server_delete(w)
    w.wait_title(None, "a meeting deleted on the server", BOUND_S)
    server_create(w, "Board meeting", T0, T0 + 90 * MIN)
    w.wait_title("Board meeting", "a meeting created on the server", BOUND_S)
    if w.name == "graph":
        views = w.b.fake.requests("/calendarView", "GET")
        full = [r for r in views if not r["path"].endswith("/delta")]
        delta = [r for r in views if r["path"].endswith("/delta")]
        check(len(full) == 2, "two full calendarView reads (the start, the first poll's after its delta "
              "round), the rest by delta: %d" % len(full))
        check(len(delta) >= 3 and all("odata.maxpagesize=100" in r["prefer"] for r in delta),
              "the polls asked calendarView/delta with Prefer: odata.maxpagesize: %s" % delta[:3])


@case
def check_in_and_privacy_come_by_poll(w):
    """What calendarView/delta does not carry (the check-in's extended property) and what the
    sign must never show (a private meeting's subject) are right after a cheap poll."""
    w.b.others_meeting(T0, T0 + 60 * MIN)
    w.start(booking=["checkin = yes", "checkin_before = 5", "checkin_grace = 15"], now=T0 + MIN)
    w.wait_title(rt.SUBJECT, "the first read", 60)
    check(signproc.wait_for(lambda: "check-in" in w.buttons(), 10), "a check-in button: %s" % w.buttons())
    server_check_in_and_hide(w, 0)
    t0 = time.monotonic()
    check(signproc.wait_for(lambda: "check-in" not in w.buttons(), BOUND_S / w.speed, 0.05),
          "another sign's check-in not on the screen within %d s (buttons %s)" % (BOUND_S, w.buttons()))
    print("a check-in made elsewhere: on the screen after %.1f s (clock)" % ((time.monotonic() - t0) * w.speed))
    server_check_in_and_hide(w, 1)
    w.wait_title("Private meeting", "a meeting made private on the server", BOUND_S)


@case
def expired_token_reads_all(w):
    seeded(w)
    w.b.fake.admin("expire_delta", {})
    server_edit(w, "Budget talk")
    w.wait_title("Budget talk", "a meeting renamed after the delta token expired", BOUND_S)
    if w.name == "graph":
        gone = [r for r in w.b.fake.requests("/calendarView/delta", "GET") if r["status"] == 410]
        check(gone, "the old delta link was answered 410")
        firsts = [r for r in w.b.fake.requests("/calendarView/delta", "GET") if "startDateTime" in r["query"]]
        check(len(firsts) == 2, "a new delta round started after the 410: %d first requests" % len(firsts))
    server_delete(w)
    w.wait_title(None, "a meeting deleted after the new round", BOUND_S)


@case
def changes_after_midnight(w):
    """The sign's window moves on at midnight: the delta round of yesterday's window cannot say
    what changes in the new day. A meeting just after midnight is on the screen within 20 s of
    it, and a change made to it after midnight within 20 s too (Graph: a new delta round over
    the new day's window)."""
    midnight = T0 + 14 * 3600                      # T0 is 10:00 UTC: the next 00:00
    w.b.others_meeting(midnight, midnight + 60 * MIN)
    w.start(now=midnight - 40)
    check(signproc.wait_for(lambda: w.screen() is not None, 20, 0.05), "the first frame")
    w.wait_title(rt.SUBJECT, "the meeting that starts at midnight", 40 + BOUND_S)
    server_edit(w, "Night shift", midnight, midnight + 60 * MIN)
    w.wait_title("Night shift", "a meeting renamed on the server after midnight", BOUND_S)
    if w.name == "graph":
        firsts = [r["query"] for r in w.b.fake.requests("/calendarView/delta", "GET") if "startDateTime" in r["query"]]
        day = rt.iso(midnight)[:10]
        check(any("startDateTime=" + day in q for q in firsts),
              "a delta round over the new day's window (starting %s): %s" % (day, firsts))


@case
def no_sync_polls_in_full(w):
    w.b.others_meeting(T0 - 30 * MIN, T0 + 60 * MIN)
    if w.name == "graph":
        w.b.fake.admin("settings", {"delta": False})
        w.start(speed=10)
    else:
        import caldav_common as cc
        work = cc.Work.__new__(cc.Work)
        work.dir, work.procs = w.work, []
        url, log, faults, proc = work.proxy(w.b.acct)
        w.extra.append(proc)
        cc.set_faults(faults, [{"method": "REPORT", "contains": "sync-collection", "action": "status",
                                "status": 501, "body": "", "content_type": "text/plain"}])
        src = [line for line in w.b.source(w.work) if not line.startswith(("url", "ca_file"))]
        w.proxy_log = log
        w.start(src + ["url = %s%s" % (url, w.b.col), "allow_insecure_http = yes"], speed=10)
    w.wait_title(rt.SUBJECT, "the first read", 60)
    t_start = time.monotonic()
    server_edit(w, "Budget talk")
    w.wait_title("Budget talk", "a change without the cheap path (full reads every 60 s)", 80)
    time.sleep(max(0.0, t_start + 24 - time.monotonic()))        # 240 s of the sign's clock
    if w.name == "graph":
        full = [r for r in w.b.fake.requests("/calendarView", "GET") if not r["path"].endswith("/delta")]
        check(3 <= len(full) <= 7, "full reads every 60 s, not every 15 s: %d in ~250 s" % len(full))
    else:
        lines = open(w.proxy_log).read().splitlines()
        full = [ln for ln in lines if "calendar-query" in ln]
        check(3 <= len(full) <= 7, "full reads every 60 s, not every 15 s: %d in ~250 s" % len(full))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("backend", nargs="?")
    ap.add_argument("case", nargs="?")
    ap.add_argument("--roomsign")
    ap.add_argument("--tests")
    ap.add_argument("--workdir")
    a = ap.parse_args()
    if a.backend == "list":
        for b in ("graph", "caldav"):
            for c in CASES:
                if not (b == "caldav" and c == "expired_token_reads_all"):
                    print("%s.%s" % (b, c))
        return 0
    w = World(a, a.backend, a.case)
    try:
        CASES[a.case](w)
        print("ok %s.%s" % (a.backend, a.case))
        return 0
    except Exception:
        traceback.print_exc()
        if w.sign:
            print("--- sign log\n%s" % w.sign.log_text()[-4000:])
        return 1
    finally:
        w.close()


if __name__ == "__main__":
    sys.exit(main())
