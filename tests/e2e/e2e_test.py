#!/usr/bin/python3
"""End-to-end: the real roomsign binary in a real X window (a private Xvfb per test), tapped with
xdotool at the centre of the targets it reports with --hit-areas, against the fake Exchange
(tests/fakes/ews) over HTTP. Each booking action is asserted on the server (its control
interface), and the screen by its touch targets and the status band's colour in a screenshot.

  e2e_test.py CASE --roomsign BIN --fake fake_ews.py --ca-script make-test-ca.sh --workdir DIR
  e2e_test.py list
"""

import argparse
import calendar
import json
import os
import re
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import AMBER, BUSY, ERROR_BG, FREE, Failure, Sign, Xvfb, close, expect, wait_for  # noqa: E402
from ews_fixture import ANNEX, OTHER_ROOM, Context, ops  # noqa: E402
import testclock  # noqa: E402  (ews_fixture put tests/fakes on the path)

SIZE = (800, 480)
DAY = "2026-12-01"
PIN = "246813"               # [display] admin_pin needs 6 digits or more
CASES = {}
REFUSED = "The calendar server cannot be reached right now. Please try again in a minute."
JARGON = re.compile(r"HTTP|\b[1-5]\d\d\b|Exchange|EWS|SOAP|XML|ErrorInternal|Internal Server|curl|status", re.I)


def case(fn):
    CASES[fn.__name__.replace("test_", "", 1)] = fn
    return fn


def day_time(hm_s):
    parts = [int(p) for p in hm_s.split(":")] + [0]
    y, mo, d = (int(p) for p in DAY.split("-"))
    return calendar.timegm((y, mo, d, parts[0], parts[1], parts[2], 0, 0, 0))


# The scenarios are written around 10:00 on DAY. Under ROOMSIGN_TEST_NOW (ctest's "midnight" run)
# the whole scenario moves so that 10:00 falls on that time: at 23:50Z a sign started at "10:02"
# runs at 23:52 and a meeting at "10:30" starts after midnight, on the next day.
SHIFT = (testclock.target(os.environ["ROOMSIGN_TEST_NOW"], day_time("00:00")) - day_time("10:00")
         if os.environ.get("ROOMSIGN_TEST_NOW") else 0)


def at(hm_s):
    """UTC epoch seconds of DAY at "HH:MM[:SS]" (moved by SHIFT in the midnight run)."""
    return day_time(hm_s) + SHIFT


def hm(t):
    """The sign's "HH:MM" for t (the e2e room's zone is UTC)."""
    return time.strftime("%H:%M", time.gmtime(t))


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def epoch(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


class E2E:
    """One test's world: the fake Exchange, an Xvfb, and the sign (started by start())."""

    def __init__(self, args, name):
        self.args = args
        self.ews = Context(args, name)
        self.dir = self.ews.dir
        self.xvfb = None
        self.sign = None

    def start(self, now, booking="", display="", room="", source="", size=SIZE, demo=False, env=None, username=None):
        if not demo and not self.ews.fakes:
            self.ews.start_fake()
        extra = source + "\n[booking]\n" + booking + "\n[display]\ndpi = 96\nnight =\n" + display + "\n"
        if demo:
            path = os.path.join(self.dir, "demo.conf")
            with open(path, "w", encoding="utf-8") as f:
                f.write("[room]\nname = Fjord (4.12)\ntimezone = UTC\n%s\n[source]\ntype = demo\n%s"
                        "[paths]\nstate_dir = %s\n" % (room, extra, os.path.join(self.dir, "state")))
            config = path
        else:
            config = self.ews.config(extra=extra, **({"username": username} if username else {}))
            if room:
                with open(config, "a", encoding="utf-8") as f:
                    f.write("\n[room]\n" + room + "\n")
        self.xvfb = Xvfb(self.dir, *size)
        args = ["--config", config]
        if now is not None:
            args += ["--now", iso(now)]
        mono0 = time.monotonic()
        self.sign = Sign(self.args.roomsign, self.xvfb, self.dir, size, args, env=env)
        self.sign.now0, self.sign.mono0 = now, mono0
        return self.sign

    def calendar(self):
        return self.ews.calendar()

    def finish(self):
        try:
            if self.sign:
                self.sign.stop()
        finally:
            if self.xvfb:
                self.xvfb.stop()
            self.ews.stop()


def own_booking(w, start, end):
    return w.ews.add_event(subject="Booked at the room", start=start, end=end, ext={"RoomsignBooking": "roomsign"})


def others_meeting(w, start, end, subject="Team sync"):
    return w.ews.add_event(subject=subject, start=start, end=end,
                           organizer={"name": "Olga", "email": "olga@example.com"})


def dialog_colour(s):
    return s.pixel(4, 4, "dialog")


# --- book now --------------------------------------------------------------------------------------

@case
def test_book_30_minutes(w):
    s = w.start(at("10:02:10"))
    s.wait_status(FREE, "the room shows free")
    s.wait_ids("durations on the home screen", lambda ids: {"book-15", "book-30", "book-45", "book-60"} <= ids)
    # Exchange answers slowly: the sign must say "booking…" and not claim success meanwhile.
    w.ews.admin("settings", {"delay_ms_ops": {"CreateItem": 4000}})
    s.tap("book-30")
    s.wait_ids("the confirmation", lambda ids: ids == {"confirm", "cancel"})
    s.tap("confirm")
    s.wait_ids("the working screen (no targets while the request runs)", lambda ids: not ids)
    expect("done:" not in s.output(), "nothing reported done before the server confirmed")
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    expect(close(dialog_colour(s), FREE), "the success message is green")
    s.wait_log("done: The room is yours until %s." % hm(at("10:35")))
    cal = w.calendar()
    expect(len(cal) == 1, "one meeting on the server: %s" % cal)
    e = cal[0]
    expect(e["start"] == iso(at("10:02")) and e["end"] == iso(at("10:35")),
           "booked from the current minute for 30 minutes, rounded to 5: %s" % e)
    expect(e["ext"].get("RoomsignBooking"), "marked as booked at the sign: %s" % e)
    expect(e["subject"] == "Ad-hoc meeting", "the configured default subject: %s" % e)
    creates = [x for x in ops(w.ews.log(), "CreateItem")]
    expect(len(creates) == 1, "exactly one CreateItem: %s" % creates)
    s.tap("ok")
    s.wait_ids("home with the meeting's actions", lambda ids: "end-early" in ids and "book-30" not in ids)
    s.wait_status(BUSY, "the room shows busy")


@case
def test_book_by_touch(w):
    # SDL turns the pointer into touch events; the sign is told to ignore the mouse itself, so
    # only the SDL finger path (normalised coordinates → window pixels → hit test) can book.
    s = w.start(at("10:02:10"), env={"SDL_MOUSE_TOUCH_EVENTS": "1", "ROOMSIGN_INPUT": "touch"})
    s.wait_status(FREE, "the room shows free")
    s.tap("book-30")
    s.wait_ids("the confirmation", lambda ids: ids == {"confirm", "cancel"})
    s.tap("confirm")
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    cal = w.calendar()
    expect(len(cal) == 1 and cal[0]["end"] == iso(at("10:35")), "booked by touch: %s" % cal)


def tap_rotated(s, target_id, rotate, size=SIZE):
    """Clicks a target of a rotated frame: its centre in frame coordinates turned into the
    window's pixels the way the panel shows it (the inverse of the sign's mapping)."""
    h = s.wait_target(target_id)
    lx, ly = h["x"] + h["w"] // 2, h["y"] + h["h"] // 2
    W, H = size
    px, py = {90: (W - 1 - ly, lx), 180: (W - 1 - lx, H - 1 - ly), 270: (ly, H - 1 - lx)}[rotate]
    subprocess.run(["xdotool", "mousemove", str(s.origin[0] + px), str(s.origin[1] + py), "click", "1"],
                   env=s.xvfb.env, check=True, timeout=30)


@case
def test_rotated_panel_books_by_touch(w):
    """[display] rotate = 90 on an 800x480 panel: the frame is 480x800 (portrait) and a tap on
    the panel reaches the target drawn there, so the booking lands on the server."""
    s = w.start(at("10:02:10"), display="rotate = 90")
    s.wait_view("the room shows free", lambda v: v.get("status_word") == "FREE")
    hits = s.wait_ids("the durations", lambda ids: "book-30" in ids)
    expect(max(h["y"] + h["h"] for h in hits) > 480 and max(h["x"] + h["w"] for h in hits) <= 480,
           "the frame is portrait, 480 wide and 800 high: %s" % hits)
    tap_rotated(s, "book-30", 90)
    s.wait_ids("the confirmation", lambda ids: ids == {"confirm", "cancel"})
    tap_rotated(s, "confirm", 90)
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    cal = w.calendar()
    expect(len(cal) == 1 and cal[0]["end"] == iso(at("10:35")), "booked through the rotated panel: %s" % cal)


@case
def test_book_conflict_says_so_in_plain_words(w):
    s = w.start(at("10:02:10"))
    s.wait_status(FREE, "the room shows free")
    s.tap("book-30")
    s.wait_ids("the confirmation", lambda ids: ids == {"confirm", "cancel"})
    others_meeting(w, at("10:00"), at("11:00"), "Booked in Outlook")   # meanwhile, in Outlook
    s.tap("confirm")
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    expect(close(dialog_colour(s), ERROR_BG), "the failure message is red-brown")
    sentence = "Someone else has just booked the room for that time. Please choose another time."
    v = s.wait_view("the outcome on screen", lambda v: v.get("kind") == "dialog" and v.get("text"))
    expect(v["text"] == sentence, "the screen says so in plain words: %r" % v["text"])
    expect([e["subject"] for e in w.calendar()] == ["Booked in Outlook"],
           "only the person's meeting is on the server: %s" % w.calendar())
    s.tap("ok")
    s.wait_ids("home, without booking buttons now", lambda ids: "book-30" not in ids and "ok" not in ids)
    s.wait_status(BUSY, "the room shows the Outlook meeting: busy")


@case
def test_book_refused_by_server_returns_to_free(w):
    s = w.start(at("10:02:10"))
    s.wait_status(FREE, "the room shows free")
    w.ews.admin("faults", [{"kind": "500", "count": -1, "ops": ["CreateItem"]}])
    s.tap("book-30")
    s.tap("confirm")
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    expect(close(dialog_colour(s), ERROR_BG), "the failure message is red-brown")
    v = s.wait_view("the outcome on screen", lambda v: v.get("kind") == "dialog" and v.get("text"))
    text = v["text"]
    expect(text == REFUSED, "the screen says so in plain words: %r" % text)
    expect(not JARGON.search(text + v.get("heading", "")), "no protocol detail on screen: %r" % v)
    expect(w.calendar() == [], "nothing on the server: %s" % w.calendar())
    s.tap("ok")
    s.wait_ids("home with the durations again", lambda ids: "book-30" in ids)
    s.wait_status(FREE, "still free")


# --- meeting in progress ---------------------------------------------------------------------------

@case
def test_extend_own_meeting(w):
    own_booking_at = (at("10:00"), at("10:30"))
    w.ews.start_fake()
    own_booking(w, *own_booking_at)
    s = w.start(at("10:10:05"))
    s.wait_status(BUSY, "busy with our booking")
    s.wait_ids("extend buttons", lambda ids: {"extend-15", "extend-30", "end-early"} <= ids)
    s.tap("extend-15")
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    s.wait_log("done: The meeting now ends at %s." % hm(at("10:45")))
    cal = w.calendar()
    expect(len(cal) == 1 and cal[0]["end"] == iso(at("10:45")), "the server's meeting ends 15 minutes later: %s" % cal)
    s.tap("ok")
    s.wait_status(BUSY, "still busy")


@case
def test_extend_refused_when_next_meeting_is_in_the_way(w):
    w.ews.start_fake()
    own_booking(w, at("10:00"), at("10:30"))
    s = w.start(at("10:10:05"))
    s.wait_ids("extend buttons", lambda ids: "extend-30" in ids)
    # Someone books 10:40 in Outlook while the sign checks the calendar before extending.
    w.ews.admin("settings", {"delay_ms_ops": {"FindItem": 3000}})
    s.tap("extend-30")
    s.wait_ids("the working screen", lambda ids: not ids)      # the check is on its way, held 3 s
    others_meeting(w, at("10:40"), at("11:00"))
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    s.wait_log("failed: Another meeting starts then: the meeting cannot be extended.")
    mine = [e for e in w.calendar() if e["ext"].get("RoomsignBooking")]
    expect(mine and mine[0]["end"] == iso(at("10:30")), "our meeting is unchanged: %s" % mine)


@case
def test_end_early_own_meeting(w):
    w.ews.start_fake()
    own_booking(w, at("10:00"), at("10:30"))
    s = w.start(at("10:10:05"))
    s.wait_status(BUSY, "busy with our booking")
    s.tap("end-early")
    s.wait_ids("the confirmation", lambda ids: ids == {"confirm", "cancel"})
    s.tap("confirm")
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    s.wait_log("done: The meeting has ended. The room is free.")
    cal = w.calendar()
    expect(len(cal) == 1 and epoch(cal[0]["end"]) in (at("10:10"), at("10:11")),
           "the server's meeting now ends at the current minute: %s" % cal)
    s.tap("ok")
    s.wait_status(FREE, "the room is free")
    s.wait_ids("durations again", lambda ids: "book-15" in ids)


@case
def test_others_meeting_has_no_actions_by_default(w):
    w.ews.start_fake()
    others_meeting(w, at("10:00"), at("10:30"))
    s = w.start(at("10:10:05"))
    s.wait_status(BUSY, "busy")
    ids = set(s.ids())
    expect(not ids & {"extend-15", "extend-30", "end-early"}, "end_early = own: no actions: %s" % ids)


@case
def test_end_early_others_meeting_when_allowed(w):
    w.ews.start_fake()
    others_meeting(w, at("10:00"), at("10:30"))
    s = w.start(at("10:10:05"), booking="end_early = all")
    s.tap("end-early")
    s.tap("confirm")
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    s.wait_log("done: ")
    cal = w.calendar()
    expect(len(cal) == 1 and epoch(cal[0]["end"]) in (at("10:10"), at("10:11")), "ended now: %s" % cal)


# --- check-in and release of no-shows --------------------------------------------------------------

CHECKIN = "checkin = yes\ncheckin_before = 5\ncheckin_grace = 1"
# A sign releases only what it watched itself (issue 12): it is running before the check-in
# window opens (at the meeting's start here) and sees the whole of it.
CHECKIN_WATCHED = "checkin = yes\ncheckin_before = 0\ncheckin_grace = 1"


@case
def test_check_in_keeps_the_meeting(w):
    w.ews.start_fake()
    item = others_meeting(w, at("10:05"), at("11:00"))
    s = w.start(at("10:05:20"), booking=CHECKIN)
    s.wait_status(AMBER, "check-in pending shows amber")
    s.tap("check-in")
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    s.wait_log("checked in")
    s.tap("ok")
    s.wait_status(BUSY, "checked in: busy")
    # The grace period (1 minute from 10:05) passes: the meeting must stay.
    wait_for("the sign's clock to pass the deadline", lambda: time.monotonic() > t_deadline(s, at("10:06:20")),
             timeout=90, interval=0.5)
    s.wait_status(BUSY, "still busy after the grace period")
    expect([e["id"] for e in w.calendar()] == [item["id"]], "the meeting is still on the server: %s" % w.calendar())
    expect(not [x for x in w.ews.sent() if x["kind"] in ("decline", "delete")], "nothing released")


@case
def test_check_in_survives_a_restart(w):
    w.ews.start_fake()
    item = others_meeting(w, at("10:05"), at("11:00"))
    s = w.start(at("10:05:20"), booking=CHECKIN)
    s.wait_status(AMBER, "check-in pending shows amber")
    s.tap("check-in")
    s.wait_log("checked in")
    s.stop()
    w.xvfb.stop()
    # Restarted after the grace period: without the remembered check-in it would release at once.
    s = w.start(at("10:06:40"), booking=CHECKIN)
    s.wait_status(BUSY, "the checked-in meeting is still busy after a restart")
    time.sleep(3)
    expect([e["id"] for e in w.calendar()] == [item["id"]], "the meeting is still on the server: %s" % w.calendar())
    expect(not [x for x in w.ews.sent() if x["kind"] in ("decline", "delete")], "nothing released")


@case
def test_check_in_at_one_sign_keeps_the_meeting_at_the_other(w):
    """Two doors, two signs on one room (issue 12): a check-in tapped at sign A is written to the
    event on the server, and sign B, which never saw the tap, does not release the meeting."""
    import signproc
    w.ews.start_fake()
    item = others_meeting(w, at("10:05"), at("11:00"))
    a = w.start(at("10:04:55"), booking=CHECKIN_WATCHED)
    with open(w.ews.config_path, encoding="utf-8") as f:     # B: the same room, its own state
        text = f.read().replace(os.path.join(w.dir, "state"), os.path.join(w.dir, "state-b"))
    b_conf = os.path.join(w.dir, "b.conf")
    with open(b_conf, "w", encoding="utf-8") as f:
        f.write(text)
    b_mono0 = time.monotonic()
    b = signproc.Sign(w.args.roomsign, ["--config", b_conf, "--now", iso(at("10:04:55"))],
                      os.path.join(w.dir, "sign-b.log"), env={"TZ": "UTC"})
    try:
        a.wait_ids("a check-in button once the window opens", lambda ids: "check-in" in ids)
        a.tap("check-in")
        a.wait_log("checked in")
        wait_for("the check-in on the server's event",
                 lambda: w.calendar() and w.calendar()[0].get("ext", {}).get("RoomsignCheckedIn") == "1",
                 timeout=30, interval=0.5)
        # B's grace ends at 10:06 by its clock; wait past it with a margin for its release.
        wait_for("sign B's clock to pass the deadline", lambda: time.monotonic() > b_mono0 + 70 + 5,
                 timeout=120, interval=0.5)
        expect(b.alive(), "sign B is still running")
        expect(not [x for x in w.ews.sent() if x["kind"] in ("decline", "delete")],
               "sign B released a meeting checked in at sign A: %s" % w.ews.sent())
        expect([e["id"] for e in w.calendar()] == [item["id"]], "the meeting is still on the server")
    finally:
        b.stop()


def t_deadline(s, sign_time):
    """The monotonic instant at which the sign's clock (started at s.now0 when s started) reads sign_time."""
    return s.mono0 + (sign_time - s.now0)


@case
def test_no_show_is_released_after_grace(w):
    w.ews.start_fake()
    others_meeting(w, at("10:05"), at("11:00"))
    s = w.start(at("10:04:55"), booking=CHECKIN_WATCHED)
    s.wait_ids("a check-in button once the window opens", lambda ids: "check-in" in ids)
    s.wait_status(AMBER, "check-in pending shows amber")
    s.wait_log("LED amber, blinking")                           # the LED says so too (null LED logs)
    wait_for("the meeting to be declined on the server",
             lambda: [x for x in w.ews.sent() if x["kind"] == "decline"], timeout=90, interval=0.5)
    sent = w.ews.sent()
    expect([x["kind"] for x in sent] == ["decline"] and sent[0]["to"] == "olga@example.com",
           "declined, so the organiser knows: %s" % sent)
    wait_for("the room to be free on the server", lambda: w.calendar() == [])
    s.wait_status(FREE, "the room shows free again")
    s.wait_ids("durations again", lambda ids: "book-15" in ids and "check-in" not in ids)
    s.wait_log("LED green")


@case
def test_own_no_show_is_deleted_after_grace(w):
    w.ews.start_fake()
    own_booking(w, at("10:05"), at("10:35"))
    s = w.start(at("10:04:55"), booking=CHECKIN_WATCHED)
    s.wait_status(AMBER, "check-in pending")
    wait_for("the booking to be deleted", lambda: w.calendar() == [], timeout=90, interval=0.5)
    expect([x["kind"] for x in w.ews.sent() if x["kind"] != "create"] == ["delete"], "our own: deleted")
    s.wait_status(FREE, "the room shows free again")


# --- admin, find a room, idle ----------------------------------------------------------------------

@case
def test_admin_pin_wrong_then_right(w):
    s = w.start(at("10:02:10"), display="admin_pin = " + PIN)
    s.wait_status(FREE, "free")
    s.tap("admin")
    s.wait_ids("the PIN pad", lambda ids: {"pin-0", "pin-9", "pin-ok", "pin-clear", "back"} <= ids)
    for d in "1111":
        s.tap("pin-" + d)
    s.tap("pin-ok")
    time_to_settle(s)
    expect("pin-ok" in s.ids() and "refresh" not in s.ids(), "a wrong PIN keeps the pad: %s" % s.ids())
    for d in PIN:
        s.tap("pin-" + d)
    s.tap("pin-ok")
    s.wait_ids("the admin screen", lambda ids: ids == {"refresh", "back"})
    finds = len(ops(w.ews.log(), "FindItem"))
    s.tap("refresh")
    wait_for("a refresh on the server", lambda: len(ops(w.ews.log(), "FindItem")) > finds)
    s.tap("back")
    s.wait_ids("home", lambda ids: "book-30" in ids)


def time_to_settle(s):
    """Waits until the sign has drawn the frame after the last tap: a ping through the hit areas."""
    before = os.stat(s.hits_path).st_mtime_ns
    # Pressing empty space redraws (the pressed state is cleared) without acting.
    subprocess.run(["xdotool", "mousemove", str(s.origin[0] + 2), str(s.origin[1] + 2), "click", "1"],
                   env=s.xvfb.env, check=True)
    wait_for("a fresh frame", lambda: os.stat(s.hits_path).st_mtime_ns != before)


@case
def test_idle_returns_home(w):
    # idle = 5, not the default 30: home comes back after 5 s of no touch, and not before.
    s = w.start(at("10:02:10"), booking="idle = 5", display="admin_pin = " + PIN)
    s.tap("book-30")
    s.wait_ids("the confirmation", lambda ids: ids == {"confirm", "cancel"})
    t0 = time.monotonic()
    s.wait_ids("home again without a tap", lambda ids: "book-30" in ids, timeout=12)
    idle_gap(time.monotonic() - t0, "the confirmation")
    s.tap("admin")
    s.tap("pin-1")
    s.wait_ids("the PIN pad after a digit", lambda ids: "pin-1" in ids)
    t0 = time.monotonic()
    s.wait_ids("home again from the PIN pad", lambda ids: "book-30" in ids and "pin-1" not in ids, timeout=12)
    idle_gap(time.monotonic() - t0, "the PIN pad")
    expect(w.calendar() == [], "nothing booked")


def idle_gap(elapsed, where):
    """The time from the last tap to home: about idle = 5 s, not the default 30 s (the upper
    bound is the wait itself) and not at once."""
    expect(elapsed >= 4.0, "home came back after %.1f s from %s, before idle = 5 ran out" % (elapsed, where))


@case
def test_find_a_free_room(w):
    w.ews.start_fake()
    w.ews.add_event(room=OTHER_ROOM, subject="Board", start=at("09:30"), end=at("11:15"))
    w.ews.add_event(room=ANNEX, subject="Later", start=at("13:00"), end=at("14:00"))
    s = w.start(at("10:02:10"), source="nearby_rooms = %s, %s" % (OTHER_ROOM, ANNEX))
    s.wait_status(FREE, "the room shows free")      # the window is up and drawn before the tap
    s.tap("find-room")
    s.wait_ids("the room list", lambda ids: ids == {"room-1", "refresh", "back"})  # the free one: bookable
    wait_for("free/busy asked on the server", lambda: ops(w.ews.log(), "GetUserAvailabilityRequest"))
    v = s.wait_view("the rooms listed", lambda v: v.get("kind") == "list" and len(v.get("lines", [])) == 2)
    rows = {r["time"]: r["text"] for r in v["lines"]}
    expect(rows == {"Harbour (2.01)": "busy until 11:15", "Fjord Annex (3.07)": "free until 13:00"},
           "one busy, one free, by the names in Exchange's address book: %s" % v["lines"])
    s.tap("back")
    s.wait_ids("home", lambda ids: "find-room" in ids)


@case
def test_book_a_free_room_of_the_list(w):
    """Find a room → Annex → 30 min: two taps from the list, and the booking is in Annex's
    calendar on the server (made through the same account, impersonating Annex), not in ours."""
    w.ews.start_fake()
    w.ews.add_event(room=OTHER_ROOM, subject="Board", start=at("09:30"), end=at("11:15"))
    w.ews.add_event(room=ANNEX, subject="Later", start=at("10:40"), end=at("14:00"))
    s = w.start(at("10:02:10"), source="nearby_rooms = Board room (2.01) <%s>, Annex <%s>" % (OTHER_ROOM, ANNEX))
    s.wait_status(FREE, "the room shows free")
    s.tap("find-room")
    v = s.wait_view("the rooms listed", lambda v: v.get("kind") == "list" and len(v.get("lines", [])) == 2)
    rows = {r["time"]: r["text"] for r in v["lines"]}
    expect(rows == {"Board room (2.01)": "busy until 11:15", "Annex": "free until 10:40"},
           "the rooms by the names the config gives: %s" % v["lines"])
    s.wait_ids("the free room's button", lambda ids: ids == {"room-1", "refresh", "back"})
    s.tap("room-1")
    # Free until 10:40 from 10:02: 15 and 30 minutes fit (ending 10:20, 10:35), and the 35
    # minutes up to 10:40; 45 and 60 do not.
    s.wait_ids("Annex's durations", lambda ids: ids == {"room-book-15", "room-book-30", "room-book-35", "back"})
    s.tap("room-book-30")
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    v = s.wait_view("the outcome's words", lambda v: v.get("heading") in ("Done", "That did not work"))
    expect(v["heading"] == "Done" and v.get("text") == "Annex is yours until 10:35.", "the outcome: %s" % v)
    annex = [e for e in w.ews.calendar(room=ANNEX) if e["subject"] != "Later"]
    expect(len(annex) == 1 and annex[0]["start"] == iso(at("10:02")) and annex[0]["end"] == iso(at("10:35")),
           "the booking is in Annex's calendar on the server: %s" % annex)
    expect(w.calendar() == [], "nothing was booked in the sign's own room: %s" % w.calendar())
    creates = [e for e in w.ews.log() if e.get("op") == "CreateItem"]
    expect(creates and all(e.get("impersonated") == ANNEX for e in creates),
           "CreateItem impersonated Annex: %s" % creates)


@case
def test_book_a_room_of_the_list_taken_meanwhile(w):
    """Someone books Annex in Outlook between the list and the tap: the sign re-reads Annex's
    calendar before booking, says so, and creates nothing."""
    w.ews.start_fake()
    s = w.start(at("10:02:10"), source="nearby_rooms = Annex <%s>" % ANNEX)
    s.wait_status(FREE, "the room shows free")
    s.tap("find-room")
    s.wait_ids("the free room's button", lambda ids: ids == {"room-0", "refresh", "back"})
    s.tap("room-0")
    s.wait_ids("Annex's durations", lambda ids: "room-book-30" in ids)
    w.ews.add_event(room=ANNEX, subject="Taken", start=at("10:00"), end=at("11:00"),
                    organizer={"name": "Olga", "email": "olga@example.com"})
    s.tap("room-book-30")
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    v = s.wait_view("the outcome's words", lambda v: v.get("heading") in ("Done", "That did not work"))
    expect(v["heading"] == "That did not work" and "Someone else has just booked that room" in v.get("text", ""),
           "the booking is refused, in plain words: %s" % v)
    annex = w.ews.calendar(room=ANNEX)
    expect([e["subject"] for e in annex] == ["Taken"], "nothing created in Annex: %s" % annex)


@case
def test_book_a_room_outside_the_impersonation_scope(w):
    """The account's ApplicationImpersonation scope covers Fjord* only: Harbour's free/busy comes
    through our room, but booking Harbour is refused by Exchange (ErrorImpersonateUserDenied); the
    screen says so in plain words and nothing is made."""
    w.ews.start_fake()
    s = w.start(at("10:02:10"), source="nearby_rooms = Harbour <%s>" % OTHER_ROOM, username="EXAMPLE\\svc-scoped")
    s.wait_status(FREE, "the room shows free")
    s.tap("find-room")
    s.wait_ids("the free room's button", lambda ids: ids == {"room-0", "refresh", "back"})
    s.tap("room-0")
    s.wait_ids("Harbour's durations", lambda ids: "room-book-30" in ids)
    s.tap("room-book-30")
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    v = s.wait_view("the outcome's words", lambda v: v.get("heading") in ("Done", "That did not work"))
    expect(v["heading"] == "That did not work" and v["text"] == "This sign may not book that room. Please tell IT.",
           "refused, in plain words: %s" % v)
    expect(w.ews.calendar(room=OTHER_ROOM) == [], "nothing made in Harbour: %s" % w.ews.calendar(room=OTHER_ROOM))
    expect(w.calendar() == [], "nothing made in our room either")


# --- the display itself ----------------------------------------------------------------------------

@case
def test_demo_starts_draws_and_stops_on_sigterm(w):
    # At hh:mm:05 the sign's next timed wake is 55 s away: only the signal itself can end its sleep.
    s = w.start(at("10:15:05"), demo=True)
    x, y = s.status_point()
    # The window maps before its first frame is presented (a loaded machine shows the gap).
    try:
        wait_for("a status band is drawn",
                 lambda: any(close(s.pixel(x, y, "demo"), c) for c in (FREE, BUSY, AMBER)), interval=0.3)
    except Failure as e:
        raise Failure("%s: %s" % (e, s.pixel(x, y)))
    rc = s.stop(timeout=20)
    w.sign = None
    expect(rc == 0, "exit status 0 on SIGTERM, not %s\n%s" % (rc, s.output()))
    expect("stopping" in s.output(), "it says it stops")


@case
def test_night_first_tap_only_wakes_then_taps_act(w):
    # At night (the panel off) the first tap only turns the panel on; the next one acts.
    s = w.start(at("23:00:05"), demo=True, display="night = 22:00-06:00")
    s.wait_log("backlight off (night)")
    s.tap("end-early")
    s.wait_log("backlight on")
    time.sleep(1)                                   # what a waking tap wrongly opened would show by now
    expect("confirm" not in s.ids() and "end-early" in s.ids(), "the waking tap acted: %s" % s.ids())
    s.tap("end-early")
    s.wait_ids("the end-now dialog after the waking tap", lambda ids: "confirm" in ids, timeout=15)


@case
def test_danish_on_screen(w):
    s = w.start(at("10:15:00"), demo=True, room="language = da")
    s.wait_status(BUSY, "the demo's meeting: busy")
    labels = {h["id"]: h["label"] for h in s.hits()}
    expect(labels.get("end-early") == "Afslut nu", "Danish button labels in the window: %s" % labels)
    # the same offscreen, with another screen's words
    png = os.path.join(w.dir, "da.png")
    hits = os.path.join(w.dir, "da.json")
    cfg = os.path.join(w.dir, "demo.conf")
    with open(cfg, "a", encoding="utf-8") as f:
        f.write("\n[source]\nnearby_rooms = harbour@example.com\n")
    p = subprocess.run([w.args.roomsign, "--config", cfg, "screenshot", png, "--now", "2026-12-01T08:30Z",
                        "--size", "1024x600", "--hit-areas", hits], capture_output=True, text=True,
                       env=dict(os.environ, SDL_VIDEODRIVER="dummy", TZ="UTC"), timeout=60)
    expect(p.returncode == 0, "screenshot works: %s" % p.stderr)
    with open(hits, encoding="utf-8") as f:
        labels = {h["id"]: h["label"] for h in json.load(f)}
    expect(labels.get("end-early") == "Afslut nu" and labels.get("find-room") == "Find et lokale",
           "Danish labels offscreen: %s" % labels)
    out = subprocess.run(["convert", png, "-crop", "1x1+%d+%d" % (int(600 / 40 * 1.6), int(600 * 0.3)),
                          "-depth", "8", "txt:-"], capture_output=True, text=True, check=True).stdout
    expect("#%02X%02X%02X" % BUSY in out.upper(), "the offscreen frame has the busy band: %s" % out)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "list":
        print(";".join(sorted(CASES)))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--roomsign", required=True)
    ap.add_argument("--fake", required=True)
    ap.add_argument("--ca-script", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    w = E2E(args, args.case)
    try:
        CASES[args.case](w)
        status = 0
        print("ok   %s" % args.case)
    except Exception:
        traceback.print_exc()
        if w.sign:
            print("--- roomsign log ---\n" + w.sign.output())
        print("artifacts (screenshots, logs): " + w.dir)
        status = 1
    finally:
        w.finish()
    return status


if __name__ == "__main__":
    sys.exit(main())
