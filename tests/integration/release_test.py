#!/usr/bin/env python3
"""The room's calendar is never harmed by a release (issue 12): the real `roomsign` display,
headless, against each backend that can release -- the fake Exchange (EWS), the fake Graph and
Radicale (CalDAV) -- with the clock pinned (--now, ROOMSIGN_CLOCK_SPEED, TZ=UTC). Every case
judges the server's calendar, not the sign's log.

  release_test.py BACKEND CASE --roomsign BIN --tests DIR --workdir DIR
  release_test.py list        (prints BACKEND.CASE lines)

Cases:
  restart_releases_nothing     the sign is killed (-9) 3 minutes into a meeting and started again
                               15 minutes in, with [led] motion_release = 10 and [booking]
                               checkin = yes, checkin_grace = 10: nothing is released.
  watched_no_show_is_released  a sign that watched the whole check-in window still releases.
  watched_empty_room_is_released  a sign that watched the whole motion window (a sensor that
                               saw nobody) still releases.
  forged_marker_is_declined    an outsider's meeting carrying the sign's marker (roomsign- UID,
                               X-ROOMSIGN-BOOKED, the EWS/Graph marker) is declined or left, never
                               deleted; a recurring series with the marker is never deleted.
"""
import argparse
import calendar
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import traceback
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import signproc  # noqa: E402

T0 = calendar.timegm((2026, 12, 1, 10, 0, 0, 0, 0, 0))   # the meeting starts (UTC; the room is in UTC)
MIN = 60
SUBJECT = "Quarterly review"
OUTSIDER = "olga@example.com"


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def ical_utc(t):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


# ---- one backend each: seed meetings, config lines, what the server says was released ---------

class Ews:
    def __init__(self, a, work):
        import ews_fixture
        self.fx = ews_fixture
        self.c = ews_fixture.Context(types.SimpleNamespace(
            workdir=work, fake=os.path.join(a.tests, "fakes", "ews", "fake_ews.py"), ca_script=None), "ews")
        self.c.start_fake()
        self.room = ews_fixture.ROOM

    def others_meeting(self, start, end, recurring=False, forged=False):
        kw = dict(subject=SUBJECT, start=start, end=end, organizer={"name": "Olga", "email": OUTSIDER})
        if forged:
            kw["ext"] = {"RoomsignBooking": "roomsign"}
        if recurring:
            kw["recurrence"] = {"interval_s": 86400, "count": 5}
        return self.c.add_event(**kw)["id"]

    def own_booking(self, start, end):
        return self.c.add_event(subject=SUBJECT, start=start, end=end, ext={"RoomsignBooking": "roomsign"})["id"]

    def source(self, work):
        secret = os.path.join(work, "secret")
        with open(secret, "w") as f:
            f.write(self.fx.PASSWORD + "\n")
        os.chmod(secret, 0o600)
        return ["type = ews", "url = %s" % self.c.url, "mailbox = %s" % self.room,
                "username = EXAMPLE\\svc-roomsign", "password_file = %s" % secret, "auth = basic",
                "allow_insecure_http = yes"]  # the fake speaks plain HTTP; the sign refuses it otherwise

    def move_all(self, start, end):
        """Someone moves every meeting in Outlook (new times, new ChangeKey)."""
        for ev in self.c.calendar():
            self.c.admin_any("move", {"room": self.room, "id": ev["id"], "start": iso(start), "end": iso(end)})

    def releases(self):
        return [x for x in self.c.sent() if x["kind"] in ("decline", "delete", "cancel")]

    def deletes(self):
        return [x for x in self.c.sent() if x["kind"] in ("delete", "cancel")]

    def present(self):
        return len(self.c.calendar())

    def stop(self):
        self.c.stop()


class Graph:
    def __init__(self, a, work):
        import graph_harness as g
        self.g = g
        self.fake = g.Fake(work, os.path.join(a.tests, "fakes"))
        self.events = []
        self.room = g.ROOM

    def _add(self, ev):
        self.events.append(ev)
        self.fake.setup(events=self.events)

    def others_meeting(self, start, end, recurring=False, forged=False):
        ev = {"subject": SUBJECT, "start": iso(start), "end": iso(end), "organizer": "Olga",
              "organizer_address": OUTSIDER}
        if forged:
            ev["transactionId"] = "roomsign-20261201T090000Z-0123456789abcdef"
        if recurring:
            ev["type"] = "occurrence"
        self._add(ev)

    def own_booking(self, start, end):
        self._add({"subject": SUBJECT, "start": iso(start), "end": iso(end), "organizer": "Fjord",
                   "organizer_address": self.room,
                   "transactionId": "roomsign-20261201T090000Z-00112233445566aa"})

    def source(self, work):
        secret = os.path.join(work, "client_secret")
        with open(secret, "w") as f:
            f.write(self.g.SECRET + "\n")
        os.chmod(secret, 0o600)
        return ["type = graph", "mailbox = %s" % self.room, "tenant = %s" % self.g.TENANT_DOMAIN,
                "client_id = %s" % self.g.APP_ID, "authority = %s" % self.fake.url,
                "graph_url = %s/" % self.fake.url, "ca_file = %s" % self.fake.ca,
                "client_secret_file = %s" % secret]

    def move_all(self, start, end):
        for ev in self.fake.calendar():
            self.fake.admin("move", {"room": self.room, "id": ev["id"], "start": iso(start), "end": iso(end)})

    def checked_in_on_server(self):
        """The check-in is on the server's event (a single-value extended property)."""
        evs = self.fake.calendar()
        return len(evs) == 1 and any(v == "1" for v in evs[0].get("ext", {}).values())

    def releases(self):
        return [x for x in self.fake.actions() if x["action"] in ("decline", "delete", "cancel")]

    def deletes(self):
        return [x for x in self.fake.actions() if x["action"] in ("delete", "cancel")]

    def present(self):
        return len(self.fake.calendar())

    def stop(self):
        self.fake.stop()


class CalDav:
    ROOM = "room-4-12@example.com"

    def __init__(self, a, work):
        self.srv_dir = os.path.join(work, "radicale")
        self.server = os.path.join(HERE, "caldav_server.py")
        subprocess.run([sys.executable, self.server, "start", self.srv_dir], check=True, stdout=subprocess.DEVNULL)
        import caldav_common as cc
        cc.SERVER_DIR = self.srv_dir
        self.cc = cc
        self.acct = cc.Account("release")
        self.col = self.acct.mkcalendar("room", "Fjord")
        self.n = 0
        self.items = []
        self.room = self.ROOM

    def _put(self, uid, start, end, extra, href=None):
        if href is None:
            self.n += 1
            href = "%sm%d.ics" % (self.col, self.n)
            self.items.append((href, uid, extra))
        self.acct.put(href, (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//another client//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20261201T080000Z\r\nDTSTART:{ical_utc(start)}\r\n"
            f"DTEND:{ical_utc(end)}\r\nSUMMARY:{SUBJECT}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"))

    def others_meeting(self, start, end, recurring=False, forged=False):
        extra = f"ORGANIZER;CN=Olga:mailto:{OUTSIDER}\r\nATTENDEE;CUTYPE=ROOM;PARTSTAT=ACCEPTED:mailto:{self.ROOM}\r\n"
        if forged:
            extra += "X-ROOMSIGN-BOOKED:1\r\n"
        if recurring:
            extra += "RRULE:FREQ=DAILY;COUNT=5\r\n"
        self._put("roomsign-forged-%d" % self.n if forged else "outsider-%d" % self.n, start, end, extra)

    def own_booking(self, start, end):
        self._put("roomsign-00112233445566778899aabbccddeeff", start, end,
                  f"X-ROOMSIGN-BOOKED:1\r\nORGANIZER:mailto:{self.ROOM}\r\n")

    def source(self, work):
        secret = os.path.join(work, "secret")
        with open(secret, "w") as f:
            f.write(self.acct.password)
        os.chmod(secret, 0o600)
        return ["type = caldav", "url = %s%s" % (self.acct.base, self.col), "username = %s" % self.acct.user,
                "password_file = %s" % secret, "mailbox = %s" % self.ROOM,
                "ca_file = %s" % self.cc.server()["ca"]]

    def checked_in_on_server(self):
        """The check-in is on the server's resource (X-ROOMSIGN-CHECKED-IN)."""
        texts = self._texts()
        return bool(texts) and all("X-ROOMSIGN-CHECKED-IN" in t for t in texts)

    def move_all(self, start, end):
        for href, uid, extra in self.items:
            self._put(uid, start, end, extra, href=href)

    def _texts(self):
        return list(self.acct.resources(self.col).values())

    def releases(self):
        """A missing resource (deleted) or one the room declined."""
        texts = self._texts()
        gone = [{"deleted": True}] * (self.n - len(texts))
        return gone + [{"declined": t} for t in texts if "PARTSTAT=DECLINED" in t.replace("\r\n ", "")]

    def deletes(self):
        return [{"deleted": True}] * (self.n - len(self._texts()))

    def present(self):
        return len(self._texts())

    def stop(self):
        subprocess.run([sys.executable, self.server, "stop", self.srv_dir], stdout=subprocess.DEVNULL)


BACKENDS = {"ews": Ews, "graph": Graph, "caldav": CalDav}


# ---- the sign ---------------------------------------------------------------------------------

class World:
    def __init__(self, a, backend, name):
        self.a = a
        self.work = os.path.join(os.path.abspath(a.workdir), backend + "." + name)
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        self.state = os.path.join(self.work, "state")
        os.makedirs(self.state)
        self.backend = BACKENDS[backend](a, self.work)
        self.a = a
        self.signs = []

    def config(self, booking="", led="", name="roomsign.conf", refresh=30, state=None, push=True):
        """push=False: the sign learns of changes only by its refresh (no EWS streaming, no Graph
        delta or CalDAV sync polls in between), so a change on the server stays unseen."""
        state = state or self.state
        os.makedirs(state, exist_ok=True)
        quiet = [] if push else ["streaming = no", "poll = 3600", "safety_refresh = %d" % refresh]
        lines = ["[room]", "name = Fjord (4.12)", "timezone = UTC", "[source]"] + self.backend.source(self.work) + \
            quiet + ["refresh = %d" % refresh, "timeout = 10", "[booking]", booking, "[led]", led, "[paths]",
             "state_dir = %s" % state, "cache = %s/schedule.cache" % state, ""]
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write("\n".join(lines))
        return path

    def start(self, config, now, speed=1, name=None):
        name = name or "sign%d" % len(self.signs)
        view = os.path.join(self.work, name + ".view.json")
        env = {"TZ": "UTC", "ROOMSIGN_CLOCK_SPEED": str(speed)}
        s = signproc.Sign(self.a.roomsign, ["--config", config, "--now", iso(now)],
                          os.path.join(self.work, name + ".log"), env=env, view_json=view)
        s.view_path = view
        self.signs.append(s)
        return s

    def fresh(self, s, timeout=30):
        """Waits until s shows the meeting from a fresh fetch (no offline/cache notice)."""
        def ok():
            try:
                with open(s.view_path) as f:
                    v = json.load(f)
            except (OSError, ValueError):
                return None
            return v.get("title") == SUBJECT and not v.get("notice")
        check(signproc.wait_for(ok, timeout, 0.1), "%s never showed the meeting from a fresh fetch; log:\n%s"
              % (s.log_path, s.log_text()[-3000:]))

    def close(self):
        for s in self.signs:
            s.stop(10)
        self.backend.stop()


CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def releasable(w, start, end):
    """The meeting each backend can release: someone else's (declined) on EWS and Graph; on
    Radicale, which does no scheduling (RFC 6638), the sign's own booking (deleted)."""
    if isinstance(w.backend, CalDav):
        w.backend.own_booking(start, end)
    else:
        w.backend.others_meeting(start, end)


RESTART_BOOKING = "checkin = yes\ncheckin_before = 5\ncheckin_grace = 10"
RESTART_LED = "motion = 5\nmotion_release = 10"   # no [led] chip: a sensor that never reports motion


@case
def restart_releases_nothing(w):
    releasable(w, T0, T0 + 60 * MIN)
    config = w.config(RESTART_BOOKING, RESTART_LED)
    s = w.start(config, T0 + 3 * MIN)
    w.fresh(s)
    s.proc.kill()                                  # kill -9: no clean shutdown
    s.proc.wait()
    check(not w.backend.releases(), "released before the restart: %s" % w.backend.releases())
    # Back 15 minutes in: the check-in window and the motion window both passed while it was down.
    s = w.start(config, T0 + 15 * MIN, speed=10)
    w.fresh(s)
    time.sleep(8)                                  # 80 s of the sign's time with a fresh schedule
    check(s.alive(), "the sign died")
    check(not w.backend.releases(), "a restarted sign released the meeting: %s" % w.backend.releases())
    check(w.backend.present() == 1, "the meeting is still on the server")


def wait_released(w, s, timeout=40):
    got = signproc.wait_for(w.backend.releases, timeout, 0.25)
    check(got, "not released on the server within %d s; log:\n%s" % (timeout, s.log_text()[-3000:]))
    return got


@case
def watched_no_show_is_released(w):
    releasable(w, T0, T0 + 60 * MIN)
    s = w.start(w.config("checkin = yes\ncheckin_before = 0\ncheckin_grace = 1"), T0 - 20, speed=10)
    w.fresh(s)
    wait_released(w, s)


@case
def watched_empty_room_is_released(w):
    releasable(w, T0, T0 + 60 * MIN)
    s = w.start(w.config("", "motion = 5\nmotion_release = 1"), T0 - 20, speed=10)
    w.fresh(s)
    wait_released(w, s)


@case
def moved_meeting_is_left_alone(w):
    """The meeting is moved on the server after the sign's last fetch and before its grace ends:
    the re-read before the release sees it and leaves it alone."""
    releasable(w, T0, T0 + 60 * MIN)
    config = w.config("checkin = yes\ncheckin_before = 0\ncheckin_grace = 1", refresh=3600, push=False)
    s = w.start(config, T0 - 20, speed=10)        # refresh: 6 minutes of real time, none in the test
    w.fresh(s)
    w.backend.move_all(T0 + 30 * MIN, T0 + 90 * MIN)
    time.sleep(12)                                 # 120 s of the sign's time: its stale copy's grace passed
    check(s.alive(), "the sign died")
    check(not w.backend.releases(), "a meeting moved meanwhile was released: %s" % w.backend.releases())
    check(w.backend.present() == 1, "the moved meeting is still on the server")
    check("left in the calendar" in s.log_text(), "the sign says why it left the meeting")


@case
def two_signs_agree_on_check_ins(w):
    """Two doors, two signs on one room: a check-in tapped at sign A (a real window under Xvfb)
    reaches sign B through the server, and B, which watched the whole window but saw no tap,
    releases nothing. (EWS: e2e.check_in_at_one_sign_keeps_the_meeting_at_the_other.)"""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
    import harness
    releasable(w, T0, T0 + 60 * MIN)
    booking = "checkin = yes\ncheckin_before = 0\ncheckin_grace = 1"
    a_dir = os.path.join(w.work, "sign-a")
    os.makedirs(a_dir)
    a_conf = w.config(booking, name="a.conf", state=os.path.join(a_dir, "state"))
    xvfb = harness.Xvfb(a_dir, 800, 480)
    a = None
    try:
        b_mono0 = time.monotonic()
        b = w.start(w.config(booking), T0 - 20, speed=5)   # grace ends at 10:01: 16 s from now
        a = harness.Sign(w.a.roomsign, xvfb, a_dir, (800, 480), ["--config", a_conf, "--now", iso(T0 - 20)],
                         env={"ROOMSIGN_CLOCK_SPEED": "5"})
        w.fresh(b)
        a.wait_ids("a check-in button at sign A", lambda ids: "check-in" in ids, timeout=30)
        a.tap("check-in")
        a.wait_log("checked in")
        check(signproc.wait_for(w.backend.checked_in_on_server, 15, 0.2), "sign A wrote the check-in to the event")
        time.sleep(max(0.0, b_mono0 + 16 + 6 - time.monotonic()))  # past B's deadline, with a margin
        check(b.alive(), "sign B died")
        check(not w.backend.releases(), "sign B released a meeting checked in at sign A: %s" % w.backend.releases())
        check(w.backend.present() == 1, "the meeting is still on the server")
    finally:
        if a:
            a.stop()
        xvfb.stop()


@case
def forged_marker_is_declined(w):
    """An outsider's single meeting and an outsider's recurring series, both with the sign's marker,
    and both no-shows: neither is deleted (declined where the backend can, else left alone)."""
    w.backend.others_meeting(T0, T0 + 60 * MIN, forged=True)
    w.backend.others_meeting(T0 + 90 * MIN, T0 + 120 * MIN, forged=True, recurring=True)
    s = w.start(w.config("checkin = yes\ncheckin_before = 0\ncheckin_grace = 1"), T0 - 20, speed=10)
    w.fresh(s)
    # The single meeting's grace passes at 10:01; the series' occurrence is judged at its own
    # time (11:31) by a sign started just before it.
    if not isinstance(w.backend, CalDav):
        got = wait_released(w, s)
        check(all(x.get("kind", x.get("action")) == "decline" for x in got), "declined, not deleted: %s" % got)
    else:
        time.sleep(8)
    s.proc.terminate()
    s.proc.wait()
    s = w.start(w.config("checkin = yes\ncheckin_before = 0\ncheckin_grace = 1", name="b.conf"),
                T0 + 90 * MIN - 20, speed=10, name="series")
    signproc.wait_for(lambda: False, 10)          # 100 s of the sign's time: past 11:31
    check(s.alive(), "the sign died")
    check(not w.backend.deletes(), "an outsider's meeting was deleted: %s" % w.backend.deletes())
    if isinstance(w.backend, CalDav):             # no scheduling: nothing can be declined, all is left
        check(w.backend.present() == 2, "the outsider's meetings are still on the server")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("backend", nargs="?")
    ap.add_argument("case", nargs="?")
    ap.add_argument("--roomsign")
    ap.add_argument("--tests")
    ap.add_argument("--workdir")
    ap.add_argument("--graph-driver")
    ap.add_argument("--caldav-driver")
    a = ap.parse_args()
    if a.backend == "list":
        for b in BACKENDS:
            for c in CASES:
                if c == "two_signs_agree_on_check_ins" and b == "ews":
                    continue                       # EWS: e2e.check_in_at_one_sign_keeps_the_meeting_at_the_other
                print("%s.%s" % (b, c))
        return 0
    w = World(a, a.backend, a.case)
    try:
        CASES[a.case](w)
        print("ok %s.%s" % (a.backend, a.case))
        return 0
    except Exception:
        traceback.print_exc()
        for s in w.signs:
            with open(s.log_path, errors="replace") as f:
                print("--- %s\n%s" % (s.log_path, f.read()[-4000:]))
        return 1
    finally:
        w.close()


if __name__ == "__main__":
    sys.exit(main())
