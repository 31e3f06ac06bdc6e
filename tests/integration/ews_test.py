#!/usr/bin/python3
"""EWS integration tests: the real roomsign binary (and a small driver for the source ops that
have no command yet) against the fake Exchange over real HTTP(S) through libcurl.

  ews_test.py CASE --roomsign BIN --driver BIN --fake fake_ews.py --ca-script make-test-ca.sh --workdir DIR
"""

import calendar
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ews_fixture import (ALIAS, ANNEX, OTHER_ROOM, ROOM, default_seed, display, expect, iso, minute,  # noqa: E402
                         ops, refused_sign_ins_in_an_hour, run_cases)

CASES = {}


def case(fn):
    CASES[fn.__name__.replace("test_", "", 1)] = fn
    return fn


def agenda_range():
    """--from/--to over yesterday..tomorrow (UTC, the room's zone), so events near midnight stay in
    view: a bare `agenda` reads "today", which at 23:50 no longer holds events seeded at now + 1 h."""
    day = 86400
    today = int(time.time()) // day * day
    fmt = "%Y-%m-%d"
    return ["--from", time.strftime(fmt, time.gmtime(today - day)),
            "--to", time.strftime(fmt, time.gmtime(today + 2 * day))]


def agenda(c):
    return c.sign("agenda", *agenda_range())


def utc_seconds(s):
    """'YYYY-MM-DDTHH:MM:SSZ' → seconds; independent of the machine's zone (mktime is not)."""
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def check_lines(p):
    return (p.stdout + p.stderr).splitlines()


def failed_step(p, step):
    """The ✗ line of `roomsign check` for step, with what follows it (the fix)."""
    lines = check_lines(p)
    for i, line in enumerate(lines):
        if "✗" in line and step.lower() in line.lower():
            return "\n".join(lines[i:i + 4])
    raise AssertionError("no ✗ line for %r in:\n%s" % (step, p.stdout + p.stderr))


# --- reading -------------------------------------------------------------------------------------

def seed_day(c, now):
    m = minute(now)
    day = int(now) // 86400 * 86400
    c.add_event(subject="Offsite", all_day=True, show_as="OOF", start=day, end=day + 86400,
                organizer={"name": "Eva", "email": "eva@example.com"})
    c.add_event(subject="Sprint planning", start=m - 3600, end=m - 1800,
                organizer={"name": "Anna Berg", "email": "anna@example.com"})
    c.add_event(subject=None, start=m + 600, end=m + 1200, organizer={"name": "Bo Ek", "email": "bo@example.com"})
    c.add_event(subject="Salary talks", sensitivity="Private", start=m + 1800, end=m + 2400,
                organizer={"name": "Carl Dahl", "email": "carl@example.com"})
    c.add_event(subject="Canceled: Retro", cancelled=True, show_as="Free", start=m + 2400, end=m + 3000,
                organizer={"name": "Dag", "email": "dag@example.com"})
    c.add_event(subject="Standup", start=m + 3600, end=m + 3900, recurrence={"interval_s": 7200, "count": 3},
                exceptions={"1": {"subject": "Standup (moved)", "start": iso(m + 3600 + 7200 + 600),
                                  "end": iso(m + 3600 + 7200 + 900)}},
                organizer={"name": "Eva", "email": "eva@example.com"})


def assert_agenda(c, p):
    out = p.stdout
    expect(p.returncode == 0, "agenda should succeed", p)
    for s in ("Sprint planning", "Bo Ek", "Standup", "Standup (moved)"):
        expect(s in out, "agenda shows %r" % s, p)
    expect("Salary talks" not in out, "a private subject never reaches the sign", p)
    expect(out.count("Standup") == 3, "three occurrences of the series, one of them the exception", p)
    expect(any(line.endswith("\t1\toof\tOffsite") for line in out.splitlines()), "all-day, out of office", p)
    expect(any(line.endswith("\tfree\tCanceled: Retro") for line in out.splitlines()),
           "a cancelled meeting does not block the room", p)


@case
def test_agenda_ntlm_impersonates_room(c):
    c.start_fake()
    now = time.time()
    seed_day(c, now)
    c.config(auth="ntlm")
    p = agenda(c)
    assert_agenda(c, p)
    finds = ops(c.log(), "FindItem")
    expect(finds, "FindItem was sent")
    for e in finds:
        expect(e["auth"] == "NTLM", "NTLM handshake verified by the server: %s" % e)
        expect(e["http_version"] == "HTTP/1.1", "NTLM over HTTP/1.1")
        expect(e["impersonated"] == ROOM, "ExchangeImpersonation names the room's primary address")
        expect(e["anchor"] == ROOM, "X-AnchorMailbox is the room")
        expect(e["version"] == "Exchange2013_SP1", "default RequestServerVersion")
        expect(e["content_type"].startswith("text/xml"), "SOAP content type")


ROOM_OPS = ("FindItem", "CreateItem", "UpdateItem", "DeleteItem", "GetItem", "GetUserAvailabilityRequest",
            "ResolveNames")


@case
def test_every_operation_impersonates_the_room(c):
    """Read, book, extend, release (delete and decline), free/busy and the check's test booking:
    every operation on the room names it in ExchangeImpersonation and X-AnchorMailbox and
    carries RequestServerVersion, and the fake (strict on all of them) accepts each."""
    c.start_fake()
    m = minute()
    others = others_meeting(c, m + 7200)
    c.config(extra="nearby_rooms = %s" % OTHER_ROOM)
    expect(agenda(c).returncode == 0, "agenda")
    expect(c.sign("book", "--minutes", "30").returncode == 0, "book")
    mine = [e for e in c.calendar() if e["ext"].get("RoomsignBooking")][0]
    expect(c.driver("extend", mine["id"], "15").returncode == 0, "extend")
    expect(c.driver("release", mine["id"]).returncode == 0, "release own (delete)")
    expect(c.driver("release", others["id"]).returncode == 0, "release someone else's (decline)")
    expect(c.driver("free-busy").returncode == 0, "free/busy")
    expect(c.sign("check", "--book-test").returncode == 0, "check --book-test")
    log = c.log()
    seen = {e["op"] for e in log}
    expect(set(ROOM_OPS) - {"GetItem"} <= seen, "every kind of operation was made: %s" % seen)
    for e in log:
        expect(e["version"], "RequestServerVersion on %s" % e)
        # check's nearby-room step reads that room's calendar as that room
        nearby = e["op"] == "FindItem" and e["impersonated"] == OTHER_ROOM
        if e["op"] in ROOM_OPS:
            expect((e["impersonated"] == ROOM or nearby) and e["anchor"] == e["impersonated"],
                   "%s impersonates the room with its anchor: %s" % (e["op"], e))
        expect(e["status"] == 200, "accepted: %s" % e)
    expect([s["kind"] for s in c.sent()] == ["create", "update", "delete", "decline", "create", "delete"],
           "what Exchange did (a declined meeting is sent, not saved as a draft): %s" % c.sent())


@case
def test_fake_refuses_what_exchange_refuses(c):
    """The fake itself, with hand-made requests: the header rules and the per-operation values."""
    import urllib.request
    c.start_fake()
    c.config()
    envelope = ('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
                'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" '
                'xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><s:Header>%s</s:Header>'
                '<s:Body>%s</s:Body></s:Envelope>')
    version = '<t:RequestServerVersion Version="Exchange2013_SP1"/>'
    imp = ('<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>%s</t:PrimarySmtpAddress>'
           '</t:ConnectingSID></t:ExchangeImpersonation>' % ROOM)
    find = ('<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>'
            '<m:CalendarView StartDate="2026-12-01T00:00:00Z" EndDate="2026-12-02T00:00:00Z"/>'
            '<m:ParentFolderIds><t:DistinguishedFolderId Id="%s"/></m:ParentFolderIds></m:FindItem>')
    create = ('<m:CreateItem SendMeetingInvitations="%s"><m:SavedItemFolderId><t:DistinguishedFolderId '
              'Id="calendar"/></m:SavedItemFolderId><m:Items><t:CalendarItem><t:Subject>x</t:Subject>'
              '<t:Start>2026-12-01T10:00:00Z</t:Start><t:End>2026-12-01T10:30:00Z</t:End></t:CalendarItem>'
              '</m:Items></m:CreateItem>')
    delete = ('<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="%s"><m:ItemIds>'
              '<t:ItemId Id="nope"/></m:ItemIds></m:DeleteItem>')
    resolve = ('<m:ResolveNames ReturnFullContactData="false" SearchScope="%s"><m:UnresolvedEntry>%s'
               '</m:UnresolvedEntry></m:ResolveNames>')

    def post(header, body, anchor=ROOM):
        import base64
        from ews_fixture import PASSWORD
        req = urllib.request.Request(c.url, data=(envelope % (header, body)).encode(), method="POST")
        req.add_header("Content-Type", "text/xml; charset=utf-8")
        req.add_header("Authorization", "Basic " + base64.b64encode(
            ("EXAMPLE\\svc-roomsign:" + PASSWORD).encode()).decode())
        if anchor:
            req.add_header("X-AnchorMailbox", anchor)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                text = r.read().decode()
        except urllib.error.HTTPError as e:
            text = e.read().decode()
        import re
        m = re.search(r"<(?:\w+:)?ResponseCode[^>]*>([^<]+)<", text)
        return m.group(1) if m else text

    cases = [
        ((version + imp, find % "calendar"), "NoError"),
        ((imp, find % "calendar"), "ErrorSchemaValidation"),                        # no RequestServerVersion
        ((version, find % "calendar"), "ErrorMissingEmailAddress"),                 # no impersonation
        ((version + imp, find % "calendar", None), "ErrorInvalidRequest"),          # no anchor
        ((version + imp, find % "calendar", OTHER_ROOM), "ErrorInvalidRequest"),    # anchor of another mailbox
        ((version + imp, find % "inbox"), "ErrorCalendarFolderIsInvalidForCalendarView"),
        ((version + imp, create % "SendToNone"), "NoError"),
        ((version + imp, create % "SendToAll"), "ErrorSchemaValidation"),
        ((version + imp, delete % "SendToNone"), "ErrorItemNotFound"),
        ((version + imp, delete % "SendOnlyToChanged"), "ErrorSchemaValidation"),  # UpdateItem's, not DeleteItem's
        ((version + imp, resolve % ("ActiveDirectory", "SMTP:" + ANNEX)), "NoError"),
        ((version + imp, resolve % ("ActiveDirectory", "nobody@example.com")), "ErrorNameResolutionNoResults"),
        ((version + imp, resolve % ("Everywhere", ANNEX)), "ErrorSchemaValidation"),
        ((version, resolve % ("ActiveDirectory", ANNEX), None), "ErrorNonExistentMailbox"),  # the account has none
    ]
    for args, want in cases:
        got = post(*args)
        expect(got == want, "%s for %s, not %s" % (want, args[1:], got))


@case
def test_never_synced_sign_says_so_in_plain_words(c):
    """First start, no cache, and the calendar refuses the account (401): the public screen says
    so in a plain sentence -- no HTTP, no status code, no URL, no account name (those belong on
    the admin screen and in the log)."""
    import json
    import re
    import signproc
    c.start_fake()
    config = c.config(password="wrong-password")
    view_path = os.path.join(c.dir, "view.json")
    sign = signproc.Sign(c.args.roomsign, ["--config", config], os.path.join(c.dir, "sign.log"),
                         env={"TZ": "UTC"}, view_json=view_path)

    def view():
        try:
            with open(view_path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}
    try:
        failed = signproc.wait_for(lambda: any(
            "calendar refresh failed" in l for l in sign.log_text().splitlines()), 30)
        expect(failed, "the first refresh fails: %s" % sign.log_text())
        time.sleep(1)                                   # the frame after the failure
        v = view()
        expect(sign.alive(), "the sign keeps running")
        words = " ".join(v.get(k, "") for k in ("status_word", "status_line", "title", "notice", "heading", "text"))
        expect(v.get("notice"), "the screen says that the calendar could not be read: %s" % v)
        bad = [w for w, rx in (("HTTP", r"HTTP"), ("a status code", r"\b[1-5]\d\d\b"), ("a URL", r"://|127\.0\.0\.1"),
                               ("the account", r"svc-roomsign|EXAMPLE"), ("server jargon", r"EWS|SOAP|curl|Error[A-Z]"))
               if re.search(rx, words)]
        expect(not bad, "plain words on the public screen, without %s: %r" % (", ".join(bad), words))
    finally:
        sign.stop()


@case
def test_agenda_basic_over_tls_with_ca_file(c):
    c.start_fake(tls="trusted")
    seed_day(c, time.time())
    c.config(auth="basic", ca_file=c.ca_file)
    assert_agenda(c, agenda(c))
    expect(all(e["auth"] == "Basic" for e in ops(c.log(), "FindItem")), "Basic auth used")


@case
def test_agenda_bearer_token(c):
    from ews_fixture import TOKEN
    c.start_fake()
    seed_day(c, time.time())
    c.config(auth="bearer", password=TOKEN)
    assert_agenda(c, agenda(c))
    expect(all(e["auth"] == "Bearer" for e in ops(c.log(), "FindItem")), "bearer token used")
    c.admin("faults", [{"kind": "503", "count": 1}])   # a retry, logged at debug level
    p = c.sign("--verbose", "check")     # _run fails if the token shows up in any line
    expect(p.returncode == 0 and "retrying in" in p.stderr, "check runs with debug logging", p)


@case
def test_agenda_pages_when_not_last_item_in_range(c):
    c.start_fake()
    c.admin("settings", {"find_count_limit": 10})   # the policy caps each page at 10 items
    m = minute()
    # 25 meetings from an hour ago, 2 minutes apart, plus one long one overlapping all pages.
    for i in range(25):
        c.add_event(subject="Meeting %02d" % i, start=m - 3600 + 120 * i, end=m - 3600 + 120 * i + 60,
                    organizer={"name": "P", "email": "p@example.com"})
    c.add_event(subject="All afternoon", start=m - 3700, end=m + 3600, show_as="Tentative",
                organizer={"name": "Q", "email": "q@example.com"})
    c.config()
    p = c.driver("list")
    expect(p.returncode == 0, "list works", p)
    lines = p.stdout.strip().splitlines()
    expect(len(lines) == 26, "all 26 events across pages, no repeats (got %d)" % len(lines), p)
    expect(len(ops(c.log(), "FindItem")) >= 3, "at least three pages were asked for")
    p = agenda(c)
    expect(p.returncode == 0 and "Meeting 24" in p.stdout and "Meeting 00" in p.stdout, "agenda pages too", p)


@case
def test_server_version_steps_down(c):
    c.start_fake()
    c.admin("settings", {"max_version": "Exchange2010_SP2"})
    seed_day(c, time.time())
    c.config(extra="server_version = Exchange2016")
    p = c.driver("list")
    expect(p.returncode == 0 and "Standup" in p.stdout, "reads after stepping down", p)
    versions = [e["version"] for e in ops(c.log(), "FindItem")]
    expect(versions[:5] == ["Exchange2016", "Exchange2015", "Exchange2013_SP1", "Exchange2013",
                            "Exchange2010_SP2"], "steps down one version at a time: %s" % versions)
    expect(all(v == "Exchange2010_SP2" for v in versions[5:]), "then stays at the accepted one: %s" % versions)
    p = agenda(c)
    expect(p.returncode == 0 and "Standup" in p.stdout, "agenda works against the old server", p)


# --- roomsign check ------------------------------------------------------------------------------

@case
def test_check_all_good_and_book_test(c):
    c.start_fake(tls="trusted")
    c.config(ca_file=c.ca_file)
    p = c.sign("check")
    expect(p.returncode == 0, "check passes", p)
    expect("✗" not in p.stdout + p.stderr and p.stdout.count("✓") >= 5, "every step ✓", p)
    p = c.sign("check", "--book-test")
    expect(p.returncode == 0 and "test booking" in p.stdout, "book test passes", p)
    sent = c.sent()
    expect([s["kind"] for s in sent] == ["create", "delete"], "created then deleted: %s" % sent)
    expect(sent[1]["delete_type"] == "HardDelete", "the test booking leaves no trace")
    expect(c.calendar() == [], "the calendar is empty again")


@case
def test_check_wrong_password(c):
    c.start_fake()
    c.config(password="not-the-password")
    p = c.sign("check")
    expect(p.returncode != 0, "check fails", p)
    line = failed_step(p, "authentication")
    expect("401" in line and "password" in line, "says the password is wrong: " + line)


@case
def test_check_negotiate_without_ticket(c):
    # No KDC here: this shows auth = negotiate reaches the server as SPNEGO and that a refusal
    # tells the admin about tickets, not passwords.
    c.start_fake()
    c.admin("settings", {"auth": ["Negotiate", "NTLM"]})
    c.config(auth="negotiate", username="", extra="")
    os.environ["KRB5CCNAME"] = "FILE:" + os.path.join(c.dir, "no-such-ccache")
    p = c.sign("check")
    expect(p.returncode != 0, "check fails without a ticket", p)
    line = failed_step(p, "authentication")
    expect("kinit" in line and "password" not in line, "speaks of Kerberos tickets: " + line)


@case
def test_check_no_impersonation_right(c):
    c.start_fake()
    c.config(username="EXAMPLE\\svc-norole")
    p = c.sign("check")
    expect(p.returncode != 0, "check fails", p)
    line = failed_step(p, "impersonation")
    for s in ("New-ManagementRoleAssignment", "ApplicationImpersonation", "svc-norole", "New-ManagementScope",
              "30 minutes"):
        expect(s in line, "the fix names %r: %s" % (s, line))


@case
def test_check_room_outside_scope(c):
    c.start_fake()
    c.config(username="EXAMPLE\\svc-scoped", mailbox=OTHER_ROOM)
    p = c.sign("check")
    expect(p.returncode != 0, "a room outside the management scope fails", p)
    line = failed_step(p, "impersonation")
    expect("CustomRecipientWriteScope" in line and "30 minutes" in line, "the fix: " + line)
    c.config(username="EXAMPLE\\svc-scoped", mailbox=ANNEX)   # "Fjord Annex" matches Fjord*
    p = c.sign("check")
    expect(p.returncode == 0, "a room inside the scope passes", p)


@case
def test_check_alias_instead_of_primary(c):
    c.start_fake()
    c.config(mailbox=ALIAS)
    p = c.sign("check")
    expect(p.returncode != 0, "an alias fails", p)
    line = failed_step(p, "impersonation")
    expect("primary SMTP address" in line and ALIAS in line, "says to use the primary address: " + line)


@case
def test_check_untrusted_tls(c):
    c.start_fake(tls="untrusted")
    c.config(ca_file=c.ca_file)
    p = c.sign("check")
    expect(p.returncode != 0, "an untrusted certificate fails", p)
    line = failed_step(p, "TLS")
    expect("ca_file" in line, "says how to trust a private CA: " + line)
    expect(not ops(c.log(), None), "no request got through")
    c.stop()
    c.start_fake(tls="trusted")          # a good certificate from a private CA ...
    c.config()                           # ... without ca_file: TLS is verified by default
    p = c.sign("check")
    expect(p.returncode != 0 and "ca_file" in failed_step(p, "TLS"), "an unknown CA is refused", p)


@case
def test_check_unreachable_host(c):
    c.start_fake()
    port = c.port
    c.stop()                                      # nothing listens there any more
    c.config(url="http://127.0.0.1:%d/EWS/Exchange.asmx" % port)
    p = c.sign("check")
    expect(p.returncode != 0, "an unreachable server fails", p)
    failed_step(p, "connect")
    c.config(url="https://no-such-host.invalid/EWS/Exchange.asmx")
    p = c.sign("check")
    expect(p.returncode != 0, "an unknown host fails", p)
    line = failed_step(p, "DNS")
    expect("no-such-host.invalid" in line, "names the host: " + line)


# --- Exchange's stripped subjects -----------------------------------------------------------------

FIX = "Set-CalendarProcessing -Identity %s -DeleteSubject $false -AddOrganizerToSubject $false" % ROOM


def step_block(p, step):
    """The check's line for step with every indented line of its fix after it."""
    lines = check_lines(p)
    for i, line in enumerate(lines):
        if step in line and line[:1] in "✓✗":
            end = i + 1
            while end < len(lines) and lines[end].startswith("    "):
                end += 1
            return "\n".join(lines[i:end])
    raise AssertionError("no line for %r in:\n%s" % (step, p.stdout + p.stderr))


def booked_through_processing(c, settings):
    """Meetings other people book over the next days, through the room's calendar processing
    (the fake's settings), plus the sign's own booking and a private meeting (never judged)."""
    c.start_fake()
    c.admin("settings", settings)
    m = minute()
    for i, (subject, name) in enumerate((("Q3 review", "Bo Ek"), ("Budget", "Anna Berg"), ("Retro", "Carl Dahl"))):
        c.add_event(subject=subject, start=m + 3600 + i * 86400, end=m + 5400 + i * 86400,
                    organizer={"name": name, "email": name.split()[0].lower() + "@example.com"})
    own_booking(c, m + 7200, m + 9000)
    c.add_event(subject="Salary talks", sensitivity="Private", start=m + 9000, end=m + 9600,
                organizer={"name": "Eva", "email": "eva@example.com"})
    c.config()


@case
def test_check_stripped_subjects_prints_calendar_processing_fix(c):
    """AddOrganizerToSubject (Exchange's default): every meeting is stored under its organizer's
    name; `check` says so and prints the Set-CalendarProcessing line for the configured room."""
    booked_through_processing(c, {"add_organizer_to_subject": True})
    stored = {e["subject"] for e in c.calendar() if not e["ext"]}
    expect({"Bo Ek", "Anna Berg", "Carl Dahl"} <= stored and "Q3 review" not in stored,
           "the fake's room replaced the subjects: %s" % stored)
    p = c.sign("check")
    expect(p.returncode != 0, "stripped subjects are a problem to fix", p)
    fix = step_block(p, "meeting subjects")
    expect(fix.startswith("✗") and FIX in fix and "-RemovePrivateProperty $false" in fix,
           "the admin's fix for this room:\n" + fix)
    expect("private flag" in fix, "says what -RemovePrivateProperty is about:\n" + fix)
    expect("Exchange Management Shell" in fix, "EWS: the on-premises shell is named:\n" + fix)


@case
def test_check_deleted_subjects_prints_calendar_processing_fix(c):
    """DeleteSubject alone: no subject at all."""
    booked_through_processing(c, {"delete_subject": True})
    expect(not [e for e in c.calendar() if not e["ext"] and e["subject"]], "the fake deleted the subjects")
    p = c.sign("check")
    expect(p.returncode != 0 and FIX in step_block(p, "meeting subjects"), "the fix is printed", p)


@case
def test_check_normal_subjects_gives_no_exchange_advice(c):
    """Subjects as the organizers wrote them (one meeting without a subject among them): no advice,
    and too few meetings to judge give none either."""
    booked_through_processing(c, {})
    c.add_event(subject=None, start=minute() + 4 * 86400, end=minute() + 4 * 86400 + 1800,
                organizer={"name": "Bo Ek", "email": "bo@example.com"})
    p = c.sign("check")
    expect(p.returncode == 0, "check passes", p)
    expect("Set-CalendarProcessing" not in p.stdout + p.stderr, "no Exchange advice", p)
    expect(step_block(p, "meeting subjects").startswith("✓"), "the subjects were judged", p)
    c.start_fake()                                  # a second room: one stripped meeting only
    c.admin("settings", {"add_organizer_to_subject": True})
    c.add_event(subject="Q3 review", start=minute() + 3600, end=minute() + 5400,
                organizer={"name": "Bo Ek", "email": "bo@example.com"})
    c.config()
    p = c.sign("check")
    expect(p.returncode == 0 and "Set-CalendarProcessing" not in p.stdout, "one meeting is too few to judge", p)
    expect("too few" in step_block(p, "meeting subjects"), "says why it cannot tell", p)


@case
def test_screen_shows_booked_by_organizer_once(c):
    """The home screen (its view JSON) of a room whose mailbox put the organizer's name in place
    of the subject: "Booked by Bo Ek" as the title, and the name nowhere else."""
    import json
    c.start_fake()
    c.admin("settings", {"add_organizer_to_subject": True})
    m = minute()
    c.add_event(subject="Q3 review", start=m - 600, end=m + 1800, organizer={"name": "Bo Ek", "email": "bo@example.com"})
    c.config()
    view_path = os.path.join(c.dir, "view.json")
    env = dict(os.environ, TZ="UTC", SDL_VIDEODRIVER="dummy", ROOMSIGN_VIEW_JSON=view_path)
    p = subprocess.run(c.sign_cmd("screenshot", os.path.join(c.dir, "home.png"), "--size", "800x480"),
                       capture_output=True, text=True, timeout=60, env=env)
    expect(p.returncode == 0, "screenshot", p)
    with open(view_path, encoding="utf-8") as f:
        text = f.read()
    v = json.loads(text)
    expect(v.get("status_word") == "BUSY" and v.get("title") == "Booked by Bo Ek", "the title: %s" % v)
    expect(v.get("organizer") == "", "no organizer line under it: %s" % v)
    expect(text.count("Bo Ek") == 1, "the name once on the whole screen: %s" % text)


# --- booking -------------------------------------------------------------------------------------

@case
def test_book_creates_marked_meeting(c):
    c.start_fake()
    c.config()
    t0 = time.time()
    p = c.sign("book", "--minutes", "30")
    expect(p.returncode == 0, "booking succeeds", p)
    cal = c.calendar()
    expect(len(cal) == 1, "one meeting in the room: %s" % cal)
    e = cal[0]
    expect(e["ext"].get("RoomsignBooking"), "marked as the sign's own")
    start = utc_seconds(e["start"])
    end = utc_seconds(e["end"])
    expect(abs(start - t0) < 120 and 1800 <= end - start <= 1800 + 900, "now → now+30: %s" % e)
    seq = [x["op"] for x in c.log()]
    ci = seq.index("CreateItem")
    expect("FindItem" in seq[:ci] and "FindItem" in seq[ci:], "checked before and re-read after: %s" % seq)
    p = c.driver("list")
    expect("\t1\t" in p.stdout, "read back as booked here", p)


@case
def test_book_refused_when_taken(c):
    c.start_fake()
    m = minute()
    c.add_event(subject="Board", start=m - 600, end=m + 1800, organizer={"name": "B", "email": "b@example.com"})
    c.config()
    p = c.sign("book", "--minutes", "15")
    expect(p.returncode != 0, "booking a busy room fails", p)
    expect("booked" in (p.stdout + p.stderr).lower() or "taken" in (p.stdout + p.stderr).lower(),
           "says the room is taken", p)
    expect(not ops(c.log(), "CreateItem"), "nothing was created")


@case
def test_book_race_between_two_signs(c):
    c.start_fake()
    # Both signs' checks pass before either creates: their first FindItems wait for each other.
    c.admin("settings", {"barrier_ops": {"FindItem": 2}})
    c.config()
    cmd = c.sign_cmd("book", "--minutes", "30")
    env = dict(os.environ, TZ="UTC")
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    results = [(p.wait(60), *p.communicate()) for p in procs]
    codes = sorted(r[0] for r in results)
    for r in results:
        c.outputs.append((cmd, r[1], r[2]))
    expect(codes[0] == 0 and codes[1] != 0, "exactly one sign wins: %s" % results)
    loser = [r for r in results if r[0] != 0][0]
    expect("booked" in (loser[1] + loser[2]).lower(), "the other says the room was taken: %s" % (loser,))
    kinds = [s["kind"] for s in c.sent()]
    expect(kinds.count("create") == 2 and kinds.count("delete") == 1, "both created, one backed out: %s" % kinds)
    expect(len(c.calendar()) == 1, "the room is booked once: %s" % c.calendar())


@case
def test_book_loses_to_outlook_booking_made_meanwhile(c):
    c.start_fake()
    c.admin("settings", {"delay_ms_ops": {"CreateItem": 1500}})
    c.config()
    env = dict(os.environ, TZ="UTC")
    cmd = c.sign_cmd("book", "--minutes", "30")
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.time() + 10
    while not ops(c.log(), "FindItem") and time.time() < deadline:
        time.sleep(0.05)
    m = minute()
    c.add_event(subject="Booked in Outlook", start=m, end=m + 3600,
                organizer={"name": "Olga", "email": "olga@example.com"})
    rc = p.wait(60)
    out, err = p.communicate()
    c.outputs.append((cmd, out, err))
    expect(rc != 0 and "booked" in (out + err).lower(), "the sign backs out and says so: %s %s" % (out, err))
    cal = c.calendar()
    expect([e["subject"] for e in cal] == ["Booked in Outlook"], "only the person's meeting remains: %s" % cal)


# --- extend, end early, release --------------------------------------------------------------------

def own_booking(c, start, end):
    return c.add_event(subject="Booked at the room", start=start, end=end, ext={"RoomsignBooking": "roomsign"})


def others_meeting(c, m):
    return c.add_event(subject="Team sync", start=m - 600, end=m + 1800,
                       organizer={"name": "Olga", "email": "olga@example.com"})


@case
def test_extend_and_end_early(c):
    c.start_fake()
    m = minute()
    item = own_booking(c, m - 600, m + 900)
    c.config()
    p = c.driver("extend", item["id"], "15")
    expect(p.returncode == 0, "extend works", p)
    expect(c.calendar()[0]["end"] == iso(m + 1800), "end moved 15 minutes: %s" % c.calendar())
    p = c.driver("end", item["id"])
    expect(p.returncode == 0, "end early works", p)
    end = c.calendar()[0]["end"]
    expect(abs(utc_seconds(end) - time.time()) < 60,
           "ends now: " + end)
    expect([e["code"] for e in ops(c.log(), "UpdateItem")] == ["NoError", "NoError"], "two clean updates")


@case
def test_extend_one_occurrence_of_a_series(c):
    """A meeting in progress that is one occurrence of a daily series: extending it sends
    UpdateItem for that occurrence's own ItemId, which Exchange turns into an exception; the
    series' other occurrences keep their times."""
    c.start_fake()
    m = minute()
    series = c.add_event(subject="Daily sync", start=m - 600, end=m + 900,
                         recurrence={"interval_s": 86400, "count": 3},
                         organizer={"name": "Eva", "email": "eva@example.com"})
    c.config()
    listed = c.driver("list")
    expect(listed.returncode == 0, "list works", listed)
    occ = [line.split("\t") for line in listed.stdout.splitlines() if line.endswith("\tDaily sync")]
    expect(len(occ) == 3, "the three occurrences are in the window: %s" % listed.stdout)
    now_id = next(row[0] for row in occ if row[2] == iso(m - 600))
    expect(now_id != series["id"], "the occurrence has an id of its own, not the master's: %s" % now_id)
    p = c.driver("extend", now_id, "15")
    expect(p.returncode == 0, "extending the occurrence works", p)
    rows = sorted((r for r in c.calendar() if r["subject"] == "Daily sync"), key=lambda r: r["start"])
    expect([(r["start"], r["end"]) for r in rows] ==
           [(iso(m - 600), iso(m + 1800)), (iso(m - 600 + 86400), iso(m + 900 + 86400)),
            (iso(m - 600 + 2 * 86400), iso(m + 900 + 2 * 86400))],
           "only this occurrence moved: %s" % rows)
    expect(rows[0]["type"] == "Exception", "it became an exception of the series: %s" % rows[0])
    updates = ops(c.log(), "UpdateItem")
    expect([e["code"] for e in updates] == ["NoError"], "one clean UpdateItem: %s" % updates)


@case
def test_stale_change_key_reread_and_retried_once(c):
    c.start_fake()
    m = minute()
    item = own_booking(c, m - 600, m + 900)
    old_ck = item["changekey"]
    c.admin("touch", {"room": ROOM, "id": item["id"]})         # someone edits it meanwhile
    c.config()
    p = c.driver("extend", item["id"], "15", old_ck)
    expect(p.returncode == 0, "the stale ChangeKey is recovered from", p)
    seq = [(e["op"], e["code"]) for e in c.log() if e["op"] in ("UpdateItem", "GetItem")]
    expect(seq == [("UpdateItem", "ErrorIrresolvableConflict"), ("GetItem", "NoError"), ("UpdateItem", "NoError")],
           "update, re-read, retry once: %s" % seq)
    expect(c.calendar()[0]["end"] == iso(m + 1800), "the end moved")


@case
def test_release_deletes_own_booking(c):
    c.start_fake()
    m = minute()
    item = own_booking(c, m - 600, m + 900)
    c.config()
    p = c.driver("release", item["id"])
    expect(p.returncode == 0, "release works", p)
    expect(c.calendar() == [], "the sign's booking is gone")
    sent = [s for s in c.sent() if s["kind"] != "create"]
    expect(len(sent) == 1 and sent[0]["kind"] == "delete" and not sent[0]["silent"], "deleted our own: %s" % sent)


@case
def test_release_declines_someone_elses_meeting(c):
    c.start_fake()
    m = minute()
    item = others_meeting(c, m)
    c.config()
    p = c.driver("release", item["id"])
    expect(p.returncode == 0, "release works", p)
    sent = c.sent()
    expect([s["kind"] for s in sent] == ["decline"] and sent[0]["to"] == "olga@example.com",
           "declined, so the organizer hears of it: %s" % sent)
    expect(not any(s["kind"] == "delete" for s in sent), "never silently deleted")
    expect(c.calendar() == [], "the room is free again")


@case
def test_decline_with_stale_change_key_reread_and_retried_once(c):
    c.start_fake()
    m = minute()
    item = others_meeting(c, m)
    c.admin("touch", {"room": ROOM, "id": item["id"]})         # someone edits it meanwhile
    c.config()
    p = c.driver("release", item["id"], item["changekey"])
    expect(p.returncode == 0, "the stale ChangeKey is recovered from", p)
    seq = [(e["op"], e["code"]) for e in c.log() if e["op"] in ("CreateItem", "GetItem")]
    # Every release re-reads the item first (issue 12), so the decline carries the current
    # ChangeKey; the stale-key retry stays for an edit between that read and the decline.
    expect(seq == [("GetItem", "NoError"), ("CreateItem", "NoError")],
           "re-read, then decline with the current ChangeKey: %s" % seq)
    expect([s["kind"] for s in c.sent()] == ["decline"], "declined once, never deleted: %s" % c.sent())
    expect(c.calendar() == [], "the room is free again")


# --- other rooms ---------------------------------------------------------------------------------

@case
def test_free_busy_of_nearby_rooms(c):
    c.start_fake()
    m = minute()
    c.add_event(room=OTHER_ROOM, subject="x", start=m - 600, end=m + 1200, organizer={"name": "a", "email": "a@x"})
    c.add_event(room=OTHER_ROOM, subject="y", start=m + 1200, end=m + 1800, organizer={"name": "a", "email": "a@x"})
    c.add_event(room=ANNEX, subject="z", start=m + 3600, end=m + 4200, organizer={"name": "a", "email": "a@x"})
    c.config(extra="nearby_rooms = %s, %s, nobody@example.com" % (OTHER_ROOM, ANNEX))
    p = c.driver("free-busy")
    expect(p.returncode == 0, "free/busy works", p)
    rows = {line.split("\t")[0]: line.split("\t")[1:4] for line in p.stdout.strip().splitlines()}
    expect(rows[OTHER_ROOM] == ["ok", iso(m + 1800), "-"], "busy until the back-to-back end: %s" % rows)
    expect(rows[ANNEX] == ["ok", "-", iso(m + 3600)], "free until its next meeting: %s" % rows)
    expect(rows["nobody@example.com"][0] == "unknown", "an unknown room is not ok: %s" % rows)
    expect(ops(c.log(), "GetUserAvailabilityRequest"), "asked with GetUserAvailability")


def free_busy_names(p):
    """The driver's free-busy rows: address -> the name the list shows ("-": the address)."""
    expect(p.returncode == 0, "free/busy works", p)
    return {line.split("\t")[0]: line.split("\t")[4] for line in p.stdout.strip().splitlines()}


@case
def test_nearby_names_from_address_book(c):
    """Find a room's names: the config's wins, Exchange's address book (ResolveNames, as the
    sign's room) names the others, each asked once per source however often the list is shown;
    an unknown address keeps showing the address and fails nothing."""
    c.start_fake()
    c.config(extra="nearby_rooms = Big Harbour <%s>, %s, nobody@example.com" % (OTHER_ROOM, ANNEX))
    names = free_busy_names(c.driver("free-busy", "3"))
    expect(names == {OTHER_ROOM: "Big Harbour", ANNEX: "Fjord Annex (3.07)", "nobody@example.com": "-"},
           "config name, address-book name, address: %s" % names)
    asked = ops(c.log(), "ResolveNames")
    expect(len(ops(c.log(), "GetUserAvailabilityRequest")) == 3, "the list was asked for three times")
    expect(len(asked) == 2, "each unnamed room looked up once, the named one never: %s" % asked)
    for e in asked:
        expect(e["impersonated"] == ROOM and e["anchor"] == ROOM and e["status"] == 200,
               "ResolveNames acts as the sign's room: %s" % e)
    expect(sorted(e["code"] for e in asked) == ["ErrorNameResolutionNoResults", "NoError"],
           "Exchange found the annex, not nobody: %s" % asked)


@case
def test_nearby_name_hidden_from_address_book_shows_address(c):
    """A room hidden from the address lists: ResolveNames finds nothing, the list shows its
    address and still its free/busy; roomsign check says how to name it and passes."""
    seed = default_seed()
    seed["rooms"][2]["hidden"] = True     # the annex
    c.start_fake(seed)
    m = minute()
    c.add_event(room=ANNEX, subject="z", start=m + 3600, end=m + 4200, organizer={"name": "a", "email": "a@x"})
    c.config(extra="nearby_rooms = %s" % ANNEX)
    p = c.driver("free-busy")
    expect(free_busy_names(p) == {ANNEX: "-"}, "no name: the address is shown", p)
    expect(p.stdout.split("\t")[1:4] == ["ok", "-", iso(m + 3600)], "free/busy still there", p)
    p = c.sign("check")
    expect(p.returncode == 0, "an unknown name fails nothing", p)
    line = [x for x in check_lines(p) if "nearby room %s: name" % ANNEX in x]
    expect(line and line[0].startswith("✓") and "not known" in line[0] and "'Name <%s>'" % ANNEX in line[0],
           "check says the name is unknown and how to set it: %s" % line, p)


@case
def test_check_nearby_room_outside_impersonation_scope(c):
    """roomsign check walks the nearby rooms: the name each will show, and whether the service
    account may act as it (Find a room books it that way). A room outside the
    ApplicationImpersonation scope is a ✗ with the fix; one inside is a ✓."""
    c.start_fake()
    c.config(username="EXAMPLE\\svc-scoped", extra="nearby_rooms = %s, Big Harbour <%s>" % (ANNEX, OTHER_ROOM))
    p = c.sign("check")
    expect(p.returncode != 0, "a nearby room the sign cannot book fails the check", p)
    lines = check_lines(p)
    expect("✓ nearby room %s: name — \"Fjord Annex (3.07)\" (from Exchange's address book)" % ANNEX in lines,
           "the annex's name from Exchange", p)
    expect("✓ nearby room %s: name — \"Big Harbour\" (from nearby_rooms)" % OTHER_ROOM in lines,
           "the configured name", p)
    expect(any(x.startswith("✓ nearby room %s: the sign may book it" % ANNEX) for x in lines),
           "the annex is inside the scope (Fjord*)", p)
    fix = failed_step(p, "nearby room %s: the sign may book it" % OTHER_ROOM)
    expect("ErrorImpersonateUserDenied" in fix and "ApplicationImpersonation" in fix and
           "New-ManagementRoleAssignment" in fix, "the fix names the role and its scope: %s" % fix, p)
    tried = [e for e in ops(c.log(), "FindItem") if e["impersonated"] == OTHER_ROOM]
    expect(tried and tried[0]["anchor"] == OTHER_ROOM and tried[0]["code"] == "ErrorImpersonateUserDenied",
           "asked Exchange as the nearby room, which refused: %s" % tried)
    c.config(extra="nearby_rooms = %s, Big Harbour <%s>" % (ANNEX, OTHER_ROOM))   # unscoped role
    p = c.sign("check")
    expect(p.returncode == 0, "both rooms bookable: the check passes", p)
    expect(any(x.startswith("✓ nearby room %s: the sign may book it" % OTHER_ROOM) for x in check_lines(p)),
           "the harbour is bookable with the unscoped role", p)


# --- errors that speak -----------------------------------------------------------------------------

def gaps(entries):
    ts = [e["t"] for e in entries]
    return [b - a for a, b in zip(ts, ts[1:])]


@case
def test_throttled_waits_backoff_milliseconds(c):
    c.start_fake()
    c.admin("faults", [{"kind": "busy", "count": 2, "backoff_ms": 900}])
    c.config()
    p = agenda(c)
    expect(p.returncode == 0, "succeeds after the back-off", p)
    g = gaps(ops(c.log(), "FindItem"))
    expect(len(g) >= 2 and g[0] >= 0.85 and g[1] >= 0.85, "waited BackOffMilliseconds each time: %s" % g)


@case
def test_throttled_without_advice_backs_off_exponentially(c):
    c.start_fake()
    c.admin("faults", [{"kind": "busy", "count": 3}])
    c.config()
    p = agenda(c)
    expect(p.returncode == 0, "succeeds after backing off", p)
    g = gaps(ops(c.log(), "FindItem"))
    expect(len(g) >= 3 and g[0] >= 0.18 and g[2] >= 0.75 and g[2] > g[0], "exponential with jitter: %s" % g)


@case
def test_throttled_long_backoff_is_reported_not_slept(c):
    c.start_fake()
    c.admin("faults", [{"kind": "busy", "count": -1, "backoff_ms": 120000}])
    c.config()
    p = agenda(c)
    expect(p.returncode != 0 and p.elapsed < 20, "gives up at once and says why", p)
    expect("throttl" in (p.stdout + p.stderr).lower(), "says Exchange is throttling", p)


@case
def test_concurrency_budget_per_account(c):
    c.start_fake()
    c.admin("settings", {"max_concurrency": 1, "delay_ms": 1500, "backoff_ms": 700})
    seed_day(c, time.time())
    c.config()
    env = dict(os.environ, TZ="UTC")
    cmd = c.sign_cmd("agenda", *agenda_range())
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    for p in procs:
        rc = p.wait(60)
        out, err = p.communicate()
        c.outputs.append((cmd, out, err))
        expect(rc == 0 and "Standup" in out, "both signs read the calendar in the end: %s" % err)
    codes = [e.get("code") for e in ops(c.log(), "FindItem")]
    expect("ErrorServerBusy" in codes, "one was over the budget and was told to back off: %s" % codes)


def wrong_password_hour(c, auth):
    c.start_fake()
    c.admin("settings", {"auth": ["NTLM", "Basic"]})
    seed_day(c, time.time())
    c.config(password="not-the-password", auth=auth)
    hour, every = refused_sign_ins_in_an_hour(c, "hour-" + auth)
    expect(len(hour) <= 4, "at most 4 refused %s sign-ins in a simulated hour, the server counted %d: %s"
           % (auth, len(hour), [round(t - hour[0], 2) for t in every]))
    expect(len(every) >= 3, "the sign keeps trying, every 15 minutes: %s" % every)
    expect(all(f["scheme"] == {"ntlm": "NTLM", "basic": "Basic"}[auth] for f in c.admin_any("auth_failures")),
           "the failures were %s sign-ins" % auth)


@case
def test_wrong_password_ntlm_at_most_4_sign_ins_an_hour(c):
    wrong_password_hour(c, "ntlm")


@case
def test_wrong_password_basic_at_most_4_sign_ins_an_hour(c):
    wrong_password_hour(c, "basic")


def requests_under_retry_after(c, value, seconds=4):
    """FindItem requests one display sign sends in `seconds` while every one is answered
    503 with Retry-After: value (None: no header)."""
    c.admin("faults", [])
    fault = {"kind": "503", "count": -1, "ops": ["FindItem"]}
    if value is not None:
        fault["retry_after"] = value
    c.admin("faults", [fault])
    t0 = time.time()
    sign = display(c, "retry-after-%d" % len(c.outputs))
    c.outputs.append((["display", value], "", ""))
    try:
        time.sleep(seconds)
        expect(sign.alive(), "the sign survives Retry-After: %r" % value)
    finally:
        sign.stop()
    return [e for e in ops(c.log(), "FindItem") if e["t"] >= t0]


@case
def test_retry_after_is_clamped_not_masked(c):
    # A 503 with Retry-After: 65535 once drew 25,812 requests in 20 s from one sign (the advice
    # masked to 16 bits). Long advice: the one request, then the sign waits (up to 10 refreshes).
    # Advice that is 0, negative or garbage is no advice: EWS's own back-off (3 retries, 0.4-3.2 s)
    # and the worker's (2.5-5 s, then 5-10 s).
    c.start_fake()
    c.config(extra="refresh = 60")
    long_advice = ["65535", "1000000000000", "Fri, 31 Dec 2100 23:59:59 GMT", "99999999999999999999999"]
    no_advice = [None, "0", "-1", "-65535", "soon", "12abc"]
    for value in long_advice + no_advice:
        seen = requests_under_retry_after(c, value)
        limit = 1 if value in long_advice else 12
        expect(1 <= len(seen) <= limit, "Retry-After %r: %d requests in 4 s, at most %d expected (gaps %s)"
               % (value, len(seen), limit, [round(g, 2) for g in gaps(seen)]))
        if value not in long_advice:
            expect(min(gaps(seen) or [1]) >= 0.18, "Retry-After %r: back-off between tries: %s" % (value, gaps(seen)))


def fault_case(c, kind, message_words, **fault):
    c.start_fake()
    seed_day(c, time.time())
    c.admin("faults", [dict(kind=kind, count=1, **fault)])
    c.config(timeout=2)
    p = agenda(c)
    return p


@case
def test_fault_503_retried_then_reported(c):
    p = fault_case(c, "503", None)
    expect(p.returncode == 0 and "Standup" in p.stdout, "one 503 is retried", p)
    c.admin("faults", [{"kind": "503", "count": -1}])
    p = agenda(c)
    expect(p.returncode != 0 and "503" in p.stdout + p.stderr, "a lasting 503 is reported", p)


@case
def test_fault_500_retried_then_reported(c):
    p = fault_case(c, "500", None)
    expect(p.returncode == 0 and "Standup" in p.stdout, "one 500 page is retried", p)
    c.admin("faults", [{"kind": "500", "count": -1}])
    p = agenda(c)
    expect(p.returncode != 0 and "500" in p.stdout + p.stderr, "a lasting 500 is reported", p)


@case
def test_fault_slow_times_out(c):
    p = fault_case(c, "slow", None, delay_ms=5000)
    expect(p.returncode != 0 and "in time" in p.stdout + p.stderr, "a timeout is reported", p)
    expect(p.elapsed < 15, "and not retried for long: %.1fs" % p.elapsed)


@case
def test_fault_truncated_body(c):
    c.start_fake()
    c.admin("faults", [{"kind": "truncated", "count": -1}])
    c.config()
    p = agenda(c)
    expect(p.returncode != 0 and "not EWS XML" in p.stdout + p.stderr, "a cut-off answer is reported", p)


@case
def test_fault_garbage_body(c):
    c.start_fake()
    c.admin("faults", [{"kind": "garbage", "count": -1}])
    c.config()
    p = agenda(c)
    expect(p.returncode != 0 and "not EWS XML" in p.stdout + p.stderr, "an HTML page is reported", p)


@case
def test_fault_dropped_connection(c):
    p = fault_case(c, "drop", None)
    expect(p.returncode == 0 and "Standup" in p.stdout, "one dropped connection is retried", p)
    c.admin("faults", [{"kind": "drop", "count": -1}])
    p = agenda(c)
    expect(p.returncode != 0 and "dropped" in p.stdout + p.stderr, "a lasting drop is reported", p)


def main():
    return run_cases(CASES, "/tmp/roomsign-ews-tests")


if __name__ == "__main__":
    sys.exit(main())
