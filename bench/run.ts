import { mkdirSync } from 'node:fs';
import { benchAck } from './ack.ts';
import { benchGuards } from './guards.ts';
import { RESULTS } from './lib/stats.ts';
import { writeReport } from './report.ts';
import { benchRevocation } from './revocation.ts';
import { benchScale } from './scale.ts';
import { benchThroughput } from './throughput.ts';

/**
 * `npm run bench [-- --quick] [-- ack scale throughput revocation]`: runs the benchmarks (the bot in
 * a child process, driven from this one), writes bench/results/*.json, then regenerates BENCHMARKS.md.
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const all = {
  ack: benchAck,
  scale: benchScale,
  throughput: benchThroughput,
  revocation: benchRevocation,
  guards: benchGuards,
};
const picked = args.filter((a) => !a.startsWith('--'));
for (const p of picked)
  if (!(p in all)) throw new Error(`unknown benchmark ${p}; pick from ${Object.keys(all).join(', ')}`);
mkdirSync(RESULTS, { recursive: true });
const t0 = performance.now();
for (const [name, run] of Object.entries(all))
  if (picked.length === 0 || picked.includes(name)) {
    process.stdout.write(`== ${name}${quick ? ' (quick)' : ''}\n`);
    await run(quick);
  }
writeReport();
process.stdout.write(`done in ${Math.round((performance.now() - t0) / 1000)} s; see BENCHMARKS.md\n`);
