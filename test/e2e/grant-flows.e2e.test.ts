import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVALS, buttons, type E2E, GENERAL, type PEOPLE, startE2E } from './harness.ts';

/** Grant, approval and refusal flows through the real Bolt app, against Better Auth's SCIM server. */
let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e?.close();
});

async function confirmCard(who: keyof typeof PEOPLE, text: string) {
  const from = e.slack.calls.length;
  await e.say(who, text);
  const card = await e.replyTo(who, /\?$|Grant|Revoke/, from);
  const confirm = buttons(card.blocks).find((b) => b.actionId === 'rc_confirm');
  return { card, requestId: confirm?.value };
}

describe('end to end (Better Auth SCIM)', () => {
  it('applies a self-service grant after the requester confirms, and audits it', async () => {
    const { card, requestId } = await confirmCard('alice', 'make <@U0BOB> an editor');
    expect(card.text).toMatch(/Grant `editor` to Bob Builder/);
    expect(JSON.stringify(card.blocks)).toContain('Applied as soon as you confirm');
    expect(await e.members('Editors')).not.toContain(e.scimId('bob'));
    expect(await e.click('alice', 'rc_confirm', requestId!)).toBe(200);
    await e.waitPost(GENERAL, /Done: granted `editor` to Bob Builder/);
    expect(await e.members('Editors')).toContain(e.scimId('bob'));
    // The ephemeral card is replaced through response_url: no stale Confirm/Cancel left behind.
    const spent = await e.slack.waitForCall('response_url', (c) =>
      String(c.args.text).startsWith('Grant `editor` to Bob Builder'),
    );
    expect(spent.args.replace_original).toBe(true);
    expect(buttons(spent.args.blocks as unknown[])).toEqual([]);
    expect(JSON.stringify(spent.args.blocks)).toContain(`Confirmed · done · Request ${requestId}`);
    const audit = await e.app.stores.audit.query({ requestId });
    expect(audit.map((a) => a.kind)).toEqual(['requested', 'confirmed', 'applying', 'applied']);
    const applied = audit.at(-1)!;
    expect(applied.requester?.scimId).toBe(e.scimId('alice'));
    expect(applied.target?.scimId).toBe(e.scimId('bob'));
    expect(applied.rolesBefore).toEqual(['viewer']);
    expect([...(applied.rolesAfter ?? [])].sort()).toEqual(['editor', 'viewer']);
  });

  it('Cancel changes nothing, and the card keeps a record of it instead of live buttons', async () => {
    const { requestId } = await confirmCard('alice', 'make <@U0BOB> an admin');
    const from = e.slack.calls.length;
    await e.click('alice', 'rc_cancel', requestId!);
    await e.replyTo('alice', /Cancelled\. Nothing was changed\./, from);
    // The answer comes through the click's response_url too; the replacement is the one replacing.
    const spent = await e.slack.waitForCall(
      'response_url',
      (c) => e.slack.calls.indexOf(c) >= from && c.args.replace_original === true,
    );
    expect(spent.args).toMatchObject({ replace_original: true, text: 'Grant `admin` to Bob Builder for 8h' });
    expect(JSON.stringify(spent.args.blocks)).toContain(`Cancelled · Request ${requestId}`);
    expect(buttons(spent.args.blocks as unknown[])).toEqual([]);
    expect((await e.app.stores.requests.get(requestId!))?.state).toBe('cancelled');
    expect(await e.members('Admins')).not.toContain(e.scimId('bob'));
    // A late Confirm on a stale copy of the card still changes nothing.
    const late = e.slack.calls.length;
    await e.click('alice', 'rc_confirm', requestId!);
    await e.replyTo('alice', /already cancelled/, late);
    expect(await e.members('Admins')).not.toContain(e.scimId('bob'));
  });

  it('sends an elevated grant to approvers and applies it on approval, time-bound', async () => {
    const { card, requestId } = await confirmCard('alice', 'make <@U0ERIN> an admin for 2 hours');
    expect(JSON.stringify(card.blocks)).toContain('Needs approval by 1 person');
    await e.click('alice', 'rc_confirm', requestId!);
    const approval = await e.waitPost(APPROVALS, /grant `admin` for <@U0ERIN>/);
    const approve = buttons(approval.args.blocks as unknown[]).find((b) =>
      b.actionId.startsWith('rc_approve'),
    )!;
    expect(approve.value).toBe(requestId);
    expect(await e.members('Admins')).not.toContain(e.scimId('erin'));
    await e.click('olga', 'rc_approve', requestId!, APPROVALS);
    await e.waitPost(GENERAL, /Done: granted `admin` to Erin Editor until/);
    expect(await e.members('Admins')).toContain(e.scimId('erin'));
    const stored = await e.app.stores.requests.get(requestId!);
    expect(stored?.state).toBe('applied');
    expect(stored?.grantEndsAt).toBe(new Date(e.clock.t + 2 * 3_600_000).toISOString());
    const update = await e.slack.waitForCall('chat.update', (c) =>
      String(JSON.stringify(c.args.blocks)).includes('Approved and applied'),
    );
    expect(buttons(update.args.blocks as unknown[])).toEqual([]);
    const second = e.slack.calls.length;
    await e.click('oscar', 'rc_approve', requestId!, APPROVALS);
    await e.replyTo('oscar', /already applied/, second);
  });

  it('denies with the reason typed in the modal, and tells the requester', async () => {
    const { requestId } = await confirmCard('alice', 'make <@U0DANA1> an admin for 1h');
    await e.click('alice', 'rc_confirm', requestId!);
    await e.waitPost(APPROVALS, /grant `admin` for <@U0DANA1>/);
    await e.click('olga', 'rc_deny', requestId!, APPROVALS);
    await e.slack.waitForCall('views.open');
    expect(await e.submitDeny('olga', requestId!, 'not during the freeze')).toBe(200);
    await e.waitPost(GENERAL, /was denied: “not during the freeze”/);
    expect((await e.app.stores.requests.get(requestId!))?.state).toBe('rejected');
    expect(await e.members('Admins')).not.toContain(e.scimId('dana1'));
  });

  it('refuses self-approval', async () => {
    const { requestId } = await confirmCard('olga', 'make <@U0BOB> an owner');
    await e.click('olga', 'rc_confirm', requestId!);
    await e.waitPost(APPROVALS, /grant `owner` for <@U0BOB>/);
    const from = e.slack.calls.length;
    await e.click('olga', 'rc_approve', requestId!, APPROVALS);
    await e.replyTo('olga', /can't approve your own request/, from);
    const r = await e.app.stores.requests.get(requestId!);
    expect(r?.approvals).toEqual([]);
    expect((await e.app.stores.audit.query({ requestId })).map((a) => a.kind)).toContain('approval_refused');
  });

  it('refuses an approver who lost the approver role after the request was made', async () => {
    const { requestId } = await confirmCard('alice', 'make <@U0BOB> an admin for 1h');
    await e.click('alice', 'rc_confirm', requestId!);
    await e.waitPost(APPROVALS, /grant `admin` for <@U0BOB>/);
    const dir = e.app.directories.forTenant('acme');
    await dir.revoke(e.scimId('oscar'), 'owner');
    const writes = e.scimWrites();
    const from = e.slack.calls.length;
    await e.click('oscar', 'rc_approve', requestId!, APPROVALS);
    await e.replyTo('oscar', /don't hold an approver role/, from);
    expect(e.scimWrites()).toBe(writes);
    expect((await e.app.stores.requests.get(requestId!))?.state).toBe('awaiting_approval');
    await dir.grant(e.scimId('oscar'), 'owner');
  });

  it('denies a non-admin asking for admin and sends no PATCH', async () => {
    const writes = e.scimWrites();
    const from = e.slack.calls.length;
    await e.say('bob', 'make me an admin');
    const card = await e.replyTo('bob', /Grant `admin`/, from);
    expect(JSON.stringify(card.blocks)).toContain('Not allowed');
    expect(buttons(card.blocks).map((b) => b.actionId)).not.toContain('rc_confirm');
    await e.replyTo('bob', /Not done/, from);
    expect(e.scimWrites()).toBe(writes);
  });

  it('retried deliveries of one event are processed once', async () => {
    const { sendEvent } = await import('../support/slack-signing.ts');
    const { mentionEvent } = await import('../support/slack-payloads.ts');
    const event = mentionEvent({
      user: 'U0ALICE',
      text: `<@${e.slack.botUserId}> make <@U0DANA2> an editor`,
      channel: GENERAL,
      ts: '1700000099.000001',
    });
    const first = await sendEvent(e.eventsUrl, 'e2e-signing-secret', event, {
      eventId: 'EvRETRY1',
      teamId: 'T0ACME',
    });
    const again = await sendEvent(e.eventsUrl, 'e2e-signing-secret', event, {
      eventId: 'EvRETRY1',
      teamId: 'T0ACME',
      retryNum: 1,
    });
    expect([first.status, again.status]).toEqual([200, 200]);
    await e.replyTo('alice', /Grant `editor` to Dana Kim/);
    await e.app.slack.stop().catch(() => {});
    // Stopping drains in-flight work: anything the retry started has finished by now.
    const cards = e.slack.callsTo('chat.postEphemeral').filter((c) => /Dana Kim/.test(String(c.args.text)));
    expect(cards).toHaveLength(1);
    await e.app.slack.start();
  });
});
