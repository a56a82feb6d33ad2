#!/usr/bin/env bash
# Regenerates the engine's schedule (runtime/src/gear_schedule.rs) from measurements inside the
# runtime, then checks the result:
#   1. builds the test build (same profile and features as scripts/test.sh);
#   2. `gear-bench --ratios`: each workload (compute, memory access, calls, syscalls, payload
#      reads, memory growth, instantiation) run inside the runtime WASM as relay-chain validators
#      execute it (the PVF's wasmtime semantics: deterministic stack limit and the rest);
#      picoseconds per gas under the current schedule;
#   3. scripts/gen-schedule.py writes Gear's default weights x the measured factor per part;
#   4. rebuilds and measures again: every ratio should now be <= 1 / 1.25.
# Run it on the machine class collators use, on a quiet machine; commit gear_schedule.rs and
# put the final ratios in docs/PERFORMANCE.md. Takes two runtime builds (~15 min warm).
# SCHEDULE_PARTS=persisted (comma-separated parts: instructions, syscalls, memory,
# instantiation, persisted) regenerates only those parts; the others keep their factors.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gear-target}"
scripts/setup.sh
out="${SCHEDULE_LOG_DIR:-$CARGO_TARGET_DIR/schedule}"
mkdir -p "$out"
cargo test --release --workspace --locked --no-run
bench="$CARGO_TARGET_DIR/release/gear-bench"
"$bench" --ratios | tee "$out/ratios-before.txt"
"$bench" --schedule-defaults > "$out/defaults.txt"
python3 scripts/gen-schedule.py "$out/ratios-before.txt" "$out/defaults.txt" runtime/src/gear_schedule.rs \
    ${SCHEDULE_PARTS:+"$SCHEDULE_PARTS"}
cargo test --release --workspace --locked --no-run
"$bench" --ratios | tee "$out/ratios-after.txt"
echo "bench-schedule: runtime/src/gear_schedule.rs regenerated; ratios after: $out/ratios-after.txt"
