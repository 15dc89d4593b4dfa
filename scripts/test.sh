#!/usr/bin/env bash
# The whole test suite: installs dependencies, then builds and runs every test twice —
# a Release build with warnings as errors, and an AddressSanitizer + UndefinedBehaviorSanitizer build —
# and fuzzes every fuzz/ target for a minute (scripts/fuzz.sh; longer runs: bash scripts/fuzz.sh --long).
set -euo pipefail
cd "$(dirname "$0")/.."

stage_start=$SECONDS
stage() {  # how long the previous stage took (installing the dependencies, first), then the next title
  echo "== took $((SECONDS - stage_start)) s"
  stage_start=$SECONDS
  echo "== $1"
}

bash scripts/install-deps.sh
jobs=$(nproc)

stage "Release build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DACTFN_WERROR=ON
cmake --build build -j "$jobs"
ctest --test-dir build -j "$jobs" --output-on-failure --timeout 900

stage "ASan + UBSan build"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACTFN_WERROR=ON -DACTFN_SANITIZE=ON
cmake --build build-asan -j "$jobs"
# The install test links an uninstrumented consumer against the library: Release build only.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -j "$jobs" --output-on-failure --timeout 1800 -E '^install\.'

stage "Fuzzing (libFuzzer, ASan + UBSan), 60 s per target"
bash scripts/fuzz.sh 60
stage "done in $SECONDS s"
