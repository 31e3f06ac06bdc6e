#!/usr/bin/python3
"""What the public screen shows and keeps, with the real binary: a private meeting's subject never
reaches the cache file, `agenda` or the screen; a calendar that fails (401, 403, not found, a
refused password) gives a plain sentence on the home screen, never a URL, account or HTTP code; a
full-screen sign on a bare X server (no window manager, no --size) fills the screen.

  screen_test.py CASE --roomsign BIN --fake fake_ews.py --ca-script make-test-ca.sh --workdir DIR
  screen_test.py list
"""

import argparse
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import FREE, BUSY, Failure, Sign, Xvfb, close, expect, wait_for  # noqa: E402
from ews_fixture import ANNEX, OTHER_ROOM, Context, ops  # noqa: E402
import e2e_test  # noqa: E402

NOW = "2026-12-01T09:15:00Z"          # pinned: the sign's clock (frozen for screenshot)
SECRET = "Merger-Talks-7Q"            # a private meeting's subject: must appear nowhere
PIN = "246813"
CASES = {}

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//roomsign tests//EN\r
BEGIN:VEVENT\r
UID:private-1\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261201T090000Z\r
DTEND:20261201T100000Z\r
CLASS:PRIVATE\r
SUMMARY:%(s)s\r
LOCATION:%(s)s room\r
DESCRIPTION:%(s)s agenda\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:confidential-1\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261201T110000Z\r
DTEND:20261201T113000Z\r
CLASS:CONFIDENTIAL\r
SUMMARY:%(s)s follow-up\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:public-1\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261201T130000Z\r
DTEND:20261201T140000Z\r
SUMMARY:Open lunch talk\r
END:VEVENT\r
END:VCALENDAR\r
""" % {"s": SECRET}


def case(fn):
    CASES[fn.__name__.replace("test_", "", 1)] = fn
    return fn


class World:
    def __init__(self, args, name):
        self.args = args
        self.ews = Context(args, name)
        self.dir = self.ews.dir
        self.xvfb = None
        self.sign = None
        self.server = None
        self.e2e = None

    def touch_sign(self, now, booking, source="", display=""):
        """The e2e world: the fake Exchange and the sign in an Xvfb window, the view as JSON."""
        self.e2e = e2e_test.E2E(self.args, os.path.basename(self.dir) + "-sign")
        self.view = os.path.join(self.e2e.dir, "view.json")
        return self.e2e.start(now, booking=booking, source=source, display="night =\n" + display,
                              env={"ROOMSIGN_VIEW_JSON": self.view})

    def view_text(self):
        with open(self.view, encoding="utf-8") as f:
            return f.read()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def ics_config(self, url, extra=""):
        return self.write("room.conf", "[room]\nname = Fjord (4.12)\ntimezone = UTC\n[source]\ntype = ics\n"
                                       "url = %s\n[display]\ndpi = 96\nnight =\n%s\n[paths]\nstate_dir = %s\n"
                          % (url, extra, os.path.join(self.dir, "state")))

    def screenshot_view(self, config, name):
        """`roomsign screenshot` offscreen: the first fetch, then the view JSON of that frame."""
        view = os.path.join(self.dir, name + ".json")
        p = subprocess.run([self.args.roomsign, "--config", config, "screenshot", os.path.join(self.dir, name + ".png"),
                            "--now", NOW], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, SDL_VIDEODRIVER="dummy", TZ="UTC", ROOMSIGN_VIEW_JSON=view))
        expect(p.returncode == 0 and os.path.exists(view), "screenshot works: %s" % p.stderr)
        with open(view, encoding="utf-8") as f:
            return f.read(), p.stderr

    def status_server(self):
        """A plain HTTP server answering every GET with the status named by the path's first part."""
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(int(self.path.split("/")[1]))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def finish(self):
        try:
            if self.e2e:
                self.e2e.finish()
            if self.sign:
                self.sign.stop()
        finally:
            if self.xvfb:
                self.xvfb.stop()
            if self.server:
                self.server.shutdown()
            self.ews.stop()


def clean_home(text, words):
    """The home screen's view JSON holds none of words, nor any URL or HTTP status code."""
    v = json.loads(text)
    expect(v.get("kind") == "home", "the home screen: %s" % text)
    for w in words:
        expect(w.lower() not in text.lower(), "the home screen shows %r:\n%s" % (w, text))
    expect(not re.search(r"\b(401|403|404)\b|https?:|HTTP", text), "a URL or HTTP code on the home screen:\n" + text)
    expect(v.get("notice"), "the home screen says something is wrong: %s" % text)
    return v


# --- private meetings ------------------------------------------------------------------------------

@case
def test_private_subject_never_cached_shown_or_printed(w):
    ics = w.write("room.ics", ICS)
    config = w.ics_config("file://" + ics)
    view = os.path.join(w.dir, "view.json")
    w.xvfb = Xvfb(w.dir, 800, 480)
    w.sign = Sign(w.args.roomsign, w.xvfb, w.dir, (800, 480), ["--config", config, "--now", NOW],
                  env={"ROOMSIGN_VIEW_JSON": view})
    cache = os.path.join(w.dir, "state", "schedule.cache")
    text = wait_for("the cache file with the day", lambda: os.path.exists(cache) and
                    "Open lunch talk" in open(cache, encoding="utf-8", errors="replace").read() and
                    open(cache, "rb").read())
    expect(SECRET.encode() not in text, "the private subject is in the cache file:\n%r" % text)
    shown = wait_for("the placeholder on screen", lambda: "Private meeting" in open(view, encoding="utf-8").read()
                     and open(view, encoding="utf-8").read())
    expect(SECRET not in shown, "the screen shows the private subject:\n" + shown)
    w.sign.stop()
    w.sign = None
    p = subprocess.run([w.args.roomsign, "--config", config, "agenda", "--from", "2026-12-01", "--to", "2026-12-02"],
                       capture_output=True, text=True, timeout=60, env=dict(os.environ, TZ="UTC"))
    expect(p.returncode == 0 and "Open lunch talk" in p.stdout, "agenda works: %s %s" % (p.stdout, p.stderr))
    expect(SECRET not in p.stdout + p.stderr, "agenda prints the private subject:\n" + p.stdout)
    expect(p.stdout.count("\tPrivate meeting") == 2, "agenda prints the screen's placeholder:\n" + p.stdout)


# --- backend errors --------------------------------------------------------------------------------

@case
def test_home_hides_backend_errors(w):
    base = w.status_server()
    account = "svc-alice@corp.example"
    for status in (401, 403, 404):
        config = w.ics_config("%s/%d/%s/calendar.ics" % (base, status, account))
        text, stderr = w.screenshot_view(config, "ics-%d" % status)
        clean_home(text, [account, "127.0.0.1", "calendar.ics"])
        expect(str(status) in stderr, "the detail goes to the log: %r" % stderr)
    w.ews.start_fake()
    wrong = w.ews.config(name="wrong.conf", password="not-the-password", extra="[display]\nnight =\n")
    text, stderr = w.screenshot_view(wrong, "ews-401")
    clean_home(text, ["svc-roomsign", "EXAMPLE", "Exchange.asmx", "127.0.0.1"])
    expect("401" in stderr or "credentials" in stderr, "the refused sign-in is logged: %r" % stderr)
    gone = w.ews.config(name="gone.conf", mailbox="nobody-here@example.com", extra="[display]\nnight =\n")
    text, stderr = w.screenshot_view(gone, "ews-no-mailbox")
    clean_home(text, ["nobody-here", "svc-roomsign", "Exchange.asmx"])


@case
def test_first_start_failure_screen_is_plain(w):
    """The running sign, never synced, against a server refusing the password: home is plain,
    the log has the detail."""
    base = w.status_server()
    account = "svc-alice@corp.example"
    config = w.ics_config("%s/401/%s/calendar.ics" % (base, account), "admin_pin = " + PIN)
    view = os.path.join(w.dir, "view.json")
    w.xvfb = Xvfb(w.dir, 800, 480)
    w.sign = Sign(w.args.roomsign, w.xvfb, w.dir, (800, 480), ["--config", config, "--now", NOW],
                  env={"ROOMSIGN_VIEW_JSON": view})
    text = wait_for("the failure on screen", lambda: json.loads(open(view, encoding="utf-8").read()).get("notice")
                    and open(view, encoding="utf-8").read())
    v = clean_home(text, [account, "127.0.0.1"])
    expect("sign in" in v["notice"], "it says the sign cannot sign in: %s" % v["notice"])
    w.sign.wait_log("HTTP 401")


# --- touchscreen limits ----------------------------------------------------------------------------

@case
def test_book_then_end_waits_for_the_cooldown(w):
    at = e2e_test.at
    s = w.touch_sign(at("10:02:10"), "cooldown = 60\nmax_extend = 60")
    s.tap("book-30")
    s.tap("confirm")
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    s.wait_log("done: The room is yours until 10:35.")
    s.tap("ok")
    s.tap("end-early")
    s.tap("confirm")
    s.wait_ids("the refusal", lambda ids: ids == {"ok"})
    wait_for("the refusal on screen", lambda: "Please wait" in w.view_text() and "booking change" in w.view_text())
    log = w.e2e.ews.log()
    expect(not ops(log, "UpdateItem") and not ops(log, "DeleteItem"), "nothing ended on the server: %s"
           % [e.get("op") for e in log])
    cal = w.e2e.calendar()
    expect(len(cal) == 1 and cal[0]["end"] == e2e_test.iso(at("10:35")), "the booking stands: %s" % cal)


@case
def test_extensions_of_one_meeting_are_capped(w):
    at = e2e_test.at
    w.e2e = None
    e = e2e_test.E2E(w.args, os.path.basename(w.dir) + "-sign")
    w.e2e = e
    e.ews.start_fake()
    e2e_test.own_booking(e, at("10:00"), at("10:30"))
    w.view = os.path.join(e.dir, "view.json")
    s = e.start(at("10:10:05"), booking="cooldown = 0\nmax_extend = 30", display="night =",
                env={"ROOMSIGN_VIEW_JSON": w.view})
    s.tap("extend-30")
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    s.wait_log("done: The meeting now ends at 11:00.")
    s.tap("ok")
    s.tap("extend-15")
    s.wait_ids("the refusal", lambda ids: ids == {"ok"})
    wait_for("the refusal on screen", lambda: "cannot be extended any further" in w.view_text())
    cal = e.calendar()
    expect(len(cal) == 1 and cal[0]["end"] == e2e_test.iso(at("11:00")), "extended once only: %s" % cal)


@case
def test_find_room_lookups_wait_for_the_cooldown(w):
    at = e2e_test.at
    s = w.touch_sign(at("10:02:10"), "refresh_cooldown = 30", source="nearby_rooms = %s, %s" % (OTHER_ROOM, ANNEX))
    s.wait_status(FREE, "the room shows free")      # the window is up and drawn before the tap
    s.tap("find-room")
    s.wait_ids("the room list", lambda ids: ids == {"refresh", "back"})
    wait_for("free/busy asked on the server", lambda: ops(w.e2e.ews.log(), "GetUserAvailabilityRequest"))
    s.tap("refresh")
    s.wait_ids("the refusal", lambda ids: ids == {"ok"})
    wait_for("the refusal on screen", lambda: "Please wait" in w.view_text())
    expect(len(ops(w.e2e.ews.log(), "GetUserAvailabilityRequest")) == 1, "one lookup on the server")


@case
def test_pin_guessing_waits_and_is_logged(w):
    at = e2e_test.at
    s = w.touch_sign(at("10:02:10"), "", display="admin_pin = " + PIN)
    s.wait_status(FREE, "the room shows free")
    s.tap("admin")
    for n in range(1, 4):
        for d in "111111":
            s.tap("pin-" + d)
        s.tap("pin-ok")
        s.wait_log("admin PIN: wrong try %d in a row" % n)
    wait_for("the wait on the pad", lambda: "Too many wrong PINs. Next try in" in w.view_text())
    for d in PIN:                                   # the right PIN, during the wait: not checked
        s.tap("pin-" + d)
    s.tap("pin-ok")
    s.wait_log("admin PIN: try refused after 3 wrong ones")
    expect("refresh" not in s.ids(), "no admin screen while waiting: %s" % s.ids())


# --- the window ------------------------------------------------------------------------------------

@case
def test_fullscreen_without_window_manager_fills_the_screen(w):
    size = (1024, 600)
    w.xvfb = Xvfb(w.dir, *size)
    config = w.write("demo.conf", "[room]\nname = Fjord\ntimezone = UTC\n[source]\ntype = demo\n[display]\nnight =\n"
                                  "[paths]\nstate_dir = %s\n" % os.path.join(w.dir, "state"))
    hits = os.path.join(w.dir, "hits.json")
    log = open(os.path.join(w.dir, "roomsign.log"), "w")
    proc = subprocess.Popen([w.args.roomsign, "--config", config, "--now", "2026-12-01T08:30:00Z", "--hit-areas", hits],
                            env=dict(w.xvfb.env, SDL_VIDEODRIVER="x11", TZ="UTC"), stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for("the first frame", lambda: proc.poll() is not None or os.path.exists(hits))
        expect(proc.poll() is None, "roomsign runs: " + open(log.name).read())
        out = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--class", "roomsign", "getwindowgeometry"],
                             env=w.xvfb.env, capture_output=True, text=True, timeout=30).stdout
        expect("Geometry: %dx%d" % size in out, "the window covers the %dx%d screen: %r" % (size + (out,)))
        shot = os.path.join(w.dir, "root.png")

        def pixel(x, y):
            txt = subprocess.run(["convert", shot, "-crop", "1x1+%d+%d" % (x, y), "-depth", "8", "txt:-"],
                                 capture_output=True, text=True, check=True).stdout
            h = re.search(r"\s#([0-9A-Fa-f]{6})", txt).group(1)
            return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
        def band():   # the first frame may come before the first schedule: poll the root window
            subprocess.run(["import", "-window", "root", shot], env=w.xvfb.env, check=True, timeout=30)
            rgb = pixel(int(size[1] / 40 * 1.6), int(size[1] * 0.3))
            return (close(rgb, FREE) or close(rgb, BUSY)) and rgb
        wait_for("the status band drawn on the root window (screenshot %s)" % shot, band, interval=0.5)
        corner = pixel(size[0] - 2, size[1] - 2)
        expect(corner != (0, 0, 0), "the far corner is the sign's, not black: %s" % (corner,))
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


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
    w = World(args, args.case)
    try:
        CASES[args.case](w)
        status = 0
        print("ok   %s" % args.case)
    except (Exception, Failure):
        traceback.print_exc()
        if w.sign:
            print("--- roomsign log ---\n" + w.sign.output())
        print("artifacts: " + w.dir)
        status = 1
    finally:
        w.finish()
    return status


if __name__ == "__main__":
    sys.exit(main())
