# The room's calendar is never harmed by a release (issue 12): the real display, headless, with a
# pinned clock, against each backend that can release; each case judges the server's calendar.
execute_process(COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/release_test.py list
	OUTPUT_VARIABLE ROOMSIGN_RELEASE_CASES OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE release_list_rc)
if(NOT release_list_rc EQUAL 0)
	message(FATAL_ERROR "tests/integration/release_test.py list failed")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/release_test.py)
string(REPLACE "\n" ";" ROOMSIGN_RELEASE_CASES "${ROOMSIGN_RELEASE_CASES}")
foreach(release_case IN LISTS ROOMSIGN_RELEASE_CASES)
	string(REPLACE "." ";" release_parts ${release_case})
	add_test(NAME integration.release.${release_case}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/release_test.py ${release_parts}
			--roomsign $<TARGET_FILE:roomsign> --tests ${ROOMSIGN_TESTS_DIR}
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/release-work
			--graph-driver $<TARGET_FILE:graph_driver> --caldav-driver $<TARGET_FILE:caldav_driver>)
	set_tests_properties(integration.release.${release_case} PROPERTIES LABELS integration TIMEOUT 300)
endforeach()
