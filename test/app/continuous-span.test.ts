import { describe, expect, it } from 'vitest';
import { handleClick } from '../../src/app/handle-click.ts';
import { ACTIONS } from '../../src/app/inbound.ts';
import { revokeDueGrants } from '../../src/app/revoke-due.ts';
import { useTestMongo } from '../support/mongo-per-file.ts';
import { messenger, usePeopleWorld } from '../support/people-world.ts';
import { PeopleChat } from './people-chat.ts';
import { HOUR, type Proc, type StoreKind } from './world.ts';

/**
 * Issue 13 finding 5: a grant asked while a grant of the same role runs is judged on the continuous
 * span it creates (rule 4 of the test policy: anyone → editor for themselves, at most 24 h, approved by
 * an admin or owner), and approvers see the grant already running.
 */
const mongo = useTestMongo();

describe.each(['sqlite', 'mongodb'] as StoreKind[])(
  'maxDuration holds across grants asked before the previous one ends (%s)',
  (kind) => {
    const { boot } = usePeopleWorld(kind, mongo);
    const message = messenger('span', '1700000002');
    const say = (p: Proc, text: string) =>
      message(p, { channelId: 'D0BOB', userId: 'U0BOB', isDm: true, text });
    const click = (p: Proc, who: string, actionId: string, value: string, channelId: string) =>
      handleClick(p.deps, {
        actionId,
        value,
        clicker: { userId: who, teamId: 'T0ACME' },
        channelId,
        // This file's DMs are D0BOB and the like; the approvers' channel is not one.
        isDm: channelId.startsWith('D'),
      });
    const confirmButton = (chat: PeopleChat) =>
      chat.last('D0BOB').buttons?.find((b) => b.actionId === ACTIONS.confirm)?.value;

    it('"make me an editor for 24 hours" at +23 h of a 24 h grant is judged as 47 h and refused', async () => {
      const { w, p, chat } = await boot();
      const first = await w.grant(p, { target: 'bob', role: 'editor', durationMs: 24 * HOUR });
      expect(first.state).toBe('applied');
      w.clock.advance(23 * HOUR);
      await say(p, 'make me an editor for 24 hours');
      // One message per refusal (issue 16): the refused card is the last one.
      const card = chat.cards.filter((c) => c.to === 'D0BOB').at(-1)!.card;
      expect(PeopleChat.all(card)).toMatch(/Not allowed: the duration is longer than the policy allows/);
      expect(card.buttons ?? []).toEqual([]);
      const [denied] = await p.deps.requests.find({ tenantId: 'acme', states: ['denied'] });
      expect(denied?.decision).toMatchObject({ reason: 'duration_exceeds_max' });
      expect(denied?.decision.kind === 'deny' && denied.decision.detail).toMatch(/1d 23h continuous/);
    });

    it('what fits is asked for approval, approvers see the running grant, and a slow approval adds nothing', async () => {
      const { w, p, chat } = await boot();
      const first = await w.grant(p, { target: 'bob', role: 'editor', durationMs: 24 * HOUR });
      const start = w.clock.t;
      w.clock.advance(20 * HOUR);
      await say(p, 'make me an editor for 4 hours');
      const id = confirmButton(chat);
      expect(id).toBeDefined();
      // The requester sees it too (it is their own role).
      expect(PeopleChat.all(chat.last('D0BOB'))).toMatch(/Already running/);
      await click(p, 'U0BOB', ACTIONS.confirm, id!, 'D0BOB');
      const approval = chat.last('C0APPROVALS');
      const running = (approval.fields ?? []).find(([label]) => label === 'Already running');
      expect(running?.[1]).toContain(`request ${first.id}`);
      expect(running?.[1]).toContain(`<!date^${Math.floor(start / 1000)}^`);
      // Approved 3 h later: the grant still ends at 24 h from the first one's start, not 27 h.
      w.clock.advance(3 * HOUR);
      await click(p, 'U0ALICE', ACTIONS.approve, id!, 'C0APPROVALS');
      const applied = await p.deps.requests.get(id!);
      expect(applied?.state).toBe('applied');
      expect(applied?.grantEndsAt).toBe(new Date(start + 24 * HOUR).toISOString());
    });

    it('extending by an hour every hour cannot renew for ever either', async () => {
      const { w, p, chat } = await boot();
      await w.grant(p, { target: 'bob', role: 'editor', durationMs: 24 * HOUR });
      w.clock.advance(23 * HOUR);
      // 23 h run + 1 h left + 1 h more = 25 h > 24 h (judged before on the 2 h from now only).
      await say(p, 'extend my editor role by 1 hour');
      const shown = chat.cards
        .filter((c) => c.to === 'D0BOB')
        .map((c) => PeopleChat.all(c.card))
        .join('\n');
      expect(shown).toMatch(/Extend `editor`/);
      expect(shown).toMatch(/Not allowed: the duration is longer than the policy allows/);
      expect(confirmButton(chat)).toBeUndefined();
    });

    it('the span reaches back through earlier grants it continued, even ones already ended', async () => {
      const { w, p, chat } = await boot();
      await w.grant(p, { target: 'bob', role: 'editor', durationMs: 10 * HOUR });
      w.clock.advance(8 * HOUR);
      await w.grant(p, { target: 'bob', role: 'editor', durationMs: 8 * HOUR });
      w.clock.advance(2 * HOUR);
      // The first grant ends while the second covers it: superseded, no PATCH, role kept.
      await revokeDueGrants(p.deps);
      expect(w.groupMembers('Editors')).toContain(w.scimId('bob'));
      w.clock.advance(5 * HOUR);
      // 15 h since the first grant began + 10 h = 25 h > 24 h (the second alone: 7 h + 10 h).
      await say(p, 'make me an editor for 10 hours');
      expect(confirmButton(chat)).toBeUndefined();
      const [denied] = await p.deps.requests.find({ tenantId: 'acme', states: ['denied'] });
      expect(denied?.decision.kind === 'deny' && denied.decision.detail).toMatch(
        /1d 1h continuous \(15h already running\)/,
      );
    });

    it('after the running grant has ended and its role was removed, a new span starts', async () => {
      const { w, p, chat } = await boot();
      await w.grant(p, { target: 'bob', role: 'editor', durationMs: 2 * HOUR });
      w.clock.advance(2 * HOUR);
      expect(await revokeDueGrants(p.deps)).toBe(1);
      w.clock.advance(HOUR);
      await say(p, 'make me an editor for 24 hours');
      expect(confirmButton(chat)).toBeDefined();
    });
  },
);
