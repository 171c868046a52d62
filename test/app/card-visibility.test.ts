import { describe, expect, it } from 'vitest';
import { chooseInDm, messenger, usePeopleWorld } from '../support/people-world.ts';
import { PeopleChat } from './people-chat.ts';
import type { Proc } from './world.ts';

/**
 * Issue 13 finding 3: the confirmation card and the "which Dana?" choice show only what the
 * requester may view (canView), and a refused card shows no one's roles.
 */
describe('cards show only what the requester may view', () => {
  const { boot } = usePeopleWorld();
  const message = messenger('ev', '1700000001');
  const say = (p: Proc, from: 'bob' | 'alice' | 'erin', text: string) =>
    message(p, { channelId: `D0${from.toUpperCase()}`, userId: `U0${from.toUpperCase()}`, isDm: true, text });

  it('a viewer refused "what roles does @olga have?" learns nothing more from "make @olga a viewer"', async () => {
    const { w, p, chat } = await boot();
    await say(p, 'bob', 'what roles does <@U0OLGA> have?');
    expect(chat.last('D0BOB').text).toMatch(/not allowed to see/);
    await say(p, 'bob', 'make <@U0OLGA> a viewer');
    const card = chat.cards.filter((c) => c.to === 'D0BOB').map((c) => PeopleChat.all(c.card));
    // The "who could help" line names the policy's approver roles, not Olga's: leave it out.
    const shown = withoutHelpers(card.join('\n'));
    expect(shown).toMatch(/Not allowed/);
    expect(shown).not.toContain('`owner`');
    expect(shown).not.toContain('olga@acme.test');
    expect(shown).not.toContain(w.scimId('olga'));
    expect(shown).not.toMatch(/Roles now/);
  });

  it('a refused card shows no one’s roles, even to someone who may view them', async () => {
    const { p, chat } = await boot();
    // alice (admin) may view bob, but no rule lets an admin grant owner. (Asking for a role the
    // target already holds is answered "already has" before any card, issue 16.)
    await say(p, 'alice', 'make <@U0BOB> an owner');
    const shown = chat.cards
      .filter((c) => c.to === 'D0ALICE')
      .map((c) => PeopleChat.all(c.card))
      .join('\n');
    expect(shown).toMatch(/Not allowed/);
    expect(shown).not.toMatch(/Roles now/);
    expect(shown).not.toContain('`viewer` →');
  });

  it('someone who may view sees roles now → after on an allowed card', async () => {
    const { p, chat } = await boot();
    await say(p, 'alice', 'make <@U0BOB> an editor');
    const fields = chat.last('D0ALICE').fields ?? [];
    expect(fields).toContainEqual(['Roles now → after', '`viewer` → `editor`, `viewer`']);
  });

  it('"which Dana?" lists names and emails only to someone who may view them', async () => {
    const { w, p, chat } = await boot();
    for (const [given, family] of [
      ['Dana', 'Lee'],
      ['Dana', 'Kim'],
    ] as const)
      w.scim.state.addUser({
        userName: `${given.toLowerCase()}.${family.toLowerCase()}@acme.test`,
        displayName: `${given} ${family}`,
        name: { givenName: given, familyName: family },
        emails: [`${given.toLowerCase()}.${family.toLowerCase()}@acme.test`],
      });
    // bob is a viewer: he may not view others, so he is shown no one.
    await say(p, 'bob', 'make dana an editor');
    const bobs = chat.last('D0BOB');
    const shown = PeopleChat.all(bobs);
    expect(bobs.buttons ?? []).toEqual([]);
    expect(shown).not.toMatch(/Dana (Lee|Kim)|@acme\.test/);
    expect(shown).toMatch(/mention/);
    // alice (admin) may: she gets the choice, with emails in a DM.
    await say(p, 'alice', 'make dana an editor');
    const alices = chat.last('D0ALICE');
    expect(alices.buttons?.map((b) => b.text).sort()).toEqual([
      'Dana Kim (dana.kim@acme.test)',
      'Dana Lee (dana.lee@acme.test)',
    ]);
  });

  it("a chosen target's card shows only what the requester may view", async () => {
    const { w, p, chat } = await boot();
    // A choice value naming bob as the requester (as if built for him) still proposes a card that
    // shows only what bob may see.
    await chooseInDm(p, {
      requester: 'U0BOB',
      targetScimId: w.scimId('olga'),
      channelId: 'D0BOB',
      ts: '1700000001.000001',
      role: 'viewer',
    });
    const shown = withoutHelpers(
      chat.cards
        .filter((c) => c.to === 'D0BOB')
        .map((c) => PeopleChat.all(c.card))
        .join('\n'),
    );
    expect(shown).toMatch(/Grant `viewer` to Olga Owner/);
    expect(shown).not.toContain('olga@acme.test');
    expect(shown).not.toContain(w.scimId('olga'));
    expect(shown).not.toContain('`owner`');
  });
});

/** The refusal's "who could help" line names the policy's approver roles, never the target's roles. */
function withoutHelpers(text: string): string {
  return text.replace(/^Who could help:.*$/gm, '');
}
