// Where signed requests go (src/aws/trust.rs): a link cannot send them anywhere but loopback without
// the user's confirmation, a KMS VPC endpoint works as typed, CloudHSM calls never go to a KMS
// endpoint, store secrets go only to the region's own endpoint, and a hostile endpoint (a lying
// Date, a 50 MB body) cannot break the page. Playwright routes stand in for the foreign hosts:
// nothing leaves the machine.
import assert from 'node:assert/strict';
import {
  setup, flow, withoutCsp, until, field, button, statusPanel, waitState, fillForm, alerts, useEmulator, editAccess, openCreate,
  DEMO, STORE, TESTING,
} from './harness.mjs';

setup();
const NO_CSP = withoutCsp();
const API_HOST = 'abc123xyz9.execute-api.us-east-1.amazonaws.com';
const VPCE_HOST = 'vpce-0123456789abcdef0-abcdefgh.kms.us-east-1.vpce.amazonaws.com';
const CLOUDHSM_HOST = 'cloudhsmv2.us-east-1.amazonaws.com';
const XKS = 'cks-1111111111111111a';
const HSM = 'cks-1111111111111111b';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'x-amzn-RequestId, x-amzn-ErrorType, Date',
};

/** A CORS preflight answered as KMS answers it. */
const preflight = (route) => route.fulfill({ status: 200, headers: { ...CORS, 'access-control-allow-headers': '*', 'access-control-allow-methods': 'POST' } });

/**
 * A fake AWS endpoint on `host` (a Playwright route): KMS's Describe/Connect for two stores, and
 * CloudHSM's DescribeClusters. Every request is recorded in `seen` ({ host, target, amzDate }).
 */
async function fakeAws(page, host, seen, { state = 'DISCONNECTED' } = {}) {
  await page.route((u) => u.hostname === host, async (route) => {
    const req = route.request();
    if (req.method() === 'OPTIONS') return preflight(route);
    const h = req.headers();
    seen.push({ host, target: h['x-amz-target'] ?? '', amzDate: h['x-amz-date'] ?? '', auth: h.authorization ?? '' });
    const target = h['x-amz-target'] ?? '';
    let body = {};
    if (target === 'TrentService.DescribeCustomKeyStores') {
      body = {
        CustomKeyStores: [
          { CustomKeyStoreId: XKS, CustomKeyStoreName: 'fake-xks', CustomKeyStoreType: 'EXTERNAL_KEY_STORE', ConnectionState: state,
            XksProxyConfiguration: { Connectivity: 'PUBLIC_ENDPOINT', UriEndpoint: 'https://xks.example.com', UriPath: '/kms/xks/v1', AccessKeyId: 'PROXYKEYEXAMPLE0000' } },
          { CustomKeyStoreId: HSM, CustomKeyStoreName: 'fake-hsm', CustomKeyStoreType: 'AWS_CLOUDHSM', ConnectionState: 'DISCONNECTED', CloudHsmClusterId: 'cluster-2aaaaaaaaaaa' },
        ],
        Truncated: false,
      };
    } else if (target === 'BaldrApiService.DescribeClusters') {
      body = { Clusters: [{ ClusterId: 'cluster-2aaaaaaaaaaa', State: 'ACTIVE', Hsms: [
        { HsmId: 'hsm-1', State: 'ACTIVE', AvailabilityZone: 'us-east-1a' }, { HsmId: 'hsm-2', State: 'ACTIVE', AvailabilityZone: 'us-east-1b' }] }] };
    }
    await route.fulfill({ status: 200, contentType: 'application/x-amz-json-1.1', headers: { ...CORS, 'x-amzn-requestid': 'fake-request' }, body: JSON.stringify(body) });
  });
}

const link = (params) => `#${new URLSearchParams(params).toString()}`;

/** Opens the page at `url` with a link (a fragment change alone does not reload the app). */
async function openLink(page, url, fragment) {
  await page.goto(`${url}${fragment}`);
  await page.reload();
  await button(page, 'Connect').waitFor();
}

flow('a link to a foreign endpoint sends nothing there until the user confirms its host', async ({ page, url, step }) => {
  const seen = [];
  await fakeAws(page, API_HOST, seen, { state: 'CONNECTED' });
  step('open a link that names an API Gateway host and reopens a watch');
  await openLink(page, url, link({ region: 'us-east-1', endpoint: `https://${API_HOST}`, store: XKS, watch: 'connect', since: String(Date.now() - 5000) }));
  // The page names the host and says nothing was sent.
  const notice = page.getByRole('alert').filter({ hasText: 'The link points requests at' });
  await notice.waitFor();
  assert.match(await notice.innerText(), new RegExp(`${API_HOST.replaceAll('.', '\\.')}[\\s\\S]*Nothing has been sent there`));
  step('give credentials: the reopened watch stays paused');
  await field(page, 'Access key ID').fill(DEMO.accessKeyId);
  await field(page, 'Secret access key').fill(DEMO.secretAccessKey);
  await field(page, 'Session token').fill(DEMO.sessionToken);
  await field(page, 'Session token').blur();
  await until(async () => /nothing is sent there until you confirm/.test(await statusPanel(page).innerText()), { what: 'the paused watch' });
  step('press Resume watching, Connect and Refresh: all refused with the host named');
  await button(page, 'Resume watching').click();
  await button(page, 'Connect').click();
  await until(async () => (await alerts(page)).includes('nothing is sent there until you confirm it'), { what: 'the refused Connect' });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.getByText('Could not list the stores.').waitFor();
  await page.waitForTimeout(500);
  assert.deepEqual(seen, [], 'a request reached the link\'s host before confirmation');
  step('confirm: the dialog names the host and what it receives');
  await button(page, `Use ${API_HOST}`).click();
  const dialog = page.getByRole('alertdialog');
  await dialog.waitFor();
  const words = await dialog.innerText();
  assert.match(words, new RegExp(`Send signed requests to ${API_HOST.replaceAll('.', '\\.')}\\?`));
  assert.match(words, /access key ID, your session token and a signature/);
  assert.deepEqual(seen, [], 'opening the dialog sent something');
  await button(page, `Allow ${API_HOST}`).click();
  // The watch resumes and settles through the confirmed host.
  await waitState(statusPanel(page), 'CONNECTED');
  assert.ok(seen.length > 0 && seen.every((r) => r.target === 'TrentService.DescribeCustomKeyStores'), JSON.stringify(seen));
}, { dist: NO_CSP });

flow('a link with a loopback endpoint needs no confirmation; a typed foreign host asks first', async ({ page, url, emulator }) => {
  const em = await emulator(['--scenario', TESTING, '--time-scale', '60']);
  await openLink(page, url, link({ region: 'us-east-1', endpoint: em.url }));
  assert.equal(await page.getByText('The link points requests at').count(), 0);
  await useEmulator(page, em.url);
  // A foreign host typed by hand: named next to the field, nothing sent until allowed.
  const seen = [];
  await fakeAws(page, API_HOST, seen);
  await editAccess(page);
  await field(page, 'Endpoint URL').fill(`https://${API_HOST}`);
  await page.getByText('is not an AWS KMS endpoint: nothing is sent there unless you allow it.').waitFor();
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.getByText('Could not list the stores.').waitFor();
  assert.match(await alerts(page), /NotSentToThisHost[\s\S]*not an AWS KMS endpoint/);
  assert.deepEqual(seen, []);
  await button(page, `Allow requests to ${API_HOST}…`).click();
  await button(page, 'Cancel').click();
  assert.equal(await page.getByRole('alertdialog').count(), 0);
  assert.deepEqual(seen, []);
}, { dist: NO_CSP });

flow('a typed KMS VPC endpoint works with no confirmation, and CloudHSM calls go to CloudHSM', async ({ page, step }) => {
  const seen = [];
  await fakeAws(page, VPCE_HOST, seen);
  await fakeAws(page, CLOUDHSM_HOST, seen);
  await fillForm(page, { url: `https://${VPCE_HOST}`, store: HSM });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await button(page, 'Select fake-hsm').waitFor();
  // The pre-flight of the CloudHSM store reads the cluster from CloudHSM's own endpoint.
  await until(() => seen.some((r) => r.target === 'BaldrApiService.DescribeClusters'), { what: 'a DescribeClusters' });
  step('connect through the VPC endpoint');
  await button(page, 'Connect').click();
  await until(() => seen.some((r) => r.target === 'TrentService.ConnectCustomKeyStore'), { what: 'the Connect' });
  assert.equal(await page.getByRole('alertdialog').count(), 0, 'a KMS VPC endpoint needed a confirmation');
  for (const r of seen) {
    if (r.target.startsWith('BaldrApiService.')) assert.equal(r.host, CLOUDHSM_HOST, 'a CloudHSM call went to the KMS endpoint');
    if (r.target.startsWith('TrentService.')) assert.equal(r.host, VPCE_HOST);
    assert.match(r.auth, /\/us-east-1\/(kms|cloudhsm)\/aws4_request/);
  }
  step('a store secret is not sent to the VPC endpoint');
  await openCreate(page);
  await field(page, 'Custom key store name').fill('secret-test');
  await field(page, 'CloudHSM cluster ID').fill('cluster-2aaaaaaaaaaa');
  await field(page, 'Trust anchor certificate').fill('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----');
  await field(page, 'kmsuser password').fill('kmsuser-Passw0rd');
  await button(page, 'Create').click();
  await until(async () => /carries a store secret/.test(await alerts(page)), { what: 'the refusal' });
  assert.ok(!seen.some((r) => r.target === 'TrentService.CreateCustomKeyStore'), 'the password went to the VPC endpoint');
});

flow('a Date in 9999 on every successful answer leaves the signing time right', async ({ page, emulator }) => {
  const em = await emulator(['--scenario', TESTING, '--time-scale', '60']);
  const dates = [];
  await page.route((u) => u.port === String(em.port) && u.pathname === '/', async (route) => {
    const req = route.request();
    if (req.method() !== 'POST') return route.continue();
    dates.push(req.headers()['x-amz-date']);
    const response = await route.fetch();
    const headers = { ...response.headers() };
    if (response.status() < 300) headers.date = 'Fri, 31 Dec 9999 23:59:59 GMT';
    await route.fulfill({ response, headers });
  });
  await useEmulator(page, em.url);
  await button(page, 'Select t-xks').click();
  await button(page, 'Connect').click();
  await waitState(statusPanel(page), 'CONNECTED');
  assert.ok(dates.length >= 3, `only ${dates.length} requests`);
  const now = Date.now();
  for (const d of dates) {
    const t = Date.parse(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`);
    assert.ok(Math.abs(t - now) < 10 * 60_000, `signed at ${d}`);
  }
  assert.equal(await page.locator('.error[role=alert]').count(), 0, await alerts(page));
});

flow('a 50 MB answer is an error that says so, and the page lives on', async ({ page, emulator }) => {
  const em = await emulator(['--scenario', TESTING, '--time-scale', '60']);
  await useEmulator(page, em.url);
  const huge = Buffer.alloc(50 * 1024 * 1024, 0x61);
  let hostile = true;
  await page.route((u) => u.port === String(em.port) && u.pathname === '/', async (route) => {
    if (!hostile || route.request().method() !== 'POST') return route.continue();
    await route.fulfill({ status: 200, contentType: 'application/x-amz-json-1.1', headers: { 'access-control-allow-origin': '*' }, body: huge });
  });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.getByText('Could not refresh the list').waitFor({ timeout: 60000 });
  const text = await alerts(page);
  assert.match(text, /ResponseTooLarge[\s\S]*larger than 1024 KiB/);
  assert.ok(text.length < 3000, `the error quotes the body (${text.length} chars)`);
  hostile = false;
  await page.getByRole('button', { name: 'Refresh' }).click();
  await until(async () => (await page.getByText('Could not refresh the list').count()) === 0, { what: 'a good refresh' });
  await button(page, 'Select t-xks').click();
  await button(page, 'Connect').click();
  await waitState(statusPanel(page), 'CONNECTED');
}, { timeout: 150000 });

flow('#pace is ignored in the release build', async ({ page, url, emulator }) => {
  const em = await emulator(['--scenario', TESTING, '--time-scale', '60']);
  await openLink(page, url, `#pace=60&region=us-east-1&endpoint=${encodeURIComponent(em.url)}`);
  // The link is rewritten from what the page holds, in its own order (region first).
  await until(() => new URL(page.url()).hash.startsWith('#region='), { what: 'the rewritten link' });
  assert.ok(!page.url().includes('pace='), page.url());
});

flow('pasted text is cleared once parsed; Forget clears the store secrets in the forms', async ({ page, secrets }) => {
  const pasted = `export AWS_ACCESS_KEY_ID=${DEMO.accessKeyId}\nexport AWS_SECRET_ACCESS_KEY=${DEMO.secretAccessKey}\nexport AWS_SESSION_TOKEN=${DEMO.sessionToken}\n`;
  await field(page, 'Paste credentials').fill(pasted);
  await until(async () => (await field(page, 'Access key ID').inputValue()) === DEMO.accessKeyId, { what: 'the filled fields' });
  assert.equal(await field(page, 'Paste credentials').inputValue(), '');
  // Text that does not parse stays, to be corrected.
  await field(page, 'Paste credentials').fill('not credentials');
  assert.equal(await field(page, 'Paste credentials').inputValue(), 'not credentials');
  const password = 'kmsuser-Passw0rd-forget';
  secrets.add(password);
  await openCreate(page);
  await field(page, 'kmsuser password').fill(password);
  await button(page, 'Forget credentials').click();
  await until(async () => (await field(page, 'kmsuser password').inputValue()) === '', { what: 'the cleared password' });
  assert.equal(await field(page, 'Secret access key').inputValue(), '');
});

flow('the check before Connect only advises: throttled twice then a 500, Connect is still sent', async ({ page, emulator }) => {
  const em = await emulator(['--scenario', TESTING, '--time-scale', '60', '--throttle-first', '2', '--fault-operations', 'DescribeCustomKeyStores']);
  await fillForm(page, { url: em.url, store: STORE['t-xks'] });
  // The third Describe (the client's last attempt) answers 500.
  let describes = 0;
  await page.route((u) => u.port === String(em.port) && u.pathname === '/', async (route) => {
    const req = route.request();
    if (req.method() === 'POST' && req.headers()['x-amz-target'] === 'TrentService.DescribeCustomKeyStores' && ++describes === 3) {
      await route.fulfill({ status: 500, contentType: 'application/x-amz-json-1.1', headers: CORS, body: '{"__type":"KMSInternalException","message":"boom"}' });
      return;
    }
    await route.continue();
  });
  await button(page, 'Connect').click();
  await page.getByText('The check before Connect could not run (KMSInternalException').waitFor({ timeout: 60000 });
  await waitState(statusPanel(page), 'CONNECTED', 60000);
}, { timeout: 120000 });

flow('polls are never dropped or sent twice, and the address bar changes only with the link', async ({ page, emulator }) => {
  const em = await emulator(['--scenario', TESTING, '--time-scale', '1']);
  await page.evaluate(() => {
    window.__replaced = 0;
    const replace = history.replaceState;
    history.replaceState = function (...args) { window.__replaced++; return replace.apply(history, args); };
  });
  let describes = 0;
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.headers()['x-amz-target'] === 'TrentService.DescribeCustomKeyStores' && (r.postData() ?? '').includes('CustomKeyStoreId')) describes++;
  });
  // t-slow takes 100 hours to connect: the watch keeps polling.
  await fillForm(page, { url: em.url, store: STORE['t-slow'] });
  await button(page, 'Connect').click();
  await statusPanel(page).filter({ hasText: STORE['t-slow'] }).waitFor();
  const replaced = await page.evaluate(() => window.__replaced);
  const card = statusPanel(page).locator('xpath=ancestor::section[1]');
  const checks = async () => Number((await card.innerText()).match(/(\d+) checks?\./)?.[1] ?? 0);
  // The tab is shown again and again: nothing is overdue, so nothing is restarted or re-sent.
  await until(async () => {
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    return (await checks()) >= 4;
  }, { timeout: 60000, every: 150, what: 'four checks' });
  await button(page, 'Stop watching').click();
  const n = await checks();
  await page.waitForTimeout(500);
  // One Describe before the Connect, then one per check.
  assert.equal(describes, n + 1, `${describes} Describes for ${n} checks`);
  // Written when the watch stopped (the link drops it), not on every poll.
  const written = (await page.evaluate(() => window.__replaced)) - replaced;
  assert.ok(written <= 1, `the address bar was written ${written} times over ${n} checks`);
}, { timeout: 120000 });

flow('HSM counts keep the pages read before an error, and go with the region', async ({ page }) => {
  const HSM2 = 'cks-1111111111111111c';
  // Two CloudHSM stores; CloudHSM answers the first page, then fails on the second.
  await page.route((u) => u.hostname === VPCE_HOST, async (route) => {
    if (route.request().method() === 'OPTIONS') return preflight(route);
    const body = { Truncated: false, CustomKeyStores: [
      { CustomKeyStoreId: HSM, CustomKeyStoreName: 'hsm-a', CustomKeyStoreType: 'AWS_CLOUDHSM', ConnectionState: 'DISCONNECTED', CloudHsmClusterId: 'cluster-2aaaaaaaaaaa' },
      { CustomKeyStoreId: HSM2, CustomKeyStoreName: 'hsm-b', CustomKeyStoreType: 'AWS_CLOUDHSM', ConnectionState: 'DISCONNECTED', CloudHsmClusterId: 'cluster-3bbbbbbbbbbb' }] };
    await route.fulfill({ status: 200, contentType: 'application/x-amz-json-1.1', headers: CORS, body: JSON.stringify(body) });
  });
  let pages = 0;
  await page.route((u) => u.hostname === CLOUDHSM_HOST, async (route) => {
    if (route.request().method() === 'OPTIONS') return preflight(route);
    const token = JSON.parse(route.request().postData() || '{}').NextToken;
    pages++;
    if (token) {
      await route.fulfill({ status: 500, contentType: 'application/x-amz-json-1.1', headers: CORS, body: '{"__type":"CloudHsmInternalFailureException","message":"boom"}' });
      return;
    }
    await route.fulfill({ status: 200, contentType: 'application/x-amz-json-1.1', headers: CORS, body: JSON.stringify({
      NextToken: 'page-2',
      Clusters: [{ ClusterId: 'cluster-2aaaaaaaaaaa', State: 'ACTIVE', Hsms: [
        { HsmId: 'hsm-1', State: 'ACTIVE', AvailabilityZone: 'us-east-1a' }, { HsmId: 'hsm-2', State: 'ACTIVE', AvailabilityZone: 'us-east-1b' }] }] }) });
  });
  await fillForm(page, { url: `https://${VPCE_HOST}` });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await button(page, 'Select hsm-b').waitFor();
  await until(() => pages >= 2, { what: 'the second page' });
  // The first page's count stays; the cluster the error hid has none.
  await page.getByText('cluster-2aaaaaaaaaaa (2 of 2 HSMs active)').waitFor();
  assert.equal(await page.getByText('cluster-3bbbbbbbbbbb (').count(), 0);
  // Another region: the counts read in us-east-1 are not shown for us-west-2's list (whose
  // CloudHSM endpoint does not answer here).
  await editAccess(page);
  await field(page, 'Region').fill('us-west-2');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await button(page, 'Select hsm-b').waitFor();
  await page.waitForTimeout(1500);
  assert.equal(await page.getByText('(2 of 2 HSMs active)').count(), 0, 'a count from another region is shown');
});
