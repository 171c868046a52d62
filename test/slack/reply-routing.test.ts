import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkApprovalChannelsProbe } from '../../src/adapters/slack/approval-channels.ts';
import { renderCard } from '../../src/adapters/slack/blocks.ts';
import { createWebClient, SlackChat } from '../../src/adapters/slack/chat.ts';
import type { AppDeps } from '../../src/app/deps.ts';
import { replyTo } from '../../src/app/reply.ts';
import { rawPlainText } from '../support/slack-contract.ts';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';
import { captureLogger, FAST_RETRY, slackEnv } from '../support/slack-harness.ts';

/** Where a reply lands under Slack's rules: response_url while it lasts, the channel, then a DM. */
let emu: SlackEmulator;
let chat: SlackChat;
let now = Date.parse('2026-11-23T09:00:00Z');
const { logger } = captureLogger('silent');
const deps = () => ({ chat, clock: { now: () => new Date(now) }, log: logger }) as unknown as AppDeps;

beforeAll(async () => {
  emu = await startSlackEmulator({
    users: [{ id: 'UALICE' }],
    channels: [{ id: 'CIN' }, { id: 'CNOBOT', botMember: false }, { id: 'CAPPROVE' }],
  });
  chat = new SlackChat(createWebClient(emu.botToken, { apiUrl: emu.apiUrl, retry: FAST_RETRY, logger }));
});
afterAll(async () => emu?.close());

const since = () => {
  const from = emu.calls.length;
  return () =>
    emu.calls.slice(from).map((c) => `${c.method}${c.response.ok === false ? `:${c.response.error}` : ''}`);
};

describe('replies under Slack’s rules', () => {
  it('answers through response_url, keeping its last use for replacing the card', async () => {
    const calls = since();
    const reply = replyTo(deps(), {
      channelId: 'CNOBOT',
      userId: 'UALICE',
      isDm: false,
      responseUrl: emu.responseUrl,
      receivedAt: now,
    });
    for (let i = 0; i < 5; i++) await reply({ text: `answer ${i}` });
    // Four through the URL; the fifth would leave none for the card: the channel refuses, so a DM.
    expect(calls()).toEqual([
      'response_url',
      'response_url',
      'response_url',
      'response_url',
      'chat.postEphemeral:not_in_channel',
      'conversations.open',
      'chat.postMessage',
    ]);
  });

  it('does not use a response_url past its 30 minutes; falls back to the channel', async () => {
    const calls = since();
    const receivedAt = now;
    const reply = replyTo(deps(), {
      channelId: 'CIN',
      userId: 'UALICE',
      isDm: false,
      responseUrl: emu.responseUrl,
      receivedAt,
    });
    now += 30 * 60_000;
    await reply({ text: 'late' });
    expect(calls()).toEqual(['chat.postEphemeral']);
  });

  it('falls back when Slack refuses the response_url (spent elsewhere or stale)', async () => {
    const url = emu.responseUrl;
    emu.advanceTime(31 * 60_000);
    const calls = since();
    await replyTo(deps(), {
      channelId: 'CIN',
      userId: 'UALICE',
      isDm: false,
      responseUrl: url,
      receivedAt: now,
    })({
      text: 'x',
    });
    expect(calls()).toEqual(['response_url:expired_url', 'chat.postEphemeral']);
  });
});

describe('approval channels (start-up and doctor)', () => {
  const env = () =>
    slackEnv({ SLACK_BOT_TOKEN: emu.botToken, SLACK_SIGNING_SECRET: 's', SLACK_API_URL: emu.apiUrl });
  it('passes when the bot can post in each', async () => {
    expect(await checkApprovalChannelsProbe(env(), ['CAPPROVE', 'CAPPROVE'])).toBe(
      'the bot can post in the approval channel',
    );
  });
  it('names each channel it cannot post in, with Slack’s reason', async () => {
    emu.addChannel({ id: 'CGONE', isArchived: true });
    await expect(
      checkApprovalChannelsProbe(env(), ['CAPPROVE', 'CNOBOT', 'CGONE', 'CMISSING']),
    ).rejects.toThrow(
      'the bot cannot post in CNOBOT (not_in_channel), CGONE (is_archived), CMISSING (channel_not_found)',
    );
  });
});

describe('plain_text never carries markup', () => {
  it('renders a title with a mention, code or a date as mrkdwn, not as a header', () => {
    for (const text of [
      '<@U1> asks to grant `admin` for <@U2>',
      'until <!date^1^{date}|x>',
      'Grant *admin*',
    ]) {
      const { blocks } = renderCard({ text, fields: [['a', 'b']] });
      expect(blocks[0]?.type).toBe('section');
      expect(rawPlainText(blocks)).toEqual([]);
    }
    expect(renderCard({ text: 'Grant admin to Dana?', fields: [['a', 'b']] }).blocks[0]?.type).toBe('header');
  });
});
