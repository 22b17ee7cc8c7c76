// The end-to-end suite's harness (node:test + playwright-core + Debian's Chromium).
//
// Each test file calls setup() once: one static server for the release dist/ (E2E_DIST, default
// dist) and one Chromium. Each flow(name, fn) gets its own browser context and page, starts the
// emulators it needs, and afterwards, pass or fail:
//   - checks that no secret it used is in localStorage, sessionStorage, IndexedDB, cookies,
//     Cache Storage, the URL, the page's title or HTML, or any console message;
//   - fails on an uncaught page error, a dialog (an alert() would be script injection) or a
//     Content-Security-Policy violation;
//   - on failure, keeps a full-page screenshot and a log in e2e/artifacts/<flow>.png/.log.
// Requests to anything but loopback are aborted: the suite never leaves the machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveStatic } from './serve.mjs';
import { launch } from './browser.mjs';
import { startEmulator } from './emulator.mjs';
import { DEMO, slug } from './scenario.mjs';

export const DIST = path.resolve(process.env.E2E_DIST ?? 'dist');
export const ARTIFACTS = path.resolve('e2e/artifacts');
export { TESTING, testing, DEMO, STORE, scenarioFile, testingWith } from './scenario.mjs';

const state = { server: null, browser: null, url: null, headers: {} };

/** Starts the static server and the browser for this file; `headers` are added to every file served. */
export function setup({ headers = {} } = {}) {
  before(async () => {
    assert.ok(fs.existsSync(path.join(DIST, 'index.html')), `no ${DIST}/index.html: run trunk build --release first`);
    state.server = await serveStatic(DIST, headers);
    state.url = `http://127.0.0.1:${state.server.address().port}/`;
    state.browser = await launch();
  });
  after(async () => {
    await state.browser?.close();
    state.server?.close();
  });
  return state;
}

/**
 * A copy of dist/ whose page carries no Content-Security-Policy: what `trunk serve` or a host
 * that strips the <meta> gives. The page's own rules on where requests go must hold there too.
 */
export function withoutCsp() {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'cks-nocsp-'));
  for (const f of fs.readdirSync(DIST)) {
    const from = path.join(DIST, f);
    if (!fs.statSync(from).isFile()) continue;
    const to = path.join(dir, f);
    if (f === 'index.html') {
      const html = fs.readFileSync(from, 'utf8').replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/i, '');
      fs.writeFileSync(to, html);
    } else fs.copyFileSync(from, to);
  }
  return dir;
}

/** Resolves once `check()` returns a truthy value (which it returns), or fails after `timeout` ms. */
export async function until(check, { timeout = 30000, every = 100, what = 'condition' } = {}) {
  const t0 = Date.now();
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() - t0 > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * Registers one flow. fn(h) gets h = { page, context, url, log, emulator(args, opts), secrets,
 * step(text), note(text) (also printed as a test diagnostic) }. Options: timeout (ms),
 * allowPageErrors, allowCsp (a Content-Security-Policy violation fails a flow unless set),
 * headers (response headers of the page: the flow gets its own static server), dist (another
 * directory to serve, such as `withoutCsp()`).
 */
export function flow(name, fn, { timeout = 120000, allowPageErrors = false, allowCsp = false, headers = null, dist = null } = {}) {
  test(name, { timeout }, async (t) => {
    const base = path.join(ARTIFACTS, slug(name));
    fs.rmSync(`${base}.png`, { force: true });
    fs.rmSync(`${base}.log`, { force: true });
    // A flow with its own response headers, or its own copy of the page, gets its own server.
    const own = headers || dist ? await serveStatic(dist ?? DIST, headers ?? {}) : null;
    const url = own ? `http://127.0.0.1:${own.address().port}/` : state.url;
    const context = await state.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    // Never leave the machine: only loopback is reachable.
    await context.route((u) => !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname), (r) => r.abort('blockedbyclient'));
    const log = { console: [], pageErrors: [], dialogs: [], steps: [], csp: [] };
    // Every Content-Security-Policy violation of the page, as the page sees it.
    await context.exposeBinding('__e2eCspViolation', (_source, v) => log.csp.push(v));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__e2eCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    const page = await context.newPage();
    page.on('console', (m) => {
      log.console.push(`${m.type()}: ${m.text()}`);
      if (/Content Security Policy/i.test(m.text())) log.csp.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => log.pageErrors.push(String(e?.stack ?? e)));
    page.on('dialog', (d) => { log.dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
    const emulators = [];
    const h = {
      page, context, log, url,
      secrets: new Set([DEMO.secretAccessKey, DEMO.sessionToken]),
      step: (text) => log.steps.push(`${new Date().toISOString()} ${text}`),
      note: (text) => { log.steps.push(`${new Date().toISOString()} ${text}`); t.diagnostic(text); },
      emulator: async (args = [], opts = {}) => {
        const em = await startEmulator(args, { quiet: true, ...opts });
        emulators.push(em);
        return em;
      },
    };
    let failure = null;
    try {
      await page.goto(url);
      await page.getByRole('button', { name: 'Connect', exact: true }).waitFor({ timeout: 20000 });
      await fn(h);
    } catch (e) {
      failure = e;
    }
    try {
      await checkSecrets(h);
      if (!allowPageErrors) assert.deepEqual(log.pageErrors, [], 'uncaught errors in the page');
      assert.deepEqual(log.dialogs, [], 'the page opened a dialog');
      if (!allowCsp) assert.deepEqual(log.csp, [], 'Content-Security-Policy violations');
    } catch (e) {
      failure ??= e;
    }
    if (failure) {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => {});
      const text = [`flow: ${name}`, `failure: ${failure?.stack ?? failure}`, '', 'steps:', ...log.steps,
        '', 'console:', ...log.console, '', 'page errors:', ...log.pageErrors, '', 'dialogs:', ...log.dialogs, '', 'CSP violations:', ...log.csp,
        ...emulators.flatMap((em, i) => ['', `emulator ${i}:`, em.output()])].join('\n');
      fs.writeFileSync(`${base}.log`, text);
      failure.message += `\n  (screenshot: ${path.relative(process.cwd(), base)}.png, log: ${path.relative(process.cwd(), base)}.log)`;
    }
    await context.close().catch(() => {});
    own?.close();
    await Promise.all(emulators.map((em) => em.stop()));
    if (failure) throw failure;
  });
}

/** Every place a secret must never be, as text. */
async function storageDump(page) {
  return page.evaluate(async () => {
    const out = { url: location.href, title: document.title, html: document.documentElement.outerHTML, local: {}, session: {}, idb: [], caches: [] };
    for (let i = 0; i < localStorage.length; i++) out.local[localStorage.key(i)] = localStorage.getItem(localStorage.key(i));
    for (let i = 0; i < sessionStorage.length; i++) out.session[sessionStorage.key(i)] = sessionStorage.getItem(sessionStorage.key(i));
    for (const info of (await indexedDB.databases?.()) ?? []) {
      const db = await new Promise((ok, ko) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); });
      for (const store of db.objectStoreNames) {
        const rows = await new Promise((ok, ko) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error);
        });
        out.idb.push({ db: info.name, store, rows: JSON.stringify(rows) });
      }
      db.close();
    }
    if (globalThis.caches) {
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const req of await cache.keys()) {
          const res = await cache.match(req);
          out.caches.push({ name, url: req.url, body: res ? await res.text() : '' });
        }
      }
    }
    return out;
  });
}

/** The forms a secret may take when it is written somewhere. */
function forms(secret) {
  return [...new Set([secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+'), JSON.stringify(secret).slice(1, -1)])];
}

export async function checkSecrets(h) {
  const secrets = [...h.secrets].filter((s) => s && s.length >= 8);
  const dump = await storageDump(h.page);
  const places = {
    URL: h.page.url(),
    'document URL': dump.url,
    title: dump.title,
    // Inputs hold secrets as properties; none may end up in an attribute or a text node.
    "the page's HTML": dump.html,
    localStorage: JSON.stringify(dump.local),
    sessionStorage: JSON.stringify(dump.session),
    IndexedDB: JSON.stringify(dump.idb),
    'Cache Storage': JSON.stringify(dump.caches),
    cookies: JSON.stringify(await h.context.cookies()),
    'console messages': h.log.console.join('\n'),
    'page errors': h.log.pageErrors.join('\n'),
  };
  for (const [where, text] of Object.entries(places)) {
    for (const secret of secrets) {
      for (const f of forms(secret)) {
        if (text.includes(f)) throw new Error(`a secret (${secret.slice(0, 4)}…) is in the ${where}`);
      }
    }
  }
}

// ---- the page -----------------------------------------------------------------------------

export const field = (page, label) => page.getByLabel(label, { exact: true });
export const button = (page, name) => page.getByRole('button', { name, exact: true });
export const statusPanel = (page) => page.getByRole('status', { name: 'Connection status' });
/** The status region of a store's watch (the newest is "Connection status"). */
export const watchPanel = (page, id) => page.getByRole('status', { name: `Watch of ${id}`, exact: true })
  .or(page.getByRole('status', { name: 'Connection status' }).filter({ hasText: id }));

/** Waits until a status region shows this ConnectionState (the badge). */
export async function waitState(region, state, timeout = 30000) {
  await region.getByText(state, { exact: true }).first().waitFor({ timeout });
}

/**
 * Opens the credentials and endpoint if they are folded into their summary line (they fold
 * once AWS answers a request made with them).
 */
export async function editAccess(page) {
  const change = button(page, 'Change credentials or endpoint');
  if (await change.isVisible()) await change.click();
}

/** Opens a tab of the store page. */
export async function openTab(page, name) {
  await page.getByRole('tab', { name, exact: true }).click();
}

/** Opens the Create form above the store list (if it is not open). */
export async function openCreate(page) {
  const toggle = button(page, 'Create custom key store');
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

/** "Use local emulator" against `url`; waits for the credentials and the store list. */
export async function useEmulator(page, url, firstStore = 't-xks') {
  await editAccess(page);
  await field(page, 'Endpoint URL').fill(url);
  await button(page, 'Use local emulator').click();
  await until(async () => (await field(page, 'Access key ID').inputValue()).length > 0, { what: 'the demo credentials' });
  if (firstStore) await button(page, `Select ${firstStore}`).waitFor({ timeout: 20000 });
}

/** Types endpoint, region and credentials into the fields (no request is made). */
export async function fillForm(page, { url, region = 'us-east-1', credentials = DEMO, store }) {
  await editAccess(page);
  await field(page, 'Endpoint URL').fill(url);
  await field(page, 'Region').fill(region);
  await field(page, 'Access key ID').fill(credentials.accessKeyId);
  await field(page, 'Secret access key').fill(credentials.secretAccessKey);
  await field(page, 'Session token').fill(credentials.sessionToken ?? '');
  if (store) await field(page, 'Custom key store ID').fill(store);
}

/** The text of the error boxes and notices (role=alert). */
export async function alerts(page) {
  return (await page.getByRole('alert').allInnerTexts()).join('\n');
}

/**
 * Presses Connect until a watch of `id` starts (a pre-check that fails under injected faults is
 * the user's cue to press again); returns how many presses it took. Each failed press must
 * leave an explained error. Resolves { presses, errors } (the texts of those errors).
 */
export async function connectUntilWatching(page, id, { presses = 8 } = {}) {
  const errors = [];
  for (let i = 1; i <= presses; i++) {
    await button(page, 'Connect').click();
    const outcome = await until(async () => {
      if (await page.getByRole('status', { name: 'Connection status' }).filter({ hasText: id }).count()) return 'watching';
      // While the call is in flight the button reads "Connecting…".
      // (A check that could not run and connected anyway is not an error: the watch follows.)
      const notices = page.locator('.notice[role=alert]').filter({ hasNotText: 'Connecting anyway' });
      if (await button(page, 'Connect').count() && (await page.locator('.error[role=alert]').count() + await notices.count())) return 'error';
      return null;
    }, { timeout: 90000, what: `a watch of ${id} or an error` });
    if (outcome === 'watching') return { presses: i, errors };
    const text = await alerts(page);
    assert.match(text, /What to do: \S/, `an unexplained error: ${text}`);
    errors.push(text);
  }
  throw new Error(`no watch of ${id} after ${presses} presses of Connect: ${await alerts(page)}`);
}
