# The fakes' opt-in throttling (issue 15) throttles like the documented policies: EWS's
# EWSMaxConcurrency 27 per impersonated mailbox (and per service account without impersonation),
# ErrorServerBusy with BackOffMilliseconds, 503; Graph's 4 concurrent and 10,000 per 10 minutes
# per app per mailbox, 429 with Retry-After. ews_off: off by default, the old rule unchanged.
foreach(throttle_case ews ews_off graph)
	add_test(NAME integration.fake_throttle.${throttle_case}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/fake_throttle_test.py ${throttle_case}
			--fakes ${ROOMSIGN_TESTS_DIR}/fakes --workdir ${CMAKE_CURRENT_BINARY_DIR}/fake-throttle-work)
	set_tests_properties(integration.fake_throttle.${throttle_case} PROPERTIES LABELS integration TIMEOUT 120)
endforeach()
