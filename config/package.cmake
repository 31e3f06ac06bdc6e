# The Debian package (CPack DEB): what a device installs, and how it is set up and removed.
# Release builds configure with -DCMAKE_INSTALL_PREFIX=/usr (image/make-deb.sh does), so the
# binary's compiled-in data directory matches where the package puts the assets.

set(roomsign_unitdir lib/systemd/system)
set(roomsign_docdir ${CMAKE_INSTALL_DATADIR}/doc/roomsign)

install(FILES ${CMAKE_CURRENT_LIST_DIR}/roomsign.service DESTINATION ${roomsign_unitdir})
install(PROGRAMS ${CMAKE_CURRENT_LIST_DIR}/roomsign-vt DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/roomsign)
# Central logs: [monitoring] journal_upload applied to systemd-journal-upload, as root.
install(PROGRAMS ${CMAKE_CURRENT_LIST_DIR}/roomsign-journal-upload DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/roomsign)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/roomsign-journal-upload.service
	${CMAKE_CURRENT_LIST_DIR}/roomsign-journal-upload.path DESTINATION ${roomsign_unitdir})
install(FILES ${CMAKE_CURRENT_LIST_DIR}/60-roomsign.rules DESTINATION lib/udev/rules.d)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/roomsign.tmpfiles
	DESTINATION lib/tmpfiles.d RENAME roomsign.conf)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/roomsign.sysusers
	DESTINATION lib/sysusers.d RENAME roomsign.conf)
# The example goes to the documentation only, not to /etc/roomsign/roomsign.conf: without a
# config file the sign shows its setup screen, which beats running an example pointed at
# mail.example.com. The admin (or the image's first boot) copies it into place.
install(FILES ${CMAKE_CURRENT_LIST_DIR}/roomsign.conf.example DESTINATION ${roomsign_docdir} OPTIONAL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME roomsign)
set(CPACK_PACKAGE_VENDOR roomsign)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "roomsign maintainers <maintainers@roomsign.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "meeting-room sign for a touchscreen beside the door")
# CPack puts the summary on the Description line and indents this text below it.
set(CPACK_PACKAGE_DESCRIPTION "roomsign shows whether a meeting room is free or busy and what is on
today, lets anyone book the room on the spot by touch, and lights a red/green
occupancy LED on a GPIO pin. It reads and writes the room's calendar over
Exchange EWS, Microsoft Graph or CalDAV (or reads a plain ICS URL) and draws
straight on the display through SDL's KMSDRM backend: no X, no Wayland, no
browser.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Beyond the linked libraries (found by dpkg-shlibdeps): SDL loads EGL/GLES with dlopen(), and
# its KMSDRM backend fails with "EGL not initialized" without them, so on a kiosk they are hard
# dependencies; the default font; systemd for the unit, sysusers.d and tmpfiles.d.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
	"fonts-dejavu-core, systemd, libegl1, libegl-mesa0, libgles2, libgl1-mesa-dri")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
	${CMAKE_CURRENT_LIST_DIR}/debian/postinst
	${CMAKE_CURRENT_LIST_DIR}/debian/prerm
	${CMAKE_CURRENT_LIST_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
