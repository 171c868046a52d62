import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintTriggerId } from '../support/slack-contract.ts';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';

/** Each of the emulator's Slack rules (test/support/slack-contract.ts), one by one. */
let emu: SlackEmulator;
beforeAll(async () => {
  emu = await startSlackEmulator({
    users: [
      { id: 'UALICE', email: 'alice@example.com' },
      { id: 'UBOB', email: 'bob@example.com' },
    ],
    channels: [
      { id: 'CIN' },
      { id: 'CNOTJOINED', botMember: false },
      { id: 'GPRIVATE', botMember: false, isPrivate: true },
      { id: 'CARCHIVED', isArchived: true },
      { id: 'CSMALL', members: ['UALICE'] },
    ],
  });
});
afterAll(async () => emu?.close());

async function call(method: string, body: Record<string, unknown>, token = emu.botToken) {
  const res = await fetch(`${emu.apiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}
const post = (channel: string, extra: Record<string, unknown> = {}) =>
  call('chat.postMessage', { channel, text: 'hi', ...extra });

describe('Slack emulator: the delivery contract', () => {
  it('posts only where the bot is a member of a live channel', async () => {
    expect((await post('CIN')).ok).toBe(true);
    expect((await post('CNOTJOINED')).error).toBe('not_in_channel');
    expect((await post('GPRIVATE')).error).toBe('channel_not_found');
    expect((await post('CNOSUCH')).error).toBe('channel_not_found');
    expect((await post('CARCHIVED')).error).toBe('is_archived');
    // The bot's DM with a known user exists; a DM between two people is not the bot's.
    expect((await post(emu.dmChannel('UALICE'))).ok).toBe(true);
    expect((await post('DTWOHUMANS')).error).toBe('channel_not_found');
  });

  it('applies the same rules to ephemerals, and the user must be in the channel', async () => {
    const eph = (channel: string, user = 'UALICE') =>
      call('chat.postEphemeral', { channel, user, text: 'psst' });
    expect((await eph('CNOTJOINED')).error).toBe('not_in_channel');
    expect((await eph('CARCHIVED')).error).toBe('is_archived');
    expect((await eph('CSMALL', 'UBOB')).error).toBe('user_not_in_channel');
    expect((await eph('CSMALL')).ok).toBe(true);
  });

  it('flags an ephemeral into a thread that does not exist (Slack answers ok but shows nothing)', async () => {
    const from = emu.calls.length;
    expect(
      (await call('chat.postEphemeral', { channel: 'CIN', user: 'UALICE', text: 'a', thread_ts: '1.1' })).ok,
    ).toBe(true);
    expect(emu.calls.at(-1)?.flags).toEqual(['invisible: ephemeral in a thread that does not exist']);
    expect(emu.ephemerals.at(-1)?.visible).toBe(false);
    // Once someone replied under the message, the thread exists.
    emu.userMessage('CIN', '2.2', '1.1');
    await call('chat.postEphemeral', { channel: 'CIN', user: 'UALICE', text: 'b', thread_ts: '1.1' });
    expect(emu.ephemerals.at(-1)?.visible).toBe(true);
    expect(emu.flagged().filter((c) => emu.calls.indexOf(c) >= from)).toHaveLength(1);
  });

  it('flags mentions, date tokens, code and bold in plain_text as shown raw', async () => {
    const header = (text: string) => [{ type: 'header', text: { type: 'plain_text', text } }];
    for (const text of ['<@UALICE> asks', 'until <!date^1700000000^{date}|x>', 'grant `admin`', '*bold*']) {
      await post('CIN', { blocks: header(text) });
      expect(emu.calls.at(-1)?.flags?.[0]).toMatch(/^plain_text rendered raw at blocks\[0\]\.text/);
    }
    await post('CIN', { blocks: header('Grant admin to Dana?') });
    expect(emu.calls.at(-1)?.flags).toBeUndefined();
  });

  it('refuses a trigger_id that is made up, older than 3 s, or already used', async () => {
    const view = { type: 'modal', title: { type: 'plain_text', text: 'T' }, blocks: [] };
    expect((await call('views.open', { trigger_id: 'trig.made.up', view })).error).toBe('invalid_trigger_id');
    const fresh = mintTriggerId();
    expect((await call('views.open', { trigger_id: fresh, view })).ok).toBe(true);
    expect((await call('views.open', { trigger_id: fresh, view })).error).toBe('exchanged_trigger_id');
    const old = mintTriggerId(emu.now() - 3_001);
    expect((await call('views.open', { trigger_id: old, view })).error).toBe('expired_trigger_id');
  });

  it('takes 5 posts per response_url, for 30 minutes', async () => {
    const send = (url: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' });
    const url = emu.responseUrl;
    for (let i = 0; i < 5; i++) expect((await send(url)).status).toBe(200);
    const sixth = await send(url);
    expect([sixth.status, await sixth.text()]).toEqual([404, 'used_url']);
    const later = emu.responseUrl;
    emu.advanceTime(30 * 60_000 + 1);
    const stale = await send(later);
    expect([stale.status, await stale.text()]).toEqual([404, 'expired_url']);
  });

  it('answers message_not_found to an update of a message that is not there', async () => {
    expect((await call('chat.update', { channel: 'CIN', ts: '9.9', text: 'v2' })).error).toBe(
      'message_not_found',
    );
  });

  it('answers token_revoked / account_inactive to every bot call once revoked', async () => {
    const own = await startSlackEmulator({ users: [{ id: 'UALICE' }], channels: [{ id: 'CIN' }] });
    try {
      own.revoke('account_inactive');
      const res = await fetch(`${own.apiUrl}auth.test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${own.botToken}` },
      });
      expect(((await res.json()) as { error: string }).error).toBe('account_inactive');
    } finally {
      await own.close();
    }
  });

  it('finds users by email and tells the bot whether it can post in a channel', async () => {
    expect(
      ((await call('users.lookupByEmail', { email: 'BOB@example.com' })).user as { id: string }).id,
    ).toBe('UBOB');
    expect((await call('users.lookupByEmail', { email: 'nobody@example.com' })).error).toBe(
      'users_not_found',
    );
    expect((await call('conversations.info', { channel: 'CNOTJOINED' })).channel).toMatchObject({
      is_member: false,
    });
    expect((await call('conversations.info', { channel: 'GPRIVATE' })).error).toBe('channel_not_found');
  });
});
