# CalDAV backend (issue 8): the real roomsign binary, and caldav_driver for the source ops
# without a command, against a REAL Radicale (Debian package `radicale`) that the fixture
# starts on a free loopback port with TLS (throw-away CA) and htpasswd auth, storage in the
# build tree, and stops after. Each test makes its own Radicale user and calendars; the faults
# a real server cannot produce on demand (507, HTML, stalls, dropped connections) come from a
# recording forwarder (caldav_proxy.py) that a test puts in front of Radicale.
add_executable(caldav_driver ${CMAKE_CURRENT_LIST_DIR}/caldav_driver.c)
target_compile_options(caldav_driver PRIVATE ${ROOMSIGN_WARNINGS})
target_link_libraries(caldav_driver PRIVATE roomsign_lib roomsign_platform)

set(ROOMSIGN_CALDAV_SERVER ${CMAKE_CURRENT_BINARY_DIR}/caldav-server)
add_test(NAME integration.caldav.server.start
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/caldav_server.py start ${ROOMSIGN_CALDAV_SERVER})
add_test(NAME integration.caldav.server.stop
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/caldav_server.py stop ${ROOMSIGN_CALDAV_SERVER})
set_tests_properties(integration.caldav.server.start PROPERTIES FIXTURES_SETUP caldav_server
	LABELS integration TIMEOUT 60)
set_tests_properties(integration.caldav.server.stop PROPERTIES FIXTURES_CLEANUP caldav_server
	LABELS integration TIMEOUT 30)

execute_process(COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/caldav_tests.py list
	OUTPUT_VARIABLE ROOMSIGN_CALDAV_TESTS OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE caldav_list_rc)
if(NOT caldav_list_rc EQUAL 0)
	message(FATAL_ERROR "tests/integration/caldav_tests.py list failed")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/caldav_tests.py)
foreach(name IN LISTS ROOMSIGN_CALDAV_TESTS)
	add_test(NAME integration.caldav.${name}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/caldav_tests.py ${name})
	set_tests_properties(integration.caldav.${name} PROPERTIES LABELS integration TIMEOUT 120
		FIXTURES_REQUIRED caldav_server
		ENVIRONMENT "ROOMSIGN=$<TARGET_FILE:roomsign>;CALDAV_DRIVER=$<TARGET_FILE:caldav_driver>;CALDAV_SERVER_DIR=${ROOMSIGN_CALDAV_SERVER};CALDAV_WORK=${CMAKE_CURRENT_BINARY_DIR}/caldav-work")
endforeach()
# The midnight repeats (tests/CMakeLists.txt): the room's days in Copenhagen, booking, releasing.
foreach(name recurring_series_with_overrides sync_after_outside_change book extend end_early
		release_own_booking release_others_meeting_is_left_alone)
	add_test(NAME integration.caldav.${name}.midnight
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/caldav_tests.py ${name})
	set_tests_properties(integration.caldav.${name}.midnight PROPERTIES LABELS "integration;midnight"
		TIMEOUT 120 FIXTURES_REQUIRED caldav_server
		ENVIRONMENT "${ROOMSIGN_MIDNIGHT_ENV};ROOMSIGN=$<TARGET_FILE:roomsign>;CALDAV_DRIVER=$<TARGET_FILE:caldav_driver>;CALDAV_SERVER_DIR=${ROOMSIGN_CALDAV_SERVER};CALDAV_WORK=${CMAKE_CURRENT_BINARY_DIR}/caldav-work-midnight")
endforeach()
