# The layers of app/ point one way (issue 13): tests/unit/layering.py resolves every include and
# fails on one that points backwards (core <- net <- calendar <- ui <- the program), or on core
# including SDL, curl, libxml2 or cJSON. Its self-test plants a backward include and must find it.
add_test(NAME unit.layering COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/layering.py ${CMAKE_SOURCE_DIR})
add_test(NAME unit.layering.self_test COMMAND ${ROOMSIGN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/layering.py --self-test)
set_tests_properties(unit.layering unit.layering.self_test PROPERTIES LABELS unit)
