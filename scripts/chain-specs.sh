#!/usr/bin/env bash
# Generates the plain chain specs of the local network's paras (2000 and 2001 on rococo-local)
# from the runtime's `local_testnet` preset, with the node that will run them, so they never
# drift from the runtime: chain-specs/gear-local-<para>.json.
#
# Usage: scripts/chain-specs.sh [path/to/gear-node]   (default: the release build in the shared
# target dir, built the way scripts/test.sh builds it if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gear-target}"

node="${1:-$CARGO_TARGET_DIR/release/gear-node}"
if [ ! -x "$node" ]; then
  echo "chain-specs: building gear-node (same profile and features as scripts/test.sh)"
  cargo test --release --workspace --locked --no-run >/dev/null
fi

for para in 2000 2001; do
  out="chain-specs/gear-local-$para.json"
  "$node" build-spec --chain "local-$para" --disable-default-bootnode 2>/dev/null >"$out.tmp"
  mv "$out.tmp" "$out"
  # What the relay chain registers: both must come from this spec.
  "$node" export-genesis-head --chain "$out" >"chain-specs/gear-local-$para.head" 2>/dev/null
  echo "chain-specs: $out ($(wc -c <"$out") bytes, para_id $(grep -o '"para_id": *[0-9]*' "$out" | grep -o '[0-9]*$'))"
done
