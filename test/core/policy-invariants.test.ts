import { describe, expect, it } from 'vitest';
import { evaluate, explain, roleLevels } from '../../src/core/policy.ts';
import { ask, HOUR, tenantOf } from './policy-fixtures.ts';

const roles = { viewer: {}, editor: {}, admin: {}, owner: { protected: true } };

describe('protected roles are never applied without approval', () => {
  it('an approval-free rule is upgraded to approval by holders of the role itself', () => {
    const t = tenantOf({ roles, rules: [{ who: ['owner'], can: ['grant', 'revoke'], roles: ['owner'] }] });
    const want = {
      kind: 'needs_approval',
      ruleId: 'rule-1',
      approverRoles: ['owner'],
      count: 1,
      capped: false,
    };
    expect(evaluate(t, ask(['owner'], 'owner'))).toEqual(want);
    expect(evaluate(t, ask(['owner'], 'owner', { action: 'revoke' }))).toEqual(want);
  });

  it("the rule's own approvers are kept when it has some", () => {
    const t = tenantOf({
      roles,
      rules: [{ who: ['owner'], can: ['grant'], roles: ['owner'], approval: { by: ['owner'], count: 3 } }],
    });
    expect(evaluate(t, ask(['owner'], 'owner'))).toMatchObject({ approverRoles: ['owner'], count: 3 });
  });

  it('allowAboveOwnLevel does not lift protection', () => {
    const t = tenantOf({
      roles,
      rules: [{ who: ['anyone'], can: ['grant'], roles: ['owner'], allowAboveOwnLevel: true }],
    });
    expect(evaluate(t, ask([], 'owner'))).toMatchObject({ kind: 'needs_approval', approverRoles: ['owner'] });
  });
});

describe('no granting above your own level', () => {
  const rule = (extra: object) =>
    tenantOf({ roles, rules: [{ who: ['editor'], can: ['grant', 'revoke'], roles: ['admin'], ...extra }] });

  it('levels default to catalogue order; an explicit level wins', () => {
    expect([...roleLevels(tenantOf({ roles })).entries()]).toEqual([
      ['viewer', 0],
      ['editor', 1],
      ['admin', 2],
      ['owner', 3],
    ]);
    const t = tenantOf({ roles: { boss: { level: 10 }, intern: { level: -1 } } });
    expect(roleLevels(t).get('boss')).toBe(10);
    expect(roleLevels(t).get('intern')).toBe(-1);
  });

  it('an approval-free rule cannot raise someone above the requester', () => {
    expect(evaluate(rule({}), ask(['editor'], 'admin'))).toMatchObject({
      kind: 'deny',
      reason: 'above_own_role',
      ruleId: 'rule-1',
    });
    expect(evaluate(rule({}), ask(['editor'], 'admin', { action: 'revoke' }))).toMatchObject({
      reason: 'above_own_role',
    });
  });

  it('unless the rule says allowAboveOwnLevel', () => {
    expect(evaluate(rule({ allowAboveOwnLevel: true }), ask(['editor'], 'admin'))).toMatchObject({
      kind: 'allow',
    });
  });

  it('approval by roles ranking at or above the role vouches for it', () => {
    expect(evaluate(rule({ approval: { by: ['admin', 'owner'] } }), ask(['editor'], 'admin'))).toMatchObject({
      kind: 'needs_approval',
      approverRoles: ['admin', 'owner'],
    });
  });

  it('approval by a role ranking below it does not', () => {
    expect(evaluate(rule({ approval: { by: ['viewer', 'owner'] } }), ask(['editor'], 'admin'))).toMatchObject(
      {
        kind: 'deny',
        reason: 'above_own_role',
      },
    );
  });

  it('`anyone` ranks below every role: self-service needs approval or allowAboveOwnLevel', () => {
    const open = tenantOf({
      roles,
      rules: [{ who: ['anyone'], can: ['grant'], roles: ['viewer'], target: 'self' }],
    });
    const self = { target: { isRequester: true } };
    expect(evaluate(open, ask([], 'viewer', self))).toMatchObject({ reason: 'above_own_role' });
    // Holding a higher role is enough: the check is about level, not about being listed in `who`.
    expect(evaluate(open, ask(['editor'], 'viewer', self))).toMatchObject({ kind: 'allow' });
  });

  it('explicit levels are what counts', () => {
    const t = tenantOf({
      roles: { lead: { level: 5 }, helper: { level: 1 } },
      rules: [{ who: ['helper'], can: ['grant'], roles: ['lead'] }],
    });
    expect(evaluate(t, ask(['helper'], 'lead'))).toMatchObject({ reason: 'above_own_role' });
  });
});

describe('durations against maxDuration', () => {
  const t = (overMax: 'deny' | 'cap') =>
    tenantOf({
      roles,
      rules: [{ who: ['admin'], can: ['grant', 'revoke'], roles: ['editor'], maxDuration: '4h', overMax }],
    });

  it('over max: denied, or capped (and the decision says so)', () => {
    expect(evaluate(t('deny'), ask(['admin'], 'editor', { durationMs: 5 * HOUR }))).toEqual({
      kind: 'deny',
      reason: 'duration_exceeds_max',
      ruleId: 'rule-1',
      detail: '5h asked, at most 4h',
    });
    expect(evaluate(t('cap'), ask(['admin'], 'editor', { durationMs: 5 * HOUR }))).toEqual({
      kind: 'allow',
      ruleId: 'rule-1',
      durationMs: 4 * HOUR,
      capped: true,
    });
  });

  it('no duration under a rule with maxDuration → time-bound at the max, capped', () => {
    expect(evaluate(t('deny'), ask(['admin'], 'editor'))).toMatchObject({
      durationMs: 4 * HOUR,
      capped: true,
    });
  });

  it('a revoke never carries a duration', () => {
    expect(evaluate(t('cap'), ask(['admin'], 'editor', { action: 'revoke' }))).toEqual({
      kind: 'allow',
      ruleId: 'rule-1',
      capped: false,
    });
    expect(
      evaluate(t('cap'), ask(['admin'], 'editor', { action: 'revoke', durationMs: HOUR })),
    ).toMatchObject({
      reason: 'duration_not_supported',
    });
  });

  it('nonsense durations are refused', () => {
    for (const durationMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(evaluate(t('cap'), ask(['admin'], 'editor', { durationMs }))).toMatchObject({
        reason: 'invalid_duration',
      });
  });
});

describe('vendor operators relaying for a customer', () => {
  const op = (extra: object = {}) => ({
    requester: { roles: [], known: false, active: false, isOperator: true, ...extra },
  });
  const t = tenantOf({
    roles,
    adminRoles: ['admin', 'owner'],
    rules: [
      { who: ['admin'], can: ['grant'], roles: ['viewer', 'editor'] },
      { who: ['owner'], can: ['grant'], roles: ['admin'], approval: { by: ['owner'], count: 2 } },
      { who: ['admin'], can: ['grant'], roles: ['owner'] },
    ],
  });

  it('always need approval: the tenant admin roles when the rule has none', () => {
    expect(evaluate(t, ask([], 'editor', op()))).toEqual({
      kind: 'needs_approval',
      ruleId: 'rule-1',
      approverRoles: ['admin', 'owner'],
      count: 1,
      capped: false,
    });
  });

  it("the rule's approvers when it has some; a protected role's holders otherwise", () => {
    expect(evaluate(t, ask([], 'admin', op()))).toMatchObject({ approverRoles: ['owner'], count: 2 });
    expect(evaluate(t, ask([], 'owner', op()))).toMatchObject({ approverRoles: ['owner'], count: 1 });
  });

  it('roles claimed for an operator are ignored', () => {
    expect(evaluate(t, ask([], 'editor', op({ roles: ['owner', 'admin'] })))).toMatchObject({
      kind: 'needs_approval',
    });
  });

  it('the rules must still cover the action and role', () => {
    expect(evaluate(t, ask([], 'editor', { ...op(), action: 'revoke' }))).toMatchObject({
      reason: 'no_matching_rule',
    });
  });

  it('no approver role anywhere → no_approvers', () => {
    const bare = tenantOf({ roles, rules: [{ who: ['admin'], can: ['grant'], roles: ['viewer'] }] });
    expect(evaluate(bare, ask([], 'viewer', op()))).toMatchObject({ kind: 'deny', reason: 'no_approvers' });
  });

  it('customer approvers ranking below the role cannot vouch for an operator', () => {
    const low = tenantOf({
      roles,
      adminRoles: ['viewer'],
      rules: [{ who: ['admin'], can: ['grant'], roles: ['editor'] }],
    });
    expect(evaluate(low, ask([], 'editor', op()))).toMatchObject({ reason: 'above_own_role' });
  });

  it('an operator is not refused as external or unknown (the caller verified them)', () => {
    expect(evaluate(t, ask([], 'editor', op({ external: true })))).toMatchObject({ kind: 'needs_approval' });
  });
});

describe('who may ask at all', () => {
  const t = tenantOf({
    roles,
    rules: [{ who: ['anyone'], can: ['grant'], roles: ['viewer'], allowAboveOwnLevel: true }],
  });

  it('external, unknown and inactive requesters are denied before any rule', () => {
    expect(evaluate(t, ask([], 'viewer'))).toMatchObject({ kind: 'allow' });
    expect(evaluate(t, ask([], 'viewer', { requester: { external: true } }))).toMatchObject({
      reason: 'external_user',
    });
    expect(evaluate(t, ask([], 'viewer', { requester: { known: false } }))).toMatchObject({
      reason: 'requester_unknown',
    });
    expect(evaluate(t, ask([], 'viewer', { requester: { active: false } }))).toMatchObject({
      reason: 'requester_inactive',
    });
    expect(evaluate(t, ask([], 'viewer', { target: { known: false } }))).toMatchObject({
      reason: 'target_unknown',
    });
  });
});

describe('choosing among matching rules', () => {
  it('prefers allow, then fewest approvals, then file order; reports rule ids', () => {
    const t = tenantOf({
      roles,
      rules: [
        {
          id: 'two',
          who: ['owner'],
          can: ['grant'],
          roles: ['editor'],
          approval: { by: ['owner'], count: 2 },
        },
        { id: 'one-a', who: ['owner'], can: ['grant'], roles: ['editor'], approval: { by: ['admin'] } },
        { id: 'one-b', who: ['owner'], can: ['grant'], roles: ['editor'], approval: { by: ['owner'] } },
        { who: ['owner'], can: ['grant'], roles: ['viewer'], approval: { by: ['owner'] } },
        { who: ['owner'], can: ['grant'], roles: ['viewer'] },
      ],
    });
    expect(evaluate(t, ask(['owner'], 'editor'))).toMatchObject({ ruleId: 'one-a', count: 1 });
    expect(evaluate(t, ask(['owner'], 'viewer'))).toMatchObject({ kind: 'allow', ruleId: 'rule-5' });
  });

  it('a rule that denies loses to one that decides; if all deny, the first one speaks', () => {
    const t = tenantOf({
      roles,
      rules: [
        { who: ['admin'], can: ['grant'], roles: ['editor'], maxDuration: '1h' },
        { who: ['admin'], can: ['grant'], roles: ['editor'], maxDuration: '8h' },
        { who: ['admin'], can: ['grant'], roles: ['viewer'], maxDuration: '1h' },
        { who: ['admin'], can: ['grant'], roles: ['viewer'], maxDuration: '2h' },
      ],
    });
    expect(evaluate(t, ask(['admin'], 'editor', { durationMs: 4 * HOUR }))).toMatchObject({
      ruleId: 'rule-2',
    });
    expect(evaluate(t, ask(['admin'], 'viewer', { durationMs: 4 * HOUR }))).toMatchObject({
      reason: 'duration_exceeds_max',
      ruleId: 'rule-3',
    });
    expect(explain(t, ask(['admin'], 'viewer', { durationMs: 4 * HOUR })).rules[3]!.decision).toMatchObject({
      reason: 'duration_exceeds_max',
      ruleId: 'rule-4',
    });
  });

  it('view rules never decide grants', () => {
    const t = tenantOf({ roles, rules: [{ who: ['anyone'], can: ['view'], roles: ['viewer'] }] });
    expect(evaluate(t, ask(['owner'], 'viewer'))).toMatchObject({ reason: 'no_matching_rule' });
  });
});
