import { describe, expect, it } from 'vitest';
import { evaluate, explain } from '../../src/core/policy.ts';
import { ask, HOUR, sampleTenant } from './policy-fixtures.ts';

/** Every rule of rolecall.example.yml, as documented there. */
describe('sample policy (rolecall.example.yml)', () => {
  const acme = sampleTenant();
  const self = { target: { isRequester: true } };

  it('rule 1: admins and owners grant and revoke viewer/editor without approval', () => {
    expect(evaluate(acme, ask(['admin'], 'editor'))).toEqual({
      kind: 'allow',
      ruleId: 'rule-1',
      capped: false,
    });
    expect(evaluate(acme, ask(['owner'], 'viewer'))).toMatchObject({ kind: 'allow', ruleId: 'rule-1' });
    expect(evaluate(acme, ask(['admin'], 'editor', { action: 'revoke' }))).toMatchObject({
      kind: 'allow',
      ruleId: 'rule-1',
    });
  });

  it('rule 1: a permanent grant keeps the duration asked for (no maxDuration)', () => {
    expect(evaluate(acme, ask(['admin'], 'editor', { durationMs: 2 * HOUR }))).toEqual({
      kind: 'allow',
      ruleId: 'rule-1',
      durationMs: 2 * HOUR,
      capped: false,
    });
  });

  it('rule 2: admin → admin needs one owner and is time-bound (8h when no duration is asked)', () => {
    expect(evaluate(acme, ask(['admin'], 'admin'))).toEqual({
      kind: 'needs_approval',
      ruleId: 'rule-2',
      approverRoles: ['owner'],
      count: 1,
      durationMs: 8 * HOUR,
      capped: true,
    });
    expect(evaluate(acme, ask(['owner'], 'admin', { durationMs: 2 * HOUR }))).toMatchObject({
      kind: 'needs_approval',
      ruleId: 'rule-2',
      durationMs: 2 * HOUR,
      capped: false,
    });
  });

  it('rule 2: more than 8h is denied (overMax defaults to deny)', () => {
    expect(evaluate(acme, ask(['admin'], 'admin', { durationMs: 9 * HOUR }))).toMatchObject({
      kind: 'deny',
      reason: 'duration_exceeds_max',
      ruleId: 'rule-2',
    });
    expect(evaluate(acme, ask(['admin'], 'admin', { durationMs: 8 * HOUR }))).toMatchObject({
      kind: 'needs_approval',
      durationMs: 8 * HOUR,
      capped: false,
    });
  });

  it('rule 2: revoking admin needs an owner and is never time-bound', () => {
    const d = evaluate(acme, ask(['admin'], 'admin', { action: 'revoke' }));
    expect(d).toEqual({
      kind: 'needs_approval',
      ruleId: 'rule-2',
      approverRoles: ['owner'],
      count: 1,
      capped: false,
    });
  });

  it('rule 3: owner → owner needs two owners', () => {
    expect(evaluate(acme, ask(['owner'], 'owner'))).toEqual({
      kind: 'needs_approval',
      ruleId: 'rule-3',
      approverRoles: ['owner'],
      count: 2,
      capped: false,
    });
  });

  it('admins cannot make owners, nor revoke owner (no rule)', () => {
    expect(evaluate(acme, ask(['admin'], 'owner'))).toMatchObject({
      kind: 'deny',
      reason: 'no_matching_rule',
    });
    expect(evaluate(acme, ask(['owner'], 'owner', { action: 'revoke' }))).toMatchObject({
      kind: 'deny',
      reason: 'no_matching_rule',
    });
  });

  it('rule 4: anyone may ask editor for themselves, approved by an admin or owner, for at most 24h', () => {
    for (const roles of [[], ['viewer']])
      expect(evaluate(acme, ask(roles, 'editor', self))).toEqual({
        kind: 'needs_approval',
        ruleId: 'rule-4',
        approverRoles: ['admin', 'owner'],
        count: 1,
        durationMs: 24 * HOUR,
        capped: true,
      });
    expect(evaluate(acme, ask([], 'editor', { ...self, durationMs: 25 * HOUR }))).toMatchObject({
      kind: 'deny',
      reason: 'duration_exceeds_max',
      ruleId: 'rule-4',
    });
  });

  it('rule 4: not for others, not for revoking, not for other roles', () => {
    expect(evaluate(acme, ask(['viewer'], 'editor'))).toMatchObject({
      kind: 'deny',
      reason: 'no_matching_rule',
    });
    expect(evaluate(acme, ask(['editor'], 'editor', { ...self, action: 'revoke' }))).toMatchObject({
      kind: 'deny',
      reason: 'no_matching_rule',
    });
    expect(evaluate(acme, ask([], 'viewer', self))).toMatchObject({
      kind: 'deny',
      reason: 'no_matching_rule',
    });
  });

  it('an editor asking for admin is denied', () => {
    expect(evaluate(acme, ask(['editor'], 'admin', self))).toMatchObject({
      kind: 'deny',
      reason: 'no_matching_rule',
    });
    expect(evaluate(acme, ask(['editor'], 'admin'))).toMatchObject({
      kind: 'deny',
      reason: 'no_matching_rule',
    });
  });

  it('an admin asking editor for themselves gets rule 1 (no approval) over rule 4', () => {
    expect(evaluate(acme, ask(['admin'], 'editor', self))).toMatchObject({ kind: 'allow', ruleId: 'rule-1' });
  });

  it('a role outside the catalogue is unknown_role', () => {
    expect(evaluate(acme, ask(['owner'], 'superuser'))).toMatchObject({
      kind: 'deny',
      reason: 'unknown_role',
    });
    expect(evaluate(acme, ask(['owner'], 'constructor'))).toMatchObject({
      kind: 'deny',
      reason: 'unknown_role',
    });
  });

  it('explain traces every rule: why it did not match, or what it decided', () => {
    const e = explain(acme, ask(['admin'], 'admin', { durationMs: 2 * HOUR }));
    expect(e.decision).toMatchObject({ kind: 'needs_approval', ruleId: 'rule-2' });
    expect(e.rules.map((r) => [r.ruleId, r.matched])).toEqual([
      ['rule-1', false],
      ['rule-2', true],
      ['rule-3', false],
      ['rule-4', false],
    ]);
    expect(e.rules[0]!.why).toEqual(['role admin not in [viewer, editor]']);
    expect(e.rules[2]!.why).toContain('requester holds none of [owner]');
    expect(e.rules[3]!.why).toEqual(['role admin not in [editor]', 'target must be the requester']);
    expect(e.rules[1]!.decision).toEqual(e.decision);
  });

  it('explain says when a gate refused before any rule', () => {
    const e = explain(acme, ask(['owner'], 'editor', { requester: { external: true } }));
    expect(e).toEqual({
      decision: { kind: 'deny', reason: 'external_user' },
      gate: 'external_user',
      rules: [],
    });
  });
});
