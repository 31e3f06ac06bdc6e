# Benchmarks (issue 9; LABELS bench): print the DESIGN.md performance figures next to their
# budgets. They assert that they measured something, never a time.
add_executable(bench_parse ${CMAKE_CURRENT_LIST_DIR}/bench_parse.c)
# libpng only for the benchmark's comparison with the sign's own PNG writer (issue 13).
pkg_check_modules(PNG REQUIRED IMPORTED_TARGET libpng)
add_executable(bench_render ${CMAKE_CURRENT_LIST_DIR}/bench_render.c ${CMAKE_CURRENT_LIST_DIR}/png_libpng.c)
target_link_libraries(bench_render PRIVATE PkgConfig::PNG)
foreach(bench_target bench_parse bench_render)
	target_compile_options(${bench_target} PRIVATE ${ROOMSIGN_WARNINGS})
	target_link_libraries(${bench_target} PRIVATE roomsign_lib roomsign_platform)
endforeach()

set(ROOMSIGN_BENCH_DATA ${CMAKE_CURRENT_BINARY_DIR}/bench-data)
add_test(NAME bench.data
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/gen_schedule.py ${ROOMSIGN_BENCH_DATA} 1000)
set_tests_properties(bench.data PROPERTIES LABELS bench FIXTURES_SETUP bench_data TIMEOUT 60)

add_test(NAME bench.parse COMMAND bench_parse ${ROOMSIGN_BENCH_DATA})
add_test(NAME bench.render.demo COMMAND bench_render 1920x1080 -)
add_test(NAME bench.render.1000 COMMAND bench_render 1920x1080 ${ROOMSIGN_BENCH_DATA}/schedule.ics)
# The whole process: screenshot time, start to first frame, PSS, idle CPU and wake-ups.
add_test(NAME bench.process
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/bench_process.py $<TARGET_FILE:roomsign>
		${ROOMSIGN_BENCH_DATA}/schedule.ics ${CMAKE_CURRENT_BINARY_DIR}/bench-work)
set_tests_properties(bench.parse bench.render.demo bench.render.1000 bench.process PROPERTIES
	LABELS bench FIXTURES_REQUIRED bench_data RUN_SERIAL ON TIMEOUT 600 ENVIRONMENT "TZ=UTC")
# Issue 16 (EWS): requests, bytes and change-to-screen latency per sign-hour, 60 s polling vs
# streaming notifications (an accelerated hour: about three minutes in all).
add_test(NAME bench.push.ews
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/bench_push.py --roomsign $<TARGET_FILE:roomsign>
		--fake ${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py
		--ca-script ${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh --workdir ${CMAKE_CURRENT_BINARY_DIR}/bench-push)
set_tests_properties(bench.push.ews PROPERTIES LABELS bench RUN_SERIAL ON TIMEOUT 600)
# Issue 16: requests, bytes and change-to-screen latency per sign-hour, full polling vs the cheap
# polls (Graph calendarView/delta, CalDAV sync-collection), 3 hours at 60x clock (~4 min).
add_test(NAME bench.changes
	COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/bench_changes.py $<TARGET_FILE:roomsign>
		${ROOMSIGN_TESTS_DIR} ${CMAKE_CURRENT_BINARY_DIR}/bench-changes-work)
set_tests_properties(bench.changes PROPERTIES LABELS bench RUN_SERIAL ON TIMEOUT 900 ENVIRONMENT "TZ=UTC")

# 200 signs, one service account, one Exchange (issue 15): 200 real headless signs against one
# fake EWS (then one fake Graph) with the documented default throttling, a simulated hour at 20x
# (3 minutes each) with a 5-minute outage; prints requests per minute, throttled answers, the
# recovery after the outage, fleet memory and CPU. Asserts only that every sign recovered.
foreach(fleet_kind ews graph)
	add_test(NAME bench.fleet.${fleet_kind}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/bench_fleet.py ${fleet_kind}
			--roomsign $<TARGET_FILE:roomsign> --fakes ${ROOMSIGN_TESTS_DIR}/fakes
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/fleet-work)
	set_tests_properties(bench.fleet.${fleet_kind} PROPERTIES LABELS bench RUN_SERIAL ON TIMEOUT 900
		ENVIRONMENT "TZ=UTC;ROOMSIGN_TEST_NOW=2026-12-01T09:00:00Z")
endforeach()
# Six serial minutes each (200 sign processes): CI (-LE manual) keeps its 90 minutes for the
# rest; run them by hand: ctest --preset default -R bench.fleet (the README has the figures).
set_tests_properties(bench.fleet.ews bench.fleet.graph PROPERTIES LABELS "bench;manual")
