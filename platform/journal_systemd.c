/* journal_systemd.c — log lines as journal entries with the sign's own fields. */
#include "journal.h"
#include <stdlib.h>
#include <systemd/sd-journal.h>
#include "core/log.h"

/* Called under log.c's lock: one entry per line, never interleaved. */
static bool
send_entry(const struct log_record *r)
{
	return sd_journal_send("MESSAGE=%s", r->line, "PRIORITY=%d", r->priority, "SYSLOG_IDENTIFIER=roomsign",
		       "ROOMSIGN_ROOM=%s", r->room, "ROOMSIGN_CATEGORY=%s", r->category, "ROOMSIGN_MODULE=%s",
		       r->module, NULL) >= 0;
}

bool
journal_log_install(void)
{
	/* JOURNAL_STREAM is how systemd says "stderr is the journal". A socket in /run alone is not
	 * enough: someone running roomsign in a terminal wants the lines there. */
	const char *stream = getenv("JOURNAL_STREAM");
	if (!stream || !*stream)
		return false;
	log_set_sink(send_entry);
	return true;
}
