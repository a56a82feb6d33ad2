#!/usr/bin/env bash
# Runs the engine benchmarks (release build, same target dir as the tests). Numbers are recorded
# by hand in docs/PERFORMANCE.md with the machine they were measured on.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gear-target}"
scripts/setup.sh
cargo bench --locked -p gear-engine --features wasmtime --bench engine
