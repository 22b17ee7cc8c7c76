// Item 2c: polling efficiency. The emulator runs with --time-scale N and the console with
// #pace=N (every watch delay and the grace period N× shorter), so a connect of E emulated
// seconds takes E/N real seconds and the console polls on the same compressed schedule; every
// figure is converted back to emulated time (real × N).
//
// Per connect: fill the credentials (from the emulator's /_emulator/credentials), region,
// endpoint and store id by hand (not "Use local emulator", whose store-list refresh would
// count), press Connect, and record every DescribeCustomKeyStores POST (Playwright request
// events): before Connect (the console's pre-check), from Connect until the panel shows
// CONNECTED (the watch), and during a quiet period after (must be none). The store settles at
// the emulator's Connect time + E/N: the Connect request's send time, from the browser's own
// timing. Lag = the time the "Connection status" region first shows CONNECTED (a
// MutationObserver stamps it) minus that settle time. The three connects run side by side
// (one page each, like separate tabs), against a fresh emulator per repetition; 3 repetitions,
// medians and maxima reported.
import fs from 'node:fs';
import { serveStatic } from '../../e2e/serve.mjs';
import { launch } from '../../e2e/browser.mjs';
import { median, pageHooks, sleep, startEmulator } from './common.mjs';

const TARGET = (r) => r.method() === 'POST' && r.headers()['x-amz-target'];

/** Fills the form by hand and presses Connect; returns the page and its request log. */
export async function connectByHand(browser, siteUrl, emulatorUrl, storeId, pace, hookOpts) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(pageHooks, hookOpts);
  const log = [];
  page.on('request', (r) => {
    const target = TARGET(r);
    if (target) log.push({ target, at: Date.now(), request: r });
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${siteUrl}#pace=${pace}`);
  await page.getByRole('button', { name: 'Connect', exact: true }).waitFor();
  const creds = await (await fetch(`${emulatorUrl}/_emulator/credentials`)).json();
  await page.getByLabel('Access key ID', { exact: true }).fill(creds.AccessKeyId);
  await page.getByLabel('Secret access key', { exact: true }).fill(creds.SecretAccessKey);
  await page.getByLabel('Session token', { exact: true }).fill(creds.SessionToken);
  await page.getByLabel('Region', { exact: true }).fill('us-east-1');
  await page.getByLabel('Endpoint URL', { exact: true }).fill(emulatorUrl);
  await page.getByLabel('Custom key store ID', { exact: true }).fill(storeId);
  const clickedAt = Date.now();
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  return { context, page, log, errors, clickedAt };
}

/** The Connect request's send time (epoch ms, the browser's clock) once it has answered. */
export async function connectSentAt(log, page) {
  for (let i = 0; i < 200; i++) {
    const c = log.find((e) => e.target === 'TrentService.ConnectCustomKeyStore');
    if (c) {
      const resp = await c.request.response();
      if (!resp || resp.status() !== 200) throw new Error(`Connect answered ${resp && resp.status()}: ${resp && await resp.text()}`);
      const t = c.request.timing();
      // startTime is when the request started; the emulator took the Connect between it and
      // the answer (loopback: within a few ms). Take the middle of requestStart..responseStart.
      const accepted = t.startTime + (t.requestStart >= 0 && t.responseStart >= 0 ? (t.requestStart + t.responseStart) / 2 : 0);
      return { index: log.indexOf(c), sent: t.startTime, accepted };
    }
    await sleep(50);
  }
  const shot = 'bench/out/polling-no-connect.png';
  await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
  throw new Error(`no ConnectCustomKeyStore request was sent (screenshot ${shot})`);
}

/** One connect, start to quiet period; `browser`, `siteUrl` and the emulator are shared. */
async function runCase(browser, siteUrl, emulatorUrl, scale, quietSeconds, c) {
  const { context, page, log, errors } = await connectByHand(browser, siteUrl, emulatorUrl, c.store, scale);
  try {
    const connect = await connectSentAt(log, page);
    const settleAt = connect.accepted + (c.seconds * 1000) / scale;
    // Wait for the panel: the emulated duration, plus a generous margin.
    const budget = ((c.seconds + 600) * 1000) / scale + 30000;
    await page.waitForFunction(() => window.__bench.connectedAt !== null, null, { timeout: budget, polling: 100 });
    const connectedAt = await page.evaluate(() => window.__bench.connectedAt);
    // The quiet period: a watch that settled must send nothing more.
    await sleep(quietSeconds * 1000);
    // Send times from the browser's clock (the same clock that stamped connectedAt; node's
    // event times can trail it by more than a poll's answer and render under load).
    const sentAt = (e) => { const t = e.request.timing().startTime; return t > 0 ? t : e.at; };
    const describes = log.filter((e) => e.target === 'TrentService.DescribeCustomKeyStores');
    const before = describes.filter((e) => log.indexOf(e) < connect.index);
    const during = describes.filter((e) => log.indexOf(e) > connect.index && sentAt(e) <= connectedAt);
    const after = describes.filter((e) => log.indexOf(e) > connect.index && sentAt(e) > connectedAt);
    const others = [...new Set(log.map((e) => e.target))]
      .filter((t) => t !== 'TrentService.DescribeCustomKeyStores' && t !== 'TrentService.ConnectCustomKeyStore')
      .map((t) => ({ target: t, count: log.filter((e) => e.target === t).length }));
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    // Poll send times from the browser's own timing, in emulated seconds after the Connect.
    const sent = during.map(sentAt);
    const settling = sent.at(-1);
    return {
      precheck_describes: before.length,
      watch_describes: during.length,
      describes_after_settled: after.length,
      other_requests: others,
      // Store settled → panel shows it, all in emulated time (real × N).
      lag_emulated_s: ((connectedAt - settleAt) * scale) / 1000,
      // The same lag split: the schedule's part (store settled → the poll that saw it was
      // sent), which the compression models, and the real request + render time after it,
      // which the compression would multiply by N if it were scaled like the rest.
      schedule_lag_emulated_s: ((settling - settleAt) * scale) / 1000,
      request_and_render_real_ms: connectedAt - settling,
      poll_times_emulated_s: sent.map((t) => Math.round(((t - connect.accepted) * scale) / 100) / 10),
    };
  } finally {
    await context.close();
  }
}

export async function pollingBench({ dist, emulatorBin, scenario, scale = 10, quietSeconds = 15, reps = 3, cases }) {
  const server = await serveStatic(dist);
  const siteUrl = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launch();
  const runs = Object.fromEntries(cases.map((c) => [c.name, []]));
  try {
    // Each repetition: a fresh emulator, the connects side by side (one page each, so each has
    // its own rate limiter, as separate tabs would).
    for (let rep = 0; rep < reps; rep++) {
      const emulator = await startEmulator(emulatorBin, ['--scenario', scenario, '--time-scale', String(scale)]);
      try {
        const out = await Promise.all(cases.map((c) => runCase(browser, siteUrl, emulator.url, scale, quietSeconds, c)));
        cases.forEach((c, i) => runs[c.name].push(out[i]));
      } finally {
        await emulator.stop();
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  const results = cases.map((c) => {
    const rs = runs[c.name];
    const col = (k) => rs.map((r) => r[k]);
    return {
      name: c.name,
      store: c.store,
      store_type: c.type,
      settle_emulated_s: c.seconds,
      reps: rs.length,
      precheck_describes: { median: median(col('precheck_describes')), max: Math.max(...col('precheck_describes')) },
      watch_describes: { median: median(col('watch_describes')), max: Math.max(...col('watch_describes')) },
      describes_after_settled: { max: Math.max(...col('describes_after_settled')) },
      lag_emulated_s: { median: median(col('lag_emulated_s')), max: Math.max(...col('lag_emulated_s')) },
      schedule_lag_emulated_s: { median: median(col('schedule_lag_emulated_s')), max: Math.max(...col('schedule_lag_emulated_s')) },
      request_and_render_real_ms: { median: median(col('request_and_render_real_ms')), max: Math.max(...col('request_and_render_real_ms')) },
      runs: rs,
    };
  });
  return { time_scale: scale, pace: scale, quiet_period_emulated_s: quietSeconds * scale, results };
}

export const CASES = [
  { name: 'external key store, 30 s', store: 'cks-0bec0000000000030', type: 'EXTERNAL_KEY_STORE', seconds: 30 },
  { name: 'external key store, 5 min', store: 'cks-0bec0000000000300', type: 'EXTERNAL_KEY_STORE', seconds: 300 },
  { name: 'CloudHSM key store, 20 min', store: 'cks-0bec0000000001200', type: 'AWS_CLOUDHSM', seconds: 1200 },
];

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv[4] ? CASES.filter((c) => c.seconds === Number(process.argv[4])) : CASES;
  const r = await pollingBench({
    dist: process.argv[2] ?? 'dist',
    emulatorBin: process.argv[3] ?? 'target/release/kms-emulator',
    scenario: 'bench/scenario.json',
    cases: only,
    reps: Number(process.env.REPS ?? 3),
  });
  fs.writeFileSync('/tmp/polling.json', JSON.stringify(r, null, 2));
  for (const x of r.results) console.log(JSON.stringify({ ...x, runs: undefined }));
}
