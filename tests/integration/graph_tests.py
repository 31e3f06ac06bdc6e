#!/usr/bin/python3
"""Integration tests of the Microsoft Graph source: the real roomsign binary (and graph_driver
for the ops without a command) against the fake token endpoint + Graph server, over HTTPS
through libcurl.

  graph_tests.py NAME --roomsign BIN --driver BIN --fakes DIR --work DIR
"""

import argparse
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_harness import (APP_ID, EXPIRED_SECRET, OTHER_APP_ID, ROOM, ROOM2, ROOM3, SECRET,  # noqa: E402
                           TENANT_DOMAIN, TENANT_ID, Env, TestFailure, check, iso, parse_iso)

TESTS = {}


def test(fn):
    TESTS[fn.__name__] = fn
    return fn


def agenda_lines(p):
    return [line.split("\t") for line in p.stdout.splitlines() if line.strip()]


def no_secrets(p, *extra):
    text = p.stdout + p.stderr
    for s in (SECRET, EXPIRED_SECRET, "eyJ0eXAiOiJKV1Qi", "client_assertion=", *extra):
        check(s not in text, f"a secret or token ({s[:8]}…) reached the output", text)


# ---- sign-in ------------------------------------------------------------------------------

@test
def secret_auth(env):
    """Client secret with URL-special characters; the token is fetched once and never printed."""
    now = time.time()
    env.fake.setup(events=[{"subject": "Standup", "start": iso(now - 600), "end": iso(now + 600)}])
    env.write_config()
    p = env.roomsign_cmd("--verbose", "agenda")    # debug lines too: they must not leak either
    check(p.returncode == 0, "agenda with a client secret failed", p.stderr)
    check("got an access token for app" in p.stderr, "the token log line is missing", p.stderr)
    check(any(l[-1] == "Standup" for l in agenda_lines(p)), "the event is missing", p.stdout)
    tokens = env.fake.token_log()
    check(len(tokens) == 1 and tokens[0]["how"] == "secret", "expected one secret sign-in", tokens)
    check(all(r["has_auth"] for r in env.fake.requests("/v1.0/")), "a Graph request without a token")
    no_secrets(p)


@test
def certificate_auth(env):
    """Certificate: the client assertion's PS256 signature, x5t#S256, aud, iss, sub, jti and
    times are checked by the fake; two runs use two different jti values."""
    cert = env.cert()
    env.fake.setup(certificates=[cert[2]])
    env.write_config(auth="certificate", cert=cert)
    for _ in range(2):
        p = env.roomsign_cmd("agenda")
        check(p.returncode == 0, "agenda with a certificate failed", p.stderr)
        no_secrets(p)
    tokens = env.fake.token_log()
    check([t["how"] for t in tokens] == ["certificate", "certificate"], "expected two certificate sign-ins", tokens)
    p = env.roomsign_cmd("check")
    check(p.returncode == 0 and "certificate" in p.stdout, "check with a certificate failed", p.stdout)


@test
def check_reports_cheap_change_polls(env):
    """roomsign check runs one calendarView/delta round: ✓ on the fake Graph; ✗ with the sign's
    fallback spelled out when the server refuses delta."""
    env.fake.setup()
    env.write_config()
    p = env.roomsign_cmd("check")
    check(p.returncode == 0 and "✓ cheap change polls (calendarView/delta) — work: changes show within 15 s"
          in p.stdout, "delta works", p.stdout)
    check(any(r["path"].endswith("/calendarView/delta") for r in env.fake.requests("/calendarView", "GET")),
          "the check asked calendarView/delta on the server", env.fake.requests("/calendarView", "GET"))
    env.fake.admin("settings", {"delta": False})
    p = env.roomsign_cmd("check")
    check(p.returncode != 0 and "✗ cheap change polls (calendarView/delta)\n    refused: the sign works, but "
          "reads the whole day every 60 s instead" in p.stdout, "a refused delta is a ✗ step", p.stdout)


@test
def certificate_not_uploaded(env):
    cert, other = env.cert("app"), env.cert("other")
    env.fake.setup(certificates=[other[2]])
    env.write_config(auth="certificate", cert=cert)
    p = env.roomsign_cmd("check")
    check(p.returncode != 0, "check passed with a certificate Entra does not know", p.stdout)
    check("AADSTS700027" in p.stdout and "upload certificate_file" in p.stdout, "no upload advice", p.stdout)
    reqs = env.fake.requests("oauth2")
    check(reqs and reqs[-1].get("aadsts") == 700027, "the fake did not reject the key", reqs)


@test
def wrong_tenant(env):
    env.fake.setup()
    env.write_config(tenant="fabrikam.test")
    p = env.roomsign_cmd("check")
    check(p.returncode != 0 and "no tenant 'fabrikam.test'" in p.stdout and "AADSTS90002" in p.stdout,
          "wrong tenant not explained", p.stdout)


@test
def wrong_client_id(env):
    env.fake.setup()
    env.write_config(client_id="11111111-2222-3333-4444-555555555555")
    p = env.roomsign_cmd("check")
    check(p.returncode != 0 and "client id 11111111" in p.stdout and "AADSTS700016" in p.stdout,
          "wrong client id not explained", p.stdout)


@test
def wrong_secret(env):
    env.fake.setup()
    env.write_config(secret="not-the-secret")
    p = env.roomsign_cmd("check")
    check(p.returncode != 0 and "client secret is wrong" in p.stdout, "wrong secret not explained", p.stdout)
    no_secrets(p, "not-the-secret")


@test
def wrong_secret_at_most_4_token_requests_an_hour(env):
    """The running sign with a wrong client secret, over a simulated hour (clock 200x): the token
    endpoint sees at most 4 refused requests (the oauth path obeys [source] auth_retry)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import signproc
    env.fake.setup()
    env.write_config(secret="not-the-secret")
    speed = 200
    sign = signproc.Sign(env.roomsign, ["--config", env.config], os.path.join(env.work, "display.log"),
                         env={"ROOMSIGN_CLOCK_SPEED": str(speed), "TZ": "UTC"})
    refused = lambda: [r for r in env.fake.requests("/oauth2/v2.0/token") if r["status"] != 200]
    try:
        first = signproc.wait_for(refused, 20)
        check(first, "the token endpoint saw a refused request")
        t0 = first[0]["t"]
        time.sleep(max(0.0, t0 + 3600.0 / speed + 1.0 - time.time()))
        check(sign.alive(), "the sign keeps running")
    finally:
        sign.stop()
    every = [r["t"] for r in refused()]
    hour = [t for t in every if t < t0 + 3600.0 / speed]
    check(len(hour) <= 4, f"at most 4 refused token requests in a simulated hour, the fake counted {len(hour)}",
          [round(t - t0, 2) for t in every])
    check(len(every) >= 3, "the sign keeps trying, every 15 minutes", every)
    check(not env.fake.requests("/v1.0/"), "no Graph call without a token", env.fake.requests("/v1.0/"))


@test
def expired_secret(env):
    env.fake.setup()
    env.write_config(secret=EXPIRED_SECRET)
    p = env.roomsign_cmd("check")
    check(p.returncode != 0 and "has expired" in p.stdout and "AADSTS7000222" in p.stdout,
          "expired secret not explained", p.stdout)
    no_secrets(p)


@test
def token_cached_and_renewed(env):
    """One process reads three times: the token is reused, then renewed before it expires."""
    env.fake.setup(settings={"token_lifetime": 8})
    env.write_config()
    p = env.drive("fetch-loop", "3", "3")
    check(p.returncode == 0, "reads failed", p.stderr)
    tokens = env.fake.token_log()
    # renew_early = min(300 s, lifetime / 2) = 4 s: t=0 fetch, t=3 cached, t=6 renewed.
    check(len(tokens) == 2, f"expected 2 token requests (cache + renewal), got {len(tokens)}", tokens)
    check(not env.fake.requests("calendarView", "GET") or
          all(r["status"] == 200 for r in env.fake.requests("calendarView")), "a read was refused")


@test
def token_refetched_on_401(env):
    """The server kills the token before its advertised expiry: one 401, one new token, success."""
    env.fake.setup(settings={"token_lifetime": 2, "expires_in": 3600})
    env.write_config()
    p = env.drive("fetch-loop", "2", "3")
    check(p.returncode == 0, "the read after the token died failed", p.stderr)
    statuses = [r["status"] for r in env.fake.requests("calendarView")]
    check(statuses == [200, 401, 200], "expected 200, 401, 200", statuses)
    check(len(env.fake.token_log()) == 2, "expected exactly one re-fetch", env.fake.token_log())


@test
def clouds_from_config(env):
    """authority and graph_url are what is used: token from one host, Graph from another, and
    the scope is the configured Graph host's /.default (as for national clouds)."""
    env.fake.setup()
    env.write_config(authority=f"https://localhost:{env.fake.port}/")
    p = env.roomsign_cmd("agenda")
    check(p.returncode == 0, "agenda failed", p.stderr)
    tok = env.fake.requests("oauth2")
    check(tok and all(r["host"] == f"localhost:{env.fake.port}" and r["path"] == f"/{TENANT_DOMAIN}/oauth2/v2.0/token"
                      for r in tok), "token not fetched from the configured authority", tok)
    graph = env.fake.requests("/v1.0/")
    check(graph and all(r["host"] == f"127.0.0.1:{env.fake.port}" for r in graph), "Graph not at graph_url", graph)
    check(env.fake.token_log()[0]["scope"] == f"https://127.0.0.1:{env.fake.port}/.default", "wrong scope",
          env.fake.token_log())


@test
def fake_checks_assertions(env):
    """The fake's own token endpoint refuses what Entra ID refuses, so the certificate tests mean
    something: bad signature, unknown key, wrong aud/iss/sub, outside nbf..exp, replayed jti."""
    import base64
    import json
    import urllib.error
    import urllib.parse
    import urllib.request
    import uuid
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    cert_path, key_path, pem = env.cert()
    other = env.cert("other")
    env.fake.setup(certificates=[pem])
    url = f"{env.fake.url}/{TENANT_ID}/oauth2/v2.0/token"
    key = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
    other_key = serialization.load_pem_private_key(open(other[1], "rb").read(), None)
    from cryptography import x509
    der = x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
    h = hashes.Hash(hashes.SHA256())
    h.update(der)
    b64 = lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")
    thumb = b64(h.finalize())

    def jwt(alg="PS256", signer=key, x5t=thumb, **claims):
        now = time.time()
        c = {"aud": url, "iss": APP_ID, "sub": APP_ID, "jti": str(uuid.uuid4()), "nbf": int(now), "iat": int(now),
             "exp": int(now) + 600}
        c.update(claims)
        head = b64(json.dumps({"alg": alg, "typ": "JWT", "x5t#S256": x5t}).encode())
        body = b64(json.dumps(c).encode())
        pad = padding.PSS(padding.MGF1(hashes.SHA256()), 32) if alg == "PS256" else padding.PKCS1v15()
        return f"{head}.{body}." + b64(signer.sign(f"{head}.{body}".encode(), pad, hashes.SHA256()))

    def post(assertion):
        form = urllib.parse.urlencode({"client_id": APP_ID, "scope": "https://graph.microsoft.com/.default",
                                       "grant_type": "client_credentials", "client_assertion": assertion,
                                       "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"})
        try:
            urllib.request.urlopen(urllib.request.Request(url, data=form.encode()), context=env.fake.ctx)
            return 0
        except urllib.error.HTTPError as e:
            return json.loads(e.read())["error_codes"][0]
    good = jwt()
    check(post(good) == 0 and post(jwt(alg="RS256")) == 0, "valid PS256/RS256 assertions refused")
    check(post(good) != 0, "a replayed jti was accepted")
    check(post(jwt(signer=other_key)) == 700027, "a bad signature was accepted")
    check(post(jwt(x5t="AAAA")) == 700027, "an unknown key was accepted")
    check(post(jwt(aud="https://login.microsoftonline.com/x/oauth2/v2.0/token")) != 0, "wrong aud accepted")
    check(post(jwt(iss="someone")) == 700021 and post(jwt(sub="someone")) == 700021, "wrong iss/sub accepted")
    check(post(jwt(exp=int(time.time()) - 3600, nbf=int(time.time()) - 4000)) == 700024, "expired accepted")
    check(post(jwt(nbf=int(time.time()) + 3600, exp=int(time.time()) + 4000)) == 700024, "not-yet-valid accepted")


# ---- reading ------------------------------------------------------------------------------

@test
def paging(env):
    """25 events, the server pages by 7: every page followed; $select and Prefer sent."""
    day = time.time() - time.time() % 86400
    events = [{"subject": f"Meeting {i:02d}", "start": iso(day + 1800 + i * 3000),
               "end": iso(day + 1800 + i * 3000 + 1200),
               "type": "occurrence" if i % 3 == 0 else "singleInstance"} for i in range(25)]
    env.fake.setup(events=events, settings={"max_page_size": 7})
    env.write_config()
    p = env.roomsign_cmd("agenda")
    check(p.returncode == 0, "agenda failed", p.stderr)
    subjects = sorted(l[-1] for l in agenda_lines(p))
    check(subjects == [f"Meeting {i:02d}" for i in range(25)], "events lost across pages", p.stdout)
    reqs = env.fake.requests("calendarView", "GET")
    check(len(reqs) == 4, f"expected 4 page requests, got {len(reqs)}", reqs)
    first = reqs[0]
    check("$select=" in first["query"] and "showAs" in first["query"] and "sensitivity" in first["query"]
          and "isCancelled" in first["query"] and "transactionId" in first["query"], "no $select", first)
    check('outlook.timezone="UTC"' in first["prefer"], "no Prefer: outlook.timezone", first)
    check(all("$skip=" in r["query"] for r in reqs[1:]), "next links not followed as given", reqs)


@test
def default_page_size(env):
    """The fake's own default is Graph's 10 a page; a client that asked for nothing gets 10."""
    day = time.time() - time.time() % 86400
    env.fake.setup(events=[{"subject": f"E{i}", "start": iso(day + i * 600), "end": iso(day + i * 600 + 300)}
                           for i in range(12)])
    import json
    import urllib.parse
    import urllib.request
    tok = urllib.request.urlopen(urllib.request.Request(
        f"{env.fake.url}/{TENANT_ID}/oauth2/v2.0/token", data=(
            f"client_id={APP_ID}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&grant_type=client_credentials"
            f"&client_secret={urllib.parse.quote(SECRET, safe='')}").encode()), context=env.fake.ctx).read()
    token = json.loads(tok)["access_token"]
    req = urllib.request.Request(f"{env.fake.url}/v1.0/users/{ROOM}/calendarView?startDateTime={iso(day)}"
                                 f"&endDateTime={iso(day + 86400)}", headers={"Authorization": "Bearer " + token})
    page = json.loads(urllib.request.urlopen(req, context=env.fake.ctx).read())
    check(len(page["value"]) == 10 and "@odata.nextLink" in page, "default page is not 10 + nextLink", page)


@test
def event_fields(env):
    """showAs, sensitivity, isCancelled, isAllDay, organizer and id as the sign needs them."""
    day = time.time() - time.time() % 86400
    env.fake.setup(events=[
        {"subject": "Tentative", "start": iso(day + 3600), "end": iso(day + 7200), "showAs": "tentative",
         "organizer": "Ann Smith"},
        {"subject": "Secret plan", "start": iso(day + 7200), "end": iso(day + 9000), "sensitivity": "private"},
        {"subject": "Called off", "start": iso(day + 9000), "end": iso(day + 10800), "isCancelled": True},
        {"subject": "Offsite", "start": iso(day), "end": iso(day + 86400), "isAllDay": True, "showAs": "free"},
        {"subject": "Away", "start": iso(day + 36000), "end": iso(day + 37800), "showAs": "oof"},
    ])
    env.write_config()
    p = env.drive("list")
    check(p.returncode == 0, "list failed", p.stderr)
    rows = {r[9]: r for r in (l.split("\t") for l in p.stdout.splitlines())}
    cal = {e["subject"]: e for e in env.fake.calendar()}
    check(rows["Tentative"][3] == "tentative" and rows["Tentative"][8] == "Ann Smith", "tentative/organizer", rows)
    check(rows["Tentative"][0] == cal["Tentative"]["id"], "event.id is not the Graph id", rows)
    private = [r for r in rows.values() if r[6] == "1"]
    check(len(private) == 1 and "Secret plan" not in p.stdout, "private subject shown", p.stdout)
    check(rows["Called off"][3] == "free", "a cancelled meeting still blocks the room", rows)
    check(rows["Offsite"][5] == "1" and rows["Offsite"][3] == "free", "all-day flag lost", rows)
    check(rows["Away"][3] == "oof", "oof lost", rows)


# ---- booking ------------------------------------------------------------------------------

def sign_bookings(env, room=ROOM):
    return [e for e in env.fake.calendar(room) if (e.get("transactionId") or "").startswith("roomsign-")]


@test
def book_marks_own(env):
    env.fake.setup()
    env.write_config()
    pinned = int(time.time()) // 300 * 300          # the sign's clock, on a 5-minute mark
    p = env.roomsign_cmd("book", "--minutes", "30", "--now", iso(pinned))
    check(p.returncode == 0 and "Booked" in p.stdout, "booking failed", p.stdout, p.stderr)
    mine = sign_bookings(env)
    check(len(mine) == 1, "expected one booking with a roomsign transactionId", env.fake.calendar())
    start, end = parse_iso(mine[0]["start"]), parse_iso(mine[0]["end"])
    check(abs(start - pinned) <= 120, f"the booking starts at {mine[0]['start']}, not now ({iso(pinned)})", mine)
    check(end - start == 30 * 60, f"the booking lasts {(end - start) / 60:.0f} min, not the 30 asked", mine)
    p = env.drive("list")
    check("\tbusy\t1\t" in p.stdout, "the sign's own booking is not marked booked_here", p.stdout)


@test
def book_retry_is_idempotent(env):
    """The first create's answer is lost (slow, then truncated): the retry carries the same
    transactionId and the fake answers with the event it made; one booking, exit 0."""
    env.fake.setup()
    env.write_config(timeout=2)
    env.fake.admin("faults", [{"match": "/events", "method": "POST", "kind": "slow", "delay": 4},
                              {"match": "/events", "method": "POST", "kind": "truncated"}])
    p = env.roomsign_cmd("book", "--minutes", "30")
    check(p.returncode == 0, "booking with lost answers failed", p.stdout, p.stderr)
    posts = env.fake.requests("/events", "POST")
    txs = {r["transactionId"] for r in posts}
    check(len(posts) == 3 and len(txs) == 1, "expected three POSTs with one transactionId", posts)
    check(len(env.fake.calendar()) == 1, "a retried create booked twice", env.fake.calendar())


@test
def conflict_before(env):
    now = time.time()
    env.fake.setup(events=[{"subject": "Board", "start": iso(now - 300), "end": iso(now + 3600)}])
    env.write_config()
    p = env.roomsign_cmd("book", "--minutes", "30")
    check(p.returncode != 0 and "booked by someone" in p.stderr, "booked over a meeting", p.stderr)
    check(not env.fake.requests("/events", "POST"), "created although the slot was taken")


@test
def conflict_after(env):
    """Someone books the slot between our check and our create: we see it and withdraw."""
    now = time.time()
    env.fake.setup()
    env.fake.admin("after_create", {"room": ROOM, "event": {"subject": "Walk-in", "start": iso(now - 60),
                                                            "end": iso(now + 1800)}})
    env.write_config()
    p = env.roomsign_cmd("book", "--minutes", "30")
    check(p.returncode != 0 and "booked by someone" in p.stderr, "a double booking was kept", p.stderr)
    check([e["subject"] for e in env.fake.calendar()] == ["Walk-in"], "ours was not withdrawn",
          env.fake.calendar())
    check(len(env.fake.actions("delete")) == 1, "ours was not deleted", env.fake.actions())


@test
def race_two_signs(env):
    """Two processes book the same room at once: both read the free slot before either creates
    (a barrier on calendarView in the fake), both create, one withdraws; one booking survives."""
    env.fake.setup(settings={"barrier": {"match": "calendarView", "method": "GET", "parties": 2}})
    env.write_config()
    results = []

    def one():
        results.append(env.roomsign_cmd("book", "--minutes", "30"))
    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [p for p in results if p.returncode == 0]
    cal = env.fake.calendar()
    check(len(cal) == 1 and len(ok) == 1, f"{len(ok)} succeeded, {len(cal)} bookings remain", cal,
          *[p.stdout + p.stderr for p in results])
    creates = env.fake.actions("create")
    check(len(creates) == 2 and len({c["transactionId"] for c in creates}) == 2,
          "both signs must have created (a true race)", env.fake.actions())
    withdrawn = env.fake.actions("delete")
    check(len(withdrawn) == 1 and withdrawn[0]["id"] != cal[0]["id"], "exactly one booking withdrawn, not the "
          "survivor", env.fake.actions(), cal)
    loser = [p for p in results if p.returncode != 0][0]
    check(loser.returncode == 3 and "booked by someone" in loser.stderr, "the loser says the room was taken",
          loser.stderr)


@test
def extend_and_end(env):
    env.fake.setup()
    env.write_config()
    check(env.roomsign_cmd("book", "--minutes", "30").returncode == 0, "booking failed")
    ev = env.fake.calendar()[0]
    p = env.drive("extend", ev["id"], "15")
    check(p.returncode == 0, "extend failed", p.stderr)
    after = env.fake.calendar()[0]
    check(parse_iso(after["end"]) == parse_iso(ev["end"]) + 900, "end not moved by 15 min", ev, after)
    p = env.drive("end", ev["id"])
    check(p.returncode == 0, "end early failed", p.stderr)
    after = env.fake.calendar()[0]
    check(abs(parse_iso(after["end"]) - time.time()) < 60, "not ended now", after)
    patches = env.fake.requests("/events/", "PATCH")
    check(len(patches) == 2, "expected two PATCHes", patches)


@test
def extend_retries_once_on_412(env):
    """Someone edits the booking after the sign read it: the PATCH carries If-Match with the
    ETag read, the fake answers 412, the sign reads it again and changes the fresh version;
    the other person's edit stays (no lost update)."""
    env.fake.setup()
    env.write_config()
    check(env.roomsign_cmd("book", "--minutes", "30").returncode == 0, "booking failed")
    ev = env.fake.calendar()[0]
    env.fake.admin("touch_before", {"method": "PATCH", "count": 1, "subject": "Projector booked too"})
    p = env.drive("extend", ev["id"], "15")
    check(p.returncode == 0, "extend after a 412 failed", p.stderr)
    patches = env.fake.requests("/events/", "PATCH")
    check([r["status"] for r in patches] == [412, 200], "expected a 412 on the stale ETag, then success", patches)
    check(all(r["if_match"] for r in patches) and patches[0]["if_match"] != patches[1]["if_match"],
          "each PATCH must carry If-Match, the second with the fresh ETag", patches)
    after = env.fake.calendar()[0]
    check(parse_iso(after["end"]) == parse_iso(ev["end"]) + 900 and after["subject"] == "Projector booked too",
          "the new end and the other person's edit must both be kept", ev, after)


@test
def extend_412_twice_gives_up(env):
    env.fake.setup()
    env.write_config()
    check(env.roomsign_cmd("book", "--minutes", "30").returncode == 0, "booking failed")
    ev = env.fake.calendar()[0]
    env.fake.admin("touch_before", {"method": "PATCH", "count": 2})
    p = env.drive("extend", ev["id"], "15")
    check(p.returncode != 0 and "changed meanwhile" in p.stderr, "two 412s must give up with the reason", p.stderr)
    patches = env.fake.requests("/events/", "PATCH")
    check([r["status"] for r in patches] == [412, 412], "one retry only", patches)
    check(env.fake.calendar()[0]["end"] == ev["end"], "the end must be unchanged", env.fake.calendar())


@test
def answers_in_the_zone_asked(env):
    """The fake applies Prefer: outlook.timezone to start and end; the sign asks for UTC and so
    reads the times right whatever the room's zone."""
    day = time.time() - time.time() % 86400
    env.fake.setup(events=[{"subject": "Standup", "start": iso(day + 9 * 3600), "end": iso(day + 9.5 * 3600)}])
    env.write_config(extra="")
    p = env.drive("list")
    check(p.returncode == 0 and "Standup" in p.stdout, "list failed", p.stdout, p.stderr)
    row = [l.split("\t") for l in p.stdout.splitlines() if "Standup" in l][0]
    check(row[1] == iso(day + 9 * 3600) and row[2] == iso(day + 9.5 * 3600), "times read wrong", row)
    views = env.fake.requests("calendarView")
    check(all('outlook.timezone="UTC"' in r["prefer"] for r in views), "the sign must ask for UTC", views)
    check(all((r["content_type"] or "").startswith("application/json") for r in env.fake.requests(method="POST")
              if "/v1.0/" in r["path"]), "JSON bodies are labelled application/json")


@test
def release_own_and_decline_other(env):
    now = time.time()
    env.fake.setup(events=[{"subject": "No-show", "start": iso(now - 900), "end": iso(now + 900),
                            "organizer": "Bob"}])
    env.write_config()
    other = env.fake.calendar()[0]["id"]
    p = env.drive("release", other)
    check(p.returncode == 0, "releasing someone else's meeting failed", p.stderr)
    declined = env.fake.actions("decline")
    check(len(declined) == 1 and declined[0]["body"]["sendResponse"] is True and declined[0]["body"]["comment"],
          "someone else's meeting was not declined with a reply", env.fake.actions())
    check(not env.fake.actions("delete"), "someone else's meeting was deleted")
    check(env.roomsign_cmd("book", "--minutes", "30").returncode == 0, "booking failed")
    mine = env.fake.calendar()[0]["id"]
    p = env.drive("release", mine)
    check(p.returncode == 0, "releasing our booking failed", p.stderr)
    check(len(env.fake.actions("delete")) == 1 and env.fake.calendar() == [], "our booking was not deleted",
          env.fake.actions())


# ---- other rooms --------------------------------------------------------------------------

@test
def get_schedule(env):
    now = time.time()
    env.fake.setup(events=[{"room": ROOM2, "subject": "Busy", "start": iso(now - 600), "end": iso(now + 1800)},
                           {"room": ROOM3, "subject": "Later", "start": iso(now + 3600), "end": iso(now + 7200)}])
    env.write_config(nearby=[ROOM2, ROOM3, "nowhere@contoso.test"])
    p = env.drive("free-busy")
    check(p.returncode == 0, "getSchedule failed", p.stderr)
    rows = {r[0]: r for r in (l.split("\t") for l in p.stdout.splitlines())}
    check(rows[ROOM2][1] == "ok" and abs(parse_iso(rows[ROOM2][2]) - (now + 1800)) < 2, "busy room", rows)
    check(rows[ROOM3][2] == "-" and abs(parse_iso(rows[ROOM3][3]) - (now + 3600)) < 2, "free room", rows)
    check(rows["nowhere@contoso.test"][1] == "unknown", "an unknown room looked free", rows)
    check(env.fake.requests("getSchedule", "POST"), "no getSchedule request")
    p = env.roomsign_cmd("check")
    check(f"nearby room {ROOM2}" in p.stdout and "busy until" in p.stdout, "check skips nearby rooms", p.stdout)


def free_busy_names(p):
    """The driver's free-busy rows: address -> the name the list shows ("-": the address)."""
    check(p.returncode == 0, "free/busy failed", p.stderr)
    return {r[0]: r[4] for r in (l.split("\t") for l in p.stdout.splitlines())}


@test
def nearby_names_from_room_list(env):
    """Find a room's names: the config's wins, the tenant's room list (GET /places/
    microsoft.graph.room, Place.Read.All) names the others, read once per source however often
    the list is shown, page by page (@odata.nextLink) only as far as needed."""
    env.fake.setup(permissions=["Place.Read.All"], settings={"places_page_size": 1})
    env.write_config(nearby=[f"Big Sund <{ROOM2}>", ROOM3, "nowhere@contoso.test"])
    names = free_busy_names(env.drive("free-busy", "3"))
    check(names == {ROOM2: "Big Sund", ROOM3: "Vig 5.01", "nowhere@contoso.test": "-"},
          "config name, room-list name, address", names)
    check(len(env.fake.requests("getSchedule", "POST")) == 3, "the list was asked for three times")
    pages = env.fake.requests("/places/microsoft.graph.room", "GET")
    check(len(pages) == 3 and all(r["status"] == 200 for r in pages),
          "the three one-room pages read once (nowhere is on none of them)", pages)
    env.write_config(nearby=[ROOM2])
    before = len(env.fake.requests("/places/"))
    check(free_busy_names(env.drive("free-busy")) == {ROOM2: "Sund 4.14"}, "named from the list")
    check(len(env.fake.requests("/places/")) - before == 2, "stopped at the page that named it",
          env.fake.requests("/places/"))


@test
def nearby_names_without_place_permission(env):
    """Without Place.Read.All the room list answers 403: the list shows addresses (and the
    config's names), fails nothing and does not ask again; roomsign check says what to grant."""
    env.fake.setup()
    env.write_config(nearby=[f"Big Sund <{ROOM2}>", ROOM3])
    p = env.drive("free-busy", "2")
    names = free_busy_names(p)
    check(names == {ROOM2: "Big Sund", ROOM3: "-"}, "the config's name, else the address", names)
    rows = {r[0]: r for r in (l.split("\t") for l in p.stdout.splitlines())}
    check(rows[ROOM3][1] == "ok", "free/busy still there", rows)
    pages = env.fake.requests("/places/")
    check([r["status"] for r in pages] == [403], "asked once, refused", pages)
    p = env.roomsign_cmd("check")
    check(p.returncode == 0, "an unknown name fails no check", p.stdout)
    line = [x for x in p.stdout.splitlines() if f"nearby room {ROOM3}: name" in x]
    check(line and line[0].startswith("✓") and "Place.Read.All" in line[0] and f"'Name <{ROOM3}>'" in line[0],
          "check says the name is unknown and how to get it", line, p.stdout)
    check(f"✓ nearby room {ROOM2}: name — \"Big Sund\" (from nearby_rooms)" in p.stdout.splitlines(),
          "the configured name", p.stdout)


@test
def check_nearby_room_outside_app_scope(env):
    """roomsign check walks the nearby rooms: the name each will show, and whether the app may
    open its calendar (Find a room books it). A room outside the app's RBAC scope / access
    policy is a ✗ with the fix; one inside is a ✓."""
    env.fake.setup(scope=[ROOM, ROOM2], permissions=["Place.Read.All"])
    env.write_config(nearby=[ROOM2, ROOM3])
    p = env.roomsign_cmd("check")
    lines = p.stdout.splitlines()
    check(p.returncode != 0, "a nearby room the sign cannot book fails the check", p.stdout)
    check(f"✓ nearby room {ROOM2}: name — \"Sund 4.14\" (from the tenant's room list)" in lines,
          "the name from the room list", p.stdout)
    check(any(x.startswith(f"✓ nearby room {ROOM2}: the sign may book it") for x in lines), "inside the scope",
          p.stdout)
    i = lines.index(f"✗ nearby room {ROOM3}: the sign may book it") if \
        f"✗ nearby room {ROOM3}: the sign may book it" in lines else -1
    check(i >= 0, "outside the scope is a ✗", p.stdout)
    fix = "\n".join(lines[i + 1:i + 8])
    for s in ("403 ErrorAccessDenied", "New-ManagementRoleAssignment", f"-Resource {ROOM3}", "Find a room"):
        check(s in fix, f"the fix says '{s}'", fix)
    reads = [r for r in env.fake.requests(f"/users/{ROOM3}/calendarView", "GET")]
    check(reads and reads[0]["status"] == 403, "asked Graph for that room's calendar, which refused", reads)
    env.fake.setup(permissions=["Place.Read.All"])
    p = env.roomsign_cmd("check")
    check(p.returncode == 0 and f"✓ nearby room {ROOM3}: the sign may book it" in p.stdout,
          "with the room in scope the check passes", p.stdout)


# ---- errors that speak --------------------------------------------------------------------

@test
def access_denied_scope(env):
    env.fake.setup(scope=[ROOM2])
    env.write_config()
    p = env.roomsign_cmd("check")
    out = p.stdout
    check(p.returncode != 0, "check passed outside the RBAC scope", out)
    for s in ("ErrorAccessDenied", "New-ManagementScope", f"New-ServicePrincipal -AppId {APP_ID}",
              f"New-ManagementRoleAssignment -App {APP_ID}", "-CustomResourceScope", "meaningless", "Entra"):
        check(s in out, f"check output lacks {s}", out)
    p = env.roomsign_cmd("agenda")
    check(p.returncode != 0 and "RBAC scope" in p.stderr, "agenda does not explain the 403", p.stderr)


@test
def read_only_role(env):
    env.fake.setup(role="read")
    env.write_config()
    p = env.roomsign_cmd("book", "--minutes", "30")
    check(p.returncode != 0 and "Application Calendars.ReadWrite" in p.stderr, "write refusal unexplained", p.stderr)
    p = env.roomsign_cmd("check", "--book-test")
    check(p.returncode != 0 and "✗ test booking" in p.stdout, "check --book-test passed read-only", p.stdout)


@test
def mailbox_not_found(env):
    env.fake.setup()
    env.write_config(mailbox="room-9-99@contoso.test")
    p = env.roomsign_cmd("check")
    check(p.returncode != 0 and "no mailbox room-9-99@contoso.test" in p.stdout, "404 unexplained", p.stdout)


@test
def mailbox_not_rest(env):
    env.fake.setup(rooms=[{"address": ROOM, "tenant": TENANT_ID, "rest": False}])
    env.write_config()
    p = env.roomsign_cmd("check")
    check(p.returncode != 0 and "MailboxNotEnabledForRESTAPI" in p.stdout and "on-premises" in p.stdout,
          "MailboxNotEnabledForRESTAPI unexplained", p.stdout)


@test
def throttled_retry_after(env):
    """429 then 503, each with Retry-After: 2: waited for, then the read succeeds."""
    env.fake.setup()
    env.write_config()
    env.fake.admin("faults", [{"match": "calendarView", "kind": "429", "retry_after": 2},
                              {"match": "calendarView", "kind": "503", "retry_after": 2}])
    p = env.roomsign_cmd("agenda")
    check(p.returncode == 0, "agenda failed after throttling", p.stderr)
    reqs = env.fake.requests("calendarView")
    check([r["status"] for r in reqs] == [429, 503, 200], "unexpected sequence", reqs)
    check(reqs[1]["t"] - reqs[0]["t"] >= 1.9 and reqs[2]["t"] - reqs[1]["t"] >= 1.9,
          "Retry-After not honoured", reqs)


@test
def throttled_long(env):
    """A Retry-After longer than the sign waits inline: fail fast, saying when to retry."""
    env.fake.setup()
    env.write_config()
    env.fake.admin("faults", [{"match": "calendarView", "kind": "429", "retry_after": 120, "count": 5}])
    p = env.roomsign_cmd("agenda")
    check(p.returncode != 0 and "120 s" in p.stderr and p.elapsed < 10, "long throttling not handed back",
          p.stderr, p.elapsed)


@test
def fault_count_forever(env):
    """count -1 means every request, as in the fake EWS: the read fails however often it is retried."""
    env.fake.setup()
    env.write_config()
    env.fake.admin("faults", [{"match": "calendarView", "kind": "500", "count": -1}])
    p = env.roomsign_cmd("agenda")
    check(p.returncode != 0, "agenda succeeded through a permanent fault", p.stdout, p.stderr)
    reqs = env.fake.requests("calendarView")
    check(len(reqs) >= 2 and all(r["status"] == 500 for r in reqs), "every read must meet the fault", reqs)


@test
def server_faults(env):
    """500 and a truncated answer are retried; a garbage answer is reported, not parsed."""
    env.fake.setup(events=[{"subject": "One", "start": iso(time.time()), "end": iso(time.time() + 60)}])
    env.write_config()
    env.fake.admin("faults", [{"match": "calendarView", "kind": "500"},
                              {"match": "calendarView", "kind": "truncated"}])
    p = env.roomsign_cmd("agenda")
    check(p.returncode == 0 and "One" in p.stdout, "500/truncated not retried", p.stderr)
    env.fake.admin("faults", [{"match": "calendarView", "kind": "garbage"}])
    p = env.roomsign_cmd("agenda")
    check(p.returncode != 0 and "Microsoft Graph sent" in p.stderr, "garbage not reported", p.stderr)


@test
def check_book_test(env):
    env.fake.setup(events=[{"subject": "Now", "start": iso(time.time() - 60), "end": iso(time.time() + 600)}])
    env.write_config(nearby=[ROOM2])
    p = env.roomsign_cmd("check", "--book-test")
    check(p.returncode == 0 and "All checks passed" in p.stdout, "check --book-test failed", p.stdout)
    for s in ("sign in to Entra ID", "read the room's calendar", "test booking: create",
              "test booking: shorten", "test booking: delete"):
        check(s in p.stdout, f"check output lacks '{s}'", p.stdout)
    check([e["subject"] for e in env.fake.calendar()] == ["Now"], "the test booking was left behind",
          env.fake.calendar())
    # The same test booking in the nearby room, as Find a room would book it.
    for s in ("nearby room %s: test booking: create" % ROOM2, "nearby room %s: test booking: delete" % ROOM2):
        check(s in p.stdout, f"check output lacks '{s}'", p.stdout)
    check(env.fake.calendar(ROOM2) == [], "the nearby room's test booking was left behind", env.fake.calendar(ROOM2))
    for room in (ROOM, ROOM2):
        acts = [a["action"] for a in env.fake.actions() if a.get("room", room).lower() == room.lower()]
        check(acts == ["create", "update", "delete"], "unexpected actions in %s" % room, env.fake.actions())
    no_secrets(p)


@test
def check_book_test_app_may_only_read(env):
    """An app whose role only reads passes the read of every calendar but not the test booking:
    --book-test says so for the sign's room and for the nearby room, which Find a room offers."""
    env.fake.setup(role="read")
    env.write_config(nearby=[ROOM2])
    p = env.roomsign_cmd("check", "--book-test")
    check(p.returncode != 0 and "✓ nearby room %s: the sign may book it" % ROOM2 in p.stdout and
          "✗ nearby room %s: test booking: create" % ROOM2 in p.stdout, "the nearby room's booking is refused",
          p.stdout)
    check(env.fake.calendar(ROOM2) == [], "nothing made in the nearby room", env.fake.calendar(ROOM2))


FIX = f"Set-CalendarProcessing -Identity {ROOM} -DeleteSubject $false -AddOrganizerToSubject $false"


def meetings_through_processing(env, settings, extra=()):
    """Meetings other people book over the next days, through the room's calendar processing (the
    fake's settings), plus a private one (never judged)."""
    now = time.time() - time.time() % 60
    events = [{"subject": subject, "organizer": name, "organizer_address": name.split()[0].lower() + "@contoso.test",
               "start": iso(now + 3600 + i * 86400), "end": iso(now + 5400 + i * 86400)}
              for i, (subject, name) in enumerate((("Q3 review", "Bo Ek"), ("Budget", "Anna Berg"),
                                                   ("Retro", "Carl Dahl")))]
    events.append({"subject": "Salary talks", "sensitivity": "private", "organizer": "Eva",
                   "start": iso(now + 7200), "end": iso(now + 7800)})
    env.fake.setup(events=events + list(extra), settings=settings)
    env.write_config()


def subjects_step(p):
    """The check's "meeting subjects" line with the indented lines of its fix."""
    lines = p.stdout.splitlines()
    for i, line in enumerate(lines):
        if "meeting subjects" in line and line[:1] in "✓✗":
            end = i + 1
            while end < len(lines) and lines[end].startswith("    "):
                end += 1
            return "\n".join(lines[i:end])
    raise TestFailure("no 'meeting subjects' step in:\n" + p.stdout)


@test
def check_stripped_subjects_prints_calendar_processing_fix(env):
    """Exchange Online's default AddOrganizerToSubject: every meeting is stored under its
    organizer's name; `check` prints the Set-CalendarProcessing line for the configured room."""
    meetings_through_processing(env, {"add_organizer_to_subject": True})
    stored = {e["subject"] for e in env.fake.calendar()}
    check({"Bo Ek", "Anna Berg", "Carl Dahl"} <= stored and "Q3 review" not in stored,
          "the fake's room did not replace the subjects", stored)
    p = env.roomsign_cmd("check")
    check(p.returncode != 0, "stripped subjects are a problem to fix", p.stdout)
    fix = subjects_step(p)
    check(fix.startswith("✗") and FIX in fix and "-RemovePrivateProperty $false" in fix, "no fix for this room", fix)
    check("private flag" in fix and "Exchange Online PowerShell" in fix, "the flag or the shell unexplained", fix)
    no_secrets(p)


@test
def check_normal_subjects_gives_no_exchange_advice(env):
    """Subjects as the organizers wrote them (one without a subject among them): no advice."""
    meetings_through_processing(env, {}, extra=[{"subject": "", "organizer": "Bo Ek", "start": iso(time.time() + 4 * 86400),
                                                 "end": iso(time.time() + 4 * 86400 + 1800)}])
    p = env.roomsign_cmd("check")
    check(p.returncode == 0 and "All checks passed" in p.stdout, "check failed", p.stdout)
    check("Set-CalendarProcessing" not in p.stdout + p.stderr, "Exchange advice for normal subjects", p.stdout)
    check(subjects_step(p).startswith("✓"), "the subjects were not judged", p.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name", choices=sorted(TESTS) + ["list"])
    ap.add_argument("--roomsign")
    ap.add_argument("--driver")
    ap.add_argument("--fakes")
    ap.add_argument("--work")
    args = ap.parse_args()
    if args.name == "list":
        print(";".join(sorted(TESTS)))
        return 0
    env = Env(args, args.name)
    try:
        TESTS[args.name](env)
    except TestFailure as e:
        print(f"FAIL graph.{args.name}: {e}")
        print(f"(work directory: {env.work}; see commands.log and graph_fake.log)")
        return 1
    finally:
        env.close()
    print(f"PASS graph.{args.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
