#!/usr/bin/env bash
# Installs what building and testing the Gear parachain needs. Idempotent; quiet when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

# Debian packages: protoc (litep2p), clang/libclang (rocksdb bindgen), binaryen (wasm-opt for gstd programs).
missing=()
for pkg in protobuf-compiler clang libclang-dev binaryen; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Rust targets: the runtime builds for wasm32-unknown-unknown/wasm32v1-none, gstd programs for wasm32v1-none.
installed_targets="$(rustup target list --installed)"
for target in wasm32-unknown-unknown wasm32v1-none; do
  grep -qx "$target" <<<"$installed_targets" || rustup target add "$target" >/dev/null
done
rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src >/dev/null

# Node.js packages of the end-to-end test.
if [ -f scripts/e2e/package-lock.json ]; then
  if [ ! -d scripts/e2e/node_modules ] || [ scripts/e2e/package-lock.json -nt scripts/e2e/node_modules/.package-lock.json ]; then
    (cd scripts/e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
