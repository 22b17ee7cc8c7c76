// What the post-build scripts (minify, csp, compress) share: where Trunk stages the build, and
// how a live-reload build (`trunk serve`), which they leave as it is, shows itself.
import fs from 'node:fs';
import path from 'node:path';

/** Trunk's live-reload client, which only a `trunk serve` build's page loads. */
export const LIVE_RELOAD = '.well-known/trunk/ws';

/** Whether the page staged in `dir` is a live-reload build. */
export function isLiveReload(dir) {
  return fs.readFileSync(path.join(dir, 'index.html'), 'utf8').includes(LIVE_RELOAD);
}

/** $TRUNK_STAGING_DIR, or undefined after saying why `tool` needs it (`otherwise`: what else it takes). */
export function stagingDir(tool, otherwise) {
  const dir = process.env.TRUNK_STAGING_DIR;
  if (!dir) console.error(`${tool}: TRUNK_STAGING_DIR is not set (run by Trunk as a post_build hook, or ${otherwise})`);
  return dir;
}
