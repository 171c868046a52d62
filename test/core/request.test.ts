import { describe, expect, it } from 'vitest';
import { isFinal, newRequest, type RequestEvent, transition } from '../../src/core/request.ts';
import type { RequestState, RoleRequest } from '../../src/core/request-record.ts';
import { alice, at, bob, carol, dave, needsOwners, request, T0, vendorRep } from './request-fixtures.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const ok = (r: ReturnType<typeof transition>): RoleRequest => {
  if (!r.ok) throw new Error(`refused: ${r.reason} in ${r.state}`);
  return r.request;
};
const approval = (who = carol, t = at(MIN)) => ({ approver: who, at: t.toISOString() });

describe('newRequest', () => {
  it('starts awaiting confirmation at version 0, with the decided duration and no undefined keys', () => {
    const r = newRequest({
      id: 'r',
      tenantId: 't1',
      now: T0,
      requester: alice,
      target: bob,
      relayedBy: undefined,
      action: 'grant',
      role: 'admin',
      durationMs: 9 * HOUR,
      decision: needsOwners(1, 8 * HOUR),
      origin: { channelId: 'C1' },
    });
    expect(r).toMatchObject({
      version: 0,
      state: 'awaiting_confirmation',
      durationMs: 8 * HOUR,
      approvals: [],
    });
    expect(r.createdAt).toBe(T0.toISOString());
    expect(r.updatedAt).toBe(T0.toISOString());
    expect(Object.hasOwn(r, 'relayedBy')).toBe(false);
  });

  it('keeps the asked duration on a denial (for the card), and none when a decision has none', () => {
    const base = {
      id: 'r',
      tenantId: 't1',
      now: T0,
      requester: alice,
      target: bob,
      action: 'grant' as const,
      role: 'x',
    };
    const denied = newRequest({
      ...base,
      durationMs: HOUR,
      decision: { kind: 'deny', reason: 'no_matching_rule' },
      origin: { channelId: 'C1' },
    });
    expect(denied.durationMs).toBe(HOUR);
    const allowed = newRequest({
      ...base,
      durationMs: HOUR,
      decision: { kind: 'allow', ruleId: 'r', capped: false },
      origin: { channelId: 'C1' },
    });
    expect(Object.hasOwn(allowed, 'durationMs')).toBe(false);
  });
});

describe('confirm', () => {
  it('allow → approved', () => {
    const r = ok(
      transition(request({ kind: 'allow', ruleId: 'rule-1', capped: false }), { kind: 'confirm' }, at(MIN)),
    );
    expect(r).toMatchObject({ state: 'approved', version: 1, updatedAt: at(MIN).toISOString() });
  });

  it('needs_approval → awaiting_approval with pendingExpiresAt = now + pendingTtl (24h by default)', () => {
    expect(ok(transition(request(), { kind: 'confirm', pendingTtlMs: 2 * HOUR }, at(MIN)))).toMatchObject({
      state: 'awaiting_approval',
      pendingExpiresAt: at(MIN + 2 * HOUR).toISOString(),
    });
    expect(ok(transition(request(), { kind: 'confirm' }, at(MIN))).pendingExpiresAt).toBe(
      at(MIN + 24 * HOUR).toISOString(),
    );
  });

  it('deny → denied (final)', () => {
    const r = ok(
      transition(request({ kind: 'deny', reason: 'no_matching_rule' }), { kind: 'confirm' }, at(MIN)),
    );
    expect(r.state).toBe('denied');
    expect(isFinal('denied')).toBe(true);
  });

  it('a fresh decision replaces the stored one, duration included', () => {
    const fresh = { kind: 'allow' as const, ruleId: 'rule-9', durationMs: HOUR, capped: true };
    const r = ok(
      transition(request(needsOwners(1, 8 * HOUR)), { kind: 'confirm', decision: fresh }, at(MIN)),
    );
    expect(r).toMatchObject({ state: 'approved', decision: fresh, durationMs: HOUR });
    const denied = ok(
      transition(
        request(),
        { kind: 'confirm', decision: { kind: 'deny', reason: 'requester_inactive' } },
        at(MIN),
      ),
    );
    expect(denied).toMatchObject({ state: 'denied', decision: { reason: 'requester_inactive' } });
    const permanent = ok(
      transition(request(needsOwners(1, HOUR)), { kind: 'confirm', decision: needsOwners(1) }, at(MIN)),
    );
    expect(Object.hasOwn(permanent, 'durationMs')).toBe(false);
  });

  it('only the requester, or the operator who relayed it, confirms', () => {
    expect(transition(request(), { kind: 'confirm', by: carol }, at(MIN))).toEqual({
      ok: false,
      reason: 'not_requester',
      state: 'awaiting_confirmation',
    });
    expect(
      transition(request(), { kind: 'confirm', by: { slackUserId: alice.slackUserId } }, at(MIN)).ok,
    ).toBe(true);
    const relayed = request(needsOwners(), { relayedBy: vendorRep });
    expect(transition(relayed, { kind: 'confirm', by: vendorRep }, at(MIN)).ok).toBe(true);
  });

  it('a confirm after the card expired is too late; a second confirm is already decided', () => {
    expect(transition(request(), { kind: 'confirm' }, at(15 * MIN))).toMatchObject({
      ok: false,
      reason: 'too_late',
    });
    const once = ok(transition(request(), { kind: 'confirm' }, at(MIN)));
    expect(transition(once, { kind: 'confirm' }, at(2 * MIN))).toMatchObject({
      ok: false,
      reason: 'already_decided',
    });
  });
});

describe('approval', () => {
  const pending = (count = 2) =>
    ok(transition(request(needsOwners(count)), { kind: 'confirm', pendingTtlMs: HOUR }, T0));

  it('counts distinct approvers and approves at decision.count', () => {
    const one = ok(transition(pending(), { kind: 'approve', approval: approval(carol) }, at(MIN)));
    expect(one).toMatchObject({ state: 'awaiting_approval', version: 2 });
    expect(
      transition(
        one,
        { kind: 'approve', approval: approval({ slackUserId: carol.slackUserId }) },
        at(2 * MIN),
      ),
    ).toMatchObject({
      ok: false,
      reason: 'duplicate_approval',
    });
    const two = ok(transition(one, { kind: 'approve', approval: approval(dave) }, at(2 * MIN)));
    expect(two).toMatchObject({ state: 'approved', version: 3 });
    expect(two.approvals.map((a) => a.approver.displayName)).toEqual(['Carol', 'Dave']);
  });

  it('a concurrent approver on an approved request is a no-op value', () => {
    const done = ok(transition(pending(1), { kind: 'approve', approval: approval(carol) }, at(MIN)));
    expect(done.state).toBe('approved');
    expect(transition(done, { kind: 'approve', approval: approval(dave) }, at(MIN))).toEqual({
      ok: false,
      reason: 'already_decided',
      state: 'approved',
    });
  });

  it('refuses self-approval, approving your own target, the relaying operator, and the unidentifiable', () => {
    const p = { ...pending(), relayedBy: vendorRep };
    const refusal = (who: object) => transition(p, { kind: 'approve', approval: approval(who) }, at(MIN));
    expect(refusal(alice)).toMatchObject({ reason: 'self_approval' });
    expect(refusal({ scimId: alice.scimId })).toMatchObject({ reason: 'self_approval' });
    expect(refusal(vendorRep)).toMatchObject({ reason: 'self_approval' });
    expect(refusal(bob)).toMatchObject({ reason: 'approves_own_target' });
    expect(refusal({ displayName: 'ghost' })).toMatchObject({ reason: 'unidentified_approver' });
  });

  it('approvals after the pending deadline are too late; expire instead', () => {
    const p = pending();
    expect(transition(p, { kind: 'approve', approval: approval() }, at(HOUR))).toMatchObject({
      reason: 'too_late',
    });
    expect(transition(p, { kind: 'expire' }, at(HOUR - 1))).toMatchObject({ reason: 'not_due' });
    expect(ok(transition(p, { kind: 'expire' }, at(HOUR))).state).toBe('expired');
  });

  it('approve before confirm is an invalid transition', () => {
    expect(transition(request(), { kind: 'approve', approval: approval() }, at(MIN))).toMatchObject({
      reason: 'invalid_transition',
    });
  });

  it('reject records who and why; late approvals and rejections are no-ops', () => {
    const r = ok(transition(pending(), { kind: 'reject', by: carol, reason: 'not today' }, at(MIN)));
    expect(r).toMatchObject({
      state: 'rejected',
      rejection: { by: carol, at: at(MIN).toISOString(), reason: 'not today' },
    });
    expect(transition(r, { kind: 'approve', approval: approval(dave) }, at(MIN))).toMatchObject({
      reason: 'already_decided',
    });
    expect(transition(r, { kind: 'reject', by: dave }, at(MIN))).toMatchObject({ reason: 'already_decided' });
  });

  it('remind once', () => {
    const r = ok(transition(pending(), { kind: 'remind' }, at(MIN)));
    expect(r.reminderSentAt).toBe(at(MIN).toISOString());
    expect(transition(r, { kind: 'remind' }, at(2 * MIN))).toMatchObject({ reason: 'already_reminded' });
  });

  it('the requester may cancel while pending; nobody else', () => {
    expect(transition(pending(), { kind: 'cancel', by: carol }, at(MIN))).toMatchObject({
      reason: 'not_requester',
    });
    expect(ok(transition(pending(), { kind: 'cancel', by: alice }, at(MIN))).state).toBe('cancelled');
    expect(ok(transition(request(), { kind: 'cancel' }, at(MIN))).state).toBe('cancelled');
  });

  it('an unconfirmed card expires at confirmationExpiresAt, or at once without a deadline', () => {
    expect(transition(request(), { kind: 'expire' }, at(MIN))).toMatchObject({ reason: 'not_due' });
    expect(ok(transition(request(), { kind: 'expire' }, at(15 * MIN))).state).toBe('expired');
    const noDeadline = request(needsOwners(), { confirmationExpiresAt: undefined });
    expect(ok(transition(noDeadline, { kind: 'expire' }, at(MIN))).state).toBe('expired');
  });
});

describe('apply and revoke', () => {
  const approvedGrant = (durationMs?: number) =>
    ok(
      transition(
        request({ kind: 'allow', ruleId: 'r', capped: false, ...(durationMs ? { durationMs } : {}) }),
        { kind: 'confirm' },
        T0,
      ),
    );

  it('start_apply records the write-ahead claim; a second one is a no-op', () => {
    const applying = ok(transition(approvedGrant(), { kind: 'start_apply' }, at(MIN)));
    expect(applying).toMatchObject({ state: 'applying', claimedAt: at(MIN).toISOString() });
    expect(transition(applying, { kind: 'start_apply' }, at(MIN))).toMatchObject({
      reason: 'already_decided',
    });
  });

  it('applied: roles recorded, claim cleared, grantEndsAt = now + duration for a time-bound grant', () => {
    const applying = ok(transition(approvedGrant(2 * HOUR), { kind: 'start_apply' }, at(MIN)));
    const r = ok(
      transition(applying, { kind: 'applied', before: ['viewer'], after: ['admin', 'viewer'] }, at(2 * MIN)),
    );
    expect(r).toMatchObject({ state: 'applied', rolesBefore: ['viewer'], rolesAfter: ['admin', 'viewer'] });
    expect(r.grantEndsAt).toBe(at(2 * MIN + 2 * HOUR).toISOString());
    expect(Object.hasOwn(r, 'claimedAt')).toBe(false);
    expect(isFinal('applied')).toBe(false);
  });

  it('applied with `at` (recovery) counts the grant from then, so a crash never lengthens it', () => {
    const applying = ok(transition(approvedGrant(2 * HOUR), { kind: 'start_apply' }, at(MIN)));
    const r = ok(
      transition(applying, { kind: 'applied', before: [], after: ['admin'], at: at(MIN) }, at(40 * MIN)),
    );
    expect(r.grantEndsAt).toBe(at(MIN + 2 * HOUR).toISOString());
  });

  it('an asked-for end ("until 6pm", an extension) caps the grant, however late the approval', () => {
    const r = request(needsOwners(1, 3 * HOUR), { durationMs: 3 * HOUR, endsBy: at(3 * HOUR).toISOString() });
    const pending = ok(transition(r, { kind: 'confirm', pendingTtlMs: 24 * HOUR }, at(MIN)));
    // Waiting past the asked-for end is pointless: the request expires by then.
    expect(pending.pendingExpiresAt).toBe(at(3 * HOUR).toISOString());
    const approved = ok(transition(pending, { kind: 'approve', approval: approval(carol) }, at(HOUR)));
    const applying = ok(transition(approved, { kind: 'start_apply' }, at(HOUR)));
    const applied = ok(transition(applying, { kind: 'applied', before: [], after: ['admin'] }, at(HOUR)));
    expect(applied.grantEndsAt).toBe(at(3 * HOUR).toISOString());
    // Without an asked-for end the duration counts from the apply.
    const { endsBy: _, ...relative } = r;
    const p2 = ok(transition(relative, { kind: 'confirm' }, at(MIN)));
    const a2 = ok(transition(p2, { kind: 'approve', approval: approval(carol) }, at(HOUR)));
    const s2 = ok(transition(a2, { kind: 'start_apply' }, at(HOUR)));
    expect(ok(transition(s2, { kind: 'applied', before: [], after: ['admin'] }, at(HOUR))).grantEndsAt).toBe(
      at(4 * HOUR).toISOString(),
    );
  });

  it('a failed grant with an asked-for end cannot be retried once that end has passed', () => {
    const r = request(
      { kind: 'allow', ruleId: 'rule-1', capped: false, durationMs: HOUR },
      { durationMs: HOUR, endsBy: at(HOUR).toISOString() },
    );
    const approved = ok(transition(r, { kind: 'confirm' }, at(MIN)));
    const applying = ok(transition(approved, { kind: 'start_apply' }, at(MIN)));
    const failed = ok(
      transition(applying, { kind: 'apply_failed', code: 'SCIM.UNAVAILABLE', message: 'down' }, at(MIN)),
    );
    expect(ok(transition(failed, { kind: 'retry' }, at(30 * MIN))).state).toBe('approved');
    expect(transition(failed, { kind: 'retry' }, at(HOUR))).toMatchObject({ ok: false, reason: 'too_late' });
  });

  it('confirming drops the card deadline, so a pending request is not due for expiry by it', () => {
    const r = request(needsOwners());
    expect(r.confirmationExpiresAt).toBeDefined();
    const confirmed = ok(transition(r, { kind: 'confirm' }, at(MIN)));
    expect(confirmed.state).toBe('awaiting_approval');
    expect(Object.hasOwn(confirmed, 'confirmationExpiresAt')).toBe(false);
  });

  it('a permanent grant, or a revoke request, has no grantEndsAt and cannot be auto-revoked', () => {
    const permanent = ok(
      transition(
        ok(transition(approvedGrant(), { kind: 'start_apply' }, T0)),
        { kind: 'applied', before: [], after: ['admin'] },
        T0,
      ),
    );
    expect(Object.hasOwn(permanent, 'grantEndsAt')).toBe(false);
    expect(transition(permanent, { kind: 'start_revoke', early: true }, at(HOUR))).toMatchObject({
      reason: 'not_time_bound',
    });
    const revokeReq = {
      ...approvedGrant(HOUR),
      action: 'revoke' as const,
      grantEndsAt: T0.toISOString(),
      state: 'applied' as const,
    };
    expect(transition(revokeReq, { kind: 'start_revoke' }, at(HOUR))).toMatchObject({
      reason: 'not_time_bound',
    });
  });

  it('apply_failed → failed with the error; retry → approved again (and clears it)', () => {
    const applying = ok(transition(approvedGrant(), { kind: 'start_apply' }, T0));
    const failed = ok(
      transition(applying, { kind: 'apply_failed', code: 'SCIM.TIMEOUT', message: 'slow' }, at(MIN)),
    );
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'SCIM.TIMEOUT', message: 'slow' } });
    const again = ok(transition(failed, { kind: 'retry' }, at(2 * MIN)));
    expect(again.state).toBe('approved');
    expect(Object.hasOwn(again, 'error')).toBe(false);
    expect(transition(again, { kind: 'retry' }, at(2 * MIN))).toMatchObject({ reason: 'invalid_transition' });
  });

  it('a policy refusal at apply (POLICY.DENIED) cannot be retried: it would only be refused again', () => {
    const applying = ok(transition(approvedGrant(), { kind: 'start_apply' }, T0));
    const failed = ok(
      transition(applying, { kind: 'apply_failed', code: 'POLICY.DENIED', message: 'no' }, at(MIN)),
    );
    expect(transition(failed, { kind: 'retry' }, at(2 * MIN))).toMatchObject({
      reason: 'invalid_transition',
    });
  });

  it('retry of an approved-by-people request is too late once its pending deadline has passed', () => {
    const failed: RoleRequest = { ...request(), state: 'failed', pendingExpiresAt: at(HOUR).toISOString() };
    expect(transition(failed, { kind: 'retry' }, at(HOUR))).toMatchObject({ reason: 'too_late' });
    expect(transition(failed, { kind: 'retry' }, at(HOUR - 1)).ok).toBe(true);
  });

  it('start_revoke waits for grantEndsAt unless early; revoked and revoke_failed finish it; a failure can retry', () => {
    const applied: RoleRequest = {
      ...approvedGrant(HOUR),
      state: 'applied',
      grantEndsAt: at(HOUR).toISOString(),
    };
    expect(transition(applied, { kind: 'start_revoke' }, at(HOUR - 1))).toMatchObject({ reason: 'not_due' });
    expect(ok(transition(applied, { kind: 'start_revoke', early: true }, at(MIN))).state).toBe('revoking');
    const revoking = ok(transition(applied, { kind: 'start_revoke' }, at(HOUR)));
    expect(revoking).toMatchObject({ state: 'revoking', claimedAt: at(HOUR).toISOString() });
    const done = ok(transition(revoking, { kind: 'revoked', before: ['admin'], after: [] }, at(HOUR + 1)));
    expect(done).toMatchObject({ state: 'revoked', rolesBefore: ['admin'], rolesAfter: [] });
    expect(isFinal('revoked')).toBe(true);
    const broken = ok(
      transition(revoking, { kind: 'revoke_failed', code: 'SCIM.UNAVAILABLE', message: '503' }, at(HOUR + 1)),
    );
    expect(broken).toMatchObject({ state: 'revoke_failed', error: { code: 'SCIM.UNAVAILABLE' } });
    const retried = ok(transition(broken, { kind: 'start_revoke' }, at(HOUR + 2)));
    expect(retried.state).toBe('revoking');
    expect(Object.hasOwn(retried, 'error')).toBe(false);
  });
});

/** Every event against every state: the valid ones move, every other one is a refusal value. */
describe('transition matrix', () => {
  const states = [
    'awaiting_confirmation',
    'denied',
    'awaiting_approval',
    'approved',
    'applying',
    'applied',
    'failed',
    'rejected',
    'expired',
    'cancelled',
    'revoking',
    'revoked',
    'revoke_failed',
  ] as const satisfies readonly RequestState[];
  const events: RequestEvent[] = [
    { kind: 'confirm' },
    { kind: 'cancel' },
    { kind: 'expire' },
    { kind: 'remind' },
    { kind: 'approve', approval: approval(carol) },
    { kind: 'reject', by: carol },
    { kind: 'start_apply' },
    { kind: 'applied', before: [], after: ['admin'] },
    { kind: 'apply_failed', code: 'INTERNAL', message: 'x' },
    { kind: 'retry' },
    { kind: 'start_revoke', early: true },
    { kind: 'revoked', before: ['admin'], after: [] },
    { kind: 'revoke_failed', code: 'INTERNAL', message: 'x' },
  ];
  const valid: Record<string, RequestState> = {
    'awaiting_confirmation/confirm': 'awaiting_approval',
    'awaiting_confirmation/cancel': 'cancelled',
    'awaiting_confirmation/expire': 'expired',
    'awaiting_approval/cancel': 'cancelled',
    'awaiting_approval/expire': 'expired',
    'awaiting_approval/remind': 'awaiting_approval',
    'awaiting_approval/approve': 'approved',
    'awaiting_approval/reject': 'rejected',
    'approved/start_apply': 'applying',
    'applying/applied': 'applied',
    'applying/apply_failed': 'failed',
    'failed/retry': 'approved',
    'applied/start_revoke': 'revoking',
    'revoke_failed/start_revoke': 'revoking',
    'revoking/revoked': 'revoked',
    'revoking/revoke_failed': 'revoke_failed',
  };
  /** A record that is consistent with every state, with all deadlines still ahead except for `expire`. */
  const inState = (state: RequestState): RoleRequest =>
    Object.freeze({
      ...request(needsOwners(1, HOUR)),
      state,
      version: 7,
      pendingExpiresAt: at(HOUR).toISOString(),
      grantEndsAt: at(HOUR).toISOString(),
    });
  const when = (e: RequestEvent) => (e.kind === 'expire' ? at(2 * HOUR) : at(MIN));

  for (const state of states)
    for (const event of events) {
      const key = `${state}/${event.kind}`;
      it(key, () => {
        const before = inState(state);
        const snapshot = structuredClone(before);
        const result = transition(before, event, when(event));
        expect(before).toEqual(snapshot);
        if (valid[key]) {
          const next = ok(result);
          expect(next.state).toBe(valid[key]);
          expect(next.version).toBe(8);
          expect(next.updatedAt).toBe(when(event).toISOString());
        } else {
          expect(result.ok).toBe(false);
          if (!result.ok) {
            expect(result.state).toBe(state);
            expect(['invalid_transition', 'already_decided']).toContain(result.reason);
            if (isFinal(state)) expect(result.reason).toBe('already_decided');
          }
        }
      });
    }

  it('the final states are exactly denied, rejected, expired, cancelled, revoked', () => {
    expect(states.filter(isFinal)).toEqual(['denied', 'rejected', 'expired', 'cancelled', 'revoked']);
  });
});
