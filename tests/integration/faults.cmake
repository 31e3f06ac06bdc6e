# Fault matrix (issue 9): one test per source; each runs the real display headless behind
# tests/fakes/faultproxy.py and prints its column of the faults × sources table.
foreach(fault_source ics ews graph caldav)
	add_test(NAME integration.faults.${fault_source}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/faults.py ${fault_source}
			--roomsign $<TARGET_FILE:roomsign> --tests ${ROOMSIGN_TESTS_DIR}
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/faults-work)
	set_tests_properties(integration.faults.${fault_source} PROPERTIES LABELS integration TIMEOUT 600)
endforeach()
# The midnight repeat for ICS (tests/CMakeLists.txt): the live display (clock 10x) on a meeting
# that runs past midnight, through two faults and back.
add_test(NAME integration.faults.ics.midnight
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/faults.py ics
		--roomsign $<TARGET_FILE:roomsign> --tests ${ROOMSIGN_TESTS_DIR}
		--workdir ${CMAKE_CURRENT_BINARY_DIR}/faults-work-midnight --only 503 truncated)
set_tests_properties(integration.faults.ics.midnight PROPERTIES LABELS "integration;midnight" TIMEOUT 300
	ENVIRONMENT "${ROOMSIGN_MIDNIGHT_ENV}")
