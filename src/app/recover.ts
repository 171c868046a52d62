import type { RoleRequest } from '../core/request-record.ts';
import { announce, applyChange } from './apply-change.ts';
import type { AppDeps } from './deps.ts';
import { findAll } from './find-all.ts';
import { finishRevoke } from './finish-revoke.ts';
import { advance, ROLECALL_ACTOR } from './lifecycle.ts';
import { inRequestScope } from './request-log.ts';
import { observedBefore } from './role-history.ts';

/**
 * Work older than this in `applying`/`revoking` is treated as abandoned by a crashed process. It
 * exceeds the worst case of one apply with the default SCIM timeouts and retries, so a slow but live
 * process on a shared store is not overtaken.
 */
export const DEFAULT_RECOVERY_GRACE_MS = 15 * 60_000;

/**
 * Reconciles requests a crash left in `applying` or `revoking`, and applies whose sent write could
 * not be confirmed (`applying` with an error, taken at once), by reading the directory: did the
 * PATCH land? An apply that landed is completed; one that did not is marked failed (the requester
 * may retry) — recovery never resends a change that may have landed, so nothing is applied twice.
 * A revocation is completed (revoke is idempotent: it checks before it writes). A request left
 * `approved` (decided, stopped before its write-ahead record, so nothing was sent) is applied.
 * Every outcome is audited.
 */
export async function recoverInterrupted(
  deps: AppDeps,
  graceMs = DEFAULT_RECOVERY_GRACE_MS,
): Promise<{ completed: number; failed: number }> {
  const cutoff = deps.clock.now().getTime() - graceMs;
  const stuck = (await findAll(deps.requests, { states: ['applying', 'revoking', 'approved'] })).filter(
    // A sent write left unconfirmed is nobody's work in progress: decide it now, not after the grace.
    (r) => Date.parse(r.updatedAt) <= cutoff || (r.state === 'applying' && r.error !== undefined),
  );
  let completed = 0;
  let failed = 0;
  for (const r of stuck) {
    const ok = await inRequestScope(deps, r, async () => {
      try {
        const final =
          r.state === 'revoking'
            ? await recoverRevoke(deps, r)
            : r.state === 'approved'
              ? // Decided, but the process stopped before the write-ahead record: nothing was sent,
                // so apply it now, with the requester's right re-checked as at any apply.
                await applyChange(deps, r)
              : await reconcileApply(deps, r);
        return final.state === 'applied' || final.state === 'revoked';
      } catch (err) {
        // One unreachable directory must not hold up the others; the next tick tries again.
        deps.log.error({ err }, 'recovering an interrupted change failed');
        return false;
      }
    });
    if (ok) completed++;
    else failed++;
  }
  return { completed, failed };
}

async function recoverRevoke(deps: AppDeps, r: RoleRequest): Promise<RoleRequest> {
  return finishRevoke(deps, r, {
    recovering: true,
    precededBy: [
      {
        kind: 'reconciled',
        extra: {
          actor: ROLECALL_ACTOR,
          outcome: 'revoking',
          note: 'interrupted revocation; completing it from the directory state',
        },
      },
    ],
  });
}

async function reconcileApply(deps: AppDeps, r: RoleRequest): Promise<RoleRequest> {
  const roles = await deps.directories.forTenant(r.tenantId).getRoles(r.target.scimId!);
  const landed = r.action === 'grant' ? roles.includes(r.role) : !roles.includes(r.role);
  // The target's roles as last observed before the interruption (at request or confirm): if the
  // change was already in place then, the PATCH changed nothing, and a later end of this grant
  // must not take away a role held from before (finish-revoke reads rolesBefore for that).
  const observed = await observedBefore(deps, r);
  const alreadyThere =
    observed !== undefined && (r.action === 'grant' ? observed.includes(r.role) : !observed.includes(r.role));
  const before = alreadyThere
    ? roles
    : r.action === 'grant'
      ? roles.filter((x) => x !== r.role)
      : [...roles, r.role].sort();
  const precededBy = [
    {
      kind: 'reconciled' as const,
      extra: {
        actor: ROLECALL_ACTOR,
        outcome: landed ? 'applied' : 'not_applied',
        note: r.error
          ? 'the sent change, unconfirmed until now, decided by reading the directory'
          : 'recovered after an interruption',
      },
    },
  ];
  const next = landed
    ? await advance(deps, r, {
        kind: 'applied',
        before,
        after: roles,
        ...(r.claimedAt ? { at: new Date(r.claimedAt) } : {}),
        precededBy,
        audit: {
          actor: ROLECALL_ACTOR,
          note: 'completed by recovery',
          noop: alreadyThere,
          outcome: alreadyThere ? 'no-op' : 'changed',
        },
      })
    : await advance(deps, r, {
        kind: 'apply_failed',
        code: 'RECOVERY.NOT_APPLIED',
        message: 'interrupted before the directory change landed',
        precededBy,
        audit: { actor: ROLECALL_ACTOR },
      });
  if (!next) return r;
  return announce(deps, next);
}
