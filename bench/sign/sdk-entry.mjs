// The AWS SDK for JavaScript v3's signer as its browser build uses it: @smithy/signature-v4 with
// @aws-crypto/sha256-browser (WebCrypto's SubtleCrypto when the page is a secure context, as
// here; pure JS otherwise). Bundled for the page by bench/run.mjs with esbuild. The pure-JS
// @aws-crypto/sha256-js is exported too, as an extra row.
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Sha256 as Sha256Browser } from '@aws-crypto/sha256-browser';
import { Sha256 as Sha256Js } from '@aws-crypto/sha256-js';

/** A signer for `service` in `region`; `hash` is 'browser' (the SDK's browser path) or 'js'. */
export function sdkSigner({ accessKeyId, secretAccessKey, sessionToken, region, hash = 'browser' }) {
  return new SignatureV4({
    credentials: { accessKeyId, secretAccessKey, sessionToken },
    region,
    service: 'kms',
    sha256: hash === 'js' ? Sha256Js : Sha256Browser,
    // The console signs no x-amz-content-sha256 header (KMS does not need it); leave it out
    // here too, so both sign the same headers and must produce the same Authorization.
    applyChecksum: false,
  });
}

/** A KMS JSON 1.1 request as the SDK's HTTP layer builds it (before signing). */
export function kmsRequest(url, operation, body) {
  const u = new URL(url);
  return new HttpRequest({
    method: 'POST',
    protocol: u.protocol,
    hostname: u.hostname,
    port: u.port ? Number(u.port) : undefined,
    path: u.pathname,
    headers: {
      host: u.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `TrentService.${operation}`,
    },
    body,
  });
}

export const usesWebCrypto = () => {
  // What sha256-browser decides per hash: WebCrypto when window.crypto.subtle is there.
  const c = globalThis.crypto;
  return !!(c && c.subtle && typeof c.subtle.sign === 'function' && typeof c.subtle.importKey === 'function');
};
