# What ships to a device, tested as shipped:
#  unit.service_security  systemd-analyze security rates config/roomsign.service <= 2.0 (printed)
#  integration.package    the release .deb (cpack) inspected with dpkg-deb (+ lintian if present)
#  image.build_and_boot   image/build.sh into image/out, then image/boot-test.sh boots it in QEMU
#                         and, on the same boot, image/touch-test.py books by touch (virtio multitouch)
#                         (root, ~25 min cold, less with image/out/cache; label "image"; under
#                         .ci/test the build runs in the background and this test waits for it)
set(ROOMSIGN_IMAGE_OUT ${CMAKE_BINARY_DIR}/image/out)

add_test(NAME unit.service_security
	COMMAND ${CMAKE_SOURCE_DIR}/image/test-service-security.sh ${CMAKE_SOURCE_DIR}/config/roomsign.service)
set_tests_properties(unit.service_security PROPERTIES LABELS unit SKIP_RETURN_CODE 77)

add_test(NAME integration.package
	COMMAND ${CMAKE_SOURCE_DIR}/image/test-package.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/package-test)
set_tests_properties(integration.package PROPERTIES LABELS integration TIMEOUT 900)

add_test(NAME image.build_and_boot
	COMMAND ${CMAKE_SOURCE_DIR}/image/test-image.sh ${ROOMSIGN_IMAGE_OUT} ${PROJECT_VERSION})
set_tests_properties(image.build_and_boot PROPERTIES LABELS image TIMEOUT 3600 RUN_SERIAL TRUE
	SKIP_RETURN_CODE 77)
