// Precompressed copies of the built page, so that a static server sends them as they are
// (Caddy's `precompressed`, nginx's brotli_static and gzip_static) instead of compressing on
// every request, or not at all: a FILE.br (brotli, quality 11) and a FILE.gz (gzip -9) next to
// every .wasm, .js, .css, .html and .svg.
//
// As a Trunk post_build hook (Trunk.toml) it compresses $TRUNK_STAGING_DIR. It must run after
// scripts/csp.mjs has written the policy into index.html: Trunk starts the hooks of one stage
// all at once, so Trunk.toml runs both from one hook, in order. A live-reload build
// (`trunk serve`) is left uncompressed: the dev server rewrites its index.html per request.
//
//   node scripts/compress.mjs          the hook
//   node scripts/compress.mjs DIR      compresses DIR (for example a dist/ built before this hook)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isLiveReload, stagingDir } from './stage.mjs';

const EXTENSIONS = new Set(['.wasm', '.js', '.css', '.html', '.svg']);

export function brotli(data, text) {
  return zlib.brotliCompressSync(data, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_MODE]: text ? zlib.constants.BROTLI_MODE_TEXT : zlib.constants.BROTLI_MODE_GENERIC,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
}

// GNU gzip (essential in Debian) rather than Node's zlib: 1.5 % smaller on the wasm at -9.
// -n leaves out the name and time, so that a build's .gz depends on its content only.
export function gzip(data) {
  return execFileSync('gzip', ['-9', '-n', '-c'], { input: data, maxBuffer: 1 << 30 });
}

/** The files of `dir` (recursively) that get compressed copies. */
export function compressible(dir) {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && EXTENSIONS.has(path.extname(e.name)))
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

/** Writes FILE.br and FILE.gz next to each compressible file of `dir`; returns what it wrote. */
export function compressDir(dir) {
  const out = [];
  for (const file of compressible(dir)) {
    const data = fs.readFileSync(file);
    const br = brotli(data, path.extname(file) !== '.wasm');
    const gz = gzip(data);
    fs.writeFileSync(`${file}.br`, br);
    fs.writeFileSync(`${file}.gz`, gz);
    out.push({ file: path.relative(dir, file), raw: data.length, br: br.length, gz: gz.length });
  }
  return out;
}

function main(argv) {
  const dir = argv[0] ?? stagingDir('compress', 'give a directory');
  if (!dir) return 2;
  if (!argv[0] && isLiveReload(dir)) {
    console.log('compress: live-reload build (trunk serve): not compressed');
    return 0;
  }
  for (const f of compressDir(dir)) {
    console.log(`compress: ${f.file} ${f.raw} B → ${f.br} B brotli, ${f.gz} B gzip`);
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
