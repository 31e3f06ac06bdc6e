"""Mailboxes, calendars and the EWS operations of the fake Exchange server.

What is modelled because a client depends on it (PROTOCOLS.md section A):
  * rooms with a primary SMTP address and proxy aliases; impersonation accepts only the primary;
  * calendars with single items, recurring masters expanded into occurrences, exceptions and
    deleted occurrences; CalendarView returns the overlapping items (also those ending exactly
    at StartDate, as Exchange does), capped by MaxEntriesReturned with IncludesLastItemInRange;
  * only the properties asked for in AdditionalProperties come back;
  * CreateItem checks the CalendarItem element order like the schema (ErrorSchemaValidation);
  * ChangeKey concurrency on UpdateItem (ErrorIrresolvableConflict);
  * DeclineItem vs DeleteItem, recorded so tests can tell a decline from a silent delete;
  * GetUserAvailability in the zone the request gives (Bias), times without an offset;
  * ResolveNames of a room's address: its display name (seed rooms[].name; "hidden": true hides
    it from the address lists, as Set-Mailbox -HiddenFromAddressListsEnabled does).
"""

import calendar
import fnmatch
import itertools
import secrets
import threading
import time
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "http://schemas.microsoft.com/exchange/services/2006/types"
MNS = "http://schemas.microsoft.com/exchange/services/2006/messages"
ENS = "http://schemas.microsoft.com/exchange/services/2006/errors"

VERSIONS = ["Exchange2007", "Exchange2007_SP1", "Exchange2010", "Exchange2010_SP1", "Exchange2010_SP2",
            "Exchange2013", "Exchange2013_SP1", "Exchange2015", "Exchange2016"]

# ItemType then CalendarItemType sequence (types.xsd); children must come in this order.
CALENDAR_ITEM_ORDER = [
    "MimeContent", "ItemId", "ParentFolderId", "ItemClass", "Subject", "Sensitivity", "Body", "Attachments",
    "DateTimeReceived", "Size", "Categories", "Importance", "InReplyTo", "IsSubmitted", "IsDraft", "IsFromMe",
    "IsResend", "IsUnmodified", "InternetMessageHeaders", "DateTimeSent", "DateTimeCreated", "ResponseObjects",
    "ReminderDueBy", "ReminderIsSet", "ReminderMinutesBeforeStart", "DisplayCc", "DisplayTo", "HasAttachments",
    "ExtendedProperty", "Culture", "UID", "RecurrenceId", "DateTimeStamp", "Start", "End", "OriginalStart",
    "IsAllDayEvent", "LegacyFreeBusyStatus", "Location", "When", "IsMeeting", "IsCancelled", "IsRecurring",
    "MeetingRequestWasSent", "IsResponseRequested", "CalendarItemType", "MyResponseType", "Organizer",
    "RequiredAttendees", "OptionalAttendees", "Resources", "ConflictingMeetingCount",
    "AdjacentMeetingCount", "ConflictingMeetings", "AdjacentMeetings", "Duration", "TimeZone",
    "AppointmentReplyTime", "AppointmentSequenceNumber", "AppointmentState", "Recurrence",
    "FirstOccurrence", "LastOccurrence", "ModifiedOccurrences", "DeletedOccurrences", "MeetingTimeZone",
    "StartTimeZone", "EndTimeZone",
]
REPEATABLE = {"ExtendedProperty"}
FREE_BUSY = ["Free", "Tentative", "Busy", "OOF", "WorkingElsewhere", "NoData"]


class EwsError(Exception):
    """A ResponseMessage error (HTTP 200) unless fault=True (SOAP fault, HTTP 500)."""

    def __init__(self, code, text, fault=False, backoff_ms=None):
        super().__init__(code)
        self.code, self.text, self.fault, self.backoff_ms = code, text, fault, backoff_ms


def fmt_time(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_time(s):
    s = s.strip()
    offset = 0
    if s.endswith("Z"):
        s = s[:-1]
    elif len(s) > 6 and s[-6] in "+-" and s[-3] == ":":
        sign = 1 if s[-6] == "+" else -1
        offset = sign * (int(s[-5:-3]) * 3600 + int(s[-2:]) * 60)
        s = s[:-6]
    s = s.split(".")[0]
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%S")) - offset


def local(el):
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def child(el, name):
    if el is None:
        return None
    for c in el:
        if local(c) == name:
            return c
    return None


def text_of(el, name, default=None):
    c = child(el, name)
    return c.text if c is not None and c.text is not None else default


class Room:
    def __init__(self, primary, name, aliases=(), kind="room"):
        self.primary, self.name, self.aliases, self.kind = primary.lower(), name, [a.lower() for a in aliases], kind
        self.hidden = False     # hidden from the address lists: ResolveNames finds nothing
        self.items = {}


class Item:
    _ck = itertools.count(1)

    def __init__(self, room, d):
        self.id = d.get("id") or "AAMkAD" + secrets.token_hex(12)
        self.room = room
        self.subject = d.get("subject")
        self.start = parse_time(d["start"]) if isinstance(d["start"], str) else int(d["start"])
        self.end = parse_time(d["end"]) if isinstance(d["end"], str) else int(d["end"])
        self.show_as = d.get("show_as", "Busy")
        self.sensitivity = d.get("sensitivity", "Normal")
        self.all_day = bool(d.get("all_day", False))
        self.cancelled = bool(d.get("cancelled", False))
        org = d.get("organizer") or {"name": room.name, "email": room.primary}
        self.organizer = (org.get("name"), org.get("email", "").lower())
        self.created = d.get("created") or time.time()
        self.ext = dict(d.get("ext", {}))
        self.location = d.get("location")
        self.uid = d.get("uid") or secrets.token_hex(16).upper()
        self.recurrence = d.get("recurrence")          # {"interval_s": 86400, "count": 5}
        self.exceptions = {int(k): dict(v) for k, v in d.get("exceptions", {}).items()}
        self.deleted = set(int(i) for i in d.get("deleted_occurrences", []))
        self.bump()
        for ex in self.exceptions.values():
            ex["ck"] = self.new_ck()

    @classmethod
    def new_ck(cls):
        return "DwAAABYAAAA" + "%08d" % next(cls._ck)

    def bump(self):
        self.ck = self.new_ck()

    def organized_by_room(self):
        return self.organizer[1] == self.room.primary

    def views(self):
        """The calendar-view rows of this item: itself, or its occurrences and exceptions."""
        base = {"item": self, "subject": self.subject, "start": self.start, "end": self.end,
                "show_as": self.show_as, "ck": self.ck}
        if not self.recurrence:
            yield dict(base, id=self.id, type="Single", index=None)
            return
        step = int(self.recurrence.get("interval_s", 86400))
        for i in range(int(self.recurrence.get("count", 1))):
            if i in self.deleted:
                continue
            row = dict(base, id="%s_OCC%d" % (self.id, i), type="Occurrence", index=i,
                       start=self.start + i * step, end=self.end + i * step)
            ex = self.exceptions.get(i)
            if ex:
                row.update(type="Exception", ck=ex["ck"])
                for key in ("subject", "show_as"):
                    if key in ex:
                        row[key] = ex[key]
                for key in ("start", "end"):
                    if key in ex:
                        row[key] = parse_time(ex[key]) if isinstance(ex[key], str) else int(ex[key])
            yield row


class Store:
    def __init__(self):
        self.lock = threading.RLock()
        self.reset({})

    def reset(self, seed):
        with self.lock:
            self.accounts = {}
            for name, a in seed.get("accounts", {}).items():
                self.accounts[name.lower()] = dict(a, name=name)
            self.rooms = {}
            for r in seed.get("rooms", []):
                room = Room(r["primary"], r.get("name", r["primary"]), r.get("aliases", ()))
                room.hidden = bool(r.get("hidden"))
                self.rooms[room.primary] = room
            self.settings = {"max_version": "Exchange2016", "max_concurrency": 27, "backoff_ms": 1000,
                             "auth": ["NTLM", "Basic", "Bearer"], "domain": "EXAMPLE"}
            if getattr(self, "throttle", None):     # fake_ews.py --throttle: kept across seeds
                self.settings["throttle"] = self.throttle
            self.settings.update(seed.get("settings", {}))
            for e in seed.get("events", []):        # after the settings: calendar processing applies
                self.add_event(e)
            self.log, self.sent, self.faults = [], [], []
            self.sent_mail = []     # messages CreateItem sent (t:Message, SendOnly/SendAndSaveCopy)

    def add_event(self, e):
        """An event in the room's calendar; one organised by someone else arrived as a meeting
        request, so the room's calendar processing (settings) rewrites it first."""
        with self.lock:
            room = self.rooms[e["room"].lower()]
            item = Item(room, e)
            if not item.organized_by_room():
                self.process_request(item)
            room.items[item.id] = item
            return item

    def process_request(self, item):
        """Set-CalendarProcessing of a room mailbox, as Exchange applies it to an accepted request
        (settings add_organizer_to_subject, delete_subject, remove_private_property; Exchange's
        defaults are all true, the fake's false so other tests see what they seeded). With both
        subject switches on, the organizer's name replaces the subject."""
        st = self.settings
        for row in [item.__dict__] + [ex for ex in item.exceptions.values() if "subject" in ex]:
            if st.get("add_organizer_to_subject"):
                row["subject"] = item.organizer[0]
            elif st.get("delete_subject"):
                row["subject"] = None
        if st.get("remove_private_property") and item.sensitivity == "Private":
            item.sensitivity = "Normal"

    # --- directory ---------------------------------------------------------------------------
    def find_account(self, user, domain=None):
        """user may be DOMAIN\\user, user@domain or bare; the domain is not checked."""
        u = user.lower()
        if "\\" in u:
            u = u.split("\\", 1)[1]
        if "@" in u:
            u = u.split("@", 1)[0]
        for key, acct in self.accounts.items():
            k = key.split("\\", 1)[-1].split("@", 1)[0]
            if k == u:
                return acct
        return None

    def resolve(self, address, primary_only):
        a = (address or "").lower()
        if a in self.rooms:
            return self.rooms[a]
        if not primary_only:
            for room in self.rooms.values():
                if a in room.aliases:
                    return room
        return None

    def own_mailbox(self, acct):
        key = "mailbox:" + acct["name"].lower()
        if key not in self.rooms:
            self.rooms[key] = Room(key, acct["name"], kind="user")
        return self.rooms[key]

    def impersonate(self, acct, address):
        """Applies the RBAC rules: role assignment, optional management scope, primary only."""
        if not acct.get("cas_impersonation", True):
            raise EwsError("ErrorImpersonationDenied",
                           "The server to which the application is trying to connect cannot impersonate the "
                           "requested user due to insufficient permission.", fault=True)
        room = self.resolve(address, primary_only=True)
        if room is None:
            raise EwsError("ErrorNonExistentMailbox", "The SMTP address has no mailbox associated with it.",
                           fault=True)
        role = acct.get("impersonation")
        allowed = bool(role)
        if isinstance(role, dict) and role.get("scope_filter"):
            allowed = fnmatch.fnmatch(room.name.lower(), role["scope_filter"].lower())
        if not allowed:
            raise EwsError("ErrorImpersonateUserDenied",
                           "The account does not have permission to impersonate the requested user.", fault=True)
        return room

    # --- lookups ------------------------------------------------------------------------------
    def find_view(self, room, item_id):
        for item in room.items.values():
            if item.id == item_id:
                return next(item.views()) if not item.recurrence else {"item": item, "id": item.id,
                                                                        "type": "RecurringMaster",
                                                                        "index": None, "ck": item.ck,
                                                                        "subject": item.subject,
                                                                        "start": item.start,
                                                                        "end": item.end,
                                                                        "show_as": item.show_as}
            if item.recurrence and item_id.startswith(item.id + "_OCC"):
                for v in item.views():
                    if v["id"] == item_id:
                        return v
        raise EwsError("ErrorItemNotFound", "The specified object was not found in the store.")

    def view_rows(self, room, start, end):
        rows = []
        for item in room.items.values():
            for v in item.views():
                # Exchange also returns items that end exactly at StartDate.
                if v["end"] >= start and v["start"] < end:
                    rows.append(v)
        rows.sort(key=lambda v: (v["start"], v["end"], v["id"]))
        return rows

    def dump(self, room_addr):
        with self.lock:
            room = self.resolve(room_addr, primary_only=False)
            out = []
            for v in self.view_rows(room, 0, 2 ** 40):
                it = v["item"]
                out.append({"id": v["id"], "changekey": v["ck"], "type": v["type"], "subject": v["subject"],
                            "start": fmt_time(v["start"]), "end": fmt_time(v["end"]), "show_as": v["show_as"],
                            "organizer": it.organizer[1], "ext": it.ext, "created": it.created})
            return out


# --- XML out -------------------------------------------------------------------------------
def envelope(body):
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<s:Envelope xmlns:s="%s"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="2" '
            'MajorBuildNumber="1544" MinorBuildNumber="4" Version="V2017_07_11" xmlns:h="%s" xmlns="%s"/>'
            '</s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema">%s</s:Body></s:Envelope>' % (SOAP, TNS, TNS, body))


def fault_xml(err):
    extra = ""
    if err.backoff_ms is not None:
        extra = ('<t:MessageXml xmlns:t="%s"><t:Value Name="BackOffMilliseconds">%d</t:Value></t:MessageXml>'
                 % (TNS, err.backoff_ms))
    return ('<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="%s"><s:Body><s:Fault>'
            '<faultcode xmlns:a="%s">a:%s</faultcode><faultstring xml:lang="en-US">%s</faultstring>'
            '<detail><e:ResponseCode xmlns:e="%s">%s</e:ResponseCode><e:Message xmlns:e="%s">%s</e:Message>%s'
            '</detail></s:Fault></s:Body></s:Envelope>'
            % (SOAP, TNS, err.code, escape(err.text), ENS, err.code, ENS, escape(err.text), extra))


def message(op, inner="", err=None):
    if err is None:
        return ('<m:%sResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>%s'
                '</m:%sResponseMessage>' % (op, inner, op))
    return ('<m:%sResponseMessage ResponseClass="Error"><m:MessageText>%s</m:MessageText>'
            '<m:ResponseCode>%s</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>%s'
            '</m:%sResponseMessage>' % (op, escape(err.text), err.code, inner, op))


def response(op, messages):
    return ('<m:%sResponse xmlns:m="%s" xmlns:t="%s"><m:ResponseMessages>%s</m:ResponseMessages>'
            '</m:%sResponse>' % (op, MNS, TNS, "".join(messages), op))


def calendar_item_xml(v, fields, ext_names):
    """fields: set of FieldURIs wanted, or None for all."""
    it = v["item"]

    def want(f):
        return fields is None or f in fields
    parts = ['<t:ItemId Id=%s ChangeKey=%s/>' % (quoteattr(v["id"]), quoteattr(v["ck"]))]
    if want("item:Subject") and v["subject"]:
        parts.append("<t:Subject>%s</t:Subject>" % escape(v["subject"]))
    if want("item:Sensitivity"):
        parts.append("<t:Sensitivity>%s</t:Sensitivity>" % it.sensitivity)
    if want("item:DateTimeCreated"):
        parts.append("<t:DateTimeCreated>%s</t:DateTimeCreated>" % fmt_time(int(it.created)))
    for name in sorted(ext_names if fields is not None else it.ext.keys()):
        if name in it.ext:
            parts.append('<t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId="PublicStrings" '
                         'PropertyName=%s PropertyType="String"/><t:Value>%s</t:Value></t:ExtendedProperty>'
                         % (quoteattr(name), escape(it.ext[name])))
    if want("calendar:UID"):
        parts.append("<t:UID>%s</t:UID>" % it.uid)
    if want("calendar:Start"):
        parts.append("<t:Start>%s</t:Start>" % fmt_time(v["start"]))
    if want("calendar:End"):
        parts.append("<t:End>%s</t:End>" % fmt_time(v["end"]))
    if want("calendar:IsAllDayEvent"):
        parts.append("<t:IsAllDayEvent>%s</t:IsAllDayEvent>" % str(it.all_day).lower())
    if want("calendar:LegacyFreeBusyStatus"):
        parts.append("<t:LegacyFreeBusyStatus>%s</t:LegacyFreeBusyStatus>" % v["show_as"])
    if want("calendar:Location") and it.location:
        parts.append("<t:Location>%s</t:Location>" % escape(it.location))
    if want("calendar:IsCancelled"):
        parts.append("<t:IsCancelled>%s</t:IsCancelled>" % str(it.cancelled).lower())
    if want("calendar:CalendarItemType"):
        parts.append("<t:CalendarItemType>%s</t:CalendarItemType>" % v["type"])
    if want("calendar:MyResponseType"):    # the room's own point of view: it organised it, or accepted
        parts.append("<t:MyResponseType>%s</t:MyResponseType>" % ("Organizer" if it.organized_by_room() else "Accept"))
    if want("calendar:Organizer"):
        name, email = it.organizer
        parts.append("<t:Organizer><t:Mailbox><t:Name>%s</t:Name><t:EmailAddress>%s</t:EmailAddress>"
                     "<t:RoutingType>SMTP</t:RoutingType></t:Mailbox></t:Organizer>"
                     % (escape(name or ""), escape(email)))
    return "<t:CalendarItem>%s</t:CalendarItem>" % "".join(parts)
