import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttons, type E2E, GENERAL, startE2E } from './harness.ts';

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
});
