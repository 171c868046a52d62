import type { Target } from '../../core/intent.ts';
import { EVERYONE_WORDS, ME_WORDS, NOT_NAMES, PRONOUNS } from './lexicon.ts';
import type { Token } from './text.ts';

/**
 * People named in a stretch of tokens: Slack mentions, emails, "me", or plain names, separated by
 * commas and "and". Anything else (everyone, @here, "my manager", "bob or carol") is not a list of
 * people and fails, so the caller answers `none` rather than guess who was meant.
 */
export type TargetParse = { ok: true; targets: Target[] } | { ok: false };

const SEPARATORS = new Set([',', '&', '+', '/']);
const DROP = new Set(['user', 'mr', 'ms', 'mrs', 'dr', '@']);
const NAME_WORD = /^[a-z\u00c0-\u024f][a-z0-9\u00c0-\u024f._-]*$/i;

export function parseTargets(tokens: Token[], previous: Target[] = []): TargetParse {
  const groups: Token[][] = [[]];
  for (const t of tokens) {
    if (
      (t.kind === 'punct' && SEPARATORS.has(t.text)) ||
      (t.kind === 'word' && ['and', 'plus'].includes(t.text))
    )
      groups.push([]);
    else if (t.kind === 'word' && t.text === 'or') return { ok: false };
    else if (t.kind === 'punct' && DROP.has(t.text)) continue;
    else if (!(t.kind === 'word' && DROP.has(t.text))) groups[groups.length - 1]?.push(t);
  }
  const targets: Target[] = [];
  for (const g of groups) {
    if (g.length === 0) continue;
    const one = group(g, previous);
    if (!one) return { ok: false };
    targets.push(...one);
  }
  const unique = targets.filter((t, i) => targets.findIndex((o) => same(o, t)) === i);
  if (unique.length === 0 || unique.length > 10) return { ok: false };
  return { ok: true, targets: unique };
}

function group(g: Token[], previous: Target[]): Target[] | undefined {
  const [first] = g;
  if (!first) return undefined;
  if (g.length === 1) {
    if (first.kind === 'mention') return [{ kind: 'slack_user', userId: first.userId }];
    if (first.kind === 'email') return [{ kind: 'email', email: first.email }];
    if (first.kind === 'at') return [{ kind: 'name', name: first.name }];
    if (first.kind === 'word' && ME_WORDS.has(first.text)) return [{ kind: 'me' }];
    if (first.kind === 'word' && PRONOUNS.has(first.text)) return previous.length ? previous : undefined;
  }
  // "@Dana Kim": Slack turns only "@Dana" into an at-name; capitalised words after it finish the name.
  if (first.kind === 'at' && g.length <= 3 && /^\p{Lu}/u.test(first.name)) {
    const rest = g.slice(1) as Extract<Token, { kind: 'word' }>[];
    if (
      rest.every(
        (w) =>
          w.kind === 'word' &&
          /^\p{Lu}[\p{L}'-]*$/u.test(w.raw) &&
          !NOT_NAMES.has(w.text) &&
          !ME_WORDS.has(w.text),
      )
    )
      return [{ kind: 'name', name: [first.name, ...rest.map((w) => w.raw)].join(' ') }];
  }
  if (g.every((t) => t.kind === 'word')) {
    if (g.length > 3) return undefined;
    const words = g as Extract<Token, { kind: 'word' }>[];
    if (words.some((w) => NOT_NAMES.has(w.text) || EVERYONE_WORDS.has(w.text) || ME_WORDS.has(w.text)))
      return undefined;
    if (!words.every((w) => NAME_WORD.test(w.raw) && !/^\d/.test(w.raw))) return undefined;
    // "Bob Smith" is a name; "bob super" (in "make bob super admin") is not one we can trust.
    if (words.length > 1 && !words.every((w) => /^\p{Lu}/u.test(w.raw))) return undefined;
    return [{ kind: 'name', name: words.map((w) => w.raw).join(' ') }];
  }
  return undefined;
}

export function same(a: Target, b: Target): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'me':
      return true;
    case 'slack_user':
      return a.userId === (b as typeof a).userId;
    case 'email':
      return a.email.toLowerCase() === (b as typeof a).email.toLowerCase();
    case 'name':
      return a.name.toLowerCase() === (b as typeof a).name.toLowerCase();
  }
}
