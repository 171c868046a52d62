import type { Intent, Target } from '../../core/intent.ts';
import { trimPoliteness } from './clauses.ts';
import { type DurationContext, type DurationValue, parseDurationPhrase, parseSpan } from './durations.ts';
import { clauseGuard, wordsOf } from './guards.ts';
import { EXTEND_VERBS, EXTENSION_NOUNS, JUSTIFICATION_STARTS } from './lexicon.ts';
import type { NoneReason } from './role-change.ts';
import { findRoles } from './roles.ts';
import { parseTargets } from './targets.ts';
import { isWord, type Token, tokenize } from './text.ts';

export { EXTEND_VERBS } from './lexicon.ts';

/**
 * "extend my admin by 1 hour", "extend <@U1>'s editor role for 2 more hours", "prolong dana's
 * admin access until 6pm": one person's one role, lengthened by a span counted from the end of
 * their current grant (code finds that end; policy then judges the whole remaining length).
 * Anything else in the message is not understood, so half an extension is never a plain grant.
 */
const MORE_WORDS = /\b(?:more|extra|longer|additional)\b/g;
/** The verbless extension: a wish or "add", the extra span, "on"/"to"/"for", whose role. */
const MORE_ON =
  /^(?:(?:please |pls |can (?:i|you|we) |could (?:i|you|we) )?(?:i |we )?(?:need|want|get|have|add|give me|grant me|request)[ \t]+)?((?:another|an? (?:extra|additional)|one more|\d{1,3} (?:more|extra|additional))(?: \d{1,3})? [a-z]{1,8})[ \t]+(?:on|to|for|onto)[ \t]+([^\n?!.,]{1,79}[^\s?!.,])[?!.]*$/i;

export type ExtensionResult = { intent: Intent } | { none: NoneReason };

/** "need 1 more hour on my admin": an extension without its verb (the LLM path's grounding asks too). */
export const asksForMoreTime = (text: string): boolean => MORE_ON.test(text.trim());

/** Undefined when the message is no extension (no extend verb): the ordinary parser handles it. */
export function parseExtension(
  tokens: Token[],
  source: string,
  roles: string[],
  ctx: DurationContext,
): ExtensionResult | undefined {
  const toks = trimPoliteness(tokens);
  const v = toks.findIndex((t) => t.kind === 'word' && EXTEND_VERBS.has(t.text));
  if (v < 0) {
    // "need 1 more hour on my maintainer access", "add another 2 days to <@U1>'s editor access":
    // the same extension said without its verb, read as "extend <whose role> by <span>".
    const m = MORE_ON.exec(source.trim());
    if (!m?.[1] || !m[2]) return undefined;
    const said = `extend ${m[2]} by ${m[1]}`;
    const again = parseExtension(tokenize(said), said, roles, ctx);
    return again && 'intent' in again ? again : undefined;
  }
  const guard = clauseGuard(wordsOf(toks));
  if (guard) return { none: guard };
  if (v !== 0) return { none: 'unclear' };

  let end = toks.length;
  let justification: string | undefined;
  const j = toks.findIndex((t) => t.kind === 'word' && JUSTIFICATION_STARTS.has(t.text));
  if (j > 0) {
    end = j;
    const from = toks[j + 1];
    const to = toks[toks.length - 1];
    if (!from || !to) return { none: 'unclear' };
    justification = source.slice(from.start, to.end).trim();
  }
  const body = toks.slice(1, end);
  const hits = findRoles(body, roles);
  if (hits.length === 0) return { none: 'unknown_role' };
  const hit = hits[0];
  if (hits.length > 1 || !hit?.role) return { none: 'unclear' };

  const target = ownerOf(body.slice(0, hit.start));
  if (!target) return { none: 'unclear' };
  let rest = body.slice(hit.end);
  while (rest[0]?.kind === 'word' && EXTENSION_NOUNS.has(rest[0].text)) rest = rest.slice(1);
  const first = rest[0];
  const last = rest[rest.length - 1];
  if (!first || !last || rest.some((t) => t.kind !== 'word' && !(t.kind === 'punct' && t === last)))
    return { none: 'unclear' };
  const phrase = source.slice(first.start, last.end).replace(/(?<![.!])[.!]+$/, '');
  const value = extensionSpan(phrase, ctx);
  if (!value) return { none: 'unclear' };
  const intent: Intent = {
    kind: 'request_role_change',
    action: 'grant',
    targets: [target],
    role: hit.role,
    ...value,
    extend: true,
  };
  if (justification) intent.justification = justification.slice(0, 500);
  return { intent };
}

/** "my", "<@U1>'s", "dana's", "bob@x.com's": whose grant. */
function ownerOf(pre: Token[]): Target | undefined {
  const words = pre.filter((t) => !isWord(t, 'the', 'current'));
  if (words.length === 1 && isWord(words[0], 'my')) return { kind: 'me' };
  if (words.length < 2 || !isWord(words[words.length - 1], "'s")) return undefined;
  const p = parseTargets(words.slice(0, -1));
  return p.ok && p.targets.length === 1 ? p.targets[0] : undefined;
}

/**
 * The extra time: "by 1 hour", "for 2 more hours", "for another hour", "by an extra 30 minutes",
 * "until 6pm". A span is relative to the current end; an "until" is the new end itself.
 */
export function extensionSpan(phrase: string, ctx: DurationContext): DurationValue | undefined {
  const p = phrase.toLowerCase().replace(/\s+/g, ' ').trim();
  if (/^(?:until|till|up until)\b/.test(p)) {
    const value = parseDurationPhrase(p, ctx);
    return value && 'until' in value ? value : undefined;
  }
  const m = /^(?:by|for) (.+)$/.exec(p);
  if (!m?.[1]) return undefined;
  const span = m[1]
    // "another 30 minutes" is 30 minutes; "another hour" is an hour.
    .replace(/^(?:another|an? (?:extra|additional|further)) (?=\d)/, '')
    .replace(/^(?:another|an? (?:extra|additional|further)) /, 'an ')
    .replace(MORE_WORDS, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const ms = parseSpan(span);
  return ms && ms > 0 ? { durationMs: ms } : undefined;
}
