#!/usr/bin/env bash
# Worst-case blocks validated as a relay-chain validator validates them (runtime/tests/validate_block.rs):
# each block is built natively over the real runtime, then `validate_block` of the runtime WASM runs in
# the relay chain's PVF executor with the default executor parameters. Prints, per block, the time
# validate_block took against the block's ref-time weight and the proof against its proof weight.
# One block at a time, so the timings do not share the two cores. Built by the test build (same
# profile and features): after scripts/test.sh this compiles nothing new. Results go to
# docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gear-target}"
scripts/setup.sh
cargo test --release --workspace --locked --test validate_block -- --nocapture --test-threads 1 2>&1 \
    | grep -E "^(test |[a-z0-9].*validate_block|test result)"
