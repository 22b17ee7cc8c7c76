// Starts target/release/kms-emulator on a free loopback port and resolves with its URL.
//   startEmulator(args, options) -> { url, port, stop(), output(), child }
// options: { port } to listen on a given port (a restart on the same address), { quiet: true }
// to keep the emulator's output in memory (output()) instead of passing it through, { bin } to
// run another build of it (the benchmarks run a copy).
// stop() kills it and resolves once it has exited (so its port is free again).
// KMS_EMULATOR overrides the binary's path.
import { spawn } from 'node:child_process';
import net from 'node:net';

export function startEmulator(args = [], { port = 0, quiet = false, bin = process.env.KMS_EMULATOR ?? 'target/release/kms-emulator' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['--addr', `127.0.0.1:${port}`, ...args],
      { stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'] });
    let out = '';
    let ready = false;
    const exited = new Promise((done) => child.once('exit', done));
    child.stdout.on('data', (d) => {
      out += d;
      const m = !ready && out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        ready = true;
        resolve({
          url: m[1],
          port: Number(new URL(m[1]).port),
          child,
          output: () => out,
          stop: () => {
            if (child.exitCode === null && child.signalCode === null) child.kill();
            return exited;
          },
        });
      }
    });
    child.stderr?.on('data', (d) => { out += d; });
    child.on('exit', (code) => { if (!ready) reject(new Error(`kms-emulator exited (${code}): ${out}`)); });
  });
}

/** A loopback port that was free a moment ago (for restarting an emulator on the same address). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
