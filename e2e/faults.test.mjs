// Faults under a watch: throttling and server errors, a skewed clock, the endpoint going away
// and coming back, the store deleted behind the page's back, and answers that are not KMS's.
import assert from 'node:assert/strict';
import {
  setup, flow, STORE, DEMO, TESTING, scenarioFile, testingWith, until, field, button, statusPanel,
  waitState, fillForm, alerts, connectUntilWatching, editAccess, openTab,
} from './harness.mjs';
import { freePort } from './emulator.mjs';
import { callKms } from './kms.mjs';

setup();
const S = ['--scenario', TESTING];
const section = (status) => status.locator('xpath=ancestor::section[1]');

flow('a throttling burst still settles', async ({ page, emulator, note }) => {
  // The first 4 Describes are throttled: the client backs off (holding every Describe of the
  // tab 1, 2, 4, 8 s) and retries; a check before Connect that still cannot run says so and
  // connects anyway (it only advises), so one press is enough.
  const em = await emulator([...S, '--time-scale', '20', '--throttle-first', '4', '--fault-operations', 'DescribeCustomKeyStores']);
  await fillForm(page, { url: em.url, store: STORE['t-xks'] });
  const { presses, errors } = await connectUntilWatching(page, STORE['t-xks']);
  note(`watching after ${presses} press(es) of Connect`);
  assert.equal(presses, 1, `a passing fault held the Connect back: ${errors.join('\n')}`);
  await waitState(statusPanel(page), 'CONNECTED', 60000);
}, { timeout: 150000 });

flow('throttling and 500s at random still settle', async ({ page, emulator, note }) => {
  const em = await emulator([...S, '--time-scale', '10', '--seed', '7', '--throttle-rate', '0.3', '--error-rate', '0.3']);
  await fillForm(page, { url: em.url, store: STORE['t-xks'] });
  const { presses } = await connectUntilWatching(page, STORE['t-xks']);
  note(`watching after ${presses} press(es) of Connect`);
  const status = statusPanel(page);
  await waitState(status, 'CONNECTED', 90000);
  assert.match(await status.innerText(), /is connected/);
}, { timeout: 180000 });

flow('a 500 that lost the Connect answer still settles', async ({ page, emulator }) => {
  // t-lost-connect: the first Connect takes effect but answers 500; the retry is a no-op.
  const em = await emulator([...S, '--time-scale', '60']);
  await fillForm(page, { url: em.url, store: STORE['t-lost-connect'] });
  await button(page, 'Connect').click();
  await waitState(statusPanel(page), 'CONNECTING');
  assert.equal(await page.locator('.error[role=alert]').count(), 0);
});

for (const skew of [600, -600]) {
  flow(`a clock ${skew > 0 ? 'ahead' : 'behind'} by 10 minutes corrects itself`, async ({ page, emulator }) => {
    const em = await emulator([...S, '--time-scale', '60', '--clock-skew-seconds', String(skew)]);
    await fillForm(page, { url: em.url, store: STORE['t-xks'] });
    await button(page, 'Connect').click();
    const status = statusPanel(page);
    await waitState(status, 'CONNECTED');
    assert.equal(await page.locator('.error[role=alert]').count(), 0, await alerts(page));
  });
}

// The endpoint goes away mid-watch and comes back on the same address. A restarted emulator
// starts from its scenario, so the second one has the store CONNECTED (it connected while the
// endpoint was unreachable): the panel shows the failed polls, then settles, with no reload.
flow('the emulator killed and restarted mid-watch: the watch resumes', async ({ page, emulator, step }) => {
  const port = await freePort();
  const store = (extra) => ({ id: 'cks-e2e00000000000f1', name: 'e-restart', type: 'EXTERNAL_KEY_STORE',
    xks: { connectivity: 'PUBLIC_ENDPOINT', uri_endpoint: 'https://xks.f1.example.com', uri_path: '/kms/xks/v1', access_key_id: 'E2ERESTARTKEYID00001' }, ...extra });
  const before = scenarioFile('restart-before', testingWith({ stores: [store({ connect: { delay_seconds: 3600 } })] }));
  const afterRestart = scenarioFile('restart-after', testingWith({ stores: [store({ state: 'CONNECTED' })] }));
  const first = await emulator(['--scenario', before], { port });
  await fillForm(page, { url: first.url, store: 'cks-e2e00000000000f1' });
  await button(page, 'Connect').click();
  const status = statusPanel(page);
  await waitState(status, 'CONNECTING');
  await page.evaluate(() => { window.__sameDocument = true; });
  step('kill the emulator');
  await first.stop();
  await until(async () => /poll failed: NetworkError/.test(await section(status).innerText()), { timeout: 30000, what: 'a failed poll' });
  assert.match(await status.innerText(), /CONNECTING/, 'still watching during the outage');
  step('restart it on the same port');
  const second = await emulator(['--scenario', afterRestart], { port });
  assert.equal(second.url, first.url);
  await waitState(status, 'CONNECTED', 60000);
  assert.ok(await page.evaluate(() => window.__sameDocument === true), 'the page was not reloaded');
}, { timeout: 120000 });

// Another admin disconnects and deletes the store while the page watches it connect: the
// watch ends with a clear "no longer exists", not an endless retry.
flow('the store deleted mid-watch: a clear end', async ({ page, emulator, step }) => {
  const id = 'cks-e2e00000000000d1';
  const store = { id, name: 'e-deleted', type: 'EXTERNAL_KEY_STORE', connect: { delay_seconds: 3600 }, disconnect_seconds: 0,
    xks: { connectivity: 'PUBLIC_ENDPOINT', uri_endpoint: 'https://xks.d1.example.com', uri_path: '/kms/xks/v1', access_key_id: 'E2EDELETEDKEYID00001' } };
  const em = await emulator(['--scenario', scenarioFile('deleted', testingWith({ stores: [store] }))]);
  await fillForm(page, { url: em.url, store: id });
  await button(page, 'Connect').click();
  const status = statusPanel(page);
  await waitState(status, 'CONNECTING');
  step('disconnect and delete it from elsewhere');
  const call = (operation) => callKms({ url: em.url, credentials: DEMO, operation, input: { CustomKeyStoreId: id } });
  assert.equal((await call('DisconnectCustomKeyStore')).status, 200);
  await until(async () => (await call('DescribeCustomKeyStores')).json?.CustomKeyStores?.[0]?.ConnectionState === 'DISCONNECTED', { what: 'DISCONNECTED' });
  const deleted = await call('DeleteCustomKeyStore');
  assert.equal(deleted.status, 200, deleted.body);
  const text = await until(async () => {
    const t = await status.innerText();
    return /no longer exists/.test(t) && t;
  }, { timeout: 60000, what: 'the end of the watch' });
  assert.match(text, new RegExp(`${id} no longer exists`));
  const card = await section(status).innerText();
  assert.match(card, /poll failed: CustomKeyStoreNotFoundException/);
  assert.equal(await button(page, 'Stop watching').count(), 0, 'the watch is over');
  assert.equal(await button(page, 'Resume watching').count(), 0);
}, { timeout: 120000 });

// Answers that are not KMS's, on every Describe: the check before Connect cannot run, says so
// with the error code and plain words, and connects anyway (it only advises); the page stays
// usable and keeps what was typed.
export const MALFORMED = [
  { label: 'truncated JSON, HTTP 200', flags: ['--malformed-rate', '1'], code: /MalformedResponse/, words: /not a KMS response/ },
  { label: 'an HTML page, HTTP 200 (captive portal)', flags: ['--malformed-rate', '1', '--malformed-body', 'html'], code: /MalformedResponse/, words: /not a KMS response/ },
  { label: 'an HTML page, HTTP 502', flags: ['--malformed-rate', '1', '--malformed-body', 'html', '--malformed-status', '502'], code: /HTTP 502/, words: /failed on its side/ },
  { label: 'plain text "Bad Gateway", HTTP 502', flags: ['--error-rate', '1', '--error-body', 'text'], code: /HTTP 502/, words: /failed on its side/ },
  { label: 'an HTML error page, HTTP 503', flags: ['--error-rate', '1', '--error-body', 'html'], code: /HTTP 503/, words: /failed on its side/ },
  { label: 'KMSInternalException, HTTP 500', flags: ['--error-rate', '1'], code: /KMSInternalException/, words: /internal error/ },
  { label: 'truncated JSON, HTTP 400', flags: ['--malformed-rate', '1', '--malformed-status', '400'], code: /HTTP 400/, words: /\S/ },
];

for (const m of MALFORMED) {
  flow(`not KMS's answer: ${m.label}`, async ({ page, emulator }) => {
    const em = await emulator([...S, '--time-scale', '60', ...m.flags, '--fault-operations', 'DescribeCustomKeyStores']);
    await fillForm(page, { url: em.url, store: STORE['t-xks'] });
    const typed = await Promise.all(['Endpoint URL', 'Region', 'Access key ID', 'Custom key store ID'].map((l) => field(page, l).inputValue()));
    await button(page, 'Connect').click();
    const box = page.locator('.notice[role=alert]').filter({ hasText: 'could not run' });
    await box.waitFor({ timeout: 30000 });
    const text = await box.innerText();
    assert.match(text, /The check before Connect could not run/);
    assert.match(text, m.code);
    assert.match(text, m.words);
    assert.match(text, /Connecting anyway/);
    assert.ok(text.length < 2000, `the notice quotes at most a summary of the body (${text.length} chars)`);
    assert.equal(await page.locator('.notice[role=alert] script, .notice[role=alert] style, .notice[role=alert] iframe').count(), 0, 'the body is shown as text');
    // The Connect itself was sent: the store is being watched.
    await statusPanel(page).filter({ hasText: STORE['t-xks'] }).waitFor({ timeout: 30000 });
    // Still usable, nothing lost.
    assert.ok(await button(page, 'Connect').isEnabled());
    assert.deepEqual(await Promise.all(['Endpoint URL', 'Region', 'Access key ID', 'Custom key store ID'].map((l) => field(page, l).inputValue())), typed);
    assert.equal(await field(page, 'Secret access key').inputValue(), DEMO.secretAccessKey);
    // Refresh lists the stores with the same fault: the same clear error, in the list.
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('Could not list the stores.').waitFor();
  });
}

flow('malformed answers mid-watch: the watch still settles', async ({ page, emulator, note }) => {
  const em = await emulator([...S, '--time-scale', '10', '--seed', '11', '--malformed-rate', '0.4', '--fault-operations', 'DescribeCustomKeyStores']);
  await fillForm(page, { url: em.url, store: STORE['t-xks'] });
  const { presses } = await connectUntilWatching(page, STORE['t-xks']);
  note(`watching after ${presses} press(es) of Connect`);
  await waitState(statusPanel(page), 'CONNECTED', 90000);
}, { timeout: 150000 });
