// Screenshots of the console's states against the emulator, from the release dist/, at
// desktop and phone widths, light and dark: for looking at, and for the README.
// Usage: node e2e/screens.mjs [outdir]   (needs dist/ and target/release/kms-emulator)
import fs from 'node:fs';
import path from 'node:path';
import { serveStatic } from './serve.mjs';
import { launch } from './browser.mjs';
import { startEmulator } from './emulator.mjs';

const out = process.argv[2] ?? 'e2e/artifacts/screens';
fs.mkdirSync(out, { recursive: true });
const server = await serveStatic(path.resolve('dist'));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await launch();

async function shoot(name, { width = 1280, scheme = 'light', store, until }) {
  const emulator = await startEmulator(['--time-scale', '60']);
  const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme });
  await page.goto(url);
  await page.getByLabel('Endpoint URL', { exact: true }).fill(emulator.url);
  await page.getByRole('button', { name: 'Use local emulator' }).click();
  await page.getByRole('button', { name: 'Select payments-xks' }).waitFor();
  if (store) {
    await page.getByRole('button', { name: `Select ${store}` }).click();
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('status', { name: 'Connection status' }).getByText(until, { exact: true }).waitFor({ timeout: 60000 });
  }
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
  await page.close();
  emulator.stop();
}

await shoot('overview', {});
await shoot('connecting', { store: 'hsm-primary', until: 'CONNECTING' });
await shoot('connected', { store: 'payments-xks', until: 'CONNECTED' });
await shoot('failed', { store: 'xks-proxy-down', until: 'FAILED' });
await shoot('failed-dark', { store: 'hsm-no-active-hsm', until: 'FAILED', scheme: 'dark' });
await shoot('phone', { store: 'xks-wrong-credential', until: 'FAILED', width: 360 });
await shoot('phone-dark', { width: 360, scheme: 'dark' });
await browser.close();
server.close();
console.log(`screenshots in ${out}`);
