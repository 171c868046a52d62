import type { DurationMatch } from './durations.ts';
import { GRANT_VERBS, JUSTIFICATION_STARTS, NEED_VERBS, REVOKE_VERBS } from './lexicon.ts';
import { findRoles } from './roles.ts';
import { isWord, type Token } from './text.ts';

/**
 * Splits a message into clauses ("remove bob's editor role and make him admin" → two) and trims
 * what carries no request (greetings, "please", "can you", addressing the bot).
 */
export interface Clause {
  tokens: Token[];
  durations: DurationMatch[];
}

const overlaps = (t: Token, d: DurationMatch) => t.start < d.end && d.start < t.end;
const IMPERATIVE = new Set([...GRANT_VERBS, ...REVOKE_VERBS]);
const QUESTION_STARTS = new Set([
  'what',
  'who',
  'which',
  'whois',
  'lookup',
  'look',
  'does',
  'is',
  'show',
  'list',
]);
const JOINERS = new Set(['and', 'then', 'also', 'plus']);

/** Sentences split at . ! ? ; and line breaks, then at "and <verb>"; duration tokens are taken out. */
export function clausesOf(tokens: Token[], durations: DurationMatch[], roles?: string[]): Clause[] {
  const out: Clause[] = [];
  let cur: Clause = { tokens: [], durations: [] };
  // Whether the clause so far has a word: kept as a flag, not re-read at every comma (quadratic).
  let hasWord = false;
  // After "because", "and set up the runners" is part of the reason, unless a role follows.
  let reason = false;
  const flush = () => {
    if (cur.tokens.length || cur.durations.length) out.push(cur);
    cur = { tokens: [], durations: [] };
    hasWord = false;
    reason = false;
  };
  const after = skipsAhead(tokens);
  // Tokens and durations are both in text order: one pointer walks the durations.
  let di = 0;
  tokens.forEach((t, i) => {
    while (di < durations.length && (durations[di] as DurationMatch).end <= t.start) di++;
    const d = durations[di];
    if (d && overlaps(t, d)) {
      if (!cur.durations.includes(d)) cur.durations.push(d);
      return;
    }
    if (t.kind === 'punct' && /^[.!?;\n]$/.test(t.text)) {
      flush();
      return;
    }
    if (hasWord && startsNewClause(tokens, i, after) && !(reason && !roleAhead(tokens, i, roles))) {
      flush();
      if (isWord(t) && JOINERS.has((t as { text: string }).text)) return;
      if (t.kind === 'punct') return;
    }
    cur.tokens.push(t);
    if (t.kind === 'word') hasWord = true;
    if (t.kind === 'word' && JUSTIFICATION_STARTS.has(t.text)) reason = true;
  });
  flush();
  return out;
}

/** A catalogue role within the next few words, up to the end of the sentence. */
function roleAhead(tokens: Token[], i: number, roles: string[] | undefined): boolean {
  if (!roles) return true;
  const ahead: Token[] = [];
  for (let k = i + 1; k < tokens.length && ahead.length < 10; k++) {
    const t = tokens[k] as Token;
    if (t.kind === 'punct' && /^[.!?;\n]$/.test(t.text)) break;
    ahead.push(t);
  }
  return findRoles(ahead, roles).length > 0;
}

const skippable = (t: Token | undefined) =>
  isWord(t, 'then', 'also', 'please', 'and') || (t?.kind === 'punct' && t.raw === ',');

/** For each index, the first index at or after i+1 that is not "then/also/please/and/,": one pass from the end. */
function skipsAhead(tokens: Token[]): Int32Array {
  const next = new Int32Array(tokens.length + 1);
  next[tokens.length] = tokens.length;
  for (let k = tokens.length - 1; k >= 0; k--) next[k] = skippable(tokens[k]) ? (next[k + 1] ?? k + 1) : k;
  // after[i] = next[i + 1]
  const after = new Int32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) after[i] = next[i + 1] ?? tokens.length;
  return after;
}

function startsNewClause(tokens: Token[], i: number, after: Int32Array): boolean {
  const t = tokens[i];
  if (!(t?.kind === 'punct' && t.text === ',') && !(t?.kind === 'word' && JOINERS.has(t.text))) return false;
  const k = after[i] ?? tokens.length;
  const next = tokens[k];
  if (next?.kind !== 'word') return false;
  if (IMPERATIVE.has(next.text) || QUESTION_STARTS.has(next.text)) return true;
  return (
    next.text === 'i' && isWord(tokens[k + 1]) && NEED_VERBS.has((tokens[k + 1] as { text: string }).text)
  );
}

const LEAD_WORDS = new Set([
  'please',
  'pls',
  'plz',
  'kindly',
  'hey',
  'hi',
  'hello',
  'yo',
  'ok',
  'okay',
  'also',
  'and',
  'then',
  'just',
  'so',
  'um',
  'uh',
  'hmm',
  'btw',
  'rolecall',
  'bot',
  'thanks',
  'thx',
  'ty',
  'quickly',
]);
const LEAD_SEQUENCES = [
  ['can', 'you'],
  ['could', 'you'],
  ['would', 'you'],
  ['will', 'you'],
  ['can', 'u'],
  ['could', 'u'],
  ["i'd", 'like', 'you', 'to'],
  ['i', 'would', 'like', 'you', 'to'],
  ['i', 'want', 'you', 'to'],
  ['i', 'need', 'you', 'to'],
  ['go', 'ahead', 'and'],
  ['do', 'you', 'know'],
  ["i'd", 'like', 'to', 'know'],
  ['i', 'want', 'to', 'know'],
  ['quick', 'question'],
  ['would', 'you', 'mind'],
  ['can', 'someone'],
  ['could', 'someone'],
  ['can', 'somebody'],
  ['could', 'somebody'],
  ['can', 'anyone'],
  ['could', 'anyone'],
  ['would', 'someone'],
  ['would', 'anyone'],
  ['do', 'you', 'mind'],
  ['would', 'you', 'be', 'able', 'to'],
  ['could', 'you', 'be', 'able', 'to'],
  ['are', 'you', 'able', 'to'],
  ['i', 'was', 'hoping', 'you', 'could'],
  ['i', 'was', 'wondering', 'if', 'you', 'could'],
];
/** By first word, longest first: "would you mind" before "would you". */
const LEAD_BY_FIRST = new Map<string, string[][]>();
for (const q of [...LEAD_SEQUENCES].sort((a, b) => b.length - a.length))
  LEAD_BY_FIRST.set(q[0] ?? '', [...(LEAD_BY_FIRST.get(q[0] ?? '') ?? []), q]);
const TRAIL_WORDS = new Set(['please', 'pls', 'plz', 'thanks', 'thx', 'ty', 'asap', 'cheers', 'quickly']);
const TRAIL_SEQUENCES = [
  ['thank', 'you'],
  ['right', 'now'],
  ['thanks', 'in', 'advance'],
];
const ADDRESS_NEXT = new Set([
  ...IMPERATIVE,
  ...QUESTION_STARTS,
  ...['please', 'pls', 'plz', 'kindly', 'can', 'could', 'would', 'will', 'hey', 'hi', 'hello'],
]);

const seqAt = (tokens: Token[], i: number, seq: string[]) => seq.every((w, k) => isWord(tokens[i + k], w));

export function trimPoliteness(tokens: Token[]): Token[] {
  let s = 0;
  let e = tokens.length;
  for (let changed = true; changed && s < e; ) {
    changed = false;
    const t = tokens[s];
    if (t?.kind === 'punct' && /^[,:\-*!.]$/.test(t.text)) s++;
    else if (t?.kind === 'word' && isWord(tokens[s + 1], 'there') && ['hi', 'hey', 'hello'].includes(t.text))
      s += 2;
    else if (t?.kind === 'word' && LEAD_WORDS.has(t.text)) s++;
    else if (t?.kind === 'at' && t.name.toLowerCase() === 'rolecall') s++;
    else if ((t?.kind === 'mention' || t?.kind === 'at') && isAddress(tokens, s)) s++;
    else if (
      isWord(t, 'tell') &&
      isWord(tokens[s + 1], 'me') &&
      isWord(tokens[s + 2], 'what', 'which', 'who', 'whether')
    )
      s += 2;
    else {
      const t0 = tokens[s];
      const seq = (t0?.kind === 'word' ? LEAD_BY_FIRST.get(t0.text) : undefined)?.find((q) =>
        seqAt(tokens, s, q),
      );
      if (!seq) break;
      s += seq.length;
    }
    changed = true;
  }
  for (let changed = true; changed && e > s; ) {
    changed = false;
    const t = tokens[e - 1];
    if (t?.kind === 'punct' && /^[,:\-*!.]$/.test(t.text)) e--;
    else if (t?.kind === 'word' && TRAIL_WORDS.has(t.text)) e--;
    else {
      const seq = TRAIL_SEQUENCES.find((q) => e - q.length >= s && seqAt(tokens, e - q.length, q));
      if (!seq) break;
      e -= seq.length;
    }
    changed = true;
  }
  return tokens.slice(s, e);
}

/** User ids that only ever appear as the addressee of a clause ("<@UBOT> make me admin"). */
export function addressedOnly(tokens: Token[]): Set<string> {
  const addressed = new Set<string>();
  const elsewhere = new Set<string>();
  for (const clause of clausesOf(tokens, [])) {
    const kept = trimPoliteness(clause.tokens);
    const first = kept[0] ? clause.tokens.indexOf(kept[0]) : clause.tokens.length;
    clause.tokens.forEach((t, i) => {
      if (t.kind === 'mention') (i < first ? addressed : elsewhere).add(t.userId);
    });
  }
  return new Set([...addressed].filter((id) => !elsewhere.has(id)));
}

/** A leading mention followed by a verb or "can you" addresses the bot; it is not a target. */
function isAddress(tokens: Token[], i: number): boolean {
  let k = i + 1;
  while (tokens[k]?.kind === 'punct' && /^[,:-]$/.test((tokens[k] as { text: string }).text)) k++;
  const next = tokens[k];
  return next?.kind === 'word' && ADDRESS_NEXT.has(next.text);
}
