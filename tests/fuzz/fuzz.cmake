# Fuzzing (issue 9). Every tests/fuzz/fuzz_<parser>.c is a libFuzzer target over one parser.
#
# - In the fuzz preset (clang, ROOMSIGN_FUZZ=ON) each becomes a libFuzzer binary and a ctest test
#   `fuzz.<parser>` (LABELS fuzz) that replays its seeds and then fuzzes for
#   ROOMSIGN_FUZZ_SECONDS (default 20). tests/fuzz/run.sh [SECONDS] builds and runs them all.
# - In every other build each target is linked with replay_main.c instead and registered as
#   `unit.fuzz_replay.<parser>`: the seeds and the kept crash inputs run once, under ASan in the
#   asan preset, so a fixed crash stays fixed without clang.
#
# Seeds: the recorded fixtures of that format plus tests/fixtures/regress/<parser>/ (inputs that
# once crashed; keep them there when you fix one). libFuzzer writes what it learns into a scratch
# corpus in the build tree, never into the source tree.
file(GLOB ROOMSIGN_FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/fuzz_*.c)
set(ROOMSIGN_FUZZ_SECONDS 20 CACHE STRING "Seconds each ctest fuzz test fuzzes for")

set(fuzz_seeds_ews_xml ${ROOMSIGN_FIXTURES}/ews)
set(fuzz_seeds_graph_json ${ROOMSIGN_FIXTURES}/graph)
set(fuzz_seeds_caldav_xml ${ROOMSIGN_FIXTURES}/caldav)
set(fuzz_seeds_ical ${ROOMSIGN_FIXTURES}/ics)
set(fuzz_seeds_config ${CMAKE_SOURCE_DIR}/config)

set(ROOMSIGN_FUZZ_ENABLED OFF)
if(ROOMSIGN_FUZZ)
	if(CMAKE_C_COMPILER_ID MATCHES "Clang")
		set(ROOMSIGN_FUZZ_ENABLED ON)
	else()
		message(WARNING "ROOMSIGN_FUZZ needs clang (libFuzzer); building seed replays instead")
	endif()
endif()

if(ROOMSIGN_FUZZ_ENABLED)
	add_custom_target(fuzz_targets)
endif()
foreach(fuzz_src IN LISTS ROOMSIGN_FUZZ_SOURCES)
	get_filename_component(fuzz_target ${fuzz_src} NAME_WE)
	string(REGEX REPLACE "^fuzz_" "" fuzz_parser ${fuzz_target})
	set(fuzz_seeds "")
	foreach(dir IN LISTS fuzz_seeds_${fuzz_parser} ITEMS ${ROOMSIGN_FIXTURES}/regress/${fuzz_parser})
		if(IS_DIRECTORY ${dir})
			list(APPEND fuzz_seeds ${dir})
		endif()
	endforeach()
	if(ROOMSIGN_FUZZ_ENABLED)
		add_executable(${fuzz_target} ${fuzz_src})
		target_compile_options(${fuzz_target} PRIVATE ${ROOMSIGN_WARNINGS} -fsanitize=fuzzer)
		target_link_options(${fuzz_target} PRIVATE -fsanitize=fuzzer,address,undefined)
		target_link_libraries(${fuzz_target} PRIVATE roomsign_lib roomsign_platform)
		add_dependencies(fuzz_targets ${fuzz_target})
		set(fuzz_work ${CMAKE_CURRENT_BINARY_DIR}/fuzz-work/${fuzz_parser})
		file(MAKE_DIRECTORY ${fuzz_work}/corpus ${fuzz_work}/artifacts)
		# The first corpus directory is libFuzzer's scratch (it writes there); the rest are seeds.
		add_test(NAME fuzz.${fuzz_parser}
			COMMAND ${fuzz_target} -max_total_time=${ROOMSIGN_FUZZ_SECONDS} -rss_limit_mb=2048
				-timeout=10 -print_final_stats=1 -artifact_prefix=${fuzz_work}/artifacts/
				${fuzz_work}/corpus ${fuzz_seeds})
		math(EXPR fuzz_timeout "${ROOMSIGN_FUZZ_SECONDS} * 3 + 120")
		set_tests_properties(fuzz.${fuzz_parser} PROPERTIES LABELS fuzz TIMEOUT ${fuzz_timeout}
			ENVIRONMENT "TZ=UTC;ASAN_OPTIONS=detect_leaks=1:abort_on_error=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
	else()
		add_executable(${fuzz_target}_replay ${fuzz_src} ${CMAKE_CURRENT_LIST_DIR}/replay_main.c)
		target_compile_options(${fuzz_target}_replay PRIVATE ${ROOMSIGN_WARNINGS})
		target_link_libraries(${fuzz_target}_replay PRIVATE roomsign_lib roomsign_platform)
		add_test(NAME unit.fuzz_replay.${fuzz_parser} COMMAND ${fuzz_target}_replay ${fuzz_seeds})
		set_tests_properties(unit.fuzz_replay.${fuzz_parser} PROPERTIES LABELS unit TIMEOUT 60
			ENVIRONMENT "TZ=UTC")
	endif()
endforeach()
