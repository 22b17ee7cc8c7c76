#!/usr/bin/env bash
# Installs everything the console's build, run and tests need, on a machine whose only network
# is the package registries. Idempotent: what is already there at the right version is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '[setup] %s\n' "$*"; }

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock, or Trunk (offline) refuses it.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rust target wasm32-unknown-unknown: present"
else
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
  # Without --locked: its own lockfile wants a crate release the registry here lacks.
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  say "trunk $TRUNK_VERSION: present"
else
  # 0.22 needs a newer rustc than this machine's.
  say "installing trunk $TRUNK_VERSION (about 10 minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

apt_missing=()
command -v chromium >/dev/null || apt_missing+=(chromium)
command -v chromedriver >/dev/null || apt_missing+=(chromium-driver)
command -v brotli >/dev/null || apt_missing+=(brotli)
# The web servers of the hosting check (deploy/): Caddy 2.6, nginx with the brotli_static module.
command -v caddy >/dev/null || apt_missing+=(caddy)
[ -x /usr/sbin/nginx ] || apt_missing+=(nginx)
[ -e /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ] || apt_missing+=(libnginx-mod-http-brotli-static)
if [ ${#apt_missing[@]} -eq 0 ]; then
  say "chromium, chromedriver, brotli, caddy, nginx (with brotli_static): present"
else
  say "installing from Debian: ${apt_missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  # Debian starts caddy's and nginx's system services on port 80 when it installs them (and
  # fails if the port is taken); the tests start their own. A policy-rc.d keeps them stopped
  # during the install, unless the machine has its own.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy"
    trap '$SUDO rm -f "$policy"' EXIT
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}"
  [ -z "$policy" ] || { $SUDO rm -f "$policy"; trap - EXIT; }
fi

# wasm-opt from npm's binaryen 132: Debian's older wasm-opt silently corrupts the wasm.
if node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version 132" \
  && [ -f node_modules/playwright-core/package.json ] \
  && grep -q '"version": "5.51.4"' node_modules/terser/package.json 2>/dev/null \
  && grep -q '"version": "4.14.1"' node_modules/axe-core/package.json 2>/dev/null; then
  say "npm tools (binaryen 132, playwright-core, terser, axe-core): present"
else
  say "installing npm tools from package-lock.json"
  npm ci --no-audit --no-fund
fi

if [ -x .venv/bin/python ] && .venv/bin/python -m pip freeze 2>/dev/null | sort | grep -qxF "$(grep -E '^boto3==' requirements-test.txt)" \
  && .venv/bin/python -c 'import pytest' 2>/dev/null; then
  say "python test tools (boto3, pytest): present"
else
  say "installing python test tools into .venv"
  python3 -m venv .venv
  .venv/bin/python -m pip install -q -r requirements-test.txt
fi
say "done"
