# ICS over HTTPS through libcurl: private CA, Basic auth, body cap, failures as sentences.
add_test(NAME integration.ics_http
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/ics_http_test.py $<TARGET_FILE:roomsign>
		${ROOMSIGN_FIXTURES} ${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh)
set_tests_properties(integration.ics_http PROPERTIES LABELS integration TIMEOUT 300)
