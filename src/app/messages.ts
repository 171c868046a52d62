/**
 * Every word Rolecall says to people lives here, built from templates and request data — never
 * from model output. Anything user-controlled is escaped before it reaches mrkdwn.
 */
import type { Decision, DenyReason } from '../core/decision.ts';
import { formatDuration } from '../core/duration.ts';
import type { ErrorCode } from '../core/errors.ts';
import type { Identity } from '../core/identity.ts';
import type { RoleRequest } from '../core/request-record.ts';
import type { Card, CardButton } from '../ports/chat.ts';
import type { DirectoryUser } from '../ports/directory.ts';
import type { Refusal } from './identify.ts';
import { ACTIONS } from './inbound.ts';

/** Neutralises Slack mrkdwn control characters and mention syntax in user-supplied text. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An instant as Slack shows it: in each reader's own time zone (`<!date>`), with a UTC fallback for
 * clients that cannot (notifications, the playground falls back to it when it cannot localise).
 */
export function when(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return esc(iso);
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}

const list = (xs: string[]) => (xs.length ? xs.map((x) => `\`${esc(x)}\``).join(', ') : '_none_');

/** Who someone is, with directory details only where they may be shown (not in shared channels). */
export function who(id: Identity, showDetails: boolean): string {
  const name = esc(id.displayName ?? id.email ?? id.slackUserId ?? 'unknown');
  const mention = id.slackUserId ? `<@${id.slackUserId}>` : name;
  if (!showDetails) return mention;
  const extra = [id.email, id.scimId && `directory id ${id.scimId}`]
    .filter(Boolean)
    .map((s) => esc(String(s)));
  return extra.length ? `${mention} (${extra.join(', ')})` : mention;
}

const REFUSALS: Record<Refusal, string> = {
  unknown_user: "Sorry, I can't help with that here.",
  bot: "Sorry, I don't take requests from bots.",
  deleted: "Sorry, I can't help with that here.",
  guest: "Sorry, guest accounts can't make role requests. Please ask an admin of your organisation.",
  external: "Sorry, I can only take requests from members of this organisation's workspace.",
  wrong_tenant_channel:
    "Sorry, I can't take requests for your organisation in this channel. Please DM me instead.",
  not_in_directory:
    "I couldn't find you in your organisation's directory, so I can't act on this. Please contact your IT admin.",
  inactive: 'Your directory account is not active, so I can’t act on this.',
};
export const refusalCard = (r: Refusal): Card => ({ text: REFUSALS[r] });

export const HELP =
  'Try: “make @dana an editor for 2 hours”, “remove bob@example.com’s admin role”, or “what roles does @carol have?”';

const NONE_REASONS: Record<string, string> = {
  negated: "That sounds like something you *don't* want done, so I did nothing.",
  injection: "I can't act on that message. Please write the request plainly.",
  unknown_role: "I don't know that role. ",
  unsupported: 'I can only look people up and change their roles. ',
};
export function notUnderstood(reason: string | undefined, roles: string[]): Card {
  const lead = (reason && NONE_REASONS[reason]) ?? "I didn't understand that as a role request. ";
  return { text: `${lead} ${HELP}`.trim(), context: `Roles here: ${roles.join(', ')}` };
}

export const targetNotFound = (what: string): Card => ({
  text: `I couldn't find ${esc(what)} in your organisation's directory.`,
});
export const notAllowedToView = (): Card => ({
  text: "Sorry, you're not allowed to see that person's roles.",
});
export const nothingToCancel = (): Card => ({ text: 'You have no pending request to cancel.' });

export function rolesAnswer(target: Identity, roles: string[], showDetails: boolean): Card {
  return { text: `${who(target, showDetails)} has: ${list(roles)}` };
}

export function lookupAnswer(user: DirectoryUser, target: Identity, showDetails: boolean): Card {
  const state = user.active ? 'active' : 'inactive';
  return { text: `${who(target, showDetails)} — ${esc(user.userName)}, ${state} in the directory.` };
}

export function whichOne(name: string, buttons: CardButton[]): Card {
  return { text: `More than one person matches “${esc(name)}”. Which one did you mean?`, buttons };
}

function nextStep(d: Decision): string {
  switch (d.kind) {
    case 'allow':
      return 'Applied as soon as you confirm.';
    case 'needs_approval':
      return `Needs approval by ${d.count} ${d.count > 1 ? 'different people' : 'person'} holding ${list(d.approverRoles)}.`;
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

export function confirmationCard(v: ConfirmView): Card {
  const r = v.request;
  const d = r.decision;
  const duration = r.durationMs
    ? d.kind !== 'deny' && d.capped
      ? `${formatDuration(r.durationMs)} (capped by policy)`
      : r.endsBy && !r.extendsRequestId
        ? `until ${when(r.endsBy)}`
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
  return {
    text:
      r.extendsRequestId && mayView
        ? `Extend \`${esc(r.role)}\` for ${esc(r.target.displayName ?? 'them')}?`
        : `${r.action === 'grant' ? 'Grant' : 'Revoke'} \`${esc(r.role)}\` ${r.action === 'grant' ? 'to' : 'from'} ${esc(r.target.displayName ?? 'them')}?`,
    fields: [
      ['Person', who(r.target, v.showDetails)],
      ['Change', `${r.action} \`${esc(r.role)}\``],
      ...(v.rolesBefore && v.rolesAfter
        ? ([['Roles now → after', `${list(v.rolesBefore)} → ${list(v.rolesAfter)}`]] as [string, string][])
        : []),
      ['Duration', duration],
      // A refusal shows no one's roles: not even the grant already running.
      ...(mayView && d.kind !== 'deny' ? [...runningField(r), ...extensionField(r)] : []),
      ...(r.justification ? ([['Reason', esc(r.justification)]] as [string, string][]) : []),
      ...(r.relayedBy ? ([['Relayed by', who(r.relayedBy, false)]] as [string, string][]) : []),
    ],
    sections: [`*What happens next:* ${nextStep(d)}`],
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
  const whom = esc(r.target.displayName ?? 'them');
  const what = r.extendsRequestId
    ? `Extend \`${esc(r.role)}\` for ${whom}`
    : `${r.action === 'grant' ? 'Grant' : 'Revoke'} \`${esc(r.role)}\` ${r.action === 'grant' ? 'to' : 'from'} ${whom}`;
  const duration = r.durationMs ? ` for ${formatDuration(r.durationMs)}` : '';
  return { text: `${what}${duration}`, context: `${SPENT[r.state] ?? r.state} · Request ${r.id}` };
}

/** Replaces the "which one?" buttons once a person was chosen. */
export const chosenCard = (name: string): Card => ({ text: `You chose ${esc(name)}.` });

export function approvalCard(r: RoleRequest, showDetails: boolean, status?: string): Card {
  const d = r.decision;
  const needed = d.kind === 'needs_approval' ? d.count : 1;
  return {
    text: `${who(r.requester, false)} asks to ${r.action} \`${esc(r.role)}\` ${r.action === 'grant' ? 'for' : 'from'} ${who(r.target, showDetails)}`,
    fields: [
      [
        'Duration',
        r.durationMs
          ? r.endsBy && !r.extendsRequestId && !(d.kind !== 'deny' && d.capped)
            ? `until ${when(r.endsBy)}`
            : formatDuration(r.durationMs)
          : 'permanent',
      ],
      ['Approvals', `${r.approvals.length} of ${needed}`],
      ...runningField(r),
      ...(r.justification ? ([['Reason', esc(r.justification)]] as [string, string][]) : []),
      ...(r.relayedBy ? ([['Relayed by', who(r.relayedBy, false)]] as [string, string][]) : []),
    ],
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

export function decidedStatus(r: RoleRequest, at: string): string {
  const by = r.rejection ? [r.rejection.by] : r.approvals.map((a) => a.approver);
  const names = by.map((i) => who(i, false)).join(', ');
  const outcome: Partial<Record<RoleRequest['state'], string>> = {
    applied: '✅ Approved and applied',
    applying: '⏳ Approved, applying',
    approved: '✅ Approved',
    failed: '⚠️ Approved, but applying failed',
    rejected: `❌ Denied${r.rejection?.reason ? `: “${esc(r.rejection.reason)}”` : ''}`,
    expired: '⌛ Expired without enough approvals',
    cancelled: '🚫 Cancelled by the requester',
  };
  return `${outcome[r.state] ?? r.state}${names ? ` by ${names}` : ''} · ${when(at)}`;
}

export const alreadyDecided = (state: string): Card => ({
  text: `This request is already ${state.replace(/_/g, ' ')}.`,
});
export const notYourRequest = (): Card => ({
  text: 'Only the person who asked can confirm or cancel this request.',
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

export function outcomeCard(r: RoleRequest): Card {
  const role = `\`${esc(r.role)}\``;
  const whom = esc(r.target.displayName ?? 'them');
  switch (r.state) {
    case 'applied': {
      const noop = r.rolesBefore && r.rolesAfter && r.rolesBefore.join() === r.rolesAfter.join();
      const until = r.grantEndsAt ? ` until ${when(r.grantEndsAt)}` : '';
      if (r.extendsRequestId) return { text: `Done: extended ${role} for ${whom}${until}.` };
      return {
        text: noop
          ? `Nothing to change: ${whom} ${r.action === 'grant' ? 'already has' : 'does not have'} ${role}.`
          : `Done: ${r.action === 'grant' ? 'granted' : 'revoked'} ${role} ${r.action === 'grant' ? 'to' : 'from'} ${whom}${until}.`,
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
        text: `Your request for ${role} was denied${r.rejection?.reason ? `: “${esc(r.rejection.reason)}”` : '.'}`,
      };
    case 'cancelled':
      return { text: `Cancelled. Nothing was changed.` };
    case 'expired':
      return { text: `Your request for ${role} expired without a decision. Nothing was changed.` };
    case 'failed':
      if (r.error?.code === 'SCIM.INACTIVE_USER') return inactiveTarget(r.target.displayName);
      return errorCard((r.error?.code ?? 'INTERNAL') as ErrorCode, r.id, true);
    case 'applying':
      if (r.error) return unconfirmedCard(r);
      return { text: `Request ${r.id} is ${r.state.replace(/_/g, ' ')}.` };
    case 'revoked':
      return { text: `${role} for ${whom} has ended and was removed.` };
    default:
      return { text: `Request ${r.id} is ${r.state.replace(/_/g, ' ')}.` };
  }
}

export function targetNotice(r: RoleRequest): Card {
  if (r.state === 'applied' && r.extendsRequestId)
    return {
      text: `FYI: your \`${esc(r.role)}\` role was extended until ${r.grantEndsAt ? when(r.grantEndsAt) : 'later'} (request ${r.id}).`,
    };
  const verb = r.state === 'revoked' || r.action === 'revoke' ? 'removed from' : 'given';
  const until = r.state === 'applied' && r.grantEndsAt ? ` until ${when(r.grantEndsAt)}` : '';
  return { text: `FYI: you were ${verb} the \`${esc(r.role)}\` role${until} (request ${r.id}).` };
}

/** The one place a fault becomes words: plain, with a reference id, never internal detail. */
export function errorCard(code: ErrorCode, ref: string, retryable = false): Card {
  const area = code.split('.')[0];
  const base: Record<string, string> = {
    SCIM: "I couldn't reach your organisation's directory, so nothing was changed.",
    STORE: "I couldn't record this request, so nothing was changed.",
    LLM: "I couldn't understand the request right now.",
    SLACK: 'Slack did not accept my reply.',
    CONFIG: 'Rolecall is misconfigured for your organisation.',
  };
  const text = `${base[area ?? ''] ?? 'Something went wrong, and nothing was changed.'} Reference: ${ref}.`;
  return {
    text,
    buttons: retryable ? [{ actionId: ACTIONS.retry, value: ref, text: 'Try again' }] : [],
    context: retryable
      ? 'You can try again; nothing will be applied twice.'
      : 'Please try again later or contact your admin with the reference.',
  };
}

/** Why a time-bound grant ended the way it did; chooses the wording told to requester and target. */
export type GrantEnd = 'removed' | 'already_removed' | 'superseded' | 'held_before';

export function grantEndedCard(r: RoleRequest, how: GrantEnd): Card {
  const role = `\`${esc(r.role)}\``;
  const whom = esc(r.target.displayName ?? 'them');
  const texts: Record<GrantEnd, string> = {
    removed: `${role} for ${whom} has ended and was removed.`,
    already_removed: `${role} for ${whom} has ended; it had already been removed outside Rolecall.`,
    superseded: `${role} for ${whom} has ended, but a later grant still covers it, so it stays for now.`,
    held_before: `${role} for ${whom} has ended; they held it before this grant, so it was left in place.`,
  };
  return { text: texts[how], context: `Request ${r.id}` };
}

export function grantEndedNotice(r: RoleRequest, how: GrantEnd): Card {
  const role = `\`${esc(r.role)}\``;
  const stays = how === 'superseded' || how === 'held_before';
  return {
    text: stays
      ? `FYI: your time-bound ${role} grant ended (request ${r.id}); you keep the role under another grant.`
      : `FYI: your time-bound ${role} role has ended and was removed (request ${r.id}).`,
  };
}

export function approvalReminder(r: RoleRequest): Card {
  return {
    text: `Reminder: request ${r.id} (${r.action} \`${esc(r.role)}\` for ${who(r.target, false)}) still needs approval and expires ${r.pendingExpiresAt ? when(r.pendingExpiresAt) : 'soon'}.`,
  };
}

/** An "extend … until X" whose X is not after the current grant's end (left out if not viewable). */
export const notLonger = (currentEnd: string | undefined): Card => ({
  text: currentEnd
    ? `That would not extend it: the current grant already runs until ${when(currentEnd)}. Nothing was changed.`
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
function extensionField(r: RoleRequest): [string, string][] {
  if (!r.extendsRequestId) return [];
  const end = new Date(Date.parse(r.createdAt) + (r.durationMs ?? 0)).toISOString();
  return [['Extends', `the current grant (request ${esc(r.extendsRequestId)}); new end about ${when(end)}`]];
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
    text: `${esc(name ?? 'That person')}'s directory account is deactivated, so no role can be granted to them. Nothing was changed.`,
    context: 'Removing roles from a deactivated account is still possible.',
  };
}

/** A grant of the same role already running when this one was asked: approvers judge the whole span. */
function runningField(r: RoleRequest): [string, string][] {
  if (!r.running) return [];
  return [
    [
      'Already running',
      `\`${esc(r.role)}\` since ${when(r.running.since)}, until ${when(r.running.endsAt)} (request ${esc(r.running.requestId)}); this grant would end ${r.endsBy ? when(r.endsBy) : 'later'}`,
    ],
  ];
}

/** "Which Dana?" for someone who may not see who the matches are (issue 13.3): no names, no emails. */
export const nameAmbiguous = (name: string): Card => ({
  text: `More than one person matches “${esc(name)}”. Please mention them (@name) or give their email address.`,
});

/** The approval post failed: say so, never "sent for approval" (issue 14). */
export const approvalNotPosted = (r: RoleRequest, reason: string): Card => ({
  text: `Not sent for approval yet: I couldn't post to the approvers' channel (${esc(reason)}), so no approver has been asked. Your request ${r.id} stays pending until it expires or you cancel it; please tell your Slack admin.`,
});

/** A message with files: only its text was read. */
export const filesNotRead = (n: number): Card => ({
  text: `I read only the text of your message, not the ${n === 1 ? 'attached file' : `${n} attached files`}.`,
});

/** views.open could not open a form in time (its trigger lasts 3 seconds): answer in a message instead. */
export const formNotOpened = (what: 'request' | 'deny'): Card => ({
  text:
    what === 'request'
      ? 'Slack was too slow to open the form. Type your request after the command instead, e.g. `/rolecall make @dana an editor for 2h`.'
      : 'Slack was too slow to open the reason form. Please click Deny again.',
});

// ——— Issue 16: help, the request form, and refusals that say who could help ———

const anyOf = (roles: readonly string[]) =>
  roles.length ? roles.map((r) => `\`${esc(r)}\``).join(' or ') : 'an admin';

/** Appended to every refusal: who could make the change or give access instead. */
export function whoCanHelp(roles: readonly string[]): string {
  return `Who could help: someone holding ${anyOf(roles)} here.`;
}

/** A refusal with its one "who could help" line (one message per refusal). */
export function withHelpers(card: Card, helpers: readonly string[]): Card {
  return { ...card, sections: [...(card.sections ?? []), whoCanHelp(helpers)] };
}

/** The button that opens the request form (a modal in Slack, a form in the playground). */
export const FORM_BUTTON_TEXT = 'Open the request form';

/** "I didn't understand" with the form offered, pre-filled with what was understood. */
export function formOffer(lead: string, button: CardButton, understood: string[]): Card {
  return {
    text: lead === FORM_LEADS.not_understood && !understood.length ? FORM_LEADS.nothing_understood : lead,
    sections: understood.length ? [`What I understood: ${understood.join(' · ')}.`] : [],
    buttons: [button],
    context: `${HELP.replace('Try:', 'Or write it again, e.g.')} · “help” shows what you can ask for`,
  };
}

export const FORM_LEADS = {
  not_understood:
    "I didn't understand all of that. Fill in the request form instead — I've put in what I understood.",
  nothing_understood: "I didn't understand that as a role request. You can fill in the request form instead.",
  unknown_role: "I don't know that role.",
  zero_duration: 'A grant for 0 time would end before it starts, so I did nothing.',
  too_long: 'That is longer than any grant I can make, so I did nothing. Pick a duration the policy allows.',
  not_found: "I couldn't find that person in your organisation's directory.",
} as const;

export const didYouMean = (options: string[]): string =>
  `Did you mean ${options.map((o) => `“${esc(o)}”`).join(' or ')}?`;

/** What a help line says about one decision: who approves, and any maximum. */
export function helpLine(
  action: string,
  roles: string[],
  whom: string,
  approval: string[] | undefined,
  count: number,
  maxMs?: number,
): string {
  const by = approval
    ? `approved by ${count > 1 ? `${count} people` : 'someone'} holding ${anyOf(approval)}`
    : 'no approval needed';
  const max = maxMs ? `; at most ${formatDuration(maxMs)}` : '';
  return `• *${action}* ${list(roles)} ${whom} — ${by}${max}`;
}

export function helpAnswer(lines: string[], helpers: readonly string[], canViewOthers: boolean): Card {
  return {
    text: lines.length
      ? '*Here is what you can ask me for:*'
      : 'The policy lets you ask for nothing on your own right now.',
    sections: [
      ...(lines.length ? [lines.join('\n')] : []),
      `You can also ask “what roles do I have?”${canViewOthers ? ', “what roles does @dana have?”, “who are the admins?”' : ''}, or “cancel”.`,
      whoCanHelp(helpers),
    ],
    context: HELP,
  };
}

export function holdersAnswer(role: string, names: string[], more: boolean): Card {
  const who = names.length ? names.map((n) => esc(n)).join(', ') : '_nobody_';
  return { text: `\`${esc(role)}\`: ${who}${more ? ' and more' : ''}.` };
}

export const holdersUnavailable = (role: string): Card => ({
  text: `I can't list who holds \`${esc(role)}\` with this directory.`,
});

export function alreadyHas(name: string, role: string, until?: string): Card {
  return {
    text: `${esc(name)} already has \`${esc(role)}\`${until ? ` until ${when(until)}` : ''}, so there is nothing to ask for.`,
    ...(until ? { context: `To lengthen it, say “extend ${esc(role)} for ${esc(name)} by 2 hours”.` } : {}),
  };
}

/** A policy refusal as one card: what was asked, why not, and who could help. */
export function refusedCard(
  request: RoleRequest,
  showDetails: boolean,
  mayView: boolean,
  helpers: string[],
): Card {
  // A refusal shows no one's roles, whoever asked (issue 13.3).
  const card = confirmationCard({ request, showDetails, mayView });
  return {
    ...withHelpers(card, helpers),
    text: `Not done: ${card.text.replace(/\?$/, '')}`,
    context: `Request ${request.id} · nothing was changed`,
  };
}

/** The end of a time-bound request shown as a time in the reader's zone, with its length. */
export function endsAt(r: RoleRequest): string | undefined {
  if (!r.durationMs) return undefined;
  const end = r.endsBy ?? new Date(Date.parse(r.createdAt) + r.durationMs).toISOString();
  return `until ${when(end)}`;
}

// OAuth distribution (issue 17): what an installation that serves no tenant says, and nothing else.
export const workspaceNotSetUp = (): Card => ({
  text: "Rolecall isn't set up for this workspace yet. Your Rolecall administrator can connect it.",
});
export const notThisWorkspacesRequest = (): Card => ({
  text: 'That request belongs to another organisation; it cannot be decided from this workspace.',
});

/** A refusal to someone outside the organisation: the requester to ask, never the organisation's roles. */
export function withRequesterAsHelper(card: Card, requesterSlackId: string | undefined): Card {
  const who = requesterSlackId ? `<@${requesterSlackId}>, who asked` : 'the person who asked';
  return {
    ...card,
    sections: [...(card.sections ?? []), `Who could help: ${who}, or an approver in their organisation.`],
  };
}

/** "Who are the admins?" where the directory cannot be trusted to filter users by role. */
export const holdersNotFilterable = (role: string): Card => ({
  text: `I can't list who holds \`${esc(role)}\`: this directory can't search people by role, and I never go through the whole directory instead.`,
});
