import { errorCode } from '../core/errors.ts';
import type { RequestEvent } from '../core/request.ts';
import type { RoleRequest } from '../core/request-record.ts';
import { type AppDeps, tenantById } from './deps.ts';
import { advance, ROLECALL_ACTOR, tell, tellRequester } from './lifecycle.ts';
import { type GrantEnd, grantEndedCard, grantEndedNotice } from './messages.ts';
import { coveringGrant, heldOutsideRolecall, roleHistory } from './role-history.ts';

/**
 * Completes a claimed (`revoking`) time-bound grant; also used by recovery. The directory is read
 * first: a role someone already removed is recorded as drift, not fought over; a role another grant
 * still covers, or that was held before, is left in place. Otherwise one idempotent SCIM revoke.
 */
export async function finishRevoke(
  deps: AppDeps,
  claimed: RoleRequest,
  o: { recovering?: boolean; precededBy?: RequestEvent['precededBy'] } = {},
): Promise<RoleRequest> {
  // Records the caller wants first (recovery's `reconciled`) go into the same commit as the outcome.
  const finish = (e: RequestEvent) =>
    advance(deps, claimed, { ...e, precededBy: [...(o.precededBy ?? []), ...(e.precededBy ?? [])] });
  const dir = deps.directories.forTenant(claimed.tenantId);
  const scimId = claimed.target.scimId!;
  const onBehalf = `on behalf of request ${claimed.id}`;
  let final: RoleRequest | undefined;
  let how: GrantEnd = 'removed';
  let quiet = false;
  try {
    const history = await roleHistory(deps, claimed);
    const cover = coveringGrant(history, deps.clock.now().getTime());
    const keep = cover ? 'superseded' : heldOutsideRolecall(history, claimed) ? 'held_before' : undefined;
    if (keep) {
      how = keep;
      // Its own extension took over: the people involved already heard the new end.
      quiet = cover?.extendsRequestId === claimed.id;
      const held = claimed.rolesAfter ?? [];
      final = await finish({
        kind: 'revoked',
        before: held,
        after: held,
        audit: {
          actor: ROLECALL_ACTOR,
          outcome: keep,
          note: cover
            ? `${onBehalf}; still covered by request ${cover.id} (${cover.grantEndsAt ? `until ${cover.grantEndsAt}` : 'permanent'}), no change sent`
            : `${onBehalf}; role was held before this grant, left in place`,
        },
      });
    } else {
      const held = await dir.getRoles(scimId);
      if (!held.includes(claimed.role) && o.recovering) {
        // Most likely our own interrupted PATCH landed; nothing more to send either way.
        final = await finish({
          kind: 'revoked',
          before: claimed.rolesAfter ?? [],
          after: held,
          audit: {
            actor: ROLECALL_ACTOR,
            outcome: 'absent_at_recovery',
            note: `${onBehalf}; completed by recovery, the role was already absent`,
          },
        });
      } else if (!held.includes(claimed.role)) {
        how = 'already_removed';
        final = await finish({
          kind: 'revoked',
          before: held,
          after: held,
          precededBy: [
            {
              kind: 'drift_detected',
              extra: {
                actor: ROLECALL_ACTOR,
                note: `${onBehalf}; role already removed outside Rolecall before its end`,
              },
            },
          ],
          audit: { actor: ROLECALL_ACTOR, outcome: 'already_removed', note: onBehalf },
        });
      } else {
        const res = await dir.revoke(scimId, claimed.role);
        final = await finish({
          kind: 'revoked',
          before: res.before,
          after: res.after,
          audit: { actor: ROLECALL_ACTOR, outcome: res.changed ? 'changed' : 'no-op', note: onBehalf },
        });
      }
    }
  } catch (err) {
    const code = errorCode(err);
    deps.log.error({ err, code, requestId: claimed.id }, 'revoking a time-bound grant failed');
    final = await finish({
      kind: 'revoke_failed',
      code,
      message: err instanceof Error ? err.message : String(err),
      audit: { actor: ROLECALL_ACTOR, note: onBehalf },
    });
    return final ?? claimed;
  }
  if (final && !quiet) await tellEnded(deps, final, how);
  return final ?? claimed;
}

async function tellEnded(deps: AppDeps, r: RoleRequest, how: GrantEnd): Promise<void> {
  await tellRequester(deps, r, grantEndedCard(r, how), 'grant end to requester');
  const tenant = tenantById(deps.policy, r.tenantId);
  if (tenant?.slack.notifyTarget && r.target.slackUserId)
    await tell(deps, 'grant end to target', () =>
      deps.chat.dm(r.target.slackUserId!, grantEndedNotice(r, how)),
    );
}
