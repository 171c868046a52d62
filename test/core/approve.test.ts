import { describe, expect, it } from 'vitest';
import { type Approver, canApprove, canView, sameIdentity } from '../../src/core/policy.ts';
import { tenantOf } from './policy-fixtures.ts';
import { alice, bob, carol, dave, needsOwners, request, vendorRep } from './request-fixtures.ts';

const roles = { viewer: {}, editor: {}, admin: {}, owner: { protected: true } };
const tenant = tenantOf({ roles, adminRoles: ['admin'] });
const pending = request(needsOwners(2), { state: 'awaiting_approval' });
const approver = (more: Partial<Approver> = {}): Approver => ({
  identity: carol,
  roles: ['owner'],
  active: true,
  isOperator: false,
  external: false,
  ...more,
});

describe('canApprove', () => {
  it('an active holder of an approver role may approve a pending request', () => {
    expect(canApprove(tenant, pending, approver())).toEqual({ ok: true });
  });

  it('nobody approves their own request, by Slack id or by directory id', () => {
    expect(canApprove(tenant, pending, approver({ identity: alice }))).toEqual({
      ok: false,
      reason: 'self_approval',
    });
    expect(
      canApprove(tenant, pending, approver({ identity: { slackUserId: alice.slackUserId } })),
    ).toMatchObject({
      reason: 'self_approval',
    });
    expect(canApprove(tenant, pending, approver({ identity: { scimId: alice.scimId } }))).toMatchObject({
      reason: 'self_approval',
    });
  });

  it('nobody approves a request that targets them', () => {
    expect(canApprove(tenant, pending, approver({ identity: bob }))).toEqual({
      ok: false,
      reason: 'approves_own_target',
    });
  });

  it('the operator who relayed it cannot approve it, nor can any operator', () => {
    const relayed = { ...pending, relayedBy: vendorRep };
    expect(canApprove(tenant, relayed, approver({ identity: vendorRep, isOperator: true }))).toMatchObject({
      reason: 'operator',
    });
    expect(canApprove(tenant, relayed, approver({ identity: vendorRep }))).toMatchObject({
      reason: 'self_approval',
    });
    expect(canApprove(tenant, pending, approver({ isOperator: true }))).toMatchObject({ reason: 'operator' });
  });

  it('inactive, external, and role-less people cannot approve', () => {
    expect(canApprove(tenant, pending, approver({ active: false }))).toMatchObject({ reason: 'inactive' });
    expect(canApprove(tenant, pending, approver({ external: true }))).toMatchObject({ reason: 'external' });
    expect(canApprove(tenant, pending, approver({ roles: ['admin'] }))).toMatchObject({
      reason: 'not_approver',
    });
    expect(canApprove(tenant, pending, approver({ roles: [] }))).toMatchObject({ reason: 'not_approver' });
  });

  it('approvals count once per person', () => {
    const once = { ...pending, approvals: [{ approver: { slackUserId: carol.slackUserId }, at: 'x' }] };
    expect(canApprove(tenant, once, approver())).toMatchObject({ reason: 'already_approved' });
    expect(canApprove(tenant, once, approver({ identity: dave }))).toEqual({ ok: true });
  });

  it('only pending requests can be approved', () => {
    for (const state of ['awaiting_confirmation', 'approved', 'applied', 'rejected', 'expired'] as const)
      expect(canApprove(tenant, { ...pending, state }, approver())).toMatchObject({ reason: 'not_pending' });
    const allowed = { ...pending, decision: { kind: 'allow' as const, ruleId: 'r', capped: false } };
    expect(canApprove(tenant, allowed, approver())).toMatchObject({ reason: 'not_pending' });
  });

  it('a request of another tenant, or an approver without any id, is refused', () => {
    expect(canApprove(tenant, { ...pending, tenantId: 'other' }, approver())).toMatchObject({
      reason: 'not_approver',
    });
    expect(canApprove(tenant, pending, approver({ identity: { displayName: 'Nobody' } }))).toMatchObject({
      reason: 'not_approver',
    });
  });

  it('identities match on scimId or slackUserId, never on missing ids', () => {
    expect(sameIdentity({ scimId: 'a' }, { scimId: 'a', slackUserId: 'U1' })).toBe(true);
    expect(sameIdentity({ slackUserId: 'U1' }, { scimId: 'b', slackUserId: 'U1' })).toBe(true);
    expect(sameIdentity({ displayName: 'x' }, { displayName: 'x' })).toBe(false);
    expect(sameIdentity({ email: 'a@x' }, { email: 'a@x' })).toBe(false);
  });
});

describe('canView', () => {
  it('everyone sees their own roles; tenant admins see anyone', () => {
    expect(canView(tenant, [], true)).toBe(true);
    expect(canView(tenant, ['viewer'], false)).toBe(false);
    expect(canView(tenant, ['admin'], false)).toBe(true);
  });

  it('a view rule covering the viewer opens others to them; a self-only one does not', () => {
    const t = tenantOf({
      roles,
      rules: [
        { who: ['editor'], can: ['view'], roles: ['viewer'] },
        { who: ['viewer'], can: ['view'], roles: ['viewer'], target: 'self' },
      ],
    });
    expect(canView(t, ['editor'], false)).toBe(true);
    expect(canView(t, ['viewer'], false)).toBe(false);
    const everyone = tenantOf({ roles, rules: [{ who: ['anyone'], can: ['view'], roles: ['viewer'] }] });
    expect(canView(everyone, [], false)).toBe(true);
  });

  it('grant rules do not open viewing', () => {
    const t = tenantOf({ roles, rules: [{ who: ['editor'], can: ['grant'], roles: ['viewer'] }] });
    expect(canView(t, ['editor'], false)).toBe(false);
  });
});
