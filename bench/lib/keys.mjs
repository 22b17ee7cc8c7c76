// The Keys tab: how long the console takes to list the keys of a store in an account of N keys
// (ListKeys pages, ListAliases, one DescribeKey per key with a few in flight, under the tab's
// rate limiter), in headless Chromium with the release site, against the emulator on loopback
// (testing.json with --account-keys N: t-hsm-connected's keys among N). Times the press of the
// Keys tab (the first scan) and of "Refresh keys" (each later scan) → the scan's final count
// shown. Run: node bench/lib/keys.mjs dist 1000 5
import path from 'node:path';
import { serveStatic } from '../../e2e/serve.mjs';
import { launch } from '../../e2e/browser.mjs';
import { median, startEmulator } from './common.mjs';

export async function keysBench(dist, { keys = 1000, runs = 5, bin = 'target/release/kms-emulator' } = {}) {
  const server = await serveStatic(path.resolve(dist));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const em = await startEmulator(bin, ['--scenario', path.resolve('kms-emulator/scenarios/testing.json'), '--time-scale', '60', '--account-keys', String(keys)]);
  const browser = await launch();
  const times = [];
  let describes = 0;
  try {
    const page = await (await browser.newContext()).newPage();
    page.on('request', (r) => { if (r.headers()['x-amz-target'] === 'TrentService.DescribeKey') describes++; });
    await page.goto(url);
    await page.getByLabel('Endpoint URL', { exact: true }).fill(em.url);
    await page.getByRole('button', { name: 'Use local emulator', exact: true }).click();
    await page.getByRole('button', { name: 'Select t-hsm-connected', exact: true }).click();
    const done = page.locator('#panel-keys').getByText(new RegExp(`Looked at ${keys.toLocaleString('en-US')} of ${keys.toLocaleString('en-US')} keys`));
    const refresh = page.getByRole('button', { name: 'Refresh keys', exact: true });
    for (let i = 0; i < runs; i++) {
      const t0 = Date.now();
      if (i === 0) await page.getByRole('tab', { name: 'Keys', exact: true }).click();
      else await refresh.click();
      await page.waitForFunction(() => !document.querySelector('#panel-keys progress'), null, { timeout: 120000, polling: 10 });
      await done.waitFor({ timeout: 120000 });
      times.push(Date.now() - t0);
    }
  } finally {
    await browser.close();
    server.close();
    await em.stop();
  }
  return { keys, runs, median_ms: median(times), min_ms: Math.min(...times), max_ms: Math.max(...times), times, describe_calls: describes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await keysBench(process.argv[2] ?? 'dist', { keys: Number(process.argv[3] ?? 1000), runs: Number(process.argv[4] ?? 5) });
  console.log(JSON.stringify(r, null, 2));
}
