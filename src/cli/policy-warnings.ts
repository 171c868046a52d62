import { evaluate, ruleId } from '../core/policy.ts';
import type { Rule, Tenant } from '../core/policy-schema.ts';

/**
 * Issue 16: two ways a legal policy leaves people stuck, found without a directory.
 * - A rule that allows nothing for the people it names (someone holding just one of its `who`
 *   roles, or no role for `anyone`): every change it covers is denied or would change nothing.
 * - An approval only the requesters' own roles can give (every `who` role is an approver role):
 *   self-approval is refused, so with fewer holders than `count + 1` (a sole owner asking for a new
 *   owner) a request waits until it expires.
 */
export function stuckWarnings(t: Tenant): string[] {
  const warnings: string[] = [];
  t.rules.forEach((rule, i) => {
    const id = ruleId(rule, i);
    const never = neverAllows(t, rule);
    if (never)
      warnings.push(
        `tenant ${t.id}: ${id}: can never allow anything for the people it names (${never}); ` +
          'fix who/roles, or add allowAboveOwnLevel: true or an approval by a role ranking at or above them',
      );
    for (const approval of approvalsOf(t, rule)) {
      // Only when everyone the rule lets ask is an approver too: then every request needs another of them.
      if (!rule.who.includes('anyone') && rule.who.every((w) => approval.by.includes(w)))
        warnings.push(
          `tenant ${t.id}: ${id}: approved only by [${approval.by.join(', ')}], roles that also ask: ` +
            `nobody may approve their own request, so with fewer than ${approval.count + 1} people holding ` +
            `them a request waits until it expires (add an approver role the requesters do not hold)`,
        );
    }
  });
  return [...new Set(warnings)];
}

/** The approvals a rule can ask for: its own, or a protected role's holders when it has none. */
function approvalsOf(t: Tenant, rule: Rule): { by: string[]; count: number }[] {
  if (!rule.can.includes('grant') && !rule.can.includes('revoke')) return [];
  if (rule.approval !== 'none') return [{ by: rule.approval.by, count: rule.approval.count }];
  return rule.roles.filter((r) => t.roles[r]?.protected).map((r) => ({ by: [r], count: 1 }));
}

/** Why this rule alone never allows a change for the requesters it names; undefined when it can. */
function neverAllows(t: Tenant, rule: Rule): string | undefined {
  const actions = rule.can.filter((c): c is 'grant' | 'revoke' => c !== 'view');
  if (actions.length === 0) return undefined;
  const alone: Tenant = { ...t, rules: [rule] };
  const requesters = rule.who.includes('anyone') ? [[] as string[]] : rule.who.map((w) => [w]);
  const targets = rule.target === 'any' ? [true, false] : [rule.target === 'self'];
  const reasons = new Set<string>();
  for (const roles of requesters)
    for (const action of actions)
      for (const role of rule.roles)
        for (const isRequester of targets) {
          // Granting yourself a role you hold, or revoking your own only role, changes nothing.
          if (isRequester && (action === 'grant') === roles.includes(role)) continue;
          const d = evaluate(alone, {
            requester: { roles, active: true, known: true },
            action,
            target: { isRequester, roles: action === 'revoke' ? [role] : [], known: true },
            role,
          });
          if (d.kind !== 'deny') return undefined;
          reasons.add(
            d.reason === 'above_own_role' ? `${role} ranks above ${roles[0] ?? 'no role'}` : d.reason,
          );
        }
  return reasons.size ? [...reasons].join('; ') : 'every change it covers would change nothing';
}
