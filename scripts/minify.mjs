// Minifies the built page's JavaScript: wasm-bindgen's glue, which Trunk ships as written
// (48 KB with its comments and long local names; 7.6 KB brotli, 5.8 KB minified). Trunk's own
// minifier cannot parse the glue, and its HTML minifier would drop the policy <meta> that
// scripts/csp.mjs writes, so Trunk's `minify` stays off and this hook does the JavaScript only.
// Each file's Subresource Integrity hash in index.html (the modulepreload link) is written again
// for the new content. Exported names and object keys (the wasm's imports) are kept: terser
// renames local names only.
//
// As a Trunk post_build hook (Trunk.toml) it works on $TRUNK_STAGING_DIR, before scripts/csp.mjs
// and scripts/compress.mjs. A live-reload build (`trunk serve`) is left as it is.
//
//   node scripts/minify.mjs          the hook
//   node scripts/minify.mjs DIR      minifies the JavaScript of DIR (a dist/ built before)
//   node scripts/minify.mjs --check [DIR]   exits 1 unless each file linked with an integrity
//                                           hash in DIR/index.html (default dist) matches it
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { minify } from 'terser';

const LIVE_RELOAD = '.well-known/trunk/ws';

/** `html` with the integrity of the element that links `name` set to `integrity`. */
export function withIntegrity(html, name, integrity) {
  const tag = new RegExp(`<link\\b[^>]*href="[^"]*/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>`, 'g');
  return html.replace(tag, (t) => t.replace(/integrity="[^"]*"/, `integrity="${integrity}"`));
}

/** The SRI value Trunk writes (sha384). */
export function sri(data) {
  return `sha384-${crypto.createHash('sha384').update(data).digest('base64')}`;
}

export async function minifyDir(dir) {
  const index = path.join(dir, 'index.html');
  let html = fs.readFileSync(index, 'utf8');
  const out = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.js')).sort()) {
    const file = path.join(dir, name);
    const code = fs.readFileSync(file, 'utf8');
    const result = await minify(code, { module: true, ecma: 2020, compress: { passes: 2 }, mangle: true, format: { comments: false } });
    if (!result.code || result.code.length >= code.length) continue;
    const integrity = sri(result.code);
    const patched = withIntegrity(html, name, integrity);
    // A link whose hash was not rewritten would make the browser refuse the new file.
    if (html.includes(name) && !patched.includes(integrity)) {
      throw new Error(`minify: no integrity attribute found for ${name} in index.html`);
    }
    fs.writeFileSync(file, result.code);
    html = patched;
    out.push({ name, before: code.length, after: result.code.length });
  }
  fs.writeFileSync(index, html);
  return out;
}

/** The links of `dir`'s index.html whose integrity does not match their file (none: []). */
export function integrityProblems(dir) {
  const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  const problems = [];
  for (const [tag] of html.matchAll(/<link\b[^>]*\bintegrity="[^"]*"[^>]*>/g)) {
    const href = /href="\/?([^"]+)"/.exec(tag)?.[1];
    const want = /integrity="([^"]*)"/.exec(tag)[1];
    const file = href && path.join(dir, href);
    if (!file || !fs.existsSync(file)) problems.push(`${href}: no such file`);
    else if (sri(fs.readFileSync(file)) !== want) problems.push(`${href}: integrity does not match`);
  }
  return problems;
}

async function main(argv) {
  if (argv[0] === '--check') {
    const problems = integrityProblems(argv[1] ?? 'dist');
    for (const p of problems) console.error(`minify: ${p}`);
    if (!problems.length) console.log('minify: every linked file matches its integrity hash');
    return problems.length ? 1 : 0;
  }
  let dir = argv[0];
  if (!dir) {
    dir = process.env.TRUNK_STAGING_DIR;
    if (!dir) {
      console.error('minify: TRUNK_STAGING_DIR is not set (run by Trunk as a post_build hook, or give a directory)');
      return 2;
    }
  }
  if (fs.readFileSync(path.join(dir, 'index.html'), 'utf8').includes(LIVE_RELOAD)) {
    console.log('minify: live-reload build (trunk serve): left as it is');
    return 0;
  }
  for (const f of await minifyDir(dir)) {
    console.log(`minify: ${f.name} ${f.before} B → ${f.after} B`);
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
