# SPDX-License-Identifier: GPL-2.0-or-later
# httptap_bpf_object(NAME SOURCE): compiles bpf/NAME.bpf.c with clang for the
# BPF target (CO-RE, against a vmlinux.h generated from the running kernel's
# BTF at build time), strips it, and generates NAME.skel.h with bpftool. The
# result is an INTERFACE target `NAME_skel` whose include dir holds the
# skeleton. Generated files live only in the build directory.

find_program(BPF_CLANG NAMES clang REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)
find_program(LLVM_STRIP NAMES llvm-strip llvm-strip-14 llvm-strip-15 llvm-strip-16)
set(HTTPTAP_VMLINUX_BTF "/sys/kernel/btf/vmlinux" CACHE FILEPATH "Kernel BTF used to generate vmlinux.h")

set(_bpf_out ${CMAKE_BINARY_DIR}/bpf)
file(MAKE_DIRECTORY ${_bpf_out})

add_custom_command(
  OUTPUT ${_bpf_out}/vmlinux.h
  COMMAND ${BPFTOOL} btf dump file ${HTTPTAP_VMLINUX_BTF} format c > ${_bpf_out}/vmlinux.h.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${_bpf_out}/vmlinux.h.tmp ${_bpf_out}/vmlinux.h
  COMMENT "Generating vmlinux.h from ${HTTPTAP_VMLINUX_BTF}"
  VERBATIM)

function(httptap_bpf_object name source)
  get_filename_component(_src ${source} ABSOLUTE)
  get_filename_component(_srcdir ${_src} DIRECTORY)
  set(_obj ${_bpf_out}/${name}.bpf.o)
  set(_skel ${_bpf_out}/${name}.skel.h)
  file(GLOB _headers ${_srcdir}/*.h)
  add_custom_command(
    OUTPUT ${_obj}
    COMMAND ${BPF_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Wno-unused-function
            -I${_bpf_out} -I${_srcdir} -c ${_src} -o ${_obj}
    COMMAND $<IF:$<BOOL:${LLVM_STRIP}>,${LLVM_STRIP},true> -g ${_obj}
    DEPENDS ${_src} ${_headers} ${_bpf_out}/vmlinux.h
    COMMENT "Compiling BPF object ${name}.bpf.o"
    VERBATIM)
  add_custom_command(
    OUTPUT ${_skel}
    COMMAND ${BPFTOOL} gen skeleton ${_obj} name ${name}_bpf > ${_skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${_skel}.tmp ${_skel}
    DEPENDS ${_obj}
    COMMENT "Generating BPF skeleton ${name}.skel.h"
    VERBATIM)
  add_custom_target(${name}_skel_gen DEPENDS ${_skel})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  target_include_directories(${name}_skel INTERFACE ${_bpf_out} ${_srcdir})
  target_link_libraries(${name}_skel INTERFACE PkgConfig::LIBBPF)
endfunction()
