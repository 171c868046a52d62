import { evaluate } from '../core/policy.ts';
import type { RoleRequest } from '../core/request-record.ts';
import { applyChange } from './apply-change.ts';
import { type AppDeps, tenantById } from './deps.ts';
import { identify } from './identify.ts';
import type { Clicker } from './inbound.ts';
import { advance, auditOf, deliveryError, ROLECALL_ACTOR } from './lifecycle.ts';
import {
  alreadyDecided,
  approvalCard,
  approvalNotPosted,
  confirmationExpired,
  notYourRequest,
  outcomeCard,
  refusalCard,
} from './messages.ts';
import type { Reply } from './reply.ts';
import { bindRequest } from './request-log.ts';
import { runningGrant } from './running-grant.ts';

/**
 * The requester confirms their card. Policy is evaluated again with roles read now (they may have
 * changed since the card was shown); the stored decision is replaced by the fresh one.
 */
export async function confirmRequest(
  deps: AppDeps,
  requestId: string,
  clicker: Clicker,
  reply: Reply,
): Promise<void> {
  const request = await deps.requests.get(requestId);
  if (!request) return reply(alreadyDecided('gone'));
  bindRequest(deps, request);
  if (request.requester.slackUserId !== clicker.userId) return reply(notYourRequest());
  if (request.state !== 'awaiting_confirmation')
    return reply(request.state === 'expired' ? confirmationExpired() : alreadyDecided(request.state));
  const deadline = request.confirmationExpiresAt;
  if (deadline !== undefined && deps.clock.now().getTime() >= Date.parse(deadline)) {
    await advance(deps, request, {
      kind: 'expire',
      audit: { actor: ROLECALL_ACTOR, note: 'not confirmed in time' },
    });
    return reply(confirmationExpired());
  }
  const tenant = tenantById(deps.policy, request.tenantId);
  const who = await identify(
    deps,
    clicker.userId,
    request.origin.isDm ? undefined : request.origin.channelId,
  );
  if (!who.ok || !tenant || who.person.tenant.id !== tenant.id)
    return reply(refusalCard(who.ok ? 'external' : who.refusal));
  const dir = deps.directories.forTenant(tenant.id);
  const targetRoles = request.target.scimId ? await dir.getRoles(request.target.scimId) : [];
  const span = await heldSpan(deps, request);
  const decision = evaluate(tenant, {
    requester: {
      roles: who.person.roles,
      active: true,
      known: true,
      isOperator: who.person.kind === 'operator',
    },
    action: request.action,
    target: {
      isRequester:
        request.requester.scimId !== undefined && request.requester.scimId === request.target.scimId,
      roles: targetRoles,
      known: Boolean(request.target.scimId),
    },
    role: request.role,
    ...span,
  });
  const next = await advance(deps, request, {
    kind: 'confirm',
    decision,
    by: who.person.identity,
    pendingTtlMs: deps.policy.timers.pendingTtl,
    audit: { actor: who.person.identity, rolesBefore: targetRoles },
  });
  if (!next) return reply(alreadyDecided('being handled'));
  if (next.state === 'denied') {
    deps.observer?.policyDenied?.(decision.kind === 'deny' ? decision.reason : 'unknown');
    await reply(outcomeCard(next));
    return;
  }
  if (next.state === 'approved') {
    await applyChange(deps, next, { checkedNow: true });
    return;
  }
  const posted = await requestApproval(deps, next);
  await reply(posted.ok ? outcomeCard(next) : approvalNotPosted(next, posted.reason));
}

/**
 * Posts Approve/Deny to the tenant's approval channel and remembers where, for in-place updates.
 * Answers whether approvers were really asked: when Slack refuses the post (bot not in the
 * channel, channel archived, posting restricted), the audit and the metrics say so, and the caller
 * tells the requester the truth instead of "sent for approval".
 */
export async function requestApproval(
  deps: AppDeps,
  r: RoleRequest,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const tenant = tenantById(deps.policy, r.tenantId);
  const channel = tenant?.slack.approvalChannel;
  const refs: { channelId: string; ts: string }[] = [];
  let failure: string | undefined = channel ? undefined : 'no approval channel configured';
  if (channel) {
    const shared = tenant.slack.sharedChannels.includes(channel);
    try {
      refs.push(await deps.chat.post(channel, approvalCard(r, !shared)));
    } catch (err) {
      failure = deliveryError(err);
      deps.log.error({ err, channel, reason: failure }, 'could not ask approvers: the approval post failed');
      deps.observer?.deliveryFailed?.('approval request', failure);
    }
  }
  const record = auditOf(r, 'approval_requested', {
    note: failure ? `not posted to ${channel ?? 'any channel'}: ${failure}` : `posted to ${channel}`,
    ...(failure ? { outcome: 'not_posted' } : {}),
  });
  // Where the card went is metadata, not a state change, saved with its record (compare-and-set,
  // re-read on a lost race); with nothing to remember, the record alone.
  let saved = false;
  for (let i = 0; refs.length && i < 5 && !saved; i++) {
    const latest = await deps.requests.get(r.id);
    if (!latest) break;
    const next = {
      ...latest,
      version: latest.version + 1,
      approvalMessages: [...latest.approvalMessages, ...refs],
    };
    saved = await deps.requests.commit({ request: next, expectedVersion: latest.version, audit: [record] });
  }
  if (!saved) await deps.audit.append(record);
  return failure ? { ok: false, reason: failure } : { ok: true };
}

/**
 * Duration and held time to judge at confirmation: while a grant of the role runs, the span is
 * judged again from now (held so far + what is left until the end fixed when asked).
 */
async function heldSpan(deps: AppDeps, r: RoleRequest): Promise<{ durationMs?: number; heldMs?: number }> {
  const asked = r.durationMs === undefined ? {} : { durationMs: r.durationMs };
  if (r.action !== 'grant' || !r.target.scimId) return asked;
  const now = deps.clock.now();
  const running = await runningGrant(deps, r.tenantId, r.target.scimId, r.role, now);
  if (!running) return asked;
  const heldMs = now.getTime() - Date.parse(running.since);
  if (r.durationMs === undefined || r.endsBy === undefined) return { ...asked, heldMs };
  return { durationMs: Math.min(r.durationMs, Date.parse(r.endsBy) - now.getTime()), heldMs };
}
