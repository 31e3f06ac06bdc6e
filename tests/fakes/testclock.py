"""One clock for a whole test: the harness, the fakes and the sign.

ROOMSIGN_TEST_NOW pins it: "23:50Z" (that time of the current UTC day) or a full UTC instant
"2026-12-31T23:50:00Z". The first process that calls install() (the test harness, at import)
turns it into ROOMSIGN_CLOCK_OFFSET, seconds, in its own environment; the sign and the C drivers
honour that variable (app/core/timeutil.h), and every process the harness starts inherits it, so
the fakes (which call install() too) run the very same shifted clock. In this process time.time()
is shifted to match: the clock starts at the pinned instant and ticks on, and monotonic waits are
untouched (unlike libfaketime 0.9.10, which breaks Python's sleeps). Clocks outside our reach
keep real time on purpose: OpenSSL's certificate checks, Kerberos, Radicale's own bookkeeping.
Without ROOMSIGN_TEST_NOW nothing changes.

ctest's "midnight" tests set ROOMSIGN_TEST_NOW=23:50Z (00:50 in Europe/Copenhagen in winter), so
both the UTC and the room's midnight fall inside the test."""
import calendar
import os
import re
import time

_real_time = time.time


def target(spec, real_now):
    """The instant ROOMSIGN_TEST_NOW names, as UTC seconds."""
    m = re.fullmatch(r"(\d\d):(\d\d)Z", spec)
    if m:
        return int(real_now) // 86400 * 86400 + int(m[1]) * 3600 + int(m[2]) * 60
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?Z", spec)
    if not m:
        raise ValueError("ROOMSIGN_TEST_NOW: want HH:MMZ or YYYY-MM-DDTHH:MM[:SS]Z, not %r" % spec)
    return calendar.timegm(tuple(int(x or 0) for x in m.groups()) + (0, 0, 0))


def install():
    """Applies ROOMSIGN_TEST_NOW to this process and to everything it starts from now on."""
    spec = os.environ.get("ROOMSIGN_TEST_NOW")
    if not spec:
        return 0
    if "ROOMSIGN_CLOCK_OFFSET" not in os.environ:
        real = _real_time()
        os.environ["ROOMSIGN_CLOCK_OFFSET"] = str(int(target(spec, real) - int(real)))
    offset = int(float(os.environ["ROOMSIGN_CLOCK_OFFSET"]))
    time.time = lambda: _real_time() + offset
    return offset


OFFSET = install()
