import { Intent, type Target } from '../../core/intent.ts';
import { addressedOnly } from '../intent/clauses.ts';
import { findDurations, namesAZone } from '../intent/duration-finder.ts';
import { type DurationContext, parseDurationPhrase } from '../intent/durations.ts';
import { asksForMoreTime, EXTEND_VERBS, extensionSpan } from '../intent/extension.ts';
import {
  EVERYONE_WORDS,
  GRANT_WORDS,
  ME_WORDS,
  PRONOUNS,
  REVOKE_WORDS,
  ROLE_NOUNS,
  SENDER_WORDS,
} from '../intent/lexicon.ts';
import { findRoles } from '../intent/roles.ts';
import { decodeEntities, type Token, tokenize } from '../intent/text.ts';
import { TOOL_NAMES, ToolInputs, type ToolName, type ToolTarget } from './tools.ts';

/**
 * Turns the model's tool calls into intents, and refuses any that is not grounded in the message:
 * a person, role or duration the text does not contain is dropped with the reason. This is what
 * makes "the model granted owner to someone nobody mentioned" impossible, whatever the model says.
 */
export interface ToolCall {
  name: string;
  input: unknown;
}

export type Grounded = { ok: true; intent: Intent } | { ok: false; tool: string; reason: string };

export interface GroundingContext extends DurationContext {
  text: string;
  roles: string[];
}

export function groundAll(calls: ToolCall[], ctx: GroundingContext): Grounded[] {
  const facts = factsOf(ctx);
  return calls.map((c) => ground(c, ctx, facts));
}

interface Facts {
  userIds: Set<string>;
  /** Mentions of the bot being addressed, not people to act on. */
  addressees: Set<string>;
  words: Set<string>;
  /** The sender is spoken of: "me", "I", or "my" before a role ("my editor role"), not "my manager". */
  sender: boolean;
  emails: Set<string>;
  lowerText: string;
  roles: Set<string>;
  hasDuration: boolean;
}

function factsOf(ctx: GroundingContext): Facts {
  const tokens = tokenize(ctx.text);
  return {
    userIds: new Set(tokens.flatMap((t) => (t.kind === 'mention' ? [t.userId] : []))),
    addressees: addressedOnly(tokens),
    words: new Set(tokens.flatMap((t) => (t.kind === 'word' ? [t.text] : []))),
    sender: speaksOfSender(tokens, ctx.roles),
    emails: new Set(tokens.flatMap((t) => (t.kind === 'email' ? [t.email] : []))),
    lowerText: decodeEntities(ctx.text).toLowerCase().replace(/[’]/g, "'"),
    roles: new Set(findRoles(tokens, ctx.roles).flatMap((h) => (h.role ? [h.role] : []))),
    hasDuration: findDurations(ctx.text, ctx).length > 0,
  };
}

function speaksOfSender(tokens: Token[], roles: string[]): boolean {
  const roleWords = new Set(roles.flatMap((r) => [r.toLowerCase(), ...r.toLowerCase().split(/[-_]+/)]));
  return tokens.some((t, i) => {
    if (t.kind !== 'word') return false;
    if (SENDER_WORDS.has(t.text)) return true;
    const next = tokens[i + 1];
    return (
      t.text === 'my' &&
      next?.kind === 'word' &&
      (ROLE_NOUNS.has(next.text) || findRoles([next], roles).length > 0 || roleWords.has(next.text))
    );
  });
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const containsWords = (haystack: string, needle: string) =>
  new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegex(needle)}(?![\\p{L}\\p{N}])`, 'u').test(haystack);
const normalSpace = (s: string) => s.replace(/\s+/g, ' ').trim();

function target(t: ToolTarget, facts: Facts): Target | string {
  const value = t.value.trim();
  switch (t.kind) {
    case 'me':
      return facts.sender ? { kind: 'me' } : 'target "me" but the message never speaks of the sender';
    case 'slack_user':
      if (facts.addressees.has(value)) return `user ${value} is only addressed, not asked about`;
      return facts.userIds.has(value)
        ? { kind: 'slack_user', userId: value }
        : `user ${value} is not mentioned`;
    case 'email':
      return facts.emails.has(value.toLowerCase())
        ? { kind: 'email', email: value.toLowerCase() }
        : `email ${value} is not in the message`;
    case 'name': {
      const name = value.replace(/^@/, '').trim();
      const lower = name.toLowerCase();
      if (!name || name.length > 100) return 'empty or overlong name';
      if (
        EVERYONE_WORDS.has(lower) ||
        PRONOUNS.has(lower) ||
        ME_WORDS.has(lower) ||
        /^(here|channel)$/.test(lower)
      )
        return `"${name}" is not a person's name`;
      return containsWords(facts.lowerText, lower)
        ? { kind: 'name', name }
        : `name "${name}" is not in the message`;
    }
  }
}

function ground(call: ToolCall, ctx: GroundingContext, facts: Facts): Grounded {
  const tool = call.name;
  if (!(TOOL_NAMES as readonly string[]).includes(tool)) return { ok: false, tool, reason: 'unknown tool' };
  const schema = ToolInputs[tool as ToolName];
  const parsed = schema.safeParse(call.input);
  if (!parsed.success)
    return { ok: false, tool, reason: `invalid input: ${parsed.error.issues[0]?.message ?? ''}` };
  const input = parsed.data as Record<string, unknown>;
  let intent: unknown;
  switch (tool as ToolName) {
    case 'cancel':
      intent = { kind: 'cancel' };
      break;
    case 'none':
      intent = { kind: 'none', reason: input.reason };
      break;
    case 'help':
      intent = { kind: 'help' };
      break;
    case 'who_holds': {
      // Same grounding as a role change: a catalogue role the message itself names.
      const role = ctx.roles.find((r) => r.toLowerCase() === String(input.role).toLowerCase());
      if (!role || !facts.roles.has(role))
        return { ok: false, tool, reason: 'role not named in the message' };
      intent = { kind: 'who_holds', role };
      break;
    }
    case 'get_roles':
    case 'lookup_user': {
      const t = target(input.target as ToolTarget, facts);
      if (typeof t === 'string') return { ok: false, tool, reason: t };
      intent = { kind: tool, target: t };
      break;
    }
    case 'request_role_change': {
      const r = roleChange(input as unknown as RoleChangeInput, ctx, facts);
      if (typeof r === 'string') return { ok: false, tool, reason: r };
      intent = r;
    }
  }
  const checked = Intent.safeParse(intent);
  return checked.success
    ? { ok: true, intent: checked.data }
    : { ok: false, tool, reason: 'intent fails the schema' };
}

interface RoleChangeInput {
  action: 'grant' | 'revoke';
  targets: ToolTarget[];
  role: string;
  duration_phrase: string;
  justification: string;
  extend?: boolean;
}

function roleChange(
  input: RoleChangeInput,
  ctx: GroundingContext,
  facts: Facts,
): Record<string, unknown> | string {
  const role =
    ctx.roles.find((r) => r === input.role) ??
    ctx.roles.find((r) => r.toLowerCase() === input.role.toLowerCase());
  if (!role) return `role "${input.role}" is not in the catalogue`;
  if (!facts.roles.has(role)) return `role "${role}" is not named in the message`;
  const asks = input.action === 'grant' ? GRANT_WORDS : REVOKE_WORDS;
  if (![...facts.words].some((w) => asks.has(w))) return `no word in the message asks to ${input.action}`;
  const targets: Target[] = [];
  for (const t of input.targets) {
    const g = target(t, facts);
    if (typeof g === 'string') return g;
    targets.push(g);
  }
  const out: Record<string, unknown> = { kind: 'request_role_change', action: input.action, targets, role };
  const phrase = normalSpace(input.duration_phrase);
  const asksToExtend = [...facts.words].some((w) => EXTEND_VERBS.has(w)) || asksForMoreTime(facts.lowerText);
  // "extend my admin by 1 hour" read as a plain grant would be open-ended or counted wrongly.
  if (asksToExtend && !input.extend && input.action === 'grant')
    return 'the message asks to extend a grant but the call is a new grant';
  if (input.extend) {
    // An extension counts from the current grant's end: it must say so and say by how much.
    if (input.action !== 'grant') return 'only a grant can be extended';
    if (!asksToExtend) return 'no word in the message asks to extend';
    if (!phrase || !facts.lowerText.replace(/\s+/g, ' ').includes(phrase.toLowerCase()))
      return `extension phrase "${phrase}" is not in the message`;
    const value = extensionSpan(phrase, ctx);
    if (!value) return `extension phrase "${phrase}" is not understood`;
    Object.assign(out, value, { extend: true });
  } else if (phrase) {
    if (input.action === 'revoke') return 'a revoke with a duration is not supported';
    if (!facts.lowerText.replace(/\s+/g, ' ').includes(phrase.toLowerCase()))
      return `duration phrase "${phrase}" is not in the message`;
    const value = parseDurationPhrase(phrase, ctx);
    if (!value) return `duration phrase "${phrase}" is not understood`;
    // "until 17:00 CET" quoted as "until 17:00" would be read in the sender's zone: maybe later.
    const spaced = facts.lowerText.replace(/\s+/g, ' ');
    const at = spaced.indexOf(phrase.toLowerCase());
    if (namesAZone(spaced.slice(at + phrase.length)))
      return `duration phrase "${phrase}" is in another time zone`;
    Object.assign(out, value);
  } else if (input.action === 'grant' && facts.hasDuration) {
    // The text limits the grant in time but the model did not say how: granting open-ended
    // would be longer than asked.
    return 'the message has a time limit the model did not quote';
  }
  const why = normalSpace(input.justification);
  if (why) out.justification = why.slice(0, 500);
  return out;
}
