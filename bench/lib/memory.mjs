// Item 2d: memory while a watch polls. A CloudHSM store whose connect takes 10 emulated hours
// is watched with #pace=N (N = --time-scale); after 10 polls and after 1,000 (and a few in
// between) the JS heap is read over CDP after two forced garbage collections
// (HeapProfiler.collectGarbage, then Performance.getMetrics JSHeapUsedSize and
// Runtime.getHeapUsage), and the wasm linear memory's size from the instance's exported
// `memory` (Trunk's loader passes the exports to its TrunkApplicationStarted event). Linear
// memory never shrinks: its size is the high-water mark of the Rust heap.
import { serveStatic } from '../../e2e/serve.mjs';
import { launch } from '../../e2e/browser.mjs';
import { sleep, startEmulator } from './common.mjs';
import { connectByHand, connectSentAt } from './polling.mjs';

async function measure(cdp, page, polls) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  const usage = await cdp.send('Runtime.getHeapUsage');
  const page_ = await page.evaluate(() => ({
    wasm_memory_bytes: window.__bench.wasm && window.__bench.wasm.memory ? window.__bench.wasm.memory.buffer.byteLength : null,
    checks_text: (document.querySelector('.meta') || {}).textContent || '',
  }));
  return {
    polls,
    js_heap_used_bytes: m.JSHeapUsedSize,
    js_heap_total_bytes: m.JSHeapTotalSize,
    runtime_heap_used_bytes: usage.usedSize,
    wasm_memory_bytes: page_.wasm_memory_bytes,
    dom_nodes: m.Nodes,
    js_event_listeners: m.JSEventListeners,
    panel: page_.checks_text.trim(),
  };
}

export async function memoryBench({ dist, emulatorBin, scenario, scale = 50, store = 'cks-0bec0000000036000', checkpoints = [10, 100, 250, 500, 1000] }) {
  const emulator = await startEmulator(emulatorBin, ['--scenario', scenario, '--time-scale', String(scale)]);
  const server = await serveStatic(dist);
  const siteUrl = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launch();
  const samples = [];
  const started = Date.now();
  try {
    const { page, log, errors } = await connectByHand(browser, siteUrl, emulator.url, store, scale, { observe: false });
    const connect = await connectSentAt(log, page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const polls = () => log.filter((e, i) => i > connect.index && e.target === 'TrentService.DescribeCustomKeyStores').length;
    for (const target of checkpoints) {
      const deadline = Date.now() + 20 * 60 * 1000;
      while (polls() < target) {
        if (Date.now() > deadline) throw new Error(`only ${polls()} polls after 20 minutes`);
        await sleep(20);
      }
      samples.push(await measure(cdp, page, polls()));
    }
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
    server.close();
    await emulator.stop();
  }
  const first = samples[0];
  const last = samples.at(-1);
  return {
    time_scale: scale,
    pace: scale,
    real_seconds: (Date.now() - started) / 1000,
    samples,
    js_heap_growth_bytes: last.js_heap_used_bytes - first.js_heap_used_bytes,
    wasm_memory_growth_bytes: last.wasm_memory_bytes - first.wasm_memory_bytes,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await memoryBench({
    dist: process.argv[2] ?? 'dist',
    emulatorBin: process.argv[3] ?? 'target/release/kms-emulator',
    scenario: 'bench/scenario.json',
    checkpoints: process.argv[4] ? JSON.parse(process.argv[4]) : undefined,
  });
  console.log(JSON.stringify(r, null, 2));
}
