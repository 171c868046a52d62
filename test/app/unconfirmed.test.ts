import { afterEach, describe, expect, it } from 'vitest';
import { applyChange } from '../../src/app/apply-change.ts';
import { advance, audit } from '../../src/app/lifecycle.ts';
import { startScheduler } from '../../src/scheduler.ts';
import { HOUR, type Proc, startWorld, type World } from './world.ts';

/**
 * Issue 12 item 5: a write that was sent and whose read-back failed must never be recorded as
 * failed, must not turn a time-bound grant permanent, and the requester must not hear "nothing was
 * changed". The scheduler decides it from the directory.
 */

let w: World;
afterEach(async () => {
  await w?.close();
});

const tick = (p: Proc) => startScheduler(p.deps, 3_600_000).tick();
const noMongo = () => {
  throw new Error('sqlite only');
};

describe('a sent write whose read-back fails', () => {
  it('stays reconcilable, is decided by the scheduler from the directory, and still ends on time', async () => {
    w = await startWorld('sqlite', noMongo);
    const p = await w.boot();
    // The PATCH lands; every read after it fails for a while (500, not retried on reads).
    w.scim.faults.afterWrite = [{ method: 'GET', times: 5, action: { kind: 'status', status: 500 } }];
    const asked = await w.approvedRequest(p, { target: 'bob', role: 'editor', durationMs: 8 * HOUR });
    const writeAhead = w.clock.now().toISOString();
    const r = await applyChange(p.deps, asked);

    expect(w.groupMembers('Editors')).toContain(w.scimId('bob'));
    expect(r.state).not.toBe('failed');
    expect(r.state).toBe('applying');
    expect(r.error?.code).toBe('SCIM.UNAVAILABLE');
    const trail = await p.deps.audit.query({ requestId: r.id });
    expect(trail.map((a) => a.kind)).toEqual(['applying', 'applying']);
    expect(trail[1]?.outcome).toBe('unconfirmed');
    const told = p.chat.texts('C0GENERAL');
    expect(told.at(-1)).toBe("I couldn't confirm it yet — I'll check and tell you.");
    expect(told.join('\n')).not.toMatch(/nothing was changed/i);

    // The directory answers again; the next tick (well inside the crash grace) decides it.
    w.scim.faults.rules.length = 0;
    w.clock.advance(60_000);
    await tick(p);
    const decided = await p.deps.requests.get(r.id);
    expect(decided?.state).toBe('applied');
    expect(decided?.heldBefore).toBe(false);
    // Its end counts from the write-ahead instant, not from when it was confirmed.
    expect(decided?.grantEndsAt).toBe(new Date(Date.parse(writeAhead) + 8 * HOUR).toISOString());
    expect(p.chat.texts('C0GENERAL').at(-1)).toMatch(/^Done: granted `editor` to Bob Builder until/);

    w.clock.advance(8 * HOUR);
    await tick(p);
    expect((await p.deps.requests.get(r.id))?.state).toBe('revoked');
    expect(w.groupMembers('Editors')).not.toContain(w.scimId('bob'));
  });

  it('is decided failed only when a read proves the change absent', async () => {
    w = await startWorld('sqlite', noMongo);
    const p = await w.boot();
    w.scim.faults.afterWrite = [{ method: 'GET', times: 5, action: { kind: 'status', status: 500 } }];
    const r = await applyChange(
      p.deps,
      await w.approvedRequest(p, { target: 'bob', role: 'editor', durationMs: HOUR }),
    );
    expect(r.state).toBe('applying');
    // Someone removes it before the directory can be read again: the read proves it absent.
    w.scim.faults.rules.length = 0;
    w.setMember('Editors', 'bob', false);
    await tick(p);
    const decided = await p.deps.requests.get(r.id);
    expect(decided?.state).toBe('failed');
    expect(decided?.error?.code).toBe('RECOVERY.NOT_APPLIED');
  });

  it('a retry that finds its own earlier write does not record the role as held before', async () => {
    w = await startWorld('sqlite', noMongo);
    const p = await w.boot();
    // A request recorded `failed` by older code although its PATCH had landed.
    const asked = await w.approvedRequest(p, { target: 'bob', role: 'editor', durationMs: 8 * HOUR });
    await audit(p.deps, asked, 'requested', { rolesBefore: ['viewer'] });
    // advance() saves each change with the records it implies (applying, failed).
    const started = (await advance(p.deps, asked, { kind: 'start_apply' }))!;
    w.setMember('Editors', 'bob', true);
    const failed = (await advance(p.deps, started, {
      kind: 'apply_failed',
      code: 'SCIM.UNAVAILABLE',
      message: 'read-back failed',
    }))!;
    const retried = (await advance(p.deps, failed, { kind: 'retry' }))!;
    const final = await applyChange(p.deps, retried);
    expect(final.state).toBe('applied');
    expect(final.heldBefore).toBe(false);

    w.clock.advance(9 * HOUR);
    await tick(p);
    expect((await p.deps.requests.get(final.id))?.state).toBe('revoked');
    expect(w.groupMembers('Editors')).not.toContain(w.scimId('bob'));
  });
});
