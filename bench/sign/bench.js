// Times the console's wasm signer against the AWS SDK's browser signer on identical KMS requests
// (same credentials, region, endpoint, operation, body, time), in this one page and run.
//
// Method: after a warm-up, each signer signs 10,000 requests one after the other (the SDK's
// `await signer.sign(...)` each time, as a client would; the wasm signer one call per signature,
// body in and headers out across the JS↔wasm boundary). The 10,000 are timed in batches of
// 100 with performance.now(); a batch's mean is its time / 100, and the figure is the median
// of the 100 batch means (robust to GC pauses and to the other processes on the machine). The
// signers take turns in rounds of 1,000, so a busy moment of the machine hits all of them.
import { sdkSigner, kmsRequest, usesWebCrypto } from '../out/sdk-signer.js';

const CREDS = {
  accessKeyId: 'ASIAEXAMPLEBENCH0001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLETOKENbenchmarkonly/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==',
};
const REGION = 'us-east-1';
const URL_ = 'https://kms.us-east-1.amazonaws.com/';
const OPERATION = 'DescribeCustomKeyStores';
const BODY = '{"CustomKeyStoreId":"cks-0a1b2c3d4e5f60001"}';
const NOW_MS = Date.UTC(2025, 0, 15, 12, 34, 56);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function pairs(flat) {
  const h = {};
  for (let i = 0; i < flat.length; i += 2) h[flat[i].toLowerCase()] = flat[i + 1];
  return h;
}

// `?signer=DIR` loads another build of the wasm signer from out/DIR (e.g. one built with a
// different opt-level, for comparison); the default is out/signer, built as the app is.
const SIGNER_DIR = new URLSearchParams(location.search).get('signer') ?? 'signer';

window.runSigningBench = async ({ total = 10000, batch = 100, round = 1000, warmup = 500 } = {}) => {
  const { default: init, Signer, CachedSigner, derive_key_many, sha256_many } = await import(`../out/${SIGNER_DIR}/cks_bench_signer.js`);
  await init();
  const wasm = new Signer(CREDS.accessKeyId, CREDS.secretAccessKey, CREDS.sessionToken, REGION, URL_);
  const sdk = sdkSigner({ ...CREDS, region: REGION, hash: 'browser' });
  const sdkJs = sdkSigner({ ...CREDS, region: REGION, hash: 'js' });
  const proto = new CachedSigner(CREDS.accessKeyId, CREDS.secretAccessKey, CREDS.sessionToken, REGION, URL_);
  const date = new Date(NOW_MS);

  // Correctness: the same request signed by both gives the same headers.
  const ours = pairs(wasm.sign(OPERATION, BODY, NOW_MS));
  const theirs = (await sdk.sign(kmsRequest(URL_, OPERATION, BODY), { signingDate: date })).headers;
  const theirsJs = (await sdkJs.sign(kmsRequest(URL_, OPERATION, BODY), { signingDate: date })).headers;
  const check = {
    wasm_authorization: ours.authorization,
    sdk_authorization: theirs.authorization,
    same_authorization: ours.authorization === theirs.authorization && theirs.authorization === theirsJs.authorization,
    same_x_amz_date: ours['x-amz-date'] === theirs['x-amz-date'],
    same_token: ours['x-amz-security-token'] === theirs['x-amz-security-token'],
    prototype_same_headers: JSON.stringify(pairs(proto.sign(OPERATION, BODY, NOW_MS))) === JSON.stringify(ours),
  };

  const oursLen = wasm.sign(OPERATION, BODY, NOW_MS).length;
  // One batch of `batch` signatures, timed; returns microseconds per signature.
  const runners = {
    wasm_per_call: async () => {
      const t0 = performance.now();
      let n = 0;
      for (let i = 0; i < batch; i++) n += wasm.sign(OPERATION, BODY, NOW_MS).length;
      const t = performance.now() - t0;
      if (n !== batch * oursLen) throw new Error('wasm signer output changed');
      return (t * 1000) / batch;
    },
    wasm_in_loop: async () => {
      const t0 = performance.now();
      wasm.sign_many(batch, OPERATION, BODY, NOW_MS);
      return ((performance.now() - t0) * 1000) / batch;
    },
    // Not the app's signer: the prototype in bench/signer (signing key cached per day,
    // canonical request written directly), to show what src/aws/sign.rs could reach.
    wasm_cached_prototype: async () => {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) proto.sign(OPERATION, BODY, NOW_MS);
      return ((performance.now() - t0) * 1000) / batch;
    },
    // Where the wasm signer's time goes: its key derivation (4 HMACs, on every call) and one
    // SHA-256 of a 300-byte canonical request, hex-encoded.
    part_derive_key: async () => {
      const t0 = performance.now();
      derive_key_many(batch, NOW_MS);
      return ((performance.now() - t0) * 1000) / batch;
    },
    part_sha256_300b: async () => {
      const t0 = performance.now();
      sha256_many(batch, 300);
      return ((performance.now() - t0) * 1000) / batch;
    },
    sdk_browser: async () => {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) await sdk.sign(kmsRequest(URL_, OPERATION, BODY), { signingDate: date });
      return ((performance.now() - t0) * 1000) / batch;
    },
    sdk_sha256_js: async () => {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) await sdkJs.sign(kmsRequest(URL_, OPERATION, BODY), { signingDate: date });
      return ((performance.now() - t0) * 1000) / batch;
    },
  };
  for (const run of Object.values(runners)) {
    for (let i = 0; i < Math.ceil(warmup / batch); i++) await run();
  }
  const samples = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
  const started = performance.now();
  for (let done = 0; done < total; done += round) {
    for (const [name, run] of Object.entries(runners)) {
      for (let b = 0; b < round / batch; b++) samples[name].push(await run());
    }
  }
  const results = {};
  for (const [name, xs] of Object.entries(samples)) {
    results[name] = {
      signatures: xs.length * batch,
      batches: xs.length,
      median_us: median(xs),
      p10_us: quantile(xs, 0.1),
      p90_us: quantile(xs, 0.9),
      mean_us: xs.reduce((a, b) => a + b, 0) / xs.length,
    };
  }
  return {
    check,
    web_crypto: usesWebCrypto(),
    cross_origin_isolated: self.crossOriginIsolated,
    total_ms: performance.now() - started,
    batch,
    results,
    speedup_vs_sdk_browser: results.sdk_browser.median_us / results.wasm_per_call.median_us,
  };
};
window.benchReady = true;
