/** What approvers are shown: the approval card, its decided status, reminders and refusals at the click. */
import { formatDuration } from '../../core/duration.ts';
import type { RoleRequest } from '../../core/request-record.ts';
import { code, type Inline, joinRich, type RichText, rich } from '../../core/rich-text.ts';
import type { Card } from '../../ports/chat.ts';
import { ACTIONS } from '../actions.ts';
import { when, who } from './format.ts';
import { runningField } from './requester.ts';

export function approvalCard(r: RoleRequest, showDetails: boolean, status?: RichText): Card {
  const d = r.decision;
  const needed = d.kind === 'needs_approval' ? d.count : 1;
  const fields: [string, RichText][] = [
    [
      'Duration',
      r.durationMs
        ? r.endsBy && !r.extendsRequestId && !(d.kind !== 'deny' && d.capped)
          ? rich`until ${when(r.endsBy)}`
          : formatDuration(r.durationMs)
        : 'permanent',
    ],
    ['Approvals', `${r.approvals.length} of ${needed}`],
    ...runningField(r),
  ];
  if (r.justification) fields.push(['Reason', r.justification]);
  if (r.relayedBy) fields.push(['Relayed by', who(r.relayedBy, false)]);
  return {
    text: rich`${who(r.requester, false)} asks to ${r.action} ${code(r.role)} ${r.action === 'grant' ? 'for' : 'from'} ${who(r.target, showDetails)}`,
    fields,
    sections: status ? [status] : [],
    buttons: status
      ? []
      : [
          { actionId: ACTIONS.approve, value: r.id, text: 'Approve', style: 'primary' },
          { actionId: ACTIONS.deny, value: r.id, text: 'Deny', style: 'danger' },
        ],
    context: `Request ${r.id}`,
  };
}

export function decidedStatus(r: RoleRequest, at: string): Inline[] {
  const by = r.rejection ? [r.rejection.by] : r.approvals.map((a) => a.approver);
  const names = joinRich(
    by.map((i) => who(i, false)),
    ', ',
  );
  const outcome: Partial<Record<RoleRequest['state'], string>> = {
    applied: '✅ Approved and applied',
    applying: '⏳ Approved, applying',
    approved: '✅ Approved',
    failed: '⚠️ Approved, but applying failed',
    rejected: `❌ Denied${r.rejection?.reason ? `: “${r.rejection.reason}”` : ''}`,
    expired: '⌛ Expired without enough approvals',
    cancelled: '🚫 Cancelled by the requester',
  };
  return rich`${outcome[r.state] ?? r.state}${names.length ? rich` by ${names}` : ''} · ${when(at)}`;
}

export const alreadyDecided = (state: string): Card => ({
  text: `This request is already ${state.replace(/_/g, ' ')}.`,
});

const APPROVER_REFUSALS: Record<string, string> = {
  not_approver: "You can't approve this: you don't hold an approver role for it right now.",
  self_approval: "You can't approve your own request.",
  approves_own_target: "You can't approve a change to your own roles.",
  inactive: "You can't approve: your directory account is not active.",
  operator: 'Support reps cannot approve customer changes.',
  external: "You can't approve requests for this organisation.",
  already_approved: 'You have already approved this request; another approver is needed.',
  not_pending: 'This request is no longer waiting for approval.',
};
export const approverRefused = (reason: string): Card => ({
  text: APPROVER_REFUSALS[reason] ?? "You can't approve this.",
});

export function approvalReminder(r: RoleRequest): Card {
  return {
    text: rich`Reminder: request ${r.id} (${r.action} ${code(r.role)} for ${who(r.target, false)}) still needs approval and expires ${r.pendingExpiresAt ? when(r.pendingExpiresAt) : 'soon'}.`,
  };
}
