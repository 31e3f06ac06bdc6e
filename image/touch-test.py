#!/usr/bin/env python3
"""Booking by touch on the booted image (run by image/boot-test.sh once the guest says TOUCH-READY).

QEMU gives the guest a virtio multitouch device (virtio-multitouch-pci): the kernel's virtio_input
driver makes it an evdev touchscreen, exactly like a panel's, and the sign reads it through SDL's
KMSDRM/evdev path inside its sandbox. This script taps it with QMP input-send-event multitouch
("mtt") events, drives the guest side (roomsign-boottest) over a virtio-serial port, and judges by
QEMU screendumps (the status colour) and the sign's journal. Phases, each a fresh sign on the demo
calendar at a pinned time:
  plain  10:00: end-early, confirm -> free; book-30, confirm -> busy (tap-to-busy time printed),
         "done" in the journal; end-early, confirm -> free again.
  touch  the same with ROOMSIGN_INPUT=touch (finger events only); first a tablet (mouse) click on
         end-early, which must do nothing there.
  night  23:00 inside [display] night = 22:00-06:00: the first tap only wakes the panel (no dialog,
         nothing booked, the room still busy).
Usage: touch-test.py QMP_SOCKET CONTROL_SOCKET THEME_H OUTDIR   (exit 0 pass, 1 fail)"""
import json
import os
import re
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from pngread import read_png  # noqa: E402

ABS_MAX = 0x7FFF   # QEMU's INPUT_EVENT_ABS_MAX: the multitouch and tablet axes run 0..32767
WAIT_S = 90        # TCG: a screen change takes seconds, not milliseconds
TOTAL_S = 900      # the whole touch test, however it hangs


class Fail(Exception):
    pass


class Overdue(Exception):
    pass


class Qmp:
    """A QMP client on QEMU's monitor socket (asynchronous events are skipped)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.sock.settimeout(60)
        self.buf = b""
        self._line()  # greeting
        self.cmd("qmp_capabilities")

    def _line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Fail("QMP: QEMU closed the monitor")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        self.sock.sendall(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        while True:
            reply = self._line()
            if "error" in reply:
                raise Fail(f"QMP {name}: {reply['error']}")
            if "return" in reply:
                return reply["return"]


class Guest:
    """The guest's command loop (roomsign-boottest) on the virtio-serial port."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.sock.settimeout(180)
        self.buf = b""

    def _line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Fail("the guest's control port closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace").rstrip("\r")

    def send(self, *words):
        self.sock.sendall((" ".join(words) + "\n").encode())

    def reply(self, *kinds):
        while True:
            line = self._line()
            kind = line.split(" ", 1)[0]
            if kind == "err":
                raise Fail("guest: " + line)
            if kind in kinds:
                return line

    def lines(self, command):
        self.send(command)
        out = []
        while True:
            line = self.reply("log", "end")
            if line == "end":
                return out
            out.append(line[4:])

    def hits(self):
        self.send("hits")
        line = self.reply("hits")
        try:
            return {h["id"]: h for h in json.loads(line[5:])}
        except ValueError:
            return {}  # caught between two frames: ask again


class Touch:
    def __init__(self, qmp, guest, theme_h, outdir):
        self.qmp, self.guest, self.outdir = qmp, guest, outdir
        theme = open(theme_h).read()
        self.colours = {name.lower(): int(v, 16) for name, v in
                        re.findall(r"#define THEME_(FREE|BUSY|SOON)\s+0x([0-9a-fA-F]{6})", theme)}
        if len(self.colours) != 3:
            raise Fail("THEME_FREE/BUSY/SOON not found in " + theme_h)
        self.tracking = 0
        self.mouse_s = 10.0  # how long a mouse click took to act without ROOMSIGN_INPUT
        self.shot = 0
        self.size = None

    # ---- the screen ----
    def screen(self, step=4):
        """(status colour covering most of the screen or None, shares) from a QEMU screendump."""
        self.shot += 1
        path = os.path.join(self.outdir, "touch-%02d.png" % self.shot)
        self.qmp.cmd("screendump", filename=path, format="png")
        width, height, rows, bpp = read_png(path)
        self.size = (width, height)
        counts = dict.fromkeys(self.colours, 0)
        total = 0
        for row in rows[::step]:
            for x in range(0, len(row), bpp * step):
                total += 1
                r, g, b = row[x], row[x + 1], row[x + 2]
                for name, v in self.colours.items():
                    if abs(r - (v >> 16 & 255)) + abs(g - (v >> 8 & 255)) + abs(b - (v & 255)) <= 30:
                        counts[name] += 1
        shares = {name: n / total for name, n in counts.items()}
        best = max(shares, key=shares.get)
        return (best if shares[best] >= 0.10 else None), shares

    def wait_colour(self, want, what):
        t0 = time.monotonic()
        while True:
            colour, shares = self.screen()
            if colour == want:
                return time.monotonic() - t0
            if time.monotonic() - t0 > WAIT_S:
                raise Fail(f"{what}: the screen is not {want} after {WAIT_S} s (" +
                           ", ".join(f"{n} {s:.0%}" for n, s in shares.items()) + ")")
            time.sleep(0.2)

    def wait_hits(self, what, pred):
        t0 = time.monotonic()
        while True:
            hits = self.guest.hits()
            if pred(set(hits)):
                return hits
            if time.monotonic() - t0 > WAIT_S:
                raise Fail(f"{what}: not on the screen after {WAIT_S} s; touch targets: {sorted(hits)}")
            time.sleep(0.3)

    # ---- input ----
    def _abs(self, hit):
        if not self.size:
            self.screen()
        width, height = self.size
        cx, cy = hit["x"] + hit["w"] / 2, hit["y"] + hit["h"] / 2
        return round(cx * ABS_MAX / (width - 1)), round(cy * ABS_MAX / (height - 1))

    def finger(self, hit):
        """One finger down on the target's centre and up again: multitouch slot 0, a new tracking id."""
        x, y = self._abs(hit)
        self.tracking += 1

        def mtt(kind, tracking, axis="x", value=0):
            return {"type": "mtt", "data": {"type": kind, "slot": 0, "tracking-id": tracking,
                                            "axis": axis, "value": value}}
        self.qmp.cmd("input-send-event", events=[
            mtt("begin", self.tracking), mtt("data", self.tracking, "x", x), mtt("data", self.tracking, "y", y)])
        time.sleep(0.15)
        self.qmp.cmd("input-send-event", events=[mtt("end", -1)])

    def mouse(self, hit):
        """A left click on the target through the virtio tablet (an absolute pointer, not touch)."""
        x, y = self._abs(hit)
        self.qmp.cmd("input-send-event", events=[
            {"type": "abs", "data": {"axis": "x", "value": x}},
            {"type": "abs", "data": {"axis": "y", "value": y}},
            {"type": "btn", "data": {"button": "left", "down": True}}])
        time.sleep(0.15)
        self.qmp.cmd("input-send-event", events=[{"type": "btn", "data": {"button": "left", "down": False}}])

    def tap(self, target, then_ids, what):
        hits = self.wait_hits(f"'{target}' for {what}", lambda ids: target in ids)
        self.finger(hits[target])
        return self.wait_hits(what, then_ids)

    # ---- the journal ----
    def log(self):
        return self.guest.lines("log")

    def done_lines(self):
        """The outcome lines of actions ("done: ..." / "failed: ..."; the journal's MESSAGE has no
        module prefix: the module is its ROOMSIGN_MODULE field; stderr's "sign: done: ..." has)."""
        return [line for line in self.log() if re.match(r"(\w+: )?(done|failed): ", line)]

    def logged(self, message):
        """Whether the running sign's journal has a line that is exactly message (with or without
        the module prefix)."""
        return any(re.fullmatch(r"(\w+: )?" + re.escape(message), line) for line in self.log())

    # ---- the scenario ----
    def start(self, phase, now, night="-", input_mode="-"):
        self.guest.send("start", now, night, input_mode)
        pid = self.guest.reply("ok")[3:]
        print(f"touch-test: [{phase}] sign started (pid {pid}) at {now}" +
              (f", night {night}" if night != "-" else "") +
              (f", ROOMSIGN_INPUT={input_mode}" if input_mode != "-" else ""), flush=True)

    def outcome(self, phase, what):
        """The outcome message after a confirmed action: a success dialog (the free colour, not
        the error colour) with one "ok" button; tapping it goes home at once."""
        hits = self.wait_hits(f"[{phase}] the outcome of {what}", lambda ids: ids == {"ok"})
        colour, shares = self.screen()
        if colour != "free":
            raise Fail(f"[{phase}] {what} failed: the outcome message is not the success colour ({shares})")
        self.finger(hits["ok"])

    def end_meeting(self, phase):
        self.tap("end-early", lambda ids: "confirm" in ids, f"[{phase}] the end-now dialog")
        hits = self.wait_hits(f"[{phase}] 'confirm'", lambda ids: "confirm" in ids)
        self.finger(hits["confirm"])
        self.outcome(phase, "ending the meeting")
        self.wait_hits(f"[{phase}] home with the durations after ending", lambda ids: "book-30" in ids)
        self.wait_colour("free", f"[{phase}] after ending the meeting")

    def book(self, phase, until):
        """book-30, confirm: returns (confirm tap to the outcome message, confirm tap to busy) in s."""
        before = len(self.done_lines())
        self.tap("book-30", lambda ids: "confirm" in ids, f"[{phase}] the booking dialog")
        hits = self.wait_hits(f"[{phase}] 'confirm'", lambda ids: "confirm" in ids)
        colour, _ = self.screen()
        if colour == "busy":
            raise Fail(f"[{phase}] the screen is busy before the booking was confirmed")
        self.finger(hits["confirm"])
        t0 = time.monotonic()
        self.outcome(phase, "the booking")
        t_message = time.monotonic() - t0
        self.wait_colour("busy", f"[{phase}] after confirming the booking")
        t_busy = time.monotonic() - t0
        self.wait_hits(f"[{phase}] home with the meeting's end-now", lambda ids: "end-early" in ids)
        done = self.done_lines()[before:]
        booked = f"booked 30 minutes, until {until}"
        if not any(re.match(r"(\w+: )?done: ", line) for line in done) or \
                not any(booked in line for line in self.log()):
            raise Fail(f"[{phase}] the sign's journal does not show '{booked}' and its outcome: {done}")
        print(f"touch-test: [{phase}] {booked} ({done[-1]})", flush=True)
        return t_message, t_busy

    def plain(self):
        self.start("plain", "2026-12-02T10:00Z")
        devices = self.guest.lines("input")
        for line in devices:
            print("touch-test: [plain] input device " + line, flush=True)
        # The panel as udev and the sandbox see it: a touchscreen node the input group may open.
        if not any("QEMU Virtio MultiTouch" in d and "ID_INPUT_TOUCHSCREEN=1" in d and d.endswith(" input 660")
                   for d in devices):
            raise Fail("[plain] no evdev touchscreen for the virtio multitouch device (group input, 0660)")
        self.wait_colour("busy", "[plain] the demo's meeting at start")
        self.end_meeting("plain")
        t_message, t_busy = self.book("plain", "10:30")
        print(f"touch-test: tap on 'Book' (finger up) to the busy colour in the screendump: {t_busy:.1f} s, "
              f"of which {t_message:.1f} s to the 'booked' message, then its 'OK' tapped at once "
              "(TCG-emulated cortex-a72, screendumps polled: an upper bound)", flush=True)
        self.end_meeting("plain")
        # The control for the next phase: here, without ROOMSIGN_INPUT, a mouse click does act.
        hits = self.wait_hits("[plain] 'book-30'", lambda ids: "book-30" in ids)
        t0 = time.monotonic()
        self.mouse(hits["book-30"])
        self.wait_hits("[plain] the booking dialog after a mouse click", lambda ids: "confirm" in ids)
        self.mouse_s = time.monotonic() - t0
        self.tap("cancel", lambda ids: "book-30" in ids, "[plain] home after cancelling")
        print("touch-test: [plain] PASS (a mouse click acts too without ROOMSIGN_INPUT)", flush=True)

    def touch_only(self):
        self.start("touch", "2026-12-02T10:00Z", input_mode="touch")
        hits = self.wait_hits("[touch] 'end-early'", lambda ids: "end-early" in ids)
        self.wait_colour("busy", "[touch] the demo's meeting at start")
        self.mouse(hits["end-early"])
        time.sleep(max(5.0, 3 * self.mouse_s))  # three times what the click took to act above
        if "confirm" in self.guest.hits():
            raise Fail("[touch] a mouse click acted although ROOMSIGN_INPUT=touch")
        self.end_meeting("touch")
        self.book("touch", "10:30")
        self.end_meeting("touch")
        print("touch-test: [touch] PASS (finger events only; the mouse click did nothing)", flush=True)

    def night(self):
        self.start("night", "2026-12-02T23:00Z", night="22:00-06:00")
        deadline = time.monotonic() + WAIT_S
        while not self.logged("backlight off (night)"):
            if time.monotonic() > deadline:
                raise Fail("[night] the sign did not switch the panel off for the night")
            time.sleep(0.5)
        hits = self.wait_hits("[night] 'end-early'", lambda ids: "end-early" in ids)
        self.finger(hits["end-early"])
        deadline = time.monotonic() + WAIT_S
        while not self.logged("backlight on"):
            if time.monotonic() > deadline:
                raise Fail("[night] the first tap did not turn the panel on")
            time.sleep(0.5)
        time.sleep(2)
        ids = set(self.guest.hits())
        if "confirm" in ids or "end-early" not in ids:
            raise Fail(f"[night] the waking tap acted: touch targets now {sorted(ids)}")
        colour, _ = self.screen()
        if colour != "busy":
            raise Fail(f"[night] the waking tap changed the room: the screen shows {colour}")
        print("touch-test: [night] PASS (the first tap turned the panel on and did nothing else)", flush=True)
        # Not here: that the next tap acts (e2e.night_first_tap_only_wakes_then_taps_act shows it
        # on the desktop). On this image the end-now dialog did not open within 90 s after the
        # waking tap in the one run that tried; see issue 18's note.


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    qmp_path, ctl_path, theme_h, outdir = sys.argv[1:]
    os.makedirs(outdir, exist_ok=True)

    def overdue(_sig, _frame):
        raise Overdue(f"the touch test did not finish in {TOTAL_S} s")
    signal.signal(signal.SIGALRM, overdue)
    signal.alarm(TOTAL_S)
    t0 = time.monotonic()
    guest = None
    failed = []
    try:
        qmp = Qmp(qmp_path)
        guest = Guest(ctl_path)
        t = Touch(qmp, guest, theme_h, outdir)
        # Each phase starts a sign of its own: one failing does not hide what the others show.
        for phase in (t.plain, t.touch_only, t.night):
            try:
                phase()
            except Fail as e:
                failed.append(phase.__name__)
                print(f"touch-test: FAIL: {e}", flush=True)
                for line in guest.lines("log")[-25:]:  # the failed phase's sign, still running
                    print("touch-test: sign: " + line, flush=True)
    except (Fail, Overdue, OSError, ValueError) as e:
        print(f"touch-test: FAIL: {e}", flush=True)
        failed.append("the test itself")
    ok = not failed
    signal.alarm(0)
    if guest:
        try:
            guest.send("stop")
            guest.reply("ok")
        except (Fail, OSError):
            pass
    print(f"touch-test: {'PASS' if ok else 'FAIL'} in {time.monotonic() - t0:.0f} s", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
