/* report_driver.c — a test-only front end to "Report a problem" without the screen: the same
 * config, report and transport code as roomsign's worker.
 *
 *   report_driver CONFIG PROBLEM NOW     NOW: "YYYY-MM-DDTHH:MM:SSZ", the time the report names
 *
 * Exit 0 when the server confirmed; 1 with "category: message" on stderr otherwise. */
#include <stdio.h>
#include "calendar/source.h"
#include "config.h"
#include "core/timeutil.h"
#include "net/http.h"
#include "report.h"

int
main(int argc, char **argv)
{
	struct config config = { 0 };
	struct source_error err = { 0 };
	char problems[2048] = "";
	rs_time now;
	if (argc != 4 || !time_parse_utc(argv[3], &now)) {
		fprintf(stderr, "usage: report_driver CONFIG PROBLEM YYYY-MM-DDTHH:MM:SSZ\n");
		return 2;
	}
	if (!config_load(&config, argv[1], problems, sizeof(problems))) {
		fprintf(stderr, "%s", problems);
		config_finish(&config);
		return 2;
	}
	time_set_zone(config.timezone);
	time_set_now(now, true);
	http_global_init();
	struct source *src = source_create(&config.source, &err);
	bool ok = src && report_send(src, &config, argv[2], now, &err);
	if (!ok)
		fprintf(stderr, "%s: %s\n", source_category_name(err.category), err.message);
	source_destroy(src);
	http_global_cleanup();
	config_finish(&config);
	return ok ? 0 : 1;
}
