/* fuzz_caldav_xml.c — libFuzzer target for the CalDAV multistatus parsers (caldav_xml.c):
 * every parser over the same bytes; nothing may crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "calendar/caldav_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* NUL-terminated copy: the parsers take (text, len) but callers hand them HTTP bodies,
	 * which http.c always terminates. */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	struct caldav_multistatus ms;
	if (caldav_xml_parse_multistatus(text, size, &ms)) {
		for (size_t i = 0; i < ms.count; i++) {
			char *name = caldav_href_name(ms.resources[i].href);
			free(name);
		}
	}
	caldav_multistatus_finish(&ms);

	struct caldav_principal p;
	caldav_xml_parse_principal(text, size, &p);
	caldav_principal_finish(&p);

	struct caldav_collection *list = NULL;
	size_t n = 0;
	caldav_xml_parse_collections(text, size, &list, &n);
	caldav_collections_free(list, n);

	caldav_xml_has_error(text, size, "valid-sync-token");
	free(text);
	return 0;
}
