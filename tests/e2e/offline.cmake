# The real binary under Xvfb: cache, offline notice, one log line, recovery, clean SIGTERM.
add_test(NAME e2e.offline_cache
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/offline_test.py $<TARGET_FILE:roomsign> ${ROOMSIGN_FIXTURES})
set_tests_properties(e2e.offline_cache PROPERTIES LABELS e2e TIMEOUT 300)
