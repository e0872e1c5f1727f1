# Strict warnings for our own targets; -Werror in the developers' build (PGA_WERROR).
function(pga_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wformat=2 -Wimplicit-fallthrough)
  if(PGA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(PGA_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${PGA_SANITIZE} -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=${PGA_SANITIZE})
  endif()
endfunction()
