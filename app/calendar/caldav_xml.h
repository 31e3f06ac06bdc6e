/* caldav_xml.h — WebDAV/CalDAV XML (RFC 4918, 4791, 6578) in and out, no I/O: multistatus
 * answers parsed into plain structs, request bodies built. Namespaces are matched by URI,
 * never by prefix, so Radicale's default-namespace answers and sabre/dav's d:/cal: both work. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "../core/event.h"

#define CALDAV_XML_MAX_LEN       (32L << 20) /* bodies larger than this are refused unparsed */
#define CALDAV_XML_MAX_RESPONSES 20000       /* <response> elements kept from one multistatus */

/* One collection from a PROPFIND (Depth 0 or 1). */
struct caldav_collection {
	char *href;        /* as the server wrote it, trimmed */
	char *displayname; /* NULL when absent */
	char *sync_token;  /* RFC 6578 DAV:sync-token, NULL when not offered */
	bool is_calendar;  /* resourcetype holds C:calendar */
	bool has_vevent;   /* supported-calendar-component-set allows VEVENT (or is absent) */
};

/* One member resource from a REPORT (calendar-query, calendar-multiget, sync-collection). */
struct caldav_resource {
	char *href;
	char *etag; /* NULL when absent */
	char *data; /* C:calendar-data, NULL when absent */
	int status; /* 200, or the response's status (404: removed/missing) */
};

struct caldav_multistatus {
	struct caldav_resource *resources;
	size_t count;
	char *sync_token; /* the top-level DAV:sync-token (sync-collection), or NULL */
	bool truncated;   /* a 507 response for the request URI: more changes follow */
};

/* Properties of the first response of a Depth-0 PROPFIND, for discovery. */
struct caldav_principal {
	char *principal;       /* DAV:current-user-principal/href */
	char *home;            /* C:calendar-home-set/href (the first) */
	char *schedule_outbox; /* C:schedule-outbox-URL/href: the server does RFC 6638 */
	char *displayname;     /* DAV:displayname, NULL when absent */
	bool is_calendar;      /* the resource itself is a calendar collection */
};

/* Each parser returns false when the text is not a DAV:multistatus document (not XML, wrong
 * root, over the size cap); the out-struct is then zeroed. Free with the matching _finish. */
bool caldav_xml_parse_principal(const char *xml, size_t len, struct caldav_principal *out);
void caldav_principal_finish(struct caldav_principal *p);

bool caldav_xml_parse_collections(const char *xml, size_t len, struct caldav_collection **out, size_t *count_out);
void caldav_collections_free(struct caldav_collection *list, size_t count);

bool caldav_xml_parse_multistatus(const char *xml, size_t len, struct caldav_multistatus *out);
void caldav_multistatus_finish(struct caldav_multistatus *ms);

/* Is this a DAV:error body naming the precondition `name` (e.g. "valid-sync-token")? */
bool caldav_xml_has_error(const char *xml, size_t len, const char *name);

/* Request bodies, malloc'd. Times go out as UTC "YYYYMMDDTHHMMSSZ"; hrefs and tokens escaped. */
char *caldav_xml_propfind_discovery(void);   /* resourcetype, displayname, principal, home, outbox */
char *caldav_xml_propfind_collections(void); /* resourcetype, displayname, components, sync-token */
char *caldav_xml_calendar_query(rs_time from, rs_time to);
char *caldav_xml_sync_collection(const char *sync_token); /* NULL or "": initial sync */
char *caldav_xml_multiget(const char *const *hrefs, size_t count);
/* The last path segment of an href without slashes ("/room/fjord/" → "fjord"), malloc'd. */
char *caldav_href_name(const char *href);
