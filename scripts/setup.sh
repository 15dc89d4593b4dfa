#!/usr/bin/env bash
# Sets everything up on a fresh Debian machine (as root) and runs the main job.
# Main job, for now: a short tour of the catalogue (the lab replaces it in a later release).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"

actfn=build/actfn
echo; echo "== actfn list"; "$actfn" list
for spec in 'gelu' 'leaky_relu(negative_slope=0.2)' 'hard_sigmoid(preset=keras2)' 'selu'; do
  echo; echo "== actfn describe $spec"; "$actfn" describe "$spec"
done
echo; echo "== actfn eval mish --grad -3 -1 0 1 3"; "$actfn" eval mish --grad -3 -1 0 1 3
echo; echo "== actfn targets"; "$actfn" targets
echo; echo "== actfn accuracy sigmoid tanh silu (the kernels against the f64 oracle, 1 in 4096 inputs)"
"$actfn" accuracy sigmoid tanh silu
echo; echo "== actfn bench (in cache, one thread, against the peers found)"
"$actfn" bench --functions relu,sigmoid,tanh,'prelu(num_parameters=64)' --sizes 16Ki --threads 1 --repeats 3 --min-time 0.05
