/**
 * What the person who asked is told: the confirmation card, what became of it, and the small answers
 * around a request. Built from templates and request data — never from model output.
 */
import type { Decision, DenyReason } from '../../core/decision.ts';
import { formatDuration } from '../../core/duration.ts';
import type { Identity } from '../../core/identity.ts';
import type { RoleRequest } from '../../core/request-record.ts';
import { code, type Inline, type RichText, rich, strong } from '../../core/rich-text.ts';
import type { Card, CardButton } from '../../ports/chat.ts';
import type { DirectoryUser } from '../../ports/directory.ts';
import { ACTIONS } from '../actions.ts';
import { failedCard } from './common.ts';
import { list, when, who } from './format.ts';

export const targetNotFound = (what: RichText): Card => ({
  text: rich`I couldn't find ${what} in your organisation's directory.`,
});
export const notAllowedToView = (): Card => ({
  text: "Sorry, you're not allowed to see that person's roles.",
});
export const nothingToCancel = (): Card => ({ text: 'You have no pending request to cancel.' });

export function rolesAnswer(target: Identity, roles: string[], showDetails: boolean): Card {
  return { text: rich`${who(target, showDetails)} has: ${list(roles)}` };
}

export function lookupAnswer(user: DirectoryUser, target: Identity, showDetails: boolean): Card {
  const state = user.active ? 'active' : 'inactive';
  return { text: rich`${who(target, showDetails)} — ${user.userName}, ${state} in the directory.` };
}

export function whichOne(name: string, buttons: CardButton[]): Card {
  return { text: `More than one person matches “${name}”. Which one did you mean?`, buttons };
}

function nextStep(d: Decision): RichText {
  switch (d.kind) {
    case 'allow':
      return 'Applied as soon as you confirm.';
    case 'needs_approval':
      return rich`Needs approval by ${d.count} ${d.count > 1 ? 'different people' : 'person'} holding ${list(d.approverRoles)}.`;
    case 'deny':
      return `Not allowed: ${denyText(d.reason)}`;
  }
}

export function denyText(reason: DenyReason): string {
  const texts: Record<DenyReason, string> = {
    no_matching_rule: 'no policy rule lets you make this change.',
    unknown_role: 'that role is not in the catalogue.',
    requester_unknown: 'you are not in the directory.',
    requester_inactive: 'your directory account is inactive.',
    target_unknown: 'the person is not in the directory.',
    external_user: 'requests from outside the organisation are not accepted.',
    duration_exceeds_max: 'the duration is longer than the policy allows.',
    above_own_role: 'you cannot grant a role above your own.',
    operator_cannot_approve: 'support reps cannot approve customer changes.',
    store_unavailable: 'Rolecall cannot record requests right now.',
    duration_not_supported: 'this role cannot be granted for a limited time.',
    invalid_duration: 'that duration is not valid.',
    no_approvers: 'nobody is configured to approve this change.',
  };
  return texts[reason] ?? 'the policy does not allow it.';
}

export interface ConfirmView {
  request: RoleRequest;
  /** Left out when the requester may not see the target's roles, and on every refusal. */
  rolesBefore?: string[];
  rolesAfter?: string[];
  showDetails: boolean;
  /** The requester may see the target's roles (canView): the running grant and extension are shown. */
  mayView?: boolean;
}

/** "Grant `editor` to Dana" / "Extend `editor` for Dana": what a request asks, without punctuation. */
function asked(r: RoleRequest, mayView: boolean): Inline[] {
  const whom = r.target.displayName ?? 'them';
  if (r.extendsRequestId && mayView) return rich`Extend ${code(r.role)} for ${whom}`;
  return rich`${r.action === 'grant' ? 'Grant' : 'Revoke'} ${code(r.role)} ${r.action === 'grant' ? 'to' : 'from'} ${whom}`;
}

export function confirmationCard(v: ConfirmView): Card {
  const r = v.request;
  const d = r.decision;
  const duration: RichText = r.durationMs
    ? d.kind !== 'deny' && d.capped
      ? `${formatDuration(r.durationMs)} (capped by policy)`
      : r.endsBy && !r.extendsRequestId
        ? rich`until ${when(r.endsBy)}`
        : formatDuration(r.durationMs)
    : 'permanent';
  const buttons: CardButton[] =
    d.kind === 'deny'
      ? []
      : [
          { actionId: ACTIONS.confirm, value: r.id, text: 'Confirm', style: 'primary' },
          { actionId: ACTIONS.cancel, value: r.id, text: 'Cancel' },
        ];
  const mayView = v.mayView ?? true;
  const fields: [string, RichText][] = [
    ['Person', who(r.target, v.showDetails)],
    ['Change', rich`${r.action} ${code(r.role)}`],
  ];
  if (v.rolesBefore && v.rolesAfter)
    fields.push(['Roles now → after', rich`${list(v.rolesBefore)} → ${list(v.rolesAfter)}`]);
  fields.push(['Duration', duration]);
  // A refusal shows no one's roles: not even the grant already running.
  if (mayView && d.kind !== 'deny') fields.push(...runningField(r), ...extensionField(r));
  if (r.justification) fields.push(['Reason', r.justification]);
  if (r.relayedBy) fields.push(['Relayed by', who(r.relayedBy, false)]);
  return {
    text: rich`${asked(r, mayView)}?`,
    fields,
    sections: [rich`${strong('What happens next:')} ${nextStep(d)}`],
    buttons,
    context: `Request ${r.id} · nothing changes until you confirm`,
  };
}

const SPENT: Partial<Record<RoleRequest['state'], string>> = {
  awaiting_approval: 'Confirmed · waiting for approval',
  approved: 'Confirmed',
  applying: 'Confirmed',
  applied: 'Confirmed · done',
  failed: 'Confirmed · not applied yet',
  denied: 'Not allowed by the policy',
  rejected: 'Confirmed · denied by an approver',
  cancelled: 'Cancelled',
  expired: 'Expired',
  revoking: 'Confirmed · done, since ended',
  revoked: 'Confirmed · done, since ended',
  revoke_failed: 'Confirmed · done, since ended',
};

/** Replaces a confirmation card once its buttons are spent: what it asked, and what became of it. */
export function spentCard(r: RoleRequest): Card {
  const duration = r.durationMs ? ` for ${formatDuration(r.durationMs)}` : '';
  return {
    text: rich`${asked(r, true)}${duration}`,
    context: `${SPENT[r.state] ?? r.state} · Request ${r.id}`,
  };
}

/** Replaces the "which one?" buttons once a person was chosen. */
export const chosenCard = (name: string): Card => ({ text: `You chose ${name}.` });

export const notYourRequest = (): Card => ({
  text: 'Only the person who asked can confirm or cancel this request.',
});

export function outcomeCard(r: RoleRequest): Card {
  const role = code(r.role);
  const whom = r.target.displayName ?? 'them';
  switch (r.state) {
    case 'applied': {
      const noop = r.rolesBefore && r.rolesAfter && r.rolesBefore.join() === r.rolesAfter.join();
      const until = r.grantEndsAt ? rich` until ${when(r.grantEndsAt)}` : '';
      if (r.extendsRequestId) return { text: rich`Done: extended ${role} for ${whom}${until}.` };
      return {
        text: noop
          ? rich`Nothing to change: ${whom} ${r.action === 'grant' ? 'already has' : 'does not have'} ${role}.`
          : rich`Done: ${r.action === 'grant' ? 'granted' : 'revoked'} ${role} ${r.action === 'grant' ? 'to' : 'from'} ${whom}${until}.`,
      };
    }
    case 'awaiting_approval':
      return { text: `Sent for approval. I'll tell you here when it is decided. (Request ${r.id})` };
    case 'denied':
      return {
        text: `Not done: ${r.decision.kind === 'deny' ? denyText(r.decision.reason) : 'the policy does not allow it.'}`,
      };
    case 'rejected':
      return {
        text: rich`Your request for ${role} was denied${r.rejection?.reason ? `: “${r.rejection.reason}”` : '.'}`,
      };
    case 'cancelled':
      return { text: `Cancelled. Nothing was changed.` };
    case 'expired':
      return { text: rich`Your request for ${role} expired without a decision. Nothing was changed.` };
    case 'failed':
      if (r.error?.code === 'SCIM.INACTIVE_USER') return inactiveTarget(r.target.displayName);
      return failedCard(r);
    case 'applying':
      if (r.error) return unconfirmedCard(r);
      return { text: `Request ${r.id} is ${r.state.replace(/_/g, ' ')}.` };
    case 'revoked':
      return { text: rich`${role} for ${whom} has ended and was removed.` };
    default:
      return { text: `Request ${r.id} is ${r.state.replace(/_/g, ' ')}.` };
  }
}

/** An "extend … until X" whose X is not after the current grant's end (left out if not viewable). */
export const notLonger = (currentEnd: string | undefined): Card => ({
  text: currentEnd
    ? rich`That would not extend it: the current grant already runs until ${when(currentEnd)}. Nothing was changed.`
    : 'That would not extend it, so nothing was changed.',
});

/** "Try again" on a grant whose asked-for end ("until 5pm") has passed meanwhile. */
export const askedEndPassed = (): Card => ({
  text: 'The end you asked for has already passed, so nothing was changed. Please ask again.',
});

export const confirmationExpired = (): Card => ({
  text: 'This confirmation has expired, so nothing was changed. Please ask again.',
});

/** On an extension's card: what it lengthens and where the new end falls. */
function extensionField(r: RoleRequest): [string, RichText][] {
  if (!r.extendsRequestId) return [];
  const end = new Date(Date.parse(r.createdAt) + (r.durationMs ?? 0)).toISOString();
  return [['Extends', rich`the current grant (request ${r.extendsRequestId}); new end about ${when(end)}`]];
}

/** A grant of the same role already running when this one was asked: approvers judge the whole span. */
export function runningField(r: RoleRequest): [string, RichText][] {
  if (!r.running) return [];
  return [
    [
      'Already running',
      rich`${code(r.role)} since ${when(r.running.since)}, until ${when(r.running.endsAt)} (request ${r.running.requestId}); this grant would end ${r.endsBy ? when(r.endsBy) : 'later'}`,
    ],
  ];
}

/** A change was sent to the directory, but no read has shown whether it landed (issue 12). */
export function unconfirmedCard(r: RoleRequest): Card {
  return {
    text: "I couldn't confirm it yet — I'll check and tell you.",
    context: `I sent the change to the directory but could not read it back. Request ${r.id}`,
  };
}

/** A grant for a person whose directory account is deactivated (`active: false`). */
export function inactiveTarget(name: string | undefined): Card {
  return {
    text: `${name ?? 'That person'}'s directory account is deactivated, so no role can be granted to them. Nothing was changed.`,
    context: 'Removing roles from a deactivated account is still possible.',
  };
}

/** "Which Dana?" for someone who may not see who the matches are (issue 13.3): no names, no emails. */
export const nameAmbiguous = (name: string): Card => ({
  text: `More than one person matches “${name}”. Please mention them (@name) or give their email address.`,
});

/** The approval post failed: say so, never "sent for approval" (issue 14). */
export const approvalNotPosted = (r: RoleRequest, reason: string): Card => ({
  text: `Not sent for approval yet: I couldn't post to the approvers' channel (${reason}), so no approver has been asked. Your request ${r.id} stays pending until it expires or you cancel it; please tell your workspace admin.`,
});

/** A message with files: only its text was read. */
export const filesNotRead = (n: number): Card => ({
  text: `I read only the text of your message, not the ${n === 1 ? 'attached file' : `${n} attached files`}.`,
});

/** The end of a time-bound request shown as a time in the reader's zone, with its length. */
export function endsAt(r: RoleRequest): RichText | undefined {
  if (!r.durationMs) return undefined;
  const end = r.endsBy ?? new Date(Date.parse(r.createdAt) + r.durationMs).toISOString();
  return rich`until ${when(end)}`;
}

/** Why a time-bound grant ended the way it did; chooses the wording told to requester and target. */
export type GrantEnd = 'removed' | 'already_removed' | 'superseded' | 'held_before';

export function grantEndedCard(r: RoleRequest, how: GrantEnd): Card {
  const role = code(r.role);
  const whom = r.target.displayName ?? 'them';
  const texts: Record<GrantEnd, RichText> = {
    removed: rich`${role} for ${whom} has ended and was removed.`,
    already_removed: rich`${role} for ${whom} has ended; it had already been removed outside Rolecall.`,
    superseded: rich`${role} for ${whom} has ended, but a later grant still covers it, so it stays for now.`,
    held_before: rich`${role} for ${whom} has ended; they held it before this grant, so it was left in place.`,
  };
  return { text: texts[how], context: `Request ${r.id}` };
}

/** A policy refusal as one card: what was asked, why not, and who could help. */
export function refusedTitle(request: RoleRequest, mayView: boolean): Inline[] {
  return rich`Not done: ${asked(request, mayView)}`;
}
