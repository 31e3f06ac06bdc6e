#!/usr/bin/python3
"""A fake Exchange EWS endpoint for roomsign's tests (stdlib only).

  fake_ews.py --port-file FILE [--seed seed.json] [--cert server.pem --key server.key]

Binds 127.0.0.1 on a free port (written to FILE once listening). EWS at POST /EWS/Exchange.asmx
behind Basic, NTLM (NTLMv2 verified, connection-based like IIS), Negotiate (Kerberos through
python3-gssapi with the keytab in KRB5_KTNAME, the client principal mapped to the account whose
"principal" it is: see negotiate.py) and Bearer; the control interface (no auth) at /_admin/:
  POST /_admin/seed      {accounts, rooms, events, settings}   replace everything; rooms[]: primary,
                         name (the display name ResolveNames answers, and what a management
                         scope's filter matches), aliases, hidden (from the address lists)
  POST /_admin/settings  {...}   merge: max_version, max_concurrency, backoff_ms, find_count_limit,
                                 delay_ms, delay_ms_ops {op: ms}, barrier_ops {op: n},
                                 auth [NTLM, Basic, Bearer, Negotiate]
                                 throttle ("exchange": the documented default policy, below),
                                 max_inflight, outage (true: every EWS request gets 503),
                                 add_organizer_to_subject, delete_subject, remove_private_property
                                 (the room's Set-CalendarProcessing, applied to events other
                                 people organise as they are added: see ews_store.process_request)
  POST /_admin/faults    [{"kind": K, "count": n, "ops": [...], "backoff_ms": b, "delay_ms": d}]
         K: 500 | 503 | slow | truncated | garbage | drop | busy
  POST /_admin/event     {"room": ..., "subject": ..., "start": ..., "end": ...}  -> {"id", "changekey"}
  POST /_admin/events    [{...}, ...]   the same for many events at once
  POST /_admin/touch     {"room": ..., "id": ...}   someone else edits the item: new ChangeKey
  POST /_admin/move      {"room": ..., "id": ..., "start": ISO, "end": ISO}   moved in Outlook: new times
                         and a new ChangeKey (single items)
  POST /_admin/delete    {"room": ..., "id": ...}   deleted in Outlook
  POST /_admin/drop_subscriptions   the server loses every streaming subscription (failover)
  Streaming notifications (Subscribe, GetStreamingEvents, Unsubscribe): see ews_notify.py; every
  change above, and the sign's own creates / updates / deletes, notify the room's subscriptions.
  GET  /_admin/calendar?room=ADDR    the calendar, expanded, as JSON
  GET  /_admin/log       every EWS request: op, version, account, impersonated room, anchor, auth,
                         HTTP version, status, ResponseCode, time
  GET  /_admin/sent      creates, updates, deletes (silent ones flagged) and declines
  GET  /_admin/sent_mail messages sent with CreateItem (t:Message, SendOnly or SendAndSaveCopy):
                         from (the mailbox acted on), to, cc, bcc, subject, body, body_type,
                         disposition, time
  GET  /_admin/kerberos  refused Kerberos tokens and principals, with the GSS-API's reason
  GET  /_admin/throttle  {"policy", "max_concurrency", "max_inflight", "peak": {budget: n},
                         "peak_inflight", "throttled": n}   what the throttling saw

Throttling. Without `throttle` the fake keeps its old rule: max_concurrency requests at once per
signed-in account. `--throttle exchange` (or FAKE_EWS_THROTTLE=exchange, or settings throttle = "exchange") applies Exchange's
default policy as documented (ews-throttling-in-exchange.md; the Exchange dev blog "More
throttling changes for Exchange Online", 2012): EWSMaxConcurrency 27; an impersonated request is
charged to a copy of the *target mailbox's* budget (shared by every service account that
impersonates it), a request without impersonation to the service account's own budget. The
request over the limit gets HTTP 500 with an ErrorServerBusy SOAP fault whose MessageXml carries
BackOffMilliseconds (and Policy / MaxConcurrencyLimit / ErrorMessage, as Exchange Online words
it). More than max_inflight requests in the server at once (requests queuing in IIS) get HTTP 503.
  GET  /_admin/auth_failures  every refused sign-in (wrong password, NTLM response, ticket or token;
                         not the bare challenge): [{"t", "scheme", "user"}], as AD would count them
"""

import argparse
import base64
import json
import os
import socket
import ssl
import sys
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ews_notify  # noqa: E402
import negotiate  # noqa: E402
import ntlm  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testclock  # noqa: E402,F401  (ROOMSIGN_TEST_NOW: the harness's pinned clock)
from ews_ops import OPERATIONS, response_code  # noqa: E402
from ews_store import VERSIONS, EwsError, Store, child, envelope, escape, fault_xml, local, message, parse_time, response  # noqa: E402

STORE = Store()
AUTH_FAILURES = []  # refused sign-ins, for /_admin/auth_failures (kept across seeds)
INFLIGHT = {}
INFLIGHT_LOCK = threading.Lock()
THROTTLE = {"peak": {}, "peak_inflight": 0, "inflight": 0, "throttled": 0}
BARRIER = threading.Condition()
ARRIVED = {}


def barrier(op):
    """settings.barrier_ops {op: n}: the first n requests of op wait for each other (up to 10 s),
    so tests can make two clients pass the same point together."""
    n = int(STORE.settings.get("barrier_ops", {}).get(op, 0))
    with BARRIER:
        seen = ARRIVED.get(op, 0)
        if seen >= n:
            return
        ARRIVED[op] = seen + 1
        BARRIER.notify_all()
        BARRIER.wait_for(lambda: ARRIVED[op] >= n, timeout=10)


class DropConnection(Exception):
    pass


def budget_fault(limit, backoff_ms):
    """The answer over EWSMaxConcurrency: a SOAP fault, ErrorServerBusy, with the back-off hint and
    the policy part in MessageXml, the way Exchange Online reports it (ews-managed-api#293)."""
    text = ("This operation exceeds the throttling budget for policy part 'MaxConcurrency', policy value '%d', "
            "Budget type: 'Ews'.  Suggested backoff time %d ms." % (limit, backoff_ms))
    values = [("BackOffMilliseconds", str(backoff_ms)), ("Policy", "MaxConcurrency"),
              ("MaxConcurrencyLimit", str(limit)), ("ErrorMessage", text)]
    xml = fault_xml(EwsError("ErrorServerBusy", "You have exceeded the available concurrent connections for "
                             "your account.  Try again once your other requests have completed.", True, backoff_ms))
    extra = "".join('<t:Value Name="%s">%s</t:Value>' % (k, escape(v)) for k, v in values[1:])
    return xml.replace("</t:MessageXml>", extra + "</t:MessageXml>")


def budget_key(acct, imp):
    """Whose EWSMaxConcurrency budget a request spends. Under the documented policy an
    impersonated request spends the target mailbox's (service-account copy), anything else the
    caller's own; the old rule of this fake charges the caller always."""
    if STORE.settings.get("throttle") == "exchange" and imp is not None:
        return "mailbox:" + imp.text.strip().lower()
    return "account:" + acct["name"].lower()


def server_enter():
    """Counts a request into the server; False when more than max_inflight are inside (IIS queues:
    503). Only under the documented policy."""
    with INFLIGHT_LOCK:
        THROTTLE["inflight"] += 1
        THROTTLE["peak_inflight"] = max(THROTTLE["peak_inflight"], THROTTLE["inflight"])
        limit = STORE.settings.get("max_inflight")
        return not (STORE.settings.get("throttle") == "exchange" and limit and THROTTLE["inflight"] > int(limit))


def server_leave():
    with INFLIGHT_LOCK:
        THROTTLE["inflight"] -= 1


# Operations on a mailbox's items: Exchange acts on the caller's own mailbox without
# ExchangeImpersonation, and a service account has none (ErrorMissingEmailAddress). GetFolder
# stays allowed without it: `roomsign check` signs in with it before impersonating.
ITEM_OPS = ("FindItem", "CreateItem", "UpdateItem", "DeleteItem", "GetItem", "GetUserAvailabilityRequest",
            "Subscribe", "GetStreamingEvents", "Unsubscribe")


def check_header(op, version_el, imp_el, imp, anchor):
    """The SOAP header and X-AnchorMailbox, as Exchange requires them of a sign: raises EwsError."""
    if version_el is None or not version_el.get("Version"):
        raise EwsError("ErrorSchemaValidation", "The request failed schema validation: The required element "
                       "'RequestServerVersion' (with its Version attribute) is missing.", True)
    if imp_el is not None and (imp is None or not (imp.text or "").strip()):
        raise EwsError("ErrorInvalidExchangeImpersonationHeaderData", "ExchangeImpersonation SOAP header must be "
                       "present for this type of OAuth token.", True)
    if imp is None:
        if op in ITEM_OPS:
            raise EwsError("ErrorMissingEmailAddress", "When making a request as an account that does not have a "
                           "mailbox, you must specify the mailbox primary SMTP address for any distinguished "
                           "folder Ids.", True)
        return
    # Microsoft: without the anchor, impersonated calls fail now and then (500/503, timeouts);
    # the fake fails them every time, and names the rule.
    if (anchor or "").strip().lower() != imp.text.strip().lower():
        raise EwsError("ErrorInvalidRequest", "The request is invalid: X-AnchorMailbox (%s) must name the "
                       "impersonated mailbox (%s)." % (anchor or "missing", imp.text.strip()), True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""
    auth_reply = ()          # headers for the next answer: the Kerberos mutual-auth token

    def log_message(self, fmt, *args):
        if os.environ.get("FAKE_EWS_VERBOSE"):
            sys.stderr.write("fake-ews: " + fmt % args + "\n")

    # --- plumbing --------------------------------------------------------------------------
    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, status, body=b"", ctype="text/xml; charset=utf-8", headers=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        headers, self.auth_reply = list(headers) + list(self.auth_reply), ()
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.sent_bytes = getattr(self, "sent_bytes", 0) + len(body)

    def _json(self, obj, status=200):
        self._send(status, json.dumps(obj, indent=1), "application/json")

    # --- admin -----------------------------------------------------------------------------
    def _admin(self, method, body):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        data = json.loads(body or b"null") if method == "POST" else None
        with STORE.lock:
            if url.path == "/_admin/seed":
                STORE.reset(data)
                ews_notify.reset()
                negotiate.REFUSALS.clear()
                return self._json({"ok": True})
            if url.path == "/_admin/settings":
                STORE.settings.update(data)
                return self._json(STORE.settings)
            if url.path == "/_admin/faults":
                for f in data:
                    f.setdefault("count", 1)
                    STORE.faults.append(f)
                return self._json({"ok": True})
            if url.path == "/_admin/event":
                item = STORE.add_event(data)
                ews_notify.notify(item.room.primary, "created", item.id)
                return self._json({"id": item.id, "changekey": item.ck})
            if url.path == "/_admin/delete":
                room = STORE.resolve(data["room"], primary_only=False)
                del room.items[STORE.find_view(room, data["id"])["item"].id]
                ews_notify.notify(room.primary, "deleted", data["id"])
                return self._json({"ok": True})
            if url.path == "/_admin/drop_subscriptions":
                ews_notify.drop_all()
                return self._json({"ok": True})
            if url.path == "/_admin/events":    # many at once (the fleet benchmark)
                items = [STORE.add_event(e) for e in data]
                return self._json([{"id": i.id, "changekey": i.ck} for i in items])
            if url.path == "/_admin/touch":
                room = STORE.resolve(data["room"], primary_only=False)
                v = STORE.find_view(room, data["id"])
                if v["index"] is None:
                    v["item"].bump()
                    ck = v["item"].ck
                else:
                    ex = v["item"].exceptions.setdefault(v["index"], {})
                    ex["ck"] = ck = v["item"].new_ck()
                ews_notify.notify(room.primary, "modified", data["id"])
                return self._json({"id": data["id"], "changekey": ck})
            if url.path == "/_admin/move":
                room = STORE.resolve(data["room"], primary_only=False)
                item = STORE.find_view(room, data["id"])["item"]
                item.start, item.end = parse_time(data["start"]), parse_time(data["end"])
                item.bump()
                ews_notify.notify(room.primary, "modified", data["id"])
                return self._json({"id": data["id"], "changekey": item.ck})
            if url.path == "/_admin/calendar":
                return self._json(STORE.dump(q["room"][0]))
            if url.path == "/_admin/log":
                return self._json(STORE.log)
            if url.path == "/_admin/sent":
                return self._json(STORE.sent)
            if url.path == "/_admin/sent_mail":
                with STORE.lock:
                    return self._json(list(STORE.sent_mail))
            if url.path == "/_admin/auth_failures":
                with STORE.lock:
                    return self._json(list(AUTH_FAILURES))
            if url.path == "/_admin/throttle":
                with INFLIGHT_LOCK:
                    return self._json({"policy": STORE.settings.get("throttle"),
                                       "max_concurrency": STORE.settings["max_concurrency"],
                                       "max_inflight": STORE.settings.get("max_inflight"),
                                       "peak": dict(THROTTLE["peak"]), "peak_inflight": THROTTLE["peak_inflight"],
                                       "throttled": THROTTLE["throttled"]})
            if url.path == "/_admin/kerberos":
                return self._json(negotiate.REFUSALS)
        self._json({"error": "no such admin path"}, 404)

    def do_GET(self):
        if self.path.startswith("/_admin/"):
            return self._admin("GET", None)
        # IIS answers a GET on the EWS URL (after auth) with a page; enough for "is it there".
        self._read_body()
        if self._authenticate() is None:
            return
        self._send(200, "<html><body>You have created a service.</body></html>", "text/html")

    # --- authentication ----------------------------------------------------------------------
    def _challenge(self, extra=None):
        methods = STORE.settings.get("auth", [])
        hdrs = []
        if extra:
            hdrs.append(("WWW-Authenticate", extra))
        else:
            if "Negotiate" in methods:
                hdrs.append(("WWW-Authenticate", "Negotiate"))
            if "NTLM" in methods:
                hdrs.append(("WWW-Authenticate", "NTLM"))
            if "Basic" in methods:
                hdrs.append(("WWW-Authenticate", 'Basic realm="mail.example.test"'))
            if "Bearer" in methods:
                hdrs.append(("WWW-Authenticate", 'Bearer client_id="00000002-0000-0ff1-ce00-000000000000"'))
        self.close_connection = False
        self._send(401, "<html><body>401 - Unauthorized</body></html>", "text/html", hdrs)
        return None

    def _refused(self, scheme, user):
        """A sign-in with wrong credentials: counted (Active Directory counts these toward a
        lockout), then the challenge again."""
        with STORE.lock:
            AUTH_FAILURES.append({"t": time.time(), "scheme": scheme, "user": user})
        return self._challenge()

    def _authenticate(self):
        """Returns (account, scheme) or None after answering 401."""
        h = self.headers.get("Authorization")
        methods = STORE.settings.get("auth", [])
        if not h:
            acct = getattr(self, "ntlm_account", None)
            return (acct, "NTLM") if acct else self._challenge()
        scheme, _, data = h.partition(" ")
        scheme_l = scheme.lower()
        if scheme_l == "basic" and "Basic" in methods:
            try:
                user, _, pw = base64.b64decode(data).decode("utf-8").partition(":")
            except ValueError:
                return self._challenge()
            acct = STORE.find_account(user)
            if acct and acct.get("password") == pw and not acct.get("disabled"):
                return acct, "Basic"
            return self._refused("Basic", user)
        if scheme_l == "bearer" and "Bearer" in methods:
            for acct in STORE.accounts.values():
                if acct.get("token") and acct["token"] == data.strip():
                    return acct, "Bearer"
            return self._refused("Bearer", None)
        if scheme_l == "negotiate" and "Negotiate" in methods:
            try:
                token = base64.b64decode(data)
            except ValueError:
                return self._challenge()
            if not negotiate.is_ntlm(token):
                return self._kerberos(token)
        if scheme_l in ("ntlm", "negotiate") and ("NTLM" in methods or "Negotiate" in methods):
            try:
                token = base64.b64decode(data)
            except ValueError:
                return self._challenge()
            kind = ntlm.message_type(token)
            if kind == 1:
                self.ntlm_challenge, msg = ntlm.challenge(STORE.settings["domain"], "EXCH01")
                return self._challenge("%s %s" % (scheme, base64.b64encode(msg).decode()))
            if kind == 3 and getattr(self, "ntlm_challenge", None):
                try:
                    auth = ntlm.parse_authenticate(token)
                except (ValueError, IndexError):
                    return self._challenge()
                acct = STORE.find_account(auth["user"])
                challenge, self.ntlm_challenge = self.ntlm_challenge, None
                if acct and not acct.get("disabled") and ntlm.verify_v2(auth, challenge, acct["password"]):
                    self.ntlm_account = acct
                    return acct, "NTLM"
                return self._refused("NTLM", auth["user"])
            return self._challenge()
        return self._challenge()

    def _kerberos(self, token):
        try:
            principal, reply = negotiate.accept(token)
        except negotiate.Refused as e:
            negotiate.refused(None, str(e))
            return self._refused("Negotiate", None)
        acct = negotiate.account_for(STORE, principal)
        if acct is None:
            negotiate.refused(principal, "no account has this principal")
            return self._refused("Negotiate", principal)
        if reply:       # mutual authentication, as IIS answers
            self.auth_reply = [("WWW-Authenticate", "Negotiate " + base64.b64encode(reply).decode())]
        return acct, "Negotiate"

    # --- faults --------------------------------------------------------------------------------
    def _take_fault(self, op):
        with STORE.lock:
            for f in STORE.faults:
                if f["count"] != 0 and (not f.get("ops") or op in f["ops"]):
                    if f["count"] > 0:
                        f["count"] -= 1
                    return dict(f)
        return None

    def _apply_fault(self, f, ok_body):
        kind = str(f["kind"])
        if kind == "500":
            self._send(500, "<html><body>500 - Internal server error.</body></html>", "text/html")
        elif kind == "503":
            hdrs = [("Retry-After", str(f["retry_after"]))] if "retry_after" in f else []
            self._send(503, "<html><body>Service Unavailable</body></html>", "text/html", hdrs)
        elif kind == "garbage":
            self._send(200, "<html><head><title>Outlook</title></head><body>sign in<p>", "text/html")
        elif kind == "truncated":
            body = ok_body()
            self._send(200, body[:len(body) // 2])
        elif kind == "drop":
            raise DropConnection()
        elif kind == "busy":
            self._send(500, fault_xml(EwsError("ErrorServerBusy", "The server cannot service this request right "
                                               "now. Try again later.", True, f.get("backoff_ms"))))
        elif kind == "slow":
            time.sleep(f.get("delay_ms", 5000) / 1000.0)
            self._send(200, ok_body())

    # --- EWS -----------------------------------------------------------------------------------
    def do_POST(self):
        if self.path.startswith("/_admin/"):
            return self._admin("POST", self._read_body())
        body = self._read_body()
        entry = {"t": time.time(), "path": self.path, "http_version": self.request_version,
                 "anchor": self.headers.get("X-AnchorMailbox"), "content_type": self.headers.get("Content-Type")}
        self.sent_bytes = 0
        inside = server_enter()
        try:
            if STORE.settings.get("outage") or not inside:
                # The application pool is down, or requests queue in IIS: http.sys answers 503.
                entry.update(op="(unavailable)", status=503, throttled="outage" if inside else "overload")
                self.close_connection = True
                self._send(503, "<html><body>HTTP Error 503. The service is unavailable.</body></html>", "text/html")
                return
            self._post(body, entry)
        except DropConnection:
            entry["status"] = "dropped"
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        finally:
            server_leave()
            entry["bytes"] = self.sent_bytes      # body bytes the client received (benchmarks)
            if "op" in entry and not entry.get("logged"):
                with STORE.lock:
                    STORE.log.append(entry)

    def _post(self, body, entry):
        if urlparse(self.path).path.lower() != "/ews/exchange.asmx":
            self._send(404, "<html><body>404 - File or directory not found.</body></html>", "text/html")
            return
        who = self._authenticate()
        if who is None:
            return
        acct, scheme = who
        entry.update(account=acct["name"], auth=scheme)
        try:
            root = ET.fromstring(body)
        except ET.ParseError as e:
            entry.update(op="(unparsable)", code="ErrorSchemaValidation", status=500)
            self._send(500, fault_xml(EwsError("ErrorSchemaValidation", "The request failed schema "
                                               "validation: %s" % e, True)))
            return
        header = child(root, "Header")
        body_el = child(root, "Body")
        op_el = body_el[0] if body_el is not None and len(body_el) else None
        op = local(op_el) if op_el is not None else "(none)"
        version_el = child(header, "RequestServerVersion")
        version = version_el.get("Version") if version_el is not None else None
        imp = child(child(child(header, "ExchangeImpersonation"), "ConnectingSID"), "PrimarySmtpAddress")
        if imp is None:
            imp = child(child(child(header, "ExchangeImpersonation"), "ConnectingSID"), "SmtpAddress")
        entry.update(op=op, version=version, impersonated=imp.text if imp is not None else None)
        try:
            check_header(op, version_el, child(header, "ExchangeImpersonation"), imp, entry["anchor"])
        except EwsError as err:
            entry.update(status=500, code=err.code)
            self._send(500, fault_xml(err))
            return
        fault = self._take_fault(op)
        if fault and fault["kind"] not in ("slow", "truncated"):
            entry.update(status="fault:" + str(fault["kind"]))
            return self._apply_fault(fault, None)
        if op == "GetStreamingEvents":
            return self._stream(acct, op_el, version, imp, entry)
        status, xml = self._dispatch(acct, op, op_el, version, imp)
        entry.update(status=status, code=response_code(xml))
        if fault:
            entry["status"] = "fault:" + str(fault["kind"])
            return self._apply_fault(fault, lambda: xml)
        self._send(status, xml)

    def _dispatch(self, acct, op, op_el, version, imp):
        name = budget_key(acct, imp)
        limit = int(STORE.settings["max_concurrency"])
        with INFLIGHT_LOCK:
            INFLIGHT[name] = INFLIGHT.get(name, 0) + 1
            busy = INFLIGHT[name] > limit
            THROTTLE["peak"][name] = max(THROTTLE["peak"].get(name, 0), INFLIGHT[name])
            THROTTLE["throttled"] += busy
        try:
            if busy and STORE.settings.get("throttle") == "exchange":
                return 500, budget_fault(limit, int(STORE.settings.get("backoff_ms") or 0))
            if busy:
                # EWSMaxConcurrency exceeded (the old rule: per account, impersonation or not).
                raise EwsError("ErrorServerBusy", "The server cannot service this request right now. "
                               "Try again later.", True, STORE.settings.get("backoff_ms"))
            if version is not None and (version not in VERSIONS or
                                        VERSIONS.index(version) > VERSIONS.index(STORE.settings["max_version"])):
                raise EwsError("ErrorInvalidServerVersion", "The specified server version is invalid.", True)
            handler = OPERATIONS.get(op)
            if handler is None and op not in STREAM_OPS:
                raise EwsError("ErrorInvalidRequest", "The request is invalid.", True)
            with STORE.lock:
                room = STORE.impersonate(acct, imp.text) if imp is not None else STORE.own_mailbox(acct)
            barrier(op)
            delay = float(STORE.settings.get("delay_ms_ops", {}).get(op, STORE.settings.get("delay_ms", 0))) / 1000.0
            if delay:
                time.sleep(delay)
            if op in STREAM_OPS:
                return 200, envelope(STREAM_OPS[op](STORE, room, op_el, acct))
            body = handler(STORE, room, op_el)
            if op in CHANGES and "ResponseClass=\"Success\"" in body:
                ews_notify.notify(room.primary, CHANGES[op], "?")
            return 200, envelope(body)
        except EwsError as err:
            if err.fault or (op not in OPERATIONS and op not in STREAM_OPS) or op.endswith("Request"):
                return 500, fault_xml(err)
            return 200, envelope(response(op, [message(op, "", err)]))
        finally:
            with INFLIGHT_LOCK:
                INFLIGHT[name] -= 1


    def _stream(self, acct, op_el, version, imp, entry):
        """GetStreamingEvents: a chunked HTTP/1.1 answer, one envelope per chunk, written as each
        message becomes due (see ews_notify.py). Errors before the stream starts get a whole answer."""
        try:
            if version not in VERSIONS or VERSIONS.index(version) < VERSIONS.index("Exchange2010_SP1"):
                raise EwsError("ErrorInvalidServerVersion", "GetStreamingEvents needs Exchange2010_SP1 or later.",
                               True)
            with STORE.lock:
                room = STORE.impersonate(acct, imp.text) if imp is not None else STORE.own_mailbox(acct)
            sub_id, timeout_s = ews_notify.open_stream(STORE, room, op_el, acct)
        except EwsError as err:
            xml = fault_xml(err) if err.fault else envelope(response("GetStreamingEvents",
                                                                      [message("GetStreamingEvents", "", err)]))
            entry.update(status=500 if err.fault else 200, code=err.code)
            return self._send(500 if err.fault else 200, xml)
        entry.update(status=200, code="NoError", logged=True)
        with STORE.lock:
            STORE.log.append(entry)
        buffered = bool(STORE.settings.get("stream_buffered"))
        held = []
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            for part in ews_notify.messages(STORE, sub_id, timeout_s):
                if part is None:
                    continue
                data = part.encode("utf-8")
                entry["messages"] = entry.get("messages", 0) + 1
                if buffered:
                    held.append(data)        # a proxy that forwards the answer only when it is whole
                    continue
                self._chunk(data)
            for data in held:
                self._chunk(data)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            self.close_connection = True      # the client hung up
        finally:
            ews_notify.close_stream(acct, sub_id)
            entry["ended"] = time.time()
            entry["bytes"] = self.sent_bytes

    def _chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()
        self.sent_bytes = getattr(self, "sent_bytes", 0) + len(data)


STREAM_OPS = {"Subscribe": ews_notify.subscribe, "Unsubscribe": ews_notify.unsubscribe}
CHANGES = {"CreateItem": "created", "UpdateItem": "modified", "DeleteItem": "deleted"}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    ssl_context = None
    request_queue_size = 256    # listen backlog: a fleet connects at once (socketserver's 5 drops them)

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the connection's own thread, so a client that rejects our
        # certificate cannot stall the accept loop.
        if self.ssl_context is not None:
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--seed")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--throttle", choices=["exchange"], help="Exchange's documented default throttling policy")
    args = ap.parse_args()
    STORE.throttle = args.throttle or os.environ.get("FAKE_EWS_THROTTLE")
    STORE.reset({})
    if args.seed:
        with open(args.seed, encoding="utf-8") as f:
            STORE.reset(json.load(f))
    srv = Server(("127.0.0.1", 0), Handler)
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        srv.ssl_context = ctx
    tmp = args.port_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(str(srv.server_address[1]))
    os.replace(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
