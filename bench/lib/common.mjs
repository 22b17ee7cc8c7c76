// Shared by the benchmarks: statistics, the emulator, the page's hooks.
import { startEmulator as startE2eEmulator } from '../../e2e/emulator.mjs';

export const median = (xs) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Nearest-rank quantile (q in 0..1). */
export const quantile = (xs, q) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the emulator binary `bin` on a free loopback port, its output kept in memory. */
export const startEmulator = (bin, args = []) => startE2eEmulator(args, { bin, quiet: true });

/**
 * Runs in the console's page before its own scripts (page.addInitScript): keeps the wasm
 * instance's exports (Trunk's loader hands them to the TrunkApplicationStarted event; its own
 * `wasm` constant is not reachable), and stamps when the Connect button is first there and
 * enabled, and when the "Connection status" region first shows the CONNECTED badge.
 */
export function pageHooks({ observe = true } = {}) {
  window.__bench = { connectReadyAt: null, connectedAt: null, appStartedAt: null, wasm: null };
  addEventListener('TrunkApplicationStarted', (e) => {
    window.__bench.appStartedAt = performance.now();
    window.__bench.wasm = e.detail && e.detail.wasm;
  });
  const look = () => {
    const b = window.__bench;
    if (b.connectReadyAt === null) {
      for (const el of document.querySelectorAll('button')) {
        if (el.textContent.trim() === 'Connect' && !el.disabled) {
          b.connectReadyAt = performance.now();
          b.connectReadyEpoch = Date.now();
          break;
        }
      }
    }
    if (b.connectedAt === null) {
      const region = document.querySelector('[role="status"][aria-label="Connection status"]');
      const badge = region && region.querySelector('.badge');
      if (badge && badge.textContent.trim() === 'CONNECTED') {
        b.connectedAt = Date.now();
      }
    }
  };
  if (observe) new MutationObserver(look).observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
}
