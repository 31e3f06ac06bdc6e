# Exchange (EWS) integration tests: the real roomsign binary and a small driver (for the source
# ops without a command yet) against tests/fakes/ews over real HTTP(S). Each case starts its own
# fake server on a free loopback port (the server binds port 0 and reports it).
add_executable(ews_driver ${CMAKE_CURRENT_LIST_DIR}/ews_driver.c)
target_compile_options(ews_driver PRIVATE ${ROOMSIGN_WARNINGS})
target_link_libraries(ews_driver PRIVATE roomsign_lib roomsign_platform)

execute_process(COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/ews_test.py list
	OUTPUT_VARIABLE ROOMSIGN_EWS_CASES OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE ews_list_rc)
if(NOT ews_list_rc EQUAL 0)
	message(FATAL_ERROR "tests/integration/ews_test.py list failed")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/ews_test.py)
foreach(ews_case IN LISTS ROOMSIGN_EWS_CASES)
	add_test(NAME integration.ews.${ews_case}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/ews_test.py ${ews_case}
			--roomsign $<TARGET_FILE:roomsign> --driver $<TARGET_FILE:ews_driver>
			--fake ${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py
			--ca-script ${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/ews-work)
	set_tests_properties(integration.ews.${ews_case} PROPERTIES LABELS integration TIMEOUT 120)
endforeach()
# The midnight repeats (tests/CMakeLists.txt): reading "today", booking, extending, releasing.
foreach(ews_case agenda_ntlm_impersonates_room concurrency_budget_per_account book_creates_marked_meeting
		extend_and_end_early free_busy_of_nearby_rooms release_deletes_own_booking
		release_declines_someone_elses_meeting)
	add_test(NAME integration.ews.${ews_case}.midnight
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/ews_test.py ${ews_case}
			--roomsign $<TARGET_FILE:roomsign> --driver $<TARGET_FILE:ews_driver>
			--fake ${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py
			--ca-script ${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/ews-work-midnight)
	set_tests_properties(integration.ews.${ews_case}.midnight PROPERTIES LABELS "integration;midnight"
		TIMEOUT 120 ENVIRONMENT "${ROOMSIGN_MIDNIGHT_ENV}")
endforeach()
# Exchange's stripped subjects (issue 19): `check` reads the next days and the screen shows now,
# so the clock is pinned for harness, fake and sign alike.
foreach(ews_case check_stripped_subjects_prints_calendar_processing_fix
		check_deleted_subjects_prints_calendar_processing_fix check_normal_subjects_gives_no_exchange_advice
		screen_shows_booked_by_organizer_once)
	set_tests_properties(integration.ews.${ews_case} PROPERTIES ENVIRONMENT "ROOMSIGN_TEST_NOW=2026-12-01T10:00:00Z")
endforeach()
