// The AWS SDK v3 comparison for the size budget: a minified browser ESM bundle of
// @aws-sdk/client-kms with only ConnectCustomKeyStore, DescribeCustomKeyStores and
// DisconnectCustomKeyStore (esbuild, tree-shaken), gzip -9 and brotli (quality 11) sizes;
// and the same for the console's dist/ (its .wasm and .js), for the table.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'esbuild';

const sizes = (buf) => ({
  raw: buf.length,
  gzip: zlib.gzipSync(buf, { level: 9 }).length,
  brotli: zlib.brotliCompressSync(buf, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  }).length,
});

export async function sdkBundleSizes(benchDir) {
  const outfile = path.join(benchDir, 'out', 'sdk-kms-bundle.js');
  const r = await build({
    stdin: {
      contents: `export { KMSClient, ConnectCustomKeyStoreCommand, DescribeCustomKeyStoresCommand, DisconnectCustomKeyStoreCommand } from '@aws-sdk/client-kms';`,
      resolveDir: benchDir,
      loader: 'js',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile,
    metafile: true,
    logLevel: 'silent',
  });
  const version = JSON.parse(fs.readFileSync(path.join(benchDir, 'node_modules/@aws-sdk/client-kms/package.json'), 'utf8')).version;
  return { package: `@aws-sdk/client-kms@${version}`, warnings: r.warnings.length, ...sizes(fs.readFileSync(outfile)) };
}

export function distSizes(dist) {
  const out = { files: {} };
  let raw = 0, gzip = 0, brotli = 0;
  for (const f of fs.readdirSync(dist)) {
    if (!/\.(wasm|js)$/.test(f)) continue;
    const s = sizes(fs.readFileSync(path.join(dist, f)));
    out.files[f] = s;
    raw += s.raw; gzip += s.gzip; brotli += s.brotli;
  }
  return { ...out, wasm_and_js: { raw, gzip, brotli } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify({ sdk: await sdkBundleSizes(path.resolve('bench')), dist: distSizes(process.argv[2] ?? 'dist') }, null, 2));
}
