// Screenshots of the console against the emulator, from the release dist/: the store list, a
// store's page and each of its tabs, light and dark, desktop and 360 px: for looking at, and
// for the README (docs/console.png is `store-failed`, docs/health.png `health`, docs/keys.png
// `keys-test`).
// Usage: node e2e/screens.mjs [outdir] [only]   (needs dist/ and target/release/kms-emulator;
// `only` keeps the shots whose name contains it, e.g. `health`)
import fs from 'node:fs';
import path from 'node:path';
import { serveStatic } from './serve.mjs';
import { launch } from './browser.mjs';
import { startEmulator } from './emulator.mjs';

const out = process.argv[2] ?? 'e2e/artifacts/screens';
const only = process.argv[3] ?? '';
fs.mkdirSync(out, { recursive: true });
const server = await serveStatic(path.resolve('dist'));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await launch();

/** One screenshot: the list, or a store's page (connected until `until`) at a tab. */
async function shoot(name, { width = 1280, scheme = 'light', store, until, tab, full = true, section, test = false }) {
  if (!name.includes(only)) return;
  const emulator = await startEmulator(['--time-scale', '60']);
  const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme });
  await page.goto(url);
  await page.getByLabel('Endpoint URL', { exact: true }).fill(emulator.url);
  await page.getByRole('button', { name: 'Use local emulator' }).click();
  await page.getByRole('button', { name: 'Select payments-xks' }).waitFor();
  if (store) {
    await page.getByRole('button', { name: `Select ${store}` }).click();
    if (until) {
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      await page.getByRole('status', { name: 'Connection status' }).getByText(until, { exact: true }).waitFor({ timeout: 60000 });
    }
  }
  if (tab) await page.getByRole('tab', { name: tab }).click();
  // The Health tab: wait until every graph has read its data.
  if (tab === 'Health') await page.getByRole('status').filter({ hasText: /read at/ }).waitFor({ timeout: 60000 });
  // The Keys tab: wait until the scan has read every key.
  if (tab === 'Keys') await page.getByRole('status', { name: 'Key scan' }).filter({ hasText: /in this store/ }).waitFor({ timeout: 60000 });
  // The store test's outcome.
  if (test) {
    await page.getByRole('button', { name: 'Test store', exact: true }).click();
    await page.getByRole('status', { name: 'Store test' }).filter({ hasText: /PASSED|FAILED/ }).waitFor({ timeout: 60000 });
  }
  // The store's page is what a store shot is about: start there.
  const clip = store ? await page.evaluate((sel) => {
    const r = document.querySelector(sel).getBoundingClientRect();
    return { y: r.top + window.scrollY, height: r.height };
  }, section ?? 'section.page') : null;
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true, ...(clip && !full ? { clip: { x: 0, y: clip.y - 16, width, height: Math.min(clip.height + 32, section ? 2400 : 1400) } } : {}) });
  await page.close();
  emulator.stop();
}

await shoot('list', {});
await shoot('list-dark', { scheme: 'dark' });
await shoot('list-phone', { width: 360 });
await shoot('store-connected', { store: 'payments-xks', until: 'CONNECTED' });
await shoot('store-failed', { store: 'xks-proxy-down', until: 'FAILED', full: false });
await shoot('store-failed-dark', { store: 'xks-proxy-down', until: 'FAILED', scheme: 'dark', full: false });
await shoot('store-phone', { store: 'xks-wrong-credential', until: 'FAILED', width: 360 });
await shoot('store-phone-dark', { store: 'hsm-primary', width: 360, scheme: 'dark', full: false });
await shoot('settings', { store: 'payments-xks', tab: 'Settings', full: false });
await shoot('settings-dark', { store: 'ledger-xks-vpc', tab: 'Settings', scheme: 'dark', full: false });
await shoot('settings-phone', { store: 'hsm-primary', tab: 'Settings', width: 360, full: false });
await shoot('keys', { store: 'payments-xks', until: 'CONNECTED', tab: 'Keys', full: false });
await shoot('keys-test', { store: 'hsm-connected', tab: 'Keys', test: true, full: false });
await shoot('keys-test-phone', { store: 'payments-xks', until: 'CONNECTED', tab: 'Keys', test: true, width: 360, full: false });
await shoot('keys-dark', { store: 'hsm-connected', tab: 'Keys', scheme: 'dark', full: false });
await shoot('keys-phone', { store: 'payments-xks', tab: 'Keys', width: 360, full: false });
await shoot('health', { store: 'ledger-xks-vpc', tab: 'Health', full: false, section: 'section.health' });
await shoot('health-dark', { store: 'ledger-xks-vpc', tab: 'Health', scheme: 'dark', full: false, section: 'section.health' });
await shoot('health-phone', { store: 'payments-xks', tab: 'Health', width: 360, full: false, section: 'section.health' });
await shoot('health-hsm', { store: 'hsm-connected', tab: 'Health', full: false, section: 'section.health' });
await browser.close();
server.close();
