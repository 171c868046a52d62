import type { DurationMatch } from './durations.ts';
import { type ClauseInput, type ClauseResult, findVerb, parseRoleChange } from './role-change.ts';
import { findRoles } from './roles.ts';
import { isWord, type Token } from './text.ts';

/**
 * Two shapes the one-verb grammar missed (issue 16):
 * - several changes under one verb: "make bob editor and carol viewer", "remove A's admin and B's
 *   editor". The clause is cut after each role at the next "and" or comma, the verb is repeated in
 *   front of each later piece, and every piece must parse on its own (else the whole is unclear).
 *   A time limit must sit inside the piece it limits: one "for 2h" at the end of two changes is
 *   ambiguous and stays unclear.
 * - terse requests without a verb: "<@U1> -> editor", "me → admin", "editor for <@U1>".
 */
export function parseChanges(c: ClauseInput): ClauseResult | undefined {
  const hits = findRoles(c.tokens, c.roles);
  if (hits.length < 2 || new Set(hits.map((h) => h.role)).size < 2) return parseRoleChange(c);
  const v = findVerb(c.tokens);
  const verb = c.tokens[v];
  if (!verb) return parseRoleChange(c);
  const cuts: number[] = [];
  for (let k = 0; k + 1 < hits.length; k++) {
    const from = (hits[k] as { end: number }).end;
    const to = (hits[k + 1] as { start: number }).start;
    let cut = -1;
    for (let i = from; i < to; i++) {
      const t = c.tokens[i];
      if (isWord(t, 'and', 'plus') || (t?.kind === 'punct' && t.text === ',')) {
        cut = i;
        break;
      }
    }
    // No joiner between two roles ("promote bob from editor to admin"): one change, as before.
    if (cut < 0 || cut < v) return parseRoleChange(c);
    cuts.push(cut);
  }
  const pieces: Token[][] = [];
  let start = 0;
  for (const cut of [...cuts, c.tokens.length]) {
    let body = c.tokens.slice(start, cut);
    while (body[0] && (isWord(body[0], 'and', 'then', 'also', 'plus') || body[0].kind === 'punct'))
      body = body.slice(1);
    pieces.push(start === 0 ? body : [verb, ...body]);
    start = cut + 1;
  }
  const spanOf = (p: Token[], i: number) => {
    const first = p[i === 0 ? 0 : 1];
    const next = pieces[i + 1]?.[1];
    return { from: first?.start ?? 0, to: next?.start ?? Number.POSITIVE_INFINITY };
  };
  const intents = [];
  for (const [i, p] of pieces.entries()) {
    const { from, to } = spanOf(p, i);
    const durations = c.durations.filter(
      (d: DurationMatch) => d.start >= (i === 0 ? 0 : from) && d.start < to,
    );
    if (c.durations.length && durations.length !== 1) return { none: 'unclear' };
    const r = parseRoleChange({ ...c, tokens: p, durations });
    if (!r || !('intents' in r)) return { none: 'unclear' };
    intents.push(...r.intents);
  }
  return { intents };
}

const synthetic = (text: string, at: Token): Token => ({
  kind: 'word',
  text,
  raw: '',
  start: at.start,
  end: at.start,
});

/** A verbless request rewritten with the verb it implies; undefined when it is not one. */
export function terseChange(tokens: Token[], roles: string[]): Token[] | undefined {
  const first = tokens[0];
  if (!first || findVerb(tokens) >= 0) return undefined;
  const hits = findRoles(tokens, roles);
  if (hits.length !== 1) return undefined;
  const hit = hits[0] as { start: number; end: number };
  // "editor for <@U1>", "admin for me"
  if (hit.start === 0 && isWord(tokens[hit.end], 'for')) return [synthetic('give', first), ...tokens];
  // "<@U1> -> editor", "me → admin", "bob => viewer"
  let a = -1;
  for (let i = 1; i < hit.start; i++) {
    const t = tokens[i];
    const n = tokens[i + 1];
    if (
      t?.kind === 'word' &&
      t.text === 'to' &&
      i + 1 === hit.start &&
      PERSON_KINDS.has(tokens[i - 1]?.kind ?? '')
    ) {
      // "<@U1> to admin for 2h": only after a mention, @name or email, right before the role.
      return [synthetic('make', first), ...tokens.slice(0, i), ...tokens.slice(i + 1)];
    }
    if (t?.kind !== 'punct') continue;
    if (t.text === '→' || t.text === '⇒' || t.text === '⟶') a = i;
    else if ((t.text === '-' || t.text === '=') && n?.kind === 'punct' && n.text === '>') a = i;
    if (a >= 0) break;
  }
  if (a < 0) return undefined;
  const width =
    tokens[a]?.kind === 'punct' && ['→', '⇒', '⟶'].includes((tokens[a] as { text: string }).text) ? 1 : 2;
  if (a + width !== hit.start) return undefined;
  return [synthetic('make', first), ...tokens.slice(0, a), ...tokens.slice(a + width)];
}

const PERSON_KINDS = new Set(['mention', 'at', 'email']);
const PARTICIPLES: Record<string, string> = {
  added: 'add',
  upgraded: 'upgrade',
  promoted: 'promote',
  granted: 'grant',
  given: 'give',
  made: 'make',
  removed: 'remove',
};

/**
 * Requests phrased around "get", rewritten to the imperative they mean, so the same grammar and the
 * same guards read them: "can <@U1> get editor?" → "give <@U1> editor"; "could we get <@U1> added
 * as a viewer" → "add <@U1> as a viewer". Only a person written as a mention, @name or email
 * counts, never a plain word. Undefined when the clause has neither shape.
 */
export function reshape(tokens: Token[]): Token[] | undefined {
  const [a, b, c] = tokens;
  if (!a) return undefined;
  // "<@U1> should be an editor" → "make <@U1> an editor"
  if (PERSON_KINDS.has(a.kind) && isWord(b, 'should', 'can', 'could') && isWord(c, 'be'))
    return [synthetic('make', a), a, ...tokens.slice(3)];
  // "i'd like to request editor", "looking to get viewer for <@U1>" → "(i) need …"
  let w = 0;
  if (isWord(tokens[w], "i'm", 'im', "we're")) w++;
  if (isWord(tokens[w], "i'd", "we'd") && isWord(tokens[w + 1], 'like')) w += 2;
  else if (isWord(tokens[w], 'i', 'we') && isWord(tokens[w + 1], 'would') && isWord(tokens[w + 2], 'like'))
    w += 3;
  else if (isWord(tokens[w], 'looking', 'hoping', 'trying', 'wanting')) w++;
  if (w > 0 && isWord(tokens[w], 'to') && isWord(tokens[w + 1], 'request', 'get', 'have'))
    return [synthetic('need', tokens[w + 1] as Token), ...tokens.slice(w + 2)];
  if (isWord(a, 'can', 'could', 'may') && b && PERSON_KINDS.has(b.kind) && isWord(c, 'get', 'have'))
    return [synthetic('give', a), b, ...tokens.slice(3)];
  let k = 0;
  if (isWord(tokens[k], 'can', 'could', 'may')) k++;
  if (k > 0 && isWord(tokens[k], 'we', 'i', 'you', 'u')) k++;
  if (!isWord(tokens[k], 'get')) return undefined;
  const people: Token[] = [];
  let p = k + 1;
  while (p < tokens.length && people.length < 6) {
    const t = tokens[p] as Token;
    if (!(PERSON_KINDS.has(t.kind) || isWord(t, 'and') || (t.kind === 'punct' && t.text === ','))) break;
    people.push(t);
    p++;
  }
  const pp = tokens[p];
  const verb = pp?.kind === 'word' ? PARTICIPLES[pp.text] : undefined;
  if (!people.some((t) => PERSON_KINDS.has(t.kind)) || !verb || !pp) return undefined;
  return [synthetic(verb, pp), ...people, ...tokens.slice(p + 1)];
}
