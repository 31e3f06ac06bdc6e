#!/usr/bin/env python3
"""The command line as a Linux user expects it: --help, --version, usage errors (exit 2), the
setup screen without a configuration, and `agenda` TSV from an ICS file (escaping, all-day
events in the room's zone, cancelled ones left out, --tz)."""
import calendar
import json
import os
import subprocess
import sys
import tempfile
import time

ROOMSIGN, FIXTURES = sys.argv[1], sys.argv[2]
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    failures += 0 if ok else 1


def run(*args, env=None):
    return subprocess.run([ROOMSIGN, *args], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, **(env or {})))


p = run("--help")
check(p.returncode == 0 and "Usage: roomsign" in p.stdout and "agenda" in p.stdout, "--help prints usage, exit 0")
p = run("--version")
check(p.returncode == 0 and p.stdout.startswith("roomsign "), "--version prints the version, exit 0")
for args, what in [(["--frobnicate"], "unknown option"), (["dance"], "unknown command"),
                   (["book"], "book without --minutes"), (["book", "--minutes", "3"], "too short a booking"),
                   (["screenshot"], "screenshot without a file"), (["--config"], "option without its value"),
                   (["--demo", "agenda", "--from", "tomorrow"], "a bad date"),
                   (["--demo", "screenshot", "/tmp/x.png", "--size", "huge"], "a bad size"),
                   (["--demo", "screenshot", "/tmp/x.png", "--now", "noon"], "a bad --now")]:
    p = run(*args)
    lines = p.stderr.strip().splitlines()
    if what == "option without its value":
        check("needs a value" in p.stderr, "a missing value is named as such")
    check(p.returncode == 2 and len(lines) == 1 and lines[0].startswith("roomsign: "),
          f"{what}: one-line error, exit 2 ({p.returncode}: {p.stderr.strip()!r})")

with tempfile.TemporaryDirectory() as tmp:
    view_json = os.path.join(tmp, "view.json")
    missing = os.path.join(tmp, "none.conf")
    p = run("screenshot", os.path.join(tmp, "setup.png"), "--size", "800x480",
            env={"ROOMSIGN_CONFIG": missing, "ROOMSIGN_VIEW_JSON": view_json})
    v = json.load(open(view_json)) if os.path.exists(view_json) else {}
    check(p.returncode == 0 and v.get("kind") == "setup", "no configuration: the display shows the setup screen")
    check(missing in v.get("text", "") and "--demo" in v.get("text", ""), "which says where the file goes, and --demo")

    broken = os.path.join(tmp, "broken.conf")
    open(broken, "w").write("[room]\nname = X\n[booking]\nsoon = lots\n")
    p = run("--config", broken, "screenshot", os.path.join(tmp, "broken.png"), env={"ROOMSIGN_VIEW_JSON": view_json})
    v = json.load(open(view_json))
    check(p.returncode == 0 and v.get("kind") == "setup" and "broken.conf:4: [booking] soon" in v.get("text", ""),
          "a broken configuration is shown on the screen with file, line and key")
    p = run("--config", broken, "agenda")
    check(p.returncode == 1 and "broken.conf:4: [booking] soon" in p.stderr, "and commands refuse it with the same message")

    config = os.path.join(tmp, "room.conf")
    open(config, "w").write(f"[room]\nname = Fjord\ntimezone = Europe/Copenhagen\n"
                            f"[source]\ntype = ics\nurl = file://{FIXTURES}/ics/mixed.ics\n")
    p = run("--config", config, "agenda", "--from", "2026-12-01", "--to", "2026-12-02")
    lines = p.stdout.splitlines()
    check(p.returncode == 0, f"agenda exits 0 ({p.stderr.strip()})")
    expected = [
        "2026-11-30T23:00:00Z\t2026-12-01T23:00:00Z\t1\tfree\tOffice day",
        "2026-12-01T07:00:00Z\t2026-12-01T07:30:00Z\t0\tbusy\tPrivate meeting",  # CLASS:PRIVATE
        "2026-12-01T12:00:00Z\t2026-12-01T13:30:00Z\t0\tbusy\tFloating lunch talk",
        "2026-12-01T15:00:00Z\t2026-12-01T15:30:00Z\t0\tfree\tJust a reminder",
        "2026-12-01T16:00:00Z\t2026-12-01T16:30:00Z\t0\ttentative\tMaybe",
        "2026-12-01T17:00:00Z\t2026-12-01T17:30:00Z\t0\tbusy\tTab\\there, new\\nline and back\\\\slash",
    ]
    check(lines == expected, "agenda prints the day as TSV:\n" + "\n".join(lines))
    p = run("--config", config, "agenda", "--from", "2026-12-01", "--to", "2026-12-02", "--tz", "America/New_York")
    check(p.returncode == 0 and p.stdout.splitlines()[0].startswith("2026-12-01T05:00:00Z\t2026-12-02T05:00:00Z\t1"),
          "--tz moves local days (and all-day events) to that zone")
    p = run("--config", config, "agenda", "--tz", "Mars/Base")
    check(p.returncode == 2, "--tz with an unknown zone is a usage error")
    p = run("--config", config, "book", "--minutes", "30")
    check(p.returncode == 1 and "read-only" in p.stderr, "booking an ICS room says it is read-only")
    p = run("--config", config, "check")
    check(p.returncode == 0 and "✓" in p.stdout, "check passes on a readable ICS file")
    open(config, "a").write("")
    bad = os.path.join(tmp, "bad.conf")
    open(bad, "w").write(f"[room]\nname = Fjord\n[source]\ntype = ics\nurl = {tmp}/missing.ics\n")
    p = run("--config", bad, "check")
    check(p.returncode == 1 and "✗" in p.stdout and "missing.ics" in p.stdout, "check names a missing calendar file")

    # Meetings whose subject is only the organizer's name: Exchange's calendar processing does
    # that, an ICS (or CalDAV) calendar has no Set-CalendarProcessing to advise. Clock pinned.
    stripped = os.path.join(tmp, "stripped.ics")
    events = "".join(f"BEGIN:VEVENT\r\nUID:stripped-{i}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:{start}\r\n"
                     f"DURATION:PT1H\r\nSUMMARY:{name}\r\nORGANIZER;CN={name}:mailto:{i}@example.com\r\n"
                     "END:VEVENT\r\n"
                     for i, (start, name) in enumerate((("20261201T110000Z", "Bo Ek"), ("20261202T090000Z", "Anna Berg"))))
    open(stripped, "w").write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//roomsign tests//EN\r\n" + events +
                              "END:VCALENDAR\r\n")
    open(config, "w").write(f"[room]\nname = Fjord\ntimezone = UTC\n[source]\ntype = ics\nurl = {stripped}\n")
    pinned = {"ROOMSIGN_CLOCK_OFFSET": str(calendar.timegm((2026, 12, 1, 10, 0, 0)) - int(time.time())), "TZ": "UTC"}
    p = run("--config", config, "agenda", "--from", "2026-12-01", "--to", "2026-12-03", env=pinned)
    check(p.returncode == 0 and len(p.stdout.splitlines()) == 2, "the two stripped meetings are read")
    p = run("--config", config, "check", env=pinned)
    check(p.returncode == 0 and "Set-CalendarProcessing" not in p.stdout + p.stderr,
          "check gives an ICS room no Exchange advice:\n" + p.stdout)

print(f"{failures} failed" if failures else "all CLI checks passed")
sys.exit(1 if failures else 0)
