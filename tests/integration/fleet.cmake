# Configuration from one place (issue 15): [fleet] config_url over real HTTPS (private CA, ETag /
# 304, mutual TLS) to the headless display, checked on its screen (view JSON). About 60 s.
add_test(NAME integration.fleet_config
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/fleet_config_test.py $<TARGET_FILE:roomsign>
		${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh)
set_tests_properties(integration.fleet_config PROPERTIES LABELS integration TIMEOUT 300)
