/**
 * How people actually write requests in Slack, beyond the grammar (issue 16): emoji, politeness
 * idioms that contain guard words ("when you get a chance", "if possible", "I'd appreciate it if
 * you could"), and support reps relaying ("hi, customer here —", "Relaying for Acme:"). They carry
 * no request of their own, so they are blanked out (same length, offsets stay valid) before the
 * parser and the guards read the text. Both extractors use this, so the offline parser and the LLM
 * path's safety net treat the same words the same way.
 *
 * Real conditions stay: "if bob agrees", "when the audit starts", "if you can't" are not idioms.
 */
const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}/gu;
const IDIOMS: RegExp[] = [
  /\b(?:when(?:ever)?|once) you (?:get|have|find) (?:a|the) (?:chance|moment|minute|sec|second|min)\b/gi,
  /\bwhen(?:ever)? you can\b/gi,
  /\bif (?:at all )?possible\b/gi,
  /\b(?:effective |starting )?(?:immediately|right away|straight away)\b/gi,
  /\bif you (?:can|could|would|don't mind|do not mind|wouldn't mind)(?= *[,.!?]| *$| +(?:please|pls|plz|thanks|thank you)\b)/gi,
  /\b(?:i'd|i would|we'd|we would) (?:really |very much )?(?:appreciate (?:it )?|be (?:grateful|thankful) )if you (?:could|can|would)\b/gi,
];
/**
 * Who a support rep is relaying for, at the very start: "hi, customer here —", "Relaying for Acme:".
 * The name ends on a non-space so the spaces before the separator belong to `[ \t]*` alone (recheck
 * found the overlap polynomial).
 */
const RELAY =
  /^[ \t]*(?:(?:hi|hello|hey)[ \t]*[,!]?[ \t]*)?(?:(?:the )?customer here|relaying(?: this)?(?: for| from) [^\n:—–]{0,59}?[^\s:—–]|on behalf of [^\n,:—–]{0,59}?[^\s,:—–]|for (?:customer|client|account) [^\n:—–]{0,59}?[^\s:—–])[ \t]*(?:[:,—–]|-(?= ))/i;
/** "I don't need it anymore": a reason to remove, which the negation guard must not read as "don't remove". */
const NO_LONGER_NEEDED =
  /\b(?:no longer (?:needs?|requires?)\b|(?:i|we|he|she|they) (?:don't|do not|dont|doesn't|does not|no longer) needs? (?:it|this|that|them|the access|this access|admin|access)?(?: any ?more| any longer)?|(?:he's|she's|they're|he is|she is|they are) no longer (?:with us|here|on the team|with the company|at the company|working here|in the team)|(?:no longer|not) needed(?: any ?more| any longer)?)\b/gi;

const blank = (s: string) => ' '.repeat(s.length);

/**
 * "If you could give <@U1> reader, that would be great": the "if" is a politeness frame, not a
 * condition, but only with that closing — both ends are blanked together or not at all.
 */
const IF_FRAME_START = /^[ \t]*if you (?:could|can|would)\b/i;
const IF_FRAME_END =
  /\b(?:that|it)(?:'d| would| will) be (?:great|amazing|awesome|lovely|perfect|fantastic|wonderful|helpful|much appreciated|appreciated)\b/gi;
/** What may follow the closing: thanks and punctuation only (anchored at both ends: linear). */
const IF_FRAME_REST = /^(?:,? thanks?(?: you)?)?[ \t.!]*$/i;
/**
 * Relays that name the customer before the ask: "support rep here relaying for Hooli —",
 * "Customer (Globex) is asking us to …", "Fabrikam's admin asked me to pass this on:".
 */
const RELAY_MORE: RegExp[] = [
  /^[ \t]*(?:support|cs|success|account)(?: rep| agent| manager| team)? here,?[ \t]+(?=relaying )/i,
  /^[ \t]*(?:(?:the |our |a )?(?:customer|client)(?: \([^()\n]{1,40}\))?|[^\s,:—–()]{1,40} \([^()\n]{1,40}\)) (?:is|are) asking (?:us|me) to(?= )/i,
];
/** "Fabrikam's admin asked me to pass this on:" — found by its words, then checked to open the message. */
const PASS_ON =
  / asked (?:me|us) to (?:pass|relay|forward) (?:this|it)(?: on| along)?[ \t]*(?:[:—–]|-(?= ))/i;

/** The text the parser and the word guards read. */
export function plainPhrasing(text: string): string {
  let s = text.replace(EMOJI, blank);
  for (const re of RELAY_MORE) s = s.replace(re, blank);
  const passOn = PASS_ON.exec(s);
  if (passOn && passOn.index <= 70 && !/[\n:—–]/.test(s.slice(0, passOn.index)))
    s = blank(s.slice(0, passOn.index + passOn[0].length)) + s.slice(passOn.index + passOn[0].length);
  s = s.replace(RELAY, blank);
  for (const re of IDIOMS) s = s.replace(re, blank);
  return withoutIfFrame(s);
}

function withoutIfFrame(s: string): string {
  if (!IF_FRAME_START.test(s)) return s;
  const ends = [...s.matchAll(IF_FRAME_END)];
  const end = ends[ends.length - 1];
  if (!end || !IF_FRAME_REST.test(s.slice(end.index + end[0].length))) return s;
  let from = end.index;
  while (from > 0 && /[ \t,]/.test(s[from - 1] ?? '')) from--;
  return s.slice(0, from).replace(IF_FRAME_START, blank) + blank(s.slice(from));
}

/** Where "I don't need it anymore" is said: the guards skip these words when only removals are asked. */
export function noLongerNeeded(text: string): { start: number; end: number }[] {
  return [...text.matchAll(NO_LONGER_NEEDED)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}
