import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredBotScopes } from '../../src/adapters/slack/manifest.ts';
import { openInstallations } from '../../src/adapters/store/installations.ts';
import { buttons } from './harness.ts';
import { APPROVALS, CLIENT, type OAuthE2E, startOAuthE2E } from './oauth-harness.ts';

/**
 * Issue 17's "done when": in HTTP and Socket Mode, two workspaces install Rolecall through the
 * OAuth routes, each is answered with its own token, an unbound workspace is refused, and an
 * uninstalled one is no longer served. Org-wide (Enterprise Grid) installs and cross-tenant clicks too.
 */
describe.each(['http', 'socket'] as const)('OAuth distribution, %s mode', (mode) => {
  let e: OAuthE2E;
  beforeAll(async () => {
    e = await startOAuthE2E({ mode });
  });
  afterAll(async () => e?.close());

  it('the install page asks for exactly the manifest bot scopes, with a signed state, and the redirect stores the installation', async () => {
    const first = await e.install('T0ACME');
    expect(first.status).toBe(200);
    expect(first.body).toContain('Rolecall is installed in Acme');
    expect(first.body).toContain('It is ready');
    const url = new URL(first.authorizeUrl);
    expect(url.searchParams.get('client_id')).toBe(CLIENT.clientId);
    expect(url.searchParams.get('scope')?.split(',').sort()).toEqual(requiredBotScopes());
    expect(url.searchParams.get('state')).toBeTruthy();
    const exchange = e.slack.callsTo('oauth.v2.access').at(-1)!;
    expect(exchange.response.ok).toBe(true);
    expect((await e.install('T0BETA')).status).toBe(200);
    const stored = await e.app.stores.audit.verify(); // the store is the one requests live in
    expect(stored.ok).toBe(true);
    const ready = (await (await fetch(`${e.base}/readyz`)).json()) as { installs: Record<string, number> };
    expect(ready.installs).toMatchObject({ active: 2, unbound: 0, uninstalled: 0 });
  });

  it('a redirect without the browser state cookie, or with a forged state, installs nothing', async () => {
    const before = e.slack.callsTo('oauth.v2.access').length;
    const page = await fetch(`${e.base}/slack/install`);
    const link = /<a href="([^"]+)"/.exec(await page.text())![1]!;
    const back = e.slack.oauth!.consent(
      link,
      { teamId: 'T0EVIL', userId: 'U0EVIL' },
      `${e.base}/slack/oauth_redirect`,
    );
    const noCookie = await fetch(back);
    expect(noCookie.status).toBe(400);
    const forged = new URL(back);
    forged.searchParams.set('state', 'forged');
    const bad = await fetch(forged, { headers: { cookie: 'slack-app-oauth-state=forged' } });
    expect(bad.status).toBe(400);
    expect(e.slack.callsTo('oauth.v2.access').length).toBe(before);
  });

  it("answers each workspace with that workspace's own token", async () => {
    const acmeToken = e.slack.oauth!.installs.get('T0ACME')!.token;
    const betaToken = e.slack.oauth!.installs.get('T0BETA')!.token;
    expect(acmeToken).not.toBe(betaToken);
    let from = e.slack.calls.length;
    await e.say('alice', 'what roles does <@U0BOB> have?');
    await e.replyTo('alice', /U0BOB.* has: /, from);
    await e.settled();
    const acmeCalls = e.slack.calls.slice(from);
    expect(acmeCalls.length).toBeGreaterThan(0);
    expect(acmeCalls.every((c) => c.workspace === 'T0ACME' && c.auth === 'bot')).toBe(true);

    from = e.slack.calls.length;
    await e.say('bill', 'what roles does <@U0BEA> have?');
    await e.replyTo('bill', /U0BEA.* has: /, from);
    await e.settled();
    const betaCalls = e.slack.calls.slice(from);
    expect(betaCalls.length).toBeGreaterThan(0);
    expect(betaCalls.every((c) => c.workspace === 'T0BETA')).toBe(true);

    // A slash command too.
    from = e.slack.calls.length;
    await e.command('bill', 'what roles does <@U0BEA> have?');
    await e.replyTo('bill', /U0BEA.* has: /, from);
    await e.settled();
    expect(e.slack.calls.slice(from).every((c) => c.workspace === 'T0BETA')).toBe(true);
  });

  it('an installed but unbound workspace gets one polite sentence and nothing else', async () => {
    const installed = await e.install('T0NOPE');
    expect(installed.body).toContain('binds it to your organisation');
    const from = e.slack.calls.length;
    await e.say('nora', 'make <@U0NORA> an admin');
    const reply = await e.replyTo('nora', /isn't set up for this workspace yet/, from);
    expect(reply.workspace).toBe('T0NOPE');
    await e.settled();
    // No users.info, no directory lookup: only the sentence.
    expect(e.slack.calls.slice(from).map((c) => c.method)).toEqual(['chat.postEphemeral']);
    // /rolecall there: the same sentence in the acknowledgement, and no call at all.
    const before = e.slack.calls.length;
    expect(await e.command('nora', 'make <@U0NORA> an admin')).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining("isn't set up for this workspace yet"),
    });
    await e.settled();
    expect(e.slack.calls.slice(before)).toEqual([]);
    const ready = (await (await fetch(`${e.base}/readyz`)).json()) as { installs: Record<string, number> };
    expect(ready.installs).toMatchObject({ active: 3, unbound: 1 });
  });

  it("a workspace's install can never approve another tenant's request", async () => {
    let from = e.slack.calls.length;
    await e.say('alice', 'make <@U0BOB> an admin for 2 hours');
    const card = await e.replyTo('alice', /Grant `admin`/, from);
    const requestId = buttons(card.args.blocks as unknown[]).find((b) => b.actionId === 'rc_confirm')!.value;
    await e.click('alice', 'rc_confirm', requestId, { team: 'T0ACME' });
    await e.slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === APPROVALS && c.workspace === 'T0ACME',
    );
    await e.settled();
    // Olga is an acme owner, but the click arrives through beta's installation.
    from = e.slack.calls.length;
    await e.click('olga', 'rc_approve', requestId, { team: 'T0BETA', channel: APPROVALS });
    await e.settled();
    expect((await e.app.stores.requests.get(requestId))?.state).toBe('awaiting_approval');
    expect(e.slack.calls.slice(from).filter((c) => c.method !== 'response_url')).toEqual([]);
    // Through acme's own installation the same click approves.
    await e.click('olga', 'rc_approve', requestId, { team: 'T0ACME', channel: APPROVALS });
    await e.settled();
    expect((await e.app.stores.requests.get(requestId))?.state).toBe('applied');
  });

  it('an operator binding (rolecall installs bind) lets a workspace serve a tenant at once; unbinding stops it', async () => {
    const installations = await openInstallations(e.app.stores, e.clock);
    await installations.bind({ installationId: 'T0NOPE', tenantId: 'beta', boundBy: 'ops', at: 'x' });
    let from = e.slack.calls.length;
    await e.say('nora', 'what roles does <@U0NORA> have?');
    await e.replyTo('nora', /U0NORA.* has: /, from);
    await e.settled();
    expect(e.slack.calls.slice(from).every((c) => c.workspace === 'T0NOPE')).toBe(true);
    await installations.unbind('T0NOPE');
    from = e.slack.calls.length;
    await e.say('nora', 'what roles does <@U0NORA> have?');
    await e.replyTo('nora', /isn't set up for this workspace yet/, from);
  });

  it('an org-wide Enterprise Grid install serves the org with the org token', async () => {
    const res = await e.install('E0GRID');
    expect(res.body).toContain('Grid Org');
    const from = e.slack.calls.length;
    await e.say('gina', 'what roles does <@U0GINA> have?');
    await e.replyTo('gina', /U0GINA.* has: /, from);
    await e.settled();
    expect(e.slack.calls.slice(from).every((c) => c.workspace === 'E0GRID')).toBe(true);
  });

  it('stops serving a workspace after app_uninstalled, and keeps serving the others', async () => {
    await e.uninstall('T0BETA');
    const ready = (await (await fetch(`${e.base}/readyz`)).json()) as { installs: Record<string, number> };
    expect(ready.installs).toMatchObject({ uninstalled: 1 });
    let from = e.slack.calls.length;
    await e.say('bill', 'what roles does <@U0BEA> have?');
    await e.settled();
    expect(e.slack.calls.slice(from)).toEqual([]);
    from = e.slack.calls.length;
    await e.say('alice', 'what roles does <@U0BOB> have?');
    await e.replyTo('alice', /U0BOB.* has: /, from);
    const audit = await e.app.stores.audit.query({ tenantId: 'beta', kinds: ['installation_removed'] });
    expect(audit.map((a) => a.outcome)).toEqual(['app_uninstalled']);
  });

  it('keeps tokens in the store sealed: no token is readable without the key', async () => {
    const tokens = [...e.slack.oauth!.installs.values()].flatMap((i) => i.tokens);
    expect(tokens.length).toBeGreaterThan(2);
    const raw = ['rolecall.sqlite', 'rolecall.sqlite-wal']
      .map((f) => {
        try {
          return readFileSync(join(e.dataDir, f)).toString('latin1');
        } catch {
          return '';
        }
      })
      .join('');
    for (const t of tokens) expect(raw).not.toContain(t);
    expect(raw).toContain('rc1:k1:');
  });
});
