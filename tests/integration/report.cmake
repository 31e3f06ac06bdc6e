# Report a problem without the screen: report_driver (the sign's config, report and transport
# code) against a real SMTP sink on loopback (python3-aiosmtpd), the fake Exchange and the fake
# Graph. Each case starts its own servers on free loopback ports.
add_executable(report_driver ${CMAKE_CURRENT_LIST_DIR}/report_driver.c)
target_compile_options(report_driver PRIVATE ${ROOMSIGN_WARNINGS})
target_link_libraries(report_driver PRIVATE roomsign_lib roomsign_platform)

execute_process(COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/report_test.py list
	OUTPUT_VARIABLE ROOMSIGN_REPORT_CASES OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE report_list_rc)
if(NOT report_list_rc EQUAL 0)
	message(FATAL_ERROR "tests/integration/report_test.py list failed")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/report_test.py)
foreach(report_case IN LISTS ROOMSIGN_REPORT_CASES)
	add_test(NAME integration.report.${report_case}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/report_test.py ${report_case}
			--driver $<TARGET_FILE:report_driver> --roomsign $<TARGET_FILE:roomsign>
			--fake-ews ${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py
			--fake-graph ${ROOMSIGN_TESTS_DIR}/fakes/graph/graph_fake.py
			--ca-script ${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/report-work)
	set_tests_properties(integration.report.${report_case} PROPERTIES LABELS integration TIMEOUT 120
		SKIP_RETURN_CODE 77)
endforeach()
