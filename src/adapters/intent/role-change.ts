import type { Intent, Target } from '../../core/intent.ts';
import type { DurationMatch } from './durations.ts';
import {
  GRANT_LINKS,
  GRANT_VERBS,
  JUSTIFICATION_STARTS,
  NEED_VERBS,
  NOT_NAMES,
  POST_FILLERS,
  PRE_FILLERS,
  REVOKE_LINKS,
  REVOKE_VERBS,
} from './lexicon.ts';
import { findRoles, roleWords } from './roles.ts';
import { parseTargets } from './targets.ts';
import { isWord, type Token } from './text.ts';

/**
 * "make @a and @b editors for 2h because …", "remove bob's editor role", "I need admin": slot
 * filling around one verb and one catalogue role. Every token must be accounted for (verb, role,
 * targets, fillers, duration, reason); a leftover word means the parser did not understand and
 * answers `none`.
 */
export type NoneReason = NonNullable<Extract<Intent, { kind: 'none' }>['reason']>;
export type ClauseResult = { intents: Intent[] } | { none: NoneReason };

export interface ClauseInput {
  /** Clause tokens without duration tokens and without politeness. */
  tokens: Token[];
  /** The text the token offsets refer to. */
  source: string;
  roles: string[];
  durations: DurationMatch[];
  /** Targets of the previous clause, for "him"/"her"/"them". */
  previous: Target[];
}

const MODALS = new Set(['can', 'could', 'may']);
const SUBJECT_NOISE = new Set(['would', 'really', 'also', 'just', 'do', 'urgently', 'still']);
const SCOPE_WORDS = new Set(['of', 'on', 'in', 'at', 'within', 'inside', 'across', 'over']);
const REASON_LINKS = new Set(['for', 'to', 'so']);
const MOVE_WORDS = new Set(['away', 'off', 'from', 'out']);

const unclear: ClauseResult = { none: 'unclear' };

export function findVerb(tokens: Token[]): number {
  return tokens.findIndex(
    (t, i) =>
      t.kind === 'word' &&
      (GRANT_VERBS.has(t.text) ||
        REVOKE_VERBS.has(t.text) ||
        (NEED_VERBS.has(t.text) && (t.text !== 'like' || isWord(tokens[i - 1], "i'd", 'would', "we'd"))) ||
        (t.text === 'have' &&
          MODALS.has(tokens[i - 2]?.kind === 'word' ? (tokens[i - 2] as { text: string }).text : ''))),
  );
}

export function parseRoleChange(c: ClauseInput): ClauseResult | undefined {
  const toks = c.tokens;
  const v = findVerb(toks);
  const verbTok = toks[v];
  if (v < 0 || verbTok?.kind !== 'word') return undefined;
  const verb = verbTok.text;
  if (c.durations.some((d) => !d.value)) return unclear;
  const needType = NEED_VERBS.has(verb);
  const action = REVOKE_VERBS.has(verb) ? 'revoke' : 'grant';

  // Who is asking for themselves: "I need…", "can I get…", "@dana needs…".
  const subject = toks.slice(0, v).filter((t) => !(t.kind === 'word' && SUBJECT_NOISE.has(t.text)));
  let subjectTargets: Target[] = [];
  let implicitMe = false;
  if (subject.length) {
    const words = subject.map((t) => (t.kind === 'word' ? t.text.replace(/^(i|we)'(d|ll|m)$/, '$1') : '?'));
    if (
      words.length >= 2 &&
      MODALS.has(words[0] ?? '') &&
      words[1] === 'i' &&
      words.slice(2).every((w) => w === 'please')
    )
      implicitMe = true;
    else if (needType) {
      const p = parseTargets(
        subject.map((t) => (t.kind === 'word' && /^i'/.test(t.text) ? { ...t, text: 'i' } : t)),
      );
      if (!p.ok) return unclear;
      subjectTargets = p.targets;
    } else return unclear;
  } else if (needType) {
    // "need editor for 2h" speaks for the requester; "needs editor" has lost its subject.
    if (!['request', 'need', 'want'].includes(verb)) return unclear;
    implicitMe = true;
  }

  // Reason: "because …", "since …", "so that …" runs to the end of the clause.
  let end = toks.length;
  let justification: string | undefined;
  const j = toks.findIndex((t, i) => i > v && t.kind === 'word' && JUSTIFICATION_STARTS.has(t.text));
  if (j > 0) {
    end = j;
    justification = reasonText(c, j, toks.length, true);
    if (justification === undefined) return unclear;
  }
  let core = toks.slice(v + 1, end);

  let hits = findRoles(core, c.roles);
  if (hits.some((h) => h.role === undefined)) return unclear;
  if (hits.length === 2 && ['promote', 'upgrade'].includes(verb)) {
    // "promote bob from editor to admin": the role asked for is the one after "to".
    const [from, to] = hits as [(typeof hits)[0], (typeof hits)[0]];
    if (isWord(core[from.start - 1], 'from') && isWord(core[to.start - 1], 'to')) {
      core = [...core.slice(0, from.start - 1), ...core.slice(from.end)];
      hits = findRoles(core, c.roles);
    }
  }
  const roles = [...new Set(hits.map((h) => h.role))];
  if (roles.length === 0) return { none: 'unknown_role' };
  if (roles.length > 1 || hits.length > 1) return unclear;
  const hit = hits[0];
  const role = roles[0];
  if (!hit || !role) return unclear;

  const pre = core.slice(0, hit.start);
  const link = linkWord(pre);
  if (action === 'grant' && link && !GRANT_LINKS.has(link) && link !== 'of') return unclear;
  if (action === 'revoke' && link && !REVOKE_LINKS.has(link)) return unclear;
  if (
    ['take', 'kick', 'pull'].includes(verb) &&
    !core.some((t) => t.kind === 'word' && MOVE_WORDS.has(t.text))
  )
    return unclear;
  const preRest = pre.filter((t) => !(t.kind === 'word' && PRE_FILLERS.has(t.text)));
  // Words between an article and the role qualify the role ("a super admin"): not in the catalogue.
  const article = pre.findLastIndex((t) => isWord(t, 'a', 'an', 'the'));
  if (article >= 0 && pre.slice(article + 1).some((t) => !(t.kind === 'word' && PRE_FILLERS.has(t.text))))
    return { none: 'unknown_role' };

  // After the role: "to bob", "from bob", "for the audit", or scope words we do not model.
  let post = core.slice(hit.end);
  // A reason without a marker after the request: ", she's joining the team", "— INC-2231".
  const free = freeReason(post, c);
  if (free) {
    if (justification !== undefined) return unclear;
    justification = reasonText(c, free.from, end, false);
    if (justification === undefined) return unclear;
    post = post.slice(0, free.at);
  }
  while (post[0]?.kind === 'word' && POST_FILLERS.has(post[0].text)) post = post.slice(1);
  // "from <@U1> please": politeness after the people, before a reason.
  while (
    post.length > 1 &&
    post[post.length - 1]?.kind === 'word' &&
    POST_FILLERS.has((post[post.length - 1] as { text: string }).text)
  )
    post = post.slice(0, -1);
  let postTargets: Target[] = [];
  if (post.length) {
    const first = post[0];
    if (first?.kind !== 'word') return unclear;
    if (SCOPE_WORDS.has(first.text) && !(action === 'revoke' && first.text === 'of'))
      return { none: 'unknown_role' };
    if (!REASON_LINKS.has(first.text) && !(action === 'revoke' && first.text === 'from')) return unclear;
    const stop = post.findIndex((t, i) => i > 0 && t.kind === 'word' && REASON_LINKS.has(t.text));
    const who = post.slice(1, stop > 0 ? stop : undefined);
    // After "for", only unmistakable people count ("for @dana", "for me"), not "for Q3 audit".
    const explicit = who.every((t) => t.kind !== 'word' || ['and', 'me', 'myself'].includes(t.text));
    const asTargets =
      first.text !== 'so' && (first.text !== 'for' || explicit)
        ? parseTargets(who, c.previous)
        : { ok: false as const };
    const targetLink = first.text === (action === 'grant' ? 'to' : 'from') || first.text === 'for';
    if (asTargets.ok && targetLink) {
      postTargets = asTargets.targets;
      if (stop > 0) {
        if (justification !== undefined) return unclear;
        justification = reasonText(c, post[stop], end, false);
      }
    } else {
      if (first.text === 'from' || justification !== undefined) return unclear;
      // "request approver for Maya Goldberg", "for our auditor <mailto:…>": what follows "for" may
      // be the person the role is for. Read as a reason, the grant would go to the requester
      // instead, so anything that may name someone there leaves the message unclear (fail closed).
      if (first.text === 'for' && (who.some(mayNameSomeone) || shortLowercaseName(who))) return unclear;
      const words = roleWords(c.roles);
      if (post.some((t) => t.kind === 'word' && words.has(t.text))) return { none: 'unknown_role' };
      justification = reasonText(c, first, end, false);
    }
    if (justification === undefined && !postTargets.length) return unclear;
  }

  let preTargets: Target[] = [];
  if (preRest.length) {
    const p = parseTargets(preRest, c.previous);
    if (!p.ok) return unclear;
    preTargets = p.targets;
  }
  const objectTargets = preTargets.length && postTargets.length ? undefined : [...preTargets, ...postTargets];
  if (!objectTargets) return unclear;
  let targets: Target[];
  if (needType || implicitMe) {
    const subjectIsMe = implicitMe || (subjectTargets.length === 1 && subjectTargets[0]?.kind === 'me');
    if (objectTargets.length && subjectTargets.length && !subjectIsMe) return unclear;
    targets = objectTargets.length
      ? objectTargets
      : subjectTargets.length
        ? subjectTargets
        : [{ kind: 'me' }];
    if (!implicitMe && !subjectTargets.length && !objectTargets.length) return unclear;
  } else targets = objectTargets;
  if (!targets.length) return unclear;
  // A reason that mentions people is not something we can tell apart from a target list.
  if (justification !== undefined && !needType && !preTargets.length && !postTargets.length) return unclear;

  const timing = durationOf(c, action);
  if (timing === 'unclear') return unclear;
  const intent: Intent = { kind: 'request_role_change', action, targets, role, ...timing };
  if (justification) intent.justification = justification.slice(0, 500);
  return { intents: [intent] };
}

/**
 * "need editor for bob": one or two plain lowercase words after "for" may be a name typed in
 * lowercase. Not an -ing word ("for onboarding"), a word the lexicon knows, or a determiner.
 */
function shortLowercaseName(who: Token[]): boolean {
  const words = who.filter((t) => t.kind === 'word');
  const head = words[0];
  if (!head || words.length > 2 || words.length !== who.filter((t) => t.kind !== 'punct').length)
    return false;
  return (
    /^\p{Ll}+$/u.test(head.raw) &&
    !/ing$/.test(head.text) &&
    !NOT_NAMES.has(head.text) &&
    !LOWER_NOT_NAMES.has(head.text)
  );
}
const LOWER_NOT_NAMES = new Set([
  'the',
  'a',
  'an',
  'my',
  'our',
  'this',
  'that',
  'their',
  'his',
  'her',
  'some',
  'now',
  'today',
  'work',
  'review',
  'audit',
  'support',
  'reasons',
  'compliance',
  'oncall',
  'ops',
]);

/** A mention, an email, an @name, or a capitalised word of letters ("Maya"): possibly a person. */
function mayNameSomeone(t: Token): boolean {
  if (t.kind === 'mention' || t.kind === 'email' || t.kind === 'at') return true;
  return t.kind === 'word' && /^\p{Lu}\p{Ll}+$/u.test(t.raw);
}

const DASHES = new Set(['—', '–', '-', ':', '(']);
const NOT_A_REASON_START = new Set([
  'and',
  'or',
  'plus',
  'too',
  'also',
  'then',
  'but',
  'to',
  'from',
  'for',
  'as',
]);

/**
 * Where a reason with no marker starts after the role: after a dash or colon, or after a comma when
 * what follows is not a list of people ("to bob, carol" goes on naming targets). The reason may not
 * name a person or a catalogue role: that could be a second request, so the caller stays unclear.
 */
function freeReason(post: Token[], c: ClauseInput): { at: number; from: Token } | undefined {
  const at = post.findIndex((t) => t.kind === 'punct' && (t.text === ',' || DASHES.has(t.text)));
  if (at < 0) return undefined;
  const rest = post.slice(at + 1).filter((t) => !(t.kind === 'punct' && DASHES.has(t.text)));
  const from = rest[0];
  if (from?.kind !== 'word' || NOT_A_REASON_START.has(from.text)) return undefined;
  if (rest.some((t) => t.kind !== 'word' && t.kind !== 'punct')) return undefined;
  const words = roleWords(c.roles);
  if (rest.some((t) => t.kind === 'word' && words.has(t.text))) return undefined;
  if ((post[at] as { text: string }).text === ',' && parseTargets(rest, c.previous).ok) return undefined;
  return { at, from };
}

/** The last meaningful word before the role: "to" in "promote bob to the admin role". */
function linkWord(pre: Token[]): string | undefined {
  for (let i = pre.length - 1; i >= 0; i--) {
    const t = pre[i];
    if (t?.kind !== 'word') return undefined;
    if (['a', 'an', 'the', 'role', 'new', 'group'].includes(t.text)) continue;
    if (t.text === 'of') return isWord(pre[i - 1], 'member', 'members', 'part', 'role') ? 'to' : 'of';
    return GRANT_LINKS.has(t.text) || REVOKE_LINKS.has(t.text) ? t.text : undefined;
  }
  return undefined;
}

/** Text of a reason from a token to the clause end; because-style connectors are dropped. */
function reasonText(
  c: ClauseInput,
  from: number | Token | undefined,
  to: number,
  dropConnector: boolean,
): string | undefined {
  const toks = c.tokens;
  const startIdx = typeof from === 'number' ? from : toks.indexOf(from as Token);
  let first = startIdx;
  if (dropConnector) {
    first++;
    while (
      isWord(toks[first], 'of', 'to', 'that') ||
      (toks[first]?.kind === 'punct' && /^[:,-]$/.test((toks[first] as { text: string }).text))
    )
      first++;
  }
  const a = toks[first];
  const b = toks[to - 1];
  if (!a || !b || first >= to) return undefined;
  // Anything time-like inside the reason makes the length of the grant uncertain.
  if (c.durations.some((d) => d.start < b.end && d.end > a.start)) return undefined;
  const text = c.source
    .slice(a.start, b.end)
    .replace(/(?<![\s,.;:!-])[\s,.;:!-]+$/, '')
    .trim();
  return text || undefined;
}

function durationOf(
  c: ClauseInput,
  action: 'grant' | 'revoke',
): { durationMs?: number; until?: string } | 'unclear' {
  if (c.durations.length === 0) return {};
  const [d] = c.durations;
  // A timed revoke ("remove bob's admin in 2 hours") is a schedule, which we do not model.
  if (c.durations.length > 1 || !d?.value || action === 'revoke') return 'unclear';
  return d.value;
}
