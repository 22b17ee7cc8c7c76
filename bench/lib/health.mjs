// The Health tab: how long the console takes from the press of the tab (or of "Refresh now")
// until the read has ended (the graphs' aria-busy back to false: every graph and the alarms
// are in), when every request takes LATENCY ms to answer (the emulator's --latency-ms, a
// stand-in for the network to CloudWatch), in headless Chromium with the release site.
// payments-xks has 8 graphs, 7 with metrics: ListMetrics, then one GetMetricData per graph
// with metrics, and DescribeAlarms.
// Run: node bench/lib/health.mjs dist 150 5
import path from 'node:path';
import { serveStatic } from '../../e2e/serve.mjs';
import { launch } from '../../e2e/browser.mjs';
import { median, startEmulator } from './common.mjs';

export async function healthBench(dist, { latency = 150, runs = 5, bin = 'target/release/kms-emulator' } = {}) {
  const server = await serveStatic(path.resolve(dist));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const em = await startEmulator(bin, ['--time-scale', '60', '--latency-ms', String(latency)]);
  const browser = await launch();
  const times = [];
  const calls = {};
  try {
    const page = await (await browser.newContext()).newPage();
    page.on('request', (r) => {
      const t = r.headers()['x-amz-target'] ?? '';
      if (t.startsWith('GraniteServiceVersion20100801.')) { const op = t.split('.')[1]; calls[op] = (calls[op] ?? 0) + 1; }
    });
    await page.goto(url);
    await page.getByLabel('Endpoint URL', { exact: true }).fill(em.url);
    await page.getByRole('button', { name: 'Use local emulator', exact: true }).click();
    await page.getByRole('button', { name: 'Select payments-xks', exact: true }).click();
    for (let i = 0; i < runs; i++) {
      const t0 = Date.now();
      if (i === 0) await page.getByRole('tab', { name: 'Health', exact: true }).click();
      else await page.getByRole('button', { name: 'Refresh now', exact: true }).click();
      // A fetch marks what it replaces busy until its last answer is in.
      const busy = (v) => page.waitForFunction((want) => document.querySelector('section.health .health-body')?.getAttribute('aria-busy') === want, v, { timeout: 120000, polling: 5 });
      await busy('true');
      await busy('false');
      times.push(Date.now() - t0);
    }
  } finally {
    await browser.close();
    server.close();
    await em.stop();
  }
  return { latency_ms: latency, runs, median_ms: median(times), min_ms: Math.min(...times), max_ms: Math.max(...times), times, cloudwatch_calls: calls };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await healthBench(process.argv[2] ?? 'dist', { latency: Number(process.argv[3] ?? 150), runs: Number(process.argv[4] ?? 5) });
  console.log(JSON.stringify(r, null, 2));
}
