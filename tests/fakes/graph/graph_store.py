"""Tenants, app registrations, room mailboxes, calendars and tokens of the fake Microsoft Graph.

What is modelled because the client depends on it (PROTOCOLS.md section B):
  * tenants by id or domain; apps with client secrets (one may be expired) and certificates;
  * an app's RBAC-for-Applications scope (the rooms it may open) and role (read or readwrite);
  * tokens that expire (server-side lifetime and advertised expires_in set separately, so a
    token can die before the client expects it);
  * calendarView over [start, end) overlaps, $select honoured, 10 per page unless $top says more
    (capped by max_page_size), @odata.nextLink with $skip;
  * calendarView/delta (Microsoft's "Get incremental changes to events in a calendar view" and
    event: delta, v1.0): startDateTime/endDateTime only on the first request, the round's state
    in opaque tokens ($skiptoken in @odata.nextLink, $deltatoken in @odata.deltaLink), pages of
    Prefer: odata.maxpagesize (10 without it); $select, $filter, $orderby, $expand, $search and
    $top are refused on it (the client sends none); items come with calendarView's properties but
    no extended properties; an event deleted or moved out of the window comes as
    {"id", "@removed": {"reason": "deleted"}}; a token the server no longer knows answers 410
    syncStateNotFound (/_admin/expire_delta forgets them all); settings.delta false: 400, as a
    server without the function;
  * POST /events idempotent on transactionId; PATCH; DELETE; decline and cancel recorded apart;
  * POST /sendMail: 202 and the message recorded (/_admin/sent_mail) when the app holds the
    Mail.Send application permission (apps[].permissions) and its RBAC scope covers the mailbox;
    403 ErrorAccessDenied without Mail.Send, 400 ErrorInvalidRecipients without a recipient;
  * getSchedule with its limits (100 schedules, 62 days, 5–1440 min interval);
  * GET /places/microsoft.graph.room: the tenant's rooms (emailAddress, displayName = the seed's
    name) but those hidden from the address list, 100 a page ($top fewer; settings
    places_page_size for tests) with @odata.nextLink ($skip); 403 ErrorAccessDenied unless the app
    holds the Place.Read.All application permission (apps[].permissions);
  * If-Match on PATCH and DELETE: a stale ETag answers 412 ErrorIrresolvableConflict;
  * Prefer: outlook.timezone="ZONE" (IANA or a few Windows names) sets the zone of start and
    end in answers, UTC without it; all-day events stay midnight to midnight (PROTOCOLS.md).
"""

import base64
import calendar
import copy
import re
import secrets
import urllib.parse
import threading
import time
import zoneinfo

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization


class GraphError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(code)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}

    def body(self):
        return {"error": {"code": self.code, "message": self.message,
                          "innerError": {"request-id": secrets.token_hex(8), "date": iso(time.time())}}}


class TokenError(Exception):
    """An Entra ID token endpoint error: {"error", "error_description": "AADSTS…", "error_codes"}."""

    def __init__(self, status, error, code, text):
        super().__init__(text)
        self.status, self.error, self.code, self.text = status, error, code, text

    def body(self):
        return {"error": self.error, "error_description": f"AADSTS{self.code}: {self.text}\r\nTrace ID: "
                f"{secrets.token_hex(8)}\r\nTimestamp: {iso(time.time())}", "error_codes": [self.code]}


def iso(t, fraction=False):
    s = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))
    return s + (".%07d" % int((t % 1) * 1e7) if fraction else "") + "Z"


# A single-value extended property's id: "{type} {guid} Name {name}" (or "Id 0x...").
EXT_ID = re.compile(r"(String|Integer|Boolean|SystemTime) \{[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\} "
                    r"(Name \S+|Id 0x[0-9A-Fa-f]+)", re.I)


def parse_time(s):
    """ISO 8601 with Z, an offset or nothing (UTC), optional fraction → epoch seconds."""
    s = s.strip()
    offset = 0
    if s.endswith("Z"):
        s = s[:-1]
    elif len(s) > 19 and s[-6] in "+-" and s[-3] == ":":
        sign = 1 if s[-6] == "+" else -1
        offset = sign * (int(s[-5:-3]) * 3600 + int(s[-2:]) * 60)
        s = s[:-6]
    frac = 0.0
    if "." in s:
        s, f = s.split(".", 1)
        frac = float("0." + f) if f else 0.0
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%S")) + frac - offset


# The zone the current request asked for with Prefer: outlook.timezone (set per request thread).
REQUEST = threading.local()
WINDOWS_ZONES = {"W. Europe Standard Time": "Europe/Berlin", "Romance Standard Time": "Europe/Paris",
                 "GMT Standard Time": "Europe/London", "Eastern Standard Time": "America/New_York",
                 "Pacific Standard Time": "America/Los_Angeles", "Tokyo Standard Time": "Asia/Tokyo"}


def answer_zone(prefer_headers):
    """The zone named by Prefer: outlook.timezone="…" (None: UTC). Raises GraphError for an
    unknown zone."""
    for h in prefer_headers:
        for part in h.split(","):
            k, _, v = part.strip().partition("=")
            if k.strip().lower() == "outlook.timezone":
                name = v.strip().strip('"')
                if name in ("UTC", "Etc/UTC"):
                    return None
                try:
                    return (name, zoneinfo.ZoneInfo(WINDOWS_ZONES.get(name, name)))
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    raise GraphError(400, "ErrorTimeZoneNotSupported", f"The time zone '{name}' is not supported.")
    return None


def graph_dt(t, all_day=False):
    zone = getattr(REQUEST, "zone", None)
    if zone is None:
        return {"dateTime": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".0000000", "timeZone": "UTC"}
    if all_day:     # midnight to midnight whatever the zone (by design, PROTOCOLS.md)
        return {"dateTime": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".0000000", "timeZone": zone[0]}
    import datetime
    local = datetime.datetime.fromtimestamp(t, zone[1])
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S") + ".0000000", "timeZone": zone[0]}


def new_id():
    # Real ids are long base64 with '=', '+' or '/' replaced by '-' and '_'; keep an '=' so
    # clients must escape them in URLs.
    return "AAMkAG" + base64.urlsafe_b64encode(secrets.token_bytes(30)).decode() + "AA="


def cert_info(pem):
    cert = x509.load_pem_x509_certificate(pem.encode())
    der = cert.public_bytes(serialization.Encoding.DER)
    h1, h256 = hashes.Hash(hashes.SHA1()), hashes.Hash(hashes.SHA256())
    h1.update(der)
    h256.update(der)
    b64 = lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")
    s1 = h1.finalize()
    return {"x5t": b64(s1), "x5t#S256": b64(h256.finalize()), "hex": s1.hex().upper(),
            "key": cert.public_key()}


class Store:
    def __init__(self):
        self.lock = threading.RLock()
        self.setup({})

    # ---- control --------------------------------------------------------------------------
    def setup(self, spec):
        with self.lock:
            self.tenants = {t["id"].lower(): t for t in spec.get("tenants", [])}
            self.apps = {}
            for a in spec.get("apps", []):
                a = dict(a)
                a["certs"] = [cert_info(p) for p in a.get("certificates", [])]
                a.setdefault("secrets", [])
                a.setdefault("scope", "*")
                a.setdefault("role", "readwrite")
                a.setdefault("permissions", [])     # application permissions beyond the calendar's
                self.apps[a["client_id"].lower()] = a
            self.rooms = {}
            self.events = {}
            for r in spec.get("rooms", []):
                self.rooms[r["address"].lower()] = dict(r, rest=r.get("rest", True))
                self.events[r["address"].lower()] = []
            self.settings = {"token_lifetime": 3600, "expires_in": None, "page_size": 10,
                             "max_page_size": 1000}
            if getattr(self, "throttle", False):     # graph_fake.py --throttle: kept across setups
                self.settings["throttle"] = True
            self.settings.update(spec.get("settings", {}))
            self.tokens, self.jtis = {}, set()
            self.delta_states = {}     # token -> {room, start, end, seen: {id: changeKey}, pending}
            self.bytes_sent = 0        # response bytes (headers and body), for the benchmark
            self.faults, self.after_create, self.touch_before = [], [], []
            self.requests, self.token_log, self.actions = [], [], []
            self.sent_mail = []        # messages sendMail accepted
            for e in spec.get("events", []):
                self.add_event(e["room"], e)

    def add_event(self, room, e):
        with self.lock:
            ev = {"id": new_id(), "subject": e.get("subject", ""), "start": parse_time(e["start"]),
                  "end": parse_time(e["end"]), "isAllDay": e.get("isAllDay", False),
                  "showAs": e.get("showAs", "busy"), "sensitivity": e.get("sensitivity", "normal"),
                  "isCancelled": e.get("isCancelled", False), "type": e.get("type", "singleInstance"),
                  "organizer": {"emailAddress": {"name": e.get("organizer", "Someone"),
                                                 "address": e.get("organizer_address", "someone@example.com")}},
                  "transactionId": e.get("transactionId"), "changeKey": secrets.token_urlsafe(12),
                  "created": parse_time(e["created"]) if "created" in e else time.time(),
                  "room": room.lower(),   # whose calendar: isOrganizer is from the room's point of view
                  "ext": {}}              # singleValueExtendedProperties: id (lower case) -> (id, value)
            if ev["organizer"]["emailAddress"]["address"].lower() != room.lower():
                self.process_request(ev)
            self.events[room.lower()].append(ev)
            return ev

    def process_request(self, ev):
        """Set-CalendarProcessing of the room mailbox, applied to a meeting someone else organised
        as the room accepts it (settings add_organizer_to_subject, delete_subject,
        remove_private_property; Exchange's defaults are all true, the fake's false). With both
        subject switches on, the organizer's name replaces the subject."""
        st = self.settings
        if st.get("add_organizer_to_subject"):
            ev["subject"] = ev["organizer"]["emailAddress"]["name"]
        elif st.get("delete_subject"):
            ev["subject"] = ""
        if st.get("remove_private_property"):
            ev["sensitivity"] = "normal"

    def calendar(self, room):
        with self.lock:
            return [{k: v for k, v in dict(ev, start=iso(ev["start"]), end=iso(ev["end"]),
                                          created=iso(ev["created"], True),
                                          ext={i: val for i, val in ev["ext"].values()}).items() if k != "room"}
                    for ev in self.events.get(room.lower(), [])]

    # ---- token endpoint ---------------------------------------------------------------------
    def tenant(self, name):
        for t in self.tenants.values():
            if name.lower() == t["id"].lower() or name.lower() in [d.lower() for d in t.get("domains", [])]:
                return t
        return None

    def issue_token(self, app, how, scope=None):
        with self.lock:
            life = self.settings["token_lifetime"]
            advertised = self.settings["expires_in"] or life
            token = "eyJ0eXAiOiJKV1Qi.fake." + secrets.token_urlsafe(24)
            self.tokens[token] = {"app": app["client_id"].lower(), "tenant": app["tenant"].lower(),
                                  "expires": time.time() + life}
            self.token_log.append({"t": time.time(), "app": app["client_id"], "how": how, "scope": scope})
            return {"token_type": "Bearer", "expires_in": advertised, "ext_expires_in": advertised,
                    "access_token": token}

    def check_token(self, header):
        if not header or not header.startswith("Bearer ") or not header[7:].strip():
            raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
        tok = self.tokens.get(header[7:].strip())
        if tok is None:
            raise GraphError(401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed.")
        if time.time() >= tok["expires"]:
            raise GraphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
        return self.apps[tok["app"]]

    def expire_tokens(self):
        with self.lock:
            for tok in self.tokens.values():
                tok["expires"] = 0

    # ---- mailbox access -----------------------------------------------------------------------
    def room_for(self, app, address, write=False):
        room = self.rooms.get(address.lower())
        if room is None or room["tenant"].lower() != app["tenant"].lower():
            raise GraphError(404, "ErrorInvalidUser", f"The requested user '{address}' is invalid.")
        if not room["rest"]:
            raise GraphError(404, "MailboxNotEnabledForRESTAPI",
                             "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")
        if app["scope"] != "*" and address.lower() not in [r.lower() for r in app["scope"]]:
            raise GraphError(403, "ErrorAccessDenied", "Access to OData is disabled: [RAOP] : Blocked by tenant "
                             "configured AppOnly AccessPolicy settings.")
        if write and app["role"] != "readwrite":
            raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        return address.lower()

    def find(self, room, event_id):
        for ev in self.events[room]:
            if ev["id"] == event_id:
                return ev
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")

    # ---- Graph operations ---------------------------------------------------------------------
    @staticmethod
    def expanded_ids(query):
        """$expand=singleValueExtendedProperties($filter=id eq '...'): the ids asked for (lower
        case), None without $expand. Graph returns extended properties only when expanded."""
        if "$expand" not in query:
            return None
        m = re.fullmatch(r"singleValueExtendedProperties\(\$filter=id eq '([^']+)'\)", query["$expand"])
        if not m or not EXT_ID.fullmatch(m.group(1)):
            raise GraphError(400, "BadRequest", "Parsing OData Select and Expand failed: %s" % query["$expand"])
        return {m.group(1).lower()}

    @staticmethod
    def render(ev, select, expand=None):
        full = {"id": ev["id"], "@odata.etag": 'W/"%s"' % ev["changeKey"], "subject": ev["subject"],
                "start": graph_dt(ev["start"], ev["isAllDay"]), "end": graph_dt(ev["end"], ev["isAllDay"]),
                "isAllDay": ev["isAllDay"],
                "showAs": ev["showAs"], "sensitivity": ev["sensitivity"], "isCancelled": ev["isCancelled"],
                "organizer": ev["organizer"], "type": ev["type"], "transactionId": ev["transactionId"],
                "isOrganizer": ev["organizer"]["emailAddress"]["address"].lower() == ev["room"],
                "changeKey": ev["changeKey"], "createdDateTime": iso(ev["created"], True),
                "iCalUId": "040000008200E00074C5B7101A82E008" + ev["id"][-16:].encode().hex()}
        if expand is not None:
            full["singleValueExtendedProperties"] = [{"id": i, "value": v} for k, (i, v) in ev["ext"].items()
                                                     if k in expand]
        if select is None:
            return full
        keep = {"id", "@odata.etag", "singleValueExtendedProperties"} | set(select)
        return {k: v for k, v in full.items() if k in keep}

    def calendar_view(self, room, query, base):
        try:
            start, end = parse_time(query["startDateTime"]), parse_time(query["endDateTime"])
        except (KeyError, ValueError):
            raise GraphError(400, "ErrorInvalidParameter", "This request requires a time window specified by the "
                             "query string parameters StartDateTime and EndDateTime.")
        select = query["$select"].split(",") if "$select" in query else None
        with self.lock:
            hits = [ev for ev in self.events[room] if ev["start"] < end and ev["end"] > start]
            # Without $orderby Graph lists single instances before occurrences (reported by
            # clients); with it, by start.
            hits.sort(key=(lambda e: e["start"]) if "$orderby" in query
                      else (lambda e: (e["type"] == "occurrence", e["start"])))
            size = min(int(query.get("$top", self.settings["page_size"])), self.settings["max_page_size"])
            skip = int(query.get("$skip", 0))
            expand = self.expanded_ids(query)
            page = [self.render(ev, select, expand) for ev in hits[skip:skip + size]]
        out = {"@odata.context": f"{base}/v1.0/$metadata#users('{room}')/calendarView", "value": page}
        if skip + size < len(hits):
            rest = "&".join(f"{k}={urllib.parse.quote(v, safe=':,/$()')}" for k, v in query.items() if k != "$skip")
            out["@odata.nextLink"] = f"{base}/v1.0/users/{room}/calendarView?{rest}&$skip={skip + size}"
        return out

    # ---- calendarView/delta -----------------------------------------------------------------
    def delta(self, room, query, base, prefer):
        """GET .../calendarView/delta: a first request with the window, or a $skiptoken /
        $deltatoken of a round. The answer lists what changed against the state the token holds."""
        if self.settings.get("delta") is False:
            raise GraphError(400, "BadRequest", "Resource not found for the segment 'delta'.")
        bad = [k for k in query if k.lower() in ("$select", "$filter", "$orderby", "$expand", "$search", "$top")]
        if bad:
            raise GraphError(400, "ErrorInvalidUrlQuery", f"The query parameter '{bad[0]}' is not supported "
                             "with change tracking over the 'calendarView' resource.")
        size = self.settings["page_size"]
        for h in prefer:
            for part in h.split(","):
                k, _, v = part.strip().partition("=")
                if k.strip().lower() == "odata.maxpagesize" and v.strip().isdigit():
                    size = max(1, min(int(v), self.settings["max_page_size"]))
        with self.lock:
            if "$skiptoken" in query:
                state = self.delta_states.get(query["$skiptoken"])
            elif "$deltatoken" in query:
                state = self.delta_states.get(query["$deltatoken"])
                if state is not None:
                    state = dict(state, pending=None)
            else:
                try:
                    start, end = parse_time(query["startDateTime"]), parse_time(query["endDateTime"])
                except (KeyError, ValueError):
                    raise GraphError(400, "ErrorInvalidParameter", "This request requires a time window specified "
                                     "by the query string parameters StartDateTime and EndDateTime.")
                state = {"room": room, "start": start, "end": end, "seen": {}, "pending": None}
            if state is None or state["room"] != room:
                raise GraphError(410, "syncStateNotFound", "The sync state generation is not found. Please "
                                 "resync.")
            if state["pending"] is None:     # a new answer: what differs from the state held
                hits = {ev["id"]: ev for ev in self.events[room]
                        if ev["start"] < state["end"] and ev["end"] > state["start"]}
                items = [self.render(ev, None) for i, ev in sorted(hits.items(), key=lambda kv: kv[1]["start"])
                         if state["seen"].get(i) != ev["changeKey"]]
                items += [{"@odata.type": "#microsoft.graph.event", "id": i, "@removed": {"reason": "deleted"}}
                          for i in state["seen"] if i not in hits]
                state = dict(state, pending=items, next_seen={i: ev["changeKey"] for i, ev in hits.items()})
            page, rest = state["pending"][:size], state["pending"][size:]
            token = secrets.token_urlsafe(24)
            out = {"@odata.context": f"{base}/v1.0/$metadata#Collection(event)", "value": page}
            if rest:
                self.delta_states[token] = dict(state, pending=rest)
                out["@odata.nextLink"] = f"{base}/v1.0/users/{room}/calendarView/delta?$skiptoken={token}"
            else:
                self.delta_states[token] = {"room": room, "start": state["start"], "end": state["end"],
                                            "seen": state["next_seen"], "pending": None}
                out["@odata.deltaLink"] = f"{base}/v1.0/users/{room}/calendarView/delta?$deltatoken={token}"
            return out

    def expire_delta(self):
        with self.lock:
            self.delta_states.clear()

    @staticmethod
    def body_time(obj, name):
        try:
            dtz = obj[name]
            if dtz.get("timeZone", "UTC") not in ("UTC", "Etc/UTC"):
                raise ValueError
            return parse_time(dtz["dateTime"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise GraphError(400, "ErrorInvalidRequest", f"Property {name} is missing or invalid.")

    def create(self, room, body):
        with self.lock:
            tx = body.get("transactionId")
            if tx:
                for ev in self.events[room]:
                    if ev["transactionId"] == tx:
                        return 201, self.render(ev, None)
            start, end = self.body_time(body, "start"), self.body_time(body, "end")
            if end < start:
                raise GraphError(400, "ErrorInvalidRequest", "The end time must be after the start time.")
            r = self.rooms[room]
            ev = self.add_event(room, {"subject": body.get("subject", ""), "start": iso(start), "end": iso(end),
                                       "showAs": body.get("showAs", "busy"), "organizer": r.get("name", room),
                                       "organizer_address": r["address"], "transactionId": tx})
            ev["attendees"] = body.get("attendees", [])
            self.actions.append({"action": "create", "room": room, "id": ev["id"], "transactionId": tx})
            # A test hook: someone else books the same slot right after us.
            for hook in [h for h in self.after_create if h["room"].lower() == room]:
                self.after_create.remove(hook)
                other = self.add_event(room, hook["event"])
                other["created"] = ev["created"] + 0.5
            return 201, self.render(ev, None)

    def send_mail(self, app, room, body):
        """user: sendMail (v1.0): JSON {"message": {...}, "saveToSentItems": bool}; 202, no body."""
        if "mail.send" not in [p.lower() for p in app["permissions"]]:
            raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        msg = body.get("message") if isinstance(body, dict) else None
        if not isinstance(msg, dict):
            raise GraphError(400, "ErrorInvalidParameter", "The value of the parameter 'Message' is empty.")
        save = body.get("saveToSentItems", True)
        if not isinstance(save, bool):
            raise GraphError(400, "BadRequest", "Cannot convert the literal to the expected type 'Edm.Boolean'.")

        def addresses(key):
            return [r.get("emailAddress", {}).get("address") for r in msg.get(key) or []
                    if isinstance(r, dict)]
        to, cc, bcc = addresses("toRecipients"), addresses("ccRecipients"), addresses("bccRecipients")
        if not (to or cc or bcc) or None in to + cc + bcc:
            raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient is not valid., A message can't "
                             "be sent because it contains no recipients.")
        content = msg.get("body") or {}
        with self.lock:
            self.sent_mail.append({"from": room, "to": to, "cc": cc, "bcc": bcc, "subject": msg.get("subject"),
                                   "body": content.get("content"), "content_type": content.get("contentType"),
                                   "save_to_sent_items": save, "time": time.time()})
        return 202, None

    @staticmethod
    def check_if_match(ev, if_match):
        """If-Match on PATCH/DELETE: absent or * passes; otherwise the event's current ETag
        (W/"changeKey", the weak prefix optional) or 412, as Graph answers a stale one."""
        if if_match is None or if_match.strip() == "*":
            return
        tags = [t.strip() for t in if_match.split(",")]
        if not any(t.removeprefix("W/").strip('"') == ev["changeKey"] for t in tags):
            raise GraphError(412, "ErrorIrresolvableConflict", "The send or update operation could not be performed "
                             "because the change key passed in the request does not match the current change key "
                             "for the item.")

    def touch(self, ev, method):
        """A test hook (/_admin/touch_before): someone else edits the item just before this
        request reaches it, so the ETag the client holds is stale."""
        for hook in [h for h in self.touch_before if h.get("method", method) == method]:
            hook["count"] = hook.get("count", 1) - 1
            if hook["count"] <= 0:
                self.touch_before.remove(hook)
            ev["changeKey"] = secrets.token_urlsafe(12)
            ev["subject"] = hook.get("subject", ev["subject"])
            self.actions.append({"action": "touch", "id": ev["id"], "subject": ev["subject"]})
            return

    def update(self, room, event_id, body, if_match=None):
        with self.lock:
            ev = self.find(room, event_id)
            self.touch(ev, "PATCH")
            self.check_if_match(ev, if_match)
            if "start" in body:
                ev["start"] = self.body_time(body, "start")
            if "end" in body:
                ev["end"] = self.body_time(body, "end")
            for k in ("subject", "showAs", "sensitivity"):
                if k in body:
                    ev[k] = body[k]
            for prop in body.get("singleValueExtendedProperties", []):
                if not isinstance(prop, dict) or not EXT_ID.fullmatch(str(prop.get("id", ""))) or \
                        not isinstance(prop.get("value"), str):
                    raise GraphError(400, "BadRequest", "Invalid singleValueExtendedProperty: %s" % prop)
                ev["ext"][prop["id"].lower()] = (prop["id"], prop["value"])
            ev["changeKey"] = secrets.token_urlsafe(12)
            self.actions.append({"action": "update", "room": room, "id": event_id, "end": iso(ev["end"])})
            return 200, self.render(ev, None)

    def delete(self, room, event_id, action, body=None, if_match=None):
        with self.lock:
            ev = self.find(room, event_id)
            if action == "delete":
                self.touch(ev, "DELETE")
                self.check_if_match(ev, if_match)
            if action == "cancel" and ev["organizer"]["emailAddress"]["address"].lower() != room:
                raise GraphError(400, "ErrorInvalidRequest", "You need to be an organizer to cancel a meeting.")
            self.events[room].remove(ev)
            self.actions.append({"action": action, "room": room, "id": event_id, "subject": ev["subject"],
                                 "booked_by_sign": bool(ev["transactionId"]), "body": body})
            return (204, None) if action == "delete" else (202, None)

    def places(self, app, query, base):
        if "place.read.all" not in [p.lower() for p in app["permissions"]]:
            raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        try:
            top = int(query.get("$top", 100))
            skip = int(query.get("$skip", 0))
        except ValueError:
            raise GraphError(400, "BadRequest", "Invalid $top or $skip.")
        size = max(1, min(top, int(self.settings.get("places_page_size", 100))))
        with self.lock:
            rooms = [r for r in self.rooms.values()
                     if r["tenant"].lower() == app["tenant"].lower() and not r.get("hidden")]
        page = rooms[skip:skip + size]
        out = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#places/microsoft.graph.room",
               "value": [{"@odata.type": "#microsoft.graph.room", "id": "place-" + r["address"].split("@")[0],
                          "emailAddress": r["address"], "displayName": r.get("name", r["address"]),
                          "capacity": r.get("capacity", 8), "bookingType": "standard"} for r in page]}
        if skip + size < len(rooms):
            out["@odata.nextLink"] = (f"{base}/v1.0/places/microsoft.graph.room?$top={top}&$skip={skip + size}")
        return 200, out

    def get_schedule(self, app, body):
        try:
            rooms = list(body["schedules"])
            start, end = self.body_time(body, "startTime"), self.body_time(body, "endTime")
            interval = int(body.get("availabilityViewInterval", 30))
        except (KeyError, TypeError, ValueError):
            raise GraphError(400, "ErrorInvalidRequest", "schedules, startTime and endTime are required.")
        if len(rooms) > 100:
            raise GraphError(400, "ErrorMailboxDataArrayTooBig", "The number of mailboxes exceeds 100.")
        if end - start > 62 * 86400:
            raise GraphError(400, "ErrorTimeIntervalTooBig", "The time interval is longer than 62 days.")
        if not 5 <= interval <= 1440:
            raise GraphError(400, "ErrorInvalidMergedFreeBusyInterval", "The interval must be 5 to 1440 minutes.")
        if end <= start:
            raise GraphError(400, "ErrorInvalidTimeInterval", "The end time must be after the start time.")
        digit = {"free": "0", "tentative": "1", "busy": "2", "oof": "3", "workingElsewhere": "4"}
        out = []
        with self.lock:
            for addr in rooms:
                try:
                    room = self.room_for(app, addr)
                except GraphError as e:
                    code = "ErrorMailRecipientNotFound" if e.status == 404 else e.code
                    out.append({"scheduleId": addr, "availabilityView": "",
                                "error": {"message": e.message, "responseCode": code}})
                    continue
                evs = [ev for ev in self.events[room] if ev["start"] < end and ev["end"] > start
                       and not ev["isCancelled"]]
                view = ""
                for slot in range(int((end - start) // (interval * 60))):
                    s0 = start + slot * interval * 60
                    busy = [digit.get(ev["showAs"], "2") for ev in evs
                            if ev["start"] < s0 + interval * 60 and ev["end"] > s0]
                    view += max(busy) if busy else "0"
                items = [{"isPrivate": ev["sensitivity"] in ("private", "confidential"), "status": ev["showAs"],
                          "subject": ev["subject"], "location": "", "start": graph_dt(ev["start"]),
                          "end": graph_dt(ev["end"])} for ev in sorted(evs, key=lambda e: e["start"])]
                out.append({"scheduleId": addr, "availabilityView": view, "scheduleItems": items,
                            "workingHours": {"daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                                             "startTime": "08:00:00.0000000", "endTime": "17:00:00.0000000",
                                             "timeZone": {"name": "UTC"}}})
        return 200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection"
                     "(microsoft.graph.scheduleInformation)", "value": out}

    # ---- faults -------------------------------------------------------------------------------
    def take_fault(self, method, path):
        with self.lock:
            for f in self.faults:
                if f.get("method") and f["method"] != method:
                    continue
                if f.get("match", "") not in path:
                    continue
                count = f.get("count", 1)
                if count >= 0:                  # -1: forever (as in the fake EWS)
                    f["count"] = count - 1
                    if f["count"] <= 0:
                        self.faults.remove(f)
                return copy.deepcopy(f)
        return None
