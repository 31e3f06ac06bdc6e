#!/usr/bin/env python3
"""Screenshot tests: `roomsign screenshot` at a fixed --now renders the status band in the right
colour (free green, busy red, starting soon amber) at each of the five panel sizes, offscreen,
without a display server; and the demo and setup screens render."""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from pngread import close, pixel, read_png  # noqa: E402

ROOMSIGN = sys.argv[1]
FIXTURES = sys.argv[2]
SIZES = [(800, 480), (1024, 600), (1280, 800), (1920, 1080), (720, 1280)]
CASES = [("08:30", "free", (0x00, 0x78, 0x70)), ("09:55", "soon", (0xF9, 0xAB, 0x00)),
         ("10:15", "busy", (0xA5, 0x0E, 0x0E))]

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def shot(tmp, config, now, size, extra=()):
    out = os.path.join(tmp, f"shot-{now}-{size[0]}x{size[1]}.png")
    hits = out + ".json"
    args = [ROOMSIGN, "--config", config, "screenshot", out, "--now", f"2026-12-01T{now}",
            "--size", f"{size[0]}x{size[1]}", "--hit-areas", hits, *extra]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        print(proc.stderr)
    return proc.returncode, out, hits


with tempfile.TemporaryDirectory() as tmp:
    config = os.path.join(tmp, "room.conf")
    with open(config, "w") as f:
        f.write(f"[room]\nname = Fjord (4.12)\ntimezone = Europe/Copenhagen\n"
                f"[source]\ntype = ics\nurl = {FIXTURES}/ics/screens.ics\n[display]\nnight =\n"
                f"[paths]\nstate_dir = {tmp}\n")
    for size in SIZES:
        w, h = size
        unit = min(w, h) / 40
        for now, name, colour in CASES:
            rc, out, hits = shot(tmp, config, now, size)
            check(rc == 0, f"{name} {w}x{h}: screenshot exits 0")
            if rc:
                continue
            png = read_png(out)
            check(png[0] == w and png[1] == h, f"{name} {w}x{h}: PNG is {png[0]}x{png[1]}")
            rgb = pixel(png, int(unit * 1.6), int(h * 0.3))
            check(close(rgb, colour), f"{name} {w}x{h}: status band colour {rgb} ~ {colour}")
            with open(hits) as f:
                targets = {t["id"] for t in json.load(f)}
            # an ICS calendar is read-only: the sign offers no booking buttons on it
            check(not any(t.startswith("book-") for t in targets), f"{name} {w}x{h}: no booking buttons (read-only)")

    # Read-only or not, a missing font is a clear error, not a crash.
    bad = os.path.join(tmp, "badfont.conf")
    with open(bad, "w") as f:
        f.write(open(config).read() + "[display]\nfont = /nonexistent.ttf\n")
    rc, _, _ = shot(tmp, bad, "10:15", (800, 480))
    check(rc == 1, "a missing font fails with exit 1")

    # The demo renders (meeting in progress, busy) deterministically.
    out = os.path.join(tmp, "demo.png")
    args = [ROOMSIGN, "--demo", "screenshot", out, "--now", "2026-12-01T10:15", "--size", "800x480"]
    check(subprocess.run(args, timeout=60).returncode == 0, "demo screenshot exits 0")
    check(close(pixel(read_png(out), 20, 144), (0xA5, 0x0E, 0x0E)), "demo shows a meeting in progress (busy)")
    out2 = os.path.join(tmp, "demo2.png")
    args[3] = out2
    subprocess.run(args, timeout=60)
    check(open(out, "rb").read() == open(out2, "rb").read(), "two demo screenshots are identical")
    hits = os.path.join(tmp, "free.json")
    args = [ROOMSIGN, "--demo", "screenshot", out, "--now", "2026-12-01T11:50", "--size", "800x480", "--hit-areas", hits]
    check(subprocess.run(args, timeout=60).returncode == 0, "demo screenshot with hit areas exits 0")
    with open(hits) as f:
        targets = {t["id"] for t in json.load(f)}
    # the demo's meeting in progress was booked at the sign, so it can be ended there
    check("end-early" in targets, f"demo: the meeting in progress can be ended ({sorted(targets)})")

    # [display] logo: a 400x200 magenta PNG is drawn in the header, scaled to fit, its shape kept.
    def png_chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    logo = os.path.join(tmp, "logo.png")
    rows = b"".join(b"\0" + b"\xff\x00\xff" * 400 for _ in range(200))
    with open(logo, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 400, 200, 8, 2, 0, 0, 0)) +
                png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))
    branded = os.path.join(tmp, "logo.conf")
    with open(branded, "w") as f:
        f.write(open(config).read() + f"[display]\nlogo = {logo}\n")
    for size in ((800, 480), (720, 1280)):
        rc, out, _ = shot(tmp, branded, "10:15", size)
        check(rc == 0, f"logo {size}: screenshot exits 0")
        if rc:
            continue
        png = read_png(out)
        spots = [(x, y) for y in range(0, size[1], 2) for x in range(0, size[0], 2)
                 if close(pixel(png, x, y), (0xFF, 0x00, 0xFF), 4)]
        header_h = size[1] * (0.07 if size[1] > size[0] else 0.11)
        check(len(spots) > 50, f"logo {size}: the logo is on screen ({len(spots)} samples)")
        if spots:
            xs, ys = [x for x, _ in spots], [y for _, y in spots]
            w, h = max(xs) - min(xs) + 2, max(ys) - min(ys) + 2
            check(max(ys) < header_h, f"logo {size}: inside the header (rows {min(ys)}..{max(ys)} < {header_h:.0f})")
            check(abs(w / h - 2) < 0.25, f"logo {size}: scaled keeping its 2:1 shape ({w}x{h})")

print(f"{failures} failed" if failures else "all screenshot checks passed")
sys.exit(1 if failures else 0)
