// Starts target/release/kms-emulator on a free loopback port and resolves with its URL.
import { spawn } from 'node:child_process';

export function startEmulator(args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn('target/release/kms-emulator', ['--addr', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve({ url: m[1], stop: () => child.kill() });
    });
    child.on('exit', (code) => reject(new Error(`kms-emulator exited (${code}): ${out}`)));
  });
}
