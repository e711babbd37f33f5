# SPDX-License-Identifier: GPL-2.0-or-later
# Builds llhttp from the C sources Debian ships in node-llhttp
# (/usr/share/llhttp/*.c, /usr/share/include/llhttp/llhttp.h) as a static
# library target `llhttp::llhttp`. Nothing of llhttp is copied into our tree.

find_path(LLHTTP_INCLUDE_DIR llhttp.h PATHS /usr/share/include/llhttp /usr/include /usr/local/include NO_DEFAULT_PATH)
find_file(LLHTTP_SOURCE_LLHTTP llhttp.c PATHS /usr/share/llhttp NO_DEFAULT_PATH)
find_file(LLHTTP_SOURCE_API api.c PATHS /usr/share/llhttp NO_DEFAULT_PATH)
find_file(LLHTTP_SOURCE_HTTP http.c PATHS /usr/share/llhttp NO_DEFAULT_PATH)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Llhttp REQUIRED_VARS LLHTTP_INCLUDE_DIR LLHTTP_SOURCE_LLHTTP LLHTTP_SOURCE_API LLHTTP_SOURCE_HTTP)

if(Llhttp_FOUND AND NOT TARGET llhttp::llhttp)
  add_library(httptap_llhttp STATIC ${LLHTTP_SOURCE_LLHTTP} ${LLHTTP_SOURCE_API} ${LLHTTP_SOURCE_HTTP})
  target_include_directories(httptap_llhttp SYSTEM PUBLIC ${LLHTTP_INCLUDE_DIR})
  set_target_properties(httptap_llhttp PROPERTIES C_STANDARD 99 POSITION_INDEPENDENT_CODE ON)
  target_compile_options(httptap_llhttp PRIVATE -w -O2)
  add_library(llhttp::llhttp ALIAS httptap_llhttp)
endif()
