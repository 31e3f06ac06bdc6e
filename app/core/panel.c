#include "panel.h"

struct led_choice
led_choice_for(bool has_schedule, bool sync_failed, enum room_status status)
{
	struct led_choice c = { LED_OFF, false, false };
	if (!has_schedule)
		return c;
	c.colour = status == ROOM_FREE ? LED_GREEN : status == ROOM_BUSY ? LED_RED : LED_AMBER;
	c.blink = status == ROOM_CHECKIN;
	c.offline = sync_failed;
	return c;
}

bool
night_contains(struct night_window night, rs_time now)
{
	if (!night.set)
		return false;
	int m = time_minute_of_day(now);
	if (night.from_min <= night.to_min)
		return m >= night.from_min && m < night.to_min;
	return m >= night.from_min || m < night.to_min;
}

bool
panel_on_at(struct night_window night, rs_time now, uint64_t now_ms, uint64_t wake_until_ms)
{
	return !night_contains(night, now) || now_ms < wake_until_ms;
}
