import { afterEach, describe, expect, it } from 'vitest';
import type { Person } from '../../src/app/identify.ts';
import { proposeChange } from '../../src/app/propose-change.ts';
import type { Card } from '../../src/ports/chat.ts';
import { startWorld, type World } from './world.ts';

/** Issue 12 item 7: no role is granted to a deactivated directory account; removing one is fine. */

let w: World;
afterEach(async () => {
  await w?.close();
});

describe('a deactivated target', () => {
  it('gets no grant card, only a card saying why; a revoke is proposed as usual', async () => {
    w = await startWorld('sqlite', () => {
      throw new Error('sqlite only');
    });
    const p = await w.boot();
    const tenant = p.deps.policy.tenants[0]!;
    const dir = p.deps.directories.forTenant(tenant.id);
    w.scim.state.users.get(w.scimId('bob'))!.active = false;
    const alice = (await dir.getUser(w.scimId('alice')))!;
    const bob = (await dir.getUser(w.scimId('bob')))!;
    const person: Person = {
      kind: 'member',
      tenant,
      chatUser: {
        id: 'U0ALICE',
        teamId: 'T0ACME',
        name: 'alice',
        isBot: false,
        isDeleted: false,
        isRestricted: false,
        isStranger: false,
      },
      user: alice,
      identity: w.identity('alice'),
      roles: ['admin'],
    };
    const cards: Card[] = [];
    const ctx = {
      person,
      tenant,
      origin: { channelId: 'C0GENERAL', ts: '1700000000.000001' },
      reply: async (c: Card) => void cards.push(c),
      showDetails: true,
    };
    const target = { user: bob, identity: w.identity('bob') };
    await proposeChange(p.deps, ctx, target, { action: 'grant', role: 'editor' });
    expect(cards).toHaveLength(1);
    expect(cards[0]?.text).toMatch(
      /Bob Builder's directory account is deactivated, so no role can be granted/,
    );
    expect(await p.deps.requests.find({ tenantId: tenant.id })).toEqual([]);

    await proposeChange(p.deps, ctx, target, { action: 'revoke', role: 'viewer' });
    const [request] = await p.deps.requests.find({ tenantId: tenant.id });
    expect(request).toMatchObject({ action: 'revoke', role: 'viewer', state: 'awaiting_confirmation' });
  });
});
