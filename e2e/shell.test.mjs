// The static shell of index.html: what the page shows before (and without) the app.
//   - it paints the title and "Loading the console…" while the wasm is still on its way, and
//     gives way to the app when it mounts (one heading, no shell left);
//   - with JavaScript off it says that the console needs JavaScript and WebAssembly;
//   - when the wasm cannot run (WebAssembly off here), a hint appears after a while.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, until } from './harness.mjs';

const state = setup();
const LOADING = 'Loading the console…';

/** A context kept off the network, as the harness's flows are. */
async function context(options = {}) {
  const c = await state.browser.newContext(options);
  await c.route((u) => u.hostname !== '127.0.0.1', (r) => r.abort('blockedbyclient'));
  return c;
}

test('the shell paints before the wasm arrives and gives way to the app', async () => {
  const c = await context();
  const page = await c.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  // Hold the wasm back until the shell has been looked at.
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  await page.goto(state.url, { waitUntil: 'domcontentloaded' });
  await page.getByRole('heading', { name: 'cks-console', level: 1 }).waitFor({ timeout: 10000 });
  await page.getByText(LOADING, { exact: true }).waitFor({ timeout: 10000 });
  const fcp = await until(() => page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime),
    { timeout: 10000, what: 'a first contentful paint' });
  assert.ok(fcp > 0);
  assert.equal(await page.getByRole('button', { name: 'Connect', exact: true }).count(), 0, 'the app is not there yet');
  release();
  await page.getByRole('button', { name: 'Connect', exact: true }).waitFor({ timeout: 20000 });
  assert.equal(await page.getByRole('heading', { name: 'cks-console' }).count(), 1, 'one heading "cks-console"');
  assert.equal(await page.locator('h1').count(), 1, 'one h1');
  assert.equal(await page.locator('#shell').count(), 0, 'the shell is gone');
  assert.equal(await page.getByText(LOADING).count(), 0);
  assert.deepEqual(errors, []);
  await c.close();
});

test('with JavaScript off, the page says the console needs JavaScript and WebAssembly', async () => {
  const c = await context({ javaScriptEnabled: false });
  const page = await c.newPage();
  await page.goto(state.url);
  // What is rendered (Playwright's text locators skip <noscript>).
  const text = await page.locator('body').innerText();
  assert.match(text, /cks-console needs JavaScript and WebAssembly/);
  assert.ok(!text.includes(LOADING), 'no "loading" that will never end');
  assert.equal(await page.getByRole('heading', { name: 'cks-console', level: 1 }).count(), 1);
  await c.close();
});

test('when the wasm cannot run, the shell hints at WebAssembly after a while', async () => {
  const c = await context();
  // As in a browser with WebAssembly turned off (for example Chromium's --js-flags=--noexpose-wasm).
  await c.addInitScript(() => { delete globalThis.WebAssembly; });
  const page = await c.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(state.url);
  const hint = page.getByText('needs WebAssembly', { exact: false });
  assert.ok(!(await hint.isVisible()), 'the hint waits');
  // The hint's delay is a CSS animation: run the page's animations 20 times faster.
  const cdp = await c.newCDPSession(page);
  await cdp.send('Animation.enable');
  await cdp.send('Animation.setPlaybackRate', { playbackRate: 20 });
  await hint.waitFor({ state: 'visible', timeout: 15000 });
  assert.ok(await page.getByText(LOADING).isVisible());
  assert.equal(await page.getByRole('button', { name: 'Connect', exact: true }).count(), 0);
  assert.ok(errors.length > 0, 'the loader failed, as it should without WebAssembly');
  await c.close();
});
