import { canApprove } from '../core/policy.ts';
import type { Tenant } from '../core/policy-schema.ts';
import type { RoleRequest } from '../core/request-record.ts';
import type { Card } from '../ports/chat.ts';
import { announce, applyChange } from './apply-change.ts';
import { type AppDeps, tenantById } from './deps.ts';
import { identify } from './identify.ts';
import type { Clicker } from './inbound.ts';
import { advanceFresh, audit, tell } from './lifecycle.ts';
import {
  alreadyDecided,
  approvalCard,
  approverRefused,
  refusalCard,
  withHelpers,
  withRequesterAsHelper,
} from './messages.ts';
import type { Reply } from './reply.ts';
import { bindRequest } from './request-log.ts';
import { dropStaleApprovals } from './revalidate-approvers.ts';
import { helpersFor } from './show-help.ts';

type Verdict = { kind: 'approve' } | { kind: 'reject'; reason: string };

/**
 * An approver clicked Approve, or submitted Deny with a reason. The clicker is checked against the
 * directory *now* (holds an approver role, active, not the requester, not the target, not a support
 * rep); the approval is counted by compare-and-set, so concurrent or repeated clicks count once.
 */
export async function decideRequest(
  deps: AppDeps,
  requestId: string,
  clicker: Clicker,
  verdict: Verdict,
  reply: Reply,
): Promise<void> {
  const request = await deps.requests.get(requestId);
  if (!request) return reply(alreadyDecided('gone'));
  bindRequest(deps, request);
  if (request.state !== 'awaiting_approval') return reply(alreadyDecided(request.state));
  const tenant = tenantById(deps.policy, request.tenantId);
  if (!tenant) return reply(alreadyDecided('gone'));
  const who = await identify(deps, clicker.userId, undefined);
  const approver =
    who.ok && who.person.tenant.id === tenant.id
      ? {
          identity: who.person.identity,
          roles: who.person.roles,
          active: true,
          isOperator: who.person.kind === 'operator',
          external: false,
        }
      : undefined;
  const check = approver
    ? canApprove(tenant, request, approver)
    : ({
        ok: false,
        reason: who.ok ? 'external' : who.refusal === 'inactive' ? 'inactive' : 'external',
      } as const);
  if (!check.ok) {
    await audit(deps, request, 'approval_refused', {
      actor: approver?.identity ?? { slackUserId: clicker.userId, slackTeamId: clicker.teamId },
      outcome: check.reason,
    });
    const refusal =
      who.ok || check.reason !== 'external'
        ? approverRefused(check.reason)
        : refusalCard(who.ok ? 'external' : who.refusal);
    return reply(helped(refusal, tenant, request, !approver && check.reason === 'external'));
  }
  // A click that would complete the quorum counts only with approvals that still qualify now.
  if (verdict.kind === 'approve') await dropStaleApprovals(deps, tenant, requestId);
  const at = deps.clock.now().toISOString();
  // The implied records (approved, rejected with its reason) name the approver as the actor.
  const { request: next, current } = await advanceFresh(deps, requestId, (cur) =>
    cur.state !== 'awaiting_approval'
      ? undefined
      : verdict.kind === 'approve'
        ? { kind: 'approve', approval: { approver: approver!.identity, at } }
        : { kind: 'reject', by: approver!.identity, reason: verdict.reason },
  );
  if (!next)
    return reply(
      current?.state === 'awaiting_approval'
        ? helped(approverRefused('already_approved'), tenant, current, false)
        : alreadyDecided(current?.state ?? 'gone'),
    );
  if (verdict.kind === 'reject') {
    await announce(deps, next);
    return;
  }
  if (next.state === 'approved') {
    await applyChange(deps, next);
    return;
  }
  for (const ref of next.approvalMessages)
    if (ref.ts)
      await tell(deps, 'approval progress', () =>
        deps.chat.update({ channelId: ref.channelId, ts: ref.ts! }, approvalCard(next, false)),
      );
}

/**
 * Every refusal says who could help, in the same message (issue 16). Insiders are told the roles
 * that approve this request (roles, never people, as requester refusals do); someone outside the
 * organisation (Slack Connect, another tenant, a guest) learns nothing of its roles, only the
 * requester, whom the approval message already names.
 */
function helped(card: Card, tenant: Tenant, request: RoleRequest, outsider: boolean): Card {
  if (outsider) return withRequesterAsHelper(card, request.requester.slackUserId);
  const d = request.decision;
  return withHelpers(card, d.kind === 'needs_approval' ? d.approverRoles : helpersFor(tenant, request.role));
}
