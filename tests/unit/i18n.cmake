# Translations: every marked string is in roomsign.pot, and da/de translate all of it.
add_test(NAME unit.i18n_complete
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/i18n_complete.py ${CMAKE_SOURCE_DIR} da de)
set_tests_properties(unit.i18n_complete PROPERTIES LABELS unit)
