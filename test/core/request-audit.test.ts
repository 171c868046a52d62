import { describe, expect, it } from 'vitest';
import { type RequestEvent, transition } from '../../src/core/request.ts';
import type { RoleRequest } from '../../src/core/request-record.ts';
import { alice, at, carol, needsOwners, request } from './request-fixtures.ts';

/**
 * Issue 15 item 1: every accepted event carries the audit records it implies, so a caller saving
 * the change (RequestStore.commit) cannot forget one.
 */
const MIN = 60_000;
const step = (r: RoleRequest, e: RequestEvent, t = at(MIN)) => {
  const res = transition(r, e, t);
  if (!res.ok) throw new Error(`refused: ${res.reason}`);
  return res;
};

describe('transition() yields the audit records of its event', () => {
  it('along a whole approval → apply path, one record per state change, with the caller’s fields', () => {
    const r0 = request(needsOwners(1));
    const confirmed = step(r0, { kind: 'confirm', by: alice, audit: { rolesBefore: ['viewer'] } });
    expect(confirmed.audit.map((a) => [a.kind, a.actor, a.rolesBefore])).toEqual([
      ['confirmed', alice, ['viewer']],
    ]);
    const approved = step(confirmed.request, {
      kind: 'approve',
      approval: { approver: carol, at: at(MIN).toISOString() },
    });
    expect(approved.audit.map((a) => [a.kind, a.actor])).toEqual([['approved', carol]]);
    const applying = step(approved.request, { kind: 'start_apply' });
    expect(applying.audit.map((a) => a.kind)).toEqual(['applying']);
    const applied = step(applying.request, {
      kind: 'applied',
      before: [],
      after: ['admin'],
      audit: { outcome: 'changed' },
    });
    expect(applied.audit).toHaveLength(1);
    expect(applied.audit[0]).toMatchObject({
      kind: 'applied',
      requestId: 'req-1',
      at: applied.request.updatedAt,
      rolesAfter: ['admin'],
      outcome: 'changed',
    });
  });

  it('a denial at confirm is `confirmed` then `denied`; shown at once (no confirmer) only `denied`', () => {
    const deny = { kind: 'deny', reason: 'above_own_role' } as const;
    const byRequester = step(request(deny), { kind: 'confirm', by: alice });
    expect(byRequester.audit.map((a) => [a.kind, a.outcome])).toEqual([
      ['confirmed', undefined],
      ['denied', 'above_own_role'],
    ]);
    expect(step(request(deny), { kind: 'confirm' }).audit.map((a) => a.kind)).toEqual(['denied']);
  });

  it('failures carry their code; records asked to come first come first; a reminder records nothing', () => {
    const applying = step(
      step(request({ kind: 'allow', ruleId: 'r', capped: false }), { kind: 'confirm' }).request,
      {
        kind: 'start_apply',
      },
    ).request;
    const failed = step(applying, {
      kind: 'apply_failed',
      code: 'SCIM.UNAVAILABLE',
      message: 'down',
      precededBy: [{ kind: 'reconciled', extra: { note: 'recovered' } }],
    });
    expect(failed.audit.map((a) => [a.kind, a.errorCode ?? a.note])).toEqual([
      ['reconciled', 'recovered'],
      ['failed', 'SCIM.UNAVAILABLE'],
    ]);
    const pending = step(request(needsOwners(2)), { kind: 'confirm', by: alice }).request;
    expect(step(pending, { kind: 'remind' }).audit).toEqual([]);
  });
});
