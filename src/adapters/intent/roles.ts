import type { Token } from './text.ts';

/**
 * Finds catalogue roles in tokens. Only names from the tenant's catalogue ever come out: exact
 * key ("billing-admin"), its words ("billing admin", "admin of billing"), plurals, a few synonyms
 * that map onto a catalogue role ("administrator" → admin, "read-only" → viewer), and one-letter
 * typos in words of five letters or more. A word close to two roles is ambiguous, never a guess.
 */
export interface RoleHit {
  /** Undefined when the words are equally close to two different roles. */
  role: string | undefined;
  /** Token indexes [start, end). */
  start: number;
  end: number;
}

/** Whole-role synonyms, used only when the role exists and the synonym is not itself a role. */
const PHRASES: Record<string, string[][]> = {
  viewer: [['read-only'], ['readonly'], ['read', 'only'], ['view-only'], ['view', 'only']],
  editor: [
    ['edit', 'access'],
    ['write', 'access'],
    ['edit', 'rights'],
    ['write', 'rights'],
  ],
  owner: [['ownership']],
};
/** Word synonyms, also inside composite roles ("billing administrator"). */
const WORDS: Record<string, string> = {
  administrator: 'admin',
  administrators: 'admin',
  admins: 'admin',
  // Short forms people type for long role names (only ever onto a role the catalogue has).
  mod: 'moderator',
  mods: 'moderator',
  contrib: 'contributor',
  dev: 'developer',
  devs: 'developer',
};
/** Common words one letter away from usual role names: never read as typos. */
const NOT_TYPOS = new Set([
  'admit',
  'admits',
  'order',
  'owned',
  'edits',
  'edited',
  'viewed',
  'views',
  'audit',
  'about',
  'after',
  'other',
  'there',
  'their',
  'where',
  'later',
  'leader',
  'reader',
  'readers',
  'writer',
  'power',
  'agency',
  'manage',
  'managed',
  'member',
  'members',
  'remove',
  'revoke',
]);

/** Optimal string alignment distance is at most 1 (one insert, delete, substitute or swap). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** 0 exact, 1 plural or synonym, 2 typo; undefined when the word is not this canonical word. */
function wordScore(word: string, canonical: string, catalogueWords: Set<string>): number | undefined {
  if (word === canonical) return 0;
  if (catalogueWords.has(word)) return undefined;
  if (word === `${canonical}s` || word === `${canonical}es`) return 1;
  if (WORDS[word] === canonical) return 1;
  if (word.length < 5 || NOT_TYPOS.has(word)) return undefined;
  if (canonical.length >= 5 && withinOneEdit(word, canonical)) return 2;
  for (const [syn, target] of Object.entries(WORDS))
    if (target === canonical && syn.length >= 5 && withinOneEdit(word, syn)) return 2;
  return undefined;
}

function variants(role: string, catalogue: Set<string>): string[][] {
  const key = role.toLowerCase();
  const parts = key.split(/[-_\s]+/).filter(Boolean);
  const out: string[][] = [[key]];
  if (parts.length > 1) out.push(parts);
  if (parts.length === 2)
    for (const p of ['of', 'for', 'on', 'in']) out.push([parts[1] ?? '', p, parts[0] ?? '']);
  for (const phrase of PHRASES[key] ?? []) if (!phrase.some((w) => catalogue.has(w))) out.push(phrase);
  return out;
}

export function findRoles(tokens: Token[], roles: string[]): RoleHit[] {
  const catalogue = new Set(roles.map((r) => r.toLowerCase()));
  const catalogueWords = new Set([...catalogue].flatMap((r) => [r, ...r.split(/[-_\s]+/)]));
  const table = roles.map((role) => ({ role, seqs: variants(role, catalogue) }));
  const hits: RoleHit[] = [];
  let i = 0;
  while (i < tokens.length) {
    let best: { len: number; score: number; roles: Set<string> } | undefined;
    for (const { role, seqs } of table)
      for (const seq of seqs) {
        let score = 0;
        let ok = true;
        for (let k = 0; k < seq.length && ok; k++) {
          const t = tokens[i + k];
          const s = t?.kind === 'word' ? wordScore(t.text, seq[k] ?? '', catalogueWords) : undefined;
          if (s === undefined) ok = false;
          else score = Math.max(score, s);
        }
        if (!ok) continue;
        if (!best || seq.length > best.len || (seq.length === best.len && score < best.score))
          best = { len: seq.length, score, roles: new Set([role]) };
        else if (seq.length === best.len && score === best.score) best.roles.add(role);
      }
    if (best) {
      hits.push({
        role: best.roles.size === 1 ? [...best.roles][0] : undefined,
        start: i,
        end: i + best.len,
      });
      i += best.len;
    } else i++;
  }
  return hits;
}

/** Words that belong to some catalogue role ("billing" in billing-admin): a scope, never a reason. */
export function roleWords(roles: string[]): Set<string> {
  return new Set(roles.flatMap((r) => r.toLowerCase().split(/[-_\s]+/)));
}
