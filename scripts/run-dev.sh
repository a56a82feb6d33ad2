#!/usr/bin/env bash
# Starts a development chain: one `gear-node --dev` with no relay chain, a block every 3 s,
# RPC on ws://127.0.0.1:9944. Extra arguments go to gear-node (e.g. --dev-block-time 1000).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gear-target}"

scripts/setup.sh
# The same build as scripts/test.sh (same profile and features), so neither rebuilds the other's work.
cargo test --release --workspace --locked --no-run
exec "$CARGO_TARGET_DIR/release/gear-node" --dev --rpc-cors all "$@"
