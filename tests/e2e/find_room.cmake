# "Find a room" end to end on Graph and CalDAV: the real binary under Xvfb, tapped by xdotool,
# booking another room of the list on the fake Graph and on a real Radicale.
execute_process(COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/find_room_test.py list
	OUTPUT_VARIABLE ROOMSIGN_E2E_FIND_ROOM_CASES OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE e2e_find_room_rc)
if(NOT e2e_find_room_rc EQUAL 0)
	message(FATAL_ERROR "tests/e2e/find_room_test.py list failed")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/find_room_test.py)
foreach(e2e_case IN LISTS ROOMSIGN_E2E_FIND_ROOM_CASES)
	add_test(NAME e2e.find_room.${e2e_case}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/find_room_test.py ${e2e_case}
			--roomsign $<TARGET_FILE:roomsign>
			--fakes ${ROOMSIGN_TESTS_DIR}/fakes
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/e2e-find-room-work)
	set_tests_properties(e2e.find_room.${e2e_case} PROPERTIES LABELS e2e TIMEOUT 300)
endforeach()
