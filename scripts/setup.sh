#!/usr/bin/env bash
# Sets everything up on a fresh Debian machine (as root) and runs the main job: the default
# comparison of ten activations on Fashion-MNIST (an MLP and a CNN, three seeds; about 15 minutes
# on two cores), leaving results/compare/report.html (and report.md, results.csv, figures/).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"

echo; echo "== actfn plot (the ten activations of the comparison and their derivatives)"
mkdir -p results
build/actfn plot sigmoid tanh relu leaky_relu prelu elu selu gelu swish mish -o results/activations.png
echo; echo "== actfn compare (the default grid; finished runs in results/compare are kept and skipped)"
build/actfn compare --out results/compare
echo; echo "report: results/compare/report.html (and report.md)"
