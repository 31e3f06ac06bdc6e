# The code's format is checked like a test: .clang-format over every C file we own.
find_program(ROOMSIGN_CLANG_FORMAT clang-format)
if(ROOMSIGN_CLANG_FORMAT)
	add_test(NAME unit.clang_format
		COMMAND sh -c "git ls-files '*.c' '*.h' | grep -E '^(app|platform|tests)/' | xargs ${ROOMSIGN_CLANG_FORMAT} --dry-run --Werror"
		WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
	set_tests_properties(unit.clang_format PROPERTIES LABELS unit)
endif()
