#!/usr/bin/env bash
# Installs every Debian package actfn needs to build, test and run. Idempotent; run as root.
# Packages are grouped by the layer that needs them so each dependency has a visible reason.
set -euo pipefail

packages=(
  # build spine
  build-essential cmake ninja-build pkg-config git
  # tests: GoogleTest through CTest; MPFR is the high-precision accuracy oracle
  googletest libgtest-dev libgmock-dev libmpfr-dev
  # benchmarks: Google Benchmark (bench/actfn_bench)
  libbenchmark-dev
  # kernels: SIMD with runtime dispatch over every x86-64 target from one source
  libhwy-dev
  # CLI: argument parsing and JSON output
  libcli11-dev nlohmann-json3-dev
  # bench peers, linked only into the bench executables (each optional at build time): libtorch's
  # ATen, oneDNN, XNNPACK and its thread pool
  libtorch-dev libdnnl-dev libxnnpack-dev libpthreadpool-dev
  # oneDNN's CMake package requires OpenCL's (its GPU runtime); only recommended by libdnnl-dev
  ocl-icd-opencl-dev
  # PyTorch adapter: libtorch (above) for the operators and modules; Debian's PyTorch for the
  # Python package and its tests (/usr/bin/python3). OpenBLAS (OpenMP build, as libtorch's own
  # threads) replaces the netlib reference libblas3 that libtorch would otherwise call for every
  # matmul: 2.5 -> 18.5 GFLOPS on one core for the lab's layers
  python3-torch libopenblas0-openmp
  # lab: Fashion-MNIST, gzip-compressed IDX files (zlib reads gzip and plain alike), the
  # report's pictures (matplotlib on /usr/bin/python3)
  dataset-fashion-mnist zlib1g-dev python3-matplotlib
  # fuzzing (scripts/fuzz.sh): clang brings libFuzzer and its sanitizer runtimes
  # (libclang-common-14-dev); GCC has no libFuzzer
  clang
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#packages[@]} packages present"
fi
