#!/usr/bin/env bash
# Regenerates the gear pallets' `weights.rs` with frame-benchmarking, measured inside the runtime:
# builds the runtime's WASM with `runtime-benchmarks` (in its own target dir, so the chain's own
# runtime is untouched), then runs `gear-node benchmark pallet --runtime <that wasm>` for
# `pallet_gear` and `pallet_gear_xcm`, and for the transaction extensions every signed extrinsic
# pays (`frame_system_extensions`, `pallet_transaction_payment`, `cumulus_pallet_weight_reclaim`)
# and the SDK pallets users call (`pallet_utility`, `pallet_xcm`), into `runtime/src/weights/`.
# Record the machine and the numbers in docs/PERFORMANCE.md.
#
# Env: STEPS (default 20), REPEAT (default 5), PALLETS (comma-separated: only these), BENCH_TARGET_DIR (default
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

# pallet:output:template. The gear pallets' `weights.rs` define their `WeightInfo`; the SDK's
# pallets that every signed extrinsic runs (the transaction extensions) and those users call
# (`pallet_utility`, `pallet_xcm`) get the runtime's own.
targets=(
    pallet_gear:pallets/gear/src/weights.rs:scripts/weight-template.hbs
    pallet_gear_xcm:pallets/gear-xcm/src/weights.rs:scripts/weight-template.hbs
    frame_system_extensions:runtime/src/weights/frame_system_extensions.rs:scripts/runtime-weight-template.hbs
    pallet_transaction_payment:runtime/src/weights/pallet_transaction_payment.rs:scripts/runtime-weight-template.hbs
    cumulus_pallet_weight_reclaim:runtime/src/weights/cumulus_pallet_weight_reclaim.rs:scripts/runtime-weight-template.hbs
    pallet_utility:runtime/src/weights/pallet_utility.rs:scripts/runtime-weight-template.hbs
    pallet_xcm:runtime/src/weights/pallet_xcm.rs:scripts/runtime-weight-template.hbs
)
for target in "${targets[@]}"; do
    IFS=: read -r pallet output template <<<"$target"
    # PALLETS (comma-separated) reruns only those, e.g. after a change to one of them.
    if [ -n "${PALLETS:-}" ] && [[ ",$PALLETS," != *",$pallet,"* ]]; then
        continue
    fi
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
        --template "$template" \
        --output "$output"
done
cargo fmt --all
