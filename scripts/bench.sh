#!/usr/bin/env bash
# Runs the engine benchmarks. `gear-bench` is built by the test build (same profile and
# features), so this compiles nothing new after scripts/test.sh. Results are recorded in
# docs/PERFORMANCE.md together with the machine they were measured on.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gear-target}"
scripts/setup.sh
cargo test --release --workspace --locked --no-run
"$CARGO_TARGET_DIR/release/gear-bench"
