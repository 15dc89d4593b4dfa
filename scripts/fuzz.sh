#!/usr/bin/env bash
# Fuzzes the code that reads what users and files hand actfn (fuzz/: the activation spec parser,
# advise's results.json reader, the lab's IDX and CSV readers, its run records and checkpoints)
# with libFuzzer under AddressSanitizer + UndefinedBehaviorSanitizer (Debian's clang).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]   each target SECONDS (default 60), every target by default
#   bash scripts/fuzz.sh --long [TARGET...]      30 minutes each; the summary goes to fuzz/LAST_LONG_RUN.md
#                                                and its copy in README.md
#
# Targets run one per core at a time. Each starts from its seeds (fuzz/corpus/NAME) and the inputs
# of past findings (fuzz/regressions/NAME), growing a work corpus kept between runs in
# build-fuzz/corpus/NAME. A crash, undefined behaviour, leak, timeout (10 s per input) or an
# allocation past 1 GiB is a finding: its input is saved in build-fuzz/findings/NAME/ and the
# script fails. Fix it, then add the input to fuzz/regressions/NAME/ (every test build replays it).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
long=false
if [[ ${1:-} == --long ]]; then
  long=true
  seconds=1800
  shift
elif [[ ${1:-} =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
all_targets=(spec_parser advise_results idx_reader csv_reader run_records)
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (targets: ${all_targets[*]})" >&2; exit 1; }
done

echo "== fuzz build (clang, libFuzzer, ASan+UBSan)"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACTFN_WERROR=ON \
  -DACTFN_FUZZ=ON -DACTFN_SANITIZE=ON -DACTFN_BUILD_TESTS=OFF -DACTFN_BUILD_CLI=OFF -DACTFN_BUILD_TORCH=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target actfn_fuzzers

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_target() {
  local t=$1
  mkdir -p "build-fuzz/corpus/$t" "build-fuzz/findings/$t" build-fuzz/logs
  local inputs=("build-fuzz/corpus/$t" "fuzz/corpus/$t")
  [[ -d fuzz/regressions/$t ]] && inputs+=("fuzz/regressions/$t")
  "build-fuzz/fuzz/${t}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
    -print_final_stats=1 -artifact_prefix="build-fuzz/findings/$t/" "${inputs[@]}" >"build-fuzz/logs/$t.log" 2>&1
}

echo "== fuzzing ${targets[*]}: ${seconds} s each, $(nproc) at a time"
declare -A status
pending=("${targets[@]}")
while ((${#pending[@]})); do
  batch=("${pending[@]:0:$(nproc)}")
  pending=("${pending[@]:${#batch[@]}}")
  declare -A pids=()
  for t in "${batch[@]}"; do
    run_target "$t" &
    pids[$t]=$!
  done
  for t in "${batch[@]}"; do
    if wait "${pids[$t]}"; then status[$t]=0; else status[$t]=$?; fi
  done
done

# One line per target from libFuzzer's final statistics.
duration() { if (($1 % 60 == 0)); then echo "$(($1 / 60)) min"; else echo "$1 s"; fi; }
summary=()
failed=0
for t in "${targets[@]}"; do
  log="build-fuzz/logs/$t.log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  corpus=$(find "build-fuzz/corpus/$t" -type f | wc -l)
  if [[ ${status[$t]} == 0 ]]; then
    summary+=("| $t | $(duration "$seconds") | ${runs:-?} | $corpus | ${peak:-?} MB | none |")
  else
    failed=1
    finding=$(ls -t "build-fuzz/findings/$t" 2>/dev/null | head -1)
    cause=$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*deadly signal|.*Timeout|.*out-of-memory)' "$log" || true)
    summary+=("| $t | $(duration "$seconds") | ${runs:-?} | $corpus | ${peak:-?} MB | **${cause:-exit ${status[$t]}}** (build-fuzz/findings/$t/$finding) |")
  fi
done
header=("| target | time | inputs run | corpus | peak RSS | findings |" "|---|---|---|---|---|---|")
printf '%s\n' "${header[@]}" "${summary[@]}"

if $long; then
  {
    echo "Last long fuzzing run (\`bash scripts/fuzz.sh --long\`): $(date -u '+%Y-%m-%d %H:%M UTC'), commit" \
         "$(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(lscpu | sed -n 's/^Model name: *//p' | head -1)," \
         "$(nproc) cores, clang $(clang++ -dumpversion), ASan + UBSan."
    echo
    printf '%s\n' "${header[@]}" "${summary[@]}"
  } >fuzz/LAST_LONG_RUN.md
  # The README's copy, between its markers (docs.fuzz_summary_up_to_date checks it).
  /usr/bin/python3 - <<'PY'
import re
summary = open("fuzz/LAST_LONG_RUN.md").read()
readme = open("README.md").read()
begin, end = "<!-- fuzz/LAST_LONG_RUN.md -->\n", "<!-- end fuzz/LAST_LONG_RUN.md -->"
a, b = readme.index(begin) + len(begin), readme.index(end)
open("README.md", "w").write(readme[:a] + summary + readme[b:])
PY
  echo "wrote fuzz/LAST_LONG_RUN.md and its copy in README.md"
fi
if ((failed)); then
  echo "fuzz.sh: findings above; their logs are in build-fuzz/logs/" >&2
  exit 1
fi
