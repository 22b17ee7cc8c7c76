// Item 2a: signing speed in Chromium, our wasm signer against the AWS SDK's browser signer, in
// one page (bench/sign/), served cross-origin isolated so performance.now() has fine resolution.
import path from 'node:path';
import { serveStatic } from '../../e2e/serve.mjs';
import { launch } from '../../e2e/browser.mjs';

export async function signingBench(benchDir, opts = {}, signerDir = 'signer') {
  const server = await serveStatic(benchDir, {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`http://127.0.0.1:${server.address().port}/sign/index.html?signer=${encodeURIComponent(signerDir)}`);
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 });
    const out = await page.evaluate((o) => window.runSigningBench(o), opts);
    if (errors.length) throw new Error(`signing page errors: ${errors.join('; ')}`);
    out.browser = browser.version();
    return out;
  } finally {
    await browser.close();
    server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await signingBench(path.resolve(path.dirname(process.argv[1]), '..'),
    process.argv[2] ? JSON.parse(process.argv[2]) : {}, process.argv[3]);
  console.log(JSON.stringify(r, null, 2));
}
