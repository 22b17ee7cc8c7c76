// The emulator's test scenario (E2E_SCENARIO, default kms-emulator/scenarios/testing.json), its
// demo credentials and stores, and scenarios written on the fly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TESTING = path.resolve(process.env.E2E_SCENARIO ?? 'kms-emulator/scenarios/testing.json');
export const testing = JSON.parse(fs.readFileSync(TESTING, 'utf8'));
const demo = testing.credentials.find((c) => c.demo);
/** testing.json's demo credentials (what "Use local emulator" fills). */
export const DEMO = { accessKeyId: demo.access_key_id, secretAccessKey: demo.secret_access_key, sessionToken: demo.session_token };
/** testing.json's store ids by name. */
export const STORE = Object.fromEntries(testing.stores.map((s) => [s.name, s.id]));

export const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);

/** Writes a scenario to a temporary file and returns its path. */
export function scenarioFile(name, scenario) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cks-e2e-'));
  const file = path.join(dir, `${slug(name)}.json`);
  fs.writeFileSync(file, JSON.stringify(scenario, null, 2));
  return file;
}

/** testing.json with changes: `stores` replaced or extended, other fields overridden. */
export function testingWith({ stores, extraStores = [], ...rest } = {}) {
  return { ...testing, ...rest, stores: [...(stores ?? testing.stores), ...extraStores] };
}
