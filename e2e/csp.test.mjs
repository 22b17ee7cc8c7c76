// The Content Security Policy of the built page (written by scripts/csp.mjs as Trunk's
// post_build hook): present, as strict as it should be, and the app runs under it with no
// violation, as a <meta> alone (what a plain static host serves) and with the policy also sent
// as a header, with frame-ancestors and Referrer-Policy (what the README asks a host to add).
// Every other flow of the suite also fails on any violation (see harness.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup, flow, DIST, STORE, TESTING, field, button, statusPanel, waitState, useEmulator } from './harness.mjs';
import { headerPolicy, inlineScripts, partitionSources, serviceSources, metaPolicy, pagePolicy, sha256 } from '../scripts/csp.mjs';

setup();
const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
const HEADERS = {
  'content-security-policy': headerPolicy(html),
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

function parse(policy) {
  return new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
}

test('the built page carries the policy', () => {
  const policy = pagePolicy(html);
  assert.ok(policy, 'no <meta http-equiv="Content-Security-Policy"> in dist/index.html');
  assert.equal(policy, metaPolicy(html), 'the policy is stale (the page changed after the hook ran)');
  // Before any script, so it covers them all.
  assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<script'), 'the policy comes after a script');
  const d = parse(policy);
  assert.deepEqual(d.get('default-src'), ["'self'"]);
  assert.deepEqual(d.get('object-src'), ["'none'"]);
  assert.deepEqual(d.get('base-uri'), ["'none'"]);
  assert.deepEqual(d.get('form-action'), ["'none'"]);
  assert.deepEqual(d.get('style-src'), ["'self'"]);
  assert.deepEqual(d.get('img-src'), ["'self'"]);
  const scripts = d.get('script-src');
  assert.deepEqual(scripts.slice(0, 2), ["'self'", "'wasm-unsafe-eval'"]);
  for (const s of scripts.slice(2)) assert.match(s, /^'sha256-[A-Za-z0-9+/]+=*'$/, `script-src allows ${s}`);
  const inline = inlineScripts(html);
  assert.ok(inline.length >= 1, "Trunk's inline loader is in the page");
  for (const body of inline) assert.ok(scripts.includes(sha256(body)), 'an inline script is not allowed by hash');
  const connect = d.get('connect-src');
  assert.deepEqual(connect, ["'self'", ...serviceSources()]);
  // Each AWS source names a KMS, CloudHSM or CloudWatch host (or a VPC endpoint of one): never a wildcard
  // over a whole AWS domain, which would let in API Gateway, Lambda URLs, S3 or CloudFront.
  const service = /^https:\/\/(kms|kms-fips|cloudhsmv2|cloudhsmv2-fips|monitoring|monitoring-fips)\.[a-z0-9-]+-\d+\.[a-z0-9.-]+$/;
  const vpce = /^https:\/\/\*\.(kms|kms-fips|cloudhsmv2|cloudhsmv2-fips|monitoring|monitoring-fips)\.[a-z0-9-]+-\d+\.vpce\.[a-z0-9.-]+$/;
  const loopback = /^https?:\/\/(127\.0\.0\.1|localhost|\*\.localhost):\*$/;
  for (const s of connect.slice(1)) assert.ok(service.test(s) || vpce.test(s) || loopback.test(s), `connect-src allows ${s}`);
  for (const host of ['https://kms.us-east-1.amazonaws.com', 'https://kms-fips.us-east-1.api.aws', 'https://kms.cn-north-1.amazonaws.com.cn',
    'https://kms-fips.us-gov-west-1.amazonaws.com', 'https://*.kms.eu-west-1.vpce.amazonaws.com', 'https://cloudhsmv2.eu-west-1.amazonaws.com',
    'https://kms.us-isob-east-1.sc2s.sgov.gov', 'https://monitoring.eu-west-1.amazonaws.com', 'https://monitoring-fips.us-east-1.api.aws',
    'https://*.monitoring.us-east-1.vpce.amazonaws.com', 'http://127.0.0.1:*', 'http://localhost:*']) {
    assert.ok(connect.includes(host), `connect-src lacks ${host}`);
  }
  for (const [name, values] of d) {
    for (const lax of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", 'data:', 'blob:', '*', 'https:', 'http:']) {
      assert.ok(!values.includes(lax), `${name} allows ${lax}`);
    }
  }
  assert.match(HEADERS['content-security-policy'], /frame-ancestors 'none'$/);
  // The header form: the same directives, connect-src at the partition level (short enough to
  // send with every index.html); with the <meta>, the browser enforces the exact hosts.
  const header = parse(HEADERS['content-security-policy']);
  assert.deepEqual(header.get('connect-src'), ["'self'", ...partitionSources()]);
  for (const [name, values] of d) if (name !== 'connect-src') assert.deepEqual(header.get(name), values, name);
  assert.ok(HEADERS['content-security-policy'].length < 2000, `a ${HEADERS['content-security-policy'].length}-character header`);
  // Nothing of the console's address goes out as a referrer (its links also say noreferrer).
  assert.match(html, /<meta name="referrer" content="no-referrer"/);
});

async function connectFlow({ page, emulator }) {
  const em = await emulator(['--scenario', TESTING, '--time-scale', '60']);
  await useEmulator(page, em.url);
  await button(page, 'Select t-xks').click();
  await button(page, 'Connect').click();
  await waitState(statusPanel(page), 'CONNECTED');
  assert.equal(await field(page, 'Custom key store ID').inputValue(), STORE['t-xks']);
}

flow('under the <meta> policy alone: connect with no violation', connectFlow);

flow('under the policy as a header too: connect with no violation', async (h) => {
  const response = await h.page.reload();
  assert.equal(response.headers()['content-security-policy'], HEADERS['content-security-policy']);
  await button(h.page, 'Connect').waitFor();
  await connectFlow(h);
}, { headers: HEADERS });

// The policy is enforced, not just present: what it forbids is refused (and reported, which
// shows the violation listener of every flow works).
flow('the policy refuses string eval, inline scripts and handlers, other hosts and framing', async ({ page, log, url, context }) => {
  // (Playwright's own evaluate is exempt from the policy; a string timer is compiled by the page.)
  await page.evaluate(() => {
    setTimeout('window.__injected = 3', 0);
    document.body.insertAdjacentHTML('beforeend', '<img id="x" src="/nope.png" onerror="window.__injected = 1">');
    const s = document.createElement('script');
    s.textContent = 'window.__injected = 2';
    document.body.append(s);
  });
  const fetched = await page.evaluate(() => fetch('https://example.com/').then(() => 'sent', (e) => e.name));
  assert.equal(fetched, 'TypeError');
  // Hosts under AWS's domains that are not KMS, CloudHSM or CloudWatch: refused by the policy itself, before
  // any request (the route that would answer them is never reached).
  const foreign = ['https://abc123xyz9.execute-api.us-east-1.amazonaws.com/', 'https://abcdefghij.lambda-url.us-east-1.on.aws/',
    'https://bucket.s3.us-east-1.amazonaws.com/', 'https://d111111abcdef8.cloudfront.net/', 'https://x.kms.us-east-1.amazonaws.com/',
    'https://logs.us-east-1.amazonaws.com/', 'https://x.monitoring.us-east-1.amazonaws.com/'];
  const reached = [];
  await page.route((u) => foreign.some((f) => u.href.startsWith(f)), (r) => { reached.push(r.request().url()); r.fulfill({ status: 200, body: '{}' }); });
  for (const f of foreign) {
    assert.equal(await page.evaluate((u) => fetch(u, { method: 'POST' }).then(() => 'sent', (e) => e.name), f), 'TypeError', f);
  }
  assert.deepEqual(reached, [], 'a request left the page');
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__injected), undefined, 'an injected script ran');
  const kinds = log.csp.join('\n');
  assert.match(kinds, /script-src blocked eval/);
  assert.match(kinds, /script-src-attr blocked inline/);
  assert.match(kinds, /script-src-elem blocked inline/);
  assert.match(kinds, /connect-src blocked https:\/\/example\.com/);
  for (const f of foreign) assert.ok(kinds.includes(`connect-src blocked ${f.slice(0, -1)}`) || kinds.includes(`connect-src blocked ${f}`), `no violation for ${f}:\n${kinds}`);
  // frame-ancestors 'none' (header only): the console cannot be framed.
  const framer = await context.newPage();
  const refused = new Promise((resolve) => framer.on('console', (m) => { if (/frame-ancestors/.test(m.text())) resolve(m.text()); }));
  await framer.setContent(`<iframe src="${url}"></iframe>`);
  assert.match(await Promise.race([refused, new Promise((r) => setTimeout(() => r('not refused'), 10000))]), /frame-ancestors 'none'/);
  await framer.close();
}, { headers: HEADERS, allowCsp: true });
