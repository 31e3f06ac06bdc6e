"""The EWS operations the fake Exchange answers. Each takes the store, the mailbox acted on
(the impersonated room, or the account's own) and the operation element; returns the body XML
(inside s:Body) or raises EwsError."""

import re
import time
from xml.sax.saxutils import escape, quoteattr

from ews_store import (CALENDAR_ITEM_ORDER, FREE_BUSY, REPEATABLE, EwsError, Item, calendar_item_xml, child,
                       fmt_time, local, message, parse_time, response, text_of, MNS, TNS)

TWO_YEARS = 2 * 366 * 86400
# The values each operation's attribute may take (the EWS schema's enumerations).
SEND_INVITATIONS = ("SendToNone", "SendOnlyToAll", "SendToAllAndSaveCopy")
SEND_INVITATIONS_OR_CANCELLATIONS = ("SendToNone", "SendOnlyToAll", "SendOnlyToChanged", "SendToAllAndSaveCopy",
                                     "SendToChangedAndSaveCopy")
SEND_CANCELLATIONS = ("SendToNone", "SendOnlyToAll", "SendToAllAndSaveCopy")
MESSAGE_DISPOSITIONS = ("SaveOnly", "SendOnly", "SendAndSaveCopy")


def _enum(op, attr, allowed):
    """The attribute's value, which must be one of allowed (absent: None); else the schema fault."""
    value = op.get(attr)
    if value is not None and value not in allowed:
        raise _schema_error("The '%s' attribute is invalid - The value '%s' is invalid according to its datatype "
                            "'%s' - The Enumeration constraint failed." % (attr, value, attr))
    return value


def _schema_error(violation):
    return EwsError("ErrorSchemaValidation", "The request failed schema validation: " + violation, fault=True)


def _time_or_schema_error(s, what):
    try:
        return parse_time(s)
    except (ValueError, AttributeError):
        raise _schema_error("The '%s' value '%s' is invalid according to its datatype." % (what, s))


def find_item(store, room, op):
    shape = child(op, "ItemShape")
    fields, ext_names = set(), set()
    base = text_of(shape, "BaseShape", "IdOnly")
    for f in child(shape, "AdditionalProperties") if child(shape, "AdditionalProperties") is not None else []:
        if local(f) == "FieldURI":
            fields.add(f.get("FieldURI"))
        elif local(f) == "ExtendedFieldURI":
            ext_names.add(f.get("PropertyName"))
    if base in ("Default", "AllProperties"):
        fields |= {"item:Subject", "calendar:Start", "calendar:End", "calendar:Organizer",
                   "calendar:LegacyFreeBusyStatus", "calendar:Location", "calendar:CalendarItemType"}
    folder = child(child(op, "ParentFolderIds"), "DistinguishedFolderId")
    if child(op, "ParentFolderIds") is None or len(child(op, "ParentFolderIds")) == 0:
        raise _schema_error("The element 'FindItem' has incomplete content: 'ParentFolderIds' expected.")
    view = child(op, "CalendarView")
    if folder is None or folder.get("Id") != "calendar":
        # Only the calendar folder holds the room's meetings; a CalendarView of any other folder
        # is refused, as Exchange does.
        raise EwsError("ErrorCalendarFolderIsInvalidForCalendarView",
                       "Calendar view is only valid for calendar folders (asked: %s)."
                       % (folder.get("Id") if folder is not None else "a folder id"))
    box = child(child(folder, "Mailbox"), "EmailAddress")
    if box is not None and (box.text or "").strip().lower() != room.primary.lower():
        raise EwsError("ErrorAccessDenied", "The folder asked for (%s's calendar) is not the impersonated "
                       "mailbox's." % (box.text or "").strip())
    if view is None:
        raise EwsError("ErrorInvalidRequest", "This fake answers FindItem on a calendar only with a CalendarView.")
    start = _time_or_schema_error(view.get("StartDate"), "StartDate")
    end = _time_or_schema_error(view.get("EndDate"), "EndDate")
    if end < start:
        raise EwsError("ErrorCalendarEndDateIsEarlierThanStartDate", "EndDate is earlier than StartDate")
    if end - start > TWO_YEARS:
        raise EwsError("ErrorCalendarViewRangeTooBig", "The calendar view range is too big.")
    # EWSFindCountLimit: the throttling policy caps a page whatever the client asks for.
    max_entries = min(int(view.get("MaxEntriesReturned", "1000")), int(store.settings.get("find_count_limit", 1000)))
    with store.lock:
        rows = store.view_rows(room, start, end)
        total = len(rows)
        page = rows[:max_entries]
        items = "".join(calendar_item_xml(v, fields, ext_names) for v in page)
    root = ('<m:RootFolder TotalItemsInView="%d" IncludesLastItemInRange="%s"><t:Items>%s</t:Items>'
            '</m:RootFolder>' % (total, "true" if len(page) == total else "false", items))
    return response("FindItem", [message("FindItem", root)])


def _check_order(item_el):
    last = -1
    for c in item_el:
        name = local(c)
        if name not in CALENDAR_ITEM_ORDER:
            raise _schema_error("The element '%s' in namespace '%s' is not expected in CalendarItem." % (name, TNS))
        pos = CALENDAR_ITEM_ORDER.index(name)
        if pos < last or (pos == last and name not in REPEATABLE):
            raise _schema_error("The element 'CalendarItem' in namespace '%s' has invalid child element '%s'."
                                % (TNS, name))
        last = pos


def _create_calendar_item(store, room, el):
    _check_order(el)
    start, end = text_of(el, "Start"), text_of(el, "End")
    if not start or not end:
        raise EwsError("ErrorInvalidRequest", "A calendar item needs Start and End.")
    s = _time_or_schema_error(start, "Start")
    e = _time_or_schema_error(end, "End")
    if e < s:
        raise EwsError("ErrorCalendarEndDateIsEarlierThanStartDate", "EndDate is earlier than StartDate")
    if e - s > 5 * 365 * 86400:
        raise EwsError("ErrorCalendarDurationIsTooLong", "The duration of the calendar item is too long.")
    show_as = text_of(el, "LegacyFreeBusyStatus", "Busy")
    if show_as not in FREE_BUSY:
        raise _schema_error("The 'LegacyFreeBusyStatus' value '%s' is invalid." % show_as)
    ext = {}
    for c in el:
        if local(c) == "ExtendedProperty":
            uri = child(c, "ExtendedFieldURI")
            if uri is None or text_of(c, "Value") is None:
                raise _schema_error("ExtendedProperty needs ExtendedFieldURI and Value.")
            ext[uri.get("PropertyName")] = text_of(c, "Value")
    with store.lock:
        item = Item(room, {"subject": text_of(el, "Subject"), "start": s, "end": e, "show_as": show_as,
                           "sensitivity": text_of(el, "Sensitivity", "Normal"), "ext": ext,
                           "location": text_of(el, "Location"), "created": time.time()})
        room.items[item.id] = item
        store.sent.append({"kind": "create", "room": room.primary, "id": item.id})
    return '<t:CalendarItem><t:ItemId Id=%s ChangeKey=%s/></t:CalendarItem>' % (quoteattr(item.id), quoteattr(item.ck))


def _decline(store, room, el, disposition):
    ref = child(el, "ReferenceItemId")
    if ref is None:
        raise _schema_error("DeclineItem needs ReferenceItemId.")
    if disposition is None:
        raise EwsError("ErrorMessageDispositionRequired", "MessageDisposition is required for this operation.")
    if disposition == "SaveOnly":
        # Exchange saves the decline as a draft: nothing is sent and the meeting stays.
        with store.lock:
            store.sent.append({"kind": "draft", "room": room.primary, "id": ref.get("Id")})
        return ""
    with store.lock:
        v = store.find_view(room, ref.get("Id"))
        it = v["item"]
        ck = ref.get("ChangeKey")
        if ck is not None and ck != v["ck"]:
            raise EwsError("ErrorStaleObject",
                           "The change key passed in the request does not match the current change key for the item.")
        if it.organized_by_room():
            raise EwsError("ErrorCalendarIsOrganizerForDecline", "An organizer cannot decline a meeting.")
        if it.cancelled:
            raise EwsError("ErrorCalendarIsCancelledForDecline", "The meeting was cancelled by the organizer.")
        if v["index"] is not None:
            it.deleted.add(v["index"])
        else:
            del room.items[it.id]
        store.sent.append({"kind": "decline", "room": room.primary, "id": v["id"], "to": it.organizer[1]})
    return ""


def _addresses(el, name):
    """The EmailAddress of every Mailbox under ToRecipients / CcRecipients / BccRecipients."""
    out = []
    for mb in child(el, name) if child(el, name) is not None else []:
        if local(mb) == "Mailbox" and text_of(mb, "EmailAddress"):
            out.append(text_of(mb, "EmailAddress"))
    return out


def _create_message(store, room, el, disposition):
    """A t:Message sent from the mailbox acted on (the impersonated room). Exchange wants a
    MessageDisposition for messages; SaveOnly only drafts it; sending needs a recipient."""
    if disposition is None:
        raise EwsError("ErrorMessageDispositionRequired", "MessageDisposition is required for this operation.")
    body = child(el, "Body")
    record = {"from": room.primary, "to": _addresses(el, "ToRecipients"), "cc": _addresses(el, "CcRecipients"),
              "bcc": _addresses(el, "BccRecipients"), "subject": text_of(el, "Subject"),
              "body": body.text if body is not None else None,
              "body_type": body.get("BodyType") if body is not None else None,
              "disposition": disposition, "time": time.time()}
    if disposition == "SaveOnly":   # a draft in the room's Drafts folder: nothing is sent
        with store.lock:
            store.sent.append({"kind": "draft-message", "room": room.primary})
        return ""
    if not (record["to"] or record["cc"] or record["bcc"]):
        raise EwsError("ErrorInvalidRecipients",
                       "At least one recipient isn't valid., A message can't be sent because it contains no "
                       "recipients.")
    with store.lock:
        store.sent_mail.append(record)
    return ""


def create_item(store, room, op):
    items = child(op, "Items")
    if items is None or len(items) == 0:
        raise _schema_error("CreateItem needs Items.")
    out = []
    for el in items:
        name = local(el)
        try:
            if name == "CalendarItem":
                if _enum(op, "SendMeetingInvitations", SEND_INVITATIONS) is None:
                    raise EwsError("ErrorSendMeetingInvitationsRequired",
                                   "SendMeetingInvitations is required for calendar items.")
                out.append(message("CreateItem", "<m:Items>%s</m:Items>" % _create_calendar_item(store, room, el)))
            elif name == "DeclineItem":
                out.append(message("CreateItem", "<m:Items>%s</m:Items>"
                                   % _decline(store, room, el, _enum(op, "MessageDisposition",
                                                                     MESSAGE_DISPOSITIONS))))
            elif name == "Message":
                out.append(message("CreateItem", "<m:Items>%s</m:Items>"
                                   % _create_message(store, room, el, _enum(op, "MessageDisposition",
                                                                            MESSAGE_DISPOSITIONS))))
            else:
                raise EwsError("ErrorInvalidRequest", "This fake cannot create %s." % name)
        except EwsError as err:
            if err.fault:
                raise
            out.append(message("CreateItem", "<m:Items/>", err))
    return response("CreateItem", out)


def _set_extended(upd, ci):
    """SetItemField of an extended property (types.xsd): the path's ExtendedFieldURI and the item's
    ExtendedProperty must name the same property, with a Value. The fake stores PublicStrings
    String properties by name, as CreateItem does."""
    path = child(upd, "ExtendedFieldURI")
    prop = child(ci, "ExtendedProperty") if ci is not None else None
    uri = child(prop, "ExtendedFieldURI") if prop is not None else None
    if uri is None or text_of(prop, "Value") is None:
        raise _schema_error("SetItemField of an extended property needs CalendarItem/ExtendedProperty with "
                            "ExtendedFieldURI and Value.")
    key = ("DistinguishedPropertySetId", "PropertySetId", "PropertyName", "PropertyType")
    if any(path.get(k) != uri.get(k) for k in key):
        raise EwsError("ErrorInvalidPropertySet", "The property in the path and in the item differ.")
    if path.get("DistinguishedPropertySetId") != "PublicStrings" or path.get("PropertyType") != "String":
        raise EwsError("ErrorInvalidPropertySet", "This fake stores PublicStrings String properties only.")
    return {path.get("PropertyName"): text_of(prop, "Value")}


def _apply_update(store, room, change, resolution):
    ref = child(change, "ItemId")
    if ref is None:
        raise _schema_error("ItemChange needs ItemId.")
    v = store.find_view(room, ref.get("Id"))
    it = v["item"]
    ck = ref.get("ChangeKey")
    if ck is not None and ck != v["ck"] and resolution != "AlwaysOverwrite":
        raise EwsError("ErrorIrresolvableConflict",
                       "The send or update operation could not be performed because the change key passed in "
                       "the request does not match the current change key for the item.")
    new = {"start": v["start"], "end": v["end"], "subject": v["subject"]}
    ext = {}
    for upd in child(change, "Updates") if child(change, "Updates") is not None else []:
        if local(upd) != "SetItemField":
            raise EwsError("ErrorInvalidRequest", "This fake supports SetItemField only.")
        ci = child(upd, "CalendarItem")
        if child(upd, "ExtendedFieldURI") is not None:
            ext.update(_set_extended(upd, ci))
            continue
        uri = child(upd, "FieldURI").get("FieldURI")
        if uri == "calendar:End":
            new["end"] = _time_or_schema_error(text_of(ci, "End"), "End")
        elif uri == "calendar:Start":
            new["start"] = _time_or_schema_error(text_of(ci, "Start"), "Start")
        elif uri == "item:Subject":
            new["subject"] = text_of(ci, "Subject")
        else:
            raise EwsError("ErrorInvalidPropertySet", "This fake cannot set %s." % uri)
    if new["end"] < new["start"]:
        raise EwsError("ErrorCalendarEndDateIsEarlierThanStartDate", "EndDate is earlier than StartDate")
    if ext and v["index"] is not None:
        raise EwsError("ErrorInvalidPropertySet", "This fake sets extended properties on single items only.")
    it.ext.update(ext)
    if v["index"] is None:
        it.start, it.end, it.subject = new["start"], new["end"], new["subject"]
        it.bump()
        ck_new, id_new = it.ck, it.id
    else:
        # Changing one occurrence turns it into an exception of the series.
        ex = it.exceptions.setdefault(v["index"], {})
        ex.update(start=new["start"], end=new["end"], subject=new["subject"], ck=Item.new_ck())
        ck_new, id_new = ex["ck"], v["id"]
    store.sent.append({"kind": "update", "room": room.primary, "id": id_new})
    return '<t:CalendarItem><t:ItemId Id=%s ChangeKey=%s/></t:CalendarItem>' % (quoteattr(id_new), quoteattr(ck_new))


def update_item(store, room, op):
    if _enum(op, "SendMeetingInvitationsOrCancellations", SEND_INVITATIONS_OR_CANCELLATIONS) is None:
        raise EwsError("ErrorSendMeetingInvitationsOrCancellationsRequired",
                       "SendMeetingInvitationsOrCancellations is required for calendar items.")
    resolution = op.get("ConflictResolution", "AutoResolve")
    out = []
    for change in child(op, "ItemChanges") if child(op, "ItemChanges") is not None else []:
        try:
            with store.lock:
                item = _apply_update(store, room, change, resolution)
            out.append(message("UpdateItem", "<m:Items>%s</m:Items><m:ConflictResults><t:Count>0</t:Count>"
                               "</m:ConflictResults>" % item))
        except EwsError as err:
            if err.fault:
                raise
            out.append(message("UpdateItem", "<m:Items/>", err))
    return response("UpdateItem", out)


def delete_item(store, room, op):
    if op.get("DeleteType") is None:
        raise _schema_error("The required attribute 'DeleteType' is missing.")
    if _enum(op, "SendMeetingCancellations", SEND_CANCELLATIONS) is None:
        raise EwsError("ErrorSendMeetingCancellationsRequired",
                       "SendMeetingCancellations is required for calendar items.")
    out = []
    for ref in child(op, "ItemIds") if child(op, "ItemIds") is not None else []:
        try:
            with store.lock:
                v = store.find_view(room, ref.get("Id"))
                it = v["item"]
                if v["index"] is not None:
                    it.deleted.add(v["index"])
                else:
                    del room.items[it.id]
                # A delete of someone else's meeting tells nobody: recorded so tests can catch it.
                store.sent.append({"kind": "delete", "room": room.primary, "id": v["id"],
                                   "organizer": it.organizer[1], "silent": not it.organized_by_room(),
                                   "delete_type": op.get("DeleteType")})
            out.append(message("DeleteItem"))
        except EwsError as err:
            out.append(message("DeleteItem", "", err))
    return response("DeleteItem", out)


def get_item(store, room, op):
    out = []
    for ref in child(op, "ItemIds") if child(op, "ItemIds") is not None else []:
        try:
            with store.lock:
                v = store.find_view(room, ref.get("Id"))
                xml = calendar_item_xml(v, None, set())
            out.append(message("GetItem", "<m:Items>%s</m:Items>" % xml))
        except EwsError as err:
            out.append(message("GetItem", "<m:Items/>", err))
    return response("GetItem", out)


def get_folder(store, room, op):
    ids = child(op, "FolderIds")
    dist = child(ids, "DistinguishedFolderId")
    if dist is None or dist.get("Id") != "calendar":
        raise EwsError("ErrorFolderNotFound", "The specified folder could not be found in the store.")
    with store.lock:
        count = len(room.items)
    inner = ('<m:Folders><t:CalendarFolder><t:FolderId Id="AQMkCAL%s" ChangeKey="AgAAAA=="/>'
             '<t:DisplayName>Calendar</t:DisplayName><t:TotalCount>%d</t:TotalCount><t:ChildFolderCount>0'
             '</t:ChildFolderCount></t:CalendarFolder></m:Folders>' % (abs(hash(room.primary)) % 10 ** 8, count))
    return response("GetFolder", [message("GetFolder", inner)])


def get_user_availability(store, room, op):
    tz = child(op, "TimeZone")
    bias_min = int(text_of(tz, "Bias", "0"))
    opts = child(op, "FreeBusyViewOptions")
    window = child(opts, "TimeWindow")
    if window is None:
        raise _schema_error("FreeBusyViewOptions needs TimeWindow.")

    def to_utc(s):
        # Times without an offset are in the request's zone (UTC - Bias).
        if s.endswith("Z") or "+" in s[10:] or s[10:].count("-"):
            return parse_time(s)
        return parse_time(s + "Z") + bias_min * 60

    def from_utc(t):
        return fmt_time(t - bias_min * 60)[:-1]
    start, end = to_utc(text_of(window, "StartTime")), to_utc(text_of(window, "EndTime"))
    if end - start > 42 * 86400:
        raise EwsError("ErrorFreeBusyGenerationFailed", "The time window is longer than 42 days.", fault=False)
    responses = []
    boxes = child(op, "MailboxDataArray")
    if boxes is None or len(boxes) > 100:
        raise EwsError("ErrorInvalidRequest", "MailboxDataArray must list 1 to 100 mailboxes.", fault=True)
    for md in boxes:
        addr = text_of(child(md, "Email"), "Address", "")
        with store.lock:
            target = store.resolve(addr, primary_only=False)
            rows = store.view_rows(target, start, end) if target else []
        if target is None:
            msg = ('<ResponseMessage ResponseClass="Error"><MessageText>No mailbox with such guid.</MessageText>'
                   '<ResponseCode>ErrorMailRecipientNotFound</ResponseCode><DescriptiveLinkKey>0'
                   '</DescriptiveLinkKey></ResponseMessage>')
            responses.append("<FreeBusyResponse>%s<FreeBusyView><t:FreeBusyViewType>None</t:FreeBusyViewType>"
                             "</FreeBusyView></FreeBusyResponse>" % msg)
            continue
        events = "".join("<t:CalendarEvent><t:StartTime>%s</t:StartTime><t:EndTime>%s</t:EndTime>"
                         "<t:BusyType>%s</t:BusyType></t:CalendarEvent>"
                         % (from_utc(v["start"]), from_utc(v["end"]), v["show_as"])
                         for v in rows if v["end"] > start and not v["item"].cancelled)
        responses.append('<FreeBusyResponse><ResponseMessage ResponseClass="Success"><ResponseCode>NoError'
                         '</ResponseCode></ResponseMessage><FreeBusyView><t:FreeBusyViewType>FreeBusy'
                         '</t:FreeBusyViewType><t:CalendarEventArray>%s</t:CalendarEventArray></FreeBusyView>'
                         '</FreeBusyResponse>' % events)
    return ('<GetUserAvailabilityResponse xmlns="%s" xmlns:t="%s"><FreeBusyResponseArray>%s'
            '</FreeBusyResponseArray></GetUserAvailabilityResponse>' % (MNS, TNS, "".join(responses)))


def resolve_names(store, room, op):
    """ResolveNames in the address book: an address ("SMTP:" in front or not) matches a room's
    primary address or an alias and answers its display name (the seed's "name"); a room the
    seed hides from the address lists ("hidden": true), or an unknown address, answers
    ErrorNameResolutionNoResults. Exchange resolves in the context of a mailbox: without
    ExchangeImpersonation the caller's own, and a service account has none."""
    if room.kind == "user":
        raise EwsError("ErrorNonExistentMailbox", "The SMTP address has no mailbox associated with it.")
    _enum(op, "SearchScope", ("ActiveDirectory", "ActiveDirectoryContacts", "Contacts", "ContactsActiveDirectory"))
    _enum(op, "ReturnFullContactData", ("true", "false"))
    entry = (text_of(op, "UnresolvedEntry", "") or "").strip()
    if not entry:
        raise _schema_error("The element 'ResolveNames' has incomplete content: 'UnresolvedEntry' expected.")
    if entry.lower().startswith("smtp:"):
        entry = entry[5:]
    with store.lock:
        target = store.resolve(entry, primary_only=False)
    if target is None or target.kind != "room" or target.hidden:
        raise EwsError("ErrorNameResolutionNoResults", "No results were found.")
    inner = ('<m:ResolutionSet TotalItemsInView="1" IncludesLastItemInRange="true"><t:Resolution><t:Mailbox>'
             '<t:Name>%s</t:Name><t:EmailAddress>%s</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType>'
             '<t:MailboxType>Mailbox</t:MailboxType></t:Mailbox></t:Resolution></m:ResolutionSet>'
             % (escape(target.name), escape(target.primary)))
    return response("ResolveNames", [message("ResolveNames", inner)])


OPERATIONS = {
    "FindItem": find_item,
    "CreateItem": create_item,
    "UpdateItem": update_item,
    "DeleteItem": delete_item,
    "GetItem": get_item,
    "GetFolder": get_folder,
    "GetUserAvailabilityRequest": get_user_availability,
    "ResolveNames": resolve_names,
}


def response_code(body):
    """For the request log: the first ResponseCode in an answer."""
    m = re.search(r"<(?:\w+:)?ResponseCode[^>]*>([^<]*)<", body)
    return m.group(1) if m else None


__all__ = ["OPERATIONS", "response_code", "escape"]
