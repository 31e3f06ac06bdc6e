# Fault matrix (issue 9): one test per source; each runs the real display headless behind
# tests/fakes/faultproxy.py and prints its column of the faults × sources table.
foreach(fault_source ics ews graph caldav)
	add_test(NAME integration.faults.${fault_source}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/faults.py ${fault_source}
			--roomsign $<TARGET_FILE:roomsign> --tests ${ROOMSIGN_TESTS_DIR}
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/faults-work)
	set_tests_properties(integration.faults.${fault_source} PROPERTIES LABELS integration TIMEOUT 600)
endforeach()
