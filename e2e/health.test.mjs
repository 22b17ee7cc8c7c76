// The Health tab against the emulator's DEFAULT scenario (its CloudWatch cases): what needs
// attention for the certificate, latency, healthy and no-data stores, and creating a
// recommended alarm (one PutMetricAlarm whose body is the JSON the page showed).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup, flow, until, field, button, useEmulator, openTab, DIST, scenarioFile } from './harness.mjs';
import { headerPolicy } from '../scripts/csp.mjs';

setup();

/** The CloudWatch calls the page makes, by operation (from X-Amz-Target). */
function recordCloudWatch(page) {
  const calls = [];
  page.on('request', (r) => {
    const target = r.headers()['x-amz-target'] ?? '';
    if (r.method() === 'POST' && target.startsWith('GraniteServiceVersion20100801.')) {
      calls.push({ op: target.split('.')[1], body: r.postData() });
    }
  });
  return calls;
}

/** Selects a store of the default scenario and opens its Health tab; waits until it is read. */
async function openHealth(page, name) {
  await button(page, `Select ${name}`).click();
  await openTab(page, 'Health');
  const health = page.getByRole('region', { name: 'Store health' });
  await health.getByRole('status').filter({ hasText: /read at/ }).waitFor({ timeout: 60000 });
  return health;
}

const attentionItems = (health) => health.locator('.attention > li').allInnerTexts();

flow('health: the certificate store needs attention for XksProxyCertificateDaysToExpire at 6 days', async ({ page, emulator }) => {
  const em = await emulator(['--time-scale', '60']);
  await useEmulator(page, em.url, 'payments-xks');
  const health = await openHealth(page, 'ledger-xks-vpc');
  const items = await attentionItems(health);
  const cert = items.find((i) => i.includes('XksProxyCertificateDaysToExpire'));
  assert.ok(cert, `no certificate item: ${items.join('\n---\n')}`);
  assert.match(cert, /^(Urgent|Needs attention)/);
  assert.match(cert, /XksProxyCertificateDaysToExpire: 6 days/);
  assert.match(cert, /What to do: Renew/);
  // The graph is named, summarised and has its table.
  const fig = health.getByRole('figure', { name: /Certificate days to expire/ });
  await fig.getByRole('img', { name: /Certificate days to expire: .*latest 6 days/ }).waitFor();
  await fig.getByText('Data table').click();
  assert.ok(await fig.getByRole('table').isVisible());
});

flow('health: the latency store shows XksProxyLatency above 200 ms', async ({ page, emulator }) => {
  const em = await emulator(['--time-scale', '60']);
  await useEmulator(page, em.url, 'payments-xks');
  const health = await openHealth(page, 'xks-timeout-then-ok');
  const items = await attentionItems(health);
  const latency = items.find((i) => i.includes('XksProxyLatency'));
  assert.ok(latency, `no latency item: ${items.join('\n---\n')}`);
  const ms = Number(latency.match(/XksProxyLatency: (\d+(?:\.\d+)?) ms/)?.[1]);
  assert.ok(ms > 200, `latency ${ms} ms: ${latency}`);
  assert.match(latency, /^(Urgent|Needs attention)/);
});

flow('health: the healthy store shows no attention item; requests only once the tab is open', async ({ page, emulator }) => {
  const em = await emulator(['--time-scale', '60']);
  const calls = recordCloudWatch(page);
  await useEmulator(page, em.url, 'payments-xks');
  await button(page, 'Select payments-xks').click();
  await openTab(page, 'Settings');
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(calls, [], 'CloudWatch was called before the Health tab was opened');
  const health = await openHealth(page, 'payments-xks');
  assert.deepEqual(await attentionItems(health), []);
  await health.getByText('Nothing needs attention').waitFor();
  assert.equal(calls.filter((c) => c.op === 'ListMetrics').length, 1);
  // Another tab and back: no new fetch (the data is still the range's).
  const n = calls.length;
  await openTab(page, 'Connection');
  await openTab(page, 'Health');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(calls.length, n);
  // A new range fetches again.
  await field(page, 'Time range').selectOption({ label: '1 hour' });
  await until(async () => calls.filter((c) => c.op === 'ListMetrics').length === 2, { what: 'a fetch for the new range' });
});

flow('health: the no-data store says "no data", not healthy', async ({ page, emulator }) => {
  const em = await emulator(['--time-scale', '60']);
  await useEmulator(page, em.url, 'payments-xks');
  const health = await openHealth(page, 'xks-wrong-credential');
  const text = await health.innerText();
  assert.match(text, /No data/);
  assert.match(text, /not a sign of health/);
  assert.doesNotMatch(text, /Healthy|Nothing needs attention/);
  assert.deepEqual(await attentionItems(health), []);
});

flow('health: creating a recommended alarm sends one PutMetricAlarm, the JSON shown', async ({ page, emulator }) => {
  const em = await emulator(['--time-scale', '60']);
  const calls = recordCloudWatch(page);
  await useEmulator(page, em.url, 'payments-xks');
  const health = await openHealth(page, 'ledger-xks-vpc');
  const offer = health.locator('.recommended > li').filter({ hasText: 'Certificate expires in less than 10 days' });
  await offer.getByRole('button', { name: 'Create alarm…' }).click();
  await offer.getByLabel('Alarm name', { exact: true }).fill('ledger-certificate');
  await offer.getByLabel('SNS topic ARN', { exact: true }).fill('arn:aws:sns:us-east-1:111122223333:kms-alerts');
  const shown = JSON.parse(await offer.getByLabel('Alarm definition (JSON)').innerText());
  assert.equal(shown.AlarmName, 'ledger-certificate');
  assert.deepEqual(shown.AlarmActions, ['arn:aws:sns:us-east-1:111122223333:kms-alerts']);
  assert.equal(shown.MetricName, 'XksProxyCertificateDaysToExpire');
  assert.equal(calls.filter((c) => c.op === 'PutMetricAlarm').length, 0);
  await offer.getByRole('button', { name: 'Create this alarm' }).click();
  await health.getByRole('status').filter({ hasText: 'Created alarm ledger-certificate.' }).waitFor();
  const puts = calls.filter((c) => c.op === 'PutMetricAlarm');
  assert.equal(puts.length, 1);
  assert.deepEqual(JSON.parse(puts[0].body), shown);
  // DescribeAlarms again: the alarm is listed with its state, and covers the recommendation.
  await health.locator('.alarm-list').getByText('ledger-certificate').waitFor();
  assert.match(await health.locator('.alarm-list').innerText(), /(ALARM|OK|INSUFFICIENT_DATA) ledger-certificate/);
  await health.locator('.recommended').getByText('covered by ledger-certificate').waitFor();
});

// Every flow fails on a Content-Security-Policy violation (the <meta> policy); this one also
// sends the policy as a header, as the hosting recipes do.
flow('health: CloudWatch on loopback under the policy as a header, no violation', async ({ page, emulator }) => {
  const em = await emulator(['--time-scale', '60']);
  await useEmulator(page, em.url, 'payments-xks');
  const health = await openHealth(page, 'ledger-xks-vpc');
  await health.getByRole('figure', { name: /Latency by KMS operation/ }).getByRole('img').waitFor();
}, { headers: { 'content-security-policy': headerPolicy(fs.readFileSync(path.join(DIST, 'index.html'), 'utf8')) } });

// Refresh every minute (the page's timers on Playwright's clock): it fetches again while the tab
// shows, not while another tab of the store page is open, nor while the browser tab is hidden.
flow('health: refresh runs only while the Health tab shows and the browser tab is visible', async ({ page, emulator }) => {
  const em = await emulator(['--time-scale', '60']);
  const calls = recordCloudWatch(page);
  await useEmulator(page, em.url, 'payments-xks');
  await openHealth(page, 'payments-xks');
  const lists = () => calls.filter((c) => c.op === 'ListMetrics').length;
  // (The fake clock runs ahead of the emulator's: a refused signature is re-signed once, so a
  // fetch may send ListMetrics twice. Each step waits for the fetch to end, then counts.)
  // (An automatic refresh is not announced: the section is aria-busy while it runs.)
  const settled = () => until(async () => !(await page.locator('section[aria-label="Store health"] [aria-busy="true"]').count()), { what: 'the fetch to end' });
  const idle = async (ms) => { await page.clock.runFor(ms); await new Promise((r) => setTimeout(r, 300)); };
  assert.equal(lists(), 1);
  const said = () => page.locator('section[aria-label="Store health"] p[role=status]').getAttribute('aria-live');
  assert.equal(await said(), 'polite', 'a fetch the user started is announced');
  await page.clock.install();
  await field(page, 'Refresh').selectOption({ label: '1 min' });
  await page.clock.runFor(61000);
  await until(async () => lists() >= 2, { what: 'a refresh after a minute' });
  await settled();
  assert.equal(await said(), 'off', 'an automatic refresh is shown, not announced');
  let n = lists();
  await openTab(page, 'Settings');
  await idle(125000);
  assert.equal(lists(), n, 'refreshed while another tab was open');
  await openTab(page, 'Health');
  await page.evaluate(() => Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }));
  await idle(125000);
  assert.equal(lists(), n, 'refreshed while the browser tab was hidden');
  await page.evaluate(() => delete document.hidden);
  await page.clock.runFor(61000);
  await until(async () => lists() > n, { what: 'a refresh once visible again' });
  await settled();
  n = lists();
  await field(page, 'Refresh').selectOption({ label: 'Off' });
  await idle(125000);
  assert.equal(lists(), n, 'refreshed with Refresh off');
});

/** The default scenario, its demo credentials denied these actions. */
function defaultDenying(actions) {
  const scenario = JSON.parse(fs.readFileSync('kms-emulator/scenarios/default.json', 'utf8'));
  scenario.credentials.find((c) => c.demo).deny = actions;
  return scenarioFile(`default-deny-${actions.join('-')}`, scenario);
}

flow('health: without cloudwatch:ListMetrics the tab says so in place; alarms and the rest still work', async ({ page, emulator }) => {
  const em = await emulator(['--scenario', defaultDenying(['cloudwatch:ListMetrics']), '--time-scale', '60']);
  await useEmulator(page, em.url, 'payments-xks');
  await button(page, 'Select ledger-xks-vpc').click();
  await openTab(page, 'Health');
  const health = page.getByRole('region', { name: 'Store health' });
  const error = health.getByRole('alert').filter({ hasText: 'ListMetrics failed' });
  await error.waitFor({ timeout: 60000 });
  assert.match(await error.innerText(), /AccessDenied[\s\S]*cloudwatch:ListMetrics[\s\S]*What to do: /);
  assert.doesNotMatch(await health.innerText(), /Healthy|Nothing needs attention/);
  // The alarms (DescribeAlarms) still show; the recommendations say what they lack.
  await health.getByText("No CloudWatch alarm watches this store's metrics.").waitFor();
  await health.getByText("needs the store's metrics, which could not be listed").first().waitFor();
  // The rest of the page works: the store's other tabs.
  await openTab(page, 'Settings');
  await openTab(page, 'Connection');
  await page.getByRole('heading', { name: 'Pre-flight' }).waitFor();
});

flow('health: without cloudwatch:PutMetricAlarm creating an alarm is explained in place', async ({ page, emulator }) => {
  const em = await emulator(['--scenario', defaultDenying(['cloudwatch:PutMetricAlarm']), '--time-scale', '60']);
  const calls = recordCloudWatch(page);
  await useEmulator(page, em.url, 'payments-xks');
  const health = await openHealth(page, 'ledger-xks-vpc');
  const offer = health.locator('.recommended > li').filter({ hasText: 'Average latency above 200 ms' });
  await offer.getByRole('button', { name: 'Create alarm…' }).click();
  await offer.getByRole('button', { name: 'Create this alarm' }).click();
  const error = offer.getByRole('alert');
  await error.waitFor();
  assert.match(await error.innerText(), /PutMetricAlarm failed[\s\S]*cloudwatch:PutMetricAlarm[\s\S]*copied as JSON/);
  assert.equal(calls.filter((c) => c.op === 'PutMetricAlarm').length, 1);
  // The graphs and what needs attention stay.
  assert.ok((await attentionItems(health)).some((i) => i.includes('XksProxyCertificateDaysToExpire')));
  await health.getByRole('figure', { name: /Latency by KMS operation/ }).getByRole('img').waitFor();
});
