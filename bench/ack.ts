import type { MeterReading } from '../test/support/bot-meter.ts';
import { startWorld } from '../test/support/bot-world.ts';
import { startFakeAnthropic, toolUse } from '../test/support/fake-anthropic.ts';
import { busyTime, startTimingProxy } from '../test/support/timing-proxy.ts';
import { type ChangeSample, loop } from './lib/conversation.ts';
import { acrossRuns, log, median, quantile, round, storePerChange, writeResult } from './lib/stats.ts';

/**
 * Ack latency (request in → HTTP 200) with 1, 10 and 50 concurrent conversations, against Better
 * Auth's SCIM server with the offline parser; and again while the LLM takes 5 s to answer. The
 * 1-conversation runs also give Rolecall's own overhead per applied change.
 */
export async function benchAck(quick: boolean): Promise<void> {
  const runs = quick ? 2 : 5;
  const levels = [1, 10, 50];
  const w = await startWorld({ scim: 'better-auth', targets: 50 });
  const results: Record<string, unknown> = {};
  const serial: ChangeSample[] = [];
  const serialStore: { before?: MeterReading; after?: MeterReading } = {};
  try {
    await loop(w, w.targets[0]!.slack, 1, []); // warm-up
    await w.bot.ask('serverAcks');
    serialStore.before = (await w.bot.ask<{ meter: MeterReading }>('stats')).meter;
    for (const c of levels) {
      const perRun: number[][] = [];
      const serverRuns: number[][] = [];
      /** The bot's longest event-loop stall per run: requests wait that long before being read. */
      const loopMax: number[] = [];
      const sqliteMax: number[] = [];
      const rounds = c === 1 ? (quick ? 4 : 10) : c === 10 ? 2 : 1;
      for (let r = 0; r < runs; r++) {
        const samples: ChangeSample[] = [];
        await Promise.all(w.targets.slice(0, c).map((t) => loop(w, t.slack, rounds, samples)));
        perRun.push(samples.flatMap((s) => s.acks));
        // Request received → response finished, timed inside the bot: the driver's figure also
        // holds its own event loop's lag (it hosts Better Auth, the Slack emulator and the proxies).
        const m = (await w.bot.ask<{ meter: MeterReading }>('stats')).meter;
        loopMax.push(m.loopDelayMaxMs);
        sqliteMax.push(m.sqliteMaxMs);
        serverRuns.push(await w.bot.ask<number[]>('serverAcks'));
        if (c === 1) serial.push(...samples);
        const failed = samples.filter((s) => !s.ok).length;
        log(
          `ack c=${c} run ${r + 1}/${runs}: p99 ${round(quantile(perRun.at(-1)!, 0.99))} ms, failed ${failed}`,
        );
      }
      results[`c${c}`] = {
        ...acrossRuns(perRun),
        insideBot: acrossRuns(serverRuns),
        botLoopStallMaxMs: round(median(loopMax)),
        longestSqliteCallMs: round(median(sqliteMax)),
      };
      if (c === 1) serialStore.after = (await w.bot.ask<{ meter: MeterReading }>('stats')).meter;
    }
  } finally {
    await w.close();
  }
  const ownSerial: ChangeSample[] = [];
  const own = await startWorld({ scim: 'own', targets: 2 });
  let ownStore = {};
  try {
    await loop(own, own.targets[0]!.slack, 1, []);
    const before = (await own.bot.ask<{ meter: MeterReading }>('stats')).meter;
    await loop(own, own.targets[1]!.slack, quick ? 5 : 25, ownSerial);
    const after = (await own.bot.ask<{ meter: MeterReading }>('stats')).meter;
    ownStore = storePerChange(before, after, ownSerial.length);
  } finally {
    await own.close();
  }
  const llmSerial = await llmOverhead(quick);
  writeResult(
    'overhead',
    {
      betterAuth: {
        scim: 'Better Auth 1.7.5 (@better-auth/scim, in memory), groups role model',
        ...overheadOf(serial),
        ...storePerChange(serialStore.before!, serialStore.after!, serial.length),
      },
      ownScim: {
        scim: 'our SCIM server (test/support/scim-server.ts), `groups` on users',
        ...overheadOf(ownSerial),
        ...ownStore,
      },
      ownScimWithLlm: {
        scim: 'our SCIM server, `groups` on users; intents from the Anthropic SDK against the fake Messages API (instant answers)',
        ...overheadOf(llmSerial),
      },
    },
    quick,
  );
  results.slowLlm = await slowLlm(quick, runs);
  writeResult('ack', { scim: 'Better Auth 1.7.5', targetP99Ms: 100, ...results }, quick);
}

async function slowLlm(quick: boolean, runs: number): Promise<Record<string, unknown>> {
  let answered = 0;
  const fake = await startFakeAnthropic({
    script: async () => {
      await new Promise((r) => setTimeout(r, 5_000));
      answered++;
      return toolUse({ name: 'none', input: { reason: 'not_a_request' } });
    },
  });
  const w = await startWorld({
    scim: 'better-auth',
    targets: 50,
    env: { ANTHROPIC_API_KEY: 'sk-ant-bench', ANTHROPIC_BASE_URL: fake.baseUrl },
  });
  const out: Record<string, unknown> = { llmDelayMs: 5_000 };
  let sent = 0;
  try {
    for (const c of [1, 10, 50]) {
      const perRun: number[][] = [];
      const serverRuns: number[][] = [];
      const loopMax: number[] = [];
      for (let r = 0; r < (quick ? 1 : Math.min(runs, 3)); r++) {
        const acks = await Promise.all(
          w.targets.slice(0, c).map(async (t, i) => {
            sent++;
            return (await w.say(`C8${c}R${r}N${i}`, `make <@${t.slack}> an editor`)).ms;
          }),
        );
        perRun.push(acks);
        loopMax.push((await w.bot.ask<{ meter: MeterReading }>('stats')).meter.loopDelayMaxMs);
        serverRuns.push(await w.bot.ask<number[]>('serverAcks'));
        log(`ack with 5 s LLM c=${c} run ${r + 1}: p99 ${round(quantile(acks, 0.99))} ms`);
      }
      out[`c${c}`] = {
        ...acrossRuns(perRun),
        insideBot: acrossRuns(serverRuns),
        botLoopStallMaxMs: round(median(loopMax)),
      };
    }
    const deadline = Date.now() + 60_000;
    while (answered < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    out.llmCallsAnswered = answered;
    out.mentionsSent = sent;
  } finally {
    await w.close();
    await fake.close();
  }
  return out;
}

function overheadOf(serial: ChangeSample[]) {
  const p = (xs: number[]) => ({ p50: round(median(xs)), p99: round(quantile(xs, 0.99)) });
  const calls = serial.map((s) => s.scimCalls);
  return {
    changes: serial.length,
    failed: serial.filter((s) => !s.ok).length,
    e2eMs: p(serial.map((s) => s.e2eMs)),
    scimMs: p(serial.map((s) => s.scimMs)),
    llmMs: p(serial.map((s) => s.llmMs)),
    overheadMs: p(serial.map((s) => s.e2eMs - s.scimMs - s.llmMs)),
    overheadExcludingSlackApiMs: p(serial.map((s) => s.e2eMs - s.scimMs - s.llmMs - s.slackMs)),
    scimCallsPerRequestFlow: { p50: median(calls), max: Math.max(...calls) },
    fullListings: serial.reduce((n, s) => n + s.fullListings, 0),
  };
}

/** The same serial changes with the LLM path: the fake Messages API behind a timing proxy. */
async function llmOverhead(quick: boolean): Promise<ChangeSample[]> {
  const fake = await startFakeAnthropic({
    script: (req) => {
      const text = JSON.stringify(req.body.messages);
      const target = /<@(U1T\d+)>/.exec(text)?.[1] ?? '';
      return toolUse({
        name: 'request_role_change',
        input: {
          action: /remove/.test(text) ? 'revoke' : 'grant',
          targets: [{ kind: 'slack_user', value: target }],
          role: 'editor',
          duration_phrase: '',
          justification: '',
        },
      });
    },
  });
  const llm = await startTimingProxy(fake.baseUrl);
  const w = await startWorld({
    scim: 'own',
    targets: 2,
    env: { ANTHROPIC_API_KEY: 'sk-ant-bench', ANTHROPIC_BASE_URL: llm.url },
  });
  const out: ChangeSample[] = [];
  try {
    await loop(w, w.targets[0]!.slack, 1, []);
    await loop(w, w.targets[1]!.slack, quick ? 5 : 25, out);
    for (const s of out) s.llmMs = s.windows.reduce((n, [a, b]) => n + busyTime(llm.calls, a, b), 0);
    if (llm.calls.length < out.length)
      throw new Error(`only ${llm.calls.length} LLM calls for ${out.length} changes`);
  } finally {
    await w.close();
    await llm.close();
    await fake.close();
  }
  return out;
}
