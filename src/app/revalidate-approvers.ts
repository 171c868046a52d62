import { type ApproveRefusal, approvalStillCounts, sameIdentity } from '../core/policy.ts';
import type { Tenant } from '../core/policy-schema.ts';
import type { Approval, RoleRequest } from '../core/request-record.ts';
import type { AppDeps } from './deps.ts';
import { advance, auditOf } from './lifecycle.ts';

export interface Revalidation {
  /** Approvals that still count, by distinct approvers. */
  valid: Approval[];
  stale: { approval: Approval; reason: ApproveRefusal }[];
  /** The valid approvals reach the decision's count. */
  quorum: boolean;
}

/**
 * Every counted approval, checked again with the approver's roles and `active` read fresh from the
 * directory (issue 13.4: an owner removed from Owners and deactivated after approving must not
 * count). An approver without a directory id can't be looked up, so their approval doesn't count.
 */
export async function revalidateApprovers(
  deps: AppDeps,
  tenant: Tenant,
  r: RoleRequest,
): Promise<Revalidation> {
  const dir = deps.directories.forTenant(tenant.id);
  const valid: Approval[] = [];
  const stale: Revalidation['stale'] = [];
  for (const approval of r.approvals) {
    const id = approval.approver.scimId;
    const user = id ? await dir.getUser(id) : undefined;
    const roles = user?.active ? await dir.getRoles(user.id) : [];
    const check = approvalStillCounts(tenant, r.decision, {
      known: Boolean(user),
      active: user?.active ?? false,
      roles,
    });
    if (!check.ok) stale.push({ approval, reason: check.reason });
    else if (!valid.some((v) => sameIdentity(v.approver, approval.approver))) valid.push(approval);
  }
  const needed = r.decision.kind === 'needs_approval' ? r.decision.count : 0;
  return { valid, stale, quorum: valid.length >= needed };
}

const staleNote = (s: Revalidation['stale'][number]) =>
  `approval of ${s.approval.at} no longer counts: ${s.reason.replace(/_/g, ' ')}`;

/**
 * Before a click that would complete the quorum is counted: approvals that no longer count are
 * taken off the pending request, so the quorum is judged on approvers who qualify now and the
 * request keeps waiting for others. Only the approvals list changes (compare-and-set; the state
 * does not move, so this is not a lifecycle event); each withdrawal is audited.
 */
export async function dropStaleApprovals(deps: AppDeps, tenant: Tenant, requestId: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const cur = await deps.requests.get(requestId);
    if (cur?.state !== 'awaiting_approval' || cur.decision.kind !== 'needs_approval') return;
    if (cur.approvals.length + 1 < cur.decision.count) return;
    const { valid, stale } = await revalidateApprovers(deps, tenant, cur);
    if (stale.length === 0) return;
    const next: RoleRequest = {
      ...cur,
      approvals: valid,
      version: cur.version + 1,
      updatedAt: deps.clock.now().toISOString(),
    };
    const records = stale.map((s) =>
      auditOf(next, 'approval_refused', {
        actor: s.approval.approver,
        outcome: s.reason,
        note: staleNote(s),
      }),
    );
    if (await deps.requests.commit({ request: next, expectedVersion: cur.version, audit: records })) return;
  }
}

/**
 * At apply (`applying` recorded): if the approvals no longer reach the quorum, the change is not
 * made; the request fails with POLICY.DENIED. Returns the failed request, or undefined to go on.
 */
export async function refuseIfApprovalsStale(
  deps: AppDeps,
  tenant: Tenant,
  started: RoleRequest,
): Promise<RoleRequest | undefined> {
  if (started.decision.kind !== 'needs_approval') return undefined;
  const check = await revalidateApprovers(deps, tenant, started);
  if (check.quorum) return undefined;
  deps.observer?.policyDenied?.('stale_approval');
  const failed = await advance(deps, started, {
    kind: 'apply_failed',
    code: 'POLICY.DENIED',
    message: 'approvals no longer valid',
    audit: { note: `not applied: ${check.stale.map(staleNote).join('; ')}` },
  });
  return failed ?? started;
}
