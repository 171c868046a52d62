import type { MeterReading } from '../test/support/bot-meter.ts';
import { startWorld, type World } from '../test/support/bot-world.ts';
import { startJongodb } from '../test/support/mongo-server.ts';
import { type ChangeSample, change } from './lib/conversation.ts';
import { log, round, storePerChange, writeResult } from './lib/stats.ts';

interface AuditRow {
  kind: string;
  requestId?: string;
}

/**
 * Sustained applied changes per second on one bot process: `CONCURRENCY` conversations in a loop
 * (grant, then revoke, `editor` for their own target) for a fixed time; afterwards every change the
 * driver saw applied must have its `applied` audit record, and the chain must verify. Peak RSS of
 * the bot process is sampled throughout and read from getrusage at the end.
 */
const CONCURRENCY = 20;
export const HEAP_CAPS = '--max-semi-space-size=2 --max-old-space-size=64';

async function sustained(w: World, seconds: number) {
  const end = performance.now() + seconds * 1000;
  const samples: ChangeSample[] = [];
  let peakRss = 0;
  // Where the peak RSS is: V8's heap (committed / live) and memory outside it, at the sample of the peak.
  let atPeak: NodeJS.MemoryUsage | undefined;
  const before = await w.bot.ask<{ meter: MeterReading }>('stats');
  const sampler = setInterval(() => {
    w.bot
      .ask<{ rssBytes: number; memory: NodeJS.MemoryUsage }>('stats')
      .then((s) => {
        if (s.rssBytes > peakRss) atPeak = s.memory;
        peakRss = Math.max(peakRss, s.rssBytes);
      })
      .catch(() => undefined);
  }, 500);
  const t0 = performance.now();
  await Promise.all(
    w.targets.slice(0, CONCURRENCY).map(async (t) => {
      while (performance.now() < end) {
        samples.push(await change(w, `make <@${t.slack}> an editor`));
        samples.push(await change(w, `remove <@${t.slack}>'s editor role`));
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const applied = samples.filter((s) => s.ok).length;
  const audit = await w.bot.ask<AuditRow[]>('audit');
  const verify = await w.bot.ask<{ ok: boolean; count: number }>('verify');
  const stats = await w.bot.ask<{ maxRssBytes: number; meter: MeterReading }>('stats');
  const store = storePerChange(before.meter, stats.meter, applied);
  const appliedRecords = audit.filter((a) => a.kind === 'applied').length;
  return {
    seconds: round(elapsed, 1),
    concurrency: CONCURRENCY,
    changesApplied: applied,
    changesFailed: samples.length - applied,
    changesPerSecond: round(applied / elapsed),
    appliedAuditRecords: appliedRecords,
    auditRecords: audit.length,
    auditChainOk: verify.ok,
    lostAuditRecords: Math.max(0, applied - appliedRecords),
    peakRssMiB: round(Math.max(peakRss, stats.maxRssBytes) / 2 ** 20, 1),
    ...(atPeak
      ? {
          atPeakMiB: {
            rss: round(atPeak.rss / 2 ** 20, 1),
            heapTotal: round(atPeak.heapTotal / 2 ** 20, 1),
            heapUsed: round(atPeak.heapUsed / 2 ** 20, 1),
            external: round(atPeak.external / 2 ** 20, 1),
          },
        }
      : {}),
    ...store,
  };
}

export async function benchThroughput(quick: boolean): Promise<void> {
  const seconds = quick ? 8 : 20;
  const out: Record<string, unknown> = {};
  const mongo = await startJongodb();
  try {
    for (const [name, scim, mongoUri, nodeOptions] of [
      ['sqlite+betterAuth', 'better-auth', undefined, undefined],
      ['sqlite+ownScim', 'own', undefined, undefined],
      // The same load with V8's heap sized down: shows how much of the peak RSS is lazy GC.
      ['sqlite+ownScim, NODE_OPTIONS heap caps', 'own', undefined, HEAP_CAPS],
      ['mongodb(jongodb)+ownScim', 'own', mongo.uri, undefined],
    ] as const) {
      const w = await startWorld({
        scim,
        targets: CONCURRENCY,
        ...(mongoUri ? { mongoUri } : {}),
        ...(nodeOptions ? { env: { NODE_OPTIONS: nodeOptions } } : {}),
      });
      try {
        // Warm-up conversation: caches, JIT, store connections.
        await change(w, `make <@${w.targets[0]!.slack}> an editor`);
        await change(w, `remove <@${w.targets[0]!.slack}>'s editor role`);
        out[name] = await sustained(w, seconds);
        log(`throughput ${name}: ${JSON.stringify(out[name])}`);
      } finally {
        await w.close();
      }
    }
  } finally {
    await mongo.stop();
  }
  writeResult('throughput', { targetPeakRssMiB: 200, heapCaps: HEAP_CAPS, ...out }, quick);
}
