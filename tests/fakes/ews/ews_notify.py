"""Streaming notifications in the fake Exchange (Exchange 2010 SP1 and later): Subscribe with a
StreamingSubscriptionRequest, GetStreamingEvents as a real chunked HTTP/1.1 stream, Unsubscribe.

What is modelled (Microsoft's EWS reference: Subscribe, GetStreamingEvents, ConnectionStatus,
"Handling notification-related errors", "EWS throttling in Exchange"):
  * one SOAP envelope per message of the stream: keep-alives (ConnectionStatus OK), notifications
    (CreatedEvent / ModifiedEvent / DeletedEvent / MovedEvent with TimeStamp, ItemId, ParentFolderId)
    and ConnectionStatus Closed when ConnectionTimeout (1-30 minutes) has run out;
  * at most settings.max_streaming_connections (3: Exchange 2013's HangingConnectionLimit) open
    streams per account; one more answers ErrorExceededConnectionCount;
  * a subscription nobody listens to expires after 30 minutes; an unknown or dropped one answers
    ErrorSubscriptionNotFound, and a live stream whose subscription is dropped gets that error with
    ErrorSubscriptionIds naming it, then ends;
  * settings.streaming false: an Exchange 2007 that has no StreamingSubscriptionRequest
    (ErrorSchemaValidation, as its schema refuses the element).

Settings for tests (POST /_admin/settings): keepalive_s (seconds between keep-alives, default 45),
minute_s (real seconds per ConnectionTimeout minute, default 60), stream_silent (the next n streams
go quiet after their third message, as a dead connection does), stream_buffered (a proxy that holds
the whole answer until the stream ends), max_streaming_connections, streaming."""

import secrets
import threading
import time
from xml.sax.saxutils import escape

from ews_store import MNS, TNS, EwsError, child, envelope, fmt_time, message, response, text_of

COND = threading.Condition()
SUBSCRIPTIONS = {}     # id -> {"room", "account", "pending": [(kind, item_id)], "idle_since", "dropped"}
OPEN = {}              # account -> open streams


def reset():
    with COND:
        SUBSCRIPTIONS.clear()
        COND.notify_all()


def notify(room_primary, kind, item_id):
    """A change in room's calendar (from any client, or from the test "in Outlook")."""
    with COND:
        for sub in SUBSCRIPTIONS.values():
            if sub["room"] == room_primary:
                sub["pending"].append((kind, item_id))
        COND.notify_all()


def drop_all():
    """The server lost every subscription (a failover, a restart)."""
    with COND:
        for sub in SUBSCRIPTIONS.values():
            sub["dropped"] = True
        SUBSCRIPTIONS.clear()
        COND.notify_all()


def subscribe(store, room, op, acct):
    if not store.settings.get("streaming", True):
        raise EwsError("ErrorSchemaValidation", "The request failed schema validation: The element 'Subscribe' "
                       "has invalid child element 'StreamingSubscriptionRequest'.", True)
    req = child(op, "StreamingSubscriptionRequest")
    if req is None:
        raise EwsError("ErrorInvalidRequest", "This fake supports streaming subscriptions only.", True)
    folder = child(child(req, "FolderIds"), "DistinguishedFolderId")
    kinds = [e.text for e in (child(req, "EventTypes") or [])]
    if folder is None or folder.get("Id") != "calendar" or not kinds:
        raise EwsError("ErrorInvalidSubscriptionRequest", "The subscription request needs the calendar folder "
                       "and at least one event type.")
    sub_id = "JgBzdWIx" + secrets.token_hex(16)
    with COND:
        SUBSCRIPTIONS[sub_id] = {"room": room.primary, "account": acct["name"].lower(), "pending": [],
                                 "idle_since": time.monotonic(), "dropped": False, "kinds": set(kinds)}
    return response("Subscribe", [message("Subscribe", "<m:SubscriptionId>%s</m:SubscriptionId>"
                                          "<m:Watermark>AQAAAA==</m:Watermark>" % sub_id)])


def unsubscribe(store, room, op, acct):
    sub_id = text_of(op, "SubscriptionId", "")
    with COND:
        sub = SUBSCRIPTIONS.get(sub_id)
        if sub is None or sub["room"] != room.primary:
            raise EwsError("ErrorSubscriptionNotFound", "The specified subscription was not found.")
        del SUBSCRIPTIONS[sub_id]
        sub["dropped"] = True
        COND.notify_all()
    return response("Unsubscribe", [message("Unsubscribe")])


def _part(inner, error=None):
    msg = message("GetStreamingEvents", inner, error)
    return envelope(response("GetStreamingEvents", [msg]))


def keepalive():
    return _part("<m:ConnectionStatus>OK</m:ConnectionStatus>")


def closed():
    return _part("<m:ConnectionStatus>Closed</m:ConnectionStatus>")


EVENT_NAMES = {"created": "CreatedEvent", "modified": "ModifiedEvent", "deleted": "DeletedEvent",
               "moved": "MovedEvent"}


def notifications(sub_id, events):
    now = fmt_time(int(time.time()))
    body = "".join('<t:%s><t:TimeStamp>%s</t:TimeStamp><t:ItemId Id="%s" ChangeKey="DwAAAA=="/>'
                   '<t:ParentFolderId Id="AQMkCALENDAR" ChangeKey="AQAAAA=="/></t:%s>'
                   % (EVENT_NAMES[k], now, escape(i), EVENT_NAMES[k]) for k, i in events)
    return _part("<m:Notifications><m:Notification><t:SubscriptionId>%s</t:SubscriptionId>%s"
                 "</m:Notification></m:Notifications>" % (sub_id, body))


def lost(sub_id):
    err = EwsError("ErrorSubscriptionNotFound", "The specified subscription was not found.")
    return _part("<m:ErrorSubscriptionIds><m:SubscriptionId>%s</m:SubscriptionId></m:ErrorSubscriptionIds>"
                 % sub_id, err)


def open_stream(store, room, op, acct):
    """Checks a GetStreamingEvents request. Returns (sub_id, timeout_s) for a stream, or raises
    EwsError with the answer to send instead (a plain, whole answer)."""
    sids = child(op, "SubscriptionIds")
    ids = [e.text for e in sids] if sids is not None else []
    if len(ids) != 1:
        raise EwsError("ErrorInvalidRequest", "This fake streams one subscription per connection.")
    try:
        minutes = int(text_of(op, "ConnectionTimeout", ""))
    except ValueError:
        raise EwsError("ErrorSchemaValidation", "ConnectionTimeout must be a whole number.", True)
    if not 1 <= minutes <= 30:
        raise EwsError("ErrorInvalidArgument", "ConnectionTimeout must be between 1 and 30 minutes.")
    minute_s = float(store.settings.get("minute_s", 60))
    name = acct["name"].lower()
    with COND:
        sub = SUBSCRIPTIONS.get(ids[0])
        if sub is not None and sub["idle_since"] is not None and \
                time.monotonic() - sub["idle_since"] > 30 * minute_s:
            del SUBSCRIPTIONS[ids[0]]           # nobody listened for 30 minutes: expired
            sub = None
        if sub is None or sub["room"] != room.primary:
            raise EwsError("ErrorSubscriptionNotFound", "The specified subscription was not found.")
        if OPEN.get(name, 0) >= int(store.settings.get("max_streaming_connections", 3)):
            raise EwsError("ErrorExceededConnectionCount", "You have exceeded the available concurrent connections "
                           "for your account. Try again once your other requests have completed.")
        OPEN[name] = OPEN.get(name, 0) + 1
        sub["idle_since"] = None
        sub["stream"] = sub.get("stream", 0) + 1     # a new connection supersedes the old one
        COND.notify_all()
    return ids[0], minutes * minute_s


def close_stream(acct, sub_id):
    with COND:
        OPEN[acct["name"].lower()] -= 1
        sub = SUBSCRIPTIONS.get(sub_id)
        if sub is not None:
            sub["idle_since"] = time.monotonic()


def messages(store, sub_id, timeout_s):
    """The stream's messages as they become due: yields envelopes, or None for "nothing yet"
    (the caller writes nothing). Ends with Closed after timeout_s, or with the loss of the
    subscription."""
    keepalive_s = float(store.settings.get("keepalive_s", 45))
    silent = int(store.settings.get("stream_silent", 0)) > 0
    if silent:
        store.settings["stream_silent"] = int(store.settings["stream_silent"]) - 1
    with COND:
        me = SUBSCRIPTIONS[sub_id]["stream"] if sub_id in SUBSCRIPTIONS else None
    start = time.monotonic()
    next_keepalive = start      # [U] a first keep-alive at once: the client knows the stream is up
    sent = 0
    while True:
        with COND:
            sub = SUBSCRIPTIONS.get(sub_id)
            if sub is None:
                yield lost(sub_id)
                return
            if sub.get("stream") != me:
                return                                 # superseded by a newer connection
            now = time.monotonic()
            if now - start >= timeout_s:
                yield closed()
                return
            if sub["pending"]:
                events, sub["pending"] = sub["pending"], []
                out = notifications(sub_id, events)
            elif now >= next_keepalive:
                next_keepalive = now + keepalive_s
                out = keepalive()
            else:
                COND.wait(min(next_keepalive, start + timeout_s) - now)
                continue
        if silent and sent >= 3:
            out = None                             # a dead connection: nothing after its third message
        sent += 1
        yield out


__all__ = ["subscribe", "unsubscribe", "open_stream", "close_stream", "messages", "notify", "drop_all", "reset",
           "MNS", "TNS"]
