// Load on the emulator: 200 concurrent clients for 30 seconds on loopback, each on its own
// keep-alive connection, each request validly signed (SigV4, e2e/kms.mjs). Every answer is
// checked against what KMS must say for that request; a dropped connection, a timeout, a wrong
// or duplicated request id, or a wrong answer fails the run.
// Usage: node e2e/load.mjs [--clients N] [--seconds S]   (needs target/release/kms-emulator)
// Prints requests/s and p50/p95/p99/max latency; writes e2e/artifacts/load.json.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator.mjs';
import { callKms } from './kms.mjs';
import { DEMO, scenarioFile, testing } from './scenario.mjs';

const { values: opt } = parseArgs({ options: {
  clients: { type: 'string', default: process.env.LOAD_CLIENTS ?? '200' },
  seconds: { type: 'string', default: process.env.LOAD_SECONDS ?? '30' },
} });
const CLIENTS = Number(opt.clients);
const SECONDS = Number(opt.seconds);

// testing.json's stores without their scripted faults (a throttle here would be a right answer
// that looks wrong); one FAILED store for a known error.
const stores = testing.stores.map(({ faults, ...s }) => s);
const ids = stores.map((s) => s.id);
const failed = stores.find((s) => s.state === 'FAILED');
const em = await startEmulator(['--scenario', scenarioFile('load', { ...testing, stores }), '--time-scale', '60',
  '--max-connections', String(Math.max(1024, CLIENTS * 2)), '--seed', '1',
  // Extra emulator flags, to see the checks catch faults: LOAD_EMULATOR_ARGS='--error-rate 0.001'.
  ...(process.env.LOAD_EMULATOR_ARGS ?? '').split(' ').filter(Boolean)], { quiet: true });

const wrongSecret = { ...DEMO, secretAccessKey: `${DEMO.secretAccessKey}x` };
const KINDS = [
  // [weight, name, request, check(response) -> problem or null]
  [50, 'describe one', () => {
    const s = stores[Math.floor(Math.random() * stores.length)];
    return [{ operation: 'DescribeCustomKeyStores', input: { CustomKeyStoreId: s.id } }, (r) => {
      const got = r.json?.CustomKeyStores;
      if (r.status !== 200 || got?.length !== 1 || got[0].CustomKeyStoreId !== s.id || got[0].CustomKeyStoreName !== s.name) return `describe ${s.id}: ${r.status} ${r.body.slice(0, 200)}`;
      return null;
    }];
  }],
  [20, 'describe all', () => [{ operation: 'DescribeCustomKeyStores', input: {} }, (r) => {
    const got = (r.json?.CustomKeyStores ?? []).map((s) => s.CustomKeyStoreId).sort().join();
    if (r.status !== 200 || got !== [...ids].sort().join() || r.json.Truncated) return `describe all: ${r.status} ${r.body.slice(0, 200)}`;
    return null;
  }]],
  [10, 'describe unknown', () => [{ operation: 'DescribeCustomKeyStores', input: { CustomKeyStoreId: 'cks-00000000000000000' } },
    (r) => (r.status === 400 && r.json?.__type === 'CustomKeyStoreNotFoundException' ? null : `unknown: ${r.status} ${r.body.slice(0, 200)}`)]],
  [10, 'connect FAILED', () => [{ operation: 'ConnectCustomKeyStore', input: { CustomKeyStoreId: failed.id } },
    (r) => (r.status === 400 && r.json?.__type === 'CustomKeyStoreInvalidStateException' ? null : `connect FAILED: ${r.status} ${r.body.slice(0, 200)}`)]],
  [10, 'wrong secret', () => [{ operation: 'DescribeCustomKeyStores', input: {}, credentials: wrongSecret },
    (r) => (r.status === 400 && r.json?.__type === 'InvalidSignatureException' ? null : `wrong secret: ${r.status} ${r.body.slice(0, 200)}`)]],
];
const TOTAL_WEIGHT = KINDS.reduce((a, k) => a + k[0], 0);
function pick() {
  let x = Math.random() * TOTAL_WEIGHT;
  for (const k of KINDS) { x -= k[0]; if (x < 0) return k; }
  return KINDS[0];
}

const latencies = [];
const counts = Object.fromEntries(KINDS.map((k) => [k[1], 0]));
const problems = [];
const requestIds = new Set();
let dropped = 0;
let duplicateIds = 0;
const end = Date.now() + SECONDS * 1000;

async function client() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  while (Date.now() < end) {
    const [, name, make] = pick();
    const [req, check] = make();
    const t0 = process.hrtime.bigint();
    try {
      const r = await callKms({ url: em.url, credentials: DEMO, agent, timeoutMs: 10000, ...req });
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      counts[name]++;
      const problem = check(r) ?? (r.requestId ? null : 'no x-amzn-RequestId');
      if (problem) problems.push(problem);
      if (requestIds.has(r.requestId)) duplicateIds++;
      requestIds.add(r.requestId);
    } catch (e) {
      dropped++;
      problems.push(`dropped: ${e.message}`);
    }
  }
  agent.destroy();
}

const t0 = Date.now();
await Promise.all(Array.from({ length: CLIENTS }, client));
const elapsed = (Date.now() - t0) / 1000;
await em.stop();

latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
const result = {
  clients: CLIENTS, seconds: Number(elapsed.toFixed(1)), requests: latencies.length,
  requests_per_second: Math.round(latencies.length / elapsed),
  latency_ms: { p50: +q(0.5).toFixed(1), p95: +q(0.95).toFixed(1), p99: +q(0.99).toFixed(1), max: +(latencies.at(-1) ?? NaN).toFixed(1) },
  by_kind: counts, dropped, wrong: problems.length - dropped, duplicate_request_ids: duplicateIds,
};
fs.mkdirSync('e2e/artifacts', { recursive: true });
fs.writeFileSync(path.join('e2e/artifacts', 'load.json'), JSON.stringify({ ...result, first_problems: problems.slice(0, 20) }, null, 2));
console.log(`load: ${result.clients} clients for ${result.seconds} s: ${result.requests} requests, ${result.requests_per_second}/s; `
  + `latency p50 ${result.latency_ms.p50} ms, p95 ${result.latency_ms.p95} ms, p99 ${result.latency_ms.p99} ms, max ${result.latency_ms.max} ms; `
  + `${dropped} dropped, ${result.wrong} wrong, ${duplicateIds} duplicate request ids`);
console.log(`load: by kind ${JSON.stringify(counts)}`);
const ok = problems.length === 0 && duplicateIds === 0 && result.requests >= CLIENTS * 5;
if (!ok) {
  for (const p of problems.slice(0, 20)) console.error(`load: ${p}`);
  console.error('load: FAILED');
}
process.exit(ok ? 0 : 1);
