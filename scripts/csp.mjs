// The Content Security Policy of the built page.
//
// As a Trunk post_build hook (Trunk.toml) it writes the policy into the staged index.html as a
// <meta http-equiv="Content-Security-Policy">, so a plain `trunk build --release` yields it:
//   script-src 'self' 'wasm-unsafe-eval' plus the sha256 of each inline script (Trunk's module
//   loader), connect-src 'self' (the wasm itself is fetched) plus, by name, the KMS, CloudHSM and
//   CloudWatch (monitoring) endpoints of every region in data/aws-partitions.json and loopback, object-src 'none',
//   base-uri 'none'...
// A page with Trunk's live-reload script (`trunk serve`) is left alone: the dev server rewrites
// that script per request, so no hash could match it.
//
//   node scripts/csp.mjs                    the hook: patches $TRUNK_STAGING_DIR/index.html
//   node scripts/csp.mjs --print [HTML]     prints the policy for HTML (default dist/index.html)
//                                           as a header: connect-src at the partition level
//                                           (the <meta> narrows it), frame-ancestors 'none' added
//   node scripts/csp.mjs --check [HTML]     exits 1 unless HTML carries the policy it should
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { LIVE_RELOAD, stagingDir } from './stage.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const META_RE = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"\s*\/?>\s*/i;

/** The services the page signs requests for, by the first label of their hosts (src/aws/trust.rs). */
export const SERVICE_LABELS = ['kms', 'cloudhsmv2', 'monitoring'];

/**
 * Every host the page may call, from data/aws-partitions.json: for each region of each partition
 * and each service, the plain and FIPS hosts on the partition's DNS suffix and its dual-stack
 * one, and the service's VPC interface endpoints (https://*.<service>[-fips].<region>.vpce.<dnsSuffix>);
 * then loopback. CSP wildcards match any leftmost labels, so https://*.amazonaws.com would also
 * allow API Gateway, Lambda URLs or S3: the list names each host instead. A region newer than
 * the data is not in it (see the README).
 */
export function serviceSources(partitionsFile = path.join(ROOT, 'data/aws-partitions.json')) {
  const data = JSON.parse(fs.readFileSync(partitionsFile, 'utf8'));
  const hosts = [];
  const add = (h) => { if (!hosts.includes(h)) hosts.push(h); };
  for (const p of data.partitions) {
    const o = p.outputs;
    const regions = Object.keys(p.regions).filter((r) => !r.endsWith('-global')).sort();
    for (const region of regions) {
      for (const label of SERVICE_LABELS) {
        const labels = o.supportsFIPS ? [label, `${label}-fips`] : [label];
        const suffixes = o.supportsDualStack ? [o.dnsSuffix, o.dualStackDnsSuffix] : [o.dnsSuffix];
        for (const suffix of suffixes) for (const l of labels) add(`https://${l}.${region}.${suffix}`);
        for (const l of labels) add(`https://*.${l}.${region}.vpce.${o.dnsSuffix}`);
      }
    }
  }
  return [...hosts, ...LOOPBACK];
}

// The app sends plain http:// only to loopback hosts (src/aws/endpoint.rs, is_loopback). CSP has no
// syntax for an IPv6 literal (Chromium drops 'http://[::1]:*' as invalid), so [::1] and
// 127.0.0.2-127.255.255.255 are refused by the policy: use 127.0.0.1 or localhost.
const LOOPBACK = ['http://127.0.0.1:*', 'https://127.0.0.1:*', 'http://localhost:*', 'https://localhost:*', 'http://*.localhost:*'];

/**
 * connect-src for the policy a server sends as a header: every AWS partition's domains by
 * wildcard, then loopback. Browsers enforce every policy of a page, so with the <meta>'s list of
 * exact hosts the effective connect-src is that list; the header stays about 1 KB instead of
 * 26 KB (sent uncompressed with every index.html, it delayed the first paint by ~140 ms on a
 * 1.6 Mbps link; BENCHMARKS.md, "First load").
 */
export function partitionSources(partitionsFile = path.join(ROOT, 'data/aws-partitions.json')) {
  const data = JSON.parse(fs.readFileSync(partitionsFile, 'utf8'));
  const hosts = [];
  for (const p of data.partitions) {
    for (const suffix of [p.outputs.dnsSuffix, p.outputs.dualStackDnsSuffix]) {
      if (suffix && !hosts.includes(`https://*.${suffix}`)) hosts.push(`https://*.${suffix}`);
    }
  }
  return [...hosts, ...LOOPBACK];
}

/** The bodies of the inline scripts (those without src), exactly as the browser hashes them. */
export function inlineScripts(html) {
  const out = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\bsrc\s*=/.test(m[1])) out.push(m[2]);
  }
  return out;
}

export function sha256(text) {
  return `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The policy's directives, in order, for a page. */
export function directives(html) {
  const hashes = [...new Set(inlineScripts(html).map(sha256))];
  return [
    ["default-src", ["'self'"]],
    ['script-src', ["'self'", "'wasm-unsafe-eval'", ...hashes]],
    ['style-src', ["'self'"]],
    ['img-src', ["'self'"]],
    ['connect-src', ["'self'", ...serviceSources()]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
  ];
}

export function policyText(dirs) {
  return dirs.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}

/** The policy a <meta> carries (frame-ancestors is ignored there: a header must set it). */
export function metaPolicy(html) {
  return policyText(directives(html.replace(META_RE, '')));
}

/**
 * The policy as an HTTP header: the <meta>'s directives with connect-src at the partition level
 * (`partitionSources`; the <meta> narrows it to exact hosts), plus what only a header can say.
 */
export function headerPolicy(html) {
  const dirs = directives(html.replace(META_RE, '')).map(([name, values]) =>
    name === 'connect-src' ? [name, ["'self'", ...partitionSources()]] : [name, values]);
  return `${policyText(dirs)}; frame-ancestors 'none'`;
}

/** The policy a page carries in its <meta>, or null. */
export function pagePolicy(html) {
  const m = html.match(META_RE);
  return m ? m[1].replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&') : null;
}

/** Writes (or rewrites) the <meta> first thing in <head>, before any script. */
export function patch(html) {
  const clean = html.replace(META_RE, '');
  const meta = `<meta http-equiv="Content-Security-Policy" content="${metaPolicy(clean)}" />`;
  // After <meta charset>, which must stay in the first 1024 bytes.
  const charset = clean.match(/<meta charset="[^"]*"\s*\/?>/i);
  if (charset) {
    const at = charset.index + charset[0].length;
    return `${clean.slice(0, at)}\n    ${meta}${clean.slice(at)}`;
  }
  return clean.replace(/<head>/i, `<head>\n    ${meta}`);
}

function main(argv) {
  const [mode, file] = argv;
  if (mode === '--print' || mode === '--check') {
    const html = fs.readFileSync(file ?? path.join(ROOT, 'dist/index.html'), 'utf8');
    if (mode === '--print') {
      console.log(headerPolicy(html));
      return 0;
    }
    const found = pagePolicy(html);
    const want = metaPolicy(html);
    if (found === want) {
      console.log('csp: the page carries its policy');
      return 0;
    }
    console.error(`csp: the page's policy is\n  ${found}\nbut should be\n  ${want}`);
    return 1;
  }
  const staging = stagingDir('csp', 'use --print/--check');
  if (!staging) return 2;
  const index = path.join(staging, 'index.html');
  const html = fs.readFileSync(index, 'utf8');
  if (html.includes(LIVE_RELOAD)) {
    console.log('csp: live-reload build (trunk serve): no Content-Security-Policy <meta>');
    return 0;
  }
  fs.writeFileSync(index, patch(html));
  console.log(`csp: Content-Security-Policy written into ${path.relative(ROOT, index) || index}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
