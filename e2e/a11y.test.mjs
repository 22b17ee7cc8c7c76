// Accessibility: axe-core (pinned in package.json) audits every view of the page, light and
// dark, desktop and 360 px, against WCAG 2.2 A and AA and axe's best practices: the start,
// the store list, a failed connect's status panel, Settings and its Delete confirmation, Keys
// with a store test's outcome, the Create key form and its field errors, the Disconnect
// confirmation, Health with its graphs, and the create form. Any violation fails, with
// the rule, the element and what axe says is wrong. (What axe cannot judge, such as the order
// of announcements, the browser tests and the other flows check.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { setup, flow, useEmulator, button, openTab, openCreate, statusPanel, waitState } from './harness.mjs';

setup();
const AXE = fs.readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** Runs axe on the page as it is; returns one line per element that breaks a rule. */
async function audit(page, view) {
  // Evaluated through the DevTools protocol, as a test's own code: not a script of the page, so
  // the page's Content-Security-Policy stays as strict as it is.
  await page.evaluate(AXE);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), TAGS);
  return result.violations.flatMap((v) => v.nodes.map((n) => `${view}: ${v.id} (${v.impact}) ${v.help} at ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`));
}

for (const [name, scheme, width] of [['light, desktop', 'light', 1280], ['dark, desktop', 'dark', 1280], ['light, 360 px', 'light', 360], ['dark, 360 px', 'dark', 360]]) {
  flow(`accessibility: every view passes axe (${name})`, async ({ page, emulator, step }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width, height: 900 });
    const em = await emulator(['--time-scale', '60']);
    const found = [];
    const check = async (view) => { step(view); found.push(...await audit(page, view)); };
    await check('start');
    await useEmulator(page, em.url, 'payments-xks');
    await check('store list');
    await button(page, 'Select xks-proxy-down').click();
    await button(page, 'Connect').click();
    await waitState(statusPanel(page), 'FAILED', 60000);
    await check('a failed connect');
    await openTab(page, 'Settings');
    await check('Settings');
    await button(page, 'Delete…').click();
    await check('the Delete confirmation');
    await button(page, 'Select hsm-connected').click();
    await openTab(page, 'Keys');
    await page.getByRole('status', { name: 'Key scan' }).filter({ hasText: /in this store/ }).waitFor({ timeout: 60000 });
    await button(page, 'Test store').click();
    await page.getByRole('status', { name: 'Store test' }).filter({ hasText: /PASSED|FAILED/ }).waitFor({ timeout: 60000 });
    await check('Keys and a store test');
    await button(page, 'Create key').first().click();
    await check('the Create key form');
    await page.getByLabel('Alias', { exact: true }).fill('alias/aws/mine');
    await button(page, 'Create KMS key').click();
    await page.getByText(/reserved for AWS managed keys/).first().waitFor();
    await check('Create key refusing a reserved alias');
    await button(page, 'Disconnect').click();
    await page.getByRole('alertdialog').waitFor();
    await check('the Disconnect confirmation');
    await button(page, 'Cancel').click();
    await button(page, 'Select ledger-xks-vpc').click();
    await openTab(page, 'Health');
    await page.getByRole('status').filter({ hasText: /read at/ }).waitFor({ timeout: 60000 });
    await check('Health');
    await openCreate(page);
    await check('the create form');
    assert.deepEqual(found, [], found.join('\n'));
  }, { timeout: 240000 });
}
