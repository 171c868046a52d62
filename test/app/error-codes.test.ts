import { afterEach, describe, expect, it } from 'vitest';
import { applyChange } from '../../src/app/apply-change.ts';
import { handleClick } from '../../src/app/handle-click.ts';
import { ACTIONS } from '../../src/app/inbound.ts';
import { outcomeCard } from '../../src/app/messages.ts';
import { startScheduler } from '../../src/scheduler.ts';
import { HOUR, haltAt, type Proc, startWorld, type World } from './world.ts';

/**
 * Issue 15 item 5: POLICY.DENIED and RECOVERY.NOT_APPLIED were outside the ErrorCode union, so
 * the requester read "Something went wrong" and got a *Try again*. A policy refusal at apply is
 * not fixed by trying again (the same check refuses again, after one more write-ahead record);
 * an interrupted change that recovery proved absent is, and says so.
 */
let w: World;
afterEach(async () => {
  await w?.close();
});
const noMongo = () => {
  throw new Error('sqlite only');
};
const tick = (p: Proc) => startScheduler(p.deps, 3_600_000).tick();
const retryClick = (id: string) => ({
  actionId: ACTIONS.retry,
  value: id,
  clicker: { userId: 'U0ALICE', teamId: 'T0ACME' },
  channelId: 'C0GENERAL',
});

describe('a failed apply is explained by its code', () => {
  it('POLICY.DENIED: says the policy no longer allows it, offers no Try again, and an old button changes nothing', async () => {
    w = await startWorld('sqlite', noMongo);
    const p = await w.boot();
    const asked = await w.approvedRequest(p, { target: 'bob', role: 'editor' });
    // Alice loses the role that allowed her request before it is applied.
    w.setMember('Admins', 'alice', false);
    const failed = await applyChange(p.deps, asked);
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('POLICY.DENIED');

    const card = outcomeCard(failed);
    expect(card.text).not.toMatch(/something went wrong/i);
    expect(card.text).toMatch(/policy no longer allows/i);
    expect(card.text).toContain(failed.id);
    expect(card.buttons ?? []).toEqual([]);
    expect(p.chat.texts('C0GENERAL').at(-1)).toBe(card.text);

    // A *Try again* button from before this fix is still in Slack: it must not start another apply.
    const before = (await p.deps.audit.query({ requestId: failed.id })).length;
    await handleClick(p.deps, retryClick(failed.id));
    expect((await p.deps.audit.query({ requestId: failed.id })).length).toBe(before);
    expect((await p.deps.requests.get(failed.id))?.state).toBe('failed');
    expect(p.chat.texts().at(-1)).toMatch(/policy no longer allows/i);
    expect(w.groupMembers('Editors')).not.toContain(w.scimId('bob'));
  });

  it('RECOVERY.NOT_APPLIED: says the change was interrupted and is not in the directory; Try again applies it', async () => {
    w = await startWorld('sqlite', noMongo);
    const crash = haltAt('before_patch');
    const first = await w.boot({ directories: crash.directories });
    const approved = await w.approvedRequest(first, { target: 'bob', role: 'editor', durationMs: 2 * HOUR });
    void applyChange(first.deps, approved);
    await crash.halted;
    await first.stop();
    w.clock.advance(20 * 60_000);
    const second = await w.boot();
    await tick(second);
    const failed = (await second.deps.requests.get(approved.id))!;
    expect(failed.error?.code).toBe('RECOVERY.NOT_APPLIED');

    const card = outcomeCard(failed);
    expect(card.text).not.toMatch(/something went wrong/i);
    expect(card.text).toMatch(/interrupted/i);
    expect(card.text).toMatch(/nothing was changed/i);
    expect(card.buttons?.map((b) => b.actionId)).toEqual([ACTIONS.retry]);
    expect(second.chat.texts('C0GENERAL').at(-1)).toBe(card.text);

    await handleClick(second.deps, retryClick(failed.id));
    expect((await second.deps.requests.get(failed.id))?.state).toBe('applied');
    expect(w.groupMembers('Editors')).toContain(w.scimId('bob'));
  });
});
