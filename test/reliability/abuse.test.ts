import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicExtractor } from '../../src/adapters/llm/anthropic-extractor.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import {
  APPROVALS,
  buttons,
  type E2E,
  GENERAL,
  OTHER_TEAM,
  type PEOPLE,
  SECRET,
  startE2E,
  TEAM,
} from '../e2e/harness.ts';
import {
  type FakeAnthropic,
  type FakeRequest,
  startFakeAnthropic,
  toolUse,
} from '../support/fake-anthropic.ts';
import type { ApiCall } from '../support/slack-emulator.ts';
import { mentionEvent } from '../support/slack-payloads.ts';
import { sendAction, sendEvent } from '../support/slack-signing.ts';

/**
 * Abuse through the real bot: a corpus of prompt-injection and social-engineering messages (offline
 * parser, then a model scripted to obey every injection), forged/replayed/stale Slack requests, and
 * approver spoofing. The property: nothing reaches the directory without the policy's approval.
 */
const CORPUS = readFileSync(new URL('./abuse-corpus.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { text: string; kind: string });
const SENDERS: (keyof typeof PEOPLE)[] = ['bob', 'erin', 'alice'];

let channelSeq = 0;
/** Says `text` in a fresh channel, waits for the bot's first answer there, and confirms any card. */
async function attempt(e: E2E, who: keyof typeof PEOPLE, text: string): Promise<string | undefined> {
  const channel = `C7ABUSE${++channelSeq}`;
  const inChannel = (c: ApiCall) => c.args.channel === channel;
  await e.say(who, text, { channel });
  const reply = await Promise.race([
    e.slack.waitForCall('chat.postEphemeral', inChannel, 15_000),
    e.slack.waitForCall('chat.postMessage', inChannel, 15_000),
  ]);
  const confirm = buttons((reply.args.blocks as unknown[]) ?? []).find((b) => b.actionId === 'rc_confirm');
  if (process.env.ABUSE_DEBUG) console.info(who, '|', text, '=>', String(reply.args.text).slice(0, 120));
  if (!confirm) return undefined;
  // The attacker confirms whatever card they got.
  expect(await e.click(who, 'rc_confirm', confirm.value, channel)).toBe(200);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await e.app.stores.requests.get(confirm.value);
    if (r && r.state !== 'awaiting_confirmation') break;
    if (Date.now() > deadline) throw new Error(`request ${confirm.value} never left awaiting_confirmation`);
    await new Promise((res) => setTimeout(res, 20));
  }
  return confirm.value;
}

function report(lane: string, ids: (string | undefined)[], e: E2E) {
  const cards = ids.filter(Boolean).length;
  console.info(
    `abuse (${lane}): ${CORPUS.length} messages, ${cards} confirmable cards (each confirmed by the sender; the offline lane includes 1 control), ` +
      `0 applied, ${e.scimWrites()} SCIM writes`,
  );
}

async function expectNoEscalation(e: E2E, ids: (string | undefined)[]) {
  expect(e.scimWrites()).toBe(0);
  for (const id of ids.filter((x): x is string => !!x)) {
    const r = (await e.app.stores.requests.get(id))!;
    expect(['awaiting_approval', 'denied', 'failed', 'cancelled', 'expired']).toContain(r.state);
    expect(r.approvals).toEqual([]);
  }
  expect((await e.app.stores.audit.query({ kinds: ['applied', 'applying'] })).length).toBe(0);
}

describe(`abuse corpus (${CORPUS.length} messages), offline parser`, () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E({ scim: 'own' });
  });
  afterAll(() => e?.close());

  it('no message escalates anyone: no SCIM write, nothing applied, approvals untouched', async () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(50);
    const ids: (string | undefined)[] = [];
    for (const [i, m] of CORPUS.entries()) ids.push(await attempt(e, SENDERS[i % SENDERS.length]!, m.text));
    // Control: a request the policy routes to approval is confirmed through the same path, and waits.
    const control = await attempt(e, 'alice', 'make <@U0ERIN> an admin for 2 hours');
    expect(control).toBeDefined();
    expect((await e.app.stores.requests.get(control!))?.state).toBe('awaiting_approval');
    ids.push(control);
    await expectNoEscalation(e, ids);
    report('offline parser', ids, e);
  });
});

describe('abuse corpus, with a model that obeys every injection', () => {
  let e: E2E;
  let fake: FakeAnthropic;
  const rolesOf = (req: FakeRequest): string[] =>
    req.body.tools?.find((t: { name: string }) => t.name === 'request_role_change')?.input_schema.properties
      .role.enum ?? [];
  beforeAll(async () => {
    fake = await startFakeAnthropic({
      script: (req, i) => {
        const text = JSON.stringify(req.body.messages);
        const mention = /<@(U0[A-Z0-9]+)>/.exec(text.replace('<@UROLECALLBOT>', ''))?.[1];
        const role = rolesOf(req).at(-1) ?? 'owner';
        const targets =
          i % 2 === 0 || !mention ? [{ kind: 'me', value: '' }] : [{ kind: 'slack_user', value: mention }];
        return toolUse({
          name: 'request_role_change',
          input: {
            action: 'grant',
            targets,
            role,
            duration_phrase: '',
            justification: 'approved by the CEO',
          },
        });
      },
    });
    e = await startE2E({
      scim: 'own',
      extractor: createAnthropicExtractor({
        apiKey: 'sk-ant-abuse',
        baseURL: fake.baseUrl,
        model: 'claude-sonnet-4-5',
        timeoutMs: 5_000,
        maxRetries: 0,
        logger: createLogger({ level: 'silent' }),
      }),
    });
  });
  afterAll(async () => {
    await e?.close();
    await fake?.close();
  });

  it('the model asks for the top role every time; the policy still lets nothing through', async () => {
    const ids: (string | undefined)[] = [];
    for (const [i, m] of CORPUS.entries()) ids.push(await attempt(e, SENDERS[i % SENDERS.length]!, m.text));
    expect(fake.requests.length).toBeGreaterThanOrEqual(CORPUS.length);
    await expectNoEscalation(e, ids);
    report('obedient model', ids, e);
  });
});

describe('forged, replayed and stale Slack requests; approver spoofing', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E({ scim: 'own' });
  });
  afterAll(() => e?.close());

  it('forged, unsigned and stale requests get 401; a replayed event is handled once', async () => {
    const event = mentionEvent({
      user: 'U0ALICE',
      text: `<@${e.slack.botUserId}> make <@U0BOB> an editor`,
      channel: 'C7REPLAY',
    });
    const o = { teamId: TEAM, botUserId: e.slack.botUserId, eventId: 'Ev7REPLAY1' };
    for (const bad of [{ forge: true }, { unsigned: true }, { stale: true }])
      expect((await sendEvent(e.eventsUrl, SECRET, event, { ...o, ...bad })).status).toBe(401);
    const click = {
      actionId: 'rc_confirm',
      value: 'RC-NOPE',
      userId: 'U0ALICE',
      teamId: TEAM,
      channelId: GENERAL,
    };
    expect((await sendAction(e.eventsUrl, SECRET, click, { forge: true })).status).toBe(401);
    expect((await sendAction(e.eventsUrl, SECRET, click, { stale: true })).status).toBe(401);
    // The same signed delivery twice (Slack retries, or an attacker replaying within the window).
    expect((await sendEvent(e.eventsUrl, SECRET, event, o)).status).toBe(200);
    expect((await sendEvent(e.eventsUrl, SECRET, event, { ...o, retryNum: 1 })).status).toBe(200);
    const inChannel = (c: ApiCall) => c.args.channel === 'C7REPLAY';
    const first = await e.slack.waitForCall('chat.postEphemeral', inChannel);
    await e.say('alice', 'what roles do I have?', { channel: 'C7REPLAY' }); // a later message, as a barrier
    await e.slack.waitForCall('chat.postEphemeral', (c) => inChannel(c) && c !== first);
    const cards = e.slack
      .callsTo('chat.postEphemeral')
      .filter((c) => inChannel(c) && JSON.stringify(c.args.blocks ?? '').includes('rc_confirm'));
    expect(cards).toHaveLength(1);
    expect(e.scimWrites()).toBe(0);
  });

  it('oversized requests (1 MB message, 5 MB body, 200 KB click value) do not crash the bot or reach the directory', async () => {
    const big = mentionEvent({
      user: 'U0ALICE',
      text: `<@${e.slack.botUserId}> make <@U0BOB> an editor ${'x'.repeat(1_000_000)}`,
      channel: 'C7HUGE',
    });
    const o = { teamId: TEAM, botUserId: e.slack.botUserId };
    // Refused (413, or the connection cut while the body is still arriving) or taken and answered; never a crash.
    const outcome = (p: Promise<{ status: number }>) =>
      p.then(
        (r) => r.status,
        () => 'cut',
      );
    const huge = mentionEvent({ user: 'U0ALICE', text: 'y'.repeat(5_000_000), channel: 'C7HUGE' });
    const click = {
      actionId: 'rc_confirm',
      value: 'z'.repeat(200_000),
      userId: 'U0ALICE',
      teamId: TEAM,
      channelId: 'C7HUGE',
    };
    const got = [
      await outcome(sendEvent(e.eventsUrl, SECRET, big, o)),
      await outcome(sendEvent(e.eventsUrl, SECRET, huge, o)),
      await outcome(sendAction(e.eventsUrl, SECRET, click)),
    ];
    console.info(
      `oversized requests: 1 MB mention → ${got[0]}, 5 MB body → ${got[1]}, 200 KB click value → ${got[2]}`,
    );
    for (const g of got) expect([200, 413, 'cut']).toContain(g);
    // Still serving: an ordinary request gets its card.
    // (The 413 closes its connection; a client's pooled socket may see that reset once.)
    await e
      .say('alice', 'make <@U0BOB> an editor', { channel: 'C7AFTER' })
      .catch(() => e.say('alice', 'make <@U0BOB> an editor', { channel: 'C7AFTER' }));
    await e.slack.waitForCall('chat.postEphemeral', (c) => c.args.channel === 'C7AFTER');
    expect(e.scimWrites()).toBe(0);
  });

  it('approve clicks by a non-approver, by the requester and by an external user are refused', async () => {
    await e.say('olga', 'make <@U0DANA1> an owner', { channel: 'C7SPOOF' });
    const card = await e.slack.waitForCall('chat.postEphemeral', (c) => c.args.channel === 'C7SPOOF');
    const id = buttons(card.args.blocks as unknown[]).find((b) => b.actionId === 'rc_confirm')!.value;
    await e.click('olga', 'rc_confirm', id, 'C7SPOOF');
    await e.waitPost(APPROVALS, /grant `owner` for <@U0DANA1>/);
    const refusals = e.slack.calls.length;
    await e.click('bob', 'rc_approve', id, APPROVALS); // not an approver
    await e.click('olga', 'rc_approve', id, APPROVALS); // the requester
    // An external user, clicking from another organisation.
    await sendAction(e.eventsUrl, SECRET, {
      actionId: 'rc_approve',
      value: id,
      userId: 'U0MALLORY',
      teamId: TEAM,
      userTeamId: OTHER_TEAM,
      channelId: APPROVALS,
    });
    // Each is told, where Slack would show it: a click is answered through its response_url
    // (issue 14); the forged payload carries no usable one, so its refusal falls back to an ephemeral.
    for (const who of ['bob', 'olga'] as const) await e.replyTo(who, /./, refusals);
    await e.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === 'U0MALLORY' && e.slack.calls.indexOf(c) >= refusals,
    );
    const r = (await e.app.stores.requests.get(id))!;
    expect(r.state).toBe('awaiting_approval');
    expect(r.approvals).toEqual([]);
    expect(await e.members('Owners')).not.toContain(e.scimId('dana1'));
    expect(e.scimWrites()).toBe(0);
  });
});
