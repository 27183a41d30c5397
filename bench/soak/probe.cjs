// Preloaded into the stack by `node bench/soak/run.mjs --probe` (node -r): every second it writes
// process.memoryUsage() and V8's heap spaces (used and committed bytes) to LEDGE_SOAK_PROBE_FILE, which the
// bench reads at each sample. Diagnosis only: it adds a timer and a few KiB to the process it measures.
// CommonJS on purpose: an ES module preloaded with --import starts Node's ESM loader in the measured
// process, which added ~20 MiB of anonymous memory to it (measured, 2026-12-07).
'use strict';
const { writeFileSync } = process.getBuiltinModule('node:fs');
const v8 = process.getBuiltinModule('node:v8');

const file = process.env.LEDGE_SOAK_PROBE_FILE;
if (file) {
  setInterval(() => {
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { used: s.space_used_size, committed: s.physical_space_size }]));
    writeFileSync(file, JSON.stringify({ ...process.memoryUsage(), malloced: v8.getHeapStatistics().malloced_memory, spaces }));
  }, 1000).unref();
}
