// The page's rooms: credentials and endpoint fold into a summary line once AWS answers (never
// while the user types in them) and open again when needed; a store's page with WAI-ARIA tabs
// whose tab the link carries.
import assert from 'node:assert/strict';
import {
  setup, flow, STORE, DEMO, TESTING, until, field, button, useEmulator, editAccess, openTab,
} from './harness.mjs';

setup();
const FAST = ['--scenario', TESTING, '--time-scale', '60'];
const summary = (page) => page.getByRole('region', { name: 'Credentials and endpoint' });

flow('credentials and endpoint fold once AWS answers, and open again when needed', async ({ page, emulator, step }) => {
  const em = await emulator(FAST);
  await useEmulator(page, em.url);
  step('folded into one line: the key, the region, the endpoint, the expiry');
  await summary(page).waitFor();
  const line = await summary(page).innerText();
  assert.match(line, new RegExp(`${DEMO.accessKeyId.slice(0, 4)}…${DEMO.accessKeyId.slice(-4)} · us-east-1 · 127\\.0\\.0\\.1`));
  assert.ok(!line.includes(DEMO.accessKeyId), 'the whole access key ID is in the summary');
  assert.equal(await field(page, 'Access key ID').isVisible(), false);
  step('Change opens them; a request while the user types does not fold them');
  await button(page, 'Change credentials or endpoint').click();
  await field(page, 'Region').click();
  // A refresh that does not take the focus away (as a poll would not).
  const refresh = () => page.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Refresh').click());
  await refresh();
  await page.getByText('t-xks', { exact: true }).first().waitFor();
  await page.waitForTimeout(1000);
  assert.equal(await field(page, 'Region').isVisible(), true, 'folded while the focus was in a field');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'region');
  step('focus elsewhere, the next answer folds them');
  await page.getByRole('heading', { name: 'Custom key stores' }).click();
  await refresh();
  await summary(page).waitFor();
  step('Forget credentials: the fields open again, empty');
  await button(page, 'Forget credentials').click();
  await field(page, 'Access key ID').waitFor();
  assert.equal(await field(page, 'Access key ID').inputValue(), '');
  assert.equal(await summary(page).count(), 0);
});

flow("a row opens its store's page; the tabs follow the WAI-ARIA pattern and the link", async ({ page, emulator, step }) => {
  const em = await emulator(FAST);
  await useEmulator(page, em.url);
  await button(page, 'Select t-xks').click();
  // The page names the store, and the focus is on its heading.
  await page.getByRole('heading', { name: 't-xks', exact: true }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'page-h');
  const tabs = page.getByRole('tablist', { name: 'Store page' });
  const connection = tabs.getByRole('tab', { name: 'Connection' });
  const settings = tabs.getByRole('tab', { name: 'Settings' });
  assert.equal(await connection.getAttribute('aria-selected'), 'true');
  // Each tab names its panel, and the panel is labelled by its tab.
  const panelId = await settings.getAttribute('aria-controls');
  const panel = page.locator(`#${panelId}`);
  assert.equal(await panel.getAttribute('role'), 'tabpanel');
  assert.equal(await panel.getAttribute('aria-labelledby'), await settings.getAttribute('id'));
  step('arrow keys move between tabs (and the focus with them); Home and End too');
  await connection.focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await settings.getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'tab');
  assert.equal(await settings.getAttribute('tabindex'), '0');
  assert.equal(await connection.getAttribute('tabindex'), '-1');
  await page.getByRole('heading', { name: 'Update or delete t-xks' }).waitFor();
  assert.equal(await page.getByRole('status', { name: 'Connection status' }).isVisible(), false);
  await page.keyboard.press('Home');
  assert.equal(await connection.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('End');
  assert.equal(await tabs.getByRole('tab').last().getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await tabs.getByRole('tab').last().getAttribute('aria-selected'), 'true', 'ArrowLeft wraps');
  step('the link carries the tab; a reload opens it');
  await openTab(page, 'Settings');
  await until(() => /tab=settings/.test(page.url()), { what: 'the tab in the link' });
  assert.match(page.url(), new RegExp(`store=${STORE['t-xks']}`));
  await page.reload();
  await button(page, 'Connect').waitFor();
  assert.equal(await page.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected'), 'true');
  step('Connect from the Settings tab shows the Connection tab, with its status');
  await useEmulator(page, em.url);
  await openTab(page, 'Settings');
  await button(page, 'Connect').click();
  await page.getByRole('status', { name: 'Connection status' }).filter({ hasText: STORE['t-xks'] }).waitFor();
  assert.equal(await page.getByRole('tab', { name: 'Connection' }).getAttribute('aria-selected'), 'true');
});

flow("typing an ID opens that store's page", async ({ page, emulator }) => {
  const em = await emulator(FAST);
  await useEmulator(page, em.url);
  await editAccess(page);
  await field(page, 'Custom key store ID').fill(STORE['t-xks']);
  await page.getByRole('heading', { name: 't-xks', exact: true }).waitFor();
  await openTab(page, 'Settings');
  assert.equal(await field(page, 'New custom key store name').inputValue(), 't-xks');
});
