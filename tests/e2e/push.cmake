# Issue 16, Exchange on-premises: changes pushed by EWS streaming notifications reach the real
# sign's screen within seconds; the fallbacks to polling (tests/e2e/push_test.py).
execute_process(COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/push_test.py list
	OUTPUT_VARIABLE ROOMSIGN_PUSH_CASES OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE push_list_rc)
if(NOT push_list_rc EQUAL 0)
	message(FATAL_ERROR "tests/e2e/push_test.py list failed")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/push_test.py)
foreach(push_case IN LISTS ROOMSIGN_PUSH_CASES)
	add_test(NAME e2e.push.${push_case}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/push_test.py ${push_case}
			--roomsign $<TARGET_FILE:roomsign>
			--fake ${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py
			--ca-script ${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/push-work)
	set_tests_properties(e2e.push.${push_case} PROPERTIES LABELS e2e TIMEOUT 120)
endforeach()
