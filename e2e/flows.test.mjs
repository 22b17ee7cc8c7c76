// The console's main flows against the release dist/ and the emulator (testing.json, time
// scale 60 unless a flow needs otherwise).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  setup, flow, STORE, DEMO, TESTING, scenarioFile, testingWith, until, field, button, statusPanel,
  watchPanel, waitState, useEmulator, fillForm, alerts, editAccess, openTab, openCreate,
} from './harness.mjs';

setup();
const FAST = ['--scenario', TESTING, '--time-scale', '60'];

flow('connect to CONNECTED', async ({ page, emulator, step }) => {
  const em = await emulator(FAST);
  await useEmulator(page, em.url);
  step('select t-xks and connect');
  await button(page, 'Select t-xks').click();
  assert.equal(await field(page, 'Custom key store ID').inputValue(), STORE['t-xks']);
  await button(page, 'Connect').click();
  const status = statusPanel(page);
  await waitState(status, 'CONNECTED');
  assert.match(await status.innerText(), /is connected/);
  // The link carries the store, never a secret (the harness checks the secrets).
  assert.match(page.url(), new RegExp(`store=${STORE['t-xks']}`));
  // The report holds no secret either.
  const [download] = await Promise.all([page.waitForEvent('download'), button(page, 'Download JSON').click()]);
  const report = fs.readFileSync(await download.path(), 'utf8');
  assert.match(report, /CONNECTED/);
  for (const s of [DEMO.secretAccessKey, DEMO.sessionToken]) assert.ok(!report.includes(s), 'a secret is in the report');
});

// Every ConnectionErrorCode, for the store type it belongs to (two mean different things for
// each type), plus a code the console does not know: each FAILED panel shows the code, what it
// means, what to do and the right troubleshooting page; no two codes share an explanation.
const HSM_CODES = ['CLUSTER_NOT_FOUND', 'INSUFFICIENT_CLOUDHSM_HSMS', 'INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET',
  'INVALID_CREDENTIALS', 'NETWORK_ERRORS', 'INTERNAL_ERROR', 'SUBNET_NOT_FOUND', 'USER_LOCKED_OUT', 'USER_LOGGED_IN', 'USER_NOT_FOUND'];
const XKS_CODES = ['INVALID_CREDENTIALS', 'NETWORK_ERRORS', 'XKS_PROXY_ACCESS_DENIED', 'XKS_PROXY_INVALID_CONFIGURATION',
  'XKS_PROXY_INVALID_RESPONSE', 'XKS_PROXY_INVALID_TLS_CONFIGURATION', 'XKS_PROXY_NOT_REACHABLE', 'XKS_PROXY_TIMED_OUT',
  'XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION', 'XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND', 'QUANTUM_FLUX_CAPACITOR'];
export const FAMILY_CASES = [
  ...HSM_CODES.map((code) => ({ code, type: 'AWS_CLOUDHSM' })),
  ...XKS_CODES.map((code) => ({ code, type: 'EXTERNAL_KEY_STORE' })),
].map((c, i) => ({ ...c, id: `cks-e2e${i.toString(16).padStart(14, '0')}`, name: `f-${i}-${c.code.toLowerCase()}` }));

function familyStore({ id, name, type, code }, i) {
  const base = { id, name, type, connect: { delay_seconds: 30, result: 'FAILED', error_code: code } };
  return type === 'AWS_CLOUDHSM'
    ? { ...base, cluster_id: `cluster-2e2e${'abcdefghijklmnopqrstuvwxyz'[i % 26]}xyzabcd` }
    : { ...base, xks: { connectivity: 'PUBLIC_ENDPOINT', uri_endpoint: `https://xks-${i}.e2e.example.com`, uri_path: '/kms/xks/v1', access_key_id: `E2EFAMILYKEYID${String(i).padStart(6, '0')}` } };
}

flow('each failure family explained', async ({ page, emulator, step, note }) => {
  const file = scenarioFile('families', testingWith({ stores: FAMILY_CASES.map(familyStore), store_quota: 100 }));
  const em = await emulator(['--scenario', file, '--time-scale', '60']);
  await useEmulator(page, em.url, FAMILY_CASES[0].name);
  // Several watches at once: connect every store, then read every panel.
  for (const c of FAMILY_CASES) {
    step(`connect ${c.name}`);
    await field(page, 'Custom key store ID').fill(c.id);
    await button(page, 'Connect').click();
    const watching = page.getByRole('status', { name: 'Connection status' }).filter({ hasText: c.id });
    // A CloudHSM pre-flight that foresees the failure holds the connect back and says why.
    await watching.or(button(page, 'Connect anyway')).first().waitFor({ timeout: 30000 });
    if (await button(page, 'Connect anyway').count()) {
      const held = await page.locator('.notice[role=alert]').innerText();
      assert.match(held, /Not sent: the pre-flight expects this connect to fail/, `${c.name}: ${held}`);
      assert.match(held, new RegExp(c.code), `${c.name}: the pre-flight names the code it foresees`);
      note(`${c.name}: held back by the pre-flight (it foresees ${c.code}); Connect anyway`);
      await button(page, 'Connect anyway').click();
    }
    await watching.waitFor({ timeout: 30000 });
  }
  const seen = new Map();
  for (const c of FAMILY_CASES) {
    step(`read ${c.name}`);
    const panel = watchPanel(page, c.id);
    await waitState(panel, 'FAILED', 60000);
    const text = await panel.innerText();
    assert.match(text, new RegExp(`${c.code}: \\S`), `${c.name}: the code and its meaning`);
    assert.match(text, /What to do: \S/, `${c.name}: what to do`);
    const meaning = text.split(`${c.code}: `)[1].split('\n')[0];
    const unknown = /does not know/.test(meaning);
    assert.equal(unknown, c.code === 'QUANTUM_FLUX_CAPACITOR', `${c.name}: "${meaning}"`);
    assert.ok(!seen.has(meaning), `${c.name} explained like ${seen.get(meaning)}: "${meaning}"`);
    seen.set(meaning, c.name);
    const doc = await panel.getByRole('link', { name: 'AWS troubleshooting' }).getAttribute('href');
    assert.match(doc, c.type === 'AWS_CLOUDHSM' ? /fix-keystore/ : /xks-troubleshooting/, `${c.name}: doc link`);
  }
}, { timeout: 180000 });

flow('a fast failure at Connect', async ({ page, emulator }) => {
  const em = await emulator(FAST);
  await useEmulator(page, em.url);
  await button(page, 'Select t-hsm-inactive').click();
  await button(page, 'Connect').click();
  // The pre-flight sees the cluster is not active and holds the connect back, saying why.
  await button(page, 'Connect anyway').waitFor();
  const held = await page.locator('.notice[role=alert]').innerText();
  assert.match(held, /Not sent: the pre-flight expects this connect to fail\. KMS would report CloudHsmClusterNotActiveException/);
  assert.match(held, /What to do: \S/);
  // Sent anyway: KMS's fast failure, explained.
  await button(page, 'Connect anyway').click();
  const box = page.locator('.error[role=alert]');
  await box.waitFor();
  const text = await box.innerText();
  assert.match(text, /ConnectCustomKeyStore failed/);
  assert.match(text, /CloudHsmClusterNotActiveException/);
  assert.match(text, /not active/);
  assert.match(text, /What to do: \S/);
  // No watch: the store stayed DISCONNECTED.
  assert.match(await statusPanel(page).innerText(), /Nothing is being watched/);
  // The scenario's reconnect succeeds (its cluster still reads INITIALIZED, so the pre-flight
  // holds it back again).
  await button(page, 'Connect').click();
  await button(page, 'Connect anyway').click();
  await waitState(statusPanel(page), 'CONNECTED');
  assert.equal(await box.count(), 0, 'the old error box is gone');
});

flow('FAILED, then Disconnect, then Connect', async ({ page, emulator, step }) => {
  const em = await emulator(FAST);
  await useEmulator(page, em.url);
  await button(page, 'Select t-flaky').click();
  await button(page, 'Connect').click();
  const status = statusPanel(page);
  await waitState(status, 'FAILED');
  assert.match(await status.innerText(), /XKS_PROXY_TIMED_OUT: \S/);
  step('disconnect to fix');
  await button(page, 'Disconnect to fix…').click();
  await page.getByRole('alertdialog').waitFor();
  assert.match(await page.getByRole('alertdialog').innerText(), /unusable/);
  await button(page, 'Disconnect now').click();
  await waitState(status, 'DISCONNECTED');
  assert.match(await status.innerText(), /is disconnected/);
  step('connect again');
  await button(page, 'Connect again').click();
  await waitState(status, 'CONNECTED');
  assert.match(await status.innerText(), /is connected/);
});

flow('a FAILED store: Connect explains, and Disconnect asks first', async ({ page, emulator }) => {
  const em = await emulator(FAST);
  await useEmulator(page, em.url);
  await button(page, 'Select t-failed').click();
  await button(page, 'Connect').click();
  const notice = page.locator('.notice[role=alert]');
  await notice.waitFor();
  assert.match(await notice.innerText(), /FAILED \(NETWORK_ERRORS\).*Disconnect it/s);
  await button(page, 'Disconnect').click();
  await button(page, 'Cancel').click();
  assert.equal(await page.getByRole('alertdialog').count(), 0);
  await button(page, 'Disconnect').click();
  await button(page, 'Disconnect now').click();
  await waitState(statusPanel(page), 'DISCONNECTED');
});

flow('a wrong secret', async ({ page, emulator, secrets }) => {
  const em = await emulator(FAST);
  const wrong = 'wRoNgSecretKey/NotReal/0123456789abcdef00';
  secrets.add(wrong);
  await fillForm(page, { url: em.url, credentials: { ...DEMO, secretAccessKey: wrong }, store: STORE['t-xks'] });
  await button(page, 'Connect').click();
  const box = page.locator('.error[role=alert]');
  await box.waitFor();
  const text = await box.innerText();
  assert.match(text, /InvalidSignatureException/);
  assert.match(text, /secret access key is wrong/);
  assert.match(await statusPanel(page).innerText(), /Nothing is being watched/);
  // Correcting the secret is enough: nothing else was lost.
  assert.equal(await field(page, 'Custom key store ID').inputValue(), STORE['t-xks']);
  await field(page, 'Secret access key').fill(DEMO.secretAccessKey);
  await button(page, 'Connect').click();
  await waitState(statusPanel(page), 'CONNECTED');
});

flow('an unknown access key', async ({ page, emulator }) => {
  const em = await emulator(FAST);
  await fillForm(page, { url: em.url, credentials: { ...DEMO, accessKeyId: 'ASIAUNKNOWNKEY000001' }, store: STORE['t-xks'] });
  await button(page, 'Connect').click();
  const box = page.locator('.error[role=alert]');
  await box.waitFor();
  assert.match(await box.innerText(), /UnrecognizedClientException[\s\S]*does not recognise/);
});

flow('expired credentials at Connect', async ({ page, emulator, secrets }) => {
  const em = await emulator(FAST);
  const expired = testingWith().credentials.find((c) => c.expires_in_seconds < 0);
  secrets.add(expired.secret_access_key).add(expired.session_token);
  await fillForm(page, { url: em.url, credentials: { accessKeyId: expired.access_key_id, secretAccessKey: expired.secret_access_key, sessionToken: expired.session_token }, store: STORE['t-xks'] });
  await button(page, 'Connect').click();
  const box = page.locator('.error[role=alert]');
  await box.waitFor();
  assert.match(await box.innerText(), /ExpiredTokenException[\s\S]*expired/);
});

// Credentials that expire a few seconds after the emulator starts, a store that connects a
// little later: the watch pauses with the reason and "Resume watching"; pasting fresh
// credentials resumes it (same watch, timeline kept) and it reaches CONNECTED.
flow('credentials expire mid-watch, fresh ones resume it', async ({ page, emulator, secrets, step }) => {
  const fresh = { access_key_id: 'ASIAE2EFRESHCREDS001', secret_access_key: 'e2eFreshSecret/NotReal/0123456789abcdefgh', session_token: 'IQoJE2E//FRESH/TOKEN==' };
  const expiring = { access_key_id: 'ASIAE2EEXPIRING00001', secret_access_key: 'e2eExpiringSecret/NotReal/0123456789abcd', session_token: 'IQoJE2E//EXPIRING/TOKEN==', expires_in_seconds: 25, demo: true };
  secrets.add(fresh.secret_access_key).add(fresh.session_token).add(expiring.secret_access_key).add(expiring.session_token);
  const store = { id: 'cks-e2e00000000000e1', name: 'e-slow', type: 'EXTERNAL_KEY_STORE', connect: { delay_seconds: 40 },
    xks: { connectivity: 'PUBLIC_ENDPOINT', uri_endpoint: 'https://xks.e1.example.com', uri_path: '/kms/xks/v1', access_key_id: 'E2EEXPIRYKEYID000001' } };
  const file = scenarioFile('expiry', testingWith({ credentials: [expiring, fresh], stores: [store] }));
  const em = await emulator(['--scenario', file]);
  const t0 = Date.now();
  await useEmulator(page, em.url, 'e-slow');
  await button(page, 'Select e-slow').click();
  await button(page, 'Connect').click();
  const status = statusPanel(page);
  await waitState(status, 'CONNECTING');
  // (25 s of credentials: page, list and Connect fit in them on a slow machine.)
  assert.ok(Date.now() - t0 < 20000, 'the connect started before the credentials expired');
  step('wait for the pause');
  await button(page, 'Resume watching').waitFor({ timeout: 45000 });
  const paused = await status.innerText();
  assert.match(paused, /paused/i);
  assert.match(paused, /ExpiredTokenException/);
  step('paste fresh credentials');
  const paste = JSON.stringify({ Version: 1, AccessKeyId: fresh.access_key_id, SecretAccessKey: fresh.secret_access_key,
    SessionToken: fresh.session_token, Expiration: new Date(Date.now() + 3600e3).toISOString() });
  await field(page, 'Paste credentials').fill(paste);
  await until(async () => (await field(page, 'Access key ID').inputValue()) === fresh.access_key_id, { what: 'the pasted key' });
  await waitState(status, 'CONNECTED', 60000);
  const text = await status.locator('xpath=ancestor::section[1]').innerText();
  assert.match(text, /paused[\s\S]*resumed/, 'the timeline shows the pause and the resume');
  assert.match(text, /ConnectCustomKeyStore accepted/, 'the same watch (its first event kept)');
  // The paste box keeps what was pasted; it is a field, never stored.
}, { timeout: 180000 });

// A watch open in the link survives a reload: region, endpoint and store come back from the
// fragment, the secrets do not; "Use local emulator" gives credentials and the watch resumes.
flow('a deep-link reload resumes the watch', async ({ page, emulator, step }) => {
  const em = await emulator(['--scenario', TESTING, '--time-scale', '6']);
  await useEmulator(page, em.url);
  await button(page, 'Select t-xks').click();
  await button(page, 'Connect').click();
  await waitState(statusPanel(page), 'CONNECTING');
  await until(() => /watch=connect/.test(page.url()), { what: 'the watch in the link' });
  const link = page.url();
  assert.match(link, /since=\d+/);
  step('reload');
  await page.reload();
  await button(page, 'Connect').waitFor();
  assert.equal(page.url(), link, 'the reload kept the link');
  assert.equal(await field(page, 'Custom key store ID').inputValue(), STORE['t-xks']);
  assert.equal(await field(page, 'Endpoint URL').inputValue(), em.url);
  assert.equal(await field(page, 'Secret access key').inputValue(), '', 'the secret is not kept');
  assert.equal(await field(page, 'Session token').inputValue(), '', 'the token is not kept');
  assert.match(await alerts(page), /reopens a watch/);
  step('give credentials');
  await button(page, 'Use local emulator').click();
  const status = statusPanel(page);
  await waitState(status, 'CONNECTED', 40000);
  assert.match(await status.locator('xpath=ancestor::section[1]').innerText(), /reopened from the page's link/);
  await until(() => !/watch=/.test(page.url()), { what: 'the settled watch to leave the link' });
});
