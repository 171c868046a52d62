import type { Decision } from '../core/decision.ts';
import { editDistance } from '../core/edit-distance.ts';
import { canView, evaluate } from '../core/policy.ts';
import type { Tenant } from '../core/policy-schema.ts';
import type { RichText } from '../core/rich-text.ts';
import type { Card } from '../ports/chat.ts';
import type { Person } from './identify.ts';
import { helpAnswer, helpLine } from './messages.ts';

/**
 * "help" / "what can I do?": what this person may request, for whom, and who approves — asked of
 * the policy itself (evaluate), so the answer is exactly what a request would meet.
 */
export function showHelp(tenant: Tenant, person: Person): Card {
  const lines: RichText[] = [];
  const requester = {
    roles: person.roles,
    active: true,
    known: true,
    isOperator: person.kind === 'operator',
  };
  for (const action of ['grant', 'revoke'] as const) {
    // One line per (whom, decision): roles that meet the same answer are listed together.
    const groups = new Map<string, { roles: string[]; line: (roles: string[]) => RichText }>();
    for (const role of Object.keys(tenant.roles)) {
      // Granting yourself a role you hold, or revoking one you lack, changes nothing: not offered.
      const pointless = (action === 'grant') === person.roles.includes(role);
      const self =
        person.kind === 'member' && !pointless ? decide(tenant, requester, action, role, true) : undefined;
      const others = decide(tenant, requester, action, role, false);
      const add = (whom: string, d: Decision | undefined) => {
        if (!d || d.kind === 'deny') return;
        const approval = d.kind === 'needs_approval' ? d.approverRoles : undefined;
        const count = d.kind === 'needs_approval' ? d.count : 0;
        const max = d.capped ? d.durationMs : undefined;
        const key = `${whom}|${approval?.join(',') ?? ''}|${count}|${max ?? ''}`;
        const g = groups.get(key) ?? {
          roles: [],
          line: (rs: string[]) => helpLine(action, rs, whom, approval, count, max),
        };
        g.roles.push(role);
        groups.set(key, g);
      };
      const same = self && gist(self) === gist(others);
      if (same) add('for yourself or others', others);
      else {
        add('for yourself', self);
        add(person.kind === 'operator' ? 'for customers (relayed)' : 'for others', others);
      }
    }
    for (const g of groups.values()) lines.push(g.line(g.roles));
  }
  return helpAnswer(lines, helpersFor(tenant), canView(tenant, person.roles, false));
}

/** A decision without the rule that made it: two rules may give the same answer. */
const gist = (d: Decision) => JSON.stringify({ ...d, ruleId: undefined });

function decide(
  tenant: Tenant,
  requester: { roles: string[]; active: boolean; known: boolean; isOperator: boolean },
  action: 'grant' | 'revoke',
  role: string,
  isRequester: boolean,
) {
  return evaluate(tenant, {
    requester,
    action,
    // The target's roles do not change which rule matches; a revoke is of a held role.
    target: { isRequester, roles: action === 'revoke' ? [role] : [], known: true },
    role,
  });
}

/**
 * Who could help when Rolecall says no: the roles whose holders may make changes without
 * approval (the people to ask), else the tenant's admin roles.
 */
export function helpersFor(tenant: Tenant, role?: string): string[] {
  const direct = tenant.rules
    .filter((r) => r.approval === 'none' && (!role || r.roles.includes(role)) && !r.who.includes('anyone'))
    .flatMap((r) => r.who);
  const out = [...new Set([...direct, ...tenant.adminRoles])].filter((r) => Object.hasOwn(tenant.roles, r));
  return out.length ? out : [...tenant.adminRoles];
}

/** Catalogue roles one or two letters away from a word ("editr", "admn"), for "did you mean". */
export function nearRoles(word: string, roles: readonly string[]): string[] {
  const w = word.toLowerCase();
  if (w.length < 3) return [];
  return roles.filter((r) => r !== w && editDistance(w, r) <= (r.length > 5 ? 2 : 1));
}
