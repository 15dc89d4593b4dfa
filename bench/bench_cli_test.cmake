# `actfn bench` end to end, not a timing test (cmake -P): --json parses into objects with the six
# keys (actfn's also naming the kernel that computed it), every implementation built in
# (EXPECTED_IMPLS) appears, --markdown prints a table, and bad arguments fail with one line on
# stderr.
#   cmake -DACTFN=path/to/actfn "-DEXPECTED_IMPLS=actfn;memcpy;libtorch" -P bench_cli_test.cmake
cmake_minimum_required(VERSION 3.25)  # IN_LIST, string(JSON)
set(quick --sizes 4096 --threads 1,2 --min-time 0.0005 --repeats 1)

execute_process(COMMAND ${ACTFN} bench --functions relu,sigmoid,tanh,mish,prelu\(num_parameters=64\) ${quick} --json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "actfn bench --json failed (${rc}): ${err}")
endif()
string(JSON count ERROR_VARIABLE json_error LENGTH "${out}")
if(json_error OR count EQUAL 0)
  message(FATAL_ERROR "actfn bench --json: not a non-empty JSON array (${json_error}):\n${out}")
endif()
set(seen)
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  string(JSON item GET "${out}" ${i})
  foreach(key impl function direction)
    string(JSON type TYPE "${item}" ${key})
    if(NOT type STREQUAL "STRING")
      message(FATAL_ERROR "entry ${i}: '${key}' is ${type}, not a string: ${item}")
    endif()
  endforeach()
  foreach(key n threads gelem_per_s)
    string(JSON type TYPE "${item}" ${key})
    if(NOT type STREQUAL "NUMBER")
      message(FATAL_ERROR "entry ${i}: '${key}' is ${type}, not a number: ${item}")
    endif()
  endforeach()
  string(JSON rate GET "${item}" gelem_per_s)
  if(NOT rate GREATER 0)
    message(FATAL_ERROR "entry ${i}: no positive rate: ${item}")
  endif()
  string(JSON impl GET "${item}" impl)
  list(APPEND seen ${impl})
  # actfn's entries name the kernel that computed them (the kernel table's path).
  if(impl STREQUAL "actfn")
    string(JSON kernel GET "${item}" kernel)
    string(JSON function GET "${item}" function)
    string(JSON direction GET "${item}" direction)
    if(function STREQUAL "relu" AND NOT kernel STREQUAL "exact")
      message(FATAL_ERROR "entry ${i}: relu's kernel is '${kernel}', not exact: ${item}")
    endif()
    if(function STREQUAL "mish" AND direction STREQUAL "forward" AND NOT kernel STREQUAL "f32-in-f64")
      message(FATAL_ERROR "entry ${i}: mish's forward kernel is '${kernel}', not f32-in-f64: ${item}")
    endif()
    if(function MATCHES "^prelu" AND NOT kernel STREQUAL "channels")
      message(FATAL_ERROR "entry ${i}: per-channel prelu's kernel is '${kernel}', not channels: ${item}")
    endif()
  endif()
endforeach()
foreach(impl IN LISTS EXPECTED_IMPLS)
  if(NOT impl IN_LIST seen)
    message(FATAL_ERROR "actfn bench --json: no results from '${impl}' (built in); saw: ${seen}")
  endif()
endforeach()

execute_process(COMMAND ${ACTFN} bench --functions relu ${quick} --markdown
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\\| relu +\\| forward_backward \\| 4Ki \\| 2 \\|")
  message(FATAL_ERROR "actfn bench --markdown (${rc}): ${err}\n${out}")
endif()

# Vector-wise functions over rows: forward and the backward they have (softmax from y, glu from x).
execute_process(COMMAND ${ACTFN} bench --functions softmax,glu ${quick} --markdown
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\\| softmax +\\| backward_y +\\| 4Ki \\|" OR NOT out MATCHES "\\| glu +\\| backward_x +\\| 4Ki \\|")
  message(FATAL_ERROR "actfn bench --functions softmax,glu --markdown (${rc}): ${err}\n${out}")
endif()

# Errors: one line on stderr naming the problem, exit code != 0.
foreach(bad "--functions;reluu" "--functions;maxout(pieces=3)" "--functions;softmax;--sizes;1000" "--sizes;12q"
        "--threads;zero" "--peers;torchh" "--functions;prelu(num_parameters=64);--sizes;100")
  # Every argument is checked before anything is timed, so these fail at once.
  execute_process(COMMAND ${ACTFN} bench ${bad} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(STRIP "${err}" err)
  if(rc EQUAL 0 OR NOT err MATCHES "^actfn-bench: error: [^\n]+$")
    message(FATAL_ERROR "actfn bench ${bad}: want one error line and exit != 0; got ${rc}: '${err}'")
  endif()
endforeach()
