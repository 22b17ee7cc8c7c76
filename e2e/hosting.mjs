// The hosting recipes, each checked with the real server: the release dist/ (E2E_DIST, default
// dist) served by Debian's Caddy with deploy/Caddyfile and by Debian's nginx with
// deploy/nginx.conf, on loopback ports, with the policy file deploy/csp-include.mjs writes.
// For each server:
//   - the wasm comes as brotli with Content-Type application/wasm (gzip and identity when the
//     browser asks for them), and so does every page file, byte for byte the build's;
//   - the security headers are there; the policy header (the page's only) is csp.mjs --print's:
//     the <meta>'s directives with connect-src at the partition level (the <meta> narrows it to
//     exact hosts) plus frame-ancestors 'none'; a policy of 60 KB is served whole and runs;
//   - hashed files are immutable, index.html is revalidated (no-cache);
//   - Chromium loads the page (the wasm as brotli) and connects a store against the emulator,
//     with no console error, page error or policy violation.
// Usage (scripts/test.sh): node --test e2e/hosting.mjs, after trunk build --release and
// cargo build --release -p kms-emulator.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { compressible } from '../scripts/compress.mjs';
import { headerPolicy, pagePolicy } from '../scripts/csp.mjs';
import { caddyInclude, nginxInclude } from '../deploy/csp-include.mjs';
import { startCaddy, startNginx } from './hosts.mjs';
import { startEmulator } from './emulator.mjs';
import { launch } from './browser.mjs';

const DIST = path.resolve(process.env.E2E_DIST ?? 'dist');
const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
const files = compressible(DIST).map((f) => path.relative(DIST, f));
const wasm = files.find((f) => f.endsWith('.wasm'));
const HASHED = /-[0-9a-f]{1,16}(_bg)?\.[a-z]+$/;
const TYPES = { '.wasm': /^application\/wasm$/, '.js': /^(text|application)\/javascript\b/, '.css': /^text\/css\b/, '.html': /^text\/html\b/, '.svg': /^image\/svg\+xml\b/ };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cks-hosting-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** GET without decompression: { status, headers, body } (body decoded per Content-Encoding). */
function get(url, acceptEncoding) {
  return new Promise((resolve, reject) => {
    // The policy header may be tens of KB, over Node's default limit of 16 KB.
    http.get(url, { maxHeaderSize: 1 << 20, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const enc = res.headers['content-encoding'];
        const body = enc === 'br' ? zlib.brotliDecompressSync(raw) : enc === 'gzip' ? zlib.gunzipSync(raw) : raw;
        resolve({ status: res.statusCode, headers: res.headers, raw, body });
      });
    }).on('error', reject);
  });
}

/** Opens the page in a fresh Chromium context; fails on any console error, page error or policy violation. */
async function openPage(browser, url) {
  const context = await browser.newContext();
  await context.route((u) => u.hostname !== '127.0.0.1', (r) => r.abort('blockedbyclient'));
  const page = await context.newPage();
  const problems = [];
  const responses = new Map();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', async (r) => responses.set(new URL(r.url()).pathname, await r.allHeaders()));
  await page.goto(url);
  await page.getByRole('button', { name: 'Connect', exact: true }).waitFor({ timeout: 20000 });
  return { context, page, problems, responses };
}

test('dist/ holds a .br and a .gz of every page file, each the file itself', () => {
  assert.ok(wasm, 'no .wasm in dist/');
  for (const f of files) {
    const data = fs.readFileSync(path.join(DIST, f));
    assert.deepEqual(zlib.brotliDecompressSync(fs.readFileSync(path.join(DIST, `${f}.br`))), data, `${f}.br`);
    assert.deepEqual(zlib.gunzipSync(fs.readFileSync(path.join(DIST, `${f}.gz`))), data, `${f}.gz`);
  }
});

for (const [name, start, include] of [['caddy', startCaddy, caddyInclude], ['nginx', startNginx, nginxInclude]]) {
  describe(`${name} with deploy/${name === 'caddy' ? 'Caddyfile' : 'nginx.conf'}`, () => {
    let server, browser;
    const policy = headerPolicy(html);
    before(async () => {
      const file = path.join(tmp, `${name}-csp`);
      fs.writeFileSync(file, include(policy));
      server = await start(DIST, file);
      browser = await launch();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    test('each page file comes as brotli, gzip or as it is, with its Content-Type', async () => {
      for (const f of files) {
        const want = fs.readFileSync(path.join(DIST, f));
        for (const [accept, encoding] of [['gzip, deflate, br', 'br'], ['gzip', 'gzip'], [null, undefined]]) {
          const r = await get(`${server.url}${f}`, accept);
          assert.equal(r.status, 200, `${f} (${accept})`);
          assert.equal(r.headers['content-encoding'], encoding, `${f} (Accept-Encoding: ${accept})`);
          assert.match(r.headers['content-type'], TYPES[path.extname(f)], `${f}'s Content-Type`);
          // A shared cache must not hand a compressed copy to a browser that did not ask for it.
          if (encoding) assert.match(r.headers.vary ?? '', /Accept-Encoding/i, `${f}: Vary`);
          assert.ok(r.body.equals(want), `${f} (${encoding}) is not the built file`);
        }
      }
      const w = await get(`${server.url}${wasm}`, 'gzip, deflate, br');
      assert.equal(w.headers['content-type'], 'application/wasm');
      assert.equal(w.raw.length, fs.statSync(path.join(DIST, `${wasm}.br`)).size, 'the wasm sent is the .br file');
    });

    test('the security headers, the policy with the page only, and caching', async () => {
      const meta = pagePolicy(html);
      assert.ok(meta, 'dist/index.html has no policy <meta>');
      for (const p of ['', 'index.html']) {
        const r = await get(`${server.url}${p}`, 'br');
        // The header is csp.mjs's header form: the <meta>'s directives (connect-src at the
        // partition level, which the <meta> narrows to exact hosts) plus frame-ancestors.
        assert.equal(r.headers['content-security-policy'], headerPolicy(html), `/${p}: the policy header is csp.mjs --print's`);
        const strip = (pol) => pol.split('; ').filter((d) => !d.startsWith('connect-src') && !d.startsWith('frame-ancestors')).join('; ');
        assert.equal(strip(r.headers['content-security-policy']), strip(meta), `/${p}: the header and the <meta> differ beyond connect-src`);
        assert.equal(r.headers['cache-control'], 'no-cache', `/${p}`);
        assert.ok(r.body.toString('utf8') === html, `/${p} is dist/index.html`);
      }
      for (const f of [...files.filter((x) => x !== 'index.html'), 'index.html']) {
        const r = await get(`${server.url}${f}`, 'br');
        assert.equal(r.headers['x-content-type-options'], 'nosniff', f);
        assert.equal(r.headers['referrer-policy'], 'no-referrer', f);
        assert.doesNotMatch(r.headers.server ?? '', /\d/, `${f}: the Server header names a version`);
        if (f === 'index.html') continue;
        assert.equal(r.headers['content-security-policy'], undefined, `${f}: the policy goes with the page only`);
        assert.match(f, HASHED, `${f} is not named after its content`);
        assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable', f);
      }
    });

    test('Chromium loads the page (the wasm as brotli) and connects a store against the emulator', async () => {
      const emulator = await startEmulator(['--time-scale', '60'], { quiet: true });
      const { context, page, problems, responses } = await openPage(browser, server.url);
      try {
        const w = responses.get(`/${wasm}`);
        assert.equal(w?.['content-encoding'], 'br', 'the wasm reached Chromium as brotli');
        assert.equal(w?.['content-type'], 'application/wasm');
        await page.getByLabel('Endpoint URL', { exact: true }).fill(emulator.url);
        await page.getByRole('button', { name: 'Use local emulator' }).click();
        await page.waitForFunction(() => document.querySelector('#akid')?.value?.length > 0, null, { timeout: 10000 });
        await page.getByLabel('Custom key store ID', { exact: true }).fill('cks-0a1b2c3d4e5f60002');
        await page.getByRole('button', { name: 'Connect', exact: true }).click();
        const status = page.getByRole('status', { name: 'Connection status' });
        await status.getByText('CONNECTED', { exact: true }).waitFor({ timeout: 60000 });
        assert.deepEqual(problems, []);
      } catch (e) {
        fs.mkdirSync('e2e/artifacts', { recursive: true });
        await page.screenshot({ path: `e2e/artifacts/hosting-${name}.png`, fullPage: true }).catch(() => {});
        e.message += `\n  problems: ${problems.join('; ')}\n  emulator: ${emulator.output()}\n  ${name}: ${server.output()}`;
        throw e;
      } finally {
        await context.close();
        await emulator.stop();
      }
    });

    test('a policy of 60 KB (every KMS host listed) is sent whole, and the page runs under it', async () => {
      const hosts = Array.from({ length: 1500 }, (_, i) => `https://kms-${i}.example-${i % 30}.amazonaws.com`).join(' ');
      const long = policy.replace("connect-src 'self'", `connect-src 'self' ${hosts}`);
      assert.ok(long.length > 60000, 'the long policy was not made');
      const file = path.join(tmp, `${name}-long-csp`);
      fs.writeFileSync(file, include(long));
      const other = await start(DIST, file);
      try {
        const r = await get(other.url, 'br');
        const got = r.headers['content-security-policy'] ?? '';
        assert.ok(got === long, `the policy header has ${got.length} characters, not the ${long.length} of the policy`);
        const { context, problems } = await openPage(browser, other.url);
        await context.close();
        assert.deepEqual(problems, []);
      } finally {
        await other.stop();
      }
    });
  });
}
