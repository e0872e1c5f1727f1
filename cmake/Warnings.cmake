# Strict warnings for our own targets; -Werror in the developers' build (PGA_WERROR); sanitizers
# (PGA_SANITIZE, e.g. address,undefined or thread; undefined behaviour is always fatal) and the
# libFuzzer coverage instrumentation of pga_core when the fuzz targets are built (PGA_FUZZ, clang).
option(PGA_FUZZ "Build the libFuzzer targets in tests/fuzz (clang only; pga_core gets -fsanitize=fuzzer-no-link)" OFF)
if(PGA_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "PGA_FUZZ=ON: libFuzzer needs clang, got ${CMAKE_CXX_COMPILER_ID} (configure with -DCMAKE_CXX_COMPILER=clang++)")
endif()

function(pga_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wformat=2 -Wimplicit-fallthrough)
  if(PGA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(PGA_SANITIZE)
    set(san -fsanitize=${PGA_SANITIZE})
    if(PGA_SANITIZE MATCHES "undefined")
      list(APPEND san -fno-sanitize-recover=undefined)
    endif()
    target_compile_options(${target} PRIVATE ${san} -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE ${san})
  endif()
  if(PGA_FUZZ AND target STREQUAL "pga_core")
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()
