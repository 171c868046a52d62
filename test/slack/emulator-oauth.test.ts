import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';

/** The emulator's OAuth side refuses what Slack refuses (rules cited in slack-emulator-oauth.ts). */
let emu: SlackEmulator;
const app = { clientId: '1.2', clientSecret: 'shh' };
beforeAll(async () => {
  emu = await startSlackEmulator({ oauth: app });
});
afterAll(async () => emu?.close());

const authorizeUrl = (o: { state?: string; redirect?: string } = {}) => {
  const u = new URL('../oauth/v2/authorize', emu.apiUrl);
  u.searchParams.set('client_id', app.clientId);
  u.searchParams.set('scope', 'chat:write,commands');
  if (o.state !== undefined) u.searchParams.set('state', o.state);
  if (o.redirect) u.searchParams.set('redirect_uri', o.redirect);
  return u.toString();
};

async function access(args: Record<string, string>, basic?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic) headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  const res = await fetch(`${emu.apiUrl}oauth.v2.access`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(args).toString(),
  });
  return (await res.json()) as Record<string, unknown>;
}

const codeOf = (url: string) => new URL(url).searchParams.get('code')!;

describe('Slack emulator: OAuth', () => {
  it('exchanges a code once, for the consenting workspace, with the client credentials', async () => {
    const back = emu.oauth!.consent(
      authorizeUrl({ state: 's1' }),
      { teamId: 'T1', userId: 'U1' },
      'http://app/cb',
    );
    expect(new URL(back).searchParams.get('state')).toBe('s1');
    const code = codeOf(back);
    expect(await access({ code, client_id: app.clientId, client_secret: 'wrong' })).toMatchObject({
      ok: false,
      error: 'bad_client_secret',
    });
    expect(await access({ code, client_id: 'nope', client_secret: app.clientSecret })).toMatchObject({
      error: 'invalid_client_id',
    });
    const ok = await access({ code }, `${app.clientId}:${app.clientSecret}`);
    expect(ok).toMatchObject({
      ok: true,
      token_type: 'bot',
      scope: 'chat:write,commands',
      team: { id: 'T1' },
      enterprise: null,
      is_enterprise_install: false,
      authed_user: { id: 'U1' },
    });
    expect(String(ok.access_token)).toMatch(/^xoxb-T1-/);
    expect(await access({ code }, `${app.clientId}:${app.clientSecret}`)).toMatchObject({
      error: 'invalid_code',
    });
  });

  it('requires the same redirect_uri as the authorize request, and a state', async () => {
    const back = emu.oauth!.consent(authorizeUrl({ state: 's2', redirect: 'https://a/cb' }), {
      teamId: 'T2',
      userId: 'U2',
    });
    const creds = { client_id: app.clientId, client_secret: app.clientSecret };
    expect(await access({ code: codeOf(back), ...creds, redirect_uri: 'https://b/cb' })).toMatchObject({
      error: 'bad_redirect_uri',
    });
    expect(() => emu.oauth!.consent(authorizeUrl(), { teamId: 'T2', userId: 'U2' }, 'http://app/cb')).toThrow(
      /state/,
    );
  });

  it('answers auth.test per token, and token_revoked once the installation is revoked', async () => {
    const back = emu.oauth!.consent(
      authorizeUrl({ state: 's3' }),
      { teamId: 'T3', userId: 'U3' },
      'http://app/cb',
    );
    const { access_token } = await access({
      code: codeOf(back),
      client_id: app.clientId,
      client_secret: app.clientSecret,
    });
    const test = async () =>
      (await (
        await fetch(`${emu.apiUrl}auth.test`, {
          method: 'POST',
          headers: { authorization: `Bearer ${access_token}` },
        })
      ).json()) as Record<string, unknown>;
    expect(await test()).toMatchObject({ ok: true, team_id: 'T3', user_id: 'UB3', bot_id: 'BB3' });
    // The single-token emulator's own token still answers for the default team.
    const own = await fetch(`${emu.apiUrl}auth.test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emu.botToken}` },
    });
    expect(((await own.json()) as Record<string, unknown>).team_id).toBe(emu.teamId);
    emu.oauth!.revoke('T3');
    expect(await test()).toMatchObject({ ok: false, error: 'token_revoked' });
  });
});
