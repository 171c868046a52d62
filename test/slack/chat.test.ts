import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { createWebClient, SlackChat } from '../../src/adapters/slack/chat.ts';
import { isRolecallError, type RolecallError } from '../../src/core/errors.ts';
import type { Card } from '../../src/ports/chat.ts';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';
import { FAST_RETRY } from './harness.ts';

let emu: SlackEmulator;
let chat: SlackChat;
const logger = createLogger({ level: 'silent' });

const USERS = [
  { id: 'UALICE', name: 'alice', realName: 'Alice Admin', email: 'alice@example.com', tz: 'Europe/Paris' },
  { id: 'UGUEST', name: 'guest', isUltraRestricted: true },
  { id: 'UEXT', name: 'ext', teamId: 'T0OTHER', isStranger: true },
  { id: 'UBOTTY', name: 'botty', isBot: true },
  { id: 'UGONE', name: 'gone', isDeleted: true },
];

beforeAll(async () => {
  emu = await startSlackEmulator({
    users: USERS,
    // Slack refuses posts to conversations the bot is not in: these are the ones it was invited to.
    channels: ['C0GENERAL', 'C0HUGE', 'C0RATE', 'C0RATE2'].map((id) => ({ id })),
  });
  chat = new SlackChat(createWebClient(emu.botToken, { apiUrl: emu.apiUrl, retry: FAST_RETRY, logger }));
});
afterAll(async () => emu?.close());

const card: Card = {
  text: 'Make Dana admin of billing?',
  sections: ['*Dana* (dana@example.com) gets *admin* on *billing* for 2 hours.'],
  fields: [
    ['Before', 'viewer'],
    ['After', 'admin'],
  ],
  buttons: [
    { actionId: 'rc_confirm', value: 'req-1', text: 'Confirm', style: 'primary' },
    { actionId: 'rc_cancel', value: 'req-1', text: 'Cancel' },
  ],
  context: 'Policy: billing-admins needs one approver',
};

async function rejection(p: Promise<unknown>): Promise<RolecallError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isRolecallError(err)) throw new Error(`expected a RolecallError, got ${String(err)}`);
  return err;
}

describe('SlackChat posting', () => {
  it('posts a card as Block Kit and returns the message reference', async () => {
    const ref = await chat.post('C0GENERAL', card, '1700000000.000001');
    const m = emu.messages.get('C0GENERAL')?.at(-1);
    expect(ref).toEqual({ channelId: 'C0GENERAL', ts: m?.ts });
    expect(m?.threadTs).toBe('1700000000.000001');
    expect(m?.text).toBe('Make Dana admin of billing?');
    expect(m?.blocks.map((b) => (b as { type: string }).type)).toEqual([
      'header',
      'section',
      'section',
      'actions',
      'context',
    ]);
  });

  it('updates in place and posts ephemerally', async () => {
    const ref = await chat.post('C0GENERAL', card);
    await chat.update(ref, { text: 'Done: Dana is admin of billing until 14:00' });
    const m = emu.messages.get('C0GENERAL')?.find((x) => x.ts === ref.ts);
    expect(m?.text).toBe('Done: Dana is admin of billing until 14:00');
    expect(m?.history).toHaveLength(1);
    await chat.postEphemeral('C0GENERAL', 'UALICE', { text: 'Only you can see this' });
    expect(emu.ephemerals.at(-1)).toMatchObject({
      channel: 'C0GENERAL',
      user: 'UALICE',
      text: 'Only you can see this',
    });
  });

  it('opens a DM once per user and posts into it', async () => {
    const a = await chat.dm('UALICE', { text: 'Your request was approved' });
    const b = await chat.dm('UALICE', { text: 'And it expired' });
    expect(a.channelId).toBe(emu.dmChannel('UALICE'));
    expect(b.channelId).toBe(a.channelId);
    expect(emu.callsTo('conversations.open')).toHaveLength(1);
    expect(emu.messages.get(a.channelId)?.map((m) => m.text)).toEqual([
      'Your request was approved',
      'And it expired',
    ]);
  });

  it('shortens a huge card to fit Slack instead of having it rejected', async () => {
    const huge: Card = {
      text: `Title ${'t'.repeat(100_000)}`,
      sections: Array.from({ length: 80 }, (_, i) => `section ${i} ${'x'.repeat(5000)}`),
      fields: Array.from(
        { length: 30 },
        (_, i) => [`label ${i} ${'l'.repeat(300)}`, 'v'.repeat(5000)] as [string, string],
      ),
      buttons: Array.from({ length: 30 }, (_, i) => ({
        actionId: 'rc_choose',
        value: `req-9:${i}:${'z'.repeat(3000)}`,
        text: `Choose person number ${i} ${'n'.repeat(100)}`,
      })),
      context: 'c'.repeat(10_000),
    };
    const ref = await chat.post('C0HUGE', huge);
    const m = emu.messages.get('C0HUGE')?.find((x) => x.ts === ref.ts);
    expect(m?.blocks.length).toBeLessThanOrEqual(50);
    expect(m?.text.length).toBeLessThanOrEqual(40_000);
    expect(JSON.stringify(m?.blocks)).toContain('shortened to fit Slack');
    // Every button survived, with unique action ids.
    const actions = m?.blocks.filter((b) => (b as { type: string }).type === 'actions') as {
      elements: unknown[];
    }[];
    expect(actions.flatMap((a) => a.elements)).toHaveLength(30);
  });

  it('maps Slack errors to SLACK.API with the method and Slack code', async () => {
    emu.failNext('chat.postMessage', 'channel_not_found');
    const err = await rejection(chat.post('C0MISSING', card));
    expect(err.code).toBe('SLACK.API');
    expect(err.details).toMatchObject({ method: 'chat.postMessage', error: 'channel_not_found' });
  });

  it('maps a bad token to SLACK.API invalid_auth without showing the token', async () => {
    const bad = new SlackChat(
      createWebClient('xoxb-not-the-right-one', { apiUrl: emu.apiUrl, retry: FAST_RETRY, logger }),
    );
    const err = await rejection(bad.post('C0GENERAL', card));
    expect(err.details.error).toBe('invalid_auth');
    expect(err.message).not.toContain('xoxb-not-the-right-one');
  });

  it('maps an unreachable Slack to SLACK.API', async () => {
    const down = new SlackChat(
      createWebClient(emu.botToken, { apiUrl: 'http://127.0.0.1:9/api/', retry: { retries: 0 }, logger }),
    );
    const err = await rejection(down.post('C0GENERAL', card));
    expect(err.code).toBe('SLACK.API');
  });
});

describe('SlackChat rate limits', () => {
  it('retries after Retry-After when Slack answers 429, then succeeds', async () => {
    emu.setRateLimit('chat.postMessage', 1, 1);
    const before = emu.callsTo('chat.postMessage').length;
    const ref = await chat.post('C0RATE', card);
    const calls = emu.callsTo('chat.postMessage').slice(before);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(emu.messages.get('C0RATE')?.map((m) => m.ts)).toEqual([ref.ts]);
  });

  it('gives up with SLACK.RATE_LIMITED after the bounded retries', async () => {
    emu.setRateLimit('chat.update', 10, 0);
    const ref = await chat.post('C0RATE2', card);
    const before = emu.callsTo('chat.update').length;
    const err = await rejection(chat.update(ref, card));
    expect(err.code).toBe('SLACK.RATE_LIMITED');
    expect(emu.callsTo('chat.update').length - before).toBe((FAST_RETRY.retries ?? 0) + 1);
    emu.setRateLimit('chat.update', 0, 0);
  });
});

describe('SlackChat users', () => {
  it('maps users.info to ChatUser', async () => {
    expect(await chat.userInfo('UALICE')).toEqual({
      id: 'UALICE',
      teamId: 'T0ROLECALL',
      name: 'alice',
      realName: 'Alice Admin',
      email: 'alice@example.com',
      tz: 'Europe/Paris',
      isBot: false,
      isDeleted: false,
      isRestricted: false,
      isStranger: false,
    });
  });

  it('flags guests, strangers, bots and deactivated users', async () => {
    expect(await chat.userInfo('UGUEST')).toMatchObject({ isRestricted: true, isStranger: false });
    expect(await chat.userInfo('UEXT')).toMatchObject({ isStranger: true, teamId: 'T0OTHER' });
    expect(await chat.userInfo('UBOTTY')).toMatchObject({ isBot: true });
    expect(await chat.userInfo('UGONE')).toMatchObject({ isDeleted: true });
  });

  it('returns undefined for an unknown user rather than throwing', async () => {
    expect(await chat.userInfo('UNOBODY')).toBeUndefined();
  });
});
