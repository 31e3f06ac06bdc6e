/* fuzz_ews_xml.c — libFuzzer target for the EWS response parsers: every answer a server (or
 * anything pretending to be one) can send goes through these. Links roomsign_lib. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "calendar/ews_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The parsers take a length, but http hands them NUL-terminated bodies: mimic that. */
	char *xml = malloc(size + 1);
	if (!xml)
		return 0;
	memcpy(xml, data, size);
	xml[size] = '\0';

	struct ews_status st;
	struct ews_page page;
	if (ews_parse_find_item(xml, size, &page, &st)) {
		struct source_error err = { 0 };
		struct ews_names names = { "EXAMPLE\\svc", "room@example.com", "https://x/EWS/Exchange.asmx" };
		if (strcmp(st.code, "NoError") != 0)
			ews_status_error(&st, &names, &err);
		for (size_t i = 0; i < page.count; i++)
			if (!page.events[i].id || page.events[i].end < page.events[i].start)
				abort(); /* the parser promised ids and sane times */
	}
	ews_page_finish(&page);

	struct event item;
	ews_parse_item(xml, size, &item, &st);
	event_finish(&item);

	struct ews_availability a[3];
	ews_parse_availability(xml, size, a, 3, &st);
	ews_availability_finish(a, 3);

	char name[256];
	ews_parse_resolve_names(xml, size, name, sizeof(name), &st);
	if (strlen(name) >= sizeof(name))
		abort();
	free(xml);
	return 0;
}
