import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';

/** The emulator must refuse what Slack refuses, or the adapter tests built on it prove nothing. */
let emu: SlackEmulator;
beforeAll(async () => {
  emu = await startSlackEmulator({
    users: [{ id: 'UALICE' }],
    channels: ['C1', 'C2', 'C3'].map((id) => ({ id })),
  });
});
afterAll(async () => emu?.close());

async function call(
  method: string,
  body: Record<string, unknown>,
  o: { token?: string; form?: boolean } = {},
) {
  const token = o.token ?? emu.botToken;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  let payload: string;
  if (o.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(
      Object.entries(body).map(([k, v]): [string, string] => [
        k,
        typeof v === 'string' ? v : JSON.stringify(v),
      ]),
    ).toString();
  } else {
    headers['content-type'] = 'application/json; charset=utf-8';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${emu.apiUrl}${method}`, { method: 'POST', headers, body: payload });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

describe('Slack emulator', () => {
  it('accepts JSON and form bodies alike, parsing JSON-encoded form fields', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }];
    expect((await call('chat.postMessage', { channel: 'C1', text: 'a', blocks })).json.ok).toBe(true);
    expect(
      (await call('chat.postMessage', { channel: 'C1', text: 'b', blocks }, { form: true })).json.ok,
    ).toBe(true);
    expect(emu.messages.get('C1')?.map((m) => m.blocks)).toEqual([blocks, blocks]);
  });

  it('checks the bearer token and the token type', async () => {
    expect((await call('auth.test', {}, { token: '' })).json.error).toBe('not_authed');
    expect((await call('auth.test', {}, { token: 'xoxb-wrong' })).json.error).toBe('invalid_auth');
    expect((await call('apps.connections.open', {})).json.error).toBe('not_allowed_token_type');
    expect((await call('auth.test', {})).json).toMatchObject({
      ok: true,
      user_id: emu.botUserId,
      team_id: emu.teamId,
    });
  });

  it('answers unknown methods with unknown_method', async () => {
    expect((await call('admin.users.remove', {})).json).toEqual({ ok: false, error: 'unknown_method' });
  });

  it('rejects blocks over Block Kit limits with invalid_blocks', async () => {
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const longSection = [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }];
    const dupActions = [
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'A' } },
          { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'B' } },
        ],
      },
    ];
    const longButton = [
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'b'.repeat(76) } }],
      },
    ];
    for (const blocks of [tooMany, longSection, dupActions, longButton])
      expect((await call('chat.postMessage', { channel: 'C2', text: 't', blocks })).json.error).toBe(
        'invalid_blocks',
      );
    expect((await call('chat.postMessage', { channel: 'C2', text: 'x'.repeat(40_001) })).json.error).toBe(
      'msg_too_long',
    );
    expect(emu.messages.get('C2')).toBeUndefined();
  });

  it('answers 429 with Retry-After as many times as asked', async () => {
    emu.setRateLimit('users.info', 2, 7);
    const a = await call('users.info', { user: 'UALICE' });
    expect([a.status, a.headers.get('retry-after')]).toEqual([429, '7']);
    expect((await call('users.info', { user: 'UALICE' })).status).toBe(429);
    expect((await call('users.info', { user: 'UALICE' })).json.ok).toBe(true);
  });

  it('edits messages in place and knows missing ones', async () => {
    const posted = await call('chat.postMessage', { channel: 'C3', text: 'v1' });
    const ts = posted.json.ts;
    expect((await call('chat.update', { channel: 'C3', ts, text: 'v2' })).json.ok).toBe(true);
    expect((await call('chat.update', { channel: 'C3', ts: '1.2', text: 'v3' })).json.error).toBe(
      'message_not_found',
    );
    expect(emu.messages.get('C3')?.[0]).toMatchObject({ text: 'v2', history: [{ text: 'v1' }] });
  });
});
