# Microsoft Graph backend (issue 7): the real roomsign binary, and graph_driver for the source
# ops without a command, against the fake Entra ID token endpoint + Graph server
# (tests/fakes/graph) over HTTPS with a throw-away CA. Each test starts its own fake on a free
# loopback port. The test names live in graph_tests.py; `graph_tests.py list` prints them.
add_executable(graph_driver ${CMAKE_CURRENT_LIST_DIR}/graph_driver.c)
target_compile_options(graph_driver PRIVATE ${ROOMSIGN_WARNINGS})
target_link_libraries(graph_driver PRIVATE roomsign_lib roomsign_platform)

execute_process(COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/graph_tests.py list
	OUTPUT_VARIABLE ROOMSIGN_GRAPH_TESTS OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE graph_list_rc)
if(NOT graph_list_rc EQUAL 0)
	message(FATAL_ERROR "tests/integration/graph_tests.py list failed (python3-cryptography missing? run .ci/setup)")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/graph_tests.py)
foreach(name IN LISTS ROOMSIGN_GRAPH_TESTS)
	add_test(NAME graph.${name}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/graph_tests.py ${name}
			--roomsign $<TARGET_FILE:roomsign> --driver $<TARGET_FILE:graph_driver>
			--fakes ${ROOMSIGN_TESTS_DIR}/fakes --work ${CMAKE_CURRENT_BINARY_DIR}/graph-work/${name})
	set_tests_properties(graph.${name} PROPERTIES LABELS integration TIMEOUT 120)
endforeach()
# The midnight repeats (tests/CMakeLists.txt): reading "today", booking, extending, releasing.
foreach(name secret_auth paging event_fields book_marks_own extend_and_end release_own_and_decline_other)
	add_test(NAME graph.${name}.midnight
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/graph_tests.py ${name}
			--roomsign $<TARGET_FILE:roomsign> --driver $<TARGET_FILE:graph_driver>
			--fakes ${ROOMSIGN_TESTS_DIR}/fakes --work ${CMAKE_CURRENT_BINARY_DIR}/graph-work/midnight-${name})
	set_tests_properties(graph.${name}.midnight PROPERTIES LABELS "integration;midnight" TIMEOUT 120
		ENVIRONMENT "${ROOMSIGN_MIDNIGHT_ENV}")
endforeach()
# Exchange's stripped subjects (issue 19): `check` judges the next days, on a pinned clock.
foreach(name check_stripped_subjects_prints_calendar_processing_fix check_normal_subjects_gives_no_exchange_advice)
	set_tests_properties(graph.${name} PROPERTIES ENVIRONMENT "ROOMSIGN_TEST_NOW=2026-12-01T10:00:00Z")
endforeach()
