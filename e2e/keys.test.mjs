// The Keys tab (issue 16) against the release dist/ and the emulator: the keys of a store in a
// large account, Create key in an external key store and the store test, a test after the store
// was disconnected behind the page's back, an unknown external key, and deleting a store that
// has keys (schedule, cancel, delete once the waiting period is over).
import assert from 'node:assert/strict';
import {
  setup, flow, STORE, DEMO, TESTING, testing, scenarioFile, testingWith, until, field, button, useEmulator,
  openTab, alerts, fillForm,
} from './harness.mjs';
import { callKms } from './kms.mjs';

setup();
const FAST = ['--scenario', TESTING, '--time-scale', '60'];

const table = (page) => page.getByRole('table', { name: 'KMS keys in this store', exact: true });
const storeTest = (page) => page.getByRole('status', { name: 'Store test', exact: true });
const keysPanel = (page) => page.locator('#panel-keys');

/** Counts the page's requests of one KMS operation. */
function countCalls(page, operation) {
  const seen = { n: 0 };
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.headers()['x-amz-target'] === `TrentService.${operation}`) seen.n++;
  });
  return seen;
}

async function openKeys(page, name) {
  await button(page, `Select ${name}`).click();
  await openTab(page, 'Keys');
}

/** The table's body rows, as text. */
async function rows(page) {
  return table(page).locator('tbody tr').allInnerTexts();
}

flow('the keys of a store with 3 keys in an account of 300', async ({ page, emulator, step }) => {
  const file = scenarioFile('keys-300', testingWith({
    stores: testing.stores.map((s) => (s.name === 't-hsm-connected'
      ? { ...s, keys: [{ description: 'payments', aliases: ['alias/e2e-payments'] }, { description: 'ledger' }, { description: 'retired', state: 'Disabled' }] }
      : s)),
  }));
  const em = await emulator(['--scenario', file, '--time-scale', '60', '--account-keys', '300']);
  const describes = countCalls(page, 'DescribeKey');
  await useEmulator(page, em.url);
  // Nothing is scanned before the Keys tab is opened.
  await button(page, 'Select t-hsm-connected').click();
  assert.equal(describes.n, 0, 'no DescribeKey before the Keys tab is opened');
  step('open the Keys tab');
  await openTab(page, 'Keys');
  await table(page).waitFor({ timeout: 60000 });
  const found = await rows(page);
  assert.equal(found.length, 3, found.join('\n'));
  assert.ok(found.some((r) => r.includes('alias/e2e-payments') && r.includes('Enabled') && r.includes('AWS_CLOUDHSM')), found.join('\n'));
  assert.ok(found.some((r) => r.includes('Disabled')), found.join('\n'));
  const panel = await keysPanel(page).innerText();
  assert.match(panel, /Looked at 300 of 300 keys; 3 in this store\./);
  assert.equal(describes.n, 300, 'one DescribeKey per key of the account');
  // The overview counts them.
  assert.match(await page.locator('.overview').innerText(), /3 KMS keys/);
  step("another store's keys: known from the same scan, no request");
  await button(page, 'Select t-xks-connected').click();
  await openTab(page, 'Keys');
  await table(page).waitFor({ timeout: 60000 });
  assert.equal((await rows(page)).length, 2, (await rows(page)).join('\n'));
  assert.match(await page.locator('.overview').innerText(), /2 KMS keys/);
  // A store of the list without keys says so at once.
  await button(page, 'Select t-xks').click();
  await keysPanel(page).getByText('No KMS keys in this store.').waitFor();
  assert.equal(describes.n, 300, 'the other stores were not scanned again');
  step('come back: remembered, no request');
  await button(page, 'Select t-xks-connected').click();
  await table(page).waitFor({ timeout: 60000 });
  const before = describes.n;
  await button(page, 'Select t-hsm-connected').click();
  await openTab(page, 'Keys');
  assert.equal((await rows(page)).length, 3);
  assert.equal(describes.n, before, 'coming back to a store scans nothing');
  step('Refresh scans again');
  await button(page, 'Refresh keys').click();
  await until(async () => describes.n >= before + 300 && (await button(page, 'Refresh keys').isEnabled()), { timeout: 60000, what: 'the refreshed scan' });
  assert.equal((await rows(page)).length, 3);
  step('Forget credentials: the keys read with them go too');
  await button(page, 'Forget credentials').first().click();
  await until(async () => !(await table(page).count()), { what: 'the key table to go' });
  assert.doesNotMatch(await keysPanel(page).innerText(), /alias\/e2e-payments|3 in this store/);
  // Nothing is scanned without credentials: no error the user did not ask for.
  assert.doesNotMatch(await alerts(page), /ListKeys/);
  await keysPanel(page).getByText('Press Refresh keys').waitFor();
});

flow('create a key in an external key store, then test the store: PASSED', async ({ page, emulator, step }) => {
  const em = await emulator(FAST);
  await useEmulator(page, em.url);
  await openKeys(page, 't-xks-connected');
  await table(page).waitFor({ timeout: 60000 });
  assert.equal((await rows(page)).length, 2);
  step('create a key on the free external key');
  await button(page, 'Create key').first().click();
  assert.match(await keysPanel(page).innerText(), /costs money every month/);
  await field(page, 'Key description').fill('made by e2e');
  await field(page, 'Alias').fill('e2e-xks');
  await field(page, 'External key ID').fill('t-free');
  await button(page, 'Create KMS key').click();
  await keysPanel(page).getByText(/Created KMS key .* Alias alias\/e2e-xks points at it\./).waitFor({ timeout: 30000 });
  await until(async () => (await rows(page)).length === 3, { what: 'the new key in the table' });
  const made = (await rows(page)).find((r) => r.includes('alias/e2e-xks'));
  assert.ok(made && made.includes('t-free') && made.includes('EXTERNAL_KEY_STORE'), made);
  step('test the store');
  await button(page, 'Test store').click();
  await storeTest(page).getByText(/^(PASSED|FAILED)/).waitFor({ timeout: 60000 });
  const text = await storeTest(page).innerText();
  assert.match(text, /PASSED: 5 rounds of Encrypt, Decrypt/, text);
  assert.match(text, /Encrypt: p50 \d+ ms, max \d+ ms over 5 calls \((within|over) the 250 ms KMS gives the proxy/, text);
  assert.match(text, /Decrypt: p50 \d+ ms/, text);
  assert.match(text, /Request ids: \S+/, text);
  assert.doesNotMatch(text, /GenerateRandom/, 'no GenerateRandom for an external key store');
});

flow('a test after the store was disconnected: FAILED with KMSInvalidStateException', async ({ page, emulator, step }) => {
  const em = await emulator(FAST);
  await useEmulator(page, em.url);
  await openKeys(page, 't-xks-connected');
  await table(page).waitFor({ timeout: 60000 });
  step('another admin disconnects the store');
  const r = await callKms({ url: em.url, credentials: DEMO, operation: 'DisconnectCustomKeyStore', input: { CustomKeyStoreId: STORE['t-xks-connected'] } });
  assert.equal(r.status, 200, r.body);
  await button(page, 'Test store').click();
  await storeTest(page).getByText(/^(PASSED|FAILED)/).waitFor({ timeout: 60000 });
  const text = await storeTest(page).innerText();
  assert.match(text, /FAILED: Encrypt failed in round 1 of 5 with KMSInvalidStateException/, text);
  assert.match(text, /What to do: \S/, text);
});

flow('an unknown external key ID is explained', async ({ page, emulator }) => {
  const em = await emulator(FAST);
  await useEmulator(page, em.url);
  await openKeys(page, 't-xks-connected');
  await table(page).waitFor({ timeout: 60000 });
  await button(page, 'Create key').first().click();
  await field(page, 'External key ID').fill('no-such-external-key');
  await button(page, 'Create KMS key').click();
  await keysPanel(page).getByText('CreateKey failed:').waitFor({ timeout: 30000 });
  const text = await alerts(page);
  assert.match(text, /XksKeyNotFoundException/, text);
  assert.match(text, /What to do: \S/, text);
  assert.equal((await rows(page)).length, 2, 'no key was made');
});

flow('delete a store that has keys: schedule, cancel, then delete after the waiting period', async ({ page, emulator, step }) => {
  // 25,000 emulated seconds a second: a 7-day waiting period ends in about 24 s, time enough
  // to schedule and cancel inside it on a slow machine.
  const em = await emulator(['--scenario', TESTING, '--time-scale', '25000']);
  await useEmulator(page, em.url);
  await button(page, 'Select t-xks-keys').click();
  await openTab(page, 'Settings');
  await button(page, 'Delete…').click();
  const name = field(page, "Type the store's name to confirm");
  step('Delete is refused: the store has keys');
  await name.fill('t-xks-keys');
  await button(page, 'Delete store').click();
  await page.getByText('CustomKeyStoreHasCMKsException').first().waitFor({ timeout: 30000 });
  const keyList = page.getByRole('list', { name: 'Keys in this store' });
  await until(async () => (await keyList.locator('li').count()) === 2, { timeout: 60000, what: 'the two blocking keys' });
  step('the name gate');
  await name.fill('not-the-name');
  assert.equal(await button(page, 'Schedule key deletion').isDisabled(), true);
  await name.fill('t-xks-keys');
  await field(page, 'Waiting period (days, 7 to 30)').fill('7');
  step('schedule, then cancel one');
  await button(page, 'Schedule key deletion').click();
  await until(async () => (await keyList.getByText(/Deleted after \d{4}-\d\d-\d\dT[\d:]+Z \(in 7 days\)/).count()) === 2, { timeout: 30000, what: 'both deletion dates' });
  await keyList.getByRole('button', { name: /^Cancel deletion of / }).first().click();
  await until(async () => (await keyList.getByText('Deleted after').count()) === 1, { timeout: 30000, what: 'one deletion cancelled' });
  assert.match(await keyList.innerText(), /Disabled/);
  step('schedule it again, wait out the period, delete');
  await button(page, 'Schedule key deletion').click();
  await until(async () => (await keyList.getByText('Deleted after').count()) === 2, { timeout: 30000, what: 'both scheduled' });
  await new Promise((r) => setTimeout(r, 26000));
  await button(page, 'Delete store').click();
  await page.getByText(/Deleted t-xks-keys/).waitFor({ timeout: 30000 });
}, { timeout: 180000 });

flow('a connect that settles CONNECTED offers Test store; a store without keys offers Create key', async ({ page, emulator, step }) => {
  const em = await emulator(FAST);
  await useEmulator(page, em.url);
  await button(page, 'Select t-xks').click();
  await button(page, 'Connect').click();
  const status = page.getByRole('status', { name: 'Connection status' });
  await status.getByText('CONNECTED', { exact: true }).first().waitFor({ timeout: 60000 });
  step('Test store from the status panel');
  await page.locator('#panel-connection').getByRole('button', { name: 'Test store', exact: true }).click();
  assert.equal(await page.getByRole('tab', { name: 'Keys', exact: true }).getAttribute('aria-selected'), 'true');
  await storeTest(page).getByText(/no KMS key to test with/).waitFor({ timeout: 60000 });
  // "Create key", offered right after the outcome (outside its live region).
  await page.locator('[aria-label="Store test"] + button').getByText('Create key', { exact: true }).click();
  await field(page, 'External key ID').waitFor();
  assert.match(await keysPanel(page).innerText(), /No KMS keys in this store\./);
});

/** testing.json with one more identity, denied `deny`. */
function deniedScenario(name, deny) {
  const id = { access_key_id: 'ASIATESTINGDENIED001', secret_access_key: 'testingDeniedSecret/NotReal/0123456789ab', session_token: 'IQoJTESTING//DENIED/TOKEN==', expires_in_seconds: 3600, deny };
  return { file: scenarioFile(name, testingWith({ credentials: [...testing.credentials, id] })), credentials: { accessKeyId: id.access_key_id, secretAccessKey: id.secret_access_key, sessionToken: id.session_token } };
}

flow('without kms:ListAliases the keys are listed without aliases, and why is explained', async ({ page, emulator }) => {
  const { file, credentials } = deniedScenario('no-aliases', ['kms:ListAliases']);
  const em = await emulator(['--scenario', file, '--time-scale', '60']);
  await fillForm(page, { url: em.url, credentials, store: STORE['t-xks-connected'] });
  await openTab(page, 'Keys');
  await table(page).waitFor({ timeout: 60000 });
  const found = await rows(page);
  assert.equal(found.length, 2, found.join('\n'));
  assert.ok(found.every((r) => !r.includes('alias/')), found.join('\n'));
  const text = await alerts(page);
  assert.match(text, /ListAliases failed/, text);
  assert.match(text, /kms:ListAliases/, text);
});

flow('without kms:ListKeys the refusal is explained, and not sent again with each answer', async ({ page, emulator }) => {
  const { file, credentials } = deniedScenario('no-list-keys', ['kms:ListKeys']);
  const em = await emulator(['--scenario', file, '--time-scale', '60']);
  const lists = countCalls(page, 'ListKeys');
  await fillForm(page, { url: em.url, credentials, store: STORE['t-xks-connected'] });
  await openTab(page, 'Keys');
  await keysPanel(page).getByText('ListKeys failed:').waitFor({ timeout: 60000 });
  assert.match(await alerts(page), /AccessDeniedException[\s\S]*kms:ListKeys/);
  // Answers to other calls (the store list) do not start the scan again.
  await button(page, 'Refresh').click();
  await button(page, 'Select t-xks-connected').waitFor({ timeout: 20000 });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(lists.n, 1, 'one ListKeys');
  assert.equal(await table(page).count(), 0);
});

flow('the scan stops when the page leaves the store, and when the credentials are forgotten', async ({ page, emulator, step }) => {
  const em = await emulator(['--scenario', TESTING, '--time-scale', '60', '--account-keys', '3000']);
  const describes = countCalls(page, 'DescribeKey');
  await useEmulator(page, em.url);
  const stopsAfter = async (leave) => {
    await openKeys(page, 't-hsm-connected');
    await until(async () => describes.n > 100, { timeout: 30000, what: 'the scan under way' });
    await leave();
    // The page handles the click on its next turn (it is busy with the scan's answers): wait
    // for a quiet second (the scan sends one every few milliseconds), then for none after it.
    await until(async () => {
      const before = describes.n;
      await new Promise((r) => setTimeout(r, 1000));
      return describes.n === before;
    }, { timeout: 15000, what: 'the scan to stop' });
    const at = describes.n;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(describes.n - at, 0, `${describes.n - at} DescribeKey after leaving`);
    assert.ok(at < 3000, 'stopped before the end');
    return describes.n;
  };
  step('leave the store (from the Connection tab: at the Keys tab, the next store\'s scan begins)');
  await stopsAfter(async () => {
    await openTab(page, 'Connection');
    await button(page, 'Select t-xks').click();
  });
  step('forget the credentials');
  await stopsAfter(async () => {
    // In the summary line when the credentials are folded, else in their form.
    await button(page, 'Forget credentials').filter({ visible: true }).first().click();
  });
});
