#!/usr/bin/env bash
# Builds the relay chain binaries zombienet runs (`polkadot`, `polkadot-prepare-worker`,
# `polkadot-execute-worker`) from the crates.io `polkadot` crate 41.0.0, the release that matches the
# workspace's polkadot-sdk umbrella 2609.2.0 (it pins polkadot-cli 42.0.0 and enables `rococo-native`).
#
# Output: $RELAY_BIN_DIR (default ~/.cache/gear-relay/bin). Build artefacts go to the shared target dir,
# so crates the node already compiled are not compiled again. Idempotent: exits at once when the three
# binaries of this version are present.
set -euo pipefail
cd "$(dirname "$0")/.."

POLKADOT_VERSION=41.0.0
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gear-target}"
RELAY_ROOT="${RELAY_ROOT:-$HOME/.cache/gear-relay}"
RELAY_BIN_DIR="$RELAY_ROOT/bin"

have_all=1
for bin in polkadot polkadot-prepare-worker polkadot-execute-worker; do
  [ -x "$RELAY_BIN_DIR/$bin" ] || have_all=0
done
if [ "$have_all" = 1 ] && "$RELAY_BIN_DIR/polkadot" --version 2>/dev/null | grep -q "polkadot"; then
  [ -f "$RELAY_ROOT/VERSION" ] && [ "$(cat "$RELAY_ROOT/VERSION")" = "$POLKADOT_VERSION" ] && {
    echo "relay: polkadot $POLKADOT_VERSION present in $RELAY_BIN_DIR"
    exit 0
  }
fi

scripts/setup.sh
echo "relay: building polkadot $POLKADOT_VERSION into $RELAY_BIN_DIR (cold: see docs/BUILD.md)"
start=$(date +%s)
# --locked: the crate's own Cargo.lock, the exact set the release was tested with.
cargo install polkadot --version "$POLKADOT_VERSION" --locked --force \
  --root "$RELAY_ROOT" --target-dir "$CARGO_TARGET_DIR"
echo "$POLKADOT_VERSION" >"$RELAY_ROOT/VERSION"
echo "relay: built in $(( $(date +%s) - start )) s"
