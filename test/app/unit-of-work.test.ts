import { afterEach, describe, expect, it } from 'vitest';
import { applyChange } from '../../src/app/apply-change.ts';
import { handleClick } from '../../src/app/handle-click.ts';
import { handleMessage } from '../../src/app/handle-message.ts';
import { ACTIONS } from '../../src/app/inbound.ts';
import { recoverInterrupted } from '../../src/app/recover.ts';
import { type SqliteSpy, spySqlite, writes } from '../store/sqlite-spy.ts';
import { PeopleChat } from './people-chat.ts';
import { startWorld, type World } from './world.ts';

/**
 * Issue 15 item 1: a state change and its audit records are saved together or not at all. The
 * scenario of the issue: the `applied` save succeeds and its audit append fails — before, the chain
 * ended at `applying` while the request said `applied` (and the requester heard "applying").
 * Here each write of that unit of work fails in turn; whatever fails, the stored state and the
 * chain agree, the chain verifies, nobody hears "failed" about a change that landed, and recovery
 * later records the outcome once.
 */
let w: World;
let spy: SqliteSpy | undefined;
afterEach(async () => {
  spy?.restore();
  spy = undefined;
  await w?.close();
});
const noMongo = () => {
  throw new Error('sqlite only');
};

const points = [
  ['the request row', writes.requestTo('applied'), writes.requestTo('applied')],
  ['the audit record', writes.auditOf('applied'), writes.auditOf('applied')],
  ['the audit user index', writes.auditOf('applied'), writes.auditUser],
  ['the commit', writes.requestTo('applied'), writes.commit],
] as const;

describe('the applied state and its audit record: both or neither', () => {
  for (const [what, trigger, target] of points)
    it(`when writing ${what} fails`, async () => {
      w = await startWorld('sqlite', noMongo);
      const p = await w.boot();
      const asked = await w.approvedRequest(p, { target: 'bob', role: 'editor' });
      spy = spySqlite();
      spy.failAfter(trigger, target);
      const told = await applyChange(p.deps, asked);
      expect(spy.injected).toHaveLength(1);
      // The directory change landed.
      expect(w.groupMembers('Editors')).toContain(w.scimId('bob'));

      const stored = (await p.stores.requests.get(asked.id))!;
      const trail = (await p.deps.audit.query({ requestId: asked.id })).map((a) => a.kind);
      expect(trail.includes('applied')).toBe(stored.state === 'applied');
      expect(trail.includes('failed')).toBe(stored.state === 'failed');
      // What the requester was told is what was saved, and never "failed" about a change that landed.
      expect(told.state).toBe(stored.state);
      expect(stored.state).toBe('applying');
      expect(p.chat.texts('C0GENERAL').join('\n')).not.toMatch(/nothing was changed|went wrong/i);
      expect((await p.deps.audit.verify()).ok).toBe(true);

      // Recovery reads the directory and records the outcome, once.
      await recoverInterrupted(p.deps, 0);
      const after = (await p.deps.audit.query({ requestId: asked.id })).map((a) => a.kind);
      expect((await p.stores.requests.get(asked.id))?.state).toBe('applied');
      expect(after.filter((k) => k === 'applied')).toHaveLength(1);
      expect((await p.deps.audit.verify()).ok).toBe(true);
    });
});

describe('durable commits per applied change', () => {
  it('one per state transition: requested, confirmed, applying, applied (plus the delivery key)', async () => {
    w = await startWorld('sqlite', noMongo);
    const p = await w.boot();
    p.deps.chat = new PeopleChat();
    spy = spySqlite();
    await handleMessage(p.deps, {
      deliveryId: 'ev-commits',
      source: 'dm',
      teamId: 'T0ACME',
      channelId: 'D0ALICE',
      isDm: true,
      userId: 'U0ALICE',
      text: 'make <@U0BOB> an editor',
      ts: '1700000001.000001',
    });
    const [r] = await p.stores.requests.find({ tenantId: 'acme' });
    expect(r?.state).toBe('awaiting_confirmation');
    await handleClick(p.deps, {
      actionId: ACTIONS.confirm,
      value: r!.id,
      clicker: { userId: 'U0ALICE', teamId: 'T0ACME' },
      channelId: 'D0ALICE',
    });
    expect((await p.stores.requests.get(r!.id))?.state).toBe('applied');
    const trail = (await p.deps.audit.query({ requestId: r!.id })).map((a) => a.kind);
    expect(trail).toEqual(['requested', 'confirmed', 'applying', 'applied']);
    // Four state transitions (created, confirmed, applying, applied), each one commit with its
    // record, and the event's de-duplication key. Before issue 15: 9.
    expect(spy.commits).toBe(5);
  });
});
