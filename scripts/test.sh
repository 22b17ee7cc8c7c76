#!/usr/bin/env bash
# Sets up, then runs every check and test: format, lints (native and wasm32), native tests,
# the boto3 suite against the emulator, the browser tests in headless Chromium, the release
# build loaded from a plain static server, the end-to-end suite and the load test (e2e/), and
# the size budget.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. scripts/lib.sh

step() { printf '\n==> %s\n' "$*"; }
EMULATOR_PID=
trap '[ -n "$EMULATOR_PID" ] && kill $EMULATOR_PID 2>/dev/null || true' EXIT
mkdir -p target

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (native)"
cargo clippy --workspace --all-targets -- -D warnings

step "clippy (wasm32)"
cargo clippy -p cks-console --target wasm32-unknown-unknown --all-targets -- -D warnings

step "native tests (core and emulator)"
cargo test --workspace

step "kms-emulator (release build)"
cargo build --release -p kms-emulator

step "boto3 against the emulator"
start_emulator target/emulator-boto3.log --addr 127.0.0.1:0 --time-scale 60
EMULATOR_URL=$EMULATOR_URL .venv/bin/python -m pytest -q tests/emulator
kill $EMULATOR_PID

step "browser tests (wasm-bindgen-test, headless Chromium)"
start_emulator target/emulator-wasm.log --addr 127.0.0.1:0 --time-scale 60
CKS_EMULATOR_URL=$EMULATOR_URL WASM_BINDGEN_TEST_TIMEOUT=180 \
  cargo test -p cks-console --target wasm32-unknown-unknown
kill $EMULATOR_PID

step "release build (trunk build --release)"
trunk build --release
# The minified glue's integrity hash was written again (scripts/minify.mjs).
node scripts/minify.mjs --check dist

step "release dist/ from a plain static server, in Chromium"
start_emulator target/emulator-smoke.log --addr 127.0.0.1:0 --time-scale 60
EMULATOR_URL=$EMULATOR_URL node e2e/smoke.mjs dist
kill $EMULATOR_PID

step "hosting recipes: dist/ behind Caddy (deploy/Caddyfile) and nginx (deploy/nginx.conf), in Chromium"
E2E_DIST=dist node --test e2e/hosting.mjs

step "end-to-end suite (e2e/*.test.mjs: release dist/ in Chromium, emulators with faults, CSP, bad input)"
E2E_DIST=dist node --test --test-concurrency=1 e2e/*.test.mjs

step "load: 200 concurrent clients for 30 s against the emulator"
node e2e/load.mjs --clients 200 --seconds 30

step "size budget"
scripts/size-report.sh dist

echo
echo "all checks passed"
