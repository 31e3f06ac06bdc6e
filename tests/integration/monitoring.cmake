# Prometheus monitoring (issue 15): the shipped alerting rules checked and unit-tested with
# promtool (simulated time series), and an end-to-end run with Debian's real node_exporter and
# Prometheus on loopback (tests/integration/monitoring/monitoring_test.py).
set(ROOMSIGN_MONITORING_TEST ${CMAKE_CURRENT_LIST_DIR}/monitoring/monitoring_test.py)
add_test(NAME unit.alerts.check_rules
	COMMAND ${ROOMSIGN_PYTHON} ${ROOMSIGN_MONITORING_TEST} check-rules --rules ${CMAKE_SOURCE_DIR}/config/roomsign-alerts.yml)
add_test(NAME unit.alerts.test_rules
	COMMAND ${ROOMSIGN_PYTHON} ${ROOMSIGN_MONITORING_TEST} test-rules
		--rules-test ${CMAKE_CURRENT_LIST_DIR}/monitoring/roomsign-alerts.test.yml
		${CMAKE_CURRENT_LIST_DIR}/monitoring/roomsign-alerts-daily.test.yml)
set_tests_properties(unit.alerts.check_rules unit.alerts.test_rules PROPERTIES LABELS unit SKIP_RETURN_CODE 77 TIMEOUT 60)
add_test(NAME integration.monitoring.prometheus_not_synced_alert
	COMMAND ${ROOMSIGN_PYTHON} ${ROOMSIGN_MONITORING_TEST} e2e --roomsign $<TARGET_FILE:roomsign>
		--rules ${CMAKE_SOURCE_DIR}/config/roomsign-alerts.yml
		--fake ${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py
		--workdir ${CMAKE_CURRENT_BINARY_DIR}/monitoring-work)
# The same with the sign's default push (EWS streaming): synced while it only hears the stream.
add_test(NAME integration.monitoring.prometheus_not_synced_alert.streaming
	COMMAND ${ROOMSIGN_PYTHON} ${ROOMSIGN_MONITORING_TEST} e2e --roomsign $<TARGET_FILE:roomsign>
		--rules ${CMAKE_SOURCE_DIR}/config/roomsign-alerts.yml
		--fake ${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py
		--workdir ${CMAKE_CURRENT_BINARY_DIR}/monitoring-work --streaming)
set_tests_properties(integration.monitoring.prometheus_not_synced_alert
	integration.monitoring.prometheus_not_synced_alert.streaming PROPERTIES LABELS integration
	SKIP_RETURN_CODE 77 TIMEOUT 180)
# The SD-card image's node_exporter wiring (drop-in, `roomsign exporter-args`, wrapper) run on this
# machine with the real node_exporter: off by default, else only on [monitoring] listen, with TLS
# and basic auth from web_config. (Booting the image for this would cost ~25 minutes.)
add_test(NAME integration.monitoring.node_exporter_unit
	COMMAND ${ROOMSIGN_PYTHON} ${ROOMSIGN_MONITORING_TEST} exporter-unit --roomsign $<TARGET_FILE:roomsign>
		--image-files ${CMAKE_SOURCE_DIR}/image/files --ca-script ${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh
		--workdir ${CMAKE_CURRENT_BINARY_DIR}/monitoring-work)
set_tests_properties(integration.monitoring.node_exporter_unit PROPERTIES LABELS integration
	SKIP_RETURN_CODE 77 TIMEOUT 120)
