import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * Measurements taken inside the bot process for the benchmarks, without touching the store's code:
 * - SQLite: commits (an explicit COMMIT, or a write statement run outside a transaction, which
 *   SQLite commits on its own) and the wall time spent inside node:sqlite calls, which are
 *   synchronous, so that time is the event loop blocked by the store (the fsyncs of
 *   synchronous=FULL included);
 * - the server-side ack time of each HTTP request (headers parsed → response finished), from
 *   Node's `http.server.*` diagnostics channels;
 * - the event loop's delay histogram.
 * Installed by test/support/bot-child.ts before the bot starts.
 */
export interface MeterReading {
  sqliteCommits: number;
  sqliteCalls: number;
  sqliteMs: number;
  /** The longest single node:sqlite call since the last takeServerAcks(). */
  sqliteMaxMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

const WRITE = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;
const reading = { sqliteCommits: 0, sqliteCalls: 0, sqliteMs: 0, sqliteMaxMs: 0 };
const serverAcks: number[] = [];
const loop = monitorEventLoopDelay({ resolution: 5 });

function timed<A extends unknown[], R>(
  fn: (this: unknown, ...a: A) => R,
  after?: (self: unknown, a: A) => void,
) {
  return function (this: unknown, ...a: A): R {
    const t0 = performance.now();
    try {
      return fn.apply(this, a);
    } finally {
      const ms = performance.now() - t0;
      reading.sqliteMs += ms;
      if (ms > reading.sqliteMaxMs) reading.sqliteMaxMs = ms;
      reading.sqliteCalls++;
      after?.(this, a);
    }
  };
}

export function installMeter(): void {
  const dbOf = new WeakMap<object, { db: DatabaseSync; write: boolean }>();
  const db = DatabaseSync.prototype;
  const prepare = db.prepare;
  db.prepare = function (this: DatabaseSync, sql: string) {
    const stmt = prepare.call(this, sql);
    dbOf.set(stmt, { db: this, write: WRITE.test(sql) });
    return stmt;
  } as typeof db.prepare;
  db.exec = timed(db.exec as (sql: string) => void, (_self, [sql]) => {
    if (/^\s*COMMIT\s*;?\s*$/i.test(String(sql))) reading.sqliteCommits++;
  }) as typeof db.exec;
  const st = StatementSync.prototype;
  st.run = timed(st.run as (...a: unknown[]) => unknown, (self) => {
    const s = dbOf.get(self as object);
    if (s?.write && !s.db.isTransaction) reading.sqliteCommits++;
  }) as typeof st.run;
  st.get = timed(st.get as (...a: unknown[]) => unknown) as typeof st.get;
  st.all = timed(st.all as (...a: unknown[]) => unknown) as typeof st.all;
  const started = new WeakMap<IncomingMessage, number>();
  subscribe('http.server.request.start', (m) => {
    started.set((m as { request: IncomingMessage }).request, performance.now());
  });
  subscribe('http.server.response.finish', (m) => {
    const t0 = started.get((m as { request: IncomingMessage }).request);
    if (t0 !== undefined && serverAcks.length < 100_000) serverAcks.push(performance.now() - t0);
  });
  loop.enable();
}

export function readMeter(): MeterReading {
  return {
    ...reading,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    loopDelayMaxMs: loop.max / 1e6,
  };
}

/** Server-side ack times since the last call; resets them and the loop delay histogram. */
export function takeServerAcks(): number[] {
  loop.reset();
  reading.sqliteMaxMs = 0;
  return serverAcks.splice(0);
}

/**
 * Every allocation sampled (every 32 KiB), including objects the GC has since collected, which
 * `--heap-prof` leaves out: this is what shows the garbage that makes V8 grow the heap under load.
 * Returns a function that writes the .heapprofile (bench/profile.ts alloc reads it).
 */
export async function startAllocationSampling(): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 32 * 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return async (file) => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(file, JSON.stringify(profile));
  };
}
