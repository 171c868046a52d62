import { describe, expect, it } from 'vitest';
import { policyWarnings } from '../../src/cli/policy.ts';
import { parsePolicy } from '../../src/config.ts';
import { DEMO_POLICY } from '../../src/playground/sample.ts';

/** Issue 16: `rolecall policy check` warns about rules that leave people stuck. */
const tenant = (rules: string, roles = '{ viewer: {}, editor: {}, admin: {}, owner: { protected: true } }') =>
  parsePolicy(
    `tenants:
  - id: acme
    slack: { teams: [T0ACME] }
    scim: { baseUrl: "https://x.example/scim", roleModel: roles }
    roles: ${roles}
    adminRoles: [admin, owner]
    rules:
${rules}
`,
    'test.yml',
  );

describe('policy check warnings (issue 16)', () => {
  it('warns about a rule that can never allow anything — the old demo self-service rule', () => {
    const old = DEMO_POLICY.replace(/,\s*allowAboveOwnLevel: true/, '');
    expect(old).not.toBe(DEMO_POLICY);
    expect(policyWarnings(parsePolicy(old, 'old demo'))).toContainEqual(
      expect.stringMatching(
        /^tenant demo: self-service-viewer: can never allow anything .*viewer ranks above no role/,
      ),
    );
    expect(policyWarnings(parsePolicy(DEMO_POLICY, 'demo')).join('\n')).not.toMatch(/can never allow/);
    const editorsForAdmin = tenant(
      '      - { id: up, who: [editor], can: [grant], roles: [admin], approval: none }',
    );
    expect(policyWarnings(editorsForAdmin)).toContainEqual(
      expect.stringMatching(/^tenant acme: up: can never allow anything .*admin ranks above editor/),
    );
  });

  it('does not warn about rules that allow something', () => {
    const ok = tenant(
      `      - { id: leads, who: [admin], can: [grant, revoke], roles: [viewer, editor], approval: none }
      - { id: ask, who: [editor], can: [grant], roles: [editor], target: others, approval: { by: [admin], count: 1 } }`,
    );
    expect(policyWarnings(ok)).toEqual([]);
  });

  it('warns when only the requesters themselves could approve (a sole owner asking for a new owner)', () => {
    const p = tenant(
      '      - { id: owners, who: [owner], can: [grant], roles: [owner], approval: { by: [owner], count: 1 } }',
    );
    expect(policyWarnings(p)).toEqual([
      'tenant acme: owners: approved only by [owner], roles that also ask: nobody may approve their own request, ' +
        'so with fewer than 2 people holding them a request waits until it expires (add an approver role the requesters do not hold)',
    ]);
    // A protected role with no approval in the rule is approved by its holders: the same trap.
    const prot = tenant('      - { id: p, who: [owner], can: [grant], roles: [owner], approval: none }');
    expect(policyWarnings(prot)).toContainEqual(
      expect.stringMatching(/^tenant acme: p: approved only by \[owner\]/),
    );
    const other = tenant(
      '      - { id: o, who: [admin], can: [grant], roles: [admin], approval: { by: [owner], count: 1 }, allowAboveOwnLevel: true }',
    );
    expect(policyWarnings(other)).toEqual([]);
  });
});
