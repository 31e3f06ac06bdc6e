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
# The midnight repeats (tests/CMakeLists.txt): each scenario moves from 10:00 to 23:50 UTC, so
# its later meetings start after midnight (e2e_test.py, SHIFT).
foreach(e2e_case book_30_minutes extend_own_meeting extend_refused_when_next_meeting_is_in_the_way
		end_early_own_meeting no_show_is_released_after_grace)
	add_test(NAME e2e.${e2e_case}.midnight
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/e2e_test.py ${e2e_case}
			--roomsign $<TARGET_FILE:roomsign>
			--fake ${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py
			--ca-script ${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/e2e-work-midnight)
	set_tests_properties(e2e.${e2e_case}.midnight PROPERTIES LABELS "e2e;midnight" TIMEOUT 300
		ENVIRONMENT "${ROOMSIGN_MIDNIGHT_ENV}")
endforeach()
