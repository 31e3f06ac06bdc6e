#!/usr/bin/env python3
"""Writes one busy room's calendar — N occurrences over two days (default 1,000 from
2026-12-01 00:00 Europe/Copenhagen) — in every format roomsign reads, for the benchmarks:

  OUT/schedule.ics          one VCALENDAR: single events plus daily-ish series with EXDATE and a
                            RECURRENCE-ID override each (expanded by roomsign to N occurrences)
  OUT/caldav.xml            the same as a CalDAV calendar-query multistatus, one resource per UID
  OUT/ews_page1.xml, ...    EWS FindItem pages (CalendarView: occurrences already expanded),
                            EWS_PAGE_MAX (500) items per page
  OUT/graph.json            one Graph calendarView page with every occurrence

Usage: gen_schedule.py OUT [N]"""
import datetime as dt
import os
import sys
from xml.sax.saxutils import escape

DAY0 = dt.datetime(2026, 11, 30, 23, 0, tzinfo=dt.timezone.utc)   # 2026-12-01 00:00 in Copenhagen
SERIES = 20
PER_SERIES = 24          # every 2 hours for 48 hours
EWS_PAGE = 500
VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Copenhagen
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE"""
NAMES = ["Sprint planning", "1:1", "Design review", "Customer call", "Standup", "Interview",
         "Budget", "Retro", "Workshop", "Lunch & learn", "Hiring sync", "Board prep"]


def utc(t):
    return t.strftime("%Y%m%dT%H%M%SZ")


def local(t):
    return (t + dt.timedelta(hours=1)).strftime("%Y%m%dT%H%M%S")   # December: UTC+1


def occurrences(n):
    """(uid, start, end, subject, kind) for every occurrence, sorted by start."""
    out = []
    series = min(SERIES, n // (PER_SERIES * 2))
    for s in range(series):
        first = DAY0 + dt.timedelta(minutes=5 * s)
        for k in range(PER_SERIES):
            if k == 3:
                continue                                   # EXDATE
            start = first + dt.timedelta(hours=2 * k)
            if k == 5:
                start += dt.timedelta(minutes=30)          # the override moves it
            out.append((f"series-{s}", start, start + dt.timedelta(minutes=25), NAMES[s % len(NAMES)],
                        "override" if k == 5 else "occurrence", first + dt.timedelta(hours=2 * k)))
    singles = n - len(out)
    step = 2 * 86400 / max(singles, 1)
    for i in range(singles):
        start = DAY0 + dt.timedelta(seconds=int(i * step))
        out.append((f"single-{i}", start, start + dt.timedelta(minutes=15 + 15 * (i % 4)),
                    f"{NAMES[i % len(NAMES)]} #{i}", "single", None))
    out.sort(key=lambda o: (o[1], o[0]))
    return out, series


def write_ics(path, occ, series):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//roomsign//bench//EN", VTIMEZONE]
    lines += vevents(occ, series)
    lines.append("END:VCALENDAR")
    with open(path, "w", newline="") as f:
        f.write("\r\n".join(lines) + "\r\n")


def vevents(occ, series, only_uid=None):
    lines = []
    for s in range(series):
        uid = f"series-{s}"
        if only_uid not in (None, uid):
            continue
        first = DAY0 + dt.timedelta(minutes=5 * s)
        lines += ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T000000Z",
                  f"DTSTART;TZID=Europe/Copenhagen:{local(first)}",
                  f"DTEND;TZID=Europe/Copenhagen:{local(first + dt.timedelta(minutes=25))}",
                  f"RRULE:FREQ=HOURLY;INTERVAL=2;COUNT={PER_SERIES}",
                  f"EXDATE;TZID=Europe/Copenhagen:{local(first + dt.timedelta(hours=6))}",
                  f"SUMMARY:{NAMES[s % len(NAMES)]}", "ORGANIZER;CN=Anna Berg:mailto:anna@example.com",
                  "END:VEVENT"]
        rid = first + dt.timedelta(hours=10)
        lines += ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T000000Z",
                  f"RECURRENCE-ID;TZID=Europe/Copenhagen:{local(rid)}",
                  f"DTSTART;TZID=Europe/Copenhagen:{local(rid + dt.timedelta(minutes=30))}",
                  f"DTEND;TZID=Europe/Copenhagen:{local(rid + dt.timedelta(minutes=55))}",
                  f"SUMMARY:{NAMES[s % len(NAMES)]} (moved)", "END:VEVENT"]
    for uid, start, end, subject, kind, _ in occ:
        if kind != "single" or only_uid not in (None, uid):
            continue
        lines += ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T000000Z", f"DTSTART:{utc(start)}",
                  f"DTEND:{utc(end)}", f"SUMMARY:{subject}",
                  "ORGANIZER;CN=Bo Ek:mailto:bo@example.com", "END:VEVENT"]
    return lines


def write_caldav(path, occ, series):
    uids = [f"series-{s}" for s in range(series)] + [o[0] for o in occ if o[4] == "single"]
    parts = ['<?xml version="1.0" encoding="utf-8"?>',
             '<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">']
    for i, uid in enumerate(uids):
        body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//roomsign//bench//EN",
                            VTIMEZONE if uid.startswith("series") else ""] +
                           vevents(occ, series, uid) + ["END:VCALENDAR"]).replace("\r\n\r\n", "\r\n")
        parts.append(f"<response><href>/room/calendar/{uid}.ics</href><propstat><prop>"
                     f"<getetag>\"etag-{i}\"</getetag><C:calendar-data>{escape(body)}</C:calendar-data>"
                     "</prop><status>HTTP/1.1 200 OK</status></propstat></response>")
    parts.append("</multistatus>")
    with open(path, "w") as f:
        f.write("\n".join(parts))


def ews_item(i, o):
    uid, start, end, subject, kind, _ = o
    t = {"single": "Single", "occurrence": "Occurrence", "override": "Exception"}[kind]
    z = "%Y-%m-%dT%H:%M:%SZ"
    return (f'<t:CalendarItem><t:ItemId Id="AAMkADbench{i:06d}" ChangeKey="DwAAAB{i:06d}"/>'
            f"<t:Subject>{escape(subject)}</t:Subject><t:Sensitivity>Normal</t:Sensitivity>"
            f"<t:DateTimeCreated>2026-11-01T08:00:00Z</t:DateTimeCreated><t:UID>{uid}</t:UID>"
            f"<t:Start>{start.strftime(z)}</t:Start><t:End>{end.strftime(z)}</t:End>"
            "<t:IsAllDayEvent>false</t:IsAllDayEvent><t:LegacyFreeBusyStatus>Busy</t:LegacyFreeBusyStatus>"
            f"<t:IsCancelled>false</t:IsCancelled><t:CalendarItemType>{t}</t:CalendarItemType>"
            "<t:Organizer><t:Mailbox><t:Name>Anna Berg</t:Name><t:EmailAddress>anna@example.com"
            "</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType></t:Mailbox></t:Organizer></t:CalendarItem>")


def write_ews(out, occ):
    pages = [occ[i:i + EWS_PAGE] for i in range(0, len(occ), EWS_PAGE)]
    for p, page in enumerate(pages):
        last = "true" if p == len(pages) - 1 else "false"
        items = "".join(ews_item(p * EWS_PAGE + i, o) for i, o in enumerate(page))
        doc = ('<?xml version="1.0" encoding="utf-8"?>'
               '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
               '<m:FindItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" '
               'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>'
               '<m:FindItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>'
               f'<m:RootFolder TotalItemsInView="{len(occ)}" IncludesLastItemInRange="{last}" '
               f'IndexedPagingOffset="{(p + 1) * EWS_PAGE}"><t:Items>{items}</t:Items></m:RootFolder>'
               '</m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse></s:Body></s:Envelope>')
        with open(os.path.join(out, f"ews_page{p + 1}.xml"), "w") as f:
            f.write(doc)


def write_graph(path, occ):
    z = "%Y-%m-%dT%H:%M:%S.0000000"
    rows = []
    for i, (uid, start, end, subject, kind, _) in enumerate(occ):
        t = {"single": "singleInstance", "occurrence": "occurrence", "override": "exception"}[kind]
        subject = subject.replace('"', '\\"')
        rows.append(f'{{"@odata.etag":"W/\\"e{i}\\"","id":"AAMkAD-bench-{i:06d}=","changeKey":"c{i}",'
                    f'"createdDateTime":"2026-11-01T08:00:00Z","transactionId":null,"subject":"{subject}",'
                    f'"sensitivity":"normal","isAllDay":false,"isCancelled":false,"showAs":"busy","type":"{t}",'
                    f'"start":{{"dateTime":"{start.strftime(z)}","timeZone":"UTC"}},'
                    f'"end":{{"dateTime":"{end.strftime(z)}","timeZone":"UTC"}},'
                    '"organizer":{"emailAddress":{"name":"Anna Berg","address":"anna@example.com"}}}')
    with open(path, "w") as f:
        f.write('{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#events","value":[\n' +
                ",\n".join(rows) + "\n]}")


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    os.makedirs(out, exist_ok=True)
    occ, series = occurrences(n)
    write_ics(os.path.join(out, "schedule.ics"), occ, series)
    write_caldav(os.path.join(out, "caldav.xml"), occ, series)
    write_ews(out, occ)
    write_graph(os.path.join(out, "graph.json"), occ)
    print(f"{len(occ)} occurrences ({series} series) written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
