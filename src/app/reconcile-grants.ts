import { errorCode } from '../core/errors.ts';
import type { RoleRequest } from '../core/request-record.ts';
import type { RequestStore } from '../ports/request-store.ts';
import type { AppDeps } from './deps.ts';
import { findAll } from './find-all.ts';
import { auditOf, ROLECALL_ACTOR } from './lifecycle.ts';
import { appliedAt, revokedBetween, roleHistory } from './role-history.ts';

/**
 * What `rolecall reconcile` found for one time-bound grant:
 * - ok: the directory agrees with the store;
 * - missing: the store says active, the directory lacks the role (an IdP sync or an admin removed it);
 * - re_added: the store says ended and removed, the directory has the role again (an IdP sync re-added it);
 * - overdue: the end has passed but the grant was not revoked yet (bot down, or revocation failing).
 */
export type GrantStatus = 'ok' | 'missing' | 're_added' | 'overdue';

export interface GrantCheck {
  requestId: string;
  tenantId: string;
  target: string;
  role: string;
  state: RoleRequest['state'];
  grantEndsAt?: string;
  status: GrantStatus;
  /** With --fix: what was done, or the error code when the repair failed. */
  fix?: 'reapplied' | 'removed' | 'skipped' | `error:${string}`;
}

export type ReconcileDeps = Pick<AppDeps, 'policy' | 'requests' | 'audit' | 'directories' | 'clock' | 'log'>;

/**
 * Compares the time-bound grants the store believes in with the directory. Read-only unless `fix`:
 * then a missing role is granted again and a re-added one removed, each through the same SCIM path
 * as the bot, with audit records (actor Rolecall). Overdue grants are reported and left to the
 * bot's scheduler, which revokes them with the usual claim and tells the people involved.
 */
export async function reconcileGrants(
  deps: ReconcileDeps,
  o: { tenantId?: string; fix?: boolean } = {},
): Promise<GrantCheck[]> {
  const now = deps.clock.now().getTime();
  const tenantIds = deps.policy.tenants.map((t) => t.id).filter((id) => !o.tenantId || id === o.tenantId);
  const out: GrantCheck[] = [];
  for (const tenantId of tenantIds) {
    const found = await findAll(deps.requests, { tenantId, states: ['applied', 'revoke_failed', 'revoked'] });
    const grants = found.filter(
      (r) => r.action === 'grant' && r.grantEndsAt !== undefined && r.target.scimId,
    );
    const active = [];
    for (const r of grants)
      if (r.state !== 'revoked') {
        // An approved revoke through Rolecall ended it early: the role is meant to be gone.
        if (!revokedBetween(await roleHistory(deps, r), appliedAt(r))) active.push(r);
      }
    // Only the newest ended grant per person and role speaks for it, and only when nothing active does.
    const seen = new Set(active.map(key));
    const ended: RoleRequest[] = [];
    for (const r of grants)
      if (r.state === 'revoked' && !seen.has(key(r))) {
        seen.add(key(r));
        // Left in place on purpose (held before, or covered by a later grant): nothing to compare.
        if (!r.rolesAfter?.includes(r.role)) ended.push(r);
      }
    const permanent = await permanentGrants(deps.requests, tenantId);
    const dir = deps.directories.forTenant(tenantId);
    for (const r of [...active, ...ended]) {
      if (r.state === 'revoked' && permanent.has(key(r))) continue;
      const check: GrantCheck = {
        requestId: r.id,
        tenantId,
        target: r.target.email ?? r.target.displayName ?? r.target.scimId!,
        role: r.role,
        state: r.state,
        ...(r.grantEndsAt ? { grantEndsAt: r.grantEndsAt } : {}),
        status: 'ok',
      };
      const held = (await dir.getRoles(r.target.scimId!)).includes(r.role);
      if (r.state === 'revoked') check.status = held ? 're_added' : 'ok';
      else if (Date.parse(r.grantEndsAt!) <= now) check.status = held ? 'overdue' : 'ok';
      else check.status = held ? 'ok' : 'missing';
      if (o.fix && check.status !== 'ok') check.fix = await repair(deps, r, check.status);
      out.push(check);
    }
  }
  return out;
}

const key = (r: RoleRequest) => `${r.target.scimId}\u0000${r.role}`;

async function permanentGrants(requests: RequestStore, tenantId: string): Promise<Set<string>> {
  const applied = await findAll(requests, { tenantId, states: ['applied'] });
  return new Set(applied.filter((r) => r.action === 'grant' && r.grantEndsAt === undefined).map(key));
}

async function repair(deps: ReconcileDeps, r: RoleRequest, status: GrantStatus): Promise<GrantCheck['fix']> {
  // Overdue grants are the scheduler's: it revokes them with the usual claim and tells people.
  if (status === 'overdue') return 'skipped';
  const dir = deps.directories.forTenant(r.tenantId);
  try {
    const res =
      status === 'missing'
        ? await dir.grant(r.target.scimId!, r.role)
        : await dir.revoke(r.target.scimId!, r.role);
    const at = { ...r, updatedAt: deps.clock.now().toISOString() };
    await deps.audit.append(
      auditOf(at, 'drift_detected', {
        actor: ROLECALL_ACTOR,
        outcome: status,
        note:
          status === 'missing'
            ? 'reconcile: the directory lacked a role this active grant covers'
            : 'reconcile: the directory had a role whose grant had ended',
      }),
    );
    await deps.audit.append(
      auditOf(at, 'reconciled', {
        actor: ROLECALL_ACTOR,
        outcome: status === 'missing' ? 'reapplied' : 'removed',
        rolesBefore: res.before,
        rolesAfter: res.after,
        note: `reconcile --fix, on behalf of request ${r.id}`,
      }),
    );
    return status === 'missing' ? 'reapplied' : 'removed';
  } catch (err) {
    deps.log.error({ err, requestId: r.id }, 'reconcile repair failed');
    return `error:${errorCode(err)}`;
  }
}
