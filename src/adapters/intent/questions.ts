import type { Intent, Target } from '../../core/intent.ts';
import { ROLE_NOUNS } from './lexicon.ts';
import type { ClauseResult } from './role-change.ts';
import { findRoles } from './roles.ts';
import { parseTargets } from './targets.ts';
import type { Token } from './text.ts';

/**
 * Questions about people: "what roles does X have" (get_roles), "who is X" / "look up X"
 * (lookup_user), plus the questions we recognise but do not support ("who has admin?"). Matching
 * runs on a shape of the clause (words, `@m` for mentions, `@e` for emails) so a regex group maps
 * back to the tokens that hold the people.
 */
interface Shape {
  text: string;
  /** Start offset in `text` of each token. */
  starts: number[];
}

function shapeOf(tokens: Token[]): Shape {
  const starts: number[] = [];
  let text = '';
  for (const t of tokens) {
    if (text) text += ' ';
    starts.push(text.length);
    text +=
      t.kind === 'word'
        ? t.text
        : t.kind === 'punct'
          ? t.text
          : { mention: '@m', email: '@e', at: '@a', group: '@g', other: '@o' }[t.kind];
  }
  return { text, starts };
}

const R = '(?:roles?|access|permissions?|perms|groups?|rights|privileges)';
const NOW = '(?: currently| right now| now| at the moment| today)?';
const GET_ROLES: RegExp[] = [
  new RegExp(
    `^(?:what|which) ${R}(?: do| does| did| has| have)? (?<t>.+?) (?:currently |already |still )?(?:have|has|hold|holds|got|own|owns)${NOW}$`,
    'd',
  ),
  new RegExp(`^(?:what|which) (?:are|is|'s|'re) (?:(?<t>.+?) 's|(?<me>my)) (?:current )?${R}${NOW}$`, 'd'),
  new RegExp(`^(?:what|which) (?:are|is|'s) (?:the )?(?:current )?${R} (?:of|for) (?<t>.+)$`, 'd'),
  new RegExp(
    `^(?:show|list|get|check|see|display|view|give)(?: me)? (?:the |all )?${R} (?:of|for) (?<t>.+)$`,
    'd',
  ),
  new RegExp(`^(?:show|list|get|check|see|display|view)(?: me)? (?:(?<t>.+?) 's|(?<me>my)) ${R}$`, 'd'),
  new RegExp(`^(?:(?<t>.+?) 's|(?<me>my)) ${R}$`, 'd'),
  new RegExp(`^${R} (?:of|for) (?<t>.+)$`, 'd'),
  new RegExp(`^(?:does|do) (?<t>.+?) (?:have|hold|own|still have|already have) (?:any )?${R}$`, 'd'),
];
const LOOKUP: RegExp[] = [
  /^who (?:am) (?<me>i)$/d,
  /^(?:who|whom) (?:is|'s|are|was) (?<t>.+)$/d,
  /^(?:look|looks) up (?<t>.+)$/d,
  /^look (?<t>.+?) up$/d,
  /^(?:lookup|look-up|whois|find|find user|find person|search for|search) (?<t>.+?)(?: for me)?$/d,
  /^(?:tell me|info|information|details|more) (?:about|on|for) (?<t>.+)$/d,
];
const UNSUPPORTED: RegExp[] = [
  /^who (?:has|have|holds|hold|else|all|can|owns)\b/,
  /^(?:list|show)(?: me)? (?:all |every )?(?:the )?(?:roles|available roles|users|members|people|groups)$/,
  /^(?:what|which) (?:roles?|access|groups?) (?:are|is|exist|can)\b/,
  /\b(?:password|passwords|mfa|2fa|passcode|sso)\b/,
  /^(?:create|make|add|delete|remove|deactivate|suspend|disable|invite|onboard|offboard)(?: me)? (?:a |an |the )?(?:new )?(?:role|user|account|group|channel|workspace)\b/,
  /\b(?:deactivate|suspend|offboard|onboard|invite|reactivate|unlock)\b/,
];

const tokensIn = (shape: Shape, tokens: Token[], start: number, end: number) =>
  tokens.filter((_, i) => (shape.starts[i] ?? -1) >= start && (shape.starts[i] ?? -1) < end);

function targetsOf(
  m: RegExpExecArray,
  shape: Shape,
  tokens: Token[],
  roles: string[],
): Target[] | ClauseResult {
  if (m.groups?.me) return [{ kind: 'me' }];
  const span = m.indices?.groups?.t;
  if (!span) return { none: 'unclear' };
  const who = tokensIn(shape, tokens, span[0], span[1]);
  const p = parseTargets(who);
  if (p.ok) return p.targets;
  // "who is the admin?", "what roles does an owner have?": about a role, not a person.
  if (findRoles(who, roles).length) return { none: 'unsupported' };
  // "who's up for lunch?": nothing there could be a person or a role; no request at all.
  const person =
    who.some((t) => t.kind !== 'word' && t.kind !== 'punct') ||
    who.some((t) => t.kind === 'word' && /^\p{Lu}/u.test(t.raw));
  return { none: person ? 'unclear' : 'not_a_request' };
}

/** Undefined when the clause is not a question we know. */
export function parseQuestion(tokens: Token[], roles: string[]): ClauseResult | undefined {
  const shape = shapeOf(tokens);
  const hasRole = findRoles(tokens, roles).length > 0;
  const answer = (kind: 'get_roles' | 'lookup_user', m: RegExpExecArray): ClauseResult => {
    const t = targetsOf(m, shape, tokens, roles);
    if (!Array.isArray(t)) return t;
    return { intents: t.map((target): Intent => ({ kind, target })) };
  };
  for (const re of GET_ROLES) {
    const m = re.exec(shape.text);
    if (m) return answer('get_roles', m);
  }
  const roleQuestion = roleHeld(tokens, shape, roles);
  if (roleQuestion) return roleQuestion;
  if (UNSUPPORTED.some((re) => re.test(shape.text)) && !(hasRole && /^(?:remove|delete)\b/.test(shape.text)))
    return { none: 'unsupported' };
  for (const re of LOOKUP) {
    const m = re.exec(shape.text);
    if (m) return answer('lookup_user', m);
  }
  return undefined;
}

/** "does bob have admin?", "is bob an admin?", "am I an owner?": which roles bob has. */
function roleHeld(tokens: Token[], shape: Shape, roles: string[]): ClauseResult | undefined {
  let last = tokens.length;
  while (
    last > 0 &&
    (ROLE_NOUNS.has(wordAt(tokens, last - 1)) ||
      ['already', 'still', 'currently', 'now'].includes(wordAt(tokens, last - 1)))
  )
    last--;
  const hits = findRoles(tokens.slice(0, last), roles);
  const hit = hits[hits.length - 1];
  if (hits.length !== 1 || !hit?.role || hit.end !== last) return undefined;
  const prefix = shape.text.slice(0, (shape.starts[hit.start] ?? 1) - 1);
  const m =
    /^(?:(?:does|do) (?<t>.+?) (?:still |already |currently )?(?:have|hold|own)|(?:is|are) (?<t2>.+?)|am (?<me>i))(?: a| an| the)?$/d.exec(
      prefix,
    );
  if (!m) return undefined;
  if (m.groups?.me) return { intents: [{ kind: 'get_roles', target: { kind: 'me' } }] };
  const span = m.indices?.groups?.t ?? m.indices?.groups?.t2;
  if (!span) return undefined;
  const p = parseTargets(tokensIn(shape, tokens, span[0], span[1]));
  if (!p.ok) return { none: 'unclear' };
  return { intents: p.targets.map((target): Intent => ({ kind: 'get_roles', target })) };
}

const wordAt = (tokens: Token[], i: number): string => {
  const t = tokens[i];
  return t?.kind === 'word' ? t.text : '';
};
