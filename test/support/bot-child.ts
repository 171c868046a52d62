import { RequestState } from '../../src/core/request-record.ts';
import { startRolecall } from '../../src/main.ts';
import { installMeter, readMeter, startAllocationSampling, takeServerAcks } from './bot-meter.ts';

/**
 * The real bot (`startRolecall`, as `npm start` builds it) in its own process, for the benchmarks
 * and the crash tests. Configured only by the environment, plus:
 * - ROLECALL_SCHEDULER_MS: scheduler interval (default 15 s);
 * - ROLECALL_CLOCK_OFFSET_MS: added to the real clock, so a restarted process sees interrupted work
 *   as older than the recovery grace without waiting a minute.
 * Talks to its parent over IPC: `ready` with the HTTP port, then answers `{ id, cmd }` messages.
 */
installMeter();
const allocProfile = process.env.ROLECALL_ALLOC_PROFILE ? await startAllocationSampling() : undefined;
const offset = Number(process.env.ROLECALL_CLOCK_OFFSET_MS ?? 0);
const app = await startRolecall({
  env: process.env,
  clock: { now: () => new Date(Date.now() + offset) },
  schedulerIntervalMs: Number(process.env.ROLECALL_SCHEDULER_MS ?? 15_000),
});

type Cmd = {
  id: number;
  cmd: 'stats' | 'audit' | 'verify' | 'requests' | 'tick' | 'stop' | 'serverAcks';
};

async function answer(m: Cmd): Promise<unknown> {
  switch (m.cmd) {
    case 'stats': {
      const tenant = app.directories.forTenant(app.deps.policy.tenants[0]!.id);
      return {
        rssBytes: process.memoryUsage().rss,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        memory: process.memoryUsage(),
        meter: readMeter(),
        scim: structuredClone(tenant.stats),
      };
    }
    case 'audit':
      return (await app.stores.audit.query({ limit: 1_000_000 })).map((a) => ({
        seq: a.seq,
        kind: a.kind,
        requestId: a.requestId,
        at: a.at,
      }));
    case 'verify':
      return app.stores.audit.verify();
    case 'requests': {
      const out = [];
      for (const state of RequestState.options)
        out.push(...(await app.stores.requests.find({ states: [state], limit: 500 })));
      return out.map((r) => ({
        id: r.id,
        state: r.state,
        grantEndsAt: r.grantEndsAt,
        updatedAt: r.updatedAt,
      }));
    }
    case 'serverAcks':
      return takeServerAcks();
    case 'tick':
      await app.tick();
      return true;
    case 'stop':
      await app.stop();
      if (allocProfile) await allocProfile(process.env.ROLECALL_ALLOC_PROFILE!);
      setImmediate(() => process.exit(0));
      return true;
  }
}

process.on('message', (m: Cmd) => {
  answer(m).then(
    (value) => process.send?.({ id: m.id, value }),
    (err: unknown) => process.send?.({ id: m.id, error: String(err) }),
  );
});
process.send?.({ type: 'ready', port: app.slack.port });
