import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
export const median = (xs: readonly number[]) => quantile(xs, 0.5);
export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** p50/p99 of each run, then the median of those across runs and the worst run's p99. */
export function acrossRuns(runs: readonly number[][]): {
  p50: number;
  p99: number;
  worstP99: number;
  runs: number;
  samples: number;
} {
  const p50s = runs.map((r) => median(r));
  const p99s = runs.map((r) => quantile(r, 0.99));
  return {
    p50: round(median(p50s)),
    p99: round(median(p99s)),
    worstP99: round(Math.max(...p99s)),
    runs: runs.length,
    samples: runs.reduce((n, r) => n + r.length, 0),
  };
}

export function machine() {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

export const RESULTS = new URL('../results/', import.meta.url).pathname;

export function writeResult(name: string, body: Record<string, unknown>, quick: boolean): void {
  const out = { benchmark: name, date: new Date().toISOString(), quick, machine: machine(), ...body };
  writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify(out, null, 2)}\n`);
}

export function log(msg: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/**
 * The store's cost per applied change, from the bot's own meter (test/support/bot-meter.ts):
 * SQLite commits, and the time the event loop spent inside synchronous node:sqlite calls. On one
 * loop that time alone caps throughput at 1000 / storeMsPerChange changes per second.
 */
export function storePerChange(
  a: { sqliteCommits: number; sqliteMs: number },
  b: { sqliteCommits: number; sqliteMs: number },
  changes: number,
) {
  if (changes === 0) return {};
  const storeMs = (b.sqliteMs - a.sqliteMs) / changes;
  return {
    sqliteCommitsPerChange: round((b.sqliteCommits - a.sqliteCommits) / changes, 1),
    storeMsPerChange: round(storeMs),
    storeBoundChangesPerSecond: storeMs > 0 ? round(1000 / storeMs, 1) : null,
  };
}
