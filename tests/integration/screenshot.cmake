# Offscreen screenshots at a fixed --now: status colours at every panel size (no display server).
add_test(NAME integration.screenshot
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/screenshot_test.py $<TARGET_FILE:roomsign> ${ROOMSIGN_FIXTURES})
set_tests_properties(integration.screenshot PROPERTIES LABELS integration TIMEOUT 600
	ENVIRONMENT "SDL_VIDEODRIVER=dummy")
