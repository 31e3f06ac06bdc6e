#!/usr/bin/python3
"""Benchmark, issue 16 (EWS half): per sign per hour, default settings, one change an hour, the
requests and response bytes a sign costs Exchange and how long a change takes to reach its screen,
for today's 60 s polling (`streaming = no`) and for streaming notifications, side by side.

The real sign runs in an Xvfb window against the fake Exchange over HTTP. One hour runs in
3600/SPEED real seconds: the sign's clock (ROOMSIGN_CLOCK_SPEED) and the fake's ConnectionTimeout
minutes and keep-alive period (45 s, the EWS Managed API's heartbeat) are all accelerated alike.
Requests and bytes are counted by the server (EWS operations after sign-in; bytes are response
bodies). Change-to-screen latency is measured on LATENCY_SAMPLES extra changes after the hour:
polling waits for a clock timer, so its real wait is scaled back by SPEED; a push waits for no
timer, so its real wait is what a user sees. Prints numbers; asserts only that it measured.

  bench_push.py --roomsign BIN --fake fake_ews.py --ca-script make-test-ca.sh --workdir DIR
"""

import argparse
import os
import random
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from e2e_test import E2E, at, others_meeting, wait_for  # noqa: E402

SPEED = 60.0                 # one clock hour in one real minute
KEEPALIVE_S = 45.0           # [U] Exchange's real period; the EWS Managed API's HeartbeatFrequency
LATENCY_SAMPLES = 5


def shows(s, subject):
    return lambda: s.view().get("title") == subject


def run_mode(args, mode):
    w = E2E(args, "bench-push-" + mode)
    try:
        w.ews.start_fake()
        for h in range(8, 16):              # a room's ordinary next day: the window the sign reads
            others_meeting(w, at("%02d:00" % h) + 86400, at("%02d:45" % h) + 86400, subject="Meeting %d" % h)
        w.ews.admin("settings", {"keepalive_s": KEEPALIVE_S / SPEED, "minute_s": 60.0 / SPEED})
        source = "streaming = no" if mode == "polling" else ""
        s = w.start(at("08:00"), source=source, env={"ROOMSIGN_CLOCK_SPEED": str(SPEED)})
        wait_for("the first read", lambda: s.view().get("kind") == "home")
        if mode == "streaming":
            wait_for("the stream", lambda: [e for e in w.ews.log() if e.get("op") == "GetStreamingEvents"])
        time.sleep(2)                                   # the start-up reads are not the steady state
        hour = 3600.0 / SPEED
        t0 = time.time()
        rnd = random.Random(16)
        change_at = t0 + rnd.uniform(0.2, 0.8) * hour
        time.sleep(max(0.0, change_at - time.time()))
        others_meeting(w, at("20:00"), at("20:30"), subject="Change 0")
        wait_for("the hour's change on screen", shows(s, "Change 0"), timeout=hour)
        time.sleep(max(0.0, t0 + hour - time.time()))
        log = [e for e in w.ews.log() if t0 <= e["t"] < t0 + hour]
        requests = len(log)
        body_bytes = sum(int(e.get("bytes") or 0) for e in log)
        ops = {}
        for e in log:
            ops[e["op"]] = ops.get(e["op"], 0) + 1
        lat = []
        for i in range(1, LATENCY_SAMPLES + 1):
            time.sleep(rnd.uniform(0.1, 1.0))
            subject = "Change %d" % i
            t = time.monotonic()
            others_meeting(w, at("20:00") - i * 1800, at("20:00") - i * 1800 + 900, subject=subject)
            wait_for("change %d on screen" % i, shows(s, subject), timeout=30, interval=0.02)
            real = time.monotonic() - t
            lat.append(real * SPEED if mode == "polling" else real)
        return {"requests": requests, "bytes": body_bytes, "ops": ops, "lat": lat}
    finally:
        w.finish()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--roomsign", required=True)
    ap.add_argument("--fake", required=True)
    ap.add_argument("--ca-script", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    res = {m: run_mode(args, m) for m in ("polling", "streaming")}
    p, st = res["polling"], res["streaming"]
    print("EWS, one sign, one hour, default settings (refresh 60 s, safety_refresh 900 s), one change;")
    print("the window holds 8 meetings; keep-alives every %.0f s" % KEEPALIVE_S)
    print("%-28s %14s %14s %8s" % ("", "60 s polling", "streaming", "ratio"))
    for key, label in (("requests", "requests / sign-hour"), ("bytes", "bytes received / sign-hour")):
        ratio = p[key] / st[key] if st[key] else float("inf")
        print("%-28s %14d %14d %7.1fx" % (label, p[key], st[key], ratio))
    for name, fn in (("median", statistics.median), ("max", max)):
        print("%-28s %13.1fs %13.1fs" % ("change to screen, " + name, fn(p["lat"]), fn(st["lat"])))
    print("operations: polling %s; streaming %s" % (p["ops"], st["ops"]))
    print("budget (DESIGN.md): >= 10x fewer requests and bytes; change on screen <= 5 s (streaming)")
    if not (p["requests"] and st["requests"] and p["lat"] and st["lat"]):
        print("measured nothing")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
