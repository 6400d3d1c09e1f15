# tests/header/check.cmake - compile each public header alone with
# -std=c99 -pedantic -Werror (run by CTest as header.c99_pedantic).
file(GLOB headers RELATIVE ${SRC}/include ${SRC}/include/rat.h ${SRC}/include/rat/*.h)
file(MAKE_DIRECTORY ${OUT})
foreach(h ${headers})
  string(MAKE_C_IDENTIFIER ${h} id)
  set(tu ${OUT}/${id}.c)
  file(WRITE ${tu} "#include \"${h}\"\nint header_test_${id}(void);\nint header_test_${id}(void) { return 0; }\n")
  execute_process(COMMAND ${CC} -std=c99 -pedantic -Werror -Wall -Wextra -I${SRC}/include
                          -fsyntax-only ${tu}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${h} does not compile as strict C99:\n${out}${err}")
  endif()
  message(STATUS "ok ${h}")
endforeach()
list(LENGTH headers n)
if(n LESS 5)
  message(FATAL_ERROR "expected at least 5 public headers, found ${n}")
endif()
