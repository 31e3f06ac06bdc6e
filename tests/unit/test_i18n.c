/* i18n: the compiled catalogues from the build tree are really used (gettext ignores LANGUAGE
 * under the plain C locale, so this fails if i18n_set_language stops selecting C.UTF-8), and
 * dates read the way each language writes them. */
#include <string.h>
#include "test_support.h"
#include "core/timeutil.h"
#include "ui/i18n.h"

static int
utc(void **state)
{
	(void)state;
	return time_set_zone("UTC") ? 0 : -1;
}

static void
test_i18n_danish_catalogue_is_used(void **state)
{
	(void)state;
	assert_true(i18n_set_language("da", NULL));
	assert_string_equal(i18n_language(), "da");
	assert_string_equal(_("FREE"), "LEDIGT");
	assert_string_equal(_("BUSY"), "OPTAGET");
	assert_string_equal(_("Check in"), "Tjek ind");
}

static void
test_i18n_german_catalogue_is_used(void **state)
{
	(void)state;
	assert_true(i18n_set_language("de", NULL));
	assert_string_equal(_("FREE"), "FREI");
	assert_string_equal(_("End now"), "Jetzt beenden");
}

static void
test_i18n_switching_back_to_english_shows_source_text(void **state)
{
	(void)state;
	assert_true(i18n_set_language("da", NULL));
	assert_true(i18n_set_language("en", NULL));
	assert_string_equal(_("FREE"), "FREE");
}

static void
test_i18n_unknown_language_falls_back_to_english_text(void **state)
{
	(void)state;
	assert_false(i18n_set_language("xx", "/nonexistent"));
	assert_string_equal(_("BUSY"), "BUSY");
}

static void
test_i18n_dates_in_each_language(void **state)
{
	(void)state;
	char buf[64];
	rs_time t = t_utc("2026-12-01T10:15:00Z"); /* a Tuesday */
	assert_true(i18n_set_language("en", NULL));
	i18n_format_date(t, buf, sizeof(buf));
	assert_string_equal(buf, "Tuesday 1 December");
	assert_true(i18n_set_language("da", NULL));
	i18n_format_date(t, buf, sizeof(buf));
	assert_string_equal(buf, "tirsdag 1. december");
	assert_true(i18n_set_language("de", NULL));
	i18n_format_date(t, buf, sizeof(buf));
	assert_string_equal(buf, "Dienstag, 1. Dezember");
}

static void
test_i18n_times_are_24_hour_in_every_language(void **state)
{
	(void)state;
	char buf[16];
	static const char *const langs[] = { "en", "da", "de" };
	for (size_t i = 0; i < 3; i++) {
		assert_true(i18n_set_language(langs[i], NULL));
		time_format_hm(t_utc("2026-12-01T15:05:00Z"), buf, sizeof(buf));
		assert_string_equal(buf, "15:05");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_i18n_danish_catalogue_is_used),
		cmocka_unit_test(test_i18n_german_catalogue_is_used),
		cmocka_unit_test(test_i18n_switching_back_to_english_shows_source_text),
		cmocka_unit_test(test_i18n_unknown_language_falls_back_to_english_text),
		cmocka_unit_test(test_i18n_dates_in_each_language),
		cmocka_unit_test(test_i18n_times_are_24_hour_in_every_language),
	};
	return cmocka_run_group_tests(tests, utc, NULL);
}
