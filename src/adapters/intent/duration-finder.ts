import {
  type DurationContext,
  type DurationMatch,
  MAX_DURATION_MS,
  parseDurationPhrase,
  parseSpan,
  SPAN,
  UNIT,
  UNTIL,
} from './durations.ts';

/**
 * Finds every time phrase in a message. A phrase that is about time but not understood ("for a
 * while", "temporarily", "in 2 hours", "for 3 months") comes back without a value: the parser
 * then refuses the request instead of treating it as a reason or granting without a limit.
 */

const STOP_WORDS = new Set([
  'because',
  'since',
  'so',
  'and',
  'but',
  'then',
  'to',
  'for',
  'as',
  'please',
  'pls',
  'bc',
  'cause',
  'or',
  'thanks',
  // Another "until" starts its own phrase (and a wall of them stays linear with a small constant).
  'until',
  'till',
]);
const TIME_WORDS =
  /\b(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|months?|years?|yrs?|while|bit|moment|night|nights|tonight|weekend|morning|afternoon|evening|today|tomorrow|now|time|sprint|quarter|shift|term|eod|eow|cob|week-?end|fortnight)\b|(?<![\w.-])\d{1,3}(?:\.\d+)?(?![\w.-])/;
// Not inside an address: "temp.audit@kpmg.com" says nothing about time.
const VAGUE =
  /(?<![\w.@+-])(?:temporar(?:y|ily)|temp|briefly|short[- ]term|until further notice|for the time being|for now)\b(?![.@+-]\w)/g;

/** A time zone named right after a time: the LLM path's grounding checks the same. */
export const namesAZone = (after: string): boolean => ZONE_AFTER.test(after.slice(0, 8));
const ZONE_AFTER =
  /^[ \t]*\(?(?:utc|gmt|z|cet|cest|eet|eest|wet|west|est|edt|cst|cdt|mst|mdt|pst|pdt|bst|ist|jst|kst|aest|aedt|awst|nzst|nzdt|et|pt|ct|mt|sgt|hkt)\b/i;
const DAYS = '(?:mon|tues?|wednes|thurs?|fri|satur|sun)(?:day)?';
const DAY_START = new RegExp(
  `\\b(?:tomorrow|tonight|today|next (?:week|month|${DAYS})|this (?:weekend|morning|afternoon|evening)|(?:on|from|starting|after) ${DAYS})\\b`,
  'g',
);

/**
 * A range, "for 2-3 hours", "30-60 min", "an hour or two": the shorter reading wins (a grant never
 * outlasts what was asked).
 */
const RANGE = new RegExp(
  `(?<![a-z0-9.])(?:for\\s+)?(?:about\\s+|around\\s+)?(\\d{1,4})\\s*(?:-|–|to)\\s*(\\d{1,4})\\s*(${UNIT})(?![a-z])`,
  'g',
);
const OR_TWO = /\b(?:for\s+)?(?:an?|one)\s+(minute|hour|day|week)\s+or\s+two\b/g;

interface Candidate extends DurationMatch {
  priority: number;
}

function lowerKeepLength(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/[’‘]/g, "'");
}

/** Up to `max` words after `from`, stopping at punctuation or a stop word; returns their end offsets. */
function wordsAfter(s: string, from: number, max: number): number[] {
  const ends: number[] = [];
  // Leading space only where a space run starts, so a long run is not re-read from every position.
  // A dash, colon or bracket ends the phrase: "for <@U1> — onboarding per SEC-301" is no length.
  const re = /(?:(?<!\s)\s+)?([^\s,;!?\n—–()]+)/y;
  re.lastIndex = from;
  for (let i = 0; i < max; i++) {
    const m = re.exec(s);
    if (!m?.[1]) break;
    const word = m[1].replace(/(?<!\.)\.+$|(?<!:):+$/, '');
    if (STOP_WORDS.has(word) || word === '-') break;
    ends.push(m.index + m[0].length - (m[1].length - word.length));
    if (word.length !== m[1].length) break;
  }
  return ends;
}

export function findDurations(text: string, ctx: DurationContext): DurationMatch[] {
  const s = lowerKeepLength(text);
  const found: Candidate[] = [];
  const add = (start: number, end: number, priority: number, value = true) => {
    const phrase = text.slice(start, end);
    const parsed = value ? parseDurationPhrase(phrase, ctx) : undefined;
    found.push({ start, end, phrase, priority, ...(parsed ? { value: parsed } : {}) });
  };
  for (const m of s.matchAll(
    /\bfor (?:the )?(?:rest of (?:the |to)?day|today|the day|rest of (?:the |this )?week|this week|the week)\b/g,
  ))
    add(m.index, m.index + m[0].length, 0);
  for (const m of s.matchAll(new RegExp(`(?<![a-z'])${UNTIL}\\s+`, 'g'))) {
    const ends = wordsAfter(s, m.index + m[0].length, 6);
    const best = [...ends].reverse().find((end) => parseDurationPhrase(text.slice(m.index, end), ctx));
    add(m.index, best ?? ends[ends.length - 1] ?? m.index + m[0].trimEnd().length, 1);
  }
  const addSpan = (start: number, end: number, span: string) => {
    const ms = parseSpan(span);
    if (ms && ms <= MAX_DURATION_MS)
      found.push({ start, end, phrase: text.slice(start, end), priority: 0, value: { durationMs: ms } });
    else add(start, end, 0, false);
  };
  for (const m of s.matchAll(RANGE))
    if (Number(m[1]) < Number(m[2])) addSpan(m.index, m.index + m[0].length, `${m[1]} ${m[3]}`);
    else add(m.index, m.index + m[0].length, 0, false);
  for (const m of s.matchAll(OR_TWO)) addSpan(m.index, m.index + m[0].length, `1 ${m[1]}`);
  // "2 hours a day", "1 day a week": a schedule, never one length (it used to add up to 26 h).
  for (const m of s.matchAll(
    /(?<![a-z0-9])(?:\d{1,4}|an?|one)[ \t]*(?:minutes?|mins?|hours?|hrs?|h|days?|d)[ \t]+(?:a|an|per|each|every)[ \t]+(?:day|week|month|night|morning|weekday|shift)s?\b/g,
  ))
    add(m.index, m.index + m[0].length, -1, false);
  const spanPrefix = '(?:the )?(?:next |another |about |around |roughly |approximately )?';
  for (const m of s.matchAll(new RegExp(`\\bfor ${spanPrefix}${SPAN}`, 'g')))
    add(m.index, m.index + m[0].length, 1);
  for (const m of s.matchAll(new RegExp(`(?<![a-z0-9@._/-])(?=\\d)${SPAN}`, 'g'))) {
    const before = s.slice(Math.max(0, m.index - 12), m.index);
    const after = s.slice(m.index + m[0].length, m.index + m[0].length + 10);
    // "in 2 hours" is a delayed start and "2 hours ago" is the past: neither is a length.
    const delayed =
      /\b(?:in|after|within|every|per|each|over|from|by|starting)\s+$/.test(before) ||
      /^\s+(?:from now|later|ago|before|after)\b/.test(after);
    add(m.index, m.index + m[0].length, 2, !delayed);
  }
  for (const m of s.matchAll(/\bfor\b/g)) {
    const ends = wordsAfter(s, m.index + 3, 8);
    const end = ends[ends.length - 1];
    if (end !== undefined && TIME_WORDS.test(s.slice(m.index + 3, end))) add(m.index, end, 3, false);
  }
  for (const m of s.matchAll(VAGUE)) add(m.index, m.index + m[0].length, 3, false);
  // A day without "until" is a start, not an end: "make me admin tomorrow", "from Monday".
  for (const m of s.matchAll(DAY_START)) add(m.index, m.index + m[0].length, 4, false);
  for (const m of s.matchAll(
    /\b(?:in|after|within)\s+(?:an?|one|two|three|few|half an?)\s+(?:hours?|minutes?|days?|weeks?)\b/g,
  ))
    add(m.index, m.index + m[0].length, 2, false);

  // "until 17:00 CET": a zone other than the writer's would move the end; read in the writer's zone
  // it could be later than asked. Not understood, so unclear (never a guess at the offset).
  for (const c of found) if (c.value && ZONE_AFTER.test(s.slice(c.end, c.end + 8))) delete c.value;
  found.sort((a, b) => a.start - b.start || a.priority - b.priority || b.end - a.end);
  const chosen: DurationMatch[] = [];
  let reach = -1;
  for (const c of found) {
    // Sorted by start and never overlapping, the chosen ones clash with c only if the furthest
    // reaching one does (no scan of all chosen so far).
    if (c.start < reach) continue;
    reach = c.end;
    const { priority: _p, ...match } = c;
    chosen.push(match);
  }
  return chosen;
}
