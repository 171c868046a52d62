import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../support/bot-world.ts';
import type { FaultRule } from '../support/scim-server.ts';
import type { ApiCall } from '../support/slack-emulator.ts';
import { checkInvariants } from './invariants.ts';

/**
 * The real bot in a child process under faults: SIGKILL at random points of a stream of changes
 * (then restarted), and SCIM 429/5xx/timeouts/connection resets. Afterwards: every request final
 * or waiting for a person, every applied change audited, no change applied twice, chain intact.
 * Randomness is seeded (RELIABILITY_SEED); the seed and the counts are printed.
 */
const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_202);
/** Past recovery's 60 s grace: each restarted bot's clock runs this much further ahead. */
const RESTART_SKEW_MS = 61_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let channelSeq = 0;
const textFor = (w: World, i: number) => {
  const t = w.targets[i % w.targets.length]!;
  // Ask for a change that changes something: a fault may have left the role as it was, and a grant
  // of a role already held is answered before any confirmation card (issue 16).
  const holds = w.own?.state.groupsOf(t.userName).includes('Editors');
  const grant = holds === undefined ? Math.floor(i / w.targets.length) % 2 === 0 : !holds;
  return grant ? `make <@${t.slack}> an editor` : `remove <@${t.slack}>'s editor role`;
};

/** The outcome of a confirmed change in its channel: Done, or an error card with a reference. */
function outcome(w: World, channel: string, timeoutMs: number): Promise<string> {
  const hit = (c: ApiCall) => /^Done:|Reference:|nothing to change|already/i.test(String(c.args.text));
  return w.answer(channel, hit, timeoutMs).then((c) => String(c.args.text));
}

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('reliability: crashes and directory faults', () => {
  it(`SIGKILL at random points of a stream of changes, restart, recover (seed ${SEED})`, async () => {
    const rng = mulberry32(SEED);
    world = await startWorld({ scim: 'own', targets: 6 });
    const w = world;
    const own = w.own!;
    let offset = 0;
    let kills = 0;
    let armed = -1;
    let killed = false;
    let scimCalls = 0;
    // SCIM calls from the confirm click to the outcome, measured on unkilled rounds, so the kill
    // points cover the whole apply (identity checks, the read, the PATCH, the read-back) however many there are.
    let span = 6;
    own.faults.onRequest = () => {
      scimCalls++;
      if (armed < 0) return;
      if (armed-- === 0) {
        kills++;
        killed = true;
        process.kill(w.bot.pid, 'SIGKILL');
      }
    };
    const restart = async () => {
      offset += RESTART_SKEW_MS;
      await w.restart({ kill: true, env: { ROLECALL_CLOCK_OFFSET_MS: String(offset) } });
    };
    const rounds = 30;
    let done = 0;
    for (let i = 0; i < rounds; i++) {
      const channel = `C6CRASH${++channelSeq}`;
      // Half the rounds die at the k-th SCIM call after the confirm click: before, during or after the PATCH.
      const killAt = rng() < 0.5 ? Math.floor(rng() * span) : -1;
      try {
        await w.say(channel, textFor(w, i));
        const card = await w.card(channel, 10_000);
        armed = killAt;
        const before = scimCalls;
        await w.click(channel, 'rc_confirm', card.requestId).catch(() => undefined);
        if (killAt < 0) {
          await outcome(w, channel, 15_000);
          span = Math.max(span, scimCalls - before);
          done++;
        } else {
          // Either the kill comes (the process exits) or the change finishes with fewer SCIM calls.
          await Promise.race([
            new Promise<void>((r) => w.bot.child.once('exit', () => r())),
            outcome(w, channel, 15_000).then(() => {
              // Recovery announces too, after a restart: count only outcomes seen before any kill.
              if (!killed) done++;
            }),
          ]);
        }
      } finally {
        armed = -1;
      }
      // The kill may land just after the outcome was posted: restart whenever one was sent.
      if (killed || w.bot.child.exitCode !== null || w.bot.child.signalCode !== null) await restart();
      killed = false;
    }
    // One more start on the same store runs recovery for whatever the last kill left behind.
    await restart();
    await w.bot.stop();
    const f = await checkInvariants(w.dataDir, own);
    console.info(
      `crash (seed ${SEED}): ${rounds} changes streamed, ${kills} SIGKILLs, an outcome posted for ${done}, ` +
        `${f.requests} requests ${JSON.stringify(f.byState)}, ${f.recovered} recovered after restart, ` +
        `${f.patches} PATCHes landed for ${f.changesInAudit} live changes + ${f.recoveredApplied} completed by recovery, ${f.auditRecords} audit records, chain ${f.chainOk ? 'ok' : 'BROKEN'}`,
    );
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(f.problems).toEqual([]);
    expect(f.applied).toBeGreaterThan(0);
  });

  it(`SCIM 429, 5xx, timeouts and connection resets mid-run lose nothing and apply nothing twice (seed ${SEED + 1})`, async () => {
    const rng = mulberry32(SEED + 1);
    world = await startWorld({ scim: 'own', targets: 6, scimTimeout: '1s' });
    const w = world;
    const own = w.own!;
    const FAULTS: FaultRule[] = [
      { method: 'GET', times: 2, action: { kind: 'status', status: 429, retryAfter: '0' } },
      { method: 'GET', action: { kind: 'status', status: 503 } },
      { method: 'GET', action: { kind: 'reset' } },
      { method: 'GET', action: { kind: 'hang' } },
      { method: 'PATCH', action: { kind: 'status', status: 503 } },
      { method: 'PATCH', action: { kind: 'status', status: 500 } },
      { method: 'PATCH', action: { kind: 'status', status: 502, apply: true } },
      { method: 'PATCH', action: { kind: 'reset' } },
      { method: 'PATCH', action: { kind: 'reset', apply: true } },
      { method: 'PATCH', action: { kind: 'hang' } },
      { method: 'GET', times: 8, action: { kind: 'status', status: 503 } },
    ];
    const outcomes: Record<string, number> = {};
    const rounds = 33;
    for (let i = 0; i < rounds; i++) {
      const channel = `C6FAULT${++channelSeq}`;
      await w.say(channel, textFor(w, i));
      const card = await w.card(channel, 20_000);
      own.faults.rules = [structuredClone(FAULTS[Math.floor(rng() * FAULTS.length)]!)];
      await w.click(channel, 'rc_confirm', card.requestId);
      const text = await outcome(w, channel, 30_000);
      const kind = /^Done:/.test(text)
        ? 'done'
        : /Reference:/.test(text)
          ? 'error card'
          : /^Nothing to change/.test(text)
            ? 'no-op'
            : 'other';
      outcomes[kind] = (outcomes[kind] ?? 0) + 1;
      own.faults.rules = [];
    }
    await w.restart({ kill: false, env: { ROLECALL_CLOCK_OFFSET_MS: String(RESTART_SKEW_MS) } });
    await w.bot.stop();
    const f = await checkInvariants(w.dataDir, own);
    console.info(
      `faults (seed ${SEED + 1}): ${rounds} changes, outcomes ${JSON.stringify(outcomes)}, requests ${JSON.stringify(f.byState)}, ` +
        `${f.recovered} recovered, ${f.patches} PATCHes landed for ${f.changesInAudit} live changes + ${f.recoveredApplied} recovered, chain ${f.chainOk ? 'ok' : 'BROKEN'}`,
    );
    expect(f.problems).toEqual([]);
    expect(outcomes.done).toBeGreaterThan(0);
    expect(outcomes.other).toBeUndefined();
  });
});
