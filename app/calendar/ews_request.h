/* ews_request.h — Exchange Web Services SOAP requests: whole envelopes as strings, no I/O, so
 * they can be unit-tested. Times go out in UTC. The answers are read in ews_xml.h. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "../core/event.h"

/* The extended property the sign sets on its own bookings (see ews_build_create_item). */
#define EWS_MARKER_NAME "RoomsignBooking"
/* A check-in at any sign on the room, kept on the item so the others see it (issue 12). */
#define EWS_CHECKED_IN_NAME "RoomsignCheckedIn"

/* What goes into every SOAP header. */
struct ews_header {
	const char *version; /* RequestServerVersion, e.g. "Exchange2013_SP1" */
	const char *mailbox; /* impersonated room (primary SMTP); NULL: none */
};

/* Builders: a whole SOAP envelope, NUL-terminated; the caller frees it. Never NULL. */
char *ews_build_find_item(const struct ews_header *h, rs_time from, rs_time to, int max_entries);
char *ews_build_create_item(const struct ews_header *h, rs_time start, rs_time end, const char *subject);
char *ews_build_update_end(const struct ews_header *h, const char *id, const char *change_key, rs_time new_end);
char *ews_build_get_item(const struct ews_header *h, const char *id);
/* UpdateItem: sets the RoomsignCheckedIn extended property (AlwaysOverwrite: adding a flag
 * undoes nobody's edit), telling nobody. */
char *ews_build_set_checked_in(const struct ews_header *h, const char *id, const char *change_key);
/* hard: HardDelete (check's test booking), else MoveToDeletedItems. Never sends cancellations. */
char *ews_build_delete_item(const struct ews_header *h, const char *id, bool hard);
/* Declines a meeting someone else organised (CreateItem with DeclineItem), telling them why. */
char *ews_build_decline_item(const struct ews_header *h, const char *id, const char *change_key);
/* A plain-text message from the mailbox acted on (the impersonated room) to one address (NULL:
 * none, roomsign check's probe): CreateItem with MessageDisposition="SendOnly" (nothing kept in
 * the room's Sent Items). */
char *ews_build_send_message(const struct ews_header *h, const char *to, const char *subject, const char *body);
char *ews_build_get_folder(const struct ews_header *h);
/* ResolveNames of one address in the directory only, without contact data: the answer's
 * Resolution/Mailbox/Name is the display name. "SMTP:" in front makes it match addresses only. */
char *ews_build_resolve_names(const struct ews_header *h, const char *address);
/* Free/busy of rooms over whole UTC days covering [from, to). */
char *ews_build_get_user_availability(
	const struct ews_header *h, const char *const *rooms, size_t n, rs_time from, rs_time to);
/* Streaming notifications on the room's calendar (Exchange 2010 SP1 and later). */
char *ews_build_subscribe_streaming(const struct ews_header *h);
/* timeout_min: ConnectionTimeout, clamped to Exchange's 1-30 minutes. */
char *ews_build_get_streaming_events(const struct ews_header *h, const char *subscription_id, int timeout_min);
char *ews_build_unsubscribe(const struct ews_header *h, const char *subscription_id);
