import { addDays, instantOf, isoWithOffset, type Wall, wallClock, weekday, zoneOrUtc } from './zoned-time.ts';

/**
 * Durations and end times written in chat ("for 2 hours", "until Friday", "till EOD"), computed in
 * code relative to `now` in the requester's zone. Anything time-like that is not understood is
 * reported as a match without a value, so callers refuse the request rather than grant it
 * without a limit (a longer grant than asked).
 *
 * Choices (the shorter reading wins when English is loose):
 * - "until tomorrow" is the start of tomorrow; "until Friday" is the start of the next Friday after
 *   today; "until <date>" is the start of that date; "end of day"/EOD is the next local midnight;
 *   "end of week"/EOW is the start of the coming Saturday.
 * - "until 5pm" is today at 17:00, or tomorrow if that has passed.
 * - Months, years, "next Friday", "for a while", "temporarily", "in 2 hours" (a delayed start) are
 *   not understood.
 */
export type DurationValue = { durationMs: number } | { until: string };

export interface DurationContext {
  now: Date;
  timeZone?: string;
}

export interface DurationMatch {
  start: number;
  end: number;
  phrase: string;
  /** Undefined when the phrase is about time but is not understood. */
  value?: DurationValue;
}

export const MAX_DURATION_MS = 366 * 86_400_000;

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const WORD_NUMBERS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  'forty-five': 45,
  forty: 40,
  sixty: 60,
  ninety: 90,
};
const NUM_WORD = `(?:${Object.keys(WORD_NUMBERS).join('|')})`;
export const UNIT = '(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|s|m|h|d|w)';
const HALF = '\\s+and\\s+a\\s+half';
// Digits may touch their unit ("2h30m"); number words need a space or hyphen ("two hours").
const partSource = (g: boolean) => {
  const c = (name: string, body: string) => (g ? `(?<${name}>${body})` : `(?:${body})`);
  return (
    `(?:\\bhalf\\s+an?\\s+${c('half', 'hour|day|minute')}` +
    `|(?<![0-9.])${c('digits', '\\d+(?:\\.\\d+)?')}${c('h1', HALF)}?\\s*(?:-\\s*)?${c('u1', UNIT)}${c('h2', HALF)}?` +
    `|\\b${c('word', NUM_WORD)}${c('h3', HALF)}?(?:\\s+|-)${c('u2', UNIT)}${c('h4', HALF)}?)(?![a-z])`
  );
};
const PART = partSource(false);
// One way only to split the space between parts (`\\s*,?\\s*` could split it n ways).
export const SPAN = `${PART}(?:\\s*(?:,\\s*)?(?:and\\s+)?${PART})*`;
const PART_RE = new RegExp(partSource(true), 'g');
const WHOLE_SPAN = new RegExp(`^${SPAN}$`);

function unitMs(unit: string): number {
  const u = unit.startsWith('mi') || unit === 'm' ? 'm' : unit.startsWith('wk') ? 'w' : unit[0];
  return UNIT_MS[u ?? ''] ?? 0;
}

/** "2h30m", "an hour and a half", "90 min" → ms; undefined when not a clean span. */
export function parseSpan(text: string): number | undefined {
  const s = normalise(text);
  if (!WHOLE_SPAN.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(PART_RE)) {
    const g = m.groups ?? {};
    if (g.half) {
      total += unitMs(g.half) / 2;
      continue;
    }
    const unit = g.u1 ?? g.u2 ?? '';
    // "one h" is not English: word numbers take whole unit words.
    if (g.word && unit.length === 1) return undefined;
    const n = g.word ? (WORD_NUMBERS[g.word] ?? Number.NaN) : Number(g.digits);
    total += (n + (g.h1 || g.h2 || g.h3 || g.h4 ? 0.5 : 0)) * unitMs(unit);
  }
  const ms = Math.round(total);
  return ms > 0 && ms <= MAX_DURATION_MS ? ms : undefined;
}

function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/(?<![.,!?;:])[.,!?;:]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const WEEKDAYS: Record<string, number> = {
  sun: 0,
  sunday: 0,
  mon: 1,
  monday: 1,
  tue: 2,
  tues: 2,
  tuesday: 2,
  wed: 3,
  weds: 3,
  wednesday: 3,
  thu: 4,
  thur: 4,
  thurs: 4,
  thursday: 4,
  fri: 5,
  friday: 5,
  sat: 6,
  saturday: 6,
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_WORD =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const TIME = '(noon|midday|midnight|\\d{1,2}(?::\\d{2})?\\s*(?:am|pm|a\\.m\\.|p\\.m\\.)|\\d{1,2}:\\d{2})';
const WEEKDAY_WORD = `(${Object.keys(WEEKDAYS).join('|')})`;

/** Every shape below starts with one of these. */
const POINT_START =
  /^(?:\d|eod|cob|end |close |eow|tomorrow|noon|midday|midnight|at |mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/;
const TOMORROW_AT = new RegExp(`^tomorrow(?: at)? ${TIME}$|^${TIME} tomorrow$`);
const AT_TIME = new RegExp(`^(?:at )?${TIME}(?: today)?$`);
const ON_WEEKDAY = new RegExp(`^${WEEKDAY_WORD}(?:,? (?:at )?${TIME})?$`);
const ON_DATE = new RegExp(
  `^(?:${MONTH_WORD} (\\d{1,2})(?:st|nd|rd|th)?|(\\d{1,2})(?:st|nd|rd|th)? (?:of )?${MONTH_WORD})(?:,? (\\d{4}))?$`,
);

/** Hour and minute of a clock phrase; undefined for "5" (am or pm?) and impossible times. */
function clock(text: string): { hour: number; minute: number } | undefined {
  const t = text.replace(/\s+/g, '').replace(/\./g, '');
  if (t === 'noon' || t === 'midday') return { hour: 12, minute: 0 };
  if (t === 'midnight') return { hour: 24, minute: 0 };
  const m = /^(\d{1,2})(?::(\d{2}))?(am|pm)?$/.exec(t);
  if (!m) return undefined;
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? 0);
  if (minute > 59) return undefined;
  if (m[3]) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (m[3] === 'pm' ? 12 : 0);
  } else if (!m[2] || hour > 23) return undefined;
  return { hour, minute };
}

const at = (day: Wall, hour = 0, minute = 0): Wall => ({ ...day, hour, minute, second: 0 });

/** The end instant named by what follows "until"; undefined when not understood or not in the future. */
export function parsePoint(text: string, ctx: DurationContext): Date | undefined {
  const s = normalise(text)
    .replace(/^the\s+/, '')
    .replace(/^this\s+(?=[a-z])/, '');
  // Reading the wall clock (Intl) costs far more than the patterns: only for a phrase that can be a point.
  if (!POINT_START.test(s)) return undefined;
  const tz = zoneOrUtc(ctx.timeZone);
  const today = wallClock(ctx.now, tz);
  const future = (d: Date) => (d.getTime() > ctx.now.getTime() ? d : undefined);
  const nextWeekday = (wd: number) => addDays(today, ((wd - weekday(today) + 6) % 7) + 1);
  if (/^(eod|cob|end of (the )?day|end of today|close of business)$/.test(s))
    return future(instantOf(at(addDays(today, 1)), tz));
  if (/^(eow|end of (the )?week)$/.test(s)) return future(instantOf(at(nextWeekday(6)), tz));
  if (s === 'tomorrow') return future(instantOf(at(addDays(today, 1)), tz));
  let m = TOMORROW_AT.exec(s);
  if (m) {
    const c = clock(m[1] ?? m[2] ?? '');
    return c && future(instantOf(at(addDays(today, 1), c.hour, c.minute), tz));
  }
  m = AT_TIME.exec(s);
  if (m) {
    const c = clock(m[1] ?? '');
    if (!c) return undefined;
    const same = instantOf(at(today, c.hour, c.minute), tz);
    return same.getTime() > ctx.now.getTime()
      ? same
      : future(instantOf(at(addDays(today, 1), c.hour, c.minute), tz));
  }
  m = ON_WEEKDAY.exec(s);
  if (m) {
    const day = nextWeekday(WEEKDAYS[m[1] ?? ''] ?? -1);
    const c = m[2] ? clock(m[2]) : { hour: 0, minute: 0 };
    return c && future(instantOf(at(day, c.hour, c.minute), tz));
  }
  m = /^(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2}))?(z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (m) return isoPoint(m, tz, future);
  m = ON_DATE.exec(s);
  if (m) {
    const month = MONTHS.indexOf((m[1] ?? m[4] ?? '').slice(0, 3)) + 1;
    const day = Number(m[2] ?? m[3]);
    return calendarPoint(today, month, day, m[5] ? Number(m[5]) : undefined, tz, future);
  }
  return undefined;
}

function isoPoint(m: RegExpExecArray, tz: string, future: (d: Date) => Date | undefined): Date | undefined {
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, se] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return undefined;
  const wall: Wall = { year: y, month: mo, day: d, hour: h, minute: mi, second: se };
  if (addDays(wall, 0).day !== d) return undefined;
  if (!m[7]) return future(instantOf(wall, tz));
  const off = m[7] === 'z' ? 0 : offsetOf(m[7]);
  return future(new Date(Date.UTC(y, mo - 1, d, h, mi, se) - off * 60_000));
}

function offsetOf(text: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function calendarPoint(
  today: Wall,
  month: number,
  day: number,
  year: number | undefined,
  tz: string,
  future: (d: Date) => Date | undefined,
): Date | undefined {
  const make = (y: number) => {
    const w: Wall = { year: y, month, day, hour: 0, minute: 0, second: 0 };
    return addDays(w, 0).day === day ? instantOf(w, tz) : undefined;
  };
  if (year !== undefined) {
    const d = make(year);
    return d && future(d);
  }
  const thisYear = make(today.year);
  if (!thisYear) return undefined;
  const todayStart = instantOf(at(today), tz).getTime();
  if (thisYear.getTime() > todayStart) return thisYear;
  // A date a few days ago is a mistake, not next year: only roll over when it is long past.
  if (todayStart - thisYear.getTime() > 180 * 86_400_000) return make(today.year + 1);
  return undefined;
}

function pointValue(text: string, ctx: DurationContext): DurationValue | undefined {
  const d = parsePoint(text, ctx);
  if (!d || d.getTime() - ctx.now.getTime() > MAX_DURATION_MS) return undefined;
  return { until: isoWithOffset(d, zoneOrUtc(ctx.timeZone)) };
}

export const UNTIL = "(?:until|untill|till|'?til|up until|up till)";
// Compiled once: these run for every candidate phrase of every message.
const UNTIL_REST = new RegExp(`^${UNTIL} (.+)$`);
const REST_OF_DAY = /^for (?:the )?(?:rest of (?:the |to)?day|today|the day)$/;
const REST_OF_WEEK = /^for (?:the )?(?:rest of (?:the |this )?week|this week|the week)$/;
const SPAN_PREFIX = /^(?:for )?(?:the )?(?:next |another |about |around |roughly |approximately )?/;

/**
 * A whole phrase as the requester wrote it: "for 2 hours", "2h", "until Friday 5pm", "for the
 * rest of the day". A bare clock time or day without "until" is not a duration (it could be a start).
 */
export function parseDurationPhrase(phrase: string, ctx: DurationContext): DurationValue | undefined {
  const s = normalise(phrase);
  if (REST_OF_DAY.test(s)) return pointValue('end of day', ctx);
  if (REST_OF_WEEK.test(s)) return pointValue('end of week', ctx);
  const until = UNTIL_REST.exec(s);
  if (until) return pointValue(until[1] ?? '', ctx);
  if (/^(in|after|within|every|per|each)\b/.test(s)) return undefined;
  const ms = parseSpan(s.replace(SPAN_PREFIX, ''));
  return ms === undefined ? undefined : { durationMs: ms };
}
