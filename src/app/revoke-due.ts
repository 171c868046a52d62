import type { RoleRequest } from '../core/request-record.ts';
import { announce } from './apply-change.ts';
import type { AppDeps } from './deps.ts';
import { findAll } from './find-all.ts';
import { finishRevoke } from './finish-revoke.ts';
import { advance, ROLECALL_ACTOR, tell } from './lifecycle.ts';
import { approvalReminder } from './messages.ts';
import { DEFAULT_RECOVERY_GRACE_MS } from './recover.ts';
import { inRequestScope } from './request-log.ts';
import { roleHistory } from './role-history.ts';

export { finishRevoke } from './finish-revoke.ts';

/** A revocation that failed (directory down) is tried again on the first tick after this. */
export const REVOKE_RETRY_MS = 60_000;

/**
 * Revokes time-bound grants whose end has passed. Driven by a store query (not in-memory timers),
 * so a restarted bot catches up at once; each grant is claimed by compare-and-set (`revoking`),
 * so several bot processes on one store revoke it exactly once. Failed revocations are retried.
 */
export async function revokeDueGrants(deps: AppDeps): Promise<number> {
  const now = deps.clock.now();
  // Fresh ends first, failed ones after, so retries waiting out their pause never crowd them out.
  const due = [];
  // Every due one, page by page: a first page full of grants skipped below (a retry waiting out its
  // pause, one with an apply in flight) would otherwise hide older ones for good.
  for (const state of ['applied', 'revoke_failed'] as const)
    due.push(...(await findAll(deps.requests, { states: [state], grantEndsBefore: now.toISOString() })));
  let done = 0;
  for (const r of due) {
    if (r.action !== 'grant' || !r.grantEndsAt || !r.target.scimId) continue;
    if (r.state === 'revoke_failed' && now.getTime() - Date.parse(r.updatedAt) < REVOKE_RETRY_MS) continue;
    // A grant of this role (an extension, say) is being applied right now: decide at a later tick,
    // once it is in force (this one is then superseded) or not. Stale ones are recovery's.
    // (finishRevoke reads the history again after the claim, on purpose: it may have moved.)
    const { inFlight } = await roleHistory(deps, r);
    if (inFlight.some((o) => now.getTime() - Date.parse(o.updatedAt) < DEFAULT_RECOVERY_GRACE_MS)) continue;
    const revoked = await inRequestScope(deps, r, async () => {
      const claimed = await advance(deps, r, {
        kind: 'start_revoke',
        audit: {
          actor: ROLECALL_ACTOR,
          note: `time-bound grant ended at ${r.grantEndsAt}; on behalf of request ${r.id}`,
        },
      });
      if (!claimed) return false;
      await finishRevoke(deps, claimed);
      return true;
    });
    if (revoked) done++;
  }
  return done;
}

/**
 * Expires pending requests and confirmation cards (telling the requester), and reminds approvers
 * once, `timers.reminderBefore` ahead of expiry.
 */
export async function expireAndRemind(deps: AppDeps): Promise<{ expired: number; reminded: number }> {
  const now = deps.clock.now();
  let expired = 0;
  let reminded = 0;
  const reached = (iso: string | undefined) => iso !== undefined && Date.parse(iso) <= now.getTime();
  const stale = [];
  for (const state of ['awaiting_confirmation', 'awaiting_approval'] as const)
    stale.push(
      // All of them: the filter below drops some, so one clamped page could hide a due request.
      ...(await findAll(deps.requests, { states: [state], expiresBefore: now.toISOString() })).filter(
        // The query also matches a pending request by its spent card deadline (records from before
        // confirm dropped it): only its own deadline counts.
        (r) => reached(state === 'awaiting_confirmation' ? r.confirmationExpiresAt : r.pendingExpiresAt),
      ),
    );
  for (const r of stale) {
    const done = await inRequestScope(deps, r, async () => {
      const next = await advance(deps, r, {
        kind: 'expire',
        audit: {
          actor: ROLECALL_ACTOR,
          note:
            r.state === 'awaiting_approval'
              ? 'no decision before the pending deadline'
              : 'not confirmed in time',
        },
      });
      if (!next) return false;
      // An unconfirmed card is only the requester's; its buttons now answer that it expired.
      if (r.state === 'awaiting_approval') await announce(deps, next);
      return true;
    });
    if (done) expired++;
  }
  const remindAt = (r: RoleRequest) =>
    Date.parse(r.pendingExpiresAt ?? '') - deps.policy.timers.reminderBefore;
  const pending = await findAll(deps.requests, { states: ['awaiting_approval'] });
  for (const r of pending) {
    if (r.reminderSentAt || !r.pendingExpiresAt || !(remindAt(r) <= now.getTime())) continue;
    const done = await inRequestScope(deps, r, async () => {
      const next = await advance(deps, r, { kind: 'remind' });
      if (!next) return false;
      for (const ref of next.approvalMessages)
        await tell(deps, 'approval reminder', () =>
          deps.chat.post(ref.channelId, approvalReminder(next), ref.ts),
        );
      return true;
    });
    if (done) reminded++;
  }
  return { expired, reminded };
}
