import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVALS, buttons, type E2E, GENERAL, startE2E } from './harness.ts';

/** Time-bound grants through the whole bot: the injected clock moves, the scheduler does the rest. */
let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e?.close();
});

const HOUR = 3_600_000;

describe('end to end: time-bound grants', () => {
  it('a grant for 2 hours is removed when the clock reaches 2 hours; requester and target are told', async () => {
    const from = e.slack.calls.length;
    await e.say('alice', 'make <@U0BOB> an editor for 2 hours');
    const card = await e.replyTo('alice', /Grant `editor` to Bob Builder/, from);
    expect(JSON.stringify(card.blocks)).toContain('2h');
    const requestId = buttons(card.blocks).find((b) => b.actionId === 'rc_confirm')!.value;
    await e.click('alice', 'rc_confirm', requestId);
    await e.waitPost(GENERAL, /Done: granted `editor` to Bob Builder until/);
    expect(await e.members('Editors')).toContain(e.scimId('bob'));

    e.clock.advance(2 * HOUR - 1000);
    await e.app.tick();
    expect(await e.members('Editors')).toContain(e.scimId('bob'));

    e.clock.advance(1000);
    await e.app.tick();
    expect(await e.members('Editors')).not.toContain(e.scimId('bob'));
    await e.waitPost(GENERAL, /`editor` for Bob Builder has ended and was removed/);
    await e.waitPost(e.slack.dmChannel('U0BOB'), /your time-bound `editor` role has ended and was removed/);
    const stored = await e.app.stores.requests.get(requestId);
    expect(stored?.state).toBe('revoked');
    const kinds = (await e.app.stores.audit.query({ requestId })).map((a) => a.kind);
    expect(kinds).toEqual(['requested', 'confirmed', 'applying', 'applied', 'revoking', 'revoked']);
  });

  async function confirmed(who: 'alice' | 'olga', text: string, title: RegExp) {
    const from = e.slack.calls.length;
    await e.say(who, text);
    const card = await e.replyTo(who, title, from);
    const confirm = buttons(card.blocks).find((b) => b.actionId === 'rc_confirm');
    return { card, requestId: confirm?.value };
  }

  it('"extend …\'s editor role by 2 hours" lengthens the grant from its end; the old end removes nothing', async () => {
    const t0 = e.clock.t;
    const first = await confirmed('alice', 'make <@U0DANA2> an editor for 2 hours', /Grant `editor`/);
    await e.click('alice', 'rc_confirm', first.requestId!);
    await e.waitPost(GENERAL, /Done: granted `editor` to Dana Kim until/);

    e.clock.advance(HOUR);
    const ext = await confirmed(
      'alice',
      "extend <@U0DANA2>'s editor role by 2 hours",
      /Extend `editor` for Dana Kim/,
    );
    const shown = JSON.stringify(ext.card.blocks);
    expect(shown).toContain('3h'); // 1 h left of the first grant + 2 h
    expect(shown).toContain(`request ${first.requestId}`);
    const writes = e.scimWrites();
    await e.click('alice', 'rc_confirm', ext.requestId!);
    // The new end is the old one plus the extension, shown in each reader's own time zone.
    const until = Math.floor((t0 + 4 * HOUR) / 1000);
    await e.waitPost(
      GENERAL,
      new RegExp(`Done: extended \`editor\` for Dana Kim until <!date\\^${until}\\^`),
    );
    await e.waitPost(e.slack.dmChannel('U0DANA2'), /your `editor` role was extended until/);
    expect(e.scimWrites()).toBe(writes);

    e.clock.t = t0 + 2 * HOUR;
    await e.app.tick();
    expect(await e.members('Editors')).toContain(e.scimId('dana2'));
    expect((await e.app.stores.requests.get(first.requestId!))?.state).toBe('revoked');
    const superseded = await e.app.stores.audit.query({ requestId: first.requestId!, kinds: ['revoked'] });
    expect(superseded[0]?.outcome).toBe('superseded');

    e.clock.t = t0 + 4 * HOUR;
    await e.app.tick();
    expect(await e.members('Editors')).not.toContain(e.scimId('dana2'));
    expect((await e.app.stores.requests.get(ext.requestId!))?.state).toBe('revoked');
  });

  it('an extension is judged on the continuous span, so maxDuration still holds', async () => {
    const first = await confirmed('alice', 'make <@U0BOB> an admin for 6 hours', /Grant `admin`/);
    await e.click('alice', 'rc_confirm', first.requestId!);
    await e.waitPost(APPROVALS, /grant `admin` for <@U0BOB>/);
    const grantedAt = e.clock.t;
    await e.click('olga', 'rc_approve', first.requestId!, APPROVALS);
    await e.waitPost(GENERAL, /Done: granted `admin` to Bob Builder until/);
    e.clock.advance(HOUR);
    // 1 h run + 5 h left + 4 h = 10 h > maxDuration 8 h.
    const from = e.slack.calls.length;
    await e.say('alice', "extend <@U0BOB>'s admin by 4 hours");
    const card = await e.replyTo('alice', /Extend `admin` for Bob Builder/, from);
    expect(JSON.stringify(card.blocks)).toContain('longer than the policy allows');
    expect(buttons(card.blocks)).toEqual([]);
    // 1 h run + 5 h left + 2 h = 8 h is within it.
    const ok = await confirmed(
      'alice',
      "extend <@U0BOB>'s admin by 2 hours",
      /Extend `admin` for Bob Builder/,
    );
    expect(JSON.stringify(ok.card.blocks)).toContain('Needs approval by 1 person');
    // Approved an hour later, it still ends 2 h after the first grant's end, not 7 h after the approval.
    const before = e.slack.calls.length;
    await e.click('alice', 'rc_confirm', ok.requestId!);
    await e.slack.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === APPROVALS && e.slack.calls.indexOf(c) >= before,
    );
    e.clock.advance(HOUR);
    await e.click('olga', 'rc_approve', ok.requestId!, APPROVALS);
    const end = Math.floor((grantedAt + 8 * HOUR) / 1000);
    await e.waitPost(
      GENERAL,
      new RegExp(`Done: extended \`admin\` for Bob Builder until <!date\\^${end}\\^`),
    );
    expect((await e.app.stores.requests.get(ok.requestId!))?.grantEndsAt).toBe(
      new Date(grantedAt + 8 * HOUR).toISOString(),
    );
  });

  it('"extend … until" a time before the current end is refused: nothing would be extended', async () => {
    const { requestId } = await confirmed('alice', 'make <@U0OSCAR> a viewer for 48 hours', /Grant `viewer`/);
    await e.click('alice', 'rc_confirm', requestId!);
    await e.waitPost(GENERAL, /Done: granted `viewer` to Oscar Owner until/);
    const from = e.slack.calls.length;
    await e.say('alice', "extend <@U0OSCAR>'s viewer until tomorrow");
    const reply = await e.replyTo('alice', /That would not extend it/, from);
    expect(reply.text).toContain('the current grant already runs until <!date^');
    expect(buttons(reply.blocks)).toEqual([]);
  });

  it('a bot stopped before the end and started after it revokes at start, without a tick of its own', async () => {
    const { requestId } = await confirmed('alice', 'make <@U0DANA1> a viewer for 2 hours', /Grant `viewer`/);
    await e.click('alice', 'rc_confirm', requestId!);
    await e.waitPost(GENERAL, /Done: granted `viewer` to Dana Lee until/);
    e.clock.advance(3 * HOUR);
    await e.restart();
    // startRolecall ran the due work before it returned.
    expect(await e.members('Viewers')).not.toContain(e.scimId('dana1'));
    expect((await e.app.stores.requests.get(requestId!))?.state).toBe('revoked');
    await e.waitPost(GENERAL, /`viewer` for Dana Lee has ended and was removed/);
  });
});
