#!/usr/bin/env node
// The benchmarks of issue 8 (see BENCHMARKS.md), not part of the tests:
//   signing   our wasm signer against the AWS SDK's browser signer, in one Chromium page
//   startup   navigation → an interactive Connect button, 20 fresh loads of the release site
//   polling   Describe requests and detection lag for 30 s, 5 min and 20 min connects
//   memory    JS heap and wasm memory after 10 and after 1,000 polls
//   sizes     the AWS SDK v3 KMS client bundle (3 commands), gzip and brotli, next to ours
//   firstload first paint, Connect and bytes on Lighthouse's mobile link, cold and warm, served
//             uncompressed (python3 -m http.server) and by deploy/'s Caddy and nginx (brotli)
//
//   node bench/run.mjs                      build what is needed, run everything
//   node bench/run.mjs --only signing,sizes run some
//   node bench/run.mjs --no-build           reuse bench/out/ and target/bench-dist/
//   node bench/run.mjs --quick              fewer samples: checks that it all works (~2 min)
//   node bench/run.mjs --only signing --o3  also times the signer built at opt-level 3 (the app
//                                           is built at "z"), from its own target dir
//
// Writes bench/results.json (every figure, the machine, the load) and prints a table.
// Needs scripts/setup.sh's tools (wasm32 target, wasm-bindgen-cli, trunk, wasm-opt and
// playwright-core in node_modules, Debian's Chromium); installs bench/'s npm packages itself.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
process.chdir(ROOT);
const OUT = path.join(BENCH, 'out');
const DIST = path.join(ROOT, 'target', 'bench-dist');
const EMULATOR = path.join(OUT, 'kms-emulator');
const SCENARIO = path.join(BENCH, 'scenario.json');
const ALL = ['signing', 'startup', 'polling', 'memory', 'sizes', 'firstload'];

const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const value = (f) => { const i = args.indexOf(f); return i >= 0 ? args[i + 1] : undefined; };
const only = value('--only') ? value('--only').split(',') : ALL;
for (const o of only) if (!ALL.includes(o)) { console.error(`unknown benchmark ${o} (one of ${ALL.join(', ')})`); process.exit(2); }
const quick = flag('--quick');
const build = !flag('--no-build');
const o3 = flag('--o3');

const env = { ...process.env, PATH: `${ROOT}/node_modules/.bin:${os.homedir()}/.cargo/bin:${process.env.PATH}`, TRUNK_SKIP_VERSION_CHECK: 'true' };
const run = (cmd, argv, opts = {}) => {
  console.error(`bench: ${cmd} ${argv.join(' ')}`);
  execFileSync(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit'], env, ...opts });
};
const sh = (cmd) => { try { return execFileSync('sh', ['-c', cmd], { env, encoding: 'utf8' }).trim(); } catch { return null; } };

// --- build ---------------------------------------------------------------------------------
if (!fs.existsSync(path.join(BENCH, 'node_modules', 'esbuild'))) run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: BENCH });
fs.mkdirSync(OUT, { recursive: true });
if (build) {
  if (only.includes('signing')) {
    run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'cks-bench-signer']);
    run('wasm-bindgen', ['--target', 'web', '--out-dir', path.join(OUT, 'signer'), 'target/wasm32-unknown-unknown/release/cks_bench_signer.wasm']);
    // -Oz (the app's own build adds size passes: index.html, data-wasm-opt-params).
    const wasm = path.join(OUT, 'signer', 'cks_bench_signer_bg.wasm');
    run('wasm-opt', ['-Oz', wasm, '-o', wasm]);
    const { build: esbuild } = await import(path.join(BENCH, 'node_modules', 'esbuild', 'lib', 'main.js'));
    await esbuild({
      entryPoints: [path.join(BENCH, 'sign', 'sdk-entry.mjs')], bundle: true, minify: true, format: 'esm',
      platform: 'browser', target: 'es2022', outfile: path.join(OUT, 'sdk-signer.js'), logLevel: 'warning',
    });
  }
  if (only.includes('signing') && o3) {
    const target = path.join(ROOT, 'target', 'bench-o3');
    run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'cks-bench-signer',
      '--config', 'profile.release.opt-level=3'], { env: { ...env, CARGO_TARGET_DIR: target } });
    run('wasm-bindgen', ['--target', 'web', '--out-dir', path.join(OUT, 'signer-o3'), path.join(target, 'wasm32-unknown-unknown/release/cks_bench_signer.wasm')]);
    const wasm = path.join(OUT, 'signer-o3', 'cks_bench_signer_bg.wasm');
    run('wasm-opt', ['-O3', wasm, '-o', wasm]);
  }
  if (['startup', 'polling', 'memory', 'sizes', 'firstload'].some((o) => only.includes(o))) {
    // The `pace` feature honours #pace=N (the polling and memory runs compress the watch
    // schedule with it); a published release build ignores it.
    run('trunk', ['build', '--release', '--features', 'pace', '--dist', DIST]);
  }
  if (['polling', 'memory'].some((o) => only.includes(o))) {
    run('cargo', ['build', '--release', '-p', 'kms-emulator']);
    // A copy: a rebuild of the emulator during the run must not change what is measured.
    fs.copyFileSync('target/release/kms-emulator', EMULATOR);
    fs.chmodSync(EMULATOR, 0o755);
  }
}

// --- machine -------------------------------------------------------------------------------
const machine = {
  cpus: os.cpus().length,
  cpu_model: os.cpus()[0]?.model ?? null,
  memory_gib: Math.round(os.totalmem() / 2 ** 30),
  kernel: `${os.type()} ${os.release()}`,
  chromium: sh('/usr/bin/chromium --version 2>/dev/null | head -1') ?? sh('chromium --version'),
  node: process.version,
  rustc: sh('rustc --version'),
  git: sh('git rev-parse --short HEAD'),
  git_dirty: (sh('git status --porcelain') ?? '') !== '',
  load_average_at_start: os.loadavg(),
};

// --- run -----------------------------------------------------------------------------------
const results = { date: new Date().toISOString(), quick, machine, benchmarks: {} };
const timed = async (name, fn) => {
  const load = os.loadavg()[0];
  const t0 = Date.now();
  console.error(`bench: running ${name}...`);
  const r = await fn();
  results.benchmarks[name] = { ...r, date: new Date(t0).toISOString(), load_average_1min_before: load, load_average_1min_after: os.loadavg()[0], wall_seconds: (Date.now() - t0) / 1000 };
};
if (only.includes('sizes')) {
  const { sdkBundleSizes, distSizes } = await import('./lib/sizes.mjs');
  await timed('sizes', async () => ({ sdk_kms_3_commands: await sdkBundleSizes(BENCH), console_dist: distSizes(DIST) }));
}
if (only.includes('signing')) {
  const { signingBench } = await import('./lib/signing.mjs');
  await timed('signing', () => signingBench(BENCH, quick ? { total: 2000 } : {}));
  if (o3) await timed('signing_o3', () => signingBench(BENCH, quick ? { total: 2000 } : {}, 'signer-o3'));
}
if (only.includes('startup')) {
  const { startupBench } = await import('./lib/startup.mjs');
  await timed('startup', async () => { const r = await startupBench(DIST, { loads: quick ? 5 : 20 }); return r; });
}
if (only.includes('polling')) {
  const { pollingBench, CASES } = await import('./lib/polling.mjs');
  await timed('polling', () => pollingBench({
    dist: DIST, emulatorBin: EMULATOR, scenario: SCENARIO, scale: 10, reps: quick ? 1 : 3,
    cases: quick ? CASES.slice(0, 2) : CASES,
  }));
}
if (only.includes('memory')) {
  const { memoryBench } = await import('./lib/memory.mjs');
  await timed('memory', () => memoryBench({
    dist: DIST, emulatorBin: EMULATOR, scenario: SCENARIO, scale: 50,
    checkpoints: quick ? [10, 100] : [10, 100, 250, 500, 1000],
  }));
}
if (only.includes('firstload')) {
  const { firstLoadBench } = await import('./lib/firstload.mjs');
  await timed('firstload', () => firstLoadBench(DIST, { servers: ['python', 'caddy', 'nginx'], loads: quick ? 2 : 9 }));
}
results.machine.load_average_at_end = os.loadavg();

// --- report --------------------------------------------------------------------------------
const file = path.join(BENCH, quick ? 'out/results-quick.json' : 'results.json');
// Runs of a subset keep the other benchmarks' last figures.
let previous = {};
try { previous = JSON.parse(fs.readFileSync(file, 'utf8')).benchmarks ?? {}; } catch {}
results.benchmarks = { ...previous, ...results.benchmarks };
fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
const { table } = await import('./lib/report.mjs');
console.log(table(results, only));
console.log(`\nbench: results in ${path.relative(ROOT, file)}`);
