#!/usr/bin/python3
"""End-to-end "Find a room" on Graph and CalDAV (the Exchange cases are in e2e_test.py): the real
roomsign in an Xvfb window, tapped with xdotool on its named touch targets (find-room, then
room-<i>, then room-book-<minutes>), against the fake Graph and a real Radicale. Each case reads
the list's names and free-until times from the screen (ROOMSIGN_VIEW_JSON) and the booking from
the other room's calendar on the server.

  find_room_test.py CASE --roomsign BIN --fakes DIR --workdir DIR
  find_room_test.py list
"""

import argparse
import calendar
import os
import shutil
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import FREE, Sign, Xvfb, expect  # noqa: E402
import graph_harness  # noqa: E402
import release_test  # noqa: E402  (its CalDav backend: Radicale with the test CA)

SIZE = (800, 480)
NOW = calendar.timegm((2026, 12, 1, 10, 2, 10, 0, 0, 0))   # pinned: the sign starts at 10:02:10Z
CASES = {}


def case(fn):
    CASES[fn.__name__.replace("test_", "", 1)] = fn
    return fn


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def at(hm):
    h, m = hm.split(":")
    return NOW - NOW % 86400 + int(h) * 3600 + int(m) * 60


def ical_utc(t):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


class World:
    def __init__(self, args, name):
        self.args = args
        self.dir = os.path.join(args.workdir, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(os.path.join(self.dir, "state"))
        self.xvfb = None
        self.sign = None
        self.stops = []

    def start(self, config):
        self.xvfb = Xvfb(self.dir, *SIZE)
        self.sign = Sign(self.args.roomsign, self.xvfb, self.dir, SIZE, ["--config", config, "--now", iso(NOW)])
        return self.sign

    def finish(self):
        try:
            if self.sign:
                self.sign.stop()
        finally:
            if self.xvfb:
                self.xvfb.stop()
            for stop in reversed(self.stops):
                stop()


def open_list(s, rows_wanted):
    s.wait_status(FREE, "the room shows free")
    s.tap("find-room")
    v = s.wait_view("the rooms listed", lambda v: v.get("kind") == "list" and len(v.get("lines", [])) == rows_wanted)
    return {r["time"]: r["text"] for r in v["lines"]}


def book(s, room_id, durations, minutes):
    """room-<i> → its durations → room-book-<minutes>; returns the outcome dialog's view."""
    s.tap(room_id)
    s.wait_ids("the room's durations", lambda ids: ids == durations)
    s.tap("room-book-%d" % minutes)
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    return s.wait_view("the outcome's words", lambda v: v.get("heading") in ("Done", "That did not work"))


# --- Graph -------------------------------------------------------------------------------------------

def graph_world(w, scope="*"):
    ns = argparse.Namespace(roomsign=w.args.roomsign, driver=None, work=os.path.join(w.dir, "graph"),
                            fakes=w.args.fakes)
    env = graph_harness.Env(ns, "find-room")
    w.stops.append(env.close)
    meeting = {"organizer": "Olga", "organizer_address": "olga@example.com"}
    env.fake.setup(scope=scope, events=[
        dict(meeting, room=graph_harness.ROOM2, subject="Later", start=iso(at("10:40")), end=iso(at("14:00"))),
        dict(meeting, room=graph_harness.ROOM3, subject="Board", start=iso(at("09:30")), end=iso(at("11:15")))])
    config = env.write_config(nearby=("Sund (4.14) <%s>" % graph_harness.ROOM2, graph_harness.ROOM3),
                              extra="[display]\ndpi = 96\nnight =\n")
    return env, config


def others(env, room, subject):
    return [e for e in env.fake.calendar(room) if e.get("subject") != subject]


@case
def test_graph_book_a_free_room(w):
    env, config = graph_world(w)
    s = w.start(config)
    rows = open_list(s, 2)
    expect(rows.get("Sund (4.14)") == "free until 10:40" and "busy until 11:15" in rows.values(),
           "Sund free until 10:40 by its configured name, the other busy: %s" % rows)
    s.wait_ids("the free room's button", lambda ids: ids == {"room-0", "refresh", "back"})
    v = book(s, "room-0", {"room-book-15", "room-book-30", "room-book-35", "back"}, 30)
    expect(v["heading"] == "Done" and v["text"] == "Sund (4.14) is yours until 10:35.", "the outcome: %s" % v)
    made = others(env, graph_harness.ROOM2, "Later")
    expect(len(made) == 1 and graph_harness.parse_iso(made[0]["start"]) == at("10:02") and
           graph_harness.parse_iso(made[0]["end"]) == at("10:35"),
           "the booking is in Sund's calendar on the fake Graph: %s" % made)
    expect(env.fake.calendar(graph_harness.ROOM) == [], "nothing in the sign's own room")


@case
def test_graph_room_outside_the_apps_scope(w):
    """The app's RBAC scope leaves Sund out: the fake Graph answers its schedule with an error, so
    the list says "unknown" and offers no button for it (a room the sign cannot see it cannot book)."""
    env, config = graph_world(w, scope=[graph_harness.ROOM, graph_harness.ROOM3])
    s = w.start(config)
    rows = open_list(s, 2)
    expect(rows.get("Sund (4.14)") == "unknown", "Sund's free/busy is not known: %s" % rows)
    s.wait_ids("the list, no room to book", lambda ids: ids == {"refresh", "back"})
    expect(others(env, graph_harness.ROOM2, "Later") == [], "nothing made in Sund's calendar")


# --- CalDAV (Radicale) -----------------------------------------------------------------------------

@case
def test_caldav_book_a_free_room(w):
    """nearby_rooms holds the other room's calendar URL, no name: the list shows the calendar's
    displayname from Radicale; the booking is a resource in that calendar."""
    cd = release_test.CalDav(None, w.dir)
    w.stops.append(cd.stop)
    annex = cd.acct.mkcalendar("annex", "Annex 3.07")
    board = cd.acct.mkcalendar("board", "Board room")
    for col, uid, start, end in ((annex, "later", "10:40", "14:00"), (board, "board", "09:30", "11:15")):
        cd.acct.put(col + uid + ".ics", (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//another client//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20261201T080000Z\r\nDTSTART:{ical_utc(at(start))}\r\n"
            f"DTEND:{ical_utc(at(end))}\r\nSUMMARY:{uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
    lines = ["[room]", "name = Fjord (4.12)", "timezone = UTC", "[source]"] + cd.source(w.dir) + [
        "nearby_rooms = %s%s, %s%s" % (cd.acct.base, board, cd.acct.base, annex),
        "[display]", "dpi = 96", "night =", "[paths]", "state_dir = %s" % os.path.join(w.dir, "state"), ""]
    config = os.path.join(w.dir, "roomsign.conf")
    with open(config, "w") as f:
        f.write("\n".join(lines))
    s = w.start(config)
    rows = open_list(s, 2)
    expect(rows == {"Board room": "busy until 11:15", "Annex 3.07": "free until 10:40"},
           "the calendars' display names and times: %s" % rows)
    s.wait_ids("the free room's button", lambda ids: ids == {"room-1", "refresh", "back"})
    v = book(s, "room-1", {"room-book-15", "room-book-30", "room-book-35", "back"}, 30)
    expect(v["heading"] == "Done" and v["text"] == "Annex 3.07 is yours until 10:35.", "the outcome: %s" % v)
    made = [t for h, t in cd.acct.resources(annex).items() if not h.endswith("later.ics")]
    expect(len(made) == 1 and "DTSTART:%s" % ical_utc(at("10:02")) in made[0] and
           "DTEND:%s" % ical_utc(at("10:35")) in made[0], "the booking is in Annex's calendar on Radicale: %s" % made)
    expect(cd.acct.resources(cd.col) == {}, "nothing in the sign's own calendar")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "list":
        print(";".join(sorted(CASES)))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--roomsign", required=True)
    ap.add_argument("--fakes", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    w = World(args, args.case)
    try:
        CASES[args.case](w)
        print("ok   %s" % args.case)
        return 0
    except Exception:
        traceback.print_exc()
        if w.sign:
            print("--- roomsign log ---\n" + w.sign.output())
        print("artifacts (screenshots, logs): " + w.dir)
        return 1
    finally:
        w.finish()


if __name__ == "__main__":
    sys.exit(main())
