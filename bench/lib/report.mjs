// The table bench/run.mjs prints (and BENCHMARKS.md copies), with each target met or not.
const f1 = (x) => (x == null ? '–' : x.toFixed(1));
const kb = (b) => (b == null ? '–' : `${(b / 1000).toFixed(1)} KB`);
const kib = (b) => (b == null ? '–' : `${(b / 1024).toFixed(1)} KiB`);
const mb = (b) => (b == null ? '–' : `${(b / 1e6).toFixed(2)} MB`);
const ok = (c) => (c ? 'met' : 'NOT met');

export function table(results, only) {
  const b = results.benchmarks;
  const lines = [];
  const row = (...cells) => lines.push(`| ${cells.join(' | ')} |`);
  const head = (...cells) => { row(...cells); row(...cells.map(() => '---')); };
  const m = results.machine;
  lines.push(`machine: ${m.cpus} × ${m.cpu_model}, ${m.memory_gib} GiB, ${m.chromium}, node ${m.node}; load average at start ${m.load_average_at_start.map((x) => x.toFixed(2)).join(' ')}`);

  if (only.includes('signing') && b.signing) {
    const s = b.signing;
    const r = s.results;
    lines.push('', `signing (median of ${r.wasm_per_call.batches} batch means of ${s.batch}; Authorization identical: ${s.check.same_authorization}; SDK hash on WebCrypto: ${s.web_crypto})`);
    head('signer', 'median µs/signature', 'p10', 'p90', 'vs SDK browser');
    const sdk = r.sdk_browser.median_us;
    const names = {
      wasm_per_call: 'cks-console wasm (sign_kms), one call per signature',
      wasm_in_loop: 'cks-console wasm (sign_kms), loop inside wasm',
      wasm_cached_prototype: 'prototype: cached signing key (bench only)',
      part_derive_key: 'part: signing-key derivation (4 HMACs)',
      part_sha256_300b: 'part: one SHA-256 of 300 bytes',
      sdk_browser: 'SDK @smithy/signature-v4 + @aws-crypto/sha256-browser',
      sdk_sha256_js: 'SDK @smithy/signature-v4 + @aws-crypto/sha256-js',
    };
    for (const [k, v] of Object.entries(r)) {
      row(names[k] ?? k, f1(v.median_us), f1(v.p10_us), f1(v.p90_us), k.startsWith('part_') ? '' : `${(sdk / v.median_us).toFixed(2)}×`);
    }
    lines.push(`target ≥ 5× faster than the SDK's browser path: ${s.speedup_vs_sdk_browser.toFixed(2)}× — ${ok(s.speedup_vs_sdk_browser >= 5)}`);
    const o = b.signing_o3;
    if (o) {
      lines.push('', 'the same signers built at opt-level 3 (wasm-opt -O3) instead of "z", same page, later run');
      head('signer (opt-level 3)', 'median µs/signature', 'vs SDK browser in that run');
      for (const k of ['wasm_per_call', 'wasm_in_loop', 'wasm_cached_prototype']) {
        row(names[k], f1(o.results[k].median_us), `${(o.results.sdk_browser.median_us / o.results[k].median_us).toFixed(2)}×`);
      }
    }
  }
  if (only.includes('startup') && b.startup) {
    const s = b.startup;
    lines.push('', `start-up (${s.loads} loads, new context each)`);
    head('navigation start →', 'median ms', 'p90 ms', 'min', 'max');
    for (const [k, label] of [['wasm_fetched_ms', '.wasm downloaded'], ['connect_ready_ms', 'Connect button interactive']]) {
      row(label, f1(s[k].median), f1(s[k].p90), f1(s[k].min), f1(s[k].max));
    }
  }
  if (only.includes('polling') && b.polling) {
    const p = b.polling;
    lines.push('', `polling (--time-scale ${p.time_scale}, #pace=${p.pace}; emulated seconds; median [max] of ${p.results[0]?.reps} runs)`);
    head('connect', 'pre-check Describes', 'watch Describes', 'lag s', 'of which schedule s', 'request+render (real ms)', 'Describes after settled', 'target');
    for (const r of p.results) {
      let target = '';
      const lag = r.lag_emulated_s.max;
      const n = r.watch_describes.max;
      if (r.settle_emulated_s === 300) target = `≤ 5 s, ≤ 40 req: ${ok(lag <= 5 && n <= 40)}`;
      if (r.settle_emulated_s === 1200) target = `≤ 10 s, ≤ 130 req: ${ok(lag <= 10 && n <= 130)}`;
      row(r.name, `${r.precheck_describes.median}`, `${r.watch_describes.median} [${n}]`, `${f1(r.lag_emulated_s.median)} [${f1(lag)}]`,
        `${f1(r.schedule_lag_emulated_s.median)} [${f1(r.schedule_lag_emulated_s.max)}]`,
        `${f1(r.request_and_render_real_ms.median)} [${f1(r.request_and_render_real_ms.max)}]`, `${r.describes_after_settled.max}`, target);
    }
    const none = p.results.every((r) => r.describes_after_settled.max === 0);
    lines.push(`target no request after a watch settles (quiet period ${p.quiet_period_emulated_s} emulated s): ${ok(none)}`);
  }
  if (only.includes('memory') && b.memory) {
    const mm = b.memory;
    lines.push('', `memory (#pace=${mm.pace}, a 10-hour CloudHSM connect; after 2 forced GCs)`);
    head('polls', 'JS heap used', 'wasm memory', 'DOM nodes', 'JS listeners');
    for (const s of mm.samples) row(s.polls, mb(s.js_heap_used_bytes), mb(s.wasm_memory_bytes), s.dom_nodes, s.js_event_listeners);
    const growth = mm.js_heap_growth_bytes + mm.wasm_memory_growth_bytes;
    lines.push(`growth from ${mm.samples[0].polls} to ${mm.samples.at(-1).polls} polls: JS heap ${kb(mm.js_heap_growth_bytes)}, wasm ${kb(mm.wasm_memory_growth_bytes)}; target within 1 MB: ${ok(Math.abs(growth) <= 1e6)}`);
  }
  if (only.includes('sizes') && b.sizes) {
    const z = b.sizes;
    lines.push('', 'transfer size (gzip -9 / brotli 11)');
    head('what', 'raw', 'gzip', 'brotli');
    row(`${z.sdk_kms_3_commands.package}, 3 commands, esbuild minified ESM`, kb(z.sdk_kms_3_commands.raw), kb(z.sdk_kms_3_commands.gzip), kb(z.sdk_kms_3_commands.brotli));
    row('cks-console dist/ (.wasm + .js)', kb(z.console_dist.wasm_and_js.raw), kb(z.console_dist.wasm_and_js.gzip), kb(z.console_dist.wasm_and_js.brotli));
  }
  if (only.includes('firstload') && b.firstload) {
    const fl = b.firstload;
    const p = fl.profile;
    lines.push('', `first load (${p.latency} ms round trip, ${(p.downloadThroughput * 8 / 1000).toFixed(0)} kbit/s down; median [p90] of ${fl.loads} loads)`);
    head('served by', 'visit', 'first contentful paint', 'Connect visible', 'bytes received', 'target');
    for (const [name, s] of Object.entries(fl.servers)) {
      for (const kind of ['cold', 'warm']) {
        const k = s[kind];
        const target = kind === 'cold' && name !== 'python' ? `FCP ≤ 500 ms, Connect ≤ 2.1 s: ${ok(k.fcp_ms.median <= 500 && k.connect_ms.median <= 2100)}` : '';
        row(name, kind, `${f1(k.fcp_ms.median)} ms [${f1(k.fcp_ms.p90)}]`, `${f1(k.connect_ms.median)} ms [${f1(k.connect_ms.p90)}]`, kib(k.bytes.median), target);
      }
    }
  }
  return lines.join('\n');
}
