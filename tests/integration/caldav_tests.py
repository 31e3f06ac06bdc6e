#!/usr/bin/env python3
"""CalDAV integration tests against the real Radicale started by the ctest fixture
(caldav_server.py). Usage: caldav_tests.py TEST_NAME. Each test makes its own account."""
import datetime as dt
import os
import re
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

from caldav_common import (Account, Driver, Fail, Work, agenda, check, clear_log, event_ics,
                           events, ical_utc, read_log, set_faults, utc, ZONE)

TZ = ZoneInfo(ZONE)
UTC = dt.timezone.utc


def now():
    # time.time(), not datetime.now(): ROOMSIGN_TEST_NOW pins time.time (tests/fakes/testclock.py).
    return dt.datetime.fromtimestamp(int(time.time()), UTC)


def day(offset=0):
    """Local midnight offset days from today, as an aware datetime."""
    d = dt.datetime.fromtimestamp(time.time(), TZ).date() + dt.timedelta(days=offset)
    return dt.datetime(d.year, d.month, d.day, tzinfo=TZ)


def later_slot(hours=3):
    """A slot later today-ish for events made by 'another client', clear of 'now'."""
    start = now().replace(minute=0, second=0) + dt.timedelta(hours=hours)
    return start, start + dt.timedelta(hours=1)


# ---- discovery ----

def test_discovery_server_url(w):
    a = Account("disc")
    a.mkaddressbook("contacts")                      # not a calendar: must be ignored
    cal = a.mkcalendar("fjord", "Fjord 4.12")
    s, e = later_slot()
    a.put(cal + "ev.ics", event_ics("ev", s, e, "Design review"))
    conf = w.config(a, a.base)                        # just the server: /.well-known → principal → home
    rc, out, err = w.roomsign(conf, "check")
    check(rc == 0, "check from the server URL failed", out, err)
    check(re.search(r"✓ find the room's calendar — https://127\.0\.0\.1:\d+" + re.escape(cal) + r" \(Fjord 4\.12\)", out),
          "check did not name the discovered calendar", out)
    check("not offered" in out, "check should say Radicale offers no scheduling", out)
    rc, out, err = w.roomsign(conf, "agenda", "--from", s.astimezone(TZ).strftime("%Y-%m-%d"),
                              "--to", (s.astimezone(TZ) + dt.timedelta(days=1)).strftime("%Y-%m-%d"))
    check(rc == 0 and [r[4] for r in agenda(out)] == ["Design review"], "agenda via discovery", out, err)


def test_discovery_picks_room_calendar_by_mailbox(w):
    a = Account("pick")
    a.mkcalendar("personal", "Personal")
    a.mkcalendar("tasks", "Tasks", components=("VTODO",))
    room = a.mkcalendar("room-4-12", "Fjord (4.12)")   # path named after the mailbox's local part
    conf = w.config(a, a.base, mailbox="room-4-12@example.com")
    rc, out, err = w.roomsign(conf, "check")
    check(rc == 0 and room + " (Fjord (4.12))" in out, "did not choose the room's calendar", out, err)
    conf2 = w.config(a, a.base, mailbox="elsewhere@example.com", name="other.conf")
    rc, out, err = w.roomsign(conf2, "check")
    check(rc != 0, "two calendars and no match must fail", out)
    check("none is named after the room" in out and "/personal/ (Personal)" in out and room in out
          and "/tasks/" not in out, "the failure should list the event calendars", out)


def test_direct_collection_url(w):
    a = Account("direct")
    a.mkcalendar("other", "Other")
    cal = a.mkcalendar("fjord", "Fjord")
    s, e = later_slot()
    a.put(cal + "x.ics", event_ics("x", s, e, "Direct"))
    conf = w.config(a, a.base + cal)
    rc, out, err = w.roomsign(conf, "agenda", "--from", s.astimezone(TZ).strftime("%Y-%m-%d"),
                              "--to", (s.astimezone(TZ) + dt.timedelta(days=1)).strftime("%Y-%m-%d"))
    check(rc == 0 and [r[4] for r in agenda(out)] == ["Direct"], "agenda on a direct calendar URL", out, err)
    rc, out, err = w.roomsign(conf, "check")
    check(rc == 0 and a.base + cal + " (Fjord)" in out, "check names the configured calendar", out, err)


# ---- reading ----

SERIES = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//another client//EN\r
BEGIN:VTIMEZONE\r
TZID:Europe/Copenhagen\r
BEGIN:STANDARD\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:standup\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=Europe/Copenhagen:{d0}T090000\r
DTEND;TZID=Europe/Copenhagen:{d0}T093000\r
RRULE:FREQ=DAILY;COUNT=5\r
EXDATE;TZID=Europe/Copenhagen:{d2}T090000\r
SUMMARY:Standup\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:standup\r
DTSTAMP:20260101T000000Z\r
RECURRENCE-ID;TZID=Europe/Copenhagen:{d1}T090000\r
DTSTART;TZID=Europe/Copenhagen:{d1}T140000\r
DTEND;TZID=Europe/Copenhagen:{d1}T143000\r
SUMMARY:Standup (moved)\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_recurring_series_with_overrides(w):
    a = Account("series")
    cal = a.mkcalendar("fjord", "Fjord")
    d = [day(7 + i) for i in range(5)]
    a.put(cal + "standup.ics", SERIES.format(**{f"d{i}": d[i].strftime("%Y%m%d") for i in range(3)}))
    conf = w.config(a, a.base + cal)
    rc, out, err = w.roomsign(conf, "agenda", "--from", d[0].strftime("%Y-%m-%d"),
                              "--to", (d[4] + dt.timedelta(days=1)).strftime("%Y-%m-%d"))
    rows = agenda(out)
    check(rc == 0, "agenda failed", out, err)
    want = [(d[0].replace(hour=9), "Standup"), (d[1].replace(hour=14), "Standup (moved)"),
            (d[3].replace(hour=9), "Standup"), (d[4].replace(hour=9), "Standup")]
    got = [(r[0], r[4]) for r in rows]
    check(got == [(utc(t), s) for t, s in want],
          "expected 4 occurrences: moved one once at its new time, EXDATE gone", got, out)


def test_sync_after_outside_change(w):
    a = Account("sync")
    cal = a.mkcalendar("fjord", "Fjord")
    s, e = later_slot()
    a.put(cal + "first.ics", event_ics("first", s, e, "First"))
    a.put(cal + "gone.ics", event_ics("gone", s + dt.timedelta(hours=1), e + dt.timedelta(hours=1), "Soon gone"))
    url, log, _, _ = w.proxy(a)
    drv = Driver(w, w.config(a, url + cal))
    lo, hi = day(0), day(2)
    r = drv.fetch(lo, hi)
    check(r[0] == "ok 2", "first fetch", r)
    kinds = [l[2] for l in read_log(log) if l[0] == "REPORT"]
    check(kinds == ["calendar-query"], "the first read must be a full calendar-query", read_log(log))
    # Another client adds one event and deletes one; nothing else changes.
    clear_log(log)
    a.put(cal + "added.ics", event_ics("added", s + dt.timedelta(hours=2), e + dt.timedelta(hours=2), "Added elsewhere"))
    check(a.delete(cal + "gone.ics") in (200, 204), "outside delete")
    r = drv.fetch(lo, hi)
    check(sorted(x[3] for x in events(r)) == ["Added elsewhere", "First"], "the refresh must show the change", r)
    reqs = read_log(log)
    check([l[2] for l in reqs if l[0] == "REPORT"] == ["sync-collection", "calendar-multiget"],
          "the refresh must use sync-collection, then fetch only what changed", reqs)
    multiget = [l for l in reqs if l[2] == "calendar-multiget"][0]
    check(multiget[3:] == [cal + "added.ics"], "only the changed resource may be fetched", multiget)
    # Nothing changed: one cheap request.
    clear_log(log)
    r = drv.fetch(lo, hi)
    check(r[0] == "ok 2" and [l[2] for l in read_log(log)] == ["sync-collection"],
          "an unchanged calendar must cost one sync-collection", read_log(log))


def test_sync_falls_back_when_the_token_is_refused(w):
    a = Account("stale")
    cal = a.mkcalendar("fjord", "Fjord")
    s, e = later_slot()
    a.put(cal + "first.ics", event_ics("first", s, e, "First"))
    url, log, faults, _ = w.proxy(a)
    drv = Driver(w, w.config(a, url + cal))
    check(drv.fetch(day(0), day(2))[0] == "ok 1", "first fetch")
    a.put(cal + "second.ics", event_ics("second", s, e, "Second"))
    # What Radicale answers for a token it no longer knows (recorded: sync_invalid_token.xml).
    set_faults(faults, [{"method": "REPORT", "contains": "sync-collection", "action": "status", "status": 403,
                         "content_type": "text/xml; charset=utf-8", "times": 1,
                         "body": "<?xml version='1.0' encoding='utf-8'?>\n<error xmlns=\"DAV:\"><valid-sync-token /></error>"}])
    clear_log(log)
    r = drv.fetch(day(0), day(2))
    check(sorted(x[3] for x in events(r)) == ["First", "Second"], "a refused token must fall back to a full read", r)
    check([l[2] for l in read_log(log) if l[0] == "REPORT"] == ["sync-collection", "calendar-query"],
          "expected the refused sync, then a full calendar-query", read_log(log))
    clear_log(log)
    drv.fetch(day(0), day(2))
    check([l[2] for l in read_log(log)] == ["sync-collection"], "the new token must be used next time", read_log(log))


# ---- writing ----

def agenda_today(w, conf):
    rc, out, err = w.roomsign(conf, "agenda", "--from", day(-1).strftime("%Y-%m-%d"),
                              "--to", day(2).strftime("%Y-%m-%d"))
    check(rc == 0, "agenda failed", out, err)
    return agenda(out)


def own_resources(a, cal):
    return {h: d for h, d in a.resources(cal).items() if "X-ROOMSIGN-BOOKED" in d}


def ical_span(data):
    """DTSTART and DTEND of the one VEVENT in data (UTC or TZID form), as aware datetimes."""
    def when(name):
        m = re.search(rf"^{name}(;TZID=([^:;]+))?[^:]*:(\d{{8}}T\d{{6}})(Z?)\r?$", data, re.M)
        check(m, f"no {name} in the booking", data)
        t = dt.datetime.strptime(m.group(3), "%Y%m%dT%H%M%S")
        return t.replace(tzinfo=UTC if m.group(4) else ZoneInfo(m.group(2) or ZONE)).astimezone(UTC)
    return when("DTSTART"), when("DTEND")


def test_book(w):
    a = Account("book")
    cal = a.mkcalendar("fjord", "Fjord")
    conf = w.config(a, a.base + cal, mailbox="fjord@example.com")
    pinned = (day(0) + dt.timedelta(hours=10, minutes=5)).astimezone(UTC)   # the sign's clock, pinned
    at = ("--now", pinned.strftime("%Y-%m-%dT%H:%M:%SZ"))
    rc, out, err = w.roomsign(conf, "book", "--minutes", "30", *at)
    check(rc == 0 and out.startswith("Booked"), "book must succeed on a free room", out, err)
    mine = own_resources(a, cal)
    check(len(mine) == 1, "exactly one booking on the server", mine)
    href, data = next(iter(mine.items()))
    start, end = ical_span(data)
    check(abs((start - pinned).total_seconds()) <= 120, f"the booking starts now ({pinned}), not {start}", data)
    check(end - start == dt.timedelta(minutes=30), f"the booking lasts the 30 minutes asked, not {end - start}", data)
    check(re.search(r"UID:roomsign-[0-9a-f]{24}", data) and href.startswith(cal + "roomsign-"),
          "the booking carries a fresh roomsign UID", href, data)
    check("ORGANIZER:mailto:fjord@example.com" in data, "the room organises its own booking", data)
    rows = [r for r in agenda_today(w, conf) if r[4] == "Ad-hoc meeting"]
    check(len(rows) == 1, "agenda shows the booking", rows)
    # The same slot again: taken, exit 3, nothing new on the server.
    rc, out, err = w.roomsign(conf, "book", "--minutes", "30", *at)
    check(rc == 3 and "booked by someone else" in err, "booking a taken room must exit 3 and say so", rc, out, err)
    check(len(own_resources(a, cal)) == 1, "no second booking may remain", own_resources(a, cal))


def booked_driver(w, a, cal, url=None):
    drv = Driver(w, w.config(a, (url or a.base) + cal, mailbox="fjord@example.com"))
    start = now().replace(second=0) + dt.timedelta(minutes=1)
    r = drv.cmd(f"book {utc(start)} {utc(start + dt.timedelta(minutes=30))} Sign_booking")
    check(r[0].startswith("ok " + cal + "roomsign-"), "driver book", r)
    r = drv.fetch(day(0), day(2))
    check(any(x[3] == "Sign_booking" and x[2] == "1" for x in events(r)), "booked_here must be set", r)
    return drv, start, r[0][3:]


def dtend_of(a, cal):
    data = next(iter(own_resources(a, cal).values()))
    return re.search(r"DTEND[^:]*:(\S+)", data).group(1)


def test_extend(w):
    a = Account("extend")
    cal = a.mkcalendar("fjord", "Fjord")
    drv, start, _ = booked_driver(w, a, cal)
    new_end = start + dt.timedelta(minutes=45)
    r = drv.cmd(f"end-at Sign_booking {utc(new_end)}")
    check(r == ["ok"], "extend", r)
    check(dtend_of(a, cal) == ical_utc(new_end), "the server holds the new end", dtend_of(a, cal))


def test_end_early(w):
    a = Account("endearly")
    cal = a.mkcalendar("fjord", "Fjord")
    drv, start, _ = booked_driver(w, a, cal)
    early = start + dt.timedelta(minutes=10)
    r = drv.cmd(f"end-at Sign_booking {utc(early)}")
    check(r == ["ok"], "end early", r)
    check(dtend_of(a, cal) == ical_utc(early), "the server holds the early end", dtend_of(a, cal))
    r = drv.fetch(day(0), day(2))
    check([x for x in events(r) if x[3] == "Sign_booking"][0][1] == utc(early), "re-read shows the new end", r)


def test_extend_retries_once_on_412(w):
    a = Account("retry")
    cal = a.mkcalendar("fjord", "Fjord")
    url, log, _, _ = w.proxy(a)
    drv, start, _ = booked_driver(w, a, cal, url)
    # Another client edits the booking after the sign read it: the sign's ETag is now stale.
    href, data = next(iter(own_resources(a, cal).items()))
    _, text, etag = a.get(href)
    a.put(href, text.replace("END:VEVENT", "DESCRIPTION:projector booked too\r\nEND:VEVENT"), etag)
    clear_log(log)
    new_end = start + dt.timedelta(minutes=50)
    r = drv.cmd(f"end-at Sign_booking {utc(new_end)}")
    check(r == ["ok"], "extend after an outside change must succeed on the retry", r)
    methods = [l[0] for l in read_log(log)]
    check(methods == ["PUT", "GET", "PUT"], "expected PUT (412), re-read, PUT", read_log(log))
    _, text, _ = a.get(href)
    check("projector booked too" in text and f"DTEND:{ical_utc(new_end)}" in text,
          "both the outside change and the new end must survive", text)


def test_error_412_twice_gives_up_with_a_sentence(w):
    a = Account("conflict")
    cal = a.mkcalendar("fjord", "Fjord")
    url, log, faults, _ = w.proxy(a)
    drv, start, _ = booked_driver(w, a, cal, url)
    set_faults(faults, [{"method": "PUT", "action": "status", "status": 412}])
    clear_log(log)
    r = drv.cmd(f"end-at Sign_booking {utc(start + dt.timedelta(minutes=60))}")
    check(r and r[0].startswith("err conflict") and "HTTP 412" in r[0], "a second 412 must give up and say why", r)
    check([l[0] for l in read_log(log)] == ["PUT", "GET", "PUT"], "exactly one retry", read_log(log))


def test_release_own_booking(w):
    a = Account("release")
    cal = a.mkcalendar("fjord", "Fjord")
    drv, _, _ = booked_driver(w, a, cal)
    r = drv.cmd(f"release Sign_booking")
    check(r == ["ok"], "release own booking", r)
    check(own_resources(a, cal) == {}, "the booking must be gone from the server", a.resources(cal))


def test_release_others_meeting_is_left_alone(w):
    a = Account("others")
    cal = a.mkcalendar("fjord", "Fjord")
    s, e = later_slot(1)
    a.put(cal + "theirs.ics", event_ics("theirs", s, e, "Their_meeting",
                                        "ORGANIZER:mailto:boss@example.com\r\n"
                                        "ATTENDEE;CUTYPE=ROOM;PARTSTAT=ACCEPTED:mailto:fjord@example.com\r\n"))
    drv = Driver(w, w.config(a, a.base + cal, mailbox="fjord@example.com"))
    drv.fetch(day(0), day(2))
    r = drv.cmd("release Their_meeting")
    check(r and r[0].startswith("err unsupported") and "does not do scheduling" in r[0],
          "release of someone else's meeting without scheduling must be refused with a sentence", r)
    check("PARTSTAT=ACCEPTED" in a.get(cal + "theirs.ics")[1], "their meeting must be untouched")


def test_two_signs_race_for_one_slot(w):
    a = Account("race")
    cal = a.mkcalendar("fjord", "Fjord")
    url, log, faults, _ = w.proxy(a)
    # Both signs pass the free-check before either creates: their PUTs reach the server together.
    set_faults(faults, [{"method": "PUT", "action": "barrier", "parties": 2, "times": 2}])
    confs = [w.config(a, url + cal, name=f"sign{i}.conf") for i in range(2)]
    env = dict(os.environ, TZ="UTC")
    procs = [subprocess.Popen([os.environ["ROOMSIGN"], "--config", c, "book", "--minutes", "30"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for c in confs]
    results = [(p.wait(60), p.stdout.read(), p.stderr.read()) for p in procs]
    codes = sorted(r[0] for r in results)
    check(codes == [0, 3], "exactly one sign may win; the other exits 3", results)
    loser = [r for r in results if r[0] == 3][0]
    check("booked by someone else" in loser[2], "the losing sign must say the room was taken", loser)
    check(len(own_resources(a, cal)) == 1, "exactly one booking must survive", a.resources(cal))
    puts = [l for l in read_log(log) if l[0] == "PUT"]
    check(len(puts) == 2, "both signs must really have created a booking (a true race)", read_log(log))


def test_two_signs_race_for_overlapping_slots(w):
    """Different start minutes: no shared name, so both create; the re-read makes one back out."""
    a = Account("overlap")
    cal = a.mkcalendar("fjord", "Fjord")
    url, log, faults, _ = w.proxy(a)
    set_faults(faults, [{"method": "PUT", "action": "barrier", "parties": 2, "times": 2}])
    drivers = [Driver(w, w.config(a, url + cal, name=f"sign{i}.conf")) for i in range(2)]
    start = now().replace(second=0) + dt.timedelta(hours=2)
    for i, d in enumerate(drivers):
        s = start + dt.timedelta(minutes=i)
        d.p.stdin.write(f"book {utc(s)} {utc(s + dt.timedelta(minutes=30))} Sign{i}\n")
        d.p.stdin.flush()
    answers = []
    for d in drivers:
        out = []
        while (line := d.p.stdout.readline().rstrip("\n")) != ".":
            out.append(line)
        answers.append(out[0])
    check(sorted(x.split(" ")[0] for x in answers) == ["err", "ok"] and
          any(x.startswith("err conflict") and "booked by someone else" in x for x in answers),
          "exactly one sign may keep its booking; the other reports the room taken", answers)
    check(len(own_resources(a, cal)) == 1, "exactly one booking must survive", a.resources(cal))
    methods = [l[0] for l in read_log(log)]
    check(methods.count("PUT") == 2 and methods.count("DELETE") == 1,
          "both created, one backed out", read_log(log))


def test_server_down_mid_refresh_keeps_last_good(w):
    a = Account("down")
    cal = a.mkcalendar("fjord", "Fjord")
    s, e = later_slot()
    a.put(cal + "first.ics", event_ics("first", s, e, "First"))
    url, log, faults, proxy = w.proxy(a)
    drv = Driver(w, w.config(a, url + cal, timeout=5))
    lo, hi = day(0), day(2)
    check(drv.fetch(lo, hi)[0] == "ok 1", "first fetch")
    a.put(cal + "second.ics", event_ics("second", s + dt.timedelta(hours=1), e + dt.timedelta(hours=1), "Second"))
    # The connection dies after the sync answer, while the changed event is being fetched.
    set_faults(faults, [{"method": "REPORT", "contains": "calendar-multiget", "action": "drop", "times": 1}])
    r = drv.fetch(lo, hi)
    check(r[0].startswith("err network"), "a refresh cut off mid-way must fail as a network error", r)
    r = drv.cmd("shown")
    check([x[3] for x in events(r)] == ["First"], "the last good schedule must still be shown", r)
    r = drv.fetch(lo, hi)
    check(sorted(x[3] for x in events(r)) == ["First", "Second"],
          "the next refresh must fetch the change the failed one lost", r)
    # The server goes away entirely.
    proxy.terminate()
    proxy.wait(5)
    r = drv.fetch(lo, hi)
    check(r[0].startswith("err network") and "connect" in r[0], "server down: a network error that says so", r)
    check(len(events(drv.cmd("shown"))) == 2, "still showing the last good schedule")


# ---- the password stays on the configured origin ----

class Listener:
    """A plain-HTTP server on a free loopback port: records every request's method, path and
    headers; answer(method, path) gives (status, headers, body)."""

    def __init__(self, answer):
        import http.server
        import threading
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def handle_any(self):
                n = int(self.headers.get("Content-Length") or 0)
                if n:
                    self.rfile.read(n)
                seen.append((self.command, self.path, dict(self.headers)))
                status, headers, body = answer(self.command, self.path)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            do_GET = do_PROPFIND = do_REPORT = do_PUT = do_DELETE = do_OPTIONS = handle_any

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def multistatus(principal, home):
    return (f'<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            f'<d:response><d:href>/</d:href><d:propstat><d:prop>'
            f'<d:current-user-principal><d:href>{principal}</d:href></d:current-user-principal>'
            f'<c:calendar-home-set><d:href>{home}</d:href></c:calendar-home-set>'
            f'</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>').encode()


def other_origin_case(w, name, configured_answer):
    """The configured server sends the sign elsewhere; the elsewhere must never see the password."""
    import types
    other = Listener(lambda m, p: (207, {"Content-Type": "application/xml"}, multistatus("/p/", "/home/")))
    configured = Listener(lambda m, p: configured_answer(m, p, other.url))
    try:
        acct = types.SimpleNamespace(user="svc-roomsign", password="hunter2-origin", srv={})
        conf = w.config(acct, configured.url + "/", ca=False, name=name + ".conf")
        rc, out, err = w.roomsign(conf, "agenda")
        check(configured.seen, "the configured server was asked", err)
        check(any("Authorization" in h for _, _, h in configured.seen),
              "the configured server got the credentials", configured.seen)
        leaked = [(m, p) for m, p, h in other.seen if "Authorization" in h or "authorization" in h]
        check(not leaked, f"{name}: the other origin received the password", leaked)
        check(not other.seen, f"{name}: the sign sent requests to another origin", other.seen)
        check(rc != 0 and "outside" in err and configured.url in err, f"{name}: the refusal must say why",
              rc, err)
        check("hunter2-origin" not in out + err, "the password must never be printed")
    finally:
        configured.stop()
        other.stop()


def test_redirect_to_another_origin_gets_no_password(w):
    # /.well-known/caldav → 301 to another port (RFC 6764 allows any host; the sign does not).
    other_origin_case(w, "location", lambda m, p, other: (301, {"Location": other + "/"}, b"")
                      if p.startswith("/.well-known/") else (404, {}, b""))


def test_href_to_another_origin_gets_no_password(w):
    # A multistatus whose principal and calendar home live on another origin.
    def answer(m, p, other):
        if p.startswith("/.well-known/"):
            return 404, {}, b""
        return 207, {"Content-Type": "application/xml"}, multistatus(other + "/principals/u/", other + "/home/")
    other_origin_case(w, "href", answer)


# ---- errors that speak ----

def test_error_401_wrong_password(w):
    a = Account("auth")
    cal = a.mkcalendar("fjord", "Fjord")
    conf = w.config(a, a.base + cal, password="not-the-password")
    rc, out, err = w.roomsign(conf, "agenda")
    check(rc == 1 and "HTTP 401" in err and a.user in err and "password" in err, "401 must speak", err)
    check("not-the-password" not in out + err, "the password must never be printed")
    rc, out, err = w.roomsign(conf, "check")
    check(rc == 1 and "✗ sign in" in out, "check must fail at sign in", out)


def test_error_404_lists_calendars(w):
    a = Account("missing")
    a.mkcalendar("fjord", "Fjord 4.12")
    a.mkcalendar("loki", "Loki")
    conf = w.config(a, a.base + f"/{a.user}/fjrod/")
    rc, out, err = w.roomsign(conf, "agenda")
    check(rc == 1 and "HTTP 404" in err, "404 must fail", err)
    check(f"/{a.user}/fjord/ (Fjord 4.12)" in err and f"/{a.user}/loki/ (Loki)" in err,
          "the 404 must list the calendars the account can see", err)


def test_error_403_other_users_calendar(w):
    owner, intruder = Account("owner"), Account("intruder")
    cal = owner.mkcalendar("fjord", "Fjord")
    conf = w.config(intruder, intruder.base + cal)
    rc, out, err = w.roomsign(conf, "agenda")
    check(rc == 1 and "HTTP 403" in err and intruder.user in err, "403 must speak", err)


def test_error_507_on_booking(w):
    a = Account("full")
    cal = a.mkcalendar("fjord", "Fjord")
    url, _, faults, _ = w.proxy(a)
    set_faults(faults, [{"method": "PUT", "action": "status", "status": 507}])
    rc, out, err = w.roomsign(w.config(a, url + cal), "book", "--minutes", "15")
    check(rc == 1 and "HTTP 507" in err and "storage" in err, "507 must speak", rc, err)


def test_error_non_xml_body(w):
    a = Account("html")
    cal = a.mkcalendar("fjord", "Fjord")
    url, _, faults, _ = w.proxy(a)
    set_faults(faults, [{"method": "PROPFIND", "action": "status", "status": 200, "content_type": "text/html",
                         "body": "<html><body>Welcome to the intranet</body></html>"}])
    rc, out, err = w.roomsign(w.config(a, url + cal), "agenda")
    check(rc == 1 and "not WebDAV XML" in err and "text/html" in err, "an HTML answer must speak", err)


def test_error_timeout(w):
    a = Account("slow")
    cal = a.mkcalendar("fjord", "Fjord")
    url, _, faults, _ = w.proxy(a)
    set_faults(faults, [{"method": "REPORT", "action": "delay", "seconds": 6}])
    t0 = time.time()
    rc, out, err = w.roomsign(w.config(a, url + cal, timeout=2), "agenda")
    check(rc == 1 and "did not answer in time" in err, "a timeout must speak", err)
    check(time.time() - t0 < 6, "the timeout must be honoured", time.time() - t0)


def test_tls_is_verified(w):
    a = Account("tls")
    cal = a.mkcalendar("fjord", "Fjord")
    rc, out, err = w.roomsign(w.config(a, a.base + cal, ca=False), "check")
    check(rc == 1 and "TLS" in out and "ca_file" in out, "an unknown CA must be refused, naming ca_file", out)


def test_check_with_booking_test(w):
    a = Account("checkbook")
    cal = a.mkcalendar("fjord", "Fjord")
    url, log, _, _ = w.proxy(a)
    rc, out, err = w.roomsign(w.config(a, url + cal), "check", "--book-test")
    check(rc == 0, "check --book-test", out, err)
    for step in ("✓ sign in", "✓ find the room's calendar", "✓ read today's calendar",
                 "✓ create and delete a test booking"):
        check(step in out, f"missing step {step}", out)
    # The test booking really went to the server and away again: one PUT, then a DELETE of it.
    writes = [(l[0], l[1]) for l in read_log(log) if l[0] in ("PUT", "DELETE")]
    check(len(writes) == 2 and writes[0][0] == "PUT" and writes[1] == ("DELETE", writes[0][1])
          and writes[0][1].startswith(cal), "a PUT of a test booking and a DELETE of the same", writes)
    check(a.resources(cal) == {}, "the test booking must be deleted", a.resources(cal))


def test_check_reports_cheap_change_polls(w):
    """roomsign check runs one sync-collection round: Radicale answers it (✓, changes within
    `poll`); behind a proxy that refuses it the step is ✗ and says the sign reads the whole day
    every `refresh` instead."""
    a = Account("checksync")
    cal = a.mkcalendar("fjord", "Fjord")
    url, log, faults, _ = w.proxy(a)
    rc, out, err = w.roomsign(w.config(a, url + cal), "check")
    check(rc == 0 and "✓ cheap change polls (sync-collection, RFC 6578) — work: changes show within 15 s" in out,
          "sync-collection works on Radicale", out, err)
    syncs = [l for l in read_log(log) if l[0] == "REPORT"]
    check(len(syncs) >= 2, "the check really sent a sync-collection REPORT after the read", syncs)
    set_faults(faults, [{"method": "REPORT", "contains": "sync-collection", "action": "status",
                         "status": 501, "body": "", "content_type": "text/plain"}])
    rc, out, err = w.roomsign(w.config(a, url + cal), "check")
    check(rc == 1 and "✗ cheap change polls (sync-collection, RFC 6578)\n    offered but refused" in out and
          "every 60 s instead" in out, "a refused sync-collection is a ✗ step", out, err)


def test_check_nearby_rooms(w):
    """roomsign check reads every nearby room's calendar (its displayname is the list's name);
    with --book-test it books and deletes a test booking there; a calendar the account cannot
    read is a ✗ step saying what Find a room loses."""
    a = Account("checknearby")
    cal = a.mkcalendar("fjord", "Fjord")
    annex = a.mkcalendar("annex", "Annex 3.07")
    conf = w.config(a, a.base + cal)
    with open(conf, "a") as f:
        f.write("\n[source]\nnearby_rooms = %s%s\n" % (a.base, annex))
    rc, out, err = w.roomsign(conf, "check", "--book-test")
    check(rc == 0 and ('✓ nearby room %s%s — "Annex 3.07": readable' % (a.base, annex)) in out and
          '✓ book nearby room Annex 3.07 — the account may book it' in out, "the nearby room's steps", out, err)
    check(a.resources(annex) == {}, "the test booking in the nearby room is deleted", a.resources(annex))
    missing = "%s/%s/no-such-room/" % (a.base, a.user)
    conf = w.config(a, a.base + cal, name="missing.conf")
    with open(conf, "a") as f:
        f.write("\n[source]\nnearby_rooms = Gone <%s>\n" % missing)
    rc, out, err = w.roomsign(conf, "check")
    check(rc == 1 and ("✗ nearby room %s" % missing) in out and "cannot read its calendar" in out,
          "an unreadable nearby room is a ✗ step", out, err)


def main():
    name = sys.argv[1]
    if name == "list":
        print(";".join(k[5:] for k, v in globals().items() if k.startswith("test_") and callable(v)))
        return 0
    fn = globals().get("test_" + name)
    if not fn:
        sys.exit(f"no test {name}")
    w = Work(name)
    try:
        fn(w)
    except Fail as e:
        print(f"FAIL {name}: {e}")
        return 1
    finally:
        w.cleanup()
    print(f"ok {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
