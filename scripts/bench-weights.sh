#!/usr/bin/env bash
# Regenerates the gear pallets' `weights.rs` with frame-benchmarking, measured inside the runtime:
# builds the runtime's WASM with `runtime-benchmarks` (in its own target dir, so the chain's own
# runtime is untouched), then runs `gear-node benchmark pallet --runtime <that wasm>` for
# `pallet_gear` and `pallet_gear_xcm`. Record the machine and the numbers in docs/PERFORMANCE.md.
#
# Env: STEPS (default 20), REPEAT (default 5), BENCH_TARGET_DIR (default
# ~/.cache/gear-bench-target), CARGO_TARGET_DIR (the node's; default ~/.cache/gear-target).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gear-target}"
bench_target="${BENCH_TARGET_DIR:-$HOME/.cache/gear-bench-target}"
steps="${STEPS:-20}"
repeat="${REPEAT:-5}"

scripts/setup.sh

echo "== the node (the same build scripts/test.sh makes)"
cargo test --release --workspace --locked --no-run
node="$CARGO_TARGET_DIR/release/gear-node"

echo "== the runtime with its benchmarks (WASM only: the native crates are only checked)"
CARGO_TARGET_DIR="$bench_target" cargo check -p gear-runtime --features runtime-benchmarks --locked
# `cargo check` leaves the release WASM as the compiler wrote it (not compacted).
wasm="$bench_target/debug/wbuild/gear-runtime/gear_runtime.wasm"
test -f "$wasm"

for target in pallet_gear:pallets/gear pallet_gear_xcm:pallets/gear-xcm; do
    pallet="${target%%:*}"
    dir="${target#*:}"
    echo "== $pallet"
    "$node" benchmark pallet \
        --runtime "$wasm" \
        --genesis-builder runtime \
        --genesis-builder-preset development \
        --pallet "$pallet" \
        --extrinsic '*' \
        --steps "$steps" \
        --repeat "$repeat" \
        --wasm-execution compiled \
        --output-analysis max \
        --template scripts/weight-template.hbs \
        --output "$dir/src/weights.rs"
done
cargo fmt --all
