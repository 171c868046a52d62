import type { Intent } from '../../core/intent.ts';
import type { GuardReason } from './guards.ts';
import { normalise } from './normalise.ts';
import { decodeEntities } from './text.ts';

/**
 * Doubts that leave a role change unclear whichever reader produced it (the grammar, the slot
 * reader or the model), found by a red-team pass over the third parser round (issue 16): 1 526
 * messages, 107 answered with a change nobody asked for. Each family below is a way the words
 * say the change is not what it looks like — for someone else, retracted, a joke, an example, a
 * condition — and the safe answer is to ask (the pre-filled form), never to guess.
 */
const PEOPLE =
  'intern|interns|manager|managers|boss|colleague|colleagues|coworker|co-worker|coworkers|teammate|teammates|' +
  'hire|hires|vendor|vendors|contractor|contractors|consultant|consultants|auditor|auditors|report|reports|' +
  'friend|friends|customer|customers|client|clients|lead|employee|employees|partner|partners|guest|guests|' +
  'assistant|cto|ceo|cfo|coo|team|someone|somebody|him|her|them|boyfriend|girlfriend|wife|husband|son|daughter|' +
  'mom|dad|brother|sister|cousin|replacement|successor|backfill|newbie|newcomer|joiner';
const DETS = '(?:(?:my|our|a|an|the|his|her|their|new|some|one of (?:my|our|the))\\s+){0,3}';
/** "need admin for our intern", "it's for my manager", "- my manager": the writer is not the one. */
const FOR_SOMEONE = new RegExp(`\\bfor\\s+${DETS}(?:${PEOPLE})\\b`, 'i');
const REASON_IS_SOMEONE = new RegExp(`^(?:it'?s |this is |that'?s )?(?:for )?${DETS}(?:${PEOPLE})$`, 'i');
/** "need editor to onboard the new hire": the role may be for the hire. */
const PURPOSE_SOMEONE = new RegExp(`^to\\b.*\\b(?:the|a|an|our|my|new)\\s+(?:new\\s+)?(?:${PEOPLE})\\b`, 'i');
/** "someone needs admin": nobody named, and not the writer. */
const THIRD_PERSON_NEED =
  /\b(?:someone|somebody|anyone|anybody|everyone|everybody|they|he|she)\s+(?:needs|wants|requires|would like)\b/i;
/** "bob: give me admin", "fwd: make me owner": the "me" is someone else's. */
const LEAD = /^[ \t]*([^:\n>→\s][^:\n>→]{0,39}?)(?::|->|→)[ \t]/;
const LEAD_OK = new Set(
  `hi hey hello team all folks rolecall bot quick one q urgent asap request requesting reason justification
   context re update fyi ps note incident inc sev sev1 sev2 sev3 p1 p2 me please pls ticket help morning
   afternoon evening good ok so`.split(/\s+/),
);
/** Retractions, tests and jokes beside a change. */
const RETRACTED: RegExp[] = [
  /\b(?:scratch that|never ?mind|nvm|disregard (?:this|that|it)|please ignore|pls ignore|ignore (?:this|that|it|me)|wrong (?:channel|thread|chat|person)|sent by mistake|by mistake|my bad|sorry,? typo|typo)\b/i,
  /(?:^|[\s,.;(-])(?:ignore|cancel|cancel that|cancel it|oops)[\s.!)]*$/i,
  /(?:^|[\s,.;(-])(?:just )?test(?:ing)?[\s.!)]*$|\bthis is (?:just )?a test\b|^[ \t]*(?:just )?test(?:ing)?\b[ \t]*[,:.!-]|\b(?:for testing|just testing|testing the bot)\b/i,
  /(?:^|\s)\/s\b|\byeah,? right\b|\bover my dead body\b|\bin your dreams\b|\bas if\b|\bfat chance\b/i,
  /:(?:trollface|upside_down_face|stuck_out_tongue(?:_winking_eye|_closed_eyes)?|wink|rofl|joy|laughing|zany_face|smirk|clown_face):|(?:^|\s)[:;]-?[pP](?=\s|$)|😜|😝|🙃|😂|🤣|😉/u,
  /\bin case\b|^[ \t]*should \S+ be\b|\bwhile \S+ (?:is|are|'s) (?:out|away|off|gone|on leave|on pto)\b/i,
  /\b(?:in theory|theoretically|ideally|someday|some day|eventually|e\.g\.|for example|for instance|try typing|as a backup|tip:)/i,
  /^[ \t]*(?:later|tomorrow|tonight|next week|after lunch|soon)\b/i,
  // A correction after the ask: "make me admin, actually owner", "give bob editor — wait, viewer".
  /[,;.—–-][ \t]*(?:actually|wait|sorry|i mean|or rather|rather|make (?:it|that))\b/i,
  /\bas (?:a )?(?:backup|fallback|contingency|precaution)\b|\bin the event\b|\b(?:just type|you can (?:type|say)|type:|say:)/i,
];
/** "bob and I need admin", "for me and bob": someone beside the writer. */
const ME_AND =
  /\b(?:\w+ (?:and|&) (?:i|me) (?:need|want|both|would|'d|require)|for (?:me (?:and|&) \w+|\w+ (?:and|&) me))\b/i;
/** A reason that is itself a question: "is that allowed?", "good idea?", "any objections?". */
const ASKS =
  /^(?:is|are|should|any|good|ok|okay|possible|right|allowed|fine|cool|sounds?|does|do|can|could|would|will|that|thoughts|objections|agree|yes|no)\b/i;
/** Words that are never a person's name, read as one where a name may stand ("…, actually owner"). */
const FILLER_WORDS = new Set(
  `actually wait hopefully nah preferably ideally hmm hm well sorry later honestly maybe rather instead
   hardly keep self please pls thanks yes no ok okay sure also too then now just still even only really
   probably definitely basically literally seriously anyway btw lol jk both either all everyone everybody
   anyone someone somebody team sales engineering marketing support finance ops hr legal design product
   qa it security staff people users folks guys oh um uh er yeah yep nope so like whoever myself`.split(
    /\s+/,
  ),
);

export function doubt(raw: string, intents: Intent[]): GuardReason | undefined {
  const changes = intents.filter((i) => i.kind === 'request_role_change');
  if (!changes.length) return undefined;
  const text = decodeEntities(normalise(raw)).replace(/[’]/g, "'");
  const mine = changes.some((c) => c.targets.some((t) => t.kind === 'me'));
  if (RETRACTED.some((re) => re.test(text))) return 'unclear';
  if (THIRD_PERSON_NEED.test(text)) return 'unclear';
  for (const c of changes)
    for (const t of c.targets)
      if (t.kind === 'name' && FILLER_WORDS.has(t.name.toLowerCase())) return 'unclear';
  const reasons = changes.flatMap((c) => (c.justification ? [c.justification] : []));
  // A reason that asks ("give bob admin, is that allowed?") or adds someone ("dana too").
  for (const r of reasons) {
    const at = text.indexOf(r);
    if (at >= 0 && /^\s*\?/.test(text.slice(at + r.length)) && ASKS.test(r.trim())) return 'unclear';
    if (/\b(?:too|also|as well)\b/i.test(r)) return 'unclear';
  }
  if (/^\s*'[^']+'\s*$/.test(text)) return 'unclear';
  // "give bob admin 2h. dana also admin": did the limit mean dana too? Either all limited or none.
  const limited = changes.filter((c) => c.durationMs || c.until).length;
  if (limited && limited < changes.length && /\b(?:also|too|as well)\b/i.test(text)) return 'unclear';
  if (!mine) return undefined;
  if (
    FOR_SOMEONE.test(text) ||
    reasons.some((r) => REASON_IS_SOMEONE.test(r.trim()) || PURPOSE_SOMEONE.test(r))
  )
    return 'unclear';
  if (ME_AND.test(text) && changes.every((c) => c.targets.length === 1)) return 'unclear';
  // Only the writer gets it, yet someone else is named plainly ("give me admin. Reason: for <@U2>").
  const onlyMe = changes.every((c) => c.targets.every((t) => t.kind === 'me'));
  if (onlyMe && /<@[UW]|<mailto:/.test(raw.replace(/^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>/, ''))) return 'unclear';
  // …only where the "me" is said after the prefix ("need admin for 15 min: rotating keys" is a reason).
  const m = LEAD.exec(text);
  const lead = m?.[1]?.trim().toLowerCase();
  const after = m ? text.slice(m[0].length) : '';
  const leadWords = lead?.split(/[\s,!]+/).filter(Boolean) ?? [];
  if (lead && /\b(?:me|my|i|myself)\b/i.test(after) && !leadWords.every((w) => LEAD_OK.has(w)))
    return 'unclear';
  return undefined;
}
