/**
 * Issue 16: help, the request form, and refusals that say who could help — for anyone asking what
 * they may do, or asking something Rolecall could not take as written.
 */
import { formatDuration } from '../../core/duration.ts';
import type { RoleRequest } from '../../core/request-record.ts';
import { code, joinRich, mention, type RichText, rich, strong } from '../../core/rich-text.ts';
import type { Card, CardButton } from '../../ports/chat.ts';
import { HELP } from './common.ts';
import { anyOf, list, when } from './format.ts';
import { confirmationCard, refusedTitle } from './requester.ts';

/** Appended to every refusal: who could make the change or give access instead. */
export function whoCanHelp(roles: readonly string[]): RichText {
  return rich`Who could help: someone holding ${anyOf(roles)} here.`;
}

/** A refusal with its one "who could help" line (one message per refusal). */
export function withHelpers(card: Card, helpers: readonly string[]): Card {
  return { ...card, sections: [...(card.sections ?? []), whoCanHelp(helpers)] };
}

/** The button that opens the request form (a modal in Slack, a form in the playground). */
export const FORM_BUTTON_TEXT = 'Open the request form';

/** "I didn't understand" with the form offered, pre-filled with what was understood. */
export function formOffer(lead: string, button: CardButton, understood: RichText[]): Card {
  return {
    text: lead === FORM_LEADS.not_understood && !understood.length ? FORM_LEADS.nothing_understood : lead,
    sections: understood.length ? [rich`What I understood: ${joinRich(understood, ' · ')}.`] : [],
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
  `Did you mean ${options.map((o) => `“${o}”`).join(' or ')}?`;

/** What a help line says about one decision: who approves, and any maximum. */
export function helpLine(
  action: string,
  roles: string[],
  whom: string,
  approval: string[] | undefined,
  count: number,
  maxMs?: number,
): RichText {
  const by = approval
    ? rich`approved by ${count > 1 ? `${count} people` : 'someone'} holding ${anyOf(approval)}`
    : 'no approval needed';
  const max = maxMs ? `; at most ${formatDuration(maxMs)}` : '';
  return rich`• ${strong(action)} ${list(roles)} ${whom} — ${by}${max}`;
}

export function helpAnswer(lines: RichText[], helpers: readonly string[], canViewOthers: boolean): Card {
  return {
    text: lines.length
      ? [strong('Here is what you can ask me for:')]
      : 'The policy lets you ask for nothing on your own right now.',
    sections: [
      ...(lines.length ? [joinRich(lines, '\n')] : []),
      `You can also ask “what roles do I have?”${canViewOthers ? ', “what roles does @dana have?”, “who are the admins?”' : ''}, or “cancel”.`,
      whoCanHelp(helpers),
    ],
    context: HELP,
  };
}

export function holdersAnswer(role: string, names: string[], more: boolean): Card {
  const who = names.length ? names.join(', ') : 'nobody';
  return { text: rich`${code(role)}: ${who}${more ? ' and more' : ''}.` };
}

/** "Who are the admins?" where the directory cannot be trusted to filter users by role. */
export const holdersNotFilterable = (role: string): Card => ({
  text: rich`I can't list who holds ${code(role)}: this directory can't search people by role, and I never go through the whole directory instead.`,
});

/** A refusal to someone outside the organisation: the requester to ask, never the organisation's roles. */
export function withRequesterAsHelper(card: Card, requesterSlackId: string | undefined): Card {
  const who = requesterSlackId ? rich`${mention(requesterSlackId)}, who asked` : 'the person who asked';
  return {
    ...card,
    sections: [...(card.sections ?? []), rich`Who could help: ${who}, or an approver in their organisation.`],
  };
}

export const holdersUnavailable = (role: string): Card => ({
  text: rich`I can't list who holds ${code(role)} with this directory.`,
});

export function alreadyHas(name: string, role: string, until?: string): Card {
  return {
    text: rich`${name} already has ${code(role)}${until ? rich` until ${when(until)}` : ''}, so there is nothing to ask for.`,
    ...(until ? { context: `To lengthen it, say “extend ${role} for ${name} by 2 hours”.` } : {}),
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
    text: refusedTitle(request, mayView),
    context: `Request ${request.id} · nothing was changed`,
  };
}

/** views.open could not open a form in time (its trigger lasts 3 seconds): answer in a message instead. */
export const formNotOpened = (what: 'request' | 'deny'): Card => ({
  text:
    what === 'request'
      ? rich`Slack was too slow to open the form. Type your request after the command instead, e.g. ${code('/rolecall make @dana an editor for 2h')}.`
      : 'Slack was too slow to open the reason form. Please click Deny again.',
});
