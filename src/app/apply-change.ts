import { errorCode, isRolecallError } from '../core/errors.ts';
import { evaluate } from '../core/policy.ts';
import type { RoleRequest } from '../core/request-record.ts';
import { type AppDeps, tenantById } from './deps.ts';
import { advance, tell, tellRequester } from './lifecycle.ts';
import { approvalCard, decidedStatus, outcomeCard, spentCard, targetNotice } from './messages.ts';
import { updateCard } from './reply.ts';
import { bindRequest } from './request-log.ts';
import { refuseIfApprovalsStale } from './revalidate-approvers.ts';
import { observedBefore, wroteBefore } from './role-history.ts';

/**
 * Applies an approved request: re-checks the requester against the directory now, records
 * `applying` (write-ahead) before the SCIM call so a crash can be reconciled, applies exactly one
 * change, records the outcome, then tells people. Returns the final request.
 * `checkedNow`: the caller evaluated the policy with roles read in this same click (a confirm that
 * needs no approval), so reading them again milliseconds later would add SCIM calls, not safety.
 */
export async function applyChange(
  deps: AppDeps,
  approved: RoleRequest,
  opts: { checkedNow?: boolean } = {},
): Promise<RoleRequest> {
  const tenant = tenantById(deps.policy, approved.tenantId);
  if (!tenant || approved.state !== 'approved' || !approved.target.scimId) return approved;
  const dir = deps.directories.forTenant(tenant.id);
  bindRequest(deps, approved);

  const started = await advance(deps, approved, {
    kind: 'start_apply',
    audit: { actor: approved.approvals.at(-1)?.approver ?? approved.requester },
  });
  if (!started) return approved;

  let finished: RoleRequest | undefined;
  try {
    const stale = await refuseIfApprovalsStale(deps, tenant, started);
    if (stale) return await announce(deps, stale);
    // Fresh at apply time: the requester may have lost the right since asking (operators hold
    // no customer roles; their relay stands on the customer's approvals).
    if (!opts.checkedNow && !started.relayedBy && started.requester.scimId) {
      const [requesterUser, requesterRoles, targetRoles] = await Promise.all([
        dir.getUser(started.requester.scimId),
        dir.getRoles(started.requester.scimId),
        dir.getRoles(started.target.scimId!),
      ]);
      const decision = evaluate(tenant, {
        requester: {
          roles: requesterRoles,
          active: requesterUser?.active ?? false,
          known: Boolean(requesterUser),
        },
        action: started.action,
        target: {
          isRequester: started.requester.scimId === started.target.scimId,
          roles: targetRoles,
          known: true,
        },
        role: started.role,
        durationMs: started.durationMs,
      });
      if (decision.kind === 'deny') {
        deps.observer?.policyDenied?.(decision.reason);
        finished = await advance(deps, started, {
          kind: 'apply_failed',
          code: 'POLICY.DENIED',
          message: decision.reason,
          audit: { note: `requester no longer allowed: ${decision.reason}` },
        });
        return await announce(deps, finished ?? started);
      }
    }
    const res =
      started.action === 'grant'
        ? await dir.grant(started.target.scimId!, started.role)
        : await dir.revoke(started.target.scimId!, started.role);
    // From the decision (the save that made it `approved`) to the directory change landing.
    deps.observer?.applyLatency?.(deps.clock.now().getTime() - Date.parse(approved.updatedAt));
    const heldBefore = await heldBeforeOnRetry(deps, started, res.changed);
    try {
      // A grant's end counts from the write-ahead instant, the earliest the change can have landed.
      finished = await advance(deps, started, {
        kind: 'applied',
        before: res.before,
        after: res.after,
        ...(started.claimedAt ? { at: new Date(started.claimedAt) } : {}),
        ...heldBefore,
        audit: { noop: !res.changed, outcome: res.changed ? 'changed' : 'no-op' },
      });
    } catch (err) {
      // The change landed, but neither `applied` nor its record could be saved (one unit of work).
      // Not `failed` ("nothing was changed" would be false): the request stays `applying`, as
      // saved, and recovery records the outcome from the directory at a later tick.
      deps.log.error(
        { err, code: errorCode(err) },
        'the change landed but could not be recorded; recovery will',
      );
      return await announce(deps, started);
    }
  } catch (err) {
    const code = errorCode(err);
    if (isRolecallError(err) && err.details.unconfirmed === true) {
      // Sent, but no read says whether it landed: not `failed`, and nobody is told "nothing was
      // changed". Recovery reads the directory at the next scheduler tick and tells them then.
      deps.log.warn(
        { err, code },
        'the change was sent but could not be confirmed; the directory will decide',
      );
      finished = await advance(deps, started, {
        kind: 'apply_unconfirmed',
        code,
        message: err.message,
        audit: {
          outcome: 'unconfirmed',
          note: 'the change was sent but could not be read back; to be decided from the directory',
        },
      });
      return await announce(deps, finished ?? started);
    }
    deps.log.error({ err, code }, 'applying the change failed');
    finished = await advance(deps, started, {
      kind: 'apply_failed',
      code,
      message: err instanceof Error ? err.message : String(err),
    });
  }
  return await announce(deps, finished ?? started);
}

/**
 * A grant that finds the role already there on a second attempt may be finding its own first write:
 * whether it was held before comes from what was observed before this request wrote anything.
 */
async function heldBeforeOnRetry(
  deps: AppDeps,
  r: RoleRequest,
  changed: boolean,
): Promise<{ heldBefore?: boolean }> {
  if (r.action !== 'grant' || changed || !(await wroteBefore(deps, r))) return {};
  const observed = await observedBefore(deps, r);
  return observed ? { heldBefore: observed.includes(r.role) } : {};
}

/**
 * Tells the requester (where the request was made, DM as fallback; their card is updated while
 * Slack allows), the target (DM), and updates approval messages in place.
 */
export async function announce(deps: AppDeps, r: RoleRequest): Promise<RoleRequest> {
  const tenant = tenantById(deps.policy, r.tenantId);
  await tellRequester(deps, r, outcomeCard(r), 'outcome to requester');
  await updateCard(deps, r.id, spentCard(r));
  const status = decidedStatus(r, deps.clock.now().toISOString());
  for (const ref of r.approvalMessages)
    if (ref.ts)
      await tell(deps, 'approval message update', () =>
        deps.chat.update({ channelId: ref.channelId, ts: ref.ts! }, approvalCard(r, false, status)),
      );
  const changed =
    r.state === 'applied' && (r.rolesBefore?.join() !== r.rolesAfter?.join() || Boolean(r.extendsRequestId));
  if (
    changed &&
    tenant?.slack.notifyTarget &&
    r.target.slackUserId &&
    r.target.slackUserId !== r.requester.slackUserId
  )
    await tell(deps, 'target notice', () => deps.chat.dm(r.target.slackUserId!, targetNotice(r)));
  return r;
}
