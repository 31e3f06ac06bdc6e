# Exchange (EWS) with auth = negotiate and real Kerberos: each case makes its own throw-away MIT
# realm (krb5kdc on a free loopback port, database in the case's directory), kinits the service
# account into a private cache and runs roomsign against the fake Exchange over HTTPS on
# localhost, which accepts the SPNEGO token with python3-gssapi and an HTTP/localhost keytab.
# Needs krb5-kdc, krb5-admin-server, krb5-user and python3-gssapi (.ci/setup test).
execute_process(COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/ews_kerberos_test.py list
	OUTPUT_VARIABLE ROOMSIGN_EWS_KRB_CASES OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE ews_krb_list_rc)
if(NOT ews_krb_list_rc EQUAL 0)
	message(FATAL_ERROR "tests/integration/ews_kerberos_test.py list failed")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/ews_kerberos_test.py)
foreach(ews_krb_case IN LISTS ROOMSIGN_EWS_KRB_CASES)
	add_test(NAME integration.ews_kerberos.${ews_krb_case}
		COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/ews_kerberos_test.py ${ews_krb_case}
			--roomsign $<TARGET_FILE:roomsign> --driver $<TARGET_FILE:ews_driver>
			--fake ${ROOMSIGN_TESTS_DIR}/fakes/ews/fake_ews.py
			--ca-script ${ROOMSIGN_TESTS_DIR}/fakes/make-test-ca.sh
			--workdir ${CMAKE_CURRENT_BINARY_DIR}/ews-kerberos-work)
	set_tests_properties(integration.ews_kerberos.${ews_krb_case} PROPERTIES LABELS integration TIMEOUT 120)
endforeach()
