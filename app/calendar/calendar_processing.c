#include "calendar_processing.h"
#include <stdio.h>
#include "../core/timeutil.h"

#define STEP "meeting subjects"

bool
calendar_processing_strips_subjects(const struct schedule *sch, size_t *judged_out)
{
	size_t judged = 0;
	bool any_own = false;
	for (size_t i = 0; sch && i < sch->count; i++) {
		const struct event *e = &sch->events[i];
		if (e->is_private || e->booked_here || !event_blocks_room(e))
			continue;
		judged++;
		any_own = any_own || event_has_own_subject(e);
	}
	*judged_out = judged;
	return judged >= CALENDAR_PROCESSING_MIN_SEEN && !any_own;
}

/* Room mailboxes by default replace a meeting's subject with the organizer's name
 * (AddOrganizerToSubject), delete it (DeleteSubject) and clear the private flag
 * (RemovePrivateProperty). Keeping subjects without keeping the flag would put a private
 * meeting's subject on the door, so the fix always carries -RemovePrivateProperty $false. */
static void
report_fix(const struct source_config *cfg, size_t judged, check_report_fn report, void *ctx)
{
	char fix[1400];
	snprintf(fix, sizeof(fix),
		"All %zu meetings in the next %d days have their organizer's name or nothing as subject: the "
		"room mailbox replaces subjects (AddOrganizerToSubject) or deletes them (DeleteSubject), so the "
		"sign can only say \"Booked by <organizer>\".\n"
		"To keep subjects, an Exchange admin runs in %s:\n"
		"  Set-CalendarProcessing -Identity %s -DeleteSubject $false -AddOrganizerToSubject $false "
		"-RemovePrivateProperty $false\n"
		"-RemovePrivateProperty $false keeps the organizer's private flag: without it Exchange clears the "
		"flag and, once subjects are kept, a private meeting's subject shows on the door; with it the sign "
		"says \"Private meeting\", as the room's calendar does to anyone not allowed to see private items.\n"
		"Meetings booked before the change keep the subjects they have.",
		judged, CALENDAR_PROCESSING_DAYS,
		cfg->type == SOURCE_GRAPH
			? "Exchange Online PowerShell (Connect-ExchangeOnline)"
			: "the Exchange Management Shell (Exchange Online PowerShell for Microsoft 365)",
		cfg->mailbox ? cfg->mailbox : "<room>");
	report(ctx, false, STEP, fix);
}

void
calendar_processing_check(struct source *s, check_report_fn report, void *ctx)
{
	const struct source_config *cfg = s->config;
	if (cfg->type != SOURCE_EWS && cfg->type != SOURCE_GRAPH)
		return; /* CalDAV and ICS calendars keep what the organizer wrote */
	struct schedule *sch = NULL;
	struct source_error err = { 0 };
	rs_time now = time_now();
	if (!source_fetch(s, now, now + CALENDAR_PROCESSING_DAYS * TIME_DAY, &sch, &err)) {
		report(ctx, false, STEP, err.message);
		return;
	}
	size_t judged;
	bool stripped = calendar_processing_strips_subjects(sch, &judged);
	schedule_destroy(sch);
	if (stripped) {
		report_fix(cfg, judged, report, ctx);
		return;
	}
	char detail[160];
	if (judged < CALENDAR_PROCESSING_MIN_SEEN)
		snprintf(detail, sizeof(detail), "%zu meeting%s in the next %d days: too few to tell", judged,
			judged == 1 ? "" : "s", CALENDAR_PROCESSING_DAYS);
	else
		snprintf(detail, sizeof(detail), "the meetings of the next %d days keep their subjects",
			CALENDAR_PROCESSING_DAYS);
	report(ctx, true, STEP, detail);
}
