import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScimServer } from '../support/scim-server.ts';
import { homeOpenedEvent, mentionEvent } from '../support/slack-payloads.ts';
import { sendEvent } from '../support/slack-signing.ts';
import { APPROVALS, buttons, type E2E, GENERAL, type PEOPLE, SECRET, SHARED, startE2E } from './harness.ts';

/**
 * Trust boundaries and failure paths, against our own SCIM server (it searches names, which Better
 * Auth cannot, and injects faults on demand).
 */
let e: E2E;
let scim: ScimServer;
beforeAll(async () => {
  e = await startE2E({ scim: 'own', ownScim: (s) => (scim = s) });
});
afterAll(async () => {
  await e?.close();
});

async function card(who: keyof typeof PEOPLE, text: string, channel = GENERAL) {
  const from = e.slack.calls.length;
  await e.say(who, text, { channel });
  const c = await e.replyTo(who, /Grant|Revoke/, from);
  return { ...c, requestId: buttons(c.blocks).find((b) => b.actionId === 'rc_confirm')?.value };
}

describe('end to end: trust boundaries and failures', () => {
  it('refuses a user from another organisation in a shared channel, saying nothing sensitive, touching no directory', async () => {
    const before = scim.requests.length;
    const from = e.slack.calls.length;
    await e.say('mallory', 'make me an owner', { channel: SHARED });
    const reply = await e.replyTo('mallory', /only take requests from members/, from);
    expect(reply.text).not.toMatch(/@acme|owner/);
    expect(scim.requests.length).toBe(before);
  });

  it('refuses Slack Connect strangers and guests even when their email is in the directory', async () => {
    const from = e.slack.calls.length;
    await e.say('stranger', 'make me an owner', { channel: SHARED });
    await e.replyTo('stranger', /only take requests from members/, from);
    await e.say('guest', 'make me an editor');
    await e.replyTo('guest', /guest accounts can't make role requests/, from);
    expect(e.scimWrites()).toBe(0);
  });

  it('lets a support rep relay a request in the customer channel, only with a customer approver, never approving it', async () => {
    const c = await card('rep', 'make <@U0BOB> an editor', SHARED);
    expect(JSON.stringify(c.blocks)).toContain('Needs approval');
    expect(JSON.stringify(c.blocks)).not.toContain('bob@acme.test');
    await e.click('rep', 'rc_confirm', c.requestId!, SHARED);
    await e.waitPost(APPROVALS, /grant `editor` for <@U0BOB>/);
    const from = e.slack.calls.length;
    await e.click('rep', 'rc_approve', c.requestId!, APPROVALS);
    await e.replyTo('rep', /can't approve|Support reps cannot approve|only take requests/, from);
    expect((await e.app.stores.requests.get(c.requestId!))?.approvals).toEqual([]);
    await e.click('alice', 'rc_approve', c.requestId!, APPROVALS);
    await e.waitPost(SHARED, /Done: granted `editor`/);
    expect(await e.members('Editors')).toContain(e.scimId('bob'));
    const stored = await e.app.stores.requests.get(c.requestId!);
    expect(stored?.relayedBy?.slackUserId).toBe('U0REP');
    // A rep outside the customer's shared channel is just an outsider.
    const from2 = e.slack.calls.length;
    await e.say('rep', 'make <@U0BOB> an admin', { channel: GENERAL });
    await e.replyTo('rep', /only take requests from members/, from2);
  });

  it('asks "which Dana?" and proceeds with the one chosen', async () => {
    const from = e.slack.calls.length;
    await e.say('alice', 'make dana an editor');
    const ask = await e.replyTo('alice', /More than one person matches “dana”/, from);
    const choices = buttons(ask.blocks);
    expect(choices.map((b) => b.text).sort()).toEqual([
      'Dana Kim (dana.kim@acme.test)',
      'Dana Lee (dana.lee@acme.test)',
    ]);
    const kim = choices.find((b) => b.text.startsWith('Dana Kim'))!;
    const other = e.slack.calls.length;
    await e.click('bob', kim.actionId, kim.value);
    await e.replyTo('bob', /Only the person who asked/, other);
    // The card replacement goes out after the reply, once handleClick resolved: wait for all of it.
    await e.settled();
    // Answers go through response_url as well; replacements are the ones with replace_original.
    const replaced = () =>
      e.slack.calls
        .slice(other)
        .filter((x) => x.method === 'response_url' && x.args.replace_original === true);
    // Bob's refused click replaced nothing.
    expect(replaced()).toEqual([]);
    const from2 = e.slack.calls.length;
    await e.click('alice', kim.actionId, kim.value);
    const c = await e.replyTo('alice', /Grant `editor` to Dana Kim/, from2);
    const chosen = await e.slack.waitForCall(
      'response_url',
      (x) => e.slack.calls.indexOf(x) >= from2 && x.args.replace_original === true,
    );
    expect(chosen.args).toMatchObject({ replace_original: true, text: 'You chose Dana Kim.' });
    await e.settled();
    // Alice's click, and only hers, replaced the card.
    expect(replaced()).toEqual([chosen]);
    await e.click('alice', 'rc_confirm', buttons(c.blocks).find((b) => b.actionId === 'rc_confirm')!.value);
    await e.waitPost(GENERAL, /Done: granted `editor` to Dana Kim/);
    expect(await e.members('Editors')).toContain(e.scimId('dana2'));
    expect(await e.members('Editors')).not.toContain(e.scimId('dana1'));
  });

  it('applies once when Confirm is clicked twice at the same moment', async () => {
    const c = await card('alice', 'make <@U0OLGA> a viewer');
    const patches = () => scim.requests.filter((r) => r.method === 'PATCH').length;
    const before = patches();
    const [a, b] = await Promise.all([
      e.click('alice', 'rc_confirm', c.requestId!),
      e.click('alice', 'rc_confirm', c.requestId!),
    ]);
    expect([a, b]).toEqual([200, 200]);
    await e.waitPost(GENERAL, /Done: granted `viewer` to Olga Owner/);
    await e.replyTo('alice', /already|being handled/);
    expect(patches() - before).toBe(1);
    const applied = (await e.app.stores.audit.query({ requestId: c.requestId })).filter(
      (a) => a.kind === 'applied',
    );
    expect(applied).toHaveLength(1);
  });

  it('reports a SCIM outage plainly with a reference, and the request can be retried without a double apply', async () => {
    const c = await card('alice', 'make <@U0ERIN> a viewer');
    scim.faults.rules.push({
      method: 'PATCH',
      times: 10,
      action: { kind: 'status', status: 503, body: 'upstream down', contentType: 'text/plain' },
    });
    const from = e.slack.calls.length;
    await e.click('alice', 'rc_confirm', c.requestId!);
    const failure = await e.slack.waitForCall(
      'chat.postMessage',
      (x) =>
        /couldn't reach your organisation's directory/.test(String(x.args.text)) &&
        e.slack.calls.indexOf(x) >= from,
    );
    expect(String(failure.args.text)).toContain(`Reference: ${c.requestId}`);
    expect(String(failure.args.text)).not.toMatch(/upstream down|503|own-scim-token/);
    const failed = await e.app.stores.requests.get(c.requestId!);
    expect(failed?.state).toBe('failed');
    expect(failed?.error?.code).toBe('SCIM.UNAVAILABLE');
    const retry = buttons(failure.args.blocks as unknown[]).find((b) => b.actionId === 'rc_retry')!;
    scim.faults.rules.length = 0;
    await e.click('alice', retry.actionId, retry.value);
    await e.waitPost(GENERAL, /Done: granted `viewer` to Erin Editor/);
    expect(await e.members('Viewers')).toContain(e.scimId('erin'));
    expect((await e.app.stores.audit.query({ requestId: c.requestId })).map((a) => a.kind)).toEqual([
      'requested',
      'confirmed',
      'applying',
      'failed',
      'applying',
      'applied',
    ]);
  });

  it('rejects forged and stale Slack requests with 401 and does nothing', async () => {
    const event = mentionEvent({
      user: 'U0ALICE',
      text: `<@${e.slack.botUserId}> make me an owner`,
      channel: GENERAL,
    });
    // Processed, this message would be recorded as a (denied) request: count them.
    const stored = async () => (await e.app.stores.requests.find({ limit: 500 })).length;
    const before = await stored();
    expect((await sendEvent(e.eventsUrl, SECRET, event, { forge: true })).status).toBe(401);
    expect((await sendEvent(e.eventsUrl, SECRET, event, { stale: true })).status).toBe(401);
    expect((await sendEvent(e.eventsUrl, SECRET, event, { unsigned: true })).status).toBe(401);
    expect(await stored()).toBe(before);
    // The same event, correctly signed, is processed: the check above can fail.
    expect((await sendEvent(e.eventsUrl, SECRET, event)).status).toBe(200);
    await e.replyTo('alice', /Grant `owner`/);
    expect(await stored()).toBe(before + 1);
  });

  it('publishes App Home: own requests for everyone, pending approvals and audit for admins', async () => {
    await sendEvent(e.eventsUrl, SECRET, homeOpenedEvent({ user: 'U0ALICE' }), { teamId: 'T0ACME' });
    const view = await e.slack.waitForCall('views.publish', (c) => c.args.user_id === 'U0ALICE');
    const home = JSON.stringify(view.args.view);
    expect(home).toContain('Your requests');
    expect(home).toContain('Latest audit records');
    await sendEvent(e.eventsUrl, SECRET, homeOpenedEvent({ user: 'U0BOB' }), { teamId: 'T0ACME' });
    const bobs = JSON.stringify(
      (await e.slack.waitForCall('views.publish', (c) => c.args.user_id === 'U0BOB')).args.view,
    );
    expect(bobs).toContain('Your requests');
    expect(bobs).not.toContain('Latest audit records');
  });

  it('fails closed when the store cannot be written: the requester is told and nothing is applied', async () => {
    const c = await card('alice', 'make <@U0DANA1> a viewer');
    const writes = e.scimWrites();
    await e.app.stores.close();
    const from = e.slack.calls.length;
    await e.click('alice', 'rc_confirm', c.requestId!);
    await e.replyTo('alice', /couldn't record this request, so nothing was changed\. Reference: /, from);
    expect(e.scimWrites()).toBe(writes);
    expect(await e.members('Viewers')).not.toContain(e.scimId('dana1'));
  });
});
