# SPDX-License-Identifier: GPL-2.0-or-later
# httptap_add_python_tests(PREFIX <p> PYTHON <python> LABEL <label> ENVIRONMENT <var=value>...)
#
# One ctest entry per `def test_*` under its `class ...(...)`, in every test_*.py
# of the calling directory: <p>.<Class>.<test without "test_">, run with
# `python -m unittest` from that directory. These tests need root and attach
# probes system-wide, so they run one at a time (RUN_SERIAL). Reconfigures
# when a module changes, so a new test method is registered without a manual
# cmake run.
function(httptap_add_python_tests)
  cmake_parse_arguments(arg "" "PREFIX;PYTHON;LABEL" "ENVIRONMENT" ${ARGN})
  set(dir ${CMAKE_CURRENT_SOURCE_DIR})
  file(GLOB modules RELATIVE ${dir} CONFIGURE_DEPENDS ${dir}/test_*.py)
  foreach(module_file IN LISTS modules)
    string(REGEX REPLACE "\\.py$" "" module ${module_file})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${dir}/${module_file})
    file(STRINGS ${dir}/${module_file} lines REGEX "^class [A-Za-z0-9_]+\\(|^    def test_[A-Za-z0-9_]+\\(")
    set(class "")
    foreach(line IN LISTS lines)
      if(line MATCHES "^class ([A-Za-z0-9_]+)\\(")
        set(class ${CMAKE_MATCH_1})
      elseif(line MATCHES "^    def (test_[A-Za-z0-9_]+)\\(")
        set(test ${CMAKE_MATCH_1})
        string(REGEX REPLACE "^test_" "" short ${test})
        set(name ${arg_PREFIX}.${class}.${short})
        add_test(NAME ${name}
          COMMAND ${arg_PYTHON} -m unittest -v ${module}.${class}.${test}
          WORKING_DIRECTORY ${dir})
        set_tests_properties(${name} PROPERTIES
          ENVIRONMENT "${arg_ENVIRONMENT};PYTHONDONTWRITEBYTECODE=1"
          RUN_SERIAL TRUE TIMEOUT 120 LABELS ${arg_LABEL})
      endif()
    endforeach()
  endforeach()
endfunction()
