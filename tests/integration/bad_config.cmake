# Bad-config table (issue 9): each broken configuration through `roomsign check --config F` must
# exit non-zero and name the file, the line and the [section] key. One ctest test for the whole
# table (it takes a second); bad_config.py prints one row per case.
add_test(NAME integration.bad_config
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/bad_config.py $<TARGET_FILE:roomsign>)
set_tests_properties(integration.bad_config PROPERTIES LABELS integration TIMEOUT 120
	SKIP_RETURN_CODE 77)
