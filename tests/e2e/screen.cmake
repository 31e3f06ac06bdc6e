# The public screen with the real binary: private subjects, plain error sentences, full screen on a
# bare X server (tests/e2e/screen_test.py).
execute_process(COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/screen_test.py list
	OUTPUT_VARIABLE ROOMSIGN_SCREEN_CASES OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE screen_list_rc)
if(NOT screen_list_rc EQUAL 0)
	message(FATAL_ERROR "tests/e2e/screen_test.py list failed")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/screen_test.py)
foreach(screen_case IN LISTS ROOMSIGN_SCREEN_CASES)
	add_test(NAME e2e.screen.${screen_case}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/screen_test.py ${screen_case}
			--roomsign $<TARGET_FILE:roomsign>
			--fake ${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py
			--ca-script ${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/screen-work)
	set_tests_properties(e2e.screen.${screen_case} PROPERTIES LABELS e2e TIMEOUT 300)
endforeach()

