#!/usr/bin/python3
"""Report a problem, without the screen: tests/integration/report_driver (the sign's own config,
report and transport code) sends a report through a real SMTP server on loopback (the aiosmtpd
sink), the fake Exchange or the fake Graph; each case asserts what arrived in that server's
mailbox: recipient, sender, room, problem and time.

  report_test.py CASE --driver BIN --ca-script make-test-ca.sh --workdir DIR
  report_test.py list
"""

import argparse
import os
import shutil
import subprocess
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from smtp_fixture import SmtpSink, body, have_aiosmtpd, header  # noqa: E402
import ews_fixture  # noqa: E402
import graph_harness  # noqa: E402

CASES = {}
NOW = "2026-12-01T10:02:00Z"
TO = "facilities@example.com"
FROM = "room-4-12@example.com"
SMTP_PASSWORD = "Smtp-9d2e-S3cret"   # distinctive: a leak into output is caught


def case(fn):
    CASES[fn.__name__.replace("test_", "", 1)] = fn
    return fn


class Failure(AssertionError):
    pass


def expect(cond, what):
    if not cond:
        raise Failure(what)


class World:
    def __init__(self, args, name):
        self.args = args
        self.dir = os.path.join(args.workdir, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.sink = None
        self.ews = None
        self.graph = None

    def start_graph(self, permissions=("Mail.Send",), scope="*"):
        """The fake Entra ID + Graph, and a Graph room config that reports as the room."""
        ns = argparse.Namespace(roomsign=self.args.roomsign, driver=self.args.driver,
                                work=os.path.join(self.dir, "graph"), fakes=os.path.dirname(self.args.fake_graph) + "/..")
        self.graph = graph_harness.Env(ns, "report")
        self.graph.fake.setup(permissions=permissions, scope=scope)
        path = self.graph.write_config(extra="[report]\nto = %s\n" % TO)
        with open(path, encoding="utf-8") as f:
            text = f.read().replace("timezone = UTC", "timezone = Europe/Copenhagen")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def start_ews(self, seed=None):
        """The fake Exchange, in this case's own directory."""
        ns = argparse.Namespace(workdir=self.dir, fake=self.args.fake_ews, ca_script=self.args.ca_script)
        self.ews = ews_fixture.Context(ns, "ews")
        self.ews.start_fake(seed)
        return self.ews

    def start_sink(self, *flags, cert="server"):
        self.sink = SmtpSink(self.dir, self.args.ca_script, *flags, cert=cert)
        return self.sink

    def config(self, report, source="[source]\ntype = demo\n", room="Fjord (4.12)"):
        path = os.path.join(self.dir, "roomsign.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write("[room]\nname = %s\ntimezone = Europe/Copenhagen\n%s\n[report]\nto = %s\n%s\n"
                    "[paths]\nstate_dir = %s\n" % (room, source, TO, report, os.path.join(self.dir, "state")))
        return path

    def secret(self, name, value):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(value + "\n")
        os.chmod(path, 0o600)
        return path

    def send(self, config, problem="projector"):
        p = subprocess.run([self.args.driver, config, problem, NOW], capture_output=True, text=True, timeout=60)
        out = p.stdout + p.stderr
        expect(SMTP_PASSWORD not in out, "the SMTP password leaked into the output: %r" % out)
        return p.returncode, out

    def finish(self):
        if self.sink:
            self.sink.stop()
        if self.ews:
            self.ews.stop()
        if self.graph:
            self.graph.close()


def smtp_report(w, extra=""):
    return w.config("smtp_url = %s\nfrom = %s\nca_file = %s\n%s" % (w.sink.url(), FROM, w.sink.ca_file, extra))


def assert_report(msg, problem="projector"):
    """One message to TO naming the room, the problem and the time (local with zone, and UTC)."""
    data = msg["data"]
    expect(msg["rcpt_tos"] == [TO], "recipient: %r" % msg["rcpt_tos"])
    expect(header(data, "To") == TO, "To: %r" % header(data, "To"))
    expect(header(data, "Subject") == "Problem reported in Fjord (4.12): %s" % problem,
           "Subject: %r" % header(data, "Subject"))
    text = body(data)
    for line in ("Room: Fjord (4.12)", "Problem: %s" % problem,
                 "Time: 2026-12-01 11:02 Europe/Copenhagen (2026-12-01T10:02:00Z)"):
        expect(line in text.split("\r\n"), "%r in the body:\n%s" % (line, text))


@case
def test_smtp_starttls_delivers(w):
    sink = w.start_sink()
    rc, out = w.send(smtp_report(w))
    expect(rc == 0, "sent: %s" % out)
    msgs = sink.wait_messages(1)
    expect(len(msgs) == 1, "one message in the sink: %r" % msgs)
    assert_report(msgs[0])
    expect(msgs[0]["mail_from"] == FROM, "envelope sender: %r" % msgs[0]["mail_from"])
    expect(header(msgs[0]["data"], "From") == FROM, "From: header")
    expect(msgs[0]["tls"], "the message travelled under STARTTLS")


@case
def test_smtp_non_ascii_room_name(w):
    """A room called "Ærø Mødelokale – Østergade 12, 3. sal (Kantinen)": the subject is RFC 2047
    encoded words a mail reader decodes back, no header line over 78 characters, body in UTF-8."""
    import email
    import email.header
    import email.policy
    room = "Ærø Mødelokale – Østergade 12, 3. sal (Kantinen ved siden af køkkenet)"
    sink = w.start_sink()
    rc, out = w.send(w.config("smtp_url = %s\nfrom = %s\nca_file = %s\n" % (sink.url(), FROM, sink.ca_file),
                              room=room))
    expect(rc == 0, "sent: %s" % out)
    msgs = sink.wait_messages(1)
    expect(len(msgs) == 1, "one message: %r" % msgs)
    data = msgs[0]["data"]
    head = data.split("\r\n\r\n", 1)[0]
    expect(all(len(line) <= 78 for line in head.split("\r\n")), "header lines fit 78 characters:\n%s" % head)
    expect(head.isascii(), "the header is ASCII (encoded words):\n%s" % head)
    parsed = email.message_from_bytes(data.encode("utf-8"), policy=email.policy.default)
    expect(str(parsed["Subject"]) == "Problem reported in %s: projector" % room,
           "the subject decodes back: %r" % str(parsed["Subject"]))
    expect(("Room: %s" % room) in parsed.get_content(), "the body names the room in UTF-8")


def check(w, config):
    p = subprocess.run([w.args.roomsign, "--config", config, "check"], capture_output=True, text=True, timeout=60)
    out = p.stdout + p.stderr
    expect(SMTP_PASSWORD not in out, "the SMTP password leaked into check's output")
    return p.returncode, out


@case
def test_smtp_check_signs_in_without_sending(w):
    """roomsign check goes as far as STARTTLS and AUTH, and sends nothing."""
    sink = w.start_sink("--auth", "roomsign:" + SMTP_PASSWORD)
    good = w.secret("smtp.pw", SMTP_PASSWORD)
    rc, out = check(w, smtp_report(w, "username = roomsign\npassword_file = %s\n" % good))
    expect(rc == 0 and "✓ report a problem by SMTP" in out and "nothing was sent" in out, "check passes:\n%s" % out)
    bad = w.secret("bad.pw", "not-the-password")
    rc, out = check(w, smtp_report(w, "username = roomsign\npassword_file = %s\n" % bad))
    expect(rc == 1 and "✗ report a problem by SMTP" in out and "refused the sign-in" in out,
           "a wrong password fails the check:\n%s" % out)
    expect(sink.messages() == [], "the check sent nothing: %r" % sink.messages())


@case
def test_smtp_check_refuses_a_server_without_starttls(w):
    sink = w.start_sink("--no-starttls", cert=None)
    rc, out = check(w, smtp_report(w))
    expect(rc == 1 and "✗ report a problem by SMTP" in out and "STARTTLS" in out, "check fails:\n%s" % out)
    expect(sink.messages() == [], "nothing sent")


@case
def test_smtp_without_starttls_is_refused(w):
    sink = w.start_sink("--no-starttls", cert=None)
    rc, out = w.send(smtp_report(w))
    expect(rc == 1 and out.startswith("config:") and "STARTTLS" in out, "refused for no STARTTLS: %s" % out)
    expect(sink.messages() == [], "nothing sent in clear text: %r" % sink.messages())


@case
def test_smtp_insecure_allowed_in_a_lab(w):
    sink = w.start_sink("--no-starttls", cert=None)
    rc, out = w.send(smtp_report(w, "allow_insecure_smtp = yes\n"))
    expect(rc == 0, "sent: %s" % out)
    msgs = sink.wait_messages(1)
    expect(len(msgs) == 1 and not msgs[0]["tls"], "delivered in clear text: %r" % msgs)
    assert_report(msgs[0])


@case
def test_smtps_implicit_tls(w):
    sink = w.start_sink("--implicit-tls")
    config = w.config("smtp_url = %s\nfrom = %s\nca_file = %s\n" % (sink.url("smtps"), FROM, sink.ca_file))
    rc, out = w.send(config, "cleaning")
    expect(rc == 0, "sent: %s" % out)
    msgs = sink.wait_messages(1)
    expect(len(msgs) == 1 and msgs[0]["tls"], "delivered over TLS: %r" % msgs)
    assert_report(msgs[0], "cleaning")


@case
def test_smtp_untrusted_certificate_fails(w):
    sink = w.start_sink(cert="untrusted")
    rc, out = w.send(smtp_report(w))
    expect(rc == 1 and out.startswith("network:") and "TLS" in out, "TLS refused: %s" % out)
    expect(sink.messages() == [], "nothing sent")


@case
def test_smtp_server_refusal_is_a_failure(w):
    sink = w.start_sink("--refuse-data", "554")
    rc, out = w.send(smtp_report(w))
    expect(rc == 1 and out.startswith("permission:") and "554" in out, "refused: %s" % out)
    expect(sink.messages() == [], "nothing kept: %r" % sink.messages())


@case
def test_smtp_recipient_refused(w):
    sink = w.start_sink("--refuse-rcpt", "550")
    rc, out = w.send(smtp_report(w))
    expect(rc == 1 and "550" in out, "refused: %s" % out)
    expect(sink.messages() == [], "nothing kept")


@case
def test_smtp_auth(w):
    sink = w.start_sink("--auth", "roomsign:" + SMTP_PASSWORD)
    pw = w.secret("smtp.pw", SMTP_PASSWORD)
    rc, out = w.send(smtp_report(w, "username = roomsign\npassword_file = %s\n" % pw))
    expect(rc == 0, "sent: %s" % out)
    msgs = sink.wait_messages(1)
    expect(len(msgs) == 1 and msgs[0]["auth_user"] == "roomsign", "signed in as roomsign: %r" % msgs)
    assert_report(msgs[0])


@case
def test_smtp_wrong_password(w):
    sink = w.start_sink("--auth", "roomsign:" + SMTP_PASSWORD)
    pw = w.secret("smtp.pw", "not-the-password")
    rc, out = w.send(smtp_report(w, "username = roomsign\npassword_file = %s\n" % pw))
    expect(rc == 1 and out.startswith("auth:"), "sign-in refused: %s" % out)
    expect(sink.messages() == [], "nothing sent")


# --- EWS: CreateItem of a t:Message, SendOnly, as the room -----------------------------------------

def assert_lines(text, problem):
    lines = text.replace("\r\n", "\n").split("\n")
    for line in ("Room: Fjord (4.12)", "Problem: %s" % problem,
                 "Time: 2026-12-01 11:02 Europe/Copenhagen (2026-12-01T10:02:00Z)"):
        expect(line in lines, "%r in the message:\n%s" % (line, text))


def ews_config(w, username="EXAMPLE\\svc-roomsign", extra=""):
    path = w.ews.config(username=username, extra="[report]\nto = %s\n%s" % (TO, extra))
    with open(path, encoding="utf-8") as f:   # the zone the message's local time is in
        text = f.read().replace("timezone = UTC", "timezone = Europe/Copenhagen")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


@case
def test_ews_sends_as_the_room(w):
    ews = w.start_ews()
    rc, out = w.send(ews_config(w), "screen")
    expect(rc == 0, "sent: %s" % out)
    mail = ews.admin("sent_mail")
    expect(len(mail) == 1, "one message sent by Exchange: %r" % mail)
    m = mail[0]
    expect(m["from"] == ews_fixture.ROOM, "sent from the room's mailbox: %r" % m["from"])
    expect(m["to"] == [TO] and not m["cc"] and not m["bcc"], "to facilities only: %r" % m)
    expect(m["disposition"] == "SendOnly", "SendOnly: nothing kept in the room's Sent Items: %r" % m)
    expect(m["subject"] == "Problem reported in Fjord (4.12): screen" and m["body_type"] == "Text", "%r" % m)
    assert_lines(m["body"], "screen")
    creates = [e for e in ews.log() if e.get("op") == "CreateItem"]
    expect(len(creates) == 1 and (creates[0].get("impersonated") or "").lower() == ews_fixture.ROOM,
           "one CreateItem, impersonating the room: %r" % creates)


@case
def test_ews_refusal_is_a_failure(w):
    ews = w.start_ews()
    rc, out = w.send(ews_config(w, username="EXAMPLE\\svc-norole"), "screen")
    expect(rc == 1 and out.startswith("permission:"), "refused: %s" % out)
    expect(ews.admin("sent_mail") == [], "nothing sent")


@case
def test_ews_check_probes_without_sending(w):
    ews = w.start_ews()
    config = ews_config(w)
    p = subprocess.run([w.args.roomsign, "--config", config, "check"], capture_output=True, text=True, timeout=60)
    out = p.stdout + p.stderr
    expect(p.returncode == 0 and '✓ send "Report a problem" as the room' in out, "check passes: %s" % out)
    expect(ews.admin("sent_mail") == [], "the check sent nothing: %r" % ews.admin("sent_mail"))


def soap(ews, inner):
    """A raw EWS request to the fake, as svc-roomsign over Basic, impersonating the room."""
    import base64
    import urllib.request
    env = ('<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
           'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" '
           'xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><s:Header>'
           '<t:RequestServerVersion Version="Exchange2013_SP1"/><t:ExchangeImpersonation><t:ConnectingSID>'
           '<t:PrimarySmtpAddress>%s</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></s:Header>'
           '<s:Body>%s</s:Body></s:Envelope>' % (ews_fixture.ROOM, inner))
    auth = base64.b64encode(("EXAMPLE\\svc-roomsign:" + ews_fixture.PASSWORD).encode()).decode()
    req = urllib.request.Request(ews.url, data=env.encode(), method="POST",
                                 headers={"Content-Type": "text/xml; charset=utf-8", "Authorization": "Basic " + auth,
                                          "X-AnchorMailbox": ews_fixture.ROOM})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.read().decode()
    except urllib.error.HTTPError as e:
        return e.read().decode()


@case
def test_ews_fake_answers_like_exchange(w):
    """The fake's own contract: no disposition, no recipient, SaveOnly."""
    ews = w.start_ews()
    msg = ("<t:Message><t:Subject>s</t:Subject><t:Body BodyType=\"Text\">b</t:Body>%s</t:Message>")
    to = "<t:ToRecipients><t:Mailbox><t:EmailAddress>%s</t:EmailAddress></t:Mailbox></t:ToRecipients>" % TO
    out = soap(ews, "<m:CreateItem><m:Items>%s</m:Items></m:CreateItem>" % (msg % to))
    expect("ErrorMessageDispositionRequired" in out, "no MessageDisposition: %s" % out)
    out = soap(ews, '<m:CreateItem MessageDisposition="SendOnly"><m:Items>%s</m:Items></m:CreateItem>' % (msg % ""))
    expect("ErrorInvalidRecipients" in out and "contains no recipients" in out, "no recipient: %s" % out)
    out = soap(ews, '<m:CreateItem MessageDisposition="SendNow"><m:Items>%s</m:Items></m:CreateItem>' % (msg % to))
    expect("ErrorSchemaValidation" in out, "an invalid disposition: %s" % out)
    out = soap(ews, '<m:CreateItem MessageDisposition="SaveOnly"><m:Items>%s</m:Items></m:CreateItem>' % (msg % to))
    expect("NoError" in out, "SaveOnly drafts it: %s" % out)
    expect(ews.admin("sent_mail") == [], "none of those was sent: %r" % ews.admin("sent_mail"))
    out = soap(ews, '<m:CreateItem MessageDisposition="SendOnly"><m:Items>%s</m:Items></m:CreateItem>' % (msg % to))
    expect("NoError" in out and len(ews.admin("sent_mail")) == 1, "SendOnly sends: %s" % out)


# --- Graph: POST /users/{room}/sendMail, Mail.Send ----------------------------------------------------

@case
def test_graph_sends_as_the_room(w):
    config = w.start_graph()
    rc, out = w.send(config, "other")
    expect(rc == 0, "sent: %s" % out)
    mail = w.graph.fake.admin("sent_mail")
    expect(len(mail) == 1, "one message accepted by Graph: %r" % mail)
    m = mail[0]
    expect(m["from"] == graph_harness.ROOM and m["to"] == [TO] and not m["cc"], "from the room to facilities: %r" % m)
    expect(m["save_to_sent_items"] is False and m["content_type"] == "Text", "not saved, plain text: %r" % m)
    expect(m["subject"] == "Problem reported in Fjord (4.12): other", "subject: %r" % m["subject"])
    assert_lines(m["body"], "other")
    posts = w.graph.fake.requests("/sendMail", "POST")
    expect(len(posts) == 1 and posts[0]["status"] == 202 and posts[0]["path"] == "/v1.0/users/%s/sendMail"
           % graph_harness.ROOM, "one POST /users/{room}/sendMail, 202: %r" % posts)


@case
def test_graph_without_mail_send_is_refused(w):
    config = w.start_graph(permissions=())
    rc, out = w.send(config, "other")
    expect(rc == 1 and "\npermission: " in "\n" + out and "Mail.Send" in out, "refused, naming Mail.Send: %s" % out)
    expect(w.graph.fake.admin("sent_mail") == [], "nothing sent")
    posts = w.graph.fake.requests("/sendMail", "POST")
    expect(len(posts) == 1 and posts[0]["status"] == 403, "sent once, refused 403 (never again): %r" % posts)


@case
def test_graph_check_prints_mail_send_guidance(w):
    config = w.start_graph(permissions=())
    p = w.graph.run("check")
    out = p.stdout + p.stderr
    expect(p.returncode == 1, "check fails without Mail.Send: %s" % out)
    for text in ("✗ send \"Report a problem\" as the room (Mail.Send)", "Application Mail.Send",
                 "RBAC for Applications", "-CustomResourceScope", "Test-ServicePrincipalAuthorization",
                 "do not grant Mail.Send with admin consent"):
        expect(text in out, "%r in roomsign check's output:\n%s" % (text, out))
    w.graph.fake.setup(permissions=["Mail.Send"])
    p = w.graph.run("check")
    out = p.stdout + p.stderr
    expect(p.returncode == 0 and "✓ send \"Report a problem\" as the room (Mail.Send)" in out,
           "check passes with Mail.Send: %s" % out)
    expect(w.graph.fake.admin("sent_mail") == [], "the check sent nothing: %r" % w.graph.fake.admin("sent_mail"))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "list":
        print(";".join(sorted(CASES)))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--driver", required=True)
    ap.add_argument("--ca-script", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--fake-ews")
    ap.add_argument("--fake-graph")
    ap.add_argument("--roomsign")
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
        print("PASS", args.case)
        return 0
    except Exception:
        traceback.print_exc()
        if w.sink:
            print("--- sink log ---\n" + w.sink.output())
        if w.ews:
            print("artifacts: " + w.dir)
        return 1
    finally:
        w.finish()


if __name__ == "__main__":
    sys.exit(main())
