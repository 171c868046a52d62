import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyChange } from '../../src/app/apply-change.ts';
import { recoverInterrupted } from '../../src/app/recover.ts';
import { REVOKE_RETRY_MS, revokeDueGrants } from '../../src/app/revoke-due.ts';
import { startScheduler } from '../../src/scheduler.ts';
import { startTestMongo, type TestMongo } from '../support/mongo-server.ts';
import { HOUR, haltingDirectories, type Proc, type StoreKind, startWorld, type World } from './world.ts';

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo?.stop();
});

const kinds = (await import('node:process')).env.ROLECALL_TB_STORES?.split(',') ?? ['sqlite', 'mongodb'];

describe.each(kinds as StoreKind[])('time-bound grants on %s', (kind) => {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });
  const start = async () => {
    w = await startWorld(kind, () => mongo);
    return w;
  };
  const kindsOf = async (p: Proc, requestId: string) =>
    (await p.deps.audit.query({ requestId })).map((a) => a.kind);
  /** What the scheduler does on each tick, as the bot runs it. */
  const tick = (p: Proc, graceMs?: number) => startScheduler(p.deps, 3_600_000).tick(graceMs);

  it('a grant for 2 h is revoked at 2 h, not before; requester and target are told', async () => {
    await start();
    const p = await w.boot();
    const g = await w.grant(p, { target: 'bob', role: 'editor', durationMs: 2 * HOUR });
    expect(g.state).toBe('applied');
    expect(g.grantEndsAt).toBe(new Date(w.clock.t + 2 * HOUR).toISOString());
    expect(w.groupMembers('Editors')).toContain(w.scimId('bob'));

    w.clock.advance(2 * HOUR - 1);
    await tick(p);
    expect(w.groupMembers('Editors')).toContain(w.scimId('bob'));
    expect((await p.deps.requests.get(g.id))?.state).toBe('applied');

    w.clock.advance(1);
    const patchesBefore = w.patches();
    await tick(p);
    expect(w.groupMembers('Editors')).not.toContain(w.scimId('bob'));
    expect(w.patches()).toBe(patchesBefore + 1);
    const r = await p.deps.requests.get(g.id);
    expect(r?.state).toBe('revoked');
    expect(r?.rolesAfter).toEqual(['viewer']);
    expect(await kindsOf(p, g.id)).toEqual(['applying', 'applied', 'revoking', 'revoked']);
    const revoked = (await p.deps.audit.query({ requestId: g.id, kinds: ['revoked'] }))[0]!;
    expect(revoked.actor?.displayName).toBe('Rolecall');
    expect(revoked.requester?.scimId).toBe(w.scimId('alice'));
    expect(revoked.note).toContain(`on behalf of request ${g.id}`);
    expect(p.chat.texts('C0GENERAL').at(-1)).toMatch(/`editor` for Bob Builder has ended and was removed/);
    expect(p.chat.texts('U0BOB').at(-1)).toMatch(/`editor` role has ended and was removed/);
    // Nothing more to do on the next tick.
    await tick(p);
    expect(w.patches()).toBe(patchesBefore + 1);
  });

  it('a bot stopped before the end and started after revokes at start', async () => {
    await start();
    const first = await w.boot();
    const g = await w.grant(first, { target: 'bob', role: 'editor', durationMs: 2 * HOUR });
    await first.stop();
    w.clock.advance(5 * HOUR);
    const second = await w.boot();
    await tick(second);
    expect(w.groupMembers('Editors')).not.toContain(w.scimId('bob'));
    expect((await second.deps.requests.get(g.id))?.state).toBe('revoked');
  });

  it('a crash between the write-ahead record and the PATCH: recovery marks it failed, nothing applied', async () => {
    await start();
    let halted!: () => void;
    const halt = new Promise<void>((r) => {
      halted = r;
    });
    const first = await w.boot({ directories: haltingDirectories('before_patch', () => halted()) });
    const approved = await w.approvedRequest(first, { target: 'bob', role: 'editor', durationMs: 2 * HOUR });
    void applyChange(first.deps, approved);
    await halt;
    expect((await first.deps.requests.get(approved.id))?.state).toBe('applying');
    await first.stop();

    w.clock.advance(20 * 60_000);
    const second = await w.boot();
    const patches = w.patches();
    await tick(second);
    const r = await second.deps.requests.get(approved.id);
    expect(r?.state).toBe('failed');
    expect(r?.error?.code).toBe('RECOVERY.NOT_APPLIED');
    expect(w.patches()).toBe(patches);
    expect(w.groupMembers('Editors')).not.toContain(w.scimId('bob'));
    expect(await kindsOf(second, approved.id)).toEqual(['applying', 'reconciled', 'failed']);
    expect(second.chat.texts('C0GENERAL').at(-1)).toMatch(/nothing was changed/);
    // Recovery again is a no-op.
    await tick(second);
    expect(await kindsOf(second, approved.id)).toEqual(['applying', 'reconciled', 'failed']);
  });

  it('a crash between the PATCH and the outcome record: recovery completes it once, ending on time', async () => {
    await start();
    let halted!: () => void;
    const halt = new Promise<void>((r) => {
      halted = r;
    });
    const t0 = w.clock.t;
    const first = await w.boot({ directories: haltingDirectories('after_patch', () => halted()) });
    const approved = await w.approvedRequest(first, { target: 'bob', role: 'editor', durationMs: 2 * HOUR });
    void applyChange(first.deps, approved);
    await halt;
    expect(w.groupMembers('Editors')).toContain(w.scimId('bob'));
    expect((await first.deps.requests.get(approved.id))?.state).toBe('applying');
    await first.stop();

    w.clock.advance(30 * 60_000);
    const second = await w.boot();
    const patches = w.patches();
    await tick(second);
    const r = await second.deps.requests.get(approved.id);
    expect(r?.state).toBe('applied');
    // The grant took effect at the write-ahead instant; the crash does not lengthen it.
    expect(r?.grantEndsAt).toBe(new Date(t0 + 2 * HOUR).toISOString());
    expect(w.patches()).toBe(patches);
    expect(await kindsOf(second, approved.id)).toEqual(['applying', 'reconciled', 'applied']);

    w.clock.t = t0 + 2 * HOUR;
    await tick(second);
    expect((await second.deps.requests.get(approved.id))?.state).toBe('revoked');
    expect(w.groupMembers('Editors')).not.toContain(w.scimId('bob'));
    expect(w.patches()).toBe(patches + 1);
  });

  it('a crash mid-revocation is completed at the next start, with one PATCH in all', async () => {
    await start();
    const first = await w.boot();
    const g = await w.grant(first, { target: 'bob', role: 'editor', durationMs: 2 * HOUR });
    await first.stop();
    let halted!: () => void;
    const halt = new Promise<void>((r) => {
      halted = r;
    });
    w.clock.advance(2 * HOUR);
    const crashing = await w.boot({ directories: haltingDirectories('after_patch', () => halted()) });
    const patches = w.patches();
    void revokeDueGrants(crashing.deps);
    await halt;
    expect((await crashing.deps.requests.get(g.id))?.state).toBe('revoking');
    await crashing.stop();

    w.clock.advance(20 * 60_000);
    const second = await w.boot();
    await tick(second);
    expect((await second.deps.requests.get(g.id))?.state).toBe('revoked');
    expect(w.patches()).toBe(patches + 1);
    expect(await kindsOf(second, g.id)).toEqual(['applying', 'applied', 'revoking', 'reconciled', 'revoked']);
  });

  it('recovery leaves work alone within the grace period (another process may be on it)', async () => {
    await start();
    let halted!: () => void;
    const halt = new Promise<void>((r) => {
      halted = r;
    });
    const first = await w.boot({ directories: haltingDirectories('before_patch', () => halted()) });
    const approved = await w.approvedRequest(first, { target: 'bob', role: 'editor' });
    void applyChange(first.deps, approved);
    await halt;
    const other = await w.boot();
    w.clock.advance(60_000);
    expect(await recoverInterrupted(other.deps)).toEqual({ completed: 0, failed: 0 });
    expect((await other.deps.requests.get(approved.id))?.state).toBe('applying');
    expect(await recoverInterrupted(other.deps, 0)).toEqual({ completed: 0, failed: 1 });
  });

  it('two schedulers on one store revoke a due grant once: one PATCH, one revoked record', async () => {
    await start();
    const a = await w.boot();
    const b = await w.boot();
    const grants = [];
    for (const who of ['alice', 'erin', 'olga'] as const)
      grants.push(await w.grant(a, { target: who, role: 'viewer', durationMs: HOUR }));
    w.clock.advance(HOUR);
    const patches = w.patches();
    const [na, nb] = await Promise.all([revokeDueGrants(a.deps), revokeDueGrants(b.deps)]);
    expect(na + nb).toBe(3);
    expect(w.patches()).toBe(patches + 3);
    for (const g of grants) {
      expect((await a.deps.requests.get(g.id))?.state).toBe('revoked');
      expect((await a.deps.audit.query({ requestId: g.id, kinds: ['revoked'] })).length).toBe(1);
    }
    expect((await a.deps.audit.verify()).ok).toBe(true);
  });

  it('a role removed by someone else before the end is recorded as drift, not re-fought', async () => {
    await start();
    const p = await w.boot();
    const g = await w.grant(p, { target: 'bob', role: 'editor', durationMs: 2 * HOUR });
    w.setMember('Editors', 'bob', false);
    w.clock.advance(2 * HOUR);
    const patches = w.patches();
    await tick(p);
    expect(w.patches()).toBe(patches);
    expect((await p.deps.requests.get(g.id))?.state).toBe('revoked');
    const kinds = await kindsOf(p, g.id);
    expect(kinds).toEqual(['applying', 'applied', 'revoking', 'drift_detected', 'revoked']);
    expect(p.chat.texts('C0GENERAL').at(-1)).toMatch(/already been removed outside Rolecall/);
  });

  it('a role the person held before the grant is left in place at the end', async () => {
    await start();
    const p = await w.boot();
    const g = await w.grant(p, { target: 'erin', role: 'editor', durationMs: HOUR });
    expect(g.rolesBefore).toContain('editor');
    w.clock.advance(HOUR);
    const patches = w.patches();
    await tick(p);
    expect(w.patches()).toBe(patches);
    expect(w.groupMembers('Editors')).toContain(w.scimId('erin'));
    const revoked = (await p.deps.audit.query({ requestId: g.id, kinds: ['revoked'] }))[0]!;
    expect(revoked.outcome).toBe('held_before');
  });

  it('a later grant of the same role still in force supersedes the earlier one (no PATCH)', async () => {
    await start();
    const p = await w.boot();
    const first = await w.grant(p, { target: 'bob', role: 'editor', durationMs: HOUR });
    w.clock.advance(30 * 60_000);
    const second = await w.grant(p, { target: 'bob', role: 'editor', durationMs: 2 * HOUR });
    expect(second.state).toBe('applied');
    w.clock.advance(30 * 60_000);
    const patches = w.patches();
    await tick(p);
    expect(w.patches()).toBe(patches);
    expect(w.groupMembers('Editors')).toContain(w.scimId('bob'));
    const firstNow = await p.deps.requests.get(first.id);
    expect(firstNow?.state).toBe('revoked');
    const rec = (await p.deps.audit.query({ requestId: first.id, kinds: ['revoked'] }))[0]!;
    expect(rec.outcome).toBe('superseded');
    expect(rec.note).toContain(second.id);
    // The second grant, though a no-op when applied, was Rolecall's own: it is removed at its end.
    w.clock.advance(90 * 60_000);
    await tick(p);
    expect(w.groupMembers('Editors')).not.toContain(w.scimId('bob'));
    expect((await p.deps.requests.get(second.id))?.state).toBe('revoked');
  });

  it('a failed revocation (directory down) is retried on a later tick', async () => {
    await start();
    const p = await w.boot();
    const g = await w.grant(p, { target: 'bob', role: 'editor', durationMs: HOUR });
    w.clock.advance(HOUR);
    w.scim.faults.rules.push({ path: /Users|Groups/, times: 100, action: { kind: 'status', status: 503 } });
    await tick(p);
    expect((await p.deps.requests.get(g.id))?.state).toBe('revoke_failed');
    w.scim.faults.rules.length = 0;
    await tick(p);
    expect((await p.deps.requests.get(g.id))?.state).toBe('revoke_failed');
    w.clock.advance(REVOKE_RETRY_MS);
    await tick(p);
    expect((await p.deps.requests.get(g.id))?.state).toBe('revoked');
    expect(w.groupMembers('Editors')).not.toContain(w.scimId('bob'));
  });
});
