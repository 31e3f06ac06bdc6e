# GPIO on the real kernel driver: a static test binary that links roomsign's own led_gpiod.c runs
# inside a QEMU guest with gpio-sim (tests/vm/run-vm.sh). Label "vm".
set(ROOMSIGN_VM_DIR ${CMAKE_CURRENT_LIST_DIR})
find_library(ROOMSIGN_GPIOD_STATIC NAMES libgpiod.a)

if(GPIOD_FOUND AND ROOMSIGN_GPIOD_STATIC)
	# Compiled from the sources rather than roomsign_lib, which would pull SDL and curl into a
	# static binary; these few files are all led_gpiod.c needs.
	add_executable(test_led_vm
		${ROOMSIGN_VM_DIR}/test_led_vm.c
		${CMAKE_SOURCE_DIR}/platform/led_gpiod.c
		${CMAKE_SOURCE_DIR}/app/core/log.c
		${CMAKE_SOURCE_DIR}/app/core/xalloc.c)
	target_include_directories(test_led_vm PRIVATE
		${CMAKE_SOURCE_DIR}/app ${CMAKE_SOURCE_DIR}/platform ${GPIOD_INCLUDE_DIRS})
	target_compile_definitions(test_led_vm PRIVATE _GNU_SOURCE)
	# The guest has no libraries, and no sanitizer runtime: static, sanitizers off.
	target_compile_options(test_led_vm PRIVATE ${ROOMSIGN_WARNINGS} -fno-sanitize=all)
	# The wraps let the test look at the lines at the moment led_destroy releases them, and
	# play a driver without debounce support.
	target_link_options(test_led_vm PRIVATE -static -fno-sanitize=all
		-Wl,--wrap=gpiod_line_request_release -Wl,--wrap=gpiod_line_settings_set_debounce_period_us)
	target_link_libraries(test_led_vm PRIVATE ${ROOMSIGN_GPIOD_STATIC} Threads::Threads)

	add_test(NAME vm.led_gpio_sim
		COMMAND bash ${ROOMSIGN_VM_DIR}/run-vm.sh $<TARGET_FILE:test_led_vm> ${CMAKE_BINARY_DIR}/vm/led)
	set_tests_properties(vm.led_gpio_sim PROPERTIES LABELS vm SKIP_RETURN_CODE 77 TIMEOUT 900
		FAIL_REGULAR_EXPRESSION "not ok ")
else()
	# Not a skip: libgpiod-dev (with libgpiod.a) is part of .ci/setup, so its absence is a setup bug.
	add_test(NAME vm.led_gpio_sim COMMAND sh -c
		"echo 'FAIL: libgpiod >= 2 with its static library (libgpiod.a) was not found: run .ci/setup'; exit 1")
	set_tests_properties(vm.led_gpio_sim PROPERTIES LABELS vm)
endif()
