#!/usr/bin/env python3
"""Differential test of iCalendar recurrence (issue 17): a seeded generator writes random but valid
calendars (RRULE with BYDAY/BYMONTHDAY/BYSETPOS/INTERVAL/COUNT/UNTIL, EXDATE, RDATE, overrides,
zones with DST, floating and all-day events); each window is expanded by `roomsign agenda` (the
real binary, through the ICS source) and by an independent implementation, Debian's
python3-recurring-ical-events (python-dateutil's rrule underneath). Both must agree on every
occurrence (start, end, all-day, subject), each as often, except on the documented differences
below, each justified by RFC 5545. Prints the agreement rate. A disagreement fails the test and
is written as a calendar to --keep DIR, to be kept as a regression fixture in
tests/fixtures/regress/ical/: the window, the room's zone and the expected lines ride along as
X-ROOMSIGN-TEST-* properties, which `replay` checks for every fixture there that has them (also
issue17-*.ics, the issue's own eight kinds of disagreement, where the reference is wrong).

No crash and no hang: every roomsign run has a timeout and must exit 0.

Usage: ical_differential.py ROOMSIGN run --seed N --count N [--keep DIR]
       ical_differential.py ROOMSIGN replay FIXTURE_DIR     (kept fixtures against their lines)
       ical_differential.py ROOMSIGN compare FILE.ics...    (kept calendars against the reference)

Documented differences (RFC 5545 is right, the reference is not; the generator leaves these out
or the comparison normalises them, and the unit tests in test_ical_recurrence.c cover them):
 D1 RECURRENCE-ID;RANGE=THISANDFUTURE changes every later instance (3.8.4.4); the reference
    treats it as a single override. Not generated.
 D2 Several RRULEs are a union (RFC 2445 4.8.5.4; RFC 5545 3.8.5.3 deprecates but does not
    forbid them); the reference refuses distinct RRULEs. Not generated.
 D3 The same UID twice without RECURRENCE-ID: the higher SEQUENCE supersedes the whole
    component (3.8.7.4, RFC 5546 2.1.5); the reference merges the copies day by day. Not
    generated.
 D4 An all-day event whose DTEND is not after DTSTART lasts one day (3.6.1: a DATE DTSTART
    without a usable end is one day); the reference keeps it zero-length. Generated; the
    reference's end is normalised to one day.
 D5 STATUS:CANCELLED (3.8.1.11): a cancelled occurrence is not shown on the sign; the reference
    returns it. Generated (cancelled overrides); dropped from the reference's answer.
 D6 A local time that falls into a DST gap or overlap (3.3.5: the first of two, or shifted by
    the gap); pytz picks the later. Not generated (times 06:00-21:45 only).
 D7 An UNTIL in local time with a zoned DTSTART is invalid (3.3.10: it must be UTC); the
    reference reads it as UTC. Not generated (UNTIL is UTC, or local for floating/DATE starts).
 D8 EXDATE;VALUE=DATE on a timed series (3.8.5.1 allows DATE values; the sign drops that day's
    instance); the reference never matches a date to a date-time. Not generated.
 D9 An RDATE equal to an RRULE instance is one occurrence (3.8.5.2); across a DST change the
    reference (pytz's fixed offsets inside dateutil) returns it twice. Generated; the
    reference's identical occurrences of one series are counted once (differential-17-109);
    an override of such an instance replaces only one of the two there (differential-2026-
    2699), so such instances are not overridden.
"""
import argparse
from collections import Counter
import datetime as dt
import os
import random
import re
import subprocess
import sys
import tempfile

ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Australia/Sydney", "Asia/Tokyo",
         "Europe/Helsinki", "UTC", "floating"]
ROOM_ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
ROOMSIGN_TIMEOUT_S = 20


# ---------------------------------------------------------------- generator

def fmt_local(t):
    return t.strftime("%Y%m%dT%H%M%S")


def fmt_date(d):
    return d.strftime("%Y%m%d")


def prop_time(name, t, zone, all_day):
    """A DTSTART-like property line for a naive local time t in zone."""
    if all_day:
        return f"{name};VALUE=DATE:{fmt_date(t)}"
    if zone == "floating":
        return f"{name}:{fmt_local(t)}"
    if zone == "UTC":
        return f"{name}:{fmt_local(t)}Z"
    return f"{name};TZID={zone}:{fmt_local(t)}"


def gen_rule(rnd, start, all_day, zone):
    freq = rnd.choice(["DAILY", "WEEKLY", "WEEKLY", "MONTHLY", "MONTHLY", "YEARLY"])
    parts = [f"FREQ={freq}"]
    if rnd.random() < 0.35:
        parts.append(f"INTERVAL={rnd.randint(2, 4)}")
    if freq == "WEEKLY" and rnd.random() < 0.6:
        parts.append("BYDAY=" + ",".join(sorted(rnd.sample(DAYS, rnd.randint(1, 3)), key=DAYS.index)))
    elif freq == "MONTHLY":
        kind = rnd.random()
        if kind < 0.3:
            parts.append(f"BYMONTHDAY={rnd.choice([1, 5, 10, 15, 20, 28, -1])}")
        elif kind < 0.6:
            parts.append(f"BYDAY={rnd.choice(['1', '2', '-1', '3'])}{rnd.choice(DAYS)}")
        elif kind < 0.85:
            parts.append("BYDAY=MO,TU,WE,TH,FR;BYSETPOS=" + rnd.choice(["1", "-1", "2"]))
    elif freq == "DAILY" and rnd.random() < 0.2:
        parts.append("BYDAY=MO,TU,WE,TH,FR")
    elif freq == "YEARLY" and rnd.random() < 0.3:
        parts.append(f"BYMONTH={rnd.randint(1, 12)};BYMONTHDAY={rnd.randint(1, 28)}")
    end = rnd.random()
    if end < 0.4:
        parts.append(f"COUNT={rnd.randint(1, 25)}")
    elif end < 0.75:
        until = start + dt.timedelta(days=rnd.randint(5, 200))
        if all_day:
            parts.append(f"UNTIL={fmt_date(until)}")
        elif zone == "floating":
            parts.append(f"UNTIL={fmt_local(until)}")
        else:  # D7: always UTC for a zoned start; an hour either side of an instance is fine
            parts.append(f"UNTIL={fmt_local(until + dt.timedelta(hours=rnd.randint(-12, 12)))}Z")
    return ";".join(parts)


def instances(rule, start, limit=300):
    """The rule's first instances (naive local), to aim EXDATEs, RDATEs and overrides at."""
    from dateutil.rrule import rrulestr
    text = re.sub(r"(UNTIL=\d{8}T\d{6})Z", r"\1", rule)  # near enough for aiming
    try:
        r = rrulestr(text, dtstart=start)
    except ValueError:
        return [start]
    out = [start]  # DTSTART is the first instance (RFC 5545 3.8.5.3)
    for t in r:
        if t == start:
            continue
        out.append(t)
        if len(out) >= limit:
            break
    return out


def gen_series(rnd, n, base):
    zone = rnd.choice(ZONES)
    all_day = rnd.random() < 0.15
    day = base + dt.timedelta(days=rnd.randint(0, 120))
    if all_day:
        start = dt.datetime(day.year, day.month, day.day)
    else:
        start = dt.datetime(day.year, day.month, day.day, rnd.randint(6, 20), rnd.choice([0, 15, 30, 45]))
    uid = f"s{n}"
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20240101T000000Z", prop_time("DTSTART", start, zone, all_day)]
    if all_day:
        k = rnd.random()
        if k < 0.5:
            lines.append(prop_time("DTEND", start + dt.timedelta(days=rnd.randint(1, 3)), zone, True))
        elif k < 0.65:
            lines.append(prop_time("DTEND", start, zone, True))  # D4
        elif k < 0.8:
            lines.append(f"DURATION:P{rnd.randint(1, 2)}D")
    else:
        minutes = rnd.choice([15, 30, 45, 60, 90, 120, 240])
        if rnd.random() < 0.7:
            lines.append(prop_time("DTEND", start + dt.timedelta(minutes=minutes), zone, False))
        else:
            lines.append(f"DURATION:PT{minutes}M")
    overrides = []
    recurring = rnd.random() < 0.9
    if recurring:
        rule = gen_rule(rnd, start, all_day, zone)
        lines.append("RRULE:" + rule)
        inst = instances(rule, start)
        dates = {t.date() for t in inst}
        doubled = set()  # instances also given as RDATE
        if len(inst) > 2 and rnd.random() < 0.5:  # EXDATE of real instances (D8: same value type)
            for t in rnd.sample(inst[1:], min(len(inst) - 1, rnd.randint(1, 3))):
                lines.append(prop_time("EXDATE", t, zone, all_day))
        if rnd.random() < 0.4:  # RDATE: on an instance (counted once) or on a day without one
            for _ in range(rnd.randint(1, 3)):
                if rnd.random() < 0.4:
                    t = rnd.choice(inst)
                    doubled.add(t)
                else:
                    t = start + dt.timedelta(days=rnd.randint(1, 90), hours=0 if all_day else rnd.randint(-3, 3))
                    if t.date() in dates or (not all_day and not 6 <= t.hour <= 21):
                        continue
                    dates.add(t.date())
                lines.append(prop_time("RDATE", t, zone, all_day))
        movable = [t for t in inst[1:] if t not in doubled]  # D9
        if len(movable) > 1 and rnd.random() < 0.4:
            for t in rnd.sample(movable, min(len(movable), rnd.randint(1, 2))):
                overrides.append(gen_override(rnd, uid, t, zone, all_day))
    lines += [f"SUMMARY:{uid} master", "END:VEVENT"]
    return lines, overrides


def gen_override(rnd, uid, rid, zone, all_day):
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20240101T000000Z", prop_time("RECURRENCE-ID", rid, zone, all_day)]
    if all_day:
        new = rid
    else:
        new = rid + dt.timedelta(minutes=rnd.choice([-120, -30, 0, 60, 180]))
        if not 6 <= new.hour <= 21:
            new = rid
    lines.append(prop_time("DTSTART", new, zone, all_day))
    if all_day:
        lines.append(prop_time("DTEND", new + dt.timedelta(days=1), zone, True))
    else:
        lines.append(prop_time("DTEND", new + dt.timedelta(minutes=rnd.choice([20, 50])), zone, False))
    if rnd.random() < 0.2:
        lines.append("STATUS:CANCELLED")  # D5
    lines += [f"SUMMARY:{uid} moved {fmt_local(rid)}", "END:VEVENT"]
    return lines


def gen_calendar(rnd):
    base = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randint(0, 900))
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//roomsign differential//EN"]
    for n in range(rnd.randint(1, 4)):
        master, overrides = gen_series(rnd, n, base)
        body += master
        for o in overrides:
            body += o
    body.append("END:VCALENDAR")
    if rnd.random() < 0.5:
        w_from = base + dt.timedelta(days=rnd.randint(0, 150))
        w_to = w_from + dt.timedelta(days=rnd.randint(1, 14))
    else:
        w_from = base + dt.timedelta(days=rnd.randint(0, 60))
        w_to = w_from + dt.timedelta(days=rnd.randint(30, 120))
    return "\r\n".join(body) + "\r\n", rnd.choice(ROOM_ZONES), w_from, w_to


# ---------------------------------------------------------------- the two implementations

def utc(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_roomsign(roomsign, ics_path, room_zone, w_from, w_to, tmp):
    config = os.path.join(tmp, "room.conf")
    with open(config, "w") as f:
        f.write(f"[room]\nname = Differential\ntimezone = {room_zone}\n[source]\ntype = ics\nurl = {ics_path}\n")
    try:
        p = subprocess.run([roomsign, "--config", config, "agenda", "--from", w_from.isoformat(), "--to",
                            w_to.isoformat()], capture_output=True, text=True, timeout=ROOMSIGN_TIMEOUT_S,
                           env=dict(os.environ, TZ="UTC"))
    except subprocess.TimeoutExpired:
        return None, f"roomsign agenda hung (> {ROOMSIGN_TIMEOUT_S} s)"
    if p.returncode != 0:
        return None, f"roomsign agenda exit {p.returncode}: {p.stderr.strip()[-400:]}"
    out = []
    for line in p.stdout.splitlines():
        start, end, all_day, _show, subject = line.split("\t")
        out.append((start, end, all_day == "1", subject))
    return sorted(out), None


def run_reference(text, room_zone, w_from, w_to):
    import icalendar
    import pytz
    import recurring_ical_events
    room = pytz.timezone(room_zone)

    def instant(v):
        if isinstance(v, dt.datetime):
            return v if v.tzinfo else room.localize(v)
        return room.localize(dt.datetime(v.year, v.month, v.day))

    lo = room.localize(dt.datetime.combine(w_from, dt.time()))
    hi = room.localize(dt.datetime.combine(w_to, dt.time()))
    cal = icalendar.Calendar.from_ical(text)
    margin = dt.timedelta(days=3)
    out = []
    for ev in recurring_ical_events.of(cal).between(w_from - margin, w_to + margin):
        if str(ev.get("STATUS", "")).upper() == "CANCELLED":
            continue  # D5
        start_v, end_v = ev["DTSTART"].dt, ev["DTEND"].dt
        all_day = not isinstance(start_v, dt.datetime)
        start, end = instant(start_v), instant(end_v)
        if all_day and end <= start:  # D4
            end = instant(start_v + dt.timedelta(days=1))
        if not (start < hi and (end > lo or (end == start and start >= lo))):
            continue  # the overlap rule of `roomsign agenda`
        out.append((utc(start), utc(end), all_day, str(ev.get("SUMMARY", ""))))
    return sorted(set(out))  # D9: one occurrence per instant of a series (summaries name the series)


# ---------------------------------------------------------------- driver

def keep_case(keep_dir, name, text, room_zone, w_from, w_to, expected):
    os.makedirs(keep_dir, exist_ok=True)
    header = [f"X-ROOMSIGN-TEST-ROOM-TZ:{room_zone}", f"X-ROOMSIGN-TEST-WINDOW:{w_from}/{w_to}"]
    header += ["X-ROOMSIGN-TEST-EXPECT:" + "|".join([s, e, "1" if a else "0", subj])
               for s, e, a, subj in sorted(expected)]
    text = text.replace("PRODID:-//roomsign differential//EN\r\n",
                        "PRODID:-//roomsign differential//EN\r\n" + "\r\n".join(header) + "\r\n", 1)
    path = os.path.join(keep_dir, f"differential-{name}.ics")
    with open(path, "w", newline="") as f:
        f.write(text)
    return path


def show_diff(ours, ref):
    """The occurrences one side has more often than the other (both are sorted lists)."""
    lines = []
    for item in sorted((Counter(ours) - Counter(ref)).elements()):
        lines.append("  only roomsign:  " + " ".join(map(str, item)))
    for item in sorted((Counter(ref) - Counter(ours)).elements()):
        lines.append("  only reference: " + " ".join(map(str, item)))
    return "\n".join(lines[:12])


def cmd_run(args):
    rnd = random.Random(args.seed)
    agree = disagree = occurrences = 0
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        ics = os.path.join(tmp, "cal.ics")
        for i in range(args.count):
            text, room_zone, w_from, w_to = gen_calendar(rnd)
            with open(ics, "w", newline="") as f:
                f.write(text)
            ours, err = run_roomsign(args.roomsign, ics, room_zone, w_from, w_to, tmp)
            if err:
                failures.append(f"case {args.seed}-{i}: {err}")
                if args.keep:
                    keep_case(args.keep, f"{args.seed}-{i}", text, room_zone, w_from, w_to, [])
                continue
            ref = run_reference(text, room_zone, w_from, w_to)
            occurrences += len(ref)
            if ours == ref:
                agree += 1
                continue
            disagree += 1
            kept = keep_case(args.keep, f"{args.seed}-{i}", text, room_zone, w_from, w_to, ref) if args.keep else ""
            failures.append(f"case {args.seed}-{i} ({room_zone}, {w_from}..{w_to}) disagrees{' → ' + kept if kept else ''}:"
                            f"\n{show_diff(ours, ref)}")
    total = agree + disagree
    for f in failures[:20]:
        print("FAIL " + f)
    print(f"agreement: {agree}/{total} windows = {100.0 * agree / max(total, 1):.2f}% "
          f"(seed {args.seed}; {occurrences} occurrences; {len(failures) - disagree} crashes/hangs/errors)")
    return 1 if failures or total == 0 else 0


def read_case(path):
    text = open(path, newline="").read()
    room_zone, window, expected = None, None, []
    for line in text.splitlines():
        if line.startswith("X-ROOMSIGN-TEST-ROOM-TZ:"):
            room_zone = line.split(":", 1)[1]
        elif line.startswith("X-ROOMSIGN-TEST-WINDOW:"):
            window = [dt.date.fromisoformat(d) for d in line.split(":", 1)[1].split("/")]
        elif line.startswith("X-ROOMSIGN-TEST-EXPECT:"):
            s, e, a, subj = line.split(":", 1)[1].split("|", 3)
            expected.append((s, e, a == "1", subj))
    return text, room_zone, window, sorted(expected)


def cmd_replay(args):
    cases = sorted(f for f in os.listdir(args.dir)
                   if f.endswith(".ics") and "X-ROOMSIGN-TEST-WINDOW:" in open(os.path.join(args.dir, f)).read())
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in cases:
            path = os.path.join(args.dir, name)
            text, room_zone, window, expected = read_case(path)
            ours, err = run_roomsign(args.roomsign, path, room_zone, window[0], window[1], tmp)
            ok = err is None and ours == expected
            print(("ok   " if ok else "FAIL ") + name + (f": {err}" if err else "")
                  + ("" if ok or err else "\n" + show_diff(ours, expected)))
            failures += 0 if ok else 1
    print(f"{len(cases) - failures}/{len(cases)} kept cases as expected")
    return 1 if failures or not cases else 0


def cmd_compare(args):
    """Both implementations on kept calendars (to recheck disagreements after a change)."""
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in args.files:
            text, room_zone, window, _expected = read_case(path)
            ours, err = run_roomsign(args.roomsign, os.path.abspath(path), room_zone, window[0], window[1], tmp)
            ref = run_reference(text, room_zone, window[0], window[1])
            ok = err is None and ours == ref
            print(("agree    " if ok else "DISAGREE ") + path + (f": {err}" if err else "")
                  + ("" if ok or err else "\n" + show_diff(ours, ref)))
            failures += 0 if ok else 1
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("roomsign")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--seed", type=int, default=17)
    r.add_argument("--count", type=int, default=300)
    r.add_argument("--keep")
    p = sub.add_parser("replay")
    p.add_argument("dir")
    c = sub.add_parser("compare")
    c.add_argument("files", nargs="+")
    args = ap.parse_args()
    return {"run": cmd_run, "replay": cmd_replay, "compare": cmd_compare}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
