// Minifies the built page's JavaScript: wasm-bindgen's glue, which Trunk ships as written
// (48 KB with its comments and long local names; 7.6 KB brotli, 5.8 KB minified). Trunk's own
// minifier cannot parse the glue, and its HTML minifier would drop the policy <meta> that
// scripts/csp.mjs writes, so Trunk's `minify` stays off and this hook does the JavaScript only.
// The file is renamed after its new content (Trunk named it after the content before: a host
// that caches hashed names as immutable must never see new bytes under an old name), every
// reference in index.html follows (the modulepreload link, the inline loader's import), and
// its Subresource Integrity hash is written again. Exported names and object keys (the wasm's
// imports) are kept: terser renames local names only.
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
import { isLiveReload, stagingDir } from './stage.mjs';


/** `html` with the integrity of the element that links `name` set to `integrity`. */
export function withIntegrity(html, name, integrity) {
  const tag = new RegExp(`<link\\b[^>]*href="[^"]*/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>`, 'g');
  return html.replace(tag, (t) => t.replace(/integrity="[^"]*"/, `integrity="${integrity}"`));
}

/** `stem-<hash>.js` named after `code` (16 hex digits of its SHA-256, as Trunk's names). */
export function contentName(name, code) {
  const m = /^(.*)-[0-9a-f]+\.js$/.exec(name);
  if (!m) return name;
  return `${m[1]}-${crypto.createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`;
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
    const renamed = contentName(name, result.code);
    const integrity = sri(result.code);
    const patched = withIntegrity(html.split(`/${name}`).join(`/${renamed}`), renamed, integrity);
    // A reference left to the old name, or a hash not rewritten, would break the page.
    if (html.includes(name) && (patched.includes(name) || !patched.includes(integrity))) {
      throw new Error(`minify: could not rewrite every reference to ${name} in index.html`);
    }
    fs.writeFileSync(path.join(dir, renamed), result.code);
    if (renamed !== name) fs.unlinkSync(file);
    html = patched;
    out.push({ name: renamed, before: code.length, after: result.code.length });
  }
  fs.writeFileSync(index, html);
  return out;
}

/** The links of `dir`'s index.html whose integrity does not match their file (none: []). */
export function integrityProblems(dir) {
  const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  const problems = [];
  for (const [tag] of html.matchAll(/<(?:link|script)\b[^>]*\bintegrity="[^"]*"[^>]*>/g)) {
    const href = /(?:href|src)="\/?([^"]+)"/.exec(tag)?.[1];
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
  const dir = argv[0] ?? stagingDir('minify', 'give a directory');
  if (!dir) return 2;
  if (isLiveReload(dir)) {
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
