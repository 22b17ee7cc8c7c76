// Item 2b: start-up. Loads the release site from a plain static server in headless Chromium,
// each time in a new browser context (empty cache, no cookies), and times navigation start →
// the "Connect" button present and enabled (a MutationObserver stamps performance.now(),
// whose origin is the navigation start). Leptos attaches the button's handler before it is
// inserted, so present = interactive.
import { serveStatic } from '../../e2e/serve.mjs';
import { launch } from '../../e2e/browser.mjs';
import { median, quantile, pageHooks } from './common.mjs';

export async function startupBench(dist, { loads = 20, warmup = 1 } = {}) {
  const server = await serveStatic(dist);
  const url = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launch();
  const runs = [];
  try {
    // The first `warmup` loads (browser process start-up, not the page's) are not counted.
    for (let i = 0; i < warmup + loads; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.addInitScript(pageHooks);
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.waitForFunction(() => window.__bench.connectReadyAt !== null, null, { timeout: 30000 });
      const r = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
        return {
          connect_ready_ms: window.__bench.connectReadyAt,
          app_started_ms: window.__bench.appStartedAt,
          response_end_ms: nav.responseEnd,
          dom_content_loaded_ms: nav.domContentLoadedEventEnd,
          load_event_ms: nav.loadEventEnd,
          wasm_fetched_ms: wasm ? wasm.responseEnd : null,
        };
      });
      if (errors.length) throw new Error(`page errors on load ${i + 1}: ${errors.join('; ')}`);
      if (i >= warmup) runs.push(r);
      await context.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  const pick = (k) => runs.map((r) => r[k]).filter((x) => x !== null);
  const stat = (k) => ({ median: median(pick(k)), p90: quantile(pick(k), 0.9), min: Math.min(...pick(k)), max: Math.max(...pick(k)) });
  return {
    loads,
    connect_ready_ms: stat('connect_ready_ms'),
    app_started_ms: stat('app_started_ms'),
    wasm_fetched_ms: stat('wasm_fetched_ms'),
    dom_content_loaded_ms: stat('dom_content_loaded_ms'),
    runs,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await startupBench(process.argv[2] ?? 'dist', { loads: Number(process.argv[3] ?? 20) });
  console.log(JSON.stringify({ ...r, runs: undefined }, null, 2));
}
