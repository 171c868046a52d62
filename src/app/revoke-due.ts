import { errorCode } from '../core/errors.ts';
import type { RoleRequest } from '../core/request-record.ts';
import { announce } from './apply-change.ts';
import type { AppDeps } from './deps.ts';
import { advance, audit, ROLECALL_ACTOR, tell } from './lifecycle.ts';
import { targetNotice } from './messages.ts';

const BATCH = 100;

/**
 * Revokes time-bound grants whose end has passed. Driven by a store query (not in-memory timers),
 * so a restarted bot catches up at once; each grant is claimed by compare-and-set (`revoking`),
 * so several bot processes on one store revoke it exactly once.
 */
export async function revokeDueGrants(deps: AppDeps): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.requests.find({
    states: ['applied'],
    grantEndsBefore: now.toISOString(),
    limit: BATCH,
  });
  let done = 0;
  for (const r of due) {
    if (r.action !== 'grant' || !r.grantEndsAt) continue;
    const claimed = await advance(deps, r, { kind: 'start_revoke' });
    if (!claimed) continue;
    await audit(deps, claimed, 'revoking', {
      actor: ROLECALL_ACTOR,
      note: `time-bound grant ended at ${r.grantEndsAt}`,
    });
    await finishRevoke(deps, claimed);
    done++;
  }
  return done;
}

/** Completes a claimed revocation; also used by recovery for requests left in `revoking`. */
export async function finishRevoke(deps: AppDeps, claimed: RoleRequest): Promise<RoleRequest> {
  const dir = deps.directories.forTenant(claimed.tenantId);
  const scimId = claimed.target.scimId!;
  let final: RoleRequest | undefined;
  try {
    const held = await dir.getRoles(scimId);
    if (!held.includes(claimed.role)) {
      // Someone removed it already (by hand, or an IdP sync): record it, don't fight it.
      final = await advance(deps, claimed, { kind: 'revoked', before: held, after: held });
      if (final)
        await audit(deps, final, 'revoked', {
          actor: ROLECALL_ACTOR,
          note: 'already removed outside Rolecall',
          outcome: 'drift',
        });
    } else {
      const res = await dir.revoke(scimId, claimed.role);
      final = await advance(deps, claimed, { kind: 'revoked', before: res.before, after: res.after });
      if (final)
        await audit(deps, final, 'revoked', {
          actor: ROLECALL_ACTOR,
          outcome: res.changed ? 'changed' : 'no-op',
        });
    }
  } catch (err) {
    const code = errorCode(err);
    deps.log.error({ err, code, requestId: claimed.id }, 'revoking a time-bound grant failed');
    final = await advance(deps, claimed, {
      kind: 'revoke_failed',
      code,
      message: err instanceof Error ? err.message : String(err),
    });
    if (final) await audit(deps, final, 'revoke_failed', { actor: ROLECALL_ACTOR, errorCode: code });
    return final ?? claimed;
  }
  if (final) {
    await tell(deps, 'revocation to requester', () =>
      deps.chat.post(
        final!.origin.channelId,
        {
          text: `\`${final!.role}\` for ${final!.target.displayName ?? 'them'} has ended and was removed (request ${final!.id}).`,
        },
        final!.origin.threadTs ?? final!.origin.ts,
      ),
    );
    if (final.target.slackUserId)
      await tell(deps, 'revocation to target', () =>
        deps.chat.dm(final!.target.slackUserId!, targetNotice(final!)),
      );
  }
  return final ?? claimed;
}

/** Expires pending requests and confirmation cards, and reminds approvers once before expiry. */
export async function expireAndRemind(deps: AppDeps): Promise<{ expired: number; reminded: number }> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  let expired = 0;
  let reminded = 0;
  const stale = await deps.requests.find({
    states: ['awaiting_confirmation', 'awaiting_approval'],
    expiresBefore: nowIso,
    limit: BATCH,
  });
  for (const r of stale) {
    const next = await advance(deps, r, { kind: 'expire' });
    if (!next) continue;
    expired++;
    await audit(deps, next, 'expired', { actor: ROLECALL_ACTOR });
    if (r.state === 'awaiting_approval') await announce(deps, next);
  }
  const pending = await deps.requests.find({ states: ['awaiting_approval'], limit: 500 });
  const remindAt = (r: RoleRequest) =>
    Date.parse(r.pendingExpiresAt ?? '') - deps.policy.timers.reminderBefore;
  for (const r of pending) {
    if (r.reminderSentAt || !r.pendingExpiresAt || remindAt(r) > now.getTime()) continue;
    const next = await advance(deps, r, { kind: 'remind' });
    if (!next) continue;
    reminded++;
    for (const ref of next.approvalMessages)
      await tell(deps, 'approval reminder', () =>
        deps.chat.post(
          ref.channelId,
          {
            text: `Reminder: request ${next.id} still needs approval and expires at ${next.pendingExpiresAt}.`,
          },
          ref.ts,
        ),
      );
  }
  return { expired, reminded };
}
