# iCalendar recurrence against an independent implementation (issue 17): ical_differential.py
# generates seeded random calendars and compares `roomsign agenda` with Debian's
# python3-recurring-ical-events on each window, printing the agreement rate. The short run is CI's
# (label integration, ~20 s); the long one runs with `ctest -L fuzz`. The kept disagreements
# (tests/fixtures/regress/ical/differential-*.ics, with their expected lines) replay every time.
add_test(NAME integration.ical_differential
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/ical_differential.py $<TARGET_FILE:roomsign>
		run --seed 17 --count 250 --keep ${CMAKE_CURRENT_BINARY_DIR}/ical-differential-disagreements)
add_test(NAME integration.ical_differential.regress
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/ical_differential.py $<TARGET_FILE:roomsign>
		replay ${ROOMSIGN_FIXTURES}/regress/ical)
set_tests_properties(integration.ical_differential integration.ical_differential.regress PROPERTIES
	LABELS integration TIMEOUT 300 ENVIRONMENT "TZ=UTC")
# The long run (~4 min): `ctest --preset default -L fuzz`. Not in the fuzz preset, whose -L fuzz
# run (tests/fuzz/run.sh, CI) is for the libFuzzer targets' time budget.
if(NOT ROOMSIGN_FUZZ)
	add_test(NAME fuzz.ical_differential
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/ical_differential.py $<TARGET_FILE:roomsign>
			run --seed 2026 --count 4000 --keep ${CMAKE_CURRENT_BINARY_DIR}/ical-differential-disagreements)
	set_tests_properties(fuzz.ical_differential PROPERTIES LABELS fuzz TIMEOUT 3600 ENVIRONMENT "TZ=UTC")
endif()
