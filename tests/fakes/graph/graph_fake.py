#!/usr/bin/python3
"""A fake Microsoft Entra ID token endpoint and Microsoft Graph server, over HTTPS, for tests.

  graph_fake.py --cert DIR/server.pem --key DIR/server.key --port-file FILE [--port 0]

Token endpoint: POST /{tenant}/oauth2/v2.0/token (client secret or JWT client assertion, checked:
signature against the app's uploaded certificate, aud, iss, sub, nbf, exp, jti replay).
Graph: /v1.0/users/{room}/calendarView, /calendarView/delta, /events, /events/{id}[/decline|/cancel],
/calendar/getSchedule, /sendMail; /v1.0/places/microsoft.graph.room (the tenant's room list, with
Place.Read.All). See graph_store.py for what is modelled.

Control, no auth, on the same port (JSON):
  POST /_admin/setup      {tenants, apps, rooms, events, settings}   replaces everything; rooms[]:
                          address, tenant, name (its display name on the room list), hidden (from
                          the address list: not on it), rest; settings.places_page_size (100)
  POST /_admin/events     {room, events: [...]} (or a list of them)   adds events
  POST /_admin/settings   {token_lifetime, expires_in, page_size, max_page_size,
                           barrier: {match, method, parties}}  the first `parties` matching
                           requests wait for each other (up to 10 s): two signs pass together
  POST /_admin/faults     [{match, method, kind, count, retry_after, delay, process}]
        kind: 429 | 500 | 503 | slow | truncated | garbage | drop
        count: how many requests it hits (default 1); -1: every one, as in the fake EWS
  POST /_admin/after_create {room, event}   someone else books right after the next create
  POST /_admin/touch_before {method, count, subject}   someone else edits the item just before
                          the next `count` PATCH/DELETE reach it: its ETag changes (If-Match → 412)
  POST /_admin/move       {room, id, start, end}   moved in Outlook: new times, new changeKey
  POST /_admin/edit       {room, id, subject?, sensitivity?, start?, end?, ext?: {prop id: value}}
                          edited in Outlook or by another sign (new changeKey)
  POST /_admin/remove     {room, id}   deleted in Outlook
  POST /_admin/expire_delta   every delta token is forgotten: their next use answers 410
  POST /_admin/expire_tokens
  GET  /_admin/calendar?room=ADDR    GET /_admin/log   (requests, tokens, actions, bytes_sent)
  GET  /_admin/sent_mail  messages sendMail accepted: from (the mailbox), to, cc, bcc, subject,
                          body, content_type, save_to_sent_items, time (apps[].permissions must
                          list Mail.Send, else 403 ErrorAccessDenied)
  POST /_admin/settings   {throttle: true, clock_speed: s, outage: true, delay_ms: d (each Graph call
                           takes d ms), mailbox_requests: n (the 10-minute budget, for tests),
                           add_organizer_to_subject, delete_subject, remove_private_property: the
                           room's Set-CalendarProcessing, applied to events other people organise
                           as they are added (graph_store.process_request)}
  GET  /_admin/throttle   {"policy", "peak": {app mailbox: n}, "throttled": n, "mailbox_concurrency",
                           "mailbox_requests", "window_s"}

Throttling, opt-in (`--throttle`, GRAPH_FAKE_THROTTLE=1 or settings throttle = true): Outlook's
service limits as documented (graph/throttling-limits, "Outlook service limits", evaluated for
each app ID and mailbox combination): 4 concurrent requests, 10,000 requests in a 10-minute
period. Over either: HTTP 429, code ApplicationThrottled, with Retry-After in seconds. The
10 minutes run on clock_speed times the real clock (the benchmark's accelerated hour).
settings outage = true answers every Graph and token request 503 (the service is down).
"""

import argparse
import base64
import secrets
import json
import os
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_store import REQUEST, GraphError, Store, TokenError, answer_zone, parse_time  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testclock  # noqa: E402,F401  (ROOMSIGN_TEST_NOW: the harness's pinned clock)

STORE = Store()
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CLOCK_SKEW = 300
BARRIER = threading.Condition()
ARRIVED = [0]


def barrier(method, path):
    """settings.barrier {match, method, parties}: the first `parties` requests whose path holds
    match wait until all have arrived (up to 10 s), so both signs read before either creates."""
    with STORE.lock:
        b = STORE.settings.get("barrier")
    if not b or b.get("match", "") not in path or b.get("method", method) != method:
        return
    n = int(b.get("parties", 2))
    with BARRIER:
        if ARRIVED[0] >= n:
            return
        ARRIVED[0] += 1
        BARRIER.notify_all()
        BARRIER.wait_for(lambda: ARRIVED[0] >= n, timeout=10)


THROTTLE = {"lock": threading.Lock(), "inflight": {}, "windows": {}, "peak": {}, "throttled": 0}
MAILBOX_CONCURRENCY = 4
MAILBOX_REQUESTS, MAILBOX_WINDOW_S = 10000, 600


def throttle_enter(app_id, mailbox):
    """Takes a slot of the (app, mailbox) budget or raises the 429 Graph answers."""
    with STORE.lock:
        on, speed = STORE.settings.get("throttle"), float(STORE.settings.get("clock_speed") or 1)
        budget = int(STORE.settings.get("mailbox_requests") or MAILBOX_REQUESTS)
    if not on:
        return None
    key = f"{app_id} {mailbox.lower()}"
    now = time.monotonic() * speed
    with THROTTLE["lock"]:
        window = THROTTLE["windows"].setdefault(key, [])
        while window and window[0] <= now - MAILBOX_WINDOW_S:
            window.pop(0)
        n = THROTTLE["inflight"].get(key, 0) + 1
        THROTTLE["peak"][key] = max(THROTTLE["peak"].get(key, 0), n)
        if n > MAILBOX_CONCURRENCY or len(window) >= budget:
            THROTTLE["throttled"] += 1
            limit = "MailboxConcurrency" if n > MAILBOX_CONCURRENCY else "MailboxRequests"
            wait = 1 if n > MAILBOX_CONCURRENCY else max(1, int((window[0] + MAILBOX_WINDOW_S - now) / speed) + 1)
            raise GraphError(429, "ApplicationThrottled", f"Application is over its {limit} limit.",
                             {"Retry-After": str(wait)})
        window.append(now)
        THROTTLE["inflight"][key] = n
    return key


def throttle_leave(key):
    if key:
        with THROTTLE["lock"]:
            THROTTLE["inflight"][key] -= 1


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def check_assertion(app, tenant_path, jwt, token_url):
    """Validates a client assertion like Entra ID does; returns nothing or raises TokenError."""
    try:
        h64, c64, s64 = jwt.split(".")
        header, claims, sig = json.loads(b64url_decode(h64)), json.loads(b64url_decode(c64)), b64url_decode(s64)
    except (ValueError, json.JSONDecodeError):
        raise TokenError(401, "invalid_client", 50027, "JWT token is invalid or malformed.")
    alg = header.get("alg")
    if alg not in ("RS256", "PS256"):
        raise TokenError(401, "invalid_client", 5002738, f"Invalid JWT token. '{alg}' is not a supported signature algorithm.")
    cert = None
    for c in app["certs"]:
        if header.get("x5t#S256") == c["x5t#S256"] or header.get("x5t") == c["x5t"]:
            cert = c
    if cert is None:
        thumb = header.get("x5t", "")
        try:
            thumb = b64url_decode(thumb).hex().upper()
        except ValueError:
            pass
        raise TokenError(401, "invalid_client", 700027, "Client assertion failed signature validation. [Reason - "
                         f"The key was not found., Thumbprint of key used by client: '{thumb}', Please visit the "
                         "Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id "
                         f"'{app['client_id']}'.]")
    pad = (padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32) if alg == "PS256"
           else padding.PKCS1v15())
    try:
        cert["key"].verify(sig, f"{h64}.{c64}".encode(), pad, hashes.SHA256())
    except InvalidSignature:
        raise TokenError(401, "invalid_client", 700027, "Client assertion failed signature validation. "
                         "[Reason - The provided signature value did not match the expected signature value.]")
    now = time.time()
    if claims.get("aud") != token_url:
        raise TokenError(401, "invalid_client", 700212, f"The audience claim '{claims.get('aud')}' is not the "
                         "token endpoint.")   # code invented: Entra's own is not documented
    if claims.get("iss") != app["client_id"] or claims.get("sub") != app["client_id"]:
        raise TokenError(401, "invalid_client", 700021, "Client assertion application identifier doesn't match "
                         "'client_id' parameter.")
    try:
        nbf, exp = float(claims["nbf"]), float(claims["exp"])
    except (KeyError, TypeError, ValueError):
        raise TokenError(401, "invalid_client", 700024, "Client assertion is not within its valid time range.")
    if now + CLOCK_SKEW < nbf or now - CLOCK_SKEW > exp or exp - nbf > 86400:
        raise TokenError(401, "invalid_client", 700024, "Client assertion is not within its valid time range.")
    jti = claims.get("jti")
    with STORE.lock:
        if not jti or jti in STORE.jtis:
            raise TokenError(401, "invalid_client", 7000232, "The client assertion's jti was used before.")  # invented
        STORE.jtis.add(jti)


def token_endpoint(tenant_path, form, token_url):
    tenant = STORE.tenant(tenant_path)
    if tenant is None:
        raise TokenError(400, "invalid_request", 90002, f"Tenant '{tenant_path}' not found. Check to make sure you "
                         "have the correct tenant ID and are signing into the correct cloud.")
    if form.get("grant_type") != "client_credentials":
        raise TokenError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
    scope = form.get("scope", "")
    if not scope.endswith("/.default"):
        raise TokenError(400, "invalid_scope", 1002012, f"The provided value for scope {scope} is not valid. "
                         "Client credential flows must have a scope value with /.default suffixed to the resource "
                         "identifier (application ID URI).")
    app = STORE.apps.get(form.get("client_id", "").lower())
    if app is None or app["tenant"].lower() != tenant["id"].lower():
        raise TokenError(400, "unauthorized_client", 700016, f"Application with identifier "
                         f"'{form.get('client_id', '')}' was not found in the directory '{tenant_path}'.")
    if "client_assertion" in form:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise TokenError(400, "invalid_request", 7000218, "The request body must contain "
                             "client_assertion_type.")
        check_assertion(app, tenant_path, form["client_assertion"], token_url)
        return STORE.issue_token(app, "certificate", scope)
    secret = form.get("client_secret")
    if secret is None:
        raise TokenError(401, "invalid_client", 7000218, "The request body must contain the following parameter: "
                         "'client_assertion' or 'client_secret'.")
    for s in app["secrets"]:
        if s["value"] == secret:
            if s.get("expired"):
                raise TokenError(401, "invalid_client", 7000222, "The provided client secret keys for app "
                                 f"'{app['client_id']}' are expired. Visit the Azure portal to create new keys "
                                 "for your app.")
            return STORE.issue_token(app, "secret", scope)
    raise TokenError(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent "
                     "in the request is the client secret value, not the client secret ID, for a secret added to "
                     f"app '{app['client_id']}'.")


def graph_route(method, parts, query, body, auth, base, if_match=None, prefer=()):
    """parts: the path after /v1.0/, split and unquoted."""
    app = STORE.check_token(auth)
    if parts[:1] == ["places"]:
        if method != "GET" or parts[1:] != ["microsoft.graph.room"]:
            raise GraphError(400, "BadRequest", f"Unsupported request {method} {'/'.join(parts)}.")
        return STORE.places(app, query, base)
    if len(parts) < 3 or parts[0] != "users":
        raise GraphError(400, "BadRequest", "Resource not found for the segment.")
    if parts[1] == "me":
        raise GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.")
    key = throttle_enter(app["client_id"], parts[1])
    try:
        with STORE.lock:
            delay = float(STORE.settings.get("delay_ms") or 0) / 1000.0
        if delay:
            time.sleep(delay)   # the mailbox's work takes this long: requests overlap
        return mailbox_route(app, method, parts, query, body, base, if_match, prefer)
    finally:
        throttle_leave(key)


def mailbox_route(app, method, parts, query, body, base, if_match, prefer):
    # getSchedule reads; sendMail needs Mail.Send, not the calendar's write role
    write = method in ("POST", "PATCH", "DELETE") and parts[2:] not in (["calendar", "getSchedule"], ["sendMail"])
    room = STORE.room_for(app, parts[1], write=write)
    rest = parts[2:]
    if method == "POST" and rest == ["sendMail"]:
        return STORE.send_mail(app, room, body)
    if method == "GET" and rest == ["calendarView"]:
        return 200, STORE.calendar_view(room, query, base)
    if method == "GET" and rest == ["calendarView", "delta"]:
        return 200, STORE.delta(room, query, base, prefer)
    if method == "POST" and rest == ["events"]:
        return STORE.create(room, body)
    if method == "POST" and rest == ["calendar", "getSchedule"]:
        return STORE.get_schedule(app, body)
    if len(rest) == 2 and rest[0] == "events":
        if method == "PATCH":
            return STORE.update(room, rest[1], body, if_match)
        if method == "DELETE":
            return STORE.delete(room, rest[1], "delete", if_match=if_match)
        if method == "GET":
            select = query["$select"].split(",") if "$select" in query else None
            return 200, STORE.render(STORE.find(room, rest[1]), select, STORE.expanded_ids(query))
    if len(rest) == 3 and rest[0] == "events" and method == "POST" and rest[2] in ("decline", "cancel"):
        return STORE.delete(room, rest[1], rest[2], body)
    raise GraphError(400, "BadRequest", f"Unsupported request {method} {'/'.join(parts)}.")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeGraph/1.0"

    def log_message(self, fmt, *args):
        if os.environ.get("GRAPH_FAKE_VERBOSE"):
            sys.stderr.write("graph_fake: " + (fmt % args) + "\n")

    def send_json(self, status, obj, headers=None, fault=None):
        data = b"" if obj is None else json.dumps(obj).encode()
        if fault and fault["kind"] == "slow":
            time.sleep(float(fault.get("delay", 5)))
        if fault and fault["kind"] == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        if obj is not None:
            self.send_header("Content-Type", "application/json; odata.metadata=minimal")
        self.send_header("Content-Length", str(len(data)))
        if not self.path.startswith("/_admin/"):
            with STORE.lock:
                STORE.bytes_sent += len(data) + sum(len(h) for h in getattr(self, "_headers_buffer", [])) + 2
        if fault and fault["kind"] == "truncated":
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def record(self, status, extra=None):
        url = urllib.parse.urlsplit(self.path)
        entry = {"t": time.time(), "method": self.command, "path": urllib.parse.unquote(url.path),
                 "query": url.query, "status": status, "prefer": self.headers.get_all("Prefer") or [],
                 "has_auth": "Authorization" in self.headers, "host": self.headers.get("Host", ""),
                 "if_match": self.headers.get("If-Match"), "content_type": self.headers.get("Content-Type")}
        entry.update(extra or {})
        with STORE.lock:
            STORE.requests.append(entry)

    def admin(self, path, query, raw):
        body = json.loads(raw) if raw else {}
        if path == "/_admin/setup":
            STORE.setup(body)
        elif path == "/_admin/events":
            for group in body if isinstance(body, list) else [body]:   # a list: many rooms at once
                for e in group["events"]:
                    STORE.add_event(group["room"], e)
        elif path == "/_admin/settings":
            with STORE.lock:
                STORE.settings.update(body)
        elif path == "/_admin/faults":
            with STORE.lock:
                STORE.faults.extend(body)
        elif path == "/_admin/after_create":
            with STORE.lock:
                STORE.after_create.append(body)
        elif path == "/_admin/touch_before":
            with STORE.lock:
                STORE.touch_before.append(body)
        elif path == "/_admin/move":
            with STORE.lock:
                ev = STORE.find(body["room"].lower(), body["id"])
                ev["start"], ev["end"] = parse_time(body["start"]), parse_time(body["end"])
                ev["changeKey"] = secrets.token_urlsafe(12)
        elif path == "/_admin/edit":
            with STORE.lock:
                ev = STORE.find(body["room"].lower(), body["id"])
                for k in ("start", "end"):
                    if k in body:
                        ev[k] = parse_time(body[k])
                for k in ("subject", "sensitivity"):
                    if k in body:
                        ev[k] = body[k]
                for prop_id, value in body.get("ext", {}).items():   # an extended property set elsewhere
                    ev["ext"][prop_id.lower()] = (prop_id, value)
                ev["changeKey"] = secrets.token_urlsafe(12)
        elif path == "/_admin/remove":
            with STORE.lock:
                room = body["room"].lower()
                STORE.events[room].remove(STORE.find(room, body["id"]))
        elif path == "/_admin/expire_delta":
            STORE.expire_delta()
        elif path == "/_admin/expire_tokens":
            STORE.expire_tokens()
        elif path == "/_admin/calendar":
            return self.send_json(200, STORE.calendar(query["room"]))
        elif path == "/_admin/throttle":
            with THROTTLE["lock"]:
                return self.send_json(200, {"policy": STORE.settings.get("throttle"), "peak": dict(THROTTLE["peak"]),
                                            "throttled": THROTTLE["throttled"],
                                            "mailbox_concurrency": MAILBOX_CONCURRENCY, "window_s": MAILBOX_WINDOW_S,
                                            "mailbox_requests": int(STORE.settings.get("mailbox_requests")
                                                                    or MAILBOX_REQUESTS)})
        elif path == "/_admin/sent_mail":
            with STORE.lock:
                return self.send_json(200, list(STORE.sent_mail))
        elif path == "/_admin/log":
            with STORE.lock:
                return self.send_json(200, {"requests": STORE.requests, "tokens": STORE.token_log,
                                            "actions": STORE.actions, "bytes_sent": STORE.bytes_sent})
        else:
            return self.send_json(404, {"error": "no such admin call"})
        return self.send_json(200, {"ok": True})

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        raw = self.read_body()
        if url.path.startswith("/_admin/"):
            return self.admin(url.path, query, raw)
        with STORE.lock:
            outage = STORE.settings.get("outage")
        if outage:
            self.record(503, {"throttled": "outage"})
            self.close_connection = True
            return self.send_json(503, GraphError(503, "ServiceUnavailable", "The service is unavailable.").body())
        fault = STORE.take_fault(self.command, urllib.parse.unquote(url.path))
        if fault and fault["kind"] in ("429", "500", "503"):
            status = int(fault["kind"])
            headers = {"Retry-After": fault["retry_after"]} if "retry_after" in fault else {}
            self.record(status, {"fault": fault["kind"]})
            code = {429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable"}[status]
            return self.send_json(status, GraphError(status, code, "Injected fault.").body(), headers)
        if fault and fault["kind"] == "garbage":
            self.record(200, {"fault": "garbage"})
            data = b"<html><body>Service temporarily unavailable \x00\xff{{{"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        barrier(self.command, urllib.parse.unquote(url.path))
        host = self.headers.get("Host", "127.0.0.1")
        base = f"https://{host}"
        parts = [urllib.parse.unquote(p) for p in url.path.split("/") if p]
        try:
            if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"] and self.command == "POST":
                form = dict(urllib.parse.parse_qsl(raw.decode("utf-8", "replace")))
                result = token_endpoint(parts[0], form, f"{base}{url.path}")
                self.record(200, {"token": True})
                return self.send_json(200, result, fault=fault)
            if parts[:1] != ["v1.0"]:
                raise GraphError(404, "UnknownError", "No such path.")
            REQUEST.zone = answer_zone(self.headers.get_all("Prefer") or [])
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if raw and ctype != "application/json":
                # Graph reads a body only as JSON and says so (a form or text body is refused).
                raise GraphError(415, "UnsupportedMediaType", f"Content-Type '{ctype or '(none)'}' is not "
                                 "supported: send application/json.")
            body = json.loads(raw) if raw else {}
            status, out = graph_route(self.command, parts[1:], query, body,
                                      self.headers.get("Authorization"), base, self.headers.get("If-Match"),
                                      self.headers.get_all("Prefer") or [])
            self.record(status, {"transactionId": body.get("transactionId") if isinstance(body, dict) else None})
            return self.send_json(status, out, fault=fault)
        except TokenError as e:
            self.record(e.status, {"token": True, "aadsts": e.code})
            return self.send_json(e.status, e.body())
        except GraphError as e:
            self.record(e.status, {"code": e.code, "throttled": e.status == 429 or None})
            return self.send_json(e.status, e.body(), e.headers)
        except json.JSONDecodeError:
            self.record(400, {"code": "BadRequest"})
            return self.send_json(400, GraphError(400, "BadRequest", "Unable to read JSON request payload.").body())

    do_GET = do_POST = do_PATCH = do_DELETE = handle_any


class Server(ThreadingHTTPServer):
    """TLS handshakes run in each connection's thread, not in the accept loop, and the listen
    backlog holds a fleet's connections (socketserver's default of 5 drops them)."""
    daemon_threads = True
    request_queue_size = 256
    ssl_context = None

    def finish_request(self, request, client_address):
        if self.ssl_context is None:   # --plain-http
            return super().finish_request(request, client_address)
        try:
            request = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        super().finish_request(request, client_address)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--plain-http", action="store_true",
                    help="no TLS (the fleet benchmark: a handshake per request would make this one Python "
                         "process the bottleneck; the signs need [source] allow_insecure_http)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--throttle", action="store_true", help="Outlook's documented per-app-per-mailbox limits")
    args = ap.parse_args()
    STORE.throttle = args.throttle or bool(os.environ.get("GRAPH_FAKE_THROTTLE"))
    STORE.setup({})
    server = Server(("127.0.0.1", args.port), Handler)
    if not args.plain_http:
        if not args.cert or not args.key:
            ap.error("--cert and --key are needed (or --plain-http)")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        server.ssl_context = ctx
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, args.port_file)
    print(f"graph_fake: listening on {'http' if args.plain_http else 'https'}://127.0.0.1:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    threading.current_thread().name = "graph_fake"
    main()
