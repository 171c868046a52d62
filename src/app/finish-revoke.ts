import { errorCode } from '../core/errors.ts';
import type { RoleRequest } from '../core/request-record.ts';
import { type AppDeps, tenantById } from './deps.ts';
import { advance, audit, ROLECALL_ACTOR, tell } from './lifecycle.ts';
import { type GrantEnd, grantEndedCard, grantEndedNotice } from './messages.ts';

const ms = (iso: string | undefined) => (iso === undefined ? Number.NaN : Date.parse(iso));

/** When a grant took effect: its end minus its length (recovery keeps the write-ahead instant). */
const appliedAt = (r: RoleRequest) => ms(r.grantEndsAt) - (r.durationMs ?? 0);

/** Grants of the same role to the same person, in the states that once applied it. */
async function sameRoleGrants(deps: AppDeps, r: RoleRequest, states: RoleRequest['state'][]) {
  const found = await deps.requests.find({
    tenantId: r.tenantId,
    targetScimId: r.target.scimId!,
    role: r.role,
    states,
    limit: 100,
  });
  return found.filter((o) => o.id !== r.id && o.action === 'grant');
}

/**
 * Another applied grant of the same role that is still in force (permanent, or ending later than
 * now), e.g. an extension: this one then ends without a PATCH instead of taking the role away.
 */
async function coveringGrant(deps: AppDeps, r: RoleRequest): Promise<RoleRequest | undefined> {
  const now = deps.clock.now().getTime();
  const others = await sameRoleGrants(deps, r, ['applied']);
  return others.find((o) => o.grantEndsAt === undefined || ms(o.grantEndsAt) > now);
}

/**
 * True when the person held the role before this grant and not because of another Rolecall grant
 * (e.g. permanently, from the IdP): ending this grant must not take away what it never gave.
 */
async function heldOutsideRolecall(deps: AppDeps, r: RoleRequest): Promise<boolean> {
  if (!r.rolesBefore?.includes(r.role)) return false;
  const start = appliedAt(r);
  const others = await sameRoleGrants(deps, r, ['applied', 'revoking', 'revoked', 'revoke_failed']);
  return !others.some(
    (o) => o.grantEndsAt !== undefined && appliedAt(o) <= start && ms(o.grantEndsAt) >= start,
  );
}

/**
 * Completes a claimed (`revoking`) time-bound grant; also used by recovery. The directory is read
 * first: a role someone already removed is recorded as drift, not fought over; a role another grant
 * still covers, or that was held before, is left in place. Otherwise one idempotent SCIM revoke.
 */
export async function finishRevoke(
  deps: AppDeps,
  claimed: RoleRequest,
  o: { recovering?: boolean } = {},
): Promise<RoleRequest> {
  const dir = deps.directories.forTenant(claimed.tenantId);
  const scimId = claimed.target.scimId!;
  const onBehalf = `on behalf of request ${claimed.id}`;
  let final: RoleRequest | undefined;
  let how: GrantEnd = 'removed';
  let quiet = false;
  try {
    const cover = await coveringGrant(deps, claimed);
    const keep = cover
      ? 'superseded'
      : (await heldOutsideRolecall(deps, claimed))
        ? 'held_before'
        : undefined;
    if (keep) {
      how = keep;
      // Its own extension took over: the people involved already heard the new end.
      quiet = cover?.extendsRequestId === claimed.id;
      const held = claimed.rolesAfter ?? [];
      final = await advance(deps, claimed, { kind: 'revoked', before: held, after: held });
      if (final)
        await audit(deps, final, 'revoked', {
          actor: ROLECALL_ACTOR,
          outcome: keep,
          note: cover
            ? `${onBehalf}; still covered by request ${cover.id} (${cover.grantEndsAt ? `until ${cover.grantEndsAt}` : 'permanent'}), no change sent`
            : `${onBehalf}; role was held before this grant, left in place`,
        });
    } else {
      const held = await dir.getRoles(scimId);
      if (!held.includes(claimed.role) && o.recovering) {
        // Most likely our own interrupted PATCH landed; nothing more to send either way.
        final = await advance(deps, claimed, {
          kind: 'revoked',
          before: claimed.rolesAfter ?? [],
          after: held,
        });
        if (final)
          await audit(deps, final, 'revoked', {
            actor: ROLECALL_ACTOR,
            outcome: 'absent_at_recovery',
            note: `${onBehalf}; completed by recovery, the role was already absent`,
          });
      } else if (!held.includes(claimed.role)) {
        how = 'already_removed';
        final = await advance(deps, claimed, { kind: 'revoked', before: held, after: held });
        if (final) {
          await audit(deps, final, 'drift_detected', {
            actor: ROLECALL_ACTOR,
            note: `${onBehalf}; role already removed outside Rolecall before its end`,
          });
          await audit(deps, final, 'revoked', {
            actor: ROLECALL_ACTOR,
            outcome: 'already_removed',
            note: onBehalf,
          });
        }
      } else {
        const res = await dir.revoke(scimId, claimed.role);
        final = await advance(deps, claimed, { kind: 'revoked', before: res.before, after: res.after });
        if (final)
          await audit(deps, final, 'revoked', {
            actor: ROLECALL_ACTOR,
            outcome: res.changed ? 'changed' : 'no-op',
            note: onBehalf,
          });
      }
    }
  } catch (err) {
    const code = errorCode(err);
    deps.log.error({ err, code, requestId: claimed.id }, 'revoking a time-bound grant failed');
    final = await advance(deps, claimed, {
      kind: 'revoke_failed',
      code,
      message: err instanceof Error ? err.message : String(err),
    });
    if (final)
      await audit(deps, final, 'revoke_failed', { actor: ROLECALL_ACTOR, errorCode: code, note: onBehalf });
    return final ?? claimed;
  }
  if (final && !quiet) await tellEnded(deps, final, how);
  return final ?? claimed;
}

async function tellEnded(deps: AppDeps, r: RoleRequest, how: GrantEnd): Promise<void> {
  await tell(deps, 'grant end to requester', () =>
    deps.chat.post(r.origin.channelId, grantEndedCard(r, how), r.origin.threadTs ?? r.origin.ts),
  );
  const tenant = tenantById(deps.policy, r.tenantId);
  if (tenant?.slack.notifyTarget && r.target.slackUserId)
    await tell(deps, 'grant end to target', () =>
      deps.chat.dm(r.target.slackUserId!, grantEndedNotice(r, how)),
    );
}
