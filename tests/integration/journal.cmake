# Central logs (issue 15): the sign's structured journal entries reach a real
# systemd-journal-remote through the real systemd-journal-upload, configured by
# config/roomsign-journal-upload. Runs its own journald in a private mount namespace (root). ~10 s.
add_test(NAME integration.journal_upload
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/journal_upload_test.py $<TARGET_FILE:roomsign>
		${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh ${CMAKE_SOURCE_DIR}/config/roomsign-journal-upload)
set_tests_properties(integration.journal_upload PROPERTIES LABELS integration TIMEOUT 180 SKIP_RETURN_CODE 77)
