import { afterEach, describe, expect, it } from 'vitest';
import { mrkdwn } from '../../src/adapters/slack/mrkdwn.ts';
import { applyChange } from '../../src/app/apply-change.ts';
import { confirmRequest, requestApproval } from '../../src/app/confirm-request.ts';
import { audit } from '../../src/app/lifecycle.ts';
import { recoverInterrupted } from '../../src/app/recover.ts';
import { REVOKE_RETRY_MS, revokeDueGrants } from '../../src/app/revoke-due.ts';
import { transition } from '../../src/core/request.ts';
import { startScheduler } from '../../src/scheduler.ts';
import { useTestMongo } from '../support/mongo-per-file.ts';
import { HOUR, haltAt, type Proc, type StoreKind, startWorld, type Who, type World } from './world.ts';

const mongo = useTestMongo();

const kinds: StoreKind[] = ['sqlite', 'mongodb'];

describe.each(kinds)('time-bound grants on %s', (kind) => {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });
  const start = async () => {
    w = await startWorld(kind, mongo);
    return w;
  };
  const kindsOf = async (p: Proc, requestId: string) =>
    (await p.deps.audit.query({ requestId })).map((a) => a.kind);
  /** What the scheduler does on each tick, as the bot runs it. */
  const tick = (p: Proc, graceMs?: number) => startScheduler(p.deps, 3_600_000).tick(graceMs);
  /**
   * A process that dies at `point` while applying an approved grant (`before` runs between the
   * approval and the apply); the test then stops it, as a crash would.
   */
  const crashApplying = async (
    point: Parameters<typeof haltAt>[0],
    grant: { target: Who; role: string; durationMs: number },
    before?: (p: Proc, approved: Awaited<ReturnType<World['approvedRequest']>>) => Promise<unknown>,
  ) => {
    const crash = haltAt(point);
    const first = await w.boot({ directories: crash.directories });
    const approved = await w.approvedRequest(first, grant);
    await before?.(first, approved);
    void applyChange(first.deps, approved);
    await crash.halted;
    return { first, approved };
  };
  /** The `revoked` record of a request (the first, if any). */
  const revokedOf = async (p: Proc, requestId: string) =>
    (await p.deps.audit.query({ requestId, kinds: ['revoked'] }))[0];
  /** The end left the role alone: no PATCH since `patches` were counted, `who` still an editor. */
  const expectNoPatchStillEditor = (patches: number, who: Who) => {
    expect(w.patches()).toBe(patches);
    expect(w.groupMembers('Editors')).toContain(w.scimId(who));
  };

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
    const revoked = (await revokedOf(p, g.id))!;
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
    const { first, approved } = await crashApplying('before_patch', {
      target: 'bob',
      role: 'editor',
      durationMs: 2 * HOUR,
    });
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

  it('a crash after the approval but before the write-ahead record: recovery applies it once', async () => {
    await start();
    const first = await w.boot();
    // Decided and saved as approved; the process stops before applyChange runs.
    const approved = await w.approvedRequest(first, { target: 'bob', role: 'editor', durationMs: HOUR });
    await first.stop();
    w.clock.advance(20 * 60_000);
    const second = await w.boot();
    const patches = w.patches();
    await recoverInterrupted(second.deps, 0);
    const r = await second.deps.requests.get(approved.id);
    expect(r?.state).toBe('applied');
    expect(w.patches()).toBe(patches + 1);
    expect(w.groupMembers('Editors')).toContain(w.scimId('bob'));
    await recoverInterrupted(second.deps, 0);
    expect(w.patches()).toBe(patches + 1);
  });

  it('a crash between the PATCH and the outcome record: recovery completes it once, ending on time', async () => {
    await start();
    const t0 = w.clock.t;
    const { first, approved } = await crashApplying('after_patch', {
      target: 'bob',
      role: 'editor',
      durationMs: 2 * HOUR,
    });
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

  it('a crash before the PATCH of a role already held: recovery records a no-op, and the end leaves the role', async () => {
    await start();
    const { first, approved } = await crashApplying(
      'before_patch',
      { target: 'erin', role: 'editor', durationMs: HOUR },
      // What confirm records: the target's roles as observed then (Erin is an editor already).
      (p, approved) => audit(p.deps, approved, 'confirmed', { rolesBefore: ['editor'] }),
    );
    await first.stop();

    w.clock.advance(20 * 60_000);
    const second = await w.boot();
    const patches = w.patches();
    await tick(second);
    const r = await second.deps.requests.get(approved.id);
    expect(r?.state).toBe('applied');
    expect(r?.rolesBefore).toContain('editor');
    const applied = (await second.deps.audit.query({ requestId: approved.id, kinds: ['applied'] }))[0]!;
    expect(applied).toMatchObject({ noop: true, outcome: 'no-op' });

    w.clock.advance(HOUR);
    await tick(second);
    expectNoPatchStillEditor(patches, 'erin');
    const revoked = (await revokedOf(second, approved.id))!;
    expect(revoked.outcome).toBe('held_before');
  });

  it('a crash mid-revocation is completed at the next start, with one PATCH in all', async () => {
    await start();
    const first = await w.boot();
    const g = await w.grant(first, { target: 'bob', role: 'editor', durationMs: 2 * HOUR });
    await first.stop();
    const crash = haltAt('after_patch');
    w.clock.advance(2 * HOUR);
    const crashing = await w.boot({ directories: crash.directories });
    const patches = w.patches();
    void revokeDueGrants(crashing.deps);
    await crash.halted;
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
    const crash = haltAt('before_patch');
    const first = await w.boot({ directories: crash.directories });
    const approved = await w.approvedRequest(first, { target: 'bob', role: 'editor' });
    void applyChange(first.deps, approved);
    await crash.halted;
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

  it('a permanent grant that an approved revoke ended does not keep a later time-bound grant alive', async () => {
    await start();
    const p = await w.boot();
    await w.grant(p, { target: 'bob', role: 'editor' });
    await applyChange(
      p.deps,
      await w.approvedRequest(p, { target: 'bob', role: 'editor', action: 'revoke' }),
    );
    expect(w.groupMembers('Editors')).not.toContain(w.scimId('bob'));
    w.clock.advance(60_000);
    const timed = await w.grant(p, { target: 'bob', role: 'editor', durationMs: HOUR });
    w.clock.advance(HOUR);
    await tick(p);
    expect(w.groupMembers('Editors')).not.toContain(w.scimId('bob'));
    const revoked = (await revokedOf(p, timed.id))!;
    expect(revoked.outcome).toBe('changed');
  });

  it('a role held from the IdP survives the end of a second, overlapping grant', async () => {
    await start();
    const p = await w.boot();
    // Erin is an editor from the IdP; two Rolecall grants of editor overlap, each a no-op.
    const first = await w.grant(p, { target: 'erin', role: 'editor', durationMs: 2 * HOUR });
    w.clock.advance(HOUR);
    const second = await w.grant(p, { target: 'erin', role: 'editor', durationMs: 2 * HOUR });
    w.clock.advance(HOUR);
    await tick(p);
    expect((await revokedOf(p, first.id))?.outcome).toBe('superseded');
    w.clock.advance(HOUR);
    const patches = w.patches();
    await tick(p);
    expect((await revokedOf(p, second.id))?.outcome).toBe('held_before');
    expectNoPatchStillEditor(patches, 'erin');
  });

  it('a due grant waits while another grant of the role is being applied, then is superseded', async () => {
    await start();
    const p = await w.boot();
    const first = await w.grant(p, { target: 'bob', role: 'editor', durationMs: HOUR });
    w.clock.advance(HOUR);
    // An extension approved but not yet applied when the first grant's end comes.
    const ext = await w.approvedRequest(p, { target: 'bob', role: 'editor', durationMs: 2 * HOUR });
    await tick(p);
    expect((await p.deps.requests.get(first.id))?.state).toBe('applied');
    await applyChange(p.deps, ext);
    await tick(p);
    expect((await revokedOf(p, first.id))?.outcome).toBe('superseded');
    expect(w.groupMembers('Editors')).toContain(w.scimId('bob'));
  });

  it('a role the person held before the grant is left in place at the end', async () => {
    await start();
    const p = await w.boot();
    const g = await w.grant(p, { target: 'erin', role: 'editor', durationMs: HOUR });
    expect(g.rolesBefore).toContain('editor');
    w.clock.advance(HOUR);
    const patches = w.patches();
    await tick(p);
    expectNoPatchStillEditor(patches, 'erin');
    const revoked = (await revokedOf(p, g.id))!;
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
    expectNoPatchStillEditor(patches, 'bob');
    const firstNow = await p.deps.requests.get(first.id);
    expect(firstNow?.state).toBe('revoked');
    const rec = (await revokedOf(p, first.id))!;
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

describe.each(kinds)('pending expiry and reminders on %s', (kind) => {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });
  const tick = (p: Proc) => startScheduler(p.deps, 3_600_000).tick();
  const needsOwner = {
    kind: 'needs_approval' as const,
    ruleId: 'rule-2',
    approverRoles: ['owner'],
    count: 1,
    capped: false,
    durationMs: HOUR,
  };

  it('approvers get one reminder before expiry; at expiry the requester is told and nothing changes', async () => {
    w = await startWorld(kind, mongo);
    const p = await w.boot();
    const t0 = w.clock.t;
    const r = await w.approvedRequest(p, {
      target: 'bob',
      role: 'admin',
      durationMs: HOUR,
      decision: needsOwner,
    });
    expect(r.state).toBe('awaiting_approval');
    expect(r.pendingExpiresAt).toBe(new Date(t0 + 24 * HOUR).toISOString());
    await requestApproval(p.deps, r);
    const reminders = () => p.chat.said.filter((s) => s.to === 'C0APPROVALS' && /^Reminder/.test(s.text));

    w.clock.t = t0 + 22 * HOUR - 1; // reminderBefore defaults to 2 h
    await tick(p);
    expect(reminders()).toHaveLength(0);
    w.clock.t = t0 + 22 * HOUR;
    await tick(p);
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]!.threadTs).toBeDefined();
    expect(reminders()[0]!.text).toContain(r.id);
    w.clock.t = t0 + 23 * HOUR;
    await tick(p);
    expect(reminders()).toHaveLength(1);
    expect((await p.deps.requests.get(r.id))?.state).toBe('awaiting_approval');

    w.clock.t = t0 + 24 * HOUR;
    await tick(p);
    const expired = await p.deps.requests.get(r.id);
    expect(expired?.state).toBe('expired');
    expect(p.chat.texts('C0GENERAL').at(-1)).toMatch(/expired without a decision\. Nothing was changed/);
    expect(p.chat.said.some((s) => s.kind === 'update' && s.to === 'C0APPROVALS')).toBe(true);
    const audit = (await p.deps.audit.query({ requestId: r.id })).map((a) => a.kind);
    expect(audit).toEqual(['approval_requested', 'expired']);
    expect(w.groupMembers('Admins')).not.toContain(w.scimId('bob'));
    // An approval after expiry changes nothing.
    const late = transition(
      expired!,
      { kind: 'approve', approval: { approver: w.identity('olga'), at: '' } },
      w.clock.now(),
    );
    expect(late.ok).toBe(false);
  });

  it('the pending deadline follows timers.pendingTtl and reminderBefore from the policy file', async () => {
    w = await startWorld(kind, mongo);
    const p = await w.boot();
    p.deps.policy = { ...p.deps.policy, timers: { ...p.deps.policy.timers, reminderBefore: 10 * 60_000 } };
    const t0 = w.clock.t;
    const r = await w.approvedRequest(p, {
      target: 'bob',
      role: 'admin',
      durationMs: HOUR,
      decision: needsOwner,
    });
    // Re-stamp as confirm-request does with a 1 h pendingTtl.
    const stored = (await p.deps.requests.get(r.id))!;
    const short = {
      ...stored,
      version: stored.version + 1,
      pendingExpiresAt: new Date(t0 + HOUR).toISOString(),
    };
    await p.deps.requests.save(short, stored.version);
    await requestApproval(p.deps, short);
    w.clock.t = t0 + 50 * 60_000;
    await tick(p);
    expect((await p.deps.requests.get(r.id))?.reminderSentAt).toBe(new Date(t0 + 50 * 60_000).toISOString());
    w.clock.t = t0 + HOUR;
    await tick(p);
    expect((await p.deps.requests.get(r.id))?.state).toBe('expired');
  });

  it('a pending request is not expired by a spent card deadline, only by its own', async () => {
    w = await startWorld(kind, mongo);
    const p = await w.boot();
    const r = await w.approvedRequest(p, {
      target: 'bob',
      role: 'admin',
      durationMs: HOUR,
      decision: needsOwner,
    });
    // As stored before confirm dropped the card deadline.
    const legacy = {
      ...r,
      version: r.version + 1,
      confirmationExpiresAt: new Date(w.clock.t + 60_000).toISOString(),
    };
    await p.deps.requests.save(legacy, r.version);
    w.clock.advance(HOUR);
    await tick(p);
    expect((await p.deps.requests.get(r.id))?.state).toBe('awaiting_approval');
    expect(await p.deps.audit.query({ requestId: r.id, kinds: ['expired'] })).toEqual([]);
  });

  it('two processes ticking at once remind once and expire once', async () => {
    w = await startWorld(kind, mongo);
    const a = await w.boot();
    const b = await w.boot();
    const t0 = w.clock.t;
    const r = await w.approvedRequest(a, {
      target: 'bob',
      role: 'admin',
      durationMs: HOUR,
      decision: needsOwner,
    });
    await requestApproval(a.deps, r);
    const said = () => [...a.chat.said, ...b.chat.said];
    w.clock.t = t0 + 23 * HOUR;
    await Promise.all([tick(a), tick(b)]);
    expect(said().filter((s) => /^Reminder/.test(s.text))).toHaveLength(1);
    w.clock.t = t0 + 24 * HOUR;
    await Promise.all([tick(a), tick(b)]);
    expect(await a.deps.audit.query({ requestId: r.id, kinds: ['expired'] })).toHaveLength(1);
    expect(said().filter((s) => /expired without a decision/.test(s.text))).toHaveLength(1);
  });

  it('a confirmation card expires after 15 min: the scheduler expires it and a late click says so', async () => {
    w = await startWorld(kind, mongo);
    const p = await w.boot();
    const t0 = w.clock.t;
    const a = await w.approvedRequest(p, { target: 'bob', role: 'editor', unconfirmed: true });
    w.clock.t = t0 + 15 * 60_000 - 1;
    await tick(p);
    expect((await p.deps.requests.get(a.id))?.state).toBe('awaiting_confirmation');
    w.clock.t = t0 + 15 * 60_000;
    await tick(p);
    expect((await p.deps.requests.get(a.id))?.state).toBe('expired');
    expect((await p.deps.audit.query({ requestId: a.id, kinds: ['expired'] })).length).toBe(1);
    const replies: string[] = [];
    const clicker = { userId: 'U0ALICE', teamId: 'T0ACME' };
    await confirmRequest(p.deps, a.id, clicker, async (c) => {
      replies.push(mrkdwn(c.text));
    });
    expect(replies).toEqual(['This confirmation has expired, so nothing was changed. Please ask again.']);
    // A click that beats the scheduler is refused the same way, and expires the request.
    const b = await w.approvedRequest(p, { target: 'erin', role: 'viewer', unconfirmed: true });
    w.clock.advance(15 * 60_000);
    await confirmRequest(p.deps, b.id, clicker, async (c) => {
      replies.push(mrkdwn(c.text));
    });
    expect(replies[1]).toMatch(/confirmation has expired/);
    expect((await p.deps.requests.get(b.id))?.state).toBe('expired');
    expect(w.patches()).toBe(0);
  });
});
