#!/usr/bin/python3
"""EWS with `auth = negotiate` and real Kerberos: each case makes its own throw-away realm
(ROOMSIGN.TEST, a krb5kdc on a free loopback port, see krb_realm.py), gets the service account's
ticket with kinit into a private file cache, and runs the real roomsign binary (libcurl's
GSS-API/SPNEGO) against the fake Exchange over HTTPS at https://localhost:PORT, which accepts the
token with python3-gssapi and the HTTP/localhost keytab (tests/fakes/ews/negotiate.py).

  ews_kerberos_test.py CASE --roomsign BIN --driver BIN --fake fake_ews.py --ca-script make-test-ca.sh --workdir DIR
"""

import base64
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ews_fixture import ROOM, default_seed, expect, ops, refused_sign_ins_in_an_hour, run_cases  # noqa: E402
from ews_test import agenda, assert_agenda, failed_step, seed_day  # noqa: E402
from krb_realm import Realm, tool  # noqa: E402

REALM = "ROOMSIGN.TEST"
USER = "svc-roomsign"
USER_PW = "Krb-4d1e-Pw"                   # the account's Kerberos password: only kinit sees it
ACCOUNT = "EXAMPLE\\svc-roomsign"

CASES = {}


def case(fn):
    CASES[fn.__name__.replace("test_", "", 1)] = fn
    return fn


class Kerberos:
    """The realm(s), the fake Exchange behind Negotiate and roomsign's config for one case."""

    def __init__(self, c):
        self.c = c
        self.realms = []

    def realm(self, name=REALM, **kw):
        r = Realm(os.path.join(self.c.dir, "krb-" + name.lower()), name, **kw).start()
        self.realms.append(r)
        return r

    def start(self, seed_principal=USER + "@" + REALM, **realm_kw):
        """ROOMSIGN.TEST with the account and HTTP/localhost, the fake on HTTPS with its keytab
        and only Negotiate enabled (no NTLM to fall back on), roomsign's config (no username,
        no password_file)."""
        c = self.c
        self.home = r = self.realm(**realm_kw)
        r.add_user(USER, USER_PW)
        self.keytab = os.path.join(r.dir, "http.keytab")
        r.add_service("HTTP/localhost", self.keytab)
        seed = default_seed()
        seed["accounts"][ACCOUNT]["principal"] = seed_principal
        seed["settings"] = {"auth": ["Negotiate"]}
        os.environ.update(r.env(KRB5_KTNAME="FILE:" + self.keytab,
                                KRB5_TRACE=os.path.join(c.dir, "fake-krb5-trace.log")))
        c.start_fake(seed=seed, tls="trusted")
        # roomsign from here on: the realm's krb5.conf, no keytab, its own trace.
        os.environ.pop("KRB5_KTNAME")
        # MIT's GSS-API gets tickets by itself from a client keytab (default
        # /etc/krb5/user/<uid>/client.keytab): none unless a case gives one.
        os.environ["KRB5_CLIENT_KTNAME"] = "FILE:" + os.path.join(c.dir, "no-client.keytab")
        os.environ["KRB5_TRACE"] = os.path.join(c.dir, "roomsign-krb5-trace.log")
        self.use_ccache(None)
        expect(c.url.startswith("https://localhost:"), "the URL names localhost (the SPN is HTTP/localhost)")
        self.config()
        return self

    def use_ccache(self, ccache):
        """roomsign's credential cache: None is a file that does not exist (no ticket at all)."""
        os.environ["KRB5CCNAME"] = ccache or "FILE:" + os.path.join(self.c.dir, "no-ticket.ccache")

    def kinit(self, realm=None, user=USER, password=USER_PW, lifetime=None, name="ticket.ccache"):
        r = realm or self.home
        cc = r.kinit(user, password, os.path.join(self.c.dir, name), lifetime)
        self.use_ccache(cc)
        return cc

    def config(self, extra=""):
        """[source] auth = negotiate with no username and no password_file."""
        path = self.c.config(auth="negotiate", ca_file=self.c.ca_file, extra=extra)
        with open(path, encoding="utf-8") as f:
            lines = [ln for ln in f.read().splitlines() if not ln.startswith(("username", "password_file"))]
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def refusals(self):
        return self.c.admin_any("kerberos")

    def stop(self):
        for r in self.realms:
            r.stop()


def ews_post(c, authorization):
    """One EWS POST with a hand-made Authorization header; returns the HTTP status."""
    ctx = ssl.create_default_context(cafile=c.ca_file)
    req = urllib.request.Request(c.url, data=b"<x/>", method="POST",
                                 headers={"Authorization": authorization, "Content-Type": "text/xml"})
    try:
        with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
            return r.status, r.headers.get_all("WWW-Authenticate") or []
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get_all("WWW-Authenticate") or []


def negotiated(c, op):
    entries = ops(c.log(), op)
    expect(entries, "%s reached the server" % op)
    for e in entries:
        expect(e["auth"] == "Negotiate" and e["account"] == ACCOUNT,
               "signed in by Kerberos as the service account: %s" % e)
        expect(e["impersonated"] == ROOM and e["anchor"] == ROOM, "acting as the room: %s" % e)
    return entries


def kerberos_refusal(p):
    line = failed_step(p, "authentication")
    expect("Kerberos" in line and "kinit" in line and "keytab" in line, "speaks of Kerberos tickets: " + line)
    expect("password" not in line, "says nothing of passwords: " + line)
    return line


# --- it works --------------------------------------------------------------------------------------

@case
def test_agenda_kerberos_impersonates_room(c):
    k = c.krb.start()
    seed_day(c, time.time())
    k.kinit()
    assert_agenda(c, agenda(c))
    negotiated(c, "FindItem")
    expect(k.refusals() == [], "no token was refused: %s" % k.refusals())


@case
def test_agenda_kerberos_from_client_keytab(c):
    # The unattended setup: no kinit, no ticket cache yet; the service account's key in a client
    # keytab, from which GSS-API (under libcurl) gets the ticket itself, and renews it.
    k = c.krb.start()
    seed_day(c, time.time())
    os.environ["KRB5_CLIENT_KTNAME"] = k.home.add_client_keytab(USER, os.path.join(c.dir, "client.keytab"))
    k.use_ccache("FILE:" + os.path.join(c.dir, "fresh.ccache"))
    assert_agenda(c, agenda(c))
    negotiated(c, "FindItem")


@case
def test_book_kerberos(c):
    k = c.krb.start()
    k.kinit()
    p = c.sign("book", "--minutes", "30")
    expect(p.returncode == 0, "booking succeeds with a Kerberos ticket", p)
    cal = c.calendar()
    expect(len(cal) == 1 and cal[0]["ext"].get("RoomsignBooking"), "the sign's meeting is in the room: %s" % cal)
    negotiated(c, "CreateItem")
    negotiated(c, "FindItem")


@case
def test_check_kerberos_all_good(c):
    k = c.krb.start()
    k.kinit()
    p = c.sign("check")
    expect(p.returncode == 0, "check passes", p)
    expect("✗" not in p.stdout + p.stderr and p.stdout.count("✓") >= 5, "every step ✓", p)
    expect("Kerberos" in p.stdout, "the authentication step says it used the Kerberos ticket", p)
    p = c.sign("check", "--book-test")
    expect(p.returncode == 0 and "test booking" in p.stdout, "the test booking works too", p)
    expect([s["kind"] for s in c.sent()] == ["create", "delete"], "created and deleted: %s" % c.sent())
    negotiated(c, "CreateItem")


# --- it fails, and says why ------------------------------------------------------------------------

@case
def test_check_kerberos_without_ticket(c):
    k = c.krb.start()                   # realm and server fine, but nobody ran kinit
    p = c.sign("check")
    expect(p.returncode != 0, "check fails without a ticket", p)
    kerberos_refusal(p)
    expect(not ops(c.log(), None), "nothing got past authentication")
    # The server side of the same rule: a token that is not a Kerberos ticket is refused.
    status, challenge = ews_post(c, "Negotiate " + base64.b64encode(b"\x60\x10not-a-gss-token").decode())
    expect(status == 401 and "Negotiate" in challenge, "a forged token gets 401 Negotiate: %s %s" % (status, challenge))
    expect(len(k.refusals()) == 1 and k.refusals()[0]["principal"] is None, "refused: %s" % k.refusals())


@case
def test_check_kerberos_ticket_from_another_realm(c):
    k = c.krb.start()
    # OTHER.TEST also has an svc-roomsign and an HTTP/localhost, and the sign's krb5.conf puts
    # localhost there: the sign gets a service ticket, but one the server's keytab cannot read.
    other = k.realm("OTHER.TEST")
    other.add_user(USER, USER_PW)
    other.add_service("HTTP/localhost", os.path.join(other.dir, "http.keytab"))
    os.environ["KRB5_CONFIG"] = other.krb5_conf
    k.kinit(realm=other)
    p = c.sign("check")
    expect(p.returncode != 0, "a ticket from another realm is refused", p)
    kerberos_refusal(p)
    expect(not ops(c.log(), None), "nothing got past authentication")
    refused = k.refusals()
    expect(refused and all(r["principal"] is None for r in refused),
           "the server got the foreign ticket and could not accept it: %s" % refused)


@case
def test_check_kerberos_principal_without_account(c):
    # A good ticket of the right realm, for a principal that no Exchange account has.
    k = c.krb.start(seed_principal="someone-else@" + REALM)
    k.kinit()
    p = c.sign("check")
    expect(p.returncode != 0, "an unmapped principal is refused", p)
    kerberos_refusal(p)
    refused = k.refusals()
    expect(refused and refused[0]["principal"] == USER + "@" + REALM,
           "the server verified the ticket and found no account for it: %s" % refused)


@case
def test_refused_kerberos_at_most_4_sign_ins_an_hour(c):
    # A good ticket the server refuses (no account has its principal): the running sign, over a
    # simulated hour, must not present it more than 4 times (lockout policies count these too).
    k = c.krb.start(seed_principal="someone-else@" + REALM)
    k.kinit()
    hour, every = refused_sign_ins_in_an_hour(c, "hour-negotiate")
    expect(len(hour) <= 4, "at most 4 refused Negotiate sign-ins in a simulated hour, the server counted %d: %s"
           % (len(hour), [round(t - hour[0], 2) for t in every]))
    expect(len(every) >= 3, "the sign keeps trying, every 15 minutes: %s" % every)
    expect(all(f["scheme"] == "Negotiate" for f in c.admin_any("auth_failures")), "Negotiate sign-ins")


@case
def test_check_kerberos_expired_ticket(c):
    # Kerberos takes a ticket up to clockskew past its end (5 minutes by default): 1 s here.
    k = c.krb.start(clockskew=1)
    cc = k.kinit(lifetime="2s")
    env = k.home.env(KRB5CCNAME=cc)
    deadline = time.time() + 15
    while subprocess.run([tool("klist"), "-s"], env=env, timeout=10).returncode == 0:
        expect(time.time() < deadline, "the 2-second ticket expires")
        time.sleep(0.25)
    time.sleep(1.5)                     # and is past the allowed skew
    p = c.sign("check")
    expect(p.returncode != 0, "an expired ticket is refused", p)
    kerberos_refusal(p)
    expect(not ops(c.log(), None), "nothing got past authentication")
    k.kinit()                           # renewed (kinit again): works again
    p = c.sign("check")
    expect(p.returncode == 0, "a fresh ticket works", p)


def print_krb5_traces(c):
    for name in ("fake-krb5-trace.log", "roomsign-krb5-trace.log"):
        path = os.path.join(c.dir, name)
        if os.path.exists(path):
            print("--- %s (last lines)" % name)
            with open(path, encoding="utf-8", errors="replace") as f:
                print("".join(f.readlines()[-25:]))


def start_realm(c):
    c.krb = Kerberos(c)


def main():
    return run_cases(CASES, "/tmp/roomsign-ews-kerberos-tests", setup=start_realm,
                     on_failure=print_krb5_traces, teardown=lambda c: c.krb.stop())


if __name__ == "__main__":
    sys.exit(main())
