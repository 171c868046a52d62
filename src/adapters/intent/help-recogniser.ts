import { editDistance } from '../../core/edit-distance.ts';
import type { Intent } from '../../core/intent.ts';

/**
 * Recognises the two questions about Rolecall itself — "help" / "what can I do?" and "who are the
 * admins?" — before the role-change parser sees the text. Deliberately narrow: the whole message
 * must be one of these shapes, so a request that merely contains "help" still goes to the parser.
 * Kept out of the parser so both can change independently.
 */
const LEAD = String.raw`^(?:(?:hi|hey|hello|ok|so)[,!]?\s+)?(?:rolecall[,:]?\s+)?`;
const TAIL = String.raw`(?:\s+(?:please|pls|here|today))?\s*[?!.]*\s*$`;

const HELP = new RegExp(
  LEAD +
    String.raw`(?:help(?:\s+me)?|commands|usage|what\s+can\s+(?:i|you)\s+(?:do|ask(?:\s+for)?|request)` +
    String.raw`|what\s+(?:roles\s+)?can\s+i\s+(?:ask\s+for|request|get)|how\s+does\s+this\s+work` +
    String.raw`|what\s+do\s+you\s+do|how\s+do\s+i\s+use\s+(?:you|this|rolecall))` +
    TAIL,
  'i',
);

const WHO = new RegExp(
  LEAD +
    String.raw`(?:who\s+(?:are|is|'s|’s)\s+(?:the\s+|an?\s+|our\s+)?|who\s+(?:has|holds)\s+(?:the\s+)?` +
    String.raw`|(?:list|show)(?:\s+me)?\s+(?:all\s+)?(?:the\s+)?)` +
    String.raw`([a-z][a-z0-9_-]*)(?:\s+role)?(?:\s+here)?` +
    TAIL,
  'i',
);

/** The catalogue role a word names: itself or its plural ("admins", "owners"). */
function roleOf(word: string, roles: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  return roles.find((r) => r === w || `${r}s` === w || `${r}es` === w);
}

export function recogniseHelp(text: string, roles: readonly string[]): Intent | undefined {
  const t = text.trim();
  if (t.length > 120) return undefined;
  if (HELP.test(t)) return { kind: 'help' };
  const m = WHO.exec(t);
  const role = m?.[1] ? roleOf(m[1], roles) : undefined;
  return role ? { kind: 'who_holds', role } : undefined;
}

type Partial = NonNullable<Extract<Intent, { kind: 'none' }>['partial']>;
const UNIT: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SPAN = /(?:\bfor\s+|,\s*)(\d{1,4}|an?|one)\s*(minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)\b/i;
const FOREVER =
  /\bfor\s+(?:\d{1,4}|an?|one|a few|several|many)?\s*(?:years?|yrs?|decades?|centur(?:y|ies)|millenni(?:um|a))\b/i;
const REASON = /\b(?:because|since|reason:?|ticket|for ticket)\s+(.{3,200}?)\s*[.!]?$/i;

/**
 * What a message the extractor did not understand still says, read leniently — to pre-fill the
 * request form and to give "for 0 hours" / "for 100 years" their own answer. Never acted on:
 * the person checks and submits the form, and the policy judges that.
 */
export function readPartial(
  text: string,
  roles: readonly string[],
): { partial: Partial; reason?: 'zero_duration' | 'too_long' } {
  const partial: Partial = {};
  const targets: Partial['targets'] = [];
  for (const m of text.matchAll(/<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>/g))
    targets.push({ kind: 'slack_user', userId: m[1]! });
  for (const m of text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g))
    if (!m[0].startsWith('<@')) targets.push({ kind: 'email', email: m[0].toLowerCase() });
  if (targets.length === 0 && /\b(?:me|myself|i|my)\b/i.test(text)) targets.push({ kind: 'me' });
  // "<mailto:a@b.com|a@b.com>" holds the address twice: one person.
  const unique = targets.filter(
    (t, k) => targets.findIndex((o) => JSON.stringify(o) === JSON.stringify(t)) === k,
  );
  if (unique.length) partial.targets = unique.slice(0, 10);
  const words = text.toLowerCase().match(/[a-z][a-z0-9_-]*/g) ?? [];
  // A near miss ("editr", "adminstrator") is offered too: it only pre-fills the form.
  const role =
    words.map((w) => roleOf(w, roles)).find(Boolean) ?? words.map((w) => nearRole(w, roles)).find(Boolean);
  if (role) partial.role = role;
  let reason: 'zero_duration' | 'too_long' | undefined;
  const span = SPAN.exec(text);
  if (span) {
    const n = /^\d+$/.test(span[1]!) ? Number(span[1]) : 1;
    const ms =
      n *
      (UNIT[span[2]!.toLowerCase().startsWith('mi') || span[2] === 'm' ? 'm' : span[2]!.toLowerCase()[0]!] ??
        0);
    if (n === 0) reason = 'zero_duration';
    else if (ms > 0) partial.durationMs = ms;
  }
  if (FOREVER.test(text)) reason = 'too_long';
  const why = REASON.exec(text)?.[1];
  if (why) partial.justification = why.slice(0, 500);
  return reason ? { partial, reason } : { partial };
}

/** The one catalogue role a longer word is a typo of (one edit, two for long roles), if any. */
function nearRole(word: string, roles: readonly string[]): string | undefined {
  if (word.length < 4) return undefined;
  const near = roles.filter((r) => r.length >= 4 && editDistance(word, r) <= (r.length >= 6 ? 2 : 1));
  return near.length === 1 ? near[0] : undefined;
}
