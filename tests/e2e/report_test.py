#!/usr/bin/python3
"""End-to-end "Report a problem": the real roomsign in an Xvfb window, tapped with xdotool on its
named touch targets ("report", then "report-<problem>"), sending through a real SMTP server on
loopback (the aiosmtpd sink), the fake Exchange or the fake Graph. Each case asserts what arrived
in that server's mailbox (recipient, room, problem, time) and what the screen says.

  report_test.py CASE --roomsign BIN --ca-script make-test-ca.sh --workdir DIR
                      [--fake-ews fake_ews.py] [--fake-graph graph_fake.py]
  report_test.py list
"""

import argparse
import calendar
import os
import re
import shutil
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import ERROR_BG, FREE, Failure, Sign, Xvfb, close, expect  # noqa: E402
from smtp_fixture import SmtpSink, body, have_aiosmtpd, header  # noqa: E402
import ews_fixture  # noqa: E402
import graph_harness  # noqa: E402

SIZE = (800, 480)
NOW = calendar.timegm((2026, 12, 1, 10, 2, 10, 0, 0, 0))   # pinned: the sign starts at 10:02:10Z
TO = "facilities@example.com"
FROM = "room-4-12@example.com"
ROOM_NAME = "Fjord (4.12)"
CASES = {}


def case(fn):
    CASES[fn.__name__.replace("test_", "", 1)] = fn
    return fn


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class World:
    """One case's servers, Xvfb and sign."""

    def __init__(self, args, name):
        self.args = args
        self.dir = os.path.join(args.workdir, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(os.path.join(self.dir, "state"))
        self.sink = None
        self.ews = None
        self.graph = None
        self.xvfb = None
        self.sign = None
        self.stops = []

    def start_sink(self, *flags):
        self.sink = SmtpSink(self.dir, self.args.ca_script, *flags)
        self.stops.append(self.sink.stop)
        return self.sink

    def start_ews(self):
        ns = argparse.Namespace(workdir=self.dir, fake=self.args.fake_ews, ca_script=self.args.ca_script)
        self.ews = ews_fixture.Context(ns, "ews")
        self.ews.start_fake()
        self.stops.append(self.ews.stop)
        return self.ews

    def start_graph(self, permissions=("Mail.Send",)):
        """The fake Entra ID + Graph and a Graph room that reports as itself."""
        ns = argparse.Namespace(roomsign=self.args.roomsign, driver=None, work=os.path.join(self.dir, "graph"),
                                fakes=os.path.join(os.path.dirname(self.args.fake_graph), ".."))
        self.graph = graph_harness.Env(ns, "report")
        self.stops.append(self.graph.close)
        self.graph.fake.setup(permissions=permissions)
        return self.graph.write_config(extra="[report]\nto = %s\n[display]\ndpi = 96\nnight =\n" % TO)

    def ews_config(self):
        """An Exchange room that reports as itself (no smtp_url)."""
        return self.ews.config(extra="[report]\nto = %s\n[display]\ndpi = 96\nnight =\n" % TO)

    def smtp_config(self, extra=""):
        """A demo room (no mailbox of its own) that reports through the sink."""
        path = os.path.join(self.dir, "roomsign.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write("[room]\nname = %s\ntimezone = UTC\n[source]\ntype = demo\n[display]\ndpi = 96\nnight =\n"
                    "[report]\nto = %s\nproblems = projector, screen, cleaning, other\nsmtp_url = %s\n"
                    "from = %s\nca_file = %s\n%s\n[paths]\nstate_dir = %s\n"
                    % (ROOM_NAME, TO, self.sink.url(), FROM, self.sink.ca_file, extra,
                       os.path.join(self.dir, "state")))
        return path

    def start(self, config):
        self.xvfb = Xvfb(self.dir, *SIZE)
        self.sign = Sign(self.args.roomsign, self.xvfb, self.dir, SIZE, ["--config", config, "--now", iso(NOW)])
        self.mono0 = time.monotonic()
        return self.sign

    def finish(self):
        try:
            if self.sign:
                self.sign.stop()
        finally:
            if self.xvfb:
                self.xvfb.stop()
            for stop in reversed(self.stops):
                stop()


def report_by_touch(s, problem):
    """Report → the problem; returns the outcome dialog's view and the list's targets."""
    # The calendar first: the buttons move when it arrives (a tap on the loading screen's
    # layout would land beside the button).
    s.wait_view("the room's status", lambda v: v.get("kind") == "home" and v.get("status_word") not in ("", "…"))
    s.wait_ids("the report button on the home screen", lambda ids: "report" in ids)
    s.tap("report")
    hits = s.wait_ids("the list of problems", lambda ids: "report-" + problem in ids)
    s.tap("report-" + problem)
    s.wait_ids("the outcome", lambda ids: ids == {"ok"})
    # The view and the touch targets are written one after the other: wait for the outcome's
    # view, not the "Sending the report…" one that may still be there.
    v = s.wait_view("the outcome on screen", lambda v: v.get("kind") == "dialog" and v.get("text") and
                    not v.get("heading", "").startswith("Sending"))
    return v, hits


def assert_message_time(w, text):
    """The message names the time of the tap: the sign's pinned clock, between its start and now."""
    text = text.replace("\r\n", "\n")
    m = re.search(r"^Time: (\d{4}-\d\d-\d\d \d\d:\d\d) UTC \((\S+)\)$", text, re.M)
    expect(m, "a Time: line in the message:\n%s" % text)
    t = calendar.timegm(time.strptime(m.group(2), "%Y-%m-%dT%H:%M:%SZ"))
    elapsed = time.monotonic() - w.mono0
    expect(NOW <= t <= NOW + elapsed + 2, "the time of the report (%s) is the sign's clock at the tap (%s + %.0f s)"
           % (m.group(2), iso(NOW), elapsed))
    expect(m.group(1) == time.strftime("%Y-%m-%d %H:%M", time.gmtime(t)), "local time and UTC agree: %s" % m.group(0))


def assert_report_text(w, text, problem):
    lines = text.replace("\r\n", "\n").split("\n")
    expect("Room: %s" % ROOM_NAME in lines, "the room in the message:\n%s" % text)
    expect("Problem: %s" % problem in lines, "the problem in the message:\n%s" % text)
    assert_message_time(w, text)


# --- SMTP ------------------------------------------------------------------------------------------

@case
def test_smtp_report_arrives(w):
    sink = w.start_sink()
    s = w.start(w.smtp_config())
    v, hits = report_by_touch(s, "projector")
    ids = [h["id"] for h in hits]
    expect(ids[:4] == ["report-projector", "report-screen", "report-cleaning", "report-other"],
           "one target per configured problem, in order: %s" % ids)
    expect(v["heading"] == "Done" and v["text"].startswith("Sent"), "the screen says Sent: %s" % v)
    expect(close(s.pixel(4, 4, "dialog"), FREE), "the success message is green")
    msgs = sink.wait_messages(1)
    expect(len(msgs) == 1, "one message in the sink: %r" % msgs)
    m = msgs[0]
    expect(m["rcpt_tos"] == [TO] and header(m["data"], "To") == TO, "to facilities: %r" % m["rcpt_tos"])
    expect(m["mail_from"] == FROM, "from the configured sender: %r" % m["mail_from"])
    expect(m["tls"], "sent under STARTTLS")
    expect(header(m["data"], "Subject") == "Problem reported in %s: projector" % ROOM_NAME,
           "Subject: %r" % header(m["data"], "Subject"))
    assert_report_text(w, body(m["data"]), "projector")
    s.tap("ok")
    s.wait_ids("home again", lambda ids: "report" in ids and "ok" not in ids)


@case
def test_smtp_report_cooldown(w):
    sink = w.start_sink()
    s = w.start(w.smtp_config("cooldown = 30\nmax_per_hour = 6\n"))
    v, _ = report_by_touch(s, "screen")
    expect(v["text"].startswith("Sent"), "the first report is sent: %s" % v)
    expect(len(sink.wait_messages(1)) == 1, "the first report arrived")
    s.tap("ok")
    v, _ = report_by_touch(s, "screen")
    expect(v["heading"] != "Done" and "Sent" not in v["text"], "the second is refused: %s" % v)
    expect("reported from this sign a short while ago" in v["text"] and "30 min" in v["text"],
           "the screen says plainly why and for how long: %r" % v["text"])
    expect(close(s.pixel(4, 4, "dialog"), ERROR_BG), "the refusal is shown as a failure")
    time.sleep(2)   # anything sent would have arrived by now
    expect(len(sink.messages()) == 1, "no second message: %r" % sink.messages())
    s.tap("ok")
    v, _ = report_by_touch(s, "cleaning")   # another problem is not held back by the first
    expect(v["text"].startswith("Sent"), "another problem is sent: %s" % v)
    msgs = sink.wait_messages(2)
    expect(len(msgs) == 2 and "Problem: cleaning" in body(msgs[1]["data"]), "the other problem arrived: %r" % msgs)


@case
def test_smtp_report_refused_by_server(w):
    sink = w.start_sink("--refuse-data", "554")
    s = w.start(w.smtp_config())
    v, _ = report_by_touch(s, "other")
    expect(v["heading"] == "That did not work", "a failure heading: %s" % v)
    expect("Sent" not in v["text"] and "could not be sent" in v["text"], "the screen does not say Sent: %s" % v)
    expect(not re.search(r"SMTP|554|\bspam\b", v["text"]), "no jargon for a passer-by: %r" % v["text"])
    expect(close(s.pixel(4, 4, "dialog"), ERROR_BG), "the failure message is red-brown")
    expect(sink.messages() == [] and sink.refused() == 1, "the server refused it and kept nothing")
    # Not reported, so not "reported a short while ago": the same problem may be tried again.
    s.tap("ok")
    v, _ = report_by_touch(s, "other")
    expect("could not be sent" in v["text"], "tried again, refused by the server again: %s" % v)
    expect(sink.refused() == 2 and sink.messages() == [], "two attempts reached the server, both refused")


@case
def test_report_hidden_without_to(w):
    w.start_sink()
    config = w.smtp_config()
    with open(config, encoding="utf-8") as f:
        text = f.read().replace("to = %s\n" % TO, "")
    with open(config, "w", encoding="utf-8") as f:
        f.write(text)
    s = w.start(config)
    s.wait_view("the room's status", lambda v: v.get("kind") == "home" and v.get("status_word") not in ("", "…"))
    s.wait_ids("the home screen's buttons", lambda ids: "end-early" in ids or any(i.startswith("book-") for i in ids))
    expect("report" not in s.ids(), "no report action without [report] to: %s" % s.ids())


# --- EWS ---------------------------------------------------------------------------------------------

@case
def test_ews_report_arrives(w):
    ews = w.start_ews()
    s = w.start(w.ews_config())
    v, _ = report_by_touch(s, "cleaning")
    expect(v["heading"] == "Done" and v["text"].startswith("Sent"), "the screen says Sent: %s" % v)
    mail = ews.admin("sent_mail")
    expect(len(mail) == 1, "one message sent by Exchange: %r" % mail)
    m = mail[0]
    expect(m["to"] == [TO] and m["from"] == ews_fixture.ROOM, "from the room to facilities: %r" % m)
    expect(m["disposition"] == "SendOnly", "SendOnly: %r" % m["disposition"])
    expect(m["subject"] == "Problem reported in %s: cleaning" % ROOM_NAME, "subject: %r" % m["subject"])
    assert_report_text(w, m["body"], "cleaning")


@case
def test_ews_report_server_error(w):
    ews = w.start_ews()
    s = w.start(w.ews_config())
    s.wait_view("the room's status", lambda v: v.get("kind") == "home" and v.get("status_word") not in ("", "…"))
    ews.admin("faults", [{"kind": 500, "count": 20, "ops": ["CreateItem"]}])
    v, _ = report_by_touch(s, "projector")
    expect(v["heading"] == "That did not work" and "Sent" not in v["text"], "the screen does not say Sent: %s" % v)
    expect(ews.admin("sent_mail") == [], "nothing sent: %r" % ews.admin("sent_mail"))


# --- Graph -------------------------------------------------------------------------------------------

@case
def test_graph_report_arrives(w):
    config = w.start_graph()
    s = w.start(config)
    v, _ = report_by_touch(s, "screen")
    expect(v["heading"] == "Done" and v["text"].startswith("Sent"), "the screen says Sent: %s" % v)
    mail = w.graph.fake.admin("sent_mail")
    expect(len(mail) == 1, "one message accepted by Graph: %r" % mail)
    m = mail[0]
    expect(m["to"] == [TO] and m["from"] == graph_harness.ROOM, "from the room to facilities: %r" % m)
    expect(m["save_to_sent_items"] is False, "not kept in the room's Sent Items: %r" % m)
    expect(m["subject"] == "Problem reported in %s: screen" % ROOM_NAME, "subject: %r" % m["subject"])
    assert_report_text(w, m["body"], "screen")


@case
def test_graph_report_without_mail_send(w):
    config = w.start_graph(permissions=())
    s = w.start(config)
    v, _ = report_by_touch(s, "screen")
    expect(v["heading"] == "That did not work" and "Sent" not in v["text"], "the screen does not say Sent: %s" % v)
    expect(not re.search(r"Mail\.Send|403|Graph|RBAC", v["text"]), "no admin jargon on the door: %r" % v["text"])
    expect(w.graph.fake.admin("sent_mail") == [], "nothing sent")
    s.wait_log("Mail.Send")   # the admin's reason is in the log


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "list":
        print(";".join(sorted(CASES)))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--roomsign", required=True)
    ap.add_argument("--ca-script", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--fake-ews")
    ap.add_argument("--fake-graph")
    args = ap.parse_args()
    if args.case.startswith("smtp") and not have_aiosmtpd():
        if os.environ.get("CI") == "true":
            print("FAIL: python3-aiosmtpd is missing (.ci/setup test installs it)")
            return 1
        print("SKIP: python3-aiosmtpd is missing")
        return 77
    w = World(args, args.case)
    try:
        CASES[args.case](w)
        print("ok   %s" % args.case)
        return 0
    except Exception:
        traceback.print_exc()
        if w.sign:
            print("--- roomsign log ---\n" + w.sign.output())
        if w.sink:
            print("--- sink log ---\n" + w.sink.output())
        print("artifacts (screenshots, logs): " + w.dir)
        return 1
    finally:
        w.finish()


if __name__ == "__main__":
    sys.exit(main())
