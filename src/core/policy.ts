import type { Decision, DenyReason } from './decision.ts';
import { formatDuration } from './duration.ts';
import type { Identity } from './identity.ts';
import type { Rule, Tenant } from './policy-schema.ts';
import type { RoleRequest } from './request-record.ts';

/**
 * Who may do what, decided in code from the tenant's rules. Pure: callers pass facts read fresh
 * from the directory and get a value back. Everything unknown fails closed.
 *
 * Choices (each has tests in test/core/):
 * - Among matching rules the winner is: an `allow` before a `needs_approval`, then the fewest
 *   approvals, then the earliest rule in the file. If every matching rule denies, the first one's
 *   reason is reported; if none matches, `no_matching_rule`.
 * - A protected role is never changed (granted or revoked) without approval: `allow` becomes
 *   `needs_approval` by the rule's approvers, or else by holders of the protected role itself.
 * - Level check (grant and revoke): acting on a role above the requester's highest level is denied
 *   (`above_own_role`) unless the rule says `allowAboveOwnLevel`, or the decision needs approval and
 *   every approver role ranks at or above the role: an approver who outranks it vouches. That keeps
 *   the self-service rule (`anyone` → editor, approved by admin/owner) usable and stops a rule whose
 *   approvers rank below the role from laundering an escalation.
 * - A rule with maxDuration makes grants time-bound: no duration asked → maxDuration, `capped: true`;
 *   a longer one is denied or capped per `overMax`. Revokes are never time-bound: a duration is denied.
 *   maxDuration bounds the continuous span a grant creates: while a grant of the same role is running,
 *   the time it has already run (`heldMs`) counts too, so asking again (or extending) before the end
 *   cannot chain grants past the limit.
 * - Vendor operators relaying for a customer: requester facts are ignored (they are not in the
 *   directory), `who` is ignored, the rule must still cover action/role/target, and the decision
 *   always needs approval by the customer: the rule's approvers, else the protected role's holders,
 *   else tenant.adminRoles. Operators rank below every role, so the level check applies as above.
 */
export interface PolicyRequester {
  /** Catalogue roles, read fresh from the directory. */
  roles: string[];
  active: boolean;
  known: boolean;
  /** A vendor support rep relaying for this customer (verified against `operators` by the caller). */
  isOperator?: boolean;
  /** A Slack Connect user from another organisation. */
  external?: boolean;
}

export interface PolicyTarget {
  isRequester: boolean;
  roles: string[];
  known: boolean;
}

export interface PolicyInput {
  requester: PolicyRequester;
  action: 'grant' | 'revoke';
  target: PolicyTarget;
  role: string;
  durationMs?: number;
  /**
   * How long the target has already held this role without a break under time-bound grants still
   * running now (0 or absent: none). Judged with durationMs against maxDuration.
   */
  heldMs?: number;
}

export interface RuleTrace {
  ruleId: string;
  index: number;
  matched: boolean;
  /** Why the rule did not match, or notes on how it decided. */
  why: string[];
  /** What this rule alone would decide (matched rules only). */
  decision?: Decision;
}

export interface Explanation {
  decision: Decision;
  /** Set when the request was refused before any rule was looked at. */
  gate?: string;
  rules: RuleTrace[];
}

export function ruleId(rule: Rule, index: number): string {
  return rule.id ?? `rule-${index + 1}`;
}

/** Explicit `level`, else the role's position in the catalogue (first = lowest). */
export function roleLevels(tenant: Tenant): Map<string, number> {
  return new Map(Object.entries(tenant.roles).map(([name, def], i) => [name, def.level ?? i]));
}

/** The requester's highest level; -Infinity with no catalogue role (an `anyone` requester, an operator). */
export function highestLevel(levels: Map<string, number>, roles: readonly string[]): number {
  return Math.max(-Infinity, ...roles.map((r) => levels.get(r) ?? -Infinity));
}

export function evaluate(tenant: Tenant, input: PolicyInput): Decision {
  return explain(tenant, input).decision;
}

type Deny = Extract<Decision, { kind: 'deny' }>;

const deny = (reason: DenyReason, detail?: string, rule?: string): Deny => ({
  kind: 'deny',
  reason,
  ...(rule === undefined ? {} : { ruleId: rule }),
  ...(detail === undefined ? {} : { detail }),
});

function gate(tenant: Tenant, input: PolicyInput): Deny | undefined {
  const { requester, target, durationMs } = input;
  if (!Object.hasOwn(tenant.roles, input.role)) return deny('unknown_role', `no role "${input.role}"`);
  if (durationMs !== undefined && !(Number.isSafeInteger(durationMs) && durationMs > 0))
    return deny('invalid_duration', `duration ${durationMs} ms`);
  const held = input.heldMs;
  if (held !== undefined && !(Number.isSafeInteger(held) && held >= 0))
    return deny('invalid_duration', `held for ${held} ms`);
  if (durationMs !== undefined && input.action === 'revoke')
    return deny('duration_not_supported', 'a revoke cannot be time-bound');
  if (!requester.isOperator) {
    if (requester.external) return deny('external_user');
    if (!requester.known) return deny('requester_unknown');
    if (!requester.active) return deny('requester_inactive');
  }
  if (!target.known) return deny('target_unknown');
  return undefined;
}

function mismatch(rule: Rule, input: PolicyInput): string[] {
  const why: string[] = [];
  if (!input.requester.isOperator && !rule.who.includes('anyone')) {
    if (!rule.who.some((w) => input.requester.roles.includes(w)))
      why.push(`requester holds none of [${rule.who.join(', ')}]`);
  }
  if (!rule.can.includes(input.action)) why.push(`can [${rule.can.join(', ')}], not ${input.action}`);
  if (!rule.roles.includes(input.role)) why.push(`role ${input.role} not in [${rule.roles.join(', ')}]`);
  if (rule.target === 'self' && !input.target.isRequester) why.push('target must be the requester');
  if (rule.target === 'others' && input.target.isRequester) why.push('target must be someone else');
  return why;
}

/** What one matching rule decides on its own, with the invariants applied. */
function decideByRule(tenant: Tenant, rule: Rule, id: string, input: PolicyInput, notes: string[]): Decision {
  const levels = roleLevels(tenant);
  const operator = input.requester.isOperator === true;
  let approval =
    rule.approval === 'none' ? undefined : { by: [...rule.approval.by], count: rule.approval.count };
  if (!approval && tenant.roles[input.role]?.protected) {
    approval = { by: [input.role], count: 1 };
    notes.push(`${input.role} is protected: needs approval by its holders`);
  }
  if (!approval && operator) {
    approval = { by: [...tenant.adminRoles], count: 1 };
    notes.push("relayed by an operator: needs approval by the tenant's admin roles");
  }
  if (approval && approval.by.length === 0) return deny('no_approvers', 'no approver role is configured', id);

  const roleLevel = levels.get(input.role) ?? Infinity;
  const own = operator ? -Infinity : highestLevel(levels, input.requester.roles);
  if (roleLevel > own && !rule.allowAboveOwnLevel) {
    const vouched = approval?.by.every((r) => (levels.get(r) ?? -Infinity) >= roleLevel) ?? false;
    if (!vouched)
      return deny(
        'above_own_role',
        `${input.role} (level ${roleLevel}) is above the requester's highest level (${own})` +
          (approval ? ' and not every approver role ranks at or above it' : ''),
        id,
      );
    notes.push(`${input.role} is above the requester's level: approvers vouch`);
  }

  let durationMs = input.action === 'grant' ? input.durationMs : undefined;
  let capped = false;
  const max = rule.maxDuration;
  if (input.action === 'grant' && max !== undefined) {
    const held = input.heldMs ?? 0;
    const room = max - held;
    const running = held > 0 ? ` (${formatDuration(held)} already running)` : '';
    if (room <= 0)
      return deny(
        'duration_exceeds_max',
        `the running grant has already used maxDuration (${formatDuration(max)})${running}`,
        id,
      );
    if (durationMs === undefined) {
      durationMs = room;
      capped = true;
      notes.push(`time-bound: no duration asked, so maxDuration (${formatDuration(max)})${running}`);
    } else if (durationMs > room) {
      if (rule.overMax === 'deny')
        return deny(
          'duration_exceeds_max',
          held > 0
            ? `${formatDuration(held + durationMs)} continuous${running}, at most ${formatDuration(max)}`
            : `${formatDuration(durationMs)} asked, at most ${formatDuration(max)}`,
          id,
        );
      durationMs = room;
      capped = true;
      notes.push(`capped at maxDuration (${formatDuration(max)})${running}`);
    }
  }
  const timing = durationMs === undefined ? { capped } : { durationMs, capped };
  if (!approval) return { kind: 'allow', ruleId: id, ...timing };
  return {
    kind: 'needs_approval',
    ruleId: id,
    approverRoles: [...new Set(approval.by)],
    count: Math.max(1, approval.count),
    ...timing,
  };
}

/** Lower is preferred: allow, then fewest approvals; ties keep file order (stable sort). */
function rank(d: Decision): number {
  if (d.kind === 'allow') return 0;
  if (d.kind === 'needs_approval') return d.count;
  return Infinity;
}

export function explain(tenant: Tenant, input: PolicyInput): Explanation {
  const refused = gate(tenant, input);
  if (refused) return { decision: refused, gate: refused.reason, rules: [] };
  const rules: RuleTrace[] = tenant.rules.map((rule, index) => {
    const id = ruleId(rule, index);
    const why = mismatch(rule, input);
    if (why.length) return { ruleId: id, index, matched: false, why };
    const notes: string[] = [];
    return {
      ruleId: id,
      index,
      matched: true,
      why: notes,
      decision: decideByRule(tenant, rule, id, input, notes),
    };
  });
  const matched = rules.filter((r) => r.matched);
  const best = [...matched].sort((a, b) => rank(a.decision!) - rank(b.decision!))[0];
  const decision = best?.decision ?? deny('no_matching_rule');
  return { decision, rules };
}

/** Same person: the same directory user or the same Slack user. Missing ids never match. */
export function sameIdentity(a: Identity, b: Identity): boolean {
  return (
    (a.scimId !== undefined && a.scimId === b.scimId) ||
    (a.slackUserId !== undefined && a.slackUserId === b.slackUserId)
  );
}

export interface Approver {
  identity: Identity;
  /** Catalogue roles, read fresh from the directory at the click. */
  roles: string[];
  active: boolean;
  isOperator: boolean;
  external: boolean;
}

export type ApproveRefusal =
  | 'not_approver'
  | 'self_approval'
  | 'approves_own_target'
  | 'inactive'
  | 'operator'
  | 'external'
  | 'already_approved'
  | 'not_pending';

/**
 * May this person's click count as an approval? Checked at the click with fresh roles. Someone
 * without a directory or Slack id can't be told apart from others, so they never approve.
 */
export function canApprove(
  tenant: Tenant,
  request: RoleRequest,
  approver: Approver,
): { ok: true } | { ok: false; reason: ApproveRefusal } {
  const no = (reason: ApproveRefusal) => ({ ok: false as const, reason });
  const { decision } = request;
  if (request.state !== 'awaiting_approval' || decision.kind !== 'needs_approval') return no('not_pending');
  if (approver.isOperator) return no('operator');
  if (approver.external) return no('external');
  if (!approver.active) return no('inactive');
  const me = approver.identity;
  if (sameIdentity(me, request.requester) || (request.relayedBy && sameIdentity(me, request.relayedBy)))
    return no('self_approval');
  if (sameIdentity(me, request.target)) return no('approves_own_target');
  if (request.approvals.some((a) => sameIdentity(a.approver, me))) return no('already_approved');
  if (request.tenantId !== tenant.id || (me.scimId === undefined && me.slackUserId === undefined))
    return no('not_approver');
  const catalogue = (r: string) => Object.hasOwn(tenant.roles, r);
  if (!decision.approverRoles.some((r) => catalogue(r) && approver.roles.includes(r)))
    return no('not_approver');
  return { ok: true };
}

/**
 * Does an approval counted earlier still count? Re-checked with the approver's directory record read
 * now, when the quorum is reached and again at apply: someone removed from the approver role or
 * deactivated since their click no longer vouches for the change. (Distinctness, self-approval and
 * the target were checked at the click and do not change.)
 */
export function approvalStillCounts(
  tenant: Tenant,
  decision: Decision,
  approver: { known: boolean; active: boolean; roles: readonly string[] },
): { ok: true } | { ok: false; reason: ApproveRefusal } {
  if (decision.kind !== 'needs_approval') return { ok: false, reason: 'not_pending' };
  if (!approver.known) return { ok: false, reason: 'not_approver' };
  if (!approver.active) return { ok: false, reason: 'inactive' };
  const holds = decision.approverRoles.some(
    (r) => Object.hasOwn(tenant.roles, r) && approver.roles.includes(r),
  );
  return holds ? { ok: true } : { ok: false, reason: 'not_approver' };
}

/**
 * "What roles does X have?": everyone may ask about themselves; about others only holders of one
 * of tenant.adminRoles, or a requester covered by a rule with `can: [view]` whose `who` matches
 * and whose target is not `self`. A view rule's `roles` does not narrow the answer (the reply
 * lists the person's catalogue roles). Callers refuse unknown, inactive and external viewers first.
 */
export function canView(tenant: Tenant, viewerRoles: readonly string[], isSelf: boolean): boolean {
  if (isSelf) return true;
  if (tenant.adminRoles.some((r) => viewerRoles.includes(r))) return true;
  return tenant.rules.some(
    (rule) =>
      rule.can.includes('view') &&
      rule.target !== 'self' &&
      (rule.who.includes('anyone') || rule.who.some((w) => viewerRoles.includes(w))),
  );
}
