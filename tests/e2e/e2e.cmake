# End-to-end: the real binary in an Xvfb window, tapped by xdotool, against the fake Exchange.
# Each case starts and stops its own Xvfb (free display number, xauth cookie) and fake server.
execute_process(COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/e2e_test.py list
	OUTPUT_VARIABLE ROOMSIGN_E2E_CASES OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE e2e_list_rc)
if(NOT e2e_list_rc EQUAL 0)
	message(FATAL_ERROR "tests/e2e/e2e_test.py list failed")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/e2e_test.py)
foreach(e2e_case IN LISTS ROOMSIGN_E2E_CASES)
	add_test(NAME e2e.${e2e_case}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/e2e_test.py ${e2e_case}
			--roomsign $<TARGET_FILE:roomsign>
			--fake ${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py
			--ca-script ${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/e2e-work)
	set_tests_properties(e2e.${e2e_case} PROPERTIES LABELS e2e TIMEOUT 300)
endforeach()
