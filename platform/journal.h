/* journal.h — the log as structured journal entries when systemd runs the sign. */
#pragma once
#include <stdbool.h>

/* Under systemd (JOURNAL_STREAM set: stderr is the journal) every log line from here on goes
 * through sd_journal_send with PRIORITY, SYSLOG_IDENTIFIER=roomsign, ROOMSIGN_ROOM,
 * ROOMSIGN_CATEGORY and ROOMSIGN_MODULE; a line the journal refuses still goes to stderr.
 * Returns whether it did; false elsewhere and when built without libsystemd. */
bool journal_log_install(void);
