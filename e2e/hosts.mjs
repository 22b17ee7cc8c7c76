// Real web servers for a dist/, on a free loopback port, for the hosting check (hosting.mjs) and
// the first-load benchmark (bench/lib/firstload.mjs):
//   startCaddy(dist, cspFile)   Debian's caddy with deploy/Caddyfile
//   startNginx(dist, cspFile)   Debian's nginx with deploy/nginx.conf, in a minimal main config
//   startPython(dist)           python3 -m http.server (no compression, no caching headers)
// cspFile is what deploy/csp-include.mjs wrote for that server. Each resolves, once the server
// answers, to { url, stop(), output() }; stop() resolves when it has exited. CADDY and NGINX
// override the binaries' paths.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './emulator.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CADDY = process.env.CADDY ?? 'caddy';
const NGINX = process.env.NGINX ?? '/usr/sbin/nginx';

/** Resolves once `url` answers at all (its page's policy header may be far over Node's 16 KB default). */
const answers = (url) => new Promise((resolve, reject) => {
  http.request(url, { method: 'HEAD', maxHeaderSize: 1 << 20 }, (res) => { res.resume(); resolve(); }).on('error', reject).end();
});

/** Runs `argv` until `url` answers; the server's own files, if any, live in `dir` (removed by stop()). */
async function serve(name, argv, { url, dir = null, env = {} }) {
  const child = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((done) => child.once('exit', done));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  };
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${name} exited (${child.exitCode}):\n${out}`);
    }
    try {
      await answers(url);
      return { url, stop, output: () => out };
    } catch {
      if (Date.now() - t0 > 15000) {
        await stop();
        throw new Error(`${name} did not answer on ${url} within 15 s:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startCaddy(dist, cspFile) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cks-caddy-'));
  // Caddy keeps state (certificates, autosaved config) under XDG_*: here, in its own directory.
  const env = {
    CKS_SITE: `http://127.0.0.1:${port}`, CKS_ROOT: path.resolve(dist), CKS_CSP_FILE: path.resolve(cspFile),
    XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir,
  };
  // deploy/Caddyfile as it is, adapted to JSON only to turn off the admin endpoint (localhost:2019,
  // which a system Caddy or a second instance would hold).
  const config = JSON.parse(execFileSync(CADDY, ['adapt', '--config', path.join(ROOT, 'deploy/Caddyfile')],
    { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  config.admin = { disabled: true };
  fs.writeFileSync(path.join(dir, 'caddy.json'), JSON.stringify(config));
  return serve('caddy', [CADDY, 'run', '--config', path.join(dir, 'caddy.json')], { url, dir, env });
}

/** deploy/nginx.conf with its listen, server_name and root lines pointed at this test. */
export function nginxSite(port, dist) {
  const conf = fs.readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8');
  let roots = 0;
  const out = conf
    .replace(/^\s*listen [^;]*;\n/gm, '')
    .replace(/^(\s*)server_name [^;]*;/m, `$1listen 127.0.0.1:${port};\n$1server_name 127.0.0.1;`)
    .replace(/^(\s*)root [^;]*;/m, (_, indent) => { roots++; return `${indent}root ${path.resolve(dist)};`; });
  if (roots !== 1 || !out.includes(`listen 127.0.0.1:${port};`)) throw new Error('deploy/nginx.conf: no server_name or root line to point at the test');
  return out;
}

export async function startNginx(dist, cspFile) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cks-nginx-'));
  fs.writeFileSync(path.join(dir, 'site.conf'), nginxSite(port, dist));
  // The server block includes cks-console-csp.nginx from the main config's directory.
  fs.copyFileSync(cspFile, path.join(dir, 'cks-console-csp.nginx'));
  // What Debian's /etc/nginx/nginx.conf provides, with every path in this directory.
  fs.writeFileSync(path.join(dir, 'nginx.conf'), [
    'include /etc/nginx/modules-enabled/*.conf;',
    // As root, the workers would run as nobody, who may not read dist/.
    process.getuid?.() === 0 ? 'user root;' : '',
    `pid ${dir}/nginx.pid;`,
    'daemon off;',
    'worker_processes 1;',
    `error_log ${dir}/error.log;`,
    'events {}',
    'http {',
    '  include /etc/nginx/mime.types;',
    '  default_type application/octet-stream;',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
    `  include ${dir}/site.conf;`,
    '}',
    '',
  ].join('\n'));
  const server = await serve('nginx', [NGINX, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { url, dir });
  const output = () => { try { return fs.readFileSync(`${dir}/error.log`, 'utf8'); } catch { return ''; } };
  return { ...server, output };
}

export async function startPython(dist) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  return serve('python3 -m http.server', ['python3', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', path.resolve(dist), String(port)], { url });
}
