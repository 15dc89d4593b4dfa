# ctest -R docs.fuzz_summary_up_to_date: the README's copy of fuzz/LAST_LONG_RUN.md (between its
# marker comments) must be that file's content; scripts/fuzz.sh --long writes both.
file(READ ${SOURCE_DIR}/README.md readme)
file(READ ${SOURCE_DIR}/fuzz/LAST_LONG_RUN.md summary)
set(begin "<!-- fuzz/LAST_LONG_RUN.md -->\n")
set(end "<!-- end fuzz/LAST_LONG_RUN.md -->")
string(FIND "${readme}" "${begin}" at)
string(FIND "${readme}" "${end}" stop)
if(at EQUAL -1 OR stop EQUAL -1)
  message(FATAL_ERROR "README.md lacks the markers around the copy of fuzz/LAST_LONG_RUN.md")
endif()
string(LENGTH "${begin}" skip)
math(EXPR from "${at} + ${skip}")
math(EXPR length "${stop} - ${from}")
string(SUBSTRING "${readme}" ${from} ${length} copy)
if(NOT copy STREQUAL summary)
  message(FATAL_ERROR "README.md's copy of fuzz/LAST_LONG_RUN.md is stale: run bash scripts/fuzz.sh --long, "
                      "or copy the file between the markers")
endif()
