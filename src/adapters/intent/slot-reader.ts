import type { Intent, Target } from '../../core/intent.ts';
import type { DurationMatch } from './durations.ts';
import { clauseGuard, hypothetical, wordsOf } from './guards.ts';
import {
  CLAUSE_SUBJECTS,
  GRANT_CUES,
  ME_VERBS,
  MEANING,
  MY_OWN,
  NEEDS,
  NOT_NAMES,
  PAST,
  QUESTION_WORDS,
  REASON_LABELS,
  REASON_STARTS,
  REFERRING_PRONOUNS,
  REVOKE_CUES,
  ROLE_NOUNS,
  SLOT_FILLERS,
  THANKS,
  TIME_WORDS,
  VAGUE_OR_OLD,
} from './lexicon.ts';
import { findRoles, type RoleHit, withinOneEdit } from './roles.ts';
import type { Token } from './text.ts';

/**
 * The second reader (issue 16): where the grammar gives up on a message, read it as slots instead
 * of as a sentence. The message is cut into segments at punctuation and reason words; the segment
 * holding the catalogue role is the core, and every word of the core must be accounted for — the
 * role, a known cue (grant or revoke verb), a known filler word, a person (mention, email,
 * @name, a capitalised name, "me"), a duration — or nothing is returned. Segments after the core
 * that name no person, role or time are the reason; segments before it that name none are
 * greetings or relay prefixes. It never sees a message the guards refuse (the caller checks), and
 * anything doubtful returns undefined, which leaves the grammar's `none`.
 *
 * This generalises where the grammar does not because it does not need the words in an order it
 * knows ("shift-lead for <@U1> for 10 minutes, need a void approved", "temp admin for 2h pls",
 * "hook me up with editor"), while the whitelist keeps it from guessing at words it does not know.
 */
export interface SlotInput {
  tokens: Token[];
  source: string;
  roles: string[];
  durations: DurationMatch[];
}

interface Segment {
  tokens: Token[];
  /** Starts with "because", "since"…: a reason wherever it stands. */
  reasonLed: boolean;
  /** The punctuation that ended the previous segment. */
  after?: string;
}

type Cue = 'grant' | 'revoke';
interface Piece {
  action?: Cue;
  targets: Target[];
  meObject: boolean;
  role: string;
  duration?: DurationMatch;
  arrowOrFor: boolean;
  possessive?: boolean;
  /** "I", "I'd": someone speaks; without a verb that is a statement ("I'm admin"), not a request. */
  subject?: boolean;
  /** The verb, when it needs someone to give to ("give admin" names nobody: not "me"). */
  giveTo?: boolean;
  needs?: boolean;
  /** A mention, email or @name: someone plainly named. */
  explicit?: boolean;
  /** Where people were named, before and after the role: both is two readings ("me admin for Bob"). */
  before?: boolean;
  after?: boolean;
  reason?: string;
  /** "their", "her", "him": someone named before the request (see readSlots). */
  pronoun?: boolean;
  /** Words the reader does not know but may pass over (see `tolerated`). */
  unknown?: number;
}

const BREAKS = new Set([',', ';', '.', '!', '?', '—', '–', ':', '(', ')', '\n']);
const ARROWS = new Set(['→', '>', '=', '⇒', '➡']);
const LIST_SEPARATORS = new Set([',', '&', '+', '/']);
const SUBJECTS = new Set(['i', "i'd", "i'm", "i'll", 'im', 'id']);
const DETERMINERS = new Set(['the', 'a', 'an', 'our', 'my', 'this', 'his', 'her', 'their', 'some']);
/** Verbs whose subject is who gets the role: "need admin", "can I get editor", "requesting viewer". */
const SELF_CUES = new Set([
  'get',
  'need',
  'needs',
  'want',
  'require',
  'request',
  'like',
  'borrow',
  'grab',
  'appreciate',
]);
const word0 = (t: Token) => (t.kind === 'word' ? t.text : '');
const PASSIVES: Record<string, Cue> = {
  made: 'grant',
  given: 'grant',
  granted: 'grant',
  added: 'grant',
  assigned: 'grant',
  promoted: 'grant',
  upgraded: 'grant',
  removed: 'revoke',
  revoked: 'revoke',
  unassigned: 'revoke',
};
const ASKED_OF = new Set([
  ...SUBJECTS,
  'you',
  'u',
  'ya',
  'someone',
  'somebody',
  'anyone',
  'we',
  'like',
  'love',
  'appreciate',
  'please',
  'pls',
  'kindly',
]);
const MODAL_OR_TO = new Set(['to', 'can', 'could', 'may', 'would']);
/** Capitalised, with lowercase letters ("Liam", "O'Neill"), never an acronym ("SSO", "CEO") or "Q2". */
const NAME_CASE = /^\p{Lu}[\p{L}'-]+$/u;
const LOWER = /\p{Ll}/u;

const VAGUE_WORD = /^(?:temp|temporary|temporarily)$/i;
/** A reason told as its own clause, with a subject: "she left last Friday". */
const clausal = (s: Segment) => s.tokens.some((t) => t.kind === 'word' && CLAUSE_SUBJECTS.has(t.text));
const inSpan = (t: Token, d: DurationMatch) => t.start < d.end && d.start < t.end;
const w = (t: Token | undefined) => (t?.kind === 'word' ? t.text : undefined);

export function readSlots(input: SlotInput): Intent[] | undefined {
  const { tokens, durations, roles } = input;
  const segments = segment(tokens, durations);
  // "customer admin at Kestrel here": who is writing, not what is asked.
  const hits = segments.map((s) => (introduces(s) ? [] : findRoles(s.tokens, roles)));
  const core = hits.map((h, i) => (h.length ? i : -1)).filter((i) => i >= 0);
  const first = core[0];
  const last = core[core.length - 1];
  if (first === undefined || last === undefined) return undefined;
  if (hits.some((h) => h.some((x) => !x.role))) return undefined;
  // Before the core: greetings and relay prefixes, or one list of people ("me: maintain, 2h").
  let lead: Target[] = [];
  let leadFor = false;
  let spokenOf: Target | undefined;
  // "Justification: quarterly access review. Please revoke…": a labelled reason may come first.
  const labelled =
    first >= 2 &&
    segments[1]?.after === ':' &&
    segments[0]?.tokens.length === 1 &&
    REASON_LABELS.has(w(segments[0].tokens[0]) ?? '');
  const leadReason = labelled ? reasonText(segments.slice(1, first), input.source) : undefined;
  if (leadReason === null) return undefined;
  for (let i = 0; i < first; i++) {
    const s = segments[i] as Segment;
    if (labelled && s.tokens.some((t) => t.kind !== 'word' && t.kind !== 'punct')) return undefined;
    const people = s.tokens.filter((t) => t.kind === 'mention' || t.kind === 'email' || t.kind === 'at');
    const mine = s.tokens.some((t) => w(t) === 'me');
    if (s.reasonLed || s.tokens.some((t) => durations.some((d) => inSpan(t, d)))) return undefined;
    // "For Maya: give me editor" may say who it is for; only a company may lead ("For Bluefin Media:").
    if (w(s.tokens[0]) === 'for' && i === first - 1) leadFor = true;
    // "<@U1> left the company, remove their owner role": a statement about one person named plainly,
    // right before the ask, which then speaks of them with a pronoun (checked below).
    const only = people[0];
    if (
      i === first - 1 &&
      people.length === 1 &&
      only?.kind !== 'at' &&
      !mine &&
      segments[first]?.after !== ':' &&
      s.tokens.filter((t) => t.kind === 'word').length >= 2
    ) {
      spokenOf =
        only?.kind === 'mention'
          ? { kind: 'slack_user', userId: only.userId }
          : only?.kind === 'email'
            ? { kind: 'email', email: only.email }
            : undefined;
      continue;
    }
    if (people.length || mine) {
      if (i !== first - 1 || segments[first]?.after !== ':') return undefined;
      const listed = personList(s.tokens);
      if (!listed) return undefined;
      lead = listed;
    }
  }
  const coreTokens = segments
    .slice(first, last + 1)
    .flatMap((s, k) => (k ? [sep(s), ...s.tokens] : s.tokens));
  // After the core: a duration, more people for a terse "role → A, B", then the reason.
  let reasonFrom: number | undefined;
  const excused: DurationMatch[] = [];
  let extraTargets: Target[] = [];
  let tail: DurationMatch | undefined;
  for (let i = last + 1; i < segments.length; i++) {
    const s = segments[i] as Segment;
    const timed = durations.find((d) => s.tokens.some((t) => inSpan(t, d)));
    if (reasonFrom === undefined && !s.reasonLed && timed && s.tokens.every((t) => inSpan(t, timed))) {
      if (tail) return undefined;
      tail = timed;
      continue;
    }
    if (reasonFrom === undefined && !s.reasonLed && s.after === ',' && i === last + 1) {
      const listed = personList(s.tokens);
      if (listed && !listed.some((t) => t.kind === 'me')) {
        extraTargets = listed;
        continue;
      }
    }
    if (reasonFrom === undefined) reasonFrom = i;
    const told = durations.filter((d) => s.tokens.some((t) => inSpan(t, d)));
    // Only a time in the past ("she left last Friday", "he's been inactive for months"): it can
    // never have been meant as the grant's limit. "she starts today" may be one: unclear.
    const past = s.tokens.some(
      (t) => t.kind === 'word' && (PAST.has(t.text) || /^[a-z]{3,}ed$/.test(t.text)),
    );
    if (told.length && (told.some((d) => d.value) || !past || !clausal(s))) return undefined;
    if (told.length) excused.push(...told);
    if (s.tokens.some((t) => t.kind === 'mention' || t.kind === 'email' || t.kind === 'at')) return undefined;
    if (findRoles(s.tokens, roles).length) return undefined;
  }
  const reason = reasonFrom === undefined ? undefined : reasonText(segments.slice(reasonFrom), input.source);
  if (reason === null) return undefined;
  // A time phrase not understood leaves the message unclear, except a day told in the reason, or
  // "temp"/"temporary" beside a length that says how long ("temporary admin (1h)").
  const understood = durations.some((d) => d.value);
  const loose = durations.filter((d) => !d.value && !excused.includes(d));
  if (loose.some((d) => !VAGUE_WORD.test(d.phrase))) return undefined;
  const question = tokens.some((t) => t.kind === 'punct' && t.text === '?');
  if (!startsAsRequest(coreTokens)) return undefined;

  const allHits = findRoles(coreTokens, roles);
  const pieces = allHits.length === 1 ? [coreTokens] : splitPieces(coreTokens);
  if (!pieces || pieces.length !== allHits.length) return undefined;
  const read: Piece[] = [];
  for (const p of pieces) {
    const one = readPiece(p, roles, durations, input.source);
    if (!one) return undefined;
    read.push(one);
  }
  if (extraTargets.length) {
    if (read.length !== 1 || !read[0]?.arrowOrFor || read[0].targets.length === 0) return undefined;
    read[0].targets.push(...extraTargets);
  }
  if (lead.length) {
    const only = read[0];
    if (read.length !== 1 || !only || only.targets.length || only.meObject) return undefined;
    only.targets = lead;
  }
  const duration: DurationMatch | undefined = tail ?? read[0]?.duration;
  if (tail && read[0]?.duration) return undefined;
  // A pronoun stands for the one person the statement before named, and for nobody else.
  if (spokenOf || read.some((p) => p.pronoun)) {
    const only = read[0];
    if (!spokenOf || read.length !== 1 || !only?.pronoun || only.targets.length || only.meObject)
      return undefined;
    only.targets = [spokenOf];
    only.explicit = true;
  }
  // Passed-over words only in one change that says its verb and whom it is for in so many words.
  if (
    read.some((p) => p.unknown) &&
    (read.length > 1 || !read.every((p) => p.action && (p.targets.length || p.subject)))
  )
    return undefined;
  // One verb carries over to verbless pieces ("make bob editor, carol viewer"); two directions never mix.
  const actions = new Set(read.flatMap((p) => (p.action ? [p.action] : [])));
  if (actions.size > 1) return undefined;
  const action: Cue | undefined = [...actions][0] ?? (question ? undefined : 'grant');
  if (!action) return undefined;
  // "temporary admin" with no length is vague for a grant; in a removal it only names the grant.
  if (loose.length && !understood && action !== 'revoke') return undefined;
  // Without a verb only a terse form is a request: "editor for <@U1>", "Chen → viewer", "admin, 2h".
  if (
    !actions.size &&
    !read.every((p) => !p.subject && (p.arrowOrFor || p.explicit || p.duration || duration || lead.length))
  )
    return undefined;
  if (read.length > 1 && (reason || tail)) return undefined;
  // Each time limit inside the one piece it limits; one piece, one limit.
  // (Only lengths count here: a day in the reason or a "temp" beside a length was checked above.)
  const limits = durations.filter((d) => d.value);
  if (read.length === 1 ? limits.length > 1 : limits.some((d) => !read.some((p) => p.duration === d)))
    return undefined;
  // "give A viewer for 2 hours and B editor": did the limit mean both? Either all pieces or none.
  if (read.length > 1 && limits.length && read.some((p) => !p.duration)) return undefined;
  const out: Intent[] = [];
  for (const p of read) {
    let targets = p.targets;
    if (!targets.length) {
      if (action === 'revoke' || p.giveTo) return undefined;
      // "me" only when the text says so: "me", "my", "I", or a subjectless "need" (never a bare
      // "admin for 2h": the property tests hold every "me" to words in the text).
      if (!p.meObject && !p.subject && !p.needs) return undefined;
      if (read.length > 1 && !p.meObject) return undefined;
      targets = [{ kind: 'me' }];
    }
    if (leadFor && targets.some((t) => t.kind === 'me')) return undefined;
    const d = p.duration ?? (read.length === 1 ? duration : undefined);
    if (d && action === 'revoke') return undefined;
    const why = p.reason ?? reason ?? leadReason;
    if ([p.reason, reason, leadReason].filter(Boolean).length > 1) return undefined;
    out.push({
      kind: 'request_role_change',
      action,
      targets,
      role: p.role,
      ...(d?.value ?? {}),
      ...(why ? { justification: why.slice(0, 500) } : {}),
    });
  }
  return out;
}

function segment(tokens: Token[], durations: DurationMatch[]): Segment[] {
  const out: Segment[] = [];
  let cur: Segment = { tokens: [], reasonLed: false };
  const flush = (after?: string) => {
    if (cur.tokens.length) out.push(cur);
    cur = { tokens: [], reasonLed: false, ...(after ? { after } : {}) };
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const timed = durations.some((d) => inSpan(t, d));
    if (!timed && t.kind === 'punct' && BREAKS.has(t.text)) {
      flush(t.text);
      continue;
    }
    // A dash breaks; one before ">" is an arrow.
    if (!timed && t.kind === 'punct' && t.text === '-' && tokens[i + 1]?.raw !== '>') {
      flush('—');
      continue;
    }
    if (!timed && t.kind === 'word' && REASON_STARTS.has(t.text)) {
      flush(cur.after);
      cur.reasonLed = true;
    }
    cur.tokens.push(t);
  }
  flush();
  return out;
}

const sep = (s: Segment): Token => ({
  kind: 'punct',
  text: s.after ?? ',',
  raw: s.after ?? ',',
  start: 0,
  end: 0,
});

/** "Chen", "<@U1>, <@U2>", "Arjun Patel + Freya Larsen", "me": people and nothing else. */
function personList(tokens: Token[]): Target[] | undefined {
  const out: Target[] = [];
  let name: string[] = [];
  const endName = () => {
    if (name.length) out.push({ kind: 'name', name: name.join(' ') });
    name = [];
  };
  for (const t of tokens) {
    if (t.kind === 'mention') out.push({ kind: 'slack_user', userId: t.userId });
    else if (t.kind === 'email') out.push({ kind: 'email', email: t.email });
    else if (t.kind === 'at') name.push(t.name);
    else if (t.kind === 'word' && t.text === 'me') out.push({ kind: 'me' });
    else if (t.kind === 'word' && isName(t) && name.length < 3) {
      name.push(t.raw);
      continue;
    } else if ((t.kind === 'punct' && LIST_SEPARATORS.has(t.text)) || w(t) === 'and') endName();
    else return undefined;
    if (t.kind !== 'at') endName();
  }
  endName();
  return out.length ? out : undefined;
}

/** A writer's introduction before the request: "hi! customer admin at Kestrel here". */
function introduces(s: Segment): boolean {
  const last = s.tokens[s.tokens.length - 1];
  return (
    w(last) === 'here' && !s.tokens.some((t) => t.kind === 'mention' || t.kind === 'email' || t.kind === 'at')
  );
}

const isName = (t: Token) =>
  t.kind === 'word' &&
  NAME_CASE.test(t.raw) &&
  LOWER.test(t.raw) &&
  !NOT_NAMES.has(t.text) &&
  !SLOT_FILLERS.has(t.text) &&
  // "Gimme maintainer", "Revoke editor from…": a capital at the start of a sentence is no name.
  !ME_VERBS.has(t.text) &&
  !cueOf(t);

/** The reason: from the first reason segment to the end, less trailing thanks; null when doubtful. */
function reasonText(segs: Segment[], source: string): string | undefined | null {
  const kept = [...segs];
  // Trailing thanks ("Thanks in advance!", "Much appreciated.") are no reason.
  const thanks = (ws: string[]) => ws.every((x) => SLOT_FILLERS.has(x)) || THANKS.has(ws[0] ?? '');
  while (kept.length && thanks(wordsOf(kept[kept.length - 1]?.tokens ?? []))) kept.pop();
  if (!kept.length) return undefined;
  const words = kept.flatMap((s) => wordsOf(s.tokens));
  if (['also', 'and', 'plus', 'too', 'then', 'or', 'well'].some((x) => words.includes(x))) return null;
  const firstTok = kept[0]?.tokens[0];
  const lastSeg = kept[kept.length - 1] as Segment;
  const lastTok = lastSeg.tokens[lastSeg.tokens.length - 1];
  if (!firstTok || !lastTok) return undefined;
  if (words.length < 2 && !kept[0]?.tokens.some((t) => /\d/.test(t.raw))) return null;
  return source.slice(firstTok.start, lastTok.end).trim();
}

/** Questions and "can I make bob admin?" are not requests; "can you…", "can I get…" are. */
function startsAsRequest(tokens: Token[]): boolean {
  // "no longer needs" is a removal's cue (readPiece), not a negation of the request.
  const words = wordsOf(tokens).filter((x, i, all) => !(x === 'no' && all[i + 1] === 'longer'));
  if (hypothetical(words)) return false;
  const [a, b, c] = words;
  if (!a) return false;
  if (QUESTION_WORDS.has(a)) return false;
  if (['can', 'could', 'may', 'would'].includes(a)) {
    if (['you', 'u', 'ya', 'someone', 'somebody', 'anyone'].includes(b ?? '')) return true;
    if (['i', 'we'].includes(b ?? ''))
      return ['get', 'have', 'borrow', 'grab', 'please', 'pls', 'request', 'be'].includes(c ?? '');
    // "could <@U1> be made an editor?"
    const second = tokens[1];
    return (
      (second?.kind === 'mention' || second?.kind === 'email') &&
      ['be', 'get', 'have'].includes(w(tokens[2]) ?? '')
    );
  }
  return clauseGuard(words) === undefined;
}

/** Several changes: cut at commas, semicolons and "and" so that each piece holds one role. */
function splitPieces(tokens: Token[]): Token[][] | undefined {
  const out: Token[][] = [[]];
  for (const t of tokens) {
    if ((t.kind === 'punct' && (t.text === ',' || t.text === ';')) || w(t) === 'and') out.push([]);
    else out[out.length - 1]?.push(t);
  }
  return out.filter((p) => p.length);
}

function cueOf(t: Token): Cue | undefined {
  if (t.kind !== 'word') return undefined;
  if (GRANT_CUES.has(t.text)) return 'grant';
  if (REVOKE_CUES.has(t.text)) return 'revoke';
  // "remvoe": one slip in a long verb, but never a past or third-person form ("removed", "revokes").
  if (t.text.length < 4 || /(?:ed|s)$/.test(t.text)) return undefined;
  // Four letters: only two swapped ("mkae"); five or more: any one slip.
  const near = (v: string) =>
    t.text.length === 4 ? swapped(t.text, v) : v.length >= 5 && withinOneEdit(t.text, v);
  for (const v of REVOKE_CUES) if (near(v)) return 'revoke';
  for (const v of GRANT_CUES) if (near(v)) return 'grant';
  return undefined;
}

const swapped = (a: string, b: string) =>
  a.length === b.length && withinOneEdit(a, b) && [...a].sort().join('') === [...b].sort().join('');

function readPiece(
  tokens: Token[],
  roles: string[],
  durations: DurationMatch[],
  source: string,
): Piece | undefined {
  const hits: RoleHit[] = findRoles(tokens, roles);
  const hit = hits[0];
  if (hits.length !== 1 || !hit?.role) return undefined;
  const piece: Piece = { targets: [], meObject: false, role: hit.role, arrowOrFor: false };
  // A vague "temp" is no length of its own (readSlots checks it stands beside one).
  const timed = durations.find(
    (d) => tokens.some((t) => inSpan(t, d)) && !(VAGUE_WORD.test(d.phrase) && !d.value),
  );
  if (timed) piece.duration = timed;
  let reasonAt = -1;
  let name: string[] = [];
  const named = (i: number) => {
    if (i < hit.start) piece.before = true;
    else piece.after = true;
  };
  const endName = () => {
    if (name.length) piece.targets.push({ kind: 'name', name: name.join(' ') });
    name = [];
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (i >= hit.start && i < hit.end) {
      endName();
      continue;
    }
    if (durations.some((d) => inSpan(t, d))) {
      endName();
      continue;
    }
    if (t.kind === 'mention' || t.kind === 'email') {
      endName();
      named(i);
      piece.explicit = true;
      piece.targets.push(
        t.kind === 'mention' ? { kind: 'slack_user', userId: t.userId } : { kind: 'email', email: t.email },
      );
      continue;
    }
    if (t.kind === 'at') {
      endName();
      named(i);
      piece.explicit = true;
      name.push(t.name);
      continue;
    }
    if (t.kind === 'punct') {
      if (ARROWS.has(t.text)) piece.arrowOrFor = true;
      else if (!LIST_SEPARATORS.has(t.text) && t.text !== '-' && t.text !== "'") return undefined;
      endName();
      continue;
    }
    if (t.kind !== 'word') return undefined;
    if (isName(t)) {
      if (name.length >= 3) return undefined;
      named(i);
      name.push(t.raw);
      continue;
    }
    endName();
    const cue = cueOf(t);
    // "thanks for making me admin", "I'm giving bob editor": told, not asked. Only "requesting…"
    // and "would you mind giving…" ask in the -ing form.
    if (cue && /ing$/.test(t.raw.toLowerCase()) && t.text !== 'request' && w(tokens[i - 1]) !== 'mind')
      return undefined;
    if (cue) {
      if (piece.action && piece.action !== cue) return undefined;
      piece.action = cue;
      if (cue === 'grant' && !SELF_CUES.has(word0(t))) piece.giveTo = true;
      // "Requesting site-admin for 2 hours": like a subjectless "need", the writer asks for themself.
      if (t.text === 'need' || t.text === 'needs' || (t.raw.toLowerCase() === 'requesting' && i === 0))
        piece.needs = true;
      continue;
    }
    const word = t.text;
    if (word === 'me' || word === 'myself' || word === 'lemme' || word === 'gimme') {
      piece.meObject = true;
      named(i);
      piece.targets.push({ kind: 'me' });
      if (word !== 'me' && word !== 'myself') piece.action = piece.action ?? 'grant';
      continue;
    }
    if (word === 'my') {
      const next = tokens[i + 1];
      if (next?.kind === 'mention' || next?.kind === 'email' || (next && isName(next))) continue;
      // "my admin", "my temporary editor access", "my account": the writer's own. "my new report
      // <@U1>", "my manager <@U1>": someone else, described — skipped up to them; anything else
      // ("my team") is no one we can name.
      let k = i + 1;
      while (k < hit.start && VAGUE_OR_OLD.has(w(tokens[k]) ?? '')) k++;
      const own = k === hit.start || ROLE_NOUNS.has(w(tokens[k]) ?? '') || MY_OWN.has(w(tokens[k]) ?? '');
      if (!own) {
        if (!appositive(tokens, i)) return undefined;
        while (tokens[i + 1]?.kind === 'word') i++;
        continue;
      }
      piece.meObject = true;
      named(i);
      piece.targets.push({ kind: 'me' });
      continue;
    }
    if (REFERRING_PRONOUNS.has(word)) {
      piece.pronoun = true;
      named(i);
      continue;
    }
    if (word === "'s") {
      // Possessive: the owner of the role, so only in a removal ("pull <@U1>'s admin").
      piece.possessive = true;
      continue;
    }
    // "for 10 minutes to update the billing email": after the role, "to" and a plain word is why.
    if (word === 'to' && i >= hit.end && purpose(tokens.slice(i + 1), durations)) {
      reasonAt = i;
      break;
    }
    // "let me be owner", "let <@U1> be an approver": asks for it.
    if (word === 'let' && w(tokens[i + 2]) === 'be' && !piece.action) {
      piece.action = 'grant';
      continue;
    }
    if (word === 'be' && w(tokens[i - 2]) === 'let') continue;
    // "<@U1> no longer needs publisher": a removal (the guards excuse these words beside removals).
    if (word === 'no' && w(tokens[i + 1]) === 'longer' && NEEDS.has(w(tokens[i + 2]) ?? '')) {
      if (piece.action && piece.action !== 'revoke') return undefined;
      piece.action = 'revoke';
      i += 2;
      continue;
    }
    if (word === 'for') {
      // "for the launch blog post" after the role and the person: the reason.
      const rest = tokens.slice(i + 1);
      if (
        i > hit.start &&
        // Only beside someone named: "admin for me … for the new hire" may name who it is for.
        piece.targets.some((x) => x.kind !== 'me') &&
        DETERMINERS.has(w(rest[0]) ?? '') &&
        rest.length >= 2 &&
        rest.every((r) => r.kind === 'word' && !TIME_WORDS.has(r.text) && !cueOf(r)) &&
        !rest.some((r) => durations.some((d) => inSpan(r, d)))
      ) {
        reasonAt = i;
        break;
      }
      piece.arrowOrFor = true;
      continue;
    }
    if ((word === 'our' || word === 'the' || word === 'new') && appositive(tokens, i)) {
      while (tokens[i + 1]?.kind === 'word') i++;
      continue;
    }
    const prev = w(tokens[i - 1]) ?? '';
    if (word === 'of' && prev === 'out') continue;
    const asked = SUBJECTS.has(prev) && MODAL_OR_TO.has(w(tokens[i - 2]) ?? '');
    if (word === 'be' && (MODAL_OR_TO.has(prev) || tokens[i - 1]?.kind === 'mention' || asked)) continue;
    // A modal asks only before its subject ("could you…", "can I…", "would <@U1>…") or a wish
    // ("I would like…"); "I could be given admin" muses.
    if (MODAL_OR_TO.has(word) && word !== 'to') {
      const next = tokens[i + 1];
      const nextWord = w(next) ?? '';
      if (!(next?.kind === 'mention' || next?.kind === 'email' || ASKED_OF.has(nextWord))) return undefined;
    }
    // The passive: "could <@U1> be made an editor", "could I be given admin", "be removed from".
    const passive = prev === 'be' ? PASSIVES[word] : undefined;
    if (passive) {
      if (piece.action && piece.action !== passive) return undefined;
      piece.action = passive;
      continue;
    }
    if (
      word === 'have' &&
      (prev === 'to' || (SUBJECTS.has(prev) && MODAL_OR_TO.has(w(tokens[i - 2]) ?? '')))
    ) {
      // "can I have owner access…?" asks for it, like "can I get…".
      if (prev !== 'to' && !piece.action) piece.action = 'grant';
      continue;
    }
    if (SUBJECTS.has(word)) {
      piece.subject = true;
      continue;
    }
    if (SLOT_FILLERS.has(word)) continue;
    // "temp"/"temporary": readSlots lets it stand only beside a length, or in a removal.
    if (TIME_WORDS.has(word) && (timed || VAGUE_WORD.test(word))) continue;
    if (!tolerated(tokens, i, hit, timed)) return undefined;
    piece.unknown = (piece.unknown ?? 0) + 1;
    if (piece.unknown > MAX_UNKNOWN) return undefined;
  }
  endName();
  const from = tokens[reasonAt];
  const to = tokens[tokens.length - 1];
  if (reasonAt >= 0 && from && to) piece.reason = source.slice(from.start, to.end);
  if (piece.possessive && piece.action !== 'revoke') return undefined;
  if (piece.before && piece.after) return undefined;
  piece.targets = piece.targets.filter(
    (t, k) => piece.targets.findIndex((o) => JSON.stringify(o) === JSON.stringify(t)) === k,
  );
  return piece;
}

/** "our new bookkeeper <mailto:…>": up to three plain words before an email or mention describe them. */
function appositive(tokens: Token[], i: number): boolean {
  for (let k = i + 1; k <= i + 3; k++) {
    const t = tokens[k];
    if (t?.kind === 'mention' || t?.kind === 'email') return k > i + 1;
    if (t?.kind !== 'word' || (NOT_NAMES.has(t.text) && t.text !== 'new')) return false;
  }
  return false;
}

/**
 * A word the reader does not know, passed over (issue 16, third round): the whitelist alone made
 * every new word a dead end ("kill my sre-admin", "promote <@U1> to lead effective immediately").
 * Passed over only where it cannot change who, what or how long: not a word that may be a name or
 * a modifier (beside the role, after "for"/"to"), no digits, no time word, nothing from the words
 * that change a request's meaning, and at most three of them. What the piece still needs (a cue
 * verb, a named person or "me" said in the text) is checked by the caller.
 */
function tolerated(tokens: Token[], i: number, hit: RoleHit, timed: DurationMatch | undefined): boolean {
  const t = tokens[i];
  if (t?.kind !== 'word' || /\d/.test(t.text) || TIME_WORDS.has(t.text) || MEANING.has(t.text)) return false;
  if (i === hit.start - 1 || i === hit.end) return false;
  const prev = w(tokens[i - 1]) ?? '';
  // After "for"/"to" a word may be a name; after "in"/"on"/"at" a scope ("admin in prod").
  if (['for', 'to', 'and', 'or', 'in', 'on', 'at', 'within', 'over'].includes(prev)) return false;
  const next = tokens[i + 1];
  // "i need bob to have admin": a word before "to" may be the one who gets it.
  if (w(next) === 'to' && ['have', 'get', 'be', 'receive', 'hold', 'keep'].includes(w(tokens[i + 2]) ?? ''))
    return false;
  if (next && timed && inSpan(next, timed)) return false;
  return !(next?.kind === 'word' && next.text === "'s");
}

/** The most unknown words one change may hold (the doc comment above and the READMEs promise it). */
const MAX_UNKNOWN = 3;

/** "to update the billing email": a purpose — plain words, the first not one that names someone. */
function purpose(rest: Token[], durations: DurationMatch[]): boolean {
  const head = rest[0];
  if (rest.length < 2 || head?.kind !== 'word' || isName(head) || cueOf(head)) return false;
  if (DETERMINERS.has(head.text) || SLOT_FILLERS.has(head.text) || TIME_WORDS.has(head.text)) return false;
  if (['me', 'myself', 'him', 'her', 'them', 'us', 'everyone', 'all', 'be', 'have'].includes(head.text))
    return false;
  // Nobody in it: "to reset alice's password" or "to pass to dana" may say who it is really for.
  if (
    rest.some(
      (r, k) => w(r) === "'s" || (k > 0 && w(r) === 'to') || ['him', 'her', 'them'].includes(w(r) ?? ''),
    )
  )
    return false;
  return rest.every((r) => (r.kind === 'word' || r.kind === 'punct') && !durations.some((d) => inSpan(r, d)));
}
