#!/usr/bin/env bash
# Builds everything and runs every test: unit and integration tests of every crate, then the
# end-to-end test against a real `gear-node --dev`. One profile (release) for all of it, so each
# crate compiles once.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gear-target}"

scripts/setup.sh

echo "== cargo test (release, workspace)"
cargo test --release --workspace --locked

echo "== end to end"
examples_dir="$(mktemp -d)"
trap 'rm -rf "$examples_dir"' EXIT
"$CARGO_TARGET_DIR/release/gear-examples-export" "$examples_dir" >/dev/null
node scripts/e2e/e2e.mjs "$CARGO_TARGET_DIR/release/gear-node" "$examples_dir"
