# Shared by run.sh and test.sh: PATH for the pinned tools, and starting the emulator.
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true

# start_emulator LOGFILE ARGS...: starts target/release/kms-emulator, waits for its ready line,
# sets EMULATOR_PID and EMULATOR_URL.
start_emulator() {
  local log=$1; shift
  target/release/kms-emulator "$@" >"$log" 2>&1 &
  EMULATOR_PID=$!
  for _ in $(seq 1 100); do
    EMULATOR_URL=$(sed -n 's/^kms-emulator listening on \(http:[^ ]*\).*/\1/p' "$log")
    [ -n "$EMULATOR_URL" ] && return 0
    kill -0 "$EMULATOR_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "kms-emulator did not start:" >&2
  cat "$log" >&2
  return 1
}
