#!/usr/bin/env bash
# Runs the local relay network and its tests: rococo-local (two validators) with Gear paras 2000
# and 2001, HRMP both ways from genesis (zombienet/gear-network.toml, tests in
# zombienet/gear-network.zndsl).
#
# Installs what is missing (system packages, @zombienet/cli from npm), builds the relay binaries
# (scripts/build-relay.sh) and the node (the same command as scripts/test.sh) if needed, writes
# the para chain specs (scripts/chain-specs.sh), then runs `zombienet test` with the native
# provider. Logs and node data: $ZOMBIENET_DIR (default /tmp/gear-zombienet).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gear-target}"
RELAY_BIN_DIR="${RELAY_ROOT:-$HOME/.cache/gear-relay}/bin"
ZOMBIENET_DIR="${ZOMBIENET_DIR:-/tmp/gear-zombienet}"

scripts/setup.sh
scripts/build-relay.sh
if [ ! -x "$CARGO_TARGET_DIR/release/gear-node" ] || [ ! -x "$CARGO_TARGET_DIR/release/gear-examples-export" ]; then
  echo "zombienet: building gear-node (same profile and features as scripts/test.sh)"
  cargo test --release --workspace --locked --no-run
fi
scripts/chain-specs.sh "$CARGO_TARGET_DIR/release/gear-node"

if [ ! -d zombienet/node_modules ] || [ zombienet/package-lock.json -nt zombienet/node_modules/.package-lock.json ]; then
  (cd zombienet && npm ci --no-audit --no-fund --loglevel=error)
fi

EXAMPLES_DIR="$(mktemp -d)"
trap 'rm -rf "$EXAMPLES_DIR"' EXIT
"$CARGO_TARGET_DIR/release/gear-examples-export" "$EXAMPLES_DIR" >/dev/null
export EXAMPLES_DIR

# polkadot finds its workers next to itself; gear-node and polkadot through PATH.
export PATH="$RELAY_BIN_DIR:$CARGO_TARGET_DIR/release:$PATH"
rm -rf "$ZOMBIENET_DIR"
start=$(date +%s)
zombienet/node_modules/.bin/zombienet test --provider native -l text -d "$ZOMBIENET_DIR" -f \
  zombienet/gear-network.zndsl
echo "zombienet: passed in $(( $(date +%s) - start )) s"
