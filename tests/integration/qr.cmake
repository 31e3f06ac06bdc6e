# [display] qr_url: the home screen's QR code at the five panel sizes, decoded with zbarimg
# (zbar-tools) from offscreen screenshots and measured from the pixels.
add_test(NAME integration.qr_code
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/qr_test.py $<TARGET_FILE:roomsign>)
set_tests_properties(integration.qr_code PROPERTIES LABELS integration TIMEOUT 300 SKIP_RETURN_CODE 77
	ENVIRONMENT "SDL_VIDEODRIVER=dummy;TZ=UTC")
