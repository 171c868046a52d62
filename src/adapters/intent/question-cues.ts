import type { Intent, Target } from '../../core/intent.ts';
import {
  ACCESS_ASKS,
  ACCESS_NOUNS,
  CANCEL_CUES,
  CANCEL_WORDS,
  EXTEND_VERBS,
  GET_ROLES_WORDS,
  isRoleVerb,
  LIST_CUES,
  NEGATIONS,
  NOT_NAMES,
  PEOPLE_NOUNS,
  WHO_CUES,
} from './lexicon.ts';
import { normalise } from './normalise.ts';
import { findRoles } from './roles.ts';
import { decodeEntities, type Token, tokenize } from './text.ts';

/**
 * The second look at a message neither extractor understood (issue 16, third round): questions
 * read by their cue words, not by a fixed sentence — "any idea who the data admins are?", "list of
 * editors pls", "whats my access", "how does this bot work?", "scratch that, cancel please".
 *
 * Why cues here and not for changes: every answer this module gives is read-only or a cancel of the
 * asker's own request. A wrong who-holds or get-roles answer shows a list the policy lets the asker
 * see anyway; it can never grant or remove anything. It runs only after the extractor answered
 * `none` (not for an injection or a negation), so a message understood as a change is never
 * re-read as a question. Both extractor paths go through it (`withHelp`).
 */
const MAX = 200;
/** Changes are asked with these; a question about holders never needs them. */
const CHANGE = (w: string) =>
  EXTEND_VERBS.has(w) || (isRoleVerb(w) && !['show', 'list', 'get', 'see'].includes(w));
const HELP_PHRASES: RegExp[] = [
  /\bhelp\b/,
  /\bhow (?:do|does|can|should) (?:i|we|you|it|this|one) (?:\w+ )?(?:use|work|request|ask|get started)\b/,
  /\bhow (?:does|do) (?:this|it|the bot|rolecall|you) (?:\w+ )?work\b/,
  /\bwhat (?:can|could) (?:you|i|we|rolecall) (?:\w+ )?(?:do|help|request|ask)\b/,
  /\bwhat (?:are|r) you (?:able|for|good for)\b/,
  /\bwhat do you do\b/,
  /\bwho (?:approves|can approve|will approve|has to approve|needs to approve|signs off)\b/,
  /\b(?:commands|usage|getting started|first time using|i'?m lost|how to use)\b/,
];

const word = (t: Token | undefined) => (t?.kind === 'word' ? t.text : '');

export function readQuestion(raw: string, roles: string[]): Intent | undefined {
  if (raw.length > MAX) return undefined;
  const text = normalise(raw).replace(/\p{Extended_Pictographic}/gu, ' ');
  // "<@UBOT> help": a leading mention addresses the bot.
  const all = tokenize(text);
  const tokens = all[0]?.kind === 'mention' && all.length > 1 ? all.slice(1) : all;
  if (tokens.some((t) => t.kind === 'group' || t.kind === 'other')) return undefined;
  const words = tokens.map(word).filter(Boolean);
  // "never mind" is a cancel's own words; otherwise a negation leaves the extractor's answer.
  const cancelled = cancel(words);
  if (cancelled) return cancelled;
  if (words.some((w) => NEGATIONS.has(w) || w.endsWith("n't"))) return undefined;
  if (words.some(CHANGE)) return undefined;
  const people = tokens.filter((t) => t.kind === 'mention' || t.kind === 'email' || t.kind === 'at');
  const hits = findRoles(tokens, roles);
  // "who do I ask for admin?" asks who approves: help, whatever role it names.
  if (
    !people.length &&
    /\bwho (?:do|should|can) (?:i|we) (?:ask|talk to|contact|go to|ping)\b/.test(words.join(' '))
  )
    return { kind: 'help' };
  if (hits.length === 1 && hits[0]?.role && !people.length) return whoHolds(tokens, hits[0]);
  if (hits.length) return undefined;
  const lower = decodeEntities(text).toLowerCase().replace(/[’]/g, "'");
  if (!people.length && HELP_PHRASES.some((re) => re.test(lower))) return { kind: 'help' };
  return getRoles(tokens, words);
}

/** "who r the maintainers", "list of editors pls", "which users are billing-viewers right now?" */
function whoHolds(tokens: Token[], hit: { role?: string; start: number }): Intent | undefined {
  const before = tokens.slice(0, hit.start).map(word);
  const cue = before.some(
    (w, i) =>
      WHO_CUES.has(w) ||
      LIST_CUES.has(w) ||
      ((w === 'which' || w === 'what') && PEOPLE_NOUNS.has(before[i + 1] ?? '')) ||
      (w === 'many' && before[i - 1] === 'how'),
  );
  if (!cue || !hit.role) return undefined;
  // "who can give me admin", "I need admin, who approves": a request beside a question stays unclear.
  if (
    before.some((w) => ['need', 'needs', 'want', 'wants', 'approve', 'approves'].includes(w)) &&
    !before.some((w) => LIST_CUES.has(w))
  )
    return undefined;
  return { kind: 'who_holds', role: hit.role };
}

function cancel(words: string[]): Intent | undefined {
  const cued =
    words.some((w) => CANCEL_CUES.has(w)) ||
    /\bnever mind\b|\bscratch that\b|\bforget (?:it|that)\b/.test(words.join(' '));
  if (!cued || words.length > 10 || !words.every((w) => CANCEL_WORDS.has(w))) return undefined;
  return { kind: 'cancel' };
}

/** "whats my access", "can you check what permissions <mailto:…> has", "what's Fatima's access level?" */
function getRoles(tokens: Token[], words: string[]): Intent | undefined {
  if (!words.some((w) => ACCESS_ASKS.has(w)) || !words.some((w) => ACCESS_NOUNS.has(w))) return undefined;
  const targets: Target[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'mention') targets.push({ kind: 'slack_user', userId: t.userId });
    else if (t.kind === 'email') targets.push({ kind: 'email', email: t.email });
    else if (t.kind === 'at') targets.push({ kind: 'name', name: t.name });
    else if (
      t.kind === 'word' &&
      word(tokens[i + 1]) === "'s" &&
      /^\p{Lu}\p{Ll}/u.test(t.raw) &&
      !NOT_NAMES.has(t.text)
    )
      targets.push({ kind: 'name', name: t.raw });
  }
  const mine = words.some((w) => w === 'my' || w === 'i' || w === "i'm");
  const unique = targets.filter(
    (t, k) => targets.findIndex((o) => JSON.stringify(o) === JSON.stringify(t)) === k,
  );
  if (unique.length > 1 || (unique.length === 1 && mine)) return undefined;
  const target = unique[0] ?? (mine ? ({ kind: 'me' } as const) : undefined);
  if (!target) return undefined;
  // Only words a question about access is made of: anything else may ask something we don't answer.
  const unknown = words.filter((w) => !GET_ROLES_WORDS.has(w) && !ACCESS_NOUNS.has(w) && !ACCESS_ASKS.has(w));
  return unknown.length <= 1 ? { kind: 'get_roles', target } : undefined;
}
