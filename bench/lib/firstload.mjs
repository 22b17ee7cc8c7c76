// First load on Lighthouse's mobile link (150 ms round trip, 1.6 Mbps down, 750 kbps up, by
// CDP network emulation) in headless Chromium, for each way of serving dist/:
//   python   python3 -m http.server: no compression, no caching headers
//   caddy    deploy/Caddyfile: the precompressed brotli files, immutable hashed files
//   nginx    deploy/nginx.conf: the same
// Cold load: a new browser context with its cache disabled. Warm repeat visit: a context whose
// cache one earlier visit filled, then a new tab on the same address. Each load records the
// first contentful paint (performance.getEntriesByName('first-contentful-paint')), when the
// Connect button is there and enabled (bench/lib/common.mjs's hook; Leptos inserts it with its
// handler, and it is painted in the next frame), and the bytes received (CDP's
// encodedDataLength of every response, headers included). Medians of `loads` of each.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch } from '../../e2e/browser.mjs';
import { startCaddy, startNginx, startPython } from '../../e2e/hosts.mjs';
import { caddyInclude, nginxInclude } from '../../deploy/csp-include.mjs';
import { headerPolicy } from '../../scripts/csp.mjs';
import { median, quantile, pageHooks } from './common.mjs';

export const PROFILE = { latency: 150, downloadThroughput: 204800, uploadThroughput: 96000 };

const SERVERS = {
  python: (dist) => startPython(dist),
  caddy: (dist, tmp) => startCaddy(dist, write(tmp, 'caddy', caddyInclude(headerPolicy(fs.readFileSync(path.join(dist, 'index.html'), 'utf8'))))),
  nginx: (dist, tmp) => startNginx(dist, write(tmp, 'nginx', nginxInclude(headerPolicy(fs.readFileSync(path.join(dist, 'index.html'), 'utf8'))))),
};
const write = (dir, name, text) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };

/** One visit of `url` in `context` under the profile; the cache as the context has it unless `cold`. */
async function visit(context, url, { cold }) {
  const page = await context.newPage();
  await page.addInitScript(pageHooks);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...PROFILE });
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: cold });
  let bytes = 0;
  let requests = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; requests++; });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => window.__bench.connectReadyAt !== null, null, { timeout: 60000 });
  await page.waitForLoadState('load');
  // Let the last responses' loadingFinished arrive (the icon may come after the app).
  await page.waitForTimeout(300);
  const r = await page.evaluate(() => ({
    fcp_ms: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    connect_ms: window.__bench.connectReadyAt,
  }));
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  await page.close();
  return { ...r, bytes, requests };
}

export async function firstLoadBench(dist, { servers = ['python', 'caddy'], loads = 7 } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cks-firstload-'));
  const browser = await launch();
  const out = {};
  try {
    for (const name of servers) {
      const server = await SERVERS[name](dist, tmp);
      const cold = [];
      const warm = [];
      try {
        // One untimed load: the browser's own start-up is not the page's.
        const first = await browser.newContext();
        await visit(first, server.url, { cold: true });
        await first.close();
        for (let i = 0; i < loads; i++) {
          const context = await browser.newContext();
          cold.push(await visit(context, server.url, { cold: true }));
          await context.close();
        }
        for (let i = 0; i < loads; i++) {
          const context = await browser.newContext();
          await visit(context, server.url, { cold: false });
          warm.push(await visit(context, server.url, { cold: false }));
          await context.close();
        }
      } finally {
        await server.stop();
      }
      out[name] = { cold: summary(cold), warm: summary(warm) };
    }
  } finally {
    await browser.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { profile: PROFILE, loads, dist: path.relative(process.cwd(), dist) || dist, servers: out };
}

function summary(runs) {
  const stat = (k) => {
    const xs = runs.map((r) => r[k]).filter((x) => x !== null);
    return { median: median(xs), p90: quantile(xs, 0.9), min: Math.min(...xs), max: Math.max(...xs) };
  };
  return { fcp_ms: stat('fcp_ms'), connect_ms: stat('connect_ms'), bytes: stat('bytes'), requests: stat('requests'), runs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dist = 'dist', servers = 'python,caddy', loads = '7'] = process.argv.slice(2);
  const r = await firstLoadBench(path.resolve(dist), { servers: servers.split(','), loads: Number(loads) });
  for (const [name, s] of Object.entries(r.servers)) {
    for (const kind of ['cold', 'warm']) {
      const k = s[kind];
      console.log(`${name} ${kind}: FCP ${k.fcp_ms.median?.toFixed(0)} ms (p90 ${k.fcp_ms.p90?.toFixed(0)}), Connect ${k.connect_ms.median.toFixed(0)} ms (p90 ${k.connect_ms.p90.toFixed(0)}), ${(k.bytes.median / 1024).toFixed(1)} KiB in ${k.requests.median} responses`);
    }
  }
  if (process.env.FIRSTLOAD_JSON) fs.writeFileSync(process.env.FIRSTLOAD_JSON, `${JSON.stringify(r, null, 2)}\n`);
}
