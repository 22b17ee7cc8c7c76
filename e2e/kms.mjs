// A minimal KMS client for the tests: SigV4 (AWS4-HMAC-SHA256) over AWS JSON 1.1, with node's
// crypto. Used to change the emulator's state behind the page's back (another admin at work)
// and by the load test.
import crypto from 'node:crypto';
import http from 'node:http';

const hmac = (key, data) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();
const sha256hex = (data) => crypto.createHash('sha256').update(data, 'utf8').digest('hex');

/** The signed headers of a KMS call. `now` is a Date (the signing time). */
export function signKms({ url, region = 'us-east-1', credentials, operation, body, now = new Date() }) {
  const u = new URL(url);
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers = {
    'content-type': 'application/x-amz-json-1.1',
    host: u.host,
    'x-amz-date': amzDate,
    'x-amz-target': `TrentService.${operation}`,
  };
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonical = ['POST', u.pathname || '/', '',
    ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), sha256hex(body)].join('\n');
  const scope = `${day}/${region}/kms/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonical)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [region, 'kms', 'aws4_request']) key = hmac(key, part);
  const signature = crypto.createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return headers;
}

/**
 * Calls one KMS operation; resolves { status, json, body, requestId } (any status), rejects only
 * when no response arrives. `agent` lets the load test share keep-alive sockets.
 */
export function callKms({ url, region, credentials, operation, input = {}, agent, timeoutMs = 30000 }) {
  const body = JSON.stringify(input);
  const headers = signKms({ url, region, credentials, operation, body });
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname || '/', method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, json, body: text, requestId: res.headers['x-amzn-requestid'] });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The emulator's demo credentials (GET /_emulator/credentials), as callKms wants them. */
export async function demoCredentials(url) {
  const r = await fetch(new URL('/_emulator/credentials', url));
  const j = await r.json();
  return { accessKeyId: j.AccessKeyId, secretAccessKey: j.SecretAccessKey, sessionToken: j.SessionToken };
}
