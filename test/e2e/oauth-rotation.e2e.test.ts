import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenCipher } from '../../src/adapters/crypto/token-cipher.ts';
import { openInstallations } from '../../src/adapters/store/installations.ts';
import { runCli } from '../cli/run-cli.ts';
import { sendEvent } from '../support/slack-signing.ts';
import { buttons } from './harness.ts';
import { GENERAL, type OAuthE2E, SECRET, startOAuthE2E } from './oauth-harness.ts';

/** Token rotation, scheduled work under OAuth, and tokens_revoked. */
describe('OAuth with token rotation (HTTP mode)', () => {
  let e: OAuthE2E;
  beforeAll(async () => {
    // Tokens that expire within InstallProvider's 2-hour refresh window: refreshed before first use.
    e = await startOAuthE2E({ mode: 'http', tokenRotation: true, expiresIn: 3600 });
    expect((await e.install('T0ACME')).status).toBe(200);
    expect((await e.install('T0BETA')).status).toBe(200);
  });
  afterAll(async () => e?.close());

  it('refreshes an expiring token through oauth.v2.access, stores the new one sealed, and answers with it', async () => {
    const inst = e.slack.oauth!.installs.get('T0ACME')!;
    const first = inst.token;
    const from = e.slack.calls.length;
    await e.say('alice', 'what roles does <@U0BOB> have?');
    await e.replyTo('alice', /U0BOB.* has: /, from);
    await e.settled();
    const refresh = e.slack.calls
      .slice(from)
      .find((c) => c.method === 'oauth.v2.access' && c.args.grant_type === 'refresh_token');
    expect(refresh?.response.ok).toBe(true);
    expect(inst.token).not.toBe(first);
    const used = e.slack.calls.slice(from).filter((c) => c.method !== 'oauth.v2.access');
    expect(used.every((c) => c.workspace === 'T0ACME' && c.auth === 'bot')).toBe(true);
    const stored = await (await openInstallations(e.app.stores, e.app.deps.clock)).get('T0ACME');
    const secret = JSON.parse(
      createTokenCipher(e.env.ROLECALL_ENCRYPTION_KEY).open(stored!.sealed!, 'T0ACME'),
    );
    expect(secret.t).toBe(inst.token);
    expect(secret.r).toBe(inst.refreshToken);
    expect(Date.parse(stored!.tokenExpiresAt!)).toBeGreaterThan(Date.now());
  });

  it("scheduled work (a grant ending) speaks with its tenant's installation", async () => {
    let from = e.slack.calls.length;
    await e.say('alice', 'make <@U0OLGA> a viewer for 1 hour');
    const card = await e.replyTo('alice', /Grant `viewer`/, from);
    const id = buttons(card.args.blocks as unknown[]).find((b) => b.actionId === 'rc_confirm')!.value;
    await e.click('alice', 'rc_confirm', id, { team: 'T0ACME' });
    await e.slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === GENERAL && /Done: granted/.test(String(c.args.text)),
    );
    await e.settled();
    expect((await e.app.stores.requests.get(id))?.state).toBe('applied');
    from = e.slack.calls.length;
    e.clock.advance(2 * 3_600_000);
    await e.app.tick();
    await e.slack.waitForCall(
      'chat.postMessage',
      (c) => e.slack.calls.indexOf(c) >= from && /ended|revoked|removed/i.test(String(c.args.text)),
    );
    const slackCalls = e.slack.calls.slice(from).filter((c) => c.method !== 'oauth.v2.access');
    expect(slackCalls.length).toBeGreaterThan(0);
    expect(slackCalls.every((c) => c.workspace === 'T0ACME')).toBe(true);
  });

  it('tokens_revoked for the bot disables the installation; nothing is answered from it afterwards', async () => {
    e.slack.oauth!.revoke('T0BETA');
    const res = await sendEvent(
      `${e.base}/slack/events`,
      SECRET,
      { type: 'tokens_revoked', tokens: { oauth: [], bot: ['UBBETA'] } },
      { teamId: 'T0BETA', botUserId: 'UB0BETA' },
    );
    expect(res.status).toBe(200);
    await e.settled();
    const ready = (await (await fetch(`${e.base}/readyz`)).json()) as { installs: Record<string, number> };
    expect(ready.installs).toMatchObject({ active: 1, revoked: 1 });
    const from = e.slack.calls.length;
    await e.say('bill', 'what roles does <@U0BEA> have?');
    await e.settled();
    expect(e.slack.calls.slice(from)).toEqual([]);
  });

  it("doctor reports every installation's state, checking active ones with their own token", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, e.env);
    try {
      const healthy = await runCli(['doctor', '--timeout', '5']);
      const line = healthy.stdout.split('\n').find((l) => /slack/.test(l))!;
      expect(line).toMatch(/PASS/);
      expect(line).toContain('T0ACME active (acme) auth.test ok');
      expect(line).toContain('T0BETA revoked');
      expect(line).not.toMatch(/xox/);
      // A token Slack revoked without Rolecall hearing of it fails the line.
      e.slack.oauth!.revoke('T0ACME');
      const failing = await runCli(['doctor', '--timeout', '5']);
      expect(failing.stdout.split('\n').find((l) => /slack/.test(l))).toMatch(/FAIL.*T0ACME.*token_revoked/);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});
