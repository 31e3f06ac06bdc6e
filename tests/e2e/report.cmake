# "Report a problem" end to end: the real binary under Xvfb, tapped by xdotool, reporting through
# a real SMTP sink on loopback (python3-aiosmtpd), the fake Exchange and the fake Graph.
execute_process(COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/report_test.py list
	OUTPUT_VARIABLE ROOMSIGN_E2E_REPORT_CASES OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE e2e_report_rc)
if(NOT e2e_report_rc EQUAL 0)
	message(FATAL_ERROR "tests/e2e/report_test.py list failed")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/report_test.py)
foreach(e2e_case IN LISTS ROOMSIGN_E2E_REPORT_CASES)
	add_test(NAME e2e.report.${e2e_case}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/report_test.py ${e2e_case}
			--roomsign $<TARGET_FILE:roomsign>
			--fake-ews ${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py
			--fake-graph ${ROOMSIGN_TESTS_DIR}/fakes/graph/graph_fake.py
			--ca-script ${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/e2e-report-work)
	set_tests_properties(e2e.report.${e2e_case} PROPERTIES LABELS e2e TIMEOUT 300 SKIP_RETURN_CODE 77)
endforeach()
