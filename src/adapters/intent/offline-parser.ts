import type { Intent, Target } from '../../core/intent.ts';
import type { ExtractionInput, IntentExtractor } from '../../ports/intent-extractor.ts';
import { type Clause, clausesOf, trimPoliteness } from './clauses.ts';
import { doubt } from './doubts.ts';
import { findDurations } from './duration-finder.ts';
import { parseExtension } from './extension.ts';
import {
  clauseGuard,
  type GuardReason,
  looksLikeInjection,
  stripQuoted,
  wordGuard,
  wordsOf,
} from './guards.ts';
import { REVOKE_VERBS } from './lexicon.ts';
import { admitText, MAX_TEXT, mixesScripts, normalise } from './normalise.ts';
import { noLongerNeeded, plainPhrasing } from './phrasing.ts';
import { parseQuestion } from './questions.ts';
import { type ClauseResult, findVerb, type NoneReason, parseRoleChange } from './role-change.ts';
import { findRoles } from './roles.ts';
import { parseChanges, reshape, terseChange } from './several.ts';
import { readSlots } from './slot-reader.ts';
import { isWord, type Token, tokenize } from './text.ts';

/**
 * The deterministic extractor: used when no API key is configured or the model is unavailable,
 * and as the reference the LLM path is measured against. English only; anything it does not
 * fully understand is `none` with a reason, never a guess.
 *
 * Decisions (also in eval/README.md):
 * - "can you/could you make bob admin" is a request; "can I get admin" asks for it for me;
 *   "can I make bob admin?", "should I…", "how do I…" ask what is allowed → none `unclear`.
 * - Negation anywhere in a role-change clause → `negated`; reported speech, conditionals,
 *   quotes, ~strikethrough~ and code → `unclear`; injection markers anywhere → `injection`.
 * - One part of a multi-part message not understood → the whole message is `none`, so half a
 *   request is never applied.
 * - Other languages are not understood: `unclear` when a catalogue role appears, else
 *   `not_a_request`.
 */
export { MAX_TEXT } from './normalise.ts';

/** Slack emoji codes (:pray:), but not the colons of a clock time like 09:00:00. */
const EMOJI = /(?<![\w:]):[a-z0-9_+'-]+:(?![\w:])/g;
const PICTOGRAPH = /\p{Extended_Pictographic}/gu;
const CANCEL_START = new Set(['cancel', 'abort', 'nevermind', 'nvm', 'stop', 'scratch']);
const CANCEL_REST = new Set([
  'that',
  'it',
  'this',
  'my',
  'request',
  'the',
  'last',
  'pending',
  'please',
  'pls',
  'everything',
  'all',
  'mind',
  'thanks',
  'previous',
  'one',
]);
/** Most serious first: the reply tells the requester the most important problem. */
const SEVERITY: NoneReason[] = [
  'injection',
  'negated',
  'unknown_role',
  'unclear',
  'unsupported',
  'not_a_request',
];

const none = (reason: NoneReason): Intent => ({ kind: 'none', reason });

export function parseOffline(input: ExtractionInput): Intent[] {
  const read = readOffline(input);
  const doubted = doubt(input.text ?? '', read);
  return doubted ? [none(doubted)] : read;
}

function readOffline(input: ExtractionInput): Intent[] {
  const out = parseGrammar(input);
  const only = out.length === 1 ? out[0] : undefined;
  // Guard answers (negated, injection) and unknown roles stand; "unsupported" is often only a word
  // in the reason ("…since she owns the SSO config").
  const retry = ['unclear', 'not_a_request', 'unsupported', 'unknown_role'];
  // "<@U1> no longer needs publisher" reads as a negation to the grammar; the slot reader sees a removal.
  const noLonger =
    only?.kind === 'none' && only.reason === 'negated' && noLongerNeeded(input.text ?? '').length > 0;
  if (only?.kind !== 'none' || !(retry.includes(only.reason ?? '') || noLonger))
    return withLabelledReason(out, input.text ?? '');
  return readBySlots(input) ?? out;
}

/**
 * "Justification: quarterly access review. Please revoke approver from <@U1>.": a reason labelled as
 * such may come first. Taken only when it names no person and no role change took a reason already.
 */
const LABELLED =
  /^[ \t]*(?:justification|reason|context|background|rationale)[ \t]*:[ \t]*([^\s.!?<@][^.!?\n<@]{2,299})[.!?\n]/i;
function withLabelledReason(intents: Intent[], text: string): Intent[] {
  const why = LABELLED.exec(normalise(text))?.[1]?.trim();
  if (!why || !intents.every((i) => i.kind === 'request_role_change' && !i.justification)) return intents;
  return intents.map((i) => ({ ...i, justification: why }));
}

/**
 * The slot reader behind the same envelope as the grammar: no injection, no disguise, no quote,
 * and no negation, reported speech or condition anywhere in the message (beside a removal, "I
 * don't need it anymore" is exempt, as in the grammar).
 */
function readBySlots(input: ExtractionInput): Intent[] | undefined {
  const raw = input.text ?? '';
  if (raw.length > MAX_TEXT) return undefined;
  const text = normalise(raw);
  if (text.length > MAX_TEXT || looksLikeInjection(text) || mixesScripts(text)) return undefined;
  // An emoji between words ends a segment, like a comma: "give me X for 3h :pray: shadowing the queue".
  const marked = text
    .replace(EMOJI, (m) => ','.padEnd(m.length))
    .replace(PICTOGRAPH, (m) => ','.padEnd(m.length));
  const { text: plain, quoted } = stripQuoted(plainPhrasing(marked));
  if (quoted) return undefined;
  const tokens = tokenize(plain).filter((t) => !(t.kind === 'punct' && /^[*_~`]$/.test(t.text)));
  if (tokens.some((t) => t.kind === 'group' || t.kind === 'other')) return undefined;
  const durations = findDurations(plain, { now: input.now, timeZone: input.timeZone });
  const intents = readSlots({ tokens, source: plain, roles: input.roles, durations });
  if (!intents) return undefined;
  const revokesOnly = intents.every((i) => i.kind === 'request_role_change' && i.action === 'revoke');
  const guarded = revokesOnly ? outside(tokens, noLongerNeeded(plain)) : tokens;
  return wordGuard(wordsOf(guarded)) ? undefined : intents;
}

function parseGrammar(input: ExtractionInput): Intent[] {
  // Normalising is idempotent, so text the extractor already admitted passes through unchanged.
  const raw = input.text ?? '';
  if (raw.length > MAX_TEXT) return [none('unclear')];
  const text = normalise(raw);
  if (!text.trim()) return [none('not_a_request')];
  if (text.length > MAX_TEXT) return [none('unclear')];
  if (looksLikeInjection(text)) return [none('injection')];
  const { text: plain, quoted } = stripQuoted(
    plainPhrasing(text.replace(EMOJI, (m) => ' '.repeat(m.length))),
  );
  const excused = noLongerNeeded(plain);
  const durations = findDurations(plain, { now: input.now, timeZone: input.timeZone });
  const tokens = tokenize(plain).filter((t) => !(t.kind === 'punct' && /^[*_~`]$/.test(t.text)));
  const extension = parseExtension(tokens, plain, input.roles, { now: input.now, timeZone: input.timeZone });
  if (extension) {
    if ('none' in extension) return [none(extension.none)];
    return quoted ? [none('unclear')] : [extension.intent];
  }

  const results: ClauseResult[] = [];
  let previous: Target[] = [];
  const clauses = clausesOf(tokens, durations, input.roles);
  let lastVerb: Token | undefined;
  for (const clause of clauses) {
    let r = parseClause(clause, plain, input.roles, previous, excused);
    // "grant <@U1> editor; <@U2> viewer": a verbless piece right after a change takes its verb.
    const trimmed = trimPoliteness(clause.tokens);
    if ('none' in r && lastVerb && findVerb(trimmed) < 0 && findRoles(trimmed, input.roles).length === 1) {
      const again = parseClause(
        {
          ...clause,
          tokens: [{ ...lastVerb, start: trimmed[0]?.start ?? 0, end: trimmed[0]?.start ?? 0 }, ...trimmed],
        },
        plain,
        input.roles,
        previous,
        excused,
      );
      if ('intents' in again) r = again;
    }
    const v = findVerb(trimmed);
    lastVerb =
      'intents' in r && r.intents.some((i) => i.kind === 'request_role_change') && v >= 0
        ? trimmed[v]
        : undefined;
    if ('intents' in r && v < 0) lastVerb = undefined;
    results.push(r);
    if ('intents' in r) {
      const ts = r.intents.flatMap((i) => ('targets' in i ? i.targets : 'target' in i ? [i.target] : []));
      if (ts.length) previous = ts;
    }
  }
  const problems: NoneReason[] = results.flatMap((r) =>
    'none' in r && r.none !== 'not_a_request' ? [r.none] : [],
  );
  // A word in two scripts ("аdmin" with a Cyrillic а) is a disguise: whatever it hides, unclear.
  const disguised = mixesScripts(text);
  if (problems.length && disguised) return [none('unclear')];
  if (problems.length) return [none(SEVERITY.find((s) => problems.includes(s)) ?? 'unclear')];
  reasonAfter(results, clauses, plain, input.roles);
  const intents = dedupe(results.flatMap((r) => ('intents' in r ? r.intents : [])));
  const changes = intents.some((i) => i.kind === 'request_role_change');
  if (quoted && (intents.length === 0 || changes)) return [none('unclear')];
  const revokesOnly = intents.every((i) => i.kind !== 'request_role_change' || i.action === 'revoke');
  const guardTokens = revokesOnly ? outside(tokens, excused) : tokens;
  const guard = changes
    ? (wordGuard(wordsOf(guardTokens)) ?? (disguised ? 'unclear' : undefined))
    : undefined;
  if (guard) return [none(guard)];
  return intents.length ? intents : [none('not_a_request')];
}

/**
 * The safety net the LLM path applies after validation: would the offline guards refuse a role
 * change in this text (injection, quotes, negation, reported speech, conditions, "can I…?")?
 */
export function guardReason(raw: string, o: { revokesOnly?: boolean } = {}): GuardReason | undefined {
  if (raw.length > MAX_TEXT) return 'unclear';
  const text = normalise(raw);
  if (looksLikeInjection(text)) return 'injection';
  // A word in two scripts ("іf" with a Cyrillic і) is a disguise: nothing it says is trusted.
  if (mixesScripts(text)) return 'unclear';
  const { text: plain, quoted } = stripQuoted(
    plainPhrasing(text.replace(EMOJI, (m) => ' '.repeat(m.length))),
  );
  if (quoted) return 'unclear';
  const all = tokenize(plain);
  // The same exemption as the offline parser: "I don't need it anymore" beside a removal.
  const tokens = o.revokesOnly ? outside(all, noLongerNeeded(plain)) : all;
  const byWord = wordGuard(wordsOf(tokens));
  if (byWord) return byWord;
  for (const clause of clausesOf(tokens, [])) {
    const trimmed = trimPoliteness(clause.tokens);
    const toks = reshape(trimmed) ?? trimmed;
    if (findVerb(toks) >= 0) {
      const g = clauseGuard(wordsOf(toks));
      if (g) return g;
    }
  }
  return undefined;
}

/**
 * "remove <@U1> as admin? he left the company": a sentence after a single change that asks nothing
 * is its reason, when it names no person, no role and no time (those could be a second request).
 */
function reasonAfter(results: ClauseResult[], clauses: Clause[], source: string, roles: string[]): void {
  const at = results.findIndex((r) => 'intents' in r);
  const r = results[at];
  if (!r || !('intents' in r) || r.intents.length !== 1 || results.some((x, i) => i !== at && 'intents' in x))
    return;
  const change = r.intents[0];
  if (change?.kind !== 'request_role_change' || change.justification) return;
  const next = clauses[at + 1];
  if (!next || next.durations.length || isWord(next.tokens[0], ...GRATITUDE)) return;
  const toks = trimPoliteness(next.tokens);
  const first = toks[0];
  const last = toks[toks.length - 1];
  if (!first || !last || toks.filter((t) => t.kind === 'word').length < 2) return;
  if (toks.some((t) => t.kind !== 'word' && t.kind !== 'punct') || findRoles(toks, roles).length) return;
  const verb = findVerb(toks);
  if (parseQuestion(toks, roles) || (verb >= 0 && !(verb === 0 && isWord(toks[1], 'to')))) return;
  change.justification = source.slice(first.start, last.end).slice(0, 500);
}

const GRATITUDE = ['thanks', 'thank', 'thx', 'ty', 'cheers', 'appreciated', 'appreciate', 'much'];

/** Tokens outside the given spans. */
function outside(tokens: Token[], spans: { start: number; end: number }[]): Token[] {
  if (!spans.length) return tokens;
  return tokens.filter((t) => !spans.some((s) => t.start >= s.start && t.end <= s.end));
}

function parseClause(
  clause: Clause,
  source: string,
  roles: string[],
  previous: Target[],
  excused: { start: number; end: number }[],
): ClauseResult {
  const trimmed = trimPoliteness(clause.tokens);
  const tokens = reshape(trimmed) ?? trimmed;
  const words = wordsOf(tokens);
  if (tokens.length === 0) return { none: clause.durations.length ? 'unclear' : 'not_a_request' };
  const cancel = cancelOf(words, tokens.filter((t) => t.kind !== 'punct').length);
  if (cancel) return cancel;
  const question = parseQuestion(tokens, roles);
  if (question) return clause.durations.length && 'intents' in question ? { none: 'unclear' } : question;
  const v = findVerb(tokens);
  // "Need to fix a broken webhook." beside a request: a purpose, not a request of its own.
  if (
    v === 0 &&
    isWord(tokens[0], 'need', 'needs') &&
    isWord(tokens[1], 'to') &&
    !findRoles(tokens, roles).length
  )
    return { none: 'not_a_request' };
  if (v >= 0) {
    const verb = tokens[v];
    const revoke = verb?.kind === 'word' && REVOKE_VERBS.has(verb.text);
    const guard = clauseGuard(revoke ? wordsOf(outside(tokens, excused)) : words);
    if (guard) return { none: guard };
    const change = parseChanges({ tokens, source, roles, durations: clause.durations, previous });
    if (change) return change;
  }
  const terse = terseChange(tokens, roles);
  if (terse) {
    const change = parseRoleChange({ tokens: terse, source, roles, durations: clause.durations, previous });
    if (change) return change;
  }
  // "bob shouldn't be an owner": no verb we know, but plainly not a request to grant.
  if (findRoles(tokens, roles).length)
    return { none: clauseGuard(words) === 'negated' ? 'negated' : 'unclear' };
  if (clause.durations.length) return { none: 'unclear' };
  return { none: 'not_a_request' };
}

function cancelOf(words: string[], nonPunct: number): ClauseResult | undefined {
  const [first, second] = words;
  if (!first) return undefined;
  let rest: string[];
  if (CANCEL_START.has(first)) rest = words.slice(1);
  else if (
    (first === 'never' && second === 'mind') ||
    (first === 'forget' && ['it', 'that'].includes(second ?? ''))
  )
    rest = words.slice(2);
  else if (first === 'undo' && second === 'that') rest = words.slice(2);
  else return undefined;
  if (first === 'scratch' && second !== 'that') return undefined;
  // Anything beyond "cancel that" (a role, a person) is not a plain cancel.
  if (words.length !== nonPunct || !rest.every((w) => CANCEL_REST.has(w))) return { none: 'unclear' };
  return { intents: [{ kind: 'cancel' }] };
}

function dedupe(intents: Intent[]): Intent[] {
  const seen = new Set<string>();
  return intents.filter((i) => {
    const key = JSON.stringify(i);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function createOfflineExtractor(): IntentExtractor {
  return {
    async extract(input) {
      // Where messages come in: longer than MAX_TEXT is refused before any guard or parser runs.
      const text = admitText(input.text ?? '');
      if (text === undefined) return { intents: [none('unclear')], source: 'offline' };
      return { intents: parseOffline({ ...input, text }), source: 'offline' };
    },
  };
}
