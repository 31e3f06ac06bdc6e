# Changes made on the server reach the screen within seconds (issue 16): the real display
# (headless, its screen read from ROOMSIGN_VIEW_JSON) with the default [source] timing against
# the fake Graph (calendarView/delta) and the real Radicale (sync-collection), and the fallbacks
# (410 → a new delta round; no cheap path → full reads every `refresh`). About 20-40 s each.
execute_process(COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/changes_test.py list
	OUTPUT_VARIABLE ROOMSIGN_CHANGES_CASES OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE changes_list_rc)
if(NOT changes_list_rc EQUAL 0)
	message(FATAL_ERROR "tests/integration/changes_test.py list failed")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/changes_test.py)
string(REPLACE "\n" ";" ROOMSIGN_CHANGES_CASES "${ROOMSIGN_CHANGES_CASES}")
foreach(changes_case IN LISTS ROOMSIGN_CHANGES_CASES)
	string(REPLACE "." ";" changes_parts ${changes_case})
	add_test(NAME e2e.changes.${changes_case}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/changes_test.py ${changes_parts}
			--roomsign $<TARGET_FILE:roomsign> --tests ${ROOMSIGN_TESTS_DIR}
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/changes-work)
	set_tests_properties(e2e.changes.${changes_case} PROPERTIES LABELS e2e TIMEOUT 180)
endforeach()
