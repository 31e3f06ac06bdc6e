"""Plumbing for the end-to-end tests: a private Xvfb, the real roomsign in a window on it, taps
with xdotool at the centre of named touch targets (from --hit-areas), screenshots with
ImageMagick's import. Stdlib only. Every wait polls for a condition with a generous timeout:
nothing asserts how long something took."""

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
import testclock  # noqa: E402,F401  (ROOMSIGN_TEST_NOW: one pinned clock for harness, fakes, sign)

WAIT_S = 30                               # generous: a shared, noisy machine

FREE = (0x00, 0x78, 0x70)
BUSY = (0xA5, 0x0E, 0x0E)
AMBER = (0xF9, 0xAB, 0x00)                # starting soon and check-in pending
ERROR_BG = (0x5F, 0x21, 0x20)             # a failed action's message
PANEL = (0x1C, 0x22, 0x29)


class Failure(AssertionError):
    pass


def expect(cond, what):
    if not cond:
        raise Failure(what)


def wait_for(what, fn, timeout=WAIT_S, interval=0.1):
    """Polls fn until it returns something truthy; fails naming what was awaited."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = fn()
        except (OSError, ValueError) as e:   # a file being replaced, a server not up yet
            last = e
        if last and not isinstance(last, Exception):
            return last
        if time.monotonic() > deadline:
            raise Failure("timed out waiting for %s (last: %r)" % (what, last))
        time.sleep(interval)


class Xvfb:
    """An X server of its own on a free display number, with an xauth cookie."""

    def __init__(self, workdir, width, height):
        self.auth = os.path.join(workdir, "xauth")
        open(self.auth, "w").close()
        cookie = secrets.token_hex(16)
        self.proc = None
        for n in range(200 + os.getpid() % 300, 1000):
            if os.path.exists("/tmp/.X%d-lock" % n) or os.path.exists("/tmp/.X11-unix/X%d" % n):
                continue
            subprocess.run(["xauth", "-f", self.auth, "add", ":%d" % n, ".", cookie], check=True)
            log = open(os.path.join(workdir, "xvfb.log"), "w")
            proc = subprocess.Popen(["Xvfb", ":%d" % n, "-screen", "0", "%dx%dx24" % (width, height),
                                     "-nolisten", "tcp", "-auth", self.auth, "-noreset"],
                                    stdout=log, stderr=log)
            self.display = ":%d" % n
            self.env = dict(os.environ, DISPLAY=self.display, XAUTHORITY=self.auth)
            try:
                wait_for("Xvfb on " + self.display, lambda: proc.poll() is not None or self._up(), timeout=20)
            except Failure:
                proc.kill()
                proc.wait()
                continue
            if proc.poll() is None:
                self.proc = proc
                return
        raise Failure("no free X display number")

    def _up(self):
        return subprocess.run(["xdotool", "getdisplaygeometry"], env=self.env,
                              capture_output=True).returncode == 0

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Sign:
    """The real roomsign binary in a window of size (w, h) on xvfb."""

    def __init__(self, binary, xvfb, workdir, size, args, env=None):
        self.xvfb = xvfb
        self.size = size
        self.hits_path = os.path.join(workdir, "hits.json")
        self.workdir = workdir
        self.shots = 0
        self.log_path = os.path.join(workdir, "roomsign.log")
        if os.path.exists(self.hits_path):
            os.unlink(self.hits_path)
        self.view_path = os.path.join(workdir, "view.json")
        if os.path.exists(self.view_path):
            os.unlink(self.view_path)
        e = dict(xvfb.env, SDL_VIDEODRIVER="x11", TZ="UTC", ROOMSIGN_VIEW_JSON=self.view_path)
        e.update(env or {})
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([binary, "--size", "%dx%d" % size, "--hit-areas", self.hits_path] + list(args),
                                     env=e, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for("the first frame's hit areas", lambda: self.proc.poll() is None and os.path.exists(self.hits_path)
                 or self._died())
        # Where the window sits on the X screen (no window manager: where SDL put it). SDL sets the
        # class to the binary's name; --name does not match under some locales.
        out = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--class", "roomsign", "getwindowgeometry"],
                             env=xvfb.env, capture_output=True, text=True, timeout=WAIT_S).stdout
        pos = [line for line in out.splitlines() if "Position:" in line]
        expect(pos, "xdotool finds the roomsign window: %r" % out)
        x, y = pos[0].split("Position:")[1].split("(")[0].strip().split(",")
        self.origin = (int(x), int(y))

    def _died(self):
        if self.proc.poll() is not None:
            raise Failure("roomsign exited with %s:\n%s" % (self.proc.returncode, self.output()))
        return False

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    # --- what is on screen ---------------------------------------------------------------------
    def hits(self):
        self._died()
        with open(self.hits_path, encoding="utf-8") as f:
            return json.load(f)

    def ids(self):
        return [h["id"] for h in self.hits()]

    def target(self, target_id):
        for h in self.hits():
            if h["id"] == target_id:
                return h
        return None

    def view(self):
        """The texts of the last frame drawn (ROOMSIGN_VIEW_JSON), {} before the first."""
        self._died()
        try:
            with open(self.view_path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def wait_view(self, what, pred, timeout=WAIT_S):
        """Waits until pred(view) holds; returns the view."""
        try:
            return wait_for(what, lambda: [self.view()] if pred(self.view()) else None, timeout)[0]
        except Failure as e:
            raise Failure("%s; view now %s\n--- roomsign log ---\n%s" % (e, self.view(), self.output()))

    def wait_ids(self, what, pred, timeout=WAIT_S):
        """Waits until pred(set of target ids) holds; returns the hits."""
        def check():
            hits = self.hits()
            return [hits] if pred({h["id"] for h in hits}) else None   # truthy even when hits == []
        try:
            return wait_for(what, check, timeout)[0]
        except Failure as e:
            raise Failure("%s; targets now %s\n--- roomsign log ---\n%s" % (e, self.ids(), self.output()))

    def wait_target(self, target_id, timeout=WAIT_S):
        self.wait_ids("target %r" % target_id, lambda ids: target_id in ids, timeout)
        return self.target(target_id)

    def screenshot(self, name=None):
        self.shots += 1
        path = os.path.join(self.workdir, "shot%02d%s.png" % (self.shots, "-" + name if name else ""))
        subprocess.run(["import", "-window", "root", path], env=self.xvfb.env, check=True, timeout=WAIT_S)
        return path

    def pixel(self, x, y, name=None):
        """The colour at window point (x, y), from a fresh screenshot of the whole X screen."""
        path = self.screenshot(name)
        ox, oy = self.origin
        out = subprocess.run(["convert", path, "-crop", "1x1+%d+%d" % (ox + x, oy + y), "-depth", "8", "txt:-"],
                             capture_output=True, text=True, check=True).stdout
        hexcol = re.search(r"\s#([0-9A-Fa-f]{6})", out).group(1)
        return tuple(int(hexcol[i:i + 2], 16) for i in (0, 2, 4))

    def status_point(self):
        w, h = self.size
        unit = min(w, h) / 40
        return int(unit * 1.6), int(h * 0.3)

    def wait_status(self, colour, what, timeout=WAIT_S):
        """Waits until the status band has colour (within a small tolerance)."""
        x, y = self.status_point()
        try:
            return wait_for(what, lambda: close(self.pixel(x, y, "status"), colour), timeout, interval=0.5)
        except Failure as e:
            raise Failure("%s; colour now %s\n--- roomsign log ---\n%s" % (e, self.pixel(x, y), self.output()))

    def wait_log(self, text, timeout=WAIT_S):
        try:
            return wait_for("log line %r" % text, lambda: text in self.output(), timeout)
        except Failure as e:
            raise Failure("%s\n--- roomsign log ---\n%s" % (e, self.output()))

    # --- input ---------------------------------------------------------------------------------
    def tap(self, target_id):
        """Clicks the centre of the target, waiting for it to be on screen first. (No --sync on
        mousemove: it waits for a move that never comes when the pointer is already there; the
        X server delivers the motion before the click anyway.)"""
        h = self.wait_target(target_id)
        x = self.origin[0] + h["x"] + h["w"] // 2
        y = self.origin[1] + h["y"] + h["h"] // 2
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"],
                       env=self.xvfb.env, check=True, timeout=WAIT_S)

    def tap_until_gone(self, target_id):
        """Taps and waits until the target leaves the screen (the tap was taken)."""
        self.tap(target_id)
        self.wait_ids("%r to be taken" % target_id, lambda ids: target_id not in ids)

    def stop(self, sig=signal.SIGTERM, timeout=WAIT_S):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise Failure("roomsign did not exit on %s" % signal.Signals(sig).name)
        self.log.close()
        return self.proc.returncode


def close(rgb, want, tol=12):
    return all(abs(a - b) <= tol for a, b in zip(rgb, want))
