// Loads the release dist/ from a plain static server in Chromium and fails on any console error
// or if the app did not mount (this is what catches a wasm-opt that corrupts the build), then
// connects a store of the emulator and waits for CONNECTED in the status panel.
// Usage: EMULATOR_URL=http://127.0.0.1:PORT node e2e/smoke.mjs [dist]
import path from 'node:path';
import fs from 'node:fs';
import { serveStatic } from './serve.mjs';
import { launch } from './browser.mjs';

const dist = path.resolve(process.argv[2] ?? 'dist');
const emulator = process.env.EMULATOR_URL;
if (!emulator) { console.error('EMULATOR_URL is not set'); process.exit(2); }
const server = await serveStatic(dist);
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await launch();
const page = await browser.newPage();
const problems = [];
page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()} (${m.location().url})`); });
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));

let ok = false;
try {
  const t0 = Date.now();
  await page.goto(url);
  await page.getByRole('button', { name: 'Connect', exact: true }).waitFor({ timeout: 15000 });
  console.log(`smoke: app mounted in ${Date.now() - t0} ms from ${url}`);
  await page.getByLabel('Endpoint URL', { exact: true }).fill(emulator);
  await page.getByRole('button', { name: 'Use local emulator' }).click();
  await page.waitForFunction(() => document.querySelector('#akid')?.value?.length > 0, null, { timeout: 10000 });
  await page.getByLabel('Custom key store ID', { exact: true }).fill('cks-0a1b2c3d4e5f60002');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const status = page.getByRole('status', { name: 'Connection status' });
  await status.getByText('CONNECTING', { exact: true }).waitFor({ timeout: 15000 });
  await status.getByText('CONNECTED', { exact: true }).waitFor({ timeout: 60000 });
  console.log(`smoke: the status panel reached CONNECTED (${(await status.innerText()).replace(/\s+/g, ' ')})`);
  if (problems.length === 0) ok = true;
} catch (e) {
  problems.push(String(e));
} finally {
  if (!ok) {
    fs.mkdirSync('e2e/artifacts', { recursive: true });
    await page.screenshot({ path: 'e2e/artifacts/smoke-failure.png', fullPage: true }).catch(() => {});
    for (const p of problems) console.error(`smoke: ${p}`);
    console.error('smoke: FAILED (screenshot in e2e/artifacts/smoke-failure.png)');
  }
  await browser.close();
  server.close();
}
process.exit(ok ? 0 : 1);
