# Soak (issue 9): the real display, headless, against the fake Exchange with an accelerated clock:
# a simulated week of refreshes, calendar changes and bookings in two minutes; fails on growth of
# resident memory, PSS or open fds after warm-up. Then a shorter simulated day under valgrind
# --leak-check=full that fails on any definite leak or memory error. Both print their figures.
add_test(NAME integration.soak
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/soak.py $<TARGET_FILE:roomsign>
		${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py ${CMAKE_CURRENT_BINARY_DIR}/soak-work --seconds 120 --days 7)
add_test(NAME integration.soak.valgrind
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/soak.py $<TARGET_FILE:roomsign>
		${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py ${CMAKE_CURRENT_BINARY_DIR}/soak-valgrind-work
		--seconds 60 --days 1 --valgrind)
set_tests_properties(integration.soak integration.soak.valgrind PROPERTIES LABELS integration
	TIMEOUT 400 SKIP_RETURN_CODE 77)
# The running sign's own actions (issue 20): one display in a private Xvfb, clock pinned and run
# 20x, tapped round after round through its touch targets: book, check in, extend, end early, and
# a no-show released after the grace; each checked on the fake's calendar; prints RssAnon, fails on
# growth of open fds from the second round to the last.
add_test(NAME integration.soak.actions
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/soak_actions.py $<TARGET_FILE:roomsign>
		${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py ${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh
		${CMAKE_CURRENT_BINARY_DIR}/soak-actions-work --seconds 120)
set_tests_properties(integration.soak.actions PROPERTIES LABELS integration TIMEOUT 400)
