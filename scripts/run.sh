#!/usr/bin/env bash
# Sets up, then runs the console against the local KMS emulator:
#   the emulator on http://127.0.0.1:4599, the console on http://127.0.0.1:8080.
# CKS_TIME_SCALE (default 10) speeds up the emulator's connects: at 10, an external key store
# connects in about 30 s instead of 5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. scripts/lib.sh

cargo build --release -p kms-emulator
mkdir -p target
start_emulator target/emulator.log --addr 127.0.0.1:4599 --time-scale "${CKS_TIME_SCALE:-10}"
trap 'kill $EMULATOR_PID 2>/dev/null || true' EXIT
cat target/emulator.log
echo
echo "  Open http://127.0.0.1:8080/ and press \"Use local emulator\" (the first build takes a minute or two)."
echo
trunk serve --address 127.0.0.1 --port 8080
