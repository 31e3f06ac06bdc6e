#!/usr/bin/env python3
"""The real binary in an Xvfb window keeps the last good schedule when the calendar goes away:
it caches what it fetched, says "offline" on screen (small), logs the failure once, recovers by
itself, exits cleanly on SIGTERM, and shows the cached day at once on the next start."""
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOMSIGN, FIXTURES = sys.argv[1], sys.argv[2]
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    failures += 0 if ok else 1


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_xvfb():
    for n in range(140, 200):
        if os.path.exists(f"/tmp/.X11-unix/X{n}") or os.path.exists(f"/tmp/.X{n}-lock"):
            continue
        proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(f"/tmp/.X11-unix/X{n}"):
                return proc, f":{n}"
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.kill()
    raise SystemExit("no free X display")


class Calendar:
    """A tiny HTTP server for one .ics file that can be stopped and started on the same port."""

    def __init__(self, path, port):
        self.path, self.port, self.server = path, port, None

    def start(self):
        path = self.path

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                data = open(path, "rb").read()
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def view(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def wait(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    check(False, f"timed out waiting for {what}")
    return False


def start_sign(tmp, display, config, view_json):
    env = dict(os.environ, DISPLAY=display, ROOMSIGN_VIEW_JSON=view_json, SDL_VIDEODRIVER="x11")
    log = open(os.path.join(tmp, "sign.log"), "a")
    return subprocess.Popen([ROOMSIGN, "--config", config, "--size", "800x480", "--now", "2026-12-01T10:15"],
                            env=env, stdout=log, stderr=log)


with tempfile.TemporaryDirectory() as tmp:
    xvfb, display = start_xvfb()
    port = free_port()
    ics = os.path.join(tmp, "room.ics")
    shutil.copy(os.path.join(FIXTURES, "ics", "screens.ics"), ics)
    cal = Calendar(ics, port)
    cal.start()
    config = os.path.join(tmp, "room.conf")
    with open(config, "w") as f:
        f.write(f"[room]\nname = Fjord\ntimezone = Europe/Copenhagen\n[source]\ntype = ics\n"
                f"url = http://127.0.0.1:{port}/room.ics\nrefresh = 10\ntimeout = 5\n[display]\nnight =\n"
                f"[paths]\nstate_dir = {tmp}\n")
    view_json = os.path.join(tmp, "view.json")
    sign = start_sign(tmp, display, config, view_json)
    try:
        wait(lambda: view(view_json).get("status_word") == "BUSY", 30, "the first fresh schedule")
        check(view(view_json).get("title", "").startswith("Board meeting"), "the meeting in progress is shown")
        check(os.path.exists(os.path.join(tmp, "schedule.cache")), "the schedule is cached on disk")
        check(view(view_json).get("notice") == "", "no notice while the calendar answers")

        cal.stop()
        wait(lambda: "Offline since" in view(view_json).get("notice", ""), 30, "the offline notice")
        v = view(view_json)
        check(v.get("status_word") == "BUSY" and v.get("title", "").startswith("Board meeting"),
              "the last good schedule stays on screen while offline")
        time.sleep(12)                        # several retries
        log = open(os.path.join(tmp, "sign.log")).read()
        check(log.count("calendar refresh failed") == 1,
              f"a persistent failure is logged once ({log.count('calendar refresh failed')} lines)")

        cal.start()
        wait(lambda: view(view_json).get("notice") == "", 25, "recovery within the refresh interval")
        check("calendar reachable again" in open(os.path.join(tmp, "sign.log")).read(), "recovery is logged")

        sign.send_signal(signal.SIGTERM)
        check(sign.wait(timeout=15) == 0, "SIGTERM ends the sign cleanly (exit 0)")

        cal.stop()
        os.unlink(view_json)
        sign = start_sign(tmp, display, config, view_json)
        wait(lambda: view(view_json).get("status_word") == "BUSY", 10, "the cached schedule at start")
        first = view(view_json)
        check(first.get("title", "").startswith("Board meeting"), "the cached day is shown at once")
        check(first.get("notice") in ("Updating…",) or "Offline since" in first.get("notice", ""),
              f"and marked stale ({first.get('notice')!r})")
        wait(lambda: "Offline since" in view(view_json).get("notice", ""), 20, "the offline notice after a restart")
        sign.send_signal(signal.SIGTERM)
        check(sign.wait(timeout=15) == 0, "SIGTERM ends the sign cleanly while offline")
    finally:
        if sign.poll() is None:
            sign.kill()
        xvfb.terminate()
        xvfb.wait()
        print(open(os.path.join(tmp, "sign.log")).read())

print(f"{failures} failed" if failures else "all offline checks passed")
sys.exit(1 if failures else 0)
