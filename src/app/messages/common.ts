/** Words for anyone Rolecall talks to: refusals of the sender, faults, and the one-line help. */
import { type ErrorCode, isErrorCode, retryCanHelp } from '../../core/errors.ts';
import type { RoleRequest } from '../../core/request-record.ts';
import { type RichText, rich, strong } from '../../core/rich-text.ts';
import type { Card } from '../../ports/chat.ts';
import { ACTIONS } from '../actions.ts';
import type { Refusal } from '../identify.ts';

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

const NONE_REASONS: Record<string, RichText> = {
  negated: rich`That sounds like something you ${strong("don't")} want done, so I did nothing.`,
  injection: "I can't act on that message. Please write the request plainly.",
  unknown_role: "I don't know that role. ",
  unsupported: 'I can only look people up and change their roles. ',
};
export function notUnderstood(reason: string | undefined, roles: string[]): Card {
  const lead = (reason && NONE_REASONS[reason]) ?? "I didn't understand that as a role request. ";
  return { text: rich`${lead} ${HELP}`, context: `Roles here: ${roles.join(', ')}` };
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
  // Faults found before or instead of a directory write: what is known, said as known.
  const exact: Partial<Record<ErrorCode, string>> = {
    'POLICY.DENIED': 'The policy no longer allows this change, so nothing was changed.',
    'RECOVERY.NOT_APPLIED':
      'I was interrupted before your change reached the directory, and a fresh read shows it is not there: nothing was changed.',
  };
  const text = `${exact[code] ?? base[area ?? ''] ?? 'Something went wrong, and nothing was changed.'} Reference: ${ref}.`;
  return {
    text,
    buttons: retryable ? [{ actionId: ACTIONS.retry, value: ref, text: 'Try again' }] : [],
    context: retryable
      ? 'You can try again; nothing will be applied twice.'
      : 'Please try again later or contact your admin with the reference.',
  };
}

/** A failed apply, by its stored code (unknown codes, from any version, read as INTERNAL). */
export function failedCard(r: RoleRequest): Card {
  const code = isErrorCode(r.error?.code) ? r.error.code : 'INTERNAL';
  return errorCard(code, r.id, retryCanHelp(code));
}
