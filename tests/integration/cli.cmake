# The command line: help, version, usage errors, setup screen, agenda TSV from ICS.
add_test(NAME integration.cli
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/cli_test.py $<TARGET_FILE:roomsign> ${ROOMSIGN_FIXTURES})
set_tests_properties(integration.cli PROPERTIES LABELS integration TIMEOUT 300)
